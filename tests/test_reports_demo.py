"""The seven reports on the bundled demo study (and on data of another seed), as delivered.

Every expected number is recomputed here from the raw CSV files with plain pandas/pingouin,
not through the package, so a report that showed another data set's numbers or a literal
fails. A value may be replaced by the suppression mark (``<5``) — never by another number.
The deliverables are checked as an evaluator would receive them: HTML, Word and Excel with
labels instead of score keys, no code prompts, no exponent notation, no formula cells,
Finnish narrative in a Finnish run, and identical bytes from two runs.
"""
from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pingouin as pg
import pytest
from report_tables import book, sheet_names

from analysis.report.runner import (
    INTERNAL_PARAMETERS,
    INTERNAL_REPORTS,
    NOTEBOOK_DIR,
    internal_folder,
    notebooks,
    run,
    run_notebook,
)

pytestmark = pytest.mark.xdist_group("reports")

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "analysis" / "datasets" / "demo"
SPECIFIC = ["sat_health", "sat_resilience", "sat_housing", "sat_daily_coping", "sat_family",
            "sat_friends", "sat_finances", "sat_strengths", "sat_self_esteem"]
DOMAINS = ["health", "resilience", "housing", "daily_coping", "family", "friends", "finances",
           "strengths", "self_esteem", "life_overall"]
REPORTS = ["01_data_intake", "02_validation_report", "03_norms", "04_pilot_evaluation",
           "05_participant_surveys", "06_service_use", "07_half_yearly_indicators", "08_process"]
MASK = "<5"
TOL = 1e-9


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-en")
    outcomes = run(DEMO, out, workers=2)
    assert [o.status for o in outcomes] == ["written"] * 8, outcomes
    return out


