"""Frontline coaching: fair agent scores and the one driver each agent most needs to work on.

Raw agent averages mislead: an agent with 4 surveys and an NPS of +100 is almost certainly not
the best in the team. :func:`agent_scores` therefore reports an **empirical-Bayes (shrunken)**
estimate next to the raw one, and :func:`coaching_table` ranks agents within their team on it,
flags only those *credibly* below the team, and names each agent's weakest driver weighted by how
much that driver matters.

The model (a normal–normal hierarchical model, as in Morris 1983 and the meta-analysis
literature): response scores y_ij of agent i vary around the agent's true level θ_i with a
within-agent variance σ², so the agent mean ȳ_i has sampling variance v_i = σ²/n_i; agents' true
levels vary around their team's mean μ_g (or the grand mean) with between-agent variance τ².
σ² is the pooled within-agent variance; τ² is estimated by REML (default) or by the
DerSimonian–Laird method of moments. The posterior mean is

    θ̂_i = μ̂_g + B_i (ȳ_i − μ̂_g),   B_i = τ² / (τ² + v_i),

so an agent with few responses is pulled toward the team mean and one with many keeps almost
their own mean; the posterior variance B_i v_i + (1 − B_i)² Var(μ̂_g) gives the interval. The
uncertainty in τ² itself is not propagated, so intervals are slightly narrow when a team has few
agents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.analysis.page import Survey
from cxtemplate.errors import check_choice
from cxtemplate.measure.spec import z_value
from cxtemplate.report.display import TableView, fixed, labelled
from cxtemplate.report.section import Section
from cxtemplate.vocabulary import METRIC_KINDS

__all__ = ["COACHING_METHOD", "agent_scores", "coaching_section", "coaching_sentence", "coaching_table", "coaching_view",
           "response_scores"]




def response_scores(values: pd.Series, kind: str = "mean", *, top_box_min: float = 4) -> pd.Series:
    """Turn ratings into the per-response score whose mean is the agent metric.

    Parameters
    ----------
    values : pandas.Series
        Ratings (NaN = not answered).
    kind : {"mean", "nps", "top_box"}
        ``"mean"``: the rating itself. ``"nps"``: the NPS contribution of a 0–10 answer, +100 for
        a promoter (9–10), 0 for a passive (7–8), −100 for a detractor (0–6), so its mean is the
        NPS. ``"top_box"``: 100 when the rating is ≥ ``top_box_min`` else 0, so its mean is the
        top-box share in %.
    top_box_min : float
        Lowest rating counted as top box (4 on a 1–5 scale gives top-2-box).

    Returns
    -------
    pandas.Series
        Scores aligned with ``values``; NaN stays NaN.
    """
    check_choice("kind", kind, METRIC_KINDS)
    v = pd.to_numeric(values, errors="raise").astype(float)
    if kind == "mean":
        return v
    if kind == "nps":
        bad = v[(v < 0) | (v > 10)]
        if len(bad):
            raise ValueError(f"NPS answers must be 0–10; found e.g. {bad.iloc[:3].tolist()}")
        out = np.where(v >= 9, 100.0, np.where(v <= 6, -100.0, 0.0))
    else:
        out = np.where(v >= top_box_min, 100.0, 0.0)
    return pd.Series(np.where(v.isna(), np.nan, out), index=values.index, name=values.name)


def _tau2_reml(y: np.ndarray, v: np.ndarray, g: np.ndarray) -> float:
    """REML estimate of τ² with one fixed mean per group code g (0..G−1)."""
    from scipy.optimize import minimize_scalar

    G = g.max() + 1

    def nll(t2: float) -> float:
        w = 1.0 / (v + t2)
        sw = np.bincount(g, w, G)
        mu = np.bincount(g, w * y, G) / sw
        return 0.5 * (np.log(v + t2).sum() + np.log(sw).sum() + (w * (y - mu[g]) ** 2).sum())

    upper = max(10 * np.var(y), 10 * v.max(), 1e-9)
    best = minimize_scalar(nll, bounds=(0.0, upper), method="bounded",
                           options={"xatol": upper * 1e-10})
    return 0.0 if nll(0.0) <= best.fun else float(best.x)


def _tau2_dl(y: np.ndarray, v: np.ndarray, g: np.ndarray) -> float:
    """DerSimonian–Laird moment estimate of τ² with one mean per group (meta-regression form)."""
    G = g.max() + 1
    w = 1.0 / v
    sw = np.bincount(g, w, G)
    Q = (w * (y - (np.bincount(g, w * y, G) / sw)[g]) ** 2).sum()
    denom = w.sum() - (np.bincount(g, w ** 2, G) / sw).sum()
    return max(0.0, (Q - (len(y) - G)) / denom) if denom > 0 else 0.0


def _eb(frame: pd.DataFrame, unit: str, group: str | None, value: str, conf: float,
        method: str) -> tuple[pd.DataFrame, dict]:
    """Empirical-Bayes estimates per ``unit`` (within ``group``) of the mean of ``value``."""

    check_choice("method", method, ("reml", "dl"))
    keys = [group, unit] if group else [unit]
    d = frame[[*keys, value]].dropna()
    agg = d.groupby(keys, observed=True, sort=True)[value].agg(["size", "mean", "var"])
    agg = agg.reset_index().rename(columns={"size": "n", "mean": "raw"})
    if agg.empty:
        raise ValueError(f"no answered {value!r} to score")
    dof = (agg["n"] - 1).sum()
    sigma2 = float((agg["var"].fillna(0) * (agg["n"] - 1)).sum() / dof) if dof > 0 else np.nan
    if not np.isfinite(sigma2) or sigma2 <= 0:
        raise ValueError(f"cannot estimate the within-{unit} variance of {value!r}: every unit "
                         "has one answer, or all answers are the same")
    y, n = agg["raw"].to_numpy(float), agg["n"].to_numpy(float)
    v = sigma2 / n
    g = pd.factorize(agg[group])[0] if group else np.zeros(len(agg), dtype=int)
    tau2 = (_tau2_reml if method == "reml" else _tau2_dl)(y, v, g) if len(agg) > g.max() + 1 else 0.0
    w = 1.0 / (v + tau2)
    sw = np.bincount(g, w)
    mu = (np.bincount(g, w * y) / sw)[g]
    B = tau2 / (tau2 + v)
    est = mu + B * (y - mu)
    se = np.sqrt(B * v + (1 - B) ** 2 / sw[g])
    z = z_value(conf)
    agg = agg.drop(columns="var").assign(
        raw_se=np.sqrt(v), estimate=est, lower=est - z * se, upper=est + z * se, weight=B,
        prior_mean=mu)
    return agg, {"tau2": tau2, "sigma2": sigma2, "method": method, "conf": conf}


def agent_scores(df: pd.DataFrame, agent_col: str, score_col: str, kind: str = "mean", *,
                 team_col: str | None = None, top_box_min: float = 4, conf: float = 0.95,
                 method: str = "reml") -> pd.DataFrame:
    """Agent-level metric, raw and empirical-Bayes shrunken, with intervals.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per response, with the agent who handled it.
    agent_col : str
        Agent identifier column (rows without an agent are ignored).
    score_col : str
        The rating: NPS 0–10, CSAT, CES, … (rows without it are ignored).
    kind : {"mean", "nps", "top_box"}
        Metric: mean rating, NPS (mean of +100/0/−100 contributions) or top-box share in %
        (see :func:`response_scores`).
    team_col : str, optional
        Shrink each agent toward their team's mean (one fixed mean per team, τ² shared);
        without it, toward the grand mean. Rows without a team are ignored; an agent who
        worked in two teams is scored separately in each.
    top_box_min : float
        Lowest rating counted as top box when ``kind="top_box"``.
    conf : float
        Level of the intervals.
    method : {"reml", "dl"}
        Estimator of the between-agent variance τ²: REML (default) or DerSimonian–Laird.

    Returns
    -------
    pandas.DataFrame
        One row per agent: [team], agent, ``n``, ``raw`` (the agent's own metric), ``raw_se``,
        ``estimate`` (shrunken), ``lower``/``upper`` (posterior interval), ``weight`` (B_i, the
        weight on the agent's own mean) and ``prior_mean`` (team or grand mean). ``attrs`` holds
        ``tau2``, ``sigma2``, ``method``, ``conf`` and ``kind``. The model is in the module notes.
    """
    data = df[[c for c in (agent_col, team_col) if c]].copy()
    data["_score"] = response_scores(df[score_col], kind, top_box_min=top_box_min)
    out, info = _eb(data, agent_col, team_col, "_score", conf, method)
    out.attrs.update(info, kind=kind, score=score_col)
    return out


def _driver_weights(df, score_col, drivers, importance) -> pd.Series:
    if importance is None:
        from cxtemplate.analysis.drivers import shapley_importance
        importance = shapley_importance(df, score_col, drivers)
    if hasattr(importance, "share"):
        importance = importance.share
    w = pd.Series(importance, dtype=float).reindex(list(drivers))
    if w.isna().any():
        raise KeyError(f"no importance for drivers {w[w.isna()].index.tolist()}")
    return w / w.sum()


def coaching_table(df: pd.DataFrame, agent_col: str, team_col: str, score_col: str, drivers, *,
                   kind: str = "mean", importance=None, min_n: int = 10, conf: float = 0.95,
                   method: str = "reml", top_box_min: float = 4) -> pd.DataFrame:
    """Per team: each agent's shrunken score, rank, a credible-gap flag and the driver to coach.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per response: agent, team, the outcome rating and the driver ratings.
    agent_col, team_col, score_col : str
        Agent, team and outcome columns.
    drivers : list of str
        Driver rating columns (all on comparable scales, e.g. 0–10).
    kind : {"mean", "nps", "top_box"}
        Agent metric computed from ``score_col`` (see :func:`agent_scores`).
    importance : DriverImportance, pandas.Series or dict, optional
        Driver importance; by default the Shapley shares of ``score_col`` (the raw rating) on
        the drivers over all responses (:func:`cxtemplate.analysis.drivers.shapley_importance`).
    min_n : int
        Agents with fewer responses are listed but neither flagged nor given a driver.
    conf : float
        Level of the intervals.
    method : {"reml", "dl"}
        τ² estimator.
    top_box_min : float
        Lowest top-box rating when ``kind="top_box"``.

    Returns
    -------
    pandas.DataFrame
        One row per agent, sorted by team and rank: team, agent, ``n``, ``raw``, ``estimate``,
        ``lower``, ``upper``, ``team_mean`` (the centre of shrinkage, the team's precision-weighted
        mean), ``rank`` (1 = best in team, on ``estimate``), ``team_size``, ``below_team`` (the
        whole interval lies below the team mean), ``needs_driver``, ``driver_gap`` (team mean
        minus the agent's shrunken mean on that driver, rating points) and ``priority``.

    Notes
    -----
    Each driver rating is shrunk per agent toward the team's mean exactly like the score. An
    agent's need on driver d is ``priority_d = share_d × (team mean_d − agent estimate_d) /
    SD_d``: the standardized shortfall against the team, weighted by the driver's normalised
    importance share. The driver with the largest positive priority is named; an agent at or
    above the team on every driver gets "none (at or above team)".
    """
    drivers = list(drivers)
    scores = agent_scores(df, agent_col, score_col, kind, team_col=team_col, conf=conf,
                          method=method, top_box_min=top_box_min)
    keys = [team_col, agent_col]
    table = scores.rename(columns={"prior_mean": "team_mean"}).drop(columns=["raw_se", "weight"])
    table["rank"] = table.groupby(team_col)["estimate"].rank(ascending=False, method="min")
    table["rank"] = table["rank"].astype(int)
    table["team_size"] = table.groupby(team_col)[agent_col].transform("size")
    enough = table["n"] >= min_n
    table["below_team"] = enough & (table["upper"] < table["team_mean"])

    share = _driver_weights(df, score_col, drivers, importance)
    prio, gaps = [], []
    for d in drivers:
        est, _ = _eb(df, agent_col, team_col, d, conf, method)
        est = table[keys].merge(est, on=keys, how="left")
        gap = (est["prior_mean"] - est["estimate"]).fillna(0.0)   # unanswered: the team mean
        gaps.append(gap.to_numpy())
        prio.append(share[d] * gap.to_numpy() / df[d].std())
    prio, gaps = np.column_stack(prio), np.column_stack(gaps)
    best = prio.argmax(axis=1)
    top = prio[np.arange(len(table)), best]
    table["needs_driver"] = np.where(top > 0, np.array(drivers, dtype=object)[best],
                                     "none (at or above team)")
    table["driver_gap"] = np.where(top > 0, gaps[np.arange(len(table)), best], np.nan)
    table["priority"] = np.where(top > 0, top, 0.0)
    table.loc[~enough, "needs_driver"] = f"not enough responses (n < {min_n})"
    table.loc[~enough, ["driver_gap", "priority"]] = np.nan
    table = table.sort_values([team_col, "rank", agent_col]).reset_index(drop=True)
    table.attrs.update(scores.attrs, shares=share.to_dict(), min_n=min_n)
    return table


# --------------------------------------------------------------------------- the experience page's section


def coaching_sentence(n_flagged: int, n_agents: int) -> str:
    """How many agents score credibly below their team."""
    return (f"**{n_flagged} of {n_agents} agents** score credibly below their team on NPS after allowing for "
            f"their number of responses; the rest are within the range chance explains.")


def coaching_view(table: pd.DataFrame, team_col: str, labels: dict[str, str], *, agent_col: str = "agent_id",
                  top: int = 15) -> TableView:
    """The agents credibly below their team with the driver to coach; without any, the first ``top`` agents."""
    flagged = table[table["below_team"]]
    rows = flagged if len(flagged) else table.head(top)
    frame = labelled(rows.assign(needs_driver=rows["needs_driver"].map(lambda d: labels.get(d, d))),
                     {team_col: "Team", agent_col: "Agent", "n": "n", "raw": "Raw NPS", "estimate": "Estimated NPS",
                      "lower": "Low", "upper": "High", "team_mean": "Team NPS", "rank": "Rank in team",
                      "needs_driver": "Coach on"})
    title = "Agents credibly below their team, and what to coach" if len(flagged) else \
        "Agents (none credibly below their team)"
    levels = ("Raw NPS", "Estimated NPS", "Low", "High", "Team NPS")
    return TableView(frame, title, formats={c: fixed(1) for c in levels})


COACHING_METHOD = """Agent scores are noisy when an agent has few responses, so each agent's NPS is estimated with
**empirical-Bayes shrinkage**: pulled towards the team average in proportion to how little
evidence there is. An agent is flagged only when the whole 95% interval lies below the team,
and for each flagged agent the table names the driver rating where they fall furthest behind
their team, weighted by how much that driver matters."""
"""What the coaching section says of its method, shown only when it runs."""


def coaching_section(survey: Survey, *, importance=None, min_n: int = 10) -> Section:
    """Agents' shrunken NPS within their team (location) and what to coach; artifact ``coaching``.

    Parameters
    ----------
    survey : Survey
        Responses with ``agent_id`` and ``nps``.
    importance : DriverImportance, optional
        Driver importance (by default :func:`coaching_table` computes it).
    min_n : int
        Agents with fewer responses are neither flagged nor given a driver.
    """
    section = Section()
    if not survey.present:
        return section
    responses = survey.responses
    if not survey.has("agent_id"):
        section.absent("Responses carry no agent", "frontline coaching is skipped")
        return section
    if not survey.has("nps"):
        section.absent("There are no NPS scores", "agents are not compared")
        return section
    section.method(COACHING_METHOD)
    staffed = responses[responses["agent_id"].notna()]
    team_col = "location" if "location" in staffed.columns else "agent_id"
    table = coaching_table(staffed, "agent_id", team_col, "nps", survey.drivers, kind="nps", importance=importance,
                           min_n=min_n, conf=survey.conf)
    section.say(coaching_sentence(int(table["below_team"].sum()), len(table)))
    section.table(coaching_view(table, team_col, survey.driver_labels))
    section.keep("coaching", table)
    return section
