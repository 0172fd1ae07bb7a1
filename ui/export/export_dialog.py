"""Export a DOCX or PDF: this audit, or an aggregate report of the current selection; or
the anonymised analyst dataset of the selection (XLSX or CSV), built and written the same way.

One audit's report is built on the GUI thread (a few milliseconds). An aggregate report
reads every matching audit (seconds for tens of thousands), so it is built on the session's
reader connection, off the GUI thread, with a busy bar; Cancel drops it and interrupts its
query. Rendering (audit_tool.export.render_report, as the command line renders) then runs
in a worker thread with progress and Cancel. Cancelling a render
raises Cancelled inside the progress callback, and the core's atomic writer removes the
partial file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from audit_tool import dataset_stats
from audit_tool.errors import AuditToolError
from audit_tool.filters import AuditFilter
from audit_tool.reviewers import local_reviewer
from ui.common import palette
from ui.common.accessibility import name
from ui.common.messages import confirm
from ui.common.widgets import FittingDialog
from ui.export import wording as say
from ui.export.jobs import (
    BuildAggregate,
    BuildAudit,
    BuildDataset,
    Render,
    real_aggregate_report,
    real_audit_report,
    real_build_dataset,
    real_render,
    real_write_dataset,
    render_job,
)
from ui.export.release_notes import attach_release_notes
from ui.operations import Operation
from ui.session import Session


class ExportDialog(FittingDialog):
    def __init__(
        self,
        session: Session,
        export_folder: str,
        audit_id: str | None,
        flt: AuditFilter,
        selection_text: str,
        prefer_audit: bool = True,
        render: Render = real_render,
        build_audit: BuildAudit = real_audit_report,
        build_aggregate: BuildAggregate = real_aggregate_report,
        build_dataset: BuildDataset = real_build_dataset,
        write_dataset: Render = real_write_dataset,
        open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl,
        parent: QWidget | None = None,
        release_period: str = "month",
    ) -> None:
        super().__init__(parent)
        self.session, self.audit_id, self.flt = session, audit_id, flt
        self._render, self._build_audit, self._build_aggregate = (
            render,
            build_audit,
            build_aggregate,
        )
        self._build_dataset, self._write_dataset = build_dataset, write_dataset
        self._open_url = open_url
        self._period = release_period
        self._plan: Any = None  # the release to record once its file is written
        self._worker: Operation | None = None
        self._building = False  # an aggregate report is being built in the reader thread
        self._build_job = 0
        self._build_token = 0  # results of a cancelled build are recognised and dropped
        self._close_when_done = False
        self.saved_path: Path | None = None
        self.setWindowTitle("Export")

        what = QGroupBox("What to export")
        self.this_audit = QRadioButton("This audit")
        self.aggregate = QRadioButton(f"Aggregate report of the selected audits ({selection_text})")
        self._dataset_words = (f"Analyst dataset of the selected audits, anonymised: no area or agency ({selection_text})",
                               f"Analyst dataset of the selected audits, restricted ({selection_text})")
        self.dataset = QRadioButton(self._dataset_words[0])
        self.this_audit.setEnabled(audit_id is not None)
        (self.this_audit if audit_id and prefer_audit else self.aggregate).setChecked(True)
        wl = QVBoxLayout(what)
        wl.addWidget(self.this_audit)
        wl.addWidget(self.aggregate)
        wl.addWidget(self.dataset)
        self.finalised_only = QLabel(say.FINALISED_ONLY_NOTE)
        self.finalised_only.setWordWrap(True)
        palette.set_text_colour(self.finalised_only, palette.muted())
        wl.addWidget(self.finalised_only)
        self._what = QButtonGroup(self)
        self._what.addButton(self.this_audit)
        self._what.addButton(self.aggregate)
        self._what.addButton(self.dataset)

        fmt = QGroupBox("Format")
        self.docx = QRadioButton(
            "Word document (.docx): headings, tables and charts with text alternatives"
        )
        self.pdf = QRadioButton("PDF (.pdf): for printing and sharing as it is")
        self.docx.setChecked(True)
        fl = QVBoxLayout(fmt)
        fl.addWidget(self.docx)
        fl.addWidget(self.pdf)
        self._fmt = QButtonGroup(self)
        self._fmt.addButton(self.docx)
        self._fmt.addButton(self.pdf)
        self.report_formats = fmt

        self.data_formats = QGroupBox("Dataset: format and protection")
        self.xlsx = QRadioButton("Excel workbook (.xlsx): a sheet per table and a codebook")
        self.csv = QRadioButton("CSV (.csv): a file per table, with SPSS and Stata label files")
        self.sav = QRadioButton("SPSS data (.sav): one row per audit, with value labels")
        self.dta = QRadioButton("Stata data (.dta): one row per audit, with value labels")
        self.xlsx.setChecked(True)
        dl = QVBoxLayout(self.data_formats)
        self._data_fmt = QButtonGroup(self)
        for button in (self.xlsx, self.csv, self.sav, self.dta):
            dl.addWidget(button)
            self._data_fmt.addButton(button)
        # the frozen app leaves pyreadstat out (issue 23): say so, and offer CSV's label files
        self.native = dataset_stats.native_available()
        self.native_note = QLabel(dataset_stats.NATIVE_UNAVAILABLE)
        self.native_note.setWordWrap(True)
        palette.set_text_colour(self.native_note, palette.muted())
        self.native_note.setVisible(not self.native)
        dl.addWidget(self.native_note)
        # -- release: the restricted record-level dataset (issue 18 item 5) --------------------
        self.restricted = QCheckBox(say.RESTRICTED_LABEL)
        name(self.restricted, say.RESTRICTED_LABEL, say.RESTRICTED_TIP)
        self.restricted.setToolTip(say.RESTRICTED_TIP)
        self.restricted_note = QLabel(say.RESTRICTED_NOTE)
        self.restricted_note.setWordWrap(True)
        palette.set_text_colour(self.restricted_note, palette.bad())
        self.restricted_note.hide()
        dl.addWidget(self.restricted)
        dl.addWidget(self.restricted_note)
        self.review_dialog: Any = None  # the free text being read (free_text_review.py)
        # -- end release block ------------------------------------------------------------
        self.will_write = QLabel()  # the files a CSV export writes, before it is started
        self.will_write.setWordWrap(True)
        self.will_write.setObjectName("exportTargets")

        self.identifiers = QCheckBox("Include identifiers (case references and names)")
        self.identifiers.setChecked(False)
        self.free_text = QCheckBox(say.FREE_TEXT_LABEL)
        self.free_text.setToolTip(say.FREE_TEXT_TIP)
        name(self.free_text, say.FREE_TEXT_LABEL, say.FREE_TEXT_TIP)
        note = QLabel(say.IDENTIFIERS_NOTE)
        note.setWordWrap(True)
        palette.set_text_colour(note, palette.muted())

        recipient_label = QLabel(say.RECIPIENT_LABEL)
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("e.g. Steering group, March meeting")
        self.recipient.setToolTip(say.RECIPIENT_TIP)
        recipient_label.setBuddy(self.recipient)
        name(self.recipient, "For (recipient)", say.RECIPIENT_TIP)
        rl = QHBoxLayout()
        rl.addWidget(recipient_label)
        rl.addWidget(self.recipient, 1)

        self.folder = Path(export_folder).expanduser() if export_folder else Path.home()
        path_label = QLabel("&Save as:")
        self.path = QLineEdit()
        path_label.setBuddy(self.path)
        name(self.path, "File to save")
        self.choose = QPushButton("Choose…")
        name(self.choose, "Choose where to save")
        self.choose.clicked.connect(self._choose)
        pl = QHBoxLayout()
        pl.addWidget(path_label)
        pl.addWidget(self.path, 1)
        pl.addWidget(self.choose)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        name(self.progress, "Export progress")
        keep = self.progress.sizePolicy()  # its room is kept: the rows above never squash
        keep.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(keep)
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Export status")

        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.open_folder_button = QPushButton("Open folder")
        name(self.open_folder_button, "Open the folder holding the export")
        self.open_folder_button.hide()
        self.cancel_button = QPushButton("Close")
        name(self.cancel_button, "Close or cancel the export")
        self.export_button.clicked.connect(self.start)
        self.open_folder_button.clicked.connect(self._open_folder)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(fmt)
        layout.addWidget(self.data_formats)
        layout.addWidget(self.identifiers)
        layout.addWidget(note)
        layout.addWidget(self.free_text)
        self.release_notes = attach_release_notes(self, session, flt)  # anonymised report only
        layout.addWidget(self.release_notes)
        layout.addLayout(rl)
        layout.addLayout(pl)
        layout.addWidget(self.will_write)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(44 * self.fontMetrics().horizontalAdvance("M"))
        self._what.buttonToggled.connect(lambda *_: self._suggest_path())
        self._what.buttonToggled.connect(lambda *_: self._sync_free_text())
        self._sync_free_text()
        self._fmt.buttonToggled.connect(lambda *_: self._suggest_path())
        self._data_fmt.buttonToggled.connect(lambda *_: self._suggest_path())
        self.restricted.toggled.connect(lambda *_: self._suggest_path())
        self.restricted.toggled.connect(lambda *_: self._sync_free_text())
        self.path.textChanged.connect(lambda *_: self._show_targets())
        self._suggest_path()
        self._show_targets()

    # -- choices ---------------------------------------------------------------------------------
    def _sync_free_text(self) -> None:
        """Recommendation texts are a choice for aggregate reports, evidence notes for the
        dataset; the dataset never holds identifiers."""
        data = self.dataset.isChecked()
        self.free_text.setText(say.NOTES_LABEL if data else say.FREE_TEXT_LABEL)
        self.free_text.setToolTip(say.NOTES_TIP if data else say.FREE_TEXT_TIP)
        name(self.free_text, *((say.NOTES_LABEL, say.NOTES_TIP) if data else (say.FREE_TEXT_LABEL, say.FREE_TEXT_TIP)))
        self.free_text.setEnabled((self.aggregate.isChecked() or data) and not self.running())
        if data:
            self.identifiers.setChecked(False)
        self.identifiers.setEnabled(not data and not self.running())
        self.recipient.setEnabled(not self.running())  # one audit's report is a release too
        self.restricted.setEnabled(data and not self.running())
        self.restricted_note.setVisible(data and self.restricted.isChecked())
        self.dataset.setText(self._dataset_words[self.restricted.isChecked()])
        self.report_formats.setVisible(not data)
        self.data_formats.setVisible(data)
        for native in (self.sav, self.dta):
            native.setEnabled(self.native and not self.running())

    def fmt(self) -> str:
        if self.dataset.isChecked():
            for button, suffix in ((self.csv, "csv"), (self.sav, "sav"), (self.dta, "dta")):
                if button.isChecked():
                    return suffix
            return "xlsx"
        return "pdf" if self.pdf.isChecked() else "docx"

    def _targets(self, path: Path) -> list[Path]:
        """The files an export writes: a CSV dataset's three tables and its wide table with
        SPSS and Stata label files, else the one."""
        if self.dataset.isChecked() and self.fmt() == "csv":
            from audit_tool.dataset import csv_paths

            return csv_paths(path) + dataset_stats.syntax_paths(path)
        return [path]

    def _show_targets(self) -> None:
        text = self.path.text().strip()
        files = self._targets(Path(text)) if text else []
        self.will_write.setVisible(len(files) > 1)
        if len(files) > 1:
            self.will_write.setText("Will be written: " + ", ".join(p.name for p in files))

    def _suggest_path(self) -> None:
        """A file name with no case data in it: the kind of report and today's date."""
        current = Path(self.path.text()) if self.path.text() else None
        folder = current.parent if current else self.folder
        kind = (
            "Audit report" if self.this_audit.isChecked()
            else "Aggregate report" if not self.dataset.isChecked()
            else "Restricted analyst dataset" if self.restricted.isChecked() else "Analyst dataset"
        )
        self.path.setText(str(folder / f"{kind} {date.today().isoformat()}.{self.fmt()}"))
        self._show_targets()

    def _choose(self) -> None:
        suffix = self.fmt()
        filt = {"docx": "Word document (*.docx)", "pdf": "PDF (*.pdf)",
                "xlsx": "Excel workbook (*.xlsx)", "csv": "CSV (*.csv)",
                "sav": "SPSS data (*.sav)", "dta": "Stata data (*.dta)"}[suffix]
        path, _ = QFileDialog.getSaveFileName(self, "Save export as", self.path.text(), filt)
        if path:
            if not path.lower().endswith("." + suffix):
                path += "." + suffix
            self.path.setText(path)

    # -- running ---------------------------------------------------------------------------------
    def running(self) -> bool:
        return self._worker is not None or self._building

    def building(self) -> bool:
        """The aggregate report is being built (before rendering starts)."""
        return self._building

    def start(self) -> None:
        if self.running():
            return
        path = Path(self.path.text().strip()).expanduser()
        if not path.name:
            self._say("Choose a file to save to.", bad=True)
            return
        if path.suffix.lower() != "." + self.fmt():
            path = path.with_name(path.name + "." + self.fmt())
        if not path.parent.is_dir():
            self._say(
                f"The folder {path.parent} does not exist. Choose another place to save.", bad=True
            )
            return
        there = [p for p in self._targets(path) if p.exists()]
        if there and not confirm(
            self,
            "Replace file?",
            f"{there[0].name} already exists in that folder. Replace it?",
            "Replace",
        ):
            return
        if not self.session.is_open:
            self._say("The database is locked; unlock it first.", bad=True)
            return
        if not self.recipient.text().strip():
            self._say("Say who this is for (recipient): the release register records it.", bad=True)
            self.recipient.setFocus()
            return
        include, fmt = self.identifiers.isChecked(), self.fmt()
        if self.release_notes.isVisibleTo(self) and self.release_notes.problem():
            self._say(self.release_notes.problem(), bad=True)
            return
        self.saved_path = None
        if self.this_audit.isChecked() and self.audit_id:
            from audit_tool.export import prepare_audit

            try:  # one audit: a few milliseconds, so here; recorded once written
                report, self._plan = prepare_audit(
                    self.session.db, self.audit_id, recipient=self.recipient.text().strip(),
                    include_identifiers=include, build=self._build_audit)
            except (ImportError, AuditToolError) as exc:
                self._say(self._build_problem(exc), bad=True)
                return
            self._set_running(True)
            self._start_render(report, fmt, path)
            return
        self._start_build(include, fmt, path)

    def _start_build(self, include: bool, fmt: str, path: Path) -> None:
        """Build the aggregate report (or the dataset) on the reader connection; render it
        when it arrives."""
        build, flt = self._build_aggregate, self.flt  # the job touches no widget
        if self.dataset.isChecked():  # never identifiers; notes only when ticked
            build_dataset, notes = self._build_dataset, self.free_text.isChecked()
            if self.restricted.isChecked():  # passed only when asked for, as free text is
                build_dataset = partial(build_dataset, restricted=True)
            build = lambda db, f, _identifiers: build_dataset(db, f, notes)  # noqa: E731
        elif self.free_text.isChecked():  # passed only when asked for: builders may not take it
            build = partial(build, include_free_text=True)
        page1 = self.release_notes.notes() if self.release_notes.isVisibleTo(self) else None
        if page1 is not None and page1 != type(page1)():  # likewise passed only when written
            build = partial(build, notes=page1)
        from audit_tool.export import prepare_dataset, prepare_report  # loads the builders

        try:
            who = local_reviewer(self.session.db).name  # on this thread: it may write
        except AuditToolError as exc:
            self._say(str(exc), bad=True)
            return
        # the register is checked, and dates snapped, in the core (export.prepare_*)
        prepare = partial(
            prepare_dataset if self.dataset.isChecked() else prepare_report,
            recipient=self.recipient.text().strip(), who=who, period=self._period,
            **({"restricted": self.restricted.isChecked()} if self.dataset.isChecked()
               else {"include_identifiers": include, "notes": page1}),
        )
        self._build_token += 1
        token = self._build_token
        self._set_running(True)
        self._building = True
        self.progress.setRange(0, 0)  # busy: how long the build takes is not known
        self._say("Preparing the report…", bad=False)
        self._build_job = self.session.read(
            lambda db: prepare(db, flt, build=lambda d, f: build(d, f, include)),
            lambda built: self._built(token, built, fmt, path),
            lambda exc: self._build_failed(token, exc),
        )

    def _built(self, token: int, built: tuple[Any, Any], fmt: str, path: Path) -> None:
        if token != self._build_token or not self._building:
            return  # cancelled meanwhile: the report is dropped
        self._end_build()
        report, self._plan = built
        # -- release: free text is read by a person before it goes (issue 18 item 5) --------
        from audit_tool.export import free_texts

        data = self.dataset.isChecked()
        texts = free_texts(report) if self.free_text.isChecked() and (
            data or not self.identifiers.isChecked()) else []
        if texts:
            from ui.export.free_text_review import FreeTextReview

            box = FreeTextReview(texts, "dataset" if data else "report",
                                 self.recipient.text().strip(), self)
            box.accepted.connect(lambda: self._reviewed(texts, report, fmt, path))
            box.rejected.connect(self._not_reviewed)
            self.review_dialog = box
            self._say("Read the texts, tick each one, then release them.", bad=False)
            box.resize(self.width(), max(self.height(), 420))
            box.open()
            return
        self._start_render(report, fmt, path)

    def _reviewed(self, texts: list[str], report: Any, fmt: str, path: Path) -> None:
        from dataclasses import replace

        from audit_tool.disclosure.review import confirmed

        self.review_dialog = None
        how = "each text ticked in the export dialog"
        self._plan = replace(self._plan, review=confirmed(texts, self._plan.who, how))
        self._start_render(report, fmt, path)

    def _not_reviewed(self) -> None:
        self.review_dialog, self._plan = None, None
        self._say("Export cancelled: the texts were not released; nothing was saved.", bad=False)
        self._finished()
        # -- end release block ------------------------------------------------------------

    def _build_failed(self, token: int, exc: BaseException) -> None:
        if token != self._build_token or not self._building:
            return
        self._end_build()
        self._say(self._build_problem(exc), bad=True)
        self._finished()

    def _build_problem(self, exc: BaseException) -> str:
        if isinstance(exc, ImportError):
            return "Exporting is not available in this version of the tool yet."
        if isinstance(exc, AuditToolError):
            return str(exc)
        return f"The report could not be prepared ({type(exc).__name__}); nothing was saved."

    def _end_build(self) -> None:
        self._building = False
        self._build_job = 0
        self.progress.setRange(0, 100)
        self.progress.setValue(0)

    def _cancel_build(self) -> None:
        """Drop the report being built and stop its query; nothing was written yet."""
        self.session.cancel(self._build_job)
        self._build_token += 1
        self._end_build()
        self._say("Export cancelled; no file was saved.", bad=False)

    def _start_render(self, report: Any, fmt: str, path: Path) -> None:
        self._say("Exporting…", bad=False)
        render = self._write_dataset if self.dataset.isChecked() else self._render
        # Renders need no database, so locking never waits on SQL.
        worker = Operation(
            render_job(render, report, fmt, path),
            "The export failed unexpectedly ({}); nothing was saved.",
            name="export-render",
        )
        del report  # the operation drops it (it holds case data) as soon as it is done
        worker.progressed.connect(
            lambda f: self.progress.setValue(round(100 * max(0.0, min(1.0, f))))
        )
        worker.succeeded.connect(self._succeeded)
        worker.failed.connect(lambda msg: self._say(msg, bad=True))
        worker.cancelled.connect(
            lambda: self._say("Export cancelled; no file was saved.", bad=False)
        )
        worker.finished.connect(self._finished)
        self._worker = worker
        worker.start()

    def _set_running(self, running: bool) -> None:
        for w in (
            self.export_button, self.recipient, self.this_audit, self.aggregate, self.dataset,
            self.docx, self.pdf, self.xlsx, self.csv, self.sav, self.dta, self.restricted,
            self.identifiers, self.free_text, self.path, self.choose,
        ):
            w.setEnabled(not running)
        if not running:
            self.this_audit.setEnabled(self.audit_id is not None)
            self._sync_free_text()
        self.progress.setVisible(running or self.progress.value() > 0)
        if running:
            self.progress.setValue(0)
            self.open_folder_button.hide()
        self.cancel_button.setText("Cancel" if running else "Close")

    def _succeeded(self, path: str) -> None:
        plan, self._plan = self._plan, None
        if plan is not None:
            try:  # written: now it is a release (recorded on this window's connection)
                plan.record(self.session.db)
            except AuditToolError as exc:
                self._say(f"Saved, but not recorded in the release register: {exc}", bad=True)
                return
        self.saved_path = Path(path)
        self.progress.setValue(100)
        files = self._targets(self.saved_path)
        if len(files) > 1:
            names = ", ".join(p.name for p in files)
            self._say(f"Saved in {self.saved_path.parent}: {names}", bad=False)
        else:
            self._say(f"Saved: {path}", bad=False)
        self.open_folder_button.show()

    def _finished(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        self._set_running(False)
        if self.saved_path is None:
            self.progress.hide()
        if self._close_when_done:
            super().reject()

    def _cancel_or_close(self) -> None:
        if self._building:
            self._cancel_build()
            self._finished()
        elif self._worker is not None:
            self._worker.cancel()
            self._say("Cancelling…", bad=False)
        else:
            self.reject()

    def abort(self) -> None:
        """Stop at once and wait (the database is locking)."""
        if self._building:
            self._cancel_build()
        worker = self._worker
        if worker is not None:
            worker.cancel()
            worker.wait()
        self._close_when_done = True
        self._finished()  # closes the dialog

    def reject(self) -> None:
        if self._building:
            self._cancel_build()
            self._close_when_done = True
            self._finished()  # closes the dialog
            return
        if self._worker is not None:
            self._worker.cancel()
            self._close_when_done = True
            self._say("Cancelling…", bad=False)
            return
        super().reject()

    def _open_folder(self) -> None:
        if self.saved_path is not None:
            self._open_url(QUrl.fromLocalFile(str(self.saved_path.parent)))

    def _say(self, text: str, bad: bool) -> None:
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        palette.set_text_colour(self.status, palette.bad() if bad else palette.muted())
