"""What a manager scorecard shows, section by section: plain sentences first, method detail in each section's
"How this was measured" note.

Each function takes results computed by :mod:`cxtemplate.plan.scorecard`, :mod:`cxtemplate.plan.scorecard_gap`
and :mod:`cxtemplate.plan.scorecard_trends` and returns a :class:`~cxtemplate.report.section.Section`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.plan.scorecard import targets_view, versus_rest_view
from cxtemplate.plan.scorecard_gap import GapSplit
from cxtemplate.plan.scorecard_trends import plot_versus_rest, trend_alt, versus_rest_periods
from cxtemplate.report.display import TableView, fmt_money, fmt_money_range, fmt_num, fmt_p, fmt_pct, fmt_signed
from cxtemplate.report.grammar import capitalise, join_list, plural, sentence
from cxtemplate.report.labels import display_label
from cxtemplate.report.section import Section

__all__ = ["GAP_METHOD", "SCORES_METHOD", "STAGES_METHOD", "TRENDS_METHOD", "compare_phrase", "gap_section",
           "gap_sentence", "opening_section", "revenue_section", "revenue_sentence", "scores_section",
           "stages_section", "targets_section", "trends_section"]

SCORES_METHOD = ("Each metric is computed over the window for this unit and for every other response of the "
                 "organisation, each with its 95% interval. The difference is tested with a two-sample test on the "
                 "metric's kind (NPS: adjusted Wald on the promoter and detractor shares; a share: Newcombe; a mean: "
                 "Welch). Cells with fewer than the minimum number of responses are withheld.")
TRENDS_METHOD = ("Each line is the metric per period with its 95% interval band; a period with fewer than the minimum "
                 "number of responses here is not shown, and the line is broken there rather than joined across it. "
                 "A dashed vertical line marks a step the experience analysis found significant for this unit "
                 "(permutation test, Benjamini–Hochberg adjusted); a dotted line marks the objective's target.")
GAP_METHOD = ("The gap is split with a pooled Oaxaca–Blinder decomposition: one least-squares model of each "
              "response's NPS points (+100 promoter, 0 passive, −100 detractor) on the driver ratings, fitted to this "
              "unit and the rest together over the window, gives each driver's weight; the part of the gap a driver "
              "explains is its weight times the difference in mean rating. Intervals are percentile bootstrap "
              "intervals (responses of this unit and of the rest resampled separately). Each driver's rating is "
              "compared with Welch's t test and the p-values adjusted for the number of drivers "
              "(Benjamini–Hochberg); a driver trails when its rating here is lower and its adjusted p is below 0.05.")
STAGES_METHOD = ("The metric at each journey stage and touchpoint with enough responses here and elsewhere, this "
                 "unit against the rest, with the same two-sample test as above; the p-values of all stages and "
                 "touchpoints are adjusted together (Benjamini–Hochberg).")


def _value(spec: MetricSpec, v: float) -> str:
    return fmt_pct(v, 1) if spec.kind == "top_box" else fmt_num(v, 1)


def _points(spec: MetricSpec, v: float) -> str:
    unit = "percentage points" if spec.kind == "top_box" else "points"
    return f"{fmt_num(abs(v), 1)} {unit}"


def compare_phrase(row: Mapping, spec: MetricSpec, alpha: float = 0.05, rest: str = "the rest of the organisation",
                   bracket: bool = True) -> str:
    """"34.8 points below the rest of the organisation (15.7)", "… above …", or "much the same as …" when the
    difference is not significant at ``alpha``."""
    value = f" ({_value(spec, row['Rest'])})" if bracket else f", {_value(spec, row['Rest'])}"
    if pd.isna(row.get("p")) or row["p"] >= alpha:
        return f"much the same as {rest}{value}"
    side = "below" if row["Difference"] < 0 else "above"
    return f"{_points(spec, row['Difference'])} {side} {rest}{value}"


def gap_sentence(split: GapSplit | None, level, drivers: pd.DataFrame | None = None,
                 labels: Mapping[str, str] | None = None, step: Mapping | None = None, below_team: int = 0) -> str:
    """Whether the driver ratings explain this unit's NPS gap, in plain words; ``""`` without a split or when the
    gap's interval includes zero (no clear gap to explain)."""
    if split is None or np.isnan(split.gap) or split.gap_ci[0] <= 0 <= split.gap_ci[1]:
        return ""  # no clear gap: nothing to explain
    side = "below" if split.gap < 0 else "above"
    gap = f"{fmt_num(abs(split.gap), 1)}-point"
    if split.ratings_explain:
        worst = split.contributions[np.sign(split.contributions["points"]) == np.sign(split.gap)].head(2)
        names = [display_label(d, labels).lower() for d in worst["driver"]]
        text = (f"lower ratings of {join_list(names)} explain about {fmt_num(abs(split.explained), 1)} of the "
                f"{gap} gap")
        return sentence(text)
    elsewhere = []
    if step is not None:
        elsewhere.append(f"a step {'down' if step['change'] < 0 else 'up'} of {fmt_num(abs(step['change']), 1)} "
                         f"points in {step['step_period']}")
    if below_team:
        elsewhere.append(f"{plural(below_team, 'agent')} who {'scores' if below_team == 1 else 'score'} "
                         "credibly below the team")
    text = (f"customers here rate the drivers much as customers elsewhere do, so the ratings explain only "
            f"{fmt_num(abs(split.explained), 1)} of the {gap} gap {side} the rest; the other "
            f"{fmt_num(abs(split.unexplained), 1)} points lie in what the ratings do not capture")
    if elsewhere:
        text += f", such as {join_list(elsewhere)}"
    return sentence(text)


