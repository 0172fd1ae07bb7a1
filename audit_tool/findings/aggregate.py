"""Findings for one audit or a filtered set: share meeting the standard and the rating
distribution by theme, tag, item, area and agency; baseline against post-training.

The counting happens in SQL over the selection's one pass over the answers (answer_pass.py):
its `fine` table holds every counted answer (rated and applicable, or an item hidden by a
failing answer, counted as not meeting the standard under the level HIDDEN_FAILS) as counts
per (checklist copy, item, rating, phase, area, agency); its per-audit tables give the
distinct audits per theme, tag, area and agency. Facts are left out of shares. Shares are
counted per checklist copy (each copy's own standard), then added up per checklist id.
Temporary tables live in memory (temp_store=MEMORY), never on disk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..filters import AuditFilter
from ..store import Database
from .answer_pass import AnswerPass
from .audit_level import AuditLevel, audit_level
from .cells import Cells
from .clustered import Interval, change_interval
from .stats import wilson

# The answers a share counts (counted.py): rated and shown, or hidden by a failing answer
# (Checklist.hidden_effect), which count as the level HIDDEN_FAILS, never meeting the standard.


@dataclass(frozen=True)
class Bucket:
    scale: str
    value: str
    label: str
    count: int
    pos: int = 0  # the level's place in its scale (best first), for a fixed column order


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
    # an anonymised release holds the share back (small numerator, all or none): reports/release.py
    withheld: bool = False

    @property
    def share(self) -> float | None:
        return self.meets / self.rated if self.rated and not self.withheld else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.meets, self.rated) if self.rated and not self.withheld else None


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
    # the change with its audit-level interval (case files as clusters), as the report shows it
    interval: Interval | None = None

    @property
    def base_share(self) -> float | None:
        return self.base_meets / self.base_rated if self.base_rated else None

    @property
    def post_share(self) -> float | None:
        return self.post_meets / self.post_rated if self.post_rated else None

    @property
    def change(self) -> tuple[float, float, float] | None:
        """(difference, low, high) as proportions, post-training minus baseline, with the one
        interval used everywhere: case files as clusters (findings/clustered.py), never the
        items as if independent. None without items rated in both phases in 2 or more files."""
        iv = self.interval
        return None if iv is None else (iv.estimate, iv.low, iv.high)


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
    # rated or 'not applicable' answers per (checklist copy sha, item, rating): one answer per
    # audit and item, so these are audits; disclosure control reads them, not the answers again
    answer_counts: tuple[tuple[str, str, str, int], ...] = ()

    @property
    def overall(self) -> GroupFinding:
        rated = sum(g.rated for g in self.by_theme)
        meets = sum(g.meets for g in self.by_theme)
        return GroupFinding("all", "All items", "", self.audits, rated, meets)


class _Tables:
    """The selection's one pass over the answers (answer_pass.py), read for findings: the
    caller's pass for the same filter, else one of our own, dropped on exit."""

    def __init__(self, db: Database, flt: AuditFilter, answers: AnswerPass | None = None) -> None:
        self.db = db
        self._own = answers is None or answers.db is not db or answers.filter != flt
        # the last line: a Ctrl+C before it leaves no table, one after it is inside `with`
        self.p = AnswerPass(db, flt) if self._own else answers

    @property
    def grp(self) -> str:
        return self.p.grp

    @property
    def fine(self) -> str:
        return self.p.fine

    @property
    def item_counts(self) -> str:
        """Counted answers (facts too) per (checklist, phase, item number, rating): the fine
        counts summed over area and agency, once for the items and the answer counts."""
        return self.p.table("findings_item_counts", f"""SELECT g.checklist_id, g.phase, f.itm,
                f.rating, sum(f.n) AS n
            FROM {self.fine} f JOIN {self.grp} g ON g.rowid = f.gid
            GROUP BY f.itm, f.rating, g.checklist_id, g.phase""")

    @property
    def items(self) -> str:
        """Scored answers per (checklist, phase, item, rating), counted over the pass's fine
        counts on integer keys first, then joined to the labels, theme and meets: the sorts
        behind the groupings hold a few hundred short rows, not the fine counts with the
        question's text. Items and the phase comparison read it."""
        return self.p.table("findings_items", f"""SELECT r.n, i.item_id, r.rating, s.sha,
                r.checklist_id, r.phase, ci.theme_id, ci.theme_title, ci.theme_pos,
                ci.item_pos, ci.question, ci.scale, l.label AS level_label,
                l.pos AS level_pos, l.meets
            FROM {self.item_counts} r
            JOIN {self.p.it} i ON i.itm = r.itm
            JOIN {self.p.sh} s ON s.sid = i.sid
            JOIN checklist_items ci ON ci.sha256 = s.sha AND ci.item_id = i.item_id
            JOIN checklist_levels l ON l.sha256 = s.sha AND l.scale = ci.scale AND l.value = r.rating
            WHERE ci.fact = 0""")  # facts are counted, never scored: findings/facts.py

    @property
    def places(self) -> str:
        """Scored answers per (audit group, scale, rating), with the group's area and agency
        and the level's label and meets: the area and agency groupings read it."""
        return self.p.table("findings_places", f"""SELECT r.n, g.sha, g.checklist_id, g.area,
                g.agency, r.scale, r.rating, l.label AS level_label, l.pos AS level_pos, l.meets
            FROM (SELECT f.gid, i.scale, f.rating, sum(f.n) AS n
                  FROM {self.fine} f JOIN {self.p.it} i ON i.itm = f.itm
                  WHERE i.fact = 0 GROUP BY f.gid, i.scale, f.rating) r
            JOIN {self.grp} g ON g.rowid = r.gid
            JOIN checklist_levels l ON l.sha256 = g.sha AND l.scale = r.scale AND l.value = r.rating""")

    def __enter__(self) -> _Tables:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own:
            self.p.__exit__(*exc)

    def audit_counts(self, cells: Cells | None = None) -> _AuditCounts:
        """Distinct audits with a rated answer per theme (and phase), tag, area and agency:
        the pass's per-audit rows (one per audit and theme, or audit and tag), counted.
        `cells`: those of the audit-level counts over the same pass, which hold the counts
        per theme, area and agency by phase already (an anonymised report's)."""
        ta, q = self.p.per_tag(), self.db.query
        out = _AuditCounts()
        if cells is not None:
            for (cid, theme, phase), cell in cells.theme_phase.items():
                out.theme_phase[cid, theme, phase] += cell.audits
                out.theme[cid, theme] += cell.audits
        else:
            for cid, theme, phase, n in q(
                f"SELECT cid, theme, phase, count(*) FROM {self.p.per_theme()} GROUP BY 1, 2, 3"
            ):
                out.theme_phase[cid, theme, phase] += n
                out.theme[cid, theme] += n
        # per checklist copy and tag number, named afterwards: the sort holds integers only
        # (a copy is of one checklist id; were one of two, by the id as well)
        copy_ids = q(f"SELECT DISTINCT sid, cid FROM {self.p.au}")
        cid_of = dict(copy_ids)
        by = "u.sid" if len(cid_of) == len(copy_ids) else "u.sid, u.cid"
        tag_of = dict(q(f"SELECT tid, tag FROM {self.p.tn}"))
        for sid, tid, n, cid in q(
            f"""SELECT u.sid, t.tid, count(*), max(u.cid) FROM {ta} t
                JOIN {self.p.au} u ON u.aid = t.aid GROUP BY {by}, t.tid"""
        ):
            out.tag[cid_of[sid] if by == "u.sid" else cid, tag_of[tid]] += n
        if cells is not None:
            for (cid, area, _), cell in cells.area_phase.items():
                out.area[cid, area] += cell.audits
            for (cid, agency, _), cell in cells.agency_phase.items():
                out.agency[cid, agency] += cell.audits
            return out
        # one row per audit with a rated item: the pass's per-audit table
        for cid, area, agency, n in q(
            f"SELECT cid, area, agency, count(*) FROM {self.p.per_audit()} GROUP BY 1, 2, 3"
        ):
            out.area[cid, area] += n
            out.agency[cid, agency] += n
        return out

    def copies(self) -> dict[str, int]:
        """Checklist copies in the selection, oldest first (as stored): later ones name things."""
        rows = self.db.query(
            f"""SELECT d.sha256 FROM checklist_defs d WHERE d.sha256 IN (SELECT sha FROM {self.grp})
                ORDER BY d.added_at, d.rowid"""
        )
        return {r[0]: i for i, r in enumerate(rows)}

    def theme_rows(self, item_rows: list[tuple]) -> list[tuple]:
        """The item rows of groups() regrouped by theme."""
        themes = self.db.query(
            f"""SELECT sha256, item_id, theme_id, theme_title, '', theme_pos FROM checklist_items
                WHERE sha256 IN (SELECT sha FROM {self.grp})"""
        )
        return _regroup(item_rows, themes)

    def tag_rows(self, item_rows: list[tuple]) -> list[tuple]:
        """The item rows of groups() regrouped by tag (an item may carry several)."""
        tags = self.db.query(
            f"""SELECT sha256, item_id, tag, tag_label, tag_kind, tag_kind || tag
                FROM checklist_item_tags WHERE sha256 IN (SELECT sha FROM {self.grp})"""
        )
        return _regroup(item_rows, tags)

    def groups(self, rows: str, key: str, label: str, order: str) -> list[tuple]:
        """Per checklist copy, so each level's `meets` is that copy's own:
        (checklist, key, sha, label, kind, scale, value, level label, level pos, answers,
        rated answers, answers meeting the standard, order) rows."""
        return self.db.query(
            f"""SELECT r.checklist_id, {key}, r.sha, max({label}), '', r.scale, r.rating,
                       max(r.level_label), max(r.level_pos), sum(r.n),
                       sum(CASE WHEN r.meets IS NOT NULL THEN r.n ELSE 0 END),
                       sum(CASE WHEN r.meets = 1 THEN r.n ELSE 0 END), min({order})
                FROM {rows} r
                GROUP BY r.checklist_id, {key}, r.sha, r.scale, r.rating
                ORDER BY r.checklist_id, min({order}), {key}"""
        )


