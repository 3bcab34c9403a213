"""Data shared by the churn test modules, built once per session (the fits are the slow part).

* ``rossi``: lifelines' recidivism data (Rossi et al. 1980), the published Cox example.
* ``rossi_fit``: our unpenalised static Cox model of it (reproduces lifelines to the published decimals).
* ``simulated``: ``cxtemplate.synth.churn_sim.simulate_churn`` with planted hazard ratios, as a time-varying frame.
* ``tv_fit``: the time-varying Cox model of ``simulated``.
* ``bank``: the public bank-churn file (tenure in whole years) through ``survival_frame`` and ``fit_cox``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cxtemplate.churn.data import CXOptions, survival_frame, time_varying_frame
from cxtemplate.churn.km_cox import fit_cox, fit_cox_time_varying
from cxtemplate.synth.churn_sim import simulate_churn

ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="session")
def rossi():
    from lifelines.datasets import load_rossi

    return load_rossi()


@pytest.fixture(scope="session")
def rossi_fit(rossi):
    return fit_cox(rossi, ROSSI, duration_col="week", event_col="arrest", penalizer=0.0)


@pytest.fixture(scope="session")
def simulated():
    """(customers, responses, interactions, truth, frame arguments, time-varying frame)."""
    cust, resp, inter, truth = simulate_churn(6000, seed=5, hr_unresolved=1.25)
    kw = {"as_of": "2025-01-01", "covariates": ["plan", "segment"], "keep": ["revenue", "location"],
          "cx": CXOptions(("nps_category", "unresolved_contacts"))}
    tv = time_varying_frame(cust, resp, inter, **kw)
    return cust, resp, inter, truth, kw, tv


@pytest.fixture(scope="session")
def tv_fit(simulated):
    return fit_cox_time_varying(simulated[-1], reference={"plan": "basic"})


BANK_COVARIATES = ["location", "gender", "age", "credit_score", "balance", "products", "active_member", "has_card",
                   "Surname"]


@pytest.fixture(scope="session")
def bank(real_data):
    """The bank churn data (Kaggle "Churn_Modelling", 10,000 customers): ``raw`` file, survival frame ``sf``,
    Cox model ``res`` and the ``surnames`` (those that are not also a country or a gender)."""
    raw = pd.read_csv(real_data / "bank_churn" / "Churn_Modelling.csv")
    cust = pd.DataFrame({"customer_id": raw["CustomerId"].astype(str), "tenure": raw["Tenure"],
                         "churned": raw["Exited"].astype(bool), "location": raw["Geography"],
                         "gender": raw["Gender"], "age": raw["Age"], "credit_score": raw["CreditScore"],
                         "balance": raw["Balance"], "products": raw["NumOfProducts"],
                         "active_member": raw["IsActiveMember"], "has_card": raw["HasCrCard"],
                         "Surname": raw["Surname"]})
    sf = survival_frame(cust, covariates=BANK_COVARIATES, keep=["Surname"], tenure_unit="year")
    return {"raw": raw, "sf": sf, "res": fit_cox(sf),
            "surnames": set(raw["Surname"]) - {"France", "Germany", "Spain", "Female", "Male"}}


@pytest.fixture(scope="session")
def current(simulated):
    """The active customers of ``simulated`` at the analysis date, with a personal-data column that must never
    come out of the scoring."""
    from cxtemplate.churn.data import landmark_frame

    cust, resp, inter, _truth, kw, _tv = simulated
    cur = landmark_frame(cust, resp, inter, **kw)
    cur["email"] = "x@example.com"
    return cur


@pytest.fixture(scope="session")
def analysed():
    """Notebook 05's whole analysis of one small simulated organisation (dates, surveys, contacts, revenue) at
    the 95% and the 90% confidence level: ``{0.95: ChurnAnalysis, 0.90: ChurnAnalysis}``."""
    from cxtemplate.churn.flow import analyse

    cust, resp, inter, _truth = simulate_churn(1200, seed=7)
    cust["churned"] = cust["end_date"].notna()          # the canonical customers table carries the flag
    return {conf: analyse(cust, resp, inter, as_of="2025-01-01", covariates=["plan", "segment"],
                          cx_covariates=["nps_category", "unresolved_contacts"], seed=1, conf=conf)
            for conf in (0.95, 0.90)}
