"""Schema migrations: a backup of the file first, then each pending step, all or nothing.

Called by connection.open_database once the key and the schema version are proven; the
list of steps and the version they lead to are passed in (tests stand in newer ones).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlcipher3

from ..errors import AuditToolError, StorageProblem
from .schema import MIGRATING


def run(conn: sqlcipher3.Connection, from_version: int, migrations: Sequence[str | Callable]) -> None:
    """Run each pending step the SQLite-documented way (lang_altertable.html, "other kinds of
    table schema changes"): foreign keys off outside the transaction, so rebuilding a table
    never cascades into its children; foreign_key_check before COMMIT; foreign keys back on.
    A step is SQL text or a callable taking the connection. All or nothing per step.

    legacy_alter_table is on meanwhile: the rebuild's last move, RENAME new_X TO X, would
    otherwise re-check every trigger in the schema and fail on those of other tables that
    name X (dropped a moment before); the new table takes X's name, so they stay right."""
    target = len(migrations)
    for number in range(from_version, target):
        conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: none is open
        conn.execute("PRAGMA legacy_alter_table = ON")
        try:
            if conn.execute("PRAGMA foreign_keys").fetchone()[0]:
                raise AuditToolError("Cannot upgrade the database inside a transaction; nothing was changed.")
            _run_step(conn, number, migrations[number], target)
        finally:
            conn.execute("PRAGMA legacy_alter_table = OFF")
            conn.execute("PRAGMA foreign_keys = ON")


def _run_step(conn: sqlcipher3.Connection, number: int, step: str | Callable, target: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        _mark_migrating(conn, str(number + 1))  # the read-only triggers let a migration through
        if callable(step):
            step(conn)
        else:
            for statement in _split(step):
                conn.execute(statement)
        _mark_migrating(conn, None)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            tables = ", ".join(sorted({str(r[0]) for r in broken}))
            raise RuntimeError(f"{len(broken)} row(s) in {tables} would lose their parent")
        conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        if isinstance(exc, AuditToolError | KeyboardInterrupt | SystemExit):
            raise
        where = conn.execute("PRAGMA database_list").fetchone()[2]
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise AuditToolError(
            f"The database could not be upgraded to schema {number + 1} ({reason}); it was left at "
            f"schema {number} with all its data, and the backup made just before sits beside it "
            f"({Path(where).name}.before-v{target}*.bak). Report this to whoever supports the tool."
        ) from exc


def _mark_migrating(conn: sqlcipher3.Connection, version: str | None) -> None:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone():
        return  # before schema 1 there is no meta table, and no trigger to let through
    if version is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (MIGRATING,))
    else:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (MIGRATING, version))


def _split(script: str) -> list[str]:
    """Split a migration into statements (triggers keep their inner semicolons)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlcipher3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def backup(conn: sqlcipher3.Connection, path: Path, target: int) -> Path:
    """Copy the (still encrypted) file aside before changing its schema; return the copy.

    The WAL is folded in first and must fold completely, or the copy would miss pages.
    An older backup is never overwritten unless it is byte-for-byte this file."""
    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        raise StorageProblem(
            f"{path} is open in another program, so it cannot be backed up before its upgrade; "
            "close that program and try again. Nothing was changed."
        )
    backup = path.with_name(f"{path.name}.before-v{target}.bak")
    if backup.exists() and not _same_file(backup, path):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.before-v{target}.{stamp}.bak")
    if backup.exists():
        return backup
    partial = backup.with_name(backup.name + ".partial")
    try:
        # the copy is the same case data: never readable by more people than the database
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh, open(path, "rb") as src:
            shutil.copyfileobj(src, fh, 1024 * 1024)
            with contextlib.suppress(OSError, AttributeError):  # no fchmod on Windows
                os.fchmod(fh.fileno(), stat.S_IMODE(os.stat(path).st_mode))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, backup)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise StorageProblem(
            f"No backup could be written beside {path} ({exc.strerror}), so it was not upgraded; "
            "free some disk space and try again. Nothing was changed."
        ) from None
    return backup


def _same_file(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    digests = []
    for p in (a, b):
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(block)
        digests.append(h.digest())
    return digests[0] == digests[1]
