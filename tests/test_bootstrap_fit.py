"""Bootstrap intervals of CFI, RMSEA and SRMR (``sem.bootstrap_fit``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import datasets
from analysis.stats.sem import bootstrap_fit, cfa

HS2 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"


@pytest.fixture(scope="module")
def hs():
    return datasets.load("holzinger_swineford_1939")


def test_estimates_are_the_fits_and_intervals_are_ordered(hs):
    fit = cfa(hs, HS2, group="school", group_equal=["loadings"])
    b = bootstrap_fit(fit, reps=40, seed=3, bca=False)
    t = b.to_frame()
    assert t["method"].tolist() == ["percentile"] * 3
    for _, row in t.iterrows():
        assert row.estimate == fit.fit[row.measure]          # same formulas as fitMeasures
        assert row.ci_lower <= row.ci_upper
    assert b.n_failed == 0 and len(b.replications) == 40
    # the percentile interval is the quantiles of the converged replications
    r = b.replications[b.replications.converged]
    assert t.loc[t.measure == "srmr", "ci_upper"].item() == pytest.approx(
        np.quantile(r["srmr"], 0.975))


def test_bca_and_seed(hs):
    fit = cfa(hs, HS2)
    a = bootstrap_fit(fit, reps=30, seed=1)
    b = bootstrap_fit(fit, reps=30, seed=1)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert a.to_frame()["method"].tolist() == ["percentile"] * 3 + ["bca"] * 3
    c = bootstrap_fit(fit, reps=30, seed=2, bca=False)
    assert not np.allclose(a.replications["cfi"], c.replications["cfi"])


def test_refuses_what_it_cannot_resample(hs):
    with pytest.raises(ValueError, match="ML fit"):
        bootstrap_fit(cfa(hs, HS2, estimator="MLR"), reps=20)
    with pytest.raises(ValueError, match="ML fit"):
        bootstrap_fit(cfa(hs, HS2, missing="ml"), reps=20)
    with pytest.raises(ValueError, match="reps"):
        bootstrap_fit(cfa(hs, HS2), reps=5)


@pytest.mark.slow
def test_percentile_coverage_of_cfi_and_rmsea():
    """30 data sets (n = 300) from two factors with an omitted cross-loading (y3 on f2, .3),
    the model without it; 90 % percentile intervals of 60 resamples (kept small: the suite
    runs it). Population values from the fit to the population covariance matrix: CFI .9583,
    RMSEA .0721 (sqrt(F/df)). With true coverage .90, fewer than 22 of 30 hits has
    probability ~1 %. (Offline, 40 data sets and 200 resamples: percentile CFI .90, RMSEA .90,
    SRMR .70; BCa .63-.78 — see :mod:`analysis.stats._sem_bootstrap`.)"""
    lam = np.array([[.7, 0], [.6, 0], [.5, .3], [0, .7], [0, .6], [0, .5]])
    common = lam @ np.array([[1, .4], [.4, 1]]) @ lam.T
    chol = np.linalg.cholesky(common + np.diag(1 - np.diag(common)))
    cols = [f"y{i}" for i in range(1, 7)]
    model = "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6"
    population = {"cfi": 0.9583, "rmsea": 0.0721}
    hits = {"cfi": [], "rmsea": []}
    for i in range(30):
        x = np.random.default_rng(100 + i).standard_normal((300, 6)) @ chol.T
        t = bootstrap_fit(cfa(pd.DataFrame(x, columns=cols), model), reps=60, seed=i,
                          level=0.90, bca=False).to_frame().set_index("measure")
        for m in hits:
            hits[m].append(t.loc[m, "ci_lower"] <= population[m] <= t.loc[m, "ci_upper"])
    assert sum(hits["cfi"]) >= 22 and sum(hits["rmsea"]) >= 22