@pytest.fixture(scope="session")
def demo_fi(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-fi")
    outcomes = run(DEMO, out, lang="fi", workers=2, final=True)
    assert [o.status for o in outcomes] == ["written"] * 9, outcomes
    return out


@pytest.fixture(scope="session")
def seed7(tmp_path_factory):
    from analysis.study.synthetic import write_all
    data = tmp_path_factory.mktemp("seed7-data")
    write_all(data, 7)
    out = tmp_path_factory.mktemp("seed7-out")
    run(data, out, only=["02", "04", "06"], seed=7, workers=2)
    return data, out




def where(out: Path, name: str) -> Path:
    """The folder a report of a run into ``out`` is in: the intake report stays internal."""
    return internal_folder(out) if name in INTERNAL_REPORTS else out


def same_or_masked(shown, expected, tol=TOL) -> bool:
    return shown == MASK or shown == pytest.approx(expected, abs=tol)


def t1(data_dir: Path = DEMO) -> pd.DataFrame:
    raw = pd.read_csv(data_dir / "cohort_3x10d.csv")
    return raw[raw["occasion"] == "t1"]


def latest_pairs(folder: Path = DEMO) -> pd.DataFrame:
    """Baseline and latest follow-up (12m, else 6m) per client, wide, from the raw CSV."""
    raw = pd.read_csv(folder / "pilot_3x10d.csv")
    order = {"baseline": 0, "6m": 1, "12m": 2}
    raw = raw.assign(_o=raw["occasion"].map(order))
    base = raw[raw["_o"] == 0].set_index("respondent_id")
    last = raw[raw["_o"] > 0].sort_values("_o").groupby("respondent_id").tail(1).set_index("respondent_id")
    return base.merge(last, left_index=True, right_index=True, suffixes=("_pre", "_post"))


# --------------------------------------------------------------------------- deliverables
@pytest.mark.parametrize("name", REPORTS)
def test_every_report_is_delivered_clean(demo, name):
    demo = where(demo, name)
    html = (demo / f"{name}.html").read_text(encoding="utf-8")
    title = unescape(re.search(r"<title>(.*?)</title>", html).group(1))
    assert title and title != "Notebook"
    assert "Synthetic demonstration data" in html                   # the demo is flagged, per file
    for bad in ("Out[", "In [", "Traceback", "UserWarning", "<script"):
        assert bad not in html, bad
    body = re.sub(r"<code>.*?</code>|<style>.*?</style>|data:image/png;base64,[A-Za-z0-9+/=]+", "", html, flags=re.S)
    assert not re.search(r"\b(sat|imp|goal)_[a-z_]+\b", body), re.search(r"\b(sat|imp|goal)_[a-z_]+\b", body)
    assert not re.search(r"\d[eE]-\d", body)                          # no exponent notation
    assert not re.search(r"\d\.\d{5,}", body)                          # no full-precision floats
    assert not re.search(r"−[\d.]+–[−\d]|\d–−", body)                 # CIs are [low, high] (APA 7), not low–high
    assert not re.search(r"\d{5}\.\d", body)                           # 33,735.69, never 33735.69
    assert "overflow-wrap:anywhere" not in html
    doc = zipfile.ZipFile(demo / f"{name}.docx").read("word/document.xml").decode("utf-8")
    assert title in unescape(re.sub(r"<[^>]+>", "", doc))
    text = re.sub(r"\w+ =~ [\w +]+", "", re.sub(r"<[^>]+>", "", doc))    # lavaan syntax keeps its keys
    assert not re.search(r"\b(sat|imp|goal)_[a-z_]+\b", text)
    wb = openpyxl.load_workbook(demo / f"{name}.xlsx")
    assert wb.sheetnames[:2] == ["About", "Glossary"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A3"                                 # under the title row and the header
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    about = book(demo, name)["about"].set_index("Item")["Value"]
    assert about["Data folder"] == "demo"                             # a name, never an absolute path
    assert about["Package version"] and about["Date"]
    assert "fewer than 5 persons" in about["Notes"]


def test_two_runs_give_identical_bytes(demo, tmp_path):
    """Same inputs, another run minutes later into other folders (a subset of the reports, to
    keep it quick): every file of both folders, executed notebooks included, byte for byte."""
    again = tmp_path / "again"
    outcomes = run(DEMO, again, only=["01", "03", "04", "07"], workers=2)
    assert {o.notebook[:2] for o in outcomes if o.status == "written"} == {"01", "03", "04", "07"}
    pairs = [(demo, again), (internal_folder(demo), internal_folder(again))]
    files = [(a / f, b / f) for a, b in pairs for f in sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())]
    kinds = {a.suffix for a, _ in files}
    assert len(files) > 40 and {".html", ".docx", ".xlsx", ".csv", ".png", ".svg", ".ipynb"} <= kinds, kinds
    assert sum(a.suffix == ".ipynb" for a, _ in files) == 4
    # the load cache holds raw answers and comments: never left in a report folder
    assert not [a for a, _ in files if a.suffix == ".pickle" or ".cache" in a.parts]
    differ = [str(b) for a, b in files if not a.is_file() or a.read_bytes() != b.read_bytes()]
    assert not differ


ID_COLUMN = re.compile(r"(^|_)id$|respondent_?id|tunnus|tunniste|hetu", re.I)      # not n_respondents


def _blobs(path: Path) -> list[bytes]:
    """A file's bytes; of a Word or Excel file (a zip), each member's, uncompressed."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return [z.read(n) for n in z.namelist()]
    return [path.read_bytes()]


def test_published_folder_holds_no_person_level_data_and_no_paths(demo):
    import os
    import tempfile
    internal = internal_folder(demo)
    assert internal.parent == demo.parent and internal.name == demo.name + "-internal"
    everything = [nb.stem for nb in notebooks()]
    published = [name for name in everything if name not in INTERNAL_REPORTS]
    assert {p.name for p in demo.iterdir()} == {"tables", "figures",
                                                 *(f"{n}{s}" for n in published for s in (".html", ".docx", ".xlsx"))}
    assert {p.name for p in (demo / "tables").iterdir()} == set(published)
    assert all(p.name.startswith(tuple(published)) for p in (demo / "figures").iterdir())
    ids = set()
    for raw in DEMO.glob("*.csv"):
        header = pd.read_csv(raw, nrows=0).columns
        if "respondent_id" in header:
            ids |= set(pd.read_csv(raw, usecols=["respondent_id"], dtype=str)["respondent_id"])
    assert len(ids) > 900
    for path in demo.rglob("*.csv"):                 # no id column, no respondent's id in any cell
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert not [c for c in table.columns if ID_COLUMN.search(c)], path
        assert not ids & set(table.to_numpy().ravel()), path
    for path in demo.glob("*.xlsx"):
        for ws in openpyxl.load_workbook(path, read_only=True).worksheets:
            rows = list(ws.iter_rows(values_only=True))        # a title row, the header, the table, notes
            assert not [c for c in rows[1] if c and ID_COLUMN.search(str(c))], (path.name, ws.title)
            assert not ids & {str(v) for row in rows for v in row if v is not None}, (path.name, ws.title)
    # what was taken out is in the internal folder
    assert (internal / "01_data_intake.html").is_file() and (internal / "tables" / "01_data_intake").is_dir()
    assert len(list((internal / "scores").glob("*_scores.csv"))) == 8
    assert sorted(p.stem for p in (internal / "notebooks").glob("*.ipynb")) == everything
    # no absolute path of this machine in any file of either folder
    places = {str(DEMO.resolve()), str(demo.resolve()), str(internal.resolve()), str(ROOT), "/tmp/", "/work/",
              tempfile.gettempdir().rstrip("/") + "/", os.path.expanduser("~").rstrip("/") + "/"} - {"/"}
    for folder in (demo, internal):
        for path in (p for p in folder.rglob("*") if p.is_file()):
            for blob in _blobs(path):
                found = [place for place in places if place.encode() in blob]
                assert not found, (path, found)


#: English function words (whole words) that a Finnish sentence never has; names of software
#: and instruments (System Usability Scale, psych::alpha) contain none of them.
ENGLISH = re.compile(r"\b(the|of|and|with|is|are|not|were|was|been|have|has|which|that|these|this|from|for|"
                     r"than|only|items|item|rows|correlate|correlates|matrix|smoothed|listwise|left|out|"
                     r"missing value|see)\b", re.I)
#: A Python literal or a placeholder in a published text or table cell.
LITERAL = re.compile(r"\['|\[\"|\{'|\bNone\b|\bnan\b|\bNaN\b|\bTrue\b|\bFalse\b")
#: An absolute path of a POSIX or Windows machine.
ABSOLUTE_PATH = re.compile(r"(?<![\w.<])/(tmp|home|work|Users|var|usr|root)/|\b[A-Z]:\\")


def _texts(path: Path) -> list[str]:
    """The visible text of a report, one piece per paragraph or table cell: the HTML without
    markup, scripts, styles and embedded images; the Word file's paragraphs and cells."""
    if path.suffix == ".docx":
        import docx
        document = docx.Document(str(path))
        cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
        return [p.text for p in document.paragraphs] + cells
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return [unescape(t) for t in re.split(r"<[^>]+>", html)]


def _answers(folder: Path = DEMO) -> set[str]:
    """The free-text answers of the study's files (data, not report text: shown as written)."""
    out: set[str] = set()
    for raw in folder.glob("*.csv"):
        table = pd.read_csv(raw, dtype=str, keep_default_na=False)
        out |= {v.strip() for v in table.to_numpy().ravel() if " " in v}
    return out


def test_finnish_run_is_finnish_throughout(demo, demo_fi):
    answers = _answers()
    found = []
    for name in REPORTS:
        html = (where(demo_fi, name) / f"{name}.html").read_text(encoding="utf-8")
        assert 'lang="fi"' in html and "Synteettinen esimerkkiaineisto" in html
        for english in ("Table ", "Section not produced", "Synthetic demonstration data", "Contents"):
            assert english not in html, (name, english)
        for suffix in (".html", ".docx"):
            path = where(demo_fi, name) / f"{name}{suffix}"
            for text in (t.strip() for t in _texts(path)):
                if not text or text in answers:
                    continue
                words = re.sub(r"--[\w-]+", " ", text)      # the options of a command the report quotes
                for pattern, seen in ((ENGLISH, words), (LITERAL, text), (ABSOLUTE_PATH, text)):
                    if pattern.search(seen):
                        found.append((path.name, pattern.search(seen)[0], text[:160]))
    assert not found, found
    en, fi = book(demo, "04_pilot_evaluation"), book(demo_fi, "04_pilot_evaluation")
    pd.testing.assert_frame_equal(en["change"], fi["change"])          # labels change, numbers do not
    html = (demo_fi / "04_pilot_evaluation.html").read_text(encoding="utf-8")
    assert "Muutos osa-alueittain" in html and "Terveys" in html


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text))


