"""A published table knows which of its cells are hidden; sentences ask it, never a cell's type.

Hand-made tables whose hidden cells are known: a gender table where one small group forces a
complement, a later table that hides a further cell of an earlier one, tables masked by the
functions of :mod:`analysis.report.disclosure` before they reach the report; and the one place
that shortens sheet names to Excel's 31 characters.
"""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from analysis.report import disclosure
from analysis.report.disclosure import TableSpec
from analysis.report.document import Report
from analysis.report.export import sheet_names, write_xlsx
from analysis.report.present import present


def report(tmp_path, name="05_participant_surveys") -> Report:
    return Report(name, None, out_dir=tmp_path, display=False)


GENDER = pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": [504, 393, 3, 900],
                       "mean": [6.1, 5.9, 4.0, (504 * 6.1 + 393 * 5.9 + 3 * 4.0) / 900]})


def test_mask_of_a_protected_table(tmp_path):
    r = report(tmp_path)
    shown = r.table("gender", GENDER, spec=TableSpec(population="p", dims=["gender"], means=["mean"]), title="G")
    assert shown.mask.shape == shown.machine.shape
    # 'other' (3) is hidden, 'male' with it (the complement); their means too; the total is shown
    assert shown.mask["n"].tolist() == [False, True, True, False]
    assert shown.mask["mean"].tolist() == [False, True, True, False]
    assert not shown.mask["gender"].any()
    assert shown.hidden({"gender": "other"}, "n") and shown.hidden(1, "mean") and not shown.hidden(-1, "n")
    assert shown.value({"gender": "all"}, "n") == 900
    assert shown.value({"gender": "other"}, "n") == "<5"          # the machine cell keeps its mark


def test_row_must_be_one(tmp_path):
    shown = report(tmp_path).table("gender", GENDER, spec=TableSpec(population="p", dims=["gender"]), title="G")
    with pytest.raises(KeyError, match="0 rows"):
        shown.hidden({"gender": "none"}, "n")
    twice = present(pd.DataFrame({"g": ["a", "a"], "n": [5, 6]}), "en")
    with pytest.raises(KeyError, match="2 rows"):
        twice.row({"g": "a"})


def test_tables_masked_before_the_report_keep_their_mask(tmp_path):
    r = report(tmp_path)
    t = pd.DataFrame({"score": ["a", "b"], "n": [8, 8], "n_improved": [6, 3], "n_not_improved": [2, 5], "auc": [.8, .6]})
    masked = disclosure.suppress_small_cells(t, ["n", "n_improved", "n_not_improved"],
                                             parts=["n_improved", "n_not_improved"])
    shown = r.table("responsiveness", masked, counts=None, title="R")
    assert shown.mask.to_numpy().tolist() == [[False, False, True, True, True],
                                              [False, False, True, True, True]]
    indicators = pd.DataFrame({"indicator": ["x", "y"], "unit": ["count", "percent"], "value": [4.0, 3.0],
                               "previous": [9.0, 2.0], "change": [-5.0, 1.0]})
    shown = r.table("indicators", disclosure.mask_small_counts(indicators), counts=None, title="I")
    assert shown.mask["value"].tolist() == [True, False] and shown.mask["change"].tolist() == [True, False]
    assert not shown.mask["unit"].any()
    groups = pd.DataFrame({"measure": ["n_a", "n_b"], "value": [3, 40], "persons": [3, 40]})
    shown = r.table("accounting", disclosure.mask_small_groups(groups), counts=None, title="A")
    assert shown.mask["value"].tolist() == [True, False]


def test_a_table_without_hidden_cells(tmp_path):
    shown = report(tmp_path).table("fit", pd.DataFrame({"measure": ["cfi"], "value": [0.97]}), counts=None, title="F")
    assert not shown.mask.to_numpy().any() and not shown.hidden(0, "value")


def test_sentence_counts(tmp_path):
    r = report(tmp_path)
    shown = r.table("gender", GENDER, spec=TableSpec(population="p", dims=["gender"]), title="G")
    assert r.shown_n(shown, {"gender": "female"}) == "504"
    assert r.shown_n("gender", {"gender": "other"}) == "fewer than 5"    # hidden: not printed
    assert "393" not in r.shown_n("gender", {"gender": "male"})             # hidden as its complement
    assert r.shown_n("gender", -1) == "900"
    assert r.n(4) == "fewer than 5" and r.n(1234) == "1,234"
    assert r.publishable(5, 12) and not r.publishable(4, 12) and r.publishable()


def test_label_list(tmp_path):
    from analysis.report.document import study_labels
    r = report(tmp_path)
    r.labels = study_labels("en")
    assert r.label_list(["sat_health", "sat_housing"]) == "Health, Housing"
    assert r.label_list([]) == "" and r.label_list([], empty="–") == "–"
    assert r.label_list(["sat_family", "domain_mean"], sep=" / ") == "Family and close ones / Mean of domains 1–9"


def test_sheet_names_are_shortened_in_one_place_and_unique():
    long = "invariance_" + "a" * 30
    names = ["about", "About", long, long + "b", "x" * 31, "invariance_" + "a" * 20]
    titles = sheet_names(names)
    assert list(titles) == names
    assert all(1 <= len(t) <= 31 for t in titles.values())
    assert len({t.lower() for t in titles.values()}) == len(names)            # unique, as Excel compares them
    assert titles["about"] == "about" and titles["x" * 31] == "x" * 31          # names that fit are kept
    # the 31-character name was there first: both long names get a number
    assert titles["invariance_" + "a" * 20] == long[:31]
    assert titles[long] == long[:29] + "~2" and titles[long + "b"] == long[:29] + "~3"


def test_long_table_names_reach_csv_whole_and_the_workbook_shortened(tmp_path):
    r = report(tmp_path)
    long, caption = "known_groups_of_a_long_background_column", "Known groups of a long background column"
    r.table(long, pd.DataFrame({"g": ["a"], "v": [1.5]}), counts=None, title=caption)
    r.table(long + "_2", pd.DataFrame({"g": ["b"], "v": [2.5]}), counts=None, title=caption, show=False)
    r.table("again", pd.DataFrame({"g": ["c"], "v": [3.5]}), counts=None, title=caption)
    paths = r.finish()
    assert (tmp_path / "tables" / "05_participant_surveys" / f"{long}.csv").is_file()
    book = openpyxl.load_workbook(paths["xlsx"])
    # sheets named by their number and caption, cut at a word; a workbook-only table is numbered apart
    assert book.sheetnames == ["About", "Glossary", "Table 1 Known groups of a long", "Table S1 Known groups of a long",
                               "Table 2 Known groups of a long"]
    assert book["Table S1 Known groups of a long"]["A1"].value == f"Table S1 {caption}"
    assert book["Table S1 Known groups of a long"]["B3"].value == 2.5
    notes = [c.value for c in book["Table S1 Known groups of a long"]["A"][3:]]
    assert notes == [None, "This table is in the workbook only; the report summarises it."]


def test_write_xlsx_applies_formats_to_shortened_sheets(tmp_path):
    name = "s" * 40
    path = write_xlsx({name: pd.DataFrame({"v": [1.5]})}, tmp_path / "x.xlsx", sheet_formats={name: {"v": "0.000"}})
    ws = openpyxl.load_workbook(path)["s" * 31]
    assert ws["A2"].number_format == "0.000"
