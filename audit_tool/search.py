"""The audit list's search in evidence notes and summaries (issue 23).

The text is identifiable and stays on this laptop: it is read here, for the list only, and
no exporter reads the search tables (schema SEARCH_STEP keeps them up to date by trigger).
"""

from __future__ import annotations

import re

from .store import Database

MIN_WORD = 3  # shorter words match too much of 50,000 audits to be worth showing
LIMIT = 500  # audits returned at most, best matches first
MARK = ("[", "]")  # around the matched words in a snippet (plain text: read aloud as is)
FIELD_LABELS = {"summary": "Summary: ", "strengths": "Strengths: ", "improvements": "Improvements: "}
_WORD = re.compile(r"\w+", re.UNICODE)

_SQL = """
SELECT k.audit_id, k.field, snippet(search_text, 0, ?, ?, '…', 10)
FROM search_text JOIN search_keys k ON k.rid = search_text.rowid
WHERE search_text MATCH ?
ORDER BY rank
LIMIT ?
"""


def match_expression(text: str) -> str | None:
    """FTS5 query for what was typed: every word, each as a prefix (the reviewer is still
    typing). None when no word is long enough to search for."""
    words = _WORD.findall(text)
    if not words or max(len(w) for w in words) < MIN_WORD:
        return None
    return " ".join(f'"{w}"*' for w in words)  # quoted: no word is taken for an operator


def search_notes(db: Database, text: str, limit: int = LIMIT) -> dict[str, str]:
    """Audit id -> a snippet of its best-matching note or summary, best first."""
    expr = match_expression(text)
    if expr is None:
        return {}
    found: dict[str, str] = {}
    # several notes of one audit may match: fetch more rows than audits wanted
    for audit_id, field, snippet in db.iterate(_SQL, (*MARK, expr, limit * 4)):
        if audit_id not in found:
            # one line in the list; an evidence note is the usual place, so only the
            # summary fields say where the words were found
            found[audit_id] = FIELD_LABELS.get(field, "") + " ".join(snippet.split())
            if len(found) >= limit:
                break
    return found
