"""Tests of the executive summary (cxtemplate.plan.summary): cards, sentences and tables from artifacts
written by hand, with the expected text written out in full."""

from __future__ import annotations

import pandas as pd
import pytest

from cxtemplate.plan import summary as sm

HEADLINE = pd.DataFrame({
    "key": ["nps", "csat", "ces"], "metric": ["NPS", "CSAT", "CES"],
    "unit": ["NPS, −100…100", "CSAT, % answering 4 or 5", "CES, mean on 1–7"], "period": ["2025-12"] * 3,
    "value": [-3.4, 61.97, 4.3066], "ci_low": [-9.6, 58.49, 4.19], "ci_high": [2.8, 65.32, 4.4232],
    "n": [773, 773, 1_204], "change_prev": [0.06, -2.71, None], "p_adj_prev": [0.99, 0.01, None]})
MATURITY = {"available": True, "stage": 2, "stage_name": "Elevate", "mean_level": 2.284, "target_stage": 3}
CHURN = {"available": True, "revenue_at_risk": 398_160.4, "horizon_months": 12, "concordance": 0.712, "ici": 0.0123}
DRIVERS = pd.DataFrame({"Driver": ["Reliability", "Speed of service", "Ease", "Value"],
                        "Share of R² %": [30.4, 20.45, 16.6, 10.0], "Mean rating": [7.82, 5.78, 7.63, 7.4],
                        "Quadrant": ["Keep up the good work", "Concentrate here", "Keep up the good work",
                                     "Concentrate here"]})
REGISTER = pd.DataFrame({"rank": [1, 2, 3, 4, 5, 6], "action": [f"Act {i}" for i in range(1, 7)],
                         "impact": [166_408.4, 8.04, None, 1.12, 3.26, 2.0],
                         "impact_unit": ["GBP a year at risk", "NPS points", "", "maturity levels to close",
                                         "NPS points (organisation)", "NPS points"],
                         "owner": ["Owen Price (Account Management Lead)"] + ["Priya Shah"] * 5,
                         "due": ["2026-01-30", "2026-03-01", "2026-03-31", "2026-03-31", "2026-01-30", "2026-05-30"]})


def test_metric_cards_show_value_interval_n_and_change_in_the_metrics_own_decimals():
    nps, csat, ces = sm.metric_cards(HEADLINE)
    assert nps == {"label": "NPS · 2025-12", "value": "−3",
                   "detail": "95% CI -10 to 3 · n = 773 · +0.1 vs previous period (not significant)"}
    assert csat == {"label": "CSAT · 2025-12", "value": "62%",
                    "detail": "95% CI 58 to 65 · n = 773 · −2.7 vs previous period (significant)"}
    assert ces == {"label": "CES · 2025-12", "value": "4.31",
                   "detail": "95% CI 4.19 to 4.42 · n = 1,204 · no previous period"}
    assert sm.metric_cards(None) == [] and sm.metric_cards(HEADLINE.iloc[:0]) == []


def test_maturity_and_revenue_cards():
    assert sm.maturity_card(MATURITY) == {"label": "CX maturity", "value": "Stage 2",
                                          "detail": "Elevate · mean level 2.28 · target stage 3"}
    assert sm.maturity_card({"available": False, "stage": 2}) is None and sm.maturity_card(None) is None
    assert sm.revenue_card(CHURN, "GBP") == {
        "label": "Revenue at risk", "value": "£398,160",
        "detail": "annual revenue of customers likely to leave within 12 months"}
    with_ci = sm.revenue_card({**CHURN, "revenue_at_risk_low": 350_000, "revenue_at_risk_high": 450_000}, "USD")
    assert with_ci["value"] == "$398,160"
    assert with_ci["detail"].startswith("95% CI $350,000 to $450,000 · annual revenue")
    assert sm.revenue_card({"available": False}, "GBP") is None


def test_headline_cards_in_reading_order_and_as_escaped_html():
    cards = sm.headline_cards(HEADLINE, MATURITY, CHURN, "GBP")
    assert [c["label"] for c in cards] == ["NPS · 2025-12", "CSAT · 2025-12", "CES · 2025-12", "CX maturity",
                                           "Revenue at risk"]
    assert len(sm.headline_cards(None, None, None, "GBP")) == 0
    html = sm.cards_html([{"label": "<script>x</script>", "value": "1 & 2", "detail": "\"d\""}])
    assert html == ('<section class="cx-cards"><div class="cx-card"><div class="cx-k">&lt;script&gt;x&lt;/script&gt;'
                    '</div><div class="cx-v">1 &amp; 2</div><div class="cx-s">&quot;d&quot;</div></div></section>')


