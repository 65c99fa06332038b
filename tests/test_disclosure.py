"""Tests of analysis.report.disclosure: every attack of a reader recovers a hidden value from
tables protected by primary suppression only (the project's former rule,
``suppress_small_cells``), and none recovers anything after :class:`Disclosure`.

The recovered values are checked against the true ones and, for the simple attacks, against
the arithmetic written out in the test (900 − 504 − 393 = 3 and so on), so the attacker in
the module is itself tested against a hand computation.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.report.disclosure import Disclosure, TableSpec, audit, collapse_small, shown_count, suppress_small_cells
from analysis.stats.norms import norm_table

GENDER = TableSpec(population="respondents", dims=["gender"], percents=["pct"])
# one score whose n is every respondent: the same population as the composition table
MEANS = TableSpec(population="respondents", dims=["gender"], means=["mean"], sds={"sd": "mean"})


def gender_table():
    n = pd.Series([504, 393, 3, 900])
    return pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": n, "pct": 100 * n / 900})


def mean_table():
    """Means and SDs by gender that add up exactly (from made-up sums and sums of squares)."""
    n = np.array([504, 393, 3])
    s = np.array([504 * 7.1, 393 * 6.4, 3 * 4.0])
    ss = np.array([(503) * 1.9 ** 2 + 504 * 7.1 ** 2, 392 * 2.2 ** 2 + 393 * 6.4 ** 2, 2 * 1.0 + 3 * 16.0])
    n_all, s_all, ss_all = n.sum(), s.sum(), ss.sum()
    means = np.append(s / n, s_all / n_all)
    ns = np.append(n, n_all)
    sds = np.sqrt((np.append(ss, ss_all) - ns * means ** 2) / (ns - 1))
    return pd.DataFrame({"score": "sat_health", "gender": ["female", "male", "other", "all"], "n": ns,
                         "mean": means, "sd": sds})


def found(tables, specs):
    return audit(tables, specs)


def test_subtraction_and_percentage_attacks_on_primary_suppression():
    published = suppress_small_cells(gender_table(), ["n"], labels=[])
    assert published["n"].tolist() == [504, 393, "<5", 900] and published.at[2, "pct"] == "<5"
    assert 900 - 504 - 393 == 3                                   # the reader's sum
    hits = found({"g": published}, {"g": GENDER})
    assert hits[["column", "value", "attack"]].values.tolist() == [["n", 3.0, "subtraction"],
                                                                   ["pct", 100 * 3 / 900, "subtraction"]]


def test_percentage_attack_when_only_the_count_is_masked():
    t = gender_table()
    t["n"] = t["n"].astype(object)
    t.at[2, "n"] = "<5"                                           # pct left next to it
    t = t[t.gender != "all"]                                      # no total row: it comes from the percentage
    assert round(504 * 100 / t.at[0, "pct"]) == 900                # the total, from the first row
    hits = found({"g": t}, {"g": GENDER})
    assert hits.loc[hits.column == "n", ["value", "attack"]].values.tolist() == [[3.0, "percentage"]]
    # protected: the total stays known through the shown percentages, so a category is hidden
    d = Disclosure()
    shown = d.protect("g", gender_table()[lambda x: x.gender != "all"], GENDER)
    assert shown[["n", "pct"]].values.tolist()[1:] == [["..", ".."], ["<5", "<5"]]
    assert found(d.tables, d.specs).empty


def test_gender_tables_protected_together():
    d = Disclosure(min_n=5)
    comp = d.protect("composition", gender_table(), GENDER)
    means = d.protect("means", mean_table(), MEANS)
    assert comp["n"].tolist() == [504, "..", "<5", 900]
    assert comp["pct"].tolist()[1:3] == ["..", "<5"]
    assert means["n"].tolist() == [504, "..", "<5", 900]           # the same group hidden in both tables
    assert means["mean"].tolist()[1:3] == ["..", "<5"] and means["sd"].tolist()[1:3] == ["..", "<5"]
    assert found(d.tables, d.specs).empty
    # the reader's sums no longer close: two unknowns in every relation
    assert 900 - 504 == 396                                        # = male + other, split unknown
    hidden = d.hidden
    assert set(hidden.loc[hidden.reason == "primary", "group"]) == {"respondents, gender=other"}
    assert hidden.loc[(hidden.table == "composition") & (hidden.column == "n"), "value"].tolist() == [393, 3]


def test_mean_attack_on_primary_suppression():
    t = mean_table()
    published = suppress_small_cells(t, ["n"], labels=[])
    hits = found({"m": published}, {"m": MEANS})
    by_col = hits.set_index("column")
    # by hand: n = 900 − 504 − 393; sum = 900·M − 504·m_f − 393·m_m; mean = sum / n
    n = 900 - 504 - 393
    total = 900 * t.at[3, "mean"] - 504 * t.at[0, "mean"] - 393 * t.at[1, "mean"]
    assert by_col.at["n", "value"] == n
    assert by_col.at["mean", "value"] == pytest.approx(total / n, abs=1e-9) == pytest.approx(4.0, abs=1e-9)
    assert by_col.at["mean", "attack"] == "mean"
    assert by_col.at["sd", "value"] == pytest.approx(1.0, abs=1e-6)   # sums of squares likewise


def test_all_minus_groups_across_tables():
    """A table of totals and a table of groups without their total: harmless alone, disclosive together."""
    totals = pd.DataFrame({"n": [900]})
    groups = gender_table()[["gender", "n"]].iloc[:3]
    spec_totals, spec_groups = TableSpec(population="respondents"), TableSpec(population="respondents", dims=["gender"])
    alone = Disclosure().protect("groups", groups, spec_groups)    # no total in the table: nothing to add
    assert alone["n"].tolist() == [504, 393, "<5"]
    hits = found({"totals": totals, "groups": alone}, {"totals": spec_totals, "groups": spec_groups})
    assert hits[["value", "attack"]].values.tolist() == [[3.0, "subtraction across tables"]]
    d = Disclosure()
    d.protect("totals", totals, spec_totals)
    shown = d.protect("groups", groups, spec_groups)
    assert shown["n"].tolist() == [504, "..", "<5"]
    assert found(d.tables, d.specs).empty


def test_rci_classes_and_the_bounds_attack():
    rci = pd.DataFrame({"rci_class": ["improved", "unchanged", "deteriorated", "all"], "n": [5, 25, 1, 31]})
    spec = TableSpec(population="pilot", dims=["rci_class"])
    primary_only = suppress_small_cells(rci, ["n"])
    assert found({"r": primary_only}, {"r": spec})["value"].tolist() == [31 - 5 - 25]
    # "also hide the next smallest" (5): the marks bound the pair (<5 is 0–4, .. is ≥ 5), so
    # deteriorated ≤ 31 − 25 − 5 = 1: not pinned, but narrowed to {0, 1}
    naive = rci.astype({"n": object})
    naive.loc[[0, 2], "n"] = ["..", "<5"]
    assert found({"r": naive}, {"r": spec}).empty
    shown = Disclosure().protect("r", rci, spec)                   # prefers a cell leaving 0–4 open
    assert shown["n"].tolist() == [5, "..", "<5", 31]
    assert found({"r": shown}, {"r": spec}).empty
    # with a total of 5 the marks alone pin both cells: 0 and 5
    tight = pd.DataFrame({"c": ["a", "b", "all"], "n": ["<5", "..", 5]})
    assert found({"t": tight}, {"t": TableSpec(population="x", dims=["c"])})[["value", "attack"]].values.tolist() \
        == [[0.0, "bounds"], [5.0, "subtraction"]]                # then 5 − 0
    shown = Disclosure().protect("t", pd.DataFrame({"c": ["a", "b", "c", "all"], "n": [0, 5, 20, 25]}),
                                 TableSpec(population="x", dims=["c"]))
    assert shown["n"].tolist() == ["<5", 5, "..", 25]              # 5 would be pinned with the 0


def two_way():
    """Age × gender counts in long form with both margins; gender 'other' is small everywhere."""
    cells = {("16-19", "female"): 100, ("16-19", "male"): 80, ("16-19", "other"): 2,
             ("20-24", "female"): 120, ("20-24", "male"): 90, ("20-24", "other"): 1,
             ("25-29", "female"): 60, ("25-29", "male"): 70, ("25-29", "other"): 0}
    rows = [(a, g, n) for (a, g), n in cells.items()]
    for a in ["16-19", "20-24", "25-29"]:
        rows.append((a, "all", sum(n for (x, _), n in cells.items() if x == a)))
    for g in ["female", "male", "other"]:
        rows.append(("all", g, sum(n for (_, y), n in cells.items() if y == g)))
    rows.append(("all", "all", sum(cells.values())))
    return pd.DataFrame(rows, columns=["age_group", "gender", "n"])


def test_two_way_table_with_margins():
    t = two_way()
    spec = TableSpec(population="p", dims=["age_group", "gender"])
    primary_only = suppress_small_cells(t, ["n"])
    hits = found({"t": primary_only}, {"t": spec})
    truth = dict(zip(zip(t.age_group, t.gender), t.n))
    assert len(hits) == 4                                          # the three cells and the margin of 'other'
    for row in hits.itertuples():
        assert row.value == truth[(t.at[row.row, "age_group"], t.at[row.row, "gender"])]
    d = Disclosure()
    shown = d.protect("t", t, spec)
    assert found({"t": shown}, {"t": spec}).empty
    hidden = shown["n"].map(lambda v: isinstance(v, str))
    # every row and column of the inner table with a hidden cell has at least two
    inner = shown[(shown.age_group != "all") & (shown.gender != "all")]
    for key in ["age_group", "gender"]:
        counts = inner.assign(h=hidden[inner.index]).groupby(key)["h"].sum()
        assert ((counts == 0) | (counts >= 2)).all()


@pytest.fixture(scope="module")
def norm_sample():
    rng = np.random.default_rng(12)
    groups = [(a, g, 40) for a in ["16-19", "20-24", "25-29"] for g in ["female", "male"]] + [("16-19", "other", 3)]
    rows = [(a, g) for a, g, k in groups for _ in range(k)]
    df = pd.DataFrame(rows, columns=["age_group", "gender"])
    df["sat_health"] = rng.integers(0, 11, len(df)).astype(float)
    df["sat_work"] = rng.integers(0, 11, len(df)).astype(float)
    return df


NORMS = TableSpec(population="norm sample", dims=["age_group", "gender"], context=["score"], labels=["raw"],
                  means=["percentile"])


def test_norm_table_all_minus_groups(norm_sample):
    full = norm_table(norm_sample, ["sat_health", "sat_work"])
    primary_only = suppress_small_cells(full, n_cols=["n"], labels=["raw"])
    small = (primary_only.gender == "other")
    assert (primary_only.loc[small, "n"] == "<5").all()
    hits = found({"norms": primary_only}, {"norms": NORMS})
    n_hits = hits[hits.column == "n"]
    assert set(n_hits["value"]) == {3.0} and len(n_hits) == small.sum()
    # percentile ranks of the small group recovered from all − groups (ranks add up weighted by n)
    pr = hits[hits.column == "percentile"].set_index("row")["value"]
    assert len(pr) == small.sum()
    np.testing.assert_allclose(pr.to_numpy(), full.loc[pr.index, "percentile"].to_numpy(), atol=1e-9)
    d = Disclosure()
    shown = d.protect("norms", full, NORMS)
    assert found(d.tables, d.specs).empty
    assert (shown.loc[small, ["n", "percentile", "t_linear", "t_normalised"]] == "<5").all().all()
    # the complement: one more 16–19 group (both have 40; the first in order), whole (count and statistics)
    complement = shown[(shown.age_group == "16-19") & (shown.gender == "female")]
    assert (complement[["n", "percentile", "t_linear"]] == "..").all().all()
    assert (shown.loc[(shown.gender == "male") | (shown.age_group != "16-19"), "n"].isin([40, 243])).all()


def test_a_mean_needs_its_count():
    """Without its n an all-mean is not additive (n_all = 897 + x is unknown): refused, not modelled."""
    t = mean_table().astype({"n": object})
    t.loc[3, "n"] = np.nan
    with pytest.raises(ValueError, match="without its count"):
        Disclosure().protect("m", t, MEANS)


def test_hiding_is_monotone_and_report_wide():
    d = Disclosure()
    first = d.protect("groups", gender_table()[["gender", "n"]].iloc[:3], TableSpec(population="r", dims=["gender"]))
    assert first["n"].tolist() == [504, 393, "<5"]
    d.protect("total", pd.DataFrame({"n": [900]}), TableSpec(population="r"))
    assert d.tables["groups"]["n"].tolist() == [504, "..", "<5"]   # the earlier table gains a hidden cell
    with pytest.raises(ValueError, match="registered twice"):
        d.protect("total", pd.DataFrame({"n": [900]}), TableSpec(population="r"))


def test_declarations_are_checked():
    d = Disclosure()
    d.protect("a", pd.DataFrame({"n": [900]}), TableSpec(population="r"))
    with pytest.raises(ValueError, match="must agree"):
        d.protect("b", pd.DataFrame({"n": [901]}), TableSpec(population="r"))
    bad = pd.DataFrame({"g": ["a", "b", "all"], "n": [10, 20, 33]})
    with pytest.raises(ValueError, match="exhaustive=False"):
        Disclosure().protect("c", bad, TableSpec(population="s", dims=["g"]))
    shown = Disclosure().protect("c", bad, TableSpec(population="s", dims=["g"], exhaustive=False))
    assert shown["n"].tolist() == [10, 20, 33]
    with pytest.raises(KeyError, match="no column"):
        Disclosure().protect("d", bad, TableSpec(population="s", dims=["gender"]))
    with pytest.raises(ValueError, match="differ"):
        Disclosure(mask="..")
    with pytest.raises(ValueError, match="unsuppressed counts"):
        Disclosure().protect("e", suppress_small_cells(bad, ["n"]).assign(n=[10, "<5", 33]),
                             TableSpec(population="s", dims=["g"], exhaustive=False))


def test_non_exhaustive_total_adds_an_unknown_rest():
    t = pd.DataFrame({"g": ["a", "b", "c", "all"], "n": [504, 393, 3, 905]})   # 5 persons without a category
    spec = TableSpec(population="s", dims=["g"], exhaustive=False)
    assert found({"t": suppress_small_cells(t, ["n"])}, {"t": spec}).empty
    assert Disclosure().protect("t", t, spec)["n"].tolist() == [504, 393, "<5", 905]


def test_narrative_helpers():
    assert [shown_count(n) for n in (0, 4, 5, 123)] == ["<5", "<5", "5", "123"]
    assert shown_count(2, min_n=3) == "<3" and shown_count(9, min_n=10, mask="alle 10") == "alle 10"
    d = Disclosure()
    d.protect("composition", gender_table(), GENDER)
    d.protect("means", mean_table(), MEANS)
    text = "Vastaajia oli 900, joista naisia 504 (56,0 %) ja miehiä 393; muunsukupuolisten keskiarvo 4,00."
    hits = d.check_text(text)
    assert hits["number"].tolist() == ["393", "393", "4,00"]       # male n in two tables, the small group's mean
    assert set(hits["reason"]) == {"complement", "primary"}
    assert d.check_text("Vastaajia oli 900, joista naisia 504.").empty


def test_collapse_small():
    g = pd.Series(["a"] * 10 + ["b"] * 6 + ["c"] * 3 + ["d"] * 2 + [None])
    out = collapse_small(g, other="muu")
    assert out.value_counts().to_dict() == {"a": 10, "b": 6, "muu": 5}
    assert out.isna().sum() == 1
    assert collapse_small(g[:16]).equals(g[:16])                   # nothing small: unchanged


def integer_range(inner: np.ndarray, hidden: dict, cell, min_n=5):
    """Smallest and largest integer value of hidden ``cell`` of a two-way table with margins.

    Written independently of the module: unknowns are the hidden cells (inner cells as (i, j),
    row margins (i, None), column margins (None, j), the grand total (None, None)); every row,
    column and margin sum is an equation; a hidden cell marked <5 lies in 0..4, one marked ..
    at least 5; values are integers (scipy.optimize.milp).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    r, c = inner.shape
    value = {(i, j): inner[i, j] for i in range(r) for j in range(c)}
    value.update({(i, None): inner[i].sum() for i in range(r)})
    value.update({(None, j): inner[:, j].sum() for j in range(c)})
    value[(None, None)] = inner.sum()
    unknown = sorted(hidden, key=str)
    index = {k: n for n, k in enumerate(unknown)}
    equations = [[(i, None)] + [(i, j) for j in range(c)] for i in range(r)]
    equations += [[(None, j)] + [(i, j) for i in range(r)] for j in range(c)]
    equations += [[(None, None)] + [(i, None) for i in range(r)], [(None, None)] + [(None, j) for j in range(c)]]
    a, b = [], []
    for parent, *children in equations:
        row, rhs = np.zeros(len(unknown)), 0.0
        for k, sign in [(parent, 1.0)] + [(ch, -1.0) for ch in children]:
            if k in index:
                row[index[k]] += sign
            else:
                rhs -= sign * value[k]
        if row.any():
            a.append(row)
            b.append(rhs)
    lo = [0 if hidden[k] == "<5" else min_n for k in unknown]
    hi = [min_n - 1 if hidden[k] == "<5" else inner.sum() for k in unknown]
    out = []
    for sign in (1, -1):
        cost = np.zeros(len(unknown))
        cost[index[cell]] = sign
        res = milp(cost, constraints=LinearConstraint(np.array(a), b, b) if a else None,
                   integrality=np.ones(len(unknown)), bounds=Bounds(lo, hi))
        assert res.status == 0
        out.append(round(sign * res.fun))
    return out[0], out[1]


