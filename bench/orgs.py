"""Synthetic organisations of a given size for the scale benchmark, and their params files.

Each organisation has about five survey responses and two conversations per customer over three
years (the demo spec with a higher survey rate), written as Parquet under
``bench/out/orgs/<size>/data/``; its params file (``bench/out/orgs/<size>/params/<org>.yaml``) is
``params/demo.yaml`` with the sources pointing at those files and the organisation id
``bench<size>``. Generation is skipped when the files exist and were made by the same spec.

Run alone: ``python bench/orgs.py --sizes 10k,100k,1M``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SEED = 20251231
# About five responses (3.6 a year plus the onboarding survey; customers join throughout the window
# and some leave, so the mean follow-up is about 1.3 years) and two conversations per customer.
RESPONSES_PER_CUSTOMER_YEAR = 3.6
INTERACTIONS_PER_CUSTOMER_YEAR = 1.5
TABLES = ("customers", "responses", "interactions", "operations", "maturity_answers")


def parse_size(text: str) -> int:
    """``10k`` → 10000, ``1M`` → 1000000, ``2500`` → 2500."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 10k, 100k, 1M)")
    mult = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def size_label(n: int) -> str:
    """1000000 → ``1M``, 100000 → ``100k``."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def org_dir(n: int) -> Path:
    return OUT / "orgs" / size_label(n)


def spec_for(n: int):
    from cxtemplate.synth.spec import SynthSpec

    return SynthSpec(customers=n, seed=SEED, responses_per_customer_year=RESPONSES_PER_CUSTOMER_YEAR,
                     interactions_per_customer_year=INTERACTIONS_PER_CUSTOMER_YEAR, fmt="parquet")


def ensure_data(n: int, log=print) -> dict:
    """Generate the organisation's Parquet files unless they exist for the same spec.

    Returns a dict with the rows per table and the generation time (``None`` when reused).
    """
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import spec_dict

    spec = spec_for(n)
    data = org_dir(n) / "data"
    stamp = data / "spec.json"
    want = spec_dict(spec)
    if stamp.is_file() and json.loads(stamp.read_text()) .get("spec") == want and all(
            (data / f"{t}.parquet").is_file() for t in TABLES):
        return json.loads(stamp.read_text())
    log(f"generating {size_label(n)} customers …")
    t0 = time.perf_counter()
    org = generate(spec)
    t_gen = time.perf_counter() - t0
    write_organisation(org, data, fmt="parquet")
    t_all = time.perf_counter() - t0
    info = {"spec": want, "rows": {k: int(len(v)) for k, v in org.tables.items()},
            "generate_seconds": round(t_gen, 1), "write_seconds": round(t_all - t_gen, 1),
            "bytes": sum((data / f"{t}.parquet").stat().st_size for t in TABLES)}
    stamp.write_text(json.dumps(info, indent=2) + "\n")
    log(f"  {info['rows']} in {t_all:.0f} s")
    return info


def write_params(n: int, fit_sample_above: int | None = None) -> Path:
    """``params/demo.yaml`` with the sources pointing at the organisation's Parquet files."""
    text = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")
    label = size_label(n)
    text = re.sub(r"(?m)^  id: demo\b", f"  id: bench{label.lower()}", text, count=1)
    text = re.sub(r"(?m)^  name: .*$", f"  name: Synthetic utility, {n:,} customers (scale benchmark)", text, count=1)
    for t in TABLES:
        text = text.replace(f"file: ../data/demo/{t}.csv", f"file: ../data/{t}.parquet")
    text = re.sub(r"(?m)^  output_dir: .*$", "  output_dir: ../runs", text, count=1)
    if fit_sample_above is not None:
        text = re.sub(r"(?m)^  top_customers: (\d+).*$",
                      lambda m: m.group(0) + f"\n  fit_sample_above: {fit_sample_above}", text, count=1)
    for t in TABLES:
        if f"../data/{t}.parquet" not in text:
            raise RuntimeError(f"params/demo.yaml no longer names data/demo/{t}.csv; update bench/orgs.py")
    path = org_dir(n) / "params" / f"bench{label.lower()}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,100k,1M")
    args = ap.parse_args()
    for s in args.sizes.split(","):
        n = parse_size(s)
        info = ensure_data(n)
        print(size_label(n), info["rows"], write_params(n))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
