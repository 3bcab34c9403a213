"""Benchmark the churn model: Cox fit and scoring at 100k and 1M customers, and the cost of sampling.

Each case runs in a fresh Python process so its peak resident memory (``ru_maxrss``) is its own;
the figure reported is the peak minus the resident memory after imports and data generation, i.e.
what the fit (or scoring) itself needed on top of the data.

Timings live here, not in the tests (which assert no wall-clock time): case ``fit`` times scoring every
active customer in closed form against lifelines' ``predict_survival_function`` (the speed-up column), and
case ``tv`` times building the time-varying intervals (``build_s``). ``tests/churn/test_scoring.py`` checks
instead that scoring never calls lifelines' predictions and looks the baseline up twice per customer.

Usage (from the repository root)::

    .venv/bin/python bench/bench_churn.py            # all cases, prints a Markdown report
    .venv/bin/python bench/bench_churn.py --write    # … and writes bench/results/churn.md
    .venv/bin/python bench/bench_churn.py --case fit --n 100000   # one case, JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COVS = ["plan", "segment", "contract", "location", "age"]
TRUE = {"plan[Basic]": np.log(1.25), "plan[Premium]": np.log(0.8), "segment[Small business]": np.log(1.6),
        "segment[Enterprise]": np.log(0.6), "contract[Monthly]": np.log(1.7), "age": 0.01}


def rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def simulate(n: int, seed: int = 0, days: int = 1095) -> pd.DataFrame:
    """Customer-level data with integer-day tenure from a Weibull proportional-hazards model."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["Basic", "Standard", "Premium"], n, p=[0.35, 0.42, 0.23])
    segment = rng.choice(["Consumer", "Small business", "Enterprise"], n, p=[0.72, 0.21, 0.07])
    contract = np.where(rng.random(n) < 0.5, "Monthly", "Annual")
    location = rng.choice([f"L{i:02d}" for i in range(8)], n)
    age = rng.normal(45, 12, n).round()
    lp = (TRUE["plan[Basic]"] * (plan == "Basic") + TRUE["plan[Premium]"] * (plan == "Premium")
          + TRUE["segment[Small business]"] * (segment == "Small business")
          + TRUE["segment[Enterprise]"] * (segment == "Enterprise")
          + TRUE["contract[Monthly]"] * (contract == "Monthly") + TRUE["age"] * (age - 45))
    t = 2500 * (rng.exponential(size=n) / np.exp(lp)) ** (1 / 0.9)          # Weibull shape 0.9
    follow = rng.integers(1, days + 1, n)                                      # start uniform in the window
    churned = t < follow
    return pd.DataFrame({"customer_id": np.char.add("C", np.arange(n).astype(str)),
                         "tenure_days": np.where(churned, np.maximum(np.floor(t), 1), follow).astype(float),
                         "churned": churned, "plan": plan, "segment": segment, "contract": contract,
                         "location": location, "age": age, "revenue": rng.lognormal(3.5, 0.5, n).round(2)})


def _warm() -> None:
    """Import what the fits import lazily, so timings measure work, not imports."""
    import lifelines  # noqa: F401
    from lifelines import CoxPHFitter, CoxTimeVaryingFitter  # noqa: F401
    from lifelines.utils import concordance_index  # noqa: F401


