"""Notebook 04's section on the root cause of the latest significant change in NPS.

:func:`root_cause_section` finds the most recent significant change
(:func:`cxtemplate.analysis.rootcause.latest_significant_change`), splits it into mix and rate by
location, journey stage, segment and channel (:func:`cxtemplate.analysis.rootcause.mix_rate_decomposition`),
and shows which driver ratings and comment topics moved most between the two windows
(:func:`cxtemplate.analysis.rootcause.driver_and_topic_movers`).

Artifacts: ``root_cause`` (:func:`root_cause_record`) and, when a change was found, ``root_cause_mix``
(the decomposition per dimension and level).
"""

from __future__ import annotations

import pandas as pd

from cxtemplate.analysis.page import Survey
from cxtemplate.analysis.rootcause import (
    Change,
    MixRate,
    driver_and_topic_movers,
    latest_significant_change,
    mix_rate_decomposition,
    plot_waterfall,
)
from cxtemplate.report.display import TableView, fixed, fmt_pct, fmt_signed, labelled, p_value_cell, signed
from cxtemplate.report.labels import display_label
from cxtemplate.report.section import Section

__all__ = ["DIMENSIONS", "ROOT_CAUSE_METHOD", "driver_movers_view", "mix_view", "root_cause_record",
           "root_cause_section", "topic_movers_view", "topic_share_note", "waterfall_alt", "windows_text"]

DIMENSIONS = ("location", "journey_stage", "segment", "channel")
"""The dimensions a change is split by (those the responses have), the first one charted."""

ROOT_CAUSE_METHOD = """The most recent change in NPS that is larger than chance, split into **mix** (a different mix
of customers answering, e.g. more responses from a weaker location) and **rate** (the same kind
of customers scoring differently). The split adds up exactly to the change. Then: which driver
ratings and which comment topics moved most between the two windows."""
"""What the section says of its method, shown only when it runs."""


def root_cause_record(change: Change) -> dict:
    """The ``root_cause`` artifact: the sentence and whether a change was found; with one, its windows and size."""
    if not change.found:
        return {"sentence": change.sentence, "found": False}
    return {"sentence": change.sentence, "found": True, "window_a": [str(p) for p in change.window_a],
            "window_b": [str(p) for p in change.window_b], "change": change.change, "ci_low": change.ci_low,
            "ci_high": change.ci_high, "p_adj": change.p_adj}


def mix_view(mix: MixRate, labels: dict[str, str] | None = None) -> TableView:
    """The change per dimension split into mix and rate, with the level contributing most to the rate (each
    dimension under its display label, :func:`cxtemplate.report.labels.display_label` with ``labels``)."""
    frame = labelled(mix.summary.assign(dimension=mix.summary["dimension"].map(lambda d: display_label(d, labels))),
                     {"dimension": "Dimension", "value_a": "Before", "value_b": "After", "change": "Change",
                      "mix": "Mix", "rate": "Rate", "top_rate_level": "Largest rate contributor"})
    return TableView(frame, "Change in NPS split into mix and rate, by dimension (NPS points)",
                     formats={"Before": fixed(1), "After": fixed(1), "Change": signed(1), "Mix": signed(1),
                              "Rate": signed(1)})


def driver_movers_view(drivers: pd.DataFrame, labels: dict[str, str]) -> TableView:
    """The driver ratings of the two windows (``Movers.drivers``), under their plain-language names."""
    frame = labelled(drivers.assign(driver=drivers["driver"].map(lambda d: labels.get(d, d))),
                     {"driver": "Driver", "mean_a": "Before", "mean_b": "After", "change": "Change", "ci_low": "Low",
                      "ci_high": "High", "p_adj": "Adjusted p", "importance": "Importance"})
    return TableView(frame, "Driver ratings between the two windows (ranked by change × importance)",
                     formats={"Before": fixed(2), "After": fixed(2), "Change": signed(2), "Low": signed(2),
                              "High": signed(2), "Adjusted p": p_value_cell, "Importance": lambda v: f"{100 * v:.0f}%"})


def topic_share_note(commented_share: float | None = None) -> str:
    """Why a topic's share here differs from its share in the comments section (``commented_share``: the share of
    responses that carry a comment, 0–1, stated when given)."""
    text = ("Shares here are of all the window's responses, with or without a comment, so that the two windows "
            "compare whatever share of them carry a comment. The comments section gives each topic's share of the "
            "comments over all the data, which reads larger")
    if commented_share is not None:
        text += f" (there {fmt_pct(commented_share, 0, share=True)} of responses carry a comment)"
    return text + "."


