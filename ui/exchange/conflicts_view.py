"""File → Conflicts…: audits changed both here and on another laptop since they last met.

Both versions are shown side by side, item by item, differences marked (in colour and
with a ≠ sign, so colour is never the only cue). A person chooses: keep this laptop's
version, or take the received one; the core records the choice in the audit's history.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audit_tool.errors import AuditToolError
from audit_tool.exchange import compare, conflicts, resolve
from audit_tool.records import get_audit
from ui.common import palette
from ui.common.accessibility import name
from ui.common.messages import confirm
from ui.common.numbers import item_numbers
from ui.common.widgets import FittingDialog
from ui.session import Session

DIFFERS = "≠"


class ConflictsView(FittingDialog):
    resolved = Signal(str)  # audit id

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Conflicts")
        intro = QLabel(
            "These audits were changed on this laptop and on another one since they last "
            "met. Nothing was overwritten: both versions are kept. Compare them and choose "
            "which to keep; the choice is recorded in the audit's history."
        )
        intro.setWordWrap(True)
        self.audits = QListWidget()
        name(self.audits, "Audits in conflict")
        self.audits.currentRowChanged.connect(lambda _r: self._show_current())
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["", "Question", "This laptop", "Received"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in (1, 2, 3):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        name(self.table, "The two versions side by side")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.audits)
        split.addWidget(self.table)
        split.setStretchFactor(1, 4)
        self.keep_button = QPushButton("Keep this laptop's version")
        name(self.keep_button, "Keep this laptop's version of the selected audit")
        self.take_button = QPushButton("Take the received version")
        name(self.take_button, "Replace this laptop's version with the received one")
        self.close_button = QPushButton("Close")
        self.keep_button.clicked.connect(lambda: self.choose(take_received=False))
        self.take_button.clicked.connect(lambda: self.choose(take_received=True))
        self.close_button.clicked.connect(self.reject)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("conflictsStatus")
        self.status.setAccessibleName("Status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.take_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(
            110 * self.fontMetrics().horizontalAdvance("M"), 40 * self.fontMetrics().height()
        )
        self.set_action_button(self.close_button)  # Enter never makes a choice by accident
        self.load()

    def load(self) -> None:
        self._found = conflicts(self.session.db)
        self.audits.clear()
        for c in self._found:
            item = QListWidgetItem(
                f"{c.pseudonym}, {c.area}\n{c.checklist}\nhere: {c.local_status}; received: "
                f"{c.received_status} ({c.received_at[:10]})"
            )
            item.setData(Qt.ItemDataRole.UserRole, (c.audit_id, c.version))
            self.audits.addItem(item)
        has = bool(self._found)
        self.keep_button.setEnabled(has)
        self.take_button.setEnabled(has)
        if has:
            self.audits.setCurrentRow(0)
            self._say(f"{len(self._found)} audit(s) waiting for a choice.")
        else:
            self.table.setRowCount(0)
            self._say("No conflicts: every received audit has been merged.")

    def _current(self) -> tuple[str, str] | None:
        item = self.audits.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _show_current(self) -> None:
        current = self._current()
        if current is None:
            return
        rows = compare(self.session.db, current[0], current[1])
        numbers = item_numbers(get_audit(self.session.db, current[0]).checklist.definition)
        self.table.setRowCount(len(rows))
        mark = QBrush(palette.bad())
        section = None
        for r, d in enumerate(rows):
            item, sep, rest = d.label.partition(": ")  # the core names items by id: p1
            text = f"{numbers[item]} {rest}" if sep and item in numbers else d.label
            label = (
                text if d.section == section or d.section == "Audit" else f"{d.section} — {text}"
            )
            section = d.section
            cells = [DIFFERS if d.differs else "", label, d.here or "—", d.received or "—"]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if d.differs:
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                    if col in (0, 2, 3):
                        cell.setForeground(mark)
                self.table.setItem(r, col, cell)
        self.table.resizeRowsToContents()
        n = sum(1 for d in rows if d.differs)
        self._say(f"{n} difference(s), marked {DIFFERS}.")

    def choose(self, take_received: bool) -> None:
        current = self._current()
        if current is None:
            return
        which = "take the received version" if take_received else "keep this laptop's version"
        if not confirm(
            self,
            "Choose this version?",
            f"Do you want to {which}? The other version stays in the audit's history.",
            "Take the received version" if take_received else "Keep this laptop's version",
        ):
            return
        try:
            resolve(self.session.db, current[0], take_received, current[1])
        except AuditToolError as exc:
            self._say(str(exc), bad=True)
            return
        self.resolved.emit(current[0])
        self.load()
        self._say(
            ("Took the received version." if take_received else "Kept this laptop's version.")
            + " "
            + self.status.text()
        )

    def _say(self, text: str, bad: bool = False) -> None:
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        palette.set_text_colour(self.status, palette.bad() if bad else palette.muted())