def revenue_sentence(rev: Mapping | None, level, currency: str | None) -> str:
    """This unit's customers' annual revenue at risk, with its interval when notebook 05 gives one; ``""`` without."""
    if not rev or "revenue_at_risk" not in rev:
        return ""
    text = f"customers of {level} carry {fmt_money(rev['revenue_at_risk'], currency)}"
    if "revenue_at_risk_low" in rev and "revenue_at_risk_high" in rev:
        text += f" ({fmt_money_range(rev['revenue_at_risk_low'], rev['revenue_at_risk_high'], currency)})"
    text += " of annual revenue at risk"
    if "share" in rev:
        text += f", {fmt_pct(rev['share'], share=True)} of the organisation's total"
    if "expected_churners" in rev:
        who = f"about {fmt_num(rev['expected_churners'])}"
        if "expected_churners_low" in rev and "expected_churners_high" in rev:
            who += f" ({fmt_num(rev['expected_churners_low'])} to {fmt_num(rev['expected_churners_high'])})"
        text += f", from {who} customers expected to leave within a year"
    return sentence(text)


def opening_section(versus: pd.DataFrame, specs: Mapping[str, MetricSpec], level, window_label: str, *,
                    gap: str = "", revenue: str = "", n_actions: int = 0, alpha: float = 0.05) -> Section:
    """Three to five plain sentences from the results: the headline metric against the rest, the others, what
    explains the gap, the revenue at risk and the actions owned here.

    Parameters
    ----------
    versus : DataFrame
        :func:`~cxtemplate.plan.scorecard.versus_rest`'s table (its first measured metric is the headline).
    specs : mapping
        Metric key → :class:`~cxtemplate.measure.spec.MetricSpec`.
    level
        This unit.
    window_label : str
        The reporting window's label (``Window.label``).
    gap, revenue : str
        :func:`gap_sentence` and :func:`revenue_sentence` (``""`` to leave out).
    n_actions : int
        Actions owned for this unit.
    alpha : float
        A difference with p at or above it reads "much the same".

    Returns
    -------
    Section
        No sentence at all when no metric has enough responses.
    """
    section = Section()
    rows = [r for _, r in versus.iterrows() if pd.notna(r.get("Value")) and r["key"] in specs]
    if not rows:
        return section
    first, others = rows[0], rows[1:]
    spec = specs[first["key"]]
    section.say(sentence(
        f"over {window_label}, {spec.name} at {level} was {_value(spec, first['Value'])} "
        f"({_value(spec, first['Low'])} to {_value(spec, first['High'])}, {plural(int(first['n']), 'response')}), "
        f"{compare_phrase(first, spec, alpha)}"))
    if others:
        parts = [f"{specs[r['key']].name} was {_value(specs[r['key']], r['Value'])} "
                 f"({compare_phrase(r, specs[r['key']], alpha, rest='the rest', bracket=False)})" for r in others]
        section.say(sentence(f"over the same months {join_list(parts)}"))
    for text in (gap, revenue):
        if text:
            section.say(text)
    if n_actions:
        section.say(sentence(f"{plural(n_actions, 'action')} {'is' if n_actions == 1 else 'are'} owned for {level} "
                             "(listed under Actions)"))
    return section


def scores_section(versus: pd.DataFrame, level, window_label: str) -> Section:
    """The table of every metric here against the rest, and its method note."""
    section = Section()
    section.table(versus_rest_view(versus, level, window_label))
    section.method(SCORES_METHOD)
    return section


