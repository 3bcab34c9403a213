"""Manager scorecards: one location (or other unit) against the rest of the organisation.

The scorecard notebook is executed once per level of ``reporting.manager_scorecards_by`` after
the main flow, so it reads the artifacts of every numbered notebook. A level with too few
responses gets a page that says so instead of numbers that would mislead.
"""

from __future__ import annotations

import pandas as pd

from cxtemplate.measure.inference import compare_tables
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec


def recent_window(df: pd.DataFrame, freq: str, as_of, periods: int, time_col: str = "responded_at") -> pd.DataFrame:
    """Rows of the last ``periods`` reporting periods up to ``as_of``."""
    last = pd.Period(pd.Timestamp(as_of), freq)
    p = df[time_col].dt.to_period(freq)
    return df[(p > last - periods) & (p <= last)]


def versus_rest(responses: pd.DataFrame, specs: dict[str, MetricSpec], by: str, level, *, freq: str, as_of,
                periods: int = 3, conf: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Each metric for this level over the last ``periods`` periods against everyone else.

    Returns
    -------
    DataFrame
        metric, value, interval, n, the rest's value, difference with interval and p; values of
        cells under ``min_n`` are withheld with a note.
    """
    recent = recent_window(responses, freq, as_of, periods)
    mine, rest = recent[recent[by] == level], recent[recent[by] != level]
    rows = []
    for key, spec in specs.items():
        a = summarise(mine, spec, conf=conf)
        b = summarise(rest, spec, conf=conf)
        if a.empty or int(a["n"].iloc[0]) < min_n:
            rows.append({"Metric": spec.name, "n": int(a["n"].iloc[0]) if len(a) else 0,
                         "Note": f"suppressed: n < {min_n}"})
            continue
        c = compare_tables(a, b, spec).iloc[0]
        rows.append({"Metric": spec.name, "Value": a["value"].iloc[0], "Low": a["ci_low"].iloc[0],
                     "High": a["ci_high"].iloc[0], "n": int(a["n"].iloc[0]), "Rest": b["value"].iloc[0],
                     "Difference": c["diff"], "p": c["p"], "Note": ""})
    return pd.DataFrame(rows)


def local_drivers(responses: pd.DataFrame, by: str, level, drivers_table: pd.DataFrame | None) -> pd.DataFrame:
    """Organisation-wide driver importance with this level's ratings against the organisation's.

    A driver that matters and is rated lower here than elsewhere is where this manager can act.
    """
    if drivers_table is None or drivers_table.empty:
        return pd.DataFrame()
    from scipy import stats

    cols = [d for d in drivers_table["driver"] if d in responses.columns]
    here = responses[by] == level
    mine = responses.loc[here, cols].mean()
    org = responses[cols].mean()
    p = pd.Series({d: stats.ttest_ind(responses.loc[here, d].dropna(), responses.loc[~here, d].dropna(),
                                      equal_var=False).pvalue for d in cols})
    t = drivers_table.set_index("driver").loc[cols]
    out = pd.DataFrame({"Driver": t["Driver"], "Importance %": t["Share of R² %"], "Here": mine, "Organisation": org})
    out["Gap"] = out["Here"] - out["Organisation"]
    out["p (vs rest)"] = p
    out["Focus"] = (out["Gap"] < 0) & (out["p (vs rest)"] < 0.05) & (out["Importance %"] >= out["Importance %"].mean())
    return out.sort_values(["Focus", "Importance %"], ascending=[False, False]).reset_index(drop=True)


def local_topics(responses: pd.DataFrame | None, mentions: pd.DataFrame | None, by: str, level,
                 commented_by: dict | None = None) -> pd.DataFrame:
    """Share of this level's comments mentioning each topic, against the organisation's share.

    With ``commented_by`` (notebook 04's counts of commented responses per level of ``by``) and a ``by``
    column in ``mentions``, no comment needs reading: ``responses`` may be ``None``.
    """
    if mentions is None or mentions.empty:
        return pd.DataFrame()
    if commented_by and commented_by.get("by") == by and by in mentions.columns:
        n_all, n_here = commented_by["total"], commented_by["levels"].get(str(level), commented_by["levels"].get(level, 0))
        m = mentions
    else:
        if responses is None or "comment" not in responses.columns:
            return pd.DataFrame()
        text = responses["comment"]
        ok = text.notna().to_numpy()
        ok[ok] = (text[ok].astype(str).str.strip() != "").to_numpy(bool)  # notebook 04's test, on the comments only
        commented = responses[ok]
        n_all, n_here = len(commented), int((commented[by] == level).sum())
        m = mentions[["response_id", "topic"]].merge(commented[["response_id", by]], on="response_id", how="inner")
    org_share = m["topic"].value_counts() / max(n_all, 1)
    here_share = m.loc[m[by] == level, "topic"].value_counts() / max(n_here, 1)
    out = pd.DataFrame({"Here %": 100 * here_share, "Organisation %": 100 * org_share}).fillna(0.0)
    out["Difference (pp)"] = out["Here %"] - out["Organisation %"]
    out.index.name = "Topic"
    return out.sort_values("Here %", ascending=False).reset_index()


def recent_comments(responses: pd.DataFrame, by: str, level, *, as_of, days: int = 90, n: int = 5) -> pd.DataFrame:
    """The most recent detractor comments of this level (already redacted at integration)."""
    if "comment" not in responses.columns:
        return pd.DataFrame()
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    df = responses[(responses[by] == level) & responses["comment"].notna() & (responses["nps"] <= 6)
                   & (responses["responded_at"] >= end - pd.Timedelta(days=days))]
    cols = [c for c in ("responded_at", "touchpoint", "nps", "comment") if c in df.columns]
    return df.sort_values("responded_at", ascending=False)[cols].head(n).reset_index(drop=True)


def local_actions(register: pd.DataFrame | None, by: str, level) -> pd.DataFrame:
    """Actions scoped to this level, then organisation-wide actions."""
    if register is None or register.empty:
        return pd.DataFrame()
    scope = register["scope"].astype(str)
    mine = register[scope == f"{by}: {level}"]
    org = register[scope == "organisation"]
    return pd.concat([mine.assign(Scope="this " + by.replace("_", " ")), org.assign(Scope="organisation")],
                     ignore_index=True)
