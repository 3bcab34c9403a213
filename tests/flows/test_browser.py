"""The demo report in a real browser: no console errors, no requests outside the report folder,
no visible code, no broken links; screenshots saved for review in reports/_screenshots/demo/."""

from __future__ import annotations

import shutil

import pytest

from tests.flows.browser import CHROMIUM_FLAGS, check_page, chromium_path

pytestmark = [pytest.mark.slow, pytest.mark.browser]


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


def test_the_check_fails_on_a_cdn_script(browser, tampered):
    page = tampered / "pages" / "07_executive_summary.html"
    page.write_text(page.read_text().replace("</head>", '<script src="https://cdn.jsdelivr.net/npm/x@1/x.js"></script></head>', 1))
    problems = check_page(browser, page, tampered)
    assert any("outside the report" in p for p in problems), problems


def test_the_check_fails_on_a_visible_code_cell(browser, tampered):
    page = tampered / "pages" / "02_objectives.html"
    cell = '<div class="jp-Cell jp-CodeCell"><div class="jp-InputArea"><pre>run = open_run(params_path)</pre></div></div>'
    page.write_text(page.read_text().replace("<main>", "<main>" + cell, 1))
    problems = check_page(browser, page, tampered)
    assert any("visible code cell" in p for p in problems), problems


def test_the_check_fails_on_a_broken_link_and_a_request_outside_the_folder(browser, tampered, tmp_path):
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(b"")
    page = tampered / "index.html"
    page.write_text(page.read_text().replace("<main>", f'<main><a href="pages/missing.html">x</a><img src="{outside.as_uri()}">', 1))
    problems = check_page(browser, page, tampered)
    assert any("broken link" in p for p in problems), problems
    assert any("request outside the report folder" in p for p in problems), problems
