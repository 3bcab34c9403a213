"""Tests of cxtemplate.analysis.page: the table formats, the Section container and the Survey inputs."""

from __future__ import annotations

import pandas as pd

from cxtemplate.analysis import page
from cxtemplate.analysis.page import Absent, Chart, Section, Survey, fixed, p_value_cell, signed
from cxtemplate.measure.spec import nps_spec
from cxtemplate.report.display import TableView

# ─── formats ─────────────────────────────────────────────────────────────────────────────────


def test_p_values_below_one_in_a_thousand_never_read_zero():
    assert [p_value_cell(p) for p in (0.0, 0.0004, 0.00099, 0.001, 0.0123, 0.5, 1.0)] == \
        ["< 0.001", "< 0.001", "< 0.001", "0.001", "0.012", "0.500", "1.000"]


def test_signed_and_fixed_never_show_minus_zero():
    assert [signed(1)(v) for v in (2.36, -2.36, -0.04, 0.04, 0.0, -1.0)] == ["+2.4", "-2.4", "0.0", "0.0", "0.0", "-1.0"]
    assert [signed(2)(v) for v in (0.004, -0.004, 0.006)] == ["0.00", "0.00", "+0.01"]
    assert [signed(3)(v) for v in (1.3291, -0.0004)] == ["+1.329", "0.000"]
    assert [fixed(1)(v) for v in (2.36, -2.36, -0.04, 12.0)] == ["2.4", "-2.4", "0.0", "12.0"]


# ─── Section ─────────────────────────────────────────────────────────────────────────────────


def _section() -> Section:
    s = Section()
    s.say("First.")
    s.absent("There are no widgets", "nothing is counted")
    s.table(TableView(pd.DataFrame({"A": [1]}), "T"))
    s.chart(lambda *a, **k: ("drawn", a, k), 1, 2, title="C")
    s.note("How.")
    s.keep("one", pd.DataFrame({"x": [1]}))
    s.keep("two", {"k": 2})
    return s


def test_a_section_keeps_what_it_shows_in_order():
    s = _section()
    assert s.sentences == ["First.", "*There are no widgets — nothing is counted*", "<span class='cx-note'>How.</span>"]
    assert [t.title for t in s.tables] == ["T"]
    assert [c.kwargs["title"] for c in s.charts] == ["C"]
    assert s.charts[0].draw() == ("drawn", (1, 2), {"title": "C"})
    assert list(s.artifacts) == ["one", "two"]
    assert Absent("No x", "y").text == "*No x — y*"


def test_show_displays_every_item_in_order_and_save_hands_over_every_artifact(monkeypatch):
    shown = []
    monkeypatch.setattr(page, "say", lambda text: shown.append(("say", text)))
    monkeypatch.setattr(page, "absent", lambda what, why: shown.append(("absent", what, why)))
    monkeypatch.setattr(page, "show_table", lambda view: shown.append(("table", view.title)))

    class Axes:
        figure = "figure"

    monkeypatch.setattr(page, "show_figure", lambda fig: shown.append(("figure", fig)))
    s = _section()
    s.items[3] = Chart(lambda: Axes())
    s.show()
    assert shown == [("say", "First."), ("absent", "There are no widgets", "nothing is counted"), ("table", "T"),
                     ("figure", "figure"), ("say", "<span class='cx-note'>How.</span>")]
    saved = []
    s.save(lambda name, obj: saved.append(name))
    assert saved == ["one", "two"]


# ─── Survey ──────────────────────────────────────────────────────────────────────────────────


def test_survey_says_what_it_has():
    r = pd.DataFrame({"nps": [9, 3], "responded_at": pd.to_datetime(["2025-01-02", None]), "speed": [1, 2],
                      "location": ["A", "B"]})
    s = Survey(r, {"nps": nps_spec()}, driver_columns=("speed", "ease"), labels={"speed": "Speed of service"})
    assert s.present and s.dated and s.has("location") and not s.has("segment")
    assert s.drivers == ["speed"] and s.label("speed") == "Speed of service" and s.label("ease") == "ease"
    assert s.usable is r and s.intro().items == []
    undated = Survey(r.assign(responded_at=pd.NaT), {"nps": nps_spec()})
    assert undated.present and not undated.dated
    for none in (Survey(None, {"nps": nps_spec()}), Survey(r, {})):
        assert not none.present and not none.dated and not none.has("nps") and none.drivers == [] and none.usable is None
        assert none.intro().sentences == ["*There are no survey responses for this organisation — the experience "
                                          "analysis is skipped; conversations and churn are analysed where available*"]


def test_survey_from_the_demo_config(root):
    from cxtemplate.config.loader import load_config

    cfg = load_config(root / "params" / "demo.yaml")
    s = Survey.from_config(cfg, None, specs={"nps": nps_spec()}, freq="M", conf=0.9, seed=7)
    assert (s.freq, s.frequency, s.conf, s.seed, s.min_n) == ("M", "month", 0.9, 7, 30)
    assert str(s.as_of) == "2025-12-31" and s.baseline == "2024-12" and s.outcome == "nps"
    assert s.driver_columns[:2] == ("ease_of_process", "staff_knowledge") and s.labels["ease_of_process"] == "Ease of the process"
    assert s.scorecards_by == "location" and "segment" in s.segments

