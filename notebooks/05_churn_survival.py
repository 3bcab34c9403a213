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
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="05_churn_survival")
run.require("00_data_integration")

# %%
import pandas as pd

from cxtemplate.churn import flow as churn_flow
from cxtemplate.churn import plots as churn_plots
from cxtemplate.report.display import CURRENCY_SYMBOLS, absent, fmt_money, fmt_p, say, show_figure, show_table

cfg = run.cfg
currency = cfg.organisation.currency
symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
money = lambda v: fmt_money(v, currency)  # noqa: E731
customers = run.table("customers")
# the churn model reads only when and how each customer answered or was served
responses = run.table("responses", run.table_columns("responses", churn_flow.RESPONSE_COLUMNS))
interactions = run.table("interactions", run.table_columns("interactions", churn_flow.INTERACTION_COLUMNS))
res = churn_flow.analyse(customers, responses, interactions, as_of=cfg.organisation.as_of,
                         covariates=list(cfg.churn.covariates), cx_covariates=list(cfg.churn.cx_covariates),
                         horizon_months=cfg.churn.horizon_months, revenue_per=cfg.churn.revenue_per,
                         top_n=cfg.churn.top_customers, fit_sample_above=cfg.churn.fit_sample_above, seed=run.seed)
summary = res.summary(currency, cfg.churn.horizon_months) if cfg.churn.enabled else {"available": False}
if not cfg.churn.enabled:
    absent("Churn analysis is switched off in the parameters", "this page is empty")
elif not res.available:
    say(f"**{res.reason}**")
else:
    s = summary
    say(f"**{s['customers']:,} customers, {s['events']:,} of whom left** in the data; {s['active']:,} are active. "
        + (f"Over the next {cfg.churn.horizon_months} months about **{s['expected_churners']:,.0f} active customers are "
           f"expected to leave**" if "expected_churners" in s else "")
        + (f", taking **{fmt_money(s['revenue_at_risk'], currency)}** of annual revenue with them "
           f"({100 * s['revenue_at_risk'] / s['annual_revenue']:.1f}% of the active base)." if s.get("annual_revenue") else
           ("." if "expected_churners" in s else "")))

# %% [markdown]
# ## Who leaves, and when
#
# Kaplan–Meier curves: the share of customers still with us after each length of tenure, with
# 95% bands and the number still at risk below. Differences between groups are tested with
# log-rank tests (adjusted for the number of pairs); the restricted mean tenure is the average
# time a customer stays during the first horizon. The curves by NPS category group customers by
# their *latest* answer and only describe (customers never surveyed are left out: many left before
# a survey reached them, which would make them look riskier than they are); the model below uses
# each answer from its own date.

# %%
if res.available:
    for col, km in res.km.items():
        label = {"all": "all customers", "nps_category": "NPS category at the latest survey"}.get(col, col.replace("_", " "))
        ax = churn_plots.plot_km(km, title=f"Customers still active by tenure: {label}", source="CRM")
        show_figure(ax.figure)
        if col != "all":
            show_table(churn_flow.km_table(km, cfg.churn.horizon_months),
                       f"Leaving within the horizon and mean tenure, by {label}",
                       note="Intervals are 95%. Mean days: restricted mean survival time over the horizon.")
            sig = km.pairwise[km.pairwise["p_bh"] < 0.05] if "p_bh" in km.pairwise.columns else km.pairwise.iloc[0:0]
            say(f"Log-rank tests by {label}: {len(sig)} of {len(km.pairwise)} pairs differ significantly "
                f"(BH-adjusted p < 0.05).")

# %% [markdown]
# ## Why customers leave: the Cox model
#
# Hazard ratios above 1 mean customers with that characteristic leave faster than the reference
# group, all else equal (e.g. 2.0 = twice the rate at any tenure). The model is penalised lightly
# so sparse groups do not produce wild estimates.

# %%
model = res.model
if res.available and model is not None and getattr(model, "ok", False):
    ax = churn_plots.plot_forest(model, title="Hazard ratios of leaving (95% interval)", source="CRM, surveys, contacts")
    show_figure(ax.figure)
    hr = model.hazard_ratios
    show_table(hr[["label", "hr", "hr_low", "hr_high", "p"]].rename(columns={
        "label": "Term", "hr": "Hazard ratio", "hr_low": "Low", "hr_high": "High", "p": "p"}),
        "Hazard ratios", formats={"Hazard ratio": "{:.2f}", "Low": "{:.2f}", "High": "{:.2f}", "p": fmt_p},
        note=f"{res.design}; {model.n_subjects:,} customers, {model.n_events:,} events, penalty λ = {model.penalizer:g}.")
    say("**Proportional-hazards check.** " + model.ph_note)
    for note in res.notes:
        if "leaks the outcome" in note:
            say(f"**Warning:** {note}")
    run.save("hazard_ratios", hr)
