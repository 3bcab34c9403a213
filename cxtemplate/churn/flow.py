"""Notebook 05's sequence in one call: survival data → curves → Cox model → validation → scores.

:func:`analyse_configured` is what the notebook calls: it honours ``churn.enabled`` (switched off, nothing
is estimated) and hands the engagement's settings to :func:`analyse`. What the page shows of the result
(tables, sentences, artifacts) is built by :mod:`cxtemplate.churn.page`.

Design, stated once here and in the notebook: the hazard ratios come from a **time-varying**
Cox model (the estimator of lifelines' ``CoxTimeVaryingFitter``, vectorised in :mod:`cxtemplate.churn.efron`) on (start, stop] tenure intervals, so a customer's
NPS category counts only from the day of the survey that revealed it — no look-ahead. Active
customers are scored with a **landmark** table at the analysis date (their covariates as known
today) and the probability of leaving within the horizon *given the tenure they have already
reached*. Sources without dates (tenure and a churn flag only) get the same analysis on one row
per customer with CRM covariates.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxtemplate.churn.data import CXOptions, landmark_frame, last_rows, survival_frame, time_varying_frame
from cxtemplate.churn.intervals import RiskIntervals, group_intervals, risk_intervals
from cxtemplate.churn.km_cox import KMResult, fit_cox, fit_cox_time_varying, kaplan_meier
from cxtemplate.churn.results import NO_CRM, ChurnUnavailable, CoxResult
from cxtemplate.churn.scoring import (annual_revenue, counterfactual, reason_codes, revenue_at_risk, risk_value_matrix,
                                     score_customers, top_at_risk)
from cxtemplate.churn.validation import design_sample_ids, validate
from cxtemplate.data.where import WhereError, describe_where, where_columns, where_mask

if TYPE_CHECKING:
    from cxtemplate.config.schema import Config

DAYS_PER_MONTH = 365.25 / 12
# The only columns of the responses and interactions tables the churn analysis reads (notebook 05 loads
# just these: at a million customers the full tables would take gigabytes).
RESPONSE_COLUMNS = ["customer_id", "responded_at", "nps", "ces"]
INTERACTION_COLUMNS = ["customer_id", "started_at", "resolved", "sentiment"]
SWITCHED_OFF = "Churn analysis is switched off in the parameters (churn.enabled: false)."


def alpha_of(conf: float) -> float:
    """1 − ``conf``, the ``alpha`` of lifelines and of :mod:`cxtemplate.churn.km_cox`.

    Rounded to 10 decimals: in floating point 1 − 0.95 is 0.05000000000000004, and lifelines would
    then compute its Kaplan–Meier bands from a critical value one rounding away from the usual one.
    """
    if not 0 < conf < 1:
        raise ValueError(f"conf must be between 0 and 1, got {conf}")
    return round(1.0 - conf, 10)


@dataclass
class ChurnAnalysis:
    """Everything notebook 05 shows and saves.

    ``enabled`` is false only when the parameters switch churn off (nothing was estimated);
    ``available`` is false whenever there is no analysis to show, with the ``reason`` in words.
    ``conf`` is the confidence level of every interval (KM bands, RMST, hazard ratios, the early/late
    split, the counterfactual).
    """

    available: bool
    reason: str = ""
    design: str = ""
    horizon_days: float = 365.0
    survival: pd.DataFrame | None = None
    km: dict = field(default_factory=dict)
    model: object | None = None
    validation: object | None = None
    scores: pd.DataFrame | None = None
    by_group: pd.DataFrame | None = None
    matrix: pd.DataFrame | None = None
    top: pd.DataFrame | None = None
    counterfactual: object | None = None
    notes: list[str] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    enabled: bool = True
    conf: float = 0.95
    horizon_months: int = 12
    tenure_unit: str = "day"
    """The unit the source gave tenure in (``day`` for dated data): the page's tenure and horizons use it."""
    excluded: dict[str, str] = field(default_factory=dict)
    """Covariate of the params → why the model does not use it (personal data, moves with tenure, aliased)."""
    leaks: dict[str, float] = field(default_factory=dict)
    """Covariates that move with tenure → their Spearman ρ with tenure."""
    kept_leaking: list[str] = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    surveyed: bool = False
    """Whether survey responses were supplied (the page then may speak of them)."""
    intervals: RiskIntervals | None = None
    """Intervals of the expected churners and revenue at risk (total, by group, counterfactual)."""
    labels: dict[str, str] = field(default_factory=dict)
    """The params' display labels (``cfg.display_labels``): what the page calls each covariate."""

    @classmethod
    def switched_off(cls, horizon_months: int = 12, conf: float = 0.95) -> ChurnAnalysis:
        """The result when ``churn.enabled`` is false: nothing estimated, and the page says why."""
        return cls(False, SWITCHED_OFF, enabled=False, horizon_days=horizon_months * DAYS_PER_MONTH, conf=conf,
                   horizon_months=horizon_months)

    def summary(self, currency: str, horizon_months: int | None = None) -> dict:
        """The headline record saved as the ``summary`` artifact (read by notebooks 06 and 07).

        ``{"available": False, "reason": ...}`` (plus ``"enabled": False`` when switched off) when there
        is no analysis. ``covariates`` are those the model uses (the hazard-ratio table's and the page's);
        ``covariates_excluded`` (when some are) maps each covariate of the params it does not use to why.
        """
        horizon_months = self.horizon_months if horizon_months is None else horizon_months
        if not self.enabled:
            return {"available": False, "enabled": False, "reason": self.reason}
        if not self.available:
            return {"available": False, "reason": self.reason}
        s = self.survival
        out = {"available": True, "design": self.design, "customers": int(len(s)), "events": int(s["churned"].sum()),
               "active": int((~s["churned"].astype(bool)).sum()), "horizon_months": horizon_months,
               "currency": currency, "covariates": self.covariates}
        if self.excluded:  # the covariates of the params the model does not use, and why
            out["covariates_excluded"] = dict(self.excluded)
        if self.kept_leaking:
            out["kept_leaking"] = list(self.kept_leaking)
        if self.cohorts:
            out["cohorts"] = [{"name": c.name, "where": c.description, "customers": c.customers, "events": c.events,
                               "model": bool(getattr(c.model, "ok", False))} for c in self.cohorts]
        if self.model is not None and getattr(self.model, "ok", False):
            out["concordance_in_sample"] = self.model.concordance
        if self.validation is not None and hasattr(self.validation, "table"):
            cox = self.validation.table.iloc[0]
            out.update(concordance=float(cox["concordance"]), concordance_sd=float(cox.get("concordance_sd", float("nan"))),
                       ici=float(cox["ici"]), e50=float(cox["e50"]))
        if self.scores is not None and not isinstance(self.scores, ChurnUnavailable):
            out["expected_churners"] = float(self.scores["churn_probability"].sum())
            revenue = float(self.scores["annual_revenue"].sum()) if "annual_revenue" in self.scores.columns else 0.0
            if revenue > 0:
                out.update(revenue_at_risk=float(self.scores["revenue_at_risk"].sum()), annual_revenue=revenue)
            iv = self.intervals
            if iv is not None:
                out.update(expected_churners_low=iv.churners[0], expected_churners_high=iv.churners[1],
                           interval_conf=iv.conf, interval_method=iv.method)
                if iv.revenue is not None and revenue > 0:
                    out.update(revenue_at_risk_low=iv.revenue[0], revenue_at_risk_high=iv.revenue[1])
                if iv.counterfactual is not None:
                    out["counterfactual_detractors"] = dict(iv.counterfactual, conf=iv.conf)
        cf = self.counterfactual
        if cf is not None and not isinstance(cf, ChurnUnavailable):
            out.update(counterfactual_retained=float(cf.revenue_retained), counterfactual_low=float(cf.revenue_low),
                       counterfactual_high=float(cf.revenue_high), counterfactual_text=cf.text)
        return out


