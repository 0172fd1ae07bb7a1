"""The moderation table's model and cell editors: every item with each reading's rating
side by side, differences marked (a colour AND the words 'Differs'), the agreed rating and
a reason. Edits are not stored here: `edited` asks the view to save through the core."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QWidget

from audit_tool import audits, moderation
from ui.common import palette
from ui.common.accessibility import name

DIFFERS = "≠ Differs"
SAME = "Same"
REASON_NEEDED = "Reason needed"
NOT_ASKED = "Not asked"  # short: the column stays narrow; the tooltip says why
NOT_ASKED_TIP = "Not asked: the agreed answers above hide this question."
_Index = QModelIndex | QPersistentModelIndex


def differs_background(dark: bool) -> QColor:
    """A soft amber behind rows where the readings differ; text stays readable on it."""
    return QColor("#5a4210") if dark else QColor("#fff1c7")


class ModerationModel(QAbstractTableModel):
    """Rows: the items. Columns: item, whether the readings differ, one per reading, the
    agreed rating, the reason. Edits are not stored here: `edited` asks the view to save."""

    edited = Signal(str, object, object)  # item id, rating (or UNSET), note (or UNSET)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.m: moderation.Moderation | None = None
        self.levels: dict[str, list[tuple[str, str]]] = {}
        self.numbers: dict[str, str] = {}  # item id -> '1.2', as the editor shows it
        self.keys: dict[str, dict[str, str]] = {}  # item id -> the editor's key -> value

    # -- content -------------------------------------------------------------------------
    def set_moderation(
        self,
        m: moderation.Moderation,
        levels: dict[str, list[tuple[str, str]]],
        numbers: dict[str, str] | None = None,
        keys: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.numbers, self.keys = numbers or self.numbers, keys or self.keys
        same_rows = self.m is not None and [i.item_id for i in self.m.items] == [
            i.item_id for i in m.items
        ]
        if same_rows:  # the usual case: cells change in place, the editor's place is kept
            self.m, self.levels = m, levels
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()  # an agreed answer showed or hid a question
        self.m, self.levels = m, levels
        self.endResetModel()

    @property
    def reading_count(self) -> int:
        return len(self.m.readings) if self.m else 0

    def col_marker(self) -> int:
        return 1

    def col_agreed(self) -> int:
        return 2 + self.reading_count

    def col_reason(self) -> int:
        return 3 + self.reading_count

    @property
    def editable(self) -> bool:
        return self.m is not None and self.m.status == "draft"

    def item(self, row: int) -> moderation.ItemRow:
        return self.m.items[row]

    def number(self, row: int) -> str:
        item_id = self.item(row).item_id
        return self.numbers.get(item_id, item_id)

    def left(self, row: moderation.ItemRow) -> bool:
        """A difference still to agree: no agreed rating, or no reason for it."""
        return row.disagree and row.applies and (row.agreed is None or row.needs_reason)

    def left_count(self) -> int:
        return sum(self.left(i) for i in self.m.items) if self.m else 0

    def row_of(self, item_id: str) -> int:
        return next((n for n, i in enumerate(self.m.items) if i.item_id == item_id), -1)

    # -- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() or self.m is None else len(self.m.items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.m is None else 4 + self.reading_count

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and 2 <= section < self.col_agreed():
            return self.m.readings[section - 2].reviewer.name
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "Question"
        if section == self.col_marker():
            return "Readings"
        if section == self.col_agreed():
            return "Agreed rating"
        if section == self.col_reason():
            return "Reason"
        return f"Reading {chr(ord('A') + section - 2)}"  # names: the line above the table

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        row = self.item(index.row())
        if (
            self.editable
            and row.applies
            and index.column() in (self.col_agreed(), self.col_reason())
        ):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = self.item(index.row()), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, col)
        if role == Qt.ItemDataRole.EditRole:
            return row.agreed if col == self.col_agreed() else row.reason
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return f"{row.theme_title}: {row.question}"
            if col == self.col_agreed() and not row.applies:
                return NOT_ASKED_TIP
            if col == self.col_reason() and row.disagree:
                return "The readings differ: say why the agreed rating is right."
            return None
        if role == Qt.ItemDataRole.BackgroundRole and row.disagree:
            return QBrush(differs_background(palette.is_dark()))
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.col_reason() and row.needs_reason:
                return QBrush(palette.bad())
            if not row.applies and col == self.col_agreed():
                return QBrush(palette.muted())
            return None
        if role == Qt.ItemDataRole.FontRole and row.disagree and col == self.col_marker():
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, row: moderation.ItemRow, col: int) -> str:
        if col == 0:
            return f"{self.numbers.get(row.item_id, row.item_id)}  {row.question}"
        if col == self.col_marker():
            return DIFFERS if row.disagree else SAME
        if col == self.col_agreed():
            return row.agreed_label if row.applies else NOT_ASKED
        if col == self.col_reason():
            if row.reason:
                return row.reason
            return REASON_NEEDED if row.needs_reason else ""
        return row.labels[col - 2]

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        row = self.item(index.row())
        if index.column() == self.col_agreed():
            if value == row.agreed:
                return False
            self.edited.emit(row.item_id, value, audits.UNSET)
        else:
            if str(value) == row.reason:
                return False
            self.edited.emit(row.item_id, audits.UNSET, str(value))
        return True


class ReasonDelegate(QStyledItemDelegate):
    """The reason's line editor, filled once: a refresh of the table (after another cell
    was saved) must not wipe what is being typed."""

    def setEditorData(self, editor: QWidget, index) -> None:
        if editor.property("filled"):
            return
        editor.setProperty("filled", True)
        super().setEditorData(editor, index)


class AgreedRatingDelegate(QStyledItemDelegate):
    """A drop-down of the item's levels (and 'Not rated') for the agreed rating."""

    def __init__(self, model: ModerationModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model

    def createEditor(self, parent, _option, index):
        box = QComboBox(parent)
        name(box, "Agreed rating")
        box.addItem("Not rated", None)
        for value, label in self.model.levels.get(self.model.item(index.row()).item_id, []):
            box.addItem(label, value)
        return box

    def setEditorData(self, editor: QComboBox, index) -> None:
        if editor.property("filled"):  # a refresh of the table must not undo a choice
            return
        editor.setProperty("filled", True)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QComboBox, model, index) -> None:
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
