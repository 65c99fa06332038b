"""Report 08, who needs many services and how the model ran: identification of clients who use
many services from a visit register by the declared criteria and how concentrated the use is,
the client process (funnel, Kaplan–Meier times, plan quality) and the teams
(:mod:`analysis.study.process` computes; the manifest declares the criteria and the phases).

Sections are methods of :class:`ProcessReport`, in the notebook's order; a section whose data
the study lacks gets its heading and a note saying what is missing. Curves and the Lorenz points
are published in steps of at least the report's minimum for a statistic (:attr:`ProcessReport.step`).

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("08_process", datasets.path("demo"), tempfile.mkdtemp())
>>> report = ProcessReport(r)
>>> report.teams()
>>> r["teams"]["team"].iloc[-1], report.step >= r.min_n
('all', True)
"""
from __future__ import annotations

from analysis.report import disclosure, figures
from analysis.report.disclosure import TableSpec
from analysis.report.document import Report
from analysis.study import process


class ProcessReport:
    """The process report of ``report``'s study (see the module docstring)."""

    def __init__(self, report: Report):
        self.r = report
        self.study = report.study
        self.declared = report.study.manifest
        #: persons behind a step of a published curve (the Lorenz points, the time to the plan)
        self.step = max(report.min_n, report.disclosure.min_statistic_n)

    def intro(self) -> None:
        self.r.text("08_process.intro")

    def identification(self) -> None:
        """Who meets the declared criteria in the visit register, against who is a client of
        the model; how concentrated the visits are (top shares, Gini, the Lorenz curve)."""
        r, study = self.r, self.study
        if not r.section("08_process.identification.heading", needs=[("pilot", "service-visits")]):
            return
        ident = process.identify(study.table("pilot", "service-visits"), self.declared.identification)
        r.text("08_process.identification.method", **process.identification_text(ident, r))
        r.table("identification", process.identified_vs_enrolled(ident.persons, process.enrolled_clients(study)),
                spec=TableSpec(population="register", dims=["identified", "enrolled"], means=["mean_visits", "mean_sectors"]))
        shown = r.table("concentration", process.concentration(ident.persons))
        r.text("08_process.identification.concentration", **process.concentration_text(shown, r))
        r.table("lorenz", process.lorenz_steps(ident.persons, min_n=self.step), counts=None, show=False)
        r.table_figure("lorenz", "lorenz", figures.lorenz_chart, "08_process.figures.lorenz",
                       options=process.figure_words("lorenz", r))

    def client_process(self) -> None:
        """How far the clients got in the declared process, how long it took (clients still
        waiting censored at the end of follow-up) and whether plans were reviewed on time and
        had a named worker."""
        r, spec = self.r, self.declared.process
        if not r.section("08_process.process.heading", needs=[("pilot", "process-events")]):
            return
        events = self.study.table("pilot", "process-events")
        end, source = process.follow_up_end(events, spec, self.declared.date)
        r.text("08_process.process.method", **process.process_text(spec, end, source, r))
        r.table("funnel", process.funnel(events, spec))
        r.table_figure("funnel", "funnel", figures.count_chart, "08_process.figures.funnel",
                       options={"category": "phase", "ylabel": "clients"})
        times, fits = process.phase_times(events, spec, end)
        r.table("phase_times", times)
        r.table("time_to_plan", process.curve_steps(fits[spec.plan], min_events=self.step), show=False)
        r.table_figure("time_to_plan", "time_to_plan", figures.step_curve, "08_process.figures.time_to_plan",
                       options=process.figure_words("time_to_plan", r), phase=r.label(spec.plan), n=self.step)
        r.table("quality", process.process_quality(events, spec, end), months=spec.review_months)

    def teams(self) -> None:
        """Professionals and sectors per team (small teams merged before publication); the
        staff survey by team and the teams' ICC, or a note when the study has no staff survey."""
        r = self.r
        if not r.section("08_process.teams.heading", needs=[("staff", "team-members")]):
            return
        members = self.study.table("staff", "team-members")
        published = members.assign(team=disclosure.collapse_small(members["team"], r.min_n, other="other_teams"))
        staff = process.staff_scores(self.study)
        r.table("teams", process.team_table(published, [] if staff is None else staff["respondent_id"]),
                spec=TableSpec(population="professionals", dims=["team"], counts=["n", "n_respondents"], stats=["sectors"]))
        if staff is None:
            r.skip("common.missing_input", what=r.label("staff-survey"))
            return
        keys = process.score_keys("staff-survey")
        r.table("staff_by_team", process.staff_by_team(staff, published, keys), spec=TableSpec(
            population="staff respondents", dims=["team"], context=["score"], means=["mean"], sds={"sd": "mean"}))
        r.table("team_icc", process.team_icc(staff, members, keys))
        r.text("08_process.teams.icc")