def long_form(inner: np.ndarray) -> pd.DataFrame:
    rows = []
    r, c = inner.shape
    for i in range(r + 1):
        for j in range(c + 1):
            a, g = (f"a{i}" if i < r else "all"), (f"g{j}" if j < c else "all")
            n = inner[i, j] if i < r and j < c else inner[i].sum() if i < r else inner[:, j].sum() if j < c else inner.sum()
            rows.append((a, g, int(n)))
    return pd.DataFrame(rows, columns=["age_group", "gender", "n"])


def hidden_cells(shown: pd.DataFrame) -> dict:
    key = lambda a, g: (None if a == "all" else int(a[1:]), None if g == "all" else int(g[1:]))
    return {key(a, g): n for a, g, n in shown.itertuples(index=False) if isinstance(n, str)}


def test_random_two_way_tables_against_integer_programming():
    """Before: primary suppression leaves some small cell pinned (found by both the integer
    programme and the attacker); after: no small cell has a single possible integer value."""
    rng = np.random.default_rng(2026)
    spec = TableSpec(population="p", dims=["age_group", "gender"])
    pinned_before = 0
    for _ in range(12):
        shape = tuple(rng.integers(2, 4, size=2))
        inner = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30], size=shape, p=[.1, .1, .1, .05, .05, .15, .15, .15, .15])
        table = long_form(inner)
        before = suppress_small_cells(table, ["n"])
        hidden = hidden_cells(before)
        exact = {k for k in hidden if (lambda lo, hi: lo == hi)(*integer_range(inner, hidden, k))}
        attacked = found({"t": before}, {"t": spec})
        # whatever the attacker recovers is right and is indeed pinned
        for row in attacked.itertuples():
            a, g = before.at[row.row, "age_group"], before.at[row.row, "gender"]
            assert row.value == table.at[row.row, "n"]
            assert (None if a == "all" else int(a[1:]), None if g == "all" else int(g[1:])) in exact
        pinned_before += len(exact)
        shown = Disclosure().protect("t", table, spec)
        hidden = hidden_cells(shown)
        for k, mark in hidden.items():
            if mark == "<5":
                lo, hi = integer_range(inner, hidden, k)
                assert lo < hi, (inner, k, lo, hi)
        assert found({"t": shown}, {"t": spec}).empty
    assert pinned_before > 0                                        # the test has teeth


