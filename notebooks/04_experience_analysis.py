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
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="04_experience_analysis")
run.require("00_data_integration")

# %%
import pandas as pd

from cxtemplate.analysis import experience as ex
from cxtemplate.report.display import absent, say, show_figure, show_table

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
    from cxtemplate.measure.trends import plot_trend

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
    from cxtemplate.measure.trends import detect_steps, period_table, plot_trend

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
    from cxtemplate.measure.segments import plot_funnel, segment_table

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
        from cxtemplate.measure.metrics import summarise

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
    from cxtemplate.analysis.plots import plot_importance, plot_importance_performance

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
               note=f"{analysis.shapley.method}; R² = {analysis.shapley.r2:.2f}, n = {analysis.shapley.n:,} complete responses. "
                    + ex.driver_interval_note(analysis))
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
    from cxtemplate.analysis.drivers import drivers_by_segment

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
topics = impact = None
commented = responses[responses["comment"].notna() & (responses["comment"].str.strip() != "")] \
    if has_survey and "comment" in responses.columns else None
if commented is None or len(commented) < 50:
    absent("There are too few comments (fewer than 50)", "topics and sentiment are not analysed")
else:
    from cxtemplate.analysis.text import sentiment
    from cxtemplate.analysis.text import topics as text

    fitted = ex.comment_topics(commented["comment"], seed=run.seed)
    topics, membership = fitted.model, fitted.membership
    if fitted.note:
        say(f"<span class='cx-note'>{fitted.note}</span>")
    if "nps" in commented.columns:
        impact = text.topic_impact(membership, commented["nps"], kind="nps", confidence=run.conf)
        worst = impact.iloc[0]
        say(f"**{len(topics.topics)} topics** run through {len(commented):,} comments "
            f"({100 * len(commented) / len(responses):.0f}% of responses). The most harmful is "
            f"**{worst['topic']}**: comments mentioning it have an NPS {worst['impact']:+.0f} points below the others "
            f"(95% CI {worst['ci_low']:.0f} to {worst['ci_high']:.0f}, n = {int(worst['n_with']):,}).")
        ax = text.plot_topic_impact(impact, title="How each comment topic relates to NPS",
                                    min_n=cfg.reporting.min_n, source="survey comments (redacted)")
        show_figure(ax.figure)
    tt = topics.topics.copy()
    tt["Top words"] = tt["top_terms"].map(lambda terms: ", ".join(t for t, _ in terms[:6]))
    tt["Examples (redacted)"] = tt["examples"].map(lambda ex_: " · ".join(f"“{e}”" for e in ex_[:2]))
    if impact is not None:
        tt = tt.merge(impact[["topic", "impact", "ci_low", "ci_high", "p_adj"]], left_on="label", right_on="topic", how="left")
    cols = ["label", "share", "Top words", "impact", "ci_low", "ci_high", "p_adj", "Examples (redacted)"]
    show_table(tt[[c for c in cols if c in tt.columns]].rename(columns={
        "label": "Topic", "share": "Share of comments", "impact": "NPS impact", "ci_low": "Low", "ci_high": "High",
        "p_adj": "Adjusted p"}), "Comment topics, their words, and their relation to NPS",
        formats={"Share of comments": lambda v: f"{100 * v:.0f}%", "NPS impact": "{:+.1f}", "Low": "{:.1f}",
                 "High": "{:.1f}", "Adjusted p": "{:.3f}"},
        note=(f"Number of topics chosen by the stability of the topics across resamples (Greene et al. 2014; "
              f"1 = identical every time, chosen k = {topics.k}): " + ", ".join(
                  f"k={int(r.k)}: {r.stability:.2f}" for r in topics.selection.itertuples()) + "."
              if topics.criterion == "stability" else f"Number of topics given in the params: {topics.k}."))
    sent = sentiment.score_sentiment(commented["comment"], labels=commented.get("nps"), seed=run.seed)
    neg = (sent["label"] == "negative").mean()
    trained = sent.attrs.get("train_sample", {})
    say(f"Sentiment ({sent['method'].iloc[0].replace('_', ' ')}): {100 * neg:.0f}% of comments are negative."
        + (f" <span class='cx-note'>The classifier was trained on a random sample of {trained['trained_on']:,} of the "
           f"{trained['labelled']:,} scored comments (scored out of fold); the model fitted on that sample scored all "
           f"other comments.</span>" if trained and trained["trained_on"] < trained["labelled"] else ""))
    if "touchpoint" in commented.columns:
        ax = text.plot_sentiment_by(sent["label"], commented["touchpoint"], title="Comment sentiment by touchpoint",
                                    min_n=cfg.reporting.min_n, source="survey comments (redacted)")
        show_figure(ax.figure)
    run.save("topics", tt.drop(columns=["top_terms", "examples"], errors="ignore"))
    if impact is not None:
        run.save("topic_impact", impact)
    at, which = membership.to_numpy().nonzero()
    mentions = pd.DataFrame({"response_id": commented["response_id"].to_numpy()[at],
                             "topic": membership.columns.to_numpy()[which]})
    sc_by = cfg.reporting.manager_scorecards_by
    if sc_by and sc_by in commented.columns:  # what the scorecards need, so they need not read every comment
        mentions[sc_by] = commented[sc_by].to_numpy()[at]
        run.save("commented_by", {"by": sc_by, "total": int(len(commented)),
                                  "levels": commented[sc_by].value_counts().to_dict()})
    run.save("topic_mentions", mentions)
    run.save("comment_sentiment", {"method": str(sent["method"].iloc[0]), "negative_share": float(neg),
                                   "n": int(len(sent))})

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
operations = run.table("operations")
kpi_result = None
if not has_survey or operations is None:
    absent("There are no operational KPIs" if operations is None else "There are no survey responses",
           "experience–performance links are not estimated")
