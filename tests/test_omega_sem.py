"""Model-based omega against semTools 0.5.6 ``compRelSEM``: categorical omega of WLSMV fits
(Green & Yang 2009, ``ord.scale=TRUE``), per-factor omega of correlated-factor models and
the omega of higher-order factors (``higher=``).

Reference: tests/fixtures/r/omega_sem.json made by tests/r/omega_sem.R (lavaan 0.6.14) from
the skewed synthetic items, psych's bfi (reverse-keyed items reversed as psych's keys) and
HolzingerSwineford1939. semTools 0.5.6 fails for the total and higher-order omegas of
ordered items (it passes a sum where omegaCat needs a matrix); those references are
semTools' own ``omegaCat`` applied to the common covariance matrix (``omegacat_matrix``).

Tolerance ±1e-3 (issue 11). Observed differences are ≤ 2e-6 (lavaan's optimiser
tolerance). The bound still separates the alternatives: the fitted instead of the observed
polychoric matrix in the denominator moves the ten-item skewed omega by 0.012, the omega of
the latent responses (sum(L Phi L') / sum(R)) differs from the categorical one by 0.03–0.04.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load as load_example
from analysis.stats.reliability import omega

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/omega_sem.json").read_text())
TOL = 1e-3


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    bfi = pd.read_csv(HERE / "fixtures/data/bfi.csv")
    bfi_r = bfi.copy()
    bfi_r[FIX["reversed"]] = 7 - bfi_r[FIX["reversed"]]
    return {"skewed": load_example("ordinal_skewed"), "bfi": bfi,
            "bfi_r": bfi_r,
            "hs": load_example("holzinger_swineford_1939")}


def test_fixture_versions():
    assert (FIX["lavaan_version"], FIX["semtools_version"]) == ("0.6.14", "0.5.6")


@pytest.mark.filterwarnings("ignore:omega.*rows have a missing item")
@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_omega_matches_comprelsem(data, name):
    case = FIX["cases"][name]
    higher = [case["higher"]] if isinstance(case["higher"], str) else case["higher"]
    res = omega(data[case["data"]], case["model"], ordered=True if case["ordered"] else None,
                higher=higher, std_lv=case["std_lv"], orthogonal=case["orthogonal"])
    assert res.n == case["nobs"] and res.estimator == ("WLSMV" if case["ordered"] else "ML")
    want = dict(case["compRelSEM"])
    want.update(case.get("higher_omegacat_matrix", {}))
    got = dict(zip(res.per_factor.factor, res.per_factor.omega))
    assert list(got) == list(want)
    np.testing.assert_allclose(list(got.values()), list(want.values()), atol=TOL, rtol=0)
    if "total" in case:
        assert res.omega_total == pytest.approx(case["total"], abs=TOL)


def test_categorical_omega_is_not_the_continuous_omega(data):
    """The categorical omega refers to the observed sum score of ordered items; treating
    the 1–5 answers as continuous (ML) gives another number."""
    x = data["skewed"].dropna()
    cat = omega(x, ordered=True)
    assert cat.omega_total == pytest.approx(FIX["cases"]["skewed_one_wlsmv"]["total"], abs=TOL)
    assert abs(cat.omega_total - omega(x).omega_total) > 0.01


@pytest.mark.filterwarnings("ignore:omega.*rows have a missing item")
def test_bifactor_categorical_omega_hierarchical(data):
    case = FIX["cases"]["skewed_bifactor_wlsmv"]
    res = omega(data["skewed"], case["model"], ordered=True, std_lv=True, orthogonal=True)
    assert res.omega_hierarchical == pytest.approx(case["compRelSEM"]["g"], abs=TOL)


def test_higher_must_name_a_higher_order_factor(data):
    m = FIX["cases"]["hs_higher_ml"]["model"]
    with pytest.raises(ValueError, match=r"higher=\['visual'\]"):
        omega(data["hs"], m, higher=["visual"])

