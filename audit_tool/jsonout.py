"""Stable JSON shapes for the command line (documented in docs/cli-json.md)."""

from __future__ import annotations

from typing import Any

from .audits import progress
from .domain import Audit, AuditRow


def audit_to_json(audit: Audit) -> dict[str, Any]:
    d = audit.checklist.definition
    ratings = audit.ratings
    answered, applicable = progress(audit)
    themes = []
    for theme in d.themes:
        items = []
        for item in theme.items:
            scale = d.scale_of(item)
            ans = audit.answers.get(item.id)
            items.append({
                "id": item.id,
                "text": item.question,
                "guidance": item.guidance,
                "scale": item.scale,
                "kind": scale.kind,  # "fact": counted, never scored
                "levels": [{"value": lv.value, "label": lv.label} for lv in scale.ordered_levels()],
                "required": item.required,
                "visible": d.visible(item, ratings),
                # shown, pending, fails (hidden by a failing answer: counts as not meeting
                # the standard) or not_applicable (hidden, left out)
                "counts_as": (
                    "not_applicable"
                    if scale.is_fact and d.hidden_effect(item, ratings) == "fails"
                    else d.hidden_effect(item, ratings)
                ),
                "rating": ans.rating if ans else None,
                "note": ans.note if ans else "",
                "meets_standard": scale.meets(ans.rating) if ans and ans.rating else None,
            })
        themes.append({"id": theme.id, "title": theme.title, "items": items})
    return {
        "id": audit.id,
        "status": audit.status.value,
        "type": audit.audit_type.value,
        "phase": audit.phase.value,
        "checklist": {"id": d.id, "version": d.version, "title": d.title, "sha256": audit.checklist.sha256},
        "case": {
            "id": audit.case.id,
            "reference": audit.case.reference,
            "pseudonym": audit.case.pseudonym,
            "area": audit.case.area,
            "agency": audit.case.agency,
            "team": audit.case.team,
        },
        "reviewer": {"name": audit.reviewer.name, "role": audit.reviewer.role, "agency": audit.reviewer.agency},
        "created": audit.created_at,
        "updated": audit.updated_at,
        "finalised": audit.finalised_at,
        "first_finalised": audit.first_finalised_at,
        "amended": (
            {"at": audit.amended_at, "reason": audit.amend_reason} if audit.amended_at else None
        ),
        "progress": {"answered": answered, "applicable": applicable},
        "summary": audit.summary,
        "strengths": audit.strengths,
        "improvements": audit.improvements,
        "recommendations": [{"text": r.text, "owner": r.owner, "due": r.due} for r in audit.recommendations],
        "concerns_raised": len(audit.concerns),
        "themes": themes,
    }


def row_to_json(row: AuditRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "checklist": row.checklist_id,
        "checklist_version": row.checklist_version,
        "type": row.audit_type,
        "phase": row.phase,
        "case": row.case_id,
        "pseudonym": row.pseudonym,
        "area": row.area,
        "agency": row.agency,
        "reviewer": row.reviewer,
        "answered": row.answered,
        "items": row.total,
        "created": row.created_at,
        "updated": row.updated_at,
    }
