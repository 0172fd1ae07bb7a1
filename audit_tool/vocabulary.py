"""The fixed words of the domain: audit types, phases and statuses.

At the bottom of the core: the checklist model checks a checklist's audit types against
this list, and domain.py (plain data) names them, without either importing the other.
"""

from __future__ import annotations

from enum import StrEnum


class AuditType(StrEnum):
    CASE_FILE_AUDIT = "case_file_audit"
    THEMATIC_REVIEW = "thematic_review"
    MULTI_AGENCY_REVIEW = "multi_agency_review"
    DRUG_ALCOHOL_DEATH_REVIEW = "drug_alcohol_death_review"
    MODERATION = "moderation"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    AuditType.CASE_FILE_AUDIT: "Case file audit",
    AuditType.THEMATIC_REVIEW: "Thematic review",
    AuditType.MULTI_AGENCY_REVIEW: "Multi-agency review",
    AuditType.DRUG_ALCOHOL_DEATH_REVIEW: "Drug/alcohol death review",
    AuditType.MODERATION: "Moderation",
}


class Phase(StrEnum):
    BASELINE = "baseline"
    POST_TRAINING = "post_training"
    FOLLOW_UP = "follow_up"

    @property
    def label(self) -> str:
        return {"baseline": "Baseline", "post_training": "Post-training", "follow_up": "Follow-up"}[
            self.value
        ]


class Status(StrEnum):
    DRAFT = "draft"
    FINALISED = "finalised"

    @property
    def label(self) -> str:
        return "Draft" if self is Status.DRAFT else "Finalised"
