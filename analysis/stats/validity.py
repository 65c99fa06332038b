"""Construct validity, floor/ceiling, measurement error and the COSMIN summary table.

Functions here turn scored data into the evidence COSMIN asks for (Prinsen et al. 2018;
Terwee et al. 2007) and rate it ``+`` (sufficient), ``−`` (insufficient) or ``?``
(indeterminate) with the criterion printed next to the number.

Own code, because no Python library offers pre-registered correlation hypotheses with
Spearman-appropriate Fisher-z intervals, Hedges' g with Hedges–Olkin intervals and Holm
correction in one table, or COSMIN ratings; the building blocks are scipy's correlation and
rank tests and :func:`analysis.stats.reliability.icc`.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6], "b": [2, 1, 4, 3, 6, 5]})
>>> res = convergent(df, [{"score": "a", "comparison": "b", "expected_min": 0.5, "expected_max": 1}])
>>> float(round(res.table.loc[0, "r"], 3)), res.meets_criterion
(0.829, True)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from analysis.stats.checks import require_columns
from analysis.stats.criteria import LANGS, Lang, criterion_text, evidence_labels, evidence_text, limits
from analysis.stats.effsize import CORRELATION_METHODS, CorrelationMethod, correlation_ci, hedges_g, holm
from analysis.stats.reliability import icc as _icc
from analysis.stats.results import Result

#: COSMIN: share of hypotheses to be confirmed (Prinsen et al. 2018), from the criteria table.
HYPOTHESES_CRITERION = limits("hypotheses testing for construct validity")["share"]
FLOOR_CEILING_LIMIT = float(limits("floor/ceiling")["percent"])
MINUS = "−"
HYPOTHESIS_KEYS = ("score", "comparison", "expected_min", "expected_max")
#: Tests of :func:`known_groups`: Mann–Whitney U or Welch's t.
GroupTest = Literal["mannwhitney", "welch"]
GROUP_TESTS: tuple[GroupTest, ...] = ("mannwhitney", "welch")


@dataclass(frozen=True)
class ConvergentResult(Result):
    """Correlation hypotheses: ``table`` (one row each), share confirmed, COSMIN verdict."""

    table: pd.DataFrame
    share_confirmed: float
    criterion: float = HYPOTHESES_CRITERION

    @property
    def meets_criterion(self) -> bool:
        return bool(self.share_confirmed >= self.criterion)

    def to_frame(self) -> pd.DataFrame:
        """The hypotheses table."""
        return self.table


def load_hypotheses(source: str | Path | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Hypotheses as a list of dicts, from a list or a YAML file (``hypotheses:`` list).

    Each needs ``score``, ``comparison``, ``expected_min``, ``expected_max``; other keys
    (e.g. ``rationale``) are kept. Errors name the file and the entry (numbered from 1).

    Examples
    --------
    >>> hypotheses = load_hypotheses([{"score": "total", "comparison": "other_scale",
    ...                                "expected_min": 0.5, "expected_max": 1, "rationale": "same construct"}])
    >>> hypotheses[0]["score"], hypotheses[0]["rationale"]
    ('total', 'same construct')
    """
    where = "hypotheses"
    entries: Sequence[Mapping[str, Any]]
    if isinstance(source, (str, Path)):
        where = str(source)
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
        listed = data.get("hypotheses") if isinstance(data, dict) else data
        if not isinstance(listed, list):
            raise ValueError(f"{where}: expected a list under 'hypotheses'")
        entries = listed
    else:
        entries = source
    out: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, h in enumerate(entries, start=1):
        missing = [k for k in HYPOTHESIS_KEYS if k not in h]
        if missing:
            problems.append(f"{where}: entry {i}: missing {', '.join(missing)}")
            continue
        lo, hi = h["expected_min"], h["expected_max"]
        if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and -1 <= lo <= hi <= 1):
            problems.append(f"{where}: entry {i}: expected_min {lo!r} / expected_max {hi!r} must be "
                            "numbers with -1 <= expected_min <= expected_max <= 1")
            continue
        out.append(dict(h))
    if problems:
        raise ValueError("\n".join(problems))
    return out






