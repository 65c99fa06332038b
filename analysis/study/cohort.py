"""The comparison cohort's 3X10D tables: the sample, the national norms, group profiles,
and the validation plan that the validation report follows.

* :func:`validation_plan` reads the plan declared next to the hypotheses
  (``questionnaires/hypotheses/<instrument>.yaml``): which background columns describe
  the sample, the known groups, the invariance groupings and the norm groups;
* :func:`sample` joins the cohort's scores at one occasion with its background and the
  comparison instruments; :func:`validation` is the whole declared design the validation and
  norms reports follow (instrument, occasions, sample, plan; which of the plan's groupings and
  hypotheses the data allow);
* :func:`norm_comparison` compares domain means with the national norms, before and after the
  publisher's erratum: the standardised difference ``(m − μ)/σ`` uses the national mean ``μ``
  and SD ``σ`` (the usual effect size for a comparison with published norms; Cohen 1988 reads
  0.2, 0.5 and 0.8 as small, medium and large);
* :func:`group_domain_means` and :func:`profile_rows` give the profile charts their rows.

Weighted means and SDs follow :mod:`analysis.stats.descriptives`.

Examples
--------
>>> plan = validation_plan("3x10d")
>>> plan.norm_groups
('age_group', 'gender')
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import yaml

from analysis import resource
from analysis.intake.manifest import Study
from analysis.stats import irt, sem
from analysis.stats.checks import as_list, require_columns
from analysis.stats.descriptives import ALL, group_labels, group_summary, join_on_id
from analysis.stats.lavaan_syntax import parse_model
from analysis.stats.results import Result
from analysis.study.domains import LifeDomains, life_domain_instrument, life_domains
from analysis.study.reference_norms import national_norms

#: The survey-weight column of a cohort's background, when the study has one.
WEIGHT = "weight"
#: The latent variable of the one-factor model of the domain-specific items.
FACTOR = "life_situation"


@dataclass(frozen=True)
class ValidationPlan:
    """The declared plan of a validation study (see the module docstring)."""

    path: Path
    sample: tuple[str, ...] = ()
    known_groups: tuple[Mapping, ...] = ()
    invariance_groupings: tuple[str, ...] = ()
    min_group_n: int = 100
    norm_groups: tuple[str, ...] = ()
    norm_min_n: int = 20


def plan_path(instrument: str) -> Path | None:
    """``questionnaires/hypotheses/<instrument>.yaml`` when it exists.

    Examples
    --------
    >>> plan_path("3x10d").name, plan_path("sus")
    ('3x10d.yaml', None)
    """
    path = resource("questionnaires", "hypotheses", f"{instrument}.yaml")
    return path if path.is_file() else None


def validation_plan(instrument: str) -> ValidationPlan | None:
    """The validation plan of ``instrument`` (``None`` when none is declared).

    Examples
    --------
    >>> plan = validation_plan("3x10d")
    >>> plan.invariance_groupings, plan.min_group_n, validation_plan("sus")
    (('gender', 'age_group', 'form_language'), 100, None)
    """
    path = plan_path(instrument)
    if path is None:
        return None
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    inv = spec.get("invariance") or {}
    return ValidationPlan(path=path, sample=tuple(spec.get("sample", ())),
                          known_groups=tuple(spec.get("known_groups", ())),
                          invariance_groupings=tuple(inv.get("groupings", ())),
                          min_group_n=int(inv.get("min_group_n", 100)),
                          norm_groups=tuple(spec.get("norm_groups", ())),
                          norm_min_n=int(spec.get("norm_min_n", 20)))


def sample(study: Study, instrument: str, occasion: str | None) -> pd.DataFrame:
    """Scores of ``instrument`` at ``occasion`` (all rows when ``None``), one row per person,
    with the cohort's background and the scores of every other cohort instrument joined by
    respondent id (columns already present get the instrument's suffix).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> table = sample(load_study(datasets.path("demo")), "3x10d", "t1")
    >>> table.shape, table["occasion"].unique().tolist(), "swls_total" in table
    ((900, 41), ['t1'], True)
    """
    scores = study.scores("cohort", instrument)
    base = scores[scores["occasion"] == occasion] if occasion is not None and "occasion" in scores else scores
    others: dict[str, pd.DataFrame] = {}
    if study.has("cohort", dataset="background"):
        others["background"] = study.table("cohort", "background")
    for entry in study.manifest.entries("cohort"):
        ident = entry.instrument
        if ident and ident != instrument and ident not in others:
            other = study.scores("cohort", ident)
            if "occasion" in other and occasion is not None:
                other = other[other["occasion"] == occasion]
            others[ident] = other.drop(columns=[c for c in ("occasion",) if c in other])
    return join_on_id(base, others)

def weight_column(data: pd.DataFrame) -> str | None:
    """The survey-weight column of ``data`` (:data:`WEIGHT`), or ``None`` when it has none.

    Examples
    --------
    >>> weight_column(pd.DataFrame(columns=["sat_health", "weight"])), weight_column(pd.DataFrame())
    ('weight', None)
    """
    return WEIGHT if WEIGHT in data.columns else None


@dataclass(frozen=True)
class Validation:
    """The comparison cohort's validation study as the study and the plan declare it: the
    life-domain ``instrument`` and its ``domains``, the cohort's ``occasions`` in order, its
    ``scores`` at every occasion, the ``sample`` (:func:`sample` at the first occasion) and the
    validation ``plan`` (``None`` when the instrument has none). The properties say which parts
    of the plan the data allow."""

    instrument: str
    domains: LifeDomains
    occasions: tuple[str, ...]
    scores: pd.DataFrame
    sample: pd.DataFrame
    plan: ValidationPlan | None

    @property
    def main(self) -> str | None:
        """The occasion of the cross-sectional analyses (the first; ``None`` if none is declared)."""
        return self.occasions[0] if self.occasions else None

    @property
    def retest(self) -> tuple[str, str] | None:
        """The first occasion and its retest (the first two occasions), if there are two."""
        return (self.occasions[0], self.occasions[1]) if len(self.occasions) >= 2 else None

    @property
    def weight(self) -> str | None:
        """The survey-weight column of the sample (:func:`weight_column`)."""
        return weight_column(self.sample)

    @property
    def model(self) -> str:
        """lavaan syntax of the one-factor model of the domain-specific satisfaction items."""
        return f"{FACTOR} =~ " + " + ".join(self.domains.specific_items)

    def _planned(self, columns) -> list:
        return [c for c in columns if c in self.sample.columns]

    @property
    def sample_columns(self) -> list[str]:
        """The plan's sample-description columns that the sample has."""
        return self._planned(self.plan.sample if self.plan else ())

    @property
    def norm_groups(self) -> list[str]:
        """The plan's norm-group columns that the sample has."""
        return self._planned(self.plan.norm_groups if self.plan else ())

    @property
    def norm_min_n(self) -> int:
        """The smallest group that gets a norm table of its own (the plan's, else 1)."""
        return self.plan.norm_min_n if self.plan else 1

    @property
    def invariance_groupings(self) -> list[str]:
        """The plan's invariance groupings that the sample has."""
        return self._planned(self.plan.invariance_groupings if self.plan else ())

    @property
    def known_groups(self) -> list[Mapping]:
        """The plan's known-groups comparisons whose grouping column the sample has."""
        return [g for g in (self.plan.known_groups if self.plan else ()) if g["group"] in self.sample.columns]

    def hypotheses(self) -> tuple[list[dict], list[dict]]:
        """The plan's construct-validity hypotheses, and those the sample can test (it has
        both the score and the comparison instrument)."""
        from analysis.stats.validity import load_hypotheses

        hypotheses = load_hypotheses(self.plan.path) if self.plan else []
        columns = self.sample.columns
        return hypotheses, [h for h in hypotheses if h["score"] in columns and h["comparison"] in columns]


def validation(study: Study, population: str = "cohort") -> Validation:
    """The validation design of ``population`` in ``study`` (:class:`Validation`).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> v = validation(load_study(datasets.path("demo")))
    >>> v.main, v.retest, v.weight, v.invariance_groupings, [g["group"] for g in v.known_groups]
    ('t1', ('t1', 'retest'), 'weight', ['gender', 'age_group'], ['service_user', 'activity'])
    """
    instrument = life_domain_instrument(study, population)
    if instrument is None:
        raise ValueError(f"the study's {population} population answered no life-domain instrument")
    occasions = tuple(study.occasions(population))
    return Validation(instrument=instrument, domains=life_domains(instrument), occasions=occasions,
                      scores=study.scores(population, instrument),
                      sample=sample(study, instrument, occasions[0] if occasions else None),
                      plan=validation_plan(instrument))


def group_sizes(data: pd.DataFrame, column: str, min_n: int) -> tuple[list, list]:
    """The groups of ``column`` with at least ``min_n`` persons and those with fewer (largest
    first, as :meth:`pandas.Series.value_counts` orders them).

    Examples
    --------
    >>> group_sizes(pd.DataFrame({"g": ["a"] * 5 + ["b"] * 2 + ["c"]}), "g", 2)
    (['a', 'b'], ['c'])
    """
    sizes = data[column].value_counts()
    return list(sizes[sizes >= min_n].index), list(sizes[sizes < min_n].index)


def norm_comparison(data: pd.DataFrame, domains: Sequence[str], *, weight: str | None = None,
                    by: str | Sequence[str] | None = None, published: pd.DataFrame | None = None,
                    corrected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sample means of the 3X10D domains against the national norms, before and after the erratum.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with columns ``sat_<domain>`` (and ``weight`` / ``by``).
    weight : str, optional
        Survey-weight column: weighted mean and SD (module definitions); ``n`` stays the
        number of persons.
    by : str or list of str, optional
        Grouping column(s): rows for the whole sample (``group`` = ``"all"``) and each group
        (several columns: their values joined by a space, e.g. ``"16-19 female"``).
    domains : list of str
        Domain keys (see :class:`analysis.study.domains.LifeDomains`).
    published, corrected : DataFrame, optional
        National tables with ``domain``, ``mean`` and ``sd`` (as :func:`national_norms`); default
        ``national_norms(corrected=False)`` (as first printed) and ``national_norms()``
        (publisher's erratum: every mean one point lower).

    Returns
    -------
    DataFrame
        ``group, domain, n, mean, sd, national_sd, published_mean, corrected_mean,
        diff_published, diff_corrected, std_diff_published, std_diff_corrected`` with
        ``diff = mean − national mean`` and ``std_diff = diff / national_sd``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sat_family": [8.0, 9.0, 7.0]})
    >>> t = norm_comparison(df, ["family"])
    >>> t[["published_mean", "corrected_mean", "diff_corrected"]].round(2).values.tolist()
    [[8.23, 7.23, 0.77]]
    """
    published = (national_norms(corrected=False) if published is None else published).set_index("domain")
    corrected = (national_norms(corrected=True) if corrected is None else corrected).set_index("domain")
    cols = [f"sat_{d}" for d in domains]
    require_columns(data, cols + as_list(by), "norm_comparison")
    unknown = [d for d in domains if d not in published.index or d not in corrected.index]
    if unknown:
        raise KeyError(f"norm_comparison: no national norm for domain(s) {unknown} "
                       f"(norms exist for {list(published.index)})")
    rows = []
    stats = group_summary(data, cols, by, weight=weight)
    for label, col, n, m, s in stats.itertuples(index=False):
        d = domains[cols.index(col)]
        sd_nat = float(corrected.loc[d, "sd"])
        mu_p, mu_c = float(published.loc[d, "mean"]), float(corrected.loc[d, "mean"])
        rows.append({"group": label, "domain": d, "n": n, "mean": m, "sd": s,
                     "national_sd": sd_nat, "published_mean": mu_p, "corrected_mean": mu_c,
                     "diff_published": m - mu_p, "diff_corrected": m - mu_c,
                     "std_diff_published": (m - mu_p) / sd_nat,
                     "std_diff_corrected": (m - mu_c) / sd_nat})
    return pd.DataFrame(rows)


def group_domain_means(data: pd.DataFrame, domains: Sequence[str], by: str | Sequence[str], *,
                       weight: str | None = None) -> pd.DataFrame:
    """(Weighted) mean of each domain per group, wide, for tables and profile charts.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with ``sat_<domain>`` columns.
    by : str or list of str
        Grouping column(s); several columns give cells such as ``"16-19 female"``.
    weight : str, optional
        Survey-weight column (weighted means as in the module docstring).

    Returns
    -------
    DataFrame
        One row per group (sorted, then ``"all"``): the group (column named ``by``; several
        columns: their names joined by ``" × "``), ``n`` (persons in the group) and one
        column per domain key (mean of ``sat_<domain>`` over those who answered it). Rows
        with a missing group value count in ``"all"`` only.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "sat_health": [4.0, 6.0, 9.0]})
    >>> group_domain_means(df, ["health"], "g").values.tolist()
    [['a', 2, 5.0], ['b', 1, 9.0], ['all', 3, 6.333333333333333]]
    """
    cols = [f"sat_{d}" for d in domains]
    require_columns(data, cols + as_list(by), "group_domain_means")
    means: dict[str, dict] = {}
    for label, col, _, m, _ in group_summary(data, cols, by, weight=weight).itertuples(index=False):
        means.setdefault(label, {})[domains[cols.index(col)]] = m
    labels = group_labels(data, by)
    n = {ALL: len(data), **{str(k): int(v) for k, v in labels.value_counts().items()}}
    order = [g for g in means if g != ALL] + [ALL]
    wide = pd.DataFrame.from_dict(means, orient="index").loc[order, list(domains)]
    wide.insert(0, "n", [n[g] for g in order])
    return wide.rename_axis(by if isinstance(by, str) else " × ".join(by)).reset_index()


def profile_rows(means: pd.DataFrame, *, min_n: int = 5, max_rows: int = 3) -> pd.DataFrame:
    """Groups of :func:`group_domain_means` (or of a published :func:`domain_means` table),
    indexed by their group column (``means.set_index(by)``), to draw in a profile chart.

    Keeps groups (not ``"all"``) with at least ``min_n`` persons — smaller cells are
    suppressed in the tables, so they are not drawn either, and neither is a group whose count
    disclosure control hid (``<5``, ``..``) — and at most ``max_rows`` of them
    (:func:`analysis.report.figures.profile_chart` draws three), the largest first, ties in table
    order. Returns the domain columns only (as numbers); compare its index with ``means.index``
    to say which groups were left out.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"n": [10, 3, 8, 21], "health": [5.0, 6, 7, 6]}, index=["a", "b", "c", "all"])
    >>> profile_rows(m).index.tolist()
    ['a', 'c']
    >>> shown = pd.DataFrame({"n": [10, "<5", "..", 21], "health": [5.0, "<5", "..", 6]}, index=["a", "b", "c", "all"])
    >>> profile_rows(shown).index.tolist()
    ['a']
    """
    groups = means.drop(index=[ALL], errors="ignore")
    n = pd.to_numeric(groups["n"], errors="coerce")
    keep = groups[n >= min_n]
    order = n[keep.index].sort_values(ascending=False, kind="stable").index[:max_rows]
    drawn = keep.loc[[g for g in keep.index if g in set(order)]].drop(columns="n")
    return drawn.apply(pd.to_numeric, errors="coerce").astype(float)


@dataclass(frozen=True)
class SamplingAdequacy(Result):
    """KMO and Bartlett's test as report tables: ``overall`` (measure, value) and ``items``
    (item, kmo)."""

    overall: pd.DataFrame
    items: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ``overall`` table (KMO and Bartlett)."""
        return self.overall


