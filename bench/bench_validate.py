"""``cxtemplate validate`` on large and hostile params files: linear in the file's size, bounded in memory.

Issue 14 found a 4.8 MB params file taking 79 s to validate and a YAML alias bomb (nine nested levels)
growing past 2.5 GB. The loader now parses once with libyaml (PyYAML's C parser, when PyYAML has it),
builds the data from the parsed nodes instead of parsing a second time, indexes lines without recursion,
and refuses aliases that expand to more than ``MAX_ALIAS_EXPANSION`` repeated values before anything
walks the expanded document.

Each case runs ``load_config`` in a fresh Python process (so its peak resident memory, ``ru_maxrss``, is
its own) on a generated file:

* ``recode`` — the demo's params plus a ``recode`` table of N entries (a location code list pasted in);
* ``actions`` — the demo's params plus N catalogue actions (flow mappings, one a line);
* ``bomb`` — the demo's params plus a nine-level alias bomb (9 aliases per level: 387 million values);
* ``legacy`` — the same ``recode`` file read the way the loader read it before issue 14 (pure-Python
  parser, the text parsed twice: ``yaml.compose`` for the lines, ``yaml.load`` for the data), for a
  before/after on the same machine.

Usage (from the repository root)::

    .venv/bin/python bench/bench_validate.py            # prints a Markdown table
    .venv/bin/python bench/bench_validate.py --write    # … and writes bench/results/validate.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

CASE = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    kind, path = sys.argv[1], Path(sys.argv[2])
    import yaml
    from cxtemplate.config.loader import load_config
    from cxtemplate.errors import ConfigError
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    outcome = "ok"
    if kind == "legacy":
        class Old(yaml.SafeLoader):
            pass
        text = path.read_text()
        yaml.compose(text, Loader=Old)
        yaml.load(text, Loader=Old)
    else:
        try:
            load_config(path)
        except ConfigError as exc:
            outcome = "refused: " + exc.problems[0].message[:90]
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "added_mib": (peak - base) / 1024,
                      "outcome": outcome}))
""")


def demo_params() -> str:
    text = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")
    return text.replace("../data/demo/", f"{ROOT}/data/demo/").replace("data_root: ..", f"data_root: {ROOT}")


def recode_file(n: int) -> str:
    rows = "".join(f"        code_{i:07d}: Location number {i}\n" for i in range(n))
    return demo_params().replace(
        f"    file: {ROOT}/data/demo/responses.csv\n",
        f"    file: {ROOT}/data/demo/responses.csv\n    recode:\n      location:\n" + rows, 1)


def actions_file(n: int) -> str:
    rows = "".join(f'  - {{id: a{i:06d}, title: "Action number {i} for the catalogue", addresses: ["topic:bill"], '
                   f"effort: low, owner: cx_lead, lead_time_days: 30}}\n" for i in range(n))
    return demo_params().replace("actions:\n", "actions:\n" + rows, 1)


def bomb_file(levels: int = 9, width: int = 9) -> str:
    lines = ["lol0: &lol0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]" for i in range(1, levels)]
    return demo_params() + "\n".join(lines) + "\n"


def run_case(kind: str, text: str, folder: Path) -> dict:
    path = folder / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CASE, "legacy" if kind.startswith("legacy") else kind, str(path)],
                         capture_output=True, text=True, env=env, timeout=1800, check=True)
    return {"case": kind, "bytes": path.stat().st_size, **json.loads(out.stdout.strip().splitlines()[-1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write bench/results/validate.md and validate.json")
    ap.add_argument("--no-legacy", action="store_true", help="skip the slow before/after case")
    args = ap.parse_args()
    import yaml

    cases = [("recode", recode_file(n)) for n in (12_500, 25_000, 50_000, 125_000)]
    cases += [("actions", actions_file(n)) for n in (4_000, 20_000)]
    cases += [("bomb", bomb_file())]
    if not args.no_legacy:
        cases += [("legacy", recode_file(n)) for n in (12_500, 125_000)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="cx-bench-validate-") as tmp:
        for kind, text in cases:
            rows.append(run_case(kind, text, Path(tmp)))
            print(json.dumps(rows[-1]), file=sys.stderr)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    lines = [
        "# `cxtemplate validate` on large and hostile params files",
        "",
        f"Written by `bench/bench_validate.py --write` on {stamp}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PyYAML {yaml.__version__} "
        f"(libyaml: {'yes' if yaml.__with_libyaml__ else 'no'}); load average {os.getloadavg()[0]:.1f}. "
        "Each case is `load_config` in a fresh process; memory is the process's peak resident set (and what "
        "reading the file added to it).",
        "",
        "| case | file | seconds | MB per second | peak memory | added by the read | outcome |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        mb = r["bytes"] / 1e6
        lines.append(f"| {r['case']} | {mb:.2f} MB | {r['seconds']:.2f} | {mb / r['seconds']:.1f} | "
                     f"{r['peak_mib']:.0f} MiB | {r['added_mib']:.0f} MiB | {r['outcome']} |")
    lines += ["", "`legacy` reads the file as the loader did before issue 14 (pure-Python PyYAML, parsed twice) and "
              "validates nothing: it is the lower bound of the old time. The issue's own figure: 79 s for 4.8 MB.", ""]
    report = "\n".join(lines)
    print(report)
    if args.write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "validate.md").write_text(report, encoding="utf-8")
        (RESULTS / "validate.json").write_text(json.dumps({"measured": stamp, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
