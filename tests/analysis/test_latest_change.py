"""Tests of cxtemplate.analysis.latest_change: the root-cause section of notebook 04.

Hand-built results for the artifact and the views; the demo's planted step (``data/demo/truth.json``:
Birmingham's NPS fell from 2025-03 on) for the section itself.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cxtemplate.analysis import latest_change as lc
from cxtemplate.analysis.page import Survey
from cxtemplate.analysis.rootcause import Change, MixRate, plot_waterfall
from cxtemplate.measure.spec import nps_spec
from tests.analysis.demo import demo

A = (pd.Period("2024-07", "M"), pd.Period("2024-12", "M"))
B = (pd.Period("2025-07", "M"), pd.Period("2025-12", "M"))


def _change(found: bool) -> Change:
    return Change(found, A, B, "year", 16.4, 10.6, 2886, 4069, -5.8, -9.7, -1.9, 0.003, 0.01, "NPS fell.", "")


def test_root_cause_record():
    assert lc.root_cause_record(_change(False)) == {"sentence": "NPS fell.", "found": False}
    assert lc.root_cause_record(_change(True)) == {
        "sentence": "NPS fell.", "found": True, "window_a": ["2024-07", "2024-12"], "window_b": ["2025-07", "2025-12"],
        "change": -5.8, "ci_low": -9.7, "ci_high": -1.9, "p_adj": 0.01}


def test_mix_view():
    summary = pd.DataFrame({"dimension": ["journey_stage"], "value_a": [16.4], "value_b": [10.6], "change": [-5.8],
                            "mix": [0.04], "rate": [-5.84], "residual": [0.0], "top_level": ["Support"],
                            "top_rate_level": ["Support"], "sentence": ["By journey stage: …"]})
    view = lc.mix_view(MixRate(pd.DataFrame(), summary, (A, B)))
    assert view.columns == ["Dimension", "Before", "After", "Change", "Mix", "Rate", "Largest rate contributor"]
    assert view.frame["Dimension"].tolist() == ["Journey stage"]
    assert [view.formats[c](v) for c, v in (("Mix", 0.04), ("Rate", -5.84), ("Before", 16.4))] == ["0.0", "-5.8", "16.4"]


def test_movers_views():
    drivers = pd.DataFrame({"driver": ["speed", "ease"], "mean_a": [5.8, 7.65], "mean_b": [5.77, 7.62],
                            "change": [-0.03, 0.004], "ci_low": [-0.13, -0.11], "ci_high": [0.07, 0.05],
                            "p_adj": [0.744, 0.0002], "importance": [0.205, 0.166], "rank": [1, 2]})
    view = lc.driver_movers_view(drivers, {"speed": "Speed of service"})
    assert view.columns == ["Driver", "Before", "After", "Change", "Low", "High", "Adjusted p", "Importance"]
    assert view.frame["Driver"].tolist() == ["Speed of service", "ease"]
    f = view.formats
    assert (f["Change"](0.004), f["Importance"](0.205), f["Adjusted p"](0.0002)) == ("0.00", "20%", "< 0.001")
    topics = pd.DataFrame({"topic": [f"t{i}" for i in range(8)], "share_a": 4.2, "share_b": 4.2, "change": -0.04,
                           "ci_low": -1.0, "ci_high": 0.9, "p_adj": 0.96})
    tv = lc.topic_movers_view(topics, "2024-07 to 2024-12 and 2025-07 to 2025-12", 0.4)
    assert len(tv.frame) == 8 and tv.columns == ["Topic", "Share before %", "Share after %", "Change (pp)", "Low", "High",
                                                 "Adjusted p"]
    assert tv.formats["Change (pp)"](-0.04) == "0.0"
    assert tv.title == ("Comment topics in 2024-07 to 2024-12 and 2025-07 to 2025-12 (% of all responses whose comment "
                        "mentions each)")
    assert "40% of responses carry a comment" in tv.note and "share of the comments" in tv.note


def test_root_cause_needs_dated_nps():
    r = pd.DataFrame({"nps": [9, 3]})
    assert lc.root_cause_section(Survey(r, {"nps": nps_spec()})).items == []


def test_root_cause_of_the_demo_points_at_the_planted_step():
    survey, _, truth = demo()
    planted = truth["location_step"]
    section = lc.root_cause_section(survey)
    record = section.artifacts["root_cause"]
    assert record["found"] and record["change"] < 0 and record["window_b"][0] > planted["month"]
    summary = section.tables[0].frame.set_index("Dimension")
    assert summary.loc["Location", "Largest rate contributor"] == planted["location"]
    for _, row in summary.iterrows():  # mix + rate is the change, in every dimension
        assert row["Mix"] + row["Rate"] == pytest.approx(row["Change"], abs=1e-9)
    mix = section.artifacts["root_cause_mix"]
    assert set(mix["dimension"]) == set(lc.DIMENSIONS)
    assert [c.plot for c in section.charts] == [plot_waterfall] and section.charts[0].kwargs["dimension"] == "location"
    assert section.tables[1].columns[0] == "Driver" and len(section.tables) == 2  # no topics given: no topic table
    assert section.sentences[0] == record["sentence"]
    assert section.methods[0] == lc.ROOT_CAUSE_METHOD and section.methods[1].startswith("Windows 2")
    assert planted["location"] in section.charts[0].alt and section.charts[0].alt.startswith("What moved NPS, by location")
