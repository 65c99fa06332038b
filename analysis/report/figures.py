"""Report figures (matplotlib), readable in greyscale, labelled in English or Finnish.

Every function takes already computed numbers (DataFrames or Series), draws one figure and
returns a matplotlib ``Figure``; nothing here computes a statistic. Figures are built with
matplotlib's object-oriented API (no pyplot), so the library never changes the caller's
backend and leaves no open figures behind; :func:`save` writes a PNG and, in a notebook,
shows it. Series are told apart by
line style and marker as well as shade, so printouts in black and white stay readable.

Disclosure: a figure of a report shows no more than the report's tables. Charts of counts
and group statistics (:func:`count_chart`, :func:`sus_chart`, :func:`rci_chart`,
:func:`group_profile`, :func:`group_profiles`, :func:`service_use_chart`) take a table **as
published** — after disclosure control, hidden cells as the text ``<5`` or ``..`` — and
draw a hidden cell as that mark, never as a bar or point (draw them with
:meth:`analysis.report.document.Report.table_figure`). :func:`jacobson_plot` and
:func:`profile_chart` of one client show individuals: a published report leaves them out.
Legends sit below the plot area; in Finnish, numbers on the axes have a decimal comma.

Examples
--------
>>> import pandas as pd
>>> from analysis.report.figures import profile_chart
>>> readings = pd.DataFrame({"health": [4, 6], "housing": [5, 7]}, index=["baseline", "12m"])
>>> fig = profile_chart(readings, lang="en")
"""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter

from analysis.report import present
from analysis.report.i18n import has, t
from analysis.report.labels import value_labels
from analysis.study.cohort import profile_rows
from analysis.study.pilot import profile_means
from analysis.study.service_use import chart_means

GREYS = ("0.0", "0.45", "0.7")
STYLES = ("-", "--", ":")
MARKERS = ("o", "s", "^")


class _DecimalComma(ScalarFormatter):
    """Axis numbers with a decimal comma and a true minus (Finnish)."""

    def __call__(self, x, pos=None):
        return super().__call__(x, pos).replace(".", ",")


def _localise(fig: Figure, lang: str) -> Figure:
    """Numeric axes of ``fig`` in the conventions of ``lang`` (a decimal comma in Finnish);
    axes labelled with words (categories) keep their labels."""
    if lang == "fi":
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if type(axis.get_major_formatter()) is ScalarFormatter:
                    axis.set_major_formatter(_DecimalComma())
    return fig