BAND_LEAK_THRESHOLD = 0.9
"""Correlation ratio of tenure across a categorical covariate's levels above which it is a tenure band."""
LEAK_THRESHOLD = 0.6
"""A numeric covariate whose Spearman correlation with tenure exceeds this in size moves with tenure itself."""

MAX_KM_GROUPS = 12
"""Kaplan–Meier curves are drawn by a segment column with 2 to this many groups (more would not read)."""

MIN_COHORT_CHURNS = 10
"""A cohort gets its own Cox model from this many churns on; below, its Kaplan–Meier table only."""


def tenure_leaks(surv: pd.DataFrame, covariates: list[str], threshold: float = LEAK_THRESHOLD,
                 band_threshold: float = BAND_LEAK_THRESHOLD) -> dict[str, float]:
    """Covariates that rise or fall with tenure itself, with the strength of the association.

    A quantity that accumulates over a customer's life (total charges, lifetime orders) is larger for
    customers who have stayed longer, so it "predicts" survival from the outcome: look-ahead bias that
    inflates concordance and gives hazard ratios such as 0.03 per SD. A numeric covariate with three or more
    distinct values is flagged when |Spearman ρ| with tenure exceeds ``threshold`` (tenure in whole years is
    one); a categorical one when the correlation ratio η of tenure's ranks across its levels exceeds
    ``band_threshold`` (a tenure band such as "0–12 months": η about 0.97). The categorical bar is high on
    purpose: a contract type is legitimately associated with tenure (two-year contracts last longer) and
    must stay in the model. Two-valued flags are never flagged.

    Returns
    -------
    dict
        Covariate → ρ or η, in the order given.
    """
    out = {}
    ranks = surv["tenure_days"].rank() if "tenure_days" in surv.columns else None
    for c in covariates:
        if c not in surv.columns or ranks is None or pd.api.types.is_bool_dtype(surv[c]):
            continue
        values = surv[c]
        if values.nunique() < 3:
            continue
        if pd.api.types.is_numeric_dtype(values):
            rho = surv[[c, "tenure_days"]].corr(method="spearman").iloc[0, 1]
            if abs(rho) > threshold:
                out[c] = float(rho)
        elif values.nunique() <= 30:
            known = values.notna()
            r = ranks[known]
            groups = r.groupby(values[known].astype(str), observed=True)
            between = float((groups.size() * (groups.mean() - r.mean()) ** 2).sum())
            total = float(((r - r.mean()) ** 2).sum())
            eta = np.sqrt(between / total) if total > 0 else 0.0
            if eta > band_threshold:
                out[c] = float(eta)
    return out


