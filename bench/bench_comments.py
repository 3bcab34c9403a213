"""What sampling costs the comment analysis: topics and the own-scores sentiment classifier.

On an engagement's redacted comments (the ``responses`` table of a finished run, e.g. the 100k
organisation: ~200,000 comments), each analysis is run on all comments and with the sample the
report uses above its threshold:

* topics (``experience.comment_topics``): found on all comments vs on a random sample of
  ``experience.TOPIC_FIT_SAMPLE`` (20,000) and then assigned to every comment. Compared: the number
  of topics chosen, each sampled topic's best match among the full fit's topics (Jaccard overlap of the
  comments assigned to them, and of their top-10 words), and their NPS impacts;
* sentiment (``sentiment.score_sentiment``, own scores): cross-fitted on all labelled comments vs on a
  random sample of ``sentiment.OWN_SCORES_TRAIN_SAMPLE`` (25,000). Compared: agreement of the labels,
  and the accuracy and macro-F1 of each against the classes the comments' own NPS gives.

Run: ``python bench/bench_comments.py RUN_DIR [--seed 4000] [--json out.json]``
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("--seed", type=int, default=4000)
    ap.add_argument("--json")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from cxtemplate.analysis import experience as ex
    from cxtemplate.analysis.text import sentiment
    from cxtemplate.analysis.text import topics as text
    from cxtemplate.run.store import Store

    r = Store(args.run_dir).read_table("responses", ["comment", "nps"])
    c = r[r["comment"].notna() & (r["comment"].str.strip() != "")]
    out = {"comments": int(len(c)), "distinct": int(c["comment"].nunique()), "load_before": list(os.getloadavg()),
           "topic_sample": ex.TOPIC_FIT_SAMPLE, "sentiment_train_sample": sentiment.OWN_SCORES_TRAIN_SAMPLE}
    fits = {}
    for label, above in (("sample", ex.TOPIC_FIT_SAMPLE), ("all", None)):
        t0 = time.perf_counter()
        fits[label] = ex.comment_topics(c["comment"], seed=args.seed, sample_above=above)
        out[f"topics_{label}_s"] = time.perf_counter() - t0
        out[f"topics_{label}_k"] = int(fits[label].model.k)
        print(label, out[f"topics_{label}_s"], out[f"topics_{label}_k"], flush=True)
    full, samp = fits["all"], fits["sample"]
    imp_full = text.topic_impact(full.membership, c["nps"], kind="nps").set_index("topic")["impact"]
    imp_samp = text.topic_impact(samp.membership, c["nps"], kind="nps").set_index("topic")["impact"]
    words = {lab: {t for t, _ in terms} for lab, terms in zip(full.model.topics["label"], full.model.topics["top_terms"])}
    matches = []
    for lab, terms in zip(samp.model.topics["label"], samp.model.topics["top_terms"]):
        ms = samp.membership[lab].to_numpy()
        best, jac = None, -1.0
        for flab in full.model.labels:
            mf = full.membership[flab].to_numpy()
            j = (ms & mf).sum() / max((ms | mf).sum(), 1)
            if j > jac:
                best, jac = flab, j
        ws = {t for t, _ in terms}
        matches.append({"sample_topic": lab, "full_topic": best, "members_jaccard": float(jac),
                        "words_jaccard": len(ws & words[best]) / max(len(ws | words[best]), 1),
                        "impact_sample": float(imp_samp[lab]), "impact_full": float(imp_full[best])})
    out["topic_matches"] = matches
    y = sentiment.classes_from_scores(c["nps"], scale="nps")
    sent = {}
    for label, ts in (("sample", sentiment.OWN_SCORES_TRAIN_SAMPLE), ("all", None)):
        t0 = time.perf_counter()
        sent[label] = sentiment.score_sentiment(c["comment"], labels=c["nps"], seed=args.seed, train_sample=ts)
        out[f"sentiment_{label}_s"] = time.perf_counter() - t0
        ev = sentiment.evaluate_sentiment(y, sent[label]["label"])
        out[f"sentiment_{label}"] = {"accuracy": ev["accuracy"], "macro_f1": ev["macro_f1"],
                                     "negative_share": float((sent[label]["label"] == "negative").mean())}
        print(label, out[f"sentiment_{label}_s"], out[f"sentiment_{label}"], flush=True)
    out["sentiment_label_agreement"] = float(np.mean(sent["sample"]["label"].to_numpy() == sent["all"]["label"].to_numpy()))
    out["load_after"] = list(os.getloadavg())
    text_out = json.dumps(out, indent=2)
    if args.json:
        Path(args.json).write_text(text_out + "\n")
    print(text_out)


if __name__ == "__main__":
    main()
