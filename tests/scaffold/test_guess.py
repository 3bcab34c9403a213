"""Tests of :mod:`cxtemplate.scaffold.guess`: tenure units, value fits, name scores, how the two combine, and
which table a file is (evidence and confidence recomputed by hand from the module's stated formulas)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxtemplate.scaffold.guess import (
    Fit,
    accumulates,
    combine,
    driver_name,
    guess_tables,
    match_table,
    name_score,
    tenure_unit,
    truth_of,
    value_fit,
)
from cxtemplate.scaffold.profile import profile_column, profile_frame
from cxtemplate.scaffold.specs import SPECS


def test_units():
    """The units half of the former ``test_names_and_units`` (the names half is in test_profile.py)."""
    months = profile_column("tenure", pd.Series(np.arange(0, 73)))
    assert tenure_unit(months)[0] == "month"
    assert tenure_unit(profile_column("Tenure", pd.Series(np.arange(0, 11))))[0] == "year"
    assert tenure_unit(profile_column("tenure_days", pd.Series([5, 9])))[0] == "day"


@pytest.mark.parametrize("name, top, unit, confidence", [
    ("tenure_months", 4, "month", 0.95), ("Tenure (yrs)", 40, "year", 0.95), ("weeks_active", 3000, "week", 0.95),
    ("tenure_days", 9, "day", 0.95),                                 # the name decides, whatever the range
    ("t", 15, "year", 0.6), ("t", 16, "month", 0.6), ("t", 130, "month", 0.6),
    ("t", 131, "week", 0.4), ("t", 800, "week", 0.4), ("t", 801, "day", 0.6),
])
def test_tenure_unit_from_the_name_else_the_range(name, top, unit, confidence):
    got, conf, why = tenure_unit(profile_column(name, pd.Series(np.arange(0, top + 1))))
    assert (got, conf) == (unit, confidence)
    assert ("the name says" in why) == (confidence == 0.95)


def fit(values, kind):
    f = value_fit(profile_column("x", pd.Series(values)), kind)
    return None if f is None else (f.score, f.recode, f.info)


def test_value_fit_identifiers():
    assert fit([f"C{i}" for i in range(100)], "own_id") == (1.0, None, {})
    assert fit([f"C{i}" for i in range(95)] + ["C1"] * 5, "own_id")[0] == 0.7       # 95% unique
    assert fit([f"C{i}" for i in range(80)] + ["C1"] * 20, "own_id") is None       # 80% unique: not an id
    assert fit(list(range(1, 101)), "own_id") is None                              # a row number
    assert fit(["a", "b", "a"], "ref_id")[0] == 0.9 and fit(["a", "a"], "ref_id") is None


def test_value_fit_scores():
    assert fit(list(range(11)) * 10, "nps") == (1.0, None, {})
    assert fit(list(range(1, 6)) * 10, "nps") is None                              # a 1–5 scale is not NPS
    assert fit(list(range(1, 6)) * 10, "csat") == (1.0, None, {"scale": (1, 5)})
    assert fit(list(range(1, 8)) * 10, "csat") == (1.0, None, {"scale": (1, 7)})
    assert fit(list(range(1, 6)) * 10, "ces") == (1.0, None, {"scale": (1, 5)})
    assert fit(list(range(0, 11)) * 10, "ces") is None
    assert fit(["satisfied", "neutral or dissatisfied"] * 10, "csat") == (
        0.9, {"satisfied": 2, "neutral or dissatisfied": 1}, {"scale": (1, 2), "success_min": 2})
    words = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"]
    assert fit(words * 4, "csat") == (0.85, dict(zip(words, [5, 4, 3, 2, 1])), {"scale": (1, 5)})
    assert fit([1.5, 2.5] * 10, "csat") is None                                     # not whole points


def test_value_fit_flags_sentiment_text_and_contacts():
    assert fit(["Yes", "No"] * 10, "bool") == (1.0, {"Yes": True, "No": False}, {})
    assert fit([True, False] * 10, "bool") == (1.0, None, {})
    assert fit([0, 1] * 10, "bool") == (1.0, None, {})
    assert fit(["maybe", "No"] * 10, "bool") is None
    assert fit(list(np.linspace(-0.9, 0.9, 30)), "sentiment")[0] == 1.0
    assert fit(["negative", "neutral", "positive"] * 5, "sentiment") == (
        0.9, {"negative": -1, "neutral": 0, "positive": 1}, {})
    assert fit([f"this is a longer comment number {i}" for i in range(50)], "text")[0] == 1.0
    assert fit(["ok", "no"] * 25, "text") is None                                   # two words repeated: not free text
    assert fit(["a@b.com"] * 3 + ["x"], "email")[0] == 1.0 and fit(["a@b.com", "x", "y"], "email") is None
    assert value_fit(profile_column("x", pd.Series([None, None])), "date").score == 0.4   # empty: a weak yes
    with pytest.raises(ValueError, match="unknown kind 'bogus'"):
        value_fit(profile_column("x", pd.Series([1, 2])), "bogus")


def test_name_scores():
    nps = next(s for s in SPECS["responses"] if s.name == "nps")
    score = {n: name_score(profile_column(n, pd.Series([1, 2])), nps)[0] for n in
             ("NPS", *nps.synonyms[:3], "How likely to recommend", "colour")}
    assert score["NPS"] == 1.0                                        # the canonical name, normalised
    assert [score[s] for s in nps.synonyms[:3]] == [0.95, 0.945, 0.94]  # synonyms, earlier ones first
    assert score["How likely to recommend"] == 0.7                    # a marking word inside the name
    assert score["colour"] == 0.0
    cid = next(s for s in SPECS["customers"] if s.name == "customer_id")
    assert name_score(profile_column("AcctID", pd.Series([1])), cid)[0] == 0.5     # looks like an identifier


def test_combine_names_and_values():
    assert combine(0.95, Fit(1.0, "")) == round(0.55 * 0.95 + 0.45, 2) == 0.97
    assert combine(0.7, Fit(0.5, "")) == 0.61
    assert combine(1.0, Fit(1.0, "")) == 0.99                          # capped
    assert combine(0.0, Fit(1.0, "")) == 0.4                           # values alone count for little


def test_driver_names():
    assert driver_name("Seat comfort", set()) == "seat_comfort"
    assert driver_name("1st impression", set()) == "q_1st_impression"
    assert driver_name("nps", {"nps"}) == "nps_rating" and driver_name("nps", {"nps", "nps_rating"}) == "nps_rating_2"
    assert driver_name("!!", set()) == "driver"


@pytest.fixture(scope="module")
def crm():
    rng = np.random.default_rng(0)
    n = 300
    return pd.DataFrame({
        "Customer ID": [f"K{i:04d}" for i in range(n)],
        "Signup Date": pd.date_range("2023-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "Cancelled At": [""] * n, "Plan": rng.choice(["Basic", "Pro"], n),
        "Monthly Charges": rng.uniform(10, 90, n).round(2)})


def test_a_crm_export_is_the_customers_table(crm):
    guesses = guess_tables(profile_frame(crm))
    best = guesses[0]
    assert best.table == "customers" and best.feasible
    assert {k: m.column for k, m in best.matches.items()} == {
        "customer_id": "Customer ID", "start_date": "Signup Date", "end_date": "Cancelled At", "plan": "Plan",
        "revenue": "Monthly Charges"}
    weight = {s.name: s.weight for s in SPECS["customers"]}
    for g in guesses:                 # evidence = Σ weight × confidence (no drivers or KPIs here)
        w = {s.name: s.weight for s in SPECS[g.table]}
        assert g.evidence == pytest.approx(sum(w[c] * m.confidence for c, m in g.matches.items()), abs=1e-3)
    assert best.evidence == pytest.approx(sum(weight[c] * m.confidence for c, m in best.matches.items()), abs=1e-3)
    # confidence = (1 − e^(−E/2.5)) × E / (E + ½ runner-up), a third of it when the table is not usable, ≤ 0.99
    for g in guesses:
        rival = max(o.evidence for o in guesses if o is not g)
        conf = (1 - math.exp(-g.evidence / 2.5)) * g.evidence / (g.evidence + 0.5 * rival) if g.evidence else 0.0
        assert g.confidence == round(min(0.99, conf if g.feasible else conf / 3), 2), g.table
    assert [g.table for g in guesses if not g.feasible][:1] == ["responses"]
    assert guesses[1].missing_required == ["a score or a comment"]


def test_ratings_on_one_scale_become_drivers():
    rng = np.random.default_rng(1)
    n = 300
    survey = pd.DataFrame({"Ease of booking": rng.integers(1, 6, n), "Seat comfort": rng.integers(1, 6, n),
                           "Food": rng.integers(0, 6, n), "Overall satisfaction": rng.integers(1, 6, n),
                           "Age": rng.integers(18, 80, n)})
    g = match_table("responses", profile_frame(survey))
    assert {k: m.column for k, m in g.matches.items()} == {"csat": "Overall satisfaction"}
    assert [(d.canon, d.column) for d in g.drivers] == [("ease_of_booking", "Ease of booking"),
                                                        ("seat_comfort", "Seat comfort"), ("food", "Food")]
    assert g.driver_scale == (1, 5) and all(d.missing == [0] for d in g.drivers)   # 0 on 1–5: not applicable
    assert "Age" not in g.used_columns and g.feasible


# --------------------------------------------------------------------------- churn flags in any encoding, totals, no id


@pytest.mark.parametrize("value, truth", [
    ("Yes", True), ("y", True), ("TRUE", True), ("1", True), ("Churned", True), ("Closed", True),
    ("Attrited Customer", True), ("Terminated", True),
    ("No", False), ("N", False), ("false", False), ("0", False), ("Active", False), ("Existing Customer", False),
    ("No churn", False), ("not resolved", False), ("Open", False),
    ("Suspended", None), ("No internet service", None), ("Gold", None),
])
def test_truth_of_a_flag_value(value, truth):
    assert truth_of(value) is truth


def churn_fit(values, name="churned"):
    f = value_fit(profile_column("status", pd.Series(values)), "bool", name)
    return None if f is None else (f.score, f.recode, f.why)


@pytest.mark.parametrize("values, recode", [
    (["Yes", "No"] * 10, {"Yes": True, "No": False}),
    (["Y", "N", "N"] * 10, {"Y": True, "N": False}),
    (["churned", "active", "active"] * 10, {"churned": True, "active": False}),
    (["Attrited Customer", "Existing Customer", "Existing Customer"] * 10,
     {"Attrited Customer": True, "Existing Customer": False}),
])
def test_two_level_churn_flags_in_common_encodings(values, recode):
    score, got, _ = churn_fit(values)
    assert score == 1.0 and got == recode


def test_true_false_and_zero_one_flags_need_no_recode():
    assert churn_fit([True, False] * 10)[:2] == (1.0, None)
    assert churn_fit([1, 0, 0] * 10)[:2] == (1.0, None)
    assert churn_fit([1, 2, 2] * 10) is None               # 1/2 codes: nothing says which is "left"


def test_a_status_column_with_a_closed_value_is_a_churn_flag():
    values = ["Active"] * 12 + ["Closed"] * 5 + ["Suspended"] * 3
    score, recode, why = churn_fit(values)
    # the closed value is "left", every other level "still a customer"; an unknown level lowers the confidence
    assert recode == {"Active": False, "Closed": True, "Suspended": False} and score == 0.8
    assert why == "Closed = yes; Active / Suspended = no"
    assert churn_fit(["Active"] * 12 + ["Closed"] * 5 + ["Cancelled"] * 3)[:2] == \
        (1.0, {"Active": False, "Closed": True, "Cancelled": True})
    assert churn_fit(["Gold", "Silver", "Bronze"] * 5) is None  # no level says "left"
    assert churn_fit(["Active", "Dormant"] * 5) is None         # neither does "Dormant"
    # for any other flag a status column is no yes/no column
    f = value_fit(profile_column("status", pd.Series(values)), "bool", "contact_opt_in")
    assert f is None


@pytest.mark.parametrize("name, total", [
    ("total_charges", True), ("TotalCharges", True), ("lifetime_value", True), ("cumulative_spend", True),
    ("clv", True), ("monthly_charges", False), ("total_monthly_charges", False), ("annual_revenue", False),
    ("avg_total_spend", False),
])
def test_a_total_to_date_is_not_revenue_per_period(name, total):
    from cxtemplate.scaffold.profile import normalise

    assert accumulates(normalise(name)) is total
    fit_ = value_fit(profile_column(name, pd.Series(np.linspace(10, 900, 50))), "money", "revenue")
    assert (fit_ is None) is total


def _crm(**cols):
    rng = np.random.default_rng(5)
    n = 120
    base = {"tenure": rng.integers(0, 72, n), "Churn": rng.choice(["Yes", "No"], n),
            "Contract": rng.choice(["Month-to-month", "One year", "Two year"], n)}
    return pd.DataFrame({**base, **cols})


def test_a_crm_without_an_id_column_gets_a_generated_key():
    g = match_table("customers", profile_frame(_crm()))
    assert "customer_id" not in g.matches and g.feasible and g.generated_key
    assert guess_tables(profile_frame(_crm()))[0].table == "customers"


def test_without_an_id_only_a_file_that_says_who_left_is_a_crm():
    rng = np.random.default_rng(6)
    signups = pd.DataFrame({"signup_date": pd.date_range("2024-01-01", periods=120).strftime("%Y-%m-%d"),
                            "plan": rng.choice(["A", "B"], 120)})
    g = match_table("customers", profile_frame(signups))
    assert not g.feasible and g.missing_required == ["customer_id"] and not g.generated_key
    with_id = match_table("customers", profile_frame(_crm(customer_id=[f"C{i}" for i in range(120)])))
    assert with_id.feasible and not with_id.generated_key
