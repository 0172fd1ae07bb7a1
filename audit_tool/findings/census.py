"""The audits behind each figure of a report, counted for the small-number rules.

Queries only: the rules themselves are pure (audit_tool/disclosure/rules.py). The census
of audits comes straight from the database, independently of the findings code, so a bug in
one does not hide a small number in the other; the audits behind each rating (`behind`) add
up the findings' own answer counts and, where those leave it unclear, count distinct audits
in the report's one pass over the answers (answer_pass.py). `refuse_differencing` applies
rule 3 (differencing across reports) to a selection and the wider selections around it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..disclosure.rules import (
    NAMES,
    SUPPRESS_BELOW,
    Census,
    DisclosureRisk,
    differencing_gap,
    parents,
)
from ..filters import AuditFilter, shown_value
from ..store import Database
from ..store.flat import HIDDEN_FAILS
from .answer_pass import AnswerPass


def census(db: Database, flt: AuditFilter) -> Census:
    where, params = flt.where()
    return Census(
        tuple(
            db.query(
                f"""SELECT a.checklist_id, a.phase, a.status, count(*) FROM audits a
            JOIN cases c ON c.id = a.case_id WHERE {where} GROUP BY 1, 2, 3""",
                params,
            )
        )
    )


def cases_of(db: Database, flt: AuditFilter, checklists: set[str]) -> int:
    where, params = flt.where()
    marks = ",".join("?" * len(checklists)) or "NULL"
    return db.query_one(
        f"""SELECT count(DISTINCT a.case_id) FROM audits a JOIN cases c ON c.id = a.case_id
            WHERE {where} AND a.checklist_id IN ({marks})""",
        [*params, *sorted(checklists)],
    )[0]


_WIDER = {
    "area": "all areas",
    "agency": "all agencies",
    "checklist_id": "all checklists",
    "phase": "all phases",
    "audit_type": "all audit types",
    "status": "drafts and finalised",
    "date_from": "any start date",
    "date_to": "any end date",
}


def describe_parent(flt: AuditFilter, parent: AuditFilter) -> str:
    """'area X, all phases': what the wider selection keeps, then what it opens up."""
    kept = [f"{NAMES[k]} {shown_value(k, getattr(parent, k))}" for k in NAMES if getattr(parent, k)]
    opened = [_WIDER[k] for k in NAMES if getattr(flt, k) and not getattr(parent, k)]
    return ", ".join(kept + opened)


def _group_words(group: str) -> str:
    """A census group ('phase post_training', 'checklist x') in a reader's words."""
    kind, _, value = group.partition(" ")
    return f"{kind} {shown_value('phase', value)}" if kind == "phase" else group


def refuse_differencing(db: Database, flt: AuditFilter) -> None:
    """Raise DisclosureRisk when this selection and a wider one differ by 1 to 4 audits in
    anything both reports would show (their totals, a checklist, a phase)."""
    mine = census(db, flt).groups()
    for parent in parents(flt):
        gap = differencing_gap(mine, census(db, parent).groups())
        if gap is None:
            continue
        group, n = gap
        what = ("audit" if n == 1 else "audits") + (
            f" ({_group_words(group)})" if group else ""
        )
        those = "that audit" if n == 1 else f"those {n}"
        raise DisclosureRisk(
            f"This selection leaves out only {n} {what} of its wider group "
            f"({describe_parent(flt, parent)}); a report on it and one on the wider group together "
            f"would describe {those}. Widen or narrow the selection."
        )


@dataclass(frozen=True)
class Behind:
    """Audits behind each figure, counting rated answers only where a share is concerned (what
    the share rests on)."""

    level: dict[tuple[str, str, str, str], tuple[int, int | None]]  # checklist, theme, scale,
    # rating value -> (distinct audits, whether the rating meets the standard: 1, 0 or None)


