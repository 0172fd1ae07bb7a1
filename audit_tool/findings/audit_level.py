"""Per-audit counts behind the audit-level intervals, added up in SQL.

One pass over the answers counts, per audit and theme, the items rated (n) and those meeting
the standard (m), each against its own checklist copy's standard (as findings() does), into
a temporary table. Every grouping the report needs (theme; area and agency by phase; quarter
of finalisation; baseline against post-training by case file) is then a GROUP BY over that
small table, returning only the sums that `clustered.Moments` needs. Tags (an item may carry
several) take one more pass over the answers.

`keyed` (an anonymised release): the same pass also carries each audit's record key, and the
same GROUP BYs add the counts and key sums cell-key perturbation needs (findings/cells.py),
so the answers are read once for both.

Quarters are those of the audit's finalised date (`finalised_at`: the day it was last
finalised); an audit that is not finalised has none.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from ..checklists.model import TAG_KINDS as CHECKLIST_TAG_KINDS
from ..filters import AuditFilter
from ..store import Database
from .cells import CELL, AuditSet, Cell, Cells
from .clustered import Moments, PairMoments
from .counted import COUNTED_ANSWER, COUNTED_RATING

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
    change_overall: dict[str, PairMoments] = field(default_factory=dict)  # per checklist
    # case files with at least one audit at baseline and one post-training, per checklist
    shared_cases: dict[str, int] = field(default_factory=dict)
    cells: Cells | None = None  # keyed: who is behind each figure (findings/cells.py)


def _moments(rows, keyed: bool = False, cells: dict | None = None, single: bool = False) -> dict:
    """Rows of (key columns..., the six sums[, the nine cell columns]) as {(keys...): Moments};
    with `keyed`, the cells go into `cells` under the same keys."""
    width = 15 if keyed else 6
    out = {}
    for r in rows:
        k = r[0] if single else tuple(r[:-width])
        out[k] = Moments(*r[-width:][:6])
        if keyed and cells is not None:
            cells[k] = Cell(*(int(v or 0) for v in r[-9:]))
    return out


# the tag kinds the aggregate report shows shares for (fact groups mirror the death review's
# themes, and the rest are labels): only these are counted, which spares a third of the work.
# The checklist model lists them first, in the report's order: principles to quality indicators.
TAG_KINDS = CHECKLIST_TAG_KINDS[: CHECKLIST_TAG_KINDS.index("quality_indicator") + 1]


def audit_level(
    db: Database, flt: AuditFilter | None = None, tag_kinds: tuple[str, ...] = TAG_KINDS,
    keyed: bool = False,
) -> AuditLevel:
    """The moments for every share and change the aggregate report shows; with `keyed`, also
    the cells behind them (AuditLevel.cells), from the same pass.

    One scan of the selection's answers, joined to a small table of (checklist copy, item,
    rating) -> meets, writes (audit, item, meets) rows of integers; every grouping after that
    reads those rows and the small definition tables only."""
    flt = flt or AuditFilter()
    where, params = flt.where()
    n = next(_counter)
    sh, it, lv, tn, tg, au, ai, th, vl = (
        f"temp.{_PREFIX}{kind}_{n}"
        for kind in ("sh", "it", "lv", "tn", "tg", "au", "ai", "th", "vl")
    )
    cols = f"{_SUMS}, {CELL}" if keyed else _SUMS
    c = db.conn
    kinds = ",".join("?" * len(tag_kinds)) or "NULL"
    try:
        # checklist copies, audits and items numbered, so the joins below match integers
        c.execute(f"CREATE TABLE {sh} (sid INTEGER PRIMARY KEY, sha TEXT UNIQUE)")
        c.execute(
            f"""INSERT INTO {sh} (sha) SELECT DISTINCT a.checklist_sha
                FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}""",
            params,
        )
        c.execute(
            f"""CREATE TABLE {au} (aid INTEGER PRIMARY KEY, id TEXT, sid INTEGER, case_id TEXT,
                cid TEXT, phase TEXT, area TEXT, agency TEXT, quarter TEXT, status TEXT,
                k INTEGER)"""
        )
        c.execute(
            f"""INSERT INTO {au} SELECT a.rowid, a.id, s.sid, a.case_id, a.checklist_id,
                       a.phase, c.area, c.agency, {QUARTER_SQL}, a.status,
                       {"coalesce(k.record_key, 0)" if keyed else "0"}
                FROM audits a JOIN cases c ON c.id = a.case_id
                {"LEFT JOIN audit_keys k ON k.audit_id = a.id" if keyed else ""}
                JOIN {sh} s ON s.sha = a.checklist_sha WHERE {where}""",
            params,
        )
        c.execute(
            f"""CREATE TABLE {it} (itm INTEGER PRIMARY KEY, sid INTEGER, sha TEXT, item_id TEXT,
                theme TEXT)"""
        )
        c.execute(
            f"""INSERT INTO {it} (sid, sha, item_id, theme)
                SELECT s.sid, ci.sha256, ci.item_id, ci.theme_id
                FROM {sh} s JOIN checklist_items ci ON ci.sha256 = s.sha"""
        )
        # the levels that count towards a share, by copy, item and rating
        # (scale, rating) numbered: keyed, every counted answer keeps its rating as an integer
        # (the rating buckets); ratings with no standard are kept then, facts never
        c.execute(f"CREATE TABLE {vl} (vid INTEGER PRIMARY KEY, scale TEXT, value TEXT)")
        c.execute(
            f"""INSERT INTO {vl} (scale, value) SELECT DISTINCT l.scale, l.value
                FROM checklist_levels l WHERE l.sha256 IN (SELECT sha FROM {sh})"""
        )
        c.execute(
            f"""CREATE TABLE {lv} (sid INTEGER, item_id TEXT, value TEXT, itm INTEGER,
                meets INTEGER, vid INTEGER, PRIMARY KEY (sid, item_id, value)) WITHOUT ROWID"""
        )
        c.execute(
            f"""INSERT INTO {lv} SELECT i.sid, i.item_id, l.value, i.itm, l.meets, w.vid
                FROM {it} i
                JOIN checklist_items ci ON ci.sha256 = i.sha AND ci.item_id = i.item_id
                JOIN checklist_levels l ON l.sha256 = i.sha AND l.scale = ci.scale
                JOIN {vl} w ON w.scale = l.scale AND w.value = l.value
                WHERE {"ci.fact = 0" if keyed else "l.meets IS NOT NULL"}"""
        )
        # tags numbered too: the grouping by audit and tag below sorts integers, not text
        c.execute(f"CREATE TABLE {tn} (tid INTEGER PRIMARY KEY, tag TEXT UNIQUE)")
        c.execute(
            f"""INSERT INTO {tn} (tag) SELECT DISTINCT tag FROM checklist_item_tags
                WHERE sha256 IN (SELECT sha FROM {sh}) AND tag_kind IN ({kinds})""",
            tag_kinds,
        )
        c.execute(
            f"""CREATE TABLE {tg} (itm INTEGER, tid INTEGER, PRIMARY KEY (itm, tid)) WITHOUT ROWID"""
        )
        c.execute(
            f"""INSERT INTO {tg} SELECT i.itm, n.tid FROM {it} i
                JOIN checklist_item_tags t ON t.sha256 = i.sha AND t.item_id = i.item_id
                JOIN {tn} n ON n.tag = t.tag WHERE t.tag_kind IN ({kinds})""",
            tag_kinds,
        )
        c.execute(
            f"""CREATE TABLE {ai} AS SELECT u.aid, v.itm, v.meets{", v.vid" if keyed else ""}
                FROM {au} u
                JOIN answers an ON an.audit_id = u.id AND {COUNTED_ANSWER}
                JOIN {lv} v ON v.sid = u.sid AND v.item_id = an.item_id
                     AND v.value = {COUNTED_RATING}"""
        )
        c.execute(
            f"""CREATE TABLE {th} AS
                SELECT u.aid, u.case_id, u.cid, u.phase, u.area, u.agency, u.quarter, u.k,
                       t.theme, t.m, t.n
                FROM (SELECT x.aid, i.theme, sum(x.meets) AS m, count(*) AS n
                      FROM {ai} x JOIN {it} i ON i.itm = x.itm WHERE x.meets IS NOT NULL
                      GROUP BY x.aid, i.theme) t
                JOIN {au} u ON u.aid = t.aid"""
        )
        per_audit = f"""(SELECT aid, k, cid, phase, area, agency, quarter,
                         sum(m) AS m, sum(n) AS n FROM {th} GROUP BY aid)"""
        q = db.query
        cl: dict[str, dict] = {g: {} for g in (
            "theme", "theme_phase", "area_phase", "agency_phase", "quarter", "overall", "tag",
            "area", "agency", "phase_overall")}
        out = AuditLevel(
            theme=_moments(q(f"SELECT cid, theme, {cols} FROM {th} GROUP BY 1, 2"),
                           keyed, cl["theme"]),
            area_phase=_moments(
                q(f"SELECT cid, area, phase, {cols} FROM {per_audit} GROUP BY 1, 2, 3"),
                keyed, cl["area_phase"]),
            agency_phase=_moments(
                q(f"SELECT cid, agency, phase, {cols} FROM {per_audit} GROUP BY 1, 2, 3"),
                keyed, cl["agency_phase"]),
            quarter=_moments(
                q(f"SELECT cid, quarter, {cols} FROM {per_audit} GROUP BY 1, 2"),
                keyed, cl["quarter"]),
            overall=_moments(q(f"SELECT cid, {cols} FROM {per_audit} GROUP BY 1"),
                             keyed, cl["overall"], single=True),
            change=_changes(db, th),
            change_overall={k[0]: v for k, v in _changes(db, th, by_theme=False).items()},
            tag=_moments(
                q(
                    f"""SELECT u.cid, max(tn.tag), {cols} FROM (
                          SELECT x.aid, g.tid, sum(x.meets) AS m, count(*) AS n
                          FROM {ai} x JOIN {tg} g ON g.itm = x.itm WHERE x.meets IS NOT NULL
                          GROUP BY x.aid, g.tid) t
                        JOIN {au} u ON u.aid = t.aid JOIN {tn} tn ON tn.tid = t.tid
                        GROUP BY u.cid, t.tid"""
                ), keyed, cl["tag"]),
            shared_cases=read_in_both(db, flt),
        )
        if keyed:
            out = replace(out, cells=_cells(q, cl, th, per_audit, ai, it, au, vl))
    finally:
        for table in (th, ai, tg, tn, lv, it, au, sh, vl):
            c.execute(f"DROP TABLE IF EXISTS {table}")
    return out


def _cells(q, cl: dict, th: str, per_audit: str, ai: str, it: str, au: str, vl: str) -> Cells:
    """The cells the moments' GROUP BYs did not give: theme by phase, area and agency over
    all phases, single items, rating buckets and the census of every selected audit."""
    def grouped(sql: str, width: int) -> dict:
        return {(r[0] if width == 1 else tuple(r[:width])): Cell(*(int(v or 0) for v in r[width:]))
                for r in q(sql)}

    return Cells(
        theme=cl["theme"], tag=cl["tag"], area_phase=cl["area_phase"],
        agency_phase=cl["agency_phase"], quarter=cl["quarter"], overall=cl["overall"],
        theme_phase=grouped(f"SELECT cid, theme, phase, {CELL} FROM {th} GROUP BY 1, 2, 3", 3),
        area=grouped(f"SELECT cid, area, {CELL} FROM {per_audit} GROUP BY 1, 2", 2),
        agency=grouped(f"SELECT cid, agency, {CELL} FROM {per_audit} GROUP BY 1, 2", 2),
        phase_overall=grouped(f"SELECT cid, phase, {CELL} FROM {per_audit} GROUP BY 1, 2", 2),
        item=grouped(
            f"""SELECT u.cid, i.item_id, count(*), sum(u.k), count(*), sum(x.meets),
                       sum(x.meets), sum(u.k * x.meets), sum(1 - x.meets),
                       sum(u.k * (1 - x.meets)), 1
                FROM {ai} x JOIN {it} i ON i.itm = x.itm JOIN {au} u ON u.aid = x.aid
                WHERE x.meets IS NOT NULL GROUP BY 1, 2""", 2),
        bucket=grouped(
            f"""SELECT u.cid, t.theme, w.scale, w.value, count(*), sum(u.k), sum(t.n),
                       0, 0, 0, 0, 0, max(t.n)
                FROM (SELECT x.aid, i.theme, x.vid, count(*) AS n
                      FROM {ai} x JOIN {it} i ON i.itm = x.itm GROUP BY x.aid, i.theme, x.vid) t
                JOIN {au} u ON u.aid = t.aid JOIN {vl} w ON w.vid = t.vid
                GROUP BY u.cid, t.theme, t.vid""", 4),
        census={(r[0], r[1], r[2]): AuditSet(r[3], r[4]) for r in q(
            f"SELECT cid, phase, status, count(*), sum(k) FROM {au} GROUP BY 1, 2, 3")},
        quarter_audits={(r[0], r[1]): AuditSet(r[2], r[3]) for r in q(
            f"SELECT cid, quarter, count(*), sum(k) FROM {au} GROUP BY 1, 2")},
        audit_ids=frozenset(r[0] for r in q(f"SELECT id FROM {au}")),
    )


def read_in_both(db: Database, flt: AuditFilter | None = None) -> dict[str, int]:
    """Case files read at both baseline and post-training, per checklist id: the one
    definition every report and summary uses. A case file (case id) is read in a phase when it
    has a finalised audit of the checklist in that phase among the audits the selection
    counts, a finalised moderation in place of its readings; a draft is not a reading yet,
    also in an identifiable report that lists drafts."""
    counted = replace(flt or AuditFilter(), status="finalised", include_superseded=False)
    where, params = counted.where()
    return dict(
        db.query(
            f"""SELECT cid, count(*) FROM (
                  SELECT a.checklist_id AS cid, a.case_id FROM audits a
                  JOIN cases c ON c.id = a.case_id
                  WHERE {where} AND a.phase IN (?, ?)
                  GROUP BY 1, 2 HAVING count(DISTINCT a.phase) = 2)
                GROUP BY 1""",
            [*params, BEFORE, AFTER],
        )
    )


def _changes(db: Database, table: str, by_theme: bool = True) -> dict[tuple, PairMoments]:
    """Per checklist and theme (or per checklist, all themes together): sums over case files
    of baseline (1) and post-training (2) counts, and their cross products."""
    theme = "theme" if by_theme else "''"
    rows = db.query(
        f"""SELECT cid, theme, count(*), sum(x1 > 0 AND x2 > 0),
                   sum(y1), sum(x1), sum(y2), sum(x2),
                   sum(y1 * y1), sum(y1 * x1), sum(x1 * x1), sum(y2 * y2), sum(y2 * x2), sum(x2 * x2),
                   sum(y1 * y2), sum(y1 * x2), sum(x1 * y2), sum(x1 * x2)
            FROM (SELECT cid, {theme} AS theme, case_id,
                    sum(CASE WHEN phase = ? THEN m ELSE 0 END) AS y1,
                    sum(CASE WHEN phase = ? THEN n ELSE 0 END) AS x1,
                    sum(CASE WHEN phase = ? THEN m ELSE 0 END) AS y2,
                    sum(CASE WHEN phase = ? THEN n ELSE 0 END) AS x2
                  FROM {table} WHERE phase IN (?, ?) GROUP BY cid, {theme}, case_id)
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


__all__ = ["QUARTER_SQL", "AuditLevel", "audit_level", "quarters_between", "read_in_both"]
