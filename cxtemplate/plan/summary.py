"""The executive summary (notebook 07): one page, built from earlier notebooks' artifacts only.

:func:`headline_cards` turns the artifacts into the cards shown on the summary page and on ``index.html``: one
per metric (:mod:`cxtemplate.plan.cards`: value over the cards' window with its interval and n, target and
status, sparkline, changes with their tests, the trend test), the maturity stage and the revenue at risk with
its interval. :func:`cards_html` renders them; :func:`opening_sentences` are the three to five plain sentences a
board member reads first (no method names: those go in the sections' "How this was measured" notes);
:func:`drivers_section`, :func:`first_actions_section` and :func:`methods_section` are the page's other sections.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.plan.actions import impact_text, points_text, value_text
from cxtemplate.plan.cards import TREND_PERIODS, metric_cards, period_word
from cxtemplate.report.display import TableView, fmt_money, fmt_money_range, fmt_num, labelled
from cxtemplate.report.grammar import join_list, noun, sentence, verb
from cxtemplate.report.section import Section

MAX_OPENING = 5
"""Most sentences in the opening paragraph."""
ON_TRACK = ("on track", "already met")
"""Objective statuses that count as on track."""


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return f


def _present(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def maturity_card(summary: dict | None) -> dict | None:
    """The maturity stage card, or ``None`` without an assessment."""
    if not summary or not summary.get("available", True) or "stage" not in summary:
        return None
    detail = f"mean level {summary.get('mean_level', float('nan')):.2f}"
    if summary.get("target_stage"):
        detail += f" · target stage {summary['target_stage']}"
    return {"label": "CX maturity", "value": f"Stage {summary['stage']}",
            "detail": f"{summary.get('stage_name', '')} · {detail}"}


def _valued(churn: dict | None) -> bool:
    """Whether the churn model valued the risk in revenue (a CRM with revenue): else no money is shown.

    The churn summary carries ``revenue_at_risk`` only when the CRM has revenue; a zero total (every revenue
    empty or zero) values nothing either.
    """
    if not churn or not churn.get("available") or churn.get("revenue_at_risk") is None:
        return False
    return float(churn.get("annual_revenue") or churn["revenue_at_risk"]) > 0


def churners_text(churn: dict, conf: float = 0.95) -> str:
    """'about 468 customers (95% CI 420 to 510)': the expected churners with their interval when known."""
    n = _num(churn.get("expected_churners"))
    if math.isnan(n):
        return ""
    text = f"about {fmt_num(n)} {noun(round(n), 'customer')}"
    lo, hi = _num(churn.get("expected_churners_low")), _num(churn.get("expected_churners_high"))
    if not (math.isnan(lo) or math.isnan(hi)):
        text += f" ({100 * conf:g}% CI {fmt_num(lo)} to {fmt_num(hi)})"
    return text


def revenue_card(churn: dict | None, currency: str | None, conf: float = 0.95) -> dict | None:
    """Revenue at risk over the churn horizon, with its interval and the expected churners when available."""
    if not _valued(churn):
        return None
    rar = churn["revenue_at_risk"]
    horizon = churn.get("horizon_months", 12)
    who = churners_text(churn, conf) or "customers"
    detail = f"annual revenue of {who} likely to leave within {horizon} months"
    card = {"label": "Revenue at risk", "value": fmt_money(rar, currency), "detail": detail}
    if _present(churn.get("revenue_at_risk_low")) and _present(churn.get("revenue_at_risk_high")):
        card["interval"] = (f"{100 * conf:g}% CI "
                            f"{fmt_money_range(churn['revenue_at_risk_low'], churn['revenue_at_risk_high'], currency)}")
        card["detail"] = f"{card['interval']} · {detail}"
    return card


def headline_cards(headline: pd.DataFrame | None, maturity: dict | None, churn: dict | None,
                   currency: str | None, *, tables: dict[str, pd.DataFrame | None] | None = None,
                   specs: dict[str, MetricSpec] | None = None, objectives: pd.DataFrame | None = None,
                   conf: float = 0.95, **card_options) -> list[dict]:
    """All cards of the summary page and the index, in reading order: the metrics, maturity, revenue at risk.

    Parameters
    ----------
    headline : DataFrame, optional
        Notebook 04's ``headline`` (which metrics, in which order).
    maturity, churn : dict, optional
        Notebook 01's and 05's ``summary``.
    currency : str or None
        The organisation's currency.
    tables : dict, optional
        Metric key → notebook 04's ``trend_<key>`` period table.
    specs : dict, optional
        Metric key → MetricSpec (``run.specs``).
    objectives : DataFrame, optional
        Notebook 02's ``objectives``: each metric card's target and status.
    conf : float
        Confidence level.
    **card_options
        Passed to :func:`cxtemplate.plan.cards.metric_cards` (``window_periods``, ``freq``, ``alpha``).
    """
    cards = metric_cards(headline, tables or {}, specs or {}, objectives, conf=conf, **card_options)
    for c in (maturity_card(maturity), revenue_card(churn, currency, conf)):
        if c is not None:
            cards.append(c)
    return cards


def card_html(card: dict) -> str:
    """One card as HTML: every text escaped; the sparkline's markup as cleaned by :mod:`cxtemplate.plan.cards`.

    The index's template (``index.html.j2``) writes the same structure.
    """
    e = html.escape
    status = card.get("status_class") or ""
    parts = [f'<div class="cx-k">{e(card["label"])}</div>']
    if card.get("window"):
        parts.append(f'<div class="cx-v"><span class="cx-num">{e(card["value"])}</span> '
                     f'<span class="cx-window">{e(card["window"])}</span></div>')
    else:
        parts.append(f'<div class="cx-v">{e(card["value"])}</div>')
    if card.get("sparkline"):
        parts.append(f'<div class="cx-spark-box">{card["sparkline"]}</div>')
    if card.get("interval") and card.get("n"):
        parts.append(f'<div class="cx-s">{e(card["interval"])} · {e(card["n"])}</div>')
        for key in ("target", "change_prev", "change_base", "trend"):
            if card.get(key):
                cls = f"cx-s cx-card-{key.replace('_', '-')}"
                if key == "target" and status:
                    cls += f" {status}"
                if key == "trend" and card.get("trend_alert"):
                    cls += " cx-trend-alert"
                parts.append(f'<div class="{cls}">{e(card[key])}</div>')
    else:
        parts.append(f'<div class="cx-s">{e(card.get("detail", ""))}</div>')
    extra = " cx-card-alert" if card.get("trend_alert") else ""
    return f'<div class="cx-card{extra}">' + "".join(parts) + "</div>"


def cards_html(cards: list[dict]) -> str:
    """The cards as HTML (styled by the report's CSS)."""
    return '<section class="cx-cards" aria-label="Headline numbers">' + "".join(card_html(c) for c in cards) + \
        "</section>"


# --------------------------------------------------------------------------- the opening paragraph


def in_sentence(name: str) -> str:
    """A metric's name inside a sentence: a proper name stays ('Net Promoter Score'), a common one is lower-cased
    ('Customer satisfaction (CSAT)' → 'customer satisfaction (CSAT)'), an initialism stays ('CES').

    >>> in_sentence("Net Promoter Score"), in_sentence("Customer satisfaction (CSAT)"), in_sentence("CES")
    ('Net Promoter Score', 'customer satisfaction (CSAT)', 'CES')
    """
    words = [w for w in str(name).split() if w[:1].isalpha()]
    if not words or all(w[0].isupper() for w in words) or (len(words[0]) > 1 and words[0][1].isupper()):
        return str(name)
    return str(name)[0].lower() + str(name)[1:]


def _headline_sentence(org: str, card: dict) -> str:
    scale = card["scale"].replace("% answering", "the share answering")
    return sentence(f"At {org}, the {in_sentence(card.get('name') or card['label'])} was {card['value']} in {card['window']}, "
                    f"{scale}, with a {card['interval'].replace(' CI ', ' confidence interval of ')} from "
                    f"{card['n'].replace('n = ', '')} responses")


def _moved(cards: list[dict], verb_one: str, verb_many: str, span: str) -> str:
    names = [c.get("name") or c["label"] for c in cards]
    if len(cards) == 1:
        return f"{names[0]} {verb_one} steadily {span}, {cards[0].get('trend_span', '')}".rstrip(", ")
    spans = "; ".join(f"{c['label']} {c.get('trend_span', '')}".strip() for c in cards)
    return f"{join_list(names)} {verb_many} steadily {span} ({spans})"


def _trend_sentence(cards: list[dict], freq: str) -> str:
    falling = [c for c in cards if c.get("trend_alert") and c.get("trend_direction") == "down"]
    rising = [c for c in cards if c.get("trend_alert") and c.get("trend_direction") == "up"]
    span = f"over the last {TREND_PERIODS} {period_word(freq, TREND_PERIODS)}"
    parts = []
    if falling:
        one = period_word(freq, 1)
        parts.append(_moved(falling, "has fallen", "have fallen", span) + f": a sustained decline, not {one}-to-{one} "
                     "noise")
    if rising:
        parts.append(_moved(rising, "has risen", "have risen", span))
    return sentence("; ".join(parts)) if parts else ""


def objectives_sentence(objectives: pd.DataFrame | None) -> str:
    """How many objectives are on track on their recent trend, naming those off track ('' without objectives).

    >>> import pandas as pd
    >>> objectives_sentence(pd.DataFrame({"goal": ["Grow referrals", "Cut effort"], "metric": ["NPS", "CES"],
    ...                                   "status": ["off track", "on track"]}))
    '1 of 2 objectives is on track on its recent trend; NPS (grow referrals) is off track.'
    """
    if objectives is None or objectives.empty or "status" not in objectives.columns:
        return ""
    tracked = objectives[objectives["status"].astype(str) != "no data"]
    if tracked.empty:
        return ""
    n = len(tracked)
    on = int(tracked["status"].isin(ON_TRACK).sum())
    off = tracked[tracked["status"].astype(str) == "off track"]
    if on == n:
        head = f"all {n} objectives are on track on their recent trend" if n > 1 else \
            "the objective is on track on its recent trend"
    elif on == 0:
        head = f"none of the {n} objectives is on track on its recent trend" if n > 1 else \
            "the objective is not on track on its recent trend"
    else:
        its = "its" if on == 1 else "their"
        head = f"{on} of {n} objectives {verb(on, 'is', 'are')} on track on {its} recent trend"
    if 0 < len(off) <= 3 and on > 0:
        goals = (str(g)[:1].lower() + str(g)[1:] for g in off["goal"])
        names = join_list(f"{metric} ({goal})" for metric, goal in zip(off["metric"], goals))
        head += f"; {names} {verb(len(off), 'is', 'are')} off track"
    return sentence(head)


def _drivers_sentence(drivers: pd.DataFrame | None, rating_scale: tuple[float, float] | None) -> str:
    if drivers is None or drivers.empty or "Quadrant" not in drivers.columns:
        return ""
    conc = drivers[drivers["Quadrant"].astype(str).str.startswith("Concentrate")]
    if conc.empty:
        return ""
    r = conc.iloc[0]
    rated = f"rated {_num(r['Mean rating']):.1f}" + (f" out of {rating_scale[1]:g}" if rating_scale else "")
    return sentence(f"{r['Driver']} is where improvement would count most: it matters to customers and is {rated}, "
                    "below the other drivers")


def _money_sentence(churn: dict | None, currency: str | None, conf: float) -> str:
    if not _valued(churn):  # no revenue (a CRM without it): the expected leavers alone, when the model scored them
        who = churners_text(churn, conf) if churn and churn.get("available", True) else ""
        if not who:
            return ""
        of = f" of the {fmt_num(churn['active'])} active customers" if _present(churn.get("active")) else ""
        return sentence(f"{who}{of} {'is' if who.startswith('about 1 ') else 'are'} likely to leave within "
                        f"{churn.get('horizon_months', 12)} months")
    horizon = churn.get("horizon_months", 12)
    who = churners_text(churn, conf) or "customers"
    money = fmt_money(churn["revenue_at_risk"], currency)
    if _present(churn.get("revenue_at_risk_low")) and _present(churn.get("revenue_at_risk_high")):
        money += (f" ({100 * conf:g}% CI "
                  f"{fmt_money_range(churn['revenue_at_risk_low'], churn['revenue_at_risk_high'], currency)})")
    return sentence(f"{who} {'is' if who.startswith('about 1 ') else 'are'} likely to leave within {horizon} months, "
                    f"taking {money} of annual revenue with them")


def _action_sentence(register: pd.DataFrame | None, currency: str | None = "GBP") -> str:
    if register is None or register.empty:
        return ""
    r = register.iloc[0]
    # actions are named as noun phrases ("Retention outreach to …") or as orders ("Simplify …"): "First action:"
    # reads right with both, "The first action is to …" only with an order
    who = f", owned by {r['owner']}" if _present(r.get("owner")) and str(r.get("owner")) else ""
    due = f", due {r['due']}" if _present(r.get("due")) and str(r.get("due")) else ""
    impact = ""
    if _present(r.get("impact_value")):
        impact = f"; it may save {value_text(r, currency)} a year"
    elif _present(r.get("impact_points")):
        impact = f"; it may add {points_text(r)} NPS points"
    return sentence(f"First action: {r['action']}{who}{due}{impact}")


def opening_sentences(org: str, cards: list[dict], objectives: pd.DataFrame | None, drivers: pd.DataFrame | None,
                      churn: dict | None, register: pd.DataFrame | None, currency: str | None, *,
                      rating_scale: tuple[float, float] | None = None, freq: str = "M",
                      conf: float = 0.95) -> list[str]:
    """The opening paragraph: at most five plain sentences, from the results, with no method names.

    In reading order: the first metric with its interval, n and scale; any sustained trend the trend test called
    out; how many objectives are on track; the driver with most room; the revenue at risk with its interval; the
    first action. When there are more than :data:`MAX_OPENING`, the driver sentence goes first, then the
    objectives'.

    Parameters
    ----------
    org : str
        The organisation's name.
    cards : list of dict
        :func:`headline_cards` (the metric cards carry ``window``, ``interval``, ``trend_alert`` …).
    objectives : DataFrame, optional
        Notebook 02's ``objectives``.
    drivers : DataFrame, optional
        Notebook 04's ``drivers`` (``Driver``, ``Mean rating``, ``Quadrant``).
    churn : dict, optional
        Notebook 05's ``summary``.
    register : DataFrame, optional
        Notebook 06's ``register``, first action first.
    currency : str or None
        The organisation's currency.
    rating_scale : (float, float), optional
        The driver ratings' scale (``cfg.metrics.drivers.scale``): "rated 5.8 out of 10".
    freq : {"M", "Q"}
        Reporting frequency.
    conf : float
        Confidence level.

    Returns
    -------
    list of str
    """
    metrics = [c for c in cards if c.get("window") and c.get("interval") and c.get("n")]
    ranked = [  # (priority: lower is kept first, text)
        (0, _headline_sentence(org, metrics[0]) if metrics else ""),
        (1, _trend_sentence(metrics, freq)),
        (4, objectives_sentence(objectives)),
        (5, _drivers_sentence(drivers, rating_scale)),
        (2, _money_sentence(churn, currency, conf)),
        (3, _action_sentence(register, currency)),
    ]
    present = [(i, pr, t) for i, (pr, t) in enumerate(ranked) if t]
    kept = sorted(sorted(present, key=lambda x: x[1])[:MAX_OPENING])
    return [t for _, _, t in kept]


def opening_sentence(*args, **kwargs) -> str:
    """:func:`opening_sentences` as one paragraph (the index shows it under the title)."""
    return " ".join(opening_sentences(*args, **kwargs))


# --------------------------------------------------------------------------- the page's sections


def drivers_sentence(drivers: pd.DataFrame | None, top: int = 3,
                     rating_scale: tuple[float, float] | None = None) -> str:
    """The ``top`` drivers with their share of what the ratings explain and their mean rating, in plain words.

    Parameters
    ----------
    drivers : DataFrame, optional
        Notebook 04's driver table, most important first (``Driver``, ``Share of R² %``, ``Mean rating``).
    top : int
        How many drivers to name.
    rating_scale : (float, float), optional
        The ratings' scale: "rated 5.8 out of 10".

    Returns
    -------
    str
        The sentence, or one saying no key-driver analysis was possible.
    """
    if drivers is None or drivers.empty:
        return "*No key-driver analysis was possible (no driver ratings).*"
    out_of = f" out of {rating_scale[1]:g}" if rating_scale else ""
    named = "; ".join(f"**{r['Driver']}** ({r['Share of R² %']:.0f}% of what the ratings explain, rated "
                      f"{r['Mean rating']:.1f}{out_of})" for _, r in drivers.head(top).iterrows())
    return sentence(f"What moves the score most: {named}")


def drivers_method(drivers_summary: dict | None) -> str:
    """The driver model's method, R² and n, for the section's "How this was measured" note."""
    d = drivers_summary or {}
    outcome = str(d.get("outcome", "")).upper()
    of = f" of {outcome}" if outcome else ""
    return (f"Driver importance{of}: {d.get('method', 'Shapley value regression')} on the driver ratings, "
            f"R² = {_num(d.get('r2')):.2f}, n = {int(_num(d.get('n')) if _present(d.get('n')) else 0):,}; "
            "the share is each rating's part of the variance the ratings explain together.")


def first_actions_view(register: pd.DataFrame, currency: str | None = "GBP") -> TableView:
    """The register's first five actions with their expected impact, owner and due date."""
    first = register.head(5).assign(**{"Expected impact": lambda d: d.apply(impact_text, axis=1, currency=currency)})
    return TableView(labelled(first, {"rank": "#", "action": "Action", "Expected impact": "Expected impact",
                                      "owner": "Owner", "due": "Due"}), "The first five actions",
                     note=f"In the order of the action register: {_ranking_words(register)}; the full register is on "
                          "the Action plan page.")


def _ranking_words(register: pd.DataFrame) -> str:
    """How the register is ranked, naming only the units it holds (no NPS points without NPS, no value without money)."""
    has = (lambda col: col in register.columns and register[col].notna().any())  # noqa: E731
    by = [words for col, words in (("impact_value", "by the value each action may save a year"),
                                    ("impact_points", "by the NPS points it may add")) if has(col)]
    return ", then ".join(by) if by else "by priority (impact, confidence and effort)"


def methods_note(maturity: dict | None, churn: dict | None, currency: str | None = "GBP") -> str:
    """The page's method facts: maturity stage and the churn model's quality, as one text ('' when neither).

    When money is shown (revenue at risk) and no currency is set, it also says the amounts carry none.
    """
    m = maturity or {}
    facts = []
    if m.get("stage"):
        facts.append(f"CX maturity: stage {m['stage']} ({m.get('stage_name', '')}), "
                     f"target stage {m.get('target_stage')}")
    if churn and churn.get("available"):
        facts.append(f"churn model concordance {_num(churn.get('concordance')):.2f} in cross-validation, "
                     f"calibration error (ICI) {_num(churn.get('ici')):.3f} "
                     f"at {churn.get('horizon_months', 12)} months")
    if _valued(churn) and not currency:
        facts.append("amounts are shown without a currency symbol (the parameters set no `organisation.currency`)")
    if not facts:
        return ""
    return sentence("; ".join(facts)) + " Definitions and methods are on the detailed pages."


CARDS_METHOD = (
    "Each metric card shows the value over the cards' reporting window with its {conf} interval and the number of "
    "responses. The change since the previous period and since the baseline period is tested as on the Experience "
    "analysis page (two-sample tests, Benjamini–Hochberg adjusted across the periods). The trend is a weighted "
    "least-squares slope over the last {trend} periods (each period weighted by its sampling precision, the "
    "uncertainty widened by any period-to-period wobble beyond sampling error, t test), its p-value "
    "Benjamini–Hochberg adjusted across the metrics: it catches a slow, sustained slide that no single "
    "period-on-period test sees. Target and status come from the Objectives page: on track when the recent "
    "trend reaches the target by the deadline, at risk when only its interval does, off track otherwise. The "
    "sparkline shows the last 12 periods; a period without responses breaks the line.")


def cards_method(conf: float = 0.95, trend_periods: int = TREND_PERIODS) -> str:
    """How the cards were measured, for the "How this was measured" note."""
    return CARDS_METHOD.format(conf=f"{100 * conf:g}%", trend=trend_periods)


def cards_method_section(cards: list[dict], conf: float = 0.95, facts: str = "") -> Section:
    """The cards' "How this was measured" note: how the metric cards were measured (when a metric has a card),
    then ``facts`` (:func:`methods_note`: the maturity stage and the churn model's quality behind the other cards)."""
    section = Section()
    if any(c.get("window") for c in cards):
        section.method(cards_method(conf))
    if facts:
        section.method(facts)
    return section


def drivers_section(drivers: pd.DataFrame | None, drivers_summary: dict | None = None, *,
                    survey: bool = True, rating_scale: tuple[float, float] | None = None) -> Section:
    """The top drivers (:func:`drivers_sentence`), the model in the method note; nothing at all without survey
    responses (the page has no key-driver analysis to speak of)."""
    section = Section()
    if survey:
        section.say(drivers_sentence(drivers, rating_scale=rating_scale))
        if drivers is not None and not drivers.empty:
            section.method(drivers_method(drivers_summary))
    return section


def first_actions_section(register: pd.DataFrame | None, currency: str | None = "GBP") -> Section:
    """The register's first five actions (:func:`first_actions_view`), or the sentence that there are none."""
    section = Section()
    if register is None or register.empty:
        section.say("*No action was generated.*")
    else:
        section.table(first_actions_view(register, currency))
    return section


def methods_section(maturity: dict | None, churn: dict | None, currency: str | None = "GBP") -> Section:
    """The closing section: the method facts (:func:`methods_note`) in its "How this was measured" note, and the
    sentence that amounts carry no currency when none is set."""
    section = Section()
    facts = methods_note(maturity, churn, currency)
    if facts:
        section.method(facts)
    return section
