"""Privacy safeguards of the intake: identity-code detection, keyed pseudonyms, free-text
redaction.

Three rules of the project live here so that every loader applies them the same way (the
small-cell rule of published tables is :mod:`analysis.report.disclosure`):

* Files holding Finnish personal identity codes (*henkilötunnus*) are refused by
  :mod:`analysis.intake.readers`. :func:`is_personal_identity_code` and :func:`find_identity_codes`
  recognise a code only when its check character is right, so ordinary text such as dates or
  case numbers is not mistaken for one.
* :func:`pseudonymise` replaces identifiers with keyed HMAC-SHA256 pseudonyms before data
  enter the package.
* :func:`redact_free_text` replaces e-mail addresses, identity codes, phone numbers, street
  addresses and person names in free-text answers by tags before they are shown.

Own code was written because the identity-code rule is Finnish-specific (no maintained Python
library checks it), pseudonyms are a few lines on top of the standard
library's :mod:`hmac` and pandas, and the free-text rules are regular expressions tuned to
Finnish phone, address and name forms (general PII libraries such as Microsoft Presidio need
language models and miss Finnish inflection); a dependency would add nothing but risk.
"""
from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
import yaml

from analysis import resource

#: Check characters indexed by ``int(DDMMYY + NNN) % 31`` (Digital and Population Data
#: Services Agency, "The personal identity code").
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"

#: Century sign → first two digits of the birth year.
CENTURY_SIGNS = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

_CODE = r"(\d{6})([-+A-FU-Y])(\d{3})([0-9A-Y])"
_FULL = re.compile(rf"{_CODE}", re.IGNORECASE)
_EMBEDDED = re.compile(rf"(?<![0-9A-Za-z]){_CODE}(?![0-9A-Za-z])", re.IGNORECASE)
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![0-9A-Za-z])", re.IGNORECASE)

#: Smallest key accepted by :func:`pseudonymise`, in bytes. A short or guessable key would let
#: anyone rebuild the pseudonyms of all few million valid identity codes.
MIN_KEY_BYTES = 16


def _valid_parts(ddmmyy: str, sign: str, individual: str, check: str) -> bool:
    sign, check = sign.upper(), check.upper()
    if CHECK_CHARACTERS[int(ddmmyy + individual) % 31] != check:
        return False
    year = CENTURY_SIGNS[sign] + int(ddmmyy[4:])
    try:
        _dt.date(year, int(ddmmyy[2:4]), int(ddmmyy[:2]))
    except ValueError:
        return False
    return True


def is_personal_identity_code(s: object) -> bool:
    """Whether ``s`` is exactly one valid Finnish personal identity code.

    A code is ``DDMMYYCNNNQ``: birth date, century sign (``+`` 1800s; ``-`` ``Y`` ``X`` ``W``
    ``V`` ``U`` 1900s; ``A``–``F`` 2000s), a three-digit individual number and the check
    character ``CHECK_CHARACTERS[int(DDMMYYNNN) % 31]``. The date must exist and the check
    character must be right; letters may be lower case; surrounding white space is ignored.

    Examples
    --------
    >>> is_personal_identity_code("131052-308T")
    True
    >>> is_personal_identity_code("131052-308U")   # wrong check character
    False
    """
    if not isinstance(s, str):
        return False
    m = _FULL.fullmatch(s.strip())
    return bool(m) and _valid_parts(*m.groups())


