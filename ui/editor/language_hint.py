"""A hint under a note when its wording is on the language list ("volatile relationship").

The note scan is a prompt while writing, not a report figure: as the reviewer types, a short
line under the field names the flagged wording and why it can hide who did what. It waits
for a pause in typing, never takes the keyboard and never blocks; the same sentence is added
to the field's accessible description. The scan and the words are the core's
(audit_tool.findings.language.hint); this is only the display.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from audit_tool.errors import AuditToolError
from audit_tool.findings.language import hint
from ui.common import palette

HINT_DEBOUNCE_MS = 300


class LanguageHint(QLabel):
    """Watches `edit`; shows the core's line while the text holds flagged wording."""

    def __init__(self, edit: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("languageHint")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never steals the keyboard from the field
        self.setAccessibleName("Language hint")
        palette.set_text_colour(self, palette.muted())  # a prompt, not an error
        self._edit = edit
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(HINT_DEBOUNCE_MS)
        self._timer.timeout.connect(self.check)
        edit.textChanged.connect(self._timer.start)
        self.hide()

    def check(self) -> None:
        """Look at the field's text now and show or hide the hint."""
        self._timer.stop()
        try:
            text = hint(self._edit.toPlainText())
        except AuditToolError:  # a broken local term list: said when reports run, not here
            text = ""
        if text == self.text():
            return
        old = self.text()
        self.setText(text)
        self.setVisible(bool(text))
        description = self._edit.accessibleDescription()
        if old:
            description = description.replace(old, "").strip()
        self._edit.setAccessibleDescription(" ".join(filter(None, (description, text))))
