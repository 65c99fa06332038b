"""lavaan model-syntax parser (analysis.lavaan_syntax); expected parses written by hand
from the lavaan model-syntax documentation."""
from __future__ import annotations

import pandas as pd
import pytest

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
    ("f =~ x1\ny ~ x1 + x2", r"line 2: regressions"),
    ("f =~ x1 + x2\n\nf x3", r"line 3: .* no operator"),
    ("f =~ x1 + + x2", r"line 1: empty term"),
    ("f =~ 2x1", r"line 1: '2x1' is not a valid variable name"),
    ("f =~ c(1,2)*x1", r"line 1: modifier 'c\(1,2\)'"),
    ("f =~ x1\nf =~ x1", r"line 2: parameter 'f =~ x1' is specified twice"),
    ("x1 ~~ x2\nx2 ~~ x1", r"line 2: parameter"),
    ("a := b*c", r"line 1: operator ':='"),
    ("f =~", r"line 1: .*nothing after"),
])
def test_errors_name_the_line(model, msg):
    with pytest.raises(ModelSyntaxError, match=msg):
        parse_model(model)


def test_higher_order_and_mixed_covariance_rejected():
    d = pd.DataFrame({"x1": [1.0, 2, 3, 4], "x2": [2.0, 1, 4, 3], "x3": [1.0, 3, 2, 4]})
    with pytest.raises(ModelSyntaxError, match="higher-order"):
        cfa(d, "f =~ x1 + x2\ng =~ f + x3")
    with pytest.raises(ModelSyntaxError, match="factor and an observed"):
        cfa(d, "f =~ x1 + x2 + x3\nf ~~ x1")


def test_statement_is_frozen():
    s = Statement("f", "=~", "x1")
    with pytest.raises(AttributeError):
        s.lhs = "g"  # type: ignore[misc]
