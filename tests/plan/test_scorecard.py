"""Tests of the manager scorecards (cxtemplate.plan.scorecard) on small frames whose answers are counted
by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.measure.spec import ces_spec, nps_spec
from cxtemplate.plan import scorecard as sc

AS_OF = "2025-12-31"


def _answers(location: str, when: str, nps: list[float], ces: float | None = None) -> pd.DataFrame:
    return pd.DataFrame({"location": location, "responded_at": pd.Timestamp(when), "nps": nps,
                         "ces": ces if ces is not None else np.nan})


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    """Oct–Dec 2025 (the last three months): A 20 promoters, 10 passives, 10 detractors (NPS 25); B 10 / 10 / 20
    (NPS −25). June 2025: 20 more detractors at A, outside the window. Five of A's recent answers carry a CES."""
    return pd.concat([
        _answers("A", "2025-10-10", [10] * 10 + [8] * 5 + [0] * 5), _answers("A", "2025-12-10", [9] * 10 + [7] * 5),
        _answers("A", "2025-12-11", [6] * 5, ces=4.0), _answers("A", "2025-06-01", [0] * 20),
        _answers("B", "2025-11-05", [10] * 10 + [8] * 10 + [0] * 20)], ignore_index=True)


def test_recent_window_keeps_the_last_three_periods(responses):
    recent = sc.recent_window(responses, "M", AS_OF, periods=3)
    assert len(recent) == 80 and recent["responded_at"].min() == pd.Timestamp("2025-10-10")
    assert len(sc.recent_window(responses, "Q", AS_OF, periods=1)) == 80   # Q4 2025
    assert len(sc.recent_window(responses, "M", AS_OF, periods=7)) == 100  # reaches June
    assert sc.recent_count(responses, "location", "A", freq="M", as_of=AS_OF) == 40


def test_versus_rest_compares_the_last_three_periods_and_suppresses_small_cells(responses):
    specs = {"nps": nps_spec(), "ces": ces_spec()}
    vr = sc.versus_rest(responses, specs, "location", "A", freq="M", as_of=AS_OF, min_n=30).set_index("Metric")
    assert vr.loc["NPS", "Value"] == pytest.approx(100 * (20 - 10) / 40)     # 25
    assert vr.loc["NPS", "Rest"] == pytest.approx(100 * (10 - 20) / 40)      # −25
    assert vr.loc["NPS", "Difference"] == pytest.approx(50)
    assert vr.loc["NPS", "n"] == 40 and vr.loc["NPS", "p"] < 0.05
    assert vr.loc["NPS", "Low"] < 25 < vr.loc["NPS", "High"]
    assert vr.loc["CES", "n"] == 5 and vr.loc["CES", "Note"] == "Suppressed: n < 30"
    assert np.isnan(vr.loc["CES", "Value"])
    assert vr.loc["NPS", "Rest n"] == 40 and vr.loc["NPS", "Difference low"] < 50 < vr.loc["NPS", "Difference high"]
    view = sc.versus_rest_view(vr.reset_index(), "A", "2025-10 to 2025-12 (last 3 months)")
    assert view.title == "A against the rest of the organisation, 2025-10 to 2025-12 (last 3 months)"
    assert view.formats["Difference"](50) == "+50.0" and view.formats["p"](1e-5) == "< 0.001"
    assert view.frame["Rest of the organisation"].iloc[0] == pytest.approx(-25)
    assert not {"nps", "value", "level"} & set(view.columns)
    assert view.frame["Metric"].tolist() == ["NPS, −100…100", "CES, mean on 1–7"]


