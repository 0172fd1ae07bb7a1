"""The audit trail as a file (issue 23 item 3), for governance and subject-access requests.

Every history row the filters select: when, who, what (rating, note, summary, finalised,
amended...), which audit (its case reference, pseudonym and area; the audit's id), which
checklist and item (numbered as the editor shows it, e.g. 2.3, with its question), and the
old and new values. It names people and cases, so it is marked "Restricted: identifiable"
in the suggested file name, in the first row (CSV) and in the sheet title and first row
(XLSX). Written through fileio.write_atomic.

A release register (being built elsewhere) should record every such file: RELEASE_HOOK is
called after a successful write, with what was written; it does nothing until the
integrator connects the register to it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InvalidInput
from .fileio import write_atomic
from .store import Database

MARK = "Restricted: identifiable"
FORMATS = ("csv", "xlsx")
HEADER = [
    "when", "who", "action", "case_reference", "pseudonym", "area", "audit_id",
    "checklist_id", "checklist_version", "item", "question", "field", "old", "new",
]


@dataclass(frozen=True)
class HistoryFilter:
    """Which changes: all of them unless narrowed. Dates are the change's, inclusive."""

    audit_id: str | None = None
    case_reference: str | None = None
    area: str | None = None
    checklist_id: str | None = None
    who: str | None = None
    date_from: str | None = None  # YYYY-MM-DD
    date_to: str | None = None

    def where(self) -> tuple[str, list]:
        parts, params = ["1"], []
        for column, value in (
            ("h.audit_id", self.audit_id), ("c.reference", self.case_reference),
            ("c.area", self.area), ("a.checklist_id", self.checklist_id), ("h.who", self.who),
        ):
            if value is not None:
                parts.append(f"{column} = ?")
                params.append(value)
        if self.date_from:
            parts.append("h.at >= ?")
            params.append(self.date_from)
        if self.date_to:
            parts.append("h.at < date(?, '+1 day')")
            params.append(self.date_to)
        return " AND ".join(parts), params

    def describe(self) -> str:
        said = [f"{k.replace('_', ' ')} {v}" for k, v in vars(self).items() if v]
        return ", ".join(said) or "all changes"


# Deleted drafts keep their history: LEFT JOINs, and their case columns stay blank.
_SQL = """
SELECT h.at, h.who, h.action, c.reference, c.pseudonym, c.area, h.audit_id, a.checklist_id,
       d.version, ci.theme_pos, ci.item_pos, ci.question, h.field, h.old, h.new
FROM history h
LEFT JOIN audits a ON a.id = h.audit_id
LEFT JOIN cases c ON c.id = a.case_id
LEFT JOIN checklist_defs d ON d.sha256 = a.checklist_sha
LEFT JOIN checklist_items ci ON ci.sha256 = a.checklist_sha AND ci.item_id = h.field
WHERE {where}
ORDER BY h.id
"""


MARK_IN_NAMES = MARK.replace(":", " -")  # Windows allows no ':' in file or sheet names


def suggested_name(fmt: str = "xlsx", today: date | None = None) -> str:
    """The file name a dialog or the CLI help offers: says what the file is."""
    return f"Audit trail ({MARK_IN_NAMES}) {(today or date.today()).isoformat()}.{fmt}"


def history_rows(db: Database, flt: HistoryFilter | None = None) -> Iterator[list[Any]]:
    """The selected history rows, oldest first, in HEADER's columns."""
    where, params = (flt or HistoryFilter()).where()
    for (at, who, action, ref, pseudonym, area, audit_id, cid, version, theme_pos, item_pos,
         question, field, old, new) in db.iterate(_SQL.format(where=where), params):
        number = f"{theme_pos + 1}.{item_pos + 1}" if theme_pos is not None else ""
        yield [at, who, action, ref, pseudonym, area, audit_id, cid, version, number,
               question, field, old, new]


# the release register's hook: (path, what, row count) -> None; replaced by the integrator
RELEASE_HOOK: Callable[[Path, str, int], None] = lambda path, what, rows: None  # noqa: E731


def export_history(
    db: Database, out: str | Path, flt: HistoryFilter | None = None, fmt: str | None = None
) -> tuple[Path, int]:
    """Write the audit trail to `out` (CSV or XLSX by its suffix, or `fmt`); returns the file
    and the number of changes in it."""
    out = Path(out).expanduser()
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format '{fmt}': name the file .csv or .xlsx.")
    flt = flt or HistoryFilter()
    rows = list(history_rows(db, flt))  # one read, so a write that fails changes nothing
    title = f"{MARK}. Audit trail: {flt.describe()}; {len(rows):,} changes."
    writer = _write_csv if fmt == "csv" else _write_xlsx
    path = write_atomic(out, lambda f: writer(f, title, rows))
    RELEASE_HOOK(path, f"audit trail ({flt.describe()})", len(rows))
    return path, len(rows)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # a spreadsheet would otherwise run it as a formula
    return "" if value is None else value


def _write_csv(f: BinaryIO, title: str, rows: Sequence[list]) -> None:
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    w = csv.writer(text)
    w.writerow([title])
    w.writerow(HEADER)
    w.writerows([_cell(v) for v in r] for r in rows)
    text.flush()
    text.detach()  # the atomic writer owns and closes the file


def _write_xlsx(f: BinaryIO, title: str, rows: Sequence[list]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = MARK_IN_NAMES
    ws.append([title])
    ws["A1"].font = Font(bold=True, color="9C0006")
    ws.append(HEADER)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    ws.freeze_panes = "A3"
    for col, width in zip("ABCDEFGHIJKLMN", (20, 18, 12, 16, 14, 18, 38, 28, 8, 6, 50, 14, 30, 30),
                          strict=True):
        ws.column_dimensions[col].width = width
    wb.save(f)
