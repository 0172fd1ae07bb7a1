"""What a checklist's phases mean, in the words a report uses.

A training evaluation (Safe & Together) compares audits before and after training; a death
review compares earlier and later reviews and must never read as a training evaluation. Each
checklist may say what its phases mean (a setting in its file); this module is the one place
that turns a phase into words, so every report, table and chart says the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary import Phase


@dataclass(frozen=True)
class PhaseWords:
    """A checklist's words for its phases: `names` label a column or row ("Baseline"),
    `change` heads a comparison ("Change after training")."""

    names: dict[str, str]
    change: str
    training: bool  # whether the later phase follows training (only then may a report say so)

    def name(self, phase: str) -> str:
        return self.names.get(phase, phase)

    def lower(self, phase: str) -> str:
        """The name inside a sentence: "post-training", "later reviews"."""
        n = self.name(phase)
        return n[:1].lower() + n[1:] if n[1:2].islower() else n

    @property
    def pair(self) -> str:
        """The two phases compared, inside a sentence: "baseline and post-training"."""
        return f"{self.lower('baseline')} and {self.lower('post_training')}"

    @property
    def change_lower(self) -> str:
        """The comparison inside a sentence: "change after training"."""
        return self.change[:1].lower() + self.change[1:]


DEFAULT = PhaseWords(
    names={p.value: p.label for p in Phase},
    change="Change after training",
    training=True,
)


def phase_words(checklist: object | None = None) -> PhaseWords:
    """The phase wording for a checklist (a `Checklist`, or None for the default training
    wording). Checklists that declare their own phase meaning override the default."""
    words = getattr(checklist, "phase_words", None)
    return words if isinstance(words, PhaseWords) else DEFAULT


# A report over checklists whose phases mean different things (a training evaluation and a
# death review together) words them so that neither reading is implied.
MIXED = PhaseWords(
    names={"baseline": "Earlier", "post_training": "Later", "follow_up": "Follow-up"},
    change="Change between earlier and later audits",
    training=False,
)


def common_words(checklists: list[object | None]) -> PhaseWords:
    """The wording for a report over several checklists: theirs when they all agree (or
    there is none), else the neutral MIXED wording."""
    found = [phase_words(c) for c in checklists] or [DEFAULT]
    return found[0] if all(w == found[0] for w in found) else MIXED
