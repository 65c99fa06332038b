"""An attacker against the published reports (issue 22): nothing about a person may be derived
from a report's page, its workbook or its machine tables, alone or together.

A small study is written here by hand the way an evaluator's tools export it (Finnish ``;``
CSV files and a manifest): 23 pilot clients (genders 11/6/2/4 with 4 missing, age groups
5/11/6 with 1 missing; 16 with the last follow-up, 3 with the middle one only, 4 with a single
reading), a client survey of 20 where some items have one client agreeing, 7 professionals
of whom one answered 1 where the others answered 4, a visit extract in which one service has
3 users, and indicators in which one municipality is small. The report command is run on it
and every attack below is tried on the published folder: none may recover a hidden value.
Each attack is first shown to succeed on the same numbers as the reports published them
before (primary suppression only, ``persons`` columns, the whole cohort as every service's
n), so that a test can fail.

The attacks are written here, apart from :mod:`analysis.report.disclosure`, from what a
reader has: subtraction (a total minus its parts), percentage × n, the answer distribution
on a bounded scale from n, mean, SD and % agreeing (:func:`~analysis.report.disclosure.distribution_solutions`),
the sign test and the direction of the rank-biserial, groups by difference (everyone with a
change minus the completers), the indicators' declared relations and their change column,
all reports together (:func:`~analysis.report.disclosure.audit_folder`), and the machine
tables (CSV and workbook) against each other.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_tables import book, read_sheet, sheets
from test_reports_real_study import DOMAINS_FI, KEYS, _write

from analysis.cli import main
from analysis.intake.manifest import load_study
from analysis.report import disclosure
from analysis.report.disclosure import (
    Policy,
    TableSpec,
    audit_folder,
    distribution_solutions,
    read_table,
    sign_test_solutions,
    write_declarations,
)
from analysis.stats.change import attrition, paired_change
from analysis.stats.descriptives import composition
from analysis.study import indicators, pilot, surveys
from analysis.study.service_use import service_use_change, visit_windows

pytestmark = pytest.mark.xdist_group("study-reports")

MASKS = {"<5", ".."}
REPORTS = ["04_pilot_evaluation", "05_participant_surveys", "06_service_use", "07_half_yearly_indicators"]


# --------------------------------------------------------------------------- the study
#: Open answers with personal details (invented people), each with the part a reader must not
#: see; the rest of the answer is published.
COMMENT_DETAILS = {
    "Virtasen Matti auttoi minua paljon.": "Virtasen",
    "Iso kiitos Heikkilälle tuesta.": "Heikkilälle",
    "Ohjaaja Niemi oli paras.": "Niemi",
    "MATTI VIRTANEN vastasi aina.": "VIRTANEN",
    "Soittakaa 040.123.4567 jos tarvitsette.": "040.123",
    "Numeroni on 358 40 123 4567.": "123 4567",
    "Viestit osoitteeseen matti at example dot com.": "example dot com",
    "Tai liisa(a)example.fi kiitos.": "example.fi",
    "Henkilötunnukseni on 131052 308T.": "308T",
    "Asun Hämeenkadulla 5 A 10 yksin.": "Hämeenkadulla",
    "Palkka tilille FI21 1234 5600 0007 85 ajoissa.": "0007 85",
    "Löydät minut @mattiv_88 palvelusta.": "mattiv_88",
}
COMMENTS = list(COMMENT_DETAILS)


def attack_study(folder: Path) -> Path:
    """The hand-written study of the issue (see the module docstring)."""
    rng = np.random.default_rng(22)
    ids = [f"A{i:02d}" for i in range(23)]
    rows = []
    for i, rid in enumerate(ids):
        base = rng.integers(2, 9, 10)
        rows.append({"Tunniste": rid, "Mittauskerta": "alku", **dict(zip(DOMAINS_FI, base))})
        if i < 19:          # 16 completers (12kk), 3 with the 6kk reading only, 4 with one reading
            after = np.clip(base + rng.integers(-2, 4, 10), 0, 10)
            rows.append({"Tunniste": rid, "Mittauskerta": "12kk" if i < 16 else "6kk", **dict(zip(DOMAINS_FI, after))})
            if i < 8:
                rows.append({"Tunniste": rid, "Mittauskerta": "6kk", **dict(zip(DOMAINS_FI, np.clip(base + 1, 0, 10)))})
    background = pd.DataFrame({"Tunniste": ids, "Sukupuoli": ["nainen"] * 11 + ["mies"] * 6 + ["muu"] * 2 + [None] * 4,
                               "Ikä": [17] * 5 + [22] * 11 + [27] * 6 + [None]})
    client = pd.DataFrame({"Tunniste": ids[:20]})
    for k in range(1, 16):
        x = rng.integers(1, 6, 20)
        if k % 3 == 0:                                  # one client of 20 agrees: 5.0 %
            x = rng.integers(1, 4, 20)
            x[0] = 5
        client[f"cs_{k}"] = x
    client["Mikä toimi hyvin?"] = COMMENTS + ["Sain apua nopeasti."] * (20 - len(COMMENTS))
    staff = pd.DataFrame({"Tunniste": [f"S{i}" for i in range(7)],
                          **{f"ss_{k}": rng.integers(3, 6, 7) for k in range(1, 14)}})
    staff["ss_1"] = [4, 4, 4, 4, 4, 4, 1]               # six 4s and one 1: 85.7 % agree, M 3.571, SD 1.134
    # 18 clients with a plan, 16 with both windows complete; the psychologist is seen by 3
    plan_day = [pd.Timestamp(2024, 3, i + 1) for i in range(16)] + [pd.Timestamp(2024, 8, 1), pd.Timestamp(2024, 8, 2)]
    plans = pd.DataFrame({"asiakastunnus": ids[:18],
                          "suunnitelman päivämäärä": [f"{d.day}.{d.month}.{d.year}" for d in plan_day]})
    visits = []
    for i, (rid, plan) in enumerate(zip(ids[:18], plan_day)):
        for service in ["terveydenhoitaja"] + (["sosiaalityö"] if i % 4 else []) + (["psykologi"] if i < 3 else []):
            for _ in range(rng.integers(1, 5)):
                day = min(plan + pd.Timedelta(days=int(rng.integers(-170, 170))), pd.Timestamp(2024, 9, 29))
                visits.append({"asiakastunnus": rid, "käyntipäivä": f"{day.day}.{day.month}.{day.year}",
                               "palvelu": service})
    visits.append({"asiakastunnus": ids[0], "käyntipäivä": "30.9.2024", "palvelu": "terveydenhoitaja"})
    # Kuopio 6 → 3 of 13 → 15 clients; its share 46.2 % → 20.0 %
    values = pd.DataFrame({"kausi": ["2025 H1"] * 4 + ["2025 H2"] * 4,
                           "indikaattori": ["asiakkaat", "asiakkaat_siilinjarvi", "asiakkaat_kuopio", "osuus_kuopio"] * 2,
                           "arvo": [13, 7, 6, 46.2, 15, 12, 3, 20.0]})
    catalogue = pd.DataFrame({
        "indikaattori": ["asiakkaat", "asiakkaat_siilinjarvi", "asiakkaat_kuopio", "osuus_kuopio"],
        "nimi": ["Asiakkaat", "Asiakkaat, Siilinjärvi", "Asiakkaat, Kuopio", "Kuopion osuus (%)"],
        "yksikkö": ["lkm", "lkm", "lkm", "%"], "suunta": ["ylös"] * 4,
        "osien summa": ["asiakkaat_siilinjarvi + asiakkaat_kuopio", None, None, None],
        "osuus": [None, None, None, "asiakkaat_kuopio / asiakkaat"]})
    return _write(folder, """\
