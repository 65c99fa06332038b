"""Polychoric/tetrachoric correlations and ordinal alpha against R (psych 2.2.9, lavaan 0.6-14).

Fixtures: ``tests/r/polychoric.R`` → ``tests/fixtures/r/polychoric.json`` on the synthetic
skewed 1–5 items (``tests/fixtures/data/make_ordinal_skewed.py``) and psych's bfi.
lavaan's Gamma (N x asymptotic covariance, the WLSMV weight source) is checked too.
Tolerances: thresholds are closed-form normal quantiles (1e-9). lavaan maximises each pair's
likelihood with nlminb to about 1e-8 (observed differences ≤ 2e-8): 1e-6. psych uses R's
``optimize`` whose default tolerance is ``.Machine$double.eps^0.25`` ≈ 1.2e-4 in rho
(observed ≤ 2.1e-5): 2e-4, well inside the brief's ±0.002. Ordinal alpha inherits psych's
rho error: 1e-4 (brief ±1e-3).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from analysis.datasets import load as load_example
from analysis.stats.polychoric import _smooth, bvn_cdf, cell_probabilities, polychoric
from analysis.stats.reliability import ordinal_alpha

FIX = Path(__file__).parent / "fixtures"
R = json.loads((FIX / "r" / "polychoric.json").read_text())
PSYCH_TOL = 2e-4
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    bfi = pd.read_csv(FIX / "data" / "bfi.csv").iloc[:, :25]
    reversed_ = bfi.copy()
    reversed_[REVERSED] = 7 - reversed_[REVERSED]
    return {"skewed": load_example("ordinal_skewed"), "bfi": bfi,
            "bfi_reversed": reversed_}


@pytest.mark.parametrize("name", ["skewed", "bfi"])
def test_polychoric_matches_psych_pairwise(data, name):
    ref = R["psych"][name]
    assert data[name].isna().any().any()  # pairwise tables and per-item thresholds matter
    res = polychoric(data[name])
    assert res.converged and not res.smoothed and res.n == ref["n_obs"]
    assert res.items == ref["items"] and res.rho.columns[0] == "item"
    np.testing.assert_allclose(res.matrix(), ref["rho"], atol=PSYCH_TOL, rtol=0)
    tau = res.thresholds[[c for c in res.thresholds.columns if c.startswith("t")]]
    np.testing.assert_allclose(tau, ref["tau"], atol=1e-9, rtol=0)


@pytest.mark.parametrize("name", ["skewed", "bfi_A"])
def test_polychoric_matches_lavaan_lavcor_listwise(data, name):
    ref = R["lavaan"][name]
    x = data["skewed"] if name == "skewed" else data["bfi"][ref["items"]]
    res = polychoric(x, missing="listwise")
    assert res.n == ref["nobs"] < len(x)
    np.testing.assert_allclose(res.matrix(), ref["rho"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(np.concatenate(res.tau()), ref["th"], atol=1e-9, rtol=0)


@pytest.mark.parametrize("name", ["skewed_q1_q5", "bfi_A"])
def test_nacov_matches_lavaan_gamma(data, name):
    # lavInspect(lavCor(x, ordered=, estimator="WLSMV"), "gamma"): the same sandwich on the
    # same scores; rho agrees to 1e-8, entries (up to 9.6) to 2e-8: held to 1e-6.
    ref = R["gamma"][name]
    source = data["skewed"] if name.startswith("skewed") else data["bfi"]
    res = polychoric(source[ref["items"]], missing="listwise")
    assert res.n == ref["nobs"]
    gamma = res.nacov()
    assert gamma["parameter"].tolist() == ref["names"] == res.parameter_names()
    np.testing.assert_allclose(gamma[ref["names"]], ref["gamma"], atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="complete rows"):
        polychoric(source[ref["items"]]).nacov()


def test_tetrachoric_for_two_categories_matches_psych(data):
    ref = R["tetrachoric"]
    items = data["bfi_reversed"][ref["items"]]
    binary = (items > 4).astype(float).where(items.notna())
    res = polychoric(binary)
    np.testing.assert_allclose(res.matrix(), ref["rho"], atol=PSYCH_TOL, rtol=0)
    np.testing.assert_allclose(np.concatenate(res.tau()), ref["tau"], atol=1e-9, rtol=0)
    assert res.thresholds.columns.tolist() == ["item", "n", "t1"]


def test_tetrachoric_hand_value():
    # Median splits (tau = 0): P(concordant) = 1/2 + asin(rho)/pi (Sheppard 1899), so
    # rho = sin(pi/2 * (a + d - b - c)/n) exactly; the 3/1/1/3 table gives sin(pi/4).
    x = pd.DataFrame({"a": [1, 1, 1, 2, 2, 2, 1, 2], "b": [1, 1, 1, 2, 2, 2, 2, 1]})
    assert polychoric(x).matrix()[0, 1] == pytest.approx(np.sin(np.pi / 2 * 0.5), abs=1e-9)


def test_bvn_cdf_exact_identities():
    rho = np.array([-0.999, -0.95, -0.93, -0.5, 0.0, 0.3, 0.92, 0.93, 0.99, 0.9999])
    # Phi2(0, 0; rho) = 1/4 + asin(rho) / (2 pi) (Sheppard 1899)
    np.testing.assert_allclose(bvn_cdf(0.0, 0.0, rho), 0.25 + np.arcsin(rho) / (2 * np.pi),
                               atol=1e-14)
    h, k = np.meshgrid([-3.0, -1.2, 0.4, 2.1], [-2.2, -0.3, 0.9, 3.0])
    h, k = h.ravel(), k.ravel()
    np.testing.assert_allclose(bvn_cdf(h, k, 0.0), special.ndtr(h) * special.ndtr(k), atol=1e-14)
    for r in rho:  # Phi2(h, k; r) + Phi2(h, -k; -r) = Phi(h)
        np.testing.assert_allclose(bvn_cdf(h, k, r) + bvn_cdf(h, -k, -r), special.ndtr(h),
                                   atol=1e-13)
    assert bvn_cdf(np.inf, 0.5, 0.3) == pytest.approx(special.ndtr(0.5), abs=1e-15)
    assert bvn_cdf(-np.inf, 0.5, 0.3) == 0.0


def test_cell_probability_derivatives_equal_finite_differences():
    tx, ty, rho, eps = np.array([-1.0, 0.2, 1.1]), np.array([-0.4, 0.8]), 0.35, 1e-6
    p, dr, dx, dy = cell_probabilities(rho, tx, ty, derivatives=True)
    assert p.sum() == pytest.approx(1.0, abs=1e-14)
    fd = (cell_probabilities(rho + eps, tx, ty) - cell_probabilities(rho - eps, tx, ty)) / (2 * eps)
    np.testing.assert_allclose(dr, fd, atol=1e-8)
    for t in range(len(tx)):
        up, down = tx.copy(), tx.copy()
        up[t] += eps
        down[t] -= eps
        fd = (cell_probabilities(rho, up, ty) - cell_probabilities(rho, down, ty)) / (2 * eps)
        np.testing.assert_allclose(dx[t], fd, atol=1e-8)
    for t in range(len(ty)):
        up, down = ty.copy(), ty.copy()
        up[t] += eps
        down[t] -= eps
        fd = (cell_probabilities(rho, tx, up) - cell_probabilities(rho, tx, down)) / (2 * eps)
        np.testing.assert_allclose(dy[t], fd, atol=1e-8)


def test_smoothing_matches_psych_cor_smooth():
    ref = R["cor_smooth"]
    smoothed, done = _smooth(np.array(ref["input"]))
    assert done
    np.testing.assert_allclose(smoothed, ref["smoothed"], atol=1e-9)
    assert _smooth(np.eye(3))[1] is False


def test_polychoric_items_with_different_numbers_of_categories():
    # An item answered on 3 of 5 categories: its thresholds stop at t2; the estimate is the
    # same as with the values recoded 1..3 (categories are the distinct answers, in order).
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=500)
    x = pd.DataFrame({"a": np.digitize(z[:, 0], [-1, 0, 0.5, 1.2]) + 1.0,
                      "b": np.digitize(z[:, 1], [-0.5, 0.7]) * 2 + 1.0})   # 1, 3, 5
    res = polychoric(x)
    assert res.levels["b"] == [1.0, 3.0, 5.0]
    assert np.isnan(res.thresholds.loc[1, "t3"]) and not np.isnan(res.thresholds.loc[1, "t2"])
    recoded = polychoric(x.assign(b=(x["b"] + 1) / 2))
    assert res.matrix()[0, 1] == pytest.approx(recoded.matrix()[0, 1], abs=1e-12)
    assert res.matrix()[0, 1] == pytest.approx(0.6, abs=0.1)


def test_polychoric_refuses_continuous_and_constant_items():
    x = pd.DataFrame({"a": np.arange(20.0), "b": np.tile([1.0, 2.0], 10)})
    with pytest.raises(ValueError, match="'a' has 20 distinct values"):
        polychoric(x)
    with pytest.raises(ValueError, match="'c' has fewer than two distinct answers"):
        polychoric(x.assign(a=np.tile([1.0, 2.0], 10), c=1.0))


@pytest.mark.parametrize("case", list(R["ordinal_alpha"]))
def test_ordinal_alpha_matches_psych(data, case):
    ref = R["ordinal_alpha"][case]
    source = data["skewed"] if case.startswith("skewed") else data["bfi_reversed"]
    res = ordinal_alpha(source[ref["items"]])
    assert res.alpha == pytest.approx(ref["alpha"], abs=1e-4)
    assert res.std_alpha == pytest.approx(res.alpha, abs=1e-12)  # a correlation matrix
    assert res.items["item"].tolist() == ref["items"]
    np.testing.assert_allclose(res.items["alpha_if_dropped"], ref["alpha_if_dropped"], atol=1e-4)
    np.testing.assert_allclose(res.items["item_rest_r"], ref["r_drop"], atol=1e-4)
    assert np.isnan(res.ci_low) and res.ci_method == "none"
