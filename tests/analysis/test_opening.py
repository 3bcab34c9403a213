"""Tests of cxtemplate.analysis.opening: the experience page's plain opening, and the page's tables and charts.

Hand-made artifacts for each sentence; the demo (``data/demo/truth.json``) for an opening that names the planted
facts, and for the page's tables as they are shown: no "0.000", no "-0.0", every topic in the root-cause table,
every chart with an alt text of its own.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cxtemplate.analysis import comments, key_drivers, latest_change, opening
from cxtemplate.analysis import experience as ex
from tests.analysis.demo import demo

METHOD_NAMES = re.compile(r"Shapley|LMG|NPMI|Benjamini|Hochberg|\bBH\b|Efron|\bICI\b|Wald|Welch|Newcombe|permutation|"
                          r"lifelines|bootstrap", re.IGNORECASE)


def _headline(change=0.1, p=1.0):
    return pd.DataFrame({"key": ["csat", "nps"], "metric": ["CSAT", "NPS"], "period": ["2025-12", "2025-12"],
                         "value": [62.0, 12.2], "ci_low": [58.5, 6.2], "ci_high": [65.3, 18.0], "n": [773, 773],
                         "change_prev": [-2.7, change], "p_adj_prev": [0.8, p]})


def test_headline_opening_in_plain_words():
    assert opening.headline_opening(_headline()[1:], "month") == (
        "NPS was 12.2 in 2025-12, the latest month (likely between 6.2 and 18.0, from 773 responses), no real change "
        "on the month before.")
    assert opening.headline_opening(_headline(-8.0, 0.01)[1:], "month").endswith(", down 8.0 points on the month before.")
    assert opening.headline_opening(pd.DataFrame(), "month") is None


def test_root_cause_location_driver_and_topic_openings():
    record = {"found": True, "window_a": ["2024-07", "2024-12"], "window_b": ["2025-07", "2025-12"], "change": -5.8}
    mix = pd.DataFrame({"dimension": ["location", "location"], "level": ["Leeds", "Birmingham"], "rate": [0.5, -3.4],
                        "rate_rank": [2, 1]})
    assert opening.root_cause_opening(record, mix) == (
        "Over 2025-07 to 2025-12, NPS fell 5.8 points against 2024-07 to 2024-12, most of all in Birmingham.")
    assert opening.root_cause_opening({"found": False}, mix) is None
    segments = pd.DataFrame({"segment": ["location", "location", "plan"], "level": ["Birmingham", "Bristol", "Basic"],
                             "diff": [-18.7, 9.0, -30.0], "p_adj": [0.0001, 0.0001, 0.0001]})
    steps = pd.DataFrame({"location": ["Birmingham"], "step_period": ["2025-03"], "change": [-23.6],
                          "significant": [True]})
    assert opening.location_opening(segments, steps) == (
        "Birmingham scores lowest, 18.7 NPS points below the other locations, and has stayed at a lower level since "
        "2025-03.")
    assert opening.location_opening(segments.assign(p_adj=0.5), steps) is None
    assert opening.location_opening(segments, None, window="2023-01 to 2025-12 (all 36 months)") == (
        "Over 2023-01 to 2025-12 (all 36 months), Birmingham scores lowest, 18.7 NPS points below the other locations.")
    drivers = pd.DataFrame({"Driver": ["Speed of service", "Reliability of supply", "Value for money"],
                            "Share of R² %": [20.5, 30.5, 11.5],
                            "Quadrant": ["Concentrate here", "Keep up the good work", "Possible overkill"]})
    assert opening.driver_opening(drivers) == (
        "Reliability of supply, speed of service and value for money matter most to NPS; speed of service is rated "
        "below average, so act there first.")
    impact = pd.DataFrame({"topic": ["Lovely advisor", "Extra charges"], "impact": [24.3, -56.1],
                           "ci_low": [10.7, -62.8], "ci_high": [36.6, -48.9]})
    assert opening.topic_opening(impact) == (
        "Customers who write about “Extra charges” give an NPS 56 points lower than other customers who comment.")
    assert opening.topic_opening(impact.assign(ci_high=5.0)) is None  # not clearly harmful: not said
    # a survey without NPS: its drivers and segments are stated in the metrics it has, never in NPS
    said = opening.opening_sentences({"drivers": drivers, "segments": segments}, drivers_metric="CSAT",
                                     segments_metric="CSAT")
    assert any("matter most to CSAT" in t for t in said) and any("18.7 CSAT points below" in t for t in said)
    assert not any("NPS" in t for t in said)


def test_opening_sentences_put_nps_first_and_stop_at_five():
    artifacts = {"headline": _headline()}
    said = opening.opening_sentences(artifacts)
    assert said == [opening.headline_opening(_headline()[1:].reset_index(drop=True))]
    assert opening.opening_sentences({}) == []


@pytest.fixture(scope="module")
def demo_page():
    """The sections of the demo's page whose artifacts the opening reads (drivers with a short bootstrap)."""
    survey, _, truth = demo()
    headline = ex.headline_section(survey)
    sections = {"headline": headline, "steps": ex.steps_section(survey), "segments": ex.segments_section(survey),
                "trends": ex.trends_section(survey, headline.period_tables),
                "drivers": key_drivers.drivers_section(survey, n_boot=20), "voice": comments.comments_section(survey)}
    sections["root_cause"] = latest_change.root_cause_section(survey, importance=sections["drivers"].importance,
                                                               topic_membership=sections["voice"].membership)
    return survey, sections, truth


