"""First run: create the encrypted database. Passphrase twice, live feedback, and a plain
warning that nobody can recover a lost passphrase."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from audit_tool.errors import AuditToolError
from ui.common import palette
from ui.common.accessibility import name
from ui.common.passphrase_fields import NewPassphrase
from ui.common.styles import WARNING_QSS
from ui.common.widgets import FittingDialog, error_label
from ui.session import Session

LOST_WARNING = (
    "Nobody can recover a lost passphrase: not your IT team, not the makers of this tool. "
    "Without it, the audits in this database cannot be opened. Keep it somewhere safe, "
    "away from this laptop."
)
LOST_WARNING_HTML = (
    "<b>A lost passphrase cannot be recovered by anyone</b>: not your IT team, not the makers of "
    "this tool. Without it, the audits in this database cannot be opened. Keep it somewhere safe, "
    "away from this laptop."
)


class CreateDialog(FittingDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Create your audit database")
        self.setAccessibleName("Create your audit database")
        intro = QLabel(
            "Your audits are kept in one encrypted file on this laptop. Choose a passphrase to "
            "lock it: three or four random words work well, e.g. "
            "<i>kettle orchard violet brick</i>."
        )
        intro.setWordWrap(True)
        where = QLabel(f"File: {session.path}")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette.set_text_colour(where, palette.muted())
        self.passphrase = NewPassphrase()
        warning = QFrame()
        warning.setObjectName("lostWarning")
        warning.setFrameShape(QFrame.Shape.StyledPanel)
        warn_text = QLabel(LOST_WARNING_HTML)
        warn_text.setWordWrap(True)
        warn_text.setObjectName("lostWarningText")
        QVBoxLayout(warning).addWidget(warn_text)

        about = QLabel("About you (shown on your audits; you can change this later in Settings):")
        about.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.role_edit = QLineEdit()
        self.agency_edit = QLineEdit()
        form = QFormLayout()
        for label, edit, placeholder in (
            ("Your &name:", self.name_edit, "e.g. A. Reviewer"),
            ("R&ole:", self.role_edit, "e.g. Senior practitioner"),
            ("A&gency:", self.agency_edit, "e.g. Children and Families"),
        ):
            edit.setPlaceholderText(placeholder)
            edit.setMaxLength(200)
            lab = QLabel(label)
            lab.setBuddy(edit)
            name(edit, label.replace("&", "").rstrip(":"))
            form.addRow(lab, edit)

        self.error = error_label(keep_room=False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(
            "Create database", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setEnabled(False)
        self.set_action_button(self.create_button)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Quit")
        self.buttons.accepted.connect(self._create)
        self.buttons.rejected.connect(self.reject)
        self.passphrase.validity_changed.connect(self.create_button.setEnabled)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addWidget(self.passphrase)
        layout.addWidget(warning)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(44 * self.fontMetrics().horizontalAdvance("M"))
        self.setStyleSheet(WARNING_QSS)
        self.passphrase.first.setFocus()
        fields = (self.passphrase.first.edit, self.passphrase.second.edit)
        fields += (self.name_edit, self.role_edit, self.agency_edit)
        self.watch_typing("the new database", *fields)  # Escape or Quit asks first

    def _create(self) -> None:
        if not self.passphrase.is_valid():
            return
        try:
            self.session.create(
                self.passphrase.text(),
                self.name_edit.text(),
                self.role_edit.text(),
                self.agency_edit.text(),
            )
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.passphrase.wipe()
        self.accept()

    def done(self, result: int) -> None:
        self.passphrase.wipe()  # only once closing: "Keep editing" keeps what was typed
        super().done(result)