def _correlation(x: pd.Series, y: pd.Series, method: CorrelationMethod) -> tuple[float, float]:
    """Correlation and two-sided p (scipy's ``spearmanr`` or ``pearsonr``)."""
    res = stats.spearmanr(x, y) if method == "spearman" else stats.pearsonr(x, y)
    return float(res.statistic), float(res.pvalue)


def convergent(data: pd.DataFrame, hypotheses: str | Path | Sequence[Mapping[str, Any]],
               method: CorrelationMethod = "spearman", ci: float = 0.95) -> ConvergentResult:
    """Test pre-specified correlation hypotheses (construct validity, COSMIN ≥ 75 %).

    Each hypothesis states the range ``[expected_min, expected_max]`` in which the correlation
    of ``score`` with ``comparison`` should fall; it is confirmed when the point estimate lies
    in the range (COSMIN rates the estimate, not its interval). Pairwise complete cases.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the scored columns named in the hypotheses.
    hypotheses : list of dict or path to YAML
        See :func:`load_hypotheses`; an instrument's pre-specified hypotheses are declared in
        ``questionnaires/hypotheses/<instrument>.yaml`` (read by :mod:`analysis.study.cohort`).
    method : {"spearman", "pearson"}
    ci : float
        Confidence level of the Fisher-z interval (:func:`correlation_ci`).

    Returns
    -------
    ConvergentResult
        ``table`` with ``score, comparison, n, r, ci_low, ci_high, p, expected_min,
        expected_max, confirmed`` (``table.attrs["methods"]`` names the correlation run);
        ``share_confirmed``; ``meets_criterion``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [1, 3, 2, 5, 4]})
    >>> convergent(df, [{"score": "x", "comparison": "y", "expected_min": 0.3,
    ...                  "expected_max": 0.9}]).table["confirmed"].tolist()
    [True]
    """
    if method not in CORRELATION_METHODS:
        raise ValueError(f"method must be 'spearman' or 'pearson', got {method!r}")
    hyps = load_hypotheses(hypotheses)
    require_columns(data, sorted({h[k] for h in hyps for k in ("score", "comparison")}), "convergent")
    rows = []
    for h in hyps:
        pair = data[[h["score"], h["comparison"]]].apply(pd.to_numeric, errors="raise").dropna()
        n = len(pair)
        if n > 3 and pair.nunique().min() > 1:
            r, p = _correlation(pair.iloc[:, 0], pair.iloc[:, 1], method)
        else:
            r = p = np.nan
        interval = correlation_ci(r, n, method, ci)
        rows.append({"score": h["score"], "comparison": h["comparison"], "n": n, "r": r,
                     "ci_low": interval.ci_low, "ci_high": interval.ci_high, "p": p, "expected_min": h["expected_min"],
                     "expected_max": h["expected_max"],
                     "confirmed": bool(h["expected_min"] <= r <= h["expected_max"])})
    table = pd.DataFrame(rows)
    table.attrs["methods"] = {"r": method}          # what ``r`` is, for a report's glossary
    share = float(table["confirmed"].mean()) if len(table) else np.nan
    return ConvergentResult(table=table, share_confirmed=share)