@pytest.mark.slow  # the demo organisation's data or a second fit: kept out of the under-a-minute suite
def test_the_demo_opening_names_the_planted_facts_without_method_names(demo_page):
    survey, sections, truth = demo_page
    section = opening.opening_section(survey, *sections.values())
    said = section.sentences
    assert 3 <= len(said) <= 5
    for text in said:
        assert text[0].isupper() and text.endswith(".") and not METHOD_NAMES.search(text), text
    text = " ".join(said)
    assert truth["location_step"]["location"] in text and truth["location_step"]["month"] in text
    assert survey.label(truth["drivers"]["importance_rank"][0]) in text
    harmful = sections["voice"].artifacts["topic_impact"].iloc[0]["topic"]
    assert f"“{harmful}”" in text
    assert section.methods and "Benjamini" in section.methods[0]  # what the page does, under the opening


def _shown(view) -> list[str]:
    """The cells and headers of a table as the page shows them (``show_table``'s HTML, tags stripped)."""
    import IPython.display

    from cxtemplate.report.display import show_table

    captured = []
    original = IPython.display.display
    IPython.display.display = lambda obj: captured.append(obj.data)
    try:
        show_table(view)
    finally:
        IPython.display.display = original
    html = "".join(captured)
    return [c.strip() for c in re.findall(r">([^<>]+)<", html) if c.strip()]


@pytest.mark.slow  # the demo organisation's data or a second fit: kept out of the under-a-minute suite
def test_the_demo_page_tables_read_right(demo_page):
    """No '0.000' and no '-0.0' in any table; the root-cause topic table lists every topic, billing included, and
    says why its shares are smaller than the comments section's."""
    _, sections, truth = demo_page
    for name, section in sections.items():
        for view in section.tables:
            cells = _shown(view)
            assert cells, (name, view.title)
            for cell in cells:
                assert "0.000" not in cell, (name, view.title, cell)
                assert not re.search(r"(^|[^\d.])[-−]0(\.0+)?(?![\d.])", cell), (name, view.title, cell)
    topics = sections["voice"].artifacts["topics"]
    movers = sections["root_cause"].tables[-1]
    assert movers.columns[0] == "Topic" and set(movers.frame["Topic"]) == set(topics["label"])
    assert "share of the comments" in movers.note
    worst = sections["voice"].artifacts["topic_impact"].iloc[0]["topic"]
    assert worst in set(movers.frame["Topic"])


def test_every_demo_chart_has_an_alt_text_from_its_results(demo_page):
    _, sections, _ = demo_page
    charts = [c for s in sections.values() for c in s.charts]
    assert len(charts) >= 8
    for chart in charts:
        assert chart.alt and ":" in chart.alt and not chart.alt.startswith("Chart"), chart.alt
        assert re.search(r"\d", chart.alt), chart.alt  # it reads numbers off the results
