"""Facts recorded in audits (items on a fact scale: sex, substances, services involved),
counted, never scored: "7 of 12 audits".

Per checklist and phase (and all phases together): for each fact item, how many audits gave
each value, and how many gave none. For a fact item with `breakdown = true`, the same
again within each of its values (the group "women's deaths"), with every other fact item's
counts and every rated item's share meeting the standard inside the group.

Counted in SQL over the selection's one pass (answer_pass.py): audits and the sum of their
record keys per phase, item and value, so an anonymised release perturbs each count from
(count, key sum) as every other count of audits, without lists of audit ids.
No disclosure control here: the report applies it (reports/facts_section.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ..filters import AuditFilter
from ..store import Database
from .answer_pass import AnswerPass

ALL_PHASES = ""  # the phase key of the counts over every phase together


@dataclass(frozen=True)
class ValueCount:
    value: str  # "" for audits that gave no answer
    label: str
    audits: int


@dataclass(frozen=True)
class FactCount:
    """One fact item over a set of audits: values (file order) then "No answer"; the counts
    add up to `audits`."""

    item_id: str
    question: str
    audits: int
    values: tuple[ValueCount, ...]
    # multiple choice: one count per option ticked ("7 of 12 audits ticked Opioids"); the
    # option counts do not add up to `audits`, only "No answer" is exclusive
    multiple: bool = False

    def count(self, value: str) -> int:
        return next((v.audits for v in self.values if v.value == value), 0)


@dataclass(frozen=True)
class ItemShare:
    item_id: str
    question: str
    audits: int  # audits in the group that rated the item (or had it fail by hiding)
    meets: int

    @property
    def share(self) -> float | None:
        return self.meets / self.audits if self.audits else None


@dataclass(frozen=True)
class Group:
    """The audits whose breakdown item has one value: its noun, size, facts and shares."""

    item_id: str
    value: str
    label: str
    noun: str  # "women's deaths", else "audits where <question> was <label>"
    audits: int
    facts: tuple[FactCount, ...]
    shares: tuple[ItemShare, ...]


@dataclass(frozen=True)
class Breakdown:
    item_id: str
    question: str
    title: str  # the fact scale's title ("Sex"): what the report splits by
    groups: tuple[Group, ...]  # one per value, file order (values nobody gave included)


@dataclass(frozen=True)
class FactFindings:
    checklist_id: str
    title: str
    phase: str  # a Phase value, or ALL_PHASES
    audits: int
    facts: tuple[FactCount, ...]
    breakdowns: tuple[Breakdown, ...]


NO_ANSWER = "No answer"


def group_noun(question: str, label: str, group_label: str) -> str:
    return group_label.strip() or f"audits where '{question.rstrip('?')}' was {label}"


def exact(audits: int, key_sum: int) -> int:
    """A count of audits as it is (an identifiable report)."""
    return audits


def fact_findings(db: Database, flt: AuditFilter | None = None,
                  shown: Callable[[int, int], int] | None = None, *,
                  answers: AnswerPass | None = None) -> tuple[FactFindings, ...]:
    """Every checklist in the selection with at least one fact item: all phases first, then
    each phase present. Labels come from the newest stored copy of each checklist.
    `shown(audits, key_sum)`: how a count of audits (with the sum of their record keys) is
    published; exact when None, else an anonymised release's perturbation (reports/tally.py),
    read from a keyed pass. `answers`: the report's pass over the answers, when it covers
    `flt` (its filter, or one checklist of it) and carries the keys `shown` needs."""
    flt = flt or AuditFilter()
    keyed = shown is not None
    if (answers is not None and answers.db is db and answers.covers(flt)
            and (answers.keyed or not keyed)):
        return _facts(db, flt, shown or exact, answers)
    with AnswerPass(db, flt, keyed=keyed) as own:
        return _facts(db, flt, shown or exact, own)


def _facts(db: Database, flt: AuditFilter, shown, p: AnswerPass) -> tuple[FactFindings, ...]:
    one = "WHERE u.cid = ?" if flt.checklist_id is not None else ""
    audits = db.query(
        f"""SELECT u.cid, s.sha, u.phase, count(*), sum(u.k) FROM {p.au} u
            JOIN {p.sh} s ON s.sid = u.sid {one} GROUP BY 1, 2, 3""",
        (flt.checklist_id,) if one else (),
    )
    by_checklist: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for cid, sha, phase, n, ks in audits:
        by_checklist[cid].append((sha, phase, n, ks))
    out: list[FactFindings] = []
    for cid in sorted(by_checklist):
        rows = by_checklist[cid]
        shas = sorted({s for s, _, _, _ in rows})
        newest = db.query_one(
            f"""SELECT sha256 FROM checklist_defs WHERE checklist_id = ? AND sha256 IN
                ({",".join("?" * len(shas))}) ORDER BY added_at DESC, rowid DESC""",
            (cid, *shas),
        )[0]
        d = db.checklist(newest).definition
        fact_items = [i for _, i in d.items() if d.scale_of(i).is_fact]
        if not fact_items:
            continue
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for _, phase, n, ks in rows:
            for key in (ALL_PHASES, phase):
                totals[key][0] += n
                totals[key][1] += ks
        counted = _Counted(db, p, cid, d, fact_items)
        for phase in [ALL_PHASES, *sorted({r[1] for r in rows}, key=_phase_order)]:
            out.append(_one(d, phase, tuple(totals[phase]), counted, fact_items, shown))
    return tuple(out)


def _phase_order(phase: str) -> int:
    from ..domain import Phase

    order = [p.value for p in Phase]
    return order.index(phase) if phase in order else len(order)


def _add(into: dict, key: tuple, value: str | None, n: int, ks: int) -> None:
    """Counts and key sums of disjoint sets of audits add up: per phase and over all."""
    for k in ((ALL_PHASES, *key[1:]), key):
        got = into.setdefault(k, {}).setdefault(value, [0, 0])
        got[0] += n
        got[1] += ks


class _Counted:
    """The checklist's answers in the pass, counted in SQL: audits (count, key sum) per phase
    and fact item and value given (facts as given; an audit answers an item once, so the
    sets are disjoint and add up); where a breakdown splits, the same within each group, the
    groups' sizes and, per rated item, the audits counted in its share and those meeting."""

    def __init__(self, db: Database, p: AnswerPass, cid: str, d, fact_items) -> None:
        self.values: dict[tuple, dict] = {}  # (phase, group, item) -> {value: [n, ks]}
        self.sizes: dict[tuple, dict] = {}  # (phase, (item, value)) -> {None: [n, ks]}
        self.shares: dict[tuple, list[int]] = {}  # (phase, group, item) -> [n, ks, met, met ks]
        self._ticked: dict[tuple, set[str]] = {}  # (id(scale), value) -> options ticked
        # the pass's fine counts (answers and key sums per audit group, item and rating)
        # hold these already, in a quarter of the rows of its answers
        for phase, item, value, n, ks in db.query(
            f"""SELECT g.phase, f.item_id, f.rating, sum(f.n), sum(f.ks) FROM {p.fine} f
                JOIN {p.grp} g ON g.gid = f.gid WHERE g.checklist_id = ? AND f.fact = 1
                GROUP BY 1, 2, 3""", (cid,)):
            _add(self.values, (phase, None, item), value, n, ks)
        split = [i.id for i in fact_items if i.breakdown and not d.scale_of(i).is_multiple]
        if not split:
            return
        # a group: the audits whose answer to the breakdown item reads its value; each with
        # its phase and record key, so the answers are not joined to their audits again
        groups = p.table(
            f"fact_groups_{cid.encode().hex()}",  # one per checklist of the pass
            # by item number first (of one copy, so of one checklist): other answers are
            # skipped before any join
            f"""SELECT x.aid, i.item_id AS bitem, x.rating AS bvalue, u.phase, u.k FROM {p.ai} x
                JOIN {p.it} i ON i.itm = x.itm JOIN {p.au} u ON u.aid = x.aid
                WHERE x.itm IN (SELECT itm FROM {p.it} WHERE item_id IN ({",".join("?" * len(split))})
                                AND sid IN (SELECT sid FROM {p.au} WHERE cid = ?))
                  AND u.cid = ?""",
            (*split, cid, cid),
        )
        # the group's audits' answers, looked up by audit: a group holds a few of the pass's
        # audits, so a scan of all its answers would mostly be thrown away. The index goes
        # with the pass's table; one serves every checklist of the pass.
        db.conn.execute(f"CREATE INDEX IF NOT EXISTS {p.ai}_aid ON {p.ai.split('.', 1)[1]} (aid)")
        for phase, bitem, bvalue, n, ks in db.query(
            f"SELECT phase, bitem, bvalue, count(*), sum(k) FROM {groups} GROUP BY 1, 2, 3"):
            _add(self.sizes, (phase, (bitem, bvalue)), None, n, ks)
        item_of = dict(db.query(f"SELECT itm, item_id FROM {p.it}"))
        for phase, bitem, bvalue, itm, value, fact, meets, n, ks in db.query(
            f"""SELECT b.phase, b.bitem, b.bvalue, x.itm, x.rating, x.fact, x.meets,
                       count(*), sum(b.k)
                FROM {groups} b CROSS JOIN {p.ai} x ON x.aid = b.aid
                WHERE x.fact = 1 OR x.meets IS NOT NULL
                GROUP BY 1, 2, 3, 4, 5, 6, 7"""):
            item = item_of[itm]
            if fact == 1:
                _add(self.values, (phase, (bitem, bvalue), item), value, n, ks)
            if meets is not None:  # counted in the item's share; meeting when meets
                met = (n, ks) if meets else (0, 0)
                for k in ((ALL_PHASES, (bitem, bvalue), item), (phase, (bitem, bvalue), item)):
                    got = self.shares.setdefault(k, [0, 0, 0, 0])
                    for j, v in enumerate((n, ks, *met)):
                        got[j] += v

    def options(self, scale, value: str) -> set[str]:
        """The options a multiple-choice answer ticks, worked out once per value."""
        key = (id(scale), value)
        if key not in self._ticked:
            self._ticked[key] = set(scale.ticked(value))
        return self._ticked[key]

    def given(self, phase: str, group, item: str) -> list[tuple[str, int, int]]:
        return [(v, n, ks) for v, (n, ks) in self.values.get((phase, group, item), {}).items()]


