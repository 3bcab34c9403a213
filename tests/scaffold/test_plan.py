"""Tests of :mod:`cxtemplate.scaffold.plan`: one file per table, the reasons a file is left out, the latest
date, the currency and how unmapped columns are classified."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cxtemplate.scaffold.plan import (
    classify_extra,
    date_bounds,
    guess_currency,
    place_currency,
    plan_sources,
    robust_extreme,
)
from cxtemplate.scaffold.profile import profile_column
from cxtemplate.scaffold.read import inspect_folder


def test_latest_date_ignores_far_stragglers():
    days = pd.Series(pd.date_range("2024-01-01", "2024-12-31", freq="h"))
    late = pd.Series(pd.to_datetime(["2025-02-10", "2025-03-30"]))
    hi, dropped = robust_extreme(pd.concat([days, late]))
    assert hi == days.max() and dropped == 2
    lo, _ = robust_extreme(pd.concat([pd.Series(pd.to_datetime(["1900-01-01"])), days]), latest=False)
    assert lo == days.min()


def test_plan_keeps_one_file_per_table(tmp_path, root):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("responses_a.csv", "responses_b.csv"):
        pd.read_csv(root / "data" / "demo" / "responses.csv").head(200).to_csv(data / name, index=False)
    plan = plan_sources(inspect_folder(data))
    assert list(plan.sources) == ["responses"]
    assert len(plan.unrecognised) == 1 and "one file per table" in plan.unrecognised[0][1]


def _crm(n: int = 200, seed: int = 0, start: str = "2023-01-01") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"customer_id": [f"K{i:04d}" for i in range(n)],
                         "start_date": pd.date_range(start, periods=n, freq="D").strftime("%Y-%m-%d"),
                         "plan": rng.choice(["Basic", "Pro"], n), "Country": rng.choice(["France", "Spain"], n)})


def test_plan_chooses_the_most_confident_file_per_table_and_says_why_others_are_left(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _crm().to_csv(data / "b_crm.csv", index=False)
    _crm().drop(columns=["plan", "Country"]).to_csv(data / "a_crm_thin.csv", index=False)   # weaker evidence
    pd.DataFrame({"alpha": [1.5, 2.5, 3.5], "beta": ["x", "y", "z"]}).to_csv(data / "c_mystery.csv", index=False)
    pd.DataFrame({"customer_id": ["K1", "K2", "K3"]}).to_csv(data / "d_ids.csv", index=False)
    (data / "e_empty.csv").write_text("a,b\n")
    plan = plan_sources(inspect_folder(data))
    assert list(plan.sources) == ["customers"] and plan.sources["customers"].sample.path.name == "b_crm.csv"
    reasons = {s.path.name: why for s, why in plan.unrecognised}
    assert list(reasons) == ["a_crm_thin.csv", "c_mystery.csv", "d_ids.csv", "e_empty.csv"]   # in file order
    assert "b_crm.csv is the customers source: one file per table" in reasons["a_crm_thin.csv"]
    assert reasons["c_mystery.csv"] == "no canonical table fits its columns"
    assert "but it lacks start_date or tenure" in reasons["d_ids.csv"]
    assert reasons["e_empty.csv"] == "empty: no rows or no columns"


def test_date_bounds_and_currency_from_the_data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _crm(start="2024-01-15").to_csv(data / "crm.csv", index=False)
    plan = plan_sources(inspect_folder(data))
    bounds = date_bounds(plan, dt.date(2030, 1, 1))
    assert bounds["as_of"] == (pd.Timestamp("2024-01-15") + pd.Timedelta(days=199)).date()
    assert "customers.start_date" in bounds["as_of_note"] and "start" not in bounds      # no survey or KPI dates
    capped = date_bounds(plan, dt.date(2024, 3, 1))
    assert capped["as_of"] == dt.date(2024, 3, 1) and "capped at today" in capped["as_of_note"]
    code, why = guess_currency(plan)
    assert code is None and "France" in why and "suggest EUR" in why  # a place is a hint only
    assert place_currency(plan) == "EUR"


def test_no_currency_and_no_dates_say_todo(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    pd.DataFrame({"customer_id": [f"K{i}" for i in range(50)], "tenure": range(50),
                  "churned": ["yes", "no"] * 25}).to_csv(data / "crm.csv", index=False)
    plan = plan_sources(inspect_folder(data))
    assert list(plan.sources) == ["customers"]
    code, why = guess_currency(plan)
    assert code is None and why.startswith("TODO: no currency found in the data, so none is set")  # never assumed
    bounds = date_bounds(plan, dt.date(2025, 5, 6))
    assert bounds["as_of"] is None and bounds["as_of_note"].startswith("no calendar dates in the data")


@pytest.mark.parametrize("name, values, keep, note", [
    ("RowNumber", list(range(1, 101)), False, "a row number"),
    ("Surname", [f"N{i}" for i in range(100)], False, "personal data"),
    ("contact", ["a@b.com"] * 10, False, "personal data"),
    ("blank", [None] * 10, False, "empty in the sample"),
    ("const", ["x"] * 10, False, "one value only (x)"),
    ("renewal", ["01/02/2024", "13/02/2024"] * 10, False, "a date the analysis does not use"),
    ("notes", [f"a long free text comment that goes on and on number {i}" for i in range(50)], False, "free text"),
    ("ref_id", list("abcdefghij"), False, "an identifier"),
    ("Gender", ["M", "F"] * 10, True, "2 levels (F, M); a protected characteristic"),
    ("Region", ["N", "S", "E"] * 10, True, "3 levels (E, N, S)"),
    ("code", [f"K{i % 40}" for i in range(100)], True, "too many for a segment"),
    ("Balance", list(np.linspace(0, 100, 50)), True, "numbers 0–100"),
    # numbers with a word among them: the integration reads a kept column like this as numbers (the word as
    # missing, cxtemplate.data.integrate), so it is a covariate like any number column
    ("score_txt", [str(i % 7) for i in range(100)] + ["n/a"], True, "with blanks or words among the numbers"),
    ("phone_service", [0, 1] * 10, True, "integers 0–1"),  # named like personal data, but 0/1: a product flag
])
def test_classify_extra_columns(name, values, keep, note):
    e = classify_extra(profile_column(name, pd.Series(values)))
    assert e.keep == keep and note in e.note
    assert e.segment == (name in ("Gender", "Region"))
    assert e.covariate == (name in ("Gender", "Region", "Balance", "score_txt", "phone_service"))


def test_an_unmapped_iso_date_column_is_a_date_not_personal_data():
    p = profile_column("renewal_date", pd.Series([f"2024-01-{d:02d}" for d in range(1, 21)]))
    assert p.is_date
    assert classify_extra(p).note == "a date the analysis does not use"


def _tenure_crm(**extra) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = 120
    return pd.DataFrame({"customer_id": [f"K{i:04d}" for i in range(n)], "tenure": rng.integers(0, 60, n),
                         "churned": rng.choice(["yes", "no"], n), **{k: v(rng, n) for k, v in extra.items()}})


@pytest.mark.parametrize("extra, code, evidence", [
    ({"Revenue (£)": lambda r, n: r.uniform(5, 90, n).round(2)}, "GBP", "'£' in column 'Revenue (£)'"),
    ({"charges_eur": lambda r, n: r.uniform(5, 90, n).round(2)}, "EUR", "column 'charges_eur'"),
    ({"Spend in dollars": lambda r, n: r.uniform(5, 90, n).round(2)}, "USD", "column 'Spend in dollars'"),
    ({"fee": lambda r, n: [f"€{v:.2f}" for v in r.uniform(5, 90, n)]}, "EUR", "amounts like '€"),
    ({"fee": lambda r, n: [f"${v:.2f}" for v in r.uniform(5, 90, n)]}, "USD", "amounts like '$"),
    ({"Country": lambda r, n: r.choice(["France", "Spain"], n), "fee_eur": lambda r, n: r.uniform(5, 90, n)}, "EUR",
     "column 'fee_eur'"),
])
def test_the_currency_comes_from_signs_or_names(tmp_path, extra, code, evidence):
    data = tmp_path / "data"
    data.mkdir()
    _tenure_crm(**extra).to_csv(data / "crm.csv", index=False)
    got, why = guess_currency(plan_sources(inspect_folder(data)))
    assert got == code and evidence in why and why.endswith("check it")
    assert ("'$' is also CAD" in why) == ("$" in evidence)
    assert why.startswith("guess 0.8") and "France" not in why  # a place name is no evidence of the currency


def test_place_names_alone_are_a_hint_and_leave_the_currency_unset(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _tenure_crm(Country=lambda r, n: r.choice(["France", "Spain"], n),
                MonthlyCharges=lambda r, n: r.uniform(5, 90, n).round(2)).to_csv(data / "crm.csv", index=False)
    plan = plan_sources(inspect_folder(data))
    code, why = guess_currency(plan)
    assert code is None and place_currency(plan) == "EUR"
    assert why.startswith("TODO: no currency found in the data, so none is set and amounts are shown without one")
    assert "the places in the data (France, Spain) suggest EUR" in why or "(Spain, France)" in why


def test_without_evidence_the_currency_is_left_unset(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _tenure_crm(MonthlyCharges=lambda r, n: r.uniform(5, 90, n).round(2)).to_csv(data / "crm.csv", index=False)
    code, why = guess_currency(plan_sources(inspect_folder(data)))
    assert code is None and "amounts are shown without one" in why
