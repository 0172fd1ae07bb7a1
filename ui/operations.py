"""One way to run a slow core function off the GUI thread (render, seal, open, import, read).

An Operation runs `job(progress)` (or `job(db, progress)` on its own database connection,
opened in its thread and closed when it ends) and splits what can go wrong, once:

- Cancelled (the caller's cancel() makes the next progress call raise it): `cancelled`;
- AuditToolError: the core's one line, as is (`failed`);
- OSError (a full disk, a file taken away): the caller's sentence with the system's reason;
- anything else is a bug: the caller's sentence with its kind (`failed`, so the dialog is
  usable again) and the exception goes to sys.excepthook (ui.excepthook reports it).

Writes the window makes stay on the GUI thread; only a whole-file import uses this with a
connection, and its dialog is modal meanwhile.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QThread, Signal

from audit_tool.errors import AuditToolError, Cancelled

if TYPE_CHECKING:
    from audit_tool.store import Database
    from ui.session import Session

Progress = Callable[[Any], None]


class Operation(QThread):
    progressed = Signal(object)  # whatever the job reports: a fraction, a row count
    succeeded = Signal(object)
    failed = Signal(str)  # one line for the reviewer
    cancelled = Signal()

    def __init__(
        self,
        job: Callable[..., Any],
        failure: str,
        session: Session | None = None,
        name: str = "operation",
    ) -> None:
        """failure: the sentence for an OSError or a bug, with {} for the reason, e.g.
        "The export failed unexpectedly ({}); nothing was saved." session: give the job
        its own connection to this session's database (job(db, progress))."""
        super().__init__()
        self.setObjectName(name)
        self._job: Callable[..., Any] | None = job
        self._failure = failure
        self._session = session
        self._cancel = False

    def cancel(self) -> None:
        """The job stops at its next progress report (raising Cancelled there)."""
        self._cancel = True

    def _progress(self, value: Any) -> None:
        if self._cancel:
            raise Cancelled("Cancelled; nothing was changed.")
        self.progressed.emit(value)

    def run(self) -> None:  # noqa: D401 (Qt override)
        db: Database | None = None  # opened here, so closed here
        try:
            if self._session is not None:
                db = self._session.second_connection()
                result = self._job(db or self._session.db, self._progress)
            else:
                result = self._job(self._progress)
        except Cancelled:
            self.cancelled.emit()
        except AuditToolError as exc:
            self.failed.emit(str(exc))
        except OSError as exc:  # the machine, not the tool: say what the system said
            self.failed.emit(self._failure.format(exc.strerror or type(exc).__name__))
        except Exception as exc:
            self.failed.emit(self._failure.format(type(exc).__name__))
            sys.excepthook(type(exc), exc, exc.__traceback__)  # a bug: reported as one
        else:
            self.succeeded.emit(result)
            del result  # the result may hold case data: the receiver keeps it, not this
        finally:
            self._job = None
            if db is not None:
                db.close()
