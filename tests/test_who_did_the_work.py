"""Who did the work (issue 17 item 3): the reviewer's name, role and agency as they were when
an audit was finalised stay with it; renaming the laptop's reviewer later relabels drafts
only. Synthetic, clearly fictional data."""

from __future__ import annotations

from audit_tool import audits
from audit_tool.reviewers import set_local_reviewer
from audit_tool.selection import list_audits

AREA = "Glenmorven (fictional)"


def _finalised(db, mini, ref):
    case = audits.add_case(db, ref, AREA)
    audit_id = audits.new_audit(db, case.id, mini)
    for item, rating in (("p1", "5"), ("p2", "no"), ("q1", "4")):
        audits.answer(db, audit_id, item, rating)
    audits.finalise(db, audit_id)
    return audit_id


def test_a_finalised_audit_keeps_who_did_it(db, mini):
    set_local_reviewer(db, "Alex Rowan (fictional)", "Senior practitioner", "Glenmorven CF")
    done = _finalised(db, mini, "FICT-WHO-001")
    draft = audits.new_audit(db, audits.add_case(db, "FICT-WHO-002", AREA).id, mini)
    set_local_reviewer(db, "Sam Birch (fictional)", "Team manager", "Kilbrannan JSW")

    kept = audits.get_audit(db, done).reviewer
    assert (kept.name, kept.role, kept.agency) == (
        "Alex Rowan (fictional)", "Senior practitioner", "Glenmorven CF"
    )
    assert audits.get_audit(db, draft).reviewer.name == "Sam Birch (fictional)"
    rows = {r.id: r.reviewer for r in list_audits(db)}
    assert rows[done] == "Alex Rowan (fictional)" and rows[draft] == "Sam Birch (fictional)"
    # amended and finalised again: the one who finalised it this time
    audits.amend(db, done, "fictional correction")
    audits.finalise(db, done)
    assert audits.get_audit(db, done).reviewer.name == "Sam Birch (fictional)"


def _report_text(db, audit_id, identifiable):
    from audit_tool.reports.build import audit_report

    report = audit_report(db, audit_id, include_identifiers=identifiable)
    parts = [str(getattr(b, "text", "")) for b in report.blocks]
    parts += [str(v) for v in vars(report).values() if isinstance(v, str)]
    return " ".join(parts)


def test_the_one_audit_report_says_who_prepared_it(db, mini):
    set_local_reviewer(db, "Alex Rowan (fictional)", "Senior practitioner")
    done = _finalised(db, mini, "FICT-WHO-003")
    set_local_reviewer(db, "Sam Birch (fictional)", "Team manager")
    text = _report_text(db, done, identifiable=False)
    assert "Senior practitioner" in text and "Team manager" not in text
    text = _report_text(db, done, identifiable=True)
    assert "Alex Rowan (fictional)" in text and "Sam Birch" not in text
