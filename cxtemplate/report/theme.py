"""One chart style for every page of the report.

Every chart in cxtemplate goes through :func:`apply_theme` (called once per notebook by the
session set-up) and is finished with :func:`finish`, which writes the title, the unit, the
sample size and the data source in the same place on every chart.
"""

from __future__ import annotations

from collections.abc import Sequence

# Okabe & Ito (2008) colour-blind-safe palette, in the order seaborn's "colorblind" uses
# for its first colours; named roles keep meaning stable across charts.
PALETTE: list[str] = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#D55E00",  # vermillion
    "#CC79A7",  # purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
GOOD = "#009E73"
BAD = "#D55E00"
NEUTRAL = "#999999"
ACCENT = "#0072B2"
# Promoter / passive / detractor colours used wherever NPS categories are drawn.
NPS_COLOURS = {"promoter": "#009E73", "passive": "#999999", "detractor": "#D55E00"}
# Text on a chart or a page meets WCAG 2.x level AA: a contrast ratio of at least 4.5:1 with its background.
# The palette's fills stay (they are told apart by the colour-blind-safe hues); what is written on them is
# black or white, whichever contrasts more (:func:`text_colour_on`), and text *in* a palette colour on white
# uses its darkened version (:func:`readable_on`), e.g. the good/bad words of a page.
AA_TEXT = 4.5
INK = "#000000"
PAPER = "#ffffff"
MUTED_TEXT = "#555555"  # grey text: 7.5:1 on white, 6.4:1 on the #eeeeee of a suppressed cell


def relative_luminance(colour) -> float:
    """The WCAG 2.x relative luminance of a colour (0 for black, 1 for white).

    Parameters
    ----------
    colour : str or tuple
        Any colour matplotlib understands ("#777", "white", an RGB(A) tuple of floats in 0–1).

    Returns
    -------
    float
    """
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background) -> float:
    """The WCAG 2.x contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    Parameters
    ----------
    foreground, background : str or tuple
        Colours (see :func:`relative_luminance`); the order does not matter.

    Returns
    -------
    float

    Examples
    --------
    >>> round(contrast_ratio("#777777", "#ffffff"), 2)
    4.48
    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    """
    hi, lo = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour_on(background) -> str:
    """The colour to write text in on a fill: :data:`INK` (black) or :data:`PAPER` (white), whichever contrasts more.

    One of the two always reaches 4.58:1, above the 4.5:1 of WCAG AA, whatever the fill.

    >>> text_colour_on("#E69F00"), text_colour_on("#0072B2")
    ('#000000', '#ffffff')
    """
    return PAPER if contrast_ratio(PAPER, background) > contrast_ratio(INK, background) else INK


def readable_on(colour, background=PAPER, ratio: float = AA_TEXT) -> str:
    """``colour`` darkened (or lightened, on a dark background) just enough to be read on ``background``.

    A colour that already contrasts enough is returned as it is (as ``#rrggbb``); otherwise it is mixed
    with black (or white) in small steps until the contrast reaches ``ratio``.

    >>> readable_on("#0072B2")
    '#0072b2'
    >>> c = readable_on("#009E73"); c != "#009e73" and contrast_ratio(c, "#ffffff") >= 4.5
    True
    """
    from matplotlib.colors import to_hex, to_rgb

    rgb = to_rgb(colour)
    towards = to_rgb(text_colour_on(background))
    for step in range(101):
        t = step / 100
        mixed = tuple((1 - t) * c + t * e for c, e in zip(rgb, towards))
        if contrast_ratio(mixed, background) >= ratio:
            return to_hex(mixed)
    return to_hex(towards)


PANEL = "#f6f8fa"
"""The palest grey of the pages' panels (header, cards): text colours must read on it too."""

GOOD_TEXT = "#00825e"
"""The green of good news written as text: ``readable_on(GOOD, PANEL)``, 4.5:1 on the panels and more on white
(#009E73 itself is 3.4:1)."""
BAD_TEXT = "#bb5300"
"""The vermillion of bad news written as text: ``readable_on(BAD, PANEL)``, 4.5:1 on the panels and more on white
(#D55E00 itself is 3.9:1)."""


