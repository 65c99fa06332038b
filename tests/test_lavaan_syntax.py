"""lavaan model-syntax parser (analysis.lavaan_syntax); expected parses written by hand
from the lavaan model-syntax documentation."""
from __future__ import annotations

import pytest

from analysis.datasets import load as load_example
from analysis.stats.lavaan_syntax import ModelSyntaxError, Statement, parse_model
from analysis.stats.sem import cfa


def _t(stmts):
    return [(s.lhs, s.op, s.rhs, s.fixed, s.free, s.label) for s in stmts]


def test_loadings_fixed_free_labels_comments():
    m = """
    # a comment line
    visual =~ x1 + 0.5*x2 + NA*x3   ! lavaan also accepts '!'
    textual =~ a*x4 + a*x5; speed =~ x7
    """
    assert _t(parse_model(m)) == [
        ("visual", "=~", "x1", None, False, ""),
        ("visual", "=~", "x2", 0.5, False, ""),
        ("visual", "=~", "x3", None, True, ""),
        ("textual", "=~", "x4", None, False, "a"),
        ("textual", "=~", "x5", None, False, "a"),
        ("speed", "=~", "x7", None, False, "")]


def test_covariances_intercepts_and_continuation():
    m = "f =~ x1 + x2 +\n     x3\n+ x4\nx1 ~~ 0*x2\nx1 ~~ x1\nx3 ~ 1\nf ~ 0*1\nf ~~ 1e-1*f"
    out = parse_model(m)
    assert [s.rhs for s in out[:4]] == ["x1", "x2", "x3", "x4"]
    assert _t(out[4:]) == [("x1", "~~", "x2", 0.0, False, ""),
                           ("x1", "~~", "x1", None, False, ""),
                           ("x3", "~1", "", None, False, ""),
                           ("f", "~1", "", 0.0, False, ""),
                           ("f", "~~", "f", 0.1, False, "")]
    assert out[4].line == 4 and out[0].line == 1


def test_modifiers_combine_as_in_lavaan():
    (s,) = parse_model("f =~ NA*x1 + b*x1")
    assert (s.free, s.label, s.fixed) == (True, "b", None)


@pytest.mark.parametrize("model, msg", [
    ("", "empty"),
    ("f =~ x1 + x2\n\nf x3", r"line 3: .* no operator"),
    ("f =~ x1 + + x2", r"line 1: empty term"),
    ("f =~ 2x1", r"line 1: '2x1' is not a valid variable name"),
    ("f =~ x1\nf =~ x1", r"line 2: parameter 'f =~ x1' is specified twice"),
    ("x1 ~~ x2\nx2 ~~ x1", r"line 2: parameter"),
    ("f =~", r"line 1: .*nothing after"),
    ("f =~ c(a, 1)*x1", r"line 1: .*mixes labels and values"),
    ("f =~ equal(a)*x1", r"line 1: modifier 'equal\(a\)'.*not supported"),
    ("y ~ x1:x2", r"line 1: interaction term 'x1:x2'.*product"),
    ("f <~ x1 + x2", r"line 1: formative.*'=~'"),
    ("x1 | a1", r"line 1: threshold 'a1' of 'x1' must be named t1, t2"),
    ("x1 ~*~ x2", r"line 1: a scaling factor is written 'x1 ~\*~ x1'"),
    ("group: 1\nf =~ x1", r"line 1: block labels.*c\(\.\.\.\)"),
    ("ab := a*b; c := max(a)", r"line 1: .*uses something other than"),
    ("f =~ f", r"line 1: latent variable 'f' cannot be measured by itself"),
])
def test_errors_name_the_line(model, msg):
    with pytest.raises(ModelSyntaxError, match=msg):
        parse_model(model)


def test_regressions_intercepts_several_lhs():
    """lavaan: 'y1 + y2 ~ x' is two regressions; '1' in a regression is the intercept."""
    out = parse_model("y1 + y2 ~ b*x1 + x2\ny1 ~ 1")
    assert _t(out) == [("y1", "~", "x1", None, False, "b"), ("y2", "~", "x1", None, False, "b"),
                       ("y1", "~", "x2", None, False, ""), ("y2", "~", "x2", None, False, ""),
                       ("y1", "~1", "", None, False, "")]
    (s,) = parse_model("y ~ 0.5*1")
    assert (s.op, s.fixed) == ("~1", 0.5)


def test_per_group_modifiers_start_and_label():
    s = parse_model("f =~ c(a1, a2)*x1 + c(1, NA)*x2 + start(0.4)*x3 + label('lam4')*x4 "
                    "+ c(b, b)*NA*x5")
    assert [(x.rhs, x.fixed, x.free, x.label, x.start) for x in s] == [
        ("x1", None, False, ("a1", "a2"), None),
        ("x2", (1.0, None), (False, True), "", None),
        ("x3", None, False, "", 0.4),
        ("x4", None, False, "lam4", None),
        ("x5", None, True, ("b", "b"), None)]


def test_thresholds_and_scaling_factors_as_measeq_syntax_writes_them():
    out = parse_model("u1 | c(NA, NA)*t1 + c(u1.thr1, u1.thr1)*t1 + t2\nu1 ~*~ c(1, NA)*u1")
    assert [(s.lhs, s.op, s.rhs, s.fixed, s.free, s.label) for s in out] == [
        ("u1", "|", "t1", (None, None), (True, True), ("u1.thr1", "u1.thr1")),
        ("u1", "|", "t2", None, False, ""),
        ("u1", "~*~", "u1", (1.0, None), (False, True), "")]


def test_definitions_and_constraints_kept_as_text():
    out = parse_model("y ~ a*x\nz ~ b*y\nind := a * b\ntot := ind + c\na == 2*b\nb > 0")
    assert [(s.lhs, s.op, s.rhs) for s in out[2:]] == [
        ("ind", ":=", "a * b"), ("tot", ":=", "ind + c"), ("a", "==", "2*b"), ("b", ">", "0")]


def test_higher_order_factor_and_factor_covariance_with_observed_fit():
    """Factors measured by factors and factor ~~ observed are part of full SEM now."""
    hs = load_example("holzinger_swineford_1939")
    r = cfa(hs, "v =~ x1 + x2 + x3\nt =~ x4 + x5 + x6\ns =~ x7 + x8 + x9\ng =~ v + t + s")
    assert r.converged and int(r.fit["df"]) == 24          # a just-identified second order
    assert r.fit["chisq"] == pytest.approx(85.306, abs=0.001)


def test_statement_is_frozen():
    s = Statement("f", "=~", "x1")
    with pytest.raises(AttributeError):
        s.lhs = "g"  # type: ignore[misc]
