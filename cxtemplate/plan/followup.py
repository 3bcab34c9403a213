"""Closed-loop follow-up queues: who to call back, and who to contact before they leave.

Each queue comes in two versions. The *report* version carries ids, context and redacted
comments only, and is safe to render, e-mail or open in a spreadsheet. The *restricted*
version adds the customer's contact details from the CRM and is written only to the run's
``restricted/`` folder, which is never rendered into a page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DETRACTOR_MAX = 6


def detractor_queue(responses: pd.DataFrame, *, as_of, days: int = 30, owner: str | None = None,
                    max_rows: int = 500) -> pd.DataFrame:
    """Identified detractors of the last ``days`` days, most recent and most unhappy first.

    Parameters
    ----------
    responses : DataFrame
        Canonical responses (comments already redacted by integration).
    as_of : date-like
        End of the window.
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
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    start = end - pd.Timedelta(days=days)
    df = responses[(responses["nps"] <= DETRACTOR_MAX) & responses["customer_id"].notna()]
    if "responded_at" in df.columns:
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
    """Write a restricted queue as CSV into the run's ``restricted/`` folder."""
    restricted_dir.mkdir(parents=True, exist_ok=True)
    path = restricted_dir / f"{name}.csv"
    queue.to_csv(path, index=False)
    return path


def read_contacts(restricted_dir: Path) -> pd.DataFrame | None:
    """Contact details saved by integration, or ``None`` when the CRM had none."""
    path = restricted_dir / "contacts.parquet"
    if not path.is_file():
        return None
    from cxtemplate.data.files import read_parquet

    return read_parquet(path)
