"""Which audits a list, a findings table or a report covers: one filter, one WHERE clause."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .domain import AuditRow, AuditType, Phase
from .store import Database


@dataclass(frozen=True)
class AuditFilter:
    area: str | None = None
    agency: str | None = None
    checklist_id: str | None = None
    phase: str | None = None
    audit_type: str | None = None
    status: str | None = None
    date_from: str | None = None  # ISO date, inclusive, on the audit's last change
    date_to: str | None = None  # ISO date, inclusive
    audit_id: str | None = None

    def where(self, audit: str = "a", case: str = "c") -> tuple[str, list]:
        """SQL condition and parameters over the audits (a) joined to cases (c)."""
        clauses, params = [], []
        for column, value in (
            (f"{case}.area", self.area),
            (f"{case}.agency", self.agency),
            (f"{audit}.checklist_id", self.checklist_id),
            (f"{audit}.phase", self.phase),
            (f"{audit}.audit_type", self.audit_type),
            (f"{audit}.status", self.status),
            (f"{audit}.id", self.audit_id),
        ):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.date_from:
            clauses.append(f"{audit}.updated_at >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{audit}.updated_at < ?")
            params.append(self.date_to + "\uffff")  # inclusive of the whole day
        return (" AND ".join(clauses) or "1"), params

    def describe(self) -> str:
        """Plain words for a report's method notes."""
        labels = {
            "area": "area", "agency": "agency", "checklist_id": "checklist", "phase": "phase",
            "audit_type": "audit type", "status": "status", "date_from": "from",
            "date_to": "to",
        }
        parts = [f"{labels[k]} {shown_value(k, v)}" for k, v in asdict(self).items() if v and k in labels]
        return ", ".join(parts) if parts else "all audits"


def shown_value(key: str, value: str) -> str:
    """A filter value as a reader sees it: 'Post-training', never 'post_training'."""
    try:
        if key == "phase":
            return Phase(value).label
        if key == "audit_type":
            return AuditType(value).label.lower()
    except ValueError:
        pass
    return value


_LIST_SQL = """
SELECT a.id, a.case_id, c.pseudonym, c.reference, c.area, c.agency, a.checklist_id,
       d.title, d.version, a.audit_type, a.phase, r.name, a.status, a.answered,
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
    where, params = (flt or AuditFilter()).where()
    sql = _LIST_SQL.format(where=where)
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
