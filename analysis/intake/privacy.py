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
* :func:`redact_free_text` replaces e-mail addresses, identity codes, bank accounts, phone
  numbers, street addresses and person names in free-text answers by tags before they are shown.
* :func:`mask_identifiers` masks identity-code-like values in messages that quote input (errors
  of :mod:`analysis.intake.rawfiles`, :mod:`analysis.intake.readers`,
  :mod:`analysis.intake.manifest`).

Own code was written because the identity-code rule is Finnish-specific, pseudonyms are a few
lines on top of the standard library's :mod:`hmac` and pandas, and no maintained library screens
Finnish free text:

* Microsoft Presidio (``presidio-analyzer``) has pattern recognisers for e-mail, phone, IBAN and
  the Finnish identity code that run without a language model, but the package requires spaCy
  (a hard dependency, with its compiled stack), its default engine wants a spaCy model that is
  not on PyPI, and its patterns miss exactly what comments contain: codes
  written with a dash or space for the century sign, ``040/1234567``, ``matti at example dot
  com``, street names in a case form (``Hämeenkadulla 5 A 10``) and any inflected name.
* The Finnish morphological analyser Voikko knows first names and surnames (classes ``etunimi``,
  ``sukunimi``) in every case form, but libvoikko and its dictionary are Debian packages, not
  installable by ``make`` (a venv and pip); its pure-Python port ``pyvoikko`` is GPL and not in
  the lock. Voikko is used instead where it is needed once: ``tools/name_lexicon.py`` runs it
  to mark which case forms of the shipped names are also ordinary words, and the result is
  shipped as data (``name_lexicon.yaml``).

The name rules therefore work from a shipped lexicon (about 1,650 first names and 2,700
surnames of the population register's open name statistics, plus ``names.yaml``) and
:func:`_name_forms`, which generates the Finnish case forms of a name by its stem type.
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


# An identity-code-like value for masking: a plausible date (day 01–31, month 01–12), any
# separator (century sign, dash, space or none), three digits and a check character, right or not.
_CODE_LIKE = re.compile(
    r"(?<![0-9A-Za-z])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d"
    r"(?:\s?[-+A-FU-Y\u2010-\u2015\u2212/.]\s?|\s?)\d{3}[0-9A-Y](?![0-9A-Za-z])", re.IGNORECASE)


def mask_identifiers(text: str) -> str:
    """Replace every identity-code-like part of ``text`` by ``xxxxxx-xxxx``.

    The one masking function for messages (errors, notes, logs) that quote a cell value or a
    header: they must never repeat an identity code. Masked are the codes with the century sign
    and, whatever their check character, the identity-code shapes written with a dash, a space
    or nothing between the birth date and the number (``131052 308T``, ``131052308T``).

    Examples
    --------
    >>> mask_identifiers("ids 010203A123B, 131052 308T and 131052308T"), mask_identifiers("no code here")
    ('ids xxxxxx-xxxx, xxxxxx-xxxx and xxxxxx-xxxx', 'no code here')
    """
    return _CODE_LIKE.sub("xxxxxx-xxxx", _EMBEDDED.sub("xxxxxx-xxxx", str(text)))


def mask_identity_codes(text: str) -> str:
    """Replace every identity-code-shaped part of ``text`` by ``xxxxxx-xxxx`` (:func:`mask_identifiers`).

    Used for error messages, which must never repeat a code.

    Examples
    --------
    >>> mask_identity_codes("ids 010203A123B and 131052-308T"), mask_identity_codes("no code here")
    ('ids xxxxxx-xxxx and xxxxxx-xxxx', 'no code here')
    """
    return mask_identifiers(text)


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
#: Tags written in place of what :func:`redact_free_text` removes, by kind. ``email`` covers every
#: contact address (e-mail, also obfuscated, and social-media @handles); ``id`` identity codes,
#: a birth date with the code's end, and bank account numbers (IBAN).
REDACTION_TAGS = {"email": "[email]", "phone": "[phone]", "id": "[id]", "address": "[address]", "name": "[name]"}

_L = "A-Za-zÅÄÖåäöÜüÉé"
# ---- e-mail: name@domain.tld, also written out: name(a)domain.fi, name [at] domain [dot] com,
# name at domain dot com. A spelled-out "at"/"dot" needs a known top-level domain after it.
_TLD = r"(?:fi|com|net|org|se|eu|info|io|me|nu|ax|no|dk|de|ee|uk|co|edu|gov|biz|app|dev)"
_AT = r"(?:\s?@\s?|\s?[(\[{<]\s?(?:at|ät|a|@|miuku)\s?[)\]}>]\s?|\s+(?:at|ät)\s+)"
_DOT = r"(?:\.|\s?[(\[{<]\s?(?:dot|piste|\.)\s?[)\]}>]\s?|\s+(?:dot|piste)\s+)"
_EMAIL = re.compile(
    rf"(?<![\w.@])[\w.%+-]*\w(?:@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{{2,}}"
    rf"|{_AT}[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}{_TLD})(?![\w])", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@.])@(?=[\w.]*[A-Za-z])[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")

# ---- identity codes written with any separator (the century sign, a dash, a space or none) and a
# birth date with the code's last four characters elsewhere in the text
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_ANY_CODE = re.compile(
    rf"(?<![0-9A-Za-z])(\d{{6}})(?:\s?([-+A-FU-Y{_DASHES}/.])\s?|\s?)(\d{{3}})([0-9A-Y])(?![0-9A-Za-z])", re.IGNORECASE)
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d])")
_SUFFIX = re.compile(rf"(?<![0-9A-Za-z])(?:[-+A-FU-Y{_DASHES}]\s?)?(\d{{3}})([0-9A-Y])(?![0-9A-Za-z])", re.IGNORECASE)
_CODE_WORDS = re.compile(r"hetu|henkilötun|henkilö-?\s?tun|sotu|tunnu[sk]|loppu|tarkist|personbeteckn|personnummer|"
                         r"identity|\bid\b|\bssn\b", re.IGNORECASE)


