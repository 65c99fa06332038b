"""Adversarial intake: files as real exports and careless (or hostile) hands make them.

Every case builds its file in ``tmp_path`` and states what must happen. Two promises hold in all
of them: rows read = accepted + rejected, and the only exception a user ever sees is
:class:`InputError` (or its :class:`PersonalDataError`), naming file, row or line, and value.
"""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from analysis.intake.dictionary import template_headers, write_template
from analysis.intake.instruments import load_instrument
from analysis.intake.readers import InputError, PersonalDataError, load_responses, load_table, read_raw

HETU = "131052-308T"   # valid: 131052308 % 31 = 25 -> 'T'


def write(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> object:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(path, instrument="3x10d", **kw):
    res = load_responses(path, instrument, on_invalid="reject-rows", **kw)
    assert res.n_read == res.n_accepted + res.n_rejected
    assert len(res.data) == res.n_accepted
    return res


def errors(path, fn=None, **kw) -> InputError:
    with pytest.raises(InputError) as err:
        (fn or (lambda p: load_responses(p, "3x10d", **kw)))(path)
    return err.value


# ----------------------------------------------------------------------------- delimiter and encoding
def test_commas_in_a_question_text_do_not_outvote_semicolons(tmp_path):
    # header has 3 commas and 2 semicolons, but only ';' splits the data lines like the header
    path = write(tmp_path, "respondent_id;Miten, kuinka, paljon?;sat_health\nA;kyllä, aika;5\nB;ei;6\n")
    res = load(path)
    assert read_raw(path).delimiter == ";"
    assert res.data["sat_health"].tolist() == [5.0, 6.0]


def test_ambiguous_delimiter_is_an_error_naming_the_candidates_unless_given(tmp_path):
    # 'Terveys, nyt' + a decimal comma: ';' and ',' both split every line into two fields
    path = write(tmp_path, "respondent_id;Terveys, nyt\nA;7,5\n")
    err = errors(path)
    assert "ambiguous delimiter" in str(err) and "';'" in str(err) and "','" in str(err)
    assert read_raw(path, delimiter=";").data.columns.tolist() == ["respondent_id", "Terveys, nyt"]


def test_utf16_with_bom_tab_separated_is_read_and_said(tmp_path):
    # Excel's "Unicode text": UTF-16 LE with BOM, tab-separated, CRLF
    path = write(tmp_path, "respondent_id\tTyytyväisyys nyt – Terveys\r\nÄ1\t5\r\n", encoding="utf-16")
    res = load(path)
    assert res.data["respondent_id"].tolist() == ["Ä1"] and res.data["sat_health"].tolist() == [5.0]
    assert any("UTF-16" in n for n in res.notes)


@pytest.mark.parametrize("ends", ["\r\n", "\r", "\n"])
def test_bom_with_every_line_end(tmp_path, ends):
    # UTF-8 BOM must not stick to the first header; CR-only (old Mac) files keep their rows
    text = ends.join(["respondent_id;sat_health", "A;1", "B;2", ""])
    path = write(tmp_path, "\ufeff" + text)
    raw = read_raw(path)
    assert raw.data.columns[0] == "respondent_id" and raw.encoding == "utf-8-sig"
    assert raw.line_ends == {"\r\n": "CRLF", "\r": "CR", "\n": "LF"}[ends]
    assert raw.rows.tolist() == [2, 3]


def test_mixed_encodings_are_refused_with_offset_and_line(tmp_path):
    # UTF-8 file with one line pasted from a Windows-1252 file: never silently read as cp1252
    body = "respondent_id;sat_health;palaute\nA;5;hyvä\n".encode() + "B;6;pää\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(body)
    err = errors(path)
    offset = body.index(b"\xe4")
    assert "mixed encodings" in str(err) and f"byte offset {offset}" in str(err) and "(line 3)" in str(err)


def test_mixed_encoding_deep_in_a_large_file_is_found_too(tmp_path):
    # the bad byte lies far beyond the head the delimiter is sniffed from
    lines = ["respondent_id;sat_health;palaute"] + [f"R{i};5;hyvä" for i in range(40_000)]
    body = "\n".join(lines).encode() + "\nX;5;pää\n".encode("cp1252")
    path = tmp_path / "big_mixed.csv"
    path.write_bytes(body)
    assert f"(line {len(lines) + 1})" in str(errors(path))


def test_pure_cp1252_is_read_with_a_note(tmp_path):
    path = write(tmp_path, "respondent_id;Arjessa pärjääminen (tyytyväisyys nyt)\nA;5\n", encoding="cp1252")
    res = load(path)
    assert res.data["sat_daily_coping"].tolist() == [5.0]
    assert any("Windows-1252" in n for n in res.notes)


def test_nul_bytes_are_not_text(tmp_path):
    # UTF-16 without BOM (or a binary file renamed .csv) is named, not mis-read
    path = write(tmp_path, "respondent_id;sat_health\nA;5\n", encoding="utf-16-le")
    assert "NUL bytes" in str(errors(path))


# ----------------------------------------------------------------------------- broken lines
def test_short_and_long_lines_are_rejected_not_padded(tmp_path):
    path = write(tmp_path, "respondent_id;sat_health;sat_housing\nA;1;2\nB;3\nC;4;5;6\nD;7;8\n")
    res = load(path)
    assert res.data["respondent_id"].tolist() == ["A", "D"]
    assert res.rejected["row"].tolist() == [3, 4] and res.rejected["respondent_id"].tolist() == ["B", "C"]
    assert "2 fields but the header has 3" in res.rejected["reason"][0]
    assert "4 fields but the header has 3" in res.rejected["reason"][1]


def test_unquoted_line_break_in_a_comment_rejects_both_halves(tmp_path):
    # "hyvä\npalvelu" without quotes in a middle column: two broken lines, never merged into one
    path = write(tmp_path, "respondent_id;palaute;sat_health\nA;ok;5\nB;hyvä\npalvelu;6\nC;ok;7\n")
    res = load(path)
    assert (res.n_read, res.n_accepted, res.n_rejected) == (4, 2, 2)
    assert res.rejected["row"].tolist() == [3, 4] and res.rejected["line"].tolist() == [3, 4]
    assert res.data["respondent_id"].tolist() == ["A", "C"]
    # in the last column the first half looks whole; the continuation line is still rejected
    res = load(write(tmp_path, "respondent_id;sat_health;palaute\nA;5;ok\nB;6;hyvä\npalvelu\n", name="b.csv"))
    assert res.rejected["row"].tolist() == [4] and res.rejected["value"].tolist() == ["palvelu"]


def test_quoted_multiline_cells_give_excel_rows_and_file_lines(tmp_path):
    # row = as Excel shows it; line = where a text editor shows it (3 + 2 line breaks before row 4)
    text = 'respondent_id,sat_health,comment\nA,5,"two\nlines"\nB,6,"three\r\nlines\nhere"\nC,x,ok\n'
    err = errors(write(tmp_path, text))
    (p,) = err.problems
    assert (p.row, p.line, p.value) == (4, 7, "x")
    assert "row 4 (file line 7)" in str(err)


def test_unterminated_quote_is_an_error_not_a_swallowed_file(tmp_path):
    path = write(tmp_path, 'respondent_id;sat_health;c\nA;5;"never closed\nB;6;x\nC;7;y\n')
    err = errors(path)
    assert "never ends" in str(err) and "line 2" in str(err)


def test_a_stray_quote_inside_an_unquoted_cell_is_just_text(tmp_path):
    res = load(write(tmp_path, 'respondent_id;sat_health;c\nA;5;12" pizza\nB;6;x\n'))
    assert res.data["c"].tolist() == ['12" pizza', "x"] and res.n_rejected == 0


def test_trailing_delimiter_on_every_line(tmp_path):
    res = load(write(tmp_path, "respondent_id;sat_health;\r\nA;5;\r\nB;6;\r\n"))
    assert res.data["sat_health"].tolist() == [5.0, 6.0] and res.n_rejected == 0
    res = load(write(tmp_path, "respondent_id;sat_health\r\nA;5;\r\nB;6;\r\n"))   # data lines only
    assert res.n_accepted == 2 and any("extra delimiter" in n for n in res.notes)


def test_duplicate_headers_are_an_error(tmp_path):
    err = errors(write(tmp_path, "respondent_id;sat_health;sat_health\nA;1;2\n"))
    assert "header appears twice (columns 2 and 3)" in str(err)


def test_header_only_and_empty_files(tmp_path):
    res = load(write(tmp_path, "respondent_id;sat_health\r\n"))
    assert (res.n_read, res.n_accepted, res.n_rejected) == (0, 0, 0) and list(res.data.columns)[:2] == [
        "respondent_id", "sat_health"]
    assert "no header row" in str(errors(write(tmp_path, "", name="empty.csv")))
    assert "no header row" in str(errors(write(tmp_path, "\n\nrespondent_id\n", name="late.csv")))


def test_blank_and_white_space_lines_are_skipped_and_said(tmp_path):
    res = load(write(tmp_path, "respondent_id;sat_health\nA;1\n\n   \n;\nB;2\n"))
    assert (res.n_read, res.n_accepted) == (2, 2) and res.data.index.tolist() == [2, 6]
    assert any("rows 3, 4, 5" in n for n in res.notes)


def test_100000_rows_accounting(tmp_path):
    # 100 000 rows with three kinds of faults at known rows: every row is accounted for
    rng = np.random.default_rng(5)
    x = rng.integers(0, 11, size=(100_000, 2)).astype(str).astype(object)
    x[1234, 0], x[50_000, 1], x[99_998, 0] = "11", "x", "-1"
    lines = [f"R{i};{a};{b}" for i, (a, b) in enumerate(x)]
    lines[70_000] = "R70000;5"                       # broken
    lines[80_000] = "R0;1;1"                         # duplicate of row 2
    path = write(tmp_path, "\n".join(["respondent_id;sat_health;sat_housing", *lines, ""]))
    res = load(path)
    # three invalid answers (read as missing, rows kept), a broken line and a duplicated key (rows rejected)
    assert res.n_read == 100_000 and res.n_rejected == 3 and res.n_accepted == 99_997 and res.n_invalid == 3
    assert sorted(set(res.rejected["row"])) == [2, 1236, 50_002, 70_002, 80_002, 100_000]
    assert sorted(res.rejected.loc[res.rejected["scope"] == "row", "row"]) == [2, 70_002, 80_002]
    assert np.isnan(res.data.loc[1236, "sat_health"]) and res.data.loc[1236, "sat_housing"] == float(x[1234, 1])


# ----------------------------------------------------------------------------- cells
def test_identity_code_hidden_in_free_text_late_in_the_file(tmp_path):
    lines = [f"R{i};5;ok" for i in range(5000)] + [f"R5000;5;soita, hetuni on {HETU.lower()} kiitos"]
    with pytest.raises(PersonalDataError) as err:
        load_responses(write(tmp_path, "respondent_id;sat_health;palaute\n" + "\n".join(lines)), "3x10d")
    assert "row 5002" in str(err.value) and "308" not in str(err.value)


def test_hyperlink_formula_text_in_csv_stays_text(tmp_path):
    # a CSV never evaluates: '=HYPERLINK(...)' is text in a comment and an invalid rating
    text = 'respondent_id;sat_health;palaute\nA;5;"=HYPERLINK(""http://x.example"",""klik"")"\nB;=1+1;ok\n'
    res = load(write(tmp_path, text))
    assert res.data["palaute"].tolist() == ['=HYPERLINK("http://x.example","klik")', "ok"]
    assert res.rejected[["row", "value"]].values.tolist() == [[3, "=1+1"]] and np.isnan(res.data.loc[3, "sat_health"])


def test_hyperlink_text_cell_in_xlsx_stays_text(tmp_path):
    path = tmp_path / "t.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["respondent_id", "sat_health", "palaute"])
        ws.write_row(1, 0, ["A", 5])
        ws.write_string(1, 2, '=HYPERLINK("http://x.example","klik")')
    assert load(path).data["palaute"].tolist() == ['=HYPERLINK("http://x.example","klik")']


def test_uncached_xlsx_formulas_are_an_error_naming_the_cells(tmp_path):
    # openpyxl writes formulas without computed values: a reader would see empty cells
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["respondent_id", "sat_health", "sat_housing"])
    ws.append(["A", 5, "=B2+1"])
    ws.append(["B", "=B2", 3])
    wb.save(tmp_path / "f.xlsx")
    err = errors(tmp_path / "f.xlsx")
    assert "2 formula cell(s) without a saved value (C2, B3)" in str(err)


