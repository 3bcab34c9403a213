"""The alt texts of the churn page's charts: title and one sentence reading the chart.

Truth: hand-made tables (the demo's figures) whose every reading is worked out here; the survival curves' reading is
tested with the survival section (``test_survival_page.py``), against a Kaplan–Meier table worked out by hand.
"""

from __future__ import annotations

import pandas as pd

from cxtemplate.churn import alt_text
from cxtemplate.churn.validation import Validation


def test_alt_texts_read_the_charts():
    hr = pd.DataFrame({"label": ["Plan: Basic vs Standard", "Contract: Annual vs Monthly", "Segment: B vs A"],
                       "hr": [1.24, 0.55, 1.02], "hr_low": [1.09, 0.49, 0.9], "hr_high": [1.42, 0.63, 1.2]})
    assert alt_text.forest_alt(hr, "Hazard ratios") == (
        "Hazard ratios: Leaving faster: Plan: Basic vs Standard (1.24); leaving slower: Contract: Annual vs Monthly "
        "(0.55).")
    assert alt_text.forest_alt(hr.iloc[2:], "T") == "T: No characteristic clearly changes the rate of leaving."
    by = pd.DataFrame({"dimension": ["total", "segment", "segment"], "group": ["all", "Small business", "Consumer"],
                       "revenue_at_risk": [300.0, 166_408.4, 132_192.0], "revenue_at_risk_low": [1.0, 126_094, 109_118],
                       "revenue_at_risk_high": [2.0, 204_264, 153_791]})
    assert alt_text.revenue_alt(by, "segment", "Revenue at risk by segment", "GBP", "Segment") == (
        "Revenue at risk by segment: By segment, Small business carries the most, £166,408 (£126,094 to £204,264); "
        "Consumer the least, £132,192.")
    matrix = pd.DataFrame({"risk_band": ["0%–10%", "10%–25%"], "value_band": ["high", "high"], "customers": [688, 554],
                           "revenue_at_risk": [120_480.0, 126_307.0]})
    assert alt_text.matrix_alt(matrix, "Risk × value", "GBP") == (
        "Risk × value: The most revenue at risk, £126,307 (51% of the total), sits with the 554 customers of high "
        "value and a 10%–25% risk of leaving.")


def test_the_calibration_reading_names_the_gap_of_model_and_baseline():
    table = pd.DataFrame({"model": ["Cox", "Kaplan–Meier by segment"], "ici": [0.021, 0.013]})
    v = Validation("landmark", table, pd.DataFrame(), {}, pd.DataFrame(), [])
    assert alt_text.calibration_alt(v, "Calibration") == (
        "Calibration: The model (Cox) is on average 2.1 percentage points from what happened and the baseline "
        "(Kaplan–Meier by segment) is on average 1.3 percentage points from what happened.")
