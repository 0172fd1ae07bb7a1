"""What the rating bar and the tick bar share: one tab stop holding the item's choices.

`rated` carries the new answer (a level value, the ticked options in store form, or None),
so autosave and undo treat every kind of answer alike; `move` asks for the previous (-1) or
next (+1) question. Subclasses add their buttons to `self.flow` and keep them in step with
the value in `_sync`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QFrame, QWidget

from ui.common.widgets import FlowLayout

if TYPE_CHECKING:
    from audit_tool.checklists.model import Scale


class AnswerBar(QFrame):
    rated = Signal(object)
    move = Signal(int)

    def __init__(self, scale: Scale, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setProperty("focused", False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.scale = scale
        self._value: str | None = None
        self._read_only = False
        self._keys: dict[str, str] = {}  # shortcut key -> level value
        self.flow = FlowLayout(self, spacing=6)
        self.flow.setContentsMargins(4, 4, 4, 4)

    def value(self) -> str | None:
        return self._value

    def set_value(self, value: str | None) -> None:
        self._value = value
        self._sync()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._sync()

    def _sync(self) -> None:  # the subclass shows the value on its buttons
        raise NotImplementedError

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._set_focused(True)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._set_focused(False)
        super().focusOutEvent(event)

    def _set_focused(self, on: bool) -> None:
        # the style sheet frames the focused bar; the tick bar also underlines its highlight
        self.setProperty("focused", on)
        self.style().unpolish(self)
        self.style().polish(self)
        self._sync()
