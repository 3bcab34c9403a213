"""Tests of :mod:`cxtemplate.synth.io`: byte-deterministic CSV (fixed decimals, ISO dates, minimal quoting),
Parquet types and ``truth.json``, checked against hand-written expected bytes and Python's own formatter."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxtemplate.synth.io import fixed_decimals, write_csv, write_parquet, write_tables, write_truth
from cxtemplate.synth.organisation import generate, write_organisation
from cxtemplate.synth.spec import SynthSpec
from tests.synth.helpers import TABLE_COLUMNS


def awkward_frame() -> pd.DataFrame:
    """Every column type the writer handles, with missing values, quotes, commas and a newline."""
    return pd.DataFrame({
        "customer_id": ["C01", "Smith, J", None],
        "count": np.array([3, 0, -12], dtype=np.int64),
        "monthly_revenue": [12.5, 1234.0, np.nan],          # 2 decimals
        "sentiment": [-0.25, 0.0004, -0.0004],             # 3 decimals; a negative that rounds to 0 has no sign
        "score": [1.0, 2.5, 1 / 3],                        # any other float: 6 decimals
        "resolved": [True, False, True],
        "start_date": pd.to_datetime(["2025-01-02", None, "2024-12-31"]),
        "responded_at": pd.to_datetime(["2025-01-02T03:04:05", "2025-01-02T23:59:59.700", None], format="ISO8601"),
        "comment": ['He said "hi"', "line1\nline2", ""],
        "tier": pd.Categorical(["a", "b", "a"]),
    })


def test_csv_bytes_written_by_hand(tmp_path):
    write_csv(awkward_frame(), tmp_path / "x.csv")
    expected = (
        b"customer_id,count,monthly_revenue,sentiment,score,resolved,start_date,responded_at,comment,tier\n"
        b'C01,3,12.50,-0.250,1.000000,true,2025-01-02,2025-01-02T03:04:05,"He said ""hi""",a\n'
        b'"Smith, J",0,1234.00,0.000,2.500000,false,,2025-01-02T23:59:59,"line1\nline2",b\n'   # seconds truncated
        b",-12,,0.000,0.333333,true,2024-12-31,,,a\n"
    )
    assert (tmp_path / "x.csv").read_bytes() == expected


@pytest.mark.parametrize("decimals", [0, 2, 3, 6])
def test_fixed_decimals_equals_pythons_formatter(decimals):
    """Python's ``format(x, '.Nf')`` (correctly rounded) is the reference; only '-0…' is written without its sign."""
    rng = np.random.default_rng(decimals)
    x = np.concatenate([rng.normal(0, 100, 3000), rng.normal(0, 1, 3000), np.round(rng.normal(0, 5, 3000), decimals),
                        [0.0, -0.0, 1e6, -1e-9, 0.125, 2.5]])
    got = fixed_decimals(x, decimals)
    ref = [f"{v:.{decimals}f}" for v in x]
    ref = [r[1:] if r.startswith("-") and not r.strip("-0.") else r for r in ref]
    assert list(got) == ref


def test_fixed_decimals_hand_values_and_missing():
    got = fixed_decimals(np.array([1.5, -1.5, 0.125, 99.999, np.nan, -0.0001]), 2)
    assert got.tolist() == ["1.50", "-1.50", "0.12", "100.00", None, "0.00"]   # 0.125 is a tie: half to even
    assert fixed_decimals(np.array([7.6, -3.2]), 0).tolist() == ["8", "-3"]


def test_csv_conventions(tmp_path):
    org = generate(SynthSpec(customers=400, seed=3))
    write_organisation(org, tmp_path)
    raw = (tmp_path / "responses.csv").read_bytes()
    assert b"\r" not in raw
    header = raw.split(b"\n", 1)[0].decode()
    assert header.split(",") == TABLE_COLUMNS["responses"]
    back = pd.read_csv(tmp_path / "responses.csv", dtype={"customer_id": str}, keep_default_na=False)
    assert back["responded_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert back["comment"].tolist() == org.tables["responses"]["comment"].fillna("").tolist()
    cu = pd.read_csv(tmp_path / "customers.csv", keep_default_na=False, dtype=str)
    assert cu["start_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert cu["monthly_revenue"].str.fullmatch(r"\d+\.\d\d").all()
    it = pd.read_csv(tmp_path / "interactions.csv", keep_default_na=False, dtype=str)
    assert set(it["resolved"]) <= {"true", "false"}
    assert it["sentiment"].str.fullmatch(r"-?\d\.\d{3}").all()


def test_parquet_types_and_values_round_trip(tmp_path):
    df = awkward_frame()
    write_parquet(df, tmp_path / "x.parquet")
    table = pq.read_table(tmp_path / "x.parquet")
    types = dict(zip(table.schema.names, table.schema.types))
    assert types["start_date"] == pa.date32()
    # Parquet has no seconds unit: the writer's timestamp[s] is stored as milliseconds, holding whole seconds
    assert pa.types.is_timestamp(types["responded_at"]) and types["responded_at"].unit in ("s", "ms")
    assert types["customer_id"] == types["comment"] == types["tier"] == pa.string()
    assert types["count"] == pa.int64() and types["resolved"] == pa.bool_() and types["score"] == pa.float64()
    back = table.to_pandas(date_as_object=False)
    assert back["customer_id"].tolist() == ["C01", "Smith, J", None]
    assert back["tier"].tolist() == ["a", "b", "a"] and back["comment"].tolist() == df["comment"].tolist()
    assert back["responded_at"].iloc[1] == pd.Timestamp("2025-01-02 23:59:59")      # whole seconds
    assert back["start_date"].isna().tolist() == [False, True, False]
    np.testing.assert_array_equal(back["score"], df["score"])


def test_truth_json_text(tmp_path):
    write_truth({"b": [1, 2], "a": {"z": "café", "y": 0.5}}, tmp_path / "t.json")
    assert (tmp_path / "t.json").read_bytes() == (
        '{\n  "a": {\n    "y": 0.5,\n    "z": "café"\n  },\n  "b": [\n    1,\n    2\n  ]\n}\n'.encode())
    with pytest.raises(ValueError):
        write_truth({"x": float("nan")}, tmp_path / "nan.json")      # NaN is not JSON


def test_write_tables_files_and_format_check(tmp_path):
    tables = {"customers": awkward_frame()[["customer_id", "count"]], "operations": awkward_frame()[["score"]]}
    out = write_tables(tables, {"rows": 3}, tmp_path / "new" / "dir", "parquet")
    assert [p.name for p in out] == ["customers.parquet", "operations.parquet", "truth.json"]
    assert all(p.is_file() for p in out) and json.loads(out[-1].read_text()) == {"rows": 3}
    with pytest.raises(ValueError, match=r"fmt.*xlsx"):
        write_tables(tables, {}, tmp_path, "xlsx")
