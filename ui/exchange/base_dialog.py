"""What the Send and Receive dialogs share: a status line, a progress bar, one operation
running off the GUI thread (ui.operations), Close that turns into Cancel.

Long work never runs on the GUI thread. Every rule is in audit_tool.exchange; the dialogs
only ask and show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QWidget

from ui.common import palette
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog
from ui.operations import Operation
from ui.session import Session

SUFFIX = ".age"
LEFT = (
    Qt.AlignmentFlag.AlignLeft
)  # a choice is as wide as its words: a click beside them does nothing


def file_row(label: str, edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    caption = QLabel(label)
    caption.setBuddy(edit)
    row.addWidget(caption)
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


class ExchangeDialog(FittingDialog):
    """What both dialogs share: a status line, a progress bar, a worker, Close/Cancel."""

    def __init__(self, session: Session, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.session = session
        self._worker: Operation | None = None
        self._job = 0
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        name(self.progress, "Progress")
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("exchangeStatus")
        self.status.setAccessibleName("Status")
        self.close_button = QPushButton("Close")
        name(self.close_button, "Close, or cancel what is running")
        self.close_button.clicked.connect(self.reject)

    def running(self) -> bool:
        return self._worker is not None or bool(self._job)

    def _say(self, text: str, bad: bool = False) -> None:
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        palette.set_text_colour(self.status, palette.bad() if bad else palette.muted())
        self.refit()  # a long message wraps: grow rather than squeeze the fields above

    def _run(
        self,
        job: Callable,
        what: str,
        done: Callable[[Any], None],
        session: Session | None = None,
    ) -> None:
        """job(progress), or job(db, progress) on a connection of its own with a session."""
        worker = Operation(
            job,
            f"The {what} did not finish ({{}}); nothing was changed.",
            session,
            f"exchange-{what}",
        )
        worker.progressed.connect(
            lambda f: self.progress.setValue(round(100 * max(0.0, min(1.0, f))))
        )
        worker.succeeded.connect(done)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._worker_finished)
        self._worker = worker
        self._busy(True)
        worker.start()

    def _worker_finished(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        if not self._job:
            self._busy(False)

    def _failed(self, message: str) -> None:
        self._job = 0
        self._say(message, bad=True)
        self.progress.hide()
        self._busy(False)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy or self.progress.value() >= 100)
        if busy:
            self.progress.setValue(0)
        self.close_button.setText("Cancel" if busy else "Close")
        self._enable(not busy)
        self.refit()

    def _enable(self, on: bool) -> None:  # each dialog says which of its controls
        raise NotImplementedError

    def reject(self) -> None:
        if self._worker is not None:
            self._say(
                "Finishing safely… (a file half-written or an import half-done is never kept)"
            )
            return  # the worker finishes its one transaction or its one file
        if self._job:
            self.session.cancel(self._job)
            self._job = 0
            self._busy(False)
            self._say("Stopped; nothing was changed.")
            return
        super().reject()

    def abort(self) -> None:
        """The database is locking: wait for the worker, then close without asking."""
        if self._job:
            self.session.cancel(self._job)
            self._job = 0
        worker = self._worker
        if worker is not None:
            worker.wait()
            self._worker_finished()
        super().abort()
