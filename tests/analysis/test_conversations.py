"""Tests for cxtemplate.analysis.conversations: per-channel summary, intents, survey link, charts, empty inputs.

Ground truth of the synthetic organisation: resolution is logistic in channel (Phone 1.6 > Chat 1.3
> Email 0.9 > Bot 0.0) and intent; bots never take complaints or cancellations; a response within
60 days after an unresolved contact of the same customer has its satisfaction latent lowered by 1,
which is ``truth["unresolved_contact"]["nps_effect_expected"]`` ≈ −30 NPS points on the responses
concerned, and an expected observed difference ``nps_diff_expected`` (≈ −35 in the demo).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cxtemplate.analysis.conversations import (
    NO_CONVERSATIONS,
    SurveyLink,
    contacts_sentence,
    conversations_method,
    intents_by_channel,
    join_to_survey,
    plot_intents_by_channel,
    plot_resolution,
    summary_by,
)
from cxtemplate.measure.spec import csat_spec

# |observed difference − causal effect| allowed: the interval (±6 points at n ≈ 750) plus the
# design gap between the expected observed difference and the effect (≈ 5 points in the demo).
EFFECT_TOLERANCE = 10.0


@pytest.fixture(scope="module")
def demo(root):
    from cxtemplate.config.loader import load_config
    from cxtemplate.data.integrate import integrate

    tables = integrate(load_config(root / "params" / "demo.yaml")).tables
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())
    return tables, truth


# --------------------------------------------------------------------------- summaries
def test_summary_by_channel(demo):
    tables, truth = demo
    it = tables["interactions"]
    s = summary_by(it)
    assert list(s["channel"]) == ["Phone", "Chat", "Bot", "Email", "All"]
    allrow = s[s["channel"] == "All"].iloc[0]
    assert allrow["contacts"] == len(it) and allrow["share"] == pytest.approx(100)
    assert s.loc[s["channel"] != "All", "contacts"].sum() == len(it)
    assert allrow["resolution_rate"] == pytest.approx(100 * truth["interactions"]["observed_resolved_share"], abs=0.5)
    phone = it[it["channel"] == "Phone"]
    row = s[s["channel"] == "Phone"].iloc[0]
    assert row["resolution_rate"] == pytest.approx(100 * phone["resolved"].mean())
    assert row["handle_median_s"] == pytest.approx(phone["handle_seconds"].median())
    assert row["handle_p90_s"] == pytest.approx(phone["handle_seconds"].quantile(0.9))
    assert row["sentiment_mean"] == pytest.approx(phone["sentiment"].mean())
    assert row["negative_share"] == pytest.approx(100 * (phone["sentiment"] < -0.05).mean())
    for a, b, c in (("resolution_ci_low", "resolution_rate", "resolution_ci_high"),
                    ("sentiment_ci_low", "sentiment_mean", "sentiment_ci_high"),
                    ("negative_ci_low", "negative_share", "negative_ci_high")):
        assert (s[a] <= s[b]).all() and (s[b] <= s[c]).all()
    # the planted order of resolution by channel is recovered, Bot clearly last
    logit = truth["interactions"]["resolved_logit"]["channel"]
    by_rate = s[s["channel"] != "All"].sort_values("resolution_rate", ascending=False)["channel"].tolist()
    assert by_rate == sorted(logit, key=logit.get, reverse=True)
    bot = s[s["channel"] == "Bot"].iloc[0]
    assert bot["resolution_ci_high"] < s[s["channel"] == "Email"].iloc[0]["resolution_ci_low"]


def test_summary_two_keys_and_missing(demo):
    tables, _ = demo
    it = tables["interactions"].copy()
    it.loc[it.index[:5], "channel"] = None
    s = summary_by(it, ("channel", "intent"), total=False)
    assert "(missing)" in set(s["channel"]) and "All" not in set(s["channel"])
    assert s["contacts"].sum() == len(it)
    # a table without sentiment still summarises what it has
    s2 = summary_by(it.drop(columns=["sentiment"]), "channel")
    assert s2["sentiment_mean"].isna().all() and s2["resolution_rate"].notna().all()


def test_intents_by_channel(demo):
    tables, truth = demo
    t = intents_by_channel(tables["interactions"])
    intents = [c for c in t.columns if c != "n"]
    assert np.allclose(t[intents].sum(axis=1), 100)
    assert t.loc["Bot", "complaint"] == 0 and t.loc["Bot", "cancellation_enquiry"] == 0
    # shares follow the planted intent mix (cancellation calls before churn add some phone/chat
    # cancellation enquiries, so compare billing, which they do not touch much)
    assert t.loc["Email", "billing"] == pytest.approx(100 * truth["interactions"]["intent_given_channel"]["Email"]["billing"], abs=4)
    assert t["n"].sum() == len(tables["interactions"])


# --------------------------------------------------------------------------- survey link
def _check_link(link: SurveyLink, truth: dict):
    u = truth["unresolved_contact"]
    row = link.comparison.set_index("flag").loc["unresolved_before"]
    assert row["ci_low"] <= u["nps_diff_expected"] <= row["ci_high"], (row["diff"], row["ci_low"], row["ci_high"])
    assert abs(row["diff"] - u["nps_effect_expected"]) < EFFECT_TOLERANCE
    assert row["significant"] and row["diff"] < 0
    share = row["n_flagged"] / (row["n_flagged"] + row["n_other"])
    assert share == pytest.approx(u["share_of_responses"], abs=0.01)


def test_join_to_survey_recovers_unresolved_effect_demo(demo):
    tables, truth = demo
    link = join_to_survey(tables["responses"], tables["interactions"], window_days=60)
    _check_link(link, truth)
    c = link.comparison.set_index("flag")
    assert list(c.index) == ["unresolved_before", "negative_before", "contact_before"]
    assert c.loc["negative_before", "diff"] < 0 and c["p_adj"].notna().all()
    assert "60 days after an unresolved contact" in c.loc["unresolved_before", "sentence"]
    assert "points lower" in c.loc["unresolved_before", "sentence"]
    f = link.flags
    assert len(f) == tables["responses"][["customer_id", "nps"]].notna().all(axis=1).sum()
    assert (f.loc[f["unresolved_before"], "days_since_unresolved"].between(0, 60)).all()
    assert f.loc[~f["unresolved_before"], "days_since_unresolved"].isna().all()
    assert (f["contact_before"] >= f["unresolved_before"]).all()
    json.dumps(link.to_dict())


def test_join_to_survey_other_seed():
    from cxtemplate.synth.organisation import generate
    from cxtemplate.synth.spec import SynthSpec

    org = generate(SynthSpec(customers=5000, seed=3, dirty=False))
    link = join_to_survey(org.tables["responses"], org.tables["interactions"])
    _check_link(link, org.truth)


def test_join_to_survey_window_rule():
    """Strictly before, at most ``window_days`` before, same customer only — checked by hand."""
    t0 = pd.Timestamp("2025-01-01 09:00")
    day = pd.Timedelta(days=1)
    it = pd.DataFrame({"customer_id": ["A", "A", "B", "C"], "started_at": [t0, t0 + 100 * day, t0, t0],
                       "resolved": [False, True, True, pd.NA], "sentiment": [0.5, -0.6, -0.9, 0.0]})
    resp = pd.DataFrame({
        "response_id": [f"R{i}" for i in range(7)],
        "customer_id": ["A", "A", "A", "A", "B", "C", None],
        "responded_at": [t0, t0 + 60 * day, t0 + 60 * day + pd.Timedelta(seconds=1), t0 + 101 * day, t0 + day,
                         t0 + day, t0 + day],
        "nps": [10, 2, 9, 5, 8, 7, 0]})
    link = join_to_survey(resp, it, window_days=60)
    f = link.flags.set_index("response_id")
    assert "R6" not in f.index                                             # anonymous: not linked
    assert list(f["unresolved_before"]) == [False, True, False, False, False, False]
    assert list(f["negative_before"]) == [False, False, False, True, True, False]
    assert list(f["contact_before"]) == [False, True, False, True, True, True]
    assert f.loc["R1", "days_since_unresolved"] == pytest.approx(60)
    # too few flagged responses: no comparison, a plain sentence
    c = link.comparison.set_index("flag")
    assert np.isnan(c.loc["unresolved_before", "diff"]) and "Too few" in c.loc["unresolved_before", "sentence"]


def test_join_to_survey_other_metric(demo):
    tables, _ = demo
    link = join_to_survey(tables["responses"], tables["interactions"], spec=csat_spec())
    row = link.comparison.set_index("flag").loc["unresolved_before"]
    assert row["diff"] < 0 and "percentage points" in row["sentence"]
    mean = join_to_survey(tables["responses"], tables["interactions"], spec=csat_spec(method="mean"))
    assert mean.comparison["diff"].iloc[0] < 0


# --------------------------------------------------------------------------- no data
def test_no_conversations_never_crash(demo):
    tables, _ = demo
    for it in (None, tables["interactions"].iloc[:0]):
        s = summary_by(it)
        assert s.empty and s.attrs["note"] == NO_CONVERSATIONS
        assert intents_by_channel(it).attrs["note"] == NO_CONVERSATIONS
        link = join_to_survey(tables["responses"], it)
        assert link.comparison.empty and link.flags.empty and link.note == NO_CONVERSATIONS
    s = summary_by(tables["interactions"][["interaction_id", "customer_id"]])
    assert s.empty and "channel" in s.attrs["note"]


def test_no_identified_customers(demo):
    tables, _ = demo
    anon = tables["responses"].assign(customer_id=None)
    link = join_to_survey(anon, tables["interactions"])
    assert link.comparison.empty and "anonymous" in link.note
    other = tables["interactions"].assign(customer_id=lambda d: "X" + d["customer_id"])
    link = join_to_survey(tables["responses"], other)
    assert link.comparison.empty and "same customer_id" in link.note and not link.flags["contact_before"].any()


def test_charts(demo):
    import matplotlib.pyplot as plt

    tables, _ = demo
    ax = plot_intents_by_channel(intents_by_channel(tables["interactions"]))
    assert len(ax.get_yticklabels()) == 4 and ax.get_legend() is not None
    ax = plot_resolution(summary_by(tables["interactions"]))
    assert len(ax.patches) == 4
    plt.close("all")


# --------------------------------------------------------------------------- the experience page's section
def test_contacts_sentence_and_channel_view():
    from cxtemplate.analysis.conversations import channel_view, contacts_sentence

    total = pd.Series({"contacts": 10059, "resolution_rate": 74.37, "resolution_ci_low": 73.5,
                       "resolution_ci_high": 75.2, "handle_median_s": 378.0})
    assert contacts_sentence(total) == ("**10,059 contacts**; 74% resolved (95% CI 74–75%), median handle time "
                                        "6.3 minutes.")
    frame = pd.DataFrame({"channel": ["Phone"], "contacts": [3988], "share": [39.6], "resolved": [3230],
                          "resolution_rate": [81.0], "resolution_ci_low": [80.0], "resolution_ci_high": [82.0],
                          "handle_median_s": [462.0], "handle_p90_s": [972.0], "sentiment_mean": [-0.004],
                          "negative_share": [40.2]})
    view = channel_view(frame)
    assert view.columns == ["Channel", "Contacts", "Share", "Resolved", "Low", "High", "Median handle (min)",
                            "90th pct handle (min)", "Mean sentiment", "Negative"]
    f = view.formats
    assert (f["Share"](39.6), f["Median handle (min)"](462.0), f["Mean sentiment"](-0.004)) == ("40%", "7.7", "0.00")
    assert view.max_rows == 20 and view.title == "Contacts by channel"


def test_conversations_section_on_the_demo(demo):
    from cxtemplate.analysis.conversations import conversations_section
    from cxtemplate.measure.spec import nps_spec

    tables, truth = demo
    assert conversations_section(None).sentences == ["*There are no conversation records — contact analytics are "
                                                     "skipped*"]
    alone = conversations_section(tables["interactions"])
    assert "contact_effects" not in alone.artifacts and len(alone.charts) == 2
    section = conversations_section(tables["interactions"], tables["responses"], spec=nps_spec())
    by_channel = section.artifacts["conversations_by_channel"].set_index("channel")
    assert by_channel.loc["All", "contacts"] == len(tables["interactions"])
    assert by_channel.loc["All", "resolution_rate"] == pytest.approx(
        100 * truth["interactions"]["observed_resolved_share"], abs=0.5)
    assert section.sentences[0].startswith(f"**{len(tables['interactions']):,} contacts**; ")
    effects = section.artifacts["contact_effects"].set_index("flag")
    assert effects.loc["unresolved_before", "diff"] == pytest.approx(
        truth["unresolved_contact"]["nps_effect_expected"], abs=EFFECT_TOLERANCE)
    assert section.sentences[1:] == section.artifacts["contact_effects"]["sentence"].tolist()
    assert section.methods == [conversations_method(tables["interactions"], with_survey=True)]


def test_conversations_method_and_sentence_name_only_the_measures_the_conversations_carry():
    """A tweet export has text and a sentiment but no resolution or handle time: neither is spoken of."""
    tweets = pd.DataFrame({"interaction_id": ["a", "b"], "sentiment": [-0.5, 0.2], "handle_seconds": [None, None]})
    assert conversations_method(tweets) == "Contacts with agents, chat, e-mail and bots: how it feels."
    full = pd.DataFrame({"intent": ["billing"], "resolved": [True], "handle_seconds": [60.0], "sentiment": [0.1]})
    assert conversations_method(full, with_survey=True) == (
        "Contacts with agents, chat, e-mail and bots: what customers contact us about, how often the\ncontact resolves "
        "their issue, how long it takes and how it feels. Where the customer is known,\ntheir later survey answers "
        "show what an unresolved contact costs.")
    nan = float("nan")
    assert contacts_sentence(pd.Series({"contacts": 1200, "resolution_rate": nan, "resolution_ci_low": nan,
                                        "resolution_ci_high": nan, "handle_median_s": nan})) == "**1,200 contacts**."
    assert contacts_sentence(pd.Series({"contacts": 10, "resolution_rate": nan, "resolution_ci_low": nan,
                                        "resolution_ci_high": nan, "handle_median_s": 150.0})) == \
        "**10 contacts**; median handle time 2.5 minutes."
