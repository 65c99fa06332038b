"""Reports on data that strain them: tiny groups, a constant item, one respondent, a cohort
of three. Every report must be written (sections that cannot be computed say why), and no
hidden value may be recomputable: each report audits its own tables before writing
(:func:`analysis.report.disclosure.audit`), and the classic attacks of the disclosure issue
are tried here on the published workbooks.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from report_tables import book as _book

from analysis.report.runner import run

pytestmark = pytest.mark.xdist_group("study-reports")

DEMO = Path(__file__).resolve().parent.parent / "analysis" / "datasets" / "demo"
MASKS = {"<5", ".."}


def _copy(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(DEMO, data)
    return data




def _numeric(value) -> float | None:
    return None if isinstance(value, str) and value in MASKS else float(value)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """The demo with three 'other' genders in the cohort, one age × gender cell of three, a
    pilot with two dropouts, an SUS answered alike by everyone on one item."""
    data = _copy(tmp_path_factory.mktemp("tiny"))
    bg = pd.read_csv(data / "cohort_background.csv")
    other = bg.index[bg["gender"] == "other"]
    bg.loc[other[3:], "gender"] = "female"                    # exactly three 'other' remain
    bg.to_csv(data / "cohort_background.csv", index=False)
    client = pd.read_csv(data / "client_survey.csv")
    client["cs_1"] = 4                                         # a constant item
    client.to_csv(data / "client_survey.csv", index=False)
    out = tmp_path_factory.mktemp("tiny-out")
    outcomes = run(data, out, workers=2)
    return data, out, outcomes


def test_tiny_groups_every_report_written(tiny):
    _, _, outcomes = tiny
    assert [o.status for o in outcomes] == ["written"] * 8, outcomes


def test_subtraction_and_percentage_attacks_fail_on_the_sample_table(tiny):
    data, out, _ = tiny
    sample = _book(out, "02_validation_report")["sample"]
    gender = sample[sample["variable"] == "gender"].set_index("category")
    assert gender.loc["other", "n"] in MASKS and gender.loc["other", "pct"] in MASKS
    total = _numeric(gender.loc["all", "n"])
    shown = [_numeric(gender.loc[g, "n"]) for g in ("female", "male")]
    assert None in shown                                       # total − shown cells no longer gives 'other'
    pcts = [gender.loc[g, "pct"] for g in ("female", "male")]
    assert any(p in MASKS for p in pcts)                       # nor do the percentages
    html = (out / "02_validation_report.html").read_text(encoding="utf-8")
    assert "(n = 3)" not in html and total == 900


def test_norm_groups_do_not_reveal_the_small_cell(tiny):
    _, out, _ = tiny
    b = _book(out, "03_norms")
    cells = b["means_by_cell"]
    small = cells[(cells["gender"] == "other")]
    assert small["n"].isin(MASKS).all()
    by_gender = b["means_by_gender"].set_index("gender")
    assert by_gender.loc["other", "n"] in MASKS
    # all − shown groups must not give the hidden group's n
    shown = [_numeric(by_gender.loc[g, "n"]) for g in ("female", "male")]
    assert None in shown


def test_reliable_change_classes_cannot_be_recomputed(tiny):
    _, out, _ = tiny
    rc = _book(out, "04_pilot_evaluation")["reliable_change"]
    for _, rows in rc.groupby("score"):
        rows = rows.set_index("change")
        hidden = [c for c in ("improved", "unchanged", "deteriorated") if rows.loc[c, "n"] in MASKS]
        assert len(hidden) != 1                                # one hidden class next to its total is derivable


def test_constant_item_does_not_stop_the_survey_report(tiny):
    _, out, _ = tiny
    items = _book(out, "05_participant_surveys")["client_items"].set_index("item")
    # everyone answered 4: n with the mean and % agreeing would give every answer, so the SD
    # and the mean are left out (the percentage alone leaves 4 or 5 open)
    assert items.loc["cs_1", "pct_agree"] == 100 and items.loc["cs_1", ["sd", "mean"]].tolist() == ["..", ".."]


def test_one_respondent_and_a_cohort_of_three(tmp_path):
    data = _copy(tmp_path)
    pilot = pd.read_csv(data / "pilot_3x10d.csv")
    pilot[pilot["respondent_id"] == pilot["respondent_id"].iloc[0]].to_csv(data / "pilot_3x10d.csv", index=False)
    cohort = pd.read_csv(data / "cohort_3x10d.csv")
    keep = cohort["respondent_id"].drop_duplicates().iloc[:3]
    cohort[cohort["respondent_id"].isin(keep)].to_csv(data / "cohort_3x10d.csv", index=False)
    out = tmp_path / "out"
    outcomes = run(data, out, workers=2)
    status = {o.notebook[:2]: (o.status, o.detail) for o in outcomes}
    assert all(s == "written" for s, _ in status.values()), status
    html = (out / "02_validation_report.html").read_text(encoding="utf-8")
    assert "Section not produced" in html
