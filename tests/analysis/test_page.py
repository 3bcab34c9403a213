"""Tests of cxtemplate.analysis.page: the Survey inputs every section of notebook 04 reads."""

from __future__ import annotations

import pandas as pd

from cxtemplate.analysis.page import Survey
from cxtemplate.measure.spec import nps_spec

# ─── Survey ──────────────────────────────────────────────────────────────────────────────────


def test_survey_says_what_it_has():
    r = pd.DataFrame({"nps": [9, 3], "responded_at": pd.to_datetime(["2025-01-02", None]), "speed": [1, 2],
                      "location": ["A", "B"]})
    s = Survey(r, {"nps": nps_spec()}, driver_columns=("speed", "ease"), labels={"speed": "Speed of service"})
    assert s.present and s.dated and s.has("location") and not s.has("segment")
    assert s.drivers == ["speed"] and s.label("speed") == "Speed of service" and s.label("ease") == "Ease"
    assert s.usable is r and s.intro().sentences == []
    # the intro names only what this survey allows: dates and NPS, no segments, one driver, no comments or agents
    assert s.intro().methods == [
        "This page turns the voice of the customer into reasons. It follows the scores over time and explains\nthe "
        "latest significant change. Every number carries its sample size and 95% interval; every\ncomparison a test "
        "whose p-value is adjusted for the number of comparisons made (Benjamini–Hochberg)."]
    assert "operational levers" in s.intro(operations=True).methods[0]
    undated = Survey(r.assign(responded_at=pd.NaT), {"nps": nps_spec()})
    assert undated.present and not undated.dated
    for none in (Survey(None, {"nps": nps_spec()}), Survey(r, {})):
        assert not none.present and not none.dated and not none.has("nps") and none.drivers == [] and none.usable is None
        # one sentence, naming no other source (the organisation may have no conversations or CRM either)
        assert none.intro().sentences == ["*There are no survey responses for this organisation — the experience "
                                          "analysis is skipped*"]
        assert none.intro().methods == []


def test_survey_from_the_demo_config(root):
    from cxtemplate.config.loader import load_config

    cfg = load_config(root / "params" / "demo.yaml")
    s = Survey.from_config(cfg, None, specs={"nps": nps_spec()}, freq="M", conf=0.9, seed=7)
    assert (s.freq, s.frequency, s.conf, s.seed, s.min_n) == ("M", "month", 0.9, 7, 30)
    assert str(s.as_of) == "2025-12-31" and s.baseline == "2024-12" and s.outcome == "nps"
    assert s.driver_columns[:2] == ("ease_of_process", "staff_knowledge") and s.labels["ease_of_process"] == "Ease of the process"
    assert s.scorecards_by == "location" and "segment" in s.segments



def test_an_all_empty_column_is_no_data_and_periods_are_counted_per_column():
    r = pd.DataFrame({"nps": [9, 3, 7], "csat": [None, None, None], "ces": [5, None, None],
                      "responded_at": pd.to_datetime(["2025-01-02", "2025-01-20", "2025-03-01"]),
                      "speed": [None, None, None]})
    s = Survey(r, {"nps": nps_spec()}, driver_columns=("speed",))
    assert s.has("nps") and not s.has("csat") and s.drivers == [], "an empty CSAT or driver column is no data"
    assert (s.periods_with("nps"), s.periods_with("ces"), s.periods_with("csat")) == (2, 1, 0)
    assert Survey(r.assign(responded_at=pd.NaT), {"nps": nps_spec()}).periods_with("nps") == 0


def test_survey_labels_and_windows():
    """Display labels come from the params (they win) or are derived; the windows cover the dated responses."""
    months = pd.to_datetime([f"2025-{m:02d}-15" for m in range(1, 13)])
    r = pd.DataFrame({"nps": range(12), "responded_at": months, "speed": 5, "wait_minutes": 3})
    s = Survey(r, {"nps": nps_spec()}, driver_columns=("speed", "wait_minutes"), labels={"speed": "Speed of service"},
               display_labels={"wait_minutes": "Minutes on hold"}, drivers_window=3)
    assert s.driver_labels == {"speed": "Speed of service", "wait_minutes": "Minutes on hold"}
    assert Survey(r, {"nps": nps_spec()}).label("wait_minutes") == "Wait (minutes)"
    assert s.window(None).label == "2025-01 to 2025-12 (all 12 months)"
    assert s.window(s.drivers_window).label == "2025-10 to 2025-12 (last 3 months)"
    assert s.within(3)["nps"].tolist() == [9, 10, 11] and s.within(None) is r
    undated = Survey(r.drop(columns="responded_at"), {"nps": nps_spec()})
    assert undated.window(3) is None and undated.within(3) is undated.responses
