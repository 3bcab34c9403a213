"""Benchmark of sentiment scoring, topic alignment and redaction on real labelled comments.

Run from the repository root (needs ``../shared/real-data``)::

    .venv/bin/python bench/bench_sentiment.py

Writes ``bench/results/sentiment.md``. Data sets (see each SOURCE.md):

* Twitter US Airline Sentiment: 14,640 tweets with human 3-class labels and, for negative
  tweets, a human complaint reason (``negativereason``).
* Amazon Alexa reviews: 3,150 reviews with 1–5 stars (80 blank reviews left out);
  classes: ≥4 positive, ≤2 negative, 3 neutral; binary ``feedback`` = rating ≥ 3.

``own_scores`` is scored out of fold (5-fold cross-fitting inside each data set, labels from
the data set's own ratings), exactly as :func:`cxtemplate.sentiment.score_sentiment` does it for
an organisation.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxtemplate import privacy, sentiment, text  # noqa: E402

DATA = ROOT.parent / "shared" / "real-data"
OUT = ROOT / "bench" / "results" / "sentiment.md"
AIRLINE_HANDLES = ["united", "usairways", "americanair", "southwestair", "jetblue",
                   "virginamerica", "delta", "flight", "flights", "airline"]


def load_tweets() -> pd.DataFrame:
    return pd.read_csv(DATA / "twitter_airline_sentiment" / "Tweets.csv")


def load_alexa() -> pd.DataFrame:
    a = pd.read_csv(DATA / "amazon_alexa_reviews" / "amazon_alexa.tsv", sep="\t",
                    encoding="utf-8-sig")
    a = a[a["verified_reviews"].fillna("").str.strip() != ""].reset_index(drop=True)
    a["cls"] = sentiment.classes_from_scores(a["rating"], scale="stars")
    return a


def fmt(x, d=3):
    return f"{x:.{d}f}"


def conf_md(cm: pd.DataFrame) -> str:
    head = "| true \\ predicted | " + " | ".join(cm.columns) + " |"
    sep = "|---" * (len(cm.columns) + 1) + "|"
    rows = [f"| {i} | " + " | ".join(f"{v:,}" for v in cm.loc[i]) + " |" for i in cm.index]
    return "\n".join([head, sep, *rows])


def bench_sentiment(lines: list[str]) -> dict:
    tw, al = load_tweets(), load_alexa()
    sets = {
        "Twitter airline (human 3-class labels)": (tw["text"], tw["airline_sentiment"], "class"),
        "Alexa reviews (stars: ≥4 pos, 3 neu, ≤2 neg)": (al["verified_reviews"], al["rating"], "stars"),
    }
    figures = {}
    lines += ["## Sentiment accuracy", "",
              "VADER labels: compound ≥ 0.05 positive, ≤ −0.05 negative, else neutral. "
              "own_scores: TF-IDF word 1–2-grams + class-balanced logistic regression (C = 4), "
              "5-fold out-of-fold predictions, seed 0; label = most probable class, "
              "score = P(pos) − P(neg). Binary = rows whose true label is positive or negative, "
              "predicted by the sign of the score; a score of exactly 0 counts as an error "
              "(share reported as 'undecided').", ""]
    summary = ["| data set | method | n | accuracy | macro-F1 | binary n | binary accuracy | "
               "binary macro-F1 | undecided | seconds | comments/s |",
               "|---|---|---|---|---|---|---|---|---|---|---|"]
    details = []
    for name, (texts, labels, scale) in sets.items():
        truth = sentiment.classes_from_scores(labels, scale=scale)
        for method in ("vader", "own_scores"):
            sentiment._vader.cache_clear()
            t0 = time.perf_counter()
            res = sentiment.score_sentiment(texts, method=method, labels=labels, scale=scale)
            dt = time.perf_counter() - t0
            ev = sentiment.evaluate_sentiment(truth, res["label"], scores=res["score"])
            figures[(name, method)] = ev
            summary.append(f"| {name} | {method} | {ev['n']:,} | {fmt(ev['accuracy'])} | "
                           f"{fmt(ev['macro_f1'])} | {ev['binary_n']:,} | {fmt(ev['binary_accuracy'])} | "
                           f"{fmt(ev['binary_macro_f1'])} | {ev['binary_undecided']:.1%} | {dt:.1f} | "
                           f"{len(texts) / dt:,.0f} |")
            details += [f"**{name} — {method}** (rows = human/true class)", "", conf_md(ev["confusion"]), ""]
        if scale == "stars":
            # the data set's own binary feedback (1 = rating >= 3) against the sign of the score
            fb = al["feedback"].map({1: "positive", 0: "negative"})
            for method in ("vader", "own_scores"):
                fb_labels = al["feedback"].map({1: 1, 0: -1}) if method == "own_scores" else None
                res = sentiment.score_sentiment(texts, method=method, labels=fb_labels, scale="class")
                ev = sentiment.evaluate_sentiment(fb, np.where(res["score"] > 0, "positive", "negative"),
                                                  scores=res["score"])
                figures[("Alexa feedback", method)] = ev
                summary.append(f"| Alexa binary feedback (rating ≥ 3) | {method} | {ev['n']:,} | "
                               f"{fmt(ev['accuracy'])} | {fmt(ev['macro_f1'])} | {ev['binary_n']:,} | "
                               f"{fmt(ev['binary_accuracy'])} | {fmt(ev['binary_macro_f1'])} | "
                               f"{ev['binary_undecided']:.1%} | | |")
    lines += summary + ["", "Alexa binary feedback: accuracy there counts a 0 score as negative; the "
                        "binary columns count it as an error. own_scores on feedback is trained on "
                        "the binary feedback itself.", "", "### Confusion matrices", "", *details]
    return figures


def bench_throughput(lines: list[str]) -> None:
    tw = load_tweets()
    big = pd.Series(np.resize(tw["text"].to_numpy(), 100_000))
    # make texts distinct so VADER's de-duplication does not flatter it
    big = big + " #" + pd.Series(np.arange(len(big))).astype(str)
    sentiment._vader()
    t0 = time.perf_counter()
    sentiment.vader_compound(big)
    v = time.perf_counter() - t0
    labels = pd.Series(np.resize(tw["airline_sentiment"].to_numpy(), len(big)))
    t0 = time.perf_counter()
    sentiment.score_sentiment(big, method="own_scores", labels=labels, scale="class")
    o = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = privacy.redact(big)
    red = time.perf_counter() - t0
    names = [f"Customer{i} Surname{i % 997}" for i in range(50_000)]
    t0 = time.perf_counter()
    pat = privacy.build_name_pattern(names)
    comp = time.perf_counter() - t0
    t0 = time.perf_counter()
    privacy.redact(big, pat)
    red_n = time.perf_counter() - t0
    one_mb = " ".join(np.resize(tw["text"].to_numpy(), 8000))[:1_000_000]
    t0 = time.perf_counter()
    privacy.redact([one_mb], pat)
    mb = time.perf_counter() - t0
    lines += ["## Throughput (100,000 distinct tweets, one process)", "",
              "| step | seconds | comments/s |", "|---|---|---|",
              f"| VADER compound | {v:.1f} | {len(big) / v:,.0f} |",
              f"| own_scores, 5-fold out-of-fold + fit | {o:.1f} | {len(big) / o:,.0f} |",
              f"| redact (no names) | {red:.1f} | {len(big) / red:,.0f} |",
              f"| build name matcher, 50,000 names | {comp:.1f} | |",
              f"| redact with 50,000 names | {red_n:.1f} | {len(big) / red_n:,.0f} |",
              f"| redact one 1 MB comment with 50,000 names | {mb:.2f} | |", "",
              f"Redaction counts on the 100,000 tweets: {r.counts}", ""]


def bench_topics(lines: list[str]) -> dict:
    tw = load_tweets()
    neg = tw[tw["airline_sentiment"] == "negative"].reset_index(drop=True)
    neg_text = privacy.redact(neg["text"]).text
    reason = neg["negativereason"].where(neg["negativereason"] != "Can't Tell")
    lines += ["## Topic alignment with human complaint reasons (Twitter airline, negative tweets)", "",
              f"{len(neg):,} negative tweets, redacted; airline handles and the words flight/airline "
              "added as stop words. Topic per tweet = the topic with the largest NMF weight; "
              "compared with the human `negativereason` (9 reasons; 'Can't Tell' left out). "
              "AMI = adjusted mutual information (0 = chance); purity baseline = share of the "
              "commonest reason (Customer Service Issue).", "",
              "| k | chosen by | mean NPMI | n | AMI | NMI | purity | baseline purity | seconds |",
              "|---|---|---|---|---|---|---|---|---|"]
    out = {}
    for k in (None, 6, 9, 12):
        t0 = time.perf_counter()
        m = text.fit_topics(neg_text, n_topics=k, seed=0, stop_words=AIRLINE_HANDLES)
        dt = time.perf_counter() - t0
        W = text.topic_weights(m, neg_text)
        top = W.idxmax(axis=1).where(W.sum(axis=1) > 0)
        al = text.topic_alignment(top, reason)
        out[k] = (m, al)
        npmi = m.selection.loc[m.selection["chosen"], "mean_npmi"].iloc[0]
        lines.append(f"| {m.k} | {'NPMI over 4–12' if k is None else 'given'} | {npmi:.3f} | "
                     f"{al['n']:,} | {al['ami']:.3f} | {al['nmi']:.3f} | {al['purity']:.3f} | "
                     f"{al['baseline_purity']:.3f} | {dt:.1f} |")
    m = out[None][0]
    lines += ["", "Coherence per candidate k (NPMI criterion):", "",
              "| k | mean NPMI | reconstruction error |", "|---|---|---|",
              *[f"| {r.k} | {r.mean_npmi:.3f} | {r.reconstruction_error:.1f} |"
                for r in m.selection.itertuples()], "",
              "Topics at k = 9 (label = top 3 terms; share of negative tweets mentioning it):", "",
              "| topic | label | share | NPMI |", "|---|---|---|---|",
              *[f"| {r.topic_id} | {r.label} | {r.share:.1%} | {r.coherence:.3f} |"
                for r in out[9][0].topics.itertuples()], ""]
    return out


def bench_synth(lines: list[str]) -> None:
    try:
        from cxtemplate import synth
    except ImportError:
        lines += ["## Planted topics (synthetic organisation)", "", "cxtemplate.synth not available.", ""]
        return
    org = synth.generate(synth.SynthSpec(customers=5000))
    r = org.tables["responses"]
    c = r[r["comment"].notna() & r["nps"].between(0, 10)]
    t0 = time.perf_counter()
    red = privacy.redact(c["comment"], known_names=org.tables["customers"]["name"])
    dt_red = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = text.fit_topics(red.text, seed=0)
    dt = time.perf_counter() - t0
    imp = text.topic_impact(text.assign_topics(m, red.text), c["nps"]).set_index("topic")
    lines += ["## Planted topics (synthetic organisation, 5,000 customers, seed 0)", "",
              f"{len(c):,} comments. Redaction ({dt_red:.2f} s) found {red.rows} comments per kind; "
              f"planted: { {k: org.truth['pii'][k] for k in ('email', 'phone', 'name', 'card')} }. "
              f"fit_topics chose k = {m.k} by NPMI in {dt:.1f} s.", "",
              "| planted topic | planted NPS diff | matched topic (top-10 overlap, 5-letter stems) | "
              "estimated impact | 95% interval |", "|---|---|---|---|---|"]
    for name, t in org.truth["topics"].items():
        kw = {w[:5] for k in t["keywords"] for w in k.lower().split()}
        ov = [len({w[:5] for term, _ in tt[:10] for w in term.split()} & kw) for tt in m.topics["top_terms"]]
        j = int(np.argmax(ov))
        if ov[j] >= 2:
            lab = m.topics["label"].iloc[j]
            r_ = imp.loc[lab]
            lines.append(f"| {name} | {t['nps_diff_expected']:.1f} | {lab} | {r_['impact']:.1f} | "
                         f"{r_['ci_low']:.1f} … {r_['ci_high']:.1f} |")
        else:
            lines.append(f"| {name} | {t['nps_diff_expected']:.1f} | not found | | |")
    lines += ["", f"Most harmful planted: {org.truth['topics_most_harmful']}; most harmful estimated: "
              f"{imp['impact'].idxmin()}.", ""]


def main() -> None:
    lines = ["# Sentiment, topics and redaction on real labelled comments", "",
             f"Produced by `bench/bench_sentiment.py` on {time.strftime('%Y-%m-%d')}; "
             f"Python {platform.python_version()}, pandas {pd.__version__}, "
             f"{platform.machine()}, 2-core machine.", ""]
    t0 = time.perf_counter()
    bench_sentiment(lines)
    bench_topics(lines)
    bench_synth(lines)
    bench_throughput(lines)
    lines.append(f"Total bench time {time.perf_counter() - t0:.0f} s.")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
