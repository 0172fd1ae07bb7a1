"""File → Draw a sample from a case list: choose the list, map its columns, set the size,
seed, strata, checklist and phase, see the sample, create its cases and draft audits.

Every rule lives in audit_tool.sampling; this dialog only gathers the choices. The list is
read on a worker thread (a 100,000-row list takes a few seconds) with a busy bar. The
references it holds stay in memory and go only into the encrypted database.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from audit_tool.domain import Phase
from audit_tool.errors import AuditToolError
from audit_tool.sampling import (
    CaseList,
    Columns,
    Created,
    create_sample,
    draw,
    eligible_files,
    read_case_list,
)
from ui.common import palette
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog, error_label
from ui.operations import Operation
from ui.session import Session

if TYPE_CHECKING:
    from audit_tool.checklists.loader import LoadedChecklist
    from audit_tool.sampling import Draw, Eligibility

NONE = "(none)"
NO_STRATA = "(none: a simple random sample)"
DEFAULT_SIZE = 40
# Guesses from a column's heading: the first role whose pattern matches takes it.
GUESSES = (
    ("reference", r"\bref|reference|case (id|no|number)|^id$|file (no|number)"),
    ("area", r"area|local authority|authority|council|locality"),
    ("agency", r"agency|service|organisation"),
    ("team", r"team"),
)


def guess_columns(headers: tuple[str, ...]) -> dict[str, str]:
    """role -> heading, from the headings' words; each heading used once."""
    found: dict[str, str] = {}
    for role, pattern in GUESSES:
        for h in headers:
            if h not in found.values() and re.search(pattern, h, re.IGNORECASE):
                found[role] = h
                break
    return found


def _muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    palette.set_text_colour(label, palette.muted())
    return label


def _grid_row(grid: QGridLayout, row: int, text: str, widget: QWidget, accessible: str) -> None:
    label = QLabel(text)
    label.setBuddy(widget)
    name(widget, accessible)
    grid.addWidget(label, row, 0)
    grid.addWidget(widget, row, 1)


