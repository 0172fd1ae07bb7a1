"""Dialogs for the list's actions: a new case, a new audit, the reason for an amendment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QStringListModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from audit_tool import cases, records
from audit_tool.domain import AuditType, Case, Phase
from audit_tool.errors import AuditToolError
from audit_tool.selection import distinct_values
from audit_tool.validation import MAX_SHORT
from ui.common import palette
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog, error_label
from ui.session import Session

if TYPE_CHECKING:
    from audit_tool.checklists.loader import LoadedChecklist


def _form_row(form: QFormLayout, text: str, widget: QWidget, accessible: str = "") -> None:
    label = QLabel(text)
    label.setBuddy(widget)
    name(widget, accessible or text.replace("&", "").rstrip(":"))
    form.addRow(label, widget)


class NewCaseDialog(FittingDialog):
    """Reference and area are needed; the reference stays encrypted and out of exports."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: Case | None = None
        self.setWindowTitle("New case")
        intro = QLabel(
            "The case reference is your agency's own reference for the file. It is kept encrypted, "
            "shown only to you, and left out of exports unless you choose to include identifiers. "
            "Audits use a pseudonym instead."
        )
        intro.setWordWrap(True)
        self.reference = QLineEdit()
        self.reference.setMaxLength(MAX_SHORT)
        self.area = QComboBox()
        self.area.setEditable(True)
        self.area.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.area.addItems(distinct_values(session.db)["area"])
        self.area.setCurrentText("")
        self.area.lineEdit().setPlaceholderText("e.g. the local authority")
        # suggest the areas already used, never complete the typed text into one of them
        self.area.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.agency = QLineEdit()
        self.agency.setMaxLength(MAX_SHORT)
        self.team = QLineEdit()
        self.team.setMaxLength(MAX_SHORT)
        form = QFormLayout()
        _form_row(form, "Case &reference:", self.reference, "Case reference")
        _form_row(form, "&Area:", self.area, "Area or local authority")
        _form_row(form, "A&gency:", self.agency, "Agency (optional)")
        _form_row(form, "&Team:", self.team, "Team (optional)")
        self.start_audit = QCheckBox("Start an audit for this case next")
        self.start_audit.setChecked(True)
        self.error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Add case", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.set_action_button(self.ok)
        buttons.accepted.connect(self._add)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.start_audit)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(42 * self.fontMetrics().horizontalAdvance("M"))
        self.watch_typing("the new case", self.reference, self.area, self.agency, self.team)
        self._existing = None  # a case already here that the reference typed matches
        for field in (self.reference, self.agency, self.team):  # a message goes once acted on
            field.textChanged.connect(self.error.hide)
        self.area.currentTextChanged.connect(self.error.hide)
        self.reference.textChanged.connect(self._forget_existing)
        self.area.currentTextChanged.connect(self._forget_existing)

    def _add(self) -> None:
        db = self.session.db
        ref, area = self.reference.text(), self.area.currentText()
        existing = self._existing
        if existing is not None and cases.find_case(db, ref, area) == existing:
            self.case = existing  # the reader chose the case already here
            self.accept()
            return
        try:
            self.case = cases.add_case(db, ref, area, self.agency.text(), self.team.text())
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            # one case file, one record: the same reference typed another way is offered
            self._existing = cases.find_case(db, ref, area)
            if self._existing is not None:
                self._say_ok("Use the existing case")
            return
        self.accept()

    def _forget_existing(self) -> None:
        self._existing = None
        self._say_ok("Add case")

    def _say_ok(self, text: str) -> None:
        self.ok.setText(text)
        self.ok.setMinimumWidth(self.ok.sizeHint().width())  # the longer text is never cut
        self.layout().activate()


