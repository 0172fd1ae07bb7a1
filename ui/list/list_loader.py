"""Fills the audit list: the newest audits at once (first paint), the rest off the GUI
thread, then single rows as audits are created, changed or deleted (from the Changes the
session publishes, so no command has to know what the list shows)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from audit_tool.changes import Changes
from audit_tool.errors import AuditToolError
from audit_tool.filters import AuditFilter
from audit_tool.search import match_expression, search_notes
from audit_tool.selection import list_audits
from ui.list.audit_list_model import AuditListModel, prepare
from ui.list.audit_list_view import AuditListPage
from ui.session import Session

FIRST_PAGE = 200  # enough to fill any screen; fetched in a few milliseconds


class ListLoader(QObject):
    loaded = Signal()  # every audit is in the model
    failed = Signal(str)

    def __init__(
        self,
        session: Session,
        model: AuditListModel,
        page: AuditListPage,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.model, self.page = session, model, page
        self._job = 0
        self._rest: Callable[[], int] | None = None  # the rest of the list, held until load_rest()
        self._dirty: set[str] = set()
        self._changed_while_loading: set[str] = set()  # re-applied when the full list lands
        self._search_job = 0
        page.search.textChanged.connect(self.search_notes)

    def load(self, then: Callable[[], None] | None = None, rest_later: bool = False) -> None:
        """First page now, everything else when the reader thread has it. `rest_later`: the
        reader is asked for the rest by load_rest() (the window does so once it is painted)."""
        db = self.session.db
        first = list_audits(db, limit=FIRST_PAGE)
        self.model.set_rows(prepare(first), partial=len(first) >= FIRST_PAGE)
        self._choices()
        self.session.cancel(self._job)
        self._rest = None
        if len(first) < FIRST_PAGE:
            self._job = 0
            self.loaded.emit()
            if then:
                then()
            return

        def arrived(prepared) -> None:
            self._job = 0
            self.model.set_rows(prepared, partial=False)
            self._choices()
            changed, self._changed_while_loading = self._changed_while_loading, set()
            for audit_id in changed:
                self.refresh(audit_id)
            self.loaded.emit()
            if then:
                then()

        def rest() -> int:
            return self.session.read(lambda rdb: prepare(list_audits(rdb)), arrived, self._failed)

        if rest_later:
            self._rest, self._job = rest, -1  # loading() stays true meanwhile
        else:
            self._job = rest()

    def load_rest(self) -> None:
        """Ask the reader for the rest of the list held back by load(rest_later=True)."""
        rest, self._rest = self._rest, None
        if rest is not None:
            self._job = rest() if self.session.is_open else 0

    def search_notes(self, text: str) -> None:
        """Look for the search words in notes and summaries on the reader connection (FTS5,
        a few milliseconds); the rows join the list when the answer arrives."""
        self.session.cancel(self._search_job)
        self._search_job = 0
        if not self.session.is_open or match_expression(text) is None:
            return

        def arrived(found: dict[str, str]) -> None:
            self._search_job = 0
            self.model.set_note_matches(text, found)

        def failed(_exc: BaseException) -> None:  # the list still searches everything else
            self._search_job = 0

        self._search_job = self.session.read(lambda rdb: search_notes(rdb, text), arrived, failed)

    def _failed(self, exc: BaseException) -> None:
        self._job = 0
        self.model.partial = False
        self.failed.emit(
            str(exc)
            if isinstance(exc, AuditToolError)
            else "The audit list could not be loaded. Lock and unlock the database to try again."
        )

    def loading(self) -> bool:
        return bool(self._job)

    def _choices(self) -> None:
        """Areas and checklists for the drop-downs, from the rows already in memory (a
        DISTINCT over 50,000 encrypted rows would cost the window a tenth of a second)."""
        areas, checklists = self.model.distinct_choices()
        self.page.set_filter_choices(areas, checklists)

    def refresh(self, audit_id: str) -> None:
        """Show fresh figures for one audit (created or changed)."""
        if self._job:
            self._changed_while_loading.add(audit_id)
        rows = list_audits(self.session.db, AuditFilter(audit_id=audit_id))
        if rows:
            self.model.upsert(rows[0])
        else:
            self.model.remove(audit_id)
        self._choices()

    def on_changes(self, changes: Changes) -> None:
        """What a write changed -> the rows to add, refresh or drop. An audit's content
        (typing in the editor, while the list is hidden) only marks its row: it is read
        again when the list is shown, so autosave stays within its budget."""
        if not self.session.is_open:
            return
        if changes.cases:  # new cases (a sample, a received file): read the list again
            self.load()
            return
        for audit_id in sorted(changes.removed):
            self.remove(audit_id)
        for audit_id in sorted((changes.added | changes.status) - changes.removed):
            self.refresh(audit_id)
        content = changes.audits - changes.added - changes.status - changes.removed
        for audit_id in sorted(content):
            if self.page.isVisible():
                self.refresh(audit_id)
            else:
                self.mark_dirty(audit_id)

    def mark_dirty(self, audit_id: str) -> None:
        """The editor changed this audit; refresh its row when the list is shown again."""
        self._dirty.add(audit_id)

    def refresh_dirty(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for audit_id in dirty:
            self.refresh(audit_id)
        if dirty and self.model.search_text():  # notes typed meanwhile may match now
            self.search_notes(self.page.search.text())

    def remove(self, audit_id: str) -> None:
        if self._job:
            self._changed_while_loading.add(audit_id)
        self.model.remove(audit_id)
        self._choices()

    def clear(self) -> None:
        self._rest = None
        self.session.cancel(self._job)
        self.session.cancel(self._search_job)
        self._job = self._search_job = 0
        self._dirty.clear()
        self._changed_while_loading.clear()
        self.model.clear()
