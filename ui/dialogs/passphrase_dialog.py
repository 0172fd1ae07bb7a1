"""Change the passphrase: the current one (checked), then the new one twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from audit_tool.errors import AuditToolError, WrongPassphrase
from ui.common.passphrase_fields import NewPassphrase, PassphraseField
from ui.common.widgets import FittingDialog, error_label
from ui.dialogs.create_dialog import LOST_WARNING
from ui.session import Session


class ChangePassphraseDialog(FittingDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Change passphrase")
        current_label = QLabel("&Current passphrase:")
        self.current = PassphraseField("Current passphrase")
        current_label.setBuddy(self.current.edit)
        self.new = NewPassphrase("&New passphrase:")
        warning = QLabel("⚠ " + LOST_WARNING)
        warning.setWordWrap(True)
        self.error = error_label(keep_room=False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Change passphrase", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setEnabled(False)
        self.new.validity_changed.connect(self.ok.setEnabled)
        buttons.accepted.connect(self._change)
        buttons.rejected.connect(self.reject)
        self.new.form.insertRow(0, current_label, self.current)  # one aligned form
        layout = QVBoxLayout(self)
        layout.addWidget(self.new)
        layout.addWidget(warning)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(44 * self.fontMetrics().horizontalAdvance("M"))
        # made after the new passphrase's fields, so first in line only when told (once
        # every widget has its place: the layout's reparenting redoes the chain)
        QWidget.setTabOrder(self.current.edit, self.current.show_button)
        QWidget.setTabOrder(self.current.show_button, self.new.first.edit)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.current.edit.setFocus()  # the form starts at the current passphrase

    def _change(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.session.change_passphrase(self.current.text(), self.new.text())
        except WrongPassphrase:
            self.error.setText("The current passphrase is not right. Nothing was changed.")
            self.error.show()
            self.current.edit.selectAll()
            self.current.setFocus()
            return
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.current.wipe()
        self.new.wipe()
        self.accept()

    def reject(self) -> None:
        self.current.wipe()
        self.new.wipe()
        super().reject()
