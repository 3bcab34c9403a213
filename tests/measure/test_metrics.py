"""Tests for cxtemplate.measure.metrics: published worked examples, vectorisation, validation, suppression.

What a metric is (:mod:`cxtemplate.measure.spec`) is tested in test_spec.py, the per-group counting
(:mod:`cxtemplate.measure.grouping`) in test_grouping.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxtemplate.measure import metrics as m
from cxtemplate.measure import spec as ms


def _scores(pro: int, pas: int, det: int) -> np.ndarray:
    return np.array([10] * pro + [8] * pas + [3] * det, dtype=float)


# --------------------------------------------------------------------------- NPS: published examples
def test_nps_wald_market_strategies_example():
    # Market Strategies International / MeasuringU worked example: 40% promoters, 20% detractors,
    # n = 500 -> NPS 20, standard error 3.35 points, margin of error ±6.6 at 95% (plain Wald,
    # variance p + d - (p - d)^2 = 0.56).
    r = m.nps(_scores(200, 200, 100), method="wald")
    assert r["value"] == pytest.approx(20.0)
    assert r["n"] == 500
    assert round(r["se"], 2) == 3.35
    assert round(r["ci_high"] - r["value"], 1) == 6.6
    assert round(r["value"] - r["ci_low"], 1) == 6.6
    assert (r["promoters"], r["passives"], r["detractors"]) == pytest.approx((40, 40, 20))


def test_nps_variance_cross_validated_example():
    # whuber's answer to "How can I calculate margin of error in a NPS result?" (Cross Validated):
    # shares 1/2 promoters, 1/3 passives, 1/6 detractors -> NPS 1/3, variance 5/9 per response.
    assert m.nps_variance(1 / 2, 1 / 6) == pytest.approx(5 / 9)
    # ...which is the variance of the -1/0/+1 "tickets": the Wald se equals the trinomial-mean se
    x = _scores(300, 200, 100)
    tickets = np.select([x >= 9, x <= 6], [1.0, -1.0], 0.0)
    r = m.nps(x, method="wald")
    assert r["se"] == pytest.approx(100 * tickets.std(ddof=0) / np.sqrt(x.size))


def test_nps_adjusted_wald_recipe():
    # Adjusted Wald as described by Lewis & Sauro (MeasuringU, "Confidence Intervals for Net
    # Promoter Scores", 2020) after Rocks (2016): add 3/4 to promoters and to detractors and 3 to n,
    # variance p~ + d~ - (p~ - d~)^2, se = sqrt(var / n~), interval (p~ - d~) ± z·se.
    # Hand calculation for 15 promoters, 13 passives, 8 detractors (n = 36):
    #   n~ = 39; p~ = 15.75/39 = 0.403846; d~ = 8.75/39 = 0.224359; NPS~ = 0.179487
    #   var = 0.628205 - 0.032216 = 0.595989; se = sqrt(0.595989/39) = 0.123620
    #   95%: 0.179487 ± 1.959964 × 0.123620 = [-0.062804, 0.421778]
    r = m.nps(_scores(15, 13, 8))
    assert r["value"] == pytest.approx(100 * 7 / 36)  # the reported NPS is the raw one
    assert r["se"] == pytest.approx(12.3620, abs=1e-3)
    assert r["ci_low"] == pytest.approx(-6.2804, abs=1e-3)
    assert r["ci_high"] == pytest.approx(42.1778, abs=1e-3)
    assert r["method"] == "adjusted_wald"


def test_nps_adjusted_wald_extremes_stay_in_range():
    # all promoters: the adjusted interval is not degenerate and stays within [-100, 100]
    r = m.nps(np.full(10, 10.0))
    assert r["value"] == 100
    assert -100 <= r["ci_low"] < 100 and r["ci_high"] == 100
    w = m.nps(np.full(10, 10.0), method="wald")
    assert w["ci_low"] == w["ci_high"] == 100  # the plain Wald interval collapses


@pytest.mark.parametrize("probs", [(0.2, 0.3, 0.5), (0.1, 0.2, 0.7), (0.05, 0.15, 0.8)])
@pytest.mark.parametrize("n", [10, 20, 30])
def test_adjusted_wald_coverage_rocks_2016(probs, n):
    # Rocks (2016, The American Statistician) found the adjusted Wald close to nominal coverage at
    # small n where the plain Wald interval undercovers; reproduce that by simulation.
    rng = np.random.default_rng(n)
    c = rng.multinomial(n, probs, size=20000)  # columns: detractors, passives, promoters
    truth = 100 * (probs[2] - probs[0])
    cover = {}
    for method in ("wald", "adjusted_wald"):
        r = m.nps_from_counts(c[:, 2], c[:, 0], n, method=method)
        cover[method] = np.mean((r["ci_low"] <= truth) & (truth <= r["ci_high"]))
    assert 0.935 <= cover["adjusted_wald"] <= 0.975
    assert cover["wald"] < 0.94
    assert abs(cover["adjusted_wald"] - 0.95) < abs(cover["wald"] - 0.95)


# --------------------------------------------------------------------------- Wilson and t intervals
@pytest.mark.parametrize("x, n, lo, hi", [
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat Med 17:857,
    # Table I, method 3 (Wilson score interval without continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_newcombe_1998_examples(x, n, lo, hi):
    low, high = m.wilson_interval(x, n)
    assert round(float(low), 4) == lo
    assert round(float(high), 4) == hi


def test_wilson_equals_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    x = np.array([0, 1, 5, 17, 50, 99, 100])
    lo, hi = m.wilson_interval(x, 100, conf=0.9)
    slo, shi = proportion_confint(x, 100, alpha=0.1, method="wilson")
    assert np.allclose(lo, slo) and np.allclose(hi, shi)


def test_t_interval_equals_scipy():
    x = np.array([5, 6, 7, 3, 4, 6, 7, 7, 2, 5, 6], dtype=float)
    r = m.estimate(x, ms.ces_spec(), conf=0.9)
    lo, hi = stats.t.interval(0.9, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert r["value"] == pytest.approx(x.mean())
    assert r["sd"] == pytest.approx(x.std(ddof=1))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))


def test_top_box_share_and_wilson():
    x = np.array([5, 4, 3, 2, 1, 5, 5, 4, np.nan])
    r = m.estimate(x, ms.csat_spec())
    assert r["n"] == 8 and r["successes"] == 5 and r["value"] == pytest.approx(62.5)
    lo, hi = m.wilson_interval(5, 8)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((100 * lo, 100 * hi))


# --------------------------------------------------------------------------- vectorisation
@pytest.fixture()
def responses() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 4000
    df = pd.DataFrame({
        "location": rng.choice(["north", "south", "east", "west"], n),
        "channel": pd.Categorical(rng.choice(["web", "phone", "chat"], n),
                                  categories=["web", "phone", "chat", "store"]),
        "tier": rng.integers(1, 4, n),
        "nps": rng.integers(0, 11, n).astype(float),
        "csat": rng.integers(1, 6, n).astype(float),
        "ces": rng.integers(1, 8, n).astype(float),
    })
    df.loc[rng.random(n) < 0.05, "nps"] = np.nan
    df.loc[rng.random(n) < 0.05, "csat"] = np.nan
    df.loc[rng.random(n) < 0.05, "ces"] = np.nan
    df.loc[rng.random(n) < 0.02, "location"] = None
    return df


@pytest.mark.parametrize("spec", [ms.nps_spec(), ms.csat_spec(), ms.ces_spec(), ms.ces_spec("pct_agree")],
                         ids=["nps", "csat", "ces_mean", "ces_agree"])
@pytest.mark.parametrize("by", [["location"], ["channel", "tier"], ["tier", "location", "channel"]])
def test_grouped_equals_single(responses, spec, by):
    table = m.summarise(responses, spec, by=by)
    groups = responses.groupby(by, observed=True, sort=True)
    assert len(table) == groups.ngroups
    for i, (key, part) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        row = table.iloc[i]
        assert tuple(row[c] for c in by) == key
        single = m.estimate(part[spec.column], spec)
        for col in single.index:
            if isinstance(single[col], str):
                assert row[col] == single[col]
            else:
                assert row[col] == pytest.approx(single[col], nan_ok=True), col


def test_summarise_columns_and_overall(responses):
    t = m.summarise(responses, ms.nps_spec())
    assert list(t.columns) == ["metric", "value", "n", "se", "ci_low", "ci_high", "promoters",
                               "passives", "detractors", "method"]
    x = responses["nps"].dropna()
    assert t["n"].iloc[0] == x.size
    assert t["value"].iloc[0] == pytest.approx(100 * ((x >= 9).mean() - (x <= 6).mean()))
    assert t["promoters"].iloc[0] + t["passives"].iloc[0] + t["detractors"].iloc[0] == pytest.approx(100)


def test_summarise_integer_and_nullable_dtypes():
    s = pd.Series([10, 9, 0, 7, None], dtype="Int8")
    df = pd.DataFrame({"g": ["a", "a", "b", "b", "b"], "nps": s})
    t = m.summarise(df, ms.nps_spec(), by="g")
    assert t["n"].tolist() == [2, 2] and t["value"].tolist() == [100.0, -50.0]
    df["nps"] = df["nps"].fillna(8).astype(np.int8)
    assert m.summarise(df, ms.nps_spec(), by="g")["n"].tolist() == [2, 3]


def test_empty_input_gives_one_row_with_n_zero():
    r = m.summarise(pd.DataFrame({"nps": pd.Series([], dtype=float)}), ms.nps_spec())
    assert len(r) == 1 and r["n"].iloc[0] == 0 and np.isnan(r["value"].iloc[0])


# --------------------------------------------------------------------------- validation
def test_out_of_scale_raises_clear_error():
    df = pd.DataFrame({"nps": [10, 11, 3]})
    with pytest.raises(ValueError, match=r"outside the 0–10 scale.*quarantined"):
        m.summarise(df, ms.nps_spec())
    with pytest.raises(ValueError, match="outside the 1–5 scale"):
        m.summarise(pd.DataFrame({"csat": [0, 5]}), ms.csat_spec())
    with pytest.raises(ValueError, match="non-integer"):
        m.summarise(pd.DataFrame({"nps": [8.5, 9]}), ms.nps_spec())
    with pytest.raises(KeyError, match="nps"):
        m.summarise(pd.DataFrame({"x": [1]}), ms.nps_spec())


# --------------------------------------------------------------------------- suppression
def test_suppress_masks_and_notes():
    t = pd.DataFrame({"g": ["a", "b"], "metric": "NPS", "value": [10.0, 20.0], "n": [12, 40],
                      "se": [1.0, 1.0], "ci_low": [0.0, 10.0], "ci_high": [20.0, 30.0]})
    s = m.suppress(t, 30)
    assert s.loc[0, "note"] == "suppressed: n = 12 < 30"
    assert s.loc[1, "note"] == ""
    assert s.loc[0, ["value", "se", "ci_low", "ci_high"]].isna().all()
    assert s.loc[1, "value"] == 20.0 and s.loc[0, "n"] == 12
    assert t["value"].notna().all()  # the input is untouched
    only = m.suppress(t, 30, value_cols=["value"])
    assert np.isnan(only.loc[0, "value"]) and only.loc[0, "se"] == 1.0
