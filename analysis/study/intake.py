"""The intake report's tables: files read, rejected cells, headers not recognised, missing data.

Rows of files are data quality, not persons with some characteristic; the report shows them
without small-cell suppression, except the missing-data patterns (rows of respondents).

Examples
--------
>>> import pandas as pd
>>> t = intake_table(pd.DataFrame({"file": ["a.csv"], "n_read": [10], "n_accepted": [8], "n_rejected": [2]}))
>>> t["file"].tolist()
['a.csv', '(all files)']
"""
from __future__ import annotations

import pandas as pd

from analysis.intake.manifest import Study
from analysis.stats import descriptives
from analysis.stats.checks import require_columns

TOTAL = "(all files)"

def intake_table(intake: pd.DataFrame) -> pd.DataFrame:
    """Intake per file (:meth:`analysis.intake.manifest.Study.intake`) with a total row and
    the check ``accepted + rejected = read``.

    Returns
    -------
    DataFrame
        The intake rows, then ``"(all files)"`` with the sums of the counts (``n_invalid`` too,
        when given: :func:`intake_counts`), and ``balanced``
        (``n_accepted + n_rejected == n_read``).

    Raises
    ------
    ValueError
        Naming every file whose accepted and rejected rows do not add up to the rows read
        (a row would have been lost).

    Examples
    --------
    >>> import pandas as pd
    >>> t = intake_table(pd.DataFrame({"file": ["a.csv"], "n_read": [10], "n_accepted": [8], "n_rejected": [2]}))
    >>> t[["file", "n_read", "balanced"]].values.tolist()
    [['a.csv', 10, True], ['(all files)', 10, True]]
    """
    require_columns(intake, ["file", "n_read", "n_accepted", "n_rejected"], "intake_table")
    out = intake.copy()
    out["balanced"] = (out["n_accepted"] + out["n_rejected"]) == out["n_read"]
    bad = out[~out["balanced"]]
    if len(bad):
        raise ValueError("rows lost at intake: " + "; ".join(
            f"{r.file}: read {r.n_read}, accepted {r.n_accepted} + rejected {r.n_rejected}"
            for r in bad.itertuples()))
    total = {c: "" for c in out.columns} | {"file": TOTAL, "balanced": True}
    total |= {c: int(out[c].sum()) for c in ("n_read", "n_accepted", "n_rejected", "n_invalid") if c in out}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)



def _frames(study: Study) -> dict[str, pd.DataFrame]:
    return {e.path: study.loaded[e.key].data for e in study.manifest.files}


#: The columns of :func:`rejected_table` and :func:`invalid_answers`: where, what, and the reason
#: as a code with its facts (``code``, ``fields``: said in the report's language by the report layer)
#: and as the intake's English sentence (``reason``).
PROBLEM_COLUMNS = ["file", "row", "respondent_id", "column", "value", "code", "fields", "reason"]


def intake_counts(study: Study) -> pd.DataFrame:
    """:meth:`~analysis.intake.manifest.Study.intake` with ``n_invalid``: the invalid answers of
    each file read as missing in its accepted rows.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> intake_counts(load_study(datasets.path("demo")))[["n_read", "n_rejected", "n_invalid"]].sum().tolist()
    [11027, 0, 0]
    """
    out = study.intake()
    out["n_invalid"] = [_invalid(study, e.key).shape[0] for e in study.manifest.files]
    return out


def _invalid(study: Study, key: str) -> pd.DataFrame:
    """The invalid answers of file ``key`` in rows still accepted (a row rejected later, e.g. for an
    undeclared occasion, lists its reason among the rejected rows)."""
    loaded = study.loaded[key]
    rej = loaded.rejected
    if "scope" not in rej or not len(rej):
        return rej.iloc[:0]
    return rej[(rej["scope"] == "answer") & rej["row"].isin(loaded.data.index)]


