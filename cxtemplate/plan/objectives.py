"""Objectives (notebook 02): business goal → CX metric → baseline → target → deadline → owner.

For each objective in the params this module measures the baseline (with its interval) over the
last few reporting periods, projects the recent trend to the deadline, and asks two feasibility
questions a board should hear before signing a target off:

* **Can we see it?** If the target is reached exactly, what is the chance a two-sample test
  comparing the baseline window with an equally long window before the deadline calls the
  change significant (power), given the responses expected by then?
* **Is it plausible?** How big is the required change against the metric's own history
  (the spread of its values across past windows and the best 12-month improvement seen)?
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cxtemplate.data.where import describe_where, where_columns, where_mask
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec, z_value
from cxtemplate.measure.trends import period_table
from cxtemplate.measure.windows import window as reporting_window
from cxtemplate.report.display import TableView, fmt_num, fmt_signed
from cxtemplate.report.grammar import capitalise, join_list, plural, sentence, verb
from cxtemplate.report.labels import display_label

ON_TRACK = ("on track", "already met")
"""Statuses that count as on track."""

CHANGE_UNIT = {"nps": "points", "top_box": "percentage points", "mean": "scale points"}
"""The unit of a change in each metric kind, as a sentence names it."""

STATUSES = ("on track", "already met", "at risk", "off track", "deadline passed", "no trend yet", "no data")
"""Every status an objective can have (column ``status`` of the ``objectives`` artifact); the headline cards read
*on track* / *at risk* / *off track* from it."""


def _val(x: float, decimals: int = 1) -> str:
    """A value in a sentence: fixed decimals, true minus sign, never '-0.0'."""
    return fmt_num(x, decimals).replace("-", "−")


def population(where: Mapping | None, labels: Mapping[str, str] | None = None) -> str:
    """Who an objective is measured on, in words with display labels: 'all customers', 'Journey stage: Support'.

    Parameters
    ----------
    where : mapping or None
        The objective's filter (``objectives[].where`` of the params).
    labels : mapping, optional
        The params' display labels (``cfg.display_labels``), which win over the built-in ones.

    Returns
    -------
    str
        Each filtered column named by :func:`cxtemplate.report.labels.display_label`, never by its column name.

    Examples
    --------
    >>> population({}), population({"journey_stage": "Support"})
    ('all customers', 'Journey stage: Support')
    """
    parts = []
    for column, spec in dict(where or {}).items():
        text = describe_where({column: spec})
        label = display_label(column, labels)
        rest = text[len(column):] if text.startswith(column) else " " + text
        parts.append(label + (": " + rest[3:] if rest.startswith(" = ") else rest))
    return ", ".join(parts) or describe_where({})


@dataclass(frozen=True)
class ObjectiveSpec:
    """The parts of a params objective this module needs (duck-types ``config.Objective``)."""

    id: str
    goal: str
    metric: str
    target: float
    deadline: pd.Timestamp
    owner: str
    where: dict


def _per_response_variance(kind: str, row: pd.Series) -> float:
    """Variance of one response's contribution, in reporting units squared."""
    if kind == "nps":
        p, d = row["promoters"] / 100, row["detractors"] / 100
        return 1e4 * (p + d - (p - d) ** 2)
    if kind == "top_box":
        p = min(max(row["value"] / 100, 0.01), 0.99)
        return 1e4 * p * (1 - p)
    return float(row["sd"]) ** 2


def power_two_windows(change: float, variance: float, n1: float, n2: float, alpha: float = 0.05) -> float:
    """Power of a two-sided z test to detect ``change`` between two independent windows.

    Parameters
    ----------
    change : float
        The true difference, in reporting units.
    variance : float
        Variance of one response's contribution (reporting units squared).
    n1, n2 : float
        Responses in each window.
    alpha : float
        Two-sided significance level.

    Returns
    -------
    float
        Probability of a significant result, 0–1.
    """
    if n1 <= 1 or n2 <= 1 or variance <= 0:
        return float("nan")
    se = math.sqrt(variance / n1 + variance / n2)
    z = z_value(1 - alpha)
    shift = abs(change) / se
    return float(stats.norm.cdf(shift - z) + stats.norm.cdf(-shift - z))


