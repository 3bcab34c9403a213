"""HTML that is safe by construction: every value from data or params reaches a page as text.

A page's HTML comes from three places, and each escapes at its boundary rather than where a value
is put into a sentence (dozens of sentence builders interpolate comments, labels, ids, owner names and
action titles; escaping each of them by hand is a defect waiting to happen):

* sentences: :func:`markdown_html` turns the Markdown a helper returns into HTML itself. Raw HTML in
  the text is shown as text, except the few fragments the package writes on purpose
  (``<span class='cx-note'>`` and its ``</span>``); Markdown's own ``**bold**`` and ``*italics*`` work;
* tables: :func:`cxtemplate.report.display.show_table` escapes every cell, header and caption
  (:func:`text`);
* everything a page shows is passed once more through :func:`clean_html` when the page is rendered:
  an allowlist of the tags and attributes the package uses, everything else shown as text, links only
  to the report's own files (never ``javascript:``), and no event handlers, scripts, frames or objects.
  Two richer pieces the package writes pass too: the collapsible method note
  (``<details class="cx-method"><summary>…</summary>…</details>``) and a headline card's sparkline, an inline
  ``<svg role="img" aria-label=…>`` whose only children are ``polyline``, ``circle``, ``line`` and ``title``
  with geometric and colour attributes (numbers, ``#hex`` or a colour name: never a ``url()``, a link or a style).

The pages also carry a Content-Security-Policy that forbids scripts (see
:data:`cxtemplate.report.render.CONTENT_SECURITY_POLICY`), so even a tag that got through would not run.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

__all__ = ["ALLOWED_TAGS", "SVG_CHILDREN", "clean_html", "is_own_link", "markdown_html", "text", "attribute"]

# Tag → the attributes it may carry besides ``class`` and ``id``. These are the tags the package's
# sentences (Markdown), tables (pandas' Styler) and blocks (summary cards) produce, and nothing that
# can run, load or embed anything.
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    **{t: frozenset() for t in ("p", "span", "div", "strong", "em", "b", "i", "code", "pre", "br", "hr", "del",
                               "sup", "sub", "small", "blockquote", "ul", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                               "table", "caption", "thead", "tbody", "tfoot", "tr")},
    "section": frozenset({"aria-label"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "td": frozenset({"colspan", "rowspan"}),
    "a": frozenset({"href"}),
    "style": frozenset({"type"}),
    "details": frozenset(),
    "summary": frozenset(),
    # an inline SVG sparkline (attribute names as the parser reports them: lower case)
    "svg": frozenset({"viewbox", "width", "height", "role", "aria-label"}),
    "polyline": frozenset({"points", "fill", "stroke", "stroke-width"}),
    "circle": frozenset({"cx", "cy", "r", "fill", "stroke", "stroke-width"}),
    "line": frozenset({"x1", "y1", "x2", "y2", "fill", "stroke", "stroke-width"}),
    "title": frozenset(),
}
SVG_CHILDREN = frozenset({"polyline", "circle", "line", "title"})
"""The elements allowed inside an ``<svg>`` (and only there); inside an ``<svg>`` nothing else is."""
_SVG_NAMES = {"viewbox": "viewBox"}  # SVG's camel-case attribute names, written as SVG spells them
_VOID = frozenset({"br", "hr"})
_CLASSES = re.compile(r"[A-Za-z0-9_-]+")
_NUMBER = re.compile(r"\d{1,4}")
_COORDINATE = re.compile(r"-?\d{1,6}(\.\d{1,6})?")
_LENGTH = re.compile(r"\d{1,5}(\.\d{1,4})?(px|%)?")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]{1,20}")  # "#1f4e79", "none", "currentColor": no url(), no ()
_ATTRIBUTE_VALUES = {"start": _NUMBER, "colspan": _NUMBER, "rowspan": _NUMBER,
                     "scope": re.compile(r"row|col|rowgroup|colgroup"), "type": re.compile(r"text/css"),
                     "viewbox": re.compile(r"-?[\d.]{1,10}([ ,]+-?[\d.]{1,10}){3}"), "width": _LENGTH, "height": _LENGTH,
                     "role": re.compile(r"img"), "points": re.compile(r"[-0-9., ]{1,8000}"),
                     **{k: _COORDINATE for k in ("cx", "cy", "r", "x1", "y1", "x2", "y2", "stroke-width")},
                     "fill": _COLOUR, "stroke": _COLOUR}
# a style element may only hold a table's own rules (pandas' Styler scopes each to its table's id, #T_…),
# and nothing that loads, imports or escapes
_UNSAFE_CSS = re.compile(r"[<\\]|@import|url\s*\(|expression\s*\(|javascript|behavior|binding", re.I)
_CSS_RULE = re.compile(r"([^{}]*)\{[^{}]*\}")


def _table_rules_only(css: str) -> bool:
    """Whether ``css`` is only rules scoped to a table of the package (every selector starts ``#T_``)."""
    if _UNSAFE_CSS.search(css) or _CSS_RULE.sub("", css).strip():
        return False
    return all(sel.strip().startswith("#T_") for selectors in _CSS_RULE.findall(css) for sel in selectors.split(","))
# the raw HTML a sentence may carry on purpose (everything else in a sentence is shown as text)
_SENTENCE_FRAGMENT = re.compile(r"""<span class=(["'])cx-[a-z0-9-]+\1>|</span>""")


def text(value: Any) -> str:
    """``value`` as the text of an element: ``&``, ``<`` and ``>`` escaped.

    >>> text("<b>Smith & Sons</b>")
    '&lt;b&gt;Smith &amp; Sons&lt;/b&gt;'
    """
    return html.escape(str(value), quote=False)


def attribute(value: Any) -> str:
    """``value`` as a quoted attribute's value: quotes escaped too.

    >>> attribute('"><svg onload=alert(1)>')
    '&quot;&gt;&lt;svg onload=alert(1)&gt;'
    """
    return html.escape(str(value), quote=True)


def is_own_link(href: str) -> bool:
    """Whether ``href`` points into the report itself: an anchor (``#…``) or a relative path.

    No scheme (``javascript:``, ``data:``, ``https:``), no host (``//…``), no absolute path, and no
    whitespace, control character or backslash (browsers drop or reinterpret those before reading
    the scheme).

    >>> [is_own_link(h) for h in ("#trends", "pages/04.html", "../index.html")]
    [True, True, True]
    >>> [is_own_link(h) for h in ("javascript:alert(1)", " JavaScript:x", "//evil.example", "/etc/passwd",
    ...                          "https://x", "java\\tscript:x", "data:text/html,x")]
    [False, False, False, False, False, False, False]
    """
    if not isinstance(href, str) or not href:
        return False
    if re.search(r"[\x00-\x20\x7f\\]", href):
        return False
    if href.startswith("#"):
        return True
    path = href.split("#", 1)[0].split("?", 1)[0]
    return not (href.startswith("/") or re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", path))


def _allowed_attribute(tag: str, name: str, value: str | None) -> str | None:
    """The attribute's value to keep, or ``None`` to drop the attribute."""
    if value is None:
        return None
    if name == "class":
        kept = [c for c in value.split() if _CLASSES.fullmatch(c)]
        return " ".join(kept) or None
    if name == "id":
        return value if value and not re.search(r"\s", value) else None
    if name not in ALLOWED_TAGS.get(tag, ()):
        return None
    if name == "href":
        return value if is_own_link(value) else None
    pattern = _ATTRIBUTE_VALUES.get(name)
    if pattern is not None and not pattern.fullmatch(value):
        return None
    return value


class _Cleaner(HTMLParser):
    """Re-writes HTML from its parsed pieces: allowed tags with allowed attributes, all text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.style: list[str] | None = None  # the text of an open <style>, checked when it closes

    def _allowed_here(self, tag: str) -> bool:
        """Whether ``tag`` may open where the parser is: an SVG holds its own children only, a title text only."""
        if tag not in ALLOWED_TAGS or (self.open and self.open[-1] == "title"):
            return False
        return (tag in SVG_CHILDREN) == ("svg" in self.open)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        if not self._allowed_here(tag):
            self.out.append(text(self.get_starttag_text() or f"<{tag}>"))
            return
        kept = []
        for name, value in attrs:
            value = _allowed_attribute(tag, name, value)
            if value is not None and name not in (n for n, _ in kept):
                kept.append((name, value))
        self.out.append(f"<{tag}" + "".join(f' {_SVG_NAMES.get(n, n)}="{attribute(v)}"' for n, v in kept) + ">")
        if tag == "style":
            self.style = []
        elif tag in SVG_CHILDREN or tag == "svg":
            # SVG has no void elements: <circle/> is written <circle></circle>, so what follows is not inside it
            if self_closing:
                self.out.append(f"</{tag}>")
            else:
                self.open.append(tag)
        elif tag not in _VOID and not self_closing:
            self.open.append(tag)
        if tag == "style" and self_closing:
            self._close_style()

    def _close_style(self) -> None:
        css = "".join(self.style or [])
        self.out.append((css if _table_rules_only(css) else "") + "</style>")
        self.style = None

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, self_closing=True)

    def handle_endtag(self, tag):
        if tag == "style" and self.style is not None:
            self._close_style()
        elif tag in ALLOWED_TAGS:
            if tag in self.open:  # close what is open up to it; an end tag nothing opened is dropped
                while self.open:
                    last = self.open.pop()
                    self.out.append(f"</{last}>")
                    if last == tag:
                        break
        else:
            self.out.append(text(f"</{tag}>"))

    def handle_data(self, data):
        if self.style is not None:
            self.style.append(data)
        else:
            self.out.append(text(data))

    # comments, declarations and processing instructions are dropped
    def handle_comment(self, data):
        pass

    def handle_decl(self, decl):
        pass

    def handle_pi(self, data):
        pass

    def unknown_decl(self, data):
        pass

    def result(self) -> str:
        self.close()
        if self.style is not None:
            self._close_style()
        self.out.extend(f"</{t}>" for t in reversed(self.open))  # nothing stays open into the page
        self.open = []
        return "".join(self.out)


def clean_html(fragment: str) -> str:
    """``fragment`` rebuilt with only :data:`ALLOWED_TAGS`: anything else is shown as text.

    Every tag is re-written from its parsed name and attributes (quoted and escaped); attributes not
    allowed for the tag (``onerror``, ``style``, ``src``…) are dropped; a link is kept only to the report's
    own files (:func:`is_own_link`); text is escaped; comments go; ``<style>`` keeps a table's own rules only;
    tags left open at the end are closed, so a fragment cannot change the page around it.

    >>> clean_html('<p class="cx-note" onclick="x()">Hi <img src=x onerror=alert(1)></p>')
    '<p class="cx-note">Hi &lt;img src=x onerror=alert(1)&gt;</p>'
    >>> clean_html('<a href="javascript:alert(1)">x</a> <a href="#trends">y</a>')
    '<a>x</a> <a href="#trends">y</a>'
    """
    cleaner = _Cleaner()
    cleaner.feed(str(fragment))
    return cleaner.result()


def _escape_raw_html(source: str) -> str:
    """``source`` with every ``<`` written as ``&lt;`` except in the package's own fragments."""
    out, pos = [], 0
    for m in _SENTENCE_FRAGMENT.finditer(source):
        out.append(source[pos:m.start()].replace("<", "&lt;"))
        out.append(m.group(0))
        pos = m.end()
    out.append(source[pos:].replace("<", "&lt;"))
    return "".join(out)


@lru_cache(maxsize=1)
def _markdown():
    import mistune  # nbconvert's Markdown parser (a dependency of nbconvert); 10 ms to import, not nbconvert's 0.3 s

    class Renderer(mistune.HTMLRenderer):
        """Headings as nbconvert writes them: an id from the text and a hidden ``¶`` anchor link."""

        def heading(self, text: str, level: int, **attrs) -> str:
            from urllib.parse import quote

            plain = html.unescape(re.sub(r"<[^>]+>", "", text))
            anchor = attribute(quote(plain.replace(" ", "-"), safe="?/:@!$&'()*+,;="))
            return f'<h{level} id="{anchor}">{text}<a class="anchor-link" href="#{anchor}">¶</a></h{level}>'

    return mistune.create_markdown(escape=False, renderer=Renderer(escape=False), plugins=["strikethrough"])


def markdown_html(source: str) -> str:
    """A sentence's Markdown as the HTML a page shows, safe whatever values it carries.

    Markdown's emphasis and headings work; raw HTML is shown as text, except the package's
    ``<span class='cx-…'>`` notes; the result passes :func:`clean_html`.

    >>> markdown_html("NPS of **<script>alert(1)</script>** rose.")
    '<p>NPS of <strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> rose.</p>\\n'
    >>> markdown_html("<span class='cx-note'>How: <img src=x onerror=alert(1)></span>")
    '<p><span class="cx-note">How: &lt;img src=x onerror=alert(1)&gt;</span></p>\\n'
    """
    return clean_html(_markdown()(_escape_raw_html(str(source))))
