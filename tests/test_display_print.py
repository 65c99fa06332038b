"""``summary()`` line by line against the text R prints: lavaan 0.6.14's
``summary(fit, fit.measures = TRUE, standardized = TRUE)`` captured by tests/r/summary_print.R
(tests/fixtures/r/summary_print.json; simulated data that misfit, no other fixture uses them)
and psych 2.2.9's ``print(alpha(x))`` captured by tests/r/alpha_print.R
(tests/fixtures/r/alpha_print.json; its numbers are tested in tests/test_reliability.py).

Every printed line must carry lavaan's labels in lavaan's columns and lavaan's numbers to the
printed digits (one unit of the last digit apart at most: our fit agrees with lavaan's to
~1e-7, so a number on a rounding boundary may print one unit off). Two lines differ on
purpose: the header names this package and counts its optimiser's iterations, and
"Optimization method" names its optimiser. The fit measures behind the lines are checked
to 1e-6 (p-values, indices) and 1e-4 (χ² statistics): measured max |diff| 1.7e-7 and
1.7e-5 (WLSMV baseline χ² of 1298). psych's print differs only in its "Call:" line (and
alpha of a polychoric matrix prints no Feldt interval of k "rows")."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from test_reliability import ALPHA_PRINT, alpha_print_case

from analysis.stats.sem import cfa

FIX = json.loads((Path(__file__).parent / "fixtures/r/summary_print.json").read_text())
NUMBER = re.compile(r"-?\d+(?:\.(\d+))?$")
HEADER = re.compile(r" ended normally after \d+ iterations$")


def _data(name: str) -> pd.DataFrame:
    cols = FIX["data"][name]
    return pd.DataFrame({k: (v if k == "g" else pd.to_numeric(pd.Series(v, dtype=object),
                                                              errors="coerce").astype(float))
                         for k, v in cols.items()})


def _fit(case: dict):
    a = case["args"]
    kw: dict = {"estimator": a["estimator"], "missing": a["missing"]}
    if a["group"]:
        kw.update(group=a["group"], group_equal=a["group_equal"] or [])
    if a["ordered"]:
        kw["ordered"] = True
    return cfa(_data(a["data"]), a["model"], **kw)


@pytest.fixture(scope="module")
def fits():
    return {name: _fit(case) for name, case in FIX["cases"].items()}


def _cells(line: str) -> list[tuple[str, int]]:
    """The words of a line with the column each ends in."""
    return [(m.group(), m.end()) for m in re.finditer(r"\S+", line)]


def differences(ours: str, printed: list[str], own: tuple[str, ...] = ("Optimization method",),
                lavaan: bool = True) -> list[str]:
    """Where our text departs from R's: a line added, dropped or moved, a label or a column
    that differs, a number off by more than one unit of its last printed digit. Lines
    starting with one of ``own`` name our own software: only that label is compared; so is
    lavaan's header (``lavaan``), whose iteration count is nlminb's."""
    mine = [x.rstrip() for x in ours.splitlines()]
    theirs = [x.rstrip() for x in printed]
    while theirs and not theirs[-1]:
        theirs.pop()
    out = []
    if lavaan and not (HEADER.search(mine[0]) and HEADER.search(theirs[0])):
        out.append(f"header: {mine[0]!r} vs {theirs[0]!r}")
    if len(mine) != len(theirs):
        out.append(f"{len(mine)} lines, R prints {len(theirs)}")
    for i, (a, b) in enumerate(zip(mine[lavaan:], theirs[lavaan:]), 1 + lavaan):
        label = next((x for x in own if b.strip().startswith(x)), None)
        if label:                                  # our optimiser or call, not R's
            a, b = a.split(label)[0] + label, b.split(label)[0] + label
        ca, cb = _cells(a), _cells(b)
        if [end for _, end in ca] != [end for _, end in cb]:
            out.append(f"line {i}: {a!r} vs {b!r}")
            continue
        for (x, _), (y, _) in zip(ca, cb):
            mx, my = NUMBER.match(x), NUMBER.match(y)
            if mx and my and (mx.group(1) or "") and len(mx.group(1) or "") == len(my.group(1) or ""):
                if abs(float(x) - float(y)) > 1.01 * 10.0 ** -len(my.group(1)):
                    out.append(f"line {i}: {x} vs {y} in {b!r}")
            elif x != y:
                out.append(f"line {i}: {x!r} vs {y!r} in {b!r}")
    return out


def test_fixture_from_lavaan_0_6_14():
    assert FIX["lavaan_version"] == "0.6.14"


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_summary_prints_lavaans_lines(fits, name):
    assert differences(str(fits[name].summary()), FIX["cases"][name]["printed"]) == []


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_printed_fit_measures_match_lavaan(fits, name):
    """The keys summary() prints (rmsea.notclose.pvalue, the scaled and robust RMSEA, its
    interval and p-values, baseline.pvalue, scaling.factor.h0/h1) are lavaan's numbers."""
    res, case = fits[name], FIX["cases"][name]
    assert set(case["fit"]) <= set(res.fit)
    for key, want in case["fit"].items():
        tol = 1e-4 if "chisq" in key else 1e-6
        assert res.fit[key] == pytest.approx(math.nan if want is None else want, abs=tol,
                                             nan_ok=True), key
    stat_group = case["stat_group"]                     # one group: a scalar in the JSON
    assert res.chisq_group == pytest.approx(stat_group if isinstance(stat_group, list)
                                            else [stat_group], abs=1e-4)
    assert 0 < res.iterations <= 300