def test_opening_sentence():
    text = sm.opening_sentence("Northwind", HEADLINE, DRIVERS, CHURN, REGISTER, "GBP")
    assert text == ("Northwind's NPS stands at -3 (95% CI -10 to 3) in 2025-12; the lever with most room is speed "
                    "of service, important to customers and rated below the other drivers; £398,160 of annual "
                    "revenue sits with customers likely to leave within 12 months. First action: Act 1 "
                    "(Owen Price (Account Management Lead), by 2026-01-30).")
    assert sm.opening_sentence("Northwind", None, None, None, None, "GBP") == ""
    # defect fixed: with nothing but the register the paragraph began with a space
    assert sm.opening_sentence("Northwind", None, None, None, REGISTER, "GBP") == (
        "First action: Act 1 (Owen Price (Account Management Lead), by 2026-01-30).")

    # a noun phrase stays one: "The first action is to retention outreach to …" read as broken English (issue 16)
    noun = REGISTER.assign(action=["Retention outreach to customers in France at highest risk"] * len(REGISTER))
    assert sm.opening_sentence("Bank", None, None, None, noun, "EUR").startswith(
        "First action: Retention outreach to customers in France at highest risk (")


def test_drivers_sentence_names_the_top_three_with_the_model():
    summary = {"method": "Shapley value regression", "r2": 0.4132, "n": 5_877}
    assert sm.drivers_sentence(DRIVERS, summary) == (
        "**Reliability** (30% of what the ratings explain, rated 7.8); **Speed of service** (20% of what the ratings "
        "explain, rated 5.8); **Ease** (17% of what the ratings explain, rated 7.6). Method: Shapley value "
        "regression, R² = 0.41, n = 5,877.")
    assert sm.drivers_sentence(None) == "*No key-driver analysis was possible (no driver ratings).*"


def test_first_actions_view_shows_five_with_their_impact():
    view = sm.first_actions_view(REGISTER, "GBP")
    assert view.title == "Top five actions by priority"
    assert view.columns == ["#", "Action", "Expected impact", "Owner", "Due"]
    assert view.frame["Expected impact"].tolist() == ["£166,408 a year at risk", "+8.0 NPS points", "not quantified",
                                                      "1.12 levels to close", "+3.3 NPS points (organisation)"]
    assert view.note.startswith("Priority = impact score × confidence ÷ effort")


@pytest.mark.parametrize(("maturity", "churn", "note"), [
    (MATURITY, CHURN, "<span class='cx-note'>CX maturity: stage 2 (Elevate), target stage 3; churn model concordance "
                      "0.71 in cross-validation, calibration error (ICI) 0.012 at 12 months. Definitions and methods "
                      "are on the detailed pages.</span>"),
    (None, {"available": False}, ""),
    (None, CHURN, "<span class='cx-note'>Churn model concordance 0.71 in cross-validation, calibration error (ICI) "
                  "0.012 at 12 months. Definitions and methods are on the detailed pages.</span>"),  # a CRM only
    ({"stage": 1, "stage_name": "Start", "target_stage": 3}, None,
     "<span class='cx-note'>CX maturity: stage 1 (Start), target stage 3. Definitions and methods are on the detailed "
     "pages.</span>"),
])
def test_methods_note(maturity, churn, note):
    assert sm.methods_note(maturity, churn) == note


def test_a_card_without_an_interval_says_there_were_too_few_responses():
    one = HEADLINE.iloc[[2]].assign(ci_low=float("nan"), ci_high=float("nan"), n=1)  # CES of one response: no t interval
    (ces,) = sm.metric_cards(one)
    assert ces["detail"] == "too few responses for an interval · n = 1 · no previous period"


def test_no_revenue_means_no_revenue_card_and_no_money_in_the_opening():
    """A churn summary without revenue (no revenue mapped: notebook 05 writes no ``revenue_at_risk``) or with a
    zero total values nothing: no card, no "£0 of annual revenue" (issue 15)."""
    unvalued = {"available": True, "horizon_months": 12, "concordance": 0.7, "ici": 0.01, "expected_churners": 120.0}
    assert sm.revenue_card(unvalued, "GBP") is None
    assert sm.revenue_card({**unvalued, "revenue_at_risk": 0.0, "annual_revenue": 0.0}, "GBP") is None
    assert [c["label"] for c in sm.headline_cards(None, None, unvalued, "GBP")] == []
    assert "revenue" not in sm.opening_sentence("Bank", None, None, unvalued, REGISTER, "GBP")
    with_revenue = {**CHURN, "annual_revenue": 4_458_582.84}
    assert sm.revenue_card(with_revenue, "GBP")["value"] == "£398,160"


def test_without_a_currency_money_is_plain_and_the_note_says_so():
    assert sm.revenue_card(CHURN, None)["value"] == "398,160"
    assert sm.methods_note(None, CHURN, None).endswith(
        "; amounts are shown without a currency symbol (the parameters set no `organisation.currency`). Definitions "
        "and methods are on the detailed pages.</span>")
    assert "currency" not in sm.methods_note(None, CHURN, "GBP")


def test_the_drivers_and_actions_sections():
    assert sm.drivers_section(DRIVERS, survey=False).items == []
    assert sm.drivers_section(DRIVERS).sentences == [sm.drivers_sentence(DRIVERS, None)]
    assert sm.first_actions_section(None).sentences == ["*No action was generated.*"]
    assert len(sm.first_actions_section(REGISTER).tables[0].frame) == 5
