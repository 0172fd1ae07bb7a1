"""Small read-only helpers the core does not offer yet (see the note to the core team).

theme_progress mirrors audit_tool.audits.progress per theme; it should move to the core.
"""

from __future__ import annotations

from audit_tool.checklists.model import Checklist


def theme_progress(
    definition: Checklist, ratings: dict[str, str | None]
) -> dict[str, tuple[int, int]]:
    """{theme id: (answered, applicable)} over the items currently shown."""
    out: dict[str, tuple[int, int]] = {}
    for theme in definition.themes:
        visible = [i for i in theme.items if definition.visible(i, ratings)]
        out[theme.id] = (sum(1 for i in visible if ratings.get(i.id)), len(visible))
    return out