elif res.available:
    say(f"*The Cox model could not be fitted: {model}*")

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
val = res.validation
if res.available and val is not None and hasattr(val, "table"):
    vt = val.table
    show_table(vt[["model", "concordance", "concordance_sd", "ici", "e50", "mean_predicted", "observed_by_horizon", "n",
                   "churned"]].rename(columns={"model": "Model", "concordance": "Concordance", "concordance_sd": "SD over folds",
                   "ici": "ICI", "e50": "E50", "mean_predicted": "Mean predicted", "observed_by_horizon": "Observed",
                   "n": "Customers", "churned": "Left"}), "Cross-validated performance at the horizon",
               formats={"Concordance": "{:.3f}", "SD over folds": "{:.3f}", "ICI": "{:.3f}", "E50": "{:.3f}",
                        "Mean predicted": lambda v: f"{100 * v:.1f}%", "Observed": lambda v: f"{100 * v:.1f}%"})
    cox_row, base_row = vt.iloc[0], vt.iloc[1]
    better_rank = cox_row["concordance"] > base_row["concordance"]
    better_cal = cox_row["ici"] <= base_row["ici"]
    say(f"The model orders customers by risk {'better' if better_rank else 'no better'} than the baseline "
        f"(concordance {cox_row['concordance']:.2f} vs {base_row['concordance']:.2f}) and is "
        f"{'at least as well' if better_cal else 'less well'} calibrated (ICI {cox_row['ici']:.3f} vs {base_row['ici']:.3f}): "
        + ("use its probabilities as they are." if better_cal else
           "use it to rank customers, and read its highest probabilities as overstated, as the calibration curve shows."))
    ax = churn_plots.plot_calibration(val, horizon_days=res.horizon_days,
                                      title=f"Calibration at {cfg.churn.horizon_months} months (out of fold)")
    show_figure(ax.figure)
    for n in getattr(val, "notes", []):
        say(f"<span class='cx-note'>{n}</span>")

# %% [markdown]
# ## Revenue at risk
#
# Revenue at risk = Σ over active customers of annual revenue × probability of leaving within the
# horizon. The matrix crosses risk with value: the top-right cells are where retention effort pays.

# %%
if res.by_group is not None:
    for dim in [d for d in ("segment", "location") if d in set(res.by_group["dimension"])]:
        ax = churn_plots.plot_revenue_at_risk(res.by_group, dimension=dim, currency=symbol,
                                              title=f"Revenue at risk by {dim}", source="churn model")
        show_figure(ax.figure)
    ax = churn_plots.plot_risk_value_matrix(res.matrix, currency=symbol, title="Risk × value: customers and revenue at risk")
    show_figure(ax.figure)
    seg = res.by_group[res.by_group["dimension"] == ("segment" if "segment" in set(res.by_group["dimension"]) else
                                                       res.by_group["dimension"].iloc[-1])]
    run.save("risk_by_segment", seg.drop(columns="dimension").rename(columns={"group": "segment"}))
    run.save("revenue_at_risk", res.by_group)

# %% [markdown]
# ## The customers to call
#
# The active customers with the most revenue at risk, with the reasons their risk is high (the
# covariates that raise it most). Ids only: the version with contact details is written to the
# run's restricted folder by the action plan.

# %%
if res.top is not None and not res.top.empty:
    cols = [c for c in ("rank", "customer_id", "segment", "plan", "location", "churn_probability", "annual_revenue",
                        "revenue_at_risk", "reasons") if c in res.top.columns and res.top[c].notna().any()]
    show_table(res.top[cols].head(15).rename(columns={
        "rank": "#", "customer_id": "Customer", "segment": "Segment", "plan": "Plan", "location": "Location",
        "churn_probability": "Risk", "annual_revenue": "Annual revenue", "revenue_at_risk": "Revenue at risk",
        "reasons": "Why the risk is high"}), f"Most valuable customers at risk (first 15 of {len(res.top)})",
        formats={"Risk": lambda v: f"{100 * v:.0f}%", "Annual revenue": money, "Revenue at risk": money})
    run.save("at_risk_customers", res.top[cols])
    run.save("scores", res.scores)

# %% [markdown]
# ## What better experiences are worth
#
# If today's detractors felt like passives instead (everything else unchanged), how much annual
# revenue would stay? The interval reflects the uncertainty of the hazard ratios.

# %%
cf = res.counterfactual
if cf is not None and hasattr(cf, "text"):
    say(f"If the **{cf.customers_affected:,} current detractors** felt like passives, about **{cf.churners_avoided:,.0f} fewer "
        f"customers would leave** within {cfg.churn.horizon_months} months, keeping **{money(cf.revenue_retained)}** of annual "
        f"revenue (95% interval {money(cf.revenue_low)} to {money(cf.revenue_high)}; {cf.method}).")
    if not cf.table.empty:
        t = cf.table.rename(columns=lambda c: c.replace("_", " ").capitalize())
        show_table(t, "Revenue retained by segment if detractors became passives",
                   formats={c: (money if "revenue" in c.lower() else "{:,.1f}") for c in t.columns
                            if t[c].dtype.kind == "f"})
elif res.available:
    absent("The model has no NPS covariate", "the value of better experiences cannot be estimated here")

# %%
if res.notes:
    say("<span class='cx-note'>Notes: " + " ".join(dict.fromkeys(res.notes)) + "</span>")
run.save("summary", summary)
run.done(available=summary.get("available", False))
