"""Survival data: durations, censoring at as_of, time-varying intervals without look-ahead, landmarks.

Truth: durations and intervals worked out by hand from the dates of the tiny frames below, and a slow,
obvious per-customer construction of the intervals (``_reference_intervals``) on simulated customers.
The cost of building the intervals at scale is measured in ``bench/bench_churn.py`` (case ``tv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn.columns import nps_category
from cxtemplate.churn.data import (
    CXOptions,
    censor_time,
    landmark_frame,
    last_rows,
    survival_frame,
    tenure_to_days,
    time_varying_frame,
)
from cxtemplate.synth.churn_sim import simulate_churn

AS_OF = "2024-12-31"


def _tiny():
    cust = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e"],
        "start_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2023-01-01", "2025-02-01", "2024-03-01"]),
        "end_date": pd.to_datetime(["2024-04-10", None, "2025-03-01", None, "2024-03-01"]),
        "plan": ["basic", "plus", "basic", "plus", "basic"],
        "name": ["Ann", "Bob", "Cy", "Di", "Ed"],
    })
    resp = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c", None],
        "responded_at": pd.to_datetime(["2024-02-01 00:00", "2024-03-01 12:00", "2024-05-01 00:00",  # after exit
                                        "2025-01-05 00:00",  # after as_of
                                        "2023-06-01 00:00", "2024-01-01 00:00"]),
        "nps": [9, 3, 10, 0, 7, 0],
        "ces": [6, 2, 7, 1, 4, 1],
    })
    return cust, resp


def test_tenure_units():
    # one convention: tenure as written, k months = k × 365.25 / 12 days (the half unit only on request)
    assert list(tenure_to_days([0, 2], "year")) == [0.0, 730.5]
    assert list(tenure_to_days([12, 72], "month")) == [365.25, 2191.5]
    assert list(tenure_to_days([0, 2], "year", midpoint=True)) == [0.5 * 365.25, 2.5 * 365.25]
    assert list(tenure_to_days(["26"], "weeks")) == [182.0]
    assert list(tenure_to_days([3], "day")) == [3.0]
    with pytest.raises(ValueError):
        tenure_to_days([1], "fortnight")


def test_survival_frame_censors_at_end_of_as_of_day():
    cust, _ = _tiny()
    sf = survival_frame(cust, as_of=AS_OF, covariates=["plan", "name"])
    assert list(sf["customer_id"]) == ["a", "b", "c", "e"]        # d starts after as_of
    s = sf.set_index("customer_id")
    assert s.loc["a", "churned"] and s.loc["a", "tenure_days"] == 100
    assert not s.loc["b", "churned"]                               # censored at the end of 2024-12-31
    assert s.loc["b", "tenure_days"] == (pd.Timestamp("2025-01-01") - pd.Timestamp("2024-06-01")).days
    assert not s.loc["c", "churned"]                               # left after as_of → active then
    assert s.loc["e", "churned"] and s.loc["e", "tenure_days"] == 0.5  # same-day exit → half a day
    assert "name" not in sf.columns                                # personal data refused
    assert any("personal data" in n for n in sf.attrs["notes"])
    assert censor_time("2024-12-31") == np.datetime64("2025-01-01T00:00:00")
    assert censor_time("2024-12-31 15:00") == np.datetime64("2024-12-31T15:00:00")


def test_survival_frame_without_dates_uses_given_tenure():
    cust = pd.DataFrame({"customer_id": [1, 2, 3], "tenure": [0, 2, 5], "churned": [True, False, True],
                         "Surname": ["X", "Y", "Z"]})
    sf = survival_frame(cust, covariates=["Surname"], keep=["Surname"], tenure_unit="year")
    assert list(sf["tenure_days"]) == [0.5, 2 * 365.25, 5 * 365.25]    # as written; a zero becomes half a day
    assert "Surname" not in sf.columns and sf.attrs["covariates"] == [] and "Surname" in sf.attrs["personal"]
    assert any("personal data" in n for n in sf.attrs["notes"])
    assert any("converted to days as written (1 year = 365.25 days)" in n for n in sf.attrs["notes"])


def test_the_api_and_the_report_give_the_same_survival_at_12_months():
    """survival_frame on the raw export (tenure in months), the pipeline's tenure_days (integration's conversion,
    then notebook 05's analysis) and lifelines on the months as written give one S(12)."""
    from lifelines import KaplanMeierFitter

    from cxtemplate.churn.flow import analyse
    from cxtemplate.churn.km_cox import kaplan_meier, survival_table
    from cxtemplate.data.integrate import DAYS_PER_UNIT
    from tests.churn.shapes import telecom_crm

    crm = telecom_crm(2000, seed=3)
    churned = crm["churn"].eq("Yes")
    raw = pd.DataFrame({"customer_id": range(len(crm)), "tenure": crm["tenure"], "churned": churned})
    api = kaplan_meier(survival_frame(raw, tenure_unit="month"), None, horizon_days=365.25)
    integrated = raw.drop(columns="tenure").assign(tenure_days=crm["tenure"] * DAYS_PER_UNIT["month"],
                                                   contract=crm["contract"])
    report = analyse(integrated, None, None, as_of=None, covariates=["contract"], cx_covariates=[], seed=0,
                     tenure_unit="month")
    by_hand = KaplanMeierFitter().fit(crm["tenure"], churned).survival_function_at_times(12).iloc[0]
    s_api = survival_table(api, (12,), "month")["s_12m"].iloc[0]
    s_report = survival_table(report.km["all"], (12,), "month")["s_12m"].iloc[0]
    assert s_api == pytest.approx(by_hand, abs=1e-12) and s_report == pytest.approx(by_hand, abs=1e-12)
    assert float(api.summary["survival_at_horizon"].iloc[0]) == pytest.approx(by_hand, abs=1e-12)


