"""Locking: after an idle period and on Ctrl+L. Pending edits are saved, the database is
closed, no case data stays on screen, and unlocking returns to where the reviewer was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from audit_tool import audits
from audit_tool.store import Database
from ui.editor.concern_dialog import ConcernDialog

PASSPHRASE = "correct horse battery staple"


def visible_text(root: QWidget) -> str:
    """Every piece of text a person could read in the window, models included."""
    parts = [root.windowTitle()]
    for w in root.findChildren(QWidget):
        if isinstance(w, QLabel | QAbstractButton | QLineEdit):
            parts.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            parts.append(w.toPlainText())
    model = root.list_model
    for r in range(model.rowCount()):
        parts += [str(model.index(r, c).data()) for c in range(model.columnCount())]
    return "\n".join(parts)


def test_idle_lock_saves_clears_and_restores(qtbot, window, session, audit_id, db_path):
    case = audits.get_audit(session.db, audit_id).case
    window.loader.load()
    window.controller.open_audit(audit_id)
    editor = window.editor
    editor.show_item("q1")
    qtbot.keyClick(editor.items["q1"].rating, Qt.Key.Key_4)
    qtbot.keyClicks(editor.items["q1"].note, "Typed, then the laptop was left")
    text = visible_text(window)
    assert case.pseudonym in text and "Typed, then the laptop was left" in text

    window.idle.set_interval_ms(150)
    qtbot.waitUntil(lambda: not session.is_open, timeout=5000)

    assert window.stack.currentWidget() is window.lock_page
    assert window.windowTitle() == "Case File Audit"
    assert window.list_model.total() == 0 and editor.audit is None and not editor.items
    assert editor.undo_stack.count() == 0
    text = visible_text(window)
    for secret in (case.pseudonym, case.reference, "Typed, then the laptop was left", case.area):
        assert secret not in text
    assert not window.actions.export.isEnabled() and window.actions.quit.isEnabled()

    db = Database.open(db_path, PASSPHRASE)  # the pending note reached the disk before closing
    try:
        assert (
            audits.get_audit(db, audit_id).answers["q1"].note == "Typed, then the laptop was left"
        )
    finally:
        db.close()

    form = window.lock_page.form
    form.field.edit.setText("wrong passphrase, typed in a hurry")
    form.try_unlock()
    assert not session.is_open and "Wrong passphrase" in form.message.text()
    form.field.edit.setText(PASSPHRASE)
    form.try_unlock()
    assert session.is_open and form.field.text() == ""
    assert window.stack.currentWidget() is editor
    assert editor.audit.id == audit_id and editor.current_theme() == 1
    assert editor.items["q1"].note.toPlainText() == "Typed, then the laptop was left"
    assert window.idle.is_running()


def test_input_keeps_the_window_unlocked(qtbot, window, session):
    window.idle.set_interval_ms(300)
    for _ in range(6):
        qtbot.wait(100)
        qtbot.keyClick(window.list_page.search, Qt.Key.Key_A)
    assert session.is_open
    qtbot.waitUntil(lambda: not session.is_open, timeout=3000)


def test_ctrl_l_locks_and_closes_dialogs(qtbot, window, session, audit_id):
    dialog = ConcernDialog(session, audit_id, window)
    dialog.show()  # e.g. left open when the reviewer stepped away
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not session.is_open
    assert not dialog.isVisible()
    assert QApplication.focusWidget() in (None, window.lock_page.form.field.edit)


def test_change_passphrase_then_unlock_with_the_new_one(qtbot, window, session, db_path):
    from ui.dialogs.passphrase_dialog import ChangePassphraseDialog

    new = "kettle orchard violet brick"
    dialog = ChangePassphraseDialog(session, window)
    qtbot.addWidget(dialog)
    dialog.current.edit.setText("not my passphrase at all")
    dialog.new.first.edit.setText(new)
    dialog.new.second.edit.setText(new)
    dialog.ok.click()
    assert "current passphrase is not right" in dialog.error.text()
    dialog.current.edit.setText(PASSPHRASE)
    dialog.ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.current.text() == "" and dialog.new.text() == ""
    window.loader.load()  # the reader thread works with the new key
    qtbot.waitUntil(lambda: not window.loader.loading(), timeout=5000)
    session.lock()
    form = window.lock_page.form
    form.field.edit.setText(PASSPHRASE)
    form.try_unlock()
    assert not session.is_open
    form.field.edit.setText(new)
    form.try_unlock()
    assert session.is_open


def test_window_layout_is_kept_apart_from_settings(qtbot, window, settings):
    from audit_tool import paths

    window.close()
    ini = paths.config_dir() / "window.ini"
    assert ini.exists()
    text = ini.read_text(errors="replace")
    assert "geometry" in text and "splitter" in text
    assert not settings.path.exists() or "geometry" not in settings.path.read_text()