def behind(
    db: Database, flt: AuditFilter, counts: Iterable[tuple[str, str, str, int]] | None = None,
    *, answers: AnswerPass | None = None,
) -> Behind:
    """One GROUP BY over the answers (an audit answers an item once, so per item the answers
    are audits); themes and tags come from the small definition tables. A theme's rating
    given on several items is counted exactly (distinct audits) only where the per-item
    counts leave it unclear whether it rests on fewer than SUPPRESS_BELOW audits; from the
    report's pass over the answers (`answers`, answer_pass.py) when it is of the same filter."""
    if counts is None:  # the findings' own counts when given (Findings.answer_counts)
        where, params = flt.where()
        counts = db.query(
            f"""SELECT a.checklist_sha, an.item_id, an.rating, count(*) FROM audits a
                JOIN cases c ON c.id = a.case_id
                JOIN answers an ON an.audit_id = a.id AND an.applies = 1 AND an.rating IS NOT NULL
                WHERE {where} GROUP BY 1, 2, 3""",
            params,
        )
    rows = list(counts)
    shas = sorted({r[0] for r in rows})
    marks = ",".join("?" * len(shas)) or "NULL"
    cid_of = dict(
        db.query(f"SELECT sha256, checklist_id FROM checklist_defs WHERE sha256 IN ({marks})", shas)
    )
    item_of = {
        (r[0], r[1]): (r[2], r[3])
        for r in db.query(
            f"SELECT sha256, item_id, theme_id, scale FROM checklist_items WHERE sha256 IN ({marks})",
            shas,
        )
    }
    meets_of = {
        (r[0], r[1], r[2]): r[3]
        for r in db.query(
            f"SELECT sha256, scale, value, meets FROM checklist_levels WHERE sha256 IN ({marks})",
            shas,
        )
    }
    per_item: dict[tuple, int] = {}  # (checklist, theme, scale, rating, item) -> audits
    meets: dict[tuple, int | None] = {}
    for sha, item, rating, n in rows:
        cid = cid_of[sha]
        theme, scale = item_of.get((sha, item), ("", ""))
        key = (cid, theme, scale, rating)
        per_item[(*key, item)] = per_item.get((*key, item), 0) + n
        meets[key] = meets_of.get((sha, scale, rating))
    floor: dict[tuple, int] = {}
    total: dict[tuple, int] = {}
    for (*key, _item), n in per_item.items():
        floor[tuple(key)] = max(floor.get(tuple(key), 0), n)
        total[tuple(key)] = total.get(tuple(key), 0) + n
    level = {k: (floor[k], meets[k]) for k in floor}
    unclear = sorted({(k[0], k[1]) for k in floor if floor[k] < SUPPRESS_BELOW <= total[k]})
    if unclear:
        if answers is not None and answers.db is db and answers.filter == flt:
            level.update(_distinct_levels_of(answers, unclear, meets))
        else:
            level.update(_distinct_levels(db, flt, unclear, meets))
    return Behind(level=level)


def _distinct_levels(
    db: Database, flt: AuditFilter, themes: list[tuple[str, str]], meets: dict
) -> dict:
    where, params = flt.where()
    pairs = " OR ".join(["(a.checklist_id = ? AND ci.theme_id = ?)"] * len(themes))
    rows = db.query(
        f"""SELECT a.checklist_id, ci.theme_id, ci.scale, an.rating, count(DISTINCT a.id)
            FROM audits a JOIN cases c ON c.id = a.case_id
            JOIN answers an ON an.audit_id = a.id AND an.applies = 1 AND an.rating IS NOT NULL
            JOIN checklist_items ci ON ci.sha256 = a.checklist_sha AND ci.item_id = an.item_id
            WHERE {where} AND ({pairs}) GROUP BY 1, 2, 3, 4""",
        [*params, *(v for pair in themes for v in pair)],
    )
    return {tuple(r[:4]): (r[4], meets.get(tuple(r[:4]))) for r in rows}

def _distinct_levels_of(p: AnswerPass, themes: list[tuple[str, str]], meets: dict) -> dict:
    """_distinct_levels from the pass: its answers rated and shown (a hidden failing item
    reads HIDDEN_FAILS there, and is not a rating given)."""
    pairs = " OR ".join(["(u.cid = ? AND i.theme = ?)"] * len(themes))
    rows = p.db.query(
        f"""SELECT u.cid, i.theme, i.scale, x.rating, count(DISTINCT x.aid)
            FROM {p.ai} x JOIN {p.au} u ON u.aid = x.aid JOIN {p.it} i ON i.itm = x.itm
            WHERE x.rating <> ? AND ({pairs}) GROUP BY 1, 2, 3, 4""",
        [HIDDEN_FAILS, *(v for pair in themes for v in pair)],
    )
    return {tuple(r[:4]): (r[4], meets.get(tuple(r[:4]))) for r in rows}


__all__ = [
    "Behind",
    "behind",
    "cases_of",
    "census",
    "describe_parent",
    "refuse_differencing",
]
