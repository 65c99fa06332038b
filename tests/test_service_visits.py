"""Visit-level service use (analysis.study.service_use.visit_windows): windows, extract date and
accounting checked against counts made independently in the tests (datetime + dateutil), and the
before/after analysis from visits against the analysis of the pre-counted table."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

import analysis.study.service_use as su
from analysis.intake.readers import load_table

HERE = Path(__file__).resolve().parent
COUNTED = pd.read_csv(HERE / "fixtures" / "data" / "service_use_2026.csv")
# Plan dates that stress calendar months: month ends, leap day, year ends.
TRICKY = [date(2023, 8, 31), date(2024, 2, 29), date(2023, 12, 31), date(2024, 1, 31), date(2023, 3, 31),
          date(2024, 5, 15), date(2023, 10, 1), date(2024, 6, 30)]


def _window(plan: date, length: int = 6, unit: str = "months") -> tuple[date, date]:
    """[start, plan) and [plan, end): dateutil's relativedelta clips to the month's last day."""
    step = relativedelta(months=length) if unit == "months" else timedelta(days=length)
    return plan - step, plan + step


def _visits_from_counts(counted: pd.DataFrame, seed: int):
    """Visits whose window counts are ``counted``: each counted visit on a random day of its
    window (the first on the window's first day, the last on its last day), plus visits that
    must not be counted: the day before a window, the day a window ends, a client without a plan."""
    rng = np.random.default_rng(seed)
    ids = list(pd.unique(counted["respondent_id"]))
    plans = {i: TRICKY[k % len(TRICKY)] + timedelta(days=int(rng.integers(0, 3))) for k, i in enumerate(ids)}
    rows = []
    for (i, period, service), k in counted.set_index(["respondent_id", "period", "service_type"])["visits"].items():
        start, end = _window(plans[i])
        lo, hi = (start, plans[i]) if period == "before" else (plans[i], end)
        days = [lo + timedelta(days=int(d)) for d in rng.integers(0, (hi - lo).days, k)]
        if k >= 2:
            days[0], days[-1] = lo, hi - timedelta(days=1)
        rows += [(i, d, service) for d in days]
        if rng.random() < 0.3:
            rows.append((i, start - timedelta(days=1) if period == "before" else end, service))
    rows += [("nobody", date(2024, 1, 1), "nurse"), ("nobody", date(2024, 2, 1), "dentist")]
    order = rng.permutation(len(rows))
    visits = pd.DataFrame([rows[j] for j in order], columns=["respondent_id", "visit_date", "service_type"])
    visits["visit_date"] = pd.to_datetime(visits["visit_date"])
    plan_frame = pd.DataFrame({"respondent_id": ids, "plan_date": pd.to_datetime(list(plans.values()))})
    return visits, plan_frame


def test_visits_give_the_counted_table_and_the_same_analysis():
    visits, plans = _visits_from_counts(COUNTED, seed=4)
    services = list(pd.unique(COUNTED["service_type"])) + ["dentist"]
    res = su.visit_windows(visits, plans, services=services, extract_date="2025-12-31")
    got = res.counts[res.counts["service_type"] != "dentist"].reset_index(drop=True)
    expected = COUNTED.set_index(["respondent_id", "period", "service_type"]).loc[
        pd.MultiIndex.from_frame(got[["respondent_id", "period", "service_type"]])].reset_index()
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=True)
    assert (res.counts.loc[res.counts["service_type"] == "dentist", "visits"] == 0).all()
    assert res.visits_counted == COUNTED["visits"].sum() and res.n_complete == res.n_clients == 33
    assert res.visits_no_plan_date == 2 and res.n_no_plan_date == 1
    assert res.visits_read == len(visits) == (res.visits_counted + res.visits_outside_windows
                                              + res.visits_no_plan_date + res.visits_excluded_clients)
    # the analysis from visits equals the analysis of the counted table, to the last digit
    from_visits = su.service_use_change(got, n_boot=300, seed=3)
    from_counts = su.service_use_change(COUNTED, n_boot=300, seed=3)
    pd.testing.assert_frame_equal(from_visits, from_counts, check_exact=True)


def _hand_counts(visits, plans, extract, length, unit):
    """Each visit placed by plain date comparisons, one row at a time."""
    windows = {i: (p.date(), *_window(p.date(), length, unit)) for i, p in zip(plans.respondent_id, plans.plan_date)}
    counts, places = {}, {"outside": 0, "no_plan_date": 0, "excluded": 0}
    for i, d, s in visits[["respondent_id", "visit_date", "service_type"]].itertuples(index=False):
        if i not in windows:
            places["no_plan_date"] += 1
            continue
        plan, start, end = windows[i]
        period = "before" if start <= d.date() < plan else "after" if plan <= d.date() < end else None
        if period is None:
            places["outside"] += 1
        elif end - timedelta(days=1) > extract:
            places["excluded"] += 1
        else:
            counts[(i, period, s)] = counts.get((i, period, s), 0) + 1
    return counts, places


@pytest.mark.parametrize("length, unit", [(6, "months"), (3, "months"), (182, "days")])
def test_random_visits_against_hand_count(length, unit):
    rng = np.random.default_rng(length)
    n = 3000
    ids = [f"c{k:02d}" for k in range(40)]
    visits = pd.DataFrame({"respondent_id": rng.choice(ids + ["x1", "x2"], n),
                           "visit_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, n), "D"),
                           "service_type": rng.choice(["nurse", "Päihdepalvelut", "x-ray", "social_work"], n)})
    plans = pd.DataFrame({"respondent_id": ids,
                          "plan_date": pd.Timestamp("2023-06-30") + pd.to_timedelta(rng.integers(0, 540, 40), "D")})
    res = su.visit_windows(visits, plans, length=length, unit=unit)
    extract = visits["visit_date"].max().date()
    assert res.extract_date.date() == extract and res.extract_date_source == "last visit"
    counts, places = _hand_counts(visits, plans, extract, length, unit)
    got = res.counts.set_index(["respondent_id", "period", "service_type"])["visits"]
    assert {k: v for k, v in got.items() if v} == counts
    assert list(pd.unique(res.counts["service_type"])) == ["Päihdepalvelut", "nurse", "social_work", "x-ray"]
    assert len(res.counts) == res.n_included * 2 * 4                 # zeros are rows too
    assert (res.visits_outside_windows, res.visits_no_plan_date, res.visits_excluded_clients) == \
        (places["outside"], places["no_plan_date"], places["excluded"])
    complete = [i for i, p in zip(plans.respondent_id, plans.plan_date)
                if _window(p.date(), length, unit)[1] - timedelta(days=1) <= extract]
    assert res.clients.loc[res.clients["complete"], "respondent_id"].tolist() == complete
    assert 0 < res.n_incomplete == 40 - len(complete)


def test_window_edges_and_month_ends():
    w = su.plan_windows(pd.DataFrame({"respondent_id": ["a", "b", "c"],
                                      "plan_date": pd.to_datetime(["2023-08-31", "2024-02-29", "2024-03-31"])}))
    assert [d.date().isoformat() for d in w["before_start"]] == ["2023-02-28", "2023-08-29", "2023-09-30"]
    assert [d.date().isoformat() for d in w["after_end"]] == ["2024-02-29", "2024-08-29", "2024-09-30"]
    days = su.plan_windows(w[["respondent_id", "plan_date"]].head(1), length=10, unit="days")
    assert days.loc[0, "before_start"] == pd.Timestamp("2023-08-21") and days.loc[0, "after_end"] == pd.Timestamp("2023-09-10")
    # first day of before: before; the day before the plan: before; plan day: after; after_end: outside
    visits = pd.DataFrame({"respondent_id": "a", "service_type": "nurse", "visit_date": pd.to_datetime(
        ["2023-02-27", "2023-02-28", "2023-08-30 23:59", "2023-08-31", "2024-02-28", "2024-02-29"], format="ISO8601")})
    res = su.visit_windows(visits, w.head(1)[["respondent_id", "plan_date"]])
    assert res.counts["visits"].tolist() == [2, 2] and res.visits_outside_windows == 2
    assert res.extract_date == pd.Timestamp("2024-02-29") and res.n_complete == 1


def test_incomplete_after_windows_are_flagged_counted_and_excluded():
    plans = pd.DataFrame({"respondent_id": ["a", "b"], "plan_date": pd.to_datetime(["2024-01-15", "2024-06-01"])})
    visits = pd.DataFrame({"respondent_id": ["a", "a", "b", "b"], "service_type": ["doctor", "nurse", "nurse", "nurse"],
                           "visit_date": pd.to_datetime(["2023-12-01", "2024-02-01", "2024-01-01", "2024-07-01"])})
    # a's after window ends 2024-07-15 (last day 2024-07-14), b's 2024-12-01
    res = su.visit_windows(visits, plans, extract_date="2024-07-14")
    assert res.extract_date_source == "given"
    assert res.clients["complete"].tolist() == [True, False] and res.n_incomplete == 1
    assert res.counts["respondent_id"].unique().tolist() == ["a"] and res.visits_counted == 2
    assert res.visits_excluded_clients == 2
    assert res.clients.set_index("respondent_id").loc["b", ["visits_before", "visits_after"]].tolist() == [1, 1]
    kept = su.visit_windows(visits, plans, extract_date="2024-07-14", incomplete="include")
    assert kept.n_included == 2 and kept.visits_counted == 4 and kept.visits_excluded_clients == 0
    assert su.visit_windows(visits, plans, extract_date="2024-07-13").n_complete == 0
    row = res.to_frame()
    assert row.loc[0, "visits_read"] == 4 and "counts" not in row.columns


def test_bad_input_is_named():
    plans = pd.DataFrame({"respondent_id": ["a", "a", "b"], "plan_date": pd.to_datetime(["2024-01-15", "2024-01-15", None])})
    visits = pd.DataFrame({"respondent_id": ["a"], "service_type": ["nurse"], "visit_date": pd.to_datetime(["2024-02-01"])})
    with pytest.raises(ValueError, match=r"missing values in column 'plan_date', row\(s\) \[2\]"):
        su.visit_windows(visits, plans)
    with pytest.raises(ValueError, match=r"row\(s\) \[0, 1\] repeat client\(s\) \['a'\]"):
        su.visit_windows(visits, plans.head(2))
    ok = plans.tail(2).assign(respondent_id=["a", "b"], plan_date=pd.to_datetime(["2024-01-15", "2024-01-20"]))
    with pytest.raises(ValueError, match="visits up to 2024-02-01 but extract_date is 2024-01-31"):
        su.visit_windows(visits, ok, extract_date="2024-01-31")
    with pytest.raises(ValueError, match=r"service type\(s\) \['nurse'\] in the visits but not in services"):
        su.visit_windows(visits, ok, services=["doctor"])
    with pytest.raises(ValueError, match=r"needs a date .* row\(s\) \[0\]"):
        su.visit_windows(visits.assign(visit_date=["1.2.2024"]), ok)
    with pytest.raises(ValueError, match="expected a whole number ≥ 1"):
        su.visit_windows(visits, ok, length=6, unit="weeks")
    with pytest.raises(KeyError, match="service_type"):
        su.visit_windows(visits.drop(columns="service_type"), ok)


def _finnish_extract(folder, visit_lines: str) -> None:
    """A patient-record extract of visits and the plan dates, as an evaluator exports them."""
    (folder / "kaynnit.csv").write_text("Asiakastunnus;Käyntipäivä;Palvelu;Yksikkö;Yhteystapa\n" + visit_lines,
                                        encoding="utf-8")
    (folder / "suunnitelmat.csv").write_text("asiakastunnus;suunnitelman päivämäärä\nA1;1.3.2024\n", encoding="utf-8")


def test_files_with_finnish_headers_load_and_count(tmp_path):
    _finnish_extract(tmp_path, "A1;15.1.2024;Terveydenhoitaja;Kuopio;käynti\nA1;1.9.2024;Terveydenhoitaja;Kuopio;puhelin\n"
                               "A1;1.4.2024;Päihdepalvelut;;\n")
    visits = load_table(tmp_path / "kaynnit.csv", "service-visits").data
    plans = load_table(tmp_path / "suunnitelmat.csv", "plan-dates").data
    assert list(visits.columns) == ["respondent_id", "visit_date", "service_type", "unit", "contact_type"]
    res = su.visit_windows(visits, plans, extract_date="2024-12-31")
    got = res.counts.set_index(["period", "service_type"])["visits"].to_dict()
    assert got == {("before", "Päihdepalvelut"): 0, ("before", "Terveydenhoitaja"): 1,
                   ("after", "Päihdepalvelut"): 1, ("after", "Terveydenhoitaja"): 0}
    assert res.visits_outside_windows == 1      # 1.9.2024: the after window is [1.3.2024, 1.9.2024)


def test_service_types_differing_only_in_case_are_one_service(tmp_path):
    _finnish_extract(tmp_path, "A1;15.1.2024;Lääkäri;Kuopio;käynti\nA1;20.1.2024;lääkäri;KUOPIO;Käynti\n"
                               "A1;1.4.2024;lääkäri ;kuopio;käynti\nA1;2.4.2024;Sosiaalityö;Kuopio;puhelin\n"
                               "A1;3.4.2024;SOSIAALITYÖ;Kuopio;Puhelin\n")
    res = load_table(tmp_path / "kaynnit.csv", "service-visits")
    assert res.data["service_type"].tolist() == ["lääkäri"] * 3 + ["Sosiaalityö"] * 2   # most rows; a tie: first
    assert res.data["unit"].tolist() == ["Kuopio"] * 5 and set(res.data["contact_type"]) == {"käynti", "puhelin"}
    note = next(n for n in res.notes if "'Palvelu'" in n)
    assert "'Lääkäri' (1 row)" in note and "'lääkäri' (2 rows)" in note and "'lääkäri'" in note.split("one value, ")[1]
    windows = su.visit_windows(res.data, load_table(tmp_path / "suunnitelmat.csv", "plan-dates").data,
                               extract_date="2024-12-31")
    got = windows.counts.set_index(["period", "service_type"])["visits"].to_dict()
    assert got == {("before", "Sosiaalityö"): 0, ("before", "lääkäri"): 2,
                   ("after", "Sosiaalityö"): 2, ("after", "lääkäri"): 1}
