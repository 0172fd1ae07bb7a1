"""What counts as an answer, in SQL over `answers an`: shown and rated, or hidden by a
failing answer (then it counts as not meeting the standard at the level HIDDEN_FAILS). One
definition for every figure (findings, audit-level intervals, the dataset)."""

from __future__ import annotations

from ..store.flat import HIDDEN_FAILS

COUNTED_ANSWER = "(an.applies = 1 AND an.rating IS NOT NULL OR an.hidden_fails = 1)"
COUNTED_RATING = f"CASE WHEN an.applies = 1 THEN an.rating ELSE '{HIDDEN_FAILS}' END"
