"""Tests of :mod:`cxtemplate.analysis.text.signals`: hand-written sentences (repeat contact, transfers,
chasing, waits that are and are not effort, negation, shouting and acronyms, flat dissatisfaction), the
comment-level roll-up, and precision/recall on real sentences labelled by reading.

Sources of the labelled sentences (``tests/data/effort_anger_labels.csv``): Twitter US Airline Sentiment
(Kaggle "Twitter US Airline Sentiment", ``Tweets.csv``; ``row_id`` = ``tweet_id``) and Amazon Alexa Reviews
(Kaggle "Amazon Alexa Reviews", ``amazon_alexa.tsv``; ``row_id`` = 0-based row). Labels follow
``docs/labelling/effort_and_anger.md``; the sample and the development/held-out split are drawn by
``bench/bench_signals.py`` (seed 17). The sentence text is stored in the CSV, so no raw data is needed here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtemplate.analysis.text import signals

LABELS = Path(__file__).resolve().parents[2] / "data" / "effort_anger_labels.csv"


@pytest.mark.parametrize("sentence", [
    "I have called three times about this.",
    "Calling again because nobody fixed it",
    "This is the 4th time I've contacted you",
    "for the third time, where is my refund",
    "Been transferred four times and still no answer",
    "they passed me from one department to another",
    "No one gets back to me",
    "Still waiting for a reply to my email",
    "45 minutes on hold",
    "I had to repeat myself to every agent",
    "I have to follow up again",
    "can't get through to anyone on the phone",
    "the line keeps hanging up on me",
    "Spent two hours on the phone with support",
    "Had to reset it three times before it would connect",
])
def test_effort_sentences(sentence):
    assert signals.flag_sentences([sentence])["effort"].item(), signals.cues(sentence)


@pytest.mark.parametrize("sentence", [
    "My flight is delayed 3 hours.",           # a wait alone is not effort (rule: waits)
    "Sitting on the tarmac for an hour",
    "Can you help me rebook?",                 # first request
    "Called customer service and they fixed it quickly.",
    "I did not have to call again, it was sorted first time.",   # negation
    "Setup was easy.",
    "The food was cold.",
])
def test_not_effort_sentences(sentence):
    assert not signals.flag_sentences([sentence])["effort"].item(), signals.cues(sentence)


@pytest.mark.parametrize("sentence", [
    "I am furious.",
    "So frustrating!",
    "I'm fed up with this airline",
    "This is ridiculous",
    "wtf is going on",
    "Worst airline ever",
    "Thanks for nothing",
    "This is UNACCEPTABLE",                    # shouting
    "Where is my bag???",
    "Your customer service is terrible",
    "I will never fly with you again",
])
def test_anger_sentences(sentence):
    assert signals.flag_sentences([sentence])["anger"].item(), signals.cues(sentence)


@pytest.mark.parametrize("sentence", [
    "The food was cold.",                      # flat dissatisfaction
    "Very disappointed.",
    "It stopped working after a week.",
    "Not frustrating at all, it just works.",  # negation
    "I wasn't annoyed, the crew were lovely",
    "Flying from JFK to LAX on UA1740",        # acronyms are not shouting
    "LOVE IT!!",                               # praise in capitals is not anger
    "Thanks for the help!",
    "The sound is terrible",                   # product attribute, not the company (rule: strong evaluations)
])
def test_not_anger_sentences(sentence):
    assert not signals.flag_sentences([sentence])["anger"].item(), signals.cues(sentence)


def test_handles_links_and_hashtags():
    assert not signals.flag_sentences(["@FURIOUSCAT see http://t.co/ANGRY"])["anger"].item()
    assert signals.flag_sentences(["@USAirways #2hrs35minOnHold"])["effort"].item()  # hashtag split into words


def test_cues_name_what_fired():
    c = signals.cues("I have called three times and still no refund")
    assert c["effort"] == ["repeat contact: called three times", "still waiting: still no"] and c["anger"] == []
    assert signals.cues(None) == {"effort": [], "anger": []}


def test_flag_sentences_keeps_index_and_blanks():
    s = pd.Series(["I'm furious", None, "", "on hold again"], index=["a", "b", "c", "d"])
    f = signals.flag_sentences(s)
    assert f.index.tolist() == ["a", "b", "c", "d"] and f.dtypes.tolist() == [bool, bool]
    assert f["anger"].tolist() == [True, False, False, False]
    assert f["effort"].tolist() == [False, False, False, True]
    assert signals.flag_sentences([]).shape == (0, 2)


def test_flag_comments_roll_up_sentences():
    texts = pd.Series(["Nice crew. But I called three times. Ridiculous!", "All good, thanks.", None,
                       "Still waiting for my refund. Still waiting for an answer."], index=[10, 11, 12, 13])
    f = signals.flag_comments(texts)
    assert f.index.tolist() == [10, 11, 12, 13]
    assert f["effort"].tolist() == [True, False, False, True]
    assert f["anger"].tolist() == [True, False, False, False]
    assert f["effort_sentences"].tolist() == [1, 0, 0, 2] and f["anger_sentences"].tolist() == [1, 0, 0, 0]
    assert signals.flag_comments([]).shape == (0, 4)


def _precision_recall(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    tp = int((y & p).sum())
    return tp / int(p.sum()), tp / int(y.sum())


def test_labelled_set_shape():
    d = pd.read_csv(LABELS)
    assert len(d) >= 300 and set(d["source"]) == {"tweets", "alexa"}
    assert set(d["effort"]) == {0, 1} and set(d["anger"]) == {0, 1}
    assert not d.duplicated(["source", "row_id", "sentence_index"]).any()
    assert (d["half"] == "held_out").sum() == 175


@pytest.mark.parametrize("flag, p_floor, r_floor", [
    # measured on the held-out half (bench/results/signals.md): effort P 0.905 R 0.731 (19 TP, 2 FP, 7 FN);
    # anger P 0.952 R 0.526 (20 TP, 1 FP, 18 FN). Floors = measured minus about 0.05 (one sentence's worth
    # plus a little), so that a change of lexicon that costs real accuracy fails here.
    ("effort", 0.85, 0.68),
    ("anger", 0.90, 0.47),
])
def test_precision_recall_on_held_out_half(flag, p_floor, r_floor):
    d = pd.read_csv(LABELS)
    d = d[d["half"] == "held_out"]
    p, r = _precision_recall(d[flag].to_numpy().astype(bool), signals.flag_sentences(d["text"])[flag].to_numpy())
    assert p >= p_floor and r >= r_floor, (p, r)
