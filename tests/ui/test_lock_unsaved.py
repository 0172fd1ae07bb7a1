"""Issue 8, item 4: locking after a save failed says what was not saved (never "everything
was saved"), and the typed text comes back in the editor after unlocking."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from uihelp import shots_dir

from audit_tool import audits
from audit_tool.store import Database
from audit_tool.validation import MAX_TEXT

PASSPHRASE = "correct horse battery staple"

SHOTS = shots_dir("gui")
SAVED_CLAIM = "Everything you entered was saved"


def _lock_text(window) -> str:
    """What the lock screen says, as a person reads it."""
    page = window.lock_page
    return "\n".join(w.text() for w in page.findChildren(QLabel) if w.isVisibleTo(page))


def _unlock(window) -> None:
    form = window.lock_page.form
    form.field.edit.setText(PASSPHRASE)
    form.try_unlock()


def _stored_note(session, audit_id, item_id) -> str:
    answer = audits.get_audit(session.db, audit_id).answers.get(item_id)
    return answer.note if answer else ""


def test_lock_after_a_note_too_long_to_save_says_so_and_keeps_it(qtbot, window, session, audit_id):
    window.activateWindow()
    qtbot.waitActive(window)
    window.controller.open_audit(audit_id)
    note = window.editor.items["p1"].note
    note.setFocus()
    pasted = "Fictional chronology line. " * (MAX_TEXT // 27 + 10)
    assert len(pasted) > MAX_TEXT
    QApplication.clipboard().setText(pasted)
    qtbot.keyClick(note, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # paste
    qtbot.keyClick(note, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # lock at once

    assert not session.is_open
    text = _lock_text(window)
    qtbot.wait(50)  # let the layout settle before the picture
    window.grab().save(str(SHOTS / "lock_after_failed_save.png"))
    assert SAVED_CLAIM not in text
    assert "evidence note for question 1.1 could not be saved" in text
    assert "too long" in text
    assert "Fictional chronology" not in text  # the lock screen shows no case text

    _unlock(window)
    assert session.is_open
    assert window.stack.currentWidget() is window.editor
    assert window.editor.items["p1"].note.toPlainText() == pasted  # offered back
    assert _stored_note(session, audit_id, "p1") == ""
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "unlocked_text_kept.png"))
    # Made short enough, it saves as usual.
    window.editor.items["p1"].note.setPlainText("Fictional chronology, shortened.")
    window.editor.flush(quiet=True)
    assert _stored_note(session, audit_id, "p1") == "Fictional chronology, shortened."


def test_lock_while_the_database_is_busy_keeps_the_text_and_saves_it_after_unlocking(
    qtbot, window, session, audit_id, db_path
):
    window.controller.open_audit(audit_id)
    window.editor.show_item("q1")
    note = window.editor.items["q1"].note
    qtbot.keyClicks(note, "Plan reviewed with the family (fictional)")
    other = Database.open(db_path, PASSPHRASE)  # another program holds the write lock
    try:
        other.conn.execute("BEGIN EXCLUSIVE")
        window.session.lock()  # as on request or after the idle time
        assert not session.is_open
        text = _lock_text(window)
        assert SAVED_CLAIM not in text
        assert "evidence note for question 2.1 could not be saved" in text
        assert "in use by another program" in text
        assert "Plan reviewed" not in text
        other.conn.execute("ROLLBACK")
    finally:
        other.close()

    _unlock(window)
    assert (
        window.editor.items["q1"].note.toPlainText() == "Plan reviewed with the family (fictional)"
    )
    qtbot.waitUntil(
        lambda: (
            _stored_note(session, audit_id, "q1") == "Plan reviewed with the family (fictional)"
        ),
        timeout=3000,
    )
    assert window.editor.save_state.text().startswith("✓")


def test_lock_with_everything_saved_says_so(qtbot, window, session, audit_id):
    window.controller.open_audit(audit_id)
    qtbot.keyClicks(window.editor.items["p1"].note, "Short fictional note")
    window.session.lock()
    assert SAVED_CLAIM in _lock_text(window)
    _unlock(window)
    assert _stored_note(session, audit_id, "p1") == "Short fictional note"
    window.session.lock()  # a second lock does not repeat an old failure
    assert SAVED_CLAIM in _lock_text(window)


def test_a_summary_too_long_to_save_is_named_and_put_back(qtbot, window, session, audit_id):
    window.controller.open_audit(audit_id)
    window.editor.show_summary()
    edit = window.editor.summary.edits["strengths"]
    long_text = "Fictional strength noted. " * (MAX_TEXT // 26 + 10)
    edit.setFocus()
    edit.insertPlainText(long_text)  # as a paste does
    window.session.lock()
    text = _lock_text(window)
    assert SAVED_CLAIM not in text and "could not be saved" in text and "too long" in text
    assert "Fictional strength" not in text
    _unlock(window)
    assert window.editor.summary.edits["strengths"].toPlainText() == long_text
    assert window.editor.pages.currentWidget() is window.editor._summary_scroll
    assert audits.get_audit(session.db, audit_id).strengths == ""
    window.editor.summary.edits["strengths"].setPlainText("Fictional strength.")
    window.editor.flush(quiet=True)
    assert audits.get_audit(session.db, audit_id).strengths == "Fictional strength."
