"""What the objectives page (notebook 02) shows, section by section, from :class:`~cxtemplate.plan.objectives.ObjectiveResults`.

Each function returns a :class:`~cxtemplate.report.section.Section` with the section's method text, tables,
sentences and charts, shown only when there are objectives to assess. Without objectives in the parameters, or
without the dated survey responses they are measured on, the opening says so in one sentence and every other
section is empty: no method text, no empty table.
"""

from __future__ import annotations

from cxtemplate.plan.objectives import ObjectiveResults, feasibility_view, glance_view, plot_objective
from cxtemplate.report.display import fmt_num
from cxtemplate.report.section import Section

__all__ = ["FEASIBILITY_METHOD", "GLANCE_METHOD", "INTRO", "TRAJECTORY_METHOD", "charted", "feasibility_section",
           "glance_section", "objective_alt", "opening_section", "trajectory_section"]

INTRO = """Each objective ties a business goal to one CX metric, a target, a deadline and an owner. For
each we measure where the metric stands today (the **baseline**, over the reporting window stated
beside it, with its 95% interval) and ask two questions before the target is signed off:

- **Can we see it?** If the target is reached exactly, how likely is a test comparing the
  baseline with the same length of time before the deadline to show it (statistical power),
  given the responses we expect by then?
- **Is it plausible?** How large is the required change compared with how much this metric
  has moved in the past, and where does the recent trend lead?"""
"""What the page does, shown when there are objectives to assess."""

GLANCE_METHOD = """Goal → metric → baseline → target → deadline → owner. The status compares the recent trend,
projected to the deadline, with the target: *at risk* means the target lies inside the
projection's 95% interval, *off track* means it lies above it."""

FEASIBILITY_METHOD = """*Power* is the chance of detecting the change if the target is hit exactly (80% or more is the
usual bar). The *smallest detectable change* is what the expected responses can reliably show.
*Times usual spread* compares the change needed with how much the metric has differed between
past windows as long as the baseline window: above about 2, the target asks for more than this organisation
has achieved before."""

TRAJECTORY_METHOD = """Each chart shows the metric per period with its 95% interval, the straight path from today's
baseline to the target, and where the recent trend (the last twelve periods, weighted by
precision) would take it by the deadline."""


def opening_section(res: ObjectiveResults) -> Section:
    """What the page does, the objectives on unmeasured metrics and how many are on track; one sentence when no
    objective can be assessed."""
    section = Section()
    if res.absence:
        section.absent(*res.absence)
        return section
    for text in res.opening_sentences():
        section.say(text)
    for note in res.notes:
        section.say(note)
    if res.records:
        section.method(INTRO)
    return section


def glance_section(res: ObjectiveResults) -> Section:
    """Goal, metric, baseline, target, deadline, owner and status of every objective."""
    section = Section()
    if res.records:
        section.method(GLANCE_METHOD)
        section.table(glance_view(res))
    return section


def feasibility_section(res: ObjectiveResults) -> Section:
    """Power, detectable change and history of every objective, and one verdict each."""
    section = Section()
    if res.records:
        section.method(FEASIBILITY_METHOD)
        section.table(feasibility_view(res))
        for text in res.verdicts():
            section.say(text)
    return section


def charted(res: ObjectiveResults) -> list[dict]:
    """The records :func:`~cxtemplate.plan.objectives.plot_objective` draws: those with data."""
    return [r for r in res.records if r.get("status") != "no data" and not res.series[r["id"]].empty]


def trajectory_section(res: ObjectiveResults) -> Section:
    """One chart per objective with data: history, required path, projected trend."""
    section = Section()
    records = charted(res)
    if records:
        section.method(TRAJECTORY_METHOD)
    for r in records:
        section.chart(_objective_axes, r, res.series[r["id"]], res.freq, res.conf, alt=objective_alt(r))
    return section


def objective_alt(rec: dict) -> str:
    """An objective chart's alt text: its title (goal and status) and one sentence read from the record."""
    text = (f"{rec['goal']}: {rec['status']}. {rec['metric']} per period with its interval; the baseline is "
            f"{_val(rec['baseline'])}")
    if rec.get("window_label"):
        text += f" over {rec['window_label']}"
    text += f", the target {rec['target']:g} by {rec['deadline']}"
    if rec.get("projected") is not None and rec["projected"] == rec["projected"]:
        text += (f", and the recent trend would reach {_val(rec['projected'])} ({_val(rec['projected_low'])} to "
                 f"{_val(rec['projected_high'])}) by then")
    return text + "."


def _val(x: float) -> str:
    return fmt_num(x, 1).replace("-", "−")


def _objective_axes(rec: dict, series, freq: str, conf: float):
    return plot_objective(rec, series, freq=freq, conf=conf).axes[0]
