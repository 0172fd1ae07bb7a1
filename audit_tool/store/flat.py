"""A checklist definition flattened into rows, so findings count in SQL; and the mark on
answers that makes an item hidden by a failing answer count as not meeting the standard.

Kept apart from the Database class so the schema migration that introduced them can use the
very same code on old files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlcipher3

if TYPE_CHECKING:
    from ..checklists.model import Checklist

# The level a hidden failing item counts as, one per rating scale of each stored copy.
# Not a possible level value (values are [a-z0-9_]), so it never clashes with a real one.
HIDDEN_FAILS = "-hidden"
HIDDEN_FAILS_LABEL = "Not asked (an earlier answer fell short)"


def item_rows(sha: str, d: Checklist) -> list[tuple]:
    """checklist_items rows, in its column order (fact last)."""
    return [
        (
            sha,
            item.id,
            theme.id,
            theme.title,
            t_pos,
            i_pos,
            item.scale,
            int(item.required),
            item.question,
            int(d.scale_of(item).is_fact),
        )
        for t_pos, theme in enumerate(d.themes)
        for i_pos, item in enumerate(theme.items)
    ]


def level_rows(sha: str, d: Checklist) -> list[tuple]:
    """checklist_levels rows: each level (meets 1, 0, or NULL when not rated or a fact),
    then, on a rating scale, the level a hidden failing item counts as (meets 0, last)."""
    rows = []
    for name, scale in d.scales.items():
        for pos, lv in enumerate(scale.levels):
            meets = scale.meets(lv.value)
            rows.append((sha, name, lv.value, lv.label, pos, None if meets is None else int(meets)))
        if not scale.is_fact:
            rows.append((sha, name, HIDDEN_FAILS, HIDDEN_FAILS_LABEL, len(scale.levels), 0))
    return rows


def mark_hidden(
    conn: sqlcipher3.Connection,
    audit_id: str,
    d: Checklist,
    stamp: str,
    ratings: dict[str, str | None] | None = None,
    only: list | None = None,
) -> None:
    """Set applies and hidden_fails on the audit's conditional items (or `only` these) from
    its ratings. An item hidden by a failing answer gets a row even if it was never rated,
    so SQL can count it; its stored rating, if any, is kept for when it shows again."""
    from ..checklists.model import FAILS, SHOWN  # pydantic: loaded once a checklist is

    if ratings is None:
        ratings = dict(
            conn.execute(
                "SELECT item_id, rating FROM answers WHERE audit_id = ?", (audit_id,)
            ).fetchall()
        )
    items = only if only is not None else [i for _, i in d.items() if i.show_when is not None]
    for item in items:
        effect = d.hidden_effect(item, ratings)
        # a fact is never scored, not even when a failing answer hides it
        applies, fails = int(effect == SHOWN), int(effect == FAILS and not d.scale_of(item).is_fact)
        if fails:
            conn.execute(
                "INSERT INTO answers (audit_id, item_id, rating, note, applies, hidden_fails,"
                " updated_at) VALUES (?, ?, NULL, '', 0, 1, ?) ON CONFLICT (audit_id, item_id)"
                " DO UPDATE SET applies = 0, hidden_fails = 1",
                (audit_id, item.id, stamp),
            )
        else:
            conn.execute(
                "UPDATE answers SET applies = ?, hidden_fails = 0 WHERE audit_id = ? AND item_id = ?",
                (applies, audit_id, item.id),
            )