title: Hyökkäystesti, pilotti 2025
synthetic: false
language: fi
occasions:
  pilot: [alku, 6kk, 12kk]
files:
  - {path: asiakkaat.csv, population: pilot, instrument: 3x10d}
  - {path: taustat.csv, population: pilot, dataset: background}
  - {path: asiakaskysely.csv, population: pilot, instrument: client-survey}
  - {path: henkilosto.csv, population: staff, instrument: staff-survey}
  - {path: kaynnit.csv, population: pilot, dataset: service-visits}
  - {path: suunnitelmat.csv, population: pilot, dataset: plan-dates}
  - {path: indikaattorit.csv, population: pilot, dataset: indicators}
  - {path: luettelo.csv, population: pilot, dataset: indicator-catalogue}
""", {"asiakkaat.csv": pd.DataFrame(rows), "taustat.csv": background, "asiakaskysely.csv": client,
      "henkilosto.csv": staff, "kaynnit.csv": pd.DataFrame(visits), "suunnitelmat.csv": plans,
      "indikaattorit.csv": values, "luettelo.csv": catalogue})


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The study, and its reports 04–07 as the report command publishes them."""
    data = attack_study(tmp_path_factory.mktemp("attack") / "pilotti")
    out = tmp_path_factory.mktemp("attack-out") / "julkaisu"
    assert main(["report", "--data", str(data), "--out", str(out), "--only", "04,05,06,07"]) == 0
    return data, out, {name: book(out, name) for name in REPORTS}