def test_several_count_columns_and_contexts():
    t = pd.DataFrame({"score": ["s1"] * 3 + ["s2"] * 3, "gender": ["f", "m", "all"] * 2,
                      "n_baseline": [40, 30, 70, 40, 30, 70], "n_6m": [20, 3, 23, 20, 12, 32],
                      "mean_6m": [5.0, 6.0, 5.130434782608695, 5.0, 6.0, 5.375]})
    spec = TableSpec(population="pilot", dims=["gender"], counts=["n_6m", "n_baseline"], context=["score"],
                     means=["mean_6m"])
    shown = Disclosure().protect("t", t, spec)
    assert shown["n_6m"].tolist() == ["..", "<5", 23, 20, 12, 32]  # only score s1 has the small group
    assert shown["n_baseline"].tolist() == [40, 30, 70, 40, 30, 70]
    assert shown["mean_6m"].tolist()[:3] == ["..", "<5", 5.130434782608695]
    assert found({"t": shown}, {"t": spec}).empty
    primary_only = suppress_small_cells(t, ["n_6m"])
    # the small n, the masked n_baseline of its row (70 − 40), then the mean
    assert found({"t": primary_only}, {"t": spec})["value"].round(9).tolist() == [3.0, 30.0, 6.0]


def test_hidden_cells_do_not_depend_on_the_label_language():
    # Two equal counts (12 and 12) can protect the small one; which is hidden must follow the
    # table's order, not the label text, or the English and Finnish reports together show both.
    spec = TableSpec(population="respondents", dims=["band"])
    en = pd.DataFrame({"band": ["Worst", "OK", "Excellent", "Best imaginable", "all"], "n": [3, 20, 12, 12, 47]})
    fi = en.assign(band=["Huonoin", "Kelvollinen", "Erinomainen", "Paras mahdollinen", "all"])
    shown = [Disclosure().protect("sus", t, spec) for t in (en, fi)]
    assert shown[0]["n"].tolist() == shown[1]["n"].tolist()
    assert shown[0]["n"].tolist().count("..") == 1 and "<5" in shown[0]["n"].tolist()


