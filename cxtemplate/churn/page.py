"""What notebook 05's page shows of a churn analysis: its sections, tables, sentences and artifacts.

Every function reads a :class:`~cxtemplate.churn.flow.ChurnAnalysis` (or a part of it) and returns a
:class:`~cxtemplate.report.display.TableView` for ``show_table``, a sentence (or a list of sentences, empty
when the section has nothing to say) for ``say``, a chart title, or a table to save. The ``*_section``
functions put them together as a :class:`~cxtemplate.report.section.Section` — heading, the "how this was
measured" text, charts, tables and artifacts — and return the one sentence of an absent input instead when
the section has nothing to show, so the page never describes an analysis it did not run or data the
organisation did not supply (no survey curves without surveys, no money without revenue, captions naming
only the sources used). The notebook only shows and saves them, so the choice of columns, their labels,
the number formats and the verdicts are tested here (``tests/churn/test_page.py``).

Intervals are stated at the analysis's confidence level (``res.conf``, the engagement's
``metrics.confidence``); significance is judged at 1 − that level. Tenure is shown in the unit the data
gave it in (months for dated data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cxtemplate.churn import alt_text
from cxtemplate.churn.headline import headline_sentences
from cxtemplate.churn.km_cox import DAYS_PER_MONTH
from cxtemplate.churn.results import NO_CRM, CoxResult
from cxtemplate.churn.scoring import Counterfactual
from cxtemplate.churn.terms import reader_hazard_ratios, term_labels
from cxtemplate.churn.validation import Validation
from cxtemplate.report.display import (CURRENCY_SYMBOLS, TableView, absent_text, currency_note, fmt_money,
                                       fmt_money_range, fmt_p, fmt_pct, labelled)
from cxtemplate.report.grammar import capitalise, join_list, plural, sentence
from cxtemplate.report.labels import display_label
from cxtemplate.report.section import Section

if TYPE_CHECKING:
    from cxtemplate.churn.flow import ChurnAnalysis

GROUP_LABELS = {"all": "all customers"}
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


def currency_symbol(currency: str | None) -> str:
    """The symbol charts put before amounts: ``£`` for GBP, the ISO code and a space when unknown, nothing when the
    organisation's currency is not set."""
    if not currency:
        return ""
    return CURRENCY_SYMBOLS.get(currency, currency + " ")


TENURE_UNITS = {"day": (DAYS_PER_MONTH, "months"), "month": (DAYS_PER_MONTH, "months"), "week": (7.0, "weeks"),
                "year": (365.25, "years")}
"""Unit the data gave tenure in → (days per displayed unit, its name): tenure in days (or dates) is shown in months."""


def tenure_unit(res: ChurnAnalysis) -> tuple[float, str]:
    """(days per unit, unit name) of the tenure the page shows."""
    return TENURE_UNITS.get(res.tenure_unit, TENURE_UNITS["month"])


def sources_used(res: ChurnAnalysis, covariates=None) -> str:
    """The sources a result rests on, for a caption: ``"CRM"``, ``"CRM, surveys"``, ``"CRM, surveys, contacts"``.

    Surveys count only when a survey covariate (NPS category, effort) is used, contacts only when a contact
    covariate is.
    """
    covariates = res.covariates if covariates is None else covariates
    out = ["CRM"]
    if {"nps_category", "ces"} & set(covariates):
        out.append("surveys")
    if {"unresolved_contacts", "negative_contacts"} & set(covariates):
        out.append("contacts")
    return ", ".join(out)


def _share_1dp(v) -> str:
    return fmt_pct(v, 1, share=True)


def _share_0dp(v) -> str:
    return fmt_pct(v, 0, share=True)


# --------------------------------------------------------------------------- opening


def opening_sentence(res: ChurnAnalysis, currency: str) -> str:
    """The page's opening paragraph: three to five plain sentences from the results
    (:func:`cxtemplate.churn.headline.headline_sentences`).

    Says instead that churn is switched off in the parameters, or why there is no analysis.
    """
    if res.reason == NO_CRM:  # whether or not the params switch churn on: the reader needs to know there is no CRM
        return absent_text("There is no CRM table", "churn cannot be analysed, so this page has no results")
    if not res.enabled:
        return absent_text(res.reason.rstrip("."), "no model was fitted, so this page has no results")
    if not res.available:
        return f"**{res.reason}**"
    return " ".join(headline_sentences(res, currency))


