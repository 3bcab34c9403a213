"""Tests of cxtemplate.plan.maturity_page: the sections of notebook 01, with answers and without any."""

from __future__ import annotations

from cxtemplate.plan import maturity as mat
from cxtemplate.plan import maturity_page as page
from cxtemplate.plan.maturity import dimension_view
from tests.plan.test_maturity import TINY_ANSWERS, _answers
from tests.plan.test_maturity_model import tiny_model

SECTIONS = (page.opening_section, page.dimensions_section, page.gap_section, page.next_section)


def test_without_answers_the_page_is_one_sentence_and_nothing_else():
    """No questionnaire: the opening's one sentence; no method text, radar, table or gap anywhere (issue 15)."""
    a = mat.assess(None, tiny_model(), 3)
    opening = page.opening_section(a)
    assert opening.sentences == ["*No maturity questionnaire answers were supplied — this page has no stage, radar or "
                                 "next practices; the rest of the report does not depend on it*"]
    assert opening.methods == [] and opening.tables == [] and opening.charts == []
    for build in SECTIONS[1:] + (page.issues_section,):
        assert build(a).items == [], build.__name__


def test_answers_matching_no_practice_say_so_and_are_listed():
    a = mat.assess(_answers([(f"R{i}", "frontline", "d9", "p9", 2) for i in range(3)]), tiny_model(), 3)
    assert page.opening_section(a).sentences[0].startswith("*None of the 3 questionnaire answers match")
    assert [build(a).items for build in SECTIONS[1:]] == [[], [], []]
    issues = page.issues_section(a).tables
    assert len(issues) == 1 and issues[0].frame[["Dimension", "Practice", "Answers", "Respondents"]].values.tolist() == [
        ["d9", "p9", 3, 3]]


def test_with_answers_each_section_says_its_method_first_then_what_it_found():
    """Three respondents of the tiny model: both compared roles answered, so the gap is charted and tabled."""
    a = mat.assess(TINY_ANSWERS, tiny_model(), 3)
    opening = page.opening_section(a)
    assert opening.methods == [page.INTRO, a.model_sentence()] and opening.sentences == a.opening_sentences()
    assert 3 <= len(opening.sentences) <= 5
    dims = page.dimensions_section(a)
    assert dims.methods == [page.DIMENSIONS_METHOD] and len(dims.charts) == 1
    assert dims.charts[0].alt == page.radar_alt(a) and dims.charts[0].alt.startswith("Maturity by dimension: ")
    assert dims.tables[0].frame.equals(dimension_view(a).frame)
    gap = page.gap_section(a)
    assert gap.methods == [page.GAP_METHOD] and gap.sentences == [a.roles_sentence(), a.gap.sentence()]
    assert gap.charts[0].alt == page.gap_alt(a)
    assert len(gap.charts) == 1 and len(gap.tables) == 1
    nxt = page.next_section(a)
    assert nxt.methods == [page.NEXT_METHOD] and (len(nxt.tables) == 1) == (not a.next.empty)
    assert page.issues_section(a).items == []


def test_one_role_only_gives_the_gap_sentence_without_a_chart():
    a = mat.assess(TINY_ANSWERS[TINY_ANSWERS["respondent_id"] != "A"], tiny_model(), 3)
    gap = page.gap_section(a)
    assert gap.sentences == [a.roles_sentence(), "The perception gap needs answers from both executive and "
                                                 "frontline respondents; there are 0 and 2."]
    assert gap.charts == [] and gap.tables == []


def test_every_dimension_at_target_says_so_instead_of_an_empty_table():
    a = mat.assess(TINY_ANSWERS, tiny_model(), 1)
    nxt = page.next_section(a)
    assert nxt.sentences == ["Every dimension already meets stage 1; the next step is the stage above it."]
    assert nxt.tables == []
