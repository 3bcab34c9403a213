"""Export shapes the churn tests build from scratch: a telecom-like CRM as a real client sends it.

:func:`telecom_crm` is shaped like the public IBM Telco export the issue was found with (7,043 customers): no
customer id column, tenure in whole months and no dates, churn as "Yes"/"No", contract and payment method,
service flags as 0/1 (``phone_service``) or "Yes"/"No"/"No internet service" (seven columns that are the
same dummy for customers without internet), monthly charges and a total-charges column that is monthly
charges × tenure ± noise (blank for customers who joined this month), so it grows with tenure and leaks
the outcome.

The data are simulated from a Weibull proportional-hazards model whose hazard ratios are in :data:`TRUTH`
(per customer, on the true covariates): churn depends on the contract, fibre internet, tech support,
online security, paperless billing, electronic-check payment, senior citizens and monthly charges, and
not at all on the total charges. Customers join uniformly over the last 80 months; the export covers
the last 72, so those who joined earlier and stayed are censored at exactly 72 months (the lump at the
last time point that the number-at-risk row must count).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SERVICES = ("online_security", "online_backup", "device_protection", "tech_support", "streaming_tv",
            "streaming_movies")
TRUTH = {"contract": {"One year": 0.3, "Two year": 0.08}, "internet_service": {"Fiber optic": 1.7},
         "tech_support": {"Yes": 0.7}, "online_security": {"Yes": 0.7}, "paperless_billing": {"Yes": 1.25},
         "payment_method": {"Electronic check": 1.5}, "senior_citizen": {1: 1.2}}
"""Planted hazard ratios against Month-to-month, DSL, no tech support, …"""


def telecom_crm(n: int = 7043, seed: int = 0, *, ids: bool = False) -> pd.DataFrame:
    """A telecom-like CRM export (see the module): one row per customer, the columns as a client sends them.

    Parameters
    ----------
    n : int
    seed : int
    ids : bool
        Add a ``customer_ref`` column (T0000001 …) for pipelines that need a key.
    """
    rng = np.random.default_rng(seed)
    gender = rng.choice(["Female", "Male"], n)
    senior = (rng.random(n) < 0.16).astype(int)
    partner = rng.choice(["Yes", "No"], n)
    dependents = np.where(rng.random(n) < 0.3, "Yes", "No")
    phone = (rng.random(n) < 0.9).astype(int)
    multiple = np.where(phone == 0, "No phone service", rng.choice(["Yes", "No"], n))
    internet = rng.choice(["DSL", "Fiber optic", "No"], n, p=[0.34, 0.44, 0.22])
    services = {s: np.where(internet == "No", "No internet service", np.where(rng.random(n) < 0.4, "Yes", "No"))
                for s in SERVICES}
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.21, 0.24])
    paperless = np.where(rng.random(n) < 0.59, "Yes", "No")
    payment = rng.choice(["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"],
                         n, p=[0.34, 0.23, 0.22, 0.21])
    monthly = np.round(20 + 25 * (internet == "DSL") + 50 * (internet == "Fiber optic") + 5 * phone
                       + 5 * sum(services[s] == "Yes" for s in SERVICES) + rng.normal(0, 4, n), 2)
    log_hr = (np.log(0.3) * (contract == "One year") + np.log(0.08) * (contract == "Two year")
              + np.log(1.7) * (internet == "Fiber optic") + np.log(0.7) * (services["tech_support"] == "Yes")
              + np.log(0.7) * (services["online_security"] == "Yes") + np.log(1.25) * (paperless == "Yes")
              + np.log(1.5) * (payment == "Electronic check") + np.log(1.2) * senior + 0.004 * (monthly - 65))
    shape, scale = 0.75, 130.0                                  # Weibull: a falling hazard, as in real telecom data
    lifetime = scale * (-np.log(rng.random(n)) / np.exp(log_hr)) ** (1 / shape)
    joined_ago = rng.uniform(0, 80, n)                          # months before the export
    follow = np.minimum(joined_ago, 72.0)
    churned = lifetime <= follow
    tenure = np.where(churned, np.maximum(1, np.ceil(lifetime)), np.floor(follow)).astype(int)
    total = monthly * tenure * (1 + rng.normal(0, 0.03, n))
    total_text = np.where(tenure > 0, np.char.mod("%.2f", total), " ")
    out = pd.DataFrame({"gender": gender, "senior_citizen": senior, "partner": partner, "dependents": dependents,
                        "tenure": tenure, "phone_service": phone, "multiple_lines": multiple,
                        "internet_service": internet, **services, "contract": contract,
                        "paperless_billing": paperless, "payment_method": payment, "monthly_charges": monthly,
                        "total_charges": total_text, "churn": np.where(churned, "Yes", "No")})
    if ids:
        out.insert(0, "customer_ref", [f"T{i + 1:07d}" for i in range(n)])
    return out


def canonical(crm: pd.DataFrame) -> pd.DataFrame:
    """The telecom export as the canonical customers table integration makes of it (row-number ids, tenure in
    days at 365.25 / 12 a month, ``churned`` from Yes/No, total charges read as numbers)."""
    out = crm.copy()
    out.insert(0, "customer_id", [f"R{i + 1:07d}" for i in range(len(crm))])
    out["tenure_days"] = out["tenure"].astype(float) * 365.25 / 12
    out["churned"] = pd.array(out.pop("churn").eq("Yes").to_numpy(), dtype="boolean")
    out["total_charges"] = pd.to_numeric(out["total_charges"].str.strip().replace("", np.nan))
    return out
