"""A multiple-choice question's control: a tick box per option ("tick all that apply").

The same contract as the rating bar (item_widget.RatingBar): one tab stop, `rated` carries
the new answer (the ticked options in the store form the core keeps, "opioids,alcohol", or
None when nothing is ticked), so autosave and undo treat a tick exactly as a rating: each
tick is one saved change and one undo step.

Keyboard: a number key toggles option n (1 the first listed, as on every scale), Left/Right
move the highlight between options and Space toggles the highlighted one, Delete clears
every tick, Up/Down move to the previous/next question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QPushButton, QSizePolicy, QWidget

from ui.common.accessibility import name
from ui.editor.answer_bar import AnswerBar

if TYPE_CHECKING:
    from audit_tool.checklists.model import Level, Scale


def option_tip(key: str, level: Level) -> str:
    lines = [f"{level.label}: {level.description}" if level.description else level.label]
    if level.anchor:
        lines.append(f"In the file: {level.anchor}")
    if level.exclusive:
        lines.append("Cannot be ticked with other options.")
    lines.append("Tick all that apply: a fact, counted, not scored.")
    if key:
        lines.append(f"Shortcut: press {key.upper()} to tick or untick.")
    return "\n".join(lines)


class TickBar(AnswerBar):
    """One tab stop holding a tick box per option of a multiple-choice scale; `rated`
    carries the ticked options joined (store form), or None for none."""

    def __init__(self, scale: Scale, question: str, parent: QWidget | None = None) -> None:
        super().__init__(scale, "tickBar", parent)
        self._cursor = 0  # the option Space toggles, highlighted while the bar has focus
        layout = self.flow
        self._boxes: dict[str, QCheckBox] = {}
        for key, level in scale.keyed_levels():
            if key:
                self._keys[key] = level.value
            box = QCheckBox(f"[{key.upper()}]  {level.label}" if key else level.label)
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the bar is the single tab stop
            box.setToolTip(option_tip(key, level))
            box.setAccessibleName(level.label)
            box.clicked.connect(lambda _c=False, v=level.value: self._toggle(v))
            layout.addWidget(box)
            self._boxes[level.value] = box
        self.clear_button = QPushButton("Clear")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setToolTip("Untick every option (Delete)")
        self.clear_button.clicked.connect(lambda: self._emit(()))
        layout.addWidget(self.clear_button)
        keys = ", ".join(f"{k.upper()} {scale.level(v).label}" for k, v in self._keys.items())
        name(
            self,
            f"Tick all that apply: {question}",
            f"Press {keys} to tick or untick; Left and Right move, Space ticks the highlighted "
            "option; Up and Down move between questions.",
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._sync()

    # -- value -------------------------------------------------------------------------------
    def level(self) -> Level | None:
        return None  # a set of options, not one level: see ticked()

    def ticked(self) -> tuple[Level, ...]:
        chosen = set(self.scale.ticked(self._value))
        return tuple(lv for lv in self.scale.levels if lv.value in chosen)

    def _toggle(self, value: str) -> None:
        if self._read_only:
            self._sync()
            return
        chosen = set(self.scale.ticked(self._value))
        if value in chosen:
            chosen.discard(value)
        else:
            level = self.scale.level(value)
            # "none of these" clears the rest; any other option clears "none of these"
            if level is not None and level.exclusive:
                chosen = set()
            else:
                chosen -= {lv.value for lv in self.scale.levels if lv.exclusive}
            chosen.add(value)
        self._emit(chosen)

    def _emit(self, chosen) -> None:
        if self._read_only:
            return
        new = self.scale.canonical(chosen)
        if new != self._value:
            self.rated.emit(new)
        self._sync()  # the editor sets the value once it is saved

    def _sync(self) -> None:
        chosen = set(self.scale.ticked(self._value))
        focused = self.hasFocus()
        for i, (value, box) in enumerate(self._boxes.items()):
            box.setChecked(value in chosen)
            box.setEnabled(not self._read_only or value in chosen)
            # the highlighted option (Space toggles it) is underlined while the bar has focus
            font = box.font()
            font.setUnderline(focused and i == self._cursor and not self._read_only)
            box.setFont(font)
        self.clear_button.setVisible(bool(chosen) and not self._read_only)
        labels = [lv.label for lv in self.ticked()]
        self.setAccessibleDescription(
            (f"Ticked: {', '.join(labels)}. " if labels else "Nothing ticked yet. ")
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
            if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
                step = -1 if key == Qt.Key.Key_Left else 1
                self._cursor = max(0, min(len(self._boxes) - 1, self._cursor + step))
                self._sync()
                return
            if not self._read_only:
                if key == Qt.Key.Key_Space:
                    self._toggle(list(self._boxes)[self._cursor])
                    return
                if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                    self._emit(())
                    return
                text = event.text().lower()
                if text and text in self._keys:
                    self._cursor = list(self._boxes).index(self._keys[text])
                    self._toggle(self._keys[text])
                    return
        super().keyPressEvent(event)

