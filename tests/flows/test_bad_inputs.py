"""Bad input gets a clear error (issue 8): every case names the kind of error, the file, key or
column, and example rows.

Three layers are exercised:

* parameters: :class:`~cxtemplate.errors.ConfigError` with file, line, key path and a suggestion;
* data: hard problems raise :class:`~cxtemplate.errors.DataErrors` naming table, source, column
  and example rows; soft problems quarantine the row with a reason naming the column and value;
* degenerate organisations (one segment, nobody left, no surveys, no comments) run the whole
  engagement and the page says so in one sentence instead of crashing.

The cases already covered by ``test_config.py`` and ``test_integrate.py`` are not repeated here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import integrate
from cxtemplate.errors import ConfigError, DataErrors

# --------------------------------------------------------------------------- a tiny engagement

PARAMS = """\
organisation:
  id: acme
  name: Acme Ltd
  as_of: 2025-12-31
sources:
  customers:
    file: ../data/customers.csv
    columns: {contact_name: name, contact_email: email}
  responses:
    file: ../data/responses.csv
metrics:
  csat: {scale: [1, 5]}
  ces: {scale: [1, 7]}
governance:
  owners:
    cx_lead: {name: A. Person}
"""

N = 10


def customers_frame(n: int = N) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"C{i:03d}" for i in range(1, n + 1)],
        "name": [f"Person{i} Surname{i}" for i in range(1, n + 1)],
        "email": [f"p{i}@example.org" for i in range(1, n + 1)],
        "start_date": [f"2024-{(i % 12) + 1:02d}-01" for i in range(n)],
        "end_date": ["2025-06-30" if i % 3 == 0 else "" for i in range(n)],
        "segment": ["Consumer", "Business"] * (n // 2),
        "location": ["Leeds"] * n,
        "revenue": [20.0 + i for i in range(n)],
    })


def responses_frame(n: int = N) -> pd.DataFrame:
    return pd.DataFrame({
        "response_id": [f"R{i:03d}" for i in range(1, n + 1)],
        "customer_id": [f"C{i:03d}" for i in range(1, n + 1)],
        "responded_at": [f"2025-{(i % 12) + 1:02d}-15T10:00:00" for i in range(n)],
        "nps": [i % 11 for i in range(n)],
        "csat": [1 + i % 5 for i in range(n)],
        "ces": [1 + i % 7 for i in range(n)],
        "comment": ["fine"] * n,
    })


def _csv(df: pd.DataFrame, path: Path, **kw) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, **kw)


@pytest.fixture()
def acme(tmp_path: Path):
    """An engagement folder: params/acme.yaml, data/customers.csv, data/responses.csv.

    Returns a builder: ``acme(params=..., responses=..., customers=...)`` writes what is given
    (the defaults otherwise) and returns the params path.
    """

    def build(params: str = PARAMS, responses: pd.DataFrame | None = None,
              customers: pd.DataFrame | None = None) -> Path:
        _csv(customers_frame() if customers is None else customers, tmp_path / "data" / "customers.csv")
        _csv(responses_frame() if responses is None else responses, tmp_path / "data" / "responses.csv")
        p = tmp_path / "params" / "acme.yaml"
        p.parent.mkdir(exist_ok=True)
        p.write_text(params)
        return p

    build.root = tmp_path
    return build


def config_problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


def data_errors(path: Path) -> DataErrors:
    cfg = load_config(path)
    with pytest.raises(DataErrors) as info:
        integrate(cfg)
    return info.value


def quarantined(path: Path, table: str = "responses"):
    """Integrate, check rows in = used + quarantined, return (result, quarantine frame)."""
    result = integrate(load_config(path))
    rep = result.reports[table]
    assert rep.rows_in == rep.rows_used + rep.rows_quarantined
    return result, result.quarantine[table]


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("edit, where, suggestion", [
    # a typo in a nested section gets the closest key of *that* section
    (("  csat: {scale: [1, 5]}", "  csat: {scale: [1, 5], methd: mean}"), "metrics.csat.methd", "did you mean 'method'?"),
    # a typo in a top-level section name
    (("governance:", "governence:"), "governence", "did you mean 'governance'?"),
    # a typo inside a source
    (("    file: ../data/responses.csv", "    file: ../data/responses.csv\n    colums: {nps: ltr}"),
     "sources.responses.colums", "did you mean 'columns'?"),
], ids=["nested", "section", "source"])
def test_typo_in_a_key_suggests_the_closest_valid_key(acme, edit, where, suggestion):
    p = acme(PARAMS.replace(*edit))
    found = config_problems(p)
    hit = [f for f in found if where in f]
    assert hit and suggestion in hit[0], found
    assert str(p) in hit[0] and re.search(r"acme\.yaml:\d+:", hit[0]), "names the file and line"


def test_unknown_key_without_a_close_match_lists_the_valid_keys(acme):
    p = acme(PARAMS.replace("  as_of: 2025-12-31", "  as_of: 2025-12-31\n  colour: blue"))
    (found,) = config_problems(p)
    assert "organisation.colour" in found and "unknown key" in found
    assert "valid keys here:" in found and "currency" in found and "as_of" in found
    assert "acme.yaml:5:" in found


@pytest.mark.parametrize("edit, key, words", [
    (("  as_of: 2025-12-31", "  as_of: 2025-12-31\n  frequency: weekly"), "organisation.frequency", ["'month'", "'quarter'", "weekly"]),
    (("  csat: {scale: [1, 5]}", "  csat: {scale: [5, 1]}"), "metrics.csat", ["low < high", "[5, 1]"]),
    (("  ces: {scale: [1, 7]}", "  ces: {scale: [1, 7], success_min: 9}"), "metrics.ces", ["success_min 9", "(1, 7]"]),
    (("governance:", "churn: {horizon_months: 0}\ngovernance:"), "churn.horizon_months", ["greater than or equal to 1", "0"]),
    (("governance:", "reporting: {redact_pii: maybe}\ngovernance:"), "reporting.redact_pii", ["boolean", "maybe"]),
    (("governance:", "segments: location\ngovernance:"), "segments", ["should be a valid list", "location"]),
    (("  as_of: 2025-12-31", "  as_of: 2025-12-31\n  start: 2026-01-01"), "organisation", ["start (2026-01-01) must be before as_of"]),
    (("  as_of: 2025-12-31", "  as_of: 2025-12-31\n  baseline: 2024Q3"), "organisation", ["baseline '2024Q3'", "'2024-06'"]),
    (("governance:", "objectives:\n  - {id: o1, goal: g, metric: nps, target: high, deadline: 2026-12-31, owner: cx_lead}\ngovernance:"),
     "objectives[0].target", ["number", "high"]),
], ids=["literal", "scale-order", "success-min", "minimum", "boolean", "list", "window", "baseline", "float"])
def test_wrong_types_and_values_name_the_key_and_the_value(acme, edit, key, words):
    p = acme(PARAMS.replace(*edit))
    found = config_problems(p)
    hit = [f for f in found if f"{key}:" in f]
    assert hit, found
    for w in words:
        assert w in hit[0], (w, hit[0])
    assert re.search(r"acme\.yaml:\d+:", hit[0])


def test_tab_inside_a_nested_mapping_is_refused_with_its_line(acme):
    # a tab after spaces (the usual editor accident), deep in the file
    p = acme(PARAMS.replace("    cx_lead: {name: A. Person}", "  \tcx_lead: {name: A. Person}"))
    (found,) = config_problems(p)
    line = PARAMS.splitlines().index("    cx_lead: {name: A. Person}") + 1
    assert found.endswith(f"acme.yaml:{line}: (top level): indented with a tab; YAML needs spaces")


def test_missing_params_file(tmp_path):
    (found,) = config_problems(tmp_path / "params" / "nope.yaml")
    assert "nope.yaml" in found and "params file not found" in found


@pytest.mark.parametrize("which", ["customers", "responses"])
def test_missing_data_file_names_the_source_key_and_path(acme, which):
    p = acme()
    (acme.root / "data" / f"{which}.csv").unlink()
    (found,) = config_problems(p)
    assert f"sources.{which}.file" in found and f"file not found: ../data/{which}.csv" in found


def test_a_params_file_that_is_not_utf8(acme):
    p = acme()
    p.write_bytes(PARAMS.replace("Acme Ltd", "Acmé Ltd").encode("latin-1"))
    (found,) = config_problems(p)
    assert "not UTF-8" in found and "acme.yaml" in found


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_sql_source_whose_environment_variable_is_unset_or_empty(acme, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("ACME_WAREHOUSE_URL", raising=False)
    else:
        monkeypatch.setenv("ACME_WAREHOUSE_URL", value)
    p = acme(PARAMS.replace("    file: ../data/responses.csv",
                            "    sql: select * from responses\n    url_env: ACME_WAREHOUSE_URL"))
    (found,) = config_problems(p)
    assert "sources.responses.url_env" in found and "ACME_WAREHOUSE_URL is not set" in found


def test_sql_variable_unset_after_validation_is_a_data_error_naming_the_variable(acme, monkeypatch):
    monkeypatch.setenv("ACME_WAREHOUSE_URL", "sqlite://")
    p = acme(PARAMS.replace("    file: ../data/responses.csv",
                            "    sql: select * from responses\n    url_env: ACME_WAREHOUSE_URL"))
    cfg = load_config(p)
    monkeypatch.delenv("ACME_WAREHOUSE_URL")
    with pytest.raises(DataErrors) as info:
        integrate(cfg)
    text = str(info.value)
    assert "table 'responses'" in text and "$ACME_WAREHOUSE_URL" in text and "is not set" in text


@pytest.mark.parametrize("how", ["absolute path", "symlink", "dot-dot inside a path"], ids=["absolute", "symlink", "dotdot"])
def test_a_source_outside_the_engagement_folder_is_refused(acme, tmp_path_factory, how):
    elsewhere = tmp_path_factory.mktemp("other_client") / "responses.csv"
    _csv(responses_frame(), elsewhere)
    p = acme()
    if how == "absolute path":
        target = str(elsewhere)
    elif how == "symlink":  # a link inside the folder that points at another client's export
        link = acme.root / "data" / "linked.csv"
        link.symlink_to(elsewhere)
        target = "../data/linked.csv"
    else:
        target = "../data/../../" + elsewhere.parent.name + "/responses.csv"
        (acme.root.parent / elsewhere.parent.name).mkdir(exist_ok=True)
        _csv(responses_frame(), acme.root.parent / elsewhere.parent.name / "responses.csv")
    p.write_text(PARAMS.replace("../data/responses.csv", target))
    (found,) = config_problems(p)
    assert "sources.responses.file" in found and "outside the engagement folder" in found


# --------------------------------------------------------------------------- hard data errors


def test_missing_required_column_suggests_the_closest_source_column(acme):
    cu = customers_frame().rename(columns={"customer_id": "CustomerID"})
    err = data_errors(acme(customers=cu))
    (e,) = err.errors
    assert e.table == "customers" and e.column == "customer_id" and e.source == "../data/customers.csv"
    assert "required column 'customer_id' is missing" in str(e) and "customer_id: CustomerID" in str(e)


def test_misnamed_mapped_column_suggests_the_closest_and_lists_the_columns(acme):
    r = responses_frame().rename(columns={"nps": "LTR_Score"})
    err = data_errors(acme(PARAMS.replace("    file: ../data/responses.csv",
                                          "    file: ../data/responses.csv\n    columns: {nps: ltr_scor}"), responses=r))
    (e,) = err.errors  # one problem: the enabled metric is mapped, just to a wrong name
    assert e.table == "responses" and e.column == "ltr_scor" and e.source == "../data/responses.csv"
    assert "mapped column 'ltr_scor' (for 'nps') is not in the source" in str(e)
    assert "did you mean 'LTR_Score'?" in str(e) and "columns: response_id, customer_id" in str(e)


def test_enabled_metric_without_its_column_says_how_to_switch_it_off(acme):
    err = data_errors(acme(responses=responses_frame().drop(columns=["ces"])))
    (e,) = err.errors
    assert e.column == "ces" and "metrics.ces.enabled: false" in str(e)


def test_driver_column_missing_names_the_parameter(acme):
    params = PARAMS.replace("  ces: {scale: [1, 7]}", "  ces: {scale: [1, 7]}\n  drivers: {columns: [speed, price]}")
    r = responses_frame().assign(speed=5)
    (e,) = data_errors(acme(params, responses=r)).errors
    assert e.column == "price" and "metrics.drivers.columns" in str(e)


def test_a_mapping_to_a_non_canonical_name_lists_the_canonical_columns(acme):
    params = PARAMS.replace("    file: ../data/responses.csv", "    file: ../data/responses.csv\n    columns: {score: nps}")
    (e,) = data_errors(acme(params)).errors
    assert "'score' is not a canonical column of responses" in str(e) and "use `keep:`" in str(e)


def test_kept_column_not_in_the_source_suggests_the_closest(acme):
    params = PARAMS.replace("    columns: {contact_name: name, contact_email: email}",
                            "    columns: {contact_name: name, contact_email: email}\n    keep: [segmnt_code]")
    cu = customers_frame().assign(segment_code="A")
    (e,) = data_errors(acme(params, customers=cu)).errors
    assert e.table == "customers" and e.column == "segmnt_code" and "did you mean 'segment_code'?" in str(e)


def test_a_file_with_another_delimiter_says_which_one(acme):
    p = acme()
    _csv(responses_frame(), acme.root / "data" / "responses.csv", sep=";")
    (e,) = data_errors(p).errors
    assert e.table == "responses" and e.source == "../data/responses.csv"
    assert "the header reads as one column ('response_id;customer_id" in str(e)
    assert "delimiter: ';'" in str(e)
    p.write_text(PARAMS.replace("    file: ../data/responses.csv", "    file: ../data/responses.csv\n    delimiter: ';'"))
    assert integrate(load_config(p)).reports["responses"].rows_used == N


def test_every_problem_of_every_table_is_reported_at_once(acme):
    cu = customers_frame().drop(columns=["customer_id"])
    r = responses_frame().drop(columns=["csat"])
    err = data_errors(acme(customers=cu, responses=r))
    assert {(e.table, e.column) for e in err.errors} == {("customers", "customer_id"), ("responses", "csat")}
    assert str(err).startswith("2 data problems stop the run:")


@pytest.mark.parametrize("kind", ["header only", "blank lines"], ids=["header", "blank"])
def test_an_empty_table_stops_the_run(acme, kind):
    p = acme()
    path = acme.root / "data" / "responses.csv"
    path.write_text(",".join(responses_frame().columns) + ("\n" if kind == "header only" else "\n\n\n"))
    (e,) = data_errors(p).errors
    assert e.table == "responses" and "the source has no rows" in str(e) and "responses.csv" in str(e)


def test_a_non_utf8_csv_names_the_column_and_row_and_suggests_an_encoding(acme):
    p = acme()
    r = responses_frame()
    r.loc[6, "comment"] = "très déçu du service"
    path = acme.root / "data" / "responses.csv"
    path.write_bytes(r.to_csv(index=False).encode("latin-1"))
    (e,) = data_errors(p).errors
    assert e.table == "responses" and e.column == "comment"
    assert "not valid utf-8" in str(e) and "row 7:" in str(e) and "encoding:" in str(e)
    # and the advice works
    fixed = p.read_text().replace("    file: ../data/responses.csv", "    file: ../data/responses.csv\n    encoding: latin-1")
    p.write_text(fixed)
    result = integrate(load_config(p))
    assert result.tables["responses"]["comment"].iloc[6] == "très déçu du service"


def test_a_non_utf8_header_is_reported_before_anything_is_read(acme):
    p = acme()
    path = acme.root / "data" / "responses.csv"
    r = responses_frame().rename(columns={"comment": "commentaire_résumé"})
    path.write_bytes(r.to_csv(index=False).encode("latin-1"))
    (e,) = data_errors(p).errors
    assert e.table == "responses" and "header is not valid utf-8" in str(e) and "encoding:" in str(e)


def _excel(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)


def test_an_excel_workbook_with_several_sheets_asks_which_one(acme):
    p = acme()
    _excel(acme.root / "data" / "responses.xlsx", {"Notes": pd.DataFrame({"x": [1]}), "Survey": responses_frame()})
    p.write_text(PARAMS.replace("responses.csv", "responses.xlsx"))
    (e,) = data_errors(p).errors
    assert e.table == "responses" and "responses.xlsx" in str(e)
    assert "the workbook has 2 sheets: Notes, Survey" in str(e) and "sheet:" in str(e)


def test_an_excel_sheet_name_with_a_typo_suggests_the_sheet(acme):
    p = acme()
    _excel(acme.root / "data" / "responses.xlsx", {"Notes": pd.DataFrame({"x": [1]}), "Survey": responses_frame()})
    p.write_text(PARAMS.replace("    file: ../data/responses.csv", "    file: ../data/responses.xlsx\n    sheet: Survy"))
    (e,) = data_errors(p).errors
    assert "no sheet named 'Survy'" in str(e) and "did you mean 'Survey'?" in str(e)
    p.write_text(p.read_text().replace("sheet: Survy", "sheet: Survey"))
    assert integrate(load_config(p)).reports["responses"].rows_used == N


def test_a_wrong_date_format_fails_most_rows_and_is_a_format_problem_not_bad_rows(acme):
    params = PARAMS.replace("    file: ../data/responses.csv", '    file: ../data/responses.csv\n    date_format: "%d/%m/%Y"')
    r = responses_frame()
    r["responded_at"] = pd.to_datetime(r["responded_at"]).dt.strftime("%m/%d/%Y")  # US dates, day-first format
    (e,) = data_errors(acme(params, responses=r)).errors
    assert e.table == "responses" and e.column == "responded_at" and "10 of 10 rows fail validation" in str(e)
    assert "row 1: responded_at: not a date ('01/15/2025')" in str(e) and "date_format" in str(e)


def test_a_score_on_another_scale_is_a_mapping_problem(acme):
    r = responses_frame().assign(csat=[2, 4, 6, 8, 10, 9, 7, 10, 8, 6])  # 1–10 data, 1–5 in the params
    (e,) = data_errors(acme(responses=r)).errors
    assert e.column == "csat" and "rows fail validation (most often: csat: outside 1–5)" in str(e)
    assert "examples:" in str(e) and "row 3: csat: outside 1–5" in str(e)


# --------------------------------------------------------------------------- soft problems: quarantine


@pytest.mark.parametrize("value, reason", [
    (11, "nps: outside 0–10"),
    (-1, "nps: outside 0–10"),
    (7.5, "nps: not a whole number"),
    ("ten", "nps: not a number ('ten')"),
], ids=["11", "-1", "7.5", "ten"])
def test_an_impossible_nps_is_quarantined_with_its_reason(acme, value, reason):
    r = responses_frame().astype({"nps": object})
    r.loc[3, "nps"] = value
    result, q = quarantined(acme(responses=r))
    assert q[["row", "response_id"]].values.tolist() == [[4, "R004"]]
    assert q["reason"].iloc[0] == reason
    assert str(value) in str(q["nps"].iloc[0]), "the raw value is shown for correction at source"
    assert "R004" not in set(result.tables["responses"]["response_id"])


@pytest.mark.parametrize("scale, value", [((1, 5), 0), ((1, 5), 6), ((1, 7), 8)], ids=["0of5", "6of5", "8of7"])
def test_csat_outside_its_configured_scale_is_quarantined(acme, scale, value):
    params = PARAMS.replace("  csat: {scale: [1, 5]}", f"  csat: {{scale: [{scale[0]}, {scale[1]}]}}")
    r = responses_frame()
    r.loc[5, "csat"] = value
    _, q = quarantined(acme(params, responses=r))
    assert q["response_id"].tolist() == ["R006"] and q["reason"].iloc[0] == f"csat: outside {scale[0]}–{scale[1]}"


@pytest.mark.parametrize("value, reason", [
    ("last Tuesday", "responded_at: not a date ('last Tuesday')"),
    ("2025-13-45", "responded_at: not a date ('2025-13-45')"),
    ("2026-03-01T09:00:00", "responded_at: after the analysis date 2025-12-31"),
], ids=["words", "impossible", "future"])
def test_unparsable_and_future_dates_are_quarantined(acme, value, reason):
    r = responses_frame()
    r.loc[8, "responded_at"] = value
    result, q = quarantined(acme(responses=r))
    assert q["row"].tolist() == [9] and q["reason"].iloc[0] == reason
    key = reason.split(" (")[0]
    assert result.reports["responses"].reasons == {key: 1}


def test_end_date_before_start_date_is_quarantined_with_the_row(acme):
    cu = customers_frame()
    cu.loc[4, ["start_date", "end_date"]] = ["2024-05-01", "2024-02-01"]
    result, q = quarantined(acme(customers=cu), "customers")
    assert q[["row", "customer_id", "reason"]].values.tolist() == [[5, "C005", "row: end_date before start_date"]]
    assert "name" not in q.columns and "contact_name" not in q.columns, "contact details stay out of artifacts"


@pytest.mark.parametrize("table, key", [("responses", "response_id"), ("customers", "customer_id")], ids=["responses", "customers"])
def test_duplicate_ids_quarantine_every_copy_after_the_first(acme, table, key):
    frame = responses_frame() if table == "responses" else customers_frame()
    frame = pd.concat([frame, frame.iloc[[2, 2]]], ignore_index=True)
    p = acme(responses=frame) if table == "responses" else acme(customers=frame)
    result, q = quarantined(p, table)
    assert q["row"].tolist() == [N + 1, N + 2] and set(q[key]) == {frame[key].iloc[2]}
    assert (q["reason"] == f"{key}: duplicate key").all()
    assert result.reports[table].rows_used == N


def test_a_missing_key_is_quarantined(acme):
    r = responses_frame()
    r.loc[1, "response_id"] = ""
    _, q = quarantined(acme(responses=r))
    assert q["row"].tolist() == [2] and q["reason"].iloc[0] == "response_id: missing key"


def test_several_problems_in_one_row_are_all_named(acme):
    r = responses_frame().astype({"nps": object})
    r.loc[0, ["nps", "csat", "responded_at"]] = ["11", 9, "2027-01-01"]
    _, q = quarantined(acme(responses=r))
    assert set(q["reason"].iloc[0].split("; ")) == {
        "nps: outside 0–10", "csat: outside 1–5", "responded_at: after the analysis date 2025-12-31"}


def test_negative_revenue_and_an_unreadable_flag_are_quarantined(acme):
    params = PARAMS.replace("    columns: {contact_name: name, contact_email: email}",
                            "    columns: {contact_name: name, contact_email: email}\n    keep: []")
    cu = customers_frame().astype({"revenue": object})
    cu.loc[1, "revenue"] = -5
    cu.loc[2, "revenue"] = "about 40"
    _, q = quarantined(acme(params, customers=cu), "customers")
    assert dict(zip(q["customer_id"], q["reason"])) == {"C002": "revenue: below 0", "C003": "revenue: not a number ('about 40')"}


def test_quarantine_reasons_are_counted_in_the_quality_record(acme):
    r = responses_frame()
    r.loc[0, "nps"] = 12
    r.loc[1, "csat"] = 0
    r = pd.concat([r, r.iloc[[4]]], ignore_index=True)
    result, _ = quarantined(acme(responses=r))
    q = result.quality()
    assert q["rows"]["responses"] == {"in": N + 1, "used": N - 2, "quarantined": 3}
    assert q["tables"]["responses"]["reasons"] == {"csat: outside 1–5": 1, "nps: outside 0–10": 1,
                                                  "response_id: duplicate key": 1}


# --------------------------------------------------------------------------- huge text


@pytest.mark.slow  # a model fit on a whole real data set: `make test`, not the quick loop
def test_a_multi_megabyte_comment_is_kept_and_redacted_in_linear_time(acme):
    r = responses_frame()
    blob = ("the meter reading was wrong again " * 90_000)  # ~3 MB, with spaces
    nospace = "x" * 2_000_000  # 2 MB without a single space
    r.loc[2, "comment"] = blob + " write to jo.bloggs@example.org or 07700 900123"
    r.loc[3, "comment"] = nospace + "@example.org"
    result, q = quarantined(acme(responses=r))
    assert q.empty
    c = result.tables["responses"].set_index("response_id")["comment"]
    assert len(c["R003"]) > 3_000_000 and c["R003"].endswith("write to [email] or [phone]")
    assert len(c["R004"]) >= 2_000_000


# --------------------------------------------------------------------------- degenerate organisations (whole runs)


@pytest.fixture(scope="module")
def degenerate_runs(tmp_path_factory):
    """Two small synthetic organisations with degenerate data, run concurrently end to end.

    * ``onesegment``: every customer in one segment (the only segment column configured; also
      a churn covariate), and every comment empty.
    * ``nosurvey``: no survey source at all, and every customer still active (no churn event).
    """
    from cxtemplate.run.batch import run_many
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    base = tmp_path_factory.mktemp("degenerate")
    demo = (Path(__file__).resolve().parents[2] / "params" / "demo.yaml").read_text()
    params, truths = [], {}
    for org, seed in (("onesegment", 81), ("nosurvey", 82)):
        o = generate(SynthSpec(customers=400, seed=seed))
        truths[org] = o.truth
        write_organisation(o, base / "data" / org)
        text = demo.replace("../data/demo/", f"../data/{org}/").replace("id: demo ", f"id: {org} ")
        if org == "onesegment":
            cu = pd.read_csv(base / "data" / org / "customers.csv", dtype=str, keep_default_na=False)
            cu["segment"] = "Consumer"
            cu.to_csv(base / "data" / org / "customers.csv", index=False)
            r = pd.read_csv(base / "data" / org / "responses.csv", dtype=str, keep_default_na=False)
            r["comment"] = ""
            r.to_csv(base / "data" / org / "responses.csv", index=False)
            text = text.replace("segments: [segment, location, journey_stage, touchpoint, channel, plan]",
                                "segments: [segment]")
        else:
            cu = pd.read_csv(base / "data" / org / "customers.csv", dtype=str, keep_default_na=False)
            cu["end_date"] = ""
            cu.to_csv(base / "data" / org / "customers.csv", index=False)
            text = re.sub(r"  responses:[^\n]*\n    file: [^\n]*\n", "", text)
        (base / "params").mkdir(exist_ok=True)
        (base / "params" / f"{org}.yaml").write_text(text)
        params.append(str(base / "params" / f"{org}.yaml"))
    results = run_many(params, jobs=2, out_dir=str(base / "reports"), progress=False)
    return {r["org"]: {**r, "truth": truths[r["org"]]} for r in results}


def _page(run: dict, notebook: str) -> str:
    html = (Path(run["run_dir"]) / "pages" / f"{notebook}.html").read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.slow
@pytest.mark.parametrize("org", ["onesegment", "nosurvey"])
def test_degenerate_organisations_complete(degenerate_runs, org):
    run = degenerate_runs[org]
    assert run["status"] == "ok", run.get("error")
    assert (Path(run["run_dir"]).parent / "latest").resolve() == Path(run["run_dir"]).resolve()


@pytest.mark.slow
def test_a_single_segment_is_dropped_from_the_churn_model_and_shown_as_one_level(degenerate_runs):
    run = degenerate_runs["onesegment"]
    assert "Notes: 'segment' has a single level (Consumer) and was dropped." in _page(run, "05_churn_survival")
    seg = pd.read_parquet(Path(run["run_dir"]) / "artifacts" / "04_experience_analysis" / "segments.parquet")
    assert seg[["segment", "level"]].values.tolist() == [["segment", "Consumer"]]
    assert "compared with everyone else, 0 segment levels score significantly lower on NPS" in _page(
        run, "04_experience_analysis")  # after the window it covers: "Over 2023-01 to 2025-12 (all 36 months), …"


@pytest.mark.slow
def test_every_comment_empty_says_so(degenerate_runs):
    page = _page(degenerate_runs["onesegment"], "04_experience_analysis")
    assert "The survey responses carry no comments — topics and sentiment are not analysed" in page  # blanks are none


@pytest.mark.slow
def test_no_churn_event_says_there_is_nothing_to_learn(degenerate_runs):
    page = _page(degenerate_runs["nosurvey"], "05_churn_survival")
    assert re.search(r"None of the [\d,]+ customers has left in the data, so there is nothing to learn", page)


@pytest.mark.slow
@pytest.mark.parametrize("notebook, sentence", [
    ("02_objectives", "There are no survey responses — objectives cannot be baselined"),
    ("03_metric_design", "There are no survey responses — coverage cannot be assessed"),
    ("04_experience_analysis", "There are no survey responses for this organisation"),
    ("06_action_plan", "There are no survey responses — alerts cannot be evaluated"),
], ids=["02", "03", "04", "06"])
def test_no_surveys_at_all_says_so_in_each_section(degenerate_runs, notebook, sentence):
    assert sentence in _page(degenerate_runs["nosurvey"], notebook)


# --------------------------------------------------------------------------- nothing lost

QUARANTINE_REASON = {  # injected anomaly kind -> the reason its row must carry
    "nps_out_of_range": "nps: outside 0–10", "csat_out_of_range": "csat: outside 1–5",
    "future_dated": "{time}: after the analysis date 2025-12-31", "duplicate_rows": "{key}: duplicate key",
    "negative_handle_seconds": "handle_seconds: below 0", "end_before_start": "row: end_date before start_date",
}
KEYS = {"responses": ("response_id", "responded_at"), "interactions": ("interaction_id", "started_at"),
        "customers": ("customer_id", None)}
LABELS = {"customers": "Customers (CRM)", "responses": "Survey responses", "interactions": "Conversations",
          "operations": "Operational KPIs", "maturity_answers": "Maturity questionnaire"}


@pytest.mark.slow
def test_nothing_is_lost_rows_in_equal_rows_used_plus_rows_quarantined(degenerate_runs):
    """On a dirty synthetic organisation: every table balances in run.json, in notebook 00 and
    on disk, and every injected anomaly is quarantined by id with the right reason."""
    from cxtemplate.data.files import read_parquet

    run = degenerate_runs["onesegment"]
    truth = run["truth"]
    run_dir = Path(run["run_dir"])
    record = json.loads((run_dir / "run.json").read_text())
    page = _page(run, "00_data_integration")
    injected = truth["injected_anomalies"]
    assert set(record["rows"]) == set(truth["rows"])
    for table, n_in in truth["rows"].items():
        rows = record["rows"][table]
        expected_q = sum(injected["counts"].get(table, {}).values())
        assert rows == {"in": n_in, "used": n_in - expected_q, "quarantined": expected_q}, table
        assert len(read_parquet(run_dir / "tables" / f"{table}.parquet")) == rows["used"], table
        q = read_parquet(run_dir / "artifacts" / "00_data_integration" / f"quarantine_{table}.parquet")
        assert len(q) == expected_q and (q["reason"].str.len() > 0).all(), table
        assert re.search(rf"{re.escape(LABELS[table])} \S+/{table}\.csv {n_in:,} {rows['used']:,} {expected_q:,} "
                         rf"[\d.]+% yes", page), f"notebook 00 shows the balance of {table}"
        if table not in KEYS:
            continue
        key, time_col = KEYS[table]
        for kind, ids in injected["ids"][table].items():
            reason = QUARANTINE_REASON[kind].format(key=key, time=time_col)
            got = q[q[key].isin(ids)]
            assert set(got[key]) == set(ids) and len(got) == len(ids), (table, kind)
            assert (got["reason"] == reason).all(), (table, kind, got["reason"].tolist())
