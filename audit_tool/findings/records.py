"""Plain reads the reports need besides the findings: case references (for redaction), the
recommendations of a selection, the months it spans and the scales its checklists use.

Queries only; the report builders (reports/) take what these return and run no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checklists.model import Scale
from ..filters import AuditFilter
from ..store import Database


def all_references(db: Database) -> list[str]:
    """Every case reference in the database: an anonymised export removes them all, since
    a note may name another case (a sibling's, a partner's) as well as its own."""
    return [row[0] for row in db.query("SELECT reference FROM cases")]


def _in(checklists: set[str]) -> tuple[str, list[str]]:
    marks = ",".join("?" * len(checklists)) or "NULL"
    return f"a.checklist_id IN ({marks})", sorted(checklists)


@dataclass(frozen=True)
class Recommendation:
    """One recommendation as recorded, with the audit that holds it."""

    audit_id: str
    text: str
    owner: str
    due: str
    # tracked as an action (audit_tool/actions.py): open with no body or link until set
    status: str = "open"
    body: str = ""
    link: str = ""
    status_at: str | None = None


def recommendations(db: Database, flt: AuditFilter, covered: set[str]) -> list[Recommendation]:
    """The recommendations of the audits `flt` selects on the checklists `covered`, in audit
    and then recorded order."""
    where, params = flt.where()
    within, ids = _in(covered)
    return [
        Recommendation(*r)
        for r in db.query(
            f"""SELECT r.audit_id, r.text, r.owner, r.due, coalesce(t.status, 'open'),
                   coalesce(t.body, ''), coalesce(t.link, ''), t.status_at FROM recommendations r
            JOIN audits a ON a.id = r.audit_id JOIN cases c ON c.id = a.case_id
            LEFT JOIN recommendation_actions t ON t.audit_id = r.audit_id AND t.pos = r.pos
            WHERE {where} AND {within} ORDER BY r.audit_id, r.pos""",
            [*params, *ids],
        )
    ]


def months_spanned(db: Database, flt: AuditFilter, covered: set[str]) -> tuple[str, str] | None:
    """('2024-11', '2026-10'): the first and last month in which an audit of the selection
    was finalised (a draft, in an identifiable report: last changed); None without audits."""
    where, params = flt.where()
    within, ids = _in(covered)
    first, last = db.query_one(
        f"""SELECT min(substr(coalesce(a.finalised_at, a.updated_at), 1, 7)),
                   max(substr(coalesce(a.finalised_at, a.updated_at), 1, 7))
            FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where} AND {within}""",
        [*params, *ids],
    )
    return (first, last) if first else None


def scales_in_use(
    db: Database, flt: AuditFilter, checklists: set[str]
) -> dict[str, dict[str, Scale]]:
    """Per checklist id: its scales as the newest stored copy in the selection defines them,
    limited to scales some item uses."""
    where, params = flt.where()
    rows = db.query(
        f"""SELECT DISTINCT a.checklist_id, a.checklist_sha, d.added_at, d.rowid FROM audits a
            JOIN cases c ON c.id = a.case_id JOIN checklist_defs d ON d.sha256 = a.checklist_sha
            WHERE {where} ORDER BY d.added_at, d.rowid""",
        params,
    )
    newest = {cid: sha for cid, sha, _, _ in rows if cid in checklists}  # later rows win
    out: dict[str, dict[str, Scale]] = {}
    for cid in sorted(newest):
        d = db.checklist(newest[cid]).definition
        used = {item.scale for _, item in d.items()}
        out[cid] = {name: s for name, s in d.scales.items() if name in used}
    return out


__all__ = ["Recommendation", "all_references", "months_spanned", "recommendations", "scales_in_use"]
