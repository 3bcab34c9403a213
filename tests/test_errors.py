"""Errors that reach the user (``cxtemplate.errors``): a params problem names file, line and key path; a
data problem names table, source, column, example rows and a hint; ``check_choice`` lists the choices."""

from __future__ import annotations

import pytest

from cxtemplate.errors import (
    ConfigError,
    CxError,
    DataError,
    DataErrors,
    PrerequisiteMissing,
    Problem,
    check_choice,
    mask_credentials,
)


def test_a_problem_names_file_line_and_key_path():
    assert str(Problem("params/acme.yaml", "reporting.min_n", "must be an integer", line=12)) == \
        "params/acme.yaml:12: reporting.min_n: must be an integer"
    assert str(Problem("params/acme.yaml", "", "the file is empty")) == "params/acme.yaml: (top level): the file is empty"
    assert str(Problem("p.yaml", "objectives[0].owner", "unknown", line=0)) == "p.yaml: objectives[0].owner: unknown"


def test_a_config_error_lists_every_problem_and_counts_them():
    one = ConfigError([Problem("a.yaml", "organisation.id", "bad id", 2)])
    assert str(one) == "1 problem in the parameters:\n  - a.yaml:2: organisation.id: bad id"
    two = ConfigError([Problem("a.yaml", "organisation.id", "bad id", 2), Problem("b.yaml", "sources", "none", 5)])
    assert str(two).splitlines() == ["2 problems in the parameters:", "  - a.yaml:2: organisation.id: bad id",
                                     "  - b.yaml:5: sources: none"]
    assert [p.file for p in two.problems] == ["a.yaml", "b.yaml"]


def test_a_data_error_names_table_source_column_examples_and_hint():
    err = DataError("responses", "not a number", source="data/survey.csv", column="LTR",
                    examples=[f"row {i}: 'ten'" for i in range(1, 8)], hint="map the column holding 0–10 scores")
    assert str(err).splitlines() == [
        "table 'responses', source data/survey.csv, column 'LTR': not a number",
        "    examples: row 1: 'ten'; row 2: 'ten'; row 3: 'ten'; row 4: 'ten'; row 5: 'ten'",  # five at most
        "    hint: map the column holding 0–10 scores",
    ]
    assert err.args == (str(err),)


def test_a_data_error_without_details_is_one_line():
    assert str(DataError("customers", "the table is empty")) == "table 'customers': the table is empty"


def test_several_data_errors_are_counted_and_listed():
    errs = DataErrors([DataError("customers", "empty"), DataError("responses", "no scores", column="nps")])
    assert str(errs).splitlines() == ["2 data problems stop the run:", "  - table 'customers': empty",
                                      "  - table 'responses', column 'nps': no scores"]


def test_a_single_data_error_is_counted_in_the_singular():
    assert str(DataErrors([DataError("customers", "empty")])).splitlines()[0] == "1 data problem stops the run:"


def test_every_error_of_ours_is_a_cx_error():
    for err in (ConfigError([]), DataError("t", "m"), DataErrors([]), PrerequisiteMissing("run 00 first")):
        assert isinstance(err, CxError)
    assert not isinstance(ValueError(), CxError)


@pytest.mark.parametrize("choices, listed", [
    (("mean",), "'mean'"),
    (("mean", "median"), "'mean' or 'median'"),
    (("nps", "top_box", "mean"), "'nps', 'top_box' or 'mean'"),
    ((1, 2), "1 or 2"),
])
def test_check_choice_lists_the_choices_in_order(choices, listed):
    with pytest.raises(ValueError) as info:
        check_choice("method", "mode", choices)
    assert str(info.value) == f"method must be one of {listed}, got 'mode'"


def test_check_choice_returns_a_valid_value_and_takes_any_iterable():
    assert check_choice("freq", "M", ("M", "Q")) == "M"
    assert check_choice("kind", "b", (c for c in "abc")) == "b"
    assert check_choice("level", 3, range(1, 6)) == 3


