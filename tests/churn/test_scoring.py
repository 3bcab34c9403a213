"""Scoring: closed-form conditional risk, revenue at risk, matrix, reason codes, counterfactual, validation."""

from __future__ import annotations

import contextlib
import io
import time

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.calibration import survival_probability_calibration
from lifelines.datasets import load_rossi

from cxtemplate.churn.data import CXOptions, landmark_frame, time_varying_frame
from cxtemplate.churn.km_cox import fit_cox, fit_cox_time_varying
from cxtemplate.churn.results import ChurnUnavailable
from cxtemplate.churn.scoring import (
    conditional_churn_probability,
    counterfactual,
    reason_codes,
    revenue_at_risk,
    risk_value_matrix,
    score_customers,
    top_at_risk,
)
from cxtemplate.churn.validation import calibration_ici, validate
from cxtemplate.synth.churn_sim import simulate_churn


def _static(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "plus", "premium"], n)
    region = rng.choice(["north", "south"], n)
    x = rng.normal(size=n)
    lp = 0.5 * (plan == "basic") - 0.4 * (plan == "premium") + 0.3 * x
    t = np.ceil(300 * rng.weibull(1.2, n) * np.exp(-lp / 1.2))
    c = np.ceil(rng.uniform(30, 900, n))
    return pd.DataFrame({"customer_id": [f"K{i}" for i in range(n)], "tenure_days": np.minimum(t, c),
                         "churned": t <= c, "plan": plan, "region": region, "x": x,
                         "revenue": np.round(rng.lognormal(3, 0.5, n), 2)})


def test_closed_form_equals_lifelines_and_is_faster():
    df = _static()
    res = fit_cox(df, ["plan", "x"], reference={"plan": "plus"}, check_ph=False, penalizer=0.0)
    X = res.design.matrix(df)[res.params.index].assign(T=df["tenure_days"], E=df["churned"])
    cph = CoxPHFitter().fit(X, "T", "E")
    np.testing.assert_allclose(res.params, cph.params_[res.params.index], atol=1e-10)
    now = df.head(300).assign(tenure_days=np.random.default_rng(1).uniform(1, 500, 300))   # off-grid tenures
    ours = conditional_churn_probability(res, now, 180.0)
    t0 = time.perf_counter()
    sf = cph.predict_survival_function(X.head(300), times=np.unique(np.r_[now["tenure_days"],
                                                                          now["tenure_days"] + 180]))
    t_ll = time.perf_counter() - t0
    s = np.array([sf.loc[a + 180, i] / sf.loc[a, i] for i, a in enumerate(now["tenure_days"])])
    np.testing.assert_allclose(ours, 1 - s, rtol=1e-9, atol=1e-12)
    t0 = time.perf_counter()
    conditional_churn_probability(res, now, 180.0)
    assert time.perf_counter() - t0 < t_ll


def test_stratified_baselines_match_lifelines_and_unseen_stratum_falls_back():
    df = _static(seed=2)
    res = fit_cox(df, ["plan", "x"], strata=["region"], check_ph=False, penalizer=0.0)
    X = res.design.matrix(df)[res.params.index].assign(region=df["region"], T=df["tenure_days"], E=df["churned"])
    cph = CoxPHFitter().fit(X, "T", "E", strata=["region"])
    rows = X.head(40)
    sf = cph.predict_survival_function(rows, times=[100.0, 250.0])    # lifelines reorders rows by stratum
    ours = 1 - conditional_churn_probability(res, df.head(40).assign(tenure_days=0.0), 250.0)
    np.testing.assert_allclose(ours, sf.loc[250.0, rows.index].to_numpy(), rtol=1e-9)
    odd = df.head(3).assign(region="west")
    assert np.isfinite(conditional_churn_probability(res, odd, 90.0)).all()


@pytest.fixture(scope="module")
def org():
    cust, resp, inter, _truth = simulate_churn(5000, seed=9)
    kw = {"as_of": "2025-01-01", "covariates": ["plan", "segment"], "keep": ["revenue", "location"],
              "cx": CXOptions(("nps_category", "unresolved_contacts"))}
    tv = time_varying_frame(cust, resp, inter, **kw)
    res = fit_cox_time_varying(tv, reference={"plan": "basic"}, check_ph=False)
    cur = landmark_frame(cust, resp, inter, **kw)
    cur["email"] = "x@example.com"                       # personal data that must never come out
    return cust, resp, inter, kw, tv, res, cur


def test_scores_revenue_and_matrix(org):
    *_, res, cur = org
    sc = score_customers(res, cur, 365, revenue_periods_per_year=12, keep=["segment", "location", "email"])
    assert "email" not in sc.columns and len(sc) == len(cur)
    np.testing.assert_allclose(sc["annual_revenue"], cur["revenue"] * 12)
    np.testing.assert_allclose(sc["revenue_at_risk"], sc["annual_revenue"] * sc["churn_probability"])
    assert sc["churn_probability"].between(0, 1).all()
    rar = revenue_at_risk(sc, by=("segment", "location"))
    total = rar.loc[rar["dimension"] == "total", "revenue_at_risk"].item()
    assert total == pytest.approx(sc["revenue_at_risk"].sum())
    for dim in ("segment", "location"):
        assert rar.loc[rar["dimension"] == dim, "revenue_at_risk"].sum() == pytest.approx(total)
        assert rar.loc[rar["dimension"] == dim, "share_of_revenue_at_risk"].sum() == pytest.approx(1.0)
    m = risk_value_matrix(sc)
    assert len(m) == 4 * 3 and m["customers"].sum() == len(sc)
    assert m["revenue_at_risk"].sum() == pytest.approx(total)
    assert list(m["value_band"].cat.categories) == ["low", "medium", "high"]