def test_cached_xlsx_formulas_are_read_as_their_values(tmp_path):
    path = tmp_path / "cached.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["respondent_id", "sat_health"])
        ws.write_string(1, 0, "A")
        ws.write_formula(1, 1, "=2+3", None, 5)
    assert load(path).data["sat_health"].tolist() == [5.0]


@pytest.mark.parametrize("value", ["1e400", "inf", "-Infinity", "nan", "NaN", "1e1", "9" * 400])
def test_non_finite_and_exponent_numbers_are_rejected(tmp_path, value):
    res = load(write(tmp_path, f"respondent_id;sat_health\nA;{value}\nB;5\n"))
    assert res.rejected["value"].tolist() == [value[:60] if len(value) <= 60 else value]
    assert res.data["sat_health"].tolist()[1:] == [5.0] and np.isnan(res.data["sat_health"].iloc[0])


def test_declared_missing_codes_are_missing_answers_not_rejected_rows(tmp_path):
    text = "respondent_id;sat_health;sat_housing;sat_family\nA;EOS;en osaa sanoa;-\nB; eos ;En Osaa Sanoa;\nC;-9;5;NA\n"
    res = load(write(tmp_path, text))
    assert res.n_rejected == 0
    assert res.data[["sat_health", "sat_housing", "sat_family"]].isna().sum().tolist() == [3, 2, 3]


