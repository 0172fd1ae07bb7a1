"""Language flags kept per note (issue 22): each evidence note and each audit's summary
fields are scanned once per text and term list, and the flags kept in the encrypted file
(table language_flags, store/step_language.py), so a report or the editor does not scan
100,000 notes again each time.

A kept row stands for its text as long as it exists: the table's triggers drop it when the
text changes. Rows of another term list (Scanner.version) are never used, and go when new
rows are kept. A file opened read-only, one whose triggers a later schema step dropped, or
one another process is writing, is scanned without keeping (`KeptFlags.live`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, Protocol

import sqlcipher3

from ..errors import AuditToolError
from ..store import Database
from ..store.step_language import TRIGGER_NAMES


class Scanner(Protocol):
    """What is kept per note comes from (findings/language.py's Scanner; not imported, so
    that module can use this one)."""

    version: str

    def scan(self, text: str) -> Sequence: ...

    def words(self, text: str | None) -> int: ...

SUMMARY = ""  # the part of an audit's summary, strengths and improvements, scanned together
# every text scanned: evidence notes, and each audit's summary fields together
TEXTS = """SELECT audit_id, item_id AS part, note AS text FROM answers WHERE note <> ''
           UNION ALL SELECT id, '', summary || ' ' || strengths || ' ' || improvements FROM audits"""
KEYS = """SELECT audit_id, item_id AS part FROM answers WHERE note <> ''
          UNION ALL SELECT id, '' FROM audits"""  # the same texts, without reading them
RS = "\x1e"  # between a kept row's flags: a term phrase holds no control character


class NoteFlags(NamedTuple):  # a tuple: made once per text, so cheap
    words: int
    flags: tuple[tuple[str, int, int], ...]  # (lower-case term phrase, start, end), in order


def encode(flags: tuple[tuple[str, int, int], ...]) -> str:
    return RS.join(f"{s},{e},{p}" for p, s, e in flags)


def decode(stored: str) -> tuple[tuple[str, int, int], ...]:
    if not stored:
        return ()
    out = []
    for flag in stored.split(RS):
        s, e, p = flag.split(",", 2)
        out.append((p, int(s), int(e)))
    return tuple(out)


def scan_text(sc: Scanner, text: str | None) -> NoteFlags:
    text = text or ""
    return NoteFlags(sc.words(text), tuple((f.term.phrase.lower(), f.start, f.end) for f in sc.scan(text)))


def can_keep(db: Database) -> bool:
    """Whether kept rows can be trusted and written: the file is writable and the triggers
    that drop a changed note's row are all in place."""
    if db.read_only:
        return False
    ok = db.cache.get("language_flags_triggers")
    if ok is None:  # the schema does not change while the file is open
        names = {r[0] for r in db.query(
            f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({','.join('?' * len(TRIGGER_NAMES))})", TRIGGER_NAMES)}
        ok = db.cache["language_flags_triggers"] = names == set(TRIGGER_NAMES)
    return bool(ok)


def keep_missing(db: Database, sc: Scanner, where: str | None = None,
                 params: list | tuple = ()) -> bool:
    """Scan the texts that have no kept row for this term list, and keep them: those of the
    audits `where` selects (an AuditFilter condition over audits a joined to cases c), or
    of the whole file. False when nothing can be kept (see can_keep): the caller scans."""
    if not can_keep(db):
        return False
    if where is None:
        # the triggers leave rows only for texts as they are, so as many kept rows as texts
        # means every text is kept: two counts instead of a look-up per text
        texts, kept = db.query_one(
            "SELECT (SELECT count(*) FROM answers WHERE note <> '') + (SELECT count(*) FROM audits),"
            " (SELECT count(*) FROM language_flags WHERE version = ?)", (sc.version,))
        if texts == kept:
            return True
        where, params = "1", ()
    def unkept(texts: str, columns: str) -> list[tuple]:
        return db.query(
            f"""SELECT {columns} FROM audits a JOIN cases c ON c.id = a.case_id
                JOIN ({texts}) t ON t.audit_id = a.id
                WHERE {where} AND NOT EXISTS (SELECT 1 FROM language_flags k WHERE
                    k.audit_id = t.audit_id AND k.part = t.part AND k.version = ?)""",
            (*params, sc.version))

    # usually all are kept: look for any without reading a note
    if not unkept(KEYS, "1"):
        return True
    missing = unkept(TEXTS, "t.audit_id, t.part, t.text")
    rows = []
    for audit_id, part, text in missing:
        nf = scan_text(sc, text)
        rows.append((audit_id, part, sc.version, nf.words, len(nf.flags), encode(nf.flags)))
    try:
        with db.atomic() as c:
            c.execute("DELETE FROM language_flags WHERE version <> ?", (sc.version,))
            c.executemany("INSERT OR REPLACE INTO language_flags VALUES (?, ?, ?, ?, ?, ?)", rows)
    except (AuditToolError, sqlcipher3.Error):
        return False  # busy or full: never fails a report; scanned again next time
    return True


class KeptFlags(NamedTuple):
    """The flags over a selection: per audit (phase, words, flags) and the flagged texts."""

    per_audit: dict[str, tuple[str, int, int]]  # audit id -> (phase, words, flags)
    flagged: list[tuple[str, str]]  # (audit id, encoded flags) of texts with a flag
    live: bool  # scanned now without keeping (read-only file, or triggers missing)


def selection_flags(db: Database, sc: Scanner, where: str, params: list | tuple) -> KeptFlags:
    """Kept flags of every text of the selected audits (scanning and keeping those not yet
    kept); sums per audit in SQL. Without keeping, every text is scanned."""
    if keep_missing(db, sc):  # the whole file: a later selection finds its texts kept too
        head = """FROM audits a JOIN cases c ON c.id = a.case_id
                   JOIN language_flags k ON k.audit_id = a.id AND k.version = ?"""
        # one pass: an audit's texts' flags joined by RS read back as one list
        rows = db.query(
            f"""SELECT a.id, a.phase, sum(k.words), sum(k.n),
                       group_concat(CASE WHEN k.n > 0 THEN k.flags END, char(30))
                {head} WHERE {where} GROUP BY a.id""", (sc.version, *params))
        return KeptFlags({a: (p, w, n) for a, p, w, n, _ in rows},
                         [(a, f) for a, _, _, n, f in rows if n], False)
    per: dict[str, tuple[str, int, int]] = {}
    flagged = []
    for audit_id, phase, text in _texts(db, where, params):
        nf = scan_text(sc, text)
        _, w, n = per.get(audit_id, (phase, 0, 0))
        per[audit_id] = (phase, w + nf.words, n + len(nf.flags))
        if nf.flags:
            flagged.append((audit_id, encode(nf.flags)))
    return KeptFlags(per, flagged, True)


def _texts(db: Database, where: str, params: list | tuple) -> Iterator[tuple[str, str, str]]:
    yield from db.iterate(
        f"""SELECT a.id, a.phase, t.text FROM audits a JOIN cases c ON c.id = a.case_id
            JOIN ({TEXTS}) t ON t.audit_id = a.id WHERE {where}""", params)


def audit_flags(db: Database, sc: Scanner, audit_id: str) -> dict[str, NoteFlags]:
    """Part (item id, or SUMMARY) -> the flags of one audit's texts, kept or scanned once
    (the editor, the one-audit report)."""
    if keep_missing(db, sc, "a.id = ?", (audit_id,)):
        return {p: NoteFlags(w, decode(f)) for p, w, f in db.query(
            "SELECT part, words, flags FROM language_flags WHERE audit_id = ? AND version = ?",
            (audit_id, sc.version))}
    rows = db.query(f"SELECT part, text FROM ({TEXTS}) WHERE audit_id = ?", (audit_id,))
    return {p: scan_text(sc, t) for p, t in rows}


__all__ = ["SUMMARY", "TEXTS", "KeptFlags", "NoteFlags", "audit_flags", "can_keep", "decode",
           "encode", "keep_missing", "scan_text", "selection_flags"]
