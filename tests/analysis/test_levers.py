"""Tests of cxtemplate.analysis.levers: the operational-levers section of notebook 04.

Hand-built effect tables for the verdicts and the view; the demo's planted operations
(``data/demo/truth.json``: of the four KPIs only wait time acts on CSAT) for the section itself.
"""

from __future__ import annotations

import pandas as pd

from cxtemplate.analysis import levers
from cxtemplate.analysis.linkage import plot_binned, plot_kpi_effects
from cxtemplate.analysis.page import Survey
from cxtemplate.measure.spec import ces_spec, csat_spec, nps_spec
from tests.analysis.demo import demo

CSAT = csat_spec()


def _effects() -> pd.DataFrame:
    return pd.DataFrame({"model": ["joint", "joint", "joint"], "kpi": ["wait", "staff", "fcr"],
                         "label": ["wait time", "staffing", "first contact resolution"],
                         "effect": [-1.6119, 0.19, -0.0004], "ci_low": [-2.49, -1.16, -0.49], "ci_high": [-0.73, 1.55, 0.48],
                         "effect_unit": ["pp per minute"] * 3, "p_adj": [0.014, 0.0004, 0.99],
                         "significant": [True, True, False], "n_cells": [288] * 3, "sentence": ["Wait.", "Staff.", "FCR."]})


def test_the_lever_metric_is_csat_when_there_is_one():
    assert levers.lever_metric({"nps": nps_spec(), "csat": CSAT}) == "csat"
    assert levers.lever_metric({"ces": ces_spec(), "nps": nps_spec()}) == "ces"


def test_lever_sentences_most_significant_first_or_one_saying_none():
    t = _effects()
    assert levers.lever_sentences(t, CSAT) == ["Staff.", "Wait."]
    calm = t.assign(significant=False)
    assert levers.lever_sentences(calm, CSAT) == ["No operational KPI shows a significant link with CSAT within locations."]


def test_levers_view():
    view = levers.levers_view(_effects(), CSAT, "A note.")
    assert view.columns == ["Model", "KPI", "Effect", "Low", "High", "Unit", "Adjusted p", "Location-months"]
    assert view.title == "Operational KPIs and CSAT" and view.note == "A note."
    assert [view.formats["Effect"](v) for v in (-1.6119, -0.0004)] == ["-1.612", "0.000"]
    assert view.formats["Adjusted p"](0.0004) == "< 0.001"


def test_levers_section_absent():
    r = pd.DataFrame({"csat": [5, 4]})
    ops = pd.DataFrame({"period": ["2025-01"], "location": ["A"], "kpi": ["wait"], "value": [3.0]})
    assert levers.levers_section(Survey(r, {"csat": CSAT}), None).sentences == [
        "*There are no operational KPIs — experience–performance links are not estimated*"]
    assert levers.levers_section(Survey(None, {"csat": CSAT}), ops).sentences == [
        "*There are no survey responses — the operational KPIs are not linked to customer metrics*"]
    undated = levers.levers_section(Survey(r.assign(responded_at=pd.NaT), {"csat": CSAT}), ops)
    assert undated.sentences == ["*The responses carry no dates — they cannot be matched to the KPIs' months*"]
    assert undated.methods == [] and undated.tables == [] and undated.charts == []


def test_levers_section_finds_the_one_planted_lever():
    survey, tables, truth = demo()
    planted = truth["operations"]["direct_effect_on_csat_latent"]
    [acting] = [k for k, v in planted.items() if v != 0]
    section = levers.levers_section(survey, tables["operations"])
    effects = section.artifacts["kpi_effects"]
    joint = effects[effects["model"] == "joint"]
    assert joint.loc[joint["significant"], "kpi"].tolist() == [acting]
    assert joint.set_index("kpi").loc[acting, "effect"] < 0
    assert section.sentences == joint.loc[joint["significant"], "sentence"].tolist()
    assert section.methods[0] == levers.LEVERS_METHOD and section.methods[1].startswith("Effects compare periods")
    assert [c.plot for c in section.charts] == [plot_kpi_effects, plot_binned]
    assert section.charts[0].kwargs == {"model": "joint"}
    assert section.charts[0].alt == ("Operational KPIs and CSAT, within locations: wait time goes with lower CSAT; the "
                                     "other KPIs show no clear link.")
    assert section.tables[0].frame["Model"].unique().tolist() == ["Alone", "With the other KPIs"]
    assert section.charts[1].kwargs["title"] == "CSAT by wait time, location-months in five bins"
    assert section.tables[0].frame["Location-months"].iloc[0] == 8 * truth["window"]["months"]
