"""Issue 17, the GUI side of items 4 and 10: a reference typed another way offers the case
already here instead of a second record, and a database opened read-only says so in the
window while it is open."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from uihelp import shots_dir, show_dialog

from audit_tool import cases
from audit_tool.store import Database
from tests.conftest import PASSPHRASE
from ui.dialogs.case_dialogs import NewCaseDialog

SHOTS = shots_dir("gui")
SHOTS.mkdir(parents=True, exist_ok=True)
AREA = "Northshire (fictional)"


def test_the_same_reference_typed_another_way_offers_the_existing_case(qtbot, window, session):
    first = cases.add_case(session.db, "SW/2026/0417", AREA)
    dialog = show_dialog(qtbot, NewCaseDialog(session, window))
    qtbot.keyClicks(dialog.reference, "sw 2026 0417")
    qtbot.keyClicks(dialog.area.lineEdit(), AREA)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton, pos=dialog.ok.rect().center())
    assert dialog.isVisible() and dialog.error.isVisible()
    assert first.id in dialog.error.text()  # names the case already here
    assert dialog.ok.text() == "Use the existing case"
    qtbot.wait(50)  # the button box lays out again on the next turn of the event loop
    dialog.grab().save(str(SHOTS / "new_case_existing_offered.png"))
    cancel = dialog.cancel_button.geometry()
    assert not dialog.ok.geometry().intersects(cancel)  # the longer text pushes, never covers
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton, pos=dialog.ok.rect().center())
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.case == first
    assert [c.id for c in cases.list_cases(session.db)] == [first.id]  # one case, one record


def test_changing_the_reference_takes_the_offer_back(qtbot, window, session):
    cases.add_case(session.db, "SW/2026/0417", AREA)
    dialog = show_dialog(qtbot, NewCaseDialog(session, window))
    qtbot.keyClicks(dialog.reference, "SW-2026-0417")
    qtbot.keyClicks(dialog.area.lineEdit(), AREA)
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert dialog.ok.text() == "Use the existing case"
    qtbot.keyClicks(dialog.reference, "9")  # now another case file altogether
    assert dialog.ok.text() == "Add case" and not dialog.error.isVisible()
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(cases.list_cases(session.db)) == 2


def _mount(*args: str) -> None:
    r = subprocess.run(["mount", *args], capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"cannot mount here ({r.stderr.strip() or r.returncode}): needs root and mount")


@pytest.fixture
def read_only_db(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "audits.db"
    with Database.create(path, PASSPHRASE) as db:
        cases.add_case(db, "FICT-RO-0001", AREA)
    view = tmp_path / "media"
    view.mkdir()
    _mount("--bind", str(folder), str(view))
    try:
        _mount("-o", "remount,ro,bind", str(view))
        yield view / path.name
    finally:
        subprocess.run(["umount", "-l", str(view)], capture_output=True)


def test_a_read_only_database_says_so_in_the_window(qtbot, read_only_db, settings):
    from ui.main_window import MainWindow
    from ui.session import Session

    session = Session(read_only_db)
    session.unlock(PASSPHRASE)
    w = MainWindow(session, settings)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    qtbot.waitExposed(w)
    session.unlocked.emit()  # as after the unlock dialog
    label = w.read_only_label
    assert label.isVisible() and label.text().startswith("Opened read-only")
    w.grab().save(str(SHOTS / "read_only_notice_1440x900.png"))
    session.lock()
    assert not label.isVisible()
    assert not list(read_only_db.parent.glob("*-wal"))  # nothing created beside it
    w.close()
