"""Tests for cxtemplate.analysis.text.sentiment, including accuracy floors on real labelled comments.

Floors are a few points below the figures in bench/results/sentiment.md, so a broken scorer
fails while ordinary variation across library versions does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.analysis.text.sentiment import (
    MIN_PER_CLASS,
    classes_from_scores,
    evaluate_sentiment,
    fit_own_scores,
    label_scores,
    score_sentiment,
    vader_compound,
)


def _toy(n=400, seed=0):
    rng = np.random.default_rng(seed)
    good = ["quick refund", "friendly agent", "easy app", "great service", "helpful staff"]
    bad = ["waited ages", "rude agent", "app crashed", "never refunded", "lost my parcel"]
    mid = ["it was ok", "average visit", "nothing special"]
    nps = rng.integers(0, 11, n)
    texts = []
    for s in nps:
        pool = good if s >= 9 else bad if s <= 6 else mid
        texts.append(" and ".join(rng.choice(pool, 2)) + " " + rng.choice(["today", "again", "this week"]))
    return pd.Series(texts, index=pd.RangeIndex(100, 100 + n)), pd.Series(nps, index=pd.RangeIndex(100, 100 + n))


def test_vader_basic_and_missing():
    s = pd.Series(["The staff were wonderful and helpful", "Terrible, rude and slow", "", None, " "],
                  index=list("abcde"))
    c = vader_compound(s)
    assert c["a"] > 0.5 and c["b"] < -0.5
    assert c[["c", "d", "e"]].isna().all()
    out = score_sentiment(s, method="vader")
    assert list(out.columns) == ["score", "label", "method"]
    assert out.loc["a", "label"] == "positive" and out.loc["b", "label"] == "negative"
    assert out.loc["d", "label"] is None
    assert out["score"].dropna().between(-1, 1).all()


def test_label_thresholds():
    lab = label_scores([-0.5, -0.05, 0.0, 0.049, 0.05, np.nan])
    assert list(lab) == ["negative", "negative", "neutral", "neutral", "positive", None]


def test_classes_from_scores():
    assert list(classes_from_scores([0, 6, 7, 8, 9, 10, np.nan])) == \
        ["negative", "negative", "neutral", "neutral", "positive", "positive", None]
    assert list(classes_from_scores([1, 2, 3, 4, 5], scale="stars")) == \
        ["negative", "negative", "neutral", "positive", "positive"]
    assert list(classes_from_scores([-1, 0, 1], scale="class")) == ["negative", "neutral", "positive"]
    assert list(classes_from_scores(["Positive", None], scale="class")) == ["positive", None]
    with pytest.raises(ValueError):
        classes_from_scores(["good"], scale="class")
    with pytest.raises(ValueError):
        classes_from_scores([1], scale="percent")


def test_own_scores_out_of_fold_and_deterministic():
    texts, nps = _toy()
    a = score_sentiment(texts, method="own_scores", labels=nps, seed=3)
    b = score_sentiment(texts, method="own_scores", labels=nps, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a.index.equals(texts.index)
    assert (a["method"] == "own_scores").all()
    ev = evaluate_sentiment(classes_from_scores(nps), a["label"], scores=a["score"])
    assert ev["accuracy"] > 0.9
    assert a["score"].between(-1, 1).all()


def test_own_scores_unlabelled_rows_scored_by_full_model():
    texts, nps = _toy()
    nps = nps.astype(float)
    nps.iloc[:50] = np.nan
    out = score_sentiment(texts, method="own_scores", labels=nps)
    assert out["score"].notna().all()
    model = fit_own_scores(texts, classes_from_scores(nps))
    assert model.n_train == 350
    assert set(model.classes) == {"negative", "neutral", "positive"}


def test_auto_picks_by_label_count():
    texts, nps = _toy()
    assert (score_sentiment(texts, labels=nps)["method"] == "own_scores").all()
    assert (score_sentiment(texts)["method"] == "vader").all()
    few = nps.copy()
    few[:] = 10
    few.iloc[: MIN_PER_CLASS - 1] = 0
    assert (score_sentiment(texts, labels=few)["method"] == "vader").all()


def test_errors():
    texts, nps = _toy(50)
    with pytest.raises(ValueError, match="needs labels"):
        score_sentiment(texts, method="own_scores")
    with pytest.raises(ValueError, match="method"):
        score_sentiment(texts, method="bert")
    with pytest.raises(ValueError, match="labels has"):
        score_sentiment(texts, method="own_scores", labels=nps[:10])
    with pytest.raises(ValueError, match="negative and positive"):
        score_sentiment(texts, method="own_scores", labels=pd.Series(10, index=texts.index))


def test_evaluate_binary_counts_zero_as_error():
    ev = evaluate_sentiment(["positive", "negative", "neutral", "positive"],
                            ["positive", "negative", "neutral", "neutral"],
                            scores=[0.5, -0.5, 0.0, 0.0])
    assert ev["accuracy"] == 0.75
    assert ev["binary_n"] == 3 and ev["binary_accuracy"] == pytest.approx(2 / 3)
    assert ev["binary_undecided"] == pytest.approx(1 / 3)
    assert ev["confusion"].loc["positive", "neutral"] == 1


# --- real labelled data: floors a few points under the measured figures ---------------------


@pytest.fixture(scope="module")
def tweets(real_data):
    return pd.read_csv(real_data / "twitter_airline_sentiment" / "Tweets.csv")


@pytest.fixture(scope="module")
def alexa(real_data):
    a = pd.read_csv(real_data / "amazon_alexa_reviews" / "amazon_alexa.tsv", sep="\t",
                    encoding="utf-8-sig")
    return a[a["verified_reviews"].fillna("").str.strip() != ""].reset_index(drop=True)


def test_vader_floor_tweets(tweets):
    # measured: 3-class accuracy 0.490, macro-F1 0.457; binary 0.544 (zero score = error)
    res = score_sentiment(tweets["text"], method="vader")
    ev = evaluate_sentiment(tweets["airline_sentiment"], res["label"], scores=res["score"])
    assert ev["n"] == 14640
    assert ev["accuracy"] >= 0.46 and ev["macro_f1"] >= 0.43
    assert ev["binary_accuracy"] >= 0.51


def test_vader_floor_alexa(alexa):
    # measured: 3-class accuracy 0.823, macro-F1 0.481; binary 0.858
    res = score_sentiment(alexa["verified_reviews"], method="vader")
    ev = evaluate_sentiment(classes_from_scores(alexa["rating"], "stars"), res["label"], scores=res["score"])
    assert ev["accuracy"] >= 0.79 and ev["macro_f1"] >= 0.45
    assert ev["binary_accuracy"] >= 0.83


@pytest.mark.slow  # a model fit on a whole real data set: `make test`, not the quick loop
def test_own_scores_floor_tweets(tweets):
    # measured (5-fold out of fold): accuracy 0.801, macro-F1 0.749, binary 0.927
    res = score_sentiment(tweets["text"], method="own_scores", labels=tweets["airline_sentiment"],
                          scale="class")
    ev = evaluate_sentiment(tweets["airline_sentiment"], res["label"], scores=res["score"])
    assert ev["accuracy"] >= 0.77 and ev["macro_f1"] >= 0.72
    assert ev["binary_accuracy"] >= 0.90


def test_own_scores_floor_alexa(alexa):
    # measured (5-fold out of fold): accuracy 0.929, macro-F1 0.738, binary 0.960
    res = score_sentiment(alexa["verified_reviews"], method="own_scores", labels=alexa["rating"],
                          scale="stars")
    ev = evaluate_sentiment(classes_from_scores(alexa["rating"], "stars"), res["label"], scores=res["score"])
    assert ev["accuracy"] >= 0.90 and ev["macro_f1"] >= 0.68
    assert ev["binary_accuracy"] >= 0.93
