"""Tests of cxtemplate.plan.sparkline: the inline SVG of a card's last periods and what a screen reader says."""

from __future__ import annotations

import math
import re

from cxtemplate.plan.sparkline import sparkline_label, sparkline_svg
from cxtemplate.report.markup import clean_html


def _points(svg: str) -> list[list[tuple[float, float]]]:
    return [[tuple(map(float, p.split(","))) for p in m.split()] for m in re.findall(r'points="([^"]*)"', svg)]


def test_the_line_spans_the_box_highest_value_at_the_top_lowest_at_the_bottom():
    svg = sparkline_svg([70.0, 74.0, 62.0], "CSAT", width=100, height=20, pad=2)
    (line,) = _points(svg)
    assert [x for x, _ in line] == [2.0, 50.0, 98.0]
    assert [y for _, y in line] == [round(2 + (74 - 70) / 12 * 16, 1), 2.0, 18.0]
    assert re.search(r'<circle class="cx-spark-last" cx="98.0" cy="18.0"', svg)  # a dot on the latest value
    assert svg.startswith('<svg class="cx-spark" role="img" aria-label="CSAT" viewBox="0 0 100 20"')


def test_a_period_without_a_value_breaks_the_line_instead_of_joining_across_it():
    svg = sparkline_svg([1.0, 2.0, None, 3.0, float("nan"), 2.0, 4.0], "x")
    runs = _points(svg)
    assert [len(r) for r in runs] == [2, 2]  # 1–2 and 2–4; the 3 stands alone between two gaps
    assert svg.count('class="cx-spark-point"') == 1


def test_a_flat_series_sits_midway_and_one_value_is_a_dot():
    (line,) = _points(sparkline_svg([5.0, 5.0, 5.0], "x", height=28))
    assert {y for _, y in line} == {14.0}
    one = sparkline_svg([None, 5.0], "x")
    assert "polyline" not in one and one.count("<circle") == 1
    assert sparkline_svg([None, float("nan")], "x") == ""


def test_only_polyline_and_circle_inside_an_escaped_label_and_the_sanitiser_keeps_it_whole():
    svg = sparkline_svg([1, 2, 3], 'NPS "<script>alert(1)</script>" & co')
    assert set(re.findall(r"<(\w+)", svg)) == {"svg", "polyline", "circle"}
    assert "<script" not in svg and 'aria-label="NPS &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; co"' in svg
    assert clean_html(svg) == svg


def test_the_label_reads_first_latest_lowest_and_highest():
    periods = ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert sparkline_label("CSAT, last 4 months", [69.1, 74.2, None, 62.0], periods, fmt=lambda v: f"{v:.0f}%") == (
        "CSAT, last 4 months: from 69% in 2025-01 to 62% in 2025-04, lowest 62%, highest 74%.")
    assert sparkline_label("CES", [None, 4.31], periods[:2]) == "CES: 4.3 in 2025-02, the only period with a value."
    assert sparkline_label("CES", [math.nan], periods[:1]) == "CES: no values to show."
