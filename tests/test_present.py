"""Presentation rules of published tables (APA 7): numbers, intervals, headings, layout, and the
Word and Excel forms of a table. Each test states one rule an evaluator relies on when pasting
a table into a report."""
from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis.report import i18n
from analysis.report.document import Report
from analysis.report.present import Labels, interval, interval_of, number, percent, present, words
from analysis.report.render import Block, layout, render_html, split_columns

NBSP = "\u00a0"


# --------------------------------------------------------------------------- numbers
def test_interval_is_apa_brackets():
    assert interval(0.78, 0.82, 2, "en") == "[0.78, 0.82]"
    assert interval(0.78, 0.82, 2, "fi") == "[0,78; 0,82]"             # the limits' separator is no comma
    assert interval(-0.12, 0.3, 2, "en") == "[−0.12, 0.30]"              # a true minus sign
    assert interval(-2.18, -0.078, 3, "fi") == "[−2,180; −0,078]"
    assert interval(float("nan"), 1.0, 2, "en") == "" and interval("<5", 1.0, 2, "en") == "<5"


def test_a_sentence_and_a_table_write_an_interval_alike():
    t = pd.DataFrame({"score": ["s"], "r": [0.046], "r_ci_low": [-0.3261], "r_ci_high": [0.4063]})
    for lang in ("en", "fi"):
        assert present(t, lang).frame.iloc[0, 2] == interval_of(-0.3261, 0.4063, "prop", lang)
    assert interval_of(-0.3261, 0.4063, "prop", "en") == "[−.326, .406]"


def test_a_share_of_persons_is_a_percentage_everywhere():
    t = pd.DataFrame({"domain": ["health"], "n_goals": [19], "share_reached": [0.2632]})
    shown = present(t, "en")
    assert shown.frame.iloc[0].tolist()[2] == "26.3" and shown.frame.columns[2].endswith("%")
    assert shown.excel_formats["share_reached"] == "0.0%"          # the workbook keeps the proportion
    assert percent(26.32, 0, "en") == "26%" and percent(26.32, 1, "fi") == f"26,3{NBSP}%"


def test_a_list_is_written_in_words():
    assert words(["a", "b", "c"], "en") == "a, b and c" and words(["a", "b"], "fi") == "a ja b"
    assert words([], "en") == ""


def test_interval_has_the_decimals_of_its_estimate():
    t = pd.DataFrame({"scale": ["s"], "alpha": [0.8023], "alpha_ci_low": [0.7823], "alpha_ci_high": [0.8211],
                      "hedges_g": [-0.5], "g_ci_low": [-0.66], "g_ci_high": [-0.34]})
    row = present(t, "en").frame.iloc[0].tolist()
    assert row == ["s", ".802", "[.782, .821]", "−0.50", "[−0.66, −0.34]"]
    assert present(t, "fi").frame.iloc[0].tolist()[1:3] == ["0,802", "[0,782; 0,821]"]


def test_lavaan_limits_are_one_column():
    t = pd.DataFrame({"lhs": ["f"], "op": ["=~"], "rhs": ["x"], "est": [0.91234], "ci_lower": [0.8], "ci_upper": [1.0],
                      "rmsea": [0.041], "rmsea.ci.lower": [0.03], "rmsea.ci.upper": [0.052]})
    shown = present(t, "en")
    assert list(shown.frame.columns) == ["Left", "Operator", "Right", "Estimate", "95% CI", "RMSEA", "90% CI of RMSEA"]
    assert shown.frame.iloc[0].tolist()[4:] == ["[0.800, 1.000]", ".041", "[.030, .052]"]


def test_large_numbers_are_grouped_like_counts():
    assert number(33735.6896, 2, "en") == "33,735.69"
    assert number(33735.6896, 2, "fi") == f"33{NBSP}735,69"
    assert number(-1762.79, 2, "en") == "−1,762.79"
    t = pd.DataFrame({"model": ["m"], "aic": [33735.68959], "n": [12345]})
    assert present(t, "fi").frame.iloc[0].tolist()[1:] == [f"33{NBSP}735,69", f"12{NBSP}345"]


def test_whole_scale_values_have_no_decimals():
    t = pd.DataFrame({"score": ["a", "b"], "mean": [6.5, 7.0], "min": [0.0, 1.0], "max": [10.0, 9.0],
                      "raw": [3.0, 4.0], "df": [36.0, 27.0]})
    assert present(t, "en").frame.iloc[0].tolist() == ["a", "6.50", "0", "10", "3", "36"]
    mixed = pd.DataFrame({"score": ["item", "mean score"], "min": [0.0, 1.3333]})    # each cell on its own
    assert present(mixed, "en").frame["Min"].tolist() == ["0", "1.33"]


def test_p_values_are_apa():
    t = pd.DataFrame({"x": ["a", "b", "c"], "p": [0.0123, 0.00001, 0.5]})
    assert present(t, "en").frame["p"].tolist() == [".012", "< .001", ".500"]
    assert present(t, "fi").frame["p"].tolist() == ["0,012", "< 0,001", "0,500"]


