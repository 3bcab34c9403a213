"""Survival analysis of churn (notebook 05): data without look-ahead, Kaplan–Meier, Cox models, validation, scoring.

Layer 3: imports :mod:`cxtemplate.measure` and below, never :mod:`cxtemplate.analysis`, :mod:`cxtemplate.plan`
or :mod:`cxtemplate.run`.
"""

__all__ = ["alt_text", "columns", "data", "design", "efron", "flow", "headline", "intervals", "km_cox", "page", "ph",
           "plots", "results", "scoring", "survival_page", "terms", "validation"]
