"""Closed-loop follow-up queues: who to call back, and who to contact before they leave.

Each queue comes in two versions. The *report* version carries ids, context and redacted
comments only, and is safe to render, e-mail or open in a spreadsheet. The *restricted*
version adds the customer's contact details from the CRM and is written only to the run's
``restricted/`` folder, which is never rendered into a page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxtemplate.data.spreadsheet import write_csv
from cxtemplate.report.display import TableView, fmt_money, labelled
from cxtemplate.report.grammar import capitalise
from cxtemplate.report.labels import display_labels

DETRACTOR_MAX = 6


def detractor_queue(responses: pd.DataFrame, *, as_of, days: int = 30, owner: str | None = None,
                    max_rows: int = 500) -> pd.DataFrame:
    """Identified detractors of the last ``days`` days, most recent and most unhappy first.

    Parameters
    ----------
    responses : DataFrame
        Canonical responses (comments already redacted by integration).
    as_of : date-like or None
        End of the window; ``None`` (no calendar dates) takes every identified detractor.
    days : int
        How far back the inner loop reaches.
    owner : str, optional
        Who works the queue (a governance role label).

    Returns
    -------
    DataFrame
        response_id, customer_id, responded_at, touchpoint, location, agent_id, nps, comment, owner.
    """
    if responses is None or "nps" not in responses.columns or "customer_id" not in responses.columns:
        return pd.DataFrame()
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1) if as_of is not None else None
    start = end - pd.Timedelta(days=days) if end is not None else None
    df = responses[(responses["nps"] <= DETRACTOR_MAX) & responses["customer_id"].notna()]
    if "responded_at" in df.columns and as_of is not None:
        df = df[(df["responded_at"] >= start) & (df["responded_at"] < end)]
    cols = [c for c in ("response_id", "customer_id", "responded_at", "touchpoint", "location", "agent_id", "nps",
                        "comment") if c in df.columns]
    out = df[cols].sort_values(["nps", "responded_at"] if "responded_at" in cols else ["nps"],
                               ascending=[True, False] if "responded_at" in cols else [True]).head(max_rows)
    out = out.drop_duplicates("customer_id")
    out["owner"] = owner or ""
    return out.reset_index(drop=True)


def restricted_version(queue: pd.DataFrame, contacts: pd.DataFrame | None) -> pd.DataFrame:
    """The queue with the customers' contact details added (for the restricted folder only)."""
    if contacts is None or queue.empty:
        return queue
    return queue.merge(contacts, on="customer_id", how="left")


def write_restricted(queue: pd.DataFrame, restricted_dir: Path, name: str) -> Path:
    """Write a restricted queue as CSV into the run's ``restricted/`` folder.

    Every text cell is neutralised against formula injection (:func:`cxtemplate.data.spreadsheet.write_csv`):
    contact names and comments come from the client's exports.
    """
    return write_csv(queue, restricted_dir / f"{name}.csv")


def read_contacts(restricted_dir: Path) -> pd.DataFrame | None:
    """Contact details saved by integration, or ``None`` when the CRM had none."""
    path = restricted_dir / "contacts.parquet"
    if not path.is_file():
        return None
    from cxtemplate.data.files import read_parquet

    return read_parquet(path)


# --------------------------------------------------------------------------- the queues as the page shows them


def queue_sentence(queue: pd.DataFrame, owner: str) -> str:
    """How many detractors to call back, and who calls."""
    return f"**{len(queue)} detractors** to call back (owner: {owner})."


def followup_method(*, callbacks: bool, retention: bool, revenue: bool = True, days: int | None = 30) -> str:
    """What the follow-up section does, naming only the queues there can be.

    Parameters
    ----------
    callbacks : bool
        Whether detractors can be called back (survey responses with NPS and customer ids).
    retention : bool
        Whether there is a retention list (churn scores of active customers).
    revenue : bool
        Whether the retention list is weighted by revenue.
    days : int or None
        The callback window; ``None`` without calendar dates.
    """
    parts = []
    if callbacks:
        when = f" of the last {days} days" if days else ""
        parts.append(f"The **inner loop**: identified detractors{when}, to be called back by the\nfrontline.")
    if retention:
        weighted = "with the most revenue at risk" if revenue else "most likely to leave within the churn horizon"
        parts.append(f"The **retention call list**: the active customers of the group the churn finding names,\n"
                     f"{weighted}, with the reasons their risk is high.")
    if not parts:
        return ""
    return " ".join(parts) + (" The versions\nshown and saved with the report carry ids and redacted comments only; the "
                              "versions with contact\ndetails are written to the run's restricted folder for the named "
                              "owners.")