def _regroup(item_rows: list[tuple], groups_of: list[tuple]) -> list[tuple]:
    """Rows per item (from groups()) as the rows groups() would give for a grouping of items:
    groups_of holds (sha, item, key, label, kind, order). Spares a join over the counts."""
    where: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for sha, item, *group in groups_of:
        where[sha, item].append(group)
    rows = [
        (r[0], key, r[2], label, kind, *r[5:12], order)
        for r in item_rows
        for key, label, kind, order in where.get((r[2], r[1]), ())
    ]
    return sorted(rows, key=lambda r: (r[0], r[12], r[1]))


@dataclass
class _AuditCounts:
    theme_phase: dict = field(default_factory=lambda: defaultdict(int))  # (checklist, theme, phase)
    theme: dict = field(default_factory=lambda: defaultdict(int))  # (checklist, theme)
    tag: dict = field(default_factory=lambda: defaultdict(int))  # (checklist, tag)
    area: dict = field(default_factory=lambda: defaultdict(int))  # (checklist, area)
    agency: dict = field(default_factory=lambda: defaultdict(int))  # (checklist, agency)


@dataclass
class _Group:
    label: str = ""
    kind: str = ""
    newest: int = -1  # the copy whose names are shown: the newest stored
    rated: int = 0
    meets: int = 0
    # (scale, value) -> [count, label, level position, copy the label is from]
    buckets: dict = field(default_factory=dict)


