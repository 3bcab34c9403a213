"""Tests of cxtemplate.analysis.text.naming: human names for comment topics.

Hand-made sentences for the rules (runs between top words, no name ending inside a phrase, longer phrases around
the best one, unique names); the demo's planted topics (``data/demo/truth.json``) for names a reader can read.
"""

from __future__ import annotations

import re

import pytest

from cxtemplate.analysis.text import naming
from tests.analysis.demo import demo


def test_candidates_run_between_top_words_within_a_clause():
    weights = {"hold": 1.0, "hour": 0.8, "awful": 0.1, "hold hour": 0.5}
    got = naming.phrase_candidates("Had to hold for an hour, awful wait.", weights)
    # "hold for an hour": both ends top words, stop words inside; the bi-gram counts (stop words aside)
    assert got == {"hold for an hour": pytest.approx(2.3)}
    # a clause boundary is never crossed, a single top word is no phrase
    assert naming.phrase_candidates("Hold, hour.", weights) == {}
    assert naming.phrase_candidates("An hour.", weights) == {}


def test_a_name_never_stops_inside_a_phrase():
    said = ["The invoice showed the wrong amount again.", "Wrong amount on my invoice.", "The wrong amount, again."]
    assert naming.modifier_words(said) >= {"wrong"}
    weights = {"invoice": 1.0, "wrong": 0.8}
    assert "invoice showed the wrong" in naming.phrase_candidates(said[0], weights)
    assert naming.phrase_candidates(said[0], weights, modifiers=naming.modifier_words(said)) == {}


def test_names_prefer_a_common_longer_phrase_and_stay_unique():
    terms = [[("straight", 1.0), ("away", 1.0), ("straight away", 1.0), ("sorted", 0.5)],
             [("straight", 1.0), ("away", 0.9), ("fixed", 0.6)]]
    said = [[("Sorted straight away.", 1.0)] * 4 + [("Fixed straight away.", 1.0)] * 3,
            [("Fixed straight away.", 1.0)] * 2]
    names = naming.name_topics(terms, said)
    assert names[0] == "Sorted straight away"  # the longer phrase around "straight away" customers often write
    assert names[1] == "Fixed straight away" and len(set(names)) == 2
    # a topic with no phrase of two top words is named by its two top words; duplicates are numbered
    assert naming.name_topics([[("billing", 1.0), ("charges", 0.5)]] * 2, [[], []]) == [
        "Billing and charges", "Billing and charges (2)"]
    assert naming.fallback_name([]) == "Other comments"


def test_a_name_carries_a_leading_word_of_its_topic():
    terms = [[("polite", 1.0), ("kind", 0.9), ("staff", 0.4), ("member", 0.4), ("staff member", 0.4)]]
    said = [[("A staff member was there.", 1.0)] * 5 + [("Polite and kind.", 1.0)]]
    # "staff member" is more common but says nothing of the topic's leading words, "polite" and "kind"
    assert naming.name_topics(terms, said) == ["Polite and kind"]


@pytest.fixture(scope="module")
def demo_topics():
    from cxtemplate.analysis.comments import commented_responses
    from cxtemplate.analysis.experience import comment_topics

    survey, _, truth = demo()
    commented = commented_responses(survey.responses)
    return comment_topics(commented["comment"], seed=survey.seed), truth


@pytest.mark.slow  # the demo organisation's data or a second fit: kept out of the under-a-minute suite
def test_the_demo_topics_get_readable_unique_names(demo_topics):
    """Each planted topic (its keywords in truth.json) is found and named by a short phrase holding one of its
    topic's leading words: no word triple, unique, capitalised; the triple moves to ``words``."""
    fitted, truth = demo_topics
    topics = fitted.model.topics
    names = topics["label"].tolist()
    assert len(set(n.lower() for n in names)) == len(names)
    assert list(fitted.membership.columns) == fitted.model.issue_labels  # membership is by name
    for name, words in zip(names, topics["words"]):
        assert " / " not in name and " / " in words
        assert name[0].isupper() and 2 <= len(name.split()) <= naming.MAX_WORDS
        assert re.fullmatch(r"[A-Za-z][A-Za-z' ]+", name), name
    found = 0
    for key, planted in truth["topics"].items():
        keywords = {w for k in planted["keywords"] for w in k.split()}
        overlap = [len(keywords & {w for t, _ in tt for w in t.split()}) for tt in topics["top_terms"]]
        best = max(range(len(overlap)), key=overlap.__getitem__)
        found += overlap[best] > 0
        lead = {w for t, _ in topics["top_terms"].iloc[best][:3] for w in t.split()}
        assert lead & set(names[best].lower().split()), (key, names[best], lead)
    assert found == len(truth["topics"])
    # the most harmful planted topic (billing) has a name about charges or the bill
    billing = truth["topics"][truth["topics_most_harmful"]]
    words = {w for k in billing["keywords"] for w in k.split()} | {"charges", "bill"}
    assert any(words & set(n.lower().split()) for n in names)
