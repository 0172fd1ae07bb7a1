"""The whole-file tamper check, run beside an unlock instead of in front of it (issue 22).

Checking every page's HMAC (PRAGMA cipher_integrity_check) reads the whole file: 1 s of a
1.1 s unlock on a 50,000-audit database. The window can show the list while it runs, as
long as nothing is written before it has passed: Database.atomic() waits for it and raises
its DamagedDatabase if it failed. Only a file that needs nothing written to open it is
checked this way (no migration due, no WAL or rekey leftovers beside it); any other is
checked before it opens, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import sqlcipher3

from ..errors import AuditToolError, DamagedDatabase
from . import readonly


class Verification:
    """The check, running on a read-only connection of its own in a thread."""

    def __init__(self, path: Path, key: str, check: Callable, verify: Callable) -> None:
        self.path = path
        self._key = key
        self._checks = (check, verify)  # connection._check and _verify: the same as in front
        self._conn: sqlcipher3.Connection | None = None
        self._lock = threading.Lock()
        self._cancelled = False
        self.problem: AuditToolError | None = None
        self._thread = threading.Thread(target=self._run, name="verify-database", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        check, verify = self._checks
        try:
            with self._lock:
                if self._cancelled:
                    return
                self._conn = readonly.connect(self.path, ignore_wal=True)
            check(self._conn, self.path, self._key)
            verify(self._conn, self.path)
        except AuditToolError as exc:
            self.problem = exc
        except sqlcipher3.Error as exc:
            if not self._cancelled:
                self.problem = DamagedDatabase(
                    f"{self.path} could not be checked for damage or tampering ({exc}); "
                    "nothing was written to it."
                )
        finally:
            self._key = ""
            with self._lock:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self) -> None:
        """Block until the check is over; raise its problem if the file failed it."""
        self._thread.join()
        if self.problem is not None:
            raise self.problem

    def cancel(self) -> None:
        """Stop the check (the database is being closed): nothing waits for it any more."""
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()
        self._thread.join()
