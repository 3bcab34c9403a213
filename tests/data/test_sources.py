"""Reading a configured source (``cxtemplate.data.sources``): CSV, Parquet, Excel and SQL read to the
columns asked for; every failure a DataError naming table, source and what to change; a connection URL
and its secrets never in a message."""

from __future__ import annotations

import hashlib
import sqlite3
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.data.sources import (
    duplicated_columns,
    file_sha256,
    find_header_row,
    match_column,
    read_source,
    source_columns,
    source_label,
)
from cxtemplate.errors import DataError

RESPONSES = "response_id,Customer Ref,nps,comment\nR1,C1,9,Great\nR2,C2,3,\"Slow, and rude\"\nR3,,10,\n"


def config(tmp_path: Path, source: str, table: str = "responses", files: dict | None = None):
    """An engagement folder with one source (YAML for its body) and the files it reads."""
    folder = tmp_path / "params"
    folder.mkdir(exist_ok=True)
    for name, content in (files or {}).items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            content(path)
    (folder / "p.yaml").write_text(textwrap.dedent(f"""\
        organisation: {{id: acme, name: Acme, as_of: 2025-12-31}}
        sources:
          {table}:
        """) + textwrap.indent(textwrap.dedent(source), "    "), encoding="utf-8")
    cfg = load_config(folder / "p.yaml")
    return cfg, getattr(cfg.sources, table)


def read_error(fn, *args) -> DataError:
    with pytest.raises(DataError) as info:
        fn(*args)
    return info.value


# --------------------------------------------------------------------------- labels and column names


def test_a_source_is_labelled_as_written_in_the_params(tmp_path, monkeypatch):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": RESPONSES})
    assert source_label(src, cfg) == "responses.csv"
    monkeypatch.setenv("ACME_DB", "sqlite://")
    cfg, src = config(tmp_path, "sql: select 1 as x\nurl_env: ACME_DB\n")
    assert source_label(src, cfg) == "sql query (connection from $ACME_DB)"


@pytest.mark.parametrize("wanted, expected", [
    ("nps", "NPS"), ("NPS", "NPS"), ("response_id", "ResponseID"), ("respnse_id", "ResponseID"),
    ("customer_ref", "Customer_Ref"), ("comment", None), ("churned", None),
])
def test_match_column_finds_the_closest_name_ignoring_case(wanted, expected):
    assert match_column(wanted, ["ResponseID", "Customer_Ref", "NPS", "when"]) == expected


