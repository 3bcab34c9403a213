"""Expected impact of an action in one unit: the annual value it may save, with its interval.

Two routes to money, both from the churn model's artifacts (notebook 05):

* **NPS points → value.** The churn model's counterfactual (today's detractors answering as passives) keeps a
  known amount of annual revenue, with an interval, and raises the customers' NPS by a known number of
  points (every detractor among the surveyed active customers becomes a passive). Their ratio is the annual
  value of one NPS point (:func:`value_model`); an action expected to add ``k`` NPS points may save ``k`` times
  that. The ratio is assumed constant (linear) over the range of the findings.
* **Retention calls.** A call list reaches a known revenue at risk; an assumed share of it is kept
  (``churn.save_rate`` in the params, with a low and a high value): the value the calls may save, which is
  not the segment's value at risk (both are shown, under their own names).

Without churn scores or revenue there is no money: the impact stays in NPS points, with its interval.
Findings one action answers overlap (a driver, a topic and a KPI of the same wait): within one scope the
action is credited with the largest of them, never their sum; findings of different levels of one column
(two locations) are disjoint and add up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxtemplate.report.display import fmt_money, fmt_money_range
from cxtemplate.vocabulary import NPS_DETRACTOR_MAX

__all__ = ["ValueModel", "action_impact", "finding_points", "method_text", "retention_value", "value_model"]

@dataclass(frozen=True)
class ValueModel:
    """Annual value of one NPS point of the customer base, with its interval.

    Attributes
    ----------
    per_point, per_point_low, per_point_high : float
        Annual value (in the organisation's currency) of one NPS point, and its interval.
    points : float
        NPS points the churn model's counterfactual adds (every surveyed detractor answering as a passive).
    retained, retained_low, retained_high : float
        Annual revenue the counterfactual keeps, and its interval.
    detractors, surveyed : int
        Active customers whose last answer was a detractor's, and active customers with an answer.
    """

    per_point: float
    per_point_low: float
    per_point_high: float
    points: float
    retained: float
    retained_low: float
    retained_high: float
    detractors: int
    surveyed: int


def value_model(summary: dict | None, responses: pd.DataFrame | None, scores: pd.DataFrame | None) -> ValueModel | None:
    """The annual value of one NPS point, from the churn model's counterfactual (``None`` when there is none).

    Parameters
    ----------
    summary : dict
        Notebook 05's ``summary`` (``counterfactual_retained``, ``counterfactual_low``, ``counterfactual_high``).
    responses : DataFrame
        Survey responses with ``customer_id``, ``nps`` and, to take each customer's last answer, ``responded_at``.
    scores : DataFrame
        Notebook 05's ``scores``: the active customers (``customer_id``).

    Returns
    -------
    ValueModel or None
        ``None`` without a valued counterfactual, without responses linked to active customers, or without
        detractors among them.
    """
    s = summary or {}
    retained = s.get("counterfactual_retained")
    if not s.get("available") or retained is None or pd.isna(retained) or float(retained) <= 0:
        return None
    if responses is None or scores is None or not {"customer_id", "nps"} <= set(responses.columns) \
            or "customer_id" not in scores.columns:
        return None
    r = responses[responses["customer_id"].isin(scores["customer_id"]) & responses["nps"].notna()]
    if "responded_at" in r.columns:
        r = r.sort_values("responded_at", kind="stable")
    last = r.groupby("customer_id", observed=True)["nps"].last()
    surveyed, detractors = len(last), int((last <= NPS_DETRACTOR_MAX).sum())
    if not surveyed or not detractors:
        return None
    points = 100.0 * detractors / surveyed
    lo = s.get("counterfactual_low", retained)
    hi = s.get("counterfactual_high", retained)
    lo = float(retained if lo is None or pd.isna(lo) else lo)
    hi = float(retained if hi is None or pd.isna(hi) else hi)
    return ValueModel(per_point=float(retained) / points, per_point_low=max(lo, 0.0) / points,
                      per_point_high=hi / points, points=points, retained=float(retained), retained_low=lo,
                      retained_high=hi, detractors=detractors, surveyed=surveyed)


def finding_points(finding) -> tuple[float, float, float] | None:
    """A finding's expected gain in NPS points with its interval (``None`` when it is not stated in NPS points).

    The interval is the finding's own (``impact_low``/``impact_high``); a finding without one gets its point
    estimate at both ends.
    """
    unit = str(getattr(finding, "impact_unit", "")).lower()
    v = getattr(finding, "impact", None)
    if not unit.startswith("nps points") or v is None or pd.isna(v):
        return None
    lo, hi = getattr(finding, "impact_low", None), getattr(finding, "impact_high", None)
    lo = float(v) if lo is None or pd.isna(lo) else float(lo)
    hi = float(v) if hi is None or pd.isna(hi) else float(hi)
    return float(v), min(lo, hi), max(lo, hi)


def retention_value(reached: float | None, save_rate) -> tuple[float, float, float] | None:
    """What retention calls may save: the save rate (and its low and high values) × the value their list reaches.

    Parameters
    ----------
    reached : float
        Revenue at risk (or expected leavers) of the customers on the call list.
    save_rate : SaveRate-like
        ``rate``, ``low``, ``high`` (the params' ``churn.save_rate``).
    """
    if reached is None or pd.isna(reached) or save_rate is None:
        return None
    return (float(reached) * save_rate.rate, float(reached) * save_rate.low, float(reached) * save_rate.high)


def _combine(parts: list[tuple[str, tuple[float, float, float]]]) -> tuple[float, float, float] | None:
    """Largest within a scope; across scopes, a sum when every scope is a level of the same column, else the largest."""
    if not parts:
        return None
    best: dict[str, tuple[float, float, float]] = {}
    for scope, triple in parts:
        if scope not in best or triple[0] > best[scope][0]:
            best[scope] = triple
    columns = {s.split(":", 1)[0] for s in best}
    if len(best) > 1 and "organisation" not in best and len(columns) == 1:
        return tuple(float(np.sum([t[i] for t in best.values()])) for i in range(3))  # type: ignore[return-value]
    return max(best.values(), key=lambda t: t[0])


def action_impact(findings, model: ValueModel | None = None, *, save_rate=None,
                  reached: dict[str, float] | None = None) -> dict:
    """The expected impact of one action from the findings it answers.

    Parameters
    ----------
    findings : list of Finding
        The findings the action answers.
    model : ValueModel, optional
        The value of an NPS point (:func:`value_model`); without it nothing is valued in money.
    save_rate : SaveRate-like, optional
        The retention calls' save rate (``rate``, ``low``, ``high``).
    reached : dict, optional
        Churn finding key → revenue at risk of the customers on its call list.

    Returns
    -------
    dict
        ``impact_value``, ``impact_low``, ``impact_high`` (annual value the action may save, NaN when not valued),
        ``impact_points``, ``points_low``, ``points_high`` (NPS points, NaN when none of the findings is in NPS
        points) and ``value_at_risk``, ``value_at_risk_low``, ``value_at_risk_high`` (the value at risk of the
        customers its churn findings name, with its interval; NaN without).
    """
    nan = float("nan")
    points, money, at_risk = [], [], []
    for f in findings:
        scope = getattr(f, "scope", "organisation") or "organisation"
        if (p := finding_points(f)) is not None:
            points.append((scope, p))
            if model is not None:
                money.append((scope, (p[0] * model.per_point, p[1] * model.per_point_low,
                                      p[2] * model.per_point_high)))
        if f.kind == "churn_risk":
            if "a year" in str(f.impact_unit) and f.impact is not None and not pd.isna(f.impact):
                lo, hi = getattr(f, "impact_low", None), getattr(f, "impact_high", None)
                at_risk.append((float(f.impact), float(lo) if lo is not None and not pd.isna(lo) else nan,
                                float(hi) if hi is not None and not pd.isna(hi) else nan))
                saved = retention_value((reached or {}).get(f.key), save_rate)
                if saved is not None:
                    money.append((scope, saved))
    pts, val = _combine(points), _combine(money)
    return {"impact_value": val[0] if val else nan, "impact_low": val[1] if val else nan,
            "impact_high": val[2] if val else nan, "impact_points": pts[0] if pts else nan,
            "points_low": pts[1] if pts else nan, "points_high": pts[2] if pts else nan,
            "value_at_risk": float(np.sum([t[0] for t in at_risk])) if at_risk else nan,
            "value_at_risk_low": float(np.sum([t[1] for t in at_risk])) if at_risk else nan,
            "value_at_risk_high": float(np.sum([t[2] for t in at_risk])) if at_risk else nan}


def method_text(model: ValueModel | None, save_rate=None, currency: str | None = None, *, points: bool = True) -> str:
    """How the value an action may save is measured, naming the figures of this run (Markdown).

    Without a value model the text explains the NPS points (``points``, a survey with NPS) or is empty.
    """
    if model is None:
        if not points:
            return ""
        return ("**Expected impact.** An action's impact is the NPS points it may add to the organisation's NPS, "
                "with the interval of the finding behind it. The findings one action answers overlap, so it is "
                "credited with the largest of them, not their sum (findings at different locations add up).")
    text = (f"**Value the action may save.** The churn model's counterfactual (the {model.detractors:,} active "
            f"customers whose last answer was a detractor's answering as passives) keeps "
            f"{fmt_money(model.retained, currency)} of annual revenue "
            f"({fmt_money_range(model.retained_low, model.retained_high, currency)}) and adds "
            f"{model.points:.1f} NPS points among the {model.surveyed:,} surveyed active customers: one NPS point is "
            f"worth about {fmt_money(model.per_point, currency)} a year "
            f"({fmt_money_range(model.per_point_low, model.per_point_high, currency)}), assumed constant. An action "
            "expected to add k NPS points may save k times that; the interval combines the finding's interval with "
            "the value's. The findings one action answers overlap, so it is credited with the largest of them, not "
            "their sum (findings at different locations add up).")
    if save_rate is not None:
        text += (f" Retention calls may save {100 * save_rate.rate:.0f}% ({100 * save_rate.low:.0f}% to "
                 f"{100 * save_rate.high:.0f}%, an assumption set in the parameters) of the revenue at risk of the "
                 "customers on their call list. *Value at risk* is what the customers a finding names stand to "
                 "lose; *value the action may save* is the part of it the action can keep.")
    return text
