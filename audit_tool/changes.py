"""What a core write changed, so each screen refreshes from a summary, not by guessing.

Every write in the core (new case, new audit, answer, summary, finalise, amend, delete,
moderation, a received bundle, sampling, reviewer, checklist import) returns a `Changes`.
A write that already returned a value keeps returning it (callers and tests rely on it) and
the value carries its `Changes` as `.changes`: a new case or reviewer profile, a new audit's
id (`NewAudit`, a str), an `AnswerChange`, a `Concern`, a sampling's `Created`, an
`ImportPlan`.
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


def of_audit(audit_id: str) -> Changes:
    """An audit's content changed (an answer, the summary, a concern)."""
    return Changes(audits=frozenset({audit_id}))


def of_status(audit_id: str) -> Changes:
    """An audit was finalised or reopened: its content and its status changed."""
    one = frozenset({audit_id})
    return Changes(audits=one, status=one)


class NewAudit(str):
    """The id of an audit a write created: a plain str to every caller, with `.changes`."""

    changes: Changes

    def __new__(cls, audit_id: str, changes: Changes | None = None) -> NewAudit:
        made = super().__new__(cls, audit_id)
        made.changes = changes or Changes(added=frozenset({audit_id}))
        return made
