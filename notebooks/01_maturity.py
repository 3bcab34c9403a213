# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     role: executive
#     summary: How mature our CX practices are, where executives and frontline staff
#       disagree, what to adopt next.
#     title: CX maturity assessment
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # CX maturity assessment
#
# How well does the organisation *run* customer experience, as opposed to how customers rate it?
# People at several levels of the organisation answered a short questionnaire: for each CX practice
# (a clear CX strategy, closing the loop with unhappy customers, a named owner for CX, …) they said
# how it is done today, on a four-step adoption scale — **undeveloped**, **ad hoc**, **repeatable**
# or **systematic**. The practices are grouped into dimensions, and the average level across
# dimensions places the organisation on a path of stages.
#
# **How sure are we?** These are the views of a handful of people, not an audit. Each respondent's
# answers are averaged per dimension and every mean carries a 95% interval over respondents: with a
# dozen respondents a difference of a few tenths of a level is within the noise. Where executives and
# frontline staff disagree, that disagreement is itself a finding.

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.plan import maturity as mat
from cxtemplate.plan import plots as mat_plots
from cxtemplate.plan.maturity_model import load_model
from cxtemplate.report.display import absent, say, show_figure, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="01_maturity")
run.require("00_data_integration")

# %%
model = load_model(run.cfg.maturity.model, run.cfg.base_dir)
target = run.cfg.maturity.target_stage
answers = run.table("maturity_answers")
a = mat.assess(answers, model, target, conf=run.cfg.metrics.confidence)
if a.available:
    say(a.stage_sentence())
else:
    absent(*a.absence())
say(a.model_sentence())

# %% [markdown]
# ## Maturity by dimension
#
# The radar shows the average adoption level per dimension (the blue line; the shaded band is its
# 95% interval) against the level the target stage needs (the dashed ring). Points inside the ring
# are dimensions that hold the organisation back. Executives' and frontline staff's own averages are
# drawn as thinner lines where both answered. The table gives the same numbers, with how much
# respondents disagree (the standard deviation and range of their dimension averages) and the gap to
# the target level (positive = short of it). *Below target* means the whole interval lies below the
# target level; *borderline* means the interval straddles it.

# %%
if a.available:
    show_figure(mat_plots.plot_radar(a.scores, model, target_stage=target, by_role=a.compared_roles))
    show_table(mat.dimension_view(a))

# %% [markdown]
# ## Do executives and frontline staff see the same organisation?
#
# Leaders often rate their organisation's practices higher than the people who carry them out. The gap
# below is executives' average minus frontline staff's, per dimension and overall, with a 95% interval
# (Welch's t test on respondents' averages; p-values adjusted for testing every dimension at once,
# Benjamini–Hochberg). An interval that crosses zero means the two groups may not really differ.
# A large gap is worth a conversation: practices that leaders believe are in place but staff do not
# experience are usually not in place where customers meet the organisation.

# %%
if a.available:
    say(a.gap.sentence())
if a.has_gap:
    show_figure(mat_plots.plot_perception_gap(a.gap))
    show_table(mat.gap_view(a.gap))

# %% [markdown]
# ## What to adopt next
#
# For each dimension below the target, the practices respondents rated lowest, with the level they
# are at now and the level the target stage needs (for stage 3, *repeatable*: a defined process with
# an owner, followed most of the time). These are the practices to work on first.
# The action plan picks these up together with the experience and churn findings.

# %%
if a.available and a.next.empty:
    say(a.all_met_sentence())
elif a.available:
    show_table(mat.practice_view(a.next))

# %%
if len(a.scores.issues):
    show_table(mat.issues_view(a.scores))

# %%
run.save("summary", a.summary())
run.save("dimensions", a.dimensions)
run.save("next_practices", a.next)
run.done(stage=a.summary().get("stage"), respondents=a.scores.n_respondents)