def _legend_below(fig: Figure, ax, ncol: int = 2) -> None:
    """The legend of ``ax`` under the figure, outside every plot area and axis label
    (``bbox_inches="tight"`` when saving keeps it in the image)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(ncol, len(handles)),
                   fontsize=8, frameon=False)


def _value(x) -> float | None:
    """A published cell as a number, ``None`` when disclosure control hid it (``<5``, ``..``)."""
    if isinstance(x, str):
        return None
    x = float(x)
    return None if np.isnan(x) else x


def text(key: str, lang: str) -> str:
    """A figure's word in ``lang``: the catalogue's ``figures.<key>``, else the label of a
    value (an occasion, group or service type of the data), else the key itself.

    Examples
    --------
    >>> text("before", "fi"), text("social_work", "fi"), text("sat_health", "en"), text("unknown_key", "en")
    ('6 kk ennen suunnitelmaa', 'sosiaalityö', 'Health', 'unknown_key')
    """
    if has(f"figures.{key}", lang):
        return t(f"figures.{key}", lang)
    keys, values = value_labels(lang)
    for table in values.values():
        if key in table:
            return table[key]
    if has(f"values.{key}", lang):
        return t(f"values.{key}", lang)
    return keys.get(key, key)


def domain_labels(lang: str = "en") -> dict[str, str]:
    """Short names of the life domains of every life-domain instrument, e.g. ``{"health": "Health"}``.

    Examples
    --------
    >>> domain_labels("fi")["health"], domain_labels()["housing"]
    ('Terveys', 'Housing')
    """
    return value_labels(lang)[0]


def profile_chart(readings: pd.DataFrame, norm: pd.Series | None = None, *, lang: str = "en",
                  title: str | None = None) -> Figure:
    """Radar chart of up to three readings over the domains, with an optional norm line.

    Parameters
    ----------
    readings : DataFrame
        One row per reading (index = occasion label), one column per domain key, values 0–10.
    norm : Series, optional
        Reference value per domain (e.g. national means), drawn as a thin dotted line.

    Examples
    --------
    >>> import pandas as pd
    >>> readings = pd.DataFrame({"health": [4, 6], "housing": [5, 7]}, index=["baseline", "12m"])
    >>> fig = profile_chart(readings, pd.Series({"health": 6.8, "housing": 7.6}), lang="fi")
    >>> [x.get_text() for x in fig.legends[0].get_texts()]
    ['baseline', '12m', 'Kansallinen vertailutaso (16–29 v.)']
    """
    if len(readings) > 3:
        raise ValueError(f"a profile chart shows at most three readings, got {len(readings)}")
    domains = list(readings.columns)
    labels = domain_labels(lang)
    angles = np.linspace(0, 2 * np.pi, len(domains), endpoint=False)
    closed = np.append(angles, angles[0])
    fig = Figure(figsize=(6.5, 6.5))
    ax = fig.subplots(subplot_kw={"polar": True})
    for pos, (occasion, row) in enumerate(readings.iterrows()):
        i = len(readings) - 1 - pos  # the latest reading gets the darkest solid line
        values = row.to_numpy(dtype=float)
        ax.plot(closed, np.append(values, values[0]), color=GREYS[i], linestyle=STYLES[i],
                marker=MARKERS[i], linewidth=2, label=text(str(occasion), lang))
    if norm is not None:
        ref = norm.reindex(domains).to_numpy(dtype=float)
        ax.plot(closed, np.append(ref, ref[0]), color="0.3", linestyle=(0, (1, 1)), linewidth=1,
                label=text("norm", lang))
    ax.set_xticks(angles, [textwrap.fill(labels.get(d, d), 16) for d in domains], fontsize=8)
    ax.tick_params(axis="x", pad=12)
    ax.set_ylim(0, 10)
    ax.set_yticks([0, 2, 4, 6, 8, 10])
    ax.set_rlabel_position(float(np.degrees(angles[1] / 2)) if len(domains) > 1 else 0.0)
    if title:
        ax.set_title(title, pad=24)
    fig.tight_layout()
    _legend_below(fig, ax)
    return _localise(fig, lang)


def group_profile(change: pd.DataFrame, norm: pd.Series | None = None, *, lang: str = "en") -> Figure:
    """Horizontal dot plot of domain means at the first and latest reading, with the norm.

    ``change`` is a :func:`analysis.stats.change.paired_change` table as the report publishes
    it (see :func:`analysis.study.pilot.profile_means`); a domain whose means disclosure
    control hid is listed with the mark instead of points.
    """
    means = profile_means(change)
    domains = list(means.index)
    labels = domain_labels(lang)
    y = np.arange(len(domains))[::-1]
    first, latest = means["first"].to_numpy(float), means["latest"].to_numpy(float)
    fig = Figure(figsize=(7, 0.45 * len(domains) + 1.2))
    ax = fig.subplots()
    ax.hlines(y, first, latest, color="0.6", linewidth=1)
    ax.plot(first, y, "o", color="0.55", markerfacecolor="white", label=text("first", lang))
    ax.plot(latest, y, "s", color="0.0", label=text("latest", lang))
    if norm is not None:
        ax.plot(norm.reindex(domains).to_numpy(float), y, "|", color="0.0", markersize=14,
                label=text("norm", lang))
    for yy, a, b in zip(y, first, latest):
        if np.isnan(a) or np.isnan(b):
            ax.text(0.2, yy, text("hidden", lang), va="center", fontsize=8, style="italic")
    ax.set_yticks(y, [labels.get(d, d) for d in domains])
    ax.set_xlim(0, 10)
    ax.set_xlabel(text("satisfaction", lang))
    ax.grid(axis="x", color="0.9")
    fig.tight_layout()
    _legend_below(fig, ax, ncol=3)
    return _localise(fig, lang)


def group_profiles(means: pd.DataFrame, by: str, norm: pd.Series | None = None, *, lang: str = "en",
                   title: str | None = None) -> Figure:
    """Radar chart of the domain means of up to three groups of a published
    :func:`analysis.study.cohort.domain_means` table (one ``by`` column): only groups whose
    count is shown and at least five (:func:`analysis.study.cohort.profile_rows`)."""
    return profile_chart(profile_rows(means.set_index(by)), norm, lang=lang, title=title)


def count_chart(table: pd.DataFrame, category: str, *, count: str = "n", select: dict | None = None,
                total: str = "all", ylabel: str = "respondents", lang: str = "en", title: str | None = None) -> Figure:
    """Bars of the persons per category of a published table, each labelled with its count.

    A count hidden by disclosure control (``<5``, ``..``) gets no bar: its mark is written
    where the bar would stand, so the figure shows exactly what the table shows. ``select``
    keeps the rows whose columns have these values (e.g. ``{"score": "sat_life_overall"}``);
    the ``total`` row is left out.
    """
    rows = table
    for col, val in (select or {}).items():
        rows = rows[rows[col] == val]
    rows = rows[rows[category] != total]
    values = [_value(v) for v in rows[count]]
    x = np.arange(len(rows))
    heights = [v if v is not None else 0.0 for v in values]
    top = max([v for v in values if v is not None], default=0.0)
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    bars = ax.bar(x, heights, width=0.7, color="0.35", edgecolor="0.0", zorder=2)
    for bar, v, shown in zip(bars, values, rows[count]):
        if v is None:
            bar.set_visible(False)                  # nothing drawn for a hidden count
        ax.text(bar.get_x() + bar.get_width() / 2, (v or 0.0) + 0.01 * max(top, 1.0),
                present.count(v, lang) if v is not None else str(shown), ha="center", va="bottom", fontsize=8,
                style="normal" if v is not None else "italic")
    ax.set_xticks(x, [textwrap.fill(text(str(c), lang), 14) for c in rows[category]], fontsize=8)
    ax.set_ylim(0, max(top, 1.0) * 1.15)
    ax.set_ylabel(text(ylabel, lang))
    ax.grid(axis="y", color="0.9", zorder=0)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return _localise(fig, lang)


def rci_chart(table: pd.DataFrame, score: str, *, lang: str = "en", title: str | None = None) -> Figure:
    """Clients improved, unchanged and deteriorated (reliable change) on one score, from the
    published :func:`analysis.study.pilot.rci_summary` table."""
    return count_chart(table, "change", select={"score": score}, ylabel="clients", lang=lang, title=title)


def jacobson_plot(pre: pd.Series, post: pd.Series, sdc: float, *, lang: str = "en",
                  title: str | None = None) -> Figure:
    """Scatter of pre against post scores with the no-change line and the ±SDC band.

    Points above the band improved reliably, below it deteriorated (Jacobson & Truax 1991);
    ``sdc`` is the smallest detectable change, 1.96·√2·SEM.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = jacobson_plot(pd.Series([2.0, 5, 6]), pd.Series([7.0, 5, 2]), sdc=2.5)
    >>> [x.get_text() for x in fig.legends[0].get_texts()]
    ['No reliable change', 'Improved', 'Unchanged', 'Deteriorated']
    """
    both = pd.concat({"pre": pre, "post": post}, axis=1).dropna()
    diff = both["post"] - both["pre"]
    fig = Figure(figsize=(5.5, 5.5))
    ax = fig.subplots()
    grid = np.array([0, 10])
    ax.fill_between(grid, grid - sdc, grid + sdc, color="0.9", label=text("no_change", lang))
    ax.plot(grid, grid, color="0.4", linewidth=1)
    groups = (("improved", diff > sdc, "^", "0.0"), ("unchanged", diff.abs() <= sdc, "o", "0.5"),
              ("deteriorated", diff < -sdc, "v", "0.0"))
    for key, mask, marker, colour in groups:
        if mask.any():
            ax.scatter(both.loc[mask, "pre"], both.loc[mask, "post"], marker=marker, color=colour,
                       facecolors="none" if key == "unchanged" else colour,
                       label=text(key, lang))
    ax.set_xlim(-0.3, 10.3)
    ax.set_ylim(-0.3, 10.3)
    ax.set_xlabel(text("pre", lang))
    ax.set_ylabel(text("post", lang))
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    _legend_below(fig, ax, ncol=4)
    return _localise(fig, lang)


def sus_chart(bands: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Respondents per SUS adjective band of Bangor et al. (2009), from the published
    :func:`analysis.study.surveys.sus_band_table` (hidden bands shown as their mark)."""
    return count_chart(bands, "band", ylabel="respondents", lang=lang)


