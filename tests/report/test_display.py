"""How pages show numbers and tables (``cxtemplate.report.display``): every formatter against strings
written out by hand, the house rules of docs/DESIGN.md ("what a reader is told": thousands separators,
a true minus sign, '< 0.001' never 0.000, money with its currency, no "-0"), and tables as the page
receives them through IPython's display hook."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import pytest

from cxtemplate.report.display import (
    TableView,
    absent,
    absent_text,
    fixed,
    fmt_ci,
    fmt_money,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_signed,
    labelled,
    p_value_cell,
    say,
    show_figure,
    show_table,
    signed,
)

MINUS = "\u2212"
MISSING = [None, float("nan"), pd.NaT, np.float64("nan"), np.float32("nan")]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("x, decimals, expected", [
    (0, 0, "0"), (7, 0, "7"), (1234, 0, "1,234"), (1234567.891, 2, "1,234,567.89"), (12.345, 1, "12.3"),
    (0.96, 1, "1.0"), (-1234.5, 1, "-1,234.5"), (np.int64(5000), 0, "5,000"), (np.float32(2.5), 2, "2.50"),
    ("42", 1, "42.0"),
])
def test_fmt_num(x, decimals, expected):
    assert fmt_num(x, decimals) == expected


@pytest.mark.parametrize("missing", MISSING)
def test_every_formatter_shows_a_dash_for_a_missing_value(missing):
    assert fmt_num(missing) == fmt_signed(missing) == fmt_pct(missing) == fmt_money(missing) == fmt_p(missing) == "–"
    assert fmt_ci(missing, 1.0) == fmt_ci(1.0, missing) == "–"


@pytest.mark.parametrize("x, decimals, expected", [
    (2.4, 1, "+2.4"), (-3.0, 1, f"{MINUS}3.0"), (0, 1, "0.0"), (-0.04, 1, "0.0"), (0.04, 1, "0.0"), (1500, 0, "+1,500"), (-1500.25, 2, f"{MINUS}1,500.25"),
])
def test_fmt_signed_uses_a_true_minus_sign(x, decimals, expected):
    out = fmt_signed(x, decimals)
    assert out == expected
    assert "-" not in out  # U+002D HYPHEN-MINUS never appears


@pytest.mark.parametrize("x, decimals, share, expected", [
    (45, 0, False, "45%"), (45.678, 1, False, "45.7%"), (0.4567, 1, True, "45.7%"), (1, 0, True, "100%"),
    (0.005, 2, True, "0.50%"), (1234, 0, False, "1,234%"),
])
def test_fmt_pct(x, decimals, share, expected):
    assert fmt_pct(x, decimals, share=share) == expected


def test_fmt_ci_joins_low_and_high_with_to():
    assert fmt_ci(28.04, 34.56) == "28.0 to 34.6"
    assert fmt_ci(1000, 2500, 0) == "1,000 to 2,500"
    assert fmt_ci(-12.34, 3.21, 2) == "-12.34 to 3.21"


@pytest.mark.parametrize("x, currency, decimals, expected", [
    (1234.4, "GBP", 0, "£1,234"), (-1500, "EUR", 0, f"{MINUS}€1,500"), (99.5, "USD", 2, "$99.50"),
    (2_000_000, "JPY", 0, "¥2,000,000"), (10, "AUD", 0, "A$10"),
    (10, "CHF", 0, "10 CHF"), (-10.5, "NOK", 1, f"{MINUS}10.5 NOK"),  # no symbol known: the ISO code after
])
def test_fmt_money_puts_the_sign_before_the_symbol(x, currency, decimals, expected):
    assert fmt_money(x, currency, decimals) == expected


def test_fmt_money_without_a_currency_shows_a_plain_amount():
    # the currency unknown (organisation.currency left out): no symbol, no code, never an assumed £
    assert fmt_money(12.3) == fmt_money(12.3, None) == fmt_money(12.3, "") == "12"
    assert fmt_money(-1234.5, None, 1) == f"{MINUS}1,234.5"
    assert fmt_money(None, None) == "–"


@pytest.mark.parametrize("p, expected", [
    (0.0, "< 0.001"), (0.00049, "< 0.001"), (0.000999, "< 0.001"), (0.001, "0.001"), (0.0049, "0.005"),
    (0.0099, "0.010"), (0.01, "0.01"), (0.034, "0.03"), (0.05, "0.05"), (0.5, "0.50"), (1.0, "1.00"),
])
def test_fmt_p_never_shows_zero(p, expected):
    assert fmt_p(p) == expected
    assert fmt_p(p) not in ("0.000", "0.00", "0")


@pytest.mark.parametrize("fmt", [fmt_num, fmt_signed, fmt_pct, fmt_money, fmt_p])
def test_pandas_na_shows_a_dash(fmt):
    assert fmt(pd.NA) == "–"


NEGATIVE_ZERO = re.compile(f"[-{MINUS}]\\D?0(?:\\.0+)?(?![\\d.])")


def test_the_negative_zero_pattern_tells_zero_from_small_numbers():
    assert [bool(NEGATIVE_ZERO.search(s)) for s in ("-0.0", f"{MINUS}£0", "-0%", "-0.0 to 2.0", f"{MINUS}0.5",
                                                    "-10", "0.0", "+0.0", "-0.05")] == \
        [True, True, True, True, False, False, False, False, False]


@pytest.mark.parametrize("call", [lambda: fmt_num(-0.04, 1), lambda: fmt_signed(-0.04, 1), lambda: fmt_pct(-0.2),
                                  lambda: fmt_money(-0.4), lambda: fmt_ci(-0.01, 2.0)],
                         ids=["num", "signed", "pct", "money", "ci"])
def test_a_value_that_rounds_to_zero_is_not_negative_zero(call):
    out = call()
    assert not NEGATIVE_ZERO.search(out), out


# --------------------------------------------------------------------------- tables


def test_labelled_selects_orders_and_renames_and_skips_absent_columns():
    df = pd.DataFrame({"n": [3, 4], "p_adj": [0.2, 0.01], "x": [1, 2]})
    out = labelled(df, {"p_adj": "Adjusted p", "missing": "Never shown", "n": "Responses"})
    assert out.columns.tolist() == ["Adjusted p", "Responses"]
    assert out["Adjusted p"].tolist() == [0.2, 0.01] and out["Responses"].tolist() == [3, 4]
    assert df.columns.tolist() == ["n", "p_adj", "x"]  # unchanged


def test_a_table_view_lists_its_reader_facing_columns():
    view = TableView(pd.DataFrame({"Location": ["Leeds"], "NPS": [12.0]}), "NPS by location")
    assert view.columns == ["Location", "NPS"]
    assert (view.formats, view.note, view.max_rows) == ({}, None, 60)


@pytest.fixture()
def shown(monkeypatch):
    """What show_table / say hand to IPython's display, in order."""
    import IPython.display

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: out.extend(objs))
    return out


