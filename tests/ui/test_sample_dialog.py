"""Issue 11 item 1 in the window: File → Draw a sample from a case list, driven by clicks
and Enter, creating the cases and their draft audits. All references are fictional."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from uihelp import on_next_modal, shots_dir, show_dialog

from audit_tool import audits
from audit_tool.sampling import Columns, draw, eligible_files, list_samplings, read_case_list
from ui.common.accessibility import unnamed_controls
from ui.dialogs.sample_dialog import SampleDialog, guess_columns

SHOTS = shots_dir("sample")
HEAD = ["Case ref", "Local authority", "Agency", "Team"]


def _list(path: Path, sizes: dict[str, int], dup_rows: tuple[int, int] | None = None) -> Path:
    rows, n = [], 0
    for team, size in sizes.items():
        for _ in range(size):
            n += 1
            rows.append([f"FICT-{n:06d}", "Glenmorven (fictional)", "Children and Families", team])
    if dup_rows:  # file rows (the heading is row 1)
        rows[dup_rows[1] - 2][0] = rows[dup_rows[0] - 2][0]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        w.writerows(rows)
    return path


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))




def _to_columns_step(qtbot, dialog: SampleDialog, path: Path) -> None:
    qtbot.keyClicks(dialog.path, str(path))
    assert unnamed_controls(dialog) == []
    _shot(dialog, "1_choose_list")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10000)


def test_guesses_from_headings():
    assert guess_columns(("Case ref", "Local authority", "Agency", "Team")) == {
        "reference": "Case ref",
        "area": "Local authority",
        "agency": "Agency",
        "team": "Team",
    }
    assert guess_columns(("Council", "File number", "Social work team")) == {
        "reference": "File number",
        "area": "Council",
        "team": "Social work team",
    }


def test_clicks_and_enter_draw_a_stratified_sample_and_create_it(
    qtbot, window, session, mini, tmp_path
):
    path = _list(tmp_path / "council list.csv", {"Team A": 120, "Team B": 92})
    dialog = show_dialog(qtbot, SampleDialog(session, [mini], window, seed=12345))
    _to_columns_step(qtbot, dialog, path)
    assert dialog.ref_col.currentText() == "Case ref"
    assert dialog.area_col.currentText() == "Local authority"
    assert dialog.team_col.currentText() == "Team"
    assert dialog.preview.text() == "40 of 212 eligible."
    dialog.strata_col.setFocus()
    qtbot.keyClicks(dialog.strata_col, "Team")
    # by hand: 40 * 120/212 = 22.64 and 40 * 92/212 = 17.36 -> 22 + 17, the one left to A
    assert dialog.preview.text() == "40 of 212 eligible; by team: Team A 23, Team B 17."
    assert dialog.create_button.text() == "Create 40 cases" and dialog.create_button.isEnabled()
    assert unnamed_controls(dialog) == []
    _shot(dialog, "2_columns_and_preview")
    qtbot.keyClick(dialog.seed, Qt.Key.Key_Return)  # Enter presses Create
    assert dialog.result() == QDialog.DialogCode.Accepted

    cols = Columns("Case ref", "Local authority", "Agency", "Team", "Team")
    expected = draw(eligible_files(read_case_list(path), cols), 40, 12345, stratified=True)
    cases = audits.list_cases(session.db)
    assert sorted(c.reference for c in cases) == sorted(f.reference for f in expected.chosen)
    assert {c.team for c in cases} == {"Team A", "Team B"}
    n_drafts = session.db.query_one("SELECT count(*) FROM audits WHERE status = 'draft'")[0]
    assert n_drafts == 40
    (s,) = list_samplings(session.db)
    assert (s.seed, s.eligible, s.method, s.strata_column) == ("12345", 212, "stratified", "Team")


def test_duplicate_references_are_named_and_nothing_is_created(
    qtbot, window, session, mini, tmp_path
):
    path = _list(tmp_path / "dups.csv", {"Team A": 30}, dup_rows=(3, 8))
    dialog = show_dialog(qtbot, SampleDialog(session, [mini], window, seed=1))
    _to_columns_step(qtbot, dialog, path)
    assert "rows 3 and 8 have the same case reference" in dialog.preview.text()
    assert not dialog.create_button.isEnabled()
    _shot(dialog, "3_duplicate_references")
    qtbot.keyClick(dialog.seed, Qt.Key.Key_Return)
    assert dialog.isVisible() and audits.list_cases(session.db) == []


def test_an_unreadable_list_is_said_on_the_first_step(qtbot, window, session, mini, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEAD)
    wb.active.append(["FICT-000001", "North (fictional)", "", "T"])
    wb.active.append(["FICT-000002", "", "", ""])
    wb.active.merge_cells("B2:B3")
    wb.save(tmp_path / "merged.xlsx")
    dialog = show_dialog(qtbot, SampleDialog(session, [mini], window, seed=1))
    qtbot.keyClicks(dialog.path, str(tmp_path / "merged.xlsx"))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)  # Enter presses Next
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    assert "B2:B3 are merged" in dialog.error.text() and dialog.pages.currentIndex() == 0
    _shot(dialog, "4_merged_cells")


def test_the_file_menu_opens_it_and_the_list_shows_the_new_audits(qtbot, window, session, tmp_path):
    path = _list(tmp_path / "council.csv", {"Team A": 12, "Team B": 8})
    menu = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Draw a sa&mple from a case list…" in menu
    seen: list[str] = []

    def drive(dialog: SampleDialog) -> None:
        qtbot.keyClicks(dialog.path, str(path))
        qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10000)
        dialog.size.setValue(6)
        seen.append(dialog.preview.text())
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    on_next_modal(SampleDialog, drive)
    window.actions.sample.trigger()
    assert seen == ["6 of 20 eligible."]
    assert len(audits.list_cases(session.db)) == 6
    assert "Created 6 cases with draft audits" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.list_model.rowCount() == 6, timeout=5000)
    _shot(window, "5_list_after_sampling")


def test_a_long_list_shows_a_busy_bar_while_it_is_read(qtbot, window, session, mini, tmp_path):
    path = _list(tmp_path / "long.csv", {"Team A": 60_000, "Team B": 40_000})
    dialog = show_dialog(qtbot, SampleDialog(session, [mini], window, seed=3))
    qtbot.keyClicks(dialog.path, str(path))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.busy.isVisible() and not dialog.next_button.isEnabled()
    _shot(dialog, "0_reading_a_long_list")
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=30000)
    assert not dialog.busy.isVisible()
    assert dialog.preview.text() == "40 of 100,000 eligible."
