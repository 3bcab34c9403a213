# ---
# jupyter:
#   cxtemplate:
#     after:
#     - 00_data_integration
#     role: analyst
#     summary: The metrics in use and their definitions, where they are measured, how
#       precise they are, and how often each touchpoint can be reported.
#     title: Metric design
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Metric design
#
# A CX programme is only as good as its measurement. This page sets out which metrics are used
# and exactly how they are defined (vendors define CSAT and CES differently, so the definition
# is stated), where in the journey they are collected, how precise today's numbers are for each
# segment, whether the metrics duplicate each other, and how often each touchpoint can be
# reported without mistaking noise for change.

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.data import quality as dq
from cxtemplate.measure import design as md
from cxtemplate.report.display import absent, say, show_figure, show_table
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="03_metric_design")
run.require("00_data_integration")

# %%
cfg = run.cfg
# every column but the response ids and comments, which metric design does not use
responses = run.table("responses", run.table_columns("responses", exclude=("response_id", "comment")))
customers = run.table("customers")
specs = run.specs
margins = md.target_margins(specs, cfg.metrics)
has_survey = responses is not None and bool(specs)
dated = has_survey and md.is_dated(responses)

# %% [markdown]
# ## The metric catalogue
#
# The target margin is the precision (half-width of the 95% interval) a reported number should
# reach before it is used to compare segments or periods.

# %%
if not specs:
    absent("No survey metric is enabled in the parameters", "there is nothing to design")
else:
    catalogue = md.catalogue_view(specs, margins, run.conf)
    show_table(catalogue)
    run.save("catalogue", catalogue.frame)

# %% [markdown]
# ## Where the metrics are collected
#
# Responses by journey stage and touchpoint. Thinly covered touchpoints cannot be reported on
# their own and are candidates for more invitations, or for merging with a neighbour.

# %%
if not has_survey:
    absent("There are no survey responses", "coverage cannot be assessed")
else:
    cov = md.coverage(responses, specs)
    say(md.coverage_sentence(cov, cfg.reporting.min_n, md.months_covered(responses)))
    if not cov.empty:
        show_table(md.coverage_view(cov))
        run.save("coverage", cov)

# %% [markdown]
# ## Response rate among known customers
#
# The share of active customers who answered at least one survey in each period. A falling rate
# makes the results less representative even when the volume looks stable.

# %%
rates = md.response_rate(responses if has_survey else None, customers, run.freq, cfg.organisation.as_of)
if rates.empty:
    absent("Response rates need the CRM's start dates and customer ids on responses", "they are not available here")
else:
    say(md.response_rate_sentence(rates))
    say(dq.join_warning(run.load("00_data_integration", "quality", default=None), "responses"))
    show_figure(md.plot_response_rate(rates, run.freq))
    run.save("response_rate", rates)

# %% [markdown]
# ## Precision today, and the sample needed
#
# For each segment: how many responses the latest period holds, the margin of error that gives,
# and how many responses would reach the target margin. *Periods of data needed* says how many
# periods must be pooled at today's volume to get there: 1 or less means the segment can be
# reported every period.

# %%
margin_tables = md.margin_tables(responses if dated else None, specs, cfg.segments, margins, freq=run.freq,
                                 as_of=cfg.organisation.as_of, conf=run.conf)
for key, table in margin_tables.items():
    run.save(f"margins_{key}", table)
    say(md.margin_sentence(specs[key], margins[key], table))
if margin_tables:
    show_table(md.margins_view(margin_tables, specs, margins))
elif has_survey and not dated:
    absent("The responses carry no dates", "precision per reporting period cannot be shown")
else:
    absent("No segment columns are configured or present", "precision by segment is not shown")

# %% [markdown]
# ## Do the metrics duplicate each other?
#
# If one metric is almost entirely explained by the others it adds little information and
# lengthens the survey. A large *unique* share means the metric measures something the others miss.

# %%
corr, unique = md.redundancy(responses if has_survey else None, specs)
if corr.empty:
    absent("Fewer than two metrics are measured", "redundancy cannot be assessed")
else:
    show_figure(md.plot_redundancy(corr, int(unique["n"].iloc[0])))
    show_table(md.redundancy_view(unique))
    say(md.redundancy_sentence(unique))
    run.save("redundancy", unique)

# %% [markdown]
# ## Recommended survey cadence per touchpoint
#
# The shortest reporting period in which each touchpoint collects enough responses for the
# target margin of the headline metric; where a month already holds several times the need,
# sampling the invitations saves customers' time.

# %%
if dated and "touchpoint" in responses.columns:
    key = next(iter(specs))
    cad = md.cadence(responses, specs[key], by="touchpoint", target_margin=margins[key], freq=run.freq,
                     as_of=cfg.organisation.as_of, conf=run.conf)
    show_table(md.cadence_view(cad, specs[key], margins[key]))
    run.save("cadence", cad)
else:
    absent("The responses carry no touchpoint or no dates", "no cadence can be recommended")

# %%
run.done(metrics=list(specs))
