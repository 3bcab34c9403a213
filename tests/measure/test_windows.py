"""Reporting windows: the periods a figure covers and the label beside it."""

import pandas as pd
import pytest

from cxtemplate.measure.windows import window


def test_the_window_ends_at_the_latest_period_and_says_how_many_it_covers():
    stamps = pd.Series(pd.to_datetime(["2025-01-15", "2025-03-02", "2025-12-31 23:00", "2025-07-04"], format="ISO8601"))
    w = window(stamps, 3, "M")
    assert (str(w.start), str(w.end), w.n_periods) == ("2025-10", "2025-12", 3)
    assert w.label == "2025-10 to 2025-12 (last 3 months)"
    assert w.contains(stamps).tolist() == [False, False, True, False]
    assert window(stamps, 1, "M").label == "2025-12 (latest month)"
    assert window(stamps, None, "M").label == "2025-01 to 2025-12 (all 12 months)"  # gaps count: calendar months


def test_a_window_longer_than_the_data_says_so():
    w = window(pd.period_range("2025-11", "2025-12", freq="M"), 6, "M")
    assert w.n_periods == 2 and w.label == "2025-11 to 2025-12 (the 2 months there are)"
    assert window(pd.period_range("2025-12", "2025-12", freq="M"), 3, "M").label == "2025-12 (the only month)"


def test_quarters_and_time_zones():
    stamps = pd.Series(pd.to_datetime(["2025-02-01", "2025-11-30"]).tz_localize("UTC"))
    assert window(stamps, 2, "Q").label == "2025Q3 to 2025Q4 (last 2 quarters)"
    assert window(stamps, 1, "Q").contains(stamps).tolist() == [False, True]


def test_no_data_or_an_empty_window_is_an_error():
    with pytest.raises(ValueError, match="at least one period"):
        window([], 3, "M")
    with pytest.raises(ValueError, match="at least one period"):
        window(pd.period_range("2025-01", "2025-02", freq="M"), 0, "M")
