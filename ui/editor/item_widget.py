"""One checklist question: the question, its guidance, a rating control and an evidence note.

Keyboard: on the rating control a level's key picks it (1 is always the best answer, then
2, 3...; 0 is "not applicable": one scheme on every scale), Left/Right move between levels, Delete clears, Up/Down move to the previous/next question. Tab goes on to
the evidence note; typing there is saved 400 ms after it stops, and at once when focus
leaves the note, the audit is closed or the database locks.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.common import palette
from ui.common.accessibility import name
from ui.editor.answer_bar import AnswerBar
from ui.editor.identifier_hint import IdentifierHint
from ui.editor.language_hint import LanguageHint
from ui.editor.tick_bar import TickBar

if TYPE_CHECKING:
    from audit_tool.checklists.model import Item, Level, Scale

NOTE_DEBOUNCE_MS = 400


MEETS_MARK = "\u2713"  # ✓ on the buttons of levels that meet the standard
MEETS_TIP = "Meets the standard"


def button_text(scale: Scale, key: str, level: Level) -> str:
    """'[1]  Excellent · grade 6  ✓': the shortcut as a key in brackets, the label, a grade
    where the scale is graded (values are digits), and a check mark if it meets the standard.
    The grade is spelt out so the key 1 is never read as grade 1."""
    cap = f"[{key.upper()}]  " if key else ""
    grade = f" · grade {level.value}" if level.value.isdigit() else ""
    mark = f"  {MEETS_MARK}" if scale.meets(level.value) is True else ""
    return f"{cap}{level.label}{grade}{mark}"


def _standard_words(scale: Scale, value: str) -> str:
    meets = scale.meets(value)
    if meets is None:
        return "" if scale.is_fact else ", left out of the share"
    return ", meets the standard" if meets else ", does not meet the standard"


def level_tip(scale: Scale, key: str, level: Level) -> str:
    meets = scale.meets(level.value)
    if scale.is_fact:
        verdict = "A fact: counted, not scored."
    elif meets:
        verdict = MEETS_TIP + "."
    elif meets is None:
        verdict = "Not applicable: left out of the share."
    else:
        verdict = "Does not meet the standard."
    lines = [f"{level.label}: {level.description}" if level.description else level.label, verdict]
    if level.anchor:
        lines.insert(1, f"In the file: {level.anchor}")
    if key:
        lines.append(f"Shortcut: press {key.upper()}.")
    return "\n".join(lines)


class RatingBar(AnswerBar):
    """One tab stop holding a button per level of the item's scale; `rated` carries a level
    value, or None to clear."""

    def __init__(self, scale: Scale, question: str, parent: QWidget | None = None) -> None:
        super().__init__(scale, "ratingBar", parent)
        layout = self.flow
        self._buttons: dict[str, QPushButton] = {}
        # best first, one key scheme on every scale: 1 is always the best answer, 0 "not
        # applicable" (Scale.keyed_levels); the key sits in brackets, apart from any grade
        for key, level in scale.keyed_levels():
            if key:
                self._keys.setdefault(key, level.value)
            button = QPushButton(button_text(scale, key, level))
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the bar is the single tab stop
            button.setToolTip(level_tip(scale, key, level))
            button.setAccessibleName(level.label + _standard_words(scale, level.value))
            button.setProperty("meets", scale.meets(level.value) is True)
            button.clicked.connect(lambda _c=False, v=level.value: self._choose(v))
            layout.addWidget(button)
            self._buttons[level.value] = button
        self.clear_button = QPushButton("Clear")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setToolTip("Remove the rating (Delete)")
        self.clear_button.clicked.connect(lambda: self._choose(None))
        layout.addWidget(self.clear_button)
        keys = ", ".join(f"{k.upper()} {scale.level(v).label}" for k, v in self._keys.items())
        keys += ". 1 is always the best answer" if not scale.is_fact else ""
        name(
            self,
            f"Rating: {question}",
            f"Press {keys}. Left and Right change the rating, Up and Down move between questions.",
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._sync()

    # -- value -------------------------------------------------------------------------------
    def level(self) -> Level | None:
        return self.scale.level(self._value) if self._value else None

    def _choose(self, value: str | None) -> None:
        if self._read_only:
            self._sync()
            return
        if value == self._value:
            self._sync()  # a click on the checked button leaves it checked
            return
        self.rated.emit(value)
        self._sync()  # the editor sets the value once it is saved

    def _sync(self) -> None:
        for value, button in self._buttons.items():
            button.setChecked(value == self._value)
            button.setEnabled(not self._read_only or value == self._value)
        self.clear_button.setVisible(self._value is not None and not self._read_only)
        level = self.level()
        self.setAccessibleDescription(
            (f"Rated {level.label}. " if level else "Not rated yet. ")
            + ("Read-only." if self._read_only else "")
        )

    # -- keyboard -------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            if key == Qt.Key.Key_Up:
                self.move.emit(-1)
                return
            if key == Qt.Key.Key_Down:
                self.move.emit(1)
                return
            if not self._read_only:
                if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
                    self._step(-1 if key == Qt.Key.Key_Left else 1)
                    return
                if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                    self._choose(None)
                    return
                text = event.text().lower()
                if text and text in self._keys:
                    self._choose(self._keys[text])
                    return
        super().keyPressEvent(event)

    def _step(self, delta: int) -> None:
        values = [lv.value for lv in self.scale.ordered_levels()]  # as the buttons stand
        if self._value is None:
            pos = 0 if delta > 0 else len(values) - 1
        else:
            pos = max(0, min(len(values) - 1, values.index(self._value) + delta))
        self._choose(values[pos])



class NoteEdit(QPlainTextEdit):
    """Plain text that grows with its content; Tab moves on; Ctrl+Z reaches the audit's undo."""

    focus_left = Signal()

    def __init__(
        self, parent: QWidget | None = None, min_lines: int = 3, max_lines: int = 12
    ) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)  # one undo history for the audit, not one per box
        self._min_lines, self._max_lines = min_lines, max_lines
        self.on_tab: Callable[[], bool] | None = None  # Tab: True when it moved the focus
        self.document().contentsChanged.connect(self._fit)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fit()

    def event(self, event: QEvent) -> bool:
        # Let the window's Undo/Redo shortcuts through instead of the box's own.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
            )
        ):
            event.ignore()
            return False
        return super().event(event)

    def _fit(self) -> None:
        lines = max(self._min_lines, min(self._max_lines, self.document().size().height() + 1))
        spacing = self.fontMetrics().lineSpacing()
        margins = self.contentsMargins()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        doc_margin = 2 * self.document().documentMargin()
        self.setFixedHeight(round(lines * spacing + frame + doc_margin))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.focus_left.emit()

    def focusNextPrevChild(self, forward: bool) -> bool:
        # Tab: where the editor says (the next question's rating), else the next widget
        if forward and self.on_tab is not None and self.on_tab():
            return True
        return super().focusNextPrevChild(forward)


