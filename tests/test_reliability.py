"""Reliability against R (psych::alpha, psych::ICC, semTools::compRelSEM) and hand values.

Fixtures: ``tests/r/reliability.R`` → ``tests/fixtures/r/reliability.json``. Tolerances:
deterministic statistics use the same closed-form formulas as psych in double precision,
so they must agree to 1e-9 (far inside the issue's ±1e-4 for alpha and ±0.002 for ICC);
R's JSON keeps 15 significant digits. Model-based omega depends on the CFA optimiser and
uses ±1e-4. Bootstrap limits are random and use a Monte Carlo tolerance (see the test).
"""
from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.datasets import load as load_example
from analysis.stats.reliability import (
    _bootstrap_alpha,
    cronbach_alpha,
    icc,
    omega,
    sdc,
    sem_from_icc,
)

FIX = Path(__file__).parent / "fixtures"
R = json.loads((FIX / "r" / "reliability.json").read_text())
EXACT = 1e-9


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    """psych's bfi with the reverse-keyed items recoded 7 - x (as psych's keys do)."""
    data = pd.read_csv(FIX / "data" / "bfi.csv")
    for item in R["reversed_bfi_items"]:
        data[item] = 7 - data[item]
    return data


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return load_example("holzinger_swineford_1939")


def _check_alpha(result, ref):
    assert result.n == ref["n_rows"]
    assert result.alpha == pytest.approx(ref["raw_alpha"], abs=EXACT)
    assert result.std_alpha == pytest.approx(ref["std_alpha"], abs=EXACT)
    assert result.ci_low == pytest.approx(ref["feldt_low"], abs=EXACT)
    assert result.ci_high == pytest.approx(ref["feldt_high"], abs=EXACT)
    table = result.items
    assert table.index.equals(pd.RangeIndex(len(table)))
    assert table["item"].tolist() == [i.rstrip("-") for i in ref["items"]]
    np.testing.assert_array_equal(table["n"], ref["item_n"])
    np.testing.assert_allclose(table["item_rest_r"], ref["r_drop"], atol=EXACT, rtol=0)
    np.testing.assert_allclose(table["alpha_if_dropped"], ref["alpha_if_dropped"],
                               atol=EXACT, rtol=0)
    np.testing.assert_allclose(table["std_alpha_if_dropped"], ref["std_alpha_if_dropped"],
                               atol=EXACT, rtol=0)


@pytest.mark.parametrize("scale", ["A", "C", "N"])
@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_alpha_matches_psych_on_bfi(bfi, scale, missing):
    ref = R["alpha"][f"{scale}_{missing}"]
    _check_alpha(cronbach_alpha(bfi[ref["items"]], missing=missing), ref)


def test_alpha_with_psych_keys_equals_reversing_first(bfi):
    ref = R["alpha"]["A_keys_pairwise"]
    _check_alpha(cronbach_alpha(bfi[[f"A{i}" for i in range(1, 6)]]), ref)


def test_alpha_matches_psych_on_holzinger_swineford(hs):
    ref = R["alpha"]["hs_x1_x9"]
    _check_alpha(cronbach_alpha(hs[ref["items"]]), ref)


def test_alpha_pingouin_reference_value():
    # Published in pingouin's documentation: alpha 0.5917, Feldt 95 % CI [0.195, 0.840].
    pg = pytest.importorskip("pingouin")
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    with pytest.warns(UserWarning, match=r"\['Q5', 'Q6'\] correlate negatively"):
        result = cronbach_alpha(wide)
    assert result.alpha == pytest.approx(0.5917, abs=5e-5)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.195, 0.840)


def test_alpha_hand_computation():
    # k = 3; item variances 2.5, 2.3, 1.5; sums 4, 7, 9, 13, 14 have variance 17.3 (hand):
    # alpha = 3/2 * (1 - 6.3/17.3) = 0.953757...
    x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    assert cronbach_alpha(x).alpha == pytest.approx(1.5 * (1 - 6.3 / 17.3), abs=1e-12)