def sampling_adequacy(data: pd.DataFrame) -> SamplingAdequacy:
    """Kaiser–Meyer–Olkin (overall and per item) and Bartlett's sphericity test of ``data``
    (:func:`analysis.stats.structure.kmo`, :func:`analysis.stats.structure.bartlett`).

    References
    ----------
    Kaiser, H. F. (1970). A second generation little jiffy. *Psychometrika*, 35, 401–415;
    Kaiser, H. F., & Rice, J. (1974). Little jiffy, mark IV. *Educational and Psychological
    Measurement*, 34, 111–117 (KMO). Bartlett, M. S. (1951). The effect of standardization on a
    χ² approximation in factor analysis. *Biometrika*, 38, 337–344 (sphericity test).

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2], "b": [2, 2, 3, 5, 4, 3, 1], "c": [1, 3, 3, 4, 5, 2, 2]})
    >>> sampling_adequacy(items).overall.round(3)["value"].tolist()
    [0.682, 11.829, 3.0, 0.008, 7.0]
    """
    from analysis.stats import structure

    k = structure.kmo(data)
    b = structure.bartlett(data)
    overall = pd.DataFrame({"measure": ["kmo", "chisq", "df", "p", "n"],
                            "value": [k.overall, b.chisq, b.df, b.p, b.n]})
    return SamplingAdequacy(overall, k.items.rename(columns={"msa": "kmo"}))


