# ---
# jupyter:
#   cxtemplate:
#     order: 0
#     pdf: true
#     role: executive
#     summary: One page for the board - the headline numbers with their targets and
#       trends, maturity, what drives the scores, revenue at risk and the first five
#       actions.
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
from cxtemplate.data import quality as dq
from cxtemplate.plan import summary as sm
from cxtemplate.report.display import say, show_html
from cxtemplate.run.session import open_run

run = open_run(params_path, run_dir, notebook="07_executive_summary")
run.require("01_maturity", "04_experience_analysis", "05_churn_survival", "06_action_plan")

# %%
cfg = run.cfg
currency = cfg.organisation.currency
headline = run.load("04_experience_analysis", "headline", None)
maturity = run.load("01_maturity", "summary", None)
churn = run.load("05_churn_survival", "summary", None)
drivers = run.load("04_experience_analysis", "drivers", None)
register = run.load("06_action_plan", "register", None)
objectives = run.load("02_objectives", "objectives", None)
tables = {key: run.load("04_experience_analysis", f"trend_{key}", None) for key in run.specs}
cards = sm.headline_cards(headline, maturity, churn, currency, tables=tables, specs=run.specs, objectives=objectives,
                          window_periods=cfg.reporting.windows.cards, freq=run.freq, conf=run.conf)
opening = sm.opening_sentences(cfg.organisation.name, cards, objectives, drivers, churn, register, currency,
                               rating_scale=cfg.metrics.drivers.scale, freq=run.freq, conf=run.conf)
for text in opening:
    say(text)
say(dq.join_warning(run.load("00_data_integration", "quality", default=None)))
show_html(sm.cards_html(cards))
sm.cards_method_section(cards, run.conf, sm.methods_note(maturity, churn, currency)).show()

# %% [markdown]
# ## What drives the scores

# %%
sm.drivers_section(drivers, run.load("04_experience_analysis", "drivers_summary", {}),
                   survey=run.table_columns("responses") is not None, rating_scale=cfg.metrics.drivers.scale).show()

# %% [markdown]
# ## The first five actions

# %%
sm.first_actions_section(register, currency).show()

# %%
run.save("headline", {"cards": cards, "sentences": opening, "sentence": " ".join(opening)})
run.done(cards=len(cards))
