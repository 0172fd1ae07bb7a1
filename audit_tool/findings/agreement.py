"""Agreement between readers who read the same case file blind (issue 10, item 7).

A double reading is two or more audits of the same case, with the same checklist id, in the
same phase, by different reviewers, none of them a moderation audit. Where one reviewer has
several such audits of a file, their latest counts. Reports count finalised audits only;
the command line can add drafts.

What is compared: the ratings on rating scales (never fact scales). A unit ("subject") is
one item of one file. An item a reader left unanswered, or that a condition hid from them, is
a missing rating. "Not applicable" (a scale's not_rated levels) is a category of its own in
the nominal figures, so readers who disagree on whether an item applies count as disagreeing;
it is left out (missing) of the weighted figures, which need an order.

Coefficients, with the notation: n units with at least one rating, r_ik readers putting unit
i in category k, r_i = sum_k r_ik, q categories, weights w_kl (identity for nominal scales;
quadratic, w_kl = 1 - (k-l)^2/(q-1)^2 on the level order of Scale.ordered_levels(), for an
ordinal scale: the six-point quality scale):
- percent agreement: the share of pairs of readers who chose the same level;
- Cohen's kappa (two readers: the first and second reading of each file, by creation);
- Gwet's AC1 (nominal) and AC2 (weighted), for any number of readers;
- Krippendorff's alpha, nominal, or interval (squared distance on the level order, which
  matches the quadratic weights) for the ordinal scale.
Each carries a 95% interval: point estimate +/- t(0.975, n-1) x standard error, with Gwet's
linearised variance formulas exactly as the irrCAC package computes them (Gwet 2014; units
are the sampling unit, no finite-population correction), clipped to the coefficient's range.
Items of one file are treated as independent units when an item's figures are pooled into a
theme or overall, so those intervals are somewhat narrower than the truth.

Per item (over files), per theme and overall (units pooled over items: nominal over every
rated item; weighted over the ordinal items only), per checklist id. No figure is given from
fewer than MIN_FILES files.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..filters import AuditFilter
from ..store import Database
from .agreement_counts import twice_rated, vectors
from .clustered import t_quantile  # one t quantile for every interval (no scipy)

MIN_FILES = 5  # the small-number rule: no coefficient from fewer files
NOMINAL, QUADRATIC = "nominal", "quadratic"

Row = Sequence[int | None]  # one unit: a category index (or None) per reader slot


# -- the arithmetic ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its standard error and 95% interval (None where undefined)."""

    value: float
    se: float | None = None
    low: float | None = None
    high: float | None = None


@functools.cache
def identity_weights(q: int) -> tuple[tuple[float, ...], ...]:
    """w_kl = 1 if k = l else 0: only the same level counts as agreement."""
    return tuple(tuple(1.0 if k == m else 0.0 for m in range(q)) for k in range(q))


@functools.cache
def quadratic_weights(q: int) -> tuple[tuple[float, ...], ...]:
    """w_kl = 1 - (k - l)^2 / (q - 1)^2: near misses on an ordered scale count in part."""
    if q < 2:
        return identity_weights(q)
    return tuple(tuple(1 - (k - m) ** 2 / (q - 1) ** 2 for m in range(q)) for k in range(q))


def counts(rows: Sequence[Row], q: int) -> list[list[int]]:
    """r_ik: how many readers put unit i in category k; units with no rating are dropped."""
    return [list(x) for x in vectors(rows, q)]


def _agreeing(r: Sequence[int], w: Sequence[Sequence[float]]) -> float:
    """sum_k r_ik (r*_ik - 1), with r*_ik = sum_l w_kl r_il: agreeing ordered pairs in unit i.
    Units repeat the same few count vectors (two readers, a handful of levels), so each
    (vector, weights) is worked out once; the weights (cached tables, the same object for
    every unit) are looked up by identity, not hashed again per unit."""
    memo = _MEMO.get(id(w))
    if memo is None or memo[0] is not w:
        if len(_MEMO) > 256:
            _MEMO.clear()
        memo = _MEMO[id(w)] = (w, w if isinstance(w, tuple) else tuple(map(tuple, w)), {})
    key = tuple(r)
    value = memo[2].get(key)
    if value is None:
        value = memo[2][key] = _agreeing_once(key, memo[1])
    return value


_MEMO: dict[int, tuple] = {}  # id(weights) -> (weights, as tuples, {count vector: value})


