"""Same inputs and seed, same numbers (issue 8): two runs of the demo compared artifact by artifact.

The first run is the session's ``demo_report`` (``cxtemplate run params/demo.yaml``); the second
runs the same command with what must not matter changed: ``--jobs 2`` (which used to change the
BLAS thread count of the kernels, and with it the last digits of the Cox fit), another
``PYTHONHASHSEED`` (set iteration order) and no BLAS thread variables in the environment.

Every JSON artifact must be equal exactly, every Parquet table exactly (pandas, ``check_exact``),
every CSV byte for byte and every workbook cell by cell; only fields that name the run or time it
are left out, and only in ``run.json`` (the artifacts carry none). The contact details compared are the
run's restricted folder, beside the report folder (``<org>/restricted/<run_id>/``), written under
``restricted/`` in the comparison.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ("artifacts", "tables")  # and the run's restricted folder, beside it
RUN_SPECIFIC = {"run_id", "started_at", "finished_at", "seconds", "render_seconds", "host", "html", "resumed_from", "peak_rss_mib"}


@pytest.fixture(scope="module")
def two_runs(demo_report, tmp_path_factory):
    first, _ = demo_report
    out = tmp_path_factory.mktemp("determinism")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env["PYTHONHASHSEED"] = "4242"
    proc = subprocess.run([sys.executable, "-m", "cxtemplate", "run", str(ROOT / "params" / "demo.yaml"),
                           "--out", str(out), "--quiet", "--jobs", "2"], capture_output=True, text=True,
                          timeout=1200, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return first.resolve(), (out / "demo" / "latest").resolve()


def _path(run: Path, rel: str) -> Path:
    """The file ``rel`` of a run: ``restricted/…`` is in the run's restricted folder, the rest in the run folder."""
    from cxtemplate.run.store import restricted_folder

    head, _, rest = rel.partition("/")
    return restricted_folder(run) / rest if head == "restricted" else run / rel


def _files(run: Path) -> list[str]:
    from cxtemplate.run.store import restricted_folder

    files = [p.relative_to(run).as_posix() for sub in COMPARED for p in (run / sub).rglob("*") if p.is_file()]
    restricted = restricted_folder(run)
    files += [f"restricted/{p.relative_to(restricted).as_posix()}" for p in restricted.rglob("*") if p.is_file()]
    return sorted(files)


def _strip(obj):
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in RUN_SPECIFIC}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _workbook(path: Path) -> dict:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def differences(a: Path, b: Path, rel: str) -> str | None:
    pa, pb = _path(a, rel), _path(b, rel)
    if rel.endswith(".json"):
        ja, jb = json.loads(pa.read_text()), json.loads(pb.read_text())
        return None if ja == jb else "JSON differs"
    if rel.endswith(".parquet"):
        try:
            pd.testing.assert_frame_equal(pq.read_table(pa).to_pandas(), pq.read_table(pb).to_pandas(), check_exact=True)
        except AssertionError as exc:
            return str(exc)[:600]
        return None
    if rel.endswith(".xlsx"):  # the file's own creation time differs; every cell must not
        return None if _workbook(pa) == _workbook(pb) else "workbook cells differ"
    return None if pa.read_bytes() == pb.read_bytes() else "bytes differ"


def test_the_same_files_are_written(two_runs):
    a, b = two_runs
    assert a != b
    assert _files(a) == _files(b)
    assert len([f for f in _files(a) if f.startswith("artifacts/")]) > 40
    assert "restricted/contacts.parquet" in _files(a) and not (a / "restricted").exists()


def test_every_artifact_table_and_restricted_file_is_identical(two_runs):
    a, b = two_runs
    diffs = {rel: d for rel in _files(a) if (d := differences(a, b, rel))}
    assert diffs == {}


def test_the_run_records_agree_on_everything_but_the_run_itself(two_runs):
    a, b = two_runs
    ra, rb = (json.loads((r / "run.json").read_text()) for r in two_runs)
    assert ra["run_id"] != rb["run_id"]
    for key in ("rows", "inputs", "params_sha256", "notebook_sha256", "status", "organisation", "versions"):
        assert ra[key] == rb[key], key
    assert _strip(ra["notebooks"]) == _strip(rb["notebooks"])
    assert _strip(ra["scorecards"]) == _strip(rb["scorecards"])