def _check_character(ddmmyy: str, individual: str) -> str:
    return CHECK_CHARACTERS[int(ddmmyy + individual) % 31]


def _some_date(ddmmyy: str, centuries: Iterable[int] = (1800, 1900, 2000)) -> bool:
    for century in centuries:
        try:
            _dt.date(century + int(ddmmyy[4:]), int(ddmmyy[2:4]), int(ddmmyy[:2]))
            return True
        except ValueError:
            continue
    return False


def _loose_code(m: re.Match) -> bool:
    """A code written with any separator: right check character, a date that exists."""
    ddmmyy, sign, individual, check = m[1], (m[2] or "").upper(), m[3], m[4].upper()
    if _check_character(ddmmyy, individual) != check:
        return False
    return _some_date(ddmmyy, [CENTURY_SIGNS[sign]] if sign in CENTURY_SIGNS else (1800, 1900, 2000))


def _redact_codes(text: str) -> tuple[str, int]:
    """Identity codes (any separator) and birth dates with the code's end → ``[id]``."""
    tag = REDACTION_TAGS["id"]
    text, count = _ANY_CODE.subn(lambda m: tag if _loose_code(m) else m[0], text)
    dates = [m for m in _DATE.finditer(text)]
    if not dates:
        if not _CODE_WORDS.search(text):
            return text, count
        # the end of a code named as such ("hetun loppu 123B"): a letter check character only
        spans = [m.span() for m in _SUFFIX.finditer(text) if m[2].isalpha()]
    else:
        spans = []
        keyword = bool(_CODE_WORDS.search(text))
        for d in dates:
            year = d[3][-2:]
            ddmmyy = f"{int(d[1]):02d}{int(d[2]):02d}{year}"
            if not _some_date(ddmmyy):
                continue
            for s in _SUFFIX.finditer(text):
                if (s[2].isalpha() or keyword) and _check_character(ddmmyy, s[1]) == s[2].upper():
                    spans += [d.span(), s.span()]
        count += len(spans) // 2
    for start, end in sorted(set(spans), reverse=True):
        text = text[:start] + tag + text[end:]
    return text, count


