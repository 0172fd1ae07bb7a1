"""Audit-level intervals (findings/clustered.py) against values worked out by hand on tiny
examples, and against statsmodels: least squares of the items' 0/1 outcomes with
cluster-robust (CR1) standard errors and t intervals, clustered by audit (a share) or by
case file (a change between phases)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from audit_tool.findings.clustered import (
    Moments,
    PairMoments,
    change_interval,
    ratio_interval,
    share_interval,
    t_quantile,
)

np = pytest.importorskip("numpy")
sm = pytest.importorskip("statsmodels.api")
stats = pytest.importorskip("scipy.stats")

T_975_3 = 3.182446305284263  # Student's t, 97.5%, 3 degrees of freedom (published tables: 3.182)


def test_t_quantile_matches_published_values_and_scipy():
    assert t_quantile(0.975, 1) == pytest.approx(12.706204736, abs=1e-8)
    assert t_quantile(0.975, 3) == pytest.approx(T_975_3, abs=1e-9)
    assert t_quantile(0.975, 30) == pytest.approx(2.042272456, abs=5e-8)
    for df in (2, 5, 9, 19, 55, 120, 1000):
        assert t_quantile(0.975, df) == pytest.approx(stats.t.ppf(0.975, df), abs=5e-8)


def test_a_share_over_four_audits_by_hand():
    # (met, rated) per audit: 10 of 16 = 0.625
    audits = [(3, 4), (1, 4), (4, 5), (2, 3)]
    # residuals m - p*n: 0.5, -1.5, 0.875, 0.125; squares add to 3.28125
    # var = 4/3 * 3.28125 / 16^2 = 4.375 / 256
    se = math.sqrt(4.375 / 256)
    iv = share_interval(Moments.of(audits))
    assert iv.estimate == 0.625
    assert iv.se == pytest.approx(se, rel=1e-12)
    assert iv.df == 3
    assert iv.low == pytest.approx(0.625 - T_975_3 * se, rel=1e-9)  # 0.2090
    assert iv.high == 1.0  # 0.625 + 0.416 is above 1: clipped


def test_the_items_alone_would_understate_the_uncertainty():
    # 10 audits: 5 meet on all 6 items, 5 on none. Counted as 60 independent items the
    # share 50% would have a standard error of 6.5 points; audit by audit it is 16.7
    audits = [(6, 6)] * 5 + [(0, 6)] * 5
    iv = share_interval(Moments.of(audits))
    assert iv.se == pytest.approx(math.sqrt(10 / 9 * 10 * 9 / 3600), rel=1e-12)  # 0.1667
    assert iv.se > 2.5 * math.sqrt(0.25 / 60)


def test_all_or_none_meeting_has_no_interval_and_one_audit_none_at_all():
    assert not share_interval(Moments.of([(3, 3), (4, 4)])).estimable
    assert share_interval(Moments.of([(2, 3)])) is None
    assert share_interval(Moments()) is None


def test_a_rate_per_thousand_words_by_hand():
    # flags, words per audit: 1/8, 2/17, 0/20 -> 3 in 45 words = 66.7 per 1,000
    iv = ratio_interval(Moments.of([(1, 8), (2, 17), (0, 20)]), upper=None, scale=1000)
    r = Fraction(3, 45)
    ss = sum((Fraction(y) - r * x) ** 2 for y, x in [(1, 8), (2, 17), (0, 20)])
    se = math.sqrt(Fraction(3, 2) * ss) / 45 * 1000
    assert iv.estimate == pytest.approx(1000 / 15)
    assert iv.se == pytest.approx(se, rel=1e-12)
    assert iv.low == 0.0  # clipped at nothing; no ceiling
    assert iv.high == pytest.approx(1000 / 15 + t_quantile(0.975, 2) * se, rel=1e-12)


def test_a_change_with_a_shared_case_file_by_hand():
    # case files: (baseline met, rated, post-training met, rated); A and B read in both phases
    files = {"A": (1, 2, 2, 2), "B": (0, 3, 2, 3), "C": (1, 2, 0, 0), "D": (0, 0, 1, 2)}
    p1 = Fraction(2, 7)  # baseline: 2 of 7
    p2 = Fraction(5, 7)  # post-training: 5 of 7
    z = [(y2 - p2 * x2) / 7 - (y1 - p1 * x1) / 7 for y1, x1, y2, x2 in files.values()]
    n = 14  # items in all
    var = Fraction(4, 3) * Fraction(n - 1, n - 2) * sum(v * v for v in z)
    iv = change_interval(PairMoments.of(files.values()))
    assert PairMoments.of(files.values()).shared == 2
    assert iv.estimate == pytest.approx(3 / 7)
    assert iv.se == pytest.approx(math.sqrt(var), rel=1e-12)
    assert iv.df == 3
    assert iv.low == pytest.approx(3 / 7 - T_975_3 * math.sqrt(var), rel=1e-9)


def _items(audits):
    """0/1 outcomes per item, with the audit and case file each came from."""
    y, phase, audit, case = [], [], [], []
    for k, (c, ph, m, n) in enumerate(audits):
        for j in range(n):
            y.append(1.0 if j < m else 0.0)
            phase.append(float(ph))
            audit.append(k)
            case.append(c)
    return np.array(y), np.array(phase), np.array(audit), np.array(case)


@pytest.fixture
def fictional_audits():
    """40 audits: 25 baseline, 15 post-training; 12 of the post-training audits re-read a
    baseline case file; skill varies by file, so items in one file go together."""
    rng = np.random.default_rng(20261202)
    out = []
    skill = rng.uniform(0.1, 0.9, 28)
    for k in range(40):
        phase = 0 if k < 25 else 1
        case = k if k < 25 else (k - 25 if k < 37 else k - 12)
        n = int(rng.integers(2, 9))
        m = int(rng.binomial(n, min(0.95, skill[case] + 0.2 * phase)))
        out.append((case, phase, m, n))
    return out


def test_a_share_matches_statsmodels_cluster_robust_least_squares(fictional_audits):
    base = [a for a in fictional_audits if a[1] == 0]
    y, _, audit, _ = _items(base)
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": audit}, use_t=True)
    iv = share_interval(Moments.of((m, n) for _, _, m, n in base))
    assert iv.estimate == pytest.approx(fit.params[0], rel=1e-12)
    assert iv.se == pytest.approx(fit.bse[0], rel=1e-9)
    low, high = fit.conf_int(alpha=0.05)[0]
    assert (iv.low, iv.high) == pytest.approx((max(0.0, low), min(1.0, high)), rel=1e-9)


def test_a_change_matches_statsmodels_clustered_by_case_file(fictional_audits):
    y, phase, _, case = _items(fictional_audits)
    fit = sm.OLS(y, sm.add_constant(phase)).fit(
        cov_type="cluster", cov_kwds={"groups": case}, use_t=True
    )
    files: dict[int, list[int]] = {}
    for c, ph, m, n in fictional_audits:
        f = files.setdefault(c, [0, 0, 0, 0])
        f[2 * ph] += m
        f[2 * ph + 1] += n
    pairs = PairMoments.of(files.values())
    assert pairs.shared == 12 and pairs.clusters == 28
    iv = change_interval(pairs)
    assert iv.estimate == pytest.approx(fit.params[1], rel=1e-12)
    assert iv.se == pytest.approx(fit.bse[1], rel=1e-9)
    assert (iv.low, iv.high) == pytest.approx(tuple(fit.conf_int(alpha=0.05)[1]), rel=1e-9)
