# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     needs:
#     - responses
#     role: analyst
#     summary: The metrics in use and their definitions, where they are measured, how
#       precise they are, and how often each touchpoint can be reported.
#     title: Metric design
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Metric design

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.data import quality as dq
from cxtemplate.measure import design as md
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="03_metric_design")
run.require("00_data_integration")

# %%
cfg = run.cfg
as_of = cfg.organisation.as_of
# every column but the response ids and comments, which metric design does not use
responses = run.table("responses", run.table_columns("responses", exclude=("response_id", "comment")))
specs = run.specs
margins = md.target_margins(specs, cfg.metrics)
catalogue = md.catalogue_section(responses, specs, margins, run.conf)
where = md.coverage_section(responses, specs, cfg.reporting.min_n)
rates = md.response_rate_section(responses, run.table("customers"), specs, freq=run.freq, as_of=as_of,
                                 warning=dq.join_warning(run.load("00_data_integration", "quality", default=None),
                                                         "responses"))
precision = md.margins_section(responses, specs, cfg.segments, margins, freq=run.freq, as_of=as_of, conf=run.conf)
overlap = md.redundancy_section(responses, specs)
cadence = md.cadence_section(responses, specs, margins, freq=run.freq, as_of=as_of, conf=run.conf)
sections = [catalogue, where, rates, precision, overlap, cadence]
md.opening_section(responses, specs, sections, margins, cfg.reporting.min_n).show()

# %% [markdown]
# ## The metric catalogue

# %%
catalogue.show()

# %% [markdown]
# ## Where the metrics are collected

# %%
where.show()

# %% [markdown]
# ## Response rate among known customers

# %%
rates.show()

# %% [markdown]
# ## Precision today, and the sample needed

# %%
precision.show()

# %% [markdown]
# ## Do the metrics duplicate each other?

# %%
overlap.show()

# %% [markdown]
# ## Recommended survey cadence per touchpoint

# %%
cadence.show()

# %%
for section in sections:
    section.save(run.save)

# %%
run.done(metrics=list(specs))
