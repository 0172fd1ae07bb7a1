"""The audit editor: themes on the left with their progress, one theme's questions at a time.

Every change goes through the core at once (ratings) or after a short pause in typing
(notes and summary text), each as an undoable step. The editor keeps only what it needs
to show; it holds no rule about audits (the core decides what is shown, missing or final).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from audit_tool import audits, records
from audit_tool.audits import theme_progress
from audit_tool.domain import SUMMARY_FIELDS, Audit, Recommendation
from audit_tool.errors import AuditToolError
from ui.common import palette
from ui.common.accessibility import name
from ui.common.messages import show_error
from ui.common.styles import editor_qss
from ui.common.widgets import SaveIndicator
from ui.editor.item_widget import ItemWidget
from ui.editor.summary_page import SummaryPage
from ui.editor.undo_commands import RateCommand, RecommendationsCommand, Target, TextCommand
from ui.session import Session

if TYPE_CHECKING:
    from audit_tool.checklists.model import Theme

SUMMARY = "summary"


@dataclass(frozen=True)
class Unsaved:
    """Something typed that the database refused, kept in memory while locked (never on
    disk, never on the lock screen) and put back in the editor after unlocking."""

    audit_id: str
    key: str  # "note:<item>", "summary:<field>", "recommendations" or "rating:<item>"
    what: str  # "The evidence note for question 1.1"
    reason: str  # the core's one-line message
    value: object = None  # the text or recommendations to put back; None for a rating


class MissingPanel(QFrame):
    """'These required questions still need a rating', each a link to the question."""

    jump = Signal(str)
    finalise_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("missingPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        palette.heading_font(self.title, 1.0)
        self.links = QLabel()
        self.links.setObjectName("missingLinks")
        self.links.setWordWrap(True)
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.links.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        name(
            self.links,
            "Required questions without a rating",
            "Tab to a question and press Enter to go there.",
        )
        self.links.linkActivated.connect(self.jump.emit)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.links)
        self.scroll.setMaximumHeight(7 * self.fontMetrics().lineSpacing())
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.finalise_button = QPushButton("Finalise now…")
        self.finalise_button.clicked.connect(self.finalise_again.emit)
        self.hide_button = QPushButton("Hide")
        name(self.hide_button, "Hide the list of missing questions")
        self.hide_button.clicked.connect(self.hide)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.finalise_button)
        buttons.addWidget(self.hide_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll)
        layout.addLayout(buttons)
        self.hide()

    def show_missing(
        self, missing: list[tuple[str, str, str]], numbers: dict[str, str] | None = None
    ) -> None:
        from html import escape

        numbers = numbers or {}
        if missing:
            n = len(missing)
            self.title.setText(
                f"{n} required question{'s' if n != 1 else ''} still need{'s' if n == 1 else ''} "
                "a rating before this audit can be finalised:"
            )
            self.links.setText(
                "<br>".join(
                    f'<a href="{escape(item_id)}">'
                    f"{escape(numbers.get(item_id, ''))} {escape(theme)}: "
                    f"{escape(question)}</a>"
                    for theme, item_id, question in missing
                )
            )
            self.scroll.show()
            self.finalise_button.hide()
        else:
            self.title.setText(
                "Every required question has a rating. You can finalise the audit now."
            )
            self.links.clear()
            self.scroll.hide()
            self.finalise_button.show()
        self.show()


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
        self.audit: Audit | None = None
        self.ratings: dict[str, str | None] = {}
        self.notes: dict[str, str] = {}
        self.summary_saved: dict[str, str] = {}
        self.recs_saved: tuple[Recommendation, ...] = ()
        self.items: dict[str, ItemWidget] = {}
        self._item_theme: dict[str, int] = {}
        self._pages: dict[int, QWidget] = {}
        self._failed: set[str] = set()
        self._why: dict[str, str] = {}  # failed key -> the core's message
        self._announced: set[str] = set()  # failures already shown in a message box
        self._quiet = False  # no message boxes while locking or closing

        # -- header ---------------------------------------------------------------------------
        self.back_button = QPushButton("← Audit list")
        name(self.back_button, "Back to the audit list")
        self.back_button.clicked.connect(self.back_requested.emit)
        self.title = QLabel()
        self.title.setObjectName("editorTitle")
        palette.heading_font(self.title, 1.3)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        palette.set_text_colour(self.meta, palette.muted())
        self.save_state = SaveIndicator()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("000 of 000 answered") + 24
        )
        name(self.progress, "Questions answered")
        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head_text = QVBoxLayout()
        head_text.addWidget(self.title)
        head_text.addWidget(self.meta)
        head.addLayout(head_text, 1)
        head_right = QVBoxLayout()
        head_right.addWidget(self.save_state, 0, Qt.AlignmentFlag.AlignRight)
        head_right.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignRight)
        head.addLayout(head_right)

        # -- banners ---------------------------------------------------------------------------
        self.read_only_banner = QFrame()
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.read_only_text = QLabel()
        self.read_only_text.setWordWrap(True)
        self.amend_button = QPushButton("Amend…")
        name(self.amend_button, "Amend this finalised audit")
        self.amend_button.clicked.connect(self.amend_requested.emit)
        banner = QHBoxLayout(self.read_only_banner)
        banner.addWidget(self.read_only_text, 1)
        banner.addWidget(self.amend_button)
        self.read_only_banner.hide()
        self.missing = MissingPanel()
        self.missing.jump.connect(self.show_item)
        self.missing.finalise_again.connect(self.finalise_requested.emit)

        # -- themes and pages ------------------------------------------------------------------
        self.themes = QListWidget()
        self.themes.setObjectName("themeList")
        name(self.themes, "Themes", "Choose a theme to see its questions.")
        self.themes.setWordWrap(True)
        self.themes.setSpacing(2)
        self.themes.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.themes.currentRowChanged.connect(self._on_theme_row)
        self.pages = QStackedWidget()
        self.summary = SummaryPage()
        self.summary.text_dirty.connect(lambda _f: self.save_state.saving())
        self.summary.text_ready.connect(self._summary_ready)
        self.summary.recommendations_ready.connect(self._recommendations_ready)
        self.summary.concern_requested.connect(self.concern_requested.emit)
        self._summary_scroll = self._scroll(self.summary)
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
        layout.addLayout(head)
        layout.addWidget(self.read_only_banner)
        layout.addWidget(self.missing)
        layout.addWidget(self.splitter, 1)

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
        audit = records.get_audit(self.session.db, audit_id)
        self.clear()
        self.audit = audit
        self.ratings = dict(audit.ratings)
        self.notes = {k: a.note for k, a in audit.answers.items()}
        self.summary_saved = {
            f: getattr(audit, f) for f in ("summary", "strengths", "improvements")
        }
        self.recs_saved = audit.recommendations
        definition = audit.checklist.definition
        for t_index, theme in enumerate(definition.themes):
            for item in theme.items:
                self._item_theme[item.id] = t_index
        self.summary.load(audit)
        self._refresh_header()
        with QSignalBlocker(self.themes):
            for theme in definition.themes:
                entry = QListWidgetItem(theme.title)
                entry.setData(Qt.ItemDataRole.UserRole, theme.id)
                self.themes.addItem(entry)
            summary = QListWidgetItem("Summary and recommendations")
            summary.setData(Qt.ItemDataRole.UserRole, SUMMARY)
            self.themes.addItem(summary)
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
        self._failed.clear()
        self._why.clear()
        self._announced.clear()
        self.audit = None
        self.ratings, self.notes, self.summary_saved, self.recs_saved = {}, {}, {}, ()
        for field in self.summary.edits:
            self.summary.set_text(field, "")
        self.summary.set_recommendations(())
        self.summary.set_concerns(())
        self.title.clear()
        self.meta.clear()
        self.save_state.saved()

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
        return sorted(self._failed)

    def unsaved(self) -> list[Unsaved]:
        """What could not be saved, with the text to put back (call after flush())."""
        if self.audit is None:
            return []
        numbers = self._numbers()
        out = []
        for key in sorted(self._failed):
            kind, _, name_ = key.partition(":")
            value: object = None
            if kind == "note" and name_ in self.items:
                what = f"The evidence note for question {numbers.get(name_, name_)}"
                value = self.items[name_].note_text()
            elif kind == "summary":
                label = SUMMARY_FIELDS.get(name_, name_)
                what, value = f"The summary field “{label}”", self.summary.field_text(name_)
            elif kind == "recommendations":
                what, value = "The recommendations", self.summary.recommendations()
            elif kind == "rating":
                what = f"The rating for question {numbers.get(name_, name_)}"
            else:
                what = "A change"
            out.append(Unsaved(self.audit.id, key, what, self._why.get(key, ""), value))
        return out

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
            bool(self._failed)
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
        a = self.audit
        if a is None:
            return
        case = a.case.reference if self._show_ids() else a.case.pseudonym
        self.title.setText(f"{case} · {a.case.area}")
        self.meta.setText(
            f"{a.checklist.title} (version {a.checklist.version}) · {a.audit_type.label} · "
            f"{a.phase.label} · Reviewer: {a.reviewer.name} · {a.status.label}"
        )
        if a.read_only:
            when = _local(a.finalised_at or a.updated_at)
            self.read_only_text.setText(
                f"This audit was finalised on {when} and is read-only. "
                "To change it, amend it and give a reason; the reason is kept in its history."
            )
            self.read_only_banner.show()
            self.save_state.read_only()
        else:
            self.read_only_banner.hide()

    def refresh_identifiers(self) -> None:
        self._refresh_header()

    def _refresh_progress(self) -> None:
        if self.audit is None:
            return
        definition = self.audit.checklist.definition
        per_theme = theme_progress(definition, self.ratings)
        answered = sum(a for a, _ in per_theme.values())
        total = sum(n for _, n in per_theme.values())
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(answered)
        self.progress.setFormat(f"{answered} of {total} answered")
        self.progress.setAccessibleDescription(f"{answered} of {total} questions answered")
        for row, theme in enumerate(definition.themes):
            done, n = per_theme[theme.id]
            entry = self.themes.item(row)
            mark = "✓ " if n and done == n else ""
            entry.setText(f"{mark}{theme.title}\n{done} of {n} answered")
            entry.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{theme.title}, {done} of {n} answered"
            )

    # -- pages -----------------------------------------------------------------------------------
    def _scroll(self, widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(widget)
        # Not a tab stop of its own: moving the focus between questions scrolls it.
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return area

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
        definition = self.audit.checklist.definition
        read_only = self.audit.read_only
        body = QWidget()
        body.setObjectName("themePage")
        layout = QVBoxLayout(body)
        title = QLabel(f"{index + 1}. {theme.title}")
        palette.heading_font(title, 1.2)
        layout.addWidget(title)
        if theme.description:
            desc = QLabel(theme.description)
            desc.setWordWrap(True)
            layout.addWidget(desc)
        for n, item in enumerate(theme.items):
            w = ItemWidget(item, definition.scale_of(item), f"{index + 1}.{n + 1}")
            w.set_rating(self.ratings.get(item.id))
            w.set_note(self.notes.get(item.id, ""))
            w.set_read_only(read_only)
            w.rating_chosen.connect(self._rating_chosen)
            w.note_dirty.connect(lambda _i: self.save_state.saving())
            w.note_ready.connect(self._note_ready)
            w.move_focus.connect(self._move_focus)
            w.history_requested.connect(
                lambda item_id: self.history_requested.emit(self.audit.id, item_id)
            )
            self.items[item.id] = w
            layout.addWidget(w)  # parent first: a parentless widget shown would open a window
            w.setVisible(definition.visible(item, self.ratings))
        nav = QHBoxLayout()
        themes = definition.themes
        if index > 0:
            prev_button = QPushButton(f"← {themes[index - 1].title}")
            name(prev_button, "Previous theme")
            prev_button.clicked.connect(lambda: self._go_theme(index - 1))
            nav.addWidget(prev_button)
        nav.addStretch(1)
        next_title = (
            themes[index + 1].title if index + 1 < len(themes) else "Summary and recommendations"
        )
        next_button = QPushButton(f"{next_title} →")
        name(next_button, "Next theme")
        next_button.clicked.connect(lambda: self._go_theme(index + 1))
        nav.addWidget(next_button)
        layout.addLayout(nav)
        layout.addStretch(1)
        return self._scroll(body)

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

    def _move_focus(self, item_id: str, delta: int) -> None:
        """Up/Down on a rating: the previous/next question that is shown, across themes."""
        definition = self.audit.checklist.definition
        order = [i.id for _, i in definition.items()]
        pos = order.index(item_id) + delta
        while 0 <= pos < len(order):
            candidate = definition.item(order[pos])
            if definition.visible(candidate, self.ratings):
                self.show_item(candidate.id)
                return
            pos += delta

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
        old = self.notes.get(item_id, "")
        if text == old:
            self._failed.discard(f"note:{item_id}")
            self._saved()
            return
        self.undo_stack.push(TextCommand(self, ("note", item_id), old, text))

    def _summary_ready(self, field: str, text: str) -> None:
        old = self.summary_saved.get(field, "")
        if text == old:
            self._failed.discard(f"summary:{field}")
            self._saved()
            return
        self.undo_stack.push(TextCommand(self, ("summary", field), old, text))

    def _recommendations_ready(self, recs: tuple[Recommendation, ...]) -> None:
        if recs == self.recs_saved:
            self._saved()
            return
        self.undo_stack.push(RecommendationsCommand(self, self.recs_saved, recs))

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
            change = audits.answer(self.session.db, self.audit.id, item_id, rating=value)
        except AuditToolError as exc:
            self._fail(f"rating:{item_id}", exc)
            widget = self.items.get(item_id)
            if widget is not None:
                widget.set_rating(self.ratings.get(item_id))
            return False
        self._failed.discard(f"rating:{item_id}")
        self.ratings[item_id] = change.answer.rating
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
            if kind == "note":
                audits.answer(self.session.db, self.audit.id, key, note=text)
            else:
                audits.set_summary(self.session.db, self.audit.id, key, text)
        except AuditToolError as exc:
            self._fail(f"{kind}:{key}", exc)
            if kind == "note" and key in self.items:
                self.items[key].mark_unsaved()
            elif kind == "summary":
                self.summary.mark_unsaved(key)
            return False
        self._failed.discard(f"{kind}:{key}")
        if kind == "note":
            self.notes[key] = text
            if update_widget and key in self.items:
                self.items[key].set_note(text)
            elif update_widget:
                self.show_item(key)
                self.items[key].set_note(text)
        else:
            self.summary_saved[key] = text
            if update_widget:
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
            audits.set_recommendations(self.session.db, self.audit.id, recs)
        except AuditToolError as exc:
            self._fail("recommendations", exc)
            self.summary.mark_recommendations_unsaved()
            return False
        self._failed.discard("recommendations")
        self.recs_saved = recs
        if update_widget:
            self.summary.set_recommendations(recs)
        if navigate:
            self.show_summary()
        self._after_save(False, None)
        return True

    def _after_save(self, navigate: bool, item_id: str | None) -> None:
        self._refresh_progress()
        if navigate and item_id:
            self.show_item(item_id)
        if self.missing.isVisible():
            self.refresh_missing()
        self._saved()
        self.audit_changed.emit(self.audit.id)

    def _saved(self) -> None:
        if self._failed:
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
        self._failed.add(key)
        self._why[key] = str(exc)
        self.save_state.failed(str(exc))
        if not self._quiet and key not in self._announced:
            self._announced.add(key)  # one message box per problem, not one per keystroke
            show_error(self, exc, "Not saved")

    # -- finalising --------------------------------------------------------------------------------
    def _numbers(self) -> dict[str, str]:
        """'2.3' for the third question of the second theme, as shown on the page."""
        out = {}
        if self.audit is not None:
            for t, theme in enumerate(self.audit.checklist.definition.themes):
                for n, item in enumerate(theme.items):
                    out[item.id] = f"{t + 1}.{n + 1}"
        return out

    def show_missing(self, missing: list[tuple[str, str, str]]) -> None:
        self.missing.show_missing(missing, self._numbers())
        if missing:
            self.missing.links.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh_missing(self) -> None:
        if self.audit is None:
            return
        try:
            self.missing.show_missing(
                audits.missing_required(self.session.db, self.audit.id), self._numbers()
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


def _local(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d %b %Y at %H:%M")
    except (TypeError, ValueError):
        return stamp or "an unknown date"
