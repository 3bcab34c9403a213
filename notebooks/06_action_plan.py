# ---
# jupyter:
#   cxtemplate:
#     role: manager
#     summary: Every finding turned into an owned, prioritised, dated action; follow-up
#       queues; alerts on the latest period.
#     title: Action plan
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Action plan
#
# A CX programme is judged by what changes afterwards. This page gathers what the earlier pages
# found (drivers to concentrate on, comment topics that hurt, locations and segments that fell
# behind, objectives off track, customers at risk, agents to coach, operational levers, maturity
# gaps), quantifies each finding where the analysis allows, and turns it into an action with an
# owner and a due date. Actions come from the consultant's catalogue in the parameters; a finding
# the catalogue does not cover gets a generated action, so nothing found is left unowned.
#
# **How actions are ranked:** priority = impact score × confidence ÷ effort. The impact score
# compares the expected impact with a reference size for its unit (5 NPS points, 5 percentage
# points, 2% of annual revenue, one maturity level), capped at 1; confidence is high, medium or
# low from the strength of the evidence; effort comes from the catalogue. Due dates count from
# the analysis date, so the same data always gives the same plan.

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.data import quality as dq
from cxtemplate.data.spreadsheet import write_csv
from cxtemplate.plan import actions, alerts, findings, followup
from cxtemplate.report.display import absent, say, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="06_action_plan")
run.require("00_data_integration", "01_maturity", "02_objectives", "03_metric_design", "04_experience_analysis",
            "05_churn_survival")

# %%
cfg = run.cfg
currency = cfg.organisation.currency
# the columns the findings, the callback queue and the alerts read
responses = run.table("responses", run.table_columns("responses", findings.response_columns(run.specs, cfg.alerts)))
found = findings.collect(run.load, responses, currency)
table = findings.to_frame(found)
say(findings.count_sentence(table))
say(dq.join_warning(run.load("00_data_integration", "quality", default=None)))

# %% [markdown]
# ## The action register

# %%
churn_summary = run.load("05_churn_survival", "summary", {})
register = actions.build_register(found, cfg.actions, cfg.governance, as_of=cfg.organisation.as_of,
                                  annual_revenue=churn_summary.get("annual_revenue"))
if register.empty:
    absent("No action was generated", "there is nothing to assign")
else:
    register = actions.with_impact_text(register, currency)
    say(actions.register_sentence(register))
    show_table(actions.top_actions_view(register))
    show_table(actions.owners_view(register))

# %% [markdown]
# ## Closed-loop follow-up
#
# The **inner loop**: identified detractors of the last 30 days, to be called back by the
# frontline. The **retention list**: active customers most likely to leave within the churn
# horizon, weighted by the revenue they bring, with the reasons their risk is high. The versions
# shown and saved with the report carry ids and redacted comments only; the versions with contact
# details are written to the run's restricted folder for the named owners.

# %%
contacts = followup.read_contacts(run.store.restricted_dir)
fu_owner = cfg.owner_label(cfg.governance.role_or_default(cfg.governance.followup_owner))
queue = followup.detractor_queue(responses, as_of=cfg.organisation.as_of, days=30, owner=fu_owner)
if queue.empty:
    absent("No identified detractor answered in the last 30 days", "the callback queue is empty")
else:
    say(followup.queue_sentence(queue, fu_owner))
    show_table(followup.callback_view(queue))
    followup.write_restricted(followup.restricted_version(queue, contacts), run.store.restricted_dir,
                              "callback_queue_with_contacts")
risk_owner = cfg.owner_label(cfg.governance.role_or_default(cfg.governance.retention_owner))
at_risk = run.load("05_churn_survival", "at_risk_customers", None)
if at_risk is None or at_risk.empty:
    absent("No churn scores are available", "there is no retention list")
else:
    at_risk = at_risk.assign(owner=risk_owner)
    say(followup.retention_sentence(at_risk, risk_owner))
    show_table(followup.retention_view(at_risk, currency))
    followup.write_restricted(followup.restricted_version(at_risk, contacts), run.store.restricted_dir,
                              "retention_list_with_contacts")

# %% [markdown]
# ## Alerts on the latest period

# %%
evaluated = None
if not cfg.alerts:
    absent("No alert rules are set in the parameters", "nothing is evaluated")
elif responses is None:
    absent("There are no survey responses", "alerts cannot be evaluated")
else:
    evaluated = alerts.with_owner_labels(alerts.evaluate(
        responses, cfg.alerts, run.specs, freq=run.freq, as_of=cfg.organisation.as_of, min_n=cfg.reporting.min_n,
        conf=run.conf), cfg.owner_label)
    say(alerts.fired_sentence(evaluated, run.conf))
    if (view := alerts.fired_view(evaluated)) is not None:
        show_table(view)
    if skipped := alerts.skipped_sentence(evaluated, cfg.reporting.min_n):
        say(skipped)
    run.save("alerts", evaluated)

# %% [markdown]
# ## Files for owners
#
# `action_plan.xlsx` holds the register, the redacted callback queue, the retention list, the
# alerts and the findings, one sheet each; `action_register.csv` is the register for trackers.

# %%
actions.write_workbook(run.artifact_path("action_plan.xlsx"),
                       actions.workbook_sheets(register, table, queue, at_risk, evaluated))
write_csv(register, run.artifact_path("action_register.csv"))
run.save("register", register)
run.save("findings", table)
if not queue.empty:
    run.save("callback_queue", queue)
run.done(actions=len(register), findings=len(found))
