"""analysis.stats.effsize against pingouin, statsmodels, simulation and hand computations."""
from __future__ import annotations

import numpy as np
import pingouin
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.stats import effsize as es


def test_spearman_ci_coverage_by_simulation():
    """400 samples of n = 40 from a bivariate normal (ρ = 0.5): the Bonett–Wright interval
    should cover the population Spearman ρ_s = (6/π) asin(ρ/2) in 95 % ± 3·√(.95·.05/400)."""
    rng = np.random.default_rng(3)
    rho, n, reps = 0.5, 40, 400
    rho_s = 6 / np.pi * np.arcsin(rho / 2)
    x = rng.normal(size=(reps, n))
    y = rho * x + np.sqrt(1 - rho ** 2) * rng.normal(size=(reps, n))
    rx, ry = stats.rankdata(x, axis=1), stats.rankdata(y, axis=1)
    r = np.array([np.corrcoef(a, b)[0, 1] for a, b in zip(rx, ry)])
    ci = np.array([[c.ci_low, c.ci_high] for c in (es.correlation_ci(ri, n, "spearman") for ri in r)])
    cover = np.mean((ci[:, 0] <= rho_s) & (rho_s <= ci[:, 1]))
    assert abs(cover - 0.95) < 3 * np.sqrt(0.95 * 0.05 / reps)


def test_hedges_g_against_pingouin_and_hand_ci():
    rng = np.random.default_rng(4)
    x, y = rng.normal(0.5, 1, 23), rng.normal(0, 1.2, 31)
    res = es.hedges_g(x, y)
    g, lo, hi = res.estimate, res.ci_low, res.ci_high
    assert g == pytest.approx(pg.compute_effsize(x, y, eftype="hedges"), abs=1e-12)
    se = np.sqrt((23 + 31) / (23 * 31) + g ** 2 / (2 * 54))     # Hedges & Olkin (1985)
    assert (lo, hi) == pytest.approx((g - 1.959963985 * se, g + 1.959963985 * se), abs=1e-9)


def test_auc_equals_pairwise_count():
    rng = np.random.default_rng(3)
    pos, neg = rng.integers(0, 6, 17), rng.integers(-2, 5, 12)
    brute = np.mean([(p > q) + 0.5 * (p == q) for p in pos for q in neg])
    assert es.auc(pos, neg).estimate == pytest.approx(brute, abs=1e-12)


def test_rank_biserial_matches_pingouin():
    rng = np.random.default_rng(3)
    b, a = rng.poisson(2, 40), rng.poisson(2.5, 40)
    ref = pingouin.wilcoxon(a, b)["RBC"].iloc[0]
    assert es.rank_biserial(b, a) == pytest.approx(ref, abs=1e-12)


def test_auc_delong_interval_by_hand():
    """DeLong et al. (1988) written out with explicit loops over the placement values."""
    rng = np.random.default_rng(11)
    pos, neg = rng.integers(0, 8, 23).astype(float), rng.integers(-1, 6, 19).astype(float)
    m, n = len(pos), len(neg)
    v10 = [sum(1.0 if p > q else 0.5 if p == q else 0.0 for q in neg) / n for p in pos]
    v01 = [sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in pos) / m for q in neg]
    a = sum(v10) / m
    s10 = sum((x - a) ** 2 for x in v10) / (m - 1)
    s01 = sum((x - a) ** 2 for x in v01) / (n - 1)
    se = np.sqrt(s10 / m + s01 / n)
    res = es.auc(pos, neg)
    assert res.estimate == pytest.approx(a, abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((a - 1.959963985 * se, min(1, a + 1.959963985 * se)), abs=1e-9)


def test_auc_equals_mann_whitney_u():
    rng = np.random.default_rng(12)
    pos, neg = rng.normal(0.5, 1, 30), rng.normal(0, 1, 25)
    u = stats.mannwhitneyu(pos, neg).statistic
    assert es.auc(pos, neg).estimate == pytest.approx(u / (30 * 25), abs=1e-12)


def test_g_av_by_hand():
    # pre 4, 5, 6, 3 (mean 4.5, SD 1.2910); post 6, 6, 7, 5 (mean 6, SD 0.8165); J = 1 − 3/11
    sd_av = (np.sqrt(5 / 3) + np.sqrt(2 / 3)) / 2
    assert es.g_av([4, 5, 6, 3], [6, 6, 7, 5]) == pytest.approx((1 - 3 / 11) * 1.5 / sd_av, abs=1e-12)
    assert np.isnan(es.g_av([1], [2]))


def test_holm_matches_statsmodels():
    p = np.array([0.01, 0.2, 0.03, np.nan, 0.004, 0.5])
    ok = ~np.isnan(p)
    assert np.allclose(es.holm(p)[ok], multipletests(p[ok], method="holm")[1], rtol=1e-12)
    assert np.isnan(es.holm(p)[3])


def test_results_are_frozen_objects_with_a_table():
    res = es.hedges_g([3, 4, 5, 6], [1, 2, 3, 4])
    with pytest.raises(AttributeError):
        res.estimate = 0
    assert list(res.to_frame().columns) == ["name", "estimate", "ci_low", "ci_high", "ci", "n"]
    with pytest.raises(ValueError, match="ci must be"):
        es.hedges_g([1, 2], [3, 4], ci=95)
