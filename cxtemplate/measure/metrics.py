"""CX metrics with their sample size and interval: NPS, top-box shares (CSAT, CES % agree), means.

Every number this module returns carries ``n``, a standard error and a confidence interval, so that
a stakeholder's first question about a CX figure — "is this movement real?" — can be answered.

Conventions (one for the whole package)
--------------------------------------
* A single estimate is a :class:`pandas.Series`; a grouped estimate is a :class:`pandas.DataFrame`
  whose rows are exactly those Series (the vectorised path and the single path share one formula).
* Values are in reporting units: NPS in points (−100…100), top-box shares in percent (0…100),
  means in the units of the scale. ``se``, ``ci_low`` and ``ci_high`` are in the same units.
  NPS category shares (``promoters``, ``passives``, ``detractors``) are percentages too.
* Intervals: NPS by the adjusted-Wald method of Rocks (2016) — add 3/4 to the promoter and to the
  detractor count and 3 to ``n``, then a Wald interval on the difference of the two adjusted
  proportions (as described by Lewis & Sauro, MeasuringU, "Confidence Intervals for Net Promoter
  Scores", 2020); shares by the Wilson (1927) score interval; means by the Student t interval.

Grouped estimates are computed with one pass of integer counting (``numpy.bincount`` on a combined
group code, in :mod:`cxtemplate.measure.grouping`), never with a Python loop per group; the interval
arithmetic is then array maths on the per-group counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from cxtemplate.errors import check_choice
from cxtemplate.measure.docs import shared_docs
from cxtemplate.measure.grouping import grouped_stats
from cxtemplate.measure.spec import (
    AW_ADD_CATEGORY,
    AW_ADD_N,
    DEFAULT_METHOD,
    INTERVAL_METHODS,
    MetricSpec,
    nps_spec,
    z_value,
)

# Columns holding estimates (masked by :func:`suppress`).
ESTIMATE_COLUMNS = (
    "value", "se", "ci_low", "ci_high", "promoters", "passives", "detractors", "successes", "sd",
    "value_rest", "diff", "diff_se", "diff_ci_low", "diff_ci_high", "stat", "p", "p_adj",
)


# --------------------------------------------------------------------------- interval formulas
def wilson_interval(successes, n, conf: float = 0.95):
    """Wilson (1927) score interval for a binomial proportion, vectorised.

    Parameters
    ----------
    successes, n : array_like
        Counts of successes and trials.
    conf : float
        Confidence level.

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper limits as proportions in [0, 1]; NaN where ``n == 0``.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = np.clip(centre - half, 0, 1)
    hi = np.clip(centre + half, 0, 1)
    # exact limits at the boundaries (avoid -1e-17 style rounding)
    lo = np.where(x == 0, 0.0, lo)
    hi = np.where(x == n, 1.0, hi)
    return lo, hi


def t_interval(mean, sd, n, conf: float = 0.95):
    """Student t interval for a mean, vectorised: ``mean ± t(n−1) · sd / √n``.

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper limits; NaN where ``n < 2``.
    """
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(n >= 2, n - 1, np.nan)
        half = _st.t.ppf(0.5 + conf / 2, df) * sd / np.sqrt(n)
    return mean - half, mean + half


def nps_variance(promoters, detractors):
    """Per-response variance of the NPS on the −1/0/+1 scale: ``p + d − (p − d)²`` (shares 0–1)."""
    p = np.asarray(promoters, dtype=float)
    d = np.asarray(detractors, dtype=float)
    return p + d - (p - d) ** 2


