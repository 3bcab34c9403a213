"""Tests for cxtemplate.data.privacy: redaction of personal data and secrets."""

from __future__ import annotations

import random
import string

import numpy as np
import pandas as pd
import pytest

from cxtemplate.data.privacy import (
    KINDS,
    assert_no_pii,
    build_name_pattern,
    contains_pii,
    luhn_ok,
    redact,
    redact_secrets,
)

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
]

NEGATIVES = [
    "3 times", "£45.99", "$1,299.00", "order 12345", "order #1234567", "ticket 98765432",
    "on 12/03/2024 at 10:30", "2024-03-12 10:30:00", "12.03.2024", "31-Jul-18",
    "rated 10 10 10 9 9 8 10", "between 1,000 and 2,000 customers", "0.5 seconds",
    "version 2.0.1", "flight BA0123 on 1 March", "room 101", "1234567890", "waited 45 minutes",
    "order 1234567890123",  # 13 digits failing Luhn: an order number, kept
    "tracking 1Z999AA10123456784", "see https://www.example.com/help", "50% off",
    "call us on the usual number", "the @ sign", "we are #1", "10-15 minutes",
    "2,500,000 points", "postcode SW1A 1AA", "3/4 of the time",
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


def test_one_megabyte_comment_is_redacted_and_kept_whole():
    """Megabyte comments, including the runs that make naive patterns backtrack (one letter, one digit,
    "www." repeated), are redacted and kept; their cost is measured in bench/bench_redaction.py."""
    rng = random.Random(0)
    words = "the flight was late and the staff were rude 3 times order 12345 £45.99 on 12/03/2024".split()
    body = " ".join(rng.choice(words) for _ in range(200_000))[:1_000_000]
    big = body + " mail a@b.com or 07700 900123, Mary O'Brien"
    r = redact([big, "a" * 1_000_000, "1" * 1_000_000, "www." * 250_000],
               known_names=["Mary O'Brien"])
    assert r.counts["email"] == 1 and r.counts["phone"] == 1 and r.counts["name"] == 1
    assert r.text.iloc[0].startswith(body[:1000])


def test_kinds_subset_and_unknown_kind():
    r = redact(["a@b.com 07700 900123"], kinds=["email"])
    assert r.text.iloc[0] == "[email] 07700 900123"
    with pytest.raises(ValueError, match="unknown redaction kinds"):
        redact(["x"], kinds=["ssn"])


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
