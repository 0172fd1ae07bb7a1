"""Opening a database that cannot be written: read-only media, a read-only file or folder,
a full disk. Reading must still work, and nothing may be created beside the file.

SQLite in WAL mode wants to create `-wal` and `-shm` beside the database even to read.
Where no `-wal` holds pending changes, the file is opened `immutable` (nothing created,
no locks: right for media nobody writes to); where one does, it is read as it is
(`mode=ro`, and `readonly_shm` when its index exists).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import sqlcipher3

# Errors on opening read-write that mean "cannot write here", not "cannot read"
_CANNOT_WRITE = ("readonly", "read-only", "unable to open", "database or disk is full", "disk i/o")


def why_read_only(path: Path) -> str | None:
    """Why `path` cannot be written, in words; None when it can (as far as can be told)."""
    folder = path.parent if str(path.parent) else Path(".")
    with contextlib.suppress(OSError, AttributeError):  # no statvfs on Windows
        info = os.statvfs(folder)
        if info.f_flag & os.ST_RDONLY:
            return "it is on a read-only disk"
        if info.f_bavail == 0:
            return "the disk is full"
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "its folder is read-only"
    return None


def cannot_write(exc: BaseException) -> bool:
    return isinstance(exc, sqlcipher3.Error) and any(w in str(exc).lower() for w in _CANNOT_WRITE)


def has_pending_wal(path: Path) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"{path}-wal").stat().st_size > 0
    return False


def connect(path: Path, *, ignore_wal: bool = False) -> sqlcipher3.Connection:
    """A read-only connection that creates nothing beside `path`. ignore_wal: read the main
    file alone (immutable), whatever lies beside it."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if ignore_wal or not has_pending_wal(path):
        uri += "&immutable=1"
    elif Path(f"{path}-shm").exists():
        uri += "&readonly_shm=1"
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def finish(conn: sqlcipher3.Connection) -> None:
    """The settings a read-only connection can take (no WAL switch, no secure_delete)."""
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA query_only = ON")


def remove_scratch(path: Path, existed: set[str]) -> None:
    """Remove an empty `-wal` or an `-shm` that a failed read-write open just created (a
    full disk leaves them, 0 and 3 bytes): nobody else had them, they hold nothing."""
    for suffix in ("-wal", "-shm"):
        if suffix in existed:
            continue
        side = Path(f"{path}{suffix}")
        with contextlib.suppress(OSError):
            if suffix == "-shm" or side.stat().st_size == 0:
                side.unlink()
