"""Charts of the comment analysis: topic impact on NPS and sentiment by group."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_topic_impact(impact: pd.DataFrame, ax=None, *, title: str = "Impact of comment topics on NPS",
                      min_n: int = 30, source: str | None = "survey comments"):
    """Horizontal bars of each topic's impact with interval whiskers, most harmful at the top.

    Parameters
    ----------
    impact : pandas.DataFrame
        From :func:`topic_impact`.
    ax : matplotlib.axes.Axes, optional
    title : str
    min_n : int, default 30
        Topics mentioned by fewer comments are not drawn (the subtitle says how many).
    source : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import BAD, GOOD, NEUTRAL, finish

    d = impact[impact["n_with"] >= min_n].sort_values("impact", ascending=False)
    hidden = len(impact) - len(d)
    labels = [f"{t}  (n={n:,})" for t, n in zip(d["topic"], d["n_with"])]
    if ax is None:
        # no constrained layout: it would squeeze the bars into what the topic names and a title running past the
        # axes leave; the page saves with a tight bounding box, which takes in the names and the title instead
        fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(d), 2) + 1.6), layout="none")
        fig.subplots_adjust(left=0.02, right=0.98, top=0.85, bottom=0.15)
    sig = (d["ci_low"] > 0) | (d["ci_high"] < 0)
    colours = np.where(~sig, NEUTRAL, np.where(d["impact"] < 0, BAD, GOOD))
    y = np.arange(len(d))
    ax.barh(y, d["impact"], color=colours)
    ax.errorbar(d["impact"], y, xerr=[d["impact"] - d["ci_low"], d["ci_high"] - d["impact"]],
                fmt="none", ecolor="#333333", capsize=3, lw=1)
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#333333", lw=0.8)
    kind = impact.attrs.get("kind", "nps")
    conf = impact.attrs.get("confidence", 0.95)
    unit = ("NPS points vs other comments" if kind == "nps" else "score difference vs other comments")
    unit += f", {conf:.0%} interval"
    if hidden:
        unit += f"; {hidden} topic(s) with n < {min_n} not shown"
    finish(ax, title, n=impact.attrs.get("n"), unit=unit, source=source,
           xlabel="NPS points" if kind == "nps" else "difference in mean score", ylabel="")
    return ax


def plot_sentiment_by(labels, by, ax=None, *, title: str = "Sentiment of comments",
                      min_n: int = 30, source: str | None = "survey comments"):
    """100 % stacked bars of negative / neutral / positive comments per group (channel, touchpoint …).

    Parameters
    ----------
    labels : pandas.Series
        negative / neutral / positive per comment (e.g. ``score_sentiment(...)["label"]``).
    by : pandas.Series
        Group per comment, aligned with ``labels``.
    ax : matplotlib.axes.Axes, optional
    title : str
    min_n : int, default 30
        Groups with fewer comments are suppressed (the subtitle says how many).
    source : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from cxtemplate.report.charts import stacked_shares
    from cxtemplate.report.theme import BAD, GOOD, NEUTRAL

    lab = pd.Series(np.asarray(labels, dtype=object), index=getattr(labels, "index", None))
    grp = pd.Series(np.asarray(by, dtype=object), index=lab.index)
    ok = lab.notna() & grp.notna()
    counts = pd.crosstab(grp[ok], lab[ok]).reindex(columns=["negative", "neutral", "positive"], fill_value=0)
    return stacked_shares(counts, colours={"negative": BAD, "neutral": NEUTRAL, "positive": GOOD}, min_n=min_n,
                          sort_by="negative", title=title, unit="% of comments", source=source,
                          xlabel="% of comments", ax=ax)
