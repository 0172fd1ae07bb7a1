"""File > Releases…: the release register (issue 18), read-only, oldest first.

Every anonymised report, dataset and bundle without identifiers, and every restricted
release, with when, what, how many audits, for whom, by whom and which selection. The rows
come from the core (disclosure.register.releases); this window only shows them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
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

from audit_tool.disclosure.register import MIN_DIFFERENCE, Release
from ui.common import palette
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog

COLUMNS = ("Released", "Kind", "Audits", "For (recipient)", "By", "Selection", "Restricted")
EXPLAIN = (
    "Every release of this database's audits, and those received in bundles. A new "
    f"anonymised release whose audits differ from an earlier one's by 1 to {MIN_DIFFERENCE - 1} "
    "is refused: the two could be subtracted. Restricted releases (identifiable or "
    "record-level, for a named recipient) are listed but not compared."
)


def cells(r: Release) -> tuple[str, ...]:
    """One row as shown: the time to the minute, UTC."""
    return (
        r.released_at[:16].replace("T", " "), r.kind, f"{r.audit_count:,}", r.recipient,
        r.who, r.selection, "Restricted" if r.restricted else "",
    )


class ReleasesDialog(FittingDialog):
    def __init__(self, releases: list[Release], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Releases")
        note = QLabel(EXPLAIN)
        note.setWordWrap(True)
        palette.set_text_colour(note, palette.muted())
        self.table = QTableWidget(len(releases), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        name(self.table, "Release register", f"{len(releases)} releases, oldest first")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the Close button
        self.table.setWordWrap(False)
        for row, r in enumerate(releases):
            for col, text in enumerate(cells(r)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("No releases recorded yet.")
        self.empty.setVisible(not releases)
        if releases:
            self.table.setCurrentCell(0, 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.table.setFocus()
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(120 * em, 24 * self.fontMetrics().lineSpacing())