@pytest.fixture(scope="module")
def unprotected(published):
    """The same study's tables as they were published before: the statistics functions' output
    with primary suppression only, each service's n the whole compared cohort, the visit
    accounting's ``persons`` column next to its values."""
    data, _, _ = published
    study = load_study(data)
    scores = study.scores("pilot", "3x10d")
    occasions = study.occasions("pilot")
    pair = pilot.latest_reading(scores, KEYS, occasions[0], occasions[1:])
    windows = visit_windows(study.table("pilot", "service-visits"), study.table("pilot", "plan-dates"))
    visits = windows.counts.pivot_table(index="respondent_id", columns=["period", "service_type"], values="visits")
    services = service_use_change(windows.counts, n_boot=200, seed=1)
    cohort = services.copy()                      # every service's n and means over all compared clients
    for i, service in enumerate(cohort["service_type"]):
        for period in ("before", "after"):
            x = (visits[period].sum(axis=1) if service == "all_services" else visits[(period, service)]).to_numpy()
            cohort.loc[i, ["n", f"mean_{period}", f"sd_{period}"]] = [len(x), x.mean(), x.std(ddof=1)]
    accounting = windows.accounting()
    persons = {"n_clients": windows.n_clients, "n_complete": windows.n_complete, "n_incomplete": windows.n_incomplete,
               "n_included": windows.n_included, "n_no_plan_date": windows.n_no_plan_date,
               "visits_counted": windows.n_included, "visits_excluded_clients": windows.n_incomplete,
               "visits_outside_windows": windows.n_included, "visits_no_plan_date": windows.n_no_plan_date}
    accounting["persons"] = accounting["measure"].map(persons).astype("Int64")
    report = indicators.indicator_report(study.table("pilot", "indicators"), catalogue=study.table("pilot", "indicator-catalogue"))
    primary = lambda t, counts: disclosure.suppress_small_cells(t, counts)       # noqa: E731
    return {
        "background": primary(composition(study.table("pilot", "background"), ["gender", "age_group"], total=True), ["n"]),
        "client_items": surveys.item_summary(study.responses("pilot", "client-survey"), "client-survey"),
        "staff_items": surveys.item_summary(study.responses("staff", "staff-survey"), "staff-survey"),
        "change": paired_change(pair.pre, pair.post),
        "attrition_baseline": attrition(scores, KEYS, occasions).baseline,
        "service_use": cohort,
        "visit_accounting": disclosure.mask_small_groups(accounting),
        "indicators": disclosure.mask_small_counts(report),
    }


# --------------------------------------------------------------------------- the attacks
def _number(value) -> float | None:
    if value is None or (isinstance(value, str) and value in MASKS) or pd.isna(value):
        return None
    return float(value)


def subtraction(table: pd.DataFrame, group: str, total: str, count: str, by: str | None = None) -> list:
    """A total minus its shown parts: a hidden part when it is the only one."""
    found = []
    for _, rows in table.groupby(by) if by else [(None, table)]:
        whole = rows[rows[group] == total]
        parts = rows[rows[group] != total]
        hidden = parts[parts[count].map(_number).isna()]
        if len(whole) == 1 and len(hidden) == 1 and _number(whole[count].iloc[0]) is not None:
            value = _number(whole[count].iloc[0]) - parts[count].map(_number).sum()
            found.append((hidden[group].iloc[0], count, value))
    return found