def case_fit(n: int) -> dict:
    from cxtemplate.churn.km_cox import fit_cox
    from cxtemplate.churn.ph import schoenfeld_test
    from cxtemplate.churn.scoring import score_customers

    _warm()
    df = simulate(n)
    base = rss_mib()
    t0 = time.perf_counter()
    res = fit_cox(df, COVS, reference={"plan": "Standard", "segment": "Consumer", "contract": "Annual"},
                  check_ph=False)
    t_fit = time.perf_counter() - t0
    peak_fit = rss_mib()
    X = res.design.matrix(df)[res.params.index].to_numpy(float)
    t0 = time.perf_counter()
    schoenfeld_test(X, np.zeros(n), df["tenure_days"].to_numpy(), df["churned"].to_numpy(),
                    res.params.to_numpy(), res.variance)
    t_ph = time.perf_counter() - t0
    active = df.loc[~df["churned"]]
    t0 = time.perf_counter()
    sc = score_customers(res, active, 365)
    t_score = time.perf_counter() - t0
    sub = active.head(20_000)
    Xs = res.design.matrix(sub)[res.params.index]
    t0 = time.perf_counter()
    sf = res.fitter.predict_survival_function(Xs, times=np.unique(np.r_[sub["tenure_days"], sub["tenure_days"] + 365]))
    t_ll = (time.perf_counter() - t0) * len(active) / len(sub)
    del sf
    err = {k: float(res.params[k] - v) for k, v in TRUE.items()}
    return {"case": "fit", "n": n, "events": int(df["churned"].sum()), "distinct_event_days":
            int(df.loc[df["churned"], "tenure_days"].nunique()), "fit_s": t_fit, "ph_test_s": t_ph,
            "score_s": t_score, "scored": len(sc), "predict_survival_function_s_extrapolated": t_ll,
            "fit_peak_mib_over_data": peak_fit - base, "peak_rss_mib": rss_mib(), "concordance": res.concordance,
            "max_abs_coef_error": max(abs(v) for v in err.values())}


def case_sample(n: int, sample: int) -> dict:
    from lifelines.utils import concordance_index

    from cxtemplate.churn.km_cox import fit_cox

    _warm()
    df = simulate(n)
    test = simulate(200_000, seed=99)
    ref = {"plan": "Standard", "segment": "Consumer", "contract": "Annual"}
    out = {"case": "sample", "n": n, "sample": sample}
    for label, kw in (("all", {}), ("sample", {"max_subjects": sample})):
        t0 = time.perf_counter()
        res = fit_cox(df, COVS, reference=ref, check_ph=False, **kw)
        out[f"{label}_fit_s"] = time.perf_counter() - t0
        lp = res.linear_predictor(test)
        out[f"{label}_heldout_concordance"] = concordance_index(test["tenure_days"], -lp, test["churned"])
        out[f"{label}_max_abs_coef_error"] = max(abs(float(res.params[k] - v)) for k, v in TRUE.items())
        out[f"{label}_max_se"] = float(res.hazard_ratios["se"].max())
    return out


