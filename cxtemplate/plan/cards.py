"""The headline card of one metric: where it stands, against what, where it is heading, and how sure we are.

:func:`metric_card` builds it from notebook 04's period table of the metric (``trend_<metric>``) and, when the
organisation set one, notebook 02's objective for it:

* the value over the cards' reporting window (``reporting.windows.cards``, printed beside it) with its interval
  and n;
* the target and the objective's status (on track, at risk, off track: the trajectory notebook 02 projects);
* a sparkline of the last 12 periods (:mod:`cxtemplate.plan.sparkline`);
* the change since the previous period (or window) and since the baseline period, each with its test;
* the trend over the last six periods (:func:`cxtemplate.measure.trend_test.recent_trend`), which calls out a
  sustained slide that no single period-on-period test catches.

A card is a plain dict of display strings (it is saved as JSON and shown by the index's template); the
sparkline's markup is escaped by its builder and cleaned by :func:`cxtemplate.report.markup.clean_html` here.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from cxtemplate.measure.inference import adjust_bh, diff_from_stats
from cxtemplate.measure.metrics import stats_from_table, stats_to_metric
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.measure.trend_test import recent_trend
from cxtemplate.measure.windows import window
from cxtemplate.report.display import fmt_p, fmt_signed
from cxtemplate.report.grammar import capitalise, noun
from cxtemplate.report.labels import display_label
from cxtemplate.report.markup import clean_html
from cxtemplate.plan.sparkline import sparkline_label, sparkline_svg

__all__ = ["SPARK_PERIODS", "TREND_PERIODS", "STATUS_CLASS", "change_unit", "metric_card", "metric_cards",
           "objective_for", "period_word", "scale_text", "trend_sentence", "value_text"]

SPARK_PERIODS = 12
"""Periods the sparkline shows."""
TREND_PERIODS = 6
"""Periods the trend test fits: long enough to see a slide, short enough to be about now."""
STATUS_CLASS = {"on track": "cx-on-track", "already met": "cx-on-track", "at risk": "cx-at-risk",
                "off track": "cx-off-track"}
"""The CSS class of each objective status (others get ``cx-no-status``)."""
WHOLE_ORGANISATION = "all customers"
"""How notebook 02 describes an objective without a ``where`` (``describe_where({})``)."""


_PERIOD_WORD = {"M": "month", "Q": "quarter", "Y": "year"}
_WHERE = re.compile(r"\b([a-z][a-z0-9_]*)(\s*(?:=|!=|in|>=|<=|>|<)\s)")


def period_word(freq: str, n: int = 2) -> str:
    """'month'/'months', 'quarter'/'quarters' for a reporting frequency."""
    return noun(n, _PERIOD_WORD.get(str(freq)[:1].upper(), "period"))


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _decimals(spec: MetricSpec) -> int:
    return 2 if spec.kind == "mean" else 0


def value_text(v: float, spec: MetricSpec, decimals: int | None = None) -> str:
    """A metric value as a card shows it: NPS and shares whole (shares with %), means with two decimals.

    >>> from cxtemplate.measure.spec import MetricSpec
    >>> value_text(61.97, MetricSpec("CSAT", "csat", "top_box", (1, 5), success_min=4)), value_text(-0.2,
    ...     MetricSpec("NPS", "nps", "nps", (0, 10)))
    ('62%', '0')
    """
    if math.isnan(v):
        return "–"
    d = _decimals(spec) if decimals is None else decimals
    s = f"{v:.{d}f}"
    if float(s) == 0:
        s = f"{0:.{d}f}"  # never "-0"
    s = s.replace("-", "−")
    return s + ("%" if spec.kind == "top_box" else "")


def change_unit(spec: MetricSpec, change: float = 2.0) -> str:
    """The unit of a change in the metric: NPS points, percentage points, points on the scale."""
    one = abs(round(change, 1 if spec.kind != "mean" else 2)) == 1
    word = "point" if one else "points"
    return {"nps": word, "top_box": f"percentage {word}"}.get(spec.kind, word)


def scale_text(spec: MetricSpec) -> str:
    """The metric's range in words, so that a number reads with its scale: 'on a scale from −100 to 100'."""
    if spec.kind == "nps":
        return "on a scale from −100 to 100"
    if spec.kind == "top_box":
        lo, hi = spec.scale
        return f"% answering {spec.success_min:g} or more on a scale from {lo:g} to {hi:g}"
    lo, hi = spec.scale
    return f"mean on a scale from {lo:g} to {hi:g}"


