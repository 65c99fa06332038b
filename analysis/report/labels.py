"""Value labels for reports, read from the declarations: instrument YAML and Table Schemas.

* score and item keys (``sat_health``, ``who5_total``, ``domain_mean``) → their instrument
  labels; a 3X10D satisfaction item and its domain key (``health``) → the short domain name;
* instrument ids (column ``instrument``) → the instrument's title;
* category codes of a data-dictionary column (``gender: female``) → the label of that
  category in the report language (Frictionless ``categories``).

Examples
--------
>>> keys, values = value_labels("fi")
>>> keys["sat_health"], keys["health"]
('Terveys', 'Terveys')
"""
from __future__ import annotations

import json
from functools import lru_cache

from analysis.intake.dictionary import DICTIONARY_DIR
from analysis.intake.instruments import available_instruments, load_instrument


def _in(labels: dict, lang: str) -> str | None:
    return labels.get(lang) or labels.get("en")


def _category_label(category: dict, lang: str) -> str | None:
    labels = category.get("labels")
    if isinstance(labels, dict) and _in(labels, lang):
        return _in(labels, lang)
    label = category.get("label")
    if isinstance(label, dict):
        return _in(label, lang)
    return label if lang == "en" and isinstance(label, str) else None


@lru_cache(maxsize=None)
def value_labels(lang: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``(keys, values)``: labels of score/item keys, and of category codes per column."""
    keys: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {"instrument": {}}
    for ident in available_instruments():
        ins = load_instrument(ident)
        values["instrument"][ident] = _in(ins.title, lang) or ident
        keys.setdefault(ident, values["instrument"][ident])
        for it in ins.items:
            label = ins.label(it.key, lang)
            if it.perspective == "satisfaction" and it.domain:
                short = label.split(" – ")[-1]
                keys.setdefault(it.key, short)
                keys.setdefault(it.domain, short)
            else:
                keys.setdefault(it.key, label)
        for rule in ins.scores:
            keys.setdefault(rule.key, ins.label(rule.key, lang))
        for key, labels in ins.scoring.get("labels", {}).items():
            keys.setdefault(key, _in(labels, lang) or key)
    for path in sorted(DICTIONARY_DIR.glob("*.json")):
        for fld in json.loads(path.read_text(encoding="utf-8")).get("fields", []):
            for category in fld.get("categories", []) or []:
                if isinstance(category, dict) and "value" in category:
                    label = _category_label(category, lang)
                    if label:
                        values.setdefault(fld["name"], {}).setdefault(str(category["value"]), label)
    return keys, values


@lru_cache(maxsize=None)
def field_labels(lang: str) -> dict[str, str]:
    """The data dictionary's field labels in ``lang`` (``form_language`` → "Lomakkeen
    kieli"): the heading of a declared column the catalogues do not name.

    Examples
    --------
    >>> field_labels("fi")["form_language"], field_labels("en")["form_language"]
    ('Lomakkeen kieli', 'Language version')
    """
    out: dict[str, str] = {}
    for path in sorted(DICTIONARY_DIR.glob("*.json")):
        for fld in json.loads(path.read_text(encoding="utf-8")).get("fields", []):
            label = _in(fld.get("labels") or {}, lang)
            if label:
                out.setdefault(fld["name"], label)
    return out
