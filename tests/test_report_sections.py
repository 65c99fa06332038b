"""Sections of reports 01, 03 and 05 as the notebooks call them: what each adds to the report,
which sections appear only when there is something to show, and sentences about a group that
disclosure control hid."""
from __future__ import annotations

import tempfile
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import datasets
from analysis.report.document import Report, open_report
from analysis.report.sections.data_intake import IntakeReport
from analysis.report.sections.norms import NormsReport
from analysis.report.sections.participant_surveys import SurveysReport


def _open(name):
    with warnings.catch_warnings():
        return open_report(name, datasets.path("demo"), tempfile.mkdtemp())


def _headings(r):
    return [b.text for b in r._blocks if b.kind == "heading"]


def test_intake_sections_only_when_there_is_something_to_show():
    r = _open("01_data_intake")
    intake = IntakeReport(r)
    for section in ("files", "rejected", "unplaced", "free_text", "missing", "patterns"):
        getattr(intake, section)()
    # the demo has no unrecognised headers, unknown values or unmatched ids: no such sections
    assert sorted(r._tables) == ["free_text", "intake", "missing_by_column", "missing_patterns"]
    assert len(_headings(r)) == 5
    total = r["intake"].iloc[-1]
    summary = next(b.text for b in r._blocks if b.kind == "paragraph" and f"{total['n_read']:,}" in b.text)
    assert f"{total['n_accepted']:,}" in summary


def test_intake_section_of_its_own_when_rows_exist():
    r = _open("01_data_intake")
    intake = IntakeReport(r)
    intake._if_any("unknown_values", pd.DataFrame({"file": ["a.csv"], "column": ["gender"], "value": ["x"],
                                                   "n": [2]}), "unknown")
    intake._if_any("id_mismatches", pd.DataFrame(), "ids")
    assert list(r._tables) == ["unknown_values"] and len(_headings(r)) == 1


def test_norms_sections_on_the_demo():
    r = _open("03_norms")
    norms = NormsReport(r)
    with pytest.raises(ValueError, match="no norm table"):
        norms.lookup()                                   # the norm tables come first
    norms.intro()
    assert "Age group × Gender" in r._blocks[-1].text
    norms.sample()
    norms.profiles()
    assert {"means_by_cell", "means_by_age_group", "means_by_gender"} <= set(r._tables)
    assert {"profile_age_group", "profile_gender"} <= set(r.figure_data)


def _sus_report(n: int) -> Report:
    """A study whose only data are ``n`` SUS scores."""
    scores = pd.DataFrame({"respondent_id": [f"p{i}" for i in range(n)],
                           "sus_score": np.linspace(40, 90, n)})
    study = SimpleNamespace(synthetic=False, manifest=SimpleNamespace(disclosure=None, comments="redact"),
                            has=lambda population, instrument=None, dataset=None:
                            (population, instrument) == ("pilot", "sus"),
                            scores=lambda population, instrument: scores)
    return Report("05_participant_surveys", study, out_dir=tempfile.mkdtemp(), display=False)


def test_sus_sentence_and_bands_only_when_the_respondents_are_shown():
    r = _sus_report(4)
    SurveysReport(r).usability()
    assert list(r._tables) == ["sus"] and r._tables["sus"].hidden(0, "n")
    assert not any(b.kind == "figure" for b in r._blocks)
    r = _sus_report(12)
    SurveysReport(r).usability()
    assert list(r._tables) == ["sus", "sus_bands"] and any(b.kind == "figure" for b in r._blocks)
    assert "12" in r._blocks[-3].text


def test_surveys_missing_from_the_study_say_so():
    r = _sus_report(12)
    surveys = SurveysReport(r)
    surveys.client()
    surveys.staff()
    assert [b.kind for b in r._blocks] == ["heading", "skip", "heading", "skip"]


# --------------------------------------------------------------------------- 06 and 07
def test_study_visits_from_an_extract_or_the_counted_file():
    from analysis.study.service_use import study_visits
    visits = pd.DataFrame({"respondent_id": ["a", "a", "b"], "service_type": "doctor",
                           "visit_date": pd.to_datetime(["2024-01-10", "2024-09-01", "2024-03-01"])})
    plans = pd.DataFrame({"respondent_id": ["a", "b"], "plan_date": pd.to_datetime(["2024-05-01", "2024-05-01"])})
    tables = {"service-visits": visits, "plan-dates": plans, "service-use": "counted"}
    both = SimpleNamespace(has=lambda p, dataset=None: dataset in tables, table=lambda p, d: tables[d])
    windows, counted = study_visits(both)
    assert windows is not None and counted is windows.counts and not windows.extract_date_given
    counted_only = SimpleNamespace(has=lambda p, dataset=None: dataset == "service-use", table=lambda p, d: tables[d])
    assert study_visits(counted_only) == (None, "counted")


def test_service_use_sentence_not_about_hidden_numbers():
    from analysis.report.sections.service_use import ServiceUseReport
    r = _open("06_service_use")
    report = ServiceUseReport(r)
    clients = [f"c{i}" for i in range(3)]           # three clients: every number of theirs is hidden
    report.visits = pd.DataFrame({"respondent_id": clients * 2, "period": ["before"] * 3 + ["after"] * 3,
                                  "service_type": "doctor", "visits": [2, 3, 1, 1, 2, 0]})
    report.results()
    assert r._tables["service_use"].hidden({"service_type": "all_services"}, "n")
    assert r._blocks[-1].kind == "paragraph" and not any(b.kind == "figure" for b in r._blocks)
    with pytest.raises(ValueError, match="could not be counted"):
        ServiceUseReport(r).results()


def test_indicators_of_the_study_and_the_share_moving_the_desired_way():
    from analysis.study.indicators import desired_share, study_indicators
    with pytest.raises(ValueError, match="no indicator file"):
        study_indicators(SimpleNamespace(has=lambda p, dataset=None: False))
    tables = {("staff", "indicators"): "staff file", ("cohort", "indicators"): "cohort file"}
    study = SimpleNamespace(has=lambda p, dataset=None: (p, dataset) in tables, table=lambda p, d: tables[(p, d)])
    assert study_indicators(study) == ("staff file", None)
    report = pd.DataFrame({"desired": pd.array([True, True, False, None], dtype="boolean")})
    assert desired_share(report).n == 3
    assert desired_share(report, hidden=pd.Series([True, False, False, False])) == desired_share(report.iloc[1:])


def test_shown_count_of_a_published_table():
    r = _open("06_service_use")
    shown = r.table("acc", pd.DataFrame({"measure": ["visits", "n_clients"], "value": [40, 3], "persons": [3, 3]}),
                    counts=None, title="A")
    assert r.shown_count(shown, {"measure": "visits"}) == "40"
    from analysis.report import disclosure
    masked = r.table("acc2", disclosure.mask_small_groups(shown.machine), counts=None, title="B")
    assert r.shown_count(masked, {"measure": "visits"}) == r.t("figures.hidden")
