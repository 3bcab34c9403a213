"""Files in the formats of the store: JSON with plain types, Parquet keeping dates as datetimes.

Written atomically (a temporary file, then a rename), so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas scalars, dates and containers into plain JSON types.

    NaN and infinities become ``None`` so the JSON stays standard.
    """
    import numpy as np
    import pandas as pd

    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if obj is pd.NaT or obj is pd.NA:
        return None
    if isinstance(obj, (pd.Timestamp, dt.datetime, dt.date)):
        return obj.isoformat()
    if isinstance(obj, pd.Period):
        return str(obj)
    if isinstance(obj, Path):
        return obj.as_posix()
    if isinstance(obj, pd.DataFrame):
        return to_jsonable(obj.to_dict(orient="records"))
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    return obj


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically (temp file + rename), sorted keys, for reproducible bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(to_jsonable(obj), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


WRITE_CHUNK_ROWS = 1_000_000


def write_parquet(path: Path, df) -> None:
    """Write a DataFrame to Parquet atomically, without the pandas index when it is a range."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    keep_index = not isinstance(df.index, pd.RangeIndex)
    tmp = path.with_suffix(path.suffix + ".tmp")
    if keep_index or len(df) <= WRITE_CHUNK_ROWS:
        table = pa.Table.from_pandas(df, preserve_index=keep_index)
        pq.write_table(table, tmp, compression="zstd")
        del table
    else:
        # a million rows at a time: converting the whole frame would hold a second, Arrow copy of it
        schema = pa.Schema.from_pandas(df, preserve_index=False)
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for start in range(0, len(df), WRITE_CHUNK_ROWS):
                part = pa.Table.from_pandas(df.iloc[start:start + WRITE_CHUNK_ROWS], schema=schema,
                                            preserve_index=False)
                writer.write_table(part)
                del part
                pa.default_memory_pool().release_unused()
    pa.default_memory_pool().release_unused()  # the Arrow copy of the frame is not needed again
    os.replace(tmp, path)


def read_parquet(path: Path, columns: list[str] | None = None):
    """Read Parquet into pandas keeping dates as datetime64 (not Python objects)."""
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns).to_pandas(date_as_object=False)