def body_rows(page: str) -> list[list[str]]:
    """The text a reader sees in each body cell."""
    tbody = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.DOTALL)]


def headers(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<th[^>]*class="col_heading[^"]*"[^>]*>(.*?)</th>', page)]


LOCATIONS = pd.DataFrame({
    "Location": ["Leeds", "Bristol", "Milton Keynes Central"],
    "Responses": [1234, 56, 7],
    "NPS": [31.26, -4.0, float("nan")],
    "Suppressed": [False, False, True],
    "p": [0.0004, 0.2, 0.03],
})


def test_show_table_formats_numbers_the_house_way(shown):
    show_table(LOCATIONS, "NPS by location")
    (table,) = shown
    html = table.data
    assert '<caption>NPS by location</caption>' in html and 'class="cx-table"' in html
    assert html.startswith('<div class="cx-table-wrap">')
    assert headers(html) == ["Location", "Responses", "NPS", "Suppressed", "p"]
    assert body_rows(html) == [["Leeds", "1,234", "31.3", "no", "< 0.001"],  # a p column: never "0.000"
                               ["Bristol", "56", "-4.0", "no", "0.200"],
                               ["Milton Keynes Central", "7", "–", "yes", "0.030"]]
    assert "row0_col0" in html and "level0_row0" not in html  # the index is hidden
    # numbers right-aligned, heading included; text is not
    assert re.search(r"th\.col1 \{\s*text-align: right;", html) and not re.search(r"th\.col0 \{", html)


