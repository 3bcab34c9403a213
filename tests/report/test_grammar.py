"""The grammar layer: articles, plurals, verb agreement, capitals and lists of generated sentences."""

import pytest

from cxtemplate.report.grammar import article, capitalise, join_list, noun, plural, sentence, verb, with_article


@pytest.mark.parametrize("word, expected", [
    ("action", "an"), ("onboarding review", "an"), ("hour-long wait", "an"), ("honest answer", "an"),
    ("user", "a"), ("unit", "a"), ("one-off call", "a"), ("European customer", "a"), ("unresolved contact", "an"),
    ("NPS finding", "an"), ("SMS", "an"), ("FTE", "an"), ("CX forum", "a"), ("CSAT drop", "a"), ("URL", "a"),
    ("8-point gap", "an"), ("11-point gap", "an"), ("18", "an"), ("80", "an"), ("3-point gap", "a"),
    ("100", "a"), ("Edinburgh", "an"), ("Birmingham", "a"),
])
def test_article_follows_the_sound_not_the_letter(word, expected):
    assert article(word) == expected


def test_plural_and_noun_agree_with_the_count():
    assert [plural(n, "action") for n in (0, 1, 2, 1204)] == ["0 actions", "1 action", "2 actions", "1,204 actions"]
    assert plural(1.0, "customer") == "1 customer"
    assert [noun(2, w) for w in ("query", "day", "box", "branch", "person", "analysis")] == \
        ["queries", "days", "boxes", "branches", "people", "analyses"]
    assert noun(3, "criterion") == "criteria" and noun(2, "staff", "staff") == "staff"
    assert plural(2.5, "point", decimals=1) == "2.5 points"


def test_verb_agrees_with_its_subjects():
    assert verb(1, "is", "are") == "is" and verb(0, "is", "are") == "are" and verb(3, "falls", "fall") == "fall"


def test_sentences_start_with_a_capital_and_end_with_a_stop():
    assert sentence("proactive retention calls to 40 customers") == "Proactive retention calls to 40 customers."
    assert sentence("  NPS  rose ") == "NPS rose."
    assert sentence("**billing** is the most harmful topic") == "**Billing** is the most harmful topic."
    assert sentence("was it the wait?") == "Was it the wait?"
    assert sentence("see the note:") == "See the note:"
    assert sentence("") == ""
    assert capitalise("eBay sellers") == "EBay sellers" and capitalise("42 customers") == "42 customers"


def test_lists_read_as_english():
    assert join_list([]) == "" and join_list(["billing"]) == "billing"
    assert join_list(["billing", "wait times"]) == "billing and wait times"
    assert join_list(["Leeds", "York", "Hull"], "or") == "Leeds, York or Hull"
    assert join_list(["a", "", "b"]) == "a and b"


def test_an_action_title_reads_right_after_its_article():
    assert with_article("unresolved contact") == "an unresolved contact"
    assert sentence(f"first action: {'proactive retention calls'}") == "First action: proactive retention calls."