def leak_measure(values: pd.Series, strength: float) -> str:
    """How :func:`tenure_leaks` measured a covariate's association with tenure, in words: "Spearman ρ = 0.93" for
    a number, "correlation ratio η = 0.97" for a category (a tenure band)."""
    if pd.api.types.is_numeric_dtype(values):
        return f"Spearman ρ = {strength:.2f}"
    return f"correlation ratio η = {strength:.2f}"


@dataclass
class Cohort:
    """One named cohort of ``churn.cohorts``: its customers' Kaplan–Meier curve and Cox model."""

    name: str
    where: dict
    description: str
    customers: int
    events: int
    km: KMResult | None = None
    model: object | None = None
    notes: list[str] = field(default_factory=list)


def km_groupings(frame: pd.DataFrame, columns: Sequence[str], max_groups: int = MAX_KM_GROUPS
                 ) -> tuple[list[str], list[str]]:
    """The columns to draw Kaplan–Meier curves by (2 to ``max_groups`` groups), and a note for each one left out."""
    use, notes = [], []
    for c in dict.fromkeys(columns):
        if c not in frame.columns:
            continue
        k = int(frame[c].nunique(dropna=False))
        if 2 <= k <= max_groups:
            use.append(c)
        elif k > max_groups:
            notes.append(f"'{c}' has {k:,} groups, too many for survival curves (at most {max_groups}); it is "
                         "not drawn.")
    return use, notes


