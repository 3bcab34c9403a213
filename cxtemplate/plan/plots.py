"""Charts for the maturity assessment (notebook 01), in the house style of :mod:`cxtemplate.report.theme`.

Each function draws from results already computed by :mod:`cxtemplate.plan.maturity` and returns the
matplotlib figure, finished with a title, unit, n and source.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from cxtemplate.plan.maturity_model import SOURCE, MaturityModel, respondents, role_plural

if TYPE_CHECKING:
    from cxtemplate.plan.maturity import MaturityScores, PerceptionGap


def _wrap(name: str, width: int = 14) -> str:
    return "\n".join(textwrap.wrap(name, width)) or name


def plot_radar(scores: MaturityScores, model: MaturityModel, target_stage: int | None = None,
               by_role: tuple[str, ...] | None = None, title: str | None = None, ax=None):
    """Radar chart: the organisation's mean level per dimension with its interval band.

    Parameters
    ----------
    scores, model
        From :func:`score` and :func:`load_model`.
    target_stage : int, optional
        Draw the target stage's ``min_level`` as a dashed ring.
    by_role : tuple of str, optional
        Roles to add as separate lines, e.g. ``("executive", "frontline")``.
    title : str, optional
        Replaces the default title.
    ax : matplotlib polar Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import ACCENT, PALETTE, finish

    d, k = scores.dimensions, len(scores.dimensions)
    ang = np.linspace(0, 2 * np.pi, k, endpoint=False)
    loop = np.append(ang, ang[0])
    closed = lambda v: np.append(np.asarray(v, float), float(np.asarray(v, float)[0]))  # noqa: E731
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 6.8), subplot_kw={"projection": "polar"})
    fig = ax.figure
    lo, hi = model.level_range
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set(ylim=(lo, hi), yticks=range(lo, hi + 1), xticks=ang)
    ax.set_yticklabels([])
    for x in model.levels[1:]:                   # level names drawn above the lines, between two spokes
        ax.text(np.pi / k, x.level, f"{x.level} {x.name}", fontsize=7.5, color="#555555", ha="center",
                va="center", zorder=10, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
    ax.set_xticklabels([_wrap(n) for n in d["name"]], fontsize=10)
    ax.tick_params(axis="x", pad=12)
    ax.grid(True, color="#dddddd")
    ax.spines["polar"].set_visible(False)
    if target_stage is not None:
        st = model.stage(target_stage)
        ax.plot(np.linspace(0, 2 * np.pi, 200), np.full(200, st.min_level), ls="--", lw=1.6, color="#000000",
                label=f"Target: stage {st.stage} ({st.name}), level {st.min_level:g}")
    ax.fill_between(loop, closed(d["ci_low"].clip(lo, hi)), closed(d["ci_high"].clip(lo, hi)), color=ACCENT,
                    alpha=0.15, lw=0, label=f"{100 * scores.conf:g}% interval")
    ax.plot(loop, closed(d["mean"]), color=ACCENT, lw=2.4, marker="o", label="Organisation (all respondents)")
    colours = [PALETTE[1], PALETTE[2], PALETTE[4], PALETTE[3]]
    r = scores.respondents
    for i, role in enumerate(by_role or ()):
        m = r[r["role"] == role.lower()].groupby("dimension")["mean"].mean().reindex(d["dimension"])
        n = r.loc[r["role"] == role.lower(), "respondent_id"].nunique()
        ax.plot(loop, closed(m), color=colours[i % 4], lw=1.6, marker="s", ms=4, ls=(0, (4, 1.5)),
                label=f"{respondents(role.lower()).capitalize()} (n = {n})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=9)
    finish(ax, title or "Maturity by dimension: mean adoption level", n=scores.n_respondents,
           unit=f"adoption level {lo}–{hi}, respondents", source=SOURCE)
    ax.set_title(ax.get_title(loc="left"), loc="left", pad=62)   # clear the top dimension label
    ax.texts[-1].xyann = (0, 42)
    return fig


def plot_perception_gap(gap: PerceptionGap, title: str | None = None, ax=None):
    """Dot-and-whisker chart of the ``role_a − role_b`` gap per dimension, with the overall gap.

    Parameters
    ----------
    gap : PerceptionGap
        From :func:`perception_gap`.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import ACCENT, NEUTRAL, finish

    t = gap.table.sort_values("gap")
    o = gap.overall
    labels = [*t["name"], "All dimensions"]
    vals = np.append(t["gap"].to_numpy(float), o["gap"])
    lo = np.append(t["ci_low"].to_numpy(float), o["ci_low"])
    hi = np.append(t["ci_high"].to_numpy(float), o["ci_high"])
    y = np.append(np.arange(len(t)) + 1.0, 0.0)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 0.5 * len(labels) + 1.8))
    fig = ax.figure
    err = np.vstack([vals - lo, hi - vals])
    ax.errorbar(vals, y, xerr=np.nan_to_num(np.clip(err, 0, None)), fmt="none", ecolor="#333333", capsize=3, lw=1)
    sig = (t["p_adj"] < 1 - gap.conf).to_numpy()
    ax.scatter(vals[:-1][sig], y[:-1][sig], color=ACCENT, s=45, zorder=3,
               label=f"clear difference (adjusted p < {1 - gap.conf:.2g})")
    ax.scatter(vals[:-1][~sig], y[:-1][~sig], facecolor="white", edgecolor=ACCENT, s=45, zorder=3, lw=1.5,
               label="could be chance")
    ax.scatter(vals[-1:], y[-1:], color="#000000", marker="D", s=55, zorder=3)
    ax.axvline(0, color=NEUTRAL, lw=1)
    ax.axhline(0.5, color="#dddddd", lw=0.8)
    for v, yy in zip(vals, y):
        if np.isfinite(v):
            ax.annotate(f"{v:+.1f}".replace("-", "−"), (v, yy), xytext=(0, 7), textcoords="offset points",
                        ha="center", fontsize=8.5)
    ax.set_yticks(y, labels)
    ax.get_yticklabels()[-1].set_fontweight("bold")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8.5)
    word = "higher" if not o["gap"] < 0 else "lower"
    title = title or f"{respondents(gap.role_a).capitalize()} rate maturity {word} than {respondents(gap.role_b)}"
    finish(ax, title, n=o["n_a"] + o["n_b"],
           unit=f"difference in adoption level, {gap.role_a} − {gap.role_b}, {100 * gap.conf:g}% intervals",
           source=SOURCE,
           xlabel=f"Levels ({gap.role_a} minus {gap.role_b}); right of 0: {role_plural(gap.role_a)} rate higher")
    return fig