def test_finnish_workbooks_speak_in_words(demo_fi):
    """Every sheet of every workbook of a Finnish run: named and titled in Finnish, headed by the
    report's headings (never the CSV's machine names), numbers as numbers, a hidden cell empty
    with its reason as a comment and the note under the table saying what that means."""
    from analysis.report import i18n
    from analysis.report.present import EXCEL_FORMATS, kind_of

    def symbol(key: str) -> bool:       # a heading that is the same word in both forms (n, df, p)
        return i18n.has(f"columns.{key}", "fi") and i18n.t(f"columns.{key}", "fi") == i18n.t(f"columns.{key}", "en") == key

    note = i18n.t("workbook.hidden_note", "fi", min_count=5)
    hidden_seen = 0
    for name in REPORTS:
        folder = where(demo_fi, name)
        wb = openpyxl.load_workbook(folder / f"{name}.xlsx")
        assert wb.sheetnames[:2] == ["Tietoja", "Sanasto"]
        assert [c.value for c in wb["Tietoja"][2]] == ["Kohta", "Arvo"]
        assert [c.value for c in wb["Sanasto"][2]][:3] == ["Välilehti", "Otsikko", "Sarake CSV:ssä"]
        for ws in wb.worksheets:        # a title row; the sheet is named by its start
            title = " ".join(re.sub(r"[\[\]:*?/\\]", " ", ws["A1"].value or "").split())
            assert title.startswith(ws.title.rstrip("…")) and len(title) > len(ws.title) - 1, ws.title
        csvs = sorted((folder / "tables" / name).glob("*.csv"))
        found = sheet_names(wb)
        assert set(found) == {p.stem for p in csvs} and len(wb.sheetnames) == 2 + len(csvs), name
        for path in csvs:
            ws = wb[found[path.stem]]
            assert ws.title != path.stem and ws["A1"].value.startswith("Taulukko "), (name, ws.title)
            assert len(ws["A1"].value) > len("Taulukko L1 ")                  # the number and the caption
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            keys, header = list(table.columns), [c.value for c in ws[2]]
            assert len(header) == len(keys) == len(set(header)), (name, path.stem, header)
            machine = [k for k, h in zip(keys, header) if h == k and re.fullmatch(r"[a-z][a-z0-9_.]*", k)
                       and not symbol(k)]
            assert not machine, (name, path.stem, machine)
            rows = list(ws.iter_rows(min_row=3, max_row=2 + len(table)))
            hidden = 0
            for j, key in enumerate(keys):
                values = table[key].tolist()
                marks = [v == ".." or bool(re.fullmatch(r"<\d+", v)) for v in values]
                # a column of numbers (by its kind, or by a number cell in it; a text column of
                # codes such as "1" stays text) has number cells only, hidden cells empty
                numbers = [row[j].data_type == "n" for v, row in zip(values, rows) if _is_number(v)]
                numeric = kind_of(key) in EXCEL_FORMATS or any(numbers)
                for value, mark, row in zip(values, marks, rows):
                    cell = row[j]
                    if mark:            # hidden: empty, shaded, its reason in a comment
                        assert cell.value is None and cell.comment.text.startswith("piilotettu"), (name, ws.title)
                        assert cell.fill.fgColor.rgb.endswith("D9D9D9")
                        hidden += 1
                    elif numeric and _is_number(value):
                        assert isinstance(cell.value, (int, float)) and cell.data_type == "n", (name, ws.title, key)
                    else:
                        assert cell.comment is None and not (numeric and isinstance(cell.value, str)
                                                             and re.match(r"[<.]", cell.value)), (name, ws.title, key)
            notes = [c.value for c in ws["A"][3 + len(table):]]
            assert (note in notes) == (hidden > 0), (name, ws.title, notes)
            hidden_seen += hidden
    assert hidden_seen > 50          # the demo hides cells: the check above met them


