"""The path diagram of a CFA (:func:`analysis.stats.sem.path_diagram`, ``fit.plot()``), drawn
with matplotlib as semPlot's ``semPaths(fit, "std")`` draws one: latent variables as ovals in
a row, their indicators as boxes below them, the (standardized) loadings on the arrows, each
indicator's residual variance on a double-headed loop under its box, residual covariances as
arcs below, factor covariances (correlations) as curved double-headed arrows above.

Every element carries an SVG id (``gid``): ``latent-<name>``, ``box-<name>``,
``name-<name>`` (its text), ``loading-<factor>-<item>``, ``residual-<item>``, ``cov-<a>-<b>``.
"""
from __future__ import annotations

import functools
import io
import textwrap
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from analysis.stats._sem_cfa import CFAResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STEP = 1.5                 # distance between indicator centres
BOX_W, OVAL_W, OVAL_H = 1.25, 1.9, 0.9
Y_LATENT = 3.2
ARC = 0.3                  # curvature of covariance arrows
INCH = 0.62                # inches per unit: a 9-item figure fits a page's width at 9 pt


def _label(name: str, labels: Mapping[str, str] | None, width: int) -> str:
    return textwrap.fill(str((labels or {}).get(name, name)), width, break_long_words=False,
                         break_on_hyphens=False)


def _value(x: float) -> str:
    return f"{x:.2f}"


def _arc_mid(p1: tuple[float, float], p2: tuple[float, float], rad: float) -> tuple[float, float]:
    """The middle of matplotlib's ``arc3`` curve from p1 to p2 (a quadratic Bézier)."""
    (x1, y1), (x2, y2) = p1, p2
    return (x1 + x2) / 2 + rad * (y2 - y1) / 2, (y1 + y2) / 2 - rad * (x2 - x1) / 2


@functools.cache
def _diagram_class() -> type[Figure]:
    """A matplotlib ``Figure`` that a notebook shows by itself (as PNG), pyplot or not."""
    from matplotlib.figure import Figure

    class PathDiagram(Figure):
        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png", dpi=100)
            return buf.getvalue()

    return PathDiagram