class SampleDialog(FittingDialog):
    def __init__(
        self,
        session: Session,
        checklists: list[LoadedChecklist],
        parent: QWidget | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.created: Created | None = None
        self.caselist: CaseList | None = None
        self._checklists = checklists
        self._worker: Operation | None = None
        self._elig_key: tuple | None = None
        self._elig: Eligibility | None = None
        self._drawn: Draw | None = None
        self.setWindowTitle("Draw a sample from a case list")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._sample_page(seed))
        self.error = error_label()  # a message's room is kept: nothing moves when it shows
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.back_button = QPushButton("Back")
        self.back_button.setAutoDefault(False)
        self.next_button = buttons.addButton("Next", QDialogButtonBox.ButtonRole.ActionRole)
        self.create_button = buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.back_button.clicked.connect(self._back)
        self.next_button.clicked.connect(self._next)
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        self.step = QLabel()
        font = self.step.font()
        font.setBold(True)
        self.step.setFont(font)
        bottom = QHBoxLayout()
        bottom.addWidget(self.back_button)  # on the left, apart from Next/Create and Cancel
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self.setMinimumWidth(52 * self.fontMetrics().horizontalAdvance("M"))
        self._show_page(0)

    # -- step 1: the file ------------------------------------------------------------------
    def _file_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            "Choose the list of eligible case files your council exported (CSV or XLSX, "
            "one case per row, headings in the first row). The references in it are stored "
            "encrypted with the cases, never anywhere else."
        )
        intro.setWordWrap(True)
        self.path = QLineEdit()
        self.path.setPlaceholderText("the case list file")
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self._choose)
        self.browse.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.sheet = QLineEdit()
        self.sheet.setPlaceholderText("the first sheet")
        grid = QGridLayout()
        label = QLabel("Case &list:")
        label.setBuddy(self.path)
        name(self.path, "Case list file")
        grid.addWidget(label, 0, 0)
        grid.addLayout(row, 0, 1)
        _grid_row(grid, 1, "S&heet (XLSX):", self.sheet, "Sheet name (XLSX only)")
        grid.setColumnStretch(1, 1)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # busy: the number of rows is known only at the end
        self.busy.setTextVisible(False)
        name(self.busy, "Reading the list")
        self.busy.hide()
        self.read_status = _muted()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.busy)
        layout.addWidget(self.read_status)
        layout.addStretch(1)
        return page

    def _choose(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "Choose the case list",
            self.path.text(),
            "Case lists (*.csv *.xlsx *.txt);;All files (*)",
        )
        if chosen:
            self.path.setText(chosen)

    def _next(self) -> None:
        text = self.path.text().strip()
        if not text:
            self._say("Choose the case list file first.")
            return
        self._say("")
        self._set_reading(True)
        path, sheet = Path(text), self.sheet.text().strip() or None
        self._worker = Operation(  # a 100,000-row list takes seconds: off the GUI thread
            lambda progress: read_case_list(path, sheet, progress),
            "The list could not be read ({}).",  # never with the list's contents
            name="sample-read",
        )
        self._worker.progressed.connect(self._rows_read)  # a method: queued to this thread
        self._worker.succeeded.connect(self._read_done)
        self._worker.failed.connect(self._read_failed)
        self._worker.start()

    def _rows_read(self, n: int) -> None:
        self.read_status.setText(f"Reading the list… {n:,} rows")

    def _set_reading(self, reading: bool) -> None:
        self.busy.setVisible(reading)
        self.read_status.setText("Reading the list…" if reading else "")
        for w in (self.path, self.sheet, self.browse, self.next_button):
            w.setEnabled(not reading)

    def _read_done(self, caselist: CaseList) -> None:
        self._finish_worker()
        self._set_reading(False)
        self.caselist = caselist
        self._fill_columns(caselist)
        self._show_page(1)

    def _read_failed(self, message: str) -> None:
        self._finish_worker()
        self._set_reading(False)
        self._say(message)
        self.path.setFocus()

    def _finish_worker(self) -> None:
        if self._worker is not None:
            self._worker.wait()
            self._worker.deleteLater()
            self._worker = None

    # -- step 2: columns, size, seed, strata, checklist, phase; the preview ------------------
    def _sample_page(self, seed: int | None) -> QWidget:
        page = QWidget()
        self.list_info = _muted()
        self.ref_col, self.area_col = QComboBox(), QComboBox()
        self.agency_col, self.team_col, self.strata_col = QComboBox(), QComboBox(), QComboBox()
        self.size = QSpinBox()
        self.size.setRange(1, 1_000_000)
        self.size.setValue(DEFAULT_SIZE)
        self.seed = QLineEdit(
            str(seed if seed is not None else secrets.randbelow(900_000) + 100_000)
        )
        self.seed.setValidator(QIntValidator(0, 2_147_483_647, self.seed))
        self.checklist = QComboBox()
        for c in self._checklists:
            self.checklist.addItem(f"{c.title} (version {c.version})", c.id)
        self.phase = QComboBox()
        for p in Phase:
            self.phase.addItem(p.label, p.value)
        grid = QGridLayout()
        rows = [
            ("Case &reference column:", self.ref_col, "Case reference column"),
            ("&Area column:", self.area_col, "Area column"),
            ("A&gency column:", self.agency_col, "Agency column (optional)"),
            ("&Team column:", self.team_col, "Team column (optional)"),
            ("&Stratify by:", self.strata_col, "Stratify by column"),
            ("Sample si&ze:", self.size, "Sample size"),
            ("S&eed:", self.seed, "Seed"),
            ("Chec&klist:", self.checklist, "Checklist for the draft audits"),
            ("&Phase:", self.phase, "Phase"),
        ]
        for r, (text, widget, accessible) in enumerate(rows):
            _grid_row(grid, r, text, widget, accessible)
        grid.setColumnStretch(1, 1)
        seed_note = _muted(
            "Keep the seed with your records: the same list and seed draw the same files again."
        )
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        name(self.preview, "Sample preview")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_info)
        layout.addLayout(grid)
        layout.addWidget(seed_note)
        layout.addWidget(self.preview)
        self.ref_col.currentIndexChanged.connect(self._fill_strata)  # before the preview
        for combo in (self.ref_col, self.area_col, self.agency_col, self.team_col, self.strata_col):
            combo.currentIndexChanged.connect(self._update_preview)
        self.size.valueChanged.connect(self._update_preview)
        self.seed.textChanged.connect(self._update_preview)
        return page

    def _fill_columns(self, caselist: CaseList) -> None:
        guesses = guess_columns(caselist.headers)
        for combo, role, optional in (
            (self.ref_col, "reference", False),
            (self.area_col, "area", False),
            (self.agency_col, "agency", True),
            (self.team_col, "team", True),
            (self.strata_col, "strata", True),
        ):
            combo.blockSignals(True)
            combo.clear()
            if optional:
                combo.addItem(NO_STRATA if role == "strata" else NONE, None)
            for h in caselist.headers:
                combo.addItem(h, h)
            pos = combo.findData(guesses.get(role))
            combo.setCurrentIndex(pos if pos >= 0 else 0)
            combo.blockSignals(False)
        self._fill_strata()
        with QSignalBlocker(self.size):  # never more than the list holds (40 of 16 rows)
            self.size.setValue(min(DEFAULT_SIZE, max(1, len(caselist.rows))))
        where = caselist.source_name + (f", sheet '{caselist.sheet}'" if caselist.sheet else "")
        info = f"{where}: {len(caselist.rows):,} rows, {len(caselist.headers)} columns"
        if caselist.empty_rows:
            info += f"; {caselist.empty_rows:,} blank rows skipped"
        if caselist.encoding not in ("xlsx", "utf-8", "utf-8-sig"):
            info += f"; read as {caselist.encoding} text"
        self.list_info.setText(info + ".")
        self._elig_key = None
        self._update_preview()

    def _fill_strata(self) -> None:
        """'Stratify by' offers every column but the case reference's (one case a stratum
        is no stratification)."""
        if self.caselist is None:
            return
        chosen = self.strata_col.currentData()
        with QSignalBlocker(self.strata_col):
            self.strata_col.clear()
            self.strata_col.addItem(NO_STRATA, None)
            for h in self.caselist.headers:
                if h != self.ref_col.currentData():
                    self.strata_col.addItem(h, h)
            self.strata_col.setCurrentIndex(max(0, self.strata_col.findData(chosen)))

    def columns(self) -> Columns:
        return Columns(
            self.ref_col.currentData(),
            self.area_col.currentData(),
            self.agency_col.currentData(),
            self.team_col.currentData(),
            self.strata_col.currentData(),
        )

    def _update_preview(self) -> None:
        """Eligibility is checked again only when the columns change (a long list takes a
        moment); the draw itself is quick, so it follows every change of size or seed."""
        self._drawn = None
        self.create_button.setEnabled(False)
        if self.caselist is None:
            return
        cols = self.columns()
        try:
            if self._elig_key != tuple(cols.__dict__.values()):
                self._elig = None
                self._elig_key = tuple(cols.__dict__.values())
                self._elig = eligible_files(self.caselist, cols)
            if self._elig is None:
                raise AuditToolError(self.preview.text())
            if not self.seed.text().strip():
                raise AuditToolError("Give a seed (any whole number).")
            self._drawn = draw(
                self._elig, self.size.value(), int(self.seed.text()), stratified=bool(cols.strata)
            )
        except AuditToolError as exc:
            self.preview.setText(str(exc))
            palette.set_text_colour(self.preview, palette.bad())
            return
        text = self._drawn.summary(cols.strata)
        if self._elig.excluded:
            left = ", ".join(f"{n:,} with {r}" for r, n in self._elig.exclusions.items())
            text += f" ({left} left out)"
        self.preview.setText(text + ".")
        palette.set_text_colour(self.preview, palette.good())
        self.create_button.setText(f"Create {len(self._drawn.chosen):,} cases")
        self.create_button.setEnabled(bool(self._checklists))

    # -- moving between steps, creating ------------------------------------------------------
    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        for i in range(self.pages.count()):  # the stack as tall as this step, not the tallest
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.pages.widget(i).setSizePolicy(policy, policy)
        first = index == 0
        self.step.setText(
            "Step 1 of 2: the case list" if first else "Step 2 of 2: columns and the sample"
        )
        self.back_button.setVisible(not first)
        self.next_button.setVisible(first)
        self.create_button.setVisible(not first)
        self.set_action_button(self.next_button if first else self.create_button)
        (self.path if first else self.ref_col).setFocus()
        if self.isVisible():
            self.adjustSize()
            self.refit()

    def _back(self) -> None:
        self._say("")
        self._show_page(0)

    def _say(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _create(self) -> None:
        if self.pages.currentIndex() == 0:  # Enter on the first step means Next
            self._next()
            return
        if self._drawn is None or self.caselist is None or self._elig is None:
            return
        loaded = self._checklists[self.checklist.currentIndex()]
        try:
            self.created = create_sample(
                self.session.db,
                self.caselist,
                self.columns(),
                self._elig,
                self._drawn,
                loaded,
                self.phase.currentData(),
            )
        except AuditToolError as exc:
            self._say(str(exc))
            return
        self.accept()

    def done(self, result: int) -> None:
        if self._worker is not None:  # closing while reading: stop the reader, then go
            self._worker.cancel()
            self._finish_worker()
        self.caselist = self._elig = self._drawn = None  # the references leave memory with it
        super().done(result)
