"""The units of an agreement figure as count vectors (findings/agreement.py): r_ik, how many
readers put unit i in category k. Units repeat a few patterns (two readers, a handful of
levels), so each distinct row is counted once (issue 22)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

Row = Sequence[int | None]  # one unit: a category index (or None) per reader slot


def vectors(rows: Sequence[Row], q: int) -> list[tuple[int, ...]]:
    """agreement.counts() as tuples, each distinct row counted once (units repeat a few patterns)."""
    seen: dict[tuple, tuple[int, ...] | None] = {}
    out = []
    for row in rows:
        key = tuple(row)
        r = seen.get(key, False)
        if r is False:
            v = [0] * q
            for c in key:
                if c is not None:
                    v[c] += 1
            r = seen[key] = tuple(v) if any(v) else None
        if r is not None:
            out.append(r)
    return out


def twice_rated(r: list[tuple[int, ...]]) -> int:
    """Units with two or more ratings (integers: counted over the distinct vectors)."""
    return sum(c for x, c in Counter(r).items() if sum(x) >= 2)


__all__ = ["Row", "twice_rated", "vectors"]
