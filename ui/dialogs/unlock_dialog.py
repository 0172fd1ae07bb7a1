"""Unlocking: the passphrase form used at start-up and on the lock screen.

A wrong passphrase says so and lets you try again. A damaged file, a file from a newer
version of the tool or a file that is not an audit database is reported; the core leaves
such a file untouched, and retrying makes no sense, so the form says what to do instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from audit_tool.errors import (
    AuditToolError,
    DamagedDatabase,
    NewerSchema,
    StorageProblem,
    WrongPassphrase,
)
from ui.common import palette
from ui.common.passphrase_fields import PassphraseField
from ui.common.widgets import FittingDialog
from ui.session import Session


class UnlockForm(QWidget):
    """Passphrase field, Unlock button and a message line. Emits unlocked on success."""

    unlocked = Signal()
    refused_changed = Signal()  # the file cannot be opened at all: Unlock is pointless
    said = Signal()  # the message changed: a dialog grows to show it whole

    def __init__(self, session: Session, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.heading = QLabel(heading)
        self.heading.setObjectName("unlockHeading")
        palette.heading_font(self.heading, 1.25)
        self.heading.setWordWrap(True)
        self.where = QLabel(f"File: {session.path}")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette.set_text_colour(self.where, palette.muted())
        label = QLabel("&Passphrase:")
        self.field = PassphraseField("Passphrase")
        label.setBuddy(self.field.edit)
        self.message = QLabel()
        self.message.setObjectName("unlockMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Unlock message")
        # room for two lines from the start: a message does not push the button down
        self.message.setMinimumHeight(2 * self.message.fontMetrics().lineSpacing())
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.button = QPushButton("Unlock")
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        self.button.clicked.connect(self.try_unlock)
        self.field.returnPressed.connect(self.try_unlock)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.where)
        layout.addWidget(label)
        layout.addWidget(self.field)
        layout.addWidget(self.message)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self.setFocusProxy(self.field)
        self.attempts = 0
        self.refused = False  # the file itself is the problem: no retry

    def try_unlock(self) -> None:
        if self.refused:
            return
        passphrase = self.field.text()
        if not passphrase:
            self._say("Type your passphrase, then press Enter.", bad=False)
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.session.unlock(passphrase)
        except WrongPassphrase as exc:
            self.attempts += 1
            self._say(f"{exc} Check Caps Lock and the keyboard layout, then try again.", bad=True)
            self.field.edit.selectAll()
            self.field.setFocus()
            return
        except (DamagedDatabase, NewerSchema) as exc:
            self._refuse(str(exc))
            return
        except StorageProblem as exc:
            self._say(str(exc), bad=True)  # e.g. file busy: worth trying again
            return
        except AuditToolError as exc:
            self._refuse(str(exc))
            return
        finally:
            passphrase = ""
            QGuiApplication.restoreOverrideCursor()
        self.field.wipe()
        self.message.clear()
        self.attempts = 0
        self.unlocked.emit()

    def _refuse(self, text: str) -> None:
        self.refused = True
        self.field.wipe()
        self.field.setEnabled(False)
        self.button.setEnabled(False)
        self._say(text + " Nothing was changed in the file.", bad=True)
        self.refused_changed.emit()

    def _say(self, text: str, bad: bool) -> None:
        self.message.setText(text)
        self.message.setAccessibleDescription(text)
        palette.set_text_colour(self.message, palette.bad() if bad else palette.muted())
        self.said.emit()

    def reset(self) -> None:
        self.refused = False
        self.field.setEnabled(True)
        self.button.setEnabled(True)
        self.field.wipe()
        self.message.clear()


class UnlockDialog(FittingDialog):
    """Start-up: unlock the database, or quit."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock your audit database")
        self.setAccessibleName("Unlock your audit database")
        self.form = UnlockForm(session, "Unlock your audit database")
        self.form.unlocked.connect(self.accept)
        self.form.button.hide()  # the dialog's own row holds Unlock and Quit together
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Quit")
        self.unlock_button = buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setDefault(True)
        buttons.accepted.connect(self.form.try_unlock)
        buttons.rejected.connect(self.reject)
        self.form.refused_changed.connect(
            lambda: self.unlock_button.setEnabled(not self.form.refused)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.setMinimumWidth(36 * self.fontMetrics().horizontalAdvance("M"))
        self.form.setFocus()
        # a long message is shown whole, never clipped (once the label has its new text)
        self.form.said.connect(lambda: QTimer.singleShot(0, self.refit))

    def reject(self) -> None:
        self.form.field.wipe()
        super().reject()
