"""Validating churn predictions: cross-validated concordance and calibration at the horizon.

:func:`validate` runs k-fold cross-validated concordance and calibration at the horizon (ICI, E50 by
the smoothed-calibration method of lifelines' ``survival_probability_calibration``, Austin et al.
2020, reimplemented for out-of-fold predictions and checked equal to it), against a Kaplan–Meier by
segment baseline on the same folds — on the static design, or as a landmark back-test of the
time-varying model (see :func:`validate`).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.churn.data import last_rows
from cxtemplate.churn.km_cox import fit_cox, fit_cox_time_varying
from cxtemplate.churn.results import ChurnUnavailable, CoxResult, concordance


def _decile_calibration(p, T, E, t0):
    """Fallback: observed risk by Kaplan–Meier within deciles of predicted risk."""
    from lifelines import KaplanMeierFitter

    q = pd.qcut(p, 10, labels=False, duplicates="drop")
    obs = np.empty_like(p)
    rows = []
    for b in np.unique(q):
        m = q == b
        o = 1 - float(KaplanMeierFitter().fit(T[m], E[m]).survival_function_at_times(t0).iloc[0])
        obs[m] = o
        rows.append({"predicted": float(p[m].mean()), "observed": o})
    return obs, pd.DataFrame(rows)


def calibration_ici(predicted, durations, events, t0: float, grid: int = 100, time_scale: float | None = None):
    """ICI and E50 of predicted P(churn ≤ t0), by lifelines' smoothed-calibration method.

    Same steps as ``lifelines.calibration.survival_probability_calibration`` (a 3-knot
    Royston–Parmar spline model of the observed outcome on log(−log(1 − p)), Austin et al. 2020),
    without its plot and printing, so it works on out-of-fold predictions and the Kaplan–Meier
    baseline. ``time_scale=1`` reproduces lifelines exactly; by default time is divided by ``t0``,
    which the spline optimiser handles far better (on day-scale data it can stop at a wrong optimum).
    A fit that fails, or whose mean observed risk strays from the Kaplan–Meier risk at ``t0``, is
    retried on other scales and finally replaced by deciles of predicted risk with a Kaplan–Meier
    observed risk per decile (``curve.attrs["method"]`` says which).

    Returns
    -------
    ici, e50 : float
    curve : DataFrame
        ``predicted`` and smoothed ``observed`` probabilities, for the calibration chart.
    """
    from lifelines import CRCSplineFitter, KaplanMeierFitter
    from lifelines.exceptions import ConvergenceError

    p = np.clip(np.asarray(predicted, float), 1e-10, 1 - 1e-10)
    T, E = np.asarray(durations, float), np.asarray(events, bool)
    km_risk = 1 - float(KaplanMeierFitter().fit(T, E).survival_function_at_times(t0).iloc[0])
    ccl = np.log(-np.log(1 - p))
    x = np.linspace(np.clip(p.min() - 0.01, 0, 1), np.clip(p.max() + 0.01, 0, 1), grid)
    xc = np.log(-np.log(1 - np.clip(x, 1e-10, 1 - 1e-10)))
    for sc in ([time_scale] if time_scale else [t0, 1.0, t0 / 4]):
        df = pd.DataFrame({"ccl": ccl, "T": T / sc, "E": E})
        crc = CRCSplineFitter(n_baseline_knots=3, penalizer=0.000001)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                crc.fit_right_censoring(df, "T", "E", regressors={"beta_": ["ccl"], "gamma0_": "1",
                                                                  "gamma1_": "1", "gamma2_": "1"})
        except (ConvergenceError, ValueError, np.linalg.LinAlgError):
            continue
        obs = 1 - crc.predict_survival_function(df[["ccl"]], times=[t0 / sc]).T.squeeze().to_numpy()
        if time_scale or abs(np.mean(obs) - km_risk) <= 0.02 + 0.25 * km_risk:
            y = 1 - crc.predict_survival_function(pd.DataFrame({"ccl": xc}), times=[t0 / sc]).T.squeeze().to_numpy()
            curve = pd.DataFrame({"predicted": x, "observed": y})
            curve.attrs["method"] = "smoothed (Royston–Parmar spline)"
            break
    else:
        obs, curve = _decile_calibration(p, T, E, t0)
        curve.attrs["method"] = "deciles of predicted risk (spline fit did not converge)"
    delta = np.abs(obs - p)
    return float(delta.mean()), float(np.percentile(delta, 50)), curve


def lifelines_calibration(model: CoxResult, frame: pd.DataFrame, horizon_days: float, *, duration_col="tenure_days",
                          event_col="churned", ax=None):
    """Run lifelines' own ``survival_probability_calibration`` on a static model (its plot, ICI, E50).

    Returns
    -------
    ax, ici, e50
    """
    from lifelines.calibration import survival_probability_calibration

    df = model.design.matrix(frame)[model.params.index]
    for s in model.strata:
        df[s] = frame[s].astype(str).to_numpy()
    df["_T"], df["_E"] = frame[duration_col].to_numpy(float), frame[event_col].to_numpy(bool)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax, ici, e50 = survival_probability_calibration(model.fitter, df, t0=horizon_days, ax=ax)
    return ax, float(ici), float(e50)


def km_group_risk(train: pd.DataFrame, test: pd.DataFrame, group_col: str | None, horizon_days: float, *,
                  duration_col="tenure_days", event_col="churned", tenure_col="tenure_days") -> np.ndarray:
    """Baseline prediction: P(churn within horizon | tenure) from Kaplan–Meier curves by group."""
    from lifelines import KaplanMeierFitter

    def grp(df):
        if not group_col or group_col not in df:
            return np.full(len(df), "all", dtype=object)
        return df[group_col].astype(object).where(df[group_col].notna(), "unknown").astype(str).to_numpy()

    gtr, gte = grp(train), grp(test)
    t = test[tenure_col].to_numpy(float)
    out = np.full(len(test), np.nan)
    overall = KaplanMeierFitter().fit(train[duration_col], train[event_col])
    for g in np.unique(gte):
        m, mt = gte == g, gtr == g
        km = KaplanMeierFitter().fit(train.loc[mt, duration_col], train.loc[mt, event_col]) if mt.sum() else overall
        s = km.survival_function_.iloc[:, 0]
        grid, sv = s.index.to_numpy(float), s.to_numpy(float)

        def S(x, grid=grid, sv=sv):
            return sv[np.clip(np.searchsorted(grid, x, side="right") - 1, 0, None)]

        out[m] = 1 - S(t[m] + horizon_days) / np.clip(S(t[m]), 1e-12, None)
    return out


@dataclass
class Validation:
    """Cross-validated performance (see :func:`validate`)."""

    design: str
    table: pd.DataFrame
    folds: pd.DataFrame
    curves: dict
    predictions: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def design_sample_ids(ids, design_sample: int | None, seed: int = 0) -> pd.Index:
    """The customers :func:`validate` keeps with ``design_sample`` (all of ``ids`` when there are not more)."""
    ids = np.asarray(ids)
    if not design_sample or len(ids) <= design_sample:
        return pd.Index(ids)
    pick = np.random.default_rng(seed).choice(len(ids), design_sample, replace=False)
    return pd.Index(ids[np.sort(pick)])


def validate(data: pd.DataFrame, covariates: Sequence[str], *, horizon_days: float = 365.0,
             group_col: str | None = "segment", k: int = 5, seed: int = 0, test: pd.DataFrame | None = None,
             id_col: str = "customer_id", design_sample: int | None = None,
             **fit_kwargs) -> Validation | ChurnUnavailable:
    """k-fold cross-validated concordance and calibration at the horizon, Cox vs Kaplan–Meier by group.

    Two designs, chosen by ``test``:

    * ``test=None`` (**static**): ``data`` has one row per customer (``tenure_days``, ``churned``, CRM
      covariates known from the start). Each fold fits :func:`fit_cox` on the other folds and predicts
      P(churn by the horizon) from day 0 for the held-out customers.
    * ``test`` given (**landmark back-test**, for the time-varying model): ``data`` is the
      time-varying table of all customers and ``test`` a
      :func:`~cxtemplate.churn.data.landmark_frame` at ``as_of`` − horizon (customers active then,
      covariates as known then, ``duration``/``churned`` by ``as_of``). Each fold fits
      :func:`fit_cox_time_varying` on the *other* customers' histories and predicts, for the held-out
      customers active at the landmark, P(churn within the horizon | tenure then) — exactly how active
      customers are scored today — which is compared with what happened in the next horizon.

    Concordance is Harrell's C of the predicted risk on time since the landmark (day 0 in the static
    design). Calibration: ICI and E50 on the pooled out-of-fold predictions (:func:`calibration_ici`).
    The baseline is Kaplan–Meier by ``group_col`` fitted on the same training folds.

    ``design_sample``: with more customers than this, the whole validation (folds, fits and held-out
    predictions) runs on a random sample of this many customers, said in the notes. The cost of the
    design grows with the customers (k fits plus the calibration spline on every held-out prediction)
    while the precision of a concordance of ~0.6 from tens of thousands of held-out customers is
    already a few thousandths; ``bench/bench_churn_scale.py`` measures what the sample changes.

    Returns
    -------
    Validation or ChurnUnavailable
        ``table``: one row per model (concordance mean, sd, ICI, E50, n, churned); ``folds``: per fold;
        ``curves``: calibration curves; ``predictions``: out-of-fold predictions.
    """
    from lifelines import KaplanMeierFitter

    landmark = test is not None
    fit_kwargs.setdefault("check_ph", False)
    notes_sample = []
    if design_sample and id_col in data:
        all_ids = pd.unique(data[id_col])
        if len(all_ids) > design_sample:
            chosen = design_sample_ids(all_ids, design_sample, seed)
            data = data.loc[chosen.get_indexer(data[id_col]) >= 0].reset_index(drop=True)
            if landmark:
                test = test.loc[chosen.get_indexer(test[id_col]) >= 0].reset_index(drop=True)
            notes_sample.append(f"Validated on a random sample of {design_sample:,} of {len(all_ids):,} customers "
                                f"({k} folds: each model is fitted on about {design_sample - design_sample // k:,} of them "
                                f"and tested on the other {design_sample // k:,}).")
    rows_ev = test.loc[test[id_col].isin(data[id_col])].reset_index(drop=True) if landmark else data
    events = rows_ev["churned"].to_numpy(bool)
    if events.sum() == 0:
        return ChurnUnavailable("No churn events to validate against.", len(rows_ev), 0)
    rng = np.random.default_rng(seed)
    ids = pd.unique(data[id_col])
    fold_of = pd.Series(rng.permutation(len(ids)) % k, index=ids)
    tfold = fold_of.loc[rows_ev[id_col]].to_numpy()
    since = (rows_ev["duration"] - rows_ev["tenure_days"]).to_numpy(float) if landmark else \
        rows_ev["tenure_days"].to_numpy(float)
    tenure0 = rows_ev["tenure_days"].to_numpy(float) if landmark else np.zeros(len(rows_ev))
    if group_col and group_col not in rows_ev:
        notes_pre = notes_sample + [f"'{group_col}' is not in the data: the baseline is one Kaplan–Meier curve for everyone."]
        group_col = None
    else:
        notes_pre = notes_sample
    km_name = f"Kaplan–Meier by {group_col}" if group_col else "Kaplan–Meier (all customers)"
    pred = {"Cox": np.full(len(rows_ev), np.nan), km_name: np.full(len(rows_ev), np.nan)}
    customer = last_rows(data) if landmark else data
    cfold = fold_of.loc[customer[id_col]].to_numpy()
    fold_rows, notes = [], notes_pre
    for f in range(k):
        tr = data.loc[fold_of.loc[data[id_col]].to_numpy() != f]
        te = np.flatnonzero(tfold == f)
        if len(te) == 0 or tr["churned"].sum() == 0:
            continue
        fitter = fit_cox_time_varying if landmark else fit_cox
        model = fitter(tr, list(covariates), **fit_kwargs)
        if not isinstance(model, CoxResult):
            notes.append(f"Fold {f + 1}: {model}")
            continue
        frame = rows_ev.iloc[te].copy()
        frame["_t0"] = tenure0[te]
        pred["Cox"][te] = model.conditional_risk(frame, horizon_days, tenure_col="_t0")
        pred[km_name][te] = km_group_risk(customer.loc[cfold != f], frame, group_col, horizon_days,
                                          tenure_col="_t0")
        for name, p in pred.items():
            fold_rows.append({"model": name, "fold": f + 1, "n": len(te), "churned": int(events[te].sum()),
                              "concordance": concordance(since[te], -p[te], events[te])})
    folds = pd.DataFrame(fold_rows)
    if len(folds) and folds["concordance"].isna().any():
        empty = sorted(folds.loc[folds["concordance"].isna(), "fold"].unique())
        notes.append(f"Fold(s) {', '.join(map(str, empty))}: no pair of held-out customers could be compared (too few "
                     "churns among them), so they are left out of the concordance.")
    table, curves = [], {}
    ok = ~np.isnan(pred["Cox"])
    observed = 1 - float(KaplanMeierFitter().fit(since[ok], events[ok]).survival_function_at_times(
        horizon_days).iloc[0])
    for name, p in pred.items():
        ici, e50, curve = calibration_ici(p[ok], since[ok], events[ok], horizon_days)
        c = folds.loc[folds["model"] == name, "concordance"]
        if "deciles" in curve.attrs.get("method", ""):
            notes.append(f"{name}: calibration by deciles of predicted risk (the smoothing spline did not converge).")
        table.append({"model": name, "design": "landmark back-test" if landmark else "static",
                      "concordance": c.mean(), "concordance_sd": c.std(), "ici": ici, "e50": e50,
                      "mean_predicted": float(np.mean(p[ok])), "observed_by_horizon": observed,
                      "n": int(ok.sum()), "churned": int(events[ok].sum()), "folds": int(c.size)})
        curves[name] = curve
    predictions = pd.DataFrame({id_col: rows_ev[id_col].to_numpy(), "fold": tfold + 1, "time": since,
                                "churned": events, **{f"risk_{n}": p for n, p in pred.items()}})
    if landmark:
        notes.append("Validation back-tests the time-varying model: predictions made at the landmark "
                     f"({test.attrs.get('landmark') or 'as_of − horizon'}) for held-out customers are compared "
                     "with their churn over the following horizon.")
    return Validation("landmark" if landmark else "static", pd.DataFrame(table), folds, curves, predictions, notes)
