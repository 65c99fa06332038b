"""Issue 20 — who needs many services, and how the model ran (report 08).

References: ``tests/fixtures/r/process.json`` (made by ``tests/r/process.R``: survival 3.5.3
``survfit``/``quantile``, ineq's Gini formula, ``aov`` + multilevel::ICC1/ICC2, psych::ICC) and
hand computations here (pairwise Gini, a product-limit loop, a one-way ANOVA, pandas counts).
Tolerances: R's and our arithmetic are the same floating-point formulas, so 1e-12 for the
Kaplan–Meier curve, Gini and Lorenz points and 1e-10 for mean squares, F, p and ICCs (R writes
15–17 significant digits); quantile times are exact (they are observed times or their midpoints).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.intake.manifest import ManifestError, load_study, read_manifest
from analysis.intake.process import IdentificationSpec, ProcessSpec
from analysis.stats.concentration import gini, lorenz, top_share
from analysis.stats.multilevel import group_icc
from analysis.stats.reliability import icc
from analysis.stats.survival import kaplan_meier
from analysis.study import process

HERE = Path(__file__).resolve().parent
R = json.loads((HERE / "fixtures" / "r" / "process.json").read_text())


def _num(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], float)


# --------------------------------------------------------------------------- Kaplan–Meier vs R
@pytest.mark.parametrize("case", sorted(R["km"]))
def test_kaplan_meier_equals_survfit(case):
    ref = R["km"][case]
    km = kaplan_meier(pd.DataFrame({"t": ref["time"], "e": ref["status"]}), time="t", event="e")
    fit = ref["fit"]
    events = np.array(fit["n_event"]) > 0                 # survfit also lists censoring times
    for ours, theirs in (("time", "time"), ("surv", "surv"), ("surv_low", "lower"), ("surv_high", "upper"),
                         ("n_risk", "n_risk"), ("n_events", "n_event")):
        np.testing.assert_allclose(km.curve[ours].to_numpy(float), _num(fit[theirs])[events], rtol=0, atol=1e-12,
                                   equal_nan=True, err_msg=f"{case}: {ours}")
    se_log = km.curve["se"] / km.curve["surv"]                 # survfit's std.err is that of log S
    np.testing.assert_allclose(se_log.to_numpy(float), _num(fit["std_err"])[events], atol=1e-12, equal_nan=True)
    for ours, theirs in (("time", "quantile"), ("ci_low", "lower"), ("ci_high", "upper")):
        np.testing.assert_array_equal(km.quantiles[ours].to_numpy(float), _num(ref[theirs]), err_msg=f"{case}: {ours}")


def test_kaplan_meier_by_hand():
    # product-limit by hand: times 2, 3+, 4, 4, 6+, 7 → S(2) = 5/6, S(4) = 5/6·2/4, S(7) = 0
    d = pd.DataFrame({"t": [2, 3, 4, 4, 6, 7], "e": [1, 0, 1, 1, 0, 1]})
    km = kaplan_meier(d, time="t", event="e")
    assert km.curve["surv"].tolist() == pytest.approx([5 / 6, 5 / 12, 0.0], abs=1e-15)
    assert (km.n, km.n_events, km.n_censored, km.median) == (6, 4, 2, 4.0)
    assert km.at([1, 2, 5, 8])["surv"].tolist()[:3] == pytest.approx([1.0, 5 / 6, 5 / 12])


def test_kaplan_meier_bad_input_names_rows():
    with pytest.raises(ValueError, match=r"row\(s\) \[1\]"):
        kaplan_meier(pd.DataFrame({"t": [1, -2], "e": [1, 1]}), time="t", event="e")


# --------------------------------------------------------------------------- concentration vs R
@pytest.mark.parametrize("case", sorted(R["concentration"]))
def test_concentration_equals_r(case):
    ref = R["concentration"][case]
    x = np.array(ref["x"], float)
    assert gini(x) == pytest.approx(ref["gini"], abs=1e-12)
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())     # hand: mean difference
    assert gini(x) == pytest.approx(pairwise, abs=1e-12)
    assert gini(x, corrected=True) == pytest.approx(pairwise * len(x) / (len(x) - 1), abs=1e-12)
    curve = lorenz(x)
    np.testing.assert_allclose(curve["persons"], ref["lorenz_p"], atol=1e-12)
    np.testing.assert_allclose(curve["amount"], ref["lorenz_l"], atol=1e-12)
    for top in ref["top"]:
        t = top_share(x, top["p"])
        assert (t.k, t.share) == (top["k"], pytest.approx(top["share"], abs=1e-12))


def test_concentration_refuses_negative_and_empty():
    with pytest.raises(ValueError, match="position"):
        gini([1, -1, 3])
    with pytest.raises(ValueError, match="total is 0"):
        top_share([0, 0], 0.1)


# --------------------------------------------------------------------------- ICC of teams vs R
@pytest.mark.parametrize("case", ["unbalanced", "balanced"])
def test_group_icc_equals_aov_and_multilevel(case):
    ref = R["icc"][case]
    r = group_icc(pd.DataFrame({"g": ref["group"], "v": ref["value"]}), group="g", value="v")
    for ours, theirs in (("msb", "msb"), ("msw", "msw"), ("f", "F"), ("p", "p"), ("k", "k"),
                         ("icc1", "multilevel_icc1"), ("icc2", "multilevel_icc2"), ("icc1", "icc1")):
        assert getattr(r, ours) == pytest.approx(ref[theirs], abs=1e-10), ours
    assert (r.df_between, r.df_within) == (ref["df_between"], ref["df_within"])


def test_group_icc_balanced_is_psych_icc1():
    ref = R["icc"]["balanced"]
    wide = pd.DataFrame(np.array(ref["value"]).reshape(6, 4))
    r = group_icc(pd.DataFrame({"g": ref["group"], "v": ref["value"]}), group="g", value="v")
    assert r.icc1 == pytest.approx(ref["psych_icc1"], abs=1e-10)
    assert r.icc1 == pytest.approx(float(icc(wide).value("ICC1")["icc"]), abs=1e-12)   # reliability.icc agrees


# --------------------------------------------------------------------------- identification
def _register(seed=3, n=80):
    rng = np.random.default_rng(seed)
    rows = []
    services = ["nurse", "doctor", "social", "youth", "dental"]
    for i in range(n):
        k = rng.poisson(rng.gamma(0.7, 9))
        day = pd.Timestamp("2015-06-01") + pd.to_timedelta(rng.integers(0, 580, k), unit="D")
        rows.append(pd.DataFrame({"respondent_id": f"R{i:03d}", "visit_date": day,
                                  "service_type": rng.choice(services, k)}))
    return pd.concat(rows, ignore_index=True)


SPEC = IdentificationSpec(window_months=12, min_visits=8, min_sectors=2, services=("Nurse", "doctor", "social", "youth"),
                          sectors={"nurse": "health", "doctor": "health"}, end=pd.Timestamp("2016-12-31").date())


def test_identification_by_hand():
    v = _register()
    res = process.identify(v, SPEC)
    win = v[(v["visit_date"] > "2015-12-31") & (v["visit_date"] <= "2016-12-31") & (v["service_type"] != "dental")]
    sector = win["service_type"].replace({"nurse": "health", "doctor": "health"})
    by = win.assign(sector=sector).groupby("respondent_id").agg(visits=("sector", "size"), sectors=("sector", "nunique"))
    hand = by[(by["visits"] >= 8) & (by["sectors"] >= 2)].index.tolist()
    assert res.persons.loc[res.persons["identified"], "respondent_id"].tolist() == hand
    assert res.n_identified == len(hand) > 3
    assert res.visits_read == len(v) == res.visits_counted + res.visits_excluded_services + res.visits_outside_window
    assert res.visits_counted == len(win)
    assert res.window_start == pd.Timestamp("2016-01-01")
    assert res.services.set_index("service_type").loc["dental", "counted"] == False  # noqa: E712


def test_identification_dask_equals_pandas():
    dd = pytest.importorskip("dask.dataframe")
    v = _register(seed=9, n=150)
    spec = IdentificationSpec(window_months=12, min_visits=6, min_sectors=2)
    plain = process.identify(v, spec)
    parts = process.identify(dd.from_pandas(v, npartitions=7), spec)
    pd.testing.assert_frame_equal(plain.persons, parts.persons)
    pd.testing.assert_frame_equal(plain.services, parts.services)
    assert plain.to_frame().equals(parts.to_frame()) and plain.window_end == parts.window_end


# --------------------------------------------------------------------------- manifest and bad input
def _folder(tmp_path: Path, manifest: str, files: dict[str, str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "manifest.yaml").write_text(manifest, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode("utf-8-sig"))
    return tmp_path


def test_manifest_mistakes_of_process_and_identification_in_one_message(tmp_path):
    folder = _folder(tmp_path, """\
