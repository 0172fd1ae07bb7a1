"""Cell-key perturbation of anonymised figures (ONS Census 2021, ABS TableBuilder).

Every audit holds a random record key (table audit_keys, 0 .. key_range-1, set by the
database on insert, never exported). A cell's key is the sum of its audits' record keys
modulo the key range; the perturbation table (resources/perturbation.toml) maps (count, cell
key) to the noise added. The same audits give the same cell key, so the same cell shows the
same value in every release; a release with one audit more has an unrelated cell key, so
subtracting two releases gives noise, not the audit.

Kinds of figure, one function each (what report sections call):
- audit_count(): a count of audits (a table cell, a base "of N audits");
- audit_share(): a share of audits (audits meeting a standard / audits rated);
- item_share(): a share of items (items meeting / items rated). Item counts are sums over
  audits and one audit adds up to m items (m = the most items one audit has in the cell),
  so ±3 items would not hide one audit. An item count therefore takes the noise of the row
  for the number of audits it rests on, times m: one audit's contribution is hidden as one
  audit is in an audit count. Its cell key is the sum of the keys of the audits contributing
  items plus a fixed offset per kind of count (KIND_OFFSETS), so "items rated" does not
  carry exactly the noise of the audit count it rests on. Only the share, worked out from
  the two perturbed counts and rounded to whole percent, is meant to be printed; printing
  raw item counts beside it gives back nothing exact either, as both are perturbed.
- interval(): a 95% interval from perturbed counts, rounded outward to whole percent, so an
  interval never gives back what the perturbed counts hide.

Small numerators and all-or-none shares are suppressed first (suppress.suppression_reason)
on the true counts: the reason is shown, never the number.
"""

from __future__ import annotations

import math
import secrets
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InvalidInput
from .suppress import suppression_reason

if TYPE_CHECKING:
    from ..store import Database

AUDITS, ITEMS_RATED, ITEMS_MET, AUDITS_MET = "audits", "items_rated", "items_met", "audits_met"
# a fixed shift of the cell key per kind of count: two counts resting on the same audits
# (the audits rated, the items they rated) do not get exactly the same noise
KIND_OFFSETS = {AUDITS: 0, AUDITS_MET: 0, ITEMS_RATED: 83, ITEMS_MET: 167}


# -- the table, validated ---------------------------------------------------------------------


class _Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key_range: int = Field(ge=5, le=100_000)
    max_perturbation: int = Field(ge=1, le=10)
    smallest_shown: int = Field(ge=1, le=50)
    top_row_applies_above: bool


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=1)
    perturbation: list[int] = Field(min_length=1)
    slots: list[int] = Field(min_length=1)


class PTable(BaseModel):
    """The perturbation table: rows by count; each row's slots share out the key range."""

    model_config = ConfigDict(extra="forbid")
    parameters: _Parameters
    row: list[_Row] = Field(min_length=1)

    @model_validator(mode="after")
    def _rules(self) -> PTable:
        p = self.parameters
        counts = [r.count for r in self.row]
        if counts != list(range(1, len(counts) + 1)):
            raise ValueError("rows must be for counts 1, 2, 3 ... in order, none missing")
        if len(counts) < p.smallest_shown:
            raise ValueError("the table must have a row for every count below smallest_shown")
        for r in self.row:
            c = r.count
            if len(r.perturbation) != len(r.slots):
                raise ValueError(f"count {c}: as many slots as perturbations")
            if r.perturbation != sorted(set(r.perturbation)):
                raise ValueError(f"count {c}: perturbations in increasing order, each once")
            for d in r.perturbation:
                shown = c + d
                if shown < 0 or 0 < shown < p.smallest_shown:
                    raise ValueError(f"count {c}: {d:+d} would show {shown}")
                if c >= p.smallest_shown and abs(d) > p.max_perturbation:
                    raise ValueError(f"count {c}: {d:+d} is more than max_perturbation")
            if any(s <= 0 for s in r.slots) or sum(r.slots) != p.key_range:
                raise ValueError(f"count {c}: slots must be positive and sum to {p.key_range}")
            if sum(d * s for d, s in zip(r.perturbation, r.slots, strict=True)) != 0:
                raise ValueError(f"count {c}: not unbiased (perturbations x slots must sum to 0)")
        top = self.row[-1]
        if min(top.perturbation) + top.count < p.smallest_shown:
            raise ValueError("the top row serves larger counts: it must not reach below them")
        return self

    def noise(self, count: int, cell_key: int) -> int:
        """The perturbation of a cell of `count` with `cell_key` (0 <= cell_key < range)."""
        if count <= 0:
            return 0  # zero stays zero
        row = self.row[min(count, len(self.row)) - 1]
        edge = 0
        for d, s in zip(row.perturbation, row.slots, strict=True):
            edge += s
            if cell_key < edge:
                return d
        raise ValueError(f"cell key {cell_key} outside 0..{self.parameters.key_range - 1}")


