"""Scoring active customers: conditional churn risk, revenue at risk, reason codes, counterfactuals.

The model (a :class:`~cxtemplate.churn.results.CoxResult`, usually the time-varying fit) is applied to the
**landmark** table at ``as_of`` (:func:`~cxtemplate.churn.data.landmark_frame`): active customers,
their tenure today and their covariates as known today. Their risk of leaving within the horizon,
given that they are still here, is

    P(churn ≤ t + h | alive at t, x) = 1 − S(t + h | x) / S(t | x) = 1 − exp(−[H0(t + h) − H0(t)] · e^{x'β})

in closed form from the interpolated baseline cumulative hazard — vectorised, about 15× faster than
``predict_survival_function``. Covariates are held at today's values over the horizon.

Money: annual revenue = revenue per period × ``revenue_periods_per_year``; **revenue at risk** =
Σ annual revenue × probability (the yearly revenue expected to walk out within the horizon).
Outputs carry customer ids and model covariates only — never names, e-mails or phone numbers.

Validation (cross-validated concordance and calibration at the horizon) lives in
:mod:`cxtemplate.churn.validation`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.churn.columns import personal_data
from cxtemplate.churn.km_cox import fit_cox, fit_cox_time_varying
from cxtemplate.churn.results import ChurnUnavailable, CoxResult
from cxtemplate.errors import check_choice

RISK_BANDS = (0.0, 0.10, 0.25, 0.50, 1.0)


def conditional_churn_probability(model: CoxResult, frame: pd.DataFrame, horizon_days: float = 365.0,
                                  tenure_col: str = "tenure_days") -> np.ndarray:
    """P(churn within ``horizon_days`` | still a customer at ``tenure_col``), one per row.

    See :meth:`cxtemplate.churn.results.CoxResult.conditional_risk`.
    """
    return model.conditional_risk(frame, horizon_days, tenure_col=tenure_col)


def annual_revenue(frame: pd.DataFrame, revenue_col: str = "revenue",
                   revenue_periods_per_year: float = 12.0) -> np.ndarray:
    """Revenue per period × periods per year (0 where revenue is missing or absent)."""
    if revenue_col not in frame:
        return np.zeros(len(frame))
    r = pd.to_numeric(frame[revenue_col], errors="coerce").fillna(0.0).to_numpy(float)
    return r * float(revenue_periods_per_year)


def score_customers(model: CoxResult | ChurnUnavailable, current: pd.DataFrame, horizon_days: float = 365.0, *,
                    revenue_col: str = "revenue", revenue_periods_per_year: float = 12.0,
                    id_col: str = "customer_id", keep: Sequence[str] = ("segment", "location", "plan"),
                    tenure_col: str = "tenure_days") -> pd.DataFrame | ChurnUnavailable:
    """Churn probability and revenue at risk for each active customer.

    Parameters
    ----------
    model : CoxResult or ChurnUnavailable
    current : DataFrame
        Active customers with current covariates (landmark table at ``as_of``).
    horizon_days : float
    revenue_col, revenue_periods_per_year
        Revenue per period and how many periods make a year (12 for monthly revenue).
    id_col : str
    keep : sequence of str
        Descriptive columns to carry (personal-data columns are never carried).
    tenure_col : str

    Returns
    -------
    DataFrame or ChurnUnavailable
        ``customer_id``, ``tenure_days``, kept columns, ``churn_probability``, ``annual_revenue`` and
        ``revenue_at_risk`` (only when ``current`` has the revenue column), ``log_hazard`` (x'β) and
        ``beyond_follow_up`` (tenure + horizon exceeds the longest tenure observed: the baseline is flat
        there, so the risk is understated).
    """
    if not isinstance(model, CoxResult):
        return model
    p = conditional_churn_probability(model, current, horizon_days, tenure_col)
    out = pd.DataFrame({id_col: current[id_col].to_numpy(), "tenure_days": current[tenure_col].to_numpy(float)})
    for c in keep:
        if c in current and c not in out and personal_data(current[c]) is None:
            out[c] = current[c].to_numpy()
    last = max(g[-1] for g, _ in model.baseline.values())
    out["churn_probability"] = p
    if revenue_col in current:  # no revenue mapped: no revenue columns at all (a £0 column would claim a value)
        rev = annual_revenue(current, revenue_col, revenue_periods_per_year)
        out["annual_revenue"] = rev
        out["revenue_at_risk"] = rev * p
    out["log_hazard"] = model.linear_predictor(current)
    out["beyond_follow_up"] = out["tenure_days"].to_numpy() + horizon_days > last
    out.attrs["horizon_days"] = horizon_days
    out.attrs["notes"] = []
    if out["beyond_follow_up"].any():
        out.attrs["notes"].append(f"{int(out['beyond_follow_up'].sum()):,} customers are so long-standing that the "
                                  "horizon reaches past the longest tenure observed; their risk is understated.")
    return out


def revenue_at_risk(scores: pd.DataFrame, by: Sequence[str] = ("segment", "location")) -> pd.DataFrame:
    """Revenue at risk by each grouping column (long table with a ``total`` row first).

    Returns
    -------
    DataFrame
        ``dimension``, ``group``, ``customers``, ``expected_churners`` (Σ probabilities),
        ``mean_probability``, ``annual_revenue``, ``revenue_at_risk``, ``share_of_revenue_at_risk``.
    """
    total = scores["revenue_at_risk"].sum()
    parts = []
    for dim in ["total", *[c for c in by if c in scores]]:
        key = scores[dim] if dim != "total" else pd.Series("all", index=scores.index)
        d = scores.groupby(key.rename("group"), observed=True, dropna=False).agg(
            customers=("churn_probability", "size"), expected_churners=("churn_probability", "sum"),
            annual_revenue=("annual_revenue", "sum"), revenue_at_risk=("revenue_at_risk", "sum"))
        parts.append(d.reset_index().sort_values("revenue_at_risk", ascending=False).assign(dimension=dim))
    out = pd.concat(parts, ignore_index=True)
    out = out[["dimension", *[c for c in out.columns if c != "dimension"]]]
    out["group"] = out["group"].astype(str)
    out["mean_probability"] = out["expected_churners"] / out["customers"]
    out["share_of_revenue_at_risk"] = out["revenue_at_risk"] / total if total > 0 else np.nan
    return out


def _band_labels(edges, fmt) -> list[str]:
    return [f"{fmt(a)}–{fmt(b)}" for a, b in itertools.pairwise(edges)]


def risk_value_matrix(scores: pd.DataFrame, risk_bands: Sequence[float] = RISK_BANDS,
                      value_bands: int | Sequence[float] = 3) -> pd.DataFrame:
    """Customers and revenue by churn-risk band × value band.

    Parameters
    ----------
    scores : DataFrame
        From :func:`score_customers`.
    risk_bands : sequence of float
        Probability edges (default 0–10%, 10–25%, 25–50%, 50–100%).
    value_bands : int or sequence of float
        Number of equal-count bands of annual revenue (default tertiles: low / medium / high), or
        explicit revenue edges.

    Returns
    -------
    DataFrame
        Long table: ``risk_band``, ``value_band``, ``customers``, ``annual_revenue``,
        ``revenue_at_risk`` (every combination present, zeros included); ``attrs["value_edges"]``.
    """
    rb = pd.cut(scores["churn_probability"], list(risk_bands), include_lowest=True,
                labels=_band_labels(risk_bands, lambda x: f"{x:.0%}"))
    rev = scores["annual_revenue"]
    if isinstance(value_bands, int):
        edges = np.unique(np.quantile(rev, np.linspace(0, 1, value_bands + 1)))
        names = {3: ["low", "medium", "high"], 2: ["low", "high"]}.get(len(edges) - 1)
    else:
        edges = np.asarray(value_bands, float)
        names = None
    if len(edges) < 2:
        edges = np.array([rev.min(), rev.max() + 1e-9])
    labels = names or _band_labels(edges, lambda x: f"{x:,.0f}")
    vb = pd.cut(rev, edges, include_lowest=True, labels=labels, duplicates="drop")
    out = (scores.assign(risk_band=rb, value_band=vb)
           .groupby(["risk_band", "value_band"], observed=False)
           .agg(customers=("churn_probability", "size"), annual_revenue=("annual_revenue", "sum"),
                revenue_at_risk=("revenue_at_risk", "sum")).reset_index())
    out.attrs["value_edges"] = [float(e) for e in edges]
    return out


# --------------------------------------------------------------------------- reason codes

_PHRASE = {
    ("nps_category", "detractor"): "detractor at last survey",
    ("nps_category", "passive"): "passive at last survey",
    ("nps_category", "none_yet"): "no survey answer yet",
    ("nps_category", "promoter"): "promoter at last survey",
}
_NUMERIC_PHRASE = {"unresolved_contacts": ("unresolved contact", "in the last 90 days"),
                   "negative_contacts": ("contact that ended badly", "contacts that ended badly", "in the last 90 days")}
NO_STANDOUT = "no single factor stands out: the risk is that of any customer at this point of their tenure"
"""The reason given when no covariate raises a customer's risk by ``min_hr`` or more (never an empty reason)."""


def level_phrase(column: str, level: str, labels: dict | None = None) -> str:
    """A customer's level of a categorical covariate in words: "detractor at last survey", "Small business segment",
    "Monthly contract", "internet service: Fiber optic"."""
    from cxtemplate.report.labels import display_label, display_level

    if (column, level) in _PHRASE:
        return _PHRASE[(column, level)]
    shown, name = display_level(column, level, labels), display_label(column, labels)
    if " " not in name.strip():
        return f"{shown} {name.lower()}"
    return f"{name.lower()}: {shown}"


def count_phrase(column: str, value: float, labels: dict | None = None) -> str:
    """A customer's value of a numeric covariate in words: "2 unresolved contacts in the last 90 days"."""
    from cxtemplate.report.grammar import plural
    from cxtemplate.report.labels import display_label

    if column in _NUMERIC_PHRASE:
        *words, when = _NUMERIC_PHRASE[column]
        return f"{plural(round(value), *words)} {when}"
    if column == "ces":
        return f"effort score {value:.0f} at last survey"
    from cxtemplate.report.display import fmt_amount

    return f"{display_label(column, labels).lower()} {fmt_amount(value)}"


def _contributions(model: CoxResult, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-covariate log-hazard contribution vs the reference/average customer, and the design."""
    d = model.design
    X = d.matrix(frame)[model.params.index]
    C = X.to_numpy(float) * model.params.to_numpy(float)
    terms = list(model.params.index)
    for c in d.numeric:
        if c in terms and not d.standardise:
            j = terms.index(c)
            C[:, j] = model.params[c] * (X[c].to_numpy(float) - d.centre[c])
    cov = [d.term(t)[0] for t in terms]
    names = list(dict.fromkeys(cov))
    S = np.zeros((len(terms), len(names)))
    S[np.arange(len(terms)), [names.index(c) for c in cov]] = 1.0
    return pd.DataFrame(C @ S, columns=names, index=frame.index), X


def reason_codes(model: CoxResult, frame: pd.DataFrame, top: int = 3, id_col: str = "customer_id",
                 min_hr: float = 1.05, labels: dict | None = None) -> pd.DataFrame:
    """Why each customer's risk is high: the covariates raising their log-hazard most, in plain words.

    Each covariate's contribution is compared with the reference customer for categorical covariates
    (the reference level, e.g. promoters) and with the average customer for numeric ones; only
    contributions with a hazard ratio of at least ``min_hr`` are named, e.g.
    ``"detractor at last survey (leaves 2.0× as fast as a promoter)"`` or
    ``"3 unresolved contacts in the last 90 days (1.6× the average customer's rate)"``. Strata carry no hazard
    ratio and never appear. A customer with no such covariate gets :data:`NO_STANDOUT`: a reason is never empty.

    Parameters
    ----------
    model : CoxResult
    frame : DataFrame
        Customers with the model's covariates.
    top : int
        How many reasons at most.
    id_col : str
    min_hr : float
        The smallest hazard ratio worth naming.
    labels : dict, optional
        The params' display labels (``cfg.display_labels``).

    Returns
    -------
    DataFrame
        ``customer_id``, ``reason_1`` … ``reason_{top}`` (empty string when none) and ``reasons``
        (joined with "; ", never empty).
    """
    from cxtemplate.report.labels import display_level

    C, _ = _contributions(model, frame)
    cols = np.array(C.columns)
    vals = C.to_numpy(float)
    order = np.argsort(-vals, axis=1)[:, :top]
    d = model.design
    out = pd.DataFrame({id_col: frame[id_col].to_numpy()})
    raw = {c: frame[c].astype(object).where(frame[c].notna(), "unknown").astype(str).to_numpy()
           for c in d.categorical}
    for k in range(top):
        j = order[:, k] if vals.shape[1] > k else np.zeros(len(frame), int)
        v = vals[np.arange(len(vals)), j] if vals.shape[1] > k else np.zeros(len(frame))
        hr = np.exp(v)
        text = np.full(len(frame), "", dtype=object)
        for ci, c in enumerate(cols):
            m = (j == ci) & (hr >= min_hr)
            if not m.any():
                continue
            if c in d.categorical:
                ref = d.categorical[c][1]
                lv = raw[c][m]
                if c in d.pooled:
                    lv = np.where(np.isin(lv, d.pooled[c][0]), d.pooled[c][1], lv)
                phrase = {x: level_phrase(c, x, labels) for x in pd.unique(lv)}
                than = (f"a {display_level(c, ref, labels)}" if c == "nps_category" else
                        level_phrase(c, ref, labels) + " customers")
                text[m] = [f"{phrase[x]} (leaves {h:.1f}× as fast as {than})" for x, h in zip(lv, hr[m])]
            else:
                x = pd.to_numeric(frame[c], errors="coerce").to_numpy(float)[m]
                text[m] = [f"{count_phrase(c, a, labels)} ({h:.1f}× the average customer's rate)"
                           for a, h in zip(x, hr[m])]
        out[f"reason_{k + 1}"] = text
    rc = [f"reason_{k + 1}" for k in range(top)]
    joined = out[rc].apply(lambda r: "; ".join(x for x in r if x), axis=1) if len(out) else pd.Series([], dtype=object)
    if len(out):
        joined = joined.where(joined.str.len() > 0, _against_lowest(model, C, raw, labels, min_hr))
        out["reasons"] = joined.where(joined.str.len() > 0, NO_STANDOUT).to_numpy()
    else:
        out["reasons"] = []
    return out


def _against_lowest(model: CoxResult, C: pd.DataFrame, raw: dict, labels, min_hr: float) -> np.ndarray:
    """For customers at the reference level of every covariate that raises risk: the level of theirs that raises it
    most against the covariate's lowest-risk level ("monthly contract (leaves 1.8× as fast as annual contract
    customers)" when monthly is the reference), or "" when none does by ``min_hr``."""
    d = model.design
    best = np.zeros(len(C))
    text = np.full(len(C), "", dtype=object)
    for c in d.categorical:
        if c not in C.columns:
            continue
        levels, ref = d.categorical[c]
        coef = {lv: float(model.params.get(f"{c}[{lv}]", 0.0)) for lv in levels if f"{c}[{lv}]" in model.params}
        coef[ref] = 0.0
        low = min(coef, key=coef.get)
        rel = C[c].to_numpy(float) - coef[low]
        lv = raw[c]
        m = (rel > best) & (np.exp(rel) >= min_hr) & (lv != low)
        if m.any():
            best[m] = rel[m]
            than = level_phrase(c, low, labels) + ("" if c == "nps_category" else " customers")
            text[m] = [f"{level_phrase(c, x, labels)} (leaves {np.exp(r):.1f}× as fast as {than})"
                       for x, r in zip(lv[m], rel[m])]
    return text


def top_at_risk(scores: pd.DataFrame, model: CoxResult, current: pd.DataFrame, n: int = 50, *,
                rank_by: str = "revenue_at_risk", id_col: str = "customer_id", top_reasons: int = 3,
                labels: dict | None = None) -> pd.DataFrame:
    """The customers with most revenue at risk, with reason codes — for account managers.

    Returns
    -------
    DataFrame
        Ranked rows: ``rank``, ``customer_id``, descriptive columns from ``scores``, ``churn_probability``,
        ``annual_revenue`` and ``revenue_at_risk`` (when scored with revenue), ``reason_1`` … and ``reasons``.
        Ids only: no names, e-mails or phone numbers (:func:`score_customers` never carries them).
    """
    best = scores.nlargest(n, rank_by)
    cur = current.set_index(id_col).loc[best[id_col]].reset_index()
    rc = reason_codes(model, cur, top=top_reasons, id_col=id_col, labels=labels)
    out = best.reset_index(drop=True).drop(columns=["log_hazard", *rc.columns.drop(id_col)], errors="ignore")
    out = out.merge(rc, on=id_col, how="left")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


# --------------------------------------------------------------------------- counterfactual


@dataclass
class Counterfactual:
    """Revenue kept if one covariate level became another (see :func:`counterfactual`)."""

    column: str
    from_level: str
    to_level: str
    customers_affected: int
    churners_expected: float
    churners_counterfactual: float
    churners_avoided: float
    revenue_retained: float
    revenue_low: float
    revenue_high: float
    method: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    conf: float = 0.95
    """Confidence level of ``revenue_low`` – ``revenue_high``."""

    @property
    def text(self) -> str:
        """One plain-language sentence for the report."""
        return (f"If the {self.customers_affected:,} current {self.from_level}s were {self.to_level}s instead, "
                f"about {self.churners_avoided:,.0f} fewer would leave within the horizon, keeping "
                f"{self.revenue_retained:,.0f} of annual revenue ({100 * self.conf:g}% interval "
                f"{self.revenue_low:,.0f} to {self.revenue_high:,.0f}; {self.method}).")


def _delta(model, cur, cf, lp_b, lp_cf, horizon_days, rev, tenure_col):
    p0 = model.conditional_risk(cur, horizon_days, tenure_col, lp=lp_b)
    p1 = model.conditional_risk(cf, horizon_days, tenure_col, lp=lp_cf)
    return p0, p1, float((rev * (p0 - p1)).sum())


def _parametric_draws(model, cur, Xb, Xc, horizon_days, rev, tenure_col, n_boot, rng, chunk=100):
    """Retained revenue under β drawn from N(β̂, V), vectorised over draws (baseline held fixed)."""
    beta = model.params.to_numpy(float)
    t = cur[tenure_col].to_numpy(float)
    keys = model.stratum_keys(cur)
    dh = model.cumulative_hazard(t + horizon_days, keys) - model.cumulative_hazard(t, keys)
    B = rng.multivariate_normal(beta, np.asarray(model.variance, float), size=n_boot, method="cholesky")
    out = []
    for b in np.array_split(B, max(1, n_boot // chunk)):
        p0 = 1 - np.exp(-dh[:, None] * np.exp(Xb @ b.T))
        p1 = 1 - np.exp(-dh[:, None] * np.exp(Xc @ b.T))
        out.append(rev @ (p0 - p1))
    return np.concatenate(out)


def counterfactual(model: CoxResult, current: pd.DataFrame, horizon_days: float = 365.0, *,
                   column: str = "nps_category", from_level: str = "detractor", to_level: str = "passive",
                   revenue_col: str = "revenue", revenue_periods_per_year: float = 12.0, method: str = "parametric",
                   n_boot: int = 1000, refit_data: pd.DataFrame | None = None, subsample: int | None = None,
                   seed: int = 0, conf: float = 0.95, tenure_col: str = "tenure_days",
                   by: str | None = "segment") -> Counterfactual | ChurnUnavailable:
    """Annual revenue retained over the horizon if ``from_level`` customers moved to ``to_level``.

    Risks are recomputed for the affected active customers with ``column`` set to ``to_level`` (all
    else, including tenure, unchanged); retained revenue = Σ annual revenue × (p_now − p_counterfactual).

    Interval (at confidence level ``conf``, from the quantiles of the draws; ``method``):

    * ``"parametric"`` (default, fast): ``n_boot`` draws of β from N(β̂, Var(β̂)) — the coefficient
      covariance of the fit — with the baseline hazard held at its estimate (its own uncertainty,
      small next to that of β with many customers, is not propagated).
    * ``"refit"``: ``n_boot`` bootstrap resamples of whole customers of ``refit_data`` (the table the
      model was fitted on), refitted with the same settings; with ``subsample`` = m < n customers per
      resample, deviations are shrunk by √(m/n) (m-out-of-n bootstrap). Slower: use ~200 resamples.

    Returns
    -------
    Counterfactual or ChurnUnavailable
        With ``table``: the same figures by ``by`` (e.g. segment).
    """
    if not isinstance(model, CoxResult):
        return model
    if column not in model.design.categorical:
        return ChurnUnavailable(f"'{column}' is not a categorical covariate of the model; no counterfactual.")
    levels = model.design.categorical[column][0] + [model.design.categorical[column][1]]
    if to_level not in levels:
        return ChurnUnavailable(f"'{to_level}' is not a level of '{column}'.")
    m = current[column].astype(str).to_numpy() == from_level
    cur = current.loc[m].reset_index(drop=True)
    if cur.empty:
        return Counterfactual(column, from_level, to_level, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "no customer affected",
                              conf=conf)
    cf = cur.copy()
    cf[column] = to_level
    rev = annual_revenue(cur, revenue_col, revenue_periods_per_year)
    Xb = model.design.matrix(cur)[model.params.index].to_numpy(float)
    Xc = model.design.matrix(cf)[model.params.index].to_numpy(float)
    beta = model.params.to_numpy(float)
    p0, p1, point = _delta(model, cur, cf, Xb @ beta, Xc @ beta, horizon_days, rev, tenure_col)
    rng = np.random.default_rng(seed)
    draws = []
    if method == "parametric":
        draws = list(_parametric_draws(model, cur, Xb, Xc, horizon_days, rev, tenure_col, n_boot, rng))
        how = f"parametric bootstrap, {n_boot} draws from the coefficient covariance"
    elif method == "refit":
        if refit_data is None:
            raise ValueError("method='refit' needs refit_data (the table the model was fitted on)")
        ids = pd.unique(refit_data["customer_id"])
        size = min(subsample or len(ids), len(ids))
        shrink = np.sqrt(size / len(ids))
        fit = fit_cox_time_varying if model.kind == "time_varying" else fit_cox
        groups = refit_data.groupby("customer_id", sort=False).indices
        for _ in range(n_boot):
            pick = rng.choice(ids, size, replace=True)
            rows = np.concatenate([groups[i] for i in pick])
            boot = refit_data.iloc[rows].copy()
            boot["customer_id"] = np.repeat(np.arange(size), [len(groups[i]) for i in pick]).astype(str)
            ref = {c: r for c, (_, r) in model.design.categorical.items()}
            r = fit(boot, model.design.covariates, strata=model.strata or None, penalizer=model.penalizer,
                    reference=ref, check_ph=False)
            if isinstance(r, CoxResult):
                xb = r.design.matrix(cur)[r.params.index].to_numpy(float) @ r.params.to_numpy(float)
                xc = r.design.matrix(cf)[r.params.index].to_numpy(float) @ r.params.to_numpy(float)
                d = _delta(r, cur, cf, xb, xc, horizon_days, rev, tenure_col)[2]
                draws.append(point + (d - point) * shrink)
        how = (f"bootstrap of {len(draws)} refits on resampled customers"
               + (f" ({size:,} of {len(ids):,} per resample, m-out-of-n corrected)" if size < len(ids) else ""))
    else:
        check_choice("method", method, ("parametric", "refit"))
    a = (1 - conf) / 2
    lo, hi = (np.quantile(draws, [a, 1 - a]) if draws else (np.nan, np.nan))
    table = pd.DataFrame()
    if by and by in cur:
        table = (pd.DataFrame({by: cur[by].to_numpy(), "customers": 1, "p_now": p0, "p_counterfactual": p1,
                               "revenue_retained": rev * (p0 - p1)})
                 .groupby(by, observed=True).agg(customers=("customers", "sum"), churners_expected=("p_now", "sum"),
                                                 churners_counterfactual=("p_counterfactual", "sum"),
                                                 revenue_retained=("revenue_retained", "sum")).reset_index())
    return Counterfactual(column, from_level, to_level, int(m.sum()), float(p0.sum()), float(p1.sum()),
                          float(p0.sum() - p1.sum()), point, float(lo), float(hi), how, table, conf)