def test_page_set_up(responses):
    assert sc.response_columns("location", {"nps": nps_spec(), "ces": ces_spec()}, ["speed"]) == [
        "location", "responded_at", "journey_stage", "touchpoint", "nps", "nps", "ces", "speed"]
    assert sc.busiest_level(responses, "location") == "A"   # 60 answers against 40
    assert sc.heading("Leeds") == "# Scorecard: Leeds"
    assert sc.intro_sentence("Leeds", "location", 1_234, 30, "2025-10 to 2025-12 (last 3 months)") == ""
    assert sc.intro_sentence("Leeds", "location", 29, 30, "2025-10 to 2025-12 (last 3 months)") == (
        "**Leeds has too few responses to report on** (29 in 2025-10 to 2025-12 (last 3 months); at least 30 are "
        "needed). Its numbers are suppressed so they are not mistaken for evidence; the actions and coaching below "
        "still apply.")


def test_targets_apply_to_the_whole_metric_and_compare_this_units_interval():
    assert sc.objective_applies({}, "location", "A") and sc.objective_applies({"location": "A"}, "location", "A")
    assert not sc.objective_applies({"location": "B"}, "location", "A")
    assert not sc.objective_applies({"journey_stage": "Support"}, "location", "A")
    assert sc.location_status(21, 30, 20) == "meets the target"
    assert sc.location_status(-28, -9, 20) == "below the target"
    assert sc.location_status(15, 25, 20) == "close to the target"
    objectives = pd.DataFrame({"id": ["advocacy", "support-ces"], "goal": ["Grow referrals", "Easier support"],
                               "metric": ["NPS", "CES"], "target": [20.0, 4.6], "deadline": ["2026-12-31"] * 2,
                               "status": ["off track", "at risk"]})
    versus = pd.DataFrame({"key": ["nps", "ces"], "Metric": ["NPS", "CES"], "Value": [-19.1, 4.1],
                           "Low": [-28.7, 3.9], "High": [-9.1, 4.2]})
    t = sc.targets(objectives, versus, ["advocacy"])       # the CES objective is for Support only
    assert t["id"].tolist() == ["advocacy"] and t["status"].tolist() == ["below the target"]
    assert t["org_status"].tolist() == ["off track"] and sc.target_of(t) == {"nps": 20.0}
    view = sc.targets_view(t, "A")
    assert view.columns == ["Goal", "Metric", "Target", "Deadline", "Organisation", "A", "A against the target"]
    assert sc.targets(None, versus, ["advocacy"]).empty and sc.target_of(pd.DataFrame()) == {}


def test_revenue_of_this_unit_with_its_share_and_intervals_when_given():
    risk = pd.DataFrame({"dimension": ["total", "location", "location"], "group": ["all", "A", "B"],
                         "customers": [100, 60, 40], "expected_churners": [10.0, 7.0, 3.0],
                         "revenue_at_risk": [1000.0, 250.0, 750.0]})
    rev = sc.revenue_of(risk, "location", "A")
    assert rev["revenue_at_risk"] == 250.0 and rev["share"] == pytest.approx(0.25)
    assert "revenue_at_risk_low" not in rev
    risk["revenue_at_risk_low"], risk["revenue_at_risk_high"] = [800.0, 150.0, 600.0], [1200.0, 380.0, 900.0]
    rev = sc.revenue_of(risk, "location", "A")
    assert (rev["revenue_at_risk_low"], rev["revenue_at_risk_high"]) == (150.0, 380.0)
    assert sc.revenue_of(risk, "location", "C") is None and sc.revenue_of(None, "location", "A") is None


