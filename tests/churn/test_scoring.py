"""Scoring active customers: conditional risk, annual revenue, revenue at risk by group, the risk × value
matrix, reason codes, the list of customers to call and the detractor → passive counterfactual.

Truth: sums and bands worked by hand on small frames; the hazard ratios planted by
``cxtemplate.synth.churn_sim.simulate_churn``; the public bank churn file (its surnames must never come out).
The closed form itself is checked against lifelines in ``test_results.py``; its cost is measured in
``bench/bench_churn.py`` (scoring vs ``predict_survival_function``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn.results import ChurnUnavailable
from cxtemplate.churn.scoring import (
    annual_revenue,
    conditional_churn_probability,
    counterfactual,
    NO_STANDOUT,
    reason_codes,
    revenue_at_risk,
    risk_value_matrix,
    score_customers,
    top_at_risk,
)


def test_annual_revenue_by_hand():
    frame = pd.DataFrame({"revenue": [10.0, None, "7.5"]})
    np.testing.assert_allclose(annual_revenue(frame, revenue_periods_per_year=12), [120.0, 0.0, 90.0])
    np.testing.assert_allclose(annual_revenue(frame.drop(columns="revenue")), [0.0, 0.0, 0.0])


def test_revenue_at_risk_by_hand():
    scores = pd.DataFrame({"segment": ["A", "A", "B", "B"], "location": ["x", "y", "y", "y"],
                           "churn_probability": [0.1, 0.5, 0.2, 0.4], "annual_revenue": [100.0, 200.0, 50.0, 400.0]})
    scores["revenue_at_risk"] = scores["churn_probability"] * scores["annual_revenue"]     # 10, 100, 10, 160
    t = revenue_at_risk(scores, by=("segment", "location")).set_index(["dimension", "group"])
    assert t.loc[("total", "all"), ["customers", "expected_churners", "revenue_at_risk"]].tolist() == pytest.approx(
        [4, 1.2, 280.0])
    assert t.loc[("segment", "A"), ["revenue_at_risk", "mean_probability", "share_of_revenue_at_risk"]].tolist() == \
        pytest.approx([110.0, 0.3, 110 / 280])
    assert t.loc[("location", "y"), ["customers", "annual_revenue", "revenue_at_risk"]].tolist() == pytest.approx(
        [3, 650.0, 270.0])
    assert list(t.loc["segment"].index) == ["B", "A"]            # largest revenue at risk first


def test_risk_value_matrix_by_hand():
    scores = pd.DataFrame({"churn_probability": [0.05, 0.2, 0.3, 0.6, 0.05, 0.9],
                           "annual_revenue": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]})
    scores["revenue_at_risk"] = scores["churn_probability"] * scores["annual_revenue"]
    m = risk_value_matrix(scores).set_index(["risk_band", "value_band"])
    assert len(m) == 4 * 3 and m["customers"].sum() == 6
    # tertiles of revenue: low 10–26.7, medium 26.7–43.3, high 43.3–60
    assert m.loc[("0%–10%", "low"), "customers"] == 1 and m.loc[("0%–10%", "high"), "customers"] == 1
    assert m.loc[("10%–25%", "low"), "customers"] == 1 and m.loc[("25%–50%", "medium"), "customers"] == 1
    assert m.loc[("50%–100%", "medium"), "customers"] == 1 and m.loc[("50%–100%", "high"), "revenue_at_risk"] == \
        pytest.approx(54.0)
    assert m.loc[("25%–50%", "high"), "customers"] == 0          # every combination is present, zeros included


def test_scores_revenue_and_matrix(tv_fit, current):
    sc = score_customers(tv_fit, current, 365, revenue_periods_per_year=12, keep=["segment", "location", "email"])
    assert "email" not in sc.columns and len(sc) == len(current)
    np.testing.assert_allclose(sc["annual_revenue"], current["revenue"] * 12)
    np.testing.assert_allclose(sc["revenue_at_risk"], sc["annual_revenue"] * sc["churn_probability"])
    np.testing.assert_allclose(sc["churn_probability"], conditional_churn_probability(tv_fit, current, 365))
    assert sc["churn_probability"].between(0, 1).all()
    rar = revenue_at_risk(sc, by=("segment", "location"))
    total = rar.loc[rar["dimension"] == "total", "revenue_at_risk"].item()
    assert total == pytest.approx(sc["revenue_at_risk"].sum())
    for dim in ("segment", "location"):
        assert rar.loc[rar["dimension"] == dim, "revenue_at_risk"].sum() == pytest.approx(total)
        assert rar.loc[rar["dimension"] == dim, "share_of_revenue_at_risk"].sum() == pytest.approx(1.0)
    m = risk_value_matrix(sc)
    assert m["revenue_at_risk"].sum() == pytest.approx(total)
    assert list(m["value_band"].cat.categories) == ["low", "medium", "high"]


def test_scoring_never_builds_lifelines_survival_curves(rossi, rossi_fit, monkeypatch):
    """The closed form needs two look-ups of the baseline per customer, never the survival matrix of
    ``predict_survival_function`` (the operation that makes lifelines' scoring slow)."""
    def forbidden(*args, **kwargs):
        raise AssertionError("scoring called lifelines' prediction")

    for name in ("predict_survival_function", "predict_cumulative_hazard", "predict_partial_hazard"):
        monkeypatch.setattr(rossi_fit.fitter, name, forbidden)
    calls = []
    original = rossi_fit.cumulative_hazard

    def counted(t, keys=None):
        calls.append(len(np.atleast_1d(t)))
        return original(t, keys)

    monkeypatch.setattr(rossi_fit, "cumulative_hazard", counted)
    frame = rossi.assign(customer_id=np.arange(len(rossi)).astype(str), tenure_days=rossi["week"])
    sc = score_customers(rossi_fit, frame, 26)
    assert len(sc) == len(rossi) and calls == [len(rossi), len(rossi)]      # H0(t + h) and H0(t), vectorised


def test_reason_codes_name_the_covariates_that_raise_risk(tv_fit, current):
    rc = reason_codes(tv_fit, current, top=3).set_index("customer_id")
    hr_det = tv_fit.hazard_ratios.set_index("term").loc["nps_category[detractor]", "hr"]
    det = current.loc[(current["nps_category"] == "detractor") & (current["unresolved_contacts"] == 0), "customer_id"]
    first = rc.loc[det, "reason_1"]
    assert first.str.startswith("detractor at last survey (leaves ").mean() > 0.9
    assert f"leaves {hr_det:.1f}× as fast as a promoter" in first.iloc[0]
    prom = current.loc[current["nps_category"] == "promoter", "customer_id"]
    assert not rc.loc[prom, "reasons"].str.contains("survey").any()      # the reference level is no reason
    many = current.loc[current["unresolved_contacts"] >= 2, "customer_id"]
    n = current.set_index("customer_id").loc[many, "unresolved_contacts"].astype(int)
    named = rc.loc[many, "reasons"].str.contains("unresolved contacts in the last 90 days", regex=False)
    assert len(many) and named.any()
    # the count is said in words, with the customer's own number (plural, never "contact(s)")
    who = named[named].index[0]
    assert f"{n[who]} unresolved contacts in the last 90 days" in rc.loc[who, "reasons"]
    assert not rc["reasons"].str.contains("(s)", regex=False).any()
    # a reason is never empty: every customer gets one, the plain fallback when nothing stands out
    assert rc["reasons"].str.len().gt(0).all()
    quiet = reason_codes(tv_fit, current, top=3, min_hr=50.0)
    assert (quiet["reasons"] == NO_STANDOUT).all()


def test_top_at_risk_is_ranked_and_has_ids_only(tv_fit, current):
    sc = score_customers(tv_fit, current, 365)
    top = top_at_risk(sc, tv_fit, current, 25)
    assert len(top) == 25 and list(top["rank"]) == list(range(1, 26))
    assert top["revenue_at_risk"].is_monotonic_decreasing
    assert top["customer_id"].tolist() == sc.nlargest(25, "revenue_at_risk")["customer_id"].tolist()
    assert not {"email", "name", "phone"} & set(top.columns)
    assert top["reason_1"].str.len().gt(0).mean() > 0.5


def test_counterfactual_detractors_to_passives(simulated, tv_fit, current):
    tv = simulated[-1]
    cf = counterfactual(tv_fit, current, 365, n_boot=400, seed=1)
    assert cf.customers_affected == (current["nps_category"] == "detractor").sum()
    assert cf.revenue_retained > 0 and cf.revenue_low < cf.revenue_retained < cf.revenue_high
    assert cf.churners_avoided == pytest.approx(cf.churners_expected - cf.churners_counterfactual)
    assert cf.table["revenue_retained"].sum() == pytest.approx(cf.revenue_retained)
    assert "parametric" in cf.method and "fewer would leave" in cf.text and "(95% interval" in cf.text
    refit = counterfactual(tv_fit, current, 365, method="refit", n_boot=3, refit_data=tv, subsample=1500, seed=2)
    assert refit.revenue_retained == pytest.approx(cf.revenue_retained)
    assert "m-out-of-n" in refit.method and np.isfinite(refit.revenue_low)
    none = counterfactual(tv_fit, current.assign(nps_category="promoter"), 365)
    assert none.customers_affected == 0 and none.revenue_retained == 0
    assert isinstance(counterfactual(tv_fit, current, column="plan", to_level="gold"), ChurnUnavailable)
    with pytest.raises(ValueError, match="method must be one of"):
        counterfactual(tv_fit, current, method="jackknife")


def test_counterfactual_interval_at_the_configured_level(tv_fit, current):
    """The same draws (same seed) cut at the 5th/95th instead of the 2.5th/97.5th percentiles."""
    c95 = counterfactual(tv_fit, current, 365, n_boot=400, seed=1)
    c90 = counterfactual(tv_fit, current, 365, n_boot=400, seed=1, conf=0.90)
    assert c90.revenue_retained == c95.revenue_retained
    assert c95.revenue_low < c90.revenue_low < c90.revenue_retained < c90.revenue_high < c95.revenue_high
    assert c90.conf == 0.90 and "(90% interval" in c90.text


def test_unavailable_model_passes_through():
    na = ChurnUnavailable("No churn events")
    assert score_customers(na, pd.DataFrame()) is na
    assert counterfactual(na, pd.DataFrame()) is na


def test_bank_churn_scores_carry_no_surname(bank):
    sf, res = bank["sf"], bank["res"]
    cur = sf.loc[~sf["churned"]]               # active customers at their current (midpoint) tenure
    sc = score_customers(res, cur, 365, keep=["location", "gender", "Surname"])
    assert len(sc) == 10_000 - 2037 and sc["churn_probability"].between(0, 1).all()
    top = top_at_risk(sc, res, cur, 20, rank_by="churn_probability")
    assert top["churn_probability"].is_monotonic_decreasing
    for out in (sf, sc, top, res.hazard_ratios):
        assert not any("surname" in str(c).lower() for c in out.columns)
        assert not out.select_dtypes(include="object").isin(bank["surnames"]).any().any()
