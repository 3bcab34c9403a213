"""Running engagements: params → executed notebooks → rendered report, one process per organisation.

A run writes into ``<output_dir>/<org>/.partial-<run_id>/`` and is renamed to
``<output_dir>/<org>/<run_id>/`` when it ends. ``<org>/latest`` is switched (atomically) to a run
only when every notebook completed, so a failed or killed run never becomes ``latest``.
Papermill and nbconvert are imported once per organisation process and driven through their
Python APIs; kernels are shut down immediately (the graceful shutdown stalls ~3 s per kernel).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from cxtemplate.config.loader import load_config
from cxtemplate.config.schema import Config
from cxtemplate.errors import ConfigError, Problem

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
VERSIONED = ("cxtemplate", "pandas", "numpy", "scipy", "scikit-learn", "statsmodels", "lifelines", "seaborn",
             "matplotlib", "papermill", "nbconvert", "pandera", "pydantic", "duckdb", "pyarrow")


# --------------------------------------------------------------------------- discovery and provenance


def notebooks_dir() -> Path:
    """The template's notebooks folder (``$CXTEMPLATE_NOTEBOOKS`` overrides)."""
    env = os.environ.get("CXTEMPLATE_NOTEBOOKS")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2] / "notebooks"


def discover(nb_dir: Path) -> list[Path]:
    """The numbered notebooks of the flow, in execution order."""
    found = sorted(nb_dir.glob(NOTEBOOK_GLOB))
    if not found:
        raise FileNotFoundError(f"no notebooks matching {NOTEBOOK_GLOB} in {nb_dir}")
    return found


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def input_hashes(cfg: Config) -> dict[str, dict[str, str]]:
    """Hash every input (source files; SQL query texts, whose data cannot be hashed here)."""
    out: dict[str, dict[str, str]] = {}
    for table, src in cfg.sources.configured().items():
        if src.sql is not None:
            out[table] = {"source": f"sql via ${src.url_env}", "sha256": "sql:" + hashlib.sha256(src.sql.encode()).hexdigest()}
        else:
            out[table] = {"source": str(src.file), "sha256": sha256_file(cfg.resolve(src.file))}
    model = cfg.maturity.model
    if model.endswith((".yaml", ".yml")):
        out["maturity_model"] = {"source": model, "sha256": sha256_file(cfg.resolve(model))}
    return out


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in VERSIONED:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a short random suffix."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _write_run(run_dir: Path, record: dict) -> None:
    from cxtemplate.run.store import write_json

    write_json(run_dir / "run.json", record)


def _emit(events, **event: Any) -> None:
    if events is not None:
        events.put(event)


# --------------------------------------------------------------------------- resume