def _bucket_order(entry: tuple) -> tuple:
    (scale, _), (_, _, pos, _) = entry
    return (scale, pos)  # by scale, then the level's place in it (best first)


def _fold(rows, audits_of, copies: dict[str, int]) -> tuple[GroupFinding, ...]:
    """Add the per-copy rows (already counted in SQL) up into one finding per group: shares
    from each copy's own standard; one bucket per scale and value, named as in the newest copy."""
    out: dict[tuple[str, str], _Group] = {}
    for cid, key, sha, label, kind, scale, value, level_label, pos, n, rated, meets, _ in rows:
        g = out.setdefault((cid, key), _Group())
        age = copies[sha]
        if age > g.newest:
            g.label, g.kind, g.newest = label, kind or "", age
        g.rated += rated
        g.meets += meets
        b = g.buckets.setdefault((scale, value), [0, level_label, pos, age])
        b[0] += n
        if age > b[3]:
            b[1:] = [level_label, pos, age]
    return tuple(
        GroupFinding(
            str(key), g.label, cid, audits_of(cid, key), g.rated, g.meets,
            tuple(
                Bucket(scale, value, b[1], b[0], b[2])
                for (scale, value), b in sorted(g.buckets.items(), key=_bucket_order)
            ),
            g.kind,
        )
        for (cid, key), g in out.items()
    )


