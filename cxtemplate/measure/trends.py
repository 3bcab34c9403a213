"""Metrics over time: per-period tables, period-on-period tests, and step (change-point) detection.

* :func:`period_table` — the metric per month or quarter (optionally per group) with n and interval.
* :func:`compare_periods` — each period against the previous one and against a baseline, with a
  test and a Benjamini–Hochberg adjusted p-value per family of comparisons.
* :func:`detect_steps` — for each group's series, the single most likely step: the split that
  maximises a two-sample z statistic (before vs after, on response-level counts, at least
  ``min_periods`` non-empty periods on each side). Because the split is chosen by looking, the
  maximum's significance is calibrated by permuting whole periods (which also keeps any
  month-to-month over-dispersion in the null) or, faster and more conservative, by a Bonferroni
  bound over the candidate splits; the groups' p-values are then BH-adjusted.
* :func:`plot_trend` — line and interval band drawn from the computed intervals, steps marked.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from cxtemplate.errors import check_choice
from cxtemplate.measure.docs import shared_docs
from cxtemplate.measure.grouping import dense_stats, score_array
from cxtemplate.measure.inference import adjust_bh, diff_from_stats
from cxtemplate.measure.metrics import infer_kind, stats_from_table, stats_to_metric
from cxtemplate.measure.spec import MetricSpec

_FREQ = {"M": "M", "ME": "M", "MS": "M", "MONTH": "M", "Q": "Q", "QE": "Q", "QS": "Q", "QUARTER": "Q",
         "Y": "Y", "YE": "Y", "YS": "Y", "A": "Y", "YEAR": "Y"}


def _freq(freq: str) -> str:
    f = _FREQ.get(str(freq).upper())
    if f is None:
        check_choice("freq", freq, ("M", "Q", "Y"))
    return f


def period_codes(values, freq: str = "M") -> tuple[np.ndarray, pd.PeriodIndex]:
    """Period of each timestamp as an integer code into the full range of periods.

    Parameters
    ----------
    values : Series or array_like
        Datetimes (naive or tz-aware: the local calendar is used), periods, or parseable strings.
    freq : {"M", "Q", "Y"}
        Period length.

    Returns
    -------
    (ndarray, PeriodIndex)
        Codes (−1 where the time is missing) and every period from the first to the last,
        including empty ones.
    """
    f = _freq(freq)
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(s.dtype, pd.PeriodDtype):
        s = s.dt.to_timestamp()
    elif not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    v = s.to_numpy(dtype="datetime64[ns]")
    nat = np.isnat(v)
    if nat.all():
        return np.full(len(v), -1, dtype=np.int32), pd.PeriodIndex([], freq=f)
    # Day number, then the period of each day in the (short) range through a lookup table:
    # much faster than ``astype("datetime64[M]")`` on millions of rows.
    days = v.view(np.int64) // 86_400_000_000_000
    dmin, dmax = days[~nat].min(), days[~nat].max()
    if dmax - dmin < 5_000_000:
        span = np.arange(dmin, dmax + 1).astype("datetime64[D]")
        months = span.astype("datetime64[M]").astype(np.int64)
        lut = months if f == "M" else months // (3 if f == "Q" else 12)
        lo, hi = lut[0], lut[-1]
        days -= dmin
        if nat.any():
            days[nat] = 0
        codes = (lut - lo).astype(np.int32)[days]
    else:
        months = v.astype("datetime64[M]").astype(np.int64)
        ords = months if f == "M" else months // (3 if f == "Q" else 12)
        lo, hi = ords[~nat].min(), ords[~nat].max()
        codes = (ords - lo).astype(np.int32)
    if nat.any():
        codes[nat] = -1
    return codes, pd.PeriodIndex.from_ordinals(np.arange(lo, hi + 1), freq=f)


@shared_docs
def period_table(df: pd.DataFrame, spec: MetricSpec, time_col: str, freq: str = "M",
                 by: str | Sequence[str] | None = None, conf: float = 0.95, method: str | None = None,
                 period_col: str = "period") -> pd.DataFrame:
    """The metric per period (and per group), with n and interval.

    Parameters
    ----------
    {df}
    {spec}
    time_col : str
        Column with the response time.
    {freq}
    by : str or list of str, optional
        Extra group columns (e.g. ``"location"``); the period is the last key.
    {conf}
    {method}
    period_col : str
        Name of the period column in the result.

    Returns
    -------
    DataFrame
        A :func:`~cxtemplate.measure.metrics.summarise` table keyed by ``by + [period_col]`` (periods
        with no responses are absent).
    """
    from cxtemplate.measure.metrics import summarise

    by = [by] if isinstance(by, str) else list(by or [])
    codes, periods = period_codes(df[time_col], freq)
    work = pd.DataFrame({c: df[c] for c in by})
    work[period_col] = pd.Categorical.from_codes(codes, categories=periods)
    work[spec.column] = df[spec.column].to_numpy()
    out = summarise(work, spec, by=by + [period_col], conf=conf, method=method)
    out[period_col] = pd.PeriodIndex(np.asarray(out[period_col]), freq=periods.freq)
    return out


def _group_cols(table: pd.DataFrame, period_col: str) -> list[str]:
    cols = list(table.columns)
    stop = cols.index("metric") if "metric" in cols else len(cols)
    return [c for c in cols[:stop] if c != period_col]


def _aligned_stats(table: pd.DataFrame, kind: str, pos: np.ndarray) -> dict:
    st = stats_from_table(table, kind)
    ok = pos >= 0
    return {k: np.where(ok, v[np.where(ok, pos, 0)], np.nan) for k, v in st.items()}


def compare_periods(table: pd.DataFrame, spec: MetricSpec | None = None, baseline="first",
                    by: Sequence[str] | None = None, period_col: str = "period", conf: float = 0.95,
                    method: str | None = None) -> pd.DataFrame:
    """Change of each period against the previous period and against a baseline period.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`period_table`.
    spec : MetricSpec, optional
        The metric; its kind is inferred from the table's columns when omitted.
    baseline : "first", period-like or None
        Baseline period: each group's first period (default), a given period (e.g. ``"2024-01"``),
        or ``None`` for no baseline comparison.
    by : list of str, optional
        Group columns; by default the columns before ``metric`` other than the period.
    period_col : str
        Period column.
    conf, method
        See :func:`cxtemplate.measure.inference.diff_from_stats`.

    Returns
    -------
    DataFrame
        The table sorted by group and period, plus ``change_prev`` (this − previous period with
        data), its interval ``change_prev_ci_low``/``_high``, ``p_prev`` and ``p_adj_prev``
        (BH over all period-on-period tests in the table), and the same with suffix ``_base``
        against the baseline (plus ``baseline``, the baseline period).
    """
    kind = spec.kind if spec is not None else infer_kind(table)
    by = list(by) if by is not None else _group_cols(table, period_col)
    t = table.sort_values(by + [period_col], kind="stable").reset_index(drop=True)
    gid = t.groupby(by, sort=False, observed=True).ngroup().to_numpy() if by else np.zeros(len(t), int)
    pos = np.arange(len(t))
    prev = np.where((pos > 0) & (np.r_[-1, gid[:-1]] == gid), pos - 1, -1)
    cur = stats_from_table(t, kind)
    res = diff_from_stats(kind, cur, _aligned_stats(t, kind, prev), conf, method)
    t["change_prev"] = res["diff"]
    t["change_prev_ci_low"], t["change_prev_ci_high"] = res["ci_low"], res["ci_high"]
    t["p_prev"] = res["p"]
    t["p_adj_prev"] = adjust_bh(t["p_prev"].to_numpy())
    if baseline is not None:
        if isinstance(baseline, str) and baseline == "first":
            first = pd.Series(pos).groupby(gid).transform("min").to_numpy()
            base = first
        else:
            bp = pd.Period(baseline, freq=t[period_col].dt.freq)
            is_base = (t[period_col] == bp).to_numpy()
            if not is_base.any():
                raise ValueError(f"baseline period {bp} is not in the table")
            base_of_group = pd.Series(np.where(is_base, pos, -1)).groupby(gid).transform("max").to_numpy()
            base = base_of_group
        base = np.where(base == pos, -1, base)  # the baseline row is not compared with itself
        res = diff_from_stats(kind, cur, _aligned_stats(t, kind, base), conf, method)
        base_period = t[period_col].to_numpy()
        t["baseline"] = pd.PeriodIndex(
            [base_period[b] if b >= 0 else pd.NaT for b in base], freq=t[period_col].dt.freq)
        t["change_base"] = res["diff"]
        t["change_base_ci_low"], t["change_base_ci_high"] = res["ci_low"], res["ci_high"]
        t["p_base"] = res["p"]
        t["p_adj_base"] = adjust_bh(t["p_base"].to_numpy())
    return t


# --------------------------------------------------------------------------- step detection
def _split_z(kind: str, st: dict, min_periods: int, min_n: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sample z for every split of the last axis (after − before) and the number of valid splits.

    ``st`` arrays have shape (..., P); split j puts periods 0…j before and j+1… after. The variance
    is the series' pooled per-response variance, so it is the same under any reordering of periods.
    """
    cum = {k: np.cumsum(v, axis=-1) for k, v in st.items()}
    tot = {k: v[..., -1:] for k, v in cum.items()}
    bef = {k: v[..., :-1] for k, v in cum.items()}
    aft = {k: tot[k] - bef[k] for k in cum}
    ne = np.cumsum(st["n"] > 0, axis=-1)
    ne_b, ne_a = ne[..., :-1], ne[..., -1:] - ne[..., :-1]
    nb, na, nt = bef["n"], aft["n"], tot["n"]
    valid = (ne_b >= min_periods) & (ne_a >= min_periods) & (nb >= min_n) & (na >= min_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "nps":
            mb = (bef["pro"] - bef["det"]) / nb
            ma = (aft["pro"] - aft["det"]) / na
            p, d = tot["pro"] / nt, tot["det"] / nt
            var = p + d - (p - d) ** 2
        elif kind == "top_box":
            mb, ma = bef["succ"] / nb, aft["succ"] / na
            p = tot["succ"] / nt
            var = p * (1 - p)
        else:
            mb, ma = bef["s1"] / nb, aft["s1"] / na
            var = (tot["s2"] - tot["s1"] ** 2 / nt) / (nt - 1)
        z = (ma - mb) / np.sqrt(var * (1 / na + 1 / nb))
    z = np.where(valid & np.isfinite(z), z, 0.0)
    return z, valid.sum(axis=-1)


@shared_docs
def detect_steps(df: pd.DataFrame, spec: MetricSpec, time_col: str, group_col: str | None,
                 freq: str = "M", alpha: float = 0.05, min_n: int = 30, min_periods: int = 3,
                 method: str = "permutation", n_perm: int = 1999, seed: int = 0,
                 conf: float = 0.95) -> pd.DataFrame:
    """Find the single most likely step (change point) in each group's series, with calibrated p.

    Parameters
    ----------
    {df}
    {spec}
    time_col : str
        Response time column.
    group_col : str or None
        One series per level (e.g. ``"location"``); ``None`` for one overall series.
    {freq}
    {alpha}
    min_n : int
        Fewest responses on each side of a candidate step.
    min_periods : int
        Fewest non-empty periods on each side of a candidate step.
    method : {"permutation", "bonferroni"}
        Calibration of the maximum statistic: permuting whole periods (``n_perm`` times; valid when
        periods are exchangeable under "no step", robust to month-to-month over-dispersion), or the
        Bonferroni bound ``min(1, K · 2Φ(−|z|))`` over the ``K`` candidate splits (conservative).
    n_perm : int
        Number of permutations.
    seed : int
        Seed of the permutations (same inputs and seed → same p-values).
    {conf}

    Returns
    -------
    DataFrame
        One row per group: ``step_period`` (first period after the step), ``metric``,
        ``value_before``/``ci_low_before``/``ci_high_before``/``n_before``, the same ``_after``,
        ``change`` (after − before) with ``change_ci_low``/``change_ci_high`` (pointwise; they
        ignore that the split was chosen), ``stat`` (the maximal z), ``p`` (scan-calibrated),
        ``p_adj`` (BH across groups), ``significant`` (``p_adj < alpha``), ``periods`` (non-empty
        periods in the series), ``method`` and ``note``.
    """
    check_choice("method", method, ("permutation", "bonferroni"))
    if min_periods < 1:
        raise ValueError("min_periods must be at least 1")
    tcodes, periods = period_codes(df[time_col], freq)
    if group_col is None:
        gcodes, groups = np.zeros(len(df), dtype=np.int64), pd.Index(["all"])
        gname = "group"
    else:
        gcodes, groups = pd.factorize(df[group_col], sort=True)
        gname = group_col
    G, P = len(groups), len(periods)
    arr, mask = score_array(df[spec.column], spec)
    keep = (gcodes >= 0) & (tcodes >= 0)
    key = gcodes.astype(np.int64) * P + tcodes
    if not keep.all():
        key, arr = key[keep], arr[keep]
        mask = mask[keep] if mask is not None else None
    _, st = dense_stats(key, G * P, arr, mask, spec)
    st = {k: np.asarray(v, dtype=float).reshape(G, P) for k, v in st.items()}
    z, n_valid = _split_z(spec.kind, st, min_periods, min_n)
    absz = np.abs(z)
    T = absz.max(axis=-1) if P > 1 else np.zeros(G)
    k = absz.argmax(axis=-1) if P > 1 else np.zeros(G, dtype=int)
    has = n_valid > 0
    if method == "bonferroni":
        p = np.minimum(1.0, n_valid * 2 * _st.norm.sf(T))
    else:
        rng = np.random.default_rng(seed)
        exceed = np.zeros(G)
        chunk = max(1, int(4e6 // max(G * P, 1)))
        done = 0
        while done < n_perm and P > 1:  # one period: no split to test (every group is "no step")
            b = min(chunk, n_perm - done)
            perms = np.argsort(rng.random((b, P)), axis=1)
            sp = {kk: v[:, perms] for kk, v in st.items()}  # (G, b, P)
            zp, _ = _split_z(spec.kind, sp, min_periods, min_n)
            exceed += (np.abs(zp).max(axis=-1) >= T[:, None] - 1e-12).sum(axis=1)
            done += b
        p = (1 + exceed) / (n_perm + 1)
    p = np.where(has, p, np.nan)
    # before / after at the chosen split
    rows = np.arange(G)
    cum = {kk: np.cumsum(v, axis=-1) for kk, v in st.items()}
    bef = {kk: v[rows, k] for kk, v in cum.items()}
    aft = {kk: v[:, -1] - bef[kk] for kk, v in cum.items()}
    mb = stats_to_metric(spec.kind, bef, conf, scale=spec.scale)
    ma = stats_to_metric(spec.kind, aft, conf, scale=spec.scale)
    d = diff_from_stats(spec.kind, aft, bef, conf)
    nan = np.where(has, 1.0, np.nan)
    out = pd.DataFrame({gname: groups})
    out["step_period"] = pd.PeriodIndex(
        [periods[i + 1] if h else pd.NaT for i, h in zip(k, has)], freq=periods.freq if P else freq)
    out["metric"] = spec.name
    for side, m, s in (("before", mb, bef), ("after", ma, aft)):
        out[f"value_{side}"] = m["value"] * nan
        out[f"ci_low_{side}"] = m["ci_low"] * nan
        out[f"ci_high_{side}"] = m["ci_high"] * nan
        out[f"n_{side}"] = np.where(has, s["n"], 0).astype(np.int64)
    out["change"] = d["diff"] * nan
    out["change_ci_low"], out["change_ci_high"] = d["ci_low"] * nan, d["ci_high"] * nan
    out["stat"] = np.where(has, z[rows, k] if P > 1 else 0.0, np.nan)
    out["p"] = p
    out["p_adj"] = adjust_bh(p)
    out["significant"] = (out["p_adj"] < alpha).to_numpy()
    out["periods"] = (st["n"] > 0).sum(axis=1)
    out["method"] = method
    out["note"] = np.where(has, "", f"too short: needs {min_periods}+ periods and {min_n}+ responses "
                                    "on each side of a step")
    return out


# --------------------------------------------------------------------------- chart
def every_period(part: pd.DataFrame, period_col: str = "period") -> pd.DataFrame:
    """``part`` with a row of missing values for each period it lacks between its first and last.

    A line drawn through it breaks at a hidden (suppressed) or missing period instead of joining the
    points on either side as if the period between had been measured.

    >>> t = pd.DataFrame({"period": pd.PeriodIndex(["2025-01", "2025-03"], freq="M"), "value": [1.0, 3.0]})
    >>> every_period(t)["value"].tolist()
    [1.0, nan, 3.0]
    """
    if part.empty:
        return part
    periods = part[period_col]
    span = pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq)
    if len(span) == len(part) or periods.duplicated().any():
        return part
    return part.set_index(period_col).reindex(span).rename_axis(period_col).reset_index()


def plot_trend(table: pd.DataFrame, spec: MetricSpec | None = None, group: str | None = None,
               steps: pd.DataFrame | None = None, ax=None, title: str | None = None,
               source: str | None = None, period_col: str = "period", max_groups: int = 8,
               min_n: int = 0):
    """Line chart of a period table with its interval band and any significant steps marked.

    The band is drawn from ``ci_low``/``ci_high`` already in the table (never re-estimated from
    raw rows, which is about 30× slower with seaborn's bootstrap).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`period_table`.
    spec : MetricSpec, optional
        Used for the unit in the subtitle and the default title.
    group : str, optional
        Column with one line per level (at most ``max_groups`` levels, the largest by n).
    steps : DataFrame, optional
        Output of :func:`detect_steps`; significant steps are drawn as dashed vertical lines.
    ax : matplotlib Axes, optional
        Where to draw; a new figure otherwise.
    title, source : str, optional
        Title and data source for :func:`cxtemplate.report.theme.finish`.
    period_col : str
        Period column.
    max_groups : int
        Most lines drawn.
    min_n : int
        Periods with fewer responses are not drawn (small cells are suppressed); the subtitle says so.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import BAD, BAD_TEXT, GOOD, GOOD_TEXT, PALETTE, finish

    if ax is None:
        _, ax = plt.subplots()
    t = table.sort_values(period_col)
    hidden = int((t["n"] < min_n).sum()) if min_n else 0
    n_all = int(t["n"].sum())
    if hidden:
        t = t[t["n"] >= min_n]
    if group is not None:
        top = t.groupby(group, observed=True)["n"].sum().sort_values(ascending=False).index[:max_groups]
        parts = [(lvl, t[t[group] == lvl]) for lvl in top]
    else:
        parts = [(None, t)]
    for i, (lvl, part) in enumerate(parts):
        colour = PALETTE[i % len(PALETTE)]
        part = every_period(part, period_col)
        x = part[period_col].dt.to_timestamp()
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=colour, alpha=0.15, linewidth=0)
        ax.plot(x, part["value"], marker="o", markersize=3, color=colour,
                label=str(lvl) if lvl is not None else None)
    if steps is not None and len(steps):
        sig = steps[steps["significant"]]
        gcol = steps.columns[0]
        if group is not None:
            sig = sig[sig[gcol].isin([lvl for lvl, _ in parts])]
        for _, r in sig.iterrows():
            when = r["step_period"]
            x = when.to_timestamp() - (when.to_timestamp() - (when - 1).to_timestamp()) / 2
            colour = GOOD if r["change"] > 0 else BAD
            ax.axvline(x, color=colour, linestyle="--", linewidth=1)
            who = f"{r[gcol]}: " if group is not None else ""
            ax.annotate(f"{who}step {r['change']:+.1f}", xy=(x, 1), xycoords=("data", "axes fraction"),
                        xytext=(3, -12), textcoords="offset points", fontsize=8,
                        color=GOOD_TEXT if r["change"] > 0 else BAD_TEXT)  # text at 4.5:1 on white
    name = spec.display if spec is not None else str(t["metric"].iloc[0]) if len(t) else ""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    src = source
    if hidden:
        src = f"{source or 'survey responses'}; {hidden} period{'s' if hidden != 1 else ''} with n < {min_n} not shown"
    finish(ax, title or f"{name} over time", n=n_all,
           unit=(spec.unit if spec is not None else None), source=src,
           xlabel="", ylabel=spec.name if spec is not None else None)
    if t.empty:
        ax.text(0.5, 0.5, f"every period has fewer than {min_n} responses", transform=ax.transAxes,
                ha="center", va="center", color="#555555")
    elif group is not None and parts:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(parts), 4), fontsize=8.5)
    return ax
