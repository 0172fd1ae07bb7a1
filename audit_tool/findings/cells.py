"""Who is behind each figure of the aggregate report, as counts and sums of record keys.

Cell-key perturbation (disclosure/cellkey.py) needs, for every figure an anonymised release
prints, the audits it rests on: their number and the sum of their record keys (the cell
key), and for shares of items the audits with an item meeting and falling short and the most
items one audit adds. One pass over the selection's counted answers writes (audit, theme, n
rated, m meeting) rows into a temporary table, keyed like audit_level's; every grouping the
report shows is then a GROUP BY over it. Items, tags and rating buckets take one pass each.

Exact counts only: what is published from them is worked out in reports/release.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..filters import AuditFilter
from ..store import Database


@dataclass(frozen=True)
class Cell:
    """The audits behind one figure. `audits`, `key_sum`: audits with an item counted and
    the sum of their record keys; `rated`, `met`: items counted and meeting; `met_audits`,
    `met_key_sum`: audits with an item meeting; `short_audits`: audits with one falling
    short; `per_audit`: the most items one audit adds."""

    audits: int = 0
    key_sum: int = 0
    rated: int = 0
    met: int = 0
    met_audits: int = 0
    met_key_sum: int = 0
    short_audits: int = 0
    short_key_sum: int = 0
    per_audit: int = 1


@dataclass(frozen=True)
class AuditSet:
    """A plain count of audits with the sum of their keys."""

    audits: int = 0
    key_sum: int = 0


@dataclass(frozen=True)
class Cells:
    """Cells by what the report groups on, checklist id first."""

    theme: dict[tuple[str, str], Cell] = field(default_factory=dict)
    theme_phase: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    tag: dict[tuple[str, str], Cell] = field(default_factory=dict)
    item: dict[tuple[str, str], Cell] = field(default_factory=dict)
    area: dict[tuple[str, str], Cell] = field(default_factory=dict)
    agency: dict[tuple[str, str], Cell] = field(default_factory=dict)
    area_phase: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    agency_phase: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    quarter: dict[tuple[str, str | None], Cell] = field(default_factory=dict)
    overall: dict[str, Cell] = field(default_factory=dict)
    phase_overall: dict[tuple[str, str], Cell] = field(default_factory=dict)
    # (checklist, theme, scale, rating) -> answers given and the audits giving them
    bucket: dict[tuple[str, str, str, str], Cell] = field(default_factory=dict)
    # every audit of the selection (rated or not)
    census: dict[tuple[str, str, str], AuditSet] = field(default_factory=dict)  # cid, phase, status
    quarter_audits: dict[tuple[str, str | None], AuditSet] = field(default_factory=dict)
    audit_ids: frozenset[str] = frozenset()


# per group: audits, their key sum, items rated and meeting, audits with an item meeting
# and their key sum, audits with an item short and their key sum, the most items of one audit
# (over rows of one audit each: k its record key, n items rated, m meeting)
CELL = """count(*), sum(k), sum(n), sum(m), sum(m > 0), sum(CASE WHEN m > 0 THEN k ELSE 0 END),
           sum(n > m), sum(CASE WHEN n > m THEN k ELSE 0 END), max(n)"""



def selected_ids(db: Database, flt: AuditFilter) -> frozenset[str]:
    """The ids of the audits a filter selects (what a release covers, for the register)."""
    where, params = flt.where()
    return frozenset(r[0] for r in db.query(
        f"SELECT a.id FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}", params))


__all__ = ["CELL", "AuditSet", "Cell", "Cells", "selected_ids"]
