"""Findings for one audit or a filtered set: share meeting the standard and the rating
distribution by theme, tag, item, area and agency; baseline against post-training.

All counting happens in SQL, in two passes over the answers: one groups every rated,
applicable answer into a small table of counts (checklist copy, item, rating, phase, area,
agency), one counts distinct audits per theme and per tag. Every view is then a GROUP BY over that
small table. Temporary tables live in memory (temp_store=MEMORY), never on disk.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import sqlcipher3

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


_PREFIX = "findings_"  # every temp table of ours starts so; leftovers are swept by this prefix
_ATTEMPTS = 3  # a DROP hit by a late interrupt is tried again (a new statement clears it)


def _drop(db: Database, names: list[str]) -> None:
    """Drop the tables, whatever interrupts meanwhile: an interrupt or Ctrl+C that lands
    here is raised again once every table is gone, so no case id stays behind."""
    delayed: BaseException | None = None
    for name in names:
        for attempt in range(_ATTEMPTS):
            try:
                db.conn.execute(f"DROP TABLE IF EXISTS {name}")
                break
            except sqlcipher3.Error as exc:
                if attempt == _ATTEMPTS - 1:
                    delayed = delayed or exc
            except BaseException as exc:  # KeyboardInterrupt: finish first
                delayed = delayed or exc
    if delayed is not None:
        raise delayed


def _sweep(db: Database) -> None:
    """Drop tables an earlier build left when it was stopped inside its own clean-up."""
    rows = db.query(
        "SELECT name FROM temp.sqlite_master WHERE type = 'table' AND name GLOB ?", (_PREFIX + "*",)
    )
    _drop(db, [f"temp.{r[0]}" for r in rows])


class _Tables:
    """The selection's temp tables: dropped on exit, and on any failure while they are made.

    Audits are keyed by small integers (their group: checklist copy, phase, area, agency),
    so the sorts behind GROUP BY and DISTINCT hold integers, not text: on 50,000 audits
    that is the difference between tens and hundreds of megabytes.
    """

    def __init__(self, db: Database, flt: AuditFilter) -> None:
        self.db = db
        n = next(_counter)
        self.grp, self.sel, self.fine, self.unit, self.aud = (
            f"temp.{_PREFIX}{kind}_{n}" for kind in ("grp", "sel", "fine", "unit", "aud")
        )
        _sweep(db)
        try:
            self._create(flt)
        except BaseException:  # interrupted (the GUI's Cancel), Ctrl+C or an SQL error
            with contextlib.suppress(BaseException):  # the first failure is the one to report
                self.drop()
            raise

    def _create(self, flt: AuditFilter) -> None:
        where, params = flt.where()
        c = self.db.conn
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
        # what an answer counts towards, per checklist copy: its theme (unit = theme_pos >= 0)
        # and each of its item's tags (unit < 0), so one pass finds the audits behind both
        c.execute(
            f"""CREATE TABLE {self.unit} AS
                SELECT ci.sha256 AS sha, ci.item_id, ci.scale, ci.theme_pos AS unit, NULL AS tag
                FROM checklist_items ci WHERE ci.sha256 IN (SELECT sha FROM {self.grp})
                UNION ALL
                SELECT tg.sha256, tg.item_id, ci.scale,
                       -dense_rank() OVER (PARTITION BY tg.sha256 ORDER BY tg.tag), tg.tag
                FROM checklist_item_tags tg
                JOIN checklist_items ci ON ci.sha256 = tg.sha256 AND ci.item_id = tg.item_id
                WHERE tg.sha256 IN (SELECT sha FROM {self.grp})"""
        )
        c.execute(f"CREATE INDEX {self.unit}_at ON {self.unit.removeprefix('temp.')} (sha, item_id)")
        # which audits count towards a share, per theme and per tag: those with an answer that
        # is rated (not 'not applicable'), so a cell's audit count is what its share rests on
        c.execute(
            f"""CREATE TABLE {self.aud} AS
                SELECT DISTINCT s.aid, s.gid, u.unit
                FROM {self.sel} s
                JOIN {self.grp} g ON g.rowid = s.gid
                JOIN answers an ON an.audit_id = s.id AND an.applies = 1 AND an.rating IS NOT NULL
                JOIN {self.unit} u ON u.sha = g.sha AND u.item_id = an.item_id
                JOIN checklist_levels l ON l.sha256 = g.sha AND l.scale = u.scale AND l.value = an.rating
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

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.drop()
            return
        with contextlib.suppress(BaseException):  # the first failure is the one to report
            self.drop()

    def drop(self) -> None:
        _drop(self.db, [self.aud, self.unit, self.fine, self.sel, self.grp])

    def per_audit(self, column: str) -> dict:
        """Audits with a rated answer counted in a share, per (checklist, group column)."""
        rows = self.db.query(
            f"""SELECT g.checklist_id, g.{column}, count(DISTINCT x.aid) FROM {self.aud} x
                JOIN {self.grp} g ON g.rowid = x.gid WHERE x.unit >= 0 GROUP BY 1, 2"""
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def theme_audits(self) -> dict[tuple[str, str, str], int]:
        """Distinct audits per (checklist, theme, phase) counted in the theme's share.
        Each audit sits in exactly one group, so per-group counts add up exactly."""
        rows = self.db.query(
            f"""SELECT g.checklist_id, t.theme_id, g.phase, sum(x.n) FROM (
                  SELECT gid, unit, count(*) AS n FROM {self.aud} WHERE unit >= 0 GROUP BY gid, unit) x
                JOIN {self.grp} g ON g.rowid = x.gid
                JOIN (SELECT DISTINCT sha256, theme_pos, theme_id FROM checklist_items) t
                  ON t.sha256 = g.sha AND t.theme_pos = x.unit
                GROUP BY 1, 2, 3"""
        )
        return {(r[0], r[1], r[2]): r[3] for r in rows}

    def tag_audits(self) -> dict[tuple[str, str], int]:
        """Distinct audits per (checklist, tag) with a rated answer on any item carrying it."""
        rows = self.db.query(
            f"""SELECT g.checklist_id, u.tag, sum(x.n) FROM (
                  SELECT gid, unit, count(*) AS n FROM {self.aud} WHERE unit < 0 GROUP BY gid, unit) x
                JOIN {self.grp} g ON g.rowid = x.gid
                JOIN (SELECT DISTINCT sha, unit, tag FROM {self.unit} WHERE unit < 0) u
                  ON u.sha = g.sha AND u.unit = x.unit
                GROUP BY 1, 2"""
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def copies(self) -> dict[str, int]:
        """Checklist copies in the selection, oldest first (as stored): later ones name things."""
        rows = self.db.query(
            f"""SELECT d.sha256 FROM checklist_defs d WHERE d.sha256 IN (SELECT sha FROM {self.grp})
                ORDER BY d.added_at, d.rowid"""
        )
        return {r[0]: i for i, r in enumerate(rows)}

    def groups(self, key: str, label: str, order: str, join: str = "", kind: str = "''"):
        """Per checklist copy, so each level's `meets` is that copy's own:
        (checklist, key, sha, label, kind, scale, value, level label, level pos, answers,
        rated answers, answers meeting the standard, order) rows."""
        return self.db.query(
            f"""SELECT r.checklist_id, {key}, r.sha, max({label}), max({kind}), r.scale, r.rating,
                       max(r.level_label), max(r.level_pos), sum(r.n),
                       sum(CASE WHEN r.meets IS NOT NULL THEN r.n ELSE 0 END),
                       sum(CASE WHEN r.meets = 1 THEN r.n ELSE 0 END), min({order})
                FROM {self.view} r {join}
                GROUP BY r.checklist_id, {key}, r.sha, r.scale, r.rating
                ORDER BY r.checklist_id, min({order}), {key}"""
        )


@dataclass
class _Group:
    label: str = ""
    kind: str = ""
    newest: int = -1  # the copy whose names are shown: the newest stored
    rated: int = 0
    meets: int = 0
    # (scale, value) -> [count, label, level position, copy the label is from]
    buckets: dict = field(default_factory=dict)


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
                Bucket(scale, value, b[1], b[0])
                for (scale, value), b in sorted(g.buckets.items(), key=lambda kv: (kv[0][0], kv[1][2]))
            ),
            g.kind,
        )
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
        copies = t.copies()
        per_theme_phase = t.theme_audits()
        theme_audits: dict[tuple[str, str], int] = defaultdict(int)
        for (cid, theme, _), n in per_theme_phase.items():
            theme_audits[cid, theme] += n  # an audit has one phase, so phases add up exactly
        area_audits = t.per_audit("area")
        agency_audits = t.per_audit("agency")
        tag_audits = t.tag_audits()
        item_rows = t.groups("r.item_id", "r.question", "r.theme_pos * 10000 + r.item_pos")
        item_audits: dict[tuple[str, str], int] = defaultdict(int)
        for row in item_rows:  # one answer per audit and item: its rated answers are its audits
            item_audits[row[0], row[1]] += row[10]
        tag_join = "JOIN checklist_item_tags tg ON tg.sha256 = r.sha AND tg.item_id = r.item_id"
        theme_rows = t.groups("r.theme_id", "r.theme_title", "r.theme_pos")
        change = _compare(t, per_theme_phase)
        result = Findings(
            filter=flt,
            audits=audits,
            cases=cases,
            by_theme=_fold(theme_rows, lambda c, k: theme_audits[c, k], copies),
            by_tag=_fold(
                t.groups("tg.tag", "tg.tag_label", "tg.tag_kind || tg.tag", tag_join, "tg.tag_kind"),
                lambda c, k: tag_audits.get((c, k), 0),
                copies,
            ),
            by_item=_fold(item_rows, lambda c, k: item_audits[c, k], copies),
            by_area=_fold(
                t.groups("r.area", "r.area", "r.area"), lambda c, k: area_audits.get((c, k), 0), copies
            ),
            by_agency=_fold(
                t.groups("r.agency", "r.agency", "r.agency"),
                lambda c, k: agency_audits.get((c, k), 0),
                copies,
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