process: {phases: [ohjaus, suunnitelma], plan: Suunitelma, review_months: 6, extra: 1}
identification: {window_months: 0, min_sectors: x, sectors: [a]}
files:
  - {path: p.csv, population: pilot, dataset: process-events}
""", {"p.csv": "Asiakastunnus;Vaihe;Päivämäärä\nA1;ohjaus;1.2.2016\n"})
    with pytest.raises(ManifestError) as err:
        read_manifest(folder)
    text = str(err.value)
    for expected in ("process: unknown key(s) ['extra']", "process.plan: 'Suunitelma' is not one of the declared",
                     "process.review_months: given, but no review phase", "identification.min_visits: required",
                     "identification.window_months: expected a whole number ≥ 1, got 0",
                     "identification.min_sectors: expected a whole number ≥ 1, got 'x'",
                     "identification.sectors: expected a mapping",
                     "dataset 'process-events' needs the process declared"):
        assert expected in text, expected



def test_an_event_file_without_a_process_is_named_by_its_number_among_all_files(tmp_path):
    folder = _folder(tmp_path, """\
files:
  - {path: puuttuu.csv, population: pilot, dataset: process-events}
  - {path: p.csv, population: pilot, dataset: process-events}
""", {"p.csv": "Asiakastunnus;Vaihe;Päivämäärä\nA1;ohjaus;1.2.2016\n"})
    with pytest.raises(ManifestError) as err:
        read_manifest(folder)
    assert "files[2] (p.csv): dataset 'process-events' needs the process declared" in str(err.value)

BAD_EVENTS = """\
Asiakastunnus;Vaihe;Päivämäärä
A1;Ohjautuminen;1.2.2016
A1;SUUNNITELMA;15.2.2016
A1;Kotikäynti;20.2.2016
A2;ohjautuminen;1.3.2016
A2;suunnitelma;20.2.2016
A3;ohjautuminen;1.3.2016
A4;suunnitelma;1.4.2016
"""


def test_bad_process_rows_are_rejected_with_file_row_and_value(tmp_path):
    folder = _folder(tmp_path, """\
