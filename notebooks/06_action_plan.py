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
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="06_action_plan")
run.require("00_data_integration", "01_maturity", "02_objectives", "03_metric_design", "04_experience_analysis",
            "05_churn_survival")

# %%
import pandas as pd

from cxtemplate.plan import actions
from cxtemplate.plan import alerts
from cxtemplate.plan import findings
from cxtemplate.plan import followup
from cxtemplate.report.display import absent, fmt_money, say, show_table

cfg = run.cfg
currency = cfg.organisation.currency
# the columns the findings, the callback queue and the alerts read
responses = run.table("responses", run.table_columns("responses", [
    "response_id", "customer_id", "responded_at", "touchpoint", "location", "agent_id", "nps", "comment",
    *[s.column for s in run.specs.values()], *[a.by for a in cfg.alerts if a.by]]))
nb4 = "04_experience_analysis"
found: list = []
found += findings.from_drivers(run.load(nb4, "drivers", None))
if responses is not None and "comment" in responses.columns:
    found += findings.from_topics(run.load(nb4, "topic_impact", None), int(responses["comment"].notna().sum()),
                                  len(responses), topics=run.load(nb4, "topics", None))
if responses is not None and "location" in responses.columns:
    found += findings.from_steps(run.load(nb4, "steps", None), responses["location"].value_counts(normalize=True).to_dict())
found += findings.from_segments(run.load(nb4, "segments", None))
found += findings.from_objectives(run.load("02_objectives", "objectives", None))
found += findings.from_coaching(run.load(nb4, "coaching", None),
                                int(responses["nps"].notna().sum()) if responses is not None and "nps" in responses.columns else None)
found += findings.from_kpis(run.load(nb4, "kpi_effects", None))
found += findings.from_maturity(run.load("01_maturity", "dimensions", None))
churn_summary = run.load("05_churn_survival", "summary", {})
found += findings.from_churn(churn_summary, run.load("05_churn_survival", "risk_by_segment", None), currency)
table = findings.to_frame(found)
kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in table["kind"].value_counts().items())
say(f"The analysis produced **{len(found)} findings** that call for action ({kinds})." if found
    else "The analysis produced no finding that calls for action.")

# %% [markdown]
# ## The action register

# %%
register = actions.build_register(found, cfg.actions, cfg.governance, as_of=cfg.organisation.as_of,
                                  annual_revenue=churn_summary.get("annual_revenue"))
if register.empty:
    absent("No action was generated", "there is nothing to assign")
else:
    register["expected impact"] = register.apply(actions.impact_text, axis=1, currency=currency)
    top = register.head(10)
    say(f"**{len(register)} actions**, {int((register['origin'] == 'catalogue').sum())} from the catalogue and "
        f"{int((register['origin'] == 'generated').sum())} generated for findings the catalogue does not cover. "
        f"The top priority is **{top.iloc[0]['action']}** (owner: {top.iloc[0]['owner']}, due {top.iloc[0]['due']}).")
    show_table(top[["rank", "action", "finding", "expected impact", "confidence", "effort", "owner", "due"]].rename(
        columns={"rank": "#", "action": "Action", "finding": "Finding it answers", "expected impact": "Expected impact",
                 "confidence": "Confidence", "effort": "Effort", "owner": "Owner", "due": "Due"}),
        "Top actions by priority", max_rows=10,
        note=f"The full register ({len(register)} actions, with the impact rules and every finding) is in "
             "action_plan.xlsx and action_register.csv in this run's artifacts.")
    by_owner = register.groupby("owner").agg(actions=("action_id", "size"), first_due=("due", "min")).reset_index()
    show_table(by_owner.rename(columns={"owner": "Owner", "actions": "Actions", "first_due": "First due"}),
               "Actions per owner")

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
    say(f"**{len(queue)} detractors** to call back (owner: {fu_owner}).")
    show_table(queue.head(10).drop(columns=["owner"]), "Callback queue (first 10, redacted)",
               formats={"responded_at": lambda v: str(v)[:16], "nps": "{:.0f}"})
    followup.write_restricted(followup.restricted_version(queue, contacts), run.store.restricted_dir,
                              "callback_queue_with_contacts")
