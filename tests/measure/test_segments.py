"""Tests for cxtemplate.measure.segments: segment-vs-rest table, suppression, funnel limits and plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxtemplate.measure import inference as inf
from cxtemplate.measure import metrics as m
from cxtemplate.measure import segments as sg
from cxtemplate.measure import spec as ms


@pytest.fixture()
def responses() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    n = 5000
    df = pd.DataFrame({
        "location": rng.choice(["A", "B", "C", "D", "tiny"], n, p=[0.4, 0.3, 0.2, 0.096, 0.004]),
        "channel": rng.choice(["web", "phone"], n),
        "nps": rng.integers(0, 11, n).astype(float),
        "csat": rng.integers(1, 6, n),
    })
    b = df["location"] == "B"
    df.loc[b, "nps"] = np.minimum(10, df.loc[b, "nps"] + 3)  # B is better than the rest
    df.loc[rng.random(n) < 0.03, "nps"] = np.nan
    df.loc[rng.random(n) < 0.01, "location"] = None  # unknown location: only ever in "the rest"
    return df


def test_segment_table_values_and_rest_comparison(responses):
    spec = ms.nps_spec()
    t = sg.segment_table(responses, spec, ["location", "channel"], min_n=30)
    assert list(t["segment"].unique()) == ["location", "channel"]
    assert t.loc[t.segment == "location", "level"].tolist() == ["A", "B", "C", "D", "tiny"]
    for _, row in t[t["note"] == ""].iterrows():
        inside = responses[row["segment"]] == row["level"]
        level = m.estimate(responses.loc[inside, "nps"], spec)
        rest = m.estimate(responses.loc[~inside, "nps"], spec)
        assert row["value"] == pytest.approx(level["value"]) and row["n"] == level["n"]
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((level["ci_low"], level["ci_high"]))
        assert row["value_rest"] == pytest.approx(rest["value"]) and row["n_rest"] == rest["n"]
        one = inf.compare_nps(level, rest)
        assert row["diff"] == pytest.approx(one["diff"]) and row["p"] == pytest.approx(one["p"])
        assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((one["ci_low"], one["ci_high"]))
    b = t[(t.segment == "location") & (t.level == "B")].iloc[0]
    assert b["diff"] > 15 and b["significant"]


def test_segment_table_bh_family_and_suppression(responses):
    t = sg.segment_table(responses, ms.nps_spec(), ["location", "channel"], min_n=30)
    shown = t["p"].notna()
    assert np.allclose(t.loc[shown, "p_adj"], stats.false_discovery_control(t.loc[shown, "p"], method="bh"))
    tiny = t[t.level == "tiny"].iloc[0]
    assert tiny["n"] < 30 and tiny["note"] == f"suppressed: n = {tiny['n']} < 30"
    assert np.isnan(tiny[["value", "ci_low", "ci_high", "diff", "p", "p_adj"]].astype(float)).all()
    assert not tiny["significant"]


def test_segment_table_rest_too_small():
    df = pd.DataFrame({"g": ["a"] * 100 + ["b"] * 10, "csat": [5, 4, 1, 2] * 25 + [5] * 10})
    t = sg.segment_table(df, ms.csat_spec(), "g", min_n=30)
    a = t[t.level == "a"].iloc[0]
    assert a["value"] == pytest.approx(50.0) and np.isnan(a["diff"]) and np.isnan(a["p"])
    assert a["note"] == "no comparison: rest n = 10 < 30"
    assert t[t.level == "b"].iloc[0]["note"] == "suppressed: n = 10 < 30"


# --------------------------------------------------------------------------- funnel
def test_funnel_limits_formula():
    # Spiegelhalter (2005): target ± z·sqrt(p(1-p)/n); z = 1.96 (95%) and 3.09 (99.8%)
    lim = sg.funnel_limits([25, 100, 400], overall=80.0, variance=1e4 * 0.8 * 0.2, bounds=(0, 100))
    se = 100 * np.sqrt(0.16 / np.array([25, 100, 400]))
    assert np.allclose(lim["upper_95"], np.minimum(100, 80 + stats.norm.ppf(0.975) * se))
    assert np.allclose(lim["lower_99.8"], 80 - stats.norm.ppf(0.999) * se)
    assert round(stats.norm.ppf(0.999), 2) == 3.09
    assert (lim["upper_99.8"] <= 100).all()


def test_funnel_table_flags_the_planted_outlier():
    rng = np.random.default_rng(5)
    units = np.repeat([f"u{i}" for i in range(20)], 200)
    p_pro = np.where(units == "u7", 0.15, 0.45)
    u = rng.random(units.size)
    score = np.where(u < p_pro, 10, np.where(u < p_pro + 0.3, 8, 3))
    df = pd.DataFrame({"unit": units, "nps": score})
    t = m.summarise(df, ms.nps_spec(), by="unit")
    ft, target, var = sg.funnel_table(t, ms.nps_spec())
    pooled = m.summarise(df, ms.nps_spec()).iloc[0]
    assert target == pytest.approx(pooled["value"])
    p, d = pooled["promoters"] / 100, pooled["detractors"] / 100
    assert var == pytest.approx(1e4 * (p + d - (p - d) ** 2))
    assert ft.loc[ft.unit == "u7", "outside_99.8"].item()
    assert ft["outside_99.8"].sum() <= 2


def test_plot_funnel_labels_and_highlights():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = pd.DataFrame({"agent": ["a", "b", "c", "d"], "metric": "CSAT", "value": [80.0, 82.0, 50.0, 79.0],
                      "n": [100, 400, 200, 50], "successes": [80, 328, 100, 40]})
    ax = sg.plot_funnel(t, ms.csat_spec())
    labels = {tx.get_text() for tx in ax.texts}
    assert {"a", "b", "c", "d"} <= labels
    colours = ax.collections[0].get_facecolors()
    assert len(colours) == 4 and not np.allclose(colours[2], colours[0])  # 'c' is highlighted
    assert ax.get_title(loc="left").startswith("Customer satisfaction (CSAT) by agent")
    legend = {tx.get_text() for tx in ax.get_legend().get_texts()}  # the colours are explained
    assert "Within the 95% limits" in legend and "Outside the 99.8% limits" in legend
    assert "Outside the 95% limits" not in legend  # no point is only beyond the 95% limits: no entry for it
    plt.close(ax.figure)