def percentage(table: pd.DataFrame, group: str, total: str, count: str, pct: str, by: str | None = None) -> list:
    """A hidden count from its shown percentage of a shown total."""
    found = []
    for _, rows in table.groupby(by) if by else [(None, table)]:
        whole = rows[rows[group] == total][count].map(_number)
        for _, row in rows[rows[group] != total].iterrows():
            if _number(row[count]) is None and _number(row[pct]) is not None and len(whole) and whole.iloc[0]:
                found.append((row[group], count, _number(row[pct]) * whole.iloc[0] / 100))
    return found


def few_agreeing(table: pd.DataFrame, key: str, n: str = "n", pct: str = "pct_agree", min_n: int = 5) -> list:
    """Percentage × n: a share of the respondents that is 1–4 persons (or leaves 1–4 out)."""
    found = []
    for _, row in table.iterrows():
        size, share = _number(row[n]), _number(row[pct])
        if size is not None and share is not None:
            k = round(share * size / 100)
            if 1 <= k < min_n or 1 <= size - k < min_n:
                found.append((row[key], pct, k))
    return found


def answers(table: pd.DataFrame, key: str, scale=(1, 5), n: str = "n", mean: str = "mean", sd: str = "sd",
            pct: str = "pct_agree") -> list:
    """n, mean, SD and % agreeing (the top two answers) with exactly one answer distribution."""
    found = []
    for _, row in table.iterrows():
        size = _number(row[n])
        shown = [_number(row[mean]), _number(row[sd]), _number(row[pct])]
        if size is None or shown == [None, None, None]:
            continue
        shares = [(scale[1] - 1, scale[1], shown[2])] if shown[2] is not None else []
        solutions = distribution_solutions(int(size), shown[0], shown[1], scale, shares, limit=2)
        if len(solutions) == 1:
            found.append((row[key], mean, solutions[0].tolist()))
    return found


def visits_of_users(table: pd.DataFrame) -> list:
    """Each user's visits from n, total (the highest possible visits of one), mean and SD."""
    found = []
    for _, row in table.iterrows():
        for period in ("before", "after"):
            size, total = _number(row["n"]), _number(row[f"total_{period}"])
            mean, sd = _number(row[f"mean_{period}"]), _number(row[f"sd_{period}"])
            if None in (size, total, mean) or not 0 < total <= 30:
                continue
            solutions = distribution_solutions(int(size), mean, sd, (0, int(total)), limit=2)
            if len(solutions) == 1:
                found.append((row["service_type"], period, solutions[0].tolist()))
    return found


def who_rose(table: pd.DataFrame, min_n: int = 5) -> list:
    """The sign test's p and n give how many rose and fell (the rank-biserial's sign says which):
    a disclosure when the smaller side is 1–4 persons in every solution."""
    found = []
    for _, row in table.iterrows():
        size, p = _number(row["n"]), _number(row["p_sign"])
        if size is None or p is None:
            continue
        solutions = sign_test_solutions(int(size), p)
        if solutions and all(1 <= min(up, down) < min_n for up, down in solutions):
            found.append((row["service_type"], "p_sign", solutions))
    return found


def difference(change: pd.DataFrame, baseline: pd.DataFrame, min_n: int = 10) -> list:
    """Everyone with a change minus the completers: the first reading of the clients who had a
    follow-up but not the last one (a group under ``min_n``)."""
    found = []
    rows = change.set_index("score").join(baseline.set_index("score"), how="inner")
    for score, row in rows.iterrows():
        n_all, n_done = _number(row["n"]), _number(row["n_completers"])
        m_all, m_done = _number(row["mean_pre"]), _number(row["mean_completers"])
        if None not in (n_all, n_done, m_all, m_done) and 0 < n_all - n_done < min_n:
            found.append((score, "mean_pre", (n_all * m_all - n_done * m_done) / (n_all - n_done)))
    return found


