"""Tests of what a manager scorecard says (cxtemplate.plan.scorecard_page): plain sentences first, method names
only in the "How this was measured" note, and never "no focus" beside a gap the drivers do not explain."""

from __future__ import annotations

import pandas as pd

from cxtemplate.measure.spec import ces_spec, csat_spec, nps_spec
from cxtemplate.plan import scorecard_page as page
from cxtemplate.plan.scorecard_gap import GapSplit

WINDOW = "2025-10 to 2025-12 (last 3 months)"
VERSUS = pd.DataFrame([
    {"key": "nps", "Metric": "NPS", "Value": -19.1, "Low": -28.7, "High": -9.1, "n": 283, "Rest": 15.7,
     "Difference": -34.8, "p": 1e-6},
    {"key": "csat", "Metric": "CSAT", "Value": 44.2, "Low": 38.5, "High": 50.0, "n": 283, "Rest": 67.4,
     "Difference": -23.2, "p": 1e-6},
    {"key": "ces", "Metric": "CES", "Value": 4.1, "Low": 3.9, "High": 4.2, "n": 283, "Rest": 4.2,
     "Difference": -0.1, "p": 0.3}])
SPECS = {"nps": nps_spec(), "csat": csat_spec(), "ces": ces_spec()}
METHOD_WORDS = ("Oaxaca", "Welch", "Benjamini", "bootstrap", "Wald", "least-squares")


def _split(explained: float, ci: tuple[float, float]) -> GapSplit:
    contributions = pd.DataFrame({"driver": ["speed_of_service", "ease_of_process"], "weight": [8.0, 7.0],
                                  "here": [5.0, 7.0], "rest": [6.0, 7.1], "difference": [-1.0, -0.1],
                                  "points": [-8.0, -0.7]})
    return GapSplit(gap=-34.8, gap_ci=(-45.0, -24.1), explained=explained, explained_ci=ci,
                    unexplained=-34.8 - explained, unexplained_ci=(-40.0, -25.0), contributions=contributions,
                    n_here=283, n_rest=1878)


def test_the_opening_is_plain_sentences_from_the_results():
    gap = page.gap_sentence(_split(-2.7, (-9.9, 4.0)), "Birmingham",
                            step={"step_period": "2025-03", "change": -23.6}, below_team=2)
    rev = page.revenue_sentence({"revenue_at_risk": 57901.9, "revenue_at_risk_low": 40000, "revenue_at_risk_high":
                                 76000.4, "share": 0.146, "expected_churners": 72.6}, "Birmingham", "GBP")
    s = page.opening_section(VERSUS, SPECS, "Birmingham", WINDOW, gap=gap, revenue=rev, n_actions=1).sentences
    assert 3 <= len(s) <= 5 and all(not t[0].islower() and t.endswith(".") for t in s)
    assert s[0] == ("Over 2025-10 to 2025-12 (last 3 months), NPS at Birmingham was -19.1 (-28.7 to -9.1, 283 "
                    "responses), 34.8 points below the rest of the organisation (15.7).")
    assert s[1] == ("Over the same months CSAT was 44.2% (23.2 percentage points below the rest, 67.4%) and CES was "
                    "4.1 (much the same as the rest, 4.2).")
    assert s[2] == ("Customers here rate the drivers much as customers elsewhere do, so the ratings explain only 2.7 "
                    "of the 34.8-point gap below the rest; the other 32.1 points lie in what the ratings do not "
                    "capture, such as a step down of 23.6 points in 2025-03 and 2 agents who score credibly below "
                    "the team.")
    assert s[3] == ("Customers of Birmingham carry £57,902 (£40,000 to £76,000) of annual revenue at risk, 15% of the "
                    "organisation's total, from about 73 customers expected to leave within a year.")
    assert s[4] == "1 action is owned for Birmingham (listed under Actions)."
    assert not any(w in " ".join(s) for w in METHOD_WORDS)


def test_a_gap_the_ratings_explain_names_the_drivers():
    text = page.gap_sentence(_split(-20.0, (-28.0, -12.0)), "Birmingham")
    assert text == "Lower ratings of speed of service and ease of process explain about 20.0 of the 34.8-point gap."
    assert page.gap_sentence(None, "Birmingham") == ""


