"""How the builders count what they hold as records (recommendations, files read twice):
exactly for an identifiable report, through the cell-key perturbation for an anonymised one.

The builders count a list of records with its audit ids and print the count; a `Tally` made
by build.py with the record keys (reports/release.py's rules) turns each count into the
released figure, so they never see an exact count they would publish. No SQL here.

- A count of audits (audits with a recommendation, files compared): the audits' own noise,
  as every other count of audits; 1 to 4 stay and print '<5'.
- A count of case files read twice (agreement): the files' own noise, keyed by the audits
  reading them; under 5 it stays and prints 'fewer than 5', with no figures.
- A count of records resting on audits (recommendations recorded, with an owner...): the
  noise of the row for the audits behind it times the most records one audit holds, keyed
  by those audits shifted by `offset` (each figure its own shift, so no two figures of the
  same audits move together). Resting on 1 to 4 audits, it prints '<5' (shown as at most 4),
  whatever the number of records: the records of so few audits would name them.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..disclosure.cellkey import AUDITS, PTable, key_from_sum
from ..disclosure.rules import SUPPRESS_BELOW


@dataclass(frozen=True)
class Tally:
    """Counts as a report prints them. Without keys: exact (an identifiable report)."""

    keys: Mapping[str, int] | None = None
    table: PTable | None = None

    @property
    def perturbed(self) -> bool:
        return self.keys is not None

    def audits(self, audit_ids: Iterable[str]) -> int:
        """The number of distinct audits, as released."""
        ids = set(audit_ids)
        if self.keys is None or len(ids) < SUPPRESS_BELOW:
            return len(ids)
        return self.audits_of(len(ids), sum(map(self.keys.__getitem__, ids)))

    def audits_of(self, n: int, key_sum: int) -> int:
        """`n` distinct audits whose record keys add up to `key_sum`, as released (as
        audits()): for counts made in SQL with their key sums."""
        if self.keys is None or n < SUPPRESS_BELOW:
            return n
        t = self.table
        assert t is not None
        return n + t.noise(n, key_from_sum(key_sum, AUDITS, t))

    def files(self, readers: Iterable[Iterable[str]]) -> int:
        """The number of case files (each given as the audits reading it), as released: the
        audits' row, keyed by the sum of every reading audit's key shifted by FILES."""
        files = [tuple(r) for r in readers]
        n = len(files)
        if self.keys is None or n < SUPPRESS_BELOW:
            return n
        t = self.table
        assert t is not None
        key = (sum(self.keys[a] for f in files for a in f) + FILES) % t.parameters.key_range
        return n + t.noise(n, key)

    def records(self, audit_ids: list[str], offset: int) -> int:
        """The number of records (one audit id each, repeats allowed), as released."""
        n = len(audit_ids)
        if self.keys is None or n == 0:
            return n
        per = Counter(audit_ids)
        if len(per) < SUPPRESS_BELOW:
            return min(n, SUPPRESS_BELOW - 1)  # prints '<5'
        t = self.table
        assert t is not None
        key = (sum(self.keys[a] for a in per) + offset) % t.parameters.key_range
        # never below 5: records of 5 or more audits number at least 5
        return max(SUPPRESS_BELOW, n + max(per.values()) * t.noise(len(per), key))


EXACT = Tally()

# each recommendation figure's shift of its audits' key sum: two figures over the same
# audits must not move together (else one minus a multiple of the other is exact)
RECORDED, OWNED, DATED, OVERDUE, UNREAD = 23, 59, 101, 137, 179
FILES = 199  # case files read twice (agreement), keyed by their readers' audits
TERMS = 31  # times a flagged wording was found, plus the phrase's own shift (term_offset)


def term_offset(phrase: str) -> int:
    """A flagged term's key shift: its own, so two terms over the same audits move apart."""
    return TERMS + zlib.crc32(phrase.lower().encode("utf-8"))

__all__ = ["DATED", "EXACT", "OVERDUE", "OWNED", "RECORDED", "UNREAD", "Tally", "term_offset"]