def indicator_relations(table: pd.DataFrame, sums: list, shares: list) -> list:
    """The indicators' relations: a total minus its shown parts, a share × its total, and the
    change column next to one hidden period."""
    t = table.set_index("indicator")
    found = []
    for total, parts in sums:
        for col in ("value", "previous"):
            hidden = [p for p in parts if _number(t.loc[p, col]) is None]
            if len(hidden) == 1 and _number(t.loc[total, col]) is not None:
                found.append((hidden[0], col, _number(t.loc[total, col]) - sum(_number(t.loc[p, col]) or 0 for p in parts)))
    for share, part, total in shares:
        for col in ("value", "previous"):
            if _number(t.loc[part, col]) is None and None not in (_number(t.loc[share, col]), _number(t.loc[total, col])):
                found.append((part, col, _number(t.loc[share, col]) * _number(t.loc[total, col]) / 100))
    for key, row in t.iterrows():
        value, previous, change = (_number(row[c]) for c in ("value", "previous", "change"))
        if change is not None and (value is None) != (previous is None):
            found.append((key, "value" if value is None else "previous",
                          previous + change if value is None else value - change))
    return found


def undeclared_numbers(table: pd.DataFrame, spec: TableSpec | None) -> list:
    """Numbers in a machine table that its declaration does not cover (so that no disclosure
    control saw them), in a row where a cell is hidden: e.g. a ``persons`` column."""
    covered = set()
    if spec is not None:
        stats = spec.stats if spec.stats is not None else spec.stat_columns(table, MASKS)
        covered = {*spec.counts, *spec.labels, *spec.dims, *spec.context, *spec.means, *spec.sds, *spec.sums,
                   *spec.shares, *spec.percents, spec.measure, *stats}
    found = []
    for i, row in table.iterrows():
        if not any(isinstance(v, str) and v in MASKS for v in row):
            continue
        found += [(i, c, row[c]) for c in table.columns if c not in covered
                  and isinstance(row[c], (int, float)) and not isinstance(row[c], bool) and not pd.isna(row[c])]
    return found


def marks(table: pd.DataFrame) -> set:
    return {(i, j) for i, row in enumerate(table.itertuples(index=False)) for j, v in enumerate(row)
            if isinstance(v, str) and v in MASKS}


def workbook_and_csv_apart(out: Path) -> list:
    """Cells hidden in a machine CSV but shown in the workbook (or the other way: in the
    workbook a hidden cell is empty, its reason a comment), and tables or columns of the CSV
    that the workbook leaves out."""
    found = []
    for report in REPORTS:
        book_sheets = sheets(out / f"{report}.xlsx")
        for path in sorted((out / "tables" / report).glob("*.csv")):
            machine = read_table(path)
            if not len(machine):
                continue
            ws = book_sheets.get(path.stem)
            if ws is None or read_sheet(ws).shape != machine.shape:
                found.append((report, path.stem, "shape"))
                continue
            hidden = {(i, j) for i, row in enumerate(ws.iter_rows(min_row=3, max_row=2 + len(machine)))
                      for j, cell in enumerate(row) if cell.value is None and cell.comment is not None}
            found += [(report, path.stem, cell) for cell in marks(machine) ^ hidden]
    return found


# --------------------------------------------------------------------------- each attack works on unprotected tables
def test_attacks_recover_values_from_the_former_tables(unprotected):
    u = unprotected
    # subtraction: 23 − 5 − 11 − 6 = 1 client without an age
    assert ("(missing)", "n", 1.0) in subtraction(u["background"], "category", "all", "n", by="variable")
    # percentage × n: 5.0 % of 20 is one client
    assert ("cs_3", "pct_agree", 1) in few_agreeing(u["client_items"], "item")
    # n, mean, SD and % agree on 1–5: six professionals answered 4 and one 1
    assert ("ss_1", "mean", [1, 0, 0, 6, 0]) in answers(u["staff_items"], "item")
    assert len(answers(u["staff_items"], "item")) >= 10
    # the psychologist's 3 users among 16: n, total, mean and SD give every user's visits
    assert any(service == "psykologi" for service, _, _ in visits_of_users(u["service_use"]))
    # everyone with a change (19) minus the completers (16): 3 clients' first reading
    assert len(difference(u["change"], u["attrition_baseline"])) == len(KEYS)
    # indicators: Kuopio 15 − 12 = 3 and 20.0 % × 15 = 3; its hidden previous value 13 − 7 = 6
    found = indicator_relations(u["indicators"], [("asiakkaat", ["asiakkaat_siilinjarvi", "asiakkaat_kuopio"])],
                                [("osuus_kuopio", "asiakkaat_kuopio", "asiakkaat")])
    assert {("asiakkaat_kuopio", "value", 3.0), ("asiakkaat_kuopio", "previous", 6.0)} <= set(found)
    assert ("asiakkaat_kuopio", "value", 3.0) in found and len(found) >= 3
    # machine table: the persons column beside the values the page hides (2 clients left out)
    spec = TableSpec(population="visits", measure="measure", counts=["value"], stats=[])
    leaked = undeclared_numbers(u["visit_accounting"], spec)
    assert any(column == "persons" and value == 2 for _, column, value in leaked)


