"""Report 02's decisions, away from its notebook: the declared validation design and which of its
parts the data allow (groupings, known groups, hypotheses, the retest), group sizes for
invariance, the survey weight; and sections that say why they did not run."""
from __future__ import annotations

import dataclasses
import tempfile
import warnings

import pandas as pd
import pytest

from analysis import datasets
from analysis.intake.manifest import load_study
from analysis.report.document import open_report
from analysis.report.sections.validation_report import ValidationReport
from analysis.study import cohort


@pytest.fixture(scope="module")
def design():
    return cohort.validation(load_study(datasets.path("demo")))


def test_the_demo_design(design):
    assert (design.instrument, design.main, design.retest) == ("3x10d", "t1", ("t1", "retest"))
    assert design.sample["occasion"].eq("t1").all() and set(design.scores["occasion"]) == {"t1", "retest"}
    assert design.weight == "weight"
    assert design.model == "life_situation =~ " + " + ".join(design.domains.specific_items)
    assert design.invariance_groupings == ["gender", "age_group"]
    assert design.norm_groups == ["age_group", "gender"]
    assert [g["group"] for g in design.known_groups] == ["service_user", "activity"]
    hypotheses, testable = design.hypotheses()
    assert testable and len(testable) <= len(hypotheses)
    assert all(h["comparison"] in design.sample.columns for h in testable)


def test_what_the_sample_lacks_is_left_out(design):
    bare = dataclasses.replace(design, sample=design.sample.drop(columns=["gender", "activity", "weight", "swls_total"]),
                               occasions=("t1",))
    assert bare.invariance_groupings == ["age_group"] and bare.norm_groups == ["age_group"]
    assert [g["group"] for g in bare.known_groups] == ["service_user"]
    assert bare.weight is None and bare.retest is None and bare.main == "t1"
    hypotheses, testable = bare.hypotheses()
    assert all(h["comparison"] != "swls_total" for h in testable) and len(testable) < len(hypotheses)
    planless = dataclasses.replace(design, plan=None, occasions=())
    assert planless.main is None and planless.sample_columns == [] and planless.known_groups == []
    assert planless.hypotheses() == ([], [])


def test_group_sizes_and_weight():
    data = pd.DataFrame({"g": ["a"] * 120 + ["b"] * 100 + ["c"] * 99})
    assert cohort.group_sizes(data, "g", 100) == (["a", "b"], ["c"])
    assert cohort.group_sizes(data, "g", 200) == ([], ["a", "b", "c"])
    assert cohort.weight_column(data) is None and cohort.weight_column(data.assign(weight=1.0)) == "weight"


def _report(design=None):
    with warnings.catch_warnings():
        r = open_report("02_validation_report", datasets.path("demo"), tempfile.mkdtemp())
    validation = ValidationReport(r)
    if design is not None:
        validation.design = design
    return r, validation


def test_sections_without_plan_or_retest_say_why(design):
    r, validation = _report(dataclasses.replace(design, plan=None, occasions=("t1",)))
    validation.invariance()
    validation.hypotheses()
    validation.test_retest()
    skips = [b.text for b in r._blocks if b.kind == "skip"]
    assert len(skips) == 3 and validation.invariance_tables == {} and validation.retest_table is None
    assert validation.convergent_result is None


def test_invariance_names_the_groups_left_out(design):
    small = design.sample.assign(gender=design.sample["gender"].where(design.sample["gender"] != "other", "x"))
    plan = dataclasses.replace(design.plan, invariance_groupings=("gender",), min_group_n=10**6)
    r, validation = _report(dataclasses.replace(design, sample=small, plan=plan))
    validation.invariance()
    texts = [(b.kind, b.text) for b in r._blocks]
    assert texts[-1][0] == "skip" and "1000000" in texts[-1][1].replace(",", "").replace("\u00a0", "")
    assert validation.invariance_tables == {}
