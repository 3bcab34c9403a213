"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "real-data"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real public data sets (``../shared/real-data``); skips when absent."""
    if not REAL_DATA.is_dir():
        pytest.skip("../shared/real-data is absent (a user's own clone has no ../shared)")
    return REAL_DATA


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory):
    """Run `cxtemplate run params/demo.yaml` once per session; yields (latest run folder, process)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("reports")
    proc = subprocess.run([sys.executable, "-m", "cxtemplate", "run", str(ROOT / "params" / "demo.yaml"),
                           "--out", str(out), "--quiet"], capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "demo" / "latest", proc