# --------------------------------------------------------------------------- the policy and the model over sums
def test_policy_presets_and_the_manifest_block():
    from analysis.report.disclosure import PRESETS, Policy, policy_problems
    assert Policy.from_manifest(None) == Policy(5, 10, "project")
    assert (Policy.from_manifest({"preset": "acro"}).min_count, Policy.from_manifest({"preset": "acro"}).min_statistic_n) == (10, 10)
    assert Policy.from_manifest({"preset": "finnish-register", "min_statistic_n": 12}).overridden == ("min_statistic_n",)
    for block, message in (({"preset": "thl"}, "not one of project, finnish-register, acro"),
                           ({"min_count": 0}, "not a whole number"),
                           ({"min_count": 8, "min_statistic_n": 6}, "below min_count"),
                           ({"threshold": 3}, "unknown key 'threshold'")):
        assert any(message in p for p in policy_problems(block)), block
        with pytest.raises(ValueError, match="disclosure: "):
            Policy.from_manifest(block)
    # every preset names its source; none is claimed for THL or Statistics Finland
    assert all(p["source"] for p in PRESETS.values()) and not {"thl", "statistics-finland"} & set(PRESETS)


def brute_distributions(n, mean, sd, scale, share, decimals):
    """Every answer vector (as counts per answer) whose rounded mean, SD and % in the top two
    answers are the given ones, by listing all multisets (small n only)."""
    from itertools import combinations_with_replacement
    lo, hi = scale
    out = []
    for answers in combinations_with_replacement(range(lo, hi + 1), n):
        x = np.array(answers, float)
        ok = mean is None or abs(round(x.mean(), decimals) - mean) < 1e-9
        ok &= sd is None or abs(round(x.std(ddof=1), decimals) - sd) < 1e-9
        ok &= share is None or abs(round(100 * (x >= hi - 1).mean(), decimals) - share) < 1e-9
        if ok:
            out.append(np.bincount(np.array(answers) - lo, minlength=hi - lo + 1).tolist())
    return sorted(out)


