"""A hint under a note when its wording is on the language list ("volatile relationship").

The note scan is a prompt while writing, not a report figure: as the reviewer types, a short
line under the field names the flagged wording and why it can hide who did what (behaviour
shared with the identifier hint: note_hint.py). The scan and the words are the core's
(audit_tool.findings.language.hint); this is only the display.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from audit_tool.errors import AuditToolError
from audit_tool.findings.language import hint
from ui.common import palette
from ui.editor.note_hint import NoteHint


class LanguageHint(NoteHint):
    """Watches `edit`; shows the core's line while the text holds flagged wording."""

    def __init__(self, edit: QPlainTextEdit, parent: QWidget | None = None) -> None:
        # muted: a prompt, not an error
        super().__init__(edit, "languageHint", "Language hint", palette.muted(), parent)

    def words(self, text: str) -> str:
        try:
            return hint(text)
        except AuditToolError:  # a broken local term list: said when reports run, not here
            return ""
