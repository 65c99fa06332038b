"""Instrument definitions: every YAML file against the schema, cross-references, labels,
the label override and clear errors for broken definitions."""
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from analysis.intake.instruments import (
    QUESTIONNAIRE_DIR,
    SCHEMA_PATH,
    available_instruments,
    load_instrument,
)

YAML_FILES = sorted(QUESTIONNAIRE_DIR.glob("*.yaml"))
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
DOMAINS = ["health", "resilience", "housing", "daily_coping", "family", "friends", "finances",
           "strengths", "self_esteem", "life_overall"]


def test_all_expected_instruments_ship():
    assert set(available_instruments()) == {
        "3x10d", "3x10d-14-17", "who5", "rses", "swls", "sus", "client-survey", "staff-survey"}


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.stem)
def test_every_yaml_validates_against_schema_and_loads(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert data["id"] == path.stem
    ins = load_instrument(path.stem)
    assert ins.reference and ins.notes
    # labels are paraphrases; the notes must say so and point to the override file
    assert "paraphrase" in ins.notes or "project's own" in ins.notes
    assert "override" in ins.notes


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.stem)
def test_labels_and_aliases_are_unambiguous(path):
    # header_map matches headers by label and alias: two items sharing one would be ambiguous
    ins = load_instrument(path.stem)
    for lang in ("fi", "sv", "en"):
        labels = [it.label[lang].casefold() for it in ins.items]
        assert len(set(labels)) == len(labels), lang
    names = [a.casefold() for it in ins.items for a in {it.key, *it.aliases}]
    assert len(set(names)) == len(names)
    # nor may two items' names fold to one text (case, punctuation, dashes and spacing ignored)
    _, ambiguous = ins.match_headers([n for it in ins.items for n in (it.key, *it.label.values(), *it.aliases)])
    assert ambiguous == {}


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.stem)
def test_declared_score_ranges_match_item_scales(path):
    ins = load_instrument(path.stem)
    for rule in ins.scores:
        assert rule.range is not None, rule.key
        assert ins.score_bounds(rule.key) == rule.range


# Short fragments of the published wording. Labels must be our own: none may reproduce these.
OFFICIAL_FRAGMENTS = ["cheerful and in good spirits", "calm and relaxed", "fresh and rested",
                      "close to my ideal", "would change almost nothing", "a person of worth",
                      "i certainly feel useless", "use this system frequently",
                      "unnecessarily complex", "very cumbersome"]


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.stem)
def test_labels_are_not_official_wording(path):
    text = path.read_text(encoding="utf-8").casefold()
    assert [f for f in OFFICIAL_FRAGMENTS if f in text] == []


@pytest.mark.parametrize("ident, prefix, n, lo, hi", [
    ("who5", "who5", 5, 0, 5), ("rses", "rses", 10, 1, 4), ("swls", "swls", 5, 1, 7),
    ("sus", "sus", 10, 1, 5)])
def test_comparison_instrument_items_and_scales(ident, prefix, n, lo, hi):
    ins = load_instrument(ident)
    assert ins.item_keys == [f"{prefix}_{i}" for i in range(1, n + 1)]
    assert {(it.scale.min, it.scale.max) for it in ins.rating_items} == {(lo, hi)}


def test_comparison_instrument_scores():
    who5 = load_instrument("who5")
    assert [(r.key, r.method, r.multiply, r.required) for r in who5.scores] == [
        ("who5_raw", "sum", 1.0, 5), ("who5_pct", "sum", 4.0, 5)]
    rses = load_instrument("rses").score("rses_total")
    assert rses.reverse == ("rses_2", "rses_5", "rses_6", "rses_8", "rses_9")
    assert (rses.method, rses.required, rses.prorate) == ("sum", 8, True)
    swls = load_instrument("swls").score("swls_total")
    assert (swls.reverse, swls.method, swls.required, swls.prorate) == ((), "sum", 4, True)
    sus = load_instrument("sus").score("sus_score")
    assert sus.reverse == tuple(f"sus_{i}" for i in (2, 4, 6, 8, 10))
    assert (sus.zero_base, sus.multiply, sus.required) == (True, 2.5, 10)


@pytest.mark.parametrize("ident, prefix, subscales, text", [
    ("client-survey", "cs", ["cs_one_stop", "cs_benefit", "cs_participation", "cs_worker", "cs_plan"],
     ["cs_comment_good", "cs_comment_improve"]),
    ("staff-survey", "ss", ["ss_multiprof", "ss_pulling_together", "ss_client_centred",
                            "ss_management"], ["ss_comment"])])
