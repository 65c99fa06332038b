"""Bootstrap intervals of omega (``reliability.omega(..., ci=)``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import datasets
from analysis.stats.reliability import omega


def test_percentile_and_bca_intervals_are_seeded():
    x = datasets.load("holzinger_swineford_1939")[["x4", "x5", "x6"]]
    a = omega(x, ci="bootstrap", n_boot=40, seed=1)
    assert a.ci_method == "bootstrap" and a.ci_level == 0.95 and a.n_boot_failed == 0
    assert a.ci_low < a.omega_total < a.ci_high          # .886, a narrow interval around it
    assert a.ci_high - a.ci_low < 0.1
    assert np.isnan(a.hierarchical_ci_low)              # no general factor: no omega_h
    b = omega(x, ci="bootstrap", n_boot=40, seed=1)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    c = omega(x.iloc[:80], ci="bca", n_boot=30, seed=2)
    assert c.ci_method == "bca" and c.ci_low < c.ci_high
    assert omega(x).ci_method == "none" and np.isnan(omega(x).ci_low)
    with pytest.raises(ValueError, match="n_boot"):
        omega(x, ci="bootstrap", n_boot=5)


@pytest.mark.slow
def test_percentile_coverage_of_omega_total():
    """20 data sets (n = 200) from one factor with loadings .8 .7 .6 .5 (population omega
    (Σλ)²/((Σλ)² + Σ(1 − λ²)) = .7562); 90 % percentile intervals of 40 resamples (kept
    small: the suite runs it). With true coverage .90, fewer than 15 hits of 20 has
    probability ~1 %."""
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    sigma = np.outer(lam, lam) + np.diag(1 - lam ** 2)
    population = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum())
    chol = np.linalg.cholesky(sigma)
    hits = 0
    for i in range(20):
        x = pd.DataFrame(np.random.default_rng(200 + i).standard_normal((200, 4)) @ chol.T,
                         columns=["a", "b", "c", "d"])
        r = omega(x, ci="bootstrap", n_boot=40, level=0.90, seed=i)
        hits += r.ci_low <= population <= r.ci_high
    assert hits >= 15


def test_ml_resamples_refit_from_the_estimates_equal_a_fit_from_scratch():
    """The ML bootstrap refits each resample from the full-sample estimates; the same
    resamples fitted by :func:`omega` from lavaan's starting values give the same interval.
    Both fits stop within the engine's gradient tolerance (1e-6), so a resample's omega may
    differ by ~1e-6 (observed 1.3e-6): tolerance 5e-6; the covariance with n − 1 instead of
    n would move omega by ~3e-3."""
    x = datasets.load("holzinger_swineford_1939")[["x1", "x2", "x3", "x4", "x5", "x6"]]
    model = "v =~ x1 + x2 + x3\nt =~ x4 + x5 + x6"
    fast = omega(x, model, ci="bootstrap", n_boot=30, seed=5)
    rng = np.random.default_rng(5)
    slow = [omega(x.iloc[rng.integers(0, len(x), len(x))], model).omega_total for _ in range(30)]
    assert (fast.ci_low, fast.ci_high) == pytest.approx(tuple(np.quantile(slow, [0.025, 0.975])), abs=5e-6)