# --------------------------------------------------------------------------- 01
def test_intake_counts_match_the_files(demo):
    b = book(internal_folder(demo), "01_data_intake")
    intake = b["intake"].set_index("file")
    for f in [p for p in intake.index if p != "(all files)"]:
        assert intake.loc[f, "n_read"] == len(pd.read_csv(DEMO / f)), f
    files = intake.drop(index="(all files)")
    assert (files["n_accepted"] + files["n_rejected"] == files["n_read"]).all()
    miss = b["missing_by_column"].set_index(["file", "column"])
    raw = pd.read_csv(DEMO / "cohort_3x10d.csv")
    assert miss.loc[("cohort_3x10d.csv", "sat_daily_coping"), "missing"] == raw["sat_daily_coping"].isna().sum()


def test_intake_lists_rejected_rows(tmp_path):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    raw = pd.read_csv(data / "cohort_swls.csv")
    raw["swls_3"] = raw["swls_3"].astype(object)
    raw.loc[4, "swls_3"] = 9                               # SWLS items are 1–7; file row 6: an invalid answer
    raw.loc[6, "respondent_id"] = None                     # file row 8: a row without its id is rejected
    raw.to_csv(data / "cohort_swls.csv", index=False)
    out = tmp_path / "out"
    outcomes = run(data, out, only=["01"], workers=1)
    assert outcomes[0].status == "written", outcomes[0]
    internal = tmp_path / "out-internal"                  # beside the published folder, not inside it
    assert internal_folder(out) == internal and not list(out.iterdir())
    b = book(internal, "01_data_intake")
    intake = b["intake"].set_index("file")
    assert intake.loc["cohort_swls.csv", ["n_read", "n_accepted", "n_rejected", "n_invalid"]].tolist() == [900, 899, 1, 1]
    rejected, invalid = b["rejected"], b["invalid_answers"]
    assert rejected[["row", "file"]].values.tolist() == [[8, "cohort_swls.csv"]]   # relative, never absolute
    assert invalid.loc[0, ["row", "column"]].tolist() == [6, "swls_3"] and str(invalid.loc[0, "value"]) == "9"
    assert invalid.loc[0, "file"] == "cohort_swls.csv" and invalid.loc[0, "reason"].startswith("expected an integer 1–7")
    rows = pd.read_csv(internal / "scores" / "cohort_swls_rejected.csv")
    assert rows["file"].tolist() == ["cohort_swls.csv"] * 2 and rows["scope"].tolist() == ["answer", "row"]


# --------------------------------------------------------------------------- 02
def _validation(out: Path, data_dir: Path) -> dict[str, pd.DataFrame]:
    b = book(out, "02_validation_report")
    expected = {"occasions", "sample", "descriptives", "norm_comparison", "floor_ceiling", "reliability",
                "alpha_items", "kmo_bartlett", "kmo_items", "parallel_analysis", "efa_loadings", "cfa_fit",
                "cfa_estimates", "invariance_gender", "invariance_age_group", "convergent",
                "known_service_user", "known_activity", "test_retest", "cosmin_summary"}
    assert expected <= set(b), expected - set(b)
    sample = t1(data_dir)
    rel = b["reliability"].iloc[0]
    assert rel["alpha"] == pytest.approx(pg.cronbach_alpha(sample[SPECIFIC])[0], abs=TOL)
    desc = b["descriptives"].set_index("score")
    assert desc.loc["sat_health", "mean"] == pytest.approx(sample["sat_health"].mean(), abs=TOL)
    return b


