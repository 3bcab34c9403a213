"""Segments: each level of each segment column against the rest of the population, and funnel plots.

* :func:`segment_table` — for every segment column and level: metric, interval, n, the difference
  from the rest of the population (everyone not in that level) with a test, and a
  Benjamini–Hochberg adjusted p-value across all levels of all columns; cells below ``min_n`` are
  suppressed and say so.
* :func:`funnel_limits` / :func:`plot_funnel` — the metric of units (locations, agents, …) against
  their sample size, with 95% and 99.8% control limits around the overall value
  (Spiegelhalter 2005, "Funnel plots for comparing institutional performance"): a small unit far
  from the average may be noise, a large one rarely is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxtemplate.measure.docs import shared_docs
from cxtemplate.measure.inference import adjust_bh, compare_to_rest
from cxtemplate.measure.metrics import infer_kind, nps_variance, stats_from_table, summarise, suppress
from cxtemplate.measure.spec import MetricSpec, z_value


@shared_docs
def segment_table(df: pd.DataFrame, spec: MetricSpec, segment_cols: str | Sequence[str], min_n: int = 30,
                  conf: float = 0.95, method: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Metric per level of each segment column, compared with the rest of the population.

    Parameters
    ----------
    {df}
    {spec}
    segment_cols : str or list of str
        Columns to break down by, e.g. ``["location", "channel", "plan"]``.
    {min_n}
        A level whose complement is that small is suppressed too, and neither enters the multiple-testing family.
    {conf}
    {method}
    {alpha}

    Returns
    -------
    DataFrame
        ``segment`` (column name), ``level`` (as text), the summary columns (``metric``, ``value``,
        ``n``, ``se``, ``ci_low``, ``ci_high``, …), ``value_rest``, ``n_rest``, ``diff`` (level −
        rest), ``diff_ci_low``, ``diff_ci_high``, ``p``, ``p_adj`` (BH over every shown level of
        every column), ``significant`` and ``note``. Rows keep the column order given and the
        level order of each column. Levels with a missing value are left out of the breakdown but
        stay in "the rest".
    """
    cols = [segment_cols] if isinstance(segment_cols, str) else list(segment_cols)
    overall = summarise(df, spec, conf=conf, method=method)
    parts = []
    for col in cols:
        t = summarise(df, spec, by=[col], conf=conf, method=method)
        levels = t.pop(col)
        t.insert(0, "level", levels.astype(str).to_numpy())
        t.insert(0, "segment", col)
        parts.append(t)
    if not parts:
        raise ValueError("segment_table needs at least one segment column")
    tab = pd.concat(parts, ignore_index=True)
    cmp = compare_to_rest(tab, overall, spec)
    tab["value_rest"] = cmp["value_b"]
    tab["n_rest"] = cmp["n_b"].astype(np.int64)
    tab["diff"] = cmp["diff"]
    tab["diff_ci_low"], tab["diff_ci_high"] = cmp["ci_low"], cmp["ci_high"]
    shown = (tab["n"] >= min_n) & (tab["n_rest"] >= min_n)
    tab["p"] = cmp["p"].where(shown)
    tab["p_adj"] = adjust_bh(tab["p"].to_numpy())
    tab["significant"] = (tab["p_adj"] < alpha).to_numpy()
    out = suppress(tab, min_n)
    rest_small = (tab["n"] >= min_n) & (tab["n_rest"] < min_n)
    if rest_small.any():
        for c in ("value_rest", "diff", "diff_ci_low", "diff_ci_high"):
            out[c] = out[c].where(~rest_small)
        out.loc[rest_small, "note"] = [f"no comparison: rest n = {int(v):,} < {min_n}"
                                       for v in tab.loc[rest_small, "n_rest"]]
    return out


def _overall_and_variance(table: pd.DataFrame, kind: str) -> tuple[float, float]:
    """Pooled value over the rows of a summary table and the per-response variance there
    (in squared reporting units)."""
    st = stats_from_table(table, kind)
    st = {k: np.nansum(v) for k, v in st.items()}
    n = st["n"]
    if kind == "nps":
        p, d = st["pro"] / n, st["det"] / n
        return 100 * (p - d), 1e4 * float(nps_variance(p, d))
    if kind == "top_box":
        p = st["succ"] / n
        return 100 * p, 1e4 * p * (1 - p)
    mean = st["s1"] / n
    return mean, (st["s2"] - st["s1"] * mean) / (n - 1)


def funnel_limits(n, overall: float, variance: float, levels: Sequence[float] = (0.95, 0.998),
                  bounds: tuple[float, float] | None = None) -> pd.DataFrame:
    """Control limits ``overall ± z · √(variance / n)`` for each sample size in ``n``.

    Parameters
    ----------
    n : array_like
        Sample sizes (a grid for drawing the funnel, or the units' own n).
    overall : float
        The target (usually the pooled value of all units).
    variance : float
        Per-response variance in squared reporting units (e.g. ``1e4 · (p + d − (p − d)²)`` for
        NPS points, ``1e4 · p(1 − p)`` for a share in %, ``sd²`` for a mean).
    levels : sequence of float
        Coverage of each pair of limits; 0.95 and 0.998 (≈ 2 and 3 standard errors).
    bounds : (float, float), optional
        Range to clip the limits to (e.g. ``(-100, 100)`` for NPS).

    Returns
    -------
    DataFrame
        ``n`` then ``lower_95``, ``upper_95``, ``lower_99.8``, ``upper_99.8`` (one pair per level).
    """
    n = np.asarray(n, dtype=float)
    out = {"n": n}
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(variance / n)
    for lv in levels:
        z = z_value(lv)
        lo, hi = overall - z * se, overall + z * se
        if bounds is not None:
            lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
        tag = f"{lv * 100:g}"
        out[f"lower_{tag}"], out[f"upper_{tag}"] = lo, hi
    return pd.DataFrame(out)


