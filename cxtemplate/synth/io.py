"""Byte-deterministic writing of a synthetic organisation (CSV or Parquet, plus ``truth.json``).

CSV: UTF-8, ``\\n`` line endings, minimal quoting, ISO dates (``YYYY-MM-DD``) and datetimes
(``YYYY-MM-DDTHH:MM:SS``), booleans ``true``/``false``, missing values as empty fields, and floats
with a fixed number of decimals per column (formatted here, not by a library, so the bytes do not
depend on pandas' or pyarrow's float printing).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from cxtemplate.errors import check_choice

FLOAT_DECIMALS = {"monthly_revenue": 2, "sentiment": 3, "value": 3}
DEFAULT_DECIMALS = 6
_STR = np.dtypes.StringDType()


def fixed_decimals(x: np.ndarray, decimals: int) -> np.ndarray:
    """Format floats with exactly ``decimals`` decimals (object array; NaN becomes None)."""
    x = np.asarray(x, dtype=float)
    nan = np.isnan(x)
    scaled = np.rint(np.abs(np.where(nan, 0.0, x)) * 10 ** decimals).astype(np.int64)
    whole = (scaled // 10 ** decimals).astype(_STR)
    sign = np.where((x < 0) & (scaled > 0), "-", "").astype(_STR)
    if decimals:
        frac = np.strings.zfill((scaled % 10 ** decimals).astype(_STR), decimals)
        s = np.strings.add(np.strings.add(np.strings.add(sign, whole), "."), frac)
    else:
        s = np.strings.add(sign, whole)
    out = s.astype(object)
    out[nan] = None
    return out


def _column_as_text(name: str, col: pd.Series) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    if pd.api.types.is_bool_dtype(col.dtype):
        return np.where(col.to_numpy(), "true", "false").astype(object)
    if pd.api.types.is_integer_dtype(col.dtype):
        return col.to_numpy().astype(_STR).astype(object)
    if pd.api.types.is_float_dtype(col.dtype):
        return fixed_decimals(col.to_numpy(), FLOAT_DECIMALS.get(name, DEFAULT_DECIMALS))
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        unit = "D" if name.endswith("_date") else "s"
        v = col.to_numpy().astype(f"datetime64[{unit}]")
        out = np.datetime_as_string(v, unit=unit).astype(object)
        out[np.isnat(v)] = None
        return out
    return col.to_numpy(dtype=object)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as CSV with the conventions of this module."""
    text = pd.DataFrame({c: _column_as_text(c, df[c]) for c in df.columns})
    text.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, na_rep="", encoding="utf-8")


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as Parquet: dates as date32, datetimes as timestamp[s], strings as string."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays, fields = [], []
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            unit = "D" if c.endswith("_date") else "s"
            arr = pa.array(col.to_numpy().astype(f"datetime64[{unit}]"), type=pa.date32() if unit == "D" else pa.timestamp("s"))
        elif col.dtype == object or isinstance(col.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            arr = pa.array(col.astype(object).to_numpy(), type=pa.string(), from_pandas=True)
        else:
            arr = pa.array(col.to_numpy())
        arrays.append(arr)
        fields.append(pa.field(c, arr.type))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, path, compression="zstd", write_statistics=True)


def write_truth(truth: dict, path: Path) -> None:
    """Pretty-printed JSON with sorted keys and a final newline."""
    path.write_text(json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n",
                    encoding="utf-8", newline="\n")


def write_tables(tables: dict[str, pd.DataFrame], truth: dict, out_dir: str | Path, fmt: str) -> list[Path]:
    """Write every table as ``<name>.<fmt>`` and ``truth.json`` into ``out_dir`` (created if needed)."""
    check_choice("fmt", fmt, ("csv", "parquet"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        p = out / f"{name}.{fmt}"
        (write_csv if fmt == "csv" else write_parquet)(df, p)
        written.append(p)
    p = out / "truth.json"
    write_truth(truth, p)
    written.append(p)
    return written
