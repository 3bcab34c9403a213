"""The report's one stylesheet: written once per run to ``assets/report.css`` and linked from every page.

nbconvert's lab template inlines JupyterLab's whole stylesheet (about 256 KB of rules for editors, widgets,
menus, dark themes…) into every page. A report page uses a few dozen of JupyterLab's classes (cells, output
areas, rendered HTML and Markdown, images); :func:`page_css` keeps the rules that can match an element of a
page (every class a selector names is one the templates write, :func:`template_classes`) and the CSS variables
those rules read, and adds the report's own rules (``templates/report.css``). :func:`write_stylesheet` puts it
beside the index, where every page links it (``assets/report.css``, ``../assets/report.css`` from
``pages/``, ``../../assets/report.css`` from ``pages/scorecards/``).
"""

from __future__ import annotations

import os
import re
import threading
from functools import lru_cache
from pathlib import Path

__all__ = ["ASSET", "css_rules", "page_css", "prune_css", "template_classes", "write_stylesheet"]

ASSET = "assets/report.css"
"""Where the stylesheet goes, relative to the run folder (the folder of ``index.html``)."""
REPORT_CLASSES = frozenset({"jp-Notebook", "cx-page", "highlight", "hl-ipython3", "jp-mod-noInput",
                            "jp-mod-noOutputs", "jp-OutputArea-stdout", "jp-OutputArea-stderr"})
"""Classes written by nbconvert's code rather than by a template's ``class="…"`` (and the page's own body class)."""
_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_VAR_USE = re.compile(r"var\(\s*(--[\w-]+)")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CUSTOM_PROPERTY = re.compile(r"^\s*(--[\w-]+)\s*:", re.S)


def css_rules(css: str) -> list[tuple[str, str | list]]:
    """Split a stylesheet into its top-level rules: ``(selector, body)`` or ``(at-rule, [nested rules])``.

    Comments are removed; a block at-rule that holds rules (``@media``, ``@supports``, ``@layer``) is parsed
    into its own rules, any other at-rule (``@font-face``, ``@keyframes``, ``@page``) keeps its body as text,
    and a statement such as ``@import …;`` is kept with an empty body.

    >>> css_rules("a{color:red} @media print{.x{display:none}}")
    [('a', 'color:red'), ('@media print', [('.x', 'display:none')])]
    """
    css = _COMMENT.sub("", css)
    rules: list[tuple[str, str | list]] = []
    pos, n = 0, len(css)
    while pos < n:
        start = pos
        while pos < n and css[pos] not in "{;}":
            if css[pos] in "\"'":
                pos = css.index(css[pos], pos + 1) if css[pos] in css[pos + 1:] else n
            pos += 1
        head = css[start:pos].strip()
        if pos >= n:
            break
        if css[pos] in ";}":  # a statement at-rule, or a stray brace
            if head:
                rules.append((head, ""))
            pos += 1
            continue
        depth, body_start = 1, pos + 1
        pos += 1
        while pos < n and depth:
            ch = css[pos]
            if ch in "\"'":
                end = css.find(ch, pos + 1)
                pos = n if end < 0 else end
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            pos += 1
        body = css[body_start:pos - 1]
        if re.match(r"@(media|supports|layer|container)\b", head):
            rules.append((head, css_rules(body)))
        else:
            rules.append((head, body.strip()))
    return rules


def _declarations(body: str) -> list[str]:
    """A rule's declarations, split at the semicolons outside strings and brackets (a data: URI holds some)."""
    out, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == ";" and depth == 0:
            out.append(body[start:i])
            start = i + 1
    out.append(body[start:])
    return [d for d in out if d.strip()]


def _selector_matches(selector: str, classes: frozenset[str]) -> bool:
    """Whether a selector can match on a page whose elements carry only ``classes``."""
    if selector.startswith(":root") or selector in ("*", "html", "body"):
        return True
    # :not(.x) does not need .x on the page: drop negations before reading the classes a selector needs
    needed = _CLASS.findall(re.sub(r":not\([^()]*\)", "", selector))
    return all(c in classes for c in needed)


