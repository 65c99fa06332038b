"""Tests of analysis.io: reading real-shaped exports and every bad-input rule."""
import csv
import json
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.datasets import path as example_path
from analysis.intake.readers import (
    InputError,
    PersonalDataError,
    load_responses,
    load_table,
    read_raw,
)

FIX = Path(__file__).parent / "fixtures" / "io"
EXPECTED = pd.read_csv(FIX / "3x10d_expected.csv", dtype={"respondent_id": str, "occasion": str})
FORMATS = ["3x10d_fi_semicolon_bom.csv", "3x10d_fi.xlsx", "3x10d_fi.sav"]
HEAD = "respondent_id;occasion;sat_health;sat_housing;Asuminen (tärkeys)"


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ----------------------------------------------------------------------------- real-shaped fixtures
@pytest.mark.parametrize("name", FORMATS)
def test_fixture_formats_give_the_generating_data(name):
    res = load_responses(example_path(name), "3x10d")
    assert (res.n_read, res.n_accepted, res.n_rejected) == (24, 24, 0)
    data = res.data.reset_index(drop=True)
    items = [c for c in EXPECTED.columns if c not in ("respondent_id", "occasion")]
    assert list(data.columns) == ["respondent_id", "occasion", *items]
    assert data["respondent_id"].tolist() == EXPECTED["respondent_id"].tolist()
    assert data["occasion"].tolist() == EXPECTED["occasion"].tolist()
    np.testing.assert_array_equal(data[items].to_numpy(dtype=float), EXPECTED[items].to_numpy(dtype=float))
    assert res.data.index.tolist() == list(range(2, 26))  # file rows, header = row 1


def test_csv_format_facts():
    raw = read_raw(example_path("3x10d_fi_semicolon_bom.csv"))
    assert (raw.format, raw.delimiter, raw.encoding, raw.line_ends, raw.decimal) == ("csv", ";", "utf-8-sig", "CRLF", ",")
    assert raw.data.columns[2] == "Terveys (tyytyväisyys nyt)"
    assert raw.data.map(lambda v: isinstance(v, str)).all().all()   # nothing coerced
    assert (raw.data.stack() == "7,0").any()                        # decimal commas in the file ...
    res = load_responses(example_path("3x10d_fi_semicolon_bom.csv"), "3x10d")
    assert res.header_map["Terveys (tyytyväisyys nyt)"] == "sat_health"   # ... read as numbers


def test_sav_keeps_codes_and_labels():
    raw = read_raw(example_path("3x10d_fi.sav"))
    assert raw.value_labels["sat1"][10.0] == "erittäin tyytyväinen"
    assert raw.column_labels["kerta"] == "Mittauskerta"
    assert set(raw.data["sat1"]) <= {str(i) for i in range(11)} | {""}
    assert load_responses(example_path("3x10d_fi.sav"), "3x10d").header_map["kerta"] == "occasion"


def test_cp1252_fallback_keeps_finnish_letters():
    res = load_responses(FIX / "3x10d_cp1252.csv", "3x10d")
    assert res.n_read == res.n_accepted == 6
    assert "Windows-1252" in res.notes[0] and "0xe4" in res.notes[0]
    assert res.data["Avoin palaute"].iloc[0] == "Hyvä että pääsin ääneen"
    assert pd.isna(res.data["Avoin palaute"].iloc[1])
    assert "sat_daily_coping" in res.data  # header "Arjessa pärjääminen (...)" decoded right


def test_comma_csv_lf_and_quoted_multiline_row_numbers(tmp_path):
    text = 'respondent_id,sat_health,comment\nA,5,"two\nlines"\nB,x,ok\n'
    with pytest.raises(InputError) as err:
        load_responses(write(tmp_path, text), "3x10d")
    (p,) = err.value.problems
    # the two-line cell is one row, as Excel shows it: B is row 3, not physical line 4
    assert (p.row, p.column, p.value, p.respondent_id) == (3, "sat_health", "x", "B")
    assert read_raw(write(tmp_path, text)).line_ends == "LF"


