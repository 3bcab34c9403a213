"""Notebook 04's section on operational levers: which operational KPIs move with a customer metric.

:func:`levers_section` builds the location × period panel of the metric and the KPIs
(:func:`cxtemplate.analysis.linkage.kpi_panel`), estimates each KPI's effect within locations, alone
and jointly (:func:`cxtemplate.analysis.linkage.kpi_effects`), and returns what the page shows: the
significant links in one sentence each, a forest plot, the table of effects and the metric by bins
of the most significant KPI. Artifact ``kpi_effects``: the table of effects.
"""

from __future__ import annotations

import pandas as pd

from cxtemplate.analysis.linkage import binned_relationship, kpi_effects, kpi_panel, plot_binned, plot_kpi_effects
from cxtemplate.analysis.page import Survey
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.report.display import TableView, labelled, p_value_cell, signed
from cxtemplate.report.grammar import capitalise, join_list, sentence
from cxtemplate.report.section import Section

__all__ = ["LEVERS_METHOD", "MODEL_WORDS", "effects_alt", "lever_metric", "lever_sentences", "levers_section", "levers_view"]

LEVERS_METHOD = """Which operational KPIs move with the customer metrics? Each KPI is related to the metric per
location and month **within each location** (location fixed effects), so differences between
locations do not masquerade as effects; intervals allow for months of the same location being
alike (standard errors clustered by location). Each KPI is shown alone and in a joint model
with the others: a KPI that matters only alone usually travels with one that matters.
These are associations in operational data, not experiments."""
"""What the section says of its method, shown only when it runs."""


def lever_metric(specs: dict[str, MetricSpec]) -> str:
    """The metric operational KPIs are related to: CSAT when enabled (it is the metric nearest to operations),
    else the first enabled metric."""
    return "csat" if "csat" in specs else next(iter(specs))


def lever_sentences(rows: pd.DataFrame, spec: MetricSpec) -> list[str]:
    """The sentence of each significant KPI, most significant first; one sentence when none is significant.

    ``rows`` are the rows of one model of :attr:`cxtemplate.analysis.linkage.KpiEffects.table` (the joint model
    when there is one).
    """
    out = [r["sentence"] for _, r in rows.sort_values("p_adj").iterrows() if r["significant"]]
    if not rows["significant"].any():
        out.append(f"No operational KPI shows a significant link with {spec.name} within locations.")
    return out


MODEL_WORDS = {"single": "Alone", "joint": "With the other KPIs"}
"""What the table calls each model."""


def effects_alt(rows: pd.DataFrame, spec: MetricSpec) -> str:
    """The effects chart's alt text: which KPIs have a significant link with the metric, and which way."""
    sig = rows[rows["significant"]].sort_values("p_adj")
    if sig.empty:
        return f"Operational KPIs and {spec.name}: no KPI has a significant link within locations."
    parts = [f"{r['label']} goes with {'higher' if r['effect'] > 0 else 'lower'} {spec.name}" for _, r in sig.iterrows()]
    return sentence(f"Operational KPIs and {spec.name}, within locations: {join_list(parts)}; the other KPIs show no "
                    f"clear link")


def levers_view(table: pd.DataFrame, spec: MetricSpec, note: str) -> TableView:
    """Every KPI's effect in each model, with its interval, unit and number of location-months (the KPI named with a
    capital, each model in words: :data:`MODEL_WORDS`)."""
    shown = table.assign(model=table["model"].map(lambda m: MODEL_WORDS.get(m, m)),
                         label=table["label"].map(lambda v: capitalise(str(v))))
    frame = labelled(shown, {"model": "Model", "label": "KPI", "effect": "Effect", "ci_low": "Low", "ci_high": "High",
                             "effect_unit": "Unit", "p_adj": "Adjusted p", "n_cells": "Location-months"})
    return TableView(frame, f"Operational KPIs and {spec.name}", note=note,
                     formats={"Effect": signed(3), "Low": signed(3), "High": signed(3), "Adjusted p": p_value_cell})


def levers_section(survey: Survey, operations: pd.DataFrame | None) -> Section:
    """Operational KPIs against the survey metric within locations (see the module)."""
    section = Section()
    if not survey.present and operations is None:  # the page's opening said there is no survey
        return section
    if operations is None:
        section.absent("There are no operational KPIs", "experience–performance links are not estimated")
        return section
    if not survey.present:
        section.absent("There are no survey responses", "the operational KPIs are not linked to customer metrics")
        return section
    if not survey.dated:
        section.absent("The responses carry no dates", "they cannot be matched to the KPIs' months")
        return section
    spec = survey.specs[lever_metric(survey.specs)]
    panel = kpi_panel(survey.responses, operations, spec, freq=survey.freq, conf=survey.conf)
    result = kpi_effects(panel, spec=spec, conf=survey.conf)
    table = result.table
    section.method(LEVERS_METHOD)
    if table.empty:
        section.say(result.note)
        return section
    has_joint = bool((table["model"] == "joint").any())
    rows = table[table["model"] == "joint"] if has_joint else table
    for text in lever_sentences(rows, spec):
        section.say(text)
    section.chart(plot_kpi_effects, result, model="joint" if has_joint else "single", alt=effects_alt(rows, spec))
    section.table(levers_view(table, spec, "Effects compare periods within the same location: associations, not "
                                            "proof of cause."))
    section.method(result.note)
    top = rows.sort_values("p_adj").iloc[0]
    binned = binned_relationship(panel, top["kpi"], bins=5, spec=spec, within_location=False)
    title = f"{spec.name} by {top['label']}, location-months in five bins"
    section.chart(plot_binned, binned, title=title, alt=sentence(f"{title}: {top['sentence']}"))
    section.keep("kpi_effects", table)
    return section
