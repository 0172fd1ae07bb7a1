"""Findings over time: per checklist and calendar quarter of the audits' finalised date, the
audits, the share of rated items meeting the standard and the language measure (flags per
1,000 words of notes), each with an audit-level interval (see clustered.py).

The language figures come from the language summary the report has already made (its
per-audit words and flags), so no note is scanned twice. Quarters between the first and the
last with an audit are all listed, those without any audit too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..filters import AuditFilter
from ..store import Database
from .audit_level import QUARTER_SQL, AuditLevel, quarters_between
from .clustered import Interval, Moments, ratio_interval, share_interval

NOT_FINALISED = "Not yet finalised"  # drafts (identifiable reports only) have no quarter


@dataclass(frozen=True)
class QuarterRow:
    quarter: str  # '2026 Q1', or NOT_FINALISED
    audits: int  # every audit finalised in the quarter
    rated: Moments  # items meeting the standard (y) of rated (x), audits as clusters
    language: Moments  # flags (y) in words (x), audits with notes as clusters
    flagged_audits: int  # audits whose notes hold at least one flag

    @property
    def share(self) -> float | None:
        return self.rated.ratio

    @property
    def share_interval(self) -> Interval | None:
        return share_interval(self.rated)

    @property
    def per_thousand(self) -> float | None:
        r = self.language.ratio
        return None if r is None else r * 1000

    @property
    def language_interval(self) -> Interval | None:
        return ratio_interval(self.language, upper=None, scale=1000.0)


def over_time(
    db: Database,
    flt: AuditFilter,
    level: AuditLevel,
    per_audit_language: Mapping[str, Sequence[int]],
) -> dict[str, list[QuarterRow]]:
    """Per checklist id: one row per quarter, oldest first, gaps filled with empty rows; then
    a row for audits not yet finalised, if any."""
    where, params = flt.where()
    audits: dict[tuple[str, str | None], int] = defaultdict(int)
    lang: dict[tuple[str, str | None], list[tuple[int, int]]] = defaultdict(list)
    for audit_id, cid, quarter in db.iterate(
        f"""SELECT a.id, a.checklist_id, {QUARTER_SQL} FROM audits a
            JOIN cases c ON c.id = a.case_id WHERE {where}""",
        params,
    ):
        audits[cid, quarter] += 1
        words, flags = per_audit_language.get(audit_id, (0, 0))
        lang[cid, quarter].append((flags, words))
    out: dict[str, list[QuarterRow]] = {}
    for cid in sorted({c for c, _ in audits}):
        dated = sorted(q for c, q in audits if c == cid and q is not None)
        keys: list[str | None] = quarters_between(dated[0], dated[-1]) if dated else []
        if (cid, None) in audits:
            keys.append(None)
        out[cid] = [
            QuarterRow(
                q or NOT_FINALISED,
                audits.get((cid, q), 0),
                level.quarter.get((cid, q), Moments()),
                Moments.of(lang.get((cid, q), ())),
                sum(1 for f, _ in lang.get((cid, q), ()) if f),
            )
            for q in keys
        ]
    return out


__all__ = ["NOT_FINALISED", "QuarterRow", "over_time"]
