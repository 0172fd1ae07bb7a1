"""Change passphrase dialog: one passphrase rule (the core's, with its words), and the
background reader switched to the new passphrase only once the core's change succeeded."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from uihelp import shots_dir

from audit_tool.errors import WeakPassphrase, WrongPassphrase
from audit_tool.passphrase import check
from audit_tool.store import Database
from audit_tool.store.connection import IN_USE

PASSPHRASE = "correct horse battery staple"  # as in conftest.py
NEW = "kettle orchard violet brick"

SHOTS = shots_dir("pass")


def _dialog(qtbot, window, session):
    from ui.dialogs.passphrase_dialog import ChangePassphraseDialog

    dialog = ChangePassphraseDialog(session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def _paste(qtbot, edit, text: str) -> None:
    """As from a password manager: click into the field, Ctrl+V."""
    QGuiApplication.clipboard().setText(text)
    _click(qtbot, edit)
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    QGuiApplication.clipboard().clear()


def _fill(qtbot, dialog, current: str, new: str) -> None:
    _click(qtbot, dialog.current.edit)
    qtbot.keyClicks(dialog.current.edit, current)
    for field in (dialog.new.first, dialog.new.second):
        _click(qtbot, field.edit)
        qtbot.keyClicks(field.edit, new)


def _shot(widget, name: str) -> None:
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        widget.grab().save(str(SHOTS / name))


def _reader_count(qtbot, session) -> int:
    """Ask the background reader (its own connection, its own passphrase) for a count."""
    results: list = []
    session.read(
        lambda db: db.query_one("SELECT count(*) FROM audits")[0], results.append, results.append
    )
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    return results[0]


def test_a_passphrase_the_core_refuses_is_refused_with_the_cores_words(
    qtbot, window, session, db_path
):
    pasted = "fictional kettle\x00 harbour tartan"  # long enough, but holds a NUL
    with pytest.raises(WeakPassphrase) as refused:
        check(pasted)
    dialog = _dialog(qtbot, window, session)
    _click(qtbot, dialog.current.edit)
    qtbot.keyClicks(dialog.current.edit, PASSPHRASE)
    _paste(qtbot, dialog.new.first.edit, pasted)
    _paste(qtbot, dialog.new.second.edit, pasted)
    assert dialog.new.first.text() == pasted  # the field took it as it was
    assert not dialog.ok.isEnabled()
    assert dialog.new.meter.value() == 0
    shown = dialog.new.strength_text.text()
    assert shown == "The passphrase cannot contain a NUL character." == str(refused.value)
    _shot(dialog, "refused-passphrase.png")
    qtbot.keyClick(dialog.new.second.edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert _reader_count(qtbot, session) == 0
    session.lock()
    Database.open(db_path, PASSPHRASE).close()  # unchanged


def test_a_failed_change_leaves_the_reader_on_the_old_passphrase(
    qtbot, window, session, db_path, audit_id
):
    other = Database.open(db_path, PASSPHRASE)  # another window of the tool on this file
    try:
        dialog = _dialog(qtbot, window, session)
        _fill(qtbot, dialog, PASSPHRASE, NEW)
        assert dialog.ok.isEnabled()
        _click(qtbot, dialog.ok)
        assert dialog.error.isVisible() and dialog.error.text() == IN_USE
        assert dialog.isVisible()
        _shot(dialog, "change-refused-file-open.png")
        assert _reader_count(qtbot, session) == 1  # the reader still opens with the old one
        assert other.query_one("SELECT count(*) FROM audits")[0] == 1  # and so does the other
    finally:
        other.close()
    _click(qtbot, dialog.ok)  # the other window closed: now it goes through
    assert dialog.result() == dialog.DialogCode.Accepted
    assert _reader_count(qtbot, session) == 1  # restarted with the new passphrase
    session.lock()
    with pytest.raises(WrongPassphrase):
        Database.open(db_path, PASSPHRASE)
    Database.open(db_path, NEW).close()
