"""Report 04's minimal important change and change over three or more occasions, on the demo
study: the study functions and the sections publish what direct calls of
:func:`analysis.stats.change.mic`, :func:`~analysis.stats.change.rm_anova` and
:func:`~analysis.stats.change.mixed_change` give (those are tested against R in
``tests/test_change_mic.py`` and ``tests/test_change_repeated.py``)."""
from __future__ import annotations

import json
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import datasets
from analysis.intake.dictionary import DICTIONARY_DIR
from analysis.intake.manifest import load_study
from analysis.report.document import open_report
from analysis.report.sections.pilot_evaluation import PilotEvaluation
from analysis.stats import change
from analysis.study import pilot
from analysis.study.domains import MEAN_SCORE


@pytest.fixture(scope="module")
def demo():
    return load_study(datasets.path("demo"))


@pytest.fixture(scope="module")
def report():
    """Report 04 on the demo with the change, MIC and repeated sections run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = open_report("04_pilot_evaluation", datasets.path("demo"), tempfile.mkdtemp())
        evaluation = PilotEvaluation(r)
        evaluation.change()
        evaluation.minimal_important_change(n_boot=200)
        evaluation.repeated_occasions()
    return r, evaluation


def test_improved_categories_come_from_the_anchor_schema(demo):
    schema = json.loads((DICTIONARY_DIR / "pilot-anchor.json").read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f["name"] == "anchor")
    marked = [c["value"] for c in field["categories"] if c.get("improved")]
    assert pilot.anchor_improved(demo) == marked == [1, 2]
    assert pilot.anchor_improved(demo, dataset="background") == []


def _direct_mic(demo, n_boot, seed):
    fu = pilot.follow_up(demo)
    pair = pilot.latest_reading(fu.scores, fu.domains.scores, fu.first, fu.followups)
    anchor = pilot.anchor_for(demo.table("pilot", "anchor"), fu.occasions)
    data = pd.DataFrame({"change": (pair.post[MEAN_SCORE] - pair.pre[MEAN_SCORE]).round(pilot.CHANGE_DECIMALS)}
                        ).join(anchor.rename("anchor"), how="inner")
    return change.mic(data, "change", "anchor", improved=[1, 2], n_boot=n_boot, seed=seed)


def test_mic_table_equals_direct_mic(demo):
    fu = pilot.follow_up(demo)
    pair = pilot.latest_reading(fu.scores, fu.domains.scores, fu.first, fu.followups)
    anchor = pilot.anchor_for(demo.table("pilot", "anchor"), fu.occasions)
    table = pilot.mic_table(pair, anchor, [MEAN_SCORE], [1, 2], min_group=10, n_boot=200, seed=7)
    res = _direct_mic(demo, 200, 7)
    row = table.iloc[0]
    est = res.estimates.set_index("method")
    assert not row["too_small"]
    assert (row["n"], row["n_improved"], row["n_not_improved"]) == (res.n, res.n_improved, res.n_not_improved)
    assert row["auc"] == res.auc and row["auc_ci_low"] == res.auc_ci_low and row["auc_ci_high"] == res.auc_ci_high
    for method, key in (("roc", "roc"), ("predictive", "pred"), ("adjusted", "adj")):
        assert row[f"mic_{key}"] == est.loc[method, "mic"]
        assert row[f"mic_{key}_ci_low"] == est.loc[method, "ci_low"]
        assert row[f"mic_{key}_ci_high"] == est.loc[method, "ci_high"]
        assert row[f"pct_{key}"] == 100 * est.loc[method, "share_at_least"]


def test_small_groups_give_no_mic(demo):
    fu = pilot.follow_up(demo)
    pair = pilot.latest_reading(fu.scores, fu.domains.scores, fu.first, fu.followups)
    anchor = pilot.anchor_for(demo.table("pilot", "anchor"), fu.occasions)
    table = pilot.mic_table(pair, anchor, [MEAN_SCORE], [1, 2], min_group=16, n_boot=0)
    assert table.loc[0, "too_small"] and "mic_roc" not in table
    assert table.loc[0, "n_improved"] == 15


def test_repeated_change_equals_direct_calls(demo):
    fu = pilot.follow_up(demo)
    res = pilot.repeated_change(fu, [MEAN_SCORE, "sat_housing"])
    for score in (MEAN_SCORE, "sat_housing"):
        aov = change.rm_anova(fu.scores, score, "occasion", "respondent_id", occasions=list(fu.occasions))
        mixed = change.mixed_change(fu.scores, score, "occasion", "respondent_id", occasions=list(fu.occasions))
        row = res.anova.set_index("score").loc[score]
        assert (row["n_complete"], row["f_rm"], row["df1"], row["df2"], row["eps_gg"], row["p_gg"], row["np2"],
                row["n_persons"]) == (aov.n, aov.F, aov.df1, aov.df2, aov.eps_gg, aov.p_gg, aov.np2, mixed.n_persons)
        eff = res.effects[res.effects["score"] == score].reset_index(drop=True)
        diff = mixed.effects[mixed.effects["term"] == "difference"].reset_index(drop=True)
        assert eff["occasion"].tolist() == diff["occasion"].tolist() == list(fu.followups)
        for ours, theirs in (("n_obs", "n"), ("est", "estimate"), ("se", "se"), ("ci_low", "ci_low"),
                             ("ci_high", "ci_high"), ("p", "p")):
            np.testing.assert_array_equal(eff[ours].to_numpy(), diff[theirs].to_numpy())
        pw = res.pairwise[res.pairwise["score"] == score].drop(columns="score").reset_index(drop=True)
        pd.testing.assert_frame_equal(pw, aov.pairwise.reset_index(drop=True))


def test_two_occasions_with_data_are_skipped(demo):
    fu = pilot.follow_up(demo)
    two = pilot.FollowUp(fu.instrument, fu.domains, fu.scores[fu.scores["occasion"] != fu.occasions[-1]], fu.occasions)
    assert pilot.occasions_with_data(two, MEAN_SCORE) == fu.occasions[:2]


def test_sections_publish_the_direct_numbers(report, demo):
    r, _ = report
    res = _direct_mic(demo, 200, r.seed)
    est = res.estimates.set_index("method")
    mic = r["mic"].set_index("score").loc[MEAN_SCORE]
    assert int(mic["n_improved"]) == res.n_improved and int(mic["n_not_improved"]) == res.n_not_improved
    assert float(mic["mic_adj"]) == pytest.approx(est.loc["adjusted", "mic"], abs=0)
    assert float(mic["auc"]) == pytest.approx(res.auc, abs=0)
    fu = pilot.follow_up(demo)
    aov = change.rm_anova(fu.scores, MEAN_SCORE, "occasion", "respondent_id", occasions=list(fu.occasions))
    rep = r["repeated"].set_index("score").loc[MEAN_SCORE]
    assert float(rep["f_rm"]) == aov.F and float(rep["p_gg"]) == aov.p_gg and int(rep["n_complete"]) == aov.n
    mixed = change.mixed_change(fu.scores, MEAN_SCORE, "occasion", "respondent_id", occasions=list(fu.occasions))
    eff = r["repeated_mixed"]
    eff = eff[eff["score"] == MEAN_SCORE]
    np.testing.assert_array_equal(eff["est"].astype(float).to_numpy(),
                                  mixed.effects.loc[mixed.effects["term"] == "difference", "estimate"].to_numpy())
    texts = " ".join(b.text for b in r._blocks if b.kind == "paragraph")
    assert "somewhat better" in texts and "much better" in texts


def test_repeated_section_skips_with_two_occasions(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = open_report("04_pilot_evaluation", datasets.path("demo"), tempfile.mkdtemp())
    evaluation = PilotEvaluation(r)
    fu = evaluation.follow_up
    evaluation.follow_up = pilot.FollowUp(fu.instrument, fu.domains,
                                          fu.scores[fu.scores["occasion"] != fu.occasions[-1]], fu.occasions)
    evaluation.repeated_occasions()
    assert r._blocks[-1].kind == "skip" and "at least three occasions" in r._blocks[-1].text
    assert "repeated" not in r._tables