def test_local_topics_from_notebook_04s_counts():
    mentions = pd.DataFrame({"response_id": ["r1", "r2", "r3", "r4"], "topic": ["bill", "bill", "wait", "bill"],
                             "location": ["A", "A", "B", "B"]})
    counts = {"by": "location", "total": 10, "levels": {"A": 4, "B": 6}}
    out = sc.local_topics(None, mentions, "location", "A", counts).set_index("Topic")
    assert out.loc["bill", "Here %"] == pytest.approx(50.0)          # 2 of A's 4 commented answers
    assert out.loc["bill", "Organisation %"] == pytest.approx(30.0)  # 3 of 10
    assert out.loc["wait", "Here %"] == 0.0 and out.loc["wait", "Difference (pp)"] == pytest.approx(-10.0)
    assert out.index.tolist() == ["bill", "wait"]
    view = sc.topics_view(out.reset_index(), "A")
    assert view.formats["A %"].format(50.0) == "50%" and view.formats["Difference (pp)"](-10.0) == "−10"
    named = sc.local_topics(None, mentions, "location", "A", counts, {"bill": "Billing errors"})
    assert named["Topic"].tolist() == ["Billing errors", "wait"]
    topics = pd.DataFrame({"topic_id": ["T1"], "topic": ["bill"], "label": ["Billing errors"]})
    assert sc.topic_labels(topics) == {"T1": "Billing errors", "bill": "Billing errors"}
    assert sc.topic_labels(None) == {}


def test_local_topics_from_the_comments_count_only_real_comments():
    responses = pd.DataFrame({"response_id": ["r1", "r2", "r3", "r4", "r5"], "location": ["A", "A", "A", "B", "B"],
                              "comment": ["bad bill", "   ", None, "slow", "bill wrong"]})
    mentions = pd.DataFrame({"response_id": ["r1", "r4", "r5"], "topic": ["bill", "wait", "bill"]})
    out = sc.local_topics(responses, mentions, "location", "A").set_index("Topic")
    # commented: r1 (A), r4, r5 (B): A 1 of 1 mentions bill, the organisation 2 of 3
    assert out.loc["bill", "Here %"] == pytest.approx(100.0)
    assert out.loc["bill", "Organisation %"] == pytest.approx(200 / 3)
    assert sc.local_topics(responses.drop(columns=["comment"]), mentions, "location", "A").empty
    assert sc.local_topics(responses, None, "location", "A").empty


def test_recent_comments_are_this_units_detractors_of_the_last_90_days():
    here = pd.DataFrame({"location": ["A"] * 5 + ["B"],
                         "responded_at": pd.to_datetime(["2025-11-01", "2025-12-01", "2025-09-01", "2025-12-20",
                                                         "2025-12-21", "2025-12-22"]),
                         "touchpoint": ["App"] * 6, "nps": [3, 6, 0, 9, 2, 0],
                         "comment": ["late", "wrong", "old", "great", None, "other"]})
    out = sc.recent_comments(here, "location", "A", as_of=AS_OF)
    assert out["comment"].tolist() == ["wrong", "late"]     # newest first; Sep is > 90 days back
    assert out.columns.tolist() == ["responded_at", "touchpoint", "nps", "comment"]
    assert len(sc.recent_comments(here, "location", "A", as_of=AS_OF, n=1)) == 1
    view = sc.comments_view(out)
    assert view.columns == ["Date", "Touchpoint", "Likelihood to recommend (0–10)", "Comment"]
    assert view.formats["Date"](out["responded_at"].iloc[0]) == "2025-12-01"


def test_level_steps_and_trend_chart_show_only_this_units_significant_steps():
    months = pd.period_range("2025-01", "2025-12", freq="M")
    responses = pd.concat([_answers("A", str(m.to_timestamp() + pd.Timedelta(days=9)), [10] * 20 + [0] * 20)
                           for m in months], ignore_index=True)
    steps = pd.DataFrame({"location": ["A", "B"], "step_period": ["2025-03", "2025-05"], "change": [-20.0, 5.0],
                          "significant": [True, True]})
    mine = sc.level_steps(steps, "location", "A", "M")
    assert mine["location"].tolist() == ["A"] and mine["step_period"].iloc[0] == pd.Period("2025-03", "M")
    assert sc.level_steps(steps.drop(columns=["location"]), "location", "A", "M") is None
    assert sc.level_steps(None, "location", "A", "M") is None
    assert sc.significant_step(mine) == {"step_period": "2025-03", "change": -20.0}
    assert sc.significant_step(mine.assign(significant=False)) is None and sc.significant_step(None) is None


