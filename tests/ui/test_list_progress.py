"""The audit list and the open audit show the same progress when a condition hides an item
(issue 17 item 16: the list read "45 of 48" where the editor read "45 of 47")."""

from __future__ import annotations

from audit_tool import audits

PROGRESS = 7  # the list's progress column


def test_list_row_reads_as_the_editor_with_a_hidden_item(qtbot, window, editor, session, audit_id):
    for item, rating in (("p1", "4"), ("p2", "no"), ("q1", "5")):  # p2 "no" hides p3
        audits.answer(session.db, audit_id, item, rating)
    window.controller.open_audit(audit_id)
    assert window.editor.progress.text().startswith("3 of 4")
    window.loader.refresh(audit_id)
    model = window.list_model
    shown = model.index(model.row_of(audit_id), PROGRESS).data()
    assert shown == "3 of 4"