def _count(d, item, phase: str, group, total: tuple[int, int], counted: _Counted, shown,
           audits: int) -> FactCount:
    """One fact item over the audits of `phase` (and `group`), `total` (count, key sum) of
    them; `audits`: their count as published."""
    scale = d.scale_of(item)
    given: dict[str, list[int]] = {}  # value -> [n, ks] of the audits giving it
    answered = [0, 0]  # audits with a value counted (multiple: at least one option ticked)
    values = {lv.value for lv in scale.levels}
    for value, n, ks in counted.given(phase, group, item.id):
        options = counted.options(scale, value) if scale.is_multiple else (
            {value} if value in values else set())
        for v in options:
            got = given.setdefault(v, [0, 0])
            got[0] += n
            got[1] += ks
        if options:
            answered[0] += n
            answered[1] += ks
    counts = [ValueCount(lv.value, lv.label, shown(*given.get(lv.value, (0, 0))))
              for lv in scale.levels]
    missing = (total[0] - answered[0], total[1] - answered[1])
    if missing[0]:
        counts.append(ValueCount("", NO_ANSWER, shown(*missing)))
    return FactCount(item.id, item.question, audits, tuple(counts), scale.is_multiple)


def _shares(d, phase: str, group, counted: _Counted, shown) -> tuple[ItemShare, ...]:
    out = []
    for _, item in d.items():
        if d.scale_of(item).is_fact:
            continue
        n, ks, met, met_ks = counted.shares.get((phase, group, item.id), (0, 0, 0, 0))
        audits = shown(n, ks)
        out.append(ItemShare(item.id, item.question, audits, min(audits, shown(met, met_ks))))
    return tuple(out)


