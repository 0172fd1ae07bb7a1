"""The language measure: which framings the case record itself uses, per phase.

Read from each checklist's multiple-choice item on the record's language (an item on the
scale named RECORD_TERMS: "Which of these framings does the record itself use? Tick all
that apply"), never from the reviewers' own notes: the note scan (language.py) is a hint
while writing, not a finding about the record.

For each option (a framing, grouping phrases of the term list) and phase: the audits whose
answer ticks it, of the audits that answered the item. The audit ids are kept so that the
report counts them through the disclosure layer (reports/tally.py); no disclosure here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..checklists.phases import PhaseWords, phase_words
from ..filters import AuditFilter
from ..store import Database
from ..vocabulary import Phase

RECORD_TERMS = "record_terms"  # the scale of the "language in the record" item


@dataclass(frozen=True)
class TermUse:
    """One option of the item: the audits ticking it, per phase."""

    value: str
    label: str
    phrases: str  # the option's description: the term-list phrases it stands for
    exclusive: bool  # "None of these"
    ticked: dict[str, tuple[str, ...]]  # phase -> audit ids


@dataclass(frozen=True)
class RecordLanguage:
    """One checklist's answers to its language-in-the-record item."""

    checklist_id: str
    title: str
    item_id: str
    question: str
    words: PhaseWords  # how this checklist names its phases (checklists/phases.py)
    phases: tuple[str, ...]  # phases with audits in the selection, in Phase order
    answered: dict[str, tuple[str, ...]]  # phase -> audit ids that answered the item
    terms: tuple[TermUse, ...]  # in the scale's order


def _phase_order(phase: str) -> int:
    order = [p.value for p in Phase]
    return order.index(phase) if phase in order else len(order)


def record_language(db: Database, flt: AuditFilter, checklists: set[str]) -> tuple[RecordLanguage, ...]:
    """Per checklist of `checklists` (those the report covers) that has the item: who ticked
    each framing, per phase. Labels and phase words from the newest stored copy used."""
    where, params = flt.where()
    out = []
    by_checklist: dict[str, list[tuple]] = defaultdict(list)
    if checklists:  # one read of the selected audits for every checklist
        for cid, *row in db.query(
            f"""SELECT a.checklist_id, a.id, a.phase, a.checklist_sha, ci.item_id, an.rating
                FROM audits a JOIN cases c ON c.id = a.case_id
                LEFT JOIN checklist_items ci ON ci.sha256 = a.checklist_sha AND ci.scale = ?
                LEFT JOIN answers an ON an.audit_id = a.id AND an.item_id = ci.item_id
                 AND an.applies = 1 AND an.rating IS NOT NULL
                WHERE {where} AND a.checklist_id IN ({",".join("?" * len(checklists))})""",
            (RECORD_TERMS, *params, *sorted(checklists)),
        ):
            by_checklist[cid].append(tuple(row))
    for cid in sorted(checklists):
        rows = by_checklist.get(cid, [])
        with_item = [r for r in rows if r[3] is not None]
        if not with_item:
            continue
        newest = db.query_one(
            f"""SELECT sha256 FROM checklist_defs WHERE sha256 IN
                ({",".join("?" * len({r[2] for r in with_item}))}) ORDER BY added_at DESC, rowid DESC""",
            tuple(sorted({r[2] for r in with_item})),
        )[0]
        d = db.checklist(newest).definition
        item = next(i for _, i in d.items() if i.scale == RECORD_TERMS)
        scale = d.scale_of(item)
        answered: dict[str, list[str]] = defaultdict(list)
        ticked: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for audit_id, phase, _, _, rating in with_item:
            options = scale.ticked(rating)
            if not options:
                continue  # not answered (or only options this copy does not know)
            answered[phase].append(audit_id)
            for value in options:
                ticked[value][phase].append(audit_id)
        phases = tuple(sorted({r[1] for r in rows}, key=_phase_order))
        out.append(RecordLanguage(
            cid, d.title, item.id, item.question, phase_words(d), phases,
            {p: tuple(sorted(answered.get(p, ()))) for p in phases},
            tuple(TermUse(lv.value, lv.label, lv.description, lv.exclusive,
                          {p: tuple(sorted(ticked[lv.value].get(p, ()))) for p in phases})
                  for lv in scale.levels),
        ))
    return tuple(out)


__all__ = ["RECORD_TERMS", "RecordLanguage", "TermUse", "record_language"]
