"""Results display themselves: a rounded one-screen repr, HTML for notebooks, and summaries laid
out as lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)`` and psych's prints.
The printed numbers are checked against lavaan's (tests/fixtures/r/cfa.json, tests/r/cfa.R)
and against the results' own numbers."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import datasets
from analysis.stats.display import Summary
from analysis.stats.reliability import cronbach_alpha, icc, omega
from analysis.stats.results import Result
from analysis.stats.sem import cfa, standardized_solution
from analysis.stats.structure import efa

FIX = json.loads((Path(__file__).parent / "fixtures/r/cfa.json").read_text())["cases"]
HS = datasets.load("holzinger_swineford_1939")
MODEL = FIX["hs_ml"]["args"]["model"]
LONG_NUMBER = re.compile(r"\d\.\d{5,}")
#: lavaan 0.6.14's section headings of summary(fit, fit.measures = TRUE, standardized = TRUE)
LAVAAN_SECTIONS = ["Model Test User Model:", "Model Test Baseline Model:",
                   "User Model versus Baseline Model:", "Loglikelihood and Information Criteria:",
                   "Root Mean Square Error of Approximation:",
                   "Standardized Root Mean Square Residual:", "Parameter Estimates:",
                   "Latent Variables:", "Covariances:", "Variances:"]
PARAM_HEADER = "                   Estimate  Std.Err  z-value  P(>|z|)   Std.lv  Std.all"


def _value(text: str, label: str, column: int = 0) -> float:
    """The number printed after ``label`` on its line (``column`` 1: lavaan's Scaled column)."""
    line = next(x for x in text.splitlines() if x.strip().startswith(label))
    return float(line.strip()[len(label):].split()[column])


def _block(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(heading)
    assert lines[start + 1] == PARAM_HEADER
    out = []
    for line in lines[start + 2:]:
        if not line.strip():
            break
        out.append(line)
    return out


@pytest.fixture(scope="module")
def hs_fit():
    return cfa(HS, MODEL)


def test_cfa_summary_prints_lavaans_sections_and_fit_measures(hs_fit):
    text = str(hs_fit.summary())
    lines = text.splitlines()
    assert [s for s in LAVAAN_SECTIONS if s in lines] == LAVAAN_SECTIONS
    assert "Intercepts:" not in lines and "Thresholds:" not in lines     # no mean structure
    ref = FIX["hs_ml"]["fit"]
    for label, key in [("Test statistic", "chisq"), ("Degrees of freedom", "df"),
                       ("Comparative Fit Index (CFI)", "cfi"), ("Tucker-Lewis Index (TLI)", "tli"),
                       ("Loglikelihood user model (H0)", "logl"), ("Akaike (AIC)", "aic"),
                       ("Bayesian (BIC)", "bic"), ("RMSEA", "rmsea"),
                       ("90 Percent confidence interval - lower", "rmsea.ci.lower"),
                       ("90 Percent confidence interval - upper", "rmsea.ci.upper"),
                       ("P-value H_0: RMSEA <= 0.050", "rmsea.pvalue"), ("SRMR", "srmr"),
                       ("Number of observations", "ntotal")]:
        assert _value(text, label) == pytest.approx(ref[key], abs=6e-4), label
    # lavaan prints SABIC = -2 logL + npar log((N + 2) / 24): 7528.739 for this model
    assert _value(text, "Sample-size adjusted Bayesian (SABIC)") == 7528.739
    assert not LONG_NUMBER.search(text)


def test_cfa_summary_parameter_rows_are_lavaans(hs_fit):
    text = str(hs_fit.summary())
    ref = pd.DataFrame(FIX["hs_ml"]["estimates"])
    std_lv = standardized_solution(hs_fit, "std.lv")
    rows = _block(text, "Latent Variables:")
    assert rows[0] == "  visual =~"
    loadings = [r for r in rows if not r.endswith("=~")]
    lam = ref[ref.op == "=~"].reset_index(drop=True)
    lam_lv = std_lv[std_lv.op == "=~"].reset_index(drop=True)
    assert len(loadings) == len(lam) == 9
    for line, (_, r), lv in zip(loadings, lam.iterrows(), lam_lv.est_std):
        cells = line.split()
        assert cells[0] == r.rhs
        if r.se == 0:                                    # fixed: no SE, z or p
            assert len(cells) == 4
        else:
            assert float(cells[2]) == pytest.approx(r.se, abs=2e-3)
            assert float(cells[3]) == pytest.approx(r.z, abs=0.05)
        assert float(cells[1]) == pytest.approx(r.est, abs=1.5e-3)
        assert float(cells[-2]) == pytest.approx(lv, abs=6e-4)
        assert float(cells[-1]) == pytest.approx(r["std.all"], abs=1.5e-3)
    variances = _block(text, "Variances:")
    assert variances[0].startswith("   .x1 ") and variances[-1].startswith("    speed ")
    assert _block(text, "Covariances:")[:2] == [
        "  visual ~~", "    textual           0.408    0.074    5.552    0.000    0.459    0.459"]


def test_multigroup_mlr_summary_has_groups_intercepts_and_scaled_column():
    ref = FIX["hs_scalar_mlr"]
    res = cfa(HS, ref["args"]["model"], estimator="MLR", group="school",
              group_equal=["loadings", "intercepts"])
    text = str(res.summary())
    lines = text.splitlines()
    assert "Group 1 [Pasteur]:" in lines and "Group 2 [Grant-White]:" in lines
    assert lines.count("Intercepts:") == 2
    assert any(x.split() == ["Standard", "Scaled"] for x in lines)
    assert _value(text, "Test Statistic", 1) == pytest.approx(ref["fit"]["chisq.scaled"], abs=6e-4)
    assert _value(text, "Robust RMSEA") == pytest.approx(ref["fit"]["rmsea.robust"], abs=6e-4)
    assert _value(text, "Pasteur") == 156 and _value(text, "Grant-White") == 145
    assert "(.p2.)" in _block(text, "Latent Variables:")[2]      # lavaan's equality label


def test_wlsmv_summary_prints_thresholds():
    res = cfa(datasets.load("ordinal_skewed"), "f =~ q1 + q2 + q3", ordered=True)
    text = str(res.summary())
    rows = _block(text, "Thresholds:")
    t1 = res.estimates[(res.estimates.op == "|")].iloc[0]
    assert rows[0].split()[:2] == ["q1|t1", f"{t1.est:.3f}"]
    assert "  Estimator                                       DWLS" in text.splitlines()
    assert "  Number of observations                           848         900" in text.splitlines()
    assert res.n == 848 and res.n_total == 900


def test_alpha_summary_is_psychs_print():
    """The layout of psych's print(alpha(x)); line by line against psych's own text in
    tests/test_display_print.py."""
    res = cronbach_alpha(HS[["x4", "x5", "x6"]])
    text = str(res.summary())
    lines = text.splitlines()
    for heading in ("Reliability analysis", "Reliability if an item is dropped:", "Item statistics"):
        assert any(x.strip() == heading for x in lines), heading
    head = lines.index(next(x for x in lines if "raw_alpha" in x))
    columns, values = lines[head].split(), lines[head + 1].split()
    assert columns == ["raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "ase", "mean",
                       "sd", "median_r"]
    r = float(values[3])
    assert float(values[0]) == round(res.alpha, 2) and float(values[1]) == round(res.std_alpha, 2)
    # psych: std.alpha = k r / (1 + (k - 1) r) of the mean inter-item correlation r
    mean_r = HS[["x4", "x5", "x6"]].corr().to_numpy()[np.triu_indices(3, 1)].mean()
    assert r == round(mean_r, 2)
    dropped = lines[lines.index(" Reliability if an item is dropped:") + 2].split()
    assert dropped[:3] == ["x4", f"{res.items.alpha_if_dropped[0]:.2f}",
                           f"{res.items.std_alpha_if_dropped[0]:.2f}"]
    assert f"Feldt     {res.ci_low:.2f}  {res.alpha:.2f}  {res.ci_high:.2f}" in text
    assert "Non missing response frequency for each item" not in text    # continuous items


def test_efa_omega_icc_summaries_show_their_numbers():
    items = HS[[f"x{i}" for i in range(1, 10)]]
    fa = efa(items, 3)
    text = str(fa.summary())
    assert text.startswith("Factor Analysis using method =  minres")
    row = next(x for x in text.splitlines() if x.startswith("x4 ")).split()
    assert row[1:4] == [f"{v:.2f}" for v in fa.loadings.iloc[3, 1:4]]
    assert row[5] == f"{fa.uniquenesses.iloc[3]:.2f}"
    assert "With factor correlations of" in text and "SS loadings" in text
    om = omega(HS, "f =~ x4 + x5 + x6")
    assert f"Omega Total {om.omega_total:.2f}" in str(om.summary())
    ic = icc(HS[["x4", "x5", "x6"]])
    line = next(x for x in str(ic.summary()).splitlines() if x.startswith("Single_random_raters"))
    assert line.split()[1:3] == ["ICC2", f"{ic.value('ICC2')['icc']:.2f}"]


def test_reprs_are_rounded_and_short(hs_fit):
    for res in (hs_fit, cronbach_alpha(HS[["x4", "x5", "x6"]]), efa(HS[["x1", "x2", "x3", "x4"]], 1),
                icc(HS[["x4", "x5", "x6"]])):
        text = repr(res)
        assert text.startswith(type(res).__name__ + "\n")
        assert not LONG_NUMBER.search(text), text
        assert len(text.splitlines()) <= 35
        html = res._repr_html_()
        assert html.startswith("<div><strong>") and "<table" in html
        assert not LONG_NUMBER.search(html)
    alpha_html = cronbach_alpha(HS[["x4", "x5", "x6"]])._repr_html_()
    assert "<summary>items (DataFrame 3 × 5)</summary>" in alpha_html and "<td>x5</td>" in alpha_html
    assert hs_fit._repr_html_().count("<td>visual</td>") == 3       # 12 rows of estimates, once
    assert "summary() prints the full output." in repr(hs_fit)
    assert "0.931" in repr(hs_fit)                             # CFI, from .fit


def test_every_result_subclass_uses_the_display_repr():
    @dataclass(frozen=True)
    class Mean(Result):
        n: int
        mean: float
        table: pd.DataFrame

    res = Mean(3, 2.0 / 3, pd.DataFrame({"x": [1 / 3]}))
    assert repr(res) == "Mean\n  n      3\n  mean   0.667\n  table  DataFrame 1 × 1 (.table)"
    assert "<td style='text-align:left'>0.667</td>" in res._repr_html_()


def test_summary_object_is_text_and_html():
    s = Summary("P(>|z|) <b>")
    assert str(s) == repr(s) == s.as_text() == "P(>|z|) <b>"
    assert s._repr_html_() == '<pre style="line-height: 1.25">P(&gt;|z|) &lt;b&gt;</pre>'


def test_a_long_name_widens_the_name_column_for_every_row():
    text = str(cfa(HS.rename(columns={"x1": "a_very_long_name"}),
                   "visual =~ a_very_long_name + x2 + x3").summary())
    lines = text.splitlines()
    start = lines.index("Variances:")
    header, rows = lines[start + 1], lines[start + 2:start + 6]
    end = header.index("Estimate") + len("Estimate")
    assert header.strip().startswith("Estimate") and end == len(".a_very_long_name") + 3 + 1 + 9
    assert [r[:end].split()[0] for r in rows] == [".a_very_long_name", ".x2", ".x3", "visual"]
    assert all(r[end - 1] != " " and r[end] == " " for r in rows)      # estimates end under "Estimate"