def _change_text(change: float, p: float, spec: MetricSpec, against: str, alpha: float, adjusted: bool) -> str:
    if math.isnan(change):
        return f"no {against.removeprefix('a ')} to compare with"
    d = 2 if spec.kind == "mean" else 1
    verdict = "significant" if (not math.isnan(p) and p < alpha) else "not significant"
    p_name = "adjusted p" if adjusted else "p"
    test = f"{verdict}, {p_name} {fmt_p(p)}" if not math.isnan(p) else verdict
    return f"{fmt_signed(change, d)} {change_unit(spec, change)} vs {against} ({test})"


def objective_for(objectives: pd.DataFrame | None, spec: MetricSpec) -> dict | None:
    """The objective a card shows for ``spec``: the whole organisation's when there is one, else the first.

    Parameters
    ----------
    objectives : DataFrame, optional
        Notebook 02's ``objectives`` artifact (``metric``, ``where``, ``target``, ``deadline``, ``status``…).
    spec : MetricSpec
        The card's metric (matched on its short name).
    """
    if objectives is None or objectives.empty or "metric" not in objectives.columns:
        return None
    mine = objectives[objectives["metric"].astype(str) == spec.name]
    if mine.empty:
        return None
    whole = mine[mine.get("where", pd.Series("", index=mine.index)).astype(str) == WHOLE_ORGANISATION]
    row = (whole if not whole.empty else mine).iloc[0]
    return {k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.to_dict().items()}


def _target_text(obj: dict | None, spec: MetricSpec) -> tuple[str, str]:
    if not obj or obj.get("target") is None:
        return "", ""
    target = value_text(_num(obj["target"]), spec, 2 if spec.kind == "mean" else None)
    where, population = obj.get("where"), obj.get("population")
    scope = ""
    if population and str(population) != WHOLE_ORGANISATION:  # notebook 02's words: "Journey stage: Support"
        scope = f" ({population})"
    elif where and where != WHOLE_ORGANISATION:  # "journey_stage = Support" → "Journey stage = Support"
        scope = " (" + _WHERE.sub(lambda m: display_label(m.group(1)) + m.group(2), str(where)) + ")"
    text = f"Target {target} by {str(obj.get('deadline', ''))[:10]}{scope}"
    status = str(obj.get("status") or "")
    if status:
        projected = _num(obj.get("projected"))
        text += f": {status}"
        if not math.isnan(projected) and status in ("on track", "at risk", "off track"):
            text += f" (on the recent trend, {value_text(projected, spec, 2 if spec.kind == 'mean' else None)} by then)"
    return text, status


def trend_sentence(trend, spec: MetricSpec, conf: float = 0.95, freq: str = "M") -> str:
    """The trend test's reading of the last periods, in plain words.

    A significant slope says how far the metric moved and that it is sustained; otherwise that there is no
    sustained trend (with the test's p).
    """
    if trend is None:
        return ""
    d = 2 if spec.kind == "mean" else 1
    many, one = period_word(freq, trend.periods), period_word(freq, 1)
    if not trend.significant:
        return (f"No sustained trend over the last {trend.periods} {many} ({trend.start} to {trend.end}; "
                f"p {fmt_p(trend.p)}).")
    verb = "Falling" if trend.slope < 0 else "Rising"
    per = f"{fmt_signed(trend.slope, d)} {change_unit(spec, trend.slope)} a {one}"
    ci = f"{100 * conf:g}% CI {fmt_signed(trend.ci_low, d)} to {fmt_signed(trend.ci_high, d)}"
    kind = "decline" if trend.slope < 0 else "rise"
    return (f"{verb} steadily over the last {trend.periods} {many}, from {value_text(trend.first, spec, d)} in "
            f"{trend.start} to {value_text(trend.last, spec, d)} in {trend.end} ({per}, {ci}): a sustained {kind}, "
            f"not {one}-to-{one} noise (p {fmt_p(trend.p)}).")


def _pooled(t: pd.DataFrame, spec: MetricSpec, conf: float) -> tuple[dict, dict]:
    st = stats_from_table(t, spec.kind)
    tot = {k: np.array([np.nansum(v)]) for k, v in st.items()}
    return tot, stats_to_metric(spec.kind, tot, conf, scale=spec.scale)


def _latest(t: pd.DataFrame, spec: MetricSpec, alpha: float) -> tuple:
    """The latest period's value and notebook 04's tests of it (BH-adjusted over the table's periods)."""
    last = t.iloc[-1]
    prev = str(t["period"].iloc[-2]) if len(t) > 1 else "a previous period"
    change_prev = _change_text(_num(last.get("change_prev")), _num(last.get("p_adj_prev")), spec, prev, alpha, True)
    base = last.get("baseline")
    base = f"baseline {base}" if base is not None and str(base) not in ("NaT", "nan", "None") else "a baseline"
    change_base = _change_text(_num(last.get("change_base")), _num(last.get("p_adj_base")), spec, base, alpha, True)
    return _num(last["value"]), _num(last["ci_low"]), _num(last["ci_high"]), int(last["n"]), change_prev, change_base