def test_a_table_view_brings_title_formats_note_and_row_limit(shown):
    view = TableView(LOCATIONS, "NPS by location", {"p": fmt_p, "NPS": lambda v: fmt_signed(v, 1)},
                     "Cells under 30 responses are hidden.", max_rows=2)
    show_table(view)
    table, notes = shown
    assert "<caption>NPS by location</caption>" in table.data
    assert body_rows(table.data) == [["Leeds", "1,234", "+31.3", "no", "< 0.001"],
                                     ["Bristol", "56", f"{MINUS}4.0", "no", "0.20"]]
    assert notes.data == ('<p class="cx-note">Cells under 30 responses are hidden.</p>'
                          "<p class=\"cx-note\">1 more row not shown; the full table is in the run's artifacts.</p>")


def test_arguments_override_what_the_view_brings(shown):
    view = TableView(LOCATIONS, "From the view", {"NPS": "{:.2f}"}, "View note", max_rows=1)
    show_table(view, "From the call", formats={"p": "{:.3f}"}, note="Call note", max_rows=3)
    table, notes = shown
    assert "<caption>From the call</caption>" in table.data and "From the view" not in table.data
    assert [r[2] for r in body_rows(table.data)] == ["31.26", "-4.00", "–"]  # the view's format is kept
    assert [r[4] for r in body_rows(table.data)] == ["< 0.001", "0.200", "0.030"]  # p below 0.001 whatever the format
    assert notes.data == '<p class="cx-note">Call note</p>'  # all rows shown: no "more rows" note


def test_no_note_and_no_title_show_nothing_extra(shown):
    show_table(pd.DataFrame({"Channel": ["Phone"], "Contacts": [12]}))
    (table,) = shown
    assert "<caption>" not in table.data
    assert "cx-note" not in table.data


def test_many_rows_are_cut_with_the_count_of_those_left_out(shown):
    show_table(pd.DataFrame({"n": range(1500)}), max_rows=10)
    table, notes = shown
    assert len(body_rows(table.data)) == 10
    assert "1,490 more rows not shown" in notes.data


def test_one_row_left_out_is_said_in_the_singular(shown):
    show_table(pd.DataFrame({"n": range(3)}), max_rows=2)
    assert "1 more row not shown" in shown[1].data


def test_a_highlighted_column_is_bold_in_its_colour(shown):
    show_table(LOCATIONS, highlight={"NPS": "#D55E00", "Not a column": "#000000"})
    css = shown[0].data.split("</style>")[0]
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)
    bold = [(sel, body) for sel, body in rules if "font-weight: 600" in body]
    assert len(bold) == 1
    selectors, body = bold[0]
    assert "color: #D55E00" in body and "#000000" not in css
    cells = re.findall(r"_row(\d+)_col(\d+)", selectors)
    assert sorted(cells) == [("0", "2"), ("1", "2"), ("2", "2")]  # every row of the NPS column, nothing else


def test_say_and_absent_show_their_markdown_as_html(shown):
    say("NPS rose by **4 points**.")
    absent("No conversations were supplied", "this section is skipped")
    assert [m.data for m in shown] == ["<p>NPS rose by <strong>4 points</strong>.</p>\n",
                                       "<p><em>No conversations were supplied — this section is skipped</em></p>\n"]
    assert all(type(m).__name__ == "HTML" for m in shown)


def test_show_figure_displays_once_and_frees_the_figure(shown):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("NPS by month")
    show_figure(fig)
    (image,) = shown
    assert type(image).__name__ == "Image" and image.data.startswith(b"\x89PNG")
    assert image.metadata == {"alt": "Chart: NPS by month"}  # the title, when no alt text is given
    assert fig.number not in plt.get_fignums()
    fig, ax = plt.subplots()
    ax.set_title("CSAT by month", loc="left")  # as the house theme titles a chart
    show_figure(fig)
    assert shown[-1].metadata == {"alt": "Chart: CSAT by month"}
    fig, ax = plt.subplots()
    show_figure(fig, alt="NPS by month:  fell from 18\nto 12.")
    assert shown[-1].metadata == {"alt": "NPS by month: fell from 18 to 12."}


def test_formatters_do_not_depend_on_a_float_being_a_python_float():
    assert fmt_num(np.float64(math.pi), 3) == fmt_num(math.pi, 3) == "3.142"
    assert fmt_pct(np.float32(0.25), share=True) == "25%"


# --------------------------------------------------------------------------- table cell formats


def test_p_values_below_one_in_a_thousand_never_read_zero():
    assert [p_value_cell(p) for p in (0.0, 0.0004, 0.00099, 0.001, 0.0123, 0.5, 1.0)] == \
        ["< 0.001", "< 0.001", "< 0.001", "0.001", "0.012", "0.500", "1.000"]


