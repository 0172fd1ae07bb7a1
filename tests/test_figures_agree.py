"""Figures that must agree wherever they are shown (issue 17 items 12 to 15): real encrypted
databases of synthetic, clearly fictional audits.
"""

from __future__ import annotations

import json

import pytest

from audit_tool import audits
from audit_tool.findings import compare_phases, findings, newcombe
from audit_tool.findings.audit_level import audit_level
from audit_tool.findings.clustered import change_interval
from audit_tool.selection import AuditFilter

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