def test_coaching_for_this_unit():
    coaching = pd.DataFrame({"location": ["A", "A", "B"], "agent_id": ["A1", "A2", "B1"], "n": [50, 40, 30],
                             "estimate": [-12.3, 10.0, 5.0], "lower": [-20.0, 2.0, -3.0], "upper": [-4.0, 18.0, 13.0],
                             "rank": [2, 1, 1], "below_team": [True, False, False],
                             "needs_driver": ["speed", "ease", "other"], "team_mean": [0.0, 0.0, 5.0]})
    team = sc.team_of(coaching, "location", "A")
    assert team["agent_id"].tolist() == ["A1", "A2"]
    assert sc.team_of(coaching, "segment", "A") is None              # agents are grouped by location
    assert sc.team_of(coaching.drop(columns=["location"]), "location", "A") is None
    assert sc.team_of(None, "location", "A") is None
    ranked, too_few = sc.rank_agents(team, min_n=45)
    assert ranked["agent_id"].tolist() == ["A1"] and ranked["rank"].tolist() == [1]   # A2 (n 40) is not ranked
    assert too_few["agent_id"].tolist() == ["A2"]
    assert sc.coaching_sentence(ranked, too_few, "A") == (
        "A has 2 agents with survey responses; 1 has enough responses to rank. 1 agent scores credibly below the team.")
    assert sc.too_few_sentence(too_few, 45) == "Too few to rank (fewer than 45 responses): A2 (40 responses)."
    assert sc.too_few_sentence(too_few.iloc[:0], 45) == ""
    assert sc.coaching_sentence(ranked.iloc[:0], team, "A") == (
        "A has 2 agents with survey responses; none has enough responses to rank.")
    assert sc.coaching_sentence(ranked.assign(below_team=False), too_few.iloc[:0], "A") == (
        "A has 1 agent with survey responses. No agent scores credibly below the team.")
    ranked, too_few = sc.rank_agents(team, min_n=30)
    assert ranked["agent_id"].tolist() == ["A2", "A1"] and ranked["rank"].tolist() == [1, 2] and too_few.empty
    view = sc.coaching_view(ranked, "A", {"speed": "Speed of service"})
    assert view.title == "Agents at A with enough responses to rank"
    assert view.columns == ["Rank", "Agent", "Responses", "NPS (shrunken)", "Low", "High", "Below team", "Coach on"]
    assert view.frame["Coach on"].tolist() == ["ease", "Speed of service"]   # unlabelled drivers keep their key
    assert view.frame["Below team"].tolist() == ["no", "yes"]


def test_local_actions_put_this_units_actions_first():
    register = pd.DataFrame({"action": ["a1", "a2", "a3", "a4", "a5"], "owner": ["o"] * 5, "due": ["2026-01-30"] * 5,
                             "scope": ["organisation", "location: A", "location: B", "segment: A", "organisation"]})
    acts = sc.local_actions(register, "location", "A")
    assert acts["action"].tolist() == ["a2", "a1", "a5"]
    assert acts["Scope"].tolist() == ["this location", "organisation", "organisation"]
    assert sc.local_actions(register, "store_region", "A")["action"].tolist() == ["a1", "a5"]
    assert sc.local_actions(None, "location", "A").empty
    several = register.assign(scope=["organisation", "location: B | location: A", "location: AB", "segment: A",
                                     "location: C | organisation"])  # one action answering findings of several units
    assert sc.local_actions(several, "location", "A")["action"].tolist() == ["a2", "a1", "a5"]
    assert sc.owned_count(acts) == 1 and sc.owned_count(pd.DataFrame()) == 0
    view = sc.actions_view(acts, "A")
    assert view.columns == ["Scope", "Action", "Owner", "Due"] and view.max_rows == 15
    assert view.title == "Actions for A and for the whole organisation"
