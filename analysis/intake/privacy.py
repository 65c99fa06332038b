"""Privacy safeguards: identity-code detection, keyed pseudonyms, small-cell suppression.

Three rules of the project live here so that every loader and every exported table applies
them the same way:

* Files holding Finnish personal identity codes (*henkilötunnus*) are refused by
  :mod:`analysis.intake.readers`. :func:`is_personal_identity_code` and :func:`find_identity_codes`
  recognise a code only when its check character is right, so ordinary text such as dates or
  case numbers is not mistaken for one.
* :func:`pseudonymise` replaces identifiers with keyed HMAC-SHA256 pseudonyms before data
  enter the package.
* :func:`suppress_small_cells` masks published cells based on fewer than five persons.

Own code was written because the identity-code rule is Finnish-specific (no maintained Python
library checks it) and the other two are a few lines on top of the standard library's
:mod:`hmac` and pandas; a dependency would add nothing but risk.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

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
#: Smallest number of persons a published cell may rest on (the project's small-cell rule).
MIN_CELL = 5


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


def suppress_small_cells(table: pd.DataFrame, n_cols: list[str] | None = None, min_n: int = MIN_CELL,
                         mask: str = f"<{MIN_CELL}", labels: Sequence[str] = ()) -> pd.DataFrame:
    """Mask cells of a published table that rest on fewer than ``min_n`` persons.

    Rule (applied row by row; a row is one group or category of the table):

    1. every count cell (a column in ``n_cols``) with a value below ``min_n`` is replaced by
       ``mask`` — zero counts included, since "nobody" is as revealing as "one person";
    2. in a row where any count is below ``min_n``, every other *numeric* cell (means, SDs,
       percentages, scores — the statistics computed from those persons) is masked too;
    3. label columns (non-numeric, or numeric ones named in ``labels`` such as a raw score
       that identifies the row) are kept, and missing counts are left alone.

    No secondary suppression is done: if a masked cell can be recovered from a published
    total by subtraction, the caller must also mask a complementary cell or omit the total.

    Parameters
    ----------
    table : DataFrame
        The table about to be exported.
    n_cols : list of str, optional
        Count columns. Default: columns named ``n`` or starting with ``n_``.
    min_n : int
        Smallest count that may be shown (5 by the project's rule).
    mask : str
        Text written instead of a suppressed value.
    labels : list of str
        Numeric columns that identify a row rather than describe persons (never masked).

    Returns
    -------
    DataFrame
        A copy; masked columns become ``object`` dtype.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "n": [12, 3], "mean": [6.5, 4.0]})
    >>> suppress_small_cells(t)["mean"].tolist()
    [6.5, '<5']
    """
    if n_cols is None:
        n_cols = [c for c in table.columns if c == "n" or str(c).startswith("n_")]
    missing = [c for c in n_cols if c not in table.columns]
    if missing:
        raise ValueError(f"suppress_small_cells: count columns {missing} not in table columns {list(table.columns)}")
    if not n_cols:
        raise ValueError("suppress_small_cells: no count column (name it 'n' or 'n_…', or pass n_cols)")
    counts = table[n_cols].apply(pd.to_numeric, errors="raise")
    small = counts.lt(min_n) & counts.notna()
    row_small = small.any(axis=1)
    stats = [c for c in table.columns
             if c not in n_cols and c not in labels and pd.api.types.is_numeric_dtype(table[c])
             and not pd.api.types.is_bool_dtype(table[c])]
    out = table.copy()
    for col in n_cols:
        if small[col].any():
            out[col] = out[col].astype(object).where(~small[col], mask)
    for col in stats:
        if row_small.any():
            out[col] = out[col].astype(object).where(~row_small, mask)
    return out
