"""Keep case references out of anonymised exports, including free text that mentions them.

Evidence notes, summaries and recommendations are typed by people, who may write a
reference in another case, with spaces or without its hyphens. Matching ignores case and
the separators people vary; a match is replaced wherever it stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REMOVED = "[case reference removed]"
_SEPARATORS = re.compile(r"[\s\-_/.]+")
_BETWEEN = r"[\s\-_/.]*"


def _norm(text: str) -> str:
    return _SEPARATORS.sub("", text).casefold()


class Redactor:
    def __init__(self, references: Iterable[str]) -> None:
        self._refs = {n: ref for ref in references if (n := _norm(ref))}
        self._patterns: dict[str, re.Pattern[str]] = {}

    def __call__(self, text: str) -> str:
        if not text or not self._refs:
            return text
        flat = _norm(text)
        for norm in self._refs:
            if norm in flat:  # cheap test first; the pattern only for references present
                pattern = self._patterns.get(norm)
                if pattern is None:
                    pattern = re.compile(_BETWEEN.join(map(re.escape, norm)), re.IGNORECASE)
                    self._patterns[norm] = pattern
                text = pattern.sub(REMOVED, text)
        return text


def keep(text: str) -> str:
    """The identity, for exports that include identifiers."""
    return text