def test_participant_surveys(ident, prefix, subscales, text):
    ins = load_instrument(ident)
    assert [r.key for r in ins.scores] == subscales
    assert [it.key for it in ins.text_items] == text
    assert all(it.scale is None for it in ins.text_items)
    rating = [it.key for it in ins.rating_items]
    assert rating == [f"{prefix}_{i}" for i in range(1, len(rating) + 1)]
    assert {(it.scale.min, it.scale.max) for it in ins.rating_items} == {(1, 5)}
    # every rating item belongs to exactly one subscale; each subscale has a reverse-keyed item
    used = [k for r in ins.scores for k in r.items]
    assert sorted(used) == sorted(rating)
    for r in ins.scores:
        assert r.method == "mean" and r.reverse and 1 < r.required < len(r.items)
        assert all("(negative)" in ins.label(k, "en") for k in r.reverse)
        assert not any("(negative)" in ins.label(k, "en") for k in set(r.items) - set(r.reverse))


@pytest.mark.parametrize("ident", ["3x10d", "3x10d-14-17"])
def test_life_domain_definitions(ident):
    ins = load_instrument(ident)
    assert ins.scoring["type"] == "life_domains"
    assert ins.scoring["domains"] == DOMAINS
    assert ins.item_keys == [f"{p}_{d}" for p in ("sat", "imp", "goal") for d in DOMAINS]
    assert {(it.scale.min, it.scale.max) for it in ins.rating_items} == {(0, 10)}
    assert [(b["name"], b["min"], b["max"]) for b in ins.scoring["bands"]] == [
        ("low", 0, 5), ("moderate", 6, 7), ("high", 8, 10)]
    assert ins.scoring["priority"] == {"importance_min": 8, "satisfaction_max": 5}
    assert ins.scoring["domain_mean"] == {"domains": DOMAINS[:9], "min_answered": 7}
    assert ins.scoring["global_domain"] == "life_overall"


def test_14_17_differs_only_in_family_wording():
    a, b = load_instrument("3x10d"), load_instrument("3x10d-14-17")
    assert a.item_keys == b.item_keys
    differ = [it.key for it, jt in zip(a.items, b.items) if it.label != jt.label]
    assert differ == ["sat_family", "imp_family", "goal_family"]
    assert "close" in a.label("sat_family") and "close" not in b.label("sat_family")


# --- label override --------------------------------------------------------------------------

def test_label_override_replaces_given_languages_only(tmp_path):
    path = tmp_path / "official.yaml"
    path.write_text("instrument: who5\nlabels:\n  who5_1: {en: OFFICIAL EN 1}\n"
                    "  who5_pct: {fi: VIRALLINEN}\n", encoding="utf-8")
    ins = load_instrument("who5", labels_override=path)
    assert ins.label("who5_1", "en") == "OFFICIAL EN 1"
    assert ins.label("who5_1", "fi") == load_instrument("who5").label("who5_1", "fi")
    assert ins.label("who5_pct", "fi") == "VIRALLINEN"
    # the override feeds header matching too
    assert ins.header_map(["official en 1"]) == {"official en 1": "who5_1"}
    # the shipped definition is untouched
    assert load_instrument("who5").label("who5_1", "en") == "Good mood"


@pytest.mark.parametrize("body, expected", [
    ("instrument: rses\nlabels: {who5_1: {en: x}}\n", "not 'who5'"),
    ("instrument: who5\nlabels: {who5_9: {en: x}}\n", "unknown key 'who5_9'"),
    ("instrument: who5\nlabels: {who5_1: just text}\n", "must map language codes"),
    ("instrument: who5\nlabels: {who5_1: {en: ''}}\n", "must map language codes"),
])
def test_bad_label_override_names_file(tmp_path, body, expected):
    path = tmp_path / "override.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(expected)) as err:
        load_instrument("who5", labels_override=path)
    assert str(path) in str(err.value)


# --- broken definitions ----------------------------------------------------------------------

