"""Starting up: create a database on first run, unlock it later, refuse damaged or newer files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from audit_tool import audits
from audit_tool.store import Database
from ui.dialogs.create_dialog import CreateDialog
from ui.dialogs.unlock_dialog import UnlockDialog
from ui.session import Session

PASSPHRASE = "correct horse battery staple"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_create_needs_matching_long_passphrase(qtbot, tmp_path):
    session = Session(tmp_path / "new.db")
    dialog = CreateDialog(session)
    qtbot.addWidget(dialog)
    fields = dialog.passphrase
    assert not dialog.create_button.isEnabled()
    qtbot.keyClicks(fields.first.edit, "too short")
    assert "Too short" in fields.strength_text.text()
    assert "at least 15" in fields.strength_text.text()
    fields.first.edit.setText(PASSPHRASE)
    qtbot.keyClicks(fields.second.edit, "correct horse")
    assert "do not match" in fields.match_text.text()
    assert not dialog.create_button.isEnabled()
    qtbot.keyClicks(fields.second.edit, " battery staple")
    assert "match" in fields.match_text.text() and dialog.create_button.isEnabled()
    assert "cannot be recovered" in " ".join(
        w.text() for w in dialog.findChildren(type(fields.strength_text))
    )
    dialog.name_edit.setText("A. Reviewer")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == CreateDialog.DialogCode.Accepted
    assert session.is_open
    assert fields.first.text() == "" and fields.second.text() == ""  # not kept after opening
    assert audits.local_reviewer(session.db).name == "A. Reviewer"
    session.lock()
    Database.open(tmp_path / "new.db", PASSPHRASE).close()


def test_unlock_wrong_then_right(qtbot, tmp_path):
    path = tmp_path / "a.db"
    Database.create(path, PASSPHRASE).close()
    session = Session(path)
    dialog = UnlockDialog(session)
    qtbot.addWidget(dialog)
    form = dialog.form
    form.field.edit.setText("not the passphrase at all")
    qtbot.keyClick(form.field.edit, Qt.Key.Key_Return)
    assert not session.is_open
    assert "Wrong passphrase" in form.message.text()
    assert dialog.unlock_button.isEnabled()  # you can try again
    form.field.edit.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert session.is_open
    assert dialog.result() == UnlockDialog.DialogCode.Accepted
    assert form.field.text() == ""
    session.lock()


def test_damaged_file_is_reported_and_left_untouched(qtbot, tmp_path):
    path = tmp_path / "a.db"
    Database.create(path, PASSPHRASE).close()
    data = path.read_bytes()
    path.write_bytes(data[:-100])  # truncated, e.g. a failed copy
    before = _digest(path)
    dialog = UnlockDialog(Session(path))
    qtbot.addWidget(dialog)
    dialog.form.field.edit.setText(PASSPHRASE)
    dialog.form.try_unlock()
    assert "damaged" in dialog.form.message.text()
    assert "Nothing was changed" in dialog.form.message.text()
    assert not dialog.unlock_button.isEnabled()
    assert _digest(path) == before


def test_newer_version_file_is_refused_untouched(qtbot, tmp_path):
    path = tmp_path / "a.db"
    db = Database.create(path, PASSPHRASE)
    db.conn.execute("PRAGMA user_version = 99")  # as a future version of the tool would
    db.close()
    before = _digest(path)
    dialog = UnlockDialog(Session(path))
    qtbot.addWidget(dialog)
    dialog.form.field.edit.setText(PASSPHRASE)
    dialog.form.try_unlock()
    assert "newer version" in dialog.form.message.text()
    assert _digest(path) == before


def test_smoke_test_command_exits_zero(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "c"),
        "XDG_DATA_HOME": str(tmp_path / "d"),
        "PYTHONPATH": str(root),
    }
    proc = subprocess.run(
        [sys.executable, str(root / "main.py"), "--smoke-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "c").exists()  # nothing left in the user's config folder
