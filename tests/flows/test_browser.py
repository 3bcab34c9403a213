"""The demo report in a real browser: no console errors, no requests outside the report folder,
no visible code, no broken links, the shared stylesheet applied, and page text a reader can trust (no
``0.000``, no "-0", no column name as a table header, a real alt text on every image, no sentence starting in
lower case); screenshots saved for review in reports/_screenshots/demo/.

The text check (:func:`tests.flows.browser.page_text_problems`) is tested first on its own, fast, on examples
that must fail and pass; the browser tests are slow.
"""

from __future__ import annotations

import shutil

import pytest

from tests.flows.browser import CHROMIUM_FLAGS, check_page, chromium_path, page_text_problems, sentences

# --------------------------------------------------------------------------- the page text check (fast)


@pytest.mark.parametrize("text", ["Adjusted p 0.000", "p = 0.0000 for billing", "Change −0.000 points",
                                  "<td>0.000</td>"])
def test_a_zero_with_three_decimals_fails(text):
    assert any("zero written as" in p for p in page_text_problems(text)), text


@pytest.mark.parametrize("text", ["Adjusted p < 0.001", "p 0.0004", "£10.000 million", "10.0001", "rate 0.0005%",
                                  "A.000 id"])
def test_small_numbers_and_non_zeros_pass_the_zero_check(text):
    assert not any("zero written as" in p for p in page_text_problems(text)), text


@pytest.mark.parametrize("text", ["Gap -0.0 points", "Change −0 NPS", "<td>-0</td>", "fell by −0.00", "(-0%)",
                                  "CES 4.3 -0.0 0.705"])
def test_a_negative_zero_fails(text):
    assert any("negative zero" in p for p in page_text_problems(text)), text


@pytest.mark.parametrize("text", ["Gap -0.4 points", "−0.05", "responded 2025-01-05", "agent AG-01", "+0 points",
                                  "0 points", "R-0042", "10-0.5", "score -10", "x−0.5y"])
def test_negative_numbers_dates_and_ids_pass_the_negative_zero_check(text):
    assert not any("negative zero" in p for p in page_text_problems(text)), text


def table(*headers: str, row_heading: str = "Leeds") -> str:
    head = "".join(f'<th class="col_heading level0 col{i}">{h}</th>' for i, h in enumerate(headers))
    return (f'<table><thead><tr><th class="blank level0">&nbsp;</th>{head}</tr></thead>'
            f'<tbody><tr><th class="row_heading level0 row0">{row_heading}</th><td>1</td></tr></tbody></table>')


def test_a_canonical_column_name_as_a_table_header_fails_and_a_label_passes():
    bad = page_text_problems(table("Customer", "response_id", "responded_at", "agent_id", "nps"))
    assert [p for p in bad if "column name" in p] == [
        f"table header is a column name: {c!r}" for c in ("response_id", "responded_at", "agent_id", "nps")]
    assert page_text_problems(table("Customer", "Response", "Response date", "Agent", "NPS")) == []
    # a body row's heading is a value (a location called "location" would be the data's own word)
    assert page_text_problems(table("Location", row_heading="location")) == []
    markdown_table = "<table><thead><tr><th>touchpoint</th><th>NPS</th></tr></thead><tbody></tbody></table>"
    assert page_text_problems(markdown_table) == ["table header is a column name: 'touchpoint'"]


def test_an_image_without_a_real_alt_text_fails():
    png = 'src="data:image/png;base64,AA"'
    assert page_text_problems(f'<img {png} alt="No description has been provided for this image">') == [
        "1 image(s) with the default alt text"]
    assert page_text_problems(f"<img {png}>") == ["1 image(s) without alt text"]
    assert page_text_problems(f'<img {png} alt=" ">') == ["1 image(s) without alt text"]
    assert page_text_problems(f'<img {png} alt="NPS by month: NPS rose from 9 to 12 over the year.">') == []
    assert page_text_problems(f'<img {png} alt="nps_category: none_yet vs promoter">') == [
        "sentence starts in lower case: 'nps_category: none_yet vs promoter'"]


