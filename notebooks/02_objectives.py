# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     role: executive
#     summary: Each business goal tied to a CX metric, its baseline, target, owner,
#       and whether the target is reachable and measurable.
#     title: Objectives
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Objectives
#
# Each objective ties a business goal to one CX metric, a target, a deadline and an owner. For
# each we measure where the metric stands today (the **baseline**, over the last three reporting
# periods, with its 95% interval) and ask two questions before the target is signed off:
#
# - **Can we see it?** If the target is reached exactly, how likely is a test comparing the
#   baseline with the same length of time before the deadline to show it (statistical power),
#   given the responses we expect by then?
# - **Is it plausible?** How large is the required change compared with how much this metric
#   has moved in the past, and where does the recent trend lead?

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.plan import objectives as ob
from cxtemplate.report.display import absent, say, show_figure, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="02_objectives")
run.require("00_data_integration")

# %%
# every column but the response ids and comments, which objectives do not use
responses = run.table("responses", run.table_columns("responses", exclude=("response_id", "comment")))
res = ob.assess_all(responses, run.cfg.objectives, run.specs, as_of=run.cfg.organisation.as_of, freq=run.freq,
                    conf=run.conf, owner_label=run.cfg.owner_label)
if res.absence:
    absent(*res.absence)
else:
    for note in res.notes:
        say(note)
    say(res.headline())

# %% [markdown]
# ## The objectives at a glance
#
# Goal → metric → baseline → target → deadline → owner. The status compares the recent trend,
# projected to the deadline, with the target: *at risk* means the target lies inside the
# projection's 95% interval, *off track* means it lies above it.

# %%
if res.records:
    show_table(ob.glance_view(res))

# %% [markdown]
# ## Feasibility
#
# *Power* is the chance of detecting the change if the target is hit exactly (80% or more is the
# usual bar). The *smallest detectable change* is what the expected responses can reliably show.
# *Times usual spread* compares the change needed with how much the metric has differed between
# three-month windows in the past: above about 2, the target asks for more than this organisation
# has achieved before.

# %%
if res.records:
    show_table(ob.feasibility_view(res))
for text in res.verdicts():
    say(text)

# %% [markdown]
# ## Baseline, target and trajectory
#
# Each chart shows the metric per period with its 95% interval, the straight path from today's
# baseline to the target, and where the recent trend (the last twelve periods, weighted by
# precision) would take it by the deadline.

# %%
for fig in res.figures():
    show_figure(fig)

# %%
if res.records:
    run.save("objectives", res.table())
run.done(objectives=len(res.records), on_track=res.on_track)
