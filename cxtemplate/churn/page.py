"""What notebook 05's page shows of a churn analysis: its tables, its sentences and two artifacts.

Every function reads a :class:`~cxtemplate.churn.flow.ChurnAnalysis` (or a part of it) and returns a
:class:`~cxtemplate.report.display.TableView` for ``show_table``, a sentence (or a list of sentences, empty
when the section has nothing to say) for ``say``, a chart title, or a table to save. The notebook only
passes them on, so the choice of columns, their labels, the number formats and the verdicts are tested here
(``tests/churn/test_page.py``).

Intervals are stated at the analysis's confidence level (``res.conf``, the engagement's
``metrics.confidence``); significance is judged at 1 − that level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxtemplate.churn.results import CoxResult
from cxtemplate.churn.scoring import Counterfactual
from cxtemplate.churn.validation import Validation
from cxtemplate.report.display import CURRENCY_SYMBOLS, TableView, absent_text, fmt_money, fmt_p, fmt_pct, labelled

if TYPE_CHECKING:
    from cxtemplate.churn.flow import ChurnAnalysis
    from cxtemplate.churn.km_cox import KMResult

GROUP_LABELS = {"all": "all customers", "nps_category": "NPS category at the latest survey"}
TOP_SHOWN = 15
MATRIX_TITLE = "Risk × value: customers and revenue at risk"
NO_VALUE = "the value of better experiences cannot be estimated here"


def level(conf: float) -> str:
    """A confidence level as the page says it: ``"95%"``, ``"90%"``, ``"97.5%"``."""
    return f"{100 * conf:g}%"


def significance(conf: float) -> float:
    """The significance level that goes with confidence level ``conf`` (0.05 for 0.95), rounded to 10 decimals
    so that 1 − 0.95 is exactly 0.05."""
    return round(1.0 - conf, 10)


def currency_symbol(currency: str) -> str:
    """The symbol charts put before amounts: ``£`` for GBP, the ISO code and a space when unknown."""
    return CURRENCY_SYMBOLS.get(currency, currency + " ")


def _share_1dp(v) -> str:
    return fmt_pct(v, 1, share=True)


def _share_0dp(v) -> str:
    return fmt_pct(v, 0, share=True)


# --------------------------------------------------------------------------- opening


def opening_sentence(res: ChurnAnalysis, currency: str) -> str:
    """The page's first sentence: customers, leavers, expected churners and revenue at risk.

    Says instead that churn is switched off in the parameters, or why there is no analysis.
    """
    if not res.enabled:
        return absent_text(res.reason.rstrip("."), "no model was fitted, so this page has no results")
    if not res.available:
        return f"**{res.reason}**"
    s = res.summary(currency)
    text = f"**{s['customers']:,} customers, {s['events']:,} of whom left** in the data; {s['active']:,} are active."
    if "expected_churners" not in s:
        return text
    text += (f" Over the next {res.horizon_months} months about **{s['expected_churners']:,.0f} active customers are "
             "expected to leave**")
    if s.get("annual_revenue"):
        return text + (f", taking **{fmt_money(s['revenue_at_risk'], currency)}** of annual revenue with them "
                       f"({100 * s['revenue_at_risk'] / s['annual_revenue']:.1f}% of the active base).")
    return text + "."


# --------------------------------------------------------------------------- who leaves, and when


def group_label(column: str) -> str:
    """How the page names a Kaplan–Meier grouping column."""
    return GROUP_LABELS.get(column, column.replace("_", " "))


def km_view(km: KMResult, horizon_months: int, conf: float, label: str | None = None) -> TableView:
    """Churn by the horizon, median and restricted mean tenure by group, with their intervals."""
    t = km.summary
    label = label or group_label(km.group_col or "all")
    frame = pd.DataFrame({"Group": t["group"].astype(str), "Customers": t["customers"], "Left": t["churned"]})
    frame[f"Left within {horizon_months} months"] = [
        f"{100 * (1 - s):.1f}% ({100 * (1 - hi):.1f}–{100 * (1 - lo):.1f})"
        for s, lo, hi in zip(t["survival_at_horizon"], t["survival_low"], t["survival_high"])]
    frame["Median tenure"] = ["not reached" if not np.isfinite(v) else f"{v / 365.25:.1f} years"
                              for v in t["median_tenure_days"]]
    frame[f"Mean days in first {horizon_months} months"] = [
        f"{m:.0f} ({lo:.0f}–{hi:.0f})" for m, lo, hi in zip(t["rmst_days"], t["rmst_low"], t["rmst_high"])]
    return TableView(frame, f"Leaving within the horizon and mean tenure, by {label}",
                     note=f"Intervals are {level(conf)}. Mean days: restricted mean survival time over the horizon.")


def logrank_sentence(km: KMResult, label: str, conf: float) -> str:
    """How many pairs of groups the BH-adjusted log-rank tests tell apart."""
    pairs = km.pairwise
    if pairs.empty or "p_bh" not in pairs.columns:
        return f"Log-rank tests by {label}: there is no pair of groups with churns to compare."
    alpha = significance(conf)
    sig = int((pairs["p_bh"] < alpha).sum())
    return (f"Log-rank tests by {label}: {sig} of {len(pairs)} pairs differ significantly "
            f"(BH-adjusted p < {alpha:g}).")


def km_sections(res: ChurnAnalysis) -> list[tuple[KMResult, str, TableView | None, str | None]]:
    """Each Kaplan–Meier chart of the page: (curves, chart title, table, log-rank sentence).

    The curves of all customers come first and have no table or sentence; nothing when there is no
    analysis.
    """
    out = []
    for col, km in res.km.items():
        label = group_label(col)
        title = f"Customers still active by tenure: {label}"
        if col == "all":
            out.append((km, title, None, None))
        else:
            out.append((km, title, km_view(km, res.horizon_months, res.conf, label),
                        logrank_sentence(km, label, res.conf)))
    return out


# --------------------------------------------------------------------------- the Cox model


def model_fitted(res: ChurnAnalysis) -> bool:
    """Whether there is a fitted Cox model to show."""
    return res.available and isinstance(res.model, CoxResult) and res.model.ok


def forest_title(res: ChurnAnalysis) -> str:
    """Title of the hazard-ratio chart, with its confidence level."""
    return f"Hazard ratios of leaving ({level(res.conf)} interval)"


def hazard_ratio_view(res: ChurnAnalysis) -> TableView:
    """The hazard ratios with their intervals and p-values, and the model that produced them."""
    m = res.model
    frame = labelled(m.hazard_ratios, {"label": "Term", "hr": "Hazard ratio", "hr_low": "Low", "hr_high": "High",
                                       "p": "p"})
    return TableView(frame, "Hazard ratios",
                     formats={"Hazard ratio": "{:.2f}", "Low": "{:.2f}", "High": "{:.2f}", "p": fmt_p},
                     note=(f"{res.design}; {m.n_subjects:,} customers, {m.n_events:,} events, "
                           f"penalty λ = {m.penalizer:g}."))


def ph_sentence(res: ChurnAnalysis) -> str:
    """What the proportional-hazards check found and did (its note names the check once)."""
    note, prefix = res.model.ph_note, "Proportional-hazards check: "
    if note.startswith(prefix):
        return f"**{prefix.strip()}** {note[len(prefix):]}"
    return "**Proportional-hazards check.** " + note


def time_split_views(res: ChurnAnalysis) -> list[TableView]:
    """Early vs late hazard ratios of the covariates whose effect changes with tenure (none when none does)."""
    if not model_fitted(res) or res.model.time_split is None or res.model.time_split.empty:
        return []
    t = res.model.time_split
    labels = res.model.hazard_ratios.set_index("term")["label"]
    tau = float(t["split_at_days"].iloc[0])
    frame = pd.DataFrame({
        "Term": [labels.get(x, x) for x in t["term"]],
        "Early hazard ratio": t["hr_early"],
        "Early interval": [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(t["hr_early_low"], t["hr_early_high"])],
        "Late hazard ratio": t["hr_late"],
        "Late interval": [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(t["hr_late_low"], t["hr_late_high"])],
        "p (difference)": t["p_difference"]})
    return [TableView(frame, f"Hazard ratios before and after day {tau:,.0f} of tenure (the median churn time)",
                      formats={"Early hazard ratio": "{:.2f}", "Late hazard ratio": "{:.2f}", "p (difference)": fmt_p},
                      note=f"Intervals are {level(res.conf)}.")]


def model_warnings(res: ChurnAnalysis) -> list[str]:
    """Warnings about covariates that leak the outcome, or why no model could be fitted."""
    if not res.available:
        return []
    if not model_fitted(res):
        return [f"*The Cox model could not be fitted: {res.model}*"]
    return [f"**Warning:** {note}" for note in res.notes if "leaks the outcome" in note]


# --------------------------------------------------------------------------- how well it predicts


def validated(res: ChurnAnalysis) -> bool:
    """Whether there is a cross-validation to show."""
    return res.available and isinstance(res.validation, Validation)


def validation_view(res: ChurnAnalysis) -> TableView:
    """Cross-validated concordance and calibration of the model and of the Kaplan–Meier baseline."""
    frame = labelled(res.validation.table, {
        "model": "Model", "concordance": "Concordance", "concordance_sd": "SD over folds", "ici": "ICI", "e50": "E50",
        "mean_predicted": "Mean predicted", "observed_by_horizon": "Observed", "n": "Customers", "churned": "Left"})
    return TableView(frame, "Cross-validated performance at the horizon",
                     formats={"Concordance": "{:.3f}", "SD over folds": "{:.3f}", "ICI": "{:.3f}", "E50": "{:.3f}",
                              "Mean predicted": _share_1dp, "Observed": _share_1dp})


def validation_verdict(res: ChurnAnalysis) -> str:
    """Whether the model ranks and calibrates better than the baseline, and how to use its probabilities."""
    cox, base = res.validation.table.iloc[0], res.validation.table.iloc[1]
    better_rank = cox["concordance"] > base["concordance"]
    better_cal = cox["ici"] <= base["ici"]
    advice = ("use its probabilities as they are." if better_cal else
              "use it to rank customers, and read its highest probabilities as overstated, as the calibration "
              "curve shows.")
    return (f"The model orders customers by risk {'better' if better_rank else 'no better'} than the baseline "
            f"(concordance {cox['concordance']:.2f} vs {base['concordance']:.2f}) and is "
            f"{'at least as well' if better_cal else 'less well'} calibrated (ICI {cox['ici']:.3f} vs "
            f"{base['ici']:.3f}): {advice}")


def calibration_title(res: ChurnAnalysis) -> str:
    """Title of the calibration chart."""
    return f"Calibration at {res.horizon_months} months (out of fold)"


def validation_notes(res: ChurnAnalysis) -> list[str]:
    """The validation's notes (design, samples, folds left out), as page notes."""
    return [f"<span class='cx-note'>{n}</span>" for n in res.validation.notes] if validated(res) else []