process: {phases: [ohjautuminen, suunnitelma]}
files:
  - {path: kaynnit.csv, population: pilot, dataset: service-visits}
  - {path: prosessi.csv, population: pilot, dataset: process-events}
""", {"kaynnit.csv": "Asiakastunnus;Käyntipäivä;Palvelu\nA1;1.1.2016;hoitaja\nA2;1.1.2016;hoitaja\nA4;1.1.2016;lääkäri\n",
      "prosessi.csv": BAD_EVENTS})
    study = load_study(folder)
    intake = study.intake().set_index("file").loc["prosessi.csv"]
    assert (intake["n_read"], intake["n_accepted"], intake["n_rejected"]) == (7, 3, 4)
    rejected = study.rejected.set_index("row")
    assert rejected.loc[4, ["file", "column", "value"]].tolist() == ["prosessi.csv", "Vaihe", "Kotikäynti"]
    assert "not declared in the manifest (process.phases: ohjautuminen, suunnitelma)" in rejected.loc[4, "reason"]
    assert rejected.loc[6, ["column", "value"]].tolist() == ["Päivämäärä", "2016-02-20"]
    assert "before the client's referral on 2016-03-01 (row 5)" in rejected.loc[6, "reason"]
    assert rejected.loc[7, "column"] == "Asiakastunnus" and "'A3' is not in the visit register (kaynnit.csv)" \
        in rejected.loc[7, "reason"]
    assert "has no row of the referral phase 'ohjautuminen'" in rejected.loc[8, "reason"]
    kept = study.table("pilot", "process-events")
    assert kept["phase"].tolist() == ["ohjautuminen", "suunnitelma", "ohjautuminen"]     # written as declared
    # each reason also as a code with its facts, said in Finnish by the intake report
    from analysis.report.sections.data_intake import reason_text

    finnish = {row: reason_text(r["code"], r["fields"], r["reason"], "fi") for row, r in rejected.iterrows()}
    assert finnish[4] == "vaihetta ei ole ilmoitettu kuvaustiedostossa (process.phases: ohjautuminen, suunnitelma)"
    assert finnish[6] == "päivämäärä on ennen asiakkaan ohjautumista 2016-03-01 (rivi 5)"
    assert finnish[7] == ("asiakasta ei löydy käyntirekisteristä (kaynnit.csv): prosessin jokaisen asiakkaan on "
                          "löydyttävä sieltä")
    assert finnish[8].startswith("asiakkaalla ei ole riviä ohjautumisvaiheesta 'ohjautuminen'")


def test_process_tables_by_hand():
    spec = ProcessSpec(phases=("ref", "ass", "plan", "worker", "review"), plan="plan", worker="worker",
                       review="review", review_months=6)
    e = pd.DataFrame([("a", "ref", "2016-01-01"), ("a", "plan", "2016-01-21"), ("a", "review", "2016-07-20"),
                      ("a", "worker", "2016-01-25"), ("b", "ref", "2016-01-01"), ("b", "plan", "2016-02-10"),
                      ("b", "review", "2016-09-01"), ("c", "ref", "2016-11-01"), ("c", "plan", "2016-11-05"),
                      ("d", "ref", "2016-12-01")], columns=["respondent_id", "phase", "date"])
    e["date"] = pd.to_datetime(e["date"])
    assert process.funnel(e, spec)["n"].tolist() == [4, 0, 3, 1, 2]
    q = process.process_quality(e, spec, pd.Timestamp("2016-12-31")).set_index("measure")
    assert q.loc["reviewed_on_time", ["n", "n_yes"]].tolist() == [2, 1]    # c not due yet; b reviewed late
    assert q.loc["named_worker", ["n", "n_yes"]].tolist() == [3, 1]
    t = process.time_to(e, spec, "plan", pd.Timestamp("2016-12-31")).set_index("respondent_id")
    assert t.loc["d"].tolist() == [30.0, False] and t.loc["b"].tolist() == [40.0, True]


def test_curve_steps_rest_on_five():
    km = kaplan_meier(pd.DataFrame({"t": np.arange(23) % 9 + 1, "e": [True] * 20 + [False] * 3}), time="t", event="e")
    steps = process.curve_steps(km, min_events=5)
    assert steps["n_step"].min() >= 5 and 0 <= 20 - steps["n_step"].sum() < 5   # the rest (<5) is not drawn
    at = km.at(steps["day"])
    np.testing.assert_allclose(steps["reached_pct"], 100 * (1 - at["surv"]), atol=1e-12)


# --------------------------------------------------------------------------- a Finnish study through the CLI
TEAMS = {"Lähitiimi Itä": 6, "Lähitiimi Länsi": 5, "Koulutiimi": 3}


def _hand_km_median(days: np.ndarray, reached: np.ndarray) -> float:
    """The first time the product-limit estimate reaches 0.5; where it sits at exactly 0.5, the
    midpoint between that time and the next drop (or the last follow-up time), as R's quantile."""
    s, times = 1.0, np.unique(days[reached])
    for i, t in enumerate(times):
        at_risk, d = (days >= t).sum(), ((days == t) & reached).sum()
        s *= 1 - d / at_risk
        if abs(s - 0.5) < 1e-9:
            return float((t + (times[i + 1] if i + 1 < len(times) else days.max())) / 2)
        if s < 0.5:
            return float(t)
    return float("nan")


