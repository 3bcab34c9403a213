"""Tests of cxtemplate.analysis.text.polarity: the lexicon without scores, the own-scores model with them (out of
fold, identical sentences in one fold), and the text normalisation duplicates are grouped by."""

from __future__ import annotations

import numpy as np

from cxtemplate.analysis.text.polarity import sentence_polarity
from cxtemplate.analysis.text.sentiment import normalise_text


def test_polarity_without_scores_is_the_lexicon_and_with_scores_learns_domain_words():
    lex = sentence_polarity(["The staff were lovely.", "The staff were rude and awful."], [0, 1])
    assert lex.attrs["method"] == "lexicon" and list(lex["polarity"]) == ["praise", "complaint"]
    rng = np.random.default_rng(0)
    # "charged twice" carries no emotional word; promoters never write it
    good = [f"Sorted in {m} minutes." for m in range(2, 62)]
    bad = [f"Charged twice in month {m}." for m in range(1, 61)]
    sentences = good + bad
    scores = np.r_[rng.integers(9, 11, 60), rng.integers(0, 7, 60)]
    own = sentence_polarity(sentences, np.arange(120), scores, seed=1)
    assert own.attrs["method"] == "own_scores+lexicon"
    assert own.attrs["trained_on"] == {"promoters": 60, "detractors": 60}
    assert (own["polarity"].iloc[60:] == "complaint").mean() > 0.9
    assert (own["polarity"].iloc[:60] == "praise").mean() > 0.9
    assert list(normalise_text(["Great  service!", None])) == ["great service", ""]


def test_identical_sentences_are_scored_by_a_model_that_never_saw_any_copy(monkeypatch):
    """A sentence repeated 100 times with a promoter label, never elsewhere: out of fold with grouped folds, no model
    scoring it saw it, so its words are unknown and its score is the model's intercept (near 0), not +1."""
    from cxtemplate.analysis.text import polarity as pol

    monkeypatch.setattr(pol, "_vader", lambda s: np.zeros(len(s)))
    sentences = ["Zebra quokka wombat."] * 100 + [f"Good thing {i}." for i in range(100)] + [f"Bad thing {i}." for i in range(100)]
    scores = np.r_[[10] * 100, [10] * 100, [0] * 100]
    out = sentence_polarity(sentences, np.arange(300), scores, seed=0)
    assert out["score"].iloc[:100].abs().max() < 0.6
