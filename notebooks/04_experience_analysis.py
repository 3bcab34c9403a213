# ---
# jupyter:
#   cxtemplate:
#     role: manager
#     summary: How the scores move and where, what drives them, which operational levers matter, what customers say, who needs coaching, and what caused the latest change.
#     title: Experience analysis
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Experience analysis
#
# This page turns the voice of the customer into reasons. It follows the scores over time and
# across segments, finds what drives them, links them to operational levers, reads what customers
# say in their own words, shows which frontline staff would benefit from coaching, and explains
# the latest significant change. Every number carries its sample size and 95% interval; every
# comparison a test whose p-value is adjusted for the number of comparisons made (Benjamini–Hochberg).

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.session import open_run

run = open_run(params_path, run_dir, notebook="04_experience_analysis")
run.require("00_data_integration")

# %%
import pandas as pd

from cxtemplate import experience as ex
from cxtemplate.display import absent, say, show_figure, show_table

cfg = run.cfg
responses = run.table("responses")
specs = run.specs
labels = dict(cfg.metrics.drivers.labels)
has_survey = responses is not None and bool(specs)
dated = has_survey and "responded_at" in responses.columns and responses["responded_at"].notna().any()
if not has_survey:
    absent("There are no survey responses for this organisation",
           "the experience analysis is skipped; conversations and churn are analysed where available")

# %% [markdown]
# ## Headline metrics
#
# The latest reporting period for each metric, compared with the previous period and with the
# baseline period set in the parameters.

# %%
head = pd.DataFrame()
if dated:
    head, period_tables = ex.headline(responses, specs, freq=run.freq, as_of=cfg.organisation.as_of,
                                      baseline=cfg.organisation.baseline, conf=run.conf)
    for _, row in head.iterrows():
        say(ex.headline_sentence(row, specs[row["key"]]))
    for key, spec in specs.items():
        say(f"<span class='cx-note'>{spec.definition}</span>")
    run.save("headline", head)
elif has_survey:
    absent("The responses carry no dates", "trends and period comparisons are not possible")

# %% [markdown]
# ## Trends
#
# Each metric per period with its 95% interval (the shaded band). Wide bands mean few responses
# in that period: movements inside the band are not evidence of change.

# %%
if dated:
    from cxtemplate.trends import plot_trend

    for key, spec in specs.items():
        t = period_tables[key]
        ax = plot_trend(t, spec, title=f"{spec.display} per {cfg.organisation.frequency}",
                        source="survey responses", min_n=cfg.reporting.min_n)
        show_figure(ax.figure)
        run.save(f"trend_{key}", t.assign(period=t["period"].astype(str)))

# %% [markdown]
# ## Where the scores changed for good
#
# For each location we look for the single month where the score stepped to a new level and
# stayed there, and test whether such a step is larger than month-to-month noise would produce
# (a permutation test on the series, then adjusted across locations).

# %%
steps = pd.DataFrame()
step_col = next((c for c in ("location", *cfg.segments) if has_survey and c in responses.columns), None)
if dated and step_col and "nps" in specs:
    from cxtemplate.trends import detect_steps, period_table, plot_trend

    spec = specs["nps"]
    steps = detect_steps(responses, spec, "responded_at", step_col, freq=run.freq, min_n=cfg.reporting.min_n,
                         seed=run.seed)
    say(ex.step_sentence(steps, step_col.replace("_", " "), spec))
    sig = steps[steps["significant"]]
    if not sig.empty:
        focus = responses[responses[step_col].isin(sig[step_col])]
        t = period_table(focus, spec, "responded_at", freq=run.freq, by=step_col)
        ax = plot_trend(t, spec, group=step_col, steps=steps, min_n=cfg.reporting.min_n,
                        title=f"{spec.name} where a lasting step was found", source="survey responses")
        show_figure(ax.figure)
    cols = [step_col, "step_period", "value_before", "n_before", "value_after", "n_after", "change", "p_adj", "significant"]
    shown = steps[[c for c in cols if c in steps.columns]].sort_values("p_adj")
    show_table(shown.rename(columns={step_col: step_col.replace("_", " ").capitalize(), "step_period": "Most likely step",
                                     "value_before": "Before", "n_before": "n before", "value_after": "After",
                                     "n_after": "n after", "change": "Change", "p_adj": "Adjusted p",
                                     "significant": "Significant"}),
               f"Most likely step per {step_col.replace('_', ' ')} ({spec.name})",
               formats={"Before": "{:.1f}", "After": "{:.1f}", "Change": "{:+.1f}", "Adjusted p": "{:.3f}"})
    run.save("steps", steps.assign(step_period=steps["step_period"].astype(str)))
