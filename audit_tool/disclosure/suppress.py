"""Small numerators and all-or-none shares (issue 18, item 2): which cells are not shown.

Decided on the TRUE counts of audits, before perturbation; only the reason is published.
- a numerator resting on 1 to 4 audits says something about those few people;
- so does its complement (the 1 to 4 audits that did NOT meet it, in a larger base);
- "0% of 6" or "100% of 6" says something about every member of a small group, so a share
  of none or all on a base under ALL_OR_NONE_BASE audits is not shown either.
Perturbation (cellkey.py) then protects every figure that is shown.
"""

from __future__ import annotations

SMALL = 5  # numerators and complements of 1 .. SMALL-1 audits are not shown
ALL_OR_NONE_BASE = 10  # 0% or 100% is shown only on a base of at least this many audits


def suppression_reason(numerator: int, complement: int, base: int) -> str | None:
    """Why a share of audits is not shown, or None to show it. `numerator`: audits meeting
    (or, for items, audits with an item meeting); `complement`: audits not meeting (for
    items, audits with an item falling short); `base`: audits in the base."""
    if base < SMALL:
        return f"fewer than {SMALL} audits"
    if 0 < numerator < SMALL:
        return f"rests on fewer than {SMALL} audits"
    if 0 < complement < SMALL:
        return f"all but fewer than {SMALL} audits"
    if (numerator == 0 or complement == 0) and base < ALL_OR_NONE_BASE:
        return f"all or none of fewer than {ALL_OR_NONE_BASE} audits"
    return None
