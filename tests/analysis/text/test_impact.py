"""Tests of :mod:`cxtemplate.analysis.text.impact`: a topic's NPS impact with its adjusted-Wald interval, z-test
and Benjamini–Hochberg adjustment, computed by hand; agreement of topics with human labels against
scikit-learn's and a hand computation of mutual information."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxtemplate.analysis.text.impact import topic_alignment, topic_impact


def test_topic_impact_hand_computed():
    # topic A: 4 responses (2 promoters, 1 detractor); rest: 6 (1 promoter, 3 detractors)
    member = pd.DataFrame({"A": [True] * 4 + [False] * 6})
    scores = pd.Series([10, 9, 7, 3, 9, 8, 8, 5, 0, 6])
    r = topic_impact(member, scores).iloc[0]
    assert r["nps_with"] == pytest.approx(25.0)
    assert r["nps_without"] == pytest.approx(100 * (1 / 6 - 3 / 6))
    assert r["impact"] == pytest.approx(25 + 100 / 3)
    # adjusted Wald: +0.75 promoters and detractors, +3 to n, trinomial variance per group
    pa, da = 2.75 / 7, 1.75 / 7
    pb, db = 1.75 / 9, 3.75 / 9
    d = 100 * ((pa - da) - (pb - db))
    se = 100 * math.sqrt((pa + da - (pa - da) ** 2) / 7 + (pb + db - (pb - db) ** 2) / 9)
    assert r["ci_low"] == pytest.approx(d - 1.959964 * se, abs=1e-4)
    assert r["ci_high"] == pytest.approx(d + 1.959964 * se, abs=1e-4)
    assert r["mean_diff"] == pytest.approx(np.mean([10, 9, 7, 3]) - np.mean([9, 8, 8, 5, 0, 6]))
    assert r["n_with"] == 4 and r["n_without"] == 6


def test_two_topics_nps_difference_p_values_and_bh_by_hand():
    # 12 responses: "wait" on the first five (scores 2, 3, 9, 6, 8), "staff" on rows 4–7 (8, 10, 10, 9)
    scores = pd.Series([2, 3, 9, 6, 8, 10, 10, 9, 7, 5, 10, 0])
    member = pd.DataFrame({"wait": [True] * 5 + [False] * 7, "staff": [False] * 4 + [True] * 4 + [False] * 4})
    out = topic_impact(member, scores).set_index("topic")
    assert list(out.index) == ["wait", "staff"]                          # most harmful first
    # wait: 1 promoter, 3 detractors of 5 → NPS −40; rest: 4 promoters, 2 detractors of 7 → +28.571
    assert out.loc["wait", "nps_with"] == pytest.approx(-40.0)
    assert out.loc["wait", "nps_without"] == pytest.approx(100 * (4 - 2) / 7)
    assert out.loc["wait", "impact"] == pytest.approx(-40.0 - 200 / 7)
    # staff: 3 promoters, 0 detractors of 4 → +75; rest: 2 promoters, 5 detractors of 8 → −37.5
    assert out.loc["staff", "impact"] == pytest.approx(75.0 + 37.5)
    p = {}
    for topic, (pa, da, na, pb, db, nb) in {"wait": (1, 3, 5, 4, 2, 7), "staff": (3, 0, 4, 2, 5, 8)}.items():
        ap, ad = (pa + 0.75) / (na + 3), (da + 0.75) / (na + 3)
        bp, bd = (pb + 0.75) / (nb + 3), (db + 0.75) / (nb + 3)
        d = 100 * ((ap - ad) - (bp - bd))
        se = 100 * math.sqrt((ap + ad - (ap - ad) ** 2) / (na + 3) + (bp + bd - (bp - bd) ** 2) / (nb + 3))
        p[topic] = 2 * stats.norm.sf(abs(d) / se)
        assert out.loc[topic, "p_value"] == pytest.approx(p[topic], rel=1e-12)
        assert (out.loc[topic, "ci_low"], out.loc[topic, "ci_high"]) == pytest.approx((d - 1.959964 * se,
                                                                                        d + 1.959964 * se), abs=1e-4)
    low, high = sorted(p.values())                                     # BH over two: min(2 p(1), p(2)), p(2)
    bh = {k: (min(2 * low, high) if v == low else high) for k, v in p.items()}
    for topic in p:
        assert out.loc[topic, "p_adj"] == pytest.approx(bh[topic], rel=1e-12)
    assert out.attrs == {"kind": "nps", "confidence": 0.95, "n": 12}
    assert out.loc["staff", "share"] == pytest.approx(4 / 12)


def test_topic_impact_mean_kind_and_missing_scores():
    member = pd.DataFrame({"A": [True, True, False, False, True], "B": [False, True, True, False, False]},
                          index=list("vwxyz"))
    scores = pd.Series({"v": 5, "w": 6, "x": 2, "y": 1, "z": np.nan})
    r = topic_impact(member, scores, kind="mean").set_index("topic")
    assert r.loc["A", "impact"] == pytest.approx(5.5 - 1.5)
    assert r.loc["A", "n_with"] == 2
    assert "nps_with" not in r.columns
    with pytest.raises(ValueError, match="0–10"):
        topic_impact(member, pd.Series({"v": 50, "w": 6, "x": 2, "y": 1, "z": 3}))
    with pytest.raises(ValueError, match="kind"):
        topic_impact(member, scores, kind="csat")


def test_mean_kind_welch_interval_by_hand():
    member = pd.DataFrame({"A": [True] * 4 + [False] * 5})
    scores = pd.Series([5.0, 6, 7, 4, 2, 3, 1, 2, 4])
    r = topic_impact(member, scores, kind="mean", confidence=0.9).iloc[0]
    a, b = scores[:4], scores[4:]
    va, vb = a.var(ddof=1) / 4, b.var(ddof=1) / 5
    dof = (va + vb) ** 2 / (va ** 2 / 3 + vb ** 2 / 4)                # Welch–Satterthwaite
    half = stats.t.ppf(0.95, dof) * math.sqrt(va + vb)
    assert r["impact"] == pytest.approx(a.mean() - b.mean())
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((a.mean() - b.mean() - half, a.mean() - b.mean() + half))
    assert r["p_value"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)


def test_topic_alignment():
    a = topic_alignment(["x", "x", "y", "y", None], ["a", "a", "b", "b", "b"])
    assert a["n"] == 4 and a["ami"] == pytest.approx(1.0) and a["purity"] == 1.0
    b = topic_alignment(["x", "y", "x", "y"], ["a", "a", "b", "b"])
    assert b["purity"] == 0.5 and b["baseline_purity"] == 0.5


def test_topic_alignment_against_scikit_learn_and_by_hand():
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, normalized_mutual_info_score

    topics = ["T1"] * 6 + ["T2"] * 5 + ["T3"] * 4 + [None]
    labels = ["late"] * 5 + ["rude"] + ["rude"] * 4 + ["late"] + ["bags"] * 3 + ["late", "bags"]
    got = topic_alignment(topics, labels)
    t, y = topics[:15], labels[:15]                                      # the pair with a missing topic is left out
    assert got["n"] == 15
    assert got["ami"] == pytest.approx(adjusted_mutual_info_score(y, t), abs=1e-12)
    assert got["nmi"] == pytest.approx(normalized_mutual_info_score(y, t), abs=1e-12)
    # mutual information by hand from the contingency table; NMI = 2 I / (H(labels) + H(topics))
    ct = pd.crosstab(pd.Series(t), pd.Series(y)).to_numpy() / 15
    pt, py = ct.sum(axis=1), ct.sum(axis=0)
    nz = ct > 0
    mi = (ct[nz] * np.log(ct[nz] / np.outer(pt, py)[nz])).sum()
    entropy = lambda q: -(q * np.log(q)).sum()  # noqa: E731
    assert got["nmi"] == pytest.approx(2 * mi / (entropy(pt) + entropy(py)), abs=1e-12)
    # purity: T1 → 5 late of 6, T2 → 4 rude of 5, T3 → 3 bags of 4; baseline: "late" is 7 of 15
    assert got["purity"] == pytest.approx(12 / 15) and got["baseline_purity"] == pytest.approx(7 / 15)
    # renaming the topics changes nothing; the same partition is perfect agreement on every index
    renamed = topic_alignment([{"T1": "x", "T2": "y", "T3": "z", None: None}[v] for v in topics], labels)
    assert renamed == got
    same = topic_alignment(y, y)
    assert same["ami"] == pytest.approx(1.0) and adjusted_rand_score(y, y) == 1.0 and same["purity"] == 1.0


def test_topic_alignment_of_unrelated_labels_is_near_chance():
    rng = np.random.default_rng(0)
    got = topic_alignment(rng.integers(0, 5, 3000), rng.choice(list("abcd"), 3000))
    assert abs(got["ami"]) < 0.01 and got["purity"] < got["baseline_purity"] + 0.05
