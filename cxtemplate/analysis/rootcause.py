"""Root cause of a change: which change to explain, who answered versus how they scored, what moved.

* :func:`latest_significant_change` — the most recent significant movement of the metric: the latest
  1, 3, 6 or 12 periods against the same number of periods before, or against the same periods a
  year earlier, plus (optionally) the step found by :func:`cxtemplate.measure.trends.detect_steps` in the
  overall series. Every candidate carries its difference, interval and test; p-values are
  Benjamini–Hochberg adjusted across candidates and the shortest (most recent) significant window
  is chosen.
* :func:`mix_rate_decomposition` — splits the change between two windows, per dimension (location,
  journey stage, segment, …), into **mix** (the share of responses from each level moved) and
  **rate** (each level's own score moved), with the exact symmetric (Shapley / midpoint) identity

      Δ = Σ_j (w_b,j − w_a,j)·(m̄_j − M̄) + Σ_j w̄_j·(m_b,j − m_a,j)

  where ``w`` are the levels' shares of responses, ``m`` their metric, bars are the midpoints of the
  two windows and ``M̄`` the midpoint of the overall metric (subtracting it changes no total, since
  the share shifts sum to zero, but makes a level's mix read "more answers from a level that scores
  above average"). The metric is the mean of a per-response contribution (NPS: +100 promoter,
  0 passive, −100 detractor; top box: 100 or 0; mean: the score), so the identity is exact.
  A level absent from one window takes its other window's score (all of its contribution is mix);
  responses with no value of the dimension form a level of their own, so the parts always add up.
* :func:`driver_and_topic_movers` — which driver ratings and which comment topics moved most.
* :func:`plot_waterfall` — from the old value to the new one through mix and the levels' rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.measure.grouping import score_array
from cxtemplate.measure.inference import adjust_bh, diff_from_stats
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.measure.trends import detect_steps

__all__ = ["Change", "MixRate", "Movers", "latest_significant_change", "mix_rate_decomposition",
           "driver_and_topic_movers", "plot_waterfall"]

MISSING_LEVEL = "(not recorded)"
_UNIT = {"nps": "points", "top_box": "percentage points", "mean": "points"}


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace("-", "−")


def _periods(responses: pd.DataFrame, freq: str, time_col: str) -> pd.Series:
    s = responses[time_col] if time_col in responses.columns else responses["period"]
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.asfreq(freq)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s.astype("string"), errors="coerce")
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    return s.dt.to_period(freq)


def _window(w, freq: str | None = None) -> tuple[pd.Period, pd.Period]:
    """``"2025-03"``, ``("2024-03", "2025-02")`` or two Periods → (first, last) Periods, inclusive."""
    if isinstance(w, (str, pd.Period)):
        w = (w, w)
    a, b = w
    a = a if isinstance(a, pd.Period) else pd.Period(a, freq=freq) if freq else pd.Period(a)
    b = b if isinstance(b, pd.Period) else pd.Period(b, freq=a.freqstr)
    if b < a:
        raise ValueError(f"window ends ({b}) before it starts ({a})")
    return a, b


def _contribution(scores, spec: MetricSpec) -> np.ndarray:
    """Per-response contribution whose mean is the metric (NaN where unanswered)."""
    arr, mask = score_array(scores, spec)
    x = arr.astype(float)
    if spec.kind == "nps":
        x = np.where(x >= 9, 100.0, np.where(x <= 6, -100.0, 0.0))
    elif spec.kind == "top_box":
        x = np.where(x >= spec.success_min, 100.0, 0.0)
    if mask is not None:
        x[~mask] = np.nan
    return x


def _stats(scores: np.ndarray, group: np.ndarray, k: int, spec: MetricSpec) -> dict:
    """Sufficient statistics of ``scores`` (valid only) per group code 0…k−1."""
    ok = np.isfinite(scores) & (group >= 0)
    g, s = group[ok], scores[ok]
    st = {"n": np.bincount(g, minlength=k).astype(float)}
    if spec.kind == "nps":
        st["pro"] = np.bincount(g, weights=(s >= 9), minlength=k)
        st["det"] = np.bincount(g, weights=(s <= 6), minlength=k)
    elif spec.kind == "top_box":
        st["succ"] = np.bincount(g, weights=(s >= spec.success_min), minlength=k)
    else:
        st["s1"] = np.bincount(g, weights=s, minlength=k)
        st["s2"] = np.bincount(g, weights=s * s, minlength=k)
    return st


# --------------------------------------------------------------------------- which change
@dataclass
class Change:
    """The change chosen by :func:`latest_significant_change`.

    Attributes
    ----------
    found : bool
        Whether any candidate is significant after the BH adjustment; when not, the fields describe
        the candidate with the smallest p, for display.
    window_a, window_b : tuple of Period
        Earlier and later windows (first, last period, inclusive).
    comparison : str
        ``"previous"`` (the same number of periods before), ``"year"`` (a year earlier) or
        ``"step"`` (around the step found in the series).
    value_a, value_b, n_a, n_b, change, ci_low, ci_high, p, p_adj : float
        The metric in each window, the change ``b − a`` with its interval and test.
    sentence, note : str
        The finding in one sentence; how it was chosen.
    candidates : DataFrame
        Every candidate comparison with the same fields.
    """

    found: bool
    window_a: tuple
    window_b: tuple
    comparison: str
    value_a: float
    value_b: float
    n_a: int
    n_b: int
    change: float
    ci_low: float
    ci_high: float
    p: float
    p_adj: float
    sentence: str
    note: str
    candidates: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_dict(self) -> dict:
        """JSON-ready record (windows as text, without the candidates table)."""
        d = {k: getattr(self, k) for k in ("found", "comparison", "value_a", "value_b", "n_a", "n_b", "change",
                                            "ci_low", "ci_high", "p", "p_adj", "sentence", "note")}
        d.update(window_a=[str(x) for x in self.window_a], window_b=[str(x) for x in self.window_b])
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in d.items()}


def _window_text(w) -> str:
    return str(w[0]) if w[0] == w[1] else f"{w[0]}…{w[1]}"


def latest_significant_change(responses: pd.DataFrame, spec: MetricSpec, freq: str = "M", *,
                              windows: Sequence[int] = (1, 3, 6, 12), against: Sequence[str] = ("previous", "year"),
                              step: bool = True, time_col: str = "responded_at", end=None, alpha: float = 0.05,
                              min_n: int = 30, conf: float = 0.95, seed: int = 0, prefer: str = "recent") -> Change:
    """Find the most recent significant change of the metric worth explaining.

    Parameters
    ----------
    responses : DataFrame
        Response-level data with ``time_col`` (or a ``period`` column) and the score.
    spec : MetricSpec
        The metric.
    freq : {"M", "Q"}
        Period length.
    windows : sequence of int
        Window lengths in periods: the latest ``w`` periods are compared with an earlier window.
    against : sequence of {"previous", "year"}
        The earlier window: the ``w`` periods just before, and/or the same periods a year earlier.
    step : bool
        Also consider the most likely step of the overall series (:func:`~cxtemplate.measure.trends.detect_steps`,
        permutation-calibrated): up to a year from the step on against up to a year before it.
    time_col, end
        Response time column; last period considered (default: the latest with responses).
    alpha, min_n, conf, seed
        False-discovery rate across candidates; fewest responses per window; confidence level;
        seed of the step test's permutations.
    prefer : {"recent", "step"}
        Which significant candidate to report: the shortest window (ties: smaller p; default), or
        the step in the series when it is significant (the cleanest before/after for
        :func:`mix_rate_decomposition`).

    Returns
    -------
    Change
        The chosen change with all candidates; when nothing is significant, the candidate with the
        smallest p, with ``found`` false.
    """
    per = _periods(responses, freq, time_col)
    ok = per.notna().to_numpy()
    if not ok.any():
        raise ValueError("latest_significant_change: no response has a date")
    last = pd.Period(end, freq=freq) if end is not None else per[ok].max()
    first = per[ok].min()
    span = int((last - first).n) + 1
    code = np.where(ok, per.array.asi8 - first.ordinal, -1)
    code = np.where(code < span, code, -1)
    st = _stats(responses[spec.column].to_numpy(dtype=float), code.astype(np.int64), span, spec)
    cum = {k: np.concatenate([[0.0], np.cumsum(v)]) for k, v in st.items()}
    year = 12 if freq == "M" else 4
    cand = []
    for w in windows:
        b0 = span - w
        for how in against:
            a0 = b0 - w if how == "previous" else b0 - year
            if how == "year" and w >= year and "previous" in against:
                continue   # a year-long window against a year earlier is the "previous" candidate
            if a0 >= 0:
                cand.append((how, a0, a0 + w - 1, b0, span - 1))
    if step:
        ser = pd.DataFrame({"t": per.dt.to_timestamp(), spec.column: responses[spec.column].to_numpy()})[ok & (code >= 0)]
        stp = detect_steps(ser, spec, "t", None, freq=freq, min_n=min_n, seed=seed, n_perm=999)
        if len(stp) and pd.notna(stp["step_period"].iloc[0]):
            s = int((stp["step_period"].iloc[0].asfreq(freq) - first).n)
            cand.append(("step", max(s - year, 0), s - 1, s, min(s + year - 1, span - 1)))
    if not cand:
        raise ValueError("latest_significant_change: too few periods for any window")
    c = np.array([x[1:] for x in cand])
    sa = {k: v[c[:, 1] + 1] - v[c[:, 0]] for k, v in cum.items()}
    sb = {k: v[c[:, 3] + 1] - v[c[:, 2]] for k, v in cum.items()}
    d = diff_from_stats(spec.kind, sb, sa, conf)
    periods = pd.period_range(first, periods=span, freq=freq)
    t = pd.DataFrame({"comparison": [x[0] for x in cand], "window_a_start": periods[c[:, 0]],
                      "window_a_end": periods[c[:, 1]], "window_b_start": periods[c[:, 2]],
                      "window_b_end": periods[c[:, 3]], "periods_b": c[:, 3] - c[:, 2] + 1,
                      "value_a": d["value_b"], "value_b": d["value_a"], "n_a": sa["n"].astype(np.int64),
                      "n_b": sb["n"].astype(np.int64), "change": d["diff"], "ci_low": d["ci_low"],
                      "ci_high": d["ci_high"], "p": d["p"]})
    if step and (t["comparison"] == "step").any():
        t.loc[t["comparison"] == "step", "p"] = float(stp["p"].iloc[0])   # calibrated for the search
    t.loc[(t["n_a"] < min_n) | (t["n_b"] < min_n), "p"] = np.nan
    t["p_adj"] = adjust_bh(t["p"].to_numpy(float))
    t["significant"] = (t["p_adj"] < alpha).to_numpy()
    sig = t[t["significant"]]
    is_step = sig["comparison"] == "step"
    if prefer == "step" and is_step.any():
        best = sig[is_step].iloc[0]
    elif (~is_step).any():
        best = sig[~is_step].sort_values(["periods_b", "p"]).iloc[0]
    elif len(sig):
        best = sig.iloc[0]
    else:
        best = t.sort_values("p").iloc[0]   # NaN p last
    found = bool(len(sig))
    wa, wb = (best["window_a_start"], best["window_a_end"]), (best["window_b_start"], best["window_b_end"])
    unit = _UNIT[spec.kind]
    against_text = {"previous": "the period before", "year": "a year earlier", "step": "before the step"}
    if found:
        lo, hi = sorted((abs(best["ci_low"]), abs(best["ci_high"])))
        sentence = (f"{spec.name} {'fell' if best['change'] < 0 else 'rose'} by {_fmt(abs(best['change']))} {unit} "
                    f"from {_fmt(best['value_a'])} in {_window_text(wa)} to {_fmt(best['value_b'])} in "
                    f"{_window_text(wb)} ({conf * 100:g}% CI {_fmt(lo)} to {_fmt(hi)}; n = {best['n_a']:,} and "
                    f"{best['n_b']:,}).")
    else:
        sentence = (f"No significant change in {spec.name}: the largest movement, {_fmt(best['change'])} {unit} in "
                    f"{_window_text(wb)} against {against_text[best['comparison']]}, is within the noise "
                    f"(p = {best['p']:.2f}).")
    note = (f"{len(t)} candidate comparisons (latest {', '.join(map(str, windows))} periods against "
            f"{' and '.join(against_text[a] for a in against)}{', and around the step in the series' if step else ''}); "
            f"p-values BH-adjusted across them; reported: "
            + ("the step in the series, if significant." if prefer == "step" else "the shortest significant window."))
    return Change(found, wa, wb, str(best["comparison"]), float(best["value_a"]), float(best["value_b"]),
                  int(best["n_a"]), int(best["n_b"]), float(best["change"]), float(best["ci_low"]),
                  float(best["ci_high"]), float(best["p"]), float(best["p_adj"]), sentence, note, t)


# --------------------------------------------------------------------------- mix and rate
@dataclass
class MixRate:
    """Mix / rate decomposition of a change (see :func:`mix_rate_decomposition`).

    Attributes
    ----------
    table : DataFrame
        One row per dimension × level: ``dimension``, ``level``, ``n_a``, ``n_b``, ``share_a``,
        ``share_b`` (% of the window's responses), ``value_a``, ``value_b``, ``change`` (the level's
        own change) with ``change_ci_low``/``change_ci_high``, ``p``, ``p_adj`` (BH within the
        dimension), ``mix``, ``rate`` (with ``rate_ci_low``/``rate_ci_high``), ``total``
        (= mix + rate), ``rank`` (by |total|) and ``rate_rank`` (by |rate|), in the metric's units.
    summary : DataFrame
        One row per dimension: ``value_a``, ``value_b``, ``change``, ``mix``, ``rate``, ``residual``
        (change − mix − rate, zero up to rounding), ``top_level`` and ``top_rate_level``, ``sentence``.
    windows : tuple
        ``(window_a, window_b)``.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    windows: tuple
    metric: str = ""
    note: str = ""

    def to_dict(self) -> dict:
        """JSON-ready record of the summary."""
        s = self.summary
        return {"metric": self.metric, "note": self.note, "windows": [[str(x) for x in w] for w in self.windows],
                "summary": s.astype(object).where(s.notna(), None).to_dict(orient="records")}