def known_groups(data: pd.DataFrame, scores: Sequence[str], group: str, reference: Any,
                 test: GroupTest = "mannwhitney", ci: float = 0.95) -> pd.DataFrame:
    """Known-groups validity: each group against the reference group on each score.

    Hedges' g (:func:`hedges_g`, group − reference, so negative = lower than the reference),
    a two-sided p from the Mann–Whitney U test (``test="mannwhitney"``, scipy's exact/
    asymptotic choice) or Welch's t test (``test="welch"``), and Holm-adjusted p across all
    rows of the table (scores × groups tested). Rows with a missing group are not compared
    (they are counted in no group; the table's ``n`` shows who was used).

    Returns
    -------
    DataFrame
        ``score, group, reference, n, n_ref, mean, mean_ref, hedges_g, g_ci_low, g_ci_high,
        p, p_holm``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": [1, 2, 3, 4, 5, 6, 7, 8], "su": [1, 1, 1, 1, 0, 0, 0, 0]})
    >>> float(round(known_groups(df, ["s"], "su", 0).loc[0, "hedges_g"], 3))
    -2.694
    """
    if test not in GROUP_TESTS:
        raise ValueError(f"test must be 'mannwhitney' or 'welch', got {test!r}")
    require_columns(data, [*scores, group], "known_groups")
    levels = [g for g in pd.unique(data[group].dropna()) if g != reference]
    if reference not in set(data[group].dropna()):
        raise ValueError(f"known_groups: reference {reference!r} is not a value of column "
                         f"{group!r} (values: {sorted(map(str, pd.unique(data[group].dropna())))})")
    rows = []
    for s in scores:
        values = pd.to_numeric(data[s], errors="raise")
        ref = values[data[group] == reference].dropna().to_numpy()
        for g in levels:
            x = values[data[group] == g].dropna().to_numpy()
            effect = hedges_g(x, ref, ci)
            if len(x) < 2 or len(ref) < 2:
                p = np.nan
            elif test == "welch":
                p = float(stats.ttest_ind(x, ref, equal_var=False).pvalue)
            else:
                p = float(stats.mannwhitneyu(x, ref, alternative="two-sided").pvalue)
            rows.append({"score": s, "group": g, "reference": reference, "n": len(x),
                         "n_ref": len(ref), "mean": x.mean() if len(x) else np.nan,
                         "mean_ref": ref.mean() if len(ref) else np.nan, "hedges_g": effect.estimate,
                         "g_ci_low": effect.ci_low, "g_ci_high": effect.ci_high, "p": p})
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p"].to_numpy()) if len(table) else []
    return table


