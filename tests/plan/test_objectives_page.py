"""Tests of cxtemplate.plan.objectives_page: the sections of notebook 02, with objectives and without."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cxtemplate.measure.spec import nps_spec
from cxtemplate.plan import objectives as ob
from cxtemplate.plan import objectives_page as page
from tests.plan.test_objectives import GOAL, SURVEY

LATER = (page.glance_section, page.feasibility_section, page.trajectory_section)


@pytest.mark.parametrize("responses, goals, sentence", [
    (SURVEY, [], "*No objectives are set in the parameters — add them under `objectives:` to track targets here*"),
    (None, [GOAL], "*There are no survey responses — objectives cannot be baselined*"),
    (SURVEY.drop(columns="responded_at"), [GOAL], "*The survey responses carry no dates — objectives cannot be "
                                                  "baselined*"),
])
def test_nothing_to_assess_is_one_sentence_and_nothing_else(responses, goals, sentence):
    res = ob.assess_all(responses, goals, {"nps": nps_spec()}, as_of="2024-12-31")
    opening = page.opening_section(res)
    assert opening.sentences == [sentence] and opening.methods == []
    for build in LATER:
        assert build(res).items == [], build.__name__


def test_objectives_on_the_hand_made_survey_show_method_table_verdicts_and_charts():
    """Two objectives, one on a metric this organisation does not measure: a note, one record, one chart."""
    goals = [GOAL, replace(GOAL, id="effort", metric="ces")]
    res = ob.assess_all(SURVEY, goals, {"nps": nps_spec()}, as_of="2024-12-31")
    opening = page.opening_section(res)
    assert opening.methods == [page.INTRO]
    assert opening.sentences == [*res.opening_sentences(),
                                 "*Objective **effort** uses CES, which is not measured for this organisation.*"]
    assert opening.sentences[:2] == [
        "**The objective is not on track** on the recent trend: it is at risk.",
        "Each objective's current value is measured over 2024-10 to 2024-12 (last 3 months), on the population it "
        "names."]
    assert opening.sentences[2].startswith("More promoters: NPS stands at 20.0 against a target of 30 by 2025-12-31;")
    assert "(−" in opening.sentences[2] and "(-" not in opening.sentences[2]
    glance = page.glance_section(res)
    assert glance.methods == [page.GLANCE_METHOD] and glance.tables[0].frame["Business goal"].tolist() == [
        "More promoters"]
    feasibility = page.feasibility_section(res)
    assert feasibility.methods == [page.FEASIBILITY_METHOD] and feasibility.sentences == res.verdicts()
    trajectory = page.trajectory_section(res)
    assert trajectory.methods == [page.TRAJECTORY_METHOD] and len(trajectory.charts) == 1
    alt = trajectory.charts[0].alt
    assert alt == page.objective_alt(res.records[0])
    assert alt.startswith("More promoters: at risk. NPS per period") and "2024-10 to 2024-12 (last 3 months)" in alt
    assert page.charted(res) == res.records


def test_only_unmeasured_objectives_give_notes_but_no_method_text_or_empty_table():
    res = ob.assess_all(SURVEY, [replace(GOAL, id="effort", metric="ces")], {"nps": nps_spec()}, as_of="2024-12-31")
    assert page.opening_section(res).sentences == [
        "*Objective **effort** uses CES, which is not measured for this organisation.*"]
    for build in LATER:
        assert build(res).items == [], build.__name__
