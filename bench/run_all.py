"""``make bench``: the full engagement at scale, the ratios, and ``bench/RESULTS.md``.

For each size (``demo`` = ``params/demo.yaml``; ``10k``, ``100k``, ``1M`` = synthetic organisations made
by ``bench/orgs.py``: about five survey responses and two conversations per customer over three years,
as Parquet), the engagement is run exactly as a consultant runs it — ``cxtemplate run <params> --out
bench/out/runs/<size>`` in a subprocess — and measured by ``bench/measure.py``: wall time, CPU time and
the peak resident memory of the whole process tree (runner, worker, kernels), with the load of the
machine before and after. ``run.json`` gives the seconds of every notebook and of the rendering.
Then, on each run's own responses table, every group aggregation against DuckDB
(``bench_groupby.py``), and once the runner's overhead per notebook against papermill alone
(``bench_overhead.py``).

Results accumulate in ``bench/results/scale.json`` (a run of some sizes updates those sizes and keeps
the others, each with its date), and ``bench/RESULTS.md`` is written from it together with the
per-topic results (``bench/results/*.json`` and ``*.md``). ``--topics`` also re-runs the topic benches
of this work (Cox fit, churn sampling, comment sampling, integration stages); the earlier topic
benches (metrics, drivers, churn, sentiment) have their own scripts and their pages are included as
they are.

Run: ``python bench/run_all.py [--sizes demo,10k,100k,1M] [--topics] [--report-only]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
RESULTS = BENCH / "results"
SCALE = RESULTS / "scale.json"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

SIZES = ("demo", "10k", "100k", "1M")
TARGETS = {"1M_seconds": 300, "1M_peak_mib": 6 * 1024, "demo_seconds": 45, "ratio": 1.5}


def _rel(path) -> str:
    """A path relative to the project (results are committed: no path of this machine in them)."""
    p = Path(str(path))
    try:
        return p.resolve().relative_to(ROOT).as_posix() if p.is_absolute() else str(path)
    except ValueError:
        return p.name


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def params_for(size: str) -> tuple[Path, dict | None]:
    """The params file of a size (generating its organisation when needed) and the data's description."""
    if size == "demo":
        return ROOT / "params" / "demo.yaml", None
    import orgs

    n = orgs.parse_size(size)
    info = orgs.ensure_data(n, log=log)
    return orgs.write_params(n), info


def run_engagement(size: str) -> dict:
    """Run one engagement under measurement; return its record."""
    import glob

    from measure import busy_processes, run_measured

    params, data = params_for(size)
    out_dir = OUT / "runs" / size
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    busy = busy_processes()
    log(f"{size}: running the engagement (load {os.getloadavg()[0]:.1f}, {busy} other busy processes)")
    rec = run_measured([str(ROOT / ".venv" / "bin" / "cxtemplate"), "run", str(params), "--out", str(out_dir), "-q"],
                       cwd=ROOT, log_path=out_dir / "run.log")
    rec["command"] = [_rel(c) for c in rec.get("command", [])]  # no path of this machine in the results
    rec["other_busy_processes_before"] = busy
    rec["size"], rec["data"] = size, data
    rec["date"] = dt.datetime.now().isoformat(timespec="seconds")
    runs = sorted(glob.glob(str(out_dir / "*" / "2*" / "run.json")))
    if runs:
        r = json.loads(Path(runs[-1]).read_text())
        rec["run_dir"] = _rel(Path(runs[-1]).parent)
        rec["run"] = {"status": r["status"], "seconds": r["seconds"], "render_seconds": r.get("render_seconds"),
                      "rows": r.get("rows"), "error": (r.get("error") or {}).get("message"),
                      "notebooks": {n["name"]: n.get("seconds") for n in r["notebooks"]},
                      "notebook_status": {n["name"]: n.get("status") for n in r["notebooks"]},
                      "notebook_peak_rss_mib": {n["name"]: n.get("peak_rss_mib") for n in r["notebooks"]},
                      "scorecards": [s.get("seconds") for s in r.get("scorecards", [])],
                      "versions": r.get("versions")}
        rec["cells"] = slowest_cells(Path(runs[-1]).parent)
    log(f"{size}: {rec.get('run', {}).get('status')} in {rec['wall_seconds']:.0f} s, peak {rec['peak_tree_rss_mib']:.0f} MiB")
    return rec


