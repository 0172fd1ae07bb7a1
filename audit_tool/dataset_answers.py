"""The answers of the analyst dataset, read in audit order and kept compact (issue 22).

An answers row is three things: the audit (its index in the audits sheet), the item with the
rating given (a few hundred distinct pairs in a whole database) and, when notes are asked
for, the note. `AnswerTable` keeps each row as two or three small integers in arrays (8 or
12 bytes a row: 16 MB for the 1.95 million rows of 50,000 audits, where tuples took over
200 MB), and the distinct pairs and notes once. The writers format each pair once and each
audit's columns once (dataset_write.py).

`read_answers` reads them a few hundred audits at a time, in the audits sheet's order, so
SQLite never sorts every answer of the selection at once (that sort held 60 MB at 10,000
audits, 300 MB at 50,000).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .checklists.model import OPTION_SEP
from .dataset_columns import NOT_ASKED
from .findings.counted import COUNTED_ANSWER
from .store import Database

Key = tuple[str, str]  # (checklist sha256, item id)
_CHUNK = 500  # audits a query; well under SQLite's 999 parameters of old builds

# The rows a share counts (findings.aggregate): rated and shown, or not asked because an
# earlier answer fell short, which counts as not meeting the standard (rating NOT_ASKED here).
_ANSWERS_SQL = f"""
SELECT an.audit_id, an.item_id, CASE WHEN an.applies = 1 THEN an.rating ELSE '{NOT_ASKED}' END,
       {{note}}
FROM answers an
WHERE an.audit_id IN ({{marks}}) AND {COUNTED_ANSWER}
"""


class AnswerTable:
    """The answers rows: per row the audit's index, a code for (item, rating) and, with
    notes, a code for the note. Iterating gives (audit index, key, rating, note) tuples."""

    def __init__(self, free_text: bool = False) -> None:
        self.audit = array("i")
        self.pair = array("i")
        self.note: array | None = array("i") if free_text else None
        self.pairs: list[tuple[Key, str]] = []  # code -> (key, rating)
        self._pair_codes: dict[tuple[Key, str], int] = {}
        self.notes: list[str | None] = [None]  # code -> note (0: none)
        self._note_codes: dict[str, int] = {}

    @classmethod
    def of(cls, rows: Iterable[tuple[int, Key, str, str | None]], free_text: bool) -> AnswerTable:
        table = cls(free_text)
        for ix, key, rating, note in rows:
            table.add(ix, key, rating, note)
        return table

    def pair_code(self, key: Key, rating: str) -> int:
        code = self._pair_codes.get((key, rating))
        if code is None:
            code = self._pair_codes[(key, rating)] = len(self.pairs)
            self.pairs.append((key, rating))
        return code

    def note_code(self, note: str | None) -> int:
        if note is None:
            return 0
        code = self._note_codes.get(note)
        if code is None:
            code = self._note_codes[note] = len(self.notes)
            self.notes.append(note)
        return code

    def add(self, ix: int, key: Key, rating: str, note: str | None = None) -> None:
        self.audit.append(ix)
        self.pair.append(self.pair_code(key, rating))
        if self.note is not None:
            self.note.append(self.note_code(note))

    def codes(self) -> Iterator[tuple[int, ...]]:
        """Each row as (audit index, pair code[, note code])."""
        if self.note is None:
            return zip(self.audit, self.pair, strict=True)
        return zip(self.audit, self.pair, self.note, strict=True)

    def __len__(self) -> int:
        return len(self.audit)

    def __iter__(self) -> Iterator[tuple[int, Key, str, str | None]]:
        pairs, notes = self.pairs, self.notes
        for ix, p, *n in self.codes():
            key, rating = pairs[p]
            yield ix, key, rating, notes[n[0]] if n else None


def read_answers(
    db: Database,
    audits: Sequence[tuple[str, str]],
    rank: dict[str, dict[str, int]],
    table: AnswerTable,
    scrub: Callable[[str], str] | None,
) -> list[int]:
    """Append the answers of `audits` ((id, checklist sha256), in the audits sheet's order)
    to `table`, each audit's in its checklist's order (`rank`: sha256 -> item -> place);
    items not in the checklist are left out. A multiple-choice answer is a row per option
    ticked. Returns per audit the items it has rows for (`answered`: not-asked rows left out)."""
    sql = _ANSWERS_SQL.replace("{note}", "an.note" if scrub else "NULL")
    answered = [0] * len(audits)
    add, add_pair = table.audit.append, table.pair.append
    add_note = table.note.append if table.note is not None else None
    codes: dict[str, dict[tuple[str, str], int]] = {}  # per checklist: (item, rating) -> code
    for start in range(0, len(audits), _CHUNK):
        chunk = audits[start : start + _CHUNK]
        found: dict[str, list[tuple[str, str, str, Any]]] = {}
        for row in db.query(sql.replace("{marks}", ",".join("?" * len(chunk))), [a for a, _s in chunk]):
            found.setdefault(row[0], []).append(row)
        for ix, (audit_id, sha) in enumerate(chunk, start):
            places, mine = rank[sha], codes.setdefault(sha, {})
            rows = [r for r in found.get(audit_id, ()) if r[1] in places]
            rows.sort(key=lambda r: places[r[1]])
            for _id, item, rating, note in rows:
                text = table.note_code(scrub(note) or None) if scrub and note else 0
                for value in rating.split(OPTION_SEP):  # multiple choice: a row per option
                    code = mine.get((item, value))
                    if code is None:
                        code = mine[(item, value)] = table.pair_code((sha, item), value)
                    add(ix)
                    add_pair(code)
                    if add_note:
                        add_note(text)
            answered[ix] = sum(r[2] != NOT_ASKED for r in rows)
    return answered
