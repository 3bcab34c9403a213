"""Tests of where a unit differs from the rest (cxtemplate.plan.scorecard_gap): small frames whose split is known
exactly, and the Birmingham gap planted in the demo data (data/demo/truth.json)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cxtemplate.measure.spec import nps_spec
from cxtemplate.plan import scorecard as sc
from cxtemplate.plan import scorecard_gap as gp


def test_nps_points_average_to_nps():
    scores = np.array([10, 9, 8, 7, 6, 0])
    assert gp.nps_points(scores).tolist() == [100, 100, 0, 0, -100, -100]
    assert gp.nps_points(scores).mean() == pytest.approx(0.0)


def test_a_gap_made_by_the_ratings_is_explained_by_them():
    # one driver rated 0 or 10; NPS equals the rating, so NPS points = 20 × rating − 100 exactly.
    # A: 3 of 10 rate 10 (NPS −40); B: 7 of 10 (NPS +40): the gap is −80 and all of it is the ratings'.
    x = [10] * 30 + [0] * 70 + [10] * 70 + [0] * 30
    df = pd.DataFrame({"location": ["A"] * 100 + ["B"] * 100, "speed": x, "nps": x})
    split = gp.gap_split(df, "location", "A", ["speed", "absent_driver"], n_boot=50)
    assert split.gap == pytest.approx(-80) and split.explained == pytest.approx(-80)
    assert split.unexplained == pytest.approx(0, abs=1e-9)
    assert split.contributions["weight"].iloc[0] == pytest.approx(20)
    assert split.contributions["difference"].iloc[0] == pytest.approx(-4)
    assert split.ratings_explain and split.share_explained == pytest.approx(1.0)
    assert split.explained_ci[0] < -80 < split.explained_ci[1] or split.explained_ci == pytest.approx((-80, -80))
    assert (split.n_here, split.n_rest) == (100, 100)


def test_a_gap_the_ratings_do_not_carry_is_left_unexplained():
    rng = np.random.default_rng(1)
    ratings = rng.integers(0, 11, 400)
    df = pd.DataFrame({"location": ["A"] * 200 + ["B"] * 200, "speed": ratings,
                       "nps": np.r_[np.full(200, 3), np.full(200, 10)]})   # A: all detractors, B: all promoters
    split = gp.gap_split(df, "location", "A", ["speed"], n_boot=100, seed=2)
    assert split.gap == pytest.approx(-200)
    assert abs(split.explained) < 5 and split.share_explained < 0.05 and split.explained_ci[1] - split.explained_ci[0] < 10
    assert split.unexplained == pytest.approx(split.gap - split.explained)
    assert not split.ratings_explain
    assert gp.gap_split(df, "location", "A", []) is None
    assert gp.gap_split(df.iloc[190:], "location", "A", ["speed"]) is None   # 10 responses at A


def test_trailing_drivers_are_lower_here_after_the_adjustment():
    df = pd.DataFrame({"location": ["A"] * 50 + ["B"] * 50, "speed": [3, 4] * 25 + [8, 9] * 25,
                       "ease": [7, 8] * 50})
    out = gp.trailing_drivers(df, "location", "A", ["speed", "ease", "missing"],
                              importance=pd.DataFrame({"driver": ["speed", "ease"], "Share of R² %": [60.0, 40.0]}))
    assert out["driver"].tolist() == ["speed", "ease"] and out["trails"].tolist() == [True, False]
    assert out["diff"].tolist() == pytest.approx([-5.0, 0.0])
    assert out["ci_low"].iloc[0] < -5 < out["ci_high"].iloc[0] and out["p_adj"].iloc[0] < 0.001
    assert out["p_adj"].iloc[1] == pytest.approx(1.0) and out["importance"].tolist() == [60.0, 40.0]
    assert gp.trailing_drivers(df, "location", "A", ["missing"]).empty


def test_stage_gaps_keep_only_cells_with_enough_responses():
    rows = []
    for loc, billing in (("A", [0] * 40), ("B", [10] * 40)):
        rows += [{"location": loc, "journey_stage": "Billing", "touchpoint": "Invoice", "nps": s} for s in billing]
        rows += [{"location": loc, "journey_stage": "Usage", "touchpoint": "App", "nps": s} for s in [10, 0] * 20]
    rows += [{"location": "A", "journey_stage": "Renewal", "touchpoint": "Call", "nps": 0}] * 5   # too few
    out = gp.stage_gaps(pd.DataFrame(rows), nps_spec(), "location", "A", min_n=30)
    assert set(out["level"]) == {"Billing", "Invoice", "Usage", "App"}
    first = out.iloc[0]
    assert first["diff"] == pytest.approx(-200) and bool(first["trails"])
    assert not out.set_index("level").loc["Usage", "trails"]
    assert gp.stage_gaps(pd.DataFrame(rows), nps_spec(), "location", "A", dims=("channel",)).empty


@pytest.fixture(scope="module")
def demo_window(root):
    """The demo's responses of 2025-10 to 2025-12 (the scorecard's window), with the planted anomalies left out."""
    df = pd.read_csv(root / "data" / "demo" / "responses.csv", parse_dates=["responded_at"])
    df = df[df["nps"].between(0, 10) & df["csat"].between(1, 5) & (df["responded_at"] < "2026-01-01")]
    return df.drop_duplicates("response_id")


def test_the_demos_birmingham_gap_is_found_and_not_blamed_on_the_drivers(root, demo_window):
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())
    step = truth["location_step"]
    planted = step["expected_nps_after"] - step["expected_nps_other_locations_after"]     # about −29.5
    versus = sc.versus_rest(demo_window, {"nps": nps_spec()}, "location", step["location"], freq="M",
                            as_of="2025-12-31", periods=3).iloc[0]
    assert versus["Difference low"] < planted < versus["Difference high"]
    drivers = list(truth["drivers"]["correlation"])
    recent = sc.recent_window(demo_window, "M", "2025-12-31", 3)
    split = gp.gap_split(recent, "location", step["location"], drivers, n_boot=100)
    assert split.gap == pytest.approx(versus["Difference"], abs=0.5)
    assert split.gap_ci[0] < planted < split.gap_ci[1]
    # the ratings are generated independently of the location: they explain next to nothing of the gap
    assert split.explained_ci[0] < 0 < split.explained_ci[1] and not split.ratings_explain
    assert split.unexplained_ci[1] < 0
    assert not gp.trailing_drivers(recent, "location", step["location"], drivers)["trails"].any()
    stages = gp.stage_gaps(recent, nps_spec(), "location", step["location"])
    assert stages["trails"].any() and (stages.loc[stages["trails"], "diff"] < 0).all()
