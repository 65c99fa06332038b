"""The path diagram of a CFA (sem.path_diagram, fit.plot()): one box per indicator, one oval per
factor, the standardized loading (rounded) on each arrow, residual variances and factor
correlations; saved as SVG and as a 300-dpi PNG."""
from __future__ import annotations

import re

import pytest
from matplotlib.patches import Ellipse, FancyBboxPatch
from PIL import Image

from analysis import datasets
from analysis.stats.sem import cfa, path_diagram

HS = datasets.load("holzinger_swineford_1939")
THREE = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _texts(fig, prefix: str) -> dict[str, str]:
    return {t.get_gid(): t.get_text() for t in fig.axes[0].texts
            if (t.get_gid() or "").startswith(prefix)}


@pytest.mark.parametrize("model, factors, items", [
    ("visual =~ x1 + x2 + x3 + x4", ["visual"], ["x1", "x2", "x3", "x4"]),
    (THREE, ["visual", "textual", "speed"], [f"x{i}" for i in range(1, 10)]),
])
def test_one_box_per_indicator_one_oval_per_factor_and_the_loadings(model, factors, items, tmp_path):
    fit = cfa(HS, model)
    fig = fit.plot()
    patches = fig.axes[0].patches
    assert sorted(p.get_gid() for p in patches if isinstance(p, FancyBboxPatch)) == \
        sorted(f"box-{x}" for x in items)
    assert sorted(p.get_gid() for p in patches if isinstance(p, Ellipse)) == \
        sorted(f"latent-{f}" for f in factors)
    lam = fit.estimates[fit.estimates.op == "=~"]
    assert _texts(fig, "loading-") == {f"loading-{r.lhs}-{r.rhs}": f"{r.std_all:.2f}"
                                       for r in lam.itertuples()}
    var = fit.estimates[(fit.estimates.op == "~~") & fit.estimates.lhs.isin(items)
                        & (fit.estimates.lhs == fit.estimates.rhs)]
    assert _texts(fig, "residual-") == {f"residual-{r.lhs}": f"{r.std_all:.2f}"
                                        for r in var.itertuples()}
    n_cov = len(factors) * (len(factors) - 1) // 2
    assert len(_texts(fig, "cov-")) == n_cov
    fig.savefig(tmp_path / "cfa.svg")
    fig.savefig(tmp_path / "cfa.png", dpi=300)
    svg = (tmp_path / "cfa.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and len(re.findall(r'id="box-x\d"', svg)) == len(items)
    assert fig._repr_png_().startswith(b"\x89PNG")           # a notebook shows it without pyplot
    with Image.open(tmp_path / "cfa.png") as png:
        assert png.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert png.size[0] == round(fig.get_size_inches()[0] * 300)


def test_labels_estimates_and_correlation_values():
    fit = cfa(HS, THREE)
    fig = path_diagram(fit, labels={"visual": "Visual ability", "x1": "Visual perception"},
                       standardized=False)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Visual ability" in texts and "Visual\nperception" in texts and "x2" in texts
    est = fit.estimates.set_index(["lhs", "op", "rhs"])
    assert _texts(fig, "loading-")["loading-visual-x2"] == f"{est.loc[('visual', '=~', 'x2'), 'est']:.2f}"
    std = path_diagram(fit)
    assert _texts(std, "cov-")["cov-visual-textual"] == \
        f"{est.loc[('visual', '~~', 'textual'), 'std_all']:.2f}"


def test_residual_covariance_is_drawn_and_failed_fits_are_refused():
    fit = cfa(HS, "visual =~ x1 + x2 + x3 + x4\nx1 ~~ x4")
    assert set(_texts(fit.plot(), "cov-")) == {"cov-x1-x4"}
    with pytest.raises(ValueError, match="no group 2"):
        path_diagram(fit, group=2)
