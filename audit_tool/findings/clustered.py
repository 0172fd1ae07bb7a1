"""Intervals for shares when items are clustered in audits (and audits in case files).

Items rated in the same audit are not independent: one reviewer read one file, and a file
that is weak on one item tends to be weak on the next. So a share of items meeting the
standard is estimated as a ratio over clusters, and its uncertainty from how the clusters
vary, not from the count of items.

Share (one group of audits). Audit i contributes m_i items meeting the standard out of n_i
rated. The estimate is the ratio p = Σm / Σn (the same figure as counting all items), with
the linearisation (sandwich, cluster-robust) variance over the G audits:

    var(p) = G / (G - 1) · Σ (m_i - p·n_i)² / (Σn)²

and the interval p ± t · √var, where t is Student's t quantile with G - 1 degrees of freedom
(97.5% for a 95% interval), clipped to [0, 1]. This is what a least-squares fit of the items'
0/1 outcomes on a constant gives with cluster-robust ("CR1") standard errors by audit, as in
Stata's `vce(cluster)` and statsmodels' `cov_type="cluster"` with `use_t`.

Change (baseline against post-training). d = p₂ - p₁. The clusters are case files: all
audits of one file are taken together, so a file read at both baseline and post-training is
handled as a pair (the covariance between its two readings enters the variance), and a file
read in one phase only counts as an unpaired cluster. Case file c contributes
z_c = (m₂c - p₂·n₂c) / Σn₂ - (m₁c - p₁·n₁c) / Σn₁, and

    var(d) = C / (C - 1) · (N - 1) / (N - 2) · Σ z_c²

over the C case files, N = Σn₁ + Σn₂ items: the CR1 variance of the phase coefficient in
the same fit with a phase term, clustered by case file. t has C - 1 degrees of freedom; the
interval is clipped to [-1, 1].

A rate (flags per 1,000 words) is the same ratio estimator with flags for m and words for n,
clipped below at 0.

Where every rated item met the standard, or none did, the variance is 0 and this interval
collapses to a point: it is reported as not estimable rather than as certainty. One cluster
gives no variance at all. Everything here is summed from a few running totals (`Moments`),
so SQL can do the adding up over thousands of audits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

LEVEL = 0.95

METHOD = (
    "each share is the ratio of items meeting the standard to items rated, over the audits, "
    "with a cluster-robust (linearisation) standard error in which each audit is one cluster "
    "(CR1, as in Stata's vce(cluster)), and a Student's t critical value with one fewer degrees "
    "of freedom than audits; the interval is kept within 0 to 100 per cent. A change between phases "
    "uses the same method with each case file as one cluster, so a file read at both baseline "
    "and post-training counts as a pair. Where every rated item met the standard, or none did, "
    "this interval cannot be worked out and shows '—'."
)


# -- Student's t quantile, without scipy ----------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the regularised incomplete beta (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with df degrees of freedom."""
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def _t_pdf(t: float, df: float) -> float:
    return math.exp(
        math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
        - (df + 1) / 2 * math.log1p(t * t / df)
    )  # fmt: skip


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: int) -> float:
    """The t value with P(T <= t) = p (p > 0.5): exact for 1 and 2 degrees of freedom; else
    the Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5), which from 30 degrees of
    freedom is within 5e-8, and below that is polished by Newton's method on the
    distribution function (falling back to bisection if a step strays)."""
    if df < 1:
        raise ValueError("t needs at least 1 degree of freedom")
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    t = z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
    if df >= 30:  # the expansion alone is within 5e-8 here; Newton's steps would cost more
        return t
    for _ in range(8):
        step = (t_cdf(t, df) - p) / _t_pdf(t, df)
        if not math.isfinite(step) or abs(step) > 1:
            break
        t -= step
        if abs(step) < 1e-13:
            return t
    lo, hi = 0.0, 1.0  # bisection: slow, but sure
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if t_cdf(mid, df) < p else (lo, mid)
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2.0


# -- running totals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moments:
    """Sums over clusters of y (items meeting the standard, or flags) and x (items rated, or
    words): enough for the ratio and its cluster-robust variance."""

    clusters: int = 0
    y: float = 0
    x: float = 0
    yy: float = 0
    xy: float = 0
    xx: float = 0
    # an anonymised release holds the ratio back (small numerator, all or none): reports/release.py
    withheld: bool = False

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, float]]) -> Moments:
        """From (y, x) per cluster; clusters with nothing counted (x = 0, y = 0) are left out."""
        g = sy = sx = syy = sxy = sxx = 0
        for y, x in pairs:
            if x or y:
                g += 1
                sy += y
                sx += x
                syy += y * y
                sxy += x * y
                sxx += x * x
        return cls(g, sy, sx, syy, sxy, sxx)

    def __add__(self, other: Moments) -> Moments:
        return Moments(*(a + b for a, b in zip(self._t(), other._t(), strict=True)))

    def _t(self) -> tuple:
        return (self.clusters, self.y, self.x, self.yy, self.xy, self.xx)

    @property
    def ratio(self) -> float | None:
        return self.y / self.x if self.x and not self.withheld else None

    def residual_ss(self) -> float:
        """Σ (y_i - R·x_i)², from the sums (never below 0 after rounding)."""
        r = self.ratio or 0.0
        return max(0.0, self.yy - 2 * r * self.xy + r * r * self.xx)


