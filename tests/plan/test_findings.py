"""Tests of the findings collectors (cxtemplate.plan.findings) on small artifacts written by hand.

Each expected impact is worked out in the test from the collector's stated rule.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cxtemplate.config.schema import AlertRule
from cxtemplate.measure.spec import ces_spec, nps_spec
from cxtemplate.plan import findings as fnd


def test_drivers_to_concentrate_on_become_findings_with_their_gain():
    drivers = pd.DataFrame({"driver": ["reliability", "speed_of_service", "value"],
                            "Driver": ["Reliability", "Speed of service", "Value"],
                            "Share of R² %": [30.4, 20.5, 5.0], "Mean rating": [7.8, 5.781, 7.0],
                            "Quadrant": ["Keep up the good work", "Concentrate here", "Low priority"],
                            "metric_gain": [0.0, 8.04, None]})
    [f] = fnd.from_drivers(drivers)
    assert (f.key, f.kind, f.subject, f.impact, f.impact_unit) == (
        "driver:speed_of_service", "driver", "Speed of service", 8.04, "NPS points")
    assert f.finding == ("Speed of service explains 20% of the variation in NPS but is rated 5.78, "
                         "below the average driver.")
    assert fnd.from_drivers(drivers.drop(columns=["Quadrant"])) == [] and fnd.from_drivers(None) == []
    [f] = fnd.from_drivers(drivers, scale=(0, 10))  # the rating with its scale
    assert "is rated 5.78 out of 10, below the average driver." in f.finding


def test_harmful_topics_weigh_their_effect_by_the_share_of_all_responses_mentioning_them():
    impact = pd.DataFrame({"topic": ["billing / charges", "wait / hold", "thanks / helpful"],
                           "impact": [-20.0, -30.0, 15.0], "p_adj": [0.001, 0.2, 0.001], "share": [0.2, 0.3, 0.4],
                           "ci_low": [-26.0, -40.0, 10.0], "ci_high": [-14.0, -20.0, 20.0], "n_with": [80, 120, 160]})
    topics = pd.DataFrame({"label": ["billing / charges"], "Top words": ["billing, wrong, charges"]})
    [f] = fnd.from_topics(impact, responses_with_comments=400, total_responses=1000, topics=topics)
    # 20 points × 20% of the comments × 40% of responses commented = 1.6 NPS points; p 0.001 < 0.01: high
    assert f.impact == pytest.approx(1.6) and f.confidence == "high"
    assert f.terms == ["billing", "charges", "wrong"]       # topic words, then its top words, no repeats
    assert f.finding == ("Comments mentioning “billing / charges” have an NPS 20 points below other comments "
                         "(14 to 26 points, n = 80).")
    # the gain's interval: 14 to 26 points × 20% × 40%
    assert (f.impact_low, f.impact_high) == pytest.approx((1.12, 2.08))
    # without the comment counts the share of comments is used as it is
    assert fnd.from_topics(impact)[0].impact == pytest.approx(4.0)


def test_location_steps_down_are_weighted_by_the_locations_share():
    steps = pd.DataFrame({"location": ["A", "B", "C", "D"], "step_period": ["2025-03"] * 4, "metric": ["NPS"] * 4,
                          "value_before": [8.0, 10.0, 5.0, 1.0], "value_after": [-2.0, 20.0, 0.0, -9.0],
                          "change": [-10.0, 10.0, -5.0, -10.0], "p_adj": [0.004, 0.01, 0.3, 0.03],
                          "significant": [True, True, False, True]})
    a, d = fnd.from_steps(steps, {"A": 0.25})
    assert (a.subject, a.scope, a.impact, a.confidence) == ("A", "location: A", 2.5, "high")  # 10 × 25%
    assert (d.subject, d.impact, d.confidence) == ("D", None, "medium")  # no share known: not quantified
    assert a.finding == ("NPS at A stepped down by 10 points from 2025-03 (8.0 → -2.0) and has stayed there "
                         "(adjusted p 0.004).")


def test_segment_gaps_are_ordered_by_weighted_gain():
    seg = pd.DataFrame({"segment": ["segment", "segment", "plan", "plan", "location"],
                        "level": ["Small business", "Consumer", "Basic", "Premium", "Leeds"], "metric": ["NPS"] * 5,
                        "value": [5.0, 20.0, 10.0, 16.0, -30.0], "diff": [-10.0, 5.0, -6.0, 2.0, -40.0],
                        "p_adj": [0.001, 0.01, 0.02, 0.5, 0.0001], "n": [200, 800, 500, 500, 100]})
    found = fnd.from_segments(seg)   # locations are left out (they have their own findings); rises too
    # Basic: 6 × 500/1000 = 3.0 ahead of Small business: 10 × 200/1000 = 2.0
    assert [(f.scope, f.impact, f.confidence) for f in found] == [
        ("plan: Basic", pytest.approx(3.0), "medium"), ("segment: Small business", pytest.approx(2.0), "high")]
    assert found[1].subject == "Small business (segment)"
    assert len(fnd.from_segments(seg, top=1)) == 1


def test_objectives_off_track_or_at_risk_become_unquantified_findings():
    obj = pd.DataFrame({"id": ["a", "b", "c"], "goal": ["Grow", "Ease", "Fine"], "metric": ["NPS", "CES", "CSAT"],
                        "baseline": [12.0, 4.3, 70.0], "target": [20, 4.6, 72], "deadline": ["2026-12-31"] * 3,
                        "status": ["off track", "at risk", "on track"], "projected": [13.0, 4.5, 73.0],
                        "change_needed": [8.0, 0.3, 2.0], "where": ["organisation", "journey_stage: Support", None]})
    grow, ease = fnd.from_objectives(obj)
    assert (grow.confidence, ease.confidence) == ("medium", "low")
    assert grow.impact is None and grow.impact_rule == "not an expected gain: the target needs +8.0 NPS points"
    assert ease.scope == "journey_stage: Support"
    assert grow.finding == "Objective 'Grow' (NPS 12.0 → target 20 by 2026-12-31) is off track: the recent trend reaches 13.0."


def test_coaching_gain_is_the_flagged_agents_gap_weighted_by_their_responses():
    coaching = pd.DataFrame({"agent_id": ["A1", "A2", "A3"], "below_team": [True, True, False],
                             "team_mean": [10.0, 5.0, 5.0], "estimate": [0.0, -5.0, 9.0], "n": [50, 30, 20]})
    [f] = fnd.from_coaching(coaching, total_responses=1000)
    assert f.impact == pytest.approx((10 * 50 + 10 * 30) / 1000)   # 0.8 NPS points
    assert f.subject == "2 agents" and f.terms == ["A1", "A2"]
    assert fnd.from_coaching(coaching).pop().impact is None
    assert fnd.from_coaching(coaching.assign(below_team=False)) == []


def test_kpis_use_the_joint_model_when_there_is_one():
    kpis = pd.DataFrame({"kpi": ["wait", "wait", "fte"], "label": ["Wait time", "Wait time", "Staffing"],
                         "model": ["single", "joint", "joint"], "p_adj": [0.001, 0.03, 0.4],
                         "effect_per_sd": [-0.5, -0.25, 0.1], "effect_unit": ["CSAT points, per SD"] * 3,
                         "sentence": ["s1", "s2", "s3"]})
    [f] = fnd.from_kpis(kpis)
    assert (f.key, f.impact, f.impact_unit, f.finding, f.confidence) == (
        "kpi:wait", 0.25, "CSAT points per typical swing", "s2", "medium")


def test_maturity_gaps_largest_first():
    dims = pd.DataFrame({"dimension": ["design", "culture", "strategy"], "name": ["Design", "Culture", "Strategy"],
                         "mean": [1.88, 2.2, 3.1], "gap": [0.87, 0.8, 0.0]})
    found = fnd.from_maturity(dims)
    assert [f.key for f in found] == ["maturity:design", "maturity:culture"]
    assert found[0].finding == "Design practices average 1.88, 0.87 levels short of the target stage."
    # with the maturity page's classification, a borderline dimension (its interval holds the target) is no finding
    classed = dims.assign(status=["below target", "borderline", "at or above target"])
    assert [f.key for f in fnd.from_maturity(classed)] == ["maturity:design"]


def test_churn_names_the_group_with_most_revenue_at_risk():
    risk = pd.DataFrame({"segment": ["Consumer", "Small business", "Enterprise"],
                         "revenue_at_risk": [100_000.0, 150_000.0, 50_000.0]})
    [f] = fnd.from_churn({"available": True, "horizon_months": 12, "counterfactual_retained": 26_761}, risk, "GBP")
    assert (f.scope, f.impact, f.impact_unit) == ("segment: Small business", 150_000.0, "GBP a year at risk")
    assert f.finding == ("Small business customers carry £150,000 of annual revenue at risk over the next 12 months "
                         "(50% of the total).")
    assert f.impact_rule.endswith("turning detractors into passives would retain £26,761")
    assert fnd.from_churn({"available": False}, risk) == [] and fnd.from_churn({"available": True}, None) == []


def test_to_frame_flattens_the_terms():
    f = fnd.Finding(key="k", kind="topic", subject="s", finding="f", terms=["a", "b"])
    table = fnd.to_frame([f])
    assert table.columns.tolist() == ["key", "kind", "subject", "finding", "impact", "impact_low", "impact_high",
                                      "impact_unit", "impact_rule", "confidence", "source", "terms", "scope"]
    assert table["terms"].iloc[0] == "a, b"
    assert fnd.to_frame([]).empty


# --------------------------------------------------------------------------- every collector at once


def test_response_columns_cover_the_metrics_and_the_alert_breakdowns():
    rules = [AlertRule(id="a", metric="ces", condition="below", threshold=4.5, by="touchpoint", owner="x"),
             AlertRule(id="b", metric="csat", condition="below", threshold=75, owner="x")]
    cols = fnd.response_columns({"nps": nps_spec(), "ces": ces_spec()}, rules)
    assert cols == [*fnd.RESPONSE_COLUMNS, "nps", "ces", "touchpoint"]


def test_collect_reads_each_notebooks_artifacts_and_the_response_shares():
    coaching = pd.DataFrame({"agent_id": ["A1"], "below_team": [True], "team_mean": [10.0], "estimate": [0.0],
                             "n": [4]})
    steps = pd.DataFrame({"location": ["A"], "step_period": ["2025-03"], "metric": ["NPS"], "value_before": [8.0],
                          "value_after": [-2.0], "change": [-10.0], "p_adj": [0.004], "significant": [True]})
    topic_impact = pd.DataFrame({"topic": ["bill"], "impact": [-20.0], "p_adj": [0.001], "share": [0.5],
                                 "ci_low": [-26.0], "ci_high": [-14.0], "n_with": [1]})
    dims = pd.DataFrame({"dimension": ["design"], "name": ["Design"], "mean": [1.5], "gap": [0.5]})
    artifacts = {("04_experience_analysis", "coaching"): coaching, ("04_experience_analysis", "steps"): steps,
                 ("04_experience_analysis", "topic_impact"): topic_impact, ("01_maturity", "dimensions"): dims}
    asked = []

    def load(notebook, name, default):
        asked.append((notebook, name))
        return artifacts.get((notebook, name), default)

    # five responses: 2 of 5 at A, 2 commented, 4 NPS answers
    responses = pd.DataFrame({"location": ["A", "A", "B", "B", "B"], "comment": ["bad bill", None, "ok", None, None],
                              "nps": [0, 5, 9, None, 10]})
    found = fnd.collect(load, responses)
    assert [f.kind for f in found] == ["topic", "location_drop", "agent_coaching", "maturity"]
    topic, step, coach, _ = found
    assert topic.impact == pytest.approx(20 * 0.5 * 2 / 5)      # 2 of 5 responses commented
    assert step.impact == pytest.approx(10 * 2 / 5)             # A holds 2 of 5 responses
    assert coach.impact == pytest.approx(10 * 4 / 4)            # 4 NPS answers
    assert ("05_churn_survival", "risk_by_segment") in asked and ("02_objectives", "objectives") in asked
    # without responses the collectors that need them are skipped; the others still run
    assert [f.kind for f in fnd.collect(load, None)] == ["agent_coaching", "maturity"]
    assert fnd.collect(load, None)[0].impact is None


def test_count_sentence_names_the_kinds_most_frequent_first():
    table = pd.DataFrame({"kind": ["maturity", "topic", "maturity", "location_drop", "maturity", "topic"]})
    assert fnd.count_sentence(table) == ("The analysis produced **6 findings** that call for action "
                                         "(3 maturity, 2 topic, 1 location drop).")
    assert fnd.count_sentence(fnd.to_frame([])) == "The analysis produced no finding that calls for action."


def test_churn_without_revenue_names_the_group_with_most_expected_leavers_in_customers():
    """No revenue mapped (issue 15): the finding counts customers, never money; 40 of 100 leavers by hand."""
    risk = pd.DataFrame({"segment": ["Consumer", "Small business"], "expected_churners": [60.0, 40.0],
                         "revenue_at_risk": [0.0, 0.0]})
    [f] = fnd.from_churn({"available": True, "horizon_months": 12}, risk, None)
    assert (f.scope, f.impact, f.impact_unit) == ("segment: Consumer", 60.0, "customers expected to leave")
    assert f.finding == "Consumer customers: 60 of them are expected to leave within the next 12 months (60% of all " \
                        "expected leavers)."
    assert "revenue" not in f.finding and "£" not in f.finding


def test_churn_with_revenue_and_no_currency_is_a_plain_amount():
    risk = pd.DataFrame({"segment": ["Consumer"], "revenue_at_risk": [1234.0]})
    [f] = fnd.from_churn({"available": True, "horizon_months": 12}, risk, None)
    assert f.impact_unit == "a year at risk" and "1,234 of annual revenue" in f.finding and "None" not in f.finding


def test_the_drivers_are_stated_in_the_metric_of_the_key_driver_outcome():
    """A survey without NPS (the airline's satisfaction survey): its drivers' findings speak of CSAT, not NPS."""
    from cxtemplate.measure.spec import csat_spec

    drivers = pd.DataFrame({"driver": ["wifi"], "Driver": ["Inflight wifi"], "Share of R² %": [11.2],
                            "Mean rating": [2.83], "Quadrant": ["Concentrate here"], "metric_gain": [1.7]})
    artifacts = {("04_experience_analysis", "drivers"): drivers,
                 ("04_experience_analysis", "drivers_summary"): {"outcome": "csat"}}
    [f] = fnd.collect(lambda nb, name, default: artifacts.get((nb, name), default), None, None,
                      specs={"csat": csat_spec()})
    assert f.finding == "Inflight wifi explains 11% of the variation in CSAT but is rated 2.83, below the average driver."
    assert f.impact_unit == "CSAT points" and "NPS" not in f.finding


def test_a_flag_group_is_named_by_its_column_not_by_a_bare_yes():
    """The telecom shape's riskiest group was streaming_tv = Yes: "Yes customers" named nobody."""
    risk = pd.DataFrame({"streaming_tv": ["Yes", "No"], "revenue_at_risk": [71_517.0, 67_000.0]})
    [f] = fnd.from_churn({"available": True, "horizon_months": 12}, risk, None)
    assert f.subject == "customers with streaming tv: Yes" and f.scope == "streaming_tv: Yes"
    assert f.finding.startswith("Customers with streaming tv: Yes carry 71,517 of annual revenue at risk")
    assert fnd.group_subject("plan", "Gold") == "Gold customers"
    assert fnd.group_subject("location", "France") == "customers in France"   # not "France customers"


def test_without_revenue_the_plan_targets_the_group_with_most_expected_leavers():
    """A CRM without revenue: notebook 05 saves no risk_by_segment, so the leavers are counted from the scores.
    By hand: Germany 0.5 + 0.5 + 0.2 = 1.2 expected leavers of 1.2 + 0.1 + 0.3 = 1.6 (75%)."""
    scores = pd.DataFrame({"customer_id": list("abcdef"), "location": ["Germany"] * 3 + ["France"] * 2 + ["Spain"],
                           "Gender": list("MFMFMF"), "churn_probability": [0.5, 0.5, 0.2, 0.05, 0.05, 0.3]})
    table = fnd.leavers_by_group(scores)
    assert table["location"].tolist() == ["Germany", "Spain", "France"]
    assert table["expected_churners"].tolist() == pytest.approx([1.2, 0.3, 0.1])
    artifacts = {("05_churn_survival", "summary"): {"available": True, "horizon_months": 12},
                 ("05_churn_survival", "scores"): scores}
    [f] = fnd.collect(lambda nb, name, default: artifacts.get((nb, name), default), None, None)
    assert f.finding == ("Customers in Germany: 1 of them are expected to leave within the next 12 months (75% of all "
                         "expected leavers).")
    assert fnd.leavers_by_group(scores.drop(columns="location")) is None  # Gender is never a target group