def prune_css(css: str, classes: frozenset[str] | set[str]) -> str:
    """The rules of ``css`` that can match a page using only ``classes``, and the CSS variables they read.

    A rule is kept when one of its selectors names only classes of ``classes`` (element-only selectors are
    kept); ``@font-face``, ``@keyframes`` and ``@import`` go (a report page loads no font and runs no animation);
    custom properties (``--jp-…``) are kept only when a kept rule reads them, directly or through another.

    Parameters
    ----------
    css : str
        A stylesheet.
    classes : set of str
        The classes the pages may carry.

    Returns
    -------
    str

    Examples
    --------
    >>> prune_css(":root{--a:red;--b:blue} .x{color:var(--a)} .y{color:var(--b)}", {"x"})
    ':root{--a:red}\\n.x{color:var(--a)}'
    """
    classes = frozenset(classes)

    def keep(rules) -> list:
        out = []
        for head, body in rules:
            if isinstance(body, list):
                inner = keep(body)
                if inner:
                    out.append((head, inner))
            elif head.startswith("@"):
                if head.startswith(("@page", "@charset")):
                    out.append((head, body))
            else:
                selectors = [s.strip() for s in head.split(",")]
                kept = [s for s in selectors if _selector_matches(s, classes)]
                if kept:
                    out.append((",".join(kept), body))
        return out

    kept = keep(css_rules(css))
    # custom properties: those read by a kept rule that is not only a variable definition, and what they read
    definitions: dict[str, str] = {}

    declarations = _declarations

    def walk(rules):
        for head, body in rules:
            if isinstance(body, list):
                yield from walk(body)
            else:
                yield head, body

    used: set[str] = set()
    for _, body in walk(kept):
        for decl in declarations(body):
            m = _CUSTOM_PROPERTY.match(decl)
            if m:
                definitions[m.group(1)] = definitions.get(m.group(1), "") + decl
            else:
                used.update(_VAR_USE.findall(decl))
    todo = list(used)
    while todo:
        for name in _VAR_USE.findall(definitions.get(todo.pop(), "")):
            if name not in used:
                used.add(name)
                todo.append(name)

    def text(rules) -> list[str]:
        out = []
        for head, body in rules:
            if isinstance(body, list):
                inner = text(body)
                if inner:
                    out.append(f"{head}{{\n" + "\n".join(inner) + "\n}")
                continue
            decls = [d.strip() for d in declarations(body)
                     if not (m := _CUSTOM_PROPERTY.match(d)) or m.group(1) in used]
            if decls:
                out.append(f"{head}{{{';'.join(decls)}}}")
        return out

    return "\n".join(text(kept))


def _lab_static() -> Path:
    """The folder of nbconvert's lab template stylesheets (``<jupyter data>/nbconvert/templates/lab/static``)."""
    from jupyter_core.paths import jupyter_path

    for base in jupyter_path("nbconvert", "templates"):
        candidate = Path(base) / "lab" / "static"
        if (candidate / "index.css").is_file():
            return candidate
    raise FileNotFoundError("nbconvert's lab template (lab/static/index.css) is not installed")


def template_classes(*templates: Path) -> frozenset[str]:
    """Every class a template writes in a ``class="…"`` (Jinja expressions left out), and :data:`REPORT_CLASSES`."""
    found: set[str] = set(REPORT_CLASSES)
    for path in templates:
        for value in _CLASS_ATTR.findall(path.read_text(encoding="utf-8")):
            found.update(w for w in re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", value).split() if re.fullmatch(r"[\w-]+", w))
    return frozenset(found)


@lru_cache(maxsize=1)
def page_css() -> str:
    """The stylesheet of every page and the index: JupyterLab's rules the pages can use, then the report's own."""
    from importlib import resources

    own_templates = Path(str(resources.files("cxtemplate.report") / "templates"))
    static = _lab_static()
    lab_templates = static.parent
    classes = template_classes(*sorted(lab_templates.glob("*.j2")), *sorted(own_templates.rglob("*.j2")))
    lab = "\n".join((static / name).read_text(encoding="utf-8") for name in ("theme-light.css", "index.css"))
    own = (own_templates / "report.css").read_text(encoding="utf-8")
    return ("/* cxtemplate report: JupyterLab's light theme, pruned to the rules the pages use, then the report's "
            "own style. */\n" + prune_css(lab, classes) + "\n" + own)


def write_stylesheet(run_dir: Path) -> Path:
    """Write :func:`page_css` to ``<run_dir>/assets/report.css`` (only when it differs) and return its path."""
    path = Path(run_dir) / ASSET
    css = page_css()
    if not (path.is_file() and path.read_text(encoding="utf-8") == css):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        tmp.write_text(css, encoding="utf-8")
        tmp.replace(path)
    return path