def test_bootstrap_agrees_with_psych_within_monte_carlo_error(bfi):
    # Different random streams: each limit is a 2.5 %/97.5 % quantile of 2000 draws. The
    # bootstrap SD of alpha here is about 0.006, so the quantile's Monte Carlo SD is about
    # sqrt(.025 * .975 / 2000) / phi(1.96) * 0.006 = 0.0006; 0.003 is five such SDs.
    ref = R["alpha"]["N_boot"]
    result = cronbach_alpha(bfi[[f"N{i}" for i in range(1, 6)]], ci_method="bootstrap",
                            n_boot=ref["n_iter"], seed=11)
    assert result.ci_low == pytest.approx(ref["ci_low"], abs=0.003)
    assert result.ci_high == pytest.approx(ref["ci_high"], abs=0.003)
    assert result.ci_method == "bootstrap"


@pytest.mark.parametrize("with_missing", [False, True])
def test_vectorised_bootstrap_equals_loop_over_resamples(with_missing):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 4)) + rng.normal(size=(40, 1))
    if with_missing:
        x[rng.random(x.shape) < 0.1] = np.nan
    n_boot = 25
    fast = _bootstrap_alpha(x, n_boot, np.random.default_rng(3), chunk=n_boot)
    chunked = _bootstrap_alpha(x, n_boot, np.random.default_rng(3), chunk=7)
    idx = np.random.default_rng(3).integers(0, len(x), size=(n_boot, len(x)))
    loop = []
    for rows in idx:
        c = pd.DataFrame(x[rows]).cov().to_numpy()  # R's cov(use="pairwise")
        loop.append(4 / 3 * (1 - np.trace(c) / c.sum()))
    np.testing.assert_allclose(fast, loop, rtol=0, atol=1e-12)
    np.testing.assert_allclose(chunked, loop, rtol=0, atol=1e-12)


def test_bootstrap_is_seeded(bfi):
    items = bfi[[f"C{i}" for i in range(1, 6)]]
    a = cronbach_alpha(items, ci_method="bootstrap", n_boot=200, seed=42)
    b = cronbach_alpha(items, ci_method="bootstrap", n_boot=200, seed=42)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.ci_low < a.alpha < a.ci_high


@settings(max_examples=25, deadline=None)
@given(arrays(np.int8, st.tuples(st.integers(5, 30), st.integers(2, 6)),
              elements=st.integers(0, 10)))
def test_alpha_equals_icc3k_on_complete_data(values):
    # Identity: Cronbach's alpha equals the consistency ICC(3,k) (McGraw & Wong 1996).
    x = pd.DataFrame(values.astype(float))
    if (x.var() == 0).any() or x.sum(axis=1).var() == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # random items may correlate negatively
        alpha = cronbach_alpha(x).alpha
    assert alpha == pytest.approx(icc(x).value("ICC3k")["icc"], abs=1e-9)


def test_alpha_errors_name_row_column_and_value():
    x = pd.DataFrame({"a": [1, "x", 3], "b": [2, 3, "?"]}, index=[10, 11, 12])
    with pytest.raises(ValueError) as err:
        cronbach_alpha(x)
    text = str(err.value)
    assert "row 11, column 'a': value 'x'" in text and "row 12, column 'b': value '?'" in text


def test_alpha_rejects_constant_item_and_bad_options():
    x = pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 2], "c": [1, 3, 2]})
    with pytest.raises(ValueError, match=r"\['b'\] have no variance"):
        cronbach_alpha(x)
    with pytest.raises(ValueError, match="missing must be"):
        cronbach_alpha(x, missing="drop")
    with pytest.raises(ValueError, match="ci_method must be"):
        cronbach_alpha(x, ci_method="duhachek")


@pytest.mark.parametrize("case", ["shrout_fleiss", "retest"])
def test_icc_anova_matches_psych(case):
    ref = R["icc"][case]
    data = pd.DataFrame(ref["data"]).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = icc(data, method="anova").to_frame()
    assert out["type"].tolist() == ref["type"]
    for col in ["icc", "F", "df1", "df2", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(out[col], np.asarray(ref[col], dtype=float),
                                   atol=EXACT, rtol=1e-9, err_msg=col)


def test_icc_shrout_fleiss_published_values():
    ref = R["icc"]["shrout_fleiss"]["data"]
    out = icc(pd.DataFrame(ref))
    assert out.method == "anova"  # complete data: ANOVA by default
    assert out.table["icc"].round(2).tolist() == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]