elif has_survey:
    absent("Step detection needs dated NPS responses with a location", "it is skipped")

# %% [markdown]
# ## Segments
#
# Each segment compared with everyone else. Cells with fewer than the minimum number of responses
# set in the parameters are suppressed and say so.

# %%
seg_table = pd.DataFrame()
seg_cols = [c for c in cfg.segments if has_survey and c in responses.columns]
if seg_cols:
    from cxtemplate.segments import plot_funnel, segment_table

    key = next(iter(specs))
    spec = specs[key]
    seg_table = segment_table(responses, spec, seg_cols, min_n=cfg.reporting.min_n)
    say(ex.segment_sentence(seg_table, spec))
    view = seg_table.rename(columns={"segment": "Segment", "level": "Level", "value": spec.name, "n": "n",
                                     "diff": "vs rest", "p_adj": "Adjusted p", "note": "Note"})
    view["95% CI"] = [f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) else "–" for lo, hi in zip(seg_table["ci_low"], seg_table["ci_high"])]
    view["Segment"] = view["Segment"].str.replace("_", " ")
    show_table(view[["Segment", "Level", spec.name, "95% CI", "n", "vs rest", "Adjusted p", "Note"]],
               f"{spec.name} by segment, against the rest of the population",
               formats={spec.name: "{:.1f}", "vs rest": "{:+.1f}", "Adjusted p": "{:.3f}"}, max_rows=80)
    run.save("segments", seg_table)
    if "location" in seg_cols:
        from cxtemplate.metrics import summarise

        loc = summarise(responses, spec, by="location", conf=run.conf)
        ax = plot_funnel(loc, spec, title=f"{spec.name} by location against its number of responses",
                         source="survey responses")
        show_figure(ax.figure)
        say("Locations outside the funnel's limits differ from the organisation by more than their "
            "sample size explains; those inside are consistent with the overall score.")
elif has_survey:
    absent("No segment columns are configured or present", "segment comparisons are skipped")

# %% [markdown]
# ## What drives the scores
#
# **Method: Shapley value regression** (also called LMG or general dominance): the share of the
# explained variation in the outcome that each driver rating accounts for, averaged over every
# order in which the drivers could enter the model — computed exactly from the correlation
# matrix, with 95% bootstrap intervals. Johnson's relative weights are shown as a check; the two
# methods should broadly agree. Importance says nothing about performance: the grid below places
# each driver by both (Martilla & James's importance–performance analysis).

# %%
drivers = [d for d in cfg.metrics.drivers.columns if has_survey and d in responses.columns]
outcome = cfg.metrics.drivers.outcome
analysis = None
if len(drivers) >= 2 and has_survey and outcome in responses.columns:
    from cxtemplate.drivers import plot_importance, plot_importance_performance

    analysis = ex.analyse_drivers(responses, outcome, drivers, n_boot=300, seed=run.seed, conf=run.conf)
    say(ex.driver_sentence(analysis, labels))
    ax = plot_importance(analysis.shapley, labels=labels, source="survey responses",
                         title=f"What drives {specs[outcome].name if outcome in specs else outcome}: "
                               f"R² = {analysis.shapley.r2:.2f}")
    show_figure(ax.figure)
    ax = plot_importance_performance(analysis.ipa, labels=labels, n=analysis.shapley.n, source="survey responses")
    show_figure(ax.figure)
    dtab = analysis.table(labels)
    show_table(dtab.drop(columns="driver"), f"Key drivers of {outcome.upper()}",
               formats={"Share of R² %": "{:.1f}", "Relative weights %": "{:.1f}", "Mean rating": "{:.2f}"},
               note=f"{analysis.shapley.method}; R² = {analysis.shapley.r2:.2f}, n = {analysis.shapley.n:,} complete responses.")
    if outcome in specs:
        gains = ex.driver_gains(responses, analysis, specs[outcome])
        dtab = dtab.merge(gains[["driver", "gap", "metric_gain"]], on="driver", how="left")
    run.save("drivers", dtab)
    run.save("drivers_summary", {"method": analysis.shapley.method, "r2": analysis.shapley.r2, "n": analysis.shapley.n,
                                 "outcome": outcome})
