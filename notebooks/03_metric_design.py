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
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="03_metric_design")
run.require("00_data_integration")

# %%
from cxtemplate.measure import design as md
from cxtemplate.report.display import absent, say, show_figure, show_table

cfg = run.cfg
# every column but the response ids and comments, which metric design does not use
responses = run.table("responses", run.table_columns("responses", exclude=("response_id", "comment")))
customers = run.table("customers")
specs = run.specs
margins = {k: getattr(cfg.metrics, k).target_margin for k in specs}
has_survey = responses is not None and bool(specs)

# %% [markdown]
# ## The metric catalogue
#
# The target margin is the precision (half-width of the 95% interval) a reported number should
# reach before it is used to compare segments or periods.

# %%
if not specs:
    absent("No survey metric is enabled in the parameters", "there is nothing to design")
else:
    show_table(md.catalogue(specs, margins, run.conf), "Metrics and their definitions",
               formats={"Target margin (±)": "{:g}"})
    run.save("catalogue", md.catalogue(specs, margins, run.conf))

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
    if cov.empty:
        say("The responses carry no journey stage or touchpoint, so coverage along the journey cannot be shown.")
    else:
        thin = cov[cov["Responses"] < cfg.reporting.min_n * 12]
        say(f"**{len(cov)} touchpoints** are surveyed; {len(thin)} of them collect fewer than "
            f"{cfg.reporting.min_n} responses a month on average and can only be reported over longer periods.")
        show_table(cov, "Responses by journey stage and touchpoint",
                   formats={"Share %": "{:.1f}%", **{c: "{:.0f}%" for c in cov.columns if c.endswith("answered %")}})
        run.save("coverage", cov)

# %% [markdown]
# ## Response rate among known customers
#
# The share of active customers who answered at least one survey in each period. A falling rate
# makes the results less representative even when the volume looks stable.

# %%
rates = md.response_rate(responses, customers, run.freq, cfg.organisation.as_of) if has_survey else None
if rates is None or rates.empty:
    absent("Response rates need the CRM's start dates and customer ids on responses", "they are not available here")
else:
    last = rates.iloc[-12:]
    say(f"Over the last 12 periods, **{last['response_rate_pct'].mean():.1f}%** of active customers answered a survey "
        f"each period (from {last['response_rate_pct'].min():.1f}% to {last['response_rate_pct'].max():.1f}%).")
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
dated = has_survey and "responded_at" in responses.columns and responses["responded_at"].notna().any()
seg_cols = [c for c in cfg.segments if dated and c in responses.columns]
margin_tables = {}
for key, spec in specs.items() if seg_cols else []:
    margin_tables[key] = md.margins_by_segment(responses, spec, seg_cols, target_margin=margins[key],
                                               freq=run.freq, as_of=cfg.organisation.as_of, conf=run.conf)
    run.save(f"margins_{key}", margin_tables[key])
if margin_tables:
    for key, t in margin_tables.items():
        ok = (t["Periods of data needed"] <= 1).sum()
        say(f"**{specs[key].name}** (target ±{margins[key]:g}): {ok} of {len(t)} segment levels reach the target "
            f"margin within a single period; the median level needs {t['Periods of data needed'].median():.1f} periods of data.")
    combined = md.combine_margins(margin_tables, specs)
    show_table(combined, "Margin of error in the latest period, and periods of data needed for the target margin",
               formats={c: ("{:.2f}" if c.startswith(tuple(s.name for s in specs.values() if s.kind == "mean")) and c.endswith("± now")
                            else "{:.1f}") for c in combined.columns if c.endswith(("± now", "needed"))}, max_rows=80,
               note="Targets: " + ", ".join(f"{specs[k].name} ±{margins[k]:g}" for k in margin_tables)
                    + ". The sample needed uses each level's own spread over the last year.")
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
corr, unique = md.redundancy(responses, specs) if has_survey else (None, None)
if corr is None or corr.empty:
    absent("Fewer than two metrics are measured", "redundancy cannot be assessed")
else:
    show_figure(md.plot_redundancy(corr, int(unique["n"].iloc[0])))
    show_table(unique.drop(columns="n"), "How much of each metric the others explain",
               formats={"Explained by the others %": "{:.0f}%", "Unique %": "{:.0f}%"},
               note=f"Linear regression of each metric on the others, n = {int(unique['n'].iloc[0]):,} responses answering all.")
    most = unique.sort_values("Unique %").iloc[0]
    say(f"**{most['Metric']}** is the most redundant: the other metrics explain {most['Explained by the others %']:.0f}% of it. "
        "Keep it where stakeholders already rely on it; otherwise it is the first candidate to drop.")
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
    show_table(cad, f"Cadence per touchpoint for {specs[key].name} at ±{margins[key]:g}",
               formats={"Responses per month": "{:,.0f}", "n for target margin": "{:,.0f}"})
    run.save("cadence", cad)
else:
    absent("The responses carry no touchpoint or no dates", "no cadence can be recommended")

# %%
run.done(metrics=list(specs))
