"""The lead's notes for an anonymised report (issue 20, item 4): a short commentary, up to
five decisions sought from the group and, for a death review, the number of deaths in the
period. Page 1 prints them and the release register keeps them with the release, so the box
starts from what was written for the last release of the same checklist: the lead edits
rather than retypes. The checking is the core's (audit_tool/notes_input.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from audit_tool.errors import InvalidInput
from audit_tool.notes_input import make_notes
from audit_tool.reports.notes import MAX_COMMENTARY, MAX_DECISION, MAX_DECISIONS, ReleaseNotes
from ui.common.accessibility import name
from ui.common.widgets import error_label

COMMENTARY_TIP = (
    "A few sentences for page 1 in your own words: what the group should take from this "
    f"release. At most {MAX_COMMENTARY:,} characters; no names or case details."
)
DECISIONS_TIP = (
    f"What you are asking the group to decide, one per line (at most {MAX_DECISIONS}, "
    f"{MAX_DECISION} characters each)."
)
DEATHS_TIP = (
    "How many deaths there were in the period, reviewed or not: page 1 shows the reviews "
    "against it. Leave blank if not known."
)


def _lines(edit: QPlainTextEdit, rows: float) -> None:
    edit.setFixedHeight(int(rows * edit.fontMetrics().lineSpacing() + 12))


class ReleaseNotesBox(QGroupBox):
    """Commentary, decisions sought and (death reviews) deaths in the period."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("For page 1 (kept with this release)", parent)
        self.setObjectName("releaseNotes")
        self.commentary = QPlainTextEdit()
        self.commentary.setTabChangesFocus(True)
        self.commentary.setPlaceholderText("Commentary for this release (optional)")
        _lines(self.commentary, 2.2)
        name(self.commentary, "Commentary", COMMENTARY_TIP)
        self.commentary.setToolTip(COMMENTARY_TIP)
        self.decisions = QPlainTextEdit()
        self.decisions.setTabChangesFocus(True)
        self.decisions.setPlaceholderText(f"One decision per line, up to {MAX_DECISIONS}")
        _lines(self.decisions, 1.9)
        name(self.decisions, "Decisions sought", DECISIONS_TIP)
        self.decisions.setToolTip(DECISIONS_TIP)
        self.deaths = QLineEdit()
        self.deaths.setValidator(QIntValidator(0, 999_999, self.deaths))
        self.deaths.setPlaceholderText("not recorded")
        self.deaths.setMaximumWidth(9 * self.fontMetrics().horizontalAdvance("M"))
        name(self.deaths, "Deaths in the period", DEATHS_TIP)
        self.deaths.setToolTip(DEATHS_TIP)
        self.count = QLabel()
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error = error_label(keep_room=False)
        self.error.setObjectName("releaseNotesError")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(2)
        last = QHBoxLayout()  # the deaths field and the count share a row: the dialog fits 600px
        last.addWidget(self.deaths)
        last.addStretch(1)
        last.addWidget(self.count)
        self._labels = {}
        for text, field in (("&Commentary:", self.commentary), ("&Decisions sought:", self.decisions),
                            ("Deaths in the &period:", last)):
            label = QLabel(text)
            label.setBuddy(self.deaths if field is last else field)
            self._labels[self.deaths if field is last else field] = label
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 2)
        layout.addLayout(form)
        layout.addWidget(self.error)
        self.commentary.textChanged.connect(self._typed)
        self.decisions.textChanged.connect(self._typed)
        self.deaths.textChanged.connect(self._typed)
        self.set_counts_deaths(False)
        self._typed()

    def set_counts_deaths(self, shown: bool) -> None:
        """The deaths-in-the-period field is for a death review's report only."""
        self._deaths_shown = shown
        self.deaths.setVisible(shown)
        self._labels[self.deaths].setVisible(shown)

    def prefill(self, notes: ReleaseNotes | None, released: str = "") -> None:
        """Start from the notes of the last release of the same checklist."""
        if notes is None:
            return
        self.commentary.setPlainText(notes.commentary)
        self.decisions.setPlainText("\n".join(notes.decisions))
        self.deaths.setText("" if notes.deaths_in_period is None else str(notes.deaths_in_period))
        if released:
            self.setToolTip(f"Started from the notes of the release on {released[:10]}: edit them "
                            "for this one.")

    def notes(self) -> ReleaseNotes:
        """What was typed, checked (InvalidInput, one line, when a limit is broken)."""
        return make_notes(
            self.commentary.toPlainText(),
            self.decisions.toPlainText().splitlines(),
            self.deaths.text() if self._deaths_shown else None,
        )

    def problem(self) -> str:
        """The one line that says what is wrong ('' when the notes are fine)."""
        try:
            self.notes()
        except InvalidInput as exc:
            return str(exc)
        return ""

    def _typed(self) -> None:
        n = len(self.commentary.toPlainText().strip())
        decisions = [d for d in self.decisions.toPlainText().splitlines() if d.strip()]
        self.count.setText(f"{n:,} of {MAX_COMMENTARY:,} characters · {len(decisions)} of "
                           f"{MAX_DECISIONS} decisions")
        problem = self.problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))



def attach_release_notes(dialog, session, flt) -> ReleaseNotesBox:
    """The box for the export dialog: shown for an anonymised aggregate report only (the
    register keeps notes with those), prefilled from the last release of the same checklist."""
    from audit_tool.disclosure.register import last_report
    from audit_tool.errors import AuditToolError
    from audit_tool.notes_input import counts_deaths

    box = ReleaseNotesBox(dialog)
    if session.is_open:
        try:
            box.set_counts_deaths(counts_deaths(session.db, flt))
            last = last_report(session.db, flt.checklist_id)
            if last is not None:
                box.prefill(last[1], last[0].released_at)
        except AuditToolError:
            pass  # nothing to start from: the lead types afresh

    def sync(*_args) -> None:
        box.setVisible(dialog.aggregate.isChecked() and not dialog.identifiers.isChecked())

    dialog.aggregate.toggled.connect(sync)
    dialog.identifiers.toggled.connect(sync)
    sync()
    return box


__all__ = ["ReleaseNotesBox", "attach_release_notes"]
