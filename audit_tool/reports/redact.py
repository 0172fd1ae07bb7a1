"""Keep case references out of anonymised exports, including free text that mentions them.

Evidence notes, summaries and recommendations are typed by people, who may write another
case's reference (a sibling's file), with spaces or without its hyphens, in capitals or
not, or pasted in full-width characters. So a `Redactor` is given every reference in the
database, and both sides are compared after Unicode NFKC normalisation and casefolding,
with every run of characters that are not letters or digits treated as an optional
separator: "ABC-123/45" is found in "abc 123 45", "ＡＢＣ１２３４５" and "A.B.C_1_2_3-4-5".

Two rules keep ordinary words whole:
- a match must start and end on a word boundary (no letter or digit just before or after
  it), so "FICT-1" never eats the start of "FICT-10" or of "FICT12";
- references with fewer than MIN_CHARS letters and digits are not searched for in free
  text: "12" or "AB" alone cannot identify a case, and matching them would remove every
  "12" in a note. (The report's own fields never show a reference at all.)

How it works: the text is normalised cluster by cluster (a character and the combining
marks after it), keeping for every normalised character the span of the original it came
from, since NFKC can change the length ("ﬁ" becomes "fi"). The normalised text is cut into
runs of letters and digits; a reference matches where consecutive runs, joined, spell
exactly its letters and digits. That is a set look-up per run, so the cost does not grow
with the number of references in the database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

REMOVED = "[case reference removed]"
MIN_CHARS = 4


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def key(reference: str) -> str:
    """A reference's letters and digits, normalised: what a match must spell."""
    return "".join(ch for ch in _fold(reference) if ch.isalnum())


def _clusters(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each character with the combining marks that follow it."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            yield start, i
            start = i


def _runs(text: str) -> list[tuple[str, int, int]]:
    """Runs of letters and digits after normalisation: (normalised run, start, end) with
    start and end indices into the original text."""
    runs: list[tuple[str, int, int]] = []
    chars: list[str] = []
    first = last = 0
    for start, end in _clusters(text):
        for ch in _fold(text[start:end]):
            if ch.isalnum():
                if not chars:
                    first = start
                chars.append(ch)
                last = end
            elif chars:
                runs.append(("".join(chars), first, last))
                chars = []
    if chars:
        runs.append(("".join(chars), first, last))
    return runs


class Redactor:
    """Replace every reference in `references` found in a text with REMOVED."""

    def __init__(self, references: Iterable[str]) -> None:
        self._keys = {k for ref in references if len(k := key(ref)) >= MIN_CHARS}
        self._longest = max(map(len, self._keys), default=0)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) in `text` of each reference found, in order, not overlapping."""
        if not text or not self._keys:
            return []
        runs = _runs(text)
        found: list[tuple[int, int]] = []
        i = 0
        while i < len(runs):
            joined, match = "", None
            for j in range(i, len(runs)):
                joined += runs[j][0]
                if len(joined) > self._longest:
                    break
                if joined in self._keys:
                    match = j  # keep going: the longest reference wins
            if match is None:
                i += 1
            else:
                found.append((runs[i][1], runs[match][2]))
                i = match + 1
        return found

    def __call__(self, text: str) -> str:
        spans = self.spans(text)
        for start, end in reversed(spans):
            text = text[:start] + REMOVED + text[end:]
        return text


def keep(text: str) -> str:
    """The identity, for exports that include identifiers."""
    return text
