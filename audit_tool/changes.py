"""What a core write changed, so each screen refreshes from a summary, not by guessing.

Every write in the core (new case, new audit, answer, summary, finalise, amend, delete,
moderation, a received bundle, sampling, reviewer, checklist import) returns a `Changes`.
The GUI's Session publishes it and the list, the editor and the findings view each decide
from it whether what they show is stale (as Anki's screens do from `OpChanges`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    audits: frozenset[str] = field(default_factory=frozenset)  # audits whose content changed
    added: frozenset[str] = field(default_factory=frozenset)  # audits created
    removed: frozenset[str] = field(default_factory=frozenset)  # audits deleted
    status: frozenset[str] = field(default_factory=frozenset)  # finalised, amended, ...
    cases: bool = False  # a case was added or changed
    reviewer: bool = False  # this laptop's reviewer profile
    checklists: bool = False  # a checklist was imported or removed
    conflicts: bool = False  # exchange conflicts were added or settled
    samplings: bool = False  # a sampling record was written

    @property
    def list_rows(self) -> bool:
        """Does the audit list need new rows (not just refreshed values)?"""
        return bool(self.added or self.removed or self.cases)

    @property
    def any(self) -> bool:
        return any(
            (
                self.audits,
                self.added,
                self.removed,
                self.status,
                self.cases,
                self.reviewer,
                self.checklists,
                self.conflicts,
                self.samplings,
            )
        )

    def touches(self, audit_id: str) -> bool:
        return audit_id in self.audits or audit_id in self.status or audit_id in self.removed

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.audits | other.audits,
            self.added | other.added,
            self.removed | other.removed,
            self.status | other.status,
            self.cases or other.cases,
            self.reviewer or other.reviewer,
            self.checklists or other.checklists,
            self.conflicts or other.conflicts,
            self.samplings or other.samplings,
        )


NOTHING = Changes()