# --------------------------------------------------------------------------- the Cox model


def model_fitted(res: ChurnAnalysis) -> bool:
    """Whether there is a fitted Cox model to show."""
    return res.available and isinstance(res.model, CoxResult) and res.model.ok


def forest_title(res: ChurnAnalysis) -> str:
    """Title of the hazard-ratio chart, with its confidence level."""
    return f"Hazard ratios of leaving ({level(res.conf)} interval)"


def hazard_ratio_view(res: ChurnAnalysis, model: CoxResult | None = None, title: str = "Hazard ratios") -> TableView:
    """The hazard ratios with their intervals and p-values, in the reader's labels (counts per one more), from the
    model that produced them (``res.model``, or a cohort's ``model``)."""
    m = res.model if model is None else model
    table = reader_hazard_ratios(m, res.labels)[["label", "hr", "hr_low", "hr_high", "p"]]
    frame = labelled(table, {"label": "Characteristic", "hr": "Hazard ratio", "hr_low": "Low", "hr_high": "High",
                             "p": "p-value"})
    return TableView(frame, title,
                     formats={"Hazard ratio": "{:.2f}", "Low": "{:.2f}", "High": "{:.2f}", "p-value": fmt_p},
                     note=(f"{plural(m.n_subjects, 'customer')}, {m.n_events:,} of whom left; {level(res.conf)} "
                           "intervals. Above 1: customers with that characteristic leave faster than the comparison "
                           "group, all else being equal."))


def model_method(res: ChurnAnalysis) -> str:
    """How the hazard ratios were estimated: the model, its penalty and what the hazard ratios mean."""
    m = res.model
    return (f"{MODEL_METHOD} The model is a {res.design}; it rests on {plural(m.n_subjects, 'customer')} and "
            f"{m.n_events:,} churns, with an L2 penalty λ = {m.penalizer:g} on the standardised coefficients. Counts "
            "(contacts) are shown per one more; other numbers per standard deviation, whose size is given.")


def ph_sentence(res: ChurnAnalysis) -> str:
    """What the proportional-hazards check found and did (its note names the check once), for the method note."""
    note, prefix = res.model.ph_note, "Proportional-hazards check: "
    if note.startswith(prefix) or note.lower().startswith("the proportional-hazards check"):
        return note
    return prefix + note


def time_split_views(res: ChurnAnalysis) -> list[TableView]:
    """Early vs late hazard ratios of the covariates whose effect changes with tenure (none when none does)."""
    if not model_fitted(res) or res.model.time_split is None or res.model.time_split.empty:
        return []
    t = res.model.time_split
    labels = term_labels(res.model, res.labels)
    tau = float(t["split_at_days"].iloc[0])
    frame = pd.DataFrame({
        "Characteristic": [labels.get(x, x) for x in t["term"]],
        "Early hazard ratio": t["hr_early"],
        "Early interval": [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(t["hr_early_low"], t["hr_early_high"])],
        "Late hazard ratio": t["hr_late"],
        "Late interval": [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(t["hr_late_low"], t["hr_late_high"])],
        "p (difference)": t["p_difference"]})
    return [TableView(frame, f"Hazard ratios before and after day {tau:,.0f} of tenure (the median churn time)",
                      formats={"Early hazard ratio": "{:.2f}", "Late hazard ratio": "{:.2f}", "p (difference)": fmt_p},
                      note=f"Intervals are {level(res.conf)}.")]


def model_warnings(res: ChurnAnalysis) -> list[str]:
    """Why no model could be fitted (nothing when one was, or when there is no analysis)."""
    if not res.available or model_fitted(res):
        return []
    return [f"*The Cox model could not be fitted: {res.model}*"]


MODEL_HEADING = "## Why customers leave: the Cox model"
MODEL_METHOD = ("Hazard ratios above 1 mean customers with that characteristic leave faster than the reference "
                "group, all else equal (e.g. 2.0 = twice the rate at any tenure). The model is penalised lightly so "
                "sparse groups do not produce wild estimates. Covariates that move with tenure itself, personal data "
                "and design columns the model cannot tell apart are left out before the fit, and named here.")


def _leak_measure(res: ChurnAnalysis, column: str) -> str:
    from cxtemplate.churn.flow import leak_measure

    values = res.survival[column] if res.survival is not None and column in res.survival.columns else pd.Series([0.0])
    return leak_measure(values, res.leaks[column])


