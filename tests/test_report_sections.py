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
