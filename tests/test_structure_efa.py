"""KMO, Bartlett, parallel analysis and EFA against R (psych 2.2.9, GPArotation).

Fixtures: ``tests/r/efa.R`` → ``tests/fixtures/r/efa.json``. Tolerances: KMO and Bartlett
use psych's closed forms, so 1e-9 (χ² relative 1e-12). EFA loadings: psych stops R's
L-BFGS-B at its default relative tolerance (factr 1e7 ≈ 2e-9 of the criterion), which
leaves the uniquenesses about 1e-5 from the optimum we reach; observed differences are
≤ 9e-6 (geominQ), so loadings, communalities and factor correlations are held to 1e-4
(the issue allows 1e-3). Principal axis (fm="pa") follows psych's iteration exactly
(observed ≤ 2e-15). Parallel-analysis eigenvalues of the data are deterministic (1e-9); the
simulated means are random and compared with a Monte Carlo tolerance.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load as load_example
from analysis.stats._factoring import principal_axis
from analysis.stats.structure import (
    _one_factor_reduced,
    _random_correlations,
    bartlett,
    efa,
    kmo,
    parallel_analysis,
)

FIX = Path(__file__).parent / "fixtures"
R = json.loads((FIX / "r" / "efa.json").read_text())
EXACT = 1e-9
EFA_TOL = 1e-4


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    hs = load_example("holzinger_swineford_1939")
    bfi = pd.read_csv(FIX / "data" / "bfi.csv")
    return {"hs": hs[[f"x{i}" for i in range(1, 10)]], "bfi": bfi.iloc[:, :25]}


@pytest.mark.parametrize("name", ["hs", "bfi"])
def test_kmo_and_bartlett_match_psych(data, name):
    ref = R["kmo_bartlett"][name]
    res = kmo(data[name])
    assert res.overall == pytest.approx(ref["kmo"], abs=EXACT)
    table = res.to_frame()
    assert table.columns.tolist() == ["item", "msa"] and table.index.equals(pd.RangeIndex(len(table)))
    assert table["item"].tolist() == list(ref["kmo_items"])
    np.testing.assert_allclose(table["msa"], list(ref["kmo_items"].values()), atol=EXACT, rtol=0)
    test = bartlett(data[name])
    assert test.chisq == pytest.approx(ref["chisq"], rel=1e-12)
    assert test.df == ref["df"] and test.n == ref["n"]
    assert test.p == pytest.approx(ref["p"], rel=1e-9, abs=1e-300)
    assert test.to_frame().columns.tolist() == ["chisq", "df", "p", "n"]


def test_kmo_bartlett_published_holzinger_swineford_values(data):
    # REFERENCES.md: KMO 0.7522; Bartlett chi2 904.097, df 36.
    assert round(kmo(data["hs"]).overall, 4) == 0.7522
    test = bartlett(data["hs"])
    assert round(test.chisq, 3) == 904.097 and test.df == 36


def test_kmo_hand_computation_two_items():
    # Two items: the partial correlation equals the correlation, so KMO = 0.5 exactly.
    x = pd.DataFrame({"a": [1.0, 2, 3, 4, 6], "b": [2.0, 1, 4, 3, 5]})
    res = kmo(x)
    assert res.overall == pytest.approx(0.5, abs=1e-12)
    np.testing.assert_allclose(res.items["msa"], [0.5, 0.5], atol=1e-12)


@pytest.mark.parametrize("key", list(R["efa"]))
def test_efa_matches_psych_fa(data, key):
    ref = R["efa"][key]
    res = efa(data[key.split("_")[0]], ref["n_factors"], method=ref["method"],
              rotation=ref["rotation"])
    assert res.converged
    assert res.loadings["item"].tolist() == ref["items"]
    assert res.factors == ref["factors"]
    assert res.loadings.columns.tolist() == ["item", *ref["factors"]]
    np.testing.assert_allclose(res.loadings[res.factors], ref["loadings"], atol=EFA_TOL, rtol=0)
    np.testing.assert_allclose(res.communalities, ref["communalities"], atol=EFA_TOL, rtol=0)
    assert res.factor_cor["factor"].tolist() == ref["factors"]
    np.testing.assert_allclose(res.factor_cor[res.factors], ref["factor_cor"], atol=EFA_TOL, rtol=0)
    variance = res.variance_explained
    assert variance["factor"].tolist() == ref["factors"]
    np.testing.assert_allclose(variance["ss_loadings"], ref["ss_loadings"],
                               atol=EFA_TOL * len(ref["items"]), rtol=0)
    np.testing.assert_allclose(variance["proportion"], ref["variance_explained"], atol=EFA_TOL,
                               rtol=0)
    table = res.to_frame()
    assert table.columns.tolist() == ["item", *ref["factors"], "h2", "u2"]
    np.testing.assert_allclose(table["h2"], ref["communalities"], atol=EFA_TOL, rtol=0)


def test_efa_orthogonal_rotation_preserves_communalities(data):
    res = efa(data["hs"], 3, method="minres", rotation="varimax")
    np.testing.assert_allclose((res.loadings[res.factors] ** 2).sum(axis=1), res.communalities,
                               atol=1e-12)
    np.testing.assert_allclose(res.factor_cor[res.factors], np.eye(3), atol=0)


def test_efa_psych_spellings_are_aliases(data):
    # GPArotation's quartimin is oblimin with gam = 0; psych users type "geomin" for the
    # oblique geominQ (Mplus' default geomin is oblique too).
    def table(res):
        return res.loadings[res.factors].to_numpy()

    np.testing.assert_array_equal(table(efa(data["hs"], 3, rotation="quartimin")),
                                  table(efa(data["hs"], 3, rotation="oblimin")))
    geomin = efa(data["hs"], 3, rotation="geomin")
    np.testing.assert_array_equal(table(geomin), table(efa(data["hs"], 3, rotation="geominQ")))
    assert geomin.rotation == "geominQ"
    none = efa(data["hs"], 3, rotation="none")
    np.testing.assert_allclose(none.factor_cor[none.factors], np.eye(3), atol=0)


def test_principal_axis_reports_non_convergence(data):
    # psych's pa stops after max.iter = 50 steps and only says so in a message; here a
    # run cut short is flagged (HS, 3 factors, needs more than 2 steps).
    r = data["hs"].corr().to_numpy()
    assert principal_axis(r, 3)[1]
    assert not principal_axis(r, 3, max_iter=2)[1]


def test_efa_rejects_bad_arguments(data):
    with pytest.raises(ValueError, match="method must be one of"):
        efa(data["hs"], 3, method="wls")
    with pytest.raises(ValueError, match="rotation must be one of"):
        efa(data["hs"], 3, rotation="bentlerQ")
    with pytest.raises(ValueError, match="n_factors must be between 1 and 8"):
        efa(data["hs"], 9)


@pytest.mark.parametrize("name", ["hs", "bfi"])
def test_parallel_analysis_matches_psych(data, name):
    ref = R["parallel"][name]
    pa = parallel_analysis(data[name], n_iter=ref["n_iter"], seed=2026)
    table = pa.eigenvalues
    np.testing.assert_allclose(table["observed_pc"], ref["observed_pc"], atol=EXACT)
    np.testing.assert_allclose(table["observed_fa"], ref["observed_fa"], atol=EXACT)
    # Two independent means of 1000 draws: SE of the difference is sqrt(2) * SD / sqrt(1000);
    # allow five of them (SD estimated from a fresh simulation of the same size).
    sims = _random_correlations(len(data[name]), data[name].shape[1], 1000,
                                np.random.default_rng(1))
    sd = np.linalg.eigvalsh(sims).std(axis=0)[::-1]
    tol = 5 * np.sqrt(2) * sd / np.sqrt(1000)
    assert (np.abs(table["sim_pc_mean"] - ref["sim_pc_mean"]) < tol).all()
    assert np.abs(table["sim_fa_mean"] - ref["sim_fa_mean"]).max() < 0.01
    assert (pa.n_components, pa.n_factors) == (ref["ncomp"], ref["nfact"])


@pytest.mark.parametrize("name", ["hs", "bfi"])
def test_parallel_analysis_psych_default_smc_false(data, name):
    # psych's default factor eigenvalues (SMC = FALSE): after a one-factor minres fit with
    # psych's own optimiser settings. The observed ones follow the same deterministic path:
    # 1e-6 (observed ≤ 1e-13; L-BFGS-B versions could differ in the last digits). The
    # simulated means are random: psych used 100 draws, we use 200, so the SE of the
    # difference is SD * sqrt(1/100 + 1/200); allowed: five of them, SD from our draws.
    # The counts must agree (psych: 3 factors for HS, 6 for bfi).
    ref = R["parallel"][name]
    n_iter, seed = 200, 11
    pa = parallel_analysis(data[name], n_iter=n_iter, seed=seed, smc=False)
    table = pa.to_frame()
    np.testing.assert_allclose(table["observed_fa"], ref["default_observed_fa"], atol=1e-6)
    sims = _random_correlations(len(data[name]), data[name].shape[1], n_iter,
                                np.random.default_rng(seed))
    sims_pc = np.linalg.eigvalsh(sims)[:, ::-1]
    np.testing.assert_allclose(sims_pc.mean(axis=0), table["sim_pc_mean"], atol=1e-12)
    sd = np.linalg.eigvalsh(_one_factor_reduced(sims[:100]))[:, ::-1].std(axis=0)
    tol = 5 * sd * np.sqrt(1 / ref["default_n_iter"] + 1 / n_iter)
    assert (np.abs(table["sim_fa_mean"] - ref["default_sim_fa_mean"]) < tol).all()
    assert (pa.n_factors, pa.n_components) == (ref["default_nfact"], ref["default_ncomp"])
    assert pa.smc is False


def test_wishart_draws_equal_simulated_normal_data():
    # The shortcut must give the same eigenvalue distribution as correlating normal data.
    n, p, reps = 40, 5, 4000
    rng = np.random.default_rng(9)
    brute = np.stack([np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
                      for _ in range(reps)])
    fast = _random_correlations(n, p, reps, np.random.default_rng(10))
    e_brute, e_fast = np.linalg.eigvalsh(brute), np.linalg.eigvalsh(fast)
    se = np.sqrt(e_brute.var(axis=0) * 2 / reps)
    assert (np.abs(e_brute.mean(axis=0) - e_fast.mean(axis=0)) < 5 * se).all()
    np.testing.assert_allclose(e_brute.std(axis=0), e_fast.std(axis=0), rtol=0.1)
    np.testing.assert_allclose(np.diagonal(fast, axis1=1, axis2=2), 1.0, atol=1e-12)


def test_parallel_analysis_is_seeded_and_counts_leading_run(data):
    a = parallel_analysis(data["hs"], n_iter=100, seed=3)
    b = parallel_analysis(data["hs"], n_iter=100, seed=3)
    pd.testing.assert_frame_equal(a.eigenvalues, b.eigenvalues)
    t = a.to_frame()
    assert t["number"].tolist() == list(range(1, 10))
    k = a.n_factors
    assert (t["observed_fa"].iloc[:k] > t["sim_fa_quantile"].iloc[:k]).all()
    assert t["observed_fa"].iloc[k] <= t["sim_fa_quantile"].iloc[k]
