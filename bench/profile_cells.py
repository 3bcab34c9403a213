"""Time every code cell of the notebooks in one process (no kernels), optionally with cProfile.

Usage: python bench/profile_cells.py PARAMS RUN_DIR [--notebooks 04,05] [--profile] [--top 25]

RUN_DIR is a run folder whose earlier notebooks have completed (e.g. a finished run's folder, or one
where notebook 00 has written the tables). The cells run in the order of the notebook's ``.py`` file
with the notebook's parameters; each cell's wall time is printed (and the biggest functions under
cProfile with ``--profile``). A profiling aid, not part of the benchmark numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^# %%.*$", text)[1:]
    heads = re.findall(r"(?m)^# %%.*$", text)
    return [body for head, body in zip(heads, parts) if "[markdown]" not in head]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("params")
    ap.add_argument("run_dir")
    ap.add_argument("--notebooks", default="01,02,03,04,05,06,07")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--level", default=None, help="scorecard level (notebook 'sc')")
    args = ap.parse_args()
    args.params, args.run_dir = os.path.abspath(args.params), os.path.abspath(args.run_dir)
    import matplotlib

    matplotlib.use("Agg")
    nb_dir = ROOT / "notebooks"
    for key in args.notebooks.split(","):
        path = nb_dir / "scorecards" / "manager_scorecard.py" if key == "sc" else next(nb_dir.glob(f"{key}_*.py"))
        os.chdir(path.parent)
        ns: dict = {"__name__": "__main__"}
        total = 0.0
        print(f"== {path.name}")
        for i, src in enumerate(cells(path)):
            if "params_path =" in src and "run_dir = None" in src:
                src = src + f"\nparams_path = {os.path.abspath(args.params)!r}\nrun_dir = {os.path.abspath(args.run_dir)!r}\n"
                if key == "sc":
                    src += f"level = {args.level!r}\n"
            prof = cProfile.Profile() if args.profile else None
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(src, f"{path.name}[{i}]", "exec"), ns)
            if prof:
                prof.disable()
            dt = time.perf_counter() - t0
            total += dt
            first = next((ln for ln in src.splitlines() if ln.strip() and not ln.startswith("#")), "")[:70]
            print(f"  {dt:7.2f}s  [{i}] {first}", flush=True)
            if prof and dt > 1.0:
                s = io.StringIO()
                pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(args.top)
                print("\n".join("      " + ln for ln in s.getvalue().splitlines()[6:6 + args.top + 3]))
        import matplotlib.pyplot as plt

        plt.close("all")
        print(f"  total {total:.1f}s")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
