"""Manager scorecards: one location (or other unit) against the rest of the organisation.

The scorecard notebook is executed once per level of ``reporting.manager_scorecards_by`` after notebook 06
(itself after every numbered notebook before it), so it reads the artifacts of 02 (objectives), 04 (drivers,
steps, coaching, topics), 05 (revenue at risk) and 06 (actions). A level with too few responses gets a page that
says so instead of numbers that would mislead.

This module computes the tables; :mod:`cxtemplate.plan.scorecard_gap` explains the gap,
:mod:`cxtemplate.plan.scorecard_trends` draws both series over time and :mod:`cxtemplate.plan.scorecard_page`
writes the page's sections.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cxtemplate.measure.inference import compare_tables
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.plan.actions import SEPARATOR as SCOPE_SEPARATOR
from cxtemplate.report.display import TableView, fmt_num, fmt_p, fmt_signed, labelled
from cxtemplate.report.grammar import join_list, plural, sentence

__all__ = ["AGENT_LABELS", "actions_view", "busiest_level", "coaching_sentence", "coaching_view",
           "comments_view", "fmt_signed_0", "heading", "intro_sentence", "level_steps", "local_actions",
           "local_topics", "location_status", "objective_applies", "owned_count", "rank_agents",
           "recent_comments", "recent_count", "recent_window", "response_columns", "revenue_of", "significant_step", "target_of", "targets",
           "targets_view", "team_of", "too_few_sentence", "topic_labels", "topics_view", "versus_rest",
           "versus_rest_view"]


def recent_window(df: pd.DataFrame, freq: str, as_of, periods: int, time_col: str = "responded_at") -> pd.DataFrame:
    """Rows of the last ``periods`` reporting periods up to ``as_of``."""
    last = pd.Period(pd.Timestamp(as_of), freq)
    p = df[time_col].dt.to_period(freq)
    return df[(p > last - periods) & (p <= last)]


def versus_rest(responses: pd.DataFrame, specs: dict[str, MetricSpec], by: str, level, *, freq: str, as_of,
                periods: int = 3, conf: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Each metric for this level over the last ``periods`` periods against everyone else.

    Parameters
    ----------
    responses : DataFrame
        Every response, with ``by``, ``responded_at`` and the metrics' columns.
    specs : dict
        Metric key → :class:`~cxtemplate.measure.spec.MetricSpec`.
    by, level
        The unit.
    freq : {"M", "Q"}
    as_of
        The window ends with the period of this date.
    periods : int
        Periods in the window (``reporting.windows.locations``).
    conf : float
    min_n : int
        Cells under it are withheld with a note.

    Returns
    -------
    DataFrame
        ``key``, ``Metric``, ``unit`` (what the value measures), ``Value``, ``Low``, ``High``, ``n``, ``Rest``, ``Rest low``, ``Rest high``, ``Rest n``,
        ``Difference``, ``Difference low``, ``Difference high``, ``p`` and ``Note``.
    """
    recent = recent_window(responses, freq, as_of, periods)
    mine, rest = recent[recent[by] == level], recent[recent[by] != level]
    rows = []
    for key, spec in specs.items():
        a = summarise(mine, spec, conf=conf)
        b = summarise(rest, spec, conf=conf)
        if a.empty or int(a["n"].iloc[0]) < min_n or b.empty:
            rows.append({"key": key, "Metric": spec.name, "unit": spec.unit, "n": int(a["n"].iloc[0]) if len(a) else 0,
                         "Note": f"Suppressed: n < {min_n}"})
            continue
        c = compare_tables(a, b, spec, conf=conf).iloc[0]
        rows.append({"key": key, "Metric": spec.name, "unit": spec.unit, "Value": a["value"].iloc[0], "Low": a["ci_low"].iloc[0],
                     "High": a["ci_high"].iloc[0], "n": int(a["n"].iloc[0]), "Rest": b["value"].iloc[0],
                     "Rest low": b["ci_low"].iloc[0], "Rest high": b["ci_high"].iloc[0], "Rest n": int(b["n"].iloc[0]),
                     "Difference": c["diff"], "Difference low": c["ci_low"], "Difference high": c["ci_high"],
                     "p": c["p"], "Note": ""})
    return pd.DataFrame(rows)