def parse_table(source: str, name: str = "perturbation.toml") -> PTable:
    """Parse and validate a p-table; one clear line when it is wrong."""
    try:
        return PTable.model_validate(tomllib.loads(source))
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(f"{name}: not valid TOML ({e}).") from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "table"
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{name}: {where}: {msg}.") from None


@lru_cache(maxsize=1)
def default_table() -> PTable:
    text = (resources.files("resources") / "perturbation.toml").read_text("utf-8")
    return parse_table(text)


def method_note(table: PTable | None = None) -> str:
    """The plain-words note every perturbed output carries."""
    t = table or default_table()
    d, small = t.parameters.max_perturbation, t.parameters.smallest_shown
    return (
        "To protect the people in these files, the figures are slightly changed: each count "
        f"of audits is moved up or down by at most {d}, and counts of 1 to {small - 1} are "
        f"shown as 0 or {small}. The same audits always give the same figure, and totals are "
        "right on average. Percentages and intervals are worked out from the changed counts "
        "and rounded to whole numbers; a figure resting on very few audits, or saying that "
        f"all or none of fewer than 10 audits did something, is not shown."
    )


# -- record keys ------------------------------------------------------------------------------


def new_record_key(table: PTable | None = None) -> int:
    """A fresh record key (the database sets one itself on insert; this is for code that
    writes a key explicitly)."""
    return secrets.randbelow((table or default_table()).parameters.key_range)


def load_keys(db: Database) -> dict[str, int]:
    """Every audit's record key, by audit id (read once per output)."""
    return dict(db.query("SELECT audit_id, record_key FROM audit_keys"))


def set_record_key(conn, audit_id: str, key: int) -> None:
    """Keep a received audit's key (exchange import): the same audit must give the same
    cell key on every laptop. `conn` is a connection inside the caller's transaction."""
    if not isinstance(key, int) or not 0 <= key < default_table().parameters.key_range:
        raise InvalidInput(f"Audit {audit_id}: record key {key!r} is out of range.")
    conn.execute(
        "INSERT INTO audit_keys (audit_id, record_key) VALUES (?, ?)"
        " ON CONFLICT(audit_id) DO UPDATE SET record_key = excluded.record_key",
        (audit_id, key),
    )


def cell_key(keys: Mapping[str, int], audit_ids: Iterable[str], kind: str = AUDITS,
             table: PTable | None = None) -> int:
    """Sum of the audits' record keys plus the kind's offset, modulo the key range."""
    return key_from_sum(sum(keys[a] for a in audit_ids), kind, table)


def key_from_sum(key_sum: int | None, kind: str = AUDITS, table: PTable | None = None) -> int:
    """The cell key from a sum of record keys worked out in SQL (KEY_SUM): the fast path
    for report queries, which count and sum keys in the same pass."""
    t = table or default_table()
    return ((key_sum or 0) + KIND_OFFSETS[kind]) % t.parameters.key_range


# For report queries: join the keys and sum them next to each count, e.g.
#   SELECT item, count(*), sum(k.record_key), sum(met), sum(CASE WHEN met THEN k.record_key END)
#   FROM audits a ... JOIN audit_keys k ON k.audit_id = a.id GROUP BY item
KEY_JOIN = "JOIN audit_keys k ON k.audit_id = a.id"
KEY_SUM = "sum(k.record_key)"


# -- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A published count: `value` perturbed, or None with the `reason` it is not shown."""

    value: int | None
    reason: str | None = None

    @property
    def text(self) -> str:
        return "–" if self.value is None else f"{self.value:,}"


