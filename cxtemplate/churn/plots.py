"""Charts for the churn notebook, in the house style of :mod:`cxtemplate.report.theme`.

Each function draws from results already computed (no refitting, no seaborn bootstrapping) and
returns the matplotlib axes (or figure), finished with a title, unit, n and source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.report.theme import ACCENT, BAD, NEUTRAL, NPS_COLOURS, PALETTE, finish

NONE_YET_COLOUR = "#56B4E9"


def level_label(alpha: float) -> str:
    """The confidence level of ``alpha`` as a chart says it: ``"95%"`` for 0.05."""
    return f"{100 * (1 - alpha):g}%"


def _colours(groups, group_col):
    if group_col == "nps_category":
        cols = dict(NPS_COLOURS, none_yet=NONE_YET_COLOUR)
        return [cols.get(g, PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)]
    return [PALETTE[i % len(PALETTE)] for i in range(len(groups))]


def _new_ax(ax, **kw):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(**kw)
    return ax


TICK_STEPS = (1, 2, 3, 6, 12, 24, 36, 60, 120, 240, 365, 730)
"""Candidate distances between tenure ticks, in the axis unit (months, years, weeks or days)."""


def tenure_ticks(longest: float, max_ticks: int = 8) -> np.ndarray:
    """Ticks from 0 to the longest tenure (in the axis unit), a round step apart, ending at the longest tenure when
    it is a whole number of steps (72 months: 0, 12, …, 72)."""
    if not longest > 0:
        return np.array([0.0])
    step = next((s for s in TICK_STEPS if longest / s <= max_ticks), longest / max_ticks)
    ticks = np.arange(0.0, longest + 1e-9 * step, step)
    return ticks


def plot_km(km, ax=None, *, at_risk: bool = True, title: str | None = None, source: str | None = "CRM",
            unit_days: float = 365.25, unit_name: str = "years"):
    """Kaplan–Meier curves by group with their confidence bands, the horizon marked and at-risk counts below.

    Parameters
    ----------
    km : KMResult
        From :func:`cxtemplate.churn.km_cox.kaplan_meier`.
    ax : matplotlib.axes.Axes, optional
    at_risk : bool
        Add the number at risk of each group under the chart, at each tick: the customers whose tenure is at least
        the tick (:func:`cxtemplate.churn.km_cox.at_risk_counts`), so those who reach the last time point count
        there (lifelines' ``add_at_risk_counts`` counts those still at risk just *after* a time, which is 0 at the
        last one).
    title, source : str, optional
    unit_days, unit_name
        Tenure axis unit (default years).
    """
    import matplotlib.pyplot as plt
    from matplotlib.transforms import blended_transform_factory

    from cxtemplate.churn.km_cox import at_risk_counts

    groups = list(km.fitters)
    if ax is None:
        fig = plt.figure(figsize=(8.0, 4.4 + (0.24 * len(groups) if at_risk else 0)), layout="none")
        ax = fig.add_axes([0.1, 0.16 + (0.055 * len(groups) if at_risk else 0), 0.72, 0.66])
    for g, col in zip(groups, _colours(groups, km.group_col)):
        f = km.fitters[g]
        sf = f.survival_function_.iloc[:, 0]
        ci = f.confidence_interval_survival_function_
        x = sf.index.to_numpy(float) / unit_days
        ax.step(x, sf.to_numpy(), where="post", color=col, lw=1.8, label=f"{g} (n = {f.event_table['entrance'].sum():,})")
        ax.fill_between(x, ci.iloc[:, 0].to_numpy(), ci.iloc[:, 1].to_numpy(), step="post", color=col, alpha=0.15, lw=0)
    ax.axvline(km.horizon_days / unit_days, color=ACCENT, ls="--", lw=1, alpha=0.7)
    ax.annotate(" horizon", (km.horizon_days / unit_days, 0.02), color=ACCENT, fontsize=8.5)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    longest = max((float(np.max(f.durations)) for f in km.fitters.values() if len(f.durations)), default=0.0)
    ticks = tenure_ticks(longest / unit_days)
    ax.set_xticks(ticks)
    ax.set_xlim(0, max(longest / unit_days, ticks[-1]) * 1.02 or 1)
    n = int(km.summary["customers"].sum())
    by = f", by {km.group_col.replace('_', ' ')}" if km.group_col else ""
    finish(ax, title or f"Customers still with us over tenure{by}", n=n,
           unit=f"customers retained, %, {level_label(km.alpha)} bands",
           source=source, xlabel=f"Tenure ({unit_name})", ylabel="Still a customer")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    if at_risk:
        # tolerance: a tick times the unit may differ from the stored tenure in its last bit
        counts = at_risk_counts(km, ticks * unit_days - 1e-6)
        where = blended_transform_factory(ax.transData, ax.transAxes)
        ax.annotate("At risk", xy=(0, -0.22), xycoords="axes fraction", ha="right", va="center", fontsize=8.5,
                    fontweight="bold", xytext=(-24, 0), textcoords="offset points")
        for i, g in enumerate(groups):
            y = -0.22 - 0.075 * (i + 1)
            ax.annotate(str(g)[:22], xy=(0, y), xycoords="axes fraction", ha="right", va="center", fontsize=8,
                        xytext=(-24, 0), textcoords="offset points")
            for t, c in zip(ticks, counts[g]):
                ax.text(t, y, f"{c:,}", transform=where, ha="center", va="center", fontsize=8)
    return ax


def plot_forest(cox, ax=None, *, title: str | None = None, source: str | None = None, table: pd.DataFrame | None = None):
    """Hazard ratios with their intervals (the model's ``alpha``) on a log scale; 1 = no difference from the reference.

    ``table`` is the hazard-ratio table to draw (default ``cox.hazard_ratios``): the page passes the reader's
    (:func:`cxtemplate.churn.terms.reader_hazard_ratios`, human labels and counts per one more)."""
    t = (cox.hazard_ratios if table is None else table).iloc[::-1].reset_index(drop=True)
    ax = _new_ax(ax, figsize=(8.0, 1.2 + 0.38 * len(t)))
    y = np.arange(len(t))
    col = np.where(t["hr_low"] > 1, BAD, np.where(t["hr_high"] < 1, PALETTE[2], NEUTRAL))
    ax.hlines(y, t["hr_low"], t["hr_high"], color=col, lw=2)
    ax.scatter(t["hr"], y, color=col, zorder=3, s=28)
    ax.axvline(1.0, color="#333333", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels(t["label"])
    lo, hi = float(t["hr_low"].min()), float(t["hr_high"].max())
    ax.set_xlim(min(lo, 0.9) / 1.15, max(hi, 1.1) * 1.15)
    ticks = [x for x in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6) if ax.get_xlim()[0] <= x <= ax.get_xlim()[1]]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{x:g}" for x in ticks])
    ax.minorticks_off()
    strata = f", allowing for {', '.join(cox.strata)}" if cox.strata else ""
    finish(ax, title or "What raises the risk of leaving: hazard ratios", n=cox.n_subjects,
           unit=f"hazard ratio, {level_label(cox.alpha)} interval, log scale",
           source=source, xlabel=f"Hazard ratio (above 1 = leaves sooner) · {cox.n_events:,} customers who left{strata}",
           ylabel="")
    return ax


def plot_calibration(validation, ax=None, *, horizon_days: float = 365.0, title: str | None = None,
                     source: str | None = None):
    """Smoothed observed vs predicted churn by the horizon, one line per model (out-of-fold)."""
    ax = _new_ax(ax, figsize=(6.4, 4.6))
    tab = validation.table.set_index("model")
    for i, (name, curve) in enumerate(validation.curves.items()):
        if curve.empty:
            continue
        r = tab.loc[name]
        ax.plot(curve["predicted"], curve["observed"], color=[ACCENT, PALETTE[1]][i % 2], lw=2,
                label=f"{name}: ICI {r['ici']:.3f}, E50 {r['e50']:.3f}")
    lim = max(0.05, *(float(c[["predicted", "observed"]].max().max()) for c in validation.curves.values()
                      if not c.empty))
    ax.plot([0, lim], [0, lim], color="#333333", ls="--", lw=0.8, label="perfect calibration")
    ax.set_xlim(0, lim)
    ax.set_ylim(0, lim)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(lambda v, _: f"{v:.0%}")
    n = int(tab["n"].iloc[0])
    finish(ax, title or f"Predicted vs observed churn within {horizon_days:.0f} days", n=n,
           unit=f"probability, out-of-fold ({validation.design})", source=source,
           xlabel="Predicted", ylabel="Observed (smoothed)")
    ax.legend(loc="upper left", frameon=False, fontsize=8.5)
    return ax


def plot_risk_value_matrix(matrix: pd.DataFrame, ax=None, *, value: str = "revenue_at_risk",
                           title: str | None = None, source: str | None = None, currency: str | None = None):
    """Heat map of risk band × value band; each cell shows its revenue at risk (in ``currency``, an ISO code) and
    its customers (n).

    Drawn by :func:`cxtemplate.report.charts.heatmap`, as every "metric by two labels" chart of the report.
    """
    from cxtemplate.report.charts import heatmap
    from cxtemplate.report.display import fmt_money

    ax = _new_ax(ax, figsize=(7.2, 3.8))
    piv = matrix.pivot(index="risk_band", columns="value_band", values=value).iloc[::-1]
    cnt = matrix.pivot(index="risk_band", columns="value_band", values="customers").iloc[::-1]
    return heatmap(piv, n=cnt, fmt=lambda v: fmt_money(v, currency), cmap="Oranges", ax=ax,
                   title=title or "Where the revenue at risk sits: churn risk × customer value",
                   unit=f"annual revenue at risk{', ' + currency if currency else ''}", source=source,
                   xlabel="Customer value (annual revenue band)", ylabel="Churn risk within horizon")


def plot_revenue_at_risk(table: pd.DataFrame, dimension: str = "segment", ax=None, *, title: str | None = None,
                         source: str | None = None, currency: str | None = None, label: str | None = None):
    """Horizontal bars of revenue at risk by one dimension of :func:`~cxtemplate.churn.scoring.revenue_at_risk`,
    with each group's interval as a whisker (when the table has ``revenue_at_risk_low``/``_high``); the axis and
    the labels in ``currency`` (an ISO code: symbol and thousands separators)."""
    from cxtemplate.report.display import fmt_money, money_axis

    from matplotlib.ticker import MaxNLocator

    t = table.loc[table["dimension"] == dimension].sort_values("revenue_at_risk")
    ax = _new_ax(ax, figsize=(8.4, 1.4 + 0.42 * len(t)))
    ax.barh(t["group"], t["revenue_at_risk"], color=BAD)
    banded = "revenue_at_risk_low" in t.columns and t["revenue_at_risk_low"].notna().all()
    if banded:
        lo, hi = t["revenue_at_risk_low"].to_numpy(float), t["revenue_at_risk_high"].to_numpy(float)
        v = t["revenue_at_risk"].to_numpy(float)
        ax.errorbar(v, np.arange(len(t)), xerr=[np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)], fmt="none",
                    ecolor="#333333", elinewidth=1, capsize=3)
    for y, row in enumerate(t.itertuples()):
        band = (f" ({fmt_money(row.revenue_at_risk_low, currency)} to {fmt_money(row.revenue_at_risk_high, currency)})"
                if banded else "")
        edge = row.revenue_at_risk_high if banded else row.revenue_at_risk
        ax.annotate(f"  {fmt_money(row.revenue_at_risk, currency)}{band}, {row.mean_probability:.0%} average risk",
                    (edge, y), va="center", fontsize=8)
    top = float((t["revenue_at_risk_high"] if banded else t["revenue_at_risk"]).max()) if len(t) else 1.0
    ax.set_xlim(0, top * 2.0 if banded else top * 1.4)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    money_axis(ax, currency, "x")
    name = label or dimension
    finish(ax, title or f"Annual revenue at risk by {name}", n=int(t["customers"].sum()),
           unit=("Σ annual revenue × churn probability" + (", with its interval" if banded else "")
                 + (f", {currency}" if currency else "")), source=source,
           xlabel="Revenue at risk", ylabel="")
    return ax


def plot_rmst(km, ax=None, *, title: str | None = None, source: str | None = "CRM"):
    """Restricted mean tenure over the horizon by group, with their intervals (the curves' ``alpha``)."""
    s = km.summary.iloc[::-1].reset_index(drop=True)
    ax = _new_ax(ax, figsize=(7.2, 1.2 + 0.42 * len(s)))
    cols = _colours(list(s["group"]), km.group_col)
    y = np.arange(len(s))
    ax.hlines(y, s["rmst_low"], s["rmst_high"], color=cols, lw=2)
    ax.scatter(s["rmst_days"], y, color=cols, zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels(s["group"])
    finish(ax, title or f"Average days kept as a customer over the next {km.horizon_days:.0f} days",
           n=int(s["customers"].sum()), unit=f"restricted mean survival time, days, {level_label(km.alpha)} interval",
           source=source,
           xlabel="Days (of the horizon)", ylabel="")
    return ax