def test_numeric_missing_code_only_when_declared_and_before_the_1_11_check(tmp_path):
    # 99 undeclared: an invalid answer. Declared: missing, and the 1–11 coding still shows
    path = write(tmp_path, "respondent_id;sat_health\nA;99\nB;11\nC;1\n")
    assert load(path).rejected["value"].tolist() == ["99", "11"]
    source = load_instrument("who5").source.read_text(encoding="utf-8")
    yaml_path = tmp_path / "who5x.yaml"
    yaml_path.write_text(source.replace("id: who5", "id: who5x").replace("- '-99'\n", "- '-99'\n- '99'\n"),
                         encoding="utf-8")
    ins = load_instrument(yaml_path)
    assert "99" in ins.missing_codes
    sat = write(tmp_path, "respondent_id;sat_health\nA;99\nB;11\nC;1\n", name="sat.csv")
    three = tmp_path / "3x10dx.yaml"
    three.write_text(load_instrument("3x10d").source.read_text(encoding="utf-8")
                     .replace("id: 3x10d", "id: 3x10dx").replace("- '-99'\n", "- '-99'\n- '99'\n"), encoding="utf-8")
    err = errors(sat, fn=lambda p: load_responses(p, load_instrument(three)))
    assert "probably coded 1–11" in str(err)
    res = load_responses(sat, load_instrument(three), recode="1-11")
    assert res.data["sat_health"].tolist()[1:] == [10.0, 0.0] and np.isnan(res.data["sat_health"].iloc[0])