def mix_rate_decomposition(responses: pd.DataFrame, spec: MetricSpec, by: str | Sequence[str], window_a, window_b,
                           *, time_col: str = "responded_at", conf: float = 0.95) -> MixRate:
    """Split the change of the metric between two windows into mix and rate, level by level.

    Parameters
    ----------
    responses : DataFrame
        Response-level data with ``time_col`` (or ``period``), the score and the ``by`` columns.
    spec : MetricSpec
        The metric.
    by : str or sequence of str
        Dimensions, e.g. ``["location", "journey_stage", "segment"]``; each is decomposed separately.
    window_a, window_b : str, Period or (start, end)
        Earlier and later windows, inclusive, e.g. ``("2024-03", "2025-02")``; the period length
        follows the strings (``"2025-03"`` monthly, ``"2025Q1"`` quarterly).
    time_col, conf
        Response time column; confidence level of the level changes.

    Returns
    -------
    MixRate
        Per-level table and per-dimension summary; for every dimension ``mix + rate`` equals the
        overall change exactly (see the module notes for the formula).
    """
    by = [by] if isinstance(by, str) else list(by)
    wa, wb = _window(window_a), _window(window_b)
    wb = _window(window_b, wa[0].freqstr)
    per = _periods(responses, wa[0].freqstr, time_col)
    in_a = ((per >= wa[0]) & (per <= wa[1])).fillna(False).to_numpy(bool)
    in_b = ((per >= wb[0]) & (per <= wb[1])).fillna(False).to_numpy(bool)
    if (in_a & in_b).any():
        raise ValueError(f"windows {_window_text(wa)} and {_window_text(wb)} overlap")
    x = _contribution(responses[spec.column], spec)
    scores = responses[spec.column].to_numpy(dtype=float)
    valid = np.isfinite(x)
    side = np.where(in_a & valid, 0, np.where(in_b & valid, 1, -1))
    if (side == 0).sum() == 0 or (side == 1).sum() == 0:
        raise ValueError("mix_rate_decomposition: a window has no responses with a score")
    big_a, big_b = x[side == 0].mean(), x[side == 1].mean()
    big_m = (big_a + big_b) / 2
    rows, summ = [], []
    unit = _UNIT[spec.kind]
    for dim in by:
        lev = responses[dim].astype(object).where(responses[dim].notna(), MISSING_LEVEL).astype(str)
        codes, levels = pd.factorize(lev, sort=True)
        k = len(levels)
        g = np.where(side >= 0, codes * 2 + side, -1)
        n = np.bincount(g[g >= 0], minlength=2 * k).reshape(k, 2).astype(float)
        sx = np.bincount(g[g >= 0], weights=x[g >= 0], minlength=2 * k).reshape(k, 2)
        w = n / n.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = sx / n
        m = np.where(n > 0, m, m[:, ::-1])           # absent in one window: all of it is mix
        mix = (w[:, 1] - w[:, 0]) * (m.mean(axis=1) - big_m)
        rate = w.mean(axis=1) * (m[:, 1] - m[:, 0])
        sa, sb = (_stats(scores, np.where(side == s, codes, -1), k, spec) for s in (0, 1))
        d = diff_from_stats(spec.kind, sb, sa, conf)
        both = (n > 0).all(axis=1)
        t = pd.DataFrame({"dimension": dim, "level": levels, "n_a": n[:, 0].astype(np.int64),
                          "n_b": n[:, 1].astype(np.int64), "share_a": 100 * w[:, 0], "share_b": 100 * w[:, 1],
                          "value_a": np.where(n[:, 0] > 0, m[:, 0], np.nan),
                          "value_b": np.where(n[:, 1] > 0, m[:, 1], np.nan),
                          "change": np.where(both, d["diff"], np.nan), "change_ci_low": np.where(both, d["ci_low"], np.nan),
                          "change_ci_high": np.where(both, d["ci_high"], np.nan), "p": np.where(both, d["p"], np.nan),
                          "mix": mix, "rate": rate, "rate_ci_low": w.mean(axis=1) * np.where(both, d["ci_low"], np.nan),
                          "rate_ci_high": w.mean(axis=1) * np.where(both, d["ci_high"], np.nan)})
        t["p_adj"] = adjust_bh(t["p"].to_numpy(float))
        t["total"] = t["mix"] + t["rate"]
        t["rank"] = t["total"].abs().rank(ascending=False, method="first").astype(int)
        t["rate_rank"] = t["rate"].abs().rank(ascending=False, method="first").astype(int)
        rows.append(t.sort_values("rank"))
        top, topr = t.loc[t["rank"] == 1].iloc[0], t.loc[t["rate_rank"] == 1].iloc[0]
        delta = big_b - big_a
        lvl = (f"{topr['level']}, whose {spec.name} moved {_fmt(topr['value_b'] - topr['value_a'])} {unit} on its own "
               f"({_fmt(topr['share_a'], 0)}% → {_fmt(topr['share_b'], 0)}% of answers), accounts for "
               f"{_fmt(topr['rate'])} {unit} of it")
        sentence = (f"By {dim.replace('_', ' ')}: of the {_fmt(delta)}-{unit[:-1] if unit.endswith('s') else unit} "
                    f"change in {spec.name}, {_fmt(t['rate'].sum())} comes from how each group scored (rate) and "
                    f"{_fmt(t['mix'].sum())} from who answered (mix). {lvl}.")
        summ.append(dict(dimension=dim, value_a=big_a, value_b=big_b, change=delta, mix=t["mix"].sum(),
                         rate=t["rate"].sum(), residual=delta - t["mix"].sum() - t["rate"].sum(),
                         top_level=top["level"], top_rate_level=topr["level"], sentence=sentence))
    table = pd.concat(rows, ignore_index=True)
    cols = ["dimension", "level", "n_a", "n_b", "share_a", "share_b", "value_a", "value_b", "change",
            "change_ci_low", "change_ci_high", "p", "p_adj", "mix", "rate", "rate_ci_low", "rate_ci_high", "total",
            "rank", "rate_rank"]
    note = (f"{spec.name} in {_window_text(wa)} (n = {(side == 0).sum():,}) against {_window_text(wb)} "
            f"(n = {(side == 1).sum():,}). Mix: the change due to shifts in who answered; rate: due to how each "
            "group scored. Rate intervals treat the shares as fixed; responses with no value form their own level.")
    return MixRate(table[cols], pd.DataFrame(summ), (wa, wb), spec.name, note)


