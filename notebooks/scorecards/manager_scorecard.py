# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 04_experience_analysis
#     - 06_action_plan
#     role: manager
#     summary: One unit against the rest of the organisation on every metric, its targets,
#       revenue at risk, where it differs, its agents and its actions.
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
from cxtemplate.data import quality as dq
from cxtemplate.measure.windows import window
from cxtemplate.plan import scorecard as sc
from cxtemplate.plan import scorecard_gap as gp
from cxtemplate.plan import scorecard_page as page
from cxtemplate.report.display import absent, say, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="scorecards")
run.require("04_experience_analysis", "06_action_plan")

# %%
cfg = run.cfg
drivers = cfg.metrics.drivers.columns
labels = {**cfg.display_labels, **cfg.metrics.drivers.labels}
# the columns this page reads (comments: only this unit's, below)
responses = run.table("responses", run.table_columns("responses", sc.response_columns(by, run.specs, drivers)))
level = sc.busiest_level(responses, by) if level is None else level
say(sc.heading(level))
win = window(responses["responded_at"], cfg.reporting.windows.locations, run.freq)
recent = responses[win.contains(responses["responded_at"]).to_numpy()]
enough = int((recent[by] == level).sum()) >= cfg.reporting.min_n
say(sc.intro_sentence(level, by, int((recent[by] == level).sum()), cfg.reporting.min_n, win.label))
say(dq.join_warning(run.load("00_data_integration", "quality", default=None), "responses"))
steps = sc.level_steps(run.load("04_experience_analysis", "steps", None), by, level, run.freq)
team = sc.team_of(run.load("04_experience_analysis", "coaching", None), by, level)
ranked, too_few = sc.rank_agents(team, cfg.reporting.min_n) if team is not None else (None, None)
acts = sc.local_actions(run.load("06_action_plan", "register", None), by, level)
rev = sc.revenue_of(run.load("05_churn_survival", "revenue_at_risk", None), by, level)
if enough:
    versus = sc.versus_rest(responses, run.specs, by, level, freq=run.freq, as_of=win.end.end_time,
                            periods=win.n_periods, conf=run.conf, min_n=cfg.reporting.min_n)
    split = gp.gap_split(recent, by, level, drivers, seed=cfg.reporting.seed, conf=run.conf, min_n=cfg.reporting.min_n)
    gap_text = page.gap_sentence(split, level, labels=labels, step=sc.significant_step(steps),
                                 below_team=int(ranked["below_team"].sum()) if ranked is not None else 0)
    page.opening_section(versus, run.specs, level, win.label, gap=gap_text, n_actions=sc.owned_count(acts),
                         revenue=page.revenue_sentence(rev, level, cfg.organisation.currency)).show()

# %% [markdown]
# ## Scores against the rest

# %%
if enough:
    page.scores_section(versus, level, win.label).show()
    objectives = run.load("02_objectives", "objectives", None)
    goals = sc.targets(objectives, versus, [o.id for o in cfg.objectives if sc.objective_applies(o.where, by, level)])
    page.trends_section(responses, run.specs, by, level, freq=run.freq, min_n=cfg.reporting.min_n, conf=run.conf,
                        steps=steps, target_of=sc.target_of(goals)).show()
else:
    absent("Scores are suppressed", f"fewer than {cfg.reporting.min_n} responses")

# %% [markdown]
# ## Targets

# %%
if enough:
    page.targets_section(goals, level, run.specs).show()

# %% [markdown]
# ## Revenue at risk

# %%
page.revenue_section(rev, level, cfg.organisation.currency).show()

# %% [markdown]
# ## Where this location differs

# %%
if enough:
    trailing = gp.trailing_drivers(recent, by, level, drivers, conf=run.conf,
                                   importance=run.load("04_experience_analysis", "drivers", None))
    page.gap_section(split, trailing, level, labels=labels).show()
    headline = next(iter(run.specs.values()))
    page.stages_section(gp.stage_gaps(recent, headline, by, level, conf=run.conf, min_n=cfg.reporting.min_n),
                        headline, level, win.label).show()

# %% [markdown]
# ## What customers say here

# %%
if enough:
    commented_by = run.load("04_experience_analysis", "commented_by", None)
    everyone = None if commented_by else run.table("responses", run.table_columns(
        "responses", ["response_id", by, "comment"]))
    topics = sc.local_topics(everyone, run.load("04_experience_analysis", "topic_mentions", None), by, level,
                             commented_by, sc.topic_labels(run.load("04_experience_analysis", "topics", None)))
    if not topics.empty:
        show_table(sc.topics_view(topics, level))
    here = run.table_where("responses", by, level, ["responded_at", "touchpoint", "nps", "comment"])
    quotes = sc.recent_comments(here, by, level, as_of=cfg.organisation.as_of)
    if not quotes.empty:
        show_table(sc.comments_view(quotes))

# %% [markdown]
# ## Coaching

# %%
if team is None:
    absent("No coaching table for this unit", "agents are grouped by location")
else:
    say(sc.coaching_sentence(ranked, too_few, level))
    if not ranked.empty:
        show_table(sc.coaching_view(ranked, level, labels))
    say(sc.too_few_sentence(too_few, cfg.reporting.min_n))

# %% [markdown]
# ## Actions

# %%
if acts.empty:
    absent("No actions", "the register is empty")
else:
    show_table(sc.actions_view(acts, level))
