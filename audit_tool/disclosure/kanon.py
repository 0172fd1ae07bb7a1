"""A k-anonymous analyst dataset (issue 18, item 5): coarsen, then locally suppress, the
quasi-identifiers until every audit matches at least K audits on them.

Quasi-identifiers: what someone who knows roughly where and when a file was read could look
up: area, agency, team, phase, audit type, checklist (with its version) and the month the
audit was started. The analyst dataset releases no area, agency or team (dataset.py): it
passes them as one constant value, which costs nothing, so there the quasi-identifiers are
phase, audit type, checklist and period. The method is sdcMicro's (Templ, Kowarik & Meindl), in four steps:

1. audit type is dropped as a quasi-identifier where the checklist determines it (every
   audit of a checklist has the same type): it then tells nothing the checklist does not;
2. global recoding of time: months, or quarters, or years: the finest that needs the fewest
   suppressions (ties go to the finer). Coarsening comes before suppression;
3. global recoding of rare values: an area, agency, team, audit type or phase held by fewer
   than K audits is shown as OTHER (one label for all of them);
4. local suppression, audit by audit: an audit matching fewer than K audits is given
   SUPPRESSED in the least important variable that alone brings it to K (the order of
   SUPPRESS_ORDERS that needs the fewest suppressions wins); a variable with one value
   only is never suppressed. The
   checklist is never suppressed (the items in the answers sheet would give it back); an
   audit of a checklist with fewer than K audits is withheld (counted in the summary).

Matching follows sdcMicro's convention for suppressed values: SUPPRESSED (a missing value)
matches any value, so an audit's frequency counts every audit that agrees with it on every
variable where neither is suppressed (`match_counts`). An attacker who knows an audit's
area, agency, phase, checklist and month finds at least K rows it could be. The convention
lets one suppression widen a group instead of starting a new group "Suppressed", which is
what made the strict rule suppress area in 247 of 268 audits of the 300-audit demo.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

K = 5
OTHER = "Other"
SUPPRESSED = "Suppressed"
PERIOD = "period"
QUASI = ("area", "agency", "team", "phase", "audit_type", "checklist", PERIOD)
RARE_TO_OTHER = ("area", "agency", "team", "audit_type", "phase")
# the orders tried for local suppression, least important first; the one needing the fewest
# suppressions wins (ties: the first listed). Phase last: the programme is evaluated by it.
SUPPRESS_ORDERS = (
    ("team", "agency", "audit_type", PERIOD, "area", "phase"),
    ("team", "audit_type", "agency", PERIOD, "area", "phase"),
    ("team", "agency", PERIOD, "audit_type", "area", "phase"),
    ("team", PERIOD, "agency", "audit_type", "area", "phase"),
    ("team", "agency", "audit_type", "area", PERIOD, "phase"),
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
    type_by_checklist: bool = False  # audit type dropped: the checklist determines it

    def codebook_notes(self) -> list[str]:
        """Plain sentences for the codebook: how many values were coarsened or suppressed."""
        names = [v.replace("_", " ") for v in self.shown]
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
        notes = [
            f"Every audit matches at least {self.k} audits on {listed} (k-anonymity, "
            f"k = {self.k}): values were coarsened or suppressed until it did. A value shown "
            f"as '{SUPPRESSED}' counts as matching any value (sdcMicro's convention). Periods "
            f"are {self.period}s."
        ]
        if self.type_by_checklist:
            notes.append("Audit type is not counted separately: each checklist here was used "
                         "for one type of audit only, so the checklist already says it.")
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


def match_counts(rows: Sequence[Mapping[str, str]], variables: Sequence[str] = QUASI) -> list[int]:
    """For each row, how many rows (itself included) agree with it on every variable where
    neither shows SUPPRESSED. Identical rows are counted once (an _Index of the distinct
    combinations), so the work is (distinct combinations x patterns), not rows^2."""
    get = itemgetter(*variables)
    combos = [get(r) for r in rows] if len(variables) > 1 else [(get(r),) for r in rows]
    index = _Index(Counter(combos).items())
    found: dict[tuple[str, ...], int] = {}
    out = []
    for c in combos:
        n = found.get(c)
        if n is None:
            n = found[c] = index.matching(c)
        out.append(n)
    return out


def smallest_group(rows: Sequence[Mapping[str, str] | None]) -> int:
    """The fewest audits any row matches (match_counts; 0 for no rows)."""
    kept = [r for r in rows if r is not None]
    return min(match_counts(kept), default=0)


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


class _Index:
    """Combinations of values with their counts, answering "how many audits match this
    combination" (SUPPRESSED matching anything) in one look-up per pattern of suppressed
    variables: per (their pattern, both patterns) a Counter of the values both show, built
    when first asked and kept up to date as audits change. Patterns are bit masks of the
    suppressed positions; the values shown are taken with one itemgetter per mask (speed:
    this is most of a dataset build, issue 22)."""

    def __init__(self, combos: Iterable[tuple[tuple[str, ...], int]]) -> None:
        self.by_pattern: dict[int, Counter] = {}
        # their pattern -> both patterns -> (getter of the values shown, Counter of them)
        self.cache: dict[int, dict[int, tuple[Callable, Counter]]] = defaultdict(dict)
        self.patterns: dict[tuple[str, ...], int] = {}
        self.getters: dict[int, Callable] = {}
        for c, n in combos:
            self.add(c, n)

    def _pattern(self, combo: tuple[str, ...]) -> int:
        p = self.patterns.get(combo)
        if p is None:
            p = sum(1 << i for i, v in enumerate(combo) if v == SUPPRESSED)
            self.patterns[combo] = p
        return p

    def _getter(self, hidden: int, width: int) -> Callable:
        get = self.getters.get(hidden)
        if get is None:
            keep = [i for i in range(width) if not hidden >> i & 1]
            # itemgetter of one index gives the value, of several a tuple: either is a key
            get = itemgetter(*keep) if keep else (lambda _c: ())
            self.getters[hidden] = get
        return get

    def add(self, combo: tuple[str, ...], n: int = 1) -> None:
        theirs = self._pattern(combo)
        counter = self.by_pattern.get(theirs)
        if counter is None:
            counter = self.by_pattern[theirs] = Counter()
        counter[combo] += n
        for get, shown in self.cache[theirs].values():
            shown[get(combo)] += n

    def matching(self, combo: tuple[str, ...]) -> int:
        mine = self._pattern(combo)
        total = 0
        for theirs, combos in self.by_pattern.items():
            hidden = mine | theirs
            per = self.cache[theirs]
            entry = per.get(hidden)
            if entry is None:
                get = self._getter(hidden, len(combo))
                counter: Counter = Counter()
                for c, n in combos.items():
                    counter[get(c)] += n
                entry = per[hidden] = (get, counter)
            total += entry[1].get(entry[0](combo), 0)
        return total


def _suppress(rows: list[dict[str, str]], k: int, order: tuple[str, ...]) -> tuple[set[int], Counter]:
    """Local suppression, audit by audit (fewest matches first): suppress the least
    important variable (in `order`) that alone brings the audit to k matches; when none
    does, the one that brings it closest, and go on. Suppressing only ever raises other
    audits' matches, so an audit once safe stays safe. Returns the indexes withheld (a
    checklist of fewer than k audits), and per variable how many values were suppressed."""
    suppressed: Counter = Counter()
    order = tuple(v for v in order if len({r[v] for r in rows}) > 1)
    at = {v: QUASI.index(v) for v in order}
    index = _Index(Counter(map(itemgetter(*QUASI), rows)).items())
    counts = match_counts(rows)
    for i in sorted((i for i, n in enumerate(counts) if n < k), key=counts.__getitem__):
        row = rows[i]
        old = trial = tuple(row[v] for v in QUASI)
        while index.matching(trial) < k:
            options = []
            for rank, var in enumerate(order):
                if trial[at[var]] != SUPPRESSED:
                    t = trial[:at[var]] + (SUPPRESSED,) + trial[at[var] + 1:]
                    n = index.matching(t)
                    options.append((n >= k, n, -rank, var, t))
            if not options:
                break  # everything suppressed but the checklist: withheld below
            enough = [o for o in options if o[0]]
            trial = (max(enough, key=lambda o: o[2]) if enough else max(options, key=lambda o: o[1:3]))[4]
        if trial != old:
            index.add(old, -1)
            index.add(trial)
            for var in order:
                if trial[at[var]] == SUPPRESSED and row[var] != SUPPRESSED:
                    row[var] = SUPPRESSED
                    suppressed[var] += 1
    counts = match_counts(rows)
    withheld = {i for i, n in enumerate(counts) if n < k}
    return withheld, suppressed


def _attempt(rows: Sequence[Mapping[str, str]], level: str, k: int, order: tuple[str, ...]):
    work = [dict(r) for r in rows]
    for r in work:
        r[PERIOD] = _period(r[PERIOD], level)
    rare = _recode_rare(work, k)
    withheld, suppressed = _suppress(work, k, order)
    cost = sum(suppressed.values()) + len(QUASI) * len(withheld)
    return cost, work, rare, withheld, suppressed


def _type_by_checklist(rows: Sequence[Mapping[str, str]]) -> bool:
    types: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        types[r["checklist"]].add(r["audit_type"])
    return bool(types) and all(len(t) == 1 for t in types.values())


def protect(rows: Sequence[Mapping[str, str]], k: int = K) -> Protected:
    """Protect `rows` (each with every name in QUASI; PERIOD as 'YYYY-MM'). Returns the
    protected values in the same order, withheld rows as None, and the summary. A variable
    the output does not show can be given one constant value: it then costs nothing."""
    by_checklist = _type_by_checklist(rows)
    types = [r["audit_type"] for r in rows]
    if by_checklist:  # a constant costs nothing; the real value is put back below
        rows = [{**r, "audit_type": ""} for r in rows]
    # the period level first (with the first order), then the orders at that level
    level, attempt = min(((lv, _attempt(rows, lv, k, SUPPRESS_ORDERS[0])) for lv in LEVELS),
                         key=lambda la: la[1][0])
    for order in SUPPRESS_ORDERS[1:]:
        other = _attempt(rows, level, k, order)
        if other[0] < attempt[0]:
            attempt = other
    _, work, rare, withheld, suppressed = attempt
    if by_checklist:
        for r, t in zip(work, types, strict=True):
            r["audit_type"] = t
    summary = []
    kept = [r for i, r in enumerate(work) if i not in withheld]
    for var in QUASI:
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
    return Protected(out, level, summary, len(withheld), k, shown, by_checklist)


def fresh_pseudonyms(old: Iterable[str]) -> dict[str, str]:
    """A new random pseudonym for each distinct old one, drawn for this release only, so
    that no pseudonym or key built on it links two releases."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 characters: 5 random bits each
    fresh: dict[str, str] = {}
    taken: set[str] = set()
    for value in old:
        while value not in fresh:
            # one call for the 7 characters (secrets.choice per character was 0.1 s a
            # 10,000-audit export); a byte's low 5 bits pick from 32 evenly
            name = "Case " + "".join([alphabet[b & 31] for b in secrets.token_bytes(7)])
            if name not in taken:
                fresh[value] = name
                taken.add(name)
    return fresh
