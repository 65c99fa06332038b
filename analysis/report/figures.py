"""Report figures (matplotlib), readable in greyscale, labelled in English or Finnish.

Every function takes already computed numbers (DataFrames or Series), draws one figure and
returns a matplotlib ``Figure``; nothing here computes a statistic. Figures are built with
matplotlib's object-oriented API (no pyplot), so the library never changes the caller's
backend and leaves no open figures behind; :func:`save` writes a PNG and, in a notebook,
shows it. Series are told apart by
line style and marker as well as shade, so printouts in black and white stay readable.

Examples
--------
>>> import pandas as pd
>>> from analysis.report.figures import profile_chart
>>> readings = pd.DataFrame({"health": [4, 6], "housing": [5, 7]}, index=["baseline", "12m"])
>>> fig = profile_chart(readings, lang="en")
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.i18n import has, t
from analysis.report.labels import value_labels
from analysis.study.surveys import SUS_BANDS

GREYS = ("0.0", "0.45", "0.7")
STYLES = ("-", "--", ":")
MARKERS = ("o", "s", "^")




def save(fig: Figure, path: str | Path, *, show: bool = False, dpi: int = 120) -> Path:
    """Write ``fig`` as PNG to ``path`` (folders created); with ``show`` also display it in a notebook.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> fig = sus_chart(pd.Series([55.0, 70, 82.5]))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save(fig, Path(folder) / "figures" / "sus.png")
    ...     path.name, path.read_bytes()[1:4]
    ('sus.png', b'PNG')
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    if show:
        from IPython.display import Image, display
        display(Image(filename=str(path)))
    return path


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
    >>> [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
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
    ax.legend(loc="upper right", bbox_to_anchor=(1.3, 1.12), fontsize=8)
    if title:
        ax.set_title(title, pad=24)
    fig.tight_layout()
    return fig


def group_profile(first: pd.Series, latest: pd.Series, norm: pd.Series | None = None, *,
                  lang: str = "en") -> Figure:
    """Horizontal dot plot of domain means at the first and latest reading, with the norm.

    Examples
    --------
    >>> import pandas as pd
    >>> first, latest = pd.Series({"health": 4.0, "housing": 5.0}), pd.Series({"health": 6.0, "housing": 7.0})
    >>> ax = group_profile(first, latest).axes[0]
    >>> [x.get_text() for x in ax.get_yticklabels()], [x.get_text() for x in ax.get_legend().get_texts()]
    (['Health', 'Housing'], ['First reading', 'Latest reading'])
    """
    domains = list(first.index)
    labels = domain_labels(lang)
    y = np.arange(len(domains))[::-1]
    fig = Figure(figsize=(7, 0.45 * len(domains) + 1.2))
    ax = fig.subplots()
    ax.hlines(y, first.to_numpy(float), latest.to_numpy(float), color="0.6", linewidth=1)
    ax.plot(first.to_numpy(float), y, "o", color="0.55", markerfacecolor="white", label=text("first", lang))
    ax.plot(latest.to_numpy(float), y, "s", color="0.0", label=text("latest", lang))
    if norm is not None:
        ax.plot(norm.reindex(domains).to_numpy(float), y, "|", color="0.0", markersize=14,
                label=text("norm", lang))
    ax.set_yticks(y, [labels.get(d, d) for d in domains])
    ax.set_xlim(0, 10)
    ax.set_xlabel(text("satisfaction", lang))
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(axis="x", color="0.9")
    fig.tight_layout()
    return fig




def jacobson_plot(pre: pd.Series, post: pd.Series, sdc: float, *, lang: str = "en",
                  title: str | None = None) -> Figure:
    """Scatter of pre against post scores with the no-change line and the ±SDC band.

    Points above the band improved reliably, below it deteriorated (Jacobson & Truax 1991);
    ``sdc`` is the smallest detectable change, 1.96·√2·SEM.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = jacobson_plot(pd.Series([2.0, 5, 6]), pd.Series([7.0, 5, 2]), sdc=2.5)
    >>> [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
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
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def sus_chart(scores: pd.Series, *, lang: str = "en") -> Figure:
    """Histogram of SUS scores over the shaded adjective bands of Bangor et al. (2009).

    Examples
    --------
    >>> import pandas as pd
    >>> ax = sus_chart(pd.Series([55.0, 70, 82.5]), lang="en").axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('SUS score (0–100)', 'Respondents')
    """
    fig = Figure(figsize=(7, 3.5))
    ax = fig.subplots()
    for i, (low, high, names) in enumerate(SUS_BANDS):
        ax.axvspan(low, min(high, 100), color="0.93" if i % 2 else "0.85", zorder=0)
        ax.text((low + min(high, 100)) / 2, 0.98, names[lang if lang in names else "en"],
                transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7)
    ax.hist(scores.dropna(), bins=np.arange(0, 102.5, 5), color="0.25", edgecolor="white", zorder=2)
    ax.axvline(scores.mean(), color="0.0", linestyle="--", linewidth=1.5, zorder=3)
    ax.set_xlim(0, 100)
    ax.set_xlabel(text("sus", lang))
    ax.set_ylabel(text("respondents", lang))
    fig.tight_layout()
    return fig


def service_use_chart(means: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Paired bars of mean visits per client before and after the plan, by service type.

    ``means`` has one row per service type and columns ``before`` and ``after``.

    Examples
    --------
    >>> import pandas as pd
    >>> means = pd.DataFrame({"before": [2.0, 1.0], "after": [1.5, 1.2]}, index=["doctor", "social_work"])
    >>> [x.get_text() for x in service_use_chart(means, lang="fi").axes[0].get_xticklabels()]
    ['lääkäri', 'sosiaalityö']
    """
    x = np.arange(len(means))
    fig = Figure(figsize=(7.5, 3.8))
    ax = fig.subplots()
    ax.bar(x - 0.2, means["before"], width=0.4, color="0.75", edgecolor="0.0", label=text("before", lang))
    ax.bar(x + 0.2, means["after"], width=0.4, color="0.2", edgecolor="0.0", hatch="//",
           label=text("after", lang))
    ax.set_xticks(x, [text(s, lang) for s in means.index], rotation=20, ha="right")
    ax.set_ylabel(text("visits", lang))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


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
    >>> [x.get_text() for x in ax.get_legend().get_texts()], ax.get_ylabel()
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
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
