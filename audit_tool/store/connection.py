"""Open, create, rekey and check the encrypted database (SQLCipher 4 defaults).

Order matters: the key is set before any other statement, a read proves it (a wrong key
only shows at the first read), the schema version is checked, and only then is anything
written (WAL mode, migrations). A file that fails any check is closed untouched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
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
from . import readonly
from .schema import MIGRATIONS, SCHEMA_VERSION
from .verify import Verification

APP_ID = 0x41554454  # "AUDT" in PRAGMA application_id: tells our files from other SQLite files
PAGE_SIZE = 4096  # SQLCipher 4 default
BUSY_MS = 5000  # how long a statement waits for another connection's lock


def _quote(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def _raw_connect(path: Path) -> sqlcipher3.Connection:
    # isolation_level=None: we manage transactions explicitly (BEGIN IMMEDIATE in atomic()).
    conn = sqlcipher3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_MS / 1000
    )
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


def _probe_read_only(path: Path, key: str, verify: bool) -> None:
    """Check a file with WAL files beside it without the power to write: a read-write
    connection would fold the WAL into the file and delete both when it closes, even
    on refusal. Every check that can refuse the file runs here."""
    shm = Path(f"{path}-shm")
    shm_existed = shm.exists()
    # readonly_shm: read the WAL index as it is (SQLite would otherwise rebuild it in place)
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&readonly_shm=1" if shm_existed else "")
    try:
        conn = sqlcipher3.connect(uri, uri=True, isolation_level=None)
    except sqlcipher3.Error as exc:
        raise translate(exc, path) from None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        _check(conn, path, key)
        if verify:
            _verify(conn, path)  # the main file's pages only
            if readonly.has_pending_wal(path):  # read every page through the WAL as well
                rows = conn.execute("PRAGMA quick_check").fetchall()
                if rows != [("ok",)]:
                    raise DamagedDatabase(f"{path} is damaged ({rows[0][0]}).")
    except (sqlcipher3.Error, DamagedDatabase, WrongPassphrase) as exc:
        if _intact_without_wal(path, key):
            raise StorageProblem(
                f"{path}-wal beside the database does not belong to it (it is from another "
                f"database, or damaged), while {path.name} itself is intact. Move {path.name}-wal "
                f"and {path.name}-shm to another folder and open it again (changes held only "
                "in that file, if it was this database's, would be lost)."
            ) from None
        if isinstance(exc, AuditToolError):
            raise
        raise translate(exc, path) from None
    finally:
        conn.close()
        if not shm_existed:  # the WAL index is scratch; no other process had the file open
            with contextlib.suppress(OSError):
                shm.unlink()


def _intact_without_wal(path: Path, key: str) -> bool:
    """Whether the main file alone opens with this key and passes every check."""
    try:
        conn = readonly.connect(path, ignore_wal=True)
    except sqlcipher3.Error:
        return False
    try:
        _check(conn, path, key)
        _verify(conn, path)
        return True
    except (AuditToolError, sqlcipher3.Error):
        return False
    finally:
        conn.close()


def _verify(conn: sqlcipher3.Connection, path: Path) -> None:
    damaged = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    if damaged:
        raise DamagedDatabase(
            f"{path} is damaged or has been tampered with ({len(damaged)} problem(s) "
            "found); it was left as it is. Restore it from a backup."
        )


def open_connection(path: str | Path, passphrase: str, verify: bool = True) -> sqlcipher3.Connection:
    """Open an existing database (see open_database); the connection only."""
    return open_database(path, passphrase, verify)[0]


def open_database(
    path: str | Path, passphrase: str, verify: bool = True
) -> tuple[sqlcipher3.Connection, str | None]:
    """Open an existing database, proving the key and the schema before any write.

    Returns the connection and, when it could only be opened read-only (read-only media,
    file or folder, a full disk), why, in words; reading works all the same.
    verify: also check every page's HMAC first (about 0.1 s per 50 MB), so a tampered or
    damaged file is refused before anything is written to it. A second connection to a
    file already verified in this process may skip it."""
    conn, reason, _ = open_verifying_later(path, passphrase, verify, later=False)
    return conn, reason


def open_verifying_later(
    path: str | Path, passphrase: str, verify: bool = True, later: bool = True
) -> tuple[sqlcipher3.Connection, str | None, Verification | None]:
    """As open_database; with `later`, the page check of a file that needs nothing written
    to open runs in a thread (store/verify.py) and is returned: wait for it before writing."""
    path = Path(path)
    _preflight(path)
    key = normalise(passphrase)
    if not key:  # SQLCipher would take an empty key for a bug ("PRAGMA key requires a key")
        raise WrongPassphrase("No passphrase was given.")
    reason = readonly.why_read_only(path)
    if reason:
        return _open_read_only(path, key, verify, reason), reason, None
    existed = {s for s in ("-wal", "-shm") if Path(f"{path}{s}").exists()}
    if existed:  # after a crash, or open elsewhere
        _probe_read_only(path, key, verify)
    try:
        conn = _raw_connect(path)
    except sqlcipher3.Error as exc:
        raise translate(exc, path) from None
    try:
        version = _check(conn, path, key)
        # later only when opening writes nothing: no migration, nothing beside the file
        later = later and verify and version == SCHEMA_VERSION and not existed
        later = later and not rekey_temp(path).exists()
        if verify and not existed and not later:
            _verify(conn, path)
        _apply_pragmas(conn)
        with contextlib.suppress(OSError):  # this file opened: it is the truth
            _remove_rekey_leftovers(path)
        if version < SCHEMA_VERSION:
            from . import migrate  # only when a migration is due: not at every start

            migrate.backup(conn, path, SCHEMA_VERSION)
            migrate.run(conn, version, MIGRATIONS[:SCHEMA_VERSION])
        return conn, None, Verification(path, key, _check, _verify) if later else None
    except AuditToolError:
        conn.close()
        raise
    except sqlcipher3.Error as exc:
        conn.close()
        if not readonly.cannot_write(exc):
            raise translate(exc, path) from None
        # the disk filled up, or the file cannot be written after all: reading still works
        readonly.remove_scratch(path, existed)
        reason = readonly.why_read_only(path) or "the database cannot be written"
        return _open_read_only(path, key, verify, reason), reason, None


def _open_read_only(path: Path, key: str, verify: bool, reason: str) -> sqlcipher3.Connection:
    try:
        conn = readonly.connect(path)
    except sqlcipher3.Error as exc:
        raise _unreadable(exc, path, reason) from None
    try:
        version = _check(conn, path, key)
        if verify:
            _verify(conn, path)
        if version < SCHEMA_VERSION:
            raise StorageProblem(
                f"{path} needs upgrading to this version of the tool, which cannot be done where "
                f"it is ({reason}); copy it to a folder that can be written and open it there."
            )
        readonly.finish(conn)
        return conn
    except AuditToolError:
        conn.close()
        raise
    except sqlcipher3.Error as exc:
        conn.close()
        raise _unreadable(exc, path, reason) from None


def _unreadable(exc: sqlcipher3.Error, path: Path, reason: str) -> AuditToolError:
    if readonly.has_pending_wal(path) and "unable to open" in str(exc).lower():
        return StorageProblem(
            f"{path} has changes not yet folded into it ({path.name}-wal), and they cannot be "
            f"read where it is ({reason}); copy the database with the files beside it to a "
            "folder that can be written and open it there."
        )
    return translate(exc, path)


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
        from . import migrate

        migrate.run(conn, 0, MIGRATIONS[:SCHEMA_VERSION])
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


IN_USE = (
    "Another program (or another window of this tool) has this database open; "
    "close it and try again."
)


class ClosedByRekey(StorageProblem):
    """A passphrase change left its connection closed (Windows, or the reopen failed):
    the message says which passphrase opens the file now."""


def rekey(conn: sqlcipher3.Connection, path: str | Path, new_passphrase: str) -> sqlcipher3.Connection:
    """Change the passphrase; return the connection to use from now on (conn is closed).

    SQLCipher's in-place PRAGMA rekey rewrites every page through the WAL: a kill half way
    leaves pages under both keys. Instead a complete copy under the new key is written
    beside the file, proven to open, synced, and renamed over the original in one step.
    At any moment exactly one passphrase opens the file. On failure conn is still open,
    still under the old passphrase, and nothing is changed (ClosedByRekey: it is closed)."""
    path = Path(path)
    key = check_passphrase(new_passphrase)
    check_writable(path)
    _take_sole_lock(conn)
    tmp = rekey_temp(path)
    closed = False
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # folds the WAL in and removes it
        _remove_rekey_leftovers(path)
        _export(conn, tmp, key)
        if os.name == "nt":  # Windows renames nothing over an open file; POSIX keeps the lock
            conn.close()
            closed = True
        else:
            _drop_spent_journal(path)
        os.replace(tmp, path)  # atomic: the old file or the new one, never a mix
    except BaseException as exc:
        with contextlib.suppress(OSError):
            _remove_rekey_leftovers(path)
        reason = _why_not_changed(exc, path)
        if closed:
            raise ClosedByRekey(f"{reason or exc} The database was closed; open it again.") from None
        _release_sole_lock(conn)
        if reason:
            raise StorageProblem(reason) from None
        raise  # a bug: reported as such
    with contextlib.suppress(OSError):  # the rename is done; this only hurries it to disk
        _fsync_folder(path.parent)
    if not closed:
        conn.close()  # its lock was on the old file, now gone
    try:
        return open_connection(path, key, verify=False)
    except AuditToolError as exc:
        raise ClosedByRekey(
            f"The passphrase was changed, but the database could not be opened again ({exc}); "
            "open it with the new passphrase."
        ) from None


def _drop_spent_journal(path: Path) -> None:
    """Under the exclusive lock SQLite keeps the journal of the switch out of WAL, its header
    zeroed (so never replayed); it would outlive the rename beside the new file."""
    journal = Path(f"{path}-journal")
    with contextlib.suppress(FileNotFoundError), open(journal, "rb") as fh:
        if fh.read(28).strip(b"\0"):
            return  # a live journal: never ours to remove
    with contextlib.suppress(FileNotFoundError):
        journal.unlink()


def _why_not_changed(exc: BaseException, path: Path) -> str | None:
    """One line for an environment problem (disk full, I/O); None for anything else."""
    if isinstance(exc, OSError):
        return f"The passphrase could not be changed ({exc.strerror}); the old one still works."
    if isinstance(exc, sqlcipher3.Error):
        try:
            problem = translate(exc, path)
        except sqlcipher3.Error:
            return None
        return f"{problem} The passphrase was not changed; the old one still works."
    return None


def rekey_temp(path: Path) -> Path:
    """The new-key copy written during a passphrase change (left only by a kill)."""
    return path.with_name(path.name + ".rekey-tmp")


def check_writable(path: Path) -> None:
    """Say so in words before starting: a copy is written beside the file, then renamed."""
    if not path.is_file():
        return  # opening it says what is wrong
    if not os.access(path, os.W_OK):
        raise StorageProblem(f"The database file is read-only ({path}); the passphrase was not changed.")
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageProblem(
            f"The folder {folder} is read-only; the passphrase was not changed "
            "(changing it writes a new copy of the file beside the old one)."
        )


def _take_sole_lock(conn: sqlcipher3.Connection) -> None:
    """Hold an exclusive lock, or refuse: another connection would go on using the old key
    (and its next save would fail as 'damaged'). Every open WAL connection holds a shared
    lock on the file, so the exclusive one is refused while any other is open."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_MS // 16}")  # others stay open for minutes
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlcipher3.Error as exc:
        _release_sole_lock(conn)
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StorageProblem(IN_USE) from None
        raise translate(exc) from None


