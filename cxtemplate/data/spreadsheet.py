"""Spreadsheet-safe exports: every CSV and XLSX file the package writes goes through here.

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` (or with a tab or a carriage return)
is read by Excel, LibreOffice and Google Sheets as a formula: ``=HYPERLINK(...)`` becomes a
live link, ``=cmd|' /C calc'!A0`` a DDE command. Comments, agent ids, owner names and contact
names come from the client's exports and the params, so any of them may carry one. OWASP's
CSV-injection rule (https://owasp.org/www-community/attacks/CSV_Injection) is applied to every
cell by :func:`safe_cell`:

- a text whose first character, after any leading white space or control characters, is one
  of ``= + - @``, tab, carriage return (or their full-width forms ``＝ ＋ － ＠``) gets a single
  quote in front, so the spreadsheet shows it as text; in a CSV file such a field is also
  enclosed in double quotes (embedded quotes doubled), so no reader splits it before it sees
  the quote;
- in an XLSX workbook no cell is ever a formula: such a text is stored as a text cell with
  Excel's ``quotePrefix`` style (what Excel records when a user types the single quote), so it
  shows as written and stays text when edited;
- numbers stay numbers: numeric, boolean and date values are never touched, and neither is a
  text that is a plain number (``-12.5``, ``+3``, ``-1,000``, ``-5%``), which no spreadsheet
  evaluates as anything but itself. ``-1+1`` is not a plain number and is neutralised.

:func:`write_csv` and :func:`write_xlsx` are the package's only writers of these formats;
:func:`safe_frame` is what the CSV writer applies to the frame (column names included).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
"""First characters a spreadsheet may read as the start of a formula (OWASP, plus full-width forms)."""

QUOTE = "'"
_LEADING = re.compile(r"[\s\x00-\x1f\x7f\ufeff\u200b-\u200d\u2060]*")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?")


def needs_neutralising(value) -> bool:
    """Whether a spreadsheet could read ``value`` as a formula (see the module's rule).

    Parameters
    ----------
    value : object
        A cell's value. Only ``str`` values can be formulas.

    Returns
    -------
    bool
    """
    if not isinstance(value, str) or not value:
        return False
    if value[0] in FORMULA_STARTS:
        first = value
    else:
        first = value[_LEADING.match(value).end():]
        if not first or first[0] not in FORMULA_STARTS:
            return False
    if first[0] in "\t\r":
        return True
    return _PLAIN_NUMBER.fullmatch(value.strip()) is None


def safe_cell(value):
    """``value`` as a spreadsheet shows it without evaluating it.

    Parameters
    ----------
    value : object
        A cell's value.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` is text a spreadsheet would read as a formula; ``value``
        unchanged otherwise (numbers, dates, missing values, ordinary text, plain numbers
        written as text). Applying it twice changes nothing more.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\",\\"y\\")")
    '\\'=HYPERLINK("http://x","y")'
    >>> safe_cell(-3.5), safe_cell("-3.5"), safe_cell("-1+1")
    (-3.5, '-3.5', "'-1+1")
    """
    return QUOTE + value if needs_neutralising(value) else value


def _neutralise_column(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The column with formula-like texts neutralised, and where that was done."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if not (cats.dtype == object or pd.api.types.is_string_dtype(cats.dtype)):
            return s, pd.Series(False, index=s.index)
        flagged = [needs_neutralising(c) for c in cats]
        if not any(flagged):
            return s, pd.Series(False, index=s.index)
        hit = s.isin([c for c, f in zip(cats, flagged) if f]).fillna(False).astype(bool)
        return s.astype(object).map(safe_cell), hit
    if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
        return s, pd.Series(False, index=s.index)
    values = s.astype(object)
    hit = values.map(needs_neutralising).astype(bool)
    if not hit.any():
        return s, hit
    out = values.where(~hit, QUOTE + values[hit].astype(str))
    return out, hit


def _neutralised(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[bool], pd.DataFrame]:
    """A copy of ``frame`` made safe, with which column names and which cells were changed."""
    out = frame.copy()
    hits = {}
    for i in range(out.shape[1]):
        col, hit = _neutralise_column(out.iloc[:, i])
        if hit.any():
            out.isetitem(i, col)
        hits[i] = hit.to_numpy()
    header = [needs_neutralising(c) for c in out.columns]
    out.columns = [safe_cell(c) for c in out.columns]
    cells = pd.DataFrame(hits, index=out.index) if hits else pd.DataFrame(index=out.index)
    return out, header, cells


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose every text cell and column name passes :func:`safe_cell`.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Same shape, index and dtypes for every column that held no formula-like text (numeric,
        boolean and date columns are never changed).
    """
    return _neutralised(frame)[0]


