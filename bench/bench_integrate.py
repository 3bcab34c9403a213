"""Where notebook 00's integration spends its time and memory, stage by stage.

The stages are timed by wrapping the functions ``integrate`` calls, on an organisation's sources, in a
fresh process (so that its peak memory is its own); resident memory is sampled every 0.01 s and the
peak during each stage recorded.

Run: ``python bench/bench_integrate.py PARAMS [--json out.json]``
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class _RSS:
    """Resident memory of this process, sampled every 0.01 s by a thread; ``mark()`` starts a new window."""

    def __init__(self):
        import threading

        import psutil

        self.p, self.peak, self.stop = psutil.Process(), 0, threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, self.p.memory_info().rss)
            self.stop.wait(0.01)

    def mark(self) -> int:
        """Peak since the last mark (MiB), and start a new window."""
        out, self.peak = self.peak, self.p.memory_info().rss
        return int(out / 2**20)


def _timed(store: dict, name: str, fn, rss: _RSS | None = None, peaks: dict | None = None):
    @functools.wraps(fn)
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        if rss is not None:
            rss.mark()
        try:
            return fn(*a, **k)
        finally:
            store[name] = store.get(name, 0.0) + time.perf_counter() - t0
            if rss is not None:
                peaks[name] = max(peaks.get(name, 0), rss.mark())
    return wrapper


def stage_times(params: str) -> tuple[dict, object]:
    """Run ``integrate`` once with every stage timed; returns (seconds per stage, the Integration)."""
    from cxtemplate.config.loader import load_config
    from cxtemplate.data import integrate as ig
    from cxtemplate.data import privacy

    cfg = load_config(params)
    times: dict[str, float] = {}
    saved = {}
    patches = {"read_source": ig, "coerce": ig, "check_rows": ig, "_redact": ig, "_derive": ig,
               "_enrich_responses": ig, "apply_value_rules": ig, "_join_rate": ig}
    rss, peaks = _RSS(), {}
    for name, mod in patches.items():
        saved[(mod, name)] = getattr(mod, name)
        setattr(mod, name, _timed(times, name, getattr(mod, name), rss, peaks))
    saved[(privacy, "build_name_pattern")] = privacy.build_name_pattern
    privacy.build_name_pattern = _timed(times, "build_name_pattern", privacy.build_name_pattern)
    try:
        t0 = time.perf_counter()
        res = ig.integrate(cfg)
        times["total"] = time.perf_counter() - t0
    finally:
        for (mod, name), fn in saved.items():
            setattr(mod, name, fn)
    times["other"] = times["total"] - sum(v for k, v in times.items() if k != "total")
    peaks["after integrate"] = rss.mark()
    rss.stop.set()
    return {"seconds": times, "peak_rss_mib_during": peaks}, res


def _variant(params: str) -> dict:
    """One variant in a fresh process (so that its peak memory is its own)."""
    import subprocess

    code = ("import json, resource, sys; sys.path.insert(0, %r); import bench_integrate as b; "
            "r, _ = b.stage_times(%r); r['max_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
            "print(json.dumps(r))") % (str(ROOT / "bench"), params)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params")
    ap.add_argument("--json")
    args = ap.parse_args()
    out = {"load_before": os.getloadavg()}
    out["current"] = _variant(args.params)
    print(json.dumps(out["current"], indent=1), flush=True)
    out["max_rss_mib"] = out["current"].get("max_rss_mib")
    out["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
