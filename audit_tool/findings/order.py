"""The order groupings by tag are shown in, in the report and in the app alike: principles,
then critical components, practice areas, quality indicators and the rest (patterns seen at
baseline last), each kind in the checklist's own order. One rule, so the two never differ."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from ..checklists.kinds import TAG_KINDS


class _Kinded(Protocol):
    @property
    def kind(self) -> str: ...


G = TypeVar("G", bound=_Kinded)


def kind_rank(kind: str) -> int:
    """A tag kind's place: its position in the checklist model's TAG_KINDS; unknown last."""
    return TAG_KINDS.index(kind) if kind in TAG_KINDS else len(TAG_KINDS)


def in_report_order(groups: Iterable[G]) -> list[G]:
    """Tag groupings by kind (principles first); a stable sort, so within a kind they keep
    the order they came in (the checklist's)."""
    return sorted(groups, key=lambda g: kind_rank(g.kind))


__all__ = ["in_report_order", "kind_rank"]