def test_icc_listwise_drops_are_reported():
    ref = R["icc"]["retest"]
    data = pd.DataFrame(ref["data"]).astype(float)
    with pytest.warns(UserWarning, match=r"4 of 80 subjects .* rows \[4, 16, 41, 62\]"):
        out = icc(data, method="anova")
    assert (out.n, out.k, out.n_dropped) == (ref["n_complete"], 2, 4)
    # psych's default lmer=TRUE (REML variance components) agrees on complete data; lme4
    # stops its optimiser about 1e-6 from the optimum
    complete = icc(data.dropna(), method="reml")
    np.testing.assert_allclose(complete.table["icc"], R["icc"]["retest_lmer_icc"], atol=1e-5)
    np.testing.assert_allclose(complete.table["icc"], out.table["icc"], atol=1e-7)


ICC_REML = json.loads((FIX / "r" / "icc_reml.json").read_text())


@pytest.mark.parametrize("case", ["dropout", "three_raters"])
def test_icc_reml_matches_psych_lmer_with_missing_occasions(case):
    # psych::ICC's default (lmer = TRUE) on every subject. Ours ends with the REML
    # deviance's gradient in log(variance ratio) within REML_GTOL = 1e-8, i.e. within about
    # 1e-8 (relative) of the optimum on any BLAS kernel (test_optimiser_convergence), so
    # every tolerance below is set by the reference's precision:
    # - lme4's default optimiser stops up to 1.05e-4 (relative) from the optimum in the
    #   components (the rater variance of "dropout"), which moves the ICCs and limits by up
    #   to 3e-6: held to 1e-5 (brief: 1e-4); the F-like statistics by up to 1e-5 relative:
    #   1e-4; p (about 1e-53) moves 95 times F's relative change, 1e-3: 1e-2; df are exact;
    #   the percentages (R's default components) move by up to 2e-6: 1e-5.
    # - variance_tight is lme4 run to bobyqa's rhoend 1e-12, compared at 1e-6 relative. That
    #   is the reference's own precision: bobyqa sees only the deviance (4359.7, one unit in
    #   the last place 9e-13), and a relative change of 1e-6 in the rater variance moves
    #   the deviance by 4e-13 (curvature 0.89 in log ratio). Observed: 6.3e-7 for that
    #   component, ≤ 8e-8 for the others.
    ref = ICC_REML[case]
    data = pd.read_csv(FIX / "data" / ref["file"])
    assert data.isna().any(axis=1).mean() > 0.2  # an unbalanced design
    res = icc(data)
    assert res.method == "reml" and res.n == ref["n_rows"] and res.n_dropped == 0
    out = res.to_frame()
    assert out["type"].tolist() == ref["type"]
    for col in ["icc", "ci_low", "ci_high"]:
        np.testing.assert_allclose(out[col], ref[col], atol=1e-5, rtol=0, err_msg=col)
    np.testing.assert_allclose(out["F"], ref["F"], rtol=1e-4)
    np.testing.assert_allclose(out["p"], ref["p"], rtol=1e-2)
    np.testing.assert_array_equal(out[["df1", "df2"]], np.column_stack([ref["df1"], ref["df2"]]))
    np.testing.assert_allclose(res.variance["variance"].iloc[:3], ref["variance_tight"], rtol=1e-6)
    np.testing.assert_allclose(res.variance["percent"], ref["percent"], atol=1e-5)


