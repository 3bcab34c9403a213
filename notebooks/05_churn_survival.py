# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     needs:
#     - customers
#     role: executive
#     summary: Who is likely to leave, when and why, how well the model predicts, and
#       which customers to contact first.
#     title: 'Churn: who leaves, when and why'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Churn: who leaves, when and why

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.churn import flow as churn_flow
from cxtemplate.churn import page as churn_page
from cxtemplate.churn import survival_page
from cxtemplate.data import quality as dq
from cxtemplate.report.display import say
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="05_churn_survival")
run.require("00_data_integration")

# %%
cfg = run.cfg
currency = cfg.organisation.currency
customers = run.table("customers")
# the churn model reads only when and how each customer answered or was served
responses = run.table("responses", run.table_columns("responses", churn_flow.RESPONSE_COLUMNS))
interactions = run.table("interactions", run.table_columns("interactions", churn_flow.INTERACTION_COLUMNS))
# with churn.enabled: false nothing is estimated, and the page says so in its one sentence
res = churn_flow.analyse_configured(cfg, customers, responses, interactions, seed=run.seed, conf=run.conf)
churn_page.opening_section(res, currency).show()
say(dq.join_warning(run.load("00_data_integration", "quality", default=None)))

# %%
# who leaves, and when: Kaplan–Meier curves, tables and log-rank tests by every segment column
survival = survival_page.survival_section(res)
survival.show()
survival.save(run.save)

# %%
# why customers leave: the Cox model, with the covariates it uses and those it leaves out
model = churn_page.model_section(res)
model.show()
model.save(run.save)

# %%
# the cohorts of churn.cohorts, each with its own Kaplan–Meier table and Cox model
cohorts = survival_page.cohorts_section(res)
cohorts.show()
cohorts.save(run.save)

# %%
# how well it predicts: cross-validated concordance and calibration against a Kaplan–Meier baseline
validation = churn_page.validation_section(res)
validation.show()

# %%
# revenue at risk (only with a revenue column) and the customers to call
revenue = churn_page.revenue_section(res, currency)
revenue.show()
revenue.save(run.save)
to_call = churn_page.customers_section(res, currency)
to_call.show()
to_call.save(run.save)

# %%
# what better experiences are worth (only with revenue and the NPS category in the model)
churn_page.counterfactual_section(res, currency).show()

# %%
for text in churn_page.closing_notes(res):
    say(text)
summary = res.summary(currency)
run.save("summary", summary)
run.done(available=summary["available"])