def test_xlsx_rows_are_sheet_rows_and_blank_rows_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["respondent_id", "sat_health"])
    ws.append(["A", 3])
    ws.append([None, None])
    ws.append(["B", 12])
    wb.save(tmp_path / "x.xlsx")
    res = load_responses(tmp_path / "x.xlsx", "3x10d", on_invalid="reject-rows")
    assert (res.n_read, res.n_accepted, res.n_rejected, res.n_invalid) == (2, 2, 0, 1)   # the answer, not the row
    assert res.rejected.loc[0, "row"] == 4 and res.rejected.loc[0, "value"] == "12"
    assert res.data.loc[4].isna()["sat_health"] and res.data.loc[4, "respondent_id"] == "B"
    assert any("rows 3" in n for n in res.notes)


# ----------------------------------------------------------------------------- bad cells
def test_invalid_ratings_all_listed_in_one_error(tmp_path):
    text = "\n".join([HEAD, "A;t1;0;7;8", "B;t1;11;7,5;8", "C;t1;abc;-1;8", "D;t1;;NA;-9"])
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_responses(path, "3x10d")
    got = [(p.row, p.column, p.value) for p in err.value.problems]
    assert got == [(3, "sat_health", "11"), (3, "sat_housing", "7,5"), (4, "sat_health", "abc"), (4, "sat_housing", "-1")]
    msg = str(err.value)
    assert isinstance(err.value, ValueError)
    assert str(path) in msg and "row 3" in msg and "'sat_health'" in msg and "'11'" in msg
    assert "expected an integer 0–10" in msg and "respondent_id 'B'" in msg


def test_reject_rows_keeps_valid_rows_and_counts(tmp_path):
    text = "\n".join([HEAD, "A;t1;0;7;8", "B;t1;11;7,5;8", "C;t1;abc;-1;8", "D;t1;;NA;-9"])
    res = load_responses(write(tmp_path, text), "3x10d", on_invalid="reject-rows")
    # an invalid answer is a missing answer: the client's other answers are kept, and listed
    assert (res.n_read, res.n_accepted, res.n_rejected, res.n_invalid) == (4, 4, 0, 4)
    assert res.data["respondent_id"].tolist() == ["A", "B", "C", "D"]
    assert res.data.loc[5, ["sat_health", "sat_housing", "imp_housing"]].isna().all()   # "", NA, -9 = missing
    assert res.data.loc[3, ["sat_health", "sat_housing"]].isna().all() and res.data.loc[3, "imp_housing"] == 8.0
    assert res.data.loc[2, "imp_housing"] == 8.0
    assert list(res.rejected.columns) == ["file", "row", "respondent_id", "column", "value", "reason", "line",
                                          "scope", "code", "fields"]
    assert res.rejected["row"].tolist() == [3, 3, 4, 4] and set(res.rejected["scope"]) == {"answer"}
    facts = json.loads(res.rejected["fields"][0])
    assert {k: facts[k] for k in ("type", "minimum", "maximum")} == {"type": "integer", "minimum": 0, "maximum": 10}
    assert facts["labels"]["fi"][0] == "erittäin tyytymätön"        # a value label may stand for the code
    # an id or occasion cell the scoring needs still rejects its row
    res = load_responses(write(tmp_path, "\n".join([HEAD, "A;t1;0;7;8", "B;;11;7;8"]), name="key.csv"), "3x10d",
                         on_invalid="reject-rows")
    assert (res.n_read, res.n_accepted, res.n_rejected, res.n_invalid) == (2, 1, 1, 1)
    assert res.rejected[["row", "scope", "code"]].values.tolist() == [[3, "row", "missing_key"],
                                                                      [3, "answer", "invalid_value"]]