def _problems(study: Study, answers: bool) -> pd.DataFrame:
    frames = []
    for e in study.manifest.files:
        loaded = study.loaded[e.key]
        rej = loaded.rejected
        if not len(rej):
            continue
        part = _invalid(study, e.key) if answers else rej[~rej.index.isin(_invalid(study, e.key).index)]
        if not len(part):
            continue
        header = {k: h for h, k in loaded.header_map.items() if h != k}
        part = part.reindex(columns=PROBLEM_COLUMNS).assign(
            file=e.path, column=part["column"].map(lambda c: header.get(c, c)))
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=PROBLEM_COLUMNS).astype({"row": "Int64"})
    out = pd.concat(frames, ignore_index=True)
    out["row"] = pd.to_numeric(out["row"], errors="coerce").astype("Int64")
    return out


def rejected_table(study: Study) -> pd.DataFrame:
    """Every problem that rejected a row: file (as the manifest names it), row (as numbered in the
    file), respondent, column (as headed in the file), value, and the reason (``code``, ``fields``,
    ``reason``: :data:`PROBLEM_COLUMNS`).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> rejected = rejected_table(load_study(datasets.path("demo")))
    >>> len(rejected), rejected.columns.tolist()[:6]
    (0, ['file', 'row', 'respondent_id', 'column', 'value', 'code'])
    """
    return _problems(study, answers=False)


def invalid_answers(study: Study) -> pd.DataFrame:
    """Every invalid answer read as missing in an accepted row, with the columns of
    :func:`rejected_table`.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> invalid_answers(load_study(datasets.path("demo"))).shape
    (0, 8)
    """
    return _problems(study, answers=True)


def unrecognised_headers(study: Study) -> pd.DataFrame:
    """Headers of each file that matched no column of its instrument or dataset, with the
    closest known header when one is close (``file, header, closest``).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> unrecognised_headers(load_study(datasets.path("demo"))).shape
    (0, 3)
    """
    rows = []
    for e in study.manifest.files:
        for header, closest in getattr(study.loaded[e.key], "unrecognised", ()) or ():
            rows.append({"file": e.path, "header": header, "closest": closest or ""})
    return pd.DataFrame(rows, columns=["file", "header", "closest"])


def missing_by_column(study: Study) -> pd.DataFrame:
    """Missing cells per column of every accepted file (:func:`analysis.stats.descriptives.missing_by_column`).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> missing_by_column(load_study(datasets.path("demo"))).head(1).values.tolist()
    [['cohort_background.csv', 'respondent_id', 900, 0, 0.0]]
    """
    return descriptives.missing_by_column(_frames(study))


def missing_patterns(study: Study, max_patterns: int = 10) -> pd.DataFrame:
    """Missing-data patterns of every file (:func:`analysis.stats.descriptives.missing_pattern`).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> patterns = missing_patterns(load_study(datasets.path("demo")))
    >>> patterns[["file", "missing_columns", "n"]].head(3).values.tolist()
    [['cohort_background.csv', '(none)', 900], ['cohort_background.csv', 'all', 900],
     ['cohort_3x10d.csv', '(none)', 957]]
    """
    return descriptives.missing_pattern(_frames(study), max_patterns=max_patterns, total=True)


def redactions(study: Study) -> pd.DataFrame:
    """What the free-text screening replaced in each open-answer column before publication:
    ``file, column, n_texts, n_redacted`` and the findings of each kind (e-mail, phone,
    identity code, address, name).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> redactions(load_study(datasets.path("demo")))[["file", "column", "n_texts", "n_name"]].values.tolist()
    [['client_survey.csv', 'cs_comment_good', 11, 0], ['client_survey.csv', 'cs_comment_improve', 15, 0],
     ['staff_survey.csv', 'ss_comment', 6, 4]]
    """
    from analysis.intake.instruments import load_instrument
    from analysis.intake.privacy import redact_free_text

    rows = []
    for e in study.manifest.files:
        if not e.instrument:
            continue
        data = study.loaded[e.key].data
        for it in load_instrument(e.instrument).text_items:
            if it.key in data:
                res = redact_free_text(data[it.key].dropna().astype(str))
                rows.append({"file": e.path, "column": it.key, "n_texts": res.n_texts, "n_redacted": res.n_redacted,
                             "n_email": res.n_email, "n_phone": res.n_phone, "n_id": res.n_id,
                             "n_address": res.n_address, "n_name": res.n_name})
    return pd.DataFrame(rows, columns=["file", "column", "n_texts", "n_redacted", "n_email", "n_phone", "n_id",
                                       "n_address", "n_name"])