class NewAuditDialog(FittingDialog):
    """Case, checklist, type and phase. The checklist's purpose is shown as it is picked."""

    def __init__(
        self,
        session: Session,
        checklists: list[LoadedChecklist],
        problems: list[str],
        case_id: str | None = None,
        show_identifiers: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.audit_id: str | None = None
        self.setWindowTitle("New audit")
        self._cases = cases.list_cases(session.db)[::-1]  # newest first
        self.case = QComboBox()
        self.case.setEditable(True)
        self.case.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        labels = [
            f"{c.reference if show_identifiers else c.pseudonym} · {c.area}" for c in self._cases
        ]
        # A model rather than addItem: tens of thousands of cases load at once.
        self.case.setModel(QStringListModel(labels, self.case))
        completer = QCompleter(self.case.model(), self.case)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.case.setCompleter(completer)
        pos = next((i for i, c in enumerate(self._cases) if c.id == case_id), 0)
        self.case.setCurrentIndex(pos if self._cases else -1)

        self._checklists = checklists
        self.checklist = QComboBox()
        for c in checklists:
            self.checklist.addItem(f"{c.title} (version {c.version})", c.id)
        self.purpose = QLabel()
        self.purpose.setWordWrap(True)
        palette.set_text_colour(self.purpose, palette.muted())
        self.audit_type = QComboBox()
        self.phase = QComboBox()
        for p in Phase:
            self.phase.addItem(p.label, p.value)
        self.checklist.currentIndexChanged.connect(self._checklist_changed)

        # A grid rather than a form: the wrapped purpose text gets the height it needs.
        grid = QGridLayout()
        rows = [
            ("&Case:", self.case, "Case"),
            ("Chec&klist:", self.checklist, "Checklist"),
            (None, self.purpose, ""),
            ("&Type:", self.audit_type, "Type of audit"),
            ("&Phase:", self.phase, "Phase"),
        ]
        for r, (text, widget, accessible) in enumerate(rows):
            if text is not None:
                label = QLabel(text)
                label.setBuddy(widget)
                name(widget, accessible)
                grid.addWidget(label, r, 0)
            grid.addWidget(widget, r, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        if problems:
            note = QLabel("Some local checklist files could not be used:\n" + "\n".join(problems))
            note.setWordWrap(True)
            palette.set_text_colour(note, palette.bad())
            layout.addWidget(note)
        if not self._cases:
            none = QLabel("There are no cases yet. Add a case first.")
            palette.set_text_colour(none, palette.bad())
            layout.addWidget(none)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Start audit", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.set_action_button(self.ok)
        self.ok.setEnabled(bool(self._cases and checklists))
        buttons.accepted.connect(self._start)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(40 * self.fontMetrics().horizontalAdvance("M"))
        self._checklist_changed()
        self.watch_typing("the new audit", self.case)

    def _checklist_changed(self) -> None:
        idx = self.checklist.currentIndex()
        if idx < 0:
            return
        loaded = self._checklists[idx]
        self.purpose.setText(loaded.definition.purpose)
        allowed = loaded.definition.audit_types or tuple(t.value for t in AuditType)
        keep = self.audit_type.currentData()
        self.audit_type.clear()
        for value in allowed:
            try:
                self.audit_type.addItem(AuditType(value).label, value)
            except ValueError:
                continue
        pos = self.audit_type.findData(keep)
        self.audit_type.setCurrentIndex(max(0, pos))
        if self.isVisible():
            self.refit()

    def _selected_case(self) -> Case | None:
        text = self.case.currentText()
        labels = self.case.model().stringList()
        idx = self.case.currentIndex()
        if 0 <= idx < len(self._cases) and labels[idx] == text:
            return self._cases[idx]
        if text in labels:
            return self._cases[labels.index(text)]
        return None

    def _start(self) -> None:
        case = self._selected_case()
        if case is None:
            self.error.setText("Choose a case from the list (type to search).")
            self.error.show()
            return
        loaded = self._checklists[self.checklist.currentIndex()]
        try:
            self.audit_id = records.new_audit(
                self.session.db,
                case.id,
                loaded,
                self.audit_type.currentData(),
                self.phase.currentData(),
            )
        except AuditToolError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


class ReasonDialog(FittingDialog):
    """Why a finalised audit is being amended (kept in its history)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Amend a finalised audit")
        text = QLabel(
            "The audit becomes a draft again so you can change it. Say why: your reason is kept "
            "in the audit's history. Do not include names or case references. Enter amends the "
            "audit; Shift+Enter starts a new line."
        )
        text.setWordWrap(True)
        label = QLabel("&Reason for the amendment:")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        label.setBuddy(self.reason)
        name(self.reason, "Reason for the amendment")
        self.reason.setMaximumHeight(6 * self.fontMetrics().lineSpacing())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Amend audit", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(
            lambda: self.ok.setEnabled(bool(self.reason.toPlainText().strip()))
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.setMinimumWidth(40 * self.fontMetrics().horizontalAdvance("M"))
        self.reason.installEventFilter(self)  # Enter (or Ctrl+Enter) amends; Shift+Enter: a line

    def eventFilter(self, watched, event) -> bool:
        if (
            watched is self.reason
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            if self.ok.isEnabled():
                self.accept()
            return True
        return super().eventFilter(watched, event)

    def text(self) -> str:
        return self.reason.toPlainText().strip()
