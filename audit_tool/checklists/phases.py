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