else:
    from cxtemplate.analysis import linkage

    link_key = "csat" if "csat" in specs else next(iter(specs))
    panel = linkage.kpi_panel(responses, operations, specs[link_key], freq=run.freq, conf=run.conf)
    kpi_result = linkage.kpi_effects(panel, spec=specs[link_key], conf=run.conf)
    kt = kpi_result.table
    if kt.empty:
        say(kpi_result.note)
    else:
        joint = kt[kt["model"] == "joint"] if (kt["model"] == "joint").any() else kt
        for _, r in joint.sort_values("p_adj").iterrows():
            if r["significant"]:
                say(r["sentence"])
        if not joint["significant"].any():
            say(f"No operational KPI shows a significant link with {specs[link_key].name} within locations.")
        ax = linkage.plot_kpi_effects(kpi_result, model="joint" if (kt["model"] == "joint").any() else "single")
        show_figure(ax.figure)
        show_table(kt[["model", "label", "effect", "ci_low", "ci_high", "effect_unit", "p_adj", "n_cells"]].rename(columns={
            "model": "Model", "label": "KPI", "effect": "Effect", "ci_low": "Low", "ci_high": "High",
            "effect_unit": "Unit", "p_adj": "Adjusted p", "n_cells": "Location-months"}),
            f"Operational KPIs and {specs[link_key].name}",
            formats={"Effect": "{:+.3f}", "Low": "{:+.3f}", "High": "{:+.3f}", "Adjusted p": "{:.3f}"},
            note=kpi_result.note)
        top = joint.sort_values("p_adj").iloc[0]
        binned = linkage.binned_relationship(panel, top["kpi"], bins=5, spec=specs[link_key], within_location=False)
        ax = linkage.plot_binned(binned, title=f"{specs[link_key].name} by {top['label']}, location-months in five bins")
        show_figure(ax.figure)
        run.save("kpi_effects", kt)

# %% [markdown]
# ## Conversations
#
# Contacts with agents, chat, e-mail and bots: what customers contact us about, how often the
# contact resolves their issue, how long it takes and how it feels. Where the customer is known,
# their later survey answers show what an unresolved contact costs.

# %%
interactions = run.table("interactions")
if interactions is None or interactions.empty:
    absent("There are no conversation records", "contact analytics are skipped")
else:
    from cxtemplate.analysis import conversations as conv

    by_channel = conv.summary_by(interactions, by=("channel",), conf=run.conf)
    allrow = by_channel[by_channel["channel"] == "All"].iloc[0] if (by_channel["channel"] == "All").any() else None
    if allrow is not None:
        say(f"**{int(allrow['contacts']):,} contacts**; {allrow['resolution_rate']:.0f}% resolved "
            f"(95% CI {allrow['resolution_ci_low']:.0f}–{allrow['resolution_ci_high']:.0f}%), median handle time "
            f"{allrow['handle_median_s'] / 60:.1f} minutes.")
    pct = lambda v: f"{v:.0f}%"  # noqa: E731 - summary_by reports percentages
    show_table(by_channel[["channel", "contacts", "share", "resolution_rate", "resolution_ci_low", "resolution_ci_high",
                           "handle_median_s", "handle_p90_s", "sentiment_mean", "negative_share"]].rename(columns={
        "channel": "Channel", "contacts": "Contacts", "share": "Share", "resolution_rate": "Resolved",
        "resolution_ci_low": "Low", "resolution_ci_high": "High", "handle_median_s": "Median handle (min)",
        "handle_p90_s": "90th pct handle (min)", "sentiment_mean": "Mean sentiment", "negative_share": "Negative"}),
        "Contacts by channel", max_rows=20,
        formats={"Share": pct, "Resolved": pct, "Low": pct, "High": pct, "Negative": pct, "Mean sentiment": "{:+.2f}",
                 "Median handle (min)": lambda v: f"{v / 60:.1f}", "90th pct handle (min)": lambda v: f"{v / 60:.1f}"},
        note="Resolution interval: Wilson 95%. Sentiment runs from −1 (negative) to +1 (positive).")
    ax = conv.plot_resolution(by_channel)
    show_figure(ax.figure)
    ax = conv.plot_intents_by_channel(conv.intents_by_channel(interactions))
    show_figure(ax.figure)
    run.save("conversations_by_channel", by_channel)
    if has_survey:
        link = conv.join_to_survey(responses, interactions, window_days=60, spec=specs.get("nps"))
        if link.comparison.empty:
            say(link.note)
        else:
            for _, r in link.comparison.iterrows():
                say(r["sentence"])
            run.save("contact_effects", link.comparison)