def test_scale_labels_in_cells_read_as_codes(tmp_path):
    text = "respondent_id;sat_health;sat_housing\nA;erittäin tyytyväinen;Mycket missnöjd\nB;7;VERY SATISFIED\n"
    res = load(write(tmp_path, text))
    assert res.data[["sat_health", "sat_housing"]].values.tolist() == [[10.0, 0.0], [7.0, 10.0]]


def test_dates_with_a_time(tmp_path):
    text = ("respondent_id;pvm;sat_health\nA;3.2.2025 14:05;5\nB;2025-02-03T14:05;5\nC;2025-02-03 14:05:09;5\n"
            "D;31.2.2025;5\n")
    res = load(write(tmp_path, text))
    assert res.data["date"].tolist() == [pd.Timestamp("2025-02-03 14:05"), pd.Timestamp("2025-02-03 14:05"),
                                         pd.Timestamp("2025-02-03 14:05:09"), pd.NaT]   # an impossible date: missing
    assert res.rejected["value"].tolist() == ["31.2.2025"] and res.data.loc[5, "sat_health"] == 5.0


def test_unrecognised_headers_are_listed_with_the_closest_known(tmp_path):
    res = load(write(tmp_path, "respondent_id;Terveys - tärkeyss;sat_housing;IP-osoite\nA;5;6;x\n"))
    assert res.unrecognised == (("Terveys - tärkeyss", "Terveys - Tärkeys"), ("IP-osoite", None))
    assert "Terveys - tärkeyss" in res.data.columns      # passed through, not dropped


def test_webropol_two_row_header(tmp_path):
    text = ("Vastaajatunnus;Tyytyväisyys nyt;;;Tärkeys\n;Terveys;Asuminen;Raha-asiat;Terveys\n"
            "A;5;6;7;8\nB;1;2;3;4\n")
    res = load(write(tmp_path, text))
    assert [res.header_map[h] for h in res.header_map] == ["respondent_id", "sat_health", "sat_housing",
                                                           "sat_finances", "imp_health"]
    assert res.data.index.tolist() == [3, 4] and res.data["imp_health"].tolist() == [8.0, 4.0]


