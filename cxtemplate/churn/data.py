"""Survival data for churn: durations, events and covariates, without look-ahead.

Three designs, each for one job:

* **Customer level** (:func:`survival_frame`) — one row per customer: tenure in days (``tenure_days``),
  ``churned`` and the CRM covariates known when the customer joined (segment, plan, ...). Used for
  Kaplan–Meier curves, the CRM-only Cox model and, when there are no dates, its validation.
* **Time-varying** (:func:`time_varying_frame`) — (start, stop] intervals of tenure per customer, split
  every time a CX covariate changes: at each survey response (``nps_category`` of the latest response
  so far: promoter / passive / detractor / ``none_yet``; optionally ``ces``, the latest effort score) and,
  optionally, at each unresolved or negative contact and 90 days after it (``unresolved_contacts`` /
  ``negative_contacts``: the count in the trailing 90 days). A covariate takes its new value only from
  the moment it is known, so a churn is never explained by a survey answered after it. This is the
  design the hazard ratios of CX covariates are estimated on (lifelines' ``CoxTimeVaryingFitter``).
* **Landmark** (:func:`landmark_frame`) — one row per customer still active at a landmark date, with
  the covariates *as known at the landmark* and their tenure then. With landmark = ``as_of`` this is
  the table of active customers that gets scored (their current values); with landmark = ``as_of`` −
  horizon it is the back-test on which predictions are validated (outcome = churn in the following
  horizon, known at ``as_of``).

Conventions
-----------
* Time is tenure in days since ``start_date``. ``as_of`` given as a date means "data up to the end of
  that day": active customers are censored at the end of ``as_of`` (midnight after it), responses and
  contacts of that day count, and an ``end_date`` on or before ``as_of`` is a churn. Customers whose
  ``end_date`` falls after ``as_of`` are active then; customers who start after ``as_of`` are left out.
* A zero duration (left on the day they joined) becomes ``min_duration_days`` (half a day): fitters
  need positive durations and the (start, stop] intervals need stop > start.
* **One tenure convention** for the API and the pipeline: tenure given in units (no dates: tenure in
  days, weeks, months or years and a churn flag, e.g. the bank churn file) is taken *as written* —
  *k* months is *k* × 365.25 / 12 days (:func:`tenure_to_days`), exactly what integration stores as
  ``tenure_days`` — so S(12 months) of :func:`survival_frame` on a raw export, of the report and of
  lifelines run by hand on the tenure column agree. No half unit is added (a tenure of *k* whole
  months could mean anything from *k* to *k* + 1, but the report must match the numbers a reader
  computes from the export); zero tenures become ``min_duration_days`` as above.
* CES before a customer's first CES answer is set to the mean CES of all answers (so it adds
  nothing to the log-hazard); the "no answer yet" effect is carried by ``nps_category = none_yet``.
* Columns that hold personal data (names, e-mails, phones, addresses: judged from their values by
  :func:`~cxtemplate.churn.columns.personal_data`, never from their names) are refused as covariates and
  never copied into these tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxtemplate.churn.columns import nps_category, personal_data, personal_note
from cxtemplate.errors import check_choice
from cxtemplate.vocabulary import CX_COVARIATES

DAYS_PER = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
def tenure_to_days(tenure, unit: str = "day", midpoint: bool = False) -> np.ndarray:
    """Convert tenure in ``unit`` to days, as written: *k* months is *k* × 365.25 / 12 days.

    This is the package's one tenure convention, the same as integration's ``tenure_days`` (see the
    module notes), so the API and the report give the same survival at every horizon.

    Parameters
    ----------
    tenure : array_like
        Tenure values (≥ 0).
    unit : {"day", "week", "month", "year"}
    midpoint : bool
        Add half a unit (whole-unit tenure *k* read as the middle of *k* to *k* + 1 units). Off by
        default, and never used by the pipeline; for a sensitivity analysis only.

    Returns
    -------
    numpy.ndarray
        Tenure in days (float).
    """
    unit = check_choice("tenure unit", unit.rstrip("s"), tuple(DAYS_PER))
    t = np.asarray(pd.to_numeric(pd.Series(tenure), errors="coerce"), dtype=float)
    return (t + (0.5 if midpoint else 0.0)) * DAYS_PER[unit]


def censor_time(as_of) -> np.datetime64:
    """The censoring instant of ``as_of``: the end of that day for a plain date, else the instant."""
    ts = pd.Timestamp(as_of)
    return (ts + pd.Timedelta(days=1) if ts == ts.normalize() else ts).to_datetime64()


def usable_covariates(customers: pd.DataFrame, covariates: Sequence[str], notes: list[str],
                      personal: dict[str, str] | None = None) -> list[str]:
    """Covariates present in ``customers`` whose values hold no personal data; the others are noted.

    Personal data is judged from the values (:func:`~cxtemplate.churn.columns.personal_data`), never from the
    name: a 0/1 ``phone_service`` flag is used, a column of phone numbers is not.
    """
    out = []
    for c in dict.fromkeys(covariates):
        if c not in customers.columns:
            notes.append(f"Covariate '{c}' is not in the customer table and was skipped.")
        elif (reason := personal_data(customers[c])) is not None:
            notes.append(personal_note(c, reason))
            if personal is not None:
                personal[c] = reason
        else:
            out.append(c)
    return out


def survival_frame(customers: pd.DataFrame, *, as_of=None, covariates: Sequence[str] = (),
                   keep: Sequence[str] = (), tenure_unit: str = "day", min_duration_days: float = 0.5,
                   id_col: str = "customer_id") -> pd.DataFrame:
    """One row per customer: tenure in days, churn flag and covariates.

    With ``start_date`` (and ``end_date``) and ``as_of``, tenure is recomputed from the dates and
    censored at ``as_of`` (an ``end_date`` after ``as_of`` counts as active; a start after ``as_of``
    drops the customer). Without dates, ``tenure_days`` (or ``tenure`` in ``tenure_unit``) and
    ``churned`` are used as given.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers table.
    as_of : date-like, optional
        Analysis date; the censoring date for active customers.
    covariates : sequence of str
        CRM columns to carry (personal-data columns are refused).
    keep : sequence of str
        Further non-model columns to carry (e.g. ``revenue``); personal data is refused.
    tenure_unit : str
        Unit of a ``tenure`` column when there is no ``tenure_days``. The tenure is taken as written —
        *k* months is *k* × 365.25 / 12 days, no half unit added (:func:`tenure_to_days`) — exactly as
        integration computes ``tenure_days``, so this function on a raw export and the report agree
        (S(12 months) included) with lifelines run on the tenure column itself.
    min_duration_days : float
        Durations below this (zero) are raised to it.
    id_col : str

    Returns
    -------
    DataFrame
        ``customer_id``, ``tenure_days`` (float > 0), ``churned`` (bool), ``start_date`` when known,
        the covariates and kept columns; ``attrs["notes"]`` lists what was dropped or changed,
        ``attrs["covariates"]`` the covariates carried and ``attrs["personal"]`` those refused as personal
        data (column → what it holds).
    """
    notes: list[str] = []
    personal: dict[str, str] = {}
    cov = usable_covariates(customers, covariates, notes, personal)
    extra = [c for c in dict.fromkeys(keep) if c in customers.columns and c not in cov
             and personal_data(customers[c]) is None]
    out = pd.DataFrame({"customer_id": customers[id_col].astype(str).to_numpy()})
    has_dates = "start_date" in customers.columns and customers["start_date"].notna().any()
    if has_dates and as_of is not None:
        cut = censor_time(as_of)
        start = pd.to_datetime(customers["start_date"]).to_numpy()
        end = pd.to_datetime(customers["end_date"]).to_numpy() if "end_date" in customers else \
            np.full(len(customers), np.datetime64("NaT"), dtype="datetime64[ns]")
        churned = ~pd.isna(end) & (end < cut)
        stop = np.where(churned, end, cut)
        out["tenure_days"] = (stop - start) / np.timedelta64(1, "D")
        out["churned"] = churned
        out["start_date"] = start
        valid = ~pd.isna(start) & (start < cut)
    else:
        if "tenure_days" in customers.columns:
            t = pd.to_numeric(customers["tenure_days"], errors="coerce").to_numpy(float)
        elif "tenure" in customers.columns:
            t = tenure_to_days(customers["tenure"], tenure_unit)
            unit = tenure_unit.rstrip("s")
            if unit != "day":
                notes.append(f"Tenure given in {unit}s was converted to days as written (1 {unit} = "
                             f"{DAYS_PER[unit]:g} days).")
        else:
            raise ValueError("customers need start_date (with as_of) or tenure_days / tenure, and churned")
        out["tenure_days"] = t
        out["churned"] = customers["churned"].astype("boolean").fillna(False).to_numpy(bool)
        if has_dates:
            out["start_date"] = pd.to_datetime(customers["start_date"]).to_numpy()
        valid = ~np.isnan(t)
    for c in cov + extra:
        out[c] = customers[c].to_numpy()
    if (~valid).any():
        notes.append(f"{int((~valid).sum()):,} customers without a usable start/tenure "
                     "(or starting after the analysis date) were left out.")
    out = out.loc[valid].reset_index(drop=True)
    neg = out["tenure_days"] < 0
    if neg.any():
        notes.append(f"{int(neg.sum()):,} customers with end before start were left out.")
        out = out.loc[~neg].reset_index(drop=True)
    small = out["tenure_days"] < min_duration_days
    if small.any():
        notes.append(f"{int(small.sum()):,} zero tenures were set to {min_duration_days:g} days.")
        out.loc[small, "tenure_days"] = min_duration_days
    out.attrs["notes"] = notes
    out.attrs["covariates"] = cov
    out.attrs["personal"] = personal
    return out


@dataclass(frozen=True)
class CXOptions:
    """Which CX covariates the time-varying design carries.

    Attributes
    ----------
    covariates : tuple of str
        Any of ``nps_category``, ``ces``, ``unresolved_contacts``, ``negative_contacts``.
    window_days : float
        Trailing window for the contact counts.
    negative_below : float
        A contact is negative when its sentiment is below this (sentiment −1…1).
    """

    covariates: tuple[str, ...] = ("nps_category",)
    window_days: float = 90.0
    negative_below: float = -0.05

    def __post_init__(self):
        bad = set(self.covariates) - set(CX_COVARIATES)
        if bad:
            raise ValueError(f"unknown CX covariates {sorted(bad)}; use {CX_COVARIATES}")


def _event_times(table: pd.DataFrame, when: str, idx: pd.Series, base: pd.DataFrame,
                 as_of, notes: list[str], label: str) -> pd.DataFrame:
    """Rows of ``table`` mapped to (customer row, tenure day); drops those unknown at exit/as_of.

    Reads only the id and date columns (never copies the table). The result's index holds the
    positions of the rows in ``table``.
    """
    cid = table["customer_id"]
    if cid.dtype == object and pd.api.types.infer_dtype(cid, skipna=True) == "string":
        # text ids, some perhaps missing: a missing id matches no customer, so no separate test is needed
        pos = np.arange(len(cid))
        row = idx.index.get_indexer(cid.to_numpy())
    else:
        pos = np.flatnonzero(cid.notna().to_numpy())
        row = idx.index.get_indexer(cid.iloc[pos].astype(str).to_numpy())
    known = row >= 0
    pos, row = pos[known], row[known].astype(np.int64)
    col = table[when]
    at = (col.to_numpy() if pd.api.types.is_datetime64_dtype(col.dtype) else pd.to_datetime(col).to_numpy())[pos]
    day = (at - base["start_date"].to_numpy()[row]) / np.timedelta64(1, "D")
    stop = base["tenure_days"].to_numpy()[row]
    ok = ~np.isnan(day) & (day < stop)
    if as_of is not None:
        ok &= at < censor_time(as_of)
    if (~ok).sum():
        notes.append(f"{int((~ok).sum()):,} {label} dated on or after the customer's exit (or the "
                     "analysis date) were not used: they were not known before it.")
    before = ok & (day < 0)
    if before.any():
        notes.append(f"{int(before.sum()):,} {label} dated before the customer's start count from day 0.")
    return pd.DataFrame({"row": row[ok], "t": np.clip(day[ok], 0, None),
                         "order": np.arange(len(row))[ok]}, index=pos[ok])


def _segment_ffill(vals: np.ndarray, seg_start: np.ndarray) -> np.ndarray:
    """Forward-fill NaNs within segments (``seg_start[i]`` = first position of i's segment)."""
    n = len(vals)
    last = np.where(~np.isnan(vals), np.arange(n), -1)
    np.maximum.accumulate(last, out=last)
    ok = last >= seg_start
    return np.where(ok, vals[np.where(ok, last, 0)], np.nan)


def _segment_cumsum(vals: np.ndarray, seg_start: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each segment (exact for the integer-valued counts used here)."""
    cs = np.cumsum(vals)
    return cs - (cs[seg_start] - vals[seg_start])


def time_varying_frame(customers: pd.DataFrame, responses: pd.DataFrame | None = None,
                       interactions: pd.DataFrame | None = None, *, as_of=None,
                       covariates: Sequence[str] = (), keep: Sequence[str] = (),
                       cx: CXOptions | None = None, tenure_unit: str = "day",
                       min_duration_days: float = 0.5) -> pd.DataFrame:
    """(start, stop] intervals of tenure per customer, split where a CX covariate changes.

    Vectorised (sorts, searches and segment-wise fills, no per-customer loop or group-by). A response or
    contact changes the covariate for the interval that *starts* at its time, so an exit at that same
    moment is still described by the earlier value — no look-ahead. Responses and contacts after a
    customer's exit or after ``as_of`` are ignored (and counted in the notes). Without ``start_date``
    (tenure-only sources) or without responses/interactions, each customer has one interval and only
    CRM covariates.

    Parameters
    ----------
    customers, responses, interactions : DataFrame
        Canonical tables (responses: ``customer_id``, ``responded_at``, ``nps``, ``ces``;
        interactions: ``customer_id``, ``started_at``, ``resolved``, ``sentiment``).
    as_of : date-like, optional
    covariates, keep, tenure_unit, min_duration_days
        See :func:`survival_frame`.
    cx : CXOptions, optional
        CX covariates to build (default: ``nps_category`` only).

    Returns
    -------
    DataFrame
        ``customer_id``, ``start``, ``stop`` (tenure days), ``churned`` (event at ``stop``), the CRM
        covariates and kept columns, and the CX covariates built; ``attrs["notes"]``,
        ``attrs["cx_covariates"]`` (those actually built) and ``attrs["covariates"]``.
    """
    cx = cx or CXOptions()
    responses = None if responses is None else responses.reset_index(drop=True)
    interactions = None if interactions is None else interactions.reset_index(drop=True)
    base = survival_frame(customers, as_of=as_of, covariates=covariates, keep=keep,
                          tenure_unit=tenure_unit, min_duration_days=min_duration_days)
    notes = list(base.attrs["notes"])
    cov = base.attrs["covariates"]
    n = len(base)
    idx = pd.Series(np.arange(n), index=base["customer_id"])
    dated = "start_date" in base.columns
    built: list[str] = []
    changes = []  # (var, row, t, val, order)
    want_resp = [c for c in cx.covariates if c in ("nps_category", "ces")]
    want_int = [c for c in cx.covariates if c in ("unresolved_contacts", "negative_contacts")]
    if (want_resp or want_int) and not dated:
        notes.append("Customer start dates are unknown, so CX covariates cannot be placed in time; "
                     "the model uses CRM covariates only.")
        want_resp, want_int = [], []
    if want_resp and (responses is None or len(responses) == 0):
        notes.append("No survey responses: the model uses CRM covariates only.")
        want_resp = []
    if want_resp:
        ev = _event_times(responses, "responded_at", idx, base, as_of, notes, "survey responses")
        pos = ev.index.to_numpy()
        for var, src in (("nps_category", "nps"), ("ces", "ces")):
            if var not in want_resp:
                continue
            values = responses[src] if src in responses.columns else None
            if values is None or values.iloc[pos].notna().sum() == 0:
                notes.append(f"No '{var}' answers: not used.")
                continue
            v = pd.to_numeric(values, errors="coerce").to_numpy(float)[pos]
            ok = ~np.isnan(v)
            changes.append((var, ev["row"].to_numpy()[ok], ev["t"].to_numpy()[ok], v[ok], ev["order"].to_numpy()[ok]))
            built.append(var)
    if want_int and (interactions is None or len(interactions) == 0):
        notes.append("No interactions: contact covariates are not used.")
        want_int = []
    if want_int:
        ev = _event_times(interactions, "started_at", idx, base, as_of, notes, "interactions")
        pos = ev.index.to_numpy()
        stop = base["tenure_days"].to_numpy()
        for var in want_int:
            if var == "unresolved_contacts":
                flag = interactions["resolved"].astype("boolean").eq(False).fillna(False).to_numpy(bool)[pos] \
                    if "resolved" in interactions else None
            else:
                flag = (pd.to_numeric(interactions["sentiment"], errors="coerce") < cx.negative_below).to_numpy(bool)[pos] \
                    if "sentiment" in interactions else None
            if flag is None or not flag.any():
                notes.append(f"No data for '{var}': not used.")
                continue
            row, t0 = ev["row"].to_numpy()[flag], ev["t"].to_numpy()[flag]
            t1 = t0 + cx.window_days
            off = t1 < stop[row]
            changes.append((var, np.r_[row, row[off]], np.r_[t0, t1[off]],
                            np.r_[np.ones(len(row)), -np.ones(int(off.sum()))], np.zeros(len(row) + int(off.sum()))))
            built.append(var)
    # cut points: 0 plus every change time, per customer, sorted by (customer row, time), distinct;
    # the sort also gives each change its exact position among the cuts
    sizes = [n] + [len(c[1]) for c in changes]
    offsets = np.r_[0, np.cumsum(sizes)]
    all_row = np.concatenate([np.arange(n, dtype=np.int64)] + [c[1].astype(np.int64) for c in changes])
    all_t = np.concatenate([np.zeros(n)] + [c[2].astype(float) for c in changes])
    o = np.lexsort((all_t, all_row))
    s_row, s_t = all_row[o], all_t[o]
    first = np.r_[True, (s_row[1:] != s_row[:-1]) | (s_t[1:] != s_t[:-1])] if len(o) else np.zeros(0, bool)
    rows, cut_t = s_row[first], s_t[first]
    cut_of = np.empty(len(o), np.int64)
    cut_of[o] = np.cumsum(first) - 1
    del all_row, all_t, s_row, s_t, o, first
    m = len(rows)
    seg_first = np.r_[True, rows[1:] != rows[:-1]] if m else np.zeros(0, bool)
    seg_start = np.maximum.accumulate(np.where(seg_first, np.arange(m), 0)) if m else np.zeros(0, np.int64)
    cov_vals: dict[str, np.ndarray] = {}
    for i, (var, c_row, c_t, c_val, c_order) in enumerate(changes):
        at = cut_of[offsets[i + 1]:offsets[i + 2]]
        if var in ("nps_category", "ces"):
            # several answers at the same moment: the last one (in table order) counts
            oo = np.lexsort((c_order, at))
            at_s, val_s = at[oo], c_val[oo]
            last_of = np.r_[at_s[1:] != at_s[:-1], True] if len(at_s) else np.zeros(0, bool)
            vals = np.full(m, np.nan)
            vals[at_s[last_of]] = val_s[last_of]
            vals = _segment_ffill(vals, seg_start)
            if var == "nps_category":
                cat = nps_category(vals)
                cat[pd.isna(cat)] = "none_yet"
                cov_vals[var] = cat
            else:
                fill = float(val_s[last_of].mean())
                cov_vals[var] = np.where(np.isnan(vals), fill, vals)
        else:
            vals = np.bincount(at, weights=c_val, minlength=m).astype(float)
            cov_vals[var] = np.clip(_segment_cumsum(vals, seg_start), 0, None)
    last = np.r_[rows[1:] != rows[:-1], True] if m else np.zeros(0, bool)
    stop_t = np.r_[cut_t[1:], 0.0] if m else np.zeros(0)
    stop_t[last] = base["tenure_days"].to_numpy()[rows[last]]
    keep_rows = stop_t > cut_t
    r_k = rows[keep_rows]
    cols = {"customer_id": base["customer_id"].to_numpy()[r_k], "start": cut_t[keep_rows],
            "stop": stop_t[keep_rows], "churned": base["churned"].to_numpy()[r_k] & last[keep_rows]}
    for c in [c for c in base.columns if c not in ("customer_id", "tenure_days", "churned")]:
        cols[c] = base[c].to_numpy()[r_k]
    for var in built:
        cols[var] = cov_vals[var][keep_rows]
    tv = pd.DataFrame(cols)
    tv.attrs.update(notes=notes, covariates=cov, cx_covariates=built)
    return tv


def last_rows(tv: pd.DataFrame) -> pd.DataFrame:
    """The last interval of each customer: covariates as last known, ``tenure_days`` = its ``stop``.

    For descriptive splits (e.g. Kaplan–Meier by the NPS category of the last response). Do not use
    these values to *predict* the same customers' churn: for churned customers they were measured
    during the follow-up, which mixes cause and survival (immortal-time bias).
    """
    last = tv.drop_duplicates("customer_id", keep="last").reset_index(drop=True)
    last = last.rename(columns={"stop": "tenure_days"}).drop(columns=["start"])
    last.attrs = dict(tv.attrs)
    return last


def landmark_frame(customers: pd.DataFrame, responses: pd.DataFrame | None = None,
                   interactions: pd.DataFrame | None = None, *, landmark=None, as_of=None,
                   covariates: Sequence[str] = (), keep: Sequence[str] = (), cx: CXOptions | None = None,
                   tenure_unit: str = "day", min_duration_days: float = 0.5,
                   tv: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customers active at ``landmark`` with covariates as known then (the scoring design).

    ``landmark`` defaults to ``as_of``: the active customers with their *current* values, to be
    scored. With ``landmark < as_of`` the rows also carry what happened next (``duration`` =
    tenure at exit or at ``as_of``, ``churned``), for back-testing predictions made at the landmark.

    Parameters
    ----------
    customers, responses, interactions, covariates, keep, cx, tenure_unit, min_duration_days
        See :func:`time_varying_frame`.
    landmark, as_of : date-like, optional
        Both ``None`` for tenure-only sources (the active customers as given).
    tv : DataFrame, optional
        :func:`time_varying_frame` of the same tables and arguments with ``as_of=landmark``, when it
        is already built (the model's own frame when ``landmark`` is ``as_of``): reused, not rebuilt.

    Returns
    -------
    DataFrame
        ``customer_id``, ``tenure_days`` (tenure at the landmark), CRM and CX covariates, kept
        columns; plus ``duration`` and ``churned`` when ``landmark < as_of``.
    """
    landmark = as_of if landmark is None else landmark
    if tv is None:
        tv = time_varying_frame(customers, responses, interactions, as_of=landmark, covariates=covariates,
                                keep=keep, cx=cx, tenure_unit=tenure_unit, min_duration_days=min_duration_days)
    last = last_rows(tv)
    active = last.loc[~last["churned"]].drop(columns=["churned"]).reset_index(drop=True)
    if as_of is not None and landmark is not None and pd.Timestamp(landmark) < pd.Timestamp(as_of):
        later = survival_frame(customers, as_of=as_of, tenure_unit=tenure_unit,
                               min_duration_days=min_duration_days)
        later = later.set_index("customer_id").loc[active["customer_id"]]
        active["duration"] = later["tenure_days"].to_numpy()
        active["churned"] = later["churned"].to_numpy()
    active.attrs = dict(tv.attrs)
    active.attrs["landmark"] = None if landmark is None else str(pd.Timestamp(landmark).date())
    return active
