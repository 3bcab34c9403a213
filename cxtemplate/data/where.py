"""Row filters of the params (``where:``), evaluated on a table: plain comparisons, never ``eval``.

The language is read and checked for its form by :func:`cxtemplate.config.schema.normalise_where` (column →
{operator: value}, every condition must hold); this module checks it against a table's columns
(:func:`where_problems`), keeps the matching rows (:func:`where_mask`) and says it in words
(:func:`describe_where`). Sources (``sources.<table>.where``), objectives and churn cohorts share it.

Types decide how a value compares: a number column compares as numbers (a value written as text must read
as a number), a true/false column with true/false (or yes/no, 1/0), a date column with dates, and any other
column as text, exactly as written (surrounding spaces ignored). A missing value matches no condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxtemplate.config.schema import WHERE_ORDERED, normalise_where

TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})
_SYMBOLS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


class WhereError(ValueError):
    """A ``where:`` condition that cannot be evaluated on the table (a missing column, a type that does not fit)."""


def where_columns(where: Mapping[str, Any]) -> list[str]:
    """The columns a filter reads, in the order written."""
    return list(normalise_where(dict(where or {})))


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_numeric_dtype(s):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    return "text"


def _as_number(column: str, value: Any, key: str) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise WhereError(f"{key}.{column}: the column holds numbers, but the condition compares it with "
                         f"{value!r}") from None


def _as_bool(column: str, value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise WhereError(f"{key}.{column}: the column holds true/false, but the condition compares it with {value!r}")


def _as_time(column: str, value: Any, key: str, tz) -> pd.Timestamp:
    if isinstance(value, (bool, int, float, np.number)):  # pd.Timestamp(2020) is 2,020 ns after 1970
        raise WhereError(f"{key}.{column}: the column holds dates, but the condition compares it with the number "
                         f"{value!r}; write a date (YYYY-MM-DD)")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise WhereError(f"{key}.{column}: the column holds dates, but the condition compares it with "
                         f"{value!r}") from None
    if tz is not None and ts.tzinfo is None:
        ts = ts.tz_localize(tz)
    return ts


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def where_problems(where: Mapping[str, Any], columns: Sequence[str], *, key: str = "where") -> list[str]:
    """What keeps a filter from being evaluated on a table with these columns (empty when nothing does).

    Parameters
    ----------
    where : mapping
        The filter, as the params give it.
    columns : sequence of str
        The table's columns.
    key : str
        Its key path in the params (``sources.customers.where``), named in each problem.

    Returns
    -------
    list of str
        One sentence per column the table lacks, with the closest column name when there is one.
    """
    import difflib

    out = []
    for column in where_columns(where):
        if column not in columns:
            close = difflib.get_close_matches(column, list(map(str, columns)), n=1, cutoff=0.6)
            out.append(f"{key}.{column}: there is no column '{column}' in the table"
                       + (f" (did you mean '{close[0]}'?)" if close else ""))
    return out


def where_mask(frame: pd.DataFrame, where: Mapping[str, Any], *, key: str = "where") -> np.ndarray:
    """Which rows of ``frame`` match every condition of ``where`` (all rows for an empty filter).

    Parameters
    ----------
    frame : DataFrame
    where : mapping
        The filter (column → value, list or {operator: value}; see
        :func:`cxtemplate.config.schema.normalise_where`).
    key : str
        The filter's key path in the params, named in errors.

    Returns
    -------
    numpy.ndarray of bool

    Raises
    ------
    WhereError
        A column the table lacks, or a condition whose value does not fit the column (text compared with a
        number column, ``<`` on a text column).
    """
    where = normalise_where(dict(where or {}))
    problems = where_problems(where, list(frame.columns), key=key)
    if problems:
        raise WhereError("; ".join(problems))
    keep = np.ones(len(frame), dtype=bool)
    for column, ops in where.items():
        s = frame[column]
        kind = _kind(s)
        present = s.notna().to_numpy(bool)
        if kind == "text":
            values = s.astype("string").str.strip()
        elif kind == "date":
            values = s
        else:
            values = s.astype(float) if kind == "number" else s.astype("boolean")
        for op, value in ops.items():
            if op in WHERE_ORDERED and kind not in ("number", "date"):
                raise WhereError(f"{key}.{column}: '{op}' compares numbers or dates, but the column holds "
                                 f"{'true/false' if kind == 'bool' else 'text'}")
            targets = value if op in ("in", "not in") else [value]
            if kind == "number":
                targets = [_as_number(column, v, key) for v in targets]
            elif kind == "bool":
                targets = [_as_bool(column, v, key) for v in targets]
            elif kind == "date":
                targets = [_as_time(column, v, key, getattr(s.dt, "tz", None)) for v in targets]
            else:
                targets = [_text(v) for v in targets]
            if op in ("in", "==", "not in", "!="):
                hit = values.isin(targets).fillna(False).to_numpy(bool)
                hit = ~hit if op in ("not in", "!=") else hit
            else:
                cmp = {"<": values.lt, "<=": values.le, ">": values.gt, ">=": values.ge}[op]
                hit = cmp(targets[0]).fillna(False).to_numpy(bool)
            keep &= hit & present
    return keep


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe_where(where: Mapping[str, Any], empty: str = "all customers") -> str:
    """A filter in words, as pages and artifacts name it: ``"contract = Month-to-month, tenure ≥ 12"``.

    A list reads ``"payment_method = Electronic check or Mailed check"``; ``not in`` reads
    ``"plan is not Basic or Premium"``; an empty filter reads ``empty``.
    """
    parts = []
    for column, ops in normalise_where(dict(where or {})).items():
        for op, value in ops.items():
            if op == "in":
                parts.append(f"{column} = {' or '.join(_value_text(v) for v in value)}")
            elif op == "not in":
                parts.append(f"{column} is not {' or '.join(_value_text(v) for v in value)}")
            else:
                parts.append(f"{column} {_SYMBOLS[op]} {_value_text(value)}")
    return ", ".join(parts) or empty


__all__ = ["WhereError", "describe_where", "where_columns", "where_mask", "where_problems"]
