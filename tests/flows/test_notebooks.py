"""Every notebook runs with its default parameters, as it would when opened in JupyterLab,
and every notebook is committed without outputs and in step with its jupytext .py pair."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = sorted(Path(__file__).resolve().parents[2].glob("notebooks/**/*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_in_step_with_its_py_pair(path):
    py = path.with_suffix(".py")
    assert py.is_file(), f"{path.name} has no paired .py"
    from_py = jupytext.read(py)
    nb = nbformat.read(path, as_version=4)
    assert [c.source for c in from_py.cells] == [c.source for c in nb.cells], \
        f"{path.name} and {py.name} differ: run `jupytext --sync {path}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_contract(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged 'parameters'"
    for line in code[0].source.splitlines():
        assert "=" in line and "(" not in line, f"parameters cell holds literals only: {line!r}"
    assert "open_run(" in code[1].source, "second code cell opens the run"
    assert nb.metadata.get("cxtemplate", {}).get("title"), "notebook metadata names its title"


@pytest.mark.slow
def test_every_notebook_runs_with_its_defaults(root, tmp_path):
    """Copy the template (notebooks, demo params, demo data) and run each notebook unchanged."""
    import papermill as pm

    from cxtemplate.run.kernels import IPCKernelManager

    for part in ("notebooks", "data/demo"):
        shutil.copytree(root / part, tmp_path / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp_path / "params").mkdir()
    shutil.copy(root / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    flow = sorted((tmp_path / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(flow) == 8
    out = tmp_path / "executed"
    out.mkdir()
    for nb in [*flow, tmp_path / "notebooks" / "scorecards" / "manager_scorecard.ipynb"]:
        pm.execute_notebook(str(nb), str(out / nb.name), cwd=str(nb.parent), kernel_name="python3",
                            progress_bar=False, shutdown_kernel="immediate", kernel_manager_class=IPCKernelManager)
    work = tmp_path / "reports" / "demo" / "interactive"
    done = sorted(p.parent.name for p in (work / "artifacts").glob("*/_done.json"))
    assert done == [p.stem for p in flow]
    summary = json.loads((work / "artifacts" / "07_executive_summary" / "headline.json").read_text())
    assert summary["cards"] and summary["sentence"]