def test_raw_keys_get_headings():
    cols = ["converged", "admissible", "compared_with", "df_diff", "g_av", "label_fi", "label_en"]
    for lang in ("en", "fi"):
        heads = present(pd.DataFrame({c: [1] for c in cols}), lang).frame.columns
        assert not set(heads) & set(cols), (lang, list(heads))


def test_pivot_columns_are_labelled():
    labels = Labels("en", keys={"health": "Health"}, values={"age_group": {"16-19": "16–19 years"}})
    t = pd.DataFrame({"raw": [1.0], "health": [6.1], "16-19 female": [5.0]})
    assert list(present(t, "en", labels, kinds={"health": "num", "16-19 female": "num"}).frame.columns) \
        == ["Raw score", "Health", "16–19 years female"]


def test_the_glossary_names_the_method_the_table_holds():
    t = pd.DataFrame({"score": ["s"], "r": [0.4]})
    t.attrs["methods"] = {"r": "spearman"}
    assert dict(present(t, "en").abbreviations)["r"] == "Spearman rank correlation"
    assert "Pearson" not in str(present(t, "fi").abbreviations)
    t.attrs["methods"] = {"r": "pearson"}
    assert dict(present(t, "en").abbreviations)["r"] == "Pearson correlation"
    t.attrs = {}                                        # no method declared: none named
    assert dict(present(t, "en").abbreviations)["r"] == "correlation coefficient"


def test_no_column_repeats_another_or_is_empty():
    keys = Labels("en", keys={"sus_score": "SUS score"})
    t = pd.DataFrame({"score": ["sus_score"], "label": ["SUS score"], "target": [None], "n": [12]})
    shown = present(t, "en", keys)
    assert list(shown.frame.columns) == ["Score", "n"]
    assert list(shown.machine.columns) == ["score", "label", "target", "n"]      # the workbook keeps them


def test_words_stay_left_aligned_in_a_table_of_measures():
    t = pd.DataFrame({"indicator": ["a"], "label": ["Clients with a plan"], "unit": ["count"], "value": [33.0]})
    shown = present(t, "en", row_kinds="unit")
    assert "Label" not in shown.numeric and "Value" in shown.numeric
    assert shown.frame["Value"].tolist() == ["33"]


# --------------------------------------------------------------------------- plurals
@pytest.mark.parametrize("lang, one, many", [
    ("en", "1 file was read", "15 files were read"),
    ("fi", "Luettiin 1 tiedosto:", "Luettiin 15 tiedostoa:")])
def test_plural_forms(lang, one, many):
    fields = dict(n_read="3", n_accepted="2", n_rejected="1")
    assert one in i18n.t("01_data_intake.files.summary", lang, n_files="1", **fields)
    assert many in i18n.t("01_data_intake.files.summary", lang, n_files="15", **fields)
    assert "(s)" not in i18n.t("02_validation_report.structure.efa_summary", "en", n_factors=1, n_components=1, used="x")
    assert "1 factor and 1 component" in i18n.t("02_validation_report.structure.efa_summary", "en",
                                                 n_factors=1, n_components=1, used="x")


def test_no_lazy_plurals_in_the_catalogues():
    for lang in i18n.LANGUAGES:
        lazy = [k for k, v in i18n.catalogue(lang).items() if "(s)" in str(v) or "(a)" in str(v)]
        assert not lazy, (lang, lazy)


# --------------------------------------------------------------------------- layout
def _wide(n_rows, n_cols, width=8):
    return pd.DataFrame({"Model": [f"m{i}" for i in range(n_rows)],
                         **{f"c{j}": ["0." + "1" * (width - 2)] * n_rows for j in range(n_cols)}})


def test_moderate_tables_are_not_split():
    frame = _wide(20, 11, width=5)                # 12 columns of APA numbers ("0.802"): fit the page
    assert len(split_columns(frame, numeric=list(frame.columns[1:]))) == 1


def test_wide_tables_split_repeating_the_row_labels():
    frame = _wide(20, 20)
    blocks = split_columns(frame, numeric=list(frame.columns[1:]))
    assert len(blocks) > 1 and all(b.columns[0] == "Model" for b in blocks)
    assert sorted(c for b in blocks for c in b.columns[1:]) == sorted(frame.columns[1:])


def test_wide_tables_with_few_rows_are_transposed():
    frame = _wide(3, 25)
    (block, numeric), = layout(frame, numeric=list(frame.columns[1:]))
    assert list(block.columns) == ["Model", "m0", "m1", "m2"] and len(block) == 25 and numeric == [False, True, True, True]


def test_contents_are_not_numbered_twice():
    blocks = [Block("heading", text=f"{i}. Part", anchor=f"p{i}") for i in (1, 2)]
    html = render_html("R", blocks, meta=[], lang="en")
    assert '<ol class="numbered">' in html
    assert "overflow-wrap:anywhere" not in html and "overflow-wrap:break-word" in html