def funnel_table(table: pd.DataFrame, spec: MetricSpec | None = None, overall: float | None = None,
                 levels: Sequence[float] = (0.95, 0.998)) -> tuple[pd.DataFrame, float, float]:
    """Flag the units of a summary table that lie outside the funnel's control limits.

    Returns
    -------
    (DataFrame, float, float)
        The table with the limits at each unit's n and ``outside_95`` / ``outside_99.8`` flags,
        the overall value and the per-response variance used.
    """
    kind = spec.kind if spec is not None else infer_kind(table)
    pooled, var = _overall_and_variance(table, kind)
    target = pooled if overall is None else overall
    bounds = (-100, 100) if kind == "nps" else (0, 100) if kind == "top_box" else (
        tuple(spec.scale) if spec is not None else None)
    lim = funnel_limits(table["n"].to_numpy(), target, var, levels, bounds)
    out = table.reset_index(drop=True).copy()
    for lv in levels:
        tag = f"{lv * 100:g}"
        lo, hi = lim[f"lower_{tag}"].to_numpy(), lim[f"upper_{tag}"].to_numpy()
        out[f"lower_{tag}"], out[f"upper_{tag}"] = lo, hi
        v = out["value"].to_numpy(dtype=float)
        out[f"outside_{tag}"] = (v < lo) | (v > hi)
    return out, float(target), float(var)


def plot_funnel(table: pd.DataFrame, spec: MetricSpec | None = None, label_col: str | None = None,
                overall: float | None = None, ax=None, title: str | None = None,
                source: str | None = None, label_all: bool | None = None):
    """Funnel plot: each unit's metric against its n, with 95% and 99.8% limits around the overall.

    The legend names the limits, the overall line and what each point colour means (within the 95% limits,
    outside them, outside the 99.8% limits).

    Parameters
    ----------
    table : DataFrame
        Summary per unit, e.g. ``summarise(df, spec, by="agent_id")``.
    spec : MetricSpec, optional
        The metric (unit and kind); inferred from the columns when omitted.
    label_col : str, optional
        Column naming the units; defaults to the first column.
    overall : float, optional
        Target value; by default the pooled value of all units.
    ax : matplotlib Axes, optional
        Where to draw.
    title, source : str, optional
        Chart title and data source.
    label_all : bool, optional
        Label every point (default when there are at most 25 units) or only those outside the
        95% limits.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import BAD, NEUTRAL, PALETTE, finish

    if ax is None:
        _, ax = plt.subplots()
    ft, target, var = funnel_table(table, spec, overall)
    kind = spec.kind if spec is not None else infer_kind(table)
    bounds = (-100, 100) if kind == "nps" else (0, 100) if kind == "top_box" else (
        tuple(spec.scale) if spec is not None else None)
    nmax = max(float(ft["n"].max()), 2.0)
    grid = np.geomspace(max(1.0, float(ft["n"].min()) * 0.8), nmax * 1.1, 200)
    lim = funnel_limits(grid, target, var, bounds=bounds)
    ax.plot(grid, lim["lower_95"], color=NEUTRAL, linestyle="--", linewidth=1, label="95% limits")
    ax.plot(grid, lim["upper_95"], color=NEUTRAL, linestyle="--", linewidth=1)
    ax.plot(grid, lim["lower_99.8"], color=NEUTRAL, linestyle=":", linewidth=1, label="99.8% limits")
    ax.plot(grid, lim["upper_99.8"], color=NEUTRAL, linestyle=":", linewidth=1)
    ax.axhline(target, color=NEUTRAL, linewidth=1, label=f"Overall ({target:.1f})")
    out95, out998 = ft["outside_95"].to_numpy(), ft["outside_99.8"].to_numpy()
    colours = np.where(out998, BAD, np.where(out95, PALETTE[1], PALETTE[0]))
    ax.scatter(ft["n"], ft["value"], c=list(colours), s=28, zorder=3)
    # an empty marker per colour the points use, so that the legend says what each colour means
    for where, colour, meaning in ((~out95, PALETTE[0], "Within the 95% limits"),
                                   (out95 & ~out998, PALETTE[1], "Outside the 95% limits"),
                                   (out998, BAD, "Outside the 99.8% limits")):
        if where.any():
            ax.scatter([], [], color=colour, s=28, label=meaning)
    label_col = label_col or ft.columns[0]
    if label_all is None:
        label_all = len(ft) <= 25
    for lab, x, y, o in zip(ft[label_col], ft["n"], ft["value"], out95):
        if label_all or o:
            ax.annotate(str(lab), (x, y), xytext=(4, 3), textcoords="offset points", fontsize=8,
                        color=BAD if o else "#333333")
    xlabel = "responses (n)"
    if grid[-1] / grid[0] > 10:  # a log axis only when the sizes span more than a decade
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        xlabel = "responses (n, log scale)"
    name = spec.display if spec is not None else str(ft["metric"].iloc[0])
    finish(ax, title or f"{name} by {label_col}: funnel plot", n=int(ft["n"].sum()),
           unit=spec.unit if spec is not None else None, source=source,
           xlabel=xlabel, ylabel=spec.name if spec is not None else None,
           legend=True)
    return ax