else:
    absent("Fewer than two driver ratings are configured", "the key-driver analysis is skipped")

# %%
if analysis is not None and "segment" in responses.columns:
    from cxtemplate.drivers import drivers_by_segment

    by_seg = drivers_by_segment(responses, outcome, drivers, "segment", min_n=cfg.reporting.min_n)
    wide = ex.drivers_by_segment_wide(by_seg, labels)
    if wide.empty:
        say("No customer segment has enough responses for its own driver analysis.")
    else:
        show_table(wide, "Driver shares (% of R²) by customer segment",
                   formats={c: (lambda v: f"{v:,.0f}" if v > 100 else f"{v:.1f}") for c in wide.columns if c != "Driver"},
                   note="A segment is analysed when it has at least ten responses per driver; the last two rows "
                        "give each segment's R² and its number of responses.")
    run.save("drivers_by_segment", by_seg)

# %% [markdown]
# ## Frontline coaching
#
# Agent scores are noisy when an agent has few responses, so each agent's NPS is estimated with
# **empirical-Bayes shrinkage**: pulled towards the team average in proportion to how little
# evidence there is. An agent is flagged only when the whole 95% interval lies below the team,
# and for each flagged agent the table names the driver rating where they fall furthest behind
# their team, weighted by how much that driver matters.

# %%
coach = pd.DataFrame()
if has_survey and "agent_id" in responses.columns and responses["agent_id"].notna().any() and "nps" in responses.columns:
    from cxtemplate.people import coaching_table

    staffed = responses[responses["agent_id"].notna()]
    team_col = "location" if "location" in staffed.columns else "agent_id"
    coach = coaching_table(staffed, "agent_id", team_col, "nps", drivers, kind="nps",
                           importance=analysis.shapley if analysis is not None else None,
                           min_n=10, conf=run.conf)
    flagged = coach[coach["below_team"]]
    say(f"**{len(flagged)} of {len(coach)} agents** score credibly below their team on NPS after allowing for "
        f"their number of responses; the rest are within the range chance explains.")
    show = coach.rename(columns={team_col: "Team", "agent_id": "Agent", "n": "n", "raw": "Raw NPS", "estimate": "Shrunken NPS",
                                 "lower": "Low", "upper": "High", "team_mean": "Team NPS", "rank": "Rank in team",
                                 "needs_driver": "Coach on"})
    show["Coach on"] = show["Coach on"].map(lambda d: labels.get(d, d))
    cols = ["Team", "Agent", "n", "Raw NPS", "Shrunken NPS", "Low", "High", "Team NPS", "Rank in team", "Coach on"]
    show_table(show[show["below_team"]][cols] if len(flagged) else show[cols].head(15),
               "Agents credibly below their team, and what to coach" if len(flagged) else "Agents (none credibly below their team)",
               formats={c: "{:.1f}" for c in ("Raw NPS", "Shrunken NPS", "Low", "High", "Team NPS")})
    run.save("coaching", coach)
else:
    absent("Responses carry no agent", "frontline coaching is skipped")

# %%
run.done(sections=["headline", "trends", "steps", "segments", "drivers", "coaching"])
