"""What sampling costs the churn model at a million customers.

On the 1M-customer scale-benchmark organisation (``bench/out/orgs/1M``, made by ``bench/orgs.py``):

* the time-varying Cox model fitted on every customer against the default random sample
  (``churn.fit_sample_above`` = 150,000): time, largest difference in log hazard ratio, ratio of
  standard errors;
* the landmark back-test (5-fold cross-validated concordance and calibration) on every customer
  against the validation design on a random sample of 150,000 customers
  (``churn_flow.analyse(validate_sample_above=...)``, default = ``fit_sample_above``): time,
  concordance and ICI of each — the concordance cost of sampling.

Run: ``python bench/bench_churn_scale.py [--size 1M] [--sample 150000] [--json out.json]``
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

AS_OF = "2025-12-31"
HORIZON = 12 * 365.25 / 12


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1M")
    ap.add_argument("--sample", type=int, default=150_000)
    ap.add_argument("--json")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import orgs

    from cxtemplate.churn.data import CXOptions, landmark_frame, time_varying_frame
    from cxtemplate.churn.km_cox import fit_cox_time_varying
    from cxtemplate.churn.validation import validate

    d = orgs.OUT / "orgs" / args.size / "data"
    cu = pd.read_parquet(d / "customers.parquet").rename(columns={"monthly_revenue": "revenue"})
    r = pd.read_parquet(d / "responses.parquet", columns=["customer_id", "responded_at", "nps"])
    it = pd.read_parquet(d / "interactions.parquet", columns=["customer_id", "started_at", "resolved", "sentiment"])
    kw = dict(covariates=["plan", "segment", "contract"], keep=["revenue"],
              cx=CXOptions(covariates=("nps_category", "unresolved_contacts")))
    out = {"size": args.size, "sample": args.sample, "load_before": list(os.getloadavg())}
    t0 = time.perf_counter()
    tv = time_varying_frame(cu, r, it, as_of=AS_OF, **kw)
    out["frame_s"] = time.perf_counter() - t0
    out["rows"], out["customers"] = int(len(tv)), int(tv["customer_id"].nunique())
    covs = ["plan", "segment", "contract", "nps_category", "unresolved_contacts"]
    fits = {}
    for label, m in (("all", None), ("sample", args.sample)):
        t0 = time.perf_counter()
        fits[label] = fit_cox_time_varying(tv, covs, max_subjects=m, seed=20256231, check_ph=False)
        out[f"fit_{label}_s"] = time.perf_counter() - t0
    a, s = fits["all"].hazard_ratios.set_index("term"), fits["sample"].hazard_ratios.set_index("term")
    out["max_abs_log_hr_diff"] = float(np.max(np.abs(np.log(a["hr"]) - np.log(s.loc[a.index, "hr"]))))
    out["se_ratio_sample_over_all"] = float(np.median(s.loc[a.index, "se"] / a["se"]))
    out["hazard_ratios"] = pd.DataFrame({"all": a["hr"], "sample": s.loc[a.index, "hr"]}).reset_index().to_dict("records")
    backtest = landmark_frame(cu, r, it, landmark=pd.Timestamp(AS_OF) - pd.Timedelta(days=HORIZON), as_of=AS_OF, **kw)
    for label, m in (("sample", args.sample), ("all", None)):
        t0 = time.perf_counter()
        v = validate(tv, covs, horizon_days=HORIZON, group_col="segment", test=backtest, seed=20256231, design_sample=m)
        out[f"validate_{label}_s"] = time.perf_counter() - t0
        cox = v.table.iloc[0]
        out[f"validate_{label}"] = {"concordance": float(cox["concordance"]), "concordance_sd": float(cox["concordance_sd"]),
                                    "ici": float(cox["ici"]), "e50": float(cox["e50"]), "n": int(cox["n"])}
        print(label, out[f"validate_{label}_s"], out[f"validate_{label}"], flush=True)
    out["concordance_cost"] = out["validate_all"]["concordance"] - out["validate_sample"]["concordance"]
    out["load_after"] = list(os.getloadavg())
    text = json.dumps(out, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