def topic_movers_view(topics: pd.DataFrame, windows: str = "the two windows",
                      commented_share: float | None = None) -> TableView:
    """Every comment topic between the windows (``Movers.topics``), the largest movement first.

    ``windows`` names the windows in the title ("2024-07 to 2024-12 and 2025-07 to 2025-12"); the note says why the
    shares differ from the comments section's (:func:`topic_share_note`).
    """
    frame = labelled(topics, {"topic": "Topic", "share_a": "Share before %", "share_b": "Share after %",
                              "change": "Change (pp)", "ci_low": "Low", "ci_high": "High", "p_adj": "Adjusted p"})
    return TableView(frame, f"Comment topics in {windows} (% of all responses whose comment mentions each)",
                     formats={"Share before %": fixed(1), "Share after %": fixed(1), "Change (pp)": signed(1),
                              "Low": signed(1), "High": signed(1), "Adjusted p": p_value_cell},
                     note=topic_share_note(commented_share), max_rows=max(20, len(frame)))


def windows_text(change: Change) -> str:
    """The two windows of a change in words: '2024-07 to 2024-12 and 2025-07 to 2025-12'."""
    def one(w) -> str:
        return str(w[0]) if str(w[0]) == str(w[-1]) else f"{w[0]} to {w[-1]}"

    return f"{one(change.window_a)} and {one(change.window_b)}"


def waterfall_alt(mix: MixRate, dimension: str, labels: dict[str, str] | None = None) -> str:
    """The waterfall's alt text: its title and how the change splits into mix and rate, the largest contributor named."""
    s = mix.summary.set_index("dimension").loc[dimension]
    t = mix.table[mix.table["dimension"] == dimension].sort_values("rate_rank")
    top = t.iloc[0]
    label = display_label(dimension, labels).lower()
    return (f"What moved {mix.metric}, by {label}: of the {fmt_signed(s['change'])}-point change, "
            f"{fmt_signed(s['rate'])} came from how each group scored and {fmt_signed(s['mix'])} from who answered; "
            f"{top['level']} contributed most ({fmt_signed(top['rate'])}).")


def root_cause_section(survey: Survey, *, importance=None, topic_membership: pd.DataFrame | None = None) -> Section:
    """The latest significant change in NPS, its mix and rate, and what moved (see the module).

    Parameters
    ----------
    survey : Survey
    importance : DriverImportance, optional
        Driver importance, to rank the drivers by change × importance.
    topic_membership : DataFrame of bool, optional
        Commented responses × topics (indexed like the responses); the other responses mention none.
    """
    section = Section()
    if not (survey.dated and "nps" in survey.specs):
        return section
    responses, spec = survey.responses, survey.specs["nps"]
    if survey.periods_with(spec.column) < 2:  # a change needs a period before the latest one
        section.absent(f"The latest change needs NPS responses in at least two {survey.frequency}s",
                       "its causes are not analysed")
        return section
    change = latest_significant_change(responses, spec, freq=survey.freq, alpha=0.05, min_n=survey.min_n,
                                       end=survey.as_of)
    section.method(ROOT_CAUSE_METHOD)
    section.say(change.sentence)
    section.keep("root_cause", root_cause_record(change))
    if not change.found:
        return section
    dims = [c for c in DIMENSIONS if c in responses.columns]
    mix = mix_rate_decomposition(responses, spec, dims, change.window_a, change.window_b)
    section.table(mix_view(mix, survey.display_labels))
    section.say(mix.summary["sentence"].iloc[0])
    section.chart(plot_waterfall, mix, dimension=dims[0], top=6,
                  alt=waterfall_alt(mix, dims[0], survey.display_labels))
    commented_share = None
    if topic_membership is not None:
        commented_share = len(topic_membership) / len(responses) if len(responses) else None
        topic_membership = topic_membership.reindex(responses.index, fill_value=False)
    movers = driver_and_topic_movers(responses, change.window_a, change.window_b, survey.drivers,
                                     topic_membership=topic_membership, importance=importance)
    section.table(driver_movers_view(movers.drivers, survey.driver_labels))
    if not movers.topics.empty:
        section.table(topic_movers_view(movers.topics, windows_text(change), commented_share))
    section.method(movers.note)
    section.keep("root_cause_mix", mix.table)
    return section
