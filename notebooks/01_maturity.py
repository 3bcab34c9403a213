# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     needs:
#     - maturity_answers
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

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.plan import maturity as mat
from cxtemplate.plan import maturity_page as page
from cxtemplate.plan.maturity_model import load_model
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="01_maturity")
run.require("00_data_integration")

# %%
model = load_model(run.cfg.maturity.model, run.cfg.base_dir)
a = mat.assess(run.table("maturity_answers"), model, run.cfg.maturity.target_stage, conf=run.cfg.metrics.confidence)
page.opening_section(a).show()

# %% [markdown]
# ## Maturity by dimension

# %%
page.dimensions_section(a).show()

# %% [markdown]
# ## Do executives and frontline staff see the same organisation?

# %%
page.gap_section(a).show()

# %% [markdown]
# ## What to adopt next

# %%
page.next_section(a).show()

# %%
page.issues_section(a).show()

# %%
run.save("summary", a.summary())
run.save("dimensions", a.dimensions)
run.save("next_practices", a.next)
run.done(stage=a.summary().get("stage"), respondents=a.scores.n_respondents)