def test_duplicate_keys_hidden_by_white_space(tmp_path):
    res = load(write(tmp_path, "respondent_id;occasion;sat_health\nA;t1;1\nB;t1;2\n A ;t1 ;3\n"))
    assert res.rejected["row"].tolist() == [2, 4] and "also in row 4" in res.rejected["reason"][0]


def test_random_bytes_give_an_input_error_not_a_traceback(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    errors(path)


# ----------------------------------------------------------------------------- tables with Finnish labels
def test_background_in_finnish_swedish_and_english_labels(tmp_path):
    text = ("Vastaajatunnus;Sukupuoli;Ikä;Pääasiallinen toiminta;Toimeentulotuki;Palvelujen asiakas;Painokerroin\n"
            "A;Nainen;17;opiskelee;kyllä;Ei;1,2\n"
            "B;en halua sanoa;18;töissä;EI;kyllä;0,8\n"
            "C;kvinna;19;NEET;ja;nej;1\n"
            "D;man;20;työtön;nej;ja;1\n"
            "E;annan;21;;;;1\n"
            "F;muu;22;mies;x;;1\n")
    res = load_table(write(tmp_path, text), "background", on_invalid="reject-rows")
    assert res.n_read == res.n_accepted + res.n_rejected == 6
    d = res.data
    assert d["gender"].tolist()[:5] == ["female", None, "female", "male", "other"] or \
        d["gender"].fillna("NA").tolist()[:5] == ["female", "NA", "female", "male", "other"]
    assert d["activity"].fillna("NA").tolist()[:5] == ["education_or_work", "education_or_work", "neet", "neet", "NA"]
    assert d["income_support"].tolist()[:4] == [True, False, True, False]
    # an unknown category is a missing cell, listed (the row kept for it); an invalid yes/no rejects the row
    assert res.rejected["row"].tolist() == [7] and set(res.rejected["column"]) == {"Toimeentulotuki"}
    assert [(c, v, n) for c, v, n, _ in res.unknown_values] == [("Pääasiallinen toiminta", "mies", 1)]
    assert any("left empty: age_group, living_arrangement" in n for n in res.notes)


def test_required_column_missing_names_the_near_miss(tmp_path):
    err = errors(write(tmp_path, "Kausi;Indikaattori;Arvoo\n2025H1;x;1\n"), fn=lambda p: load_table(p, "indicators"))
    assert "'value'" in str(err) and "required column is missing" in str(err) and "Arvoo" in str(err)


# ----------------------------------------------------------------------------- templates
@pytest.mark.parametrize("name, lang", [("t.csv", "fi"), ("t.xlsx", "sv"), ("t.csv", None), ("t.xlsx", "en")])
def test_template_headers_load_back_without_renaming(tmp_path, name, lang):
    ins = load_instrument("3x10d")
    path = write_template(ins, tmp_path / name, lang)
    res = load(path)
    assert res.n_read == 0 and res.unrecognised == ()
    assert list(res.header_map.values()) == ["respondent_id", "occasion", "date", *ins.item_keys]
    assert list(res.header_map) == template_headers(ins, lang)


def test_xlsx_data_beyond_the_header_is_reported_not_dropped(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["respondent_id", "sat_health"])
    ws.append(["A", 5, "stray note"])
    wb.save(tmp_path / "wide.xlsx")
    assert "column '(column 3)': column has no header but holds data" in str(errors(tmp_path / "wide.xlsx"))


# ----------------------------------------------------------------------------- streaming
SAT = [f"sat_{d}" for d in ("health", "resilience", "housing", "daily_coping", "family", "friends", "finances",
                            "strengths", "self_esteem", "life_overall")]


def _messy_file(tmp_path, n=60, encoding="utf-8"):
    """Full 3X10D satisfaction rows with every kind of trouble spread over the file."""
    lines = ["respondent_id;occasion;" + ";".join(SAT) + ";palaute"]
    for i in range(n):
        lines.append(f"R{i};t1;" + ";".join(str((i + j) % 11) for j in range(10)) + ";ok")
    lines[5] = lines[5].replace(";ok", ';"kaksi\nriviä"')          # quoted cell over two lines
    lines[12] = "R11;t1"                                           # broken line
    lines[20] = ""                                                 # blank line
    lines[33] = lines[33].replace("R32;", "R3;")                   # duplicate of an early key, far away
    lines[47] = lines[47].replace(";ok", ";pää") if encoding == "cp1252" else lines[47].replace("t1;", "t1;x", 1)
    path = tmp_path / "messy.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("chunksize", [1, 7, 1000])
def test_chunked_loading_equals_whole_file_loading(tmp_path, chunksize):
    # rows, file lines, rejections and accounting do not depend on where the chunks break
    path = _messy_file(tmp_path)
    whole = load(path)
    chunks = list(load_responses(path, "3x10d", on_invalid="reject-rows", chunksize=chunksize))
    assert sum(c.n_read for c in chunks) == whole.n_read == 59
    assert sum(c.n_accepted for c in chunks) == whole.n_accepted and sum(c.n_rejected for c in chunks) == 3
    assert sum(c.n_invalid for c in chunks) == whole.n_invalid == 1
    pd.testing.assert_frame_equal(pd.concat([c.data for c in chunks]), whole.data)
    got = pd.concat([c.rejected for c in chunks], ignore_index=True)
    cols = ["row", "line", "respondent_id", "column", "value", "reason"]
    assert got[cols].astype(str).values.tolist() == whole.rejected[cols].astype(str).values.tolist()
    assert whole.rejected["row"].tolist() == [5, 13, 34, 48]          # R3 twice, broken R11, bad value
    assert whole.rejected["line"].tolist() == [5, 14, 35, 49]         # a quoted line break in row 6


def test_stream_score_writes_what_whole_scoring_gives(tmp_path):
    from analysis.intake.scoring import dictionary_types, score, stream_score

    path = _messy_file(tmp_path)
    summary = stream_score(path, "3x10d", tmp_path / "s.csv", chunksize=9, rejects=tmp_path / "r.csv")
    whole = load(path)
    assert (summary.n_read, summary.n_accepted, summary.n_rejected, summary.n_chunks) == (59, 56, 3, 7)
    expected = dictionary_types(score(whole.data, "3x10d"), load_instrument("3x10d"))
    expected.to_csv(tmp_path / "expected.csv", index=False, lineterminator="\n")
    assert (tmp_path / "s.csv").read_text() == (tmp_path / "expected.csv").read_text()
    assert pd.read_csv(tmp_path / "r.csv")["row"].tolist() == [5, 13, 34, 48]


def test_stream_score_in_error_mode_writes_nothing(tmp_path):
    from analysis.intake.scoring import stream_score

    with pytest.raises(InputError) as err:
        stream_score(_messy_file(tmp_path), "3x10d", tmp_path / "s.csv", chunksize=5, on_invalid="error")
    assert len(err.value.problems) == 4 and not list(tmp_path.glob("s.csv*"))


def test_streaming_refuses_whole_file_faults_before_the_first_chunk(tmp_path):
    # an identity code or the 1–11 coding in the last chunk stops the stream before it starts
    rows = [f"R{i};5" for i in range(30)]
    hetu = write(tmp_path, "respondent_id;sat_health\n" + "\n".join(rows + [f"{HETU};5"]) + "\n", name="h.csv")
    with pytest.raises(PersonalDataError):
        next(load_responses(hetu, "3x10d", chunksize=4))
    coded = write(tmp_path, "respondent_id;sat_health\n" + "\n".join(rows + ["X;11"]) + "\n", name="c.csv")
    with pytest.raises(InputError, match="probably coded 1–11"):
        next(load_responses(coded, "3x10d", on_invalid="reject-rows", chunksize=4))


def test_streaming_a_cp1252_file_whose_first_non_ascii_byte_is_late(tmp_path):
    # small file: the head shows cp1252 at once
    path = _messy_file(tmp_path, encoding="cp1252")
    chunks = list(load_responses(path, "3x10d", on_invalid="reject-rows", chunksize=4))
    assert sum(c.n_read for c in chunks) == 59 and "Windows-1252" in chunks[0].notes[0]
    data = pd.concat([c.data for c in chunks])
    assert data.loc[data["respondent_id"] == "R46", "palaute"].tolist() == ["pää"]
    # large file: the first chunks parse as UTF-8, the ä far beyond the head switches to
    # Windows-1252 and the first pass starts over, so no chunk is handed out twice
    lines = [f"R{i};5;{'x' * 40}" for i in range(8000)] + ["Z;6;pää"]
    big = write(tmp_path, "respondent_id;sat_health;palaute\n" + "\n".join(lines) + "\n", name="big.csv",
                encoding="cp1252")
    chunks = list(load_responses(big, "3x10d", chunksize=1000))
    assert sum(c.n_read for c in chunks) == 8001 and len(chunks) == 9
    assert chunks[-1].data["palaute"].iloc[-1] == "pää" and "line 8002" in chunks[0].notes[0]


def test_chunksize_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="chunksize"):
        load_responses(_messy_file(tmp_path), "3x10d", chunksize=0)


