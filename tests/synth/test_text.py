"""Tests of :mod:`cxtemplate.synth.text`: phrase banks with findable topics, comments, names, drama phone
numbers, e-mail addresses, Luhn-valid card numbers (checked by an independent Luhn computation) and the
planted personal data."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cxtemplate.synth import text as st
from tests.synth.helpers import nps_points, nps_se, quarantined


def luhn_valid(number: str) -> bool:
    """The Luhn check as ISO/IEC 7812-1 (Annex B) states it: from the rightmost digit (the check digit)
    leftwards, double every second digit, add the digits of the products, and the total must end in 0."""
    total = 0
    for position, ch in enumerate(reversed([c for c in number if c.isdigit()])):
        d = int(ch)
        if position % 2 == 1:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return total % 10 == 0


def test_luhn_reference_on_published_numbers():
    # Wikipedia "Luhn algorithm" worked example, and the card networks' published test numbers
    for good in ("79927398713", "4111 1111 1111 1111", "4012888888881881", "5555-5555-5555-4444"):
        assert luhn_valid(good) and st.luhn_ok(good), good
    for bad in ("79927398710", "4111 1111 1111 1112", "4012888888881882"):
        assert not luhn_valid(bad) and not st.luhn_ok(bad), bad


def test_card_numbers_are_luhn_valid_visa_format():
    cards = st.card_numbers(np.random.default_rng(4), 2000)
    assert all(luhn_valid(c) for c in cards)
    assert all(re.fullmatch(r"4\d{3}([ -])\d{4}\1\d{4}\1\d{4}", c) for c in cards)
    assert {c[4] for c in cards} == {" ", "-"} and len(set(cards)) == len(cards)


def test_luhn_ok_agrees_with_the_reference_on_random_numbers():
    rng = np.random.default_rng(0)
    numbers = ["".join(map(str, rng.integers(0, 10, 16))) for _ in range(3000)]
    assert [st.luhn_ok(x) for x in numbers] == [luhn_valid(x) for x in numbers]
    assert 0.05 < np.mean([luhn_valid(x) for x in numbers]) < 0.15      # about one in ten


def test_expand_templates():
    assert st.expand("{a|b} c") == ["a c", "b c"]
    assert st.expand("plain") == ["plain"]
    assert st.expand("{x|y}{1|2}!") == ["x1!", "x2!", "y1!", "y2!"]
    for name, topic in st.TOPICS.items():        # a bank holds every variant of every template
        sizes = [int(np.prod([g.count("|") + 1 for g in re.findall(r"\{[^}]*\}", t)])) for t in topic["templates"]]
        assert len(st.TOPIC_BANKS[name]) == sum(sizes), name


def test_names_numbers_and_addresses():
    rng = np.random.default_rng(1)
    first, last = st.full_names(rng, 500)
    assert set(first) <= set(st.FIRST_NAMES) and set(last) <= set(st.LAST_NAMES)
    assert st.digits(np.array([5, 123, 12345]), 3).tolist() == ["005", "123", "12345"]
    assert all(re.fullmatch(r"07700 900\d{3}", x) for x in st.uk_mobile(rng, 300))   # Ofcom's drama range
    drama = r"07700 900\d{3}|\+44 7700 900\d{3}|07700900\d{3}|020 7946 0\d{3}|0161 496 0\d{3}|0117 496 0\d{3}"
    mixed = st.uk_phone_mixed(rng, 600)
    assert all(re.fullmatch(drama, x) for x in mixed) and len({x[:3] for x in mixed}) >= 4
    mail = st.emails(rng, np.array(["Jane", "Ali"], dtype=object), np.array(["Smith", "Khan"], dtype=object),
                     np.array([12, 7]))
    assert re.fullmatch(r"jane\.smith12@example\.(com|org|net)", mail[0]) and mail[1].startswith("ali.khan7@")


def test_comments_without_topics_are_one_sentence_of_the_scores_valence():
    rng = np.random.default_rng(2)
    nps = rng.integers(0, 11, 600)
    out = st.build_comments(rng, np.zeros((600, len(st.TOPIC_NAMES)), bool), nps)
    category = np.where(nps >= 9, "promoter", np.where(nps >= 7, "passive", "detractor"))
    bank = {k: {s.lower().rstrip(".") for s in v} for k, v in st.VALENCE.items()}
    assert all(c.lower().rstrip(".") in bank[k] for c, k in zip(out, category))


def test_comments_carry_each_mentioned_topic():
    rng = np.random.default_rng(3)
    n = 800
    mentions = rng.random((n, len(st.TOPIC_NAMES))) < 0.3
    out = st.build_comments(rng, mentions, rng.integers(0, 11, n))
    assert all(len(c) > 0 for c in out)
    for j, name in enumerate(st.TOPIC_NAMES):
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, st.TOPICS[name]["keywords"])) + r")\b", re.I)
        found = np.array([bool(pattern.search(c)) for c in out])
        assert (found == mentions[:, j]).all(), name


def test_inject_pii_counts_what_it_adds():
    rng = np.random.default_rng(5)
    n = 4000
    comments = np.array(["Fine overall."] * n, dtype=object)
    identified = np.arange(n) % 2 == 0
    first = np.array(["Jane"] * n, dtype=object)
    last = np.array(["Smith"] * n, dtype=object)
    out, counts = st.inject_pii(rng, comments, identified, first, last)
    assert sum("@example." in c for c in out) == counts["email"]
    assert sum("Jane Smith" in c for c in out) == counts["name"]
    assert all(identified[i] for i, c in enumerate(out) if "Jane Smith" in c)     # only the customer's own name
    cards = [m.group(0) for c in out for m in [re.search(r"\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}", c)] if m]
    assert len(cards) == counts["card"] and all(luhn_valid(x) for x in cards)
    assert counts["email"] / n == pytest.approx(st.PII_SHARES["email"], abs=0.01)
    assert sum(c != "Fine overall." for c in out) == sum(counts.values())        # one kind at most per comment


def test_topics_are_findable_and_shift_nps(demo):
    banks = st.TOPIC_BANKS
    patterns = {t: re.compile(r"\b(?:" + "|".join(map(re.escape, st.TOPICS[t]["keywords"])) + r")\b", re.I) for t in banks}
    # Every phrasing carries its own topic's keywords and no other topic's.
    for t, bank in banks.items():
        for phrase in bank:
            assert patterns[t].search(phrase), (t, phrase)
            assert not any(patterns[o].search(phrase) for o in banks if o != t), (t, phrase)
        assert len(bank) >= 60
    for bank in st.VALENCE_BANKS.values():
        assert not any(p.search(s) for p in patterns.values() for s in bank)

    r = quarantined(demo)["responses"].dropna(subset=["comment"])
    topics = demo.truth["topics"]
    assert demo.truth["topics_most_harmful"] == "billing_error"
    for t, info in topics.items():
        hit = r["comment"].str.contains(patterns[t])
        assert int(hit.sum()) == info["n_mentions"], t
        diff = nps_points(r.loc[hit, "nps"]) - nps_points(r.loc[~hit, "nps"])
        se = np.hypot(nps_se(r.loc[hit, "nps"]), nps_se(r.loc[~hit, "nps"]))
        assert abs(diff - info["nps_diff_expected"]) < 3 * se, t
        assert np.sign(info["nps_effect_expected"]) == np.sign(info["effect_latent"])
    # The general sentence follows the score: promoters' comments read more positively.
    pos = r["comment"].str.contains("|".join(map(re.escape, st.VALENCE["promoter"])), regex=True)
    assert r.loc[pos, "nps"].mean() > r.loc[~pos, "nps"].mean() + 1.5


def test_pii_counts(demo):
    r = quarantined(demo)["responses"].dropna(subset=["comment"])
    pii = demo.truth["pii"]
    c = r["comment"]
    assert c.str.contains(r"[\w.]+@example\.(?:com|org|net)").sum() == pii["email"]
    phone = r"(?:07700 ?900\d{3}|\+44 7700 900\d{3}|020 7946 0\d{3}|0161 496 0\d{3}|0117 496 0\d{3})"
    assert c.str.contains(phone).sum() == pii["phone"]
    cards = c.str.extract(r"(\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4})")[0].dropna()
    assert len(cards) == pii["card"] and all(st.luhn_ok(x) for x in cards)
    names = demo.tables["customers"].set_index("customer_id")["name"]
    ident = r["customer_id"].notna()
    own = [n in s for n, s in zip(names.loc[r.loc[ident, "customer_id"]], c[ident])]
    assert sum(own) == pii["name"]
    n = len(r)
    assert 0.015 < pii["email"] / n < 0.035 and 0.015 < pii["phone"] / n < 0.035 and 0.004 < pii["name"] / n < 0.02
    assert 1 <= pii["card"] <= 25
