"""A hint under a free-text field when what is typed looks like an identifier.

Evidence notes and summaries should hold no names, dates, addresses or CHI numbers. As the
reviewer types, a short line under the field says what looks like one ("This may contain a
name ('Mrs Fictional'), a date ..."), so it is caught before any export. It waits for a
pause in typing (HINT_DEBOUNCE_MS), never takes the keyboard and never blocks: it is a
prompt, and the reviewer decides. The same sentence is added to the field's accessible
description, so a screen reader reads it with the field without an extra tab stop.

The spotting itself is the core's (audit_tool.identifiers); this is only the display.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from audit_tool.identifiers import describe, find_identifiers
from ui.common import palette

HINT_DEBOUNCE_MS = 300


class IdentifierHint(QLabel):
    """Watches `edit`; shows itself, worded by the core, while the text holds a likely
    identifier, and hides when it no longer does. Add it to the layout under the field."""

    def __init__(self, edit: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identifierHint")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never steals the keyboard from the field
        self.setAccessibleName("Identifier hint")
        palette.set_text_colour(self, palette.bad())
        self._edit = edit
        self._description = edit.accessibleDescription()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(HINT_DEBOUNCE_MS)
        self._timer.timeout.connect(self.check)
        edit.textChanged.connect(self._timer.start)
        self.hide()

    def check(self) -> None:
        """Look at the field's text now and show or hide the hint."""
        self._timer.stop()
        text = describe(find_identifiers(self._edit.toPlainText()))
        if text == self.text():
            return
        self.setText(text)
        self.setVisible(bool(text))
        self._edit.setAccessibleDescription(" ".join(filter(None, (self._description, text))))
