# ---
# jupyter:
#   cxtemplate:
#     role: analyst
#     summary: What data came in, what was set aside and why, and how well the tables
#       join.
#     title: Data integration and quality
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Data integration and quality

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.data import quality as dq
from cxtemplate.data.integrate import integrate
from cxtemplate.report.display import show_table
from cxtemplate.run.session import open_run
from cxtemplate.run.store import write_integration

run = open_run(params_path, run_dir, notebook="00_data_integration")

# %%
result = integrate(run.cfg)
write_integration(result, run.store)
q = result.quality()
dq.opening_section(q).show()

# %% [markdown]
# ## Rows in, used and quarantined
#
# For every table, rows in = rows used + rows quarantined. The quarantined rows are saved with
# their reasons in the run's artifacts (`artifacts/00_data_integration/quarantine_<table>.parquet`)
# so they can be corrected at source.

# %%
show_table(dq.rows_view(q))

# %%
show_table(dq.reasons_view(q))

# %% [markdown]
# ## Coverage and completeness

# %%
dq.coverage_section(q, result.tables.get("responses"), result.tables.get("interactions"), run.freq).show()

# %% [markdown]
# ## Joins and personal data

# %%
dq.joins_section(q).show()

# %%
run.done(rows=q["rows"])