def test_reason_codes_name_the_covariates_that_raise_risk(org):
    *_, res, cur = org
    rc = reason_codes(res, cur, top=3).set_index("customer_id")
    hr_det = res.hazard_ratios.set_index("term").loc["nps_category[detractor]", "hr"]
    det = cur.loc[(cur["nps_category"] == "detractor") & (cur["unresolved_contacts"] == 0), "customer_id"]
    first = rc.loc[det, "reason_1"]
    assert first.str.startswith("detractor at last survey (HR ").mean() > 0.9
    assert f"HR {hr_det:.1f} vs promoter" in first.iloc[0]
    prom = cur.loc[cur["nps_category"] == "promoter", "customer_id"]
    assert not rc.loc[prom, "reasons"].str.contains("survey").any()      # the reference level is no reason
    many = cur.loc[cur["unresolved_contacts"] >= 2, "customer_id"]
    if len(many):
        assert rc.loc[many, "reasons"].str.contains("unresolved contact(s) in the last 90 days", regex=False).any()


def test_top_at_risk_is_ranked_and_has_ids_only(org):
    *_, res, cur = org
    sc = score_customers(res, cur, 365)
    top = top_at_risk(sc, res, cur, 25)
    assert len(top) == 25 and list(top["rank"]) == list(range(1, 26))
    assert top["revenue_at_risk"].is_monotonic_decreasing
    assert not {"email", "name", "phone"} & set(top.columns)
    assert top["reason_1"].str.len().gt(0).mean() > 0.5


def test_counterfactual_detractors_to_passives(org):
    _cust, _resp, _inter, _kw, tv, res, cur = org
    cf = counterfactual(res, cur, 365, n_boot=400, seed=1)
    assert cf.customers_affected == (cur["nps_category"] == "detractor").sum()
    assert cf.revenue_retained > 0 and cf.revenue_low < cf.revenue_retained < cf.revenue_high
    assert cf.churners_avoided == pytest.approx(cf.churners_expected - cf.churners_counterfactual)
    assert cf.table["revenue_retained"].sum() == pytest.approx(cf.revenue_retained)
    assert "parametric" in cf.method and "fewer would leave" in cf.text
    refit = counterfactual(res, cur, 365, method="refit", n_boot=4, refit_data=tv, subsample=1500, seed=2)
    assert refit.revenue_retained == pytest.approx(cf.revenue_retained)
    assert "m-out-of-n" in refit.method and np.isfinite(refit.revenue_low)
    none = counterfactual(res, cur.assign(nps_category="promoter"), 365)
    assert none.customers_affected == 0 and none.revenue_retained == 0
    assert isinstance(counterfactual(res, cur, column="plan", to_level="gold"), ChurnUnavailable)


def test_unavailable_model_passes_through():
    na = ChurnUnavailable("No churn events")
    assert score_customers(na, pd.DataFrame()) is na
    assert counterfactual(na, pd.DataFrame()) is na


def test_calibration_equals_lifelines_survival_probability_calibration():
    rossi = load_rossi()
    cph = CoxPHFitter().fit(rossi, "week", "arrest")
    with contextlib.redirect_stdout(io.StringIO()):
        _, ici, e50 = survival_probability_calibration(cph, rossi, t0=25)
    p = 1 - cph.predict_survival_function(rossi, times=[25]).T.squeeze().to_numpy()
    ours = calibration_ici(p, rossi["week"], rossi["arrest"], 25, time_scale=1.0)
    assert ours[0] == pytest.approx(ici, rel=1e-9) and ours[1] == pytest.approx(e50, rel=1e-9)
    assert {"predicted", "observed"} <= set(ours[2].columns)
    scaled = calibration_ici(p, rossi["week"], rossi["arrest"], 25)     # time in horizons: same answer, ±0.001
    assert scaled[0] == pytest.approx(ici, abs=1e-3) and scaled[1] == pytest.approx(e50, abs=1e-3)
    km = KaplanMeierFitter().fit(rossi["week"], rossi["arrest"])
    flat = calibration_ici(np.full(len(rossi), 0.2), rossi["week"], rossi["arrest"], 25)
    assert flat[0] == pytest.approx(abs(1 - km.survival_function_at_times(25).iloc[0] - 0.2), abs=0.02)


def test_static_cross_validation_beats_km_baseline():
    df = _static(seed=4)
    v = validate(df, ["plan", "x"], horizon_days=180, group_col="region", k=4, seed=0)
    t = v.table.set_index("model")
    assert t.loc["Cox", "concordance"] > t.loc["Kaplan–Meier by region", "concordance"] + 0.05
    assert t.loc["Cox", "ici"] < 0.03 and v.folds["fold"].nunique() == 4
    assert len(v.predictions) == len(df) and v.design == "static"
    none = validate(df.assign(churned=False), ["plan", "x"])
    assert isinstance(none, ChurnUnavailable)


def test_landmark_backtest_of_the_time_varying_model(org):
    cust, resp, inter, kw, tv, res, _cur = org
    lm = landmark_frame(cust, resp, inter, landmark="2024-01-01", **kw)
    v = validate(tv, res.design.covariates, horizon_days=366, test=lm, k=3, group_col="segment",
                 reference={"plan": "basic"})
    t = v.table.set_index("model")
    assert v.design == "landmark" and t.loc["Cox", "n"] == len(lm)
    assert t.loc["Cox", "concordance"] > t.loc["Kaplan–Meier by segment", "concordance"]
    assert t.loc["Cox", "ici"] < 0.05
    assert abs(t.loc["Cox", "mean_predicted"] - t.loc["Cox", "observed_by_horizon"]) < 0.05