def leak_sentences(res: ChurnAnalysis) -> list[str]:
    """Covariates that move with tenure: one sentence naming those left out and why; a warning for each kept."""
    out = []
    left = {c: r for c, r in res.leaks.items() if c not in res.kept_leaking}
    if left:
        names = ", ".join(f"'{c}' ({_leak_measure(res, c)} with tenure)" for c in left)
        out.append(f"**Left out of the model:** {names} {'moves' if len(left) == 1 else 'move'} with tenure itself: a "
                   "quantity that accumulates over a customer's life is larger for those who stayed longer, so it "
                   "would predict leaving from the outcome and inflate the model's accuracy (to keep one anyway, list "
                   "it under churn.keep_leaking).")
    for c in res.kept_leaking:
        out.append(f"**Warning:** '{c}' moves with tenure itself ({_leak_measure(res, c)}) and is kept in the "
                   "model because churn.keep_leaking lists it: its hazard ratio and the model's accuracy are inflated "
                   "by the outcome itself.")
    return out


def personal_sentences(res: ChurnAnalysis) -> list[str]:
    """The covariates left out because their values are personal data (one sentence each)."""
    from cxtemplate.churn.columns import personal_note

    personal = res.survival.attrs.get("personal", {}) if res.survival is not None else {}
    return [personal_note(c, why) for c, why in personal.items()]


def alias_sentences(res: ChurnAnalysis) -> list[str]:
    """The design columns merged or dropped before the fit because the model could not tell them apart."""
    return list(res.model.design.alias_notes) if model_fitted(res) else []


def covariates_sentence(res: ChurnAnalysis) -> str:
    """What the model weighs: the same list as the ``summary`` artifact's ``covariates``, in the reader's labels."""
    if not res.covariates:
        return ""
    names = [display_label(c, res.labels).lower() if c != "nps_category" else "the NPS group at the last survey"
             for c in res.covariates]
    return sentence(f"the model uses {plural(len(names), 'covariate')}, characteristics of each customer weighed "
                    f"together: {join_list(names)}")


def model_notes(res: ChurnAnalysis) -> list[str]:
    """Everything the model section says about its covariates (so the closing notes do not repeat it)."""
    return [*leak_sentences(res), *personal_sentences(res), *alias_sentences(res)]


def model_section(res: ChurnAnalysis) -> Section:
    """Why customers leave: the covariates used and left out, the forest plot, hazard ratios, the
    proportional-hazards check, early/late splits; the ``hazard_ratios`` artifact. One sentence when no model
    could be fitted; empty when there is no analysis."""
    from cxtemplate.churn.plots import plot_forest

    section = Section()
    if not res.available:
        return section
    if not model_fitted(res):
        for text in model_warnings(res):
            section.say(text)
        return section
    section.say(MODEL_HEADING)
    for text in [covariates_sentence(res), *model_notes(res)]:
        if text:
            section.say(text)
    table = reader_hazard_ratios(res.model, res.labels)
    title = forest_title(res)
    section.chart(plot_forest, res.model, title=title, source=sources_used(res), table=table,
                  alt=alt_text.forest_alt(table, title))
    section.table(hazard_ratio_view(res))
    for view in time_split_views(res):
        section.table(view)
    section.method(model_method(res))
    section.method(ph_sentence(res))
    section.keep("hazard_ratios", res.model.hazard_ratios)
    return section


# --------------------------------------------------------------------------- how well it predicts


def validated(res: ChurnAnalysis) -> bool:
    """Whether there is a cross-validation to show."""
    return res.available and isinstance(res.validation, Validation)


def validation_view(res: ChurnAnalysis) -> TableView:
    """Cross-validated concordance and calibration of the model and of the Kaplan–Meier baseline."""
    frame = labelled(res.validation.table, {
        "model": "Model", "concordance": "Pairs ordered correctly", "concordance_sd": "SD over folds",
        "ici": "Calibration gap (mean)", "e50": "Calibration gap (median)",
        "mean_predicted": "Mean predicted", "observed_by_horizon": "Observed", "n": "Customers", "churned": "Left"})
    return TableView(frame, "Cross-validated performance at the horizon",
                     formats={"Pairs ordered correctly": "{:.3f}", "SD over folds": "{:.3f}",
                              "Calibration gap (mean)": "{:.3f}", "Calibration gap (median)": "{:.3f}",
                              "Mean predicted": _share_1dp, "Observed": _share_1dp})


