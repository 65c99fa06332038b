"""Instrument definitions read from ``questionnaires/*.yaml``.

Every instrument the package scores is declared in YAML, not in code: its items,
response scales, reverse keys, scores (subscales) and minimum-answered rules. This
module loads and checks those files and offers look-ups used by loading
(:mod:`analysis.io`) and scoring (:mod:`analysis.scoring`).

Labels are the project's own paraphrases in Finnish, Swedish and English. A user who
holds the official item wording can replace labels with a local override file::

    instrument: 3x10d
    labels:
      sat_health: {fi: "...", en: "..."}

Examples
--------
>>> from analysis.instruments import load_instrument
>>> ins = load_instrument("3x10d")
>>> ins.item("sat_health").scale.max
10
>>> ins.label("sat_health", "en")
'Satisfaction now – Health'
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import jsonschema
import yaml

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
SCHEMA_PATH = QUESTIONNAIRE_DIR / "instrument.schema.json"
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class Scale:
    """A closed integer response scale ``min``..``max`` with optional anchor labels."""

    min: int
    max: int
    labels: Mapping[int, Mapping[str, str]] = field(default_factory=dict)

    def contains(self, value: float) -> bool:
        return float(value).is_integer() and self.min <= value <= self.max


@dataclass(frozen=True)
class Item:
    """One questionnaire item. ``kind`` is ``rating`` (integer scale) or ``text``."""

    key: str
    label: Mapping[str, str]
    kind: str = "rating"
    scale: Scale | None = None
    domain: str | None = None
    perspective: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoreRule:
    """A declared score: sum or mean of items after reverse-keying.

    ``reverse`` items are recoded ``min + max - x``; with ``zero_base`` every item is then
    shifted to start at 0 (``x - min``). ``method`` is ``sum`` or ``mean``. A score is
    missing when fewer than ``min_answered`` items are answered; with ``prorate`` a sum
    over partly answered items is ``mean * n_items``. The result is multiplied by
    ``multiply``.
    """

    key: str
    label: Mapping[str, str]
    items: tuple[str, ...]
    method: str = "mean"
    reverse: tuple[str, ...] = ()
    min_answered: int | None = None
    prorate: bool = False
    zero_base: bool = False
    multiply: float = 1.0

    @property
    def required(self) -> int:
        return len(self.items) if self.min_answered is None else self.min_answered


@dataclass(frozen=True)
class Instrument:
    """A loaded, schema-checked instrument definition."""

    id: str
    title: Mapping[str, str]
    items: tuple[Item, ...]
    scores: tuple[ScoreRule, ...] = ()
    scoring: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None

    def item(self, key: str) -> Item:
        for it in self.items:
            if it.key == key:
                return it
        raise KeyError(f"instrument {self.id!r} has no item {key!r}")

    @property
    def item_keys(self) -> list[str]:
        return [it.key for it in self.items]

    @property
    def rating_items(self) -> list[Item]:
        return [it for it in self.items if it.kind == "rating"]

    @property
    def text_items(self) -> list[Item]:
        return [it for it in self.items if it.kind == "text"]

    def label(self, key: str, lang: str = "en") -> str:
        """Label of an item or score in ``lang`` (falls back to English, then the key)."""
        for obj in (*self.items, *self.scores):
            if obj.key == key:
                return obj.label.get(lang) or obj.label.get("en") or key
        raise KeyError(f"instrument {self.id!r} has no item or score {key!r}")

    def header_map(self, headers: list[str]) -> dict[str, str]:
        """Map file headers to item keys.

        A header matches an item when, after normalisation (case, accents kept, white
        space and dashes folded), it equals the item key, one of its labels or aliases.
        Headers that match nothing are returned unchanged (id and background columns).
        """
        lookup: dict[str, str] = {}
        for it in self.items:
            for name in (it.key, *it.label.values(), *it.aliases):
                lookup.setdefault(normalise_header(name), it.key)
        return {h: lookup.get(normalise_header(h), h) for h in headers}


def normalise_header(name: str) -> str:
    """Fold case, Unicode form, white space and dash variants of a column header."""
    text = unicodedata.normalize("NFC", str(name)).strip().lower()
    text = re.sub(r"[‐-―−]", "-", text)
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def available_instruments() -> list[str]:
    """Ids of the instruments shipped in ``questionnaires/``."""
    return sorted(p.stem for p in QUESTIONNAIRE_DIR.glob("*.yaml"))


def read_definition(path: Path) -> dict:
    """Read one YAML definition and check it against the instrument schema."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        jsonschema.validate(data, _schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ValueError(f"{path}: invalid instrument definition at {where}: {exc.message}") from None
    return data