# --------------------------------------------------------------------------- drivers and topics
@dataclass
class Movers:
    """What moved between two windows (see :func:`driver_and_topic_movers`).

    Attributes
    ----------
    drivers : DataFrame
        ``driver``, ``mean_a``, ``mean_b``, ``n_a``, ``n_b``, ``change`` (b − a, rating points) with
        ``ci_low``/``ci_high`` (Welch), ``p``, ``p_adj`` (BH across drivers), ``significant``,
        ``importance`` (share of importance, 0–1, when given), ``weighted_change`` (change ×
        importance), ``rank``; sorted by rank.
    topics : DataFrame
        ``topic``, ``share_a``, ``share_b`` (% of the window's responses whose comment mentions it), ``n_a``,
        ``n_b`` (comments), ``change`` (percentage points) with ``ci_low``/``ci_high`` (Newcombe),
        ``p``, ``p_adj``, ``significant``, ``rank``; empty without topic membership.
    note : str
    """

    drivers: pd.DataFrame
    topics: pd.DataFrame
    note: str = ""

    def to_dict(self) -> dict:
        """JSON-ready record of both tables."""
        return {"note": self.note, **{k: t.astype(object).where(t.notna(), None).to_dict(orient="records")
                                      for k, t in (("drivers", self.drivers), ("topics", self.topics))}}


