"""The open database and its lifecycle: create, unlock, lock, change passphrase.

One Session per window. Parts of the window listen to `about_to_lock` (save what is
pending), `locked` (forget every piece of case data), `unlocked` (load again) and
`changed` (a write's Changes, published by whoever made it: each screen decides from it
what it shows that is stale).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from audit_tool.changes import Changes
from audit_tool.errors import AuditToolError, StorageProblem
from audit_tool.passphrase import check as check_passphrase
from audit_tool.store import Database
from ui.reader import Job, Reader


class Session(QObject):
    about_to_lock = Signal()
    locked = Signal()
    unlocked = Signal()
    changed = Signal(object)  # Changes
    refused = Signal(str)  # the open file failed the tamper check: why, in words

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._db: Database | None = None
        self._reader: Reader | None = None
        # While unlocked only, in memory only: what opens a second connection for a
        # whole-file import (ui.operations); None after attach() or lock().
        self._key: list[str] = []
        self._refused = ""  # the file failed the tamper check run beside the window
        self._check_timer = QTimer(self)
        self._check_timer.setInterval(100)
        self._check_timer.timeout.connect(self._check_verification)

    # -- state --------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._db is not None and self._db.is_open

    @property
    def db(self) -> Database:
        if self._db is None or not self._db.is_open:
            raise StorageProblem("The database is locked; unlock it first.")
        return self._db

    def exists(self) -> bool:
        return self.path.exists()

    # -- opening ------------------------------------------------------------------------
    def create(self, passphrase: str, name: str = "", role: str = "", agency: str = "") -> None:
        """Create the encrypted database (the core refuses to touch an existing file)."""
        self._db = Database.create(self.path, passphrase)
        if name.strip():
            from audit_tool import reviewers  # only on first run, not at every start

            reviewers.set_local_reviewer(self._db, name, role, agency)
        self._start_reader(passphrase)
        self.unlocked.emit()

    def unlock(self, passphrase: str) -> None:
        """Open with the passphrase; raises WrongPassphrase, DamagedDatabase, NewerSchema...

        The whole-file tamper check runs beside the window (the core holds every write
        until it has passed); a file that fails it is locked again and `refused` says why."""
        self._db = Database.open(self.path, passphrase, verify_later=not self._refused)
        self._start_reader(passphrase)
        if self._db.verification is not None:
            self._check_timer.start()
        self.unlocked.emit()

    def _check_verification(self) -> None:
        db = self._db
        if db is None or db.verification is None:
            self._check_timer.stop()
            return
        if not db.verification.done:
            return
        self._check_timer.stop()
        try:
            db.verified()
        except AuditToolError as exc:
            self._refused = str(exc)  # the next unlock checks before it opens, and refuses
            self.lock()
            self.refused.emit(self._refused)

    def attach(self, db: Database) -> None:
        """Use an already open database (tests, benchmarks); slow reads share it."""
        self._db = db
        self.unlocked.emit()

    def _start_reader(self, passphrase: str) -> None:
        self._key[:] = [passphrase]
        self._reader = Reader(self.path, passphrase, self)  # its thread starts in warm_up()

    def warm_up(self) -> None:
        """Start the reader's connection: the window calls this once it is painted, so
        that its key derivation does not compete with the first paint for the CPU."""
        if self._reader is not None:
            self._reader.start()

    def second_connection(self) -> Database | None:
        """A connection of its own for a worker thread (closed by whoever asked for it);
        None without the passphrase (a database attached by a test or a benchmark)."""
        if not self._key:
            return None
        self.db.verified()  # the page check beside the unlock has passed (or this raises)
        return Database.open(self.path, self._key[0], verify=False)  # verified at unlock

    # -- what changed -------------------------------------------------------------------
    def publish(self, changes: Changes | None) -> None:
        """Tell every screen what a write changed (on the GUI thread, after the write)."""
        if changes is not None and changes.any:
            self.changed.emit(changes)

    # -- locking ------------------------------------------------------------------------
    def lock(self) -> None:
        """Save what is pending, then close the database and forget case data on screen."""
        if self._db is None:
            return
        self.about_to_lock.emit()
        self._key.clear()
        self._stop_reader()
        db, self._db = self._db, None
        db.close()
        self.locked.emit()

    def _stop_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader.deleteLater()
            self._reader = None

    def change_passphrase(self, current: str, new: str) -> None:
        """Check the current passphrase on a separate connection, then re-key.

        The reader's connection is closed first (the core refuses while another is open)
        and restarted with whichever passphrase opens the file afterwards: the new one
        only once the core's change has succeeded."""
        check_passphrase(new)  # the core's rule and message, before anything is closed
        Database.open(self.path, current, verify=False).close()
        self._stop_reader()
        changed = False
        try:
            self.db.change_passphrase(new)
            changed = True
        finally:
            if self.is_open:
                self._start_reader(new if changed else current)
                self.warm_up()  # the window is on screen already
            else:  # the change closed the file (its message says which passphrase opens it)
                self._key.clear()
                self._db = None
                self.locked.emit()

    # -- slow reads ---------------------------------------------------------------------
    def read(
        self,
        job: Job,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        """Run a read off the GUI thread; without a reader, soon on this thread instead.

        A job that fails on the reader's connection is not tried again here: the jobs sent
        this way are the slow ones, and the window would freeze. on_error gets the error."""
        if self._reader is not None:
            return self._reader.submit(job, on_done, on_error)
        QTimer.singleShot(0, lambda: self._run_here(job, on_done, on_error))
        return 0

    def cancel(self, job_id: int) -> None:
        """Drop the job's result; stop its query if it is running."""
        if self._reader is not None and job_id:
            self._reader.cancel(job_id)

    def _run_here(self, job: Job, on_done, on_error) -> None:
        if not self.is_open:
            return
        try:
            result = job(self.db)
        except Exception as exc:
            if on_error is not None:
                on_error(exc)
            return
        on_done(result)


def changes_of(result: object, otherwise: Changes) -> Changes:
    """The Changes a core write returned; `otherwise` (what the caller knows it asked for)
    for a write that returns something else (e.g. the answer with the questions shown)."""
    if isinstance(result, Changes):
        return result
    inner = getattr(result, "changes", None)
    return inner if isinstance(inner, Changes) else otherwise
