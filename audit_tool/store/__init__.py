"""The encrypted store: one Database object per open file, passed in (never global)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

from ..errors import NotFound
from . import connection, flat
from .connection import integrity_problems, translate
from .schema import SCHEMA_VERSION
from .verify import Verification

if TYPE_CHECKING:
    from ..checklists.loader import LoadedChecklist


def now() -> str:
    """UTC timestamp, second precision with milliseconds: sorts as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Database:
    """An open, unlocked audit database. Close it to lock."""

    def __init__(self, conn: sqlcipher3.Connection, path: Path, read_only: str | None = None) -> None:
        self.conn = conn
        self.path = path
        # why the file could only be opened for reading, in words (None: it can be changed)
        self.read_only = read_only
        self._checklists: dict[str, LoadedChecklist] = {}
        self.cache: dict[str, object] = {}  # small per-connection facts (e.g. the local reviewer)
        self.verification: Verification | None = None  # the page check, while it runs

    # -- lifecycle ------------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | Path, passphrase: str, verify: bool = True, verify_later: bool = False
    ) -> Database:
        """verify_later: check the file's pages in a thread (store/verify.py) while it is
        read; the first write waits for the check and is refused if the file failed it."""
        conn, read_only, pending = connection.open_verifying_later(
            path, passphrase, verify, later=verify_later
        )
        db = cls(conn, Path(path), read_only)
        db.verification = pending
        return db

    @property
    def read_only_notice(self) -> str | None:
        """The one line to show once when the database could only be opened for reading."""
        if not self.read_only:
            return None
        return f"Opened read-only ({self.read_only}): you can read and export, not change anything."

    @classmethod
    def create(cls, path: str | Path, passphrase: str) -> Database:
        return cls(connection.create_database(path, passphrase), Path(path))

    def close(self) -> None:
        if self.verification is not None:
            self.verification.cancel()
        if self.conn is not None:
            # No checkpoint of our own: a TRUNCATE one waits out the busy timeout while another
            # connection reads. The last connection to close folds the WAL in by itself.
            self.conn.close()
            self.conn = None  # type: ignore[assignment]
            self._checklists.clear()
            self.cache.clear()

    def interrupt(self) -> None:
        """Stop a long query running on another thread (SQLite allows this from any thread)."""
        conn = self.conn
        if conn is not None:
            with contextlib.suppress(sqlcipher3.Error):
                conn.interrupt()

    @property
    def is_open(self) -> bool:
        return self.conn is not None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and queries ------------------------------------------------------
    def atomic(self) -> contextlib.AbstractContextManager[sqlcipher3.Connection]:
        self.verified()
        return connection.atomic(self.conn)

    def verified(self) -> None:
        """Wait for a page check still running (verify_later); raise if the file failed it."""
        if self.verification is not None:
            self.verification.wait()  # raises DamagedDatabase, and again on every write
            self.verification = None

    @contextlib.contextmanager
    def page_cache(self, kib: int) -> Iterator[None]:
        """A bigger page cache (`kib` KiB) for one long read or write, the usual size after.
        SQLCipher checks and decrypts every page it reads into the cache: work that reads
        the same pages several times (a report's sections, a merge) decrypts them once."""
        before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {-int(kib)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(before)}")

    def query(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlcipher3.Error as exc:
            raise translate(exc, self.path) from None

    def query_one(self, sql: str, params: tuple | dict = ()) -> tuple | None:
        try:
            return self.conn.execute(sql, params).fetchone()
        except sqlcipher3.Error as exc:
            raise translate(exc, self.path) from None

    def iterate(self, sql: str, params: tuple | dict = ()) -> Iterator[tuple]:
        try:
            yield from self.conn.execute(sql, params)
        except sqlcipher3.Error as exc:
            raise translate(exc, self.path) from None

    # -- maintenance ---------------------------------------------------------------------
    def change_passphrase(self, new_passphrase: str) -> None:
        """Re-key the file (refused while any other connection has it open). Afterwards
        this object works on under the new passphrase; on failure, under the old one."""
        self.verified()
        try:
            self.conn = connection.rekey(self.conn, self.path, new_passphrase)
        except connection.ClosedByRekey:
            self.conn = None  # type: ignore[assignment]
            self._checklists.clear()
            self.cache.clear()
            raise

    def integrity_problems(self) -> list[str]:
        return integrity_problems(self.conn)

    def schema_version(self) -> int:
        return self.query_one("PRAGMA user_version")[0]

    # -- checklist copies ------------------------------------------------------------------
    def store_checklist(self, loaded: LoadedChecklist) -> str:
        """Keep a copy of the definition (idempotent by sha256) so audits outlive the file."""
        sha = loaded.sha256
        if sha in self._checklists or self.query_one(
            "SELECT 1 FROM checklist_defs WHERE sha256 = ?", (sha,)
        ):
            self._checklists.setdefault(sha, loaded)
            return sha
        d = loaded.definition
        with self.atomic() as c:
            c.execute(
                "INSERT INTO checklist_defs VALUES (?, ?, ?, ?, ?, ?)",
                (sha, d.id, d.version, d.title, loaded.source, now()),
            )
            tags = [
                (sha, item.id, tag, d.tags[tag].kind, d.tags[tag].label)
                for _, item in d.items()
                for tag in item.tags
            ]
            c.executemany(
                "INSERT INTO checklist_items VALUES (?,?,?,?,?,?,?,?,?,?)", flat.item_rows(sha, d)
            )
            c.executemany("INSERT INTO checklist_item_tags VALUES (?,?,?,?,?)", tags)
            c.executemany(
                "INSERT INTO checklist_levels VALUES (?,?,?,?,?,?)", flat.level_rows(sha, d)
            )
        self._checklists[sha] = loaded
        return sha

    def checklist(self, sha: str) -> LoadedChecklist:
        """The exact definition an audit was done against (parsed once, then cached)."""
        cached = self._checklists.get(sha)
        if cached is not None:
            return cached
        from ..checklists.loader import parse  # pydantic loads on first use, not at start-up

        row = self.query_one(
            "SELECT checklist_id, source FROM checklist_defs WHERE sha256 = ?", (sha,)
        )
        if row is None:
            raise NotFound(f"Checklist copy {sha[:12]} is missing from the database.")
        loaded = parse(row[1], f"stored copy of {row[0]}", "database")
        self._checklists[sha] = loaded
        return loaded

    def stored_checklists(self) -> list[tuple[str, str, str, str]]:
        """(sha256, id, version, title) of every definition any audit used."""
        return self.query(
            "SELECT sha256, checklist_id, version, title FROM checklist_defs ORDER BY checklist_id, version"
        )


__all__ = ["Database", "SCHEMA_VERSION", "now"]
