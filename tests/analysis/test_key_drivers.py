"""Tests of cxtemplate.analysis.key_drivers: the key-driver bundle, its sentences and tables, and the what-if gains.

Hand-built results for the wording and the tables; hand calculations for the uniform-shift arithmetic;
the demo's planted driver importance (``data/demo/truth.json``: the importance ranking and the one driver
to concentrate on) for the section itself.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cxtemplate.analysis import key_drivers as kd
from cxtemplate.analysis.drivers import RELATIVE_WEIGHTS, SHAPLEY, DriverImportance
from cxtemplate.analysis.page import Survey
from cxtemplate.analysis.plots import plot_importance, plot_importance_performance
from cxtemplate.measure.spec import ces_spec, csat_spec, nps_spec
from tests.analysis.demo import demo

LABELS = {"a": "Aspect A", "b": "Aspect B"}


def _analysis(quadrants=("Keep up the good work", "Concentrate here", "Low priority"), info=None, n=1200):
    shares = pd.DataFrame({"driver": ["a", "b", "c"], "share_pct": [50.0, 30.0, 20.0], "share_low": [45.2, 25.0, 14.6],
                           "share_high": [55.0, 35.4, 25.0], "sign": [1, 1, -1], "beta": [0.5, 0.3, -0.1]})
    sh = DriverImportance(shares, r2=0.404, n=n, method=SHAPLEY, outcome="nps", info=info or {"n_boot": 300})
    rw = DriverImportance(pd.DataFrame({"driver": ["c", "a", "b"], "share_pct": [21.0, 49.0, 30.0]}), r2=0.404, n=n,
                          method=RELATIVE_WEIGHTS, outcome="nps")
    ipa = pd.DataFrame({"driver": ["a", "b", "c"], "performance": [7.5, 5.8, 6.1], "quadrant": list(quadrants)})
    return kd.DriverAnalysis(sh, rw, ipa, "nps")


def test_driver_table_and_view():
    a = _analysis()
    t = a.table(LABELS)
    assert t["Driver"].tolist() == ["Aspect A", "Aspect B", "c"]
    assert t["95% CI"].tolist() == ["45.2 to 55.0", "25.0 to 35.4", "14.6 to 25.0"]  # the decimals of the share
    assert t["Relative weights %"].tolist() == [49.0, 30.0, 21.0] and t["Direction"].tolist() == ["+", "+", "−"]
    view = kd.drivers_view(a, t)
    assert view.columns == ["Driver", "Share of R² %", "95% CI", "Relative weights %", "Direction", "Mean rating", "Quadrant"]
    assert view.title == "Key drivers of NPS"
    assert kd.drivers_view(a, t, "2025-01 to 2025-12 (all 12 months)").title == (
        "Key drivers of NPS, 2025-01 to 2025-12 (all 12 months)")
    # no method name under the table: it goes in the section's method note
    assert view.note == "R² = 0.40 (the share of the variation the ratings explain together), n = 1,200 complete responses."
    assert SHAPLEY not in view.note


def test_driver_sentence_with_and_without_a_driver_to_concentrate_on():
    assert kd.driver_sentence(_analysis(), LABELS) == (
        "The 3 ratings explain 40% of the variation in NPS (n = 1,200); the strongest drivers are Aspect A (50%), "
        "Aspect B (30%) and c (20%). **Concentrate here:** Aspect B — important and rated below average.")
    assert kd.driver_sentence(_analysis(), LABELS, "2025-01 to 2025-12 (all 12 months)").startswith(
        "Over 2025-01 to 2025-12 (all 12 months), the 3 ratings explain 40%")
    calm = _analysis(quadrants=("Keep up the good work", "Possible overkill", "Low priority"))
    assert kd.driver_sentence(calm, LABELS).endswith("Aspect B (30%) and c (20%).")


def test_interval_note_names_the_bootstrap_subsample():
    a = _analysis(info={"n_boot": 300, "boot_sample": 50_000}, n=120_000)
    assert kd.driver_interval_note(a) == (
        "95% intervals from 300 bootstrap replicates of a random subsample of 50,000 of the 120,000 complete "
        "responses, rescaled to all of them (m-out-of-n bootstrap, used above 50,000 responses).")


def test_drivers_by_segment_wide_by_hand():
    """X: a 60%, b 40% (R² 0.5, n 100); Y: a 20%, b 80% (R² 0.25, n 80); Z too small. b averages 60, a 40."""
    long = pd.DataFrame({"segment": ["X", "X", "Y", "Y", "Z"], "n": [100, 100, 80, 80, 5],
                         "r2": [0.5, 0.5, 0.25, 0.25, float("nan")], "driver": ["a", "b", "a", "b", None],
                         "share_pct": [60.0, 40.0, 20.0, 80.0, float("nan")],
                         "status": ["ok", "ok", "ok", "ok", "not enough responses (n = 5 < 30)"]})
    wide = kd.drivers_by_segment_wide(long, {"b": "Bee"})
    assert wide.columns.tolist() == ["Driver", "X", "Y"]
    assert wide["Driver"].tolist() == ["Bee", "a", "R² % (variance explained)", "n (responses)"]
    assert wide[["X", "Y"]].to_numpy().tolist() == [[40.0, 80.0], [60.0, 20.0], [50.0, 25.0], [100.0, 80.0]]
    view = kd.drivers_by_segment_view(wide)
    assert [view.formats["X"](v) for v in (40.0, 9399.0)] == ["40.0", "9,399"]
    assert kd.drivers_by_segment_wide(long[long["status"] != "ok"], {}).empty


def test_shifted_metric_change_by_hand():
    """Scores are read as ratings spread evenly over ±½: all 8s shifted by +0.5 put half above 8.5 (promoters,
    +50 NPS); shifted by −1.5 half fall below 6.5 (detractors, −50). All 3s on a 1–5 CSAT (top-2: ≥ 4, cut 3.5)
    shifted by 0.25: a quarter cross (+25 points). A mean moves by the shift, within the scale."""
    eights, threes = pd.Series([8.0] * 10), pd.Series([3.0] * 10)
    assert kd.shifted_metric_change(eights, 0.5, nps_spec()) == pytest.approx(50)
    assert kd.shifted_metric_change(eights, -1.5, nps_spec()) == pytest.approx(-50)
    assert kd.shifted_metric_change(threes, 0.25, csat_spec()) == pytest.approx(25)
    assert kd.shifted_metric_change(pd.Series([2.0, 4.0]), 1.0, ces_spec()) == pytest.approx(1.0)
    assert kd.shifted_metric_change(pd.Series([7.0, 6.5]), 1.0, ces_spec()) == pytest.approx(0.25)


def test_drivers_section_absent():
    r = pd.DataFrame({"nps": [9, 3], "a": [1, 2], "b": [2, 3]})
    assert kd.drivers_section(Survey(None, {"nps": nps_spec()}, driver_columns=("a", "b"))).items == []
    one = kd.drivers_section(Survey(r, {"nps": nps_spec()}, driver_columns=("a", "z")))
    assert one.sentences == ["*Fewer than two driver ratings are configured — the key-driver analysis is skipped*"]
    assert one.analysis is None and one.importance is None
    no_outcome = kd.drivers_section(Survey(r.drop(columns="nps"), {"nps": nps_spec()}, driver_columns=("a", "b")))
    assert no_outcome.sentences == ["*The responses carry no NPS scores — the key-driver analysis is skipped*"]
    assert kd.drivers_by_segment_section(Survey(r, {"nps": nps_spec()}), None).items == []


@pytest.fixture(scope="module")
def demo_drivers():
    survey, _, truth = demo()
    return survey, kd.drivers_section(survey, n_boot=20), truth


def test_drivers_section_recovers_the_planted_importance(demo_drivers):
    survey, section, truth = demo_drivers
    planted = truth["drivers"]
    table = section.artifacts["drivers"]
    assert table["driver"].tolist()[:3] == planted["importance_rank"][:3]
    for _, row in table.iterrows():
        assert row["Share of R² %"] == pytest.approx(100 * planted["importance_share"][row["driver"]], abs=2.5)
    concentrate = survey.label(planted["concentrate_here"])
    assert f"**Concentrate here:** {concentrate} — important" in section.sentences[0]
    assert section.methods[0] == kd.DRIVERS_METHOD and section.methods[1].startswith(section.analysis.shapley.method)
    assert [c.plot for c in section.charts] == [plot_importance, plot_importance_performance]
    # the alt texts read the results: the planted top driver first, the one to concentrate on named
    top = survey.label(planted["importance_rank"][0]).lower()
    assert section.charts[0].alt.startswith("What drives NPS:") and top in section.charts[0].alt
    assert re.search(rf"{concentrate} \(rated \d\.\d\d\) is important and rated below average", section.charts[1].alt)
    assert section.sentences[0].startswith("Over 2023-01 to 2025-12 (all 36 months), the ")
    assert section.charts[0].kwargs["title"] == f"What drives NPS: R² = {section.analysis.shapley.r2:.2f}"
    assert section.tables[0].columns[0] == "Driver" and "driver" not in section.tables[0].columns
    gains = table.set_index("driver")
    assert gains.loc[planted["concentrate_here"], "gap"] > 0 and gains.loc["reliability", "metric_gain"] == 0
    assert section.artifacts["drivers_summary"] == {"method": SHAPLEY, "r2": section.analysis.shapley.r2,
                                                    "n": truth["nps"]["n_responses"], "outcome": "nps"}
    assert section.importance is section.analysis.shapley


def test_drivers_by_segment_on_the_demo(demo_drivers):
    survey, section, truth = demo_drivers
    by = kd.drivers_by_segment_section(survey, section.analysis)
    view = by.tables[0]
    assert view.columns == ["Driver", *sorted(truth["segments"]["shares_design"])]
    assert view.frame["Driver"].iloc[0] == survey.label(truth["drivers"]["importance_rank"][0])
    assert set(by.artifacts["drivers_by_segment"]["segment"]) == set(truth["segments"]["shares_design"])