def test_decimal_point_in_comma_file_and_decimal_comma_in_semicolon_file(tmp_path):
    res = load_responses(write(tmp_path, "respondent_id,sat_health\nA,7.0\nB,\"7,0\"\n"), "3x10d",
                         on_invalid="reject-rows")
    assert res.data["sat_health"].tolist()[0] == 7.0 and np.isnan(res.data["sat_health"].tolist()[1])  # "7,0" is
    assert res.rejected["value"].tolist() == ["7,0"]                                    # not a number in a comma file
    res = load_responses(write(tmp_path, "respondent_id;sat_health\nA;7,0\nB;7.0\n"), "3x10d")
    assert res.data["sat_health"].tolist() == [7.0, 7.0]


def test_missing_respondent_id_and_occasion(tmp_path):
    text = "\n".join([HEAD, "A;t1;5;7;8", ";t1;5;7;8", "B;;5;7;8"])
    with pytest.raises(InputError) as err:
        load_responses(write(tmp_path, text), "3x10d")
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "respondent_id"), (4, "occasion")]
    assert "missing respondent_id" in str(err.value)


def test_duplicates_name_the_other_rows(tmp_path):
    text = "\n".join([HEAD, "A;t1;5;7;8", "A;t2;5;7;8", "B;t1;1;1;1", "A;t1;6;6;6", "A;t1;0;0;0"])
    with pytest.raises(InputError) as err:
        load_responses(write(tmp_path, text), "3x10d")
    probs = {p.row: p.reason for p in err.value.problems}
    assert sorted(probs) == [2, 5, 6]
    assert "also in row 5, 6" in probs[2] and "also in row 2, 6" in probs[5]
    res = load_responses(write(tmp_path, text), "3x10d", on_invalid="reject-rows")
    assert res.n_accepted + res.n_rejected == res.n_read == 5
    assert res.data["respondent_id"].tolist() == ["A", "B"]
    # without an occasion column the id alone must be unique
    with pytest.raises(InputError, match="duplicate respondent_id"):
        load_responses(write(tmp_path, "respondent_id;sat_health\nA;1\nA;2\n"), "3x10d")


def test_ragged_rows_are_problems_not_silently_truncated_or_padded(tmp_path):
    res = load_responses(write(tmp_path, "respondent_id;sat_health\nA;1\nB;2;9\nC\n"), "3x10d",
                         on_invalid="reject-rows")
    assert (res.n_read, res.n_accepted, res.n_rejected) == (3, 1, 2)
    assert res.rejected["row"].tolist() == [3, 4]
    assert "3 fields but the header has 2" in res.rejected.loc[0, "reason"]
    assert "1 fields but the header has 2" in res.rejected.loc[1, "reason"]
    assert res.rejected["respondent_id"].tolist() == ["B", "C"]


# ----------------------------------------------------------------------------- whole-file refusals
HETU = "131052-308T"   # check character by hand: 131052308 % 31 = 25 -> 'T'


@pytest.mark.parametrize("mode", ["error", "reject-rows"])
def test_identity_codes_refuse_the_file(tmp_path, mode):
    text = f"respondent_id;Hetu;sat_health;notes\nA;{HETU};5;\nB;010101A123N;6;x\n"
    with pytest.raises(PersonalDataError) as err:
        load_responses(write(tmp_path, text), "3x10d", on_invalid=mode)
    msg = str(err.value)
    assert "'Hetu'" in msg and "pseudonymise" in msg and "2 row(s)" in msg
    assert HETU not in msg and "308T" not in msg and "010101A123N" not in msg
    assert isinstance(err.value, InputError)


def test_identity_code_inside_free_text_or_id_column(tmp_path):
    text = f"respondent_id;sat_health;Avoin palaute\nA;5;ok\n{HETU.lower()};6;x\nC;7;soita minulle, hetu {HETU}\n"
    with pytest.raises(PersonalDataError) as err:
        load_responses(write(tmp_path, text), "3x10d")
    assert [p.column for p in err.value.problems] == ["respondent_id", "Avoin palaute"]
    assert "308" not in str(err.value)


def test_code_shape_with_wrong_check_character_is_accepted(tmp_path):
    res = load_responses(write(tmp_path, "respondent_id;sat_health;case\nA;5;131052-308U\n"), "3x10d")
    assert res.data["case"].tolist() == ["131052-308U"]