def analyse(customers: pd.DataFrame | None, responses: pd.DataFrame | None, interactions: pd.DataFrame | None, *,
            as_of, covariates: list[str], cx_covariates: list[str], horizon_months: int = 12,
            revenue_per: str = "month", top_n: int = 50, fit_sample_above: int = 150_000, seed: int = 0,
            group_cols: Sequence[str] = ("segment", "plan"), validate_sample_above: int | None = None,
            conf: float = 0.95, tenure_unit: str = "day", keep_leaking: Sequence[str] = (),
            cohorts: dict[str, dict] | None = None, labels: dict[str, str] | None = None) -> ChurnAnalysis:
    """Run the whole churn analysis for one organisation.

    Parameters
    ----------
    customers, responses, interactions : DataFrame or None
        Canonical tables (``customers`` needs ``tenure_days`` and ``churned``).
    as_of : date-like
        Analysis date (censoring date of active customers).
    covariates : list of str
        CRM covariates from the params. Those holding personal data (judged from their values) and
        those that move with tenure itself (:func:`tenure_leaks`) are left out, the latter unless
        listed in ``keep_leaking``; each is named on the page.
    cx_covariates : list of str
        CX covariates from the params (used only when their source table exists).
    horizon_months : int
        Risk horizon.
    revenue_per : {"month", "year"}
        Period of the ``revenue`` column.
    top_n : int
        Length of the account managers' list.
    fit_sample_above : int
        Above this many customers the Cox model is fitted on a random sample of this many customers
        (stated in the notes). Scoring, Kaplan–Meier curves and revenue at risk use every customer.
    group_cols : sequence of str
        The segment columns: Kaplan–Meier curves and log-rank tests by each (those with 2 to
        :data:`MAX_KM_GROUPS` groups), scores and revenue at risk by each; the first present is the
        validation's Kaplan–Meier baseline.
    validate_sample_above : int, optional
        Above this many customers the cross-validation runs on a random sample of this many customers
        (stated in the validation notes); default: ``fit_sample_above``.
    conf : float
        Confidence level of every interval: Kaplan–Meier bands and restricted mean tenure, hazard ratios
        and their early/late split, and the counterfactual's revenue retained.
    tenure_unit : {"day", "week", "month", "year"}
        The unit the source gave tenure in (``day`` for dated sources): the Kaplan–Meier table's horizons
        and the page's tenure are in it.
    keep_leaking : sequence of str
        Covariates that move with tenure to keep in the model deliberately (``churn.keep_leaking``).
    cohorts : dict, optional
        Name → ``where:`` filter on the customers (``churn.cohorts``); each gets its own Kaplan–Meier
        table and, from :data:`MIN_COHORT_CHURNS` churns on, its own Cox model.
    labels : dict, optional
        The params' display labels (``cfg.display_labels``): the page's and the reasons' names of covariates.

    Returns
    -------
    ChurnAnalysis
    """
    horizon = horizon_months * DAYS_PER_MONTH
    alpha = alpha_of(conf)
    validate_sample_above = fit_sample_above if validate_sample_above is None else validate_sample_above
    settings = {"horizon_days": horizon, "conf": conf, "horizon_months": horizon_months,
                "tenure_unit": tenure_unit.rstrip("s")}
    if customers is None or customers.empty:
        return ChurnAnalysis(False, NO_CRM, **settings, labels=dict(labels or {}))
    if "churned" not in customers.columns or customers["churned"].isna().all():
        return ChurnAnalysis(False, "The CRM table says nothing about who left (no end dates or churn flag).",
                             **settings)
    cohorts = dict(cohorts or {})
    group_cols = tuple(dict.fromkeys(group_cols))
    cohort_cols = [c for w in cohorts.values() for c in where_columns(w)]
    covs = [c for c in covariates if c in customers.columns]
    keep = [c for c in dict.fromkeys(("revenue", *group_cols, "location", *cohort_cols))
            if c in customers.columns and c not in covs]
    dated = "start_date" in customers.columns and customers["start_date"].notna().any()
    surv = survival_frame(customers, as_of=as_of if dated else None, covariates=covs, keep=keep)
    res = ChurnAnalysis(True, survival=surv, notes=list(surv.attrs.get("notes", [])), **settings,
                        surveyed=responses is not None and len(responses) > 0, labels=dict(labels or {}))
    res.excluded = {c: "holds personal data" for c in covs if c not in surv.attrs["covariates"]}
    covs = list(surv.attrs["covariates"])
    res.leaks = tenure_leaks(surv, covs)
    res.kept_leaking = [c for c in keep_leaking if c in res.leaks]
    res.excluded.update({c: f"moves with tenure itself ({leak_measure(surv[c], r)})" for c, r in res.leaks.items()
                         if c not in keep_leaking})
    covs = [c for c in covs if c not in res.leaks or c in keep_leaking]
    if int(surv["churned"].sum()) == 0:
        res.available = False
        res.reason = (f"None of the {len(surv):,} customers has left in the data, so there is nothing to learn "
                      "about leaving yet; churn risk cannot be estimated.")
        return res
    cx = [c for c in cx_covariates if (c in ("nps_category", "ces") and responses is not None)
          or (c in ("unresolved_contacts", "negative_contacts") and interactions is not None)]
    options = CXOptions(covariates=tuple(cx)) if cx else None
    sample = fit_sample_above if len(surv) > fit_sample_above else None
    validate_sample = validate_sample_above if len(surv) > validate_sample_above else None
    baseline_group = next((g for g in group_cols if g in surv.columns), None)
    if dated:
        tv = time_varying_frame(customers, responses if cx else None, interactions if cx else None, as_of=as_of,
                                covariates=covs, keep=keep, cx=options)
        res.notes += [n for n in tv.attrs.get("notes", []) if n not in res.notes]
        model_covs = [*tv.attrs.get("covariates", covs), *tv.attrs.get("cx_covariates", [])]
        res.design = "time-varying Cox model (Efron partial likelihood, as lifelines' CoxTimeVaryingFitter) with a landmark for scoring"
        res.model = fit_cox_time_varying(tv, model_covs, max_subjects=sample, seed=seed, standardise=True,
                                         alpha=alpha)
        descriptive = last_rows(tv) if cx else surv
        current = landmark_frame(customers, responses if cx else None, interactions if cx else None, as_of=as_of,
                                 covariates=covs, keep=keep, cx=options, tv=tv)
        # the back-test needs only the customers the validation design keeps (each customer's intervals
        # depend on their own history alone, so building them for a subset gives the same rows)
        bt_customers = customers
        if validate_sample:
            keep_ids = design_sample_ids(pd.unique(tv["customer_id"]), validate_sample, seed)
            bt_customers = customers[keep_ids.get_indexer(customers["customer_id"].astype(str)) >= 0]
        backtest = landmark_frame(bt_customers, responses if cx else None, interactions if cx else None,
                                  landmark=pd.Timestamp(as_of) - pd.Timedelta(days=horizon), as_of=as_of,
                                  covariates=covs, keep=keep, cx=options)
        res.validation = validate(tv, model_covs, horizon_days=horizon, group_col=baseline_group
                                  if baseline_group in tv.columns else None, test=backtest, seed=seed,
                                  design_sample=validate_sample, alpha=alpha)
        fit_frame, fitter = tv, fit_cox_time_varying
    else:
        model_covs = covs
        res.design = "Cox model on one row per customer (no dates, so no time-varying covariates)"
        res.model = fit_cox(surv, model_covs, max_subjects=sample, seed=seed, standardise=True, alpha=alpha)
        descriptive = surv
        current = surv[~surv["churned"].astype(bool)].copy()
        res.validation = validate(surv, model_covs, horizon_days=horizon, group_col=baseline_group, seed=seed,
                                  design_sample=validate_sample, alpha=alpha)
        fit_frame, fitter = surv, fit_cox
    res.notes += [n for n in getattr(res.model, "notes", []) if n not in res.notes]
    res.covariates = used_covariates(res.model, model_covs)
    if isinstance(res.model, CoxResult):
        res.excluded.update({c: "is aliased with other columns" for c in model_covs
                             if c not in res.covariates and c in res.model.design.covariates})
    km_cols, km_notes = km_groupings(descriptive, [c for c in ("nps_category", *group_cols) if c in descriptive.columns])
    res.notes += km_notes
    res.km = {"all": kaplan_meier(descriptive, None, horizon_days=horizon, alpha=alpha)}
    for col in km_cols:
        frame = descriptive
        if col == "nps_category":
            # Customers never surveyed are mostly those who left before a survey reached them; in a
            # curve by latest answer they would look riskier than they are (immortal-time bias).
            frame = descriptive[descriptive[col].isin(["promoter", "passive", "detractor"])]
        res.km[col] = kaplan_meier(frame, col, horizon_days=horizon, alpha=alpha)
    res.cohorts = [analyse_cohort(name, where, descriptive, fit_frame, fitter, model_covs, horizon=horizon,
                                  alpha=alpha, seed=seed, max_subjects=sample) for name, where in cohorts.items()]
    if isinstance(res.model, ChurnUnavailable):
        res.notes.append(str(res.model))
        return res
    periods = 12.0 if revenue_per == "month" else 1.0
    carried = [c for c in dict.fromkeys((*group_cols, "location")) if c in current.columns]
    res.scores = score_customers(res.model, current, horizon, revenue_periods_per_year=periods, keep=carried)
    if isinstance(res.scores, ChurnUnavailable):
        return res
    valued = "revenue" in current.columns
    res.intervals = risk_intervals(
        res.model, fit_frame, current, horizon, conf=conf, seed=seed,
        revenue=annual_revenue(current, "revenue", periods) if valued else None,
        groups={c: current[c].to_numpy() for c in carried},
        counterfactual=("nps_category", "detractor", "passive") if "nps_category" in model_covs else None)
    add_reasons(res, current)
    if not valued:  # the page says so in the one sentence of its revenue section
        res.top = top_at_risk(res.scores, res.model, current, n=top_n, rank_by="churn_probability",
                              labels=res.labels)
        return res
    res.by_group = group_intervals(revenue_at_risk(res.scores, by=[c for c in carried if c in res.scores.columns]),
                                   res.intervals)
    res.matrix = risk_value_matrix(res.scores)
    res.top = top_at_risk(res.scores, res.model, current, n=top_n, labels=res.labels)
    if "nps_category" in model_covs:
        res.counterfactual = counterfactual(res.model, current, horizon, column="nps_category",
                                            from_level="detractor", to_level="passive",
                                            revenue_periods_per_year=periods, seed=seed, conf=conf)
    return res


