"""Work that starting needs, but the first paint does not, runs once the window is painted.

On two cores, a second connection's key derivation and the rest of a 50,000-row list
compete with the first paint for the CPU (issue 22: launch); a person does not notice
them arriving a moment after the window. A window that is not shown (tests) runs the work
at the next turn of the event loop, and one that is shown but not painted within
FALLBACK_MS (minimised, covered) runs it then, so nothing waits for a paint that never comes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

FALLBACK_MS = 250
_PAINT = QEvent.Type.Paint  # looked up once: the filter sees every event until the paint


class AfterPaint(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._pending: list[Callable[[], None]] = []
        self._watching = False
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self._run)

    def then(self, work: Callable[[], None]) -> None:
        """Run `work` once a part of the window has been painted (see the module's note)."""
        self._pending.append(work)
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)  # any page may be the one painted first
            self._watching = True
        QTimer.singleShot(0, self._check_shown)

    def _check_shown(self) -> None:
        if not self._pending:
            return
        if self._window.isVisible():
            self._fallback.start(FALLBACK_MS)
        else:
            self._run()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (
            event.type() == _PAINT
            and self._pending
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            QTimer.singleShot(0, self._run)  # after this paint has finished
        return False

    def _run(self) -> None:
        self._fallback.stop()
        app = QApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
            self._watching = False
        pending, self._pending = self._pending, []
        for work in pending:
            work()
