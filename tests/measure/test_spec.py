"""Tests of :mod:`cxtemplate.measure.spec`: what a metric is — validation, plain-language definitions, the
default top-box thresholds, the normal critical values (standard normal table) and specs from a config."""

from __future__ import annotations

import re
from types import SimpleNamespace as NS

import pytest

from cxtemplate.measure import spec as ms


def test_spec_validation():
    with pytest.raises(ValueError, match="kind"):
        ms.MetricSpec("X", "x", "median", (1, 5))
    with pytest.raises(ValueError, match="success_min"):
        ms.MetricSpec("X", "x", "top_box", (1, 5))
    with pytest.raises(ValueError, match="0–10"):
        ms.MetricSpec("NPS", "nps", "nps", (1, 10))


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "median", "scale": (1, 5)},
     "MetricSpec 'X': kind must be one of 'nps', 'top_box' or 'mean', got 'median'"),
    ({"kind": "mean", "scale": (5, 1)}, "MetricSpec 'X': scale must be (low, high) with low < high"),
    ({"kind": "top_box", "scale": (1, 5), "success_min": 1}, "MetricSpec 'X': top_box needs success_min inside (1, 5]"),
    ({"kind": "top_box", "scale": (1, 5), "success_min": 6}, "MetricSpec 'X': top_box needs success_min inside (1, 5]"),
])
def test_spec_validation_messages(kwargs, message):
    with pytest.raises(ValueError) as err:
        ms.MetricSpec("X", "x", **kwargs)
    assert str(err.value) == message
    assert ms.MetricSpec("X", "x", "top_box", (1, 5), success_min=5).success_min == 5      # the top point is allowed


def test_definitions_are_plain_language():
    assert ms.nps_spec().definition == (
        "NPS = % promoters (9–10) − % detractors (0–6) on the 0–10 likelihood-to-recommend question; "
        "95% interval by the adjusted-Wald method (Rocks 2016)")
    assert ms.csat_spec().definition == (
        "CSAT = share answering 4 or 5 on the 1–5 scale (top-2-box); Wilson 95% interval")
    assert ms.ces_spec().definition == "CES = mean on the 1–7 scale (higher = easier); 95% t interval"
    agree = ms.ces_spec("pct_agree")
    assert agree.success_min == 5 and "5, 6 or 7" in agree.definition and "top-3-box" in agree.definition
    assert ms.csat_spec(scale=(1, 7)).success_min == 5
    assert ms.csat_spec(scale=(1, 10), success_min=9).definition.startswith("CSAT = share answering 9 or 10")
    assert ms.nps_spec().describe(conf=0.9).count("90% interval") == 1


@pytest.mark.parametrize("spec, text", [
    (ms.MetricSpec("S", "s", "top_box", (1, 10), success_min=7),
     "S = share answering 7–10 on the 1–10 scale (top-4-box); Wilson 95% interval"),       # more than 3 points: a range
    (ms.MetricSpec("S", "s", "top_box", (1, 5), success_min=3.5),
     "S = share answering 3.5–5 on the 1–5 scale (top box); Wilson 95% interval"),          # no whole number of boxes
    (ms.MetricSpec("S", "s", "top_box", (0, 1), success_min=1), "S = share answering 1 on the 0–1 scale (top-1-box); "
                                                                 "Wilson 95% interval"),
    (ms.ces_spec("pct_agree", scale=(1, 5)), "CES = share answering 4 or 5 on the 1–5 scale (top-2-box, % agree); "
                                             "Wilson 95% interval"),
    (ms.csat_spec(method="mean"), "CSAT = mean on the 1–5 scale (higher = more satisfied); 95% t interval"),
])
def test_describe_wording(spec, text):
    assert spec.describe() == text == spec.definition


def test_describe_at_other_levels_and_methods():
    assert ms.nps_spec().describe(conf=0.9, method="wald") == (
        "NPS = % promoters (9–10) − % detractors (0–6) on the 0–10 likelihood-to-recommend question; "
        "90% interval by the Wald method")
    assert ms.csat_spec().describe(conf=0.995).endswith("; Wilson 99.5% interval")
    assert ms.ces_spec().describe(conf=0.8).endswith("; 80% t interval")


@pytest.mark.xfail(strict=True, reason="describe() puts METHOD_TEXT['wald'] ('by the Wald method') before the "
                                       "level for top-box metrics: '…; by the Wald method 90% interval' (not "
                                       "reachable from the pipeline today: design.py calls describe(conf) with the "
                                       "default method)")