def find_identity_codes(values: pd.Series) -> pd.Series:
    """Boolean Series: which cells contain a valid identity code, alone or inside text.

    Candidates are found with one vectorised regular-expression pass over the distinct texts;
    only those are checked for a valid date and check character.

    Examples
    --------
    >>> find_identity_codes(pd.Series(["R001", "hetu 131052-308T", None])).tolist()
    [False, True, False]
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))   # distinct texts only
    text = pd.Series(uniques, dtype=object).astype("string")
    candidate = text.str.contains(_CANDIDATE, na=False).to_numpy(dtype=bool)
    found = np.zeros(len(uniques), dtype=bool)
    for pos in np.flatnonzero(candidate):
        found[pos] = any(_valid_parts(*m.groups()) for m in _EMBEDDED.finditer(text.iloc[pos]))
    return pd.Series(np.append(found, False)[codes], index=values.index)


def mask_identity_codes(text: str) -> str:
    """Replace every identity-code-shaped part of ``text`` by ``xxxxxx-xxxx``.

    Used for error messages, which must never repeat a code.

    >>> mask_identity_codes("hetu 131052-308T")
    'hetu xxxxxx-xxxx'

    Examples
    --------
    >>> mask_identity_codes("ids 010203A123B and 131052-308T"), mask_identity_codes("no code here")
    ('ids xxxxxx-xxxx and xxxxxx-xxxx', 'no code here')
    """
    return _EMBEDDED.sub("xxxxxx-xxxx", text)


def pseudonymise(ids: Iterable[object] | pd.Series, key: str | bytes) -> pd.Series:
    """Keyed pseudonyms: ``HMAC-SHA256(key, id)`` as 64 lower-case hex digits (RFC 2104).

    The same id and key always give the same pseudonym, so data sets pseudonymised with one
    key can still be linked; without the key the ids cannot be recovered or re-derived. Ids
    are hashed as their exact text (``str(id)`` encoded as UTF-8): normalise them first (e.g.
    strip, upper-case) if the sources spell them differently. Missing ids stay missing.

    Parameters
    ----------
    ids : iterable or Series
        Identifiers, e.g. identity codes or register numbers. A Series keeps its index and name.
    key : str or bytes
        Secret key, at least :data:`MIN_KEY_BYTES` bytes; keep it outside the repository.

    Examples
    --------
    >>> pseudonymise(["131052-308T"], key="a secret key of 32 random bytes!")[0][:12]
    'c11a6eef59d6'
    """
    key_bytes = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(key_bytes) < MIN_KEY_BYTES:
        raise ValueError(f"pseudonymisation key must be at least {MIN_KEY_BYTES} bytes, got {len(key_bytes)}")
    series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    out = [
        None if pd.isna(v) else hmac.new(key_bytes, str(v).encode("utf-8"), hashlib.sha256).hexdigest()
        for v in series.to_numpy(dtype=object)
    ]
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


# ----------------------------------------------------------------------------- free text
#: Tags written in place of what :func:`redact_free_text` removes, by kind.
REDACTION_TAGS = {"email": "[email]", "phone": "[phone]", "id": "[id]", "address": "[address]", "name": "[name]"}

_EMAIL = re.compile(r"[\w.%+-]+(?:@|\s?[(\[]\s?(?:at|ät)\s?[)\]]\s?)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"(?<![0-9A-Za-z])FI\d{2}(?: ?\d{4}){3} ?\d{2}(?![0-9A-Za-z])", re.IGNORECASE)
# A phone number begins with + (country code), 00 or a Finnish trunk 0; digits, spaces, hyphens
# and brackets follow. Dots, commas and slashes end it, so dates, prices and scores never match.
_PHONE = re.compile(r"(?<![\w+])(?:\+|\(0\d{1,4}\)|0)[\d ()-]{5,22}\d(?!\w)")
_STREET = r"(?:katu|tie|kuja|polku|väylä|raitti|kaari|rinne|ranta|puisto|tori|aukio|gatan|vägen|gränd|stigen|torget)"
_ADDRESS = re.compile(
    rf"(?<!\w)[A-ZÅÄÖ][a-zåäö]*{_STREET}\s\d{{1,4}}(?:(?:\s?[A-Z]|[a-z])(?:\s?\d{{1,3}})?)?(?:\s(?:as|bst)\.?\s?\d{{1,3}})?(?!\w)"
    r"|(?<!\w)\d{1,4}\s[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Way)\b")
_WORD = re.compile(r"(?<![\w-])[A-ZÅÄÖÜ][a-zåäöüé]+(?:-[A-Za-zÅÄÖÜåäöüé]+)*(?![\w])")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]|\n)[\s\"'“”«»(\[*•–-]*$")
_CASE_ENDINGS = ("n", "a", "ä", "lle", "lla", "llä", "lta", "ltä", "ssa", "ssä", "sta", "stä", "ksi", "na", "nä", "kin")
_SURNAME = re.compile(r".{2,}(?:nen|s(?:en|elle|ella|ellä|elta|eltä|esta|estä|essa|essä|eksi|ena|enä))")
_GRADATION = re.compile(r"(kk|tt|pp)([aeiouyäö])$")


def _name_forms(name: str) -> set[str]:
    """``name`` with Finnish case endings: Matti → Matin, Matille, Mattia…; Tuomas → Tuomaksen."""
    if name[-1] in "aeiouyäö":
        stems = {name, _GRADATION.sub(lambda m: m[1][0] + m[2], name), name + name[-1]}
    elif name.endswith("s"):
        stems = {name[:-1] + "kse", name + "t"}
    else:
        stems = {name + "i"}
    return {name} | {stem + ending for stem in stems for ending in _CASE_ENDINGS}


def _forms(words: Iterable[str]) -> dict[str, str]:
    return {form: word for word in words for form in _name_forms(word)}


@functools.cache
def _name_lists() -> tuple[dict[str, str], set[str], dict[str, str]]:
    """Forms of the shipped first names → name; names that are also words; non-name forms."""
    lists = yaml.safe_load(resource("intake", "names.yaml").read_text(encoding="utf-8"))
    return _forms(lists["first_names"]), set(lists["also_words"]), _forms(lists["not_names"])


@dataclass(frozen=True)
class FreeTextRedaction:
    """Redacted free texts and what was removed from them.

    Attributes
    ----------
    texts : Series
        The texts with every finding replaced by its tag (:data:`REDACTION_TAGS`); same index
        as the input, missing texts stay missing.
    found : DataFrame
        Per text (same index), the number of findings of each kind (columns ``email``,
        ``phone``, ``id``, ``address``, ``name``). A caller that withholds every comment with
        a finding, or shows only counts, needs nothing else.
    n_texts, n_redacted : int
        Non-missing texts, and texts with at least one finding.
    n_email, n_phone, n_id, n_address, n_name : int
        Findings of each kind over all texts.
    """

    texts: pd.Series
    found: pd.DataFrame
    n_texts: int
    n_redacted: int
    n_email: int
    n_phone: int
    n_id: int
    n_address: int
    n_name: int

    def to_frame(self) -> pd.DataFrame:
        """One row per kind: ``tag``, ``n`` (findings) and ``n_texts`` (texts with one or more)."""
        return pd.DataFrame({"tag": list(REDACTION_TAGS.values()),
                             "n": [int(self.found[k].sum()) for k in REDACTION_TAGS],
                             "n_texts": [int((self.found[k] > 0).sum()) for k in REDACTION_TAGS]})


def _valid_phone(candidate: str) -> str | None:
    """Longest prefix of ``candidate`` (ending at a digit group) that is a phone number, if any."""
    groups = list(re.finditer(r"\d+", candidate))
    international = candidate.startswith("+") or candidate.startswith("00")
    for last in range(len(groups), 0, -1):
        lengths = [len(g[0]) for g in groups[:last]]
        digits = sum(lengths)
        if (8 <= digits <= 15 if international else 8 <= digits <= 12) and sum(n == 1 for n in lengths) <= 1:
            return candidate[:groups[last - 1].end()]
    return None


def _redact_phones(text: str) -> tuple[str, int]:
    count = 0

    def replace(m: re.Match) -> str:
        nonlocal count
        phone = _valid_phone(m[0])
        if phone is None:
            return m[0]
        count += 1
        return REDACTION_TAGS["phone"] + m[0][len(phone):]
    return _PHONE.sub(replace, text), count


def _name_spans(text: str, known: dict[str, str]) -> list[tuple[int, int]]:
    """Spans of person names: listed first names, capitalised runs and Finnish surnames."""
    first, also_words, not_names = _name_lists()
    words = [m for m in _WORD.finditer(text) if m[0].split("-")[0] not in not_names]
    runs: list[list[re.Match]] = []
    for m in words:                  # runs: capitalised words separated by single spaces only
        if runs and text[runs[-1][-1].end():m.start()] == " ":
            runs[-1].append(m)
        else:
            runs.append([m])
    spans = []
    for run in runs:
        heads = [m[0].split("-")[0] for m in run]
        listed = [h in known or h in first for h in heads]
        if _SENTENCE_START.search(text[:run[0].start()]):
            # A sentence's first word is a name if it is a listed one (a listed name that is also
            # a word only before a surname), or if an unlisted, non-surname word follows it.
            word_first = not listed[0] or (len(run) == 1 and first.get(heads[0]) in also_words)
            if word_first and (len(run) == 1 or listed[1] or _SURNAME.fullmatch(run[1][0])):
                run, listed = run[1:], listed[1:]
        if run and (len(run) > 1 or listed[0] or _SURNAME.fullmatch(run[0][0])):
            spans.append((run[0].start(), run[-1].end()))
    return spans


def redact_free_text(texts: Iterable[object] | pd.Series, *, names: bool = True,
                     known_names: Iterable[str] = ()) -> FreeTextRedaction:
    """Replace identifying details in free-text answers by tags.

    What is replaced, in this order (each by its tag in :data:`REDACTION_TAGS`):

    1. e-mail addresses, also the Finnish ``etunimi.sukunimi(at)kunta.fi`` form → ``[email]``;
    2. identity-code-shaped strings (as :func:`mask_identity_codes`) and Finnish IBANs → ``[id]``;
    3. phone numbers beginning with ``+``, ``00`` or a trunk ``0`` (``040 123 4567``,
       ``040-1234567``, ``+358 40 123 4567``, ``(09) 123 4567``) with 8–12 digits (8–15 with
       a country code) and at most one one-digit group → ``[phone]``; years, dates, prices,
       scores such as ``8/10`` and postal codes are not phone numbers;
    4. street addresses with a number (``Hämeenkatu 12 B 34``, ``Storgatan 5``,
       ``12 Baker Street``) → ``[address]``;
    5. with ``names=True``, person names → ``[name]`` (one tag per run of name words): a
       first name of the shipped list ``analysis/intake/names.yaml`` (about 270 common names
       in Finland) or of ``known_names``, also with Finnish case endings (Matin, Tuomaksen);
       two or more capitalised words in a row (``Liisa Korhonen``, ``John Smith``; at the
       start of a sentence the first word is kept when a listed name or a surname follows
       it, as in ``Kiitos Matti``, else the whole run is taken as a name); a capitalised Finnish surname form (``Virtasen``, ``Korhoselle``)
       inside a sentence. A listed name that is also a word (``Anna``, ``Toivo``) starting a
       sentence counts only before a surname. Words of the list's ``not_names`` (Kela,
       Ohjaamo, cities, months…) never count.

    The name rules are heuristics: they miss lower-case names and unlisted single first
    names, and they also redact capitalised multi-word names of places or organisations
    (mostly in English). Read the redacted texts, or withhold free text, before publishing.

    Parameters
    ----------
    texts : iterable or Series
        Free-text answers; a Series keeps its index and name. Missing values stay missing.
    names : bool, default True
        Detect person names (rule 5).
    known_names : iterable of str
        Further first names or surnames to redact, e.g. the staff of the service.

    Returns
    -------
    FreeTextRedaction
        Redacted texts, findings per text and totals per tag.

    Examples
    --------
    >>> r = redact_free_text(["Soita Matille 040 123 4567 tai matti.v@example.fi", "Hyvä palvelu, 9/10!"])
    >>> r.texts.tolist()
    ['Soita [name] [phone] tai [email]', 'Hyvä palvelu, 9/10!']
    >>> r.n_phone, r.n_name, r.n_redacted
    (1, 1, 1)
    """
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    known = _forms(known_names)
    out, rows = [], []
    for value in series.to_numpy(dtype=object):
        counts = dict.fromkeys(REDACTION_TAGS, 0)
        if not isinstance(value, str):
            out.append(None if pd.isna(value) else value)
            rows.append(counts)
            continue
        text, counts["email"] = _EMAIL.subn(REDACTION_TAGS["email"], value)
        text, n_code = _EMBEDDED.subn(REDACTION_TAGS["id"], text)
        text, n_iban = _IBAN.subn(REDACTION_TAGS["id"], text)
        counts["id"] = n_code + n_iban
        text, counts["phone"] = _redact_phones(text)
        text, counts["address"] = _ADDRESS.subn(REDACTION_TAGS["address"], text)
        if names:
            spans = _name_spans(text, known)
            for start, end in reversed(spans):
                text = text[:start] + REDACTION_TAGS["name"] + text[end:]
            counts["name"] = len(spans)
        out.append(text)
        rows.append(counts)
    found = pd.DataFrame(rows, index=series.index, columns=list(REDACTION_TAGS), dtype=int)
    return FreeTextRedaction(
        texts=pd.Series(out, index=series.index, name=series.name, dtype=object), found=found,
        n_texts=sum(isinstance(v, str) for v in series), n_redacted=int(found.sum(axis=1).gt(0).sum()),
        **{f"n_{k}": int(found[k].sum()) for k in REDACTION_TAGS})
