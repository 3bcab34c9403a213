"""Manager scorecards: every location with enough responses gets its page; one with too few
gets a page that says so instead of numbers."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

pytestmark = pytest.mark.slow


def test_every_location_gets_a_scorecard(demo_report, root):
    latest, _ = demo_report
    run = json.loads((latest / "run.json").read_text())
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())
    assert sorted(s["level"] for s in run["scorecards"]) == sorted(truth["locations"])
    index = (latest / "index.html").read_text()
    for s in run["scorecards"]:
        assert s["status"] == "ok" and f'href="{s["html"]}"' in index
    page = re.sub(r"<[^>]+>", "", (latest / "pages" / "scorecards" / "birmingham.html").read_text())
    assert "Scorecard: Birmingham" in page and "Location recovery review" in page


def test_a_location_with_too_few_responses_says_so(demo_report, root, tmp_path):
    """Re-run one scorecard on the demo run with min_n above what a small location collects."""
    import papermill as pm

    from cxtemplate.run.kernels import IPCKernelManager

    latest, _ = demo_report
    run_dir = tmp_path / "run"
    shutil.copytree(latest, run_dir, symlinks=True)
    shutil.copytree(root / "data" / "demo", tmp_path / "data" / "demo")
    (tmp_path / "params").mkdir()
    cfg = yaml.safe_load((root / "params" / "demo.yaml").read_text())
    cfg["reporting"]["min_n"] = 250  # Cardiff has about 150 responses in the last three months
    (tmp_path / "params" / "demo.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    template = root / "notebooks" / "scorecards" / "manager_scorecard.ipynb"
    out = tmp_path / "cardiff.ipynb"
    pm.execute_notebook(str(template), str(out), cwd=str(template.parent), kernel_name="python3", progress_bar=False,
                        parameters={"params_path": str(tmp_path / "params" / "demo.yaml"), "run_dir": str(run_dir),
                                    "by": "location", "level": "Cardiff"},
                        shutdown_kernel="immediate", kernel_manager_class=IPCKernelManager)
    import nbformat

    nb = nbformat.read(out, as_version=4)
    shown = json.dumps([o for c in nb.cells if c.cell_type == "code" for o in c.outputs])
    assert "Cardiff has too few responses to report on" in shown
    assert "last three periods against the rest" not in shown  # no numbers shown for it