def test_validation_report_on_demo(demo):
    b = _validation(demo, DEMO)
    norms = b["norm_comparison"].set_index(["group", "domain"])
    family = norms.loc[("all", "family")]
    assert (family["published_mean"], family["corrected_mean"], family["national_sd"]) == (8.23, 7.23, 1.83)
    joined = t1().merge(pd.read_csv(DEMO / "cohort_background.csv"), on="respondent_id")
    ok = joined["sat_family"].notna()
    assert family["mean"] == pytest.approx(np.average(joined.loc[ok, "sat_family"], weights=joined.loc[ok, "weight"]),
                                           abs=TOL)
    fit = b["cfa_fit"].set_index("measure").iloc[:, 0]
    assert fit["ntotal"] == joined[SPECIFIC].notna().any(axis=1).sum()   # FIML: everyone with an answer
    html = (demo / "02_validation_report.html").read_text(encoding="utf-8")
    assert "full-information maximum likelihood" in html and f"{int(fit['ntotal'])} of 900 respondents used" in html
    assert "modification_indices" in b
    assert fit["df"] == 27                                   # 9 indicators: 45 moments − 18 parameters
    assert b["invariance_gender"].set_index("model").loc["configural", "df"] == 54
    retest = b["test_retest"].set_index("score")
    raw = pd.read_csv(DEMO / "cohort_3x10d.csv")
    pairs = raw.pivot(index="respondent_id", columns="occasion", values="sat_health").dropna()
    icc = pg.intraclass_corr(pairs.reset_index().melt(id_vars="respondent_id"), targets="respondent_id",
                             raters="occasion", ratings="value").set_index("Type").loc["ICC(A,1)", "ICC"]
    assert retest.loc["sat_health", "n"] == len(pairs)
    assert retest.loc["sat_health", "icc"] == pytest.approx(icc, abs=TOL)
    assert b["cosmin_summary"].set_index("property").loc["floor/ceiling", "rating"] in {"+", "−"}
    rel = b["reliability"].iloc[0]                       # omega's percentile bootstrap interval
    assert rel["omega_total_ci_low"] < rel["omega_total"] < rel["omega_total_ci_high"] < 1
    assert "95% bootstrap CI [" in html and "1,000 resamples" in html
    # dynamic fit index cutoffs of the ML fit of complete answers (levels 1-3), the fit's own indices
    # against each, and the COSMIN evidence says whether level 1 is met
    dynamic = b["dynamic_cutoffs"].set_index("level")
    complete = joined[SPECIFIC].dropna()
    assert list(dynamic.index) == [1, 2, 3] and f"500 data sets of {len(complete)} rows each" in html
    assert (dynamic["srmr"].diff().dropna() > 0).all() and (dynamic["cfi"].diff().dropna() < 0).all()
    evidence = b["cosmin_summary"].set_index("property").loc["structural validity", "evidence"]
    verdict = "met" if dynamic.loc[1, "meets_srmr"] else "not met"
    assert f"dynamic cutoffs, level 1 (McNeish & Wolf 2023): SRMR ≤ {dynamic.loc[1, 'srmr']:.3f} {verdict}" in evidence


def test_validation_report_uses_the_data_it_is_given(seed7):
    data, out = seed7
    b = _validation(out, data)
    assert b["reliability"].iloc[0]["alpha"] != pytest.approx(pg.cronbach_alpha(t1()[SPECIFIC])[0], abs=1e-6)


# --------------------------------------------------------------------------- 03
def _weighted_midrank(values, weights, x):
    return 100 * (weights[values < x].sum() + weights[values == x].sum() / 2) / weights.sum()


