"""How results display themselves: a short rounded ``repr``, an HTML block for notebooks and
the text of ``summary()`` laid out as R prints it (lavaan's ``summary(fit, fit.measures =
TRUE, standardized = TRUE)``, psych's ``alpha``, ``fa``, ``ICC``), so that an R user
recognises every block. :class:`analysis.stats.results.Result` takes its ``__repr__`` and
``_repr_html_`` from here; the result classes call the ``*_summary`` functions.

Numbers are rounded as R prints them: three decimals in lavaan's blocks, psych's
``digits = 2`` in psych's (``summary(digits=)`` changes it).

Examples
--------
>>> s = Summary("Reliability analysis\\n  raw_alpha\\n       0.82")
>>> print(s)
Reliability analysis
  raw_alpha
       0.82
>>> s.as_html().startswith("<pre")
True
"""
from __future__ import annotations

import html
import math
import numbers
import textwrap
from dataclasses import fields, is_dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis import __version__

#: Rows of a table shown by a result's ``repr``/HTML before it is cut (the rest: ``to_frame()``).
MAX_ROWS, MAX_COLS = 12, 9
WIDTH = 88


class Summary:
    """The text of a ``summary()``, as statsmodels' ``Summary``: ``print`` it, or let a
    notebook show it (``_repr_html_``: a ``<pre>`` block); ``as_text()``/``as_html()`` give
    the strings."""

    def __init__(self, text: str):
        self.text = text

    def as_text(self) -> str:
        return self.text

    def as_html(self) -> str:
        return f'<pre style="line-height: 1.25">{html.escape(self.text)}</pre>'

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.as_html()


