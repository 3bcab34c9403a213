"""The latent model of the synthetic organisation: its locations, segments, plans, revenue and churn hazards.

Every planted effect is a constant here or in :mod:`cxtemplate.synth.survey` / :mod:`cxtemplate.synth.ops`,
and :mod:`cxtemplate.synth.truth` records them in ``truth.json``.
"""

from __future__ import annotations

import numpy as np

LOCATIONS = (
    ("London", "LON", 0.24), ("Manchester", "MAN", 0.15), ("Birmingham", "BIR", 0.14), ("Leeds", "LEE", 0.11),
    ("Glasgow", "GLA", 0.10), ("Bristol", "BRS", 0.09), ("Cardiff", "CDF", 0.08), ("Edinburgh", "EDI", 0.09),
    ("Liverpool", "LIV", 0.07), ("Newcastle", "NCL", 0.06), ("Nottingham", "NOT", 0.06), ("Sheffield", "SHF", 0.05),
    ("Belfast", "BEL", 0.05), ("Leicester", "LEI", 0.04), ("Brighton", "BTN", 0.04), ("Southampton", "SOU", 0.04),
)
SEGMENT_P = np.array([0.72, 0.21, 0.07])
PLANS = ("Basic", "Standard", "Premium")
PLAN_P = np.array([[0.45, 0.38, 0.17], [0.30, 0.45, 0.25], [0.10, 0.40, 0.50]])   # rows: segment
CONTRACTS = ("Monthly", "Annual")
MONTHLY_P = np.array([0.60, 0.45, 0.15])
REVENUE_PLAN = np.array([22.0, 38.0, 62.0])
REVENUE_SEGMENT = np.array([1.0, 2.8, 11.0])
REVENUE_SIGMA = 0.3

# Churn: h(t) = h0(t) exp(x(t) beta), h0 Weibull with cumulative (t / scale)^shape, t in days of tenure.
WEIBULL_SHAPE = 0.9
WEIBULL_SCALE_DAYS = 6000.0
NPS_CATEGORIES = ("promoter", "passive", "detractor", "no_response")
CHURN_HR = {
    "nps_category": ("promoter", {"passive": 1.4, "detractor": 2.0, "no_response": 1.25}),
    "segment": ("Consumer", {"Small business": 1.6, "Enterprise": 0.6}),
    "plan": ("Standard", {"Basic": 1.25, "Premium": 0.8}),
    "contract": ("Annual", {"Monthly": 1.7}),
}

STREAMS = ("locations", "customers", "operations", "interactions", "responses", "churn", "cancellations",
           "text", "maturity", "dirty")