def test_distribution_solutions_against_listing_every_answer_vector():
    """The dynamic programme finds every vector a listing finds; it may add one whose mean or SD
    lies exactly half a unit from the printed value (rounded either way), never miss one."""
    from analysis.report.disclosure import distribution_solutions
    rng = np.random.default_rng(22)
    exact = 0
    for _ in range(80):
        n, scale, decimals = int(rng.integers(2, 9)), [(1, 5), (0, 4), (1, 3)][rng.integers(3)], int(rng.integers(1, 4))
        x = rng.integers(scale[0], scale[1] + 1, n).astype(float)
        mean = round(x.mean(), decimals) if rng.random() < .8 else None
        sd = round(x.std(ddof=1), decimals) if rng.random() < .6 else None
        share = round(100 * (x >= scale[1] - 1).mean(), decimals) if rng.random() < .5 else None
        found_ = distribution_solutions(n, mean, sd, scale, [(scale[1] - 1, scale[1], share)] if share is not None else [],
                                        decimals=decimals, limit=10 ** 6).tolist()
        listed = brute_distributions(n, mean, sd, scale, share, decimals)
        assert all(v in found_ for v in listed)
        exact += sorted(found_) == listed
    assert exact >= 70
    # the example: 85.7 % of 7 agreeing, mean 3.571, SD 1.134 forces six 4s and one 1
    assert distribution_solutions(7, 3.571, 1.134, (1, 5), [(4, 5, 85.7)]).tolist() == [[1, 0, 0, 6, 0]]
    # n = 60 on 0–10 is quick and has many solutions
    assert len(distribution_solutions(60, 5.0, 2.5, (0, 10), [(8, 10, 30.0)], limit=5)) == 5


