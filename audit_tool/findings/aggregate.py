"""Findings for one audit or a filtered set: share meeting the standard and the rating
distribution by theme, tag, item, area and agency; baseline against post-training.

All counting happens in SQL. The rated answers of the selection are gathered once into
an in-memory temporary table (temp_store=MEMORY: never on disk), then grouped per view.
"""

from __future__ import annotations

import itertools
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
    audits: int  # distinct audits contributing
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

    @property
    def overall(self) -> GroupFinding:
        rated = sum(g.rated for g in self.by_theme)
        meets = sum(g.meets for g in self.by_theme)
        return GroupFinding("all", "All items", "", self.audits, rated, meets)


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
        """(difference, low, high) in proportion points, post minus baseline."""
        if not (self.base_rated and self.post_rated):
            return None
        return newcombe(self.base_meets, self.base_rated, self.post_meets, self.post_rated)


def _gather(db: Database, flt: AuditFilter) -> str:
    """Collect the selection's rated, applicable answers into a temp table; return its name."""
    name = f"temp.findings_{next(_counter)}"
    where, params = flt.where()
    db.conn.execute(
        f"""CREATE TABLE {name} AS
        SELECT a.id AS audit_id, a.checklist_id, a.phase, c.area, c.agency, a.checklist_sha AS sha,
               ci.item_id, ci.theme_id, ci.theme_title, ci.theme_pos, ci.item_pos, ci.question,
               ci.scale, an.rating, l.label AS level_label, l.pos AS level_pos, l.meets
        FROM audits a
        JOIN cases c ON c.id = a.case_id
        JOIN answers an ON an.audit_id = a.id AND an.applies = 1 AND an.rating IS NOT NULL
        JOIN checklist_items ci ON ci.sha256 = a.checklist_sha AND ci.item_id = an.item_id
        JOIN checklist_levels l ON l.sha256 = a.checklist_sha AND l.scale = ci.scale
             AND l.value = an.rating
        WHERE {where}""",
        params,
    )
    return name


def _groups(db: Database, table: str, key: str, label: str, order: str, join: str = "",
            kind: str = "''") -> tuple[GroupFinding, ...]:
    totals = db.query(
        f"""SELECT r.checklist_id, {key}, max({label}), count(DISTINCT r.audit_id),
                   sum(r.meets IS NOT NULL), coalesce(sum(r.meets), 0), max({kind})
            FROM {table} r {join}
            GROUP BY r.checklist_id, {key} ORDER BY r.checklist_id, {order}"""
    )
    dist: dict[tuple[str, str], list[Bucket]] = {}
    for cid, k, scale, value, lab, n in db.query(
        f"""SELECT r.checklist_id, {key}, r.scale, r.rating, max(r.level_label), count(*)
            FROM {table} r {join}
            GROUP BY r.checklist_id, {key}, r.scale, r.rating
            ORDER BY r.checklist_id, {key}, r.scale, min(r.level_pos)"""
    ):
        dist.setdefault((cid, k), []).append(Bucket(scale, value, lab, n))
    return tuple(
        GroupFinding(str(k), lab, cid, audits, rated, meets, tuple(dist.get((cid, k), ())), kind_)
        for cid, k, lab, audits, rated, meets, kind_ in totals
    )


def findings(db: Database, flt: AuditFilter | None = None) -> Findings:
    flt = flt or AuditFilter()
    where, params = flt.where()
    audits, cases = db.query_one(
        f"SELECT count(*), count(DISTINCT a.case_id) FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}",
        params,
    )
    checklists = tuple(
        db.query(
            f"""SELECT d.checklist_id, d.version, d.title, count(*) FROM audits a
                JOIN cases c ON c.id = a.case_id JOIN checklist_defs d ON d.sha256 = a.checklist_sha
                WHERE {where} GROUP BY d.sha256 ORDER BY d.checklist_id, d.version""",
            params,
        )
    )
    status_counts = dict(
        db.query(f"SELECT a.status, count(*) FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where} GROUP BY 1", params)
    )
    phase_counts = dict(
        db.query(f"SELECT a.phase, count(*) FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where} GROUP BY 1", params)
    )
    table = _gather(db, flt)
    try:
        tag_join = "JOIN checklist_item_tags t ON t.sha256 = r.sha AND t.item_id = r.item_id"
        result = Findings(
            filter=flt,
            audits=audits,
            cases=cases,
            by_theme=_groups(db, table, "r.theme_id", "r.theme_title", "min(r.theme_pos)"),
            by_tag=_groups(db, table, "t.tag", "t.tag_label", "max(t.tag_kind), t.tag", tag_join, "t.tag_kind"),
            by_item=_groups(db, table, "r.item_id", "r.question", "min(r.theme_pos), min(r.item_pos)"),
            by_area=_groups(db, table, "r.area", "r.area", "r.area"),
            by_agency=_groups(db, table, "r.agency", "r.agency", "r.agency"),
            checklists=checklists,
            status_counts=status_counts,
            phase_counts=phase_counts,
        )
    finally:
        db.conn.execute(f"DROP TABLE IF EXISTS {table}")
    return result


def compare_phases(
    db: Database, flt: AuditFilter | None = None, before: str = "baseline", after: str = "post_training",
    by: str = "theme",
) -> tuple[Comparison, ...]:
    """Per theme (or tag): baseline against post-training, for the same filter otherwise."""
    flt = flt or AuditFilter()
    base = AuditFilter(**{**flt.__dict__, "phase": None})
    table = _gather(db, base)
    try:
        if by == "tag":
            key, label, join, order = "t.tag", "t.tag_label", (
                "JOIN checklist_item_tags t ON t.sha256 = r.sha AND t.item_id = r.item_id"
            ), "t.tag"
        else:
            key, label, join, order = "r.theme_id", "r.theme_title", "", "min(r.theme_pos)"
        rows = db.query(
            f"""SELECT r.checklist_id, {key}, max({label}),
                  count(DISTINCT CASE WHEN r.phase = ? THEN r.audit_id END),
                  sum(CASE WHEN r.phase = ? AND r.meets IS NOT NULL THEN 1 ELSE 0 END),
                  sum(CASE WHEN r.phase = ? AND r.meets = 1 THEN 1 ELSE 0 END),
                  count(DISTINCT CASE WHEN r.phase = ? THEN r.audit_id END),
                  sum(CASE WHEN r.phase = ? AND r.meets IS NOT NULL THEN 1 ELSE 0 END),
                  sum(CASE WHEN r.phase = ? AND r.meets = 1 THEN 1 ELSE 0 END)
                FROM {table} r {join}
                GROUP BY r.checklist_id, {key} ORDER BY r.checklist_id, {order}""",
            (before, before, before, after, after, after),
        )
    finally:
        db.conn.execute(f"DROP TABLE IF EXISTS {table}")
    return tuple(Comparison(str(r[1]), r[2], r[0], *r[3:]) for r in rows)
