"""Metric design (notebook 03): which metrics, measured where, how precisely, how often.

* the catalogue of metric definitions in use (vendors define CSAT and CES differently);
* coverage of touchpoints and journey stages, and response rates where customers are known;
* today's margin of error per segment against the target margin, and the sample that would reach it;
* redundancy between metrics: how much of each one the others already explain;
* a survey cadence per touchpoint that the volumes can actually support.

Nothing here names a metric: every step loops over the specs it is given (key → :class:`MetricSpec`)
and dispatches on the spec's ``kind``, so a metric added in the params simply appears.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cxtemplate.measure.inference import margin_of_error, sample_size_for_margin
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.report.display import TableView, fmt_num
from cxtemplate.report.grammar import join_list, plural, sentence, verb
from cxtemplate.report.labels import display_label
from cxtemplate.report.section import Section

CADENCES = (("monthly", 1), ("quarterly", 3), ("half-yearly", 6), ("yearly", 12))

DEFAULT_TARGET_MARGIN = {"nps": 10.0, "top_box": 5.0, "mean": 0.25}
"""Target margin of error by metric kind when neither the spec nor the params give one (the params' defaults)."""

MARGIN_DECIMALS = {"nps": 1, "top_box": 1, "mean": 2}
"""Decimals of a margin of error as tables show it, by metric kind (a mean's margin is a fraction of a point)."""


def target_margins(specs: dict[str, MetricSpec], metrics=None) -> dict[str, float]:
    """The target margin of error of every metric, by key.

    Parameters
    ----------
    specs : dict
        Metric key → :class:`MetricSpec`.
    metrics : object, optional
        The params' ``metrics`` section (duck-typed). When the spec itself carries no ``target_margin``,
        a built-in metric's comes from ``metrics.<key>.target_margin`` and a further one's from the
        entry of ``metrics.extra`` with that ``key``.

    Returns
    -------
    dict
        Key → margin, in reporting units (NPS points, percentage points, scale points); a metric
        with no margin anywhere gets :data:`DEFAULT_TARGET_MARGIN` for its kind.
    """
    declared = {getattr(m, "key", None): m for m in getattr(metrics, "extra", None) or ()}
    out = {}
    for key, spec in specs.items():
        margin = getattr(spec, "target_margin", None)
        if margin is None:
            section = declared.get(key) or getattr(metrics, key, None)
            margin = getattr(section, "target_margin", None)
        out[key] = float(margin) if margin is not None else DEFAULT_TARGET_MARGIN[spec.kind]
    return out


def is_dated(responses: pd.DataFrame | None) -> bool:
    """Whether there are responses with at least one response date."""
    return responses is not None and "responded_at" in responses.columns and bool(responses["responded_at"].notna().any())


def catalogue(specs: dict[str, MetricSpec], margins: dict[str, float], conf: float = 0.95) -> pd.DataFrame:
    """One row per metric: its definition, scale, interval method and target margin of error."""
    rows = []
    for key, spec in specs.items():
        rows.append({"Metric": spec.display, "Definition": spec.describe(conf), "Reported as": spec.unit,
                     "Target margin (±)": margins.get(key, float("nan"))})
    return pd.DataFrame(rows)


def catalogue_view(specs: dict[str, MetricSpec], margins: dict[str, float], conf: float = 0.95) -> TableView:
    """:func:`catalogue` with its title and format."""
    return TableView(catalogue(specs, margins, conf), "Metrics and their definitions", {"Target margin (±)": "{:g}"})


def coverage(responses: pd.DataFrame, specs: dict[str, MetricSpec],
             levels: tuple[str, ...] = ("journey_stage", "touchpoint")) -> pd.DataFrame:
    """Responses per journey stage and touchpoint, months covered and share answering each metric."""
    cols = [c for c in levels if c in responses.columns]
    if not cols:
        return pd.DataFrame()
    df = responses
    agg = {"Responses": ("response_id", "size") if "response_id" in df.columns else (cols[0], "size")}
    if "period" in df.columns:
        agg["Periods with data"] = ("period", "nunique")
    for key, spec in specs.items():
        agg[f"{spec.name} answered %"] = (spec.column, lambda s: 100 * s.notna().mean())
    out = df.groupby(cols, observed=True, dropna=False).agg(**agg).reset_index()
    out.insert(len(cols) + 1, "Share %", 100 * out["Responses"] / out["Responses"].sum())
    return out.sort_values(cols, ignore_index=True).rename(columns={c: c.replace("_", " ").capitalize() for c in cols})


def months_covered(responses: pd.DataFrame | None, time_col: str = "responded_at") -> int:
    """Calendar months from the first response to the last, both included (0 without dates)."""
    if responses is None or time_col not in responses.columns or responses[time_col].notna().sum() == 0:
        return 0
    first, last = responses[time_col].min(), responses[time_col].max()
    return (pd.Period(last, "M") - pd.Period(first, "M")).n + 1


def coverage_sentence(cov: pd.DataFrame, min_n: int, months: int) -> str:
    """How many touchpoints are surveyed and how many collect fewer than ``min_n`` responses a month.

    Parameters
    ----------
    cov : DataFrame
        From :func:`coverage`.
    min_n : int
        The smallest cell the report shows (``reporting.min_n``).
    months : int
        Months the responses cover (:func:`months_covered`); a touchpoint's monthly average is its
        responses over these months.
    """
    if cov.empty:
        return "The responses carry no journey stage or touchpoint, so coverage along the journey cannot be shown."
    thin = cov[cov["Responses"] < min_n * max(months, 1)]
    return (f"**{len(cov)} touchpoints** are surveyed; {len(thin)} of them collect fewer than "
            f"{min_n} responses a month on average and can only be reported over longer periods.")


def coverage_view(cov: pd.DataFrame) -> TableView:
    """:func:`coverage` with its title and formats."""
    return TableView(cov, "Responses by journey stage and touchpoint",
                     {"Share %": "{:.1f}%", **{c: "{:.0f}%" for c in cov.columns if c.endswith("answered %")}})


def response_rate(responses: pd.DataFrame | None, customers: pd.DataFrame | None, freq: str = "M",
                  as_of=None) -> pd.DataFrame:
    """Per period: active customers, customers who responded, and the response rate.

    A customer is active in a period when they started on or before its last day and had not
    left before its first day. Needs ``start_date`` (and ``end_date``) in the CRM table.
    """
    if (responses is None or customers is None or "start_date" not in customers.columns
            or "customer_id" not in responses.columns):
        return pd.DataFrame()
    ok = (responses["customer_id"].notna() & responses["responded_at"].notna()).to_numpy()
    known_at = responses["responded_at"][ok]
    first = pd.Period(customers["start_date"].min(), freq)
    last = pd.Period(pd.Timestamp(as_of) if as_of is not None else known_at.max(), freq)
    index = pd.period_range(first, last, freq=freq)
    start_p = customers["start_date"].dt.to_period(freq)
    starts = start_p.value_counts().reindex(index, fill_value=0).cumsum()
    if "end_date" in customers.columns:
        # leaving in period p still counts as active in p; gone from p + 1 onwards
        end_p = customers["end_date"].dropna().dt.to_period(freq) + 1
        ends = end_p.value_counts().reindex(index, fill_value=0).cumsum()
    else:
        ends = pd.Series(0, index=index)
    active = starts - ends
    # distinct (customer, period) pairs counted per period, on integer codes (no Period object per response)
    ordinal = known_at.dt.to_period(freq).array.asi8
    cust = pd.factorize(responses["customer_id"].to_numpy()[ok])[0].astype(np.int64)
    span = ordinal.max() - ordinal.min() + 1 if len(ordinal) else 1
    pairs = np.unique(cust * span + (ordinal - (ordinal.min() if len(ordinal) else 0)))
    per, cnt = np.unique(pairs % span + (ordinal.min() if len(ordinal) else 0), return_counts=True)
    respondents = pd.Series(cnt, index=per).reindex(index.asi8, fill_value=0)
    out = pd.DataFrame({"period": index.astype(str), "active_customers": active.to_numpy(),
                        "respondents": respondents.to_numpy()})
    out["response_rate_pct"] = np.where(out["active_customers"] > 0,
                                        100 * out["respondents"] / out["active_customers"].clip(lower=1), np.nan)
    return out


def response_rate_sentence(rates: pd.DataFrame, periods: int = 12) -> str:
    """The average response rate over the last ``periods`` periods, with its range."""
    last = rates["response_rate_pct"].iloc[-periods:]
    return (f"Over the last {periods} periods, **{last.mean():.1f}%** of active customers answered a survey "
            f"each period (from {last.min():.1f}% to {last.max():.1f}%).")


def _expected_shares(row: pd.Series, spec: MetricSpec) -> dict:
    if spec.kind == "nps":
        return {"promoters": row["promoters"] / 100, "detractors": row["detractors"] / 100}
    if spec.kind == "top_box":
        return {"p": min(max(row["value"] / 100, 0.01), 0.99)}
    return {"sd": float(row["sd"]) if row["sd"] > 0 else 1.0}


def margins_by_segment(responses: pd.DataFrame, spec: MetricSpec, segment_cols: list[str], *,
                       target_margin: float, freq: str = "M", window: int = 1, as_of=None,
                       conf: float = 0.95) -> pd.DataFrame:
    """Margin of error today (latest ``window`` periods) per segment level, and the sample to reach the target.

    Returns
    -------
    DataFrame
        segment, level, n, margin (±), n needed for the target margin, how many periods of
        responses that is at the current volume.
    """
    used = [c for c in dict.fromkeys([spec.column, "responded_at", *segment_cols]) if c in responses.columns]
    df = responses[used][responses[spec.column].notna() & responses["responded_at"].notna()]  # only the columns used
    if df.empty:
        return pd.DataFrame()
    last = pd.Period(pd.Timestamp(as_of) if as_of is not None else df["responded_at"].max(), freq)
    recent = df[df["responded_at"].dt.to_period(freq).between(last - window + 1, last)]
    # expected shares / sd come from a whole year, so a thin cell's sample size is not driven by noise
    year = df[df["responded_at"].dt.to_period(freq) > last - (12 if freq == "M" else 4)]
    rows = []
    for col in [c for c in segment_cols if c in df.columns]:
        now = summarise(recent, spec, by=col, conf=conf).set_index(col)
        ref = summarise(year, spec, by=col, conf=conf).set_index(col)
        for level, r in ref.iterrows():
            n_now = int(now.loc[level, "n"]) if level in now.index else 0
            shares = _expected_shares(r, spec)
            moe = margin_of_error(spec.kind, n_now, conf=conf, **shares) if n_now > 1 else float("nan")
            need = sample_size_for_margin(spec.kind, target_margin, conf=conf, **shares)
            per_period = r["n"] / (12 if freq == "M" else 4)
            rows.append({"Segment": col.replace("_", " "), "Level": level, "n (latest period)": n_now,
                         "Margin ± now": moe, "n for target margin": need,
                         "Periods of data needed": need / per_period if per_period > 0 else float("nan")})
    return pd.DataFrame(rows)


def margin_tables(responses: pd.DataFrame | None, specs: dict[str, MetricSpec], segments: list[str],
                  margins: dict[str, float], *, freq: str = "M", as_of=None,
                  conf: float = 0.95) -> dict[str, pd.DataFrame]:
    """:func:`margins_by_segment` for every metric, by key.

    Parameters
    ----------
    responses : DataFrame or None
    specs : dict
        Metric key → spec; every one gets a table.
    segments : list of str
        Segment columns (``cfg.segments``); those the responses lack are skipped.
    margins : dict
        Metric key → target margin (:func:`target_margins`).

    Returns
    -------
    dict
        Key → table, in the order of ``specs``; empty when the responses carry no dates or no
        segment column.
    """
    cols = [c for c in segments if c in responses.columns] if is_dated(responses) else []
    if not cols:
        return {}
    return {key: margins_by_segment(responses, spec, cols, target_margin=margins[key], freq=freq, as_of=as_of,
                                    conf=conf) for key, spec in specs.items()}


def margin_sentence(spec: MetricSpec, margin: float, table: pd.DataFrame) -> str:
    """How many segment levels reach a metric's target margin in one period, and what the median level needs."""
    if table.empty or "Periods of data needed" not in table.columns:
        return f"**{spec.name}** (target ±{margin:g}): no scored responses, so its precision cannot be shown."
    need = table["Periods of data needed"]
    return (f"**{spec.name}** (target ±{margin:g}): {(need <= 1).sum()} of {len(table)} segment levels reach the "
            f"target margin within a single period; the median level needs {need.median():.1f} periods of data.")


def margins_view(tables: dict[str, pd.DataFrame], specs: dict[str, MetricSpec],
                 margins: dict[str, float]) -> TableView:
    """:func:`combine_margins` with its title, per-kind number formats and a note naming the targets."""
    combined = combine_margins(tables, specs)
    if "Segment" in combined.columns:                  # "journey stage" → "Journey stage": the column's display label
        combined = combined.assign(Segment=[display_label(str(v).replace(" ", "_")) for v in combined["Segment"]])
    formats = {}
    for key in tables:
        spec = specs[key]
        formats[f"{spec.name} ± now"] = f"{{:.{MARGIN_DECIMALS[spec.kind]}f}}"
        formats[f"{spec.name} periods needed"] = "{:.1f}"
    return TableView(combined, "Margin of error in the latest period, and periods of data needed for the target margin",
                     {c: f for c, f in formats.items() if c in combined.columns},
                     "Targets: " + ", ".join(f"{specs[k].name} ±{margins[k]:g}" for k in tables)
                     + ". The sample needed uses each level's own spread over the last year.", max_rows=80)


def redundancy(responses: pd.DataFrame | None, specs: dict[str, MetricSpec]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How much the metrics overlap.

    Returns
    -------
    (DataFrame, DataFrame)
        The Spearman correlation matrix of the metric scores (responses answering all of
        them), and per metric the share of its variance explained by the others (R² of a linear
        regression) with the unique remainder — a metric with little unique variance adds little.
        Metrics without a single answer are left out (an empty CSAT column is no data, not a metric
        the others explain); both frames are empty when fewer than two metrics, or fewer than three
        responses answering them all, remain.
    """
    cols = {s.name: s.column for s in specs.values()
            if responses is not None and s.column in responses.columns and responses[s.column].notna().any()}
    if len(cols) < 2:
        return pd.DataFrame(), pd.DataFrame()
    data = responses[list(cols.values())].dropna()
    if len(data) < 3:
        return pd.DataFrame(), pd.DataFrame()
    data.columns = list(cols)
    corr = data.rank().corr()
    rows = []
    for name in cols:
        y = data[name].to_numpy(float)
        x = np.column_stack([np.ones(len(data)), data.drop(columns=name).to_numpy(float)])
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        r2 = 1 - np.var(y - x @ beta) / np.var(y) if np.var(y) > 0 else float("nan")
        rows.append({"Metric": name, "Explained by the others %": 100 * r2, "Unique %": 100 * (1 - r2), "n": len(data)})
    return corr, pd.DataFrame(rows)


def redundancy_view(unique: pd.DataFrame) -> TableView:
    """The unique-variance table of :func:`redundancy` with its title, formats and a note giving n."""
    return TableView(unique.drop(columns="n"), "How much of each metric the others explain",
                     {"Explained by the others %": "{:.0f}%", "Unique %": "{:.0f}%"},
                     f"Linear regression of each metric on the others, n = {int(unique['n'].iloc[0]):,} responses "
                     "answering all.")


def redundancy_sentence(unique: pd.DataFrame) -> str:
    """Which metric the others explain best, and what to do about it."""
    most = unique.sort_values("Unique %").iloc[0]
    return (f"**{most['Metric']}** is the most redundant: the other metrics explain "
            f"{most['Explained by the others %']:.0f}% of it. "
            "Keep it where stakeholders already rely on it; otherwise it is the first candidate to drop.")


def cadence(responses: pd.DataFrame, spec: MetricSpec, *, by: str = "touchpoint", target_margin: float,
            freq: str = "M", as_of=None, recent_periods: int = 6, conf: float = 0.95) -> pd.DataFrame:
    """A reporting cadence per touchpoint that its volume supports at the target margin.

    The cadence is the shortest of monthly, quarterly, half-yearly and yearly whose expected
    responses reach the sample needed for the target margin. Where a month already holds many
    times the need, the advice is to sample invitations instead of surveying everyone.
    """
    used = [c for c in dict.fromkeys([spec.column, "responded_at", by]) if c in responses.columns]
    df = responses[used][responses[spec.column].notna() & responses["responded_at"].notna()]  # only the columns used
    if by not in df.columns or df.empty:
        return pd.DataFrame()
    last = pd.Period(pd.Timestamp(as_of) if as_of is not None else df["responded_at"].max(), freq)
    recent = df[df["responded_at"].dt.to_period(freq) > last - recent_periods]
    months_per_period = 1 if freq == "M" else 3
    table = summarise(recent, spec, by=by, conf=conf)
    rows = []
    for _, r in table.iterrows():
        monthly = r["n"] / (recent_periods * months_per_period)
        need = sample_size_for_margin(spec.kind, target_margin, conf=conf, **_expected_shares(r, spec))
        choice = next((name for name, months in CADENCES if monthly * months >= need), None)
        if choice is None:
            advice = f"volume too low: a year gives {monthly * 12:,.0f} of {need:,} needed — invite more customers or report yearly with a wider margin"
            choice = "yearly (wider margin)"
        elif choice == "monthly" and monthly >= 3 * need:
            advice = f"survey a sample: about {math.ceil(need * 1.1):,} responses a month are enough ({100 * need / monthly:.0f}% of today's volume)"
        else:
            advice = f"report {choice}"
        rows.append({by.replace("_", " ").capitalize(): r[by], "Responses per month": monthly, "n for target margin": need,
                     "Cadence": choice, "Advice": advice})
    columns = [by.replace("_", " ").capitalize(), "Responses per month", "n for target margin", "Cadence", "Advice"]
    # no scored response in the recent periods (a single old response, say): an empty table with its columns
    return pd.DataFrame(rows, columns=columns).sort_values("Responses per month", ascending=False, ignore_index=True)


def cadence_view(cad: pd.DataFrame, spec: MetricSpec, margin: float) -> TableView:
    """:func:`cadence` with a title naming the metric and its target margin."""
    return TableView(cad, f"Cadence per touchpoint for {spec.name} at ±{margin:g}",
                     {"Responses per month": "{:,.0f}", "n for target margin": "{:,.0f}"},
                     empty=f"No touchpoint has {spec.name} responses in the recent periods, so no cadence can be "
                           "recommended.")


def plot_redundancy(corr: pd.DataFrame, n: int):
    """Heat map of the Spearman correlations between metrics (:func:`cxtemplate.report.charts.heatmap`)."""
    import matplotlib.pyplot as plt

    from cxtemplate.report.charts import heatmap

    fig, ax = plt.subplots(figsize=(4.8, 3.8))
    heatmap(corr, fmt="{:.2f}".format, vmin=-1, vmax=1, cmap="RdBu_r", total_n=n, ax=ax,
            title="How strongly the metrics move together", unit="Spearman correlation", source="survey responses")
    return fig


def plot_response_rate(rates: pd.DataFrame, freq: str = "M"):
    """Active customers and the share who answered a survey, per period."""
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import PALETTE, finish

    fig, ax = plt.subplots(figsize=(8.5, 3.3))
    x = pd.PeriodIndex(rates["period"], freq=freq).to_timestamp()
    ax.plot(x, rates["response_rate_pct"], color=PALETTE[0], marker="o", ms=2.5)
    ax.set_ylim(bottom=0)
    finish(ax, "Share of active customers who answered a survey", n=int(rates["respondents"].sum()),
           unit="% of active customers per period", source="CRM and survey responses", ylabel="response rate, %")
    return fig


def combine_margins(tables: dict[str, pd.DataFrame], specs: dict[str, MetricSpec]) -> pd.DataFrame:
    """One row per segment level: n, and for each metric its margin now and the periods needed."""
    merged = None
    for key, t in tables.items():
        if t.empty:
            continue
        name = specs[key].name
        part = t.rename(columns={"Margin ± now": f"{name} ± now",
                                 "Periods of data needed": f"{name} periods needed"})
        part = part[["Segment", "Level", "n (latest period)", f"{name} ± now", f"{name} periods needed"]]
        merged = part if merged is None else merged.merge(part.drop(columns="n (latest period)"),
                                                          on=["Segment", "Level"], how="outer")
    return merged if merged is not None else pd.DataFrame()


# --------------------------------------------------------------------------- the page's sections
# Each section of notebook 03 says what it measures only when it runs: without survey responses (or without a
# metric) the opening says so once, and every other section is empty.

INTRO = """A CX programme is only as good as its measurement. This page sets out which metrics are used
and exactly how they are defined (vendors define CSAT and CES differently, so the definition
is stated), where in the journey they are collected, how precise today's numbers are for each
segment, whether the metrics duplicate each other, and how often each touchpoint can be
reported without mistaking noise for change."""
CATALOGUE_METHOD = """The target margin is the precision (half-width of the 95% interval) a reported number should
reach before it is used to compare segments or periods."""
COVERAGE_METHOD = """Responses by journey stage and touchpoint. Thinly covered touchpoints cannot be reported on
their own and are candidates for more invitations, or for merging with a neighbour."""
RESPONSE_RATE_METHOD = """The share of active customers who answered at least one survey in each period. A falling rate
makes the results less representative even when the volume looks stable."""
MARGINS_METHOD = """For each segment: how many responses the latest period holds, the margin of error that gives,
and how many responses would reach the target margin. *Periods of data needed* says how many
periods must be pooled at today's volume to get there: 1 or less means the segment can be
reported every period."""
REDUNDANCY_METHOD = """If one metric is almost entirely explained by the others it adds little information and
lengthens the survey. A large *unique* share means the metric measures something the others miss."""
CADENCE_METHOD = """The shortest reporting period in which each touchpoint collects enough responses for the
target margin of the headline metric; where a month already holds several times the need,
sampling the invitations saves customers' time."""


def _surveyed(responses: pd.DataFrame | None, specs: dict[str, MetricSpec]) -> bool:
    return responses is not None and bool(specs)


def opening_sentences(responses: pd.DataFrame, specs: dict[str, MetricSpec], found: list[Section] | None = None,
                      margins: dict[str, float] | None = None, min_n: int = 30) -> list[str]:
    """The page's three to five plain sentences, read from what the sections found (their artifacts).

    Parameters
    ----------
    responses : DataFrame
        The canonical responses.
    specs : dict
        Metric key → spec.
    found : list of Section, optional
        The page's other sections, built before the opening is shown: their artifacts (``coverage``,
        ``response_rate``, ``margins_<metric>``, ``redundancy``) give the sentences.
    margins : dict, optional
        Metric key → target margin (:func:`target_margins`).
    min_n : int
        The smallest cell the report shows (``reporting.min_n``).
    """
    art = {k: v for sec in (found or []) for k, v in sec.artifacts.items()}
    names = [s.name for s in specs.values()]
    scored = responses[[s.column for s in specs.values() if s.column in responses.columns]].notna().any(axis=1)
    cov = art.get("coverage")
    where = (f" at {plural(len(cov), 'touchpoint')}" if isinstance(cov, pd.DataFrame) and len(cov) else "")
    out = [sentence(f"The survey measures {join_list(names)} on {plural(int(scored.sum()), 'response')}{where}")]
    if isinstance(cov, pd.DataFrame) and len(cov):
        thin = int((cov["Responses"] < min_n * max(months_covered(responses), 1)).sum())
        out.append(sentence(f"{thin} of the {plural(len(cov), 'touchpoint')} {verb(thin, 'collects', 'collect')} "
                            f"fewer than {min_n} responses a month, too few to report "
                            f"{verb(thin, 'it', 'them')} month by month"))
    rates = art.get("response_rate")
    if isinstance(rates, pd.DataFrame) and len(rates):
        last = rates["response_rate_pct"].iloc[-12:]
        out.append(sentence(f"About {last.mean():.0f}% of active customers answer a survey each period"))
    key = next((k for k in specs if isinstance(art.get(f"margins_{k}"), pd.DataFrame)), None)
    if key is not None and margins and "Periods of data needed" in art[f"margins_{key}"].columns:
        t = art[f"margins_{key}"]
        ok = int((t["Periods of data needed"] <= 1).sum())
        out.append(sentence(f"{ok} of the {plural(len(t), 'customer group')} {verb(ok, 'is', 'are')} measured "
                            f"precisely enough "
                            f"(±{margins[key]:g}) on {specs[key].name} within a single period"))
    unique = art.get("redundancy")
    if isinstance(unique, pd.DataFrame) and len(unique):
        most, least = unique.sort_values("Unique %").iloc[0], unique.sort_values("Unique %").iloc[-1]
        out.append(sentence(f"{most['Metric']} overlaps most with the others, which explain "
                            f"{most['Explained by the others %']:.0f}% of it; {least['Metric']} adds the most of "
                            f"its own"))
    return out[:5]


def opening_section(responses: pd.DataFrame | None, specs: dict[str, MetricSpec], found: list[Section] | None = None,
                    margins: dict[str, float] | None = None, min_n: int = 30) -> Section:
    """The page's plain sentences (:func:`opening_sentences`) and what it does (in the method note); one sentence
    when no metric is enabled or there are no survey responses."""
    section = Section()
    if not specs:
        section.absent("No survey metric is enabled in the parameters", "there is nothing to design")
    elif responses is None:
        section.absent("There are no survey responses", "coverage cannot be assessed and there is no survey to design")
    else:
        for text in opening_sentences(responses, specs, found, margins, min_n):
            section.say(text)
        section.method(INTRO)
    return section


def catalogue_section(responses: pd.DataFrame | None, specs: dict[str, MetricSpec], margins: dict[str, float],
                      conf: float = 0.95) -> Section:
    """The metrics' definitions and target margins; artifact ``catalogue``."""
    section = Section()
    if _surveyed(responses, specs):
        view = catalogue_view(specs, margins, conf)
        section.method(CATALOGUE_METHOD)
        section.table(view)
        section.keep("catalogue", view.frame)
    return section


def coverage_section(responses: pd.DataFrame | None, specs: dict[str, MetricSpec], min_n: int) -> Section:
    """Responses by journey stage and touchpoint; artifact ``coverage``."""
    section = Section()
    if not _surveyed(responses, specs):
        return section
    cov = coverage(responses, specs)
    section.method(COVERAGE_METHOD)
    section.say(coverage_sentence(cov, min_n, months_covered(responses)))
    if not cov.empty:
        section.table(coverage_view(cov))
        section.keep("coverage", cov)
    return section


def response_rate_section(responses: pd.DataFrame | None, customers: pd.DataFrame | None,
                          specs: dict[str, MetricSpec], *, freq: str = "M", as_of=None, warning: str = "") -> Section:
    """The share of active customers answering each period; artifact ``response_rate``.

    ``warning`` is the sentence of a survey-to-CRM join that matched little (shown with the rates).
    """
    section = Section()
    if not _surveyed(responses, specs):
        return section
    if customers is None:
        section.absent("There is no CRM", "response rates among customers cannot be computed")
        return section
    rates = response_rate(responses, customers, freq, as_of)
    if rates.empty:
        section.absent("Response rates need the CRM's start dates and customer ids on responses",
                       "they are not available here")
        return section
    section.method(RESPONSE_RATE_METHOD)
    section.say(response_rate_sentence(rates))
    section.say(warning)
    section.chart(_response_rate_axes, rates, freq, alt=response_rate_alt(rates))
    section.keep("response_rate", rates)
    return section


def margins_section(responses: pd.DataFrame | None, specs: dict[str, MetricSpec], segments: list[str],
                    margins: dict[str, float], *, freq: str = "M", as_of=None, conf: float = 0.95) -> Section:
    """Today's margin of error per segment against the target; artifacts ``margins_<metric>``."""
    section = Section()
    if not _surveyed(responses, specs):
        return section
    if not is_dated(responses):
        section.absent("The responses carry no dates", "precision per reporting period cannot be shown")
        return section
    tables = margin_tables(responses, specs, segments, margins, freq=freq, as_of=as_of, conf=conf)
    if not tables:
        section.absent("No segment columns are configured or present", "precision by segment is not shown")
        return section
    section.method(MARGINS_METHOD)
    for key, table in tables.items():
        section.keep(f"margins_{key}", table)
        section.say(margin_sentence(specs[key], margins[key], table))
    section.table(margins_view(tables, specs, margins))
    return section


def redundancy_section(responses: pd.DataFrame | None, specs: dict[str, MetricSpec]) -> Section:
    """How much of each metric the others explain; artifact ``redundancy``."""
    section = Section()
    if not _surveyed(responses, specs):
        return section
    corr, unique = redundancy(responses, specs)
    if corr.empty:
        section.absent("Fewer than two metrics are measured", "redundancy cannot be assessed")
        return section
    section.method(REDUNDANCY_METHOD)
    section.chart(_redundancy_axes, corr, int(unique["n"].iloc[0]), alt=redundancy_alt(corr))
    section.table(redundancy_view(unique))
    section.say(redundancy_sentence(unique))
    section.keep("redundancy", unique)
    return section


def cadence_section(responses: pd.DataFrame | None, specs: dict[str, MetricSpec], margins: dict[str, float], *,
                    freq: str = "M", as_of=None, conf: float = 0.95) -> Section:
    """The survey cadence each touchpoint's volume supports, for the first metric; artifact ``cadence``."""
    section = Section()
    if not _surveyed(responses, specs):
        return section
    if not is_dated(responses):
        section.absent("The responses carry no dates", "no cadence can be recommended")
        return section
    if "touchpoint" not in responses.columns:
        section.absent("The responses carry no touchpoint", "no cadence can be recommended")
        return section
    key = next(iter(specs))
    cad = cadence(responses, specs[key], by="touchpoint", target_margin=margins[key], freq=freq, as_of=as_of,
                  conf=conf)
    section.method(CADENCE_METHOD)
    section.table(cadence_view(cad, specs[key], margins[key]))
    section.keep("cadence", cad)
    return section


def _response_rate_axes(rates: pd.DataFrame, freq: str):
    return plot_response_rate(rates, freq).axes[0]


def _redundancy_axes(corr: pd.DataFrame, n: int):
    return plot_redundancy(corr, n).axes[0]


def response_rate_alt(rates: pd.DataFrame) -> str:
    """The response-rate chart's alt text: its title and one sentence on the latest rate and its range."""
    r = rates.dropna(subset=["response_rate_pct"])
    if r.empty:
        return "Share of active customers who answered a survey: no period has active customers."
    last = r.iloc[-1]
    return (f"Share of active customers who answered a survey: {last['response_rate_pct']:.1f}% in {last['period']}, "
            f"between {r['response_rate_pct'].min():.1f}% and {r['response_rate_pct'].max():.1f}% over "
            f"{plural(len(r), 'period')}.")


def redundancy_alt(corr: pd.DataFrame) -> str:
    """The correlation heat map's alt text: its title and one sentence naming the closest and the loosest pair."""
    names = list(corr.columns)
    pairs = [(corr.iloc[i, j], names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))]
    if not pairs:
        return "How strongly the metrics move together: only one metric."
    hi, lo = max(pairs), min(pairs)
    text = f"How strongly the metrics move together: {hi[1]} and {hi[2]} most (correlation {fmt_num(hi[0], 2)})"
    if len(pairs) > 1:
        text += f", {lo[1]} and {lo[2]} least ({fmt_num(lo[0], 2)})"
    return text.replace("-", "−") + "."
