"""Tests of cxtemplate.analysis.experience: the headline, trend, step and segment sections of notebook 04.

Hand-built responses with intervals worked by hand (Rocks 2016 adjusted Wald: ¾ added to promoters and
to detractors, 3 to n), and the demo's planted truth (``data/demo/truth.json``): the lasting step planted
in Birmingham in 2025-03, and every location's observed NPS.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import norm

from cxtemplate.analysis import experience as ex
from cxtemplate.analysis.page import Survey
from cxtemplate.measure.spec import csat_spec, nps_spec
from cxtemplate.measure.trends import plot_trend
from tests.analysis.demo import demo

NPS = nps_spec()
AS_OF = pd.Timestamp("2025-02-28").date()


def _month(day: str, tens: int, zeros: int) -> pd.DataFrame:
    return pd.DataFrame({"nps": [10] * tens + [0] * zeros, "responded_at": pd.Timestamp(day)})


def _aw(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """Adjusted-Wald NPS (0–1 scale) and its variance, by hand."""
    p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    return p - d, (p + d - (p - d) ** 2) / (n + 3)


# ─── headline and trends ─────────────────────────────────────────────────────────────────────


def test_headline_sentence_for_a_significant_change():
    """January NPS 0 (25 promoters, 25 detractors), February NPS 60 (40 and 10): by hand the adjusted-Wald
    interval of February is 56.6 ± 1.96 × 11.09 = 34.9 to 78.3, and the z-test of the adjusted difference
    gives p = 0.0012, which the sentence calls significant ('0.001')."""
    r = pd.concat([_month("2025-01-15", 25, 25), _month("2025-02-15", 40, 10)], ignore_index=True)
    section = ex.headline_section(Survey(r, {"nps": NPS}, as_of=AS_OF))
    est, var = _aw(40, 10, 50)
    lo, hi = 100 * (est - 1.959964 * math.sqrt(var)), 100 * (est + 1.959964 * math.sqrt(var))
    jan, var_jan = _aw(25, 25, 50)
    p = 2 * norm.sf((est - jan) / math.sqrt(var + var_jan))
    assert (round(lo, 1), round(hi, 1), round(p, 4)) == (34.9, 78.3, 0.0012)
    assert section.sentences[0] == (
        f"**NPS was 60.0** in 2025-02, the latest month (95% CI {lo:.1f} to {hi:.1f}, n = 50): +60.0 vs the previous "
        "month (significant, adjusted p 0.001); +60.0 vs the baseline 2025-01 (significant, adjusted p 0.001).")
    assert len(section.sentences) == 1  # the definitions go to the method note
    assert section.methods == [ex.HEADLINE_METHOD, NPS.definition + "."]
    head = section.artifacts["headline"]
    assert head.loc[0, ["value", "n", "change_prev"]].tolist() == pytest.approx([60.0, 50, 60.0])
    assert head.loc[0, "p_adj_prev"] == pytest.approx(p, rel=1e-6)
    assert list(section.period_tables) == ["nps"]


def test_headline_sentence_for_no_change():
    r = pd.concat([_month("2025-01-15", 25, 25), _month("2025-02-15", 25, 25)], ignore_index=True)
    section = ex.headline_section(Survey(r, {"nps": NPS}, as_of=AS_OF))
    # a change that rounds to zero carries no sign
    assert section.sentences[0] == ("**NPS was 0.0** in 2025-02, the latest month (95% CI -26.5 to 26.5, n = 50): 0.0 "
                                    "vs the previous month (not significant, adjusted p 1.00); 0.0 vs the baseline "
                                    "2025-01 (not significant, adjusted p 1.00).")


def test_headline_and_trends_without_dates_or_survey():
    undated = Survey(pd.DataFrame({"nps": [9, 10]}), {"nps": NPS})
    # one sentence for every section that needs dates (trends, steps and the latest change then say nothing)
    assert ex.headline_section(undated).sentences == ["*The responses carry no dates — trends, period comparisons, "
                                                      "lasting steps and the latest change are not analysed*"]
    assert ex.headline_section(undated).methods == [] and ex.steps_section(undated).items == []
    assert ex.trends_section(undated, {}).items == []
    nothing = Survey(None, {"nps": NPS})
    assert ex.headline_section(nothing).items == [] and ex.steps_section(nothing).items == []
    assert ex.segments_section(nothing).items == []


def test_trends_chart_each_metric_with_a_period_table():
    r = pd.concat([_month("2025-01-15", 25, 25), _month("2025-02-15", 40, 10)], ignore_index=True)
    survey = Survey(r, {"nps": NPS}, as_of=AS_OF, min_n=5)
    head = ex.headline_section(survey)
    section = ex.trends_section(survey, head.period_tables)
    [chart] = section.charts
    assert chart.plot is plot_trend and chart.kwargs == {"title": f"{NPS.display} per month", "source": "survey responses",
                                                         "min_n": 5}
    assert section.artifacts["trend_nps"]["period"].tolist() == ["2025-01", "2025-02"]
    assert ex.trends_section(survey, {}).items == []  # a metric without periods is left out, not an error


# ─── steps ───────────────────────────────────────────────────────────────────────────────────


def test_steps_view_labels_formats_and_order():
    steps = pd.DataFrame({"journey_stage": ["Billing", "Support"], "step_period": ["2025-03", "2024-01"],
                          "value_before": [8.1, 19.6], "n_before": [1152, 1304], "value_after": [-15.6, 11.7],
                          "n_after": [900, 1019], "change": [-23.64, -0.04], "p_adj": [0.4, 0.0004],
                          "significant": [False, True], "z": [1.0, 2.0]})
    view = ex.steps_view(steps, "journey_stage", NPS)
    assert view.columns == ["Journey stage", "Most likely step", "Before", "n before", "After", "n after", "Change",
                            "Adjusted p", "Significant"]
    assert view.frame["Journey stage"].tolist() == ["Support", "Billing"]
    assert view.title == "Most likely step per journey stage (NPS)"
    f = view.formats
    assert [f["Change"](v) for v in (-23.64, -0.04)] == ["-23.6", "0.0"]
    assert [f["Adjusted p"](v) for v in (0.0004, 0.4)] == ["< 0.001", "0.400"]


def test_step_sentence_with_and_without_a_step():
    none = pd.DataFrame({"location": ["A", "B"], "significant": [False, False]})
    assert ex.step_sentence(none, "location", NPS) == (
        "No location shows a lasting step change in NPS beyond what chance produces (2 series looked at).")
    one = pd.DataFrame({"location": ["A", "B"], "step_period": ["2025-03", "2024-01"], "change": [-23.6, 4.0],
                        "p_adj": [0.004, 0.5], "significant": [True, False]})
    assert ex.step_sentence(one, "location", NPS) == \
        "NPS stepped down and stayed there in **A** from 2025-03 (−23.6, adjusted p 0.004)."
    both = one.assign(change=[-23.6, 9.0], significant=[True, True])
    assert ex.step_direction(both[both["significant"]]) == "up or down"
    assert ex.step_sentence(both, "location", NPS).startswith("NPS stepped up or down and stayed there in **A**")


def test_steps_section_finds_the_step_planted_in_the_demo():
    survey, _, truth = demo()
    planted = truth["location_step"]
    section = ex.steps_section(survey)
    steps = section.artifacts["steps"]
    found = steps[steps["significant"]]
    assert found["location"].tolist() == [planted["location"]]
    row = found.iloc[0]
    assert row["step_period"] == planted["month"]
    assert (row["n_before"], row["n_after"]) == (planted["n_before"], planted["n_after"])
    assert row["value_before"] == pytest.approx(planted["observed_nps_before"])
    assert row["value_after"] == pytest.approx(planted["observed_nps_after"])
    assert section.sentences[0].startswith(f"NPS stepped down and stayed there in **{planted['location']}** from "
                                           f"{planted['month']}")
    assert len(section.charts) == 1 and section.tables[0].frame.iloc[0]["Location"] == planted["location"]
    assert section.methods == [ex.STEPS_METHOD]


def test_steps_need_a_location_or_segment():
    r = _month("2025-01-15", 25, 25)
    assert ex.steps_section(Survey(r, {"nps": NPS})).sentences == [
        "*The responses carry no location or segment — lasting steps are not looked for*"]
    assert ex.steps_section(Survey(r, {"nps": NPS})).methods == []
    csat_only = Survey(r.drop(columns="nps").assign(csat=4.0, location="A"), {"csat": csat_spec()})
    assert csat_only.present and ex.steps_section(csat_only).sentences == [
        "*There are no NPS scores — lasting steps are not looked for*"]
    assert ex.step_column(Survey(r.assign(plan="x"), {"nps": NPS}, segments=("segment", "plan"))) == "plan"


# ─── segments ────────────────────────────────────────────────────────────────────────────────


def _segments() -> pd.DataFrame:
    """A: 30 promoters and 10 detractors (NPS 50); B: 10 and 30 (NPS −50)."""
    return pd.DataFrame({"nps": [10] * 30 + [0] * 10 + [10] * 10 + [0] * 30, "journey_stage": ["A"] * 40 + ["B"] * 40})


def test_segments_section_by_hand():
    """A against the rest (B) is 50 − (−50) = +100; A's interval by hand: 46.5 ± 1.96 × 13.2 = 20.6 to 72.4."""
    section = ex.segments_section(Survey(_segments(), {"nps": NPS}, segments=("journey_stage", "absent")))
    assert section.sentences == ["Compared with everyone else, 1 segment level scores significantly lower on NPS — most "
                                 "of all B (journey stage, −100.0); 1 scores higher, led by A (journey stage, +100.0)."]
    est, var = _aw(30, 10, 40)
    view = section.tables[0]
    assert view.columns == ["Segment", "Level", "NPS", "95% CI", "n", "vs rest", "Adjusted p", "Note"]
    assert view.frame["Segment"].tolist() == ["Journey stage", "Journey stage"]
    assert view.frame["95% CI"].iloc[0] == f"{100 * (est - 1.959964 * math.sqrt(var)):.1f} to " \
                                           f"{100 * (est + 1.959964 * math.sqrt(var)):.1f}" == "20.6 to 72.4"
    assert view.frame[["NPS", "n", "vs rest"]].to_numpy().ravel().tolist() == pytest.approx([50, 40, 100, -50, 40, -100])
    assert view.max_rows == 80 and view.title == "NPS by segment, against the rest of the population"
    assert section.charts == []  # no location: no funnel
    assert section.artifacts["segments"]["segment"].tolist() == ["journey_stage", "journey_stage"]