@pytest.mark.parametrize("prose", [
    "<p>The first action is to call them. the second is to write.</p>",
    "<p>is to proactive retention calls.</p>",
    "<li>billing / charges / bill is the most harmful topic.</li>",
    "<h2>where the scores changed</h2>",
    "<p class='cx-note'>time-varying Cox model (Efron partial likelihood).</p>",
    "<p>NPS rose! then it fell.</p>",
    "<details class='cx-method'><summary>how this was measured</summary></details>",
    "<p>See the table. <span class='cx-note'>unresolved_contacts (per SD) is the strongest.</span></p>",
])
def test_a_sentence_starting_in_lower_case_fails(prose):
    assert any("lower case" in p for p in page_text_problems(prose)), prose


@pytest.mark.parametrize("prose", [
    "<p>NPS is 12 (6–18, n 773) in the latest month.</p>",
    "<p>Most comments are short, e.g. a few words. Billing leads.</p>",
    "<p>The gap is 0.7 levels. n = 13 respondents answered.</p>",
    "<p>The test is significant. p &lt; 0.001 after adjustment.</p>",
    "<p>London vs. the rest: 35 points. St. Albans trails.</p>",
    "<p>£398,160 a year is at risk (£342,117 to £479,722). 468 customers may leave.</p>",
    "<p><code>action_plan.xlsx</code> holds the register. run.json records the inputs.</p>",
    "<p>iOS users rate it 4.1 out of 5. eBay sellers too.</p>",
    "<p>“Quick and friendly” is the most common praise. (See below.)</p>",
    "<td>n &lt; 30</td><td>yes</td>",
    "<pre>x = 1. y = 2.</pre>",
    "<p>Scores: 1. Onboarding 2. Billing</p>",
])
def test_prose_a_reader_should_meet_passes(prose):
    assert page_text_problems(prose) == [], prose


def test_sentences_split_at_full_stops_but_not_after_abbreviations():
    assert sentences("NPS is 12. It rose, e.g. in Leeds. vs. last year! Why? Yes.") == [
        "NPS is 12.", "It rose, e.g. in Leeds.", "vs. last year!", "Why?", "Yes."]


# --------------------------------------------------------------------------- in a browser (slow)


@pytest.fixture(scope="module")
def browser():
    exe = chromium_path()
    if exe is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium when it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_of_the_demo_report_passes(browser, demo_report, root):
    latest, _ = demo_report
    shots = root / "reports" / "_screenshots" / "demo"
    shutil.rmtree(shots, ignore_errors=True)
    pages = [latest / "index.html", *sorted((latest / "pages").rglob("*.html"))]
    assert len(pages) == 17
    failures = {}
    for page in pages:
        name = page.relative_to(latest).as_posix().replace("/", "_").replace(".html", ".png")
        problems = check_page(browser, page, latest, screenshot=shots / name)
        if problems:
            failures[page.name] = problems
    assert not failures, failures
    assert len(list(shots.glob("*.png"))) == 17


@pytest.fixture()
def tampered(demo_report, tmp_path):
    latest, _ = demo_report
    copy = tmp_path / "report"
    shutil.copytree(latest, copy, symlinks=True)
    return copy


@pytest.mark.slow
@pytest.mark.browser
def test_the_check_fails_on_a_cdn_script(browser, tampered):
    page = tampered / "pages" / "07_executive_summary.html"
    page.write_text(page.read_text().replace("</head>", '<script src="https://cdn.jsdelivr.net/npm/x@1/x.js"></script></head>', 1))
    problems = check_page(browser, page, tampered)
    assert any("outside the report" in p for p in problems), problems


@pytest.mark.slow
@pytest.mark.browser
def test_the_check_fails_on_a_visible_code_cell(browser, tampered):
    page = tampered / "pages" / "02_objectives.html"
    cell = '<div class="jp-Cell jp-CodeCell"><div class="jp-InputArea"><pre>run = open_run(params_path)</pre></div></div>'
    page.write_text(page.read_text().replace("<main>", "<main>" + cell, 1))
    problems = check_page(browser, page, tampered)
    assert any("visible code cell" in p for p in problems), problems


@pytest.mark.slow
@pytest.mark.browser
def test_the_check_fails_on_a_broken_link_and_a_request_outside_the_folder(browser, tampered, tmp_path):
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(b"")
    page = tampered / "index.html"
    page.write_text(page.read_text().replace("<main>", f'<main><a href="pages/missing.html">x</a><img src="{outside.as_uri()}">', 1))
    problems = check_page(browser, page, tampered)
    assert any("broken link" in p for p in problems), problems
    assert any("request outside the report folder" in p for p in problems), problems
