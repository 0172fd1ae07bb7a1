"""File → Import a checklist from a spreadsheet, and File → Save a checklist template.

Every rule lives in audit_tool.checklists (local.plan_import / install, spreadsheet);
this dialog only picks the file, shows what was found and asks before replacing. A
checklist workbook is small (at most 5 MB), so it is checked on the GUI thread under a
busy cursor.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audit_tool.checklists.local import ImportPlan, install, plan_import
from audit_tool.checklists.spreadsheet import SpreadsheetError, save_workbook, write_template
from audit_tool.errors import AuditToolError, ChecklistError
from ui.common import palette
from ui.common.accessibility import label_for, name
from ui.common.messages import confirm, show_error
from ui.common.widgets import FittingDialog

XLSX_FILTER = "Excel workbooks (*.xlsx)"


def describe_plan(plan: ImportPlan) -> str:
    """What the reader checks before installing: title, id, version, counts, where."""
    d = plan.checklist.definition
    required = sum(1 for t in d.themes for i in t.items if i.required)
    lines = [
        f"Id: {d.id}    Version: {d.version}",
        f"{len(d.themes)} themes, {d.item_count()} questions ({required} required)",
        "Themes: " + "; ".join(t.title for t in d.themes),
        f"It will be installed as {plan.out}",
    ]
    if plan.out_exists:
        old = plan.replaces
        lines.append(
            f"It replaces the installed version {old.version}."
            if old is not None
            else "It replaces the file there now."
        )
    lines.append("Once installed, New audit offers it.")
    return "\n".join(lines)


class ChecklistImportDialog(FittingDialog):
    """Choose a workbook, see the checklist it holds (or every problem), install it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: ImportPlan | None = None
        self.installed: Path | None = None
        self.setWindowTitle("Import a checklist from a spreadsheet")
        self.resize(640, 420)

        self.path = QLineEdit()
        self.path.setPlaceholderText("The checklist workbook (.xlsx)")
        self.choose = QPushButton("C&hoose…")
        name(self.choose, "Choose the workbook")
        self.choose.setAutoDefault(False)
        self.choose.clicked.connect(self._choose)
        self.path.textChanged.connect(self._path_edited)
        path_label = QLabel("&Workbook:")
        label_for(path_label, self.path)
        row = QHBoxLayout()
        row.addWidget(path_label)
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette.set_text_colour(self.error, palette.bad())
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        palette.heading_font(self.title, 1.15)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_heading = QLabel()
        self.problems_heading.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setWordWrap(True)
        name(self.problems, "Problems in the workbook")
        self.problems_heading.setBuddy(self.problems)

        self.buttons = QDialogButtonBox()
        self.action = self.buttons.addButton(
            "&Check workbook", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.action.clicked.connect(self._act)
        self.close_button.clicked.connect(self.reject)
        self.set_action_button(self.action)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems_heading)
        layout.addWidget(self.problems, 1)
        layout.addStretch(0)
        layout.addWidget(self.buttons)
        self._show_state()

    # -- choosing and checking ------------------------------------------------------------------
    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a checklist workbook", "", XLSX_FILTER)
        if path:
            self.set_path(path)

    def set_path(self, path: str | Path) -> None:
        """Put a workbook's path in the box and check it (the Choose button's route)."""
        self.path.setText(str(path))
        self.check()

    def _path_edited(self) -> None:
        if self.plan is not None or self.problems.count() or self.error.text():
            self.plan = None
            self.problems.clear()
            self.error.clear()
            self._show_state()

    def check(self) -> None:
        """Read the workbook: the checklist it holds, or every problem one per line."""
        self.plan = None
        self.problems.clear()
        self.error.clear()
        text = self.path.text().strip()
        if not text:
            self.error.setText("Choose the checklist workbook (.xlsx) first.")
            self._show_state()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.plan = plan_import(Path(text))
        except SpreadsheetError as exc:
            self.problems.addItems(exc.problems)
        except ChecklistError as exc:
            self.error.setText(str(exc))
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._show_state()

    def _show_state(self) -> None:
        has_problems = self.problems.count() > 0
        n = self.problems.count()
        self.problems_heading.setText(
            f"{n} problem{'s' if n != 1 else ''} in the workbook. Nothing was installed. "
            "Fix them in the spreadsheet, save it and check again:"
        )
        self.problems_heading.setVisible(has_problems)
        self.problems.setVisible(has_problems)
        self.error.setVisible(bool(self.error.text()))
        self.summary.setText(describe_plan(self.plan) if self.plan else "")
        self.summary.setVisible(self.plan is not None)
        self.title.setText(self.plan.checklist.title if self.plan else "")
        self.title.setVisible(self.plan is not None)
        if self.plan is not None:
            self.action.setText("&Install checklist")
        else:
            self.action.setText("&Check again" if has_problems else "&Check workbook")
        name(self.action, self.action.text().replace("&", ""))
        self.refit()

    # -- installing -----------------------------------------------------------------------------
    def _act(self) -> None:
        if self.plan is None:
            self.check()
        else:
            self._install(self.plan)

    def _install(self, plan: ImportPlan) -> None:
        force = False
        if plan.out_exists:
            old = plan.replaces
            what = (
                f"the installed checklist '{old.title}' (version {old.version})"
                if old is not None
                else f"the file {plan.out}"
            )
            if not confirm(self, "Replace checklist", f"Replace {what}?", "Replace", danger=True):
                return
            force = True
        try:
            self.installed = install(plan, force=force)
        except AuditToolError as exc:
            show_error(self, exc, "Checklist not installed")
            return
        self.accept()


def save_template(parent: QWidget | None) -> Path | None:
    """Ask where, then write the checklist template workbook; the path written, or None."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Save a checklist template", "checklist-template.xlsx", XLSX_FILTER
    )
    if not path:
        return None
    return write_template_to(parent, Path(path))


def write_template_to(parent: QWidget | None, out: Path) -> Path | None:
    """Write the template workbook; the save dialog has already asked about replacing."""
    if out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    try:
        save_workbook(out, write_template, force=True)
    except AuditToolError as exc:
        show_error(parent, exc, "Template not saved")
        return None
    return out
