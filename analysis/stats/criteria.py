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
from typing import Any

import yaml

from analysis import resource


@lru_cache(maxsize=1)
def _table() -> dict[str, dict]:
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

    def __init__(self, lang: str = "en"):
        self.lang = lang

    def format_field(self, value, format_spec):
        text = f"{100 * value:g} %" if format_spec == "%" else format(value, format_spec).replace("-", "−")
        return text.replace(".", ",") if self.lang == "fi" and isinstance(value, float) else text


def criterion_text(prop: str, lang: str = "en") -> str:
    """The printed criterion of ``prop`` in ``lang`` (``en``/``fi``; English when missing).

    Examples
    --------
    >>> criterion_text("internal consistency", "fi")
    'alfa ≥ 0,70 jokaisessa (ala)asteikossa, kun rakennevaliditeetti on riittävä'
    """
    entry = _table()[prop]
    template = entry["text"].get(lang) or entry["text"]["en"]
    return _LimitFormatter(lang).format(template, **entry["limits"])


def evidence_text(key: str, lang: str = "en", **fields: Any) -> str:
    """An evidence phrase of the COSMIN summary (``_evidence`` in ``criteria.yaml``) in
    ``lang`` (English when missing), filled with ``fields`` as given (already formatted).

    Examples
    --------
    >>> evidence_text("confirmed", "fi", k=9, n=10, pct=90)
    '9/10 vahvistui (90 %)'
    """
    entry = _table()["_evidence"][key]
    template = entry.get(lang) or entry["en"]
    return template.format(**fields) if isinstance(template, str) else template