def nps_from_counts(promoters, detractors, n, conf: float = 0.95, method: str = "adjusted_wald") -> dict:
    """NPS, standard error and interval from counts, vectorised.

    Parameters
    ----------
    promoters, detractors, n : array_like
        Counts of promoters (9–10), detractors (0–6) and all valid answers.
    conf : float
        Confidence level.
    method : {"adjusted_wald", "wald"}
        ``"adjusted_wald"`` (Rocks 2016): shares ``(x + 3/4) / (n + 3)``, variance
        ``p̃ + d̃ − (p̃ − d̃)²`` over ``n + 3``, interval centred on ``p̃ − d̃``.
        ``"wald"``: the same with the raw shares and ``n``.

    Returns
    -------
    dict of ndarray
        ``value`` (points), ``se``, ``ci_low``, ``ci_high`` (points, clipped to ±100) and the
        shares ``promoters``, ``passives``, ``detractors`` (%).
    """
    pro = np.asarray(promoters, dtype=float)
    det = np.asarray(detractors, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = n > 0
        p, d = pro / n, det / n
        value = 100 * (p - d)
        if method == "adjusted_wald":
            na = n + AW_ADD_N
            pa, da = (pro + AW_ADD_CATEGORY) / na, (det + AW_ADD_CATEGORY) / na
        elif method == "wald":
            na, pa, da = n, p, d
        else:
            check_choice("NPS interval method", method, INTERVAL_METHODS["nps"])
        se = np.sqrt(np.clip(nps_variance(pa, da), 0, None) / na)
        centre = pa - da
        lo = np.clip(centre - z * se, -1, 1) * 100
        hi = np.clip(centre + z * se, -1, 1) * 100
    nan = np.nan
    return {
        "value": np.where(ok, value, nan), "se": np.where(ok, se * 100, nan),
        "ci_low": np.where(ok, lo, nan), "ci_high": np.where(ok, hi, nan),
        "promoters": np.where(ok, 100 * p, nan), "passives": np.where(ok, 100 * (1 - p - d), nan),
        "detractors": np.where(ok, 100 * d, nan),
    }


def proportion_from_counts(successes, n, conf: float = 0.95, method: str = "wilson") -> dict:
    """Share (%), Wald standard error and Wilson (or Wald) interval from counts, vectorised."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        se = np.sqrt(p * (1 - p) / n)
    if method == "wilson":
        lo, hi = wilson_interval(x, n, conf)
    elif method == "wald":
        z = z_value(conf)
        lo, hi = np.clip(p - z * se, 0, 1), np.clip(p + z * se, 0, 1)
    else:
        check_choice("proportion interval method", method, INTERVAL_METHODS["top_box"])
    ok = n > 0
    return {"value": np.where(ok, 100 * p, np.nan), "se": np.where(ok, 100 * se, np.nan),
            "ci_low": np.where(ok, 100 * lo, np.nan), "ci_high": np.where(ok, 100 * hi, np.nan),
            "successes": x}


def mean_from_sums(n, s1, s2, conf: float = 0.95, scale: tuple[float, float] | None = None) -> dict:
    """Mean, sd, standard error and t interval from ``n``, Σx and Σx², vectorised."""
    n = np.asarray(n, dtype=float)
    s1 = np.asarray(s1, dtype=float)
    s2 = np.asarray(s2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / n
        var = np.clip((s2 - s1 * mean) / (n - 1), 0, None)
        sd = np.where(n >= 2, np.sqrt(var), np.nan)
        se = sd / np.sqrt(n)
    lo, hi = t_interval(mean, sd, n, conf)
    if scale is not None:
        lo, hi = np.clip(lo, *scale), np.clip(hi, *scale)
    ok = n > 0
    return {"value": np.where(ok, mean, np.nan), "se": se, "ci_low": lo, "ci_high": hi, "sd": sd}


# --------------------------------------------------------------------------- sufficient statistics
def _check_method(kind: str, method: str | None) -> str:
    method = method or DEFAULT_METHOD[kind]
    return check_choice(f"interval method for {kind!r}", method, INTERVAL_METHODS[kind])


def stats_to_metric(kind: str, st: dict, conf: float = 0.95, method: str | None = None,
                    scale: tuple[float, float] | None = None) -> dict:
    """Turn sufficient statistics into value, se and interval arrays.

    ``st`` holds arrays ``n`` plus ``pro``/``det`` (nps), ``succ`` (top_box) or ``s1``/``s2``
    (mean: Σx and Σx²).
    """
    method = _check_method(kind, method)
    if kind == "nps":
        return nps_from_counts(st["pro"], st["det"], st["n"], conf, method)
    if kind == "top_box":
        return proportion_from_counts(st["succ"], st["n"], conf, method)
    return mean_from_sums(st["n"], st["s1"], st["s2"], conf, scale)


def stats_from_table(table: pd.DataFrame, kind: str) -> dict:
    """Recover sufficient statistics from a summary table made by :func:`summarise`."""
    n = table["n"].to_numpy(dtype=float)
    if kind == "nps":
        return {"n": n, "pro": np.round(table["promoters"].to_numpy(dtype=float) * n / 100),
                "det": np.round(table["detractors"].to_numpy(dtype=float) * n / 100)}
    if kind == "top_box":
        return {"n": n, "succ": table["successes"].to_numpy(dtype=float)}
    mean = table["value"].to_numpy(dtype=float)
    sd = np.nan_to_num(table["sd"].to_numpy(dtype=float))
    return {"n": n, "s1": n * mean, "s2": np.clip(n - 1, 0, None) * sd**2 + n * mean**2}


def infer_kind(table: pd.DataFrame) -> str:
    """Guess a summary table's metric kind from its columns."""
    if "promoters" in table.columns:
        return "nps"
    if "successes" in table.columns:
        return "top_box"
    if "sd" in table.columns:
        return "mean"
    raise ValueError("cannot tell the metric kind of this table: it has none of the columns "
                     "'promoters' (NPS), 'successes' (top-box) or 'sd' (mean); pass spec=")


# --------------------------------------------------------------------------- public estimates
def _assemble(keys: pd.DataFrame, spec: MetricSpec, st: dict, conf: float, method: str | None) -> pd.DataFrame:
    method = _check_method(spec.kind, method)
    res = stats_to_metric(spec.kind, st, conf, method, spec.scale)
    out = keys.reset_index(drop=True).copy()
    out["metric"] = spec.name
    out["value"] = res["value"]
    out["n"] = np.asarray(st["n"]).astype(np.int64)
    out["se"] = res["se"]
    out["ci_low"] = res["ci_low"]
    out["ci_high"] = res["ci_high"]
    if spec.kind == "nps":
        for c in ("promoters", "passives", "detractors"):
            out[c] = res[c]
    elif spec.kind == "top_box":
        out["successes"] = np.asarray(st["succ"]).astype(np.int64)
    else:
        out["sd"] = res["sd"]
    out["method"] = method
    return out


@shared_docs
def summarise(df: pd.DataFrame, spec: MetricSpec, by: str | Sequence[str] | None = None,
              conf: float = 0.95, method: str | None = None) -> pd.DataFrame:
    """A metric with n, standard error and interval, for the whole table or per group.

    Parameters
    ----------
    {df}
    {spec}
    {by}
    {conf}
    {method}

    Returns
    -------
    DataFrame
        Group columns, ``metric``, ``value``, ``n``, ``se``, ``ci_low``, ``ci_high``, then
        ``promoters``/``passives``/``detractors`` (NPS, %), ``successes`` (top-box) or ``sd``
        (mean), and ``method``. One row per group present in the data, sorted by the keys.

    Raises
    ------
    ValueError
        If a score lies outside the spec's scale (such rows must be quarantined upstream).
    """
    by = [by] if isinstance(by, str) else list(by or [])
    keys, st = grouped_stats(df, spec, by)
    return _assemble(keys, spec, st, conf, method)


@shared_docs
def estimate(values, spec: MetricSpec, conf: float = 0.95, method: str | None = None) -> pd.Series:
    """One metric estimate from a vector of scores (NaN ignored), as a Series.

    Parameters
    ----------
    values : array_like
        The scores, on the spec's scale.
    {spec}
    {conf}
    {method}

    Returns
    -------
    Series
        The fields of a row of :func:`summarise`.
    """
    df = pd.DataFrame({spec.column: np.asarray(values) if not isinstance(values, pd.Series)
                       else values.reset_index(drop=True)})
    return summarise(df, spec, conf=conf, method=method).iloc[0]


@shared_docs
def nps(scores, conf: float = 0.95, method: str = "adjusted_wald") -> pd.Series:
    """Net Promoter Score of a vector of 0–10 answers, with n, se and interval.

    Parameters
    ----------
    scores : array_like
        Likelihood-to-recommend answers, 0–10; NaN ignored.
    {conf}
    method : {"adjusted_wald", "wald"}
        Interval method (see :func:`nps_from_counts`).

    Returns
    -------
    Series
        ``metric``, ``value`` (−100…100), ``n``, ``se``, ``ci_low``, ``ci_high``, ``promoters``,
        ``passives``, ``detractors`` (%), ``method``.

    Examples
    --------
    >>> r = nps([10] * 40 + [8] * 40 + [3] * 20, method="wald")
    >>> float(r["value"]), round(float(r["se"]), 2)
    (20.0, 7.48)
    """
    return estimate(scores, nps_spec(column="score"), conf=conf, method=method)


@shared_docs
def suppress(table: pd.DataFrame, min_n: int, n_col: str = "n",
             value_cols: Sequence[str] | None = None) -> pd.DataFrame:
    """Mask estimates of cells with fewer than ``min_n`` responses and say so in a ``note`` column.

    Parameters
    ----------
    table : DataFrame
        A summary table.
    {min_n}
    n_col : str
        Column holding the sample size.
    value_cols : list of str, optional
        Columns to mask; by default every estimate column present (value, se, interval, shares,
        differences and p-values).

    Returns
    -------
    DataFrame
        A copy with masked cells set to NaN and ``note`` like ``"suppressed: n = 12 < 30"``
        (empty where shown). ``n`` itself stays visible.
    """
    out = table.copy()
    cols = list(value_cols) if value_cols is not None else [c for c in ESTIMATE_COLUMNS if c in out.columns]
    n = out[n_col].to_numpy(dtype=float)
    small = ~(n >= min_n)
    for c in cols:
        out[c] = out[c].where(~small)
    notes = pd.Series("", index=out.index, dtype=object)
    if small.any():
        notes[small] = [f"suppressed: n = {int(v) if v == v else 0:,} < {min_n}" for v in n[small]]
    if "note" in out.columns:
        prev = out["note"].fillna("").astype(str)
        notes = np.where(small, np.where(prev != "", prev + "; " + notes, notes), prev)
    out["note"] = notes
    return out