def load_instrument(name: str | Path, labels_override: str | Path | None = None) -> Instrument:
    """Load an instrument by id (``"3x10d"``) or by path to a YAML file.

    Parameters
    ----------
    name : str or Path
        Instrument id shipped in ``questionnaires/`` or a path to a definition file.
    labels_override : str or Path, optional
        YAML file with ``instrument`` and ``labels: {key: {lang: text}}`` replacing labels,
        e.g. with the official item wording held under licence.
    """
    path = Path(name)
    if not path.suffix:
        path = QUESTIONNAIRE_DIR / f"{name}.yaml"
        if not path.exists():
            raise ValueError(f"unknown instrument {name!r}; available: {', '.join(available_instruments())}")
    data = read_definition(path)
    if labels_override is not None:
        _apply_override(data, Path(labels_override))
    scales = {
        k: Scale(v["min"], v["max"], {int(a): b for a, b in v.get("labels", {}).items()})
        for k, v in data.get("response_scales", {}).items()
    }
    items = []
    for it in data["items"]:
        kind = it.get("kind", "rating")
        scale = scales[it["scale"]] if kind == "rating" else None
        items.append(Item(key=it["key"], label=it["label"], kind=kind, scale=scale,
                          domain=it.get("domain"), perspective=it.get("perspective"),
                          aliases=tuple(it.get("aliases", ()))))
    scores = tuple(
        ScoreRule(key=s["key"], label=s["label"], items=tuple(s["items"]),
                  method=s.get("method", "mean"), reverse=tuple(s.get("reverse", ())),
                  min_answered=s.get("min_answered"), prorate=s.get("prorate", False),
                  zero_base=s.get("zero_base", False), multiply=float(s.get("multiply", 1.0)))
        for s in data.get("scores", ())
    )
    ins = Instrument(id=data["id"], title=data["title"], items=tuple(items), scores=scores,
                     scoring=data.get("scoring", {}), source=path)
    _check_references(ins, data, scales)
    return ins


def _apply_override(data: dict, path: Path) -> None:
    override = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if override.get("instrument") not in (None, data["id"]):
        raise ValueError(f"{path}: label override is for instrument {override['instrument']!r}, not {data['id']!r}")
    known = {it["key"]: it for it in data["items"]} | {s["key"]: s for s in data.get("scores", ())}
    for key, labels in (override.get("labels") or {}).items():
        if key not in known:
            raise ValueError(f"{path}: label override names unknown key {key!r} of instrument {data['id']!r}")
        known[key]["label"] = {**known[key]["label"], **labels}


def _check_references(ins: Instrument, data: dict, scales: dict) -> None:
    """Cross-references the JSON schema cannot express."""
    keys = ins.item_keys
    where = ins.source
    if len(set(keys)) != len(keys):
        raise ValueError(f"{where}: duplicate item keys")
    for it in data["items"]:
        if it.get("kind", "rating") == "rating" and it.get("scale") not in scales:
            raise ValueError(f"{where}: item {it['key']!r} uses undeclared scale {it.get('scale')!r}")
    for rule in ins.scores:
        unknown = [k for k in (*rule.items, *rule.reverse) if k not in keys]
        if unknown:
            raise ValueError(f"{where}: score {rule.key!r} names unknown items {unknown}")
        if not set(rule.reverse) <= set(rule.items):
            raise ValueError(f"{where}: score {rule.key!r} reverses items it does not use")
        if not 1 <= rule.required <= len(rule.items):
            raise ValueError(f"{where}: score {rule.key!r} min_answered must be 1..{len(rule.items)}")