def _previous_attempt(org_dir: Path) -> tuple[Path, dict] | None:
    """The newest run folder of this organisation that did not complete (failed or killed)."""
    candidates = []
    for d in org_dir.iterdir() if org_dir.is_dir() else []:
        rj = d / "run.json"
        if d.is_dir() and not d.is_symlink() and rj.is_file():
            try:
                rec = json.loads(rj.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if rec.get("status") != "ok":
                candidates.append((rec.get("started_at", ""), d, rec))
    if not candidates:
        return None
    _, d, rec = max(candidates, key=lambda c: c[0])
    return d, rec


def _reusable(prev: dict, record: dict, names: list[str], deps: dict[str, set[str]]) -> list[str]:
    """Notebooks of a previous attempt that can be reused.

    Only when the params and every input are unchanged, and only notebooks that completed, whose
    own source is unchanged and whose prerequisites are reused too (a notebook is never reused on
    top of a rerun one).
    """
    if prev.get("params_sha256") != record["params_sha256"] or prev.get("inputs") != record["inputs"]:
        return []
    if any(v["sha256"].startswith("sql:") for v in record["inputs"].values()):
        return []  # data behind a query may have changed; never reuse
    done = {n["name"] for n in prev.get("notebooks", []) if n.get("status") == "ok"}
    sources = prev.get("notebook_sha256") or {}
    reuse: list[str] = []
    for name in names:
        if name in done and deps[name] <= set(reuse) and sources.get(name) == record["notebook_sha256"][name]:
            reuse.append(name)
    return reuse


# --------------------------------------------------------------------------- one organisation


def run_organisation(params_path: str, out_dir: str | None = None, resume: bool = False,
                     nb_dir: str | None = None, events=None, run_id: str | None = None,
                     notebook_jobs: int | None = None) -> dict:
    """Execute the whole flow for one organisation and render its report.

    Parameters
    ----------
    params_path : str
        The organisation's params file.
    out_dir : str, optional
        Overrides ``reporting.output_dir``.
    resume : bool
        Continue the newest incomplete run, reusing notebooks that completed with the same inputs.
    nb_dir : str, optional
        The template notebooks folder (default :func:`notebooks_dir`).
    events : queue, optional
        Receives progress events (dicts) for the parent's progress display.
    run_id : str, optional
        Fixes the run id (tests); a new one is generated by default.
    notebook_jobs : int, optional
        Notebooks of this organisation run at once when their prerequisites allow (default: the
        number of CPUs, at most 2).

    Returns
    -------
    dict
        The run record (also written to ``run.json``), plus ``run_dir``.
    """
    t0 = time.perf_counter()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    # Same inputs, same numbers, whatever --jobs and the core count: a multi-threaded BLAS splits
    # its sums by thread count (the Cox fit then differs in the last digits), so every kernel uses
    # one BLAS thread. Parallelism comes from running notebooks and organisations side by side.
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")
    cfg = load_config(params_path)
    base = Path(out_dir).resolve() if out_dir else cfg.output_dir
    org_dir = base / cfg.org_id
    org_dir.mkdir(parents=True, exist_ok=True)
    nbs = discover(Path(nb_dir) if nb_dir else notebooks_dir())
    names = [p.stem for p in nbs]
    notebook_jobs = notebook_jobs or min(2, os.cpu_count() or 1)
    run_id = run_id or new_run_id()
    tmp = org_dir / f".partial-{run_id}"
    org = cfg.organisation
    record: dict[str, Any] = {
        "run_id": run_id, "status": "running",
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "organisation": {"id": org.id, "name": org.name, "currency": org.currency,
                         "period": f"{org.start or 'all'} to {org.as_of}", "as_of": str(org.as_of)},
        "params_file": cfg.params_path.name, "params_sha256": sha256_file(cfg.params_path),
        "inputs": input_hashes(cfg), "notebook_sha256": {p.stem: sha256_file(p) for p in nbs}, "versions": versions(),
        "host": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "notebooks": [{"name": n, "status": "pending"} for n in names],
        "notebook_jobs": notebook_jobs,
    }
    from cxtemplate.report.render import notebook_info
    from cxtemplate.run.graph import Task, dependencies, run_graph

    deps = dependencies(names, {p.stem: notebook_info(p).get("after") for p in nbs})
    reuse: list[str] = []
    if resume and (prev := _previous_attempt(org_dir)) is not None:
        prev_dir, prev_rec = prev
        reuse = _reusable(prev_rec, record, names, deps)
        record["resumed_from"] = prev_rec.get("run_id")
        if reuse:
            shutil.copytree(prev_dir, tmp, symlinks=True)
            for name in [n for n in names if n not in reuse]:
                shutil.rmtree(tmp / "artifacts" / name, ignore_errors=True)
                (tmp / "notebooks" / f"{name}.ipynb").unlink(missing_ok=True)
            shutil.rmtree(tmp / "pages", ignore_errors=True)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "notebooks").mkdir(exist_ok=True)
    _write_run(tmp, record)
    _emit(events, kind="start", org=org.id, total=len(names))

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from cxtemplate.run.kernels import IPCKernelManager

    entries = {e["name"]: e for e in record["notebooks"]}
    counter = {"n": 0}
    # run.json is rewritten as each notebook ends, so a killed run shows what completed (for --resume)
    lock = threading.Lock()

    def execute(src: Path, dst: Path, entry: dict, parameters: dict, label: str) -> dict | None:
        """Run one notebook; record its status and time; return a failure record or None."""
        started = time.perf_counter()
        dst.parent.mkdir(parents=True, exist_ok=True)
        failure = None
        try:
            pm.execute_notebook(
                str(src), str(dst), parameters={"params_path": str(cfg.params_path), "run_dir": str(tmp), **parameters},
                kernel_name="python3", cwd=str(src.parent), progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, execution_timeout=cfg.reporting.cell_timeout_seconds,
                shutdown_kernel="immediate", kernel_manager_class=IPCKernelManager)
        except PapermillExecutionError as exc:
            cell, line, text = _source_cell(dst, exc.cell_index)
            where = f"cell {cell}" + (f", line {line}" if line else "")
            failure = {"notebook": label, "cell": cell, "line": line, "execution_count": exc.exec_count,
                       "ename": exc.ename, "evalue": _short(exc.evalue),
                       "message": f"{org.id}: {label} failed in {where} ({text!r}): "
                                  f"{exc.ename}: {_short(exc.evalue)}"}
        except Exception as exc:  # noqa: BLE001 - kernel death, timeouts: reported, never hidden
            failure = {"notebook": label, "cell": None, "ename": type(exc).__name__, "evalue": _short(str(exc)),
                       "message": f"{org.id}: {label} failed: {type(exc).__name__}: {_short(str(exc))}"}
        with lock:
            entry.update(status="failed" if failure else "ok", seconds=round(time.perf_counter() - started, 3))
            used = tmp / "resources" / f"{label}.json"
            if not failure and used.is_file():  # written by the notebook's run.done()
                entry["peak_rss_mib"] = json.loads(used.read_text()).get("peak_rss_mib")
            _write_run(tmp, record)
        counter["n"] += 1
        _emit(events, kind="notebook", org=org.id, notebook=label, status=entry["status"],
              seconds=entry["seconds"], i=counter["n"])
        return failure

    tasks = [Task(p.stem, (lambda p=p: execute(p, tmp / "notebooks" / f"{p.stem}.ipynb", entries[p.stem], {}, p.stem)),
                  deps[p.stem]) for p in nbs]
    tasks += _scorecard_tasks(cfg, nbs[0].parent, tmp, record, execute, set(names))
    for name in reuse:
        entries[name].update(status="ok", seconds=0.0, reused=True)
        _emit(events, kind="notebook", org=org.id, notebook=name, status="reused", seconds=0.0, i=0)
    _write_run(tmp, record)
    status, failed = run_graph(tasks, workers=notebook_jobs, done=set(reuse))
    for name, st in status.items():
        if st == "not run" and name in entries:
            entries[name]["status"] = "not run"
    _write_run(tmp, record)

    record["status"] = "failed" if failed else "ok"
    if failed:
        record["error"] = failed
    render_started = time.perf_counter()
    _render(tmp, record, nbs, cfg)
    record["render_seconds"] = round(time.perf_counter() - render_started, 3)
    record["rows"] = _rows(tmp)
    record["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    record["seconds"] = round(time.perf_counter() - t0, 3)
    _write_run(tmp, record)
    final = org_dir / run_id
    os.replace(tmp, final)
    if not failed:
        point_latest(org_dir, run_id)
    _emit(events, kind="done", org=org.id, status=record["status"], seconds=record["seconds"])
    return {**record, "run_dir": str(final)}


def _source_cell(executed: Path, index: int) -> tuple[int, int | None, str]:
    """The failing cell's 1-based number as the template notebook shows it, the number of the line
    that raised in it (``None`` when the traceback does not say) and that line's text (else the
    cell's first line).

    The executed copy holds two kinds of cell the template does not: papermill's injected
    parameters and, on failure, its error banner; both are left out of the count.
    """
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:  # noqa: BLE001 - the message still names the executed index
        return index + 1, None, ""
    added = {"injected-parameters", "papermill-error-cell-tag"}
    position = 0
    for cell in nb.cells:
        if added & set(cell.metadata.get("tags", [])):
            continue
        position += 1
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            lines = cell.source.splitlines()
            # the cell's own frame in the traceback ("Cell In[7], line 12") names the line that raised
            trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(errors[0].get("traceback", [])))
            hit = re.search(r"Cell In\[\d*\], line (\d+)", trace)
            if hit and 0 < int(hit.group(1)) <= len(lines):
                return position, int(hit.group(1)), lines[int(hit.group(1)) - 1].strip()[:80]
            first = next((ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")), "")
            return position, None, first[:80]
    return index + 1, None, ""


def _scorecard_levels(run_dir: Path, by: str) -> list[str]:
    """Levels of the scorecard column present in the responses (sorted)."""
    path = run_dir / "tables" / "responses.parquet"
    if not path.is_file():
        return []
    import pyarrow.parquet as pq

    if by not in pq.read_schema(path).names:
        return []
    col = pq.read_table(path, columns=[by]).column(by).to_pandas()
    return sorted(str(v) for v in col.dropna().unique())


def _scorecard_tasks(cfg: Config, nb_dir: Path, run_dir: Path, record: dict, execute, after: set[str]) -> list:
    """One task per level of ``reporting.manager_scorecards_by``, each after the whole flow.

    The levels are read when the task list is built, i.e. after integration has written the
    responses table only when resuming; otherwise a single planning task expands them later.
    """
    from cxtemplate.config.schema import slug
    from cxtemplate.run.graph import Task

    by = cfg.reporting.manager_scorecards_by
    template = nb_dir / "scorecards" / "manager_scorecard.ipynb"
    record["scorecards"] = []
    if not by or not template.is_file() or "manager" not in cfg.reporting.roles:
        return []
    from cxtemplate.report.render import notebook_info

    needs = set(notebook_info(template).get("after") or [])
    if not needs <= after:
        return []  # a partial flow (e.g. while adapting the template) lacks what scorecards read

    def run_all() -> dict | None:
        from concurrent.futures import ThreadPoolExecutor

        levels = _scorecard_levels(run_dir, by)
        entries = [{"level": lv, "by": by, "notebook": f"notebooks/scorecards/{slug(lv)}.ipynb"} for lv in levels]
        record["scorecards"] = entries
        with ThreadPoolExecutor(max_workers=max(1, record.get("notebook_jobs", 1))) as pool:
            failures = list(pool.map(lambda e: execute(template, run_dir / e["notebook"], e, {"by": by, "level": e["level"]},
                                                       f"scorecard {e['level']}"), entries))
        return next((f for f in failures if f), None)

    return [Task("scorecards", run_all, set(after))]


def _short(text: str, limit: int = 600) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rows(run_dir: Path) -> dict | None:
    q = run_dir / "artifacts" / "00_data_integration" / "quality.json"
    if not q.is_file():
        return None
    return json.loads(q.read_text(encoding="utf-8")).get("rows")


def point_latest(org_dir: Path, run_id: str) -> None:
    """Atomically point ``<org>/latest`` at a completed run (a relative symlink)."""
    link = org_dir / "latest"
    tmp_link = org_dir / f".latest-{uuid.uuid4().hex[:8]}"
    os.symlink(run_id, tmp_link, target_is_directory=True)
    os.replace(tmp_link, link)


def _render(run_dir: Path, record: dict, nbs: list[Path], cfg: Config) -> None:
    """Render every executed notebook to pages/ and write index.html."""
    from cxtemplate.report.render import PageContext, notebook_info, render_index, render_page

    org = cfg.organisation
    pages = []
    for src, entry in zip(nbs, record["notebooks"]):
        info = notebook_info(src)
        executed = run_dir / "notebooks" / f"{src.stem}.ipynb"
        href = f"pages/{src.stem}.html"
        if entry["status"] in ("ok", "failed") and executed.is_file():
            ctx = PageContext(org_name=org.name, period=record["organisation"]["period"],
                              run_date=record["started_at"][:10], status=entry["status"],
                              footer=f"{info['title']} · {org.name} · run {record['run_id']} · cxtemplate {record['versions']['cxtemplate']}")
            render_page(executed, run_dir / href, ctx, include_code=entry["status"] == "failed", title=info["title"])
            entry["html"] = href
            pages.append({**info, "href": href, "status": entry["status"]})
        else:
            pages.append({**info, "href": href, "status": "not run"})
    for sc in record.get("scorecards", []):
        executed = run_dir / sc["notebook"]
        if not executed.is_file():
            continue
        href = f"pages/scorecards/{executed.stem}.html"
        title = f"Scorecard: {sc['level']}"
        ctx = PageContext(org_name=org.name, period=record["organisation"]["period"], run_date=record["started_at"][:10],
                          status=sc.get("status", "ok"), index_href="../../index.html",
                          footer=f"{title} · {org.name} · run {record['run_id']}")
        render_page(executed, run_dir / href, ctx, include_code=sc.get("status") == "failed", title=title)
        sc["html"] = href
        pages.append({"title": title, "role": "manager", "href": href, "status": sc.get("status", "ok"),
                      "summary": f"{sc['by'].replace('_', ' ').capitalize()} {sc['level']} against the rest."})
    headline = None
    h = run_dir / "artifacts" / "07_executive_summary" / "headline.json"
    if h.is_file():
        headline = json.loads(h.read_text(encoding="utf-8"))
    render_index(run_dir, record, headline, pages)


# --------------------------------------------------------------------------- many organisations


def validate_all(params: list[str]) -> list[Config]:
    """Load every params file; raise one :class:`ConfigError` listing all problems of all files."""
    problems: list[Problem] = []
    cfgs: list[Config] = []
    for p in params:
        try:
            cfgs.append(load_config(p))
        except ConfigError as exc:
            problems.extend(exc.problems)
    ids: dict[str, str] = {}
    for c in cfgs:
        if c.org_id in ids:
            problems.append(Problem(str(c.params_path), "organisation.id",
                                    f"'{c.org_id}' is also the id in {ids[c.org_id]}; runs would share a folder"))
        ids[c.org_id] = str(c.params_path)
    if problems:
        raise ConfigError(problems)
    return cfgs


def run_many(params: list[str], jobs: int = 1, out_dir: str | None = None, resume: bool = False,
             nb_dir: str | None = None, progress: bool = True, scheduler: str | None = None) -> list[dict]:
    """Run several organisations, each in its own process, ``jobs`` at a time.

    A failure in one organisation never stops the others. Returns one summary dict per
    organisation (``org``, ``status``, ``seconds``, ``run_dir``, ``error``) in input order.
    """
    cfgs = validate_all(params)
    if scheduler:
        from cxtemplate.run.distributed import run_on_cluster

        return run_on_cluster(params, scheduler, out_dir=out_dir, resume=resume, nb_dir=nb_dir, progress=progress)
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("spawn")
    manager = ctx.Manager()
    events = manager.Queue()
    from cxtemplate.run.progress import ProgressDisplay

    display = ProgressDisplay([c.org_id for c in cfgs], enabled=progress)
    display.start(events)
    results: list[dict] = []
    try:
        with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx, max_tasks_per_child=1) as pool:
            futures = [pool.submit(run_organisation, str(c.params_path), out_dir, resume, nb_dir, events)
                       for c in cfgs]
            for c, fut in zip(cfgs, futures):
                try:
                    rec = fut.result()
                    results.append({"org": c.org_id, "status": rec["status"], "seconds": rec["seconds"],
                                    "run_dir": rec["run_dir"], "error": rec.get("error")})
                except Exception as exc:  # noqa: BLE001 - a crashed worker is reported, others go on
                    results.append({"org": c.org_id, "status": "crashed", "seconds": None, "run_dir": None,
                                    "error": {"message": f"{c.org_id}: the run crashed: {type(exc).__name__}: {exc}"}})
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the `cxtemplate run` command")
