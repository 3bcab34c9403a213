"""What readers see: the chart theme, display helpers (tables, sentences, formatting), HTML safe by construction
(markup) and page rendering.

Base layer: imports nothing of ours but :mod:`cxtemplate.errors`, so every layer may draw and show with it.
"""

__all__ = ["absent", "charts", "display", "grammar", "labels", "markup", "render", "section", "stylesheet", "theme"]
