"""Tests of :mod:`cxtemplate.analysis.text.select`: sentences (on hand-written text), distinct units, valence
balance, context smoothing (a hand-worked PPMI example), NMF and the stability of topics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from cxtemplate.analysis.text import select as ts


def test_split_sentences_on_hand_written_text():
    docs = pd.Series(["The wait was long.  The agent fixed it!\nThanks", "no punctuation here",
                      "12345. ... Is it ok? Yes; mostly."], index=["x", "y", "z"])
    sentences, owner = ts.split_sentences(docs)
    assert list(sentences) == ["The wait was long.", "The agent fixed it!", "Thanks", "no punctuation here",
                               "Is it ok?", "Yes;", "mostly."]           # "12345." and "..." hold no letter
    assert list(owner) == [0, 0, 0, 1, 2, 2, 2]                           # positions, not index labels
    crlf, owner = ts.split_sentences(pd.Series(["Café fermé\r\n\r\nMerci", "Très bien."]))
    assert list(crlf) == ["Café fermé", "Merci", "Très bien."] and list(owner) == [0, 0, 1]


def test_distinct_units_ignore_case_and_punctuation():
    uniq, codes = ts.distinct_units(["Great service!", "great service", "Great, service.", "Bad", "bad!!"])
    assert uniq.tolist() == ["Great service!", "Bad"] and codes.tolist() == [0, 0, 0, 1, 1]
    assert uniq.index.tolist() == [0, 1]


def test_stability_building_blocks():
    r = [[1, 2, 3], [4, 5, 6]]
    assert ts.ranking_agreement(r, r) == 1.0
    assert ts.ranking_agreement(r, r[::-1]) == 1.0  # topics are paired, order does not matter
    assert ts.ranking_agreement(r, [[7, 8, 9], [10, 11, 12]]) == 0.0
    bal, corpus = ts.valence_balance(
        sp.csr_matrix(np.array([[1, 1], [1, 0], [0, 1]])),
        ["the staff were lovely", "the staff were rude and awful", "fine"])
    assert bal[0] == pytest.approx(1.0)  # term 0: one positive, one negative sentence
    assert bal[1] == pytest.approx(0.0)
    assert 0 < corpus < 1


def test_ranking_agreement_by_hand():
    # average Jaccard of [1, 2, 3] and [1, 3, 2]: prefixes agree 1/1, 1/3, 3/3 → 7/9
    assert ts.ranking_agreement([[1, 2, 3]], [[1, 3, 2]]) == pytest.approx(7 / 9)
    # topics paired by the Hungarian method: [1,2,3]↔[1,2,3] (1) and [4,5,6]↔[4,5,7] (1, 1, 2/4)
    assert ts.ranking_agreement([[1, 2, 3], [4, 5, 6]], [[4, 5, 7], [1, 2, 3]]) == pytest.approx((1 + 2.5 / 3) / 2)


def test_context_smoother_by_hand():
    """Terms a and b never meet but share the context c: their PPMI context vectors (both log 1.25 on c) have
    cosine 1, so each gains half of the other; c's own context (a and b) is orthogonal to theirs; d stands alone."""
    X = sp.csr_matrix(np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1]]))
    np.testing.assert_allclose(ts.context_smoother(X, alpha=0.5).toarray(),
                               [[1, 0.5, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], atol=1e-12)
    assert (ts.context_smoother(X, alpha=0.5, min_sim=1.5).toarray() == np.eye(4)).all()


@pytest.fixture(scope="module")
def three_blocks():
    """200 units × 30 terms from three disjoint blocks of ten terms, plus a little noise."""
    rng = np.random.default_rng(0)
    W = np.zeros((200, 3))
    W[np.arange(200), rng.integers(0, 3, 200)] = rng.uniform(1, 2, 200)
    H = np.zeros((3, 30))
    for k in range(3):
        H[k, 10 * k:10 * (k + 1)] = rng.uniform(0.5, 1.5, 10)
    return sp.csr_matrix(W @ H + rng.uniform(0, 0.05, (200, 30)))


def test_nmf_finds_the_blocks_and_svd_matches_numpy(three_blocks):
    m = ts.fit_nmf(three_blocks, 3)
    found = sorted(tuple(sorted(np.argsort(-c)[:10])) for c in m.components_)
    assert found == [tuple(range(0, 10)), tuple(range(10, 20)), tuple(range(20, 30))]
    again = ts.fit_nmf(three_blocks, 3)
    np.testing.assert_array_equal(m.components_, again.components_)          # deterministic
    _, s, _ = ts.truncated_svd(three_blocks, 3, 0)
    np.testing.assert_allclose(s, np.linalg.svd(three_blocks.toarray(), compute_uv=False)[:3], rtol=1e-8)


def test_stability_is_highest_at_the_planted_number_of_topics(three_blocks):
    st = ts.stability(three_blocks, [4, 3], n_samples=3, top=10)
    assert list(st) == [3, 4] and st[3] == pytest.approx(1.0) and st[4] < st[3]
    assert ts.stability(three_blocks, []) == {}
