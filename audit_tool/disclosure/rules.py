"""Small-number rules: which figures a report, dataset or bundle may show.

Three rules, as statistical offices apply them:

1. Primary suppression: a figure resting on fewer than SUPPRESS_BELOW audits is hidden.
2. Secondary (complementary) suppression: where shown cells add up to a shown total, a hidden
   cell must not follow from the total minus the shown cells, so the next-smallest cell is
   hidden as well, until every hidden cell could still take more than one value.
3. Differencing across reports: a selection that leaves out fewer than SUPPRESS_BELOW audits
   of a wider selection is refused, since the two reports side by side describe those few.

Pure functions over counts: no database here. The counts behind each figure are read by
findings/census.py, which also applies rule 3 to a selection (refuse_differencing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from itertools import combinations
from typing import TYPE_CHECKING

from ..errors import AuditToolError

if TYPE_CHECKING:
    from ..filters import AuditFilter

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
    # A perturbed release (cell-key): each printed figure of SUPPRESS_BELOW or more is the
    # true count moved by at most `noise`, independently, and `total` is the printed total
    # (not the sum of the printed cells). 0: every figure is exact and the total is the sum.
    noise: int = 0
    total: int | None = None

    def exposed(self, hidden: Sequence[bool]) -> bool:
        """True if the total minus the shown cells pins some hidden cell to one value."""
        gone = [(i, v) for i, v in zip(self.members, self.values, strict=True) if hidden[i]]
        if not gone or sum(self.values) == 0:
            return False  # a zero total says every cell is zero: nothing hidden to find
        spans = [
            known(v) if self.labelled and i not in self.silent else unknown(v) for i, v in gone
        ]
        rest_lo = rest_hi = sum(v for _, v in gone)
        if self.noise:  # what an attacker knows of the hidden cells' sum: a range, not a value
            shown = [v for i, v in zip(self.members, self.values, strict=True) if not hidden[i]]
            t_lo, t_hi = self.bounds(sum(self.values) if self.total is None else self.total)
            rest_lo = t_lo - sum(self.bounds(v)[1] for v in shown)
            rest_hi = t_hi - sum(self.bounds(v)[0] for v in shown)
        for i, (lo, hi) in enumerate(spans):
            # the others summed without this one (not all minus this one: inf - inf is nan,
            # which hid a lone 'suppressed' cell pinned by the total)
            others_lo = sum(s[0] for j, s in enumerate(spans) if j != i)
            others_hi = sum(s[1] for j, s in enumerate(spans) if j != i)
            least = max(lo, rest_lo - others_hi)
            most = min(hi, rest_hi - others_lo)
            if least >= most:
                return True
        return False

    def bounds(self, printed: int) -> tuple[float, float]:
        """The true counts a printed figure can stand for: itself when exact; within `noise`
        of it, and never below SUPPRESS_BELOW, when perturbed (counts under it are never
        perturbed: they print '<5' or 0)."""
        if not self.noise or printed < SUPPRESS_BELOW:
            return printed, printed
        return max(SUPPRESS_BELOW, printed - self.noise), printed + self.noise


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

NAMES = {
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
        if f.name in NAMES and f.name != "status" and getattr(flt, f.name)
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


# -- the audits behind a selection, counted (findings/census.py reads them) -----------------------


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



__all__ = [
    "HIDDEN",
    "LESS",
    "METHOD_NOTE",
    "NAMES",
    "SUPPRESS_BELOW",
    "Census",
    "DisclosureRisk",
    "Line",
    "differencing_gap",
    "known",
    "label",
    "parents",
    "small",
    "suppress",
    "suppress_counts",
    "suppress_rows",
    "unknown",
]