def test_icc_reml_uses_subjects_with_a_missing_occasion():
    # Complete-case ANOVA throws away the 60 dropouts; REML keeps their first occasion.
    data = pd.read_csv(FIX / "data" / "icc_dropout.csv")
    with pytest.warns(UserWarning, match="60 of 240 subjects with a missing value"):
        anova = icc(data, method="anova")
    assert anova.n == 180 and icc(data).n == 240
    # Hand check of psych's F-like statistics from the components: MSB = k s2_id + s2_e,
    # MSE = s2_e, so F(ICC2) = MSB / MSE.
    res = icc(data, method="reml")
    s2_id, s2_rater, s2_e = res.variance["variance"].iloc[:3]
    assert res.value("ICC3")["F"] == pytest.approx((2 * s2_id + s2_e) / s2_e, rel=1e-12)
    assert res.value("ICC1")["F"] == pytest.approx((2 * s2_id + s2_e) / (s2_e + s2_rater),
                                                   rel=1e-12)
    assert res.value("ICC3")["icc"] == pytest.approx(s2_id / (s2_id + s2_e), rel=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_icc_reml_converges_and_equals_anova_on_balanced_data(seed):
    # On complete data with positive components, REML variance components equal the
    # two-way ANOVA ones (hand formulas): s2_subject = (MSB - MSE)/k, s2_rater =
    # (MSJ - MSE)/n, s2_e = MSE. Nelder-Mead alone stopped short on a quarter of such sets
    # (40 subjects x 5 raters) and the ICC raised "did not converge".
    rng = np.random.default_rng(seed)
    x = 10 + rng.normal(0, 1.5, (40, 1)) + rng.normal(0, 1, (40, 5)) + rng.normal(0, .4, 5)
    n, k = x.shape
    grand = x.mean()
    msb = k * ((x.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msj = n * ((x.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    resid = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0) + grand
    mse = (resid ** 2).sum() / ((n - 1) * (k - 1))
    expected = [(msb - mse) / k, (msj - mse) / n, mse]
    res = icc(pd.DataFrame(x), method="reml")
    if expected[1] > 0:
        np.testing.assert_allclose(res.variance["variance"].iloc[:3], expected, rtol=1e-5)
        np.testing.assert_allclose(res.table["icc"], icc(pd.DataFrame(x), method="anova").table["icc"], atol=1e-6)
    m = x.copy()
    m[rng.integers(0, n, 25), rng.integers(0, k, 25)] = np.nan
    assert icc(pd.DataFrame(m)).method == "reml"          # unbalanced: converges, no error


def test_icc_reml_leaves_out_empty_rows_and_rejects_bad_method():
    data = pd.read_csv(FIX / "data" / "icc_dropout.csv")
    padded = pd.concat([data, pd.DataFrame({"t1": [np.nan], "t2": [np.nan]})],
                       ignore_index=True)
    with pytest.warns(UserWarning, match=r"1 of 241 subjects with no value .* \[240\]"):
        res = icc(padded)
    pd.testing.assert_frame_equal(res.table, icc(data).table)
    with pytest.raises(ValueError, match="method must be 'anova' or 'reml'"):
        icc(data, method="lmer")


def test_sem_and_sdc_hand_values():
    # de Vet et al.: SEM = SD*sqrt(1-ICC); SDC = 1.96*sqrt(2)*SEM; group SDC / sqrt(n).
    assert sem_from_icc(2.0, 0.84) == pytest.approx(0.8, abs=1e-12)
    assert sdc(0.8) == pytest.approx(2.21749, abs=1e-5)  # 1.96 * 1.414214 * 0.8
    assert sdc(0.8, n=16) == pytest.approx(2.21749 / 4, abs=1e-5)
    with pytest.raises(ValueError):
        sem_from_icc(2.0, 1.2)


OMEGA_TOL = 1e-4  # CFA optimum vs lavaan's; observed differences are below 4e-7


def test_omega_one_factor_matches_comprelsem(bfi):
    ref = R["omega"]["N_one_factor"]
    with pytest.warns(UserWarning, match="106 of 2800 rows"):
        result = omega(bfi[ref["items"]])
    assert result.n == ref["nobs"] and result.n_dropped == 2800 - ref["nobs"]
    assert result.omega_total == pytest.approx(ref["omega"], abs=OMEGA_TOL)
    assert np.isnan(result.omega_hierarchical)
    assert result.model == "f =~ N1 + N2 + N3 + N4 + N5"
    # compRelSEM's default divides by the observed, not model-implied, total variance
    assert abs(ref["omega"] - ref["omega_implied"]) > OMEGA_TOL


def test_omega_three_factor_holzinger_swineford(hs):
    ref = R["omega"]["hs_three_factor"]
    result = omega(hs[[f"x{i}" for i in range(1, 10)]], ref["model"])
    assert result.omega_total == pytest.approx(ref["total"], abs=OMEGA_TOL)
    assert result.per_factor["factor"].tolist() == list(ref["per_factor"])
    np.testing.assert_allclose(result.per_factor["omega"], list(ref["per_factor"].values()),
                               atol=OMEGA_TOL, rtol=0)
    one = omega(hs[[f"x{i}" for i in range(1, 10)]])
    assert one.omega_total == pytest.approx(R["omega"]["hs_one_factor"]["omega"], abs=OMEGA_TOL)


def test_omega_hierarchical_bifactor(bfi):
    ref = R["omega"]["bfi_bifactor"]
    with pytest.warns(UserWarning, match="left out"):
        result = omega(bfi[ref["items"]], ref["model"])
    assert result.n == ref["nobs"]
    assert result.omega_hierarchical == pytest.approx(ref["omega_hierarchical"], abs=OMEGA_TOL)
    assert result.omega_total == pytest.approx(ref["omega_total"], abs=OMEGA_TOL)
    assert result.per_factor["factor"].tolist() == ["g", "agree", "extra"]


def test_omega_hand_computation_for_congeneric_population():
    # Population covariance of a one-factor model with loadings l and residuals th:
    # omega = (sum l)^2 / ((sum l)^2 + sum th) exactly (McDonald 1999).
    rng = np.random.default_rng(4)
    lam, theta = np.array([0.9, 0.7, 0.6, 0.5]), np.array([0.4, 0.5, 0.6, 0.7])
    sigma = np.outer(lam, lam) + np.diag(theta)
    z = rng.standard_normal((2000, 4))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True)).T)
    x = pd.DataFrame(z @ np.linalg.cholesky(sigma).T, columns=["a", "b", "c", "d"])
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    assert omega(x).omega_total == pytest.approx(expected, abs=1e-5)


def test_alpha_warns_about_unreversed_item(bfi):
    items = bfi[[f"A{i}" for i in range(1, 6)]].copy()
    items["A1"] = 7 - items["A1"]  # undo the reverse keying
    with pytest.warns(UserWarning, match=r"\['A1'\] correlate negatively"):
        result = cronbach_alpha(items)
    assert result.items.set_index("item").loc["A1", "item_rest_r"] < 0


def test_omega_uses_only_model_indicators_and_names_missing_ones(hs):
    ref = R["omega"]["hs_three_factor"]
    with_extra = hs[["school"] + [f"x{i}" for i in range(1, 10)]]  # text column not in model
    result = omega(with_extra, ref["model"])
    assert result.omega_total == pytest.approx(ref["total"], abs=OMEGA_TOL)
    with pytest.raises(ValueError, match=r"indicators \['x9'\] are not columns"):
        omega(hs[[f"x{i}" for i in range(1, 9)]], ref["model"])


# ---- every column of psych's print(alpha(x)) (tests/r/alpha_print.R) ------------------------
ALPHA_PRINT = json.loads((FIX / "r" / "alpha_print.json").read_text())
#: psych's names -> AlphaResult's scalars and item-table columns.
PSYCH_TOTAL = {"raw_alpha": "alpha", "std.alpha": "std_alpha", "G6(smc)": "g6_smc",
               "average_r": "average_r", "S/N": "signal_noise", "ase": "ase", "mean": "mean",
               "sd": "sd", "median_r": "median_r"}
PSYCH_DROP = {"raw_alpha": ("items", "alpha_if_dropped"),
              "std.alpha": ("items", "std_alpha_if_dropped"), "G6(smc)": ("alpha_drop", "g6_smc"),
              "average_r": ("alpha_drop", "average_r"), "S/N": ("alpha_drop", "signal_noise"),
              "alpha se": ("alpha_drop", "alpha_se"), "var.r": ("alpha_drop", "var_r"),
              "med.r": ("alpha_drop", "med_r")}
PSYCH_STATS = {"n": ("items", "n"), "raw.r": ("item_stats", "raw_r"),
               "std.r": ("item_stats", "std_r"), "r": ("item_stats", "std_r"),
               "r.cor": ("item_stats", "r_cor"), "r.drop": ("items", "item_rest_r"),
               "mean": ("item_stats", "mean"), "sd": ("item_stats", "sd")}


@functools.cache
def _alpha_print_data(source: str) -> pd.DataFrame:
    if source == "bfi":                  # reverse-keyed as in tests/r/alpha_print.R
        data = pd.read_csv(FIX / "data" / "bfi.csv")
        for item in R["reversed_bfi_items"]:
            data[item] = 7 - data[item]
        return data
    return load_example(source)


def alpha_print_case(name: str):
    """The result of an alpha_print.json case: cronbach_alpha, or ordinal_alpha of psych's
    alpha(polychoric(x)$rho)."""
    from analysis.stats.reliability import ordinal_alpha
    case = ALPHA_PRINT["cases"][name]
    source = {"A": "bfi", "C": "bfi", "h": "holzinger_swineford_1939", "o": "ordinal_skewed"}
    x = _alpha_print_data(source[name[0]])[case["items"]]
    if case["polychoric"]:
        return ordinal_alpha(x)
    return cronbach_alpha(x, missing="listwise" if case["listwise"] else "pairwise")


@pytest.mark.parametrize("name", list(ALPHA_PRINT["cases"]))
def test_alpha_matches_every_number_psych_prints(name):
    """G6(smc), S/N, ase, the total's mean/sd/median_r, raw.r/std.r/r.cor/mean/sd and the
    drop table's G6/S/N/alpha se/var.r/med.r are psych 2.2.9's (pairwise covariances, the
    score the mean of the answered items, Duhachek's ase sqrt(Q/n) with n the rows given).
    Raw data: psych's closed forms, max |diff| 3.4e-14. Polychoric matrix: limited by the
    polychoric correlations (1e-5 from psych's), S/N = k r/(1 - r) magnifies it to 1.3e-4."""
    assert ALPHA_PRINT["psych_version"] == "2.2.9"
    case = ALPHA_PRINT["cases"][name]
    res = alpha_print_case(name)
    tol = 2e-5 if case["polychoric"] else EXACT
    for key, want in case["total"].items():
        assert getattr(res, PSYCH_TOTAL[key]) == pytest.approx(
            want, abs=tol * (10 if key == "S/N" else 1)), key
    for table in (res.items, res.item_stats, res.alpha_drop):
        assert table["item"].tolist() == case["item_stats"]["row"] == case["alpha_drop"]["row"]
    for block, names in (("alpha_drop", PSYCH_DROP), ("item_stats", PSYCH_STATS)):
        for key, want in case[block].items():
            if key != "row":
                ref = np.array([np.nan if v is None else v for v in want], dtype=float)
                table, column = names[key]
                np.testing.assert_allclose(getattr(res, table)[column].to_numpy(dtype=float), ref,
                                           rtol=0, atol=tol * (10 if key == "S/N" else 1),
                                           err_msg=f"{block} {key}")
    freq = case["response_freq"]
    if freq is None:                      # psych: more than 10 categories, no table
        assert res.response_freq.empty
    else:
        assert res.response_freq["item"].tolist() == case["items"]
        assert list(res.response_freq.columns[1:]) == freq["values"]
        np.testing.assert_allclose(res.response_freq.iloc[:, 1:].to_numpy(dtype=float),
                                   np.array(freq["freq"]), rtol=0, atol=EXACT)


def test_alpha_keeps_its_columns_and_adds_psychs_after_them(bfi):
    """Reports publish ``items`` as it is: psych's other columns are tables of their own."""
    res = cronbach_alpha(bfi[[f"A{i}" for i in range(1, 6)]])
    assert list(res.items.columns) == ["item", "n", "item_rest_r", "alpha_if_dropped",
                                       "std_alpha_if_dropped"]
    assert list(res.item_stats.columns) == ["item", "raw_r", "std_r", "r_cor", "mean", "sd"]
    assert list(res.alpha_drop.columns) == ["item", "g6_smc", "average_r", "signal_noise",
                                            "alpha_se", "var_r", "med_r"]
    assert list(res.to_frame().columns) == [
        "alpha", "std_alpha", "ci_low", "ci_high", "ci_level", "ci_method", "missing", "n",
        "n_items", "g6_smc", "average_r", "signal_noise", "ase", "mean", "sd", "median_r"]
