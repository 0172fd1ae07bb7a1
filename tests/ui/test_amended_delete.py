"""The GUI's Delete on an audit that was finalised and then reopened for amendment: the
core's one-line reason is shown at once, nothing is asked, nothing is deleted."""

from __future__ import annotations

from PySide6.QtCore import Qt

from audit_tool import audits
from audit_tool.selection import list_audits


def test_delete_key_on_an_amended_draft_says_why_and_keeps_it(
    qtbot, window, session, audit_id, monkeypatch
):
    import ui.controller as controller

    for item, rating in (("p1", "4"), ("p2", "no"), ("q1", "4")):
        audits.answer(session.db, audit_id, item, rating=rating)
    audits.finalise(session.db, audit_id)
    audits.amend(session.db, audit_id, "Fictional: a late entry was found")
    asked, errors = [], []
    monkeypatch.setattr(controller, "confirm", lambda *a, **k: asked.append(a) or True)
    monkeypatch.setattr(
        controller, "show_error", lambda _w, exc, heading="": errors.append((heading, str(exc)))
    )
    window.loader.load()
    window.activateWindow()
    qtbot.waitActive(window)
    table = window.list_page.table
    table.setFocus()
    window.list_page.select_audit(audit_id)
    qtbot.keyClick(table, Qt.Key.Key_Delete)

    assert errors == [
        (
            "Not deleted",
            "This audit was finalised before and then reopened for amendment; it cannot be "
            "deleted. Its history is kept.",
        )
    ]
    assert asked == []  # no "are you sure?" for something that will not happen
    assert [r.id for r in list_audits(session.db)] == [audit_id]
    assert window.list_model.total() == 1
