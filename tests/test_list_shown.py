"""The list's progress column reads the items shown kept on each audit (issue 22,
store/step_list_shown.py) and always agrees with completion.py's one definition, also after
a rating changed outside the core's writer. Real SQLCipher file, fictional data."""

from __future__ import annotations

from audit_tool import audits, records
from audit_tool.completion import progress_of
from audit_tool.filters import AuditFilter
from audit_tool.selection import list_audits


def _stored(db, audit_id: str):
    return db.query_one("SELECT shown FROM audits WHERE id = ?", (audit_id,))[0]


def _progress(db, audit_id: str) -> tuple[int, int]:
    audit = records.get_audit(db, audit_id)
    return progress_of(audit.checklist.definition, audit.ratings)


def _listed(db, audit_id: str) -> tuple[int, int]:
    row = next(r for r in list_audits(db, AuditFilter()) if r.id == audit_id)
    return row.answered, row.total


def test_shown_follows_the_answers_that_show_and_hide_items(db, mini):
    case = audits.add_case(db, "FICT-LS-1", "Testshire (fictional)")
    audit_id = audits.new_audit(db, case.id, mini)
    # mini: p3 shows only when p2 is yes or partly; five items in all
    assert _listed(db, audit_id) == _progress(db, audit_id) == (0, 4)
    audits.answer(db, audit_id, "p1", "5")
    assert _stored(db, audit_id) == 4  # kept by the writer, with the answer
    audits.answer(db, audit_id, "p2", "yes")
    assert _stored(db, audit_id) == 5
    assert _listed(db, audit_id) == _progress(db, audit_id) == (2, 5)
    audits.answer(db, audit_id, "p3", "4")
    audits.answer(db, audit_id, "p2", "no")  # p3 hidden again: counted in neither
    assert _stored(db, audit_id) == 4
    assert _listed(db, audit_id) == _progress(db, audit_id) == (2, 4)
    audits.answer(db, audit_id, "p1", note="Chronology is clear (fictional).")  # a note only
    assert _stored(db, audit_id) == 4


def test_a_rating_changed_outside_the_writer_is_never_shown_stale(db, mini):
    case = audits.add_case(db, "FICT-LS-2", "Testshire (fictional)")
    audit_id = audits.new_audit(db, case.id, mini)
    audits.answer(db, audit_id, "p2", "no")
    assert _stored(db, audit_id) == 4
    with db.atomic() as c:  # as an import or a repair would: straight to the table
        c.execute("UPDATE answers SET rating = 'yes' WHERE audit_id = ? AND item_id = 'p2'",
                  (audit_id,))
    assert _stored(db, audit_id) is None  # a trigger forgot the count
    assert _listed(db, audit_id)[1] == 5  # the list works it out from the answers
    with db.atomic() as c:
        c.execute("DELETE FROM answers WHERE audit_id = ?", (audit_id,))
    assert _stored(db, audit_id) is None and _listed(db, audit_id)[1] == 4
