# ---
# jupyter:
#   cxtemplate:
#     order: 0
#     pdf: true
#     role: executive
#     summary: One page for the board - the headline metrics, maturity, what drives
#       the scores, revenue at risk and the first five actions.
#     title: Executive summary
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Executive summary

# %% tags=["parameters"]
params_path = "../params/demo.yaml"
run_dir = None

# %%
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="07_executive_summary")
run.require("01_maturity", "04_experience_analysis", "05_churn_survival", "06_action_plan")

# %%
from IPython.display import HTML, display

from cxtemplate.plan import summary as sm
from cxtemplate.report.display import say, show_table

cfg = run.cfg
currency = cfg.organisation.currency
headline = run.load("04_experience_analysis", "headline", None)
maturity = run.load("01_maturity", "summary", None)
churn = run.load("05_churn_survival", "summary", None)
drivers = run.load("04_experience_analysis", "drivers", None)
register = run.load("06_action_plan", "register", None)
cards = sm.headline_cards(headline, maturity, churn, currency)
opening = sm.opening_sentence(cfg.organisation.name, headline, drivers, churn, register, currency)
say(opening)
display(HTML(sm.cards_html(cards)))

# %% [markdown]
# ## What drives the scores

# %%
if drivers is None or drivers.empty:
    say("*No key-driver analysis was possible (no driver ratings).*")
else:
    d = run.load("04_experience_analysis", "drivers_summary", {})
    top3 = drivers.head(3)
    say("; ".join(f"**{r['Driver']}** ({r['Share of R² %']:.0f}% of what the ratings explain, rated {r['Mean rating']:.1f})"
                  for _, r in top3.iterrows()) + f". Method: {d.get('method', 'Shapley value regression')}, "
        f"R² = {d.get('r2', float('nan')):.2f}, n = {d.get('n', 0):,}.")

# %% [markdown]
# ## The first five actions

# %%
if register is None or register.empty:
    say("*No action was generated.*")
else:
    from cxtemplate.plan.actions import impact_text

    top5 = register.head(5).copy()
    top5["Expected impact"] = top5.apply(impact_text, axis=1, currency=currency)
    show_table(top5[["rank", "action", "Expected impact", "owner", "due"]].rename(columns={
        "rank": "#", "action": "Action", "owner": "Owner", "due": "Due"}), "Top five actions by priority",
        note="Priority = impact score × confidence ÷ effort; the full register is on the Action plan page.")

# %%
m = maturity or {}
facts = []
if m.get("stage"):
    facts.append(f"CX maturity: stage {m['stage']} ({m.get('stage_name', '')}), target stage {m.get('target_stage')}")
if churn and churn.get("available"):
    facts.append(f"churn model concordance {churn.get('concordance', float('nan')):.2f} in cross-validation, "
                 f"calibration error (ICI) {churn.get('ici', float('nan')):.3f} at {churn.get('horizon_months', 12)} months")
if facts:
    say("<span class='cx-note'>" + "; ".join(facts) + ". Definitions and methods are on the detailed pages.</span>")
run.save("headline", {"cards": cards, "sentence": opening})
run.done(cards=len(cards))