def test_sign_test_solutions():
    from scipy import stats

    from analysis.report.disclosure import sign_test_solutions
    p = stats.binomtest(2, 12).pvalue
    assert sign_test_solutions(16, p) == [(2, 10), (10, 2)]
    assert (5, 5) in sign_test_solutions(10, 1.0)


ITEMS = TableSpec(population="respondents", context=["item"], means=["mean"], sds={"sd": "mean"},
                  shares={"pct_agree": ("mean", 4, 5)}, scales={"mean": (1, 5)})


def items_table(answers: dict) -> pd.DataFrame:
    rows = [{"item": k, "n": len(x), "mean": np.mean(x), "sd": np.std(x, ddof=1), "pct_agree": 100 * np.mean(np.array(x) >= 4)}
            for k, x in answers.items()]
    return pd.DataFrame(rows)


def test_statistics_of_small_groups_shares_of_few_and_solvable_distributions():
    rng = np.random.default_rng(5)
    table = items_table({"few": [4] * 6 + [1],                        # n 7 < 10: no statistic at all
                         "one_agrees": [5] + list(rng.integers(1, 4, 19)),   # 5 % of 20 = one person
                         "solvable": [5] * 6 + [1] * 6,               # n 12: mean, SD and % give every answer
                         "ordinary": list(rng.integers(1, 6, 30))})
    unprotected = found({"items": table}, {"items": ITEMS})
    attacks = unprotected.groupby("row")["attack"].agg(set).to_dict()
    assert "statistic of a small group" in attacks[0] and "distribution: answers 1…5 × [1, 0, 0, 6, 0]" in attacks[0]
    assert attacks[1] == {"percentage × n"}
    assert attacks[2] == {"distribution: answers 1…5 × [6, 0, 0, 0, 6]"} and 3 not in attacks
    d = Disclosure()
    shown = d.protect("items", table, ITEMS).set_index("item")
    assert shown.loc["few", ["n", "mean", "sd", "pct_agree"]].tolist() == [7, "..", "..", ".."]
    assert shown.loc["one_agrees", "pct_agree"] == ".." and shown.loc["one_agrees", "mean"] != ".."
    assert shown.loc["solvable", "sd"] == ".." and shown.loc["solvable", ["mean", "pct_agree"]].tolist() == [3.0, 50.0]
    assert (shown.loc["ordinary"] != "..").all()
    assert found(d.tables, d.specs).empty
    assert set(d.hidden["reason"]) == {"statistic", "share", "distribution"}
    # a preset with a lower statistic threshold shows the group of 7's mean and SD (three answer
    # vectors fit them), but not the share that leaves one person out
    lower = Disclosure(min_statistic_n=5).protect("items", table, ITEMS).set_index("item")
    assert lower.loc["few", "mean"] == pytest.approx(25 / 7) and lower.loc["few", "pct_agree"] == ".."
    assert lower.loc["few", "sd"] != ".."


