"""Tests of objectives (cxtemplate.plan.objectives): power and detectable change against the textbook
two-sample z test, baselines and statuses on a small hand-made survey, and what the page shows."""

from __future__ import annotations

import math
from dataclasses import replace

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from cxtemplate.measure.spec import MetricSpec, csat_spec, nps_spec
from cxtemplate.plan import objectives as ob
from cxtemplate.report.display import TableView

Z = stats.norm.ppf(0.975)


# --------------------------------------------------------------------------- power and detectable change


@pytest.mark.parametrize("change, sd, n1, n2", [(0.5, 1.0, 63, 63), (10, 78.0, 600, 900), (-3, 20, 150, 40)])
def test_power_is_the_two_sample_z_test(change, sd, n1, n2):
    # Two-sided z test of two independent means (e.g. Chow, Shao & Wang, Sample Size Calculations in
    # Clinical Research, 2nd ed., §3.2): power = Φ(|Δ|/SE − z) + Φ(−|Δ|/SE − z), SE = σ √(1/n₁ + 1/n₂).
    se = sd * math.sqrt(1 / n1 + 1 / n2)
    by_formula = stats.norm.cdf(abs(change) / se - Z) + stats.norm.cdf(-abs(change) / se - Z)
    got = ob.power_two_windows(change, sd**2, n1, n2)
    assert got == pytest.approx(by_formula, rel=1e-12)
    # an independent implementation: statsmodels' normal-approximation power for standardised effect Δ/σ
    assert got == pytest.approx(NormalIndPower().power(abs(change) / sd, nobs1=n1, alpha=0.05, ratio=n2 / n1),
                                rel=1e-9)


def test_medium_effect_needs_about_63_per_group():
    # Cohen's d = 0.5 at α = 0.05 and 80% power: n = 2 (z₀.₉₇₅ + z₀.₈)² / d² = 62.8 per group (z test;
    # Cohen 1988, table 2.4.1, gives 64 for the t test). At n = 63 the detectable change is just under 0.5.
    n = 2 * (Z + stats.norm.ppf(0.8)) ** 2 / 0.5**2
    assert n == pytest.approx(62.79, abs=0.01)
    mdc = ob.minimum_detectable_change(1.0, 63, 63)
    assert mdc == pytest.approx((Z + stats.norm.ppf(0.8)) * math.sqrt(2 / 63), rel=1e-12)
    assert 0.49 < mdc < 0.5
    assert ob.power_two_windows(mdc, 1.0, 63, 63) == pytest.approx(0.8, abs=1e-4)   # the two are inverse


def test_power_needs_two_responses_a_window():
    assert math.isnan(ob.power_two_windows(5, 100, 1, 50))
    assert math.isnan(ob.power_two_windows(5, 0, 50, 50))
    assert math.isnan(ob.minimum_detectable_change(100, 50, 0))


# --------------------------------------------------------------------------- one objective on a hand-made survey


def _survey(months: int = 24) -> pd.DataFrame:
    """20 responses a month from 2023-01, half in Leeds: every month 10 promoters (10), 4 passives (8) and
    6 detractors (3) on NPS, so NPS is 50 − 30 = 20 every month; CSAT 5 for 12 and 2 for 8 (60% top-2)."""
    nps = [10] * 10 + [8] * 4 + [3] * 6
    csat = [5] * 12 + [2] * 8
    rows = [{"responded_at": pd.Timestamp(p.start_time) + pd.Timedelta(days=i % 27), "nps": n, "csat": c,
             "location": "Leeds" if i % 2 else "York"}
            for p in pd.period_range("2023-01", periods=months, freq="M") for i, (n, c) in enumerate(zip(nps, csat))]
    return pd.DataFrame(rows)


SURVEY = _survey()
GOAL = ob.ObjectiveSpec(id="promoters", goal="More promoters", metric="nps", target=30.0,
                        deadline=pd.Timestamp("2025-12-31"), owner="cx_lead", where={})


