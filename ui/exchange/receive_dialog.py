"""File → Receive audits…: open the file received, preview what importing it would do,
import it.

The file is opened (scrypt takes seconds) off the GUI thread, the preview is worked out on
the reader connection (it only reads), and the import runs off the GUI thread as one
transaction on a connection of its own (ui.operations) while this modal dialog keeps the
window from writing. Every rule is in audit_tool.exchange.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from audit_tool.changes import Changes
from audit_tool.errors import AuditToolError
from audit_tool.exchange import import_bundle, plan, read_bundle, read_identities
from audit_tool.records import get_audit
from ui.common.accessibility import name
from ui.common.passphrase_fields import PassphraseField
from ui.exchange.base_dialog import LEFT, SUFFIX, ExchangeDialog, file_row
from ui.session import Session, changes_of


class ReceiveDialog(ExchangeDialog):
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
        ol.addWidget(self.use_passphrase, 0, LEFT)
        ol.addLayout(form)
        ol.addWidget(self.use_key, 0, LEFT)
        ol.addLayout(file_row("&Key file:", self.key_path, self.choose_key))
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
        layout.addLayout(file_row("&File:", self.path, self.choose))
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

    def _named(self, audit_id: str) -> str:
        """A conflicting audit as a person knows it: case, checklist, phase and reviewer."""
        try:
            a = get_audit(self.session.db, audit_id)
        except AuditToolError:
            return "an audit not on this laptop"
        return f"{a.case.pseudonym}, {a.checklist.title}, {a.phase.label}, by {a.reviewer.name}"

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
        self.conflict_list.addItems([f"In conflict: {self._named(a)}" for a in conflicts])
        self.conflict_list.setVisible(bool(conflicts))
        self.preview_box.show()
        # audits made precise (received earlier without identifiers) change too
        changes = len(result.kinds) - result.count("unchanged") + len(result.refined)
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
        bundle = self.bundle
        self._say("Importing…")
        self._run(
            lambda db, progress: import_bundle(db, bundle, progress),
            "import",
            self._imported,
            self.session,
        )

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
        # Cases may have come in: the list is read again (as a sample's are).
        received = Changes(
            audits=frozenset(result.ids("updated")) | frozenset(result.refined),
            added=frozenset(result.ids("new")),
            cases=True,
            conflicts=bool(n),
        )
        self.session.publish(changes_of(result, received))
        self.imported.emit(result)

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        if not busy and self.merged is not None:
            self.import_button.hide()
            self.preview_button.hide()
