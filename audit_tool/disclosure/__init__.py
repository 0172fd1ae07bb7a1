"""Disclosure control: the rules that keep small numbers out of anything that leaves the tool.

The small-number rules (suppression, secondary suppression, differencing) are in rules.py;
they are pure and read no database (the counts behind them: findings/census.py).
Cell-key perturbation (cellkey.py, its table in resources/perturbation.toml), small
numerators and all-or-none shares (suppress.py), the release register (register.py) and the
k-anonymous analyst dataset (kanon.py) sit beside them.
"""

from .rules import (
    HIDDEN,
    LESS,
    METHOD_NOTE,
    SUPPRESS_BELOW,
    Census,
    DisclosureRisk,
    Line,
    differencing_gap,
    label,
    parents,
    small,
    suppress,
    suppress_counts,
    suppress_rows,
)

__all__ = [
    "HIDDEN",
    "LESS",
    "METHOD_NOTE",
    "SUPPRESS_BELOW",
    "Census",
    "DisclosureRisk",
    "Line",
    "differencing_gap",
    "label",
    "parents",
    "small",
    "suppress",
    "suppress_counts",
    "suppress_rows",
]
