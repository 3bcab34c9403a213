"""Names people can read: the display label of every column or variable a page shows.

A stakeholder never sees ``responded_at``, ``agent_id`` or ``nps_category: none_yet``: tables and charts name
columns with :func:`display_label`, which takes the params' ``reporting.labels`` (the consultant's words win),
then the built-in labels of the canonical schema and of derived variables, and otherwise derives one from the
name ("unresolved_contacts" → "Unresolved contacts", "store_id" → "Store", "renewed_at" → "Renewed date").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["CANONICAL_COLUMNS", "KNOWN_LABELS", "LEVEL_LABELS", "display_label", "display_labels", "display_level"]

KNOWN_LABELS: dict[str, str] = {
    # customers
    "customer_id": "Customer", "start_date": "Customer since", "end_date": "Left on", "tenure": "Tenure",
    "tenure_days": "Tenure (days)", "churned": "Left", "segment": "Segment", "location": "Location", "plan": "Plan",
    "revenue": "Revenue", "contact_name": "Name", "contact_email": "E-mail", "contact_phone": "Phone",
    # responses
    "response_id": "Response", "responded_at": "Response date", "journey_stage": "Journey stage",
    "touchpoint": "Touchpoint", "channel": "Channel", "agent_id": "Agent", "nps": "Likelihood to recommend (0–10)",
    "csat": "Satisfaction score", "ces": "Effort score", "comment": "Comment",
    # interactions
    "interaction_id": "Contact", "started_at": "Contact date", "intent": "Reason for contact",
    "sentiment": "Sentiment", "resolved": "Resolved", "handle_seconds": "Handling time (seconds)",
    "text": "Conversation text",
    # operations
    "period": "Period", "kpi": "Measure", "value": "Value",
    # maturity answers
    "respondent_id": "Respondent", "role": "Role", "dimension": "Dimension", "practice": "Practice", "level": "Level",
    # derived variables of the analyses
    "nps_category": "NPS group at last survey", "unresolved_contacts": "Unresolved contacts",
    "negative_contacts": "Negative contacts", "p_adj": "Adjusted p", "p_value": "p", "ci_low": "Low",
    "ci_high": "High", "n": "n",
}
"""The built-in display label of each canonical column and of the derived variables the analyses use."""

CANONICAL_COLUMNS: frozenset[str] = frozenset({
    "customer_id", "start_date", "end_date", "tenure", "churned", "segment", "location", "plan", "revenue",
    "contact_name", "contact_email", "contact_phone",
    "response_id", "responded_at", "journey_stage", "touchpoint", "channel", "agent_id", "nps", "csat", "ces",
    "comment",
    "interaction_id", "started_at", "intent", "sentiment", "resolved", "handle_seconds", "text",
    "period", "kpi", "value",
    "respondent_id", "role", "dimension", "practice", "level",
    "nps_category", "unresolved_contacts", "negative_contacts", "tenure_days",
})
"""Canonical schema names (and the derived CX covariates): never a table header on a page."""

LEVEL_LABELS: dict[str, dict[str, str]] = {
    "nps_category": {"promoter": "promoter", "passive": "passive", "detractor": "detractor",
                     "none_yet": "not yet surveyed"},
}
"""Display words of coded levels, per column (e.g. the churn model's ``none_yet``)."""

_ACRONYMS = {"nps", "csat", "ces", "cx", "fte", "kpi", "id", "sla", "aht", "fcr", "crm", "ivr", "sms", "uk", "us",
             "eu", "api", "url", "vip", "b2b", "b2c", "smb"}


def _derived(column: str) -> str:
    name = str(column).strip()
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        return name  # already words ("Support NPS", "Wait time (minutes)"): shown as given
    # snake_case and CamelCase alike: "NumOfProducts" → num of products, "HasCrCard" → has cr card, "CSATScore" → CSAT score
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    words = [w for w in spaced.split("_") if w]
    if len(words) > 1 and words[-1].lower() == "id":
        words = words[:-1]
    elif len(words) > 1 and words[-1].lower() == "at":
        words[-1] = "date"
    elif len(words) > 1 and words[-1].lower() in ("pct", "percent"):
        words[-1] = "(%)"
    elif len(words) > 1 and words[-1].lower() in ("secs", "seconds"):
        words[-1] = "(seconds)"
    elif len(words) > 1 and words[-1].lower() in ("mins", "minutes"):
        words[-1] = "(minutes)"
    shown = [w.upper() if w.lower() in _ACRONYMS else w.lower() for w in words]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


def display_label(column: Any, labels: Mapping[str, str] | None = None) -> str:
    """The label a reader sees for ``column``.

    Parameters
    ----------
    column : str
        A canonical, derived or client column name.
    labels : mapping, optional
        The params' ``reporting.labels`` (``cfg.display_labels``): column → label; these win.

    Returns
    -------
    str

    Examples
    --------
    >>> display_label("unresolved_contacts"), display_label("responded_at"), display_label("store_id")
    ('Unresolved contacts', 'Response date', 'Store')
    >>> display_label("speed_of_service"), display_label("csat_pct"), display_label("Wait (mins)")
    ('Speed of service', 'CSAT (%)', 'Wait (mins)')
    >>> display_label("CreditScore"), display_label("NumOfProducts"), display_label("CSATScore")
    ('Credit score', 'Num of products', 'CSAT score')
    >>> display_label("speed_of_service", {"speed_of_service": "Speed of service at the till"})
    'Speed of service at the till'
    """
    key = str(column)
    if labels and key in labels:
        return str(labels[key])
    if key in KNOWN_LABELS:
        return KNOWN_LABELS[key]
    return _derived(key)


def display_labels(columns: Iterable[Any], labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Column → display label for each of ``columns`` (see :func:`display_label`).

    >>> display_labels(["agent_id", "nps"])
    {'agent_id': 'Agent', 'nps': 'Likelihood to recommend (0–10)'}
    """
    return {str(c): display_label(c, labels) for c in columns}


def display_level(column: Any, level: Any, labels: Mapping[str, str] | None = None) -> str:
    """The words for a coded level of ``column``: ``display_level("nps_category", "none_yet")`` → 'not yet surveyed'.

    ``labels`` may name a level as ``"column=level"`` (e.g. ``{"plan=Pro": "Professional plan"}``).

    >>> display_level("nps_category", "none_yet"), display_level("plan", "Pro"), display_level("plan", "month_to_month")
    ('not yet surveyed', 'Pro', 'month to month')
    """
    key = f"{column}={level}"
    if labels and key in labels:
        return str(labels[key])
    known = LEVEL_LABELS.get(str(column), {})
    if str(level) in known:
        return known[str(level)]
    text = str(level)
    return text.replace("_", " ") if re.fullmatch(r"[a-z0-9_]+", text) else text