def test_identity_code_in_fullwidth_digits_is_still_found(tmp_path):
    # Python's \d (and int()) read fullwidth digits; the fast RE2 pre-filter must not miss them
    code = HETU.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with pytest.raises(PersonalDataError):
        load_responses(write(tmp_path, f"respondent_id;sat_health;huom\nA;5;{code}\n"), "3x10d")


def test_a_data_row_with_a_missing_id_is_not_taken_for_a_sub_header(tmp_path):
    # row 2 starts empty like a Webropol sub-header, but it holds numbers: it is data
    err = errors(write(tmp_path, "respondent_id;sat_health;\n;5;7\nB;6;\n"))
    assert "column has no header but holds data" in str(err)


def study_of(tmp_path, manifest: str, files: dict[str, str]):
    """A data folder with ``manifest`` and CSV ``files``, loaded as a study."""
    from analysis.intake.manifest import load_study

    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return load_study(tmp_path)


def sat_rows(rows) -> str:
    """A 3X10D file of the ten satisfaction items: rows of (id, occasion or None, answer to all)."""
    occ = rows[0][1] is not None
    head = ["respondent_id", *(["occasion"] if occ else []), *(f"sat{i}" for i in range(1, 11))]
    return "\n".join([";".join(head), *(";".join([r, *([o] if occ else []), *[str(v)] * 10]) for r, o, v in rows)]) + "\n"


