"""analysis.indicators: period logic, changes, targets and small-count masking, by hand."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis.study.indicators as ind
from analysis.report import disclosure

DEMO = Path(__file__).resolve().parent.parent / "analysis" / "datasets" / "demo"


@pytest.fixture(scope="module")
def demo():
    return pd.read_csv(DEMO / "indicators.csv")


def test_previous_period():
    assert ind.previous_period("2016H2") == "2016H1"
    assert ind.previous_period("2016H1") == "2015H2"
    with pytest.raises(ValueError, match="expected a half-year"):
        ind.previous_period("2016Q1")


def test_latest_period_by_default_matches_csv(demo):
    r = ind.indicator_report(demo)
    latest = sorted(demo["period"].unique())[-1]
    assert set(r["period"]) == {latest}
    cur = demo[demo["period"] == latest].set_index("indicator")["value"]
    prev = demo[demo["period"] == ind.previous_period(latest)].set_index("indicator")["value"]
    t = r.set_index("indicator")
    assert t["value"].to_dict() == cur.to_dict()
    assert t["previous"].to_dict() == prev.to_dict()
    for k in cur.index:
        assert t.loc[k, "change"] == pytest.approx(cur[k] - prev[k], abs=1e-9)


def test_hand_example_change_target_and_labels():
    d = pd.DataFrame({"period": ["2015H2", "2016H1", "2015H2", "2016H1", "2016H1"],
                      "indicator": ["plans_reviewed_on_time", "plans_reviewed_on_time", "clients_with_plan",
                                    "clients_with_plan", "new_thing"],
                      "value": [66.3, 71.3, 12, 25, 3], "unit": ["percent", "percent", "count", "count", "count"],
                      "target": [None, 75.0, None, 20.0, None]})
    cat = pd.DataFrame({"indicator": ["clients_with_plan"], "label_fi": ["Asiakkaita, joilla suunnitelma"],
                        "direction": ["up"]})
    t = ind.indicator_report(d, "2016H1", lang="fi", catalogue=cat).set_index("indicator")
    assert t.loc["plans_reviewed_on_time", "change"] == 5.0          # percentage points, no float noise
    assert t.loc["clients_with_plan", "change"] == 13.0
    assert not t.loc["plans_reviewed_on_time", "target_met"] and t.loc["clients_with_plan", "target_met"]
    assert pd.isna(t.loc["new_thing", "target_met"]) and np.isnan(t.loc["new_thing", "previous"])
    assert t.loc["new_thing", "label"] == "new_thing"
    assert t.loc["clients_with_plan", "label"].startswith("Asiakkaita")


def test_missing_previous_half_year_is_not_replaced_by_an_older_one():
    d = pd.DataFrame({"period": ["2015H1", "2016H1"], "indicator": "plans_closed", "value": [2.0, 9.0],
                      "unit": "count"})
    row = ind.indicator_report(d).iloc[0]
    assert row["previous_period"] == "2015H2" and np.isnan(row["previous"]) and np.isnan(row["change"])


def test_indicator_only_in_previous_period_keeps_its_row():
    d = pd.DataFrame({"period": ["2016H1", "2016H2"], "indicator": ["plans_closed", "clients_with_plan"],
                      "value": [4.0, 30.0], "unit": "count"})
    t = ind.indicator_report(d).set_index("indicator")
    assert list(t.index) == ["clients_with_plan", "plans_closed"]
    assert np.isnan(t.loc["plans_closed", "value"]) and t.loc["plans_closed", "previous"] == 4.0


def test_unknown_period_and_bad_rows(demo):
    with pytest.raises(ValueError, match=r"period '2014H1' not in the indicator data \(periods: 2015H2"):
        ind.indicator_report(demo, "2014H1")
    bad = demo.copy()
    bad.index = range(2, len(bad) + 2)
    bad.loc[3, "period"] = "2016-1"
    bad.loc[5] = bad.loc[4]
    with pytest.raises(ValueError) as err:
        ind.indicator_report(bad)
    assert "row 3, column 'period': value '2016-1'" in str(err.value)
    assert "row 4: period '2015H2', indicator 'professionals_involved' occurs more than once" in str(err.value)


def test_mask_small_counts(demo):
    t = disclosure.mask_small_counts(ind.indicator_report(demo, "2016H1")).set_index("indicator")
    # plans_closed: 4 in 2016H1, 0 in 2015H2 -> both small ("<5"); the change and the
    # direction would give them away ("..")
    assert t.loc["plans_closed", ["value", "previous", "change", "desired"]].tolist() == ["<5", "<5", "..", ".."]
    # a large value next to a small one is hidden as a complement, never called "<5"
    later = disclosure.mask_small_counts(ind.indicator_report(demo, "2016H2")).set_index("indicator")
    assert later.loc["plans_closed", ["value", "previous", "change"]].tolist() == ["..", "<5", ".."]
    # percentages and means untouched, large counts untouched
    assert t.loc["plans_reviewed_on_time", "value"] == 71.3
    assert t.loc["clients_with_plan", "value"] == 25.0


def test_desired_direction_and_share_by_hand():
    """Two indicators should fall (notices, waiting days), one rise (plans); one has no direction."""
    d = pd.DataFrame({"period": ["2025 H1"] * 4 + ["H2/2025"] * 4,
                      "indicator": ["notices", "waiting_days", "plans", "visits"] * 2,
                      "value": [40, 12, 10, 100, 31, 14, 16, 90]})
    cat = pd.DataFrame({"indicator": ["notices", "waiting_days", "plans"], "direction": ["down", "down", "up"],
                        "label_fi": ["Lastensuojeluilmoitukset", "Odotuspäivät", "Suunnitelmat"],
                        "target": [35, 10, np.nan]})
    t = ind.indicator_report(d, lang="fi", catalogue=cat).set_index("indicator")
    assert t["period"].iloc[0] == "2025H2" and t["previous_period"].iloc[0] == "2025H1"
    assert t.loc["notices", "desired"] and not t.loc["waiting_days", "desired"] and t.loc["plans", "desired"]
    assert pd.isna(t.loc["visits", "desired"])
    assert t.loc["notices", "target_met"] and not t.loc["waiting_days", "target_met"]   # down: value ≤ target
    share = ind.desired_share(t)
    assert (share.n_desired, share.n) == (2, 3) and share.share == pytest.approx(2 / 3)
    assert t.loc["visits", "label"] == "visits"


def _indicator_study(tmp_path, data_rows, catalogue_rows):
    (tmp_path / "indikaattorit.csv").write_text("kausi;indikaattori;arvo;yksikkö\n" + "\n".join(data_rows) + "\n",
                                                encoding="utf-8")
    (tmp_path / "luettelo.csv").write_text("indikaattori;nimi;yksikkö;suunta\n" + "\n".join(catalogue_rows) + "\n",
                                           encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "files:\n  - {path: indikaattorit.csv, population: pilot, dataset: indicators}\n"
        "  - {path: luettelo.csv, population: pilot, dataset: indicator-catalogue}\n", encoding="utf-8")
    from analysis.intake.manifest import load_study

    return load_study(tmp_path)


def test_unit_read_through_declared_aliases_so_small_counts_are_masked(tmp_path):
    # 'lkm' is Finnish for count: read as count, so a count of 3 is suppressed (it was published)
    study = _indicator_study(tmp_path, ["2024 H2;plans;29;lkm", "2025/H1;plans;3;kpl", "2025/H1;neet;11,9;%",
                                        "2025/H1;wait;12,5;keskiarvo", "2025/H1;other;4;henkilöä"],
                             ["plans;Suunnitelmat;lkm;up", "neet;NEET;prosenttia;down"])
    data = study.table("pilot", "indicators")
    assert data["unit"].tolist() == ["count", "count", "percent", "mean", "count"]
    assert study.table("pilot", "indicator-catalogue")["unit"].tolist() == ["count", "percent"]
    report = ind.indicator_report(data, catalogue=study.table("pilot", "indicator-catalogue"))
    masked = disclosure.mask_small_counts(report).set_index("indicator")
    assert report.set_index("indicator").loc["plans", "unit"] == "count"
    assert masked.loc["plans", "value"] == masked.loc["other", "value"] == "<5"
    assert masked.loc["neet", "value"] == 11.9


def test_unit_given_only_in_the_catalogue_is_used_and_a_disagreement_is_rejected_naming_both(tmp_path):
    study = _indicator_study(tmp_path, ["2025/H1;plans;3;", "2025/H1;neet;12;lkm", "2025/H1;wait;9;%"],
                             ["plans;Suunnitelmat;count;up", "neet;NEET;%;down", "wait;Odotus;;down"])
    intake = study.intake().set_index("dataset")
    assert intake.loc["indicators", ["n_read", "n_accepted", "n_rejected"]].tolist() == [3, 2, 1]
    rej = study.rejected
    assert rej["row"].tolist() == [3] and rej["column"].tolist() == ["yksikkö"]
    assert "luettelo.csv row 3" in rej["reason"].iloc[0] and "'percent'" in rej["reason"].iloc[0]
    report = ind.indicator_report(study.table("pilot", "indicators"),
                                  catalogue=study.table("pilot", "indicator-catalogue")).set_index("indicator")
    assert report.loc["plans", "unit"] == "count" and report.loc["wait", "unit"] == "percent"
    # called directly with disagreeing frames: an error naming the row, not a silent choice
    d = pd.DataFrame({"period": "2025H1", "indicator": ["neet"], "value": [12.0], "unit": ["count"]}, index=[5])
    with pytest.raises(ValueError, match=r"row 5, column 'unit': value 'count', but the catalogue gives unit 'percent'"):
        ind.indicator_report(d, catalogue=pd.DataFrame({"indicator": ["neet"], "unit": ["percent"]}))


def test_catalogue_direction_read_through_declared_aliases(tmp_path):
    # ylös/alas (fi), upp/ned (sv), increase/decrease, kasvu/lasku: up and down; the header 'suunta' too
    study = _indicator_study(tmp_path, ["2024 H2;a;10;lkm", "2025 H1;a;12;lkm", "2024 H2;b;10;lkm", "2025 H1;b;12;lkm"],
                             ["a;A;lkm;ylös", "b;B;lkm;alas", "c;C;%;Upp", "d;D;%;ned", "e;E;%;increase",
                              "f;F;%;lasku", "g;G;%;sivulle"])
    cat = study.table("pilot", "indicator-catalogue")
    assert cat["direction"].tolist() == ["up", "down", "up", "down", "up", "down"]
    rej = study.rejected
    assert rej["row"].tolist() == [8] and rej["column"].tolist() == ["suunta"] and "up, down" in rej["reason"].iloc[0]
    report = ind.indicator_report(study.table("pilot", "indicators"), catalogue=cat).set_index("indicator")
    assert report["desired"].tolist() == [True, False]
