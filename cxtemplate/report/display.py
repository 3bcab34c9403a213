"""Showing results in notebooks: plain-language sentences, formatted tables, finished charts.

Notebooks call these instead of printing, so every page of the report formats numbers the
same way (thousands separators, fixed decimals, intervals as "low–high") and every table has
a title and, where values were suppressed, a note saying so.

They are also where values become HTML, so they escape them (:mod:`cxtemplate.report.markup`): a
sentence's Markdown is turned into HTML here with raw HTML shown as text, and every cell, header,
caption and note of a table is escaped. A comment, label or name from the data can never become
markup on a page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cxtemplate.report.markup import clean_html, markdown_html, text

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}


# --------------------------------------------------------------------------- number formatting


def _missing(x: Any) -> bool:
    try:
        return x is None or (isinstance(x, float) and math.isnan(x)) or bool(x != x)
    except (TypeError, ValueError):  # pandas' NA: its comparisons are NA, whose truth value is undefined
        return type(x).__name__ == "NAType"


_SIGNED_ZERO = re.compile(r"^([-−+])(0(?:[.,]0+)?)(?![\d.,])")


def unsigned_zero_text(shown: str) -> str:
    """``shown`` without the sign of a value that rounds to zero: '-0.0' → '0.0', '−0%' → '0%', '+0.0' → '0.0'.

    >>> [unsigned_zero_text(t) for t in ("-0.0", "−0%", "+0.0 points", "-0.05", "-10.0", "0.0")]
    ['0.0', '0%', '0.0 points', '-0.05', '-10.0', '0.0']
    """
    return _SIGNED_ZERO.sub(r"\2", str(shown))


def fmt_num(x: Any, decimals: int = 0) -> str:
    """A number with thousands separators and fixed decimals; '–' when missing; never '-0'.

    >>> fmt_num(1234.56, 1), fmt_num(-0.04, 1), fmt_num(None)
    ('1,234.6', '0.0', '–')
    """
    if _missing(x):
        return "–"
    return unsigned_zero_text(f"{float(x):,.{decimals}f}")


def fmt_amount(x: Any) -> str:
    """A measured amount with as many decimals as its size needs, never in scientific notation.

    >>> [fmt_amount(v) for v in (134000.4, 62400, 1234.5, 12.345, 0.5, 0.0123, -0.0004)]
    ['134,000', '62,400', '1,234', '12.3', '0.5', '0.0123', '0']
    """
    if _missing(x):
        return "–"
    v = float(x)
    if abs(v) >= 100:
        return fmt_num(v, 0)
    if abs(v) < 0.001:
        return "0"
    decimals = max(0, 2 - int(math.floor(math.log10(abs(v)))))  # three significant digits
    return unsigned_zero_text(f"{v:,.{decimals}f}".rstrip("0").rstrip(".") if "." in f"{v:.{decimals}f}" else f"{v:,.{decimals}f}")


def fmt_signed(x: Any, decimals: int = 1) -> str:
    """A change with an explicit sign, e.g. '+2.4' or '−3.0' (true minus sign); a change that rounds to zero is '0.0'.

    >>> fmt_signed(2.44), fmt_signed(-3), fmt_signed(-0.04), fmt_signed(0)
    ('+2.4', '−3.0', '0.0', '0.0')
    """
    if _missing(x):
        return "–"
    s = unsigned_zero_text(f"{float(x):+,.{decimals}f}")
    return s.replace("-", "−")


def fmt_pct(x: Any, decimals: int = 0, *, share: bool = False) -> str:
    """A percentage; ``share=True`` when ``x`` is a 0–1 share rather than 0–100; never '-0%'.

    >>> fmt_pct(12.345, 1), fmt_pct(0.5, share=True), fmt_pct(-0.2)
    ('12.3%', '50%', '0%')
    """
    if _missing(x):
        return "–"
    v = float(x) * (100 if share else 1)
    return unsigned_zero_text(f"{v:,.{decimals}f}%")


NO_CURRENCY_NOTE = ("Amounts are shown without a currency symbol: the parameters set no "
                    "`organisation.currency`, and none is assumed.")
"""What a page with money says once when the organisation's currency is unknown (:func:`currency_note`)."""


def currency_note(currency: str | None) -> str:
    """The note on plain amounts when no currency is set (``""`` with one), for a page that shows money.

    >>> currency_note("GBP")
    ''
    >>> currency_note(None).startswith("<span class='cx-note'>Amounts are shown without a currency symbol")
    True
    """
    return "" if currency else f"<span class='cx-note'>{NO_CURRENCY_NOTE}</span>"