risk_owner = cfg.owner_label(cfg.governance.role_or_default(cfg.governance.retention_owner))
at_risk = run.load("05_churn_survival", "at_risk_customers", None)
if at_risk is None or at_risk.empty:
    absent("No churn scores are available", "there is no retention list")
else:
    at_risk = at_risk.assign(owner=risk_owner)
    say(f"**{len(at_risk)} valuable customers at highest risk** to contact (owner: {risk_owner}).")
    money = lambda v: fmt_money(v, currency)  # noqa: E731
    show_table(at_risk.head(10).drop(columns=["owner"]).rename(columns={
        "rank": "#", "customer_id": "Customer", "segment": "Segment", "plan": "Plan", "location": "Location",
        "churn_probability": "Risk", "annual_revenue": "Annual revenue", "revenue_at_risk": "Revenue at risk",
        "reasons": "Why the risk is high"}), "Retention list (first 10)",
        formats={"Risk": lambda v: f"{100 * v:.0f}%", "Annual revenue": money, "Revenue at risk": money})
    followup.write_restricted(followup.restricted_version(at_risk, contacts), run.store.restricted_dir,
                              "retention_list_with_contacts")

# %% [markdown]
# ## Alerts on the latest period

# %%
fired = pd.DataFrame()
if not cfg.alerts:
    absent("No alert rules are set in the parameters", "nothing is evaluated")
elif responses is None:
    absent("There are no survey responses", "alerts cannot be evaluated")
else:
    evaluated = alerts.evaluate(responses, cfg.alerts, run.specs, freq=run.freq, as_of=cfg.organisation.as_of,
                                min_n=cfg.reporting.min_n, conf=run.conf)
    fired = evaluated[evaluated["fired"]]
    evaluated["owner"] = evaluated["owner"].map(cfg.owner_label)
    say(f"**{len(fired)} of {len(evaluated)} checks fired** on {cfg.alerts and evaluated['period'].dropna().iloc[0]}; "
        f"{int(fired['credible'].sum()) if len(fired) else 0} of them credibly (the whole 95% interval past the threshold).")
    skipped = evaluated[evaluated["message"].str.startswith("not evaluated")]
    if len(fired):
        show_table(fired.assign(owner=fired["owner"].map(cfg.owner_label)).rename(columns={
            "rule": "Rule", "level": "Where", "message": "What was found", "owner": "Owner"})[["Rule", "Where", "What was found", "Owner"]],
            "Alerts that fired", max_rows=40)
    if len(skipped):
        say(f"{len(skipped)} checks were not evaluated because the latest period holds fewer than {cfg.reporting.min_n} "
            f"responses for them ({', '.join(skipped['level'].astype(str).head(8))}{'…' if len(skipped) > 8 else ''}).")
    run.save("alerts", evaluated)

# %% [markdown]
# ## Files for owners
#
# `action_plan.xlsx` holds the register, the redacted callback queue, the retention list, the
# alerts and the findings, one sheet each; `action_register.csv` is the register for trackers.

# %%
sheets = {"Register": register.drop(columns=["origin"], errors="ignore"), "Findings": table}
if not queue.empty:
    sheets["Callback queue"] = queue
if at_risk is not None and not at_risk.empty:
    sheets["Retention list"] = at_risk
if cfg.alerts and responses is not None:
    sheets["Alerts"] = evaluated
actions.write_workbook(run.artifact_path("action_plan.xlsx"), sheets)
register.to_csv(run.artifact_path("action_register.csv"), index=False)
run.save("register", register)
run.save("findings", table)
if not queue.empty:
    run.save("callback_queue", queue)
run.done(actions=len(register), findings=len(found))