def test_sign_test_attack_works():
    # three users, all of them fewer visits: p = .25 → one solution with nobody up (found by the
    # sign-test enumeration); with 12 users of whom 2 fell, p = .039 pins the 2
    table = pd.DataFrame({"service_type": ["x"], "n": [12], "p_sign": [0.03857421875]})
    assert who_rose(table) == [("x", "p_sign", [(2, 10), (10, 2)])]


# --------------------------------------------------------------------------- none works on the published reports
def test_reports_are_written(published):
    _, out, books = published
    for name in REPORTS:
        assert (out / f"{name}.html").exists() and (out / "tables" / name / "disclosure.json").exists()


def test_subtraction_and_percentages(published):
    _, _, b = published
    background = b["04_pilot_evaluation"]["background"]
    assert subtraction(background, "category", "all", "n", by="variable") == []
    assert percentage(background, "category", "all", "n", "pct", by="variable") == []
    bands = b["04_pilot_evaluation"]["bands"]
    for count in ("n_first", "n_latest"):
        assert subtraction(bands, "band", "all", count, by="domain") == []
    accounting = b["06_service_use"]["visit_accounting"]
    rows = accounting.set_index("measure")["value"]
    clients = [_number(rows[m]) for m in ("n_clients", "n_complete", "n_incomplete")]
    assert clients.count(None) != 1                                 # 18 = complete + incomplete
    read = [_number(rows[m]) for m in ("visits_read", "visits_counted", "visits_excluded_clients",
                                       "visits_outside_windows", "visits_no_plan_date")]
    assert read.count(None) != 1


def test_few_persons_in_a_percentage(published):
    _, _, b = published
    surveys_ = b["05_participant_surveys"]
    assert few_agreeing(surveys_["client_items"], "item") == []
    assert few_agreeing(surveys_["client_scales"], "score") == []
    assert few_agreeing(surveys_["staff_items"], "item") == []


def test_answer_distributions_have_more_than_one_solution(published):
    _, _, b = published
    for table in ("client_items", "staff_items"):
        assert answers(b["05_participant_surveys"][table], "item") == []
    items = b["05_participant_surveys"]["staff_items"]
    assert (items["n"] == 7).all() and items[["mean", "sd", "pct_agree"]].isin(MASKS).all().all()


def test_service_use_rests_on_its_users(published):
    _, _, b = published
    table = b["06_service_use"]["service_use"].set_index("service_type")
    assert table.loc["psykologi", "n"] in MASKS and table.loc["terveydenhoitaja", "n"] == 16
    assert visits_of_users(table.reset_index()) == []
    assert who_rose(table.reset_index()) == []
    # the services' visits add up to all services': the psychologist's may not follow from them
    for period in ("before", "after"):
        shown = [_number(table.loc[s, f"total_{period}"]) for s in table.index if s != "all_services"]
        assert shown.count(None) != 1 or _number(table.loc["all_services", f"total_{period}"]) is None


def test_groups_by_difference(published):
    _, _, b = published
    report = b["04_pilot_evaluation"]
    assert difference(report["change"], report["attrition_baseline"]) == []
    assert report["change"]["mean_pre"].map(_number).notna().all()      # the change table itself stays


