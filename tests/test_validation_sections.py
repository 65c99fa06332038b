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


# ---- issue 21, item 8: longitudinal invariance, DIF, the response scale (numbers = direct calls) ----

@pytest.fixture(scope="module")
def item_level():
    r, validation = _report()
    validation.response_scale()
    validation.longitudinal_invariance()
    validation.dif()
    validation.cosmin()
    return r, validation


def test_longitudinal_invariance_is_the_direct_call(design, item_level):
    from analysis.stats import sem

    r, validation = item_level
    # the demo's steps are all proper and all meet Chen's limits, so no partial step is fitted
    # (the partial path is tested on data with a moved intercept below)
    direct = sem.longitudinal_invariance(design.scores, design.model, occasions=list(design.retest),
                                         estimator="MLR", missing="ml")
    pd.testing.assert_frame_equal(validation.longitudinal_table, direct)
    assert list(r["longitudinal_invariance"]["model"]) == ["configural", "metric", "scalar", "strict"]
    assert direct["admissible"].all() and direct["supported"].iloc[1:].tolist() == [True, True, True]
    texts = " ".join(b.text for b in r._blocks if b.kind == "paragraph")
    assert "3 of 3 steps meet Chen's limits" in texts
    assert "freed:" not in texts and "solution is improper" not in texts
    change = direct.attrs["latent_means"]["scalar"].iloc[0]          # the scalar model's F.t2 ~ 1
    assert (f"differs from the first measurement (t1) by {change['est']:.2f} standard deviations of the first "
            f"measurement (95% CI [{change['ci_lower']:.2f}, {change['ci_upper']:.2f}]".replace("-", "−")) in texts
    assert r["longitudinal_invariance"]["cfi"].tolist() == pytest.approx(direct["cfi"].tolist(), abs=1e-12)
    assert cohort.retest_pairs(design.scores, design.retest) == 150
    rated = r["cosmin_summary"].set_index("property").loc["cross-cultural validity / measurement invariance", "evidence"]
    assert "t1 → retest" in rated and "not rated" not in rated   # proper solutions are rated


def test_dif_is_the_direct_call_over_large_enough_groups(design, item_level):
    from analysis.stats import irt

    r, validation = item_level
    min_n = r.policy.min_statistic_n
    assert set(validation.dif_results) == {"gender", "age_group"}
    complete = design.sample[design.sample[design.domains.specific_items].notna().all(axis=1)
                             & design.sample["gender"].notna()]
    direct = irt.dif_ordinal(complete, design.domains.specific_items, "gender", min_group=min_n).table
    shown = r["dif_gender"]
    uniform = shown[shown["test"] == "uniform"].reset_index(drop=True)
    assert uniform["item"].tolist() == design.domains.specific_items
    assert uniform["chisq"].tolist() == pytest.approx(direct["chi2_12"].tolist(), abs=1e-12)
    total = shown[shown["test"] == "total_dif"].reset_index(drop=True)
    assert total["p"].tolist() == pytest.approx(direct["p_13"].tolist(), abs=1e-12)
    assert total["delta_r2"].tolist() == pytest.approx(direct["delta_r2_13"].tolist(), abs=1e-12)
    assert total["size"].tolist() == direct["size_13"].tolist()


def test_dif_leaves_small_groups_out(design):
    small = cohort.dif_by_group(design.sample, design.domains.specific_items, "gender", 100)
    assert small.used == ("female", "male") and small.left_out == ("other",)
    assert small.result is not None and small.result.levels == ("female", "male")
    none = cohort.dif_by_group(design.sample, design.domains.specific_items, "gender", 10**6)
    assert none.result is None and none.to_frame().empty
    r, validation = _report(dataclasses.replace(design, plan=dataclasses.replace(design.plan,
                                                                                 invariance_groupings=("gender",))))
    r.policy = dataclasses.replace(r.policy, min_statistic_n=10**6)
    validation.dif()
    assert validation.dif_results == {} and sum(b.kind == "skip" for b in r._blocks) == 1


