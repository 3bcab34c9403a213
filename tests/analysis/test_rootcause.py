"""Tests for cxtemplate.analysis.rootcause: which change, mix versus rate, driver and topic movers, waterfall.

The demo plants a permanent drop of Birmingham's satisfaction from 2025-03 (expected −17.7 NPS
points there, ``truth["location_step"]``); Birmingham has about 14% of the responses and its share
does not move, so the change of the overall NPS around the step is rate, and mostly Birmingham's.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cxtemplate.analysis.rootcause import (
    MISSING_LEVEL,
    driver_and_topic_movers,
    latest_significant_change,
    mix_rate_decomposition,
    plot_waterfall,
)
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import ces_spec, csat_spec, nps_spec

DIMS = ["location", "journey_stage", "segment"]
BEFORE, AFTER = ("2024-03", "2025-02"), ("2025-03", "2025-12")


@pytest.fixture(scope="module")
def demo(root):
    from cxtemplate.config.loader import load_config
    from cxtemplate.data.integrate import integrate

    tables = integrate(load_config(root / "params" / "demo.yaml")).tables
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())
    return tables, truth


def _in(r: pd.DataFrame, w) -> pd.DataFrame:
    p = r["responded_at"].dt.to_period("M")
    return r[(p >= pd.Period(w[0], "M")) & (p <= pd.Period(w[1], "M"))]


# --------------------------------------------------------------------------- which change
def test_latest_significant_change_demo(demo):
    tables, truth = demo
    r = tables["responses"]
    ch = latest_significant_change(r, nps_spec())
    assert ch.found and ch.change < 0 and ch.ci_high < 0 and ch.p_adj < 0.05
    cand = ch.candidates
    assert set(cand["comparison"]) == {"previous", "year", "step"}
    step = cand[cand["comparison"] == "step"].iloc[0]
    assert str(step["window_b_start"]) == truth["location_step"]["month"]          # the planted month
    # the reported numbers are those of the windows
    a, b = _in(r, (str(ch.window_a[0]), str(ch.window_a[1]))), _in(r, (str(ch.window_b[0]), str(ch.window_b[1])))
    assert ch.value_a == pytest.approx(summarise(a, nps_spec())["value"].iloc[0])
    assert ch.value_b == pytest.approx(summarise(b, nps_spec())["value"].iloc[0])
    assert ch.n_b == b["nps"].notna().sum()
    assert "fell" in ch.sentence
    st = latest_significant_change(r, nps_spec(), prefer="step")
    assert st.comparison == "step" and (str(st.window_b[0]), str(st.window_a[0])) == ("2025-03", "2024-03")
    json.dumps(ch.to_dict())


def test_no_significant_change():
    rng = np.random.default_rng(4)
    n = 6000
    r = pd.DataFrame({"responded_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730, n), "D"),
                      "nps": rng.integers(0, 11, n).astype(float)})
    ch = latest_significant_change(r, nps_spec(), windows=(3, 6), step=False)
    assert not ch.found and "No significant change" in ch.sentence
    assert len(ch.candidates) == 4
    q = latest_significant_change(r, csat_spec(column="nps", scale=(0, 10)), freq="Q", windows=(1, 2), step=False)
    assert not q.found and str(q.window_b[1]) == "2025Q4"


# --------------------------------------------------------------------------- mix and rate
def test_mix_rate_names_birmingham_and_adds_up(demo):
    tables, truth = demo
    r = tables["responses"]
    mr = mix_rate_decomposition(r, nps_spec(), DIMS, BEFORE, AFTER)
    s = mr.summary.set_index("dimension")
    total = summarise(_in(r, AFTER), nps_spec())["value"].iloc[0] - summarise(_in(r, BEFORE), nps_spec())["value"].iloc[0]
    for dim in DIMS:
        assert s.loc[dim, "change"] == pytest.approx(total, abs=1e-9)
        assert abs(s.loc[dim, "mix"] + s.loc[dim, "rate"] - total) < 1e-9
        t = mr.table[mr.table["dimension"] == dim]
        assert t["total"].sum() == pytest.approx(total, abs=1e-9)
        assert t["share_a"].sum() == pytest.approx(100) and t["share_b"].sum() == pytest.approx(100)
    loc = mr.table[mr.table["dimension"] == "location"].set_index("level")
    assert s.loc["location", "top_rate_level"] == truth["location_step"]["location"] == "Birmingham"
    assert s.loc["location", "top_level"] == "Birmingham"
    bir = loc.loc["Birmingham"]
    assert bir["rate"] < 0 and bir["rate_ci_high"] < 0 and bir["p_adj"] < 0.05
    assert abs(bir["rate"]) > 2 * loc.drop("Birmingham")["rate"].abs().max()
    assert bir["change_ci_low"] <= truth["location_step"]["expected_nps_change"] - 3   # observed drop −24 incl. drift
    assert bir["value_a"] == pytest.approx(truth["location_step"]["observed_nps_before"], abs=1.0)
    assert abs(s.loc["location", "mix"]) < 0.5                                         # shares stable: rate, not mix
    assert "Birmingham" in s.loc["location", "sentence"]
    seg = mr.table[mr.table["dimension"] == "segment"]
    assert MISSING_LEVEL in set(seg["level"])                                       # anonymous responses
    json.dumps(mr.to_dict())


def test_mix_rate_with_detected_windows(demo):
    tables, _ = demo
    r = tables["responses"]
    ch = latest_significant_change(r, nps_spec(), prefer="step")
    mr = mix_rate_decomposition(r, nps_spec(), "location", ch.window_a, ch.window_b)
    assert mr.summary["top_rate_level"].iloc[0] == "Birmingham"
    assert mr.summary["change"].iloc[0] == pytest.approx(ch.change)


def test_mix_rate_other_seed_other_location():
    from cxtemplate.synth.organisation import generate
    from cxtemplate.synth.spec import SynthSpec

    org = generate(SynthSpec(customers=5000, seed=11, dirty=False, step_location="Leeds", step_effect=-0.8))
    r = org.tables["responses"]
    mr = mix_rate_decomposition(r, nps_spec(), ["location", "journey_stage"], BEFORE, AFTER)
    assert mr.summary.set_index("dimension").loc["location", "top_rate_level"] == "Leeds"
    assert (mr.summary["residual"].abs() < 1e-9).all()


@pytest.mark.parametrize("spec", [nps_spec(), csat_spec(), ces_spec()], ids=["nps", "top_box", "mean"])
def test_mix_rate_identity_random(spec):
    rng = np.random.default_rng(7)
    n = 4000
    lo, hi = spec.scale
    r = pd.DataFrame({"responded_at": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 180, n), "D"),
                      spec.column: rng.integers(int(lo), int(hi) + 1, n).astype(float),
                      "grp": rng.choice(["a", "b", "c", None], n, p=[0.5, 0.3, 0.15, 0.05])})
    r.loc[rng.random(n) < 0.05, spec.column] = np.nan
    early = r["responded_at"] < "2025-04-01"
    r.loc[early & (r["grp"] == "c"), "grp"] = "b"          # level c only in the later window
    r["only_early"] = np.where(early, "x", "y")            # every level in one window only: all mix
    mr = mix_rate_decomposition(r, spec, ["grp", "only_early"], ("2025-01", "2025-03"), ("2025-04", "2025-06"))
    a = summarise(_in(r, ("2025-01", "2025-03")), spec)["value"].iloc[0]
    b = summarise(_in(r, ("2025-04", "2025-06")), spec)["value"].iloc[0]
    for _, row in mr.summary.iterrows():
        assert row["change"] == pytest.approx(b - a, abs=1e-9) and abs(row["residual"]) < 1e-9
    t = mr.table.set_index(["dimension", "level"])
    assert t.loc[("grp", "c"), "n_a"] == 0 and t.loc[("grp", "c"), "rate"] == 0
    assert np.isnan(t.loc[("grp", "c"), "change"])
    assert t.loc["only_early", "rate"].abs().sum() == 0
    assert (("grp", MISSING_LEVEL)) in t.index


def test_mix_rate_hand_example():
    # window a: 50 in X (NPS +100), 50 in Y (−100) → 0; window b: 80 in X (+100), 20 in Y (+0: passives) → 80
    rows = [("2025-01-15", "X", 10)] * 50 + [("2025-01-15", "Y", 0)] * 50 + \
           [("2025-02-15", "X", 10)] * 80 + [("2025-02-15", "Y", 8)] * 20
    r = pd.DataFrame(rows, columns=["responded_at", "grp", "nps"]).assign(responded_at=lambda d: pd.to_datetime(d["responded_at"]))
    mr = mix_rate_decomposition(r, nps_spec(), "grp", "2025-01", "2025-02")
    t = mr.table.set_index("level")
    # midpoints: w̄ = (0.65, 0.35), m̄ = (100, −50), M̄ = 40; Δw = (+0.3, −0.3)
    assert t.loc["X", "mix"] == pytest.approx(0.3 * (100 - 40))
    assert t.loc["Y", "mix"] == pytest.approx(-0.3 * (-50 - 40))
    assert t.loc["X", "rate"] == pytest.approx(0) and t.loc["Y", "rate"] == pytest.approx(0.35 * 100)
    assert mr.summary["change"].iloc[0] == pytest.approx(80)
    assert mr.summary["mix"].iloc[0] == pytest.approx(45) and mr.summary["rate"].iloc[0] == pytest.approx(35)


def test_mix_rate_bad_windows(demo):
    tables, _ = demo
    r = tables["responses"]
    with pytest.raises(ValueError, match="overlap"):
        mix_rate_decomposition(r, nps_spec(), "location", ("2024-01", "2024-06"), ("2024-06", "2024-12"))
    with pytest.raises(ValueError, match="no responses"):
        mix_rate_decomposition(r, nps_spec(), "location", "2019-01", "2025-01")
    with pytest.raises(ValueError, match="before it starts"):
        mix_rate_decomposition(r, nps_spec(), "location", ("2024-06", "2024-01"), "2025-01")


# --------------------------------------------------------------------------- movers
def test_driver_and_topic_movers(demo):
    tables, _ = demo
    r = tables["responses"].copy()
    drivers = ["ease_of_process", "speed_of_service", "reliability", "digital_experience"]
    late = r["responded_at"] >= "2025-03-01"
    r.loc[late, "speed_of_service"] = (r.loc[late, "speed_of_service"] - 1).clip(0, 10)   # planted fall
    r.loc[late, "digital_experience"] = (r.loc[late, "digital_experience"] + 0.3).clip(0, 10)
    mv = driver_and_topic_movers(r, BEFORE, AFTER, drivers)
    d = mv.drivers.set_index("driver")
    assert mv.drivers["driver"].iloc[0] == "speed_of_service"
    assert d.loc["speed_of_service", "ci_low"] < -0.85 < d.loc["speed_of_service", "ci_high"] + 0.1
    assert d.loc["speed_of_service", "significant"] and not d.loc["reliability", "significant"]
    assert mv.topics.empty and "no comment topics" in mv.note
    # importance: a driver that matters little drops down the ranking
    w = driver_and_topic_movers(r, BEFORE, AFTER, drivers, importance={"speed_of_service": 0.01, "digital_experience": 0.9,
                                                                        "ease_of_process": 0.05, "reliability": 0.04})
    assert w.drivers["driver"].iloc[0] == "digital_experience"
    assert w.drivers["importance"].sum() == pytest.approx(1)
    # topics: membership of commented responses with a planted rise of "billing"
    com = r[r["comment"].notna()]
    rng = np.random.default_rng(0)
    p_bill = np.where(com["responded_at"] >= "2025-03-01", 0.30, 0.15)
    mem = pd.DataFrame({"billing": rng.random(len(com)) < p_bill, "staff": rng.random(len(com)) < 0.2},
                       index=com.index)
    mv = driver_and_topic_movers(r, BEFORE, AFTER, drivers, mem)
    t = mv.topics.set_index("topic")
    assert mv.topics["topic"].iloc[0] == "billing" and t.loc["billing", "significant"]
    assert t.loc["billing", "ci_low"] < 15 < t.loc["billing", "ci_high"]
    assert not t.loc["staff", "significant"]
    assert t.loc["billing", "n_a"] == _in(com, BEFORE).shape[0]
    json.dumps(mv.to_dict())


def test_waterfall(demo):
    import matplotlib.pyplot as plt

    tables, _ = demo
    mr = mix_rate_decomposition(tables["responses"], nps_spec(), ["location", "segment"], BEFORE, AFTER)
    ax = plot_waterfall(mr, top=4)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "2024-03…2025-02" and labels[-1] == "2025-03…2025-12"
    assert "Birmingham (rate)" in labels and "Other levels (rate)" in labels and "Who answered (mix)" in labels
    ax = plot_waterfall(mr, "segment")
    assert "segment" in ax.get_title(loc="left")
    plt.close("all")