def test_indicator_relations(published):
    data, _, b = published
    table = b["07_half_yearly_indicators"]["indicators"]
    relations = indicators.declared_relations(load_study(data).table("pilot", "indicator-catalogue"))
    assert relations == {"sum_of": [("asiakkaat", ["asiakkaat_siilinjarvi", "asiakkaat_kuopio"])],
                         "share_of": [("osuus_kuopio", "asiakkaat_kuopio", "asiakkaat")]}
    assert indicator_relations(table, relations["sum_of"], relations["share_of"]) == []
    kuopio = table.set_index("indicator").loc["asiakkaat_kuopio"]
    assert kuopio["value"] == "<5" and kuopio["change"] in MASKS


def test_all_reports_together(published):
    _, out, _ = published
    assert audit_folder(out).empty


def test_cross_report_attack_works_and_finds_nothing_here(published, tmp_path):
    """Two reports publishing the same clients' background, each protected on its own: the
    attack over the folder combines them. Shown with a copy of report 04's background beside
    one protected differently."""
    _, out, _ = published
    folder = tmp_path / "two"
    shutil.copytree(out / "tables", folder / "tables")
    own = folder / "tables" / "99_other"
    own.mkdir()
    other = read_table(out / "tables" / "04_pilot_evaluation" / "background.csv")
    other = other[other["variable"] == "gender"].reset_index(drop=True)
    other["n"] = [11, "..", "<5", "<5", ".."]            # another report's own complement: all hidden, female shown
    other["pct"] = other["n"].map(lambda v: v if isinstance(v, str) else 100 * v / 23)
    other.to_csv(own / "background.csv", index=False)
    write_declarations(Policy(), {"background": TableSpec(population="pilot clients", dims=["category"],
                                                          context=["variable"], percents=["pct"])}, own)
    leaks = audit_folder(folder)          # 04's hidden female count is the other report's 11
    female = leaks[(leaks["table"] == "04_pilot_evaluation/background") & leaks["group"].str.endswith("category=female")]
    assert female[["column", "value"]].values.tolist() == [["n", 11.0], ["pct", 100 * 11 / 23]]
    assert audit_folder(out).empty


def _published_text(out: Path) -> str:
    """Every word a reader of the published folder can read: pages, Word, workbooks, CSV."""
    from docx import Document
    texts = []
    for path in sorted(out.rglob("*")):
        if path.suffix in (".html", ".csv", ".json", ".svg"):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        elif path.suffix == ".docx":
            doc = Document(str(path))
            texts += [p.text for p in doc.paragraphs]
            texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        elif path.suffix == ".xlsx":
            for sheet in pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl").values():
                texts += sheet.astype(str).to_numpy().ravel().tolist()
    return "\n".join(map(str, texts))


def test_comments_keep_no_personal_detail(published):
    """The attack on open answers: each comment is published (its other words are there), and
    none of its personal details is, in any file of the published folder."""
    _, out, _ = published
    text = _published_text(out)
    assert "auttoi minua paljon" in text and "oli paras" in text      # the comments are published
    found = {detail for detail in COMMENT_DETAILS.values() if detail in text}
    assert not found, found


def test_the_comment_attack_would_find_an_unscreened_detail(published, tmp_path):
    _, out, _ = published
    (tmp_path / "leak.csv").write_text("kommentti\nOhjaaja Niemi oli paras.\n", encoding="utf-8")
    assert "Niemi" in _published_text(tmp_path) and "Niemi" not in _published_text(out)


def test_machine_tables_equal_the_published_tables(published):
    _, out, b = published
    assert workbook_and_csv_apart(out) == []
    for report in REPORTS:
        declared = json.loads((out / "tables" / report / "disclosure.json").read_text(encoding="utf-8"))["tables"]
        for name, table in b[report].items():
            if name in ("about", "glossary"):
                continue
            spec = TableSpec.from_dict(declared[name]) if name in declared else None
            assert undeclared_numbers(read_table(out / "tables" / report / f"{name}.csv"), spec) == [], (report, name)
    accounting = b["06_service_use"]["visit_accounting"]
    assert list(accounting.columns) == ["measure", "value"]          # no persons column


def test_the_page_says_which_rule(published):
    _, out, b = published
    html = (out / "05_participant_surveys.html").read_text(encoding="utf-8")
    assert "Tietosuoja (sääntö ”project”)" in html and "vähintään 10 henkilön ryhmistä" in html
    about = b["05_participant_surveys"]["about"]
    assert about.astype(str).apply(lambda c: c.str.contains("ACRO")).any().any()


