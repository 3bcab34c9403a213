"""Tests of the executive summary (cxtemplate.plan.summary): cards, sentences and tables from artifacts
written by hand, with the expected text written out in full."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.plan import summary as sm
from cxtemplate.plan.actions import impact_text
from cxtemplate.report.markup import clean_html

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
                         "due": ["2026-01-30", "2026-03-01", "2026-03-31", "2026-03-31", "2026-01-30", "2026-05-30"],
                         # the ranking unit of notebook 06's register: the value an action may save a year
                         "impact_value": [7_744.2, None, None, None, None, None],
                         "impact_low": [2_474.0, None, None, None, None, None],
                         "impact_high": [12_995.0, None, None, None, None, None]})


SPECS = {"nps": MetricSpec("NPS", "nps", "nps", (0, 10), label="Net Promoter Score"),
         "csat": MetricSpec("CSAT", "csat", "top_box", (1, 5), success_min=4, label="Customer satisfaction (CSAT)"),
         "ces": MetricSpec("CES", "ces", "mean", (1, 7), label="Customer effort (CES)")}
OBJECTIVES = pd.DataFrame({"metric": ["NPS", "CSAT"], "goal": ["Grow referrals", "Reduce billing complaints"],
                           "where": ["all customers"] * 2, "target": [20.0, 72.0],
                           "deadline": ["2026-12-31"] * 2, "status": ["off track", "on track"],
                           "projected": [7.9, 73.0]})


def _table(values, n=700, kind="top_box"):
    """A period table of 12 months ending 2025-12 with the columns notebook 04 saves (periods as text)."""
    v = np.asarray(values, float)
    se = np.sqrt(v * (100 - v) / n) if kind == "top_box" else np.full(len(v), 3.0 if kind == "nps" else 0.06)
    t = pd.DataFrame({"period": [str(p) for p in pd.period_range(end="2025-12", periods=len(v), freq="M")],
                      "value": v, "n": n, "se": se, "ci_low": v - 2 * se, "ci_high": v + 2 * se,
                      "change_prev": np.r_[np.nan, np.diff(v)], "p_adj_prev": 0.5, "baseline": "2025-01",
                      "change_base": v - v[0], "p_adj_base": 0.2})
    return t


TABLES = {"nps": _table([12.0] * 12, kind="nps"), "csat": _table([74, 73, 74, 73, 74, 74, 74, 72, 70, 68, 66, 62]),
          "ces": _table([4.3] * 12, kind="mean")}


def test_metric_cards_show_value_window_interval_n_target_status_changes_trend_and_sparkline():
    nps, csat, ces = sm.headline_cards(HEADLINE, None, None, "GBP", tables=TABLES, specs=SPECS, objectives=OBJECTIVES)
    assert (csat["label"], csat["value"], csat["window"], csat["n"]) == ("CSAT", "62%", "2025-12 (latest month)",
                                                                          "n = 700")
    assert csat["target"] == "Target 72% by 2026-12-31: on track (on the recent trend, 73% by then)"
    assert csat["change_prev"] == "−4.0 percentage points vs 2025-11 (not significant, adjusted p 0.50)"
    assert csat["change_base"] == "−12.0 percentage points vs baseline 2025-01 (not significant, adjusted p 0.20)"
    assert csat["trend_alert"] and not nps["trend_alert"] and not ces["trend_alert"]
    assert nps["target"].startswith("Target 20 by 2026-12-31: off track") and ces["target"] == ""
    assert all(c["sparkline"] == clean_html(c["sparkline"]) and c["sparkline"].startswith("<svg") for c in (nps, csat))
    assert sm.headline_cards(None, None, None, "GBP") == []


def test_maturity_and_revenue_cards():
    assert sm.maturity_card(MATURITY) == {"label": "CX maturity", "value": "Stage 2",
                                          "detail": "Elevate · mean level 2.28 · target stage 3"}
    assert sm.maturity_card({"available": False, "stage": 2}) is None and sm.maturity_card(None) is None
    assert sm.revenue_card(CHURN, "GBP") == {
        "label": "Revenue at risk", "value": "£398,160",
        "detail": "annual revenue of customers likely to leave within 12 months"}
    with_ci = sm.revenue_card({**CHURN, "revenue_at_risk_low": 350_000, "revenue_at_risk_high": 450_000,
                               "expected_churners": 468.5, "expected_churners_low": 420.2,
                               "expected_churners_high": 510.0}, "USD")
    assert with_ci["value"] == "$398,160" and with_ci["interval"] == "95% CI $350,000 to $450,000"
    assert with_ci["detail"] == ("95% CI $350,000 to $450,000 · annual revenue of about 468 customers (95% CI 420 "
                                 "to 510) likely to leave within 12 months")
    assert sm.revenue_card({"available": False}, "GBP") is None


def test_headline_cards_in_reading_order_and_as_escaped_html():
    cards = sm.headline_cards(HEADLINE, MATURITY, CHURN, "GBP", tables=TABLES, specs=SPECS)
    assert [c["label"] for c in cards] == ["NPS", "CSAT", "CES", "CX maturity", "Revenue at risk"]
    html = sm.cards_html([{"label": "<script>x</script>", "value": "1 & 2", "detail": "\"d\""}])
    assert html == ('<section class="cx-cards" aria-label="Headline numbers"><div class="cx-card"><div class="cx-k">'
                    '&lt;script&gt;x&lt;/script&gt;</div><div class="cx-v">1 &amp; 2</div><div class="cx-s">&quot;d&quot;'
                    '</div></div></section>')
    page = sm.cards_html(cards)
    assert page == clean_html(page)  # the sanitiser keeps all of it: the SVG, the classes, the text
    csat = sm.card_html(cards[1])
    assert '<span class="cx-window">2025-12 (latest month)</span>' in csat and "cx-card-alert" in csat
    assert '<div class="cx-s cx-card-trend cx-trend-alert">Falling steadily' in csat


OPENING_CARDS = sm.headline_cards(HEADLINE, MATURITY, CHURN, "GBP", tables=TABLES, specs=SPECS)


def test_opening_sentences_are_plain_from_the_results_and_at_most_five():
    churn = {**CHURN, "revenue_at_risk_low": 342_117.2, "revenue_at_risk_high": 479_722, "expected_churners": 468.49,
             "expected_churners_low": 420, "expected_churners_high": 510}
    texts = sm.opening_sentences("Northwind", OPENING_CARDS, OBJECTIVES, DRIVERS, churn, REGISTER, "GBP",
                                 rating_scale=(0, 10))
    assert texts == [
        "At Northwind, the Net Promoter Score was 12 in 2025-12 (latest month), on a scale from −100 to 100, with a "
        "95% confidence interval of 6 to 18 from 700 responses.",
        "Customer satisfaction (CSAT) has fallen steadily over the last 6 months, from 74% in 2025-07 to 62% in "
        "2025-12: a sustained decline, not month-to-month noise.",
        "1 of 2 objectives is on track on its recent trend; NPS (grow referrals) is off track.",
        "About 468 customers (95% CI 420 to 510) are likely to leave within 12 months, taking £398,160 (95% CI "
        "£342,117 to £479,722) of annual revenue with them.",
        "First action: Act 1, owned by Owen Price (Account Management Lead), due 2026-01-30; it may save £7,744 "
        "(£2,474 to £12,995) a year."]
    assert len(texts) <= sm.MAX_OPENING
    # with fewer results the driver sentence comes in, with its scale
    few = sm.opening_sentences("Northwind", OPENING_CARDS[:1], None, DRIVERS, None, None, "GBP", rating_scale=(0, 10))
    assert few[-1] == ("Speed of service is where improvement would count most: it matters to customers and is "
                       "rated 5.8 out of 10, below the other drivers.")
    for text in texts + few:
        assert not text[0].islower() and text.endswith(".")
        assert not re.search(r"Shapley|LMG|concordance|ICI|\bp [<0-9]", text)
    assert sm.opening_sentences("Northwind", [], None, None, None, None, "GBP") == []
    # a share opens with its scale, its common name in lower case inside the sentence
    assert sm.opening_sentences("Northwind", OPENING_CARDS[1:2], None, None, None, None, "GBP")[0] == (
        "At Northwind, the customer satisfaction (CSAT) was 62% in 2025-12 (latest month), the share answering 4 or "
        "more on a scale from 1 to 5, with a 95% confidence interval of 58 to 66% from 700 responses.")
    assert sm.opening_sentence("Northwind", [], None, None, None, REGISTER.iloc[2:], "GBP") == (
        "First action: Act 3, owned by Priya Shah, due 2026-03-31.")  # an impact not quantified is not shown


def test_an_action_named_as_a_noun_phrase_reads_as_one():
    # "The first action is to retention outreach to …" read as broken English (issue 16)
    noun = REGISTER.assign(action=["retention outreach to customers in France at highest risk"] * len(REGISTER))
    assert sm.opening_sentence("Bank", [], None, None, None, noun, "EUR").startswith(
        "First action: retention outreach to customers in France at highest risk, owned by ")


@pytest.mark.parametrize(("statuses", "text"), [
    (["on track", "already met"], "All 2 objectives are on track on their recent trend."),
    (["off track", "at risk", "off track"], "None of the 3 objectives is on track on its recent trend."),
    (["at risk"], "The objective is not on track on its recent trend."),
    (["no data"], ""),
])
def test_objectives_sentence(statuses, text):
    frame = pd.DataFrame({"metric": ["NPS"] * len(statuses), "goal": ["Grow"] * len(statuses), "status": statuses})
    assert sm.objectives_sentence(frame) == text


def test_drivers_sentence_names_the_top_three_in_plain_words_and_the_model_goes_to_the_method_note():
    assert sm.drivers_sentence(DRIVERS, rating_scale=(0, 10)) == (
        "What moves the score most: **Reliability** (30% of what the ratings explain, rated 7.8 out of 10); **Speed "
        "of service** (20% of what the ratings explain, rated 5.8 out of 10); **Ease** (17% of what the ratings "
        "explain, rated 7.6 out of 10).")
    assert sm.drivers_sentence(None) == "*No key-driver analysis was possible (no driver ratings).*"
    summary = {"method": "Shapley value regression", "r2": 0.4132, "n": 5_877, "outcome": "nps"}
    section = sm.drivers_section(DRIVERS, summary, rating_scale=(0, 10))
    assert section.methods == ["Driver importance of NPS: Shapley value regression on the driver ratings, R² = 0.41, "
                               "n = 5,877; the share is each rating's part of the variance the ratings explain "
                               "together."]
    assert "Shapley" not in " ".join(section.sentences)


def test_first_actions_view_shows_five_with_their_impact():
    view = sm.first_actions_view(REGISTER, "GBP")
    assert view.title == "The first five actions"
    assert view.columns == ["#", "Action", "Expected impact", "Owner", "Due"]
    # the register's own wording of each impact (cxtemplate.plan.actions.impact_text), first five in rank order
    assert view.frame["Expected impact"].tolist() == [impact_text(r, currency="GBP") for _, r in REGISTER.head(5).iterrows()]
    assert view.frame["Expected impact"].iloc[0] == "£7,744 (£2,474 to £12,995) a year may be saved"
    assert view.note.startswith("In the order of the action register: by the value each action may save a year")


@pytest.mark.parametrize(("maturity", "churn", "note"), [
    (MATURITY, CHURN, "CX maturity: stage 2 (Elevate), target stage 3; churn model concordance 0.71 in cross-validation, "
                      "calibration error (ICI) 0.012 at 12 months. Definitions and methods are on the detailed pages."),
    (None, {"available": False}, ""),
    (None, CHURN, "Churn model concordance 0.71 in cross-validation, calibration error (ICI) 0.012 at 12 months. "
                  "Definitions and methods are on the detailed pages."),  # a CRM only
    ({"stage": 1, "stage_name": "Start", "target_stage": 3}, None,
     "CX maturity: stage 1 (Start), target stage 3. Definitions and methods are on the detailed pages."),
])
def test_methods_note(maturity, churn, note):
    assert sm.methods_note(maturity, churn) == note
    assert sm.methods_section(maturity, churn).methods == ([note] if note else [])
    assert sm.methods_section(maturity, churn).sentences == []  # method names never in the page's sentences


def test_a_card_without_an_interval_says_there_were_too_few_responses():
    one = {"ces": TABLES["ces"].assign(ci_low=float("nan"), ci_high=float("nan"))}
    (ces,) = sm.headline_cards(HEADLINE.iloc[[2]], None, None, "GBP", tables=one, specs=SPECS)
    assert ces["interval"] == "too few responses for an interval"


def test_the_cards_method_note():
    assert sm.cards_method_section(OPENING_CARDS).methods == [sm.cards_method()]
    assert "weighted least-squares slope over the last 6 periods" in sm.cards_method()
    assert sm.cards_method_section([OPENING_CARDS[-1]]).methods == []  # the revenue card alone: no metric method
    facts = sm.methods_note(MATURITY, CHURN)
    assert sm.cards_method_section(OPENING_CARDS, facts=facts).methods == [sm.cards_method(), facts]


def test_no_revenue_means_no_revenue_card_and_no_money_in_the_opening():
    """A churn summary without revenue (no revenue mapped: notebook 05 writes no ``revenue_at_risk``) or with a
    zero total values nothing: no card, no "£0 of annual revenue" (issue 15)."""
    unvalued = {"available": True, "horizon_months": 12, "concordance": 0.7, "ici": 0.01, "expected_churners": 120.0}
    assert sm.revenue_card(unvalued, "GBP") is None
    assert sm.revenue_card({**unvalued, "revenue_at_risk": 0.0, "annual_revenue": 0.0}, "GBP") is None
    assert [c["label"] for c in sm.headline_cards(None, None, unvalued, "GBP")] == []
    assert "revenue" not in sm.opening_sentence("Bank", [], None, None, unvalued, REGISTER, "GBP")
    with_revenue = {**CHURN, "annual_revenue": 4_458_582.84}
    assert sm.revenue_card(with_revenue, "GBP")["value"] == "£398,160"


def test_without_a_currency_money_is_plain_and_the_note_says_so():
    assert sm.revenue_card(CHURN, None)["value"] == "398,160"
    assert sm.methods_note(None, CHURN, None).endswith(
        "; amounts are shown without a currency symbol (the parameters set no `organisation.currency`). Definitions "
        "and methods are on the detailed pages.")
    assert "currency" not in sm.methods_note(None, CHURN, "GBP")


def test_the_drivers_and_actions_sections():
    assert sm.drivers_section(DRIVERS, survey=False).items == []
    assert sm.drivers_section(DRIVERS).sentences == [sm.drivers_sentence(DRIVERS)]
    assert sm.first_actions_section(None).sentences == ["*No action was generated.*"]
    assert len(sm.first_actions_section(REGISTER).tables[0].frame) == 5


def test_the_index_template_shows_the_cards_as_the_summary_page_does(tmp_path, monkeypatch):
    """index.html.j2 writes each card's lines like :func:`card_html`: the value beside its window, the sparkline
    (kept as SVG), the interval and n, target with status, both changes and the trend; a plain card its detail."""
    from cxtemplate.report import render

    monkeypatch.setattr(render, "export_pdf", lambda *a: False)
    run = {"organisation": {"name": "Acme", "period": "2025"}, "started_at": "2025-12-31T09:30:00+00:00",
           "status": "ok", "versions": {"cxtemplate": "1.0"}, "params_file": "p.yaml", "params_sha256": "ab" * 32}
    cards = sm.headline_cards(HEADLINE, MATURITY, CHURN, "GBP", tables=TABLES, specs=SPECS, objectives=OBJECTIVES)
    opening = ["First sentence.", "Second <b>one</b>."]
    page = render.render_index(tmp_path, run, {"cards": cards, "sentences": opening}, []).read_text(encoding="utf-8")
    assert '<div class="cx-opening"><p>First sentence.</p><p>Second &lt;b&gt;one&lt;/b&gt;.</p></div>' in page

    def texts(fragment: str) -> list[str]:
        return [t.strip() for t in re.split(r"<[^>]+>", fragment) if t.strip()]

    shown = page[page.index('<section class="cx-cards"'):page.index("</section>", page.index('class="cx-cards"'))]
    assert texts(shown) == texts(sm.cards_html(cards))
    assert shown.count('<svg class="cx-spark" role="img"') == 3 and shown.count("cx-card-alert") == 1
    assert '<span class="cx-num">62%</span> <span class="cx-window">2025-12 (latest month)</span>' in shown
    assert 'class="cx-s cx-card-target cx-on-track">Target 72% by 2026-12-31: on track' in shown
    assert '<link rel="stylesheet" href="assets/report.css">' in page and "<style" not in page


def test_without_revenue_the_opening_still_gives_the_expected_leavers_with_their_interval():
    from cxtemplate.plan.summary import opening_sentences

    churn = {"available": True, "horizon_months": 12, "active": 7963, "expected_churners": 396.2,
             "expected_churners_low": 352.0, "expected_churners_high": 438.4}  # a CRM without revenue (bank churn)
    said = opening_sentences("Nordbank", [], None, None, churn, None, "EUR")
    assert "About 396 customers (95% CI 352 to 438) of the 7,963 active customers are likely to leave within " \
           "12 months." in said
    assert not any("€" in s or "revenue" in s for s in said)
