"""Tests for cxtemplate.data.privacy: redaction of personal data and secrets.

The labelled set (``tests/data/pii_cases.py``) measures recall per group and precision; the synthetic
organisation's planted truth and two real public data sets (airline tweets, Alexa reviews) bound the false
positives on ordinary comments."""

from __future__ import annotations

import json
import random
import re
import string

import numpy as np
import pandas as pd
import pytest

from cxtemplate.config.schema import Privacy, RedactionPattern
from cxtemplate.data.pii_patterns import PLACEHOLDERS, luhn_ok
from cxtemplate.data.privacy import (
    KIND_LABELS,
    KINDS,
    assert_no_pii,
    build_name_pattern,
    contains_pii,
    custom_patterns,
    redact,
    redact_secrets,
)
from cxtemplate.vocabulary import PII_KINDS
from tests.data.pii_cases import CASES, HELD_OUT, HELD_OUT_2, Case

POSITIVES = [
    # (text, kind, expected redacted text)
    ("mail me at john.smith@example.co.uk please", "email", "mail me at [email] please"),
    ("J.O'Neil+cx@mail-server.example.com", "email", "[email]"),
    ("(ANNA_B@EXAMPLE.ORG)", "email", "([email])"),
    ("07700 900123", "phone", "[phone]"),
    ("07700900123", "phone", "[phone]"),
    ("07700 900 123", "phone", "[phone]"),
    ("call +44 7700 900123 now", "phone", "call [phone] now"),
    ("+447700900123", "phone", "[phone]"),
    ("0044 7700 900123", "phone", "[phone]"),
    ("+44 (0)20 7946 0123", "phone", "[phone]"),
    ("ring 020 7946 0123.", "phone", "ring [phone]."),
    ("(020) 7946 0123", "phone", "[phone]"),
    ("0161 496 0123", "phone", "[phone]"),
    ("01632 960123", "phone", "[phone]"),
    ("0800-123-4567", "phone", "[phone]"),
    ("555-123-4567", "phone", "[phone]"),
    ("(555) 123-4567", "phone", "[phone]"),
    ("555.123.4567", "phone", "[phone]"),
    ("1-800-555-0199", "phone", "[phone]"),
    ("+1 555 123 4567", "phone", "[phone]"),
    ("+33 1 23 45 67 89", "phone", "[phone]"),
    ("+49 30 1234567", "phone", "[phone]"),
    ("+353 1 234 5678", "phone", "[phone]"),
    ("on +44 7700 900123 12 times", "phone", "on [phone] 12 times"),
    ("020 7946 0123 10 times", "phone", "[phone] 10 times"),
    ("card 4111 1111 1111 1111 thanks", "card", "card [card] thanks"),
    ("4111111111111111", "card", "[card]"),
    ("5500-0000-0000-0004", "card", "[card]"),
    ("1234 5678 9012 3456", "card", "[card]"),  # 4x4 groups: redacted without Luhn
    ("amex 3782 822463 10005", "card", "amex [card]"),
    ("4222222222222", "card", "[card]"),  # 13-digit Visa, passes Luhn
    ("GB29 NWBK 6016 1331 9268 19", "account", "[account]"),
    ("iban DE89370400440532013000", "account", "iban [account]"),
    ("NO93 8601 1117 947", "account", "[account]"),  # shortest IBAN, 15 characters
    ("sort code 12-34-56", "account", "sort code [account]"),
    ("account number 12345678", "account", "account number [account]"),
    ("reset https://cx.example.com/reset?token=abc123&u=me@x.com now", "url", "reset [url] now"),
    ("see www.example.com/login?session=9f8e7d", "url", "see [url]"),
    ("postcode SW1A 1AA", "postcode", "postcode [postcode]"),  # a negative before issue 14: postcodes are personal data
    # issue 14: national identifiers, addresses and postcodes, names people give
    ("My NI number is QQ 12 34 56 C", "national_id", "My NI number is [national id]"),
    ("ssn 123-45-6789 on file", "national_id", "ssn [national id] on file"),
    ("NHS number 943 476 5919", "national_id", "NHS number [national id]"),
    ("14 Acacia Avenue, Leeds LS6 2QZ", "address", "[address], Leeds [postcode]"),
    ("Springfield, IL 62704-1234", "postcode", "Springfield, IL [postcode]"),
    ("Hauptstraße 5, 10115 Berlin", "address", "[address], [postcode] Berlin"),
    ("Kerkstraat 12, 1012 AB Amsterdam", "postcode", "[address], [postcode] Amsterdam"),
    ("75011 Paris", "postcode", "[postcode] Paris"),
    ("my name is Sarah Jones and I want a refund", "name", "my name is [name] and I want a refund"),
    ("Name: Tom Smith", "name", "Name: [name]"),
    ("This is Sarah from accounts.", "name", "This is [name] from accounts."),
    ("Bill wrong again. Regards, Tom Smith", "name", "Bill wrong again. Regards, [name]"),
    ("Thanks, J. Bloggs", "name", "Thanks, [name]"),
    ("Mrs O'Brien was lovely", "name", "Mrs [name] was lovely"),
]

