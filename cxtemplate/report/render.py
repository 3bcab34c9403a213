"""Rendering executed notebooks into the stakeholder report.

Each executed notebook becomes one HTML page (code hidden, images inline with the alt text the chart was
shown with, no script or font fetched from the internet, a header with organisation, data period and run
date, a table of contents after the page's title, a footer linking the report's other pages, print CSS).
``index.html`` links the pages grouped by role and shows the headline numbers from the executive summary's
artifact. Every page and the index link one stylesheet, written once per run to ``assets/report.css``
(:mod:`cxtemplate.report.stylesheet`: JupyterLab's rules pruned to those the pages use, then the report's own).

Nothing on a page runs: every output passes :func:`cxtemplate.report.markup.clean_html` when it is
rendered (:func:`safe_outputs`), header, footer and index escape what they show, links go only to
the report's own files, and every page and the index carry :data:`CONTENT_SECURITY_POLICY`, which
forbids scripts, plug-ins, frames and anything fetched (the report needs none: it is read offline).
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cxtemplate.report.absent import ABSENCE_SENTENCES, INPUTS, claims, supplied_inputs
from cxtemplate.report.markup import attribute, clean_html, is_own_link, markdown_html, text
from cxtemplate.report.stylesheet import ASSET, write_stylesheet

TEMPLATES = Path(str(resources.files("cxtemplate.report") / "templates"))
ROLE_TITLES = {"executive": "For executives", "manager": "For managers", "analyst": "For analysts"}
# No script of any kind (inline, from a file or a javascript: link), no plug-in, frame or form, and
# nothing loaded from anywhere but the report's own stylesheet (assets/report.css beside the index: 'self'
# when the report is served, file: when it is opened from disk, where a page's origin is opaque and 'self'
# need not match a file: URL; a stylesheet can load nothing itself under this policy)
# and the tables' scoped <style> rules, which are inline; images are data: URIs.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; "
                           "style-src 'self' file: 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
                           "form-action 'none'")
# what an output may show on a page; anything else (JavaScript, widgets, Mermaid…) is left out
SAFE_MIMETYPES = ("text/html", "image/png", "image/jpeg", "image/svg+xml", "text/latex", "text/plain")


NO_CALENDAR_DATES = "tenure-based data, no calendar dates"
"""The period of an organisation whose CRM counts tenure but whose data carry no calendar date: the header says so
rather than inventing a date (such as the day of the run)."""
UNDATED = "no calendar dates in the data"
"""The period of an organisation without a CRM whose data carry no calendar date (an undated survey export)."""


def data_line(period: str) -> str:
    """What a page's header and the index say of the data's period.

    >>> data_line("2023-01-01 to 2025-12-31")
    'Data 2023-01-01 to 2025-12-31'
    >>> data_line(NO_CALENDAR_DATES)
    'Tenure-based data, no calendar dates'
    >>> data_line(UNDATED)
    'No calendar dates in the data'
    """
    return period.capitalize() if period in (NO_CALENDAR_DATES, UNDATED) else f"Data {period}"


@dataclass(frozen=True)
class PageContext:
    """What every page's header and footer show.

    ``period`` is the data's own period, "first date to latest date in any table" (or :data:`NO_CALENDAR_DATES`),
    as :func:`cxtemplate.data.quality.data_period` writes it; the header shows :func:`data_line` of it.
    """

    org_name: str
    period: str
    run_date: str
    status: str = "ok"
    index_href: str = "../index.html"
    footer: str = ""

    @property
    def data_line(self) -> str:
        """The header's words on the data's period (:func:`data_line`)."""
        return data_line(self.period)

    @property
    def css_href(self) -> str:
        """The link from the page to the run's stylesheet, beside the index (``../assets/report.css``)."""
        return posixpath.join(posixpath.dirname(self.index_href), ASSET)


