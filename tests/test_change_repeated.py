"""analysis.stats.change.rm_anova and mixed_change against R on the data of tests/r/change_repeated.R.

Fixture: ``Rscript tests/r/change_repeated.R`` → ``tests/fixtures/r/change_repeated.json``
(data and reference values). Tolerances:

* ANOVA, Mauchly, Greenhouse–Geisser and the paired t tests: relative 1e-9. Closed-form sums of
  squares and eigenvalues on the same numbers; observed differences ≤ 1e-13 (p-values near
  1e-8 carry the t/F distribution's own ~1e-12 relative error).
* Mixed model against lme4 run to a tight end (bobyqa, rhoend 1e-12): fixed effects, SEs and
  variance components relative 1e-6. Both sides locate the REML optimum in θ = σ_id/σ, where
  the log-likelihood is flat to second order, so θ is only determined to about √ε ≈ 1e-8
  relative; observed: fixed effects 7e-10, SEs 2e-8, variance components 1e-7.
* Against lme4's default stop: relative 1e-4 (lme4's default bobyqa stop leaves the variance
  components up to ~1e-4 from the optimum; here 2e-8).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import change as ch

FIXTURE = Path(__file__).parent / "fixtures" / "r" / "change_repeated.json"


@pytest.fixture(scope="module")
def ref():
    return json.loads(FIXTURE.read_text())


@pytest.fixture(scope="module")
def long(ref):
    d = pd.DataFrame(ref["data"])
    d["dv"] = d["dv"].astype(float)
    return d


@pytest.fixture(scope="module")
def anova(ref, long):
    return ch.rm_anova(long, "dv", "occasion", "id", occasions=ref["levels"])


@pytest.fixture(scope="module")
def mixed(ref, long):
    return ch.mixed_change(long, "dv", "occasion", "id", occasions=ref["levels"])


def test_rm_anova_against_aov_car_and_mauchly(ref, anova):
    r = ref["rm_anova"]
    assert (anova.n, anova.n_dropped, anova.n_occasions) == (r["n"], r["n_persons"] - r["n"], 4)
    assert (anova.df1, anova.df2) == (r["df1"], r["df2"])
    for ours, theirs in [(anova.F, "F"), (anova.p, "p"), (anova.np2, "np2"), (anova.eps_gg, "gg_eps"),
                         (anova.p_gg, "p_gg"), (anova.mauchly_w, "mauchly_W"), (anova.mauchly_p, "mauchly_p")]:
        assert ours == pytest.approx(r[theirs], rel=1e-9), theirs
    assert r["car_W"] == pytest.approx(r["mauchly_W"], rel=1e-12)   # the two R routes agree
    assert anova.eps_gg < 1 and anova.mauchly_p < 0.05                # the data violate sphericity
    row = anova.to_frame()
    assert len(row) == 1 and row.loc[0, "F"] == anova.F and "pairwise" not in row


def test_pairwise_against_t_test_and_pairwise_t_test(ref, anova):
    pw = anova.pairwise
    assert list(pw.columns) == ["occasion_a", "occasion_b", "n", "t", "df", "p", "p_holm", "hedges_g"]
    assert list(zip(pw["occasion_a"], pw["occasion_b"])) == [(p["A"], p["B"]) for p in ref["pairwise"]]
    assert (pw["n"] == anova.n).all()
    for (_, row), p in zip(pw.iterrows(), ref["pairwise"]):
        assert row["df"] == p["df"]
        for ours, theirs in [("t", "t"), ("p", "p"), ("p_holm", "p_holm"), ("hedges_g", "hedges")]:
            assert row[ours] == pytest.approx(p[theirs], rel=1e-9), (row["occasion_b"], ours)


def test_occasion_order(ref, long, anova):
    """Default order: sorted labels (R's factor); a categorical column's categories; the
    statistics do not depend on it, the pairwise rows follow it with t and g turned."""
    default = ch.rm_anova(long, "dv", "occasion", "id")
    assert default.F == pytest.approx(anova.F, rel=1e-12)
    assert default.pairwise["occasion_a"].iloc[0] == sorted(ref["levels"])[0]
    cat = long.assign(occasion=pd.Categorical(long["occasion"], categories=ref["levels"]))
    pd.testing.assert_frame_equal(ch.rm_anova(cat, "dv", "occasion", "id").pairwise, anova.pairwise)
    back = ch.rm_anova(long, "dv", "occasion", "id", occasions=ref["levels"][::-1]).pairwise
    fwd = anova.pairwise.set_index(["occasion_a", "occasion_b"])
    for _, row in back.iterrows():
        twin = fwd.loc[(row["occasion_b"], row["occasion_a"])]
        assert row["t"] == pytest.approx(-twin["t"], rel=1e-12)
        assert row["hedges_g"] == pytest.approx(-twin["hedges_g"], rel=1e-12)
        assert row["p_holm"] == pytest.approx(twin["p_holm"], rel=1e-12)


def test_two_occasions_is_the_paired_t_test(long):
    two = long[long["occasion"].isin(["baseline", "24m"])]
    res = ch.rm_anova(two, "dv", "occasion", "id", occasions=["baseline", "24m"])
    wide = two.pivot(index="id", columns="occasion", values="dv").dropna()
    t = stats.ttest_rel(wide["baseline"], wide["24m"])
    assert res.n == len(wide) and res.df1 == 1 and res.df2 == len(wide) - 1
    assert res.F == pytest.approx(t.statistic ** 2, rel=1e-10)
    assert res.p == pytest.approx(t.pvalue, rel=1e-10) and res.p_gg == res.p
    assert (res.eps_gg, res.mauchly_w, res.mauchly_p) == (1.0, 1.0, 1.0)
    assert res.pairwise["p_holm"].iloc[0] == res.pairwise["p"].iloc[0]
    assert res.pairwise["t"].iloc[0] == pytest.approx(t.statistic, rel=1e-10)


def test_mixed_change_against_lmer(ref, mixed):
    r, tight = ref["lmer"], ref["lmer"]["tight"]
    assert (mixed.n_persons, mixed.n_obs) == (r["n_persons"], r["n_obs"])
    assert mixed.n_obs_dropped == 5 and mixed.n_incomplete == 16        # kept, unlike rm_anova
    assert mixed.converged and not mixed.singular and mixed.reference == "baseline"
    eff = mixed.to_frame()
    assert eff.columns[0] == "occasion" and eff["occasion"].tolist() == ref["levels"]
    assert eff["term"].tolist() == ["intercept"] + ["difference"] * 3
    np.testing.assert_allclose(eff["estimate"], tight["fixef"], rtol=1e-6)
    np.testing.assert_allclose(eff["se"], tight["se"], rtol=1e-6)
    np.testing.assert_allclose(eff["z"], tight["t"], rtol=1e-6)
    assert mixed.var_id == pytest.approx(tight["var_id"], rel=1e-6)
    assert mixed.var_residual == pytest.approx(tight["var_residual"], rel=1e-6)
    assert mixed.reml_loglik == pytest.approx(tight["reml_loglik"], abs=1e-8)
    default = r["default"]
    np.testing.assert_allclose(eff["estimate"], default["fixef"], rtol=1e-4)
    assert (mixed.var_id, mixed.var_residual) == pytest.approx((default["var_id"], default["var_residual"]), rel=1e-4)
    assert mixed.polish_gain >= -1e-9                                    # polishing never loses
    q = stats.norm.ppf(0.975)
    np.testing.assert_allclose(eff["ci_low"], eff["estimate"] - q * eff["se"], rtol=1e-14)
    np.testing.assert_allclose(eff["p"], 2 * stats.norm.sf(np.abs(eff["z"])), rtol=1e-12)
    n_at = pd.DataFrame(ref["data"]).dropna().groupby("occasion").size()
    assert eff["n"].tolist() == n_at.reindex(ref["levels"]).tolist()


def test_mixed_change_boundary_fit_is_lme4s(ref):
    """Equal person means: the REML person variance is 0 (lme4: singular fit)."""
    b = ref["boundary"]
    res = ch.mixed_change(pd.DataFrame(b["data"]), "dv", "occasion", "id")
    assert b["singular"] and res.singular and res.var_id == b["var_id"] == 0
    assert res.var_residual == pytest.approx(b["var_residual"], rel=1e-10)
    assert res.reml_loglik == pytest.approx(b["reml_loglik"], abs=1e-8)
    np.testing.assert_allclose(res.to_frame()["estimate"], b["fixef"], rtol=1e-10)
    np.testing.assert_allclose(res.to_frame()["se"], b["se"], rtol=1e-10)
    assert res.polish_gain >= -1e-9


def test_mixed_change_when_statsmodels_fails(ref, long, mixed, monkeypatch):
    import statsmodels.api as sm

    def broken(self, *args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(sm.MixedLM, "fit", broken)
    res = ch.mixed_change(long, "dv", "occasion", "id", occasions=ref["levels"])
    assert res.converged and not res.statsmodels_converged and res.polish_gain == np.inf
    np.testing.assert_allclose(res.to_frame()["estimate"], mixed.to_frame()["estimate"], rtol=1e-7)
    assert res.var_id == pytest.approx(mixed.var_id, rel=1e-6)


def test_mixed_change_without_a_reml_maximum_raises():
    # no residual variation around person + occasion: the person variance runs off
    d = pd.DataFrame({"id": np.repeat(list("abcdef"), 2), "occasion": ["t0", "t1"] * 6,
                      "dv": np.repeat([1.0, 4, 2, 8, 5, 3], 2) + np.tile([0.0, 1.0], 6)})
    with pytest.raises(RuntimeError, match="no REML maximum"):
        ch.mixed_change(d, "dv", "occasion", "id")


def test_input_errors(long, ref):
    bad = long.copy()
    bad.loc[bad.index[0], "occasion"] = "3m"
    for fn in (ch.rm_anova, ch.mixed_change):
        with pytest.raises(ValueError, match=r"\['3m'\] not in occasions"):
            fn(bad, "dv", "occasion", "id", occasions=ref["levels"])
        with pytest.raises(ValueError, match="repeated in rows"):
            fn(pd.concat([long, long.iloc[[0]]]), "dv", "occasion", "id")
        with pytest.raises(KeyError, match="score"):
            fn(long, "score", "occasion", "id")
        with pytest.raises(ValueError, match="empty in rows"):
            fn(long.assign(id=long["id"].where(long.index != 2)), "dv", "occasion", "id")
    few = long[long["id"].isin(["p01", "p02", "p03", "p04"])]
    with pytest.raises(ValueError, match="need at least 3"):
        ch.rm_anova(few[few["id"] != "p01"].iloc[:-1], "dv", "occasion", "id")
    with pytest.raises(ValueError, match=r"no value at occasion\(s\) \['36m'\]"):
        ch.mixed_change(long, "dv", "occasion", "id", occasions=ref["levels"] + ["36m"])
    single = long.drop_duplicates("id")
    with pytest.raises(ValueError, match="two occasions"):
        ch.mixed_change(single, "dv", "occasion", "id")
