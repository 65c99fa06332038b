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
        The intake rows, then ``"(all files)"`` with the column sums, and ``balanced``
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
    total |= {c: int(out[c].sum()) for c in ("n_read", "n_accepted", "n_rejected")}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)



def _frames(study: Study) -> dict[str, pd.DataFrame]:
    return {e.path: study.loaded[e.key].data for e in study.manifest.files}


def rejected_table(study: Study) -> pd.DataFrame:
    """Every rejected cell: file, row (as numbered in the file), respondent, column, value, reason.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> rejected = rejected_table(load_study(datasets.path("demo")))
    >>> len(rejected), rejected.columns.tolist()[:6]
    (0, ['file', 'row', 'respondent_id', 'column', 'value', 'reason'])
    """
    return study.rejected


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