def test_norms_tables_and_suppression(demo):
    b = book(demo, "03_norms")
    assert {"means_by_cell", "norm_table", "means_by_age_group", "means_by_gender", "lookup_example"} <= set(b)
    joined = t1().merge(pd.read_csv(DEMO / "cohort_background.csv"), on="respondent_id")
    norms = b["norm_table"]
    whole = norms[(norms.score == "sat_life_overall") & (norms.age_group == "all")].set_index("raw")
    ok = joined["sat_life_overall"].notna()
    v, w = joined.loc[ok, "sat_life_overall"].to_numpy(), joined.loc[ok, "weight"].to_numpy()
    assert whole["n_answered"].iloc[0] == ok.sum() and whole["n"].iloc[0] == len(joined)   # answered / persons
    for x in (3.0, 7.0, 10.0):
        assert float(whole.loc[x, "percentile"]) == pytest.approx(_weighted_midrank(v, w, x), abs=1e-9)
    # groups under the plan's norm_min_n (20) get no norms: by hand, the "other" gender cells (5–9 persons)
    sizes = joined.groupby(["age_group", "gender"]).size()
    small = {f"{a} {g}" for (a, g), k in sizes.items() if k < 20}
    assert small and not small & set(norms["age_group"].astype(str) + " " + norms["gender"].astype(str))
    assert (pd.to_numeric(norms["n"]) >= 20).all()
    counts = norms["n_answered"].astype(str)      # a score answered by fewer than 5 of a group: hidden
    masked = counts == MASK
    assert (norms.loc[masked, "percentile"].astype(str) == MASK).all()
    cell = joined[(joined.age_group == "16-19") & (joined.gender == "female")]
    means = b["means_by_cell"].set_index(["age_group", "gender"])
    assert same_or_masked(means.loc[("16-19", "female"), "n"], len(cell))
    lookup = b["lookup_example"].set_index("score")
    group = lookup.loc["sat_life_overall", "group_used"]
    age, gender = group.split(" × ")
    cellp = joined[(joined.age_group == age) & (joined.gender == gender) & joined.sat_life_overall.notna()]
    raw = float(lookup.loc["sat_life_overall", "raw"])
    assert lookup.loc["sat_life_overall", "percentile"] == pytest.approx(
        _weighted_midrank(cellp["sat_life_overall"].to_numpy(), cellp["weight"].to_numpy(), raw), abs=1e-9)


# --------------------------------------------------------------------------- 04
def test_pilot_evaluation(demo):
    b = book(demo, "04_pilot_evaluation")
    raw = pd.read_csv(DEMO / "pilot_3x10d.csv")
    att = b["attrition"].set_index("occasion")["n"]
    for occasion, n in raw["occasion"].value_counts().items():
        assert same_or_masked(att[occasion], n)
    pairs = latest_pairs()
    change = b["change"].set_index("score")
    d = pairs["sat_housing_post"] - pairs["sat_housing_pre"]
    assert change.loc["sat_housing", "n"] == len(pairs)
    assert change.loc["sat_housing", "mean_change"] == pytest.approx(d.mean(), abs=1e-12)
    cohort = pd.read_csv(DEMO / "cohort_3x10d.csv")
    retest = cohort[cohort["respondent_id"].isin(cohort.loc[cohort["occasion"] == "retest", "respondent_id"])]
    icc = pg.intraclass_corr(retest, "respondent_id", "occasion", "sat_life_overall").set_index("Type")
    params = b["rci_parameters"].set_index("score")
    assert params.loc["sat_life_overall", "icc"] == pytest.approx(icc.loc["ICC(A,1)", "ICC"], abs=TOL)
    sd = cohort.loc[cohort["occasion"] == "t1", "sat_life_overall"].std()
    assert params.loc["sat_life_overall", "sd"] == pytest.approx(sd, abs=1e-12)
    n_goals = n_reached = 0
    for dom in DOMAINS:
        ok = pairs[f"goal_{dom}_pre"].notna() & pairs[f"sat_{dom}_post"].notna()
        n_goals += ok.sum()
        n_reached += (ok & (pairs[f"sat_{dom}_post"] >= pairs[f"goal_{dom}_pre"])).sum()
    total = b["goals"].set_index("domain").loc["all"]
    assert (total["n_goals"], total["n_reached"]) == (n_goals, n_reached)
    anchor = pd.read_csv(DEMO / "pilot_anchor.csv").set_index("respondent_id")["anchor"]
    resp = b["responsiveness"].set_index("score")
    both = (pairs["sat_life_overall_post"] - pairs["sat_life_overall_pre"]).to_frame("d").join(anchor, how="inner")
    from scipy import stats
    imp = both["anchor"] >= 1
    u = stats.mannwhitneyu(both.loc[imp, "d"], both.loc[~imp, "d"]).statistic
    assert same_or_masked(resp.loc["sat_life_overall", "auc"], u / (imp.sum() * (~imp).sum()))
    for fig in ("reliable_change", "group_profile"):
        assert (demo / "figures" / f"04_pilot_evaluation_{fig}.png").stat().st_size > 5_000
        assert (demo / "figures" / f"04_pilot_evaluation_{fig}.svg").stat().st_size > 5_000
    # figures of individual clients are not in the published report; it says how to make them
    assert not [p.name for p in (demo / "figures").glob("04_pilot_evaluation_*")
                if p.stem.endswith(("jacobson", "profile_A", "profile_B", "profile_C"))]
    html = (demo / "04_pilot_evaluation.html").read_text(encoding="utf-8")
    assert "withheld from this report" in html and "--internal" in html and "INTERNAL VERSION" not in html