def trends_section(responses: pd.DataFrame, specs: Mapping[str, MetricSpec], by: str, level, *, freq: str,
                   min_n: int, conf: float = 0.95, steps: pd.DataFrame | None = None,
                   target_of: Mapping[str, float] | None = None) -> Section:
    """One chart per metric: this unit and the rest per period, broken at hidden periods; NPS steps marked.

    Parameters
    ----------
    responses : DataFrame
        Every response of every unit.
    specs : mapping
        Metric key → spec.
    by, level
        The unit.
    freq : {"M", "Q"}
    min_n : int
        Periods with fewer responses here are gaps in its line.
    conf : float
    steps : DataFrame, optional
        :func:`~cxtemplate.plan.scorecard.level_steps`' rows, marked on the NPS chart.
    target_of : mapping, optional
        Metric key → the objective's target, drawn as a dotted line.

    Returns
    -------
    Section
        Each chart with its alt text (:func:`~cxtemplate.plan.scorecard_trends.trend_alt`).
    """
    section = Section()
    for key, spec in specs.items():
        table = versus_rest_periods(responses, spec, by, level, freq=freq, min_n=min_n, conf=conf)
        if not table["shown"].any():
            continue
        section.chart(plot_versus_rest, table, spec, level, steps=steps if key == "nps" else None,
                      target=(target_of or {}).get(key), min_n=min_n, alt=trend_alt(table, spec, level))
    if section.charts:
        section.method(TRENDS_METHOD)
    else:
        section.absent("No period has enough responses here to chart", "the trends are not shown")
    return section


def targets_section(targets: pd.DataFrame, level, specs: Mapping[str, MetricSpec] | None = None) -> Section:
    """The applicable objectives' targets beside this unit's value, with one sentence each; one sentence when none
    applies. ``specs`` (metric key → spec) shows a percentage metric with its % sign."""
    section = Section()
    if targets.empty:
        section.say(sentence(f"no objective in the parameters applies to {level}'s metrics as a whole"))
        return section
    for _, r in targets.iterrows():
        spec = (specs or {}).get(r.get("key"))
        shown = (lambda v: _value(spec, v)) if spec is not None else (lambda v: fmt_num(v, 1))
        section.say(sentence(f"{r['Metric']} at {level} is {shown(r['value'])} against a target of "
                             f"{shown(r['target'])} by {r['deadline']}: {level} {_status_words(r['status'])}; "
                             f"the organisation is {r['org_status']}"))
    section.table(targets_view(targets, level))
    return section


def _status_words(status: str) -> str:
    return {"meets the target": "already meets it", "below the target": "is below it",
            "close to the target": "is close to it (the target lies within its interval)"}.get(status, status)


def revenue_section(rev: Mapping | None, level, currency: str | None, method: str | None = None) -> Section:
    """This unit's customers, expected leavers and revenue at risk as a table (the opening says it in words), or
    one sentence when notebook 05 has no figure for it."""
    section = Section()
    if not rev or "revenue_at_risk" not in rev:
        section.absent(f"No revenue at risk for {level}", "the churn model has no figure for it")
        return section
    has_ci = "revenue_at_risk_low" in rev and "revenue_at_risk_high" in rev
    churn_ci = "expected_churners_low" in rev and "expected_churners_high" in rev
    row = {"Active customers": fmt_num(rev.get("customers")),
           "Expected to leave within a year": fmt_num(rev.get("expected_churners")),
           "Expected to leave, 95% interval": (f"{fmt_num(rev['expected_churners_low'])} to "
                                               f"{fmt_num(rev['expected_churners_high'])}" if churn_ci else "–"),
           "Annual revenue": fmt_money(rev.get("annual_revenue"), currency),
           "Revenue at risk": fmt_money(rev["revenue_at_risk"], currency),
           "Revenue at risk, 95% interval": (fmt_money_range(rev["revenue_at_risk_low"], rev["revenue_at_risk_high"],
                                                             currency) if has_ci else "–"),
           "Share of the organisation's revenue at risk": fmt_pct(rev.get("share"), share=True)}
    section.table(TableView(pd.DataFrame([row]), f"Revenue at risk of {level}'s customers"))
    if not has_ci:
        section.say("No interval is available for this figure: the churn page does not break it down by location.")
    section.method(method or "Revenue at risk is the churn model's expected lost annual revenue of this unit's "
                             "active customers within the horizon; its interval allows for the model's uncertainty "
                             "and for chance in who leaves (from the churn page).")
    return section


