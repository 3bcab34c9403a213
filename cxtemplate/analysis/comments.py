"""Notebook 04's section on what customers say: comment topics, their relation to NPS, and sentiment.

:func:`comments_section` finds what the commented responses are about and whether they praise or complain
(:func:`cxtemplate.analysis.text.aspects.analyse_aspects`: the params' taxonomy of aspects, each sentence's
polarity, mixed aspects split into their two sides, discovery of new aspects on what the taxonomy leaves),
measures each topic's NPS impact
(:func:`cxtemplate.analysis.text.impact.topic_impact`) and scores the comments' sentiment
(:func:`cxtemplate.analysis.text.sentiment.score_sentiment`), and returns what the page shows with the
artifacts later notebooks read:

* ``topics`` — one row per reported topic (an aspect, one side of a mixed aspect, or a proposed aspect): ``label``
  (its name), ``kind``, ``aspect``, ``polarity``, ``mixed``, ``complaint_share``, ``words``, ``Top words``, shares,
  impact;
* ``topic_impact`` — each topic's NPS impact with its interval (``topic`` its name, ``words`` its seed or top words);
* ``text_coverage`` — the taxonomy used, the polarity method, the mixed aspects and the share of comments no topic
  covers;
* ``topic_mentions`` — one row per (response, topic) mention (``topic``, ``words``), with the scorecards' split column
  (:func:`topic_mentions`), so the manager scorecards need not read every comment;
* ``commented_by`` — how many responses carry a comment, in all and per level of that column;
* ``comment_sentiment`` — the method, the share of negative comments and n.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxtemplate.analysis.page import Survey
from cxtemplate.analysis.text.aspects import AspectAnalysis, analyse_aspects
from cxtemplate.analysis.text.impact import topic_impact
from cxtemplate.analysis.text.plots import plot_sentiment_by, plot_topic_impact
from cxtemplate.analysis.text.sentiment import accuracy_sentence, score_sentiment
from cxtemplate.analysis.text.signals import flag_comments
from cxtemplate.analysis.text.taxonomy import load_taxonomy
from cxtemplate.report.display import TableView, fixed, fmt_num, fmt_pct, labelled, p_value_cell, signed
from cxtemplate.report.grammar import join_list, plural, sentence
from cxtemplate.report.section import Section

__all__ = ["CommentsSection", "MIN_COMMENTS", "comments_method", "comments_section", "commented_responses", "impact_alt",
           "coverage_sentence", "mixed_sentence", "signals_sentence", "sentiment_alt", "sentiment_method", "sentiment_sentence",
           "topic_mentions", "topic_selection_note", "topics_sentence", "topics_table", "topics_view"]

MIN_COMMENTS = 50
"""Below this many comments, topics and sentiment are not analysed."""
SOURCE = "survey comments (redacted)"


def comments_method(with_nps: bool, analysis: AspectAnalysis | None = None) -> str:
    """What the comments section says of its method (shown only when it runs, in its "How this was measured"
    note): the taxonomy, how polarity was measured, the mixed rule, discovery and (``with_nps``) the impact."""
    taxonomy = "the common aspects every sector shares (staff, waiting, resolution, communication, billing, price, "
    taxonomy += "app and website)"
    mixed = 0.2
    if analysis is not None:
        name = analysis.taxonomy.name
        if analysis.taxonomy.from_file:
            taxonomy = f"the engagement's own taxonomy ({name})"
        elif name != "common":
            taxonomy = f"the **{name}** taxonomy (its own aspects and the common ones)"
        mixed = analysis.params.get("mixed_share", mixed)
    polarity = ("a classifier trained on this organisation's own comments (TF-IDF word 1–2-grams and a logistic "
                "regression: promoters' sentences against detractors', each sentence scored by a model that never saw "
                "it, identical sentences kept in one fold) plus half the VADER lexicon's score"
                if analysis is not None and analysis.polarity_method == "own_scores+lexicon"
                else "the VADER lexicon (there are too few scored comments to train on)")
    text = f"""Comments are redacted for personal data before they are stored. Each sentence is matched to the aspects
