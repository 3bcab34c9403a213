"""Notebook 04's section on what customers say: comment topics, their relation to NPS, and sentiment.

:func:`comments_section` fits the topics on the commented responses
(:func:`cxtemplate.analysis.experience.comment_topics`), measures each topic's NPS impact
(:func:`cxtemplate.analysis.text.impact.topic_impact`) and scores the comments' sentiment
(:func:`cxtemplate.analysis.text.sentiment.score_sentiment`), and returns what the page shows with the
artifacts later notebooks read:

* ``topics`` — one row per topic: ``label`` (its human name), ``words`` (its top-term triple), shares, top words,
  impact;
* ``topic_impact`` — each topic's NPS impact with its interval (``topic`` its name, ``words`` its triple);
* ``topic_mentions`` — one row per (response, topic) mention (``topic``, ``words``), with the scorecards' split column
  (:func:`topic_mentions`), so the manager scorecards need not read every comment;
* ``commented_by`` — how many responses carry a comment, in all and per level of that column;
* ``comment_sentiment`` — the method, the share of negative comments and n.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxtemplate.analysis.experience import CommentTopics, comment_topics
from cxtemplate.analysis.page import Survey
from cxtemplate.analysis.text.impact import topic_impact
from cxtemplate.analysis.text.plots import plot_sentiment_by, plot_topic_impact
from cxtemplate.analysis.text.sentiment import score_sentiment
from cxtemplate.report.display import TableView, fixed, fmt_num, fmt_pct, labelled, p_value_cell, signed
from cxtemplate.report.grammar import plural, sentence
from cxtemplate.report.section import Section

__all__ = ["CommentsSection", "MIN_COMMENTS", "comments_method", "comments_section", "commented_responses", "impact_alt",
           "sentiment_alt", "sentiment_method", "sentiment_sentence", "topic_mentions", "topic_selection_note",
           "topics_sentence", "topics_table", "topics_view"]

MIN_COMMENTS = 50
"""Below this many comments, topics and sentiment are not analysed."""
SOURCE = "survey comments (redacted)"


def comments_method(with_nps: bool, model=None) -> str:
    """What the comments section says of its method (shown only when it runs, in its "How this was measured"
    note); the topics' NPS impact and the classifier trained on promoters' and detractors' comments only
    ``with_nps``. With the fitted ``model`` it states the topics' mean NPMI coherence."""
    coherence = ""
    if model is not None and "coherence" in model.topics.columns and len(model.topics):
        coherence = (f" The chosen topics' top words have a mean NPMI coherence of "
                     f"{fmt_num(model.topics['coherence'].mean(), 2)} (from −1, never together, to 1, always together).")
    topics = f"""Comments are redacted for personal data before they are stored. **Topics** are found with
non-negative matrix factorisation (NMF) on TF-IDF word weights of the comments' sentences; the number of topics
is the one whose topics stay most alike across random resamples of the comments.{coherence} Each topic is named by
the phrase of its own comments that best carries its top words (its top words are listed beside it)."""
    if not with_nps:
        return topics + "\n**Sentiment** comes from the VADER lexicon."
    return topics + """
A topic's **impact** is the NPS of comments that mention it minus the NPS of comments that do
not, with a 95% interval and a p-value adjusted for the number of topics (Benjamini–Hochberg). **Sentiment**
comes from a classifier trained on this organisation's own comments, with promoters' comments as positive and
detractors' as negative examples (it learns the organisation's vocabulary; measured on public labelled data it is
far more accurate than a general-purpose lexicon), or from the VADER lexicon when there are too few labelled
comments."""


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
    """The share of negative comments (what scored them goes in the method note: :func:`sentiment_method`)."""
    negative = (sentiment["label"] == "negative").mean()
    return f"{fmt_pct(negative, 0, share=True)} of comments are negative."


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


def topics_table(model, impact: pd.DataFrame | None) -> pd.DataFrame:
    """The model's topics with their top six words, two examples and (with ``impact``) their NPS impact.

    ``label`` is the topic's name; ``words`` (its top-term triple, for analysts) is kept when the model has it.
    """
    table = model.topics.copy()
    table["Top words"] = table["top_terms"].map(lambda terms: ", ".join(t for t, _ in terms[:6]))
    table["Examples (redacted)"] = table["examples"].map(lambda examples: " · ".join(f"“{e}”" for e in examples[:2]))
    if impact is not None:
        table = table.merge(impact[["topic", "impact", "ci_low", "ci_high", "p_adj"]], left_on="label",
                            right_on="topic", how="left")
    return table