def minimum_detectable_change(variance: float, n1: float, n2: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest true change detected with the given power between two windows."""
    if n1 <= 1 or n2 <= 1:
        return float("nan")
    return float((z_value(1 - alpha) + stats.norm.ppf(power)) * math.sqrt(variance / n1 + variance / n2))


def _trend(series: pd.DataFrame, last: int) -> tuple[float, float]:
    """Slope per period and its standard error by weighted least squares on the last periods."""
    s = series.dropna(subset=["value", "se"]).tail(last)
    s = s[s["se"] > 0]
    if len(s) < 4:
        return float("nan"), float("nan")
    x = np.arange(len(series))[-len(s):].astype(float) if len(s) == len(series.tail(last)) else s.index.to_numpy(float)
    w = 1 / s["se"].to_numpy() ** 2
    y = s["value"].to_numpy()
    xm = np.average(x, weights=w)
    sxx = np.sum(w * (x - xm) ** 2)
    slope = float(np.sum(w * (x - xm) * (y - np.average(y, weights=w))) / sxx)
    resid = y - (np.average(y, weights=w) + slope * (x - xm))
    # Allow for month-to-month wobble beyond sampling error (overdispersion), never below it.
    disp = max(1.0, float(np.sum(w * resid**2) / (len(s) - 2)))
    return slope, float(math.sqrt(disp / sxx))


def assess(responses: pd.DataFrame, objective, spec: MetricSpec, *, as_of, freq: str = "M",
           window: int | None = 3, trend_periods: int = 12, conf: float = 0.95, alpha: float = 0.05,
           time_col: str = "responded_at", labels: Mapping[str, str] | None = None) -> tuple[dict, pd.DataFrame]:
    """Baseline, feasibility and trajectory of one objective.

    Parameters
    ----------
    responses : DataFrame
        Canonical responses.
    objective : Objective-like
        ``id``, ``goal``, ``metric``, ``target``, ``deadline``, ``owner``, ``where``.
    spec : MetricSpec
        The metric's definition.
    as_of : date-like
        Analysis date; the baseline window ends at its period.
    freq : {"M", "Q"}
        Reporting frequency.
    window : int or None
        Periods in the baseline window (and in the comparison window before the deadline): the params'
        ``reporting.windows.objectives``; ``None`` covers every period up to ``as_of``.
    trend_periods : int
        Periods used to estimate the recent trend.
    labels : mapping, optional
        Display labels of the params (``cfg.display_labels``), for the population in words.

    Returns
    -------
    (dict, DataFrame)
        One record of results, and the metric per period (for the chart). The record's ``window`` is the baseline's
        periods ("2025-10 to 2025-12"), ``window_label`` the same as every caption prints it ("2025-10 to 2025-12
        (last 3 months)", from :func:`cxtemplate.measure.windows.window`), ``window_periods`` its length,
        ``population`` who it is measured on in words, ``status`` one of :data:`STATUSES`.
    """
    for col in where_columns(objective.where or {}):
        if col not in responses.columns:
            raise KeyError(f"objective '{objective.id}': column '{col}' is not in the responses")
    sub = responses[where_mask(responses, objective.where or {}, key=f"objective '{objective.id}' where")] \
        if objective.where else responses
    sub = sub[sub[spec.column].notna() & sub[time_col].notna()]
    as_of_p = pd.Period(pd.Timestamp(as_of), freq)
    series = period_table(sub, spec, time_col, freq=freq)
    series = series[pd.PeriodIndex(series["period"], freq=freq) <= as_of_p].reset_index(drop=True)
    asked = window
    if window is None:
        first = pd.PeriodIndex(series["period"], freq=freq).min() if len(series) else as_of_p
        window = max(int((as_of_p - first).n) + 1, 1)
    span = reporting_window(pd.period_range(as_of_p - window + 1, as_of_p, freq=freq), asked, freq)
    base_rows = sub[sub[time_col].dt.to_period(freq).between(as_of_p - window + 1, as_of_p)]
    rec: dict = {"id": objective.id, "goal": objective.goal, "metric": spec.name, "unit": spec.unit,
                 "where": describe_where(objective.where or {}),
                 "target": float(objective.target), "deadline": str(pd.Timestamp(objective.deadline).date()),
                 "owner": objective.owner, "window": f"{(as_of_p - window + 1)} to {as_of_p}",
                 "window_label": span.label, "window_periods": span.n_periods,
                 "population": population(objective.where, labels)}
    if base_rows.empty:
        rec.update(status="no data", note="no responses in the baseline window")
        return rec, series
    base = summarise(base_rows, spec, conf=conf).iloc[0]
    variance = _per_response_variance(spec.kind, base)
    recent = series.tail(6)
    per_period = float(recent["n"].mean()) if len(recent) else 0.0
    deadline_p = pd.Period(pd.Timestamp(objective.deadline), freq)
    left = max(int((deadline_p - as_of_p).n), 0)
    needed = float(objective.target) - float(base["value"])
    n_base, n_final = float(base["n"]), per_period * window
    slope, slope_se = _trend(series, trend_periods)
    projected = float(base["value"]) + slope * (left + (window - 1) / 2) if not math.isnan(slope) else float("nan")
    proj_se = slope_se * (left + (window - 1) / 2) if not math.isnan(slope_se) else float("nan")
    z = z_value(conf)
    hist = _history(series, window, freq)
    if needed <= 0:
        status = "already met"
    elif left == 0:
        status = "deadline passed"
    elif math.isnan(projected):
        status = "no trend yet"
    elif projected >= objective.target:
        status = "on track"
    elif projected + z * proj_se >= objective.target:
        status = "at risk"
    else:
        status = "off track"
    rec.update(
        baseline=float(base["value"]), baseline_low=float(base["ci_low"]), baseline_high=float(base["ci_high"]),
        baseline_n=int(base["n"]), change_needed=needed, periods_left=left,
        responses_per_period=per_period, responses_expected=per_period * left,
        power=power_two_windows(needed, variance, n_base, n_final, alpha) if needed > 0 else float("nan"),
        detectable_change=minimum_detectable_change(variance, n_base, n_final, alpha),
        history_sd=hist["sd"], best_12m_gain=hist["best_gain"],
        change_vs_history=needed / hist["sd"] if hist["sd"] and hist["sd"] > 0 else float("nan"),
        trend_per_period=slope, trend_se=slope_se, projected=projected,
        projected_low=projected - z * proj_se, projected_high=projected + z * proj_se, status=status)
    return rec, series


def _history(series: pd.DataFrame, window: int, freq: str) -> dict:
    """Spread of the metric over non-overlapping windows, and the best 12-month gain between them."""
    s = series.dropna(subset=["value"])
    if len(s) < 2 * window:
        return {"sd": float("nan"), "best_gain": float("nan")}
    # Re-aggregate to windows from the counts would need raw rows; an n-weighted mean of the
    # period values is the same estimate for NPS/top-box shares and for means.
    grp = (np.arange(len(s))[::-1] // window)[::-1]
    w = s.assign(g=grp).groupby("g").apply(lambda d: np.average(d["value"], weights=d["n"]), include_groups=False)
    per_year = 12 if freq == "M" else 4
    lag = max(per_year // window, 1)
    gains = (w - w.shift(lag)).dropna()
    return {"sd": float(w.std(ddof=1)) if len(w) > 1 else float("nan"),
            "best_gain": float(gains.max()) if len(gains) else float("nan")}


def verdict(rec: dict, kind: str | None = None, conf: float = 0.95) -> str:
    """One plain-language sentence on an objective's feasibility and trajectory.

    Parameters
    ----------
    rec : dict
        A record of :func:`assess`.
    kind : {"nps", "top_box", "mean"}, optional
        The metric's kind, which names the unit of the change (NPS points, percentage points, scale
        points); without it the unit is guessed from the metric's name and unit.
    conf : float
        Confidence level of the baseline interval.
    """
    if rec.get("status") == "no data":
        when = f" ({rec['window_label']})" if rec.get("window_label") else ""
        return (f"**{rec['goal']}** — no {rec['metric']} responses in the baseline window{when}, so it cannot be "
                "tracked yet.")
    if kind is not None:
        unit = CHANGE_UNIT[kind]
    else:
        unit = "points" if rec["metric"] in ("NPS",) else ("percentage points" if "%" in rec["unit"] else "scale points")
    who = rec.get("population", rec["where"])
    when = f" over {rec['window_label']}" if rec.get("window_label") else ""
    parts = [f"**{rec['goal']}** ({rec['metric']}, {who}): baseline {_val(rec['baseline'])}{when} "
             f"({100 * conf:g}% interval {_val(rec['baseline_low'])} to {_val(rec['baseline_high'])}, "
             f"n = {rec['baseline_n']:,}), target {rec['target']:g} by {rec['deadline']}"]
    if rec["status"] == "already met":
        parts.append("— already met at baseline; consider a more ambitious target.")
        return " ".join(parts)
    parts.append(f"— needs {rec['change_needed']:+.1f} {unit}.")
    if not math.isnan(rec.get("power", float("nan"))):
        parts.append(f"With the responses expected, a change that size would be detected with "
                     f"{100 * rec['power']:.0f}% power (smallest detectable change: {rec['detectable_change']:.1f}).")
    if not math.isnan(rec.get("change_vs_history", float("nan"))):
        parts.append(f"It is {rec['change_vs_history']:.1f}× the metric's usual spread between periods.")
    if not math.isnan(rec.get("projected", float("nan"))):
        parts.append(f"On the recent trend it would reach {_val(rec['projected'])} "
                     f"({_val(rec['projected_low'])} to {_val(rec['projected_high'])}): **{rec['status']}**.")
    return " ".join(parts)


def plot_objective(rec: dict, series: pd.DataFrame, freq: str = "M", conf: float = 0.95):
    """History with interval band, target at the deadline, the required path and the projected trend.

    Returns ``None`` for an objective without data.
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import BAD, GOOD, NEUTRAL, PALETTE, finish

    if rec.get("status") == "no data" or series.empty:
        return None
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    x = pd.PeriodIndex(series["period"], freq=freq).to_timestamp(how="start")
    ax.fill_between(x, series["ci_low"], series["ci_high"], color=PALETTE[0], alpha=0.15, lw=0,
                    label=f"{100 * conf:g}% interval")
    ax.plot(x, series["value"], color=PALETTE[0], lw=1.5, marker="o", ms=2.5, label=f"{rec['metric']} per period")
    dl, end = pd.Timestamp(rec["deadline"]), x[-1]
    ax.plot([end, dl], [rec["baseline"], rec["target"]], ls="--", color=NEUTRAL, lw=1.2, label="required path")
    if not math.isnan(rec.get("projected", float("nan"))):
        colour = GOOD if rec["status"] in ("on track", "already met") else BAD
        ax.plot([end, dl], [rec["baseline"], rec["projected"]], ls=":", color=colour, lw=1.8,
                label=f"recent trend ({100 * conf:g}% interval at deadline)")
        ax.errorbar([dl], [rec["projected"]], yerr=[[rec["projected"] - rec["projected_low"]],
                                                    [rec["projected_high"] - rec["projected"]]],
                    color=colour, capsize=3, lw=1)
    ax.scatter([dl], [rec["target"]], marker="*", s=170, color=PALETTE[1], zorder=5, label="target")
    finish(ax, f"{rec['goal']}: {rec['status']}", n=int(series["n"].sum()), unit=rec["unit"],
           source=f"survey responses, {rec.get('population', rec['where'])}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=5, fontsize=8)
    return fig


# --------------------------------------------------------------------------- all objectives of an engagement


@dataclass
class ObjectiveResults:
    """Every objective of the params assessed (:func:`assess_all`): what notebook 02 shows and saves.

    Attributes
    ----------
    records : list of dict
        One record per assessed objective (:func:`assess`), with ``owner_name`` added.
    series : dict
        Objective id → its metric per period (for the chart).
    kinds : dict
        Objective id → the kind of its metric (``nps``, ``top_box``, ``mean``).
    notes : list of str
        One sentence per objective whose metric is not measured for this organisation.
    absence : tuple of (str, str), optional
        What is missing and what follows, when no objective could be assessed at all
        (for ``absent(...)``).
    conf : float
        Confidence level of every interval.
    freq : {"M", "Q"}
        Reporting frequency.
    """

    records: list[dict] = field(default_factory=list)
    series: dict[str, pd.DataFrame] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    absence: tuple[str, str] | None = None
    conf: float = 0.95
    freq: str = "M"

    @property
    def on_track(self) -> int:
        """How many objectives are on track or already met."""
        return sum(r.get("status") in ON_TRACK for r in self.records)

    def status_counts(self) -> dict[str, int]:
        """How many objectives have each status, in the order of :data:`STATUSES` (statuses nobody has left out)."""
        found = [r.get("status") for r in self.records]
        return {s: found.count(s) for s in STATUSES if s in found}

    def headline(self) -> str:
        """How many objectives are on track, and how many are at risk or off track, in one sentence."""
        n, on = len(self.records), self.on_track
        counts = {k: v for k, v in self.status_counts().items() if k not in ON_TRACK}
        if n == 1:
            status = self.records[0].get("status")
            return sentence(f"**The objective is {'on track' if on else 'not on track'}** on the recent trend"
                            + ("" if status == "on track" else f": it is {status}"))
        lead = (f"**All {n} objectives are on track** on the recent trend" if on == n else
                f"**{'None' if on == 0 else on} of the {plural(n, 'objective')} {verb(on if on else 1, 'is', 'are')} "
                f"on track** on the recent trend")
        if not counts:
            return sentence(lead)
        rest = [f"{v} {k}" for k, v in counts.items()]
        if len(counts) == 1 and sum(counts.values()) == n and n > 1:
            rest = [f"all {n} are {next(iter(counts))}"]
        elif len(counts) == 1:
            k, v = next(iter(counts.items()))
            rest = [f"{v} {verb(v, 'is', 'are')} {k}"]
        else:
            rest[0] = f"{rest[0].split(' ', 1)[0]} {verb(int(rest[0].split(' ', 1)[0]), 'is', 'are')} " \
                      f"{rest[0].split(' ', 1)[1]}"
        return sentence(f"{lead}: {join_list(rest)}")

    def window_sentence(self) -> str:
        """The baseline window every objective is measured over, in one sentence ("" without records)."""
        labels = sorted({r["window_label"] for r in self.records if r.get("window_label")})
        if not labels:
            return ""
        return sentence(f"Each objective's current value is measured over {join_list(labels, 'or')}, "
                        f"on the population it names")

    def objective_sentence(self, rec: dict) -> str:
        """Where one objective stands, plainly: value now, target, and where the recent trend leads."""
        who = rec.get("population", rec.get("where", ""))
        scope = "" if who == "all customers" else f" ({who})"
        if rec.get("status") == "no data":
            return sentence(f"{capitalise(rec['goal'])}: no {rec['metric']} responses yet{scope}")
        text = (f"{capitalise(rec['goal'])}: {rec['metric']}{scope} stands at {_val(rec['baseline'])} against a "
                f"target of {rec['target']:g} by {rec['deadline']}")
        if rec["status"] == "already met":
            return sentence(text + ", so the target is already met")
        if not math.isnan(rec.get("projected", float("nan"))):
            text += (f"; on the recent trend it would reach {_val(rec['projected'])} "
                     f"({_val(rec['projected_low'])} to {_val(rec['projected_high'])}), so it is {rec['status']}")
        else:
            text += f" ({rec['status']})"
        return sentence(text)

    def opening_sentences(self) -> list[str]:
        """The page's three to five plain sentences: how many objectives are on track, over which window, and the
        objectives furthest from their target (at most three, off track first)."""
        if not self.records:
            return []
        order = {s: i for i, s in enumerate(("off track", "at risk", "no trend yet", "deadline passed", "no data",
                                             "on track", "already met"))}
        ranked = sorted(self.records, key=lambda r: order.get(r.get("status"), 99))
        out = [self.headline(), self.window_sentence()]
        return [t for t in out if t] + [self.objective_sentence(r) for r in ranked[:3]]

    def verdicts(self) -> list[str]:
        """One :func:`verdict` per objective."""
        return [verdict(r, self.kinds.get(r["id"]), self.conf) for r in self.records]

    def figures(self) -> Iterator:
        """One :func:`plot_objective` chart per objective that has data, drawn one at a time."""
        for r in self.records:
            fig = plot_objective(r, self.series[r["id"]], freq=self.freq, conf=self.conf)
            if fig is not None:
                yield fig

    def table(self) -> pd.DataFrame:
        """The records as a table (artifact ``objectives``)."""
        return pd.DataFrame(self.records)


def assess_all(responses: pd.DataFrame | None, objectives: Iterable, specs: Mapping[str, MetricSpec], *, as_of,
               freq: str = "M", conf: float = 0.95,
               owner_label: Callable[[str], str] | None = None, window: int | None = 3,
               labels: Mapping[str, str] | None = None) -> ObjectiveResults:
    """Assess every objective of the params with :func:`assess`.

    Parameters
    ----------
    responses : DataFrame or None
        Canonical responses (``None`` when the organisation has no survey).
    objectives : iterable of Objective-like
        The params' objectives, in order.
    specs : mapping
        Metric key → :class:`MetricSpec` of the metrics measured; an objective on another metric
        gets a note instead of a record.
    as_of, freq, conf
        As for :func:`assess`.
    owner_label : callable, optional
        Governance role key → the owner's name as the page shows it (``cfg.owner_label``).
    window : int or None
        Periods of the baseline window (``cfg.reporting.windows.objectives``).
    labels : mapping, optional
        Display labels of the params (``cfg.display_labels``).

    Returns
    -------
    ObjectiveResults
        With ``absence`` set when there are no objectives, no responses or no dated responses (the sentence names
        what is missing in its own words, so a page never speaks of a survey the organisation does not have).
    """
    out = ObjectiveResults(conf=conf, freq=freq)
    objectives = list(objectives or ())
    if not objectives:
        out.absence = ("No objectives are set in the parameters", "add them under `objectives:` to track targets here")
        return out
    if responses is None:
        out.absence = ("There are no survey responses", "objectives cannot be baselined")
        return out
    if "responded_at" not in responses.columns or not responses["responded_at"].notna().any():
        out.absence = ("The survey responses carry no dates", "objectives cannot be baselined")
        return out
    for o in objectives:
        if o.metric not in specs:
            out.notes.append(f"*Objective **{o.id}** uses {o.metric.upper()}, which is not measured for this "
                             "organisation.*")
            continue
        spec = specs[o.metric]
        rec, series = assess(responses, o, spec, as_of=as_of, freq=freq, conf=conf, window=window, labels=labels)
        rec["owner_name"] = owner_label(o.owner) if owner_label else o.owner
        out.records.append(rec)
        out.series[o.id] = series
        out.kinds[o.id] = spec.kind
    return out


def glance_table(records: list[dict], conf: float = 0.95) -> pd.DataFrame:
    """Goal → metric → baseline (with its interval and n) → target → deadline → owner → status."""
    ci = f"{100 * conf:g}% interval"
    return pd.DataFrame([{
        "Business goal": r["goal"], "Metric": r["metric"], "Population": r.get("population", r["where"]),
        "Baseline window": r.get("window_label", r.get("window")), "Baseline": r.get("baseline"),
        ci: f"{r['baseline_low']:.1f} to {r['baseline_high']:.1f}" if "baseline" in r else "–",
        "Responses": r.get("baseline_n"), "Target": r["target"], "Deadline": r["deadline"], "Owner": r["owner_name"],
        "Status": r["status"]} for r in records])


def glance_view(results: ObjectiveResults) -> TableView:
    """:func:`glance_table` with its title, formats and a note on the baseline window and units."""
    return TableView(glance_table(results.records, results.conf), "Objectives: baseline, target and status",
                     {"Baseline": "{:.1f}", "Target": "{:g}", "Responses": "{:,.0f}"},
                     "NPS in points (−100…100); top-box metrics in %; means on their scale. Status: the recent trend "
                     "projected to the deadline against the target." if results.records else None)


def feasibility_table(records: list[dict]) -> pd.DataFrame:
    """Per objective: the change needed, responses expected, power, detectable change, history and projection."""
    return pd.DataFrame([{
        "Business goal": r["goal"], "Change needed": r.get("change_needed"),
        "Responses by deadline": r.get("responses_expected"), "Power": 100 * r.get("power", float("nan")),
        "Detectable change": r.get("detectable_change"), "× usual spread": r.get("change_vs_history"),
        "Best 12-month gain": r.get("best_12m_gain"), "Projected": r.get("projected"),
    } for r in records])


def _signed(v) -> str:
    return fmt_signed(v, 1)


def feasibility_view(results: ObjectiveResults) -> TableView:
    """:func:`feasibility_table` with its title, formats and a note on the detectable change and projection."""
    return TableView(feasibility_table(results.records), "Can the targets be reached, and would we see it?",
                     {"Change needed": _signed, "Responses by deadline": "{:,.0f}", "Power": "{:.0f}%",
                      "Detectable change": "{:.1f}", "× usual spread": "{:.1f}×",
                      "Best 12-month gain": _signed, "Projected": "{:.1f}"},
                     "Detectable change: the smallest true change the expected responses would show with 80% power. "
                     "Projected: the recent trend's value at the deadline (interval in the sentences below).")