def findings(db: Database, flt: AuditFilter | None = None, *, answers: AnswerPass | None = None,
             level: AuditLevel | None = None) -> Findings:
    """Everything a findings screen or report needs, for one audit or a filtered set.
    `answers`: the selection's pass over the answers when the caller has made it (a report
    reads them once); `level`: its audit-level moments, whose changes give the intervals."""
    flt = flt or AuditFilter()
    with _Tables(db, flt, answers) as t:
        sel = t.p.au
        audits, cases = db.query_one(f"SELECT count(*), count(DISTINCT case_id) FROM {sel}")
        checklists = tuple(
            db.query(
                f"""SELECT d.checklist_id, d.version, d.title, count(*) FROM {sel} s
                    JOIN {t.grp} g ON g.rowid = s.gid JOIN checklist_defs d ON d.sha256 = g.sha
                    GROUP BY d.sha256 ORDER BY d.checklist_id, d.version"""
            )
        )
        status_counts = dict(db.query(f"SELECT status, count(*) FROM {sel} GROUP BY 1"))
        phase_counts = dict(db.query(f"SELECT phase, count(*) FROM {sel} GROUP BY 1"))
        copies = t.copies()
        # the audit-level cells came from the caller's pass, which is ours: its counts serve
        counted = t.audit_counts(level.cells if level is not None and not t._own else None)
        item_rows = t.groups(t.items, "r.item_id", "r.question", "r.theme_pos * 10000 + r.item_pos")
        item_audits: dict[tuple[str, str], int] = defaultdict(int)
        for row in item_rows:  # one answer per audit and item: its rated answers are its audits
            item_audits[row[0], row[1]] += row[10]
        theme_rows = t.theme_rows(item_rows)
        change = _compare(t, counted.theme_phase, _change_intervals(db, flt, phase_counts, t.p, level))
        result = Findings(
            filter=flt,
            audits=audits,
            cases=cases,
            by_theme=_fold(theme_rows, lambda c, k: counted.theme.get((c, k), 0), copies),
            by_tag=_fold(t.tag_rows(item_rows), lambda c, k: counted.tag.get((c, k), 0), copies),
            by_item=_fold(item_rows, lambda c, k: item_audits[c, k], copies),
            by_area=_fold(
                t.groups(t.places, "r.area", "r.area", "r.area"), lambda c, k: counted.area.get((c, k), 0), copies
            ),
            by_agency=_fold(
                t.groups(t.places, "r.agency", "r.agency", "r.agency"),
                lambda c, k: counted.agency.get((c, k), 0),
                copies,
            ),
            checklists=checklists,
            status_counts=status_counts,
            phase_counts=phase_counts,
            theme_change=change,
            answer_counts=tuple(
                db.query(  # on integers first: the sort holds no text
                    f"""SELECT s.sha, i.item_id, r.rating, r.n
                        FROM (SELECT itm, rating, sum(n) AS n FROM {t.item_counts}
                              GROUP BY itm, rating) r
                        JOIN {t.p.it} i ON i.itm = r.itm JOIN {t.p.sh} s ON s.sid = i.sid
                        ORDER BY 1, 2, 3"""
                )
            ),
        )
    return result


def _change_intervals(db: Database, flt: AuditFilter, phase_counts: dict, answers: AnswerPass,
                      level: AuditLevel | None = None) -> dict:
    """Per (checklist, theme): the case-file-clustered interval of the change (the report's);
    worked out only where the selection holds both phases."""
    if not (phase_counts.get("baseline") and phase_counts.get("post_training")):
        return {}
    if level is None:
        level = audit_level(db, flt, tag_kinds=(), answers=answers)
    return {key: change_interval(m) for key, m in level.change.items()}


def _compare(t: _Tables, per_theme_phase: dict, intervals: dict,
             before: str = "baseline", after: str = "post_training"):
    rows = t.db.query(
        f"""SELECT r.checklist_id, r.theme_id, max(r.theme_title),
              sum(CASE WHEN r.phase = ? AND r.meets IS NOT NULL THEN r.n ELSE 0 END),
              sum(CASE WHEN r.phase = ? AND r.meets = 1 THEN r.n ELSE 0 END),
              sum(CASE WHEN r.phase = ? AND r.meets IS NOT NULL THEN r.n ELSE 0 END),
              sum(CASE WHEN r.phase = ? AND r.meets = 1 THEN r.n ELSE 0 END)
            FROM {t.items} r GROUP BY r.checklist_id, r.theme_id
            ORDER BY r.checklist_id, min(r.theme_pos)""",
        (before, before, after, after),
    )
    return tuple(
        Comparison(
            theme, title, cid,
            per_theme_phase.get((cid, theme, before), 0), b_rated, b_meets,
            per_theme_phase.get((cid, theme, after), 0), p_rated, p_meets,
            intervals.get((cid, theme)),
        )
        for cid, theme, title, b_rated, b_meets, p_rated, p_meets in rows
    )


def compare_phases(db: Database, flt: AuditFilter | None = None) -> tuple[Comparison, ...]:
    """Per theme: baseline against post-training, for the filter with its phase ignored."""
    flt = AuditFilter(**{**(flt or AuditFilter()).__dict__, "phase": None})
    return findings(db, flt).theme_change