def fmt_ci(lo: Any, hi: Any, decimals: int = 1) -> str:
    """An interval as 'low to high'."""
    if _missing(lo) or _missing(hi):
        return "–"
    return f"{fmt_num(lo, decimals)} to {fmt_num(hi, decimals)}"


def fmt_money(x: Any, currency: str | None = None, decimals: int = 0) -> str:
    """An amount with its currency symbol (or ISO code when the symbol is unknown).

    With no currency (``None`` or ``""``: the organisation's currency is unknown) the amount is shown plainly,
    '1,234', never in an assumed currency; the page says once that amounts carry no currency.
    """
    if _missing(x):
        return "–"
    body = f"{abs(float(x)):,.{decimals}f}"
    sign = "−" if float(x) < 0 and float(body.replace(",", "")) != 0 else ""
    if not currency:
        return f"{sign}{body}"
    sym = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"


def fmt_money_range(lo: Any, hi: Any, currency: str | None = None, decimals: int = 0) -> str:
    """An interval of amounts: '£342,117 to £479,722' ('–' when either end is missing).

    >>> fmt_money_range(342117.2, 479722, "GBP"), fmt_money_range(1, None, "GBP")
    ('£342,117 to £479,722', '–')
    """
    if _missing(lo) or _missing(hi):
        return "–"
    return f"{fmt_money(lo, currency, decimals)} to {fmt_money(hi, currency, decimals)}"


def money_axis(ax, currency: str | None = None, axis: str = "x", decimals: int = 0):
    """Label a matplotlib axis in money: currency symbol and thousands separators ('£25,000', not '25000').

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    currency : str, optional
        ISO code (``cfg.organisation.currency``); plain amounts when ``None``.
    axis : {"x", "y"}
    decimals : int

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.
    """
    from matplotlib.ticker import FuncFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_money(v, currency, decimals)))
    return ax


def fmt_p(p: Any) -> str:
    """A p-value the way a report shows it ('< 0.001', '0.03')."""
    if _missing(p):
        return "–"
    p = float(p)
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


# --------------------------------------------------------------------------- formats of table cells


def p_value_cell(p: float) -> str:
    """An adjusted p-value in a table: three decimals, ``< 0.001`` below 0.001.

    >>> [p_value_cell(p) for p in (0.0004, 0.0123, 0.5)]
    ['< 0.001', '0.012', '0.500']
    """
    return fmt_p(p) if p < 0.001 else f"{p:.3f}"


def fixed(decimals: int = 1) -> Callable[[float], str]:
    """A format for levels: ``decimals`` decimals, and a value that rounds to zero reads ``0.0`` (never ``-0.0``).

    >>> [fixed(1)(v) for v in (2.345, -0.04, -1.0)]
    ['2.3', '0.0', '-1.0']
    """
    def fmt(v: float) -> str:
        text = f"{v:.{decimals}f}"
        return text.lstrip("-") if float(text) == 0 else text

    return fmt


def signed(decimals: int = 1) -> Callable[[float], str]:
    """A format for changes: an explicit sign, except for a value that rounds to zero (``0.0``, not ``-0.0``).

    >>> [signed(1)(v) for v in (2.345, -0.04, 0.04, -1.0)]
    ['+2.3', '0.0', '0.0', '-1.0']
    """
    def fmt(v: float) -> str:
        text = f"{v:+.{decimals}f}"
        return text[1:] if float(text) == 0 else text

    return fmt


# --------------------------------------------------------------------------- tables ready to show


@dataclass(frozen=True)
class TableView:
    """A table as a page shows it: readable column names, number formats, a title and a note.

    Analysis helpers build these (so the choice of columns, their labels and formats is tested with
    the analysis) and notebooks hand them to :func:`show_table` unchanged.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows and columns to show, with the column names the reader sees.
    title : str, optional
        Caption above the table.
    formats : mapping, optional
        Column → format string (``"{:,.1f}"``) or callable, as :func:`show_table` takes them.
    note : str, optional
        A line under the table.
    max_rows : int
        Show at most this many rows.
    empty : str, optional
        The one sentence a page shows instead of the table when it has no rows (e.g. "No row was
        quarantined."); without it an empty table is shown as such.
    """

    frame: Any
    title: str | None = None
    formats: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    max_rows: int = 60
    empty: str | None = None

    @property
    def columns(self) -> list[str]:
        """The column names the reader sees."""
        return list(self.frame.columns)


