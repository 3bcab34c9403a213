"""Tests of cxtemplate.report.absent: the phrases of absent inputs and the checker that finds them on a page."""

from __future__ import annotations

import pytest

from cxtemplate.report import absent as ab
from cxtemplate.report.display import absent_text


def _page(body: str) -> str:
    """A page as render_page writes it: the organisation and title in the header, the body in <main>."""
    return (f"<html><head><title>Survey Co — NPS</title><style>.cx-nps {{}}</style></head><body>"
            f"<header class='cx-header'><div>Survey Co</div></header><main><h1>Churn and NPS</h1>{body}</main>"
            f"<footer>revenue £ survey</footer></body></html>")


def test_a_planted_phrase_of_an_absent_source_is_found_with_its_text():
    """The defect of issue 15: a CRM-only organisation's action plan spoke of detractors."""
    page = _page("<p>No identified <strong>detractor</strong> answered in the last 30 days</p>")
    [claim] = ab.claims(page, ["responses"])
    assert (claim.input, claim.phrase) == ("responses", "detractor")
    assert claim.text == "No identified detractor answered in the last 30 days"
    assert "detractor" in str(claim) and "responses absent" in str(claim)
    # with dates absent too, "last 30 days" is a second claim; with both present there is none
    assert {c.phrase for c in ab.claims(page, ["responses", "dates"])} == {"detractor", "last 30 days"}
    assert ab.claims(page, []) == []


def test_the_one_sentence_of_an_absent_input_may_name_it():
    for what, sentence in (("responses", absent_text("There are no survey responses", "alerts cannot be evaluated")),
                           ("interactions", absent_text("There are no conversation records", "skipped")),
                           ("customers", absent_text("There is no CRM", "there is no retention list")),
                           ("revenue", "No revenue is mapped: the list is ranked by risk alone.")):
        assert ab.claims(_page(f"<p>{sentence}</p>"), [what]) == [], what


def test_header_title_style_and_footer_are_not_checked():
    assert ab.claims(_page(""), list(ab.INPUTS)) == []


def test_table_cells_and_captions_are_checked_one_block_each():
    page = _page("<table><tr><th>Customer</th><th>Annual revenue</th></tr><tr><td>C1</td><td>£120</td></tr></table>"
                 "<figcaption>Source: CRM, surveys, contacts</figcaption>")
    found = {(c.phrase, c.text) for c in ab.claims(page, ["revenue", "responses"])}
    assert found == {("revenue", "Annual revenue"), ("£", "£120"), ("survey", "Source: CRM, surveys, contacts")}


def test_acronyms_match_their_case_and_words_match_at_their_start():
    assert ab.claims(_page("<p>Companies are a concern.</p>"), ["responses"]) == []  # "CES" is not in "Companies"
    assert [c.phrase for c in ab.claims(_page("<p>CES rose.</p>"), ["responses"])] == ["CES"]
    assert [c.phrase for c in ab.claims(_page("<p>Customers surveyed in May</p>"), ["responses"])] == ["survey"]
    assert [c.phrase for c in ab.claims(_page("<p>Churned customers</p>"), ["customers"])] == ["churn"]
    assert ab.claims(_page("<p>Unsurveyed</p>"), ["responses"]) == []  # not at the start of a word


def test_page_blocks_split_on_block_tags_and_join_inline_ones():
    assert ab.page_blocks("<p>A <em>b</em> c</p><div>d&amp;e</div><td>¶ f</td>") == ["A b c", "d&e", "f"]


def test_unknown_inputs_are_refused_and_every_input_has_absence_words():
    with pytest.raises(ValueError, match="unknown inputs \\['surveys'\\]"):
        ab.claims("<p>x</p>", ["surveys"])
    assert set(ab.ABSENCE_WORDS) == set(ab.INPUTS) == set(ab.ABSENT_PHRASES)


def test_a_claim_beside_an_absence_sentence_in_one_paragraph_is_still_found():
    """Found in review: the absence words anywhere in a paragraph exempted all of it."""
    from cxtemplate.report.absent import claims

    page = "<p>There are no conversation records — contacts are skipped. Handle time rose 20% per month.</p>"
    assert [c.phrase for c in claims(page, ["interactions"])] == ["handle time"]
    mixed = "<p>NPS fell 12 points among detractors; no survey-linked churn driver stood out.</p>"
    assert {c.phrase for c in claims(mixed, ["responses"])} >= {"NPS", "detractor"}
    assert claims("<p><em>There are no survey responses — NPS cannot be computed</em></p>", ["responses"]) == []