# --------------------------------------------------------------------------- CSV


def _csv_field(text: str, force: bool) -> str:
    if force or any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(frame: pd.DataFrame, path: Path | str, *, index: bool = False) -> Path:
    """Write ``frame`` to a UTF-8 CSV file that opens safely in a spreadsheet.

    Values are formatted as :meth:`pandas.DataFrame.to_csv` formats them, and quoted by the
    minimal rule (a field holding a comma, a double quote, a line feed or a carriage return is
    enclosed in double quotes), so a file with nothing to neutralise is byte for byte what pandas
    writes, except that a carriage return inside a field is quoted too (pandas leaves it bare,
    and a spreadsheet would start a new row there, where a formula could begin). Every
    neutralised field is prefixed with a single quote and enclosed in double quotes.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : path-like
        The file; its folder is created when missing.
    index : bool, default False
        Write the index as the first column(s).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if index:
        frame = frame.reset_index()
    safe, header, cells = _neutralised(frame)
    # pandas formats the values; quoting every field lets them be read back whole (a carriage return
    # inside a field is not quoted by csv's minimal rule, and would split the row in a spreadsheet)
    text = safe.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_ALL)
    rows = csv.reader(io.StringIO(text))  # lines split at "\n" only: a "\r" stays inside its field
    forced = [header, *cells.to_numpy(dtype=bool).tolist()] if len(cells.columns) else None
    lines = []
    for r, row in enumerate(rows):
        flags = forced[r] if forced is not None and r < len(forced) else [False] * len(row)
        if len(row) == 1 and row[0] == "":
            lines.append('""')
            continue
        lines.append(",".join(_csv_field(v, f) for v, f in zip(row, flags)))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("".join(line + "\n" for line in lines))
    return path


# --------------------------------------------------------------------------- XLSX


def write_xlsx(path: Path | str, sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, *, styled: bool = True) -> Path:
    """Write one or several tables to an XLSX workbook that opens safely in a spreadsheet.

    No cell is stored as a formula: every cell is written as a value, and a text a spreadsheet would
    read as a formula (:func:`needs_neutralising`) is stored as text with the ``quotePrefix`` style,
    which is how Excel itself keeps a text typed after a single quote: the cell shows the text as it
    is ("+8.0 NPS points", "=HYPERLINK(...)" as plain text) and stays text when it is edited. Time
    zones are dropped from date-times (Excel has none), sheet names are cut to Excel's 31 characters.

    Parameters
    ----------
    path : path-like
        The workbook; its folder is created when missing.
    sheets : mapping of str to DataFrame, or DataFrame
        The sheets in order (a single frame becomes the sheet "Sheet1").
    styled : bool, default True
        Bold, shaded, wrapped header row frozen at the top, and column widths from the content.

    Returns
    -------
    pathlib.Path
    """
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Sheet1": sheets}
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in sheets.items():
            out = df.copy()
            for i in range(out.shape[1]):
                col = out.iloc[:, i]
                if pd.api.types.is_datetime64_any_dtype(col) and getattr(col.dt, "tz", None) is not None:
                    out.isetitem(i, col.dt.tz_localize(None))
            title = str(name)[:31]
            out.to_excel(xl, sheet_name=title, index=False)
            ws = xl.sheets[title]
            _, header, cells = _neutralised(out)
            flagged = [(1, j + 1) for j, hit in enumerate(header) if hit]
            if len(cells.columns):
                rows, cols = cells.to_numpy(dtype=bool).nonzero()
                flagged += [(int(r) + 2, int(c) + 1) for r, c in zip(rows, cols)]
            for r, c in flagged:
                cell = ws.cell(row=r, column=c)
                cell.data_type = "s"  # openpyxl reads a str starting with "=" as a formula: it is text
                cell.quotePrefix = True
            for row in ws.iter_rows():  # by construction: no cell of a data frame is ever a formula
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type, cell.quotePrefix = "s", True
            if not styled:
                continue
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="EEF2F6")
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for i in range(out.shape[1]):
                col = out.iloc[:, i]
                width = min(60, max(10, int(col.astype(str).str.len().quantile(0.9)) if len(out) else 10,
                                    len(str(out.columns[i]))))
                ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = width + 2
    return path


__all__ = ["FORMULA_STARTS", "needs_neutralising", "safe_cell", "safe_frame", "write_csv", "write_xlsx"]