def _agreeing_once(r: tuple[int, ...], w: tuple[tuple[float, ...], ...]) -> float:
    q = len(r)
    return sum(r[k] * (sum(w[k][m] * r[m] for m in range(q)) - 1) for k in range(q))


def _pair_agreement(r: list[int], w: Sequence[Sequence[float]]) -> float:
    """p_a|i = sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)) for a unit with two or more ratings."""
    ri = sum(r)
    return _agreeing(r, w) / (ri * (ri - 1)) if ri >= 2 else 0.0


def _interval(value: float, terms: Sequence[float], centre: float, lowest: float) -> Estimate:
    """Gwet's variance: v = 1/(n(n-1)) sum_i (x_i - centre)^2; value +/- t(.975, n-1) sqrt(v)."""
    n = len(terms)
    if n < 2:
        return Estimate(value)
    se = math.sqrt(sum((x - centre) ** 2 for x in terms) / (n * (n - 1)))
    half = t_quantile(0.975, n - 1) * se
    return Estimate(value, se, max(lowest, value - half), min(1.0, value + half))


def percent_agreement(rows: Sequence[Row], q: int) -> Estimate | None:
    """p_a = (1/n2) sum_{i: r_i >= 2} p_a|i with identity weights: the share of pairs of
    readers of a unit who chose the same level. Its variance treats (n/n2) p_a|i as the unit
    terms (0 for a unit with one rating), as for Gwet's coefficients with p_e = 0."""
    return _percent(vectors(rows, q), q)


def _percent(r: list[tuple[int, ...]], q: int) -> Estimate | None:
    w = identity_weights(q)
    n, n2 = len(r), twice_rated(r)
    if not n2:
        return None
    agree = {x: _pair_agreement(x, w) for x in dict.fromkeys(r)}  # once per count vector
    pa = sum(map(agree.__getitem__, r)) / n2
    return _interval(pa, [n / n2 * agree[x] for x in r], pa, 0.0)


def gwet_ac(rows: Sequence[Row], w: Sequence[Sequence[float]]) -> Estimate | None:
    """Gwet's AC1 (identity weights) or AC2: (p_a - p_e) / (1 - p_e), with the weighted p_a
    as above, pi_k = (1/n) sum_i r_ik / r_i and p_e = T_w / (q(q-1)) sum_k pi_k (1 - pi_k),
    T_w = sum_kl w_kl. Missing ratings allowed; every unit with a rating counts in pi_k."""
    return _gwet(vectors(rows, len(w)), w)


def _gwet(r: list[tuple[int, ...]], w: Sequence[Sequence[float]]) -> Estimate | None:
    q = len(w)
    n, n2 = len(r), twice_rated(r)
    if not n2 or q < 2:
        return None
    # units repeat a few count vectors: each per-unit value is worked out once per vector,
    # and the sums still run over every unit in order (the same floats, the same result)
    units = r
    kinds = {x: None for x in units}
    agree = {x: _pair_agreement(list(x), w) for x in kinds}
    shares = {x: tuple(x[k] / sum(x) for k in range(q)) for x in kinds}
    pa = sum(map(agree.__getitem__, units)) / n2
    # per category, the units' shares summed in unit order
    pi = [sum(column) / n for column in zip(*map(shares.__getitem__, units), strict=True)]
    tw = sum(map(sum, w)) / (q * (q - 1))
    pe = tw * sum(p * (1 - p) for p in pi)
    ac = (pa - pe) / (1 - pe)
    term = {}
    for x in kinds:  # each unit's linearised contribution (irrCAC's ac1_ivec_x)
        ac_i = n / n2 * (agree[x] - pe * (sum(x) >= 2)) / (1 - pe)
        pe_i = tw * sum(x[k] * (1 - pi[k]) for k in range(q)) / sum(x)
        term[x] = ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe)
    return _interval(ac, [term[x] for x in units], ac, -1.0)


def krippendorff_alpha(rows: Sequence[Row], w: Sequence[Sequence[float]]) -> Estimate | None:
    """Krippendorff's alpha in Gwet's form, over units with two or more ratings:
    p_a' = (1/n) sum_i sum_k r_ik (r*_ik - 1) / (rbar (r_i - 1)), p_a = (1 - e) p_a' + e with
    e = 1 / sum_i r_i; pi_k = (1/n) sum_i r_ik / rbar; p_e = sum_kl w_kl pi_k pi_l;
    alpha = (p_a - p_e) / (1 - p_e). Identity weights give nominal alpha, quadratic weights
    interval alpha (squared distance). None when every rating is the same (p_e = 1)."""
    return _alpha(vectors(rows, len(w)), w)


