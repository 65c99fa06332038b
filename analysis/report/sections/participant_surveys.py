"""Report 05, participant surveys: the client e-survey, the staff e-survey and the usability
of the e-service (System Usability Scale), each when the study has it, and the open answers.

Sections are methods of :class:`SurveysReport`, in the notebook's order; a survey the study
lacks gets its heading and a note saying what is missing.

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("05_participant_surveys", datasets.path("demo"), tempfile.mkdtemp())
>>> SurveysReport(r).usability()
>>> r["sus_bands"]["band"].iloc[-1]
'all'
"""
from __future__ import annotations

from analysis.report import figures
from analysis.report.disclosure import TableSpec
from analysis.report.document import Report
from analysis.stats.descriptives import composition
from analysis.study import surveys

#: Open answers the report lists: population, instrument and the table's name.
COMMENTS = (("pilot", "client-survey", "client_comments"), ("staff", "staff-survey", "staff_comments"))


class SurveysReport:
    """The participant-survey report of ``report``'s study (see the module docstring)."""

    def __init__(self, report: Report):
        self.r = report
        self.study = report.study

    def intro(self) -> None:
        self.r.text("05_participant_surveys.intro")

    def client(self) -> None:
        """The client e-survey: its scales and items."""
        r, study = self.r, self.study
        if not r.section("05_participant_surveys.client.heading", needs=[("pilot", "client-survey")]):
            return
        r.text("05_participant_surveys.client.intro")
        client = study.responses("pilot", "client-survey")
        r.table("client_scales", surveys.scale_summary(client, study.scores("pilot", "client-survey"), "client-survey",
                                                       r.lang))
        r.table("client_items", surveys.item_summary(client, "client-survey", r.lang))
        r.text("05_participant_surveys.client.summary", n=r.n(len(client)))

    def staff(self) -> None:
        """The staff e-survey: the professionals by organisation, the scales and items."""
        r, study = self.r, self.study
        if not r.section("05_participant_surveys.staff.heading", needs=[("staff", "staff-survey")]):
            return
        r.text("05_participant_surveys.staff.intro")
        if r.has("staff", dataset="background"):
            r.table("staff_background", composition(study.table("staff", "background"), ["organisation"], total=True),
                    spec=TableSpec(population="staff", dims=["category"], context=["variable"], percents=["pct"]))
        staff = study.responses("staff", "staff-survey")
        r.table("staff_scales", surveys.scale_summary(staff, study.scores("staff", "staff-survey"), "staff-survey",
                                                      r.lang))
        r.table("staff_items", surveys.item_summary(staff, "staff-survey", r.lang))

    def usability(self) -> None:
        """The SUS score with its adjective band, and the respondents per band (not when the
        respondents are too few to show)."""
        r, study = self.r, self.study
        if not r.section("05_participant_surveys.sus.heading", needs=[("pilot", "sus")]):
            return
        r.text("05_participant_surveys.sus.intro")
        sus = study.scores("pilot", "sus")
        shown = r.table("sus", surveys.sus_summary(sus, r.lang))
        if shown.hidden(0, "n") or shown.hidden(0, "mean"):      # too few respondents for a mean
            return
        r.text("05_participant_surveys.sus.summary", mean=r.num(shown.value(0, "mean"), 1),
               ci=r.ci(shown.value(0, "ci_low"), shown.value(0, "ci_high"), 1), n=r.n(shown.value(0, "n")),
               band=shown.value(0, "band"))
        r.table("sus_bands", surveys.sus_band_table(sus, r.lang),
                spec=TableSpec(population="SUS respondents", dims=["band"], percents=["percent"]))
        r.table_figure("sus", "sus_bands", figures.sus_chart, "05_participant_surveys.sus.figure")

    def comments(self) -> None:
        """The open answers of each survey the study has, screened, without respondent ids;
        none when the manifest withholds them."""
        r, study = self.r, self.study
        r.heading("05_participant_surveys.comments.heading")
        if study.manifest.comments == "withhold":        # the manifest keeps open answers out of every report
            r.text("05_participant_surveys.comments.withheld")
            return
        r.text("05_participant_surveys.comments.intro")
        for population, instrument, name in COMMENTS:
            if r.has(population, instrument):
                r.table(name, surveys.comments(study.responses(population, instrument), instrument, r.lang), counts=None)
