"""Figure rules that affect what a reader sees: masked counts, SUS bands, reading limit."""
import pandas as pd
import pytest

from analysis.report.figures import jacobson_plot, profile_chart
from analysis.study.surveys import sus_band


def test_jacobson_legend_masks_counts_below_five():
    # 6 improved (+3 > SDC 2), 2 deteriorated (−3), 1 unchanged: counts 6, <5, <5.
    pre = pd.Series([2, 2, 2, 2, 2, 2, 6, 6, 5], dtype=float)
    post = pd.Series([5, 5, 5, 5, 5, 5, 3, 3, 5], dtype=float)
    labels = [t.get_text() for t in jacobson_plot(pre, post, sdc=2.0).axes[0].get_legend().get_texts()]
    assert "Improved (6)" in labels
    assert "Deteriorated (<5)" in labels and "Unchanged (<5)" in labels


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