def versus_rest_view(table: pd.DataFrame, level, window_label: str) -> TableView:
    """:func:`versus_rest`'s table as the page shows it: each side with its interval and n, the difference with its
    interval and test."""
    t = table.copy()
    for col in ("Value", "Low", "High", "Rest", "Rest low", "Rest high", "Difference", "Difference low",
                "Difference high", "p", "Rest n"):
        if col not in t.columns:
            t[col] = np.nan
    ci = lambda lo, hi: [f"{fmt_num(a, 1)} to {fmt_num(b, 1)}" if pd.notna(a) else "–"  # noqa: E731
                         for a, b in zip(t[lo], t[hi])]
    shown = pd.DataFrame({
        "Metric": t["unit"] if "unit" in t.columns else t["Metric"], str(level): t["Value"], f"{level}, 95% interval": ci("Low", "High"), "Responses": t["n"],
        "Rest of the organisation": t["Rest"], "Rest, 95% interval": ci("Rest low", "Rest high"),
        "Difference": t["Difference"], "Difference, 95% interval": ci("Difference low", "Difference high"),
        "p": t["p"], "Note": t["Note"].fillna("")})
    return TableView(shown, f"{level} against the rest of the organisation, {window_label}",
                     formats={str(level): "{:.1f}", "Rest of the organisation": "{:.1f}", "Responses": "{:,.0f}",
                              "Difference": fmt_signed, "p": fmt_p})


# --------------------------------------------------------------------------- targets


def objective_applies(where: Mapping | None, by: str, level) -> bool:
    """Whether an objective's population is this unit's whole metric: everyone, or exactly this unit."""
    where = dict(where or {})
    return not where or (set(where) == {by} and str(where[by]) == str(level))


def location_status(low: float, high: float, target: float) -> str:
    """Where this unit stands against a target (higher is better): its interval wholly at or above the target,
    wholly below it, or around it."""
    if any(pd.isna(v) for v in (low, high, target)):
        return "not measured"
    if low >= target:
        return "meets the target"
    if high < target:
        return "below the target"
    return "close to the target"


def targets(objectives: pd.DataFrame | None, versus: pd.DataFrame, applies: list[str]) -> pd.DataFrame:
    """Each applicable objective's target, deadline and organisation status beside this unit's value.

    Parameters
    ----------
    objectives : DataFrame or None
        Notebook 02's ``objectives`` artifact (``id``, ``goal``, ``metric``, ``target``, ``deadline``, ``status``).
    versus : DataFrame
        :func:`versus_rest`'s table.
    applies : list of str
        Ids of the objectives on this unit's whole metric (:func:`objective_applies`).

    Returns
    -------
    DataFrame
        ``id``, ``key`` (the metric's), ``goal``, ``Metric``, ``target``, ``deadline``, ``org_status``, ``value``, ``low``, ``high`` and
        ``status`` (:func:`location_status`); empty without applicable objectives.
    """
    if objectives is None or objectives.empty or versus.empty:
        return pd.DataFrame()
    obj = objectives[objectives["id"].isin(applies)]
    v = versus.set_index("Metric")
    rows = []
    for _, o in obj.iterrows():
        if o["metric"] not in v.index:
            continue
        r = v.loc[o["metric"]]
        lo, hi, val = (r.get("Low", np.nan), r.get("High", np.nan), r.get("Value", np.nan))
        rows.append({"id": o["id"], "key": r.get("key"), "goal": o["goal"], "Metric": o["metric"],
                     "target": float(o["target"]),
                     "deadline": str(o["deadline"])[:10], "org_status": o.get("status", ""), "value": val,
                     "low": lo, "high": hi, "status": location_status(lo, hi, float(o["target"]))})
    return pd.DataFrame(rows)


