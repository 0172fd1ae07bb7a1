"""The audit list's search in evidence notes and summaries (issue 23).

The text is identifiable and stays on this laptop: it is read here, for the list only, and
no exporter reads the search tables (schema SEARCH_STEP keeps them up to date by trigger).
"""

from __future__ import annotations

import re

from .store import Database

MIN_WORD = 3  # shorter words match too much of 50,000 audits to be worth searching
SNIPPETS = 500  # audits shown with a snippet at most (the newest notes first)
MORE = "Found in a note or summary (open the audit to read it)"  # beyond SNIPPETS
MARK = ("[", "]")  # around the matched words in a snippet (plain text: read aloud as is)
FIELD_LABELS = {"summary": "Summary: ", "strengths": "Strengths: ", "improvements": "Improvements: "}
_WORD = re.compile(r"\w+", re.UNICODE)

# newest text first: FTS5 walks its rowids in order and stops at the LIMIT, so a snippet is
# made for the rows shown only (ORDER BY rank would score every match first). The list
# shows the matches in its own sort order, so relevance order would not be seen anyway.
_SNIPPETS_SQL = """
SELECT k.audit_id, k.field, snippet(search_text, 0, ?, ?, '…', 10)
FROM search_text JOIN search_keys k ON k.rid = search_text.rowid
WHERE search_text MATCH ?
ORDER BY search_text.rowid DESC
LIMIT ?
"""
_ALL_SQL = """
SELECT DISTINCT k.audit_id
FROM search_text JOIN search_keys k ON k.rid = search_text.rowid
WHERE search_text MATCH ?
"""


def match_expression(text: str) -> str | None:
    """FTS5 query for what was typed: every word, each as a prefix (the reviewer is still
    typing). None when no word is long enough to search for."""
    words = _WORD.findall(text)
    if not words or max(len(w) for w in words) < MIN_WORD:
        return None
    return " ".join(f'"{w}"*' for w in words)  # quoted: no word is taken for an operator


def search_notes(db: Database, text: str, snippets: int = SNIPPETS) -> dict[str, str]:
    """Audit id -> a snippet of its newest matching note or summary, for every audit whose
    notes or summary hold every word typed (beyond `snippets` audits, the text MORE)."""
    expr = match_expression(text)
    if expr is None:
        return {}
    found: dict[str, str] = {}
    rows = snippets * 4  # several notes of one audit may match
    fetched = 0
    for audit_id, field, snippet in db.iterate(_SNIPPETS_SQL, (*MARK, expr, rows)):
        fetched += 1
        if audit_id not in found and len(found) < snippets:
            # one line in the list; an evidence note is the usual place, so only the
            # summary fields say where the words were found
            found[audit_id] = FIELD_LABELS.get(field, "") + " ".join(snippet.split())
    if fetched >= rows or len(found) >= snippets:  # there may be more: every audit, no snippet
        for (audit_id,) in db.iterate(_ALL_SQL, (expr,)):
            found.setdefault(audit_id, MORE)
    return found
