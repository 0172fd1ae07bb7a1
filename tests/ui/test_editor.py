"""The audit editor: keyboard-only answering, conditional questions, autosave, undo/redo,
history, finalising with missing required questions, matters of concern."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from audit_tool import audits
from audit_tool.store import Database
from ui import controller as controller_module
from ui.editor.concern_dialog import ConcernDialog
from ui.editor.history_dialog import HistoryDialog

PASSPHRASE = "correct horse battery staple"




def stored(session, audit_id):
    return audits.get_audit(session.db, audit_id)


def focus():
    return QApplication.focusWidget()


def test_answer_by_keyboard_only(qtbot, editor, session, audit_id):
    p1 = editor.items["p1"].rating
    assert focus() is p1  # opening an audit puts the keyboard on the first question
    qtbot.keyClick(focus(), Qt.Key.Key_3)  # best first: 1 Excellent, 2 Very good, 3 Good
    assert stored(session, audit_id).answers["p1"].rating == "4"
    qtbot.keyClick(focus(), Qt.Key.Key_Right)  # one level along the scale: 3 Adequate
    assert stored(session, audit_id).answers["p1"].rating == "3"
    assert editor.save_state.text().startswith("✓")

    qtbot.keyClick(focus(), Qt.Key.Key_Down)  # p3 is hidden until p2 says yes or partly
    assert focus() is editor.items["p2"].rating
    assert editor.items["p3"].isHidden()
    qtbot.keyClick(focus(), Qt.Key.Key_1)  # Yes
    assert not editor.items["p3"].isHidden()
    qtbot.keyClick(focus(), Qt.Key.Key_Down)
    assert focus() is editor.items["p3"].rating
    qtbot.keyClick(focus(), Qt.Key.Key_1)  # Excellent, the best answer
    assert stored(session, audit_id).answers["p3"].rating == "6"
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)  # on to the evidence note
    assert focus() is editor.items["p3"].note
    qtbot.keyClicks(focus(), "Contact with the father attempted twice")
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)  # leaving the note saves it at once
    assert stored(session, audit_id).answers["p3"].note == "Contact with the father attempted twice"

    qtbot.keyClick(editor.items["p3"].rating, Qt.Key.Key_Down)  # across into the next theme
    assert editor.current_theme() == 1
    assert focus() is editor.items["q1"].rating
    qtbot.keyClick(focus(), Qt.Key.Key_2)  # Very good
    assert stored(session, audit_id).answers["q1"].rating == "5"
    qtbot.keyClick(focus(), Qt.Key.Key_Up)
    assert focus() is editor.items["p3"].rating

    # Answering p2 "no" hides p3 again; its answer stays but no longer counts.
    editor.items["p2"].rating.setFocus()
    qtbot.keyClick(focus(), Qt.Key.Key_3)
    assert editor.items["p3"].isHidden()
    audit = stored(session, audit_id)
    assert audits.progress(audit) == (3, 4)
    assert editor.progress.text().startswith("3 of 4")
    qtbot.keyClick(editor.items["p2"].rating, Qt.Key.Key_Delete)
    assert stored(session, audit_id).answers["p2"].rating is None


def test_note_saves_after_a_pause(qtbot, editor, session, audit_id):
    note = editor.items["p1"].note
    qtbot.keyClicks(note, "Pattern over months")
    assert editor.save_state.text() == "Saving…"
    qtbot.waitUntil(lambda: stored(session, audit_id).answers.get("p1") is not None, timeout=3000)
    assert stored(session, audit_id).answers["p1"].note == "Pattern over months"
    assert editor.save_state.text().startswith("✓ All changes saved")


def test_closing_the_window_mid_edit_loses_nothing(
    qtbot, window, editor, session, audit_id, db_path
):
    qtbot.keyClicks(editor.items["p1"].note, "Typed just before closing")
    editor.summary.edits["strengths"].setPlainText("Clear chronology")
    window.close()  # no pause: the debounce has not fired yet
    assert not session.is_open
    db = Database.open(db_path, PASSPHRASE)
    try:
        audit = audits.get_audit(db, audit_id)
        assert audit.answers["p1"].note == "Typed just before closing"
        assert audit.strengths == "Clear chronology"
    finally:
        db.close()


def test_undo_redo_with_typing_merged(qtbot, window, editor, session, audit_id):
    bar = editor.items["p1"].rating
    qtbot.keyClick(bar, Qt.Key.Key_3)  # Good (4)
    qtbot.keyClick(bar, Qt.Key.Key_2)  # Very good (5)
    note = editor.items["p1"].note
    qtbot.keyClicks(note, "First burst")
    editor.items["p1"].flush()  # as the 400 ms pause would
    qtbot.keyClicks(note, ", second burst")
    editor.items["p1"].flush()
    assert stored(session, audit_id).answers["p1"].note == "First burst, second burst"
    assert editor.undo_stack.count() == 3  # two ratings and one merged typing step
    assert window.actions.undo.text() == "&Undo evidence note"

    window.actions.undo.trigger()
    assert stored(session, audit_id).answers["p1"].note == ""
    assert note.toPlainText() == ""
    window.actions.undo.trigger()
    assert stored(session, audit_id).answers["p1"].rating == "4"
    assert bar.value() == "4"
    window.actions.redo.trigger()
    window.actions.redo.trigger()
    answer = stored(session, audit_id).answers["p1"]
    assert (answer.rating, answer.note) == ("5", "First burst, second burst")
    assert note.toPlainText() == "First burst, second burst"
    # Undo while typing: the unsaved typing becomes a step and is taken back first.
    qtbot.keyClicks(note, "!")
    window.actions.undo.trigger()
    assert stored(session, audit_id).answers["p1"].note == "First burst, second burst"


def test_history_of_a_question(qtbot, editor, session, audit_id):
    qtbot.keyClick(editor.items["p1"].rating, Qt.Key.Key_3)  # Good
    qtbot.keyClick(editor.items["p1"].rating, Qt.Key.Key_5)  # Weak
    dialog = HistoryDialog(session.db, editor.audit, "p1")
    qtbot.addWidget(dialog)
    rows = [
        [dialog.table.item(r, c).text() for c in range(5)] for r in range(dialog.table.rowCount())
    ]
    assert [r[2:] for r in rows] == [["Rating", "not rated", "Good"], ["Rating", "Good", "Weak"]]
    assert rows[0][1] == "Test Reviewer"


def test_finalise_lists_missing_questions_as_links(
    qtbot, window, editor, session, audit_id, monkeypatch
):
    monkeypatch.setattr(controller_module, "confirm", lambda *a, **k: True)
    qtbot.keyClick(editor.items["p1"].rating, Qt.Key.Key_3)  # Good (4)
    window.actions.finalise.trigger()
    panel = editor.missing
    assert panel.isVisible()
    assert panel.title.text().startswith("2 required questions")
    text = panel.links.text()
    assert 'href="p2"' in text and 'href="q1"' in text and "2.1 Planning" in text
    assert stored(session, audit_id).status.value == "draft"

    panel.links.linkActivated.emit("q1")  # as a click or Enter on the link does
    assert editor.current_theme() == 1 and focus() is editor.items["q1"].rating
    qtbot.keyClick(focus(), Qt.Key.Key_4)
    assert 'href="q1"' not in panel.links.text()  # the list keeps up as questions are answered
    panel.links.linkActivated.emit("p2")
    qtbot.keyClick(focus(), Qt.Key.Key_3)
    assert "You can finalise" in panel.title.text()
    qtbot.mouseClick(panel.finalise_button, Qt.MouseButton.LeftButton)
    audit = stored(session, audit_id)
    assert audit.status.value == "finalised"
    assert editor.read_only_banner.isVisible()
    qtbot.keyClick(editor.items["p1"].rating, Qt.Key.Key_1)  # read-only: nothing changes
    assert stored(session, audit_id).answers["p1"].rating == "4"
    assert window.actions.amend.isEnabled() and not window.actions.finalise.isEnabled()


def test_amend_with_reason(qtbot, window, editor, session, audit_id, monkeypatch):
    from ui.dialogs.case_dialogs import ReasonDialog

    for item, key in (("p1", Qt.Key.Key_4), ("p2", Qt.Key.Key_3), ("q1", Qt.Key.Key_4)):
        editor.show_item(item)
        qtbot.keyClick(editor.items[item].rating, key)
    audits.finalise(session.db, audit_id)
    editor.reload()

    def give_reason(dialog):
        dialog.reason.setPlainText("Second reader disagreed on planning")
        return ReasonDialog.DialogCode.Accepted

    monkeypatch.setattr(ReasonDialog, "exec", give_reason)
    window.actions.amend.trigger()
    assert stored(session, audit_id).status.value == "draft"
    assert not editor.read_only_banner.isVisible()
    assert audits.history(session.db, audit_id)[-1].new == "Second reader disagreed on planning"


def test_matter_of_concern_records_only_that_it_was_raised(qtbot, editor, session, audit_id):
    dialog = ConcernDialog(session, audit_id)
    qtbot.addWidget(dialog)
    assert dialog.raised_by.text() == "Test Reviewer"
    labels = " ".join(w.text() for w in dialog.findChildren(type(dialog.error)))
    assert "Do not write the details" in labels
    qtbot.keyClicks(dialog.raised_to, "Duty team manager")
    dialog.ok.click()
    concerns = stored(session, audit_id).concerns
    assert len(concerns) == 1 and concerns[0].raised_to == "Duty team manager"


def test_summary_and_recommendations_autosave(qtbot, editor, session, audit_id):
    editor.show_summary()
    qtbot.keyClicks(editor.summary.edits["summary"], "Clear pattern-based chronology")
    editor.summary.add_rec.click()
    editor.summary.recs.item(0, 0).setText("Use the chronology template")
    editor.summary.recs.item(0, 1).setText("Team leader")
    editor.flush()
    audit = stored(session, audit_id)
    assert audit.summary == "Clear pattern-based chronology"
    assert [(r.text, r.owner) for r in audit.recommendations] == [
        ("Use the chronology template", "Team leader")
    ]
    editor.undo()
    assert stored(session, audit_id).recommendations == ()
