"""The runner's overhead per notebook against papermill alone, on empty notebooks.

Two ways of executing the same 8 empty notebooks (a ``parameters`` cell and one trivial cell each),
one after the other, each in a fresh Python process with papermill imported before the clock starts:

* **papermill**: 8 plain ``papermill.execute_notebook`` calls (``shutdown_kernel="immediate"``, as the
  DESIGN note measured: ~0.83 s per empty notebook);
* **runner**: ``cxtemplate.run.runner.run_organisation`` on a folder holding only those 8 notebooks
  (``nb_dir``), with the demo params: the whole run — config, input hashes, the notebooks as a
  dependency chain (each waits for the previous one, so both ways run one kernel at a time), the
  rendered pages and index, ``run.json``. Reported with and without the rendering.

The two alternate (papermill, runner, papermill, …) so that both see the same machine load; the
medians are reported. Run: ``python bench/bench_overhead.py [--repeats 3] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_NOTEBOOKS = 8

PAPERMILL = textwrap.dedent("""
    import json, sys, time
    import papermill as pm
    nb_dir, out_dir = sys.argv[1], sys.argv[2]
    from pathlib import Path
    nbs = sorted(Path(nb_dir).glob("[0-9][0-9]_*.ipynb"))
    t0 = time.perf_counter()
    for p in nbs:
        pm.execute_notebook(str(p), str(Path(out_dir) / p.name), parameters={"params_path": "x", "run_dir": "y"},
                            kernel_name="python3", progress_bar=False, log_output=False,
                            request_save_on_cell_execute=False, shutdown_kernel="immediate")
    print(json.dumps({"seconds": time.perf_counter() - t0, "notebooks": len(nbs)}))
""")

RUNNER = textwrap.dedent("""
    import json, sys, time
    import papermill, nbconvert  # imported before the clock, as for the papermill way
    from cxtemplate.run.runner import run_organisation
    params, nb_dir, out_dir, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    t0 = time.perf_counter()
    rec = run_organisation(params, out_dir=out_dir, nb_dir=nb_dir, notebook_jobs=jobs)
    wall = time.perf_counter() - t0
    print(json.dumps({"seconds": wall, "render_seconds": rec["render_seconds"], "status": rec["status"],
                      "notebook_seconds": [n.get("seconds") for n in rec["notebooks"]],
                      "notebooks": len(rec["notebooks"])}))
""")


def make_notebooks(folder: Path, independent: bool = False) -> None:
    """8 empty notebooks: a parameters cell and one trivial cell (optionally all independent)."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(N_NOTEBOOKS):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("params_path = None\nrun_dir = None", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("x = 1")]
        meta = {"title": f"Empty {i}", "role": "analyst", "summary": "empty"}
        if independent:
            meta["after"] = []
        nb.metadata["cxtemplate"] = meta
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / f"{i:02d}_empty.ipynb")


def _run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(repeats: int = 3) -> dict:
    """Median seconds for 8 empty notebooks: plain papermill vs the runner (chain, and two at a time)."""
    import os

    work = Path(tempfile.mkdtemp(prefix="cx-overhead-", dir=ROOT / "bench" / "out"))
    chain, indep = work / "chain", work / "independent"
    make_notebooks(chain)
    make_notebooks(indep, independent=True)
    params = str(ROOT / "params" / "demo.yaml")
    pm, rn, rn2 = [], [], []
    for r in range(repeats):
        (work / f"pm{r}").mkdir()
        pm.append(_run(PAPERMILL, str(chain), str(work / f"pm{r}")))
        rn.append(_run(RUNNER, params, str(chain), str(work / f"runner{r}"), "1"))
        rn2.append(_run(RUNNER, params, str(indep), str(work / f"runner2_{r}"), "2"))
    med = lambda xs: statistics.median(xs)  # noqa: E731
    p = med([x["seconds"] for x in pm])
    r_total = med([x["seconds"] for x in rn])
    r_exec = med([x["seconds"] - x["render_seconds"] for x in rn])
    r_render = med([x["render_seconds"] for x in rn])
    r2_total = med([x["seconds"] for x in rn2])
    return {"notebooks": N_NOTEBOOKS, "repeats": repeats, "load": list(os.getloadavg()),
            "papermill_seconds": p, "papermill_per_notebook": p / N_NOTEBOOKS,
            "runner_seconds": r_total, "runner_per_notebook": r_total / N_NOTEBOOKS,
            "runner_exec_seconds": r_exec, "runner_exec_per_notebook": r_exec / N_NOTEBOOKS,
            "runner_render_seconds": r_render,
            "runner_two_at_a_time_seconds": r2_total,
            "ratio_total": r_total / p, "ratio_exec": r_exec / p,
            "all": {"papermill": pm, "runner": rn, "runner_two_at_a_time": rn2}}


def theme_matches_seaborn() -> dict:
    """Does ``theme.apply_theme`` (no seaborn) give the rcParams seaborn's ``set_theme`` gives?

    Run in a fresh process: returns the differing keys (``image.cmap`` is expected: seaborn's
    "rocket" colormap exists only once seaborn is imported, and no report chart relies on it).
    """
    code = textwrap.dedent("""
        import json
        import matplotlib as mpl
        mpl.use("Agg")
        from cxtemplate.report.theme import apply_theme, seaborn_theme_rc
        apply_theme()
        ours = {k: repr(v) for k, v in mpl.rcParams.items()}
        theirs = {k: repr(v) for k, v in seaborn_theme_rc().items()}
        mpl.rcParams.update({"figure.figsize": (8.0, 4.2), "figure.dpi": 110})
        keys = {"figure.figsize", "figure.dpi", "savefig.dpi", "savefig.bbox", "axes.titlesize", "axes.titleweight",
                "axes.titlelocation", "axes.spines.top", "axes.spines.right", "legend.frameon",
                "figure.constrained_layout.use"}
        diff = sorted(k for k in set(ours) | set(theirs) if k not in keys and ours.get(k) != theirs.get(k))
        print(json.dumps(diff))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    diff = json.loads(out.stdout.strip().splitlines()[-1])
    return {"differing_keys": diff, "ok": set(diff) <= {"image.cmap"}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    res = measure(args.repeats)
    res["theme"] = theme_matches_seaborn()
    text = json.dumps(res, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
