"""Measurement-property criteria (COSMIN, Chen 2007, Terwee floor/ceiling) from one table.

The limits live in ``criteria.yaml`` next to this module; the rating code
(:func:`analysis.stats.validity.cosmin_summary`, :func:`analysis.stats.sem.invariance`) and every
printed criterion read them from here, so a limit is written once.

Examples
--------
>>> limits("internal consistency")["alpha"]
0.7
>>> criterion_text("floor/ceiling")
'no score with more than 15 % at the lowest or highest value'
"""
from __future__ import annotations

from functools import lru_cache
from string import Formatter
from typing import Any, Literal

import yaml

from analysis import resource

#: Languages of the printed criteria and evidence phrases (the report languages).
Lang = Literal["en", "fi"]
LANGS: tuple[Lang, ...] = ("en", "fi")


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {list(LANGS)}, got {lang!r}")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(resource("stats", "criteria.yaml").read_text(encoding="utf-8"))


def properties() -> list[str]:
    """The measurement properties in COSMIN order.

    Examples
    --------
    >>> properties()[:2]
    ['structural validity', 'internal consistency']
    """
    return [k for k in _table() if not k.startswith("_")]


def limits(prop: str) -> dict[str, Any]:
    """The numeric limits of ``prop`` (``{"alpha": 0.7}``; invariance: one dict per step).

    Examples
    --------
    >>> limits("structural validity")
    {'cfi': 0.95, 'tli': 0.95, 'rmsea': 0.06, 'srmr': 0.08}
    """
    try:
        return dict(_table()[prop]["limits"])
    except KeyError:
        raise KeyError(f"no criterion {prop!r}; known: {', '.join(properties())}") from None


class _LimitFormatter(Formatter):
    """``{share:%}`` prints 0.75 as ``75 %``; negative numbers get a true minus sign; Finnish
    numbers a decimal comma."""

    def __init__(self, lang: Lang = "en"):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        text = f"{100 * value:g} %" if format_spec == "%" else format(value, format_spec).replace("-", "−")
        return text.replace(".", ",") if self.lang == "fi" and isinstance(value, float) else text


def criterion_text(prop: str, lang: Lang = "en") -> str:
    """The printed criterion of ``prop`` in ``lang`` (``en``/``fi``; English when missing).

    Examples
    --------
    >>> criterion_text("internal consistency", "fi")
    'alfa ≥ 0,70 jokaisessa (ala)asteikossa, kun rakennevaliditeetti on riittävä'
    """
    _check_lang(lang)
    entry = _table()[prop]
    template = entry["text"].get(lang) or entry["text"]["en"]
    return _LimitFormatter(lang).format(template, **entry["limits"])


def _evidence(key: str, lang: Lang) -> object:
    _check_lang(lang)
    entry = _table()["_evidence"][key]
    return entry.get(lang) or entry["en"]


def evidence_text(key: str, lang: Lang = "en", **fields: Any) -> str:
    """An evidence phrase of the COSMIN summary (``_evidence`` in ``criteria.yaml``) in
    ``lang`` (English when missing), filled with ``fields`` as given (already formatted).

    Examples
    --------
    >>> evidence_text("confirmed", "fi", k=9, n=10, pct=90)
    '9/10 vahvistui (90 %)'
    """
    template = _evidence(key, lang)
    if not isinstance(template, str):
        raise TypeError(f"evidence {key!r} is a table of labels, not a phrase; use evidence_labels")
    return template.format(**fields)


def evidence_labels(key: str, lang: Lang = "en") -> dict[str, str]:
    """A table of labels of the COSMIN summary (``_evidence`` in ``criteria.yaml``, e.g. the
    invariance ``steps``) in ``lang`` (English when missing).

    Examples
    --------
    >>> evidence_labels("steps", "fi")["scalar"]
    'skalaarinen'
    """
    labels = _evidence(key, lang)
    if not isinstance(labels, dict):
        raise TypeError(f"evidence {key!r} is a phrase, not a table of labels; use evidence_text")
    return {str(k): str(v) for k, v in labels.items()}