def _alpha(units_of: list[tuple[int, ...]], w: Sequence[Sequence[float]]) -> Estimate | None:
    q = len(w)
    total = {x: sum(x) for x in dict.fromkeys(units_of)}
    r = [x for x in units_of if total[x] >= 2]
    n = len(r)
    if not n:
        return None
    times = Counter(r)  # integer sums: the same over the distinct vectors
    ratings = sum(total[x] * c for x, c in times.items())
    rbar = ratings / n
    eps = 1 / ratings
    units = r  # per-unit values once per count vector, as in gwet_ac
    kinds = {x: None for x in units}
    agree = {x: _agreeing(x, w) for x in kinds}
    unit_pa = {x: agree[x] / (rbar * (total[x] - 1)) for x in kinds}
    pa1 = sum(map(unit_pa.__getitem__, units)) / n
    pa = (1 - eps) * pa1 + eps
    pi = [sum(x[k] * c for x, c in times.items()) / (n * rbar) for k in range(q)]
    pe = sum(w[k][m] * pi[k] * pi[m] for k in range(q) for m in range(q))
    if pe >= 1 - 1e-12:
        return None
    alpha, alpha1 = (pa - pe) / (1 - pe), (pa1 - pe) / (1 - pe)
    piw = [sum((w[k][m] + w[m][k]) / 2 * pi[m] for m in range(q)) for k in range(q)]
    term = {}
    for x in kinds:  # irrCAC's krippen_ivec_x
        ri = sum(x)
        pa_i = agree[x] / (rbar * (ri - 1)) - pa * (ri - rbar) / rbar
        pe_i = sum(x[k] * piw[k] for k in range(q)) / rbar - pe * (ri - rbar) / rbar
        term[x] = (pa_i - pe) / (1 - pe) - 2 * (1 - alpha1) * (pe_i - pe) / (1 - pe)
    return _interval(alpha, [term[x] for x in units], alpha1, -1.0)


def cohen_kappa(pairs: Sequence[tuple[int, int]], w: Sequence[Sequence[float]]) -> Estimate | None:
    """Cohen's kappa over units both readers rated: p_kl the share of units the first reader
    put in k and the second in l; p_a = sum w_kl p_kl, p_e = sum w_kl p_k. p_.l;
    kappa = (p_a - p_e) / (1 - p_e). Variance (Gwet 2014, as irrCAC's table.cohen):
    [sum_kl p_kl (w_kl - (1-kappa)(wbar_k. + wbar_.l))^2 - (p_a - 2(1-kappa) p_e)^2]
    / (n (1 - p_e)^2), wbar_k. = sum_l w_kl p_.l, wbar_.l = sum_k w_kl p_k.. None when
    chance agreement is total (both readers always chose one and the same level)."""
    q, n = len(w), len(pairs)
    if not n:
        return None
    p = [[0.0] * q for _ in range(q)]
    for a, b in pairs:
        p[a][b] += 1 / n
    row = [sum(p[k]) for k in range(q)]
    col = [sum(p[k][m] for k in range(q)) for m in range(q)]
    pa = sum(w[k][m] * p[k][m] for k in range(q) for m in range(q))
    pe = sum(w[k][m] * row[k] * col[m] for k in range(q) for m in range(q))
    if pe >= 1 - 1e-12:
        return None
    kappa = (pa - pe) / (1 - pe)
    if n < 2:
        return Estimate(kappa)
    wrow = [sum(w[k][m] * col[m] for m in range(q)) for k in range(q)]
    wcol = [sum(w[k][m] * row[k] for k in range(q)) for m in range(q)]
    s = sum(
        p[k][m] * (w[k][m] - (1 - kappa) * (wrow[k] + wcol[m])) ** 2
        for k in range(q)
        for m in range(q)
    )
    var = max(0.0, (s - (pa - 2 * (1 - kappa) * pe) ** 2) / (n * (1 - pe) ** 2))
    half = t_quantile(0.975, n - 1) * math.sqrt(var)
    return Estimate(kappa, math.sqrt(var), max(-1.0, kappa - half), min(1.0, kappa + half))


def two_reader_pairs(rows: Sequence[Row]) -> list[tuple[int, int]] | None:
    """(first, second) reading of each unit both rated; None when any unit has more than two
    ratings (Cohen's kappa is for two readers: Gwet's AC and Krippendorff's alpha cover more)."""
    if any(sum(c is not None for c in row) > 2 for row in rows):
        return None
    pairs = []
    for row in rows:
        rated = [c for c in row if c is not None]
        if len(rated) == 2:
            pairs.append((rated[0], rated[1]))
    return pairs