def test_top_box_wald_wording_reads_as_a_sentence():
    text = ms.csat_spec().describe(conf=0.9, method="wald")
    assert re.search(r"; (Wald 90% interval|90% interval by the Wald method)$", text), text


def test_units_and_display_names():
    assert ms.nps_spec().unit == "NPS, −100…100" and ms.nps_spec().display == "Net Promoter Score"
    assert ms.csat_spec().unit == "CSAT, % answering 4 or 5"
    assert ms.ces_spec().unit == "CES, mean on 1–7"
    assert ms.MetricSpec("X", "x", "mean", (1, 5)).display == "X"


def test_z_values_from_the_standard_normal_table():
    assert ms.z_value(0.95) == 1.959963984540054
    assert ms.z_value(0.90) == 1.6448536269514722
    assert ms.z_value(0.99) == pytest.approx(2.5758293035489004, abs=1e-15)
    assert ms.z_value(0.6826894921370859) == pytest.approx(1.0, abs=1e-12)     # ±1 sd holds 68.27%
    for conf in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match=f"conf must be between 0 and 1, got {conf}"):
            ms.z_value(conf)


@pytest.mark.parametrize("scale, success_min, words", [
    ((1, 5), 4, "4 or 5"),             # top-2 on 5 points
    ((1, 7), 5, "5, 6 or 7"),          # top-3 on 7 points
    ((1, 3), 2, "2 or 3"),             # top-2 up to 5 points
    ((1, 10), 8, "8, 9 or 10"),        # top-3 above 5 points
    ((0, 10), 8, "8, 9 or 10"),
])
def test_default_top_box_thresholds(scale, success_min, words):
    s = ms.csat_spec(scale=scale)
    assert (s.kind, s.success_min, s.scale) == ("top_box", success_min, scale)
    assert f"share answering {words} on the" in s.definition
    assert ms.csat_spec(scale=scale, success_min=scale[1]).success_min == scale[1]      # an explicit threshold wins
    assert ms.ces_spec("pct_agree", scale=scale).success_min == success_min


def test_unknown_methods_name_the_choices():
    with pytest.raises(ValueError, match=r"csat_spec: method must be one of 'top2box', 'top_box' or 'mean', got"):
        ms.csat_spec(method="median")
    with pytest.raises(ValueError, match=r"ces_spec: method must be one of 'mean', 'pct_agree' or 'top_box'"):
        ms.ces_spec(method="median")


def test_specs_from_config_section():
    from types import SimpleNamespace as NS

    section = NS(nps=NS(enabled=True),
                 csat=NS(enabled=True, method="top2box", scale=(1, 7), success_min=6),
                 ces=NS(enabled=False, method="mean", scale=(1, 7), success_min=None))
    specs = ms.specs_from_config(section)
    assert list(specs) == ["nps", "csat"]
    assert specs["csat"].kind == "top_box" and specs["csat"].success_min == 6
    assert specs["csat"].definition.startswith("CSAT = share answering 6 or 7 on the 1–7 scale (top-2-box)")


def test_specs_from_duck_typed_objects():
    """Any object with the attributes works; a missing ``enabled`` means enabled."""
    class Metric:
        def __init__(self, method, scale, success_min=None):
            self.method, self.scale, self.success_min = method, scale, success_min

    section = NS(nps=object(), csat=Metric("mean", [1, 10]), ces=Metric("pct_agree", (1, 5)))
    specs = ms.specs_from_config(section)
    assert list(specs) == ["nps", "csat", "ces"]
    assert specs["nps"] == ms.nps_spec()
    assert (specs["csat"].kind, specs["csat"].scale, specs["csat"].column) == ("mean", (1, 10), "csat")
    assert (specs["ces"].kind, specs["ces"].success_min) == ("top_box", 4)
    assert ms.specs_from_config(NS(nps=NS(enabled=False), csat=NS(enabled=False), ces=NS(enabled=False))) == {}


def test_numbers_in_definitions_and_the_adjusted_wald_constants():
    assert [ms.fmt_number(x) for x in (5.0, 0.5, 1e6, 10)] == ["5", "0.5", "1e+06", "10"]
    # Rocks (2016) via Lewis & Sauro (MeasuringU 2020): add 3/4 to promoters and to detractors, 3 to n
    assert (ms.AW_ADD_CATEGORY, ms.AW_ADD_N) == (0.75, 3.0)
    assert set(ms.INTERVAL_METHODS) == set(ms.DEFAULT_METHOD) == set(ms.METRIC_KINDS)
    assert all(ms.DEFAULT_METHOD[k] == ms.INTERVAL_METHODS[k][0] for k in ms.METRIC_KINDS)
