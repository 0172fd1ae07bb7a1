"""Slow reads (the full audit list, findings over many audits) on a second connection.

A second SQLCipher connection in its own thread, so the window stays responsive while
SQLite works; WAL mode lets it read while the window's connection writes. Results come
back to the GUI thread through a queued signal. It never writes.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
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

    def submit(self, job_id: int, job: Job) -> None:
        self._jobs.put((job_id, job))

    def run(self) -> None:  # noqa: D401 (Qt override)
        open_error: BaseException | None = None
        try:
            self._db = Database.open(self._path, self._pending_key.pop())
        except (
            BaseException
        ) as exc:  # reported per job; the session falls back to its own connection
            open_error = exc
        finally:
            self._pending_key.clear()
        try:
            while True:
                entry = self._jobs.get()
                if entry is _STOP:
                    return
                job_id, job = entry
                if open_error is not None:
                    self.finished_job.emit(job_id, None, open_error)
                    continue
                try:
                    result = job(self._db)
                except BaseException as exc:  # delivered to the caller, never lost in the thread
                    self.finished_job.emit(job_id, None, exc)
                else:
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
        return job_id

    def cancel(self, job_id: int) -> None:
        """The result, when it comes, is dropped."""
        self._callbacks.pop(job_id, None)

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