def example_lookup(sample: pd.DataFrame, table: pd.DataFrame, instrument: str, by: Sequence[str]) -> pd.DataFrame:
    """Place an example respondent in the norm table: the sample's rounded median answer on
    every domain, in the largest cell of ``by`` (:func:`analysis.stats.norms.lookup`).

    An example made from the data rather than a person: no respondent's answers are shown.
    Returns the lookup table (``score`` first).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.stats.norms import norm_table
    >>> from analysis.study.domains import life_domains
    >>> s = pd.DataFrame({k: [4, 6, 7, 8, 9] for k in life_domains("3x10d").satisfaction})
    >>> found = example_lookup(s, norm_table(s, ["sat_health"], by=[]), "3x10d", [])
    >>> found[["score", "raw", "percentile"]].values.tolist()
    [['sat_health', 7.0, 50.0]]
    """
    from analysis.intake.scoring import score
    from analysis.stats.norms import lookup
    from analysis.study.domains import life_domains

    ld = life_domains(instrument)
    answers = {k: float(round(sample[k].median())) for k in ld.satisfaction}
    scored = score(pd.DataFrame([{"respondent_id": "example", **answers}]), instrument).iloc[0].to_dict()
    cell = sample.groupby(list(by)).size().idxmax() if by else ()
    cell = cell if isinstance(cell, tuple) else (cell,)
    respondent = {**scored, **dict(zip(by, map(str, cell)))}
    return lookup(table, respondent, by=list(by))


