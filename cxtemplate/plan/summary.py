"""The executive summary (notebook 07): one page, built from earlier notebooks' artifacts only.

:func:`headline_cards` turns the artifacts into the cards shown on the summary page and on
``index.html`` (metric value with its interval, n and change; maturity stage; revenue at risk);
:func:`cards_html` renders them; :func:`opening_sentence` is the paragraph an executive reads first.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from cxtemplate.report.display import fmt_money


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return f


def metric_cards(headline: pd.DataFrame | None, alpha: float = 0.05) -> list[dict]:
    """One card per metric: latest value, interval, n and change vs the previous period."""
    cards = []
    if headline is None or headline.empty:
        return cards
    for _, r in headline.iterrows():
        mean = "mean" in str(r["unit"]).lower()
        dec = 2 if mean else 0
        v, lo, hi = _num(r["value"]), _num(r["ci_low"]), _num(r["ci_high"])
        ch, p = _num(r.get("change_prev")), _num(r.get("p_adj_prev"))
        if math.isnan(ch):
            change = "no previous period"
        else:
            sig = "significant" if (not math.isnan(p) and p < alpha) else "not significant"
            change = f"{ch:+.{dec if mean else 1}f} vs previous period ({sig})".replace("-", "−")
        value = f"{v:.{dec}f}" + ("%" if "%" in str(r["unit"]) else "")
        cards.append({"label": f"{r['metric']} · {r['period']}", "value": value.replace("-", "−"),
                      "detail": f"95% CI {lo:.{dec}f} to {hi:.{dec}f} · n = {int(r['n']):,} · {change}"})
    return cards


def maturity_card(summary: dict | None) -> dict | None:
    """The maturity stage card, or ``None`` without an assessment."""
    if not summary or not summary.get("available", True) or "stage" not in summary:
        return None
    detail = f"mean level {summary.get('mean_level', float('nan')):.2f}"
    if summary.get("target_stage"):
        detail += f" · target stage {summary['target_stage']}"
    return {"label": "CX maturity", "value": f"Stage {summary['stage']}", "detail": f"{summary.get('stage_name', '')} · {detail}"}


def revenue_card(churn: dict | None, currency: str) -> dict | None:
    """Revenue at risk over the churn horizon, with its interval when available."""
    if not churn or not churn.get("available") or churn.get("revenue_at_risk") is None:
        return None
    rar = churn["revenue_at_risk"]
    detail = f"annual revenue of customers likely to leave within {churn.get('horizon_months', 12)} months"
    if churn.get("revenue_at_risk_low") is not None:
        detail = (f"95% CI {fmt_money(churn['revenue_at_risk_low'], currency)} to "
                  f"{fmt_money(churn['revenue_at_risk_high'], currency)} · " + detail)
    return {"label": "Revenue at risk", "value": fmt_money(rar, currency), "detail": detail}


def headline_cards(headline: pd.DataFrame | None, maturity: dict | None, churn: dict | None,
                   currency: str) -> list[dict]:
    """All cards of the summary page and the index, in reading order."""
    cards = metric_cards(headline)
    for c in (maturity_card(maturity), revenue_card(churn, currency)):
        if c is not None:
            cards.append(c)
    return cards


def cards_html(cards: list[dict]) -> str:
    """The cards as HTML (styled by the report's CSS)."""
    items = "".join(
        f'<div class="cx-card"><div class="cx-k">{html.escape(c["label"])}</div>'
        f'<div class="cx-v">{html.escape(c["value"])}</div><div class="cx-s">{html.escape(c["detail"])}</div></div>'
        for c in cards)
    return f'<section class="cx-cards">{items}</section>'


def opening_sentence(org: str, headline: pd.DataFrame | None, drivers: pd.DataFrame | None,
                     churn: dict | None, register: pd.DataFrame | None, currency: str) -> str:
    """The first paragraph of the summary: where the organisation stands and what to do first."""
    parts = []
    if headline is not None and not headline.empty:
        r = headline.iloc[0]
        parts.append(f"{org}'s {r['metric']} stands at {_num(r['value']):.0f} "
                     f"(95% CI {_num(r['ci_low']):.0f} to {_num(r['ci_high']):.0f}) in {r['period']}")
    if drivers is not None and not drivers.empty:
        conc = drivers[drivers["Quadrant"].astype(str).str.startswith("Concentrate")]["Driver"].tolist()
        if conc:
            parts.append(f"the lever with most room is {conc[0].lower()}, important to customers and rated below the other drivers")
    if churn and churn.get("available") and churn.get("revenue_at_risk") is not None:
        parts.append(f"{fmt_money(churn['revenue_at_risk'], currency)} of annual revenue sits with customers likely to "
                     f"leave within {churn.get('horizon_months', 12)} months")
    text = "; ".join(parts) + "." if parts else ""
    if register is not None and not register.empty:
        r = register.iloc[0]
        text += f" The first action is to {r['action'][0].lower() + r['action'][1:]} ({r['owner']}, by {r['due']})."
    return text[0].upper() + text[1:] if text else ""
