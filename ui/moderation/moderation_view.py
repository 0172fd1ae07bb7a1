"""The lead reader's moderation: every item with each reading's rating side by side,
differences first, the agreed rating and a reason, laid out for reading and deciding.

Keyboard flow: on a difference, the editor's rating keys (1 is always the best answer, 0
not applicable) choose the agreed rating and open its reason; Enter stores the reason and
goes on to the next difference still to agree. A line under the table counts what is left.
Each change is saved through the core as it is made (as in the audit editor); Finalise
goes through the core too, which refuses while a difference has no reason.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from audit_tool import audits, moderation, records
from audit_tool.errors import AuditToolError
from ui.common import palette
from ui.common.accessibility import name
from ui.common.messages import confirm
from ui.common.numbers import item_numbers
from ui.common.widgets import FittingDialog, error_label
from ui.editor.missing_panel import MissingPanel
from ui.moderation.moderation_model import (
    DIFFERS,
    NOT_ASKED,
    REASON_NEEDED,
    SAME,
    AgreedRatingDelegate,
    ModerationModel,
    ReasonDelegate,
    differs_background,
)
from ui.session import Session

__all__ = [
    "DIFFERS",
    "NOT_ASKED",
    "REASON_NEEDED",
    "SAME",
    "ModerationModel",
    "ModerationView",
    "differs_background",
]
_KEYPAD = Qt.KeyboardModifier.KeypadModifier


class ModerationTable(QTableView):
    """The table, with the editor's rating keys: a digit on a row (outside the reason's
    column, where it is typed) is a rating; Enter opens the row's reason; Delete clears."""

    rating_key = Signal(str)  # the key's text ('1', '0'), or '' for Delete
    enter = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        plain = (event.modifiers() & ~_KEYPAD) == Qt.KeyboardModifier.NoModifier
        if plain and self.state() != QAbstractItemView.State.EditingState:
            key, text = event.key(), event.text()
            in_reason = isinstance(model, ModerationModel) and (
                self.currentIndex().column() == model.col_reason()
            )
            if text.isdigit() and len(text) == 1 and not in_reason:
                self.rating_key.emit(text)
                return
            if key == Qt.Key.Key_Delete and not in_reason:
                self.rating_key.emit("")
                return
            enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and isinstance(model, ModerationModel) and model.editable:
                self.enter.emit()
                return
        super().keyPressEvent(event)