def test_bank_churn_tenure_in_whole_years(bank):
    """The public bank file gives tenure in whole years 0–10: taken as written, k years = k × 365.25 days (the 413
    customers with tenure 0 at half a day)."""
    raw, sf = bank["raw"], bank["sf"]
    assert sf["churned"].sum() == raw["Exited"].sum() == 2037
    assert (sf["tenure_days"] == 0.5).sum() == (raw["Tenure"] == 0).sum() == 413
    np.testing.assert_array_equal(sf["tenure_days"], np.where(raw["Tenure"] == 0, 0.5, raw["Tenure"] * 365.25))
    assert "Surname" not in sf.columns and not sf.select_dtypes(include="object").isin(bank["surnames"]).any().any()


def _reference_intervals(cust, resp, as_of):
    """Slow, obvious per-customer construction of the NPS time-varying intervals."""
    sf = survival_frame(cust, as_of=as_of)
    rows = []
    cut = censor_time(as_of)
    for _, c in sf.iterrows():
        r = resp[(resp["customer_id"] == c["customer_id"]) & (resp["responded_at"] < cut)].copy()
        r["t"] = ((r["responded_at"] - c["start_date"]) / pd.Timedelta(days=1)).clip(lower=0)
        r = r[r["t"] < c["tenure_days"]].sort_values("t", kind="mergesort")
        times = sorted(set([0.0] + r["t"].tolist()))
        for i, t0 in enumerate(times):
            t1 = times[i + 1] if i + 1 < len(times) else c["tenure_days"]
            known = r[r["t"] <= t0]
            cat = nps_category([known["nps"].iloc[-1]])[0] if len(known) else "none_yet"
            rows.append((c["customer_id"], t0, t1, bool(c["churned"]) and i == len(times) - 1, cat))
    return pd.DataFrame(rows, columns=["customer_id", "start", "stop", "churned", "nps_category"])


def test_time_varying_matches_slow_reference_and_has_no_look_ahead():
    cust, resp = _tiny()
    tv = time_varying_frame(cust, resp, as_of=AS_OF, covariates=["plan"])
    ref = _reference_intervals(cust, resp, AS_OF)
    pd.testing.assert_frame_equal(tv[ref.columns].reset_index(drop=True), ref, check_dtype=False)
    a = tv[tv["customer_id"] == "a"]
    # the detractor answer of 2024-03-01 12:00 only applies from then on; the churn on day 100 is
    # described by it, and the promoter answer given after the exit is never used
    assert list(a["nps_category"]) == ["none_yet", "promoter", "detractor"]
    assert a["churned"].tolist() == [False, False, True]
    assert tv[tv["customer_id"] == "b"]["nps_category"].tolist() == ["none_yet"]   # answer after as_of
    assert any("on or after the customer's exit" in n for n in tv.attrs["notes"])


def test_time_varying_random_against_reference():
    cust, resp, _, _ = simulate_churn(300, seed=11)
    tv = time_varying_frame(cust, resp, as_of="2025-01-01")
    ref = _reference_intervals(cust, resp, "2025-01-01")
    pd.testing.assert_frame_equal(tv[ref.columns].reset_index(drop=True), ref, check_dtype=False, atol=1e-9)


