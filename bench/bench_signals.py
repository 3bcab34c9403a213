"""Benchmark of the effort and anger detectors against sentences labelled by reading.

Run from the repository root::

    .venv/bin/python bench/bench_signals.py                 # measure, write bench/results/signals.md
    .venv/bin/python bench/bench_signals.py --draw OUT.csv  # re-draw the (unlabelled) sample; needs ../shared

Labels: ``tests/data/effort_anger_labels.csv``, made under the rule in
``docs/labelling/effort_and_anger.md`` (written before the sample was drawn and before the
detector existed). The sample comes from two public data sets (see each SOURCE.md under
``../shared/real-data``): Twitter US Airline Sentiment (``Tweets.csv``) and Amazon Alexa reviews
(``amazon_alexa.tsv``). Drawing procedure, seed 17 (:func:`draw_sample`):

1. Split every non-blank text into sentences with
   :func:`cxtemplate.analysis.text.select.split_sentences`; number the sentences within each text
   from 0. Sentences with fewer than 3 letters are left out.
2. Tweets, 250 sentences in three strata, drawn in order and without replacement:
   75 at random from all tweet sentences; 100 at random from sentences of tweets labelled
   ``negative`` by the data set's annotators; 75 at random from sentences of tweets whose human
   ``negativereason`` is ``Customer Service Issue``. The strata use the data set's own human
   labels, not any word list, so they do not favour the detector's lexicon.
3. Alexa reviews, 100 sentences: 50 at random from all review sentences; 50 at random from
   sentences of reviews rated 1 or 2 stars. Row id = 0-based row number in the file.

The labelled set is split into a development half and a held-out half by
:func:`split_halves` (seed 17, stratified by source); the assignment is stored in the CSV's
``half`` column so that the tests need neither this script nor the raw data. The lexicon was written from the rule and
general knowledge, then revised once after reading the errors on the development half only;
the held-out figures are the headline.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxtemplate.analysis.text import select  # noqa: E402

DATA = ROOT.parent / "shared" / "real-data"
LABELS = ROOT / "tests" / "data" / "effort_anger_labels.csv"
OUT = ROOT / "bench" / "results" / "signals.md"
SEED = 17


def _units(texts: pd.Series, ids: np.ndarray) -> pd.DataFrame:
    keep = texts.fillna("").str.strip() != ""
    texts, ids = texts[keep].reset_index(drop=True), np.asarray(ids)[keep.to_numpy()]
    sentences, owner = select.split_sentences(texts)
    u = pd.DataFrame({"pos": owner, "sentence": sentences})
    u["sentence_index"] = u.groupby("pos").cumcount()
    u["row_id"] = ids[owner]
    return u[u["sentence"].str.count(r"[^\W\d_]") >= 3]


def draw_sample(data: Path = DATA) -> pd.DataFrame:
    """Draw the sentence sample described in the module docstring (seed 17).

    Parameters
    ----------
    data : pathlib.Path
        Folder holding ``twitter_airline_sentiment/`` and ``amazon_alexa_reviews/``.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, row_id, sentence_index, stratum, sentence``, one row per drawn sentence.
    """
    rng = np.random.default_rng(SEED)
    tw = pd.read_csv(data / "twitter_airline_sentiment" / "Tweets.csv")
    al = pd.read_csv(data / "amazon_alexa_reviews" / "amazon_alexa.tsv", sep="\t", encoding="utf-8-sig")
    tu = _units(tw["text"], tw["tweet_id"].to_numpy())
    tu = tu.merge(tw[["tweet_id", "airline_sentiment", "negativereason"]], left_on="row_id", right_on="tweet_id")
    au = _units(al["verified_reviews"], np.arange(len(al)))
    au["rating"] = al["rating"].to_numpy()[au["row_id"].to_numpy()]
    taken: set = set()
    rows = []

    def take(pool: pd.DataFrame, n: int, source: str, stratum: str) -> None:
        pool = pool[~pool.apply(lambda r: (source, r.row_id, r.sentence_index) in taken, axis=1)]
        pick = pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False))]
        for r in pick.itertuples():
            taken.add((source, r.row_id, r.sentence_index))
            rows.append((source, int(r.row_id), int(r.sentence_index), stratum, r.sentence))

    take(tu, 75, "tweets", "random")
    take(tu[tu["airline_sentiment"] == "negative"], 100, "tweets", "negative")
    take(tu[tu["negativereason"] == "Customer Service Issue"], 75, "tweets", "customer_service")
    take(au, 50, "alexa", "random")
    take(au[au["rating"] <= 2], 50, "alexa", "rating_1_2")
    return pd.DataFrame(rows, columns=["source", "row_id", "sentence_index", "stratum", "sentence"])


def split_halves(labels: pd.DataFrame) -> np.ndarray:
    """Development / held-out assignment of the labelled rows (seed 17, stratified by source).

    Returns
    -------
    ndarray of bool
        True for rows in the held-out half.
    """
    held = np.zeros(len(labels), dtype=bool)
    rng = np.random.default_rng(SEED)
    for _, idx in labels.groupby("source", sort=True).indices.items():
        perm = rng.permutation(idx)
        held[perm[: len(perm) // 2]] = True
    return held


def _prf(y: np.ndarray, p: np.ndarray) -> dict:
    tp, fp, fn = int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum())
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else float("nan")
    return {"n": len(y), "positives": int(y.sum()), "flagged": int(p.sum()), "tp": tp, "fp": fp, "fn": fn,
            "precision": prec, "recall": rec, "f1": f1}


def _wilson(k: int, n: int, z: float = 1.96) -> str:
    if n == 0:
        return "–"
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{c - h:.2f}–{c + h:.2f}"


def measure(labels: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 of each flag on the development and held-out halves (and all rows).

    Parameters
    ----------
    labels : pandas.DataFrame
        The labelled sentences (columns ``source, text, effort, anger``).

    Returns
    -------
    pandas.DataFrame
        One row per (half, flag) with counts, precision, recall and F1.
    """
    from cxtemplate.analysis.text import signals

    held = split_halves(labels)
    if "half" in labels:  # the stored assignment must be the seeded one
        assert (held == (labels["half"] == "held_out").to_numpy()).all(), "half column differs from split_halves"
    flags = signals.flag_sentences(labels["text"])
    rows = []
    for half, mask in [("held-out", held), ("development", ~held), ("all", np.ones(len(labels), bool))]:
        for flag in ["effort", "anger"]:
            y = labels[flag].to_numpy()[mask].astype(bool)
            p = flags[flag].to_numpy()[mask]
            rows.append({"half": half, "flag": flag, **_prf(y, p)})
    return pd.DataFrame(rows)