def report_css() -> str:
    """The report's own rules (``templates/report.css``; the pages link them with JupyterLab's in ``assets/``)."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def _exporter(include_code: bool):
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config as TConfig

    c = TConfig()
    c.TagRemovePreprocessor.remove_cell_tags = ("remove_cell",)
    c.TagRemovePreprocessor.remove_all_outputs_tags = ("remove_output",)
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name="cxreport", extra_template_basedirs=[str(TEMPLATES)])
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    exporter.register_filter("cx_alt", image_alt)  # the template writes each image's alt text from it
    exporter.exclude_input = not include_code
    exporter.exclude_input_prompt = not include_code
    exporter.exclude_output_prompt = True
    return exporter


def _strip_streams(nb, keep_errors: bool) -> None:
    """Drop stderr streams (warnings, progress) from stakeholder pages; keep errors if asked."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        outs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue
            if out.get("output_type") == "error" and not keep_errors:
                continue
            outs.append(out)
        cell["outputs"] = outs


def safe_outputs(nb) -> None:
    """Make every output of ``nb`` safe to show, in place.

    HTML is cleaned (:func:`~cxtemplate.report.markup.clean_html`), Markdown becomes cleaned HTML
    (:func:`~cxtemplate.report.markup.markdown_html`), other kinds of output than :data:`SAFE_MIMETYPES` are
    dropped, and output metadata keeps only numeric image sizes (nbconvert writes them unquoted), the
    image flags nbconvert reads (never a file name: images are inline) and the image's alt text (a string,
    escaped when the page writes it; :func:`cxtemplate.report.display.show_figure` puts it there).
    """
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            markdown = data.pop("text/markdown", None)
            if markdown is not None and "text/html" not in data:
                data["text/html"] = markdown_html(markdown if isinstance(markdown, str) else "".join(markdown))
            if "text/html" in data:
                value = data["text/html"]
                data["text/html"] = clean_html(value if isinstance(value, str) else "".join(value))
            for mime in [m for m in data if m not in SAFE_MIMETYPES]:
                del data[mime]
            meta = out.get("metadata", {})
            for mime in list(meta):
                if mime == "alt" and isinstance(meta[mime], str):
                    meta[mime] = _alt_text(meta[mime])
                    continue
                kept = {k: (_alt_text(v) if k == "alt" else v)
                        for k, v in (meta[mime] if isinstance(meta[mime], dict) else {}).items()
                        if _safe_image_metadata(k, v)}
                if kept:
                    meta[mime] = kept
                else:
                    del meta[mime]


def _alt_text(value: str) -> str:
    """An image's alt text as one line of plain text (no control characters, at most 600 characters)."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)).strip()[:600]


def image_alt(output) -> str | None:
    """The alt text an image output was shown with: ``metadata["image/png"]["alt"]`` (or jpeg/svg) or ``metadata["alt"]``.

    Parameters
    ----------
    output : dict
        A notebook output (``display_data`` or ``execute_result``).

    Returns
    -------
    str or None
        ``None`` when the output carries none (the page then shows nbconvert's default, which the browser check
        of the report refuses).
    """
    meta = output.get("metadata") or {}
    for mime in ("image/png", "image/jpeg", "image/svg+xml"):
        value = (meta.get(mime) or {}).get("alt") if isinstance(meta.get(mime), dict) else None
        if isinstance(value, str) and value.strip():
            return value
    value = meta.get("alt")
    return value if isinstance(value, str) and value.strip() else None


def _safe_image_metadata(key: str, value: Any) -> bool:
    """Image metadata nbconvert may write into a page: sizes that are numbers, its two flags and the alt text."""
    if key == "alt":
        return isinstance(value, str)
    if key in ("width", "height"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return ((key == "needs_background" and value in ("light", "dark"))
            or (key == "unconfined" and isinstance(value, bool)))


_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+\S")


def _heading_level(cell) -> tuple[int | None, bool]:
    """The level of a Markdown cell's first heading (``None`` without one) and whether it holds text beside headings."""
    lines = [line for line in cell.source.splitlines() if line.strip()]
    levels = [len(m.group(1)) for m in map(_MARKDOWN_HEADING.match, lines) if m]
    return (levels[0] if levels else None), len(levels) < len(lines)


