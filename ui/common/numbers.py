"""Item numbers as the editor shows them: '2.3' for the third question of the second theme."""

from __future__ import annotations

from audit_tool.checklists.model import Checklist


def item_numbers(definition: Checklist) -> dict[str, str]:
    """Item id -> '2.3', in the checklist's own order (the numbers the editor shows)."""
    return {
        item.id: f"{t + 1}.{n + 1}"
        for t, theme in enumerate(definition.themes)
        for n, item in enumerate(theme.items)
    }
