"""Summaries of the pilot's participant surveys: client and staff e-surveys and the SUS.

Tables for evaluation reports, driven by the instrument definitions in ``questionnaires/``
(items, scales, reverse keys and subscales are read from the YAML, nothing is hard-coded):

* :func:`item_summary` — per rating item: n, mean, SD and the share agreeing (the top two
  categories of the item's scale, 4–5 on the 1–5 agreement scale), on the raw answers;
* :func:`scale_summary` — per declared subscale score: n, mean, SD, share with a score of at
  least 4, and Cronbach's alpha of its (reverse-keyed) items with Feldt's interval;
* :func:`comments` — the answers to the open questions, without respondent ids, sorted by
  question and text so the listing cannot be linked back to a respondent's row, with
  identity-code-shaped text masked;
* :func:`sus_summary` and :func:`sus_band_table` — the SUS score (Brooke 1996) with a t
  interval and the adjective bands of Bangor, Kortum & Miller (2009), taken from
  :data:`SUS_BANDS`, which the chart in :mod:`analysis.report.figures` uses too.

Own code: these are descriptive tables no library provides in this layout; the statistics are
pandas/scipy one-liners and Cronbach's alpha comes from :mod:`analysis.stats.reliability`. Checked
against hand computations in ``tests/test_surveys.py``.

Examples
--------
>>> import pandas as pd
>>> answers = pd.DataFrame({"sus_1": [5, 4, 2], "sus_2": [1, 2, 4]})
>>> row = item_summary(answers, "sus").iloc[0]
>>> row["item"], int(row["n"]), round(float(row["pct_agree"]), 1)
('sus_1', 3, 66.7)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.intake.instruments import Instrument, load_instrument
from analysis.intake.privacy import redact_free_text
from analysis.stats.reliability import cronbach_alpha, ordinal_alpha

# Adjective bands for SUS scores (Bangor, Kortum & Miller 2009, J Usability Stud 4:114–123).
SUS_BANDS = (
    (0, 25, {"en": "Worst imaginable", "fi": "Huonoin mahdollinen"}),
    (25, 39, {"en": "Poor", "fi": "Heikko"}),
    (39, 52, {"en": "OK", "fi": "Välttävä"}),
    (52, 73, {"en": "Good", "fi": "Hyvä"}),
    (73, 85, {"en": "Excellent", "fi": "Erinomainen"}),
    (85, 100.01, {"en": "Best imaginable", "fi": "Paras mahdollinen"}),
)


def sus_band(score: float, lang: str = "en") -> str:
    """Adjective band of a SUS score (Bangor et al. 2009); empty string for a missing score.

    Examples
    --------
    >>> sus_band(68), sus_band(90, "fi"), sus_band(float("nan"))
    ('Good', 'Paras mahdollinen', '')
    """
    if pd.isna(score):
        return ""
    for low, high, names in SUS_BANDS:
        if low <= score < high:
            return names[lang if lang in names else "en"]
    raise ValueError(f"SUS score {score} outside 0–100")


def _instrument(instrument: Instrument | str) -> Instrument:
    return load_instrument(instrument) if isinstance(instrument, str) else instrument


def item_summary(responses: pd.DataFrame, instrument: Instrument | str, lang: str = "en") -> pd.DataFrame:
    """n, mean, SD and % agreeing per rating item of ``instrument`` present in ``responses``.

    ``pct_agree`` is the percentage of answers in the top two categories of the item's scale
    (4 or 5 on a 1–5 agreement scale) among the answered; it is computed on the raw answer,
    so for a negatively worded item (``negative`` = True: reverse-keyed in a score) agreeing
    means a worse experience. SD uses n − 1.

    Returns
    -------
    DataFrame with ``item, label, negative, n, mean, sd, pct_agree``. Its
    ``attrs["disclosure"]`` declares what the numbers are (the mean, SD and share agreeing of
    each item's answers on its scale) for the report's disclosure control
    (:class:`analysis.report.disclosure.TableSpec`).

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"sus_1": [5, 4, 2], "sus_2": [1, 2, 4]})
    >>> item_summary(answers, "sus")[["item", "negative", "n", "mean"]].values.tolist()
    [['sus_1', False, 3, 3.6666666666666665], ['sus_2', True, 3, 2.3333333333333335]]
    """
    ins = _instrument(instrument)
    reverse = {k for rule in ins.scores for k in rule.reverse}
    rows, scales = [], set()
    for it in ins.rating_items:
        if it.key not in responses.columns:
            continue
        x = pd.to_numeric(responses[it.key], errors="raise").astype(float).dropna()
        rows.append({"item": it.key, "label": ins.label(it.key, lang), "negative": it.key in reverse,
                     "n": len(x), "mean": x.mean(), "sd": x.std(ddof=1),
                     "pct_agree": 100 * (x >= it.scale.max - 1).mean() if len(x) else np.nan})
        scales.add((int(it.scale.min), int(it.scale.max)))
    if not rows:
        raise KeyError(f"responses have none of the rating items of {ins.id!r} "
                       f"({', '.join(it.key for it in ins.rating_items)})")
    out = pd.DataFrame(rows)
    declared = {"context": ["item"], "means": ["mean"], "sds": {"sd": "mean"}}
    if len(scales) == 1:       # one answer scale: its distributions can be checked
        (low, high), = scales
        declared |= {"scales": {"mean": [low, high]}, "shares": {"pct_agree": ["mean", high - 1, high]}}
    out.attrs["disclosure"] = declared
    return out


def scale_summary(responses: pd.DataFrame, scores: pd.DataFrame, instrument: Instrument | str,
                  lang: str = "en", agree_min: float = 4.0, ci: float = 0.95) -> pd.DataFrame:
    """Per declared subscale: n, mean, SD, % with score ≥ ``agree_min`` and Cronbach's alpha.

    Parameters
    ----------
    responses : DataFrame
        Item answers (for alpha; negatively worded items are reverse-keyed ``min + max − x``
        first, as in the score).
    scores : DataFrame
        The scores of :func:`analysis.intake.scoring.score` for the same respondents.
    agree_min : float
        Threshold of ``pct_agree`` (4 = "on average agrees" on a 1–5 subscale).

    Returns
    -------
    DataFrame with ``score, label, items, n, mean, sd, pct_agree, alpha, alpha_ci_low,
    alpha_ci_high, ordinal_alpha`` and its disclosure declaration in ``attrs["disclosure"]``
    (``pct_agree``: the share of respondents with a score of at least ``agree_min``) (alpha:
    pairwise covariances, Feldt interval; ordinal alpha:
    alpha of the polychoric correlations, Zumbo et al. 2007, as the items are 1–5 agreement
    ratings; see
    :func:`analysis.stats.reliability.cronbach_alpha`; missing when an item has no variance or
    too few answers).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.intake.scoring import score
    >>> answers = pd.DataFrame({f"sus_{i}": [4, 5, 3, 4, 2] if i % 2 else [2, 1, 3, 2, 4] for i in range(1, 11)})
    >>> scale_summary(answers, score(answers, "sus"), "sus")[["score", "items", "n", "mean"]].values.tolist()
    [['sus_score', 10, 5, 65.0]]
    """
    ins = _instrument(instrument)
    rows = []
    for rule in ins.scores:
        s = pd.to_numeric(scores[rule.key], errors="raise").astype(float).dropna()
        items = responses[list(rule.items)].apply(pd.to_numeric, errors="raise").astype(float)
        for key in rule.reverse:
            scale = ins.item(key).scale
            items[key] = scale.min + scale.max - items[key]
        alpha = {"alpha": np.nan, "alpha_ci_low": np.nan, "alpha_ci_high": np.nan, "ordinal_alpha": np.nan}
        try:       # an item everyone answered alike, or too few answers: no alpha
            a = cronbach_alpha(items, ci=ci)
            alpha.update(alpha=a.alpha, alpha_ci_low=a.ci_low, alpha_ci_high=a.ci_high)
            alpha["ordinal_alpha"] = ordinal_alpha(items).alpha
        except ValueError:
            pass
        rows.append({"score": rule.key, "label": ins.label(rule.key, lang), "items": len(rule.items),
                     "n": len(s), "mean": s.mean(), "sd": s.std(ddof=1),
                     "pct_agree": 100 * (s >= agree_min).mean() if len(s) else np.nan, **alpha})
    out = pd.DataFrame(rows)
    top = max((float(rule.range[1]) for rule in ins.scores if rule.range), default=float(agree_min))
    out.attrs["disclosure"] = {"context": ["score"], "labels": ["items"], "means": ["mean"], "sds": {"sd": "mean"},
                               "shares": {"pct_agree": ["mean", float(agree_min), top]}}
    return out


def comments(responses: pd.DataFrame, instrument: Instrument | str, lang: str = "en") -> pd.DataFrame:
    """Answers to the open (text) questions: ``question, comment``, without respondent ids.

    Empty answers are left out; white space is trimmed; e-mail addresses, phone numbers,
    identity codes, street addresses and person names are replaced by tags such as
    ``[email]`` (:func:`analysis.intake.privacy.redact_free_text`). Rows are sorted by
    question (instrument order) and comment text, so their order says nothing about who
    wrote them.

    Examples
    --------
    >>> r = pd.DataFrame({"respondent_id": ["a", "b"], "ss_comment": ["  Call me: 040 123 4567 ", None]})
    >>> comments(r, "staff-survey")["comment"].tolist()
    ['Call me: [phone]']
    """
    ins = _instrument(instrument)
    frames = []
    for pos, it in enumerate(ins.text_items):
        if it.key not in responses.columns:
            continue
        text = responses[it.key].dropna().astype(str).str.strip()
        text = redact_free_text(text[text != ""]).texts
        frames.append(pd.DataFrame({"_pos": pos, "question": ins.label(it.key, lang),
                                    "comment": text.to_numpy(dtype=object)}))
    if not frames:
        return pd.DataFrame(columns=["question", "comment"])
    out = pd.concat(frames, ignore_index=True).sort_values(["_pos", "comment"], kind="stable")
    return out.drop(columns="_pos").reset_index(drop=True)


def sus_summary(scores: pd.DataFrame, lang: str = "en", ci: float = 0.95,
                column: str = "sus_score") -> pd.DataFrame:
    """One-row SUS summary: ``n, mean, sd, ci_low, ci_high, median, band``.

    The interval is mean ± t(n − 1) · SD/√n; ``band`` is the adjective band of the mean
    (Bangor et al. 2009; :func:`sus_band`). Missing scores (fewer than ten
    items answered) are not counted in ``n``.

    Examples
    --------
    >>> row = sus_summary(pd.DataFrame({"sus_score": [70.0, 80.0, 90.0]})).iloc[0]
    >>> int(row["n"]), float(row["mean"]), row["band"]
    (3, 80.0, 'Excellent')
    """
    x = pd.to_numeric(scores[column], errors="raise").astype(float).dropna()
    n = len(x)
    half = stats.t.ppf(0.5 + ci / 2, n - 1) * x.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
    out = pd.DataFrame([{"n": n, "mean": x.mean(), "sd": x.std(ddof=1), "ci_low": x.mean() - half,
                         "ci_high": x.mean() + half, "median": x.median(),
                         "band": sus_band(x.mean(), lang) if n else ""}])
    # the band is the mean in words: a statistic of the respondents like the others
    out.attrs["disclosure"] = {"means": ["mean"], "sds": {"sd": "mean"},
                               "stats": ["mean", "sd", "ci_low", "ci_high", "median", "band"]}
    return out


def sus_band_table(scores: pd.DataFrame, lang: str = "en", column: str = "sus_score") -> pd.DataFrame:
    """Respondents per SUS adjective band: ``band, scores, n, percent`` (every band listed, then
    ``all`` respondents with a score).

    ``scores`` states the band's range as text, e.g. ``52 ≤ SUS < 73`` (the last band
    includes 100); ``percent`` is of the respondents with a score.

    Examples
    --------
    >>> t = sus_band_table(pd.DataFrame({"sus_score": [20.0, 75.0, 80.0, None]}))
    >>> t["n"].tolist()
    [1, 0, 0, 0, 2, 0, 3]
    """
    x = pd.to_numeric(scores[column], errors="raise").astype(float).dropna()
    rows = []
    for low, high, names in SUS_BANDS:
        k = int(((x >= low) & (x < high)).sum())
        scores_in = f"{low:g} ≤ SUS < {high:g}" if high <= 100 else f"{low:g} ≤ SUS ≤ 100"
        rows.append({"band": names.get(lang, names["en"]), "scores": scores_in,
                     "n": k, "percent": 100 * k / len(x) if len(x) else np.nan})
    rows.append({"band": "all", "scores": "0 ≤ SUS ≤ 100", "n": len(x), "percent": 100.0 if len(x) else np.nan})
    return pd.DataFrame(rows)
