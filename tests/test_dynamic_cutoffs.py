"""Dynamic fit index cutoffs (McNeish & Wolf 2023) against the R package ``dynamic``.

Published numbers: the package's vignette (``vignettes/CFA.Rmd`` of melissagwolf/dynamic,
output in ``vignettes/One.png`` and ``Four.png``), 500 replications per level, printed to 3
decimals:

* ``cfaHB`` of lavaan's Holzinger–Swineford three-factor CFA (n = 301): cross-loadings of
  magnitude .424 and .570; level 1 has no 95/5 cutoff (NONE for SRMR, RMSEA and CFI);
  level 2: SRMR .06, RMSEA .088, CFI .955.
* ``cfaOne`` of the one-factor model of x1–x6 (standardized loadings .419 .212 .203 .852
  .847 .840, n = 301): level 1 .047 .065 .981, level 2 .05 .095 .962, level 3 .058 .108
  .954.

Our runs use 100 replications (seconds, not minutes) and numpy's random numbers, so they
agree with R's within Monte Carlo error only. The bound used: a cutoff is a 5th/95th
percentile of the replications; its standard error is estimated by bootstrapping our own
replications (SE_100) and scaled by √(100/500) for the published run (SE_500); the two
differ by less than 3·√(SE_100² + SE_500²) + .0005 (the published rounding) — a
three-sigma bound, so a correct implementation fails it with probability < 1 %, while a
wrong misspecification (e.g. a residual correlation of .2 instead of .3) moves the level-2
and level-3 cutoffs by several such bounds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import datasets
from analysis.stats.sem import DynamicCutoffs, cfa, dynamic_cutoffs

HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS1 = "vt =~ x1 + x2 + x3 + x4 + x5 + x6"
REPS = 100


@pytest.fixture(scope="module")
def hs():
    return datasets.load("holzinger_swineford_1939")


@pytest.fixture(scope="module")
def three(hs) -> DynamicCutoffs:
    return dynamic_cutoffs(cfa(hs, HS3), reps=REPS, seed=11)


@pytest.fixture(scope="module")
def one(hs) -> DynamicCutoffs:
    return dynamic_cutoffs(cfa(hs, HS1), reps=REPS, seed=12)


def _bound(result: DynamicCutoffs, level: int, index: str, quantile: float) -> float:
    """3·√(SE_100² + SE_500²) + .0005 for a cutoff at ``quantile`` of a level's fits."""
    x = result.replications.query("level == @level")[index].to_numpy()
    rng = np.random.default_rng(0)
    boot = np.quantile(x[rng.integers(0, len(x), (400, len(x)))], quantile, axis=1)
    se = boot.std()
    return 3 * np.sqrt(se ** 2 + se ** 2 * len(x) / 500) + 0.0005


def test_multi_factor_misspecifications_are_the_packages(three):
    # the vignette: "two missing cross-loadings ... one with a magnitude of .424 and the
    # second with a magnitude of .570" (the lowest loadings x2 and x7, onto textual, the
    # factor of highest coefficient H)
    assert three.misspecifications == ("textual =~ 0.4236*x2", "textual =~ 0.5695*x7")
    assert three.to_frame()["level"].tolist() == [0, 1, 2]        # F - 1 = 2 levels
    assert three.n == 301 and three.reps == REPS


def test_multi_factor_cutoffs_agree_with_the_published_example(three):
    t = three.to_frame().set_index("level")
    for index, published, q in (("srmr", 0.06, 0.05), ("rmsea", 0.088, 0.05),
                                ("cfi", 0.955, 0.95)):
        assert t.loc[2, f"{index}_power"] == 0.95
        assert abs(t.loc[2, index] - published) < _bound(three, 2, index, q), index
    # level 1: the package finds no SRMR cutoff that separates 95 % (or even 90 %) of the
    # misspecified fits from the true ones (at 500 replications ours has power .88; RMSEA
    # and CFI are near .90-.95 and may reach .95 by chance with 100 replications)
    assert t.loc[1, "srmr_power"] < 0.95
    # the fit (SRMR .065, RMSEA .092, CFI .931 in the vignette) is worse than level 2's
    assert three.fit["srmr"] == pytest.approx(0.0652, abs=5e-4)
    assert not t.loc[2, ["meets_srmr", "meets_rmsea", "meets_cfi"]].any()


