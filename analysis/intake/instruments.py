"""Instrument definitions read from ``questionnaires/*.yaml``.

Every instrument the package scores is declared in YAML, not in code: its items,
response scales, reverse keys, scores (subscales) and minimum-answered rules. This
module loads and checks those files and offers look-ups used by loading
(:mod:`analysis.intake.readers`) and scoring (:mod:`analysis.intake.scoring`).

Labels are the project's own paraphrases in Finnish, Swedish and English. A user who
holds the official item wording can replace labels with a local override file::

    instrument: 3x10d
    labels:
      sat_health: {fi: "...", en: "..."}

Examples
--------
>>> from analysis.intake.instruments import load_instrument
>>> ins = load_instrument("3x10d")
>>> ins.item("sat_health").scale.max
10
>>> ins.label("sat_health", "en")
'Satisfaction now – Health'
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Collection, Mapping

import yaml

from analysis import resource

QUESTIONNAIRE_DIR = resource("questionnaires")
SCHEMA_PATH = QUESTIONNAIRE_DIR / "instrument.schema.json"
LANGUAGES = ("fi", "sv", "en")
#: libyaml's safe loader when PyYAML was built with it (several times faster), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    ``multiply``. ``range`` is the declared lowest and highest possible score (checked
    against the items' scales when loading); ``notes`` documents the rule.
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
    range: tuple[float, float] | None = None
    notes: str = ""

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
    reference: str = ""
    notes: str = ""
    missing_codes: tuple[str, ...] = ()
    perspectives: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    domain_labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    questions: tuple[str, ...] = ()

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
    def scoring_items(self) -> list[str]:
        """Keys of the items the scoring cannot do without, so a file must have their columns: the
        satisfaction items of the declared domains (life-domain instruments; importance and goal are
        optional) or every rating item (declared scores). Each answer may still be missing.

        Examples
        --------
        >>> load_instrument("who5").scoring_items
        ['who5_1', 'who5_2', 'who5_3', 'who5_4', 'who5_5']
        >>> len(load_instrument("3x10d").scoring_items)
        10
        """
        if self.scoring.get("type") == "life_domains":
            return [f"sat_{d}" for d in self.scoring["domains"]]
        return [it.key for it in self.rating_items]

    @property
    def text_items(self) -> list[Item]:
        return [it for it in self.items if it.kind == "text"]

    def score(self, key: str) -> ScoreRule:
        for rule in self.scores:
            if rule.key == key:
                return rule
        raise KeyError(f"instrument {self.id!r} has no score {key!r}")

    def score_bounds(self, key: str) -> tuple[float, float]:
        """Lowest and highest score ``key`` can take, derived from its items' scales.

        Each item spans ``0..max-min`` after ``zero_base`` and ``min..max`` otherwise
        (reverse-keying maps the scale onto itself). A mean, or a prorated sum, over the
        fewest allowed items reaches further than over all items when the scales differ,
        so the bound uses the ``required`` most extreme items.

        Examples
        --------
        >>> load_instrument("sus").score_bounds("sus_score")
        (0.0, 100.0)
        """
        rule = self.score(key)
        lows, highs = [], []
        for k in rule.items:
            sc = self.item(k).scale
            shift = sc.min if rule.zero_base else 0
            lows.append(sc.min - shift)
            highs.append(sc.max - shift)
        n = rule.required
        low = sum(sorted(lows)[:n]) / n
        high = sum(sorted(highs, reverse=True)[:n]) / n
        factor = rule.multiply * (len(rule.items) if rule.method == "sum" else 1)
        return float(low * factor), float(high * factor)

    def label(self, key: str, lang: str = "en") -> str:
        """Label of an item or score in ``lang`` (falls back to English, then the key)."""
        for obj in (*self.items, *self.scores):
            if obj.key == key:
                return obj.label.get(lang) or obj.label.get("en") or key
        raise KeyError(f"instrument {self.id!r} has no item or score {key!r}")

    def header_map(self, headers: list[str]) -> dict[str, str]:
        """Map file headers to item keys (see :meth:`match_headers`); a header that matches no
        item, or two, is returned unchanged (id and background columns).

        Examples
        --------
        >>> ins = load_instrument("3x10d")
        >>> ins.header_map(["Terveys - tärkeys", "tavoite-Asuminen", "Kuinka tyytyväinen olet tällä hetkellä? - Terveys"])
        {'Terveys - tärkeys': 'imp_health', 'tavoite-Asuminen': 'goal_housing', 'Kuinka tyytyväinen olet tällä hetkellä? - Terveys': 'sat_health'}
        """
        found, _ = self.match_headers(headers)
        return {h: found.get(h, h) for h in headers}

    def match_headers(self, headers: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Match file headers to item keys as a survey tool writes them.

        A header is compared with every declared name of an item — its key, labels, aliases and
        the forms built from the declarations (:meth:`header_forms`) — after :func:`header_text`
        has folded case, punctuation, dashes and white space on both sides, in four steps, the
        first that finds anything deciding: (1) header and name as they are; (2) the header
        without its numbering (``1.``, ``Q3``, ``3)``); (3) nor its parenthesised parts (a scale
        suffix such as ``(0-10)``); (4) the name without its parenthesised parts too (a marker such as a
        reverse key's ``(negative)`` or an example such as ``(e.g. hobbies)``, which a survey
        tool need not show). A parenthesised scale word — a perspective's label or alias, such as
        ``(tärkeys)`` — is kept in steps 3 and 4 on both sides: it tells the items apart. A scale suffix written with a dash or a colon (``Health -
        satisfaction now``, ``Health: satisfaction``) is a perspective label or alias, declared in
        the instrument's ``perspectives``. Within a step the item's own names come before the built
        forms; a header that two items match in the deciding step is ambiguous, never guessed.

        Returns
        -------
        (dict, dict)
            Header → item key for the matched headers, and header → the item keys it matches
            for the ambiguous ones. Other headers are in neither.

        Examples
        --------
        >>> ins = load_instrument("3x10d")
        >>> found, ambiguous = ins.match_headers(["Itsetunto: tyytyväisyys", "8. Omien vahvuuksien kehittäminen - tyytyväisyys nyt",
        ...                                       "Q1 Terveys (0-10)", "Asiakastunnus"])
        >>> found, ambiguous
        ({'Itsetunto: tyytyväisyys': 'sat_self_esteem', '8. Omien vahvuuksien kehittäminen - tyytyväisyys nyt': 'sat_strengths', 'Q1 Terveys (0-10)': 'sat_health'}, {})
        >>> load_instrument("client-survey").match_headers(["6. Tuesta ei ollut minulle hyötyä"])[0]
        {'6. Tuesta ei ollut minulle hyötyä': 'cs_6'}
        """
        found: dict[str, str] = {}
        ambiguous: dict[str, list[str]] = {}
        for h in headers:
            light, loose = header_text(h), header_text(h, loose=True, keep=self._scale_words)
            unnumbered = header_text(_NUMBERING.sub("", str(h), count=1))
            for key, tier in ((light, 0), (unnumbered, 0), (loose, 0), (loose, 1)):
                keys = self._header_index[tier].get(key)
                if keys:
                    if len(keys) == 1:
                        found[h] = keys[0]
                    else:
                        ambiguous[h] = keys
                    break
        return found, ambiguous

    @cached_property
    def _header_index(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Folded name → item keys, of the names as declared and of the names without their
        parenthesised parts; each item's own names (key, labels, aliases) shadow the built forms."""
        index: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
        for tier, loose in enumerate((False, True)):
            own: dict[str, list[str]] = {}
            built: dict[str, list[str]] = {}
            keep = self._scale_words
            for it in self.items:
                for name in (it.key, *it.label.values(), *it.aliases):
                    own.setdefault(header_text(name, loose=loose, keep=keep), []).append(it.key)
                for name in self.header_forms(it.key):
                    built.setdefault(header_text(name, loose=loose, keep=keep), []).append(it.key)
            for text, keys in [*own.items(), *((t, k) for t, k in built.items() if t not in own)]:
                if text:
                    index[tier][text] = list(dict.fromkeys(keys))
        return index

    @cached_property
    def _scale_words(self) -> frozenset[str]:
        """The perspectives' labels and aliases, folded: a parenthesised part that is one of
        them (``(tärkeys)``) tells items apart and is kept by the loose comparison."""
        return frozenset(header_text(name) for p in self.perspectives.values()
                         for name in (*p.get("label", {}).values(), *p.get("aliases", ())))

    def nearest_item(self, header: str) -> str | None:
        """The item whose declared name (key, label, alias or built form, compared as
        :func:`header_text` ``loose``) is closest to ``header`` by :mod:`difflib`, when one is close
        (ratio ≥ 0.75): the item a header that matched nothing was most likely meant for.

        Examples
        --------
        >>> ins = load_instrument("3x10d")
        >>> ins.nearest_item("Terveys - tärkeyss"), ins.nearest_item("IP-osoite")
        ('imp_health', None)
        """
        names = self._near_names
        match = difflib.get_close_matches(header_text(header, loose=True), list(names), n=1, cutoff=0.75)
        return names[match[0]] if match else None

    @cached_property
    def _near_names(self) -> dict[str, str]:
        names: dict[str, set[str]] = {}
        for it in self.items:
            for name in (it.key, *it.label.values(), *it.aliases, *self.header_forms(it.key)):
                names.setdefault(header_text(name, loose=True), set()).add(it.key)
        return {text: next(iter(keys)) for text, keys in names.items() if text and len(keys) == 1}

    def header_language(self, headers: list[str]) -> str:
        """The declared language whose item labels and perspective–domain names the ``headers``
        share the most words with (the first declared language when none).

        Examples
        --------
        >>> load_instrument("3x10d").header_language(["Health: satisfaction", "Housing - importance"])
        'en'
        """
        words = {w for h in headers for w in header_text(h).split()}
        langs = list(dict.fromkeys(lang for it in self.items for lang in it.label))

        def shared(lang: str) -> int:
            names = [it.label.get(lang, "") for it in self.items]
            names += [p["label"].get(lang, "") for p in self.perspectives.values()]
            names += [str(d.get(lang, "")) for d in self.domain_labels.values()]
            return len(words & {w for n in names for w in header_text(n).split()})

        return max(langs, key=lambda lang: (shared(lang), -langs.index(lang)))

    def header_forms(self, key: str) -> list[str]:
        """Headers built for item ``key`` from the declared perspective and domain names and
        matrix questions (besides its key, labels and aliases); a header matching a form that names
        two items is ambiguous (:meth:`match_headers`).

        Examples
        --------
        >>> load_instrument("3x10d").header_forms("imp_health")[:2]
        ['Tärkeys - Terveys', 'Terveys - Tärkeys']
        """
        it = self.item(key)
        forms: list[str] = []
        persp = self.perspectives.get(it.perspective or "")
        dom = self.domain_labels.get(it.domain or "")
        if persp and dom:
            p_names = [*persp["label"].values(), *persp.get("aliases", ())]
            d_names = [*(v for k, v in dom.items() if k != "aliases"), *dom.get("aliases", ())]
            for lang in persp["label"]:                     # the labels of one language first
                if lang in dom:
                    forms += [f"{persp['label'][lang]} - {dom[lang]}", f"{dom[lang]} - {persp['label'][lang]}"]
            for p_name in p_names:
                for d_name in d_names:
                    forms += [f"{p_name} - {d_name}", f"{d_name} - {p_name}", f"{d_name} ({p_name})"]
            forms += [f"{q} - {d_name}" for q in persp.get("questions", ()) for d_name in d_names]
        forms += [f"{q} - {name}" for q in self.questions for name in (*it.label.values(), *it.aliases)]
        return list(dict.fromkeys(forms))

    def known_headers(self) -> list[str]:
        """Headers shown as the closest known one for an unrecognised header: every key, label
        and alias, and the perspective–domain forms of the declared labels in each language."""
        out = [n for it in self.items for n in (it.key, *it.label.values(), *it.aliases)]
        for it in self.items:
            persp = self.perspectives.get(it.perspective or "")
            dom = self.domain_labels.get(it.domain or "")
            if persp and dom:
                out += [f for lang in persp["label"] if lang in dom
                        for f in (f"{persp['label'][lang]} - {dom[lang]}", f"{dom[lang]} - {persp['label'][lang]}")]
        return list(dict.fromkeys(out))


def normalise_header(name: str) -> str:
    """Fold case, Unicode form, white space and dash variants of a column header.

    Examples
    --------
    >>> normalise_header("  Sat–Health "), normalise_header("Terveys  —  tärkeys")
    ('sat-health', 'terveys-tärkeys')
    """
    text = unicodedata.normalize("NFC", str(name)).strip().lower()
    text = re.sub(r"[‐-―−]", "-", text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" ?- ?", "-", text)


_NUMBERING = re.compile(r"^\s*(?:q\s*)?\d+(?:\s*[.):]\s*|\s+)(?=\S)", re.IGNORECASE)
_PARENTHESISED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def header_text(name: str, *, loose: bool = False, keep: Collection[str] = ()) -> str:
    """A header or a declared name as compared when matching headers: case folded, Unicode
    composed, every punctuation mark and dash a space, runs of white space one space. With
    ``loose``, a leading question number (``1.``, ``Q3``, ``3)``) and every parenthesised or
    bracketed part (``(0-10)``, ``(esim. harrastukset)``) are dropped first — except a part
    whose folded text is in ``keep`` (an instrument's scale words, such as ``(tärkeys)``,
    which tell its items apart). The words themselves are never changed: which words a
    header may hold is declared, not coded.

    Examples
    --------
    >>> header_text("Terveys – tyytyväisyys nyt"), header_text("Itsetunto: Tyytyväisyys")
    ('terveys tyytyväisyys nyt', 'itsetunto tyytyväisyys')
    >>> header_text("Q3) Omien vahvuuksien kehittäminen (esim. harrastukset) (0-10)", loose=True)
    'omien vahvuuksien kehittäminen'
    """
    text = unicodedata.normalize("NFC", str(name)).casefold()
    if loose:
        text = _NUMBERING.sub("", text, count=1)
        drop = lambda m: f" {m[0][1:-1]} " if header_text(m[0][1:-1]) in keep else " "  # noqa: E731
        while True:
            folded = _PARENTHESISED.sub(drop, text)
            if folded == text:
                break
            text = folded
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def available_instruments() -> list[str]:
    """Ids of the instruments shipped in ``questionnaires/``.

    Examples
    --------
    >>> available_instruments()
    ['3x10d', '3x10d-14-17', 'client-survey', 'rses', 'staff-survey', 'sus', 'swls', 'who5']
    """
    return sorted(p.stem for p in QUESTIONNAIRE_DIR.glob("*.yaml"))


def read_definition(path: Path, *, validate: bool = True) -> dict:
    """Read one YAML definition and check it against the instrument schema.

    Every schema violation is listed in one error that names the file and the place in it.
    ``validate=False`` skips the schema check (the shipped definitions, which the test suite
    checks, so that a report does not pay for importing jsonschema).

    Examples
    --------
    >>> spec = read_definition(resource("questionnaires", "who5.yaml"), validate=False)
    >>> spec["id"], len(spec["items"])
    ('who5', 5)
    """
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if not validate:
        return data
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        lines = [f"  at {'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}"
                 for e in errors]
        raise ValueError(f"{path}: invalid instrument definition ({len(errors)} problem(s)):\n"
                         + "\n".join(lines))
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

    Examples
    --------
    >>> ins = load_instrument("who5")
    >>> ins.id, len(ins.items), [s.key for s in ins.scores]
    ('who5', 5, ['who5_raw', 'who5_pct'])
    """
    path = Path(name)
    if not path.suffix:
        if labels_override is None:
            return _shipped(str(name))
        path = _shipped_path(str(name))
    return _build(path, labels_override, validate=True)


def _shipped_path(name: str) -> Path:
    path = QUESTIONNAIRE_DIR / f"{name}.yaml"
    if not path.exists():
        raise ValueError(f"unknown instrument {name!r}; available: {', '.join(available_instruments())}")
    return path


@lru_cache(maxsize=None)
def _shipped(name: str) -> Instrument:
    """A shipped instrument, read once per process (the test suite validates the files)."""
    return _build(_shipped_path(name), None, validate=False)


def _build(path: Path, labels_override: str | Path | None, *, validate: bool) -> Instrument:
    data = read_definition(path, validate=validate)
    if labels_override is not None:
        _apply_override(data, Path(labels_override))
    scales = {
        k: Scale(v["min"], v["max"], {int(a): b for a, b in v.get("labels", {}).items()})
        for k, v in data.get("response_scales", {}).items()
    }
    items = []
    for it in data["items"]:
        kind = it.get("kind", "rating")
        scale = scales.get(it.get("scale")) if kind == "rating" else None
        items.append(Item(key=it["key"], label=it["label"], kind=kind, scale=scale,
                          domain=it.get("domain"), perspective=it.get("perspective"),
                          aliases=tuple(it.get("aliases", ()))))
    scores = tuple(
        ScoreRule(key=s["key"], label=s["label"], items=tuple(s["items"]),
                  method=s.get("method", "mean"), reverse=tuple(s.get("reverse", ())),
                  min_answered=s.get("min_answered"), prorate=s.get("prorate", False),
                  zero_base=s.get("zero_base", False), multiply=float(s.get("multiply", 1.0)),
                  range=tuple(float(v) for v in s["range"]) if "range" in s else None,
                  notes=s.get("notes", ""))
        for s in data.get("scores", ())
    )
    ins = Instrument(id=data["id"], title=data["title"], items=tuple(items), scores=scores,
                     scoring=data.get("scoring", {}), source=path,
                     reference=data.get("reference", ""), notes=data.get("notes", ""),
                     missing_codes=tuple(data.get("missing_codes", ())),
                     perspectives=data.get("perspectives", {}), domain_labels=data.get("domain_labels", {}),
                     questions=tuple(data.get("questions", ())))
    _check_references(ins, data, scales)
    return ins


def _apply_override(data: dict, path: Path) -> None:
    try:
        override = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValueError(f"{path}: label override file cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: label override is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(override, dict):
        raise ValueError(f"{path}: label override must be a mapping with 'instrument' and 'labels'")
    unknown = sorted(set(override) - {"instrument", "labels"})
    if unknown:
        raise ValueError(f"{path}: label override has unknown key(s) {unknown}; expected 'instrument' and "
                         "'labels: {item key: {fi: ..., en: ...}}'")
    if override.get("instrument") not in (None, data["id"]):
        raise ValueError(f"{path}: label override is for instrument {override['instrument']!r}, not {data['id']!r}")
    known = {it["key"]: it for it in data["items"]} | {s["key"]: s for s in data.get("scores", ())}
    for key, labels in (override.get("labels") or {}).items():
        if key not in known:
            raise ValueError(f"{path}: label override names unknown key {key!r} of instrument {data['id']!r}")
        if not isinstance(labels, dict) or not all(
                isinstance(v, str) and v.strip() for v in labels.values()):
            raise ValueError(f"{path}: label override for {key!r} must map language codes to "
                             f"non-empty texts, e.g. {{fi: '...', en: '...'}}; got {labels!r}")
        known[key]["label"] = {**known[key]["label"], **labels}


def _check_references(ins: Instrument, data: dict, scales: dict) -> None:
    """Cross-references the JSON schema cannot express; all problems in one error."""
    keys = ins.item_keys
    problems = []
    for name, sc in scales.items():
        if sc.min >= sc.max:
            problems.append(f"scale {name!r} has min {sc.min} not below max {sc.max}")
        outside = [v for v in sc.labels if not sc.min <= v <= sc.max]
        if outside:
            problems.append(f"scale {name!r} labels values {outside} outside {sc.min}..{sc.max}")
    if len(set(keys)) != len(keys):
        problems.append(f"duplicate item keys {sorted({k for k in keys if keys.count(k) > 1})}")
    for it in data["items"]:
        if it.get("kind", "rating") == "rating" and it.get("scale") not in scales:
            problems.append(f"item {it['key']!r} uses undeclared scale {it.get('scale')!r}")
    score_keys = [s.key for s in ins.scores]
    clash = sorted({k for k in score_keys if score_keys.count(k) > 1 or k in keys})
    if clash:
        problems.append(f"score keys {clash} are duplicated or equal item keys")
    rating = {it.key for it in ins.rating_items}
    for rule in ins.scores:
        unknown = [k for k in (*rule.items, *rule.reverse) if k not in keys]
        if unknown:
            problems.append(f"score {rule.key!r} names unknown items {unknown}")
            continue
        if not set(rule.items) <= rating:
            problems.append(f"score {rule.key!r} uses text items {sorted(set(rule.items) - rating)}")
            continue
        if not set(rule.reverse) <= set(rule.items):
            problems.append(f"score {rule.key!r} reverses items it does not use")
        if not 1 <= rule.required <= len(rule.items):
            problems.append(f"score {rule.key!r} min_answered must be 1..{len(rule.items)}")
            continue
        if rule.method == "sum" and rule.required < len(rule.items) and not rule.prorate:
            problems.append(f"score {rule.key!r} sums items but allows {len(rule.items) - rule.required} "
                            "missing without prorate: true (sums over different numbers of items "
                            "are not comparable)")
        if rule.prorate and rule.method != "sum":
            problems.append(f"score {rule.key!r}: prorate applies to method sum only")
        if all(it.scale is not None for it in ins.rating_items if it.key in rule.items) and rule.range:
            bounds = ins.score_bounds(rule.key)
            if tuple(rule.range) != bounds:
                problems.append(f"score {rule.key!r} declares range {list(rule.range)} but its items "
                                f"and rule give {list(bounds)}")
    if ins.scoring:
        problems += _life_domain_problems(ins)
    if problems:
        raise ValueError(f"{ins.source}: invalid instrument definition:\n  " + "\n  ".join(problems))


def _life_domain_problems(ins: Instrument) -> list[str]:
    """Consistency of a ``scoring: {type: life_domains}`` block with the items."""
    sc = ins.scoring
    problems = []
    domains = list(sc["domains"])
    missing = [f"sat_{d}" for d in domains if f"sat_{d}" not in {it.key for it in ins.rating_items}]
    if missing:
        return [f"scoring.domains need rating items {missing}"]
    sat_scales = [ins.item(f"sat_{d}").scale for d in domains]
    if len({(s.min, s.max) for s in sat_scales}) != 1:
        return ["scoring: all sat_<domain> items must share one scale"]
    scale = sat_scales[0]
    for it in ins.rating_items:
        if it.domain is not None and it.domain not in domains:
            problems.append(f"item {it.key!r} has domain {it.domain!r} not in scoring.domains")
    bands = sorted(sc["bands"], key=lambda b: b["min"])
    edges = [scale.min] + [b["max"] + 1 for b in bands]
    if [b["min"] for b in bands] != edges[:-1] or edges[-1] != scale.max + 1 or any(
            b["min"] > b["max"] for b in bands):
        problems.append(f"scoring.bands must cover {scale.min}..{scale.max} without gaps or overlaps; "
                        f"got {[(b['name'], b['min'], b['max']) for b in sc['bands']]}")
    dm = sc["domain_mean"]
    if not set(dm["domains"]) <= set(domains):
        problems.append(f"scoring.domain_mean.domains {sorted(set(dm['domains']) - set(domains))} "
                        "are not in scoring.domains")
    if dm["min_answered"] > len(dm["domains"]):
        problems.append(f"scoring.domain_mean.min_answered must be 1..{len(dm['domains'])}")
    if sc["global_domain"] not in domains or sc["global_domain"] in dm["domains"]:
        problems.append("scoring.global_domain must be one of scoring.domains and not in domain_mean")
    for name, value in sc["priority"].items():
        if not scale.min <= value <= scale.max:
            problems.append(f"scoring.priority.{name} {value} outside {scale.min}..{scale.max}")
    return problems
