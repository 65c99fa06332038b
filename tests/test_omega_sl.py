"""Schmid–Leiman omega (omega_sl) against psych::omega (psych 2.2.9, GPArotation).

Fixtures: ``tests/r/omega_sl.R`` → ``tests/fixtures/r/omega_sl.json`` on Holzinger–Swineford
(complete), bfi (pairwise missing, 13 items flipped), the synthetic skewed 1–5 items
(pairwise missing; two factors, psych's "equal" option) and the same with polychoric
correlations (``poly=TRUE``). Tolerance 1e-4 on Pearson data: the minres extraction stops
about 1e-5 from psych's (see test_structure_efa.py); observed differences ≤ 7.5e-6.
With ``poly=TRUE`` psych's own polychoric tolerance (about 1e-4 in each rho) carries
through: 5e-4 (observed ≤ 1.9e-4). The brief allows 1e-3.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load as load_example
from analysis.stats.reliability import cronbach_alpha, omega_sl

FIX = Path(__file__).parent / "fixtures"
R = json.loads((FIX / "r" / "omega_sl.json").read_text())


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    skewed = load_example("ordinal_skewed")
    return {"hs": load_example("holzinger_swineford_1939")[
                [f"x{i}" for i in range(1, 10)]],
            "bfi": pd.read_csv(FIX / "data" / "bfi.csv").iloc[:, :25],
            "skewed": skewed}


@pytest.mark.parametrize("case", [k for k in R if k != "generated_with"])
def test_omega_sl_matches_psych_omega(data, case):
    ref = R[case]
    tol = 5e-4 if ref["poly"] else 1e-4
    res = omega_sl(data[case.split("_")[0]], ref["n_factors"], poly=ref["poly"])
    assert res.converged
    assert res.omega_hierarchical == pytest.approx(ref["omega_h"], abs=tol)
    assert res.omega_total == pytest.approx(ref["omega_tot"], abs=tol)
    assert res.omega_limit == pytest.approx(ref["omega_lim"], abs=tol)
    assert res.alpha == pytest.approx(ref["alpha"], abs=tol)
    assert res.g6 == pytest.approx(ref["G6"], abs=tol)
    assert res.ecv == pytest.approx(ref["ECV"], abs=tol)
    # psych marks flipped items with a trailing "-"
    assert res.reversed == [i.rstrip("-") for i in ref["items"] if i.endswith("-")]
    assert res.loadings["item"].tolist() == [i.rstrip("-") for i in ref["items"]]
    assert res.loadings.columns.tolist() == ["item", *ref["sl_columns"]]
    np.testing.assert_allclose(res.loadings[ref["sl_columns"]], ref["sl"], atol=tol, rtol=0)
    groups = res.to_frame()
    assert groups["factor"].tolist() == ref["omega_group_rows"]
    np.testing.assert_allclose(groups[["total", "general", "group"]],
                               np.array(ref["omega_group"], dtype=float), atol=tol, rtol=0)
    np.testing.assert_allclose(res.g_loadings, ref["gloading"], atol=tol * 2, rtol=0)
    np.testing.assert_allclose(res.factor_cor.iloc[:, 1:], ref["phi"], atol=tol, rtol=0)


def test_omega_sl_identities(data):
    res = omega_sl(data["hs"], 3)
    sl = res.loadings
    # With three group factors the one-factor model of Phi is exact (three correlations,
    # three loadings), so Phi = gl gl' + diag(1 - gl^2) and the SL loadings reproduce the
    # communalities diag(F Phi F'): h2 = g^2 + sum of squared group loadings.
    group = sl[[c for c in sl.columns if c.endswith("*")]]
    np.testing.assert_allclose(sl["g"] ** 2 + (group**2).sum(axis=1), sl["h2"], atol=1e-10)
    # alpha on the correlation matrix is standardised alpha
    assert res.alpha == pytest.approx(cronbach_alpha(data["hs"]).std_alpha, abs=1e-12)
    assert res.omega_hierarchical <= res.omega_total
    assert res.omega_limit == pytest.approx(res.omega_hierarchical / res.omega_total, abs=1e-12)


def test_omega_sl_rejects_bad_factor_count(data):
    with pytest.raises(ValueError, match="n_factors must be between 1 and 8"):
        omega_sl(data["hs"], 9)