# -- one set of units -------------------------------------------------------------------------


@dataclass(frozen=True)
class Coefficients:
    """Every coefficient for one set of units, on one weighting (nominal or quadratic)."""

    weights: str
    units: int  # units (file x item) rated by two or more readers
    percent: Estimate | None  # exact agreement; given with the nominal figures only
    kappa: Estimate | None  # Cohen's: two readers only
    ac: Estimate | None  # Gwet's AC1 (nominal) or AC2 (quadratic)
    alpha: Estimate | None  # Krippendorff's: nominal, or interval for the ordinal scale


def coefficients(rows: Sequence[Row], q: int, weights: str = NOMINAL) -> Coefficients:
    """All coefficients for units `rows` over q categories (in scale order for QUADRATIC)."""
    w = quadratic_weights(q) if weights == QUADRATIC else identity_weights(q)
    pairs = two_reader_pairs(rows)
    r = vectors(rows, q)  # once for every coefficient
    return Coefficients(
        weights=weights,
        units=twice_rated(r),
        percent=_percent(r, q) if weights == NOMINAL else None,
        kappa=cohen_kappa(pairs, w) if pairs is not None else None,
        ac=_gwet(r, w),
        alpha=_alpha(r, w),
    )


# -- ratings from the database ------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRatings:
    """One item's ratings over the double-read files: a row per file, a column per reading
    (in the order the readings were started), None where that reader gave no rating."""

    checklist_id: str
    item_id: str
    question: str
    theme_id: str
    theme_title: str
    scale: str  # the scale's id in the checklist
    levels: tuple[str, ...]  # every value of the scale, best first (nominal categories)
    ordered: tuple[str, ...]  # the rated values, best first, for an ordinal scale; () if nominal
    rows: tuple[tuple[str | None, ...], ...]
    files: tuple[str, ...]  # the file (case:phase) of each row

    def nominal_rows(self, index: dict[str, int]) -> list[list[int | None]]:
        return [[None if v is None else index[v] for v in row] for row in self.rows]

    def ordinal_rows(self) -> list[list[int | None]]:
        pos = {v: i for i, v in enumerate(self.ordered)}
        return [[pos.get(v) if v is not None else None for v in row] for row in self.rows]


def is_ordinal(scale) -> bool:
    """An ordinal scale is a rating scale whose rated levels are all numbers (the six-point
    quality scale); every other scale (yes/partly/no...) is nominal."""
    rated = [lv.value for lv in scale.levels if lv.value not in scale.not_rated]
    return not scale.is_fact and len(rated) >= 3 and all(v.isdigit() for v in rated)


_READINGS = """
WITH sel AS (
    SELECT a.id, a.case_id, a.checklist_id, a.phase, a.checklist_sha, a.created_at,
           row_number() OVER (PARTITION BY a.case_id, a.checklist_id, a.phase, a.reviewer_id
                              ORDER BY a.updated_at DESC, a.id) AS latest
    FROM audits a JOIN cases c ON c.id = a.case_id
    WHERE {where} AND a.audit_type <> 'moderation' {status}),
readings AS (SELECT * FROM sel WHERE latest = 1),
doubled AS (SELECT case_id, checklist_id, phase FROM readings
            GROUP BY case_id, checklist_id, phase HAVING count(*) >= 2)
SELECT r.id, r.case_id, r.checklist_id, r.phase, r.checklist_sha
FROM readings r JOIN doubled d
  ON d.case_id = r.case_id AND d.checklist_id = r.checklist_id AND d.phase = r.phase
ORDER BY r.case_id, r.checklist_id, r.phase, r.created_at, r.id
"""


@dataclass(frozen=True)
class Readings:
    """The double readings a selection holds, as rating matrices per item."""

    files: dict[str, int]  # checklist id -> files read by two or more readers
    readings: dict[str, int]  # checklist id -> audits in those double readings
    most_readers: dict[str, int]  # checklist id -> the most readers of one file
    titles: dict[str, str]
    items: tuple[ItemRatings, ...]
    # checklist id -> file ('case:phase') -> the audits reading it: what a release's count of
    # files rests on (its record keys, reports/tally.py)
    readers: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