NEGATIVES = [
    "3 times", "£45.99", "$1,299.00", "order 12345", "order #1234567", "ticket 98765432",
    "on 12/03/2024 at 10:30", "2024-03-12 10:30:00", "12.03.2024", "31-Jul-18",
    "rated 10 10 10 9 9 8 10", "between 1,000 and 2,000 customers", "0.5 seconds",
    "version 2.0.1", "flight BA0123 on 1 March", "room 101", "1234567890", "waited 45 minutes",
    "order 1234567890123",  # 13 digits failing Luhn: an order number, kept
    "tracking 1Z999AA10123456784", "see https://www.example.com/help", "50% off",
    "call us on the usual number", "the @ sign", "we are #1", "10-15 minutes",
    "2,500,000 points", "3/4 of the time",
    "bag ID is UA6016053916",  # a real tweet: 12 characters, too short for an IBAN
]


@pytest.mark.parametrize("text,kind,expected", POSITIVES)
def test_positive_cases(text, kind, expected):
    r = redact([text])
    assert r.text.iloc[0] == expected
    assert r.counts[kind] >= 1


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_numbers_untouched(text):
    r = redact([text])
    assert r.text.iloc[0] == text
    assert r.total == 0


def test_counts_rows_and_summary():
    s = pd.Series(["a@b.com and c@d.org", "07700 900123", "fine", None, np.nan, "x@y.io"],
                  index=list("abcdef"))
    r = redact(s)
    assert r.counts["email"] == 3 and r.rows["email"] == 2
    assert r.counts["phone"] == 1
    assert set(r.counts) == set(KINDS)
    assert r.n_texts == 4
    assert list(r.text.index) == list("abcdef")
    assert r.text["d"] is None and pd.isna(r.text["e"])
    summ = r.summary()
    assert summ.loc["email", "replacements"] == 3 and summ.loc["email", "texts_affected"] == 2


def test_single_string_and_idempotent():
    r = redact("write to a@b.com or call 07700 900123")
    assert r.text == "write to [email] or call [phone]"
    again = redact(r.text)
    assert again.text == r.text and again.total == 0


def test_known_names_apostrophes_hyphens_case():
    names = ["Mary O'Brien", "Tom Smith-Jones", "Zoë Müller", "Ann Smith", "Will"]
    texts = pd.Series([
        "Dear Mary O'Brien, thanks",
        "MARY O’BRIEN called",             # curly apostrophe, upper case
        "tom smith-jones was great",
        "Ann Smith-Jones is not Ann Smith",  # longest known name wins; partial stays a name
        "Zoë Müller's order",              # possessive
        "I will call Tom tomorrow",        # single-token name 'Will' not used
        "Annabel Smithers wrote",          # not whole words
    ])
    r = redact(texts, known_names=names)
    out = list(r.text)
    assert out[0] == "Dear [name], thanks"
    assert out[1] == "[name] called"
    assert out[2] == "[name] was great"
    assert out[3] == "[name]-Jones is not [name]"
    assert out[4] == "[name]'s order"
    assert out[5] == "I will call Tom tomorrow"
    assert out[6] == "Annabel Smithers wrote"
    assert r.counts["name"] == 6
    pat = build_name_pattern(names)
    assert pat.n_skipped == 1