@pytest.fixture(scope="module")
def finnish(tmp_path_factory):
    rng = np.random.default_rng(2020)
    folder = tmp_path_factory.mktemp("kunta") / "paljon_palveluja"
    # the visit register: 70 persons, 'hammashoito' is left out by the criteria
    services = ["hoitaja", "lääkäri", "sosiaalityö", "nuorisotyö", "hammashoito"]
    visits = []
    for i in range(70):
        k = rng.poisson(rng.gamma(0.8, 10)) + 1
        day = pd.Timestamp("2015-07-01") + pd.to_timedelta(rng.integers(0, 550, k), unit="D")
        visits += [(f"H{i:03d}", f"{d.day}.{d.month}.{d.year}", s) for d, s in zip(day, rng.choice(services, k))]
    register = pd.DataFrame(visits, columns=["Asiakastunnus", "Käyntipäivä", "Palvelu"])
    # the process: 24 clients of the register, their own phase labels, some still waiting for a plan
    rows = []
    for i in range(24):
        pid = f"H{i:03d}"
        ref = pd.Timestamp("2016-01-04") + pd.Timedelta(days=int(rng.integers(0, 330)))
        rows.append((pid, "Ohjautuminen", ref))
        ass = ref + pd.Timedelta(days=int(rng.integers(1, 20)))
        rows.append((pid, "arviointi", ass))
        plan = ass + pd.Timedelta(days=int(rng.integers(5, 70)))
        if plan <= pd.Timestamp("2016-12-31"):
            rows.append((pid, "SUUNNITELMA", plan))
            if rng.random() < 0.8:
                rows.append((pid, "Vastuutyöntekijä", plan + pd.Timedelta(days=int(rng.integers(0, 10)))))
            review = plan + pd.Timedelta(days=int(rng.normal(185, 30)))
            if review <= pd.Timestamp("2016-12-31"):
                rows.append((pid, "Tarkistus", review))
    rows.append(("H001", "Kotikäynti", pd.Timestamp("2016-06-01")))           # not declared: rejected
    events = pd.DataFrame(rows, columns=["Asiakastunnus", "Vaihe", "Päivämäärä"])
    events["Päivämäärä"] = events["Päivämäärä"].map(lambda d: f"{d.day}.{d.month}.{d.year}")
    team = [t for t, k in TEAMS.items() for _ in range(k)]
    members = pd.DataFrame({"Työntekijätunnus": [f"T{i:02d}" for i in range(len(team))], "Tiimi": team,
                            "Sektori": rng.choice(["sosiaalitoimi", "terveystoimi", "opetustoimi", "järjestö"], len(team))})
    effect = {t: rng.normal(0, 0.8) for t in TEAMS}
    survey = pd.DataFrame({"respondent_id": members["Työntekijätunnus"],
                           **{f"ss_{j}": np.clip(np.rint(3.5 + members["Tiimi"].map(effect) + rng.normal(0, 0.8, len(team))),
                                                 1, 5).astype(int) for j in range(1, 14)}})
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text("""\
title: Paljon palveluja käyttävät, testikunta 2016
language: fi
process:
  phases: [Ohjautuminen, Arviointi, Suunnitelma, Vastuutyöntekijä, Tarkistus, Jatkosuunnitelma]
  plan: suunnitelma
  worker: Vastuutyöntekijä
  review: Tarkistus
  review_months: 6
  until: 2016-12-31
identification:
  window_months: 12
  min_visits: 8
  min_sectors: 2
  services: [hoitaja, lääkäri, sosiaalityö, nuorisotyö]
  sectors: {hoitaja: terveys, lääkäri: terveys}
  end: 2016-12-31
files:
  - {path: kaynnit.csv, population: pilot, dataset: service-visits}
  - {path: prosessi.csv, population: pilot, dataset: process-events}
  - {path: tiimit.csv, population: staff, dataset: team-members}
  - {path: henkilostokysely.csv, population: staff, instrument: staff-survey}
""", encoding="utf-8")
    for name, table in (("kaynnit.csv", register), ("prosessi.csv", events), ("tiimit.csv", members),
                        ("henkilostokysely.csv", survey)):
        table.to_csv(folder / name, sep=";", index=False, encoding="utf-8-sig")
    from analysis.cli import main
    out = tmp_path_factory.mktemp("kunta-out") / "raportit"
    assert main(["report", "--data", str(folder), "--out", str(out), "--only", "08"]) == 0
    return folder, out, register, events, members, survey