def labelled(df, columns: Mapping[str, str]):
    """The columns of ``df`` named in ``columns`` (those it has), in that order, under their labels.

    Parameters
    ----------
    df : pandas.DataFrame
    columns : mapping
        Column → label, in the order to show; columns ``df`` lacks are skipped.

    Returns
    -------
    pandas.DataFrame
        A new frame; ``df`` is unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> labelled(pd.DataFrame({"n": [3], "p_adj": [0.2], "x": [1]}), {"p_adj": "Adjusted p", "n": "n"}).columns.tolist()
    ['Adjusted p', 'n']
    """
    keep = [c for c in columns if c in df.columns]
    return df[keep].rename(columns={c: columns[c] for c in keep})


# --------------------------------------------------------------------------- notebook output


def say(text: str) -> None:
    """Show a Markdown paragraph (a finding, an explanation) in the notebook.

    The Markdown becomes HTML here (:func:`cxtemplate.report.markup.markdown_html`): ``**bold**``,
    ``*italics*``, headings and the package's ``<span class='cx-note'>`` notes work; any other HTML in
    the text (a comment, a label, a name from the data) is shown as text.
    """
    from IPython.display import HTML, display

    if not str(text).strip():
        return  # a sentence builder with nothing to say (e.g. no join warning) shows nothing
    display(HTML(markdown_html(text)))


def _default_text(value: Any) -> str:
    """A value as pandas' Styler shows it without a format (floats with its precision option)."""
    import pandas as pd

    if pd.api.types.is_float(value) or pd.api.types.is_complex(value):
        return f"{value:.{pd.get_option('styler.format.precision')}f}"
    return str(value)


_P_HEADERS = re.compile(r"^(?:(?:bh[- ])?adjusted p(?:[- ]value)?|p(?:[- ]value)?(?: \(adjusted\)| adjusted)?|p_adj|"
                        r"p \(bh\)|p-value \(bh\)|.* p)$", re.IGNORECASE)


def is_p_header(header: Any) -> bool:
    """Whether a table column holds p-values by its header ('p', 'Adjusted p', 'p-value', 'Trend p').

    >>> [is_p_header(h) for h in ("p", "Adjusted p", "p-value (BH)", "Trend p", "Top group", "n")]
    [True, True, True, True, False, False]
    """
    return isinstance(header, str) and bool(_P_HEADERS.match(header.strip()))


def _p_cell(fmt: Any) -> Callable[[float], str]:
    """A p-value cell under ``fmt`` (default :func:`p_value_cell`), reading '< 0.001' below 0.001 whatever it is."""
    def cell(p: float) -> str:
        if fmt is None or float(p) < 0.001:
            return p_value_cell(float(p))
        return fmt.format(p) if isinstance(fmt, str) else fmt(p)

    return cell


def _cell_text(fmt: Any) -> Callable[[Any], str]:
    """The escaped text of a cell under ``fmt`` (a format string, a callable or ``None``); '–' when missing.

    A value that rounds to zero never shows a sign ('-0.0' reads '0.0').
    """
    def cell(value: Any) -> str:
        if _missing(value):
            return "–"
        shown = _default_text(value) if fmt is None else fmt.format(value) if isinstance(fmt, str) else fmt(value)
        return text(unsigned_zero_text(shown))

    return cell


