"""The last page of an audit: overall summary, strengths, areas for improvement,
recommendations with an owner, and the matters of concern recorded (never their details)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audit_tool.actions import BODIES, BODY_NAMES, STATUSES, Action
from audit_tool.domain import SUMMARY_FIELDS, Audit, Concern, Recommendation

if TYPE_CHECKING:
    from audit_tool.checklists.model import Checklist

from ui.common import palette
from ui.common.accessibility import name
from ui.common.numbers import item_numbers
from ui.editor.identifier_hint import IdentifierHint
from ui.editor.item_widget import NOTE_DEBOUNCE_MS, NoteEdit

REC_COLUMNS = ("Recommendation", "Owner", "Due by", "Status", "Body", "Answers item")
_HINTS = {
    "summary": "A short overall view of the file: what the record shows about practice.",
    "strengths": (
        "What the record does well (e.g. the survivor's protective efforts are written down)."
    ),
    "improvements": (
        "What would make the record domestic abuse-informed "
        "(e.g. name the perpetrator's behaviour)."
    ),
}


class SummaryPage(QWidget):
    text_dirty = Signal(str)  # field
    text_ready = Signal(str, str)  # field, text
    recommendations_ready = Signal(object)  # tuple[Recommendation, ...]
    action_changed = Signal(int, str, str, str)  # position, status, body, item answered
    concern_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryPage")
        self._loading = False
        self._dirty: set[str] = set()
        self.edits: dict[str, NoteEdit] = {}
        self._timers: dict[str, QTimer] = {}
        self.hints: dict[str, IdentifierHint] = {}
        layout = QVBoxLayout(self)
        title = QLabel("Summary and recommendations")
        palette.heading_font(title, 1.2)
        layout.addWidget(title)
        # the audit's facts, read as facts ("Sex of the person who died: Female"), not ratings
        self.facts_label = QLabel("Facts recorded")
        palette.heading_font(self.facts_label, 1.0)
        self.facts = QLabel()
        self.facts.setObjectName("factsRecorded")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        name(self.facts, "Facts recorded", "Facts about the case: counted in reports, not scored.")
        layout.addWidget(self.facts_label)
        layout.addWidget(self.facts)
        for field, label_text in SUMMARY_FIELDS.items():
            label = QLabel(label_text)
            palette.heading_font(label, 1.0)
            edit = NoteEdit(min_lines=3, max_lines=14)
            edit.setPlaceholderText(_HINTS.get(field, ""))
            name(edit, label_text)
            label.setBuddy(edit)
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(NOTE_DEBOUNCE_MS)
            timer.timeout.connect(lambda f=field: self.flush_field(f))
            edit.textChanged.connect(lambda f=field: self._typed(f))
            edit.focus_left.connect(lambda f=field: self.flush_field(f))
            self.edits[field], self._timers[field] = edit, timer
            layout.addWidget(label)
            layout.addWidget(edit)
            self.hints[field] = IdentifierHint(edit)
            layout.addWidget(self.hints[field])

        rec_label = QLabel("Recommendations")
        palette.heading_font(rec_label, 1.0)
        self.recs = QTableWidget(0, len(REC_COLUMNS))
        self.recs.setHorizontalHeaderLabels(list(REC_COLUMNS))
        name(
            self.recs, "Recommendations", "Each recommendation with who owns it, when it is due, "
            "its status, the body responsible and the item it answers."
        )
        self._items: list[tuple[str, str]] = []  # (item id, '2.3 question') a link may name
        self.recs.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.recs.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.recs.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        em = self.fontMetrics().horizontalAdvance("M")
        self.recs.setColumnWidth(1, 10 * em)
        self.recs.setColumnWidth(2, int(8.5 * em))
        for col, width in ((3, 8), (4, 9.5), (5, 11)):  # status, body, item answered
            self.recs.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.recs.setColumnWidth(col, int(width * em))
        self.recs.verticalHeader().setVisible(False)
        self.recs.setTabKeyNavigation(False)
        self.recs.setWordWrap(True)
        self.recs.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.recs.setMinimumHeight(5 * self.fontMetrics().lineSpacing())
        self.recs.setMaximumHeight(12 * self.fontMetrics().lineSpacing())
        self.recs.itemChanged.connect(self._recs_edited)
        self._rec_timer = QTimer(self)
        self._rec_timer.setSingleShot(True)
        self._rec_timer.setInterval(NOTE_DEBOUNCE_MS)
        self._rec_timer.timeout.connect(self.flush_recommendations)
        self._recs_dirty = False
        rec_label.setBuddy(self.recs)
        self.add_rec = QPushButton("Add recommendation")
        self.remove_rec = QPushButton("Remove selected")
        name(self.add_rec, "Add a recommendation")
        name(self.remove_rec, "Remove the selected recommendation")
        self.add_rec.clicked.connect(self._add_row)
        self.remove_rec.clicked.connect(self._remove_row)
        rec_buttons = QHBoxLayout()
        rec_buttons.addWidget(self.add_rec)
        rec_buttons.addWidget(self.remove_rec)
        rec_buttons.addStretch(1)
        layout.addWidget(rec_label)
        layout.addWidget(self.recs)
        layout.addLayout(rec_buttons)

        concern_label = QLabel("Matters of concern")
        palette.heading_font(concern_label, 1.0)
        self.concerns = QLabel()
        self.concerns.setWordWrap(True)
        self.concern_button = QPushButton("Record a matter of concern…")
        name(self.concern_button, "Record a matter of concern")
        self.concern_button.clicked.connect(self.concern_requested.emit)
        layout.addWidget(concern_label)
        layout.addWidget(self.concerns)
        layout.addWidget(self.concern_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    # -- loading ------------------------------------------------------------------------------
    def load(self, audit: Audit) -> None:
        # the items a recommendation may answer, before its rows (and their lists) are made
        numbers = item_numbers(audit.checklist.definition)
        self._items = [(item.id, f"{numbers.get(item.id, item.id)} {item.question}")
                       for _, item in audit.checklist.definition.items()]
        self.set_facts(audit.checklist.definition, audit.ratings)
        for field, edit in self.edits.items():
            self.set_text(field, getattr(audit, field))
            edit.setReadOnly(audit.read_only)
        self.set_recommendations(audit.recommendations)
        self.set_concerns(audit.concerns)
        ro = audit.read_only
        self.recs.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers
            if ro
            else QAbstractItemView.EditTrigger.AllEditTriggers
        )
        self.add_rec.setEnabled(not ro)
        self.remove_rec.setEnabled(not ro)

    def set_text(self, field: str, text: str) -> None:
        edit = self.edits[field]
        if edit.toPlainText() == text:
            return
        self._loading = True
        try:
            edit.setPlainText(text)
        finally:
            self._loading = False

    def set_facts(self, definition: Checklist, ratings: dict[str, str | None]) -> None:
        """The audit's facts as 'question: answer' lines; hidden for a checklist without."""
        from audit_tool.findings.facts import audit_facts

        rows = audit_facts(definition, ratings)
        self.facts.setText("\n".join(f"{q}: {a}" for q, a in rows))
        self.facts_label.setVisible(bool(rows))
        self.facts.setVisible(bool(rows))

    def set_recommendations(self, recs: tuple[Recommendation, ...]) -> None:
        with QSignalBlocker(self.recs):
            self.recs.setRowCount(0)
            for r in recs:
                self._append(r.text, r.owner, r.due)

    def set_concerns(self, concerns: tuple[Concern, ...]) -> None:
        if not concerns:
            self.concerns.setText(
                "None recorded. If you find a child or adult at risk, raise it at once "
                "through your "
                "agency's procedure, then record here that you did."
            )
            return
        lines = [
            f"• Raised on {c.raised_on} with {c.raised_to}, by {c.raised_by}." for c in concerns
        ]
        self.concerns.setText("\n".join(lines))

    def field_text(self, field: str) -> str:
        return self.edits[field].toPlainText()

    # -- typing --------------------------------------------------------------------------------
    def _typed(self, field: str) -> None:
        if self._loading or self.edits[field].isReadOnly():
            return
        self._dirty.add(field)
        self.text_dirty.emit(field)
        self._timers[field].start()

    def flush_field(self, field: str) -> None:
        self._timers[field].stop()
        if field in self._dirty:
            self._dirty.discard(field)
            self.text_ready.emit(field, self.edits[field].toPlainText())

    def mark_unsaved(self, field: str) -> None:
        self._dirty.add(field)

    def flush(self) -> None:
        for field in list(self.edits):
            self.flush_field(field)
        self.flush_recommendations()

    def is_dirty(self) -> bool:
        return bool(self._dirty) or self._recs_dirty

    # -- recommendations ------------------------------------------------------------------------
    def _append(self, text: str = "", owner: str = "", due: str = "") -> int:
        row = self.recs.rowCount()
        self.recs.insertRow(row)
        for col, value in enumerate((text, owner, due)):
            self.recs.setItem(row, col, QTableWidgetItem(value))
        self._add_action_cells(row)
        return row

    # -- tracking as actions (audit_tool/actions.py): changeable after finalising too -----------
    def _add_action_cells(self, row: int) -> None:
        status, body, link = QComboBox(), QComboBox(), QComboBox()
        for s in STATUSES:
            status.addItem(s.capitalize(), s)
        body.addItem("Not given", "")
        for b in BODIES:
            body.addItem(b, b)
            body.setItemData(body.count() - 1, BODY_NAMES[b], Qt.ItemDataRole.ToolTipRole)
        link.addItem("No item", "")
        for item_id, text in self._items:
            link.addItem(text if len(text) <= 60 else text[:59] + "…", item_id)
            link.setItemData(link.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        # the closed list shows the item's number and the start of its question: the whole in a tip
        link.currentIndexChanged.connect(
            lambda i, c=link: c.setToolTip(c.itemData(i, Qt.ItemDataRole.ToolTipRole) or ""))
        for combo, what in ((status, "Status"), (body, "Body responsible"), (link, "Item it answers")):
            combo.setObjectName(f"rec{what.split()[0]}")
            name(combo, f"{what} of recommendation {row + 1}")
            combo.currentIndexChanged.connect(lambda _i, c=combo: self._action_edited(c))
        for col, combo in zip((3, 4, 5), (status, body, link), strict=True):
            self.recs.setCellWidget(row, col, combo)

    def action_combos(self, row: int) -> tuple[QComboBox, QComboBox, QComboBox]:
        return tuple(self.recs.cellWidget(row, c) for c in (3, 4, 5))  # type: ignore[return-value]

    def set_actions(self, actions: dict[int, Action]) -> None:
        """Show each saved recommendation's status, body and item (without emitting)."""
        for row in range(self.recs.rowCount()):
            a = actions.get(row, Action(row))
            for combo, value in zip(self.action_combos(row), (a.status, a.body, a.link), strict=True):
                with QSignalBlocker(combo):
                    combo.setCurrentIndex(max(0, combo.findData(value)))

    def _action_edited(self, combo: QComboBox) -> None:
        row = next((r for r in range(self.recs.rowCount()) if combo in self.action_combos(r)), -1)
        if row < 0:
            return
        # read before the flush: saving a new row reloads the lists from what is stored
        status, body, link = (c.currentData() for c in self.action_combos(row))
        self.flush_recommendations()  # a new row is saved first: tracking needs its place
        self.action_changed.emit(row, status, body, link)

    def _add_row(self) -> None:
        row = self._append()
        self.recs.setCurrentCell(row, 0)
        self.recs.setFocus()
        self.recs.editItem(self.recs.item(row, 0))

    def _remove_row(self) -> None:
        row = self.recs.currentRow()
        if row < 0:
            return
        self.recs.removeRow(row)
        self._recs_edited()

    def _recs_edited(self, *_args) -> None:
        self._recs_dirty = True
        self.text_dirty.emit("recommendations")
        self._rec_timer.start()

    def recommendations(self) -> tuple[Recommendation, ...]:
        out = []
        for row in range(self.recs.rowCount()):
            cells = [
                self.recs.item(row, c).text() if self.recs.item(row, c) else "" for c in range(3)
            ]  # the action cells (3-5) are saved on their own: see _action_edited
            if cells[0].strip():
                out.append(Recommendation(cells[0].strip(), cells[1].strip(), cells[2].strip()))
        return tuple(out)

    def flush_recommendations(self) -> None:
        self._rec_timer.stop()
        if self._recs_dirty:
            self._recs_dirty = False
            self.recommendations_ready.emit(self.recommendations())

    def mark_recommendations_unsaved(self) -> None:
        self._recs_dirty = True
