"""Issue 22: an aggregate report reads the counted answers once (findings/answer_pass.py), and
its sections count from that one pass: the same figures whether a section is given the
report's pass or makes its own. No timings here (benchmarks/bench_reports.py has them)."""

from __future__ import annotations

import pytest

from audit_tool import demo
from audit_tool.filters import AuditFilter
from audit_tool.findings import findings
from audit_tool.findings.answer_pass import AnswerPass
from audit_tool.findings.audit_level import audit_level
from audit_tool.findings.facts import fact_findings
from audit_tool.reports.build import aggregate_report

COUNTED = "an.hidden_fails = 1"  # counted.COUNTED_ANSWER: only a read of the scored answers has it


@pytest.fixture
def filled(db):
    demo.generate(db, 90, seed=5)
    return db


def _reads(db, fn) -> tuple[object, list[str]]:
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        result = fn()
    finally:
        db.conn.set_trace_callback(None)
    return result, [s for s in seen if COUNTED in s]


@pytest.mark.parametrize("identifiable", [False, True])
def test_a_report_reads_the_counted_answers_once(filled, identifiable):
    report, reads = _reads(filled, lambda: aggregate_report(filled, include_identifiers=identifiable))
    assert report.blocks  # a report with its sections was built
    assert len(reads) == 1, reads
    assert filled.query("SELECT name FROM temp.sqlite_master") == []  # and its tables are gone


def test_sections_count_the_same_from_the_reports_pass_or_their_own(filled):
    flt = AuditFilter(status="finalised")
    with AnswerPass(filled, flt, keyed=True) as shared:
        level, reads = _reads(filled, lambda: audit_level(filled, flt, keyed=True, answers=shared))
        assert reads == []  # nothing read again
        f = findings(filled, flt, answers=shared, level=level)
        one = AuditFilter(status="finalised", checklist_id=f.checklists[0][0])
        facts = fact_findings(filled, one, answers=shared)
    assert level == audit_level(filled, flt, keyed=True)
    assert f == findings(filled, flt)
    assert facts == fact_findings(filled, one)
    assert f.audits == sum(n for *_, n in f.checklists) > 0


def test_a_pass_made_without_keys_is_not_used_for_keyed_cells(filled):
    """An identifiable report's pass reads no record keys: a keyed caller makes its own."""
    flt = AuditFilter()
    with AnswerPass(filled, flt) as plain:
        keyed = audit_level(filled, flt, keyed=True, answers=plain)
    assert keyed.cells == audit_level(filled, flt, keyed=True).cells
    assert sum(s.key_sum for s in keyed.cells.census.values()) > 0


def test_audits_behind_a_rating_count_the_same_from_the_pass(filled):
    """The disclosure count of distinct audits behind each theme's rating, from the report's
    pass and straight from the answers, for every theme of every checklist."""
    from audit_tool.findings import census

    flt = AuditFilter(status="finalised")
    themes = sorted({(r[0], r[1]) for r in filled.query(
        """SELECT DISTINCT a.checklist_id, ci.theme_id FROM audits a
           JOIN checklist_items ci ON ci.sha256 = a.checklist_sha""")})
    meets = {}
    direct = census._distinct_levels(filled, flt, themes, meets)
    with AnswerPass(filled, flt) as p:
        assert census._distinct_levels_of(p, themes, meets) == direct
    assert len(direct) > 20 and all(n > 0 for n, _ in direct.values())
