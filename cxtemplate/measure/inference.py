"""Is this movement real? Tests and intervals for differences, sample sizes, and multiple testing.

Every comparison in the report carries a difference, its interval, a test and a
Benjamini–Hochberg adjusted p-value. Differences are always ``a − b`` in reporting units
(NPS points, percentage points, scale units): pass the current period or the segment as ``a``.

* NPS: z test on the difference with the standard error from the trinomial variance
  ``(p + d − (p − d)²) / n`` of each sample; by default on the adjusted-Wald shares of Rocks (2016),
  as recommended for NPS comparisons by Lewis & Sauro (MeasuringU, "How to Statistically Compare
  Two Net Promoter Scores", 2020).
* Proportions: pooled two-proportion z test (equal to Pearson's χ² without continuity correction);
  interval for the difference by Newcombe's (1998) hybrid score method (his method 10).
* Means: Welch's unequal-variance t test and interval.

Single comparisons return a :class:`pandas.Series`; the vectorised forms (:func:`compare_tables`,
:func:`compare_to_rest`) return a DataFrame whose rows are those Series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from cxtemplate.errors import check_choice
from cxtemplate.measure.metrics import infer_kind, nps_variance, stats_from_table, stats_to_metric, wilson_interval
from cxtemplate.measure.spec import AW_ADD_CATEGORY, AW_ADD_N, INTERVAL_METHODS, MetricSpec, z_value

_COMPARE_DEFAULT = {"nps": "adjusted_wald", "top_box": "newcombe", "mean": "welch"}
_COMPARE_METHODS = {"nps": ("adjusted_wald", "wald"), "top_box": ("newcombe", "wald"), "mean": ("welch",)}
_METRIC_METHOD = {"adjusted_wald": "adjusted_wald", "wald": "wald", "newcombe": "wilson", "welch": "t"}
COMPARE_COLUMNS = ("value_a", "value_b", "n_a", "n_b", "diff", "se", "stat", "df", "p", "ci_low", "ci_high")


def _kind(kind) -> str:
    if isinstance(kind, MetricSpec):
        return kind.kind
    k = {"proportion": "top_box", "top_box": "top_box", "share": "top_box", "nps": "nps", "mean": "mean"}.get(kind)
    if k is None:
        check_choice("kind", kind, ("nps", "proportion", "top_box", "mean"))
    return k


def _compare_method(kind: str, method: str | None) -> str:
    method = method or _COMPARE_DEFAULT[kind]
    return check_choice(f"comparison method for {kind!r}", method, _COMPARE_METHODS[kind])


def _two_sided_p(z):
    return 2 * _st.norm.sf(np.abs(z))


def diff_from_stats(kind: str, sa: dict, sb: dict, conf: float = 0.95, method: str | None = None) -> dict:
    """Difference ``a − b`` with standard error, test statistic, p-value and interval, vectorised.

    Parameters
    ----------
    kind : {"nps", "top_box", "mean"}
        Metric kind.
    sa, sb : dict of array_like
        Sufficient statistics (see :func:`cxtemplate.measure.metrics.stats_to_metric`).
    conf : float
        Confidence level of the interval.
    method : str, optional
        ``"adjusted_wald"``/``"wald"`` (nps), ``"newcombe"``/``"wald"`` (proportions), ``"welch"``.

    Returns
    -------
    dict of ndarray
        ``value_a``, ``value_b``, ``n_a``, ``n_b``, ``diff``, ``se``, ``stat``, ``df`` (Welch only,
        else NaN), ``p``, ``ci_low``, ``ci_high``.
    """
    kind = _kind(kind)
    method = _compare_method(kind, method)
    ma = stats_to_metric(kind, sa, conf, _METRIC_METHOD[method])
    mb = stats_to_metric(kind, sb, conf, _METRIC_METHOD[method])
    na = np.asarray(sa["n"], dtype=float)
    nb = np.asarray(sb["n"], dtype=float)
    diff = ma["value"] - mb["value"]
    df = np.full(np.broadcast(na, nb).shape, np.nan)
    z = z_value(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "nps":
            pro_a, det_a = np.asarray(sa["pro"], float), np.asarray(sa["det"], float)
            pro_b, det_b = np.asarray(sb["pro"], float), np.asarray(sb["det"], float)
            if method == "adjusted_wald":
                add, addn = AW_ADD_CATEGORY, AW_ADD_N
            else:
                add, addn = 0.0, 0.0
            pa, da = (pro_a + add) / (na + addn), (det_a + add) / (na + addn)
            pb, db = (pro_b + add) / (nb + addn), (det_b + add) / (nb + addn)
            se = np.sqrt(nps_variance(pa, da) / (na + addn) + nps_variance(pb, db) / (nb + addn))
            centre = (pa - da) - (pb - db)
            stat = centre / se
            lo, hi = np.clip(centre - z * se, -2, 2) * 100, np.clip(centre + z * se, -2, 2) * 100
            se = se * 100
        elif kind == "top_box":
            xa, xb = np.asarray(sa["succ"], float), np.asarray(sb["succ"], float)
            pa, pb = xa / na, xb / nb
            se = np.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
            if method == "newcombe":
                pbar = (xa + xb) / (na + nb)
                stat = (pa - pb) / np.sqrt(pbar * (1 - pbar) * (1 / na + 1 / nb))
                la, ua = wilson_interval(xa, na, conf)
                lb, ub = wilson_interval(xb, nb, conf)
                d = pa - pb
                lo = (d - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2)) * 100
                hi = (d + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)) * 100
            else:
                stat = (pa - pb) / se
                lo = np.clip(pa - pb - z * se, -1, 1) * 100
                hi = np.clip(pa - pb + z * se, -1, 1) * 100
            se = se * 100
        else:
            va, vb = ma["sd"] ** 2 / na, mb["sd"] ** 2 / nb
            se = np.sqrt(va + vb)
            df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
            stat = diff / se
            tq = _st.t.ppf(0.5 + conf / 2, df)
            lo, hi = diff - tq * se, diff + tq * se
        p = 2 * _st.t.sf(np.abs(stat), df) if kind == "mean" else _two_sided_p(stat)
    # a zero standard error with a zero difference is "no evidence", not 0/0
    p = np.where((se == 0) & (diff == 0), 1.0, p)
    return {"value_a": ma["value"], "value_b": mb["value"], "n_a": na, "n_b": nb, "diff": diff,
            "se": se, "stat": stat, "df": df, "p": p, "ci_low": lo, "ci_high": hi}


# --------------------------------------------------------------------------- single comparisons
def _stats_of(x, kind: str) -> dict:
    """Sufficient statistics of one sample given as raw scores, a summary row or a tuple of counts."""
    if isinstance(x, pd.Series) and {"n", "value"}.issubset(x.index) and "metric" in x.index:
        return {k: np.asarray(v, float)[0] for k, v in stats_from_table(x.to_frame().T, kind).items()}
    if isinstance(x, tuple):
        if kind == "nps":
            pro, det, n = x
            return {"n": float(n), "pro": float(pro), "det": float(det)}
        if kind == "top_box":
            succ, n = x
            return {"n": float(n), "succ": float(succ)}
        mean, sd, n = x
        return {"n": float(n), "s1": n * mean, "s2": (n - 1) * sd**2 + n * mean**2}
    a = np.asarray(x, dtype=float)
    a = a[~np.isnan(a)]
    if kind == "nps":
        if ((a < 0) | (a > 10) | (a % 1 != 0)).any():
            raise ValueError("NPS scores must be whole numbers from 0 to 10")
        return {"n": float(a.size), "pro": float((a >= 9).sum()), "det": float((a <= 6).sum())}
    if kind == "top_box":
        if not np.isin(a, (0, 1)).all():
            raise ValueError("compare_proportions needs 0/1 (or boolean) outcomes, or (successes, n)")
        return {"n": float(a.size), "succ": float(a.sum())}
    return {"n": float(a.size), "s1": float(a.sum()), "s2": float((a * a).sum())}


def _compare_one(kind: str, a, b, conf: float, method: str | None, name: str) -> pd.Series:
    method = _compare_method(kind, method)
    res = diff_from_stats(kind, _stats_of(a, kind), _stats_of(b, kind), conf, method)
    out = {"metric": name}
    out.update({k: float(np.asarray(res[k])) for k in COMPARE_COLUMNS})
    out["method"] = method
    return pd.Series(out)


def compare_nps(a, b, conf: float = 0.95, method: str = "adjusted_wald") -> pd.Series:
    """Compare the NPS of two independent samples: difference ``a − b``, z test and interval.

    Parameters
    ----------
    a, b : array_like, Series or tuple
        Raw 0–10 answers (NaN ignored), a summary row from :func:`~cxtemplate.measure.metrics.nps` /
        :func:`~cxtemplate.measure.metrics.summarise`, or counts ``(promoters, detractors, n)``.
    conf : float
        Confidence level of the interval for the difference.
    method : {"adjusted_wald", "wald"}
        Adjusted-Wald (3/4 added to promoters and detractors, 3 to n in each sample; Rocks 2016,
        Lewis & Sauro 2020) or plain Wald. The standard error is ``√(V_a/n_a + V_b/n_b)`` with
        ``V = p + d − (p − d)²`` (trinomial variance).

    Returns
    -------
    Series
        ``metric``, ``value_a``, ``value_b``, ``n_a``, ``n_b``, ``diff`` (points, raw), ``se``,
        ``stat`` (z), ``df`` (NaN), ``p`` (two-sided), ``ci_low``, ``ci_high``, ``method``.
    """
    return _compare_one("nps", a, b, conf, method, "NPS")


def compare_proportions(a, b, conf: float = 0.95, method: str = "newcombe") -> pd.Series:
    """Compare two independent proportions (e.g. CSAT top-2-box), difference in percentage points.

    Parameters
    ----------
    a, b : array_like, Series or tuple
        0/1 outcomes, a top-box summary row, or counts ``(successes, n)``.
    conf : float
        Confidence level.
    method : {"newcombe", "wald"}
        ``"newcombe"``: pooled z test and Newcombe's (1998) hybrid score interval;
        ``"wald"``: unpooled z test and Wald interval.

    Returns
    -------
    Series
        Same fields as :func:`compare_nps`.
    """
    return _compare_one("top_box", a, b, conf, method, "share")


def compare_means(a, b, conf: float = 0.95) -> pd.Series:
    """Welch's t test and interval for the difference of two means ``a − b``.

    Parameters
    ----------
    a, b : array_like, Series or tuple
        Raw scores (NaN ignored), a mean summary row, or ``(mean, sd, n)``.
    conf : float
        Confidence level.

    Returns
    -------
    Series
        Same fields as :func:`compare_nps`, with ``stat`` = t and ``df`` the Welch–Satterthwaite
        degrees of freedom.
    """
    return _compare_one("mean", a, b, conf, "welch", "mean")


# --------------------------------------------------------------------------- vectorised comparisons
def _kind_of(table: pd.DataFrame, spec: MetricSpec | str | None) -> str:
    if isinstance(spec, MetricSpec):
        return spec.kind
    if isinstance(spec, str):
        return _kind(spec)
    return infer_kind(table)


def compare_tables(a: pd.DataFrame, b: pd.DataFrame, spec: MetricSpec | str | None = None,
                   conf: float = 0.95, method: str | None = None) -> pd.DataFrame:
    """Row-by-row comparison of two summary tables of the same metric (``a[i] − b[i]``).

    Parameters
    ----------
    a, b : DataFrame
        Summary tables from :func:`~cxtemplate.measure.metrics.summarise` with the same number of rows
        (align them first, e.g. each period with its previous one).
    spec : MetricSpec or str, optional
        The metric or its kind; inferred from the columns when omitted.
    conf : float
        Confidence level.
    method : str, optional
        See :func:`diff_from_stats`.

    Returns
    -------
    DataFrame
        Columns of :data:`COMPARE_COLUMNS`, indexed like ``a``.
    """
    if len(a) != len(b):
        raise ValueError(f"compare_tables: tables differ in length ({len(a)} vs {len(b)})")
    kind = _kind_of(a, spec)
    res = diff_from_stats(kind, stats_from_table(a, kind), stats_from_table(b, kind), conf, method)
    return pd.DataFrame({k: res[k] for k in COMPARE_COLUMNS}, index=a.index)


def subtract_stats(total: dict, part: dict) -> dict:
    """Sufficient statistics of "the rest": the total minus a part (all stats are additive)."""
    return {k: np.asarray(total[k], float) - np.asarray(part[k], float) for k in part}


def compare_to_rest(table: pd.DataFrame, overall: pd.DataFrame | pd.Series,
                    spec: MetricSpec | str | None = None, conf: float = 0.95,
                    method: str | None = None) -> pd.DataFrame:
    """Each row of a summary table against the rest of the population (overall minus the row).

    Parameters
    ----------
    table : DataFrame
        Per-segment summary (e.g. ``summarise(df, spec, by="location")``).
    overall : DataFrame or Series
        The whole-population summary (``summarise(df, spec)``), containing every row of ``table``.
    spec, conf, method
        See :func:`compare_tables`.

    Returns
    -------
    DataFrame
        Columns of :data:`COMPARE_COLUMNS`; ``value_b``/``n_b`` describe the rest.
    """
    kind = _kind_of(table, spec)
    if isinstance(overall, pd.Series):
        overall = overall.to_frame().T
    tot = {k: np.asarray(v, float)[0] for k, v in stats_from_table(overall, kind).items()}
    part = stats_from_table(table, kind)
    rest = subtract_stats(tot, part)
    res = diff_from_stats(kind, part, rest, conf, method)
    return pd.DataFrame({k: res[k] for k in COMPARE_COLUMNS}, index=table.index)


# --------------------------------------------------------------------------- multiple testing
def adjust_bh(pvalues):
    """Benjamini–Hochberg adjusted p-values (false discovery rate), NaN-aware.

    Equal to ``scipy.stats.false_discovery_control(p, method="bh")`` on the non-missing values;
    missing p-values stay missing and do not count towards the number of tests.

    Parameters
    ----------
    pvalues : array_like or Series
        Raw p-values in [0, 1]; NaN allowed.

    Returns
    -------
    ndarray or Series
        Adjusted p-values, same shape (and index, for a Series) as the input.
    """
    arr = np.asarray(pvalues, dtype=float)
    flat = arr.ravel()
    out = np.full(flat.shape, np.nan)
    ok = ~np.isnan(flat)
    p = flat[ok]
    if p.size:
        if (p < 0).any() or (p > 1).any():
            raise ValueError("p-values must lie between 0 and 1")
        m = p.size
        order = np.argsort(p, kind="mergesort")
        ranked = p[order] * m / np.arange(1, m + 1)
        adj = np.minimum.accumulate(ranked[::-1])[::-1]
        res = np.empty(m)
        res[order] = np.clip(adj, 0, 1)
        out[ok] = res
    out = out.reshape(arr.shape)
    if isinstance(pvalues, pd.Series):
        return pd.Series(out, index=pvalues.index, name=pvalues.name)
    return out


# --------------------------------------------------------------------------- precision and sample size
def _nps_shares(promoters, detractors):
    if promoters is None or detractors is None:
        raise ValueError("NPS needs the expected shares promoters= and detractors= (fractions 0–1)")
    if not 0 <= promoters + detractors <= 1:
        raise ValueError("promoters + detractors must be between 0 and 1")
    return float(promoters), float(detractors)


def margin_of_error(kind: str, n, *, p: float = 0.5, promoters: float | None = None,
                    detractors: float | None = None, sd: float | None = None, conf: float = 0.95,
                    method: str | None = None, population: float | None = None):
    """Half-width of the confidence interval at sample size ``n``, in reporting units.

    Parameters
    ----------
    kind : {"nps", "proportion", "mean"} or MetricSpec
        Metric kind (``"top_box"`` is accepted for ``"proportion"``), or a spec.
    n : int or array_like
        Sample size(s).
    p : float
        Expected share (proportion kind), 0–1; 0.5 is the worst case.
    promoters, detractors : float
        Expected NPS shares, 0–1.
    sd : float
        Expected standard deviation (mean kind).
    conf : float
        Confidence level.
    method : {"adjusted_wald", "wald"}, optional
        NPS only; adjusted Wald (default) uses ``n + 3`` and the adjusted shares.
    population : float, optional
        Finite population size; applies the correction ``√((N − n)/(N − 1))``.

    Returns
    -------
    float or ndarray
        NPS points, percentage points, or scale units.
    """
    kind = _kind(kind)
    n = np.asarray(n, dtype=float)
    z = z_value(conf)
    if kind == "nps":
        pr, de = _nps_shares(promoters, detractors)
        method = method or "adjusted_wald"
        if method == "adjusted_wald":
            na = n + AW_ADD_N
            pa, da = (pr * n + AW_ADD_CATEGORY) / na, (de * n + AW_ADD_CATEGORY) / na
        elif method == "wald":
            na, pa, da = n, pr, de
        else:
            check_choice("NPS method", method, INTERVAL_METHODS["nps"])
        moe = 100 * z * np.sqrt(nps_variance(pa, da) / na)
    elif kind == "top_box":
        moe = 100 * z * np.sqrt(p * (1 - p) / n)
    else:
        if sd is None:
            raise ValueError("the mean kind needs sd=")
        with np.errstate(invalid="ignore"):
            moe = _st.t.ppf(0.5 + conf / 2, n - 1) * sd / np.sqrt(n)
    if population is not None:
        moe = moe * np.sqrt(np.clip((population - n) / (population - 1), 0, None))
    return float(moe) if moe.ndim == 0 else moe


def sample_size_for_margin(kind: str, margin: float, *, p: float = 0.5, promoters: float | None = None,
                           detractors: float | None = None, sd: float | None = None, conf: float = 0.95,
                           method: str | None = None, population: float | None = None) -> int:
    """Smallest sample size whose interval half-width is at most ``margin``.

    Parameters are those of :func:`margin_of_error`; ``margin`` is in reporting units (NPS points,
    percentage points, scale units). For a proportion this is Cochran's ``z² p(1 − p) / E²``
    (with the finite-population correction ``n₀ / (1 + (n₀ − 1)/N)`` when ``population`` is
    given); for NPS ``z² V / E²`` with ``V = p + d − (p − d)²`` (minus the 3 pseudo-observations of
    the adjusted-Wald method); for a mean the t-based size is found by search.

    Returns
    -------
    int
        The sample size, rounded up.
    """
    kind = _kind(kind)
    if margin <= 0:
        raise ValueError("margin must be positive")
    z = z_value(conf)
    e = margin / 100
    if kind == "top_box":
        n0 = z * z * p * (1 - p) / (e * e)
        n = n0 / (1 + (n0 - 1) / population) if population is not None else n0
        return int(np.ceil(n - 1e-9))
    if kind == "nps":
        pr, de = _nps_shares(promoters, detractors)
        n0 = z * z * nps_variance(pr, de) / (e * e)
    else:
        if sd is None:
            raise ValueError("the mean kind needs sd=")
        n0 = (z * sd / margin) ** 2
    if population is not None:
        n0 = n0 / (1 + (n0 - 1) / population)
    n = max(int(np.ceil(n0)), 2)

    def moe(k):
        return margin_of_error(kind, k, p=p, promoters=promoters, detractors=detractors, sd=sd,
                               conf=conf, method=method, population=population)

    while moe(n) > margin:
        n += 1
    while n > 2 and moe(n - 1) <= margin:
        n -= 1
    return n


def sample_size_for_change(d: float, power: float = 0.8, alpha: float = 0.05, kind: str = "proportion", *,
                           p: float | None = None, promoters: float | None = None,
                           detractors: float | None = None, promoters_b: float | None = None,
                           detractors_b: float | None = None, sd: float | None = None,
                           pooled: bool = True) -> int:
    """Responses needed in each of two equal groups to detect a change ``d`` (two-sided test).

    Parameters
    ----------
    d : float
        Smallest change worth detecting, in reporting units (NPS points, percentage points,
        scale units).
    power : float
        Probability of detecting a true change of size ``d``.
    alpha : float
        Two-sided significance level.
    kind : {"proportion", "nps", "mean"}
        Metric kind.
    p : float
        Baseline share (proportion kind), 0–1; the other group has ``p + d/100``.
    promoters, detractors : float
        Baseline NPS shares, 0–1.
    promoters_b, detractors_b : float, optional
        NPS shares of the other group; by default its variance is taken equal to the baseline's.
    sd : float
        Standard deviation (mean kind).
    pooled : bool
        Proportions: use the pooled-variance formula of Fleiss (null variance from the average
        share) rather than the unpooled ``(z_α/2 + z_β)² (p₁q₁ + p₂q₂) / δ²``.

    Returns
    -------
    int
        Sample size per group, rounded up.

    Notes
    -----
    Means use the normal formula ``2 (z_α/2 + z_β)² σ² / δ²`` plus Guenther's (1981) correction
    ``z_α/2² / 4`` for using the t test, which reproduces Cohen's (1988) tables.
    """
    kind = _kind(kind)
    if d == 0:
        raise ValueError("d must be non-zero")
    za = z_value(1 - alpha)
    zb = float(_st.norm.ppf(power))
    if kind == "top_box":
        if p is None:
            raise ValueError("the proportion kind needs the baseline share p= (0–1)")
        p1, p2 = p, p + d / 100
        if not 0 < p2 < 1:
            raise ValueError("p + d/100 must lie strictly between 0 and 1")
        v = p1 * (1 - p1) + p2 * (1 - p2)
        delta = d / 100
        if pooled:
            pbar = (p1 + p2) / 2
            n = (za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(v)) ** 2 / delta**2
        else:
            n = (za + zb) ** 2 * v / delta**2
    elif kind == "nps":
        pr, de = _nps_shares(promoters, detractors)
        va = nps_variance(pr, de)
        if promoters_b is not None or detractors_b is not None:
            vb = nps_variance(*_nps_shares(promoters_b, detractors_b))
        else:
            vb = va
        n = (za + zb) ** 2 * (va + vb) / (d / 100) ** 2
    else:
        if sd is None:
            raise ValueError("the mean kind needs sd=")
        n = 2 * (za + zb) ** 2 * sd**2 / d**2 + za**2 / 4
    return int(np.ceil(float(n) - 1e-9))