class ModerationView(FittingDialog):
    """The moderation dialog for the lead reader."""

    def __init__(self, session: Session, moderation_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.moderation_id = moderation_id
        self._reason_next: str | None = None  # open this item's reason after the reload
        self.setWindowTitle("Moderate readings")
        self.setObjectName("moderationView")
        self.heading = QLabel()
        palette.heading_font(self.heading, 1.15)
        self.heading.setWordWrap(True)
        self.readers = QLabel()
        self.readers.setWordWrap(True)
        self.guide = QLabel()
        self.guide.setWordWrap(True)
        self.only_differences = QCheckBox("&Only where the readings differ")
        self.only_differences.setToolTip("Hide the items on which every reading agrees.")
        self.left_label = QLabel()  # what is left to agree
        palette.heading_font(self.left_label, 1.0)
        self.model = ModerationModel(self)
        self.table = ModerationTable()
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
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        self.missing_panel = MissingPanel()  # what Finalise still needs, each a link
        self.missing_panel.jump.connect(self.go_to)
        self.missing_panel.scroll.setMaximumHeight(4 * self.fontMetrics().lineSpacing())
        self.keys_line = QLabel()  # the current item's keys, as on the editor's buttons
        self.keys_line.setWordWrap(True)
        self.error = error_label()  # a message never moves the table or the buttons
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
        bar = QHBoxLayout()
        bar.addWidget(self.only_differences)
        bar.addStretch(1)
        bar.addWidget(self.left_label)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.keys_line)
        layout.addWidget(self.missing_panel)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.model.edited.connect(self.save)
        self.table.rating_key.connect(self.rate_by_key)
        self.table.enter.connect(self.edit_reason)
        self._reason_delegate.closeEditor.connect(self._reason_closed)
        self.only_differences.toggled.connect(self._apply_filter)
        self.table.selectionModel().currentChanged.connect(self._show_keys)
        self._rows_timer = QTimer(self)  # rows follow the columns' widths, once per turn
        self._rows_timer.setSingleShot(True)
        self._rows_timer.timeout.connect(self.table.resizeRowsToContents)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self._rows_timer.start(0))
        em, line = self.fontMetrics().horizontalAdvance("M"), self.fontMetrics().height()
        width, height = 95 * em, 34 * line
        if self.screen() is not None:  # never larger than the screen (150% scaling, laptops)
            room = self.screen().availableGeometry()
            width, height = min(width, room.width() - 40), min(height, room.height() - 80)
        self.resize(width, height)
        self.reload()
        self.only_differences.setChecked(self.model.m.disagreements > 0)  # differences first
        self._apply_filter()
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
        levels, keys = {}, {}
        for _, item in d.items():
            scale = d.scale_of(item)
            levels[item.id] = [(lv.value, lv.label) for lv in scale.levels]
            keys[item.id] = {k: lv.value for k, lv in scale.keyed_levels() if k}
        for row in m.items:  # multiple choice: the sets the readings ticked can be agreed too
            scale = d.scale_of(d.item(row.item_id))
            if scale.is_multiple:
                sets = [(v, scale.label_of(v)) for v in dict.fromkeys(row.ratings) if v]
                levels[row.item_id] = [*sets, *(s for s in levels[row.item_id] if s not in sets)]
        current = self.table.currentIndex()
        reset = self.model.m is None or [i.item_id for i in self.model.m.items] != [
            i.item_id for i in m.items
        ]
        self.model.set_moderation(m, levels, item_numbers(d), keys)
        # a moderation's readings never change, so neither does the agreed rating's column
        self.table.setItemDelegateForColumn(self.model.col_agreed(), self._delegate)
        self.table.setItemDelegateForColumn(self.model.col_reason(), self._reason_delegate)
        if reset:
            self._apply_filter()
            self._size_columns()
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
        left = self.model.left_count()
        if m.status != "draft":
            self.guide.setText(
                "This moderation is finalised: findings and reports count it in place of its "
                "readings."
            )
            self.left_label.setText("")
        else:
            self.guide.setText(
                f"The readings differ on {m.disagreements} of {len(m.items)} items (marked "
                f"'{DIFFERS}'). On each: press the agreed rating's key (the editor's keys: "
                "1 is always the best answer), type the reason, press Enter for the next "
                "difference. Every change is saved as you make it."
            )
            self.left_label.setText(
                f"Left to agree: {left} of {m.disagreements} differences"
                if left
                else f"All {m.disagreements} differences agreed, with reasons"
            )
        self.finalise_button.setEnabled(m.status == "draft")
        if m.status != "draft":  # Enter closes a finalised moderation
            self.set_action_button(self.close_button)
        self._show_keys(self.table.currentIndex())
        if self.missing_panel.isVisible():  # the list shrinks as the work is done
            self._show_missing()
        self._rows_timer.start(0)
        self.layout().activate()  # the wrapped lines above may have grown: place them now

    # -- layout ------------------------------------------------------------------------------
    def _size_columns(self) -> None:
        """The question takes what is left; each rating column is as wide as its longest
        level (capped, then wrapped), so it never changes as ratings are chosen."""
        fm = self.table.fontMetrics()
        em = fm.horizontalAdvance("M")
        labels = [label for ls in self.model.levels.values() for _, label in ls]
        widest = max([fm.horizontalAdvance(t) for t in (*labels, NOT_ASKED, "Reading A")])
        rating_w = min(widest + em, 10 * em)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(3 * em)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(
            self.model.col_marker(), QHeaderView.ResizeMode.ResizeToContents
        )
        for col in range(2, self.model.col_reason()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, rating_w)
        agreed_w = max(rating_w, self.table.fontMetrics().horizontalAdvance("Agreed rating") + em)
        header.resizeSection(self.model.col_agreed(), agreed_w)
        header.setSectionResizeMode(self.model.col_reason(), QHeaderView.ResizeMode.Interactive)
        self._size_reason()

    def _size_reason(self) -> None:
        """The reason a fair share of the table: a quarter, between 12 and 30 characters."""
        if self.model.m is None:
            return
        em = self.table.fontMetrics().horizontalAdvance("M")
        share = self.table.viewport().width() // 4
        self.table.horizontalHeader().resizeSection(
            self.model.col_reason(), max(12 * em, min(30 * em, share))
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._size_reason()
        self._rows_timer.start(0)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._size_reason()
        self.table.resizeRowsToContents()  # now that the columns have their real widths
        if self.table.currentIndex().isValid():
            self.table.scrollTo(self.table.currentIndex())

    def _apply_filter(self) -> None:
        only = self.only_differences.isChecked()
        for row in range(self.model.rowCount()):
            self.table.setRowHidden(row, only and not self.model.item(row).disagree)
        current = self.table.currentIndex()
        if current.isValid() and self.table.isRowHidden(current.row()):
            self.next_difference()

    def _show_keys(self, index: QModelIndex) -> None:
        if not index.isValid() or self.model.m is None or not self.model.editable:
            self.keys_line.setText("")
            return
        row = self.model.item(index.row())
        levels = dict(self.model.levels.get(row.item_id, []))
        keys = self.model.keys.get(row.item_id, {})
        self.keys_line.setText(
            f"Keys for {self.model.number(index.row())}: "
            + " · ".join(f"{k} {levels.get(v, v)}" for k, v in keys.items())
            + " · Delete clears · Enter: the reason · F2: a list of the levels"
        )

    # -- keyboard flow -----------------------------------------------------------------------
    def rate_by_key(self, key: str) -> None:
        """The editor's rating key on the current row: the agreed rating, then its reason."""
        index = self.table.currentIndex()
        if not index.isValid() or not self.model.editable:
            return
        row = self.model.item(index.row())
        if not row.applies:
            return
        if key and key not in self.model.keys.get(row.item_id, {}):
            self.error.setText(f"No level of {self.model.number(index.row())} has the key {key}.")
            self.error.show()
            return
        value = self.model.keys[row.item_id][key] if key else None
        if value != row.agreed and not self.save(row.item_id, value, audits.UNSET, later=False):
            return
        if value is not None and row.disagree:
            self.edit_reason()

    def edit_reason(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        reason = self.model.index(index.row(), self.model.col_reason())
        if not self.model.flags(reason) & Qt.ItemFlag.ItemIsEditable:
            return
        self.table.setCurrentIndex(reason)
        self.table.edit(reason)

    def _reason_closed(self, _editor, hint) -> None:
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:  # Enter: go on
            here = QPersistentModelIndex(self.table.currentIndex())
            QTimer.singleShot(0, lambda: self._go_on_from(here))

    def _go_on_from(self, here: QPersistentModelIndex) -> None:
        # only if the person has not already moved on (or started typing elsewhere)
        editing = self.table.state() == QAbstractItemView.State.EditingState
        if not editing and self.table.currentIndex() == QModelIndex(here):
            self.next_difference()

    def next_difference(self) -> None:
        """The next difference still to agree (after the current row, wrapping round);
        when none is left, the Finalise button."""
        if self.model.m is None:
            return
        count = self.model.rowCount()
        start = self.table.currentIndex().row()
        for step in range(1, count + 1):
            row = (start + step) % count
            if self.model.left(self.model.item(row)) and not self.table.isRowHidden(row):
                index = self.model.index(row, self.model.col_agreed())
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                self.table.setFocus()
                return
        if self.model.editable:
            self.finalise_button.setFocus()

    # -- saving ------------------------------------------------------------------------------
    def save(self, item_id: str, rating, note, later: bool = True) -> bool:
        try:
            audits.answer(self.session.db, self.moderation_id, item_id, rating, note)
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return False
        self.error.hide()
        if later:  # after the cell's editor has closed: never rebuild under an open editor
            QTimer.singleShot(0, self._reload_if_open)
        else:
            self.reload()
        return True

    def _reload_if_open(self) -> None:
        if self.session.is_open and self.isVisible():
            self.reload()

    # -- finalising ----------------------------------------------------------------------
    def missing(self) -> list[tuple[int, str]]:
        """(row, what it still needs) before the moderation can be finalised, in order."""
        unrated = {i for _, i, _ in audits.missing_required(self.session.db, self.moderation_id)}
        out = []
        for n, row in enumerate(self.model.m.items):
            needs = [
                w
                for w, on in (
                    ("an agreed rating", row.item_id in unrated),
                    ("a reason", row.needs_reason),
                )
                if on
            ]
            if needs:
                out.append((n, " and ".join(needs)))
        return out

    def _show_missing(self) -> bool:
        """List what is missing, each a link to its row; False when nothing is."""
        missing = self.missing() if self.model.editable else []
        if not missing:
            self.missing_panel.hide()
            return False
        n = len(missing)
        self.missing_panel.title.setText(
            f"{n} item{'s' if n != 1 else ''} still need{'s' if n == 1 else ''} an agreed "
            "rating or a reason before this moderation can be finalised:"
        )
        self.missing_panel.links.setText(
            "<br>".join(
                f'<a href="{row}">{escape(self.model.number(row))} '
                f"{escape(_short(self.model.item(row).question))}</a>: needs {what}"
                for row, what in missing
            )
        )
        self.missing_panel.scroll.show()
        self.missing_panel.finalise_button.hide()
        self.missing_panel.show()
        return True

    def go_to(self, row_text: str) -> None:
        """A link in the list of what is missing: its row, where the work is."""
        row = int(row_text)
        if self.table.isRowHidden(row):
            self.only_differences.setChecked(False)
        item = self.model.item(row)
        col = self.model.col_reason() if item.agreed else self.model.col_agreed()
        self.table.setCurrentIndex(self.model.index(row, col))
        self.table.scrollTo(self.table.currentIndex())
        self.table.setFocus()

    def finalise(self) -> None:
        if not self.finalise_button.isEnabled():
            return
        self.reload()  # decide on what is stored, not on a refresh still to come
        if self._show_missing():  # say what is missing first, as the editor does
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
            return
        self.error.hide()
        self.reload()


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
