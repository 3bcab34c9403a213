"""Tests of cxtemplate.analysis.comments: the mentions artifact the scorecards read, the comments' sentences and table.

Hand-built comments with known topics for the artifacts and the wording; the demo's planted number of
comments (``data/demo/truth.json``) for which responses count as commented.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from cxtemplate.analysis import comments as cm
from cxtemplate.analysis.page import Survey
from cxtemplate.measure.spec import nps_spec
from tests.analysis.demo import demo


def _three():
    """Three comments: R1 mentions billing and wait, R2 nothing, R3 wait (London, Leeds, London)."""
    commented = pd.DataFrame({"response_id": ["R1", "R2", "R3"], "location": ["London", "Leeds", "London"],
                              "comment": ["Wrong bill, long wait", "Fine", "Waited an hour"]}, index=[10, 11, 12])
    membership = pd.DataFrame({"billing": [True, False, False], "wait": [True, False, True]}, index=commented.index)
    return commented, membership


def test_topic_mentions_for_three_comments():
    commented, membership = _three()
    mentions, counts = cm.topic_mentions(commented, membership, by="location")
    assert mentions.to_dict("list") == {"response_id": ["R1", "R1", "R3"], "topic": ["billing", "wait", "wait"],
                                        "location": ["London", "London", "London"]}
    assert counts == {"by": "location", "total": 3, "levels": {"London": 2, "Leeds": 1}}
    plain, none = cm.topic_mentions(commented, membership, by="team")
    assert plain.columns.tolist() == ["response_id", "topic"] and none is None
    assert cm.topic_mentions(commented, membership)[1] is None


def test_commented_responses_leave_out_blank_comments():
    r = pd.DataFrame({"comment": ["Good", None, "  ", "", "Bad "]})
    assert cm.commented_responses(r).index.tolist() == [0, 4]
    assert cm.commented_responses(r.drop(columns="comment")) is None and cm.commented_responses(None) is None


def test_the_demo_comments_are_the_planted_ones():
    survey, _, truth = demo()
    assert len(cm.commented_responses(survey.responses)) == truth["comments"]["n_comments"]


def test_topics_sentence_states_the_gap_as_a_distance():
    worst = pd.Series({"topic": "billing / charges", "impact": -56.1, "ci_low": -62.8, "ci_high": -48.9, "n_with": 472.0})
    assert cm.topics_sentence(7, 5877, 14871, worst) == (
        "**7 topics** run through 5,877 comments (40% of responses). The most harmful is **billing / charges**: "
        "comments mentioning it have an NPS 56 points below the others (95% CI 49 to 63, n = 472).")
    kind = worst.copy()
    kind[["impact", "ci_low", "ci_high"]] = [3.2, -1.0, 7.4]
    assert cm.topics_sentence(7, 5877, 14871, kind).endswith(
        "an NPS 3 points above the others (95% CI -1 to 7, n = 472).")


def test_sentiment_sentence_is_plain_and_the_scorer_goes_to_the_method():
    sent = pd.DataFrame({"label": ["negative", "positive", "neutral", "negative"], "method": "own_scores"})
    assert cm.sentiment_sentence(sent) == "50% of comments are negative."
    sent.attrs["accuracy"] = {"method": "own_scores", "n": 4, "labelled": 4, "accuracy": 0.75, "macro_f1": 0.7,
                              "majority_class": "negative", "majority_rate": 0.5, "scale": "nps", "grouped": True,
                              "trained_on": "TF-IDF", "folds": 2, "distinct_texts": 4, "duplicates": 0}
    assert cm.sentiment_sentence(sent).startswith("50% of comments are negative. On this organisation's 4 scored")
    del sent.attrs["accuracy"]
    assert cm.sentiment_method(sent) == "Sentiment scorer used: own scores."
    sent.attrs["train_sample"] = {"trained_on": 25_000, "labelled": 30_000}
    assert cm.sentiment_method(sent).endswith(
        " The classifier was trained on a random sample of 25,000 of the 30,000 scored comments "
        "(scored out of fold); the model fitted on that sample scored all other comments.")
    sent.attrs["train_sample"] = {"trained_on": 30_000, "labelled": 30_000}
    assert cm.sentiment_method(sent) == "Sentiment scorer used: own scores."


def _analysis(membership=None):
    """A hand-built aspect analysis: waits (one-sided) and the two sides of a mixed staff aspect."""
    from cxtemplate.analysis.text.aspects import AspectAnalysis
    from cxtemplate.analysis.text.taxonomy import load_taxonomy

    units = pd.DataFrame({"label": ["Long waits", "Rude staff", "Kind staff"], "kind": "aspect",
                          "aspect_id": ["waiting", "staff", "staff"], "aspect": ["Waiting", "Staff", "Staff"],
                          "polarity": ["both", "complaint", "praise"], "mixed": [False, True, True],
                          "complaint_share": [0.9, 0.4, 0.4], "share": [0.3, 0.1, 0.2], "n": [300, 10, 200],
                          "words": ["wait, hold", "staff, rude", "staff, rude"],
                          "examples": [["An hour on hold."], ["Rude."], ["Kind.", "Lovely."]]})
    membership = membership if membership is not None else pd.DataFrame(
        {u: [False] for u in units["label"]})
    return AspectAnalysis(units, membership, load_taxonomy("utilities"), "own_scores+lexicon", 0.25,
                          params={"mixed_share": 0.2, "sentences": 100, "left_for_discovery": 40})


def test_signals_sentence_gives_shares_and_their_nps():
    flags = pd.DataFrame({"effort": [True, False, False, False], "anger": [True, True, False, False]})
    nps = pd.Series([0.0, 3.0, 10.0, 9.0])
    assert cm.signals_sentence(flags, nps) == (
        "25% of comments describe effort to get something done, such as repeat contact, being passed around or chasing "
        "(NPS -100 against 33 for the other comments); 50% of comments express anger or frustration (NPS -100 against "
        "100 for the other comments).")


def test_topics_table_and_view():
    impact = pd.DataFrame({"topic": ["Long waits", "Rude staff", "Kind staff"], "impact": [-32.1, -40.0, 0.04],
                           "ci_low": [-38.5, -60.0, -5.0], "ci_high": [-25.6, -20.0, 4.9], "p_adj": [0.0001, 0.01, 0.99],
                           "n_with": [300, 10, 200]})
    table = cm.topics_table(_analysis(), impact, min_n=30)
    assert table["Top words"].tolist() == ["wait, hold", "staff, rude", "staff, rude"]
    assert table["Examples (redacted)"].tolist() == ["“An hour on hold.”", "“Rude.”", "“Kind.” · “Lovely.”"]
    # a side of a mixed aspect shows no complaining share; a topic below min_n shows no impact
    assert table["complaint_share"].isna().tolist() == [False, True, True]
    assert table["impact"].isna().tolist() == [False, True, False]
    view = cm.topics_view(table)
    assert view.columns == ["Topic", "Found by", "Share of comments", "Complaining", "Words", "NPS impact", "Low",
                            "High", "Adjusted p", "Examples (redacted)"]
    f = view.formats
    assert (f["Share of comments"](0.08), f["NPS impact"](-0.04), f["Adjusted p"](0.0001)) == ("8%", "0.0", "< 0.001")
    assert view.note.startswith("Shares are of the comments")
    assert view.title == "Comment topics, their words, and their relation to NPS"
    assert cm.topics_view(table, "2025-01 to 2025-12 (all 12 months)").title == (
        "Comment topics, their words, and their relation to NPS, 2025-01 to 2025-12 (all 12 months)")
    without_nps = cm.topics_view(cm.topics_table(_analysis(), None))  # reviews without NPS scores
    assert "NPS impact" not in without_nps.columns and without_nps.title == "Comment topics and their words"
    assert "NPS" not in without_nps.note  # a page never speaks of a score the survey does not have
    assert cm.topic_selection_note(_analysis()) == ("40 sentences of 100 matched no aspect of the taxonomy; too few to search for new aspects.")
    assert cm.mixed_sentence(_analysis()) == ("Comments about staff mix praise and complaint (40% complain), so they are "
                                              "shown as **Rude staff** and **Kind staff**.")
    assert cm.coverage_sentence(_analysis()) == ("25% of comments mention no topic: they praise or complain in general, "
                                                 "or name something too rare to be a topic.")
    assert "utilities" in cm.comments_method(True, _analysis()) and "impact" in cm.comments_method(True, _analysis())


def test_comments_section_with_too_few_comments_or_no_survey():
    r = pd.DataFrame({"nps": [9] * 60, "comment": ["Great"] * 49 + [""] * 11})
    assert cm.comments_section(Survey(r, {"nps": nps_spec()})).sentences == [
        "*There are too few comments (fewer than 50) — topics and sentiment are not analysed*"]
    no_column = ["*The survey responses carry no comments — topics and sentiment are not analysed*"]  # no count of
    assert cm.comments_section(Survey(r.drop(columns="comment"), {"nps": nps_spec()})).sentences == no_column  # none
    assert cm.comments_section(Survey(r.assign(comment=None), {"nps": nps_spec()})).sentences == no_column
    nothing = cm.comments_section(Survey(None, {"nps": nps_spec()}))
    assert nothing.items == [] and nothing.membership is None


@pytest.mark.parametrize("fitted", [None, SimpleNamespace(membership="member")])
def test_comments_section_hands_on_its_membership(fitted):
    assert cm.CommentsSection(topics=fitted).membership == (None if fitted is None else "member")


def test_comments_section_assembles_the_artifacts_the_scorecards_read(monkeypatch):
    """With the aspect analysis and the sentiment scorer replaced by known answers: 60 comments, the first 20 about
    waits (all detractors), the rest about nothing in particular (all promoters)."""
    from cxtemplate.analysis.text.plots import plot_sentiment_by, plot_topic_impact

    n = 60
    r = pd.DataFrame({"response_id": [f"R{i}" for i in range(n)], "nps": [0] * 20 + [10] * 40,
                      "comment": ["Long wait"] * 20 + ["Fine"] * 40, "location": ["A", "B"] * 30,
                      "touchpoint": "Phone"})
    r = pd.concat([r, pd.DataFrame({"response_id": ["Q1"], "nps": [5], "comment": [None], "location": ["A"]})],
                  ignore_index=True)
    membership = pd.DataFrame({"Long waits": [True] * 20 + [False] * 40, "Rude staff": False, "Kind staff": False},
                              index=r.index[:n])
    fitted = _analysis(membership)
    monkeypatch.setattr(cm, "analyse_aspects", lambda comments, taxonomy, scores, **kw: fitted)
    monkeypatch.setattr(cm, "score_sentiment", lambda comments, labels, seed: pd.DataFrame(
        {"label": ["negative"] * 20 + ["positive"] * 40, "method": "own_scores"}, index=comments.index))
    section = cm.comments_section(Survey(r, {"nps": nps_spec()}, scorecards_by="location", min_n=10))
    assert section.sentences[0].startswith("**3 topics** run through 60 comments (98% of responses). The most harmful "
                                           "is **Long waits**: comments mentioning it have an NPS ")
    assert "points below the others" in section.sentences[0]
    assert section.sentences[1] == cm.mixed_sentence(fitted) and section.sentences[2] == cm.coverage_sentence(fitted)
    assert section.sentences[3] == "33% of comments are negative."
    assert section.methods[:2] == [cm.comments_method(True, fitted), cm.topic_selection_note(fitted)]
    assert "promoters' sentences" in section.methods[0]
    assert all(c.alt for c in section.charts)
    assert "impact" not in cm.comments_method(False) and "VADER" in cm.comments_method(False)
    assert [c.plot for c in section.charts] == [plot_topic_impact, plot_sentiment_by]
    assert list(section.artifacts) == ["topics", "text_coverage", "topic_impact", "commented_by", "topic_mentions",
                                       "comment_signals", "comment_sentiment"]
    assert section.sentences[4] == ("0% of comments describe effort to get something done, such as repeat contact, "
                                    "being passed around or chasing; 0% of comments express anger or frustration.")
    assert section.artifacts["comment_signals"]["response_id"].tolist() == [f"R{i}" for i in range(60)]
    assert section.artifacts["text_coverage"]["mixed_aspects"] == ["Staff"]
    assert section.artifacts["commented_by"] == {"by": "location", "total": 60, "levels": {"A": 30, "B": 30}}
    mentions = section.artifacts["topic_mentions"]
    assert mentions["response_id"].tolist() == [f"R{i}" for i in range(20)] and set(mentions["topic"]) == {"Long waits"}
    assert mentions["location"].tolist() == ["A", "B"] * 10
    assert section.artifacts["comment_sentiment"] == {"method": "own_scores", "negative_share": 20 / 60, "n": 60}
    assert "examples" not in section.artifacts["topics"].columns
    assert section.membership is membership
