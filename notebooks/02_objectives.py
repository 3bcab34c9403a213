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

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.plan import objectives as ob
from cxtemplate.plan import objectives_page as page
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="02_objectives")
run.require("00_data_integration")

# %%
# every column but the response ids and comments, which objectives do not use
responses = run.table("responses", run.table_columns("responses", exclude=("response_id", "comment")))
res = ob.assess_all(responses, run.cfg.objectives, run.specs, as_of=run.cfg.organisation.as_of, freq=run.freq,
                    conf=run.conf, owner_label=run.cfg.owner_label, window=run.cfg.reporting.windows.objectives,
                    labels=run.cfg.display_labels)
page.opening_section(res).show()

# %% [markdown]
# ## The objectives at a glance

# %%
page.glance_section(res).show()

# %% [markdown]
# ## Feasibility

# %%
page.feasibility_section(res).show()

# %% [markdown]
# ## Baseline, target and trajectory

# %%
page.trajectory_section(res).show()

# %%
if res.records:
    run.save("objectives", res.table())
run.done(objectives=len(res.records), on_track=res.on_track)