def add_reasons(res: ChurnAnalysis, current: pd.DataFrame) -> None:
    """Give every scored customer its reasons (the action plan reads them), and with an NPS covariate the risk (and
    revenue at risk) it would have as a passive instead of a detractor, for the value of better experiences.

    Parameters
    ----------
    res : ChurnAnalysis
        With ``model`` fitted and ``scores`` of ``current`` (same row order).
    current : DataFrame
        The active customers as scored.
    """
    scores = res.scores
    scores["reasons"] = reason_codes(res.model, current, labels=res.labels)["reasons"].to_numpy()
    design = res.model.design
    if "nps_category" in design.categorical and "passive" in [*design.categorical["nps_category"][0],
                                                               design.categorical["nps_category"][1]]:
        detractor = current["nps_category"].astype(str).to_numpy() == "detractor"
        p = scores["churn_probability"].to_numpy(float).copy()
        if detractor.any():
            as_passive = current.loc[detractor].assign(nps_category="passive")
            p[detractor] = res.model.conditional_risk(as_passive, res.horizon_days)
        scores["churn_probability_if_passive"] = p
        if "annual_revenue" in scores.columns:
            scores["revenue_at_risk_if_passive"] = scores["annual_revenue"].to_numpy(float) * p


def used_covariates(model, requested: Sequence[str]) -> list[str]:
    """The covariates a fitted model uses: those with a hazard ratio, and the strata (in the order requested)."""
    if not isinstance(model, CoxResult):
        return []
    with_terms = {model.design.term(t)[0] for t in model.params.index} | set(model.strata)
    return [c for c in requested if c in with_terms]


