"""What the CX maturity page (notebook 01) shows, section by section, from an :class:`~cxtemplate.plan.maturity.Assessment`.

Each function returns a :class:`~cxtemplate.report.section.Section`: its method text, sentences, charts and
tables, shown only when there are questionnaire answers to score. Without any, the opening says so in one
sentence (:meth:`~cxtemplate.plan.maturity.Assessment.absence`) and every other section is empty, so the page
shows no radar, no method text and no empty table for answers nobody gave.
"""

from __future__ import annotations

from cxtemplate.plan import plots
from cxtemplate.plan.maturity import Assessment, dimension_view, gap_view, issues_view, practice_view
from cxtemplate.plan.maturity_model import respondents
from cxtemplate.report.grammar import capitalise, sentence
from cxtemplate.report.section import Section

__all__ = ["DIMENSIONS_METHOD", "GAP_METHOD", "INTRO", "NEXT_METHOD", "dimensions_section", "gap_alt", "gap_section",
           "issues_section", "next_section", "opening_section", "radar_alt"]

INTRO = """How well does the organisation *run* customer experience, as opposed to how customers rate it?
People at several levels of the organisation answered a short questionnaire: for each CX practice
(a clear CX strategy, closing the loop with unhappy customers, a named owner for CX, …) they said
how it is done today, on a four-step adoption scale — **undeveloped**, **ad hoc**, **repeatable**
or **systematic**. The practices are grouped into dimensions, and the average level across
dimensions places the organisation on a path of stages.

**How sure are we?** These are the views of a handful of people, not an audit. Each respondent's
answers are averaged per dimension and every mean carries a 95% interval over respondents: with a
dozen respondents a difference of a few tenths of a level is within the noise. Where executives and
frontline staff disagree, that disagreement is itself a finding."""
"""What the page is about and how sure it can be, shown when there are answers to score."""

DIMENSIONS_METHOD = """The radar shows the average adoption level per dimension (the blue line; the shaded band is its
95% interval) against the level the target stage needs (the dashed ring). Points inside the ring
are dimensions that hold the organisation back. Each role's own average is drawn as a thinner line
where the compared roles both answered. The table gives the same numbers, with how much
respondents disagree (the standard deviation and range of their dimension averages) and where each
dimension stands against the target level (mean minus target: minus = below it). *Below target*
means the whole interval lies below the target level; *borderline* means the interval includes it;
*meets target* means the whole interval is at or above it. The counts in the text are those of the
table's status column."""

GAP_METHOD = """Leaders often rate their organisation's practices higher than the people who carry them out. The gap
below is executives' average minus frontline staff's, per dimension and overall, with a 95% interval
(Welch's t test on respondents' averages; p-values adjusted for testing every dimension at once,
Benjamini–Hochberg). An interval that crosses zero means the two groups may not really differ.
A large gap is worth a conversation: practices that leaders believe are in place but staff do not
experience are usually not in place where customers meet the organisation."""

NEXT_METHOD = """For each dimension whose mean level is short of the target (below target or borderline), the
practices respondents rated lowest, with the level they are at now and the level the target stage
needs (for stage 3, *repeatable*: a defined process with an owner, followed most of the time).
These are the practices to work on first. The action plan picks these up together with the
experience and churn findings."""


def opening_section(a: Assessment) -> Section:
    """Where the organisation stands in three to five plain sentences, then what the page is about and the model
    used in the method note; one sentence without answers."""
    section = Section()
    if not a.available:
        section.absent(*a.absence())
        return section
    for text in a.opening_sentences():
        section.say(text)
    section.method(INTRO)
    section.method(a.model_sentence())
    return section


def dimensions_section(a: Assessment) -> Section:
    """The radar of the dimensions against the target stage, and its table."""
    section = Section()
    if not a.available:
        return section
    section.method(DIMENSIONS_METHOD)
    section.chart(_radar_axes, a, alt=radar_alt(a))
    section.table(dimension_view(a))
    return section


def gap_section(a: Assessment) -> Section:
    """Executives against frontline staff: who answered in each role, the sentence, and the chart and table when
    both roles answered (every other role's mean levels beside them)."""
    section = Section()
    if not a.available:
        return section
    section.method(GAP_METHOD)
    section.say(a.roles_sentence())
    section.say(a.gap.sentence())
    if a.has_gap:
        section.chart(_gap_axes, a, alt=gap_alt(a))
        section.table(gap_view(a.gap, a.scores))
    return section


def next_section(a: Assessment) -> Section:
    """The practices to adopt next (or that every dimension meets the target)."""
    section = Section()
    if not a.available:
        return section
    section.method(NEXT_METHOD)
    if a.next.empty:
        section.say(a.all_met_sentence())
    else:
        section.table(practice_view(a.next))
    return section


def radar_alt(a: Assessment) -> str:
    """The radar's alt text: its title and one sentence read from the results."""
    d = a.dimensions.dropna(subset=["mean"])
    if d.empty:
        return "Maturity by dimension: no dimension was answered."
    low, high = d.loc[d["mean"].idxmin()], d.loc[d["mean"].idxmax()]
    target = a.model.stage(a.target_stage)
    return (f"Maturity by dimension: mean adoption levels range from {low['mean']:.2f} ({low['name']}) to "
            f"{high['mean']:.2f} ({high['name']}) against a target level of {target.min_level:g}. "
            f"{a.status_sentence()}")


def gap_alt(a: Assessment) -> str:
    """The perception-gap chart's alt text: its title and one sentence read from the results."""
    g, t = a.gap.overall, a.gap.table.dropna(subset=["gap"])
    word = "higher" if not g["gap"] < 0 else "lower"
    text = (f"{capitalise(respondents(a.gap.role_a))} rate maturity {word} than {respondents(a.gap.role_b)}: "
            f"by {abs(g['gap']):.1f} levels overall")
    if len(t):
        top = t.loc[t["gap"].abs().idxmax()]
        text += f", most in {top['name']} ({abs(top['gap']):.1f} levels)"
    return sentence(text)


def issues_section(a: Assessment) -> Section:
    """The answers that were not scored, when there are any."""
    section = Section()
    if len(a.scores.issues):
        section.table(issues_view(a.scores))
    return section


def _radar_axes(a: Assessment):
    by_role = a.roles_shown if a.compared_roles else None
    return plots.plot_radar(a.scores, a.model, target_stage=a.target_stage, by_role=by_role).axes[0]


def _gap_axes(a: Assessment):
    return plots.plot_perception_gap(a.gap).axes[0]