def test_a_group_of_few_has_no_statistics_even_through_the_total():
    """Groups 15 and 8 and all 23 with their means: the group of 8 may not have a mean (8 < 10),
    and all − 15 would give it; one more mean is hidden."""
    s = np.array([15 * 6.2, 8 * 4.5])
    t = pd.DataFrame({"g": ["a", "b", "all"], "n": [15, 8, 23], "mean": [6.2, 4.5, s.sum() / 23]})
    spec = TableSpec(population="p", dims=["g"], means=["mean"])
    before = t.astype({"mean": object})
    before.loc[1, "mean"] = ".."                                       # hidden by the statistic rule only
    hits = found({"t": before}, {"t": spec})
    assert [(c, round(v, 9), a) for c, v, a in hits[["column", "value", "attack"]].values] == [("mean", 4.5, "mean")]
    assert 23 * t.at[2, "mean"] - 15 * 6.2 == pytest.approx(8 * 4.5)
    d = Disclosure()
    shown = d.protect("t", t, spec)
    assert shown["n"].tolist() == [15, 8, 23] and shown["mean"].tolist() == ["..", "..", t.at[2, "mean"]]
    assert found(d.tables, d.specs).empty


def test_groups_by_difference():
    """Everyone with a change (19) and, in another table, the completers within them (16): the
    difference, 3 clients, may not have its first reading recovered."""
    first = np.arange(19, dtype=float) % 7 + 2
    change = pd.DataFrame({"score": ["s"], "n": [19], "mean_pre": [first.mean()]})
    baseline = pd.DataFrame({"score": ["s"], "n_completers": [16], "mean_completers": [first[:16].mean()],
                             "n_dropouts": [12], "mean_dropouts": [5.0]})
    specs = {"change": TableSpec(population="change", context=["score"], means=["mean_pre"],
                                 values={"mean_pre": "first"}),
             "baseline": TableSpec(population="baseline", context=["score"], counts=["n_completers", "n_dropouts"],
                                   means=["mean_completers", "mean_dropouts"],
                                   of={"mean_completers": "n_completers", "mean_dropouts": "n_dropouts"},
                                   values={"mean_completers": "first", "mean_dropouts": "first"},
                                   within={"n_completers": "change"})}
    hits = found({"baseline": baseline, "change": change}, specs)
    assert hits["attack"].tolist() == ["groups by difference (mean)"]
    assert hits["value"].iloc[0] == pytest.approx(first[16:].mean())
    d = Disclosure()
    d.protect("baseline", baseline, specs["baseline"])
    d.protect("change", change, specs["change"])
    assert d.tables["baseline"]["mean_completers"].tolist() == [".."]       # the earlier table gains the hidden mean
    assert d.tables["change"]["mean_pre"].tolist() == [first.mean()] and d.tables["baseline"]["mean_dropouts"].tolist() == [5.0]
    assert found(d.tables, d.specs).empty


