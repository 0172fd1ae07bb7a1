"""A moderation with 36 differences, made through the core: two finalised readings of one
case file (the Safe & Together checklist, 40 items in 3.0) that agree on 12 items and differ on
36. Items other items depend on get the same rating in both readings, so every question
shows in both. All data is fictional."""

from __future__ import annotations

from audit_tool import audits, moderation
from audit_tool.checklists.loader import LoadedChecklist, bundled
from audit_tool.store import Database


def safe_together() -> LoadedChecklist:
    return next(c for c in bundled() if c.id == "safe-together-case-file-audit")


def _ratings(checklist: LoadedChecklist, differ: int, second: bool) -> dict[str, str]:
    d = checklist.definition
    items = [item for _, item in d.items()]
    parents = {i.show_when.item: i.show_when.any_of[0] for i in items if i.show_when}
    out, differing = {}, 0
    for n, item in enumerate(items):
        if item.id in parents:
            out[item.id] = parents[item.id]
            continue
        levels = d.scale_of(item).levels
        shift = int(second and differing < differ)
        differing += 1
        out[item.id] = levels[(n % 3) + shift].value
    return out


def make_moderation(db: Database, differ: int = 36) -> tuple[str, str, str]:
    """(first reading, second reading, moderation): the readings differ on `differ` items."""
    checklist = safe_together()
    case = audits.add_case(db, "REF-MOD-0036", "Glenmorven (fictional)")
    first = audits.new_audit(db, case.id, checklist)
    for item_id, value in _ratings(checklist, differ, False).items():
        audits.answer(db, first, item_id, value)
    audits.finalise(db, first)
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    second = moderation.start_second_reading(db, first, bea.id)
    for item_id, value in _ratings(checklist, differ, True).items():
        audits.answer(db, second, item_id, value)
    audits.finalise(db, second)
    return first, second, moderation.start_moderation(db, [first, second])