def test_occasion_cells_match_declared_labels_ignoring_case_and_spacing(tmp_path):
    from analysis.intake.manifest import ManifestError

    text = sat_rows([("A", "Alku", 5), ("A", "VUOSI", 6), ("B", " alku ", 7), ("B", "Puoli  Vuotis", 8),
                     ("C", "alku", 1), ("C", "loppu", 2), ("D", "alku", 3), ("D", "ALKU", 4)])
    study = study_of(tmp_path, "occasions:\n  pilot: [alku, puoli vuotis, vuosi]\nfiles:\n"
                               "  - {path: a.csv, population: pilot, instrument: 3x10d}\n", {"a.csv": text})
    got = study.responses("pilot", "3x10d")
    assert got["occasion"].tolist() == ["alku", "vuosi", "alku", "puoli vuotis", "alku"]   # declared spelling
    intake = study.intake().iloc[0]
    assert (intake["n_read"], intake["n_accepted"], intake["n_rejected"]) == (8, 5, 3)
    rej = study.rejected.set_index("row")
    assert "not declared" in rej.loc[7, "reason"] and "alku, puoli vuotis, vuosi" in rej.loc[7, "reason"]
    assert "duplicate" in rej.loc[8, "reason"] and "also in row 9" in rej.loc[8, "reason"]
    # the intake report says the manifest's reasons in the report's language, from their codes
    from analysis.report.sections.data_intake import reason_text
    said = {row: reason_text(r["code"], r["fields"], r["reason"], "fi") for row, r in rej.iterrows()}
    assert said[7] == ("mittauskerta, jota kuvaustiedosto ei ilmoita joukolle Pilotin asiakkaat "
                       "(ilmoitetut: alku, puoli vuotis, vuosi)")
    assert said[8] == "Vastaajatunnus, Mittauskerta ('D', 'alku') toistuu: myös rivillä 9"
    # declared labels that differ only in case cannot both be meant: the manifest says so
    with pytest.raises(ManifestError, match="differ only in case"):
        study_of(tmp_path, "occasions:\n  pilot: [alku, Alku]\nfiles:\n"
                           "  - {path: a.csv, population: pilot, instrument: 3x10d}\n", {"a.csv": text})
    # a file's fixed occasion is matched the same way
    study = study_of(tmp_path, "occasions:\n  pilot: [alku, vuosi]\nfiles:\n"
                               "  - {path: b.csv, population: pilot, instrument: 3x10d, occasion: VUOSI}\n",
                     {"b.csv": sat_rows([("A", None, 5)])})
    assert study.responses("pilot", "3x10d")["occasion"].tolist() == ["vuosi"]