def norm_table_by_group(table: pd.DataFrame, data: pd.DataFrame, by: Sequence[str], total: str = ALL,
                        min_n: int = 1) -> pd.DataFrame:
    """A norm table (:func:`analysis.stats.norms.norm_table`) as a report publishes it: ``n`` is
    the number of persons in the group, counted as :func:`domain_means` counts them, so that
    disclosure control links the norm table with the tables of group means (a group hidden
    there is hidden here); the persons who answered each score are ``n_answered``. Groups of
    fewer than ``min_n`` persons are left out (the whole sample never is).

    Examples
    --------
    >>> from analysis.stats.norms import norm_table
    >>> df = pd.DataFrame({"s": [1.0, 2, None, 4], "g": ["a", "a", "a", "b"]})
    >>> t = norm_table_by_group(norm_table(df, ["s"], by=["g"], grid={"s": [2.0]}), df, ["g"])
    >>> t[["g", "n", "n_answered"]].values.tolist()
    [['all', 4, 3], ['a', 3, 2], ['b', 1, 1]]
    """
    by = list(by)
    sizes = data.dropna(subset=by).astype({b: str for b in by}).groupby(by).size() if by else pd.Series(dtype=int)
    keys = table[by].astype(str).itertuples(index=False, name=None) if by else [()] * len(table)
    n = [len(data) if all(v == total for v in key) else int(sizes.get(key if len(by) > 1 else key[0], 0))
         for key in keys]
    out = table.rename(columns={"n": "n_answered"})
    out.insert(int(out.columns.get_loc("n_answered")), "n", n)
    whole = (out[by] == total).all(axis=1) if by else pd.Series(True, index=out.index)
    return out[whole | (out["n"] >= min_n)].reset_index(drop=True)