def test_response_scale_is_the_direct_call_after_collapsing(design, item_level):
    from analysis.stats import irt

    r, validation = item_level
    items = design.domains.specific_items
    with pytest.raises(ValueError, match="sat_family"):
        irt.pcm(design.sample, items)                      # category 1 of family is unused in the demo
    recoded, unused, codes = cohort.collapse_unused(design.sample, items)
    assert unused == {"sat_family": (1,)} and 1 not in codes["sat_family"]
    direct = irt.pcm(recoded, items)
    shown = r["response_scale"]
    assert shown["infit_msq"].tolist() == pytest.approx(direct.itemfit["infit_msq"].tolist(), abs=1e-12)
    assert shown["location"].tolist() == pytest.approx(direct.thresholds["location"].tolist(), abs=1e-12)
    assert shown["ordered"].tolist() == direct.thresholds["ordered"].tolist()
    assert shown.set_index("item").loc["sat_family", "unused"] == "1"
    item = validation.scale_result.example_item
    curves = validation.scale_result.curves(item, [0.0])
    assert curves["probability"].sum() == pytest.approx(1.0)
    assert curves["probability"].tolist() == pytest.approx(
        irt.category_probabilities(direct, item, [0.0])["probability"].tolist(), abs=1e-12)


def test_language_versions_are_compared_when_the_background_has_them(tmp_path):
    """A background file with the questionnaire's language version (here a Finnish header
    ``Kieli`` with ``suomi``/``ruotsi``) adds it to the invariance and DIF groupings; the
    Swedish answers are built with a shifted item, which DIF finds."""
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(datasets.path("demo"), folder)
    background = pd.read_csv(folder / "cohort_background.csv")
    swedish = background.index % 3 == 0
    background.insert(4, "Kieli", ["ruotsi" if s else "suomi" for s in swedish])
    background.to_csv(folder / "cohort_background.csv", index=False)
    answers = pd.read_csv(folder / "cohort_3x10d.csv")
    shifted = answers["respondent_id"].isin(background.loc[swedish, "respondent_id"])
    answers.loc[shifted, "sat_housing"] = (answers.loc[shifted, "sat_housing"] - 3).clip(lower=0)
    answers.to_csv(folder / "cohort_3x10d.csv", index=False)
    design = cohort.validation(load_study(folder))
    assert design.invariance_groupings == ["gender", "age_group", "form_language"]
    assert set(design.sample["form_language"].dropna()) == {"fi", "sv"}
    with warnings.catch_warnings():
        r = open_report("02_validation_report", folder, str(tmp_path / "out"))
    validation = ValidationReport(r)
    validation.invariance()                 # a grouping with no title of its own in the catalogues
    validation.dif()
    titles = [b.text for b in r._blocks if b.kind == "table"]
    assert "Measurement invariance by Language version" in " ".join(titles)
    assert "Differential item functioning by Language version" in " ".join(titles)
    validation.cosmin()
    rated = r["cosmin_summary"].set_index("property").loc["cross-cultural validity / measurement invariance", "evidence"]
    assert "Language version — metric" in rated and "Gender — metric" in rated and "form_language" not in rated
    shown = r["dif_form_language"]
    uniform = shown[shown["test"] == "uniform"].set_index("item")["p"]
    assert uniform.idxmin() == "sat_housing" and uniform.min() < 1e-6


def test_retest_invariance_frees_the_intercept_that_moved():
    """Five items, 400 persons twice; item c's intercept rises by 0.8 at the second occasion:
    scalar invariance fails, the score test names c's intercept, and freeing it (alone) gives
    a partial scalar model within Chen's limits."""
    import numpy as np

    rng = np.random.default_rng(11)
    n, items = 400, list("abcde")
    f = rng.normal(size=n)
    frames = []
    for t, occasion in enumerate(["alku", "loppu"]):
        g = 0.9 * f + 0.45 * rng.normal(size=n) + 0.2 * t
        x = pd.DataFrame({i: g * 0.8 + rng.normal(scale=0.6, size=n) for i in items})
        if t:
            x["c"] += 0.8
        frames.append(x.assign(respondent_id=[f"p{k}" for k in range(n)], occasion=occasion))
    scores = pd.concat(frames, ignore_index=True)
    res = cohort.retest_invariance(scores, "F =~ a + b + c + d + e", ["alku", "loppu"])
    assert res.step == "scalar" and res.freed == ("c~1",) and res.freed_items == ("c",)
    assert res.partial_supported is True
    assert list(res.table["model"]) == ["configural", "metric", "scalar", "scalar (partial)", "strict"]
    same = cohort.retest_invariance(scores[scores["occasion"] == "alku"].assign(occasion="alku").pipe(
        lambda d: pd.concat([d, d.assign(occasion="loppu")])), "F =~ a + b + c + d + e", ["alku", "loppu"])
    assert same.step is None and same.freed == () and same.partial_supported is None
