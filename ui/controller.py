"""What the window's commands do: dialogs, calls into the core, moving between pages.

The window composes the parts; this object connects the actions to them. Every command
that needs the database checks that it is still unlocked after a dialog returns, because
the idle lock may have fired while the dialog was open.

Dialogs, pages and the core's write modules (audits, moderation, records) are imported where
first used, so that starting the window does not load them (issue 22: launch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from audit_tool import APP_NAME, __version__
from audit_tool.changes import Changes
from audit_tool.domain import Status
from audit_tool.errors import AuditToolError
from audit_tool.filters import AuditFilter
from ui.common.messages import confirm, show_error
from ui.session import changes_of

if TYPE_CHECKING:
    from ui.editor.audit_editor import AuditEditor
    from ui.findings.findings_view import FindingsView
    from ui.main_window import MainWindow


def describe_filter(flt: AuditFilter) -> str:
    """findings_view.describe_filter, imported when first needed (not at start)."""
    from ui.findings.findings_view import describe_filter as describe

    return describe(flt)


class Controller(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        a = window.actions
        a.new_case.triggered.connect(self.new_case)
        a.new_audit.triggered.connect(lambda: self.new_audit())
        a.sample.triggered.connect(self.sample)
        a.import_checklist.triggered.connect(self.import_checklist)
        a.checklist_template.triggered.connect(self.checklist_template)
        a.print_checklist.triggered.connect(lambda: _print_checklist(window))
        a.open.triggered.connect(self.open_selected)
        a.export.triggered.connect(self.export)
        a.send_audits.triggered.connect(self.send_audits)
        a.receive_audits.triggered.connect(self.receive_audits)
        a.conflicts.triggered.connect(self.show_conflicts)
        a.settings.triggered.connect(self.settings)
        a.change_passphrase.triggered.connect(self.change_passphrase)
        a.lock.triggered.connect(window.session.lock)
        a.quit.triggered.connect(window.close)
        a.undo.triggered.connect(lambda: window.editor.undo())
        a.redo.triggered.connect(lambda: window.editor.redo())
        a.find.triggered.connect(self.find)
        a.finalise.triggered.connect(self.finalise)
        a.amend.triggered.connect(self.amend)
        a.delete_draft.triggered.connect(self.delete_draft)
        a.concern.triggered.connect(self.concern)
        a.item_history.triggered.connect(self.item_history)
        a.audit_history.triggered.connect(lambda: self.history(None))
        a.summary.triggered.connect(lambda: window.editor.show_summary())
        a.next_theme.triggered.connect(lambda: window.editor.next_theme(1))
        a.prev_theme.triggered.connect(lambda: window.editor.next_theme(-1))
        a.back.triggered.connect(self.back)
        a.findings_audit.triggered.connect(self.findings_for_audit)
        a.findings_selection.triggered.connect(self.findings_for_selection)
        a.show_ids.toggled.connect(self.set_show_identifiers)
        a.refresh.triggered.connect(lambda: window.loader.load())
        a.shortcuts.triggered.connect(lambda: _shortcuts(window))
        a.releases.triggered.connect(self.show_releases)
        a.about.triggered.connect(self.about)

        window.list_page.open_requested.connect(self.open_audit)

    # The editor and the findings view are built when first shown (MainWindow.editor).
    def wire_editor(self, editor: AuditEditor) -> None:
        editor.back_requested.connect(self.show_list)
        editor.amend_requested.connect(self.amend)
        editor.finalise_requested.connect(self.finalise)
        editor.concern_requested.connect(self.concern)
        editor.history_requested.connect(lambda _a, item: self.history(item))

    def wire_findings(self, findings: FindingsView) -> None:
        findings.back_requested.connect(self.back_from_findings)
        findings.export_requested.connect(self.export)

    # -- which audit a command is about --------------------------------------------------------
    def current_audit(self) -> tuple[str | None, str | None]:
        """(audit id, status) of the open audit, else the one selected in the list."""
        w = self.w
        editor, findings = w.built_pages()  # asked at start: builds neither
        page = w.stack.currentWidget()
        if editor is not None and page is editor and editor.audit is not None:
            return editor.audit.id, editor.audit.status.value
        if page is w.list_page:
            row = w.list_page.current_row()
            if row is not None:
                return row.id, row.status
        if (
            findings is not None
            and page is findings
            and editor is not None
            and editor.audit is not None
            and findings.single_audit
        ):
            return editor.audit.id, editor.audit.status.value
        return None, None

    def _unlocked(self) -> bool:
        return self.w.session.is_open

    # -- pages -----------------------------------------------------------------------------------
    def show_list(self) -> None:
        w = self.w
        failures = w.editor.flush()
        if failures:
            return  # the editor has shown what could not be saved; stay with it
        current = w.editor.audit.id if w.editor.audit else None
        w.editor.clear()
        w.stack.setCurrentWidget(w.list_page)
        if self._unlocked():
            w.loader.refresh_dirty()
            w.list_page.select_audit(current)
        w.list_page.focus_table()
        w.update_actions()

    def warm_up(self) -> None:
        """Build the editor and findings pages and parse the stored checklists while the
        window waits for the reviewer, so that the first audit opened does not wait for
        them nor for the checklist model (pydantic) and its parse."""
        if not self._unlocked():
            return
        self.w.built_pages(build=True)  # the editor and findings, ready before first asked for
        db = self.w.session.db
        try:
            for sha, *_ in db.stored_checklists():
                db.checklist(sha)
        except AuditToolError:
            pass  # a copy that does not parse says so when its audit is opened

    def open_audit(self, audit_id: str) -> None:
        from audit_tool import moderation

        w = self.w
        if w.editor.audit is not None and w.editor.flush():
            return
        if w.moderation.refuse_if_blind(audit_id):  # double reading: see moderation_commands
            return
        try:
            if moderation.is_moderation(w.session.db, audit_id):
                w.moderation.open_moderation(audit_id)
                return
            w.editor.open(audit_id)
        except AuditToolError as exc:
            show_error(w, exc, "The audit could not be opened")
            return
        w.stack.setCurrentWidget(w.editor)
        w.editor.themes.setFocus()
        first = w.editor.audit.checklist.definition.themes[0].items[0].id
        w.editor.show_item(first)
        w.moderation.opened(audit_id)
        w.update_actions()

    def open_selected(self) -> None:
        audit_id = self.w.list_page.current_audit_id()
        if audit_id:
            self.open_audit(audit_id)

    def back(self) -> None:
        w = self.w
        if w.stack.currentWidget() is w.findings:
            self.back_from_findings()
        elif w.stack.currentWidget() is w.editor:
            self.show_list()

    def find(self) -> None:
        w = self.w
        if w.stack.currentWidget() is w.editor:
            self.show_list()
        if w.stack.currentWidget() is w.list_page:
            w.list_page.focus_search()

    # -- cases and audits --------------------------------------------------------------------------
    def new_case(self) -> None:
        w = self.w
        from ui.dialogs.case_dialogs import NewCaseDialog

        dialog = NewCaseDialog(w.session, w)
        if (
            dialog.exec() != QDialog.DialogCode.Accepted
            or not self._unlocked()
            or dialog.case is None
        ):
            return
        w.statusBar().showMessage("Case added.", 5000)
        w.session.publish(changes_of(dialog.case, Changes(cases=True)))
        if dialog.start_audit.isChecked():
            self.new_audit(dialog.case.id)

    def new_audit(self, case_id: str | None = None) -> None:
        w = self.w
        if case_id is None:
            row = w.list_page.current_row()
            case_id = (
                row.case_id if row is not None and w.stack.currentWidget() is w.list_page else None
            )
        from audit_tool.checklists.loader import available  # pydantic on first use

        checklists, problems = available()
        from ui.dialogs.case_dialogs import NewAuditDialog

        dialog = NewAuditDialog(w.session, checklists, problems, case_id, w.show_identifiers(), w)
        if (
            dialog.exec() != QDialog.DialogCode.Accepted
            or not self._unlocked()
            or not dialog.audit_id
        ):
            return
        w.session.publish(changes_of(dialog.audit_id, Changes(added=frozenset({dialog.audit_id}))))
        self.open_audit(dialog.audit_id)

    def sample(self) -> None:
        """Draw a sample from a case list; its cases and draft audits join the list."""
        from audit_tool.checklists.loader import available  # pydantic on first use
        from ui.dialogs.sample_dialog import SampleDialog

        w = self.w
        dialog = SampleDialog(w.session, available()[0], w)
        if (
            dialog.exec() != QDialog.DialogCode.Accepted
            or not self._unlocked()
            or not dialog.created
        ):
            return
        # a search or filter would hide the new cases: clear it, and say so
        hidden = bool(w.list_model.search_text() or w.list_model.filters())
        if hidden:
            w.list_page.clear_filters()
        w.statusBar().showMessage(
            f"Created {len(dialog.created.case_ids):,} cases with draft audits: "
            f"{dialog.created.sampling.describe()}."
            + (" The list's search and filters were cleared to show them." if hidden else ""),
            10000,
        )
        w.session.publish(changes_of(dialog.created, Changes(cases=True, samplings=True)))

    def import_checklist(self) -> None:
        """A checklist from a spreadsheet; New audit lists it from then on."""
        from ui.dialogs.checklist_import_dialog import ChecklistImportDialog

        dialog = ChecklistImportDialog(self.w)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.installed:
            self.w.statusBar().showMessage(f"Checklist installed: {dialog.installed}", 10000)

    def checklist_template(self) -> None:
        from ui.dialogs.checklist_import_dialog import save_template

        out = save_template(self.w)
        if out is not None:
            self.w.statusBar().showMessage(f"Template saved: {out}", 10000)

    def finalise(self) -> None:
        from audit_tool import audits

        w = self.w
        audit_id, status = self.current_audit()
        if not audit_id or status != Status.DRAFT:
            return
        if w.stack.currentWidget() is w.editor and w.editor.flush():
            return
        try:
            missing = audits.missing_required(w.session.db, audit_id)
        except AuditToolError as exc:
            show_error(w, exc)
            return
        if missing:
            if w.stack.currentWidget() is not w.editor:
                self.open_audit(audit_id)
            w.editor.show_missing(missing)
            return
        if (
            not confirm(
                w,
                "Finalise audit",
                "Finalise this audit? It becomes read-only. You can still amend it later, "
                "giving a reason.",
                "Finalise",
            )
            or not self._unlocked()
        ):
            return
        try:
            done = audits.finalise(w.session.db, audit_id)
        except AuditToolError as exc:
            show_error(w, exc, "Not finalised")
            return
        self._changed(done, audit_id, "Audit finalised.")

    def amend(self) -> None:
        from audit_tool import audits

        w = self.w
        audit_id, status = self.current_audit()
        if not audit_id or status != Status.FINALISED:
            return
        from ui.dialogs.case_dialogs import ReasonDialog

        dialog = ReasonDialog(w)
        if dialog.exec() != QDialog.DialogCode.Accepted or not self._unlocked():
            return
        try:
            done = audits.amend(w.session.db, audit_id, dialog.text())
        except AuditToolError as exc:
            show_error(w, exc, "Not amended")
            return
        self._changed(done, audit_id, "The audit is a draft again; the reason is in its history.")

    def _changed(self, result: object, audit_id: str, message: str) -> None:
        """Finalised or amended: the list row and the editor refresh from the Changes."""
        w = self.w
        w.session.publish(changes_of(result, Changes(status=frozenset({audit_id}))))
        w.statusBar().showMessage(message, 8000)
        w.update_actions()

    def delete_draft(self) -> None:
        from audit_tool import audits

        w = self.w
        audit_id, status = self.current_audit()
        if not audit_id or status != Status.DRAFT:
            return
        try:  # an amended draft is never deleted: say why before asking anything
            audits.check_deletable(w.session.db, audit_id)
        except AuditToolError as exc:
            show_error(w, exc, "Not deleted")
            return
        if (
            not confirm(
                w,
                "Delete draft audit",
                "Delete this draft audit? Its ratings and notes will be removed. "
                "This cannot be undone. "
                "(The case itself is kept.)",
                "Delete draft",
                "Keep it",
                danger=True,
            )
            or not self._unlocked()
        ):
            return
        try:
            done = audits.delete_draft(w.session.db, audit_id)
        except AuditToolError as exc:
            show_error(w, exc, "Not deleted")
            return
        w.session.publish(changes_of(done, Changes(removed=frozenset({audit_id}))))
        if w.stack.currentWidget() is w.editor and w.editor.audit is None:
            w.stack.setCurrentWidget(w.list_page)  # the editor closed it
        w.statusBar().showMessage("Draft audit deleted.", 8000)
        w.update_actions()

    def concern(self) -> None:
        w = self.w
        audit_id, _ = self.current_audit()
        if not audit_id:
            return
        from ui.editor.concern_dialog import ConcernDialog

        dialog = ConcernDialog(w.session, audit_id, w)
        if dialog.exec() != QDialog.DialogCode.Accepted or not self._unlocked():
            return
        done = getattr(dialog, "concern", None)
        w.session.publish(changes_of(done, Changes(audits=frozenset({audit_id}))))
        w.statusBar().showMessage("Recorded that a matter of concern was raised.", 8000)

    # -- history -----------------------------------------------------------------------------------
    def item_history(self) -> None:
        item = self.w.editor.focused_item()
        self.history(item)

    def history(self, item_id: str | None) -> None:
        from audit_tool import records

        w = self.w
        audit = w.editor.audit
        if audit is None:
            audit_id, _ = self.current_audit()
            if not audit_id or w.moderation.refuse_if_blind(audit_id):
                return
            try:
                audit = records.get_audit(w.session.db, audit_id)
            except AuditToolError as exc:
                show_error(w, exc)
                return
        else:
            w.editor.flush()
        from ui.editor.history_dialog import HistoryDialog

        HistoryDialog(w.session.db, audit, item_id, w).exec()

    # -- findings and export -----------------------------------------------------------------------
    def findings_for_audit(self) -> None:
        w = self.w
        audit_id, _ = self.current_audit()
        if not audit_id or w.moderation.refuse_if_blind(audit_id):
            return
        if w.stack.currentWidget() is w.editor:
            w.editor.flush()
        row = w.list_model.audit_row(w.list_model.row_of(audit_id))
        scope = "One audit" + (f": {row.checklist_title}, {row.area}" if row else "")
        w.show_findings(AuditFilter(audit_id=audit_id), True, scope)

    def findings_for_selection(self) -> None:
        w = self.w
        if w.stack.currentWidget() is w.editor:
            w.editor.flush()
        flt = w.list_model.audit_filter()
        w.show_findings(flt, False, f"Selection: {describe_filter(flt)}.")

    def back_from_findings(self) -> None:
        self.w.back_from_findings()

    def export(self) -> None:
        w = self.w
        if w.stack.currentWidget() is w.editor and w.editor.flush():
            return
        audit_id, _ = self.current_audit()
        on_findings = w.stack.currentWidget() is w.findings
        if on_findings and w.findings.filter is not None:
            flt = w.findings.filter if not w.findings.single_audit else w.list_model.audit_filter()
            prefer_audit = w.findings.single_audit
        else:
            flt = w.list_model.audit_filter()
            # the open audit, or the one audit selected in the list: that audit's report
            prefer_audit = w.stack.currentWidget() is w.editor or (
                w.stack.currentWidget() is w.list_page
                and len(w.list_page.table.selectionModel().selectedRows()) == 1
            )
        n = w.list_model.matching_filters()
        selection = f"{n:,} audit{'s' if n != 1 else ''}: {describe_filter(flt)}"
        if w.list_model.search_text():
            selection += "; the search text is not applied"
        if audit_id and w.moderation.refuse_if_blind(audit_id):
            return
        dialog = w.make_export_dialog(audit_id, flt, selection, prefer_audit)
        dialog.exec()

    # -- between laptops ---------------------------------------------------------------------------
    def send_audits(self) -> None:
        from ui.exchange.send_dialog import SendDialog

        w = self.w
        if w.stack.currentWidget() is w.editor and w.editor.flush():
            return
        flt = w.list_model.audit_filter()
        n = w.list_model.matching_filters()
        selection = f"{n:,} audit{'s' if n != 1 else ''}: {describe_filter(flt)}"
        note = ""
        if w.list_model.search_text():  # the search narrows the list, not what is sent
            shown = w.list_model.rowCount()
            note = (
                f"The search “{w.list_page.search.text().strip()}” is not applied: {n:,} "
                f"audit{'s' if n != 1 else ''} will go, not the {shown:,} the list shows. "
                "Use the list's filters to send fewer."
            )
        SendDialog(
            w.session, w.settings.get("export_folder"), flt, selection, w, search_note=note
        ).exec()

    def receive_audits(self) -> None:
        from ui.exchange.receive_dialog import ReceiveDialog

        w = self.w
        if w.stack.currentWidget() is w.editor and w.editor.flush():
            return
        dialog = ReceiveDialog(w.session, w.settings.get("export_folder"), w)
        dialog.exec()  # the dialog publishes what the import changed
        if dialog.merged is not None and self._unlocked() and dialog.merged.count("conflict"):
            w.statusBar().showMessage("Some audits are in conflict: see File → Conflicts.", 10000)

    def show_conflicts(self) -> None:
        from ui.exchange.conflicts_view import ConflictsView

        w = self.w
        if w.stack.currentWidget() is w.editor and w.editor.flush():
            return
        view = ConflictsView(w.session, w)
        view.resolved.connect(
            lambda audit_id: w.session.publish(
                Changes(audits=frozenset({audit_id}), conflicts=True)
            )
        )
        view.exec()

    # -- settings and security ---------------------------------------------------------------------
    def settings(self) -> None:
        w = self.w
        from ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(w.session, w.settings, w)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        w.idle.set_minutes(w.settings.get("idle_lock_minutes"))
        w.actions.show_ids.setChecked(w.settings.get("show_identifiers"))
        w.statusBar().showMessage("Settings saved.", 5000)

    def set_show_identifiers(self, show: bool) -> None:
        w = self.w
        if w.settings.get("show_identifiers") != show:
            w.settings.set("show_identifiers", show)
            try:
                w.settings.save()
            except AuditToolError as exc:
                w.statusBar().showMessage(str(exc), 8000)
        w.list_model.set_show_identifiers(show)
        w.editor.refresh_identifiers()

    def change_passphrase(self) -> None:
        w = self.w
        if w.editor.flush():
            return
        from ui.dialogs.passphrase_dialog import ChangePassphraseDialog

        dialog = ChangePassphraseDialog(w.session, w)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            w.statusBar().showMessage("Passphrase changed. Use the new one from now on.", 10000)

    def show_releases(self) -> None:
        """File > Releases…: the register, read-only (a few hundred rows at most: read here)."""
        from audit_tool.disclosure.register import releases  # pydantic: not needed to start
        from ui.dialogs.releases_dialog import ReleasesDialog

        dialog = ReleasesDialog(releases(self.w.session.db), self.w)
        self.w.releases_dialog = dialog  # tests and the screenshot find it
        dialog.exec()
        self.w.releases_dialog = None

    def about(self) -> None:
        QMessageBox.about(
            self.w,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nOffline, encrypted case file audits "
            "(Safe & Together) and "
            "gendered reviews of drug- and alcohol-related deaths. It never uses the network.",
        )


def close_dialogs(window) -> None:
    """Close every dialog of the window (locking): exports stop and wait, others are cancelled."""
    for top in QApplication.topLevelWidgets():
        if isinstance(top, QDialog) and top.isVisible() and top is not window:
            abort = getattr(top, "abort", None)
            if callable(abort):
                abort()
            else:
                top.reject()


def _print_checklist(window) -> None:
    # imported when asked for: the checklist loader (pydantic) is not needed to start
    from ui.dialogs import print_checklist

    print_checklist.run_from_window(window)


def _shortcuts(window: MainWindow) -> None:
    from ui.dialogs.shortcuts_dialog import ShortcutsDialog

    ShortcutsDialog(window.actions, window).exec()
