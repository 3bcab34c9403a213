"""The time-varying Cox fit: cxtemplate's vectorised Efron Newton–Raphson against lifelines.

``cxtemplate.churn.efron.fit_efron`` replaces lifelines' ``CoxTimeVaryingFitter`` in
``churn.fit_cox_time_varying``. This bench checks that they give the same estimates (coefficients,
variances, log-likelihood), with and without strata and with the penalty the report uses, on the
(start, stop] frames of synthetic organisations, and times both; then times the vectorised fit alone
on the scale-benchmark organisations (100k and 1M customers) when their files exist.

Run: ``python bench/bench_cox_tv.py [--lifelines-sizes 2000,10000] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

COVS = ["plan", "segment", "contract", "nps_category", "unresolved_contacts"]


def frame_from_tables(customers, responses, interactions, as_of="2025-12-31"):
    from cxtemplate.churn.data import CXOptions, time_varying_frame

    cu = customers.rename(columns={"monthly_revenue": "revenue"})
    return time_varying_frame(cu, responses, interactions, as_of=as_of, covariates=["plan", "segment", "contract"],
                              cx=CXOptions(covariates=("nps_category", "unresolved_contacts")))


def synthetic_frame(n: int, seed: int = 7):
    from cxtemplate.synth.organisation import generate
    from cxtemplate.synth.spec import SynthSpec

    t = generate(SynthSpec(customers=n, seed=seed, dirty=False)).tables
    return frame_from_tables(t["customers"], t["responses"], t["interactions"])


def compare(tv: pd.DataFrame, strata: str | None, penalizer: float = 1.0) -> dict:
    from lifelines import CoxTimeVaryingFitter

    from cxtemplate.churn.design import build_design
    from cxtemplate.churn.efron import fit_efron

    covs = [c for c in COVS if c != strata]
    X = build_design(tv, covs, categorical=None, reference=None, standardise=False).matrix(tv)
    t0 = time.perf_counter()
    ours = fit_efron(X, tv["start"], tv["stop"], tv["churned"], penalizer=penalizer,
                     strata=tv[strata].to_numpy() if strata else None)
    t_ours = time.perf_counter() - t0
    fd = X.copy()
    fd["_S"], fd["_T"], fd["_E"] = tv["start"].to_numpy(), tv["stop"].to_numpy(), tv["churned"].to_numpy()
    if strata:
        fd[strata] = tv[strata].to_numpy()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ll = CoxTimeVaryingFitter(penalizer=penalizer / len(fd)).fit(fd, event_col="_E", start_col="_S", stop_col="_T",
                                                                     strata=[strata] if strata else None)
    t_ll = time.perf_counter() - t0
    V1, V2 = np.asarray(ll.variance_matrix_, float), ours.variance_matrix_.to_numpy()
    return {"rows": int(len(tv)), "customers": int(tv["customer_id"].nunique()), "churns": int(tv["churned"].sum()),
            "churn_days": int(np.unique(tv.loc[tv["churned"], "stop"]).size), "strata": strata, "penalizer": penalizer,
            "max_abs_coef_diff": float(np.max(np.abs(ll.params_.to_numpy() - ours.params_.to_numpy()))),
            "max_rel_se_diff": float(np.max(np.abs(np.sqrt(np.diag(V1)) / np.sqrt(np.diag(V2)) - 1))),
            "loglik_diff": float(ll.log_likelihood_ - ours.log_likelihood_),
            "lifelines_s": t_ll, "cxtemplate_s": t_ours, "speedup": t_ll / t_ours}


def time_ours(tv: pd.DataFrame) -> dict:
    from cxtemplate.churn.design import build_design
    from cxtemplate.churn.efron import fit_efron

    X = build_design(tv, COVS, categorical=None, reference=None, standardise=False).matrix(tv)
    t0 = time.perf_counter()
    f = fit_efron(X, tv["start"], tv["stop"], tv["churned"], penalizer=1.0)
    return {"rows": int(len(tv)), "customers": int(tv["customer_id"].nunique()), "churns": int(tv["churned"].sum()),
            "cxtemplate_s": time.perf_counter() - t0, "iterations": f.iterations}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lifelines-sizes", default="2000,10000")
    ap.add_argument("--json")
    args = ap.parse_args()
    out = {"load_before": list(os.getloadavg()), "equivalence": [], "scale": []}
    for n in [int(x) for x in args.lifelines_sizes.split(",") if x]:
        tv = synthetic_frame(n)
        for strata in (None, "contract"):
            r = compare(tv, strata)
            out["equivalence"].append(r)
            print(json.dumps(r), flush=True)
    import orgs

    for label in ("100k", "1M"):
        d = orgs.OUT / "orgs" / label / "data"
        if not (d / "customers.parquet").is_file():
            continue
        t0 = time.perf_counter()
        tv = frame_from_tables(pd.read_parquet(d / "customers.parquet"),
                               pd.read_parquet(d / "responses.parquet", columns=["customer_id", "responded_at", "nps"]),
                               pd.read_parquet(d / "interactions.parquet",
                                               columns=["customer_id", "started_at", "resolved", "sentiment"]))
        r = time_ours(tv) | {"size": label, "frame_s": time.perf_counter() - t0}
        out["scale"].append(r)
        print(json.dumps(r), flush=True)
        del tv
    out["load_after"] = list(os.getloadavg())
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
