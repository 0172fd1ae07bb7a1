"""What the lead writes for one release of a steering-group report.

Page 1 carries a short commentary and the decisions sought from the group; a death review
also carries how many deaths there were in the period (the denominator a group asks for).
They are the lead's words, not the data's: kept with the release in the register so a later
report can say what was asked last time, and editable in the export dialog.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_COMMENTARY = 2000  # characters: page 1 must still fit on one page
MAX_DECISIONS = 5
MAX_DECISION = 300


@dataclass(frozen=True)
class ReleaseNotes:
    commentary: str = ""
    decisions: tuple[str, ...] = field(default_factory=tuple)
    deaths_in_period: int | None = None  # death reviews: deaths the lead recorded for the period

    def __post_init__(self) -> None:
        if len(self.commentary) > MAX_COMMENTARY:
            raise ValueError(f"The commentary is longer than {MAX_COMMENTARY:,} characters.")
        if len(self.decisions) > MAX_DECISIONS:
            raise ValueError(f"Give at most {MAX_DECISIONS} decisions sought.")
        if any(len(d) > MAX_DECISION for d in self.decisions):
            raise ValueError(f"A decision sought is longer than {MAX_DECISION} characters.")
        if self.deaths_in_period is not None and not 0 <= self.deaths_in_period < 1_000_000:
            raise ValueError("The number of deaths in the period must be a whole number from 0.")