# ---- IBAN, any country: two letters, two check digits, 11–30 letters or digits (spaces allowed
# every few characters), accepted when the ISO 13616 mod-97 check holds
_IBAN = re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}\d{2}(?:\s?[0-9A-Z]){11,30}", re.IGNORECASE)


def _iban_ok(candidate: str) -> bool:
    s = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(s) <= 34 or not s[:2].isalpha():
        return False
    digits = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(digits) % 97 == 1


def _redact_ibans(text: str) -> tuple[str, int]:
    count = 0

    def replace(m: re.Match) -> str:
        nonlocal count
        # the longest prefix that ends at a word end and passes the check ("… 85 Kelan" → "… 85")
        ends = [e.start() for e in re.finditer(r"(?<=[0-9A-Za-z])(?=\s|$)", m[0])] + [len(m[0])]
        for end in sorted(set(ends), reverse=True):
            if _iban_ok(m[0][:end]) and not (end < len(m[0]) and m[0][end].isalnum()):
                count += 1
                return REDACTION_TAGS["id"] + m[0][end:]
        return m[0]
    return _IBAN.sub(replace, text), count


# ---- phone numbers: a run of digit groups joined by spaces, hyphens, dashes, dots or slashes,
# starting with +, 00, 358 or a trunk 0; checked against the Finnish numbering plan (or 8–15
# digits after an international prefix) so that dates, times, prices, scores and postal codes
# never match
_PHONE = re.compile(rf"(?<![\w+,/:{_DASHES}-])(?<!\d\.)(?:\+\s?)?\(?\d[\d()]*"
                    rf"(?:(?:\s?[-./{_DASHES}]\s?|\s)\(?\d[\d()]*)*")
_DATE_LIKE = re.compile(r"\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?")


def _finnish_number(nsn: str, strict: bool) -> bool:
    """Whether ``nsn`` (national number without the trunk 0) fits the Finnish numbering plan."""
    n = len(nsn)
    if strict and n < 8:
        return False
    if nsn[:1] == "4" or nsn[:2] == "50":                        # mobile
        return 7 <= n <= 10
    if nsn[:2] in ("10", "20", "29", "30", "60", "70", "71", "73", "75") or nsn[:3] in ("800", "700", "600"):
        return 7 <= n <= 10                                        # national and service numbers
    if nsn[:1] in "235689" or nsn[:2] in ("13", "14", "15", "16", "17", "18", "19"):
        return 6 <= n <= 10                                        # area codes 02…09, 013…019
    return False


def _phone_prefix(candidate: str) -> str | None:
    """Longest prefix of ``candidate`` (ending at a digit group) that is a phone number, if any."""
    groups = list(re.finditer(r"\d+", candidate))
    for last in range(len(groups), 0, -1):
        text = candidate[:groups[last - 1].end()]
        lengths = [len(g[0]) for g in groups[:last]]
        seps = set(re.sub(r"[\d\s()]", "", text.lstrip("+")))
        if len(seps) > 1 or (seps & {".", "/"} and (_DATE_LIKE.fullmatch(text) or min(lengths[1:] or [0]) < 3)):
            continue                  # mixed separators (08.00-16.00), dates (01.03.2024), times, scores
        if sum(n == 1 for n in lengths) > 1:
            continue                  # scale points "0 1 2 3"
        digits = "".join(g[0] for g in groups[:last])
        strict = bool(seps & {".", "/"})
        if text.startswith("+") or digits.startswith("00"):
            body = digits if text.startswith("+") else digits[2:]
            if body.startswith("358"):
                nsn = body[3:].lstrip("0")
                if _finnish_number(nsn, strict):
                    return text
            elif 8 <= len(body) <= 15 and not strict:
                return text
            continue
        if lengths[0] == 3 and digits.startswith("358") and last > 1:
            if _finnish_number(digits[3:].lstrip("0"), strict):
                return text
            continue
        if digits.startswith("0") and (lengths[0] >= 2 or text.startswith("(")):
            if _finnish_number(digits[1:], strict):
                return text
    return None