def throughput(labels: pd.DataFrame, repeat: int = 40) -> float:
    """Sentences per second of :func:`cxtemplate.analysis.text.signals.flag_sentences` (best of 3)."""
    from cxtemplate.analysis.text import signals

    s = pd.Series(np.tile(labels["text"].to_numpy(dtype=object), repeat))
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        signals.flag_sentences(s)
        best = min(best, time.perf_counter() - t)
    return len(s) / best


def _fmt(x: float) -> str:
    return "–" if np.isnan(x) else f"{x:.3f}"


def report() -> str:
    """Run the measurement and render ``bench/results/signals.md``."""
    labels = pd.read_csv(LABELS)
    m = measure(labels)
    sps = throughput(labels)
    lines = [
        "# Effort and anger flags against sentences labelled by reading",
        "",
        f"Produced by `bench/bench_signals.py` on {date.today().isoformat()}; Python {platform.python_version()}, "
        f"pandas {pd.__version__}, {platform.machine()}.",
        "",
        "Labels: `tests/data/effort_anger_labels.csv`, one reader, under `docs/labelling/effort_and_anger.md` "
        "(written before the sample was drawn and before the detector). Sample (seed 17, see the docstring of "
        "`bench/bench_signals.py`): 250 tweet sentences (75 random, 100 from tweets labelled negative by the data "
        "set's annotators, 75 from tweets whose human complaint reason is *Customer Service Issue*) and 100 Alexa "
        "review sentences (50 random, 50 from 1–2-star reviews). Development / held-out halves: seed 17, stratified "
        "by source.",
        "",
        "## Counts",
        "",
        "| stratum | sentences | effort | anger |",
        "|---|---|---|---|",
    ]
    for (src, st), g in labels.groupby(["source", "stratum"], sort=False):
        lines.append(f"| {src} / {st} | {len(g)} | {int(g.effort.sum())} | {int(g.anger.sum())} |")
    lines.append(f"| **all** | {len(labels)} | {int(labels.effort.sum())} | {int(labels.anger.sum())} |")
    lines += ["", "## Precision and recall (sentence level)", "",
              "Intervals: Wilson 95 % on the proportion.", "",
              "| half | flag | n | positives | flagged | TP | FP | FN | precision | 95 % | recall | 95 % | F1 |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in m.itertuples():
        lines.append(f"| {r.half} | {r.flag} | {r.n} | {r.positives} | {r.flagged} | {r.tp} | {r.fp} | {r.fn} | "
                     f"{_fmt(r.precision)} | {_wilson(r.tp, r.tp + r.fp)} | {_fmt(r.recall)} | "
                     f"{_wilson(r.tp, r.tp + r.fn)} | {_fmt(r.f1)} |")
    lines += [
        "",
        "## History of the lexicon (one revision)",
        "",
        "The labeller and the author of the lexicon are the same person, who had read every sentence before "
        "writing it. To limit the leak, phrases recognisably taken from the sample (e.g. \"stone age\", "
        "\"ratchet\", \"killing me\", \"#…not\", \"responding to everyone else but me\") were struck from the "
        "first version before any measurement. Version 0 was then measured on both halves; the errors of the "
        "**development half only** were read and the lexicon revised once (hashtags split at case/digit changes, "
        "\"phone/hold wait\", a longer reach for \"call … dropped\", \"last drop\", \"bleh/blegh\", \"…thanks\" "
        "and a lone \"Really!\" as sarcasm, \"worst … ever\" limited to negative superlatives). The held-out half "
        "was not used to change anything. After the measurement one bug found by the hand-written unit tests "
        "(not by the labelled set) was fixed: \"passed me from …\" did not match \"passed from\"; the figures "
        "below were re-measured after the fix and did not change.",
        "",
        "| version | half | effort P / R / F1 | anger P / R / F1 |",
        "|---|---|---|---|",
        "| 0 (before revision) | development | 1.000 / 0.762 / 0.865 | 0.926 / 0.735 / 0.820 |",
        "| 0 (before revision) | held-out | 0.905 / 0.731 / 0.809 | 0.955 / 0.553 / 0.700 |",
    ]
    for half in ["development", "held-out"]:
        e = m[(m.half == half) & (m.flag == "effort")].iloc[0]
        a = m[(m.half == half) & (m.flag == "anger")].iloc[0]
        lines.append(f"| 1 (current) | {half} | {_fmt(e.precision)} / {_fmt(e.recall)} / {_fmt(e.f1)} | "
                     f"{_fmt(a.precision)} / {_fmt(a.recall)} / {_fmt(a.f1)} |")
    lines += [
        "",
        "The revision lifted the development half (the half it was fitted to) and left the held-out half where "
        "it was (anger recall −0.03: \"choppiest … ever\" is no longer caught): the gain was fitting, not "
        "generalisation. Held-out misses are mostly unmarked sarcasm and metaphor (\"lives in the stone age\", "
        "\"what's the point of asking … if your crew doesn't read them?\"), insults outside the list (\"ratchet\"), company names as the target of "
        "\"is terrible\" (\"Jet Blue is terrible\"), and effort stated by implication (\"I was told I'd have it back "
        "yesterday!\"). One is a defect of the negation window: \"…and not me #wtf\" drops the profanity because "
        "\"not\" precedes it within three words.",
        "",
        "## Throughput",
        "",
        f"`flag_sentences` on {len(labels) * 40:,} sentences (the labelled set repeated 40 times): "
        f"**{sps:,.0f} sentences/s** (best of 3, one process).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--draw", type=Path, help="write the unlabelled sample to this CSV and stop")
    args = ap.parse_args()
    if args.draw:
        draw_sample().to_csv(args.draw, index=False)
        sys.exit(0)
    text = report()
    OUT.write_text(text, encoding="utf-8")
    print(text)
