"""Tests of :mod:`cxtemplate.scaffold.profile`: normalised names, personal and sensitive names, and what a
column profile records (robust range, row numbers, text shares, dates and their format)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.scaffold.profile import (
    detect_dates,
    fmt_bound,
    looks_personal,
    looks_sensitive,
    normalise,
    parse_dates,
    profile_column,
    profile_frame,
)


def test_names():
    """The name half of the former ``test_names_and_units`` (the units half is in test_guess.py)."""
    assert normalise("CustomerId") == "customer_id"
    assert normalise("Departure/Arrival time convenient") == "departure_arrival_time_convenient"
    assert normalise("NumOfProducts") == "num_of_products"


@pytest.mark.parametrize("name, norm", [
    ("Type of Travel", "type_of_travel"), ("  Net Promoter Score ", "net_promoter_score"),
    ("HTTPStatus", "http_status"),
    ("csat_1-5", "csat_1_5"), ("Unnamed: 0", "unnamed_0"), ("Zufriedenheit (%)", "zufriedenheit"), ("ID", "id"),
])
def test_normalise_more_names(name, norm):
    assert normalise(name) == norm


def test_personal_and_sensitive_names():
    for name in ("Surname", "Email", "customer_phone", "ZipCode", "street_address", "First Name"):
        assert looks_personal(name), name
    for name in ("plan", "Region", "Tenure"):
        assert not looks_personal(name), name
    for name in ("Age", "Gender", "Date of Birth", "marital_status", "Ethnicity"):
        assert looks_sensitive(name), name
    assert not looks_sensitive("Agent") and not looks_sensitive("usage")      # whole words only


def test_numeric_profile_has_a_robust_range():
    # 200 values: a value seen once (99) is a straggler, left out of the robust range but kept in the raw one
    p = profile_column("x", pd.Series(list(range(1, 6)) * 40 + [99]))
    assert (p.numeric, p.integer, p.n, p.rows, p.n_unique) == (True, True, 201, 201, 6)
    assert (p.lo, p.hi, p.raw_lo, p.raw_hi) == (1.0, 5.0, 1.0, 99.0)
    assert p.range_text() == "integers 1–99" and not p.row_number
    small = profile_column("x", pd.Series([0.5, 2.25, 3.0]))          # below 200 values every value counts
    assert (small.lo, small.hi, small.integer) == (0.5, 3.0, False) and small.range_text() == "numbers 0.5–3"


def test_row_numbers_are_recognised():
    assert profile_column("RowNumber", pd.Series(np.arange(1, 101))).row_number        # position + 1
    assert profile_column("idx", pd.Series(np.arange(0, 100))).row_number             # position
    assert not profile_column("id", pd.Series(np.arange(5, 105))).row_number
    assert not profile_column("few", pd.Series(np.arange(1, 11))).row_number           # too short to tell


def test_text_profile_blanks_emails_phones_and_levels():
    p = profile_column("contact", pd.Series(["a@b.com", "c@d.org", " ", None, "x"]))
    assert (p.n, p.rows, p.is_text) == (3, 5, True)                   # blanks are missing
    assert p.email_share == pytest.approx(2 / 3) and p.levels == ["a@b.com", "c@d.org", "x"]
    phones = profile_column("tel", pd.Series(["+44 7700 900123", "07700 900456", "(020) 7946-0000", "n/a"]))
    assert phones.phone_share == pytest.approx(0.75)
    t = profile_column("Type", pd.Series(["Business", "Eco", "Eco Plus", "Eco"] * 5))
    assert t.level_text() == "3 levels (Business, Eco, Eco Plus)" and t.levels[0] == "Eco"
    many = profile_column("t", pd.Series([f"L{i:02d}" for i in range(40)]))
    assert many.level_text().startswith("40 levels (") and many.level_text().endswith(", …)")
    assert many.unique_share == 1.0


def test_numbers_among_words_are_numbers_stored_as_text():
    p = profile_column("n", pd.Series([str(i) for i in range(200)] + ["n/a"]))
    assert p.numeric and p.numbers_as_text and p.raw_hi == 199
    assert not profile_column("n", pd.Series(range(10))).numbers_as_text


def test_dates_and_their_format():
    share, fmt, note = detect_dates(pd.Series(["2024-01-02", "2024-02-03T10:00:00"] * 10))
    assert (share, fmt, note) == (1.0, None, "ISO dates")
    share, fmt, note = detect_dates(pd.Series(["13/02/2024", "01/03/2024"] * 10))
    assert (share, fmt) == (1.0, "%d/%m/%Y") and "ambiguous" not in note            # 13 can only be a day
    _, fmt, note = detect_dates(pd.Series(["01/02/2024", "03/04/2024"] * 10))
    assert fmt == "%d/%m/%Y" and "day/month order is ambiguous" in note            # day first, and says so
    assert detect_dates(pd.Series(["12-Mar-18", "01-Jul-18"] * 5))[1] == "%d-%b-%y"
    assert detect_dates(pd.Series(["hello", "world"]))[0] == 0.0
    p = profile_column("when", pd.Series(["31/12/2024"] * 5))
    assert p.is_date and p.date_format == "%d/%m/%Y"
    native = profile_column("t", pd.Series(pd.date_range("2024-01-01", periods=5)))
    assert native.is_datetime and native.is_date


def test_parse_dates_like_the_integration():
    got = parse_dates(pd.Series(["02/01/2024", "bad", None]), "%d/%m/%Y")
    assert got.iloc[0] == pd.Timestamp("2024-01-02") and got.iloc[1:].isna().all()
    assert parse_dates(pd.Series(["2024-01-02T10:00:00+01:00"]), None).iloc[0] == pd.Timestamp("2024-01-02 09:00")
    assert parse_dates(pd.Series(["Jan 5, 2024", "Feb 6, 2024"]), None).dt.day.tolist() == [5, 6]


def test_bounds_as_messages_show_them():
    assert [fmt_bound(x) for x in (None, 1200.0, 0.5, 8542.3, 3.14159, -2.0)] == ["?", "1,200", "0.5", "8,542", "3.142",
                                                                                 "-2"]


def test_profile_frame_in_file_order():
    frame = pd.DataFrame([[1, "a"], [2, "b"]], columns=["n", 7])
    assert [(p.name, p.numeric) for p in profile_frame(frame)] == [("n", True), ("7", False)]
