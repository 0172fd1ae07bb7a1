"""Settings: the reviewer's profile (kept in the encrypted database) and the preferences
declared in audit_tool.settings (kept as JSON in the user's config folder)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from audit_tool import reviewers
from audit_tool.errors import AuditToolError
from audit_tool.settings import REGISTRY, Settings
from audit_tool.validation import MAX_SHORT
from ui.common import palette
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog, error_label
from ui.session import Session


class SettingsDialog(FittingDialog):
    def __init__(self, session: Session, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.settings = session, settings
        self.setWindowTitle("Settings")
        me = reviewers.local_reviewer(session.db)

        profile = QGroupBox("About you")
        pform = QFormLayout(profile)
        self.reviewer_name = QLineEdit(me.name)
        self.reviewer_role = QLineEdit(me.role)
        self.reviewer_agency = QLineEdit(me.agency)
        for text, edit, acc in (
            ("&Name:", self.reviewer_name, "Your name"),
            ("R&ole:", self.reviewer_role, "Your role"),
            ("A&gency:", self.reviewer_agency, "Your agency"),
        ):
            edit.setMaxLength(MAX_SHORT)
            self._row(pform, text, edit, acc)
        note = QLabel(
            "Shown on the audits you start and in their history. Kept in the encrypted database."
        )
        note.setWordWrap(True)
        palette.set_text_colour(note, palette.muted())
        pform.addRow(note)

        prefs = QGroupBox("Preferences")
        form = QFormLayout(prefs)
        lock = REGISTRY["idle_lock_minutes"]
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(lock.minimum or 1, lock.maximum or 240)
        self.idle_minutes.valueChanged.connect(  # "1 minute", "5 minutes"
            lambda n: self.idle_minutes.setSuffix(" minute" if n == 1 else " minutes")
        )
        self.idle_minutes.setSuffix(" minutes")
        self.idle_minutes.setValue(settings.get("idle_lock_minutes"))
        self.idle_minutes.setToolTip(lock.doc)
        self._row(form, "&Lock after:", self.idle_minutes, "Lock after this many idle minutes")
        self.export_folder = QLineEdit(settings.get("export_folder"))
        self.export_folder.setToolTip(REGISTRY["export_folder"].doc)
        choose = QPushButton("Choose…")
        name(choose, "Choose the export folder")
        choose.clicked.connect(self._choose_folder)
        folder_row = QWidget()
        fl = QHBoxLayout(folder_row)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.export_folder, 1)
        fl.addWidget(choose)
        label = QLabel("&Export folder:")
        label.setBuddy(self.export_folder)
        name(self.export_folder, "Export folder")
        form.addRow(label, folder_row)
        self.show_identifiers = QCheckBox("Show case references instead of pseudonyms")
        self.show_identifiers.setChecked(settings.get("show_identifiers"))
        self.show_identifiers.setToolTip(REGISTRY["show_identifiers"].doc)
        form.addRow(self.show_identifiers)
        self.release_period = QComboBox()  # dates of anonymised releases (issue 18)
        for value, text in (("month", "Whole months"), ("quarter", "Whole quarters")):
            self.release_period.addItem(text, value)
        self.release_period.setCurrentIndex(
            max(0, self.release_period.findData(settings.get("release_period"))))
        self.release_period.setToolTip(REGISTRY["release_period"].doc)
        self._row(form, "&Release dates in:", self.release_period, "Release dates in")

        self.error = error_label(keep_room=False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(profile)
        layout.addWidget(prefs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(46 * self.fontMetrics().horizontalAdvance("M"))

    @staticmethod
    def _row(form: QFormLayout, text: str, widget: QWidget, accessible: str) -> None:
        label = QLabel(text)
        label.setBuddy(widget)
        name(widget, accessible)
        form.addRow(label, widget)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export folder", self.export_folder.text())
        if folder:
            self.export_folder.setText(folder)

    def _save(self) -> None:
        try:
            reviewers.set_local_reviewer(
                self.session.db,
                self.reviewer_name.text(),
                self.reviewer_role.text(),
                self.reviewer_agency.text(),
            )
            self.settings.set("idle_lock_minutes", self.idle_minutes.value())
            self.settings.set("export_folder", self.export_folder.text().strip())
            self.settings.set("show_identifiers", self.show_identifiers.isChecked())
            self.settings.set("release_period", self.release_period.currentData())
            self.settings.save()
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
