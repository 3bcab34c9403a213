"""Running engagements: params → executed notebooks → rendered report, one process per organisation.

A run writes into ``<output_dir>/<org>/.partial-<run_id>/`` and is renamed to
``<output_dir>/<org>/<run_id>/`` when it ends. ``<org>/latest`` is switched (atomically) to a run
only when every notebook completed, so a failed or killed run never becomes ``latest``.
Papermill and nbconvert are imported once per organisation process and driven through their
Python APIs; kernels are shut down immediately (the graceful shutdown stalls ~3 s per kernel).
"""

from __future__ import annotations

import datetime as dt
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
from cxtemplate.errors import ConfigError, Problem, mask_credentials
from cxtemplate.run.provenance import (
    check_notebooks,
    input_hashes,
    new_run_id,
    notebooks_dir,
    package_sha256,
    sha256_file,
    versions,
)
from cxtemplate.run.store import restricted_folder

BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _write_run(run_dir: Path, record: dict) -> None:
    """Write ``run.json``; when the disk is full, overwrite the existing file in place (it needs no new space).

    The atomic write (a temporary file, then a rename) needs room for a second copy; on a full disk the
    record is written compactly over the one already there, so a failed run still says it failed.
    """
    from cxtemplate.data.files import to_jsonable, write_json

    path = run_dir / "run.json"
    try:
        write_json(path, record)
    except OSError:
        path.with_suffix(".json.tmp").unlink(missing_ok=True)
        if not path.is_file():
            raise
        text = json.dumps(to_jsonable(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        with open(path, "r+", encoding="utf-8") as fh:
            fh.write(text)
            fh.truncate()


def describe_os_error(exc: OSError, path: Path | str | None = None) -> str:
    """An OS error as a sentence naming the file, e.g. ``disk full while writing /r/pages/04.html``.

    Errors raised by ``write()`` carry no file name (only ``open()`` sets one), so the path being
    written is given by the caller.
    """
    import errno

    if isinstance(exc, WriteFailed):
        return exc.strerror
    where = exc.filename or path
    what = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
            errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied"}.get(exc.errno)
    head = f"{what} while writing {where}" if what and where else (f"cannot write {where}" if where else "")
    detail = exc.strerror or str(exc)
    return f"{head} ({detail})" if head else f"{type(exc).__name__}: {detail}"


class WriteFailed(OSError):
    """Writing a file of the report failed (disk full, quota, permissions); the message names the file."""


# --------------------------------------------------------------------------- the caller must be alive

_CALLER_PID: int | None = None
PR_SET_PDEATHSIG = 1


def die_with_parent(caller_pid: int, poll_seconds: float = 1.0) -> None:
    """Make this worker process end when the process that started it ends.

    Runs as the initializer of the worker processes (``cxtemplate run`` starts one per organisation).
    On Linux the kernel sends SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)``); everywhere, a
    watchdog thread checks the parent every ``poll_seconds`` and ends the worker when it has changed. The
    worker's Jupyter kernels poll their parent (the worker) in the same way and end with it.

    Parameters
    ----------
    caller_pid : int
        The pid of the process that started this one (the ``cxtemplate`` command).
    poll_seconds : float
        How often the watchdog looks.
    """
    import signal

    global _CALLER_PID
    _CALLER_PID = caller_pid
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog alone
            pass
    if os.getppid() != caller_pid:  # the caller died before the death signal was armed
        os._exit(143)

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != caller_pid:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
                os._exit(143)

    threading.Thread(target=watch, name="cxtemplate-watchdog", daemon=True).start()


def caller_alive() -> bool:
    """Whether the process that started this worker still runs (always true outside a worker)."""
    return _CALLER_PID is None or os.getppid() == _CALLER_PID


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

    Only when the params, every input, the package's own code and the versions of the packages that
    shape the numbers are unchanged, and only notebooks that completed, whose own source is unchanged
    and whose prerequisites are reused too (a notebook is never reused on top of a rerun one).
    """
    same = ("params_sha256", "inputs", "code_sha256", "versions")
    if any(prev.get(key) != record[key] for key in same):
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
    nbs = check_notebooks(Path(nb_dir) if nb_dir else notebooks_dir())
    names = [p.stem for p in nbs]
    notebook_jobs = notebook_jobs or min(2, os.cpu_count() or 1)
    run_id = run_id or new_run_id()
    tmp = org_dir / f".partial-{run_id}"
    org = cfg.organisation
    record: dict[str, Any] = {
        "run_id": run_id, "status": "running",
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "organisation": {"id": org.id, "name": org.name, "currency": org.currency,
                         "period": _declared_period(org), "as_of": None if org.as_of is None else str(org.as_of)},
        "params_file": cfg.params_path.name, "params_sha256": sha256_file(cfg.params_path),
        "inputs": input_hashes(cfg), "notebook_sha256": {p.stem: sha256_file(p) for p in nbs},
        "code_sha256": package_sha256(), "versions": versions(),
        "host": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "notebooks": [{"name": n, "status": "pending"} for n in names],
        "notebook_jobs": notebook_jobs,
    }
    from cxtemplate.report.render import notebook_info
    from cxtemplate.run.graph import dependencies

    deps = dependencies(names, {p.stem: notebook_info(p).get("after") for p in nbs})
    reuse: list[str] = []
    if resume and (prev := _previous_attempt(org_dir)) is not None:
        prev_dir, prev_rec = prev
        reuse = _reusable(prev_rec, record, names, deps)
        record["resumed_from"] = prev_rec.get("run_id")
        if reuse:
            shutil.copytree(prev_dir, tmp, symlinks=True)
            if restricted_folder(prev_dir).is_dir():  # the contacts live beside the run, not in it
                shutil.copytree(restricted_folder(prev_dir), restricted_folder(tmp), symlinks=True, dirs_exist_ok=True)
            for name in [n for n in names if n not in reuse]:
                shutil.rmtree(tmp / "artifacts" / name, ignore_errors=True)
                (tmp / "notebooks" / f"{name}.ipynb").unlink(missing_ok=True)
            shutil.rmtree(tmp / "pages", ignore_errors=True)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "notebooks").mkdir(exist_ok=True)
    _write_run(tmp, record)
    _emit(events, kind="start", org=org.id, total=len(names))
    try:
        return _execute_and_finish(cfg, record, tmp, org_dir, nbs, names, deps, reuse, notebook_jobs, events, t0)
    except OSError as exc:  # disk full or unwritable, outside any notebook: the run fails, saying where
        return _fail_on_write(exc, cfg, record, tmp, org_dir, events, t0)


def _fail_on_write(exc: OSError, cfg: Config, record: dict, tmp: Path, org_dir: Path, events, t0: float) -> dict:
    """Mark a run failed after a file could not be written, keeping its partial folder; never move ``latest``."""
    org = cfg.organisation
    final = org_dir / record["run_id"]
    # the run folder is renamed into place below: the message names the file where it will be
    message = f"{org.id}: the run stopped: {describe_os_error(exc)}".replace(str(tmp), str(final))
    record.update(status="failed", error={"notebook": None, "cell": None, "ename": type(exc).__name__,
                                          "evalue": message.split(": ", 2)[-1], "message": message})
    record["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    record["seconds"] = round(time.perf_counter() - t0, 3)
    try:
        _write_run(tmp, record)
        os.replace(tmp, final)
    except OSError:
        final = tmp
    _emit(events, kind="done", org=org.id, status="failed", seconds=record["seconds"])
    return {**record, "run_dir": str(final)}


def _execute_and_finish(cfg: Config, record: dict, tmp: Path, org_dir: Path, nbs: list[Path], names: list[str],
                        deps: dict, reuse: list[str], notebook_jobs: int, events, t0: float) -> dict:
    """Run the notebooks of a prepared run folder, render the report, and move the folder into place."""
    from cxtemplate.run.graph import Task, run_graph

    org = cfg.organisation
    run_id = record["run_id"]

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
        except OSError as exc:  # the executed notebook could not be written (disk full): name the file
            failure = {"notebook": label, "cell": None, "ename": type(exc).__name__, "evalue": _short(str(exc)),
                       "message": f"{org.id}: {label} failed: {describe_os_error(exc, dst)}"}
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
    if not failed and not caller_alive():
        # the command that asked for this run has gone (killed): its user saw it die, so nothing moves
        failed = {"notebook": None, "cell": None, "ename": "CallerGone", "evalue": "",
                  "message": f"{org.id}: the command that started this run ended before it completed; the run is "
                             "kept but not made latest"}
        record.update(status="failed", error=failed)
    record["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    record["seconds"] = round(time.perf_counter() - t0, 3)
    _write_run(tmp, record)
    final = org_dir / run_id
    os.replace(tmp, final)
    if not failed and caller_alive():
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
    from cxtemplate.config.schema import unique_slugs
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
        stems = unique_slugs(levels)  # "St. Albans" and "St Albans" each get a page of their own
        entries = [{"level": lv, "by": by, "notebook": f"notebooks/scorecards/{stems[lv]}.ipynb"} for lv in levels]
        record["scorecards"] = entries
        with ThreadPoolExecutor(max_workers=max(1, record.get("notebook_jobs", 1))) as pool:
            failures = list(pool.map(lambda e: execute(template, run_dir / e["notebook"], e, {"by": by, "level": e["level"]},
                                                       f"scorecard {e['level']}"), entries))
        return next((f for f in failures if f), None)

    return [Task("scorecards", run_all, set(after))]


def _short(text: str, limit: int = 600) -> str:
    """A message for run.json and the console: one line, credentials masked, at most ``limit`` characters."""
    text = mask_credentials(" ".join(str(text).split()))
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


def _whole_file(write, path: Path) -> None:
    """Call ``write(target)`` on a temporary name beside ``path``, then rename it into place.

    A write that fails part-way (the disk fills up) leaves no truncated page behind: the partial
    file is removed and :class:`WriteFailed` names the file.
    """
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise WriteFailed(exc.errno, describe_os_error(exc, path), str(path)) from exc


def _declared_period(org) -> str:
    """The period the params declare (``start`` to ``as_of``), until notebook 00 has read the data's own."""
    from cxtemplate.report.render import NO_CALENDAR_DATES

    as_of = getattr(org, "as_of", None)
    return NO_CALENDAR_DATES if as_of is None else f"{org.start or 'all'} to {as_of}"


def _data_period(run_dir: Path, cfg: Config, declared: str) -> str:
    """The period every page's header shows: from the data notebook 00 read (the first and the latest date in any
    table, or "tenure-based data, no calendar dates"); ``declared`` (from the params) when 00 saved no quality record."""
    from cxtemplate.data.quality import data_period

    path = run_dir / "artifacts" / "00_data_integration" / "quality.json"
    if not path.is_file():
        return declared
    return data_period(json.loads(path.read_text(encoding="utf-8")), cfg.organisation.start)


def _render(run_dir: Path, record: dict, nbs: list[Path], cfg: Config) -> None:
    """Render every executed notebook to pages/ and write index.html (each page whole or not at all)."""
    from cxtemplate.report import render as rendering
    from cxtemplate.report.render import PageContext, notebook_info

    def render_page(executed: Path, out: Path, ctx, **kw) -> None:
        _whole_file(lambda target: rendering.render_page(executed, target, ctx, **kw), out)

    org = cfg.organisation
    record["organisation"]["period"] = _data_period(run_dir, cfg, record["organisation"]["period"])
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
    try:
        rendering.render_index(run_dir, record, headline, pages)
    except OSError as exc:  # render_index writes index.html itself: a part-written one is removed
        (run_dir / "index.html").unlink(missing_ok=True)
        raise WriteFailed(exc.errno, describe_os_error(exc, run_dir / "index.html"), str(run_dir / "index.html")) from exc


# --------------------------------------------------------------------------- many organisations


def org_folder(cfg: Config, out_dir: str | os.PathLike | None = None) -> Path:
    """The folder holding an organisation's runs: ``<output_dir>/<org id>`` (``out_dir`` overrides the params)."""
    return (Path(out_dir).resolve() if out_dir else cfg.output_dir) / cfg.org_id


def _is_org_folder(folder: Path) -> bool:
    """Whether a folder holds an organisation's runs: a ``latest`` link to a run folder with its ``run.json``."""
    link = folder / "latest"
    return link.is_symlink() and (link / "run.json").is_file()


def nesting_problems(cfgs: list[Config], out_dir: str | os.PathLike | None = None) -> list[Problem]:
    """Organisations whose report folders would sit one inside another (one client's report inside another's).

    Two checks: between the params files given together (the message names both files), and against
    folders already on disk that hold another organisation's runs (an ``output_dir`` pointing into
    ``reports/<other client>/``).
    """
    problems = []
    folders = [(c, org_folder(c, out_dir)) for c in cfgs]
    for i, (a, fa) in enumerate(folders):
        for b, fb in folders[i + 1:]:
            if fa == fb:
                continue  # the same id: reported as such
            for inner, fi, outer, fo in ((b, fb, a, fa), (a, fa, b, fb)):
                if fi.is_relative_to(fo):
                    problems.append(Problem(
                        str(inner.params_path), "reporting.output_dir",
                        f"the reports of '{inner.org_id}' would go to {fi}, inside the folder of '{outer.org_id}' "
                        f"({fo}, from {outer.params_path}): one client's report, restricted/ included, would sit "
                        "inside another's; give each organisation an output folder outside the others'"))
        for parent in fa.parents:
            if _is_org_folder(parent):
                problems.append(Problem(
                    str(a.params_path), "reporting.output_dir",
                    f"the reports of '{a.org_id}' would go to {fa}, inside {parent}, which holds another "
                    "organisation's runs; choose an output folder outside every other organisation's"))
                break
    return problems


def validate_all(params: list[str], out_dir: str | os.PathLike | None = None) -> list[Config]:
    """Load every params file; raise one :class:`ConfigError` listing all problems of all files.

    Beyond each file's own problems: what its files' headers contradict
    (:func:`cxtemplate.run.definitions.header_problems`), two files for one organisation, and organisations
    whose report folders would nest (:func:`nesting_problems`; ``out_dir`` is the ``--out`` of the command).
    """
    from cxtemplate.run.definitions import header_problems

    problems: list[Problem] = []
    cfgs: list[Config] = []
    for p in params:
        try:
            cfgs.append(load_config(p))
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(header_problems(cfgs[-1], file=str(p)))
    ids: dict[str, str] = {}
    for c in cfgs:
        if c.org_id in ids:
            problems.append(Problem(str(c.params_path), "organisation.id",
                                    f"'{c.org_id}' is also the id in {ids[c.org_id]}; runs would share a folder"))
        ids[c.org_id] = str(c.params_path)
    problems += nesting_problems(cfgs, out_dir)
    if problems:
        raise ConfigError(problems)
    return cfgs


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the `cxtemplate run` command")
