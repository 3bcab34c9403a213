"""Load (issue 8): twenty organisations of varied sizes in one ``cxtemplate run --jobs 2``.

Each organisation is generated (200–1,500 customers, its own seed), written with
``write_organisation`` and given a params file copied from ``params/demo.yaml`` with its paths
rewritten. All must complete, and the command's summary (``batch.summary_lines``) must list
each one, in order, with its status, its time and its report.

This takes about ten minutes on a 2-core machine, so it is marked ``load`` and left out of the
default run (``pyproject.toml`` addopts); ``make test-load`` runs it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.load]

ROOT = Path(__file__).resolve().parents[2]
SIZES = [200 + round(i * 1300 / 19) for i in range(20)]  # 200, 268, …, 1,500 customers


def test_twenty_organisations_in_one_command(tmp_path):
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    demo = (ROOT / "params" / "demo.yaml").read_text()
    orgs, params = [], []
    for i, n in enumerate(SIZES):
        org = f"load{i:02d}"
        write_organisation(generate(SynthSpec(customers=n, seed=7000 + i)), tmp_path / "data" / org)
        p = tmp_path / "params" / f"{org}.yaml"
        p.parent.mkdir(exist_ok=True)
        p.write_text(demo.replace("../data/demo/", f"../data/{org}/").replace("id: demo ", f"id: {org} "))
        orgs.append(org)
        params.append(str(p))

    proc = subprocess.run([sys.executable, "-m", "cxtemplate", "run", *params, "--jobs", "2", "--quiet",
                           "--out", str(tmp_path / "reports")], capture_output=True, text=True, timeout=3600,
                          env={**os.environ})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    lines = proc.stdout.strip().splitlines()
    assert len(lines) == len(orgs), proc.stdout
    seconds, spans = [], []
    for org, line in zip(orgs, lines):
        m = re.match(rf"^{org}\s+ok\s+(\d+\.\d)s\s+(\S+/index\.html)$", line)
        assert m, line
        seconds.append(float(m.group(1)))
        run_dir = Path(m.group(2)).parent
        assert (tmp_path / "reports" / org / "latest").resolve() == run_dir.resolve()
        record = json.loads((run_dir / "run.json").read_text())
        assert record["status"] == "ok" and all(n["status"] == "ok" for n in record["notebooks"])
        spans.append((record["started_at"], record["finished_at"]))
    # --jobs 2 runs two organisations at a time: every run but the first starts before an earlier one ended
    # (an order of events from run.json, not a timing; the wall time is in bench/RESULTS.md)
    spans.sort()
    overlapping = sum(1 for i in range(1, len(spans)) if spans[i][0] < max(end for _, end in spans[:i]))
    assert overlapping >= len(spans) // 2, spans
    print(f"\n{len(orgs)} organisations ({SIZES[0]}–{SIZES[-1]} customers), --jobs 2: {sum(seconds):.0f} s summed, "
          f"{min(seconds):.0f}–{max(seconds):.0f} s each, {overlapping} of {len(spans) - 1} started while another ran\n"
          + proc.stdout)
