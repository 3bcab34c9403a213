"""Tests of cxtemplate.plan.cards: a metric's headline card from its period table and its objective.

The demo's CSAT (its planted winter slide: data/demo/truth.json) must be called out by the card's trend test while
its month-on-month test says "not significant"; a flat series must not be; a wider window pools the periods the
same way as summarising the raw responses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.measure.trends import compare_periods, period_table
from cxtemplate.plan import cards as cd

CSAT = MetricSpec("CSAT", "csat", "top_box", (1, 5), success_min=4, label="Customer satisfaction (CSAT)")
NPS = MetricSpec("NPS", "nps", "nps", (0, 10), label="Net Promoter Score")
CES = MetricSpec("CES", "ces", "mean", (1, 7), label="Customer effort (CES)")
OBJECTIVES = pd.DataFrame({
    "metric": ["NPS", "CES", "CSAT", "CSAT"], "goal": ["Grow referrals", "Easier support", "Billing", "Stores"],
    "where": ["all customers", "journey_stage = Support", "all customers", "location = Leeds"],
    "target": [20.0, 4.6, 72.0, 80.0], "deadline": ["2026-12-31", "2026-06-30", "2026-12-31", "2026-12-31"],
    "status": ["off track", "at risk", "off track", "on track"], "projected": [7.9, 4.5, 61.19, 81.0]})


@pytest.fixture(scope="module")
def demo(root):
    r = pd.read_csv(root / "data" / "demo" / "responses.csv", usecols=["responded_at", "nps", "csat", "ces"],
                    parse_dates=["responded_at"])
    r = r[r["responded_at"] < "2026-01-01"]  # the demo's as_of
    tables = {}
    for key, spec in (("nps", NPS), ("csat", CSAT), ("ces", CES)):
        ok = r[r[spec.column].between(*spec.scale)]
        tables[key] = compare_periods(period_table(ok, spec, "responded_at"), spec, baseline="2024-12")
    return r, tables


def test_the_csat_card_calls_out_the_planted_slide_that_the_month_on_month_test_misses(demo):
    _, tables = demo
    card = cd.metric_card(CSAT, tables["csat"], key="csat", objective=cd.objective_for(OBJECTIVES, CSAT))
    assert card["value"] == "62%" and card["window"] == "2025-12 (latest month)" and card["n"].startswith("n = ")
    assert card["interval"].startswith("95% CI ") and card["interval"].endswith("%")
    assert card["change_prev"].startswith("−2.6 percentage points vs 2025-11 (not significant, adjusted p ")
    assert card["change_base"].startswith("−6.2 percentage points vs baseline 2024-12 (")
    assert card["trend_alert"] and card["trend_direction"] == "down"
    assert card["trend"].startswith("Falling steadily over the last 6 months, from 72.9% in 2025-07 to 61.9% in "
                                    "2025-12 (−2.2 percentage points a month, 95% CI ")
    assert card["trend"].endswith("a sustained decline, not month-to-month noise (p < 0.001).")
    assert card["trend_span"] == "from 73% in 2025-07 to 62% in 2025-12"
    # the whole organisation's objective, not the Leeds one
    assert card["target"] == "Target 72% by 2026-12-31: off track (on the recent trend, 61% by then)"
    assert (card["status"], card["status_class"]) == ("off track", "cx-off-track")
    assert card["sparkline"].startswith('<svg class="cx-spark" role="img" aria-label="CSAT, last 12 months: from ')
    assert card["sparkline"].count(",") - card["sparkline_label"].count(",") == 12  # 12 points in one line


def test_a_flat_series_is_not_called_a_trend():
    rng = np.random.default_rng(3)
    n = np.full(12, 700)
    succ = rng.binomial(n, 0.7)
    t = pd.DataFrame({"period": pd.period_range("2025-01", periods=12, freq="M"), "metric": "CSAT", "n": n,
                      "successes": succ, "value": 100 * succ / n, "se": 100 * np.sqrt(0.21 / n)})
    t["ci_low"], t["ci_high"] = t["value"] - 3.4, t["value"] + 3.4
    card = cd.metric_card(CSAT, compare_periods(t, CSAT))
    assert not card["trend_alert"] and card["trend_direction"] == "flat"
    assert card["trend"].startswith("No sustained trend over the last 6 months (2025-07 to 2025-12; p ")


def test_a_three_month_window_pools_the_responses_like_the_raw_rows(demo):
    r, tables = demo
    card = cd.metric_card(NPS, tables["nps"], window_periods=3)
    last3 = r[(r["responded_at"] >= "2025-10-01") & r["nps"].between(0, 10)]
    direct = summarise(last3, NPS).iloc[0]
    assert card["window"] == "2025-10 to 2025-12 (last 3 months)"
    assert card["value"] == f"{direct['value']:.0f}" and card["n"] == f"n = {int(direct['n']):,}"
    assert card["interval"] == f"95% CI {direct['ci_low']:.0f} to {direct['ci_high']:.0f}"
    assert card["change_prev"].startswith("+") and " points vs 2025-07 to 2025-09 (" in card["change_prev"]
    assert " points vs baseline 2024-12 (significant, p " in card["change_base"]


def test_a_segment_objective_names_its_segment_and_a_mean_keeps_two_decimals(demo):
    _, tables = demo
    card = cd.metric_card(CES, tables["ces"], objective=cd.objective_for(OBJECTIVES, CES))
    assert card["value"].count(".") == 1 and len(card["value"].split(".")[1]) == 2
    assert card["target"] == "Target 4.60 by 2026-06-30 (Journey stage = Support): at risk (on the recent trend, 4.50 by then)"
    assert card["status_class"] == "cx-at-risk" and card["scale"] == "mean on a scale from 1 to 7"
    named = OBJECTIVES.assign(population=OBJECTIVES["where"].map(lambda w: "Journey stage: Support"
                                                                    if "Support" in str(w) else "all customers"))
    card = cd.metric_card(CES, tables["ces"], objective=cd.objective_for(named, CES))
    assert card["target"].startswith("Target 4.60 by 2026-06-30 (Journey stage: Support): ")  # notebook 02's words
    assert cd.objective_for(OBJECTIVES, MetricSpec("X", "x", "mean", (1, 5))) is None
    assert cd.objective_for(None, CES) is None


def test_no_minus_zero_and_the_units_of_a_change():
    assert cd.value_text(-0.3, NPS) == "0" and cd.value_text(-3.4, NPS) == "−3" and cd.value_text(4.306, CES) == "4.31"
    assert cd.change_unit(NPS, 1.0) == "point" and cd.change_unit(CSAT, -2.7) == "percentage points"
    assert cd.period_word("Q", 2) == "quarters" and cd.period_word("M", 1) == "month"


def test_the_cards_of_several_metrics_adjust_their_trend_tests_together(demo):
    _, tables = demo
    headline = pd.DataFrame({"key": ["nps", "csat", "ces", "missing"]})
    specs = {"nps": NPS, "csat": CSAT, "ces": CES, "missing": CES}
    cards = cd.metric_cards(headline, tables, specs, OBJECTIVES)
    assert [c["key"] for c in cards] == ["nps", "csat", "ces"]  # a metric without a period table has no card
    alone = {k: cd.metric_card(s, tables[k]) for k, s in (("nps", NPS), ("csat", CSAT), ("ces", CES))}
    for c in cards:
        assert c["trend_p"] >= alone[c["key"]]["trend_p"]  # Benjamini–Hochberg never lowers a p-value
    assert [c["trend_alert"] for c in cards] == [False, True, False]
    assert cd.metric_cards(None, tables, specs) == []


def test_a_quarterly_series_speaks_of_quarters():
    n = np.full(8, 500)
    succ = np.array([350, 352, 349, 351, 340, 325, 310, 295])
    t = pd.DataFrame({"period": pd.period_range("2024Q1", periods=8, freq="Q"), "metric": "CSAT", "n": n,
                      "successes": succ, "value": 100 * succ / n, "se": 100 * np.sqrt(0.2 / n)})
    t["ci_low"], t["ci_high"] = t["value"] - 4, t["value"] + 4
    card = cd.metric_card(CSAT, compare_periods(t, CSAT).assign(period=lambda d: d["period"].astype(str)), freq="Q",
                          window_periods=2)
    assert card["window"] == "2025Q3 to 2025Q4 (last 2 quarters)" and card["value"] == "60%"
    assert card["trend"].startswith("Falling steadily over the last 6 quarters, from 69.8% in 2024Q3 to 59.0% in 2025Q4")
    assert card["trend"].endswith("a sustained decline, not quarter-to-quarter noise (p < 0.001).")
    assert "percentage points a quarter" in card["trend"]
    assert card["sparkline_label"].startswith("CSAT, last 12 quarters: from 70% in 2024Q1")
    assert " vs 2025Q1 to 2025Q2 (significant, p " in card["change_prev"]


def test_a_window_of_all_the_data_has_nothing_before_it(demo):
    _, tables = demo
    card = cd.metric_card(NPS, tables["nps"], window_periods=None)
    assert card["window"] == "2023-01 to 2025-12 (all 36 months)"
    assert card["change_prev"] == "No previous window to compare with"
    assert card["change_base"] == "No baseline to compare with"  # the baseline lies inside the window
    first = cd.metric_card(NPS, tables["nps"].iloc[:1])
    assert first["change_prev"] == "No previous period to compare with" and first["sparkline"].count("<circle") == 1
