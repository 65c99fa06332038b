"""Report 04's decisions, away from its notebook: which follow-up the study declares, where the
reliable change index gets its parameters, which groups may be published at all, and the
sections as they run on the demo study and on studies that lack parts of it."""
from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from analysis import datasets
from analysis.intake.manifest import ReliableChange, load_study
from analysis.report.document import open_report
from analysis.report.sections.pilot_evaluation import PilotEvaluation
from analysis.study import pilot


@pytest.fixture(scope="module")
def demo():
    return load_study(datasets.path("demo"))


@dataclass
class FakeManifest:
    reliable_change: ReliableChange | None = None


@dataclass
class FakeStudy:
    """What :func:`pilot.rci_parameters_for` asks of a study: the cohort's instrument, occasions
    and scores, and the manifest's reliable change."""
    cohort: pd.DataFrame | None = None
    occasions_: dict = field(default_factory=dict)
    manifest: FakeManifest = field(default_factory=FakeManifest)

    def has(self, population, instrument=None, dataset=None):
        return population == "cohort" and self.cohort is not None and instrument == "3x10d"

    def occasions(self, population):
        return self.occasions_.get(population, [])

    def scores(self, population, instrument):
        return self.cohort


def test_follow_up_of_the_demo(demo):
    fu = pilot.follow_up(demo)
    assert (fu.instrument, fu.first, fu.followups) == ("3x10d", "baseline", ("6m", "12m"))
    assert fu.baseline["occasion"].eq("baseline").all() and len(fu.baseline) == fu.scores["respondent_id"][
        fu.scores["occasion"] == "baseline"].nunique()
    assert fu.latest["occasion"].isin(["6m", "12m"]).all()
    assert fu.goals_set


def test_follow_up_with_one_occasion_uses_the_first_reading(demo):
    fu = pilot.follow_up(demo)
    single = pilot.FollowUp(fu.instrument, fu.domains, fu.scores[fu.scores["occasion"] == "baseline"], ("baseline",))
    assert single.followups == () and single.latest.equals(single.baseline)
    undeclared = pilot.FollowUp(fu.instrument, fu.domains, fu.scores, ())
    assert undeclared.first is None and undeclared.baseline is fu.scores


def test_rci_parameters_from_the_cohort_retest_first():
    cohort = pd.DataFrame({"respondent_id": list("abcdeabcde"), "occasion": ["t1"] * 5 + ["retest"] * 5,
                           "s": [2, 4, 5, 7, 9, 3, 4, 6, 7, 8]})
    stated = ReliableChange(source="manual", default={"reliability": 0.8, "sd": 2.0})
    study = FakeStudy(cohort=cohort, occasions_={"cohort": ["t1", "retest"]}, manifest=FakeManifest(stated))
    params = pilot.rci_parameters_for(study, ["s"])
    assert (params.origin, params.first, params.retest, params.reference) == ("cohort", "t1", "retest", None)
    assert params.to_frame()["icc"].round(2).tolist() == [0.95]            # the docstring example of rci_parameters


def test_rci_parameters_from_the_manifest_without_a_retest():
    stated = ReliableChange(source="Publisher's manual, n = 120", default={"reliability": 0.8, "sd": 2.0})
    one_occasion = FakeStudy(cohort=pd.DataFrame({"respondent_id": ["a"], "occasion": ["t1"], "s": [3]}),
                             occasions_={"cohort": ["t1"]}, manifest=FakeManifest(stated))
    for study in (FakeStudy(manifest=FakeManifest(stated)), one_occasion):
        params = pilot.rci_parameters_for(study, ["s", "t"])
        assert params.origin == "manifest" and params.reference == "Publisher's manual, n = 120"
        assert params.table["score"].tolist() == ["s", "t"]
        assert params.table["sdc"].tolist() == pytest.approx([1.96 * np.sqrt(2) * 2.0 * np.sqrt(0.2)] * 2, abs=1e-12)


def test_no_rci_parameters():
    assert pilot.rci_parameters_for(FakeStudy(), ["s"]) is None
    only_other = ReliableChange(source="x", scores={"other": {"reliability": 0.8, "sd": 2.0}})
    assert pilot.rci_parameters_for(FakeStudy(manifest=FakeManifest(only_other)), ["s"]) is None


def test_dropouts_and_whether_they_may_be_shown():
    counts = pd.DataFrame({"occasion": ["baseline", "6m", "12m"], "n": [31, 28, 24]})
    assert pilot.dropouts(counts) == (7, 24)
    assert pilot.dropouts(counts.assign(n=[26, 25, 24])) == (2, 24)


def test_rated_importance():
    assert pilot.rated_importance(pd.DataFrame(columns=["priority_health"]))
    assert not pilot.rated_importance(pd.DataFrame(columns=["sat_health", "gap_health"]))


def _evaluation(data_dir, **kw):
    with warnings.catch_warnings():
        r = open_report("04_pilot_evaluation", data_dir, tempfile.mkdtemp(), **kw)
    return r, PilotEvaluation(r)


def test_sections_on_the_demo_mark_exactly_the_hidden_cells():
    r, evaluation = _evaluation(datasets.path("demo"))
    for section in ("intro", "clients", "change", "reliable_change", "goals", "perspectives", "responsiveness",
                    "profiles"):
        getattr(evaluation, section)()
    assert evaluation.pair is not None and evaluation.changes is not None
    blocks = r._final_blocks()
    tables = [b.table for b in blocks if b.kind == "table"]
    assert len(tables) >= 9
    for shown in tables:
        marks = shown.machine.apply(lambda c: c.map(lambda v: v in ("<5", "..")))
        assert shown.mask.equals(marks), shown.machine.columns.tolist()


def test_one_occasion_skips_the_change_sections(tmp_path):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(datasets.path("demo"), data)
    manifest = (data / "manifest.yaml").read_text(encoding="utf-8")
    assert "  pilot:\n  - baseline\n  - 6m\n  - 12m\n" in manifest
    (data / "manifest.yaml").write_text(manifest.replace("  - 6m\n  - 12m\n", "", 1), encoding="utf-8")
    raw = pd.read_csv(data / "pilot_3x10d.csv")
    raw[raw["occasion"] == "baseline"].to_csv(data / "pilot_3x10d.csv", index=False)
    r, evaluation = _evaluation(data)
    for section in ("clients", "change", "reliable_change", "goals", "perspectives", "responsiveness", "profiles"):
        getattr(evaluation, section)()
    kinds = [(b.kind, b.text) for b in r._blocks]
    headings = [t for k, t in kinds if k == "heading"]
    assert headings == ["Clients and follow-up", "The three perspectives: satisfaction bands, priorities and goal gaps"]
    assert any(k == "skip" for k, _ in kinds) and evaluation.pair is None