def domain_means(data: pd.DataFrame, domains: Sequence[str], by: Sequence[str], *, weight: str | None = None,
                 total: str = ALL) -> pd.DataFrame:
    """(Weighted) mean of each domain per cell of ``by``, one column per ``by`` variable.

    Like :func:`group_domain_means`, but the group is spelled out in its own columns (the
    whole sample is ``total`` in every one of them), so that disclosure control can add up
    cells to margins. Rows: the cells in sorted order, then the whole sample. Columns: the
    ``by`` variables, ``n`` (persons in the cell) and one column per domain.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["x", "x", "y"], "b": ["u", "v", "u"], "sat_health": [4.0, 6.0, 9.0]})
    >>> domain_means(df, ["health"], ["a", "b"]).values.tolist()
    [['x', 'u', 1, 4.0], ['x', 'v', 1, 6.0], ['y', 'u', 1, 9.0], ['all', 'all', 3, 6.333333333333333]]
    """
    by = list(by)
    wide = group_domain_means(data, domains, by, weight=weight)
    wide = wide.set_index(wide.columns[0])
    cells = data[by].dropna().astype(str).drop_duplicates()
    key = cells.apply(" ".join, axis=1) if len(by) > 1 else cells[by[0]]
    lookup = dict(zip(key, cells.itertuples(index=False)))
    rows = []
    for group, row in wide.iterrows():
        values = [total] * len(by) if group == ALL else list(lookup[group])
        rows.append([*values, int(row["n"]), *row[list(domains)].to_numpy(float)])
    return pd.DataFrame(rows, columns=[*by, "n", *domains])