def _one(d, phase: str, total: tuple[int, int], counted: _Counted, fact_items,
         shown) -> FactFindings:
    audits = shown(*total)  # every fact item's base: released once
    facts = tuple(_count(d, item, phase, None, total, counted, shown, audits)
                  for item in fact_items)
    breakdowns = []
    for item in fact_items:
        if not item.breakdown or d.scale_of(item).is_multiple:
            continue
        groups = []
        for lv in d.scale_of(item).levels:
            group = (item.id, lv.value)
            members = tuple(counted.sizes.get((phase, group), {}).get(None, (0, 0)))
            size = shown(*members)
            groups.append(
                Group(
                    item.id,
                    lv.value,
                    lv.label,
                    group_noun(item.question, lv.label, lv.group_label),
                    size,
                    tuple(
                        _count(d, other, phase, group, members, counted, shown, size)
                        for other in fact_items
                        if other is not item
                    ),
                    _shares(d, phase, group, counted, shown),
                )
            )
        breakdowns.append(Breakdown(item.id, item.question, d.scale_of(item).title, tuple(groups)))
    return FactFindings(d.id, d.title, phase, audits, facts, tuple(breakdowns))


def audit_facts(definition, ratings: dict[str, str | None]) -> list[tuple[str, str]]:
    """(question, answer) of one audit's fact items, as facts: ("Sex", "Female")."""
    out = []
    for _, item in definition.items():
        scale = definition.scale_of(item)
        if not scale.is_fact or not definition.visible(item, ratings):
            continue
        out.append((item.question, scale.label_of(ratings.get(item.id)) or "Not answered"))
    return out
