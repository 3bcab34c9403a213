"""Intervals of the customers expected to leave and of the revenue at risk (bootstrap refits of the Cox model and
the Poisson-binomial spread of who leaves).

Truth: the point values of the full fit (each interval must hold them); the seed (the same seed, the same
interval); the narrower level inside the wider one from the same draws; the parametric counterfactual's point
value; and, on organisations simulated with known hazards one year past the analysis date, the churn that really
happened in that year (slow).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn import intervals as ci
from cxtemplate.churn.intervals import group_intervals, risk_intervals
from cxtemplate.churn.scoring import annual_revenue, counterfactual, revenue_at_risk, score_customers

HORIZON = 365.25


@pytest.fixture(scope="module")
def scored(tv_fit, simulated, current):
    rev = annual_revenue(current)
    groups = {"location": current["location"].to_numpy(), "plan": current["plan"].to_numpy()}
    iv = risk_intervals(tv_fit, simulated[-1], current, HORIZON, revenue=rev, groups=groups, seed=3, refits=30,
                        draws=20, counterfactual=("nps_category", "detractor", "passive"))
    return rev, groups, iv


def test_every_interval_holds_its_point_value(tv_fit, current, scored):
    rev, _groups, iv = scored
    p = tv_fit.conditional_risk(current, HORIZON)
    assert iv.refits == 30 and iv.draws == 20 and iv.conf == 0.95 and iv.exact and iv.subsample is None
    assert iv.churners[0] < p.sum() < iv.churners[1]
    assert iv.revenue[0] < rev @ p < iv.revenue[1]
    # by group: each group's expected leavers and revenue at risk inside its own interval
    sc = score_customers(tv_fit, current, HORIZON, keep=("location", "plan"))
    table = group_intervals(revenue_at_risk(sc, by=("location", "plan")), iv)
    assert len(table) == 1 + current["location"].nunique() + current["plan"].nunique()
    assert (table["expected_churners_low"] <= table["expected_churners"]).all()
    assert (table["expected_churners"] <= table["expected_churners_high"]).all()
    assert (table["revenue_at_risk_low"] <= table["revenue_at_risk"]).all()
    assert (table["revenue_at_risk"] <= table["revenue_at_risk_high"]).all()
    # the parts add up to the whole in every draw, so no group's interval is wider than the total's
    total = table.iloc[0]
    assert (table["revenue_at_risk_high"] - table["revenue_at_risk_low"]).max() == \
        total["revenue_at_risk_high"] - total["revenue_at_risk_low"]
    # the interval is wider than chance in who leaves alone (√Σp(1−p)): the model's uncertainty adds to it
    assert iv.churners[1] - iv.churners[0] > 2 * 1.96 * np.sqrt((p * (1 - p)).sum())


@pytest.mark.slow  # the demo organisation's data or a second fit: kept out of the under-a-minute suite
def test_the_same_seed_gives_the_same_interval_and_90_lies_inside_95(tv_fit, simulated, current, scored):
    rev, groups, iv = scored
    again = risk_intervals(tv_fit, simulated[-1], current, HORIZON, revenue=rev, groups=groups, seed=3, refits=30,
                           draws=20, counterfactual=("nps_category", "detractor", "passive"))
    assert again.churners == iv.churners and again.revenue == iv.revenue
    pd.testing.assert_frame_equal(again.groups, iv.groups)
    assert again.counterfactual == iv.counterfactual
    narrow = risk_intervals(tv_fit, simulated[-1], current, HORIZON, revenue=rev, groups=groups, seed=3, refits=30,
                            draws=20, conf=0.9)
    assert iv.churners[0] <= narrow.churners[0] < narrow.churners[1] <= iv.churners[1]
    assert iv.revenue[0] <= narrow.revenue[0] < narrow.revenue[1] <= iv.revenue[1]
    other = risk_intervals(tv_fit, simulated[-1], current, HORIZON, revenue=rev, seed=4, refits=30, draws=20)
    assert other.revenue != iv.revenue          # another seed, other draws …
    width = iv.revenue[1] - iv.revenue[0]       # … of the same spread
    assert abs((other.revenue[1] - other.revenue[0]) / width - 1) < 0.35
    assert "95% intervals from 30 bootstrap refits" in iv.method and "0.9" not in iv.method


def test_the_counterfactual_point_is_the_published_counterfactual(tv_fit, current, scored):
    rev, _groups, iv = scored
    cf = iv.counterfactual
    parametric = counterfactual(tv_fit, current, HORIZON, n_boot=200, seed=0)
    assert cf["customers"] == parametric.customers_affected == int((current["nps_category"] == "detractor").sum())
    assert cf["saved"] == pytest.approx(parametric.revenue_retained, rel=1e-9)
    assert cf["churners_avoided"] == pytest.approx(parametric.churners_avoided, rel=1e-9)
    assert cf["at_risk"] == pytest.approx(rev @ tv_fit.conditional_risk(current, HORIZON) - cf["saved"], rel=1e-9)
    assert cf["saved_low"] < cf["saved"] < cf["saved_high"] and cf["at_risk_low"] < cf["at_risk"] < cf["at_risk_high"]
    assert cf["avoided_low"] < cf["churners_avoided"] < cf["avoided_high"]
    # the refit bootstrap and the coefficient-covariance draws agree on the spread (to a third)
    ratio = (cf["saved_high"] - cf["saved_low"]) / (parametric.revenue_high - parametric.revenue_low)
    assert 0.67 < ratio < 1.5


def test_large_organisations_resample_fewer_customers_and_draw_outcomes_from_the_normal(tv_fit, simulated, current,
                                                                                          monkeypatch):
    p = tv_fit.conditional_risk(current, HORIZON)
    monkeypatch.setattr(ci, "EXACT_DRAW_CELLS", 10)
    small = risk_intervals(tv_fit, simulated[-1], current, HORIZON, seed=3, refits=30, draws=20, max_subjects=1500)
    n = simulated[-1]["customer_id"].nunique()
    assert small.subsample == 1500 and small.n_subjects == n and not small.exact
    assert small.churners[0] < p.sum() < small.churners[1] and small.revenue is None
    assert f"1,500 of {n:,} customers per resample" in small.method and "normal approximation" in small.method


def test_no_active_customer_no_interval(tv_fit, simulated, current):
    assert risk_intervals(tv_fit, simulated[-1], current.iloc[:0], HORIZON) is None
    by_group = pd.DataFrame({"dimension": ["total"], "group": ["all"], "revenue_at_risk": [1.0]})
    assert group_intervals(by_group, None) is by_group


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4, 5, 6, 7])
def test_the_interval_covers_the_churn_that_really_happened(seed):
    """Five organisations simulated a year past the analysis date: the interval made at the analysis date holds the
    number of customers who really left in the following year (those whose year ahead stays within the tenures
    observed: beyond them the baseline hazard is unknown and the page says their risk is understated)."""
    from cxtemplate.churn.data import CXOptions, landmark_frame, time_varying_frame
    from cxtemplate.churn.km_cox import fit_cox_time_varying
    from cxtemplate.synth.churn_sim import simulate_churn

    cust, resp, inter, _truth = simulate_churn(3000, seed=seed, as_of="2026-01-01", years=5)
    kw = {"as_of": "2025-01-01", "covariates": ["plan"], "cx": CXOptions(("nps_category", "unresolved_contacts"))}
    tv = time_varying_frame(cust, resp, inter, **kw)
    model = fit_cox_time_varying(tv, reference={"plan": "basic"}, standardise=True)
    cur = landmark_frame(cust, resp, inter, tv=tv, **kw)
    within = cur["tenure_days"].to_numpy() + HORIZON <= tv["stop"].max()
    iv = risk_intervals(model, tv, cur, HORIZON, groups={"within": within}, seed=1)
    end = cust.set_index("customer_id")["end_date"].loc[cur["customer_id"]]
    left = (end.notna() & (end < pd.Timestamp("2025-01-01") + pd.Timedelta(days=HORIZON + 1))).to_numpy()
    row = iv.groups.set_index(["dimension", "group"]).loc[("within", "True")]
    assert row["expected_churners_low"] <= left[within].sum() <= row["expected_churners_high"]


def test_each_group_gets_its_share_of_the_counterfactual_with_an_interval(tv_fit, current, scored):
    rev, _groups, iv = scored
    g = iv.groups
    total = g.iloc[0]
    assert total["saved_if_passive"] == pytest.approx(iv.counterfactual["saved"], rel=1e-9)
    assert (total["saved_if_passive_low"], total["saved_if_passive_high"]) == pytest.approx(
        (iv.counterfactual["saved_low"], iv.counterfactual["saved_high"]), rel=1e-9)
    for dim in ("location", "plan"):   # the groups of a dimension share the whole saving between them
        part = g[g["dimension"] == dim]
        assert part["saved_if_passive"].sum() == pytest.approx(total["saved_if_passive"], rel=1e-9)
        assert (part["saved_if_passive_low"] <= part["saved_if_passive"]).all()
        assert (part["saved_if_passive"] <= part["saved_if_passive_high"]).all()
    # by hand for one location: Σ annual revenue × (risk now − risk as a passive) of its detractors
    where = current["location"].to_numpy() == "north"
    det = where & (current["nps_category"].to_numpy() == "detractor")
    now = tv_fit.conditional_risk(current.loc[det], HORIZON)
    then = tv_fit.conditional_risk(current.loc[det].assign(nps_category="passive"), HORIZON)
    row = g[(g["dimension"] == "location") & (g["group"] == "north")].iloc[0]
    assert row["saved_if_passive"] == pytest.approx(float(rev[det] @ (now - then)), rel=1e-9)