of {taxonomy} by their seed terms, and its **polarity** (praise or complaint) is measured apart, by {polarity}. An
aspect whose smaller side holds at least {fmt_pct(mixed, 0, share=True)} of its sentences mixes praise and complaint:
it is shown as its two sides, never as one effect. The sentences no aspect matches are searched for **proposed**
aspects (non-negative matrix factorisation of TF-IDF word weights, the number of topics chosen by their stability
across resamples), each named by the phrase of its own sentences that best carries its top words."""
    if not with_nps:
        return text
    return text + """
A topic's **impact** is the NPS of comments that mention it minus the NPS of comments that do not, with a 95%
interval and a p-value adjusted for the number of topics (Benjamini–Hochberg)."""


def commented_responses(responses: pd.DataFrame | None) -> pd.DataFrame | None:
    """The responses with a non-blank comment (``None`` without responses or without a comment column)."""
    if responses is None or "comment" not in responses.columns:
        return None
    return responses[responses["comment"].notna() & (responses["comment"].str.strip() != "")]


def topic_mentions(commented: pd.DataFrame, membership: pd.DataFrame,
                   by: str | None = None) -> tuple[pd.DataFrame, dict | None]:
    """Every mention of a topic by a commented response, and the commented responses counted by ``by``.

    Parameters
    ----------
    commented : DataFrame
        The commented responses (with ``response_id`` and, optionally, ``by``).
    membership : DataFrame of bool
        Comments × topics, row for row with ``commented`` (from
        :func:`cxtemplate.analysis.experience.comment_topics`).
    by : str, optional
        The column the manager scorecards split by (e.g. ``location``); ignored when ``commented`` lacks it.

    Returns
    -------
    (DataFrame, dict or None)
        ``response_id``, ``topic`` (and ``by``): one row per mention, in response then topic order; and
        ``{"by": by, "total": commented responses, "levels": {level: commented responses}}`` (``None``
        without ``by``).
    """
    at, which = membership.to_numpy().nonzero()
    mentions = pd.DataFrame({"response_id": commented["response_id"].to_numpy()[at],
                             "topic": membership.columns.to_numpy()[which]})
    if not by or by not in commented.columns:
        return mentions, None
    mentions[by] = commented[by].to_numpy()[at]
    return mentions, {"by": by, "total": int(len(commented)), "levels": commented[by].value_counts().to_dict()}


def topics_sentence(n_topics: int, n_comments: int, n_responses: int, worst: pd.Series, window: str | None = None) -> str:
    """How many topics run through how many comments, and the most harmful (``worst``: a row of the impact table).

    The gap is stated as a distance below (or above) the other comments' NPS, its interval likewise; ``window``
    (the reporting window's label) says which periods the comments cover.
    """
    impact, lo, hi = worst["impact"], worst["ci_low"], worst["ci_high"]
    gap = (f"{fmt_num(-impact)} points below the others (95% CI {fmt_num(-hi)} to {fmt_num(-lo)}" if impact < 0 else
           f"{fmt_num(impact)} points above the others (95% CI {fmt_num(lo)} to {fmt_num(hi)}")
    over = f"Over {window}, " if window else ""
    return (sentence(f"{over}**{plural(n_topics, 'topic')}** run through {n_comments:,} comments "
                     f"({100 * n_comments / n_responses:.0f}% of responses)")
            + " " + sentence(f"The most harmful is **{worst['topic']}**: comments mentioning it have an NPS {gap}, "
                             f"n = {int(worst['n_with']):,})"))


def impact_alt(impact: pd.DataFrame) -> str:
    """The topic-impact chart's alt text: its title and the most harmful and most helpful topics."""
    worst, best = impact.sort_values("impact").iloc[0], impact.sort_values("impact").iloc[-1]
    text = (f"How each comment topic relates to NPS: comments about {worst['topic']} score "
            f"{fmt_num(abs(worst['impact']))} points {'below' if worst['impact'] < 0 else 'above'} the others")
    if best["topic"] != worst["topic"] and best["impact"] > 0:
        text += f", those about {best['topic']} {fmt_num(best['impact'])} points above"
    return sentence(text)


def sentiment_alt(labels: pd.Series, by: pd.Series, min_n: int) -> str:
    """The sentiment chart's alt text: its title and the groups with the most and the fewest negative comments."""
    frame = pd.DataFrame({"negative": (pd.Series(labels).to_numpy() == "negative"), "by": pd.Series(by).to_numpy()})
    counts = frame.groupby("by")["negative"].agg(["mean", "size"])
    counts = counts[counts["size"] >= min_n].sort_values("mean")
    if counts.empty:
        return "Comment sentiment by touchpoint: too few comments per touchpoint to show."
    most, least = counts.index[-1], counts.index[0]
    return sentence(f"Comment sentiment by touchpoint: {most} has the most negative comments "
                    f"({fmt_pct(counts['mean'].iloc[-1], 0, share=True)}), {least} the fewest "
                    f"({fmt_pct(counts['mean'].iloc[0], 0, share=True)})")


def sentiment_sentence(sentiment: pd.DataFrame) -> str:
    """The share of negative comments and how often the labels are right against always answering the commonest
    class (:func:`cxtemplate.analysis.text.sentiment.accuracy_sentence`; the scorer's name goes in the method note:
    :func:`sentiment_method`)."""
    negative = (sentiment["label"] == "negative").mean()
    text = f"{fmt_pct(negative, 0, share=True)} of comments are negative."
    if sentiment.attrs.get("accuracy") or str(sentiment["method"].iloc[0]) == "vader":
        text += " " + accuracy_sentence(sentiment)  # how far to trust the labels, beside the commonest class
    return text


def sentiment_method(sentiment: pd.DataFrame) -> str:
    """The scorer used, stating the training sample when one was used (for the method note)."""
    trained = sentiment.attrs.get("train_sample", {})
    method = sentiment["method"].iloc[0].replace("_", " ")
    text = f"Sentiment scorer used: {method}."
    if trained and trained["trained_on"] < trained["labelled"]:
        text += (f" The classifier was trained on a random sample of {trained['trained_on']:,} of "
                 f"the {trained['labelled']:,} scored comments (scored out of fold); the model fitted on that sample "
                 f"scored all other comments.")
    return text


def topics_table(analysis: AspectAnalysis, impact: pd.DataFrame | None, min_n: int = 0) -> pd.DataFrame:
    """The reported topics with their words, two examples and (with ``impact``) their NPS impact.

    A side of a mixed aspect shows no complaining share (the mixed sentence states the aspect's); a topic mentioned
    by fewer than ``min_n`` comments shows no impact (suppressed, as every small cell is)."""
    table = analysis.units.copy()
    table["complaint_share"] = table["complaint_share"].where(~table["mixed"].astype(bool))
    table["Top words"] = table["words"]
    table["Examples (redacted)"] = table["examples"].map(lambda examples: " · ".join(f"“{e}”" for e in examples[:2]))
    if impact is not None:
        table = table.merge(impact[["topic", "impact", "ci_low", "ci_high", "p_adj"]], left_on="label",
                            right_on="topic", how="left").drop(columns=["topic"])
        small = table["n"] < min_n
        table.loc[small, ["impact", "ci_low", "ci_high", "p_adj"]] = float("nan")
    return table


def topic_selection_note(analysis: AspectAnalysis) -> str:
    """How the proposed aspects were found: how many sentences the taxonomy left and the number of topics chosen."""
    left = analysis.params.get("left_for_discovery", 0)
    model = analysis.proposed
    text = (f"{plural(left, 'sentence')} of {analysis.params.get('sentences', 0):,} matched no aspect of the "
            "taxonomy")
    if model is None:
        return sentence(text + "; too few to search for new aspects" if left else text)
    shown = int((analysis.units["kind"] == "proposed").sum())
    return sentence(f"{text}; among them {plural(model.k, 'topic')} were found (chosen by their stability across "
                    f"resamples, Greene et al. 2014), of which {shown} {'is' if shown == 1 else 'are'} common enough "
                    "to be proposed")


def topics_view(table: pd.DataFrame, window: str | None = None) -> TableView:
    """The topics table (from :func:`topics_table`) as the page shows it (its title speaks of NPS only when the
    table carries the topics' NPS impact, and names the ``window`` the comments cover); shares are of the
    comments, as the note says."""
    frame = table.assign(kind=table["kind"].map({"aspect": "Taxonomy", "proposed": "Proposed"}))
    frame = labelled(frame, {"label": "Topic", "kind": "Found by", "share": "Share of comments",
                             "complaint_share": "Complaining", "Top words": "Words",
                             "impact": "NPS impact", "ci_low": "Low", "ci_high": "High", "p_adj": "Adjusted p",
                             "Examples (redacted)": "Examples (redacted)"})
    title = ("Comment topics, their words, and their relation to NPS" if "impact" in table.columns
             else "Comment topics and their words")
    if window:
        title += f", {window}"
    return TableView(frame, title,
                     formats={"Share of comments": lambda v: f"{100 * v:.0f}%",
                              "Complaining": lambda v: "" if pd.isna(v) else f"{100 * v:.0f}%",
                              "NPS impact": signed(1), "Low": fixed(1), "High": fixed(1), "Adjusted p": p_value_cell},
                     note="Shares are of the comments (a comment may mention several topics); Complaining is the share "
                          "of the aspect's sentences that complain"
                          + ("; NPS impact is in points against the comments that do not mention the topic."
                             if "impact" in table.columns else "."),
                     max_rows=max(60, len(frame)))


SIGNALS_METHOD = """**Effort** (contacting more than once, being passed between people or channels, having to chase or
repeat oneself) and **anger** are flagged sentence by sentence with word patterns written from a labelling rule
(docs/labelling/effort_and_anger.md); on 175 held-out sentences of public airline tweets and product reviews, read
and labelled by that rule, the effort flag is right 90% of the times it fires and finds 73% of effort sentences, the
anger flag 95% and 53%: the shares below undercount anger."""


def signals_sentence(flags: pd.DataFrame, nps: pd.Series | None = None) -> str:
    """The shares of comments that describe customer effort and that express anger (with their NPS beside the
    others' when the survey has NPS)."""
    parts = []
    for column, what in (("effort", "describe effort to get something done, such as repeat contact, being passed "
                                    "around or chasing"), ("anger", "express anger or frustration")):
        share = float(flags[column].mean()) if len(flags) else 0.0
        text = f"{fmt_pct(share, 0, share=True)} of comments {what}"
        if nps is not None and flags[column].any() and (~flags[column]).any():
            with_, without = nps[flags[column]], nps[~flags[column]]
            score = lambda x: 100 * ((x >= 9).mean() - (x <= 6).mean())  # noqa: E731
            text += f" (NPS {fmt_num(score(with_))} against {fmt_num(score(without))} for the other comments)"
        parts.append(text)
    return sentence("; ".join(parts))


def coverage_sentence(analysis: AspectAnalysis) -> str:
    """The share of comments no topic covers (general praise or complaint, or something too rare to be a topic)."""
    share = analysis.unassigned_share
    if share <= 0:
        return sentence("Every comment mentions at least one topic")
    return sentence(f"{fmt_pct(share, 0, share=True)} of comments mention no topic: they praise or complain in "
                    "general, or name something too rare to be a topic")


def mixed_sentence(analysis: AspectAnalysis) -> str:
    """Which aspects mix praise and complaint and are therefore shown as their two sides ("" when none)."""
    units = analysis.units[analysis.units["mixed"]]
    if units.empty:
        return ""
    parts = []
    for aspect, rows in units.groupby("aspect", sort=False):
        sides = join_list([f"**{x}**" for x in rows["label"]])
        parts.append(f"comments about {aspect.lower()} mix praise and complaint "
                     f"({fmt_pct(rows['complaint_share'].iloc[0], 0, share=True)} complain), so they are shown as {sides}")
    return sentence("; ".join(parts))


@dataclass
class CommentsSection(Section):
    """The comments section, with the fitted topics (``None`` with too few comments)."""

    topics: AspectAnalysis | None = None

    @property
    def membership(self) -> pd.DataFrame | None:
        """Commented responses × reported topics (bool), or ``None`` without topics."""
        return self.topics.membership if self.topics is not None else None


def comments_section(survey: Survey) -> CommentsSection:
    """Topics of the comments, their NPS impact and the comments' sentiment (see the module for the artifacts).

    The comments are those of the topics' reporting window (``survey.topics_window``; all the data by default),
    named beside every figure.
    """
    section = CommentsSection()
    if not survey.present:
        return section
    if not survey.has("comment"):  # no comment column (or an empty one): one sentence, no count of what is not there
        section.absent("The survey responses carry no comments", "topics and sentiment are not analysed")
        return section
    commented = commented_responses(survey.within(survey.topics_window))
    if commented is None or len(commented) < MIN_COMMENTS:
        section.absent(f"There are too few comments (fewer than {MIN_COMMENTS})",
                       "topics and sentiment are not analysed")
        return section
    covered = survey.window(survey.topics_window)
    window = covered.label if covered is not None else None
    text = survey.text
    taxonomy = load_taxonomy(text.get("taxonomy"), aspects=text.get("aspects") or None)
    nps = commented["nps"] if "nps" in commented.columns else None
    fitted = section.topics = analyse_aspects(commented["comment"], taxonomy, nps, seed=survey.seed,
                                              mixed_share=text.get("mixed_share", 0.2),
                                              discover=text.get("discover", True),
                                              stop_words=text.get("stop_words", ()), min_mentions=survey.min_n)
    membership = fitted.membership
    section.method(comments_method(nps is not None, fitted))
    section.method(topic_selection_note(fitted))
    words = dict(zip(fitted.units["label"], fitted.units["words"]))
    impact = None
    if nps is not None and membership.shape[1] and (fitted.units["n"] >= survey.min_n).any():
        impact = topic_impact(membership, nps, kind="nps", confidence=survey.conf)
        # a topic fewer than min_n comments mention is suppressed: no finding, no headline, no chart bar
        impact = impact[impact["n_with"] >= survey.min_n].reset_index(drop=True)
        n_responses = len(survey.within(survey.topics_window))
        section.say(topics_sentence(len(fitted.units), len(commented), n_responses, impact.iloc[0], window))
        title = "How each comment topic relates to NPS" + (f", {window}" if window else "")
        section.chart(plot_topic_impact, impact, title=title, min_n=survey.min_n, source=SOURCE,
                      alt=impact_alt(impact))
    if mixed_sentence(fitted):
        section.say(mixed_sentence(fitted))
    section.say(coverage_sentence(fitted))
    table = topics_table(fitted, impact, survey.min_n)
    section.table(topics_view(table, window))
    sentiment = score_sentiment(commented["comment"], labels=commented.get("nps"), seed=survey.seed)
    section.say(sentiment_sentence(sentiment))
    section.method(sentiment_method(sentiment))
    flags = flag_comments(commented["comment"])
    section.say(signals_sentence(flags, nps.astype(float) if nps is not None else None))
    section.method(SIGNALS_METHOD)
    if "touchpoint" in commented.columns:
        section.chart(plot_sentiment_by, sentiment["label"], commented["touchpoint"],
                      title="Comment sentiment by touchpoint", min_n=survey.min_n, source=SOURCE,
                      alt=sentiment_alt(sentiment["label"], commented["touchpoint"], survey.min_n))
    section.keep("topics", table.drop(columns=["top_terms", "examples"], errors="ignore"))
    section.keep("text_coverage", {"taxonomy": fitted.taxonomy.name, "polarity_method": fitted.polarity_method,
                                   "mixed_aspects": fitted.mixed_aspects, "unassigned_share": fitted.unassigned_share,
                                   "n_comments": fitted.n_comments, "topics": int(len(fitted.units)),
                                   "proposed": int((fitted.units["kind"] == "proposed").sum())})
    if impact is not None:
        section.keep("topic_impact", _with_words(impact, words))
    mentions, commented_by = topic_mentions(commented, membership, by=survey.scorecards_by)
    if commented_by is not None:
        section.keep("commented_by", commented_by)
    section.keep("topic_mentions", _with_words(mentions, words))
    section.keep("comment_signals", pd.DataFrame({"response_id": commented["response_id"].to_numpy(),
                                                  "effort": flags["effort"].to_numpy(),
                                                  "anger": flags["anger"].to_numpy()}))
    section.keep("comment_sentiment", {"method": str(sentiment["method"].iloc[0]),
                                       "negative_share": float((sentiment["label"] == "negative").mean()),
                                       "n": int(len(sentiment))})
    return section


def _with_words(frame: pd.DataFrame, words: dict[str, str]) -> pd.DataFrame:
    """``frame`` with each topic's top-term triple as ``words`` after its ``topic`` column (unchanged without words)."""
    if not words:
        return frame
    out = frame.copy()
    out.insert(int(out.columns.get_loc("topic")) + 1, "words", out["topic"].map(words))
    return out