def callback_absence(responses: pd.DataFrame | None, *, dated: bool = True, days: int = 30) -> tuple[str, str]:
    """Why the callback queue is empty, in the words of what is missing (for ``absent(...)``).

    No survey is "no survey responses", not "no detractors": the sentence names the first missing input
    (responses, their NPS scores, their customer ids), and only with all of them says no detractor answered.
    """
    if responses is None:
        return "There are no survey responses", "there is no callback queue"
    if "nps" not in responses.columns or not responses["nps"].notna().any():
        return "There are no NPS scores", "there is no callback queue of detractors"
    if "customer_id" not in responses.columns or not responses["customer_id"].notna().any():
        return "The survey responses carry no customer ids", "no detractor can be called back"
    when = f" in the last {days} days" if dated else ""
    return f"No identified detractor answered{when}", "the callback queue is empty"


def callback_view(queue: pd.DataFrame, n: int = 10, labels=None) -> TableView:
    """The first ``n`` rows of the redacted callback queue under human labels (without the owner column; minutes of
    the answer time). ``labels`` is the params' ``reporting.labels`` (they win over the built-in labels)."""
    shown = queue.head(n).drop(columns=["owner"], errors="ignore")
    names = display_labels(shown.columns, labels)
    return TableView(labelled(shown, names), f"Callback queue (first {n}, redacted)",
                     formats={names.get("responded_at", "responded_at"): lambda v: str(v)[:16],
                              names.get("nps", "nps"): "{:.0f}"})


def scope_filter(scope: str | None) -> tuple[str, str] | None:
    """A finding's scope as (column, level): 'segment: Small business' → ('segment', 'Small business'); ``None`` for the
    organisation (or an unparsable scope)."""
    if not scope or scope == "organisation" or ": " not in str(scope):
        return None
    column, level = str(scope).split(": ", 1)
    return column.strip(), level.strip()


def call_list(scores: pd.DataFrame | None, at_risk: pd.DataFrame | None, scope: str | None, n: int = 50) -> pd.DataFrame:
    """The retention call list that answers a churn finding: the ``n`` active customers of the finding's group (its
    segment, location …) with the most revenue at risk (the most likely to leave, without revenue).

    Parameters
    ----------
    scores : DataFrame
        Notebook 05's ``scores`` (every active customer: ``churn_probability``, ``revenue_at_risk`` …).
    at_risk : DataFrame, optional
        Notebook 05's retention list, whose ``reasons`` are kept for the customers on both lists.
    scope : str
        The finding's scope ('segment: Small business'); the organisation takes every customer.
    n : int
        Length of the list (the params' ``churn.top_customers``).

    Returns
    -------
    DataFrame
        rank, customer_id, the group columns, churn_probability, annual_revenue, revenue_at_risk, reasons. A customer
        with no reason from notebook 05 is given their risk against their group's average.
    """
    if scores is None or scores.empty or "churn_probability" not in scores.columns:
        return pd.DataFrame()
    df = scores
    where = scope_filter(scope)
    if where is not None and where[0] in df.columns:
        df = df[df[where[0]].astype(str) == where[1]]
    if df.empty:
        return pd.DataFrame()
    valued = "revenue_at_risk" in df.columns and pd.to_numeric(df["revenue_at_risk"], errors="coerce").fillna(0).gt(0).any()
    by = "revenue_at_risk" if valued else "churn_probability"
    mean = float(df["churn_probability"].mean())
    top = df.sort_values([by, "customer_id"], ascending=[False, True], kind="stable").head(n)
    keep = [c for c in ("customer_id", "segment", "plan", "location", "churn_probability", "annual_revenue",
                        "revenue_at_risk") if c in top.columns]
    out = top[keep].reset_index(drop=True)
    reasons = pd.Series(index=out.index, dtype=object)
    if at_risk is not None and {"customer_id", "reasons"} <= set(at_risk.columns):
        known = at_risk.drop_duplicates("customer_id").set_index("customer_id")["reasons"]
        reasons = out["customer_id"].map(known)
    group = f"{where[1]} customers" if where is not None else "all customers"
    fallback = out["churn_probability"].map(lambda p: f"risk {100 * p:.0f}% against {100 * mean:.0f}% for {group} "
                                                      "on average")
    empty = reasons.isna() | (reasons.astype(str).str.strip() == "")
    out["reasons"] = reasons.where(~empty, fallback)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def reached_value(calls: pd.DataFrame) -> float | None:
    """The revenue at risk the call list reaches (``None`` without revenue)."""
    if calls is None or calls.empty or "revenue_at_risk" not in calls.columns:
        return None
    total = float(pd.to_numeric(calls["revenue_at_risk"], errors="coerce").fillna(0).sum())
    return total if total > 0 else None


