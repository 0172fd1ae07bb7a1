"""The lead reader's moderation: every item with each reading's rating side by side,
differences marked (a colour AND the words 'Differs'), the agreed rating and a reason.

Each change is saved through the core as it is made (as in the audit editor); Finalise
goes through the core too, which refuses while a difference has no reason.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from audit_tool import audits, moderation, records
from audit_tool.errors import AuditToolError
from ui.common import palette
from ui.common.accessibility import name
from ui.common.messages import confirm
from ui.common.widgets import FittingDialog
from ui.session import Session

DIFFERS = "≠ Differs"
SAME = "Same"
REASON_NEEDED = "Reason needed"
NOT_ASKED = "Not asked (hidden by the agreed answers)"
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

    # -- content -------------------------------------------------------------------------
    def set_moderation(self, m: moderation.Moderation, levels: dict[str, list[tuple[str, str]]]):
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
            return f"{row.item_id}  {row.question}"
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


class ModerationView(FittingDialog):
    """The moderation dialog for the lead reader."""

    def __init__(self, session: Session, moderation_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.moderation_id = moderation_id
        self.setWindowTitle("Moderate readings")
        self.setObjectName("moderationView")
        self.heading = QLabel()
        palette.heading_font(self.heading, 1.15)
        self.heading.setWordWrap(True)
        self.readers = QLabel()
        self.readers.setWordWrap(True)
        self.guide = QLabel()
        self.guide.setWordWrap(True)
        self.model = ModerationModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        name(self.table, "Items of the moderation")
        self._delegate = AgreedRatingDelegate(self.model, self.table)
        self._reason_delegate = ReasonDelegate(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.error = QLabel()
        self.error.setWordWrap(True)
        palette.set_text_colour(self.error, palette.bad())
        self.error.hide()
        buttons = QDialogButtonBox()
        self.finalise_button = buttons.addButton(
            "&Finalise moderation…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = buttons.addButton("&Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.set_action_button(self.finalise_button)
        self.finalise_button.clicked.connect(self.finalise)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.heading, self.readers, self.guide):
            layout.addWidget(w)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.model.edited.connect(self.save)
        em, line = self.fontMetrics().horizontalAdvance("M"), self.fontMetrics().height()
        width, height = 95 * em, 34 * line
        if self.screen() is not None:  # never larger than the screen (150% scaling, laptops)
            room = self.screen().availableGeometry()
            width, height = min(width, room.width() - 40), min(height, room.height() - 80)
        self.resize(width, height)
        self._reason_width = min(30 * em, width // 4)
        self.reload()
        self.table.setFocus()
        if self.model.rowCount():
            first = next(
                (n for n, i in enumerate(self.model.m.items) if i.disagree), 0
            )  # start where the work is
            self.table.setCurrentIndex(self.model.index(first, self.model.col_agreed()))

    def reload(self) -> None:
        db = self.session.db
        m = moderation.get_moderation(db, self.moderation_id)
        audit = records.get_audit(db, self.moderation_id)
        d = audit.checklist.definition
        levels = {
            item.id: [(lv.value, lv.label) for lv in d.scale_of(item).levels]
            for _, item in d.items()
        }
        for row in m.items:  # multiple choice: the sets the readings ticked can be agreed too
            scale = d.scale_of(d.item(row.item_id))
            if scale.is_multiple:
                sets = [(v, scale.label_of(v)) for v in dict.fromkeys(row.ratings) if v]
                levels[row.item_id] = [*sets, *(s for s in levels[row.item_id] if s not in sets)]
        current = self.table.currentIndex()
        self.model.set_moderation(m, levels)
        # a moderation's readings never change, so neither does the agreed rating's column
        self.table.setItemDelegateForColumn(self.model.col_agreed(), self._delegate)
        self.table.setItemDelegateForColumn(self.model.col_reason(), self._reason_delegate)
        if current.isValid():
            self.table.setCurrentIndex(self.model.index(current.row(), current.column()))
        self.heading.setText(
            f"Moderation of {audit.case.pseudonym}: {audit.checklist.title}, {audit.phase.label}"
        )
        letters = [chr(ord("A") + n) for n in range(len(m.readings))]
        self.readers.setText(
            f"Lead reader: {m.lead.name}. Readings: "
            + "; ".join(
                f"{x} {r.reviewer.name} ({r.status})"
                for x, r in zip(letters, m.readings, strict=True)
            )
            + f". {records.status_text(audit)}."
        )
        missing = sum(1 for i in m.items if i.needs_reason)
        if m.status != "draft":
            self.guide.setText(
                "This moderation is finalised: findings and reports count it in place of its "
                "readings."
            )
        else:
            self.guide.setText(
                f"The readings differ on {m.disagreements} of {len(m.items)} items (marked "
                f"'{DIFFERS}'). Choose the agreed rating for each and give a reason"
                + (
                    f"; {missing} reason{'s' if missing != 1 else ''} still needed"
                    if missing
                    else ""
                )
                + ". Every change is saved as you make it."
            )
        self.finalise_button.setEnabled(m.status == "draft")
        if m.status != "draft":  # Enter closes a finalised moderation
            self.set_action_button(self.close_button)
        # the question takes what is left; the reason a fair share; the rest their content
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, self.model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.model.col_reason(), QHeaderView.ResizeMode.Interactive)
        header.resizeSection(self.model.col_reason(), self._reason_width)
        self.table.resizeRowsToContents()
        self.layout().activate()  # the wrapped lines above may have grown: place them now

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # now that the columns have their real widths

    def save(self, item_id: str, rating, note) -> None:
        try:
            audits.answer(self.session.db, self.moderation_id, item_id, rating, note)
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        # after the cell's editor has closed: never rebuild the table under an open editor
        QTimer.singleShot(0, self._reload_if_open)

    def _reload_if_open(self) -> None:
        if self.session.is_open and self.isVisible():
            self.reload()

    def finalise(self) -> None:
        if not self.finalise_button.isEnabled():
            return
        if not confirm(
            self,
            "Finalise moderation",
            "Finalise this moderation? It becomes read-only, and findings and reports count "
            "it in place of its readings.",
            "Finalise",
        ):
            return
        try:
            audits.finalise(self.session.db, self.moderation_id)
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            row = next((n for n, i in enumerate(self.model.m.items) if i.needs_reason), -1)
            if row >= 0:
                self.table.setCurrentIndex(self.model.index(row, self.model.col_reason()))
                self.table.setFocus()
            return
        self.error.hide()
        self.reload()