def test_pilot_evaluation_internal_version_has_individual_figures(tmp_path):
    out, internal = tmp_path / "published", tmp_path / "private"
    outcomes = run(DEMO, out, internal_out=internal, only=["04"], parameters=INTERNAL_PARAMETERS, workers=1)
    assert outcomes[3].status == "written" and outcomes[3].detail.endswith("(internal)")
    assert not list(out.iterdir())                        # an internal report is never in the published folder
    for fig in ("jacobson", "profile_A", "reliable_change", "group_profile"):
        assert (internal / "figures" / f"04_pilot_evaluation_{fig}.png").stat().st_size > 5_000
    html = (internal / "04_pilot_evaluation.html").read_text(encoding="utf-8")
    assert "INTERNAL VERSION, NOT FOR PUBLICATION" in html and "withheld from this report" not in html


def test_pilot_evaluation_reports_the_data_it_is_given(seed7):
    data, out = seed7
    change = book(out, "04_pilot_evaluation")["change"].set_index("score")
    pairs = latest_pairs(data)
    assert change.loc["sat_finances", "mean_change"] == pytest.approx(
        (pairs["sat_finances_post"] - pairs["sat_finances_pre"]).mean(), abs=1e-12)


# --------------------------------------------------------------------------- 05
def test_participant_surveys(demo):
    b = book(demo, "05_participant_surveys")
    client = pd.read_csv(DEMO / "client_survey.csv")
    items = b["client_items"].set_index("item")
    assert items.loc["cs_1", "n"] == client["cs_1"].notna().sum()
    assert items.loc["cs_1", "mean"] == pytest.approx(client["cs_1"].mean(), abs=1e-12)
    keyed = client[["cs_4", "cs_5", "cs_6"]].assign(cs_6=6 - client["cs_6"])
    assert b["client_scales"].set_index("score").loc["cs_benefit", "alpha"] == pytest.approx(
        pg.cronbach_alpha(keyed)[0], abs=TOL)
    sus = pd.read_csv(DEMO / "sus.csv")
    odd, even = [f"sus_{i}" for i in (1, 3, 5, 7, 9)], [f"sus_{i}" for i in (2, 4, 6, 8, 10)]
    score = 2.5 * ((sus[odd] - 1).sum(axis=1, skipna=False) + (5 - sus[even]).sum(axis=1, skipna=False))
    row = b["sus"].iloc[0]
    assert row["n"] == score.notna().sum() and row["mean"] == pytest.approx(score.mean(), abs=TOL)
    assert (demo / "figures" / "05_participant_surveys_sus.png").stat().st_size > 5_000
    staff_bg = pd.read_csv(DEMO / "staff_background.csv")
    orgs = b["staff_background"].set_index("category")["n"]
    assert (orgs.drop("all").astype(str) == MASK).all() and orgs["all"] == len(staff_bg)   # each < 5
    comments = pd.concat([b["client_comments"], b["staff_comments"]])
    ids = set(client["respondent_id"]) | set(staff_bg["respondent_id"])
    assert not comments.isin(ids).any().any()


# --------------------------------------------------------------------------- 06
def test_service_use(demo):
    b = book(demo, "06_service_use")
    raw = pd.read_csv(DEMO / "service_use.csv")
    totals = raw.pivot_table(index="service_type", columns="period", values="visits", aggfunc="sum")
    table = b["service_use"].set_index("service_type")
    for service, row in totals.iterrows():
        assert same_or_masked(table.loc[service, "total_before"], row["before"])
        assert same_or_masked(table.loc[service, "rate_ratio"], row["after"] / row["before"], 1e-12)
    assert table.loc["all_services", "n"] == raw["respondent_id"].nunique()


def test_service_use_reports_the_data_it_is_given(seed7):
    data, out = seed7
    raw = pd.read_csv(data / "service_use.csv")
    nurse = raw[raw["service_type"] == "nurse"].groupby("period")["visits"].sum()
    row = book(out, "06_service_use")["service_use"].set_index("service_type").loc["nurse"]
    assert same_or_masked(row["total_before"], nurse["before"]) and same_or_masked(row["total_after"], nurse["after"])


# --------------------------------------------------------------------------- 07
def test_indicators(demo):
    b = book(demo, "07_half_yearly_indicators")
    raw = pd.read_csv(DEMO / "indicators.csv")
    latest = sorted(raw["period"].unique())[-1]
    t = b["indicators"].set_index("indicator")
    assert set(t["period"]) == {latest}
    cur = raw[raw["period"] == latest].set_index("indicator")["value"]
    assert t.loc["plans_reviewed_on_time", "value"] == cur["plans_reviewed_on_time"]
    html = (demo / "07_half_yearly_indicators.html").read_text(encoding="utf-8")
    prev = raw[raw["period"] == t["previous_period"].iloc[0]].set_index("indicator")["value"]
    # by hand: a count under 5 in either period hides its row's change and direction
    shown = [k for k in cur.index if not (k in ("plans_closed",) and min(cur[k], prev[k]) < 5)]
    assert t.loc["plans_closed", "desired"] == ".." and min(cur["plans_closed"], prev["plans_closed"]) < 5
    up = sum(cur[k] > prev[k] for k in shown)                # every demo indicator should rise
    assert f"{up} of {len(shown)} indicators" in html


