"""Open, create, rekey and check the encrypted database (SQLCipher 4 defaults).

Order matters: the key is set before any other statement, a read proves it (a wrong key
only shows at the first read), the schema version is checked, and only then is anything
written (WAL mode, migrations). A file that fails any check is closed untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlcipher3

from ..errors import (
    AuditToolError,
    DamagedDatabase,
    InvalidInput,
    NewerSchema,
    NotAnAuditDatabase,
    StorageProblem,
    WrongPassphrase,
)
from ..passphrase import check as check_passphrase
from ..passphrase import normalise
from .schema import MIGRATING, MIGRATIONS, SCHEMA_VERSION

APP_ID = 0x41554454  # "AUDT" in PRAGMA application_id: tells our files from other SQLite files
PAGE_SIZE = 4096  # SQLCipher 4 default


def _quote(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def _raw_connect(path: Path) -> sqlcipher3.Connection:
    # isolation_level=None: we manage transactions explicitly (BEGIN IMMEDIATE in atomic()).
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5.0)
    # SQLCipher logs decryption failures to stderr; we report them ourselves, in words.
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def translate(exc: BaseException, path: Path | str = "") -> AuditToolError:
    """Map a sqlite error to the environment (full, read-only, busy, damaged) or re-raise a bug."""
    msg = str(exc).lower()
    where = f" ({path})" if path else ""
    if "file is not a database" in msg or "not a database" in msg:
        return DamagedDatabase(f"The database file is damaged or has been tampered with{where}.")
    if "database or disk is full" in msg or "disk i/o" in msg:
        return StorageProblem(f"The disk is full or failing; nothing more could be saved{where}.")
    if "readonly" in msg or "read-only" in msg:
        return StorageProblem(f"The database is read-only; changes cannot be saved{where}.")
    if "locked" in msg or "busy" in msg:
        return StorageProblem(f"The database is in use by another program{where}; close it and try again.")
    if "malformed" in msg or "corrupt" in msg:
        return DamagedDatabase(f"The database file is damaged{where}. Restore it from a backup.")
    if "unable to open" in msg:
        return StorageProblem(f"The database file cannot be opened{where}.")
    raise exc


def _set_key(conn: sqlcipher3.Connection, passphrase: str) -> None:
    conn.execute(f"PRAGMA key = {_quote(passphrase)}")


def _apply_pragmas(conn: sqlcipher3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")


def _preflight(path: Path) -> None:
    """Refuse files that cannot be an audit database before SQLCipher touches them."""
    if not path.exists():
        raise NotAnAuditDatabase(f"There is no database at {path}. Create one with 'audit-tool init'.")
    if path.is_dir():
        raise NotAnAuditDatabase(f"{path} is a folder, not an audit database.")
    size = path.stat().st_size
    if size == 0:
        raise NotAnAuditDatabase(f"{path} is an empty file, not an audit database; it was left as it is.")
    if size % PAGE_SIZE:
        raise DamagedDatabase(f"{path} is truncated or damaged (its size is not whole pages); it was left as it is.")


def _check(conn: sqlcipher3.Connection, path: Path, key: str) -> int:
    """Prove the key, that the file is ours and that we understand its schema; return it."""
    _set_key(conn, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        if "not a database" in str(exc).lower():
            raise WrongPassphrase("Wrong passphrase, or this file is not an audit database.") from None
        raise
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APP_ID:
        raise NotAnAuditDatabase(f"{path} is an encrypted database, but not one made by this tool.")
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            f"This database was made by a newer version of the tool (schema {version}, "
            f"this version understands {SCHEMA_VERSION}). Update the tool; the file was left as it is."
        )
    return version


def _probe_read_only(path: Path, key: str) -> None:
    """Check a file with pending WAL pages without the power to write: a read-write
    connection would fold the WAL into the file when it closes, even on refusal."""
    shm = Path(f"{path}-shm")
    shm_existed = shm.exists()
    try:
        conn = sqlcipher3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlcipher3.Error as exc:
        raise translate(exc, path) from None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        _check(conn, path, key)
    except sqlcipher3.Error as exc:
        raise translate(exc, path) from None
    finally:
        conn.close()
        if not shm_existed:  # the WAL index is scratch; no other process had the file open
            with contextlib.suppress(OSError):
                shm.unlink()


def open_connection(path: str | Path, passphrase: str, verify: bool = True) -> sqlcipher3.Connection:
    """Open an existing database, proving the key and the schema before any write.

    verify: also check every page's HMAC first (about 0.1 s per 50 MB), so a tampered or
    damaged file is refused before anything is written to it. A second connection to a
    file already verified in this process may skip it."""
    path = Path(path)
    _preflight(path)
    key = normalise(passphrase)
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:  # after a crash, or open elsewhere
        _probe_read_only(path, key)
    try:
        conn = _raw_connect(path)
    except sqlcipher3.Error as exc:
        raise translate(exc, path) from None
    try:
        version = _check(conn, path, key)
        if verify:
            damaged = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            if damaged:
                raise DamagedDatabase(
                    f"{path} is damaged or has been tampered with ({len(damaged)} problem(s) "
                    "found); it was left as it is. Restore it from a backup."
                )
        _apply_pragmas(conn)
        if version < SCHEMA_VERSION:
            _backup_before_migration(conn, path, version)
            _migrate(conn, version)
        return conn
    except AuditToolError:
        conn.close()
        raise
    except sqlcipher3.Error as exc:
        conn.close()
        raise translate(exc, path) from None


def create_database(path: str | Path, passphrase: str) -> sqlcipher3.Connection:
    """Create a new encrypted database; refuse to touch any existing file (even an empty one)."""
    path = Path(path)
    key = check_passphrase(passphrase)
    if path.exists():
        raise InvalidInput(f"{path} already exists; it was left as it is. Choose another file name.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageProblem(f"The folder {path.parent} cannot be created: {exc.strerror}.") from None
    try:
        # O_EXCL: never race another process into the same file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        raise InvalidInput(f"{path} already exists; it was left as it is.") from None
    except OSError as exc:
        raise StorageProblem(f"{path} cannot be created: {exc.strerror}.") from None
    conn = None
    try:
        conn = _raw_connect(path)
        _set_key(conn, key)
        conn.execute(f"PRAGMA application_id = {APP_ID}")
        _apply_pragmas(conn)
        _migrate(conn, 0)
        return conn
    except BaseException as exc:
        if conn is not None:
            conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{path}{suffix}")
        if isinstance(exc, sqlcipher3.Error):
            raise translate(exc, path) from None
        raise


def _migrate(conn: sqlcipher3.Connection, from_version: int) -> None:
    """Run each pending step the SQLite-documented way (lang_altertable.html, "other kinds of
    table schema changes"): foreign keys off outside the transaction, so rebuilding a table
    never cascades into its children; foreign_key_check before COMMIT; foreign keys back on.
    A step is SQL text or a callable taking the connection. All or nothing per step.

    legacy_alter_table is on meanwhile: the rebuild's last move, RENAME new_X TO X, would
    otherwise re-check every trigger in the schema and fail on those of other tables that
    name X (dropped a moment before); the new table takes X's name, so they stay right."""
    for number in range(from_version, SCHEMA_VERSION):
        conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: none is open
        conn.execute("PRAGMA legacy_alter_table = ON")
        try:
            if conn.execute("PRAGMA foreign_keys").fetchone()[0]:
                raise AuditToolError("Cannot upgrade the database inside a transaction; nothing was changed.")
            _run_step(conn, number, MIGRATIONS[number])
        finally:
            conn.execute("PRAGMA legacy_alter_table = OFF")
            conn.execute("PRAGMA foreign_keys = ON")


def _run_step(conn: sqlcipher3.Connection, number: int, step: str | Callable) -> None:
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
            f"({Path(where).name}.before-v{SCHEMA_VERSION}*.bak). Report this to whoever supports the tool."
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


def _backup_before_migration(conn: sqlcipher3.Connection, path: Path, version: int) -> Path:
    """Copy the (still encrypted) file aside before changing its schema; return the copy.

    The WAL is folded in first and must fold completely, or the copy would miss pages.
    An older backup is never overwritten unless it is byte-for-byte this file."""
    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        raise StorageProblem(
            f"{path} is open in another program, so it cannot be backed up before its upgrade; "
            "close that program and try again. Nothing was changed."
        )
    backup = path.with_name(f"{path.name}.before-v{SCHEMA_VERSION}.bak")
    if backup.exists() and not _same_file(backup, path):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.before-v{SCHEMA_VERSION}.{stamp}.bak")
    if backup.exists():
        return backup
    partial = backup.with_name(backup.name + ".partial")
    try:
        shutil.copyfile(path, partial)
        with open(partial, "rb+") as fh:
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


def rekey(conn: sqlcipher3.Connection, new_passphrase: str) -> None:
    """Change the passphrase; checkpoint so no page under the old key stays in the WAL."""
    key = check_passphrase(new_passphrase)
    try:
        conn.execute(f"PRAGMA rekey = {_quote(key)}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlcipher3.Error as exc:
        raise translate(exc) from None


def integrity_problems(conn: sqlcipher3.Connection) -> list[str]:
    """Empty when the file is sound: cipher (HMAC per page) and SQLite structure."""
    try:
        problems = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    except sqlcipher3.Error as exc:
        return [str(translate(exc))]
    problems += [r for r in rows if r != "ok"]
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    problems += [f"foreign key problem in {r[0]} row {r[1]}" for r in fk]
    return problems


@contextlib.contextmanager
def atomic(conn: sqlcipher3.Connection) -> Iterator[sqlcipher3.Connection]:
    """One write transaction: committed (and fsynced under synchronous=FULL) or rolled back."""
    if conn.in_transaction:  # nested: join the outer transaction
        yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlcipher3.Error as exc:
        raise translate(exc) from None
    try:
        yield conn
    except BaseException as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlcipher3.Error):
            raise translate(exc) from None
        raise
    try:
        conn.execute("COMMIT")
    except sqlcipher3.Error as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise translate(exc) from None
