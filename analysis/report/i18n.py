"""Message catalogues: every sentence, heading and label a report prints, per language.

Texts live in ``analysis/report/messages/<lang>.yaml`` as nested mappings (and in
``<part>.<lang>.yaml`` beside it for a part with its own catalogue, e.g. ``final.fi.yaml``: the
files of a language together form its catalogue, and a key may be in only one); a message is
addressed by its dotted key (``"r04.change.summary"``) and filled with ``str.format`` fields
(``{n}``, ``{mean:.2f}``). English is complete; another language falls back to English for a
key it lacks (the test suite checks that Finnish has every key). Numbers inside sentences
are formatted by the caller with :mod:`analysis.report.present`, so a Finnish sentence gets
decimal commas.

Plurals: ``{n_files|file|files}`` is the singular form when the field ``n_files`` is 1 and
the plural form otherwise (English and Finnish both distinguish exactly *one* and *other*;
a Finnish numeral other than 1 takes the partitive singular: ``{n|tiedosto|tiedostoa}``).
The field may arrive formatted (``"1 234"``); a value that is not a number (``"fewer than
5"``) takes the plural form.

Examples
--------
>>> t("common.synthetic_warning", "en").startswith("Synthetic")
True
>>> t("common.yes", "fi")
'kyllä'
>>> [plural("{n} {n|file was|files were} read", n=k) for k in (1, "1,234")]
['{n} file was read', '{n} files were read']
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from analysis import resource

LANGUAGES = ("en", "fi")


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, Any]:
    """All messages of ``lang`` by dotted key.

    Examples
    --------
    >>> catalogue("fi")["common.yes"], "common.yes" in catalogue("en")
    ('kyllä', True)
    """
    if lang not in LANGUAGES:
        raise ValueError(f"report language {lang!r} is not one of {', '.join(LANGUAGES)}")
    folder = resource("report", "messages")
    merged: dict[str, Any] = {}
    for path in [folder / f"{lang}.yaml", *sorted(folder.glob(f"*.{lang}.yaml"))]:
        part = _flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        twice = sorted(set(part) & set(merged))
        if twice:
            raise ValueError(f"messages {', '.join(twice[:5])} are in {path.name} and in another {lang} catalogue")
        merged.update(part)
    return merged


_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def _is_one(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == 1
    text = re.sub(r"[\s,\u00a0\u202f]", "", str(value))
    return text == "1"


def plural(text: str, /, **fields: Any) -> str:
    """Choose the form of every ``{field|one|other}`` in ``text`` by the value of ``field``."""
    def choose(m: re.Match) -> str:
        if m.group(1) not in fields:
            raise KeyError(f"plural field {m.group(1)!r} has no value")
        return m.group(2) if _is_one(fields[m.group(1)]) else m.group(3)
    return _PLURAL.sub(choose, text)


def t(key: str, lang: str, /, **fields: Any) -> str:
    """The message ``key`` in ``lang`` (English when missing there), filled with ``fields``
    (plural forms ``{field|one|other}`` chosen first).

    Examples
    --------
    >>> t("05_participant_surveys.client.summary", "en", n=42)
    '42 clients answered the client survey.'
    >>> t("05_participant_surveys.client.summary", "fi", n=42)
    '42 asiakasta vastasi asiakaskyselyyn.'
    """
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue("en").get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the catalogues")
    return plural(str(text), **fields).format(**fields) if fields else str(text)


def has(key: str, lang: str) -> bool:
    """Whether ``key`` has a message in ``lang`` or English.

    Examples
    --------
    >>> has("common.yes", "fi"), has("no.such.key", "en")
    (True, False)
    """
    return key in catalogue(lang) or key in catalogue("en")