# ----------------------------------------------------------------------------------------------
# Report 02's item-level analyses: DIF by the plan's groupings, the response scale's functioning
# ----------------------------------------------------------------------------------------------

#: The three DIF tests of :func:`analysis.stats.irt.dif_ordinal`, by their models' suffix.
DIF_TESTS = {"uniform": "12", "non_uniform": "23", "total_dif": "13"}


@dataclass(frozen=True)
class GroupDif(Result):
    """DIF of ``items`` by ``grouping`` (:func:`dif_by_group`): the :class:`~analysis.stats.irt.OrdinalDif`
    ``result`` over the ``used`` groups (``None`` when fewer than two have ``min_n`` persons who
    answered every item), and the groups ``left_out`` for being smaller."""

    grouping: str
    result: irt.OrdinalDif | None
    used: tuple
    left_out: tuple
    min_n: int

    def to_frame(self) -> pd.DataFrame:
        """Long: ``item, test`` (``uniform``, ``non_uniform``, ``total_dif``), ``n, chisq, df, p,
        delta_r2, size`` (the Jodoin–Gierl class of the pseudo-R² change); empty without a result."""
        columns = ["item", "test", "n", "chisq", "df", "p", "delta_r2", "size"]
        if self.result is None:
            return pd.DataFrame(columns=columns)
        table = self.result.table
        parts = [pd.DataFrame({"item": table["item"], "test": test, "n": table["n"],
                               "chisq": table[f"chi2_{k}"], "df": table[f"df_{k}"], "p": table[f"p_{k}"],
                               "delta_r2": table[f"delta_r2_{k}"], "size": table[f"size_{k}"]})
                 for test, k in DIF_TESTS.items()]
        order = {item: i for i, item in enumerate(table["item"])}
        out = pd.concat(parts, ignore_index=True)
        out = out.iloc[sorted(range(len(out)), key=lambda i: (order[out["item"].iat[i]], i))]
        return out.reset_index(drop=True)[columns]


#: The constraint type each invariance step adds, as a score test's parameter shows it.
PARTIAL_KIND = {"metric": "=~", "scalar": "~1", "strict": "~~"}


@dataclass(frozen=True)
class RetestInvariance(Result):
    """Longitudinal invariance of the retest (:func:`retest_invariance`): the steps'
    ``table`` (:func:`analysis.stats.sem.longitudinal_invariance`, with the partial step
    when one was fitted), the first ``step`` Chen's limits reject (``None`` when all hold)
    and the parameters ``freed`` in its partial version, in the order they were freed."""

    table: pd.DataFrame
    step: str | None
    freed: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table

    @property
    def partial_supported(self) -> bool | None:
        """Whether the partial step meets Chen's limits (``None`` without a partial step)."""
        if not self.freed:
            return None
        return _holds(self.table, f"{self.step} (partial)")

    @property
    def freed_items(self) -> tuple[str, ...]:
        """The items whose parameters were freed, in the order freed."""
        return tuple(p.split("=~")[1] if "=~" in p else p.split("~")[0] for p in self.freed)


def _holds(table: pd.DataFrame, step: str) -> bool:
    verdict = table.set_index("model").loc[step, "supported"]
    return verdict is not pd.NA and bool(verdict)


def _kind(parameter: str) -> str:
    return "=~" if "=~" in parameter else "~1" if parameter.endswith("~1") else "~~"


