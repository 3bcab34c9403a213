"""The patterns behind redaction (``cxtemplate.data.pii_patterns``), checked one by one against published
formats; the whole rule set is measured on the labelled cases in tests/data/test_privacy.py."""

from __future__ import annotations

import re

import pytest

from cxtemplate.data import pii_patterns as pp
from cxtemplate.vocabulary import PII_KINDS


def test_every_kind_has_its_placeholder():
    assert tuple(pp.PLACEHOLDERS) == PII_KINDS
    assert all(re.fullmatch(r"\[[a-z ]+\]", ph) for ph in pp.PLACEHOLDERS.values())


@pytest.mark.parametrize("number, valid", [
    ("4111111111111111", True),      # Visa test number (the card networks' published test cards)
    ("5555555555554444", True),      # Mastercard test number
    ("378282246310005", True),       # American Express test number
    ("4111111111111112", False),     # one digit changed
    ("79927398713", True),           # the Luhn algorithm's worked example (Wikipedia)
    ("79927398710", False),
])
def test_luhn_check_on_published_numbers(number, valid):
    assert pp.luhn_ok(number) is valid


@pytest.mark.parametrize("text, found", [
    ("NI number QQ 12 34 56 C please", True),    # HMRC's example format: two letters, six digits, A-D
    ("QQ123456C", True),
    ("qq 12 34 56 c", True),
    ("QQ 12 34 56 E", False),                     # the suffix letter is A, B, C or D
    ("order AB 12 34 56", False),
])
def test_uk_national_insurance_numbers(text, found):
    assert bool(pp.NINO.search(text)) is found


@pytest.mark.parametrize("text, found", [
    ("SSN 123-45-6789 on file", True),
    ("SSN 123 45 6789", True),
    ("666-12-3456", False),      # never issued (SSA)
    ("000-12-3456", False),
    ("123-00-4567", False),
    ("2024-01-1234", False),     # a date-like reference
])
def test_us_social_security_numbers(text, found):
    assert bool(pp.SSN.search(text)) is found


@pytest.mark.parametrize("text, expected", [
    ("I live at LS6 2QZ now", "I live at [postcode] now"),          # Leeds, a real postcode area
    ("SW1A 1AA", "[postcode]"),
    ("the 256GB model, S20 1TB", "the 256GB model, S20 1TB"),        # storage, not a street
    ("flight QQ1 2AB", "flight QQ1 2AB"),                              # QQ is not a UK postcode area
])
def test_uk_postcodes_need_a_real_area(text, expected):
    assert pp.UK_POSTCODE.sub(pp.uk_postcode_repl, text) == expected
