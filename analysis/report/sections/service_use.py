"""Report 06, service use six months before and after each client's welfare plan, compared
client by client, from pre-counted visits or from a patient-record extract with one row per
visit (:func:`analysis.study.service_use.study_visits` decides which).

Sections are methods of :class:`ServiceUseReport`, in the notebook's order.

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("06_service_use", datasets.path("demo"), tempfile.mkdtemp())
>>> report = ServiceUseReport(r)
>>> report.method()
>>> report.windows is None, len(report.visits) > 0
(True, True)
"""
from __future__ import annotations

from analysis.report import figures
from analysis.report.document import Report
from analysis.study import service_use

#: The numbers of the results sentence: when disclosure control hid one, the sentence says so instead.
SUMMARY = ("n", "total_before", "total_after", "rate_ratio", "rank_biserial")


class ServiceUseReport:
    """The service-use report of ``report``'s study (see the module docstring)."""

    def __init__(self, report: Report):
        self.r = report
        #: the visit windows (from an extract) and the service-use table, set by :meth:`method`
        self.windows: service_use.VisitWindows | None = None
        self.visits = None

    def method(self) -> None:
        """How visits were counted; from an extract, the windows and every visit accounted for
        (the sentence's numbers as the accounting table publishes them)."""
        r = self.r
        r.heading("06_service_use.method.heading")
        r.text("06_service_use.method.intro")
        windows, visits = service_use.study_visits(r.study)
        if windows is not None:
            accounting = r.table("visit_accounting", windows.accounting(), row_kinds="measure")
            visits_of = lambda m: r.shown_count(accounting, {"measure": m})        # noqa: E731
            persons = lambda m: r.shown_n(accounting, {"measure": m}, "value")      # noqa: E731
            r.text("06_service_use.method.visits", length=windows.length, unit=r.t(f"06_service_use.method.{windows.unit}"),
                   extract=windows.extract_date.date().isoformat(),
                   source=r.t("06_service_use.method.extract_given" if windows.extract_date_given
                              else "06_service_use.method.extract_last_visit"),
                   read=visits_of("visits_read"), counted=visits_of("visits_counted"),
                   clients=persons("n_clients"), incomplete=persons("n_incomplete"), included=persons("n_included"))
        self.windows, self.visits = windows, visits

    def results(self) -> None:
        """Visits per service type before and after the plan, client by client, with the
        figure drawn from the published table."""
        r = self.r
        r.heading("06_service_use.results.heading")
        if self.visits is None:
            raise ValueError("the visits could not be counted (see the section above)")
        if self.visits.empty:
            r.skip("06_service_use.results.no_clients")
            return
        shown = r.table("service_use", service_use.service_use_change(self.visits, n_boot=2000, seed=r.seed))
        total = {"service_type": service_use.TOTAL}
        if any(shown.hidden(total, column) for column in SUMMARY):
            r.text("06_service_use.results.suppressed")
            return
        value = lambda column: shown.value(total, column)      # noqa: E731
        r.text("06_service_use.results.summary", n=r.n(value("n")), before=r.count(value("total_before")),
               after=r.count(value("total_after")), rr=r.num(value("rate_ratio")),
               ci=r.ci(value("rr_ci_low"), value("rr_ci_high")), rb=r.num(value("rank_biserial")))
        r.table_figure("service_use", "service_use", figures.service_use_chart, "06_service_use.results.figure")