def test_one_to_eleven_coding_caught_and_recoded(tmp_path):
    text = "\n".join(["respondent_id;sat_health;sat_housing", "A;1;11", "B;11;6", "C;;8"])
    path = write(tmp_path, text)
    for mode in ("error", "reject-rows"):
        with pytest.raises(InputError) as err:
            load_responses(path, "3x10d", on_invalid=mode)
        assert [p.column for p in err.value.problems] == ["sat_health", "sat_housing"]
        msg = str(err.value)
        assert "1–11" in msg and "recode='1-11'" in msg and "--recode 1-11" in msg
    res = load_responses(path, "3x10d", recode="1-11")
    assert res.data["sat_health"].tolist()[:2] == [0.0, 10.0] and np.isnan(res.data["sat_health"].iloc[2])
    assert res.data["sat_housing"].tolist() == [10.0, 5.0, 7.0]
    # a 0 cannot be a 1–11 answer
    with pytest.raises(InputError, match="expected an integer 1–11"):
        load_responses(write(tmp_path, "respondent_id;sat_health\nA;0\nB;11\n"), "3x10d", recode="1-11")


def test_a_column_with_a_zero_is_not_suspected(tmp_path):
    with pytest.raises(InputError) as err:
        load_responses(write(tmp_path, "respondent_id;sat_health\nA;0\nB;11\n"), "3x10d")
    assert "expected an integer 0–10" in str(err.value) and "1–11" not in err.value.problems[0].reason[-40:]


@pytest.mark.parametrize("text, match", [
    ("sat_health\n5\n", "no respondent id column; expected a header such as 'Respondent ID'"),
    ("respondent_id;foo\nA;5\n", "no item of instrument"),
    ("respondent_id;sat_health;Terveys\nA;5;5\n", "2 columns all mean 'Tyytyväisyys nyt – Terveys'"),
    ("respondent_id;sat_health;sat_health\nA;5;5\n", "header appears twice"),
    ("respondent_id;;sat_health\nA;x;5\n", "no header but holds data"),
    ("", "no header row"),
])
def test_structural_problems(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        load_responses(write(tmp_path, text), "3x10d")


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match=r"unsupported file type '\.xls'.*save old \.xls"):
        read_raw(write(tmp_path, "x", name="a.xls"))
    with pytest.raises(InputError, match="file not found"):
        read_raw(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="not a readable .xlsx"):
        read_raw(write(tmp_path, "not a zip", name="b.xlsx"))
    with pytest.raises(ValueError, match="on_invalid"):
        load_responses(example_path(FORMATS[0]), "3x10d", on_invalid="skip")


def test_label_override_headers(tmp_path):
    override = tmp_path / "official.yaml"
    override.write_text("instrument: 3x10d\nlabels:\n  sat_health: {fi: 'Virallinen terveyskysymys'}\n", encoding="utf-8")
    path = write(tmp_path, "respondent_id;Virallinen terveyskysymys\nA;4\n")
    res = load_responses(path, "3x10d", labels_override=override)
    assert res.data["sat_health"].tolist() == [4.0]


# ----------------------------------------------------------------------------- load_table
SCHEMA = {
    "name": "visits", "title": "Visits",
    "fields": [
        {"name": "respondent_id", "type": "string", "constraints": {"required": True}},
        {"name": "period", "type": "string", "constraints": {"required": True, "enum": ["before", "after"]}},
        {"name": "visits", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "cost", "type": "number", "constraints": {"maximum": 1000}},
        {"name": "consent", "type": "boolean"},
        {"name": "date", "type": "date"},
    ],
    "primaryKey": ["respondent_id", "period"],
    "missingValues": ["", "NA"],
}


@pytest.fixture
def schema_path(tmp_path):
    path = tmp_path / "visits.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


