"""Item numbers as the editor shows them ('2.3'): the checklist model's one rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model is pydantic: loaded with the first checklist, not at start
    from audit_tool.checklists.model import Checklist


def item_numbers(definition: Checklist) -> dict[str, str]:
    """Item id -> '2.3', in the checklist's own order (Checklist.numbers)."""
    return definition.numbers()
