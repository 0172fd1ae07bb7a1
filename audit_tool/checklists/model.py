"""The shape of a checklist definition, validated strictly and immutable once loaded.

A definition is a TOML file (see checklists/README.md for the format). Unknown keys are
errors, so a typo never silently drops a question.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from ..vocabulary import AuditType  # the one list of audit types
from .kinds import (  # the plain constants (no pydantic), named here as before
    FAILS,
    MAX_LEVELS,
    MAX_OPTIONS,
    NOT_APPLICABLE,
    OPTION_SEP,
    PENDING,
    SHOWN,
    TAG_KINDS,
)
from .phases import DEFAULT as DEFAULT_PHASES
from .phases import PhaseWords

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Level(_Strict):
    value: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]
    label: Text
    description: str = ""
    # Kept so older files and stored copies still load; the shortcut now comes from the
    # level's place in best-first order (Scale.keyed_levels), one scheme on every scale.
    key: str = Field(
        default="", max_length=1, description="Ignored: shortcuts follow best-first order"
    )
    # The noun a report uses for a group defined by this value of a fact ("women's deaths").
    group_label: str = Field(default="", max_length=200)
    # What this level looks like in a file ("The record names him as the source of harm and
    # ..."): shown under the choice in the editor, printed on the blank checklist.
    anchor: str = Field(default="", max_length=2000)
    # Multiple choice only: an option that cannot be ticked with others ("none of these").
    exclusive: bool = False


class Scale(_Strict):
    """A named scale. A rating scale judges practice: meets_standard lists the values that
    meet the standard; not_rated lists values left out of the denominator (not applicable).
    A fact scale records what happened (sex, substances, services involved): never scored,
    reported as counts ("7 of 12 deaths"). A multiple-choice scale ("tick all that
    apply") is a fact whose levels are options: an answer is a set of them."""

    title: Text
    kind: Literal["rating", "fact", "multiple"] = "rating"
    levels: tuple[Level, ...] = Field(min_length=2, max_length=MAX_OPTIONS)
    meets_standard: tuple[str, ...] = ()
    not_rated: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _levels_consistent(self) -> Scale:
        values = [lv.value for lv in self.levels]
        if len(set(values)) != len(values):
            raise ValueError("level values must be unique")
        if self.kind != "multiple" and len(values) > MAX_LEVELS:
            raise ValueError(f"a scale has at most {MAX_LEVELS} levels ({MAX_OPTIONS} options on a multiple-choice scale)")
        if self.kind != "multiple" and any(lv.exclusive for lv in self.levels):
            raise ValueError("exclusive: only an option of a multiple-choice scale can be exclusive")
        if self.kind in ("fact", "multiple") and (self.meets_standard or self.not_rated):
            raise ValueError(
                f"a {self.kind} scale is never scored: leave out meets_standard and not_rated"
            )
        if self.kind == "rating" and not self.meets_standard:
            raise ValueError(
                "meets_standard: a rating scale needs at least one value that meets the standard"
            )
        for v in (*self.meets_standard, *self.not_rated):
            if v not in values:
                raise ValueError(f"'{v}' is not one of this scale's level values {values}")
        if set(self.meets_standard) & set(self.not_rated):
            raise ValueError("a value cannot both meet the standard and be not rated")
        return self

    def level(self, value: str) -> Level | None:
        return next((lv for lv in self.levels if lv.value == value), None)

    @property
    def is_multiple(self) -> bool:
        return self.kind == "multiple"

    def ticked(self, stored: str | None) -> tuple[str, ...]:
        """The options a stored multiple-choice answer holds (unknown values dropped)."""
        if not stored:
            return ()
        parts = set(stored.split(OPTION_SEP))
        return tuple(lv.value for lv in self.levels if lv.value in parts)

    def canonical(self, values: Iterable[str]) -> str | None:
        """Store form of a set of options: the scale's order, joined; None for no option.
        Raises ValueError naming the first value that is not an option, or a clash with an
        exclusive option."""
        chosen = {str(v).strip().lower() for v in values if str(v).strip()}
        by_label = {lv.label.lower(): lv.value for lv in self.levels}
        chosen = {by_label.get(v, v) for v in chosen}
        known = {lv.value for lv in self.levels}
        bad = sorted(chosen - known)
        if bad:
            raise ValueError(
                f"'{bad[0]}' is not an option of the {self.title}: use any of {', '.join(sorted(known))}"
            )
        lone = [lv.label for lv in self.levels if lv.exclusive and lv.value in chosen]
        if lone and len(chosen) > 1:
            raise ValueError(f"'{lone[0]}' cannot be ticked together with other options")
        return OPTION_SEP.join(lv.value for lv in self.levels if lv.value in chosen) or None

    def label_of(self, stored: str | None) -> str:
        """The answer in words: a level's label, or the ticked options' labels joined."""
        if not stored:
            return ""
        if self.is_multiple:
            return "; ".join(lv.label for lv in self.levels if lv.value in self.ticked(stored))
        lv = self.level(stored)
        return lv.label if lv else stored

    def answer_in(self, stored: str | None, any_of: Iterable[str]) -> bool:
        """Whether an answer is one of any_of; for multiple choice, any option ticked."""
        if stored is None:
            return False
        wanted = set(any_of)
        if self.is_multiple:
            return bool(wanted & set(self.ticked(stored)))
        return stored in wanted

    def meets(self, value: str) -> bool | None:
        """True/False for a rated value, None when the value is left out (not rated) or the
        scale records a fact."""
        if self.kind != "rating" or value in self.not_rated:
            return None
        return value in self.meets_standard

    @property
    def is_fact(self) -> bool:
        """Counted, never scored: a fact scale or a multiple-choice one."""
        return self.kind != "rating"

    def ordered_levels(self) -> tuple[Level, ...]:
        """Best first, whatever order the file lists them in: the levels that meet the
        standard, then the other rated levels, then those left out (not applicable).
        A fact scale keeps the file's order."""
        if self.is_fact:
            return self.levels
        rank = {v: 0 for v in self.meets_standard} | {v: 2 for v in self.not_rated}
        return tuple(sorted(self.levels, key=lambda lv: rank.get(lv.value, 1)))  # stable

    def keyed_levels(self) -> tuple[tuple[str, Level], ...]:
        """(shortcut, level) in display order. One scheme on every scale, so the same key
        never means the best answer on one item and the worst on the next: 1 is always the
        best answer, then 2, 3...; the first level left out of the share (not applicable)
        is always 0."""
        out: list[tuple[str, Level]] = []
        n = 0
        zero_used = False
        for lv in self.ordered_levels():
            if lv.value in self.not_rated and not zero_used:
                out.append(("0", lv))
                zero_used = True
                continue
            n += 1
            out.append((_KEYS[n - 1] if n <= len(_KEYS) else "", lv))
        return tuple(out)

    def key_of(self, value: str) -> str:
        return next((k for k, lv in self.keyed_levels() if lv.value == value), "")


_KEYS = "123456789abcdefghij"


class Tag(_Strict):
    kind: str = Field(pattern="^(" + "|".join(TAG_KINDS) + ")$")
    label: Text
    # Optional: the number a published framework gives this tag (a quality indicator's
    # "2.1"), set in the checklist file only once confirmed against the framework.
    number: str = Field(default="", max_length=20, pattern=r"^[0-9A-Za-z.]*$")


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
    # On a fact item only: reports split counts and shares by this item's values
    # ("7 of 12 women's deaths had a recorded history of domestic abuse").
    breakdown: bool = False


class Theme(_Strict):
    id: Ident
    title: Text
    description: str = ""
    items: tuple[Item, ...] = Field(min_length=1)


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class Phases(_Strict):
    """What the checklist's phases mean ([phases] in its file). A display setting: leaving
    it out (and every copy stored before it existed) gives the training wording."""

    baseline: Short = DEFAULT_PHASES.names["baseline"]
    post_training: Short = DEFAULT_PHASES.names["post_training"]
    follow_up: Short = DEFAULT_PHASES.names["follow_up"]
    change: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = (
        DEFAULT_PHASES.change)
    # only a training evaluation may say that the later phase came after training
    training_evaluation: bool = True

    @model_validator(mode="after")
    def _training_words_only_for_training(self) -> Phases:
        names = (self.baseline, self.post_training, self.follow_up)
        if len({n.lower() for n in names}) != len(names):
            raise ValueError("the three phase names must differ")
        if not self.training_evaluation:
            for key in ("baseline", "post_training", "follow_up", "change"):
                if "training" in getattr(self, key).lower():
                    raise ValueError(
                        f"{key}: '{getattr(self, key)}' speaks of training, but "
                        "training_evaluation is false: name what the phases mean (for "
                        "example 'Earlier reviews')"
                    )
        return self

    def words(self) -> PhaseWords:
        return PhaseWords(
            names={"baseline": self.baseline, "post_training": self.post_training,
                   "follow_up": self.follow_up},
            change=self.change,
            training=self.training_evaluation,
        )


class Checklist(_Strict):
    id: Ident
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){0,2}$")]
    title: Text
    purpose: Text
    audit_types: tuple[str, ...] = ()
    scales: dict[Ident, Scale] = Field(min_length=1)
    tags: dict[str, Tag] = {}
    themes: tuple[Theme, ...] = Field(min_length=1)
    phases: Phases | None = None  # what the phases mean; None: a training evaluation
    # items by id, filled on first look-up: the audit list asks for thousands of audits
    _by_id: dict[str, Item] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _references_resolve(self) -> Checklist:
        known = [t.value for t in AuditType]
        for i, audit_type in enumerate(self.audit_types):
            if audit_type not in known:
                raise ValueError(
                    f"audit_types[{i}]: unknown audit type '{audit_type}' (use one of {', '.join(known)})"
                )
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
                if item.breakdown and self.scales[item.scale].kind != "fact":
                    raise ValueError(
                        f"{where}.breakdown: only a fact item (on a fact scale) can split a report"
                    )
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
                        raise ValueError(
                            f"{where}.any_of: '{v}' is not a level of '{target.scale}'"
                        )
        return self

    # -- queries -----------------------------------------------------------------
    @property
    def phase_words(self) -> PhaseWords:
        """How reports word this checklist's phases (checklists/phases.phase_words reads it)."""
        return self.phases.words() if self.phases is not None else DEFAULT_PHASES

    def items(self) -> Iterator[tuple[Theme, Item]]:
        for theme in self.themes:
            for item in theme.items:
                yield theme, item

    def numbers(self) -> dict[str, str]:
        """Item id -> '2.3' (the third question of the second theme): the number the editor,
        the moderation view, history, reports and the blank checklist all show."""
        return {
            item.id: f"{t + 1}.{n + 1}"
            for t, theme in enumerate(self.themes)
            for n, item in enumerate(theme.items)
        }

    def item(self, item_id: str) -> Item:
        if not self._by_id:
            self._by_id.update((item.id, item) for _, item in self.items())
        return self._by_id[item_id]

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
        return self.visible(parent, ratings) and self.scale_of(parent).answer_in(
            ratings.get(cond.item), cond.any_of
        )

    def hidden_effect(self, item: Item, ratings: dict[str, str | None]) -> str:
        """What an item counts as for scoring, given the audit's ratings:
        SHOWN (it applies), PENDING (hidden until an earlier item is answered), FAILS (hidden
        by a practice rating that does not meet the standard: counts as not meeting it, so
        hiding never raises a score) or NOT_APPLICABLE (hidden by a fact, by "not
        applicable", or by an answer that meets the standard)."""
        cond = item.show_when
        if cond is None:
            return SHOWN
        parent = self.item(cond.item)
        above = self.hidden_effect(parent, ratings)
        if above != SHOWN:
            return above
        value = ratings.get(cond.item)
        if self.scale_of(parent).answer_in(value, cond.any_of):
            return SHOWN
        if value is None:
            return PENDING
        # Only a failing answer makes the hidden item fail: a follow-up asked only when a
        # concern is present is simply not needed when the record avoids the concern.
        return FAILS if self.scale_of(parent).meets(value) is False else NOT_APPLICABLE

    def dependents(self, item_id: str) -> list[Item]:
        """Items whose visibility depends (directly or through a chain) on item_id."""
        out: list[Item] = []
        frontier = {item_id}
        for _, item in self.items():
            if item.show_when and item.show_when.item in frontier:
                out.append(item)
                frontier.add(item.id)
        return out
