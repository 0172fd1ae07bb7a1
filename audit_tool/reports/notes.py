"""What the lead writes for one release of a steering-group report.

Page 1 carries a short commentary and the decisions sought from the group; a death review
also carries how many deaths there were in the period (the denominator a group asks for).
They are the lead's words, not the data's: kept with the release in the register so a later
report can say what was asked last time, and editable in the export dialog.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Page 1 must still fit on one page with the notes at these limits (issue 20, item 10),
# measured on the 400-audit demo report (Safe & Together, all checklists, the death-review
# page), PDF and the DOCX as LibreOffice lays it out, with long and with short words: at 2,000
# and 300 it ran over; the all-checklists DOCX is the tightest (tests/test_report_page1_layout.py).
MAX_COMMENTARY = 500  # characters
MAX_DECISIONS = 5
MAX_DECISION = 120  # characters each


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

    @classmethod
    def kept(cls, commentary: str, decisions: tuple[str, ...], deaths_in_period: int | None) -> ReleaseNotes:
        """Notes as the register kept them, not checked against today's limits: notes kept
        under the earlier, longer limits still load, and the export dialog shows them to be
        shortened before the next release (make_notes checks them then)."""
        notes = object.__new__(cls)
        for key, value in (("commentary", commentary), ("decisions", decisions),
                           ("deaths_in_period", deaths_in_period)):
            object.__setattr__(notes, key, value)
        return notes
