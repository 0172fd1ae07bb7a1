"""Completion of an audit (its items answered of those shown): the one definition the editor,
the audit list, the command line and the one-audit report all use.

An item counts once it is shown (its conditions hold on the audit's ratings); it is
answered when it is shown and rated. An item hidden by a condition counts in neither, and
its stored rating is kept for when it shows again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .checklists.model import Checklist, Item


def shown_items(definition: Checklist, ratings: dict[str, str | None]) -> list[Item]:
    """The items an audit with these ratings shows, in checklist order. Only the ratings of
    items that other items depend on matter here."""
    return [item for _, item in definition.items() if definition.visible(item, ratings)]


def theme_progress(
    definition: Checklist, ratings: dict[str, str | None]
) -> dict[str, tuple[int, int]]:
    """{theme id: (answered, applicable)} over the items currently shown."""
    out: dict[str, tuple[int, int]] = {}
    for theme in definition.themes:
        visible = [i for i in theme.items if definition.visible(i, ratings)]
        out[theme.id] = (sum(1 for i in visible if ratings.get(i.id)), len(visible))
    return out


def progress_of(definition: Checklist, ratings: dict[str, str | None]) -> tuple[int, int]:
    """(answered, applicable) over the items shown, for progress bars."""
    per_theme = theme_progress(definition, ratings).values()
    return sum(a for a, _ in per_theme), sum(n for _, n in per_theme)
