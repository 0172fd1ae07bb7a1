"""Disclosure control for the anonymised aggregate report.

Three rules, as statistical offices apply them:

1. Primary suppression: a figure resting on fewer than SUPPRESS_BELOW audits is hidden.
2. Secondary (complementary) suppression: where shown cells add up to a shown total, a hidden
   cell must not follow from the total minus the shown cells, so the next-smallest cell is
   hidden as well, until every hidden cell could still take more than one value.
3. Differencing across reports: a selection that leaves out fewer than SUPPRESS_BELOW audits
   of a wider selection is refused, since the two reports side by side describe those few.

The rules (top half) are pure functions over counts; the queries (bottom half) count the
audits behind each figure, straight from the database, independently of the findings code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from itertools import combinations

from ..errors import AuditToolError
from ..selection import AuditFilter, shown_value
from ..store import Database

SUPPRESS_BELOW = 5
LESS = f"<{SUPPRESS_BELOW}"  # a hidden count of 1 to 4
HIDDEN = "suppressed"  # a hidden figure of any size

METHOD_NOTE = (
    f"'{LESS}' marks a count of 1 to {SUPPRESS_BELOW - 1} audits and 'suppressed' a figure held "
    f"back because it rests on fewer than {SUPPRESS_BELOW} audits; where a hidden figure could be "
    "worked out by taking the figures shown from their total, the next-smallest figure is "
    "held back too (secondary suppression)."
)


class DisclosureRisk(AuditToolError):
    """A report on this selection, next to one on a wider selection, would describe fewer
    than SUPPRESS_BELOW audits."""


# -- rules (pure) --------------------------------------------------------------------------------


def small(n: int) -> bool:
    """Fewer than SUPPRESS_BELOW, but not zero: a zero says nobody, and is shown."""
    return 0 < n < SUPPRESS_BELOW


def label(value: int, hidden: bool) -> str:
    """What a count cell shows. A hidden count under SUPPRESS_BELOW reads '<5'; any other
    hidden count reads 'suppressed' (and is then at least SUPPRESS_BELOW: see `known`)."""
    if not hidden:
        return f"{value:,}"
    return LESS if value < SUPPRESS_BELOW else HIDDEN


def known(value: int) -> tuple[float, float]:
    """What a reader learns about a hidden count from its label: '<5' is 1 to 4; 'suppressed'
    is at least 5 (a smaller count would be a primary '<5', and zeros are never hidden)."""
    return (1, SUPPRESS_BELOW - 1) if value < SUPPRESS_BELOW else (SUPPRESS_BELOW, math.inf)


def unknown(_value: int) -> tuple[float, float]:
    """A hidden figure whose label says nothing about its size (rated items, meets)."""
    return (0, math.inf)


@dataclass(frozen=True)
class Line:
    """Cells (by position) whose values add up to a total the reader can see or work out."""

    members: tuple[int, ...]
    values: tuple[int, ...]
    labelled: bool = True  # hidden members show '<5' / 'suppressed' (see `known`)
    # members never shown at all (a group held back): no label, so no bound on them
    silent: frozenset[int] = frozenset()

    def exposed(self, hidden: Sequence[bool]) -> bool:
        """True if the total minus the shown cells pins some hidden cell to one value."""
        gone = [(i, v) for i, v in zip(self.members, self.values, strict=True) if hidden[i]]
        if not gone or sum(self.values) == 0:
            return False  # a zero total says every cell is zero: nothing hidden to find
        spans = [
            known(v) if self.labelled and i not in self.silent else unknown(v) for i, v in gone
        ]
        rest = sum(v for _, v in gone)
        for i, (lo, hi) in enumerate(spans):
            # the others summed without this one (not all minus this one: inf - inf is nan,
            # which hid a lone 'suppressed' cell pinned by the total)
            others_lo = sum(s[0] for j, s in enumerate(spans) if j != i)
            others_hi = sum(s[1] for j, s in enumerate(spans) if j != i)
            least = max(lo, rest - others_hi)
            most = min(hi, rest - others_lo)
            if least >= most:
                return True
        return False


def suppress(
    sizes: Sequence[int],
    primary: Sequence[bool],
    lines: Sequence[Line],
    keep: frozenset[int] = frozenset(),
) -> list[bool] | None:
    """Which cells to hide: the primary ones, then, while some line gives a hidden cell away,
    the smallest non-zero shown cell of that line (by `sizes`, the audits behind it), taking
    cells in `keep` only when nothing else protects the line (a gendered review keeps women's
    deaths in view and hides another group instead).
    None when no choice of cells protects a line: the caller withholds the whole table."""
    hidden = list(primary)
    while True:
        line = next((ln for ln in lines if ln.exposed(hidden)), None)
        if line is None:
            return hidden
        spare = [i for i in line.members if not hidden[i] and sizes[i] > 0]
        if not spare:
            return None
        hidden[min(spare, key=lambda i: (i in keep, sizes[i], i))] = True


def suppress_counts(counts: Sequence[int], total_shown: bool = True) -> list[bool] | None:
    """One line of audit counts adding up to a total (phases, checklists, statuses)."""
    primary = [small(n) for n in counts]
    lines = [Line(tuple(range(len(counts))), tuple(counts))] if total_shown else []
    return suppress(counts, primary, lines)


def suppress_rows(
    audits: Sequence[int], *figures: Sequence[int], primary: Sequence[bool] | None = None
) -> list[bool] | None:
    """Rows of a table (areas, agencies) that add up to the selection's figures: the audits
    column, and each further column of counts (rated items, items meeting the standard),
    treated as known totals. A row is hidden whole."""
    rows = tuple(range(len(audits)))
    lines = [Line(rows, tuple(audits))] + [Line(rows, tuple(f), labelled=False) for f in figures]
    return suppress(audits, primary if primary is not None else [small(n) for n in audits], lines)


# -- differencing across reports ------------------------------------------------------------------

_NAMES = {
    "area": "area",
    "agency": "agency",
    "checklist_id": "checklist",
    "phase": "phase",
    "audit_type": "audit type",
    "status": "status",
    "date_from": "from",
    "date_to": "to",
}


def parents(flt: AuditFilter) -> list[AuditFilter]:
    """Every wider selection: the same filter with one or more of its fields cleared. The
    status is never cleared: anonymised reports are always of finalised audits only."""
    set_fields = [
        f.name
        for f in fields(flt)
        if f.name in _NAMES and f.name != "status" and getattr(flt, f.name)
    ]
    out = []
    for k in range(1, len(set_fields) + 1):
        for drop in combinations(set_fields, k):
            out.append(replace(flt, **dict.fromkeys(drop)))
    return out


def differencing_gap(selection: dict[str, int], parent: dict[str, int]) -> tuple[str, int] | None:
    """(group, audits left out) when a group shown in both reports differs by 1 to 4 audits.
    `selection` and `parent` map each group the report shows ('' for the whole report, a
    checklist id, a phase) to its audits; groups under SUPPRESS_BELOW are hidden anyway."""
    for group, n in selection.items():
        gap = parent.get(group, 0) - n
        if n >= SUPPRESS_BELOW and small(gap):
            return group, gap
    return None


# -- queries: audits behind each figure ------------------------------------------------------------


@dataclass(frozen=True)
class Census:
    """Audit counts of a selection by checklist, phase and status (one query)."""

    rows: tuple[tuple[str, str, str, int], ...]  # checklist id, phase, status, audits

    def by(self, pos: int, checklists: set[str] | None = None) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            if checklists is None or row[0] in checklists:
                out[row[pos]] = out.get(row[pos], 0) + row[3]
        return out

    def total(self, checklists: set[str] | None = None) -> int:
        return sum(self.by(0, checklists).values())

    def reported(self) -> set[str]:
        """Checklists with enough audits for a section of their own."""
        return {c for c, n in self.by(0).items() if n >= SUPPRESS_BELOW}

    def groups(self) -> dict[str, int]:
        """What a report on this selection shows in full: its total, checklists, phases."""
        keep = self.reported()
        return {
            "": self.total(keep),
            **{f"checklist {c}": n for c, n in self.by(0, keep).items()},
            **{f"phase {p}": n for p, n in self.by(1, keep).items()},
        }


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
    kept = [f"{_NAMES[k]} {shown_value(k, getattr(parent, k))}" for k in _NAMES if getattr(parent, k)]
    opened = [_WIDER[k] for k in _NAMES if getattr(flt, k) and not getattr(parent, k)]
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
    db: Database, flt: AuditFilter, counts: Iterable[tuple[str, str, str, int]] | None = None
) -> Behind:
    """One GROUP BY over the answers (an audit answers an item once, so per item the answers
    are audits); themes and tags come from the small definition tables. A theme's rating
    given on several items is counted exactly (distinct audits) only where the per-item
    counts leave it unclear whether it rests on fewer than SUPPRESS_BELOW audits."""
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


__all__ = [
    "HIDDEN",
    "LESS",
    "METHOD_NOTE",
    "SUPPRESS_BELOW",
    "Behind",
    "Census",
    "DisclosureRisk",
    "Line",
    "behind",
    "census",
    "describe_parent",
    "differencing_gap",
    "label",
    "parents",
    "refuse_differencing",
    "small",
    "suppress",
    "suppress_counts",
    "suppress_rows",
]