# ------------------------------------------------------------------ generic result display
def number(value: Any, digits: int = 3) -> str:
    """A value as printed in a result: floats rounded, integers as they are, NaN as ``NA``."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        return "NA" if math.isnan(v) else f"{v:.{digits}f}"
    return str(value)


def rounded(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A copy with float columns rounded (for display only)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(digits)
    return out


Table = pd.DataFrame | pd.Series | np.ndarray


def _parts(result: Any) -> tuple[dict[str, Any], dict[str, Table], dict[str, Mapping[str, Any]]]:
    """The displayed fields of a dataclass result: scalars, tables (and arrays), mappings."""
    scalars: dict[str, Any] = {}
    tables: dict[str, Table] = {}
    maps: dict[str, Mapping[str, Any]] = {}
    for f in fields(result) if is_dataclass(result) else ():
        if not f.repr:
            continue
        value = getattr(result, f.name)
        if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
            tables[f.name] = value
        elif isinstance(value, Mapping):
            maps[f.name] = value
        elif isinstance(value, str) and "\n" in value:
            scalars[f.name] = " ".join(value.split())
        else:
            scalars[f.name] = value
    return scalars, tables, maps


def _shape(value: Table) -> str:
    if isinstance(value, pd.Series):
        return f"Series of {len(value)}"
    kind = "DataFrame" if isinstance(value, pd.DataFrame) else "array"
    return f"{kind} {' × '.join(map(str, value.shape))}"


def _scalar_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(number(v) for v in value) if value else "()"
    return number(value)


def _compact(value: Any) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_, numbers.Integral)):
        return repr(round(float(value), 3))
    return repr(value) if isinstance(value, str) else _scalar_text(value)


def _entry_text(value: Any) -> str:
    """A value of a mapping (lavaan's fit measures: counts such as df are floats)."""
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        return _shape(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _scalar_text(value)


def result_text(result: Any, frame: pd.DataFrame | None = None) -> str:
    """A result's ``repr``: a few scalars on one line (``Mean(n=3, mean=2.123)``); else its
    class, scalars rounded, mappings of numbers on a few lines, tables by their shape, then the
    head of its main table ``frame`` (one screen)."""
    scalars, tables, maps = _parts(result)
    name = type(result).__name__
    if not tables and not maps and frame is None and not hasattr(result, "summary"):
        one = f"{name}({', '.join(f'{k}={_compact(v)}' for k, v in scalars.items())})"
        if len(one) <= WIDTH:                       # a few numbers: the dataclass form, rounded
            return one
    lines = [name]
    width = max((len(k) for k in [*scalars, *tables, *maps]), default=0)
    for key, value in scalars.items():
        text = _scalar_text(value)
        lines.append(f"  {key:<{width}}  {textwrap.shorten(text, WIDTH - width - 4)}")
    for key, mapping in maps.items():
        items = ", ".join(f"{k} {_entry_text(v)}" for k, v in mapping.items())
        wrapped = textwrap.wrap(items, WIDTH - width - 4, max_lines=3, placeholder=" …") or [""]
        lines.append(f"  {key:<{width}}  {wrapped[0]}")
        lines += [f"  {'':<{width}}  {w}" for w in wrapped[1:]]
    for key, table in tables.items():
        lines.append(f"  {key:<{width}}  {_shape(table)} (.{key})")
    if frame is not None:
        with pd.option_context("display.max_colwidth", 24):
            shown = frame.head(MAX_ROWS).to_string(index=False, na_rep="", max_cols=MAX_COLS,
                                                   float_format=lambda v: f"{v:.3f}")
        lines += ["", textwrap.indent(shown, "  ")]
        if len(frame) > MAX_ROWS:
            lines.append(f"  … {len(frame) - MAX_ROWS} more rows: to_frame()")
    if hasattr(result, "summary"):
        lines.append("summary() prints the full output.")
    return "\n".join(lines)


def table_html(frame: pd.DataFrame, digits: int = 3, max_rows: int = MAX_ROWS) -> str:
    """A table for a notebook: numbers rounded, no index, at most ``max_rows`` rows."""
    shown = frame.head(max_rows)
    out = shown.to_html(index=False, na_rep="", border=0,
                        float_format=lambda v: f"{v:.{digits}f}")
    if len(frame) > max_rows:
        out += f"<p>… {len(frame) - max_rows} more rows</p>"
    return out


def result_html(result: Any, frame: pd.DataFrame | None = None) -> str:
    """A result in a notebook: its scalars as a two-column table, its mappings and other
    tables folded (``<details>``), then its main table."""
    scalars, tables, maps = _parts(result)
    rows = [(k, _scalar_text(v)) for k, v in scalars.items()]
    rows += [(k, _shape(v)) for k, v in tables.items()]
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                   f"<td style='text-align:left'>{html.escape(v)}</td></tr>" for k, v in rows)
    parts = [f"<div><strong>{html.escape(type(result).__name__)}</strong>",
             f"<table border='0'>{body}</table>"]
    for key, mapping in maps.items():
        values = {k: v for k, v in mapping.items() if isinstance(v, (numbers.Number, str))}
        if values:
            parts.append(f"<details><summary>{html.escape(key)}</summary>"
                         + table_html(pd.DataFrame({key: list(values),
                                                    "value": list(values.values())}),
                                      max_rows=len(values)) + "</details>")
    for key, table in tables.items():                # other tables: folded, one click away
        if isinstance(table, pd.DataFrame) and not table.empty and not (
                frame is not None and table.equals(frame)):
            parts.append(f"<details><summary>{html.escape(key)} ({_shape(table)})</summary>"
                         + table_html(table) + "</details>")
    if frame is not None:
        parts.append(table_html(frame))
    return "".join(parts) + "</div>"


# ------------------------------------------------------------------ lavaan's summary
VALUE, SECOND = 54, 12       # where lavaan's first column of values ends; its second's width


def _line(label: str, *values: str) -> str:
    text = f"  {label}".ljust(VALUE - len(values[0]) if values else 0) + (values[0] if values else "")
    return text + "".join(v.rjust(SECOND) for v in values[1:])


def _f3(value: float | None) -> str:
    return "" if value is None else number(value)


def _fit_block(fit: Mapping[str, float], rows: Sequence[tuple[str, str, str | None]],
               scaled: bool) -> list[str]:
    """Lines ``label  standard  [scaled]`` for keys of ``fit`` (a missing key prints blank);
    without the scaled column a row of a scaled key only prints it in the first."""
    out = []
    for label, key, key_scaled in rows:
        if not scaled and not key:
            key, key_scaled = key_scaled or "", None
        first = fit.get(key) if key else None
        second = fit.get(key_scaled) if key_scaled else None
        if first is None and second is None:
            continue
        if "df" in f"{key} {key_scaled}":             # degrees of freedom: whole when whole
            first_s, second_s = _entry_text(first) if first is not None else "", \
                _entry_text(second) if second is not None else ""
        else:
            first_s, second_s = _f3(first), _f3(second)
        out.append(_line(label, first_s, second_s) if scaled else _line(label, first_s))
    return out


def abbreviate(text: str, minlength: int = 4) -> str:
    """R's ``abbreviate(text, minlength)`` of one word, as lavaan shortens a parameter's
    label: lower-case vowels, then lower-case letters, then any other characters are dropped
    from the right (never the first) until ``minlength`` remain.

    >>> abbreviate(".p16."), abbreviate(".p2."), abbreviate("loading_a"), abbreviate(".p123.")
    ('.16.', '.p2.', 'ldn_', '.123')
    """
    chars = list(text)
    for drop in (lambda c: c in "aeiou", str.islower, lambda c: True):
        for i in range(len(chars) - 1, 0, -1):
            if len(chars) <= minlength:
                return "".join(chars)
            if drop(chars[i]):
                del chars[i]
    return "".join(chars)


def _param_name(row: pd.Series, observed: set[str], kind: str) -> str:
    name = str(row["rhs"] if kind in ("=~", "~", "~~") else row["lhs"])
    if kind == "|":
        name = f"{row['lhs']}|{row['rhs']}"
    dot = "." if kind in ("var", "~1") and row["lhs"] in observed else ""
    if kind == "~~" and row["rhs"] in observed and row["lhs"] in observed:
        dot = "."
    base = f"   {dot}{name}" if dot else f"    {name}"
    label = abbreviate(str(row.get("label") or ""))
    return f"{base}{LABEL}{label}" if label and kind != ":=" else base


def _cells(row: pd.Series) -> str:
    est, se, z, p = row["est"], row["se"], row["z"], row["pvalue"]
    fixed = se == 0
    cells = [number(est)]
    if fixed:
        cells += ["", "", ""]
    elif pd.isna(se):
        cells += ["NA", "", ""]
    else:
        cells += [number(se), number(z) if pd.notna(z) else "", number(p) if pd.notna(p) else ""]
    cells += [number(row["std_lv"]), number(row["std_all"])]
    return "".join(c.rjust(9) for c in cells)


PARAM_HEADER = f"{'Estimate':>9}{'Std.Err':>9}{'z-value':>9}{'P(>|z|)':>9}{'Std.lv':>9}{'Std.all':>9}"
CELLS, LABEL = "\t", "\x00"     # marks of a parameter row's name column, set by _aligned
#: lavaan's parameter blocks in its order: (heading, op, which rows).
BLOCKS = (("Latent Variables:", "=~"), ("Regressions:", "~"), ("Covariances:", "~~"),
          ("Intercepts:", "~1"), ("Thresholds:", "|"), ("Variances:", "var"),
          ("Scales y*:", "~*~"))


def _block_rows(est: pd.DataFrame, kind: str) -> pd.DataFrame:
    if kind == "~~":
        return est[(est.op == "~~") & (est.lhs != est.rhs)]
    if kind == "var":
        return est[(est.op == "~~") & (est.lhs == est.rhs)]
    return est[est.op == kind]


def _aligned(lines: list[str]) -> list[str]:
    """The name column as wide as lavaan makes it: 18 characters, or the longest name's."""
    rows = [line.split(CELLS) for line in lines]
    width = max([18] + [len(r[0].replace(LABEL, "  ()")) + 1 for r in rows if len(r) == 2])
    out = []
    for r in rows:
        if len(r) == 2:
            name, _, label = r[0].partition(LABEL)
            r[0] = name.ljust(width - len(label) - 2) + f"({label})" if label else name.ljust(width)
        out.append("".join(r))
    return out


def _parameter_blocks(est: pd.DataFrame, observed: set[str]) -> list[str]:
    out: list[str] = []
    for heading, kind in BLOCKS:
        rows = _block_rows(est, kind)
        if rows.empty:
            continue
        out += ["", heading, CELLS + PARAM_HEADER]
        last = None
        for _, row in rows.iterrows():
            if kind in ("=~", "~", "~~") and row["lhs"] != last:
                dot = "." if kind == "~~" and row["lhs"] in observed else ""
                out.append(f"  {dot}{row['lhs']} {kind}")
                last = row["lhs"]
            out.append(_param_name(row, observed, kind) + CELLS + _cells(row))
    return out


def _constraint_name(lhs: str, op: str, rhs: str) -> str:
    """lavaan's ``.makeConNames``: a constraint as the difference whose slack is printed."""
    if op == "<":
        return f"{rhs} - ({lhs})"
    return f"{lhs} - 0" if rhs == "0" else f"{lhs} - ({rhs})"


def lavaan_summary(result: Any, std_lv: np.ndarray, observed: Sequence[str],
                   group_n: Sequence[int] = (), n_free: int | None = None,
                   constraints: Sequence[tuple[str, str, str, float]] = ()) -> Summary:
    """The text of lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)`` for a
    :class:`~analysis.stats.sem.CFAResult`; ``std_lv`` holds lavaan's Std.lv column (in the
    order of ``result.estimates``), ``observed`` the observed variables (printed with lavaan's
    dot where a row is a residual), ``group_n`` the rows of each group, ``n_free`` the free
    parameters before equality constraints (lavaan's "Number of model parameters"; the
    constraints, ``n_free - npar``, are printed below it as lavaan does; with inequality
    constraints lavaan prints their number instead), ``constraints`` the user's ``==``,
    ``<``, ``>`` rows (lhs, op, rhs, lhs - rhs at the estimates) for lavaan's
    "Constraints:" block of slacks.

    The header counts the iterations of this package's optimiser (Fisher scoring or
    Gauss–Newton steps plus quasi-Newton ones), not nlminb's: the number differs from
    lavaan's, and so does the "Optimization method" line."""
    fit = {k: float(v) for k, v in result.fit.items()}
    est = result.estimates.assign(std_lv=std_lv)
    obs = set(observed)
    robust = result.estimator in ("MLR", "WLSMV")
    wlsmv = result.estimator == "WLSMV"
    fiml = result.missing != "listwise"
    head = f"analysis {__version__} (lavaan 0.6.14's estimator)"
    lines = [f"{head} ended normally after {result.iterations} iterations" if result.converged
             else f"{head} did NOT end normally"]
    lines += ["", _line("Estimator", "DWLS" if wlsmv else "ML"),
              _line("Optimization method", "GAUSS-NEWTON" if wlsmv else "FISHER SCORING")]
    if "npar" in fit:
        n_par = int(fit["npar"])
        lines.append(_line("Number of model parameters", number(n_free or n_par)))
        n_ineq = sum(op != "==" for _, op, _, _ in constraints)
        if n_free and n_free > n_par and not n_ineq:    # lavaan: with inequalities, these only
            lines.append(_line("Number of equality constraints", number(n_free - n_par)))
        if n_ineq:
            lines.append(_line("Number of inequality constraints", number(n_ineq)))
    lines.append("")
    if result.group_labels:
        lines.append(_line("Number of observations per group:", ""))
        for g, n_g in zip(result.group_labels, group_n):
            lines.append(_line(f"  {g}", number(n_g)))
    elif result.n_total and result.n_total != result.n:      # lavaan: used and total rows
        lines += [_line("", "Used", "Total"),
                  _line("Number of observations", number(result.n), number(result.n_total))]
    else:
        lines.append(_line("Number of observations", number(result.n)))
    if fiml:
        lines.append(_line("Number of missing patterns", number(result.n_patterns)))
    if not result.converged:
        return Summary("\n".join(lines + ["", *result.warnings]))
    lines += ["", "Model Test User Model:"]
    if robust:
        lines.append(" " * (VALUE - len("Standard")) + "Standard" + "Scaled".rjust(SECOND))
    else:
        lines.append("")
    lines += _fit_block(fit, [("Test Statistic" if robust else "Test statistic", "chisq",
                               "chisq.scaled"),
                              ("Degrees of freedom", "df", "df.scaled"),
                              ("P-value (Chi-square)", "pvalue", "pvalue.scaled"),
                              ("Scaling correction factor", "", "chisq.scaling.factor"),
                              ("Shift parameter", "", "chisq.shift.parameters")], robust)
    if result.estimator == "MLR":
        lines.append("    Yuan-Bentler correction (Mplus variant)")
    elif wlsmv:
        lines.append("    simple second-order correction")
    if len(result.chisq_group) > 1:         # lavaan's stat.group; scaled: T_g / c + shift / G
        lines.append("  Test statistic for each group:")
        shift = fit.get("chisq.shift.parameters", 0.0) / len(result.chisq_group)
        for label, t_g in zip(result.group_labels, result.chisq_group):
            scaled = [number(t_g / fit["chisq.scaling.factor"] + shift)] if robust else []
            lines.append(_line(f"  {label}", number(t_g), *scaled))
    lines += ["", "Model Test Baseline Model:", ""]
    lines += _fit_block(fit, [("Test statistic", "baseline.chisq", "baseline.chisq.scaled"),
                              ("Degrees of freedom", "baseline.df", "baseline.df.scaled"),
                              ("P-value", "baseline.pvalue", "baseline.pvalue.scaled"),
                              ("Scaling correction factor", "", "baseline.chisq.scaling.factor")],
                        robust)
    lines += ["", "User Model versus Baseline Model:", ""]
    lines += _fit_block(fit, [("Comparative Fit Index (CFI)", "cfi", "cfi.scaled"),
                              ("Tucker-Lewis Index (TLI)", "tli", "tli.scaled")], robust)
    if "cfi.robust" in fit:          # FIML with ML: in the first column
        lines += [""] + _fit_block(fit, [("Robust Comparative Fit Index (CFI)", "", "cfi.robust"),
                                         ("Robust Tucker-Lewis Index (TLI)", "", "tli.robust")],
                                   robust)
    if "logl" in fit:
        npar, n = fit["npar"], fit.get("ntotal", result.n)
        sabic = -2 * fit["logl"] + npar * math.log((n + 2) / 24)
        both = {**fit, "sabic": sabic}
        mlr = result.estimator == "MLR"          # the same values again under "Scaled"

        def logl_rows(*rows: tuple[str, str]) -> list[tuple[str, str, str | None]]:
            return [(label, key, key if mlr else None) for label, key in rows]

        lines += ["", "Loglikelihood and Information Criteria:", ""]
        for label, key, factor in (("Loglikelihood user model (H0)", "logl", "scaling.factor.h0"),
                                   ("Loglikelihood unrestricted model (H1)", "unrestricted.logl",
                                    "scaling.factor.h1")):
            lines += _fit_block(both, logl_rows((label, key)), mlr)
            if mlr:
                lines += _fit_block(both, [("Scaling correction factor", "", factor)], True)
                lines.append("      for the MLR correction")
        lines.append("")
        lines += _fit_block(both, logl_rows(("Akaike (AIC)", "aic"), ("Bayesian (BIC)", "bic"),
                                            ("Sample-size adjusted Bayesian (SABIC)", "sabic")),
                            mlr)
    lines += ["", "Root Mean Square Error of Approximation:", ""]
    lines += _fit_block(fit, [("RMSEA", "rmsea", "rmsea.scaled"),
                              ("90 Percent confidence interval - lower", "rmsea.ci.lower",
                               "rmsea.ci.lower.scaled"),
                              ("90 Percent confidence interval - upper", "rmsea.ci.upper",
                               "rmsea.ci.upper.scaled"),
                              ("P-value H_0: RMSEA <= 0.050", "rmsea.pvalue", "rmsea.pvalue.scaled"),
                              ("P-value H_0: RMSEA >= 0.080", "rmsea.notclose.pvalue",
                               "rmsea.notclose.pvalue.scaled")],
                        robust)
    if "rmsea.robust" in fit:
        lines += [""] + _fit_block(fit, [("Robust RMSEA", "", "rmsea.robust"),
                                         ("90 Percent confidence interval - lower", "",
                                          "rmsea.ci.lower.robust"),
                                         ("90 Percent confidence interval - upper", "",
                                          "rmsea.ci.upper.robust"),
                                         ("P-value H_0: Robust RMSEA <= 0.050", "",
                                          "rmsea.pvalue.robust"),
                                         ("P-value H_0: Robust RMSEA >= 0.080", "",
                                          "rmsea.notclose.pvalue.robust")], robust)
    lines += ["", "Standardized Root Mean Square Residual:", ""]
    lines += _fit_block(fit, [("SRMR", "srmr", "srmr" if robust else None)], robust)
    se_kind = {"ML": "Standard", "MLR": "Sandwich", "WLSMV": "Robust.sem"}[result.estimator]
    lines += ["", "Parameter Estimates:", "", _line("Standard errors", se_kind)]
    if result.estimator == "MLR" or fiml:           # observed information: lavaan's Hessian
        lines += [_line("Information bread" if result.estimator == "MLR" else "Information",
                        "Observed"), _line("Observed information based on", "Hessian")]
    else:
        lines += [_line("Information", "Expected"), _line("Information saturated (h1) model",
                                                          "Unstructured" if wlsmv else "Structured")]
    groups = sorted(g for g in est.group.unique() if g > 0)
    for g in groups:
        if result.group_labels:
            lines += ["", "", f"Group {g} [{result.group_labels[g - 1]}]:"]
        lines += _parameter_blocks(est[est.group == g], obs)
    defined = est[est.op == ":="]
    if not defined.empty:
        lines += ["", "Defined Parameters:", CELLS + PARAM_HEADER]
        for _, row in defined.iterrows():
            lines.append(f"    {row['lhs']}" + CELLS + _cells(row))
    if constraints:
        lines += ["", "Constraints:", "|Slack|".rjust(VALUE)]
        lines += [f"    {_constraint_name(lhs, op, rhs):<41}" + number(abs(v)).rjust(9)
                  for lhs, op, rhs, v in constraints]
    if result.warnings:
        lines += ["", "Warnings:"] + [f"  {w}" for w in result.warnings]
    return Summary("\n".join(_aligned(lines)))


# ------------------------------------------------------------------ psych's prints
def _psych_table(frame: pd.DataFrame, digits: int, index: str | None = None) -> str:
    """A table printed as R prints a data frame: row names first, numbers rounded."""
    shown = frame.set_index(index) if index else frame.copy()
    shown.index.name = shown.columns.name = None
    text = rounded(shown, digits).to_string(na_rep="NA", float_format=lambda v: f"{v:.{digits}f}")
    return text


def r_format(values: Sequence[float] | np.ndarray, digits: int = 7) -> list[str]:
    """R's ``format()`` of a numeric column (``formatReal``), as ``print(data.frame,
    digits=)`` shows it: every value with at least ``digits`` significant digits where it
    needs them, all with the same decimals (trailing zeros of the most exact one dropped);
    scientific when that is narrower; ``NA`` for NaN.

    >>> r_format([0.7037, 0.0091], 2), r_format([2784.0, 301.0], 2), r_format([0.90, 0.0], 2)
    (['0.7037', '0.0091'], ['2784', '301'], ['0.9', '0.0'])
    """
    finite = [float(v) for v in values if math.isfinite(v)]
    rgt = left = max_sig = 0
    big_exp = False
    for v in finite:
        mantissa, exp = f"{abs(v):.{digits - 1}e}".split("e")
        kp, sig = int(exp), len(mantissa.replace(".", "").rstrip("0")) or 1
        if v == 0:
            kp, sig = 0, 1
        rgt, max_sig = max(rgt, sig - kp - 1), max(max_sig, sig)
        left, big_exp = max(left, kp + 1, 1), big_exp or abs(kp) >= 100
    neg = any(v < 0 for v in finite)
    fixed = neg + left + (rgt + 1 if rgt else 0)
    sci = neg + (max_sig + 1 if max_sig > 1 else 1) + (5 if big_exp else 4)
    fmt = f".{max_sig - 1}e" if fixed > sci else f".{rgt}f"
    return [format(float(v), fmt) if math.isfinite(v) else "NA" for v in values]


def r_table(frame: pd.DataFrame, digits: int = 7) -> list[str]:
    """R's ``print(data.frame, digits=)``: row names (the index) left-aligned, each column
    formatted by :func:`r_format` (integers as they are) and right-aligned under its name."""
    names = [str(i) for i in frame.index]
    width = max((len(n) for n in names), default=0)
    columns = []
    for col in frame.columns:
        values = frame[col]
        cells = ([str(int(v)) for v in values] if pd.api.types.is_integer_dtype(values)
                 else r_format(values.to_numpy(dtype=float), digits))
        w = max([len(str(col))] + [len(c) for c in cells])
        columns.append([str(col).rjust(w)] + [c.rjust(w) for c in cells])
    rows = [" " * width] + [n.ljust(width) for n in names]
    return ["".join([r] + [" " + c[i] for c in columns]) for i, r in enumerate(rows)]


def alpha_summary(result: Any, digits: int = 2) -> Summary:
    """psych's ``print(alpha(x))`` for an :class:`~analysis.stats.reliability.AlphaResult`:
    the scale's row, the confidence boundaries (Feldt's and Duhachek's alpha ± z·ase, then
    the bootstrap's), "Reliability if an item is dropped:", "Item statistics" and, for items
    with few categories, "Non missing response frequency for each item"; tables formatted
    as R prints them (:func:`r_table`, ``digits`` significant). The "Call:" line names this
    package's call; the bootstrap row shows alpha where psych shows the bootstrap median.
    Alpha of a correlation matrix (:func:`~analysis.stats.reliability.ordinal_alpha`) has no
    standard error, item means or interval, as psych's alpha of a matrix, whose Feldt
    interval of k "rows" is left out."""
    items = pd.concat([result.items.set_index("item"), result.item_stats.set_index("item"),
                       result.alpha_drop.set_index("item").add_suffix("_if_dropped")], axis=1)
    items.index.name = None
    matrix = math.isnan(result.ase)
    total = {"raw_alpha": result.alpha, "std.alpha": result.std_alpha,
             "G6(smc)": result.g6_smc, "average_r": result.average_r, "S/N": result.signal_noise,
             "ase": result.ase, "mean": result.mean, "sd": result.sd, "median_r": result.median_r}
    if matrix:
        total = {k: v for k, v in total.items() if k not in ("ase", "mean", "sd")}
    call = f"cronbach_alpha(x, missing = {result.missing!r})" if not matrix else \
        f"ordinal_alpha(x, missing = {result.missing!r})"
    head = r_table(pd.DataFrame(total, index=[""]), digits)
    lines = ["", "Reliability analysis   ", f"Call: {call}", "", " " + head[0], *head[1:]]
    if not matrix:
        level = result.ci_level if result.ci_method != "none" else 0.95
        tail = (1 - level) / 2
        df1, df2 = result.n - 1, (result.n - 1) * (result.n_items - 1)
        feldt = [1 - (1 - result.alpha) * stats.f.ppf(1 - tail, df1, df2),
                 1 - (1 - result.alpha) * stats.f.ppf(tail, df1, df2)]
        z = stats.norm.ppf(1 - tail) if level != 0.95 else 1.96     # psych's 1.96
        rows = {"Feldt": feldt, "Duhachek": [result.alpha - z * result.ase,
                                             result.alpha + z * result.ase]}
        if result.ci_method == "bootstrap":
            rows["bootstrapped"] = [result.ci_low, result.ci_high]
        ci = pd.DataFrame({"lower": [r[0] for r in rows.values()],
                           "alpha": [result.alpha] * len(rows),
                           "upper": [r[1] for r in rows.values()]}, index=list(rows))
        lines += ["", f"    {round(100 * level)}% confidence boundaries ",
                  *r_table(ci.round(digits))]
    drop = {"raw_alpha": "alpha_if_dropped", "std.alpha": "std_alpha_if_dropped",
            "G6(smc)": "g6_smc_if_dropped", "average_r": "average_r_if_dropped",
            "S/N": "signal_noise_if_dropped", "alpha se": "alpha_se_if_dropped",
            "var.r": "var_r_if_dropped", "med.r": "med_r_if_dropped"}
    stat = {"n": "n", "raw.r": "raw_r", "std.r": "std_r", "r.cor": "r_cor",
            "r.drop": "item_rest_r", "mean": "mean", "sd": "sd"}
    if matrix:
        del drop["alpha se"]
        stat = {"r": "std_r", "r.cor": "r_cor", "r.drop": "item_rest_r"}
    lines += ["", " Reliability if an item is dropped:",
              *r_table(pd.DataFrame({k: items[v] for k, v in drop.items()}), digits),
              "", " Item statistics ",
              *r_table(pd.DataFrame({k: items[v] for k, v in stat.items()}), digits)]
    if not result.response_freq.empty:
        freq = result.response_freq.set_index("item")
        freq.index.name = None
        lines += ["", "Non missing response frequency for each item",
                  *r_table(freq.round(digits))]
    return Summary("\n".join(lines))


def omega_summary(result: Any, digits: int = 2) -> Summary:
    """Model-based reliability of an :class:`~analysis.stats.reliability.OmegaResult`, as
    semTools' ``compRelSEM`` and psych's ``omega`` name them."""
    lines = ["", f"Omega (model-based reliability; {result.estimator} CFA of {result.n} complete rows"
             + (f", {result.n_dropped} dropped)" if result.n_dropped else ")"),
             "Call: omega(model)", "", " " + " ".join(result.model.split()), "",
             f"Omega Total {number(result.omega_total, digits)}"]
    if not math.isnan(result.omega_hierarchical):
        lines.append(f"Omega Hierarchical: {number(result.omega_hierarchical, digits)}")
    lines += ["", "Omega of each factor (its indicators' sum):",
              _psych_table(result.per_factor, digits, "factor")]
    return Summary("\n".join(lines))


def efa_summary(result: Any, digits: int = 2) -> Summary:
    """psych's ``print(fa(r, nfactors))`` for an :class:`~analysis.stats.structure.EFAResult`."""
    loadings = result.loadings.set_index("item")
    table = loadings.assign(h2=result.communalities.to_numpy(), u2=result.uniquenesses.to_numpy())
    lam = loadings.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        com = (lam ** 2).sum(axis=1) ** 2 / (lam ** 4).sum(axis=1)
    table["com"] = com
    kind = "pattern matrix" if result.rotation in ("oblimin", "promax", "geominQ", "quartimin") \
        else "loadings"
    ve = result.variance_explained.set_index("factor")
    share = ve["ss_loadings"] / ve["ss_loadings"].sum()
    var = pd.DataFrame({"SS loadings": ve["ss_loadings"], "Proportion Var": ve["proportion"],
                        "Cumulative Var": ve["cumulative"], "Proportion Explained": share,
                        "Cumulative Proportion": share.cumsum()}).T
    lines = [f"Factor Analysis using method =  {result.method}",
             f"Call: efa(data, n_factors = {len(result.factors)}, method = {result.method!r}, "
             f"rotation = {result.rotation!r})",
             f"Standardized loadings ({kind}) based upon correlation matrix",
             _psych_table(table, digits), "", _psych_table(var, digits)]
    if len(result.factors) > 1:
        cor = result.factor_cor.set_index("factor")
        lines += ["", " With factor correlations of ", _psych_table(cor, digits)]
    if not result.converged:
        lines += ["", "The extraction did not converge."]
    return Summary("\n".join(lines))


ICC_NAMES = {"ICC1": "Single_raters_absolute", "ICC2": "Single_random_raters",
             "ICC3": "Single_fixed_raters", "ICC1k": "Average_raters_absolute",
             "ICC2k": "Average_random_raters", "ICC3k": "Average_fixed_raters"}


def icc_summary(result: Any, digits: int = 2) -> Summary:
    """psych's ``print(ICC(x))`` for an :class:`~analysis.stats.reliability.ICCResult`."""
    t = result.table.copy()
    t.index = [ICC_NAMES.get(x, x) for x in t["type"]]
    t = t.rename(columns={"icc": "ICC", "ci_low": "lower bound", "ci_high": "upper bound"})
    shown = t[["type", "ICC", "F", "df1", "df2", "p", "lower bound", "upper bound"]]
    lines = [f"Call: icc(data, method = {result.method!r})", "",
             "Intraclass correlation coefficients ", _psych_table(shown, digits), "",
             f" Number of subjects = {result.n}     Number of Judges =  {result.k}",
             *([f" ({result.n_dropped} subjects dropped)"] if result.n_dropped else []),
             "", "Variance components:",
             _psych_table(result.variance, digits, "component")]
    return Summary("\n".join(lines))
