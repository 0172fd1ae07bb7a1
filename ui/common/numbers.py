"""Item numbers as the editor shows them ('2.3'): the checklist model's one rule."""

from __future__ import annotations

from audit_tool.checklists.model import Checklist


def item_numbers(definition: Checklist) -> dict[str, str]:
    """Item id -> '2.3', in the checklist's own order (Checklist.numbers)."""
    return definition.numbers()
