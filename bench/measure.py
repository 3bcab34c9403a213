"""Measuring a command: wall time, CPU time and peak memory of its whole process tree.

:func:`run_measured` starts the command under ``/usr/bin/time -v`` (when installed) and samples,
every ``interval`` seconds, the resident memory of every process in its tree with psutil (the
runner, its worker process, the Jupyter kernels — two at a time — and their threads). The peak of
that sum is the **peak memory of the process tree**. ``/usr/bin/time`` adds the largest single
process's peak (``ru_maxrss``, exact but per process, not summed) and the user + system CPU seconds
of the whole tree (children are waited for, so their CPU time is included).

Also here: a description of the machine and its load (other engineers share the cores).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import threading
import time
from pathlib import Path

import psutil


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """Sum of resident memory of ``proc`` and all its descendants (bytes), and the process count."""
    total, count = 0, 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for p in procs:
        try:
            total += p.memory_info().rss
            count += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total, count


def _parse_time_v(text: str) -> dict:
    out = {}
    pats = {"user_seconds": r"User time \(seconds\): ([\d.]+)", "system_seconds": r"System time \(seconds\): ([\d.]+)",
            "max_single_rss_kib": r"Maximum resident set size \(kbytes\): (\d+)",
            "cpu_percent": r"Percent of CPU this job got: (\d+)%"}
    for k, p in pats.items():
        m = re.search(p, text)
        if m:
            out[k] = float(m.group(1))
    return out


def run_measured(cmd: list[str], *, cwd: str | Path | None = None, env: dict | None = None, interval: float = 0.2,
                 log_path: Path | None = None) -> dict:
    """Run ``cmd``; return wall seconds, peak tree RSS (MiB), CPU seconds, exit code, load averages.

    Parameters
    ----------
    cmd : list of str
        The command.
    interval : float
        Sampling interval of the process tree's memory, in seconds.
    log_path : Path, optional
        Where to write the command's stdout and stderr (and ``/usr/bin/time -v``'s report).
    """
    timer = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    tv_file = None
    full = list(cmd)
    if timer:
        tv_file = (log_path.with_suffix(".time") if log_path else Path(os.devnull))
        full = [timer, "-v", "-o", str(tv_file), *cmd]
    load_before = os.getloadavg()
    out = open(log_path, "w") if log_path else subprocess.DEVNULL
    peak = {"rss": 0, "procs": 0, "samples": 0}
    t0 = time.perf_counter()
    proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    ps = psutil.Process(proc.pid)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            rss, n = _tree_rss(ps)
            peak["samples"] += 1
            if rss > peak["rss"]:
                peak["rss"], peak["procs"] = rss, n
            stop.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    if log_path:
        out.close()
    rec = {"command": cmd, "returncode": code, "wall_seconds": round(wall, 2),
           "peak_tree_rss_mib": round(peak["rss"] / 2**20, 1), "processes_at_peak": peak["procs"],
           "memory_samples": peak["samples"], "sample_interval_s": interval,
           "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()]}
    if tv_file and tv_file != Path(os.devnull) and tv_file.is_file():
        tv = _parse_time_v(tv_file.read_text())
        rec.update(tv)
        if "user_seconds" in tv:
            rec["cpu_seconds"] = round(tv["user_seconds"] + tv.get("system_seconds", 0.0), 1)
        if "max_single_rss_kib" in tv:
            rec["max_single_process_rss_mib"] = round(tv["max_single_rss_kib"] / 1024, 1)
    return rec


def cpu_model(default: str = "") -> str:
    """The CPU's model name (``/proc/cpuinfo``), else ``platform.processor()``, else ``default``."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or default


def machine() -> dict:
    """CPU model, cores, RAM, OS, Python and the versions of the packages that matter here."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = cpu_model()
    pkgs = {}
    for p in ("pandas", "numpy", "pyarrow", "pandera", "scipy", "scikit-learn", "statsmodels", "lifelines", "matplotlib",
              "seaborn", "papermill", "nbclient", "ipykernel", "nbconvert", "duckdb"):
        try:
            pkgs[p] = version(p)
        except PackageNotFoundError:
            pkgs[p] = "not installed"
    return {"cpu": cpu, "logical_cores": os.cpu_count(), "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(), "packages": pkgs,
            "time_v": os.path.exists("/usr/bin/time")}


def busy_processes(exclude_tree: int | None = None, min_cpu: float = 20.0) -> int:
    """How many other processes use ≥ ``min_cpu`` % of a core right now (a one-second sample)."""
    procs = list(psutil.process_iter(["pid"]))
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(1.0)
    mine = {os.getpid()}
    n = 0
    for p in procs:
        try:
            if p.pid not in mine and p.cpu_percent(None) >= min_cpu:
                n += 1
        except psutil.Error:
            pass
    return n