def test_the_gap_section_says_plainly_that_no_driver_trails():
    trailing = pd.DataFrame({"driver": ["speed_of_service"], "here": [5.7], "rest": [5.8], "diff": [-0.1],
                             "p_adj": [0.6], "trails": [False]})
    sec = page.gap_section(_split(-2.7, (-9.9, 4.0)), trailing, "Birmingham")
    assert sec.sentences[0] == ("Of the NPS gap of −34.8 points to the rest, differences in driver ratings account "
                                "for −2.7 (-9.9 to 4.0) and −32.1 points (-40.0 to -25.0) remain.")
    assert sec.sentences[-1] == ("Birmingham trails the rest on none of the 1 driver: no rating here is clearly lower "
                                 "than elsewhere.") or "none" in sec.sentences[-1]
    assert len(sec.tables) == 1 and "Focus" not in sec.tables[0].columns
    assert sec.tables[0].frame["Driver"].tolist() == ["Speed of service", "Ease of process"]
    assert any("Oaxaca" in m for m in sec.methods) and not any("Oaxaca" in t for t in sec.sentences)
    worse = page.gap_section(None, trailing.assign(trails=True, p_adj=0.0001), "Birmingham")
    assert worse.sentences == ["Birmingham trails the rest on Speed of service."]
    assert worse.tables[0].formats["Adjusted p"](0.0001) == "< 0.001"
    assert "Driver ratings are not available" in page.gap_section(None, pd.DataFrame(), "Birmingham").sentences[0]


def test_revenue_without_an_interval_says_so_and_targets_read_plainly():
    sec = page.revenue_section({"revenue_at_risk": 1234.0, "share": 0.1, "customers": 60}, "Leeds", "GBP")
    assert sec.sentences == ["No interval is available for this figure: the churn page does not break it down by "
                             "location."]
    row = sec.tables[0].frame.iloc[0]
    assert row["Revenue at risk"] == "£1,234" and row["Revenue at risk, 95% interval"] == "–"
    assert row["Active customers"] == "60" and row["Share of the organisation's revenue at risk"] == "10%"
    full = page.revenue_section({"revenue_at_risk": 57901.9, "revenue_at_risk_low": 36608.2, "revenue_at_risk_high":
                                 82557, "expected_churners": 72.6, "expected_churners_low": 55.2,
                                 "expected_churners_high": 89.4, "share": 0.145}, "Leeds", "GBP")
    assert not full.sentences
    row = full.tables[0].frame.iloc[0]
    assert row["Revenue at risk, 95% interval"] == "£36,608 to £82,557"
    assert row["Expected to leave, 95% interval"] == "55 to 89"
    assert "No revenue at risk for Leeds" in page.revenue_section(None, "Leeds", "GBP").sentences[0]
    targets = pd.DataFrame({"key": ["nps"], "goal": ["Grow referrals"], "Metric": ["NPS"], "target": [20.0],
                            "deadline": ["2026-12-31"], "org_status": ["off track"], "value": [-19.1],
                            "status": ["below the target"]})
    assert page.targets_section(targets, "Leeds").sentences == [
        "NPS at Leeds is -19.1 against a target of 20.0 by 2026-12-31: Leeds is below it; the organisation is off "
        "track."]
    assert page.targets_section(targets.iloc[:0], "Leeds").sentences[0].startswith("No objective")
    csat = targets.assign(key="csat", Metric="CSAT", target=72.0, value=44.2)
    assert page.targets_section(csat, "Leeds", SPECS).sentences[0].startswith(
        "CSAT at Leeds is 44.2% against a target of 72.0% by 2026-12-31")


def test_stages_section_lists_only_where_the_unit_trails():
    stages = pd.DataFrame({"dimension": ["touchpoint", "journey_stage"], "level": ["Store visit", "Renewal"],
                           "value": [-44.4, 10.5], "n": [36, 40], "rest": [17.9, 16.3], "n_rest": [500, 98],
                           "diff": [-62.3, -5.8], "ci_low": [-85.2, -30.0], "ci_high": [-32.1, 18.0],
                           "p": [1e-5, 0.6], "p_adj": [1e-4, 0.6], "trails": [True, False]})
    sec = page.stages_section(stages, nps_spec(), "Birmingham", WINDOW)
    assert sec.sentences == ["Birmingham trails the rest at 1 journey stage or touchpoint; the widest gap is at Store "
                             "visit (touchpoint): NPS -44.4 against 17.9."]
    assert sec.tables[0].frame["Where"].tolist() == ["Store visit (touchpoint)"]
    none = page.stages_section(stages.assign(trails=False), nps_spec(), "Birmingham", WINDOW)
    assert none.sentences[0].startswith("Birmingham trails the rest at none of the 2 stages and touchpoints")
    assert not none.tables


def test_no_clear_gap_is_not_explained_away():
    flat = GapSplit(gap=-0.1, gap_ci=(-14.0, 13.8), explained=5.8, explained_ci=(-2.0, 12.0), unexplained=-5.9,
                    unexplained_ci=(-20.0, 9.0), contributions=_split(0, (0, 0)).contributions, n_here=145, n_rest=2000)
    assert page.gap_sentence(flat, "Cardiff") == ""
    sec = page.gap_section(flat, pd.DataFrame(), "Cardiff")
    assert sec.sentences == ["NPS at Cardiff is not clearly different from the rest (a gap of −0.1 points, -14.0 to "
                             "13.8), so there is no gap for the driver ratings to explain."]