def validation_verdict(res: ChurnAnalysis) -> str:
    """Whether the model ranks and calibrates better than the baseline, and how to use its probabilities."""
    cox, base = res.validation.table.iloc[0], res.validation.table.iloc[1]
    better_rank = cox["concordance"] > base["concordance"]
    better_cal = cox["ici"] <= base["ici"]
    advice = ("use its probabilities as they are." if better_cal else
              "use it to rank customers, and read its highest probabilities as overstated, as the calibration "
              "curve shows.")
    return (f"Tested on customers it was not fitted on, the model puts customers in order of risk "
            f"{'better' if better_rank else 'no better'} than a simple average by group (it orders "
            f"{100 * cox['concordance']:.0f} of 100 pairs of customers correctly, against {100 * base['concordance']:.0f}"
            f"), and its predicted chances are {'at least as close' if better_cal else 'less close'} to what happened "
            f"(on average {100 * cox['ici']:.1f} percentage points off, against {100 * base['ici']:.1f}): {advice}")


def calibration_title(res: ChurnAnalysis) -> str:
    """Title of the calibration chart."""
    return f"Calibration at {res.horizon_months} months (out of fold)"


def validation_notes(res: ChurnAnalysis) -> list[str]:
    """The validation's notes (design, samples, folds left out), as page notes."""
    return [f"<span class='cx-note'>{n}</span>" for n in res.validation.notes] if validated(res) else []


def validation_method(res: ChurnAnalysis) -> str:
    """How the predictions were validated: the landmark back-test with dates, the static design without; the
    baseline named as it was fitted."""
    landmark = res.validation.design == "landmark"
    baseline = str(res.validation.table["model"].iloc[1])
    text = ("Validated out of sample: the model is refitted on four fifths of the customers and predicts the chance "
            "of leaving within the horizon for the other fifth, which is compared with what happened. ")
    text += ("The predictions are made for customers active one horizon before the analysis date, from their tenure "
             "and covariates as known then — exactly how today's scores are made. " if landmark else
             "Without calendar dates, each held-out customer's chance of leaving within the horizon from the start "
             "of their tenure is compared with whether they left. ")
    text += ("**Concordance** is the share of pairs of customers the model orders correctly (0.5 = coin toss). "
             "**ICI** and **E50** measure calibration: the mean and median gap between predicted and observed "
             f"probabilities (0 = perfect). The baseline is {baseline}.")
    return text


def validation_section(res: ChurnAnalysis) -> Section:
    """How well it predicts: the cross-validated table, the verdict, the calibration chart and the notes; one
    sentence when the model could not be validated; empty without a model."""
    from cxtemplate.churn.plots import plot_calibration

    section = Section()
    if not model_fitted(res):
        return section
    if not validated(res):
        section.say(f"*The model could not be validated out of sample: {res.validation}*")
        return section
    section.say("## How well it predicts")
    section.say(validation_verdict(res))
    section.table(validation_view(res))
    title = calibration_title(res)
    section.chart(plot_calibration, res.validation, horizon_days=res.horizon_days, title=title,
                  alt=alt_text.calibration_alt(res.validation, title))
    for text in validation_notes(res):
        section.say(text)
    section.method(validation_method(res))
    return section


# --------------------------------------------------------------------------- revenue at risk


def revenue_charts(res: ChurnAnalysis) -> list[tuple[str, str]]:
    """(dimension, chart title) of each revenue-at-risk bar chart: by segment and by location, those present."""
    if res.by_group is None:
        return []
    present = set(res.by_group["dimension"])
    return [(d, f"Revenue at risk by {display_label(d, res.labels).lower()}") for d in ("segment", "location")
            if d in present]


NO_REVENUE = ("There is no revenue column", "customers are ranked by their risk of leaving alone, and no value at "
              "risk is estimated")
REVENUE_METHOD = ("Revenue at risk = Σ over active customers of annual revenue × probability of leaving within the "
                  "horizon. The matrix crosses risk with value: the top-right cells are where retention effort pays.")


def _interval(lo, hi, fmt) -> str:
    return "–" if pd.isna(lo) or pd.isna(hi) else f"{fmt(lo)} to {fmt(hi)}"


