"""Running several organisations at once: each in its own process, or on a dask.distributed cluster.

``cxtemplate run a.yaml b.yaml --jobs 2`` lands here: every params file is validated first (one
message lists every problem of every file), then the organisations run side by side and a failure in
one never stops the others.
"""

from __future__ import annotations

from pathlib import Path

from cxtemplate.errors import mask_credentials
from cxtemplate.run.provenance import check_notebooks, notebooks_dir
from cxtemplate.run.runner import die_with_parent, run_organisation, validate_all


def run_many(params: list[str], jobs: int = 1, out_dir: str | None = None, resume: bool = False,
             nb_dir: str | None = None, progress: bool = True, scheduler: str | None = None) -> list[dict]:
    """Run several organisations, each in its own process, ``jobs`` at a time.

    A failure in one organisation never stops the others. Returns one summary dict per
    organisation (``org``, ``status``, ``seconds``, ``run_dir``, ``error``) in input order.

    Raises
    ------
    ConfigError
        Before anything runs, listing every problem of every params file and of the notebooks' metadata.
    """
    cfgs = validate_all(params, out_dir)
    check_notebooks(Path(nb_dir) if nb_dir else notebooks_dir())
    if scheduler:
        from cxtemplate.run.distributed import run_on_cluster

        return run_on_cluster(params, scheduler, out_dir=out_dir, resume=resume, nb_dir=nb_dir, progress=progress)
    import multiprocessing as mp
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.managers import SyncManager

    ctx = mp.get_context("spawn")
    # every process started here ends with this one: killed, it leaves no worker to finish the run later
    caller = (os.getpid(),)
    manager = SyncManager(ctx=ctx)
    manager.start(initializer=die_with_parent, initargs=caller)
    events = manager.Queue()
    from cxtemplate.run.progress import ProgressDisplay

    display = ProgressDisplay([c.org_id for c in cfgs], enabled=progress)
    display.start(events)
    results: list[dict] = []
    try:
        with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx, max_tasks_per_child=1,
                                 initializer=die_with_parent, initargs=caller) as pool:
            futures = [pool.submit(run_organisation, str(c.params_path), out_dir, resume, nb_dir, events)
                       for c in cfgs]
            for c, fut in zip(cfgs, futures):
                try:
                    rec = fut.result()
                    results.append({"org": c.org_id, "status": rec["status"], "seconds": rec["seconds"],
                                    "run_dir": rec["run_dir"], "error": rec.get("error")})
                except Exception as exc:  # noqa: BLE001 - a crashed worker is reported, others go on
                    results.append({"org": c.org_id, "status": "crashed", "seconds": None, "run_dir": None,
                                    "error": {"message": mask_credentials(
                                        f"{c.org_id}: the run crashed: {type(exc).__name__}: {exc}")}})
    finally:
        display.stop(events)
        manager.shutdown()
    return results


def summary_lines(results: list[dict]) -> list[str]:
    """A human-readable summary: one line per organisation with status, time and report path."""
    lines = []
    for r in results:
        secs = f"{r['seconds']:.1f}s" if r.get("seconds") is not None else "–"
        where = Path(r["run_dir"]) / "index.html" if r.get("run_dir") else ""
        lines.append(f"{r['org']:<20} {r['status']:<8} {secs:>8}  {where}")
        if r.get("error"):
            lines.append(f"    {r['error']['message']}")
    return lines
