"""Checking report pages in headless Chromium (a test helper, used by test_browser.py).

A page passes when it loads with no console error and opens no dialog (an ``alert`` from a script that
ran), requests nothing outside the report folder, shows no code cell, every link points at a file
(and anchor) that exists, and its text passes :func:`page_text_problems`: no ``0.000``, no negative zero,
no canonical column name as a table header, no image without a real alt text, and no sentence that starts
with a lower-case letter.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_ALT = "No description has been provided for this image"
"""What nbconvert writes as the alt text of an image shown without one."""
# a zero written with three or more decimals (0.000, -0.0000), not a small number such as 0.0004
ZERO_DECIMALS = re.compile(r"(?<![\w.,])[-−+]?0\.000+(?![\d])")
# a negative zero: -0, −0, -0.0, −0.00 (and not -0.5, 2025-01-05, AG-01)
NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-−]0(?:\.0+)?(?![\d]|[.,]\d)")
# where a full stop does not end a sentence
ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "vs.", "approx.", "cf.", "no.", "nos.", "fig.", "incl.", "excl.", "est.",
                 "min.", "max.", "avg.", "resp.", "st.", "dr.", "mr.", "mrs.", "ms.", "ltd.", "inc.", "co.", "a.m.",
                 "p.m.", "n.b.", "approx.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.",
                 "oct.", "nov.", "dec.", "p.", "pp.", "n."}
# words a sentence may start with in lower case: statistical symbols and units ("n = 773", "p < 0.001")
LOWER_CASE_STARTS = {"n", "p", "r", "x", "k", "pp", "e.g.", "i.e.", "vs", "vs.", "km", "kg", "ms"}
FILE_NAME = re.compile(r"[\w-]+\.(json|csv|xlsx|html|parquet|yaml|yml|ipynb|pdf|css)\b")
# the elements whose text is prose; table cells, code, the header's and footer's lists are not sentences
PROSE = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "summary", "figcaption", "blockquote", "dd"}
NOT_PROSE = {"pre", "style", "script", "title", "nav", "svg", "td", "th", "head", "header"}


class _PageText(HTMLParser):
    """A page's prose blocks, its table headers, its images' alt texts and its whole visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.blocks: list[str] = []
        self.headers: list[str] = []
        self.images: list[str | None] = []
        self.text: list[str] = []
        self._block: list[str] | None = None
        self._block_depth = 0
        self._header: list[str] | None = None

    VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "source", "col", "area", "base"}

    def _inside(self, names: set[str]) -> bool:
        return any(tag in names for tag, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("alt"))
            return
        if tag in self.VOID:
            return
        self.stack.append((tag, a))
        if tag in PROSE and self._block is None and not self._inside(NOT_PROSE):
            self._block, self._block_depth = [], len(self.stack)
        if tag == "th" and self._header is None:
            classes = set((a.get("class") or "").split())
            in_body = self._inside({"tbody"})
            # column headers: the head rows and the index's name; a body row's own heading is a value, not a column
            if not in_body or classes & {"col_heading", "index_name"}:
                self._header = []

    def handle_endtag(self, tag):
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            name, _ = self.stack.pop()
            if self._block is not None and len(self.stack) < self._block_depth:
                self.blocks.append(" ".join("".join(self._block).split()))
                self._block = None
            if name == "th" and self._header is not None:
                self.headers.append(" ".join("".join(self._header).split()))
                self._header = None
            if name == tag:
                break

    def handle_data(self, data):
        if self._inside({"style", "script", "title", "head"}):
            return
        self.text.append(data)
        if self._block is not None and not self._inside({"pre", "svg", "style"}):
            # inline code is a name as written (`action_plan.xlsx` holds…): kept, quoted, never a lower-case start
            self._block.append(f"`{data}`" if self._inside({"code"}) else data)
        if self._header is not None:
            self._header.append(data)