def analyse_cohort(name: str, where: dict, descriptive: pd.DataFrame, fit_frame: pd.DataFrame, fitter,
                   covariates: Sequence[str], *, horizon: float, alpha: float, seed: int,
                   max_subjects: int | None = None) -> Cohort:
    """One cohort of ``churn.cohorts``: its customers' Kaplan–Meier curve and, with enough churns, its Cox model.

    Parameters
    ----------
    name, where
        The cohort's name and filter (evaluated on the customers, :func:`cxtemplate.data.where.where_mask`).
    descriptive : DataFrame
        One row per customer (the Kaplan–Meier frame of the analysis).
    fit_frame : DataFrame
        The rows the analysis's model was fitted on (one per customer, or (start, stop] intervals).
    fitter : callable
        :func:`fit_cox` or :func:`fit_cox_time_varying`, as for the whole model.
    covariates : sequence of str
        The model's covariates (those constant within the cohort drop out, with a note).
    horizon, alpha, seed, max_subjects
        As for the whole analysis.
    """
    try:
        mask = where_mask(descriptive, where, key=f"churn.cohorts.{name}")
    except WhereError as err:  # a column the customers table lacks, a value of the wrong type: said, and the run goes on
        out = Cohort(name, dict(where), describe_where(where), 0, 0)
        out.notes.append(f"Cohort '{name}' cannot be selected: {err}")
        return out
    members = descriptive.loc[mask]
    out = Cohort(name, dict(where), describe_where(where), int(mask.sum()), int(members["churned"].sum()))
    if out.customers == 0:
        out.notes.append(f"Cohort '{name}' ({out.description}) holds no customer.")
        return out
    out.km = kaplan_meier(members, None, horizon_days=horizon, alpha=alpha)
    if out.events < MIN_COHORT_CHURNS:
        out.model = ChurnUnavailable(f"only {out.events} of its customers left, fewer than the {MIN_COHORT_CHURNS} "
                                     "a model needs", out.customers, out.events)
        return out
    rows = fit_frame.loc[fit_frame["customer_id"].isin(set(members["customer_id"]))].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out.model = fitter(rows, list(covariates), max_subjects=max_subjects, seed=seed, standardise=True, alpha=alpha)
    return out