class ItemWidget(QFrame):
    rating_chosen = Signal(str, object)  # item id, value or None
    note_ready = Signal(str, str)  # item id, text (after the pause or on leaving)
    note_dirty = Signal(str)  # typing started: show "Saving…"
    move_focus = Signal(str, int)
    history_requested = Signal(str)

    def __init__(
        self, item: Item, scale: Scale, number: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("itemWidget")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._loading = False
        self._dirty = False

        self.question = QLabel(f"{number}  {item.question}")
        self.question.setWordWrap(True)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette.heading_font(self.question, 1.05)
        self.kind_note = QLabel(
            "Tick all that apply · a fact (not scored) · number keys or Space tick"
            if scale.is_multiple
            else "Fact (not scored)"
            if scale.is_fact
            else f"{MEETS_MARK} meets the standard · [1] is always the best answer"
        )
        self.kind_note.setObjectName("factNote" if scale.is_fact else "standardNote")
        self.kind_note.setToolTip(
            "A fact about the case, counted in reports, never scored."
            if scale.is_fact
            else "Buttons with a check mark meet the standard. The number in brackets is the "
            "key that chooses the answer; it is not a grade."
        )
        palette.set_text_colour(self.kind_note, palette.muted())
        badge = QLabel("Required" if item.required else "Optional")
        badge.setObjectName("requiredBadge" if item.required else "optionalBadge")
        palette.set_text_colour(badge, palette.muted())

        self.guidance_toggle = QToolButton()
        self.guidance_toggle.setText("Guidance")
        self.guidance_toggle.setCheckable(True)
        self.guidance_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.guidance_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.guidance_toggle.setAutoRaise(True)
        self.guidance_toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        name(
            self.guidance_toggle, "Show guidance", "What good practice looks like for this question"
        )
        self.guidance_toggle.toggled.connect(self._toggle_guidance)
        self.guidance = QLabel(item.guidance)
        self.guidance.setObjectName("guidance")
        self.guidance.setWordWrap(True)
        self.guidance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.guidance.setVisible(False)

        self.anchors_toggle, self.anchors = _anchor_panel(scale)
        self.rating: RatingBar | TickBar = (
            TickBar(scale, item.question) if scale.is_multiple else RatingBar(scale, item.question)
        )
        self.rating.rated.connect(lambda v: self.rating_chosen.emit(item.id, v))
        self.rating.move.connect(lambda d: self.move_focus.emit(item.id, d))
        self.level_text = QLabel()
        self.level_text.setWordWrap(True)
        palette.set_text_colour(self.level_text, palette.muted())

        note_label = QLabel("Evidence")
        self.note = NoteEdit()
        self.note.setPlaceholderText(
            item.evidence_prompt
            or (
                "Where is this recorded? No names or case references."
                if scale.is_fact
                else "What in the record supports this rating? No names or case references."
            )
        )
        name(self.note, f"Evidence note: {item.question}", item.evidence_prompt)
        note_label.setBuddy(self.note)
        self.note.textChanged.connect(self._on_typed)
        self.note.focus_left.connect(self.flush)
        self.note_hint = IdentifierHint(self.note)
        self.language_hint = LanguageHint(self.note)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTE_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

        self.history_button = QToolButton()
        self.history_button.setText("History…")
        self.history_button.setAutoRaise(True)
        self.history_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        name(self.history_button, "Change history of this question")
        self.history_button.clicked.connect(lambda: self.history_requested.emit(item.id))

        top = QHBoxLayout()
        top.addWidget(self.question, 1)
        top.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        foot = QHBoxLayout()
        foot.addWidget(note_label)
        foot.addStretch(1)
        foot.addWidget(self.history_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.guidance_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.guidance)
        if self.anchors_toggle is not None:  # an anchored scale: what each level looks like
            layout.addWidget(self.anchors_toggle, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(self.anchors)
        layout.addWidget(self.rating)
        layout.addWidget(self.kind_note)
        layout.addWidget(self.level_text)
        layout.addLayout(foot)
        layout.addWidget(self.note)
        layout.addWidget(self.note_hint)
        layout.addWidget(self.language_hint)
        if self.anchors_toggle is not None:
            QWidget.setTabOrder(self.guidance_toggle, self.anchors_toggle)
            QWidget.setTabOrder(self.anchors_toggle, self.rating)
        else:
            QWidget.setTabOrder(self.guidance_toggle, self.rating)
        QWidget.setTabOrder(self.rating, self.note)
        QWidget.setTabOrder(self.note, self.history_button)

    # -- state from the editor ----------------------------------------------------------------
    def set_rating(self, value: str | None) -> None:
        self.rating.set_value(value)
        level = self.rating.level()
        if isinstance(self.rating, TickBar):
            labels = [lv.label for lv in self.rating.ticked()]
            self.level_text.setText(
                f"Ticked: {'; '.join(labels)}" if labels else "Nothing ticked yet"
            )
        elif level is None:
            self.level_text.setText(
                "Not answered yet" if self.rating.scale.is_fact else "Not rated yet"
            )
        else:
            text = f"{level.label}: {level.description}" if level.description else level.label
            if level.anchor:  # what a file at this level looks like, under the choice
                text += f"\nIn the file: {level.anchor}"
            self.level_text.setText(text)

    def set_note(self, text: str) -> None:
        """Show saved text without treating it as new typing."""
        if self.note.toPlainText() == text:
            return
        self._loading = True
        try:
            self.note.setPlainText(text)
            cursor = self.note.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            self.note.setTextCursor(cursor)
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        self.rating.set_read_only(read_only)
        self.note.setReadOnly(read_only)
        if read_only:  # the prompt would look like an answer in a finalised audit
            self.note.setPlaceholderText("No evidence note.")

    def note_text(self) -> str:
        return self.note.toPlainText()

    # -- typing ---------------------------------------------------------------------------------
    def _on_typed(self) -> None:
        if self._loading or self.note.isReadOnly():
            return
        self._dirty = True
        self.note_dirty.emit(self.item.id)
        self._timer.start()

    def is_dirty(self) -> bool:
        return self._dirty

    def flush(self) -> None:
        """Hand pending typing to the editor now (pause over, focus left, closing, locking)."""
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self.note_ready.emit(self.item.id, self.note.toPlainText())

    def mark_unsaved(self) -> None:
        """Saving failed: keep the text and try again on the next pause."""
        self._dirty = True

    def _toggle_guidance(self, shown: bool) -> None:
        self.guidance.setVisible(shown)
        self.guidance_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self.guidance_toggle.setText("Hide guidance" if shown else "Guidance")
        self.guidance_toggle.setAccessibleName("Hide guidance" if shown else "Show guidance")


def _anchor_panel(scale: Scale) -> tuple[QToolButton | None, QLabel | None]:
    """A toggle and a panel listing what each level looks like in a file (best first, as
    the buttons), for a scale whose levels carry anchors; (None, None) otherwise."""
    anchored = [(k, lv) for k, lv in scale.keyed_levels() if lv.anchor]
    if not anchored:
        return None, None
    toggle = QToolButton()
    toggle.setText("What each level looks like")
    toggle.setCheckable(True)
    toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toggle.setArrowType(Qt.ArrowType.RightArrow)
    toggle.setAutoRaise(True)
    toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    name(toggle, "Show what each level looks like", "A description of each level as seen in a file")
    panel = QLabel(
        "<br>".join(
            f"<b>{f'[{k.upper()}] ' if k else ''}{escape(lv.label)}</b>: {escape(lv.anchor)}"
            for k, lv in anchored
        )
    )
    panel.setObjectName("anchors")
    panel.setTextFormat(Qt.TextFormat.RichText)
    panel.setWordWrap(True)
    panel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    panel.setVisible(False)

    def shown(on: bool) -> None:
        panel.setVisible(on)
        toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        toggle.setText("Hide level descriptions" if on else "What each level looks like")

    toggle.toggled.connect(shown)
    return toggle, panel
