"""Tests of cxtemplate.plan.impact: the value an action may save, in one unit, with its interval.

Every expected number is worked out by hand from the rules in the module's docstring.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cxtemplate.config.schema import SaveRate
from cxtemplate.plan import impact as imp
from cxtemplate.plan.findings import Finding

SUMMARY = {"available": True, "counterfactual_retained": 20_000.0, "counterfactual_low": 8_000.0,
           "counterfactual_high": 40_000.0}
SCORES = pd.DataFrame({"customer_id": ["A", "B", "C", "D", "E"]})
# last answers: A detractor (2 after an earlier 9), B detractor, C passive, D promoter; E unsurveyed; Z not active
RESPONSES = pd.DataFrame({
    "customer_id": ["A", "A", "B", "C", "D", "Z"],
    "responded_at": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-03-01", "2025-03-01", "2025-03-01", "2025-03-01"]),
    "nps": [9, 2, 6, 8, 10, 0]})


def _points(key, value, low=None, high=None, scope="organisation", unit="NPS points"):
    return Finding(key=key, kind=key.split(":")[0], subject=key, finding=key, impact=value, impact_unit=unit,
                   impact_low=low, impact_high=high, scope=scope)


def test_one_nps_point_is_worth_the_counterfactuals_revenue_over_the_points_it_adds():
    model = imp.value_model(SUMMARY, RESPONSES, SCORES)
    # 2 of the 4 surveyed active customers are detractors (A by their last answer): passives instead add 50 points
    assert (model.detractors, model.surveyed, model.points) == (2, 4, 50.0)
    assert (model.per_point, model.per_point_low, model.per_point_high) == (400.0, 160.0, 800.0)
    assert imp.value_model({**SUMMARY, "available": False}, RESPONSES, SCORES) is None
    assert imp.value_model({**SUMMARY, "counterfactual_retained": None}, RESPONSES, SCORES) is None  # no revenue
    assert imp.value_model(SUMMARY, None, SCORES) is None and imp.value_model(SUMMARY, RESPONSES, None) is None
    happy = RESPONSES.assign(nps=10)
    assert imp.value_model(SUMMARY, happy, SCORES) is None  # no detractor: nothing to scale by


def test_finding_points_are_only_findings_stated_in_nps_points():
    assert imp.finding_points(_points("driver:x", 4.0)) == (4.0, 4.0, 4.0)  # no interval: the estimate at both ends
    assert imp.finding_points(_points("topic:x", 2.0, 2.5, 1.5)) == (2.0, 1.5, 2.5)
    assert imp.finding_points(_points("location_drop:x", 3.0, unit="NPS points (organisation)"))[0] == 3.0
    assert imp.finding_points(_points("kpi:x", 3.7, unit="CSAT top-2-box per typical swing")) is None
    assert imp.finding_points(_points("maturity:x", 1.1, unit="maturity levels to close")) is None
    assert imp.finding_points(_points("driver:x", None)) is None


def test_retention_calls_save_the_save_rate_of_what_their_list_reaches():
    assert imp.retention_value(10_000.0, SaveRate()) == pytest.approx((2_000.0, 1_000.0, 3_000.0))  # 20% (10%–30%)
    assert imp.retention_value(None, SaveRate()) is None and imp.retention_value(1.0, None) is None


def test_overlapping_findings_count_once_and_disjoint_groups_add_up():
    model = imp.value_model(SUMMARY, RESPONSES, SCORES)  # £400 (160 to 800) a point
    # a driver (4 points) and a topic (2 points, 1.5 to 2.5) of the same wait: the larger, never 6
    same = imp.action_impact([_points("driver:x", 4.0), _points("topic:x", 2.0, 1.5, 2.5)], model)
    assert (same["impact_points"], same["points_low"], same["points_high"]) == (4.0, 4.0, 4.0)
    assert (same["impact_value"], same["impact_low"], same["impact_high"]) == (1_600.0, 640.0, 3_200.0)
    # two locations are disjoint: 1 + 2 points
    places = imp.action_impact([_points("location_drop:location=A", 1.0, 0.5, 1.5, "location: A"),
                                _points("location_drop:location=B", 2.0, 1.0, 3.0, "location: B")], model)
    assert (places["impact_points"], places["points_low"], places["points_high"]) == (3.0, 1.5, 4.5)
    # a segment and a journey stage overlap (a customer is in both): the larger
    mixed = imp.action_impact([_points("segment_gap:segment=S", 1.0, scope="segment: S"),
                               _points("segment_gap:journey_stage=J", 2.0, scope="journey_stage: J")], model)
    assert mixed["impact_points"] == 2.0
    # nothing in NPS points, no money
    none = imp.action_impact([_points("maturity:x", 1.0, unit="maturity levels to close")], model)
    assert all(pd.isna(v) for v in none.values())
    # without a value model the points stay, in points
    unvalued = imp.action_impact([_points("driver:x", 4.0)], None)
    assert unvalued["impact_points"] == 4.0 and pd.isna(unvalued["impact_value"])


def test_a_churn_finding_keeps_its_value_at_risk_apart_from_the_value_the_calls_may_save():
    """Defect fixed: the segment's £166,408 at risk was shown as the retention calls' expected impact."""
    churn = Finding(key="churn_risk:segment=Small business", kind="churn_risk", subject="Small business customers",
                    finding="f", impact=166_408.0, impact_unit="GBP a year at risk", scope="segment: Small business")
    out = imp.action_impact([churn], None, save_rate=SaveRate(), reached={churn.key: 26_776.0})
    assert out["value_at_risk"] == 166_408.0
    assert (out["impact_value"], out["impact_low"], out["impact_high"]) == pytest.approx((5_355.2, 2_677.6, 8_032.8))
    assert pd.isna(out["impact_points"])
    no_list = imp.action_impact([churn], None, save_rate=SaveRate(), reached={})
    assert pd.isna(no_list["impact_value"]) and no_list["value_at_risk"] == 166_408.0
    leavers = Finding(key="churn_risk:plan=M", kind="churn_risk", subject="M", finding="f", impact=50.0,
                      impact_unit="customers expected to leave")
    assert pd.isna(imp.action_impact([leavers], None, save_rate=SaveRate())["value_at_risk"])  # no money at all


def test_the_method_text_states_the_value_of_a_point_and_the_save_rate_as_assumptions():
    model = imp.value_model(SUMMARY, RESPONSES, SCORES)
    text = imp.method_text(model, SaveRate(), "GBP")
    assert "keeps £20,000 of annual revenue (£8,000 to £40,000) and adds 50.0 NPS points" in text
    assert "one NPS point is worth about £400 a year (£160 to £800), assumed constant" in text
    assert "Retention calls may save 20% (10% to 30%, an assumption set in the parameters)" in text
    assert "Retention" not in imp.method_text(model, None, "GBP")
    assert imp.method_text(None).startswith("**Expected impact.** An action's impact is the NPS points")
    assert imp.method_text(None, points=False) == ""  # no survey, no money: nothing to explain


def test_the_value_at_risk_carries_its_interval_from_the_churn_model():
    from cxtemplate.plan import actions as act
    from cxtemplate.plan import findings as fnd

    by_segment = pd.DataFrame({"segment": ["Small business", "Consumer"], "revenue_at_risk": [166_408.0, 132_192.0],
                               "revenue_at_risk_low": [126_094.0, 109_118.0],
                               "revenue_at_risk_high": [204_264.0, 153_791.0]})
    [churn] = fnd.from_churn({"available": True, "horizon_months": 12}, by_segment, "GBP")
    assert churn.key == "churn_risk:segment=Small business" and (churn.impact_low, churn.impact_high) == (126_094.0, 204_264.0)
    assert "£166,408 (£126,094 to £204,264) of annual revenue at risk" in churn.finding
    out = imp.action_impact([churn], None)
    assert (out["value_at_risk"], out["value_at_risk_low"], out["value_at_risk_high"]) == (166_408.0, 126_094.0, 204_264.0)
    row = pd.Series({**out, "impact": churn.impact, "impact_unit": churn.impact_unit})
    assert act.at_risk_text(row) == "£166,408 (£126,094 to £204,264)"
    assert act.native_text(row) == "£166,408 (£126,094 to £204,264) a year at risk"