def topic_selection_note(model) -> str:
    """How the number of topics was chosen (the stability of each candidate k, or given in the params)."""
    if model.criterion != "stability":
        return f"Number of topics given in the params: {model.k}."
    return ("Number of topics chosen by the stability of the topics across resamples (Greene et al. 2014; "
            f"1 = identical every time, chosen k = {model.k}): "
            + ", ".join(f"k={int(r.k)}: {r.stability:.2f}" for r in model.selection.itertuples()) + ".")


def topics_view(table: pd.DataFrame, model, window: str | None = None) -> TableView:
    """The topics table (from :func:`topics_table`) as the page shows it (its title speaks of NPS only when the
    table carries the topics' NPS impact, and names the ``window`` the comments cover); shares are of the
    comments, as the note says."""
    frame = labelled(table, {"label": "Topic", "share": "Share of comments", "Top words": "Top words",
                             "impact": "NPS impact", "ci_low": "Low", "ci_high": "High", "p_adj": "Adjusted p",
                             "Examples (redacted)": "Examples (redacted)"})
    title = ("Comment topics, their words, and their relation to NPS" if "impact" in table.columns
             else "Comment topics and their words")
    if window:
        title += f", {window}"
    return TableView(frame, title,
                     formats={"Share of comments": lambda v: f"{100 * v:.0f}%", "NPS impact": signed(1),
                              "Low": fixed(1), "High": fixed(1), "Adjusted p": p_value_cell},
                     note="Shares are of the comments (a comment may mention several topics)"
                          + ("; NPS impact is in points against the comments that do not mention the topic."
                             if "impact" in table.columns else "."),
                     max_rows=max(60, len(frame)))


@dataclass
class CommentsSection(Section):
    """The comments section, with the fitted topics (``None`` with too few comments)."""

    topics: CommentTopics | None = None

    @property
    def membership(self) -> pd.DataFrame | None:
        """Commented responses × issue topics (bool), or ``None`` without topics."""
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
    fitted = section.topics = comment_topics(commented["comment"], seed=survey.seed)
    model, membership = fitted.model, fitted.membership
    section.method(comments_method("nps" in commented.columns, model))
    section.method(topic_selection_note(model))
    if fitted.note:
        section.note(fitted.note)
    words = dict(zip(model.topics["label"], model.topics["words"])) if "words" in model.topics.columns else {}
    impact = None
    if "nps" in commented.columns:
        impact = topic_impact(membership, commented["nps"], kind="nps", confidence=survey.conf)
        n_responses = len(survey.within(survey.topics_window))
        section.say(topics_sentence(len(model.topics), len(commented), n_responses, impact.iloc[0], window))
        title = "How each comment topic relates to NPS" + (f", {window}" if window else "")
        section.chart(plot_topic_impact, impact, title=title, min_n=survey.min_n, source=SOURCE,
                      alt=impact_alt(impact))
    table = topics_table(model, impact)
    section.table(topics_view(table, model, window))
    sentiment = score_sentiment(commented["comment"], labels=commented.get("nps"), seed=survey.seed)
    section.say(sentiment_sentence(sentiment))
    section.method(sentiment_method(sentiment))
    if "touchpoint" in commented.columns:
        section.chart(plot_sentiment_by, sentiment["label"], commented["touchpoint"],
                      title="Comment sentiment by touchpoint", min_n=survey.min_n, source=SOURCE,
                      alt=sentiment_alt(sentiment["label"], commented["touchpoint"], survey.min_n))
    section.keep("topics", table.drop(columns=["top_terms", "examples"], errors="ignore"))
    if impact is not None:
        section.keep("topic_impact", _with_words(impact, words))
    mentions, commented_by = topic_mentions(commented, membership, by=survey.scorecards_by)
    if commented_by is not None:
        section.keep("commented_by", commented_by)
    section.keep("topic_mentions", _with_words(mentions, words))
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