def _release_sole_lock(conn: sqlcipher3.Connection) -> None:
    # In this order: WAL entered under an exclusive lock keeps its index in private memory
    # and the lock for good, so the lock goes first (a read in NORMAL mode drops it).
    with contextlib.suppress(sqlcipher3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute("PRAGMA locking_mode = NORMAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")


def _export(conn: sqlcipher3.Connection, tmp: Path, key: str) -> None:
    """Write the whole database to tmp under the new key; prove it opens; sync it."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private, like the original
    os.close(fd)
    conn.execute(f"ATTACH DATABASE {_quote(str(tmp))} AS rekeyed KEY {_quote(key)}")
    try:
        conn.execute("SELECT sqlcipher_export('rekeyed')")
        # sqlcipher_export copies tables and rows, not these two header fields
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA rekeyed.user_version = {int(version)}")
        conn.execute(f"PRAGMA rekeyed.application_id = {APP_ID}")
    finally:
        conn.execute("DETACH DATABASE rekeyed")
    proof = _raw_connect(tmp)
    try:
        _check(proof, tmp, key)
        proof.execute("PRAGMA journal_mode = WAL")  # as every file of ours, from its first open
    except AuditToolError:
        raise StorageProblem(
            "The new copy of the database did not open as it should; the passphrase was not "
            "changed and the old one still works."
        ) from None
    finally:
        proof.close()
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles to sync)."""
    if os.name == "nt":
        return
    fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_rekey_leftovers(path: Path) -> None:
    """A passphrase change killed before its rename leaves a copy beside the file: the file
    itself is the truth (it opened), so the copy and its journals go."""
    tmp = rekey_temp(path)
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{tmp}{suffix}")


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
