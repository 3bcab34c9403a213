"""A sustained trend over the last few periods: the test that sees a slow slide no month-on-month test catches.

A metric that loses two points a month for six months never changes "significantly" from one month to the
next (each step is inside the noise of two monthly samples), yet it has fallen by twelve points. The
period-on-period tests of :func:`cxtemplate.measure.trends.compare_periods` answer "did this month differ from
the last?"; :func:`recent_trend` answers "has the metric been moving one way over the last ``periods``
periods?", by the same weighted least-squares slope the objectives use for their trajectory: each period's
value weighted by its inverse sampling variance, the slope's standard error inflated by the month-to-month
wobble beyond sampling error (over-dispersion, never below it) and then tested on ``k − 2`` degrees of
freedom (a t test), so that an ordinary wobble is not called a trend.

It works on a period table (:func:`cxtemplate.measure.trends.period_table`, or notebook 04's
``trend_<metric>`` artifacts): frames in, results out.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cxtemplate.measure.spec import z_value

__all__ = ["Trend", "recent_trend"]


@dataclass(frozen=True)
class Trend:
    """The slope of a metric over its last periods and its test.

    Attributes
    ----------
    periods : int
        Periods with data in the fit.
    start, end : str
        First and last period of the fit.
    first, last : float
        The metric's observed value in the first and the last period.
    slope, se : float
        Change per period and its standard error (over-dispersion allowed for).
    ci_low, ci_high : float
        Interval of the slope.
    p : float
        Two-sided p-value of "no trend" (t test on ``periods − 2`` degrees of freedom).
    significant : bool
        ``p < alpha``.
    direction : {"down", "up", "flat"}
        "down"/"up" when significant, else "flat".
    """

    periods: int
    start: str
    end: str
    first: float
    last: float
    slope: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    significant: bool
    direction: str

    @property
    def change(self) -> float:
        """The fitted change over the window: slope × (periods − 1)."""
        return self.slope * (self.periods - 1)

    def as_dict(self) -> dict:
        """The fields as a plain dict (for a JSON artifact)."""
        return asdict(self)


def recent_trend(table: pd.DataFrame, periods: int = 6, *, conf: float = 0.95, alpha: float = 0.05,
                 period_col: str = "period") -> Trend | None:
    """Weighted least-squares slope of the last ``periods`` periods of a period table, with its t test.

    Parameters
    ----------
    table : DataFrame
        One row per period with ``value`` and ``se`` (a :func:`~cxtemplate.measure.trends.period_table`).
    periods : int
        Periods at the end of the table to fit (at least 4); periods without a value or with ``se`` 0 are
        skipped, and their position in time is kept (a gap does not bend the slope).
    conf : float
        Confidence level of the slope's interval.
    alpha : float
        Significance level of ``significant``.
    period_col : str
        The period column.

    Returns
    -------
    Trend or None
        ``None`` when fewer than 4 of the last ``periods`` periods have a value.

    Examples
    --------
    A steady slide of 2 points a month, each month ±1.8 (n ≈ 700 responses):

    >>> t = pd.DataFrame({"period": pd.period_range("2025-07", periods=6, freq="M"),
    ...                   "value": [72.0, 70.0, 68.0, 66.0, 64.0, 62.0], "se": [1.8] * 6})
    >>> tr = recent_trend(t)
    >>> round(tr.slope, 2), tr.direction, tr.p < 0.001
    (-2.0, 'down', True)
    """
    if periods < 4:
        raise ValueError(f"a trend needs at least 4 periods, got {periods}")
    t = table.sort_values(period_col).reset_index(drop=True)
    if t.empty:
        return None
    col = t[period_col]
    per = pd.PeriodIndex(col) if isinstance(col.dtype, pd.PeriodDtype) else \
        pd.PeriodIndex([pd.Period(str(v)) for v in col])  # "2025-12", "2025Q4": the string carries the frequency
    x_all = np.asarray(per.asi8, dtype=float)
    keep = x_all > x_all[-1] - periods
    s = t[keep].assign(_x=x_all[keep])
    s = s[s["value"].notna() & s["se"].notna() & (s["se"] > 0)]
    k = len(s)
    if k < 4:
        return None
    x = s["_x"].to_numpy(float)
    y = s["value"].to_numpy(float)
    w = 1 / s["se"].to_numpy(float) ** 2
    xm = np.average(x, weights=w)
    ym = np.average(y, weights=w)
    sxx = float(np.sum(w * (x - xm) ** 2))
    slope = float(np.sum(w * (x - xm) * (y - ym)) / sxx)
    resid = y - (ym + slope * (x - xm))
    dispersion = float(np.sum(w * resid**2) / (k - 2))
    se = math.sqrt(max(1.0, dispersion) / sxx)
    if dispersion > 1:
        # the wobble was estimated from the fit: t on k − 2 degrees of freedom
        p = float(2 * stats.t.sf(abs(slope) / se, k - 2))
        crit = float(stats.t.ppf(0.5 + conf / 2, k - 2))
    else:
        # sampling error alone (known variances): normal
        p = float(2 * stats.norm.sf(abs(slope) / se))
        crit = z_value(conf)
    significant = p < alpha
    direction = ("down" if slope < 0 else "up") if significant else "flat"
    return Trend(periods=k, start=str(s[period_col].iloc[0]),
                 end=str(s[period_col].iloc[-1]), first=float(y[0]), last=float(y[-1]), slope=slope, se=se,
                 ci_low=slope - crit * se, ci_high=slope + crit * se, p=p, significant=bool(significant),
                 direction=direction)