@dataclass(frozen=True)
class Interval:
    estimate: float
    se: float
    df: int
    low: float
    high: float

    @property
    def estimable(self) -> bool:
        """False where the variance is 0 (all or none met the standard, or every cluster gave
        the same share): no honest interval. A tolerance, as rounding leaves a trace of one."""
        return self.se > 1e-6  # a millionth of a share: nothing a report could show


def ratio_interval(
    m: Moments,
    level: float = LEVEL,
    lower: float = 0.0,
    upper: float | None = 1.0,
    scale: float = 1.0,
) -> Interval | None:
    """The ratio Σy/Σx (times `scale`) with its cluster-robust t interval, clipped to
    [lower, upper] (upper None: no ceiling). None with fewer than 2 clusters or nothing rated."""
    if m.x <= 0 or m.clusters < 2 or m.withheld:
        return None
    g = m.clusters
    r = m.y / m.x
    se = math.sqrt(g / (g - 1) * m.residual_ss()) / m.x * scale
    t = t_quantile(0.5 + level / 2, g - 1)
    est = r * scale
    high = est + t * se
    return Interval(
        est, se, g - 1, max(lower, est - t * se), high if upper is None else min(upper, high)
    )


def share_interval(m: Moments, level: float = LEVEL) -> Interval | None:
    """A share of items meeting the standard, audits as clusters (see the module notes)."""
    return ratio_interval(m, level)


# -- a change between two phases, clusters are case files ----------------------------------------


@dataclass(frozen=True)
class PairMoments:
    """Sums over case files of (y₁, x₁) at baseline and (y₂, x₂) post-training, with the
    cross products that carry the pairing; `shared`: files with items rated in both."""

    clusters: int = 0
    shared: int = 0
    y1: float = 0
    x1: float = 0
    y2: float = 0
    x2: float = 0
    y1y1: float = 0
    y1x1: float = 0
    x1x1: float = 0
    y2y2: float = 0
    y2x2: float = 0
    x2x2: float = 0
    y1y2: float = 0
    y1x2: float = 0
    x1y2: float = 0
    x1x2: float = 0

    @classmethod
    def of(cls, files: Iterable[tuple[float, float, float, float]]) -> PairMoments:
        """From (y₁, x₁, y₂, x₂) per case file."""
        sums = [0.0] * 16
        for y1, x1, y2, x2 in files:
            if not (x1 or x2):
                continue
            row = (
                1,
                1 if x1 and x2 else 0,
                y1,
                x1,
                y2,
                x2,
                y1 * y1,
                y1 * x1,
                x1 * x1,
                y2 * y2,
                y2 * x2,
                x2 * x2,
                y1 * y2,
                y1 * x2,
                x1 * y2,
                x1 * x2,
            )
            sums = [s + v for s, v in zip(sums, row, strict=True)]
        return cls(int(sums[0]), int(sums[1]), *sums[2:])


def change_interval(m: PairMoments, level: float = LEVEL) -> Interval | None:
    """p₂ - p₁ with its cluster-robust t interval over case files (see the module notes).
    None unless both phases have items rated, and at least 2 case files."""
    if m.x1 <= 0 or m.x2 <= 0 or m.clusters < 2:
        return None
    p1, p2 = m.y1 / m.x1, m.y2 / m.x2
    aa = m.y2y2 - 2 * p2 * m.y2x2 + p2 * p2 * m.x2x2  # Σ (y₂ - p₂x₂)²
    bb = m.y1y1 - 2 * p1 * m.y1x1 + p1 * p1 * m.x1x1  # Σ (y₁ - p₁x₁)²
    ab = m.y1y2 - p2 * m.y1x2 - p1 * m.x1y2 + p1 * p2 * m.x1x2  # Σ (y₂ - p₂x₂)(y₁ - p₁x₁)
    zz = max(0.0, aa / m.x2**2 - 2 * ab / (m.x1 * m.x2) + bb / m.x1**2)
    c, n = m.clusters, m.x1 + m.x2
    factor = c / (c - 1) * ((n - 1) / (n - 2) if n > 2 else 1.0)
    se = math.sqrt(factor * zz)
    t = t_quantile(0.5 + level / 2, c - 1)
    d = p2 - p1
    return Interval(d, se, c - 1, max(-1.0, d - t * se), min(1.0, d + t * se))


__all__ = [
    "LEVEL",
    "METHOD",
    "Interval",
    "Moments",
    "PairMoments",
    "change_interval",
    "ratio_interval",
    "share_interval",
    "t_cdf",
    "t_quantile",
]