def test_csv_columns_are_read_from_the_header(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": RESPONSES})
    assert source_columns("responses", src, cfg) == ["response_id", "Customer Ref", "nps", "comment"]


def test_a_missing_file_says_paths_are_relative_to_the_params_file(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": RESPONSES})
    (tmp_path / "params" / "responses.csv").unlink()
    err = read_error(source_columns, "responses", src, cfg)
    assert (err.table, err.source, err.message) == ("responses", "responses.csv", "file not found")
    assert "relative to the params file" in err.hint


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_a_header_read_as_one_column_names_the_delimiter_to_set(tmp_path, sep):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": RESPONSES.replace(",", sep)})
    err = read_error(source_columns, "responses", src, cfg)
    assert f"the file looks delimited by {sep!r}" in err.message
    assert err.hint == f"set `delimiter: {sep!r}` for this source"


def test_the_configured_delimiter_is_used(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\ndelimiter: ';'\n",
                      files={"responses.csv": "response_id;nps\nR1;9\nR2;3\n"})
    assert source_columns("responses", src, cfg) == ["response_id", "nps"]
    frame = read_source("responses", src, cfg, ["nps", "response_id"]).frame
    assert frame.to_dict("list") == {"nps": [9, 3], "response_id": ["R1", "R2"]}


def test_a_header_in_another_encoding_asks_for_the_encoding(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": "réponse,nps\nR1,9\n".encode("latin-1")})
    err = read_error(source_columns, "responses", src, cfg)
    assert "the header is not valid utf-8 text" in err.message and "encoding:" in err.hint


# --------------------------------------------------------------------------- reading


def test_a_csv_is_read_to_the_columns_asked_for(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": RESPONSES})
    raw = read_source("responses", src, cfg, ["response_id", "nps", "comment"])
    assert (raw.table, raw.label, raw.columns) == ("responses", "responses.csv", ["response_id", "nps", "comment"])
    assert raw.frame["response_id"].tolist() == ["R1", "R2", "R3"]
    assert raw.frame["nps"].tolist() == [9, 3, 10]
    assert raw.frame["comment"].tolist()[:2] == ["Great", "Slow, and rude"]  # a quoted delimiter stays text
    assert pd.isna(raw.frame["comment"].iloc[2])
    assert raw.frame.index.tolist() == [0, 1, 2]


def test_text_in_another_encoding_names_the_column_and_row(tmp_path):
    body = "response_id,location\nR1,Leeds\nR2,Zürich\n".encode("latin-1")
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": body})
    err = read_error(read_source, "responses", src, cfg, ["response_id", "location"])
    assert err.message == "text is not valid utf-8" and err.column == "location"
    assert err.examples == ["row 2: b'Z\\xfcrich'"]
    cfg, src = config(tmp_path, "file: responses.csv\nencoding: latin-1\n")
    assert read_source("responses", src, cfg, ["location"]).frame["location"].tolist() == ["Leeds", "Zürich"]


def test_identifiers_keep_their_leading_zeros(tmp_path):
    cfg, src = config(tmp_path, "file: customers.csv\n", table="customers",
                      files={"customers.csv": "customer_id,start_date\n007,2024-01-01\n012,2024-02-01\n"})
    ids = read_source("customers", src, cfg, ["customer_id"]).frame["customer_id"]
    assert ids.astype(str).tolist() == ["007", "012"]


def test_a_parquet_file_is_read_by_column(tmp_path):
    df = pd.DataFrame({"response_id": ["R1", "R2"], "nps": [9.0, 3.0], "when": pd.to_datetime(["2025-01-01", None]),
                       "unused": [1, 2]})
    cfg, src = config(tmp_path, "file: responses.parquet\n", files={"responses.parquet": lambda p: df.to_parquet(p)})
    assert source_columns("responses", src, cfg) == ["response_id", "nps", "when", "unused"]
    frame = read_source("responses", src, cfg, ["when", "nps"]).frame
    pd.testing.assert_frame_equal(frame, df[["when", "nps"]])


def workbook(sheets: dict[str, pd.DataFrame]):
    def write(path):
        with pd.ExcelWriter(path) as xl:
            for name, frame in sheets.items():
                frame.to_excel(xl, sheet_name=name, index=False)
    return write


def test_an_excel_sheet_is_read_by_column(tmp_path):
    df = pd.DataFrame({"response_id": ["R1", "R2"], 2024: [9, 3]})  # a numeric header becomes text
    cfg, src = config(tmp_path, "file: responses.xlsx\n", files={"responses.xlsx": workbook({"Data": df})})
    assert source_columns("responses", src, cfg) == ["response_id", "2024"]
    frame = read_source("responses", src, cfg, ["2024"]).frame
    assert frame.to_dict("list") == {"2024": [9, 3]}


def test_a_workbook_with_several_sheets_needs_the_one_to_read(tmp_path):
    files = {"responses.xlsx": workbook({"Notes": pd.DataFrame({"a": [1]}), "Survey": pd.DataFrame({"nps": [7]})})}
    cfg, src = config(tmp_path, "file: responses.xlsx\n", files=files)
    err = read_error(source_columns, "responses", src, cfg)
    assert err.message == "the workbook has 2 sheets: Notes, Survey" and "sheet:" in err.hint
    cfg, src = config(tmp_path, "file: responses.xlsx\nsheet: Survy\n")
    err = read_error(source_columns, "responses", src, cfg)
    assert err.message == "no sheet named 'Survy' (sheets: Notes, Survey)" and err.hint == "did you mean 'Survey'?"
    cfg, src = config(tmp_path, "file: responses.xlsx\nsheet: Survey\n")
    assert read_source("responses", src, cfg, ["nps"]).frame["nps"].tolist() == [7]


@pytest.fixture()
def database(tmp_path, monkeypatch):
    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("create table customers (id text, joined text, email text)")
        con.executemany("insert into customers values (?, ?, ?)",
                        [("007", "2024-01-01", "a@example.com"), ("012", "2024-02-01", "b@example.com")])
    monkeypatch.setenv("ACME_CRM_URL", f"sqlite:///{path}")
    return path


def test_an_sql_source_is_read_through_its_environment_variable(tmp_path, database):
    cfg, src = config(tmp_path, "sql: select id, joined, email from customers order by id\nurl_env: ACME_CRM_URL\n",
                      table="customers")
    assert source_columns("customers", src, cfg) == ["id", "joined", "email"]
    raw = read_source("customers", src, cfg, ["joined", "id"])
    assert raw.frame.to_dict("list") == {"joined": ["2024-01-01", "2024-02-01"], "id": ["007", "012"]}
    assert raw.label == "sql query (connection from $ACME_CRM_URL)"


def test_an_unset_environment_variable_says_what_to_export(tmp_path, database, monkeypatch):
    cfg, src = config(tmp_path, "sql: select * from customers\nurl_env: ACME_CRM_URL\n", table="customers")
    monkeypatch.delenv("ACME_CRM_URL")
    err = read_error(read_source, "customers", src, cfg, ["id"])
    assert err.message == "environment variable ACME_CRM_URL is not set"
    assert err.hint == "export ACME_CRM_URL=<database URL> before running"


def test_a_failed_query_is_reported_without_the_url(tmp_path, database):
    cfg, src = config(tmp_path, "sql: select * from no_such_table\nurl_env: ACME_CRM_URL\n", table="customers")
    err = read_error(read_source, "customers", src, cfg, ["id"])
    assert err.message.startswith("the query failed: OperationalError") and "no_such_table" in err.message
    assert str(database) not in str(err) and "sqlite:///" not in str(err)


def test_a_driver_error_quoting_the_url_has_it_and_its_password_removed(tmp_path, monkeypatch):
    url = "postgresql://analyst:p@ss w/rd@db.acme.example:5432/crm?sslmode=require&token=T0K3N"
    monkeypatch.setenv("ACME_CRM_URL", url)
    cfg, src = config(tmp_path, "sql: select * from customers\nurl_env: ACME_CRM_URL\n", table="customers")

    def driver_error(given, *args, **kwargs):
        # drivers quote the URL their own way: as given, with the password masked, re-encoded
        raise RuntimeError(f"cannot connect to {given}; also tried postgresql://analyst:***@db.acme.example:5432/crm "
                           f"with password=p%40ss+w%2Frd and token T0K3N")

    import sqlalchemy

    monkeypatch.setattr(sqlalchemy, "create_engine", driver_error)
    err = read_error(read_source, "customers", src, cfg, ["id"])
    text = str(err)
    assert "<connection url>" in text
    for secret in (url, "p@ss w/rd", "p%40ss+w%2Frd", "T0K3N"):
        assert secret not in text, secret


def test_file_sha256_matches_the_fips_180_2_vector(tmp_path):
    (tmp_path / "abc").write_bytes(b"abc")
    assert file_sha256(tmp_path / "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    (tmp_path / "big").write_bytes(b"xyz" * 500_000)
    assert file_sha256(tmp_path / "big", chunk=4096) == hashlib.sha256(b"xyz" * 500_000).hexdigest()


# --------------------------------------------------------------------------- messy exports (issue 14)


def test_a_repeated_header_name_is_kept_twice_so_it_can_be_refused(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n",
                      files={"responses.csv": "response_id,nps,comment,nps\nR1,9,ok,3\n"})
    assert source_columns("responses", src, cfg) == ["response_id", "nps", "comment", "nps"]
    assert duplicated_columns(source_columns("responses", src, cfg)) == {"nps": [2, 4]}
    df = pd.DataFrame([["R1", 9, 3]], columns=["response_id", "nps", "nps"])
    cfg, src = config(tmp_path, "file: responses.xlsx\n", files={"responses.xlsx": workbook({"Data": df})})
    assert source_columns("responses", src, cfg) == ["response_id", "nps", "nps"]


def test_a_header_is_read_as_written_past_a_byte_order_mark(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": "\ufeffresponse_id,nps\nR1,9\n".encode()})
    assert source_columns("responses", src, cfg) == ["response_id", "nps"]


TITLED = "Customer survey export,,\nExported 3 Jan 2026,,\n,,\nresponse_id,customer_id,nps\nR1,007,9\nR2,012,3\n"


def test_title_rows_above_the_header_are_found(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": TITLED})
    assert find_header_row("responses", src, cfg, ["response_id", "nps", "customer_id"]) == (4, "Customer survey export")
    sheet = pd.DataFrame([["Customer survey export", None], [None, None], ["response_id", "nps"], ["R1", 9]])
    cfg, src = config(tmp_path, "file: responses.xlsx\n",
                      files={"responses.xlsx": lambda p: sheet.to_excel(p, index=False, header=False)})
    assert find_header_row("responses", src, cfg, ["response_id", "nps"]) == (3, "Customer survey export")


def test_a_header_already_on_its_row_is_not_moved(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": RESPONSES})
    assert find_header_row("responses", src, cfg, ["response_id", "nps"]) is None


def test_header_row_reads_past_the_title_rows(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\nheader_row: 4\n", files={"responses.csv": TITLED})
    assert source_columns("responses", src, cfg) == ["response_id", "customer_id", "nps"]
    frame = read_source("responses", src, cfg, ["customer_id", "nps"]).frame
    assert frame.to_dict("list") == {"customer_id": ["007", "012"], "nps": [9, 3]}
    sheet = pd.DataFrame([["Survey", None], ["response_id", "nps"], ["R1", 9], ["R2", 3]])
    cfg, src = config(tmp_path, "file: responses.xlsx\nheader_row: 2\n",
                      files={"responses.xlsx": lambda p: sheet.to_excel(p, index=False, header=False)})
    assert source_columns("responses", src, cfg) == ["response_id", "nps"]
    assert read_source("responses", src, cfg, ["nps"]).frame["nps"].tolist() == [9, 3]


def test_identifiers_in_a_workbook_keep_their_leading_zeros(tmp_path):
    df = pd.DataFrame({"customer_id": ["007", "012"], "start_date": ["2024-01-01", "2024-02-01"]})
    cfg, src = config(tmp_path, "file: customers.xlsx\n", table="customers", files={"customers.xlsx": workbook({"CRM": df})})
    assert read_source("customers", src, cfg, ["customer_id"]).frame["customer_id"].tolist() == ["007", "012"]


SHEETS = {"1": pd.DataFrame({"nps": [1]}), "2": pd.DataFrame({"nps": [2]}), "3": pd.DataFrame({"nps": [3]})}


def test_a_sheet_number_that_is_also_a_sheet_name_is_ambiguous(tmp_path):
    cfg, src = config(tmp_path, "file: responses.xlsx\nsheet: 2\n", files={"responses.xlsx": workbook(SHEETS)})
    err = read_error(source_columns, "responses", src, cfg)
    assert "`sheet: 2` is ambiguous" in err.message and "position 2 (counting from 0) is '3'" in err.message
    assert 'sheet: "2"' in err.hint
    cfg, src = config(tmp_path, 'file: responses.xlsx\nsheet: "2"\n')
    assert read_source("responses", src, cfg, ["nps"]).frame["nps"].tolist() == [2], "the sheet named 2"


def test_a_sheet_position_reads_that_sheet_and_past_the_last_is_refused(tmp_path):
    files = {"responses.xlsx": workbook({"Notes": pd.DataFrame({"a": [1]}), "Survey": pd.DataFrame({"nps": [7]})})}
    cfg, src = config(tmp_path, "file: responses.xlsx\nsheet: 1\n", files=files)
    assert read_source("responses", src, cfg, ["nps"]).frame["nps"].tolist() == [7]
    cfg, src = config(tmp_path, "file: responses.xlsx\nsheet: 5\n")
    err = read_error(source_columns, "responses", src, cfg)
    assert "`sheet: 5` is past the last sheet" in err.message and "Notes, Survey" in err.message


def test_a_parquet_file_damaged_mid_way_names_its_file(tmp_path):
    df = pd.DataFrame({"response_id": [f"R{i}" for i in range(5000)], "nps": [i % 11 for i in range(5000)]})

    def damaged(path):
        df.to_parquet(path, compression=None)
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle - 2000:middle + 2000] = b"\xff" * 4000  # the footer (schema) intact, the pages not
        path.write_bytes(bytes(data))

    cfg, src = config(tmp_path, "file: responses.parquet\n", files={"responses.parquet": damaged})
    assert source_columns("responses", src, cfg) == ["response_id", "nps"]
    err = read_error(read_source, "responses", src, cfg, ["response_id", "nps"])
    assert err.source == "responses.parquet" and "cannot read the Parquet file" in err.message
    assert "export the file again" in err.hint


def test_a_folder_where_a_file_should_be_is_a_data_error(tmp_path):
    cfg, src = config(tmp_path, "file: responses.csv\n", files={"responses.csv": RESPONSES})
    (tmp_path / "params" / "responses.csv").unlink()
    (tmp_path / "params" / "responses.csv").mkdir()
    err = read_error(source_columns, "responses", src, cfg)
    assert err.message == "the path is a folder, not a file" and err.source == "responses.csv"
