# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     needs:
#     - responses
#     - interactions
#     role: manager
#     summary: How the scores move and where, what drives them, which operational levers
#       matter, what customers say, who needs coaching, and what caused the latest change.
#     title: Experience analysis
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Experience analysis

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.analysis import comments, conversations, key_drivers, latest_change, levers, opening, people
from cxtemplate.analysis import experience as ex
from cxtemplate.analysis.page import Survey
from cxtemplate.data import quality as dq
from cxtemplate.report.display import say
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="04_experience_analysis")
run.require("00_data_integration")

# %%
survey = Survey.from_config(run.cfg, run.table("responses"), specs=run.specs, freq=run.freq, conf=run.conf,
                            seed=run.seed)
operations = run.table("operations")
headline = ex.headline_section(survey)
trends = ex.trends_section(survey, headline.period_tables)
steps = ex.steps_section(survey)
segments = ex.segments_section(survey)
drivers = key_drivers.drivers_section(survey)
by_segment = key_drivers.drivers_by_segment_section(survey, drivers.analysis)
voice = comments.comments_section(survey)
links = levers.levers_section(survey, operations)
contacts = conversations.conversations_section(run.table("interactions"), survey.usable,
                                               spec=survey.specs.get("nps"), conf=survey.conf)
root_cause = latest_change.root_cause_section(survey, importance=drivers.importance,
                                              topic_membership=voice.membership)
coaching = people.coaching_section(survey, importance=drivers.importance)
opening.opening_section(survey, headline, steps, segments, drivers, voice, root_cause,
                        operations=operations is not None).show()
say(dq.join_warning(run.load("00_data_integration", "quality", default=None), "responses"))

# %% [markdown]
# ## Headline metrics

# %%
headline.show()
headline.save(run.save)

# %% [markdown]
# ## Trends

# %%
trends.show()
trends.save(run.save)

# %% [markdown]
# ## Where the scores stepped up or down and stayed

# %%
steps.show()
steps.save(run.save)

# %% [markdown]
# ## Segments

# %%
segments.show()
segments.save(run.save)

# %% [markdown]
# ## What drives the scores

# %%
drivers.show()
drivers.save(run.save)

# %%
by_segment.show()
by_segment.save(run.save)

# %% [markdown]
# ## What customers say

# %%
voice.show()
voice.save(run.save)

# %% [markdown]
# ## Operational levers

# %%
links.show()
links.save(run.save)

# %% [markdown]
# ## Conversations

# %%
contacts.show()
contacts.save(run.save)

# %% [markdown]
# ## Root cause of the latest significant change

# %%
root_cause.show()
root_cause.save(run.save)

# %% [markdown]
# ## Frontline coaching

# %%
coaching.show()
coaching.save(run.save)

# %%
run.done(sections=["headline", "trends", "steps", "segments", "drivers", "comments", "operations", "conversations", "root_cause", "coaching"])