def _redact_phones(text: str) -> tuple[str, int]:
    count = 0

    def replace(m: re.Match) -> str:
        nonlocal count
        phone = _phone_prefix(m[0])
        if phone is None:
            return m[0]
        count += 1
        return REDACTION_TAGS["phone"] + m[0][len(phone):]
    return _PHONE.sub(replace, text), count


# ---- street addresses: a street name (suffix -katu, -tie, -kuja, -polku, … in any case form) and
# a house number, with staircase and flat
_STREET = (r"(?:kat(?:u|ua|uun)|kadu(?:n|lla|lle|lta|ssa|sta|ksi)|tie(?:n|tä|llä|lle|ltä|ssä|stä|hen|ksi)?"
           r"|kuja(?:n|a|an|lla|lle|lta|ssa|sta)?|polku(?:a|un)?|polu(?:n|lla|lle|lta)"
           r"|väylä(?:n|ä|än|llä|lle|ltä)?|raitti(?:a|in)?|raiti(?:n|lla|lle|lta)"
           r"|kaar(?:i|ta|een|en|ella|elle|elta)"
           r"|rin(?:ne|nettä|teen|teeseen|teellä|teelle|teeltä)|ran(?:ta|taa|taan|nan|nalla|nalle|nalta)"
           r"|puisto(?:n|a|on|ssa|sta)?|tori(?:n|a|in|lla|lle|lta)?|aukio(?:n|ta|lle|lla|lta)?"
           r"|kaarre|kaarteen|kaarteella|piha(?:n|lla|lle)?|gata(?:n|n?s)|vägen|väg|gränd(?:en)?|stigen|torget"
           r"|allén|bulevardi(?:n|lla|lle)?|esplanadi(?:n|lla|lle)?)")
_UNIT = (r"(?:(?:km|m|min|h|krt|kertaa|kerran|tuntia|minuuttia|euroa|e|vuotta|v|kk|pv|päivää|viikkoa|hlö|henkeä)\b"
         r"|€|%)")
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:[A-ZÅÄÖ][a-zåäö]+(?:-[A-ZÅÄÖa-zåäö][a-zåäö]*)?{_STREET}"
    rf"|[a-zåäö]{{2,}}{_STREET}(?=\s\d{{1,4}}\s?[A-Ha-h]\b))"
    rf"\s\d{{1,4}}(?!\s?{_UNIT}|[\d,.:]\d)"
    r"(?:\s?[A-Ha-h](?![\wåäö])(?:\s?\d{1,3})?)?(?:\s?(?:as|bst|lgh|h)\.?\s?\d{1,3})?(?![\w])"
    r"|(?<!\w)\d{1,4}\s[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Way)\b")


# ---- person names
_VOWELS = "aeiouyäöéü"
_TOKEN = re.compile(rf"[{_L}]+(?:[:'’][{_L}]+)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]|\n|\s[–—]\s)[\s\"'“”«»(\[*•–-]*$")
_SENTENCE_END = re.compile(r"(?:[.!?…:;\n]|\s[–—]\s)[\s\"'“”«»(\[*•–-]*$")
# an unlisted Finnish surname form (-nen: Pylkkänen, Pylkkäselle), not a verbal noun (Asuminen)
_SURNAME = re.compile(r"(?!.*(?:minen|mis(?:en|elle|ella|ellä|esta|estä|essa|essä|eksi|ena|enä)$)).{2,}"
                      r"(?:nen|s(?:en|elle|ella|ellä|elta|eltä|esta|estä|essa|essä|eksi|ena|enä))")
