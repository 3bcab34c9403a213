"""Running organisations on an existing dask.distributed cluster: ``cxtemplate run ... --scheduler ADDRESS``.

One task per organisation: a worker calls :func:`cxtemplate.run.runner.run_organisation`, exactly what a
local ``cxtemplate run`` does in its own process, so the outputs are the same files with the same
numbers. The machine that submits only validates, dispatches, shows progress and prints the summary.

What the cluster must provide (checked before any organisation starts, see :func:`preflight`):

- **The same software.** Every worker has cxtemplate installed from the same source, with the same
  pinned versions (``pip install -c constraints.txt '.[dask]'``). Python, the packages that shape the
  numbers (:data:`cxtemplate.run.provenance.VERSIONED`), cxtemplate's own code and the notebooks are
  fingerprinted here and on every worker; any difference stops the run with the differences listed.
- **The same files at the same paths.** Params files, the data they name, the notebooks folder and
  the output folder are read and written by the workers, so they live on storage every worker and this
  machine mount at the same path (NFS, a shared volume, a cluster file system). This machine writes a
  token into each output folder and every worker must read it back; a worker that sees a different
  folder under the same name would otherwise write the reports where nobody looks.
- **Secrets in the workers' environment.** An SQL source's ``url_env`` variable is read by the worker
  that runs the organisation, so it must be set in the environment the workers were started with
  (it also has to be set here, because the params are validated here first).
- **Workers sized for a run.** A run starts up to two kernels at once. At most one organisation per
  worker thread is submitted at a time (the rest wait on this machine and go out as threads free
  up), and a run sets its BLAS threads to the worker's CPUs divided by its threads, as ``--jobs``
  does locally, unless the worker's environment sets ``OMP_NUM_THREADS`` and friends. Start workers
  with ``--nthreads 1``, one per two cores, with memory for the largest organisation.

Outputs are written by the workers into ``<output_dir>/<org>/<run_id>/`` exactly as locally (the
temporary ``.partial-`` folder, ``latest`` switched only for complete runs). A failing organisation
never stops the others; a worker that dies while running one is reported as ``crashed`` (the
scheduler first retries it elsewhere up to ``distributed.scheduler.allowed-failures`` times).
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path
from queue import Queue
from typing import Any

from cxtemplate.errors import ConfigError, CxError, mask_credentials

CONNECT_TIMEOUT_ENV = "CXTEMPLATE_CONNECT_TIMEOUT"
"""Environment variable overriding the scheduler connect timeout in seconds (default 10)."""

DEFAULT_CONNECT_TIMEOUT = 10.0
TOKEN_PREFIX = ".cxtemplate-preflight-"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class ClusterError(CxError):
    """The cluster cannot run these organisations: unreachable, no workers, or workers that differ."""


# --------------------------------------------------------------------------- fingerprints


def environment_fingerprint(nb_dir: str | None = None) -> dict[str, Any]:
    """What must be identical on this machine and every worker for the numbers to be identical.

    Parameters
    ----------
    nb_dir : str, optional
        The notebooks folder the run uses (default :func:`cxtemplate.run.provenance.notebooks_dir`).

    Returns
    -------
    dict
        ``versions`` (Python and :data:`~cxtemplate.run.provenance.VERSIONED`), ``code`` (SHA-256 of every
        file of the cxtemplate package: modules, templates, maturity models) and ``notebooks`` (SHA-256 of the
        notebooks folder, ``None`` when it does not exist).
    """
    from cxtemplate.run.provenance import notebooks_dir, package_sha256, tree_sha256, versions

    nbs = Path(nb_dir) if nb_dir else notebooks_dir()
    return {"versions": versions(),
            "code": package_sha256(),
            "notebooks": tree_sha256(nbs, ("*.ipynb",))}


# --------------------------------------------------------------------------- the checks a worker runs


def preflight(params: dict[str, str], tokens: dict[str, str], nb_dir: str | None = None) -> dict[str, Any]:
    """Check, on a worker, that it can run these organisations. Runs on every worker before dispatch.

    Parameters
    ----------
    params : dict
        Absolute params path → SHA-256 of the file as the submitting machine read it.
    tokens : dict
        Absolute output folder → the token the submitting machine wrote there
        (in ``.cxtemplate-preflight-<token>``).
    nb_dir : str, optional
        The notebooks folder (``None``: the worker's own :func:`~cxtemplate.run.provenance.notebooks_dir`).

    Returns
    -------
    dict
        ``host``, ``fingerprint`` (:func:`environment_fingerprint`) and ``problems``: one sentence
        per problem (a missing or different params file, every problem :func:`load_config` finds on
        the worker — data files not found, ``url_env`` variables not set —, no notebooks, an output
        folder that is not the submitting machine's or not writable).
    """
    from cxtemplate.config.loader import load_config
    from cxtemplate.run.provenance import discover, notebooks_dir, sha256_file

    problems: list[str] = []
    for path, sha in params.items():
        p = Path(path)
        if not p.is_file():
            problems.append(f"params file {path} is not visible here (it must be on storage shared with this worker, "
                            "mounted at the same path)")
            continue
        if sha256_file(p) != sha:
            problems.append(f"params file {path} differs from the submitting machine's copy (a different file under the "
                            "same path: the storage is not shared)")
            continue
        try:
            load_config(p)
        except ConfigError as exc:
            problems.extend(f"{pr}" for pr in exc.problems)
        except Exception as exc:  # noqa: BLE001 - reported with the worker that raised it
            problems.append(mask_credentials(f"{path}: cannot load: {type(exc).__name__}: {exc}"))
    nbs = Path(nb_dir) if nb_dir else notebooks_dir()
    try:
        discover(nbs)
    except FileNotFoundError as exc:
        problems.append(f"{exc} (pass a notebooks folder every worker sees, or install the template's notebooks "
                        "with cxtemplate on the workers)")
    for folder, token in tokens.items():
        marker = Path(folder) / f"{TOKEN_PREFIX}{token}"
        try:
            seen = marker.read_text(encoding="utf-8").strip() == token
        except OSError:
            seen = False
        if not seen:
            problems.append(f"output folder {folder} is not the submitting machine's folder (the check file written "
                            "there is not visible here): mount the shared storage at the same path on every worker")
            continue
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=TOKEN_PREFIX + "w-"):
                pass
        except OSError as exc:
            problems.append(f"output folder {folder} is not writable here: {exc.strerror or exc}")
    return {"host": socket.gethostname(), "pid": os.getpid(), "fingerprint": environment_fingerprint(nb_dir),
            "problems": problems}


def _fingerprint_differences(mine: dict, theirs: dict) -> list[str]:
    out = []
    for pkg, v in mine["versions"].items():
        w = theirs["versions"].get(pkg, "not installed")
        if w != v:
            out.append(f"{pkg} {w} (here {v})")
    if theirs["code"] != mine["code"]:
        out.append("cxtemplate's code differs from this machine's (install the same release or commit)")
    if mine["notebooks"] is not None and theirs["notebooks"] not in (None, mine["notebooks"]):
        out.append("the notebooks differ from this machine's")
    return out


def check_workers(client, params: list[str], out_dirs: list[Path], nb_dir: str | None = None,
                  worker_timeout: float = 60.0) -> dict[str, dict]:
    """Run :func:`preflight` on every worker; raise one :class:`ClusterError` listing every problem.

    Parameters
    ----------
    client : distributed.Client
    params : list of str
        Absolute params paths.
    out_dirs : list of Path
        The output folders the workers will write into (created here if missing).
    nb_dir : str, optional
        The notebooks folder, as the workers should see it.
    worker_timeout : float
        Seconds to wait for at least one worker to join the scheduler.

    Returns
    -------
    dict
        Worker address → its preflight answer.
    """
    from cxtemplate.run.provenance import sha256_file

    try:
        client.wait_for_workers(1, timeout=worker_timeout)
    except Exception:  # noqa: BLE001 - a TimeoutError whose text says nothing useful
        raise ClusterError(f"the scheduler at {client.scheduler.address} has no workers (waited {worker_timeout:g} s); "
                           "start some with `dask worker <address> --nthreads 1`") from None
    tokens: dict[str, str] = {}
    for d in dict.fromkeys(out_dirs):
        token = uuid.uuid4().hex
        try:
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{TOKEN_PREFIX}{token}").write_text(token, encoding="utf-8")
        except OSError as exc:
            raise ClusterError(f"cannot write into the output folder {d} from this machine: "
                               f"{exc.strerror or exc}") from None
        tokens[str(d)] = token
    hashes = {p: sha256_file(Path(p)) for p in params}
    try:
        answers = client.run(preflight, hashes, tokens, nb_dir, on_error="return")
    finally:
        for d, token in tokens.items():
            (Path(d) / f"{TOKEN_PREFIX}{token}").unlink(missing_ok=True)
    mine = environment_fingerprint(nb_dir)
    found: dict[str, list[str]] = {}  # problem → workers that have it (the same problem is listed once)
    for addr, ans in sorted(answers.items()):
        if isinstance(ans, BaseException):
            hint = (" — install cxtemplate on every worker (pip install -c constraints.txt '.[dask]')"
                    if isinstance(ans, (ImportError, AttributeError)) else "")
            found.setdefault(f"the check could not run: {type(ans).__name__}: {ans}{hint}", []).append(addr)
            continue
        diff = _fingerprint_differences(mine, ans["fingerprint"])
        if diff:
            found.setdefault(f"a different installation: {'; '.join(diff)}", []).append(addr)
        for p in ans["problems"]:
            found.setdefault(p, []).append(addr)
    if found:
        n = len(found)
        lines = [f"{n} problem{'s' if n != 1 else ''} on the cluster; no organisation was started:"]
        for problem, addrs in found.items():
            if len(addrs) == len(answers) and len(addrs) > 1:
                where = f"all {len(addrs)} workers"
            else:
                where = ("worker " if len(addrs) == 1 else "workers ") + ", ".join(addrs[:3])
                where += f" and {len(addrs) - 3} more" if len(addrs) > 3 else ""
            lines.append(f"  - {where}: {problem}")
        raise ClusterError("\n".join(lines))
    return answers


# --------------------------------------------------------------------------- the task a worker runs


class _WorkerEvents:
    """A queue-like sink that forwards the runner's progress events to the client through the scheduler."""

    def __init__(self, worker, topic: str):
        self.worker = worker
        self.topic = topic

    def put(self, event: dict) -> None:
        try:
            self.worker.log_event(self.topic, event)
        except Exception:  # noqa: BLE001 - progress is best effort; the run goes on
            pass


def run_task(params_path: str, out_dir: str | None, resume: bool, nb_dir: str | None,
             topic: str | None = None, expected: dict | None = None) -> dict:
    """The task submitted per organisation: :func:`~cxtemplate.run.runner.run_organisation` on a worker.

    When ``expected`` (the submitting machine's :func:`environment_fingerprint`) is given, a worker
    whose installation differs refuses the run (this covers workers that joined after the
    preflight). Limits BLAS threads to the worker's CPUs divided by its task threads (unless the
    worker's environment sets them), forwards progress events to ``topic``, and returns the run
    record plus the worker's address under ``worker``.
    """
    from distributed import get_worker

    from cxtemplate.run.runner import run_organisation

    worker = get_worker()
    if expected is not None:
        diff = _fingerprint_differences(expected, environment_fingerprint(nb_dir))
        if diff:
            raise ClusterError(f"worker {worker.address} is a different installation: {'; '.join(diff)}")
    nthreads = getattr(getattr(worker, "state", None), "nthreads", None) or getattr(worker, "nthreads", 1) or 1
    threads = max(1, (os.cpu_count() or 1) // max(1, nthreads))
    for var in THREAD_VARS:
        os.environ.setdefault(var, str(threads))
    events = _WorkerEvents(worker, topic) if topic else None
    record = run_organisation(params_path, out_dir, resume, nb_dir, events)
    return {**record, "worker": worker.address}


# --------------------------------------------------------------------------- the client side


def connect(address: str, timeout: float | None = None):
    """A :class:`distributed.Client` for ``address``, or a :class:`ClusterError` within ``timeout`` seconds.

    ``timeout`` defaults to ``$CXTEMPLATE_CONNECT_TIMEOUT`` or 10 s.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--scheduler needs dask.distributed: pip install -c constraints.txt '.[dask]'") from None
    if timeout is None:
        try:
            timeout = float(os.environ.get(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT))
        except ValueError:
            timeout = DEFAULT_CONNECT_TIMEOUT
    from distributed.comm.addressing import parse_address
    from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(address)
    except ValueError:
        scheme, location = "", ""
    if scheme not in backends or not location:
        # Checked before connecting: a client built on a malformed address stalls ~20 s on exit.
        raise ClusterError(f"{address!r} is not a dask scheduler address; expected e.g. tcp://scheduler-host:8786 "
                           f"(schemes: {', '.join(sorted(backends))})")
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a malformed address
        reason = mask_credentials(" ".join(str(exc).split()))[:300] or type(exc).__name__
        raise ClusterError(f"cannot reach the dask scheduler at {address!r} within {timeout:g} s: {reason}. "
                           "Check the address (e.g. tcp://scheduler-host:8786), that the scheduler is running "
                           "and that its port is open from this machine.") from None


def _crash_message(org: str, exc: BaseException) -> str:
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        last = getattr(getattr(exc, "last_worker", None), "address", "?")
        return (f"{org}: the run crashed: the worker running it died (last on {last}); see that worker's log "
                "(out of memory is the usual cause)")
    text = mask_credentials(" ".join(str(exc).split()))[:600]
    return f"{org}: the run crashed: {type(exc).__name__}: {text}"


def run_on_cluster(params: list[str], address: str, *, out_dir: str | None = None, resume: bool = False,
                   nb_dir: str | None = None, progress: bool = True, connect_timeout: float | None = None,
                   worker_timeout: float = 60.0) -> list[dict]:
    """Run several organisations on a dask.distributed cluster, one task per organisation.

    The params are validated here; then every worker is checked (:func:`check_workers`: same
    installation, params and data visible, the same output folder, secrets set); then each
    organisation is submitted as a task (``pure=False``) that calls
    :func:`~cxtemplate.run.runner.run_organisation` on a worker. A failure in one organisation never
    stops the others. Progress (each notebook, then each organisation as it finishes) goes to stderr.

    Parameters
    ----------
    params : list of str
        Params files; their paths, the data they name and the output folder must be visible to
        every worker at the same absolute paths.
    address : str
        The scheduler, e.g. ``tcp://10.0.0.5:8786`` (TLS through dask's own configuration).
    out_dir : str, optional
        Overrides ``reporting.output_dir``; written by the workers.
    resume : bool
        Continue each organisation's newest incomplete run (the run folders are on shared storage,
        so any worker can resume any organisation).
    nb_dir : str, optional
        The notebooks folder as the workers see it (default: each worker's installed notebooks,
        which must equal this machine's).
    progress : bool
        Print progress lines.
    connect_timeout : float, optional
        Seconds to reach the scheduler (default ``$CXTEMPLATE_CONNECT_TIMEOUT`` or 10).
    worker_timeout : float
        Seconds to wait for a first worker.

    Returns
    -------
    list of dict
        One summary per organisation in input order, as :func:`~cxtemplate.run.batch.run_many`:
        ``org``, ``status`` (``ok``, ``failed`` or ``crashed``), ``seconds``, ``run_dir``, ``error``.

    Raises
    ------
    ConfigError
        A params file is invalid (nothing is submitted).
    ClusterError
        The scheduler is unreachable, has no workers, or a worker cannot run these organisations
        (nothing is submitted; every problem of every worker is listed).
    """
    from cxtemplate.run.runner import validate_all

    cfgs = validate_all(params)
    paths = [str(c.params_path.resolve()) for c in cfgs]
    out = str(Path(out_dir).resolve()) if out_dir else None
    nbd = str(Path(nb_dir).resolve()) if nb_dir else None
    out_dirs = [Path(out)] if out else [c.output_dir for c in cfgs]
    say = (lambda text: print(text, file=sys.stderr, flush=True)) if progress else (lambda text: None)

    client = connect(address, connect_timeout)
    try:
        answers = check_workers(client, paths, out_dirs, nbd, worker_timeout)
        say(f"[cluster] {address}: {len(answers)} worker{'s' if len(answers) != 1 else ''} checked "
            f"(same installation, params, data and output folder); submitting {len(cfgs)} organisation"
            f"{'s' if len(cfgs) != 1 else ''}")
        return _dispatch(client, cfgs, paths, out, resume, nbd, progress, environment_fingerprint(nbd))
    finally:
        client.close()


def _capacity(client) -> int:
    """Worker threads on the cluster now (at least 1, so that a run waits for workers to come back)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - the scheduler is busy or restarting: keep one in flight
        return 1


def _dispatch(client, cfgs, paths: list[str], out: str | None, resume: bool, nbd: str | None,
              progress: bool, expected: dict | None = None) -> list[dict]:
    """Submit the organisations, at most one per worker thread at a time, and collect their summaries.

    The scheduler assigns a task to a worker when it is submitted, so submitting every organisation
    at once would queue some behind a long run on a busy worker while another worker sits idle, and
    a worker that dies would take its queued organisations down with it. Organisations therefore
    wait here and are submitted as threads free up (the count is re-read, so workers that join are
    used). A finished task is released at once: the scheduler would otherwise rerun a whole
    organisation to recover a result held by a worker that has since died.
    """
    from distributed import as_completed

    from cxtemplate.run.progress import ProgressDisplay

    run_key = uuid.uuid4().hex[:8]
    topic = f"cxtemplate-progress-{run_key}" if progress else None
    events: Queue = Queue()
    display = ProgressDisplay([c.org_id for c in cfgs], enabled=progress)
    display.start(events)
    if topic:
        # Organisation-level "done" lines come from here (below), not from the worker: the
        # worker's event may arrive after the result, and a crashed run sends none.
        client.subscribe_topic(topic, lambda ev: events.put(ev[1]) if ev[1].get("kind") != "done" else None)
    started = time.perf_counter()
    waiting = list(zip(cfgs, paths))
    running: dict = {}
    done = as_completed(loop=client.loop)

    def top_up() -> None:
        capacity = _capacity(client)
        while waiting and len(running) < capacity:
            c, path = waiting.pop(0)
            fut = client.submit(run_task, path, out, resume, nbd, topic, expected,
                                key=f"cxtemplate-{c.org_id}-{run_key}", pure=False)
            running[fut] = c
            done.add(fut)

    by_org: dict[str, dict] = {}
    try:
        top_up()
        for fut in done:
            c = running.pop(fut)
            if fut.status == "finished":
                rec = fut.result()
                by_org[c.org_id] = {"org": c.org_id, "status": rec["status"], "seconds": rec["seconds"],
                                    "run_dir": rec["run_dir"], "error": rec.get("error")}
            else:
                exc = fut.exception()
                by_org[c.org_id] = {"org": c.org_id, "status": "crashed", "seconds": None, "run_dir": None,
                                    "error": {"message": _crash_message(c.org_id, exc)}}
            fut.release()
            r = by_org[c.org_id]
            events.put({"kind": "done", "org": c.org_id, "status": r["status"],
                        "seconds": r["seconds"] if r["seconds"] is not None else round(time.perf_counter() - started, 1)})
            top_up()
    finally:
        if running:  # interrupted: the scheduler forgets them (a task already running finishes on its worker)
            client.cancel(list(running))
        if topic:
            try:
                client.unsubscribe_topic(topic)
            except Exception:  # noqa: BLE001 - the client may already be closing
                pass
        display.stop(events)
    return [by_org[c.org_id] for c in cfgs]
