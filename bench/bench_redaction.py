"""What redaction costs on hostile sizes: many known names, megabyte comments, the scheduler timeout.

The tests check that these inputs are handled correctly (``tests/data/test_privacy.py``,
``tests/flows/test_bad_inputs.py``, ``tests/run/test_distributed.py``); how long they take is measured
here instead, because timings asserted in tests fail on a busy shared machine. Each case runs
``--repeat`` times and the median is recorded, with the ratio to a reference case measured in the same
run (a linear-time redaction keeps the ratio of a 3 MB comment to a 1 MB one near 3).

Run: ``python bench/bench_redaction.py [--repeat 3] [--out bench/results/redaction.md]``
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import cpu_model  # noqa: E402

from cxtemplate.data.privacy import build_name_pattern, redact  # noqa: E402


def _names(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    word = lambda a, b: "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(a, b)))  # noqa: E731
    return list(dict.fromkeys(f"{word(3, 8).title()} {word(4, 10).title()}" for _ in range(n)))


def _comment(size: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = "the flight was late and the staff were rude 3 times order 12345 £45.99 on 12/03/2024".split()
    body = " ".join(rng.choice(words) for _ in range(size // 4))[:size]
    return body + " mail a@b.com or 07700 900123, Mary O'Brien"


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "redaction.md"))
    args = ap.parse_args()
    import pandas as pd

    rows = []
    for n in (10_000, 20_000, 50_000):
        names = _names(n)
        texts = pd.Series([f"spoke to {names[i]} about order {i}" for i in range(0, n, 10)] * 5)
        build = _median(lambda: build_name_pattern(names), args.repeat)
        pat = build_name_pattern(names)
        match = _median(lambda: redact(texts, pat), args.repeat)
        rows.append((f"{n:,} known names: build the matcher", build))
        rows.append((f"{n:,} known names: redact {len(texts):,} short comments", match))
    sizes = {}
    for mb in (1, 3):
        big = _comment(mb * 1_000_000)
        sizes[mb] = _median(lambda: redact([big], known_names=["Mary O'Brien"]), args.repeat)
        rows.append((f"one {mb} MB comment", sizes[mb]))
    hostile = ["a" * 1_000_000, "1" * 1_000_000, "www." * 250_000, "x" * 2_000_000 + "@example.org"]
    rows.append(("four 1–2 MB runs without spaces (backtracking bait)",
                 _median(lambda: redact(hostile), args.repeat)))
    lines = ["# Redaction on hostile sizes", "",
             f"Machine: {cpu_model()}, {platform.python_version()}; median of {args.repeat} runs "
             f"(`python bench/bench_redaction.py`).", "", "| case | seconds |", "|---|---:|"]
    lines += [f"| {name} | {sec:.3f} |" for name, sec in rows]
    lines += ["", f"3 MB / 1 MB comment: {sizes[3] / sizes[1]:.2f}× (linear time: about 3×).", ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
