"""A quiet line under a free-text field, worded by the core while the text calls for it.

Two hints watch a note (identifier_hint: names, dates, CHI numbers; language_hint: wording
that hides who did what). Each waits for a pause in typing (HINT_DEBOUNCE_MS), never takes
the keyboard and never blocks: it is a prompt, and the reviewer decides. Its sentence is also
part of the field's accessible description, so a screen reader reads it with the field
without an extra tab stop; each hint swaps only its own sentence there, so two hints on one
field keep each other's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from ui.common import palette

HINT_DEBOUNCE_MS = 300


class NoteHint(QLabel):
    """Watches `edit`; shows `words(text)` while it is not empty. Subclasses give `words`."""

    def __init__(self, edit: QPlainTextEdit, name: str, accessible: str, colour: QColor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never steals the keyboard from the field
        self.setAccessibleName(accessible)
        palette.set_text_colour(self, colour)
        self._edit = edit
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(HINT_DEBOUNCE_MS)
        self._timer.timeout.connect(self.check)
        edit.textChanged.connect(self._timer.start)
        self.hide()

    def words(self, text: str) -> str:  # pragma: no cover - every hint gives its own
        raise NotImplementedError

    def check(self) -> None:
        """Look at the field's text now and show or hide the hint."""
        self._timer.stop()
        text = self.words(self._edit.toPlainText())
        old = self.text()
        if text == old:
            return
        self.setText(text)
        self.setVisible(bool(text))
        description = self._edit.accessibleDescription()
        if old:
            description = description.replace(old, "").strip()
        self._edit.setAccessibleDescription(" ".join(filter(None, (description, text))))
