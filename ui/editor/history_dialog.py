"""The change history of one question, or of the whole audit: who changed what, and when."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audit_tool import history
from audit_tool.domain import SUMMARY_FIELDS, Audit, HistoryEntry
from audit_tool.formatting import local_datetime
from ui.common.accessibility import name
from ui.common.numbers import item_numbers
from ui.common.widgets import FittingDialog

_ACTIONS = {
    "created": "Audit started",
    "rating": "Rating",
    "note": "Evidence note",
    "summary": "Summary",
    "recommendations": "Recommendations",
    "concern": "Matter of concern recorded",
    "finalised": "Finalised",
    "amended": "Amended",
    "deleted": "Deleted",
    "moderation": "Moderation started",
    "second reading": "Second reading started",
    "action": "Recommendation tracked (status, body, item)",
}


def _when(stamp: str) -> str:
    return local_datetime(stamp, seconds=True)


def describe(entry: HistoryEntry, audit: Audit) -> tuple[str, str, str]:
    """(what, before, after) in words: level labels rather than stored values."""
    definition = audit.checklist.definition
    what = _ACTIONS.get(entry.action, entry.action.capitalize())
    old, new = entry.old or "", entry.new or ""
    if entry.action == "rating":
        try:
            scale = definition.scale_of(definition.item(entry.field))
            old = scale.label_of(old) or "not rated"  # labels; ticked options joined by ';'
            new = scale.label_of(new) or "not rated"
        except KeyError:
            pass
    elif entry.action == "summary":
        what = SUMMARY_FIELDS.get(entry.field, what)
    elif entry.action == "amended":
        old, new = "Finalised", f"Draft. Reason: {new}"
    elif entry.action == "note":
        old, new = old or "(empty)", new or "(empty)"
    elif entry.action == "moderation":  # the readings' ids: say how many, not which uuid
        old, new = "", f"Of {len(new.split())} readings"
    elif entry.action == "second reading":
        old, new = "", "From an earlier reading of the same case file"
    return what, old, new


class HistoryDialog(FittingDialog):
    def __init__(
        self, db, audit: Audit, item_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        entries = history.entries(db, audit.id, item_id)
        if item_id:
            question = audit.checklist.definition.item(item_id).question
            self.setWindowTitle("History of this question")
            heading = QLabel(question)
        else:
            self.setWindowTitle("History of this audit")
            heading = QLabel("Every change to this audit, oldest first.")
        heading.setWordWrap(True)
        self.table = QTableWidget(len(entries), 5)
        self.table.setHorizontalHeaderLabels(["When", "Who", "What", "Before", "After"])
        name(self.table, "Change history")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)
        numbers = item_numbers(audit.checklist.definition)  # 1.2, as the editor shows it
        for row, entry in enumerate(entries):
            what, old, new = describe(entry, audit)
            if not item_id and entry.field and entry.action in ("rating", "note"):
                what = f"{what} (question {numbers.get(entry.field, entry.field)})"
            for col, text in enumerate((_when(entry.at), entry.who, what, old, new)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, col, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        empty = QLabel("No changes recorded yet.")
        empty.setVisible(not entries)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(empty)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(60 * em, 28 * self.fontMetrics().lineSpacing())
        # rows follow the columns' real widths: a long reason is shown whole, not cut off
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()