def slowest_cells(run_dir: Path, top: int = 3) -> dict:
    """The slowest code cells of each executed notebook (papermill's per-cell durations)."""
    import nbformat

    out = {}
    for p in sorted((run_dir / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        cells = []
        for c in nb.cells:
            d = c.metadata.get("papermill", {}).get("duration")
            if c.cell_type == "code" and d is not None:
                lines = [ln for ln in c.source.splitlines() if ln.strip() and not ln.startswith("#")]
                # the cell's first statement that does something (imports say little about the time)
                first = next((ln for ln in lines if not ln.startswith(("import ", "from "))), lines[0] if lines else "")
                cells.append((round(float(d), 2), first[:60]))
        out[p.stem] = sorted(cells, reverse=True)[:top]
    return out


def load_scale() -> dict:
    return json.loads(SCALE.read_text()) if SCALE.is_file() else {"runs": {}, "groupby": {}}


def run_topics() -> None:
    """Re-run the topic benches of this work; each writes bench/results/<topic>.json."""
    py = sys.executable
    jobs = [("cox_tv", [py, str(BENCH / "bench_cox_tv.py"), "--json", str(RESULTS / "cox_tv.json")])]
    if (OUT / "orgs" / "1M" / "data" / "customers.parquet").is_file():
        jobs.append(("churn_scale", [py, str(BENCH / "bench_churn_scale.py"), "--json", str(RESULTS / "churn_scale.json")]))
    scale = load_scale()
    r100 = scale["runs"].get("100k", {}).get("run_dir")
    r100 = str(ROOT / r100) if r100 else None
    if r100 and Path(r100).is_dir():
        jobs.append(("comments", [py, str(BENCH / "bench_comments.py"), r100, "--json", str(RESULTS / "comments.json")]))
    for size in ("100k", "1M"):
        p = OUT / "orgs" / size / "params"
        pf = next(iter(sorted(p.glob("*.yaml"))), None) if p.is_dir() else None
        if pf:
            jobs.append((f"integrate_{size}", [py, str(BENCH / "bench_integrate.py"), str(pf),
                                               "--json", str(RESULTS / f"integrate_{size}.json")]))
    for name, cmd in jobs:
        log(f"topic bench {name}")
        subprocess.run(cmd, cwd=ROOT, check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: demo,10k,100k,1M")
    ap.add_argument("--topics", action="store_true", help="also re-run this work's topic benches")
    ap.add_argument("--report-only", action="store_true", help="only rewrite bench/RESULTS.md from the stored results")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from measure import machine

    RESULTS.mkdir(exist_ok=True)
    scale = load_scale()
    if not args.report_only:
        scale["machine"] = machine()
        sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
        for size in sizes:
            rec = run_engagement(size)
            scale["runs"][size] = rec
            SCALE.write_text(json.dumps(scale, indent=2, default=str) + "\n")
            if rec.get("run_dir"):
                run_dir = str(ROOT / rec["run_dir"])
                import bench_groupby

                log(f"{size}: group aggregations vs DuckDB")
                g = bench_groupby.measure(run_dir, str(params_for(size)[0]), repeats=args.repeats)
                g["date"] = rec["date"]
                scale["groupby"][size] = g
                SCALE.write_text(json.dumps(scale, indent=2, default=str) + "\n")
        import bench_overhead

        log("runner overhead vs papermill (8 empty notebooks)")
        ov = bench_overhead.measure(repeats=3)
        ov["theme"] = bench_overhead.theme_matches_seaborn()
        ov["date"] = dt.datetime.now().isoformat(timespec="seconds")
        scale["overhead"] = ov
        SCALE.write_text(json.dumps(scale, indent=2, default=str) + "\n")
        if args.topics:
            run_topics()
    import report_results

    text = report_results.render(load_scale(), RESULTS)
    (BENCH / "RESULTS.md").write_text(text)
    log(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
