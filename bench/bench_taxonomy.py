"""Guided topics measured against people's labels and planted truth, and their speed.

1. The travel taxonomy (``cxtemplate/analysis/text/taxonomies/travel.yaml``) and its aspect-to-reason map
   (``tests/data/airline_reason_map.yaml``), both written from general knowledge and committed before this was first
   run, on the negative airline tweets with a reason (``../shared/real-data/twitter_airline_sentiment``): per-reason
   precision, recall and F1 of the primary aspect's reason, AMI, the share with no aspect; beside it, for scale, a
   classifier trained on the labels themselves (TF-IDF + logistic regression, 5-fold out of fold).
2. The demo organisation's planted topics (``data/demo``, ``truth.json``): per planted topic the reported unit,
   precision and recall, and the planted effect against the unit's interval.
3. Speed: :func:`cxtemplate.analysis.text.aspects.analyse_aspects` (matching, polarity, discovery with its k search)
   in comments per second on the demo's comments and on 20,000 comments of a larger synthetic organisation.

Run: ``python bench/bench_taxonomy.py [--out bench/results/taxonomy.md]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL = ROOT.parent / "shared" / "real-data"


def airline(lines: list[str]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import adjusted_mutual_info_score, precision_recall_fscore_support
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from cxtemplate.analysis.text.taxonomy import load_taxonomy, primary_aspect

    tw = pd.read_csv(REAL / "twitter_airline_sentiment" / "Tweets.csv")
    neg = tw[(tw["airline_sentiment"] == "negative") & (tw["negativereason"] != "Can't Tell")].reset_index(drop=True)
    y = neg["negativereason"]
    reason_of = yaml.safe_load((ROOT / "tests" / "data" / "airline_reason_map.yaml").read_text())
    t0 = time.perf_counter()
    primary = primary_aspect(load_taxonomy("travel"), neg["text"])
    seconds = time.perf_counter() - t0
    guided = primary.map(reason_of).fillna("none")
    X = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(
        neg["text"].str.replace(r"@\w+", "", regex=True))
    trained = cross_val_predict(LogisticRegression(C=4, max_iter=2000, class_weight="balanced"), X, y,
                                cv=StratifiedKFold(5, shuffle=True, random_state=0))
    reasons = sorted(y.unique())
    pg, rg, fg, n = precision_recall_fscore_support(y, guided, labels=reasons, zero_division=0)
    _, _, fs, _ = precision_recall_fscore_support(y, trained, labels=reasons, zero_division=0)
    lines += ["## Travel taxonomy against the airline tweets' complaint reasons", "",
              f"{len(neg):,} negative tweets with a reason other than \"Can't Tell\". A tweet's predicted reason is the "
              "reason of its primary aspect (most term occurrences; ties to the aspect listed first). The taxonomy and "
              "the map were committed (1db9011) before this was first run and have not been changed since.", "",
              "| reason | n | precision | recall | F1 (taxonomy) | F1 (classifier trained on the labels) |",
              "|---|---:|---:|---:|---:|---:|"]
    for i, reason in enumerate(reasons):
        lines.append(f"| {reason} | {n[i]:,} | {pg[i]:.2f} | {rg[i]:.2f} | {fg[i]:.2f} | {fs[i]:.2f} |")
    lines += ["", f"Reasons with F1 ≥ 0.6: taxonomy {int((fg >= 0.6).sum())} of 9, trained classifier "
              f"{int((fs >= 0.6).sum())} of 9. AMI: taxonomy {adjusted_mutual_info_score(y, guided):.3f}, trained "
              f"classifier {adjusted_mutual_info_score(y, trained):.3f}. Tweets with no aspect: "
              f"{primary.isna().mean():.1%}. Matching: {len(neg) / seconds:,.0f} tweets per second.", ""]


def demo(lines: list[str]) -> None:
    from cxtemplate.analysis.text.aspects import analyse_aspects
    from cxtemplate.analysis.text.impact import topic_impact
    from cxtemplate.analysis.text.taxonomy import load_taxonomy
    from cxtemplate.data.privacy import redact

    responses = pd.read_csv(ROOT / "data" / "demo" / "responses.csv")
    c = responses[responses["comment"].notna() & responses["nps"].between(0, 10)].reset_index(drop=True)
    truth = json.loads((ROOT / "data" / "demo" / "truth.json").read_text())["topics"]
    text = redact(c["comment"]).text
    t0 = time.perf_counter()
    a = analyse_aspects(text, load_taxonomy("utilities"), c["nps"], seed=0)
    seconds = time.perf_counter() - t0
    imp = topic_impact(a.membership, c["nps"]).set_index("topic")
    lines += ["## Demo organisation: planted topics", "",
              f"{len(c):,} commented responses; utilities taxonomy; polarity: {a.polarity_method}; mixed aspects: "
              f"{', '.join(a.mixed_aspects)}; comments with no topic: {a.unassigned_share:.1%}.", "",
              "| planted topic | reported as | precision | recall | planted effect | estimate (95% CI) | inside |",
              "|---|---|---:|---:|---:|---|---|"]
    for name, info in truth.items():
        planted = c["comment"].str.contains(r"\b(?:" + "|".join(re.escape(k) for k in info["keywords"]) + r")\b",
                                            case=False).to_numpy()
        f1 = {u: 2 * (a.membership[u].to_numpy() & planted).sum() / (a.membership[u].sum() + planted.sum())
              for u in a.membership}
        unit = max(f1, key=f1.get)
        m = a.membership[unit].to_numpy()
        r = imp.loc[unit]
        inside = r["ci_low"] <= info["nps_diff_expected"] <= r["ci_high"]
        lines.append(f"| {info['label']} | {unit} | {(m & planted).sum() / m.sum():.3f} | {(m & planted).sum() / planted.sum():.3f} | "
                     f"{info['nps_diff_expected']:+.1f} | {r['impact']:+.1f} ({r['ci_low']:+.1f} to {r['ci_high']:+.1f}) | "
                     f"{'yes' if inside else 'no'} |")
    lines += ["", f"analyse_aspects on these comments: {seconds:.2f} s ({len(c) / seconds:,.0f} comments per second).", ""]


def speed(lines: list[str]) -> None:
    from cxtemplate.analysis.text.aspects import analyse_aspects
    from cxtemplate.analysis.text.taxonomy import load_taxonomy
    from cxtemplate.data.privacy import redact
    from cxtemplate.synth.organisation import SynthSpec, generate

    org = generate(SynthSpec(customers=40000, seed=7))
    r = org.tables["responses"]
    c = r[r["comment"].notna() & r["nps"].between(0, 10)].reset_index(drop=True).iloc[:20000]
    text = redact(c["comment"]).text
    t0 = time.perf_counter()
    analyse_aspects(text, load_taxonomy("utilities"), c["nps"], seed=0)
    seconds = time.perf_counter() - t0
    lines += ["## Speed", "", f"analyse_aspects on {len(c):,} comments of a synthetic organisation (seed 7): "
              f"{seconds:.2f} s, {len(c) / seconds:,.0f} comments per second (matching, polarity cross-fitting, "
              "discovery with its k search on the sentences left, assignment).", ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "taxonomy.md"))
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = ["# Guided topics: taxonomy, aspect × polarity", "",
             f"Produced by `bench/bench_taxonomy.py` on {dt.date.today()}; Python {platform.python_version()}, "
             f"{platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at the start.", ""]
    if (REAL / "twitter_airline_sentiment").is_dir():
        airline(lines)
    demo(lines)
    speed(lines)
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