# --------------------------------------------------------------------------- Word and Excel
@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("present")
    r = Report("02_validation_report", None, lang="en", out_dir=out, display=False)
    r.table("kmo_bartlett", pd.DataFrame({"measure": ["kmo", "chisq", "df", "p", "n", "cfi"],
                                          "value": [0.9034, 1762.792, 36.0, 0.0, 900.0, 1.0]}),
            title="Fit", counts=None, row_kinds="measure")
    r.table("reliability", pd.DataFrame({"scale": ["s"], "n": [900], "alpha": [0.8023], "alpha_ci_low": [0.7823],
                                         "alpha_ci_high": [0.8211], "mean": [6.7], "p": [0.0004],
                                         "converged": [True], "g_av": [0.2]}), title="Reliability", counts=None)
    return r.finish()


def test_docx_is_a4_with_apa_tables(report):
    import docx
    d = docx.Document(str(report["docx"]))
    section = d.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert 2.0 <= section.left_margin.cm <= 3.0
    xml = zipfile.ZipFile(report["docx"]).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:tblHeader") == 2                                # header row repeats, each table
    assert "TableGrid" not in xml and 'w:insideV w:val="nil"' in xml      # no vertical rules
    table = d.tables[1]
    assert [c.text for c in table.rows[1].cells][:3] == ["s", "900", ".802"]
    assert table.rows[1].cells[1].paragraphs[0].alignment == 2           # numbers right-aligned
    assert table.columns[0].width > table.columns[1].width               # label column wider


def test_xlsx_formats_per_row_and_column(report):
    wb = openpyxl.load_workbook(report["xlsx"])
    assert wb.sheetnames == ["About", "Glossary", "Table 1 Fit", "Table 2 Reliability"]
    ws = wb["Table 1 Fit"]
    assert ws["A1"].value == "Table 1 Fit" and [c.value for c in ws[2]] == ["Measure", "Value"]
    fmt = {ws_row[0].value: ws_row[1].number_format for ws_row in ws.iter_rows(min_row=3)}
    assert fmt == {"KMO": "0.000", "χ²": "#,##0.00", "df": "0", "p": '[<0.001]"<.001";0.000',
                   "n": "#,##0", "CFI": "0.000"}       # the measures in words, as the report shows them
    ws = wb["Table 2 Reliability"]
    columns = ["scale", "n", "alpha", "alpha_ci_low", "alpha_ci_high", "mean", "p", "converged", "g_av"]
    head = [c.value for c in ws[2]]
    assert head == ["Scale", "n", "α", "α: 95% CI, lower limit", "α: 95% CI, upper limit", "M", "p", "Converged",
                    "g (average SD)"]                  # headings in words, as the report's
    row = dict(zip(columns, ws[3]))
    assert all(c.font.b for c in ws[2]) and ws.freeze_panes == "A3"
    assert row["n"].number_format == "#,##0" and row["alpha"].number_format == "0.000"
    assert row["alpha_ci_low"].number_format == "0.000" and row["mean"].number_format == "#,##0.00"
    assert row["converged"].value == "yes" and row["converged"].data_type == "s"
    assert [c.value for c in wb["About"][2]] == ["Item", "Value"]


def test_glossary_explains_every_column(report):
    wb = openpyxl.load_workbook(report["xlsx"])
    assert [c.value for c in wb["Glossary"][2]] == ["Sheet", "Heading", "Column in the CSV", "Machine table (CSV)",
                                                     "Meaning"]
    rows = list(wb["Glossary"].iter_rows(min_row=3, values_only=True))
    for sheet in wb.sheetnames[2:]:       # each sheet's headings, in order, joined to its CSV's columns
        own = [r for r in rows if r[0] == sheet]
        assert [r[1] for r in own] == [c.value for c in wb[sheet][2]]
        csv = report["xlsx"].parent / own[0][3]
        assert [r[2] for r in own] == csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    same = [r for r in rows if r[1] == r[4] or (r[2] == r[1] and "_" in r[2])]
    assert not same, same
    meaning = {r[2]: r[4] for r in rows}
    assert meaning["alpha_ci_low"] == "lower limit of the 95% confidence interval of α"
    assert "Lakens" in meaning["g_av"]


def test_glossary_in_both_languages_covers_column_kinds():
    kinds = __import__("analysis.report.present", fromlist=["column_kinds"]).column_kinds()
    for lang in i18n.LANGUAGES:
        cat = i18n.catalogue(lang)
        missing = [c for c in kinds if f"glossary.{c}" not in cat and f"meanings.{c}" not in cat
                   and f"columns.{c}" in cat and cat[f"columns.{c}"] not in ("n", "N", "M", "SD", "%", "p")]
        assert len(missing) < 25, (lang, missing)


def test_true_false_text_becomes_words_in_the_workbook():
    shown = present(pd.DataFrame({"variable": ["service_user"] * 2, "category": ["False", "True"], "n": [7, 9]}), "fi")
    assert shown.workbook()["category"].tolist() == ["ei", "kyllä"]
    assert shown.machine["category"].tolist() == ["False", "True"]          # the machine form is unchanged
