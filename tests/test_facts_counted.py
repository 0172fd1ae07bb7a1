"""Issue 22: facts are counted in SQL with the sum of their audits' record keys; an anonymised
release perturbs each count from (count, key sum) exactly as it would from the audits' ids."""

from __future__ import annotations

import pytest

from audit_tool import demo
from audit_tool.disclosure.cellkey import default_table, load_keys
from audit_tool.filters import AuditFilter
from audit_tool.findings.answer_pass import AnswerPass
from audit_tool.findings.facts import ALL_PHASES, fact_findings
from audit_tool.reports.tally import Tally

DEATHS = "gendered-drug-alcohol-death-review"


@pytest.fixture
def filled(db):
    demo.generate(db, 120, seed=7)
    return db


def test_a_count_from_its_key_sum_is_the_count_from_its_ids(filled):
    tally = Tally(load_keys(filled), default_table())
    ids = sorted(tally.keys)
    for n in (0, 3, 5, 17, len(ids)):
        some = ids[:n]
        assert tally.audits_of(n, sum(tally.keys[a] for a in some)) == tally.audits(some)
    assert Tally().audits_of(17, 12345) == 17  # exact without keys


def test_facts_released_from_key_sums_match_the_audits_ids(filled):
    flt = AuditFilter(status="finalised", checklist_id=DEATHS)
    tally = Tally(load_keys(filled), default_table())
    ids = [r[0] for r in filled.query(
        "SELECT id FROM audits WHERE checklist_id = ? AND status = 'finalised'", (DEATHS,))]
    assert len(ids) >= 5
    released = {f.phase: f for f in fact_findings(filled, flt, tally.audits_of)}
    exact = {f.phase: f for f in fact_findings(filled, flt)}
    assert exact[ALL_PHASES].audits == len(ids)
    assert released[ALL_PHASES].audits == tally.audits(ids)
    for fact in exact[ALL_PHASES].facts:  # every audit gives one value or none
        if not fact.multiple:
            assert sum(v.audits for v in fact.values) == len(ids)


def test_the_same_pass_counts_facts_twice_and_leaves_nothing(filled):
    flt = AuditFilter(status="finalised", checklist_id=DEATHS)
    tally = Tally(load_keys(filled), default_table())
    with AnswerPass(filled, AuditFilter(status="finalised"), keyed=True) as shared:
        first = fact_findings(filled, flt, tally.audits_of, answers=shared)
        again = fact_findings(filled, flt, tally.audits_of, answers=shared)
    assert first == again == fact_findings(filled, flt, tally.audits_of)
    assert any(f.breakdowns for f in first)  # the groups were counted too
    assert filled.query("SELECT name FROM temp.sqlite_master") == []
