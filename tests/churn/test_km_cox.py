"""Kaplan–Meier, log-rank and RMST (:func:`kaplan_meier`, :func:`rmst`) and the Cox wrappers (:func:`fit_cox`,
:func:`fit_cox_time_varying`): penalty, sampling, interval level, edge cases.

Truth: lifelines run directly; the published Rossi coefficients (lifelines' "Survival regression" page);
an RMST and its Klein–Moeschberger variance worked by hand; hazard ratios planted by
``cxtemplate.synth.churn_sim`` and ``cxtemplate.synth.organisation``; the public bank churn file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter, KaplanMeierFitter
from lifelines.statistics import pairwise_logrank_test
from lifelines.utils import restricted_mean_survival_time

from cxtemplate.churn.data import last_rows, time_varying_frame
from cxtemplate.churn.km_cox import fit_cox, fit_cox_time_varying, kaplan_meier, rmst
from cxtemplate.churn.results import ChurnUnavailable, CoxResult
from cxtemplate.measure.spec import z_value

ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
# lifelines docs, "Survival regression" (docs/Survival Regression.rst): CoxPHFitter().fit(load_rossi(), 'week',
# 'arrest'), printed to 2 decimals there (-0.38, -0.06, 0.31, -0.15, -0.43, -0.08, 0.09; concordance 0.64);
# to 3 decimals as lifelines 0.30 prints them (an older revision of that page, from an older lifelines, shows
# wexp -0.1511 and mar -0.4328):
ROSSI_PUBLISHED = {"fin": -0.379, "age": -0.057, "race": 0.314, "wexp": -0.150, "mar": -0.434, "paro": -0.085,
                   "prio": 0.091}
Z_RATIO = z_value(0.90) / z_value(0.95)   # how much narrower a 90% interval is than a 95% one


def test_wrapper_reproduces_rossi_unchanged(rossi, rossi_fit):
    hr = rossi_fit.hazard_ratios.set_index("term")
    for k, v in ROSSI_PUBLISHED.items():
        assert round(hr.loc[k, "coef"], 3) == v
    raw = CoxPHFitter().fit(rossi, "week", "arrest")
    np.testing.assert_allclose(hr.loc[ROSSI, "coef"], raw.params_[ROSSI], rtol=0, atol=1e-8)
    np.testing.assert_allclose(hr.loc[ROSSI, "se"], raw.standard_errors_[ROSSI], rtol=1e-8)
    np.testing.assert_allclose(hr.loc[ROSSI, "hr_low"], raw.summary.loc[ROSSI, "exp(coef) lower 95%"], rtol=1e-8)
    np.testing.assert_allclose(hr.loc[ROSSI, "p"], raw.summary.loc[ROSSI, "p"], rtol=1e-6)
    assert round(rossi_fit.concordance, 2) == 0.64 and rossi_fit.n_events == 114 and rossi_fit.kind == "static"


def test_hazard_ratio_intervals_at_the_configured_level_equal_lifelines(rossi, rossi_fit):
    ninety = fit_cox(rossi, ROSSI, duration_col="week", event_col="arrest", penalizer=0.0, alpha=0.10)
    raw = CoxPHFitter(alpha=0.10).fit(rossi, "week", "arrest")
    hr90, hr95 = ninety.hazard_ratios.set_index("term"), rossi_fit.hazard_ratios.set_index("term")
    np.testing.assert_allclose(hr90.loc[ROSSI, "hr_low"], raw.summary.loc[ROSSI, "exp(coef) lower 90%"], rtol=1e-8)
    np.testing.assert_allclose(hr90.loc[ROSSI, "hr_high"], raw.summary.loc[ROSSI, "exp(coef) upper 90%"], rtol=1e-8)
    np.testing.assert_allclose(hr90["coef"], hr95["coef"], rtol=0, atol=0)       # same model, other interval
    width = np.log(hr90["hr_high"] / hr90["hr_low"]) / np.log(hr95["hr_high"] / hr95["hr_low"])
    np.testing.assert_allclose(width, Z_RATIO, rtol=1e-12)
    assert ninety.alpha == 0.10 and rossi_fit.alpha == 0.05


def test_time_varying_intervals_follow_alpha():
    from lifelines.datasets import load_stanford_heart_transplants

    heart = load_stanford_heart_transplants().rename(columns={"id": "customer_id", "event": "churned"})
    covs = ["age", "year", "surgery", "transplant"]
    fits = {a: fit_cox_time_varying(heart, covs, penalizer=0.0, check_ph=False, alpha=a) for a in (0.05, 0.10)}
    h95, h90 = (fits[a].hazard_ratios for a in (0.05, 0.10))
    np.testing.assert_allclose(np.log(h90["hr_high"] / h90["hr_low"]) / np.log(h95["hr_high"] / h95["hr_low"]),
                               Z_RATIO, rtol=1e-12)
    ref = CoxTimeVaryingFitter(alpha=0.10).fit(heart[[*covs, "customer_id", "start", "stop", "churned"]],
                                               id_col="customer_id", start_col="start", stop_col="stop",
                                               event_col="churned")
    np.testing.assert_allclose(h90.set_index("term").loc[covs, "hr_low"], ref.summary.loc[covs, "exp(coef) lower 90%"],
                               rtol=1e-4)


def test_km_logrank_rmst_against_lifelines(rossi):
    km = kaplan_meier(rossi.assign(prio3=rossi["prio"].clip(0, 3)), "prio3", duration_col="week",
                      event_col="arrest", horizon_days=30)
    s = km.summary.set_index("group")
    for g, sub in rossi.assign(prio3=rossi["prio"].clip(0, 3).astype(str)).groupby("prio3"):
        k = KaplanMeierFitter().fit(sub["week"], sub["arrest"])
        assert s.loc[g, "survival_at_horizon"] == pytest.approx(float(k.survival_function_at_times(30).iloc[0]))
        assert s.loc[g, "rmst_days"] == pytest.approx(restricted_mean_survival_time(k, t=30), rel=1e-6)
        ci = k.confidence_interval_survival_function_.loc[:30].iloc[-1]
        assert (s.loc[g, "survival_low"], s.loc[g, "survival_high"]) == pytest.approx(tuple(ci))
    pw = pairwise_logrank_test(rossi["week"], rossi["prio"].clip(0, 3).astype(str), rossi["arrest"]).summary
    assert km.pairwise["p"].to_numpy() == pytest.approx(pw["p"].to_numpy())
    assert (km.pairwise["p_bh"] >= km.pairwise["p"] - 1e-15).all()
    assert km.overall["p"] < 0.01 and list(km.at_risk.columns) == list(km.fitters)


def test_rmst_and_its_standard_error_by_hand():
    # tenures 1, 2, 3+ (censored), 4; τ = 4. KM: S = 1 on [0, 1), ¾ on [1, 2), ½ on [2, 4), 0 from 4.
    # RMST = 1·1 + 1·¾ + 2·½ = 2.75. Variance Σ A_j² d_j / (n_j (n_j − d_j)) over churns before τ, A_j the
    # area from t_j to τ: t = 1: A = ¾ + 1 = 1.75, n = 4 → 1.75² / 12; t = 2: A = 1, n = 3 → 1 / 6; t = 4: n = d.
    mu, se = rmst([1, 2, 3, 4], np.array([True, True, False, True]), 4.0)
    assert mu == pytest.approx(2.75)
    assert se == pytest.approx(np.sqrt(1.75 ** 2 / 12 + 1 / 6))


def test_rmst_standard_error_without_censoring():
    t = np.random.default_rng(0).exponential(100, 4000)
    mu, se = rmst(t, np.ones_like(t, bool), 150)
    x = np.minimum(t, 150)
    assert mu == pytest.approx(x.mean(), rel=1e-9)
    assert se == pytest.approx(x.std() / np.sqrt(len(x)), rel=2e-3)


def test_km_intervals_at_the_configured_level(rossi):
    kw = {"duration_col": "week", "event_col": "arrest", "horizon_days": 30}
    k95, k90 = (kaplan_meier(rossi, "fin", alpha=a, **kw) for a in (0.05, 0.10))
    s95, s90 = k95.summary, k90.summary
    np.testing.assert_allclose(s90["rmst_days"], s95["rmst_days"], rtol=0, atol=0)
    np.testing.assert_allclose((s90["rmst_high"] - s90["rmst_low"]) / (s95["rmst_high"] - s95["rmst_low"]), Z_RATIO,
                               rtol=1e-12)
    # lifelines' bands are symmetric on the log(−log S) scale, with half-width z · se
    def loglog(s):
        return np.log(-np.log(s))
    np.testing.assert_allclose((loglog(s90["survival_low"]) - loglog(s90["survival_high"]))
                               / (loglog(s95["survival_low"]) - loglog(s95["survival_high"])), Z_RATIO, rtol=1e-9)
    assert (k90.alpha, k95.alpha) == (0.10, 0.05)


def _crossing_hazards(n=6000, seed=1):
    """Group 'b' churns early, group 'a' late: the hazard ratio of group flips over tenure."""
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b"], n)
    x = rng.normal(size=n)
    shape = np.where(g == "a", 2.5, 0.6)
    t = 400 * rng.weibull(shape) * np.exp(-0.4 * x / shape)
    c = rng.uniform(100, 900, n)
    return pd.DataFrame({"customer_id": np.arange(n).astype(str), "tenure_days": np.minimum(t, c),
                         "churned": t <= c, "group": g, "x": x})


def test_no_events_few_events_and_single_level():
    df = pd.DataFrame({"customer_id": list("abcdefgh"), "tenure_days": np.arange(1.0, 9.0),
                       "churned": False, "plan": list("xyxyxyxy")})
    res = fit_cox(df, ["plan"])
    assert isinstance(res, ChurnUnavailable) and not res.ok and "No churn events" in str(res)
    assert isinstance(fit_cox_time_varying(df.assign(start=0.0, stop=df["tenure_days"]), ["plan"]),
                      ChurnUnavailable)
    km = kaplan_meier(df, "plan")
    assert (km.summary["survival_at_horizon"] == 1).all() and km.pairwise.empty and km.notes
    few = _crossing_hazards(400, seed=3).assign(segment="only one")
    few["churned"] &= np.arange(len(few)) < 15            # a handful of churns for 2 usable terms
    with pytest.warns(UserWarning, match="per term"):
        r = fit_cox(few, ["group", "x", "segment"])
    assert isinstance(r, CoxResult) and r.penalizer == pytest.approx(0.25 * r.n_events)
    assert any("single level" in n for n in r.notes) and "segment" not in r.design.covariates


def test_time_varying_cox_recovers_own_simulation(simulated, tv_fit):
    *_, truth, _kw, tv = simulated
    hr = tv_fit.hazard_ratios.set_index("term")
    truths = {f"nps_category[{lv}]": truth["nps"][lv] for lv in ("passive", "detractor", "none_yet")}
    truths |= {f"plan[{lv}]": truth["plan"][lv] for lv in ("plus", "premium")}
    truths["unresolved_contacts"] = 1.25
    z = 2.638257  # familywise 95% over these 6 planted ratios (Bonferroni); single 95% intervals miss by chance
    for term, true in truths.items():
        assert abs(hr.loc[term, "coef"] - np.log(true)) <= z * hr.loc[term, "se"], (term, hr.loc[term, "hr"], true)
    assert tv_fit.kind == "time_varying" and tv_fit.ph_test is not None
    assert tv_fit.n_subjects == tv["customer_id"].nunique()


def test_km_by_last_nps_category_warns_about_immortal_time(simulated):
    *_, tv = simulated
    km = kaplan_meier(last_rows(tv), "nps_category")
    assert list(km.fitters) == ["promoter", "passive", "detractor", "none_yet"]
    assert any("immortal-time" in n for n in km.notes)


def test_a_sampled_fit_keeps_whole_customers(simulated):
    *_, tv = simulated
    res = fit_cox_time_varying(tv, max_subjects=2000, check_ph=False)
    assert res.n_subjects == 2000 and any("random sample of 2,000 of 6,000" in n for n in res.notes)
    assert 2000 <= res.n_rows < len(tv)


# --------------------------------------------------------------------------- planted truth (synth.organisation)


def test_time_varying_cox_recovers_synth_planted_hazard_ratios():
    synth = pytest.importorskip("cxtemplate.synth.organisation")
    org = synth.generate(synth.SynthSpec(customers=6000, seed=20251231, dirty=False, plant_step=False))
    truth = org.truth["churn"]
    cust = org.tables["customers"].rename(columns={"monthly_revenue": "revenue"})
    tv = time_varying_frame(cust, org.tables["responses"], as_of=org.spec.end,
                            covariates=["segment", "plan", "contract"])
    ref = {g: v["reference"] for g, v in truth["covariates"].items()}
    res = fit_cox_time_varying(tv, reference=ref)
    hr = res.hazard_ratios
    assert set(zip(hr["covariate"], hr["reference"])) == set(ref.items())
    z95, zfw = 1.959963984540054, 2.734369  # familywise 95% over the 8 planted ratios (Bonferroni)
    inside95 = 0
    for _, r in hr.iterrows():
        level = {"none_yet": "no_response"}.get(r["level"], r["level"])   # synth's name for "no answer yet"
        true = np.log(truth["covariates"][r["covariate"]]["hazard_ratio"][level])
        assert abs(r["coef"] - true) <= zfw * r["se"], (r["label"], r["hr"], np.exp(true))
        inside95 += abs(r["coef"] - true) <= z95 * r["se"]
    # at this seed every planted ratio is inside its own 95% interval (8 of 8); the familywise check above
    # is the one that stays valid if the generator's random streams change
    assert inside95 == len(hr) == 8
    seg = hr[hr["covariate"] == "segment"]
    assert seg.loc[seg["hr"].idxmax(), "level"] == truth["highest_risk_segment"]


# --------------------------------------------------------------------------- real data: bank churn


def test_bank_churn_curves_and_hazard_ratios(bank):
    """German customers leave more and active members less: visible in the raw shares of the public file
    (32% of German customers exited vs 16% of French; 14% of active members vs 27% of the others)."""
    raw, sf, res = bank["raw"], bank["sf"], bank["res"]
    share = raw.groupby("Geography")["Exited"].mean()
    assert share["Germany"] > 0.3 > 0.17 > share["France"]
    km = kaplan_meier(sf, "location")
    assert km.pairwise.set_index(["group_a", "group_b"]).loc[("France", "Germany"), "p_bh"] < 1e-10
    assert isinstance(res, CoxResult) and res.n_events == 2037
    hr = res.hazard_ratios.set_index("term")
    assert hr.loc["location[Germany]", "hr_low"] > 1 and hr.loc["active_member", "hr_high"] < 1
    assert any("personal data" in n for n in res.notes) and "Surname" not in res.design.covariates