def test_check_choice_says_who_is_asking():
    with pytest.raises(ValueError, match=r"^MetricSpec 'CSAT': kind must be one of 'nps', 'top_box' or 'mean', got 'median'$"):
        check_choice("kind", "median", ("nps", "top_box", "mean"), context="MetricSpec 'CSAT'")


def test_check_choice_shows_the_bad_value_as_written():
    with pytest.raises(ValueError, match=r"got None$"):
        check_choice("x", None, ("a",))
    with pytest.raises(ValueError, match=r"got 'A'$"):
        check_choice("x", "A", ("a",))  # case matters


# --------------------------------------------------------------------------- secrets are never echoed

URL = "postgresql://cx_user:s3cret-Pw@db.internal:5432/cx"


@pytest.mark.parametrize("text, expected", [
    (URL, "postgresql://cx_user:***@db.internal:5432/cx"),
    ("mysql+pymysql://u:p%40ss@host/db", "mysql+pymysql://u:***@host/db"),
    ("postgresql://cx:pa@ss@db:5432/cx", "postgresql://cx:***@db:5432/cx"),  # an unencoded @ in the password
    ("postgresql://cx:pa/ss:w'rd@db/cx", "postgresql://cx:***@db/cx"),  # unencoded / : and a quote
    ("redis://:hunter22@cache:6379/0", "redis://:***@cache:6379/0"),
    ("(got 'snowflake://me:Pa55@acct/db')", "(got 'snowflake://me:***@acct/db')"),
    ("https://api.example.com/v1?api_key=ABC123&x=1", "https://api.example.com/v1?api_key=***&x=1"),
    ("https://x.blob.core.windows.net/c?sv=2020&sig=abc%2Fdef", "https://x.blob.core.windows.net/c?sv=2020&sig=***"),
    ("host=db user=cx password=s3cret dbname=cx", "host=db user=cx password=*** dbname=cx"),
    ("Driver={ODBC};Server=db;Pwd=s3cret;", "Driver={ODBC};Server=db;Pwd=***;"),
    ("ftp://user@host/x and https://example.com/path", "ftp://user@host/x and https://example.com/path"),
    # a value cut short for a message before its "@": what follows the colon is hidden, a port is not
    ("not a number ('postgresql://cx_user:s3cret-P')", "not a number ('postgresql://cx_user:***')"),
    ("postgresql://cx_user:s3cr…", "postgresql://cx_user:***…"),
    ("could not reach http://localhost:8080/x", "could not reach http://localhost:8080/x"),
])
def test_mask_credentials_hides_passwords_and_keeps_the_rest(text, expected):
    assert mask_credentials(text) == expected
    assert mask_credentials(expected) == expected  # idempotent


def test_every_error_type_masks_a_url_with_credentials_by_construction():
    problem = Problem("p.yaml", "sources.responses.url_env", f"environment variable {URL} is not set", 7)
    assert "s3cret" not in problem.message and "s3cret" not in str(problem)
    assert "s3cret" not in str(ConfigError([problem]))
    err = DataError("responses", f"the query failed: could not connect to {URL}", source=f"sql via {URL}",
                    examples=[f"row 1: {URL}"], hint=f"check {URL}")
    assert "s3cret" not in str(err) and "s3cret" not in repr(err.args) and "db.internal" in str(err)
    assert all("s3cret" not in (v or "") for v in (err.message, err.source, err.hint, *err.examples))
    assert "s3cret" not in str(DataErrors([err]))
    assert "s3cret" not in str(PrerequisiteMissing(f"run 00 first ({URL})"))
    assert "s3cret" not in str(CxError(URL)) and CxError(URL).args == ("postgresql://cx_user:***@db.internal:5432/cx",)


def test_a_data_error_changed_after_it_was_made_still_prints_no_password():
    err = DataError("responses", "fine")
    err.message = f"now with {URL}"
    assert "s3cret" not in str(err)