def test_indicators_period_parameter(tmp_path):
    run_notebook(NOTEBOOK_DIR / "07_half_yearly_indicators.ipynb", DEMO, tmp_path, parameters={"PERIOD": "2016H1"})
    t = book(tmp_path, "07_half_yearly_indicators")["indicators"].set_index("indicator")
    raw = pd.read_csv(DEMO / "indicators.csv").set_index(["period", "indicator"])["value"]
    assert set(t["previous_period"]) == {"2015H2"}
    assert t.loc["clients_with_plan", "change"] == pytest.approx(
        raw[("2016H1", "clients_with_plan")] - raw[("2015H2", "clients_with_plan")])


def test_the_published_demo_gives_nothing_away_across_reports(demo, demo_fi):
    """The attacker's audit over all eight reports' tables together finds no hidden value."""
    from analysis.report.disclosure import audit_folder
    for out in (demo, demo_fi):
        found = audit_folder(out)
        assert found.empty, found.to_string()
        assert len(list((out / "tables").glob("*/disclosure.json"))) >= 7   # the audit saw the reports


# --------------------------------------------------------------------------- final report
def _page_text(html: str) -> str:
    body = re.sub(r"<style>.*?</style>|data:image/png;base64,[A-Za-z0-9+/=]+", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def test_final_report_of_the_finnish_demo(demo_fi):
    """One document of the seven published reports: every table and figure once, numbered
    through and named in the text; a method sentence per chapter; references; no placeholder."""
    from analysis.report import i18n
    from analysis.report.final import NAME

    html = (demo_fi / f"{NAME}.html").read_text(encoding="utf-8")
    text = _page_text(html)
    assert (demo_fi / f"{NAME}.docx").is_file() and 'lang="fi"' in html
    for english in ("Table ", "Figure ", "Section not produced", "Contents", "Osiota ei tuotettu"):
        assert english not in text, english
    # every table and figure of the published reports, once, numbered through
    published = [name for name in REPORTS if where(demo_fi, name) == demo_fi]
    n_tables = n_figures = 0
    for name in published:
        page = (demo_fi / f"{name}.html").read_text(encoding="utf-8")
        n_tables += len(set(re.findall(r"Taulukko (\d+)", _page_text(page))))
        n_figures += len(set(re.findall(r"Kuvio (\d+)\.", _page_text(page))))
    tables = [int(k) for k in dict.fromkeys(re.findall(r"Taulukko (\d+)", text))]
    figures = [int(k) for k in re.findall(r"Kuvio (\d+)\.", text)]
    assert tables == list(range(1, n_tables + 2))                     # + the method chapter's table 1
    assert figures == list(range(1, n_figures + 1))
    # each is named in the text: "ks. taulukko 3", "taulukot 4–6 ja 9", "kuviot 1 ja 2"
    named = {"taulukko": set(), "kuvio": set()}
    for kind, numbers in re.findall(r"\b(taulukk?o|taulukot|kuvio|kuviot) ((?:\d+(?:–\d+)?(?:, | ja )?)+)", text):
        for part in re.findall(r"\d+(?:–\d+)?", numbers):
            a, _, b = part.partition("–")
            named["kuvio" if kind.startswith("kuvio") else "taulukko"] |= set(range(int(a), int(b or a) + 1))
    assert set(tables) <= named["taulukko"] and set(figures) <= named["kuvio"]
    # a method sentence for every chapter, and the references it cites are listed
    analyses = text.split(i18n.t("final.method.analyses", "fi"))[2].split(i18n.t("final.method.software", "fi"))[0]
    for name in published:
        assert i18n.t(f"{name}.title", "fi") + "." in analyses, name
    assert "Rosseel, Y. (2012)" in text and re.search(r"\([^()]*Rosseel, 2012[;)]", text)
    # Finnish throughout: no English word, Python literal or path outside the references
    answers, found = _answers(), []
    for suffix in (".html", ".docx"):
        texts = [t.strip() for t in _texts(demo_fi / f"{NAME}{suffix}")]
        heading = i18n.t("final.references", "fi")
        start = max(i for i, t in enumerate(texts) if t.endswith(heading))          # the last: not the contents
        end = next(i for i in range(start, len(texts)) if texts[i].startswith(i18n.t("final.appendix.heading", "fi")))
        software = "youth-services-analysis"
        for text in texts[:start] + texts[end:]:
            if not text or text in answers or software in text:        # the software's own names and citations
                continue
            words = re.sub(r"--[\w-]+", " ", text)
            for pattern, seen in ((ENGLISH, words), (LITERAL, text), (ABSOLUTE_PATH, text)):
                if pattern.search(seen):
                    found.append((suffix, pattern.search(seen)[0], text[:160]))
    assert not found, found
