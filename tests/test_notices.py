"""Warnings of the statistics code reach a report in the report's language: each carries a key
and its fields (analysis.stats.notices), the catalogues say every key in English and Finnish,
and the report writes the fields in words (labels, lists, counts under the small-cell rule)."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.report import i18n
from analysis.report.document import Report, study_labels
from analysis.stats import reliability
from analysis.stats.notices import Notice, StatsWarning

STATS = Path(__file__).resolve().parent.parent / "analysis" / "stats"
#: Keys made at run time (``f"icc_left_out_{method}"``, ``f"sem.dropped_{key}"``).
MADE = ["icc_left_out_anova", "icc_left_out_reml", "sem.dropped_no_group", "sem.dropped_listwise",
        "sem.dropped_no_covariate", "sem.dropped_no_value"]


def _keys() -> list[str]:
    code = "\n".join(p.read_text(encoding="utf-8") for p in STATS.glob("*.py"))
    return sorted(set(re.findall(r"\b(?:warn|Notice)\(\s*\"([\w.]+)\"", code)) | set(MADE))


def test_every_warning_of_the_statistics_code_is_in_both_catalogues():
    keys = _keys()
    assert len(keys) > 15 and "negative_items" in keys and "sem.latent_not_positive_definite" in keys
    for lang in ("en", "fi"):
        missing = [k for k in keys if f"stats.{k}" not in i18n.catalogue(lang)]
        assert not missing, (lang, missing)


def test_a_warning_keeps_its_english_text_for_library_users():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 4, 5, 6, 3], "c": [5, 4, 3, 2, 2, 3]}, dtype=float)
    with pytest.warns(StatsWarning, match=r"items \['c'\] correlate negatively") as caught:
        reliability.cronbach_alpha(items)
    w = caught[0].message
    assert w.key == "negative_items" and list(w.fields["items"]) == ["c"]


def test_the_report_says_a_warning_in_its_language():
    r = Report("05_participant_surveys", None, lang="fi", display=False)
    r.labels = study_labels("fi")
    items = pd.DataFrame({"sat_health": [1, 2, 3, 4, 5, 3], "sat_family": [2, 2, 4, 5, 6, 3],
                          "sat_housing": [5, 4, 3, 2, 2, 3]}, dtype=float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reliability.cronbach_alpha(items)
    r.program_note(caught[0].message)
    note = r._notes[-1]
    assert note.startswith("Osio Asuminen korreloi negatiivisesti"), note
    assert "[" not in note and "sat_" not in note and "englanniksi" not in note


def test_counts_in_a_warning_pass_the_small_cell_rule():
    r = Report("02_validation_report", None, lang="en", display=False)
    r.program_note(Notice("omega_listwise", "omega: {n_dropped} of {n} rows", n_dropped=3, n=900))
    assert r._notes[-1] == ("Omega: fewer than 5 of 900 rows have a missing item and are left out (listwise, "
                            "as lavaan's default).")


def test_other_whole_numbers_in_a_warning_are_printed_as_they_are():
    r = Report("02_validation_report", None, lang="en", display=False)
    r.note("02_validation_report.structure.cfa_warning",
           warning=Notice("sem.several_minima", "{tries} starts, {minima} minima", tries=3, minima=2, chisq="1, 2"))
    assert "3 sets of starting values reached 2 different minima" in r._notes[-1]


def test_a_model_warning_in_a_note_is_said_in_the_report_language():
    r = Report("02_validation_report", None, lang="fi", display=False)
    r.labels = study_labels("fi")
    w = Notice("sem.latent_not_positive_definite", "covariance matrix of the latent variables{where} is not "
               "positive definite", where=" in group 'female'", group="female")
    r.note("02_validation_report.structure.cfa_warning", warning=w)
    assert r._notes[-1].endswith("piilevien muuttujien kovarianssimatriisi ryhmässä nainen ei ole positiivisesti "
                                 "definiitti"), r._notes[-1]


def test_an_unknown_warning_is_given_as_the_programs_english():
    r = Report("02_validation_report", None, lang="fi", display=False)
    r.program_note(UserWarning("something else happened"))
    assert r._notes[-1] == "Ohjelman ilmoitus (englanniksi): something else happened"
