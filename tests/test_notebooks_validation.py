"""Notebooks 01_data_intake, 02_validation_report and 03_norms, executed with papermill.

Assertions are on the outputs (workbook sheets, HTML, figures) and compare key numbers with
an independent recomputation from the raw CSV files (pandas, pingouin, hand formulas), not
with the package's own functions. Tolerances: 1e-9 for numbers that go through the same
double-precision formula by another route (Excel stores doubles exactly).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from analysis.report.runner import NOTEBOOK_DIR
from analysis.report.runner import run_notebook as execute

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
SPECIFIC = ["sat_health", "sat_resilience", "sat_housing", "sat_daily_coping", "sat_family",
            "sat_friends", "sat_finances", "sat_strengths", "sat_self_esteem"]
TOL = 1e-9


def _sheets(out: Path, name: str) -> dict[str, pd.DataFrame]:
    return pd.read_excel(out / f"{name}.xlsx", sheet_name=None)


def _t1(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(data_dir / "cohort_3x10d.csv")
    return raw[raw["occasion"] == "t1"]


@pytest.fixture(scope="module")
def seed7_dir(tmp_path_factory):
    from analysis.study.synthetic import write_all
    out = tmp_path_factory.mktemp("seed7-data")
    write_all(out, seed=7)
    return out


# --------------------------------------------------------------------------- 01
def test_intake_notebook_counts_match_the_files(run_notebook):
    out = run_notebook("01_data_intake")
    assert (out / "01_data_intake.html").stat().st_size > 0
    book = _sheets(out, "01_data_intake")
    assert list(book) == ["about", "intake", "rejected", "missing_by_column", "missing_patterns"]
    intake = book["intake"].set_index("file")
    for f in [p for p in intake.index if p != "(all files)"]:
        assert intake.loc[f, "n_read"] == len(pd.read_csv(DEMO / f)), f
    files = intake.drop(index="(all files)")
    assert (files["n_accepted"] + files["n_rejected"] == files["n_read"]).all()
    assert book["rejected"].empty
    miss = book["missing_by_column"].set_index(["file", "column"])
    raw = pd.read_csv(DEMO / "cohort_3x10d.csv")
    assert miss.loc[("cohort_3x10d", "sat_daily_coping"), "missing"] == raw["sat_daily_coping"].isna().sum()
    patterns = book["missing_patterns"]
    complete = patterns[(patterns.file == "cohort_3x10d") & (patterns.missing_columns == "(none)")]
    assert complete["n"].iloc[0] == raw.notna().all(axis=1).sum()
    assert (patterns["n"].astype(str) == "<5").any()        # small pattern cells are masked
    assert "WARNING" in book["about"]["item"].tolist()      # demo data are flagged as synthetic


def test_intake_notebook_lists_rejected_rows(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    raw = pd.read_csv(data / "cohort_swls.csv")
    raw["swls_3"] = raw["swls_3"].astype(object)
    raw.loc[4, "swls_3"] = 9                               # SWLS items are 1–7; file row 6
    raw.to_csv(data / "cohort_swls.csv", index=False)
    out = tmp_path / "out"
    out.mkdir()
    execute(NOTEBOOK_DIR / "01_data_intake.ipynb", data, out)
    book = _sheets(out, "01_data_intake")
    intake = book["intake"].set_index("file")
    assert intake.loc["cohort_swls.csv", ["n_read", "n_accepted", "n_rejected"]].tolist() == [900, 899, 1]
    rejected = book["rejected"]
    assert len(rejected) == 1
    assert rejected.loc[0, ["row", "column"]].tolist() == [6, "swls_3"]
    assert str(rejected.loc[0, "value"]) == "9"


# --------------------------------------------------------------------------- 02
def _check_validation_workbook(out: Path, data_dir: Path) -> dict[str, pd.DataFrame]:
    book = _sheets(out, "02_validation_report")
    expected = {"about", "occasions", "sample", "descriptives", "norm_comparison", "floor_ceiling",
                "reliability", "alpha_items", "kmo_bartlett", "kmo_items", "parallel_analysis",
                "efa_loadings", "cfa_fit", "cfa_estimates", "invariance_gender", "invariance_age",
                "convergent", "known_groups_service", "known_groups_neet", "test_retest",
                "cosmin_summary"}
    assert expected <= set(book)
    t1 = _t1(data_dir)
    sample = book["sample"]
    assert sample.loc[sample.variable == "gender", "n"].sum() == len(t1)
    rel = book["reliability"].iloc[0]
    ref = pg.cronbach_alpha(t1[SPECIFIC])                   # pairwise covariances, as ours
    assert rel["n"] == len(t1)
    assert rel["alpha"] == pytest.approx(ref[0], abs=TOL)
    desc = book["descriptives"].set_index("column")
    assert desc.loc["sat_health", "mean"] == pytest.approx(t1["sat_health"].mean(), abs=TOL)
    assert desc.loc["sat_health", "sd"] == pytest.approx(t1["sat_health"].std(), abs=TOL)
    return book


def test_validation_report_on_demo(run_notebook):
    out = run_notebook("02_validation_report")
    assert (out / "02_validation_report.html").stat().st_size > 0
    assert (out / "figures" / "02_validation_report_scree.png").stat().st_size > 0
    book = _check_validation_workbook(out, DEMO)
    norms = book["norm_comparison"].set_index(["group", "domain"])
    family = norms.loc[("all", "family")]
    # REFERENCES.md: family 8.23 as first printed, every mean one point lower after the erratum
    assert (family["published_mean"], family["corrected_mean"], family["national_sd"]) == (8.23, 7.23, 1.83)
    assert family["diff_corrected"] - family["diff_published"] == pytest.approx(1.0, abs=TOL)
    # survey-weighted mean, recomputed from the raw files
    t1 = _t1(DEMO).merge(pd.read_csv(DEMO / "cohort_background.csv"), on="respondent_id")
    ok = t1["sat_family"].notna()
    assert family["mean"] == pytest.approx(np.average(t1.loc[ok, "sat_family"], weights=t1.loc[ok, "weight"]), abs=TOL)
    fit = book["cfa_fit"].set_index("measure")["one factor (MLR)"]
    assert fit["ntotal"] == t1[SPECIFIC].notna().all(axis=1).sum()
    assert fit["df"] == 27                                   # 9 indicators: 45 moments − 18 parameters
    inv = book["invariance_gender"].set_index("model")
    assert inv.loc["configural", "df"] == 54                 # two groups × 27
    retest = book["test_retest"].set_index("score")
    raw = pd.read_csv(DEMO / "cohort_3x10d.csv")
    pairs = raw.pivot(index="respondent_id", columns="occasion", values="sat_health").dropna()
    icc = pg.intraclass_corr(pairs.reset_index().melt(id_vars="respondent_id"), targets="respondent_id",
                             raters="occasion", ratings="value").set_index("Type").loc["ICC(A,1)", "ICC"]
    assert retest.loc["sat_health", "n"] == len(pairs)
    assert retest.loc["sat_health", "icc"] == pytest.approx(icc, abs=1e-9)
    cosmin = book["cosmin_summary"].set_index("property")
    assert cosmin.loc["floor/ceiling", "rating"] in {"+", "−"}


def test_validation_report_uses_the_data_it_is_given(run_notebook, seed7_dir):
    """Issue requirement: another seed gives that data's own N and alpha (nothing hard-coded)."""
    out = run_notebook("02_validation_report", data_dir=seed7_dir, seed=7)
    book = _check_validation_workbook(out, seed7_dir)
    demo_alpha = pg.cronbach_alpha(_t1(DEMO)[SPECIFIC])[0]
    assert book["reliability"].iloc[0]["alpha"] != pytest.approx(demo_alpha, abs=1e-6)