def analyse_configured(cfg: Config, customers: pd.DataFrame | None, responses: pd.DataFrame | None,
                       interactions: pd.DataFrame | None, *, seed: int, conf: float) -> ChurnAnalysis:
    """The churn analysis the engagement's parameters ask for (what notebook 05 calls).

    With ``churn.enabled: false`` nothing is estimated (:meth:`ChurnAnalysis.switched_off`); otherwise
    :func:`analyse` runs with the ``churn`` settings and the organisation's analysis date.

    Parameters
    ----------
    cfg : Config
        The engagement's parameters.
    customers, responses, interactions : DataFrame or None
        Canonical tables (responses and interactions need only :data:`RESPONSE_COLUMNS` and
        :data:`INTERACTION_COLUMNS`).
    seed : int
        The notebook's seed.
    conf : float
        Confidence level of every interval (``metrics.confidence``).

    Returns
    -------
    ChurnAnalysis
    """
    churn = cfg.churn
    if customers is None or customers.empty:
        # no CRM says more than "switched off": it is why new() switched it off
        return ChurnAnalysis(False, NO_CRM, horizon_days=churn.horizon_months * DAYS_PER_MONTH, conf=conf,
                             horizon_months=churn.horizon_months, enabled=churn.enabled)
    if not churn.enabled:
        return ChurnAnalysis.switched_off(churn.horizon_months, conf)
    source = cfg.sources.customers
    dated = customers is not None and "start_date" in customers.columns and customers["start_date"].notna().any()
    unit = source.tenure_unit if source is not None and not dated else "day"
    return analyse(customers, responses, interactions, as_of=cfg.organisation.as_of,
                   covariates=list(churn.covariates), cx_covariates=list(churn.cx_covariates),
                   horizon_months=churn.horizon_months, revenue_per=churn.revenue_per, top_n=churn.top_customers,
                   fit_sample_above=churn.fit_sample_above, seed=seed, conf=conf,
                   group_cols=segment_columns(cfg.segments), tenure_unit=unit,
                   keep_leaking=list(churn.keep_leaking), cohorts=dict(churn.cohorts), labels=cfg.display_labels)


def segment_columns(segments: Sequence[str]) -> tuple[str, ...]:
    """The columns churn is broken down by: the canonical ``segment`` and ``plan``, then every configured segment
    column (``segments:``), once each."""
    return tuple(dict.fromkeys(("segment", "plan", *segments)))

