"""Charts for key-driver analysis, in the house style of :mod:`cxtemplate.report.theme`.

Each function draws from results of :mod:`cxtemplate.analysis.drivers` already computed and returns the
matplotlib axes, finished with a title, unit, n and source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from cxtemplate.analysis.drivers import DriverImportance


def plot_importance(result: DriverImportance, *, ax=None, labels: dict | None = None,
                    source: str | None = None, title: str | None = None):
    """Horizontal bars of normalised shares, with bootstrap whiskers when available.

    Parameters
    ----------
    result : DriverImportance
        From :func:`shapley_importance`, :func:`relative_weights` or :func:`bootstrap_importance`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure otherwise).
    labels : dict, optional
        Plain-language names for driver columns.
    source : str, optional
        Data source for the subtitle.
    title : str, optional
        Replaces the default title, which states the outcome and R² (with its interval).

    Returns
    -------
    matplotlib.axes.Axes
        Titled with R², and subtitled with the method, n and the interval level.
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import ACCENT, BAD, finish

    t = result.table.sort_values("share_pct")
    names = [(labels or {}).get(d, d) for d in t["driver"]]
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 0.45 * len(t) + 1.6))
    ax.barh(names, t["share_pct"], color=[BAD if s == "-" else ACCENT for s in t["sign"]])
    unit = result.method.split(" (")[0]       # the short name keeps the subtitle on one line
    if "share_low" in t:
        err = np.vstack([t["share_pct"] - t["share_low"], t["share_high"] - t["share_pct"]])
        ax.errorbar(t["share_pct"], names, xerr=np.clip(err, 0, None), fmt="none",
                    ecolor="#333333", capsize=3, lw=1)
        unit += f" · {100 * result.info['conf']:g}% bootstrap intervals"
    if (t["sign"] == "-").any():
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color=BAD, label="higher rating goes with a lower outcome")],
                  loc="lower right", fontsize=8.5)
    ci = "" if np.isnan(result.r2_low) else f" ({result.r2_low:.2f}–{result.r2_high:.2f})"
    finish(ax, title or f"What drives {result.outcome}: R² = {result.r2:.2f}{ci}", n=result.n,
           unit=unit, source=source, xlabel="Share of R² (%)", ylabel="")
    return ax


def plot_importance_performance(ipa: pd.DataFrame, *, ax=None, labels: dict | None = None,
                                n: int | None = None, source: str | None = None,
                                title: str = "Where to act: importance vs performance",
                                performance_label: str = "Performance (mean rating)"):
    """Importance–performance grid: labelled points, cross-hairs and the quadrant names.

    Parameters
    ----------
    ipa : pandas.DataFrame
        Output of :func:`importance_performance`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure otherwise).
    labels : dict, optional
        Plain-language driver names.
    n, source : optional
        Responses behind the chart and their source, for the subtitle.
    title, performance_label : str
        Chart title and x-axis label.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import BAD, GOOD, NEUTRAL, finish

    if ax is None:
        _, ax = plt.subplots()
    icut = ipa.attrs.get("importance_cut", ipa["importance"].mean())
    pcut = ipa.attrs.get("performance_cut", ipa["performance"].mean())
    colour = {"Concentrate here": BAD, "Keep up the good work": GOOD}
    ax.scatter(ipa["performance"], ipa["importance"], s=45, zorder=3,
               c=[colour.get(q, NEUTRAL) for q in ipa["quadrant"]])
    for d, x, y in zip(ipa["driver"], ipa["performance"], ipa["importance"]):
        ax.annotate((labels or {}).get(d, d), (x, y), xytext=(5, 4), textcoords="offset points",
                    fontsize=8.5)
    ax.margins(x=0.1, y=0.18)                 # room for the corner names
    ax.axvline(pcut, color=NEUTRAL, ls="--", lw=1)
    ax.axhline(icut, color=NEUTRAL, ls="--", lw=1)
    corners = {"Concentrate here": (0.01, 0.99, "left", "top"),
               "Keep up the good work": (0.99, 0.99, "right", "top"),
               "Low priority": (0.01, 0.01, "left", "bottom"),
               "Possible overkill": (0.99, 0.01, "right", "bottom")}
    for name, (x, y, ha, va) in corners.items():
        ax.text(x, y, name, transform=ax.transAxes, ha=ha, va=va, fontsize=9, color="#555555",
                style="italic")
    finish(ax, title, n=n, unit=f"importance = share of R², %; lines at the "
           f"{ipa.attrs.get('centre', 'mean')}", source=source, xlabel=performance_label,
           ylabel="Importance (share of R², %)")
    return ax
