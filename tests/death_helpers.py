"""Fictional death reviews through the real tool, every required question answered: the
given answers, and for the rest a neutral one ('not applicable' where a rating allows it,
else the first level), so the figures a test pins rest only on the answers it gives.

All data here is synthetic and clearly fictional.
"""

from __future__ import annotations

from audit_tool import audits
from audit_tool.checklists.loader import bundled

CID = "gendered-drug-alcohol-death-review"


def death_review():
    return next(c for c in bundled() if c.id == CID)


def add_death(db, loaded, reference: str, area: str, phase: str, given: dict[str, str]) -> str:
    """One finalised fictional review with the answers `given` (item id -> value)."""
    d = loaded.definition
    case = audits.add_case(db, reference, area)
    audit_id = audits.new_audit(db, case.id, loaded, phase=phase)
    ratings: dict[str, str | None] = {}
    for _, item in d.items():
        if item.id in given:
            value = given[item.id]
        elif not item.required or not d.visible(item, ratings):
            continue
        else:
            scale = d.scale_of(item)
            value = scale.not_rated[0] if scale.not_rated else scale.levels[0].value
            if item.id == "pe-08":
                value = "not_known"
        ratings[item.id] = value
        if d.visible(item, ratings):
            audits.answer(db, audit_id, item.id, value)
    audits.finalise(db, audit_id)
    return audit_id
