"""Report notebooks 04–07 executed on the demo data; outputs checked against the raw files.

Every expected number is recomputed here from the CSV files with plain pandas/pingouin (not
through the notebook's functions), so a notebook that showed another data set's numbers, a
hard-coded value or an unsuppressed small cell fails.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest

from analysis.report.runner import NOTEBOOK_DIR
from analysis.report.runner import run_notebook as execute

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
DOMAINS = ["health", "resilience", "housing", "daily_coping", "family", "friends", "finances",
           "strengths", "self_esteem", "life_overall"]


def workbook(out: Path, name: str) -> dict[str, pd.DataFrame]:
    return pd.read_excel(out / f"{name}.xlsx", sheet_name=None)


def check_common(out: Path, name: str, sheets: list[str], figures: list[str]) -> dict[str, pd.DataFrame]:
    assert (out / f"{name}.html").stat().st_size > 10_000
    book = workbook(out, name)
    assert list(book) == ["about", *sheets]
    about = book["about"].set_index("item")["value"]
    assert "synthetic" in about["WARNING"]                       # the demo folder is marked synthetic
    for fig in figures:
        assert (out / "figures" / f"{name}_{fig}.png").stat().st_size > 5_000, fig
    return book


def latest_pairs(folder: Path = DEMO) -> pd.DataFrame:
    """Baseline and latest follow-up (12m, else 6m) per client, wide, from the raw CSV."""
    raw = pd.read_csv(folder / "pilot_3x10d.csv")
    order = {"baseline": 0, "6m": 1, "12m": 2}
    raw = raw.assign(_o=raw["occasion"].map(order))
    base = raw[raw["_o"] == 0].set_index("respondent_id")
    last = raw[raw["_o"] > 0].sort_values("_o").groupby("respondent_id").tail(1).set_index("respondent_id")
    return base.merge(last, left_index=True, right_index=True, suffixes=("_pre", "_post"))


def test_04_pilot_evaluation(run_notebook):
    out = run_notebook("04_pilot_evaluation")
    book = check_common(out, "04_pilot_evaluation",
                        ["background", "attrition", "attrition_baseline", "readings_used", "change",
                         "rci_parameters", "reliable_change", "goals"],
                        ["jacobson_life_overall", "group_profile", "profile_A", "profile_B", "profile_C"])
    raw = pd.read_csv(DEMO / "pilot_3x10d.csv")
    att = book["attrition"].set_index("occasion")
    assert att["n"].to_dict() == raw["occasion"].value_counts().to_dict()
    # fewer than five dropouts -> every statistic of the completer/dropout comparison is masked
    n_drop = raw["respondent_id"].nunique() - (raw["occasion"] == "12m").sum()
    assert n_drop < 5 and (book["attrition_baseline"]["n_dropouts"] == "<5").all()
    assert (book["attrition_baseline"]["hedges_g"] == "<5").all()

    pairs = latest_pairs()
    change = book["change"].set_index("score")
    d = pairs["sat_housing_post"] - pairs["sat_housing_pre"]
    assert change.loc["sat_housing", "n"] == len(pairs)
    assert change.loc["sat_housing", "mean_change"] == pytest.approx(d.mean(), abs=1e-12)
    used = book["readings_used"].set_index("occasion")["n"]
    assert used["12m"] == (raw["occasion"] == "12m").sum() and used["6m"] == "<5"

    cohort = pd.read_csv(DEMO / "cohort_3x10d.csv")
    retest = cohort[cohort["respondent_id"].isin(cohort.loc[cohort["occasion"] == "retest", "respondent_id"])]
    icc = pingouin.intraclass_corr(retest, "respondent_id", "occasion", "sat_life_overall").set_index("Type")
    params = book["rci_parameters"].set_index("score")
    assert params.loc["sat_life_overall", "icc"] == pytest.approx(icc.loc["ICC(A,1)", "ICC"], abs=1e-9)
    sd = cohort.loc[cohort["occasion"] == "t1", "sat_life_overall"].std()
    assert params.loc["sat_life_overall", "sd"] == pytest.approx(sd, abs=1e-12)

    # reliable change of life as a whole: |change| > SDC, counted by hand
    sdc = 1.96 * np.sqrt(2) * sd * np.sqrt(1 - icc.loc["ICC(A,1)", "ICC"])
    d = pairs["sat_life_overall_post"] - pairs["sat_life_overall_pre"]
    rc = book["reliable_change"].set_index(["score", "change"])["n"]
    assert rc[("sat_life_overall", "improved")] == (d > sdc).sum() >= 5
    assert rc[("sat_life_overall", "deteriorated")] == "<5"

    # goals: goal at baseline, satisfaction at the latest reading, every domain pooled
    n_goals = n_reached = 0
    for dom in DOMAINS:
        ok = pairs[f"goal_{dom}_pre"].notna() & pairs[f"sat_{dom}_post"].notna()
        n_goals += ok.sum()
        n_reached += (ok & (pairs[f"sat_{dom}_post"] >= pairs[f"goal_{dom}_pre"])).sum()
    total = book["goals"].set_index("domain").loc["all domains"]
    assert (total["n_goals"], total["n_reached"]) == (n_goals, n_reached)


def test_04_in_finnish(run_notebook):
    out = run_notebook("04_pilot_evaluation", lang="fi")
    en = workbook(run_notebook("04_pilot_evaluation"), "04_pilot_evaluation")
    fi = workbook(out, "04_pilot_evaluation")
    pd.testing.assert_frame_equal(en["change"], fi["change"])     # language changes labels, not numbers
    html = (out / "04_pilot_evaluation.html").read_text(encoding="utf-8")
    assert "12 kk" in html


def test_05_participant_surveys(run_notebook):
    out = run_notebook("05_participant_surveys")
    book = check_common(out, "05_participant_surveys",
                        ["client_scales", "client_items", "staff_background", "staff_scales", "staff_items",
                         "sus", "sus_bands", "client_comments", "staff_comments"], ["sus"])
    client = pd.read_csv(DEMO / "client_survey.csv")
    items = book["client_items"].set_index("item")
    assert items.loc["cs_1", "n"] == client["cs_1"].notna().sum()
    assert items.loc["cs_1", "mean"] == pytest.approx(client["cs_1"].mean(), abs=1e-12)
    assert items.loc["cs_4", "pct_agree"] == pytest.approx(100 * (client["cs_4"].dropna() >= 4).mean(), abs=1e-12)
    keyed = client[["cs_4", "cs_5", "cs_6"]].assign(cs_6=6 - client["cs_6"])
    scales = book["client_scales"].set_index("score")
    assert scales.loc["cs_benefit", "alpha"] == pytest.approx(pingouin.cronbach_alpha(keyed)[0], abs=1e-9)
    # Brooke (1996): odd items x - 1, even items 5 - x, sum x 2.5
    sus = pd.read_csv(DEMO / "sus.csv")
    odd, even = [f"sus_{i}" for i in (1, 3, 5, 7, 9)], [f"sus_{i}" for i in (2, 4, 6, 8, 10)]
    score = 2.5 * ((sus[odd] - 1).sum(axis=1, skipna=False) + (5 - sus[even]).sum(axis=1, skipna=False))
    row = book["sus"].iloc[0]
    assert row["n"] == score.notna().sum() and row["mean"] == pytest.approx(score.mean(), abs=1e-9)
    # every organisation has fewer than five professionals in the demo -> all masked
    staff_bg = pd.read_csv(DEMO / "staff_background.csv")
    assert staff_bg["organisation"].value_counts().max() < 5
    assert (book["staff_background"]["n"] == "<5").all()
    comments = pd.concat([book["client_comments"], book["staff_comments"]])
    ids = set(client["respondent_id"]) | set(staff_bg["respondent_id"])
    assert not comments.isin(ids).any().any() and list(book["client_comments"].columns) == ["question", "comment"]
    n_comments = client[["cs_comment_good", "cs_comment_improve"]].notna().sum().sum()
    assert len(book["client_comments"]) == n_comments


def test_06_service_use(run_notebook):
    out = run_notebook("06_service_use")
    book = check_common(out, "06_service_use", ["service_use"], ["service_use"])
    raw = pd.read_csv(DEMO / "service_use.csv")
    totals = raw.pivot_table(index="service_type", columns="period", values="visits", aggfunc="sum")
    table = book["service_use"].set_index("service_type")
    for service, row in totals.iterrows():
        assert (table.loc[service, "total_before"], table.loc[service, "total_after"]) == (row["before"], row["after"])
        assert table.loc[service, "rate_ratio"] == pytest.approx(row["after"] / row["before"], abs=1e-12)
    assert table.loc["all_services", "total_before"] == raw.loc[raw["period"] == "before", "visits"].sum()
    assert table.loc["all_services", "n"] == raw["respondent_id"].nunique()


def test_06_deterministic(run_notebook, tmp_path):
    first = run_notebook("06_service_use")
    execute(NOTEBOOK_DIR / "06_service_use.ipynb", DEMO, tmp_path, lang="en", seed=2026)
    a, b = workbook(first, "06_service_use"), workbook(tmp_path, "06_service_use")
    for sheet in a:
        if sheet != "about":
            pd.testing.assert_frame_equal(a[sheet], b[sheet])


def test_07_half_yearly_indicators(run_notebook):
    out = run_notebook("07_half_yearly_indicators")
    book = check_common(out, "07_half_yearly_indicators", ["indicators"], [])
    raw = pd.read_csv(DEMO / "indicators.csv")
    latest = sorted(raw["period"].unique())[-1]
    t = book["indicators"].set_index("indicator")
    assert set(t["period"]) == {latest}
    cur = raw[raw["period"] == latest].set_index("indicator")["value"]
    assert t.loc["plans_reviewed_on_time", "value"] == cur["plans_reviewed_on_time"]
    assert t.loc["clients_with_plan", "value"] == cur["clients_with_plan"]
    # plans_closed was below five in the previous half-year -> value, previous and change masked
    assert t.loc["plans_closed", ["value", "previous", "change"]].tolist() == ["<5"] * 3


def test_07_period_parameter(tmp_path):
    import papermill
    papermill.execute_notebook(
        str(NOTEBOOK_DIR / "07_half_yearly_indicators.ipynb"), str(tmp_path / "07.ipynb"), kernel_name="python3",
        progress_bar=False, cwd=str(NOTEBOOK_DIR),
        parameters={"DATA_DIR": str(DEMO), "OUT_DIR": str(tmp_path), "PERIOD": "2016H1"})
    t = workbook(tmp_path, "07_half_yearly_indicators")["indicators"].set_index("indicator")
    raw = pd.read_csv(DEMO / "indicators.csv").set_index(["period", "indicator"])["value"]
    assert set(t["previous_period"]) == {"2015H2"}
    assert t.loc["clients_with_plan", "change"] == pytest.approx(
        raw[("2016H1", "clients_with_plan")] - raw[("2015H2", "clients_with_plan")])


@pytest.fixture(scope="module")
def other_data(tmp_path_factory):
    from analysis.study.synthetic import write_all
    folder = tmp_path_factory.mktemp("seed7-data")
    write_all(folder, 7)
    return folder


@pytest.mark.parametrize("name", ["04_pilot_evaluation", "06_service_use"])
def test_notebooks_report_the_data_they_are_given(run_notebook, other_data, name):
    # Data generated with another seed: the reports must show that data's own numbers.
    out = run_notebook(name, data_dir=other_data, seed=7)
    book = workbook(out, name)
    if name == "04_pilot_evaluation":
        raw = pd.read_csv(other_data / "pilot_3x10d.csv")
        assert book["attrition"].set_index("occasion")["n"].to_dict() == raw["occasion"].value_counts().to_dict()
        pairs = latest_pairs(other_data)
        change = book["change"].set_index("score")
        assert change.loc["sat_finances", "mean_change"] == pytest.approx(
            (pairs["sat_finances_post"] - pairs["sat_finances_pre"]).mean(), abs=1e-12)
    else:
        raw = pd.read_csv(other_data / "service_use.csv")
        nurse = raw[raw["service_type"] == "nurse"].groupby("period")["visits"].sum()
        row = book["service_use"].set_index("service_type").loc["nurse"]
        assert (row["total_before"], row["total_after"]) == (nurse["before"], nurse["after"])
