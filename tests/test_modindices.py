"""Modification indices (analysis.stats.sem.modification_indices) against lavaan 0.6.14.

References: tests/fixtures/r/modindices.json made by tests/r/modindices.R —
``modindices(fit)`` with lavaan's defaults on misfitting models: HS one-factor and the
three-factor model without its cross-loadings (ML and MLR, which share the MIs), the
scalar model by school (equality constraints), the 10-domain one-factor model, a FIML
model (expected FIML information), a model with a fixed.x covariate and the
PoliticalDemocracy SEM (regression candidates). Also the published HS value: the largest
MI of the three-factor model is visual =~ x9, 36.41 (lavaan tutorial).

Tolerances: MI ±0.002 (a quadratic form of the gradient, observed agreement ≤ 4e-4 on MIs
up to ~200, i.e. ~1e-6 relative), EPC and standardized EPCs ±0.001 (observed ≤ 1e-4).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load as load_example
from analysis.stats.sem import cfa, modification_indices

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/modindices.json").read_text())
DATA = {"hs": load_example("holzinger_swineford_1939"),
        "dom": pd.read_csv(HERE / "fixtures/data/domains10.csv"),
        "sv": pd.read_csv(HERE / "fixtures/data/survey_missing.csv"),
        "pd": load_example("political_democracy")}
COLS = ["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all", "sepc_nox"]


def _fit(name):
    a = FIX["cases"][name]["args"]
    ge = [g for g in ([a["group_equal"]] if isinstance(a["group_equal"], str)
                      else a["group_equal"]) if g]
    return cfa(DATA[a["data"]], a["model"], estimator=a["estimator"], missing=a["missing"],
               group=a["group"], group_equal=ge)


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_modification_indices_match_lavaan(name):
    res = _fit(name)
    assert res.fit["chisq"] == pytest.approx(FIX["cases"][name]["chisq"], abs=0.02)
    mi = modification_indices(res)
    ref = pd.DataFrame(FIX["cases"][name]["mi"])
    assert list(mi.columns) == COLS
    assert list(zip(mi.lhs, mi.op, mi.rhs, mi.group)) == \
        list(zip(ref.lhs, ref.op, ref.rhs, ref.group))           # lavaan's rows and order
    np.testing.assert_allclose(mi.mi, ref.mi, atol=2e-3)
    for mine, theirs in (("epc", "epc"), ("sepc_lv", "sepc.lv"), ("sepc_all", "sepc.all"),
                         ("sepc_nox", "sepc.nox")):
        np.testing.assert_allclose(mi[mine], ref[theirs], atol=1e-3, err_msg=mine)


def test_sort_and_minimum_value_and_published_top_index():
    res = _fit("hs_three")
    top = modification_indices(res, sort=True, minimum_value=10)
    assert (np.diff(top.mi) <= 0).all() and (top.mi > 10).all()
    assert tuple(top.loc[0, ["lhs", "op", "rhs"]]) == ("visual", "=~", "x9")
    assert top.loc[0, "mi"] == pytest.approx(36.411, abs=0.001)      # lavaan tutorial
    assert len(top) == (modification_indices(res).mi > 10).sum()


def test_epc_is_the_one_step_change_of_the_released_parameter():
    """Saris, Satorra & Sörbom (1987): MI approximates the χ² drop and EPC the estimate when
    the parameter is freed. For visual =~ x9 refitting gives a drop of 32.92 (MI 36.41)
    and a loading of 0.437 (EPC 0.577): first-order approximations, hence the bounds."""
    res = _fit("hs_three")
    top = modification_indices(res, sort=True).iloc[0]
    freed = cfa(DATA["hs"], FIX["cases"]["hs_three"]["args"]["model"] + "\nvisual =~ x9")
    e = freed.estimates.set_index(["lhs", "op", "rhs"])
    assert e.loc[("visual", "=~", "x9"), "est"] == pytest.approx(top.epc, rel=0.3)
    assert res.fit["chisq"] - freed.fit["chisq"] == pytest.approx(top.mi, rel=0.15)


def test_lavaans_name_modindices_is_the_same_function():
    from analysis.stats import sem

    assert sem.modindices is sem.modification_indices and "modindices" in sem.__all__
