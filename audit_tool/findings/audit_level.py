"""Per-audit counts behind the audit-level intervals, added up in SQL.

One pass over the answers counts, per audit and theme, the items rated (n) and those meeting
the standard (m), each against its own checklist copy's standard (as findings() does), into
a temporary table. Every grouping the report needs (theme; area and agency by phase; quarter
of finalisation; baseline against post-training by case file) is then a GROUP BY over that
small table, returning only the sums that `clustered.Moments` needs. Tags (an item may carry
several) take one more pass over the answers.

Quarters are those of the audit's finalised date (`finalised_at`: the day it was last
finalised); an audit that is not finalised has none.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..selection import AuditFilter
from ..store import Database
from .clustered import Moments, PairMoments

BEFORE, AFTER = "baseline", "post_training"
_counter = itertools.count()
# the same prefix as findings()'s tables, so one stopped mid-way is swept by the next build
_PREFIX = "findings_al_"

QUARTER_SQL = (
    "CASE WHEN a.finalised_at IS NULL THEN NULL ELSE substr(a.finalised_at, 1, 4) || ' Q' || "
    "((CAST(substr(a.finalised_at, 6, 2) AS INTEGER) + 2) / 3) END"
)

# the sums Moments needs, over rows with per-cluster m and n
_SUMS = "count(*), sum(m), sum(n), sum(m * m), sum(m * n), sum(n * n)"


@dataclass(frozen=True)
class AuditLevel:
    """Moments per group, keyed by checklist id first."""

    theme: dict[tuple[str, str], Moments] = field(default_factory=dict)
    tag: dict[tuple[str, str], Moments] = field(default_factory=dict)
    area_phase: dict[tuple[str, str, str], Moments] = field(default_factory=dict)
    agency_phase: dict[tuple[str, str, str], Moments] = field(default_factory=dict)
    quarter: dict[tuple[str, str | None], Moments] = field(default_factory=dict)
    overall: dict[str, Moments] = field(default_factory=dict)  # per checklist, all themes
    change: dict[tuple[str, str], PairMoments] = field(default_factory=dict)  # per theme
    # case files with at least one audit at baseline and one post-training, per checklist
    shared_cases: dict[str, int] = field(default_factory=dict)


def _moments(rows) -> dict:
    """Rows of (key columns..., the six sums) as {(keys...): Moments}."""
    return {tuple(r[:-6]): Moments(*r[-6:]) for r in rows}


def audit_level(db: Database, flt: AuditFilter | None = None) -> AuditLevel:
    """The moments for every share and change the aggregate report shows."""
    flt = flt or AuditFilter()
    where, params = flt.where()
    table = f"temp.{_PREFIX}{next(_counter)}"
    c = db.conn
    rated = """JOIN answers an ON an.audit_id = a.id AND an.applies = 1 AND an.rating IS NOT NULL
            JOIN checklist_items ci ON ci.sha256 = a.checklist_sha AND ci.item_id = an.item_id
            JOIN checklist_levels l
              ON l.sha256 = a.checklist_sha AND l.scale = ci.scale AND l.value = an.rating"""
    try:
        c.execute(
            f"""CREATE TABLE {table} AS
                SELECT a.rowid AS aid, a.case_id, a.checklist_id AS cid, a.phase, c.area, c.agency,
                       {QUARTER_SQL} AS quarter, ci.theme_id AS theme,
                       sum(l.meets) AS m, count(*) AS n
                FROM audits a JOIN cases c ON c.id = a.case_id {rated}
                WHERE {where} AND l.meets IS NOT NULL
                GROUP BY a.rowid, ci.theme_id""",
            params,
        )
        per_audit = f"""(SELECT aid, case_id, cid, phase, area, agency, quarter,
                         sum(m) AS m, sum(n) AS n FROM {table} GROUP BY aid)"""
        out = AuditLevel(
            theme=_moments(db.query(f"SELECT cid, theme, {_SUMS} FROM {table} GROUP BY 1, 2")),
            area_phase=_moments(
                db.query(f"SELECT cid, area, phase, {_SUMS} FROM {per_audit} GROUP BY 1, 2, 3")
            ),
            agency_phase=_moments(
                db.query(f"SELECT cid, agency, phase, {_SUMS} FROM {per_audit} GROUP BY 1, 2, 3")
            ),
            quarter=_moments(
                db.query(f"SELECT cid, quarter, {_SUMS} FROM {per_audit} GROUP BY 1, 2")
            ),
            overall={
                r[0]: Moments(*r[1:])
                for r in db.query(f"SELECT cid, {_SUMS} FROM {per_audit} GROUP BY 1")
            },
            change=_changes(db, table),
            tag=_moments(
                db.query(
                    f"""SELECT cid, tag, {_SUMS} FROM (
                          SELECT a.checklist_id AS cid, tg.tag, sum(l.meets) AS m, count(*) AS n
                          FROM audits a JOIN cases c ON c.id = a.case_id {rated}
                          JOIN checklist_item_tags tg
                            ON tg.sha256 = a.checklist_sha AND tg.item_id = an.item_id
                          WHERE {where} AND l.meets IS NOT NULL
                          GROUP BY a.rowid, tg.tag)
                        GROUP BY 1, 2""",
                    params,
                )
            ),
            shared_cases=dict(
                db.query(
                    f"""SELECT cid, count(*) FROM (
                          SELECT a.checklist_id AS cid, a.case_id FROM audits a
                          JOIN cases c ON c.id = a.case_id
                          WHERE {where} AND a.phase IN (?, ?)
                          GROUP BY 1, 2 HAVING count(DISTINCT a.phase) = 2)
                        GROUP BY 1""",
                    [*params, BEFORE, AFTER],
                )
            ),
        )
    finally:
        c.execute(f"DROP TABLE IF EXISTS {table}")
    return out


def _changes(db: Database, table: str) -> dict[tuple[str, str], PairMoments]:
    """Per checklist and theme: sums over case files of baseline (1) and post-training (2)
    counts, and their cross products."""
    rows = db.query(
        f"""SELECT cid, theme, count(*), sum(x1 > 0 AND x2 > 0),
                   sum(y1), sum(x1), sum(y2), sum(x2),
                   sum(y1 * y1), sum(y1 * x1), sum(x1 * x1), sum(y2 * y2), sum(y2 * x2), sum(x2 * x2),
                   sum(y1 * y2), sum(y1 * x2), sum(x1 * y2), sum(x1 * x2)
            FROM (SELECT cid, theme, case_id,
                    sum(CASE WHEN phase = ? THEN m ELSE 0 END) AS y1,
                    sum(CASE WHEN phase = ? THEN n ELSE 0 END) AS x1,
                    sum(CASE WHEN phase = ? THEN m ELSE 0 END) AS y2,
                    sum(CASE WHEN phase = ? THEN n ELSE 0 END) AS x2
                  FROM {table} WHERE phase IN (?, ?) GROUP BY cid, theme, case_id)
            GROUP BY 1, 2""",
        (BEFORE, BEFORE, AFTER, AFTER, BEFORE, AFTER),
    )
    return {(r[0], r[1]): PairMoments(*r[2:]) for r in rows}


def quarters_between(first: str, last: str) -> list[str]:
    """'2025 Q3', '2025 Q4', '2026 Q1' ...: every quarter from first to last, gaps included."""
    y, q = int(first[:4]), int(first[-1])
    out = []
    while (y, q) <= (int(last[:4]), int(last[-1])):
        out.append(f"{y} Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


__all__ = ["QUARTER_SQL", "AuditLevel", "audit_level", "quarters_between"]