def test_recovered_before_and_after(published, unprotected):
    """The count of values each attack recovers, before and after (the issue's measure)."""
    _, _, b = published
    u = unprotected
    sums = [("asiakkaat", ["asiakkaat_siilinjarvi", "asiakkaat_kuopio"])]
    shares = [("osuus_kuopio", "asiakkaat_kuopio", "asiakkaat")]
    spec = TableSpec(population="visits", measure="measure", counts=["value"], stats=[])
    attacks = {
        "subtraction": (lambda t: subtraction(t["background"], "category", "all", "n", by="variable")),
        "percentage × n": (lambda t: few_agreeing(t["client_items"], "item")),
        "distribution": (lambda t: answers(t["client_items"], "item") + answers(t["staff_items"], "item")),
        "visits of users": (lambda t: visits_of_users(t["service_use"])),
        "groups by difference": (lambda t: difference(t["change"], t["attrition_baseline"])),
        "indicators": (lambda t: indicator_relations(t["indicators"], sums, shares)),
        "machine tables": (lambda t: undeclared_numbers(t["visit_accounting"], spec)),
    }
    after = {**b["04_pilot_evaluation"], **b["05_participant_surveys"], **b["06_service_use"],
             **b["07_half_yearly_indicators"]}
    before_counts = {k: len(f(u)) for k, f in attacks.items()}
    after_counts = {k: len(f(after)) for k, f in attacks.items()}
    assert all(before_counts.values()), before_counts
    assert not any(after_counts.values()), after_counts


def test_undeclared_indicator_relation_is_protected_and_named(tmp_path):
    """A catalogue that does not say that the total is the sum of the municipalities: the
    relation is found in the data, protected, and named in the report's notes."""
    values = pd.DataFrame({"kausi": ["2025 H1"] * 3 + ["2025 H2"] * 3,
                           "indikaattori": ["asiakkaat", "asiakkaat_siilinjarvi", "asiakkaat_kuopio"] * 2,
                           "arvo": [13, 7, 6, 15, 12, 3]})
    catalogue = pd.DataFrame({"indikaattori": ["asiakkaat", "asiakkaat_siilinjarvi", "asiakkaat_kuopio"],
                              "nimi": ["Asiakkaat", "Siilinjärvi", "Kuopio"], "yksikkö": ["lkm"] * 3})
    folder = _write(tmp_path / "ind", """\
language: fi
files:
  - {path: indikaattorit.csv, population: pilot, dataset: indicators}
  - {path: luettelo.csv, population: pilot, dataset: indicator-catalogue}
""", {"indikaattorit.csv": values, "luettelo.csv": catalogue})
    out = tmp_path / "out"
    assert main(["report", "--data", str(folder), "--out", str(out), "--only", "07"]) == 0
    table = book(out, "07_half_yearly_indicators")["indicators"]
    assert indicator_relations(table, [("asiakkaat", ["asiakkaat_siilinjarvi", "asiakkaat_kuopio"])], []) == []
    html = (out / "07_half_yearly_indicators.html").read_text(encoding="utf-8")
    assert "Indikaattori Asiakkaat on aineiston jokaisella kaudella summa Kuopio + Siilinjärvi" in html
    assert audit_folder(out).empty


def test_a_stricter_preset_from_the_manifest(published, tmp_path):
    """``disclosure: {preset: acro}``: counts under 10 hidden, as the method note says."""
    data, _, _ = published
    folder = tmp_path / "acro"
    shutil.copytree(data, folder)
    manifest = (folder / "manifest.yaml").read_text(encoding="utf-8")
    (folder / "manifest.yaml").write_text(manifest.replace("language: fi\n", "language: fi\ndisclosure: {preset: acro}\n"),
                                          encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", "--data", str(folder), "--out", str(out), "--only", "05"]) == 0
    items = book(out, "05_participant_surveys")["staff_items"]
    assert (items["n"] == "<10").all()
    assert "ACRO/SACRO" in (out / "05_participant_surveys.html").read_text(encoding="utf-8")
    assert audit_folder(out).empty
