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
