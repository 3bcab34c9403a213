"""The opening of the experience page (notebook 04): three to five plain sentences written from its results.

A board member reads the top of the page and stops: :func:`opening_sentences` says where the score stands, what
changed, where it is weakest, what drives it and what customers complain of most, in words without method names
(the methods are in each section's "How this was measured" note). It reads the sections' artifacts, so it is
written after them and shown before them (:func:`opening_section`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxtemplate.analysis.page import Survey
from cxtemplate.report.display import fmt_num
from cxtemplate.report.grammar import join_list, sentence
from cxtemplate.report.section import Section

__all__ = ["driver_opening", "headline_opening", "location_opening", "opening_section", "opening_sentences",
           "root_cause_opening", "topic_opening"]

ALPHA = 0.05


def _value(row: Mapping[str, Any]) -> str:
    return fmt_num(row["value"], 1)


def headline_opening(head: pd.DataFrame, frequency: str = "month", alpha: float = ALPHA) -> str | None:
    """Where the first metric stands in the latest period and whether it moved since the one before."""
    if head is None or head.empty:
        return None
    row = head.iloc[0]
    text = (f"{row['metric']} was {_value(row)} in {row['period']}, the latest {frequency} "
            f"(likely between {fmt_num(row['ci_low'], 1)} and {fmt_num(row['ci_high'], 1)}, from {int(row['n']):,} "
            f"responses)")
    change, p = row.get("change_prev"), row.get("p_adj_prev")
    if change is not None and pd.notna(change) and p is not None and pd.notna(p):
        text += (f", {'up' if change > 0 else 'down'} {fmt_num(abs(change), 1)} points on the {frequency} before"
                 if p < alpha else f", no real change on the {frequency} before")
    return sentence(text)


def root_cause_opening(record: Mapping[str, Any] | None, mix: pd.DataFrame | None, metric: str = "NPS") -> str | None:
    """The latest significant change in words, and the level that contributed most to it."""
    if not record or not record.get("found"):
        return None
    a, b = record["window_a"], record["window_b"]
    span = lambda w: w[0] if w[0] == w[-1] else f"{w[0]} to {w[-1]}"  # noqa: E731
    text = (f"Over {span(b)}, {metric} {'fell' if record['change'] < 0 else 'rose'} "
            f"{fmt_num(abs(record['change']), 1)} points against {span(a)}")
    if mix is not None and len(mix):
        first = mix[mix["dimension"] == mix["dimension"].iloc[0]]
        top = first.sort_values("rate_rank").iloc[0]
        if (top["rate"] < 0) == (record["change"] < 0):
            text += f", most of all in {top['level']}"
    return sentence(text)


def location_opening(segments: pd.DataFrame | None, steps: pd.DataFrame | None, metric: str = "NPS",
                     alpha: float = ALPHA, window: str | None = None) -> str | None:
    """The location furthest below the rest (when significantly so), and whether it stepped down and stayed.

    ``window`` is the label of the periods the segment comparison covers ("2023-01 to 2025-12 (all 36 months)"):
    said first, since the scorecards compare the same location over a shorter window.
    """
    if segments is None or segments.empty or "location" not in set(segments["segment"]):
        return None
    loc = segments[(segments["segment"] == "location") & segments["p_adj"].notna()]
    low = loc[(loc["p_adj"] < alpha) & (loc["diff"] < 0)].sort_values("diff")
    if low.empty:
        return None
    worst = low.iloc[0]
    text = (f"{'Over ' + window + ', ' if window else ''}{worst['level']} scores lowest, "
            f"{fmt_num(abs(worst['diff']), 1)} {metric} points below the other locations")
    if steps is not None and len(steps) and "location" in steps.columns:
        hit = steps[(steps["location"] == worst["level"]) & steps["significant"].astype(bool)]
        if len(hit):
            step = hit.iloc[0]
            text += (f", and has stayed at a {'lower' if step['change'] < 0 else 'higher'} level since "
                     f"{step['step_period']}")
    return sentence(text)


def driver_opening(drivers: pd.DataFrame | None, metric: str = "NPS") -> str | None:
    """The three ratings that matter most, and the ones important and rated below average."""
    if drivers is None or drivers.empty:
        return None
    top = [str(d) for d in drivers.sort_values("Share of R² %", ascending=False)["Driver"].head(3)]
    words = [top[0]] + [t[:1].lower() + t[1:] for t in top[1:]]
    text = f"{join_list(words)} matter most to {metric}"
    act = drivers[drivers["Quadrant"].astype(str).str.lower().str.startswith("concentrate")]["Driver"].tolist()
    if act:
        names = [a[:1].lower() + a[1:] for a in act]
        text += f"; {join_list(names)} {'is' if len(act) == 1 else 'are'} rated below average, so act there first"
    return sentence(text)


def topic_opening(impact: pd.DataFrame | None, metric: str = "NPS") -> str | None:
    """The comment topic that goes with the lowest score, in points below the other comments."""
    if impact is None or impact.empty:
        return None
    worst = impact.sort_values("impact").iloc[0]
    if worst["ci_high"] >= 0:
        return None
    return sentence(f"Customers who write about “{worst['topic']}” give an {metric} "
                    f"{fmt_num(abs(worst['impact']), 0)} points lower than other customers who comment")


def opening_sentences(artifacts: Mapping[str, Any], *, frequency: str = "month",
                      labels: Mapping[str, str] | None = None, segments_window: str | None = None,
                      segments_metric: str = "NPS", drivers_metric: str = "NPS") -> list[str]:
    """Three to five plain sentences from the sections' artifacts (those present; at most five).

    Parameters
    ----------
    artifacts : mapping
        The artifacts of the page's sections by name: ``headline``, ``root_cause``, ``root_cause_mix``,
        ``segments``, ``steps``, ``drivers``, ``topic_impact`` (any may be missing).
    frequency : str
        The reporting period in words.
    labels : mapping, optional
        The params' display labels (reserved for names of columns; the artifacts' names are already labels).
    segments_window : str, optional
        The label of the window the segment comparison covers.
    segments_metric, drivers_metric : str
        The names of the metrics the segment comparison and the key drivers are stated in (a survey without NPS
        compares segments in its first metric and may explain CSAT); the steps, the root cause and the topics
        are NPS's, present only when NPS is measured.
    """
    metric = "NPS"
    head = artifacts.get("headline")
    if head is not None and len(head) and "key" in head.columns and (head["key"] == "nps").any():
        head = pd.concat([head[head["key"] == "nps"], head[head["key"] != "nps"]], ignore_index=True)
    found = [headline_opening(head, frequency),
             root_cause_opening(artifacts.get("root_cause"), artifacts.get("root_cause_mix"), metric),
             location_opening(artifacts.get("segments"), artifacts.get("steps"), segments_metric, window=segments_window),
             driver_opening(artifacts.get("drivers"), drivers_metric),
             topic_opening(artifacts.get("topic_impact"), metric)]
    return [s for s in found if s][:5]


def opening_section(survey: Survey, *sections: Section, operations: bool = False) -> Section:
    """The page's opening: the plain sentences of :func:`opening_sentences` from ``sections`` (built before it and
    shown after it), with what the page does in its method note; one sentence without survey responses."""
    section = survey.intro(operations=operations)
    if not survey.present:
        return section
    artifacts: dict[str, Any] = {}
    for s in sections:
        artifacts.update(s.artifacts)
    covered = survey.window(None)  # the segment comparison covers all the dated responses (segments_section)
    for text in opening_sentences(artifacts, frequency=survey.frequency, labels=survey.display_labels,
                                  segments_window=covered.label if covered is not None else None,
                                  segments_metric=next(iter(survey.specs.values())).name if survey.specs else "NPS",
                                  drivers_metric=survey.specs[survey.outcome].name if survey.outcome in survey.specs
                                  else str(survey.outcome).upper()):
        section.say(text)
    return section

