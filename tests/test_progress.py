"""One definition of progress (issue 17 item 16): the audit list counts what the editor
counts. An item hidden by a condition is not one of the questions left to answer, so a
list row must not read "3 of 5" where the open audit reads "3 of 4"."""

from __future__ import annotations

from audit_tool import audits
from audit_tool.filters import AuditFilter
from audit_tool.selection import list_audits

AREA = "Glenmorven (fictional)"


def _row(db, audit_id):
    (row,) = list_audits(db, AuditFilter(audit_id=audit_id))
    return row.answered, row.total


def test_the_list_row_counts_what_the_editor_counts(db, mini):
    case = audits.add_case(db, "FICTIONAL-CASE-0201", AREA)
    audit_id = audits.new_audit(db, case.id, mini)
    # nothing answered: p3 waits for p2, so 4 questions are there to answer
    assert audits.progress(audits.get_audit(db, audit_id)) == (0, 4)
    assert _row(db, audit_id) == (0, 4)
    audits.answer(db, audit_id, "p2", "yes")  # p3 shows
    assert _row(db, audit_id) == audits.progress(audits.get_audit(db, audit_id)) == (1, 5)
    audits.answer(db, audit_id, "p3", "6")
    audits.answer(db, audit_id, "p1", "4")
    audits.answer(db, audit_id, "q1", "5")
    audits.answer(db, audit_id, "p2", "no")  # p3 hides again; its rating is kept, not counted
    assert audits.progress(audits.get_audit(db, audit_id)) == (3, 4)
    assert _row(db, audit_id) == (3, 4)


def test_every_row_of_a_long_list_counts_its_own_hidden_items(db, mini):
    case = audits.add_case(db, "FICTIONAL-CASE-0202", AREA)
    ids = [audits.new_audit(db, case.id, mini) for _ in range(4)]
    for audit_id, p2 in zip(ids, ("yes", "no", "partly", None), strict=True):
        audits.answer(db, audit_id, "p1", "4")
        if p2:
            audits.answer(db, audit_id, "p2", p2)
    rows = {r.id: (r.answered, r.total) for r in list_audits(db)}
    for audit_id in ids:
        assert rows[audit_id] == audits.progress(audits.get_audit(db, audit_id))
    assert [rows[i] for i in ids] == [(2, 5), (2, 4), (2, 5), (1, 4)]
