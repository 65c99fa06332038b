"""Tests of analysis.report.export: OWASP formula neutralisation, round trips, identical bytes."""
import csv
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.report.export import FORMULA_START, Sheet, safe_text, sheet_name, write_csv, write_xlsx

# Payloads from the OWASP "CSV Injection" page and from lavaan syntax in our own tables.
ATTACKS = ["=1+1", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1", '=HYPERLINK("http://evil","click")', "=~", "-", "+", "=a\rb"]


def table():
    return pd.DataFrame({
        "label": ATTACKS + ["plain", None],
        "n": list(range(len(ATTACKS))) + [-4, 5],
        "value": [-0.25, 1.5, np.nan, 1e-12, -3.0, 2.0, 0.1 + 0.2, 7.0, -1e6, 0.0, 1.0, 2.5, 3.5],
        "mixed": ["<5", 12, -3, "-3", "-1,5", "=A1", 4.25, None, "kyllä", "", "ok", "+358 40 123 4567", 1],
    })


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_text_gets_a_quote(text):
    assert safe_text(text) == "'" + text
    assert text.startswith(FORMULA_START)


@pytest.mark.parametrize("value", [-3, -0.25, 0, 2.5, np.float64(-1.0), np.int64(-7), None, np.nan, True,
                                   "a=b", "kyllä", "", " =1", "f =~ x1", "1-2"])
def test_numbers_and_harmless_text_unchanged(value):
    out = safe_text(value)
    assert out is value or (isinstance(value, float) and math.isnan(out))


@pytest.mark.parametrize("text", ["-3", "+0.5", "-1,5", "-2e3", "+1", "-1"])
def test_text_that_looks_like_a_number_stays_text(text):
    # decided: a text is text (an id "-1" or "+1" must not become a number, nor "-2e3" be evaluated);
    # only values of a numeric type are numbers
    assert safe_text(text) == "'" + text


def test_csv_round_trip(tmp_path):
    t = table()
    path = write_csv(t, tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.count(b"\r") == 2 and b"\r\n" not in raw       # CRs only inside the two quoted cells
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["label", "n", "value", "mixed"]
    body = rows[1:]
    assert [r[0] for r in body] == ["'" + a for a in ATTACKS] + ["plain", ""]
    assert [int(r[1]) for r in body] == t["n"].tolist()          # negative ints stay numbers
    for r, v in zip(body, t["value"]):                              # floats round-trip exactly
        assert (r[2] == "" and math.isnan(v)) or float(r[2]) == v
    assert [r[3] for r in body] == ["<5", "12", "-3", "'-3", "'-1,5", "'=A1", "4.25", "", "kyllä", "", "ok",
                                    "'+358 40 123 4567", "1"]
    write_csv(t, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == raw


def test_csv_header_is_made_safe(tmp_path):
    path = write_csv(pd.DataFrame({"=cmd": [1]}), tmp_path / "h.csv")
    assert path.read_text(encoding="utf-8") == "'=cmd\n1\n"


def test_xlsx_round_trip_has_no_formula(tmp_path):
    t = table()
    t["flag"] = [True, False] * 6 + [True]
    t["when"] = pd.Timestamp("2025-02-03 14:05")
    t["big"] = [np.inf, -np.inf] + [1.0] * 11
    other = pd.DataFrame({"domain": ["health", "=work"], "mean": [6.123456, -0.5]})
    path = write_xlsx({"first": t, "second": other}, tmp_path / "t.xlsx",
                      number_formats={"value": "0.00", "mean": "0.0"})
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["first", "second"]
    ws = book["first"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c.value for c in ws[1]] == list(t.columns)
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    got = {col: list(values) for col, values in zip(t.columns, zip(*ws.iter_rows(min_row=2, values_only=True)))}
    # OOXML stores CR as the escape _x000D_ (ECMA-376 ST_Xstring), which openpyxl does not undo.
    labels = [v.replace("_x000D_", "\r") if v else v for v in got["label"]]
    assert labels == ATTACKS + ["plain", None]                     # text as written, no quote
    assert got["n"] == t["n"].tolist()
    # xlsxwriter stores numbers as "%.16g" (Excel itself keeps 15 digits): 0.1 + 0.2 comes back as 0.3.
    assert [None if math.isnan(v) else float("%.16g" % v) for v in t["value"]] == got["value"]
    assert got["mixed"] == t["mixed"].tolist()
    assert got["flag"] == t["flag"].tolist()
    assert set(got["when"]) == {"2025-02-03 14:05:00"}
    assert got["big"][:3] == ["inf", "-inf", 1]
    assert ws["C2"].number_format == "0.00" and ws["B2"].number_format == "General"
    assert isinstance(ws["B14"].value, int) and ws["B14"].data_type == "n"
    assert book["second"]["A3"].value == "=work" and book["second"]["A3"].data_type == "s"
    assert book["second"]["B2"].number_format == "0.0"
    assert ws.column_dimensions["A"].width > ws.column_dimensions["B"].width


def test_xlsx_bytes_identical_across_runs(tmp_path):
    sheets = {"t": table()}
    a = write_xlsx(sheets, tmp_path / "a.xlsx").read_bytes()
    b = write_xlsx(sheets, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").properties.created.year == 2000


@pytest.mark.parametrize("name", ["", "a/b", "x[1]", "what?"])   # long names are shortened (test_published_tables)
def test_xlsx_rejects_bad_sheet_names(tmp_path, name):
    with pytest.raises(ValueError, match="sheet name"):
        write_xlsx({name: pd.DataFrame({"a": [1]})}, tmp_path / "x.xlsx")


def sheet():
    return Sheet(pd.DataFrame({"group": ["women", "=men", "all"], "n": [12, None, 15], "mean": [6.123456, None, 5.9]}),
                 headers=["Group", "Number of persons", "Mean"], title=("Table 3", "Groups: a caption"),
                 notes=["A shaded empty cell is hidden; its comment says why. " * 5],
                 hidden=pd.DataFrame({"group": [None] * 3, "n": [None, "fewer than 5", None],
                                      "mean": [None, "hidden with another", None]}))


def test_xlsx_sheet_with_title_hidden_cells_and_notes(tmp_path):
    path = write_xlsx({"Table 3 Groups": sheet()}, tmp_path / "s.xlsx",
                      sheet_formats={"Table 3 Groups": {"n": "#,##0", "mean": "#,##0.00"}})
    ws = openpyxl.load_workbook(path)["Table 3 Groups"]
    assert ws["A1"].value == "Table 3 Groups: a caption"                     # the title row
    assert [c.value for c in ws[2]] == ["Group", "Number of persons", "Mean"] and all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws["B2"].alignment.horizontal == "right" and ws["A2"].alignment.horizontal != "right"
    assert [c.value for c in ws["B"][2:5]] == [12, None, 15] and ws["C3"].number_format == "#,##0.00"
    assert ws["A4"].value == "=men" and ws["A4"].data_type == "s"
    for cell, why in ((ws["B4"], "fewer than 5"), (ws["C4"], "hidden with another")):
        assert cell.value is None and cell.comment.text == why and cell.fill.fgColor.rgb.endswith("D9D9D9")
    assert ws["B3"].comment is None and ws["A6"].value is None                # a blank row, then the note
    assert ws["A7"].value.startswith("A shaded empty cell") and "A7:C7" in ws.merged_cells
    assert ws.row_dimensions[7].height > 15                                   # the long note wraps
    # widths follow the header's longest word and the values as shown (6.12, not 6.123456)
    assert ws.column_dimensions["C"].width < len("6.123456") + 2 <= ws.column_dimensions["B"].width
    again = write_xlsx({"Table 3 Groups": sheet()}, tmp_path / "again.xlsx",
                       sheet_formats={"Table 3 Groups": {"n": "#,##0", "mean": "#,##0.00"}})
    assert again.read_bytes() == path.read_bytes()


def test_xlsx_sheet_headers_must_fit_the_table(tmp_path):
    with pytest.raises(ValueError, match="2 columns and 1 headers"):
        write_xlsx({"t": Sheet(pd.DataFrame({"a": [1], "b": [2]}), headers=["A"])}, tmp_path / "x.xlsx")


@pytest.mark.parametrize("title, name", [
    ("Table 3 Change", "Table 3 Change"),
    ("Table 3 Change by domain from the first to the latest reading", "Table 3 Change by domain from"),
    ("Taulukko 12 Mittausinvarianssi/ikäryhmät: [konfiguraalinen]", "Taulukko 12 Mittausinvarianssi"),
    ("Taulukko 3 Muutos osa-alueittain", "Taulukko 3 Muutos osa-alueitta…"),
    ("'Quoted' table", "Quoted' table"),
])
def test_sheet_name_from_a_title(title, name):
    assert sheet_name(title) == name and len(name) <= 31 and not set(name) & set("[]:*?/\\")
