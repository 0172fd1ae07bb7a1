"""Every `audit-tool ... --json` document, built here and nowhere else (docs/cli-json.md).

Each key is written out by hand, never taken from a dataclass's fields: renaming a field in
the core must not rename a documented key (tests/test_jsonout.py checks every shape against
the document).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .audits import progress
from .domain import Audit, AuditRow, Case, HistoryEntry

if TYPE_CHECKING:
    from .checklists.loader import LoadedChecklist
    from .exchange.merge import Conflict
    from .findings.aggregate import Findings
    from .findings.agreement import Agreement, Coefficients, Estimate, GroupAgreement
    from .moderation import Moderation
    from .sampling.record import Sampling


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
                "kind": scale.kind,  # "fact" and "multiple": counted, never scored
                "levels": [
                    {"value": lv.value, "label": lv.label, "anchor": lv.anchor}
                    for lv in scale.ordered_levels()
                ],
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
                # multiple choice: the ticked options' values, in the scale's order
                "ticked": list(scale.ticked(ans.rating if ans else None))
                if scale.is_multiple
                else None,
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


def checklists_to_json(items: Iterable[LoadedChecklist]) -> list[dict[str, Any]]:
    """`audit-tool checklists --json`."""
    return [
        {"id": c.id, "version": c.version, "title": c.title, "items": c.definition.item_count(),
         "origin": c.origin, "sha256": c.sha256}
        for c in items
    ]


def case_to_json(case: Case) -> dict[str, Any]:
    """One case of `audit-tool case list --json`."""
    return {
        "id": case.id,
        "reference": case.reference,
        "pseudonym": case.pseudonym,
        "area": case.area,
        "agency": case.agency,
        "team": case.team,
        "created_at": case.created_at,
    }


def history_to_json(entry: HistoryEntry) -> dict[str, Any]:
    """One entry of `audit-tool audit history --json`."""
    return {
        "at": entry.at,
        "who": entry.who,
        "action": entry.action,
        "field": entry.field,
        "old": entry.old,
        "new": entry.new,
    }


def _share(g) -> float | None:
    return None if g.share is None else round(g.share, 4)


def findings_to_json(f: Findings) -> dict[str, Any]:
    """`audit-tool findings --json`."""
    return {
        "audits": f.audits,
        "cases": f.cases,
        "filter": f.filter.describe(),
        "by_theme": [
            {"checklist": g.checklist_id, "id": g.key, "title": g.label, "audits": g.audits,
             "rated": g.rated, "meets": g.meets, "share": _share(g),
             "distribution": [{"scale": b.scale, "value": b.value, "label": b.label, "count": b.count}
                              for b in g.distribution]}
            for g in f.by_theme
        ],
        "by_tag": [
            {"checklist": g.checklist_id, "id": g.key, "label": g.label, "kind": g.kind,
             "rated": g.rated, "meets": g.meets, "share": _share(g)}
            for g in f.by_tag
        ],
        "change": [
            {"checklist": c.checklist_id, "theme": c.key, "baseline": c.base_share,
             "post_training": c.post_share, "difference": c.change and c.change[0],
             "interval95": c.change and [c.change[1], c.change[2]]}
            for c in f.theme_change
        ],
    }


def _estimate_json(e: Estimate | None) -> dict | None:
    if e is None:
        return None
    interval = None if e.low is None else [round(e.low, 4), round(e.high, 4)]
    return {
        "value": round(e.value, 4),
        "se": None if e.se is None else round(e.se, 4),
        "interval95": interval,
    }


def _coefficients_json(c: Coefficients | None) -> dict | None:
    if c is None:
        return None
    return {
        "weights": c.weights,
        "units": c.units,
        "percent_agreement": _estimate_json(c.percent),
        "cohen_kappa": _estimate_json(c.kappa),
        "gwet_ac": _estimate_json(c.ac),
        "krippendorff_alpha": _estimate_json(c.alpha),
    }


def _group_json(g: GroupAgreement) -> dict:
    return {
        "id": g.key,
        "label": g.label,
        **({"theme": g.theme} if g.theme else {}),  # items only
        "files": g.files,
        "too_few_files": g.too_few,
        "nominal": _coefficients_json(g.nominal),
        "weighted": _coefficients_json(g.weighted),
    }


def agreement_to_json(a: Agreement) -> dict[str, Any]:
    """`audit-tool agreement --json`."""
    from .findings.agreement import MIN_FILES  # loaded by the agreement command only

    return {
        "filter": a.filter.describe(),
        "finalised_only": a.finalised_only,
        "min_files": MIN_FILES,
        "files": a.files,
        "checklists": [
            {
                "checklist": c.checklist_id,
                "title": c.title,
                "files": c.files,
                "readings": c.readings,
                "most_readers": c.most_readers,
                "overall": _group_json(c.overall),
                "themes": [_group_json(g) for g in c.themes],
                "items": [_group_json(g) for g in c.items],
            }
            for c in a.checklists
        ],
    }


def moderation_to_json(m: Moderation, audit: Audit) -> dict[str, Any]:
    """`audit-tool moderation show --json`: `audit` is the moderation's own audit."""
    return {
        "id": m.id, "status": m.status, "lead": m.lead.name,
        "case": audit.case.pseudonym, "checklist": audit.checklist.id, "phase": audit.phase.value,
        "readings": [{"audit_id": r.audit_id, "reviewer": r.reviewer.name, "status": r.status}
                     for r in m.readings],
        "disagreements": m.disagreements,
        "items": [
            {"theme": i.theme_title, "id": i.item_id, "question": i.question,
             "ratings": list(i.ratings), "labels": list(i.labels), "agreed": i.agreed,
             "agreed_label": i.agreed_label, "reason": i.reason, "disagree": i.disagree,
             "needs_reason": i.needs_reason, "applies": i.applies}
            for i in m.items
        ],
    }


def sampling_to_json(s: Sampling) -> dict[str, Any]:
    """One sampling record of `audit-tool sample list --json`."""
    return {
        "id": s.id,
        "created_at": s.created_at,
        "who": s.who,
        "source_name": s.source_name,
        "source_sha256": s.source_sha256,
        "source_encoding": s.source_encoding,
        "sheet": s.sheet,
        "columns": dict(s.columns),
        "eligible": s.eligible,
        "excluded": s.excluded,
        "exclusions": dict(s.exclusions),
        "method": s.method,
        "strata_column": s.strata_column,
        "strata_sizes": {k: list(v) for k, v in s.strata_sizes.items()},
        "seed": s.seed,
        "sample_size": s.sample_size,
        "checklist_id": s.checklist_id,
        "phase": s.phase,
        "cases": s.cases,
    }


def conflict_to_json(c: Conflict) -> dict[str, Any]:
    """One received version of `audit-tool bundle conflicts --json`."""
    return {
        "audit_id": c.audit_id,
        "version": c.version,
        "received_at": c.received_at,
        "pseudonym": c.pseudonym,
        "area": c.area,
        "checklist": c.checklist,
        "local_status": c.local_status,
        "received_status": c.received_status,
    }


def releases_to_json(found: list) -> list[dict]:
    """`releases --json`: the register, oldest first (the audit ids stay in the database)."""
    return [
        {
            "id": r.id,
            "released_at": r.released_at,
            "who": r.who,
            "recipient": r.recipient,
            "kind": r.kind,
            "selection": r.selection,
            "audit_count": r.audit_count,
            "audits_sha256": r.audits_sha256,
            "restricted": r.restricted,
        }
        for r in found
    ]