def test_load_table_types_and_checks(tmp_path, schema_path):
    text = "\n".join(["respondent_id;period;visits;cost;consent;date",
                      "A;before;3;12,5;true;2016-03-01",
                      "A;after;NA;;0;1.9.2016",
                      "B;during;-1;2000;maybe;31.2.2016",
                      "B;before;2,5;1;TRUE;",
                      "A;before;1;1;1;"])
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_table(path, schema_path)
    got = [(p.row, p.column) for p in err.value.problems]
    assert got == [(2, "respondent_id"), (4, "period"), (4, "visits"), (4, "cost"), (4, "consent"), (4, "date"),
                   (5, "visits"), (6, "respondent_id")]
    res = load_table(path, schema_path, on_invalid="reject-rows")
    assert (res.n_read, res.n_accepted, res.n_rejected) == (5, 1, 4)
    row = res.data.loc[3]
    assert row["respondent_id"] == "A" and pd.isna(row["visits"]) and pd.isna(row["cost"])
    assert row["consent"] is np.False_ or row["consent"] == False  # noqa: E712
    assert row["date"] == pd.Timestamp("2016-09-01")
    assert str(res.data["visits"].dtype) == "Int64"


def test_load_table_structure(tmp_path, schema_path):
    res = load_table(write(tmp_path, "respondent_id;period;visitz\nA;before;1\n"), schema_path)
    assert res.unrecognised == (("visitz", "visits"),)          # listed with the closest, not dropped
    assert res.data["visitz"].tolist() == ["1"] and res.data["visits"].isna().all()
    assert any("'visitz' is not a known column (closest known header: 'visits')" in n for n in res.notes)
    with pytest.raises(InputError, match="'period'.*required column is missing"):
        load_table(write(tmp_path, "respondent_id;visits\nA;1\n"), schema_path)
    with pytest.raises(ValueError, match="no data dictionary entry 'nonexistent'"):
        load_table(write(tmp_path, "a\n1\n"), "nonexistent")


# ----------------------------------------------------------------------------- junk never breaks the loader
JUNK = st.one_of(
    st.sampled_from(["", " ", "NA", "-9", "7", "7,0", "7.0", "10", "11", "0", "-1", "5.5", "1e1", "nan", "inf",
                     "ä", "Ö", "€", "\u00a0", "  3 ", "#N/A", ".", "TRUE", "x;y", '"q"', "a\nb", "１"]),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


IDS = st.one_of(st.sampled_from(["A", "B", "C", "D"]), JUNK)
RATINGS = st.one_of(st.integers(0, 10).map(str), JUNK)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(IDS, st.sampled_from(["t1", "retest"]) | JUNK, RATINGS, RATINGS), min_size=1, max_size=8))
def test_junk_cells_never_crash_and_never_lose_rows(rows):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "junk.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(["respondent_id", "occasion", "sat_health", "Asuminen"])
            w.writerows(rows)
        nonblank = sum(any(c.strip() for c in r) for r in rows)
        try:
            res = load_responses(path, "3x10d", on_invalid="reject-rows")
        except InputError as exc:   # whole-file refusals (1–11 coding, ...) are allowed, tracebacks are not
            assert exc.problems
            return
        assert res.n_read == nonblank
        assert res.n_accepted + res.n_rejected == res.n_read
        assert len(res.data) == res.n_accepted
        rows_out = set(res.rejected.loc[res.rejected["scope"] == "row", "row"])
        assert rows_out == set(range(2, 2 + len(rows))) - set(res.data.index)  \
            - {i + 2 for i, r in enumerate(rows) if not any(c.strip() for c in r)}
        assert set(res.rejected["row"]) - rows_out <= set(res.data.index)      # invalid answers: rows kept
        ok = res.data[["sat_health", "sat_housing"]].stack().dropna()
        assert ok.isin(np.arange(11.0)).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(IDS, st.sampled_from(["before", "after"]) | JUNK, RATINGS, JUNK, JUNK, JUNK),
                min_size=1, max_size=6))
