"""The main window: composes the audit list, the editor, the findings view and the lock
screen in one stack, with menus from the action table. Behaviour lives in the parts and
in the controller; locking is wired here because it touches every part."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from audit_tool import APP_NAME
from audit_tool.errors import AuditToolError
from audit_tool.filters import AuditFilter
from audit_tool.settings import Settings
from ui import window_state
from ui.actions import Actions, build_actions
from ui.after_paint import AfterPaint
from ui.common.messages import confirm
from ui.controller import Controller, close_dialogs
from ui.export.jobs import real_aggregate_report, real_audit_report, real_render
from ui.list.audit_list_model import AuditListModel
from ui.list.audit_list_view import AuditListPage
from ui.list.list_loader import ListLoader
from ui.lock import IdleLock
from ui.moderation.moderation_commands import ModerationCommands
from ui.session import Session

if TYPE_CHECKING:  # built when first shown, not at start (issue 22: launch)
    from ui.editor.audit_editor import AuditEditor
    from ui.editor.document import Unsaved
    from ui.export.export_dialog import ExportDialog
    from ui.findings.findings_view import FindingsView


class LockPage(QWidget):
    """Shown while locked: nothing from the database, just the way back in."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        from ui.dialogs.unlock_dialog import UnlockForm

        super().__init__(parent)
        self.setObjectName("lockPage")
        self.form = UnlockForm(session, "Locked")
        self.explain = QLabel()
        self.explain.setObjectName("lockExplain")
        self.explain.setWordWrap(True)
        self.say_unsaved([])
        self.form.layout().insertWidget(1, self.explain)
        box = QFrame()
        box.setObjectName("lockBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setFixedWidth(42 * self.fontMetrics().horizontalAdvance("M"))
        QVBoxLayout(box).addWidget(self.form)
        row = QHBoxLayout()  # stretches, not alignment: the box then gets its wrapped height
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.setFocusProxy(self.form)

    def say_unsaved(self, unsaved: list[Unsaved]) -> None:
        """Never "everything was saved" when something was not: say what, and that it is
        kept (names of questions and the core's message only; no case text here)."""
        closed = "The database was closed to keep the case data safe."
        if not unsaved:
            self.explain.setText(
                f"{closed} Everything you entered was saved. Unlock to carry on where you were."
            )
            return
        lines = [f"{u.what} could not be saved: {u.reason}" for u in unsaved]
        kept = any(u.value is not None for u in unsaved)
        self.explain.setText(
            f"{closed} Not everything was saved.\n\n"
            + "\n".join(lines)
            + (
                "\n\nWhat you typed is kept in this window (not on disk) and put back in the "
                "audit when you unlock. Quitting before then loses it."
                if kept
                else "\n\nUnlock to carry on where you were."
            )
        )


class MainWindow(QMainWindow):
    def __init__(self, session: Session, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.settings = session, settings
        self.setWindowTitle(APP_NAME)  # never anything from a case
        self.setObjectName("mainWindow")
        # Export is injectable so tests can run it without the real renderers.
        self.export_render: Callable = real_render
        self.export_build_audit: Callable = real_audit_report
        self.export_build_aggregate: Callable = real_aggregate_report
        self.open_url: Callable | None = None

        self.actions: Actions = build_actions(self)
        self.list_model = AuditListModel(self)
        self.list_page = AuditListPage(self.list_model)
        self.loader = ListLoader(session, self.list_model, self.list_page, self)
        # The editor and findings pages are built when first asked for (see editor below)
        # or by the warm-up once the list is on screen: starting does not wait for them.
        self._editor: AuditEditor | None = None
        self._findings: FindingsView | None = None
        self._lock_page: LockPage | None = None  # built when first locked
        self._painted = AfterPaint(self)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_page)
        self.setCentralWidget(self.stack)
        self.idle = IdleLock(settings.get("idle_lock_minutes"), self)
        self.controller = Controller(self)
        self.moderation = ModerationCommands(self)
        self._build_menus()
        a = self.actions
        self.list_page.set_actions(
            [a.new_case, a.new_audit, a.open, a.finalise, a.amend, a.delete_draft],
            {"new_case": a.new_case},
        )
        self.list_page.table.addAction(a.delete_draft)  # Delete works in the list only
        # right-click on an audit: open it, double reading, delete a draft
        self.list_page.table.insertActions(a.delete_draft, [a.open, a.second_reading, a.moderate])
        self.list_page.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        a.show_ids.setChecked(settings.get("show_identifiers"))
        self.list_model.set_show_identifiers(settings.get("show_identifiers"))

        self.stack.currentChanged.connect(lambda _i: self.update_actions())
        self.list_page.selection_changed.connect(self.update_actions)
        self.loader.failed.connect(lambda msg: self.statusBar().showMessage(msg, 10000))
        self.idle.idle.connect(self._idle_lock)
        session.about_to_lock.connect(self._before_lock)
        session.locked.connect(self._after_lock)
        session.unlocked.connect(self._after_unlock)
        # the file failed the check beside unlock (the lock page is built by then)
        session.refused.connect(lambda why: self.lock_page.form._refuse(why))
        # What a write changed: each part decides what it shows that is stale.
        session.changed.connect(self._editor_changes)  # first: a deleted audit closes
        session.changed.connect(self.loader.on_changes)
        session.changed.connect(self._findings_changes)
        self._findings_return: QWidget | None = None  # the page Back returns to from findings
        self._saved_state: dict = {}
        self._unsaved: list[Unsaved] = []  # typed text the database refused, while locked
        self._restore_geometry()
        self.statusBar().setSizeGripEnabled(True)
        if session.is_open:
            self._after_unlock()
        else:
            self._after_lock()

    # -- pages built when first asked for ---------------------------------------------------------
    @property
    def editor(self) -> AuditEditor:
        if self._editor is None:
            from ui.editor.audit_editor import AuditEditor

            editor = AuditEditor(self.session, self.show_identifiers)
            self._editor = editor
            self.stack.insertWidget(1, editor)  # the stack's order as before: list, editor, ...
            a = self.actions
            editor.audit_changed.connect(lambda _id: self.update_actions())
            editor.undo_stack.canUndoChanged.connect(lambda _b: self.update_actions())
            editor.undo_stack.canRedoChanged.connect(lambda _b: self.update_actions())
            editor.undo_stack.undoTextChanged.connect(
                lambda t: a.undo.setText(f"&Undo {t}" if t else "&Undo")
            )
            editor.undo_stack.redoTextChanged.connect(
                lambda t: a.redo.setText(f"&Redo {t}" if t else "&Redo")
            )
            self.controller.wire_editor(editor)
            splitter = window_state.load("editor/splitter")
            if splitter is not None:
                editor.splitter.restoreState(splitter)
        return self._editor

    @property
    def lock_page(self) -> LockPage:
        """Built when the window first locks: a start with the database open never shows it."""
        if self._lock_page is None:
            self._lock_page = LockPage(self.session)
            self.stack.addWidget(self._lock_page)
        return self._lock_page

    @property
    def findings(self) -> FindingsView:
        if self._findings is None:
            from ui.findings.findings_view import FindingsView

            findings = FindingsView(self.session)
            self._findings = findings
            # before the lock page if it is built (the stack's order as before)
            at = self.stack.indexOf(self._lock_page) if self._lock_page else self.stack.count()
            self.stack.insertWidget(at, findings)
            self.controller.wire_findings(findings)
        return self._findings

    def built_pages(self, build: bool = False) -> tuple[AuditEditor | None, FindingsView | None]:
        """(editor, findings) as built so far, None for one not yet built; `build`: build both."""
        if build:
            return self.editor, self.findings
        return self._editor, self._findings

    def _editor_changes(self, changes: object) -> None:
        if self._editor is not None:
            self._editor.on_changes(changes)

    def _findings_changes(self, changes: object) -> None:
        if self._findings is not None:
            self._findings.on_changes(changes)

    # -- composition ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        a = self.actions
        bar = self.menuBar()
        menus = {
            "&File": [
                a.new_case,
                a.new_audit,
                a.sample,
                a.open,
                None,
                a.import_checklist,
                a.checklist_template,
                a.print_checklist,
                None,
                a.export,
                a.releases,
                None,
                a.send_audits,
                a.receive_audits,
                a.conflicts,
                None,
                a.settings,
                a.change_passphrase,
                a.lock,
                None,
                a.quit,
            ],
            "&Edit": [a.undo, a.redo, None, a.find],
            "&Audit": [
                a.finalise,
                a.amend,
                a.delete_draft,
                None,
                a.concern,
                None,
                a.second_reading,
                a.moderate,
                None,
                a.item_history,
                a.audit_history,
                None,
                a.summary,
                a.prev_theme,
                a.next_theme,
                None,
                a.back,
            ],
            "&View": [a.findings_audit, a.findings_selection, None, a.show_ids, a.refresh],
            "&Help": [a.shortcuts, a.about],
        }
        for title, entries in menus.items():
            menu = bar.addMenu(title)
            for entry in entries:
                if entry is None:
                    menu.addSeparator()
                else:
                    menu.addAction(entry)

    def show_identifiers(self) -> bool:
        return bool(self.settings.get("show_identifiers"))

    # -- findings: where Back goes is this window's navigation ------------------------------------
    def show_findings(self, flt: AuditFilter, single_audit: bool, scope: str) -> None:
        """Show findings; Back returns to the page shown now."""
        self._findings_return = self.stack.currentWidget()
        self.findings.show_findings(flt, single_audit, scope)
        self.stack.setCurrentWidget(self.findings)
        self.findings.tabs.setFocus()
        self.update_actions()

    def back_from_findings(self) -> None:
        if self._findings_return is self.editor and self.editor.audit is not None:
            self.stack.setCurrentWidget(self.editor)
        else:
            self.stack.setCurrentWidget(self.list_page)
            self.list_page.focus_table()
        self.update_actions()

    def make_export_dialog(
        self, audit_id: str | None, flt: AuditFilter, selection: str, prefer_audit: bool
    ) -> ExportDialog:
        from ui.export.export_dialog import ExportDialog

        kwargs = {}
        if self.open_url is not None:
            kwargs["open_url"] = self.open_url
        return ExportDialog(
            self.session,
            self.settings.get("export_folder"),
            audit_id,
            flt,
            selection,
            prefer_audit,
            render=self.export_render,
            build_audit=self.export_build_audit,
            build_aggregate=self.export_build_aggregate,
            parent=self,
            release_period=self.settings.get("release_period"),
            **kwargs,
        )

    def update_actions(self) -> None:
        a = self.actions
        unlocked = self.session.is_open
        for action in a.needing_database():
            action.setEnabled(unlocked)
        if not unlocked:
            return
        page = self.stack.currentWidget()
        audit_id, status = self.controller.current_audit()
        editor, findings = self.built_pages()  # asked at start: builds neither
        in_editor = editor is not None and page is editor and editor.audit is not None
        on_findings = findings is not None and page is findings
        a.open.setEnabled(page is self.list_page and audit_id is not None)
        a.finalise.setEnabled(status == "draft" and not on_findings)
        a.amend.setEnabled(status == "finalised" and not on_findings)
        a.delete_draft.setEnabled(status == "draft" and not on_findings)
        a.concern.setEnabled(audit_id is not None)
        a.findings_audit.setEnabled(audit_id is not None and not on_findings)
        a.undo.setEnabled(in_editor and editor.undo_stack.canUndo())
        a.redo.setEnabled(in_editor and editor.undo_stack.canRedo())
        for action in (a.item_history, a.audit_history, a.summary, a.next_theme, a.prev_theme):
            action.setEnabled(in_editor)
        a.audit_history.setEnabled(audit_id is not None)
        a.second_reading.setEnabled(audit_id is not None and not on_findings)
        a.moderate.setEnabled(not on_findings and self.moderation.can_moderate(audit_id))
        a.back.setEnabled(page is not None and page in (editor, findings))

    # -- locking -----------------------------------------------------------------------------------
    def _idle_lock(self) -> None:
        if self.session.is_open:
            self.session.lock()
            self.statusBar().showMessage("Locked after a period without use.")

    def _capture_state(self) -> dict:
        page = self.stack.currentWidget()
        editor, findings = self.built_pages()  # one not built yet has nothing to keep
        return {
            "page": "editor"
            if editor is not None and page is editor
            else "findings"
            if findings is not None and page is findings
            else "list",
            "filters": self.list_page.filter_state(),
            "selected": self.list_page.current_audit_id(),
            "editor": editor.state() if editor is not None else {},
            "findings": findings.state() if findings is not None else {},
        }

    def _before_lock(self) -> None:
        self._saved_state = self._capture_state()
        close_dialogs(self)
        if self._editor is not None:
            self._editor.flush(quiet=True)  # pending typing is saved before the database closes
        # and what could not be, kept to put back
        self._unsaved = self._editor.unsaved() if self._editor is not None else []

    def _after_lock(self) -> None:
        self.idle.stop()
        self.loader.clear()
        for page in self.built_pages():
            if page is not None:
                page.clear()
        self.list_page.search.blockSignals(True)
        self.list_page.search.clear()  # search text may be a case reference
        self.list_page.search.blockSignals(False)
        self.stack.setCurrentWidget(self.lock_page)
        self.lock_page.form.reset()
        self.lock_page.say_unsaved(self._unsaved)
        self.lock_page.setFocus()
        self.statusBar().clearMessage()
        self._say_read_only(None)
        self.update_actions()

    def _say_read_only(self, notice: str | None) -> None:
        """A database on read-only media or a full disk opens for reading: say so once, and
        keep it in the status bar while it is open (a passing message would be missed)."""
        if not hasattr(self, "read_only_label"):
            self.read_only_label = QLabel()
            self.read_only_label.setObjectName("readOnlyNotice")
            self.statusBar().addPermanentWidget(self.read_only_label)
        self.read_only_label.setText(notice or "")
        self.read_only_label.setVisible(bool(notice))

    def _after_unlock(self) -> None:
        state, self._saved_state = self._saved_state, {}
        self._painted.then(self._after_paint)
        self._say_read_only(self.session.db.read_only_notice)
        self.idle.set_minutes(self.settings.get("idle_lock_minutes"))
        self.idle.start()
        self.stack.setCurrentWidget(self.list_page)
        if state:
            self.list_page.restore_filter_state(state.get("filters", {}))
        selected = state.get("selected")
        try:
            self.loader.load(then=lambda: self.list_page.select_audit(selected), rest_later=True)
        except AuditToolError as exc:
            self.statusBar().showMessage(str(exc), 10000)
        self.list_page.select_audit(selected)
        try:
            if state.get("page") == "editor" and state.get("editor"):
                self.editor.restore(state["editor"])
                self.stack.setCurrentWidget(self.editor)
                if not state["editor"].get("item"):
                    self.editor.themes.setFocus()
            elif state.get("page") == "findings" and state.get("findings"):
                if state.get("editor"):
                    self.editor.restore(state["editor"])
                    self._findings_return = self.editor
                self.findings.restore(state["findings"])
                self.stack.setCurrentWidget(self.findings)
            else:
                self.list_page.table.setFocus()
        except AuditToolError as exc:
            self.stack.setCurrentWidget(self.list_page)
            self.statusBar().showMessage(str(exc), 10000)
        unsaved, self._unsaved = self._unsaved, []
        if unsaved:
            self._put_back(unsaved)
        self.update_actions()

    def _after_paint(self) -> None:
        """What starting needs but the first paint does not: the reader's connection, the
        rest of the list, then the editor and findings pages (warm_up)."""
        if not self.session.is_open:
            return
        self.session.warm_up()
        self.loader.load_rest()
        QTimer.singleShot(300, self.controller.warm_up)

    def _put_back(self, unsaved: list[Unsaved]) -> None:
        """Typing the database refused before locking goes back into its audit."""
        try:
            if self.editor.audit is None or self.editor.audit.id != unsaved[0].audit_id:
                self.editor.open(unsaved[0].audit_id)
            self.stack.setCurrentWidget(self.editor)
            self.editor.put_back(unsaved)
        except AuditToolError as exc:
            self.statusBar().showMessage(str(exc), 10000)

    # -- closing -----------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session.is_open:
            failures = self._editor.flush(quiet=True) if self._editor is not None else []
        else:  # locked, holding typing that could not be saved
            failures = [u.key for u in self._unsaved if u.value is not None]
        if failures and not confirm(
            self,
            "Some changes are not saved",
            "Some changes could not be saved (see the message on screen). "
            "Close anyway and lose them?",
            "Close anyway",
            "Stay",
            danger=True,
        ):
            event.ignore()
            return
        self._save_geometry()
        if self.session.is_open:
            self.session.lock()
        event.accept()

    def _save_geometry(self) -> None:
        window_state.save("main/geometry", self.saveGeometry())
        window_state.save("main/state", self.saveState())
        window_state.save("editor/splitter", self.editor.splitter.saveState())
        if self.list_page.layout_measured():  # not widths guessed for an empty list
            window_state.save("list/header", self.list_page.table.horizontalHeader().saveState())

    def _restore_geometry(self) -> None:
        geometry = window_state.load("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            # First run: most of the screen, in proportion to the text size.
            em = self.fontMetrics().horizontalAdvance("M")
            avail = self.screen().availableGeometry()
            self.resize(
                min(110 * em, int(avail.width() * 0.9)),
                min(56 * self.fontMetrics().lineSpacing(), int(avail.height() * 0.9)),
            )
        state = window_state.load("main/state")
        if state is not None:
            self.restoreState(state)
        header = window_state.load("list/header")
        if header is not None:
            hh = self.list_page.table.horizontalHeader()
            hh.restoreState(header)
            self.list_page.keep_saved_layout()
            self.list_model.sort(hh.sortIndicatorSection(), hh.sortIndicatorOrder())
