"""Report 02, the validation of the life-domain instrument against the comparison cohort.

COSMIN-structured sections (methods of :class:`ValidationReport`, in the notebook's order): the
sample, descriptives with the national norms, floor and ceiling, internal consistency, the
sampling adequacy, exploratory and confirmatory factor analysis, measurement invariance,
hypotheses (convergent validity, known groups), test–retest reliability and measurement error,
the COSMIN summary of all of these, and a discussion. The first occasion serves the
cross-sectional analyses, the retest the reliability over time; what the plan declares
(:func:`analysis.study.cohort.validation`) and the data allow decides which parts run.

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("02_validation_report", datasets.path("demo"), tempfile.mkdtemp())
>>> validation = ValidationReport(r)
>>> validation.floor_ceiling()
>>> r["floor_ceiling"]["column"].tolist()[:2]
['sat_health', 'sat_resilience']
"""
from __future__ import annotations

import numpy as np

from analysis.report import figures, i18n, present
from analysis.report.disclosure import TableSpec
from analysis.report.document import Report
from analysis.stats import descriptives, reliability, sem, structure, validity
from analysis.study import cohort

#: Bootstrap resamples of omega's interval (rows resampled, the one-factor model refitted).
N_BOOT = 1000


class ValidationReport:
    """The validation report of ``report``'s study (see the module docstring). The results the
    COSMIN summary draws on are kept as attributes (``alpha_result``, ``cfa_result``,
    ``invariance_tables``, …) as the sections compute them; a section that failed leaves its
    ``None``."""

    def __init__(self, report: Report):
        self.r = report
        self.design = cohort.validation(report.study)
        self.alpha_result = self.omega_result = self.cfa_result = None
        self.retest_table = self.convergent_result = self.floor_ceiling_table = None
        self.invariance_tables: dict = {}
        self.longitudinal_table = self.scale_result = self.dynamic_table = None
        self.dif_results: dict = {}

    @property
    def _items(self):
        """The domain-specific satisfaction items of the sample (the items of the factor model)."""
        return self.design.sample[self.design.domains.specific_items]

    def intro(self) -> None:
        r, v = self.r, self.design
        r.text("02_validation_report.intro", main=v.main or "–", n=r.n(len(v.sample)))

    def sample(self) -> None:
        """Rows per occasion and the sample at the first occasion by the plan's background columns."""
        r, v = self.r, self.design
        r.heading("02_validation_report.sample.heading")
        if v.occasions:
            r.table("occasions", descriptives.composition(v.scores, ["occasion"], total=True,
                                                          order={"occasion": list(v.occasions)}),
                    spec=TableSpec(population="cohort rows", dims=["category"], context=["variable"], percents=["pct"]))
        if v.sample_columns:
            r.table("sample", descriptives.composition(v.sample, v.sample_columns, total=True),
                    spec=TableSpec(population="cohort", dims=["category"], context=["variable"], percents=["pct"]))
        r.text("02_validation_report.sample.summary", n=r.n(len(v.sample)), main=v.main or "–")

    def descriptives(self) -> None:
        """Descriptives of every score, and the domain means against the national norms (as
        printed and after the publisher's erratum), for the sample and its first known group."""
        r, v = self.r, self.design
        r.heading("02_validation_report.descriptives.heading")
        r.text("02_validation_report.descriptives.intro")
        r.table("descriptives", descriptives.describe(v.sample, v.domains.scores).rename(columns={"column": "score"}))
        group = v.known_groups[0]["group"] if v.known_groups else None
        comparison = cohort.norm_comparison(v.sample, v.domains.domains, weight=v.weight, by=group)
        r.text("02_validation_report.descriptives.norms")
        r.table("norm_comparison", comparison,
                spec=TableSpec(population="cohort, answered", dims=["group"], context=["domain"], exhaustive=False))
        life = comparison.set_index(["group", "domain"]).loc[(descriptives.ALL, v.domains.global_domain)]
        r.text("02_validation_report.descriptives.norms_summary", mean=r.num(life["mean"]),
               published=r.num(life["published_mean"]), diff_published=r.num(life["diff_published"]),
               corrected=r.num(life["corrected_mean"]), diff_corrected=r.num(life["diff_corrected"]),
               weighting=r.t("02_validation_report.descriptives.weighted" if v.weight
                             else "02_validation_report.descriptives.unweighted"))

    def floor_ceiling(self) -> None:
        """Shares at the lowest and the highest scale point of each item."""
        r, v = self.r, self.design
        r.heading("02_validation_report.floor.heading")
        r.text("02_validation_report.floor.intro")
        ld = v.domains
        self.floor_ceiling_table = validity.floor_ceiling(v.sample, list(ld.satisfaction), ld.scale_min, ld.scale_max)
        r.table("floor_ceiling", self.floor_ceiling_table)

    def reliability(self) -> None:
        """Internal consistency of the domain-specific items: alpha, omega, Schmid–Leiman omega."""
        r = self.r
        r.heading("02_validation_report.reliability.heading")
        r.text("02_validation_report.reliability.intro")
        items = self._items
        self.alpha_result = alpha = reliability.cronbach_alpha(items)
        self.omega_result = omega = reliability.omega(items, ci="bootstrap", n_boot=N_BOOT, seed=r.seed)
        hierarchical = reliability.omega_sl(items, n_factors=3)
        r.table("reliability", descriptives.reliability_summary(alpha, omega, omega_sl=hierarchical,
                                                                scale=r.t("02_validation_report.reliability.scale")),
                counts=["n", "n_omega"], keep=["n_items"])       # items are not persons
        r.table("alpha_items", alpha.items)
        r.text("02_validation_report.reliability.summary", alpha=r.prop(alpha.alpha),
               ci=present.interval_of(alpha.ci_low, alpha.ci_high, "prop", r.lang), n=r.n(alpha.n), omega=r.prop(omega.omega_total),
               omega_ci=present.interval_of(omega.ci_low, omega.ci_high, "prop", r.lang), n_boot=r.count(N_BOOT),
               n_omega=r.n(omega.n), omega_h=r.prop(hierarchical.omega_hierarchical), ecv=r.num(hierarchical.ecv))

    def sampling_adequacy(self) -> None:
        """KMO and Bartlett's test: whether the items suit a factor analysis."""
        r = self.r
        r.heading("02_validation_report.structure.heading")
        r.text("02_validation_report.structure.kmo")
        adequacy = cohort.sampling_adequacy(self._items)
        r.table("kmo_bartlett", adequacy.overall, counts=None, row_kinds="measure")
        r.table("kmo_items", adequacy.items, counts=None)

    def factors(self) -> None:
        """Parallel analysis (with its scree plot) and the exploratory factor analysis of as many
        factors as it retains (at least one)."""
        r = self.r
        r.text("02_validation_report.structure.efa")
        parallel = structure.parallel_analysis(self._items, n_iter=500, seed=r.seed)
        r.table("parallel_analysis", parallel.eigenvalues, counts=None)
        r.figure("scree", figures.scree_plot(parallel.eigenvalues, observed="observed_fa", simulated="sim_fa_quantile",
                                             lang=r.lang), "02_validation_report.structure.scree")
        n_factors = max(1, parallel.n_factors)
        efa = structure.efa(self._items, n_factors)
        r.table("efa_loadings", efa.to_frame(), counts=None, kinds={f: "num3" for f in efa.factors})
        r.text("02_validation_report.structure.efa_summary", n_factors=parallel.n_factors,
               n_components=parallel.n_components, used=n_factors)

    def cfa(self) -> None:
        """The one-factor confirmatory model (MLR, full-information ML for missing answers), its
        fit, estimates and largest modification indices."""
        r, v = self.r, self.design
        r.text("02_validation_report.structure.cfa", model=r.model_text(v.model))
        self.cfa_result = cfa = sem.cfa(v.sample, v.model, estimator="MLR", missing="ml")
        r.table("cfa_fit", descriptives.fit_table({r.t("02_validation_report.structure.one_factor"): cfa.fit}),
                counts=None, row_kinds="measure")
        r.table("cfa_estimates", cfa.estimates, counts=None, hide=["group", "label"])
        r.text("02_validation_report.structure.cfa_summary", n=r.n(cfa.n), n_total=r.n(cfa.n_total),
               patterns=cfa.n_patterns, cfi=r.prop(cfa.fit["cfi.robust"]), tli=r.num(cfa.fit["tli.robust"], 3),
               rmsea=r.prop(cfa.fit["rmsea.robust"]), srmr=r.prop(cfa.fit["srmr"]))
        indices = sem.modification_indices(cfa, sort=True, minimum_value=3.84).head(10)
        if len(indices):
            r.text("02_validation_report.structure.modindices")
            r.table("modification_indices", indices, counts=None, hide=["group", "block"])
        else:
            r.text("02_validation_report.structure.no_modindices")
        for w in cfa.warnings:
            r.note("02_validation_report.structure.cfa_warning", warning=w)
        self._dynamic_cutoffs()

    def _dynamic_cutoffs(self, reps: int = 500) -> None:
        """McNeish & Wolf's dynamic fit index cutoffs of the one-factor model, from its ML fit
        of complete answers (the simulation's setting): levels 1–3 and whether the fit meets each."""
        r, v = self.r, self.design
        self.dynamic_table = None
        try:
            cutoffs = sem.dynamic_cutoffs(sem.cfa(v.sample, v.model, estimator="ML"), reps=reps, seed=r.seed)
        except ValueError as error:
            r.text("02_validation_report.structure.dynamic_failed", reason=str(error))
            return
        self.dynamic_table = table = cutoffs.to_frame()
        shown = table[table["level"] >= 1].assign(misspecification=lambda t: t["misspecification"].map(r.model_text))
        r.text("02_validation_report.structure.dynamic", reps=reps, n=r.n(cutoffs.n),
               **{k: r.prop(cutoffs.fit[k]) for k in ("srmr", "rmsea", "cfi")})
        r.table("dynamic_cutoffs", shown[["level", "misspecification", "srmr", "meets_srmr", "rmsea", "meets_rmsea",
                                          "cfi", "meets_cfi"]], counts=None)

    def invariance(self) -> None:
        """Measurement invariance of the one-factor model across each planned grouping, over the
        groups of at least the plan's ``min_group_n`` persons."""
        r, v = self.r, self.design
        r.heading("02_validation_report.invariance.heading")
        r.text("02_validation_report.invariance.intro")
        self.invariance_tables = {}
        if not v.invariance_groupings:
            r.skip("02_validation_report.invariance.no_groupings")
        for grouping in v.invariance_groupings:
            used, left_out = cohort.group_sizes(v.sample, grouping, v.plan.min_group_n)
            r.heading("02_validation_report.invariance.grouping", level=3, grouping=r.label(grouping))
            if len(used) < 2:
                r.skip("02_validation_report.invariance.too_small", min_n=v.plan.min_group_n)
                continue
            if left_out:
                r.text("02_validation_report.invariance.left_out", groups=r.label_list(left_out, grouping),
                       min_n=v.plan.min_group_n)
            self.invariance_tables[grouping] = sem.invariance(v.sample[v.sample[grouping].isin(used)], v.model, grouping,
                                                             estimator="MLR", missing="ml")
            own = f"02_validation_report.tables.invariance_{grouping}"     # a declared grouping needs no title of its own
            r.table(f"invariance_{grouping}", self.invariance_tables[grouping], counts=None,
                    title_key=own if i18n.has(own, r.lang) else "02_validation_report.invariance.table",
                    grouping=r.label(grouping))

    def response_scale(self) -> None:
        """Functioning of the 0–10 response scale: a Rasch partial credit model of the
        domain-specific items (categories nobody chose collapsed first, and said so), its
        thresholds (ordered or not) and item fit, and the category probability curves of one
        item (:func:`analysis.study.cohort.scale_functioning`)."""
        r, v = self.r, self.design
        key = "02_validation_report.response_scale"
        r.heading(f"{key}.heading", level=3)
        r.text(f"{key}.intro")
        self.scale_result = None
        try:
            functioning = cohort.scale_functioning(v.sample, v.domains.specific_items)
        except ValueError as error:
            r.skip(f"{key}.failed", reason=str(error))
            return
        self.scale_result = functioning
        if functioning.unused:
            r.text(f"{key}.collapsed", codes="; ".join(f"{r.label(item)} {', '.join(map(str, codes))}"
                                                         for item, codes in functioning.unused.items()))
        table = functioning.to_frame()
        r.table("response_scale", table, title_key=f"{key}.table", counts=["n"])
        fit = functioning.result.itemfit
        r.text(f"{key}.summary", ordered=int(table["ordered"].sum()), k=len(table), n=r.n(functioning.result.n),
               infit_low=r.num(fit["infit_msq"].min()), infit_high=r.num(fit["infit_msq"].max()),
               outfit_low=r.num(fit["outfit_msq"].min()), outfit_high=r.num(fit["outfit_msq"].max()))
        item = functioning.example_item
        curves = functioning.curves(item, np.linspace(-6, 6, 121))
        r.figure("category_probabilities", figures.category_curves(curves, xlabel=r.t(f"{key}.theta"),
                                                                   ylabel=r.t(f"{key}.probability"), lang=r.lang),
                 f"{key}.figure", item=r.label(item))

    def longitudinal_invariance(self) -> None:
        """Measurement invariance of the one-factor model between the first occasion and the
        retest (the same persons twice; MLR and full-information ML as the CFA), with the
        partial version of the first step that fails (:func:`analysis.study.cohort.retest_invariance`),
        rated with the group invariance in the COSMIN summary."""
        r, v = self.r, self.design
        key = "02_validation_report.longitudinal"
        self.longitudinal_table = None
        if v.retest is None:
            r.heading(f"{key}.heading_none", level=3)
            r.skip(f"{key}.none")
            return
        first, retest = v.retest
        r.heading(f"{key}.heading", level=3, first=first, retest=retest)
        r.text(f"{key}.intro", first=first, retest=retest)
        result = cohort.retest_invariance(v.scores, v.model, v.retest)
        table = self.longitudinal_table = result.table
        r.table("longitudinal_invariance", table, title_key=f"{key}.table", counts=None, first=first, retest=retest)
        full = table[~table["model"].str.endswith("(partial)")]
        supported = full["supported"].iloc[1:]
        r.text(f"{key}.summary", n=r.n(max(table.attrs["nobs"].values())),
               pairs=r.n(cohort.retest_pairs(v.scores, v.retest)), k=int(supported.fillna(False).astype(bool).sum()),
               steps=len(supported))
        if result.freed:
            r.text(f"{key}.partial", step=r.t(f"{key}.steps.{result.step}"), items=r.label_list(result.freed_items),
                   what=r.t(f"{key}.freed.{result.step}"),
                   verdict=r.t(f"{key}.holds" if result.partial_supported else f"{key}.fails"))
        elif result.step is not None:
            r.text(f"{key}.no_partial", step=r.t(f"{key}.steps.{result.step}"))
        for step, means in table.attrs.get("latent_means", {}).items():
            m = means.iloc[0]
            r.text(f"{key}.mean_change", step=r.t(f"{key}.steps.{step.split(' ')[0]}"), retest=retest, first=first,
                   est=r.num(m["est"]), ci=r.ci(m["ci_lower"], m["ci_upper"]), p=r.p_is(m["pvalue"]))
        if not table["admissible"].astype(bool).all():
            r.text(f"{key}.improper")
        for warning in dict.fromkeys(w for ws in table.attrs.get("warnings", {}).values() for w in ws):
            r.note(f"{key}.warning", warning=warning)

    def dif(self) -> None:
        """Differential item functioning of the domain-specific items by each of the plan's
        invariance groupings (:func:`analysis.stats.irt.dif_ordinal`), over the groups with at
        least the report's smallest group for a statistic."""
        r, v = self.r, self.design
        key = "02_validation_report.dif"
        self.dif_results = {}
        min_n = r.policy.min_statistic_n
        r.heading(f"{key}.heading", level=3)
        r.text(f"{key}.intro", min_n=min_n)
        if not v.invariance_groupings:
            r.skip(f"{key}.none")
        for grouping in v.invariance_groupings:
            r.heading(f"{key}.grouping", level=4, grouping=r.label(grouping))
            result = cohort.dif_by_group(v.sample, v.domains.specific_items, grouping, min_n)
            if result.left_out:
                r.text(f"{key}.left_out", groups=r.label_list(list(result.left_out), grouping), min_n=min_n)
            if result.result is None:
                r.skip(f"{key}.too_small", min_n=min_n)
                continue
            self.dif_results[grouping] = result
            table = result.to_frame()
            r.table(f"dif_{grouping}", table, title_key=f"{key}.table", counts=["n"], grouping=r.label(grouping))
            r.text(f"{key}.summary", n=r.n(result.result.n), k=len(table), significant=int((table["p"] < 0.05).sum()),
                   sizeable=int(table["size"].isin(["moderate", "large"]).sum()))

    def hypotheses(self) -> None:
        """Construct validity: the planned correlations with the comparison instruments, then
        the known-groups comparisons."""
        r, v = self.r, self.design
        r.heading("02_validation_report.hypotheses.heading")
        self.convergent_result = None
        hypotheses, testable = v.hypotheses()
        if testable:
            r.text("02_validation_report.hypotheses.intro")
            if len(testable) < len(hypotheses):
                r.text("02_validation_report.hypotheses.untestable", k=len(hypotheses) - len(testable),
                       n=len(hypotheses))
            self.convergent_result = validity.convergent(v.sample, testable)
            r.table("convergent", self.convergent_result.table)
            r.text("02_validation_report.hypotheses.summary", pct=r.pct(100 * self.convergent_result.share_confirmed),
                   verdict=r.t("02_validation_report.hypotheses.met" if self.convergent_result.meets_criterion
                               else "02_validation_report.hypotheses.not_met"))
        else:
            r.skip("02_validation_report.hypotheses.none")
        for spec in v.known_groups:
            group, reference = spec["group"], spec["reference"]
            r.text("02_validation_report.hypotheses.known_groups", group=r.label(group),
                   reference=r.label(str(reference), group))
            known = validity.known_groups(v.sample, v.domains.scores, group, reference)
            r.table(f"known_{group}", known, label_as={"group": group, "reference": group})
            directions = descriptives.effect_directions(known)
            r.text("02_validation_report.hypotheses.known_summary", lower=directions.lower, rows=directions.rows,
                   significant=directions.lower_significant)

    def test_retest(self) -> None:
        """Test–retest reliability (ICC) and measurement error (SEM, SDC) between the first
        occasion and the retest."""
        r, v = self.r, self.design
        r.heading("02_validation_report.retest.heading")
        self.retest_table = None
        if v.retest is None:
            r.skip("02_validation_report.retest.none")
            return
        first, retest = v.retest
        r.text("02_validation_report.retest.intro", first=first, retest=retest)
        self.retest_table = validity.measurement_error(v.scores, v.domains.scores, v.retest)
        r.table("test_retest", self.retest_table)
        g = self.retest_table.set_index("score").loc[v.domains.global_score]
        r.text("02_validation_report.retest.summary", score=r.label(v.domains.global_score), icc=r.prop(g["icc"]),
               ci=present.interval_of(g["icc_ci_low"], g["icc_ci_high"], "prop", r.lang), n=r.n(g["n"]), sem=r.num(g["sem"]),
               sdc=r.num(g["sdc"]))

    def cosmin(self) -> None:
        """The COSMIN summary of the measurement properties computed above."""
        r = self.r
        r.heading("02_validation_report.cosmin.heading")
        r.text("02_validation_report.cosmin.intro")
        r.text("02_validation_report.cosmin.flag")
        scale = r.t("02_validation_report.reliability.scale")
        invariance = {r.label(grouping): table for grouping, table in self.invariance_tables.items()}
        if self.longitudinal_table is not None and self.design.retest is not None:
            first, retest = self.design.retest
            invariance[r.t("02_validation_report.longitudinal.cosmin", first=first, retest=retest)] = self.longitudinal_table
            r.text("02_validation_report.longitudinal.cosmin_note", first=first, retest=retest)
        summary = validity.cosmin_summary(fit=self.cfa_result.fit if self.cfa_result else None,
                                          alpha={scale: self.alpha_result.alpha} if self.alpha_result else None,
                                          retest=self.retest_table, hypotheses=self.convergent_result,
                                          invariance=invariance or None,
                                          floor_ceiling_table=self.floor_ceiling_table, formative=True, lang=r.lang,
                                          names=r.labels.keys, alpha_ci=self._alpha_ci(scale), fit_ci=self._rmsea_ci(),
                                          dynamic=self.dynamic_table)
        r.table("cosmin_summary", summary, counts=None)

    def _alpha_ci(self, scale: str) -> dict | None:
        a = self.alpha_result
        return {scale: (a.ci_low, a.ci_high)} if a is not None else None

    def _rmsea_ci(self) -> dict | None:
        fit = self.cfa_result.fit if self.cfa_result else {}
        return {"rmsea": (fit["rmsea.ci.lower"], fit["rmsea.ci.upper"])} if "rmsea.ci.lower" in fit else None

    def discussion(self) -> None:
        r = self.r
        r.heading("02_validation_report.discussion.heading")
        r.text("02_validation_report.discussion.formative")
        r.text("02_validation_report.discussion.decisive")
