"""Notebook 05's sequence on CRM-only data shaped like common public churn sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn.flow import analyse, tenure_leaks
from cxtemplate.data.integrate import _numeric_if_numbers


def _telco_like(n: int = 1500, seed: int = 0, churn: bool = True) -> pd.DataFrame:
    """CRM rows like the IBM Telco export: tenure in months, blank total charges for new customers."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 73, n).astype(float)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n)
    monthly = rng.uniform(20, 110, n)
    hazard = 0.02 * np.exp(0.8 * (contract == "Month-to-month"))
    churned = (rng.random(n) < 1 - np.exp(-hazard * 12)) if churn else np.zeros(n, bool)
    total = pd.Series(np.round(monthly * tenure, 2)).astype(str).where(tenure > 0, " ")
    return pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)], "tenure": tenure,
                         "tenure_days": tenure * 30.4375, "churned": pd.array(churned, dtype="boolean"),
                         "segment": contract, "revenue": monthly, "TotalCharges": _numeric_if_numbers(total)})


def test_kept_number_columns_with_blanks_become_numbers():
    s = pd.Series(["29.85", " ", "1889.5", "108.15"])
    out = _numeric_if_numbers(s)
    assert out.dtype == float and out.isna().sum() == 1 and out.iloc[2] == 1889.5
    words = pd.Series(["Yes", "No", "Yes"])
    assert _numeric_if_numbers(words).equals(words)


def test_a_covariate_that_accumulates_with_tenure_is_flagged():
    df = _telco_like()
    notes = tenure_leaks(df, ["TotalCharges", "revenue"])
    assert len(notes) == 1 and "'TotalCharges'" in notes[0] and "leaks the outcome" in notes[0]


def test_crm_without_revenue_still_gets_a_risk_ranked_list():
    df = _telco_like().drop(columns=["revenue"])
    res = analyse(df, None, None, as_of=None, covariates=["segment"], cx_covariates=["nps_category"], seed=1)
    assert res.available and res.by_group is None
    assert res.top is not None and res.top["churn_probability"].is_monotonic_decreasing
    s = res.summary("USD", 12)
    assert "revenue_at_risk" not in s and s["expected_churners"] > 0


def test_no_churn_events_gives_a_statement_not_a_crash():
    res = analyse(_telco_like(churn=False), None, None, as_of=None, covariates=["segment"], cx_covariates=[])
    assert not res.available and "None of the 1,500 customers has left" in res.reason
    assert res.summary("USD", 12) == {"available": False, "reason": res.reason}


@pytest.mark.parametrize("missing", ["customers", "churned"])
def test_missing_crm_or_churn_information(missing):
    df = None if missing == "customers" else _telco_like().drop(columns=["churned"])
    res = analyse(df, None, None, as_of=None, covariates=[], cx_covariates=[])
    assert not res.available and res.reason
