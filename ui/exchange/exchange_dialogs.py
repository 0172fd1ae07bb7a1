"""File → Send audits… and Receive audits…: one encrypted file carries audits between laptops.

Long work never runs on the GUI thread. Sending: the audits are read on the session's
reader connection, then sealed and written by a worker thread. Receiving: the file is
opened (scrypt takes seconds) by a worker thread, the preview is worked out on the reader
connection (it only reads), and the import runs in a worker thread as one transaction on
the window's connection while this modal dialog keeps the window from using it.
Every rule is in audit_tool.exchange; these dialogs only ask and show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from audit_tool.errors import AuditToolError
from audit_tool.exchange import (
    collect,
    import_bundle,
    plan,
    read_bundle,
    read_identities,
    read_recipients,
    write_bundle,
)
from audit_tool.filters import AuditFilter
from ui.common import palette
from ui.common.accessibility import name
from ui.common.messages import confirm
from ui.common.passphrase_fields import NewPassphrase, PassphraseField
from ui.common.widgets import FittingDialog
from ui.session import Session

SUFFIX = ".age"
_LEFT = (
    Qt.AlignmentFlag.AlignLeft
)  # a choice is as wide as its words: a click beside them does nothing
IDENTIFIERS_NOTE = (
    "Leave unticked unless the receiver needs case references: the file then carries "
    "pseudonyms only. Evidence notes and summaries always travel, encrypted."
)


class Worker(QThread):
    """Runs one job off the GUI thread: job(progress) -> result."""

    progressed = Signal(float)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, job: Callable[[Callable[[float], None]], Any], what: str) -> None:
        super().__init__()
        self.setObjectName(f"exchange-{what}")
        self._job, self._what = job, what

    def run(self) -> None:  # noqa: D401 (Qt override)
        try:
            result = self._job(lambda f: self.progressed.emit(float(f)))
        except AuditToolError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug, or the import stopped by locking: nothing was changed
            self.failed.emit(
                f"The {self._what} did not finish ({type(exc).__name__}); nothing was changed."
            )
        else:
            self.succeeded.emit(result)
        finally:
            self._job = None


def _file_row(label: str, edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    caption = QLabel(label)
    caption.setBuddy(edit)
    row.addWidget(caption)
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


class _ExchangeDialog(FittingDialog):
    """What both dialogs share: a status line, a progress bar, a worker, Close/Cancel."""

    def __init__(self, session: Session, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.session = session
        self._worker: Worker | None = None
        self._job = 0
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        name(self.progress, "Progress")
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("exchangeStatus")
        self.status.setAccessibleName("Status")
        self.close_button = QPushButton("Close")
        name(self.close_button, "Close, or cancel what is running")
        self.close_button.clicked.connect(self.reject)

    def running(self) -> bool:
        return self._worker is not None or bool(self._job)

    def _say(self, text: str, bad: bool = False) -> None:
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        palette.set_text_colour(self.status, palette.bad() if bad else palette.muted())
        self.refit()  # a long message wraps: grow rather than squeeze the fields above

    def _run(self, job: Callable, what: str, done: Callable[[Any], None]) -> None:
        worker = Worker(job, what)
        worker.progressed.connect(
            lambda f: self.progress.setValue(round(100 * max(0.0, min(1.0, f))))
        )
        worker.succeeded.connect(done)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._worker_finished)
        self._worker = worker
        self._busy(True)
        worker.start()

    def _worker_finished(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        if not self._job:
            self._busy(False)

    def _failed(self, message: str) -> None:
        self._job = 0
        self._say(message, bad=True)
        self.progress.hide()
        self._busy(False)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy or self.progress.value() >= 100)
        if busy:
            self.progress.setValue(0)
        self.close_button.setText("Cancel" if busy else "Close")
        self._enable(not busy)
        self.refit()

    def _enable(self, on: bool) -> None:  # each dialog says which of its controls
        raise NotImplementedError

    def reject(self) -> None:
        if self._worker is not None:
            self._say(
                "Finishing safely… (a file half-written or an import half-done is never kept)"
            )
            return  # the worker finishes its one transaction or its one file
        if self._job:
            self.session.cancel(self._job)
            self._job = 0
            self._busy(False)
            self._say("Stopped; nothing was changed.")
            return
        super().reject()

    def abort(self) -> None:
        """The database is locking: wait for the worker, then close without asking."""
        if self._job:
            self.session.cancel(self._job)
            self._job = 0
        worker = self._worker
        if worker is not None:
            worker.wait()
            self._worker_finished()
        super().abort()


class SendDialog(_ExchangeDialog):
    def __init__(
        self,
        session: Session,
        folder: str,
        flt: AuditFilter,
        selection_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.flt = flt
        self.sent = None
        self.setWindowTitle("Send audits")
        what = QGroupBox("Which audits")
        self.selected = QRadioButton(f"The audits the list shows ({selection_text})")
        self.everything = QRadioButton("Every audit in this database")
        self.selected.setChecked(True)
        wl = QVBoxLayout(what)
        wl.addWidget(self.selected, 0, _LEFT)
        wl.addWidget(self.everything, 0, _LEFT)
        self.identifiers = QCheckBox("Include case references")
        note = QLabel(IDENTIFIERS_NOTE)
        note.setWordWrap(True)
        palette.set_text_colour(note, palette.muted())

        protect = QGroupBox("Protect the file with")
        self.use_passphrase = QRadioButton(
            "A passphrase (tell the receiver it another way, never with the file)"
        )
        self.use_keys = QRadioButton("The receiver's public key (a file they gave you)")
        self.use_passphrase.setChecked(True)
        self._how = QButtonGroup(self)
        self._how.addButton(self.use_passphrase)
        self._how.addButton(self.use_keys)
        self.passphrase = NewPassphrase("&Passphrase for the file:")
        self.keys_path = QLineEdit()
        name(self.keys_path, "Public key file")
        self.choose_keys = QPushButton("Choose…")
        name(self.choose_keys, "Choose the public key file")
        self.choose_keys.clicked.connect(self._pick_keys)
        pl = QVBoxLayout(protect)
        pl.addWidget(self.use_passphrase, 0, _LEFT)
        pl.addWidget(self.passphrase)
        pl.addWidget(self.use_keys, 0, _LEFT)
        self.keys_row = QWidget()
        row = _file_row("&Key file:", self.keys_path, self.choose_keys)
        row.setContentsMargins(0, 0, 0, 0)
        self.keys_row.setLayout(row)
        pl.addWidget(self.keys_row)
        self._how.buttonToggled.connect(lambda *_: self._sync())

        start = Path(folder).expanduser() if folder else Path.home()
        self.path = QLineEdit(str(start / f"Audits for sending {date.today().isoformat()}{SUFFIX}"))
        name(self.path, "File to save")
        self.choose = QPushButton("Choose…")
        name(self.choose, "Choose where to save the file")
        self.choose.clicked.connect(self._pick_out)

        self.send_button = QPushButton("Send")
        name(self.send_button, "Write the encrypted file")
        self.send_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(self.identifiers)
        layout.addWidget(note)
        layout.addWidget(protect)
        layout.addLayout(_file_row("&Save as:", self.path, self.choose))
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(44 * self.fontMetrics().horizontalAdvance("M"))
        self.set_action_button(self.send_button)
        self._sync()

    def _sync(self) -> None:
        keys = self.use_keys.isChecked()
        self.passphrase.setVisible(not keys)  # only the way chosen is shown
        self.keys_row.setVisible(keys)
        self.passphrase.setEnabled(not self.running())
        self.keys_row.setEnabled(not self.running())
        self.refit()

    def _enable(self, on: bool) -> None:
        for w in (
            self.send_button,
            self.selected,
            self.everything,
            self.identifiers,
            self.use_passphrase,
            self.use_keys,
            self.path,
            self.choose,
        ):
            w.setEnabled(on)
        self._sync()

    def _pick_keys(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The receiver's public key", self.keys_path.text()
        )
        if path:
            self.keys_path.setText(path)

    def _pick_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the file as", self.path.text(), f"Audit file (*{SUFFIX})"
        )
        if path:
            self.path.setText(path if path.endswith(SUFFIX) else path + SUFFIX)

    def start(self) -> None:
        if self.running():
            return
        out = Path(self.path.text().strip()).expanduser()
        if not out.name:
            self._say("Choose a file to save to.", bad=True)
            return
        if out.suffix != SUFFIX:
            out = out.with_name(out.name + SUFFIX)
        if not out.parent.is_dir():
            self._say(
                f"The folder {out.parent} does not exist. Choose another place to save.", bad=True
            )
            return
        recipients, passphrase = None, None
        try:
            if self.use_keys.isChecked():
                if not self.keys_path.text().strip():
                    raise AuditToolError("Choose the receiver's public key file.")
                recipients = read_recipients(Path(self.keys_path.text().strip()).expanduser())
            elif not self.passphrase.is_valid():
                raise AuditToolError(
                    "Type a passphrase of at least 15 characters for the file, twice."
                )
            else:
                passphrase = self.passphrase.text()
        except AuditToolError as exc:
            self._say(str(exc), bad=True)
            return
        if out.exists() and not confirm(
            self, "Replace file?", f"{out.name} already exists. Replace it?", "Replace"
        ):
            return
        flt = AuditFilter() if self.everything.isChecked() else self.flt
        include = self.identifiers.isChecked()
        self._say("Reading the audits…")
        self._busy(True)
        self.progress.setRange(0, 0)
        self._job = self.session.read(
            lambda db: collect(db, flt, include),
            lambda doc: self._collected(doc, out, passphrase, recipients),
            lambda exc: self._failed(
                str(exc)
                if isinstance(exc, AuditToolError)
                else f"The audits could not be read ({type(exc).__name__})."
            ),
        )

    def _collected(
        self, doc: dict, out: Path, passphrase: str | None, recipients: list[str] | None
    ) -> None:
        if not self._job:
            return  # cancelled meanwhile
        self._job = 0
        self.progress.setRange(0, 100)
        self._say("Encrypting and saving…")
        self._run(
            lambda progress: write_bundle(doc, out, passphrase, recipients, progress),
            "sending",
            self._done,
        )

    def _done(self, sent) -> None:
        self.sent = sent
        self.passphrase.wipe()
        self.progress.setValue(100)
        way = (
            "the receiver's key"
            if self.use_keys.isChecked()
            else "the passphrase (tell it another way)"
        )
        self._say(
            f"Saved {sent.audits:,} audit(s) of {sent.cases:,} case(s), encrypted with {way}: {sent.path}"
        )


class ReceiveDialog(_ExchangeDialog):
    """Choose the file and how it opens → Preview → Import."""

    imported = Signal(object)  # the Plan, once merged

    def __init__(self, session: Session, folder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.folder = folder
        self.bundle = None
        self.preview = None
        self.merged = None
        self.setWindowTitle("Receive audits")
        self.path = QLineEdit()
        name(self.path, "File received")
        self.choose = QPushButton("Choose…")
        name(self.choose, "Choose the file received")
        self.choose.clicked.connect(self._pick_file)

        opens = QGroupBox("The file opens with")
        self.use_passphrase = QRadioButton("Its passphrase")
        self.use_key = QRadioButton("This laptop's private key file")
        self.use_passphrase.setChecked(True)
        self._how = QButtonGroup(self)
        self._how.addButton(self.use_passphrase)
        self._how.addButton(self.use_key)
        self.passphrase = PassphraseField("Passphrase for the file")
        self.key_path = QLineEdit()
        name(self.key_path, "Private key file")
        self.choose_key = QPushButton("Choose…")
        name(self.choose_key, "Choose the private key file")
        self.choose_key.clicked.connect(self._pick_key)
        form = QFormLayout()
        caption = QLabel("&Passphrase:")
        caption.setBuddy(self.passphrase.edit)
        form.addRow(caption, self.passphrase)
        ol = QVBoxLayout(opens)
        ol.addWidget(self.use_passphrase, 0, _LEFT)
        ol.addLayout(form)
        ol.addWidget(self.use_key, 0, _LEFT)
        ol.addLayout(_file_row("&Key file:", self.key_path, self.choose_key))
        self._how.buttonToggled.connect(lambda *_: self._sync())

        self.summary = QLabel()
        self.summary.setObjectName("previewSummary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the import will do")
        self.conflict_list = QListWidget()
        name(self.conflict_list, "Audits in conflict")
        self.conflict_list.hide()
        self.preview_box = QGroupBox("Preview: what importing will do")
        pv = QVBoxLayout(self.preview_box)
        pv.addWidget(self.summary)
        pv.addWidget(self.conflict_list)
        self.preview_box.hide()

        self.preview_button = QPushButton("Preview")
        name(self.preview_button, "Open the file and show what importing it would change")
        self.preview_button.clicked.connect(self.start_preview)
        self.import_button = QPushButton("Import")
        name(self.import_button, "Import the audits shown in the preview")
        self.import_button.clicked.connect(self.start_import)
        self.import_button.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(_file_row("&File:", self.path, self.choose))
        layout.addWidget(opens)
        layout.addWidget(self.preview_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(44 * self.fontMetrics().horizontalAdvance("M"))
        self.set_action_button(self.preview_button)
        self.path.textChanged.connect(lambda _t: self._forget_preview())
        self.passphrase.textChanged.connect(lambda _t: self._forget_preview())
        self.key_path.textChanged.connect(lambda _t: self._forget_preview())
        self._sync()

    def _sync(self) -> None:
        key = self.use_key.isChecked()
        self.passphrase.setEnabled(not key and not self.running())
        self.key_path.setEnabled(key and not self.running())
        self.choose_key.setEnabled(key and not self.running())

    def _enable(self, on: bool) -> None:
        for w in (
            self.preview_button,
            self.import_button,
            self.path,
            self.choose,
            self.use_passphrase,
            self.use_key,
        ):
            w.setEnabled(on)
        self._sync()

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The file received", self.folder, f"Audit file (*{SUFFIX});;All files (*)"
        )
        if path:
            self.path.setText(path)

    def _pick_key(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "This laptop's private key", self.key_path.text()
        )
        if path:
            self.key_path.setText(path)

    def _forget_preview(self) -> None:
        if self.running() or self.merged is not None:
            return
        self.bundle = self.preview = None
        self.preview_box.hide()
        self.import_button.hide()
        self.preview_button.show()
        self.set_action_button(self.preview_button)

    # -- preview -------------------------------------------------------------------------------
    def start_preview(self) -> None:
        if self.running():
            return
        path = Path(self.path.text().strip()).expanduser()
        if not self.path.text().strip():
            self._say("Choose the file you received.", bad=True)
            return
        try:
            identities = (
                read_identities(Path(self.key_path.text().strip()).expanduser())
                if self.use_key.isChecked()
                else None
            )
        except AuditToolError as exc:
            self._say(str(exc), bad=True)
            return
        passphrase = None if identities else self.passphrase.text()
        if not identities and not passphrase:
            self._say("Type the file's passphrase, or choose this laptop's key file.", bad=True)
            return
        self._say("Opening the file…")
        self._run(lambda _p: read_bundle(path, passphrase, identities), "opening", self._opened)

    def _opened(self, bundle) -> None:
        self.bundle = bundle
        self.passphrase.wipe()
        self._say("Comparing with this laptop's audits…")
        self._busy(True)
        self.progress.setRange(0, 0)
        self._job = self.session.read(
            lambda db: plan(db, bundle),
            self._previewed,
            lambda exc: self._failed(
                str(exc)
                if isinstance(exc, AuditToolError)
                else f"The file could not be compared ({type(exc).__name__}); nothing was changed."
            ),
        )

    def _previewed(self, result) -> None:
        if not self._job:
            return
        self._job = 0
        self.progress.setRange(0, 100)
        self._busy(False)
        self.progress.hide()
        self.preview = result
        self.summary.setText("\n".join(result.lines()))
        conflicts = result.ids("conflict")
        self.conflict_list.clear()
        self.conflict_list.addItems([f"In conflict: audit {a}" for a in conflicts])
        self.conflict_list.setVisible(bool(conflicts))
        self.preview_box.show()
        changes = len(result.kinds) - result.count("unchanged")
        self.import_button.setVisible(True)
        self.import_button.setEnabled(True)
        self.preview_button.hide()
        self.set_action_button(self.import_button)
        self._say(
            "Nothing here is new: importing would only record that the file was received."
            if not changes
            else "Check the preview, then Import. Nothing has been changed yet."
        )
        self.refit()
        self.import_button.setFocus()

    # -- import -------------------------------------------------------------------------------
    def start_import(self) -> None:
        if self.running() or self.bundle is None:
            return
        db, bundle = self.session.db, self.bundle
        self._say("Importing…")
        self._run(lambda progress: import_bundle(db, bundle, progress), "import", self._imported)

    def _imported(self, result) -> None:
        self.merged = result
        self.bundle = None
        self.progress.setValue(100)
        self.import_button.hide()
        self.close_button.setText("Close")
        self.set_action_button(self.close_button)
        n = result.count("conflict")
        self._say(
            f"Imported: {result.count('new'):,} new, {result.count('updated'):,} updated, "
            f"{result.count('unchanged'):,} unchanged"
            + (f", {n:,} in conflict: choose under File → Conflicts." if n else ".")
        )
        self.imported.emit(result)

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        if not busy and self.merged is not None:
            self.import_button.hide()
            self.preview_button.hide()
