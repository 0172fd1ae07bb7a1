"""Findings for one audit or a filtered set: share meeting the standard and the rating
distribution by theme, tag, item, area and agency; baseline against post-training.

All counting happens in SQL, in two passes over the answers: one groups every rated,
applicable answer into a small table of counts (checklist copy, item, rating, phase, area,
agency), one counts distinct audits per theme. Every view is then a GROUP BY over that
small table. Temporary tables live in memory (temp_store=MEMORY), never on disk.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from ..selection import AuditFilter
from ..store import Database
from .stats import newcombe, wilson

_counter = itertools.count()


@dataclass(frozen=True)
class Bucket:
    scale: str
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class GroupFinding:
    key: str
    label: str
    checklist_id: str
    audits: int  # audits contributing at least one rated answer
    rated: int  # answers counted in the share (not-applicable left out)
    meets: int
    distribution: tuple[Bucket, ...] = ()
    kind: str = ""  # for tags: principle, component, ...

    @property
    def share(self) -> float | None:
        return self.meets / self.rated if self.rated else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.meets, self.rated) if self.rated else None


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    checklist_id: str
    base_audits: int
    base_rated: int
    base_meets: int
    post_audits: int
    post_rated: int
    post_meets: int

    @property
    def base_share(self) -> float | None:
        return self.base_meets / self.base_rated if self.base_rated else None

    @property
    def post_share(self) -> float | None:
        return self.post_meets / self.post_rated if self.post_rated else None

    @property
    def change(self) -> tuple[float, float, float] | None:
        """(difference, low, high) as proportions, post-training minus baseline."""
        if not (self.base_rated and self.post_rated):
            return None
        return newcombe(self.base_meets, self.base_rated, self.post_meets, self.post_rated)


@dataclass(frozen=True)
class Findings:
    filter: AuditFilter
    audits: int
    cases: int
    by_theme: tuple[GroupFinding, ...]
    by_tag: tuple[GroupFinding, ...]
    by_item: tuple[GroupFinding, ...]
    by_area: tuple[GroupFinding, ...]
    by_agency: tuple[GroupFinding, ...]
    checklists: tuple[tuple[str, str, str, int], ...]  # id, version, title, audits
    status_counts: dict[str, int] = field(default_factory=dict)
    phase_counts: dict[str, int] = field(default_factory=dict)
    theme_change: tuple[Comparison, ...] = ()  # baseline -> post-training, per theme

    @property
    def overall(self) -> GroupFinding:
        rated = sum(g.rated for g in self.by_theme)
        meets = sum(g.meets for g in self.by_theme)
        return GroupFinding("all", "All items", "", self.audits, rated, meets)


class _Tables:
    """The selection's temp tables; dropped on exit.

    Audits are keyed by small integers (their group: checklist copy, phase, area, agency),
    so the sorts behind GROUP BY and DISTINCT hold integers, not text: on 50,000 audits
    that is the difference between tens and hundreds of megabytes.
    """

    def __init__(self, db: Database, flt: AuditFilter) -> None:
        self.db = db
        n = next(_counter)
        self.grp, self.sel, self.fine = f"temp.grp_{n}", f"temp.sel_{n}", f"temp.fine_{n}"
        self.aud = f"temp.aud_{n}"
        where, params = flt.where()
        c = db.conn
        c.execute(
            f"""CREATE TABLE {self.grp} AS SELECT DISTINCT a.checklist_sha AS sha, a.checklist_id,
                a.phase, c.area, c.agency FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}""",
            params,
        )
        c.execute(
            f"""CREATE TABLE {self.sel} AS SELECT a.id, a.rowid AS aid, g.rowid AS gid, a.status,
                a.answered, a.case_id
                FROM audits a JOIN cases c ON c.id = a.case_id
                JOIN {self.grp} g ON g.sha = a.checklist_sha AND g.phase = a.phase
                     AND g.area = c.area AND g.agency = c.agency
                WHERE {where}""",
            params,
        )
        c.execute(
            f"""CREATE TABLE {self.fine} AS
                SELECT s.gid, an.item_id, an.rating, count(*) AS n
                FROM {self.sel} s JOIN answers an
                  ON an.audit_id = s.id AND an.applies = 1 AND an.rating IS NOT NULL
                GROUP BY s.gid, an.item_id, an.rating"""
        )
        # which audits count towards a share, per theme: those with an answer that is rated
        # (not 'not applicable'), so a cell's audit count is what its share rests on
        c.execute(
            f"""CREATE TABLE {self.aud} AS
                SELECT DISTINCT s.aid, s.gid, ci.theme_pos
                FROM {self.sel} s
                JOIN {self.grp} g ON g.rowid = s.gid
                JOIN answers an ON an.audit_id = s.id AND an.applies = 1 AND an.rating IS NOT NULL
                JOIN checklist_items ci ON ci.sha256 = g.sha AND ci.item_id = an.item_id
                JOIN checklist_levels l ON l.sha256 = g.sha AND l.scale = ci.scale AND l.value = an.rating
                WHERE l.meets IS NOT NULL"""
        )
        # the fine table joined to its group and the definition: labels, theme, meets
        self.view = f"""(SELECT f.n, f.item_id, f.rating, g.sha, g.checklist_id, g.phase, g.area,
                g.agency, ci.theme_id, ci.theme_title, ci.theme_pos, ci.item_pos, ci.question,
                ci.scale, l.label AS level_label, l.pos AS level_pos, l.meets
            FROM {self.fine} f
            JOIN {self.grp} g ON g.rowid = f.gid
            JOIN checklist_items ci ON ci.sha256 = g.sha AND ci.item_id = f.item_id
            JOIN checklist_levels l ON l.sha256 = g.sha AND l.scale = ci.scale AND l.value = f.rating)"""

    def __enter__(self) -> _Tables:
        return self

    def __exit__(self, *exc: object) -> None:
        for t in (self.grp, self.sel, self.fine, self.aud):
            self.db.conn.execute(f"DROP TABLE IF EXISTS {t}")

    def per_audit(self, column: str) -> dict:
        """Audits with a rated answer counted in a share, per (checklist, group column)."""
        rows = self.db.query(
            f"""SELECT g.checklist_id, g.{column}, count(DISTINCT x.aid) FROM {self.aud} x
                JOIN {self.grp} g ON g.rowid = x.gid GROUP BY 1, 2"""
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def theme_audits(self) -> dict[tuple[str, str, str], int]:
        """Distinct audits per (checklist, theme, phase) counted in the theme's share.
        Each audit sits in exactly one group, so per-group counts add up exactly."""
        rows = self.db.query(
            f"""SELECT g.checklist_id, t.theme_id, g.phase, sum(x.n) FROM (
                  SELECT gid, theme_pos, count(*) AS n FROM {self.aud} GROUP BY gid, theme_pos) x
                JOIN {self.grp} g ON g.rowid = x.gid
                JOIN (SELECT DISTINCT sha256, theme_pos, theme_id FROM checklist_items) t
                  ON t.sha256 = g.sha AND t.theme_pos = x.theme_pos
                GROUP BY 1, 2, 3"""
        )
        return {(r[0], r[1], r[2]): r[3] for r in rows}

    def groups(self, key: str, label: str, order: str, join: str = "", kind: str = "''"):
        """(checklist, key, label, kind, scale, value, level label, meets, count) rows."""
        return self.db.query(
            f"""SELECT r.checklist_id, {key}, max({label}), max({kind}), r.scale, r.rating,
                       max(r.level_label), max(r.meets), sum(r.n), min({order}), min(r.level_pos)
                FROM {self.view} r {join}
                GROUP BY r.checklist_id, {key}, r.scale, r.rating
                ORDER BY r.checklist_id, min({order}), {key}, r.scale, min(r.level_pos)"""
        )


def _fold(rows, audits_of) -> tuple[GroupFinding, ...]:
    """Fold per-rating rows (already aggregated in SQL) into one finding per group."""
    out: dict[tuple[str, str], dict] = {}
    for cid, key, label, kind, scale, value, level_label, meets, n, _, _ in rows:
        g = out.setdefault(
            (cid, key), {"label": label, "kind": kind or "", "rated": 0, "meets": 0, "dist": []}
        )
        g["dist"].append(Bucket(scale, value, level_label, n))
        if meets is not None:
            g["rated"] += n
            g["meets"] += n * meets
    return tuple(
        GroupFinding(str(key), g["label"], cid, audits_of(cid, key), g["rated"], g["meets"],
                     tuple(g["dist"]), g["kind"])
        for (cid, key), g in out.items()
    )


def findings(db: Database, flt: AuditFilter | None = None) -> Findings:
    """Everything a findings screen or report needs, for one audit or a filtered set."""
    flt = flt or AuditFilter()
    with _Tables(db, flt) as t:
        audits, cases = db.query_one(f"SELECT count(*), count(DISTINCT case_id) FROM {t.sel}")
        checklists = tuple(
            db.query(
                f"""SELECT d.checklist_id, d.version, d.title, count(*) FROM {t.sel} s
                    JOIN {t.grp} g ON g.rowid = s.gid JOIN checklist_defs d ON d.sha256 = g.sha
                    GROUP BY d.sha256 ORDER BY d.checklist_id, d.version"""
            )
        )
        status_counts = dict(db.query(f"SELECT status, count(*) FROM {t.sel} GROUP BY 1"))
        phase_counts = dict(
            db.query(f"SELECT g.phase, count(*) FROM {t.sel} s JOIN {t.grp} g ON g.rowid = s.gid GROUP BY 1")
        )
        per_theme_phase = t.theme_audits()
        theme_audits: dict[tuple[str, str], int] = defaultdict(int)
        for (cid, theme, _), n in per_theme_phase.items():
            theme_audits[cid, theme] += n  # an audit has one phase, so phases add up exactly
        area_audits = t.per_audit("area")
        agency_audits = t.per_audit("agency")
        item_rows = t.groups("r.item_id", "r.question", "r.theme_pos * 10000 + r.item_pos")
        item_audits: dict[tuple[str, str], int] = defaultdict(int)
        for row in item_rows:  # one answer per audit and item: answers are audits
            item_audits[row[0], row[1]] += row[8]
        tag_join = "JOIN checklist_item_tags tg ON tg.sha256 = r.sha AND tg.item_id = r.item_id"
        # audits per tag: the most-answered item carrying the tag (a floor on the true count)
        tag_audits = {
            (r[0], r[1]): r[2]
            for r in db.query(
                f"""SELECT checklist_id, tag, max(n) FROM (
                      SELECT g.checklist_id, tg.tag, f.item_id, sum(f.n) AS n FROM {t.fine} f
                      JOIN {t.grp} g ON g.rowid = f.gid
                      JOIN checklist_item_tags tg ON tg.sha256 = g.sha AND tg.item_id = f.item_id
                      GROUP BY 1, 2, 3) GROUP BY 1, 2"""
            )
        }
        theme_rows = t.groups("r.theme_id", "r.theme_title", "r.theme_pos")
        change = _compare(t, per_theme_phase)
        result = Findings(
            filter=flt,
            audits=audits,
            cases=cases,
            by_theme=_fold(theme_rows, lambda c, k: theme_audits[c, k]),
            by_tag=_fold(
                t.groups("tg.tag", "tg.tag_label", "tg.tag_kind || tg.tag", tag_join, "tg.tag_kind"),
                lambda c, k: tag_audits.get((c, k), 0),
            ),
            by_item=_fold(item_rows, lambda c, k: item_audits[c, k]),
            by_area=_fold(t.groups("r.area", "r.area", "r.area"), lambda c, k: area_audits.get((c, k), 0)),
            by_agency=_fold(
                t.groups("r.agency", "r.agency", "r.agency"), lambda c, k: agency_audits.get((c, k), 0)
            ),
            checklists=checklists,
            status_counts=status_counts,
            phase_counts=phase_counts,
            theme_change=change,
        )
    return result


def _compare(t: _Tables, per_theme_phase: dict, before: str = "baseline", after: str = "post_training"):
    rows = t.db.query(
        f"""SELECT r.checklist_id, r.theme_id, max(r.theme_title),
              sum(CASE WHEN r.phase = ? AND r.meets IS NOT NULL THEN r.n ELSE 0 END),
              sum(CASE WHEN r.phase = ? AND r.meets = 1 THEN r.n ELSE 0 END),
              sum(CASE WHEN r.phase = ? AND r.meets IS NOT NULL THEN r.n ELSE 0 END),
              sum(CASE WHEN r.phase = ? AND r.meets = 1 THEN r.n ELSE 0 END)
            FROM {t.view} r GROUP BY r.checklist_id, r.theme_id
            ORDER BY r.checklist_id, min(r.theme_pos)""",
        (before, before, after, after),
    )
    return tuple(
        Comparison(
            theme, title, cid,
            per_theme_phase.get((cid, theme, before), 0), b_rated, b_meets,
            per_theme_phase.get((cid, theme, after), 0), p_rated, p_meets,
        )
        for cid, theme, title, b_rated, b_meets, p_rated, p_meets in rows
    )


def compare_phases(db: Database, flt: AuditFilter | None = None) -> tuple[Comparison, ...]:
    """Per theme: baseline against post-training, for the filter with its phase ignored."""
    flt = AuditFilter(**{**(flt or AuditFilter()).__dict__, "phase": None})
    return findings(db, flt).theme_change
