"""Checking report pages in headless Chromium (a test helper, used by test_browser.py).

A page passes when it loads with no console error and opens no dialog (an ``alert`` from a script that
ran), requests nothing outside the report folder, shows no code cell, and every link points at a file
(and anchor) that exists.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic", "--disable-default-apps"]


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def check_page(browser, page_path: Path, report_root: Path, screenshot: Path | None = None) -> list[str]:
    """Open one page and return its problems (empty when it passes)."""
    problems: list[str] = []
    root = report_root.resolve()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))

    def on_dialog(dialog) -> None:
        problems.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def on_request(req) -> None:
        url = urlparse(req.url)
        if url.scheme in ("data", "about", "blob"):
            return
        if url.scheme != "file":
            problems.append(f"network request outside the report: {req.url}")
            return
        target = Path(unquote(url.path)).resolve()
        if root not in target.parents and target != root:
            problems.append(f"request outside the report folder: {req.url}")

    page.on("request", on_request)
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    code = page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .jp-CodeMirrorEditor")
    visible = [i for i in range(code.count()) if code.nth(i).is_visible()]
    if visible:
        problems.append(f"{len(visible)} visible code cell(s)")
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href.startswith(("http://", "https://", "//")):
            problems.append(f"link leaves the report: {href}")
            continue
        path, _, anchor = href.partition("#")
        target = (page_path.parent / unquote(path)).resolve() if path else page_path.resolve()
        if not target.is_file():
            problems.append(f"broken link: {href}")
        elif anchor and target == page_path.resolve():
            if not page.evaluate("id => document.getElementById(id) !== null", anchor):  # any id, quotes included
                problems.append(f"broken anchor: #{anchor}")
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return problems
