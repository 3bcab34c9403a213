"""The executive summary (notebook 07): one page, built from earlier notebooks' artifacts only.

:func:`headline_cards` turns the artifacts into the cards shown on the summary page and on
``index.html`` (metric value with its interval, n and change; maturity stage; revenue at risk);
:func:`cards_html` renders them; :func:`opening_sentence` is the paragraph an executive reads first;
:func:`drivers_sentence`, :func:`first_actions_view` and :func:`methods_note` are the page's other sections.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from cxtemplate.plan.actions import impact_text
from cxtemplate.report.display import TableView, fmt_money, labelled
from cxtemplate.report.section import Section


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
                      "detail": (f"95% CI {lo:.{dec}f} to {hi:.{dec}f}" if not (math.isnan(lo) or math.isnan(hi))
                                 else "too few responses for an interval") + f" · n = {int(r['n']):,} · {change}"})
    return cards


def maturity_card(summary: dict | None) -> dict | None:
    """The maturity stage card, or ``None`` without an assessment."""
    if not summary or not summary.get("available", True) or "stage" not in summary:
        return None
    detail = f"mean level {summary.get('mean_level', float('nan')):.2f}"
    if summary.get("target_stage"):
        detail += f" · target stage {summary['target_stage']}"
    return {"label": "CX maturity", "value": f"Stage {summary['stage']}", "detail": f"{summary.get('stage_name', '')} · {detail}"}


def _valued(churn: dict | None) -> bool:
    """Whether the churn model valued the risk in revenue (a CRM with revenue): else no money is shown.

    The churn summary carries ``revenue_at_risk`` only when the CRM has revenue; a zero total (every revenue
    empty or zero) values nothing either.
    """
    if not churn or not churn.get("available") or churn.get("revenue_at_risk") is None:
        return False
    return float(churn.get("annual_revenue") or churn["revenue_at_risk"]) > 0


def revenue_card(churn: dict | None, currency: str) -> dict | None:
    """Revenue at risk over the churn horizon, with its interval when available."""
    if not _valued(churn):
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
    if _valued(churn):
        parts.append(f"{fmt_money(churn['revenue_at_risk'], currency)} of annual revenue sits with customers likely to "
                     f"leave within {churn.get('horizon_months', 12)} months")
    text = "; ".join(parts) + "." if parts else ""
    if register is not None and not register.empty:
        r = register.iloc[0]
        # actions are named as noun phrases ("Retention outreach to …") or as orders ("Simplify …"): "First action:"
        # reads right with both, "The first action is to …" only with an order
        text += (" " if text else "") + f"First action: {r['action']} ({r['owner']}, by {r['due']})."
    return text[0].upper() + text[1:] if text else ""


def drivers_sentence(drivers: pd.DataFrame | None, drivers_summary: dict | None = None, top: int = 3) -> str:
    """The ``top`` drivers with their share of explained variance and mean rating, and the model's method, R² and n.

    Parameters
    ----------
    drivers : DataFrame, optional
        Notebook 04's driver table, most important first (``Driver``, ``Share of R² %``, ``Mean rating``).
    drivers_summary : dict, optional
        Notebook 04's ``drivers_summary`` (``method``, ``r2``, ``n``).

    Returns
    -------
    str
        The sentence, or one saying no key-driver analysis was possible.
    """
    if drivers is None or drivers.empty:
        return "*No key-driver analysis was possible (no driver ratings).*"
    d = drivers_summary or {}
    named = "; ".join(f"**{r['Driver']}** ({r['Share of R² %']:.0f}% of what the ratings explain, rated "
                      f"{r['Mean rating']:.1f})" for _, r in drivers.head(top).iterrows())
    return (named + f". Method: {d.get('method', 'Shapley value regression')}, "
            f"R² = {d.get('r2', float('nan')):.2f}, n = {d.get('n', 0):,}.")


def first_actions_view(register: pd.DataFrame, currency: str = "GBP") -> TableView:
    """The register's first five actions with their expected impact, owner and due date."""
    first = register.head(5).assign(**{"Expected impact": lambda d: d.apply(impact_text, axis=1, currency=currency)})
    return TableView(labelled(first, {"rank": "#", "action": "Action", "Expected impact": "Expected impact",
                                      "owner": "Owner", "due": "Due"}), "Top five actions by priority",
                     note="Priority = impact score × confidence ÷ effort; the full register is on the Action plan page.")


def methods_note(maturity: dict | None, churn: dict | None, currency: str | None = "GBP") -> str:
    """The closing note: maturity stage and the churn model's quality ('' when neither is available), as HTML.

    When money is shown (revenue at risk) and no currency is set, it also says the amounts carry none.
    """
    m = maturity or {}
    facts = []
    if m.get("stage"):
        facts.append(f"CX maturity: stage {m['stage']} ({m.get('stage_name', '')}), target stage {m.get('target_stage')}")
    if churn and churn.get("available"):
        facts.append(f"churn model concordance {churn.get('concordance', float('nan')):.2f} in cross-validation, "
                     f"calibration error (ICI) {churn.get('ici', float('nan')):.3f} at {churn.get('horizon_months', 12)} months")
    if _valued(churn) and not currency:
        facts.append("amounts are shown without a currency symbol (the parameters set no `organisation.currency`)")
    if not facts:
        return ""
    text = "; ".join(facts)
    return f"<span class='cx-note'>{text[:1].upper()}{text[1:]}. Definitions and methods are on the detailed pages.</span>"


# --------------------------------------------------------------------------- the page's sections


def drivers_section(drivers: pd.DataFrame | None, drivers_summary: dict | None = None, *,
                    survey: bool = True) -> Section:
    """The top drivers (:func:`drivers_sentence`); nothing at all without survey responses (the page has no
    key-driver analysis to speak of)."""
    section = Section()
    if survey:
        section.say(drivers_sentence(drivers, drivers_summary))
    return section


def first_actions_section(register: pd.DataFrame | None, currency: str | None = "GBP") -> Section:
    """The register's first five actions (:func:`first_actions_view`), or the sentence that there are none."""
    section = Section()
    if register is None or register.empty:
        section.say("*No action was generated.*")
    else:
        section.table(first_actions_view(register, currency))
    return section
