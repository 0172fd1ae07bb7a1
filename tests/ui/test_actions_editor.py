"""The editor's recommendations as actions (issue 20, item 6): status, body and the item a
recommendation answers, chosen in the table and saved at once, also on a finalised audit
whose recommendations themselves stay read-only. Real database, real widgets."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from audit_tool import audits
from audit_tool.actions import actions_of
from audit_tool.domain import Recommendation
from audit_tool.history import entries
from ui.editor.summary_page import REC_COLUMNS


def shots() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/act/shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _finalised(db, audit_id) -> None:
    audits.set_recommendations(db, audit_id, [
        Recommendation("Use the pattern-based chronology template (fictional)", "Team leader", "2026-03-31"),
        Recommendation("Invite the father to the core group (fictional)", "Social worker", ""),
    ])
    d = audits.get_audit(db, audit_id).checklist.definition
    for _, item in d.items():
        if item.show_when and not d.visible(item, audits.get_audit(db, audit_id).ratings):
            continue
        audits.answer(db, audit_id, item.id, "4" if item.scale == "quality" else "yes")
    audits.finalise(db, audit_id)


def _choose(qtbot, combo, steps: int) -> None:
    """Open the list by clicking the box's centre, move down `steps`, press Enter."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton, pos=combo.rect().center())
    qtbot.waitUntil(combo.view().isVisible, timeout=2000)
    for _ in range(steps):
        qtbot.keyClick(combo.view(), Qt.Key.Key_Down)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not combo.view().isVisible(), timeout=2000)


def test_status_body_and_item_are_tracked_on_a_finalised_audit(qtbot, window, session, audit_id):
    _finalised(session.db, audit_id)
    window.resize(1024, 600)
    window.activateWindow()
    qtbot.waitActive(window)
    window.controller.open_audit(audit_id)
    editor = window.editor
    editor.show_summary()
    page = editor.summary
    assert [page.recs.horizontalHeaderItem(c).text() for c in range(len(REC_COLUMNS))] == list(REC_COLUMNS)
    assert page.recs.editTriggers() == page.recs.EditTrigger.NoEditTriggers  # the words are frozen
    status, body, link = page.action_combos(0)
    assert (status.currentText(), body.currentText(), link.currentText()) == ("Open", "Not given", "No item")
    assert status.isEnabled() and body.isEnabled() and link.isEnabled()

    _choose(qtbot, status, 2)  # Open -> In progress -> Done
    _choose(qtbot, body, 2)  # Not given -> CPC -> VAWP
    _choose(qtbot, link, 2)  # No item -> 1.1 -> 1.2 (p2)
    got = actions_of(session.db, audit_id)[0]
    assert (got.status, got.body, got.link) == ("done", "VAWP", "p2")
    assert entries(session.db, audit_id)[-1].new == "done · VAWP · answers p2"
    assert editor.save_state.text().startswith("✓")

    # Escape closes the list and changes nothing
    qtbot.mouseClick(status, Qt.MouseButton.LeftButton, pos=status.rect().center())
    qtbot.waitUntil(status.view().isVisible, timeout=2000)
    qtbot.keyClick(status.view(), Qt.Key.Key_Down)
    qtbot.keyClick(status.view(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not status.view().isVisible(), timeout=2000)
    assert status.currentText() == "Done" and actions_of(session.db, audit_id)[0].status == "done"

    page.recs.scrollTo(page.recs.model().index(0, 0))
    editor.grab().save(str(shots() / "editor_recommendation_row_1024x600.png"))

    # opened again, the editor shows what is stored
    window.controller.open_audit(audit_id)
    editor.show_summary()
    status, body, link = editor.summary.action_combos(0)
    assert (status.currentText(), body.currentText(), link.currentData()) == ("Done", "VAWP", "p2")
    assert editor.summary.action_combos(1)[0].currentText() == "Open"


def test_a_new_row_is_saved_first_and_keeps_the_status_chosen(qtbot, editor, session, audit_id):
    editor.show_summary()
    page = editor.summary
    qtbot.mouseClick(page.add_rec, Qt.MouseButton.LeftButton, pos=page.add_rec.rect().center())
    page.recs.item(0, 0).setText("Record the father's pattern of behaviour (fictional)")
    status = page.action_combos(0)[0]
    _choose(qtbot, status, 1)  # straight after typing: the row is saved, then tracked
    stored = audits.get_audit(session.db, audit_id).recommendations
    assert [r.text for r in stored] == ["Record the father's pattern of behaviour (fictional)"]
    assert actions_of(session.db, audit_id)[0].status == "in progress"
    assert page.action_combos(0)[0].currentText() == "In progress"
