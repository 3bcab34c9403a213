"""Key-driver analysis: which driver ratings move the outcome, and by how much.

The default is **Shapley value regression**, the same number as Lindeman, Merenda & Gold's
(1980) "LMG" R² decomposition and Budescu's (1993) *general dominance*: a driver's share of the
model R² is its extra R² averaged over every order in which the drivers could enter. It is
computed **exactly from the correlation matrix**: the R² of each of the 2^p driver subsets comes
from a solve on a sub-matrix, one stacked ``np.linalg.solve`` per subset size, and the Shapley
weights turn the 2^p R² values into shares with one matrix product. No regression is refitted on
the rows. Johnson's (2000) relative weights are the alternative. Bootstrap intervals resample
rows and rebuild the correlation matrices from row counts, one matrix product per batch.

Conventions
-----------
* Missing values: **listwise** deletion by default (a response counts only when the outcome and
  every driver are answered); ``n`` is that count. ``missing="pairwise"`` uses every available
  pair for each correlation (as R's ``cor(use = "pairwise")``); ``n`` is then the number of rows
  with the outcome answered and ``info["n_min_pair"]`` the smallest pairwise count.
* Sign: ``sign`` is the sign of the driver's **full-model standardized coefficient** (as R's
  ``rwa(applysigns = TRUE)``). The zero-order correlation ``r`` is reported beside it: with
  correlated drivers the two can disagree, and then the share should be read with care.
* Exact Shapley needs 2^p subsets; above ``max_drivers`` (default 15) a ``ValueError`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.analysis.driver_math import (
    MAX_DRIVERS,
    cross_products,
    positive_definite,
    relative_weights_from_corr,
    shapley_from_subsets,
    split_outcome,
    subset_r2,
    weighted_corr,
)
from cxtemplate.errors import check_choice

SHAPLEY = "Shapley value regression (LMG / general dominance)"
RELATIVE_WEIGHTS = "Johnson's relative weights"
QUADRANTS = {  # (high importance, high performance) → Martilla & James (1977) label
    (True, False): "Concentrate here", (True, True): "Keep up the good work",
    (False, False): "Low priority", (False, True): "Possible overkill",
}
__all__ = ["DriverImportance", "shapley_importance", "relative_weights", "bootstrap_importance",
           "importance_performance", "drivers_by_segment", "QUADRANTS"]


@dataclass
class DriverImportance:
    """Result of a key-driver analysis.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per driver, in the order given: ``driver``, ``importance`` (raw share of R²),
        ``share_pct`` (normalised, sums to 100), ``beta`` (full-model standardized coefficient),
        ``r`` (zero-order correlation), ``sign`` (of ``beta``), ``rank`` (1 = most important);
        after :func:`bootstrap_importance` also ``importance_low/high`` and ``share_low/high``.
    r2, n, method, outcome, missing
        Model R², responses used, method name, outcome column and missing-data rule.
    r2_low, r2_high : float
        Bootstrap interval for R² (NaN until bootstrapped).
    info : dict
        Bootstrap settings (``n_boot``, ``conf``, ``ci``, ``seed``, ``n_failed``), ``n_min_pair``.
    """

    table: pd.DataFrame
    r2: float
    n: int
    method: str
    outcome: str
    missing: str = "listwise"
    r2_low: float = float("nan")
    r2_high: float = float("nan")
    info: dict = field(default_factory=dict)

    @property
    def importance(self) -> pd.Series:
        """Raw shares of R², indexed by driver."""
        return self.table.set_index("driver")["importance"]

    @property
    def share(self) -> pd.Series:
        """Normalised shares (%, sum 100), indexed by driver."""
        return self.table.set_index("driver")["share_pct"]

    def summary(self) -> str:
        """One line for a chart title or a report sentence."""
        ci = "" if np.isnan(self.r2_low) else f" ({self.r2_low:.2f}–{self.r2_high:.2f})"
        return f"{self.method}: R² = {self.r2:.2f}{ci}, n = {self.n:,}"

    def to_dict(self) -> dict:
        """JSON-ready record: the scalars plus the table as a list of rows."""
        return {"method": self.method, "outcome": self.outcome, "r2": self.r2, "n": self.n,
                "missing": self.missing, "r2_low": self.r2_low, "r2_high": self.r2_high,
                "info": dict(self.info), "table": self.table.to_dict(orient="records")}


# ─── from data ───────────────────────────────────────────────────────────────────────────────

def _prepare(df: pd.DataFrame, outcome: str, drivers, missing: str):
    drivers = list(drivers)
    cols = [outcome, *drivers]
    absent = [c for c in cols if c not in df.columns]
    if absent:
        raise KeyError(f"columns not in the data: {absent}")
    if len(set(cols)) != len(cols):
        raise ValueError("the outcome and the drivers must be distinct columns")
    check_choice("missing", missing, ("listwise", "pairwise"))
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise TypeError(f"columns must be numeric: {bad}")
    X = df[cols].to_numpy(dtype=float)
    return (X[~np.isnan(X).any(axis=1)] if missing == "listwise" else X[~np.isnan(X[:, 0])]), drivers


def _importance_stats(R: np.ndarray, method: str, max_drivers: int):
    """(importance (B, p), R² (B,), standardized coefficients (B, p)) for a stack of R."""
    Rxx, rxy, p = split_outcome(R, 0, max_drivers)
    beta = np.linalg.solve(Rxx, rxy[..., None])[..., 0]
    if method == "shapley":
        imp = shapley_from_subsets(subset_r2(Rxx, rxy), p)
    elif method == "relative_weights":
        imp = relative_weights_from_corr(R, 0)
    else:
        check_choice("method", method, ("shapley", "relative_weights"))
    return imp, imp.sum(axis=1), beta


def _analyse(df, outcome, drivers, method, missing, max_drivers):
    X, drivers = _prepare(df, outcome, drivers, missing)
    p = len(drivers)
    split_outcome(np.eye(p + 1), 0, max_drivers)   # the explanatory error when there are too many
    if len(X) < p + 2:
        raise ValueError(f"{len(X)} usable responses are too few for {p} drivers")
    flat = [c for c, s in zip([outcome, *drivers], np.nanstd(X, axis=0)) if not s > 0]
    if flat:
        raise ValueError(f"no variation in {flat}: every answer is the same")
    R = weighted_corr(X, None, missing == "pairwise")
    if not positive_definite(R[:, 1:, 1:])[0]:
        raise ValueError("the drivers' correlation matrix is singular: some drivers are perfectly "
                         "collinear (drop or combine them) or, with pairwise deletion, the pairs "
                         "come from too different rows (use listwise)")
    imp, r2, beta = (a[0] for a in _importance_stats(R, method, max_drivers))
    table = pd.DataFrame({"driver": drivers, "importance": imp,
                          "share_pct": 100 * imp / r2 if r2 > 0 else np.nan, "beta": beta,
                          "r": R[0, 0, 1:], "sign": np.where(beta < 0, "-", "+")})
    table["rank"] = table["importance"].rank(ascending=False, method="min").astype(int)
    info = {}
    if missing == "pairwise":
        M = (~np.isnan(X)).astype(int)
        info["n_min_pair"] = int((M.T @ M).min())
    name = SHAPLEY if method == "shapley" else RELATIVE_WEIGHTS
    return DriverImportance(table, float(r2), len(X), name, outcome, missing, info=info), X


def shapley_importance(df: pd.DataFrame, outcome: str, drivers, *, missing: str = "listwise",
                       max_drivers: int = MAX_DRIVERS) -> DriverImportance:
    """Shapley value regression (= LMG = general dominance), exact from the correlation matrix.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per response.
    outcome : str
        Column explained (e.g. ``"nps"`` on 0–10).
    drivers : list of str
        Driver rating columns (at most ``max_drivers``).
    missing : {"listwise", "pairwise"}
        Missing-data rule (see the module notes); listwise by default.
    max_drivers : int
        Cap on the number of drivers (2^p subsets are solved).

    Returns
    -------
    DriverImportance
        Raw shares (sum to R²), normalised shares (%), sign of the standardized coefficient,
        zero-order correlation, R², n and the method name.
    """
    return _analyse(df, outcome, drivers, "shapley", missing, max_drivers)[0]


def relative_weights(df: pd.DataFrame, outcome: str, drivers, *,
                     missing: str = "listwise") -> DriverImportance:
    """Johnson's (2000) relative weights, with the same output as :func:`shapley_importance`.

    Parameters
    ----------
    df, outcome, drivers, missing
        As in :func:`shapley_importance` (no cap on the number of drivers).

    Returns
    -------
    DriverImportance
        Raw weights ε (sum to R²), rescaled weights (%), signs, R², n and the method name.
    """
    return _analyse(df, outcome, drivers, "relative_weights", missing, 10 ** 6)[0]


def _bca_limits(boot: np.ndarray, est: np.ndarray, jack: np.ndarray, alpha: float):
    from scipy.stats import norm
    with np.errstate(invalid="ignore", divide="ignore"):
        z0 = norm.ppf(np.clip((boot < est).mean(0) + 0.5 * (boot == est).mean(0), 1e-6, 1 - 1e-6))
        d = jack.mean(axis=0) - jack
        a = np.nan_to_num((d ** 3).sum(axis=0) / (6 * ((d ** 2).sum(axis=0)) ** 1.5))
        return [np.array([np.nanquantile(boot[:, i], qi) for i, qi in
                          enumerate(norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))))])
                for z in (norm.ppf(alpha / 2), norm.ppf(1 - alpha / 2))]  # BCa: the normal quantiles of both tails


def bootstrap_importance(df: pd.DataFrame, outcome: str, drivers, *, method: str = "shapley",
                         n_boot: int = 1000, seed: int | None = None, conf: float = 0.95,
                         ci: str = "percentile", missing: str = "listwise",
                         max_drivers: int = MAX_DRIVERS, batch_elements: int = 4_000_000,
                         sample_above: int | None = None) -> DriverImportance:
    """Driver importance with bootstrap intervals for each share and for R².

    Rows are resampled with replacement. Each batch of replicates is a matrix of row counts, and
    its correlation matrices come from one product with the rows' cross-products; the subset
    solves then run on the whole stack. Replicates whose driver correlation matrix is singular
    (e.g. a driver constant in the resample) are dropped and counted in ``info["n_failed"]``.

    Parameters
    ----------
    df, outcome, drivers, missing, max_drivers
        As in :func:`shapley_importance`.
    method : {"shapley", "relative_weights"}
        Importance measure.
    n_boot : int
        Number of bootstrap replicates.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; same data and seed give the same intervals.
    conf : float
        Confidence level.
    ci : {"percentile", "bca"}
        Percentile intervals (default), or BCa with its acceleration from a 20-group
        delete-a-group jackknife (cheap at any n).
    batch_elements : int
        Memory budget (array elements) for one batch of replicate row counts.
    sample_above : int, optional
        With more usable responses than this, the replicates resample a random subsample of this many
        (m) rows and the intervals are rescaled to the full n — the m-out-of-n bootstrap (Bickel, Götze &
        van Zwet 1997): each limit is θ̂ₙ + √(m/n)·(limit on the subsample − θ̂ₘ), valid because the shares
        are smooth functions of the correlation matrix. Point estimates always use every row; the cost of
        the replicates stops growing with n. ``info["boot_sample"]`` records m (``None`` when unused).

    Returns
    -------
    DriverImportance
        The point estimates with ``importance_low/high`` and ``share_low/high`` columns,
        ``r2_low``/``r2_high``, and ``info`` holding ``n_boot``, ``conf``, ``ci``, ``seed``,
        ``n_failed``.
    """
    if ci not in ("percentile", "bca") or n_boot < 2 or not 0 < conf < 1:
        raise ValueError("need ci in {'percentile', 'bca'}, n_boot ≥ 2 and 0 < conf < 1")
    res, X = _analyse(df, outcome, drivers, method, missing, max_drivers)
    rng = np.random.default_rng(seed)
    pairwise = missing == "pairwise"

    def point(x):
        i, r, _ = _importance_stats(weighted_corr(x, None, pairwise), method, max_drivers)
        return np.concatenate([i[0], 100 * i[0] / r[0], r])

    rescale = None
    if sample_above is not None and len(X) > sample_above:
        est_full, n_full = point(X), len(X)
        X = X[np.sort(rng.choice(n_full, sample_above, replace=False))]
        rescale = (est_full, point(X), np.sqrt(sample_above / n_full))
    (n, q) = X.shape
    per = max(1, min(n_boot, batch_elements // n))
    Z = cross_products(X) if not pairwise and n * q * (q + 1) // 2 <= 2 * batch_elements else None
    Rs = []
    for s in range(0, n_boot, per):
        b = min(per, n_boot - s)
        idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        W = np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(float)
        Rs.append(weighted_corr(X, W, pairwise, Z=Z))
    R = np.concatenate(Rs)
    ok = positive_definite(R[:, 1:, 1:]) & np.isfinite(R[:, 0, :]).all(axis=1)
    imp, r2, _ = _importance_stats(R[ok], method, max_drivers)
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = np.column_stack([imp, 100 * imp / r2[:, None], r2])
    alpha = 1 - conf
    if ci == "percentile":
        lo, hi = np.nanquantile(stats, [alpha / 2, 1 - alpha / 2], axis=0)
    else:
        Wj = np.ones((min(n, 20), n))
        for g, rows in enumerate(np.array_split(rng.permutation(n), len(Wj))):
            Wj[g, rows] = 0.0
        jimp, jr2, _ = _importance_stats(weighted_corr(X, Wj, pairwise), method, max_drivers)
        est = np.concatenate([res.table["importance"], res.table["share_pct"], [res.r2]])
        if rescale is not None:
            est = rescale[1]
        lo, hi = _bca_limits(stats, est, np.column_stack([jimp, 100 * jimp / jr2[:, None], jr2]),
                             alpha)
    if rescale is not None:
        est_full, est_sub, f = rescale
        lo, hi = est_full + f * (lo - est_sub), est_full + f * (hi - est_sub)
    p = len(res.table)
    res.table = res.table.assign(importance_low=lo[:p], importance_high=hi[:p],
                                 share_low=lo[p:2 * p], share_high=hi[p:2 * p])
    res.r2_low, res.r2_high = float(lo[-1]), float(hi[-1])
    res.info.update(n_boot=int(n_boot), conf=conf, ci=ci, seed=seed, n_failed=int((~ok).sum()),
                    boot_sample=None if rescale is None else int(n))
    return res


# ─── importance–performance, segments ───────────────────────────────────────────────────────

def _as_series(x, name: str) -> pd.Series:
    if isinstance(x, DriverImportance):
        return x.share.rename(name)
    if isinstance(x, pd.DataFrame):
        return x.mean(numeric_only=True).rename(name)
    return pd.Series(x, dtype=float, name=name)


def importance_performance(importance, performance, *, centre: str = "mean") -> pd.DataFrame:
    """Importance–performance analysis with Martilla & James (1977) quadrants.

    Parameters
    ----------
    importance : DriverImportance, pandas.Series or dict
        Importance per driver (a :class:`DriverImportance` contributes its ``share_pct``).
    performance : pandas.Series, dict or pandas.DataFrame
        Performance per driver, e.g. the mean rating; a DataFrame of ratings is averaged by column.
    centre : {"mean", "median"}
        Where the cross-hairs sit on each axis: the mean of the drivers' values (default, the
        data-centred grid of Martilla & James) or their median. A driver exactly on a line counts
        as "high".

    Returns
    -------
    pandas.DataFrame
        ``driver``, ``importance``, ``performance``, ``quadrant``: "Concentrate here" (high
        importance, low performance), "Keep up the good work" (high/high), "Low priority"
        (low/low) or "Possible overkill" (low importance, high performance). ``attrs`` holds
        ``importance_cut``, ``performance_cut`` and ``centre``.
    """
    check_choice("centre", centre, ("mean", "median"))
    imp, perf = _as_series(importance, "importance"), _as_series(performance, "performance")
    unmatched = sorted(set(imp.index) ^ set(perf.index))
    if unmatched:
        raise KeyError(f"drivers without both importance and performance: {unmatched}")
    out = pd.concat([imp, perf.reindex(imp.index)], axis=1).rename_axis("driver").reset_index()
    icut, pcut = (float(getattr(out[c], centre)()) for c in ("importance", "performance"))
    out["quadrant"] = [QUADRANTS[(i >= icut, v >= pcut)]
                       for i, v in zip(out["importance"], out["performance"])]
    out.attrs.update(importance_cut=icut, performance_cut=pcut, centre=centre)
    return out


def drivers_by_segment(df: pd.DataFrame, outcome: str, drivers, segment_col: str, *,
                       min_n: int = 30, min_per_driver: int = 10, method: str = "shapley",
                       missing: str = "listwise") -> pd.DataFrame:
    """Key-driver importance within each segment that has enough responses.

    Parameters
    ----------
    df, outcome, drivers, missing
        As in :func:`shapley_importance`.
    segment_col : str
        Column whose values define the segments.
    min_n : int
        Smallest number of usable responses for a segment (the report's ``min_n``).
    min_per_driver : int
        Also require ``n ≥ min_per_driver × number of drivers``.
    method : {"shapley", "relative_weights"}
        Importance measure.

    Returns
    -------
    pandas.DataFrame
        Long table: ``segment``, ``n``, ``r2``, ``driver``, ``importance``, ``share_pct``, ``sign``,
        ``rank``, ``status`` ("ok", or why the segment is not analysed, e.g. "not enough responses
        (n = 12 < 70)"); one row per driver for analysed segments, one row otherwise.
    """
    drivers = list(drivers)
    need = max(min_n, min_per_driver * len(drivers))
    rows = []
    used = [c for c in dict.fromkeys([segment_col, outcome, *drivers]) if c in df.columns]
    for seg, part in df[used].groupby(segment_col, sort=True, observed=True):  # only the columns analysed
        n = len(_prepare(part, outcome, drivers, missing)[0])
        base = {"segment": seg, "n": n, "r2": np.nan, "driver": None, "importance": np.nan,
                "share_pct": np.nan, "sign": None, "rank": np.nan}
        if n < need:
            rows.append(base | {"status": f"not enough responses (n = {n} < {need})"})
            continue
        try:
            res = _analyse(part, outcome, drivers, method, missing, MAX_DRIVERS)[0]
        except ValueError as err:
            rows.append(base | {"status": str(err)})
            continue
        rows += [base | rec | {"r2": res.r2, "status": "ok"} for rec in
                 res.table[["driver", "importance", "share_pct", "sign", "rank"]].to_dict("records")]
    return pd.DataFrame(rows)