def test_signed_and_fixed_never_show_minus_zero():
    assert [signed(1)(v) for v in (2.36, -2.36, -0.04, 0.04, 0.0, -1.0)] == ["+2.4", "-2.4", "0.0", "0.0", "0.0", "-1.0"]
    assert [signed(2)(v) for v in (0.004, -0.004, 0.006)] == ["0.00", "0.00", "+0.01"]
    assert [signed(3)(v) for v in (1.3291, -0.0004)] == ["+1.329", "0.000"]
    assert [fixed(1)(v) for v in (2.36, -2.36, -0.04, 12.0)] == ["2.4", "-2.4", "0.0", "12.0"]


def test_the_sentence_of_an_absent_input():
    assert absent_text("There are no conversation records", "contact analytics are skipped") == \
        "*There are no conversation records — contact analytics are skipped*"


# --------------------------------------------------------------------------- values are text, never markup

XSS = "<img src=x onerror=alert(1)>"


def live_tags(page: str) -> list[str]:
    """Tags in ``page`` that are not the ones a table or sentence is built of."""
    allowed = {"div", "style", "table", "caption", "thead", "tbody", "tr", "th", "td", "p", "span", "strong", "em"}
    return [t for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page) if t.lower() not in allowed]


def test_a_payload_in_a_cell_a_header_the_index_a_caption_or_a_note_is_shown_as_text(shown):
    frame = pd.DataFrame({f"Comment {XSS}": [f"Rude! {XSS}", "<script>alert(2)</script>"], "n": [1, 2]},
                         index=pd.Index([f"row {XSS}", "b"], name=f"key {XSS}"))
    show_table(frame, f"Comments {XSS}", note=f"Redacted {XSS}", hide_index=False)
    table, notes = shown
    assert live_tags(table.data) == [] and live_tags(notes.data) == []
    assert headers(table.data) == [f"Comment {XSS}", "n"]
    assert [r[0] for r in body_rows(table.data)] == [f"Rude! {XSS}", "<script>alert(2)</script>"]
    assert f"<caption>Comments {html.escape(XSS, quote=False)}</caption>" in table.data
    assert f"row {html.escape(XSS, quote=False)}" in table.data and f"key {html.escape(XSS, quote=False)}" in table.data
    assert notes.data == f'<p class="cx-note">Redacted {html.escape(XSS, quote=False)}</p>'


def test_what_a_format_returns_is_escaped_too(shown):
    view = TableView(pd.DataFrame({"Owner": ["Ann"], "p": [0.0001], "Title": [["<b>x</b>"]]}), "T",
                     {"Owner": lambda v: f"{v} <script>alert(1)</script>", "p": p_value_cell})
    show_table(view)
    (table,) = shown
    assert live_tags(table.data) == []
    assert body_rows(table.data) == [["Ann <script>alert(1)</script>", "< 0.001", "['<b>x</b>']"]]


def test_an_object_column_is_shown_as_pandas_shows_it_but_escaped(shown):
    show_table(pd.DataFrame({"Mixed": [1.5, "a<b", 3]}))
    assert [r[0] for r in body_rows(shown[0].data)] == ["1.500000", "a<b", "3"]  # pandas' default precision


def test_a_sentence_keeps_its_emphasis_and_notes_and_shows_a_payload_as_text(shown):
    say(f"Agent **AG-01{XSS}** is below the team. <span class='cx-note'>Owner: Ann {XSS}</span>")
    absent(f"No comments from {XSS}", "topics are skipped")
    sentence, missing = (m.data for m in shown)
    assert live_tags(sentence) == [] and live_tags(missing) == []
    assert sentence == (f"<p>Agent <strong>AG-01{html.escape(XSS, quote=False)}</strong> is below the team. "
                        f'<span class="cx-note">Owner: Ann {html.escape(XSS, quote=False)}</span></p>\n')
    assert "<em>No comments from &lt;img" in missing


def test_show_html_cleans_what_it_is_given(shown):
    from cxtemplate.report.display import show_html

    show_html(f'<section class="cx-cards" onclick="alert(1)"><div class="cx-card">{XSS}</div></section>')
    assert shown[0].data == ('<section class="cx-cards"><div class="cx-card">'
                             f"{html.escape(XSS, quote=False)}</div></section>")