def service_use_chart(table: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Paired bars of mean visits per client before and after the plan, by service type.

    ``table`` is the published :func:`analysis.study.service_use.service_use_change` table
    (see :func:`analysis.study.service_use.chart_means`); a service whose means disclosure
    control hid gets its mark instead of bars.
    """
    means = chart_means(table)
    x = np.arange(len(means))
    fig = Figure(figsize=(7.5, 3.8))
    ax = fig.subplots()
    ax.bar(x - 0.2, means["before"].fillna(0), width=0.4, color="0.75", edgecolor="0.0", label=text("before", lang))
    ax.bar(x + 0.2, means["after"].fillna(0), width=0.4, color="0.2", edgecolor="0.0", hatch="//",
           label=text("after", lang))
    for xx, hidden in zip(x, means.isna().any(axis=1)):
        if hidden:
            ax.text(xx, 0, text("hidden", lang), ha="center", va="bottom", fontsize=7, style="italic", rotation=90)
    ax.set_xticks(x, [text(s, lang) for s in means.index], rotation=20, ha="right")
    ax.set_ylabel(text("visits", lang))
    fig.tight_layout()
    _legend_below(fig, ax)
    return _localise(fig, lang)


def scree_plot(eigenvalues: pd.DataFrame, *, observed: str, simulated: str, lang: str = "en") -> Figure:
    """Observed eigenvalues against the random-data threshold (Horn's parallel analysis).

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    *Psychometrika*, 30, 179–185.

    Examples
    --------
    >>> import pandas as pd
    >>> eigen = pd.DataFrame({"observed": [2.5, 1.1, 0.4], "p95": [1.4, 1.1, 0.9]})
    >>> ax = scree_plot(eigen, observed="observed", simulated="p95").axes[0]
    >>> [x.get_text() for x in ax.figure.legends[0].get_texts()], ax.get_ylabel()
    (['Observed data', 'Random data (95th percentile)'], 'Eigenvalue')
    """
    k = np.arange(1, len(eigenvalues) + 1)
    fig = Figure(figsize=(6, 3.8))
    ax = fig.subplots()
    ax.plot(k, eigenvalues[observed], "o-", color="0.0", label=text("observed", lang))
    ax.plot(k, eigenvalues[simulated], "s--", color="0.5", label=text("simulated", lang))
    ax.set_xticks(k)
    ax.set_xlabel(text("component", lang))
    ax.set_ylabel(text("eigenvalue", lang))
    fig.tight_layout()
    _legend_below(fig, ax)
    return _localise(fig, lang)


def category_curves(curves: pd.DataFrame, *, xlabel: str, ylabel: str, lang: str = "en") -> Figure:
    """Category probability curves of one item (``theta, category, probability``, e.g.
    :meth:`analysis.study.cohort.ScaleFunctioning.curves`): one line per category, labelled
    at its highest point. Drawn from model-implied curves, no person's answer.

    Examples
    --------
    >>> t = pd.DataFrame({"theta": [-1.0, -1.0, 1.0, 1.0], "category": [0, 1, 0, 1],
    ...                   "probability": [0.7, 0.3, 0.3, 0.7]})
    >>> ax = category_curves(t, xlabel="θ", ylabel="P").axes[0]
    >>> len(ax.lines), bool(ax.get_ylim()[1] >= 1)
    (2, True)
    """
    fig = Figure(figsize=(6.5, 3.8))
    ax = fig.subplots()
    categories = list(pd.unique(curves["category"]))
    grays = np.linspace(0.0, 0.6, max(len(categories), 1))
    for gray, (category, curve) in zip(grays, curves.groupby("category", sort=False)):
        ax.plot(curve["theta"], curve["probability"], color=str(gray), linewidth=1.2)
        top = curve.loc[curve["probability"].idxmax()]
        ax.annotate(f"{category:g}" if isinstance(category, (int, float, np.number)) else str(category),
                    (top["theta"], top["probability"]), textcoords="offset points", xytext=(0, 3),
                    ha="center", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return _localise(fig, lang)


def step_curve(table: pd.DataFrame, *, x: str, y: str, xlabel: str, ylabel: str, lang: str = "en") -> Figure:
    """A cumulative share (%) as a step curve from (0, 0), with its 95 % limits (``<y>_ci_low``,
    ``<y>_ci_high``) as a band, from a published table whose rows are the steps (e.g.
    :func:`analysis.study.process.curve_steps`: each step rests on at least five persons). A
    hidden value ends the curve.

    Examples
    --------
    >>> t = pd.DataFrame({"day": [10.0, 30.0], "pct": [40.0, 80.0], "pct_ci_low": [20.0, 60.0],
    ...                   "pct_ci_high": [60.0, 95.0]})
    >>> ax = step_curve(t, x="day", y="pct", xlabel="Days", ylabel="%").axes[0]
    >>> ax.get_xlabel(), float(ax.get_ylim()[1])
    ('Days', 100.0)
    """
    shown = [(_value(a), _value(b), _value(lo), _value(hi))
             for a, b, lo, hi in zip(table[x], table[y], table[f"{y}_ci_low"], table[f"{y}_ci_high"])]
    points = []
    for point in shown:
        if None in point[:2]:
            break
        points.append(point)
    xs = np.array([0.0, *(p[0] for p in points)])
    ys = np.array([0.0, *(p[1] for p in points)])
    lo = np.array([0.0, *((p[2] if p[2] is not None else p[1]) for p in points)])
    hi = np.array([0.0, *((p[3] if p[3] is not None else p[1]) for p in points)])
    fig = Figure(figsize=(6.5, 3.8))
    ax = fig.subplots()
    ax.fill_between(xs, lo, hi, step="post", color="0.85", zorder=1)
    ax.step(xs, ys, where="post", color="0.0", linewidth=1.6, zorder=2)
    ax.set_xlim(0, max(xs.max(), 1.0) * 1.05)
    ax.set_ylim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(color="0.92", zorder=0)
    fig.tight_layout()
    return _localise(fig, lang)


def lorenz_chart(table: pd.DataFrame, *, x: str, y: str, xlabel: str, ylabel: str, equality: str,
                 lang: str = "en") -> Figure:
    """A Lorenz curve (cumulative % of persons → cumulative % of the amount) against the line of
    equality, from a published table of its points (e.g.
    :func:`analysis.study.process.lorenz_steps`, every step resting on at least five persons).

    Examples
    --------
    >>> t = pd.DataFrame({"p": [0.0, 50.0, 100.0], "l": [0.0, 20.0, 100.0]})
    >>> ax = lorenz_chart(t, x="p", y="l", xlabel="Persons", ylabel="Visits", equality="Equal").axes[0]
    >>> len(ax.lines)
    2
    """
    fig = Figure(figsize=(4.8, 4.6))
    ax = fig.subplots()
    ax.plot([0, 100], [0, 100], ":", color="0.5", label=equality)
    points = [(_value(a), _value(b)) for a, b in zip(table[x], table[y])]
    points = [(a, b) for a, b in points if a is not None and b is not None]
    ax.plot([a for a, _ in points], [b for _, b in points], "o-", color="0.0", markersize=3)
    ax.fill_between([a for a, _ in points], [b for _, b in points], [a for a, _ in points], color="0.88")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(color="0.92")
    fig.tight_layout()
    _legend_below(fig, ax)
    return _localise(fig, lang)