def test_junk_in_a_dictionary_table_never_crashes_or_loses_rows(rows):
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "visits.json"
        schema.write_text(json.dumps(SCHEMA), encoding="utf-8")
        path = Path(tmp) / "junk.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(["respondent_id", "period", "visits", "cost", "consent", "date"])
            w.writerows(rows)
        try:
            res = load_table(path, schema, on_invalid="reject-rows")
        except InputError as exc:
            assert exc.problems
            return
        assert res.n_read == sum(any(c.strip() for c in r) for r in rows)
        assert res.n_accepted + res.n_rejected == res.n_read == len(res.data) + res.rejected["row"].nunique()
        assert res.data["visits"].dropna().ge(0).all() and res.data["period"].isin(["before", "after"]).all()


def test_survey_tool_headers_perspective_and_domain_in_either_order_with_any_dash(tmp_path):
    expected = {"Vastaajatunnus": "respondent_id", "Terveys - tyytyväisyys nyt": "sat_health",
                "Terveys - tärkeys": "imp_health", "Terveys - tavoite": "goal_health",
                "tärkeys-Asuminen": "imp_housing", "Asuminen—Tavoitetila": "goal_housing",
                "Tyytyväisyys tällä hetkellä – Raha-asiat": "sat_finances",
                "Kuinka tyytyväinen olet tällä hetkellä? - Itsetunto": "sat_self_esteem",
                "Hur viktigt är det för dig? – Självkänsla": "imp_self_esteem",
                "Mitä mieltä olet? - Perhe ja läheiset": "Mitä mieltä olet? - Perhe ja läheiset"}
    path = write(tmp_path, ";".join(expected) + "\nA;1;2;3;4;5;6;7;8;9\n")
    res = load_responses(path, "3x10d", on_invalid="reject-rows")
    assert dict(res.header_map) == expected
    assert res.data["imp_housing"].tolist() == [4.0]           # no longer silently 'not asked'
    assert [h for h, _ in res.unrecognised] == ["Mitä mieltä olet? - Perhe ja läheiset"]


def test_matrix_prefix_only_from_declared_questions_and_closest_header_hint(tmp_path):
    ok = write(tmp_path, "id;Kuinka tyytyväinen olet tällä hetkellä? - Terveys;Kuinka tärkeä asia on sinulle? – Terveys\n"
                         "A;5;9\n", name="ok.csv")
    res = load_responses(ok, "3x10d")
    assert res.data[["sat_health", "imp_health"]].values.tolist() == [[5.0, 9.0]]
    # an undeclared prefix is not guessed from: listed with the closest known header
    res = load_responses(write(tmp_path, "id;Terveys;Mitä mieltä olet? - Asuminen\nA;5;6\n", name="p.csv"), "3x10d")
    assert "Mitä mieltä olet? - Asuminen" in res.data and res.unrecognised[0][0] == "Mitä mieltä olet? - Asuminen"
    # any punctuation between domain and perspective is read as a dash
    res = load_responses(write(tmp_path, "id;Terveys / tyytyväisyys nyt;Asuminen : tärkeys\nA;5;6\n", name="q.csv"),
                         "3x10d")
    assert res.data[["sat_health", "imp_housing"]].values.tolist() == [[5.0, 6.0]]
    # a whole file refused for want of any item names each header's closest known one, and the
    # expected headers by their labels, not internal keys
    with pytest.raises(InputError) as err:
        load_responses(write(tmp_path, "id;Terveyss (tyytyväisyys nyt)\nA;5\n", name="r.csv"), "3x10d")
    msg = str(err.value)
    assert "no item of instrument '3x10d'" in msg and "closest known header: 'Terveys (tyytyväisyys nyt)'" in msg
    assert "'Tyytyväisyys nyt – Terveys'" in msg and "sat_health" not in msg
    # the client survey: its declared matrix questions before any item label
    cs = write(tmp_path, "id;Kuinka samaa mieltä olet seuraavista väittämistä? - Mielipiteitäni kuunneltiin\nA;4\n",
               name="cs.csv")
    assert "cs_7" in load_responses(cs, "client-survey").data