def path_diagram(fit: CFAResult, *, labels: Mapping[str, str] | None = None,
                 standardized: bool = True, group: int = 1) -> Figure:
    """The path diagram of a fitted CFA, as semPlot's ``semPaths(fit, "std")``.

    Parameters
    ----------
    fit : CFAResult
        A converged :func:`~analysis.stats.sem.cfa` result. Loadings, residual variances and
        covariances are drawn; regressions (``~``) and intercepts are not.
    labels : mapping, optional
        Text for a variable name (an item's or factor's label), e.g. an instrument's labels;
        names without one are printed as they are.
    standardized : bool
        Print the completely standardized solution (lavaan's ``std.all``: loadings,
        residual variances 1 − R², factor correlations), else the estimates.
    group : int
        Which group of a multi-group model (1-based, lavaan's order).

    Returns
    -------
    matplotlib.figure.Figure
        Save it with ``fig.savefig("cfa.svg")`` or ``fig.savefig("cfa.png", dpi=300)``; a
        notebook shows it as a PNG.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.stats.sem import cfa, path_diagram
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> fig = path_diagram(cfa(hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6"))
    >>> {t.get_gid(): t.get_text() for t in fig.axes[0].texts}["loading-visual-x2"]
    '0.43'
    >>> fig.savefig("cfa.svg"); fig.savefig("cfa.png", dpi=300)  # doctest: +SKIP
    """
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch  # loads in seconds

    if fit._state is None or not fit.converged:
        raise ValueError("a path diagram needs a converged fit")
    est = fit.estimates[fit.estimates.group == group]
    if est.empty:
        raise ValueError(f"no group {group}; the model has {max(1, len(fit.group_labels))}")
    value = est["std_all" if standardized else "est"]
    est = est.assign(value=value.to_numpy())
    loads = est[est.op == "=~"]
    factors = list(dict.fromkeys(loads.lhs))
    items: list[str] = []
    for f in factors:                                   # an item under its first factor
        items += [x for x in loads.rhs[loads.lhs == f] if x not in items and x not in factors]
    x_item = {x: i * STEP for i, x in enumerate(items)}
    x_fac = {f: float(np.mean([x_item[x] for x in loads.rhs[loads.lhs == f] if x in x_item]
                              or [0.0])) for f in factors}
    for a, b in zip(factors, factors[1:]):              # ovals must not overlap
        x_fac[b] = max(x_fac[b], x_fac[a] + OVAL_W + 0.3)
    item_text = {x: _label(x, labels, 12) for x in items}
    lines = max([t.count("\n") + 1 for t in item_text.values()] or [1])
    box_h = 0.35 + 0.25 * lines

    width = max(x_item.values(), default=0.0) + STEP
    span = [abs(x_fac[b] - x_fac[a]) for a in factors for b in factors if a < b] or [0.0]
    cov = est[(est.op == "~~") & (est.lhs != est.rhs)]
    below = [abs(x_item[a] - x_item[b]) for a, b in zip(cov.lhs, cov.rhs)
             if a in x_item and b in x_item] or [0.0]
    xlim = (min([-STEP / 2, *x_fac.values()]) - 0.5, max([width - STEP / 2, *x_fac.values()]) + 0.5)
    ylim = (-box_h / 2 - 1.1 - ARC * max(below) / 2,
            Y_LATENT + OVAL_H / 2 + 0.3 + ARC * max(span) / 2)
    fig = _diagram_class()(figsize=(INCH * (xlim[1] - xlim[0]), INCH * (ylim[1] - ylim[0])))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_aspect("equal")
    font: dict[str, Any] = dict(ha="center", va="center", fontsize=9)
    tag: dict[str, Any] = dict(ha="center", va="center", fontsize=8,
               bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
    arrow: dict[str, Any] = dict(arrowstyle="-|>", mutation_scale=11, lw=0.9, color="black", shrinkA=0,
                 shrinkB=0)
    both: dict[str, Any] = dict(arrow, arrowstyle="<|-|>")

    for x, xc in x_item.items():
        ax.add_patch(FancyBboxPatch((xc - BOX_W / 2, -box_h / 2), BOX_W, box_h,
                                    boxstyle="square,pad=0", fc="white", ec="black", lw=1,
                                    gid=f"box-{x}"))
        ax.text(xc, 0, item_text[x], gid=f"name-{x}", **dict(font, fontsize=7.5))
    for f, xc in x_fac.items():
        ax.add_patch(Ellipse((xc, Y_LATENT), OVAL_W, OVAL_H, fc="white", ec="black", lw=1,
                             gid=f"latent-{f}"))
        ax.text(xc, Y_LATENT, _label(f, labels, 14), gid=f"name-{f}", **font)
    for _, row in loads.iterrows():
        if row.rhs not in x_item:
            continue
        start = (x_fac[row.lhs], Y_LATENT - OVAL_H / 2)
        end = (x_item[row.rhs], box_h / 2)
        ax.add_patch(FancyArrowPatch(start, end, **arrow))
        t = 0.7                                        # nearer the boxes, where arrows part
        ax.text(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]),
                _value(row.value), gid=f"loading-{row.lhs}-{row.rhs}", **tag)
    var = est[(est.op == "~~") & (est.lhs == est.rhs)]
    for _, row in var[var.lhs.isin(items)].iterrows():
        xc = x_item[row.lhs]
        p1, p2 = (xc - 0.22, -box_h / 2), (xc + 0.22, -box_h / 2)
        ax.add_patch(FancyArrowPatch(p1, p2, connectionstyle="arc3,rad=1.6", **both))
        ax.text(xc, -box_h / 2 - 0.62, _value(row.value), gid=f"residual-{row.lhs}", **tag)
    for _, row in cov.iterrows():
        if row.lhs in x_fac and row.rhs in x_fac:
            a, b = x_fac[row.lhs], x_fac[row.rhs]
            # a wider arc leaves an oval further towards its partner: arrowheads do not meet
            dx = np.sign(b - a) * 0.35 * OVAL_W / 2 * abs(b - a) / max(span)
            dy = OVAL_H / 2 * np.sqrt(1 - (2 * dx / OVAL_W) ** 2)
            p1, p2 = (a + dx, Y_LATENT + dy), (b - dx, Y_LATENT + dy)
            rad = -ARC if b > a else ARC
        elif row.lhs in x_item and row.rhs in x_item:
            p1, p2 = (x_item[row.lhs], -box_h / 2 - 0.9), (x_item[row.rhs], -box_h / 2 - 0.9)
            rad = ARC if p2[0] > p1[0] else -ARC
        else:
            continue
        ax.add_patch(FancyArrowPatch(p1, p2, connectionstyle=f"arc3,rad={rad}", **both))
        ax.text(*_arc_mid(p1, p2, rad), _value(row.value), gid=f"cov-{row.lhs}-{row.rhs}", **tag)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return fig
