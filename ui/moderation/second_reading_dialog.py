"""Start a second, blind reading of an audit's case file: choose (or add) who reads it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from audit_tool import moderation, reviewers
from audit_tool.errors import AuditToolError
from audit_tool.validation import MAX_SHORT
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog, error_label
from ui.session import Session

NEW_READER = "__new__"


class SecondReadingDialog(FittingDialog):
    """'Reading as:' lists the reviewers who have not read this file yet, and 'A new
    reader…', which asks for a name. On Start the core makes the draft; `audit_id` and
    `reader` then hold the new reading and who does it."""

    def __init__(self, session: Session, audit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.source_id = audit_id
        self.audit_id: str | None = None
        self.reader = None
        self.setWindowTitle("Start a second reading")
        db = session.db
        done = {r.reviewer.id for r in moderation.readings(db, audit_id)}
        already = ", ".join(r.reviewer.name for r in moderation.readings(db, audit_id))
        intro = QLabel(
            "A second reader reads the same case file with the same checklist, on their own. "
            "Until their reading is finalised, the other readings of this file stay closed to "
            f"them, so the reading is blind.\n\nRead so far by: {already}."
        )
        intro.setWordWrap(True)
        self.reader_box = QComboBox()
        for r in reviewers.reviewers(db):
            if r.id not in done:
                self.reader_box.addItem(r.name + (f" ({r.role})" if r.role else ""), r.id)
        self.reader_box.addItem("A new reader…", NEW_READER)
        self.new_name = QLineEdit()
        self.new_name.setMaxLength(MAX_SHORT)
        self.new_name.setPlaceholderText("The second reader's name")
        self.new_label = QLabel("&Name:")
        self.new_label.setBuddy(self.new_name)
        name(self.new_name, "New reader's name")
        reading_as = QLabel("&Reading as:")
        reading_as.setBuddy(self.reader_box)
        name(self.reader_box, "Reading as")
        grid = QGridLayout()
        grid.addWidget(reading_as, 0, 0)
        grid.addWidget(self.reader_box, 0, 1)
        grid.addWidget(self.new_label, 1, 0)
        grid.addWidget(self.new_name, 1, 1)
        grid.setColumnStretch(1, 1)
        self.error = error_label(keep_room=False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Start reading", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.set_action_button(self.ok)
        buttons.accepted.connect(self._start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.reader_box.currentIndexChanged.connect(self._reader_changed)
        self._reader_changed()
        self.setMinimumWidth(40 * self.fontMetrics().horizontalAdvance("M"))
        self.watch_typing("the new reader's name", self.new_name)

    def _reader_changed(self) -> None:
        new = self.reader_box.currentData() == NEW_READER
        self.new_name.setVisible(new)
        self.new_label.setVisible(new)
        if new and self.isVisible():
            self.new_name.setFocus()
        if self.isVisible():
            self.refit()

    def _start(self) -> None:
        db = self.session.db
        try:
            if self.reader_box.currentData() == NEW_READER:
                reader = reviewers.add_reviewer(db, self.new_name.text())
            else:
                reader = next(
                    r for r in reviewers.reviewers(db) if r.id == self.reader_box.currentData()
                )
            self.audit_id = moderation.start_second_reading(db, self.source_id, reader.id)
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.reader = reader
        self.accept()
