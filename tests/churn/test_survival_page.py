"""Tests of notebook 05's survival sections (cxtemplate.churn.survival_page): Kaplan–Meier tables counted by hand,
log-rank tests against lifelines, and the sections' order and artifacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn import survival_page
from cxtemplate.churn.alt_text import km_alt
from cxtemplate.churn.flow import ChurnAnalysis
from cxtemplate.churn.km_cox import KMResult, at_risk_counts, horizon_days, horizon_label, kaplan_meier, survival_table
from cxtemplate.report.display import fmt_p


def _km(group_col="nps_category", pairwise=None, alpha=0.05):
    summary = pd.DataFrame({"group": ["promoter", "passive"], "customers": [1661, 1296], "churned": [233, 262],
                            "survival_at_horizon": [0.907, 0.880], "survival_low": [0.891, 0.860],
                            "survival_high": [0.921, 0.898], "median_tenure_days": [np.inf, 1059.2],
                            "rmst_days": [349.2, 344.4], "rmst_low": [346.1, 340.2], "rmst_high": [352.4, 348.3]})
    if pairwise is None:
        pairwise = pd.DataFrame({"group_a": ["passive"], "group_b": ["promoter"], "statistic": [9.0], "p": [0.003],
                                 "p_bh": [0.003]})
    return KMResult(group_col, {}, summary, pairwise, {}, pd.DataFrame(), 365.25, [], alpha)


M = 365.25 / 12   # days per month
MONTHS = [3, 7, 13, 16, 20, 30, 40, 1, 2, 50, 60, 70, 80]
CHURNED = [1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0]


def _two_groups() -> KMResult:
    """Kaplan–Meier by hand. Group a: churns at 3, 7, 13 and 16 months, still a customer at 20, 30 and 40 → S = 6/7
    from month 3, 5/7 from 7, 4/7 from 13, 3/7 from 16 (the median); group b: churns at 1 and 2, active at 50, 60, 70
    and 80 months → S = 4/6 from month 2 on, the median not reached."""
    frame = pd.DataFrame({"tenure_days": np.array(MONTHS, float) * M, "churned": CHURNED, "plan": ["a"] * 7 + ["b"] * 6})
    return kaplan_meier(frame, "plan", horizon_days=12 * M, min_n=1)


def test_km_view_the_table_of_n_churns_median_and_survival_at_standard_horizons():
    view = survival_page.km_view(_two_groups(), 12, 0.95, unit="month")
    assert view.title == "Still a customer by tenure, by plan"
    assert view.columns == ["Plan", "Customers", "Left", "Median tenure (months)", "At 6 months", "At 12 months",
                            "At 24 months", "At 36 months", "At 48 months", "At 60 months",
                            "Mean months kept in the first 12 months"]
    a, b = view.frame.iloc[0].tolist(), view.frame.iloc[1].tolist()
    assert a[:3] == ["A", 7, 4] and a[3].startswith("16.0 (") and b[3] == "Not reached"
    assert [x.split(" ")[0] for x in a[4:8]] == ["85.7%", "71.4%", "42.9%", "42.9%"]
    assert a[8] == a[9] == "–"                          # past a's longest tenure (40 months): not estimated
    assert [x.split(" ")[0] for x in b[4:10]] == ["66.7%"] * 6
    # mean months kept in the first 12: 3 × 1 + 4 × 6/7 + 5 × 5/7 = 10.0 for a; 1 + 1 × 5/6 + 10 × 4/6 = 8.5 for b
    assert a[10].startswith("10.0 (") and b[10].startswith("8.5 (")
    assert view.note.endswith("each with its 95% interval.") and "Kaplan" not in view.note   # the method is in the note
    assert "with its 90% interval" in survival_page.km_view(_two_groups(), 12, 0.9).note
    years = survival_page.km_view(_two_groups(), 12, 0.95, unit="year")
    assert "At 1 year" in years.columns and "At 5 years" in years.columns and "Median tenure (years)" in years.columns
    weeks = survival_page.km_view(_two_groups(), 12, 0.95, unit="week")
    assert "At 26 weeks" in weeks.columns and "At 52 weeks" in weeks.columns


def test_survival_table_and_at_risk_counts_by_hand():
    km = _two_groups()
    t = survival_table(km, (6, 12, 48), "month").set_index("group")
    assert t.loc["a", "s_12m"] == pytest.approx(5 / 7) and t.loc["b", "s_48m"] == pytest.approx(4 / 6)
    assert np.isnan(t.loc["a", "s_48m"]) and t.loc["a", "median_days"] == pytest.approx(16 * M)
    assert np.isinf(t.loc["b", "median_days"]) and t.loc["b", "s_12m_low"] < 4 / 6 < t.loc["b", "s_12m_high"]
    # at risk at t: tenure ≥ t, so the customer whose tenure is exactly 80 months counts at 80
    counts = at_risk_counts(km, np.array([0, 13, 40, 60, 80]) * M)
    assert counts["a"].tolist() == [7, 5, 1, 0, 0] and counts["b"].tolist() == [6, 4, 4, 3, 1]
    assert horizon_days(12, "month") == 365.25 and horizon_days(6, "week") == 182.0
    assert horizon_label(24, "year") == "2 years" and horizon_label(6, "year") == "6 months"


def test_logrank_sentence_and_artifacts_give_the_overall_test_as_lifelines_does():
    from lifelines.statistics import logrank_test

    km = _two_groups()
    frame = pd.DataFrame({"t": MONTHS, "e": CHURNED})
    direct = logrank_test(frame.t[:7], frame.t[7:], frame.e[:7], frame.e[7:])
    assert km.overall["statistic"] == pytest.approx(direct.test_statistic) and km.overall["df"] == 1
    sentence = survival_page.logrank_sentence(km, "Plan", 0.95)
    clear = "differs clearly" if direct.p_value < 0.05 else "does not differ clearly"
    assert sentence == f"How long customers stay {clear} by plan (p = {fmt_p(direct.p_value)}); 0 of 1 pair of " \
                       "groups differ clearly."
    method = survival_page.logrank_method(km, "Plan", 0.95)
    assert method.startswith(f"Log-rank test by plan: χ² = {direct.test_statistic:,.2f} on 1 df, p ")
    res = ChurnAnalysis(True, km={"all": kaplan_meier(frame.assign(tenure_days=frame.t * M, churned=frame.e), None,
                                                      horizon_days=12 * M), "plan": km}, tenure_unit="month")
    lr = survival_page.logrank_table(res)
    assert lr.to_dict("records") == [{"grouping": "plan", "groups": 2, "statistic": pytest.approx(direct.test_statistic),
                                      "df": 1, "p": pytest.approx(direct.p_value)}]
    table = survival_page.km_table(res)
    assert table[["population", "grouping", "group"]].values.tolist() == [["all customers", "all", "all"],
                                                                          ["all customers", "plan", "a"],
                                                                          ["all customers", "plan", "b"]]
    assert table.loc[1, "s_12m"] == pytest.approx(5 / 7) and set(table["unit"]) == {"month"}


def test_logrank_sentence_counts_pairs_at_the_configured_level():
    pw = pd.DataFrame({"group_a": list("abc"), "group_b": list("bcd"), "statistic": 1.0, "p": 0.01,
                       "p_bh": [0.005, 0.2, 0.04]})
    km = _km(pairwise=pw)
    assert survival_page.logrank_sentence(km, "Segment", 0.95) == "By segment, 2 of 3 pairs of groups differ clearly."
    assert survival_page.logrank_sentence(km, "Segment", 0.99) == "By segment, 1 of 3 pairs of groups differs clearly."
    empty = _km(pairwise=pd.DataFrame(columns=["group_a", "group_b", "statistic", "p", "p_bh"]))
    assert "no pair of groups" in survival_page.logrank_sentence(empty, "plan", 0.95)


def test_km_sections_put_all_customers_first_with_a_table_and_no_test():
    km = _two_groups()
    res = ChurnAnalysis(True, km={"all": km, "plan": km}, tenure_unit="month")
    sections = survival_page.km_sections(res)
    assert [s[1] for s in sections] == ["Customers still active by tenure: all customers",
                                        "Customers still active by tenure, by plan"]
    assert sections[0][2] is not None and sections[0][3] is None
    assert sections[1][2].title.endswith("by plan") and sections[1][3].startswith("How long customers stay ")
    section = survival_page.survival_section(res)
    assert set(section.artifacts) == {"km_table", "logrank"}
    # every chart reads its curves at the horizon (12 months): a keeps 5 of 7, b 4 of 6
    assert [c.alt for c in section.charts][1] == (
        "Customers still active by tenure, by plan: After 12 months, the share still a customer ranges from 67% (b) "
        "to 71% (a).")
    one = kaplan_meier(pd.DataFrame({"tenure_days": np.array(MONTHS) * M, "churned": CHURNED}), None,
                      horizon_days=12 * M)
    # all 13 customers: 9 of 13 still customers after 12 months (4 left by then: 2 of a, 2 of b)
    assert km_alt(one, "All", 12) == "All: After 12 months, 69% of customers are still customers."
    assert any(m.startswith("Log-rank test by plan: χ² = ") for m in section.methods)
    assert [c.kwargs["source"] for c in section.items if hasattr(c, "kwargs")] == ["CRM", "CRM"]
    assert not any("NPS" in t for t in section.items if isinstance(t, str))    # no NPS curves, no word of them


# --------------------------------------------------------------------------- the Cox model
