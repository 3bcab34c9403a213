"""Validating churn predictions: calibration (ICI, E50), the Kaplan–Meier baseline, cross-validation on the
static design and the landmark back-test of the time-varying model.

Truth: lifelines' ``survival_probability_calibration`` run directly (Austin et al. 2020's method) on the Rossi
data; Kaplan–Meier risks worked by hand; the public bank churn file; data simulated with planted effects.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.calibration import survival_probability_calibration

from cxtemplate.churn.data import landmark_frame, tenure_to_days
from cxtemplate.churn.km_cox import fit_cox
from cxtemplate.churn.results import ChurnUnavailable
from cxtemplate.churn.validation import (
    calibration_ici,
    design_sample_ids,
    km_group_risk,
    lifelines_calibration,
    validate,
)


@pytest.mark.filterwarnings("ignore:The figure layout has changed to tight")
def test_calibration_equals_lifelines_survival_probability_calibration(rossi):
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


def test_kaplan_meier_baseline_risk_by_hand():
    train = pd.DataFrame({"tenure_days": [1.0, 2, 3, 4, 2, 4, 6, 8], "churned": True,
                          "g": ["a"] * 4 + ["b"] * 4})
    test = pd.DataFrame({"tenure_days": [1.0, 2.0, 1.0], "g": ["a", "b", "c"]})
    risk = km_group_risk(train, test, "g", 2.0)
    # a: S = ¾, ½, ¼, 0 at 1…4 → 1 − S(3)/S(1) = 1 − ¼/¾ = ⅔
    # b: S = ¾, ½, ¼, 0 at 2, 4, 6, 8 → 1 − S(4)/S(2) = 1 − ½/¾ = ⅓
    # c (unseen): everyone, S(1) = ⅞, S(3) = ½ → 1 − (4/8)/(7/8) = 3/7
    np.testing.assert_allclose(risk, [2 / 3, 1 / 3, 3 / 7])
    np.testing.assert_allclose(km_group_risk(train, test, None, 2.0)[0], 3 / 7)


def test_design_sample_ids():
    ids = np.array([f"c{i}" for i in range(10)])
    assert list(design_sample_ids(ids, None)) == list(ids) and list(design_sample_ids(ids, 10)) == list(ids)
    pick = design_sample_ids(ids, 4, seed=3)
    assert len(pick) == 4 and set(pick) <= set(ids) and list(pick) == sorted(pick, key=lambda s: int(s[1:]))
    assert list(design_sample_ids(ids, 4, seed=3)) == list(pick)           # same seed, same customers


def _static(n=2000, seed=4):
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "plus", "premium"], n)
    region = rng.choice(["north", "south"], n)
    x = rng.normal(size=n)
    lp = 0.5 * (plan == "basic") - 0.4 * (plan == "premium") + 0.3 * x     # region plays no part
    t = np.ceil(300 * rng.weibull(1.2, n) * np.exp(-lp / 1.2))
    c = np.ceil(rng.uniform(30, 900, n))
    return pd.DataFrame({"customer_id": [f"K{i}" for i in range(n)], "tenure_days": np.minimum(t, c),
                         "churned": t <= c, "plan": plan, "region": region, "x": x})


def test_static_cross_validation_beats_a_baseline_that_knows_nothing():
    df = _static()
    v = validate(df, ["plan", "x"], horizon_days=180, group_col="region", k=4, seed=0, design_sample=1500)
    t = v.table.set_index("model")
    assert t.loc["Cox", "concordance"] > t.loc["Kaplan–Meier by region", "concordance"] + 0.05
    assert t.loc["Cox", "ici"] < 0.03 and v.folds["fold"].nunique() == 4
    assert len(v.predictions) == 1500 and v.design == "static"
    assert any("random sample of 1,500 of 2,000 customers" in n for n in v.notes)
    assert isinstance(validate(df.assign(churned=False), ["plan", "x"]), ChurnUnavailable)


def test_landmark_backtest_of_the_time_varying_model(simulated, tv_fit):
    cust, resp, inter, _truth, kw, tv = simulated
    lm = landmark_frame(cust, resp, inter, landmark="2024-01-01", **kw)
    v = validate(tv, tv_fit.design.covariates, horizon_days=366, test=lm, k=3, group_col="segment",
                 reference={"plan": "basic"})
    t = v.table.set_index("model")
    assert v.design == "landmark" and t.loc["Cox", "n"] == len(lm)
    assert t.loc["Cox", "concordance"] > t.loc["Kaplan–Meier by segment", "concordance"]
    assert t.loc["Cox", "ici"] < 0.05
    assert abs(t.loc["Cox", "mean_predicted"] - t.loc["Cox", "observed_by_horizon"]) < 0.05
    assert any("back-tests the time-varying model" in n for n in v.notes)


@pytest.mark.slow  # a whole synthetic organisation or real data set: in `make test`, not the fast loop
def test_bank_churn_cross_validated_and_calibrated(bank):
    sf, res = bank["sf"], bank["res"]
    v = validate(sf, res.design.covariates, horizon_days=365, group_col="location", k=5)
    t = v.table.set_index("model")
    assert t.loc["Cox", "concordance"] > 0.68 > t.loc["Kaplan–Meier by location", "concordance"]
    assert t.loc["Cox", "ici"] < 0.02 and t.loc["Cox", "e50"] < 0.02     # 0.008 and 0.005
    # lifelines' own check smooths the observed risk with a flexible parametric model in continuous time. Tenure in
    # whole years taken as written puts every churn on one of 11 time points, and that smooth curve cannot follow the
    # steps: its ICI depends on where the horizon falls among them (0.023 at one year, on a step). With each tenure
    # placed mid-year (the sensitivity option midpoint=True) the steps fall between horizons and it reads 0.006.
    mid = sf.assign(tenure_days=tenure_to_days(bank["raw"]["Tenure"], "year", midpoint=True))
    _, ici, e50 = lifelines_calibration(fit_cox(mid, res.design.covariates), mid, 365.25)
    assert ici < 0.02 and e50 < 0.02
    text = v.predictions.select_dtypes(include="object")
    assert not text.isin(bank["surnames"]).any().any()
