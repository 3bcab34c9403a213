"""The params schema (``cxtemplate.config.schema``) at model level, without YAML or files: unknown keys
refused, values frozen, scales and success cut-offs checked, the baseline period written the way the
reporting frequency says, and the cross-field rules of sources, governance and alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from cxtemplate.config.schema import (
    AlertRule,
    CESMetric,
    Churn,
    Config,
    CSATMetric,
    Drivers,
    Governance,
    IdRule,
    Metrics,
    Organisation,
    Quality,
    Source,
    Sources,
    slug,
    unique_slugs,
)

MINIMAL = {"organisation": {"id": "acme", "name": "Acme Ltd", "as_of": "2025-12-31"},
           "sources": {"responses": {"file": "data/responses.csv"}}}


def errors(model, **data) -> list[dict]:
    with pytest.raises(ValidationError) as info:
        model(**data)
    return info.value.errors()


def messages(model, **data) -> str:
    return " | ".join(e["msg"] for e in errors(model, **data))


# --------------------------------------------------------------------------- strictness


def test_minimal_params_validate_with_the_documented_defaults():
    cfg = Config.model_validate(MINIMAL)
    # the currency unknown unless given: money is then shown without one, never in an assumed £
    assert cfg.organisation.currency is None and cfg.organisation.frequency == "month"
    assert cfg.metrics.csat.scale == (1, 5) and cfg.metrics.ces.scale == (1, 7) and cfg.metrics.confidence == 0.95
    assert cfg.reporting.min_n == 30  # DESIGN.md: cells under 30 responses are suppressed by default
    assert cfg.reporting.roles == ["executive", "manager", "analyst"]
    assert cfg.period_freq() == "M"


@pytest.mark.parametrize("where", [(), ("organisation",), ("sources", "responses"), ("metrics",), ("metrics", "nps")])
def test_an_unknown_key_is_refused_at_every_level(where):
    data = {**MINIMAL, "organisation": dict(MINIMAL["organisation"]),
            "sources": {"responses": dict(MINIMAL["sources"]["responses"])}, "metrics": {"nps": {}}}
    target = data
    for key in where:
        target = target[key]
    target["colour"] = "blue"
    with pytest.raises(ValidationError) as info:
        Config.model_validate(data)
    (err,) = info.value.errors()
    assert err["type"] == "extra_forbidden" and err["loc"] == (*where, "colour")


def test_a_loaded_config_cannot_be_changed():
    cfg = Config.model_validate(MINIMAL)
    with pytest.raises(ValidationError, match="frozen"):
        cfg.organisation.name = "Other"


def test_text_is_stripped_but_a_tab_delimiter_is_kept():
    src = Source(file="a.tsv", delimiter="\t", encoding=" latin-1 ")
    assert src.delimiter == "\t" and src.encoding == "latin-1"


def test_a_config_built_in_memory_has_no_params_path():
    cfg = Config.model_validate(MINIMAL)
    with pytest.raises(RuntimeError, match="not loaded from a file"):
        _ = cfg.params_path


# --------------------------------------------------------------------------- organisation


@pytest.mark.parametrize("org_id", ["acme", "a", "acme-retail_2", "9lives", "x" * 64])
def test_organisation_ids_that_name_a_folder(org_id):
    assert Organisation(id=org_id, name="A", as_of="2025-12-31").id == org_id


@pytest.mark.parametrize("org_id", ["Acme", "acme corp", "-acme", "_acme", "acme/../x", "", "x" * 65, "café"])
def test_organisation_ids_that_could_not_name_a_folder_are_refused(org_id):
    assert errors(Organisation, id=org_id, name="A", as_of="2025-12-31")[0]["loc"] == ("id",)


@pytest.mark.parametrize("currency", ["gbp", "GB", "POUND", "£"])
def test_currency_must_be_an_iso_4217_code(currency):
    assert errors(Organisation, id="a", name="A", as_of="2025-12-31", currency=currency)[0]["loc"] == ("currency",)


def test_start_must_be_before_as_of():
    assert "start (2025-12-31) must be before as_of (2025-12-31)" in messages(
        Organisation, id="a", name="A", start="2025-12-31", as_of="2025-12-31")
    assert Organisation(id="a", name="A", start="2025-01-01", as_of="2025-12-31").start == dt.date(2025, 1, 1)


@pytest.mark.parametrize("frequency, baseline", [("month", "2024-06"), ("month", "2024-01"), ("month", "2024-12"),
                                                 ("quarter", "2024Q2"), ("quarter", "2024Q1"), ("quarter", "2024Q4")])
def test_a_baseline_written_as_its_frequency_is_accepted(frequency, baseline):
    org = Organisation(id="a", name="A", as_of="2025-06-30", frequency=frequency, baseline=baseline)
    assert org.baseline == baseline


@pytest.mark.parametrize("frequency, baseline, example", [
    ("month", "2024Q2", "2024-06"), ("month", "2024-13", "2024-06"), ("month", "2024-00", "2024-06"),
    ("month", "2024-6", "2024-06"), ("month", "June 2024", "2024-06"),
    ("quarter", "2024-06", "2024Q2"), ("quarter", "2024Q5", "2024Q2"), ("quarter", "2024Q0", "2024Q2"),
    ("quarter", "2024q2", "2024Q2"),
])
def test_a_baseline_not_written_as_its_frequency_is_refused_with_an_example(frequency, baseline, example):
    msg = messages(Organisation, id="a", name="A", as_of="2025-06-30", frequency=frequency, baseline=baseline)
    assert f"baseline '{baseline}' is not a {frequency} like '{example}'" in msg


@pytest.mark.parametrize("frequency, as_of, ok, late", [
    ("month", "2024-06-15", "2024-06", "2024-07"),
    ("month", "2024-12-31", "2024-12", "2025-01"),
    ("quarter", "2024-05-01", "2024Q2", "2024Q3"),   # May is in the second quarter
    ("quarter", "2024-03-31", "2024Q1", "2024Q2"),
    ("quarter", "2024-10-01", "2024Q4", "2025Q1"),
])
def test_a_baseline_after_as_of_is_refused(frequency, as_of, ok, late):
    Organisation(id="a", name="A", as_of=as_of, frequency=frequency, baseline=ok)
    assert f"baseline {late} is after as_of {as_of}" in messages(
        Organisation, id="a", name="A", as_of=as_of, frequency=frequency, baseline=late)


def test_quarterly_reporting_uses_pandas_quarters():
    cfg = Config.model_validate({**MINIMAL, "organisation": {**MINIMAL["organisation"], "frequency": "quarter"}})
    assert cfg.period_freq() == "Q"


# --------------------------------------------------------------------------- sources


def test_source_needs_file_or_sql():
    assert "give exactly one of 'file' or 'sql'" in messages(Source, columns={"nps": "ltr"})
    assert "give exactly one of 'file' or 'sql'" in messages(Source, file="a.csv", sql="select 1", url_env="DB")


def test_an_sql_source_names_the_variable_holding_its_url_and_a_file_source_does_not():
    assert "needs 'url_env'" in messages(Source, sql="select * from t")
    assert "'url_env' only applies to 'sql' sources" in messages(Source, file="a.csv", url_env="DB_URL")
    assert errors(Source, sql="select 1", url_env="postgres://u:p@h/db")[0]["loc"] == ("url_env",)  # a URL is not a name


@pytest.mark.parametrize("source, kind", [
    ({"file": "a.csv"}, "csv"), ({"file": "a.TXT"}, "csv"), ({"file": "a.parquet"}, "parquet"), ({"file": "a.pq"}, "parquet"),
    ({"file": "a.XLSX"}, "excel"), ({"file": "a.xls"}, "excel"), ({"file": "a.xlsm"}, "excel"),
    ({"file": "export.dat", "format": "parquet"}, "parquet"), ({"sql": "select 1", "url_env": "DB"}, "sql"),
])
def test_source_kind_from_suffix_format_or_sql(source, kind):
    assert Source(**source).kind == kind


def test_configured_sources_come_in_the_canonical_table_order():
    sources = Sources(operations={"file": "o.csv"}, customers={"file": "c.csv"}, maturity_answers={"file": "m.csv"})
    assert list(sources.configured()) == ["customers", "operations", "maturity_answers"]
    assert sources.configured()["customers"].file == Path("c.csv")


# --------------------------------------------------------------------------- metrics


@pytest.mark.parametrize("model", [CSATMetric, CESMetric])
@pytest.mark.parametrize("scale", [(5, 1), (3, 3)])
def test_a_scale_runs_from_low_to_high(model, scale):
    assert f"scale must be [low, high] with low < high, got [{scale[0]}, {scale[1]}]" in messages(model, scale=scale)


@pytest.mark.parametrize("model", [CSATMetric, CESMetric])
def test_success_min_lies_above_the_bottom_and_at_most_the_top_of_the_scale(model):
    assert model(scale=(1, 5), success_min=5).success_min == 5
    assert model(scale=(1, 5), success_min=2).success_min == 2
    for bad in (1, 0, 6):
        assert f"success_min {bad} must lie in (1, 5]" in messages(model, scale=(1, 5), success_min=bad)


def test_driver_scale_and_columns():
    assert "low < high" in messages(Drivers, scale=(10, 0))
    assert "listed twice" in messages(Drivers, columns=["speed", "staff", "speed"])
    assert Drivers(columns=["speed", "staff"]).scale == (0, 10)


@pytest.mark.parametrize("confidence", [0.5, 1.0, 95, -0.9])
def test_confidence_is_a_level_between_one_half_and_one(confidence):
    assert errors(Metrics, confidence=confidence)[0]["loc"] == ("confidence",)


def test_margins_are_positive():
    for model in (CSATMetric, CESMetric):
        assert errors(model, target_margin=0)[0]["loc"] == ("target_margin",)


# --------------------------------------------------------------------------- governance, alerts, segments


def test_every_named_governance_role_is_one_of_the_owners():
    owners = {"cx_lead": {"name": "A. Person", "title": "Head of CX"}, "ops": {"name": "B. Person"}}
    gov = Governance(owners=owners, default_owner="cx_lead", followup_owner="ops")
    assert gov.role_or_default(None) == "cx_lead" and gov.role_or_default("ops") == "ops"
    for key in ("default_owner", "followup_owner", "retention_owner"):
        assert f"{key} 'cfo' is not one of the owners" in messages(Governance, owners=owners, **{key: "cfo"})


def test_without_a_default_the_first_owner_is_used_and_without_owners_nobody():
    assert Governance(owners={"b": {"name": "B"}, "a": {"name": "A"}}).role_or_default(None) == "b"
    assert Governance().role_or_default(None) == ""


def test_owner_label_names_the_person_and_title():
    cfg = Config.model_validate({**MINIMAL, "governance": {"owners": {
        "cx_lead": {"name": "A. Person", "title": "Head of CX"}, "ops": {"name": "B. Person"}}}})
    assert cfg.owner_label("cx_lead") == "A. Person (Head of CX)"
    assert cfg.owner_label("ops") == "B. Person"
    assert cfg.owner_label("unknown_role") == "unknown_role"


@pytest.mark.parametrize("condition", ["below", "above"])
def test_a_threshold_alert_needs_its_threshold(condition):
    rule = {"id": "nps_low", "metric": "nps", "condition": condition, "owner": "cx_lead"}
    assert f"condition '{condition}' needs a threshold" in messages(AlertRule, **rule)
    assert AlertRule(**rule, threshold=20).threshold == 20
    assert AlertRule(**{**rule, "condition": "significant_drop"}).threshold is None


def test_a_segment_column_is_listed_once():
    with pytest.raises(ValidationError, match="a segment column is listed twice"):
        Config.model_validate({**MINIMAL, "segments": ["location", "plan", "location"]})


def test_summary_is_one_line_naming_sources_and_metrics():
    cfg = Config.model_validate({**MINIMAL, "metrics": {"ces": {"enabled": False}, "drivers": {"columns": ["a", "b"]}}})
    assert cfg.summary() == ("organisation 'acme' (Acme Ltd), as of 2025-12-31: sources responses; metrics nps, csat; "
                             "2 drivers, 0 objectives, 0 catalogue actions")


# --------------------------------------------------------------------------- slug


@pytest.mark.parametrize("text, expected", [
    ("Leeds", "leeds"), ("St. Albans", "st-albans"), ("  Milton Keynes  Central ", "milton-keynes-central"),
    ("North/East", "north-east"), ("../../etc/passwd", "etc-passwd"), ("Zone 3", "zone-3"), ("", "x"),
    ("!!!", "x"), (2024, "2024"),
])
def test_slug_is_a_safe_lower_case_file_name(text, expected):
    assert slug(text) == expected


@pytest.mark.parametrize("levels", [
    ["St. Albans", "St Albans"], ["Zürich", "Zurich", "Z rich"], ["東京", "大阪", "서울"], ["London", "london", "LONDON"],
    ["North West", "north-west-" + __import__("hashlib").sha256(b"North-West").hexdigest()[:8], "North-West"],
], ids=["dot", "umlaut", "non-latin", "case", "a-plain-name-equal-to-a-hashed-one"])
def test_every_level_gets_a_file_name_of_its_own(levels):
    names = unique_slugs(levels)
    assert set(names) == set(levels) and len(set(names.values())) == len(levels)
    assert all(slug(n) == n for n in names.values()), "each is a safe file name"


def test_plain_names_keep_their_slug_and_others_carry_a_hash_of_the_level():
    import hashlib

    names = unique_slugs(["Leeds", "North West", "St. Albans", "St Albans", "東京"])
    assert names["Leeds"] == "leeds" and names["North West"] == "north-west"
    assert names["St. Albans"] == "st-albans-" + hashlib.sha256("St. Albans".encode()).hexdigest()[:8]
    assert names["St Albans"] == "st-albans-" + hashlib.sha256(b"St Albans").hexdigest()[:8]
    assert names["東京"] == "x-" + hashlib.sha256("東京".encode()).hexdigest()[:8]
    assert unique_slugs(["St. Albans"])["St. Albans"] == names["St. Albans"], "a level's name does not depend on the others'"


# --------------------------------------------------------------------------- ids and data-quality limits (issue 14)


@pytest.mark.parametrize("rule, given, expected", [
    ({}, [" C00123 ", "c00124", None], ["C00123", "c00124", None]),
    ({"case": "upper"}, [" c00123", "C00124 "], ["C00123", "C00124"]),
    ({"case": "lower"}, ["AB-1"], ["ab-1"]),
    ({"leading_zeros": "strip"}, ["00123", "0", "000", "C0012"], ["123", "0", "0", "C0012"]),
    ({"remove": " -"}, ["C 001-23", "C00123"], ["C00123", "C00123"]),
    ({"strip": False}, [" C1 "], [" C1 "]),
], ids=["default", "upper", "lower", "zeros", "remove", "no-strip"])
def test_an_id_rule_normalises_ids_as_declared(rule, given, expected):
    import pandas as pd

    out = IdRule(**rule).apply(pd.Series(given, dtype="string"))
    assert [None if pd.isna(v) else v for v in out] == expected


def test_the_join_error_level_may_not_exceed_the_warning_level():
    assert Quality().max_quarantined_share == 0.05 and Quality().join_warning_below == 0.9
    assert "must not exceed join_warning_below" in messages(Quality, join_error_below=0.95, join_warning_below=0.9)
    assert errors(Quality, max_quarantined_share=1.5)[0]["loc"] == ("max_quarantined_share",)


@pytest.mark.parametrize("metrics, key, expected", [
    ({}, "nps", (-100, 100)), ({}, "csat", (0, 100)), ({"csat": {"method": "mean", "scale": [1, 5]}}, "csat", (1, 5)),
    ({}, "ces", (1, 7)), ({"ces": {"method": "pct_agree"}}, "ces", (0, 100)),
    ({"extra": [{"key": "csat10", "kind": "top_box", "scale": [1, 10], "success_min": 9}]}, "csat10", (0, 100)),
    ({"extra": [{"key": "effort5", "kind": "mean", "scale": [1, 5]}]}, "effort5", (1, 5)),
    ({}, "nope", None),
])
def test_each_metric_reports_the_range_its_value_can_take(metrics, key, expected):
    cfg = Config.model_validate({**MINIMAL, "metrics": metrics})
    assert cfg.metric_range(key) == expected


# --------------------------------------------------------------------------- dateless data, unknown currency, row numbers


def test_as_of_may_be_left_out_for_data_without_calendar_dates():
    org = Organisation(id="a", name="A")
    assert org.as_of is None and org.currency is None
    assert "no calendar dates" in Config.model_validate(
        {**MINIMAL, "organisation": {"id": "a", "name": "A"}}).summary()
    # a window or a baseline needs the analysis date
    assert "start need as_of" in messages(Organisation, id="a", name="A", start="2025-01-01")
    assert "baseline need as_of" in messages(Organisation, id="a", name="A", baseline="2025-01")


def test_id_row_number_is_the_only_generated_key():
    assert Source(file=Path("crm.csv"), id="row_number").id == "row_number"
    assert Source(file=Path("crm.csv")).id is None
    assert errors(Source, file=Path("crm.csv"), id="uuid")[0]["loc"] == ("id",)


# --------------------------------------------------------------------------- where: row filters


def test_a_where_filter_is_read_into_one_written_out_form():
    src = Source(file=Path("crm.csv"), where={"contract": "Month-to-month", "payment": ["Mailed check", "Bank"],
                                              "tenure": {">=": 12, "<": 24}, "plan": {"not_in": "Basic"},
                                              "internet": {"<>": "No"}})
    assert src.where == {"contract": {"==": "Month-to-month"}, "payment": {"in": ["Mailed check", "Bank"]},
                         "tenure": {">=": 12, "<": 24}, "plan": {"not in": ["Basic"]}, "internet": {"!=": "No"}}
    assert Source(file=Path("crm.csv")).where == {}


@pytest.mark.parametrize("where, words", [
    ({"tenure": {"~": 3}}, "unknown operator '~'"),
    ({"tenure": {">": "long"}}, "compares numbers or dates, got 'long'"),
    ({"tenure": {">": True}}, "compares numbers or dates"),
    ({"plan": []}, "an empty list matches nothing"),
    ({"plan": {"==": ["A", "B"]}}, "use 'in' for several"),
    ({"plan": {}}, "the condition is empty"),
    ({"plan": None}, "needs a value"),
    (["plan", "A"], "must be a mapping of column: condition"),
])
def test_a_where_filter_that_cannot_be_read_names_the_column_and_the_condition(where, words):
    assert words in messages(Source, file=Path("crm.csv"), where=where)


def test_objectives_speak_the_same_filter_language():
    cfg = Config.model_validate({**MINIMAL, "objectives": [
        {"id": "leeds", "goal": "g", "metric": "nps", "target": 10, "deadline": "2026-12-31", "owner": "cx_lead",
         "where": {"location": "Leeds", "channel": ["web", "app"]}}]})
    assert cfg.objectives[0].where == {"location": {"==": "Leeds"}, "channel": {"in": ["web", "app"]}}


@pytest.mark.parametrize("column", ["tenure", "tenure_days", "end_date", "churned"])
def test_a_cohort_chosen_by_the_outcome_is_refused(column):
    """Customers picked for having stayed 12 months or more are all still there at 12 months: the cohort's curve
    would be true by construction (found in review). Cohorts are chosen by what is known when a customer joins."""
    with pytest.raises(ValidationError, match=f"chosen by '{column}', which is the outcome itself"):
        Churn.model_validate({"cohorts": {"fibre": {"internet_service": "Fiber optic", column: {"!=": 0}}}})
    assert Churn.model_validate({"cohorts": {"recent": {"start_date": {">=": "2024-01-01"}}}}).cohorts

