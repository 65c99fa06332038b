"""The report notebooks hold narrative and calls only (ARCHITECTURE.md): a markdown
introduction, the papermill parameters, one setup and one call per section. Decisions (which
section runs, where numbers come from, what a sentence may say about a hidden cell) live in
``analysis.study`` and ``analysis.report``, where they are tested."""
from __future__ import annotations

import ast
import json

import pytest

from analysis.report.runner import NOTEBOOK_DIR

REPORTS = ["01_data_intake", "02_validation_report", "03_norms", "04_pilot_evaluation", "05_participant_surveys",
           "06_service_use", "07_half_yearly_indicators", "08_process"]
MAX_LINES = 40
#: Statements a notebook may hold besides calls, assignments, imports and ``with r.attempt():``.
FORBIDDEN = (ast.For, ast.While, ast.FunctionDef, ast.ClassDef, ast.Try, ast.Lambda, ast.ListComp, ast.DictComp,
             ast.SetComp, ast.GeneratorExp)


def cells(name: str) -> list[dict]:
    return json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def code(name: str) -> list[str]:
    return ["".join(c["source"]) for c in cells(name) if c["cell_type"] == "code"]


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_is_narrative_and_calls(name):
    book = cells(name)
    assert book[0]["cell_type"] == "markdown" and len("".join(book[0]["source"])) > 100     # the narrative
    assert "parameters" in book[1]["metadata"].get("tags", [])
    assert all(c["cell_type"] == "markdown" or (c["outputs"] == [] and c["execution_count"] is None) for c in book)
    sources = code(name)
    lines = [line for s in sources for line in s.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(lines) <= MAX_LINES, f"{name}: {len(lines)} code lines"
    for source in sources:
        assert "isinstance" not in source and "[:31]" not in source
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, FORBIDDEN), f"{name}: {ast.unparse(node)[:80]}"
            if isinstance(node, (ast.If, ast.IfExp)):            # only skipping a section: if r.has(...)
                assert isinstance(node.test, ast.Call) and ast.unparse(node.test.func).endswith((".has", ".section")), \
                    f"{name}: {ast.unparse(node.test)}"
            if isinstance(node, ast.With):
                assert [ast.unparse(i.context_expr) for i in node.items] == ["r.attempt()"]


def test_walkthrough_is_narrative_and_calls():
    """The tutorial (00_walkthrough) is longer than a report notebook but holds only calls too:
    each section's markdown explains its calls in English and Finnish, and nothing is defined,
    looped or branched; outputs are not stored (they come from running it)."""
    book = cells("00_walkthrough")
    assert book[0]["cell_type"] == "markdown" and "Suomeksi" in "".join(book[0]["source"])
    for cell in book[1:]:
        assert cell["cell_type"] == "markdown" or (cell["outputs"] == [] and cell["execution_count"] is None)
        if cell["cell_type"] == "markdown":
            assert "*Suomeksi:*" in "".join(cell["source"]), "".join(cell["source"])[:60]
    sections = [c for c in book if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")]
    assert len(sections) >= 10
    lines = [line for s in code("00_walkthrough") for line in s.splitlines() if line.strip()]
    assert len(lines) <= 60, f"{len(lines)} code lines"
    for source in code("00_walkthrough"):
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, (*FORBIDDEN, ast.If, ast.IfExp, ast.With)), ast.unparse(node)[:80]