def test_baseline_and_feasibility_by_hand():
    rec, series = ob.assess(SURVEY, GOAL, nps_spec(), as_of="2024-12-31", freq="M")
    assert len(series) == 24 and rec["window"] == "2024-10 to 2024-12"
    assert (rec["baseline"], rec["baseline_n"]) == (pytest.approx(20.0), 60)
    assert rec["baseline_low"] < 20 < rec["baseline_high"]
    assert rec["change_needed"] == pytest.approx(10.0) and rec["periods_left"] == 12
    assert rec["responses_per_period"] == 20 and rec["responses_expected"] == 240
    # one response's variance in NPS points²: 10⁴ (p + d − (p − d)²) with p = 0.5, d = 0.3
    variance = 1e4 * (0.5 + 0.3 - 0.2**2)
    se = math.sqrt(variance / 60 + variance / 60)              # baseline window vs the 3 months before the deadline
    assert rec["power"] == pytest.approx(stats.norm.cdf(10 / se - Z) + stats.norm.cdf(-10 / se - Z))
    assert rec["detectable_change"] == pytest.approx((Z + stats.norm.ppf(0.8)) * se)
    # a flat history: no trend, no gain, no spread to compare with
    assert rec["trend_per_period"] == pytest.approx(0, abs=1e-9) and rec["projected"] == pytest.approx(20)
    assert rec["best_12m_gain"] == pytest.approx(0, abs=1e-9) and math.isnan(rec["change_vs_history"])
    # weighted least squares on the last 12 months, each weighted 1/se² with the same se every month:
    # slope se = se / √Σ(x − x̄)², Σ(x − x̄)² = 143 for x = 0…11 (no overdispersion: the residuals are 0);
    # projected to the middle of the window before the deadline, 12 + 1 months ahead
    se_month = series["se"].iloc[-1]
    assert series["se"].tail(12).nunique() == 1
    assert rec["trend_se"] == pytest.approx(se_month / math.sqrt(143))
    assert rec["projected_high"] == pytest.approx(20 + Z * 13 * se_month / math.sqrt(143))
    assert rec["status"] == "at risk"              # 30 lies inside the projection's interval


def test_top_box_variance_and_segment_filter():
    goal = replace(GOAL, metric="csat", target=70.0, where={"location": "Leeds"})
    rec, _ = ob.assess(SURVEY, goal, csat_spec(), as_of="2024-12-31", freq="M")
    assert rec["where"] == "location = Leeds" and rec["baseline_n"] == 30
    assert rec["baseline"] == pytest.approx(100 * 6 / 10)     # Leeds gets the odd rows: 6 of its 10 a month score 5
    se = math.sqrt(1e4 * 0.6 * 0.4 * (1 / 30 + 1 / 30))       # p (1 − p) per response, in percentage points²
    assert rec["power"] == pytest.approx(stats.norm.cdf(10 / se - Z) + stats.norm.cdf(-10 / se - Z))
    with pytest.raises(KeyError, match="objective 'promoters': column 'region' is not in the responses"):
        ob.assess(SURVEY, replace(GOAL, where={"region": "North"}), nps_spec(), as_of="2024-12-31")


@pytest.mark.parametrize("change, status", [({"target": 15.0}, "already met"),
                                            ({"deadline": pd.Timestamp("2024-12-15")}, "deadline passed")])
def test_statuses_that_need_no_trend(change, status):
    rec, _ = ob.assess(SURVEY, replace(GOAL, **change), nps_spec(), as_of="2024-12-31")
    assert rec["status"] == status