def _broken(tmp_path: Path, ident: str, edit) -> Path:
    data = yaml.safe_load((QUESTIONNAIRE_DIR / f"{ident}.yaml").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / f"{ident}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _set(mapping, key, value):
    mapping[key] = value


BROKEN = [
    ("who5", lambda d: d["items"][0]["label"].pop("sv"), "at items/0/label: 'sv' is a required"),
    ("who5", lambda d: d.pop("reference"), "'reference' is a required property"),
    ("who5", lambda d: _set(d["items"][1], "scale", "nope"), "uses undeclared scale 'nope'"),
    ("who5", lambda d: d["items"][1].pop("scale"), "at items/1: 'scale' is a required"),
    ("who5", lambda d: _set(d["items"][1], "key", "Who5 2"), "at items/1/key"),
    ("who5", lambda d: _set(d["items"][1], "key", "who5_1"), "duplicate item keys ['who5_1']"),
    ("who5", lambda d: _set(d["scores"][0], "method", "median"), "at scores/0/method"),
    ("who5", lambda d: _set(d["scores"][1], "range", [0, 25]),
     "score 'who5_pct' declares range [0.0, 25.0] but its items and rule give [0.0, 100.0]"),
    ("who5", lambda d: _set(d["scores"][0], "min_answered", 4), "without prorate: true"),
    ("who5", lambda d: _set(d["scores"][0], "min_answered", 6), "min_answered must be 1..5"),
    ("who5", lambda d: _set(d["scores"][0], "items", ["who5_1", "who5_x"]),
     "names unknown items ['who5_x']"),
    ("who5", lambda d: _set(d["response_scales"]["frequency_0_5"], "min", 5), "min 5 not below max 5"),
    ("rses", lambda d: _set(d["scores"][0], "reverse", ["rses_2", "rses_2"]), "at scores/0/reverse"),
    ("swls", lambda d: _set(d["scores"][0], "key", "swls_1"), "equal item keys"),
    ("client-survey", lambda d: _set(d["scores"][0], "items", ["cs_1", "cs_comment_good"]),
     "uses text items ['cs_comment_good']"),
    ("client-survey", lambda d: _set(d["scores"][0], "prorate", True), "prorate applies to method sum"),
    ("client-survey", lambda d: _set(d["items"][15], "scale", "agree_1_5"), "at items/15"),
    ("3x10d", lambda d: _set(d["scoring"]["bands"][1], "max", 8), "must cover 0..10"),
    ("3x10d", lambda d: _set(d["scoring"]["bands"][2], "max", 9), "must cover 0..10"),
    ("3x10d", lambda d: _set(d["scoring"]["domain_mean"], "min_answered", 10),
     "domain_mean.min_answered must be 1..9"),
    ("3x10d", lambda d: d["scoring"]["domain_mean"]["domains"].append("life_overall"),
     "global_domain must be one of"),
    ("3x10d", lambda d: d["scoring"]["domains"].append("sleep"), "need rating items ['sat_sleep']"),
    ("3x10d", lambda d: _set(d["scoring"]["priority"], "importance_min", 11),
     "priority.importance_min 11 outside 0..10"),
    ("3x10d", lambda d: d["scoring"].pop("bands"), "'bands' is a required property"),
]


@pytest.mark.parametrize("ident, edit, expected", BROKEN)
def test_broken_definition_gives_clear_error_naming_file(tmp_path, ident, edit, expected):
    path = _broken(tmp_path, ident, edit)
    with pytest.raises(ValueError, match=re.escape(expected)) as err:
        load_instrument(path)
    assert str(err.value).startswith(f"{path}: ")


def test_all_schema_problems_reported_in_one_error(tmp_path):
    def edit(d):
        d["items"][0]["label"].pop("fi")
        d["items"][2]["kind"] = "checkbox"
    path = _broken(tmp_path, "who5", edit)
    with pytest.raises(ValueError, match=r"2 problem\(s\)") as err:
        load_instrument(path)
    assert "items/0/label" in str(err.value) and "items/2/kind" in str(err.value)


def test_invalid_yaml_names_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nnotes: colon: inside plain\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML") as err:
        load_instrument(path)
    assert str(path) in str(err.value)


def test_unknown_instrument_lists_available():
    with pytest.raises(ValueError, match="available: 3x10d, 3x10d-14-17, client-survey"):
        load_instrument("gad7")


@pytest.mark.parametrize("ident", available_instruments())
def test_every_shipped_definition_passes_the_schema(ident):
    """Reports read the shipped definitions without the schema check; it is made here."""
    from analysis.intake.instruments import read_definition
    assert read_definition(QUESTIONNAIRE_DIR / f"{ident}.yaml", validate=True)["id"] == ident


@pytest.mark.parametrize("text, message", [
    (None, "cannot be read"),
    ("labels: {who5_1: {fi: [unclosed", "not valid YAML"),
    ("items: {who5_1: {fi: Iloinen}}", r"unknown key\(s\) \['items'\]"),
])
def test_broken_label_override_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "labels.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_instrument("who5", path)
