"""The notebooks' readers of the canonical tables (``cxtemplate.run.session``): the fast path must give the
same frame as the plain Parquet read, column pruning and row filtering must be exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtemplate.run.session import Run, read_table_fast
from cxtemplate.run.store import Store


@pytest.fixture()
def store(tmp_path):
    rng = np.random.default_rng(3)
    n = 2000
    df = pd.DataFrame({
        "response_id": [f"R{i:05d}" for i in range(n)],
        "customer_id": [None if i % 97 == 0 else f"C{i % 700:04d}" for i in range(n)],
        "location": rng.choice(["Leeds", "Bristol", "Birmingham"], n).astype(object),
        "responded_at": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "nps": rng.integers(0, 11, n).astype(float),
        "resolved": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
    })
    s = Store(tmp_path / "run")
    s.write_table("responses", df)
    return s, df


def test_fast_read_equals_the_plain_read(store):
    s, df = store
    plain = s.read_table("responses")
    fast = read_table_fast(s, "responses", None, unique=("response_id",))
    pd.testing.assert_frame_equal(fast, plain)
    pd.testing.assert_frame_equal(fast, df)
    some = read_table_fast(s, "responses", ["nps", "response_id"], unique=("response_id",))
    pd.testing.assert_frame_equal(some, s.read_table("responses", ["nps", "response_id"]))
    assert read_table_fast(s, "interactions") is None


def test_table_columns_and_table_where(store):
    from cxtemplate.config.loader import load_config

    s, df = store
    cfg = load_config(str(Path(__file__).resolve().parents[2] / "params" / "demo.yaml"))
    run = Run(cfg=cfg, store=s, notebook="04_experience_analysis")
    assert run.table_columns("responses") == list(df.columns)
    assert run.table_columns("responses", ["nps", "nope", "location", "nps"]) == ["nps", "location"]
    assert run.table_columns("responses", exclude=("response_id",)) == list(df.columns[1:])
    assert run.table_columns("interactions") is None
    leeds = run.table_where("responses", "location", "Leeds", ["nps"])
    expected = df.loc[df["location"] == "Leeds", ["location", "nps"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(leeds.reset_index(drop=True), expected)
    # a number column compared with a text level: no rows, no error (as pandas compares)
    assert run.table_where("responses", "nps", "Leeds").empty
    assert run.table_where("interactions", "location", "Leeds") is None