def revenue_view(res: ChurnAnalysis, currency: str | None, dimension: str) -> TableView:
    """Revenue at risk and customers expected to leave in each group of ``dimension``, each with its interval."""
    t = res.by_group[res.by_group["dimension"] == dimension]
    name = display_label(dimension, res.labels)
    frame = pd.DataFrame({name: t["group"].to_numpy(), "Active customers": t["customers"].to_numpy()})
    frame["Expected to leave"] = t["expected_churners"].to_numpy()
    banded = "expected_churners_low" in t.columns
    if banded:
        frame["Interval (leavers)"] = [_interval(lo, hi, lambda v: f"{v:,.0f}") for lo, hi in
                                       zip(t["expected_churners_low"], t["expected_churners_high"])]
    frame["Revenue at risk"] = t["revenue_at_risk"].to_numpy()
    if banded:
        frame["Interval (revenue)"] = [fmt_money_range(lo, hi, currency) for lo, hi in
                                       zip(t["revenue_at_risk_low"], t["revenue_at_risk_high"])]
    frame["Share of the total"] = t["share_of_revenue_at_risk"].to_numpy()

    def money(v):
        return fmt_money(v, currency)

    return TableView(frame, f"Revenue at risk by {name.lower()} over the next {res.horizon_months} months",
                     formats={"Active customers": "{:,.0f}", "Expected to leave": "{:,.0f}", "Revenue at risk": money,
                              "Share of the total": _share_0dp},
                     note=f"Intervals are {level(res.conf)}: they allow for the model's uncertainty and for chance in "
                          "who leaves." if banded else None)


def follow_up_sentence(res: ChurnAnalysis) -> str:
    """How many active customers the horizon takes past the longest tenure observed (their risk is understated):
    "" when none."""
    sc = res.scores
    if not isinstance(sc, pd.DataFrame) or "beyond_follow_up" not in sc.columns or not sc["beyond_follow_up"].any():
        return ""
    n = int(sc["beyond_follow_up"].sum())
    return sentence(f"{n:,} of the {len(sc):,} active customers have been customers for so long that the next "
                    f"{plural(res.horizon_months, 'month')} reach past the longest tenure seen in the data; the model "
                    "cannot see their risk that far ahead, so their risk, and the totals here, are understated")


def revenue_section(res: ChurnAnalysis, currency: str | None) -> Section:
    """Revenue at risk: the bar charts (with intervals), the table by segment and the risk × value matrix, with the
    ``risk_by_segment`` and ``revenue_at_risk`` artifacts; the one sentence of :data:`NO_REVENUE` when no revenue is
    mapped; empty when no customer was scored."""
    from cxtemplate.churn.plots import plot_revenue_at_risk, plot_risk_value_matrix

    section = Section()
    if not model_fitted(res) or not isinstance(res.scores, pd.DataFrame):
        return section
    if res.by_group is None:
        section.absent(*NO_REVENUE)
        return section
    section.say("## Revenue at risk")
    if note := currency_note(currency):
        section.say(note)
    if text := follow_up_sentence(res):
        section.note(text)
    for dimension, title in revenue_charts(res):
        label = display_label(dimension, res.labels)
        section.chart(plot_revenue_at_risk, res.by_group, dimension=dimension, currency=currency, title=title,
                      source="churn model", label=label.lower(),
                      alt=alt_text.revenue_alt(res.by_group, dimension, title, currency, label))
        if dimension == "segment":
            section.table(revenue_view(res, currency, dimension))
    section.chart(plot_risk_value_matrix, res.matrix, currency=currency, title=MATRIX_TITLE,
                  alt=alt_text.matrix_alt(res.matrix, MATRIX_TITLE, currency))
    section.method(REVENUE_METHOD)
    if res.intervals is not None:
        section.method(res.intervals.method)
    section.keep("risk_by_segment", risk_by_segment(res.by_group))
    section.keep("revenue_at_risk", res.by_group)
    return section


def risk_by_segment(by_group: pd.DataFrame) -> pd.DataFrame:
    """The ``risk_by_segment`` artifact: revenue at risk by segment, else by plan, else by location, else by the
    first configured segment column (the action plan names its riskiest group from it).

    The group column is named after the dimension it holds (``segment``, ``plan``, …).
    """
    dims = [d for d in dict.fromkeys(by_group["dimension"].astype(str)) if d != "total"] or ["total"]
    dim = next((d for d in ("segment", "plan", "location") if d in dims), dims[0])
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


