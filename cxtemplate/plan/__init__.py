"""From findings to action (notebooks 01, 02, 06, 07 and the scorecards): maturity, objectives, findings,
actions, alerts, follow-up queues, the executive summary and the manager scorecards.

Layer 3: imports :mod:`cxtemplate.measure` and below, never :mod:`cxtemplate.analysis`, :mod:`cxtemplate.churn`
or :mod:`cxtemplate.run`; what it needs from other notebooks comes through the run's artifacts.
"""

__all__ = ["actions", "alerts", "cards", "findings", "followup", "impact", "maturity", "maturity_model",
           "maturity_page", "objectives", "objectives_page", "plots", "scorecard", "scorecard_gap", "scorecard_page",
           "scorecard_trends", "sparkline", "summary"]