def retest_invariance(scores: pd.DataFrame, model: str, occasions: Sequence[str], *,
                      alpha: float = 0.05) -> RetestInvariance:
    """Longitudinal invariance of the one-factor ``model`` between two ``occasions`` (MLR,
    full-information ML), and partial invariance when a step fails.

    The steps of :func:`analysis.stats.sem.longitudinal_invariance` are judged by Chen's
    (2007) limits. When one is rejected, its constraints are released one at a time, as in
    Byrne, Shavelson and Muthén's (1989) partial invariance: the constraint of the kind the
    step adds (loadings, intercepts or residual variances) with the largest score test
    (lavaan ``lavTestScore``) among those with p < ``alpha`` is freed and the steps fitted
    again, until the partial step meets the limits, no such constraint is left, or half of
    the items are freed (the comparison must rest on a majority of invariant items).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> v = validation(load_study(datasets.path("demo")))
    >>> res = retest_invariance(v.scores, v.model, v.retest)
    >>> res.step, res.freed, res.partial_supported
    (None, (), None)
    >>> bool(res.table["admissible"].all()), res.table.set_index("model")["supported"].iloc[1:].map(bool).to_dict()
    (True, {'metric': True, 'scalar': True, 'strict': True})
    """
    occasions = list(occasions)
    n_items = len({s.rhs for s in parse_model(model) if s.op == "=~"})

    def fit(freed: Sequence[str], step: str) -> pd.DataFrame:
        return sem.longitudinal_invariance(scores, model, occasions=occasions, estimator="MLR", missing="ml",
                                           long_partial=list(freed), partial_step=step)

    table = fit((), "scalar")
    steps = set(table["model"])
    step = next((s for s in PARTIAL_KIND if s in steps and table.set_index("model").loc[s, "supported"] is not pd.NA
                 and not _holds(table, s)), None)
    if step is None:
        return RetestInvariance(table, None, ())
    freed: list[str] = []
    current, key = table, step
    while True:
        tests = current.attrs.get("score_tests", {}).get(key)
        if tests is None or len(freed) >= n_items // 2:
            break
        candidates = tests[(tests["parameter"].map(_kind) == PARTIAL_KIND[step]) & (tests["pvalue"] < alpha)
                           & ~tests["parameter"].isin(freed)]
        if candidates.empty:
            break
        freed.append(candidates.sort_values("X2", ascending=False, kind="stable")["parameter"].iloc[0])
        current, key = fit(freed, step), f"{step} (partial)"
        if _holds(current, key):
            break
    return RetestInvariance(current if freed else table, step, tuple(freed))


def retest_pairs(scores: pd.DataFrame, retest: Sequence[str]) -> int:
    """Persons with a row at both occasions of ``retest``.

    Examples
    --------
    >>> retest_pairs(pd.DataFrame({"respondent_id": ["a", "a", "b"], "occasion": ["t1", "t2", "t1"]}), ["t1", "t2"])
    1
    """
    at = scores[scores["occasion"].isin(list(retest))]
    return int(at.groupby("respondent_id")["occasion"].nunique().eq(len(set(retest))).sum())


def dif_by_group(data: pd.DataFrame, items: Sequence[str], grouping: str, min_n: int) -> GroupDif:
    """Ordinal-logistic DIF (:func:`analysis.stats.irt.dif_ordinal`, sum-score criterion) of
    ``items`` between the groups of ``grouping`` that have at least ``min_n`` persons who
    answered every item; smaller groups are left out (and named), a result resting on them is
    not computed.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> v = validation(load_study(datasets.path("demo")))
    >>> d = dif_by_group(v.sample, v.domains.specific_items[:3], "age_group", 10)
    >>> d.used, d.left_out, d.to_frame()[["item", "test"]].head(3).values.tolist()
    (('16-19', '20-24', '25-29'), (), [['sat_health', 'uniform'], ['sat_health', 'non_uniform'], ['sat_health', 'total_dif']])
    """
    items = list(items)
    complete = data[data[items].notna().all(axis=1) & data[grouping].notna()]
    used, left_out = group_sizes(complete, grouping, min_n)
    used = sorted(used, key=str)
    if len(used) < 2:
        return GroupDif(grouping, None, tuple(used), tuple(left_out), min_n)
    result = irt.dif_ordinal(complete[complete[grouping].isin(used)], items, grouping, min_group=min_n)
    return GroupDif(grouping, result, tuple(used), tuple(left_out), min_n)


