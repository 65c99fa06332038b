"""Report 07, the half-yearly indicator report: the study's own indicators for one reporting
period next to the half-year before it, with the desired direction and targets from the
optional indicator catalogue (:class:`IndicatorsReport`).

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("07_half_yearly_indicators", datasets.path("demo"), tempfile.mkdtemp())
>>> IndicatorsReport(r, period="2016H1").indicators()
>>> r["indicators"]["period"].unique().tolist()
['2016H1']
"""
from __future__ import annotations

from analysis.report.document import Report
from analysis.study import indicators


class IndicatorsReport:
    """The indicator report of ``report``'s study for ``period`` (a half-year such as
    ``"2016H1"``; ``None``: the latest in the file)."""

    def __init__(self, report: Report, *, period: str | None = None):
        self.r = report
        self.period = period

    def indicators(self) -> None:
        """The indicators of the period against the half-year before it (disclosure control
        by the relations the catalogue declares, and those the data show it does not, which
        the notes name), and how many moved the desired way."""
        r = self.r
        data, catalogue = indicators.study_indicators(r.study)
        report = indicators.indicator_report(data, self.period, r.lang, catalogue=catalogue)
        r.text("07_half_yearly_indicators.intro", period=report["period"].iloc[0],
               previous=report["previous_period"].iloc[0])
        shown = r.table("indicators", report, hide=["period", "previous_period", "indicator"], row_kinds="unit",
                        kinds={"change": "num"})
        self._undeclared_notes(report, indicators.undeclared_relations(data, catalogue))
        share = indicators.desired_share(report, hidden=shown.mask["desired"])
        if share.n:
            r.text("07_half_yearly_indicators.desired", k=r.count(share.n_desired), n=r.count(share.n),
                   pct=r.pct(100 * share.share))
        else:
            r.text("07_half_yearly_indicators.no_direction")

    def _undeclared_notes(self, report, undeclared: dict) -> None:
        """A note for each relation between indicators that the data show and the catalogue does
        not declare (protected too; the catalogue should say so), indicators by their labels."""
        r = self.r
        label = dict(zip(report["indicator"], report["label"]))
        name = lambda key: label.get(key, key)      # noqa: E731
        for total, parts in undeclared["sum_of"]:
            r.note("disclosure.undeclared_sum", indicator=name(total), parts=" + ".join(map(name, parts)))
        for share, part, total in undeclared["share_of"]:
            r.note("disclosure.undeclared_share", indicator=name(share), part=name(part), total=name(total))
