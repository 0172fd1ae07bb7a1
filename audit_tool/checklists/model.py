"""The shape of a checklist definition, validated strictly and immutable once loaded.

A definition is a TOML file (see checklists/README.md for the format). Unknown keys are
errors, so a typo never silently drops a question.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
TAG_KINDS = ("principle", "component", "practice_area", "fact_group", "baseline", "theme", "other")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Level(_Strict):
    value: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]
    label: Text
    description: str = ""
    key: str = Field(default="", max_length=1, description="Keyboard shortcut (a digit or letter)")


class Scale(_Strict):
    """A named rating scale. meets_standard lists the values that meet the standard;
    not_rated lists values left out of the denominator (e.g. not applicable)."""

    title: Text
    levels: tuple[Level, ...] = Field(min_length=2, max_length=12)
    meets_standard: tuple[str, ...] = Field(min_length=1)
    not_rated: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _levels_consistent(self) -> Scale:
        values = [lv.value for lv in self.levels]
        if len(set(values)) != len(values):
            raise ValueError("level values must be unique")
        for v in (*self.meets_standard, *self.not_rated):
            if v not in values:
                raise ValueError(f"'{v}' is not one of this scale's level values {values}")
        if set(self.meets_standard) & set(self.not_rated):
            raise ValueError("a value cannot both meet the standard and be not rated")
        return self

    def level(self, value: str) -> Level | None:
        return next((lv for lv in self.levels if lv.value == value), None)

    def meets(self, value: str) -> bool | None:
        """True/False for a rated value, None when the value is left out (not rated)."""
        if value in self.not_rated:
            return None
        return value in self.meets_standard


class Tag(_Strict):
    kind: str = Field(pattern="^(" + "|".join(TAG_KINDS) + ")$")
    label: Text


class Condition(_Strict):
    """Show the item only when another item's rating is one of `any_of`."""

    item: Ident
    any_of: tuple[str, ...] = Field(min_length=1)


class Item(_Strict):
    id: Ident
    question: Text
    guidance: Text
    scale: Ident
    required: bool = True
    evidence_prompt: str = ""
    tags: tuple[str, ...] = ()
    show_when: Condition | None = None


class Theme(_Strict):
    id: Ident
    title: Text
    description: str = ""
    items: tuple[Item, ...] = Field(min_length=1)


class Checklist(_Strict):
    id: Ident
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){0,2}$")]
    title: Text
    purpose: Text
    audit_types: tuple[str, ...] = ()
    scales: dict[Ident, Scale] = Field(min_length=1)
    tags: dict[str, Tag] = {}
    themes: tuple[Theme, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Checklist:
        from ..domain import AuditType  # the one list of audit types

        known = [t.value for t in AuditType]
        for i, audit_type in enumerate(self.audit_types):
            if audit_type not in known:
                raise ValueError(f"audit_types[{i}]: unknown audit type '{audit_type}' (use one of {', '.join(known)})")
        seen: dict[str, int] = {}
        order: dict[str, int] = {}
        for t_i, theme in enumerate(self.themes):
            for i_i, item in enumerate(theme.items):
                where = f"themes[{t_i}].items[{i_i}]"
                if item.id in seen:
                    raise ValueError(f"{where}.id: item id '{item.id}' is used twice")
                seen[item.id] = t_i
                order[item.id] = len(order)
                if item.scale not in self.scales:
                    raise ValueError(
                        f"{where}.scale: unknown scale '{item.scale}' "
                        f"(defined: {', '.join(self.scales)})"
                    )
                for tag in item.tags:
                    if tag not in self.tags:
                        raise ValueError(f"{where}.tags: unknown tag '{tag}'")
        theme_ids: set[str] = set()
        for t_i, theme in enumerate(self.themes):
            if theme.id in theme_ids:
                raise ValueError(f"themes[{t_i}].id: theme id '{theme.id}' is used twice")
            theme_ids.add(theme.id)
        for t_i, theme in enumerate(self.themes):
            for i_i, item in enumerate(theme.items):
                cond = item.show_when
                if cond is None:
                    continue
                where = f"themes[{t_i}].items[{i_i}].show_when"
                if cond.item not in seen:
                    raise ValueError(f"{where}.item: unknown item '{cond.item}'")
                if order[cond.item] >= order[item.id]:
                    raise ValueError(f"{where}.item: must refer to an earlier item")
                target = self.item(cond.item)
                scale = self.scales[target.scale]
                for v in cond.any_of:
                    if scale.level(v) is None:
                        raise ValueError(f"{where}.any_of: '{v}' is not a level of '{target.scale}'")
        return self

    # -- queries -----------------------------------------------------------------
    def items(self) -> Iterator[tuple[Theme, Item]]:
        for theme in self.themes:
            for item in theme.items:
                yield theme, item

    def item(self, item_id: str) -> Item:
        for _, item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def scale_of(self, item: Item) -> Scale:
        return self.scales[item.scale]

    def item_count(self) -> int:
        return sum(len(t.items) for t in self.themes)

    def visible(self, item: Item, ratings: dict[str, str | None]) -> bool:
        """Whether an item applies given the audit's current ratings (conditions chain)."""
        cond = item.show_when
        if cond is None:
            return True
        parent = self.item(cond.item)
        return self.visible(parent, ratings) and ratings.get(cond.item) in cond.any_of

    def dependents(self, item_id: str) -> list[Item]:
        """Items whose visibility depends (directly or through a chain) on item_id."""
        out: list[Item] = []
        frontier = {item_id}
        for _, item in self.items():
            if item.show_when and item.show_when.item in frontier:
                out.append(item)
                frontier.add(item.id)
        return out

