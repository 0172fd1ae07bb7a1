"""Figures that must agree wherever they are shown (issue 17 items 12 to 15): real encrypted
databases of synthetic, clearly fictional audits.
"""

from __future__ import annotations

import json

import pytest

from audit_tool import audits
from audit_tool.filters import AuditFilter
from audit_tool.findings import compare_phases, findings, newcombe
from audit_tool.findings.audit_level import audit_level
from audit_tool.findings.clustered import change_interval

AREA = "Glenmorven (fictional)"
# per case file: (baseline ratings, post-training ratings) of p1 (quality) p2 (evidence) q1 q2;
# files differ a lot, so items of one file are far from independent
FILES = [
    (("2", "no", "2", "no"), ("5", "yes", "5", "yes")),
    (("2", "no", "3", "no"), ("5", "yes", "4", "yes")),
    (("5", "yes", "5", "yes"), ("6", "yes", "6", "yes")),
    (("1", "no", "1", "no"), ("2", "no", "3", "partly")),
    (("4", "yes", "4", "yes"), ("4", "yes", "5", "yes")),
    (("3", "partly", "3", "no"), ("5", "yes", "2", "no")),
    (("2", "no", "1", "no"), None),  # read at baseline only
    (None, ("6", "yes", "6", "yes")),  # read after training only
]


def _audit(db, mini, case_id, phase, ratings) -> str:
    audit_id = audits.new_audit(db, case_id, mini, phase=phase)
    for item, rating in zip(("p1", "p2", "q1", "q2"), ratings, strict=True):
        audits.answer(db, audit_id, item, rating)
    if ratings[1] in ("yes", "partly"):  # p3 is asked only then
        audits.answer(db, audit_id, "p3", ratings[2])
    audits.finalise(db, audit_id)
    return audit_id


@pytest.fixture
def paired(db, mini):
    for i, (base, post) in enumerate(FILES):
        case = audits.add_case(db, f"FICT-PAIR-{i:03d}", AREA)
        if base:
            _audit(db, mini, case.id, "baseline", base)
        if post:
            _audit(db, mini, case.id, "post_training", post)
    return db


def test_findings_json_change_interval_is_the_reports_clustered_one(paired, db_path, cli):
    """Item 12: the CLI gave Newcombe's interval from item counts (items as independent)."""
    level = audit_level(paired, AuditFilter())
    expected = {k: change_interval(m) for (cid, k), m in level.change.items()}
    comps = compare_phases(paired)
    assert {c.key for c in comps} == set(expected) == {"pattern", "planning"}
    for c in comps:
        iv = expected[c.key]
        assert c.change == (iv.estimate, iv.low, iv.high)
        # and it is not the item-count one (so the test can tell them apart)
        nc = newcombe(c.base_meets, c.base_rated, c.post_meets, c.post_rated)
        assert abs(nc[1] - iv.low) > 0.01
    paired.close()
    r = cli("--db", db_path, "findings", "--json")
    assert r.returncode == 0, r
    shown = {c["theme"]: c for c in json.loads(r.stdout)["change"]}
    for key, iv in expected.items():
        assert shown[key]["difference"] == pytest.approx(iv.estimate, abs=1e-12)
        assert shown[key]["interval95"] == pytest.approx([iv.low, iv.high], abs=1e-12)


def test_one_phase_only_has_no_change(db, mini):
    case = audits.add_case(db, "FICT-ONE-001", AREA)
    _audit(db, mini, case.id, "baseline", ("2", "no", "2", "no"))
    assert all(c.change is None for c in findings(db).theme_change)


def _both(db, mini, i, post_final=True):
    case = audits.add_case(db, f"FICT-BOTH-{i:03d}", AREA)
    _audit(db, mini, case.id, "baseline", ("5", "yes", "5", "yes"))
    post = audits.new_audit(db, case.id, mini, phase="post_training")
    for item, rating in (("p1", "6"), ("p2", "no"), ("q1", "6"), ("q2", "no")):
        audits.answer(db, post, item, rating)
    if post_final:
        audits.finalise(db, post)
    return case


def test_read_in_both_is_one_definition_in_every_report(db, mini):
    """Item 15: a case file is read in both phases when it has a finalised audit (a finalised
    moderation in place of its readings) at baseline and at post-training. An identifiable
    report, which lists drafts, counted a draft post-training audit as a reading."""
    from audit_tool import moderation
    from audit_tool.findings.audit_level import read_in_both
    from audit_tool.reports.build import aggregate_report

    for i in range(6):
        _both(db, mini, i)
    for i in range(6, 9):  # post-training still in draft: not read after training yet
        _both(db, mini, i, post_final=False)
    # a file read twice at baseline and moderated, read once after training: counts once
    case = _both(db, mini, 9)
    first = db.query(
        "SELECT id FROM audits WHERE case_id = ? AND phase = 'baseline'", (case.id,)
    )[0][0]
    other = moderation.add_reviewer(db, "Second reader (fictional)")
    second = moderation.start_second_reading(db, first, other.id)
    for item, rating in (("p1", "5"), ("p2", "yes"), ("p3", "5"), ("q1", "5"), ("q2", "yes")):
        audits.answer(db, second, item, rating)
    audits.finalise(db, second)
    mod = moderation.start_moderation(db, [first, second])
    audits.answer(db, mod, "p3", "5", "fictional reason: both readings found it")
    audits.finalise(db, mod)

    assert read_in_both(db, AuditFilter()) == {"mini-test": 7}
    assert read_in_both(db, AuditFilter(status="draft")) == {"mini-test": 7}
    for flt in (AuditFilter(), AuditFilter(status="finalised")):
        assert audit_level(db, flt).shared_cases == {"mini-test": 7}
    with db.atomic() as c:  # keys 0: the anonymised count by hand
        c.execute("UPDATE audit_keys SET record_key = 0")
    # identifiable: exact; anonymised: 7 files keyed by the checklist's audits (0) shifted by
    # release.CASES_OFFSET 41, row 7 slot [-1: 30-78] -> 6
    for identifiable, files in ((False, 6), (True, 7)):
        report = aggregate_report(db, AuditFilter(), include_identifiers=identifiable)
        texts = [getattr(b, "text", "") for b in report.blocks]
        said = [t for t in texts if "were read at both" in t or "No case file was read" in t]
        assert said and all(t.startswith(f"{files} case files were read at both") for t in said), said
