"""analysis.stats.change.mic against R (glm, pROC) on the seeded data of tests/r/change_mic.R.

Fixture: ``Rscript tests/r/change_mic.R`` → ``tests/fixtures/r/change_mic.json`` (data and
reference values). Tolerances:

* logistic coefficients, pretest log-odds, correlation, SD and the three MICs: relative 1e-10.
  R's glm was run to epsilon 1e-13 and our Newton–Raphson to steps < 1e-13, so both sit at the
  ML optimum to ~1e-14 (observed differences ≤ 4e-15); R writes 15 significant digits.
* standard errors of C and B: relative 1e-8. glm's vcov uses the IRLS weights of its last
  iteration, computed at the previous iterate (observed difference 2–4e-10).
* ROC cut-points, sensitivity, specificity, AUC and its DeLong limits: absolute 1e-12 (the same
  arithmetic on the same numbers; observed ≤ 5e-16).
* per-resample bootstrap estimates on R's resample rows: absolute 1e-9.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from analysis.stats import change as ch
from analysis.stats.effsize import auc

FIXTURE = Path(__file__).parent / "fixtures" / "r" / "change_mic.json"
CASES = {"all": {}, "stable": {"not_improved": ["same"]}}


@pytest.fixture(scope="module")
def ref():
    return json.loads(FIXTURE.read_text())


@pytest.fixture(scope="module")
def data(ref):
    change = [np.nan if v is None else v for v in ref["data"]["change"]]
    return pd.DataFrame({"change": change, "anchor": ref["data"]["anchor"]})


@pytest.fixture(scope="module")
def fits(ref, data):
    return {k: ch.mic(data, "change", "anchor", ref["improved"], seed=7, **kw) for k, kw in CASES.items()}


@pytest.mark.parametrize("case", CASES)
def test_predictive_and_adjusted_mic_against_glm(ref, fits, case):
    r, res = ref[case], fits[case]
    assert (res.n, res.n_improved, res.n_not_improved) == (r["n"], r["n_improved"], r["n_not_improved"])
    assert res.n_missing == 3 and res.n_missing + res.n_excluded == r["n_dropped"]
    for ours, theirs in [(res.slope, "B"), (res.intercept, "C"), (res.log_odds_pretest, "log_odds_pretest"),
                         (res.cor, "cor"), (res.sd_change, "sd_change"), (res.mic_pred, "mic_pred"),
                         (res.mic_adj, "mic_adj")]:
        assert ours == pytest.approx(r[theirs], rel=1e-10, abs=1e-13), theirs
    assert res.se_slope == pytest.approx(r["se_B"], rel=1e-8)
    assert res.se_intercept == pytest.approx(r["se_C"], rel=1e-8)


@pytest.mark.parametrize("case", CASES)
def test_roc_mic_and_auc_against_proc(ref, fits, case):
    r, res = ref[case], fits[case]
    assert res.mic_roc == pytest.approx(r["mic_roc"], abs=1e-12)                  # pROC's midpoint
    assert res.mic_roc_observed == pytest.approx(r["mic_roc_observed"], abs=1e-12)  # hand Youden in R
    assert res.n_youden_ties == r["n_youden_ties"] == 1
    assert (res.sensitivity, res.specificity) == pytest.approx((r["sensitivity"], r["specificity"]), abs=1e-12)
    assert (res.auc, res.auc_ci_low, res.auc_ci_high) == pytest.approx(
        (r["auc"], r["auc_ci_low"], r["auc_ci_high"]), abs=1e-12)
    table = res.to_frame().set_index("method")
    assert list(table.index) == ["roc", "predictive", "adjusted"]
    assert table["mic"].tolist() == [res.mic_roc, res.mic_pred, res.mic_adj]
    assert table["share_at_least"].tolist() == pytest.approx([r["share_roc"], r["share_pred"], r["share_adj"]],
                                                             abs=1e-12)


def test_roc_cut_point_convention(ref, data, fits):
    """change ≥ mic_roc (pROC's midpoint) and change ≥ mic_roc_observed classify alike."""
    res = fits["all"]
    x = data["change"].dropna()
    assert ((x >= res.mic_roc) == (x >= res.mic_roc_observed)).all()
    below = x[x < res.mic_roc_observed].max()
    assert res.mic_roc == pytest.approx((below + res.mic_roc_observed) / 2, abs=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_bootstrap_statistic_on_r_resamples(ref, data, case):
    r = ref[case]
    rows = np.asarray(r["analysed_rows"]) - 1
    x = data["change"].to_numpy()[rows]
    y = data["anchor"].iloc[rows].isin(ref["improved"]).to_numpy(int)
    for b in r["boot"]:
        i = np.asarray(b["rows"]) - 1
        assert ch._mic_estimates(x[i], y[i]) == pytest.approx((b["mic_roc"], b["mic_pred"], b["mic_adj"]), abs=1e-9)


def test_bootstrap_percentile_interval_is_the_stated_procedure(ref, data):
    res = ch.mic(data, "change", "anchor", ref["improved"], n_boot=200, seed=11, ci=0.9)
    ok = data.dropna()
    x, y = ok["change"].to_numpy(), ok["anchor"].isin(ref["improved"]).to_numpy(int)
    rng = np.random.default_rng(11)
    draws = np.array([ch._mic_estimates(x[i], y[i]) for i in (rng.integers(0, len(x), len(x)) for _ in range(200))])
    assert res.n_boot_used == 200
    expected = np.quantile(draws, [0.05, 0.95], axis=0)       # numpy "linear" = R's type 7
    table = res.to_frame()
    np.testing.assert_allclose(table[["ci_low", "ci_high"]].to_numpy(), expected.T, rtol=0, atol=1e-12)
    assert ((table["ci_low"] <= table["mic"]) & (table["mic"] <= table["ci_high"])).all()
    again = ch.mic(data, "change", "anchor", ref["improved"], n_boot=200, seed=11, ci=0.9)
    pd.testing.assert_frame_equal(again.to_frame(), table)
    other = ch.mic(data, "change", "anchor", ref["improved"], n_boot=200, seed=12, ci=0.9)
    assert not other.to_frame()["ci_low"].equals(table["ci_low"])


def test_auc_agrees_with_sklearn_and_delong(data, fits):
    ok = data.dropna()
    y = ok["anchor"].isin(["better", "much better"])
    assert fits["all"].auc == roc_auc_score(y, ok["change"])
    assert fits["all"].auc == pytest.approx(auc(ok.loc[y, "change"], ok.loc[~y, "change"]).estimate, abs=1e-15)


def test_youden_ties_take_the_smallest_cut_point():
    # cut-points 1 (sens 5/6, spec 3/6) and 2 (sens 4/6, spec 4/6) ... tie at the best J
    d = pd.DataFrame({"change": [-1, 0, 0, 1, 1, 2, 1, 1, 2, 3, 3, 4],
                      "anchor": [0] * 6 + [1] * 6})
    res = ch.mic(d, "change", "anchor", improved=[1], n_boot=0)
    x, y = d["change"].to_numpy(), d["anchor"].to_numpy()
    j = {c: np.mean(x[y == 1] >= c) + np.mean(x[y == 0] < c) - 1 for c in np.unique(x)}
    best = [c for c, v in j.items() if np.isclose(v, max(j.values()))]
    assert len(best) > 1 and res.n_youden_ties == len(best)
    assert res.mic_roc_observed == min(best)
    below = x[x < min(best)].max()
    assert res.mic_roc == (below + min(best)) / 2
    assert res.n_boot == res.n_boot_used == 0 and res.to_frame()["ci_low"].isna().all()


def test_numeric_anchor_gives_the_same_result(ref, data, fits):
    codes = {"much worse": 1, "worse": 2, "same": 3, "better": 4, "much better": 5}
    numeric = data.assign(anchor=data["anchor"].map(codes))
    res = ch.mic(numeric, "change", "anchor", improved=[4, 5], seed=7)
    pd.testing.assert_frame_equal(res.to_frame(), fits["all"].to_frame())


def test_errors(data):
    with pytest.raises(ValueError, match=r"0 improved .* at least 5 .*holds \['better'"):
        ch.mic(data, "change", "anchor", improved=["Better"])                     # a typo: one class
    small = data.dropna()
    small = small[~small["anchor"].isin(["better", "much better"])].copy()
    small.loc[small.index[:4], "anchor"] = "better"
    with pytest.raises(ValueError, match=r"4 improved"):
        ch.mic(small, "change", "anchor", improved=["better"])
    separated = pd.DataFrame({"change": [0, 1, 1, 2, 2, 3, 3, 4, 5, 6], "anchor": ["n"] * 5 + ["y"] * 5})
    with pytest.raises(ValueError, match="separate"):
        ch.mic(separated, "change", "anchor", improved=["y"])
    with pytest.raises(ValueError, match="both improved and not improved"):
        ch.mic(data, "change", "anchor", improved=["better"], not_improved=["same", "better"])
    with pytest.raises(ValueError, match="improved lists no anchor value"):
        ch.mic(data, "change", "anchor", improved=[])
    with pytest.raises(KeyError, match="nope"):
        ch.mic(data, "change", "nope", improved=["better"])
    with pytest.raises(ValueError, match="not a finite number"):
        ch.mic(data.assign(change=data["change"].astype(object).where(data.index != 3, "x")),
               "change", "anchor", improved=["better"])
    with pytest.raises(ValueError, match="ci"):
        ch.mic(data, "change", "anchor", improved=["better"], ci=95)
    with pytest.raises(ValueError, match="n_boot"):
        ch.mic(data, "change", "anchor", improved=["better"], n_boot=-1)


def test_bootstrap_roc_table_equals_sklearn():
    """The numpy ROC table of the bootstrap gives scikit-learn's cut-point (ties, NaN cases)."""
    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(4, 60))
        x = rng.integers(-4, 5, n) / rng.choice([1, 2, 10])
        y = rng.integers(0, 2, n)
        if 0 < y.sum() < n:
            a, b = ch._youden(x, y)[0], ch._youden_fast(x, y)
            assert (np.isnan(a) and np.isnan(b)) or a == b


def test_a_resample_without_a_logistic_fit_is_skipped_and_counted(ref, data, monkeypatch):
    """A resample whose logit has no fit (quasi-separated by rounding: a singular information
    matrix) is left out of the interval and counted, not an error of the whole call."""
    real, calls = ch._mic_estimates, []

    def failing_once(x, y):
        calls.append(1)
        if len(calls) == 3:                      # the point estimate is call 1, resamples follow
            raise np.linalg.LinAlgError("Singular matrix")
        return real(x, y)

    monkeypatch.setattr(ch, "_mic_estimates", failing_once)
    res = ch.mic(data, "change", "anchor", ref["improved"], n_boot=50, seed=11)
    assert res.n_boot == 50 and res.n_boot_used == 49