def case_tv(n: int, subjects: list[int]) -> dict:
    from cxtemplate.churn.data import CXOptions, time_varying_frame
    from cxtemplate.churn.km_cox import fit_cox_time_varying
    from cxtemplate.synth.churn_sim import simulate_churn

    _warm()
    cust, resp, inter, truth = simulate_churn(n, seed=1, years=3, integer_days=True)
    t0 = time.perf_counter()
    tv = time_varying_frame(cust, resp, inter, as_of="2025-01-01", covariates=["plan", "segment"],
                            cx=CXOptions(("nps_category", "unresolved_contacts")))
    out = {"case": "tv", "n": n, "rows": len(tv), "events": int(tv["churned"].sum()),
           "build_s": time.perf_counter() - t0, "fits": []}
    for m in subjects:
        t0 = time.perf_counter()
        res = fit_cox_time_varying(tv, reference={"plan": "basic"}, max_subjects=m if m < n else None,
                                   check_ph=False)
        fit_s = time.perf_counter() - t0
        hr = res.hazard_ratios.set_index("term")
        out["fits"].append({"subjects": min(m, n), "fit_s": fit_s,
                            "hr_detractor": float(hr.loc["nps_category[detractor]", "hr"]),
                            "se_detractor": float(hr.loc["nps_category[detractor]", "se"])})
    tracemalloc.start()      # memory of the largest fit, measured on a second (traced, slower) run
    fit_cox_time_varying(tv, reference={"plan": "basic"}, max_subjects=m if m < n else None, check_ph=False)
    out["fits"][-1]["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    t0 = time.perf_counter()
    res.ph_test = None
    from cxtemplate.churn.ph import schoenfeld_test
    X = res.design.matrix(tv)[res.params.index].to_numpy(float)
    schoenfeld_test(X, tv["start"].to_numpy(), tv["stop"].to_numpy(), tv["churned"].to_numpy(),
                    res.params.to_numpy(), res.variance)
    out["tv_ph_test_s"] = time.perf_counter() - t0
    out["truth_detractor"] = truth["nps"]["detractor"]
    return out


def case_quality() -> dict:
    """Bank churn (real data, if present) through the pipeline, and planted-HR recovery on cxtemplate.synth.organisation."""
    from cxtemplate.churn.data import survival_frame, time_varying_frame
    from cxtemplate.churn.km_cox import fit_cox, fit_cox_time_varying, kaplan_meier
    from cxtemplate.churn.scoring import score_customers
    from cxtemplate.churn.validation import lifelines_calibration, validate

    out: dict = {"case": "quality"}
    path = ROOT.parent / "shared" / "real-data" / "bank_churn" / "Churn_Modelling.csv"
    if path.exists():
        raw = pd.read_csv(path)
        cust = pd.DataFrame({"customer_id": raw["CustomerId"].astype(str), "tenure": raw["Tenure"],
                             "churned": raw["Exited"].astype(bool), "location": raw["Geography"],
                             "gender": raw["Gender"], "age": raw["Age"], "credit_score": raw["CreditScore"],
                             "balance": raw["Balance"], "products": raw["NumOfProducts"],
                             "active_member": raw["IsActiveMember"], "has_card": raw["HasCrCard"]})
        sf = survival_frame(cust, covariates=[c for c in cust.columns if c not in
                                              ("customer_id", "tenure", "churned")], tenure_unit="year")
        res = fit_cox(sf)
        v = validate(sf, res.design.covariates, horizon_days=365, group_col="location", k=5)
        _, ici, e50 = lifelines_calibration(res, sf, 365)
        sc = score_customers(res, sf.loc[~sf["churned"]], 365)
        km = kaplan_meier(sf, "location")
        out["bank"] = {"customers": len(sf), "churns": int(sf["churned"].sum()),
                       "hazard_ratios": res.hazard_ratios[["label", "hr", "hr_low", "hr_high", "p"]].to_dict("records"),
                       "ph_note": res.ph_note, "in_sample_concordance": res.concordance,
                       "cv": v.table.drop(columns=["design"]).to_dict("records"),
                       "in_sample_ici": ici, "in_sample_e50": e50, "mean_risk_active": float(sc["churn_probability"].mean()),
                       "km": km.summary[["group", "customers", "churned", "rmst_days", "rmst_low", "rmst_high"]
                                        ].to_dict("records")}
    try:
        from cxtemplate.synth.organisation import generate
        from cxtemplate.synth.spec import SynthSpec
    except ImportError:
        return out
    rows = []
    for n in (6000, 20000):
        org = generate(SynthSpec(customers=n, seed=20251231, dirty=False, plant_step=False))
        truth = org.truth["churn"]
        tv = time_varying_frame(org.tables["customers"], org.tables["responses"], as_of=org.spec.end,
                                covariates=["segment", "plan", "contract"])
        ref = {g: c["reference"] for g, c in truth["covariates"].items()}
        t0 = time.perf_counter()
        res = fit_cox_time_varying(tv, reference=ref)
        fit_s = time.perf_counter() - t0
        for _, r in res.hazard_ratios.iterrows():
            lv = {"none_yet": "no_response"}.get(r["level"], r["level"])
            true = truth["covariates"][r["covariate"]]["hazard_ratio"][lv]
            rows.append({"customers": n, "churns": int(tv["churned"].sum()), "fit_s": fit_s, "term": r["label"],
                         "truth": true, "hr": r["hr"], "hr_low": r["hr_low"], "hr_high": r["hr_high"],
                         "inside_95": bool(r["hr_low"] <= true <= r["hr_high"])})
    out["synth"] = rows
    return out


def run(args: list[str]) -> dict:
    r = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def median_run(args: list[str], key: str, repeats: int = 3) -> dict:
    """Run a case ``repeats`` times (fresh processes) and keep the run with the median ``key``."""
    runs = sorted((run(args) for _ in range(repeats)), key=lambda r: r[key])
    return runs[len(runs) // 2]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        mem = f", {kb / 1024 ** 2:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    import lifelines
    import numpy

    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release().split('-')[0]}; "
            f"Python {platform.python_version()}, lifelines {lifelines.__version__}, pandas {pd.__version__}, "
            f"numpy {numpy.__version__}")