# --------------------------------------------------------------------------- revenue at risk


def revenue_charts(res: ChurnAnalysis) -> list[tuple[str, str]]:
    """(dimension, chart title) of each revenue-at-risk bar chart: by segment and by location, those present."""
    if res.by_group is None:
        return []
    present = set(res.by_group["dimension"])
    return [(d, f"Revenue at risk by {d}") for d in ("segment", "location") if d in present]


def risk_by_segment(by_group: pd.DataFrame) -> pd.DataFrame:
    """The ``risk_by_segment`` artifact: revenue at risk by segment (by the last dimension when there is no segment).

    The group column is named after the dimension it holds (``segment``, ``plan``, …).
    """
    dims = set(by_group["dimension"])
    dim = "segment" if "segment" in dims else str(by_group["dimension"].iloc[-1])
    rows = by_group[by_group["dimension"] == dim]
    return rows.drop(columns="dimension").rename(columns={"group": dim})


# --------------------------------------------------------------------------- the customers to call


def at_risk_customers(res: ChurnAnalysis) -> pd.DataFrame | None:
    """The ``at_risk_customers`` artifact: the ranked list with the columns that hold something; ``None`` when
    no customer was scored."""
    top = res.top
    if top is None or top.empty:
        return None
    cols = [c for c in ("rank", "customer_id", "segment", "plan", "location", "churn_probability", "annual_revenue",
                        "revenue_at_risk", "reasons") if c in top.columns and top[c].notna().any()]
    return top[cols]


