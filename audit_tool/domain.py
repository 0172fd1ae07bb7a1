"""Plain data: what the core hands to its clients (GUI, CLI, reports). No behaviour here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .changes import Changes
from .vocabulary import AuditType, Phase, Status  # noqa: F401 (part of the plain data)

if TYPE_CHECKING:
    from .checklists.loader import LoadedChecklist


SUMMARY_FIELDS = {
    "summary": "Overall summary",
    "strengths": "Strengths",
    "improvements": "Areas for improvement",
}


@dataclass(frozen=True)
class Reviewer:
    id: str
    name: str
    role: str = ""
    agency: str = ""

    @property
    def changes(self) -> Changes:
        """What writing this profile changed (set_local_reviewer, add_reviewer return it)."""
        return Changes(reviewer=True)


@dataclass(frozen=True)
class Case:
    id: str
    reference: str  # identifying: shown to the reviewer, left out of exports by default
    pseudonym: str
    area: str
    agency: str = ""
    team: str = ""
    created_at: str = ""

    @property
    def changes(self) -> Changes:
        """What adding this case changed (add_case returns the case)."""
        return Changes(cases=True)


@dataclass(frozen=True)
class Answer:
    item_id: str
    rating: str | None
    note: str
    applies: bool
    updated_at: str


@dataclass(frozen=True)
class Recommendation:
    text: str
    owner: str = ""
    due: str = ""


@dataclass(frozen=True)
class Concern:
    """That a matter of concern was raised outside the audit: never its details."""

    raised_on: str
    raised_to: str
    raised_by: str
    recorded_at: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    who: str
    action: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Audit:
    id: str
    case: Case
    checklist: LoadedChecklist
    audit_type: AuditType
    phase: Phase
    reviewer: Reviewer
    status: Status
    created_at: str
    updated_at: str
    finalised_at: str | None
    summary: str
    strengths: str
    improvements: str
    answers: dict[str, Answer] = field(default_factory=dict)
    recommendations: tuple[Recommendation, ...] = ()
    concerns: tuple[Concern, ...] = ()
    first_finalised_at: str | None = None  # kept through amendments: never deletable once set
    amended_at: str | None = None  # the latest reopening for amendment, and its reason
    amend_reason: str | None = None

    @property
    def ratings(self) -> dict[str, str | None]:
        return {k: a.rating for k, a in self.answers.items()}

    @property
    def read_only(self) -> bool:
        return self.status is Status.FINALISED

    @property
    def once_finalised(self) -> bool:
        """Finalised now or before an amendment: such an audit is never deleted."""
        return self.first_finalised_at is not None or self.amended_at is not None


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit list: enough to show, filter and sort 50,000 audits."""

    id: str
    case_id: str
    pseudonym: str
    reference: str
    area: str
    agency: str
    checklist_id: str
    checklist_title: str
    checklist_version: str
    audit_type: str
    phase: str
    reviewer: str
    status: str
    answered: int
    total: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class AnswerChange:
    """What one answer call changed, so a screen can refresh just that."""

    audit_id: str
    item_id: str
    answer: Answer
    shown: tuple[str, ...] = ()  # items that became visible
    hidden: tuple[str, ...] = ()  # items now hidden by a condition
    changed: bool = True

    @property
    def changes(self) -> Changes:
        """The same as the change summary every other write returns."""
        return Changes(audits=frozenset({self.audit_id})) if self.changed else Changes()
