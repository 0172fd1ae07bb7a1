"""The audit list page: search and filters above, the lazy table, a clear empty state."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from audit_tool.domain import AuditRow, Phase, Status
from ui.common import palette
from ui.common.accessibility import label_for, name
from ui.common.palette import heading_font
from ui.list.audit_list_model import COL, COLUMNS, PROGRESS_ROLE, AuditListModel

ALL = ""  # the "any" entry of a filter drop-down
FIT_SAMPLE = 500  # rows measured when sizing columns to their content
# Columns that give way (down to their title) when everything cannot fit; the others hold
# short values that must stay whole (the pseudonym tells the rows apart).
SHRINKABLE = ("area", "checklist", "type", "reviewer")


class ProgressDelegate(QStyledItemDelegate):
    """'n of m' with a thin bar under it; only rows on screen are painted."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        fraction = max(0.0, min(1.0, float(index.data(PROGRESS_ROLE) or 0.0)))
        r = option.rect
        height = max(3, r.height() // 7)
        track = QRect(r.left() + 6, r.bottom() - height - 2, r.width() - 12, height)
        painter.save()
        pal = option.palette
        painter.fillRect(track, pal.color(QPalette.ColorRole.Mid))
        filled = QRect(track)
        filled.setWidth(round(track.width() * fraction))
        painter.fillRect(
            filled,
            palette.good(pal) if fraction >= 1.0 else pal.color(QPalette.ColorRole.Highlight),
        )
        painter.restore()


class AuditTable(QTableView):
    """The table: Enter opens the audit under the cursor."""

    activated_row = Signal(int)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class AuditListPage(QWidget):
    open_requested = Signal(str)
    selection_changed = Signal()
    filters_changed = Signal()

    def __init__(self, model: AuditListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("auditListPage")

        title = QLabel("Audits")
        heading_font(title, 1.3)

        # -- search and filters ------------------------------------------------------------
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by case, area, checklist, reviewer, notes…")
        self.search.setClearButtonEnabled(True)
        name(self.search, "Search audits", "Type to narrow the list; Ctrl+F comes back here.")
        self.search.textChanged.connect(self._on_search)

        self.status_filter = self._combo(
            "Status", "All statuses", [(s.label, s.value) for s in Status]
        )
        self.area_filter = self._combo("Area", "All areas", [])
        self.checklist_filter = self._combo("Checklist", "All checklists", [])
        self.phase_filter = self._combo("Phase", "All phases", [(p.label, p.value) for p in Phase])
        self._combos = {
            "status": self.status_filter,
            "area": self.area_filter,
            "checklist_id": self.checklist_filter,
            "phase": self.phase_filter,
        }
        for field, combo in self._combos.items():
            combo.currentIndexChanged.connect(lambda _i, f=field: self._on_combo(f))

        self.clear_button = QPushButton("Clear filters")
        name(self.clear_button, "Clear search and filters")
        self.clear_button.clicked.connect(self.clear_filters)

        search_label = QLabel("&Search:")
        label_for(search_label, self.search)
        bar = QHBoxLayout()
        bar.addWidget(search_label)
        bar.addWidget(self.search, 3)
        for label_text, combo in (
            ("S&tatus:", self.status_filter),
            ("A&rea:", self.area_filter),
            ("Chec&klist:", self.checklist_filter),
            ("&Phase:", self.phase_filter),
        ):
            lab = QLabel(label_text)
            label_for(lab, combo)
            bar.addWidget(lab)
            bar.addWidget(combo, 1)
        bar.addWidget(self.clear_button)

        # -- the table -------------------------------------------------------------------------
        self.table = AuditTable()
        self.table.setObjectName("auditTable")
        self.table.setModel(model)
        name(self.table, "Audit list", "Enter opens the selected audit.")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        # Fixed row heights: the view never measures 50,000 rows.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 10)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSortIndicator(COL["updated"], Qt.SortOrder.DescendingOrder)
        hh.setSortIndicatorShown(True)
        self._set_default_widths()
        # the snippet of a matching note sits beside the case, so it is in view on any screen
        hh.moveSection(COL["match"], COL["case"] + 1)
        self.table.setColumnHidden(COL["match"], True)
        self._fitted = False
        self._content_fitted = False  # sized to rows once they first arrive
        self._restored = False  # widths from the reviewer's last session
        self.table.setItemDelegateForColumn(COL["progress"], ProgressDelegate(self.table))
        self.table.doubleClicked.connect(lambda idx: self._open_row(idx.row()))
        self.table.activated_row.connect(self._open_row)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self._last_selected: str | None = None
        model.modelReset.connect(self._after_reset)
        model.rowsInserted.connect(lambda *_a: self._fit_once())
        self._spare_timer = QTimer(self)  # once per turn, after a resize or new rows
        self._spare_timer.setSingleShot(True)
        self._spare_timer.timeout.connect(self._give_spare)
        model.modelReset.connect(self._spare_timer.start)
        model.rowsInserted.connect(lambda *_a: self._spare_timer.start())
        self.table.viewport().installEventFilter(self)
        model.layoutChanged.connect(self._update_state)

        # -- empty states ------------------------------------------------------------------------
        self.empty = QWidget()
        self.empty_title = QLabel()
        heading_font(self.empty_title, 1.15)
        self.empty_text = QLabel()
        self.empty_text.setWordWrap(True)
        self.empty_button = QPushButton()
        self.empty_button.setAutoDefault(True)
        ev = QVBoxLayout(self.empty)
        ev.addStretch(1)
        for w in (self.empty_title, self.empty_text):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            ev.addWidget(w)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.empty_button)
        row.addStretch(1)
        ev.addLayout(row)
        ev.addStretch(2)
        self._empty_action = None

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        # -- buttons (actions are owned by the window; set with set_actions) -------------------
        self.buttons = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addLayout(self.buttons)
        self._update_state()

    def _combo(self, what: str, any_text: str, entries: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        name(combo, f"Filter by {what.lower()}")
        combo.setProperty("any", any_text)
        combo.addItem(any_text, ALL)
        for text, value in entries:
            combo.addItem(text, value)
        return combo

    def _set_default_widths(self) -> None:
        """Widths from typical text, so they scale with the font; Checklist takes the rest."""
        fm = self.table.fontMetrics()
        samples = {
            "case": "Case D0300012WW",
            "area": "Strathallan Vale (demo)",
            "checklist": "Safe & Together case file",
            "type": "Drug/alcohol death review",
            "phase": "Post-training",
            "reviewer": "Demo Reviewer Ruaridh",
            "status": "Finalised",
            "progress": "000 of 000",
            "updated": "00 Nov 0000 00:00",
            "match": "…the chronology shows [repeated] incidents since the move…",
        }
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(True)  # spare width goes to the end, never squeezes a column away
        for i, c in enumerate(COLUMNS):
            text = max(samples.get(c.key, ""), c.title, key=fm.horizontalAdvance)
            self.table.setColumnWidth(i, fm.horizontalAdvance(text) + 24)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            self._fit_columns()
        self._fit_once()

    def keep_saved_layout(self) -> None:
        """Column widths came from the reviewer's last session: leave them (but the case
        column still widens to its content when rows arrive)."""
        self._fitted = True
        self._restored = True

    def layout_measured(self) -> bool:
        """Whether the widths are worth keeping for next time: measured on rows or the
        reviewer's own. Widths guessed for an empty list are not."""
        return self._content_fitted or self._restored

    def _fit_once(self) -> None:
        # Not before the page is shown: the width it has to share out is not known yet.
        if not self._content_fitted and self.model.rowCount() > 0 and self.isVisible():
            self._content_fitted = True
            self._fit_to_content()

    def _content_width(self, col: int) -> int:
        fm = self.table.fontMetrics()
        rows = min(self.model.rowCount(), FIT_SAMPLE)
        # each distinct text measured once (statuses, phases, areas repeat): faster at start
        texts = self.model.column_texts(col, rows)
        widest = max(map(fm.horizontalAdvance, texts), default=0)
        # The cell's margins; the header's title with room for the sort arrow.
        title = self.table.horizontalHeader().fontMetrics().horizontalAdvance(COLUMNS[col].title)
        return max(widest + 16, title + 32)

    def _fit_to_content(self) -> None:
        """Rows have arrived: widths from what they hold. A restored layout is the
        reviewer's, except that the case column is never narrower than its content."""
        case = COL["case"]
        if self._restored:
            needed = self._content_width(case)
            if self.table.columnWidth(case) < needed:
                self.table.setColumnWidth(case, needed)
            return
        em = self.table.fontMetrics().horizontalAdvance("M")
        widths = [min(self._content_width(i), 30 * em) for i in range(len(COLUMNS))]
        widths[COL["match"]] = 0  # hidden until a search finds notes (then _show_matches)
        spare = self.table.viewport().width() - sum(widths)
        if spare < 0:  # narrow window: the long-text columns give way, down to their title
            shrink = [COL[k] for k in SHRINKABLE]
            room = sum(widths[i] for i in shrink)
            floor = self.table.horizontalHeader().fontMetrics()
            for i in shrink:
                minimum = floor.horizontalAdvance(COLUMNS[i].title) + 32
                widths[i] = max(minimum, widths[i] + round(spare * widths[i] / max(room, 1)))
        for i, w in enumerate(widths):
            if i != COL["match"]:
                self.table.setColumnWidth(i, w)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._spare_timer.start()
        return super().eventFilter(watched, event)

    def _give_spare(self) -> None:
        """A column cut off while the last one stretches over room it does not need (the
        window grew, or wider rows arrived): widen it from that room. Nothing shrinks."""
        if not self._content_fitted or self.model.rowCount() == 0:
            return
        hh = self.table.horizontalHeader()
        shown = [hh.logicalIndex(v) for v in range(hh.count()) if not hh.isSectionHidden(hh.logicalIndex(v))]
        if not shown:
            return
        last = shown[-1]  # the section that stretches (the notes column may sit after it, hidden)
        spare = self.table.columnWidth(last) - self._content_width(last)
        em = self.table.fontMetrics().horizontalAdvance("M")
        for i in shown[:-1]:
            if spare <= 0:
                return
            need = min(self._content_width(i), 30 * em) - self.table.columnWidth(i)
            if need > 0:
                take = min(need, spare)
                self.table.setColumnWidth(i, self.table.columnWidth(i) + take)
                spare -= take

    def _fit_columns(self) -> None:
        """On a narrow window, shrink the default widths so every column is in view."""
        available = self.table.viewport().width()
        widths = [self.table.columnWidth(i) for i in range(len(COLUMNS))]
        widths[COL["match"]] = 0  # hidden until a search finds notes
        if available <= 0 or sum(widths) <= available:
            return
        scale = available / sum(widths)
        fm = self.table.horizontalHeader().fontMetrics()
        for i, (c, w) in enumerate(zip(COLUMNS, widths, strict=True)):
            if i != COL["match"]:
                self.table.setColumnWidth(i, max(round(w * scale), fm.horizontalAdvance(c.title) + 24))

    def set_actions(self, actions: list, empty_actions: dict) -> None:
        """Buttons under the table for the window's actions; empty states offer a next step."""
        from ui.common.widgets import ActionButton

        self.buttons.addWidget(self.count_label, 1)
        for action in actions:
            self.buttons.addWidget(ActionButton(action))
        self._empty_actions = empty_actions
        self.empty_button.clicked.connect(self._run_empty_action)
        self._update_state()

    def _run_empty_action(self) -> None:
        if self._empty_action == "clear":
            self.clear_filters()
        elif self._empty_action is not None:
            self._empty_action.trigger()

    # -- filters -------------------------------------------------------------------------------
    def set_filter_choices(self, areas: list[str], checklists: list[tuple[str, str]]) -> None:
        """Fill the area and checklist drop-downs, keeping what was chosen."""
        for combo, entries in (
            (self.area_filter, [(a, a) for a in areas]),
            (self.checklist_filter, checklists),
        ):
            keep = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItem(combo.property("any") or "", ALL)
                for text, value in entries:
                    combo.addItem(text, value)
                pos = combo.findData(keep)
                combo.setCurrentIndex(max(0, pos))

    def _on_search(self, text: str) -> None:
        self.model.set_search(text)
        self.filters_changed.emit()

    def _on_combo(self, field: str) -> None:
        self.model.set_filter(field, self._combos[field].currentData() or None)
        self.filters_changed.emit()

    def clear_filters(self) -> None:
        for combo in self._combos.values():
            with QSignalBlocker(combo):
                combo.setCurrentIndex(0)
        with QSignalBlocker(self.search):
            self.search.clear()
        self.model.clear_filters()
        self.filters_changed.emit()

    def filter_state(self) -> dict:
        return {
            "search": self.search.text(),
            **{f: c.currentData() for f, c in self._combos.items()},
        }

    def restore_filter_state(self, state: dict) -> None:
        for field, combo in self._combos.items():
            pos = combo.findData(state.get(field) or ALL)
            combo.setCurrentIndex(max(0, pos))
        self.search.setText(state.get("search", ""))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- selection --------------------------------------------------------------------------------
    def current_audit_id(self) -> str | None:
        idx = self.table.currentIndex()
        return self.model.audit_id(idx.row()) if idx.isValid() else None

    def focus_table(self) -> None:
        self.table.setFocus()

    def current_row(self) -> AuditRow | None:
        """The audit row that has the cursor, or None."""
        idx = self.table.currentIndex()
        return self.model.audit_row(idx.row()) if idx.isValid() else None

    def select_audit(self, audit_id: str | None) -> None:
        if not audit_id:
            self.ensure_current()
            return
        row = self.model.row_of(audit_id)
        if row >= 0:
            idx = self.model.index(row, 0)
            self.table.setCurrentIndex(idx)
            self.table.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
        else:
            self.ensure_current()

    def ensure_current(self) -> None:
        """Keep a row current, so Enter and the audit buttons work straight away."""
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def _open_row(self, row: int) -> None:
        audit_id = self.model.audit_id(row)
        if audit_id:
            self.open_requested.emit(audit_id)

    def _current_changed(self, current, _previous) -> None:
        audit_id = self.model.audit_id(current.row()) if current.isValid() else None
        if audit_id is not None:
            self._last_selected = audit_id
        self.selection_changed.emit()

    def _after_reset(self) -> None:
        """Filtering resets the model: keep the same audit selected when it is still listed."""
        self._fit_once()
        self._show_matches()
        row = self.model.row_of(self._last_selected) if self._last_selected else -1
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
        else:
            self.ensure_current()
        self._update_state()

    def _show_matches(self) -> None:
        """The notes column while the search finds notes: a third of the table's width
        (at least 24 characters), so the other columns stay readable beside it."""
        col, show = COL["match"], self.model.has_note_matches()
        if show == (not self.table.isColumnHidden(col)):
            return
        self.table.setColumnHidden(col, not show)
        if show:
            hh = self.table.horizontalHeader()  # beside the case, even in a layout saved before
            want = hh.visualIndex(COL["case"]) + 1
            if hh.visualIndex(col) != want:
                hh.moveSection(hh.visualIndex(col), want if hh.visualIndex(col) > want else want - 1)
            em = self.table.fontMetrics().horizontalAdvance("M")
            width = max(24 * em, self.table.viewport().width() // 3)
            self.table.setColumnWidth(col, min(width, 48 * em))

    # -- states ------------------------------------------------------------------------------------
    def _update_state(self) -> None:
        total, shown = self.model.total(), self.model.rowCount()
        if shown:
            self.stack.setCurrentWidget(self.table)
        else:
            self.stack.setCurrentWidget(self.empty)
            actions = getattr(self, "_empty_actions", {})
            if total == 0 and not self.model.partial:
                self.empty_title.setText("No audits yet")
                self.empty_text.setText(
                    "Start by adding a case, then begin an audit for it. "
                    "Everything you enter is saved as you go and kept encrypted on this laptop."
                )
                self._empty_action = actions.get("new_case")
                self.empty_button.setText("Add a case…")
            elif total == 0:
                self.empty_title.setText("Loading audits…")
                self.empty_text.setText("")
                self._empty_action = None
            else:
                self.empty_title.setText("No audits match")
                self.empty_text.setText(
                    "Nothing matches the search and filters. Clear them to see every audit."
                )
                self._empty_action = "clear"
                self.empty_button.setText("Clear search and filters")
            self.empty_button.setVisible(self._empty_action is not None)
        if self.model.partial:
            self.count_label.setText(f"Showing the {total:,} most recent audits; loading the rest…")
        elif shown == total:
            self.count_label.setText(f"{total:,} audit{'s' if total != 1 else ''}")
        else:
            self.count_label.setText(f"Showing {shown:,} of {total:,} audits")
        self.selection_changed.emit()

    def shortcut_hint(self) -> str:
        return QKeySequence(QKeySequence.StandardKey.Find).toString(
            QKeySequence.SequenceFormat.NativeText
        )
