"""Language flags kept per note (issue 22): each evidence note and each audit's summary
fields are scanned once per text and term list, and the flags kept in the encrypted file
(table language_flags, store/step_language.py), so a report or the editor does not scan
100,000 notes again each time.

A kept row is used only while the text's digest and the scanner's version (its terms, cue
words and rules: Scanner.version) both match; anything else is scanned again and kept. A
file opened read-only, or one another process is writing, is scanned without keeping.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

import sqlcipher3

from ..errors import AuditToolError
from ..store import Database

if TYPE_CHECKING:
    from .language import Scanner

SUMMARY = ""  # the part of an audit's summary, strengths and improvements, scanned together


class NoteFlags(NamedTuple):  # a tuple: made once per text on every report, so cheap
    words: int
    flags: tuple[tuple[str, int, int], ...]  # (lower-case term phrase, start, end), in order


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# A kept row's flags: "start,end,phrase" joined by RS; faster to read back than JSON, and a
# term phrase never holds a control character (the term file is checked text)
RS = "\x1e"


def _encode(found: tuple[tuple[str, int, int], ...]) -> str:
    return RS.join(f"{s},{e},{p}" for p, s, e in found)


def _decode(stored: str) -> tuple[tuple[str, int, int], ...]:
    if not stored:
        return ()
    out = []
    for flag in stored.split(RS):
        s, e, p = flag.split(",", 2)
        out.append((p, int(s), int(e)))
    return tuple(out)


def note_flags(db: Database, sc: Scanner, texts: Iterable[tuple[str, str, str]],
               audit_id: str | None = None) -> dict[tuple[str, str], NoteFlags]:
    """(audit id, part) -> the flags of its text, for each (audit id, part, text) given:
    kept ones where text and term list are unchanged, the rest scanned now and kept.
    `audit_id`: all texts are that audit's (reads only its kept rows)."""
    from .language import words

    where, params = ("version = ? AND audit_id = ?", (sc.version, audit_id)) if audit_id \
        else ("version = ?", (sc.version,))
    kept = {(a, p): (d, w, f) for a, p, d, w, f in db.query(
        f"SELECT audit_id, part, digest, words, flags FROM language_flags WHERE {where}", params)}
    out: dict[tuple[str, str], NoteFlags] = {}
    new = []
    for a, p, text in texts:
        d = digest(text)
        k = kept.get((a, p))
        if k is not None and k[0] == d:
            out[a, p] = NoteFlags(k[1], _decode(k[2]))
            continue
        found = tuple((f.term.phrase.lower(), f.start, f.end) for f in sc.scan(text))
        out[a, p] = nf = NoteFlags(words(text), found)
        new.append((a, p, d, sc.version, nf.words, _encode(found)))
    if new:
        keep(db, new, sc.version)
    return out


def keep(db: Database, rows: list[tuple], version: str) -> None:
    """Store newly scanned rows; rows of other term-list versions go (they can never match
    again). Never fails a report: a file that cannot be written now is scanned next time."""
    if db.read_only:
        return
    with contextlib.suppress(AuditToolError, sqlcipher3.Error), db.atomic() as c:
        c.execute("DELETE FROM language_flags WHERE version <> ?", (version,))
        c.executemany("INSERT OR REPLACE INTO language_flags VALUES (?, ?, ?, ?, ?, ?)", rows)


def audit_texts(db: Database, audit_id: str) -> list[tuple[str, str, str]]:
    """One audit's evidence notes and summary fields as (audit id, part, text)."""
    rows = db.query("SELECT ?, item_id, note FROM answers WHERE audit_id = ? AND note <> ''",
                    (audit_id, audit_id))
    rows += db.query("SELECT id, ?, summary || ' ' || strengths || ' ' || improvements FROM audits "
                     "WHERE id = ?", (SUMMARY, audit_id))
    return rows


def audit_flags(db: Database, sc: Scanner, audit_id: str) -> dict[str, NoteFlags]:
    """Part (item id, or SUMMARY) -> the flags of one audit's texts, kept or scanned once."""
    found = note_flags(db, sc, audit_texts(db, audit_id), audit_id=audit_id)
    return {p: nf for (_, p), nf in found.items()}


__all__ = ["SUMMARY", "NoteFlags", "audit_flags", "audit_texts", "digest", "keep", "note_flags"]