def test_finnish_study_report_numbers_equal_a_hand_computation(finnish):
    from report_tables import book

    folder, out, register, events, members, survey = finnish
    b = book(out, "08_process")
    good = events[events["Vaihe"] != "Kotikäynti"].assign(phase=lambda d: d["Vaihe"].str.casefold(),
                                                           day=lambda d: pd.to_datetime(d["Päivämäärä"], dayfirst=True))
    funnel = b["funnel"].set_index("phase")["n"]
    for phase in ["Ohjautuminen", "Arviointi", "Suunnitelma", "Vastuutyöntekijä", "Tarkistus"]:
        hand = good.loc[good["phase"] == phase.casefold(), "Asiakastunnus"].nunique()
        assert funnel[phase] == (hand if hand >= 5 else "<5"), phase
    assert funnel["Jatkosuunnitelma"] == "<5"                                  # nobody: 0 is a small cell
    # median days to the plan: a hand product-limit estimate, waiting clients censored on 31.12.2016
    first = good.groupby(["Asiakastunnus", "phase"])["day"].min().unstack()
    reached = first["suunnitelma"].notna().to_numpy()
    days = np.where(reached, (first["suunnitelma"] - first["ohjautuminen"]).dt.days,
                    (pd.Timestamp("2016-12-31") - first["ohjautuminen"]).dt.days).astype(float)
    times = b["phase_times"].set_index("phase")
    assert times.loc["Suunnitelma", "median_days"] == _hand_km_median(days, reached)
    assert times.loc["Suunnitelma", "n_reached_phase"] == reached.sum() and (~reached).sum() > 0
    # identification: pandas on the raw register
    reg = register.assign(day=pd.to_datetime(register["Käyntipäivä"], dayfirst=True))
    win = reg[(reg["day"] >= "2016-01-01") & (reg["day"] <= "2016-12-31") & (reg["Palvelu"] != "hammashoito")]
    sector = win["Palvelu"].replace({"hoitaja": "terveys", "lääkäri": "terveys"})
    per = win.assign(sector=sector).groupby("Asiakastunnus").agg(v=("sector", "size"), s=("sector", "nunique"))
    n_identified = int(((per["v"] >= 8) & (per["s"] >= 2)).sum())
    ident = b["identification"].set_index(["identified", "enrolled"])["n"]
    assert ident[("identified", "all")] == n_identified > 5
    assert ident[("all", "all")] == register["Asiakastunnus"].nunique()
    x = per["v"].to_numpy(float)
    conc = b["concentration"].set_index("group")
    assert conc.loc["all", "gini"] == pytest.approx(np.abs(x[:, None] - x).sum() / (2 * len(x) ** 2 * x.mean()), abs=1e-12)
    # teams: the small team is merged; ICC(1) from a hand one-way ANOVA on the declared teams
    teams = b["teams"].set_index("team")
    assert "Koulutiimi" not in teams.index and teams.loc["other_teams", "n"] == 3 + 5   # merged with the next smallest
    from analysis.intake.scoring import score
    scored = score(survey, "staff-survey").assign(team=members["Tiimi"].to_numpy())
    v, g = scored["ss_multiprof"].to_numpy(float), scored["team"].to_numpy()
    means = pd.Series(v).groupby(g).transform("mean").to_numpy()
    sizes = pd.Series(g).value_counts()
    msb = ((means - v.mean()) ** 2).sum() / (len(sizes) - 1)
    msw = ((v - means) ** 2).sum() / (len(v) - len(sizes))
    k = len(v) / len(sizes)
    icc1 = b["team_icc"].set_index("score").loc["ss_multiprof", "icc1"]
    assert icc1 == pytest.approx((msb - msw) / (msb + (k - 1) * msw), abs=1e-12)
    # the rejected row is named in the internal folder, never in the published one
    from analysis.report.runner import internal_folder
    rejected = pd.read_csv(internal_folder(out) / "scores" / "prosessi_rejected.csv")
    assert rejected[["row", "column", "value"]].values.tolist() == [[len(events) + 1, "Vaihe", "Kotikäynti"]]
    html = (out / "08_process.html").read_text(encoding="utf-8")
    assert 'lang="fi"' in html and "Tunnistaminen ja käytön keskittyminen" in html and "hammashoito" in html
    assert "Traceback" not in html and "Osiota ei tuotettu" not in html


def test_a_study_without_process_data_skips_the_report(tmp_path):
    from analysis.report.runner import run
    folder = _folder(tmp_path / "d", "files:\n  - {path: v.csv, population: pilot, dataset: service-visits}\n",
                     {"v.csv": "Asiakastunnus;Käyntipäivä;Palvelu\nA1;1.1.2016;hoitaja\n"})
    outcome = {o.notebook: o for o in run(folder, tmp_path / "out", only=["08"], workers=1)}["08_process"]
    assert outcome.status == "skipped" and "pilot/process-events" in outcome.detail
