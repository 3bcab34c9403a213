"""Reporting windows: which periods a figure covers, and the words printed beside it.

The same NPS reads 12.2 over the latest month and 10.6 over six months; a page that shows both without
saying so looks inconsistent. Each kind of figure has its window in the params (``reporting.windows``:
``cards`` 1 period, ``locations`` 3, ``objectives`` 3, ``drivers`` and ``topics`` all data by default) and
:func:`window` turns it into the periods covered and the label every caption prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Window", "window"]

_UNIT = {"M": ("month", "months"), "Q": ("quarter", "quarters")}


@dataclass(frozen=True)
class Window:
    """The periods a figure covers.

    Attributes
    ----------
    start, end : pandas.Period
        First and last period covered (inclusive).
    n_periods : int
        How many periods it covers (fewer than asked when the data are shorter).
    label : str
        What a caption prints, e.g. ``"2025-10 to 2025-12 (last 3 months)"``.
    """

    start: pd.Period
    end: pd.Period
    n_periods: int
    label: str

    def contains(self, times: pd.Series) -> pd.Series:
        """Which of ``times`` (timestamps or periods) fall in the window, as a boolean Series."""
        s = pd.Series(times)
        if not isinstance(s.dtype, pd.PeriodDtype):
            s = pd.to_datetime(s).dt.tz_localize(None).dt.to_period(self.end.freqstr[0])
        return (s >= self.start) & (s <= self.end)


def _periods(periods: Iterable[Any], freq: str) -> pd.PeriodIndex:
    values = pd.Series(list(periods))
    if values.empty:
        return pd.PeriodIndex([], freq=freq)
    if isinstance(values.dtype, pd.PeriodDtype):
        idx = pd.PeriodIndex(values.dropna()).asfreq(freq)
    else:
        stamps = pd.to_datetime(values.dropna())
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        idx = pd.PeriodIndex(stamps.dt.to_period(freq))
    return idx.unique().sort_values()


def window(periods: Iterable[Any], n: int | None, freq: str = "M") -> Window:
    """The window of the last ``n`` periods of the data (all of them when ``n`` is ``None``).

    Parameters
    ----------
    periods : iterable
        The data's periods or timestamps (e.g. ``responses["responded_at"]``); the window ends at the latest.
    n : int or None
        Periods in the window, from the params' ``reporting.windows``; ``None`` covers all the data.
    freq : {"M", "Q"}
        The reporting frequency (``cfg.period_freq()``).

    Returns
    -------
    Window

    Raises
    ------
    ValueError
        When there are no periods at all.

    Examples
    --------
    >>> months = pd.period_range("2025-01", "2025-12", freq="M")
    >>> window(months, 3, "M").label
    '2025-10 to 2025-12 (last 3 months)'
    >>> window(months, 1, "M").label
    '2025-12 (latest month)'
    >>> window(months, None, "M").label
    '2025-01 to 2025-12 (all 12 months)'
    >>> window(months[:2], 6, "M").label
    '2025-01 to 2025-02 (the 2 months there are)'
    """
    freq = freq[0].upper()
    idx = _periods(periods, freq)
    if len(idx) == 0:
        raise ValueError("a reporting window needs at least one period of data")
    one, many = _UNIT.get(freq, ("period", "periods"))
    end = idx[-1]
    if n is not None and n < 1:
        raise ValueError(f"a reporting window covers at least one period, not {n}")
    span = pd.period_range(idx[0], end, freq=freq)
    if n is None:
        start, count = span[0], len(span)
        words = f"all {count} {one if count == 1 else many}" if count > 1 else f"the only {one}"
    elif n <= len(span):
        start, count = span[-n], n
        words = f"latest {one}" if n == 1 else f"last {n} {many}"
    else:
        start, count = span[0], len(span)
        words = f"the only {one}" if count == 1 else f"the {count} {many} there are"
    label = f"{start} ({words})" if count == 1 else f"{start} to {end} ({words})"
    return Window(start=start, end=end, n_periods=count, label=label)
