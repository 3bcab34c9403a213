"""Notebook 04's scores over time and across segments: headline metrics, trends, lasting steps, segments.

Each ``*_section`` function takes the :class:`~cxtemplate.analysis.page.Survey` and returns a
:class:`~cxtemplate.analysis.page.Section`: the sentences, tables (reader-facing
:class:`~cxtemplate.report.display.TableView`), charts and artifacts of one section of the page, so
the notebook cell is ``section.show()`` and ``section.save(run.save)``. The statistics live in
:mod:`cxtemplate.measure` (metrics, trends, segments); this module turns their outputs into what a
stakeholder reads.

The comment topics at scale (:func:`comment_topics`) live here too; the section on comments is
:mod:`cxtemplate.analysis.comments`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cxtemplate.analysis.page import Survey
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.segments import funnel_table, plot_funnel, segment_table
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.measure.trends import compare_periods, detect_steps, period_table, plot_trend
from cxtemplate.report.display import TableView, fixed, fmt_ci, fmt_num, fmt_p, fmt_signed, labelled, p_value_cell, signed
from cxtemplate.report.grammar import join_list, plural, sentence, verb
from cxtemplate.report.labels import display_label
from cxtemplate.report.section import Section

__all__ = ["CommentTopics", "FUNNEL_READING", "HEADLINE_METHOD", "HeadlineSection", "SEGMENTS_METHOD", "SOURCE",
           "STEPS_METHOD", "TRENDS_METHOD", "TOPIC_FIT_SAMPLE", "comment_topics", "named_topics",
           "funnel_alt", "headline", "headline_section", "headline_sentence", "segment_sentence", "segments_section",
           "segments_view", "step_column", "step_direction", "step_sentence", "steps_alt", "steps_section", "steps_view",
           "trend_alt", "trends_section"]


def _fmt_value(spec: MetricSpec, v: float) -> str:
    return f"{v:.2f}" if spec.kind == "mean" else f"{v:.1f}"


def headline(responses: pd.DataFrame, specs: dict[str, MetricSpec], *, freq: str, as_of, baseline: str | None,
             conf: float = 0.95, time_col: str = "responded_at") -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The latest period of every metric with its interval, change vs previous and vs baseline.

    Returns
    -------
    (DataFrame, dict)
        One row per metric (value, interval, n, changes with BH-adjusted p over the metric's
        periods), and each metric's full period table with comparisons (for charts).
    """
    rows, tables = [], {}
    last = pd.Period(pd.Timestamp(as_of), freq)
    for key, spec in specs.items():
        df = responses[[spec.column, time_col]][responses[spec.column].notna() & responses[time_col].notna()]
        t = period_table(df, spec, time_col, freq=freq)
        t = t[pd.PeriodIndex(t["period"], freq=freq) <= last].reset_index(drop=True)
        if t.empty:
            continue
        base = "first"
        if baseline is not None and pd.Period(baseline, freq) in set(t["period"]):
            base = pd.Period(baseline, freq)
        t = compare_periods(t, spec, baseline=base)
        tables[key] = t
        r = t.iloc[-1]
        rows.append({"key": key, "metric": spec.name, "unit": spec.unit, "period": r["period"], "value": r["value"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": int(r["n"]),
                     "change_prev": r.get("change_prev"), "p_adj_prev": r.get("p_adj_prev"),
                     "baseline": r.get("baseline"), "change_base": r.get("change_base"), "p_adj_base": r.get("p_adj_base")})
    return pd.DataFrame(rows), tables


def headline_sentence(row: pd.Series, spec: MetricSpec, alpha: float = 0.05, frequency: str = "period") -> str:
    """'NPS was 12.2 in 2025-12, the latest month (95% CI 6.2 to 18.0, n = 773): no significant change …'."""
    v = _fmt_value(spec, row["value"])
    ci = (f"95% CI {_fmt_value(spec, row['ci_low'])} to {_fmt_value(spec, row['ci_high'])}"
          if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]) else "too few responses for an interval")
    text = f"**{spec.name} was {v}** in {row['period']}, the latest {frequency} ({ci}, n = {row['n']:,})"
    parts = []
    for label, ch, p in ((f"the previous {frequency}", row.get("change_prev"), row.get("p_adj_prev")),
                         (f"the baseline {row.get('baseline')}", row.get("change_base"), row.get("p_adj_base"))):
        if ch is None or pd.isna(ch):
            continue
        sig = p is not None and not pd.isna(p) and p < alpha
        parts.append(f"{fmt_signed(ch, 2 if spec.kind == 'mean' else 1)} vs {label} "
                     f"({'significant' if sig else 'not significant'}, adjusted p {fmt_p(p)})")
    return text + (": " + "; ".join(parts) + "." if parts else ".")


