"""Report 03, norms by group: percentile and T-score norms of the life domains from the
comparison cohort's first occasion.

Sections (methods of :class:`NormsReport`, in the notebook's order): the norm sample by the
declared norm groups, domain profiles per group against the national reference, the norm
tables (each score per cell of the norm groups and for the whole sample, weighted by the survey
weight when there is one) and an example of looking a respondent up in them.

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("03_norms", datasets.path("demo"), tempfile.mkdtemp())
>>> norms_report = NormsReport(r)
>>> norms_report.design.norm_groups, norms_report.design.norm_min_n
(['age_group', 'gender'], 20)
"""
from __future__ import annotations

from analysis.report import disclosure, figures
from analysis.report.disclosure import TableSpec
from analysis.report.document import Report
from analysis.stats import descriptives, norms
from analysis.study import cohort
from analysis.study.reference_norms import national_norms


class NormsReport:
    """The norms report of ``report``'s study (see the module docstring)."""

    def __init__(self, report: Report):
        self.r = report
        self.design = cohort.validation(report.study)
        #: the norm table as computed (before disclosure control), set by :meth:`norm_tables`
        self.norm_table = None

    def _weighting(self) -> str:
        return self.r.t("03_norms.sample.weighted" if self.design.weight else "03_norms.sample.unweighted")

    def intro(self) -> None:
        r = self.r
        r.text("03_norms.intro", groups=r.label_list(self.design.norm_groups, sep=" × ", empty=r.t("values.all")))

    def sample(self) -> None:
        """Domain means per cell of the norm groups."""
        r, v = self.r, self.design
        r.heading("03_norms.sample.heading")
        if v.norm_groups:
            r.table("means_by_cell", cohort.domain_means(v.sample, v.domains.domains, v.norm_groups, weight=v.weight),
                    spec=TableSpec(population="norm sample", dims=v.norm_groups, exhaustive=False))
        r.text("03_norms.sample.summary", n=r.n(len(v.sample)), weighting=self._weighting())

    def profiles(self) -> None:
        """Domain means per group of each norm-group column, with a profile figure drawn from
        the published table when a group can be drawn."""
        r, v = self.r, self.design
        r.heading("03_norms.profiles.heading")
        r.text("03_norms.profiles.intro")
        national = national_norms().set_index("domain")["mean"]
        for key in v.norm_groups:
            name = f"means_by_{key}"
            shown = r.table(name, cohort.domain_means(v.sample, v.domains.domains, [key], weight=v.weight),
                            spec=TableSpec(population="norm sample", dims=[key], exhaustive=False),
                            title_key="03_norms.tables.means_by", group=r.label(key))
            if len(cohort.profile_rows(shown.machine.set_index(key))):
                r.table_figure(f"profile_{key}", name, figures.group_profiles, "03_norms.profiles.figure",
                               options={"by": key, "norm": national}, group=r.label(key))

    def norm_tables(self) -> None:
        """The norm table (workbook only) and the wide tables of percentiles and normalised
        T-scores of the global score that the page shows."""
        r, v = self.r, self.design
        r.heading("03_norms.tables_heading")
        r.text("03_norms.tables_intro", score=r.label(v.domains.global_score), min_n=v.norm_min_n)
        by = v.norm_groups
        self.norm_table = norms.norm_table(v.sample, v.domains.scores, by=by, weight=v.weight)
        # n = persons in the group, as in the tables of group means: a group hidden there is hidden here;
        # a score answered by fewer than five of a group is hidden too
        published = disclosure.suppress_small_cells(
            cohort.norm_table_by_group(self.norm_table, v.sample, by, min_n=v.norm_min_n), ["n_answered"],
            labels=["raw", "n"])
        shown = r.table("norm_table", published, show=False,
                        spec=TableSpec(population="norm sample", dims=by, labels=["raw"], exhaustive=False))
        for value in ("percentile", "t_normalised"):
            wide = descriptives.wide_norms(shown.machine, v.domains.global_score, by, value)
            kind = "pct" if value == "percentile" else "num"
            r.table(f"wide_{value}", wide, counts=None, kinds={c: kind for c in wide.columns if c != "raw"},
                    title_key=f"03_norms.tables.wide_{value}", score=r.label(v.domains.global_score), columns_of=by)

    def lookup(self) -> None:
        """An example respondent (the sample's median answers) looked up in the norm table."""
        r, v = self.r, self.design
        r.heading("03_norms.lookup.heading")
        r.text("03_norms.lookup.intro")
        if self.norm_table is None:
            raise ValueError("no norm table to look the example up in")
        found = cohort.example_lookup(v.sample, self.norm_table, v.instrument, v.norm_groups)
        r.table("lookup_example", found, counts=None, columns_of=v.norm_groups)
        life = found.set_index("score").loc[v.domains.global_score]
        r.text("03_norms.lookup.summary", score=r.label(v.domains.global_score), raw=r.num(life["raw"], 0),
               percentile=r.num(life["percentile"], 0), group=r.label(life["group_used"], v.norm_groups),
               t=r.num(life["t_normalised"], 0))
