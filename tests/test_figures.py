"""Figure rules that affect what a reader sees: masked counts, SUS bands, reading limit."""
import pandas as pd
import pytest

from analysis.report.figures import jacobson_plot, profile_chart
from analysis.study.surveys import sus_band


def test_jacobson_legend_shows_no_counts():
    # 6 improved (+3 > SDC 2), 2 deteriorated (−3), 1 unchanged. A count in the legend next to
    # the table's total would let a reader recompute a suppressed class, so none is shown.
    pre = pd.Series([2, 2, 2, 2, 2, 2, 6, 6, 5], dtype=float)
    post = pd.Series([5, 5, 5, 5, 5, 5, 3, 3, 5], dtype=float)
    labels = [t.get_text() for t in jacobson_plot(pre, post, sdc=2.0).legends[0].get_texts()]
    assert {"Improved", "Deteriorated", "Unchanged"} <= set(labels)
    assert not any(ch.isdigit() for label in labels for ch in label)


@pytest.mark.parametrize("score, band", [(0, "Worst imaginable"), (24.9, "Worst imaginable"), (25, "Poor"),
                                         (51.9, "OK"), (52, "Good"), (72.5, "Good"), (73, "Excellent"),
                                         (85, "Best imaginable"), (100, "Best imaginable")])
def test_sus_band_boundaries(score, band):
    # Bangor, Kortum & Miller (2009) adjective ranges as used in the report.
    assert sus_band(score) == band


def test_sus_band_rejects_out_of_range_and_passes_missing():
    assert sus_band(float("nan")) == ""
    with pytest.raises(ValueError, match="outside 0–100"):
        sus_band(101)


def test_profile_chart_refuses_more_than_three_readings():
    readings = pd.DataFrame({"health": [1, 2, 3, 4]}, index=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="at most three readings"):
        profile_chart(readings)


# --------------------------------------------------------------------------- disclosure in figures
# A figure of a report may show no more than the report's tables: no count below 5, nothing a
# table hides (<5, or .. hiding a count that would let a reader recompute a <5 cell).
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from analysis.report import figures  # noqa: E402
from analysis.report.disclosure import TableSpec  # noqa: E402
from analysis.report.document import Report  # noqa: E402
from analysis.study.surveys import sus_band_table  # noqa: E402

MASKS = {"<5", ".."}


def _report(tmp_path, name="05_participant_surveys", lang="en"):
    return Report(name, None, lang=lang, out_dir=tmp_path, display=False)


def _bars(fig):
    """Heights of the bars a reader sees (visible rectangles in the plot area)."""
    return [p.get_height() for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle) and p.get_visible()]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_sus_figure_shows_the_band_table_not_the_respondents(tmp_path):
    # Three respondents in 'Excellent' (<5), five or more in every other band: the old histogram
    # drew bars of 1–3 there, and bars of the other bands next to the total gave the 3 back.
    scores = pd.DataFrame({"sus_score": [*[20.0] * 5, *[30.0] * 5, *[45.0] * 5, *[60.0] * 6, 75.0, 77.5, 80.0,
                                         *[90.0] * 12]})
    r = _report(tmp_path)
    r.table("sus_bands", sus_band_table(scores), spec=TableSpec(population="SUS respondents", dims=["band"],
                                                                 percents=["percent"]), title="Bands")
    r.table_figure("sus", "sus_bands", figures.sus_chart, "05_participant_surveys.sus.figure")
    drawn = r.figure_data["sus"]
    published = r["sus_bands"]
    pd.testing.assert_frame_equal(drawn, published)            # drawn from the protected table itself
    counts = [v for v in drawn["n"] if not isinstance(v, str)]
    assert all(v >= 5 for v in counts)
    fig = figures.sus_chart(drawn, lang="en")
    shown_bands = drawn[drawn["band"] != "all"]
    visible = sorted(_bars(fig))
    assert visible == sorted(v for v in shown_bands["n"] if not isinstance(v, str))   # a bar per shown count only
    assert min(visible) >= 5
    hidden = [v for v in shown_bands["n"] if isinstance(v, str)]
    assert hidden and sorted(t for t in _texts(fig) if t in MASKS) == sorted(hidden)
    assert hidden.count("<5") == 1 and ".." in hidden          # 'Excellent' (3) not recomputable from the bars
    assert (tmp_path / "figures" / "05_participant_surveys_sus.png").stat().st_size > 5_000