def test_long_tables_persons_who_use_several_services_and_derived_cells():
    accounting = pd.DataFrame({"measure": ["date", "n_all", "n_in", "n_out", "visits", "visits_in", "visits_out"],
                               "value": ["2024-09-30", 18, 16, 2, 91, 78, 13]})
    spec = TableSpec(population="extract", measure="measure", counts=["value"],
                     rows={"n_all": "n_all", "n_in": "n_in", "n_out": "n_out", "visits": "n_all",
                           "visits_in": "n_in", "visits_out": "n_out"},
                     relations=[("n_all", ["n_in", "n_out"]), ("visits", ["visits_in", "visits_out"])])
    shown = Disclosure().protect("acc", accounting, spec)["value"].tolist()
    assert shown[0] == "2024-09-30" and shown[3] == "<5" and shown[6] == "<5"
    assert shown[1:3].count("..") == 1 and shown[4:6].count("..") == 1     # neither subtraction works
    assert found({"acc": suppress_small_cells(accounting.assign(value=[np.nan, 18, 16, 2, 91, 78, 13]), ["value"])
                  .assign(value=["2024-09-30", 18, 16, "<5", 91, 78, "<5"])}, {"acc": spec})["value"].tolist() == [2.0, 13.0]
    # visits by service: a client uses several, so counts do not add; the visits do
    services = pd.DataFrame({"service": ["nurse", "doctor", "psychologist", "all"], "n": [16, 12, 3, 16],
                             "total": [14, 19, 4, 37]})
    spec = TableSpec(population="users", dims=["service"], sums=["total"], persons_add=False)
    shown = Disclosure().protect("s", services, spec)
    assert shown["n"].tolist() == [16, 12, "<5", 16] and shown["total"].tolist().count("..") == 1
    # indicators: a change next to a hidden value is hidden with it
    indicators_ = pd.DataFrame({"indicator": ["all", "a", "b"], "value": [15, 12, 3], "previous": [13, 7, 6],
                                "change": [2, 5, -3]})
    spec = TableSpec(population="ind", measure="indicator", counts=["value", "previous"],
                     rows={"all": "all", "a": "a", "b": "b"}, relations=[("all", ["a", "b"])], stats=["change"])
    shown = Disclosure().protect("i", indicators_, spec).set_index("indicator")
    assert shown.loc["b", ["value", "previous", "change"]].tolist() == ["<5", 6, ".."]
    assert shown.loc["a", ["value", "change"]].tolist() == ["..", ".."]


def test_declarations_travel_with_the_machine_tables(tmp_path):
    from analysis.report.disclosure import Policy, audit_folder, write_declarations
    spec = TableSpec(population="p", dims=["g"], shares={"pct": ("mean", 4, 5)}, means=["mean"], scales={"mean": (1, 5)},
                     within={"n": "q"}, relations=(), rows={})
    assert TableSpec.from_dict(spec.to_dict()) == spec
    d = Disclosure()
    d.protect("g", gender_table(), GENDER)
    folder = tmp_path / "tables" / "r"
    folder.mkdir(parents=True)
    d.tables["g"].to_csv(folder / "g.csv", index=False)
    write_declarations(Policy(), d.specs, folder)
    assert audit_folder(tmp_path).empty
    suppress_small_cells(gender_table(), ["n"]).to_csv(folder / "g.csv", index=False)
    assert audit_folder(tmp_path)["value"].tolist()[0] == 3.0


def test_the_analysts_list_of_hidden_cells_names_derived_cells_too():
    """Report 07's indicator table hides a change next to a small count: a derived cell with no
    group of its own is listed (it used to raise IndexError)."""
    import tempfile
    import warnings

    from analysis import datasets
    from analysis.report.document import open_report
    from analysis.report.sections.half_yearly_indicators import IndicatorsReport

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = open_report("07_half_yearly_indicators", datasets.path("demo"), tempfile.mkdtemp())
        IndicatorsReport(r).indicators()
    hidden = r.disclosure.hidden
    derived = hidden[hidden["group"] == ""]
    assert len(derived) and set(derived["column"]) <= {"change", "desired", "target_met"}
    assert (hidden.loc[hidden["group"] != "", "reason"] == "primary").any()