def top_customers_view(at_risk: pd.DataFrame, currency: str | None, shown: int = TOP_SHOWN) -> TableView:
    """The first ``shown`` customers of the list, for the page (titled by value only when revenue was mapped)."""
    n = len(at_risk)
    which = f"first {shown} of {n}" if n > shown else f"all {n}"
    title = "Most valuable customers at risk" if "revenue_at_risk" in at_risk.columns else \
        "Customers most likely to leave"
    frame = labelled(at_risk.head(shown), {
        "rank": "#", "customer_id": "Customer", "segment": "Segment", "plan": "Plan", "location": "Location",
        "churn_probability": "Risk", "annual_revenue": "Annual revenue", "revenue_at_risk": "Revenue at risk",
        "reasons": "Why the risk is high"})

    def money(v):
        return fmt_money(v, currency)

    return TableView(frame, f"{title} ({which})",
                     formats={"Risk": _share_0dp, "Annual revenue": money, "Revenue at risk": money,
                              "Why the risk is high": capitalise})


def customers_section(res: ChurnAnalysis, currency: str | None) -> Section:
    """The customers to call: the ranked list with its reasons and the ``at_risk_customers`` and ``scores``
    artifacts; empty when no customer was scored."""
    section = Section()
    at_risk = at_risk_customers(res) if model_fitted(res) else None
    if at_risk is None:
        return section
    ranked = ("the most revenue at risk" if "revenue_at_risk" in at_risk.columns
              else "the highest risk of leaving within the horizon")
    section.say("## The customers to call")
    section.say(f"<span class='cx-note'>The active customers with {ranked}, with the reasons their risk is high (the "
                "covariates that raise it most). Ids only: personal details stay in the run's restricted "
                "folder.</span>")
    section.table(top_customers_view(at_risk, currency))
    section.keep("at_risk_customers", at_risk)
    section.keep("scores", res.scores)
    return section


# --------------------------------------------------------------------------- what better experiences are worth


def counterfactual_sentences(res: ChurnAnalysis, currency: str) -> list[str]:
    """What turning detractors into passives would keep, with its interval; or why it cannot be estimated."""
    if not res.available:
        return []
    cf = res.counterfactual
    if isinstance(cf, Counterfactual):
        if cf.customers_affected == 0:
            return [f"No active customer is a {cf.from_level} today, so there is no revenue to win back this way."]
        return [sentence(f"if the **{plural(cf.customers_affected, 'current ' + cf.from_level)}** felt like "
                         f"{cf.to_level}s, about **{cf.churners_avoided:,.0f} fewer customers would leave** within "
                         f"{plural(res.horizon_months, 'month')}, keeping **{fmt_money(cf.revenue_retained, currency)}"
                         f"** of annual revenue ({level(cf.conf)} interval "
                         f"{fmt_money_range(cf.revenue_low, cf.revenue_high, currency)})")]
    if not model_fitted(res) or res.scores is None or not isinstance(res.scores, pd.DataFrame):
        return [absent_text("No churn model could be fitted", NO_VALUE)]
    if res.by_group is None:
        return [absent_text("There is no revenue column", NO_VALUE)]
    if not res.surveyed:
        return [absent_text("There are no survey answers linked to the customers", NO_VALUE)]
    return [absent_text("The model has no NPS covariate", NO_VALUE)]


def counterfactual_views(res: ChurnAnalysis, currency: str) -> list[TableView]:
    """The counterfactual by segment (none when there is none)."""
    cf = res.counterfactual
    if not isinstance(cf, Counterfactual) or cf.table.empty:
        return []
    by = cf.table.columns[0]
    name = display_label(by, res.labels)
    frame = labelled(cf.table, {by: name, "customers": f"Current {cf.from_level}s",
                                "churners_expected": "Expected to leave now",
                                "churners_counterfactual": f"Expected to leave as {cf.to_level}s",
                                "revenue_retained": "Revenue kept"})

    def money(v):
        return fmt_money(v, currency)

    bands = res.by_group if res.by_group is not None else pd.DataFrame()
    note = None
    if "saved_if_passive_low" in bands.columns and by in set(bands["dimension"]):
        rows = bands[bands["dimension"] == by].set_index("group")
        frame["Interval (revenue kept)"] = [
            fmt_money_range(rows.at[g, "saved_if_passive_low"], rows.at[g, "saved_if_passive_high"], currency)
            if g in rows.index else "–" for g in cf.table[by].astype(str)]
        note = f"Intervals are {level(res.conf)}, from the bootstrap refits of the model."
    return [TableView(frame, f"Revenue kept by {name.lower()} if {cf.from_level}s became {cf.to_level}s",
                      formats={"Expected to leave now": "{:,.1f}", f"Expected to leave as {cf.to_level}s": "{:,.1f}",
                               "Revenue kept": money}, note=note)]