# %% [markdown]
# ## Root cause of the latest significant change
#
# The most recent change in NPS that is larger than chance, split into **mix** (a different mix
# of customers answering, e.g. more responses from a weaker location) and **rate** (the same kind
# of customers scoring differently). The split adds up exactly to the change. Then: which driver
# ratings and which comment topics moved most between the two windows.

# %%
if dated and "nps" in specs:
    from cxtemplate.analysis import rootcause

    change = rootcause.latest_significant_change(responses, specs["nps"], freq=run.freq, alpha=0.05,
                                                 min_n=cfg.reporting.min_n, end=cfg.organisation.as_of)
    say(change.sentence)
    if change.found:
        dims = [c for c in ("location", "journey_stage", "segment", "channel") if c in responses.columns]
        mix = rootcause.mix_rate_decomposition(responses, specs["nps"], dims, change.window_a, change.window_b)
        summ = mix.summary.rename(columns={"dimension": "Dimension", "value_a": "Before", "value_b": "After",
                                           "change": "Change", "mix": "Mix", "rate": "Rate",
                                           "top_rate_level": "Largest rate contributor"})
        summ["Dimension"] = summ["Dimension"].str.replace("_", " ")
        show_table(summ[["Dimension", "Before", "After", "Change", "Mix", "Rate", "Largest rate contributor"]],
                   "Change in NPS split into mix and rate, by dimension (NPS points)",
                   formats={c: "{:+.1f}" for c in ("Change", "Mix", "Rate")} | {"Before": "{:.1f}", "After": "{:.1f}"})
        say(mix.summary["sentence"].iloc[0])
        ax = rootcause.plot_waterfall(mix, dimension=dims[0], top=6)
        show_figure(ax.figure)
        membership_df = None
        if topics is not None:
            membership_df = membership.reindex(responses.index, fill_value=False)
        movers = rootcause.driver_and_topic_movers(responses, change.window_a, change.window_b, drivers,
                                                   topic_membership=membership_df,
                                                   importance=analysis.shapley if analysis is not None else None)
        md_ = movers.drivers.assign(driver=lambda d: d["driver"].map(lambda x: labels.get(x, x)))
        show_table(md_[["driver", "mean_a", "mean_b", "change", "ci_low", "ci_high", "p_adj", "importance"]].rename(columns={
            "driver": "Driver", "mean_a": "Before", "mean_b": "After", "change": "Change", "ci_low": "Low",
            "ci_high": "High", "p_adj": "Adjusted p", "importance": "Importance"}),
            "Driver ratings between the two windows (ranked by change × importance)",
            formats={"Before": "{:.2f}", "After": "{:.2f}", "Change": "{:+.2f}", "Low": "{:+.2f}", "High": "{:+.2f}",
                     "Adjusted p": "{:.3f}", "Importance": lambda v: f"{100 * v:.0f}%"})
        if not movers.topics.empty:
            show_table(movers.topics.head(6)[["topic", "share_a", "share_b", "change", "ci_low", "ci_high", "p_adj"]].rename(
                columns={"topic": "Topic", "share_a": "Share before %", "share_b": "Share after %", "change": "Change (pp)",
                         "ci_low": "Low", "ci_high": "High", "p_adj": "Adjusted p"}),
                "Comment topics between the two windows (share of comments mentioning each)",
                formats={"Share before %": "{:.1f}", "Share after %": "{:.1f}", "Change (pp)": "{:+.1f}",
                         "Low": "{:+.1f}", "High": "{:+.1f}", "Adjusted p": "{:.3f}"})
        say(movers.note)
        run.save("root_cause", {"sentence": change.sentence, "found": True,
                                "window_a": [str(p) for p in change.window_a],
                                "window_b": [str(p) for p in change.window_b], "change": change.change,
                                "ci_low": change.ci_low, "ci_high": change.ci_high, "p_adj": change.p_adj})
        run.save("root_cause_mix", mix.table)
    else:
        run.save("root_cause", {"sentence": change.sentence, "found": False})

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
    from cxtemplate.analysis.people import coaching_table

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
run.done(sections=["headline", "trends", "steps", "segments", "drivers", "comments", "operations", "conversations", "root_cause", "coaching"])