_CLITIC = re.compile(r"(?:kin|kaan|kään|han|hän|ko|kö|pa|pä)$")
# a word before a name that says a person follows: staff titles, relatives, friends (fi, sv, en)
_TITLE = re.compile(
    r"\w*(?:ohjaaj|työntekij|hoitaj|lääkär|kuraattor|psykolog|opettaj|terapeut|valmentaj|rehtor|koordinaattor"
    r"|asiantuntij|tukihenkilö|psykiatr|sosionom|kaveri|ystäv|naapur|isännöitsij|handledar|kurator"
    r"|läkare|sköterska|skötare|lärare|kompis|nurse|worker|counsel|doctor|teacher|coach|mentor|therapist)\w*"
    r"|(?:setä|sedä|täti|tädi|äiti|äidi|isä|veli|velje|sisko|sisar|serkku|serku|mummo|mummu|pappa|vaari|mumma"
    r"|doktor|dr|mr|mrs|ms|herra|rouva|neiti|vän|friend)\w*")
_FIRST, _SURNAME_FLAG, _NOT_NAME, _WORD = 1, 2, 4, 8
# weak grade of the consonants before a stem's last vowel (consonant gradation): Pekka → Pekan,
# Lahti → Lahden, Aalto → Aallon, Ranta → Rannan, Mäki → Mäen, Helsinki → Helsingin
_WEAK = {"kk": "k", "pp": "p", "tt": "t", "nk": "ng", "nt": "nn", "lt": "ll", "rt": "rr", "mp": "mm",
         "ht": "hd", "lk": "l", "rk": "r", "k": "", "p": "v", "t": "d"}
_STEM_END = re.compile(rf"([^{_VOWELS}]+)([{_VOWELS}]+)$")


def _weak(stem: str, words: bool) -> str | None:
    """``stem`` in the weak grade; clusters other than kk/pp/tt only for word-like names."""
    m = _STEM_END.search(stem)
    if not m or m.start() == 0:
        return None
    cons = m[1]
    for strong in ("kk", "pp", "tt") + (("nk", "nt", "lt", "rt", "mp", "ht", "lk", "rk") if words else ()):
        if cons.endswith(strong):
            return stem[:m.start() + len(cons) - len(strong)] + _WEAK[strong] + m[2]
    if words and len(cons) == 1 and cons in "kpt" and stem[m.start() - 1] in _VOWELS:
        return stem[:m.start()] + _WEAK[cons] + m[2]
    return None


def _name_forms(name: str, words: bool = True) -> set[str]:
    """Lower-case forms of ``name`` in the Finnish cases (singular; plural of -nen names).

    Nominative, genitive -n, partitive -a/-ta, essive -na, translative -ksi, inessive -ssa,
    elative -sta, illative -Vn/-seen, adessive -lla, ablative -lta, allative -lle, abessive -tta,
    in both the strong and the weak grade, with the stems of the common name types:
    -nen → -se-/-s- (Virtanen: Virtasen, Virtasta, Virtaselle; Virtaset, Virtasilla), -s →
    -kse- or -i- (Tuomaksen, Hansin), consonant → -i- (Emilin, Nymanille), -i → -i- or, for
    ``words`` (surnames and places), -e- (Matin; Niemen, Lahden, Mäen), -e → -e- or -ee-
    (Kallen; Laineen, Lainetta). Vowel harmony follows the name (a/o/u → -a, else -ä). More forms
    than the language has come out (e.g. both grades everywhere): harmless for a lookup.

    >>> sorted(f for f in _name_forms("Virtanen") if f.endswith(("n", "lle")))
    ['virtanen', 'virtaseen', 'virtaselle', 'virtasen', 'virtasien', 'virtasiin', 'virtasille', 'virtasten']
    >>> {"heikkilälle", "mäen", "lahdessa", "koskisen", "laineen"} <= (
    ...     _name_forms("Heikkilä") | _name_forms("Mäki") | _name_forms("Lahti")
    ...     | _name_forms("Koskinen") | _name_forms("Laine"))
    True
    """
    w = name.lower()
    if not w:
        return set()
    a = "a" if re.search("[aou]", w) else "ä"
    endings = ("n", a, "ll" + a, "lt" + a, "lle", "ss" + a, "st" + a, "ksi", "n" + a, "tt" + a)
    forms, stems = {w}, []
    if w.endswith("nen") and len(w) > 4:
        base = w[:-3]
        stems.append(base + "se")
        forms |= {base + "st" + a, base + "set", base + "sten", base + "sien", base + "si" + a, base + "siin"}
        forms |= {base + "si" + e for e in ("ll" + a, "lle", "lt" + a, "ss" + a, "st" + a, "n" + a, "ksi")}
    elif w[-1] == "s" and len(w) > 2 and w[-2] in _VOWELS:
        stems += [w[:-1] + "kse", w + "i", w[:-1] + w[-2]]           # Tuomaksen, Hansin, Armaan
        if w.endswith("ngas"):
            stems.append(w[:-4] + "nkaa")                                # Kangas → Kankaan
        forms |= {w + "t" + a, w + "i" + a}
    elif w[-1] not in _VOWELS:
        stems.append(w + "i")                                            # Emilin, Nymanille
    elif w[-1] == "i":
        stems.append(w)
        if words:
            stems.append(w[:-1] + "e")                                   # Niemen, Lahden
    elif w[-1] == "e":
        stems += [w, w + "e"]                                            # Kallen, Laineen
        forms.add(w + "tt" + a)
    else:
        stems.append(w)
    stems += [weak for s in stems if (weak := _weak(s, words))]
    for s in stems:
        forms |= {s + e for e in endings}
        forms.add(s + "seen" if len(s) > 1 and s[-1] == s[-2] else s + s[-1] + "n")   # illative
    if w[-1] in _VOWELS:
        forms.add(w + "t")                                               # Heikkilät, Laineet
    return forms


