"""What notebook 05's page shows: its tables (columns, labels, formats), its sentences and verdicts, and the
two artifacts it shapes.

Truth: the demo report's page as it read before the notebook was thinned (the sentences and table cells quoted
here are copied from that page, for the numbers it showed); hand-made results whose every cell is worked out
in the test; and, end to end, a whole analysis at 95% and 90% whose page must state the level it was run at.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn import page, survival_page
from cxtemplate.churn.flow import ChurnAnalysis
from cxtemplate.churn.results import ChurnUnavailable
from cxtemplate.churn.scoring import Counterfactual
from cxtemplate.churn.validation import Validation
from cxtemplate.report.display import TableView


def _shown(view: TableView, column: str) -> list[str]:
    """The cells of a column as show_table formats them."""
    fmt = view.formats.get(column)
    values = view.frame[column].tolist()
    if fmt is None:
        return [str(v) for v in values]
    return [fmt.format(v) if isinstance(fmt, str) else fmt(v) for v in values]


# --------------------------------------------------------------------------- levels


def test_levels_and_significance():
    assert page.level(0.95) == "95%" and page.level(0.9) == "90%" and page.level(0.975) == "97.5%"
    assert page.significance(0.95) == 0.05 and page.significance(0.9) == 0.1
    assert page.currency_symbol("GBP") == "£" and page.currency_symbol("CHF") == "CHF "


# --------------------------------------------------------------------------- opening


def _analysis(**kw) -> ChurnAnalysis:
    surv = pd.DataFrame({"churned": [True, False, False, True, False]})
    scores = pd.DataFrame({"churn_probability": [0.2, 0.3, 0.5], "annual_revenue": [1000.0, 2000.0, 1000.0],
                           "revenue_at_risk": [200.0, 600.0, 500.0]})
    return ChurnAnalysis(True, **{"survival": surv, "scores": scores, **kw})


def test_opening_sentence_by_hand():
    # 5 customers, 2 left, 3 active; Σ p = 1.0 expected churners; £1,300 of £4,000 at risk = 32.5%
    assert page.opening_sentence(_analysis(), "GBP") == (
        "Of 5 customers in the data, 2 have left and 3 are still customers. About **1 of the active customers is "
        "expected to leave** within the next 12 months. They would take **£1,300 of annual revenue** with them, 32.5% "
        "of what the active customers bring in.")
    no_revenue = _analysis(horizon_months=6)
    no_revenue.scores = no_revenue.scores.drop(columns=["annual_revenue", "revenue_at_risk"])
    assert page.opening_sentence(no_revenue, "GBP").endswith(
        "About **1 of the active customers is expected to leave** within the next 6 months.")
    assert page.opening_sentence(_analysis(scores=None), "GBP") == (
        "Of 5 customers in the data, 2 have left and 3 are still customers.")
    assert page.opening_sentence(ChurnAnalysis(False, "Nobody has left."), "GBP") == "**Nobody has left.**"


def test_switched_off_the_page_says_so_in_one_sentence_and_nothing_else():
    res = ChurnAnalysis.switched_off()
    assert page.opening_sentence(res, "GBP") == (
        "*Churn analysis is switched off in the parameters (churn.enabled: false) — no model was fitted, so this "
        "page has no results*")
    assert survival_page.km_sections(res) == [] and not page.model_fitted(res) and not page.validated(res)
    assert page.model_warnings(res) == [] and page.validation_notes(res) == [] and page.revenue_charts(res) == []
    assert page.at_risk_customers(res) is None and page.time_split_views(res) == []
    assert page.counterfactual_sentences(res, "GBP") == [] and page.counterfactual_views(res, "GBP") == []
    assert page.closing_notes(res) == []


# --------------------------------------------------------------------------- who leaves, and when


def test_hazard_ratio_view_and_model_sentences(rossi_fit):
    res = ChurnAnalysis(True, design="Cox model on one row per customer", model=rossi_fit,
                        notes=["'charges' moves with tenure itself … it leaks the outcome …", "Other note."])
    assert page.model_fitted(res) and page.forest_title(res) == "Hazard ratios of leaving (95% interval)"
    view = page.hazard_ratio_view(res)
    assert view.columns == ["Characteristic", "Hazard ratio", "Low", "High", "p-value"] and len(view.frame) == 7
    assert view.note.startswith("432 customers, 114 of whom left; 95% intervals.")
    assert _shown(view, "Characteristic")[0] == "Fin, per unit"
    assert _shown(view, "Hazard ratio")[0] == f"{np.exp(rossi_fit.params['fin']):.2f}" == "0.68"
    assert (_shown(view, "p-value")[0], _shown(view, "p-value")[6]) == ("0.05", "0.001")      # fin 0.047, prio 0.0014
    # the method note names the model and its penalty (not the table note)
    assert "Cox model on one row per customer" in page.model_method(res) and "λ = 0" in page.model_method(res)
    # the note names the check already: said once
    assert page.ph_sentence(res).startswith("Proportional-hazards check: the effect of age changes with tenure")
    ok = rossi_fit.__class__(**{**rossi_fit.__dict__, "ph_note": "The proportional-hazards check … found no violation."})
    assert page.ph_sentence(ChurnAnalysis(True, model=ok)) == "The proportional-hazards check … found no violation."
    assert page.model_warnings(res) == []
    # the covariates in the reader's words (the NPS group named as such, the params' labels winning)
    named = ChurnAnalysis(True, covariates=["plan", "nps_category", "unresolved_contacts"],
                          labels={"plan": "Tariff"})
    assert page.covariates_sentence(named) == ("The model uses 3 covariates, characteristics of each customer weighed "
                                               "together: tariff, the NPS group at the last survey and unresolved "
                                               "contacts.")
    res.leaks, res.kept_leaking = {"total_charges": 0.83, "orders": -0.7}, ["orders"]
    left, kept = page.leak_sentences(res)
    assert left.startswith("**Left out of the model:** 'total_charges' (Spearman ρ = 0.83 with tenure) moves with "
                           "tenure itself") and "churn.keep_leaking" in left and "orders" not in left
    assert kept.startswith("**Warning:** 'orders' moves with tenure itself (Spearman ρ = -0.70) and is kept")
    failed = ChurnAnalysis(True, model=ChurnUnavailable("No usable covariates."))
    assert not page.model_fitted(failed)
    assert page.model_warnings(failed) == ["*The Cox model could not be fitted: No usable covariates.*"]
    assert page.model_warnings(ChurnAnalysis(False, "x")) == []


def test_early_late_table_when_an_effect_changes_with_tenure(rossi_fit):
    (view,) = page.time_split_views(ChurnAnalysis(True, model=rossi_fit, conf=0.95))
    assert view.title == "Hazard ratios before and after day 28 of tenure (the median churn time)"
    assert view.frame["Characteristic"].tolist() == ["Age, per unit"] and view.note == "Intervals are 95%."
    split = rossi_fit.time_split.iloc[0]
    assert view.frame["Late interval"].iloc[0] == f"{split['hr_late_low']:.2f}–{split['hr_late_high']:.2f}"
    assert _shown(view, "p (difference)") == ["0.002"]


# --------------------------------------------------------------------------- how well it predicts


def _validation(cox_conc, cox_ici, km_conc, km_ici):
    table = pd.DataFrame({"model": ["Cox", "Kaplan–Meier by segment"], "design": "landmark back-test",
                          "concordance": [cox_conc, km_conc], "concordance_sd": [0.020, 0.023],
                          "ici": [cox_ici, km_ici], "e50": [0.020, 0.007], "mean_predicted": [0.135, 0.139],
                          "observed_by_horizon": [0.140, 0.140], "n": [2791, 2791], "churned": [392, 392],
                          "folds": [5, 5]})
    return Validation("landmark", table, pd.DataFrame(), {}, pd.DataFrame(), ["Validation back-tests …"])


def test_validation_view_and_verdict_as_on_the_demo_page():
    res = ChurnAnalysis(True, validation=_validation(0.5989483028777391, 0.020979862859093264, 0.5551, 0.0131))
    assert page.validated(res)
    view = page.validation_view(res)
    assert view.columns == ["Model", "Pairs ordered correctly", "SD over folds", "Calibration gap (mean)",
                            "Calibration gap (median)", "Mean predicted", "Observed", "Customers", "Left"]
    assert _shown(view, "Pairs ordered correctly") == ["0.599", "0.555"]
    assert _shown(view, "Mean predicted") == ["13.5%", "13.9%"]
    # plain words, no method names (concordance 0.599 → 60 of 100 pairs; ICI 0.021 → 2.1 points)
    verdict = page.validation_verdict(res)
    assert verdict == (
        "Tested on customers it was not fitted on, the model puts customers in order of risk better than a simple "
        "average by group (it orders 60 of 100 pairs of customers correctly, against 56), and its predicted chances "
        "are less close to what happened (on average 2.1 percentage points off, against 1.3): use it to rank "
        "customers, and read its highest probabilities as overstated, as the calibration curve shows.")
    assert not {"concordance", "ICI", "E50"} & set(verdict.replace(",", " ").split())
    good = ChurnAnalysis(True, validation=_validation(0.55, 0.010, 0.60, 0.020))
    assert page.validation_verdict(good).endswith(
        "no better than a simple average by group (it orders 55 of 100 pairs of customers correctly, against 60), and "
        "its predicted chances are at least as close to what happened (on average 1.0 percentage points off, against "
        "2.0): use its probabilities as they are.")
    assert page.validation_notes(res) == ["<span class='cx-note'>Validation back-tests …</span>"]
    assert page.calibration_title(ChurnAnalysis(True, horizon_months=6)) == "Calibration at 6 months (out of fold)"
    assert not page.validated(ChurnAnalysis(True, validation=ChurnUnavailable("No churn events to validate against.")))


# --------------------------------------------------------------------------- revenue at risk and the customers to call


def _by_group(dims=("total", "segment", "location")):
    rows = {"total": ["all"], "segment": ["Consumer", "Enterprise"], "location": ["Leeds"], "plan": ["Basic"]}
    out = [{"dimension": d, "group": g, "customers": 3, "revenue_at_risk": 10.0} for d in dims for g in rows[d]]
    return pd.DataFrame(out)


def test_revenue_charts_and_the_risk_by_segment_artifact():
    res = ChurnAnalysis(True, by_group=_by_group())
    assert page.revenue_charts(res) == [("segment", "Revenue at risk by segment"),
                                        ("location", "Revenue at risk by location")]
    seg = page.risk_by_segment(_by_group())
    assert seg.columns.tolist() == ["segment", "customers", "revenue_at_risk"]
    assert seg["segment"].tolist() == ["Consumer", "Enterprise"]
    plan_only = page.risk_by_segment(_by_group(("total", "plan")))     # no segment: the plan, named so
    assert plan_only.columns[0] == "plan" and plan_only["plan"].tolist() == ["Basic"]
    # a telecom CRM draws curves by many service flags: the plan names the riskiest group, not the last flag
    flags = pd.concat([_by_group(("total", "location", "plan")),
                       pd.DataFrame({"dimension": "streaming_tv", "group": ["Yes", "No"], "customers": 3,
                                     "revenue_at_risk": 50.0})], ignore_index=True)
    assert page.risk_by_segment(flags).columns[0] == "plan"
    only_flags = flags[flags["dimension"].isin(["total", "streaming_tv"])]
    assert page.risk_by_segment(only_flags).columns[0] == "streaming_tv"
    assert page.revenue_charts(ChurnAnalysis(True)) == []


def test_revenue_by_segment_gives_every_figure_with_its_interval():
    by = pd.DataFrame({"dimension": ["total", "segment", "segment"], "group": ["all", "Small business", "Consumer"],
                       "customers": [3657, 784, 2873], "expected_churners": [452.9, 129.09, 323.78],
                       "expected_churners_low": [380.0, 101.0, 271.0], "expected_churners_high": [520.0, 155.0, 372.0],
                       "revenue_at_risk": [298600.8, 166408.36, 132192.39],
                       "revenue_at_risk_low": [230000.0, 126094.0, 109118.0],
                       "revenue_at_risk_high": [360000.0, 204264.0, 153791.0],
                       "share_of_revenue_at_risk": [1.0, 0.557, 0.443]})
    view = page.revenue_view(ChurnAnalysis(True, by_group=by, conf=0.9), "GBP", "segment")
    assert view.columns == ["Segment", "Active customers", "Expected to leave", "Interval (leavers)", "Revenue at risk",
                            "Interval (revenue)", "Share of the total"]
    assert view.title == "Revenue at risk by segment over the next 12 months"
    assert _shown(view, "Expected to leave") == ["129", "324"] and view.frame["Interval (leavers)"].tolist() == [
        "101 to 155", "271 to 372"]
    assert _shown(view, "Revenue at risk") == ["£166,408", "£132,192"]
    assert view.frame["Interval (revenue)"].tolist() == ["£126,094 to £204,264", "£109,118 to £153,791"]
    assert view.note.startswith("Intervals are 90%")
    plain = page.revenue_view(ChurnAnalysis(True, by_group=by), None, "segment")
    assert _shown(plain, "Revenue at risk") == ["166,408", "132,192"]          # no currency: none assumed


def test_the_page_says_when_the_horizon_reaches_past_the_tenures_observed():
    scores = pd.DataFrame({"churn_probability": [0.1, 0.2, 0.3], "beyond_follow_up": [True, False, True]})
    assert page.follow_up_sentence(ChurnAnalysis(True, scores=scores, horizon_months=6)) == (
        "2 of the 3 active customers have been customers for so long that the next 6 months reach past the longest "
        "tenure seen in the data; the model cannot see their risk that far ahead, so their risk, and the totals here, "
        "are understated.")
    assert page.follow_up_sentence(ChurnAnalysis(True, scores=scores.assign(beyond_follow_up=False))) == ""


def _top(n):
    return pd.DataFrame({"rank": range(1, n + 1), "customer_id": [f"C{i:07d}" for i in range(n)],
                         "segment": "Small business", "plan": None, "location": "Glasgow",
                         "churn_probability": 0.256, "annual_revenue": 5020.0, "revenue_at_risk": 1284.1,
                         "reasons": "detractor at last survey (HR 2.0 vs promoter)", "reason_1": "x"})


def test_the_customers_to_call():
    at_risk = page.at_risk_customers(ChurnAnalysis(True, top=_top(20)))
    assert at_risk.columns.tolist() == ["rank", "customer_id", "segment", "location", "churn_probability",
                                        "annual_revenue", "revenue_at_risk", "reasons"]       # empty plan left out
    view = page.top_customers_view(at_risk, "GBP")
    assert view.title == "Most valuable customers at risk (first 15 of 20)" and len(view.frame) == 15
    assert view.columns == ["#", "Customer", "Segment", "Location", "Risk", "Annual revenue", "Revenue at risk",
                            "Why the risk is high"]
    # the demo page's first row: 26% £5,020 £1,284
    assert (_shown(view, "Risk")[0], _shown(view, "Annual revenue")[0], _shown(view, "Revenue at risk")[0]) == \
        ("26%", "£5,020", "£1,284")
    assert page.top_customers_view(at_risk.head(8), "USD").title == "Most valuable customers at risk (all 8)"
    assert _shown(page.top_customers_view(at_risk, "USD"), "Annual revenue")[0] == "$5,020"
    assert page.at_risk_customers(ChurnAnalysis(True, top=_top(0))) is None


# --------------------------------------------------------------------------- what better experiences are worth


def _cf(affected=948, conf=0.95):
    table = pd.DataFrame({"segment": ["Consumer", "Enterprise"], "customers": [671, 76],
                          "churners_expected": [103.2, 4.6], "churners_counterfactual": [81.6, 3.6],
                          "revenue_retained": [8841.0, 6733.0]})
    return Counterfactual("nps_category", "detractor", "passive", affected, 150.0, 119.0, 31.0, 26761.49783059045,
                          8549.155973728504, 44911.65513408965,
                          "parametric bootstrap, 1000 draws from the coefficient covariance", table, conf)


def test_counterfactual_sentence_and_table_as_on_the_demo_page(rossi_fit):
    res = ChurnAnalysis(True, model=rossi_fit, counterfactual=_cf())
    assert page.counterfactual_sentences(res, "GBP") == [
        "If the **948 current detractors** felt like passives, about **31 fewer customers would leave** within 12 "
        "months, keeping **£26,761** of annual revenue (95% interval £8,549 to £44,912)."]
    # how the interval was drawn is in the method note, not the sentence
    (method,) = page.counterfactual_section(res, "GBP").methods
    assert method.endswith("(parametric bootstrap, 1000 draws from the coefficient covariance).")
    assert "(90% interval £8,549" in page.counterfactual_sentences(
        ChurnAnalysis(True, counterfactual=_cf(conf=0.9)), "GBP")[0]
    (view,) = page.counterfactual_views(res, "GBP")
    assert view.title == "Revenue kept by segment if detractors became passives"
    assert view.columns == ["Segment", "Current detractors", "Expected to leave now", "Expected to leave as passives",
                            "Revenue kept"]
    assert _shown(view, "Expected to leave now") == ["103.2", "4.6"]
    assert _shown(view, "Revenue kept") == ["£8,841", "£6,733"]
    # with the bootstrap's intervals by segment, each row carries its own
    bands = pd.DataFrame({"dimension": ["total", "segment", "segment"], "group": ["all", "Consumer", "Enterprise"],
                          "saved_if_passive_low": [9000.0, 3500.0, 1200.0],
                          "saved_if_passive_high": [44000.0, 14000.0, 15000.0]})
    (banded,) = page.counterfactual_views(ChurnAnalysis(True, counterfactual=_cf(), by_group=bands), "GBP")
    assert banded.frame["Interval (revenue kept)"].tolist() == ["£3,500 to £14,000", "£1,200 to £15,000"]
    assert banded.note == "Intervals are 95%, from the bootstrap refits of the model."
    nobody = ChurnAnalysis(True, counterfactual=_cf(affected=0))
    assert page.counterfactual_sentences(nobody, "GBP") == [
        "No active customer is a detractor today, so there is no revenue to win back this way."]


def test_why_the_value_of_better_experiences_cannot_be_estimated(rossi_fit):
    scores = pd.DataFrame({"churn_probability": [0.1]})
    cases = {
        "No churn model could be fitted": ChurnAnalysis(True, model=ChurnUnavailable("No usable covariates.")),
        "There is no revenue column": ChurnAnalysis(True, model=rossi_fit, scores=scores),
        "There are no survey answers linked to the customers": ChurnAnalysis(True, model=rossi_fit, scores=scores,
                                                                             by_group=_by_group()),
        "The model has no NPS covariate": ChurnAnalysis(True, model=rossi_fit, scores=scores, by_group=_by_group(),
                                                        surveyed=True),
    }
    for what, res in cases.items():
        assert page.counterfactual_sentences(res, "GBP") == [
            f"*{what} — the value of better experiences cannot be estimated here*"]
        assert page.counterfactual_views(res, "GBP") == []
    assert page.counterfactual_sentences(ChurnAnalysis(False, "x"), "GBP") == []


def test_closing_notes_say_each_note_once():
    assert page.closing_notes(ChurnAnalysis(True, notes=["A.", "B.", "A."])) == [
        "<span class='cx-note'>Notes: A. B.</span>"]
    assert page.closing_notes(ChurnAnalysis(True)) == []


# --------------------------------------------------------------------------- a whole analysis, at two levels


@pytest.mark.parametrize("conf, said", [(0.95, "95%"), (0.90, "90%")])
def test_every_interval_on_the_page_states_the_level_it_was_computed_at(analysed, conf, said):
    res = analysed[conf]
    sections = survival_page.km_sections(res)
    assert sections[0][1] == "Customers still active by tenure: all customers"
    for _km_result, _title, view, sentence in sections[1:]:
        assert view.note.endswith(f"each with its {said} interval.") and sentence.startswith("How long customers stay")
    assert page.forest_title(res) == f"Hazard ratios of leaving ({said} interval)"
    assert f"({said} interval " in page.counterfactual_sentences(res, "GBP")[0]
    assert page.validated(res) and page.validation_verdict(res).startswith("Tested on customers it was not fitted on")
    opening = page.opening_sentence(res, "GBP")
    assert opening.startswith("Of 1,200 customers in the data, ")
    # the expected leavers and the revenue at risk carry their interval, at the level of the analysis
    assert opening.count(f"({said} interval ") >= 3
    at_risk = page.at_risk_customers(res)
    assert len(at_risk) == 50 and at_risk["rank"].tolist() == list(range(1, 51))
