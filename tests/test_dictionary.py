"""The data dictionary is complete, valid, up to date and matches what the code reads and writes."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.datasets import path as example_path
from analysis.intake.codebook import render_codebook
from analysis.intake.dictionary import (
    DICTIONARY_DIR,
    MISSING_VALUES,
    generated_schemas,
    schema_text,
    scores_schema,
)
from analysis.intake.instruments import (
    QUESTIONNAIRE_DIR,
    available_instruments,
    load_instrument,
)
from analysis.intake.readers import REJECTION_COLUMNS, load_responses, load_table
from analysis.intake.scoring import score

SCHEMAS = sorted(DICTIONARY_DIR.glob("*.json"))
TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year", "any"}
CONSTRAINTS = {"required", "unique", "enum", "minimum", "maximum", "pattern", "minLength", "maxLength"}
FIX = Path(__file__).parent / "fixtures" / "io"


def test_generated_schemas_are_committed_and_up_to_date():
    stale = [name for name, schema in generated_schemas().items()
             if not (DICTIONARY_DIR / name).exists()
             or (DICTIONARY_DIR / name).read_text(encoding="utf-8") != schema_text(schema)]
    assert not stale, f"run `python -m analysis dictionary`; out of date: {stale}"


def test_codebook_is_rendered_from_every_schema():
    committed = (DICTIONARY_DIR / "CODEBOOK.md").read_text(encoding="utf-8")
    assert committed == render_codebook(), \
        "run `python -m analysis codebook --out data_dictionary/CODEBOOK.md`"
    for path in SCHEMAS:
        assert f"(`{path.name}`)" in committed
        for field in json.loads(path.read_text(encoding="utf-8"))["fields"]:
            assert f"| `{field['name']}` |" in committed


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_schema_is_a_table_schema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    names = [f["name"] for f in schema["fields"]]
    assert len(names) == len(set(names)) and names
    for f in schema["fields"]:
        assert f.get("type", "string") in TYPES, f
        assert set(f.get("constraints", {})) <= CONSTRAINTS, f
        assert f.get("description"), f"{path.name}: field {f['name']} has no description"
        c = f.get("constraints", {})
        if "minimum" in c and "maximum" in c:
            assert c["minimum"] <= c["maximum"]
    pk = schema.get("primaryKey", [])
    assert set([pk] if isinstance(pk, str) else pk) <= set(names)
    assert all(isinstance(m, str) for m in schema.get("missingValues", [""]))


def test_responses_schema_follows_the_instrument():
    for ident in available_instruments():
        ins = load_instrument(ident)
        schema = json.loads((DICTIONARY_DIR / f"responses-{ident}.json").read_text(encoding="utf-8"))
        fields = {f["name"]: f for f in schema["fields"]}
        assert list(fields)[:3] == ["respondent_id", "occasion", "date"]
        assert list(fields)[3:] == ins.item_keys
        assert schema["missingValues"] == MISSING_VALUES
        for it in ins.rating_items:
            assert fields[it.key]["constraints"] == {"minimum": it.scale.min, "maximum": it.scale.max}
            assert fields[it.key]["description"] == it.label["en"]
        for it in ins.text_items:
            assert fields[it.key]["type"] == "string"


def test_score_ranges_match_the_declared_ranges():
    # the YAML files declare `range` by hand (published scoring); the dictionary derives it from
    # scales, reverse keys, zero_base, method and multiply — the two must agree
    checked = 0
    for ident in available_instruments():
        data = yaml.safe_load((QUESTIONNAIRE_DIR / f"{ident}.yaml").read_text(encoding="utf-8"))
        fields = {f["name"]: f for f in scores_schema(load_instrument(ident))["fields"]}
        for rule in data.get("scores", ()):
            if "range" in rule:
                c = fields[rule["key"]]["constraints"]
                assert [c["minimum"], c["maximum"]] == rule["range"], rule["key"]
                checked += 1
    assert checked >= 4
    # published ranges by hand (REFERENCES.md): SUS 0–100, WHO-5 raw 0–25 and ×4 0–100, SWLS 5–35
    assert scores_schema(load_instrument("sus"))["fields"][2]["constraints"] == {"minimum": 0, "maximum": 100}
    who5 = {f["name"]: f["constraints"] for f in scores_schema(load_instrument("who5"))["fields"][2:]}
    assert who5["who5_raw"] == {"minimum": 0, "maximum": 25} and who5["who5_pct"] == {"minimum": 0, "maximum": 100}


def test_rejections_schema_matches_the_loader():
    schema = json.loads((DICTIONARY_DIR / "rejections.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in schema["fields"]] == REJECTION_COLUMNS


def _assert_conforms(df: pd.DataFrame, schema: dict, what: str):
    """Every column is a field; every value satisfies the field's type and constraints."""
    fields = {f["name"]: f for f in schema["fields"]}
    undeclared = [c for c in df.columns if c not in fields]
    assert not undeclared, f"{what}: columns not in the data dictionary: {undeclared}"
    for col in df.columns:
        f, values = fields[col], df[col].dropna()
        c = f.get("constraints", {})
        if f["type"] in ("integer", "number"):
            v = values.astype(float)
            if f["type"] == "integer":
                assert (v % 1 == 0).all(), f"{what}: {col} not integral"
            assert v.ge(c.get("minimum", -np.inf)).all() and v.le(c.get("maximum", np.inf)).all(), f"{what}: {col}"
        if f["type"] == "boolean":
            assert values.isin([True, False]).all(), f"{what}: {col}"
        if "enum" in c:
            assert values.astype(str).isin([str(e) for e in c["enum"]]).all(), f"{what}: {col}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from analysis.study.synthetic import write_all

    out = tmp_path_factory.mktemp("demo")
    write_all(out, 2026)
    return out


def test_every_column_of_the_demo_data_is_declared(demo):
    from analysis.intake.manifest import read_manifest
    seen = set()
    for entry in read_manifest(demo).files:
        path = entry.source
        if entry.instrument:
            ins = load_instrument(entry.instrument)
            res = load_responses(path, ins)
            assert res.n_accepted == res.n_read > 0
            responses = json.loads((DICTIONARY_DIR / f"responses-{ins.id}.json").read_text(encoding="utf-8"))
            _assert_conforms(res.data, responses, entry.path)   # nothing passed through undeclared
            scored = score(res.data, ins)
            schema = json.loads((DICTIONARY_DIR / f"scores-{ins.id}.json").read_text(encoding="utf-8"))
            _assert_conforms(scored, schema, f"scores of {entry.path}")
            seen.add(f"scores-{ins.id}")
        else:
            res = load_table(path, entry.schema)   # load_table refuses undeclared columns
            assert res.n_accepted == res.n_read > 0
            assert set(pd.read_csv(path, nrows=0).columns) <= set(res.data.columns)   # absent optional ones empty
            seen.add(entry.schema)
    assert {"scores-3x10d", "scores-who5", "scores-sus", "background", "service-use", "indicators"} <= seen


def test_scored_fixture_with_importance_and_goals_conforms():
    ins = load_instrument("3x10d")
    scored = score(load_responses(example_path("3x10d_fi.xlsx"), ins).data, ins)
    schema = scores_schema(ins)
    _assert_conforms(scored, schema, "3x10d fixture")
    assert [c for c in (f["name"] for f in schema["fields"]) if c in scored.columns] == list(scored.columns)