def test_new_p_values_are_informative():
    """The misfit makes the RMSEA p-values lie inside (0, 1), so a test of them can fail."""
    for case in FIX["cases"].values():
        for key, value in case["fit"].items():
            if "rmsea" in key and "pvalue" in key:
                assert 0.004 < value < 0.99, key


def test_the_comparison_fails_on_a_dropped_line_or_a_wrong_number(fits):
    """A test that cannot fail is no test: drop a line, change a number by two units of its
    last digit, shift a column or rename a label, and :func:`differences` reports it."""
    case = FIX["cases"]["mlr_groups"]
    text = str(fits["mlr_groups"].summary())
    lines = text.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("  P-value H_0: Robust RMSEA >= 0.080"))
    value = lines[at].split()[-1]
    wrong = f"{float(value) + 0.002:.3f}"
    mutants = {"dropped": lines[:at] + lines[at + 1:],
               "number": lines[:at] + [lines[at].replace(value, wrong)] + lines[at + 1:],
               "column": lines[:at] + [lines[at] + " "] + lines[at + 1:],
               "label": [x.replace("Test statistic for each group:", "Test statistic by group:")
                         for x in lines]}
    mutants["column"][at] = mutants["column"][at].replace(" " + value, value + " ")
    for kind, mutant in mutants.items():
        assert differences("\n".join(mutant), case["printed"]), kind
    one_off = f"{float(value) + 0.001:.3f}"          # a rounding boundary: accepted
    assert differences("\n".join(lines[:at] + [lines[at].replace(value, one_off)] + lines[at + 1:]),
                       case["printed"]) == []


def test_equality_constraints_and_groups_are_printed_as_lavaan(fits):
    text = str(fits["mlr_groups"].summary()).splitlines()
    assert "  Number of model parameters                        40" in text
    assert "  Number of equality constraints                    10" in text
    assert fits["mlr_groups"].fit["npar"] == 30              # fitMeasures' npar: after them
    labelled = str(fits["ml_labelled"].summary()).splitlines()
    assert "  Number of equality constraints                     1" in labelled
    assert not any("equality" in x for x in str(fits["ml"].summary()).splitlines())
    wl = str(fits["wlsmv_groups"].summary()).splitlines()
    at = wl.index("  Test statistic for each group:")
    assert [x.split()[0] for x in wl[at + 1:at + 3]] == ["a", "b"]
    assert sum(float(x.split()[1]) for x in wl[at + 1:at + 3]) == pytest.approx(
        fits["wlsmv_groups"].fit["chisq"], abs=2e-3)


def test_header_counts_our_iterations(fits):
    res = fits["ml"]
    assert str(res.summary()).splitlines()[0].endswith(
        f"ended normally after {res.iterations} iterations")


@pytest.mark.parametrize("name", list(ALPHA_PRINT["cases"]))
def test_alpha_summary_prints_psychs_lines(name):
    res = alpha_print_case(name)
    printed = list(ALPHA_PRINT["cases"][name]["printed"])
    if ALPHA_PRINT["cases"][name]["polychoric"]:    # psych's Feldt interval of k "rows"
        at = printed.index("    95% confidence boundaries ")
        del printed[at - 1:at + 3]
    assert differences(str(res.summary()), printed, own=("Call:",), lavaan=False) == []


def test_the_alpha_comparison_fails_on_a_wrong_number_or_a_dropped_line():
    case = ALPHA_PRINT["cases"]["A_pairwise"]
    lines = str(alpha_print_case("A_pairwise").summary()).splitlines()
    at = lines.index("Non missing response frequency for each item") + 2
    wrong = lines[:at] + [lines[at].replace("0.03", "0.05", 1)] + lines[at + 1:]
    for mutant in (wrong, lines[:at] + lines[at + 1:], lines[:-1]):
        assert differences("\n".join(mutant), case["printed"], own=("Call:",), lavaan=False)
