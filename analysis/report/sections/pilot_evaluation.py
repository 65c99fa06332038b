"""Report 04, the pilot evaluation: the clients' life-domain self-assessments over time.

Sections (methods of :class:`PilotEvaluation`, in the notebook's order): who stayed in the
follow-up, change per domain (first vs latest available reading), reliable change of
individual clients, goals, the 3X perspectives (bands, priorities, goal gaps), responsiveness
against the clients' own rating of change, and domain profiles. Sections about change run
only when the study declares follow-up occasions; those that build on the change of each
client (reliable change, responsiveness, profiles) only when that could be computed.

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("04_pilot_evaluation", datasets.path("demo"), tempfile.mkdtemp())
>>> evaluation = PilotEvaluation(r)
>>> evaluation.change()
>>> r.shown_n("change", {"score": "domain_mean"})
'31'
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.report import disclosure, figures
from analysis.report.disclosure import TableSpec
from analysis.report.document import Report
from analysis.stats.change import attrition, paired_change, responsiveness
from analysis.study import pilot
from analysis.study.domains import MEAN_SCORE
from analysis.study.reference_norms import national_norms

#: What the change table's numbers are: per score, the clients with a first and a latest reading,
#: the mean and SD of each reading (sums over those clients), and other statistics of them.
CHANGE_SPEC = TableSpec(population="pilot clients, paired change", context=["score"], means=["mean_pre", "mean_post"],
                        sds={"sd_pre": "mean_pre", "sd_post": "mean_post"},
                        values={"mean_pre": "first reading", "mean_post": "latest reading"})
#: The first reading of those who stayed (completers: within the clients with a change) and of those
#: who left: the difference of the two tables' sums is the first reading of the clients in neither.
#: Bootstrap resamples of the minimal important change's intervals.
MIC_BOOT = 1000
BASELINE_SPEC = TableSpec(population="pilot clients, first reading", context=["score"],
                          counts=["n_completers", "n_dropouts"], means=["mean_completers", "mean_dropouts"],
                          of={"mean_completers": "n_completers", "mean_dropouts": "n_dropouts"},
                          values={"mean_completers": "first reading", "mean_dropouts": "first reading"},
                          within={"n_completers": CHANGE_SPEC.population})


class PilotEvaluation:
    """The pilot evaluation of ``report``'s study (see the module docstring).

    ``individual_figures`` adds figures of individual clients (an internal version of the
    report, never for publication); otherwise the report says they were withheld.
    """

    def __init__(self, report: Report, *, individual_figures: bool = False):
        self.r = report
        self.follow_up = pilot.follow_up(report.study)
        self.individual_figures = individual_figures
        self.norm = national_norms(corrected=True).set_index("domain")["mean"]
        #: each client's first and latest reading, and their paired change (set by :meth:`change`)
        self.pair: pilot.LatestPair | None = None
        self.changes: pd.DataFrame | None = None

    def intro(self) -> None:
        """What the report covers, and whether figures of individual clients are in it."""
        r, fu = self.r, self.follow_up
        r.text("04_pilot_evaluation.intro", instrument=r.label(fu.instrument), occasions=", ".join(fu.occasions) or "–")
        r.working_text("04_pilot_evaluation.individual_internal" if self.individual_figures
                       else "04_pilot_evaluation.individual_withheld")

    def clients(self) -> None:
        """Background of the clients, clients per occasion and how those who left compare."""
        r, fu = self.r, self.follow_up
        r.heading("04_pilot_evaluation.clients.heading")
        background = pilot.background_table(r.study)
        if background is not None:
            r.table("background", background,
                    spec=TableSpec(population="pilot clients", dims=["category"], context=["variable"], percents=["pct"]))
        if not fu.followups:
            r.skip("04_pilot_evaluation.one_occasion")
            return
        att = attrition(fu.scores, fu.domains.scores, fu.occasions)
        counts = r.table("attrition", att.counts)
        r.text("04_pilot_evaluation.clients.attrition", n_first=r.shown_n(counts, 0), n_last=r.shown_n(counts, -1),
               last=fu.occasions[-1])
        r.text("04_pilot_evaluation.clients.dropouts")
        if r.publishable(*pilot.dropouts(att.counts)):
            r.table("attrition_baseline", att.baseline, spec=BASELINE_SPEC)
        else:       # the group is as small as the difference of two published counts: not shown at all
            r.text("04_pilot_evaluation.clients.few_dropouts", min_n=r.min_n)

    def change(self) -> None:
        """Change per domain between the first and the latest available reading."""
        r, fu = self.r, self.follow_up
        if not fu.followups:
            return
        r.heading("04_pilot_evaluation.change.heading")
        r.text("04_pilot_evaluation.change.intro", first=fu.first, followups=", ".join(fu.followups))
        self.pair = pair = pilot.latest_reading(fu.scores, fu.domains.scores, fu.first, fu.followups)
        if r.publishable(*pair.used["n"]):
            r.table("readings_used", pair.used, spec=TableSpec(population="pilot clients, first reading", dims=["occasion"]))
        else:       # a group under the limit would follow from the counts of change below: not shown at all
            r.text("04_pilot_evaluation.change.few_readings", min_n=r.min_n)
        self.changes = paired_change(pair.pre, pair.post)
        scale = (fu.domains.scale_min, fu.domains.scale_max)       # each reading: n, mean and SD on the scale
        shown = r.table("change", self.changes,
                        spec=dataclasses.replace(CHANGE_SPEC, scales={"mean_pre": scale, "mean_post": scale}))
        mean = {"score": MEAN_SCORE}
        if shown.hidden(mean, "n") or shown.hidden(mean, "mean_change"):
            r.text("04_pilot_evaluation.change.suppressed")
            return
        value = lambda column: shown.value(mean, column)      # noqa: E731
        r.text("04_pilot_evaluation.change.summary", n=r.n(value("n")), change=r.num(value("mean_change")),
               ci=r.ci(value("ci_low"), value("ci_high")), srm=r.num(value("srm")))

    def reliable_change(self) -> None:
        """Clients whose change was reliable (Jacobson & Truax), with parameters from the
        comparison cohort's retest or the manifest (:func:`analysis.study.pilot.rci_parameters_for`)."""
        r, fu, pair = self.r, self.follow_up, self.pair
        if not fu.followups or pair is None:
            return
        r.heading("04_pilot_evaluation.rci.heading")
        params = pilot.rci_parameters_for(r.study, fu.domains.scores)
        if params is None:
            r.skip("04_pilot_evaluation.rci.no_parameters")
            return
        if params.origin == "cohort":
            r.text("04_pilot_evaluation.rci.from_cohort", first=params.first, retest=params.retest)
        else:
            r.text("04_pilot_evaluation.rci.from_manifest", source=params.reference)
        r.table("rci_parameters", params.table, counts=["n_retest", "n_cohort"])
        classes = pilot.rci_classes(pair, params.table)
        r.table("reliable_change", pilot.rci_summary(classes),
                spec=TableSpec(population="pilot clients, change", dims=["change"], context=["score"], percents=["percent"]))
        g = fu.domains.global_score
        sdc = params.table.set_index("score")["sdc"]
        if g not in sdc.index:
            return
        r.table_figure("reliable_change", "reliable_change", figures.rci_chart, "04_pilot_evaluation.rci.class_figure",
                       options={"score": g, "title": r.label(g)}, score=r.label(g))
        if self.individual_figures:
            r.figure("jacobson", figures.jacobson_plot(pair.pre[g], pair.post[g], sdc[g], lang=r.lang, title=r.label(g)),
                     "04_pilot_evaluation.rci.figure", score=r.label(g), sdc=r.num(sdc[g]))

    def goals(self) -> None:
        """Goals set at the first reading and reached by the latest one, per domain."""
        r, fu = self.r, self.follow_up
        if not fu.followups or not fu.goals_set:
            return
        ld = fu.domains
        r.heading("04_pilot_evaluation.goals.heading")
        r.text("04_pilot_evaluation.goals.intro")
        pair = pilot.latest_reading(fu.scores, list(ld.goal) + list(ld.satisfaction), fu.first, fu.followups)
        goals = r.table("goals", pilot.goal_summary(pilot.goal_attainment(pair.pre, pair.post, ld.domains)),
                        spec=TableSpec(population="pilot goals", dims=["domain"], counts=["n_goals", "n_reached"]))
        if goals.hidden(-1, "n_goals") or goals.hidden(-1, "n_reached"):
            return
        r.text("04_pilot_evaluation.goals.summary", reached=r.count(goals.value(-1, "n_reached")),
               goals=r.count(goals.value(-1, "n_goals")), pct=r.pct(100 * goals.value(-1, "share_reached")))

    def perspectives(self) -> None:
        """The 3X perspectives: traffic-light bands at the first and latest reading, priority
        domains and goal gaps."""
        r, fu = self.r, self.follow_up
        r.heading("04_pilot_evaluation.perspectives.heading")
        r.text("04_pilot_evaluation.perspectives.intro")
        baseline = fu.baseline
        r.table("bands", pilot.band_distribution(baseline, fu.latest, pilot.band_names(fu.instrument)),
                spec=TableSpec(population="pilot clients, bands", dims=["band"], context=["domain"],
                               counts=["n_first", "n_latest"]))
        if not pilot.rated_importance(baseline):
            r.skip("04_pilot_evaluation.perspectives.no_importance")
            return
        r.table("priorities", pilot.priorities(baseline, fu.domains.domains))
        r.table("priorities_per_client", pilot.priorities_per_client(baseline),
                spec=TableSpec(population="pilot clients, importance", dims=["priority_domains"]))

    def responsiveness(self) -> None:
        """Change of the clients who rated themselves improved against those who did not."""
        r, fu, pair = self.r, self.follow_up, self.pair
        if not fu.followups or pair is None:
            return
        r.heading("04_pilot_evaluation.responsiveness.heading")
        if not r.has("pilot", dataset="anchor"):
            r.skip("common.missing_input", what=r.t("04_pilot_evaluation.responsiveness.anchor"))
            return
        r.text("04_pilot_evaluation.responsiveness.intro")
        anchor = pilot.anchor_for(r.study.table("pilot", "anchor"), fu.occasions)
        groups = ["n_improved", "n_not_improved"]
        r.table("responsiveness", disclosure.suppress_small_cells(responsiveness(pair.post - pair.pre, anchor),
                                                                  ["n", *groups], parts=groups), counts=None)

    def minimal_important_change(self, n_boot: int = MIC_BOOT) -> None:
        """Minimal important change of the domain mean against the anchor (the clients' own
        global rating of their life situation, hence the mean of the domains), with the
        improved categories the anchor's data dictionary declares
        (:func:`analysis.study.pilot.anchor_improved`). An improved or not-improved group under
        the disclosure policy's statistic minimum is reported as too small."""
        r, fu, pair = self.r, self.follow_up, self.pair
        if not fu.followups or pair is None:
            return
        r.heading("04_pilot_evaluation.mic.heading")
        if not r.has("pilot", dataset="anchor"):
            r.skip("common.missing_input", what=r.t("04_pilot_evaluation.responsiveness.anchor"))
            return
        improved = pilot.anchor_improved(r.study)
        if not improved:
            r.skip("04_pilot_evaluation.mic.no_improved")
            return
        r.text("04_pilot_evaluation.mic.intro", n_boot=r.count(n_boot), seed=r.seed,
               improved=", ".join(f"{v} {r.label(str(v), 'anchor')}" for v in improved))
        anchor = pilot.anchor_for(r.study.table("pilot", "anchor"), fu.occasions)
        table = pilot.mic_table(pair, anchor, [MEAN_SCORE], improved, min_group=self.min_group, n_boot=n_boot,
                                seed=r.seed)
        row = table.iloc[0]
        if row["too_small"]:
            r.text("04_pilot_evaluation.mic.too_small", n_improved=r.n(row["n_improved"]),
                   n_not_improved=r.n(row["n_not_improved"]), min_n=self.min_group)
            return
        shown = r.table("mic", table.drop(columns="too_small"), counts=["n", "n_improved", "n_not_improved"])
        mean = {"score": MEAN_SCORE}
        if any(shown.hidden(mean, c) for c in ("mic_adj", "pct_adj", "auc")):
            return
        value = lambda column: shown.value(mean, column)      # noqa: E731
        r.text("04_pilot_evaluation.mic.summary", mic=r.num(value("mic_adj")),
               ci=r.ci(value("mic_adj_ci_low"), value("mic_adj_ci_high")), pct=r.pct(value("pct_adj")),
               auc=r.prop(value("auc")))

    def repeated_occasions(self) -> None:
        """Change over all occasions when the pilot has three or more with readings: rm-ANOVA and
        the mixed model per score (:func:`analysis.study.pilot.repeated_change`), then the
        pairwise tests."""
        r, fu = self.r, self.follow_up
        if not fu.followups:
            return
        r.heading("04_pilot_evaluation.repeated.heading")
        occasions = pilot.occasions_with_data(fu, MEAN_SCORE)
        if len(occasions) < 3:
            r.skip("04_pilot_evaluation.repeated.few_occasions", k=len(occasions), occasions=", ".join(occasions) or "–")
            return
        r.text("04_pilot_evaluation.repeated.intro", k=len(occasions), occasions=", ".join(occasions), first=occasions[0])
        res = pilot.repeated_change(fu, fu.domains.scores)
        shown = r.table("repeated", res.anova, counts=["n_complete", "n_persons"])
        r.table("repeated_mixed", res.effects, counts=["n_obs"])
        r.table("repeated_pairwise", res.pairwise, counts=["n"])
        mean = {"score": MEAN_SCORE}
        if any(shown.hidden(mean, c) for c in ("n_complete", "f_rm", "p_gg", "np2")):
            return
        value = lambda column: shown.value(mean, column)      # noqa: E731
        r.text("04_pilot_evaluation.repeated.summary", df1=r.num(value("df1"), 0), df2=r.num(value("df2"), 0),
               f=r.num(value("f_rm")), p=r.p_is(value("p_gg")), np2=r.prop(value("np2")),
               n=r.n(value("n_complete")))

    @property
    def min_group(self) -> int:
        """Fewest clients a group may have for its statistics to be published (the disclosure
        policy's statistic minimum, at least the report's count minimum)."""
        return max(self.r.min_n, self.r.policy.min_statistic_n)

    def profiles(self) -> None:
        """Domain profiles: the group's means at the first and latest reading next to the
        national reference; in an internal version, a few clients' own profiles."""
        r, fu = self.r, self.follow_up
        if not fu.followups or self.changes is None:
            return
        r.heading("04_pilot_evaluation.profiles.heading")
        r.text("04_pilot_evaluation.profiles.intro")
        r.table_figure("group_profile", "change", figures.group_profile, "04_pilot_evaluation.profiles.group_figure",
                       options={"norm": self.norm})
        if not self.individual_figures:
            return
        r.text("04_pilot_evaluation.profiles.individual")
        for label, readings in pilot.example_profiles(fu.scores, fu.domains.domains, fu.occasions, k=3,
                                                      seed=r.seed).items():
            r.figure(f"profile_{label}", figures.profile_chart(readings, self.norm, lang=r.lang, title=label),
                     "04_pilot_evaluation.profiles.individual_figure", label=label)
