"""The audit list's query: which audits a filter (filters.AuditFilter) selects, as rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from .completion import shown_items
from .domain import AuditRow
from .filters import AuditFilter
from .reviewers import NAME_SQL
from .store import Database

_LIST_SQL = """
SELECT a.id, a.case_id, c.pseudonym, c.reference, c.area, c.agency, a.checklist_id,
       d.title, d.version, a.audit_type, a.phase, {reviewer}, a.status, a.answered,
       coalesce(a.shown, n.total), a.created_at, a.updated_at, a.checklist_sha, a.shown
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
    """Rows for the audit list, newest change first. Progress is `answered` of `total` as
    the open audit counts it (progress.py): an item hidden by a condition is in neither."""
    # the list shows every audit: readings a moderation replaced, and draft moderations
    where, params = replace(flt or AuditFilter(), include_superseded=True).where()
    sql = _LIST_SQL.format(where=where, reviewer=NAME_SQL)
    if limit:
        sql += f" LIMIT {int(limit)}"
    raw = db.query(sql, params)
    # `answered` and `shown` are kept on the audit by audits.answer (store/step_list_shown.py);
    # shown is NULL only where a rating changed elsewhere: worked out here for those few
    shown = _shown_counts(db, [r for r in raw if r[18] is None])
    return [AuditRow(*r[:14], shown.get(r[0], r[14]), r[15], r[16]) for r in raw]


_FEW = 500  # up to this many audits, their answers are read by id; more, by checklist


def _shown_counts(db: Database, raw: list[tuple]) -> dict[str, int]:
    """{audit id: items shown} for the audits whose checklist has conditional items (in the
    others every item is shown, so the item count stands)."""
    by_sha: dict[str, list[str]] = defaultdict(list)
    for r in raw:
        by_sha[r[17]].append(r[0])
    out: dict[str, int] = {}
    for sha, ids in by_sha.items():
        definition = db.checklist(sha).definition
        parents = sorted({i.show_when.item for _, i in definition.items() if i.show_when})
        if not parents:
            continue
        marks = ", ".join("?" * len(parents))
        if len(ids) <= _FEW:
            rows = db.iterate(
                f"SELECT audit_id, item_id, rating FROM answers WHERE audit_id IN"  # noqa: S608
                f" ({', '.join('?' * len(ids))}) AND item_id IN ({marks}) AND rating IS NOT NULL",
                (*ids, *parents),
            )
        else:
            rows = db.iterate(
                "SELECT an.audit_id, an.item_id, an.rating FROM answers an JOIN audits a"  # noqa: S608
                f" ON a.id = an.audit_id WHERE a.checklist_sha = ? AND an.item_id IN ({marks})"
                " AND an.rating IS NOT NULL",
                (sha, *parents),
            )
        ratings: dict[str, dict[str, str]] = defaultdict(dict)
        for audit_id, item_id, rating in rows:
            ratings[audit_id][item_id] = rating
        seen: dict[tuple, int] = {}  # many audits share the same answers to the parents
        for audit_id in ids:
            mine = ratings.get(audit_id, {})
            key = tuple(mine.get(p) for p in parents)
            if key not in seen:
                seen[key] = len(shown_items(definition, mine))
            out[audit_id] = seen[key]
    return out


def distinct_values(db: Database) -> dict[str, list[str]]:
    """Values present in the database, for filter drop-downs."""
    return {
        "area": [r[0] for r in db.query("SELECT DISTINCT area FROM cases ORDER BY 1")],
        "agency": [r[0] for r in db.query("SELECT DISTINCT agency FROM cases WHERE agency <> '' ORDER BY 1")],
        "checklist_id": [r[0] for r in db.query("SELECT DISTINCT checklist_id FROM audits ORDER BY 1")],
    }
