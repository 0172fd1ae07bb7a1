"""The last resort for bugs: an exception that nothing caught.

Slots catch AuditToolError (a problem the reviewer can act on); anything else is a bug.
PySide6 hands such an exception from a slot to sys.excepthook and carries on. In the
windowed frozen build there is no stderr, so it would vanish while the save indicator went
on saying "Saved". ExceptionReporter, installed by ui.app.run(), instead:

- still passes it to the previous hook first, which prints the traceback to stderr when
  there is one (and, in tests, is pytest-qt's hook, which records it);
- marks the save indicator of every open audit "Not saved";
- shows one plain sentence (ui.common.messages.show_unexpected) with the kind of error and its
  message, quoted values left out, so no case text or passphrase is shown.

The message is shown from the event loop (a queued signal), never inside the hook: the hook
may run in a worker thread, and a modal box inside it would nest event loops mid-slot.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from ui.common import messages
from ui.editor.audit_editor import AuditEditor

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class ExceptionReporter(QObject):
    """install() replaces sys.excepthook; restore() puts the previous hook back."""

    _caught = Signal(object)  # the exception, delivered on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous: Hook | None = None
        self._installed = False
        self._showing = False
        self._caught.connect(self._report, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        if self._installed:
            return
        self._previous = sys.excepthook
        self._installed = True
        sys.excepthook = self.hook

    def restore(self) -> None:
        if not self._installed:
            return
        self._installed = False
        if sys.excepthook == self.hook:
            sys.excepthook = self._previous or sys.__excepthook__
        # If another hook was installed over this one, it keeps running; this one then only
        # passes exceptions on to the hook it replaced.

    def hook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        previous = self._previous or sys.__excepthook__
        try:  # the traceback on stderr if there is one; pytest-qt's record in tests
            previous(exc_type, exc, tb)
        except Exception:
            _print(exc_type, exc, tb)
        if not self._installed or not issubclass(exc_type, Exception):
            return  # KeyboardInterrupt, SystemExit: not a bug to report
        with contextlib.suppress(RuntimeError):  # the reporter is gone (the app is ending)
            self._caught.emit(exc)

    def _report(self, exc: BaseException) -> None:
        # Nothing may escape from here: an exception would come back through the hook.
        try:
            for editor in _open_editors():
                editor.unexpected_failure()
            if self._showing:  # one box at a time; a repeating bug must not stack them
                return
            self._showing = True
            try:
                messages.show_unexpected(QApplication.activeWindow(), exc)
            finally:
                self._showing = False
        except Exception as inner:
            _print(type(inner), inner, inner.__traceback__)


def _open_editors() -> list[AuditEditor]:
    found: list[AuditEditor] = []
    for top in QApplication.topLevelWidgets():
        candidates = [top] if isinstance(top, AuditEditor) else []
        candidates += top.findChildren(AuditEditor)
        found += [e for e in candidates if e.audit is not None]
    return found


def _print(exc_type, exc, tb) -> None:
    if sys.stderr is not None:
        with contextlib.suppress(Exception):
            traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
