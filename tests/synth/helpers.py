"""Helpers shared by the tests of :mod:`cxtemplate.synth`: the canonical columns, the data window, NPS
by hand and the quarantine of the injected rows (by the identifiers recorded in the truth)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.synth.survey import DRIVERS

TABLE_COLUMNS = {
    "customers": ["customer_id", "name", "email", "phone", "start_date", "end_date", "segment", "location", "plan",
                  "contract", "monthly_revenue"],
    "responses": ["response_id", "customer_id", "responded_at", "journey_stage", "touchpoint", "location", "channel",
                  "agent_id", "nps", "csat", "ces", *DRIVERS, "comment"],
    "interactions": ["interaction_id", "customer_id", "started_at", "channel", "intent", "sentiment", "resolved",
                     "handle_seconds", "agent_id"],
    "operations": ["period", "location", "kpi", "value"],
    "maturity_answers": ["respondent_id", "role", "dimension", "practice", "level"],
}


def window_end(org) -> pd.Timestamp:
    """The first instant after the data window."""
    return pd.Timestamp(org.truth["window"]["end"]) + pd.Timedelta(days=1)


def nps_points(x) -> float:
    x = np.asarray(x)
    return 100 * ((x >= 9).mean() - (x <= 6).mean())


def nps_se(x) -> float:
    """Standard error of NPS points (multinomial)."""
    x = np.asarray(x)
    p, d = (x >= 9).mean(), (x <= 6).mean()
    return 100 * np.sqrt((p + d - (p - d) ** 2) / x.size)


def quarantined(org) -> dict[str, pd.DataFrame]:
    """The tables with the injected rows removed, by the identifiers recorded in the truth."""
    ids = org.truth["injected_anomalies"]["ids"]
    out = dict(org.tables)
    for table, key in (("responses", "response_id"), ("interactions", "interaction_id")):
        df = org.tables[table]
        bad = {i for kind, v in ids[table].items() if kind != "duplicate_rows" for i in v}
        df = df[~df[key].isin(bad)]
        out[table] = df[~df.duplicated(keep="first")].reset_index(drop=True)
    cu = org.tables["customers"]
    out["customers"] = cu[~cu["customer_id"].isin(ids["customers"]["end_before_start"])].reset_index(drop=True)
    return out

