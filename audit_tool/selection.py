"""The audit list's query: which audits a filter (filters.AuditFilter) selects, as rows."""

from __future__ import annotations

from dataclasses import replace

from .domain import AuditRow
from .filters import AuditFilter, shown_value  # noqa: F401 (shown_value: re-export for reports/disclosure.py)
from .reviewers import NAME_SQL
from .store import Database

_LIST_SQL = """
SELECT a.id, a.case_id, c.pseudonym, c.reference, c.area, c.agency, a.checklist_id,
       d.title, d.version, a.audit_type, a.phase, {reviewer}, a.status, a.answered,
       n.total, a.created_at, a.updated_at
FROM audits a
JOIN cases c ON c.id = a.case_id
JOIN checklist_defs d ON d.sha256 = a.checklist_sha
JOIN reviewers r ON r.id = a.reviewer_id
JOIN (SELECT sha256, count(*) AS total FROM checklist_items GROUP BY sha256) n
  ON n.sha256 = a.checklist_sha
WHERE {where}
ORDER BY a.updated_at DESC
"""


def list_audits(db: Database, flt: AuditFilter | None = None, limit: int | None = None) -> list[AuditRow]:
    """Rows for the audit list, newest change first. `total` counts every item in the
    checklist (conditional ones too), so progress is a floor, never overstated."""
    # the list shows every audit: readings a moderation replaced, and draft moderations
    where, params = replace(flt or AuditFilter(), include_superseded=True).where()
    sql = _LIST_SQL.format(where=where, reviewer=NAME_SQL)
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [AuditRow(*r) for r in db.iterate(sql, params)]


def distinct_values(db: Database) -> dict[str, list[str]]:
    """Values present in the database, for filter drop-downs."""
    return {
        "area": [r[0] for r in db.query("SELECT DISTINCT area FROM cases ORDER BY 1")],
        "agency": [r[0] for r in db.query("SELECT DISTINCT agency FROM cases WHERE agency <> '' ORDER BY 1")],
        "checklist_id": [r[0] for r in db.query("SELECT DISTINCT checklist_id FROM audits ORDER BY 1")],
    }