# What ``seaborn.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.95)``
# sets in matplotlib's rcParams (seaborn 0.13), written out so that every notebook kernel does not
# import seaborn (and, through it, scipy.stats) just to style its charts: ~0.5 s per kernel, 16
# kernels per run. ``seaborn_theme_rc()`` recomputes it with seaborn (bench/bench_overhead.py checks
# that the two agree). Seaborn's default colormap ("rocket") is set only where seaborn registered it;
# no report chart draws an image without naming its colormap.
SEABORN_RC: dict = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.grid": True, "axes.labelcolor": ".15",
    "axes.labelsize": 11.399999999999999, "axes.linewidth": 1.25, "font.size": 11.399999999999999,
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.family": ["sans-serif"], "grid.color": ".8", "grid.linewidth": 1.0, "grid.linestyle": "-",
    "legend.fontsize": 10.45, "legend.title_fontsize": 11.399999999999999, "lines.solid_capstyle": "round",
    "patch.edgecolor": "w", "patch.force_edgecolor": True, "text.color": ".15",
    "xtick.bottom": False, "xtick.color": ".15", "xtick.labelsize": 10.45, "xtick.major.size": 6.0,
    "xtick.major.width": 1.25, "xtick.minor.size": 4.0, "xtick.minor.width": 1.0,
    "ytick.color": ".15", "ytick.labelsize": 10.45, "ytick.left": False, "ytick.major.size": 6.0,
    "ytick.major.width": 1.25, "ytick.minor.size": 4.0, "ytick.minor.width": 1.0,
}


def seaborn_theme_rc() -> dict:
    """The rcParams seaborn's ``set_theme`` would give (imports seaborn; for checking :data:`SEABORN_RC`)."""
    import matplotlib as mpl
    import seaborn as sns

    with mpl.rc_context():
        sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.95)
        return dict(mpl.rcParams)


def apply_theme() -> None:
    """Set the seaborn-style matplotlib theme used by all report charts (without importing seaborn).

    Call once per process (the notebook set-up does it). Charts are rendered as PNG at a
    resolution that stays sharp when the HTML report is printed. Text is never parsed as mathtext,
    so titles, labels and tick labels built from data show exactly what the data says.
    """
    import matplotlib as mpl
    from cycler import cycler
    from matplotlib.colors import to_rgb

    mpl.rcParams.update(SEABORN_RC)
    mpl.rcParams["axes.prop_cycle"] = cycler("color", [to_rgb(c) for c in PALETTE])
    if "rocket" in mpl.colormaps:
        mpl.rcParams["image.cmap"] = "rocket"
    mpl.rcParams.update(
        {
            "figure.figsize": (8.0, 4.2),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "savefig.bbox": "tight",
            "axes.titlesize": 12.5,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
            # chart text is shown as written: a label from the data such as "Plan $5 to $10" is not
            # read as mathtext (which would typeset it, or fail the chart on an unbalanced "$\\frac")
            "text.parse_math": False,
        }
    )


def subtitle(n: int | None = None, unit: str | None = None, source: str | None = None) -> str:
    """Build the grey line under a chart title: unit, sample size and source.

    Parameters
    ----------
    n : int, optional
        Number of observations behind the chart (responses, customers, ...).
    unit : str, optional
        What the value axis measures, e.g. ``"NPS, −100…100"``.
    source : str, optional
        Which table or system the data came from.

    Returns
    -------
    str
        The parts joined with `` · ``, e.g. ``"NPS, −100…100 · n = 12,345 · Source: survey"``.
    """
    parts: list[str] = []
    if unit:
        parts.append(unit)
    if n is not None:
        parts.append(f"n = {int(n):,}")
    if source:
        parts.append(f"Source: {source}")
    return " · ".join(parts)


def finish(ax, title: str, *, n: int | None = None, unit: str | None = None,
           source: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
           legend: bool | None = None):
    """Title a chart the house way: bold title, grey subtitle with unit, n and source.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The chart to finish.
    title : str
        What the chart shows, in plain language.
    n, unit, source
        See :func:`subtitle`.
    xlabel, ylabel : str, optional
        Axis labels; ``None`` leaves the current label.
    legend : bool, optional
        ``False`` removes the legend, ``True`` places it outside the plotting area.

    Returns
    -------
    matplotlib.axes.Axes
        The same axes, for chaining.
    """
    ax.set_title(title, loc="left", pad=22)
    sub = subtitle(n=n, unit=unit, source=source)
    if sub:
        ax.annotate(sub, xy=(0, 1), xycoords="axes fraction", xytext=(0, 6),
                    textcoords="offset points", ha="left", va="bottom", fontsize=9, color=MUTED_TEXT)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if legend is False and ax.get_legend() is not None:
        ax.get_legend().remove()
    elif legend is True:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def palette(n: int) -> Sequence[str]:
    """Return ``n`` colours from the colour-blind-safe palette, cycling if needed."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]