def test_rci_chart_hides_a_single_deteriorated_client(tmp_path):
    from analysis.study.pilot import rci_summary

    classes = pd.DataFrame({"sat_life_overall": ["improved"] * 8 + ["unchanged"] * 22 + ["deteriorated"]})
    r = _report(tmp_path, "04_pilot_evaluation")
    r.table("reliable_change", rci_summary(classes),
            spec=TableSpec(population="pilot clients, change", dims=["change"], context=["score"], percents=["percent"]))
    r.table_figure("reliable_change", "reliable_change", figures.rci_chart, "04_pilot_evaluation.rci.class_figure",
                   options={"score": "sat_life_overall"}, score="Life overall")
    fig = figures.rci_chart(r.figure_data["reliable_change"], "sat_life_overall")
    assert _bars(fig) == [8.0]                                 # unchanged (..) and deteriorated (<5) get no bar
    assert {"<5", ".."} <= set(_texts(fig)) and "1" not in _texts(fig)


def test_service_use_chart_draws_no_bar_for_a_hidden_service():
    table = pd.DataFrame({"service_type": ["nurse", "dentist", "all_services"], "n": [12, "<5", 15],
                          "mean_before": [2.5, "<5", 2.2], "mean_after": [1.5, "<5", 1.4]})
    fig = figures.service_use_chart(table, lang="en")
    assert sorted(_bars(fig)) == [0.0, 0.0, 1.5, 2.5]          # the hidden service: empty slots and its mark
    assert figures.text("hidden", "en") in _texts(fig)


def test_group_profiles_leave_out_groups_the_table_hides():
    table = pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": [40, "..", "<5", 60],
                          "health": [6.0, "..", "<5", 6.1], "family": [7.0, "..", "<5", 7.2]})
    fig = figures.group_profiles(table, "gender", lang="en")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [figures.text("female", "en")]            # neither the <5 group nor its .. complement


def test_group_profile_marks_a_hidden_domain():
    change = pd.DataFrame({"score": ["sat_health", "sat_family", "domain_mean"], "n": [20, "<5", 20],
                           "mean_pre": [5.0, "<5", 6.0], "mean_post": [6.0, "<5", 7.0]})
    fig = figures.group_profile(change, lang="en")
    ax = fig.axes[0]
    points = [x for line in ax.lines for x in line.get_xdata() if x == x]    # NaN != NaN
    assert sorted(points) == [5.0, 6.0]
    assert figures.text("hidden", "en") in _texts(fig)


def test_figure_redrawn_when_a_later_table_hides_more(tmp_path, monkeypatch):
    r = _report(tmp_path)
    bands = pd.DataFrame({"band": ["low", "mid", "high", "all"], "n": [6, 9, 12, 27]})
    r.table("bands", bands, spec=TableSpec(population="respondents", dims=["band"]), title="Bands")
    r.table_figure("bands", "bands", figures.count_chart, "figures.respondents", options={"category": "band"})
    png = tmp_path / "figures" / "05_participant_surveys_bands.png"
    before = png.read_bytes()
    later = bands.assign(n=["..", "..", 12, 27]).astype(object)      # as if a later table had hidden two cells
    monkeypatch.setattr(r.disclosure, "shown", lambda name: later if name == "bands" else None)
    monkeypatch.setattr("analysis.report.document.audit", lambda *a, **k: pd.DataFrame())
    r.finish()
    assert r.figure_data["bands"]["n"].tolist() == ["..", "..", 12, 27]
    assert png.read_bytes() != before


# --------------------------------------------------------------------------- layout
def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_legends_sit_outside_the_plot_and_its_labels(lang):
    readings = pd.DataFrame({d: [5.0, 6.0, 7.0] for d in ("health", "resilience", "housing", "daily_coping", "family",
                                                             "friends", "finances", "strengths", "self_esteem",
                                                             "life_overall")}, index=["female", "male", "other"])
    change = pd.DataFrame({"score": ["sat_health", "sat_housing", "sat_life_overall"], "n": [20] * 3,
                           "mean_pre": [5.0, 6.0, 5.5], "mean_post": [6.0, 8.0, 6.5]})
    norm = pd.Series(6.0, index=readings.columns)
    for fig in (figures.profile_chart(readings, norm, lang=lang), figures.group_profile(change, norm, lang=lang)):
        renderer = FigureCanvasAgg(fig).get_renderer()
        assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
        legend = fig.legends[0].get_window_extent(renderer)
        for ax in fig.axes:
            assert not _overlap(legend, ax.get_tightbbox(renderer))   # plot area, ticks and axis labels


def test_finnish_axes_have_a_decimal_comma():
    table = pd.DataFrame({"service_type": ["nurse", "doctor"], "n": [12, 12],
                          "mean_before": [2.5, 1.25], "mean_after": [1.5, 0.75]})
    for lang, mark, other in (("fi", ",", "."), ("en", ".", ",")):
        fig = figures.service_use_chart(table, lang=lang)
        FigureCanvasAgg(fig).draw()
        ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
        assert any(mark in t for t in ticks) and not any(other in t for t in ticks), ticks
