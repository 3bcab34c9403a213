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

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.data import quality as dq
from cxtemplate.data.spreadsheet import write_csv
from cxtemplate.plan import actions, alerts, findings, followup, impact
from cxtemplate.report.display import absent, say, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="06_action_plan")
run.require("00_data_integration", "01_maturity", "02_objectives", "03_metric_design", "04_experience_analysis",
            "05_churn_survival")

# %%
cfg = run.cfg
currency = cfg.organisation.currency
as_of = cfg.organisation.as_of
quality = run.load("00_data_integration", "quality", default=None)
inputs = dq.present_inputs(quality or {}, run.specs)
# the columns the findings, the callback queue and the alerts read
responses = run.table("responses", run.table_columns("responses", findings.response_columns(run.specs, cfg.alerts)))
found = findings.collect(run.load, responses, currency, specs=run.specs, driver_scale=cfg.metrics.drivers.scale)
table = findings.to_frame(found)
churn_summary = run.load("05_churn_survival", "summary", {})
scores = run.load("05_churn_survival", "scores", None)
churn_finding = next((f for f in found if f.kind == "churn_risk"), None)
calls = followup.call_list(scores, run.load("05_churn_survival", "at_risk_customers", None),
                           churn_finding.scope if churn_finding else None, cfg.churn.top_customers)
value = impact.value_model(churn_summary, responses, scores)
save_rate = cfg.churn.save_rate if churn_finding is not None and not calls.empty else None
register = actions.build_register(found, cfg.actions, cfg.governance, start=actions.run_date(run.store.root),
                                  annual_revenue=churn_summary.get("annual_revenue"), value=value, save_rate=save_rate,
                                  reached={churn_finding.key: followup.reached_value(calls)} if churn_finding else {})
checks = alerts.alerts_section(responses, cfg.alerts, run.specs, freq=run.freq, as_of=as_of,
                               min_n=cfg.reporting.min_n, conf=run.conf, owner_label=cfg.owner_label)
actions.opening_section(table, inputs, register=register, alerts=checks.artifacts.get("alerts"),
                        dated=as_of is not None, warning=dq.join_warning(quality), currency=currency,
                        method=impact.method_text(value, save_rate, currency, points="nps" in inputs)).show()

# %% [markdown]
# ## The action register

# %%
plan = actions.register_section(register, currency)
plan.show()
register = plan.artifacts["register"]

# %% [markdown]
# ## Closed-loop follow-up

# %%
contacts = followup.read_contacts(run.store.restricted_dir)
fu_owner = cfg.owner_label(cfg.governance.role_or_default(cfg.governance.followup_owner))
queue = followup.detractor_queue(responses, as_of=as_of, days=30, owner=fu_owner)
say(followup.followup_method(callbacks="nps" in inputs and "customers" in inputs, retention=not calls.empty,
                             revenue="revenue" in inputs, days=30 if as_of is not None else None))
if queue.empty:
    absent(*followup.callback_absence(responses, dated=as_of is not None))
else:
    say(followup.queue_sentence(queue, fu_owner))
    show_table(followup.callback_view(queue, labels=cfg.display_labels))
    followup.write_restricted(followup.restricted_version(queue, contacts), run.store.restricted_dir,
                              "callback_queue_with_contacts")
risk_owner = cfg.owner_label(cfg.governance.role_or_default(cfg.governance.retention_owner))
if calls.empty:
    absent("No churn scores are available" if "customers" in inputs else "There is no CRM", "there is no retention list")
else:
    calls = calls.assign(owner=risk_owner)
    say(followup.call_sentence(calls, churn_finding.scope if churn_finding else None, risk_owner))
    show_table(followup.retention_view(calls, currency))
    followup.write_restricted(followup.restricted_version(calls, contacts), run.store.restricted_dir,
                              "retention_list_with_contacts")

# %% [markdown]
# ## Alerts on the latest period

# %%
checks.show()
checks.save(run.save)

# %% [markdown]
# ## Files for owners

# %%
sheets = actions.workbook_sheets(register, table, queue, calls, checks.artifacts.get("alerts"))
say(actions.files_text(sheets))
actions.write_workbook(run.artifact_path("action_plan.xlsx"), sheets)
write_csv(register, run.artifact_path("action_register.csv"))
run.save("register", register)
run.save("findings", table)
if not queue.empty:
    run.save("callback_queue", queue)
run.done(actions=len(register), findings=len(found))