def show_table(df, title: str | None = None, *, formats: Mapping[str, Any] | None = None,
               note: str | None = None, hide_index: bool = True, max_rows: int = 60,
               highlight: Mapping[str, str] | None = None) -> None:
    """Show a DataFrame (or a :class:`TableView`) as a styled table with a title and formatted numbers.

    Parameters
    ----------
    df : pandas.DataFrame or TableView
        The table. Column names are shown as given, so pass readable ones. A :class:`TableView` brings its
        own title, formats, note and row limit (arguments given here override them).
    title : str, optional
        Caption above the table.
    formats : mapping, optional
        Column → format string (``"{:,.1f}"``) or callable. Numeric columns without a format
        get thousands separators and up to one decimal.
    note : str, optional
        A line under the table (e.g. how many cells were suppressed, the metric definition).
    hide_index : bool
        Hide the DataFrame index (default).
    max_rows : int
        Show at most this many rows and say how many were left out.
    highlight : mapping, optional
        Column → CSS colour applied to the whole column (e.g. the column a reader should look at).
    """
    import pandas as pd
    from IPython.display import HTML, display

    if isinstance(df, TableView):
        view = df
        if view.empty is not None and len(view.frame) == 0:
            say(view.empty)
            return
        df, title, note = view.frame, title or view.title, note or view.note
        formats = {**view.formats, **(formats or {})}
        max_rows = view.max_rows if max_rows == 60 else max_rows
    shown = df.head(max_rows)
    fmt: dict[Any, Any] = {}
    for col in shown.columns:
        if is_p_header(col) and pd.api.types.is_float_dtype(shown[col]):
            fmt[col] = _p_cell((formats or {}).get(col))  # '< 0.001', never '0.000', whatever format was asked
        elif formats and col in formats:
            fmt[col] = formats[col]
        elif pd.api.types.is_bool_dtype(shown[col]):
            fmt[col] = lambda v: "yes" if v else "no"
        elif pd.api.types.is_integer_dtype(shown[col]):
            fmt[col] = lambda v: fmt_num(v, 0)
        elif pd.api.types.is_float_dtype(shown[col]):
            fmt[col] = lambda v: fmt_num(v, 1)
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])]
    numeric += [c for c in (formats or {}) if c in shown.columns and c not in numeric
                and shown[c].map(lambda v: isinstance(v, (int, float)) or v is None).all()]
    short = [c for c in shown.columns if c not in numeric and shown[c].astype(str).str.len().max() <= 12]
    # The Styler only lays the table out: it gets every cell, header and name already formatted and
    # escaped (it writes them into the HTML as they are).
    label = _cell_text(None)
    cells = pd.DataFrame({i: [_cell_text(fmt.get(c))(v) for v in shown.iloc[:, i]]
                          for i, c in enumerate(shown.columns)}, index=shown.index)
    cells.columns = shown.columns
    cells = cells.rename(index=label, columns=label).rename_axis(
        index=[None if n is None else label(n) for n in shown.index.names],
        columns=[None if n is None else label(n) for n in shown.columns.names])
    shown_as = dict(zip(shown.columns, cells.columns))
    styler = cells.style.set_table_attributes('class="cx-table"')
    if short:
        styler = styler.set_properties(subset=[shown_as[c] for c in short], **{"white-space": "nowrap"})
    if numeric:
        styler = styler.set_properties(subset=[shown_as[c] for c in numeric],
                                       **{"text-align": "right", "white-space": "nowrap"})
        styler = styler.set_table_styles([{"selector": f"th.col{list(shown.columns).index(c)}",
                                           "props": [("text-align", "right")]} for c in numeric], overwrite=False)
    if hide_index:
        styler = styler.hide(axis="index")
    if title:
        styler = styler.set_caption(text(title))
    for col, colour in (highlight or {}).items():
        if col in shown.columns:
            styler = styler.set_properties(subset=[shown_as[col]], **{"font-weight": "600", "color": colour})
    display(HTML(f'<div class="cx-table-wrap">{styler.to_html()}</div>'))
    extra = len(df) - len(shown)
    notes = [n for n in (note, f"{extra:,} more row{'s' if extra != 1 else ''} not shown; the full table is in the run's artifacts."
                                   if extra > 0 else None) if n]
    if notes:
        display(HTML("".join(f'<p class="cx-note">{text(n)}</p>' for n in notes)))


def show_html(html: str) -> None:
    """Show a block of HTML the package built (e.g. the summary's headline cards).

    Its values are escaped where it is built; it is also cleaned here
    (:func:`cxtemplate.report.markup.clean_html`), so a tag or attribute the package does not use is shown as text.
    """
    from IPython.display import HTML, display

    display(HTML(clean_html(html)))


def figure_alt(fig) -> str:
    """The alt text of a chart without one of its own: 'Chart: ' and its title (or its axes' titles)."""
    titles = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        titles.append(suptitle.get_text().strip())
    titles += [ax.get_title(loc=loc).strip() for ax in fig.axes for loc in ("left", "center", "right")
               if ax.get_title(loc=loc).strip()]  # the house theme titles charts on the left
    return f"Chart: {'; '.join(dict.fromkeys(titles))}" if titles else "Chart"


def show_figure(fig, alt: str | None = None) -> None:
    """Display a matplotlib figure once, as a PNG with its alt text, and release its memory.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str, optional
        What the chart shows, for a reader who cannot see it: its title and one sentence reading it
        ("NPS by month: fell from 18 to 12 over the last six months"). Without it, the chart's titles
        (:func:`figure_alt`). The page writes it as the image's ``alt`` (escaped there).
    """
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure
    from IPython.display import Image, display

    png = print_figure(fig, "png", bbox_inches="tight")
    description = " ".join(str(alt).split()) if alt and str(alt).strip() else figure_alt(fig)
    display(Image(data=png, format="png", metadata={"alt": description}))
    plt.close(fig)


def absent_text(what: str, consequence: str) -> str:
    """The one sentence a section says when its input is absent, e.g. no conversations.

    >>> absent_text("There are no conversation records", "contact analytics are skipped")
    '*There are no conversation records — contact analytics are skipped*'
    """
    return f"*{what} — {consequence}*"


def absent(what: str, consequence: str) -> None:
    """Show the one sentence of an absent input (:func:`absent_text`)."""
    say(absent_text(what, consequence))
