"""File > Releases…: the release register in a window (issue 18), read-only and keyboard
usable; and the export dialog's required recipient, recorded in the register, with a
near-duplicate release refused in one line that names the earlier one.

Real widgets, a real encrypted database, real dataset files. All data is synthetic and
clearly fictional.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter

from audit_tool import demo
from audit_tool.disclosure.register import record_release, releases
from audit_tool.filters import AuditFilter
from tests.ui.uihelp import on_next_modal, shots_dir
from ui.dialogs.releases_dialog import COLUMNS, ReleasesDialog
from ui.export.export_dialog import ExportDialog

SHOTS = shots_dir("register")


def _finalised(db) -> list[str]:
    return [r[0] for r in db.query(
        "SELECT id FROM audits WHERE status = 'finalised' ORDER BY created_at, id")]


def _fill(db) -> list[str]:
    demo.generate(db, 60, seed=7)
    ids = _finalised(db)
    record_release(db, ids[:30], kind="report", selection="area Glenmorven (demo), to 2026-03-31",
                   recipient="Steering group (fictional)", who="Test Reviewer",
                   at="2026-11-02T10:00:00Z")
    record_release(db, ids, kind="restricted dataset", selection="all audits",
                   recipient="Analyst A under agreement DSA-1 (fictional)", who="Test Reviewer",
                   restricted=True, at="2026-11-03T09:30:00Z")
    return ids


def test_releases_window_lists_the_register_read_only_by_keyboard(qtbot, window, session):
    _fill(session.db)
    seen: dict = {}

    def look(dialog: ReleasesDialog) -> None:
        t = dialog.table
        seen["header"] = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
        seen["rows"] = [[t.item(r, c).text() for c in range(t.columnCount())]
                        for r in range(t.rowCount())]
        seen["focus"] = dialog.focusWidget() is t
        qtbot.keyClick(t, Qt.Key.Key_Down)  # arrows move between releases
        seen["row after Down"] = t.currentRow()
        t.itemAt(QPoint(1, 1))
        seen["editable"] = bool(t.item(0, 3).flags() & Qt.ItemFlag.ItemIsEditable) and (
            t.editTriggers() != t.EditTrigger.NoEditTriggers)
        qtbot.keyClick(t, Qt.Key.Key_Tab)  # Tab leaves the table for Close
        seen["tab to"] = dialog.focusWidget() is dialog.close_button
        if SHOTS.is_dir():
            dialog.move(window.geometry().center() - dialog.rect().center())
            qtbot.wait(50)
            shot = window.grab()  # the window at 1440x900 with the register over it
            painter = QPainter(shot)
            pos = dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
            painter.drawPixmap(pos, dialog.grab())
            painter.end()
            shot.save(str(SHOTS / "releases_window_1440x900.png"))
        qtbot.keyClick(dialog.close_button, Qt.Key.Key_Escape)  # Esc closes

    window.resize(1440, 900)
    window.loader.load()  # the demo audits behind the register, in the list
    qtbot.wait(300)
    on_next_modal(ReleasesDialog, look)
    window.actions.releases.trigger()
    assert seen["header"] == list(COLUMNS)
    assert seen["rows"] == [
        ["2026-11-02 10:00", "report", "30", "Steering group (fictional)", "Test Reviewer",
         "area Glenmorven (demo), to 2026-03-31", ""],
        ["2026-11-03 09:30", "restricted dataset", str(len(_finalised(session.db))),
         "Analyst A under agreement DSA-1 (fictional)", "Test Reviewer", "all audits",
         "Restricted"],
    ]
    assert seen["focus"] and seen["row after Down"] == 1 and seen["tab to"]
    assert not seen["editable"]
    assert window.releases_dialog is None  # closed
    assert "&Releases…" in [a.text() for a in window.menuBar().actions()[0].menu().actions()]


def test_empty_register_says_so(qtbot):
    dialog = ReleasesDialog([])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 0 and dialog.empty.isVisible()


def _export(qtbot, session, tmp_path, recipient: str, flt: AuditFilter, name: str) -> ExportDialog:
    dialog = ExportDialog(session, str(tmp_path), None, flt, "the selection")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.dataset, Qt.MouseButton.LeftButton)
    dialog.csv.setChecked(True)
    dialog.path.setText(str(tmp_path / f"{name}.csv"))
    dialog.recipient.setText(recipient)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)
    return dialog


def test_export_dialog_needs_a_recipient_records_the_release_and_refuses_a_near_duplicate(
    qtbot, session, tmp_path
):
    demo.generate(session.db, 60, seed=7)
    dialog = _export(qtbot, session, tmp_path, "", AuditFilter(), "none")
    assert "Say who this is for (recipient)" in dialog.status.text()
    assert dialog.focusWidget() is dialog.recipient or dialog.recipient.hasFocus()
    assert not list(tmp_path.glob("none*"))
    assert releases(session.db) == []

    dialog = _export(qtbot, session, tmp_path, "Steering group (fictional)", AuditFilter(), "all")
    assert dialog.status.text().startswith("Saved in"), dialog.status.text()
    [rel] = releases(session.db)
    assert (rel.kind, rel.recipient, rel.who, rel.restricted) == (
        "dataset", "Steering group (fictional)", "Test Reviewer", False)
    audits_file = Path(tmp_path / "all_audits.csv").read_text(encoding="utf-8-sig")
    assert rel.audit_count == len(audits_file.strip().splitlines()) - 1

    # the same selection again is fine (the same audits, the same figures); typed text kept
    again = _export(qtbot, session, tmp_path, "Steering group (fictional)", AuditFilter(), "again")
    assert again.status.text().startswith("Saved in") and again.recipient.text() == "Steering group (fictional)"
    assert len(releases(session.db)) == 2


def test_a_near_duplicate_is_refused_in_the_dialog_in_one_line_and_nothing_is_written(
    qtbot, session, tmp_path
):
    demo.generate(session.db, 60, seed=7)
    ids = _finalised(session.db)
    record_release(session.db, ids[:-1], kind="report", selection="to 2026-10-31",
                   recipient="Board (fictional)", who="Test Reviewer", at="2026-11-02T10:00:00Z")
    dialog = _export(qtbot, session, tmp_path, "Steering group (fictional)", AuditFilter(), "near")
    said = dialog.status.text()
    assert said == (
        f"Refused: these {len(ids)} audits differ by 1 from the report released on 2026-11-02 "
        "to Board (fictional) (to 2026-10-31), so the two could be subtracted to identify it: "
        "release the same selection, or wait until 4 more audits are finalised."
    )
    assert not list(tmp_path.glob("near*")) and len(releases(session.db)) == 1
    assert dialog.recipient.text() == "Steering group (fictional)"  # what was typed is kept
    assert dialog.export_button.isEnabled()


def test_release_period_setting_in_the_settings_dialog(qtbot, window, session, settings):
    from audit_tool.settings import Settings
    from ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(session, settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.release_period.currentText() == "Whole months"  # the default
    dialog.release_period.setFocus()
    qtbot.keyClick(dialog.release_period, Qt.Key.Key_Down)  # by keyboard
    assert dialog.release_period.currentText() == "Whole quarters"
    dialog._save()
    assert Settings.load(settings.path).get("release_period") == "quarter"
    # and the export dialog is given it
    export = window.make_export_dialog(None, AuditFilter(), "all audits", False)
    qtbot.addWidget(export)
    assert export._period == "quarter"
