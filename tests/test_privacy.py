"""Tests of analysis.privacy against hand computations and the standard library."""
import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from analysis.intake.privacy import (
    find_identity_codes,
    is_personal_identity_code,
    mask_identity_codes,
    pseudonymise,
)
from analysis.report.disclosure import suppress_small_cells

KEY = "test key: 32 bytes of not-secret"


# Check characters by hand: table "0123456789ABCDEFHJKLMNPRSTUVWXY", index = int(DDMMYYNNN) % 31.
#   131052308 = 31 * 4227493 + 25 -> 'T' (the example code published by the population register)
#   010101123 = 31 * 325842 + 21  -> 'N'
#   290200101 = 31 * 9361293 + 18 -> 'K'   (29 Feb 2000 exists, 29 Feb 1900 does not)
#   311299999 = 31 * 10041935 + 14 -> 'E'
@pytest.mark.parametrize("code", ["131052-308T", "010101A123N", "290200A101K", "311299Y999E",
                                  "131052-308t", " 131052-308T ", "010101B123N", "311299+999E"])
def test_valid_codes(code):
    assert is_personal_identity_code(code)


@pytest.mark.parametrize("code", [
    "131052-308U",   # wrong check character
    "131052-308",    # too short
    "131052*308T",   # not a century sign
    "290200-101K",   # 29 Feb 1900 does not exist
    "320100A123N",   # day 32
    "011300A123N",   # month 13
    "R001", "", None, 131052308, "2015-10-13",
])
def test_invalid_codes(code):
    assert not is_personal_identity_code(code)


def test_find_identity_codes_in_text_and_masking():
    s = pd.Series(["R001", "my code is 131052-308T ok", "131052-308U", None, "x131052-308T", "311299Y999E"],
                  index=[10, 11, 12, 13, 14, 15])
    found = find_identity_codes(s)
    assert found.index.tolist() == s.index.tolist()
    # embedded code found; wrong check char not; code glued to a letter is not a separate token
    assert found.tolist() == [False, True, False, False, False, True]
    assert mask_identity_codes("my code is 131052-308T ok") == "my code is xxxxxx-xxxx ok"
    assert "308T" not in mask_identity_codes("131052-308T, 311299Y999E")


def test_pseudonymise_matches_hmac_by_hand():
    ids = pd.Series(["R001", "131052-308T", None, "Äijä"], index=[5, 6, 7, 8], name="respondent_id")
    out = pseudonymise(ids, KEY)
    expected = [hmac.new(KEY.encode(), v.encode("utf-8"), hashlib.sha256).hexdigest() for v in ["R001", "131052-308T"]]
    assert out.loc[5] == expected[0] and out.loc[6] == expected[1]
    assert out.loc[8] == hmac.new(KEY.encode(), "Äijä".encode("utf-8"), hashlib.sha256).hexdigest()
    assert pd.isna(out.loc[7])
    assert out.name == "respondent_id" and out.index.tolist() == [5, 6, 7, 8]
    assert all(len(v) == 64 for v in out.dropna())
    # bytes keys work the same way; another key gives another pseudonym
    key = bytes(range(32))
    assert pseudonymise(["a"], key)[0] == hmac.new(key, b"a", hashlib.sha256).hexdigest()
    assert pseudonymise(["a"], KEY)[0] != pseudonymise(["a"], KEY + "x")[0]


def test_pseudonymise_rejects_short_key():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        pseudonymise(["a"], "short")


def test_suppress_small_cells_rule():
    t = pd.DataFrame({"group": ["a", "b", "c", "d"], "n": [12, 3, 0, 5],
                      "mean": [6.5, 4.0, np.nan, 7.25], "sd": [1.0, 2.0, np.nan, 0.5]})
    out = suppress_small_cells(t)
    assert out["group"].tolist() == ["a", "b", "c", "d"]
    assert out["n"].tolist() == [12, "<5", "<5", 5]
    assert out["mean"].tolist()[1:3] == ["<5", "<5"]
    assert out["mean"][0] == 6.5 and out["mean"][3] == 7.25
    assert out["sd"].tolist()[1] == "<5"
    # input untouched
    assert t["n"].tolist() == [12, 3, 0, 5]


def test_suppress_small_cells_crosstab_and_options():
    # frequency table: every category column is a count; each cell judged on its own
    t = pd.DataFrame({"band": ["low", "high"], "n_baseline": [4, 9], "n_6m": [7, 2]})
    out = suppress_small_cells(t, min_n=5, mask="..")
    assert out["n_baseline"].tolist() == ["..", 9]
    assert out["n_6m"].tolist() == [7, ".."]
    out10 = suppress_small_cells(t, n_cols=["n_baseline"], min_n=10)
    assert out10["n_baseline"].tolist() == ["<5", "<5"]
    assert out10["n_6m"].tolist() == ["<5", "<5"]  # numeric statistics of small rows are masked
    with pytest.raises(ValueError, match="no count column"):
        suppress_small_cells(pd.DataFrame({"mean": [1.0]}))
    with pytest.raises(ValueError, match="not in table"):
        suppress_small_cells(t, n_cols=["n_total"])


def test_suppress_small_cells_keeps_numeric_label_columns():
    t = pd.DataFrame({"raw": [3.0, 4.0], "n": [2, 9], "percentile": [40.0, 60.0]})
    shown = suppress_small_cells(t, labels=["raw"])
    assert shown["raw"].tolist() == [3.0, 4.0]               # identifies the row: kept
    assert shown["percentile"].tolist() == ["<5", 60.0]      # describes 2 persons: masked
    assert suppress_small_cells(t)["raw"].tolist() == ["<5", 4.0]   # without labels: a statistic


def test_mask_identifiers_any_separator():
    from analysis.intake.privacy import mask_identifiers
    for code in ["131052-308T", "131052–308T", "131052 308T", "131052308T", "010203B1230", "131052-308U"]:
        masked = mask_identifiers(f"header {code}!")
        assert masked == "header xxxxxx-xxxx!" and "308" not in masked and "123" not in masked
    # dates, phone-free text and ordinary numbers stay
    assert mask_identifiers("3.2.2025 14:05, 12345, R001") == "3.2.2025 14:05, 12345, R001"


@pytest.mark.parametrize("code", ["131052-308T", "131052 308T", "131052–308T", "131052308T"])
def test_headerless_file_error_never_prints_an_identity_code(tmp_path, code):
    # a file without a header: its first data row (with an identity code) is read as the header,
    # and the error lists those "headers"
    from analysis.intake.rawfiles import InputError
    from analysis.intake.readers import load_responses
    path = tmp_path / "answers.csv"
    path.write_text(f"A1;{code};5;6\nA2;010101A123N;7;8\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_responses(path, "3x10d")
    text = str(err.value) + "".join(str(p) for p in err.value.problems)
    assert "no respondent id column" in text and "xxxxxx-xxxx" in text
    assert "308" not in text and "131052" not in text and "010101" not in text
