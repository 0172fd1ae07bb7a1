"""Per-audit counts behind the audit-level intervals, added up in SQL.

The selection's one pass over the answers (answer_pass.py) gives, per audit and theme and
per audit and tag, the items rated (n) and those meeting the standard (m), each against its
own checklist copy's standard (as findings() does). Every grouping the report needs (theme;
area and agency by phase; quarter of finalisation; baseline against post-training by case
file) is then a GROUP BY over those small tables, returning only the sums that
`clustered.Moments` needs.

`keyed` (an anonymised release): the same GROUP BYs add the counts and key sums cell-key
perturbation needs (findings/cells.py), from the record keys the pass carries, so the
answers are read once for both.

Quarters are those of the audit's finalised date (`finalised_at`: the day it was last
finalised); an audit that is not finalised has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..checklists.kinds import TAG_KINDS as CHECKLIST_TAG_KINDS
from ..filters import AuditFilter
from ..store import Database
from .answer_pass import QUARTER_SQL, AnswerPass, answer_pass
from .cells import CELL, AuditSet, Cell, Cells
from .clustered import Moments, PairMoments

BEFORE, AFTER = "baseline", "post_training"

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
    keyed: bool = False, answers: AnswerPass | None = None,
) -> AuditLevel:
    """The moments for every share and change the aggregate report shows; with `keyed`, also
    the cells behind them (AuditLevel.cells), from the same pass.

    Every grouping reads the selection's one pass over the answers (answer_pass.py: `answers`
    when the caller has made it for the same filter, else one of our own): per audit and
    theme, and per audit and tag, items rated and meeting, as small tables of integers."""
    flt = flt or AuditFilter()
    with answer_pass(db, flt, answers, keyed) as p:
        return _level(db, flt, p, tag_kinds, keyed)


def _level(db: Database, flt: AuditFilter, p: AnswerPass, tag_kinds: tuple[str, ...],
           keyed: bool) -> AuditLevel:
    cols = f"{_SUMS}, {CELL}" if keyed else _SUMS
    th, ta = p.per_theme(), p.per_tag()
    kinds = ",".join("?" * len(tag_kinds)) or "NULL"
    per_audit = p.per_audit()
    q = db.query
    cl: dict[str, dict] = {g: {} for g in (
        "theme", "theme_phase", "area_phase", "agency_phase", "quarter", "overall", "tag",
        "area", "agency", "phase_overall")}
    out = AuditLevel(
        theme=_moments(q(f"SELECT cid, theme, {cols} FROM {th} GROUP BY cno, thm"),
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
        change=_changes(db, p),
        change_overall={k[0]: v for k, v in _changes(db, p, by_theme=False).items()},
        tag=_moments(
            q(
                f"""SELECT u.cid, max(tn.tag), {cols} FROM {ta} t
                    JOIN {p.au} u ON u.aid = t.aid JOIN {p.tn} tn ON tn.tid = t.tid
                    WHERE t.tid IN (SELECT tid FROM {p.tg} WHERE kind IN ({kinds}))
                    GROUP BY u.cno, t.tid""",
                tag_kinds,
            ), keyed, cl["tag"]),
        shared_cases=read_in_both(db, flt),
    )
    if keyed:
        out = replace(out, cells=_cells(q, cl, th, per_audit, p))
    return out


def _cells(q, cl: dict, th: str, per_audit: str, p: AnswerPass) -> Cells:
    """The cells the moments' GROUP BYs did not give: theme by phase, area and agency over
    all phases, single items, rating buckets and the census of every selected audit. Items
    add up from the pass's `fine` counts (one answer per audit and item: its answers are
    its audits, and their key sums add up); buckets from its per-audit theme counts (one
    row per audit, theme and rating)."""
    def grouped(sql: str, width: int) -> dict:
        return {(r[0] if width == 1 else tuple(r[:width])): Cell(*(int(v or 0) for v in r[width:]))
                for r in q(sql)}

    return Cells(
        theme=cl["theme"], tag=cl["tag"], area_phase=cl["area_phase"],
        agency_phase=cl["agency_phase"], quarter=cl["quarter"], overall=cl["overall"],
        theme_phase=grouped(
            f"SELECT cid, theme, phase, {CELL} FROM {th} GROUP BY cno, thm, phase", 3),
        area=grouped(f"SELECT cid, area, {CELL} FROM {per_audit} GROUP BY 1, 2", 2),
        agency=grouped(f"SELECT cid, agency, {CELL} FROM {per_audit} GROUP BY 1, 2", 2),
        phase_overall=grouped(f"SELECT cid, phase, {CELL} FROM {per_audit} GROUP BY 1, 2", 2),
        item=grouped(
            f"""SELECT g.checklist_id, f.item_id, sum(f.n), sum(f.ks), sum(f.n),
                       sum(f.n * f.meets), sum(f.n * f.meets), sum(f.ks * f.meets),
                       sum(f.n * (1 - f.meets)), sum(f.ks * (1 - f.meets)), 1
                FROM {p.fine} f JOIN {p.grp} g ON g.gid = f.gid
                WHERE f.meets IS NOT NULL GROUP BY 1, 2""", 2),
        bucket=grouped(
            f"""SELECT c.cid, tm.theme, w.scale, w.value, b.a, b.ks, b.n, 0, 0, 0, 0, 0, b.most
                FROM (SELECT cno, thm, vid, count(*) AS a, sum(k) AS ks, sum(n) AS n,
                             max(n) AS most
                      FROM {p.atv} WHERE fact = 0 AND vid IS NOT NULL GROUP BY cno, thm, vid) b
                JOIN {p.cn} c ON c.cno = b.cno JOIN {p.tm} tm ON tm.thm = b.thm
                JOIN {p.vl} w ON w.vid = b.vid""", 4),
        census={(r[0], r[1], r[2]): AuditSet(r[3], r[4]) for r in q(
            f"SELECT cid, phase, status, count(*), sum(k) FROM {p.au} GROUP BY 1, 2, 3")},
        quarter_audits={(r[0], r[1]): AuditSet(r[2], r[3]) for r in q(
            f"SELECT cid, quarter, count(*), sum(k) FROM {p.au} GROUP BY 1, 2")},
        audit_ids=frozenset(r[0] for r in q(f"SELECT id FROM {p.au}")),
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


def _changes(db: Database, p: AnswerPass, by_theme: bool = True) -> dict[tuple, PairMoments]:
    """Per checklist and theme (or per checklist, all themes together): sums over case files
    of baseline (1) and post-training (2) counts, and their cross products. The counts per
    checklist, theme and case file are made once (a table of the pass); all themes together
    add them up per case file first."""
    per_case = p.table(
        "case_theme",
        f"""SELECT cno, thm, cid, theme, cse,
                   sum(CASE WHEN phase = ? THEN m ELSE 0 END) AS y1,
                   sum(CASE WHEN phase = ? THEN n ELSE 0 END) AS x1,
                   sum(CASE WHEN phase = ? THEN m ELSE 0 END) AS y2,
                   sum(CASE WHEN phase = ? THEN n ELSE 0 END) AS x2
            FROM {p.per_theme()} WHERE phase IN (?, ?) GROUP BY cno, thm, cse""",
        (BEFORE, BEFORE, AFTER, AFTER, BEFORE, AFTER),
    )
    source = per_case if by_theme else f"""(SELECT cno, 0 AS thm, cid, '' AS theme, cse,
        sum(y1) AS y1, sum(x1) AS x1, sum(y2) AS y2, sum(x2) AS x2 FROM {per_case}
        GROUP BY cno, cse)"""
    rows = db.query(
        f"""SELECT cid, theme, count(*), sum(x1 > 0 AND x2 > 0),
                   sum(y1), sum(x1), sum(y2), sum(x2),
                   sum(y1 * y1), sum(y1 * x1), sum(x1 * x1), sum(y2 * y2), sum(y2 * x2), sum(x2 * x2),
                   sum(y1 * y2), sum(y1 * x2), sum(x1 * y2), sum(x1 * x2)
            FROM {source} GROUP BY cno, thm"""
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
