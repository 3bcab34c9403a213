"""Files in the store's formats (``cxtemplate.data.files``): standard JSON (NaN → null, dates in ISO 8601,
sorted keys, reproducible bytes), Parquet that reads back as the same frame, and atomic writes that leave
no temporary file and never a half-written one."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cxtemplate.data import files as st
from cxtemplate.data.files import read_parquet, to_jsonable, write_json, write_parquet

# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("value, expected", [
    (float("nan"), None), (np.nan, None), (float("inf"), None), (-np.inf, None), (np.float32("nan"), None),
    (pd.NA, None),
    (np.int64(7), 7), (np.int8(-3), -3), (np.float64(0.25), 0.25), (np.bool_(True), True), (np.bool_(False), False),
    (dt.date(2025, 12, 31), "2025-12-31"), (dt.datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05"),
    (pd.Timestamp("2025-06-30 12:00"), "2025-06-30T12:00:00"), (pd.Period("2025-06", "M"), "2025-06"),
    (pd.Period("2025Q2", "Q"), "2025Q2"), (Path("data") / "x.csv", "data/x.csv"),
    ("text", "text"), (3, 3), (None, None), (True, True),
])
def test_to_jsonable_scalars(value, expected):
    out = to_jsonable(value)
    assert out == expected and type(out) is type(expected)


def test_to_jsonable_containers_and_frames():
    obj = {1: (np.int64(1), {2.5, }), "arr": np.array([1.5, np.nan]), "s": pd.Series({"a": np.int64(2)}),
           "df": pd.DataFrame({"x": [1, 2], "when": pd.to_datetime(["2025-01-01", "2025-02-01"])})}
    assert to_jsonable(obj) == {"1": [1, [2.5]], "arr": [1.5, None], "s": {"a": 2},
                                "df": [{"x": 1, "when": "2025-01-01T00:00:00"}, {"x": 2, "when": "2025-02-01T00:00:00"}]}


@pytest.mark.parametrize("value", [pd.NaT, pd.DataFrame({"when": pd.to_datetime([None])})],
                         ids=["scalar", "in-a-frame"])
def test_a_missing_date_becomes_null(value):
    out = to_jsonable(value)
    assert (out if value is pd.NaT else out[0]["when"]) is None


def test_json_is_standard_sorted_indented_and_keeps_non_ascii_text(tmp_path):
    path = tmp_path / "sub" / "a.json"
    write_json(path, {"b": float("nan"), "a": {"z": 1, "é": "Zürich – 10 €"}, "c": [np.inf, 1]})
    text = path.read_text(encoding="utf-8")
    assert text == ('{\n  "a": {\n    "z": 1,\n    "é": "Zürich – 10 €"\n  },\n  "b": null,\n'
                    '  "c": [\n    null,\n    1\n  ]\n}\n')
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))


def test_the_same_content_gives_the_same_bytes_whatever_the_key_order(tmp_path):
    write_json(tmp_path / "a.json", {"x": 1, "y": {"q": 2, "p": 3}})
    write_json(tmp_path / "b.json", {"y": {"p": 3, "q": 2}, "x": 1})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_a_json_write_leaves_no_temporary_file(tmp_path):
    write_json(tmp_path / "a.json", {"x": 1})
    write_json(tmp_path / "a.json", {"x": 2})
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert json.loads((tmp_path / "a.json").read_text()) == {"x": 2}


def test_a_failed_json_write_keeps_the_old_file_whole(tmp_path):
    path = tmp_path / "a.json"
    write_json(path, {"x": 1})
    before = path.read_bytes()
    with pytest.raises(TypeError):
        write_json(path, {"x": object()})  # not JSON-able
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


# --------------------------------------------------------------------------- Parquet


def test_a_frame_reads_back_unchanged_with_dates_as_datetimes(tmp_path):
    df = pd.DataFrame({"id": ["007", "010"], "when": pd.to_datetime(["2025-01-01", "2025-02-28"]),
                       "score": [9.0, np.nan], "n": np.array([1, 2], dtype="int32"),
                       "flag": pd.array([True, None], dtype="boolean")})
    path = tmp_path / "t" / "frame.parquet"
    write_parquet(path, df)
    back = read_parquet(path)
    pd.testing.assert_frame_equal(back, df)
    assert back["id"].tolist() == ["007", "010"]  # ids keep their leading zeros
    assert [p.name for p in path.parent.iterdir()] == ["frame.parquet"]


def test_a_date32_column_is_read_as_datetime64_not_python_dates(tmp_path):
    import pyarrow as pa

    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"d": pa.array([dt.date(2025, 1, 1), None], type=pa.date32())}), path)
    assert read_parquet(path)["d"].dtype.kind == "M"


def test_a_range_index_is_dropped_and_any_other_index_kept(tmp_path):
    plain = pd.DataFrame({"x": [1, 2]})
    write_parquet(tmp_path / "plain.parquet", plain)
    assert pq.read_schema(tmp_path / "plain.parquet").names == ["x"]
    keyed = pd.DataFrame({"x": [1, 2]}, index=pd.Index(["Leeds", "York"], name="location"))
    write_parquet(tmp_path / "keyed.parquet", keyed)
    pd.testing.assert_frame_equal(read_parquet(tmp_path / "keyed.parquet"), keyed)


def test_only_the_columns_asked_for_are_read(tmp_path):
    write_parquet(tmp_path / "t.parquet", pd.DataFrame({"a": [1], "b": ["x"], "c": [2.0]}))
    assert read_parquet(tmp_path / "t.parquet", ["c", "a"]).columns.tolist() == ["c", "a"]


def test_large_tables_are_written_in_chunks_and_read_back_unchanged(tmp_path, monkeypatch):
    """``write_parquet`` converts a large frame a chunk of rows at a time (memory); the file must read
    back as the same frame, with columns whose first chunk is all missing keeping their type."""
    monkeypatch.setattr(st, "WRITE_CHUNK_ROWS", 7)
    n = 40
    df = pd.DataFrame({
        "id": [f"R{i}" for i in range(n)],
        "late_text": [None] * 10 + [f"t{i}" for i in range(n - 10)],
        "when": pd.date_range("2025-01-01", periods=n, freq="D"),
        "score": np.arange(n, dtype=float),
        "flag": pd.array([True, None, False, True] * 10, dtype="boolean"),
        "label": pd.Categorical(["a", "b"] * 20),
    })
    path = tmp_path / "t.parquet"
    st.write_parquet(path, df)

    assert pq.ParquetFile(path).num_row_groups == 6  # ceil(40 / 7)
    pd.testing.assert_frame_equal(st.read_parquet(path), df)
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_a_failed_parquet_write_keeps_the_old_file_whole(tmp_path):
    path = tmp_path / "t.parquet"
    write_parquet(path, pd.DataFrame({"x": [1, 2]}))
    with pytest.raises(Exception):  # noqa: B017 - pyarrow's own error type for a mixed column
        write_parquet(path, pd.DataFrame({"x": [1, "two"]}))
    pd.testing.assert_frame_equal(read_parquet(path), pd.DataFrame({"x": [1, 2]}))
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]