def retention_sentence(at_risk: pd.DataFrame, owner: str) -> str:
    """How many customers at risk to contact, and who contacts them.

    "Valuable" only when the list carries revenue (notebook 05 ranks by revenue at risk then); without revenue
    the list is ranked by risk alone and says so.
    """
    if "revenue_at_risk" in at_risk.columns and pd.to_numeric(at_risk["revenue_at_risk"], errors="coerce").fillna(0).ne(0).any():
        return f"**{len(at_risk)} valuable customers at highest risk** to contact (owner: {owner})."
    return f"**{len(at_risk)} customers most likely to leave** to contact (owner: {owner})."


def call_sentence(calls: pd.DataFrame, scope: str | None, owner: str) -> str:
    """Who the retention calls reach and who makes them: the finding's group, most revenue at risk first."""
    where = scope_filter(scope)
    who = f"{where[1]} customers" if where is not None and where[0] in NAMED_GROUPS else (
        f"customers with {where[0].replace('_', ' ')} {where[1]}" if where is not None else "customers")
    valued = "revenue_at_risk" in calls.columns and pd.to_numeric(calls["revenue_at_risk"], errors="coerce").fillna(0).gt(0).any()
    most = "with the most revenue at risk" if valued else "most likely to leave"
    n = len(calls)
    return (f"**The retention call list holds the {n} {who} {most}** (owner: {owner}): the group the churn finding "
            "names, so the calls answer it.") if n != 1 else (
        f"**The retention call list holds the one {who[:-1] if who.endswith('s') else who} {most}** (owner: {owner}).")


NAMED_GROUPS = ("segment", "plan", "location", "region", "channel", "journey_stage", "touchpoint")


RETENTION_LABELS = {"rank": "#", "customer_id": "Customer", "segment": "Segment", "plan": "Plan", "location": "Location",
                    "churn_probability": "Risk", "annual_revenue": "Annual revenue", "revenue_at_risk": "Revenue at risk",
                    "reasons": "Why the risk is high"}


def retention_view(at_risk: pd.DataFrame, currency: str = "GBP", n: int = 10) -> TableView:
    """The first ``n`` customers of notebook 05's retention list: risk in %, revenue in the currency."""
    def money(v):
        return fmt_money(v, currency)

    # without revenue (none mapped, or every value empty or zero) the list carries no money columns at all
    unvalued = [c for c in ("annual_revenue", "revenue_at_risk") if c in at_risk.columns
                and not pd.to_numeric(at_risk[c], errors="coerce").fillna(0).ne(0).any()]
    at_risk = at_risk.drop(columns=unvalued)
    return TableView(labelled(at_risk.head(n), RETENTION_LABELS), f"Retention call list (first {n})",
                     formats={"Risk": lambda v: f"{100 * v:.0f}%", "Annual revenue": money, "Revenue at risk": money,
                              "Why the risk is high": lambda v: capitalise(str(v)) if isinstance(v, str) else "–"})
