"""Tests of the manager scorecards (cxtemplate.plan.scorecard) on small frames whose answers are counted
by hand."""

from __future__ import annotations

import matplotlib.pyplot as plt
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
    assert vr.loc["CES", "n"] == 5 and vr.loc["CES", "Note"] == "suppressed: n < 30"
    assert np.isnan(vr.loc["CES", "Value"])
    view = sc.versus_rest_view(vr.reset_index(), "A")
    assert view.title == "A: last three periods against the rest of the organisation"
    assert view.formats["Difference"].format(50) == "+50.0"


def test_page_set_up(responses):
    assert sc.response_columns("location", {"nps": nps_spec(), "ces": ces_spec()}, ["speed"]) == [
        "location", "responded_at", "touchpoint", "nps", "nps", "ces", "speed"]
    assert sc.busiest_level(responses, "location") == "A"   # 60 answers against 40
    assert sc.heading("Leeds") == "# Scorecard: Leeds"
    assert sc.intro_sentence("Leeds", "store_region", "Northwind", 1_234, 30) == (
        "This page compares **Leeds** (store region) with the rest of Northwind over the last three periods "
        "(1,234 responses here), and shows where its manager can act.")
    assert sc.intro_sentence("Leeds", "location", "Northwind", 29, 30) == (
        "**Leeds has too few responses to report on** (29 in the last three periods; at least 30 are needed). "
        "Its numbers are suppressed so they are not mistaken for evidence; the actions and coaching below still apply.")


def test_local_drivers_flag_important_drivers_rated_lower_here():
    responses = pd.DataFrame({"location": ["A"] * 10 + ["B"] * 10,
                              "speed": [2, 3] * 5 + [8, 9] * 5, "ease": [7, 8] * 5 + [8, 7] * 5})
    table = pd.DataFrame({"driver": ["ease", "speed", "value"], "Driver": ["Ease", "Speed", "Value"],
                          "Share of R² %": [40.0, 60.0, 10.0]})
    out = sc.local_drivers(responses, "location", "A", table)
    # value has no ratings; speed: 2.5 here, 5.5 overall, important (60 ≥ mean 50): the focus
    assert out["Driver"].tolist() == ["Speed", "Ease"]
    assert out["Here"].tolist() == pytest.approx([2.5, 7.5]) and out["Organisation"].tolist() == pytest.approx([5.5, 7.5])
    assert out["Gap"].tolist() == pytest.approx([-3.0, 0.0])
    assert out["Focus"].tolist() == [True, False]
    assert out["p (vs rest)"].iloc[0] < 0.001 and out["p (vs rest)"].iloc[1] == pytest.approx(1.0)
    view = sc.drivers_view(out, "A")
    assert view.title.startswith("Driver ratings at A against the organisation")
    assert view.note.startswith("Focus: an important driver")
    assert sc.local_drivers(responses, "location", "A", None).empty


def test_local_topics_from_notebook_04s_counts():
    mentions = pd.DataFrame({"response_id": ["r1", "r2", "r3", "r4"], "topic": ["bill", "bill", "wait", "bill"],
                             "location": ["A", "A", "B", "B"]})
    counts = {"by": "location", "total": 10, "levels": {"A": 4, "B": 6}}
    out = sc.local_topics(None, mentions, "location", "A", counts).set_index("Topic")
    assert out.loc["bill", "Here %"] == pytest.approx(50.0)          # 2 of A's 4 commented answers
    assert out.loc["bill", "Organisation %"] == pytest.approx(30.0)  # 3 of 10
    assert out.loc["wait", "Here %"] == 0.0 and out.loc["wait", "Difference (pp)"] == pytest.approx(-10.0)
    assert out.index.tolist() == ["bill", "wait"]
    assert sc.topics_view(out.reset_index(), "A").formats["Here %"].format(50.0) == "50%"


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
    assert view.columns == ["Date", "Touchpoint", "NPS", "Comment"]
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
    fig = sc.nps_trend(responses, nps_spec(), "location", "A", steps, freq="M", min_n=30)
    ax = fig.axes[0]
    assert len([ln for ln in ax.lines if ln.get_linestyle() == "--"]) == 1      # A's step, not B's
    assert ax.get_title(loc="left") == "NPS at A per period"
    plt.close(fig)


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
    assert sc.coaching_sentence(team, "A") == "2 agents at A; 1 score credibly below the team after shrinkage."
    view = sc.coaching_view(team, "A", {"speed": "Speed of service"})
    assert view.title == "Agents at A"
    assert view.columns == ["Agent", "n", "NPS (shrunken)", "Low", "High", "Rank", "Below team", "Coach on"]
    assert view.frame["Coach on"].tolist() == ["Speed of service", "ease"]   # unlabelled drivers keep their key


def test_local_actions_put_this_units_actions_first():
    register = pd.DataFrame({"action": ["a1", "a2", "a3", "a4", "a5"], "owner": ["o"] * 5, "due": ["2026-01-30"] * 5,
                             "scope": ["organisation", "location: A", "location: B", "segment: A", "organisation"]})
    acts = sc.local_actions(register, "location", "A")
    assert acts["action"].tolist() == ["a2", "a1", "a5"]
    assert acts["Scope"].tolist() == ["this location", "organisation", "organisation"]
    assert sc.local_actions(register, "store_region", "A")["action"].tolist() == ["a1", "a5"]
    assert sc.local_actions(None, "location", "A").empty
    view = sc.actions_view(acts, "A")
    assert view.columns == ["Scope", "Action", "Owner", "Due"] and view.max_rows == 15
    assert view.title == "Actions for A and for the whole organisation"
