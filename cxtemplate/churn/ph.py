"""Proportional hazards for the churn Cox models: the Grambsch–Therneau test and its remedies.

* :func:`schoenfeld_test`: the test on scaled Schoenfeld residuals with lifelines' rank time
  transform, computed vectorised (lifelines' own loop is quadratic in rows and has no time-varying
  version); it equals ``lifelines.statistics.proportional_hazard_test`` on static data.
* :func:`ph_check`: the remedy reported in words — a violating categorical CRM covariate becomes a
  stratum; any other violation is shown as early vs late hazard ratios (:func:`_time_split`, the
  time split at the median churn time).

Used by :mod:`cxtemplate.churn.km_cox` after each Cox fit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from cxtemplate.churn.results import CoxResult, risk_sums
from cxtemplate.measure.inference import adjust_bh
from cxtemplate.measure.spec import z_value


def schoenfeld_test(X: np.ndarray, entry, exit_, event, beta, variance, strata_codes=None,
                    names=None) -> pd.DataFrame:
    """Grambsch–Therneau test of proportional hazards (rank time transform), vectorised.

    Efron-weighted Schoenfeld residuals at each churn, scaled by d × Var(β̂); the statistic per term
    is (Σ (g − ḡ) r*)² / (d · se² · Σ (g − ḡ)²) with g the rank of the churn time, χ²(1) — the formula
    of ``lifelines.statistics.proportional_hazard_test``, extended to (start, stop] rows and strata.
    """
    X = np.asarray(X, float)
    codes = np.zeros(len(X), int) if strata_codes is None else np.asarray(strata_codes)
    w = np.exp(X @ beta - (X @ beta).max())
    res, times = [], []
    for c in np.unique(codes):
        m = codes == c
        ev = np.flatnonzero(m & event)
        if len(ev) == 0:
            continue
        ev = ev[np.argsort(exit_[ev], kind="stable")]
        t = exit_[ev]
        s0 = risk_sums(entry[m], exit_[m], w[m], t)
        s1 = risk_sums(entry[m], exit_[m], w[m][:, None] * X[m], t)
        grp = np.r_[0, np.cumsum(t[1:] != t[:-1])]
        size = np.bincount(grp)[grp]
        first = np.r_[0, np.flatnonzero(np.diff(grp)) + 1]
        lidx = np.arange(len(t)) - first[grp]
        t0 = np.bincount(grp, weights=w[ev])[grp]
        t1 = np.stack([np.bincount(grp, weights=w[ev] * X[ev, j]) for j in range(X.shape[1])], 1)[grp]
        f = (lidx / size)[:, None]
        term = (s1 - f * t1) / (s0[:, None] - f * t0[:, None])
        mean = np.stack([np.bincount(grp, weights=term[:, j]) for j in range(X.shape[1])], 1)[grp] / size[:, None]
        res.append(X[ev] - mean)
        times.append(t)
    r = np.concatenate(res)
    order = np.argsort(np.concatenate(times), kind="stable")
    r = r[order]
    d = len(r)
    V = np.asarray(variance, float)
    scaled = d * r @ V
    g = np.arange(1, d + 1, dtype=float)
    g -= g.mean()
    stat = (g @ scaled) ** 2 / (d * np.diag(V) * (g ** 2).sum())
    return pd.DataFrame({"term": names if names is not None else range(X.shape[1]), "statistic": stat,
                         "p": stats.chi2.sf(stat, 1)})


def _split_at(entry, exit_, event, tau):
    """Episode-split rows at tau: returns (index into rows, entry, exit, event, late flag)."""
    cross = (entry < tau) & (exit_ > tau)
    idx = np.r_[np.arange(len(entry)), np.flatnonzero(cross)]
    e0 = np.r_[entry, np.full(cross.sum(), tau)]
    e1 = np.r_[np.where(cross, tau, exit_), exit_[cross]]
    ev = np.r_[event & ~cross, event[cross]]
    return idx, e0, e1, ev, e0 >= tau


def ph_check(res: CoxResult, arrays, data, refit, *, ph_alpha, protect, max_strata_levels, remedy):
    Xv, entry, exit_, E, keys = arrays
    codes = pd.factorize(keys)[0] if keys is not None else None
    ph = schoenfeld_test(Xv, entry, exit_, E, res.params.to_numpy(), res.variance, codes, list(res.params.index))
    ph["covariate"] = [res.design.term(t)[0] for t in ph["term"]]
    ph["p_bh"] = adjust_bh(ph["p"].to_numpy())
    ph["violation"] = ph["p_bh"] < ph_alpha
    res.ph_test = ph
    bad = ph.loc[ph["violation"]].groupby("covariate")["p_bh"].min().sort_values()
    if bad.empty:
        res.ph_note = (f"The proportional-hazards check (Schoenfeld residuals) found no violation at "
                       f"BH-adjusted p < {ph_alpha}: the hazard ratios hold across tenure.")
        return res
    strat = [c for c in bad.index if c in res.design.categorical and c not in protect
             and len(res.design.categorical[c][0]) + 1 <= max_strata_levels]
    words = []
    if remedy and strat:
        new, new_arrays = refit(strat)
        if isinstance(new, CoxResult):
            arrays = new_arrays
            new.notes = res.notes + [f"Stratified on {', '.join(strat)} (non-proportional hazards)."]
            words.append(f"{', '.join(strat)} broke proportional hazards (BH-adjusted p < {ph_alpha}), so the model now "
                         f"has a separate baseline churn curve per {'/'.join(strat)} (stratified) and reports "
                         "no hazard ratio for it")
            new.ph_test = ph
            res = new
    rest = [c for c in bad.index if c not in strat or not words]
    if rest and remedy:
        res.time_split = _time_split(res, data, arrays, rest)
        words.append(f"the effect of {', '.join(rest)} changes with tenure (BH-adjusted p < {ph_alpha}); its hazard "
                     "ratio is an average over tenure, and the early/late split is shown alongside "
                     "(large data make small departures significant: compare the two in practical terms)")
    res.ph_note = "Proportional-hazards check: " + "; ".join(words) + "." if words else \
        f"Proportional hazards violated for {', '.join(bad.index)} (no remedy applied)."
    return res


def _time_split(res: CoxResult, data, arrays, covs, max_rows: int = 200_000, seed: int = 0) -> pd.DataFrame:
    """Early vs late hazard ratios of ``covs`` (split at the median churn time), same penalty."""
    from cxtemplate.churn.efron import fit_efron

    Xv, entry, exit_, E, keys = arrays
    tau = float(np.median(exit_[E]))
    idx, e0, e1, ev, late = _split_at(entry, exit_, E, tau)
    if len(idx) > max_rows:
        keep = np.sort(np.random.default_rng(seed).choice(len(idx), max_rows, replace=False))
        idx, e0, e1, ev, late = idx[keep], e0[keep], e1[keep], ev[keep], late[keep]
    X = pd.DataFrame(Xv[idx], columns=res.params.index)
    terms = [t for t in res.params.index if res.design.term(t)[0] in covs]
    for t in terms:
        X[f"{t}×late"] = X[t] * late
    if res.strata:
        X["_k"] = keys[idx]
    X["_S"], X["_T"], X["_E"] = e0, e1, ev
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = fit_efron(X.drop(columns=["_S", "_T", "_E", "_k"], errors="ignore"), e0, e1, ev, penalizer=res.penalizer,
                      strata=X["_k"].to_numpy() if res.strata else None)
    b, V = f.params_, f.variance_matrix_
    z = z_value(1 - res.alpha)
    V = pd.DataFrame(np.asarray(V), index=b.index, columns=b.index)
    rows = []
    for t in terms:
        late_b = b[t] + b[f"{t}×late"]
        se_late = np.sqrt(V.loc[t, t] + V.loc[f"{t}×late", f"{t}×late"] + 2 * V.loc[t, f"{t}×late"])
        se_i = np.sqrt(V.loc[f"{t}×late", f"{t}×late"])
        rows.append({"term": t, "split_at_days": tau, "hr_early": np.exp(b[t]),
                     "hr_early_low": np.exp(b[t] - z * np.sqrt(V.loc[t, t])),
                     "hr_early_high": np.exp(b[t] + z * np.sqrt(V.loc[t, t])),
                     "hr_late": np.exp(late_b), "hr_late_low": np.exp(late_b - z * se_late),
                     "hr_late_high": np.exp(late_b + z * se_late),
                     "p_difference": float(2 * stats.norm.sf(abs(b[f"{t}×late"] / se_i)))})
    return pd.DataFrame(rows)
