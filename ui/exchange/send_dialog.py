"""File → Send audits…: one encrypted file carries audits to another laptop.

The audits are read on the session's reader connection, then sealed and written by an
operation off the GUI thread (ui.operations). Every rule is in audit_tool.exchange.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from audit_tool.errors import AuditToolError
from audit_tool.exchange import collect, plan_bundle_release, read_recipients, write_bundle
from audit_tool.filters import AuditFilter
from audit_tool.passphrase import MIN_LENGTH
from audit_tool.reviewers import local_reviewer
from ui.common import palette
from ui.common.accessibility import name
from ui.common.messages import confirm
from ui.common.passphrase_fields import NewPassphrase
from ui.exchange.base_dialog import LEFT, SUFFIX, ExchangeDialog, file_row
from ui.session import Session

IDENTIFIERS_NOTE = (
    "Between your team's own laptops, tick it: everything travels exactly. Unticked, the "
    "file is a release: pseudonyms only, case references typed in text removed, reviewer "
    "names replaced and times cut to the day; it is recorded in the release register for "
    "the recipient named below. Evidence notes and summaries always travel, encrypted."
)


class SendDialog(ExchangeDialog):
    def __init__(
        self,
        session: Session,
        folder: str,
        flt: AuditFilter,
        selection_text: str,
        parent: QWidget | None = None,
        search_note: str = "",
    ) -> None:
        super().__init__(session, parent)
        self.flt = flt
        self.sent = None
        self._plan = None  # the release to record once the file is written
        self.setWindowTitle("Send audits")
        what = QGroupBox("Which audits")
        shows = "the list's filters select" if search_note else "the list shows"
        self.selected = QRadioButton(f"The audits {shows} ({selection_text})")
        self.everything = QRadioButton("Every audit in this database")
        self.selected.setChecked(True)
        self.search_note = QLabel(search_note)  # said plainly: what goes is not what is seen
        self.search_note.setWordWrap(True)
        palette.set_text_colour(self.search_note, palette.bad())
        self.search_note.setVisible(bool(search_note))
        wl = QVBoxLayout(what)
        wl.addWidget(self.selected, 0, LEFT)
        wl.addWidget(self.search_note)
        wl.addWidget(self.everything, 0, LEFT)
        self.identifiers = QCheckBox("Include case references")
        self.recipient = QLineEdit()  # a file without references is a release (issue 18)
        self.recipient.setPlaceholderText("e.g. Lead, North partnership")
        name(self.recipient, "For (recipient)", "Who the file is for: the release register records it")
        self.identifiers.toggled.connect(lambda on: self.recipient.setEnabled(not on))
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
        pl.addWidget(self.use_passphrase, 0, LEFT)
        pl.addWidget(self.passphrase)
        pl.addWidget(self.use_keys, 0, LEFT)
        self.keys_row = QWidget()
        row = file_row("&Key file:", self.keys_path, self.choose_keys)
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
        for_row = QHBoxLayout()
        caption = QLabel("&For (recipient):")
        caption.setBuddy(self.recipient)
        for_row.addWidget(caption)
        for_row.addWidget(self.recipient, 1)
        layout.addLayout(for_row)
        layout.addWidget(protect)
        layout.addLayout(file_row("&Save as:", self.path, self.choose))
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
            self.recipient,
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
                    f"Type a passphrase of at least {MIN_LENGTH} characters for the file, twice."
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
        recipient = self.recipient.text().strip()
        if not include and not recipient:
            self._say("Say who this file is for (recipient): without case references it is a "
                      "release, and the release register records it.", bad=True)
            self.recipient.setFocus()
            return
        try:
            who = local_reviewer(self.session.db).name  # on this thread: it may write
        except AuditToolError as exc:
            self._say(str(exc), bad=True)
            return

        def read(db):  # the register is checked before anything is written
            doc = collect(db, flt, include)
            return doc, plan_bundle_release(db, doc, flt, recipient, who)

        self._say("Reading the audits…")
        self._busy(True)
        self.progress.setRange(0, 0)
        self._job = self.session.read(
            read,
            lambda got: self._collected(got, out, passphrase, recipients),
            lambda exc: self._failed(
                str(exc)
                if isinstance(exc, AuditToolError)
                else f"The audits could not be read ({type(exc).__name__})."
            ),
        )

    def _collected(
        self, got: tuple, out: Path, passphrase: str | None, recipients: list[str] | None
    ) -> None:
        if not self._job:
            return  # cancelled meanwhile
        self._job = 0
        doc, self._plan = got
        self.progress.setRange(0, 100)
        self._say("Encrypting and saving…")
        self._run(
            lambda progress: write_bundle(doc, out, passphrase, recipients, progress),
            "sending",
            self._done,
        )

    def _done(self, sent) -> None:
        plan, self._plan = self._plan, None
        if plan is not None:
            try:  # written: now it is a release
                plan.record(self.session.db)
            except AuditToolError as exc:
                self._say(f"Saved, but not recorded in the release register: {exc}", bad=True)
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