def double_readings(
    db: Database, flt: AuditFilter | None = None, finalised_only: bool = True
) -> Readings:
    """Gather the double readings the filter selects (both readings must match it) and each
    rated item's ratings, read against each audit's own stored checklist copy."""
    # the readings themselves, also those a finalised moderation now counts in place of in
    # findings: agreement is between readers, and a moderation must not change it
    where, params = replace(flt or AuditFilter(), include_superseded=True).where()
    status = "AND a.status = 'finalised'" if finalised_only else ""
    sql = _READINGS.format(where=where, status=status)
    audits = db.query(sql, params)
    ratings: dict[str, dict[str, str]] = defaultdict(dict)
    # the readings' answers by their ids (the selection above is not worked out again)
    for audit_id, item_id, rating in db.query(
        """SELECT an.audit_id, an.item_id, an.rating FROM json_each(?) p
            JOIN answers an ON an.audit_id = p.value AND an.applies = 1 AND an.rating IS NOT NULL""",
        (json.dumps([a[0] for a in audits]),),
    ):
        ratings[audit_id][item_id] = rating
    files: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for audit_id, case_id, cid, phase, sha in audits:
        files[case_id, cid, phase].append((audit_id, sha))
    newest = _newest_copies(db, {sha for *_, sha in audits})
    per_item: dict[tuple[str, str], list] = defaultdict(list)  # (checklist, item) -> rows
    for (case_id, cid, phase), readers in files.items():
        for item_id, values in _file_rows(db, readers, ratings).items():
            per_item[cid, item_id].append((f"{case_id}:{phase}", values))
    width = Counter()
    for (cid, _), rows in per_item.items():
        width[cid] = max(width[cid], *(len(v) for _, v in rows))
    items = []
    for cid, sha in newest.items():
        definition = db.checklist(sha).definition
        for theme, item in definition.items():
            rows = per_item.get((cid, item.id))
            scale = definition.scale_of(item)
            if not rows or scale.is_fact:
                continue
            levels = tuple(lv.value for lv in scale.ordered_levels())
            ordered = (
                tuple(v for v in levels if v not in scale.not_rated) if is_ordinal(scale) else ()
            )
            extra = sorted({v for _, r in rows for v in r if v is not None} - set(levels))
            items.append(
                ItemRatings(
                    cid,
                    item.id,
                    item.question,
                    theme.id,
                    theme.title,
                    item.scale,
                    levels + tuple(extra),
                    ordered,
                    tuple(tuple(v) + (None,) * (width[cid] - len(v)) for _, v in rows),
                    tuple(f for f, _ in rows),
                )
            )
    counted = Counter(cid for _, cid, _ in files)
    readers: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for (case_id, cid, phase), rs in files.items():
        readers[cid][f"{case_id}:{phase}"] = tuple(a for a, _ in rs)
    return Readings(
        files=dict(counted),
        readings=dict(Counter(a[2] for a in audits)),
        most_readers={cid: max(len(r) for k, r in files.items() if k[1] == cid) for cid in counted},
        titles={cid: db.checklist(sha).definition.title for cid, sha in newest.items()},
        items=tuple(items),
        readers=dict(readers),
    )


def _newest_copies(db: Database, shas: set[str]) -> dict[str, str]:
    """checklist id -> the newest stored copy among shas: it names items and themes."""
    out: dict[str, str] = {}
    for sha, cid in db.query(
        "SELECT sha256, checklist_id FROM checklist_defs ORDER BY added_at, rowid"
    ):
        if sha in shas:
            out[cid] = sha
    return out


def _file_rows(db: Database, readers: list[tuple[str, str]], ratings) -> dict[str, list]:
    """item -> one value per reader (None if unrated) for the rating-scale items any reader
    rated; each reading judged by its own checklist copy (a fact item is never compared)."""
    out: dict[str, list[str | None]] = {}
    for slot, (audit_id, sha) in enumerate(readers):
        compared = _compared(db, sha)
        for item_id, value in ratings.get(audit_id, {}).items():
            if item_id in compared:
                out.setdefault(item_id, [None] * len(readers))[slot] = value
    return out


def _compared(db: Database, sha: str) -> frozenset[str]:
    """The items of a stored checklist copy on a rating scale (never a fact), kept per copy
    on the database's cache for the life of the connection (a copy never changes)."""
    key = f"agreement.compared:{sha}"
    found = db.cache.get(key)
    if found is None:
        d = db.checklist(sha).definition
        found = db.cache[key] = frozenset(i.id for _, i in d.items() if not d.scale_of(i).is_fact)
    return found


