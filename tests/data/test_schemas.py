"""The canonical data model (``cxtemplate.data.schemas``): the columns each table has under a config,
coercion that keeps identifiers as text, strips labels and reads blanks as missing, date reading, and the
row checks that quarantine out-of-range scores, fractions, future dates, duplicate and missing keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.config.schema import Config
from cxtemplate.data.schemas import (
    AmbiguousDates,
    canonical_columns,
    check_rows,
    coerce,
)
from cxtemplate.vocabulary import TABLES

AS_OF = pd.Timestamp("2025-12-31")


def make_config(**metrics) -> Config:
    return Config.model_validate({"organisation": {"id": "acme", "name": "Acme", "as_of": "2025-12-31"},
                                  "sources": {"responses": {"file": "r.csv"}}, "metrics": metrics})


@pytest.fixture(scope="module")
def cfg() -> Config:
    return make_config()


def columns(table: str, cfg: Config) -> dict:
    return {c.name: c for c in canonical_columns(table, cfg)}


# --------------------------------------------------------------------------- canonical columns


def test_every_canonical_table_has_columns_and_the_design_keys(cfg):
    # DESIGN.md, "Canonical data model": the key columns of each table
    keys = {"customers": {"customer_id", "start_date", "end_date", "segment", "location", "plan", "revenue"},
            "responses": {"response_id", "customer_id", "responded_at", "touchpoint", "journey_stage", "location",
                          "channel", "nps", "csat", "ces", "comment", "agent_id"},
            "interactions": {"interaction_id", "customer_id", "started_at", "channel", "intent", "sentiment",
                             "resolved", "handle_seconds"},
            "operations": {"period", "location", "kpi", "value"},
            "maturity_answers": {"respondent_id", "role", "dimension", "practice", "level"}}
    assert set(keys) == set(TABLES)
    for table in TABLES:
        assert keys[table] <= set(columns(table, cfg)), table


def test_unknown_table_is_refused_with_the_choices(cfg):
    with pytest.raises(ValueError, match="table must be one of 'customers', .* or 'maturity_answers', got 'orders'"):
        canonical_columns("orders", cfg)


def test_score_ranges_follow_the_configured_scales():
    c = columns("responses", make_config(csat={"scale": [1, 7]}, ces={"scale": [1, 5]},
                                         drivers={"columns": ["speed", "staff"], "scale": [1, 5]}))
    assert (c["nps"].lo, c["nps"].hi) == (0, 10)  # NPS is always the 0–10 question
    assert (c["csat"].lo, c["csat"].hi) == (1, 7) and (c["ces"].lo, c["ces"].hi) == (1, 5)
    assert c["nps"].whole and c["csat"].whole and c["ces"].whole
    assert (c["speed"].kind, c["speed"].lo, c["speed"].hi, c["speed"].whole) == ("float", 1, 5, False)


def test_keys_are_unique_and_never_missing_and_contacts_are_marked(cfg):
    for table, key in [("customers", "customer_id"), ("responses", "response_id"), ("interactions", "interaction_id")]:
        col = columns(table, cfg)[key]
        assert (col.kind, col.unique, col.nullable) == ("id", True, False), table
    customers = columns("customers", cfg)
    assert {n for n, c in customers.items() if c.contact} == {"contact_name", "contact_email", "contact_phone"}


# --------------------------------------------------------------------------- coercion


@pytest.fixture(scope="module")
def response_columns(cfg):
    return canonical_columns("responses", cfg)


def test_identifiers_stay_text_with_their_leading_zeros(response_columns):
    df = pd.DataFrame({"response_id": ["00123", " 0042 ", "R-7"], "agent_id": ["007", "0", "010"]})
    out, reasons = coerce(df, response_columns)
    assert out["response_id"].tolist() == ["00123", "0042", "R-7"]
    assert out["agent_id"].tolist() == ["007", "0", "010"]
    assert (reasons == "").all()


def test_whole_number_ids_read_as_floats_lose_the_trailing_point_zero(response_columns):
    # a spreadsheet export gives 15634602.0 for the id 15634602 (docstring of the id conversion)
    df = pd.DataFrame({"customer_id": [15634602.0, np.nan, 7.0]})
    out, _ = coerce(df, response_columns)
    assert out["customer_id"].tolist()[::2] == ["15634602", "7"] and out["customer_id"].iloc[1] is None


def test_labels_are_stripped_and_blanks_are_missing(response_columns):
    df = pd.DataFrame({"location": ["  Leeds ", "Leeds", "", "   ", None, "Milton  Keynes"],
                       "channel": ["web", " web", "\tphone\n", "", None, "app"]})
    out, reasons = coerce(df, response_columns)
    assert out["location"].tolist() == ["Leeds", "Leeds", None, None, None, "Milton  Keynes"]
    assert out["channel"].tolist() == ["web", "web", "phone", None, None, "app"]
    assert (reasons == "").all()


def test_a_label_column_holds_one_string_per_distinct_value(response_columns):
    same = ["".join(["Le", "eds"]) for _ in range(3)]  # noqa: FLY002 - three equal but separate string objects
    assert same[0] is not same[1]
    out, _ = coerce(pd.DataFrame({"location": same}), response_columns)
    assert out["location"].iloc[0] is out["location"].iloc[1] is out["location"].iloc[2]


def test_free_text_keeps_its_spacing_and_blank_text_is_missing(response_columns):
    df = pd.DataFrame({"comment": ["  Slow service.  ", "", "  ", None]})
    out, _ = coerce(df, response_columns)
    assert out["comment"].tolist() == ["  Slow service.  ", None, None, None]


def test_blank_ids_are_missing(response_columns):
    out, reasons = coerce(pd.DataFrame({"customer_id": ["C1", "", "  ", None]}), response_columns)
    assert out["customer_id"].iloc[0] == "C1"
    assert out["customer_id"].iloc[1:].isna().all()
    assert (reasons == "").all()


def test_numbers_are_read_and_unreadable_ones_get_a_reason(response_columns):
    df = pd.DataFrame({"nps": ["7", " 10 ", "ten", "", None, "7.5"], "csat": [5, 4, 3, 2, 1, 5]})
    out, reasons = coerce(df, response_columns)
    assert out["nps"].tolist()[:2] == [7.0, 10.0] and out["nps"].iloc[5] == 7.5
    assert out["nps"].iloc[2:5].isna().all()
    assert out["nps"].dtype == float and out["csat"].dtype == float
    assert reasons.tolist() == ["", "", "nps: not a number ('ten'); ", "", "", ""]  # a blank is missing, not bad


def test_out_of_range_scores_pass_coercion_and_are_caught_by_the_row_checks(response_columns):
    # coerce only reads values; ranges are the row checks' business (module docstring)
    df = pd.DataFrame({"response_id": ["R1", "R2", "R3", "R4"], "nps": ["11", "-1", "10", "0"],
                       "csat": [6, 0, 5, 1]})
    out, reasons = coerce(df, response_columns)
    assert out["nps"].tolist() == [11.0, -1.0, 10.0, 0.0] and (reasons == "").all()
    checked = check_rows("responses", out, response_columns, AS_OF)
    assert checked.tolist() == ["nps: outside 0–10; csat: outside 1–5; ", "nps: outside 0–10; csat: outside 1–5; ",
                                "", ""]


def test_booleans_from_words_and_digits(cfg):
    cols = canonical_columns("interactions", cfg)
    df = pd.DataFrame({"resolved": ["Yes", "no", "TRUE", " f ", "1", "0", "", None, "maybe"]})
    out, reasons = coerce(df, cols)
    assert out["resolved"].dtype == "boolean"
    assert out["resolved"].tolist()[:6] == [True, False, True, False, True, False]
    assert out["resolved"].iloc[6:].isna().all()
    assert reasons.tolist()[-1] == "resolved: not true/false ('maybe'); " and (reasons.iloc[:-1] == "").all()


def test_coerce_leaves_the_source_frame_and_unknown_columns_alone(response_columns):
    df = pd.DataFrame({"nps": ["7"], "location": [" Leeds "], "extra_attribute": [" kept as is "]})
    before = df.copy()
    out, _ = coerce(df, response_columns)
    pd.testing.assert_frame_equal(df, before)
    assert out["extra_attribute"].iloc[0] == " kept as is "


@pytest.mark.parametrize("values, expected", [
    (["2025-01-31", "2025-02-01 13:45:00"], ["2025-01-31 00:00", "2025-02-01 13:45"]),     # ISO 8601
    (["31/01/2025", "15/02/2025", "01/03/2025"], ["2025-01-31", "2025-02-15", "2025-03-01"]),  # day first
    (["01/31/2025", "02/15/2025", "03/01/2025"], ["2025-01-31", "2025-02-15", "2025-03-01"]),  # month first
    (["31-Jan-2025", "15-Feb-2025"], ["2025-01-31", "2025-02-15"]),
    (["2025-01-31T10:00:00+01:00", "2025-02-01T00:30:00+01:00"], ["2025-01-31 09:00", "2025-01-31 23:30"]),  # to UTC
])
def test_dates_in_common_formats(response_columns, values, expected):
    out, reasons = coerce(pd.DataFrame({"responded_at": values}), response_columns)
    assert out["responded_at"].tolist() == pd.to_datetime(expected).tolist()
    assert (reasons == "").all()


def test_timestamps_across_a_clock_change_are_read_in_utc(response_columns):
    out, _ = coerce(pd.DataFrame({"responded_at": ["2025-01-31T10:00:00+00:00", "2025-06-30T10:00:00+01:00"]}),
                    response_columns)
    assert out["responded_at"].tolist() == pd.to_datetime(["2025-01-31 10:00", "2025-06-30 09:00"]).tolist()


def test_dates_that_read_both_day_and_month_first_are_refused(response_columns):
    with pytest.raises(AmbiguousDates, match="%d/%m/%Y.*%m/%d/%Y"):
        coerce(pd.DataFrame({"responded_at": ["01/02/2025", "03/04/2025", "12/11/2025"]}), response_columns)


def test_the_params_date_format_decides(response_columns):
    out, reasons = coerce(pd.DataFrame({"responded_at": ["01/02/2025", "bad"]}), response_columns, date_format="%m/%d/%Y")
    assert out["responded_at"].iloc[0] == pd.Timestamp("2025-01-02")
    assert reasons.tolist() == ["", "responded_at: not a date ('bad'); "]


def test_an_unreadable_value_is_shown_shortened_in_its_reason(response_columns):
    _, reasons = coerce(pd.DataFrame({"nps": ["x" * 100]}), response_columns)
    assert reasons.iloc[0] == f"nps: not a number ({'x' * 40!r}); "


# --------------------------------------------------------------------------- row checks


def test_fractions_of_whole_scores_and_future_dates_are_reported(response_columns):
    df = pd.DataFrame({"response_id": ["R1", "R2", "R3"], "nps": [7.5, 8.0, np.nan],
                       "responded_at": pd.to_datetime(["2025-12-31", "2026-01-01", None])})
    assert check_rows("responses", df, response_columns, AS_OF).tolist() == [
        "nps: not a whole number; ", "responded_at: after the analysis date 2025-12-31; ", ""]


def test_duplicate_keys_after_the_first_and_missing_keys_are_reported(cfg):
    cols = canonical_columns("customers", cfg)
    df = pd.DataFrame({"customer_id": ["C1", "C2", "C1", None, "C1"], "revenue": [1.0, 2.0, 3.0, 4.0, -5.0]})
    assert check_rows("customers", df, cols, AS_OF).tolist() == [
        "", "", "customer_id: duplicate key; ", "customer_id: missing key; ",
        "customer_id: duplicate key; revenue: below 0; "]


def test_an_end_before_the_start_is_a_row_problem(cfg):
    cols = canonical_columns("customers", cfg)
    df = pd.DataFrame({"customer_id": ["C1", "C2", "C3"],
                       "start_date": pd.to_datetime(["2024-05-01", "2024-05-01", "2024-05-01"]),
                       "end_date": pd.to_datetime(["2024-04-30", "2024-05-01", None])})
    assert check_rows("customers", df, cols, AS_OF).tolist() == ["row: end_date before start_date; ", "", ""]


def test_operations_periods_may_lie_after_the_analysis_date(cfg):
    cols = canonical_columns("operations", cfg)
    df = pd.DataFrame({"period": pd.to_datetime(["2026-03-01"]), "location": ["Leeds"], "kpi": ["fcr"], "value": [0.8]})
    assert check_rows("operations", df, cols, AS_OF).tolist() == [""]


def test_columns_absent_from_the_table_are_not_checked(response_columns):
    df = pd.DataFrame({"nps": [3.0, 9.0]})  # no response_id column at all
    assert check_rows("responses", df, response_columns, AS_OF).tolist() == ["", ""]


# --------------------------------------------------------------------------- messy exports (issue 14)


@pytest.mark.parametrize("text, number", [
    ("10 - Extremely likely", 10), ("0 - Not at all likely", 0), ("10 – Extremely likely", 10), ("5: Very satisfied", 5),
    ("(3) Neutral", 3), ("Very satisfied (5)", 5), ("Very dissatisfied - 1", 1), ("7 Likely", 7),
    ("Extremely likely", None), ("7/10", None), ("1-5", None), ("Top 2 box", None), ("n/a", None),
], ids=lambda v: str(v))
def test_labelled_scores_read_as_the_number_they_carry(text, number):
    from cxtemplate.data.schemas import parse_labelled_scores

    (got,) = parse_labelled_scores(pd.Series([text], dtype="string")).tolist()
    assert (np.isnan(got) if number is None else got == number), got


def test_labelled_end_points_are_scores_and_the_report_says_so(response_columns):
    df = pd.DataFrame({"nps": ["10 - Extremely likely", "3", "0 - Not at all likely", "10 - Extremely likely", "ten"]})
    notes: list[str] = []
    out, reasons = coerce(df, response_columns, notes=notes)
    assert out["nps"].tolist()[:4] == [10.0, 3.0, 0.0, 10.0] and np.isnan(out["nps"].iloc[4])
    assert reasons.tolist() == ["", "", "", "", "nps: not a number ('ten'); "]
    assert notes == ["nps: 3 answers written as labels (e.g. '10 - Extremely likely', '0 - Not at all likely') were "
                     "read as their numbers"]


def test_labels_are_read_only_in_score_columns(cfg):
    cols = canonical_columns("customers", cfg)
    out, reasons = coerce(pd.DataFrame({"revenue": ["12 - monthly"]}), cols)
    assert np.isnan(out["revenue"].iloc[0]) and reasons.iloc[0] == "revenue: not a number ('12 - monthly'); "


def test_a_clock_change_and_times_without_an_offset_are_read_in_utc_and_stated(response_columns):
    df = pd.DataFrame({"responded_at": ["2025-01-31T10:00:00+00:00", "2025-06-30T10:00:00+01:00",
                                        "2025-03-01T10:00:00", None]})
    notes: list[str] = []
    out, _ = coerce(df, response_columns, notes=notes)
    assert out["responded_at"].tolist()[:3] == pd.to_datetime(["2025-01-31 10:00", "2025-06-30 09:00",
                                                               "2025-03-01 10:00"]).tolist()
    assert pd.isna(out["responded_at"].iloc[3])
    assert notes == ["responded_at: timestamps carry 2 UTC offsets (+00:00, +01:00); every one was converted to UTC, "
                     "and 1 without an offset was read as UTC"]


def test_times_already_in_a_time_zone_are_moved_to_utc_not_relabelled(response_columns):
    local = pd.Series(pd.to_datetime(["2025-06-30 10:00"]).tz_localize("Europe/London"))
    notes: list[str] = []
    out, _ = coerce(pd.DataFrame({"responded_at": local}), response_columns, notes=notes)
    assert out["responded_at"].tolist() == [pd.Timestamp("2025-06-30 09:00")]  # BST is UTC+1
    assert notes == ["responded_at: timestamps in time zone Europe/London were converted to UTC"]


def test_ids_follow_the_declared_rule_and_keep_their_zeros(response_columns):
    from cxtemplate.config.schema import IdRule

    df = pd.DataFrame({"customer_id": [" c00123", "00124", "C00125 ", None]})
    out, _ = coerce(df, response_columns)
    assert out["customer_id"].tolist() == ["c00123", "00124", "C00125", None]
    out, _ = coerce(df, response_columns, ids=IdRule(case="upper"))
    assert out["customer_id"].tolist() == ["C00123", "00124", "C00125", None]
    out, _ = coerce(df, response_columns, ids=IdRule(leading_zeros="strip"))
    assert out["customer_id"].tolist()[1] == "124"


def test_ids_a_tool_wrote_as_floats_lose_the_point_zero_only_when_all_of_them_do(response_columns):
    out, _ = coerce(pd.DataFrame({"customer_id": ["15634602.0", "7.0"]}), response_columns)
    assert out["customer_id"].tolist() == ["15634602", "7"]
    out, _ = coerce(pd.DataFrame({"customer_id": ["1.0", "v2.0", "3.5"]}), response_columns)
    assert out["customer_id"].tolist() == ["1.0", "v2.0", "3.5"]
