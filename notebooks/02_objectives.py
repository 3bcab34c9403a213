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
#
# Each objective ties a business goal to one CX metric, a target, a deadline and an owner. For
# each we measure where the metric stands today (the **baseline**, over the last three reporting
# periods, with its 95% interval) and ask two questions before the target is signed off:
#
# - **Can we see it?** If the target is reached exactly, how likely is a test comparing the
#   baseline with the same length of time before the deadline to show it (statistical power),
#   given the responses we expect by then?
# - **Is it plausible?** How large is the required change compared with how much this metric
#   has moved in the past, and where does the recent trend lead?

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="02_objectives")
run.require("00_data_integration")

# %%
import pandas as pd

from cxtemplate.plan import objectives as ob
from cxtemplate.report.display import absent, say, show_figure, show_table

# every column but the response ids and comments, which objectives do not use
responses = run.table("responses", run.table_columns("responses", exclude=("response_id", "comment")))
cfg = run.cfg
records, series = [], {}
if not cfg.objectives:
    absent("No objectives are set in the parameters", "add them under `objectives:` to track targets here")
elif responses is None or "responded_at" not in responses.columns:
    absent("There are no dated survey responses", "objectives cannot be baselined")
else:
    for o in cfg.objectives:
        if o.metric not in run.specs:
            say(f"*Objective **{o.id}** uses {o.metric.upper()}, which is not measured for this organisation.*")
            continue
        rec, s = ob.assess(responses, o, run.specs[o.metric], as_of=cfg.organisation.as_of, freq=run.freq,
                           conf=run.conf)
        rec["owner_name"] = cfg.owner_label(o.owner)
        records.append(rec)
        series[o.id] = s
    on_track = sum(r.get("status") in ("on track", "already met") for r in records)
    say(f"**{on_track} of {len(records)} objectives are on track** on the recent trend; "
        f"{len(records) - on_track} need a change of course to reach their target.")

# %% [markdown]
# ## The objectives at a glance
#
# Goal → metric → baseline → target → deadline → owner. The status compares the recent trend,
# projected to the deadline, with the target: *at risk* means the target lies inside the
# projection's 95% interval, *off track* means it lies above it.

# %%
if records:
    glance = pd.DataFrame([{
        "Business goal": r["goal"], "Metric": r["metric"], "Population": r["where"],
        "Baseline": r.get("baseline"), "95% CI": f"{r['baseline_low']:.1f} to {r['baseline_high']:.1f}" if "baseline" in r else "–",
        "n": r.get("baseline_n"), "Target": r["target"], "Deadline": r["deadline"], "Owner": r["owner_name"],
        "Status": r["status"]} for r in records])
    show_table(glance, "Objectives: baseline, target and status", formats={"Baseline": "{:.1f}", "Target": "{:g}"},
               note=f"Baseline window: {records[0]['window']}. NPS in points (−100…100); top-box metrics in %; "
                    "means on their scale.")

# %% [markdown]
# ## Feasibility
#
# *Power* is the chance of detecting the change if the target is hit exactly (80% or more is the
# usual bar). The *smallest detectable change* is what the expected responses can reliably show.
# *Times usual spread* compares the change needed with how much the metric has differed between
# three-month windows in the past: above about 2, the target asks for more than this organisation
# has achieved before.

# %%
if records:
    feas = pd.DataFrame([{
        "Business goal": r["goal"], "Change needed": r.get("change_needed"),
        "Responses by deadline": r.get("responses_expected"), "Power": 100 * r.get("power", float("nan")),
        "Detectable change": r.get("detectable_change"), "× usual spread": r.get("change_vs_history"),
        "Best 12-month gain": r.get("best_12m_gain"), "Projected": r.get("projected"),
    } for r in records])
    show_table(feas, "Can the targets be reached, and would we see it?",
               formats={"Change needed": "{:+.1f}", "Responses by deadline": "{:,.0f}", "Power": "{:.0f}%",
                        "Detectable change": "{:.1f}", "× usual spread": "{:.1f}×",
                        "Best 12-month gain": "{:+.1f}", "Projected": "{:.1f}"},
               note="Detectable change: the smallest true change the expected responses would show with 80% power. "
                    "Projected: the recent trend's value at the deadline (interval in the sentences below).")
    for r in records:
        say(ob.verdict(r))

# %% [markdown]
# ## Baseline, target and trajectory
#
# Each chart shows the metric per period with its 95% interval, the straight path from today's
# baseline to the target, and where the recent trend (the last twelve periods, weighted by
# precision) would take it by the deadline.

# %%
for r in records:
    fig = ob.plot_objective(r, series[r["id"]], freq=run.freq)
    if fig is not None:
        show_figure(fig)

# %%
if records:
    run.save("objectives", pd.DataFrame(records))
run.done(objectives=len(records), on_track=sum(r.get("status") in ("on track", "already met") for r in records))
