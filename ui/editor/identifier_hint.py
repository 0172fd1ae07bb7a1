"""A hint under a free-text field when what is typed looks like an identifier.

Evidence notes and summaries should hold no names, dates, addresses or CHI numbers. As the
reviewer types, a short line under the field says what looks like one ("This may contain a
name ('Mrs Fictional'), a date ..."), so it is caught before any export (behaviour shared
with the language hint: note_hint.py). The spotting itself is the core's
(audit_tool.identifiers); this is only the display.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from audit_tool.identifiers import describe, find_identifiers
from ui.common import palette
from ui.editor.note_hint import HINT_DEBOUNCE_MS, NoteHint

__all__ = ["HINT_DEBOUNCE_MS", "IdentifierHint"]


class IdentifierHint(NoteHint):
    """Watches `edit`; shows itself, worded by the core, while the text holds a likely
    identifier, and hides when it no longer does. Add it to the layout under the field."""

    def __init__(self, edit: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(edit, "identifierHint", "Identifier hint", palette.bad(), parent)

    def words(self, text: str) -> str:
        return describe(find_identifiers(text))