# --------------------------------------------------------------------------- 03
def _weighted_midrank(values, weights, x):
    below = weights[values < x].sum()
    tied = weights[values == x].sum()
    return 100 * (below + tied / 2) / weights.sum()


def test_norms_notebook_tables_and_lookup(run_notebook):
    out = run_notebook("03_norms")
    assert (out / "03_norms.html").stat().st_size > 0
    for key in ("age_group", "gender"):
        assert (out / "figures" / f"03_norms_profile_{key}.png").stat().st_size > 0
    book = _sheets(out, "03_norms")
    assert {"about", "means_by_cell", "norm_table", "means_by_age_group", "means_by_gender",
            "lookup_example"} <= set(book)
    t1 = _t1(DEMO).merge(pd.read_csv(DEMO / "cohort_background.csv"), on="respondent_id")
    norms = book["norm_table"]
    whole = norms[(norms.score == "sat_life_overall") & (norms.age_group == "all")].set_index("raw")
    ok = t1["sat_life_overall"].notna()
    v, w = t1.loc[ok, "sat_life_overall"].to_numpy(), t1.loc[ok, "weight"].to_numpy()
    assert whole["n"].iloc[0] == ok.sum()
    for x in (3.0, 7.0, 10.0):
        assert float(whole.loc[x, "percentile"]) == pytest.approx(_weighted_midrank(v, w, x), abs=TOL)
    cell = t1[(t1.age_group == "16-19") & (t1.gender == "female")]
    means = book["means_by_cell"].set_index("age_group × gender")
    assert means.loc["16-19 female", "n"] == len(cell)
    okc = cell["sat_housing"].notna()
    assert float(means.loc["16-19 female", "housing"]) == pytest.approx(
        np.average(cell.loc[okc, "sat_housing"], weights=cell.loc[okc, "weight"]), abs=TOL)
    # every norm cell with fewer than five persons is masked, and only those
    counts = norms["n"].astype(str)
    masked = counts == "<5"
    assert masked.any()                                     # demo: sat_health, 25-29 × other has 4
    assert (norms.loc[masked, "percentile"].astype(str) == "<5").all()
    assert (pd.to_numeric(counts[~masked]) >= 5).all()
    lookup = book["lookup_example"].set_index("score")
    assert lookup.loc["sat_life_overall", "group_used"] == "20-24 × female"
    fem = t1[(t1.age_group == "20-24") & (t1.gender == "female") & t1.sat_life_overall.notna()]
    assert lookup.loc["sat_life_overall", "percentile"] == pytest.approx(
        _weighted_midrank(fem["sat_life_overall"].to_numpy(), fem["weight"].to_numpy(), 5.0), abs=TOL)


def test_norms_notebook_finnish_and_deterministic(run_notebook, tmp_path):
    en = run_notebook("03_norms")
    fi = run_notebook("03_norms", lang="fi")
    again = tmp_path / "again"
    again.mkdir()
    execute(NOTEBOOK_DIR / "03_norms.ipynb", DEMO, again, lang="en", seed=2026)
    first, second, finnish = _sheets(en, "03_norms"), _sheets(again, "03_norms"), _sheets(fi, "03_norms")
    about = "about"
    for name in first:
        if name == about:
            continue
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)
        pd.testing.assert_frame_equal(first[name], finnish[name], check_exact=True)
    assert (fi / "03_norms.html").stat().st_size > 0
    assert (fi / "figures" / "03_norms_profile_gender.png").read_bytes() != \
        (en / "figures" / "03_norms_profile_gender.png").read_bytes()   # Finnish labels drawn
