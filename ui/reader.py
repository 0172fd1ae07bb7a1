"""Slow reads (the full audit list, findings, aggregate reports) on a second connection.

A second SQLCipher connection in its own thread, so the window stays responsive while
SQLite works; WAL mode lets it read while the window's connection writes. Results come
back to the GUI thread through a queued signal. It never writes.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from audit_tool.store import Database

Job = Callable[[Database], Any]
_STOP = object()


class ReaderThread(QThread):
    """Runs read jobs one after another on its own connection."""

    finished_job = Signal(int, object, object)  # job id, result, error (one of them is None)

    def __init__(self, path: Path, passphrase: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit-reader")
        self._jobs: queue.Queue = queue.Queue()
        # The passphrase waits here only until run() opens the connection, then is dropped.
        self._pending_key: list[str] = [passphrase]
        self._path = path
        self._db: Database | None = None
        # Which job runs now, and which queued ones were cancelled; guarded by _lock so an
        # interrupt meant for one job can never reach the next one.
        self._lock = threading.Lock()
        self._current = 0
        self._cancelled: set[int] = set()

    def submit(self, job_id: int, job: Job) -> None:
        self._jobs.put((job_id, job))

    def cancel(self, job_id: int) -> None:
        """Skip the job if it still waits; stop its query if it is running."""
        with self._lock:
            if job_id == self._current:
                db = self._db
                if db is not None:
                    db.interrupt()
            else:
                self._cancelled.add(job_id)

    def _begin(self, job_id: int) -> bool:
        with self._lock:
            skip = job_id in self._cancelled
            # Jobs run in the order of their ids: older cancellations can be forgotten.
            self._cancelled = {i for i in self._cancelled if i > job_id}
            if not skip:
                self._current = job_id
            return not skip

    def _end(self) -> None:
        with self._lock:
            self._current = 0

    def run(self) -> None:  # noqa: D401 (Qt override)
        open_error: BaseException | None = None
        try:
            # The session's own connection has verified the file already.
            self._db = Database.open(self._path, self._pending_key.pop(), verify=False)
        except BaseException as exc:  # reported to each job's caller as its error
            open_error = exc
        finally:
            self._pending_key.clear()
        try:
            while True:
                entry = self._jobs.get()
                if entry is _STOP:
                    return
                job_id, job = entry
                if not self._begin(job_id):  # cancelled while it waited
                    del entry, job
                    continue
                if open_error is not None:
                    self._end()
                    self.finished_job.emit(job_id, None, open_error)
                    continue
                try:
                    result = job(self._db)
                except BaseException as exc:  # delivered to the caller, never lost in the thread
                    self._end()
                    self.finished_job.emit(job_id, None, exc)
                else:
                    self._end()
                    self.finished_job.emit(job_id, result, None)
                    # Do not keep the last result (e.g. 50,000 rows) alive while waiting.
                    del result
                del entry, job
        finally:
            if self._db is not None:
                self._db.close()
                self._db = None

    def stop(self) -> None:
        """Abandon queued jobs, interrupt a running query and close the connection."""
        with contextlib.suppress(queue.Empty):
            while True:
                self._jobs.get_nowait()
        db = self._db
        if db is not None:
            db.interrupt()
        self._jobs.put(_STOP)
        self.wait()
        self._pending_key.clear()  # a thread never started must not keep the passphrase


class Reader(QObject):
    """GUI-thread side: submit(job, on_done, on_error); results arrive on the GUI thread."""

    def __init__(self, path: Path, passphrase: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None], Callable[[BaseException], None] | None]
        ] = {}
        self._thread = ReaderThread(path, passphrase)
        self._thread.finished_job.connect(self._deliver)

    def start(self) -> None:
        """Open the second connection (its key derivation takes a core for a fifth of a
        second): called once the window is painted, or by the first job, whichever is first."""
        if not self._thread.isRunning() and not self._thread.isFinished():
            self._thread.start()

    def submit(
        self,
        job: Job,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._thread.submit(job_id, job)
        self.start()
        return job_id

    def cancel(self, job_id: int) -> None:
        """The result, when it comes, is dropped; the job is skipped if it has not started,
        and its query interrupted if it is running (so the next job need not wait)."""
        if self._callbacks.pop(job_id, None) is not None:
            self._thread.cancel(job_id)

    def busy(self) -> bool:
        return bool(self._callbacks)

    def _deliver(self, job_id: int, result: object, error: object) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None:
            return
        on_done, on_error = callbacks
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)  # type: ignore[arg-type]

    def close(self) -> None:
        self._callbacks.clear()
        self._thread.stop()
        self._thread.finished_job.disconnect(self._deliver)
        self._thread.deleteLater()