# -- per item, theme and overall ----------------------------------------------------------------


@dataclass(frozen=True)
class GroupAgreement:
    """Agreement over one item, one theme or a whole checklist."""

    key: str
    label: str
    files: int  # double-read files with a rating compared here
    nominal: Coefficients | None  # None below MIN_FILES files
    weighted: Coefficients | None = None  # the ordinal (six-point) items only, quadratic
    theme: str = ""  # an item's theme id
    units: frozenset[str] = frozenset()  # the files counted in `files` ('case:phase')

    @property
    def too_few(self) -> bool:
        return self.files < MIN_FILES


@dataclass(frozen=True)
class ChecklistAgreement:
    checklist_id: str
    title: str
    files: int
    readings: int
    most_readers: int
    overall: GroupAgreement
    themes: tuple[GroupAgreement, ...]
    items: tuple[GroupAgreement, ...]
    readers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file -> its audits


@dataclass(frozen=True)
class Agreement:
    filter: AuditFilter
    finalised_only: bool
    checklists: tuple[ChecklistAgreement, ...] = field(default_factory=tuple)

    @property
    def files(self) -> int:
        return sum(c.files for c in self.checklists)


def _twice(files: Sequence[str], rows: Sequence[Row]) -> set[str]:
    """The files with a unit rated by two or more readers."""
    return {f for f, row in zip(files, rows, strict=True) if sum(v is not None for v in row) >= 2}


class _PerItem:
    """What _group needs of an item, worked out once though the item is pooled three times
    (alone, in its theme, overall)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple] = {}

    def of(self, it: ItemRatings) -> tuple[set[str], list[list[int | None]], set[str]]:
        """(files rated twice, ordinal rows, files rated twice on the ordinal scale)."""
        found = self._seen.get(id(it))
        if found is None or found[0] is not it:
            ordinal = it.ordinal_rows() if it.ordered else []
            twice_ordinal = _twice(it.files, ordinal) if it.ordered else set()
            found = self._seen[id(it)] = (it, _twice(it.files, it.rows), ordinal, twice_ordinal)
        return found[1:]


def _group(key: str, label: str, items: Sequence[ItemRatings],
           per: _PerItem | None = None) -> GroupAgreement:
    """Pool the items' units: nominal over (scale, value) categories of every item; weighted
    over the items on the most used ordinal scale. Each set needs MIN_FILES files."""
    per = per or _PerItem()
    files = set().union(*(per.of(it)[0] for it in items))
    units = frozenset(files)
    if len(files) < MIN_FILES:
        return GroupAgreement(key, label, len(files), None, units=units)
    index: dict[str, int] = {}
    rows: list[Row] = []
    for it in items:
        local = {v: index.setdefault(f"{it.scale}:{v}", len(index)) for v in it.levels}
        rows += it.nominal_rows(local)
    nominal = coefficients(rows, len(index), NOMINAL)
    scales = Counter(it.ordered for it in items if it.ordered)
    weighted = None
    if scales:
        ordered = scales.most_common(1)[0][0]
        on_scale = [it for it in items if it.ordered == ordered]
        ordinal = [r for it in on_scale for r in per.of(it)[1]]
        twice = set().union(*(per.of(it)[2] for it in on_scale))
        if len(twice) >= MIN_FILES:
            weighted = coefficients(ordinal, len(ordered), QUADRATIC)
    return GroupAgreement(key, label, len(files), nominal, weighted, units=units)


def agreement(
    db: Database, flt: AuditFilter | None = None, finalised_only: bool = True
) -> Agreement:
    """Agreement between readers, per checklist: overall, per theme and per item."""
    flt = flt or AuditFilter()
    found = double_readings(db, flt, finalised_only)
    out = []
    per = _PerItem()
    for cid in sorted(found.files):
        items = [it for it in found.items if it.checklist_id == cid]
        themes: dict[str, list[ItemRatings]] = {}
        for it in items:
            themes.setdefault(it.theme_id, []).append(it)
        out.append(
            ChecklistAgreement(
                cid,
                found.titles.get(cid, cid),
                found.files[cid],
                found.readings[cid],
                found.most_readers[cid],
                _group("overall", "All items", items, per),
                tuple(_group(t, group[0].theme_title, group, per) for t, group in themes.items()),
                tuple(
                    replace(_group(it.item_id, it.question, [it], per), theme=it.theme_id)
                    for it in items
                ),
                found.readers.get(cid, {}),
            )
        )
    return Agreement(flt, finalised_only, tuple(out))

