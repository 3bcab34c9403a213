"""Every notebook runs with its default parameters, as it would when opened in JupyterLab,
and every notebook is committed without outputs and in step with its jupytext .py pair."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from cxtemplate.run.provenance import discover, notebooks_dir

NOTEBOOKS = sorted(Path(__file__).resolve().parents[2].glob("notebooks/**/*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
MAX_CODE_LINES = 120


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


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _code_lines(source: str) -> list[str]:
    return [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin(path):
    """docs/layers.md: at most 120 lines of code, imports only in the set-up cell, no rename maps;
    logic worth testing lives in the notebook's helper module."""
    code = _code_cells(path)
    lines = [ln for c in code for ln in _code_lines(c.source)]
    assert len(lines) <= MAX_CODE_LINES, f"{path.name}: {len(lines)} code lines (budget {MAX_CODE_LINES})"
    for i, cell in enumerate(code[2:], start=3):
        imports = [ln for ln in _code_lines(cell.source) if re.match(r"\s*(import|from)\s+\S+", ln)]
        assert not imports, f"{path.name}: code cell {i} imports ({imports[0].strip()}); imports go in the set-up cell"
    renames = [ln for ln in lines if "rename(columns=" in ln.replace(" ", "")]
    assert not renames, f"{path.name}: a rename map in the notebook ({renames[0].strip()[:60]}…); build the view in the helper module"


@pytest.mark.slow
def test_every_notebook_runs_with_its_defaults(root, tmp_path):
    """Copy the template (notebooks, demo params, demo data) and run each notebook unchanged."""
    import papermill as pm

    from cxtemplate.run.kernels import IPCKernelManager

    for part in ("notebooks", "data/demo"):
        shutil.copytree(root / part, tmp_path / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp_path / "params").mkdir()
    shutil.copy(root / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    flow = discover(tmp_path / "notebooks")
    assert [p.name for p in flow] == [p.name for p in discover(notebooks_dir())]
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
