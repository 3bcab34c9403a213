"""Tests of :mod:`cxtemplate.analysis.text.plots`: the topic-impact bars (most harmful on top, small topics
left out and counted, significant ones coloured) and the sentiment mix by group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from cxtemplate.analysis.text.impact import topic_impact
from cxtemplate.analysis.text.plots import plot_sentiment_by, plot_topic_impact
from cxtemplate.report.theme import BAD, GOOD, NEUTRAL
from tests.analysis.text.corpus import PLANTED, simulate


@pytest.fixture(scope="module")
def sim():
    """The simulated corpus with its planted topic membership standing in for a fitted model's (the charts
    need an impact table, not topic modelling): (texts, scores, planted topics, membership)."""
    texts, scores, topics = simulate()
    membership = pd.DataFrame({name: [name in t for t in topics] for name in PLANTED}, index=texts.index)
    return texts, scores, topics, membership


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plots(sim):
    """Moved from test_topics.py (same assertions); the membership is the planted one instead of a model's."""
    texts, scores, _, membership = sim
    imp = topic_impact(membership, scores)
    ax = plot_topic_impact(imp, min_n=400)
    shown = ax.get_yticklabels()
    assert len(shown) == int((imp["n_with"] >= 400).sum())
    assert any("not shown" in t.get_text() for t in ax.texts) == bool((imp["n_with"] < 400).any())
    plt.close("all")
    labels = pd.Series(np.where(scores >= 9, "positive", np.where(scores <= 6, "negative", "neutral")))
    by = pd.Series(np.where(np.arange(len(scores)) % 3 == 0, "phone", "web"))
    by.iloc[:10] = "letter"
    ax = plot_sentiment_by(labels, by)
    assert len(ax.get_yticklabels()) == 2
    assert ax.get_title(loc="left") == "Sentiment of comments"
    plt.close("all")


def _impact() -> pd.DataFrame:
    imp = pd.DataFrame({"topic": ["Billing", "Wait", "Staff", "Rare"], "n_with": [120, 300, 80, 12],
                        "impact": [-30.0, -5.0, 20.0, -50.0], "ci_low": [-40.0, -12.0, 8.0, -90.0],
                        "ci_high": [-20.0, 2.0, 32.0, -10.0]})
    imp.attrs.update(kind="nps", confidence=0.9, n=2000)
    return imp


def test_topic_impact_bars_by_hand():
    ax = plot_topic_impact(_impact(), min_n=30)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # sorted by impact, largest first at y = 0: matplotlib draws y = 0 at the bottom, so the most harmful is on top
    assert labels == ["Staff  (n=80)", "Wait  (n=300)", "Billing  (n=120)"]
    bars = sorted(ax.patches, key=lambda p: p.get_y())
    assert [p.get_width() for p in bars] == [20.0, -5.0, -30.0]
    colours = [p.get_facecolor() for p in bars]
    assert colours == [to_rgba(GOOD), to_rgba(NEUTRAL), to_rgba(BAD)]       # Wait's interval crosses zero
    sub = " ".join(t.get_text() for t in ax.texts)
    assert "NPS points vs other comments, 90% interval; 1 topic(s) with n < 30 not shown" in sub and "n = 2,000" in sub
    assert ax.get_xlabel() == "NPS points" and ax.get_title(loc="left") == "Impact of comment topics on NPS"
    mean = _impact()
    mean.attrs.update(kind="mean")
    ax = plot_topic_impact(mean, min_n=10, title="Score gaps")
    assert len(ax.get_yticklabels()) == 4 and ax.get_xlabel() == "difference in mean score"
    assert "score difference vs other comments" in " ".join(t.get_text() for t in ax.texts)


def test_sentiment_mix_by_group_by_hand():
    labels = pd.Series(["negative"] * 30 + ["positive"] * 10 + ["neutral"] * 20 + ["positive"] * 40 + ["negative"] * 5)
    by = pd.Series(["phone"] * 40 + ["web"] * 60 + ["letter"] * 5)
    ax = plot_sentiment_by(labels, by, min_n=30)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(ticks) == ["phone  (n = 40)", "web  (n = 60)"]                 # letter (n = 5) suppressed
    # phone: 75% negative, 25% positive; web: 33% neutral, 67% positive — labelled on the bars
    shares = sorted(t.get_text() for t in ax.texts if t.get_text().endswith("%"))
    assert shares == sorted(["75%", "25%", "33%", "67%"])
