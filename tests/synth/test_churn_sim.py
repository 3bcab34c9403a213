"""Tests of :mod:`cxtemplate.synth.churn_sim`: the small simulated organisation with known churn hazards.

Independent of the churn package: intervals are coded here by hand from the responses and fitted with
statsmodels' counting-process Cox model (``PHReg`` with entry times: the same estimates as lifelines'
``CoxTimeVaryingFitter``, eight times faster); the Weibull baseline is checked with lifelines' Kaplan–Meier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.synth.churn_sim import simulate_churn

AS_OF = pd.Timestamp("2025-01-01")
CENSOR = AS_OF + pd.Timedelta(days=1)        # the end of the as-of day


def durations(cust: pd.DataFrame) -> np.ndarray:
    return ((cust["end_date"].fillna(CENSOR) - cust["start_date"]) / pd.Timedelta(days=1)).to_numpy()


def nps_intervals(cust: pd.DataFrame, resp: pd.DataFrame) -> pd.DataFrame:
    """(start, stop] tenure intervals in days, split at each response; the NPS category is that of the
    latest response before the interval (``none_yet`` before the first); event at the last stop."""
    start = cust.set_index("customer_id")["start_date"]
    r = resp.assign(t=(resp["responded_at"] - start.loc[resp["customer_id"]].to_numpy()) / pd.Timedelta(days=1))
    r = r.sort_values(["customer_id", "t"], kind="mergesort")
    cat = np.where(r["nps"] >= 9, "promoter", np.where(r["nps"] >= 7, "passive", "detractor"))
    rows = pd.concat([pd.DataFrame({"customer_id": cust["customer_id"], "start": 0.0, "cat": "none_yet"}),
                      pd.DataFrame({"customer_id": r["customer_id"].to_numpy(), "start": r["t"].to_numpy(),
                                    "cat": cat})])
    rows = rows.sort_values(["customer_id", "start"], kind="mergesort").reset_index(drop=True)
    end = pd.Series(durations(cust), index=cust["customer_id"])
    nxt = rows.groupby("customer_id")["start"].shift(-1)
    rows["stop"] = nxt.fillna(pd.Series(end.loc[rows["customer_id"]].to_numpy(), index=rows.index))
    churned = cust.set_index("customer_id")["end_date"].notna()
    rows["event"] = (nxt.isna() & churned.loc[rows["customer_id"]].to_numpy()).astype(int)
    rows = rows[rows["stop"] > rows["start"]]
    plan = cust.set_index("customer_id")["plan"].loc[rows["customer_id"]].to_numpy()
    out = rows[["customer_id", "start", "stop", "event"]].copy()
    for level in ("passive", "detractor", "none_yet"):
        out[level] = (rows["cat"] == level).astype(float)
    for level in ("plus", "premium"):
        out[level] = (plan == level).astype(float)
    return out


@pytest.fixture(scope="module")
def simulated():
    return simulate_churn(3000, seed=3)


def test_tables_and_timeline(simulated):
    cust, resp, inter, truth = simulated
    assert len(cust) == 3000 and cust["customer_id"].is_unique
    assert set(cust["plan"]) == set(truth["plan"])
    assert truth["reference"] == {"nps_category": "promoter", "plan": "basic"}
    assert cust["start_date"].between(AS_OF - pd.Timedelta(days=4 * 365.25), AS_OF).all()
    ended = cust["end_date"].dropna()
    assert 0.2 < len(ended) / len(cust) < 0.6 and (ended < CENSOR).all()
    end = cust.set_index("customer_id")["end_date"].fillna(CENSOR)
    for df, when in ((resp, "responded_at"), (inter, "started_at")):       # nothing happens after churning
        assert (df[when] < end.loc[df["customer_id"]].to_numpy()).all()
        assert (df[when] >= cust.set_index("customer_id")["start_date"].loc[df["customer_id"]].to_numpy()).all()
    assert resp["nps"].between(0, 10).all() and resp["ces"].between(1, 7).all()
    again = simulate_churn(3000, seed=3)
    pd.testing.assert_frame_equal(again[0], cust)


def test_recovers_its_planted_hazard_ratios(simulated):
    from statsmodels.duration.hazard_regression import PHReg

    cust, resp, _, truth = simulated
    x = nps_intervals(cust, resp)
    planted = {lv: truth["nps"][lv] for lv in ("passive", "detractor", "none_yet")}
    planted |= {lv: truth["plan"][lv] for lv in ("plus", "premium")}
    fit = PHReg(x["stop"].to_numpy(), x[list(planted)].to_numpy(), status=x["event"].to_numpy(),
                   entry=x["start"].to_numpy(), ties="breslow").fit()
    z = 2.575829      # Bonferroni over five ratios at 95% familywise
    for j, (level, hr) in enumerate(planted.items()):
        assert abs(fit.params[j] - np.log(hr)) < z * fit.bse[j], (level, np.exp(fit.params[j]), hr)
    assert x["event"].sum() == cust["end_date"].notna().sum()


def test_weibull_baseline_without_covariate_effects():
    """All ratios 1: survival is exp(−(t / scale)^shape) with H(1 year) = the base rate per year."""
    from lifelines import KaplanMeierFitter

    cust, *_ = simulate_churn(6000, seed=8, hr_nps={"promoter": 1, "passive": 1, "detractor": 1, "none_yet": 1},
                              hr_plan={"basic": 1, "plus": 1, "premium": 1}, base_rate_per_year=0.3,
                              weibull_shape=0.8)
    km = KaplanMeierFitter(alpha=0.001).fit(durations(cust), cust["end_date"].notna())
    for years in (0.5, 1.0, 2.0):
        t = 365.25 * years
        expected = np.exp(-0.3 * years ** 0.8)
        lo, hi = km.confidence_interval_survival_function_.asof(t)
        assert lo <= expected <= hi, (years, km.survival_function_at_times(t).item(), expected)


def test_integer_days_records_churn_on_whole_days():
    cust, *_ = simulate_churn(800, seed=4, integer_days=True)
    ended = cust.dropna(subset=["end_date"])
    days = (ended["end_date"] - ended["start_date"]) / pd.Timedelta(days=1)
    assert len(ended) > 50 and (days == np.round(days)).all() and (days >= 1).all()
