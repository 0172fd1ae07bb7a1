"""Start a moderation of a case file's finalised readings: choose (or add) who moderates,
with a warning when the lead reader did one of the readings (allowed, but not the rule)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from audit_tool import moderation
from audit_tool.errors import AuditToolError
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog, error_label
from ui.moderation.second_reading_dialog import NEW_READER
from ui.session import Session


class StartModerationDialog(FittingDialog):
    """'Lead reader:' lists every reviewer (those who did not read the file first) and 'A
    new reader…'. On Start the core makes the moderation; `moderation_id` then holds it."""

    def __init__(
        self, session: Session, ready: Sequence[moderation.Reading], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.ready = list(ready)
        self.moderation_id: str | None = None
        self.setWindowTitle("Moderate readings")
        db = session.db
        self.readers = {r.reviewer.id: r.reviewer.name for r in self.ready}
        names = " and ".join(self.readers.values())
        intro = QLabel(
            f"Start a moderation of the {len(self.ready)} finalised readings of this case "
            f"file, by {names}. The lead reader agrees a rating where the readings differ, "
            "with a reason."
        )
        intro.setWordWrap(True)
        self.lead_box = QComboBox()
        everyone = moderation.reviewers(db)  # this laptop's reviewer first
        for r in sorted(everyone, key=lambda r: r.id in self.readers):  # non-readers first
            read = " (read this file)" if r.id in self.readers else ""
            self.lead_box.addItem(r.name + (f" ({r.role})" if r.role else "") + read, r.id)
        self.lead_box.addItem("A new reader…", NEW_READER)
        self.new_name = QLineEdit()
        self.new_name.setMaxLength(200)
        self.new_name.setPlaceholderText("The lead reader's name")
        self.new_label = QLabel("&Name:")
        self.new_label.setBuddy(self.new_name)
        name(self.new_name, "New lead reader's name")
        lead = QLabel("&Lead reader:")
        lead.setBuddy(self.lead_box)
        name(self.lead_box, "Lead reader")
        grid = QGridLayout()
        grid.addWidget(lead, 0, 0)
        grid.addWidget(self.lead_box, 0, 1)
        grid.addWidget(self.new_label, 1, 0)
        grid.addWidget(self.new_name, 1, 1)
        grid.setColumnStretch(1, 1)
        self.warning = QLabel()  # the lead read the file: allowed, said plainly
        self.warning.setWordWrap(True)
        self.error = error_label()  # a message never moves the buttons
        keep = self.warning.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.warning.setSizePolicy(keep)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Start moderation", QDialogButtonBox.ButtonRole.AcceptRole)
        self.set_action_button(self.ok)
        buttons.accepted.connect(self._start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.lead_box.currentIndexChanged.connect(self._lead_changed)
        self._lead_changed()
        self.setMinimumWidth(44 * self.fontMetrics().horizontalAdvance("M"))
        self.watch_typing("the new reader's name", self.new_name)

    def _lead_changed(self) -> None:
        chosen = self.lead_box.currentData()
        new = chosen == NEW_READER
        self.new_name.setVisible(new)
        self.new_label.setVisible(new)
        if chosen in self.readers:
            self.warning.setText(
                f"⚠ {self.readers[chosen]} did one of these readings. A lead reader is "
                "usually someone who did not read the file; choose another, or go on."
            )
            self.warning.show()
        else:
            self.warning.hide()
        if new and self.isVisible():
            self.new_name.setFocus()

    def _start(self) -> None:
        db = self.session.db
        try:
            if self.lead_box.currentData() == NEW_READER:
                lead_id = moderation.add_reviewer(db, self.new_name.text()).id
            else:
                lead_id = self.lead_box.currentData()
            self.moderation_id = moderation.start_moderation(
                db, [r.audit_id for r in self.ready], lead_id
            )
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
