"""A sparkline as inline SVG: a metric's last periods in a line the size of a word, beside its headline value.

:func:`sparkline_svg` writes ``<svg role="img" aria-label="…">`` holding only ``<polyline>`` and ``<circle>``
elements (the sanitiser of :mod:`cxtemplate.report.markup` lets exactly these through); its label is the
sentence a screen reader says instead of the picture ("CSAT, last 12 months: from 69% in 2025-01 to 62% in
2025-12, lowest 62%, highest 74%"). Every text in it is escaped here; the caller still passes the markup
through :func:`cxtemplate.report.markup.clean_html` before it reaches a page.

A period without a value (no responses, or too few to show) breaks the line: the points either side are not
joined across it, so the line never suggests a value that was not measured.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

__all__ = ["sparkline_label", "sparkline_svg"]

STROKE = "#1f4e79"
"""The line's colour (the report's dark blue: 8.9:1 on white)."""
LAST = "#1f4e79"
"""The colour of the dot on the latest value."""


def _finite(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def sparkline_label(name: str, values: Sequence[float | None], periods: Sequence[str], fmt=None) -> str:
    """What a screen reader says for the sparkline: first and latest value, lowest and highest.

    Parameters
    ----------
    name : str
        The metric and the span, e.g. ``"CSAT, last 12 months"``.
    values : sequence of float or None
        One value per period (``None``/NaN: not measured).
    periods : sequence of str
        The periods' labels, as long as ``values``.
    fmt : callable, optional
        Formats a value (default: one decimal).

    Returns
    -------
    str

    Examples
    --------
    >>> sparkline_label("NPS, last 3 months", [9.0, None, 12.2], ["2025-10", "2025-11", "2025-12"])
    'NPS, last 3 months: from 9.0 in 2025-10 to 12.2 in 2025-12, lowest 9.0, highest 12.2.'
    """
    fmt = fmt or (lambda v: f"{v:.1f}")
    pts = [(p, float(v)) for p, v in zip(periods, values) if _finite(v)]
    if not pts:
        return f"{name}: no values to show."
    if len(pts) == 1:
        return f"{name}: {fmt(pts[0][1])} in {pts[0][0]}, the only period with a value."
    ys = [v for _, v in pts]
    return (f"{name}: from {fmt(pts[0][1])} in {pts[0][0]} to {fmt(pts[-1][1])} in {pts[-1][0]}, "
            f"lowest {fmt(min(ys))}, highest {fmt(max(ys))}.")


def sparkline_svg(values: Sequence[float | None], label: str, *, width: int = 120, height: int = 28,
                  pad: float = 3.0) -> str:
    """The values as an inline SVG line, scaled to their own range, with a dot on the latest value.

    Parameters
    ----------
    values : sequence of float or None
        One value per period, oldest first; ``None``/NaN breaks the line.
    label : str
        The accessible name (``aria-label``), e.g. from :func:`sparkline_label`; escaped here.
    width, height : int
        Size in CSS pixels.
    pad : float
        Margin inside the box, so the line and the dot are not clipped.

    Returns
    -------
    str
        ``<svg role="img" aria-label=…>`` with one ``<polyline>`` per unbroken run of two or more values, a
        ``<circle>`` for a value standing alone and one on the latest value; ``""`` when no value is finite.

    Examples
    --------
    >>> sparkline_svg([1, 2, None, 3], "x")  # doctest: +NORMALIZE_WHITESPACE
    '<svg class="cx-spark" role="img" aria-label="x" viewBox="0 0 120 28" width="120" height="28"><polyline
    class="cx-spark-line" points="3.0,25.0 41.0,14.0" fill="none" stroke="#1f4e79" stroke-width="1.5"></polyline><circle
    class="cx-spark-last" cx="117.0" cy="3.0" r="2.5" fill="#1f4e79"></circle></svg>'
    """
    vals = [float(v) if _finite(v) else None for v in values]
    ys = [v for v in vals if v is not None]
    if not ys:
        return ""
    lo, hi = min(ys), max(ys)
    span = hi - lo
    n = len(vals)
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0.0

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + i * step if n > 1 else width / 2
        y = height / 2 if span == 0 else pad + (hi - v) / span * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(vals):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(xy(i, v))
    parts = []
    last_i = max(i for i, v in enumerate(vals) if v is not None)
    last = xy(last_i, vals[last_i])
    for run in runs:
        if len(run) >= 2:
            pts = " ".join(f"{x},{y}" for x, y in run)
            parts.append(f'<polyline class="cx-spark-line" points="{pts}" fill="none" stroke="{STROKE}" '
                         f'stroke-width="1.5"></polyline>')
        elif len(run) == 1 and run[0] != last:
            x, y = run[0]
            parts.append(f'<circle class="cx-spark-point" cx="{x}" cy="{y}" r="1.5" fill="{STROKE}"></circle>')
    parts.append(f'<circle class="cx-spark-last" cx="{last[0]}" cy="{last[1]}" r="2.5" fill="{LAST}"></circle>')
    return (f'<svg class="cx-spark" role="img" aria-label="{html.escape(label, quote=True)}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">' + "".join(parts) + "</svg>")
