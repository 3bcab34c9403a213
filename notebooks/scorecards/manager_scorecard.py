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
from cxtemplate.data import quality as dq
from cxtemplate.plan import scorecard as sc
from cxtemplate.report.display import absent, say, show_figure, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="scorecards")
run.require("04_experience_analysis", "06_action_plan")

# %%
cfg = run.cfg
# the columns this page reads (comments: only this unit's, below)
responses = run.table("responses", run.table_columns(
    "responses", sc.response_columns(by, run.specs, cfg.metrics.drivers.columns)))
level = sc.busiest_level(responses, by) if level is None else level
say(sc.heading(level))
n_recent = sc.recent_count(responses, by, level, freq=run.freq, as_of=cfg.organisation.as_of)
enough = n_recent >= cfg.reporting.min_n
say(sc.intro_sentence(level, by, cfg.organisation.name, n_recent, cfg.reporting.min_n))
say(dq.join_warning(run.load("00_data_integration", "quality", default=None), "responses"))

# %% [markdown]
# ## Scores against the rest

# %%
if enough:
    show_table(sc.versus_rest_view(sc.versus_rest(responses, run.specs, by, level, freq=run.freq,
                                                  as_of=cfg.organisation.as_of, conf=run.conf,
                                                  min_n=cfg.reporting.min_n), level))
    if "nps" in run.specs:
        show_figure(sc.nps_trend(responses, run.specs["nps"], by, level,
                                 run.load("04_experience_analysis", "steps", None), freq=run.freq,
                                 min_n=cfg.reporting.min_n))
else:
    absent("Scores are suppressed", f"fewer than {cfg.reporting.min_n} responses")

# %% [markdown]
# ## Where to act: drivers here against the organisation

# %%
drv = sc.local_drivers(responses, by, level, run.load("04_experience_analysis", "drivers", None)) if enough else None
if drv is None or drv.empty:
    absent("Driver ratings are not available or suppressed here", "see the organisation's drivers")
else:
    show_table(sc.drivers_view(drv, level))

# %% [markdown]
# ## What customers say here

# %%
if enough:
    commented_by = run.load("04_experience_analysis", "commented_by", None)
    everyone = None if commented_by else run.table("responses", run.table_columns(
        "responses", ["response_id", by, "comment"]))
    topics = sc.local_topics(everyone, run.load("04_experience_analysis", "topic_mentions", None), by, level,
                             commented_by)
    if not topics.empty:
        show_table(sc.topics_view(topics, level))
    here = run.table_where("responses", by, level, ["responded_at", "touchpoint", "nps", "comment"])
    quotes = sc.recent_comments(here, by, level, as_of=cfg.organisation.as_of)
    if not quotes.empty:
        show_table(sc.comments_view(quotes))

# %% [markdown]
# ## Coaching

# %%
team = sc.team_of(run.load("04_experience_analysis", "coaching", None), by, level)
if team is None:
    absent("No coaching table for this unit", "agents are grouped by location")
else:
    say(sc.coaching_sentence(team, level))
    if not team.empty:
        show_table(sc.coaching_view(team, level, cfg.metrics.drivers.labels))

# %% [markdown]
# ## Actions

# %%
acts = sc.local_actions(run.load("06_action_plan", "register", None), by, level)
if acts.empty:
    absent("No actions", "the register is empty")
else:
    show_table(sc.actions_view(acts, level))