def _importance_shares(importance, drivers: list[str]) -> np.ndarray | None:
    if importance is None:
        return None
    if hasattr(importance, "share"):                       # a DriverImportance
        importance = importance.share
    s = pd.Series(importance, dtype=float).reindex(drivers).fillna(0.0).clip(lower=0)
    return (s / s.sum()).to_numpy() if s.sum() > 0 else None


def driver_and_topic_movers(responses: pd.DataFrame, window_a, window_b, drivers: Sequence[str],
                            topic_membership: pd.DataFrame | None = None, *, importance=None,
                            time_col: str = "responded_at", conf: float = 0.95, alpha: float = 0.05) -> Movers:
    """Which driver ratings and which comment topics moved most between two windows.

    Parameters
    ----------
    responses : DataFrame
        Response-level data with ``time_col`` (or ``period``) and the driver rating columns.
    window_a, window_b : str, Period or (start, end)
        Earlier and later windows (see :func:`mix_rate_decomposition`).
    drivers : sequence of str
        Driver rating columns.
    topic_membership : DataFrame of bool, optional
        Comments × topics (from :func:`cxtemplate.analysis.text.topics.assign_topics`), indexed like ``responses``.
    importance : DriverImportance, Series or dict, optional
        Driver importance (e.g. Shapley shares); the ranking then uses change × importance share,
        i.e. which movement matters most for the outcome.
    time_col, conf, alpha
        Response time column; confidence level; false-discovery rate.

    Returns
    -------
    Movers
        The drivers table and the topics table, each ranked by the size of the movement.
    """
    wa = _window(window_a)
    wb = _window(window_b, wa[0].freqstr)
    per = _periods(responses, wa[0].freqstr, time_col)
    side = np.select([((per >= wa[0]) & (per <= wa[1])).fillna(False).to_numpy(bool),
                      ((per >= wb[0]) & (per <= wb[1])).fillna(False).to_numpy(bool)], [0, 1], -1)
    drivers = [d for d in drivers if d in responses.columns]
    X = responses[drivers].to_numpy(dtype=float) if drivers else np.empty((len(responses), 0))
    st = {}
    for s in (0, 1):
        V = np.where((side == s)[:, None] & np.isfinite(X), X, np.nan)
        st[s] = {"n": np.isfinite(V).sum(axis=0).astype(float), "s1": np.nansum(V, axis=0),
                 "s2": np.nansum(V * V, axis=0)}
    d = diff_from_stats("mean", st[1], st[0], conf)
    dt = pd.DataFrame({"driver": drivers, "mean_a": d["value_b"], "mean_b": d["value_a"],
                       "n_a": st[0]["n"].astype(np.int64), "n_b": st[1]["n"].astype(np.int64), "change": d["diff"],
                       "ci_low": d["ci_low"], "ci_high": d["ci_high"], "p": d["p"]})
    dt["p_adj"] = adjust_bh(dt["p"].to_numpy(float))
    dt["significant"] = (dt["p_adj"] < alpha).to_numpy()
    shares = _importance_shares(importance, drivers)
    dt["importance"] = shares if shares is not None else np.nan
    dt["weighted_change"] = dt["change"] * dt["importance"]
    key = dt["weighted_change"] if shares is not None else dt["change"]
    dt["rank"] = key.abs().rank(ascending=False, method="first").fillna(len(dt)).astype(int)
    dt = dt.sort_values("rank").reset_index(drop=True)
    tcols = ["topic", "share_a", "share_b", "n_a", "n_b", "change", "ci_low", "ci_high", "p", "p_adj",
             "significant", "rank"]
    note = f"Windows {_window_text(wa)} and {_window_text(wb)}; driver changes in rating points (Welch intervals)"
    if topic_membership is None or topic_membership.shape[1] == 0:
        return Movers(dt, pd.DataFrame(columns=tcols), note + "; no comment topics were given.")
    M = topic_membership.astype(bool)
    s_m = pd.Series(side, index=responses.index).reindex(M.index).fillna(-1).to_numpy(int)
    stt = {s: {"n": np.full(M.shape[1], float((s_m == s).sum())),
               "succ": M.to_numpy()[s_m == s].sum(axis=0).astype(float)} for s in (0, 1)}
    r = diff_from_stats("top_box", stt[1], stt[0], conf)
    tt = pd.DataFrame({"topic": M.columns, "share_a": r["value_b"], "share_b": r["value_a"],
                       "n_a": stt[0]["n"].astype(np.int64), "n_b": stt[1]["n"].astype(np.int64),
                       "change": r["diff"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p": r["p"]})
    tt["p_adj"] = adjust_bh(tt["p"].to_numpy(float))
    tt["significant"] = (tt["p_adj"] < alpha).to_numpy()
    tt["rank"] = tt["change"].abs().rank(ascending=False, method="first").fillna(len(tt)).astype(int)
    note += ("; topic shares are % of all the window's responses whose comment mentions the topic (Newcombe "
             "intervals).")
    return Movers(dt, tt.sort_values("rank").reset_index(drop=True)[tcols], note)


# --------------------------------------------------------------------------- chart
def plot_waterfall(mixrate: MixRate, dimension: str | None = None, top: int = 5, ax=None, *,
                   title: str | None = None, source: str | None = "survey"):
    """Waterfall from the old value to the new: mix (all levels), then the largest rate contributions.

    ``dimension`` defaults to the first decomposed; the ``top`` levels by |rate| get a bar each and
    the rest one "other" bar. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import BAD, GOOD, NEUTRAL, finish

    dimension = dimension or mixrate.summary["dimension"].iloc[0]
    s = mixrate.summary.set_index("dimension").loc[dimension]
    t = mixrate.table[mixrate.table["dimension"] == dimension].sort_values("rate_rank")
    head, rest = t.iloc[:top], t.iloc[top:]
    labels = [f"{_window_text(mixrate.windows[0])}", "Who answered (mix)"] + \
             [f"{lvl} (rate)" for lvl in head["level"]] + (["Other levels (rate)"] if len(rest) else []) + \
             [f"{_window_text(mixrate.windows[1])}"]
    steps = [s["mix"]] + list(head["rate"]) + ([rest["rate"].sum()] if len(rest) else [])
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.8))
    starts = s["value_a"] + np.concatenate([[0], np.cumsum(steps)[:-1]])
    y = np.arange(len(labels))[::-1]
    ax.barh(y[0], s["value_a"], color=NEUTRAL)
    ax.barh(y[-1], s["value_b"], color=NEUTRAL)
    ax.barh(y[1:-1], steps, left=starts, color=[GOOD if v >= 0 else BAD for v in steps])
    for yi, v, st in zip(y[1:-1], steps, starts):
        ax.annotate(("+" if v >= 0 else "") + _fmt(v), xy=(st + v, yi), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=8)
    for yi, v in ((y[0], s["value_a"]), (y[-1], s["value_b"])):
        ax.annotate(_fmt(v), xy=(v, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#555555", linewidth=0.8)
    lo = min(0, s["value_a"], s["value_b"], *(starts + steps))
    hi = max(0, s["value_a"], s["value_b"], *(starts + steps))
    pad = 0.1 * (hi - lo or 1)
    ax.set_xlim(lo - pad if lo < 0 else lo, hi + pad)
    n = int(t["n_a"].sum() + t["n_b"].sum())
    finish(ax, title or f"What moved {mixrate.metric}: by {dimension.replace('_', ' ')}", n=n,
           unit=f"{mixrate.metric}, contributions to the change; mix + rate add up exactly", source=source,
           xlabel=mixrate.metric, ylabel="")
    return ax