@dataclass(frozen=True)
class ScaleFunctioning(Result):
    """The response scale's functioning (:func:`scale_functioning`): the partial credit model
    ``result`` on the items with their ``unused`` categories collapsed (item → codes nobody
    chose between its lowest and highest answer), and ``codes`` (item → the original code of
    each category of the model, in order)."""

    result: irt.PartialCredit
    unused: Mapping[str, tuple]
    codes: Mapping[str, tuple]

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``item, n`` (persons without an extreme score, on whom the fit
        rests), ``location, lowest_threshold, highest_threshold, ordered, infit_msq, outfit_msq,
        infit_t, outfit_t`` and ``unused`` (the collapsed codes, as text)."""
        res = self.result
        thresholds = res.thresholds.set_index("item")
        steps = thresholds.filter(regex=r"^threshold_\d+$")
        fit = res.itemfit.set_index("item")
        items = list(res.items)
        return pd.DataFrame({
            "item": items, "n": fit.loc[items, "n"].astype(int).to_numpy(),
            "location": thresholds.loc[items, "location"].to_numpy(),
            "lowest_threshold": steps.loc[items].min(axis=1).to_numpy(),
            "highest_threshold": steps.loc[items].max(axis=1).to_numpy(),
            "ordered": thresholds.loc[items, "ordered"].astype(bool).to_numpy(),
            "infit_msq": fit.loc[items, "infit_msq"].to_numpy(), "outfit_msq": fit.loc[items, "outfit_msq"].to_numpy(),
            "infit_t": fit.loc[items, "infit_t"].to_numpy(), "outfit_t": fit.loc[items, "outfit_t"].to_numpy(),
            "unused": [", ".join(f"{c:g}" for c in self.unused.get(i, ())) for i in items]})

    @property
    def example_item(self) -> str:
        """The item of the figure: the first with disordered thresholds, else the first with
        no collapsed category (else the first)."""
        t = self.result.thresholds
        disordered = [i for i, ok in zip(t["item"], t["ordered"]) if not ok]
        whole = [i for i in self.result.items if i not in self.unused]
        return (disordered or whole or list(self.result.items))[0]

    def curves(self, item: str, theta_grid: Sequence[float]) -> pd.DataFrame:
        """The category probability curves of ``item`` (:func:`analysis.stats.irt.category_probabilities`)
        with ``category`` the item's original codes."""
        curves = irt.category_probabilities(self.result, item, theta_grid)
        low = self.result.lowest[self.result.items.index(item)]
        original = dict(zip(range(low, low + len(self.codes[item])), self.codes[item]))
        return curves.assign(category=curves["category"].map(original))


def collapse_unused(data: pd.DataFrame, items: Sequence[str]) -> tuple[pd.DataFrame, dict, dict]:
    """``items`` of ``data`` with each item's categories that nobody chose (between its lowest
    and highest answer) collapsed: the answers renumbered in order from the lowest answer
    (0, 2, 3 → 0, 1, 2). Returns the recoded items, the unused codes per item (only items
    that have some) and each item's original codes in order.

    Examples
    --------
    >>> x, unused, codes = collapse_unused(pd.DataFrame({"a": [0, 2, 3, None], "b": [1, 2, 3, 1]}), ["a", "b"])
    >>> x["a"].tolist(), unused, codes["a"]
    ([0.0, 1.0, 2.0, nan], {'a': (1,)}, (0, 2, 3))
    """
    out, unused, codes = {}, {}, {}
    for item in items:
        col = pd.to_numeric(data[item], errors="coerce")
        observed = sorted(int(c) for c in col.dropna().unique())
        codes[item] = tuple(observed)
        if not observed:
            out[item] = col
            continue
        gaps = tuple(c for c in range(observed[0], observed[-1] + 1) if c not in observed)
        if gaps:
            unused[item] = gaps
        out[item] = col.map({c: observed[0] + k for k, c in enumerate(observed)})
    return pd.DataFrame(out, index=data.index), unused, codes


def scale_functioning(data: pd.DataFrame, items: Sequence[str]) -> ScaleFunctioning:
    """The Rasch partial credit model (:func:`analysis.stats.irt.pcm`) of ``items`` after
    :func:`collapse_unused` (a category nobody chose has no finite parameter).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> v = validation(load_study(datasets.path("demo")))
    >>> f = scale_functioning(v.sample, v.domains.specific_items)
    >>> dict(f.unused), f.to_frame().shape
    ({'sat_family': (1,)}, (9, 11))
    """
    recoded, unused, codes = collapse_unused(data, items)
    return ScaleFunctioning(irt.pcm(recoded, list(items)), unused, codes)