COUNTERFACTUAL_METHOD = ("If today's detractors felt like passives instead (everything else unchanged), how much annual "
                         "revenue would stay? Each detractor's chance of leaving is recomputed as a passive's; the "
                         "interval reflects the uncertainty of the hazard ratios")


def counterfactual_section(res: ChurnAnalysis, currency: str | None) -> Section:
    """What better experiences are worth: the counterfactual's sentence and table, or the one sentence saying why it
    cannot be estimated; empty when there is no analysis."""
    section = Section()
    sentences = counterfactual_sentences(res, currency)
    if not isinstance(res.counterfactual, Counterfactual):
        for text in sentences:
            section.say(text)
        return section
    section.say("## What better experiences are worth")
    for text in sentences:
        section.say(text)
    for view in counterfactual_views(res, currency):
        section.table(view)
    section.method(f"{COUNTERFACTUAL_METHOD} ({res.counterfactual.method}).")
    return section


def closing_notes(res: ChurnAnalysis) -> list[str]:
    """Every note of the analysis (what was dropped, merged, sampled or assumed), once each, as one page note;
    what the model section says already (:func:`model_notes`) is not repeated."""
    shown = set(model_notes(res)) if res.available and res.survival is not None else set()
    notes = [n for n in dict.fromkeys(res.notes) if n not in shown]
    if not notes:
        return []
    return ["<span class='cx-note'>Notes: " + " ".join(notes) + "</span>"]


def design_text(res: ChurnAnalysis) -> str:
    """The page's design paragraph, naming only the data the model used (nothing when there is no model)."""
    if not model_fitted(res):
        return ""
    cx = [c for c in res.covariates if c in ("nps_category", "ces", "unresolved_contacts", "negative_contacts")]
    if res.model.kind == "time_varying" and cx:
        told = " or ".join(w for w, ok in (("a survey answer", {"nps_category", "ces"} & set(cx)),
                                            ("a contact", {"unresolved_contacts", "negative_contacts"} & set(cx)))
                           if ok)
        return ("Hazard ratios come from a **time-varying Cox model** (the estimator of lifelines' "
                "`CoxTimeVaryingFitter`, Efron ties, computed vectorised): each customer's tenure is cut into "
                f"intervals, and {told} changes their covariates only from the day it happened, so nothing a customer "
                "said or did after they left (or after the analysis date) can leak into the model. Active customers "
                "are then scored from a **landmark** at the analysis date: their covariates as known today, and the "
                "probability that they leave within the horizon *given the tenure they have already reached*.")
    if res.model.kind == "time_varying":
        return ("Hazard ratios come from a **Cox model** of tenure (Efron ties) with the CRM's covariates; "
                "active customers are scored from a **landmark** at the analysis date: the probability that they "
                "leave within the horizon *given the tenure they have already reached*.")
    return ("Without calendar dates (tenure and a churn flag only), the **Cox model** (lifelines' "
            "`CoxPHFitter`, Efron ties) is fitted on one row per customer with the CRM's covariates, and each active "
            "customer is scored on the probability of leaving within the horizon *given the tenure they have "
            "already reached*.")


SURVIVAL_METHOD = ("A customer who is still with us has not \"not churned\": we only know they have stayed so far. "
                   "Survival analysis uses that partial information instead of discarding it, which is why it "
                   "needs far fewer churners than a classifier and does not mistake new customers for loyal ones.")


def opening_section(res: ChurnAnalysis, currency: str | None) -> Section:
    """The page's opening: the plain sentences of the results; the design and why survival analysis in the "How this
    was measured" note."""
    section = Section()
    section.say(opening_sentence(res, currency))
    if res.available:
        if text := design_text(res):
            section.method(text)
        section.method(SURVIVAL_METHOD)
    return section
