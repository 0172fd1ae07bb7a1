"""Record that a matter of concern was raised outside the audit: when, with whom, by whom.
Never the details: those belong in the agency's own procedure, not in an audit."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from audit_tool import audits, reviewers
from audit_tool.domain import Concern
from audit_tool.errors import AuditToolError
from audit_tool.validation import MAX_SHORT
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog, error_label
from ui.session import Session


class ConcernDialog(FittingDialog):
    def __init__(self, session: Session, audit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.audit_id = session, audit_id
        self.concern: Concern | None = None
        self.setWindowTitle("Record a matter of concern")
        explain = QLabel(
            "If you find a child or adult at risk while reading a file, raise it at once through "
            "your agency's procedure. Here you only record that you did: when, with whom "
            "and by whom."
        )
        explain.setWordWrap(True)
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        warn = QLabel(
            "Do not write the details of the concern here. They must not be part of the audit."
        )
        warn.setWordWrap(True)
        QVBoxLayout(box).addWidget(warn)
        self.raised_on = QDateEdit(QDate.currentDate())
        self.raised_on.setCalendarPopup(True)
        self.raised_on.setDisplayFormat("d MMMM yyyy")
        self.raised_on.setMaximumDate(QDate.currentDate())
        self.raised_to = QLineEdit()
        self.raised_to.setPlaceholderText("e.g. Duty team manager, Children and Families")
        self.raised_to.setMaxLength(MAX_SHORT)
        self.raised_by = QLineEdit()
        self.raised_by.setMaxLength(MAX_SHORT)
        with contextlib.suppress(AuditToolError):
            self.raised_by.setText(reviewers.local_reviewer(session.db).name)
        form = QFormLayout()
        for text, widget, accessible in (
            ("&Date raised:", self.raised_on, "Date the concern was raised"),
            ("Raised &with:", self.raised_to, "Who the concern was raised with"),
            ("Raised &by:", self.raised_by, "Who raised the concern"),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            name(widget, accessible)
            form.addRow(label, widget)
        self.error = error_label(keep_room=False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.set_action_button(self.ok)
        buttons.accepted.connect(self._record)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(box)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(44 * self.fontMetrics().horizontalAdvance("M"))
        self.raised_to.setFocus()
        self.watch_typing("the record of the concern", self.raised_to, self.raised_by)

    def _record(self) -> None:
        try:
            self.concern = audits.record_concern(
                self.session.db,
                self.audit_id,
                self.raised_on.date().toString("yyyy-MM-dd"),
                self.raised_to.text(),
                self.raised_by.text(),
            )
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