def step_sentence(steps: pd.DataFrame, group_label: str, spec: MetricSpec) -> str:
    """One sentence on the significant steps found (or that none were)."""
    sig = steps[steps["significant"]] if "significant" in steps.columns else steps.iloc[0:0]
    if sig.empty:
        return sentence(f"No {group_label} shows a lasting step change in {spec.name} beyond what chance produces "
                        f"({plural(len(steps), 'series', 'series')} looked at)")
    parts = [f"**{r[steps.columns[0]]}** from {r['step_period']} ({fmt_signed(r['change'])}, adjusted p {fmt_p(r['p_adj'])})"
             for _, r in sig.sort_values("p_adj").iterrows()]
    return sentence(f"{spec.name} stepped {step_direction(sig)} and stayed there in " + "; ".join(parts))


def step_direction(significant: pd.DataFrame) -> str:
    """'down', 'up' or 'up or down': the direction of the significant steps."""
    down, up = bool((significant["change"] < 0).any()), bool((significant["change"] > 0).any())
    return "up or down" if down and up else "down" if down else "up"


def segment_sentence(table: pd.DataFrame, spec: MetricSpec, alpha: float = 0.05,
                     labels: dict[str, str] | None = None, window: str | None = None) -> str:
    """The segment levels significantly above and below the rest (each segment under its display label)."""
    ok = table[table["p_adj"].notna()]
    lo = ok[(ok["p_adj"] < alpha) & (ok["diff"] < 0)].sort_values("diff")
    hi = ok[(ok["p_adj"] < alpha) & (ok["diff"] > 0)].sort_values("diff", ascending=False)
    fmt = lambda r: f"{r['level']} ({display_label(r['segment'], labels).lower()}, {fmt_signed(r['diff'])})"  # noqa: E731
    over = f"Over {window}, compared" if window else "Compared"
    text = (f"{over} with everyone else, {plural(len(lo), 'segment level')} {verb(len(lo), 'scores', 'score')} "
            f"significantly lower on {spec.name}")
    text += f" — most of all {join_list(fmt(r) for _, r in lo.head(3).iterrows())}" if len(lo) else ""
    text += (f"; {len(hi)} {verb(len(hi), 'scores', 'score')} higher"
             + (f", led by {join_list(fmt(r) for _, r in hi.head(2).iterrows())}" if len(hi) else ""))
    return sentence(text)


def trend_alt(table: pd.DataFrame, spec: MetricSpec, frequency: str) -> str:
    """A trend chart's alt text: its title, the first and latest values and the lowest and highest periods."""
    t = table.dropna(subset=["value"])
    if t.empty:
        return f"{spec.display} per {frequency}: no values to show."
    first, last = t.iloc[0], t.iloc[-1]
    low, high = t.loc[t["value"].idxmin()], t.loc[t["value"].idxmax()]
    return (f"{spec.display} per {frequency}: {_fmt_value(spec, first['value'])} in {first['period']} and "
            f"{_fmt_value(spec, last['value'])} in {last['period']}, lowest {_fmt_value(spec, low['value'])} in "
            f"{low['period']}, highest {_fmt_value(spec, high['value'])} in {high['period']}.")


def steps_alt(steps: pd.DataFrame, group_col: str, spec: MetricSpec) -> str:
    """The step chart's alt text: each series with a lasting step, before and after."""
    sig = steps[steps["significant"]]
    parts = [f"{r[group_col]} stepped {'down' if r['change'] < 0 else 'up'} in {r['step_period']} from "
             f"{fmt_num(r['value_before'], 1)} to {fmt_num(r['value_after'], 1)}" for _, r in sig.iterrows()]
    return sentence(f"{spec.name} where a lasting step was found: {join_list(parts)}")