def gap_section(split: GapSplit | None, trailing: pd.DataFrame, level, *, sentence_text: str = "",
                labels: Mapping[str, str] | None = None) -> Section:
    """Where the drivers explain this unit's gap: the decomposition, the drivers it trails on (or that it trails on
    none), and the method note.

    Parameters
    ----------
    split : GapSplit or None
        :func:`~cxtemplate.plan.scorecard_gap.gap_split`'s result.
    trailing : DataFrame
        :func:`~cxtemplate.plan.scorecard_gap.trailing_drivers`' table.
    level
        This unit.
    sentence_text : str
        An extra sentence after the split (e.g. :func:`gap_sentence`).
    labels : mapping, optional
        Driver column → display label.

    Returns
    -------
    Section
    """
    section = Section()
    if split is None and trailing.empty:
        section.absent("Driver ratings are not available here", "the gap cannot be split by driver")
        return section
    if split is not None and split.gap_ci[0] <= 0 <= split.gap_ci[1]:
        section.say(sentence(f"NPS at {level} is not clearly different from the rest (a gap of "
                             f"{fmt_signed(split.gap, 1)} points, {fmt_num(split.gap_ci[0], 1)} to "
                             f"{fmt_num(split.gap_ci[1], 1)}), so there is no gap for the driver ratings to explain"))
    elif split is not None:
        section.say(sentence(
            f"of the NPS gap of {fmt_signed(split.gap, 1)} points to the rest, differences in driver ratings account for "
            f"{fmt_signed(split.explained, 1)} ({fmt_num(split.explained_ci[0], 1)} to "
            f"{fmt_num(split.explained_ci[1], 1)}) and {fmt_signed(split.unexplained, 1)} points "
            f"({fmt_num(split.unexplained_ci[0], 1)} to {fmt_num(split.unexplained_ci[1], 1)}) remain"))
        if sentence_text:
            section.say(sentence_text)
    if split is not None:
        c = split.contributions
        shown = pd.DataFrame({"Driver": [display_label(d, labels) for d in c["driver"]], f"Rating at {level}": c["here"],
                              "Rating elsewhere": c["rest"], "Difference": c["difference"],
                              "NPS points per rating point": c["weight"], "NPS points explained": c["points"]})
        section.table(TableView(shown, f"What the driver ratings explain of {level}'s NPS gap",
                                formats={f"Rating at {level}": "{:.1f}", "Rating elsewhere": "{:.1f}",
                                         "Difference": fmt_signed,
                                         "NPS points per rating point": "{:.1f}",
                                         "NPS points explained": fmt_signed}))
    if not trailing.empty:
        worse = trailing[trailing["trails"]]
        if worse.empty:
            section.say(sentence(f"{level} trails the rest on none of the {plural(len(trailing), 'driver')}: no "
                                 "rating here is clearly lower than elsewhere"))
        else:
            names = [display_label(d, labels) for d in worse["driver"]]
            section.say(sentence(f"{level} trails the rest on {join_list(names)}"))
            section.table(TableView(pd.DataFrame({
                "Driver": names, f"Rating at {level}": worse["here"], "Rating elsewhere": worse["rest"],
                "Difference": worse["diff"], "Adjusted p": worse["p_adj"]}),
                f"Drivers rated clearly lower at {level}",
                formats={f"Rating at {level}": "{:.1f}", "Rating elsewhere": "{:.1f}",
                         "Difference": fmt_signed, "Adjusted p": fmt_p}))
    section.method(GAP_METHOD)
    return section


def stages_section(stages: pd.DataFrame, spec: MetricSpec, level, window_label: str) -> Section:
    """The journey stages and touchpoints where this unit trails the rest, or one sentence when it trails at none."""
    section = Section()
    if stages.empty:
        section.absent("Too few responses per journey stage and touchpoint here", "no stage can be compared")
        return section
    worse = stages[stages["trails"]]
    if worse.empty:
        section.say(sentence(f"{level} trails the rest at none of the {plural(len(stages), 'stage and touchpoint', 'stages and touchpoints')} "
                             f"with enough responses ({window_label})"))
    else:
        first = worse.iloc[0]
        section.say(sentence(
            f"{level} trails the rest at {plural(len(worse), 'journey stage or touchpoint', 'journey stages and touchpoints')}; "
            f"the widest gap is at {first['level']} ({display_label(first['dimension']).lower()}): "
            f"{spec.name} {_value(spec, first['value'])} against {_value(spec, first['rest'])}"))
        shown = pd.DataFrame({
            "Where": [f"{lv} ({display_label(d).lower()})" for lv, d in zip(worse["level"], worse["dimension"])],
            str(level): worse["value"], "Responses": worse["n"], "Rest of the organisation": worse["rest"],
            "Difference": worse["diff"],
            "Difference, 95% interval": [f"{fmt_num(a, 1)} to {fmt_num(b, 1)}" for a, b in zip(worse["ci_low"], worse["ci_high"])],
            "Adjusted p": worse["p_adj"]})
        section.table(TableView(shown, f"{capitalise(spec.name)} by journey stage and touchpoint where {level} trails, "
                                       f"{window_label}",
                                formats={str(level): "{:.1f}", "Rest of the organisation": "{:.1f}",
                                         "Difference": fmt_signed, "Adjusted p": fmt_p}))
    section.method(STAGES_METHOD)
    return section
