# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     role: executive
#     summary: Who is likely to leave, when, why, how well the model predicts, and what
#       it costs - with the list of valuable customers to contact.
#     title: Churn and revenue at risk
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Churn and revenue at risk
#
# A customer who is still with us has not "not churned": we only know they have stayed so far.
# Survival analysis uses that partial information instead of discarding it, which is why it needs
# far fewer churners than a classifier and does not mistake new customers for loyal ones.
#
# **Design.** Hazard ratios come from a **time-varying Cox model** (the estimator of lifelines' `CoxTimeVaryingFitter`, Efron ties, computed vectorised):
# each customer's tenure is cut into intervals, and a survey answer or a contact changes their
# covariates only from the day it happened, so nothing a customer said after they left (or after
# the analysis date) can leak into the model. Active customers are then scored from a **landmark**
# at the analysis date: their covariates as known today, and the probability that they leave within
# the horizon *given the tenure they have already reached*. Without dates (tenure and a churn flag
# only) the same model is fitted on one row per customer with the CRM covariates.

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.churn import flow as churn_flow
from cxtemplate.churn import page as churn_page
from cxtemplate.churn import plots as churn_plots
from cxtemplate.data import quality as dq
from cxtemplate.report.display import say, show_figure, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="05_churn_survival")
run.require("00_data_integration")

# %%
cfg = run.cfg
currency = cfg.organisation.currency
symbol = churn_page.currency_symbol(currency)
customers = run.table("customers")
# the churn model reads only when and how each customer answered or was served
responses = run.table("responses", run.table_columns("responses", churn_flow.RESPONSE_COLUMNS))
interactions = run.table("interactions", run.table_columns("interactions", churn_flow.INTERACTION_COLUMNS))
# with churn.enabled: false nothing is estimated, and the page says so in its one sentence
res = churn_flow.analyse_configured(cfg, customers, responses, interactions, seed=run.seed, conf=run.conf)
say(churn_page.opening_sentence(res, currency))
say(dq.join_warning(run.load("00_data_integration", "quality", default=None)))

# %% [markdown]
# ## Who leaves, and when
#
# Kaplan–Meier curves: the share of customers still with us after each length of tenure, with
# confidence bands and the number still at risk below. Differences between groups are tested with
# log-rank tests (adjusted for the number of pairs); the restricted mean tenure is the average
# time a customer stays during the first horizon. The curves by NPS category group customers by
# their *latest* answer and only describe (customers never surveyed are left out: many left before
# a survey reached them, which would make them look riskier than they are); the model below uses
# each answer from its own date.

# %%
for km, title, view, logrank in churn_page.km_sections(res):
    show_figure(churn_plots.plot_km(km, title=title, source="CRM").figure)
    if view is not None:
        show_table(view)
        say(logrank)

# %% [markdown]
# ## Why customers leave: the Cox model
#
# Hazard ratios above 1 mean customers with that characteristic leave faster than the reference
# group, all else equal (e.g. 2.0 = twice the rate at any tenure). The model is penalised lightly
# so sparse groups do not produce wild estimates.

# %%
if churn_page.model_fitted(res):
    ax = churn_plots.plot_forest(res.model, title=churn_page.forest_title(res), source="CRM, surveys, contacts")
    show_figure(ax.figure)
    show_table(churn_page.hazard_ratio_view(res))
    say(churn_page.ph_sentence(res))
    for view in churn_page.time_split_views(res):
        show_table(view)
    run.save("hazard_ratios", res.model.hazard_ratios)
for text in churn_page.model_warnings(res):
    say(text)

# %% [markdown]
# ## How well it predicts
#
# Validated out of sample: the model is refitted on four fifths of the customers and predicts the
# chance of leaving within the horizon for the other fifth, which is compared with what happened.
# With dates, the predictions are made for customers active one horizon before the analysis date,
# from their tenure and covariates as known then — exactly how today's scores are made. **Concordance** is the share of pairs of customers the model orders correctly
# (0.5 = coin toss). **ICI** and **E50** measure calibration: the mean and median gap between
# predicted and observed probabilities (0 = perfect). The baseline is Kaplan–Meier by segment.

# %%
if churn_page.validated(res):
    show_table(churn_page.validation_view(res))
    say(churn_page.validation_verdict(res))
    ax = churn_plots.plot_calibration(res.validation, horizon_days=res.horizon_days,
                                      title=churn_page.calibration_title(res))
    show_figure(ax.figure)
for text in churn_page.validation_notes(res):
    say(text)

# %% [markdown]
# ## Revenue at risk
#
# Revenue at risk = Σ over active customers of annual revenue × probability of leaving within the
# horizon. The matrix crosses risk with value: the top-right cells are where retention effort pays.

# %%
for dimension, title in churn_page.revenue_charts(res):
    ax = churn_plots.plot_revenue_at_risk(res.by_group, dimension=dimension, currency=symbol, title=title,
                                          source="churn model")
    show_figure(ax.figure)
if res.by_group is not None:
    show_figure(churn_plots.plot_risk_value_matrix(res.matrix, currency=symbol, title=churn_page.MATRIX_TITLE).figure)
    run.save("risk_by_segment", churn_page.risk_by_segment(res.by_group))
    run.save("revenue_at_risk", res.by_group)

# %% [markdown]
# ## The customers to call
#
# The active customers with the most revenue at risk, with the reasons their risk is high (the
# covariates that raise it most). Ids only: the version with contact details is written to the
# run's restricted folder by the action plan.

# %%
at_risk = churn_page.at_risk_customers(res)
if at_risk is not None:
    show_table(churn_page.top_customers_view(at_risk, currency))
    run.save("at_risk_customers", at_risk)
    run.save("scores", res.scores)

# %% [markdown]
# ## What better experiences are worth
#
# If today's detractors felt like passives instead (everything else unchanged), how much annual
# revenue would stay? The interval reflects the uncertainty of the hazard ratios.

# %%
for text in churn_page.counterfactual_sentences(res, currency):
    say(text)
for view in churn_page.counterfactual_views(res, currency):
    show_table(view)

# %%
for text in churn_page.closing_notes(res):
    say(text)
summary = res.summary(currency)
run.save("summary", summary)
run.done(available=summary["available"])