@functools.cache
def _name_lists() -> tuple[dict[str, int], frozenset[str]]:
    """Every form of the shipped names → flags (first name, surname, not a name, also a word)."""
    hand = yaml.safe_load(resource("intake", "names.yaml").read_text(encoding="utf-8"))
    lexicon = yaml.safe_load(resource("intake", "name_lexicon.yaml").read_text(encoding="utf-8"))
    flags: dict[str, int] = {}
    for names, flag, words in ((lexicon["first_names"].split() + hand["first_names"], _FIRST, False),
                               (lexicon["surnames"].split() + hand.get("surnames", []), _SURNAME_FLAG, True),
                               (hand["not_names"], _NOT_NAME, True)):
        for name in names:
            for form in _name_forms(name, words):
                flags[form] = flags.get(form, 0) | flag
    for form in lexicon["word_forms"].split() + [w.lower() for w in hand["also_words"]]:
        if form in flags:
            flags[form] |= _WORD
    return flags, frozenset(w.lower() for w in hand["also_words"])


def _lookup(token: str, flags: dict[str, int]) -> int:
    """Flags of a token: its own form, the part before a colon (Matti:lle), or without a clitic."""
    t = token.lower()
    if ":" in t or "'" in t or "’" in t:
        t = re.split(r"[:'’]", t)[0]
    found = flags.get(t, 0)
    if not found and (m := _CLITIC.search(t)) and len(t) - len(m[0]) >= 3:
        found = flags.get(t[:m.start()], 0)
    return found


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