def top_customers_view(at_risk: pd.DataFrame, currency: str, shown: int = TOP_SHOWN) -> TableView:
    """The first ``shown`` customers of the list, for the page."""
    n = len(at_risk)
    which = f"first {shown} of {n}" if n > shown else f"all {n}"
    frame = labelled(at_risk.head(shown), {
        "rank": "#", "customer_id": "Customer", "segment": "Segment", "plan": "Plan", "location": "Location",
        "churn_probability": "Risk", "annual_revenue": "Annual revenue", "revenue_at_risk": "Revenue at risk",
        "reasons": "Why the risk is high"})

    def money(v):
        return fmt_money(v, currency)

    return TableView(frame, f"Most valuable customers at risk ({which})",
                     formats={"Risk": _share_0dp, "Annual revenue": money, "Revenue at risk": money})


# --------------------------------------------------------------------------- what better experiences are worth


def counterfactual_sentences(res: ChurnAnalysis, currency: str) -> list[str]:
    """What turning detractors into passives would keep, with its interval; or why it cannot be estimated."""
    if not res.available:
        return []
    cf = res.counterfactual
    if isinstance(cf, Counterfactual):
        if cf.customers_affected == 0:
            return [f"No active customer is a {cf.from_level} today, so there is no revenue to win back this way."]
        return [f"If the **{cf.customers_affected:,} current {cf.from_level}s** felt like {cf.to_level}s, about "
                f"**{cf.churners_avoided:,.0f} fewer customers would leave** within {res.horizon_months} months, "
                "keeping "
                f"**{fmt_money(cf.revenue_retained, currency)}** of annual revenue ({level(cf.conf)} interval "
                f"{fmt_money(cf.revenue_low, currency)} to {fmt_money(cf.revenue_high, currency)}; {cf.method})."]
    if not model_fitted(res) or res.scores is None or not isinstance(res.scores, pd.DataFrame):
        return [absent_text("No churn model could be fitted", NO_VALUE)]
    if res.by_group is None:
        return [absent_text("There is no revenue column", NO_VALUE)]
    return [absent_text("The model has no NPS covariate", NO_VALUE)]


def counterfactual_views(res: ChurnAnalysis, currency: str) -> list[TableView]:
    """The counterfactual by segment (none when there is none)."""
    cf = res.counterfactual
    if not isinstance(cf, Counterfactual) or cf.table.empty:
        return []
    by = cf.table.columns[0]
    frame = labelled(cf.table, {by: by.replace("_", " ").capitalize(), "customers": "Customers",
                                "churners_expected": "Churners expected",
                                "churners_counterfactual": "Churners counterfactual",
                                "revenue_retained": "Revenue retained"})

    def money(v):
        return fmt_money(v, currency)

    return [TableView(frame, f"Revenue retained by {by.replace('_', ' ')} if {cf.from_level}s became {cf.to_level}s",
                      formats={"Churners expected": "{:,.1f}", "Churners counterfactual": "{:,.1f}",
                               "Revenue retained": money})]


def closing_notes(res: ChurnAnalysis) -> list[str]:
    """Every note of the analysis (what was dropped, merged, sampled or assumed), once each, as one page note."""
    if not res.notes:
        return []
    return ["<span class='cx-note'>Notes: " + " ".join(dict.fromkeys(res.notes)) + "</span>"]