def target_of(targets_table: pd.DataFrame) -> dict[str, float]:
    """Metric key → target of :func:`targets`' table (the first objective of each metric)."""
    if targets_table.empty:
        return {}
    first = targets_table.drop_duplicates("key")
    return dict(zip(first["key"], first["target"]))


def targets_view(table: pd.DataFrame, level) -> TableView:
    """:func:`targets`' table as the page shows it."""
    shown = pd.DataFrame({"Goal": table["goal"], "Metric": table["Metric"], "Target": table["target"],
                          "Deadline": table["deadline"], "Organisation": table["org_status"],
                          str(level): table["value"], f"{level} against the target": table["status"]})
    return TableView(shown, f"Targets and where {level} stands", formats={"Target": "{:.1f}", str(level): "{:.1f}"},
                     note="The organisation's status is its trajectory to the deadline (from the objectives page).")


# --------------------------------------------------------------------------- revenue at risk


def revenue_of(risk: pd.DataFrame | None, by: str, level) -> dict | None:
    """This unit's row of notebook 05's revenue-at-risk table, with its share of the total and any intervals.

    Returns
    -------
    dict or None
        ``customers``, ``expected_churners``, ``revenue_at_risk``, ``share`` (0–1) and, when notebook 05 gives them,
        ``expected_churners_low/high`` and ``revenue_at_risk_low/high``; ``None`` when the table has no row for it.
    """
    if risk is None or risk.empty or "dimension" not in risk.columns:
        return None
    row = risk[(risk["dimension"] == by) & (risk["group"].astype(str) == str(level))]
    if row.empty:
        return None
    r = row.iloc[0]
    total = risk.loc[risk["dimension"] == "total", "revenue_at_risk"]
    out = {k: float(r[k]) for k in ("customers", "expected_churners", "revenue_at_risk", "annual_revenue",
                                    "expected_churners_low", "expected_churners_high", "revenue_at_risk_low",
                                    "revenue_at_risk_high") if k in r.index and pd.notna(r[k])}
    if "share_of_revenue_at_risk" in r.index and pd.notna(r["share_of_revenue_at_risk"]):
        out["share"] = float(r["share_of_revenue_at_risk"])
    elif len(total) and total.iloc[0]:
        out["share"] = float(r["revenue_at_risk"]) / float(total.iloc[0])
    return out


# --------------------------------------------------------------------------- comments and topics


