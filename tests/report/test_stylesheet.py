"""The report's one stylesheet (``cxtemplate.report.stylesheet``): JupyterLab's CSS pruned to the rules a page can
use, with the variables they read, written once per run to ``assets/report.css``."""

from __future__ import annotations

import re

from cxtemplate.report.stylesheet import (
    ASSET,
    _lab_static,
    css_rules,
    page_css,
    prune_css,
    template_classes,
    write_stylesheet,
)


def test_rules_are_split_with_nested_blocks_strings_and_data_uris():
    css = ('/* a comment { } */ .a { content: "}{"; background: url("data:image/svg+xml;utf8,<svg a=\'1\'>") }\n'
           "@media print { .b { display: none } @supports (x: y) { .c { color: red } } }\n"
           "@import url(x.css);\n@font-face { font-family: X; src: url(x.woff) }")
    rules = css_rules(css)
    assert [head for head, _ in rules] == [".a", "@media print", "@import url(x.css)", "@font-face"]
    assert rules[0][1].startswith('content: "}{";')
    assert rules[1][1] == [(".b", "display: none"), ("@supports (x: y)", [(".c", "color: red")])]


def test_pruning_keeps_the_rules_a_page_can_match_and_the_variables_they_read():
    css = (":root { --ink: var(--grey-9); --grey-9: #111; --unused: 1px; --icon: url('data:image/svg+xml;a=b;c=d') }\n"
           ".jp-Cell { color: var(--ink) }\n"
           ".jp-Cell.jp-mod-active, .jp-Notebook .jp-Cell { padding: 2px }\n"
           ".jp-Toolbar { background: var(--unused) }\n"
           ".jp-Cell:not(.jp-mod-selected) { margin: 0 }\n"
           "table { border: 0 }\n"
           "@media print { .jp-Cell { display: block } .jp-Menu { x: y } }\n"
           "@keyframes spin { from { x: 0 } }\n@font-face { font-family: X }")
    out = prune_css(css, {"jp-Cell", "jp-Notebook"})
    assert ".jp-Toolbar" not in out and ".jp-Menu" not in out and "@keyframes" not in out and "@font-face" not in out
    assert ".jp-Notebook .jp-Cell{padding: 2px}" in out and "jp-mod-active" not in out  # one selector of two kept
    assert ".jp-Cell:not(.jp-mod-selected){margin: 0}" in out and "table{border: 0}" in out
    assert "@media print{\n.jp-Cell{display: block}\n}" in out
    # --ink is read by a kept rule and reads --grey-9; --unused only by a dropped rule; the icon by none
    assert "--ink: var(--grey-9)" in out and "--grey-9: #111" in out
    assert "--unused" not in out and "--icon" not in out


def test_the_classes_of_a_page_come_from_the_templates():
    static = _lab_static()
    classes = template_classes(*sorted(static.parent.glob("*.j2")))
    assert {"jp-Cell", "jp-OutputArea-output", "jp-RenderedHTMLCommon", "jp-RenderedImage", "jp-Notebook"} <= classes
    assert not any("{" in c or "}" in c for c in classes)
    assert "jp-Toolbar" not in classes and "jp-Menu" not in classes


def test_the_page_stylesheet_is_a_tenth_of_jupyterlabs_and_keeps_what_pages_use():
    static = _lab_static()
    full = sum(len((static / n).read_text(encoding="utf-8")) for n in ("index.css", "theme-light.css"))
    css = page_css()
    assert full > 200_000 and len(css) < full / 8
    for needed in (".jp-RenderedHTMLCommon table", ".jp-OutputArea-output", ".jp-RenderedImage img", "--jp-content-link-color",
                   "body.cx-page", "details.cx-method", "nav.cx-pages", "a.anchor-link { display: none; }"):
        assert needed in css, needed
    assert "--jp-icon-" not in css and ".jp-Toolbar" not in css and "@font-face" not in css
    # every variable a kept rule reads is defined (but those JupyterLab's light theme itself leaves undefined)
    lab = "".join((static / n).read_text(encoding="utf-8") for n in ("index.css", "theme-light.css"))
    undefined_in_lab = set(re.findall(r"var\(\s*(--[\w-]+)", lab)) - set(re.findall(r"(--[\w-]+)\s*:", lab))
    defined = set(re.findall(r"(--[\w-]+)\s*:", css))
    assert set(re.findall(r"var\(\s*(--[\w-]+)", css)) - defined - undefined_in_lab == set()


def test_the_stylesheet_is_written_once_beside_the_index(tmp_path):
    path = write_stylesheet(tmp_path)
    assert path == tmp_path / ASSET == tmp_path / "assets" / "report.css"
    assert path.read_text(encoding="utf-8") == page_css()
    mtime = path.stat().st_mtime_ns
    assert write_stylesheet(tmp_path) == path and path.stat().st_mtime_ns == mtime  # unchanged: not rewritten
    assert [p.name for p in path.parent.iterdir()] == ["report.css"]