def sentences(block: str) -> list[str]:
    """The sentences of a block of prose: split after ``.``, ``!`` or ``?`` and a space, not after an abbreviation.

    >>> sentences("NPS is 12 (6–18, n 773). e.g. this is one. See p. 4. It rose!")
    ['NPS is 12 (6–18, n 773).', 'e.g. this is one.', 'See p. 4.', 'It rose!']
    """
    out, start = [], 0
    for m in re.finditer(r"[.!?]+[\"'”’)\]]*\s+", block):
        words = block[start:m.start() + 1].split()
        last = words[-1].lower() if words else ""
        if m.group(0).startswith(".") and (last in ABBREVIATIONS or re.fullmatch(r"\(?[a-z]\.", last)):
            continue
        out.append(block[start:m.end()].strip())
        start = m.end()
    if block[start:].strip():
        out.append(block[start:].strip())
    return out


def lower_case_start(sentence: str) -> bool:
    """Whether a sentence starts with a lower-case word that is not a symbol, a unit or a file name."""
    s = sentence.lstrip(" \"'“‘([*_–—-•·")
    if not s or not s[0].isalpha() or not s[0].islower():
        return False
    word = re.match(r"[^\s,;:]+", s).group(0)
    if word.lower() in LOWER_CASE_STARTS or word.rstrip(".").lower() in LOWER_CASE_STARTS:
        return False
    if FILE_NAME.match(word) or any(c.isupper() for c in word[1:]):  # run.json, iOS, eBay
        return False
    return True


def page_text_problems(page: str) -> list[str]:
    """What a reader should not meet on a report page (empty when the page passes).

    Parameters
    ----------
    page : str
        The page's HTML (or plain text: then only the number checks and the sentence check apply).

    Returns
    -------
    list of str
        One line per problem: ``0.000`` as a number, a negative zero ("-0", "−0.0"), a canonical column name as a
        table header (:data:`cxtemplate.report.labels.CANONICAL_COLUMNS`), the default alt text or an image
        without alt text, and a sentence of prose (paragraphs, list items, headings, captions, summaries, alt
        texts) that starts with a lower-case letter — a symbol ("n = 773", "p < 0.001"), a unit or a file name
        excepted, and abbreviations ("e.g.", "vs.") not taken for the end of a sentence.
    """
    from cxtemplate.report.labels import CANONICAL_COLUMNS

    parser = _PageText()
    is_html = bool(re.search(r"<[a-zA-Z][^>]*>", page))
    if is_html:
        parser.feed(page)
        parser.close()
        text = " ".join(" ".join(parser.text).split())
        blocks = parser.blocks + [a for a in parser.images if a]
    else:
        text = " ".join(page.split())
        blocks = [text]
    problems = []
    for m in ZERO_DECIMALS.finditer(text):
        problems.append(f"zero written as {m.group(0)!r}: …{text[max(0, m.start() - 40):m.end() + 20]}…")
    for m in NEGATIVE_ZERO.finditer(text):
        problems.append(f"negative zero {m.group(0)!r}: …{text[max(0, m.start() - 40):m.end() + 20]}…")
    for header in parser.headers:
        if header in CANONICAL_COLUMNS:
            problems.append(f"table header is a column name: {header!r}")
    if DEFAULT_ALT in page:
        problems.append(f"{page.count(DEFAULT_ALT)} image(s) with the default alt text")
    missing = sum(1 for a in parser.images if a is None or not a.strip())
    if missing:
        problems.append(f"{missing} image(s) without alt text")
    for block in blocks:
        for sentence in sentences(block):
            if lower_case_start(sentence):
                problems.append(f"sentence starts in lower case: {sentence[:80]!r}")
    return problems

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
    problems.extend(page_text_problems(page_path.read_text(encoding="utf-8")))
    if not page.evaluate("() => getComputedStyle(document.body).fontFamily.includes('Segoe UI')"):
        problems.append("the report's stylesheet did not apply")
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
