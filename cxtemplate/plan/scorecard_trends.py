"""One unit's metric per period beside the rest of the organisation's, for the manager scorecards.

Every period of the data is a row of each series, so a period with no responses, or with fewer than ``min_n``
(suppressed), is a gap in the line: the chart never joins two points across a period it does not show.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.measure.trends import period_codes, period_table
from cxtemplate.report.display import fmt_num, fmt_pct
from cxtemplate.report.grammar import plural, sentence

__all__ = ["REST", "plot_versus_rest", "trend_alt", "versus_rest_periods"]

REST = "Rest of the organisation"
"""The name of the comparison series."""


def versus_rest_periods(responses: pd.DataFrame, spec: MetricSpec, by: str, level, *, freq: str, min_n: int = 30,
                        conf: float = 0.95, time_col: str = "responded_at") -> pd.DataFrame:
    """The metric per period for this unit and for everyone else, over every period of the data.

    Parameters
    ----------
    responses : DataFrame
        Every response (all units), with ``by``, ``time_col`` and the metric's column.
    spec : MetricSpec
        The metric.
    by, level
        The unit.
    freq : {"M", "Q"}
        Reporting period.
    min_n : int
        Periods with fewer responses in a series have its value, interval hidden (``shown`` False).
    conf : float
        Interval level.
    time_col : str
        Response time column.

    Returns
    -------
    DataFrame
        ``series`` (``str(level)`` or :data:`REST`), ``period``, ``value``, ``ci_low``, ``ci_high``, ``n`` and
        ``shown``; one row per series and period from the first period of the data to the last (``n`` 0 where
        a series has no responses).
    """
    data = responses[responses[spec.column].notna()]
    _, periods = period_codes(responses[time_col], freq)
    here = data[by] == level
    parts = []
    for name, rows in ((str(level), data[here]), (REST, data[~here])):
        full = pd.DataFrame({"period": periods})
        if len(rows):
            t = period_table(rows, spec, time_col, freq=freq, conf=conf)[["period", "value", "ci_low", "ci_high", "n"]]
            full = full.merge(t, on="period", how="left")
        else:
            full = full.assign(value=np.nan, ci_low=np.nan, ci_high=np.nan, n=0)
        full["n"] = full["n"].fillna(0).astype(int)
        full["shown"] = full["n"] >= max(min_n, 1)
        full.loc[~full["shown"], ["value", "ci_low", "ci_high"]] = np.nan
        parts.append(full.assign(series=name))
    out = pd.concat(parts, ignore_index=True)
    return out[["series", "period", "value", "ci_low", "ci_high", "n", "shown"]]


def plot_versus_rest(table: pd.DataFrame, spec: MetricSpec, level, *, steps: pd.DataFrame | None = None,
                     target: float | None = None, title: str | None = None, min_n: int = 30, ax=None):
    """Both series of :func:`versus_rest_periods` as lines with their interval bands, broken at hidden periods.

    Parameters
    ----------
    table : DataFrame
        :func:`versus_rest_periods`' output.
    spec : MetricSpec
        The metric (axis label and unit).
    level
        This unit (the series drawn in the accent colour).
    steps : DataFrame, optional
        This unit's rows of notebook 04's step table (``step_period`` as periods, ``change``,
        ``significant``): each significant step is a dashed vertical line.
    target : float, optional
        The objective's target, drawn as a dotted horizontal line.
    title : str, optional
        Chart title (default "<metric> at <level> and the rest of the organisation").
    min_n : int
        For the subtitle: periods under it are not shown.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import ACCENT, BAD, GOOD, NEUTRAL, finish

    if ax is None:
        _, ax = plt.subplots()
    for name, colour, width in ((REST, NEUTRAL, 1.5), (str(level), ACCENT, 2.2)):
        part = table[table["series"] == name].sort_values("period")
        if part.empty:
            continue
        x = part["period"].dt.to_timestamp()
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=colour, alpha=0.15, linewidth=0)
        ax.plot(x, part["value"], marker="o", markersize=3, color=colour, linewidth=width, label=name)
    if target is not None and np.isfinite(target):
        ax.axhline(target, color="#333333", linestyle=":", linewidth=1.2, label=f"Target {fmt_num(target, 1)}")
    if steps is not None and len(steps):
        for _, r in steps[steps["significant"].astype(bool)].iterrows():
            when = r["step_period"]
            x = when.to_timestamp() - (when.to_timestamp() - (when - 1).to_timestamp()) / 2
            ax.axvline(x, color=GOOD if r["change"] > 0 else BAD, linestyle="--", linewidth=1)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    hidden = int((~table.loc[table["series"] == str(level), "shown"]).sum())
    source = "survey responses" + (f"; {plural(hidden, 'period')} under {min_n} responses here not shown"
                                   if hidden else "")
    finish(ax, title or f"{spec.name} at {level} and the rest of the organisation", n=int(table["n"].sum()),
           unit=spec.unit, source=source, xlabel="", ylabel=spec.name)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8.5)
    return ax


def trend_alt(table: pd.DataFrame, spec: MetricSpec, level, decimals: int = 1) -> str:
    """The chart's text for a reader who cannot see it: its title and one sentence from the latest shown period.

    Parameters
    ----------
    table : DataFrame
        :func:`versus_rest_periods`' output.
    spec : MetricSpec
    level
        This unit.
    decimals : int

    Returns
    -------
    str
    """
    title = f"{spec.name} at {level} and the rest of the organisation per period"
    wide = table.pivot(index="period", columns="series", values="value")
    if str(level) not in wide.columns or REST not in wide.columns:
        return f"{title}: no period has enough responses here to show."
    both = wide[[str(level), REST]].dropna()
    if both.empty:
        return f"{title}: no period has enough responses here to show."
    last = both.index[-1]
    below = int((both[str(level)] < both[REST]).sum())
    mine, rest = both[str(level)].iloc[-1], both[REST].iloc[-1]
    shown = (lambda v: fmt_pct(v, decimals)) if spec.kind == "top_box" else (lambda v: fmt_num(v, decimals))  # noqa: E731
    return (f"{title}: " + sentence(
        f"in {last} {spec.name} was {shown(mine)} at {level} against {shown(rest)} for the "
        f"rest; {level} was below the rest in {below} of the {plural(len(both), 'period')} shown"))