def test_last_first_variant():
    pat = build_name_pattern(["Mary O'Brien"], last_first=True)
    assert redact("O'Brien, Mary rang", pat).text == "[name] rang"


def _random_names(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    word = lambda a, b: "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(a, b)))  # noqa: E731
    return list(dict.fromkeys(f"{word(3, 8).title()} {word(4, 10).title()}" for _ in range(n)))


def test_many_names_are_one_trie_no_larger_than_the_names():
    """10,000 names become one regex whose size is bounded by the names' own letters (a prefix trie shares
    prefixes; the plain alternation of every name, each space written ``\\s+``, would be their total length
    plus three characters a name). How long it takes is measured in bench/bench_redaction.py, not asserted here."""
    names = _random_names(10_000, seed=1)
    pat = build_name_pattern(names)
    letters = sum(len(n) + 3 for n in names)
    assert pat.n_names == len(names)
    assert len(pat.pattern.pattern) < letters
    half = build_name_pattern(names[: len(names) // 2])
    assert len(pat.pattern.pattern) <= 2.1 * len(half.pattern.pattern)  # grows linearly with the names
    texts = pd.Series([f"spoke to {names[i]} about order {i}" for i in range(0, len(names), 10)] * 5)
    r = redact(texts, pat)
    assert r.counts["name"] == len(texts)
    assert not r.text.str.contains("spoke to [A-Z]", regex=True).any()


def test_a_long_comment_is_redacted_and_kept_whole():
    """Long comments, including the runs that make naive patterns backtrack (one letter, one digit,
    "www." repeated), are redacted and kept; a quadratic pattern would not finish on 300,000 characters.
    Megabyte comments go through integration in tests/flows/test_bad_inputs.py; the cost is measured in
    bench/bench_redaction.py."""
    rng = random.Random(0)
    words = "the flight was late and the staff were rude 3 times order 12345 £45.99 on 12/03/2024".split()
    body = " ".join(rng.choice(words) for _ in range(60_000))[:300_000]
    big = body + " mail a@b.com or 07700 900123, Mary O'Brien"
    r = redact([big, "a" * 300_000, "1" * 300_000, "www." * 75_000],
               known_names=["Mary O'Brien"])
    assert r.counts["email"] == 1 and r.counts["phone"] == 1 and r.counts["name"] == 1
    assert r.text.iloc[0].startswith(body[:1000])


def test_kinds_subset_and_unknown_kind():
    r = redact(["a@b.com 07700 900123"], kinds=["email"])
    assert r.text.iloc[0] == "[email] 07700 900123"
    with pytest.raises(ValueError, match="unknown redaction kinds"):
        redact(["x"], kinds=["ssn"])


def test_the_params_schema_and_the_redaction_know_the_same_kinds():
    assert KINDS == PII_KINDS == tuple(PLACEHOLDERS) == tuple(KIND_LABELS)
    assert Privacy().kinds == list(KINDS)


# --------------------------------------------------------------------------- the params' rules (privacy:)


def test_the_clients_own_patterns_are_redacted_first_and_counted_by_name():
    rules = Privacy(patterns=[RedactionPattern(name="policy_number", pattern=r"\bPOL-\d{8}\b"),
                              RedactionPattern(name="member", pattern=r"(?i)\bmem\d{6}\b", placeholder="[member]")])
    r = redact(["policy POL-12345678 for mem123456, call 07700 900123"], patterns=rules.patterns)
    assert r.text.iloc[0] == "policy [policy_number] for [member], call [phone]"
    assert r.counts["policy_number"] == 1 and r.counts["member"] == 1 and r.counts["phone"] == 1
    assert custom_patterns({"x": r"\d"})[0][2] == "[x]"
    with pytest.raises(ValueError, match="name of a built-in kind"):
        custom_patterns([("email", r"x")])
    with pytest.raises(ValueError, match="not a valid regular expression"):
        custom_patterns([("x", "(")])


def test_names_to_keep_are_never_redacted_as_names():
    texts = ["Thanks, Alexa", "I love Alexa. Regards, Tom Smith", "Hi Northwind, this is Sarah from flat 2"]
    r = redact(texts, keep=["alexa", "Northwind"])
    assert list(r.text) == ["Thanks, Alexa", "I love Alexa. Regards, [name]", "Hi Northwind, this is [name] from flat 2"]
    assert redact(["Regards, Mary O'Brien"], known_names=["Mary O'Brien"], keep=["mary o’brien"]).text.iloc[0] == \
        "Regards, Mary O'Brien"


def test_the_params_validate_kinds_and_patterns():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="national_id"):
        Privacy(kinds=["ssn"])
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        Privacy(patterns=[{"name": "x", "pattern": "("}])
    with pytest.raises(ValidationError, match="matches the empty string"):
        Privacy(patterns=[{"name": "x", "pattern": "a*"}])


def test_only_the_chosen_kinds_are_redacted():
    text = "QQ 12 34 56 C at 14 Acacia Avenue LS6 2QZ, regards, Tom Smith"
    assert redact([text], kinds=["postcode"]).text.iloc[0] == "QQ 12 34 56 C at 14 Acacia Avenue [postcode], regards, Tom Smith"
    assert redact([text], kinds=[]).text.iloc[0] == text


# --------------------------------------------------------------------------- the labelled set


def _measure(cases: list[Case]) -> dict:
    """Recall per group (every labelled secret gone), precision (a changed negative, or a positive whose other
    words were lost, is a false positive) and the cases that failed."""
    out = list(redact([c.text for c in cases]).text)
    caught = {g: [0, 0] for g in ("identifier", "name", "address")}
    tp = fp = 0
    misses, false = [], []
    for c, red in zip(cases, out):
        if c.group == "negative":
            if red != c.text:
                fp += 1
                false.append((c.text, red))
            continue
        caught[c.group][1] += 1
        if all(s not in red for s in c.secrets):
            caught[c.group][0] += 1
            rest = c.text
            for s in c.secrets:
                rest = rest.replace(s, " ")
            if all(w in red for w in re.findall(r"[A-Za-z]{3,}", rest)):
                tp += 1
            else:
                fp += 1
                false.append((c.text, red))
        else:
            misses.append((c.text, red))
    recall = {g: n / d for g, (n, d) in caught.items()}
    return {"recall": recall, "precision": tp / (tp + fp), "misses": misses, "false": false,
            "n": len(cases), "negatives": sum(c.group == "negative" for c in cases)}


def test_the_labelled_set_is_large_and_balanced():
    groups = pd.Series([c.group for c in CASES + HELD_OUT + HELD_OUT_2]).value_counts()
    assert groups.sum() >= 300 and groups.min() >= 60, groups.to_dict()
    assert all(s in c.text for c in CASES + HELD_OUT + HELD_OUT_2 for s in c.secrets)  # the labels point into the text


def test_recall_and_precision_on_the_labelled_set(capsys):
    """Recall ≥ 0.98 on identifiers and ≥ 0.9 on names and addresses, precision ≥ 0.97, over the 541 cases (the
    figures are printed: ``pytest -s -k labelled``)."""
    m = _measure(CASES + HELD_OUT + HELD_OUT_2)
    with capsys.disabled():
        print(f"\nredaction on {m['n']} labelled cases ({m['negatives']} hard negatives): "
              + ", ".join(f"recall {g} {r:.3f}" for g, r in m["recall"].items()) + f", precision {m['precision']:.3f}")
    assert m["recall"]["identifier"] >= 0.98, m["misses"]
    assert m["recall"]["name"] >= 0.9 and m["recall"]["address"] >= 0.9, m["misses"]
    assert m["precision"] >= 0.97, m["false"]


def test_redaction_of_the_labelled_set_is_idempotent():
    once = redact([c.text for c in CASES + HELD_OUT + HELD_OUT_2]).text
    assert redact(once).text.tolist() == once.tolist()


# --------------------------------------------------------------------------- false positives on real comments


def test_the_synthetic_organisations_comments_show_no_identifier_or_address_that_was_not_planted(root):
    """data/demo plants e-mails, phones, cards and the customers' own names (truth.json), and no national
    identifier, street or postcode: none may be found; every name found is a planted one."""
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())["pii"]
    comments = pd.read_csv(root / "data" / "demo" / "responses.csv", usecols=["comment"])["comment"].dropna()
    names = pd.read_csv(root / "data" / "demo" / "customers.csv", usecols=["name"])["name"]
    r = redact(comments, known_names=names)
    assert r.rows["national_id"] == r.rows["address"] == r.rows["postcode"] == 0
    assert {k: r.rows[k] for k in ("email", "phone", "card", "name")} == {k: truth[k] for k in ("email", "phone", "card", "name")}


@pytest.mark.slow  # a whole synthetic organisation or real data set: in `make test`, not the fast loop
def test_false_positives_on_real_airline_tweets_and_alexa_reviews_are_rare(real_data):
    """The 14,640 tweets and 3,150 reviews carry real agents' names ("shout out to Kim at the check-in") and one
    hotel address; measured: 47 tweets changed by the new kinds, of which 3 are not personal data ("Hey Jetblue,",
    "Lady Speed Stick"), and 8 reviews, all "Alexa" (the product: the params' ``keep`` list is for it)."""
    tweets = pd.read_csv(real_data / "twitter_airline_sentiment" / "Tweets.csv", usecols=["text"])["text"]
    reviews = pd.read_csv(real_data / "amazon_alexa_reviews" / "amazon_alexa.tsv", sep="\t", encoding="utf-8-sig",
                          usecols=["verified_reviews"])["verified_reviews"].astype(str)
    new = ["national_id", "address", "postcode", "name"]
    t = redact(tweets, kinds=new)
    assert sum(t.rows.values()) <= 0.005 * len(tweets)  # at most one tweet in 200
    assert t.rows["national_id"] == 0 and t.rows["address"] <= 1 and t.rows["postcode"] <= 1
    a = redact(reviews, kinds=new)
    assert a.rows["name"] <= 10 and a.rows["address"] == a.rows["postcode"] == a.rows["national_id"] == 0
    assert redact(reviews[a.text != reviews], kinds=new, keep=["Alexa"]).total == 0


def test_contains_pii_and_assert():
    s = pd.Series(["fine", "a@b.com", None, "call 07700 900123"])
    assert list(contains_pii(s)) == [False, True, False, True]
    assert contains_pii("nothing here") is False
    with pytest.raises(ValueError, match="2 texts still contain personal data") as e:
        assert_no_pii(s)
    assert "a@b.com" not in str(e.value)
    assert_no_pii(redact(s).text)


def test_luhn():
    assert luhn_ok("4111 1111 1111 1111")
    assert not luhn_ok("4111 1111 1111 1112")
    assert not luhn_ok("")


@pytest.mark.parametrize("text,secrets,expected", [
    ("postgresql://cx_user:s3cret@db.internal:5432/cx", (), "postgresql://cx_user:***@db.internal:5432/cx"),
    ("mysql+pymysql://u:p%40ss@host/db", (), "mysql+pymysql://u:***@host/db"),
    ("postgresql://cx:pa@ss@db:5432/cx", (), "postgresql://cx:***@db:5432/cx"),
    ("https://api.example.com/v1?api_key=ABC123&x=1", (), "https://api.example.com/v1?api_key=***&x=1"),
    ("password=hunter2 token: abc.def", (), "password=*** token: ***"),
    ("connecting with tok_9f8e7d6c", ["tok_9f8e7d6c"], "connecting with ***"),
    ("short one ab", ["ab"], "short one ab"),
    ("https://example.com/path", (), "https://example.com/path"),
])
def test_redact_secrets(text, secrets, expected):
    assert redact_secrets(text, secrets) == expected
