"""Tests for cxtemplate.measure.inference: differences, BH, margins and sample sizes against published values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxtemplate.measure import inference as inf
from cxtemplate.measure import metrics as m
from cxtemplate.measure import spec as ms


def _scores(pro: int, pas: int, det: int) -> np.ndarray:
    return np.array([9] * pro + [7] * pas + [0] * det, dtype=float)


# --------------------------------------------------------------------------- means: Welch
def test_compare_means_equals_scipy_welch():
    rng = np.random.default_rng(1)
    a = rng.normal(5.2, 1.1, 40)
    b = rng.normal(4.7, 1.9, 65)
    r = inf.compare_means(a, b, conf=0.9)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert r["diff"] == pytest.approx(a.mean() - b.mean())
    assert r["stat"] == pytest.approx(ref.statistic)
    assert r["p"] == pytest.approx(ref.pvalue)
    assert r["df"] == pytest.approx(ref.df)
    ci = ref.confidence_interval(0.9)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((ci.low, ci.high))
    # summary rows and (mean, sd, n) tuples give the same answer as raw data
    spec = ms.MetricSpec("X", "x", "mean", (-100, 100))
    sa, sb = m.estimate(a, spec), m.estimate(b, spec)
    assert inf.compare_means(sa, sb, conf=0.9)["p"] == pytest.approx(ref.pvalue)
    t = inf.compare_means((a.mean(), a.std(ddof=1), a.size), (b.mean(), b.std(ddof=1), b.size))
    assert t["p"] == pytest.approx(ref.pvalue)


# --------------------------------------------------------------------------- proportions
def test_pooled_z_equals_chi_square_without_correction():
    r = inf.compare_proportions((56, 70), (48, 80))
    chi2, p, _, _ = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert r["p"] == pytest.approx(p)
    assert r["stat"] ** 2 == pytest.approx(chi2)


@pytest.mark.parametrize("a, b, wald, newcombe", [
    # Newcombe (1998), "Interval estimation for the difference between independent proportions:
    # comparison of eleven methods", Stat Med 17:873, Table II: method 1 (Wald) and method 10
    # (hybrid score, Wilson limits combined; no continuity correction).
    ((56, 70), (48, 80), (0.0575, 0.3425), (0.0524, 0.3339)),
    ((9, 10), (3, 10), (0.2605, 0.9395), (0.1705, 0.8090)),
    ((6, 7), (2, 7), None, (0.0582, 0.8062)),
    ((5, 56), (0, 29), None, (-0.0381, 0.1926)),
])
def test_newcombe_1998_difference_examples(a, b, wald, newcombe):
    r = inf.compare_proportions(a, b)
    assert (round(r["ci_low"] / 100, 4), round(r["ci_high"] / 100, 4)) == newcombe
    if wald is not None:
        w = inf.compare_proportions(a, b, method="wald")
        assert (round(w["ci_low"] / 100, 4), round(w["ci_high"] / 100, 4)) == wald


def test_compare_proportions_input_forms_agree():
    a = np.r_[np.ones(30), np.zeros(20)]
    b = np.r_[np.ones(10), np.zeros(30), np.nan]
    raw = inf.compare_proportions(a, b)
    counts = inf.compare_proportions((30, 50), (10, 40))
    spec = ms.MetricSpec("X", "x", "top_box", (0, 1), success_min=1)
    rows = inf.compare_proportions(m.estimate(a, spec), m.estimate(b, spec))
    for r in (counts, rows):
        assert r[["diff", "p", "ci_low", "ci_high"]].astype(float).tolist() == pytest.approx(
            raw[["diff", "p", "ci_low", "ci_high"]].astype(float).tolist())
    with pytest.raises(ValueError, match="0/1"):
        inf.compare_proportions(np.array([0, 2]), b)


# --------------------------------------------------------------------------- NPS
def test_compare_nps_wald_by_hand():
    # a: 40% / 40% / 20% of 500 (NPS 20, V = 0.56); b: 30% / 40% / 30% of 400 (NPS 0, V = 0.60)
    r = inf.compare_nps(_scores(200, 200, 100), _scores(120, 160, 120), method="wald")
    se = np.sqrt(0.56 / 500 + 0.60 / 400)
    assert r["diff"] == pytest.approx(20)
    assert r["se"] == pytest.approx(100 * se)
    assert r["stat"] == pytest.approx(0.2 / se)
    assert r["p"] == pytest.approx(2 * stats.norm.sf(0.2 / se))
    half = 100 * stats.norm.ppf(0.975) * se
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((20 - half, 20 + half))


def test_compare_nps_adjusted_by_hand():
    # adjusted Wald for the difference (Lewis & Sauro, MeasuringU, "How to Statistically Compare
    # Two Net Promoter Scores", 2020): adjust each sample (3/4 to promoters and detractors, 3 to n).
    a, b = (15, 13, 8), (10, 10, 20)
    r = inf.compare_nps(_scores(*a), _scores(*b))
    pa, da, na = (15.75) / 39, (8.75) / 39, 39
    pb, db, nb = (10.75) / 43, (20.75) / 43, 43
    se = np.sqrt((pa + da - (pa - da) ** 2) / na + (pb + db - (pb - db) ** 2) / nb)
    z = ((pa - da) - (pb - db)) / se
    assert r["diff"] == pytest.approx(100 * (7 / 36 - (-10 / 40)))
    assert r["se"] == pytest.approx(100 * se)
    assert r["stat"] == pytest.approx(z)
    assert r["p"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    # antisymmetric
    s = inf.compare_nps(_scores(*b), _scores(*a))
    assert s["diff"] == pytest.approx(-r["diff"]) and s["p"] == pytest.approx(r["p"])
    # counts tuple and summary rows give the same
    c = inf.compare_nps((15, 8, 36), (10, 20, 40))
    rows = inf.compare_nps(m.nps(_scores(*a)), m.nps(_scores(*b)))
    assert c["p"] == pytest.approx(r["p"]) and rows["p"] == pytest.approx(r["p"])


def test_compare_nps_null_calibration():
    # under H0 the two-sample tests reject about alpha of the time (adjusted Wald slightly less)
    rng = np.random.default_rng(3)
    probs = (0.25, 0.35, 0.40)
    ca = rng.multinomial(150, probs, size=20000)
    cb = rng.multinomial(220, probs, size=20000)
    for method, lo, hi in (("wald", 0.04, 0.06), ("adjusted_wald", 0.035, 0.06)):
        res = inf.diff_from_stats("nps", {"n": 150, "pro": ca[:, 2], "det": ca[:, 0]},
                                  {"n": 220, "pro": cb[:, 2], "det": cb[:, 0]}, method=method)
        assert lo <= np.mean(res["p"] < 0.05) <= hi, method


# --------------------------------------------------------------------------- vectorised forms
def test_compare_tables_equals_row_by_row():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"g": rng.integers(0, 6, 3000), "period": rng.integers(0, 2, 3000),
                       "nps": rng.integers(0, 11, 3000)})
    a = m.summarise(df[df.period == 1], ms.nps_spec(), by="g")
    b = m.summarise(df[df.period == 0], ms.nps_spec(), by="g")
    vec = inf.compare_tables(a, b)
    for i in range(len(a)):
        one = inf.compare_nps(df.nps[(df.period == 1) & (df.g == i)], df.nps[(df.period == 0) & (df.g == i)])
        assert vec.iloc[i].tolist() == pytest.approx(one[list(inf.COMPARE_COLUMNS)].astype(float).tolist(),
                                                     nan_ok=True)


@pytest.mark.parametrize("spec", [ms.nps_spec(), ms.csat_spec(), ms.ces_spec()], ids=["nps", "csat", "ces"])
def test_compare_to_rest_equals_explicit_rest(spec):
    rng = np.random.default_rng(9)
    n = 2500
    df = pd.DataFrame({"g": rng.choice(list("abcd"), n), "nps": rng.integers(0, 11, n),
                       "csat": rng.integers(1, 6, n), "ces": rng.integers(1, 8, n).astype(float)})
    df.loc[::17, spec.column] = np.nan
    table = m.summarise(df, spec, by="g")
    vec = inf.compare_to_rest(table, m.summarise(df, spec))
    for i, g in enumerate(table["g"]):
        a = m.estimate(df.loc[df.g == g, spec.column], spec)
        b = m.estimate(df.loc[df.g != g, spec.column], spec)
        one = inf.compare_tables(a.to_frame().T, b.to_frame().T, spec)
        assert vec.iloc[i].tolist() == pytest.approx(one.iloc[0].astype(float).tolist(), nan_ok=True)


# --------------------------------------------------------------------------- Benjamini–Hochberg
@pytest.mark.parametrize("size", [1, 2, 7, 50, 500])
def test_adjust_bh_equals_scipy(size):
    rng = np.random.default_rng(size)
    p = rng.random(size) ** 3
    p[: size // 5] = p[0]  # ties
    assert np.allclose(inf.adjust_bh(p), stats.false_discovery_control(p, method="bh"))


def test_adjust_bh_nans_and_series():
    p = np.array([0.01, np.nan, 0.04, 0.03, np.nan, 0.5])
    out = inf.adjust_bh(p)
    ok = ~np.isnan(p)
    assert np.isnan(out[~ok]).all()
    assert np.allclose(out[ok], stats.false_discovery_control(p[ok], method="bh"))
    s = pd.Series(p, index=list("abcdef"), name="p")
    res = inf.adjust_bh(s)
    assert isinstance(res, pd.Series) and list(res.index) == list("abcdef")
    assert np.allclose(res.to_numpy()[ok], out[ok])
    assert inf.adjust_bh([]).size == 0
    assert np.isnan(inf.adjust_bh([np.nan])).all()
    with pytest.raises(ValueError):
        inf.adjust_bh([0.2, 1.5])


# --------------------------------------------------------------------------- margins and sample sizes
def test_margin_and_size_for_proportion_textbook():
    # the pollster's rule: n = 1,000, p = 0.5 -> ±3.1 points at 95%
    assert round(inf.margin_of_error("proportion", 1000), 1) == 3.1
    # Cochran (1977): ±5 points, 95%, p = 0.5 -> 1.96² × 0.25 / 0.05² = 384.16 -> 385 ...
    assert inf.sample_size_for_margin("proportion", 5) == 385
    # ... and with a population of 1,000: 384.16 / (1 + 383.16/1000) = 277.7 -> 278
    assert inf.sample_size_for_margin("proportion", 5, population=1000) == 278


def test_margin_and_size_for_nps():
    # the Market Strategies example again: 40% / 20%, n = 500 -> ±6.6 (Wald)
    assert round(inf.margin_of_error("nps", 500, promoters=0.4, detractors=0.2, method="wald"), 1) == 6.6
    # ±5 points needs 1.96² × 0.56 / 0.05² = 860.5 -> 861 responses (Wald); adjusted Wald needs
    # about 3 fewer (it adds 3 pseudo-observations)
    n = inf.sample_size_for_margin("nps", 5, promoters=0.4, detractors=0.2, method="wald")
    assert n == 861
    n_adj = inf.sample_size_for_margin("nps", 5, promoters=0.4, detractors=0.2)
    assert n_adj == pytest.approx(858, abs=1)
    moe = lambda k: inf.margin_of_error("nps", k, promoters=0.4, detractors=0.2)  # noqa: E731
    assert moe(n_adj) <= 5 < moe(n_adj - 1)


def test_margin_for_mean_uses_t():
    assert inf.margin_of_error("mean", 10, sd=2) == pytest.approx(stats.t.ppf(0.975, 9) * 2 / np.sqrt(10))
    n = inf.sample_size_for_margin("mean", 0.5, sd=2)
    assert inf.margin_of_error("mean", n, sd=2) <= 0.5 < inf.margin_of_error("mean", n - 1, sd=2)


def test_sample_size_for_change_published():
    # Chow, Shao & Wang, Sample Size Calculations in Clinical Research (2nd ed., §4.2): response
    # rates 0.65 vs 0.85, alpha 0.05 two-sided, power 80% -> (1.96 + 0.84)² (0.2275 + 0.1275) / 0.2²
    # = 69.6 -> 70 per group (unpooled formula)
    assert inf.sample_size_for_change(20, kind="proportion", p=0.65, pooled=False) == 70
    # Fleiss' pooled-variance version needs a few more (null variance from p̄ = 0.75)
    assert inf.sample_size_for_change(20, kind="proportion", p=0.65) == 73
    # Cohen (1988), Statistical Power Analysis, Table 2.4.1: d = 0.5 -> 64, d = 0.8 -> 26 per group
    assert inf.sample_size_for_change(0.5, kind="mean", sd=1) == 64
    assert inf.sample_size_for_change(0.8, kind="mean", sd=1) == 26


@pytest.mark.parametrize("d", [0.1, 0.2, 0.35, 0.5, 0.8, 1.2])
def test_sample_size_for_means_matches_exact_t_power(d):
    from statsmodels.stats.power import TTestIndPower

    exact = TTestIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8)
    assert inf.sample_size_for_change(d, kind="mean", sd=1) == int(np.ceil(exact))


def test_sample_size_for_nps_change_gives_the_power_by_simulation():
    # baseline 40% / 20% (NPS 20) vs 45% / 15% (NPS 30): detect +10 points with 80% power
    n = inf.sample_size_for_change(10, kind="nps", promoters=0.40, detractors=0.20,
                                   promoters_b=0.45, detractors_b=0.15)
    assert n == 840  # (1.96 + 0.8416)² × (0.56 + 0.51) / 0.1² = 839.96
    rng = np.random.default_rng(11)
    ca = rng.multinomial(n, (0.20, 0.40, 0.40), size=8000)
    cb = rng.multinomial(n, (0.15, 0.40, 0.45), size=8000)
    res = inf.diff_from_stats("nps", {"n": n, "pro": cb[:, 2], "det": cb[:, 0]},
                              {"n": n, "pro": ca[:, 2], "det": ca[:, 0]}, method="wald")
    assert 0.78 <= np.mean(res["p"] < 0.05) <= 0.82


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        inf.margin_of_error("median", 100)
    with pytest.raises(ValueError, match="promoters"):
        inf.margin_of_error("nps", 100)
    with pytest.raises(ValueError, match="sd"):
        inf.sample_size_for_change(1, kind="mean")
    with pytest.raises(ValueError, match="method"):
        inf.compare_nps(_scores(1, 1, 1), _scores(1, 1, 1), method="exact")