def floor_ceiling(data: pd.DataFrame, cols: Sequence[str], lowest: float | Mapping[str, float],
                  highest: float | Mapping[str, float],
                  limit: float = FLOOR_CEILING_LIMIT) -> pd.DataFrame:
    """Share of answers at the lowest and highest possible score (Terwee et al. 2007).

    ``lowest`` / ``highest`` are numbers or dicts by column. Percentages are of the answered
    (non-missing) values; ``flag`` when either exceeds ``limit`` (15 %, the criteria table's Terwee limit).
    Returns ``column, n, floor_pct, ceiling_pct, flag``, one row per column of ``cols``.

    Examples
    --------
    >>> import pandas as pd
    >>> floor_ceiling(pd.DataFrame({"a": [0, 5, 10, 10]}), ["a"], 0, 10)["ceiling_pct"].tolist()
    [50.0]
    """
    require_columns(data, cols, "floor_ceiling")
    rows = {}
    for c in cols:
        lo = lowest[c] if isinstance(lowest, Mapping) else lowest
        hi = highest[c] if isinstance(highest, Mapping) else highest
        x = pd.to_numeric(data[c], errors="raise").dropna()
        n = len(x)
        fl = 100 * float((x == lo).mean()) if n else np.nan
        ce = 100 * float((x == hi).mean()) if n else np.nan
        rows[c] = {"n": n, "floor_pct": fl, "ceiling_pct": ce, "flag": bool(fl > limit or ce > limit)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("column").reset_index()


def measurement_error(data: pd.DataFrame, cols: Sequence[str], occasions: Sequence[str],
                      id_col: str = "respondent_id", occasion_col: str = "occasion",
                      mic: float | Mapping[str, float] | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Test–retest reliability, SEM and SDC per score.

    Uses ICC2 of :func:`analysis.stats.reliability.icc` — two-way random effects, absolute
    agreement, single measurement (ICC(A,1); McGraw & Wong), the COSMIN choice for test–retest
    because systematic change between occasions counts as error. ``SEM = SD √(1 − ICC)`` with
    ``SD`` the standard deviation at the first occasion among the complete pairs (de Vet et
    al. 2011); ``SDC = 1.96 √2 SEM`` (individual level). With a minimal important change
    ``mic``, ``sdc_below_mic`` tells whether SDC < MIC (COSMIN measurement-error criterion).

    Parameters
    ----------
    data : DataFrame
        Long: one row per respondent × occasion (as in ``cohort_3x10d.csv``), or wide (no
        ``occasion_col``): one row per respondent with columns ``<col>_<occasion>``.
    cols : list of str
        Scores to analyse.
    occasions : (str, str)
        Test and retest occasion labels.

    Returns
    -------
    DataFrame, one row per score: ``score, n, icc, icc_ci_low, icc_ci_high, sd, sem, sdc, mic,
    sdc_below_mic``.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"s_t1": [1, 3, 5, 7, 9], "s_retest": [2, 3, 6, 6, 9]})
    >>> float(round(measurement_error(w, ["s"], ("t1", "retest")).set_index("score").loc["s", "icc"], 3))
    0.966
    """
    first, second = occasions
    if occasion_col not in data.columns:
        require_columns(data, [f"{c}_{o}" for c in cols for o in occasions], "measurement_error (wide)")
        long = pd.concat([pd.DataFrame({id_col: data.index, occasion_col: o,
                                        **{c: data[f"{c}_{o}"].to_numpy() for c in cols}})
                          for o in occasions], ignore_index=True)
        return measurement_error(long, cols, occasions, id_col, occasion_col, mic, ci)
    require_columns(data, [id_col, occasion_col, *cols], "measurement_error")
    found = set(data[occasion_col].dropna())
    if not {first, second} <= found:
        raise ValueError(f"measurement_error: column {occasion_col!r} must contain {first!r} and "
                         f"{second!r}; found {sorted(map(str, found))}")
    dup = data.duplicated([id_col, occasion_col])
    if dup.any():
        raise ValueError(f"measurement_error: {id_col!r} × {occasion_col!r} repeated in row(s) "
                         f"{list(data.index[dup][:10])}")
    rows = {}
    for c in cols:
        wide = data.pivot(index=id_col, columns=occasion_col, values=c)[[first, second]]
        wide = wide.apply(pd.to_numeric, errors="raise").dropna()
        res = _icc(wide, ci=ci).value("ICC2")
        sd = float(wide[first].std(ddof=1))
        sem = sd * np.sqrt(max(0.0, 1 - res["icc"]))
        m = mic.get(c) if isinstance(mic, Mapping) else mic
        rows[c] = {"n": len(wide), "icc": res["icc"], "icc_ci_low": res["ci_low"],
                   "icc_ci_high": res["ci_high"], "sd": sd, "sem": sem,
                   "sdc": 1.96 * np.sqrt(2) * sem, "mic": np.nan if m is None else float(m),
                   "sdc_below_mic": None if m is None else bool(1.96 * np.sqrt(2) * sem < m)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("score").reset_index()


def _fmt(x: float | None, digits: int = 2, lang: Lang = "en", sign: bool = False) -> str:
    """A number of an evidence text: ``NA`` when missing, a true minus sign, a decimal comma in
    Finnish."""
    if x is None or not np.isfinite(x):
        return "NA"
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    text = text.replace("-", MINUS)
    return text.replace(".", ",") if lang == "fi" else text


def _keyed(table: pd.DataFrame, *keys: str) -> pd.DataFrame:
    """``table`` indexed by its first column among ``keys`` (a flat result table), or as given."""
    key = next((k for k in keys if k in table.columns), None)
    return table.set_index(key) if key is not None else table


def _all_or_none(ok: Sequence[bool]) -> str:
    return "+" if all(ok) else MINUS


def _point_only(met: Mapping[str, float], intervals: Mapping[str, tuple[float, float]] | None, firm,
                say, num, digits: int = 2, sep: str = ", ") -> str:
    """The evidence's flag when every criterion met is met by its point estimate only (each
    has an interval, and each interval crosses its limit); empty otherwise. ``sep`` separates
    an interval's limits (``; `` where the decimal mark is a comma)."""
    if not met or not intervals or any(k not in intervals for k in met):
        return ""
    if any(firm(k, *intervals[k]) for k in met):
        return ""
    ci = "; ".join(f"{k.upper() if k.islower() else k} [{num(intervals[k][0], digits)}{sep}{num(intervals[k][1], digits)}]"
                   for k in met)
    return "; " + say("point_only", intervals=ci)


