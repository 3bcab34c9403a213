"""Tests of cxtemplate.analysis.text.taxonomy: the term syntax, the shipped sector libraries, primary aspects, and the
travel taxonomy against the human complaint reasons of the airline tweets (written before it was measured)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxtemplate.analysis.text.taxonomy import SECTORS, aspect_hits, compile_term, load_taxonomy, primary_aspect

ROOT = Path(__file__).resolve().parents[3]


def test_term_syntax_words_prefixes_phrases_and_both():
    tax = load_taxonomy(aspects=[{"id": "bag", "name": "Bags", "terms": ["lost & bag*", "baggage claim"]},
                                 {"id": "bill", "name": "Bills", "terms": ["bill", "charg*", "direct debit"]}])
    hits = aspect_hits(tax, ["My bags were lost.", "Lost my way.", "The baggage  claim desk",
                             "Billing is a mess", "Charged twice, another bill and a charge", "Direct debit taken"])
    bag, bill = tax.ids.index("bag"), tax.ids.index("bill")
    assert list(hits[:, bag]) == [1, 0, 1, 0, 0, 0]
    # "bill" is a whole word: "Billing" is not; charg* counts each occurrence
    assert list(hits[:, bill]) == [0, 0, 0, 0, 3, 1]
    with pytest.raises(ValueError, match="bare"):
        compile_term("*")
    with pytest.raises(ValueError, match="empty side"):
        compile_term("lost & ")


@pytest.mark.parametrize("sector", SECTORS)
def test_every_sector_library_loads_with_the_common_aspects(sector):
    tax = load_taxonomy(sector)
    common = load_taxonomy()
    assert set(common.ids) <= set(tax.ids)
    # sector aspects first: they are the more specific, and win a tie for the primary aspect
    assert tax.ids[-len(common.ids):] == common.ids
    for a in tax.aspects:
        assert a.name and a.complaint and a.praise and a.terms, a.id


def test_params_aspects_replace_or_come_first(tmp_path):
    tax = load_taxonomy("retail", aspects=[{"id": "staff", "name": "Colleagues", "terms": ["colleague*"]},
                                           {"id": "loyalty", "terms": ["points", "clubcard"]}])
    assert tax.ids[:2] == ["staff", "loyalty"] and tax.aspect("staff").name == "Colleagues"
    assert tax.aspect("loyalty").name == "Loyalty" and tax.ids.count("staff") == 1
    own = tmp_path / "mine.yaml"
    own.write_text(yaml.safe_dump({"aspects": [{"id": "parking", "terms": ["car park", "parking"]}]}))
    assert load_taxonomy(own).ids == ["parking"]
    with pytest.raises(ValueError, match="twice"):
        load_taxonomy(aspects=[{"id": "x", "terms": ["a"]}, {"id": "x", "terms": ["b"]}])


def test_primary_aspect_most_hits_then_order():
    tax = load_taxonomy("travel")
    out = primary_aspect(tax, pd.Series(["Flight cancelled and the rebooking fee cancelled my plans",
                                         "Lost my bag", "Nice weather", None], index=[10, 11, 12, 13]))
    assert out.loc[10] == "cancellation" and out.loc[11] == "lost_baggage"
    assert out.loc[12] is None and out.loc[13] is None


@pytest.mark.slow  # the whole labelled tweet set
def test_travel_taxonomy_against_airline_complaint_reasons(real_data):
    """The travel taxonomy and its aspect-to-reason map were written from general knowledge and committed
    (1db9011) before being measured on these labels; neither has been changed since.

    Measured 2026-12-02 on the 7,988 negative tweets with a reason other than "Can't Tell" (bench/results/taxonomy.md):
    F1 Cancelled Flight 0.72, Lost Luggage 0.70, Late Flight 0.63, Bad Flight 0.44, Customer Service Issue 0.44,
    Flight Booking Problems 0.41, Flight Attendant Complaints 0.28, longlines 0.24, Damaged Luggage 0.22: three
    reasons at 0.6 or more, where the issue asked for six. For scale, a classifier *trained on these labels*
    (TF-IDF + logistic regression, 5-fold) reaches 0.6 on four (Cancelled 0.75, Customer Service 0.74, Lost 0.74,
    Late 0.72): the crowd labels hold one reason per tweet and the other five reasons are not separable by words
    at that level. AMI of the primary aspect's reason with the label: 0.28; 24% of tweets name no aspect.
    """
    from sklearn.metrics import adjusted_mutual_info_score, precision_recall_fscore_support

    tw = pd.read_csv(real_data / "twitter_airline_sentiment" / "Tweets.csv")
    neg = tw[(tw["airline_sentiment"] == "negative") & (tw["negativereason"] != "Can't Tell")].reset_index(drop=True)
    reason_of = yaml.safe_load((ROOT / "tests" / "data" / "airline_reason_map.yaml").read_text())
    primary = primary_aspect(load_taxonomy("travel"), neg["text"])
    predicted = primary.map(reason_of).fillna("none")
    reasons = sorted(neg["negativereason"].unique())
    _, _, f1, _ = precision_recall_fscore_support(neg["negativereason"], predicted, labels=reasons, zero_division=0)
    f1 = dict(zip(reasons, f1))
    assert f1["Cancelled Flight"] >= 0.7 and f1["Lost Luggage"] >= 0.68 and f1["Late Flight"] >= 0.6, f1
    assert sum(v >= 0.6 for v in f1.values()) >= 3, f1
    assert adjusted_mutual_info_score(neg["negativereason"], predicted) >= 0.27
    assert primary.isna().mean() < 0.26
