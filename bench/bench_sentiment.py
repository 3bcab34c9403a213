"""Benchmark of sentiment scoring, topic alignment and redaction on real labelled comments.

Run from the repository root (needs ``../shared/real-data``)::

    .venv/bin/python bench/bench_sentiment.py              # everything
    .venv/bin/python bench/bench_sentiment.py --topics     # the topic sections only
    .venv/bin/python bench/bench_sentiment.py --sentiment  # sentiment accuracy and throughput only

Writes ``bench/results/sentiment.md``. Data sets (see each SOURCE.md):

* Twitter US Airline Sentiment: 14,640 tweets with human 3-class labels and, for negative
  tweets, a human complaint reason (``negativereason``).
* Amazon Alexa reviews: 3,150 reviews with 1–5 stars (80 blank reviews left out);
  classes: ≥4 positive, ≤2 negative, 3 neutral; binary ``feedback`` = rating ≥ 3.

``own_scores`` is scored out of fold (grouped 5-fold cross-fitting inside each data set: texts that
are identical after ``sentiment.normalise_text`` share a fold; labels from the data set's own
ratings), exactly as :func:`cxtemplate.analysis.text.sentiment.score_sentiment` does it for an
organisation. Every accuracy is shown beside the majority rate (always answering the commonest
class), which a scorer has to beat for its accuracy to mean anything.
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

from cxtemplate.analysis.text import sentiment  # noqa: E402
from cxtemplate.data import privacy  # noqa: E402

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


UNGROUPED = {  # the same code with plain (ungrouped) stratified 5-fold, bench of 2026-11-22: accuracy, macro-F1
    "Twitter airline (human 3-class labels)": (0.801, 0.749),
    "Alexa reviews (stars: ≥4 pos, 3 neu, ≤2 neg)": (0.929, 0.738),
    "Alexa binary feedback (rating ≥ 3)": (0.953, 0.834),
}
VADER_TRAINED_ON = "nothing: general-purpose lexicon (VADER)"


def _majority(truth: pd.Series) -> tuple[str, float]:
    counts = truth.dropna().value_counts()
    top = sorted(counts.index, key=lambda c: (-counts[c], c))[0]
    return str(top), float(counts[top] / counts.sum())


def _verdict(name: str, vader: dict, own: dict, majority: tuple[str, float]) -> str:
    cls, rate = majority
    def vs(ev):
        d = 100 * (ev["accuracy"] - rate)
        return f"{abs(d):.1f} points {'above' if d > 0 else 'below'}"
    beats = own["accuracy"] > vader["accuracy"] and own["macro_f1"] > vader["macro_f1"]
    text = (f"**{name}**: majority rate {fmt(rate)} (always '{cls}'). own_scores {fmt(own['accuracy'])} "
            f"accuracy / {fmt(own['macro_f1'])} macro-F1, {vs(own)} the majority rate; VADER "
            f"{fmt(vader['accuracy'])} / {fmt(vader['macro_f1'])}, {vs(vader)} it. ")
    if beats and own["accuracy"] > rate:
        text += "own_scores beats VADER on both measures and beats the majority rate"
        text += (" — by a wide margin." if own["accuracy"] - rate >= 0.05 else
                 ", but only narrowly: most of its accuracy is what always answering "
                 f"'{cls}' would get.")
    elif beats:
        text += "own_scores beats VADER but not the majority rate: neither scorer is worth its accuracy figure here."
    else:
        text += "own_scores does not beat VADER here."
    if vader["accuracy"] <= rate:
        text += f" VADER is below the majority rate: always answering '{cls}' would be right more often."
    return text


def bench_sentiment(lines: list[str], note: str = "") -> dict:
    tw, al = load_tweets(), load_alexa()
    sets = {
        "Twitter airline (human 3-class labels)": (tw["text"], tw["airline_sentiment"], "class"),
        "Alexa reviews (stars: ≥4 pos, 3 neu, ≤2 neg)": (al["verified_reviews"], al["rating"], "stars"),
    }
    figures = {}
    lines += ["## Sentiment accuracy", "", *([note, ""] if note else []),
              "VADER labels: compound ≥ 0.05 positive, ≤ −0.05 negative, else neutral. "
              "own_scores: TF-IDF word 1–2-grams + class-balanced logistic regression (C = 4), "
              "**grouped** 5-fold out-of-fold predictions, seed 0: comments whose texts are identical "
              "after normalisation (lower case, punctuation stripped, whitespace collapsed) are kept in "
              "one fold (StratifiedGroupKFold), so no comment is scored by a model trained on its twin; "
              "label = most probable class, score = P(pos) − P(neg). *Duplicates* = share of comments "
              "whose normalised text another comment of the set shares. *Majority rate* = accuracy of "
              "always answering the commonest true class; *vs majority* = accuracy minus it, in points. "
              "Binary = rows whose true label is positive or negative, "
              "predicted by the sign of the score; a score of exactly 0 counts as an error "
              "(share reported as 'undecided'). *Ungrouped* = the previous bench (2026-11-22), "
              "plain stratified 5-fold, which let duplicates straddle folds.", ""]
    summary = ["| data set | method | trained on | n | duplicates | majority rate | accuracy | vs majority | "
               "macro-F1 | ungrouped accuracy / macro-F1 | binary n | binary accuracy | "
               "binary macro-F1 | undecided | seconds | comments/s |",
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    details, verdicts = [], []

    def row(name, method, ev, res, truth, texts, dt=None):
        cls, rate = _majority(truth)
        groups = sentiment.text_groups(texts)
        dup = float(np.mean(np.bincount(groups)[groups] > 1))
        trained = res.attrs["accuracy"]["trained_on"] if method == "own_scores" else VADER_TRAINED_ON
        before = UNGROUPED.get(name) if method == "own_scores" else None
        timing = f"{dt:.1f} | {len(texts) / dt:,.0f}" if dt is not None else " | "
        summary.append(f"| {name} | {method} | {trained} | {ev['n']:,} | {dup:.1%} | {fmt(rate)} ({cls}) | "
                       f"{fmt(ev['accuracy'])} | {100 * (ev['accuracy'] - rate):+.1f} | {fmt(ev['macro_f1'])} | "
                       f"{f'{before[0]:.3f} / {before[1]:.3f}' if before else ''} | {ev['binary_n']:,} | "
                       f"{fmt(ev['binary_accuracy'])} | {fmt(ev['binary_macro_f1'])} | "
                       f"{ev['binary_undecided']:.1%} | {timing} |")
        ev["majority"] = (cls, rate)
        ev["duplicates"] = dup

    for name, (texts, labels, scale) in sets.items():
        truth = sentiment.classes_from_scores(labels, scale=scale)
        for method in ("vader", "own_scores"):
            sentiment._vader.cache_clear()
            t0 = time.perf_counter()
            res = sentiment.score_sentiment(texts, method=method, labels=labels, scale=scale)
            dt = time.perf_counter() - t0
            ev = sentiment.evaluate_sentiment(truth, res["label"], scores=res["score"])
            row(name, method, ev, res, truth, texts, dt)
            ev["sentence"] = sentiment.accuracy_sentence(res)
            figures[(name, method)] = ev
            details += [f"**{name} — {method}** (rows = human/true class)", "", conf_md(ev["confusion"]), ""]
        verdicts.append(_verdict(name, figures[(name, "vader")], figures[(name, "own_scores")],
                                 figures[(name, "own_scores")]["majority"]))
        if scale == "stars":
            # the data set's own binary feedback (1 = rating >= 3) against the sign of the score
            fb = al["feedback"].map({1: "positive", 0: "negative"})
            fname = "Alexa binary feedback (rating ≥ 3)"
            for method in ("vader", "own_scores"):
                fb_labels = al["feedback"].map({1: 1, 0: -1}) if method == "own_scores" else None
                res = sentiment.score_sentiment(texts, method=method, labels=fb_labels, scale="class")
                ev = sentiment.evaluate_sentiment(fb, np.where(res["score"] > 0, "positive", "negative"),
                                                  scores=res["score"])
                row(fname, method, ev, res, fb, texts)
                figures[("Alexa feedback", method)] = ev
            verdicts.append(_verdict(fname, figures[("Alexa feedback", "vader")],
                                     figures[("Alexa feedback", "own_scores")],
                                     figures[("Alexa feedback", "own_scores")]["majority"]))
    sentences = [f"* {name} — {m}: “{figures[(name, m)]['sentence']}”"
                 for name in sets for m in ("vader", "own_scores")]
    lines += summary + ["", "Alexa binary feedback: accuracy there counts a 0 score as negative; the "
                        "binary columns count it as an error. own_scores on feedback is trained on "
                        "the binary feedback itself.", "",
                        "### When own_scores beats VADER, and when it does not", "",
                        *[x for v in verdicts for x in (v, "")],
                        "What `sentiment.accuracy_sentence` writes for a page on each set (the data sets "
                        "stand in for an organisation):", "", *sentences, "",
                        "### Confusion matrices", "", *details]
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
              f"| own_scores, grouped 5-fold out-of-fold (25,000 sample) + fit | {o:.1f} | {len(big) / o:,.0f} |",
              f"| redact (no names) | {red:.1f} | {len(big) / red:,.0f} |",
              f"| build name matcher, 50,000 names | {comp:.1f} | |",
              f"| redact with 50,000 names | {red_n:.1f} | {len(big) / red_n:,.0f} |",
              f"| redact one 1 MB comment with 50,000 names | {mb:.2f} | |", "",
              f"Redaction counts on the 100,000 tweets: {r.counts}", ""]


BEFORE = {  # the comment-level model before sentence units (same data, same code paths)
    "twitter": {"k=4 (NPMI over 4–12)": (0.167, 0.441), "k=6": (0.174, 0.468), "k=9": (0.171, 0.512),
                "k=12": (0.175, 0.510)},
}


def bench_topics(lines: list[str]) -> dict:
    from cxtemplate.analysis.text import topics as text  # here, so `--sentiment` runs without the topic code

    tw = load_tweets()
    neg = tw[tw["airline_sentiment"] == "negative"].reset_index(drop=True)
    neg_text = privacy.redact(neg["text"]).text
    reason = neg["negativereason"].where(neg["negativereason"] != "Can't Tell")
    lines += ["## Topic alignment with human complaint reasons (Twitter airline, negative tweets)", "",
              f"{len(neg):,} negative tweets, redacted; airline handles and the words flight/airline "
              "added as stop words. Topics are modelled on sentences (distinct sentences with at "
              "least two vocabulary words); a tweet's topic = the topic with the largest summed "
              "weight over its sentences; compared with the human `negativereason` (9 reasons; "
              "'Can't Tell' left out). AMI = adjusted mutual information (0 = chance); purity "
              "baseline = share of the commonest reason (Customer Service Issue). 'Before' = the "
              "comment-level model with k chosen by mean NPMI (bench of 2026-11-22).", "",
              "| k | chosen by | stability | mean NPMI | n | AMI | NMI | purity | baseline purity | "
              "AMI before | purity before | seconds |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    out = {}
    for k in (None, 6, 9, 12):
        t0 = time.perf_counter()
        m = text.fit_topics(neg_text, n_topics=k, seed=0, stop_words=AIRLINE_HANDLES)
        dt = time.perf_counter() - t0
        W = text.topic_weights(m, neg_text)
        top = W.idxmax(axis=1).where(W.sum(axis=1) > 0)
        al = text.topic_alignment(top, reason)
        out[k] = (m, al)
        row = m.selection.loc[m.selection["chosen"]].iloc[0]
        before = BEFORE["twitter"]["k=4 (NPMI over 4–12)" if k is None else f"k={k}"]
        st = "" if pd.isna(row["stability"]) else f"{row['stability']:.3f}"
        lines.append(f"| {m.k} | {'stability over 4–12' if k is None else 'given'} | {st} | "
                     f"{row['mean_npmi']:.3f} | {al['n']:,} | {al['ami']:.3f} | {al['nmi']:.3f} | "
                     f"{al['purity']:.3f} | {al['baseline_purity']:.3f} | {before[0]:.3f} | "
                     f"{before[1]:.3f} | {dt:.1f} |")
    m = out[None][0]
    p = m.params
    lines += ["", f"Term weighting chosen by the data: corpus valence balance {p['corpus_valence_balance']:.2f} "
              f"(≥ 0.25: VADER polarity is noise in a corpus of complaints) → valence weighting "
              f"{'on' if p['valence_weighting'] else 'off'}, context smoothing "
              f"{'on' if p['smoothing'] else 'off'}; {p['training_units']:,} training sentences, "
              f"{p['vocabulary']:,} terms.", "",
              "Selection per candidate k (stability = mean agreement of top-20 term rankings between "
              "the full data and ten 80 % subsamples, Greene et al. 2014):", "",
              "| k | stability | mean NPMI | reconstruction error |", "|---|---|---|---|",
              *[f"| {r.k} | {r.stability:.3f} | {r.mean_npmi:.3f} | {r.reconstruction_error:.1f} |"
                for r in m.selection.itertuples()], "",
              "Topics at k = 9 (label = top 3 terms; share of negative tweets mentioning it):", "",
              "| topic | label | kind | share | NPMI |", "|---|---|---|---|---|",
              *[f"| {r.topic_id} | {r.label} | {r.kind} | {r.share:.1%} | {r.coherence:.3f} |"
                for r in out[9][0].topics.itertuples()], ""]
    return out


def _stems(words) -> set[str]:
    return {w[:5] for k in words for w in k.lower().split()}


def bench_synth(lines: list[str]) -> None:
    from cxtemplate.analysis.text import topics as text

    try:
        from cxtemplate.synth import organisation as synth
    except ImportError:
        lines += ["## Planted topics (synthetic organisation)", "", "cxtemplate.synth.organisation not available.", ""]
        return
    lines += ["## Planted topics (synthetic organisation, 5,000 customers)", "",
              "Seed 20251231 is the demo organisation (data/demo); seed 7 a second one. Each planted "
              "topic is matched to the discovered issue topic sharing most keyword stems (first five "
              "letters) with its top ten terms — truth is used for this table only. 'Before' = the "
              "comment-level model (bench of 2026-11-22, demo): billing −61.5, long wait −30.8, rude "
              "staff not found, app −20.4, friendly staff +26.8, quick fix +44.0.", ""]
    for seed in (20251231, 7):
        org = synth.generate(synth.SynthSpec(customers=5000, seed=seed))
        r = org.tables["responses"]
        c = r[r["comment"].notna() & r["nps"].between(0, 10)]
        t0 = time.perf_counter()
        red = privacy.redact(c["comment"], known_names=org.tables["customers"]["name"])
        dt_red = time.perf_counter() - t0
        t0 = time.perf_counter()
        m = text.fit_topics(red.text, seed=0)
        dt = time.perf_counter() - t0
        imp = text.topic_impact(text.assign_topics(m, red.text), c["nps"]).set_index("topic")
        p = m.params
        lines += [f"### Seed {seed}", "",
                  f"{len(c):,} comments. Redaction ({dt_red:.2f} s) found {red.rows} comments per kind; "
                  f"planted: { {k: org.truth['pii'][k] for k in ('email', 'phone', 'name', 'card')} }. "
                  f"fit_topics chose k = {m.k} by stability in {dt:.1f} s (corpus valence balance "
                  f"{p['corpus_valence_balance']:.2f} → valence weighting "
                  f"{'on' if p['valence_weighting'] else 'off'}, smoothing {'on' if p['smoothing'] else 'off'}; "
                  f"{p['training_units']:,} training sentences).", "",
                  "| k | stability | mean NPMI |", "|---|---|---|",
                  *[f"| {r_.k} | {r_.stability:.3f} | {r_.mean_npmi:.3f} |" for r_ in m.selection.itertuples()],
                  "",
                  "| planted topic | planted NPS diff | planted share | matched topic | estimated impact | "
                  "95% interval | share | interval contains planted |", "|---|---|---|---|---|---|---|---|"]
        issues = m.topics[m.topics["kind"] == "issue"]
        matched = set()
        for name, t in org.truth["topics"].items():
            kw = _stems(t["keywords"])
            ov = [len(_stems(term for term, _ in tt[:10]) & kw) for tt in issues["top_terms"]]
            j = int(np.argmax(ov))
            if ov[j] >= 2:
                lab = issues["label"].iloc[j]
                matched.add(lab)
                r_ = imp.loc[lab]
                ok = r_["ci_low"] <= t["nps_diff_expected"] <= r_["ci_high"]
                lines.append(f"| {name} | {t['nps_diff_expected']:.1f} | {t['share_observed']:.1%} | {lab} | "
                             f"{r_['impact']:.1f} | {r_['ci_low']:.1f} … {r_['ci_high']:.1f} | "
                             f"{r_['share']:.1%} | {'yes' if ok else 'no'} |")
            else:
                lines.append(f"| {name} | {t['nps_diff_expected']:.1f} | {t['share_observed']:.1%} | "
                             "not found | | | | |")
        others = [f"{lab} ({imp.loc[lab, 'impact']:+.1f}, {imp.loc[lab, 'share']:.1%})"
                  for lab in issues["label"] if lab not in matched]
        gen = list(m.topics.loc[m.topics["kind"] == "general", "label"])
        lines += ["", f"Most harmful planted: {org.truth['topics_most_harmful']}; most harmful estimated: "
                  f"{imp['impact'].idxmin()}. Other issue topics (impact, share): "
                  f"{'; '.join(others) if others else 'none'}. General-sentiment topics: "
                  f"{', '.join(gen) if gen else 'none'}.", ""]


def _replace_sentiment_sections(old: str, sentiment_lines: list[str], throughput_lines: list[str]) -> str:
    """``old`` with its sentiment-accuracy and throughput sections replaced; the rest kept as it is."""
    start, end = old.index("## Sentiment accuracy"), old.index("## Topic alignment")
    new = old[:start] + "\n".join(sentiment_lines).rstrip() + "\n\n" + old[end:]
    if "## Throughput" in new:
        new = new[:new.index("## Throughput")]
    return new.rstrip() + "\n\n" + "\n".join(throughput_lines).rstrip() + "\n"


def main() -> None:
    only_sentiment = "--sentiment" in sys.argv  # re-run the sentiment sections only, keep the topic sections
    if only_sentiment and OUT.exists():
        t0 = time.perf_counter()
        stamp = time.strftime("%Y-%m-%d")
        note = (f"_Re-run with `--sentiment` on {stamp} (Python {platform.python_version()}, "
                f"pandas {pd.__version__}); the topic and synthetic sections below are from their own runs._")
        sent_lines: list[str] = []
        bench_sentiment(sent_lines, note=note)
        thr_lines: list[str] = []
        bench_throughput(thr_lines)
        thr_lines.append(f"_Sentiment sections re-run with `--sentiment` on {stamp} "
                         f"({time.perf_counter() - t0:.0f} s)._")
        OUT.write_text(_replace_sentiment_sections(OUT.read_text(encoding="utf-8"), sent_lines, thr_lines),
                       encoding="utf-8")
        print("\n".join(sent_lines + thr_lines))
        return
    lines = ["# Sentiment, topics and redaction on real labelled comments", "",
             f"Produced by `bench/bench_sentiment.py` on {time.strftime('%Y-%m-%d')}; "
             f"Python {platform.python_version()}, pandas {pd.__version__}, "
             f"{platform.machine()}, 2-core machine.", ""]
    t0 = time.perf_counter()
    only_topics = "--topics" in sys.argv  # re-run the topic sections only, keep the rest of the file
    if not only_topics:
        bench_sentiment(lines)
    bench_topics(lines)
    bench_synth(lines)
    if not only_topics:
        bench_throughput(lines)
    lines.append(f"Total bench time {time.perf_counter() - t0:.0f} s.")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if only_topics and OUT.exists():
        old = OUT.read_text(encoding="utf-8")
        head = old[:old.index("## Topic alignment")]
        tail = old[old.index("## Throughput"):] if "## Throughput" in old else ""
        new = "\n".join(lines[lines.index("## Topic alignment with human complaint reasons (Twitter airline, "
                                         "negative tweets)"):])
        tail = tail.rsplit("Total bench time", 1)[0].rstrip() + "\n"
        new += (f"\n_Topic sections re-run with `--topics` on {time.strftime('%Y-%m-%d')} "
                f"({time.perf_counter() - t0:.0f} s); the other sections are from the full run._\n")
        OUT.write_text(head + new + "\n" + tail, encoding="utf-8")
        print(new)
        return
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