def funnel_alt(by_location: pd.DataFrame, spec: MetricSpec) -> str:
    """The funnel chart's alt text: the locations outside the 95% limits, below and above the overall."""
    ft, target, _ = funnel_table(by_location, spec)
    name = ft.columns[0]
    out = ft[ft["outside_95"]]
    below = out.loc[out["value"] < target, name].astype(str).tolist()
    above = out.loc[out["value"] > target, name].astype(str).tolist()
    text = f"{spec.name} by location against its number of responses: "
    if not below and not above:
        return text + f"every location lies within the 95% limits around the overall {target:.1f}."
    said = []
    if below:
        said.append(f"{join_list(below)} {verb(len(below), 'lies', 'lie')} below the 95% limits")
    if above:
        said.append(f"{join_list(above)} {verb(len(above), 'lies', 'lie')} above them")
    return text + "; ".join(said) + f" (overall {target:.1f})."


# --------------------------------------------------------------------------- the page's sections

SOURCE = "survey responses"

# What each section says of its method, shown only when the section runs (an absent input is one sentence).
HEADLINE_METHOD = """The latest reporting period for each metric, compared with the previous period and with the
baseline period set in the parameters; p-values are adjusted for the number of periods compared
(Benjamini–Hochberg)."""
TRENDS_METHOD = """Each metric per period with its 95% interval (the shaded band). Wide bands mean few responses
in that period: movements inside the band are not evidence of change."""
STEPS_METHOD = """For each location we look for the single month where the score stepped to a new level and
stayed there, and test whether such a step is larger than month-to-month noise would produce
(a permutation test on the series for its single most likely break, then adjusted across locations by
Benjamini–Hochberg)."""
SEGMENTS_METHOD = """Each segment compared with everyone else. Cells with fewer than the minimum number of responses
set in the parameters are suppressed and say so."""


@dataclass
class HeadlineSection(Section):
    """The headline section, with each metric's period table (with comparisons) for the trends."""

    period_tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def headline_section(survey: Survey) -> HeadlineSection:
    """The latest period of every metric in one sentence each, and the metrics' definitions.

    Artifact ``headline``: one row per metric (see :func:`headline`).
    """
    section = HeadlineSection()
    if not survey.dated:
        if survey.present:
            section.absent("The responses carry no dates",
                           "trends, period comparisons, lasting steps and the latest change are not analysed")
        return section
    head, section.period_tables = headline(survey.responses, survey.specs, freq=survey.freq, as_of=survey.as_of,
                                           baseline=survey.baseline, conf=survey.conf)
    section.method(HEADLINE_METHOD)
    for _, row in head.iterrows():
        section.say(headline_sentence(row, survey.specs[row["key"]], frequency=survey.frequency))
    for spec in survey.specs.values():
        section.method(spec.definition + ".")
    section.keep("headline", head)
    return section


def trends_section(survey: Survey, period_tables: dict[str, pd.DataFrame]) -> Section:
    """One trend chart per metric from the headline's period tables; artifacts ``trend_<metric>``.

    A metric without a period table (no dated score up to the analysis date) is left out.
    """
    section = Section()
    if not survey.dated or not any(key in period_tables for key in survey.specs):
        return section
    section.method(TRENDS_METHOD)
    for key, spec in survey.specs.items():
        if key not in period_tables:
            continue
        t = period_tables[key]
        section.chart(plot_trend, t, spec, title=f"{spec.display} per {survey.frequency}", source=SOURCE,
                      min_n=survey.min_n, alt=trend_alt(t, spec, survey.frequency))
        section.keep(f"trend_{key}", t.assign(period=t["period"].astype(str)))
    return section


def step_column(survey: Survey) -> str | None:
    """The column whose series are searched for lasting steps: ``location``, else the first segment column present."""
    return next((c for c in ("location", *survey.segments) if survey.has(c)), None)


def steps_view(steps: pd.DataFrame, group_col: str, spec: MetricSpec, labels: dict[str, str] | None = None) -> TableView:
    """The most likely step per series, most significant first."""
    group = display_label(group_col, labels)
    frame = labelled(steps, {group_col: group, "step_period": "Most likely step",
                             "value_before": "Before", "n_before": "n before", "value_after": "After",
                             "n_after": "n after", "change": "Change", "p_adj": "Adjusted p",
                             "significant": "Significant"}).sort_values("Adjusted p")
    return TableView(frame, f"Most likely step per {group.lower()} ({spec.name})",
                     formats={"Before": fixed(1), "After": fixed(1), "Change": signed(1), "Adjusted p": p_value_cell})


