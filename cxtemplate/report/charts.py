"""The two charts the pages draw for "a metric by two labels": a heat map and 100 % stacked bars.

Both show each cell's (or bar's) sample size and suppress what rests on fewer than ``min_n``
observations, saying so in the subtitle, so every page treats small cells the same way. Drawn with
matplotlib alone (no seaborn import in the kernel) and finished by :func:`cxtemplate.report.theme.finish`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from cxtemplate.report.theme import MUTED_TEXT, finish, palette, text_colour_on

SUPPRESSED_COLOUR = "#eeeeee"


def _suppressed_note(count: int, what: str, min_n: int | None) -> str:
    return f"{count} {what}{'s' if count != 1 else ''} with n < {min_n} not shown" if count else ""


def _text_colour(rgba) -> str:
    """Black or white, whichever is easier to read on the fill (WCAG AA, :func:`~cxtemplate.report.theme.text_colour_on`)."""
    return text_colour_on(tuple(rgba[:3]))


def heatmap(values: pd.DataFrame, *, n: pd.DataFrame | None = None, min_n: int | None = None,
            fmt: Callable[[float], str] = "{:,.1f}".format, title: str, unit: str | None = None,
            source: str | None = None, cmap: str = "Oranges", vmin: float | None = None, vmax: float | None = None,
            xlabel: str = "", ylabel: str = "", show_n: bool = True, total_n: int | None = None, ax=None):
    """A heat map of a metric by two labels (rows × columns), each cell annotated with its value and n.

    Parameters
    ----------
    values : pandas.DataFrame
        The metric, one row per level of the first label and one column per level of the second, in the
        order to draw (top row first).
    n : pandas.DataFrame, optional
        Observations behind each cell, aligned with ``values``; shown under the value and used for ``min_n``.
    min_n : int, optional
        Cells with fewer observations are left grey, unlabelled ("n < min_n"), and counted in the subtitle.
    fmt : callable
        Formats a cell's value.
    title, unit, source : str
        See :func:`cxtemplate.report.theme.finish`; the n of the shown cells is added when ``n`` is given.
    cmap : str
        Matplotlib colormap.
    vmin, vmax : float, optional
        Colour scale limits (default: the shown cells' range).
    xlabel, ylabel : str
    show_n : bool
        Write each cell's n under its value.
    total_n : int, optional
        The n of the whole chart when cells have none of their own (e.g. the complete responses behind a
        correlation matrix).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    v = values.astype(float)
    counts = None if n is None else n.reindex(index=v.index, columns=v.columns).astype(float)
    hidden = np.zeros(v.shape, bool) if counts is None or min_n is None else (counts.to_numpy() < min_n)
    shown = np.ma.masked_array(v.to_numpy(), mask=hidden | np.isnan(v.to_numpy()))
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 1.25 * v.shape[1] + 2.5), max(2.6, 0.55 * v.shape[0] + 1.6)))
    colours = plt.get_cmap(cmap).with_extremes(bad=SUPPRESSED_COLOUR)
    lo = vmin if vmin is not None else (float(shown.min()) if shown.count() else 0.0)
    hi = vmax if vmax is not None else (float(shown.max()) if shown.count() else 1.0)
    image = ax.imshow(shown, cmap=colours, vmin=lo, vmax=hi if hi > lo else lo + 1, aspect="auto")
    for i in range(v.shape[0]):
        for j in range(v.shape[1]):
            if hidden[i, j]:
                ax.text(j, i, f"n < {min_n}", ha="center", va="center", fontsize=8, color=MUTED_TEXT)
            elif not np.isnan(v.iat[i, j]):
                label = fmt(v.iat[i, j])
                if show_n and counts is not None and not np.isnan(counts.iat[i, j]):
                    label += f"\nn = {int(counts.iat[i, j]):,}"
                ax.text(j, i, label, ha="center", va="center", fontsize=8.5,
                        color=_text_colour(image.cmap(image.norm(v.iat[i, j]))))
    ax.set_xticks(range(v.shape[1]), [str(c) for c in v.columns])
    ax.set_yticks(range(v.shape[0]), [str(r) for r in v.index])
    ax.grid(False)
    ax.set_xticks(np.arange(-0.5, v.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, v.shape[0]), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)  # a white rule between cells
    ax.tick_params(which="both", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    note = _suppressed_note(int(hidden.sum()), "cell", min_n)
    total = total_n if counts is None else int(np.nansum(np.where(hidden, 0.0, counts.to_numpy())))
    finish(ax, title, n=total, unit="; ".join(p for p in (unit, note) if p) or None, source=source,
           xlabel=xlabel, ylabel=ylabel)
    return ax


def stacked_shares(counts: pd.DataFrame, *, colours: Mapping[str, str] | Sequence[str] | None = None,
                   min_n: int | None = None, sort_by: str | None = None, title: str, unit: str = "% of the group",
                   source: str | None = None, xlabel: str = "%", label_min: float = 7.0, ax=None):
    """100 % stacked horizontal bars: the mix of categories (columns) within each group (rows).

    Parameters
    ----------
    counts : pandas.DataFrame
        Observations per group (rows) and category (columns), in the order to draw (top bar first).
    colours : mapping or sequence, optional
        Category → colour, or colours in column order (default: the house palette).
    min_n : int, optional
        Groups with fewer observations are left out and counted in the subtitle.
    sort_by : str, optional
        Order the bars by this category's share, largest on top (default: as given).
    title, unit, source, xlabel : str
        See :func:`cxtemplate.report.theme.finish`; the n of the shown groups is added.
    label_min : float
        Segments of at least this many percent are labelled with their share.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    c = counts.astype(float)
    n = c.sum(axis=1)
    hidden = int((n < min_n).sum()) if min_n is not None else 0
    keep = c[n >= min_n] if min_n is not None else c
    keep_n = n.loc[keep.index]
    share = 100 * keep.div(keep_n.where(keep_n > 0), axis=0).fillna(0.0)
    if sort_by is not None:
        share = share.sort_values(sort_by, ascending=False)
    if isinstance(colours, Mapping):
        colour_of = [colours.get(k, "#999999") for k in share.columns]
    else:
        colour_of = list(colours) if colours is not None else list(palette(len(share.columns)))
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * max(len(share), 2) + 1.6))
    y = np.arange(len(share))[::-1]  # first row on top
    left = np.zeros(len(share))
    for colour, category in zip(colour_of, share.columns):
        width = share[category].to_numpy()
        ax.barh(y, width, left=left, color=colour, label=str(category).replace("_", " "))
        for yi, x0, w in zip(y, left, width):
            if w >= label_min:
                ax.text(x0 + w / 2, yi, f"{w:.0f}%", ha="center", va="center", fontsize=8.5,
                        color=_text_colour(to_rgba(colour)))
        left += width
    ax.set_yticks(y, [f"{g}  (n = {int(keep_n[g]):,})" for g in share.index])
    ax.set_xlim(0, 100)
    note = _suppressed_note(hidden, "group", min_n)
    finish(ax, title, n=int(keep_n.sum()), unit="; ".join(p for p in (unit, note) if p), source=source,
           xlabel=xlabel, ylabel="", legend=True)
    return ax
