"""Tests of cxtemplate.measure.trend_test: the sustained trend over the last periods.

Against a hand-computed weighted least-squares slope, the demo's planted CSAT slide (wait times rise with winter
demand and wait lowers CSAT: data/demo/truth.json) and series with no trend at all."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.measure.trend_test import recent_trend
from cxtemplate.measure.trends import compare_periods, period_table

CSAT = MetricSpec("CSAT", "csat", "top_box", (1, 5), success_min=4)


def _series(values, se, start="2025-01"):
    return pd.DataFrame({"period": pd.period_range(start, periods=len(values), freq="M"),
                         "value": values, "se": se})


def test_the_slope_is_the_weighted_least_squares_slope_with_its_normal_test():
    # weights 1/se²: 1, 4, 1, 4 at x = 0..3 → x̄ = 1.8; a hand computation of Σw(x−x̄)(y−ȳ)/Σw(x−x̄)²
    t = _series([10.0, 11.0, 13.0, 12.5], [1.0, 0.5, 1.0, 0.5])
    x, y, w = np.arange(4.0), t["value"].to_numpy(), np.array([1, 4, 1, 4.0])
    xm, ym = (w * x).sum() / w.sum(), (w * y).sum() / w.sum()
    slope = (w * (x - xm) * (y - ym)).sum() / (w * (x - xm) ** 2).sum()
    tr = recent_trend(t, 4)
    assert tr.slope == pytest.approx(slope)
    resid = y - (ym + slope * (x - xm))
    disp = (w * resid**2).sum() / 2
    assert tr.se == pytest.approx(np.sqrt(max(1, disp) / (w * (x - xm) ** 2).sum()))
    assert (tr.start, tr.end, tr.first, tr.last, tr.periods) == ("2025-01", "2025-04", 10.0, 12.5, 4)


def test_a_wobble_beyond_sampling_error_widens_the_slope_and_uses_a_t_test():
    tight = recent_trend(_series([70, 68, 66, 64, 62, 60.0], [1.0] * 6))
    assert tight.direction == "down" and tight.p < 1e-6 and tight.change == pytest.approx(-10)
    # a similar fall with months swinging ±7 around it: far less certain (t test on 4 degrees of freedom), not a trend
    wobbly = recent_trend(_series([76, 62, 72, 58, 68, 54.0], [1.0] * 6))
    assert wobbly.slope == pytest.approx(-3.03, abs=0.01)
    assert wobbly.se > 5 * tight.se and 0.1 < wobbly.p and wobbly.direction == "flat"


def test_only_the_last_periods_count_and_a_gap_keeps_its_place_in_time():
    t = _series([50, 50, 50, 50, 50, 50, 62, 60, np.nan, 56, 54, 52.0], [1.0] * 12)
    tr = recent_trend(t, 6)
    assert (tr.start, tr.end, tr.periods) == ("2025-07", "2025-12", 5)
    assert tr.slope == pytest.approx(-2.0)  # with the gap closed up the slope would be −2.5
    assert recent_trend(t.iloc[:3], 6) is None
    with pytest.raises(ValueError, match="at least 4"):
        recent_trend(t, 3)


def test_periods_as_text_from_a_saved_artifact():
    t = _series([70, 68, 66, 64, 62, 60.0], [1.0] * 6).assign(period=lambda d: d["period"].astype(str))
    assert recent_trend(t).direction == "down"


def test_a_flat_series_is_flagged_no_more_often_than_alpha():
    rng = np.random.default_rng(7)
    n, p = 700, 0.7
    flagged = 0
    for _ in range(400):
        share = rng.binomial(n, p, size=6) / n
        t = _series(100 * share, 100 * np.sqrt(share * (1 - share) / n))
        flagged += recent_trend(t).significant
    assert flagged / 400 < 0.08


@pytest.fixture(scope="module")
def demo_csat(root):
    r = pd.read_csv(root / "data" / "demo" / "responses.csv", usecols=["responded_at", "csat"],
                    parse_dates=["responded_at"])
    r = r[r["csat"].between(1, 5) & (r["responded_at"] < "2026-01-01")]  # the demo's as_of is 2025-12-31
    return compare_periods(period_table(r, CSAT, "responded_at"), CSAT, baseline="2024-12")


def test_the_planted_csat_slide_is_called_out_though_no_month_on_month_test_sees_it(root, demo_csat):
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())
    # planted: waits lengthen with winter demand (a cosine peaking in January) and every minute lowers CSAT
    assert truth["wait_time_csat"]["effect_latent_per_minute"] < 0
    assert "cos(2 pi (month - 1) / 12)" in truth["operations"]["wait_time_model"]
    last6 = demo_csat.tail(6)
    assert list(last6["period"].astype(str)) == [f"2025-{m:02d}" for m in range(7, 13)]
    assert (last6["p_adj_prev"] > 0.05).all()  # no single month differs from the one before
    tr = recent_trend(demo_csat, 6)
    assert tr.direction == "down" and tr.p < 0.001
    assert tr.first == pytest.approx(72.87, abs=0.01) and tr.last == pytest.approx(61.95, abs=0.05)
    assert -3.1 < tr.ci_low < tr.slope < tr.ci_high < -1.3