def drop_empty_sections(nb) -> None:
    """Leave out, in place, every heading whose section shows nothing.

    A section is a heading (``##`` or below; the page's ``#`` title always stays) and everything up to the next
    heading of the same or a higher level. When none of its code cells shows an output and it holds no text
    of its own (every input it needs is absent, and the page has said so once), its heading is not shown
    either: a page never lists a section it has nothing for.
    """
    open_: list[tuple[int, int, bool]] = []  # (level, cell index, shows something)
    dropped: set[int] = set()

    def close(level: int) -> None:
        while open_ and open_[-1][0] >= level:
            _, index, shown = open_.pop()
            if not shown:
                dropped.add(index)

    def shown() -> None:
        open_[:] = [(lvl, i, True) for lvl, i, _ in open_]

    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "markdown":
            level, text = _heading_level(cell)
            if level is not None and level >= 2:
                close(level)
                open_.append((level, index, text))
            elif level is not None or text:
                shown()
        elif cell.get("cell_type") == "code" and cell.get("outputs"):
            shown()
    close(2)
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in dropped]


_HEADING = re.compile(r"<h([23])(?P<attrs>[^>]*)>(?P<body>.*?)</h\1>", re.S)


def add_toc(page: str) -> str:
    """Give every h2/h3 an id and insert a linked table of contents before the page's first section.

    The contents come after the page's title (its ``h1``) and opening sentences, just before the first h2
    (or h3), so the first heading of a page is its title and headings run in order; a page without any section
    heading gets it at ``<!--CX-TOC-->`` (the marker is always removed).
    """
    entries: list[tuple[int, str, str]] = []
    used: set[str] = set()

    def repl(m: re.Match) -> str:
        level, attrs, body = int(m.group(1)), m.group("attrs"), m.group("body")
        text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r'<a class="anchor-link".*?</a>', "", body))).strip()
        text = text.rstrip("¶").strip()
        found = re.search(r'id="([^"]+)"', attrs)
        anchor = found.group(1) if found else re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "section"
        base, k = anchor, 2
        while anchor in used and not found:
            anchor, k = f"{base}-{k}", k + 1
        used.add(anchor)
        entries.append((level, anchor, text))
        if not found:
            attrs = f'{attrs} id="{anchor}"'
        return f"<h{level}{attrs}>{body}</h{level}>"

    page = _HEADING.sub(repl, page)
    if len(entries) < 2:
        return page.replace("<!--CX-TOC-->", "")
    items = "".join(f'<li class="cx-toc-{lvl}"><a href="#{html.escape(a, quote=True)}">{html.escape(t)}</a></li>'
                    for lvl, a, t in entries)
    toc = f'<nav class="cx-toc" aria-label="Contents"><h2 id="contents">Contents</h2><ol>{items}</ol></nav>'
    first = _HEADING.search(page, page.find("<!--CX-TOC-->") if "<!--CX-TOC-->" in page else 0)
    if first is None:
        return page.replace("<!--CX-TOC-->", toc, 1)
    page = page[:first.start()] + toc + page[first.start():]
    return page.replace("<!--CX-TOC-->", "", 1)


