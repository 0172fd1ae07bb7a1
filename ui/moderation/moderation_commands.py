"""The window's double-reading commands: start a second reading, moderate readings, and
keep a reading blind.

Blind reading in the window: the window knows who is reading (`reading_as`): the reader
chosen when a second reading is started, else the reviewer of the last draft reading
opened, else this laptop's reviewer. While that reader's own reading of a file is a
draft, the other readings of the file (and its moderation) do not open: not in the
editor (so not its summary), not its history, findings or one-audit report. The message
says why. This keeps a reading blind by the practice's rules; it is not a lock against
someone who sets out to look (everyone on a laptop shares one passphrase).

The core's moderation and reviewers modules are imported where used: not at start (issue 22).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

from audit_tool.changes import Changes
from audit_tool.domain import AuditType, Status
from audit_tool.errors import AuditToolError
from ui.common.messages import inform, show_error
from ui.session import changes_of

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class ModerationCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.reading_as: str | None = None  # a reviewer id; None: this laptop's reviewer
        window.actions.second_reading.triggered.connect(self.second_reading)
        window.actions.moderate.triggered.connect(self.moderate)

    # -- who is reading --------------------------------------------------------------------
    def reader_id(self) -> str:
        from audit_tool import reviewers

        return self.reading_as or reviewers.local_reviewer(self.w.session.db).id

    def set_reader(self, reviewer_id: str, name: str) -> None:
        if reviewer_id != self.reader_id():
            self.reading_as = reviewer_id
            self.w.statusBar().showMessage(
                f"Reading as {name}: the other readings of a file this reader has in draft "
                "stay closed until their reading is finalised.",
                10000,
            )

    def refuse_if_blind(self, audit_id: str | None) -> bool:
        """True (after saying why) when the current reader may not see this audit yet."""
        if not audit_id or not self.w.session.is_open:
            return False
        from audit_tool import moderation

        try:
            why = moderation.blind_message(self.w.session.db, self.reader_id(), audit_id)
        except AuditToolError:
            return False  # the command itself will say what is wrong
        if why is None:
            return False
        inform(self.w, "Reading blind", why)
        return True

    def opened(self, audit_id: str) -> None:
        """After an audit opened: a draft reading makes its reviewer the one reading."""
        audit = self.w.editor.audit
        if (
            audit is not None
            and audit.id == audit_id
            and audit.status is Status.DRAFT
            and audit.audit_type is not AuditType.MODERATION
        ):
            self.set_reader(audit.reviewer.id, audit.reviewer.name)

    # -- availability (for the window's update_actions) -------------------------------------
    def can_moderate(self, audit_id: str | None) -> bool:
        """The file has a moderation, or two or more finalised readings."""
        if not audit_id:
            return False
        from audit_tool import moderation

        try:
            db = self.w.session.db
            if moderation.moderations_of_file(db, audit_id):
                return True
            return sum(r.finalised for r in moderation.readings(db, audit_id)) >= 2
        except AuditToolError:
            return False

    # -- commands --------------------------------------------------------------------------
    def second_reading(self) -> None:
        from audit_tool import moderation
        from ui.moderation.second_reading_dialog import SecondReadingDialog

        w = self.w
        audit_id, _ = w.controller.current_audit()
        if not audit_id:
            return
        if w.stack.currentWidget() is w.editor and w.editor.flush():
            return
        try:
            if moderation.is_moderation(w.session.db, audit_id):
                raise AuditToolError(
                    "A moderation is not a reading; start the second reading from a reading."
                )
            dialog = SecondReadingDialog(w.session, audit_id, w)
        except AuditToolError as exc:
            show_error(w, exc, "No second reading started")
            return
        if dialog.exec() != QDialog.DialogCode.Accepted or not w.session.is_open:
            return
        self.set_reader(dialog.reader.id, dialog.reader.name)
        w.session.publish(changes_of(dialog.audit_id, Changes(added=frozenset({dialog.audit_id}))))
        w.controller.open_audit(dialog.audit_id)

    def moderate(self) -> None:
        """Open the file's moderation, starting one from its finalised readings (asking who
        moderates) if there is none yet."""
        from audit_tool import moderation

        w = self.w
        audit_id, _ = w.controller.current_audit()
        if not audit_id:
            return
        if w.stack.currentWidget() is w.editor and w.editor.flush():
            return
        db = w.session.db
        try:
            existing = moderation.moderations_of_file(db, audit_id)
            if existing:
                mod_id = existing[-1]
            else:
                from ui.moderation.start_moderation_dialog import StartModerationDialog

                ready = [r for r in moderation.readings(db, audit_id) if r.finalised]
                if self.refuse_if_blind(audit_id):
                    return
                dialog = StartModerationDialog(w.session, ready, w)  # who moderates?
                if dialog.exec() != QDialog.DialogCode.Accepted or not w.session.is_open:
                    return
                mod_id = dialog.moderation_id
                w.session.publish(changes_of(mod_id, Changes(added=frozenset({mod_id}))))
        except AuditToolError as exc:
            show_error(w, exc, "No moderation started")
            return
        self.open_moderation(mod_id)

    def open_moderation(self, mod_id: str) -> None:
        from ui.moderation.moderation_view import ModerationView

        w = self.w
        if self.refuse_if_blind(mod_id):
            return
        try:
            view = ModerationView(w.session, mod_id, w)
        except AuditToolError as exc:
            show_error(w, exc, "The moderation could not be opened")
            return
        view.exec()
        if w.session.is_open:
            w.session.publish(Changes(audits=frozenset({mod_id})))
            w.update_actions()