def steps_section(survey: Survey) -> Section:
    """Lasting steps in NPS per location (:func:`cxtemplate.measure.trends.detect_steps`); artifact ``steps``."""
    section = Section()
    group_col = step_column(survey)
    if not survey.dated:  # the headline section said so
        return section
    if "nps" not in survey.specs:
        section.absent("There are no NPS scores", "lasting steps are not looked for")
        return section
    if group_col is None:
        section.absent("The responses carry no location or segment", "lasting steps are not looked for")
        return section
    responses, spec = survey.responses, survey.specs["nps"]
    if survey.periods_with(spec.column) < 2:  # a step needs a before and an after
        section.absent(f"Step detection needs NPS responses in at least two {survey.frequency}s", "it is skipped")
        return section
    steps = detect_steps(responses, spec, "responded_at", group_col, freq=survey.freq, min_n=survey.min_n,
                         seed=survey.seed)
    section.method(STEPS_METHOD)
    section.say(step_sentence(steps, display_label(group_col, survey.display_labels).lower(), spec))
    significant = steps[steps["significant"]]
    if not significant.empty:
        focus = responses[responses[group_col].isin(significant[group_col])]
        t = period_table(focus, spec, "responded_at", freq=survey.freq, by=group_col)
        section.chart(plot_trend, t, spec, group=group_col, steps=steps, min_n=survey.min_n,
                      title=f"{spec.name} where a lasting step was found", source=SOURCE,
                      alt=steps_alt(steps, group_col, spec))
    section.table(steps_view(steps, group_col, spec, survey.display_labels))
    section.keep("steps", steps.assign(step_period=steps["step_period"].astype(str)))
    return section


