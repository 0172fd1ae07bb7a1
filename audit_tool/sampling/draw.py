"""Which case files are eligible, and a reproducible sample of them.

Simple random: random.Random(seed).sample over the eligible rows in file order.
Stratified: proportional allocation by the largest-remainder method (ties to the stratum
whose name sorts first); every stratum gets at least one file, taken from the stratum
whose share was rounded up the most, so no team is left out of the sample; each stratum
is then sampled with its own Random seeded from sha256(seed, stratum name), so the draw
depends only on the list, the seed and the size, never on dictionary order.
The same list, seed and size always give the same files.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from ..errors import InvalidInput
from ..validation import MAX_SHORT  # as a case allows for a reference, area, agency or team
from .caselist import CaseList, column_letter

NO_REFERENCE = "no case reference"
BLANK_STRATUM = "(blank)"


@dataclass(frozen=True)
class Columns:
    """Which heading holds what. Only the reference and area are required."""

    reference: str
    area: str
    agency: str | None = None
    team: str | None = None
    strata: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Eligible:
    row: int  # the row number in the file, for messages
    reference: str
    area: str
    agency: str
    team: str
    stratum: str


@dataclass(frozen=True)
class Eligibility:
    files: tuple[Eligible, ...]
    exclusions: dict[str, int] = field(default_factory=dict)  # reason -> rows left out

    @property
    def excluded(self) -> int:
        return sum(self.exclusions.values())


@dataclass(frozen=True)
class Draw:
    chosen: tuple[Eligible, ...]  # in file order
    eligible: int
    seed: int
    method: str  # "simple" or "stratified"
    strata: dict[str, tuple[int, int]]  # stratum -> (eligible, drawn), sorted by name

    def summary(self, strata_column: str | None = None) -> str:
        """'40 of 212 eligible; by team: A 12, B 28' (no references)."""
        text = f"{len(self.chosen):,} of {self.eligible:,} eligible"
        if self.method == "stratified":
            by = (strata_column or "stratum").lower()
            text += f"; by {by}: " + ", ".join(f"{k} {n}" for k, (_e, n) in self.strata.items())
        return text


def _norm(reference: str) -> str:
    """References that differ only in case or spacing are the same file."""
    return "".join(reference.split()).casefold()


def eligible_files(caselist: CaseList, columns: Columns) -> Eligibility:
    """The rows that can be sampled. A row without a reference is left out (counted); a
    missing area, a too-long value or a reference listed twice is an error naming rows."""
    idx = {role: caselist.column(heading) for role, heading in columns.as_dict().items()}
    if idx["reference"] in (i for role, i in idx.items() if role != "reference"):
        raise InvalidInput(
            "The case reference column cannot also be the area, agency, team or strata."
        )
    where = caselist.source_name + (f", sheet '{caselist.sheet}'" if caselist.sheet else "")
    first_row: dict[str, int] = {}
    files: list[Eligible] = []
    exclusions: Counter[str] = Counter()
    for number, values in caselist.rows:
        reference = values[idx["reference"]]
        if not reference:
            exclusions[NO_REFERENCE] += 1
            continue
        for i in idx.values():
            if len(values[i]) > MAX_SHORT:
                raise InvalidInput(
                    f"{where}, row {number}, column {column_letter(i)} ({caselist.headers[i]}): "
                    f"the value is longer than {MAX_SHORT} characters."
                )
        area = values[idx["area"]]
        if not area:
            raise InvalidInput(
                f"{where}, row {number}: no area in column {column_letter(idx['area'])} "
                f"({caselist.headers[idx['area']]}); every case needs one."
            )
        key = _norm(reference)
        if key in first_row:
            raise InvalidInput(
                f"{where}: rows {first_row[key]} and {number} have the same case reference; "
                "each case should be listed once. Nothing was imported."
            )
        first_row[key] = number
        stratum = values[idx["strata"]] if "strata" in idx else ""
        files.append(
            Eligible(
                number,
                reference,
                area,
                values[idx["agency"]] if "agency" in idx else "",
                values[idx["team"]] if "team" in idx else "",
                stratum or BLANK_STRATUM,
            )
        )
    if not files:
        raise InvalidInput(f"{where}: no row has a case reference.")
    return Eligibility(tuple(files), dict(exclusions))


def _stratum_seed(seed: int, stratum: str) -> int:
    digest = hashlib.sha256(f"{seed}\x00{stratum}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of n over strata by the largest-remainder method, then at
    least one file per stratum. Exact arithmetic (fractions), so no rounding surprises."""
    total = sum(sizes.values())
    names = sorted(sizes)
    if n < len(names):
        raise InvalidInput(
            f"A sample of {n} cannot include one file from each of the {len(names)} strata; "
            f"choose at least {len(names)}, or draw without strata."
        )
    quota = {k: Fraction(n * sizes[k], total) for k in names}
    alloc = {k: int(quota[k]) for k in names}
    left = n - sum(alloc.values())
    by_remainder = sorted(names, key=lambda k: (-(quota[k] - alloc[k]), k))
    for k in by_remainder[:left]:
        alloc[k] += 1
    for k in names:  # a stratum rounded down to none still gets one file
        if alloc[k] == 0:
            donor = min(
                (d for d in names if alloc[d] > 1),
                key=lambda d: (-(alloc[d] - quota[d]), d),
            )
            alloc[donor] -= 1
            alloc[k] = 1
    return alloc


def draw(elig: Eligibility, size: int, seed: int, stratified: bool = False) -> Draw:
    files = elig.files
    if size < 1:
        raise InvalidInput("The sample size must be at least 1.")
    if size > len(files):
        raise InvalidInput(
            f"A sample of {size:,} is more than the {len(files):,} eligible files in the list."
        )
    if not stratified:
        picked = sorted(random.Random(seed).sample(range(len(files)), size))
        chosen = tuple(files[i] for i in picked)
        return Draw(chosen, len(files), seed, "simple", {})
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(files):  # file order within each stratum
        groups.setdefault(f.stratum, []).append(i)
    alloc = allocate({k: len(v) for k, v in groups.items()}, size)
    picked_all: list[int] = []
    for k in sorted(groups):
        members = groups[k]
        picked_all += random.Random(_stratum_seed(seed, k)).sample(members, alloc[k])
    chosen = tuple(files[i] for i in sorted(picked_all))
    strata = {k: (len(groups[k]), alloc[k]) for k in sorted(groups)}
    return Draw(chosen, len(files), seed, "stratified", strata)
