"""The audit editor: themes on the left with their progress, one theme's questions at a time.

Every change goes through the core at once (ratings) or after a short pause in typing
(notes and summary text), each as an undoable step. The editor keeps only what it needs
to show; it holds no rule about audits (the core decides what is shown, missing or final).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from audit_tool import audits
from audit_tool.changes import Changes
from audit_tool.completion import theme_progress
from audit_tool.domain import Audit, Recommendation
from audit_tool.errors import AuditToolError
from ui.common.messages import show_error
from ui.common.styles import editor_qss
from ui.editor.document import AuditDocument, Unsaved
from ui.editor.header import EditorHeader, ReadOnlyBanner
from ui.editor.item_widget import ItemWidget
from ui.editor.missing_panel import MissingPanel
from ui.editor.summary_page import SummaryPage
from ui.editor.theme_page import ThemeList, scrolled, theme_page
from ui.editor.undo_commands import RateCommand, RecommendationsCommand, Target, TextCommand
from ui.session import Session

if TYPE_CHECKING:
    from audit_tool.checklists.model import Theme


class AuditEditor(QWidget):
    audit_changed = Signal(str)  # the list shows fresh progress for this audit
    back_requested = Signal()
    amend_requested = Signal()
    finalise_requested = Signal()
    concern_requested = Signal()
    history_requested = Signal(str, object)  # audit id, item id or None for the whole audit

    def __init__(
        self, session: Session, show_identifiers: Callable[[], bool], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditEditor")
        self.session = session
        self._show_ids = show_identifiers
        self.undo_stack = QUndoStack(self)
        self.doc = AuditDocument(session)  # what is stored and what failed; no widgets
        self.items: dict[str, ItemWidget] = {}
        self._item_theme: dict[str, int] = {}
        self._pages: dict[int, QWidget] = {}
        self._quiet = False  # no message boxes while locking or closing

        self.header = EditorHeader(self.fontMetrics())
        h = self.header
        self.back_button, self.title, self.meta = h.back_button, h.title, h.meta
        self.save_state, self.progress = h.save_state, h.progress
        self.back_button.clicked.connect(self.back_requested.emit)
        self.read_only_banner = ReadOnlyBanner()
        self.read_only_banner.amend_button.clicked.connect(self.amend_requested.emit)
        self.missing = MissingPanel()
        self.missing.jump.connect(self.show_item)
        self.missing.finalise_again.connect(self.finalise_requested.emit)

        # -- themes and pages ------------------------------------------------------------------
        self.themes = ThemeList()
        self.themes.currentRowChanged.connect(self._on_theme_row)
        self.pages = QStackedWidget()
        self.summary = SummaryPage()
        self.summary.text_dirty.connect(lambda _f: self.save_state.saving())
        self.summary.text_ready.connect(self._summary_ready)
        self.summary.recommendations_ready.connect(self._recommendations_ready)
        self.summary.action_changed.connect(self._action_changed)
        self.summary.concern_requested.connect(self.concern_requested.emit)
        self._summary_scroll = scrolled(self.summary)
        self.pages.addWidget(self._summary_scroll)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("editorSplitter")
        self.splitter.addWidget(self.themes)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        em = self.fontMetrics().horizontalAdvance("M")
        self.splitter.setSizes([18 * em, 60 * em])

        self._apply_style()
        QApplication.instance().focusChanged.connect(self._focus_moved)
        self._current_item: ItemWidget | None = None

        layout = QVBoxLayout(self)
        layout.addLayout(self.header)
        layout.addWidget(self.read_only_banner)
        layout.addWidget(self.missing)
        layout.addWidget(self.splitter, 1)

    @property
    def audit(self) -> Audit | None:
        return self.doc.audit

    @property
    def ratings(self) -> dict[str, str | None]:
        return self.doc.ratings

    def _apply_style(self) -> None:
        qss = editor_qss(QApplication.palette())
        if qss != self.styleSheet():  # setting it again would only re-polish every widget
            self.setStyleSheet(qss)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light/dark scheme switched
            self._apply_style()

    # -- opening and closing --------------------------------------------------------------------
    def open(self, audit_id: str) -> None:
        """Show an audit (raises AuditToolError if it cannot be read)."""
        audit = self.doc.read(audit_id)  # raises before anything is cleared
        self.clear()
        self.doc.take(audit)
        definition = audit.checklist.definition
        for t_index, theme in enumerate(definition.themes):
            for item in theme.items:
                self._item_theme[item.id] = t_index
        self.summary.load(audit)
        self.summary.set_actions(self.doc.actions())
        self._refresh_header()
        self.themes.fill(definition)
        self._refresh_progress()
        self.show_theme(0)

    def clear(self) -> None:
        """Forget the audit and every widget showing its data (closing or locking)."""
        self.undo_stack.clear()
        for widget in self.items.values():
            # Hiding a page moves the focus out of a note, which would try to save it again
            # (and show a box over the lock screen); what failed was taken by unsaved().
            widget.blockSignals(True)
        self.missing.hide()
        self.read_only_banner.hide()
        with QSignalBlocker(self.themes):
            self.themes.clear()
        for page in self._pages.values():
            self.pages.removeWidget(page)
            # Out of the window now, not whenever the event loop gets to deleteLater:
            # a lock must leave no case text anywhere in the window tree.
            page.hide()
            page.setParent(None)
            page.deleteLater()
        self._pages.clear()
        self.items.clear()
        self._current_item = None
        self._item_theme.clear()
        self.doc.reset()
        for field in self.summary.edits:
            self.summary.set_text(field, "")
        self.summary.set_recommendations(())
        self.summary.set_concerns(())
        self.header.clear()

    def flush(self, quiet: bool = False) -> list[str]:
        """Save typing that waits for its pause; returns what could not be saved.

        quiet: no message box (locking or closing): the save indicator still says it."""
        self._quiet = quiet
        try:
            for widget in list(self.items.values()):
                widget.flush()
            self._commit_table_editor()
            self.summary.flush()
        finally:
            self._quiet = False
        return sorted(self.doc.failed)

    def unsaved(self) -> list[Unsaved]:
        """What could not be saved, with the text to put back (call after flush())."""
        return self.doc.unsaved(self._typed)

    def _typed(self, kind: str, key: str) -> object:
        """What the box of a failed save shows now (None for a rating)."""
        if kind == "note" and key in self.items:
            return self.items[key].note_text()
        if kind == "summary":
            return self.summary.field_text(key)
        if kind == "recommendations":
            return self.summary.recommendations()
        return None

    def put_back(self, unsaved: list[Unsaved]) -> None:
        """Show kept text again as if just typed: it is saved after the usual pause.
        Ends on the first of them."""
        go_to: Callable[[], None] | None = None
        for u in unsaved:
            if self.audit is None or u.audit_id != self.audit.id or u.value is None:
                continue
            kind, _, name_ = u.key.partition(":")
            if kind == "note" and name_ in self._item_theme:
                self.show_theme(self._item_theme[name_])  # builds the page if need be
                self.items[name_].note.setPlainText(str(u.value))
                go_to = go_to or (lambda item=name_: self.show_item(item))
            elif kind == "summary" and name_ in self.summary.edits:
                self.summary.edits[name_].setPlainText(str(u.value))
                go_to = go_to or self.show_summary
            elif kind == "recommendations":
                self.summary.set_recommendations(u.value)  # type: ignore[arg-type]
                self.summary.mark_recommendations_unsaved()
                self.summary.flush_recommendations()
                go_to = go_to or self.show_summary
        if go_to is not None:
            go_to()

    def has_unsaved(self) -> bool:
        return (
            bool(self.doc.failed)
            or any(w.is_dirty() for w in self.items.values())
            or self.summary.is_dirty()
        )

    def _commit_table_editor(self) -> None:
        focus = QApplication.focusWidget()
        if (
            focus is not None
            and self.summary.recs.isAncestorOf(focus)
            and focus is not self.summary.recs
        ):
            self.summary.recs.commitData(focus)

    # -- header and progress ----------------------------------------------------------------------
    def _refresh_header(self) -> None:
        if self.audit is None:
            return
        self.header.show_audit(self.audit, self._show_ids())
        if self.read_only_banner.show_for(self.audit):
            self.save_state.read_only()

    def refresh_identifiers(self) -> None:
        self._refresh_header()

    def _refresh_progress(self) -> None:
        if self.audit is None:
            return
        definition = self.audit.checklist.definition
        per_theme = theme_progress(definition, self.ratings)
        answered = sum(a for a, _ in per_theme.values())
        total = sum(n for _, n in per_theme.values())
        self.header.show_progress(answered, total)
        self.themes.show_progress(definition, per_theme)

    # -- pages -----------------------------------------------------------------------------------
    def _on_theme_row(self, row: int) -> None:
        if row >= 0:
            self.show_theme(row)

    def show_theme(self, index: int) -> None:
        if self.audit is None:
            return
        themes = self.audit.checklist.definition.themes
        with QSignalBlocker(self.themes):
            self.themes.setCurrentRow(index)
        if index >= len(themes):
            self.pages.setCurrentWidget(self._summary_scroll)
            return
        page = self._pages.get(index)
        if page is None:
            page = self._pages[index] = self._build_page(index, themes[index])
            self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    def current_theme(self) -> int:
        return self.themes.currentRow()

    def _build_page(self, index: int, theme: Theme) -> QScrollArea:
        assert self.audit is not None
        return theme_page(
            index, theme, self.audit, self.doc, self.items, self._wire, self._go_theme
        )

    def _wire(self, w: ItemWidget) -> None:
        w.rating_chosen.connect(self._rating_chosen)
        w.note_dirty.connect(lambda _i: self.save_state.saving())
        w.note_ready.connect(self._note_ready)
        w.move_focus.connect(self._move_focus)
        # Tab from a note: the next question's rating (History… and Guidance are a Tab away
        # backwards, or a click); from the last question, on as usual
        w.note.on_tab = lambda item_id=w.item.id: self._move_focus(item_id, 1)
        w.history_requested.connect(
            lambda item_id: self.history_requested.emit(self.audit.id, item_id)
        )

    def _go_theme(self, index: int) -> None:
        self.show_theme(index)
        if index < len(self.audit.checklist.definition.themes):
            first = next((w for w in self._theme_widgets(index) if not w.isHidden()), None)
            if first is not None:
                first.rating.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.summary.edits["summary"].setFocus(Qt.FocusReason.OtherFocusReason)

    def next_theme(self, delta: int) -> None:
        if self.audit is None:
            return
        count = len(self.audit.checklist.definition.themes) + 1
        self._go_theme(max(0, min(count - 1, self.current_theme() + delta)))

    def _theme_widgets(self, index: int) -> list[ItemWidget]:
        theme = self.audit.checklist.definition.themes[index]
        return [self.items[i.id] for i in theme.items if i.id in self.items]

    def show_item(self, item_id: str) -> None:
        """Go to a question: its theme, scrolled into view, focus on its rating."""
        if self.audit is None or item_id not in self._item_theme:
            return
        index = self._item_theme[item_id]
        self.show_theme(index)
        widget = self.items.get(item_id)
        if widget is None:
            return
        page = self._pages[index]
        if isinstance(page, QScrollArea):
            page.ensureWidgetVisible(widget)
        widget.rating.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_summary(self) -> None:
        if self.audit is not None:
            self.show_theme(len(self.audit.checklist.definition.themes))

    def _move_focus(self, item_id: str, delta: int) -> bool:
        """Up/Down on a rating: the previous/next question that is shown, across themes.
        False when there is none."""
        definition = self.audit.checklist.definition
        order = [i.id for _, i in definition.items()]
        pos = order.index(item_id) + delta
        while 0 <= pos < len(order):
            candidate = definition.item(order[pos])
            if definition.visible(candidate, self.ratings):
                self.show_item(candidate.id)
                return True
            pos += delta
        return False

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Outline the question that has the keyboard focus."""
        current = None
        for widget in self.items.values():
            if new is not None and (new is widget or widget.isAncestorOf(new)):
                current = widget
                break
        if current is self._current_item:
            return
        for widget in (self._current_item, current):
            if widget is not None:
                widget.setProperty("current", widget is current)
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self._current_item = current

    def focused_item(self) -> str | None:
        focus = QApplication.focusWidget()
        for item_id, widget in self.items.items():
            if focus is not None and (focus is widget or widget.isAncestorOf(focus)):
                return item_id
        return None

    # -- changes from the widgets -> undoable steps ------------------------------------------------
    def _rating_chosen(self, item_id: str, value: str | None) -> None:
        old = self.ratings.get(item_id)
        if value != old:
            self.undo_stack.push(RateCommand(self, item_id, old, value))

    def _note_ready(self, item_id: str, text: str) -> None:
        old = self.doc.notes.get(item_id, "")
        if text == old:
            self.doc.failed.discard(f"note:{item_id}")
            self._saved()
            return
        self.undo_stack.push(TextCommand(self, ("note", item_id), old, text))

    def _summary_ready(self, field: str, text: str) -> None:
        old = self.doc.summary_saved.get(field, "")
        if text == old:
            self.doc.failed.discard(f"summary:{field}")
            self._saved()
            return
        self.undo_stack.push(TextCommand(self, ("summary", field), old, text))

    def _recommendations_ready(self, recs: tuple[Recommendation, ...]) -> None:
        if recs == self.doc.recs_saved:
            self._saved()
            return
        self.undo_stack.push(RecommendationsCommand(self, self.doc.recs_saved, recs))

    def undo(self) -> None:
        self.flush()  # typing in progress becomes a step first, so Undo takes it back
        self.undo_stack.undo()

    def redo(self) -> None:
        self.flush()
        self.undo_stack.redo()

    # -- saving through the core (called by the undo steps) ----------------------------------------
    def apply_rating(self, item_id: str, value: str | None, navigate: bool) -> bool:
        if self.audit is None:
            return False
        try:
            change = self.doc.rate(item_id, value)
        except AuditToolError as exc:
            self._fail(f"rating:{item_id}", exc)
            widget = self.items.get(item_id)
            if widget is not None:
                widget.set_rating(self.ratings.get(item_id))
            return False
        self.summary.set_facts(self.audit.checklist.definition, self.ratings)  # facts as facts
        widget = self.items.get(item_id)
        if widget is not None:
            widget.set_rating(change.answer.rating)
        for shown in change.shown:
            if shown in self.items:
                self.items[shown].setVisible(True)
        for hidden in change.hidden:
            if hidden in self.items:
                self.items[hidden].setVisible(False)
        self._after_save(navigate, item_id)
        return True

    def save_text(self, target: Target, text: str, update_widget: bool, navigate: bool) -> bool:
        if self.audit is None:
            return False
        kind, key = target
        try:
            self.doc.save_text(kind, key, text)
        except AuditToolError as exc:
            self._fail(f"{kind}:{key}", exc)
            if kind == "note" and key in self.items:
                self.items[key].mark_unsaved()
            elif kind == "summary":
                self.summary.mark_unsaved(key)
            return False
        if kind == "note":
            if update_widget and key in self.items:
                self.items[key].set_note(text)
            elif update_widget:
                self.show_item(key)
                self.items[key].set_note(text)
        elif update_widget:
            self.summary.set_text(key, text)
        if navigate:
            if kind == "note":
                self.show_item(key)
            else:
                self.show_summary()
        self._after_save(False, None)
        return True

    def save_recommendations(
        self, recs: tuple[Recommendation, ...], update_widget: bool, navigate: bool
    ) -> bool:
        if self.audit is None:
            return False
        try:
            self.doc.save_recommendations(recs)
        except AuditToolError as exc:
            self._fail("recommendations", exc)
            self.summary.mark_recommendations_unsaved()
            return False
        if update_widget:
            self.summary.set_recommendations(recs)
        self.summary.set_actions(self.doc.actions())  # the tracking moved with its recommendation
        if navigate:
            self.show_summary()
        self._after_save(False, None)
        return True

    def _action_changed(self, pos: int, status: str, body: str, link: str) -> None:
        """A recommendation's status, body or item: saved at once, outside the undo steps."""
        if self.audit is None:
            return
        try:
            self.doc.save_action(pos, status, body, link)
        except AuditToolError as exc:
            self._fail(f"action:{pos}", exc)
        self.summary.set_actions(self.doc.actions())  # what is stored (a new row's save reset it)
        self._saved()  # says nothing while something failed
        self.audit_changed.emit(self.audit.id)

    def _after_save(self, navigate: bool, item_id: str | None) -> None:
        self._refresh_progress()
        if navigate and item_id:
            self.show_item(item_id)
        if self.missing.isVisible():
            self.refresh_missing()
        self._saved()
        self.audit_changed.emit(self.audit.id)

    def _saved(self) -> None:
        if self.doc.failed:
            return
        if any(w.is_dirty() for w in self.items.values()) or self.summary.is_dirty():
            self.save_state.saving()
        else:
            self.save_state.saved(datetime.now().strftime("%H:%M"))

    def unexpected_failure(self) -> None:
        """A bug (not an AuditToolError) stopped something half way, perhaps a save: the
        indicator must not keep saying "Saved". The next change that saves says so again."""
        if self.audit is not None:
            self.save_state.failed("something went wrong with the last change")

    def _fail(self, key: str, exc: AuditToolError) -> None:
        """The document has noted it; say it (one box per problem, none while locking)."""
        self.save_state.failed(str(exc))
        if not self._quiet and self.doc.announce(key):
            show_error(self, exc, "Not saved")

    # -- finalising --------------------------------------------------------------------------------
    def show_missing(self, missing: list[tuple[str, str, str]]) -> None:
        self.missing.show_missing(missing, self.doc.numbers())
        if missing:
            self.missing.links.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh_missing(self) -> None:
        if self.audit is None:
            return
        try:
            self.missing.show_missing(
                audits.missing_required(self.session.db, self.audit.id), self.doc.numbers()
            )
        except AuditToolError:
            self.missing.hide()

    def reload(self) -> None:
        """Read the audit again (after finalising or amending), staying on the same theme."""
        if self.audit is None:
            return
        theme = self.current_theme()
        self.open(self.audit.id)
        self.show_theme(max(0, theme))
        self.audit_changed.emit(self.audit.id)

    # -- writes made elsewhere ----------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        """Another write touched the open audit: deleted -> closed; finalised or amended ->
        read again; content -> read again only if it is not what is shown (a concern
        raised changes the summary page's list, not the answers, and keeps Undo)."""
        audit = self.audit
        if audit is None or self.doc.publishing or not changes.touches(audit.id):
            return
        if audit.id in changes.removed:
            self.clear()
            return
        if audit.id in changes.status:
            self.missing.hide()
            self.reload()
            return
        try:
            stored = self.doc.read(audit.id)
        except AuditToolError:
            return
        if self.doc.differs(stored) or stored.status != audit.status:
            self.reload()
        else:
            self.summary.set_concerns(stored.concerns)

    # -- where the reviewer was (for locking) ------------------------------------------------------
    def state(self) -> dict:
        if self.audit is None:
            return {}
        page = self.pages.currentWidget()
        scroll = page.verticalScrollBar().value() if isinstance(page, QScrollArea) else 0
        return {
            "audit_id": self.audit.id,
            "theme": self.current_theme(),
            "item": self.focused_item(),
            "scroll": scroll,
        }

    def restore(self, state: dict) -> None:
        if not state.get("audit_id"):
            return
        self.open(state["audit_id"])
        self.show_theme(max(0, state.get("theme", 0)))
        page = self.pages.currentWidget()
        if state.get("item"):
            self.show_item(state["item"])
        elif isinstance(page, QScrollArea):
            page.verticalScrollBar().setValue(state.get("scroll", 0))
