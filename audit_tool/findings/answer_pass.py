"""The selection's answers, read once for every figure of a report (issue 22).

One scan of the answers joined to the selection's audits writes a temporary table `ai` of
small integers and the rating: (audit, its group, its record key, item, rating, meets) for
every counted answer (rated and shown, or hidden by a failing answer: counted.py), facts
included. Everything the sections count is then a GROUP BY over that table and the small
definition tables, never the answers again:
- `fine`: answers per (audit group, item, rating) with their record-key sums: findings'
  shares and distributions (aggregate.py), the item cells (cells.py), answer counts;
- `atv`: answers per (audit, theme, rating), one row each (a rating's meets and whether it
  is a fact follow from its scale), with the audit's key and checklist number: `th` and
  the rating-bucket cells;
- `th` / `pa` / `ta`: per (audit, theme), audit and (audit, tag), items rated and meeting:
  the moments behind every interval and the distinct-audit counts of findings;
- facts (facts.py) read their values from it.

Audit groups are (checklist copy, checklist id, phase, area, agency), numbered, and so are
checklist ids (cno) and themes (thm), in their text order, and audits (aid) by group: the
sorts behind GROUP BY hold integers, mostly of rows already in order (the answers come out
audit by audit), and come out in the order the text would give. Tables live in memory (temp_store=MEMORY) and are dropped on
close, also when a build is interrupted; the names start with PREFIX, so a pass stopped
inside its own clean-up is swept by the next one (sweep_tables).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import replace

import sqlcipher3

from ..filters import AuditFilter
from ..store import Database
from .counted import COUNTED_ANSWER, COUNTED_RATING

_counter = itertools.count()
PREFIX = "findings_"  # every temp table of findings starts so; leftovers are swept by it
_ATTEMPTS = 3  # a DROP hit by a late interrupt is tried again (a new statement clears it)

QUARTER_SQL = (
    "CASE WHEN a.finalised_at IS NULL THEN NULL ELSE substr(a.finalised_at, 1, 4) || ' Q' || "
    "((CAST(substr(a.finalised_at, 6, 2) AS INTEGER) + 2) / 3) END"
)


def drop_tables(db: Database, names: list[str]) -> None:
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


def sweep_tables(db: Database) -> None:
    """Drop tables an earlier build left when it was stopped inside its own clean-up."""
    rows = db.query(
        "SELECT name FROM temp.sqlite_master WHERE type = 'table' AND name GLOB ?", (PREFIX + "*",)
    )
    drop_tables(db, [f"temp.{r[0]}" for r in rows])


class AnswerPass:
    """The temporary tables of one selection (see the module notes); a context manager.
    Table names are attributes: grp, sh, cn, tm, au, it, ix, vl, lv, tn, tg, td, ai, fine;
    atv, th, pa, ta
    are made on first use (per_theme(), per_audit(), per_tag()), and a caller's own tables
    over them by table(). `keyed` (an anonymised release): each audit carries its record key
    (au.k, fine.ks); else the keys read 0."""

    def __init__(self, db: Database, flt: AuditFilter | None = None, keyed: bool = False) -> None:
        self.db, self.filter, self.keyed = db, flt or AuditFilter(), keyed
        n = next(_counter)
        names = ("grp", "sh", "cn", "tm", "au", "it", "ix", "vl", "lv", "tn", "tg", "td", "ai", "fine",
                 "atv", "th", "ta", "pa")
        for kind in names:
            setattr(self, kind, f"temp.{PREFIX}ap_{kind}_{n}")
        self._made: set[str] = set()
        self._n, self._extra = n, []
        sweep_tables(db)
        try:
            self._create()
        except BaseException:  # interrupted (the GUI's Cancel), Ctrl+C or an SQL error
            with contextlib.suppress(BaseException):  # the first failure is the one to report
                self.close()
            raise

    def covers(self, flt: AuditFilter) -> bool:
        """Whether `flt` selects the pass's audits, or those of one checklist among them."""
        return replace(flt, checklist_id=self.filter.checklist_id) == self.filter and (
            self.filter.checklist_id in (None, flt.checklist_id))

    def _create(self) -> None:
        where, params = self.filter.where()
        c = self.db.conn
        c.execute(
            f"""CREATE TABLE {self.grp} (gid INTEGER PRIMARY KEY, sha TEXT, checklist_id TEXT,
                phase TEXT, area TEXT, agency TEXT)"""
        )
        c.execute(
            f"""INSERT INTO {self.grp} (sha, checklist_id, phase, area, agency)
                SELECT DISTINCT a.checklist_sha, a.checklist_id, a.phase, c.area, c.agency
                FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}""",
            params,
        )
        c.execute(f"CREATE TABLE {self.sh} (sid INTEGER PRIMARY KEY, sha TEXT UNIQUE)")
        c.execute(f"INSERT INTO {self.sh} (sha) SELECT DISTINCT sha FROM {self.grp}")
        # checklist ids and themes numbered in their text order: the per-audit groupings sort
        # on integers and come out in the order the text would give
        c.execute(f"CREATE TABLE {self.cn} (cno INTEGER PRIMARY KEY, cid TEXT UNIQUE)")
        c.execute(f"""INSERT INTO {self.cn} (cid) SELECT DISTINCT checklist_id FROM {self.grp}
                      ORDER BY checklist_id""")
        c.execute(f"CREATE TABLE {self.tm} (thm INTEGER PRIMARY KEY, theme TEXT UNIQUE)")
        c.execute(
            f"""INSERT INTO {self.tm} (theme) SELECT DISTINCT ci.theme_id FROM checklist_items ci
                WHERE ci.sha256 IN (SELECT sha FROM {self.sh}) ORDER BY ci.theme_id"""
        )
        # audits numbered by group: the answers' rows come out grouped as `fine` sums them
        c.execute(
            f"""CREATE TABLE {self.au} (aid INTEGER PRIMARY KEY, id TEXT, sid INTEGER,
                gid INTEGER, case_id TEXT, cid TEXT, phase TEXT, area TEXT, agency TEXT,
                quarter TEXT, status TEXT, k INTEGER, cno INTEGER, cse INTEGER)"""
        )
        c.execute(
            f"""INSERT INTO {self.au} SELECT NULL, a.id, s.sid, g.gid, a.case_id,
                       a.checklist_id, a.phase, c.area, c.agency, {QUARTER_SQL}, a.status,
                       {"coalesce(k.record_key, 0)" if self.keyed else "0"}, n.cno, c.rowid
                FROM audits a JOIN cases c ON c.id = a.case_id
                {"LEFT JOIN audit_keys k ON k.audit_id = a.id" if self.keyed else ""}
                JOIN {self.sh} s ON s.sha = a.checklist_sha
                JOIN {self.grp} g ON g.sha = a.checklist_sha AND g.phase = a.phase
                     AND g.area = c.area AND g.agency = c.agency
                JOIN {self.cn} n ON n.cid = a.checklist_id
                WHERE {where} ORDER BY g.gid, a.rowid""",
            params,
        )
        c.execute(
            f"""CREATE TABLE {self.it} (itm INTEGER PRIMARY KEY, sid INTEGER, item_id TEXT,
                theme TEXT, scale TEXT, fact INTEGER, thm INTEGER, UNIQUE (sid, item_id))"""
        )
        c.execute(
            f"""INSERT INTO {self.it} (sid, item_id, theme, scale, fact, thm)
                SELECT s.sid, ci.item_id, ci.theme_id, ci.scale, ci.fact, t.thm
                FROM {self.sh} s JOIN checklist_items ci ON ci.sha256 = s.sha
                JOIN {self.tm} t ON t.theme = ci.theme_id
                ORDER BY s.sid, ci.item_id"""
        )
        # the read's item lookup: one search of a covering key, no second one by rowid
        c.execute(
            f"""CREATE TABLE {self.ix} (sid INTEGER, item_id TEXT, itm INTEGER, thm INTEGER,
                fact INTEGER, PRIMARY KEY (sid, item_id)) WITHOUT ROWID"""
        )
        c.execute(f"INSERT INTO {self.ix} SELECT sid, item_id, itm, thm, fact FROM {self.it}")
        # (scale, value) numbered: the rating buckets group on integers
        c.execute(f"CREATE TABLE {self.vl} (vid INTEGER PRIMARY KEY, scale TEXT, value TEXT)")
        c.execute(
            f"""INSERT INTO {self.vl} (scale, value) SELECT DISTINCT l.scale, l.value
                FROM checklist_levels l WHERE l.sha256 IN (SELECT sha FROM {self.sh})"""
        )
        # every level of every item (by its number, one copy's): meets 1, 0, or NULL (not
        # rated, or a fact)
        c.execute(
            f"""CREATE TABLE {self.lv} (itm INTEGER, value TEXT, meets INTEGER, vid INTEGER,
                PRIMARY KEY (itm, value)) WITHOUT ROWID"""
        )
        c.execute(
            f"""INSERT INTO {self.lv} SELECT i.itm, l.value, l.meets, w.vid
                FROM {self.sh} s
                JOIN {self.it} i ON i.sid = s.sid
                JOIN checklist_levels l ON l.sha256 = s.sha AND l.scale = i.scale
                JOIN {self.vl} w ON w.scale = l.scale AND w.value = l.value"""
        )
        # tags numbered, every kind (audit_level keeps the kinds it reports)
        c.execute(f"CREATE TABLE {self.tn} (tid INTEGER PRIMARY KEY, tag TEXT UNIQUE)")
        c.execute(
            f"""INSERT INTO {self.tn} (tag) SELECT DISTINCT tag FROM checklist_item_tags
                WHERE sha256 IN (SELECT sha FROM {self.sh})"""
        )
        c.execute(
            f"""CREATE TABLE {self.tg} (itm INTEGER, tid INTEGER, kind TEXT,
                PRIMARY KEY (itm, tid, kind)) WITHOUT ROWID"""
        )
        c.execute(
            f"""INSERT OR IGNORE INTO {self.tg} SELECT i.itm, n.tid, t.tag_kind FROM {self.it} i
                JOIN {self.sh} s ON s.sid = i.sid
                JOIN checklist_item_tags t ON t.sha256 = s.sha AND t.item_id = i.item_id
                JOIN {self.tn} n ON n.tag = t.tag"""
        )
        # (item, tag) once whatever the kinds: per_tag() joins the answers to it
        c.execute(f"""CREATE TABLE {self.td} (itm INTEGER, tid INTEGER, PRIMARY KEY (itm, tid))
                      WITHOUT ROWID""")
        c.execute(f"INSERT INTO {self.td} SELECT DISTINCT itm, tid FROM {self.tg}")
        # the one read of the answers
        c.execute(
            f"""CREATE TABLE {self.ai} AS
                SELECT u.aid, u.gid, u.k, i.itm, {COUNTED_RATING} AS rating, l.meets, l.vid, i.fact,
                       u.cno, i.thm
                FROM {self.au} u
                JOIN answers an ON an.audit_id = u.id AND {COUNTED_ANSWER}
                JOIN {self.ix} i ON i.sid = u.sid AND i.item_id = an.item_id
                LEFT JOIN {self.lv} l ON l.itm = i.itm AND l.value = {COUNTED_RATING}"""
        )
        c.execute(
            f"""CREATE TABLE {self.fine} AS
                SELECT f.gid, f.itm, i.item_id, f.rating, f.n, f.ks, f.meets, f.fact
                FROM (SELECT gid, itm, rating, count(*) AS n, sum(k) AS ks, max(meets) AS meets,
                             max(fact) AS fact
                      FROM {self.ai} GROUP BY gid, itm, rating) f
                JOIN {self.it} i ON i.itm = f.itm"""
        )

    def per_theme(self) -> str:
        """`atv` (aid, thm, vid, meets, fact, n, k, cno): answers per audit, theme number and
        rating, with the audit's record key and checklist number; and `th`, per audit and
        theme, items rated (n) and meeting (m), with the audit's columns (and cno, thm)."""
        if "th" not in self._made:
            c = self.db.conn
            # integer keys, the audit first (the answers' rows come in audit order): the
            # cheapest sort; k and cno ride along so later groupings join nothing per row
            c.execute(
                f"""CREATE TABLE {self.atv} AS
                    SELECT aid, thm, vid, meets, fact, count(*) AS n, max(k) AS k, max(cno) AS cno
                    FROM {self.ai} GROUP BY aid, thm, vid, meets, fact"""
            )
            self._made.add("atv")
            c.execute(
                f"""CREATE TABLE {self.th} AS
                    SELECT u.aid, u.case_id, u.cid, u.phase, u.area, u.agency, u.quarter, u.k,
                           tm.theme, t.m, t.n, u.cno, t.thm, u.cse
                    FROM (SELECT aid, thm, sum(n * meets) AS m, sum(n) AS n FROM {self.atv}
                          WHERE meets IS NOT NULL GROUP BY aid, thm) t
                    JOIN {self.au} u ON u.aid = t.aid JOIN {self.tm} tm ON tm.thm = t.thm"""
            )
            self._made.add("th")
        return self.th

    def per_audit(self) -> str:
        """(aid, k, cid, phase, area, agency, quarter, m, n): per audit with a rated item,
        items rated and meeting over all its themes."""
        if "pa" not in self._made:
            th = self.per_theme()
            self.db.conn.execute(
                f"""CREATE TABLE {self.pa} AS SELECT aid, k, cid, phase, area, agency, quarter,
                    sum(m) AS m, sum(n) AS n FROM {th} GROUP BY aid"""
            )
            self._made.add("pa")
        return self.pa

    def per_tag(self) -> str:
        """(aid, tid, m, n): per audit and tag (any kind), items rated and meeting."""
        if "ta" not in self._made:
            self.db.conn.execute(
                f"""CREATE TABLE {self.ta} AS
                    SELECT x.aid, g.tid, sum(x.meets) AS m, count(*) AS n
                    FROM {self.ai} x JOIN {self.td} g ON g.itm = x.itm
                    WHERE x.meets IS NOT NULL GROUP BY x.aid, g.tid"""
            )
            self._made.add("ta")
        return self.ta

    def table(self, kind: str, select: str, params: tuple = ()) -> str:
        """A temp table `kind` made once from `select` (over the pass's tables), dropped with
        the pass; its name."""
        name = f"temp.{PREFIX}ap_x{kind}_{self._n}"
        if name not in self._extra:
            self._extra.append(name)  # first: a failing CREATE still leaves nothing behind
            self.db.conn.execute(f"CREATE TABLE {name} AS {select}", params)
        return name

    def close(self) -> None:
        drop_tables(self.db, [*reversed(self._extra), self.pa, self.ta, self.th, self.atv,
                              self.fine, self.ai, self.td, self.tg, self.tn, self.lv, self.vl,
                              self.ix, self.it, self.au, self.tm, self.cn, self.sh, self.grp])
        self._made.clear()
        self._extra.clear()

    def __enter__(self) -> AnswerPass:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.close()
            return
        with contextlib.suppress(BaseException):  # the first failure is the one to report
            self.close()


@contextlib.contextmanager
def answer_pass(db: Database, flt: AuditFilter, given: AnswerPass | None = None,
                keyed: bool = False) -> Iterator[AnswerPass]:
    """`given` when it is of the same selection (and keyed, if `keyed`), left open for its
    owner; else a pass of our own, closed on the way out."""
    if given is not None and given.db is db and flt == given.filter and (given.keyed or not keyed):
        yield given
        return
    with AnswerPass(db, flt, keyed) as own:
        yield own


__all__ = ["PREFIX", "QUARTER_SQL", "AnswerPass", "answer_pass", "drop_tables", "sweep_tables"]
