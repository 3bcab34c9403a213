# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
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
from cxtemplate.analysis import comments, conversations, key_drivers, latest_change, levers, people
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
survey.intro().show()
say(dq.join_warning(run.load("00_data_integration", "quality", default=None), "responses"))

# %% [markdown]
# ## Headline metrics
#
# The latest reporting period for each metric, compared with the previous period and with the
# baseline period set in the parameters.

# %%
headline = ex.headline_section(survey)
headline.show()
headline.save(run.save)

# %% [markdown]
# ## Trends
#
# Each metric per period with its 95% interval (the shaded band). Wide bands mean few responses
# in that period: movements inside the band are not evidence of change.

# %%
trends = ex.trends_section(survey, headline.period_tables)
trends.show()
trends.save(run.save)

# %% [markdown]
# ## Where the scores changed for good
#
# For each location we look for the single month where the score stepped to a new level and
# stayed there, and test whether such a step is larger than month-to-month noise would produce
# (a permutation test on the series, then adjusted across locations).

# %%
steps = ex.steps_section(survey)
steps.show()
steps.save(run.save)

# %% [markdown]
# ## Segments
#
# Each segment compared with everyone else. Cells with fewer than the minimum number of responses
# set in the parameters are suppressed and say so.

# %%
segments = ex.segments_section(survey)
segments.show()
segments.save(run.save)

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
drivers = key_drivers.drivers_section(survey)
drivers.show()
drivers.save(run.save)

# %%
by_segment = key_drivers.drivers_by_segment_section(survey, drivers.analysis)
by_segment.show()
by_segment.save(run.save)

# %% [markdown]
# ## What customers say
#
# Comments are redacted for personal data before they are stored. **Topics** are found with
# non-negative matrix factorisation on TF-IDF word weights; the number of topics is the one whose
# top words most often appear together in the same comments (mean NPMI coherence, shown below).
# A topic's **impact** is the NPS of comments that mention it minus the NPS of comments that do
# not, with a 95% interval. **Sentiment** comes from a classifier trained on this organisation's
# own comments, with promoters' comments as positive and detractors' as negative examples (it
# learns the organisation's vocabulary; measured on public labelled data it is far more accurate
# than a general-purpose lexicon), or from the VADER lexicon when there are too few labelled comments.

# %%
voice = comments.comments_section(survey)
voice.show()
voice.save(run.save)

# %% [markdown]
# ## Operational levers
#
# Which operational KPIs move with the customer metrics? Each KPI is related to the metric per
# location and month **within each location** (location fixed effects), so differences between
# locations do not masquerade as effects; intervals allow for months of the same location being
# alike (standard errors clustered by location). Each KPI is shown alone and in a joint model
# with the others: a KPI that matters only alone usually travels with one that matters.
# These are associations in operational data, not experiments.

# %%
links = levers.levers_section(survey, run.table("operations"))
links.show()
links.save(run.save)

# %% [markdown]
# ## Conversations
#
# Contacts with agents, chat, e-mail and bots: what customers contact us about, how often the
# contact resolves their issue, how long it takes and how it feels. Where the customer is known,
# their later survey answers show what an unresolved contact costs.

# %%
contacts = conversations.conversations_section(run.table("interactions"), survey.usable,
                                               spec=survey.specs.get("nps"), conf=survey.conf)
contacts.show()
contacts.save(run.save)

# %% [markdown]
# ## Root cause of the latest significant change
#
# The most recent change in NPS that is larger than chance, split into **mix** (a different mix
# of customers answering, e.g. more responses from a weaker location) and **rate** (the same kind
# of customers scoring differently). The split adds up exactly to the change. Then: which driver
# ratings and which comment topics moved most between the two windows.

# %%
root_cause = latest_change.root_cause_section(survey, importance=drivers.importance,
                                              topic_membership=voice.membership)
root_cause.show()
root_cause.save(run.save)

# %% [markdown]
# ## Frontline coaching
#
# Agent scores are noisy when an agent has few responses, so each agent's NPS is estimated with
# **empirical-Bayes shrinkage**: pulled towards the team average in proportion to how little
# evidence there is. An agent is flagged only when the whole 95% interval lies below the team,
# and for each flagged agent the table names the driver rating where they fall furthest behind
# their team, weighted by how much that driver matters.

# %%
coaching = people.coaching_section(survey, importance=drivers.importance)
coaching.show()
coaching.save(run.save)

# %%
run.done(sections=["headline", "trends", "steps", "segments", "drivers", "comments", "operations", "conversations", "root_cause", "coaching"])