def local_topics(responses: pd.DataFrame | None, mentions: pd.DataFrame | None, by: str, level,
                 commented_by: dict | None = None, topic_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Share of this level's comments mentioning each topic, against the organisation's share.

    With ``commented_by`` (notebook 04's counts of commented responses per level of ``by``) and a ``by``
    column in ``mentions``, no comment needs reading: ``responses`` may be ``None``. ``topic_labels`` (topic key →
    human label, from notebook 04's topics table) names the topics.
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
    out.index = [str((topic_labels or {}).get(t, t)) for t in out.index]
    out.index.name = "Topic"
    return out.sort_values("Here %", ascending=False).reset_index()


def topic_labels(topics: pd.DataFrame | None) -> dict[str, str]:
    """Topic key → human label from notebook 04's topics table (``topic`` or ``topic_id``, and ``label``)."""
    if topics is None or topics.empty or "label" not in topics.columns:
        return {}
    out = {}
    for key in ("topic_id", "topic"):
        if key in topics.columns:
            out.update({str(k): str(v) for k, v in zip(topics[key], topics["label"]) if pd.notna(v)})
    return out


def topics_view(topics: pd.DataFrame, level) -> TableView:
    """:func:`local_topics`'s table as the page shows it."""
    shown = topics.rename(columns={"Here %": f"{level} %"})
    return TableView(shown, f"Comment topics at {level} against the organisation",
                     formats={f"{level} %": "{:.0f}%", "Organisation %": "{:.0f}%", "Difference (pp)": fmt_signed_0})


def fmt_signed_0(x) -> str:
    """A difference in percentage points with its sign and no decimals ('+3', '−2', '0')."""
    return fmt_signed(x, 0)


def recent_comments(responses: pd.DataFrame, by: str, level, *, as_of, days: int = 90, n: int = 5) -> pd.DataFrame:
    """The most recent detractor comments of this level (already redacted at integration)."""
    if "comment" not in responses.columns:
        return pd.DataFrame()
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    df = responses[(responses[by] == level) & responses["comment"].notna() & (responses["nps"] <= 6)
                   & (responses["responded_at"] >= end - pd.Timedelta(days=days))]
    cols = [c for c in ("responded_at", "touchpoint", "nps", "comment") if c in df.columns]
    return df.sort_values("responded_at", ascending=False)[cols].head(n).reset_index(drop=True)


def comments_view(comments: pd.DataFrame) -> TableView:
    """:func:`recent_comments`'s table as the page shows it: date, touchpoint, score, comment."""
    return TableView(labelled(comments, {"responded_at": "Date", "touchpoint": "Touchpoint",
                                         "nps": "Likelihood to recommend (0–10)", "comment": "Comment"}),
                     "Recent detractor comments (redacted)",
                     formats={"Date": lambda v: str(v)[:10], "Likelihood to recommend (0–10)": "{:.0f}"})


# --------------------------------------------------------------------------- actions


def local_actions(register: pd.DataFrame | None, by: str, level) -> pd.DataFrame:
    """Actions owned for this level, then organisation-wide actions (one row per action)."""
    if register is None or register.empty:
        return pd.DataFrame()
    scopes = register["scope"].astype(str).str.split(SCOPE_SEPARATOR, regex=False)  # an action may serve several scopes
    mine = register[scopes.map(lambda parts: f"{by}: {level}" in parts)]
    org = register[scopes.map(lambda parts: "organisation" in parts) & ~register.index.isin(mine.index)]
    out = pd.concat([mine.assign(Scope="this " + by.replace("_", " ")), org.assign(Scope="organisation")],
                    ignore_index=True)
    key = "action_id" if "action_id" in out.columns else "action"
    return out.drop_duplicates(key).reset_index(drop=True)


def owned_count(actions: pd.DataFrame) -> int:
    """How many of :func:`local_actions`' rows are this unit's own (not organisation-wide)."""
    return int((actions["Scope"] != "organisation").sum()) if len(actions) else 0


def actions_view(actions: pd.DataFrame, level, max_rows: int = 15) -> TableView:
    """:func:`local_actions`'s table as the page shows it."""
    return TableView(labelled(actions, {"Scope": "Scope", "action": "Action", "owner": "Owner", "due": "Due"}),
                     f"Actions for {level} and for the whole organisation", max_rows=max_rows)


# --------------------------------------------------------------------------- the page's set-up


def response_columns(by: str, specs: dict[str, MetricSpec], driver_columns=()) -> list[str]:
    """The columns of the responses table the scorecard reads (comments are read for this unit only, later)."""
    return [by, "responded_at", "journey_stage", "touchpoint", "nps", *[s.column for s in specs.values()],
            *driver_columns]


def busiest_level(responses: pd.DataFrame, by: str):
    """The level of ``by`` with the most responses: the unit shown when none is given."""
    return responses[by].value_counts().index[0]


def recent_count(responses: pd.DataFrame, by: str, level, *, freq: str, as_of, periods: int = 3) -> int:
    """Responses of this level in the last ``periods`` reporting periods."""
    recent = recent_window(responses, freq, as_of, periods)
    return int((recent[by] == level).sum())


def heading(level) -> str:
    """The page's title (Markdown)."""
    return f"# Scorecard: {level}"


def intro_sentence(level, by: str, n_recent: int, min_n: int, window_label: str) -> str:
    """Why this unit's numbers are suppressed (under ``min_n`` recent responses); ``""`` when they are not."""
    if n_recent >= min_n:
        return ""
    return (f"**{level} has too few responses to report on** ({n_recent} in {window_label}; at least "
            f"{min_n} are needed). Its numbers are suppressed so they are not mistaken for evidence; "
            "the actions and coaching below still apply.")


def level_steps(steps: pd.DataFrame | None, by: str, level, freq: str) -> pd.DataFrame | None:
    """This level's rows of notebook 04's step table with ``step_period`` as periods.

    ``None`` when there is no step table or it is not broken down by ``by``.
    """
    if steps is None or by not in steps.columns:
        return None
    return steps[steps[by] == level].assign(step_period=lambda d: pd.PeriodIndex(d["step_period"], freq=freq))


def significant_step(steps: pd.DataFrame | None) -> dict | None:
    """The largest significant step of :func:`level_steps`' rows (``step_period``, ``change``), or ``None``."""
    if steps is None or steps.empty or "significant" not in steps.columns:
        return None
    sig = steps[steps["significant"].astype(bool)]
    if sig.empty:
        return None
    r = sig.loc[sig["change"].abs().idxmax()]
    return {"step_period": str(r["step_period"]), "change": float(r["change"])}


# --------------------------------------------------------------------------- coaching


def team_of(coaching: pd.DataFrame | None, by: str, level) -> pd.DataFrame | None:
    """This level's agents in notebook 04's coaching table.

    ``None`` when there is no coaching table or the scorecard's unit is not the teams' (agents are
    grouped by location).
    """
    if coaching is None or "location" not in coaching.columns or by != "location":
        return None
    return coaching[coaching["location"] == level]


def rank_agents(team: pd.DataFrame, min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The agents with at least ``min_n`` responses, ranked by their shrunken NPS, and the others.

    Returns
    -------
    (DataFrame, DataFrame)
        The ranked agents (``rank`` recomputed among them, 1 = highest estimate) and those with too few
        responses to rank (largest n first).
    """
    ok = team["n"] >= min_n
    ranked = team[ok].sort_values("estimate", ascending=False).reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    return ranked, team[~ok].sort_values("n", ascending=False).reset_index(drop=True)


def coaching_sentence(ranked: pd.DataFrame, too_few: pd.DataFrame, level) -> str:
    """How many agents this level has, how many are ranked and how many score credibly below their team."""
    n_all = len(ranked) + len(too_few)
    text = f"{level} has {plural(n_all, 'agent')} with survey responses"
    if ranked.empty:
        return sentence(text + ("; none has enough responses to rank" if n_all else ""))
    if len(too_few):
        text += f"; {len(ranked)} {'has' if len(ranked) == 1 else 'have'} enough responses to rank"
    below = int(ranked["below_team"].sum()) if "below_team" in ranked.columns else 0
    if below:
        text += f". {plural(below, 'agent')} {'scores' if below == 1 else 'score'} credibly below the team"
    else:
        text += ". No agent scores credibly below the team"
    return sentence(text)


def too_few_sentence(too_few: pd.DataFrame, min_n: int) -> str:
    """The agents with too few responses to rank, listed by name with their n; ``""`` when there are none."""
    if too_few.empty:
        return ""
    names = [f"{a} ({plural(int(n), 'response')})" for a, n in zip(too_few["agent_id"], too_few["n"])]
    return sentence(f"Too few to rank (fewer than {min_n} responses): {join_list(names)}")


AGENT_LABELS = {"rank": "Rank", "agent_id": "Agent", "n": "Responses", "estimate": "NPS (shrunken)",
                "lower": "Low", "upper": "High", "below_team": "Below team", "needs_driver": "Coach on"}


def coaching_view(team: pd.DataFrame, level, driver_labels: Mapping | None = None) -> TableView:
    """The ranked agents: rank, shrunken NPS with its interval, whether below the team, the driver to coach on."""
    labels = dict(driver_labels or {})
    shown = team.assign(needs_driver=team["needs_driver"].map(lambda x: labels.get(x, x)),
                        below_team=team["below_team"].map({True: "yes", False: "no"}))
    return TableView(labelled(shown, AGENT_LABELS), f"Agents at {level} with enough responses to rank",
                     formats={"NPS (shrunken)": "{:.1f}", "Low": "{:.1f}", "High": "{:.1f}"})
