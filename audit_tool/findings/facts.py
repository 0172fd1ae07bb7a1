"""Facts recorded in audits (items on a fact scale: sex, substances, services involved),
counted, never scored: "7 of 12 audits".

Per checklist and phase (and all phases together): for each fact item, how many audits gave
each value, and how many gave none. For a fact item with `breakdown = true`, the same
again within each of its values (the group "women's deaths"), with every other fact item's
counts and every rated item's share meeting the standard inside the group.

The counting is plain Python over the answers as the selection's one pass read them
(answer_pass.py): a fact table is small (a few values per item), and a second, independent
way of counting from the SQL of aggregate.py.
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


def fact_findings(db: Database, flt: AuditFilter | None = None,
                  shown: Callable[[list[str]], int] = len, *,
                  answers: AnswerPass | None = None) -> tuple[FactFindings, ...]:
    """Every checklist in the selection with at least one fact item: all phases first, then
    each phase present. Labels come from the newest stored copy of each checklist.
    `shown`: how a count of audits (given by their ids) is published; exact (len) unless an
    anonymised release passes its perturbation (reports/release.py). `answers`: the report's
    pass over the answers, when it covers `flt` (its filter, or one checklist of it)."""
    flt = flt or AuditFilter()
    if answers is not None and answers.db is db and answers.covers(flt):
        return _facts(db, flt, shown, answers)  # the keys are never read here: `shown` has them
    with AnswerPass(db, flt) as own:
        return _facts(db, flt, shown, own)


def _facts(db: Database, flt: AuditFilter, shown, p: AnswerPass) -> tuple[FactFindings, ...]:
    one = "WHERE u.cid = ?" if flt.checklist_id is not None else ""
    audits = db.query(
        f"""SELECT u.id, u.cid, s.sha, u.phase FROM {p.au} u JOIN {p.sh} s ON s.sid = u.sid {one}
            ORDER BY u.aid""",
        (flt.checklist_id,) if one else (),
    )
    by_checklist: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for audit_id, cid, sha, phase in audits:
        by_checklist[cid].append((audit_id, sha, phase))
    out: list[FactFindings] = []
    for cid in sorted(by_checklist):
        rows = by_checklist[cid]
        newest = db.query_one(
            f"""SELECT sha256 FROM checklist_defs WHERE checklist_id = ? AND sha256 IN
                ({",".join("?" * len({s for _, s, _ in rows}))}) ORDER BY added_at DESC, rowid DESC""",
            (cid, *sorted({s for _, s, _ in rows})),
        )[0]
        d = db.checklist(newest).definition
        fact_items = [i for _, i in d.items() if d.scale_of(i).is_fact]
        if not fact_items:
            continue
        # rated items are read only where a breakdown shows shares within its groups
        split = any(i.breakdown and not d.scale_of(i).is_multiple for i in fact_items)
        answers = _answers(db, p, cid, split)
        phases = [ALL_PHASES, *sorted({p for _, _, p in rows}, key=_phase_order)]
        for phase in phases:
            ids = [a for a, _, p in rows if phase == ALL_PHASES or p == phase]
            out.append(_one(d, phase, ids, answers, fact_items, shown))
    return tuple(out)


def _phase_order(phase: str) -> int:
    from ..domain import Phase

    order = [p.value for p in Phase]
    return order.index(phase) if phase in order else len(order)


def _answers(db: Database, p: AnswerPass, cid: str, rated: bool) -> dict[str, dict[str, tuple]]:
    """{item: {audit: (value, meets, fact)}} for the checklist's audits in the pass: facts as
    given (meets None), rated items (when `rated`) as counted in a share (meets 1/0; hidden
    failing as 0)."""
    out: dict[str, dict[str, tuple]] = defaultdict(dict)
    for audit_id, item, value, meets, fact in db.query(
        f"""SELECT u.id, i.item_id, x.rating, x.meets, x.fact
            FROM {p.ai} x JOIN {p.au} u ON u.aid = x.aid JOIN {p.it} i ON i.itm = x.itm
            WHERE u.cid = ? {"" if rated else "AND x.fact = 1"}""",
        (cid,),
    ):
        out[item][audit_id] = (value, meets, fact)
    return out


def _count(d, item, ids: list[str], answers, shown=len, total: int | None = None) -> FactCount:
    """One fact item over `ids`; `total`: shown(ids) when the caller has it already."""
    scale = d.scale_of(item)
    col = answers.get(item.id, {})
    of = {a: g[0] for a in ids if (g := col.get(a)) is not None and g[2]}
    given: dict[str, list[str]] = defaultdict(list)  # value -> its audits, in `ids` order
    if scale.is_multiple:  # each option counts the audits that ticked it
        ticked = {a: set(scale.ticked(v)) for a, v in of.items()}
        ticked = {a: s for a, s in ticked.items() if s}
        for a, s in ticked.items():
            for v in s:
                given[v].append(a)
        missing = [a for a in ids if a not in ticked]
    else:
        for a, v in of.items():
            given[v].append(a)
        values = {lv.value for lv in scale.levels}
        missing = [a for a in ids if a not in of or of[a] not in values]
    counts = [ValueCount(lv.value, lv.label, shown(given.get(lv.value, []))) for lv in scale.levels]
    if missing:
        counts.append(ValueCount("", NO_ANSWER, shown(missing)))
    audits = shown(ids) if total is None else total
    return FactCount(item.id, item.question, audits, tuple(counts), scale.is_multiple)


def _shares(d, ids: list[str], answers, shown=len) -> tuple[ItemShare, ...]:
    out = []
    for _, item in d.items():
        if d.scale_of(item).is_fact:
            continue
        col = answers.get(item.id, {})
        counted = [a for a in ids if (g := col.get(a)) is not None and g[1] is not None]
        met = [a for a in counted if col[a][1]]
        n = shown(counted)
        out.append(ItemShare(item.id, item.question, n, min(n, shown(met))))
    return tuple(out)


def _one(d, phase: str, ids: list[str], answers, fact_items, shown=len) -> FactFindings:
    total = shown(ids)  # every fact item's base: released once
    facts = tuple(_count(d, item, ids, answers, shown, total) for item in fact_items)
    breakdowns = []
    for item in fact_items:
        if not item.breakdown or d.scale_of(item).is_multiple:
            continue
        groups = []
        col = answers.get(item.id, {})
        for lv in d.scale_of(item).levels:
            members = [a for a in ids if (col.get(a) or ("",))[0] == lv.value]
            size = shown(members)
            groups.append(
                Group(
                    item.id,
                    lv.value,
                    lv.label,
                    group_noun(item.question, lv.label, lv.group_label),
                    size,
                    tuple(
                        _count(d, other, members, answers, shown, size)
                        for other in fact_items
                        if other is not item
                    ),
                    _shares(d, members, answers, shown),
                )
            )
        breakdowns.append(Breakdown(item.id, item.question, d.scale_of(item).title, tuple(groups)))
    return FactFindings(d.id, d.title, phase, total, facts, tuple(breakdowns))


def audit_facts(definition, ratings: dict[str, str | None]) -> list[tuple[str, str]]:
    """(question, answer) of one audit's fact items, as facts: ("Sex", "Female")."""
    out = []
    for _, item in definition.items():
        scale = definition.scale_of(item)
        if not scale.is_fact or not definition.visible(item, ratings):
            continue
        out.append((item.question, scale.label_of(ratings.get(item.id)) or "Not answered"))
    return out
