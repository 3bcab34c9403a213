"""Intervals for what the churn model predicts: customers expected to leave, revenue at risk, and what turning
detractors into passives would keep.

Two kinds of uncertainty are combined (:func:`risk_intervals`):

* **the model's**: a bootstrap over the Cox fit — whole customers are resampled with replacement, the model is
  refitted (same design, penalty and strata; one Newton–Raphson step from the full fit's estimate, the one-step
  bootstrap, :func:`cxtemplate.churn.efron.newton_step`) and its Breslow baseline hazard redrawn, and every active
  customer is scored again;
* **chance in who leaves**: given one refit's probabilities, the number of leavers is Poisson-binomial (a sum of
  independent yes/no outcomes with different probabilities) and so is the revenue they take; each refit gets
  ``draws`` such outcomes (drawn exactly, or from the normal approximation of their mean and variance above
  :data:`EXACT_DRAW_CELLS`).

The interval is the central ``conf`` share of the combined draws: how many customers will leave within the
horizon, and how much annual revenue they will take, allowing for both. The point values stay the expected
values of the full fit (:func:`~cxtemplate.churn.scoring.score_customers`), so nothing the page said before
moves. The counterfactual (detractors scored as passives) carries the model's uncertainty only: it compares two
hypothetical worlds on the same customers.

Above :data:`MAX_BOOT_SUBJECTS` customers each resample holds that many (m-out-of-n bootstrap) and the
deviations from the full fit are shrunk by √(m/n). Everything is seeded: the same seed gives the same interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.churn.results import CoxResult, breslow, stratum_keys

REFITS = 100
"""Bootstrap refits of the Cox model (about 15 ms each on the demo's 23,000 intervals)."""
DRAWS = 40
"""Outcomes (who leaves) drawn per refit."""
MAX_BOOT_SUBJECTS = 20_000
"""Customers per resample; above, an m-out-of-n bootstrap (deviations shrunk by √(m/n))."""
EXACT_DRAW_CELLS = 4_000_000
"""Outcomes × active customers up to which who leaves is drawn customer by customer (above: normal approximation)."""


@dataclass
class RiskIntervals:
    """Intervals of :func:`risk_intervals` (all at confidence level ``conf``)."""

    conf: float
    refits: int
    draws: int
    churners: tuple[float, float]
    revenue: tuple[float, float] | None = None
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    """``dimension``, ``group``, ``expected_churners_low/high``, (with revenue) ``revenue_at_risk_low/high``, and with
    a counterfactual ``saved_if_passive`` (revenue, or customers without revenue, the group's detractors would keep
    as passives) with ``saved_if_passive_low/high`` (the model's uncertainty only)."""
    counterfactual: dict | None = None
    """Detractors scored as passives: ``revenue_at_risk`` (point, ``low``, ``high``), ``revenue_saved``,
    ``saved_low``, ``saved_high``, ``churners_avoided``, ``avoided_low``, ``avoided_high``, ``customers``."""
    subsample: int | None = None
    n_subjects: int = 0
    exact: bool = True

    @property
    def method(self) -> str:
        """How the intervals were made, for the page's "How this was measured" note."""
        sub = (f" ({self.subsample:,} of {self.n_subjects:,} customers per resample, deviations shrunk by √(m/n))"
               if self.subsample else "")
        outcome = ("drawn customer by customer" if self.exact else
                   "from the normal approximation of the Poisson-binomial distribution")
        return (f"The intervals around customers expected to leave and revenue at risk are {100 * self.conf:g}% "
                f"intervals from {self.refits:,} bootstrap refits of the Cox model on resampled customers{sub} "
                "(one Newton step from the full fit each), each with its baseline hazard re-estimated and every "
                "active customer scored again, combined with "
                f"{self.draws:,} draws per refit of which customers actually leave (a Poisson-binomial outcome, "
                f"{outcome}). They allow for the model's uncertainty and for chance in who leaves; the central "
                "figures are the full model's expected values.")


def _rows_of(codes: np.ndarray, n_ids: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows sorted by customer, with each customer's first position and row count."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=n_ids)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    return order, starts, counts


def _resample(rng, order, starts, counts, size) -> np.ndarray:
    """Row indices of ``size`` customers drawn with replacement (all rows of each)."""
    pick = rng.integers(0, len(counts), size)
    n = counts[pick]
    first = np.repeat(starts[pick], n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return order[first + offset]


def _baselines(entry, exit_, event, lp, keys) -> dict:
    off = float(lp.mean())
    out = {"__all__": breslow(entry, exit_, event, lp - off)}
    if keys is not None:
        for k in pd.unique(keys):
            m = keys == k
            if event[m].any():
                out[k] = breslow(entry[m], exit_[m], event[m], lp[m] - off)
    return {k: (g, h * np.exp(-off)) for k, (g, h) in out.items()}


def _horizon_hazard(baseline: dict, t: np.ndarray, horizon: float, keys) -> np.ndarray:
    """H0(t + h) − H0(t) per active customer, from a baseline dict (stratum → (grid, H))."""

    def at(key, x):
        grid, h = baseline[key]
        return np.interp(x, np.r_[0.0, grid], np.r_[0.0, h])

    out = at("__all__", t + horizon) - at("__all__", t)
    if keys is not None:
        for k in pd.unique(keys):
            if k in baseline:
                m = keys == k
                out[m] = at(k, t[m] + horizon) - at(k, t[m])
    return out


def _group_matrix(groups: Mapping[str, np.ndarray], n: int):
    """A sparse n × G indicator matrix of every (dimension, group), the total first, and its labels."""
    from scipy import sparse

    labels, cols = [("total", "all")], [np.zeros(n, np.int64)]
    for dim, values in groups.items():
        codes, uniques = pd.factorize(pd.Series(values).astype(str))
        cols.append(codes + len(labels))
        labels += [(dim, str(u)) for u in uniques]
    rows = np.tile(np.arange(n), len(cols))
    return sparse.csr_matrix((np.ones(rows.size), (rows, np.concatenate(cols))), shape=(n, len(labels))), labels


def risk_intervals(model: CoxResult, fit_frame: pd.DataFrame, current: pd.DataFrame, horizon_days: float, *,
                   revenue: np.ndarray | None = None, groups: Mapping[str, np.ndarray] | None = None,
                   counterfactual: tuple[str, str, str] | None = None, conf: float = 0.95, seed: int = 0,
                   refits: int = REFITS, draws: int = DRAWS, max_subjects: int = MAX_BOOT_SUBJECTS,
                   tenure_col: str = "tenure_days", id_col: str = "customer_id") -> RiskIntervals | None:
    """Intervals of the customers expected to leave within the horizon and of the revenue at risk.

    Parameters
    ----------
    model : CoxResult
        The fitted model (static or time-varying).
    fit_frame : DataFrame
        The rows it was fitted on (``start``/``stop`` intervals, or one row per customer with ``tenure_days``),
        with ``churned`` and ``customer_id``.
    current : DataFrame
        The active customers as scored (landmark at the analysis date), in the order of the scores.
    horizon_days : float
    revenue : array, optional
        Annual revenue per active customer (no revenue interval without it).
    groups : mapping, optional
        Dimension → group of each active customer (e.g. ``{"segment": …, "location": …}``): intervals by group.
    counterfactual : (column, from_level, to_level), optional
        Score the ``from_level`` customers as ``to_level`` too (e.g. ``("nps_category", "detractor",
        "passive")``), with the model's uncertainty.
    conf, seed, refits, draws, max_subjects
        Interval level; seed of every draw; bootstrap refits; outcomes per refit; customers per resample.
    tenure_col, id_col : str

    Returns
    -------
    RiskIntervals or None
        ``None`` when no refit converged or there is no active customer.
    """
    from cxtemplate.churn.efron import newton_step

    if not isinstance(model, CoxResult) or current.empty:
        return None
    names = list(model.params.index)
    beta_hat = model.params.to_numpy(float)
    X = model.design.matrix(fit_frame)[names].to_numpy(float)
    tv = model.kind == "time_varying"
    exit_ = fit_frame["stop" if tv else tenure_col].to_numpy(float)
    entry = fit_frame["start"].to_numpy(float) if tv else np.zeros(len(fit_frame))
    event = fit_frame["churned"].to_numpy(bool)
    keys = stratum_keys(fit_frame, model.strata)
    codes, ids = pd.factorize(fit_frame[id_col]) if id_col in fit_frame else (np.arange(len(fit_frame)),
                                                                              np.arange(len(fit_frame)))
    order, starts, counts = _rows_of(codes, len(ids))
    size = min(len(ids), max_subjects)
    shrink = np.sqrt(size / len(ids))

    Xc = model.design.matrix(current)[names].to_numpy(float)
    t_cur = current[tenure_col].to_numpy(float)
    keys_cur = stratum_keys(current, model.strata)
    p_hat = model.conditional_risk(current, horizon_days, tenure_col)
    n_cur = len(current)
    G, labels = _group_matrix(dict(groups or {}), n_cur)
    rev = None if revenue is None else np.asarray(revenue, float)
    cf_mask = Xcf = None
    if counterfactual is not None:
        col, from_level, to_level = counterfactual
        if col in model.design.categorical and col in current:
            cf_mask = current[col].astype(str).to_numpy() == from_level
            cf = current.loc[cf_mask].copy()
            cf[col] = to_level
            Xcf = model.design.matrix(cf)[names].to_numpy(float)
    exact = n_cur * draws <= EXACT_DRAW_CELLS
    rng = np.random.default_rng(seed)
    churn_draws, revenue_draws, cf_draws, saved_draws = [], [], [], []
    for _ in range(refits):
        rows = _resample(rng, order, starts, counts, size)
        if not event[rows].any():
            continue
        beta = newton_step(pd.DataFrame(X[rows], columns=names), entry[rows], exit_[rows], event[rows], beta_hat,
                           penalizer=model.penalizer, strata=None if keys is None else keys[rows]).to_numpy(float)
        if not np.all(np.isfinite(beta)):
            continue
        base = _baselines(entry[rows], exit_[rows], event[rows], X[rows] @ beta,
                          None if keys is None else keys[rows])
        dh = _horizon_hazard(base, t_cur, horizon_days, keys_cur)
        p_raw = 1.0 - np.exp(-dh * np.exp(Xc @ beta))
        p = np.clip(p_hat + (p_raw - p_hat) * shrink, 0.0, 1.0) if shrink < 1 else p_raw
        if exact:
            left = (rng.random((draws, n_cur)) < p).astype(float)
            churn_draws.append(np.asarray((G.T @ left.T).T))
            if rev is not None:
                revenue_draws.append(np.asarray((G.T @ (left * rev).T).T))
        else:
            z = rng.standard_normal((draws, 1))
            var = p * (1 - p)
            churn_draws.append(np.asarray(G.T @ p) + z * np.sqrt(np.asarray(G.T @ var)))
            if rev is not None:
                revenue_draws.append(np.asarray(G.T @ (rev * p)) + z * np.sqrt(np.asarray(G.T @ (rev ** 2 * var))))
        if Xcf is not None:  # unshrunk here: _counterfactual_summary shrinks the deviations of the sums
            p_cf = p_raw.copy()
            p_cf[cf_mask] = 1.0 - np.exp(-dh[cf_mask] * np.exp(Xcf @ beta))
            w = rev if rev is not None else np.ones(n_cur)
            cf_draws.append((float(w @ p_cf), float(w @ p_raw), float(p_raw[cf_mask].sum() - p_cf[cf_mask].sum())))
            saved_draws.append(np.asarray(G.T @ (w * (p_raw - p_cf))))
    if not churn_draws:
        return None
    a = (1 - conf) / 2
    churn_all = np.vstack(churn_draws)
    lo_c, hi_c = np.quantile(churn_all, [a, 1 - a], axis=0)
    table = pd.DataFrame(labels, columns=["dimension", "group"])
    table["expected_churners_low"], table["expected_churners_high"] = lo_c, hi_c
    out = RiskIntervals(conf, len(churn_draws), draws, (float(lo_c[0]), float(hi_c[0])), subsample=
                        size if size < len(ids) else None, n_subjects=len(ids), exact=exact)
    if revenue_draws:
        rev_all = np.vstack(revenue_draws)
        lo_r, hi_r = np.quantile(rev_all, [a, 1 - a], axis=0)
        table["revenue_at_risk_low"], table["revenue_at_risk_high"] = lo_r, hi_r
        out.revenue = (float(lo_r[0]), float(hi_r[0]))
    if saved_draws:  # each group's share of the counterfactual: what the detractors among them would save
        p_cf_hat = p_hat.copy()
        col, _from, to_level = counterfactual
        p_cf_hat[cf_mask] = model.conditional_risk(current.loc[cf_mask].assign(**{col: to_level}), horizon_days,
                                                   tenure_col)
        w = rev if rev is not None else np.ones(n_cur)
        point = np.asarray(G.T @ (w * (p_hat - p_cf_hat)))
        saved = point + (np.vstack(saved_draws) - point) * shrink
        lo_s, hi_s = np.quantile(saved, [a, 1 - a], axis=0)
        table["saved_if_passive"], table["saved_if_passive_low"], table["saved_if_passive_high"] = point, lo_s, hi_s
    out.groups = table
    if cf_draws and cf_mask is not None:
        out.counterfactual = _counterfactual_summary(model, current, cf_mask, counterfactual, p_hat, rev,
                                                     horizon_days, tenure_col, np.array(cf_draws), a, shrink)
    return out


def _counterfactual_summary(model, current, mask, counterfactual, p_hat, rev, horizon_days, tenure_col, draws, a,
                            shrink) -> dict:
    """Point and interval of the counterfactual: revenue (or customers) at risk, saved, and churners avoided."""
    col, from_level, to_level = counterfactual
    p_cf = p_hat.copy()
    if mask.any():
        p_cf[mask] = model.conditional_risk(current.loc[mask].assign(**{col: to_level}), horizon_days, tenure_col)
    w = rev if rev is not None else np.ones(len(p_hat))
    at_risk, now = float(w @ p_cf), float(w @ p_hat)
    avoided = float(p_hat[mask].sum() - p_cf[mask].sum())

    def band(values, point):
        values = point + (values - point) * shrink
        lo, hi = np.quantile(values, [a, 1 - a])
        return float(lo), float(hi)

    lo, hi = band(draws[:, 0], at_risk)
    s_lo, s_hi = band(draws[:, 1] - draws[:, 0], now - at_risk)
    a_lo, a_hi = band(draws[:, 2], avoided)
    unit = "revenue" if rev is not None else "customers"
    return {"column": col, "from_level": from_level, "to_level": to_level, "customers": int(mask.sum()),
            "unit": unit, "at_risk": at_risk, "at_risk_low": lo, "at_risk_high": hi,
            "saved": now - at_risk, "saved_low": s_lo, "saved_high": s_hi,
            "churners_avoided": avoided, "avoided_low": a_lo, "avoided_high": a_hi}


def group_intervals(by_group: pd.DataFrame, intervals: RiskIntervals | None) -> pd.DataFrame:
    """The revenue-at-risk table with each group's interval columns added (unchanged without intervals)."""
    if intervals is None or intervals.groups.empty:
        return by_group
    extra = [c for c in intervals.groups.columns if c not in ("dimension", "group")]
    return by_group.drop(columns=[c for c in extra if c in by_group.columns]).merge(
        intervals.groups, on=["dimension", "group"], how="left")