def test_one_stray_11_invalidates_its_answer_not_the_file_and_the_manifest_declares_a_recode(tmp_path):
    from analysis.intake.manifest import ManifestError

    rows = [(f"R{i}", None, 1 + i % 9) for i in range(12)]
    text = sat_rows(rows).replace("\nR3;4;4;", "\nR3;4;11;")     # one typo, and no 0 anywhere
    res = load(write(tmp_path, text))
    assert (res.n_read, res.n_accepted, res.n_rejected, res.n_invalid) == (12, 12, 0, 1)
    reason = res.rejected["reason"].iloc[0]
    assert res.rejected["row"].tolist() == [5] and reason.startswith("expected an integer 0–10")
    assert "coded 1–11" in reason and "recode='1-11'" in reason
    # file-wide evidence (no 0, an 11 in most items) still refuses the whole file
    coded = sat_rows([(f"R{i}", None, 1 + i % 11) for i in range(12)])
    err = errors(write(tmp_path, coded, name="coded.csv"), on_invalid="reject-rows")
    assert "probably coded 1–11" in str(err) and len(err.problems) == 10
    # a study: the stray 11 is an invalid answer; the 1–11 file names the manifest key, and the key recodes it
    entry = "files:\n  - {path: a.csv, population: cohort, instrument: 3x10d%s}\n"
    study = study_of(tmp_path, entry % "", {"a.csv": text})
    assert study.intake()[["n_read", "n_accepted", "n_rejected"]].values.tolist() == [[12, 12, 0]]
    assert "recode: 1-11" in study.rejected["reason"].iloc[0]
    with pytest.raises(ManifestError, match="add recode: 1-11 to the entry of a.csv"):
        study_of(tmp_path, entry % "", {"a.csv": coded})
    study = study_of(tmp_path, entry % ", recode: 1-11", {"a.csv": coded})
    assert study.responses("cohort", "3x10d")["sat_health"].tolist() == [i % 11 for i in range(12)]
    with pytest.raises(ManifestError, match="recode '0-10' is not known"):
        study_of(tmp_path, entry % ", recode: 0-10", {"a.csv": coded})


def test_unknown_background_category_is_a_missing_cell_listed_not_a_lost_row(tmp_path):
    text = ("Asiakastunnus;Sukupuoli;Ikä;Pääasiallinen toiminta\nK1;mies;25;työssä\n"
            "K2;nainen;16;kuntouttava työtoiminta\nK3;nainen;19;Kuntouttava  työtoiminta\nK4;;;\n")
    res = load_table(write(tmp_path, text), "pilot-background", on_invalid="reject-rows")
    assert (res.n_read, res.n_accepted, res.n_rejected) == (4, 4, 0)
    assert res.data["gender"].tolist()[:3] == ["male", "female", "female"] and res.data["age"].tolist()[:3] == [25, 16, 19]
    assert res.data["activity"].isna().tolist() == [False, True, True, True]
    assert [(c, v, n) for c, v, n, _ in res.unknown_values] == [
        ("Pääasiallinen toiminta", "kuntouttava työtoiminta", 1), ("Pääasiallinen toiminta", "Kuntouttava  työtoiminta", 1)]
    assert "expected one of" in res.unknown_values[0][3]
    assert any("'kuntouttava työtoiminta' in 1 row is not an accepted category" in n for n in res.notes)
    # a required or key column is still checked strictly; a study lists the values for the intake report
    study = study_of(tmp_path, "files:\n  - {path: t.csv, population: pilot, dataset: background}\n", {"t.csv": text})
    assert study.unknown_values()[["column", "value", "n_rows"]].values.tolist()[0] == [
        "Pääasiallinen toiminta", "kuntouttava työtoiminta", 1]
    assert study.intake()[["n_read", "n_accepted", "n_rejected"]].values.tolist() == [[4, 4, 0]]


def test_identity_code_inside_an_open_answer_gets_advice_for_a_comment(tmp_path):
    # a client wrote their identity code into a comment: the file is still refused (nothing is
    # read), but the advice fits a free-text answer, not an identifier column
    from analysis.intake.instruments import load_instrument
    keys = [it.key for it in load_instrument("client-survey").items]
    row = {"respondent_id": "a", "occasion": "baseline", **{k: 3 for k in keys if not k.startswith("cs_comment")},
           "cs_comment_good": "soita 131052-308T kiitos", "cs_comment_improve": ""}
    path = tmp_path / "asiakaskysely.csv"
    pd.DataFrame([row]).to_csv(path, index=False, sep=";")
    with pytest.raises(PersonalDataError, match="inside an open answer"):
        load_responses(path, "client-survey")
