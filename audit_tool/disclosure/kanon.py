"""A k-anonymous analyst dataset (issue 18, item 5): coarsen and locally suppress the
quasi-identifiers until every combination of them holds at least K audits.

Quasi-identifiers: what someone who knows roughly where and when a file was read could look
up: area, agency, team, phase, audit type, checklist (with its version) and the month the
audit was started. The method is sdcMicro's, in three steps:

1. global recoding of time: months, or quarters, or years: the finest that needs the fewest
   suppressions (ties go to the finer);
2. global recoding of rare values: an area, agency, team, audit type or phase held by fewer
   than K audits is shown as OTHER (one label for all of them);
3. local suppression: an audit in a combination of fewer than K is given SUPPRESSED for one
   variable after another, only as far as needed, in the order (of SUPPRESS_ORDERS, each
   tried) that needs the fewest suppressions; a variable with one value only is never
   suppressed (it cannot make a group bigger). The checklist is never suppressed: the items in the answers sheet would give it
   back. Audits still in a group of fewer than K at the end (same checklist, everything
   else suppressed) are joined by fully suppressing audits from the largest groups that can
   spare them; an audit that still cannot be placed is withheld (counted in the summary).

A value shown as SUPPRESSED or OTHER is a value of its own: a group is the rows that look
the same, so the check (`smallest_group`) is a plain group-by.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

K = 5
OTHER = "Other"
SUPPRESSED = "Suppressed"
PERIOD = "period"
QUASI = ("area", "agency", "team", "phase", "audit_type", "checklist", PERIOD)
RARE_TO_OTHER = ("area", "agency", "team", "audit_type", "phase")
# the orders tried for local suppression; the one needing the fewest suppressions wins
# (ties: the first listed). Phase last: it is what the programme is evaluated by.
SUPPRESS_ORDERS = (
    ("team", PERIOD, "agency", "area", "audit_type", "phase"),
    ("team", "agency", PERIOD, "area", "audit_type", "phase"),
    ("team", "agency", "area", "audit_type", PERIOD, "phase"),
    ("team", "audit_type", "agency", PERIOD, "area", "phase"),
)
LEVELS = ("month", "quarter", "year")


@dataclass
class VariableSummary:
    variable: str
    recoded: int = 0  # audits whose value was coarsened or shown as OTHER
    suppressed: int = 0  # audits whose value was shown as SUPPRESSED
    how: str = ""


@dataclass
class Protected:
    """The protected quasi-identifiers, one dict per input row (None: withheld)."""

    rows: list[dict[str, str] | None]
    period: str  # month, quarter or year
    summary: list[VariableSummary] = field(default_factory=list)
    withheld: int = 0
    k: int = K
    shown: tuple[str, ...] = QUASI  # the variables that vary (a constant one is not shown)

    def codebook_notes(self) -> list[str]:
        """Plain sentences for the codebook: how many values were coarsened or suppressed."""
        names = [v.replace("_", " ") for v in self.shown]
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
        notes = [
            f"Every combination of {listed} holds at least {self.k} audits (k-anonymity, "
            f"k = {self.k}): values were coarsened or suppressed until it did. Periods are "
            f"{self.period}s."
        ]
        for s in self.summary:
            if s.recoded or s.suppressed:
                how = f" ({s.how})" if s.how else ""
                notes.append(
                    f"{s.variable}: {s.recoded:,} audit(s) coarsened{how}; "
                    f"{s.suppressed:,} shown as '{SUPPRESSED}'."
                )
        if self.withheld:
            notes.append(f"{self.withheld:,} audit(s) could not be placed in a group of "
                         f"{self.k} and were left out.")
        return notes


def _period(month: str, level: str) -> str:
    """'2025-04' as month, quarter ('2025-Q2') or year ('2025')."""
    if level == "month":
        return month
    year, m = month[:4], int(month[5:7])
    return year if level == "year" else f"{year}-Q{(m - 1) // 3 + 1}"


def _combo(row: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(row[v] for v in QUASI)


def smallest_group(rows: Sequence[Mapping[str, str] | None]) -> int:
    """The size of the smallest combination of quasi-identifiers (0 for no rows)."""
    sizes = Counter(_combo(r) for r in rows if r is not None)
    return min(sizes.values(), default=0)


def _recode_rare(rows: list[dict[str, str]], k: int) -> dict[str, tuple[int, int]]:
    """Values held by fewer than k audits -> OTHER; per variable (values, audits) recoded."""
    done = {}
    for var in RARE_TO_OTHER:
        counts = Counter(r[var] for r in rows)
        rare = {v for v, n in counts.items() if n < k and v not in ("", OTHER)}
        for r in rows:
            if r[var] in rare:
                r[var] = OTHER
        done[var] = (len(rare), sum(counts[v] for v in rare))
    return done


def _suppress(rows: list[dict[str, str]], k: int, order: tuple[str, ...]) -> tuple[set[int], Counter]:
    """Local suppression in `order`; returns the indexes withheld, and per variable how
    many values were suppressed."""
    suppressed: Counter = Counter()
    order = tuple(v for v in order if len({r[v] for r in rows}) > 1)
    for var in order:
        sizes = Counter(_combo(r) for r in rows)
        for r in rows:
            if sizes[_combo(r)] < k and r[var] != SUPPRESSED:
                r[var] = SUPPRESSED
                suppressed[var] += 1
    withheld: set[int] = set()
    sizes = Counter(_combo(r) for r in rows)
    short = {c: n for c, n in sizes.items() if n < k}  # all suppressed but the checklist
    for combo, n in short.items():
        need = k - n
        checklist = combo[QUASI.index("checklist")]
        donors = sorted(
            (c for c, m in sizes.items() if m - need >= k and c[QUASI.index("checklist")] == checklist
             and c not in short),
            key=lambda c: -sizes[c],
        )
        if donors:
            donor = donors[0]
            moved = 0
            for r in rows:
                if moved == need:
                    break
                if _combo(r) == donor:
                    for var in order:
                        suppressed[var] += r[var] != SUPPRESSED
                        r[var] = SUPPRESSED
                    moved += 1
            sizes[donor] -= need
        else:
            withheld |= {i for i, r in enumerate(rows) if _combo(r) == combo}
    return withheld, suppressed


def _attempt(rows: Sequence[Mapping[str, str]], level: str, k: int, order: tuple[str, ...]):
    work = [dict(r) for r in rows]
    for r in work:
        r[PERIOD] = _period(r[PERIOD], level)
    rare = _recode_rare(work, k)
    withheld, suppressed = _suppress(work, k, order)
    cost = sum(suppressed.values()) + len(QUASI) * len(withheld)
    return cost, work, rare, withheld, suppressed


def protect(rows: Sequence[Mapping[str, str]], k: int = K) -> Protected:
    """Protect `rows` (each with every name in QUASI; PERIOD as 'YYYY-MM'). Returns the
    protected values in the same order, withheld rows as None, and the summary. A variable
    the output does not show can be given one constant value: it then costs nothing."""
    best = None
    for level in LEVELS:
        for order in SUPPRESS_ORDERS:
            attempt = _attempt(rows, level, k, order)
            if best is None or attempt[0] < best[1][0]:
                best = (level, attempt)
    assert best is not None
    level, (_, work, rare, withheld, suppressed) = best
    summary = []
    for var in QUASI:
        kept = [r for i, r in enumerate(work) if i not in withheld]
        s = VariableSummary(var, suppressed=sum(r[var] == SUPPRESSED for r in kept))
        if var == PERIOD and level != "month":
            # an audit suppressed after coarsening counts once, as suppressed
            s.how = f"months shown as {level}s"
            s.recoded = sum(r[var] != SUPPRESSED for r in kept)
        elif var in rare and rare[var][0]:
            values, audits = rare[var]
            s.recoded = sum(r[var] == OTHER for r in kept)
            s.how = f"{values} value(s) held by fewer than {k} audits ({audits} audits) shown as '{OTHER}'"
        summary.append(s)
    out: list[dict[str, str] | None] = [None if i in withheld else r for i, r in enumerate(work)]
    shown = tuple(v for v in QUASI if len({r[v] for r in rows}) > 1)
    return Protected(out, level, summary, len(withheld), k, shown)


def fresh_pseudonyms(old: Iterable[str]) -> dict[str, str]:
    """A new random pseudonym for each distinct old one, drawn for this release only, so
    that no pseudonym or key built on it links two releases."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    fresh: dict[str, str] = {}
    taken: set[str] = set()
    for value in old:
        while value not in fresh:
            name = "Case " + "".join(secrets.choice(alphabet) for _ in range(7))
            if name not in taken:
                fresh[value] = name
                taken.add(name)
    return fresh