def test_one_factor_misspecifications_are_the_packages(one):
    # items by |loading|: x3 .203, x2 .212, x1 .419, x6 .840, x5 .847, x4 .852; pairs
    # (2nd ~~ 1st), (4th ~~ 3rd), (6th ~~ 5th) at .3; levels add 1, 2 and 3 of them
    assert one.misspecifications == ("x2 ~~ 0.3*x3", "x6 ~~ 0.3*x1", "x4 ~~ 0.3*x5")
    assert one.population.startswith("vt =~ 0.419*x1 + 0.2124*x2 + 0.2025*x3")
    assert one.to_frame()["misspecification"].tolist()[1:] == [
        "x2 ~~ 0.3*x3", "x2 ~~ 0.3*x3; x6 ~~ 0.3*x1", "x2 ~~ 0.3*x3; x6 ~~ 0.3*x1; x4 ~~ 0.3*x5"]


@pytest.mark.parametrize("level, published", [(1, (0.047, 0.065, 0.981)),
                                               (2, (0.05, 0.095, 0.962)),
                                               (3, (0.058, 0.108, 0.954))])
def test_one_factor_cutoffs_agree_with_the_published_example(one, level, published):
    t = one.to_frame().set_index("level")
    for index, value, q in zip(("srmr", "rmsea", "cfi"), published, (0.05, 0.05, 0.95)):
        if level > 1:       # level 1 is close to the true model: its power may be below .95
            assert t.loc[level, f"{index}_power"] == 0.95
        if t.loc[level, f"{index}_power"] == 0.95:
            assert abs(t.loc[level, index] - value) < _bound(one, level, index, q), index


def test_table_and_replications(one):
    t = one.to_frame()
    assert list(t.columns[:4]) == ["level", "misspecification", "srmr", "srmr_power"]
    assert (t["n_converged"] + t["n_failed"] == REPS).all()
    assert t.loc[0, ["srmr_power", "rmsea_power", "cfi_power"]].tolist() == [0.95] * 3
    assert str(t["meets_cfi"].dtype) == "boolean"
    r = one.replications
    assert len(r) == 4 * REPS and r["converged"].all()
    level0 = r.query("level == 0")
    assert t.loc[0, "srmr"] == pytest.approx(np.quantile(level0["srmr"], 0.95))
    assert t.loc[0, "cfi"] == pytest.approx(np.quantile(level0["cfi"], 0.05))
    # a level's cutoff at power .95 lies beyond the true model's 95th (CFI: 5th) percentile
    sep = t[t["srmr_power"] == 0.95].iloc[1:]
    assert (sep["srmr"] >= t.loc[0, "srmr"]).all()


def test_seeded_and_reproducible(hs):
    fit = cfa(hs, HS1)
    a = dynamic_cutoffs(fit, reps=20, seed=5)
    b = dynamic_cutoffs(fit, reps=20, seed=5)
    c = dynamic_cutoffs(fit, reps=20, seed=6)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.replications, b.replications)
    assert not np.allclose(a.replications["srmr"], c.replications["srmr"])


def test_refuses_what_the_package_refuses(hs):
    with pytest.raises(ValueError, match="ML"):
        dynamic_cutoffs(cfa(hs, HS1, estimator="MLR"), reps=20)
    with pytest.raises(ValueError, match="one-group"):
        dynamic_cutoffs(cfa(hs, HS3, group="school"), reps=20)
    with pytest.raises(ValueError, match="four items"):
        dynamic_cutoffs(cfa(hs, "f =~ x4 + x5 + x6 + x1 + x2\nx1 ~~ x2"), reps=20)
    with pytest.raises(ValueError, match="reps"):
        dynamic_cutoffs(cfa(hs, HS1), reps=5)


def test_a_full_information_fit_gives_the_cutoffs_of_the_complete_data_fit():
    """A FIML fit has intercepts (a mean structure): they are not part of the population
    model, so complete data give the same cutoffs with missing="ml" as without."""
    from analysis import datasets
    from analysis.stats.sem import cfa, dynamic_cutoffs

    hs = datasets.load("holzinger_swineford_1939")
    model = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
    a = dynamic_cutoffs(cfa(hs, model, missing="ml"), reps=40, seed=3).to_frame()
    b = dynamic_cutoffs(cfa(hs, model), reps=40, seed=3).to_frame()
    pd.testing.assert_frame_equal(a, b, rtol=1e-6)
