"""Row filters of the params (``cxtemplate.data.where``): which rows a ``where:`` keeps, checked against
frames small enough to count by hand, and the errors that name the key, the column and the value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.data.where import WhereError, describe_where, where_columns, where_mask, where_problems


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    """Six customers of a telecom-like CRM; the expected rows below are counted by hand from this table."""
    return pd.DataFrame({
        "contract": ["Month-to-month", "One year", "Month-to-month ", "Two year", None, "Month-to-month"],
        "internet_service": ["DSL", "No", "Fiber optic", "DSL", "No", "No"],
        "tenure": [1.0, 24.0, 12.0, 60.0, 5.0, np.nan],
        "senior": pd.array([True, False, False, True, False, None], dtype="boolean"),
        "start_date": pd.to_datetime(["2024-01-05", "2022-06-01", "2024-12-31", "2019-03-15", "2025-02-01",
                                      "2023-07-01"]),
    })


def rows(frame: pd.DataFrame, where: dict) -> list[int]:
    return list(np.flatnonzero(where_mask(frame, where)))


def test_an_empty_filter_keeps_every_row(customers):
    assert rows(customers, {}) == [0, 1, 2, 3, 4, 5]


def test_a_value_alone_is_equality_on_the_text_as_written_spaces_around_it_aside(customers):
    # rows 0, 2 (trailing space in the export) and 5 read "Month-to-month"; row 4 has no contract
    assert rows(customers, {"contract": "Month-to-month"}) == [0, 2, 5]
    assert rows(customers, {"contract": "month-to-month"}) == []  # text compares as written, case included


def test_a_list_alone_is_one_of_the_values(customers):
    assert rows(customers, {"contract": ["One year", "Two year"]}) == [1, 3]


def test_every_condition_must_hold_the_issues_cohort(customers):
    # "month-to-month customers with internet service": rows 0 and 2 (row 5 has no internet)
    assert rows(customers, {"contract": "Month-to-month", "internet_service": {"!=": "No"}}) == [0, 2]


def test_ordered_comparisons_on_numbers_and_several_operators_on_one_column(customers):
    assert rows(customers, {"tenure": {">=": 12, "<": 60}}) == [1, 2]
    assert rows(customers, {"tenure": {"<=": 5}}) == [0, 4]
    with pytest.raises(ValueError, match="compares numbers or dates, got '5'"):  # quoted: text, refused
        rows(customers, {"tenure": {"<=": "5"}})


def test_a_missing_value_matches_no_condition_not_even_not_equal(customers):
    assert rows(customers, {"contract": {"!=": "Two year"}}) == [0, 1, 2, 5]  # row 4 (no contract) is out
    assert rows(customers, {"tenure": {"not in": [1, 24]}}) == [2, 3, 4]  # row 5 (no tenure) is out


def test_true_false_columns_compare_with_words_or_booleans(customers):
    assert rows(customers, {"senior": True}) == [0, 3]
    assert rows(customers, {"senior": "no"}) == [1, 2, 4]


def test_dates_compare_as_dates(customers):
    assert rows(customers, {"start_date": {">=": "2024-01-01"}}) == [0, 2, 4]


def test_a_column_the_table_lacks_is_named_with_the_closest_one(customers):
    assert where_problems({"contrct": "One year"}, list(customers.columns), key="sources.customers.where") == [
        "sources.customers.where.contrct: there is no column 'contrct' in the table (did you mean 'contract'?)"]
    with pytest.raises(WhereError, match=r"churn\.cohorts\.mtm\.contrct"):
        where_mask(customers, {"contrct": "One year"}, key="churn.cohorts.mtm")


@pytest.mark.parametrize("where, words", [
    ({"tenure": "long"}, ["tenure", "holds numbers", "'long'"]),
    ({"contract": {">": 3}}, ["contract", "compares numbers or dates", "text"]),
    ({"senior": "maybe"}, ["senior", "true/false", "'maybe'"]),
    ({"start_date": {">": "soon"}}, ["start_date"]),
    # pd.Timestamp(2020) is 2,020 nanoseconds after 1970: every date would be "after 2020"
    ({"start_date": {">=": 2020}}, ["start_date", "the number 2020", "YYYY-MM-DD"]),
], ids=["text-on-numbers", "order-on-text", "word-on-flag", "word-on-date", "number-on-date"])
def test_a_condition_that_does_not_fit_its_column_is_an_error_naming_it(customers, where, words):
    with pytest.raises((WhereError, ValueError)) as info:
        where_mask(customers, where, key="sources.customers.where")
    for w in words:
        assert w in str(info.value)


def test_no_expression_is_ever_evaluated(customers):
    """The language is data, not code: a Python expression is compared as text and matches nothing."""
    assert rows(customers, {"contract": "__import__('os').system('true')"}) == []
    with pytest.raises(ValueError, match="unknown operator"):
        where_mask(customers, {"tenure": {"lambda": 1}})


def test_the_columns_read_and_the_words_pages_print():
    where = {"contract": "Month-to-month", "internet_service": {"!=": "No"}, "tenure": {">=": 12.0},
             "plan": {"not in": ["Basic", "Premium"]}, "payment": ["Electronic check", "Mailed check"]}
    assert where_columns(where) == ["contract", "internet_service", "tenure", "plan", "payment"]
    assert describe_where(where) == ("contract = Month-to-month, internet_service ≠ No, tenure ≥ 12, "
                                     "plan is not Basic or Premium, payment = Electronic check or Mailed check")
    assert describe_where({}) == "all customers"