def _name_spans(text: str, known: dict[str, int]) -> list[tuple[int, int]]:
    """Spans of person names (one per run of name words); the rules are in :func:`redact_free_text`."""
    flags, _ = _name_lists()
    toks = [m for m in _TOKEN.finditer(text) if text[m.start() - 1:m.start()] != "["]     # not the tags
    n = len(toks)
    if not n:
        return []
    fl = [(_lookup(t[0], flags) | (_FIRST | _SURNAME_FLAG if _lookup(t[0], known) else 0)) for t in toks]
    mine = [bool(_lookup(t[0], known)) for t in toks]
    gap = [None] + [text[toks[i - 1].end():toks[i].start()] for i in range(1, n)]
    start = [bool(_SENTENCE_START.search(text[:toks[0].start()]))] + [bool(_SENTENCE_END.search(g)) for g in gap[1:]]
    upper = [t[0].isupper() and len(t[0]) > 1 for t in toks]
    title = [t[0][0].isupper() and not upper[i] for i, t in enumerate(toks)]
    lower = [t[0][0].islower() for t in toks]
    after_title = [i > 0 and gap[i] in (" ", ", ") and bool(_TITLE.fullmatch(toks[i - 1][0].lower())) for i in range(n)]
    name = [False] * n
    sure = [False] * n
    for i, t in enumerate(toks):
        f = fl[i]
        if not f & (_FIRST | _SURNAME_FLAG):
            continue
        ambiguous = bool(f & (_WORD | _NOT_NAME)) and not mine[i]
        sure[i] = not ambiguous and not (lower[i] and len(t[0]) < 3)
        if sure[i] or after_title[i]:
            name[i] = True
        elif title[i] and not start[i] and (not f & _NOT_NAME or (f & _SURNAME_FLAG and t[0].endswith("lle"))):
            name[i] = True                      # a word-like name capitalised inside a sentence; a
                                                # place that is a surname too, in the allative (Salolle)
    for _ in range(2):                          # next to a first name, before a surname, hyphenated
        for i in range(n):
            if name[i] or not fl[i] & (_FIRST | _SURNAME_FLAG):
                continue
            prev_ok = i > 0 and name[i - 1] and (gap[i] == "-" or (gap[i] == " " and fl[i - 1] & _FIRST))
            next_ok = i + 1 < n and name[i + 1] and (gap[i + 1] == "-" or (gap[i + 1] == " " and not lower[i] and (
                fl[i + 1] & _SURNAME_FLAG and (sure[i + 1] or title[i + 1])          # Toivo Virtanen, Tuuli Laine
                or fl[i] & _SURNAME_FLAG and fl[i + 1] & _FIRST and toks[i][0].endswith("n"))))   # Laineen Liisa
            if (prev_ok or next_ok) and not (fl[i] & _NOT_NAME and lower[i]):
                name[i] = True
    # runs of capitalised words not in the lists (John Smith, Sarah Johnson) and unlisted Finnish
    # surname forms inside a sentence (Pylkkäselle)
    i = 0
    while i < n:
        if not (title[i] or name[i]) or (fl[i] & _NOT_NAME and not name[i]) or len(toks[i][0]) < 2:
            i += 1
            continue
        j = i + 1
        while j < n and gap[j] in (" ", "-") and (title[j] or name[j]) and not (fl[j] & _NOT_NAME and not name[j]) \
                and len(toks[j][0]) > 1:
            j += 1
        run = list(range(i, j))
        if start[i] and not name[i]:
            run = run[1:]                       # "Kiitos Matti", "Kävin Kauppatorilla": a word first
        if len(run) > 1:
            for k in run:
                name[k] = True
        elif len(run) == 1 and not fl[run[0]] and title[run[0]] and _SURNAME.fullmatch(toks[run[0]][0]) \
                and not start[run[0]]:
            name[run[0]] = True
        i = j
    spans: list[tuple[int, int]] = []
    for i in range(n):
        if not name[i]:
            continue
        if spans and i > 0 and name[i - 1] and gap[i] in (" ", "-"):
            spans[-1] = (spans[-1][0], toks[i].end())
        else:
            spans.append((toks[i].start(), toks[i].end()))
    return spans


