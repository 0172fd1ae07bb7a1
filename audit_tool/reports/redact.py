"""Keep case references out of anonymised exports, including free text that mentions them.

Evidence notes, summaries and recommendations are typed by people, who may write another
case's reference (a sibling's file), with spaces or without its hyphens, in capitals or
not, pasted in full-width characters, in another script's digits or look-alike letters,
with O for 0, glued to a word, its parts reversed or its middle left out. So a `Redactor`
is given every reference in the database and finds them the way identifiers.ReferenceIndex
says (one place for the matching rules): "ABC-123/45" is found in "abc 123 45",
"ＡＢＣ１２３４５" and "A.B.C_1_2_3-4-5"; "NSH-2025-00417" in "caserefNSH-2025-00417",
"00417-2025-NSH", "NSH 00417", "NSH-2025-OO417" and with Arabic-Indic digits.

Two rules keep ordinary words whole:
- a whole reference must start and end on a word boundary, so "FICT-1" never eats the start
  of "FICT-10"; only a reference's distinctive number (4 or more digits) may be glued to
  letters, and a number is matched whole, never inside a longer number;
- references with fewer than MIN_CHARS letters and digits are not searched for in free
  text: "12" or "AB" alone cannot identify a case.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..identifiers import MIN_REFERENCE_CHARS, ReferenceIndex

REMOVED = "[case reference removed]"
MIN_CHARS = MIN_REFERENCE_CHARS


class Redactor:
    """Replace every reference in `references` found in a text with REMOVED."""

    def __init__(self, references: Iterable[str]) -> None:
        self._references: Iterable[str] | None = references
        self._index: ReferenceIndex | None = None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) in `text` of each reference found, in order, not overlapping."""
        if self._index is None:  # indexed on first use: most reports print no free text
            self._index = ReferenceIndex(self._references or ())
            self._references = None
        return self._index.find(text)

    def __call__(self, text: str) -> str:
        spans = self.spans(text)
        for start, end in reversed(spans):
            text = text[:start] + REMOVED + text[end:]
        return text


def keep(text: str) -> str:
    """The identity, for exports that include identifiers."""
    return text
