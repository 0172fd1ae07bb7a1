"""Issue 11, item 3: a checklist from a spreadsheet, through the window. Real workbooks
(written by write_template, edited with openpyxl), real dialogs, the real local
checklists folder (XDG_DATA_HOME is a temporary folder in these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from uihelp import answer_next_box, on_next_modal, shots_dir, show_dialog

from audit_tool.checklists.spreadsheet import import_xlsx, write_template
from audit_tool.paths import user_checklists_dir
from ui.common.accessibility import unnamed_controls
from ui.dialogs.case_dialogs import NewAuditDialog
from ui.dialogs.checklist_import_dialog import ChecklistImportDialog

SHOTS = shots_dir("clgui")
TEMPLATE_ID = "local-example-case-recording"
TEMPLATE_TITLE = "Local example: case recording"


@pytest.fixture(autouse=True)
def empty_local_folder():
    """The local checklists folder is shared by the whole test run: start and end empty."""
    folder = user_checklists_dir()

    def clear() -> None:
        if folder.is_dir():
            for f in folder.glob("*.toml"):
                f.unlink()

    clear()
    yield folder
    clear()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "mine.xlsx"
    write_template(path)
    return path




def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _answer_next_box(button_text: str, seen: list[str]) -> None:
    answer_next_box(button_text, seen, SHOTS / "3_replace_question.png")


def _new_audit_checklists(qtbot, window) -> list[str]:
    """The checklists File → New audit offers, read from the dialog as it opens."""
    seen: list[str] = []

    def read(dialog: NewAuditDialog) -> None:
        seen.extend(dialog.checklist.itemText(i) for i in range(dialog.checklist.count()))
        dialog.reject()

    on_next_modal(NewAuditDialog, read)
    window.actions.new_audit.trigger()
    return seen


def test_enter_installs_the_checklist_and_new_audit_offers_it(
    qtbot, window, template, empty_local_folder
):
    assert not any(TEMPLATE_TITLE in t for t in _new_audit_checklists(qtbot, window))
    dialog = show_dialog(qtbot, ChecklistImportDialog(window))
    dialog.set_path(template)
    summary = dialog.summary.text()
    assert dialog.title.text() == TEMPLATE_TITLE and f"Id: {TEMPLATE_ID}" in summary
    assert "Version: 1.0" in summary and "2 themes" in summary
    assert str(empty_local_folder / f"{TEMPLATE_ID}.toml") in summary
    assert dialog.action.text().replace("&", "") == "Install checklist"
    assert not dialog.problems.isVisible()
    assert unnamed_controls(dialog) == []
    _shot(dialog, "1_valid")
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)  # Enter presses Install
    assert dialog.result() == QDialog.DialogCode.Accepted
    out = empty_local_folder / f"{TEMPLATE_ID}.toml"
    assert out.is_file() and f'id = "{TEMPLATE_ID}"' in out.read_text("utf-8")
    assert f"{TEMPLATE_TITLE} (version 1.0)" in _new_audit_checklists(qtbot, window)


def _broken(template: Path, name: str, cells: dict[str, str]) -> Path:
    wb = load_workbook(template)
    for ref, value in cells.items():
        wb["items"][ref] = value
    out = template.with_name(name)
    wb.save(out)
    return out


def _problems(dialog: ChecklistImportDialog) -> list[str]:
    return [dialog.problems.item(i).text() for i in range(dialog.problems.count())]


def test_a_broken_workbook_lists_every_problem_and_installs_nothing(
    qtbot, window, template, empty_local_folder
):
    dialog = show_dialog(qtbot, ChecklistImportDialog(window))
    dialog.set_path(_broken(template, "scale.xlsx", {"G3": "qualty"}))
    problems = _problems(dialog)
    assert len(problems) == 1 and problems[0].startswith(
        "sheet 'items', row 3, column G (scale): unknown scale 'qualty'"
    )
    assert dialog.problems.isVisible() and "1 problem in" in dialog.problems_heading.text()
    assert not dialog.summary.isVisible()
    assert all("Install" not in b.text() for b in dialog.buttons.buttons())

    dialog.set_path(_broken(template, "required.xlsx", {"H3": "maybe", "H5": "perhaps"}))
    assert _problems(dialog) == [
        "sheet 'items', row 3, column H (required): 'maybe' is not yes or no",
        "sheet 'items', row 5, column H (required): 'perhaps' is not yes or no",
    ]
    assert "2 problems" in dialog.problems_heading.text()
    _shot(dialog, "2_problems")
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)  # Enter checks again: still refused
    assert dialog.isVisible() and dialog.problems.count() == 2
    assert list(empty_local_folder.glob("*.toml")) == []


def test_not_a_workbook_is_one_clear_line(qtbot, window, tmp_path, empty_local_folder):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("this is not a workbook", encoding="utf-8")
    dialog = show_dialog(qtbot, ChecklistImportDialog(window))
    dialog.set_path(fake)
    assert dialog.error.isVisible() and "not an Excel workbook" in dialog.error.text()
    assert "\n" not in dialog.error.text()
    assert not dialog.summary.isVisible() and not dialog.problems.isVisible()
    _shot(dialog, "4_not_a_workbook")
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert dialog.isVisible() and list(empty_local_folder.glob("*.toml")) == []


def test_a_second_import_asks_before_replacing(qtbot, window, template, empty_local_folder):
    first = show_dialog(qtbot, ChecklistImportDialog(window))
    first.set_path(template)
    qtbot.keyClick(first.path, Qt.Key.Key_Return)
    out = empty_local_folder / f"{TEMPLATE_ID}.toml"
    out.write_text(out.read_text("utf-8") + "# installed before\n", encoding="utf-8")

    dialog = show_dialog(qtbot, ChecklistImportDialog(window))
    dialog.set_path(template)
    assert "It replaces the installed version 1.0." in dialog.summary.text()
    seen: list[str] = []
    _answer_next_box("Cancel", seen)
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert seen == [f"Replace the installed checklist '{TEMPLATE_TITLE}' (version 1.0)?"]
    assert dialog.isVisible() and out.read_text("utf-8").endswith("# installed before\n")

    _answer_next_box("Replace", seen)
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert len(seen) == 2 and dialog.result() == QDialog.DialogCode.Accepted
    assert "# installed before" not in out.read_text("utf-8")
    assert list(empty_local_folder.glob("*.toml")) == [out]


def test_the_template_action_saves_a_workbook(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "my checklist"  # no suffix: .xlsx is added
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Excel workbooks (*.xlsx)")
    )
    menu = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Import a checklist from a spreadsheet…" in menu
    assert "Save a checklist template (spread&sheet)…" in menu
    window.actions.checklist_template.trigger()
    saved = target.with_name("my checklist.xlsx")
    wb = load_workbook(saved)
    assert {"checklist", "scales", "items"} <= set(wb.sheetnames)
    assert import_xlsx(saved)[1].id == TEMPLATE_ID
    assert "Template saved" in window.statusBar().currentMessage()