def test_segments_view_shows_a_suppressed_interval_as_a_dash():
    table = pd.DataFrame({"segment": ["plan"], "level": ["Basic"], "value": [float("nan")], "ci_low": [float("nan")],
                          "ci_high": [float("nan")], "n": [3], "diff": [float("nan")], "p_adj": [float("nan")],
                          "note": ["suppressed (n < 30)"]})
    assert ex.segments_view(table, NPS).frame["95% CI"].tolist() == ["–"]


def test_segments_absent_and_the_demo_locations():
    assert ex.segments_section(Survey(_segments(), {"nps": NPS})).sentences == [
        "*No segment columns are configured or present — segment comparisons are skipped*"]
    survey, _, truth = demo()
    section = ex.segments_section(survey)
    seg = section.artifacts["segments"]
    loc = seg[seg["segment"] == "location"].set_index("level")
    for name, planted in truth["locations"].items():
        assert loc.loc[name, "value"] == pytest.approx(planted["observed_nps"])
        assert loc.loc[name, "n"] == planted["n_responses"]
    assert len(section.charts) == 1 and section.sentences[-1] == ex.FUNNEL_READING
    # the funnel's alt text names the planted weakest location below the limits
    assert section.charts[0].alt.startswith("NPS by location against its number of responses: Birmingham")
    assert section.sentences[0].startswith("Over 2023-01 to 2025-12 (all 36 months), compared with everyone else")


def test_headline_sentence_of_a_single_response_has_no_interval():
    from cxtemplate.measure.spec import ces_spec

    r = pd.DataFrame({"ces": [6.0], "responded_at": pd.to_datetime(["2025-02-15"])})
    section = ex.headline_section(Survey(r, {"ces": ces_spec()}, as_of=AS_OF))
    assert section.sentences[0].startswith("**CES was 6.00** in 2025-02, the latest month (too few responses for an "
                                           "interval, n = 1)")