def test_headers_as_a_survey_tool_writes_them(tmp_path):
    # numbering, the scale suffix after a dash or a colon or in parentheses, an example in the
    # declared label left out, a reverse-keyed item without its marker, 'Asiakastunnus' as id
    headers = ["Asiakastunnus", "1. Terveys - tyytyväisyys nyt", "Q2 Vaikeuksista selviäminen (0-10)",
               "3) Asuminen: tyytyväisyys", "8. Omien vahvuuksien kehittäminen - tyytyväisyys nyt",
               "9. Itsetunto: Tyytyväisyys", "Itsetunto - tärkeys"]
    res = load_responses(write(tmp_path, ";".join(headers) + "\nA;1;2;3;8;9;10\n"), "3x10d")
    assert list(res.header_map.values()) == ["respondent_id", "sat_health", "sat_resilience", "sat_housing",
                                             "sat_strengths", "sat_self_esteem", "imp_self_esteem"]
    cs = load_responses(write(tmp_path, "Tunniste;6. Tuesta ei ollut minulle hyötyä\nA;2\n", name="cs.csv"),
                        "client-survey")
    assert cs.data["cs_6"].tolist() == [2.0]
    # a header meant for an item the scoring needs, but not written as declared: refused with the
    # expected header in the file's language and the header itself, never an internal key
    with pytest.raises(InputError) as err:
        load_responses(write(tmp_path, ";".join(headers[:2]) + ";Raha-asiatt - tyytyväisyys nyt\nA;1;2\n",
                             name="near.csv"), "3x10d")
    (p,) = err.value.problems
    assert p.column == "Raha-asiatt - tyytyväisyys nyt" and "'Tyytyväisyys nyt – Raha-asiat'" in p.reason
    assert "sat_finances" not in str(err.value)



def test_a_bare_domain_header_is_satisfaction_even_without_the_labels_example(tmp_path):
    # a Webropol export writes the ten domains as numbered bare labels and leaves out the
    # declared example '(esim. harrastukset)'; the bare label is satisfaction's (as 'Terveys'
    # is), while a scale word in brackets, '(tärkeys)', still names the importance item
    headers = ["Asiakastunnus", "1. Terveys", "8. Omien vahvuuksien kehittäminen",
               "Omien vahvuuksien kehittäminen (tärkeys)", "Omien vahvuuksien kehittäminen (esim. harrastukset) (tavoite)"]
    res = load_responses(write(tmp_path, ";".join(headers) + "\nA;5;6;7;8\n"), "3x10d")
    assert list(res.header_map.values()) == ["respondent_id", "sat_health", "sat_strengths", "imp_strengths",
                                             "goal_strengths"]
    assert res.data[["sat_strengths", "imp_strengths", "goal_strengths"]].iloc[0].tolist() == [6, 7, 8]

def test_a_header_two_items_fold_to_is_an_error_not_a_guess(tmp_path):
    spec = tmp_path / "two.yaml"
    spec.write_text("""\
id: two
title: {en: Two, fi: Kaksi, sv: Två}
reference: test
notes: the project's own labels; a label override file may replace them
response_scales: {s: {min: 0, max: 4}}
items:
- {key: a, scale: s, label: {en: "Health (now)", fi: "Terveys (nyt)", sv: "Hälsa (nu)"}}
- {key: b, scale: s, label: {en: "Health (before)", fi: "Terveys (ennen)", sv: "Hälsa (före)"}}
scores:
- {key: total, label: {en: Total, fi: Yhteensä, sv: Totalt}, items: [a, b], method: mean, range: [0, 4]}
""", encoding="utf-8")
    from analysis.intake.instruments import load_instrument
    ins = load_instrument(spec)
    assert ins.match_headers(["Terveys (nyt)", "Terveys", "2. Terveys (ennen)"]) == (
        {"Terveys (nyt)": "a", "2. Terveys (ennen)": "b"}, {"Terveys": ["a", "b"]})
    with pytest.raises(InputError) as err:
        load_responses(write(tmp_path, "id;Terveys\nA;1\n"), ins)
    assert "matches the items 'Terveys (nyt)', 'Terveys (ennen)'" in str(err.value)