def redact_free_text(texts: Iterable[object] | pd.Series, *, names: bool = True,
                     known_names: Iterable[str] = ()) -> FreeTextRedaction:
    """Replace identifying details in free-text answers by tags.

    What is replaced, in this order (each by its tag in :data:`REDACTION_TAGS`):

    1. e-mail addresses, also written out (``matti(a)example.fi``, ``matti [at] example [dot]
       fi``, ``matti at example dot com``), and @handles → ``[email]``;
    2. identity codes with the century sign (``-``, ``+``, ``A``–``F``, ``U``–``Y``), a dash, a
       space or nothing between date and number, when the check character is right; a birth
       date (``1.2.2003``) with the code's last four characters (``123B``) elsewhere in the text
       (both replaced); bank account numbers (IBAN of any country, mod-97 checked) → ``[id]``;
    3. phone numbers beginning with ``+``, ``00``, ``358`` or a trunk ``0``, with spaces,
       hyphens, dashes, dots or slashes (``040 123 4567``, ``040-1234567``, ``040.123.4567``,
       ``040/1234567``, ``+358 40 123 4567``, ``358 40 123 4567``, ``(09) 123 4567``), checked
       against the Finnish numbering plan (8–15 digits after another country code) → ``[phone]``;
       dates, times, prices, scores such as ``8/10`` and postal codes are not phone numbers;
    4. street addresses with a house number, the street name in any case form
       (``Hämeenkatu 12 B 34``, ``Mannerheimintiellä 12 B 5``, ``Hämeenkadulla 5 A 10``,
       ``Storgatan 5``, ``12 Baker Street``) → ``[address]``;
    5. with ``names=True``, person names → ``[name]`` (one tag per run of name words):

       * a first name or surname of the shipped lexicon (``analysis/intake/name_lexicon.yaml``:
         the common first names and surnames of the population register's name statistics, and
         ``names.yaml``) or of ``known_names``, in any Finnish case (``Virtaselle``,
         ``Heikkilälle``, ``Koskisen``, ``Mäen``) and any letter case (``MATTI VIRTANEN``,
         ``matti sanoi``);
       * a listed name that is also an ordinary word (``Mäki``, ``Laine``, ``Niemi``, ``Salo``,
         ``Kivi``, ``Anna``, ``Toivo``…) only when it is capitalised inside a sentence, follows a
         title or a relative (``ohjaaja Niemi``, ``lääkäri Salon``, ``kaveri Kivi``), follows a
         first name (``Matti Laine``) or stands before a listed surname (``Toivo Virtanen``);
         at the start of a sentence or in lower case it is a word;
       * places and services of the list's ``not_names`` (Kela, Ohjaamo, municipalities…) never
         count by themselves (``Kävin Lahdessa``), only after a title or a first name
         (``ohjaaja Lahti``, ``Matti Lahti``);
       * two or more capitalised words in a row (``Liisa Korhonen``, ``John Smith``; at the start
         of a sentence a first word that is not a listed name is taken for a word, as in
         ``Kiitos Matti`` or ``Kävin Kauppatorilla``), and an unlisted Finnish surname form
         (``Pylkkäselle``) inside a sentence.

    The rules are heuristics: they miss unlisted names that look like words and they redact
    capitalised multi-word names of places or organisations (mostly in English). Read the
    redacted texts, or withhold free text, before publishing.

    Parameters
    ----------
    texts : iterable or Series
        Free-text answers; a Series keeps its index and name. Missing values stay missing.
    names : bool, default True
        Detect person names (rule 5).
    known_names : iterable of str
        Further first names or surnames to redact in any form and context, e.g. the staff of the
        service.

    Returns
    -------
    FreeTextRedaction
        Redacted texts, findings per text and totals per tag.

    Examples
    --------
    >>> r = redact_free_text(["Soita Matille 040 123 4567 tai matti.v@example.fi", "Hyvä palvelu, 9/10!",
    ...                       "ohjaaja Niemi ja Heikkilälle kiitos, hetu 131052 308T"])
    >>> r.texts.tolist()
    ['Soita [name] [phone] tai [email]', 'Hyvä palvelu, 9/10!', 'ohjaaja [name] ja [name] kiitos, hetu [id]']
    >>> r.n_phone, r.n_name, r.n_id, r.n_redacted
    (1, 3, 1, 2)
    """
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    known: dict[str, int] = {}
    for name in known_names:
        for form in _name_forms(str(name), True):
            known[form] = _FIRST | _SURNAME_FLAG
    out, rows = [], []
    for value in series.to_numpy(dtype=object):
        counts = dict.fromkeys(REDACTION_TAGS, 0)
        if not isinstance(value, str):
            out.append(None if pd.isna(value) else value)
            rows.append(counts)
            continue
        text, counts["email"] = _EMAIL.subn(REDACTION_TAGS["email"], value)
        text, n_handle = _HANDLE.subn(REDACTION_TAGS["email"], text)
        counts["email"] += n_handle
        text, n_iban = _redact_ibans(text)
        text, n_code = _redact_codes(text)
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