@dataclass(frozen=True)
class Share:
    """A published share: whole percent from perturbed counts, or None with a reason."""

    percent: int | None
    numerator: int | None  # the perturbed counts it was worked out from
    base: int | None
    reason: str | None = None
    scale: int = 1  # items per audit at most (1 for audit shares): for interval()

    @property
    def text(self) -> str:
        return "–" if self.percent is None else f"{self.percent}%"


def perturb(count: int, key: int, table: PTable | None = None, scale: int = 1) -> int:
    """`count` plus the table's noise for (audits it rests on, key), times `scale`. For an
    audit count scale is 1 and the count is the audits; item counts use item_count()."""
    return count + scale * (table or default_table()).noise(count, key)


def audit_count(keys: Mapping[str, int], audit_ids: Iterable[str],
                table: PTable | None = None) -> Figure:
    """A count of audits as published."""
    ids = list(audit_ids)
    if not ids:
        return Figure(0)
    return Figure(perturb(len(ids), cell_key(keys, ids, AUDITS, table), table))


def item_count(keys: Mapping[str, int], items: int, audit_ids: Iterable[str], per_audit: int,
               kind: str, table: PTable | None = None) -> int:
    """A count of items (rated or meeting) resting on `audit_ids`, each adding at most
    `per_audit` items: noise from the row for the number of audits, times per_audit."""
    ids = list(audit_ids)
    if not ids or items <= 0:
        return 0
    t = table or default_table()
    shown = items + max(1, per_audit) * t.noise(len(ids), cell_key(keys, ids, kind, t))
    return max(0, shown)


def count_from_sum(count: int, key_sum: int | None, kind: str = AUDITS,
                   table: PTable | None = None) -> int:
    """A count of audits as published, from its true count and its audits' key sum."""
    return perturb(count, key_from_sum(key_sum, kind, table), table) if count > 0 else 0


def share_from_sums(met: int, met_key_sum: int | None, base: int, base_key_sum: int | None,
                    table: PTable | None = None) -> Share:
    """audit_share() from counts and key sums worked out in SQL."""
    reason = suppression_reason(met, base - met, base)
    if reason:
        return Share(None, None, None, reason)
    b = count_from_sum(base, base_key_sum, AUDITS, table)
    n = min(b, count_from_sum(met, met_key_sum, AUDITS_MET, table))
    if b == 0:
        return Share(None, None, None, "fewer than 5 audits")
    return Share(_percent(n, b), n, b)


def _percent(numerator: int, base: int) -> int:
    return math.floor(100 * numerator / base + 0.5)


def audit_share(keys: Mapping[str, int], numerator_ids: Iterable[str],
                base_ids: Iterable[str], table: PTable | None = None) -> Share:
    """Audits meeting something out of the audits in the base, as published."""
    num, base = set(numerator_ids), set(base_ids)
    return share_from_sums(len(num), sum(keys[a] for a in num), len(base),
                           sum(keys[a] for a in base), table)


def item_share(keys: Mapping[str, int], met: int, met_ids: Iterable[str], rated: int,
               rated_ids: Iterable[str], per_audit: int, short_ids: Iterable[str] = (),
               table: PTable | None = None) -> Share:
    """Items meeting the standard out of items rated, as published. `met_ids`: audits with
    at least one item meeting; `rated_ids`: audits with any item rated; `short_ids`: audits
    with at least one item falling short (the complement the rules look at)."""
    met_set, rated_set, short = set(met_ids), set(rated_ids), set(short_ids)
    reason = suppression_reason(len(met_set), len(short), len(rated_set))
    if reason:
        return Share(None, None, None, reason)
    r = item_count(keys, rated, rated_set, per_audit, ITEMS_RATED, table)
    m = min(r, item_count(keys, met, met_set, per_audit, ITEMS_MET, table))
    if r == 0:
        return Share(None, None, None, "fewer than 5 audits")
    return Share(_percent(m, r), m, r, scale=max(1, per_audit))


def interval(share: Share, z: float = 1.959963984540054) -> tuple[int, int] | None:
    """A Wilson interval from the PERTURBED counts (item counts read as audit equivalents:
    divided by the items one audit adds at most), rounded outward to whole percent."""
    if share.percent is None or not share.base:
        return None
    n = share.base / share.scale
    p = share.numerator / share.base
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return math.floor(100 * low), math.ceil(100 * high)