def report_pages(run_dir: Path) -> list[tuple[str, str]]:
    """The report's pages as ``(title, href from the run folder)``: the index, then one per executed notebook.

    Read from the run's executed notebooks (``notebooks/NN_*.ipynb``: their ``cxtemplate`` metadata title, else
    their first heading), which all exist before the first page is rendered; the scorecards are reached from
    the index.
    """
    pages = [("Report index and scorecards", "index.html")]
    for path in sorted((Path(run_dir) / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        pages.append((_notebook_title(path), f"pages/{path.stem}.html"))
    return pages


def _notebook_title(path: Path) -> str:
    """A notebook's title from its file, cheaply (the JSON only; no validation), cached by file and time."""
    stat = path.stat()
    return _cached_title(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _cached_title(path: str, mtime_ns: int, size: int) -> str:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Path(path).stem
    title = ((nb.get("metadata") or {}).get("cxtemplate") or {}).get("title")
    for cell in nb.get("cells", []) if not title else []:
        if cell.get("cell_type") == "markdown":
            source = "".join(cell.get("source", ""))
            m = re.search(r"^#\s+(.+)$", source, re.M)
            if m:
                title = m.group(1).strip()
                break
    return str(title or Path(path).stem)


def pages_nav(pages: Sequence[tuple[str, str]], here: str, to_root: str) -> str:
    """The footer's "Pages of this report": a link to every other page, the current one named but not linked.

    Parameters
    ----------
    pages : sequence of (str, str)
        Titles and hrefs from the run folder (:func:`report_pages`).
    here : str
        The href (from the run folder) of the page the footer is on.
    to_root : str
        The page's path back to the run folder ("../" from ``pages/``, "../../" from ``pages/scorecards/``).

    Returns
    -------
    str
        ``<nav class="cx-pages" aria-label="Pages of this report">…</nav>``, every text escaped; ``""`` when the
        report has no other page.

    Examples
    --------
    >>> pages_nav([("Index", "index.html"), ("Churn & risk", "pages/05.html")], "pages/05.html", "../")
    '<nav class="cx-pages" aria-label="Pages of this report"><p class="cx-pages-title">Pages of this report</p><ul><li><a href="../index.html">Index</a></li><li aria-current="page">Churn &amp; risk</li></ul></nav>'
    """
    if not any(href != here for _, href in pages):
        return ""
    items = []
    for title, href in pages:
        if href == here:
            items.append(f'<li aria-current="page">{text(title)}</li>')
        else:
            link = posixpath.relpath(href, posixpath.dirname(here) or ".") if to_root else href
            if is_own_link(link):
                items.append(f'<li><a href="{attribute(link)}">{text(title)}</a></li>')
    # not a heading: the contents list the page's own sections only, and the footer is not one of them
    return ('<nav class="cx-pages" aria-label="Pages of this report"><p class="cx-pages-title">Pages of this report'
            '</p><ul>' + "".join(items) + "</ul></nav>")


def render_page(nb_path: Path, out_path: Path, ctx: PageContext, *, include_code: bool = False,
                title: str | None = None) -> Path:
    """Render one executed notebook into an HTML page of the report (linking the run's stylesheet, beside the index).

    Parameters
    ----------
    nb_path : Path
        The executed notebook.
    out_path : Path
        Where the HTML goes.
    ctx : PageContext
        Header/footer content.
    include_code : bool
        Show code cells and tracebacks (used for a failed notebook, so an analyst sees where).
    title : str, optional
        The page's ``<title>``; defaults to the notebook's first heading.
    """
    import nbformat

    if not is_own_link(ctx.index_href):
        raise ValueError(f"the index link of a page must be a relative path in the report, got {ctx.index_href!r}")
    nb = nbformat.read(nb_path, as_version=4)
    _strip_streams(nb, keep_errors=include_code)
    safe_outputs(nb)
    if not include_code:  # a failed page shows every cell, to show where it stopped
        drop_empty_sections(nb)
    if title:
        nb.metadata["title"] = title
    exporter = _exporter(include_code)
    run_dir = Path(posixpath.normpath((out_path.parent / ctx.index_href).parent.as_posix()))
    to_root = posixpath.dirname(ctx.index_href)
    to_root = f"{to_root}/" if to_root else ""
    name = out_path.name  # the runner writes a page as ".<name>.partial" and then renames it
    name = name[1:-len(".partial")] if name.startswith(".") and name.endswith(".partial") else name
    here = posixpath.normpath(posixpath.join(posixpath.relpath(out_path.parent.as_posix(), run_dir.as_posix()), name))
    nav = pages_nav(report_pages(run_dir), here, to_root)
    res = {"cx": {**ctx.__dict__, "data_line": ctx.data_line, "css_href": ctx.css_href, "csp": CONTENT_SECURITY_POLICY,
                  "pages_nav": nav},
           "metadata": {"name": title or nb_path.stem}}
    body, _ = exporter.from_notebook_node(nb, resources=res)
    body = add_toc(body)
    write_stylesheet(run_dir)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(body, encoding="utf-8")
    return out_path


def notebook_info(nb_path: Path) -> dict[str, str]:
    """Title, role and one-line summary of a template notebook (from its metadata and first heading)."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    meta = dict(nb.metadata.get("cxtemplate", {}))
    title = meta.get("title")
    if not title:
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                m = re.search(r"^#\s+(.+)$", cell.source, re.M)
                if m:
                    title = m.group(1).strip()
                    break
    return {"title": title or nb_path.stem, "role": meta.get("role", "analyst"), "summary": meta.get("summary", ""),
            "order": int(meta.get("order", 50)), "after": meta.get("after"), "pdf": bool(meta.get("pdf", False)),
            "needs": list(meta.get("needs") or [])}


def chromium() -> str | None:
    """Path of a headless-capable Chromium, if installed."""
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def export_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> bool:
    """Print an HTML page to A4 PDF with headless Chromium; ``False`` when Chromium is absent or fails.

    The page's print CSS applies (no navigation, tables kept whole). No network is used: the
    page is self-contained and background networking is switched off.
    """
    import subprocess
    import tempfile

    exe = chromium()
    if exe is None:
        return False
    with tempfile.TemporaryDirectory(prefix="cx-pdf-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}",
               html_path.resolve().as_uri()]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
    return pdf_path.is_file() and pdf_path.stat().st_size > 0


def summary_for(summary: str, run_dir: Path, needs: Sequence[str] = ()) -> str:
    """A page's one-line summary on the index: what the page covers, or why it has nothing to show.

    The summaries in the notebooks' metadata say what a page covers with every input (e.g. "which operational
    levers matter"); the run's integration record (``artifacts/00_data_integration/quality.json``) says what came
    in. A page that ``needs`` inputs (its metadata's ``needs:``, any one of them) of which none came in gets the
    sentence saying so (:data:`cxtemplate.report.absent.ABSENCE_SENTENCES`), e.g. "There is no CRM." for the churn
    page of a survey-only organisation; a summary naming an absent input (:func:`cxtemplate.report.absent.claims`)
    is left out. Without the record (a run that stopped before integration) the summary is kept.
    """
    import json

    path = Path(run_dir) / "artifacts" / "00_data_integration" / "quality.json"
    if not path.is_file():
        return summary
    supplied = supplied_inputs(json.loads(path.read_text(encoding="utf-8")))
    if needs and not supplied & set(needs):
        return " ".join(ABSENCE_SENTENCES[n] for n in needs)
    if not summary:
        return summary
    return "" if claims(f"<p>{summary}</p>", set(INPUTS) - supplied) else summary


def render_index(run_dir: Path, run: dict[str, Any], headline: dict[str, Any] | None, pages: list[dict[str, Any]]) -> Path:
    """Write ``index.html``: headline numbers and the pages grouped by role.

    Parameters
    ----------
    run_dir : Path
        The run folder.
    run : dict
        The run record (as in ``run.json``).
    headline : dict, optional
        The executive summary's ``headline`` artifact: a list of cards under ``"cards"``
        (``label``, ``value``, ``detail``) and a ``"sentence"``.
    pages : list of dict
        ``title``, ``href``, ``role``, ``summary``, ``status`` for every page.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    env.filters["clean_html"] = clean_html  # the cards' sparkline SVG: cleaned again where it is written
    for page in pages:
        for key in ("href", "pdf_href"):
            if key in page and not is_own_link(page[key]):
                raise ValueError(f"page {page.get('title')!r}: {key} must be a relative path in the report, "
                                 f"got {page[key]!r}")
    for page in pages:
        if page.get("pdf") and page.get("status") == "ok":
            html_path = run_dir / page["href"]
            pdf = html_path.with_suffix(".pdf")
            if export_pdf(html_path, pdf):
                page["pdf_href"] = pdf.relative_to(run_dir).as_posix()
    pages = [{**p, "summary": summary_for(p.get("summary", ""), run_dir, p.get("needs") or ())} for p in pages]
    groups = []
    for role in ("executive", "manager", "analyst"):
        items = sorted((p for p in pages if p.get("role") == role), key=lambda p: p.get("order", 50))
        if items:
            groups.append({"role": role, "title": ROLE_TITLES[role], "pages": items})
    write_stylesheet(run_dir)
    page = env.get_template("index.html.j2").render(run=run, headline=headline or {}, groups=groups, css=report_css(),
                                                    css_href=ASSET, csp=CONTENT_SECURITY_POLICY,
                                                    data_line=data_line(str(run["organisation"]["period"])))
    path = run_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