def segments_view(table: pd.DataFrame, spec: MetricSpec, labels: dict[str, str] | None = None,
                  window: str | None = None) -> TableView:
    """Each segment level against the rest, with its interval as text, each segment under its display label;
    ``window`` (the periods covered) ends the title."""
    ci = [fmt_ci(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"])]
    frame = labelled(table.assign(ci_text=ci, segment=table["segment"].map(lambda c: display_label(c, labels))),
                     {"segment": "Segment", "level": "Level", "value": spec.name, "ci_text": "95% CI", "n": "n",
                      "diff": "vs rest", "p_adj": "Adjusted p", "note": "Note"})
    return TableView(frame, f"{spec.name} by segment, against the rest of the population"
                     + (f", {window}" if window else ""),
                     formats={spec.name: fixed(1), "vs rest": signed(1), "Adjusted p": p_value_cell}, max_rows=80)


FUNNEL_READING = ("Locations outside the funnel's limits differ from the organisation by more than their "
                  "sample size explains; those inside are consistent with the overall score.")


def segments_section(survey: Survey) -> Section:
    """The first metric by every level of the configured segments, against the rest; artifact ``segments``.

    With a ``location`` segment, a funnel chart of the locations follows.
    """
    section = Section()
    columns = [c for c in survey.segments if survey.has(c)]
    if not columns:
        if survey.present:
            section.absent("No segment columns are configured or present", "segment comparisons are skipped")
        return section
    spec = next(iter(survey.specs.values()))
    table = segment_table(survey.responses, spec, columns, min_n=survey.min_n)
    section.method(SEGMENTS_METHOD)
    covered = survey.window(None)
    window = covered.label if covered is not None else None
    section.say(segment_sentence(table, spec, labels=survey.display_labels, window=window))
    section.table(segments_view(table, spec, survey.display_labels, window))
    section.keep("segments", table)
    if "location" in columns:
        by_location = summarise(survey.responses, spec, by="location", conf=survey.conf)
        section.chart(plot_funnel, by_location, spec, title=f"{spec.name} by location against its number of responses",
                      source=SOURCE, alt=funnel_alt(by_location, spec))
        section.say(FUNNEL_READING)
    return section

# --------------------------------------------------------------------------- comments at scale

TOPIC_FIT_SAMPLE = 20_000
"""Above this many comments, topics are found on a random sample of this many comments (stated on the
page) and every comment is then assigned to them. ``bench/bench_comments.py`` measures what the
sample changes (the number of topics chosen, their words and the comments assigned to them)."""


@dataclass
class CommentTopics:
    """Topics fitted on all comments or on a sample, with every comment's membership."""

    model: object
    membership: pd.DataFrame
    n_comments: int
    n_fitted: int
    note: str


def comment_topics(comments: pd.Series, *, seed: int = 0, sample_above: int | None = TOPIC_FIT_SAMPLE,
                   k_range=range(4, 13)) -> CommentTopics:
    """Fit comment topics (:func:`cxtemplate.analysis.text.topics.fit_topics`), on a random sample above ``sample_above``.

    ``k_range`` is the range of topic numbers the stability search tries (``fit_topics``' default).

    Each topic is named by a phrase of its comments (:func:`named_topics`); every comment is then assigned to
    the topics by :func:`cxtemplate.analysis.text.topics.assign_topics` (sentence by
    sentence; each distinct text once); with a sample, the topics' ``share`` and ``dominant_share`` are
    recomputed on all comments (the examples stay those of the sample).

    Returns
    -------
    CommentTopics
        ``membership`` has the index of ``comments`` and one column per issue topic (its name); ``note`` states the
        sample when one was used.
    """
    import numpy as np

    from cxtemplate.analysis.text import topics as text

    n = len(comments)
    if sample_above is None or n <= sample_above:
        model = named_topics(text.fit_topics(comments, seed=seed, k_range=k_range), comments)
        return CommentTopics(model, _assign_distinct(model, comments)[0], n, n, "")
    pick = np.sort(np.random.default_rng(seed).choice(n, sample_above, replace=False))
    model = named_topics(text.fit_topics(comments.iloc[pick], seed=seed, k_range=k_range), comments.iloc[pick])
    member, shares, dominant = _assign_distinct(model, comments)
    model.topics = model.topics.assign(share=shares, dominant_share=dominant)
    note = (f"Topics were found on a random sample of {sample_above:,} of the {n:,} comments (above "
            f"{sample_above:,} comments a sample is used: the fit's cost grows with the comments while the "
            f"topics barely change); every comment was then assigned to them, and the shares are those of all comments.")
    return CommentTopics(model, member, n, sample_above, note)


def named_topics(model, comments: pd.Series):
    """A copy of the fitted ``model`` whose topics carry human names (:func:`cxtemplate.analysis.text.naming.topic_names`)
    as ``label``, their top-term triple moving to ``words`` (for analysts); the model itself is not changed."""
    import dataclasses

    from cxtemplate.analysis.text.naming import topic_names

    topics = model.topics.copy()
    words = topics["label"].to_numpy()
    topics["label"] = topic_names(model, comments)
    topics.insert(int(topics.columns.get_loc("label")) + 1, "words", words)
    return dataclasses.replace(model, topics=topics)


def _assign_distinct(model, comments: pd.Series):
    """Issue-topic membership of every comment, and every topic's share and dominant share over all comments.

    :func:`cxtemplate.analysis.text.topics.assign_topics` and :func:`cxtemplate.analysis.text.topics.topic_weights` on each distinct
    text once (survey exports repeat stock phrases), spread back to every comment.
    """
    import numpy as np

    from cxtemplate.analysis.text import topics as text

    s = comments.where(comments.map(lambda v: isinstance(v, str)), None).astype(object).fillna("")
    codes, uniq = pd.factorize(s)
    uniq = pd.Series(uniq, dtype=object)
    member_all = text.assign_topics(model, uniq, include_general=True).to_numpy()[codes]
    weight = text.topic_weights(model, uniq).to_numpy()[codes]
    nonblank = (s.str.strip() != "").to_numpy()
    has = weight.sum(axis=1) > 0
    dom = np.where(has, weight.argmax(axis=1), -1)
    k = member_all.shape[1]
    shares = [float(member_all[nonblank, t].mean()) if nonblank.any() else 0.0 for t in range(k)]
    dominant = [float((dom[has] == t).mean()) if has.any() else 0.0 for t in range(k)]
    member = pd.DataFrame(member_all, index=comments.index, columns=model.labels)[model.issue_labels]
    return member, shares, dominant