def _pooled_window(t: pd.DataFrame, periods: pd.PeriodIndex, win, spec: MetricSpec, conf: float, alpha: float) -> tuple:
    """The window's pooled value, tested against the window before it and against the baseline period."""
    inside = (periods >= win.start) & (periods <= win.end)
    cur_st, cur = _pooled(t[inside], spec, conf)
    before = (periods < win.start) & (periods >= win.start - win.n_periods)
    change_prev = _change_text(float("nan"), float("nan"), spec, "a previous window", alpha, False)
    if before.any():
        d = diff_from_stats(spec.kind, cur_st, _pooled(t[before], spec, conf)[0], conf)
        change_prev = _change_text(float(d["diff"][0]), float(d["p"][0]), spec,
                                   f"{win.start - win.n_periods} to {win.start - 1}", alpha, False)
    base = t["baseline"].dropna().iloc[0] if "baseline" in t and t["baseline"].notna().any() else None
    is_base = (t["period"] == str(base)).to_numpy() if base is not None else np.zeros(len(t), bool)
    change_base = _change_text(float("nan"), float("nan"), spec, "a baseline", alpha, False)
    if is_base.any() and not inside[is_base].all():
        d = diff_from_stats(spec.kind, cur_st, _pooled(t[is_base], spec, conf)[0], conf)
        change_base = _change_text(float(d["diff"][0]), float(d["p"][0]), spec, f"baseline {base}", alpha, False)
    value, lo, hi = (float(cur[k][0]) for k in ("value", "ci_low", "ci_high"))
    return value, lo, hi, int(cur_st["n"][0]), change_prev, change_base


def _sparkline(t: pd.DataFrame, periods: pd.PeriodIndex, spec: MetricSpec, count: int, freq: str) -> tuple[str, str]:
    """The last ``count`` periods' sparkline (cleaned markup; '' without a value) and its spoken label."""
    span = pd.period_range(periods[-1] - (count - 1), periods[-1], freq=periods[-1].freqstr)
    by_period = dict(zip(t["period"], t["value"]))
    values = [by_period.get(str(p)) for p in span]
    label = sparkline_label(f"{spec.name}, last {count} {period_word(freq, count)}", values, [str(p) for p in span],
                            fmt=lambda v: value_text(v, spec, _decimals(spec)))
    shown = any(v is not None and not (isinstance(v, float) and math.isnan(v)) for v in values)
    return (clean_html(sparkline_svg(values, label)) if shown else ""), label


_UNSET = object()


