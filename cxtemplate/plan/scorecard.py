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
from cxtemplate.measure.trends import period_table, plot_trend
from cxtemplate.report.display import TableView, labelled


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


# --------------------------------------------------------------------------- the page


def response_columns(by: str, specs: dict[str, MetricSpec], driver_columns=()) -> list[str]:
    """The columns of the responses table the scorecard reads (comments are read for this unit only, later)."""
    return [by, "responded_at", "touchpoint", "nps", *[s.column for s in specs.values()], *driver_columns]


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


def intro_sentence(level, by: str, organisation: str, n_recent: int, min_n: int) -> str:
    """What the page compares, or, under ``min_n`` recent responses, why its numbers are suppressed."""
    if n_recent >= min_n:
        return (f"This page compares **{level}** ({by.replace('_', ' ')}) with the rest of {organisation} over the last "
                f"three periods ({n_recent:,} responses here), and shows where its manager can act.")
    return (f"**{level} has too few responses to report on** ({n_recent} in the last three periods; at least "
            f"{min_n} are needed). Its numbers are suppressed so they are not mistaken for evidence; "
            "the actions and coaching below still apply.")


def versus_rest_view(table: pd.DataFrame, level) -> TableView:
    """:func:`versus_rest`'s table as the page shows it."""
    return TableView(table, f"{level}: last three periods against the rest of the organisation",
                     formats={"Value": "{:.1f}", "Low": "{:.1f}", "High": "{:.1f}", "Rest": "{:.1f}",
                              "Difference": "{:+.1f}", "p": "{:.3f}"})


def level_steps(steps: pd.DataFrame | None, by: str, level, freq: str) -> pd.DataFrame | None:
    """This level's rows of notebook 04's step table with ``step_period`` as periods, for :func:`plot_trend`.

    ``None`` when there is no step table or it is not broken down by ``by``.
    """
    if steps is None or by not in steps.columns:
        return None
    return steps[steps[by] == level].assign(step_period=lambda d: pd.PeriodIndex(d["step_period"], freq=freq))


def nps_trend(responses: pd.DataFrame, spec: MetricSpec, by: str, level, steps: pd.DataFrame | None = None, *,
              freq: str, min_n: int = 30, time_col: str = "responded_at"):
    """The chart of this level's NPS per period with its interval and its significant steps.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = period_table(responses[responses[by] == level], spec, time_col, freq=freq)
    ax = plot_trend(table, spec, steps=level_steps(steps, by, level, freq), min_n=min_n,
                    title=f"NPS at {level} per period", source="survey responses")
    return ax.figure


def drivers_view(drivers: pd.DataFrame, level) -> TableView:
    """:func:`local_drivers`'s table as the page shows it."""
    return TableView(drivers, f"Driver ratings at {level} against the organisation (importance from the organisation's model)",
                     formats={"Importance %": "{:.0f}", "Here": "{:.2f}", "Organisation": "{:.2f}", "Gap": "{:+.2f}",
                              "p (vs rest)": "{:.3f}"},
                     note="Focus: an important driver rated significantly lower here than in the rest of the "
                          "organisation (Welch test).")


def topics_view(topics: pd.DataFrame, level) -> TableView:
    """:func:`local_topics`'s table as the page shows it."""
    return TableView(topics, f"Comment topics at {level} against the organisation",
                     formats={"Here %": "{:.0f}%", "Organisation %": "{:.0f}%", "Difference (pp)": "{:+.0f}"})


def comments_view(comments: pd.DataFrame) -> TableView:
    """:func:`recent_comments`'s table as the page shows it: date, touchpoint, NPS, comment."""
    return TableView(labelled(comments, {"responded_at": "Date", "touchpoint": "Touchpoint", "nps": "NPS", "comment": "Comment"}),
                     "Recent detractor comments (redacted)", formats={"Date": lambda v: str(v)[:10], "NPS": "{:.0f}"})


def team_of(coaching: pd.DataFrame | None, by: str, level) -> pd.DataFrame | None:
    """This level's agents in notebook 04's coaching table.

    ``None`` when there is no coaching table or the scorecard's unit is not the teams' (agents are
    grouped by location).
    """
    if coaching is None or "location" not in coaching.columns or by != "location":
        return None
    return coaching[coaching["location"] == level]


def coaching_sentence(team: pd.DataFrame, level) -> str:
    """How many agents this level has and how many score credibly below their team."""
    return f"{len(team)} agents at {level}; {int(team['below_team'].sum())} score credibly below the team after shrinkage."


AGENT_LABELS = {"agent_id": "Agent", "n": "n", "estimate": "NPS (shrunken)", "lower": "Low", "upper": "High",
                "rank": "Rank", "below_team": "Below team", "needs_driver": "Coach on"}


def coaching_view(team: pd.DataFrame, level, driver_labels: dict | None = None) -> TableView:
    """This level's agents: shrunken NPS with its interval, rank, whether below the team, the driver to coach on."""
    labels = dict(driver_labels or {})
    shown = team.assign(needs_driver=team["needs_driver"].map(lambda x: labels.get(x, x)))
    return TableView(labelled(shown, AGENT_LABELS), f"Agents at {level}",
                     formats={"NPS (shrunken)": "{:.1f}", "Low": "{:.1f}", "High": "{:.1f}"})


def actions_view(actions: pd.DataFrame, level, max_rows: int = 15) -> TableView:
    """:func:`local_actions`'s table as the page shows it."""
    return TableView(labelled(actions, {"Scope": "Scope", "action": "Action", "owner": "Owner", "due": "Due"}),
                     f"Actions for {level} and for the whole organisation", max_rows=max_rows)
