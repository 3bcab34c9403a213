# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 04_experience_analysis
#     - 06_action_plan
#     role: manager
#     summary: One unit's scores against the rest, its drivers, comments, coaching and
#       actions.
#     title: Manager scorecard
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
params_path = "../../params/demo.yaml"
run_dir = None
by = "location"
level = None

# %%
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="scorecards")
run.require("04_experience_analysis", "06_action_plan")

# %%
from IPython.display import Markdown, display

from cxtemplate.plan import scorecard as sc
from cxtemplate.report.display import absent, say, show_figure, show_table

cfg = run.cfg
# the columns this page reads (comments: only this unit's, below)
responses = run.table("responses", run.table_columns("responses", [
    by, "responded_at", "touchpoint", "nps", *[s.column for s in run.specs.values()], *cfg.metrics.drivers.columns]))
if level is None:
    level = responses[by].value_counts().index[0]
display(Markdown(f"# Scorecard: {level}"))
recent = sc.recent_window(responses, run.freq, cfg.organisation.as_of, periods=3)
mine = responses[responses[by] == level]
n_recent = int((recent[by] == level).sum())
enough = n_recent >= cfg.reporting.min_n
if enough:
    say(f"This page compares **{level}** ({by.replace('_', ' ')}) with the rest of {cfg.organisation.name} over the last "
        f"three periods ({n_recent:,} responses here), and shows where its manager can act.")
else:
    say(f"**{level} has too few responses to report on** ({n_recent} in the last three periods; at least "
        f"{cfg.reporting.min_n} are needed). Its numbers are suppressed so they are not mistaken for evidence; "
        "the actions and coaching below still apply.")

# %% [markdown]
# ## Scores against the rest

# %%
if enough:
    vr = sc.versus_rest(responses, run.specs, by, level, freq=run.freq, as_of=cfg.organisation.as_of,
                        conf=run.conf, min_n=cfg.reporting.min_n)
    show_table(vr, f"{level}: last three periods against the rest of the organisation",
               formats={"Value": "{:.1f}", "Low": "{:.1f}", "High": "{:.1f}", "Rest": "{:.1f}",
                        "Difference": "{:+.1f}", "p": "{:.3f}"})
    if "nps" in run.specs:
        from cxtemplate.measure.trends import period_table, plot_trend

        t = period_table(mine, run.specs["nps"], "responded_at", freq=run.freq)
        steps = run.load("04_experience_analysis", "steps", None)
        if steps is not None and by in steps.columns:
            import pandas as pd

            steps = steps[steps[by] == level].assign(step_period=lambda d: pd.PeriodIndex(d["step_period"], freq=run.freq))
        ax = plot_trend(t, run.specs["nps"], steps=steps if steps is not None and by in getattr(steps, "columns", []) else None,
                        min_n=cfg.reporting.min_n, title=f"NPS at {level} per period", source="survey responses")
        show_figure(ax.figure)
else:
    absent("Scores are suppressed", f"fewer than {cfg.reporting.min_n} responses")

# %% [markdown]
# ## Where to act: drivers here against the organisation

# %%
drv = sc.local_drivers(responses, by, level, run.load("04_experience_analysis", "drivers", None)) if enough else None
if drv is None or drv.empty:
    absent("Driver ratings are not available or suppressed here", "see the organisation's drivers")
else:
    show_table(drv, f"Driver ratings at {level} against the organisation (importance from the organisation's model)",
               formats={"Importance %": "{:.0f}", "Here": "{:.2f}", "Organisation": "{:.2f}", "Gap": "{:+.2f}",
                        "p (vs rest)": "{:.3f}"},
               note="Focus: an important driver rated significantly lower here than in the rest of the organisation (Welch test).")

# %% [markdown]
# ## What customers say here

# %%
if enough:
    commented_by = run.load("04_experience_analysis", "commented_by", None)
    everyone = None if commented_by else run.table("responses", run.table_columns("responses", ["response_id", by, "comment"]))
    topics = sc.local_topics(everyone, run.load("04_experience_analysis", "topic_mentions", None), by, level, commented_by)
    if not topics.empty:
        show_table(topics, f"Comment topics at {level} against the organisation",
                   formats={"Here %": "{:.0f}%", "Organisation %": "{:.0f}%", "Difference (pp)": "{:+.0f}"})
    here = run.table_where("responses", by, level, ["responded_at", "touchpoint", "nps", "comment"])
    quotes = sc.recent_comments(here, by, level, as_of=cfg.organisation.as_of)
    if not quotes.empty:
        show_table(quotes.rename(columns={"responded_at": "Date", "touchpoint": "Touchpoint", "nps": "NPS", "comment": "Comment"}),
                   "Recent detractor comments (redacted)", formats={"Date": lambda v: str(v)[:10], "NPS": "{:.0f}"})

# %% [markdown]
# ## Coaching

# %%
coach = run.load("04_experience_analysis", "coaching", None)
team_col = "location" if coach is not None and "location" in coach.columns else None
if coach is None or team_col is None or by != team_col:
    absent("No coaching table for this unit", "agents are grouped by location")
else:
    team = coach[coach[team_col] == level]
    flagged = team[team["below_team"]]
    say(f"{len(team)} agents at {level}; {len(flagged)} score credibly below the team after shrinkage.")
    if not team.empty:
        labels = dict(cfg.metrics.drivers.labels)
        show_table(team[["agent_id", "n", "estimate", "lower", "upper", "rank", "below_team", "needs_driver"]].assign(
            needs_driver=lambda d: d["needs_driver"].map(lambda x: labels.get(x, x))).rename(columns={
            "agent_id": "Agent", "estimate": "NPS (shrunken)", "lower": "Low", "upper": "High", "rank": "Rank",
            "below_team": "Below team", "needs_driver": "Coach on"}), f"Agents at {level}",
            formats={"NPS (shrunken)": "{:.1f}", "Low": "{:.1f}", "High": "{:.1f}"})

# %% [markdown]
# ## Actions

# %%
acts = sc.local_actions(run.load("06_action_plan", "register", None), by, level)
if acts.empty:
    absent("No actions", "the register is empty")
else:
    show_table(acts[["Scope", "action", "owner", "due"]].rename(columns={"action": "Action", "owner": "Owner", "due": "Due"}),
               f"Actions for {level} and for the whole organisation", max_rows=15)
