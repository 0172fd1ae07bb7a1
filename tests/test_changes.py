"""Every core write says what it changed (issue 16 item 8), against a real encrypted database.

The screens refresh from these summaries, so a write that reports the wrong audit (or
nothing) leaves a stale row on screen: each assertion is what a screen would act on.
"""

from __future__ import annotations

from audit_tool import audits, moderation
from audit_tool.changes import NOTHING, Changes
from audit_tool.domain import Recommendation

AREA = "Glenmorven (fictional)"


def test_every_audit_write_returns_what_it_changed(db, mini):
    case = audits.add_case(db, "FICTIONAL-CASE-0101", AREA)
    assert case.changes == Changes(cases=True) and case.changes.list_rows
    audit_id = audits.new_audit(db, case.id, mini)
    assert isinstance(audit_id, str) and audit_id == audits.get_audit(db, audit_id).id
    assert audit_id.changes.added == {audit_id} and audit_id.changes.list_rows

    change = audits.answer(db, audit_id, "p1", "4")
    assert change.changes.touches(audit_id)
    assert audits.answer(db, audit_id, "p1", "4").changes == NOTHING  # no change, nothing to redo

    assert audits.set_summary(db, audit_id, "summary", "Fictional summary.").touches(audit_id)
    assert audits.set_summary(db, audit_id, "summary", "Fictional summary.") == NOTHING
    recs = [Recommendation("Review the plan (fictional).")]
    assert audits.set_recommendations(db, audit_id, recs).audits == {audit_id}
    assert audits.set_recommendations(db, audit_id, recs) == NOTHING
    concern = audits.record_concern(db, audit_id, "2025-03-04", "Duty team", "Reviewer")
    assert concern.changes.audits == {audit_id}

    audits.answer(db, audit_id, "p2", "no")
    audits.answer(db, audit_id, "q1", "5")
    assert audits.finalise(db, audit_id).status == {audit_id}
    assert audits.amend(db, audit_id, "A fictional correction").status == {audit_id}
    other = audits.new_audit(db, case.id, mini)
    gone = audits.delete_draft(db, other)
    assert gone.removed == {other} and gone.list_rows
    assert audits.set_local_reviewer(db, "Ann Reader (fictional)").changes.reviewer


def test_moderation_writes_return_what_they_changed(db, mini):
    ann = audits.set_local_reviewer(db, "Ann Reader (fictional)")
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    assert bea.changes.reviewer
    case = audits.add_case(db, "FICTIONAL-CASE-0102", AREA)
    first = audits.new_audit(db, case.id, mini, reviewer_id=ann.id)
    second = moderation.start_second_reading(db, first, bea.id)
    assert second.changes.added == {second}
    for reading in (first, second):
        for item, rating in (("p1", "4"), ("p2", "no"), ("q1", "5")):
            audits.answer(db, reading, item, rating)
        audits.finalise(db, reading)
    mod = moderation.start_moderation(db, [first, second])
    assert mod.changes.added == {mod} and mod.changes.audits == {first, second}
    assert audits.finalise(db, mod).status == {mod}