def test_a_rising_metric_is_on_track():
    rising = SURVEY.copy()
    month = rising["responded_at"].dt.to_period("M")
    # in 2024 one more passive becomes a promoter every third month (+5 NPS points each): 3, 3 and 4 of
    # them in the baseline window, so the baseline is 20 + 5 × 10 / 3
    for k, p in enumerate(pd.period_range("2024-01", "2024-12", freq="M"), start=1):
        idx = rising.index[(month == p) & (rising["nps"] == 8)][: k // 3]
        rising.loc[idx, "nps"] = 10
    rec, _ = ob.assess(rising, replace(GOAL, target=38.0), nps_spec(), as_of="2024-12-31")
    assert rec["baseline"] == pytest.approx(20 + 50 / 3)
    assert rec["trend_per_period"] > 0 and rec["projected"] > 38 and rec["status"] == "on track"


def test_no_responses_in_the_window():
    rec, series = ob.assess(SURVEY, GOAL, nps_spec(), as_of="2026-06-30")
    assert rec["status"] == "no data" and "baseline" not in rec
    assert ob.verdict(rec) == ("**More promoters** — no NPS responses in the baseline window (2026-04 to 2026-06 "
                               "(last 3 months)), so it cannot be tracked yet.")
    assert ob.plot_objective(rec, series) is None


# --------------------------------------------------------------------------- sentences and tables


REC = {"id": "x", "goal": "Easier support", "metric": "CES", "unit": "CES, mean on 1–7", "where": "all customers",
       "baseline": 4.31, "baseline_low": 4.2, "baseline_high": 4.42, "baseline_n": 1955, "target": 4.6,
       "deadline": "2026-06-30", "change_needed": 0.29, "power": 0.981, "detectable_change": 0.18,
       "change_vs_history": 3.46, "projected": 4.3, "projected_low": 4.2, "projected_high": 4.4, "status": "off track"}


def test_verdict_reads_the_record():
    assert ob.verdict(REC, "mean") == (
        "**Easier support** (CES, all customers): baseline 4.3 (95% interval 4.2 to 4.4, n = 1,955), target 4.6 by "
        "2026-06-30 — needs +0.3 scale points. With the responses expected, a change that size would be detected "
        "with 98% power (smallest detectable change: 0.2). It is 3.5× the metric's usual spread between periods. "
        "On the recent trend it would reach 4.3 (4.2 to 4.4): **off track**.")
    assert "(90% interval 4.2 to 4.4," in ob.verdict(REC, "mean", conf=0.9)
    windowed = ob.verdict({**REC, "window_label": "2025-10 to 2025-12 (last 3 months)"}, "mean")
    assert windowed.startswith("**Easier support** (CES, all customers): baseline 4.3 over 2025-10 to 2025-12 "
                               "(last 3 months) (95% interval")
    assert "needs +0.3 percentage points." in ob.verdict(REC, "top_box")
    assert "needs +0.3 points." in ob.verdict(REC, "nps")
    assert ob.verdict(REC) == ob.verdict(REC, "mean")            # without the kind: guessed from name and unit
    met = ob.verdict({**REC, "status": "already met"})
    assert met.endswith("target 4.6 by 2026-06-30 — already met at baseline; consider a more ambitious target.")
    quiet = ob.verdict({**REC, "power": float("nan"), "change_vs_history": float("nan"), "projected": float("nan")})
    assert quiet.endswith("needs +0.3 scale points.")


def test_assess_all_dispatches_on_the_metric_key():
    # a fourth metric beside the built-in ones: CSAT as a mean, under its own key
    csat_mean = MetricSpec("CSAT mean", "csat", "mean", (1, 5))
    goals = [GOAL, replace(GOAL, id="effort", metric="ces"), replace(GOAL, id="satisfied", metric="csat_mean", target=3.5)]
    res = ob.assess_all(SURVEY, goals, {"nps": nps_spec(), "csat_mean": csat_mean}, as_of="2024-12-31",
                        owner_label=lambda role: role.replace("_", " ").title())
    assert [r["id"] for r in res.records] == ["promoters", "satisfied"]
    assert res.notes == ["*Objective **effort** uses CES, which is not measured for this organisation.*"]
    assert res.kinds == {"promoters": "nps", "satisfied": "mean"}
    assert res.records[0]["owner_name"] == "Cx Lead" and res.absence is None
    assert res.records[1]["baseline"] == pytest.approx((12 * 5 + 8 * 2) / 20)        # 3.8 ≥ 3.5
    assert [r["status"] for r in res.records] == ["at risk", "already met"]
    assert res.on_track == 1
    assert res.headline() == "**1 of the 2 objectives is on track** on the recent trend: 1 is at risk."
    assert res.status_counts() == {"already met": 1, "at risk": 1}
    assert "needs +10.0 points." in res.verdicts()[0]
    assert list(res.table()["id"]) == ["promoters", "satisfied"]
    assert len(list(res.figures())) == 2
    plt.close("all")


def test_assess_all_says_what_is_missing():
    none = ob.assess_all(SURVEY, [], {"nps": nps_spec()}, as_of="2024-12-31")
    assert none.absence == ("No objectives are set in the parameters",
                            "add them under `objectives:` to track targets here")
    undated = ob.assess_all(SURVEY.drop(columns="responded_at"), [GOAL], {"nps": nps_spec()}, as_of="2024-12-31")
    assert undated.absence == ("The survey responses carry no dates", "objectives cannot be baselined")
    all_nat = ob.assess_all(SURVEY.assign(responded_at=pd.NaT), [GOAL], {"nps": nps_spec()}, as_of="2024-12-31")
    assert all_nat.absence == undated.absence
    assert ob.assess_all(None, [GOAL], {}, as_of="2024-12-31").absence == ("There are no survey responses",
                                                                           "objectives cannot be baselined")
    assert not undated.records and undated.on_track == 0


def test_views_label_the_interval_and_sign_changes():
    res = ob.ObjectiveResults(records=[{**REC, "owner_name": "Dan", "window": "2025-10 to 2025-12",
                                        "responses_expected": 1787.0, "best_12m_gain": -0.5}], conf=0.9)
    glance = ob.glance_view(res)
    assert isinstance(glance, TableView)
    assert glance.columns == ["Business goal", "Metric", "Population", "Baseline window", "Baseline",
                              "90% interval", "Responses", "Target", "Deadline", "Owner", "Status"]
    assert glance.frame["90% interval"].iat[0] == "4.2 to 4.4"
    assert glance.frame["Baseline window"].iat[0] == "2025-10 to 2025-12"        # a record without its label
    assert glance.note.startswith("NPS in points (−100…100)")
    feas = ob.feasibility_view(res)
    assert feas.frame["Power"].iat[0] == pytest.approx(98.1)
    assert feas.formats["Best 12-month gain"](-0.5) == "−0.5"         # a true minus sign
    assert feas.formats["Change needed"](0.29) == "+0.3"
    assert set(feas.formats) <= set(feas.columns) and set(glance.formats) <= set(glance.columns)
    no_data = {k: v for k, v in REC.items() if not k.startswith("baseline")} | {"owner_name": "Dan", "status": "no data"}
    assert ob.glance_table([no_data])["95% interval"].iat[0] == "–"


# --------------------------------------------------------------------------- window, population and status (issue 16)


def test_the_baseline_window_comes_from_the_params_and_is_named():
    """``reporting.windows.objectives`` sets the baseline window; its label is the one every caption prints."""
    three = ob.assess_all(SURVEY, [GOAL], {"nps": nps_spec()}, as_of="2024-12-31")
    six = ob.assess_all(SURVEY, [GOAL], {"nps": nps_spec()}, as_of="2024-12-31", window=6)
    every = ob.assess_all(SURVEY, [GOAL], {"nps": nps_spec()}, as_of="2024-12-31", window=None)
    r3, r6, r_all = three.records[0], six.records[0], every.records[0]
    assert (r3["window_label"], r3["window_periods"], r3["baseline_n"]) == ("2024-10 to 2024-12 (last 3 months)", 3, 60)
    assert (r6["window_label"], r6["window_periods"], r6["baseline_n"]) == ("2024-07 to 2024-12 (last 6 months)", 6, 120)
    assert (r_all["window_label"], r_all["baseline_n"]) == ("2023-01 to 2024-12 (all 24 months)", 480)
    assert r6["window"] == "2024-07 to 2024-12"
    table = six.table()
    assert {"status", "target", "window", "window_label", "window_periods", "population"} <= set(table.columns)
    assert ob.glance_view(six).frame["Baseline window"].tolist() == ["2024-07 to 2024-12 (last 6 months)"]
    assert six.window_sentence() == ("Each objective's current value is measured over 2024-07 to 2024-12 "
                                     "(last 6 months), on the population it names.")


def test_population_is_named_with_display_labels():
    assert ob.population({}) == "all customers"
    assert ob.population({"journey_stage": "Support"}) == "Journey stage: Support"
    assert ob.population({"journey_stage": "Support"}, {"journey_stage": "Stage"}) == "Stage: Support"
    assert ob.population({"location": ["Leeds", "York"]}) == "Location: Leeds or York"
    leeds = ob.assess_all(SURVEY, [replace(GOAL, where={"location": "Leeds"})], {"nps": nps_spec()},
                          as_of="2024-12-31")
    rec = leeds.records[0]
    assert rec["population"] == "Location: Leeds" and rec["where"] == "location = Leeds"   # the artifact keeps both
    assert rec["baseline_n"] == 30
    assert ob.glance_view(leeds).frame["Population"].tolist() == ["Location: Leeds"]
    assert "(NPS, Location: Leeds)" in leeds.verdicts()[0]


@pytest.mark.parametrize("statuses, text", [
    (["off track", "off track", "off track"], "**None of the 3 objectives is on track** on the recent trend: all 3 "
                                              "are off track."),
    (["on track", "at risk", "off track"], "**1 of the 3 objectives is on track** on the recent trend: 1 is at risk "
                                           "and 1 off track."),
    (["on track", "already met"], "**All 2 objectives are on track** on the recent trend."),
    (["on track"], "**The objective is on track** on the recent trend."),
    (["at risk"], "**The objective is not on track** on the recent trend: it is at risk."),
])
def test_headline_counts_each_status(statuses, text):
    res = ob.ObjectiveResults(records=[{**REC, "id": str(i), "status": s} for i, s in enumerate(statuses)])
    assert res.headline() == text