def test_contact_counts_in_trailing_window():
    cust = pd.DataFrame({"customer_id": ["x"], "start_date": pd.to_datetime(["2024-01-01"]), "end_date": [pd.NaT]})
    inter = pd.DataFrame({"customer_id": ["x"] * 4,
                          "started_at": pd.to_datetime(["2024-01-11", "2024-02-10", "2024-03-01", "2024-06-01"]),
                          "resolved": [False, False, True, False], "sentiment": [-0.8, 0.2, -0.5, 0.0]})
    tv = time_varying_frame(cust, None, inter, as_of="2024-12-31",
                            cx=CXOptions(("unresolved_contacts", "negative_contacts")))
    u = tv.set_index("start")["unresolved_contacts"]
    assert u.loc[0] == 0 and u.loc[10] == 1 and u.loc[40] == 2      # day 10 and day 40 unresolved
    assert u.loc[100] == 1 and u.loc[130] == 0                     # each drops out 90 days later
    assert u.loc[152] == 1 and u.loc[242] == 0
    neg = tv.set_index("start")["negative_contacts"]
    assert neg.loc[10] == 1 and neg.loc[60] == 2 and neg.loc[100] == 1 and neg.loc[150] == 0
    assert (tv["stop"] > tv["start"]).all()


def test_ces_latest_and_crm_only():
    cust, resp = _tiny()
    tv = time_varying_frame(cust, resp, as_of=AS_OF, cx=CXOptions(("nps_category", "ces")))
    a = tv[tv["customer_id"] == "a"]
    assert a["ces"].tolist()[1:] == [6, 2]
    assert a["ces"].iloc[0] == pytest.approx(resp["ces"].iloc[[0, 1, 4]].mean())   # answers used, before first
    crm = time_varying_frame(cust, None, as_of=AS_OF, covariates=["plan"])
    assert crm.groupby("customer_id").size().max() == 1
    assert crm.attrs["cx_covariates"] == []
    assert any("No survey responses" in n for n in crm.attrs["notes"])
    nodates = cust.drop(columns=["start_date", "end_date"]).assign(tenure_days=[10, 20, 30, 40, 50],
                                                                   churned=[1, 0, 0, 1, 0])
    t2 = time_varying_frame(nodates, resp, covariates=["plan"])
    assert len(t2) == 5 and "nps_category" not in t2
    assert any("start dates are unknown" in n for n in t2.attrs["notes"])


def test_landmark_uses_values_known_at_landmark():
    cust, resp = _tiny()
    lm = landmark_frame(cust, resp, landmark="2024-03-15", as_of=AS_OF, covariates=["plan"])
    assert set(lm["customer_id"]) == {"a", "b", "c"} - {"b"}       # b starts later, e churned already
    a = lm.set_index("customer_id").loc["a"]
    assert a["nps_category"] == "detractor"
    assert a["tenure_days"] == (pd.Timestamp("2024-03-16") - pd.Timestamp("2024-01-01")).days
    assert a["churned"] and a["duration"] == 100
    cur = landmark_frame(cust, resp, as_of=AS_OF)
    assert set(cur["customer_id"]) == {"b", "c"} and "duration" not in cur
    assert cur.set_index("customer_id").loc["b", "nps_category"] == "none_yet"
    lr = last_rows(time_varying_frame(cust, resp, as_of=AS_OF))
    assert lr.set_index("customer_id").loc["a", "tenure_days"] == 100


def test_many_customers_each_get_a_complete_history():
    """Every customer who started by as_of has intervals from day 0 to their tenure, at most one churn and
    no empty interval (the time it takes is measured in bench/bench_churn.py, case tv)."""
    cust, resp, inter, _ = simulate_churn(4000, seed=2)
    tv = time_varying_frame(cust, resp, inter, as_of="2025-01-01", covariates=["plan", "segment"],
                            cx=CXOptions(("nps_category", "ces", "unresolved_contacts")))
    assert tv["customer_id"].nunique() == len(cust) - (cust["start_date"] > "2025-01-01").sum()
    assert (tv["stop"] > tv["start"]).all()
    assert tv.groupby("customer_id")["churned"].sum().max() == 1
    first, last = tv.groupby("customer_id")["start"].min(), tv.groupby("customer_id")["stop"].max()
    sf = survival_frame(cust, as_of="2025-01-01").set_index("customer_id")
    assert (first == 0).all()
    np.testing.assert_allclose(last, sf.loc[last.index, "tenure_days"])
    # consecutive intervals of a customer meet: each starts where the previous one stopped
    same = tv["customer_id"].eq(tv["customer_id"].shift())
    np.testing.assert_array_equal(tv.loc[same, "start"].to_numpy(), tv["stop"].shift()[same].to_numpy())


def test_landmark_back_test_rows_carry_what_happened_next(simulated):
    cust, resp, inter, _, kw, _tv = simulated
    lm = landmark_frame(cust, resp, inter, landmark="2024-01-01", **kw)
    assert {"duration", "churned", "nps_category", "unresolved_contacts"} <= set(lm.columns)
    assert (lm["duration"] >= lm["tenure_days"]).all()
    # the follow-up runs from the landmark (end of 2024-01-01) to the end of as_of (2025-01-01): 366 days
    assert (lm["duration"] - lm["tenure_days"]).max() == pytest.approx(366)
    assert lm.attrs["landmark"] == "2024-01-01"
