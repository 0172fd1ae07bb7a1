"""A window listing every keyboard shortcut (F1)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.actions import Actions, shortcut_table
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog


class ShortcutsDialog(FittingDialog):
    def __init__(self, actions: Actions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_table(actions)
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["What", "Keys"])
        name(table, "Keyboard shortcuts")
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        for r, (what, keys) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(what))
            table.setItem(r, 1, QTableWidgetItem(keys))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        # every entry whole: wide enough for the longest (within the screen), else wrapped
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        table.horizontalHeader().sectionResized.connect(lambda *_: table.resizeRowsToContents())
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        fm = table.fontMetrics()
        texts = [fm.horizontalAdvance(w) for w, _ in rows] or [0]
        keys = [fm.horizontalAdvance(k) for _, k in rows] or [0]
        width = max(texts) + max(keys) + 6 * em  # cell padding, the scroll bar, the margins
        if self.screen() is not None:
            width = min(width, self.screen().availableGeometry().width() - 40)
        self.resize(max(44 * em, width), 30 * self.fontMetrics().lineSpacing())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()