def metric_card(spec: MetricSpec, table: pd.DataFrame, *, key: str | None = None, objective: dict | None = None,
                window_periods: int | None = 1, freq: str = "M", conf: float = 0.95, alpha: float = 0.05,
                trend_periods: int = TREND_PERIODS, spark_periods: int = SPARK_PERIODS,
                trend: Any = _UNSET) -> dict | None:
    """One metric's headline card.

    Parameters
    ----------
    spec : MetricSpec
        The metric.
    key : str, optional
        Its key in the params (``nps``, ``csat`` …); the spec's column by default.
    table : DataFrame
        Its period table with the period-on-period and baseline tests (notebook 04's ``trend_<metric>``: a
        :func:`~cxtemplate.measure.trends.compare_periods` table, periods as text or periods).
    objective : dict, optional
        Its objective (:func:`objective_for`): the target and status shown.
    window_periods : int or None
        The cards' reporting window (``cfg.reporting.windows.cards``): 1 shows the latest period with notebook
        04's tests (the same numbers as its page); more pools the last periods and tests them against the window
        before and against the baseline period.
    freq : {"M", "Q"}
        Reporting frequency.
    conf, alpha : float
        Confidence level and significance level.
    trend_periods, spark_periods : int
        Periods of the trend test and of the sparkline.
    trend : Trend or None, optional
        The trend test's result when the caller ran it (:func:`metric_cards` adjusts several metrics' p-values
        together); by default :func:`~cxtemplate.measure.trend_test.recent_trend` of ``table``.

    Returns
    -------
    dict or None
        Display strings: ``key``, ``label``, ``value``, ``window``, ``interval``, ``n``, ``scale``, ``target``,
        ``status``, ``status_class``, ``change_prev``, ``change_base``, ``trend`` (sentence), ``trend_alert``
        (a significant slide), ``sparkline`` (cleaned SVG markup), ``detail`` (the lines in one); and the
        numbers a summary sentence uses (``value_num``, ``ci_low``, ``ci_high``, ``n_num``, ``trend_p`` …).
        ``None`` without any period.
    """
    t = table.copy()
    if t.empty:
        return None
    t["period"] = [str(p) for p in t["period"]]
    t = t.sort_values("period").reset_index(drop=True)
    periods = pd.PeriodIndex([pd.Period(p) for p in t["period"]])
    win = window(periods, window_periods, freq)
    if win.n_periods == 1:
        value, lo, hi, n, change_prev, change_base = _latest(t, spec, alpha)
    else:
        value, lo, hi, n, change_prev, change_base = _pooled_window(t, periods, win, spec, conf, alpha)
    interval = (f"{100 * conf:g}% CI {value_text(lo, spec).rstrip('%')} to {value_text(hi, spec)}"
                if not (math.isnan(lo) or math.isnan(hi)) else "too few responses for an interval")
    if trend is _UNSET:
        trend = recent_trend(t, trend_periods, conf=conf, alpha=alpha) if trend_periods else None
    spark, label = _sparkline(t, periods, spec, spark_periods, freq)
    target, status = _target_text(objective, spec)
    card = {
        "key": key or spec.column, "label": spec.name, "name": spec.display, "value": value_text(value, spec),
        "window": win.label, "interval": interval, "n": f"n = {n:,}", "scale": scale_text(spec),
        "target": target, "status": status, "status_class": STATUS_CLASS.get(status, "cx-no-status") if status else "",
        "change_prev": capitalise(change_prev), "change_base": capitalise(change_base),
        "trend": trend_sentence(trend, spec, conf, freq), "trend_alert": bool(trend is not None and trend.significant),
        "trend_direction": trend.direction if trend is not None else "",
        "trend_p": trend.p if trend is not None else None,
        "trend_span": (f"from {value_text(trend.first, spec)} in {trend.start} to {value_text(trend.last, spec)} in "
                       f"{trend.end}") if trend is not None else "",
        "sparkline": spark, "sparkline_label": label,
        "value_num": value, "ci_low": lo, "ci_high": hi, "n_num": n, "period": win.label,
    }
    card["detail"] = " · ".join(x for x in (card["window"], interval, card["n"], card["change_prev"],
                                              card["change_base"]) if x)
    return card


def metric_cards(headline: pd.DataFrame | None, tables: dict[str, pd.DataFrame | None], specs: dict[str, MetricSpec],
                 objectives: pd.DataFrame | None = None, **kwargs) -> list[dict]:
    """The cards of every headline metric, in the headline's order; the trend tests' p BH-adjusted across them.

    Parameters
    ----------
    headline : DataFrame, optional
        Notebook 04's ``headline`` artifact (its ``key`` column names the metrics and their order).
    tables : dict
        Metric key → its period table (notebook 04's ``trend_<key>``); a metric without one gets no card.
    specs : dict
        Metric key → MetricSpec.
    objectives : DataFrame, optional
        Notebook 02's ``objectives`` artifact.
    **kwargs
        Passed to :func:`metric_card` (``window_periods``, ``freq``, ``conf``, ``alpha`` …).
    """
    if headline is None or headline.empty:
        return []
    conf, alpha = kwargs.get("conf", 0.95), kwargs.get("alpha", 0.05)
    periods = kwargs.get("trend_periods", TREND_PERIODS)
    chosen = [(k, specs[k], tables[k]) for k in headline["key"]
              if k in specs and tables.get(k) is not None and len(tables[k])]
    trends = [recent_trend(t, periods, conf=conf, alpha=alpha) if periods else None for _, _, t in chosen]
    # several metrics tested at once: a trend is called out only when it survives the false-discovery control
    raw = np.array([np.nan if tr is None else tr.p for tr in trends], dtype=float)
    adjusted = adjust_bh(raw) if len(raw) else raw
    for i, tr in enumerate(trends):
        if tr is not None:
            sig = bool(adjusted[i] < alpha)
            trends[i] = replace(tr, p=float(adjusted[i]), significant=sig,
                                direction=("down" if tr.slope < 0 else "up") if sig else "flat")
    cards = []
    for (key, spec, table), tr in zip(chosen, trends):
        card = metric_card(spec, table, key=key, objective=objective_for(objectives, spec), trend=tr, **kwargs)
        if card is not None:
            cards.append(card)
    return cards