def report(fits, sample, tv) -> str:
    lines = ["# Churn model benchmark", "", f"Machine: {machine()}.", "",
             ("Run: `.venv/bin/python bench/bench_churn.py --write`. Each case runs in a fresh process; the static "
              "cases three times, reporting the run with the median fit time (other work shares the 2 cores, so "
              "single timings vary by up to 2×). Fit memory = peak resident memory of the process minus its "
              "resident memory after the data were generated; the time-varying fit's memory is tracemalloc's peak."),
             "",
             "## Static Cox fit and scoring (customer level, integer-day tenure, 3-year window)", "",
             ("5 covariates (plan 3 levels, segment 3, contract 2, location 8, age numeric) → 14 model terms; "
             "default L2 penalty (λ = 1); Efron ties."), "",
             ("| customers | churns | distinct churn days | Cox fit (s) | fit memory (MiB) | PH test (s) | "
             "scoring active customers (s) | `predict_survival_function` (s, extrapolated) | speed-up |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f in fits:
        lines.append(f"| {f['n']:,} | {f['events']:,} | {f['distinct_event_days']:,} | {f['fit_s']:.1f} | "
                     f"{f['fit_peak_mib_over_data']:.0f} | {f['ph_test_s']:.2f} | {f['score_s']:.2f} "
                     f"({f['scored']:,}) | {f['predict_survival_function_s_extrapolated']:.1f} | "
                     f"{f['predict_survival_function_s_extrapolated'] / f['score_s']:.0f}× |")
    s = sample
    lines += ["", f"## Fitting on a sample: {s['sample']:,} of {s['n']:,} customers", "",
              ("Concordance on 200,000 held-out customers simulated from the same model; coefficient error = "
              "largest |estimate − truth| on the log-hazard scale."), "",
              "| fitted on | fit (s) | held-out concordance | max coefficient error | largest SE |",
              "|---|---:|---:|---:|---:|",
              (f"| all {s['n']:,} | {s['all_fit_s']:.1f} | {s['all_heldout_concordance']:.4f} | "
              f"{s['all_max_abs_coef_error']:.3f} | {s['all_max_se']:.3f} |"),
              (f"| sample {s['sample']:,} | {s['sample_fit_s']:.1f} | {s['sample_heldout_concordance']:.4f} | "
              f"{s['sample_max_abs_coef_error']:.3f} | {s['sample_max_se']:.3f} |"), "",
              f"Concordance lost by sampling: {s['all_heldout_concordance'] - s['sample_heldout_concordance']:.4f}.",
              "", "## Time-varying Cox (lifelines `CoxTimeVaryingFitter`)", "",
              (f"{tv['n']:,} simulated customers, integer-day tenure, NPS category + unresolved contacts + plan + "
              f"segment; {tv['rows']:,} (start, stop] rows built in {tv['build_s']:.2f} s; {tv['events']:,} churns. "
              f"Schoenfeld PH test on all rows: {tv['tv_ph_test_s']:.2f} s."), "",
              ("| customers fitted | fit (s) | peak allocated (MiB, tracemalloc) | HR detractor (truth "
              f"{tv['truth_detractor']}) | SE log HR |"), "|---:|---:|---:|---:|---:|"]
    for f in tv["fits"]:
        mem = f"{f['traced_peak_mib']:.0f}" if "traced_peak_mib" in f else "–"
        lines.append(f"| {f['subjects']:,} | {f['fit_s']:.1f} | {mem} | {f['hr_detractor']:.3f} | "
                     f"{f['se_detractor']:.3f} |")
    return "\n".join(lines) + "\n"


READING = """
## Reading

* Scoring is not the bottleneck: the closed form 1 − exp(−[H0(t+h) − H0(t)]·e^{x'β}) scores every active
  customer in well under a second at 1M, where lifelines' `predict_survival_function` needs the whole
  survival matrix (tens of seconds and gigabytes).
* Sampling the static fit to 200,000 customers costs nothing measurable in concordance; it only widens
  the hazard-ratio intervals (SE × √5). `fit_sample_above = 200_000` is safe for the static model.
* `CoxTimeVaryingFitter` costs about rows × distinct churn days (its likelihood and baseline loops run
  once per churn time): ~35–45 s for 100,000 customers (375,000 intervals). For the time-varying model a
  sample of 100,000–200,000 customers keeps the fit under ~1–2 minutes on this machine.
* Bank churn: tenure is whole years, so the 1-year calibration *from day 0* is coarse — all first-year
  churners sit at ½ year and the next churns at 1½ years; the baseline is interpolated linearly between
  them (as lifelines does), which predicts 2.1% by day 365 where the step Kaplan–Meier curve says 0.95%.
  Discrimination (concordance 0.72 vs 0.58 for Kaplan–Meier by location) is the meaningful figure there;
  scores of active customers (t → t + 1 year, both on the year grid) are unaffected.
"""


def quality_report(q: dict) -> str:
    lines = []
    if "bank" in q:
        b = q["bank"]
        lines += ["", "## Real data: bank churn (10,000 customers, tenure in whole years → midpoint days)", "",
                  (f"{b['churns']:,} churns. Cox model on location, gender, age, credit score, balance, products, "
                  f"active member, has card. {b['ph_note']}"), "",
                  "| model | CV concordance (5-fold) | sd | ICI | E50 | mean predicted | observed (KM) by 365 d |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in b["cv"]:
            lines.append(f"| {r['model']} | {r['concordance']:.3f} | {r['concordance_sd']:.3f} | {r['ici']:.4f} | "
                         f"{r['e50']:.4f} | {r['mean_predicted']:.4f} | {r['observed_by_horizon']:.4f} |")
        lines += ["", (f"In-sample: concordance {b['in_sample_concordance']:.3f}; lifelines "
                  f"`survival_probability_calibration` at 365 days: ICI {b['in_sample_ici']:.4f}, "
                  f"E50 {b['in_sample_e50']:.4f}. Mean 1-year risk of the 7,963 active customers: "
                  f"{b['mean_risk_active']:.1%}."), "", "| hazard ratio | HR | 95% CI | p |", "|---|---:|---|---:|"]
        for r in b["hazard_ratios"]:
            lines.append(f"| {r['label']} | {r['hr']:.3f} | {r['hr_low']:.3f}–{r['hr_high']:.3f} | {r['p']:.2g} |")
    if q.get("synth"):
        lines += ["", "## Planted hazard ratios (cxtemplate.synth.organisation, seed 20251231, time-varying Cox)", "",
                  "| customers | churns | fit (s) | term | truth | estimate | 95% CI | inside |",
                  "|---:|---:|---:|---|---:|---:|---|:---:|"]
        for r in q["synth"]:
            lines.append(f"| {r['customers']:,} | {r['churns']:,} | {r['fit_s']:.1f} | {r['term']} | {r['truth']:g} | "
                         f"{r['hr']:.3f} | {r['hr_low']:.3f}–{r['hr_high']:.3f} | {'yes' if r['inside_95'] else 'no'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", choices=["fit", "sample", "tv", "quality"])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=200_000)
    ap.add_argument("--subjects", default="25000,50000,100000")
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    if a.case == "fit":
        print(json.dumps(case_fit(a.n)))
    elif a.case == "sample":
        print(json.dumps(case_sample(a.n, a.sample)))
    elif a.case == "quality":
        print(json.dumps(case_quality(), default=float))
    elif a.case == "tv":
        print(json.dumps(case_tv(a.n, [int(x) for x in a.subjects.split(",")])))
    else:
        fits = [median_run(["--case", "fit", "--n", str(n)], "fit_s") for n in (100_000, 1_000_000)]
        sample = median_run(["--case", "sample", "--n", "1000000", "--sample", "200000"], "all_fit_s")
        tv = run(["--case", "tv", "--n", "100000", "--subjects", "25000,50000,100000"])
        md = report(fits, sample, tv) + quality_report(run(["--case", "quality"])) + READING
        print(md)
        if a.write:
            out = ROOT / "bench" / "results" / "churn.md"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(md)


if __name__ == "__main__":
    main()
