"""What page 1 of the steering-group report needs to be honest about its figures.

- Each reported checklist's items as its newest stored copy words them: the patterns seen at
  baseline (ids `bl-*`), the outcome facts and the language-in-the-record item, and which
  items are asked only after an earlier answer fell short (their share describes the files
  that already failed, not all files).
- For the pattern items, per phase, which audits rated each item and which met the standard
  (audit ids, so the report releases the counts through its Tally like every other count of
  audits: reports/tally.py).

No disclosure control here: the report applies it (reports/patterns.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..checklists.phases import PhaseWords, phase_words
from ..filters import AuditFilter
from ..store import Database
from ..store.flat import HIDDEN_FAILS
from .answer_pass import AnswerPass

PATTERN_PREFIX = "bl-"  # the patterns the first Scottish baseline audits found
OUTCOME_TAG = "outcome"


@dataclass(frozen=True)
class ItemAnswers:
    """One rated item in one phase: the audits that rated it (or had it hidden by a failing
    answer, which counts as not meeting) and those of them meeting the standard."""

    item_id: str
    phase: str
    rated: frozenset[str]
    met: frozenset[str]


@dataclass(frozen=True)
class ChecklistHonesty:
    checklist_id: str
    words: PhaseWords
    questions: dict[str, str]  # item id -> question, newest stored copy
    patterns: tuple[str, ...]  # pattern item ids, file order
    outcomes: tuple[str, ...]  # outcome fact item ids, file order
    record_language: tuple[str, ...]  # multiple-choice items of the language theme
    after_failing: frozenset[str]  # items asked only after an earlier failing answer
    answers: tuple[ItemAnswers, ...] = ()
    scale_titles: dict[str, str] = field(default_factory=dict)  # fact item id -> its scale's title


@dataclass(frozen=True)
class Honesty:
    checklists: dict[str, ChecklistHonesty] = field(default_factory=dict)


def after_failing(definition) -> frozenset[str]:
    """Items shown by a condition that only a failing (or not-rated) answer meets: every
    value that shows them falls short of the standard or is left out of the share, and at
    least one falls short."""
    out = set()
    for _, item in definition.items():
        cond = item.show_when
        if cond is None:
            continue
        scale = definition.scale_of(definition.item(cond.item))
        verdicts = [scale.meets(v) for v in cond.any_of]
        if False in verdicts and True not in verdicts:
            out.add(item.id)
    return frozenset(out)


def _definition(db: Database, flt: AuditFilter, cid: str):
    """The newest stored copy among those the selection's audits used."""
    where, params = flt.where()
    row = db.query_one(
        f"""SELECT d.sha256 FROM checklist_defs d WHERE d.checklist_id = ? AND d.sha256 IN
            (SELECT a.checklist_sha FROM audits a JOIN cases c ON c.id = a.case_id
             WHERE {where} AND a.checklist_id = ?)
            ORDER BY d.added_at DESC, d.rowid DESC""",
        (cid, *params, cid),
    )
    return None if row is None else db.checklist(row[0]).definition


def _answers(db: Database, flt: AuditFilter, cid: str, items: tuple[str, ...],
             answers: AnswerPass | None = None) -> tuple[ItemAnswers, ...]:
    if not items:
        return ()
    where, params = flt.where()
    rated: dict[tuple[str, str], set[str]] = defaultdict(set)
    met: dict[tuple[str, str], set[str]] = defaultdict(set)
    marks = ",".join("?" * len(items))
    if answers is not None and answers.covers(flt):  # the report's one read of the answers
        rows = db.query(
            # the items' numbers first (an item number is of one copy, so of one checklist):
            # the scan skips every other answer before joining it to its audit
            f"""SELECT u.id, u.phase, i.item_id, x.meets FROM {answers.ai} x
                JOIN {answers.it} i ON i.itm = x.itm JOIN {answers.au} u ON u.aid = x.aid
                WHERE x.itm IN (SELECT itm FROM {answers.it} WHERE item_id IN ({marks})
                                AND sid IN (SELECT sid FROM {answers.au} WHERE cid = ?))
                  AND u.cid = ? AND x.meets IS NOT NULL""",
            (*items, cid, cid),
        )
    else:
        rows = db.query(
            f"""SELECT a.id, a.phase, an.item_id, l.meets
                FROM audits a JOIN cases c ON c.id = a.case_id
                JOIN answers an ON an.audit_id = a.id
                 AND (an.applies = 1 AND an.rating IS NOT NULL OR an.hidden_fails = 1)
                JOIN checklist_items ci ON ci.sha256 = a.checklist_sha AND ci.item_id = an.item_id
                JOIN checklist_levels l ON l.sha256 = a.checklist_sha AND l.scale = ci.scale
                 AND l.value = (CASE WHEN an.applies = 1 THEN an.rating ELSE '{HIDDEN_FAILS}' END)
                WHERE {where} AND a.checklist_id = ? AND l.meets IS NOT NULL
                  AND an.item_id IN ({marks})""",
            (*params, cid, *items),
        )
    for audit_id, phase, item_id, meets in rows:
        rated[item_id, phase].add(audit_id)
        if meets:
            met[item_id, phase].add(audit_id)
    return tuple(
        ItemAnswers(i, p, frozenset(ids), frozenset(met.get((i, p), ())))
        for (i, p), ids in sorted(rated.items())
    )


def honesty(db: Database, flt: AuditFilter, covered: set[str],
            answers: AnswerPass | None = None) -> Honesty:
    """For each reported checklist: its page-1 items and the pattern items' answers by phase
    (from the report's pass over the answers when it is given)."""
    out: dict[str, ChecklistHonesty] = {}
    for cid in sorted(covered):
        d = _definition(db, flt, cid)
        if d is None:
            continue
        items = [(theme, item) for theme, item in d.items()]
        patterns = tuple(i.id for _, i in items if i.id.startswith(PATTERN_PREFIX)
                         and not d.scale_of(i).is_fact)
        outcomes = tuple(i.id for _, i in items if OUTCOME_TAG in i.tags and d.scale_of(i).is_fact)
        language = tuple(i.id for t, i in items if getattr(t, "id", "") == "language"
                         and d.scale_of(i).is_multiple)
        out[cid] = ChecklistHonesty(
            cid, phase_words(d), {i.id: i.question for _, i in items}, patterns, outcomes,
            language, after_failing(d), _answers(db, flt, cid, patterns, answers),
            {i: d.scale_of(d.item(i)).title for i in (*outcomes, *language)},
        )
    return Honesty(out)


__all__ = ["ChecklistHonesty", "Honesty", "ItemAnswers", "after_failing", "honesty"]
