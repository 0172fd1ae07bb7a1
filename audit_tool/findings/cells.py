"""Who is behind each figure of the aggregate report, as counts and sums of record keys.

Cell-key perturbation (disclosure/cellkey.py) needs, for every figure an anonymised release
prints, the audits it rests on: their number and the sum of their record keys (the cell
key), and for shares of items the audits with an item meeting and falling short and the most
items one audit adds. One pass over the selection's counted answers writes (audit, theme, n
rated, m meeting) rows into a temporary table, keyed like audit_level's; every grouping the
report shows is then a GROUP BY over it. Items, tags and rating buckets take one pass each.

Exact counts only: what is published from them is worked out in reports/release.py.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..selection import AuditFilter
from ..store import Database
from .aggregate import COUNTED_ANSWER, COUNTED_RATING
from .audit_level import QUARTER_SQL, TAG_KINDS

_counter = itertools.count()


@dataclass(frozen=True)
class Cell:
    """The audits behind one figure. `audits`, `key_sum`: audits with an item counted and
    the sum of their record keys; `rated`, `met`: items counted and meeting; `met_audits`,
    `met_key_sum`: audits with an item meeting; `short_audits`: audits with one falling
    short; `per_audit`: the most items one audit adds."""

    audits: int = 0
    key_sum: int = 0
    rated: int = 0
    met: int = 0
    met_audits: int = 0
    met_key_sum: int = 0
    short_audits: int = 0
    short_key_sum: int = 0
    per_audit: int = 1


@dataclass(frozen=True)
class AuditSet:
    """A plain count of audits with the sum of their keys."""

    audits: int = 0
    key_sum: int = 0


@dataclass(frozen=True)
class Cells:
    """Cells by what the report groups on, checklist id first."""

    theme: dict[tuple[str, str], Cell] = field(default_factory=dict)
    theme_phase: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    tag: dict[tuple[str, str], Cell] = field(default_factory=dict)
    item: dict[tuple[str, str], Cell] = field(default_factory=dict)
    area: dict[tuple[str, str], Cell] = field(default_factory=dict)
    agency: dict[tuple[str, str], Cell] = field(default_factory=dict)
    area_phase: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    agency_phase: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    quarter: dict[tuple[str, str | None], Cell] = field(default_factory=dict)
    overall: dict[str, Cell] = field(default_factory=dict)
    phase_overall: dict[tuple[str, str], Cell] = field(default_factory=dict)
    # (checklist, theme, scale, rating) -> answers given and the audits giving them
    bucket: dict[tuple[str, str, str, str], Cell] = field(default_factory=dict)
    # every audit of the selection (rated or not)
    census: dict[tuple[str, str, str], AuditSet] = field(default_factory=dict)  # cid, phase, status
    quarter_audits: dict[tuple[str, str | None], AuditSet] = field(default_factory=dict)
    audit_ids: frozenset[str] = frozenset()


# per group: audits, their key sum, items rated and meeting, audits with an item meeting
# and their key sum, audits with an item short and their key sum, the most items of one audit
_CELL = """count(*), sum(k), sum(n), sum(m), sum(m > 0), sum(CASE WHEN m > 0 THEN k ELSE 0 END),
           sum(n > m), sum(CASE WHEN n > m THEN k ELSE 0 END), max(n)"""


def _cells(rows) -> dict:
    return {(r[0] if len(r) == 10 else tuple(r[:-9])): Cell(*(int(v or 0) for v in r[-9:]))
            for r in rows}


def cells(db: Database, flt: AuditFilter) -> Cells:
    """Every cell the aggregate report prints, for the audits the filter selects."""
    where, params = flt.where()
    n = next(_counter)
    au, an, th = (f"temp.findings_cells_{kind}_{n}" for kind in ("au", "an", "th"))
    c = db.conn
    try:
        c.execute(
            f"""CREATE TABLE {au} AS SELECT a.id, a.checklist_sha AS sha, a.checklist_id AS cid,
                       a.phase, a.status, c.area, c.agency, {QUARTER_SQL} AS quarter,
                       k.record_key AS k
                FROM audits a JOIN cases c ON c.id = a.case_id
                JOIN audit_keys k ON k.audit_id = a.id WHERE {where}""",
            params,
        )
        # every counted answer once, with what the groupings below need (integers mostly)
        c.execute(
            f"""CREATE TABLE {an} AS SELECT u.rowid AS id, u.k, u.sha, u.cid, u.phase, u.area, u.agency,
                       u.quarter, ci.theme_id AS theme, an.item_id AS item, ci.scale,
                       {COUNTED_RATING} AS rating, l.meets
                FROM {au} u
                JOIN answers an ON an.audit_id = u.id AND {COUNTED_ANSWER}
                JOIN checklist_items ci ON ci.sha256 = u.sha AND ci.item_id = an.item_id
                     AND ci.fact = 0
                LEFT JOIN checklist_levels l ON l.sha256 = u.sha AND l.scale = ci.scale
                     AND l.value = {COUNTED_RATING}"""
        )
        c.execute(
            f"""CREATE TABLE {th} AS SELECT id, k, cid, phase, area, agency, quarter, theme,
                       count(*) AS n, sum(meets) AS m
                FROM {an} WHERE meets IS NOT NULL GROUP BY id, theme"""
        )
        per_audit = f"""(SELECT id, k, cid, phase, area, agency, quarter, sum(n) AS n,
                         sum(m) AS m FROM {th} GROUP BY id)"""
        q = db.query
        kinds = ",".join("?" * len(TAG_KINDS))
        return Cells(
            theme=_cells(q(f"SELECT cid, theme, {_CELL} FROM {th} GROUP BY 1, 2")),
            theme_phase=_cells(q(f"SELECT cid, theme, phase, {_CELL} FROM {th} GROUP BY 1, 2, 3")),
            tag=_cells(q(
                f"""SELECT cid, tag, {_CELL} FROM (
                      SELECT x.id, x.k, x.cid, t.tag, count(*) AS n, sum(x.meets) AS m
                      FROM {an} x
                      JOIN checklist_item_tags t ON t.sha256 = x.sha AND t.item_id = x.item
                      WHERE x.meets IS NOT NULL AND t.tag_kind IN ({kinds})
                      GROUP BY x.id, t.tag)
                    GROUP BY 1, 2""", TAG_KINDS)),
            item=_cells(q(
                f"""SELECT cid, item, count(*), sum(k), count(*), sum(meets), sum(meets),
                           sum(k * meets), sum(1 - meets), sum(k * (1 - meets)), 1
                    FROM {an} WHERE meets IS NOT NULL GROUP BY 1, 2""")),
            area=_cells(q(f"SELECT cid, area, {_CELL} FROM {per_audit} GROUP BY 1, 2")),
            agency=_cells(q(f"SELECT cid, agency, {_CELL} FROM {per_audit} GROUP BY 1, 2")),
            area_phase=_cells(q(f"SELECT cid, area, phase, {_CELL} FROM {per_audit} GROUP BY 1, 2, 3")),
            agency_phase=_cells(q(f"SELECT cid, agency, phase, {_CELL} FROM {per_audit} GROUP BY 1, 2, 3")),
            quarter=_cells(q(f"SELECT cid, quarter, {_CELL} FROM {per_audit} GROUP BY 1, 2")),
            overall=_cells(q(f"SELECT cid, {_CELL} FROM {per_audit} GROUP BY 1")),
            phase_overall=_cells(q(f"SELECT cid, phase, {_CELL} FROM {per_audit} GROUP BY 1, 2")),
            bucket=_cells(q(
                f"""SELECT cid, theme, scale, rating, count(*), sum(k), sum(n), 0, 0, 0, 0, 0, max(n)
                    FROM (SELECT id, k, cid, theme, scale, rating, count(*) AS n
                          FROM {an} GROUP BY id, theme, scale, rating)
                    GROUP BY 1, 2, 3, 4""")),
            census={(r[0], r[1], r[2]): AuditSet(r[3], r[4]) for r in q(
                f"SELECT cid, phase, status, count(*), sum(k) FROM {au} GROUP BY 1, 2, 3")},
            quarter_audits={(r[0], r[1]): AuditSet(r[2], r[3]) for r in q(
                f"SELECT cid, quarter, count(*), sum(k) FROM {au} GROUP BY 1, 2")},
            audit_ids=frozenset(r[0] for r in q(f"SELECT id FROM {au}")),
        )
    finally:
        for table in (th, an, au):
            c.execute(f"DROP TABLE IF EXISTS {table}")


def selected_ids(db: Database, flt: AuditFilter) -> frozenset[str]:
    """The ids of the audits a filter selects (what a release covers, for the register)."""
    where, params = flt.where()
    return frozenset(r[0] for r in db.query(
        f"SELECT a.id FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}", params))


__all__ = ["AuditSet", "Cell", "Cells", "cells", "selected_ids"]