def cosmin_summary(*, fit: Mapping[str, float] | None = None,
                   alpha: Mapping[str, float] | None = None,
                   retest: pd.DataFrame | None = None,
                   hypotheses: ConvergentResult | None = None,
                   invariance: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
                   responsiveness: pd.DataFrame | None = None,
                   floor_ceiling_table: pd.DataFrame | None = None,
                   formative: bool = False, lang: Lang = "en",
                   names: Mapping[str, str] | None = None,
                   fit_ci: Mapping[str, tuple[float, float]] | None = None,
                   alpha_ci: Mapping[str, tuple[float, float]] | None = None,
                   dynamic: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rate each measurement property ``+``, ``−`` or ``?`` with its evidence and criterion.

    Ratings follow Prinsen et al. (2018) / Terwee et al. (2007) as summarised in
    REFERENCES.md; limits and printed criteria come from :mod:`analysis.stats.criteria`. A property without evidence is ``?``.
    Where several (sub)scales are rated together (alpha, ICC, SDC, floor/ceiling), ``+``
    needs every one to meet the criterion; the evidence lists those that do not.
    Internal consistency is ``?`` unless structural validity is ``+`` (COSMIN).

    Parameters
    ----------
    fit : mapping, optional
        Fit measures of the CFA, lavaan names: ``cfi``, ``tli``, ``rmsea``, ``srmr``.
    alpha : mapping, optional
        Cronbach's alpha per (sub)scale.
    retest : DataFrame, optional
        Output of :func:`measurement_error` (``icc``, ``sdc``, ``mic``); rates reliability and
        measurement error.
    hypotheses : ConvergentResult, optional
        Output of :func:`convergent`.
    invariance : DataFrame or mapping of name → DataFrame, optional
        Output of :func:`analysis.stats.structure.invariance` (its ``delta_cfi``, ``delta_rmsea``,
        ``delta_srmr`` are used, robust ones with MLR), or any table of steps (``configural``,
        ``metric``, ``scalar`` in a ``model`` or ``step`` column, or as its index) with ``cfi``,
        ``rmsea``, ``srmr``, whose differences are then taken step by step. Several groupings (e.g.
        ``{"gender": ..., "age group": ...}``) are rated together: ``+`` only when every step
        of every grouping meets Chen's (2007) limits. A step whose model or comparison model
        did not converge or is improper (``converged``/``admissible`` false) is named in the
        evidence but not rated.
    responsiveness : DataFrame, optional
        One row per score with ``auc`` and/or ``r`` (e.g. :func:`analysis.stats.change.responsiveness`).
    floor_ceiling_table : DataFrame, optional
        Output of :func:`floor_ceiling`.
    formative : bool, default False
        Adds the note that internal consistency and structural validity are not decisive for a
        formative index (such as the 3X10D; the study code passes ``formative=True``).
    lang : {"en", "fi"}
        Language of the printed criteria.
    names : mapping, optional
        Names of scores for the evidence texts (e.g. labels instead of column keys).
    fit_ci, alpha_ci : mapping of name → (low, high), optional
        Confidence intervals of fit measures (``cfi``, ``tli``, ``rmsea``, ``srmr``: e.g. the
        RMSEA's own interval, bootstrap intervals of the others) and of alpha per (sub)scale.
        A criterion met by the point estimate while its interval crosses the limit is flagged
        in the evidence ("by the point estimate only"); the rating follows the point estimate,
        as COSMIN's criteria are stated.
    dynamic : DataFrame, optional
        :func:`analysis.stats.sem.dynamic_cutoffs` ``.to_frame()``: the evidence of structural
        validity adds whether the fit meets the level-1 dynamic cutoffs (McNeish & Wolf 2023).

    Returns
    -------
    DataFrame
        ``property, rating, evidence, criterion, note`` in COSMIN order.

    Examples
    --------
    >>> t = cosmin_summary(fit={"cfi": 0.97, "tli": 0.96, "rmsea": 0.05, "srmr": 0.04})
    >>> t.set_index("property").loc["structural validity", "rating"]
    '+'
    """
    if lang not in LANGS:
        raise ValueError(f"cosmin_summary: lang must be one of {list(LANGS)}, got {lang!r}")
    rows: list[dict[str, str]] = []

    def name(key: Any) -> str:
        return str((names or {}).get(key, key))

    def say(key: str, **fields: Any) -> str:
        return evidence_text(key, lang, **fields)

    def num(x: float, digits: int = 2, sign: bool = False) -> str:
        return _fmt(x, digits, lang, sign)

    def add(prop: str, rating: str, evidence: str, note: str = "") -> None:
        rows.append({"property": prop, "rating": rating, "evidence": evidence,
                     "criterion": criterion_text(prop, lang), "note": note})

    formative_note = say("formative") if formative else ""
    sep = "; " if lang == "fi" else ", "          # an interval's limits, where the decimal mark is a comma
    if fit is None:
        add("structural validity", "?", say("no_cfa"), formative_note)
        structural_ok = False
    else:
        lim = limits("structural validity")
        structural_ok = bool(fit.get("cfi", np.nan) > lim["cfi"] or fit.get("tli", np.nan) > lim["tli"]
                             or fit.get("rmsea", np.nan) < lim["rmsea"] or fit.get("srmr", np.nan) < lim["srmr"])
        evidence = ", ".join(f"{k.upper()} {num(fit.get(k, np.nan), 3)}" for k in ("cfi", "tli", "rmsea", "srmr"))
        met = {k: lim[k] for k in ("cfi", "tli") if fit.get(k, np.nan) > lim[k]}
        met.update({k: lim[k] for k in ("rmsea", "srmr") if fit.get(k, np.nan) < lim[k]})
        evidence += _point_only(met, fit_ci, lambda k, lo, hi: lo > met[k] if k in ("cfi", "tli") else hi < met[k],
                                say, num, digits=3, sep=sep)
        if dynamic is not None and (dynamic["level"] == 1).any():
            level = dynamic[dynamic["level"] == 1].iloc[0].to_dict()
            parts = [say("dynamic_index", index=k.upper(), sign="≥" if k == "cfi" else "≤", cut=num(float(level[k]), 3),
                         verdict=say("met" if pd.notna(level[f"meets_{k}"]) and bool(level[f"meets_{k}"]) else "not_met"))
                     for k in ("srmr", "rmsea", "cfi") if pd.notna(level[k])]
            evidence += "; " + say("dynamic", indices=", ".join(parts) or say("no_dynamic_cutoff"))
        add("structural validity", "+" if structural_ok else MINUS, evidence, formative_note)

    if alpha is None:
        add("internal consistency", "?", say("no_alpha"), formative_note)
    else:
        cut = limits("internal consistency")["alpha"]
        low = [k for k, v in alpha.items() if not v >= cut]
        ev = "; ".join(f"{k} {num(v)}" for k, v in alpha.items())
        ev += _point_only({k: cut for k in alpha if k not in low}, alpha_ci, lambda k, lo, hi: lo >= cut, say, num,
                          sep=sep)
        if not structural_ok:
            add("internal consistency", "?", say("structural_insufficient", evidence=ev), formative_note)
        else:
            add("internal consistency", "+" if not low else MINUS,
                say("below", evidence=ev, cut=num(cut), names=", ".join(low)) if low else ev, formative_note)

    if retest is None:
        add("reliability", "?", say("no_retest"))
        add("measurement error", "?", say("no_retest"))
    else:
        retest = _keyed(retest, "score")
        cut = limits("reliability")["icc"]
        low = list(retest.index[~(retest["icc"] >= cut)])
        ev = say("icc_range", low=num(retest["icc"].min()), high=num(retest["icc"].max()), k=len(retest),
                 n_low=int(retest["n"].min()), n_high=int(retest["n"].max()))
        add("reliability", "+" if not low else MINUS,
            say("below", evidence=ev, cut=num(cut), names=", ".join(name(k) for k in low)) if low else ev)
        ev = say("sdc_range", low=num(retest["sdc"].min()), high=num(retest["sdc"].max()))
        if "mic" not in retest or retest["mic"].isna().all():
            add("measurement error", "?", say("no_mic", evidence=ev))
        else:
            failed = list(retest.index[~(retest["sdc"] < retest["mic"])])
            ev = say("mic_range", evidence=ev, low=num(retest["mic"].min()), high=num(retest["mic"].max()))
            add("measurement error", "+" if not failed else MINUS,
                say("sdc_over_mic", evidence=ev, names=", ".join(name(k) for k in failed)) if failed else ev)

    if hypotheses is None:
        add("hypotheses testing for construct validity", "?", say("no_hypotheses"))
    else:
        t = hypotheses.table
        add("hypotheses testing for construct validity", "+" if hypotheses.meets_criterion else MINUS,
            say("confirmed", k=int(t["confirmed"].sum()), n=len(t), pct=f"{100 * hypotheses.share_confirmed:.0f}"))

    if invariance is None:
        add("cross-cultural validity / measurement invariance", "?", say("no_invariance"))
    else:
        tables = invariance if isinstance(invariance, Mapping) else {"": invariance}
        steps_limits = limits("cross-cultural validity / measurement invariance")
        step_names = evidence_labels("steps", lang)
        ok, parts = [], []
        for grouping, table in tables.items():
            prefix = f"{grouping} — " if grouping else ""
            table = _keyed(table, "model", "step")
            steps = list(table.index)
            for prev, step in zip(steps, steps[1:]):
                if step not in steps_limits:
                    continue
                if {"delta_cfi", "delta_rmsea", "delta_srmr"} <= set(table.columns):
                    d = table.loc[step, ["delta_cfi", "delta_rmsea", "delta_srmr"]].set_axis(["cfi", "rmsea", "srmr"])
                else:
                    d = table.loc[step, ["cfi", "rmsea", "srmr"]] - table.loc[prev, ["cfi", "rmsea", "srmr"]]
                lim = steps_limits[step]
                part = say("invariance_step", prefix=prefix, step=step_names.get(step, step),
                           cfi=num(d["cfi"], 3, True), rmsea=num(d["rmsea"], 3, True), srmr=num(d["srmr"], 3, True))
                base = table.loc[step, "compared_with"] if "compared_with" in table.columns else prev
                base = base if base in table.index else prev
                proper = [bool(table.loc[s, c]) for s in (base, step) for c in ("converged", "admissible")
                          if c in table.columns and not pd.isna(table.loc[s, c])]
                if not all(proper):          # an improper or non-converged fit is no evidence either way
                    parts.append(say("improper_step", evidence=part))
                    continue
                ok.append(bool(d["cfi"] >= lim["delta_cfi"] and d["rmsea"] <= lim["delta_rmsea"]
                               and d["srmr"] <= lim["delta_srmr"]))
                parts.append(part)
        add("cross-cultural validity / measurement invariance", _all_or_none(ok) if ok else "?",
            "; ".join(parts) or say("no_invariance_step"))

    if responsiveness is None:
        add("responsiveness", "?", say("no_anchor"))
    else:
        col = "auc" if "auc" in responsiveness and responsiveness["auc"].notna().any() else "r"
        vals = responsiveness[col].dropna()
        lim = limits("responsiveness")
        met = (vals >= lim["auc"]) if col == "auc" else (vals.abs() >= lim["r"])
        share = float(met.mean()) if len(vals) else np.nan
        add("responsiveness", "?" if not len(vals) else ("+" if share >= lim["share"] else MINUS),
            say("anchor_range", measure=col.upper(), low=num(vals.min()), high=num(vals.max()), k=int(met.sum()),
                n=len(vals)))

    if floor_ceiling_table is None:
        add("floor/ceiling", "?", say("not_computed"))
    else:
        floor_ceiling_table = _keyed(floor_ceiling_table, "column", "score")
        flagged = list(floor_ceiling_table.index[floor_ceiling_table["flag"].astype(bool)])
        ev = say("floor_ceiling", floor=num(floor_ceiling_table["floor_pct"].max(), 1),
                 ceiling=num(floor_ceiling_table["ceiling_pct"].max(), 1))
        add("floor/ceiling", "+" if not flagged else MINUS,
            say("over_limit", evidence=ev, limit=f"{FLOOR_CEILING_LIMIT:g}", names=", ".join(name(k) for k in flagged))
            if flagged else ev)
    return pd.DataFrame(rows, columns=["property", "rating", "evidence", "criterion", "note"])
