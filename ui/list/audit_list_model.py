"""The audit list as a lazy table model: 50,000 audits, filtered and sorted in memory.

Qt asks only for the rows on screen. Filtering keeps a list of row numbers rather than a
QSortFilterProxyModel (which would call Python once per row on every keystroke): each
row's searchable text is lower-cased once when the rows arrive, and a keystroke that
extends the search only looks again at the rows that matched before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from audit_tool.domain import AuditRow, AuditType, Phase, Status
from audit_tool.filters import AuditFilter
from audit_tool.formatting import local_datetime

AUDIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2  # fraction 0..1 for the progress delegate
# The roles data() answers, as plain ints: a paint asks each cell for a dozen roles, and
# most get None at once (issue 22: launch)
_TEXT_ROLES = frozenset({int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.AccessibleTextRole)})
_TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
_ROLES = _TEXT_ROLES | {_TOOLTIP_ROLE, _ALIGN_ROLE, int(AUDIT_ID_ROLE), int(PROGRESS_ROLE)}

_TYPE_LABELS = {t.value: t.label for t in AuditType}
_PHASE_LABELS = {p.value: p.label for p in Phase}
_STATUS_LABELS = {s.value: s.label for s in Status}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    tip: str


COLUMNS = (
    Column("case", "Case", "The case pseudonym (or its reference when identifiers are shown)"),
    Column("area", "Area", "Area or local authority"),
    Column("checklist", "Checklist", "The checklist used"),
    Column("type", "Type", "Type of audit or review"),
    Column("phase", "Phase", "Baseline, post-training or follow-up"),
    Column("reviewer", "Reviewer", "Who is doing the audit"),
    Column("status", "Status", "Draft or finalised"),
    Column("progress", "Progress", "Questions answered out of the questions the audit shows"),
    Column("updated", "Last changed", "When the audit was last changed"),
    # shown only while the search finds words in notes or summaries (identifiable: this
    # laptop only; shown beside the case, see AuditListPage)
    Column("match", "Found in notes", "Where the search words appear in the audit's notes or summary"),
)
COL = {c.key: i for i, c in enumerate(COLUMNS)}

# Filter fields the drop-downs set, matched against AuditRow attributes.
FILTER_FIELDS = {
    "status": "status",
    "area": "area",
    "checklist_id": "checklist_id",
    "phase": "phase",
}


def _when(stamp: str) -> str:
    return local_datetime(stamp)


def searchable_text(row: AuditRow) -> str:
    """What the search box looks in (never the case reference: that is added separately)."""
    return " ".join(
        (
            row.pseudonym,
            row.area,
            row.agency,
            row.checklist_title,
            _TYPE_LABELS.get(row.audit_type, ""),
            _PHASE_LABELS.get(row.phase, ""),
            row.reviewer,
            _STATUS_LABELS.get(row.status, ""),
        )
    ).lower()


def prepare(rows: list[AuditRow]) -> tuple[list[AuditRow], list[str], list[str]]:
    """Rows with their lower-cased search text; cheap enough to run in the reader thread."""
    return rows, [searchable_text(r) for r in rows], [r.reference.lower() for r in rows]


class AuditListModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []
        self._hay: list[str] = []
        self._refs: list[str] = []
        self._order: list[int] = []  # every row, in the current sort order
        self._visible: list[int] = []  # rows passing the filters, in sort order
        self._passes: bytearray = bytearray()  # 1 where the drop-down filters accept a row
        self._text = ""
        self._filters: dict[str, str] = {}
        self._show_ids = False
        self._sort_column = COL["updated"]
        self._sort_order = Qt.SortOrder.DescendingOrder
        self._when_cache: dict[str, str] = {}
        self._notes: dict[str, str] = {}  # audit id -> snippet, for the current search text
        self.partial = False  # True while only the first page has arrived

    # -- Qt model interface -------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tip
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role not in _ROLES or not index.isValid():
            return None
        r = index.row()
        if r >= len(self._visible):
            return None
        row = self._rows[self._visible[r]]
        col = index.column()
        if role in _TEXT_ROLES:
            return self._display(row, col)
        if role == _TOOLTIP_ROLE:
            if col == COL["checklist"]:
                return f"{row.checklist_title} (version {row.checklist_version})"
            if col == COL["progress"]:
                return f"{row.answered} of {row.total} questions answered"
            if col == COL["match"]:
                return self._notes.get(row.id)
            return None
        if role == AUDIT_ID_ROLE:
            return row.id
        if role == PROGRESS_ROLE:
            return row.answered / row.total if row.total else 0.0
        if role == _ALIGN_ROLE and col == COL["progress"]:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def column_texts(self, col: int, rows: int) -> set[str]:
        """The distinct non-empty texts the first `rows` rows show in `col` (as data()
        gives them, without a call through Qt per cell: the widths at start)."""
        return {t for r in self._visible[:rows] if (t := self._display(self._rows[r], col))}

    def _display(self, row: AuditRow, col: int) -> str:
        if col == 0:
            return row.reference if self._show_ids else row.pseudonym
        if col == 1:
            return row.area
        if col == 2:
            return row.checklist_title
        if col == 3:
            return _TYPE_LABELS.get(row.audit_type, row.audit_type)
        if col == 4:
            return _PHASE_LABELS.get(row.phase, row.phase)
        if col == 5:
            return row.reviewer
        if col == 6:
            return _STATUS_LABELS.get(row.status, row.status)
        if col == 7:
            return f"{row.answered} of {row.total}"
        if col == 8:
            text = self._when_cache.get(row.updated_at)
            if text is None:
                text = self._when_cache[row.updated_at] = _when(row.updated_at)
            return text
        if col == 9:
            return self._notes.get(row.id, "")
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [
            self._rows[self._visible[i.row()]].id if i.row() < len(self._visible) else None
            for i in old
        ]
        self._resort()
        self._visible = self._filtered(self._order)
        pos = {self._rows[i].id: n for n, i in enumerate(self._visible)}
        self.changePersistentIndexList(
            old,
            [
                self.index(pos[a], i.column()) if a in pos else QModelIndex()
                for a, i in zip(ids, old, strict=True)
            ],
        )
        self.layoutChanged.emit()

    # -- loading ---------------------------------------------------------------------------
    def set_rows(
        self, prepared: tuple[list[AuditRow], list[str], list[str]], partial: bool = False
    ) -> None:
        self.beginResetModel()
        self._rows, self._hay, self._refs = (list(x) for x in prepared)
        self.partial = partial
        self._recompute_passes()
        self._resort()
        self._visible = self._filtered(self._order)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (the database is locked)."""
        self._notes = {}
        self.set_rows(([], [], []))
        self._when_cache.clear()

    def upsert(self, row: AuditRow) -> None:
        """Add or replace one audit (after it was created or changed)."""
        for n, existing in enumerate(self._rows):
            if existing.id == row.id:
                self._rows[n] = row
                self._hay[n] = searchable_text(row)
                self._refs[n] = row.reference.lower()
                break
        else:
            self._rows.insert(0, row)
            self._hay.insert(0, searchable_text(row))
            self._refs.insert(0, row.reference.lower())
        self._rebuild()

    def remove(self, audit_id: str) -> None:
        keep = [n for n, r in enumerate(self._rows) if r.id != audit_id]
        if len(keep) == len(self._rows):
            return
        self._rows = [self._rows[n] for n in keep]
        self._hay = [self._hay[n] for n in keep]
        self._refs = [self._refs[n] for n in keep]
        self._rebuild()

    def _rebuild(self) -> None:
        self.beginResetModel()
        self._recompute_passes()
        self._resort()
        self._visible = self._filtered(self._order)
        self.endResetModel()

    # -- filtering -----------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        needle = text.strip().lower()
        if needle == self._text:
            return
        narrowing = bool(self._text) and self._text in needle
        self._text = needle
        if not narrowing:  # a longer search finds a subset; anything else waits for its own
            self._notes = {}
        self.beginResetModel()
        self._visible = self._filtered(self._visible if narrowing else self._order)
        self.endResetModel()

    def set_note_matches(self, text: str, found: dict[str, str]) -> None:
        """The audits whose notes or summary match `text` (search.search_notes), with their
        snippets; dropped when the search has moved on meanwhile."""
        if text.strip().lower() != self._text or (not found and not self._notes):
            return
        self._notes = dict(found)
        self.beginResetModel()  # the order and drop-down filters are unchanged: no re-sort
        self._visible = self._filtered(self._order)
        self.endResetModel()

    def has_note_matches(self) -> bool:
        return bool(self._notes)

    def snippet(self, audit_id: str) -> str:
        return self._notes.get(audit_id, "")

    def set_filter(self, field: str, value: str | None) -> None:
        if field not in FILTER_FIELDS:
            raise KeyError(field)
        if value:
            if self._filters.get(field) == value:
                return
            self._filters[field] = value
        elif self._filters.pop(field, None) is None:
            return
        self._rebuild()

    def clear_filters(self) -> None:
        self._filters.clear()
        self._text = ""
        self._notes = {}
        self._rebuild()

    def set_show_identifiers(self, show: bool) -> None:
        if show == self._show_ids:
            return
        self._show_ids = show
        self._rebuild()

    def _recompute_passes(self) -> None:
        n = len(self._rows)
        if not self._filters:
            self._passes = bytearray(b"\x01") * n
            return
        conds = [(FILTER_FIELDS[f], v) for f, v in self._filters.items()]
        rows = self._rows
        self._passes = bytearray(
            1 if all(getattr(rows[i], attr) == v for attr, v in conds) else 0 for i in range(n)
        )

    def _filtered(self, candidates: Iterable[int]) -> list[int]:
        passes, needle = self._passes, self._text
        if not needle:
            return [i for i in candidates if passes[i]]
        hay = self._hay
        if self._notes:  # only while notes match: the usual keystroke stays as fast as before
            notes, rows, refs = self._notes, self._rows, self._refs
            show_ids = self._show_ids
            return [
                i for i in candidates
                if passes[i] and (needle in hay[i] or rows[i].id in notes
                                  or (show_ids and needle in refs[i]))
            ]
        if self._show_ids:
            refs = self._refs
            return [i for i in candidates if passes[i] and (needle in hay[i] or needle in refs[i])]
        return [i for i in candidates if passes[i] and needle in hay[i]]

    def _resort(self) -> None:
        rows, col = self._rows, self._sort_column
        reverse = self._sort_order == Qt.SortOrder.DescendingOrder
        if col == COL["updated"]:
            keys: list = [r.updated_at for r in rows]
        elif col == COL["progress"]:
            keys = [(r.answered / r.total if r.total else 0.0) for r in rows]
        elif col == COL["case"]:
            keys = (
                [r.reference.lower() for r in rows]
                if self._show_ids
                else [r.pseudonym.lower() for r in rows]
            )
        else:
            keys = [self._display(r, col).lower() for r in rows]
        self._order = sorted(range(len(rows)), key=keys.__getitem__, reverse=reverse)

    # -- questions the view asks ---------------------------------------------------------
    def audit_id(self, row: int) -> str | None:
        if 0 <= row < len(self._visible):
            return self._rows[self._visible[row]].id
        return None

    def audit_row(self, row: int) -> AuditRow | None:
        if 0 <= row < len(self._visible):
            return self._rows[self._visible[row]]
        return None

    def row_of(self, audit_id: str) -> int:
        for pos, i in enumerate(self._visible):
            if self._rows[i].id == audit_id:
                return pos
        return -1

    def distinct_choices(self) -> tuple[list[str], list[tuple[str, str]]]:
        """(areas, [(checklist title, checklist id)]) present in the rows, for the drop-downs."""
        areas = sorted({r.area for r in self._rows}, key=str.lower)
        titles = {r.checklist_id: r.checklist_title for r in self._rows}
        return areas, sorted(((t, c) for c, t in titles.items()), key=lambda e: e[0].lower())

    def total(self) -> int:
        return len(self._rows)

    def matching_filters(self) -> int:
        """Audits the drop-down filters select (the search text is not part of a report)."""
        return sum(self._passes)

    def search_text(self) -> str:
        return self._text

    def filters(self) -> dict[str, str]:
        return dict(self._filters)

    def audit_filter(self) -> AuditFilter:
        """The drop-down filters as the core's AuditFilter (for findings and reports)."""
        return AuditFilter(**self._filters)

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order
