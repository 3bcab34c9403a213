"""Survival analysis of churn: Kaplan–Meier, log-rank, RMST, Cox models, PH check, validation.

Everything rests on lifelines; this module adds the conventions of the report:

* **Kaplan–Meier** by a grouping column, with at-risk counts, pairwise log-rank tests with
  Benjamini–Hochberg adjusted p-values and the restricted mean survival time (RMST) up to the horizon
  with an interval at the chosen confidence level, ``alpha`` (Klein–Moeschberger variance, as in R's
  survRM2; lifelines'
  ``restricted_mean_survival_time(..., return_variance=True)`` gives the variance of min(T, τ) itself,
  not of its estimate, so it is not used for the interval).
* **Cox models** (:func:`fit_cox` on one row per customer; :func:`fit_cox_time_varying` on (start,
  stop] intervals with the estimator of lifelines' ``CoxTimeVaryingFitter``, computed vectorised by
  :mod:`cxtemplate.churn.efron` — lifelines loops over churn times, which takes hours at a
  million customers; the numbers agree to ~1e-9): categorical covariates one-hot coded
  against stated reference levels, numeric ones per unit (see :class:`~cxtemplate.churn.design.Design`),
  a small L2 penalty of fixed total size, ½·λ·Σβ² on lifelines' standardised coefficients (a normal
  prior worth about λ churns of information; lifelines multiplies its ``penalizer`` by the number of
  rows, so we pass λ / rows). With the default λ = 1 it steadies sparse levels and fades as churns
  accumulate (≈ 1% shrinkage at 100 churns, 0.1% at 1,000), so large samples keep unbiased hazard
  ratios; with fewer than 10 churns per model term it is raised to ¼ of the churns (≈ 20% shrinkage
  toward HR 1) with a warning. ``penalizer=0``
  is lifelines unchanged (the ``rossi`` example is reproduced to the published decimals).
* **Proportional hazards** (:mod:`cxtemplate.churn.ph`): the Grambsch–Therneau test on scaled
  Schoenfeld residuals, vectorised; a violating categorical CRM covariate becomes a stratum, any other
  violation is shown as early vs late hazard ratios.
* **Validation** of the predictions (cross-validated concordance and calibration) lives in
  :mod:`cxtemplate.churn.validation` (:func:`~cxtemplate.churn.validation.validate`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.churn.design import MAX_CONDITION, build_design
from cxtemplate.churn.ph import ph_check
from cxtemplate.churn.results import ChurnUnavailable, CoxResult, breslow, concordance, hr_table, stratum_keys
from cxtemplate.measure.inference import adjust_bh
from cxtemplate.measure.spec import z_value
from cxtemplate.vocabulary import CX_COVARIATES, NPS_LEVELS

# --------------------------------------------------------------------------- Kaplan–Meier


@dataclass
class KMResult:
    """Kaplan–Meier curves by group with tests and RMST (see :func:`kaplan_meier`)."""

    group_col: str | None
    fitters: dict
    summary: pd.DataFrame
    pairwise: pd.DataFrame
    overall: dict
    at_risk: pd.DataFrame
    horizon_days: float
    notes: list[str] = field(default_factory=list)
    alpha: float = 0.05
    """1 − the confidence level of the survival bands and RMST intervals."""


def rmst(durations, events, tau: float, entry=None) -> tuple[float, float]:
    """Restricted mean survival time up to ``tau`` from the Kaplan–Meier curve, and its standard error.

    The variance is Σ A_j² d_j / (n_j (n_j − d_j)) over event times t_j ≤ τ, with A_j the area
    under the curve from t_j to τ (Klein & Moeschberger; R survRM2 ``rmst1``).
    """
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(durations, events, entry=entry)
    et = km.event_table
    t = et.index.to_numpy(float)
    keep = (t > 0) & (t <= tau)
    t, d, n = t[keep], et["observed"].to_numpy(float)[keep], et["at_risk"].to_numpy(float)[keep]
    s = np.cumprod(1 - np.divide(d, n, out=np.zeros_like(d), where=n > 0))
    areas = np.diff(np.r_[0.0, t, tau]) * np.r_[1.0, s]
    a = np.cumsum(areas[::-1])[::-1][1:]
    w = np.divide(d, n * (n - d), out=np.zeros_like(d), where=(n - d) > 0)
    return float(areas.sum()), float(np.sqrt((a ** 2 * w).sum()))


def _group_order(values: pd.Series, col: str | None) -> list[str]:
    levels = list(pd.unique(values))
    if col == "nps_category":
        return [lv for lv in NPS_LEVELS if lv in levels] + sorted(lv for lv in levels if lv not in NPS_LEVELS)
    counts = values.value_counts()
    return list(counts.index)


def kaplan_meier(frame: pd.DataFrame, group_col: str | None = None, *, duration_col: str = "tenure_days",
                 event_col: str = "churned", horizon_days: float = 365.0, at_risk_times=None,
                 min_n: int = 30, alpha: float = 0.05) -> KMResult:
    """Kaplan–Meier survival by group, pairwise log-rank tests (BH-adjusted) and RMST to the horizon.

    Parameters
    ----------
    frame : DataFrame
        One row per customer (:func:`~cxtemplate.churn.data.survival_frame` or ``last_rows``).
    group_col : str, optional
        Grouping column (``None``: everyone together). Missing values form the group ``unknown``.
    duration_col, event_col : str
    horizon_days : float
        Horizon for survival and RMST.
    at_risk_times : sequence of float, optional
        Times for the at-risk table (default: 0, ½, 1, 2, 3 … horizons up to the longest tenure).
    min_n : int
        Groups smaller than this are flagged in the notes.
    alpha : float
        1 − confidence level of the survival bands (lifelines' ``alpha``) and the RMST intervals.

    Returns
    -------
    KMResult
        ``summary`` (group, customers, churned, survival at horizon with interval, median tenure with
        its interval — lifelines' ``median_survival_times`` of the band, ``inf`` when not reached —,
        RMST with interval), ``pairwise`` (group_a, group_b, statistic, p, p_bh), ``overall``
        (multivariate log-rank: statistic, df, p), ``at_risk`` (time × group: customers whose tenure is
        at least the time, so those who reach the last time point count there), fitted ``fitters``.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test
    from lifelines.utils import median_survival_times

    T = frame[duration_col].to_numpy(float)
    E = frame[event_col].to_numpy(bool)
    g = (frame[group_col].astype(object).where(frame[group_col].notna(), "unknown").astype(str)
         if group_col else pd.Series("all", index=frame.index))
    notes: list[str] = []
    z = z_value(1 - alpha)
    fitters, rows = {}, []
    g_values = g.to_numpy()
    for lv in _group_order(g, group_col):
        m = g_values == lv
        km = KaplanMeierFitter(alpha=alpha).fit(T[m], E[m], label=str(lv))
        s_h = float(km.survival_function_at_times(horizon_days).iloc[0])
        ci = km.confidence_interval_survival_function_.loc[:horizon_days].iloc[-1]
        mu, se = rmst(T[m], E[m], horizon_days)
        med_ci = median_survival_times(km.confidence_interval_).to_numpy(float).ravel()
        rows.append({"group": lv, "customers": int(m.sum()), "churned": int(E[m].sum()),
                     "survival_at_horizon": s_h, "survival_low": float(ci.iloc[0]),
                     "survival_high": float(ci.iloc[1]), "churn_by_horizon": 1 - s_h,
                     "median_tenure_days": float(km.median_survival_time_),
                     "median_low_days": float(med_ci[0]), "median_high_days": float(med_ci[1]),
                     "rmst_days": mu, "rmst_low": mu - z * se, "rmst_high": mu + z * se})
        fitters[lv] = km
        if m.sum() < min_n:
            notes.append(f"Group '{lv}' has only {int(m.sum())} customers (< {min_n}); read it with care.")
    summary = pd.DataFrame(rows)
    if at_risk_times is None:
        mult = [0, 0.5] + list(range(1, int(np.nanmax(T) // horizon_days) + 1)) if len(T) else [0]
        at_risk_times = [m * horizon_days for m in mult]
    g_arr = g.to_numpy()
    at_risk = pd.DataFrame({lv: [(T_lv >= t).sum() for t in at_risk_times]
                            for lv in fitters for T_lv in [T[g_arr == lv]]},
                           index=pd.Index(at_risk_times, name="tenure_days"))
    pairwise = pd.DataFrame(columns=["group_a", "group_b", "statistic", "p", "p_bh"])
    overall = {"statistic": np.nan, "df": len(fitters) - 1, "p": np.nan}
    if len(fitters) > 1 and E.sum() > 0:
        mt = multivariate_logrank_test(T, g, E)
        overall = {"statistic": float(mt.test_statistic), "df": len(fitters) - 1, "p": float(mt.p_value)}
        pw = pairwise_logrank_test(T, g, E).summary.reset_index()
        pw.columns = ["group_a", "group_b", "statistic", "p", "log2p"]
        pw["p_bh"] = adjust_bh(pw["p"].to_numpy())
        pairwise = pw.drop(columns="log2p")
    elif E.sum() == 0:
        notes.append("No churn events: survival is 100% throughout and no test can be made.")
    if group_col in CX_COVARIATES:
        notes.append(f"Groups are the {group_col} last known for each customer. This describes, it does not "
                     "predict: churned customers had less time to answer, so 'none_yet' and late answers "
                     "mix cause with survival (immortal-time bias). The hazard ratios of the time-varying "
                     "Cox model, which use each answer only from when it was given, are the ones to quote.")
    return KMResult(group_col, fitters, summary, pairwise, overall, at_risk, horizon_days, notes, alpha)


STANDARD_HORIZONS_MONTHS = (6, 12, 24, 36, 48, 60)
"""The horizons of the Kaplan–Meier table, in months (or the equivalent in the data's own unit)."""

DAYS_PER_MONTH = 365.25 / 12


def horizon_days(months: float, unit: str = "month") -> float:
    """A horizon of ``months`` in days, in the data's own unit: weeks count 52 to the year (6 months = 26 weeks =
    182 days), every other unit 365.25 / 12 days to the month (12 months = 1 year = 365.25 days)."""
    if unit.rstrip("s") == "week":
        return round(months / 12 * 52) * 7.0
    return months * DAYS_PER_MONTH


def horizon_label(months: float, unit: str = "month") -> str:
    """A horizon as the page names it, in the data's own unit: ``"6 months"``, ``"2 years"``, ``"26 weeks"``."""
    unit = unit.rstrip("s")
    if unit == "year":
        years = months / 12
        return f"{years:g} year{'' if years == 1 else 's'}" if years >= 1 else f"{months:g} months"
    if unit == "week":
        weeks = round(months / 12 * 52)
        return f"{weeks} weeks"
    return f"{months:g} month{'' if months == 1 else 's'}"


def survival_table(km: KMResult, months: Sequence[float] = STANDARD_HORIZONS_MONTHS, unit: str = "month"
                   ) -> pd.DataFrame:
    """The Kaplan–Meier table: customers, churns, median tenure with its interval and S(t) at standard horizons.

    Parameters
    ----------
    km : KMResult
    months : sequence of float
        Horizons in months (converted to the data's ``unit`` by :func:`horizon_days`).
    unit : {"day", "week", "month", "year"}
        The unit tenure was given in (``day`` for dated data); names and places the horizons.

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``customers``, ``churned``, ``median_days``, ``median_low_days``,
        ``median_high_days`` (``inf`` when the curve does not fall to one half) and, for each horizon,
        ``s_<m>m`` with ``s_<m>m_low`` / ``s_<m>m_high`` (the band at the confidence level of the curves);
        NaN beyond the group's longest observed tenure, where the curve is not estimated.
        ``attrs["horizons"]``: column stem → (label, days).
    """
    rows, horizons = [], {f"s_{m:g}m": (horizon_label(m, unit), horizon_days(m, unit)) for m in months}
    summary = km.summary.set_index("group")
    for group, f in km.fitters.items():
        row = {"group": group, "customers": int(summary.loc[group, "customers"]),
               "churned": int(summary.loc[group, "churned"]),
               "median_days": float(summary.loc[group, "median_tenure_days"]),
               "median_low_days": float(summary.loc[group, "median_low_days"]),
               "median_high_days": float(summary.loc[group, "median_high_days"])}
        last = float(np.max(f.durations)) if len(f.durations) else 0.0
        sf = f.survival_function_.iloc[:, 0]
        ci = f.confidence_interval_survival_function_
        for stem, (_, t) in horizons.items():
            if t > last:
                row[stem] = row[f"{stem}_low"] = row[f"{stem}_high"] = np.nan
                continue
            i = int(np.searchsorted(sf.index.to_numpy(float), t, side="right")) - 1
            row[stem] = float(sf.iloc[i])
            row[f"{stem}_low"], row[f"{stem}_high"] = (float(v) for v in ci.iloc[i])
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["horizons"] = horizons
    return out


def at_risk_counts(km: KMResult, times) -> pd.DataFrame:
    """Customers at risk at each time (tenure ≥ t: those whose tenure is exactly the last time point count)."""
    return pd.DataFrame({g: [int((np.asarray(f.durations, float) >= t).sum()) for t in times]
                         for g, f in km.fitters.items()}, index=pd.Index(list(times), name="tenure_days"))


# --------------------------------------------------------------------------- Cox models


def _events_per_param(n_events: int, p: int) -> float:
    return n_events / max(p, 1)


def _fit_core(data: pd.DataFrame, covariates, *, kind, entry_col, exit_col, event_col, id_col, categorical,
              reference, penalizer, strata, standardise, alpha, notes, max_condition=MAX_CONDITION):
    """Design, penalty and lifelines fit; returns (CoxResult | ChurnUnavailable, X, entry, exit, event)."""
    from lifelines import CoxPHFitter

    from cxtemplate.churn.efron import fit_efron

    E = data[event_col].to_numpy(bool)
    n_sub = data[id_col].nunique() if id_col in data else len(data)
    if E.sum() == 0:
        return ChurnUnavailable("No churn events in the data, so churn risk cannot be modelled; the "
                                "survival curves show 100% retention.", n_sub, 0), None
    design = build_design(data, [c for c in covariates if c not in strata], categorical=categorical,
                          reference=reference, standardise=standardise)
    X = design.resolve_aliasing(design.matrix(data), max_condition)
    notes += design.notes
    if X.shape[1] == 0:
        return ChurnUnavailable("No usable covariates (all missing, constant or single-level).",
                                n_sub, int(E.sum())), None
    epv = _events_per_param(int(E.sum()), X.shape[1])
    if epv < 10 and 0 < penalizer < 0.25 * E.sum():
        penalizer = 0.25 * float(E.sum())
        msg = (f"Only {int(E.sum())} churn events for {X.shape[1]} model terms ({epv:.1f} per term, fewer "
               f"than 10): the penalty was raised to {penalizer:g} (hazard ratios shrink about 20% toward 1); "
               "treat them as indicative.")
        warnings.warn(msg, stacklevel=3)
        notes.append(msg)
    pen = penalizer / len(data)
    fit_df = X.copy()
    exit_ = data[exit_col].to_numpy(float)
    entry = data[entry_col].to_numpy(float) if entry_col else np.zeros(len(data))
    for s in strata:
        fit_df[s] = data[s].astype(str).to_numpy()
    fit_df["_T"], fit_df["_E"] = exit_, E
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "static":
            f = CoxPHFitter(penalizer=pen, alpha=alpha).fit(fit_df, "_T", "_E", strata=strata or None)
        else:
            # lifelines' CoxTimeVaryingFitter estimator, vectorised (see survival_efron): same numbers,
            # without its loop over churn times (hours at a million customers)
            f = fit_efron(X, entry, exit_, E, penalizer=penalizer, strata=stratum_keys(data, strata) if strata else None)
    params = f.params_.copy()
    variance = pd.DataFrame(np.asarray(f.variance_matrix_), index=params.index, columns=params.index)
    Xv = X[params.index].to_numpy(float)
    lp = Xv @ params.to_numpy()
    off = float(lp.mean())
    keys = stratum_keys(data, strata)
    baseline = {"__all__": breslow(entry, exit_, E, lp - off)}
    for k in (pd.unique(keys) if strata else []):
        m = keys == k
        baseline[k] = breslow(entry[m], exit_[m], E[m], lp[m] - off)
    baseline = {k: (g, h * np.exp(-off)) for k, (g, h) in baseline.items()}
    table = hr_table(params, pd.Series(np.sqrt(np.diag(variance)), index=params.index), design, alpha)
    conc = None
    if kind == "static":  # lifelines' concordance walks rows in Python: use a 200k sample above that
        m = slice(None) if len(data) <= 200_000 else np.random.default_rng(0).choice(len(data), 200_000, False)
        conc = concordance(exit_[m], -lp[m], E[m])
    res = CoxResult(f, kind, design, params, variance, table, baseline, list(strata), penalizer, n_sub,
                    len(data), int(E.sum()), conc, notes=notes, alpha=alpha)
    return res, (Xv, entry, exit_, E, keys)


def _fit_any(data, covariates, kind, *, entry_col, exit_col, event_col, id_col, categorical, reference,
             penalizer, strata, standardise, check_ph, ph_alpha, remedy, protect, max_strata_levels,
             max_subjects, seed, alpha, max_condition=MAX_CONDITION):
    notes: list[str] = list(data.attrs.get("notes", []))
    strata = list(strata or [])
    if covariates is None and "covariates" in data.attrs:
        covariates = list(data.attrs["covariates"]) + list(data.attrs.get("cx_covariates", []))
    elif covariates is None:
        skip = {entry_col, exit_col, event_col, id_col, "start_date", "end_date", "revenue", "tenure_days",
                "duration", *strata}
        covariates = [c for c in data.columns if c not in skip]
    if max_subjects and id_col in data:
        codes, ids = pd.factorize(data[id_col])
        if len(ids) > max_subjects:
            pick = np.zeros(len(ids), bool)
            pick[np.random.default_rng(seed).choice(len(ids), max_subjects, replace=False)] = True
            data = data.loc[pick[codes]].reset_index(drop=True)
            notes.append(f"Fitted on a random sample of {max_subjects:,} of {len(ids):,} customers.")

    def fit(extra_strata):
        r, arrays = _fit_core(data, covariates, kind=kind, entry_col=entry_col, exit_col=exit_col,
                              event_col=event_col, id_col=id_col, categorical=categorical, reference=reference,
                              penalizer=penalizer, strata=strata + list(extra_strata), standardise=standardise,
                              alpha=alpha, notes=list(notes), max_condition=max_condition)
        return r, arrays

    res, arrays = fit([])
    if isinstance(res, CoxResult) and check_ph:
        res = ph_check(res, arrays, data, fit, ph_alpha=ph_alpha, protect=set(protect),
                        max_strata_levels=max_strata_levels, remedy=remedy)
    return res


def fit_cox(frame: pd.DataFrame, covariates: Sequence[str] | None = None, *, duration_col: str = "tenure_days",
            event_col: str = "churned", id_col: str = "customer_id", categorical: Sequence[str] | None = None,
            reference: dict | None = None, penalizer: float = 1.0,
            strata: Sequence[str] | None = None, standardise: bool = False, check_ph: bool = True,
            ph_alpha: float = 0.01, remedy: bool = True, protect: Sequence[str] = CX_COVARIATES,
            max_strata_levels: int = 8, max_subjects: int | None = None, seed: int = 0,
            alpha: float = 0.05) -> CoxResult | ChurnUnavailable:
    """Penalised Cox model on one row per customer (lifelines ``CoxPHFitter``, Efron ties).

    Parameters
    ----------
    frame : DataFrame
        One row per customer with duration, event and covariates.
    covariates : sequence of str, optional
        Default: every column but duration, event, id and dates.
    duration_col, event_col, id_col : str
    categorical, reference, standardise
        Coding; see :func:`~cxtemplate.churn.design.build_design`.
    penalizer : float
        Total L2 penalty λ on the standardised log hazard ratios (0 = unpenalised lifelines; see the
        module notes). Raised to ¼ of the churn count, with a warning, when there
        are fewer than 10 events per model term.
    strata : sequence of str, optional
        Stratify on these from the start.
    check_ph, ph_alpha, remedy, protect, max_strata_levels
        Proportional-hazards check; violating categorical covariates not in ``protect`` and with at most
        ``max_strata_levels`` levels become strata, the rest get an early/late split table.
    max_subjects : int, optional
        Fit on a random sample of this many customers when there are more (noted).
    seed : int
    alpha : float
        1 − confidence level of the hazard-ratio intervals.

    Returns
    -------
    CoxResult or ChurnUnavailable
        ``ChurnUnavailable`` when there are no churn events or no usable covariates.
    """
    return _fit_any(frame, covariates, "static", entry_col=None, exit_col=duration_col, event_col=event_col,
                    id_col=id_col, categorical=categorical, reference=reference, penalizer=penalizer,
                    strata=strata, standardise=standardise, check_ph=check_ph, ph_alpha=ph_alpha,
                    remedy=remedy, protect=protect, max_strata_levels=max_strata_levels,
                    max_subjects=max_subjects, seed=seed, alpha=alpha)


def fit_cox_time_varying(tv: pd.DataFrame, covariates: Sequence[str] | None = None, *, start_col: str = "start",
                         stop_col: str = "stop", event_col: str = "churned", id_col: str = "customer_id",
                         categorical: Sequence[str] | None = None, reference: dict | None = None,
                         penalizer: float = 1.0, strata: Sequence[str] | None = None, standardise: bool = False,
                         check_ph: bool = True, ph_alpha: float = 0.01, remedy: bool = True,
                         protect: Sequence[str] = CX_COVARIATES, max_strata_levels: int = 8,
                         max_subjects: int | None = None, seed: int = 0,
                         alpha: float = 0.05) -> CoxResult | ChurnUnavailable:
    """Penalised Cox model on (start, stop] intervals (``CoxTimeVaryingFitter``'s estimator, vectorised).

    The design for hazard ratios of CX covariates: each interval carries the covariates as known
    during it (see :func:`~cxtemplate.churn.data.time_varying_frame`). Parameters and output are
    those of :func:`fit_cox`; the penalty is converted with the number of *intervals*.
    ``max_subjects`` samples whole customers.
    """
    return _fit_any(tv, covariates, "time_varying", entry_col=start_col, exit_col=stop_col, event_col=event_col,
                    id_col=id_col, categorical=categorical, reference=reference, penalizer=penalizer,
                    strata=strata, standardise=standardise, check_ph=check_ph, ph_alpha=ph_alpha,
                    remedy=remedy, protect=protect, max_strata_levels=max_strata_levels,
                    max_subjects=max_subjects, seed=seed, alpha=alpha)

