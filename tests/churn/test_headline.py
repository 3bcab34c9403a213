"""The churn page's opening sentences.

Truth: a whole analysis of a simulated organisation whose planted hazard ratios make detractors the clearest
customer-experience link (2.0 against promoters, the largest planted); its own summary numbers, which the sentences
must repeat with their intervals; and hand-made tables whose every reading is worked out here.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cxtemplate.churn.headline import cx_link_sentence, headline_sentences
from cxtemplate.report.display import fmt_money

METHOD_WORDS = ("Cox", "Efron", "Kaplan", "lifelines", "concordance", "ICI", "log-rank", "bootstrap", "Breslow",
                "hazard ratio", "Poisson")


@pytest.mark.parametrize("conf, said", [(0.95, "95%"), (0.90, "90%")])
def test_three_to_five_plain_sentences_from_the_results(analysed, conf, said):
    res = analysed[conf]
    out = headline_sentences(res, "GBP")
    s = res.summary("GBP")
    assert 3 <= len(out) <= 5
    assert all(re.match(r"^\**[A-Z]", x) and x.endswith(".") for x in out)
    assert not [w for w in METHOD_WORDS for x in out if w.lower() in x.lower()]
    assert out[0] == f"Of 1,200 customers in the data, {s['events']:,} have left and {s['active']:,} are still customers."
    assert f"{s['expected_churners']:,.0f} of the active customers are expected to leave" in out[1]
    assert f"({said} interval {s['expected_churners_low']:,.0f} to {s['expected_churners_high']:,.0f})" in out[1]
    assert fmt_money(s["revenue_at_risk"], "GBP") in out[2]
    assert (f"({said} interval {fmt_money(s['revenue_at_risk_low'], 'GBP')} to "
            f"{fmt_money(s['revenue_at_risk_high'], 'GBP')})") in out[2]
    # the planted strongest link: detractors (HR 2.0) against promoters
    assert out[3].startswith("The clearest link with customer experience: customers who were detractors at their "
                             "last survey leave ")
    assert out[3].count(f"({said} interval ") == 1 and "promoters" in out[3]
    assert out[4].startswith(f"If today's {res.counterfactual.customers_affected:,} detractors felt like passives")
    assert headline_sentences(type(res)(False, "x"), "GBP") == []


def test_the_cx_link_in_words_for_a_count_and_when_nothing_is_clear(analysed):
    res = analysed[0.95]
    model = res.model
    t = model.hazard_ratios.copy()

    def with_table(rows):
        m = model.__class__(**{**model.__dict__, "hazard_ratios": rows})
        return type(res)(True, model=m, conf=0.95)

    count = t[t["covariate"] == "unresolved_contacts"].assign(coef=0.0, se=0.0)
    # per-unit table (unstandardised design): HR 1.30 (1.10–1.54) per contact → "raises … by 30%"
    m = model.__class__(**{**model.__dict__, "hazard_ratios": count.assign(hr=1.3, hr_low=1.1, hr_high=1.54)})
    m.design = model.design.__class__(**{**model.design.__dict__, "standardise": False})
    assert cx_link_sentence(type(res)(True, model=m, conf=0.95)) == (
        "The clearest link with customer experience: each extra unresolved contact in the last 90 days raises the "
        "rate of leaving by 30% (95% interval 1.1 to 1.5).")
    unclear = t[t["covariate"] == "nps_category"].assign(hr_low=0.9, hr_high=1.2)
    assert cx_link_sentence(with_table(unclear)) == (
        "None of the customer-experience measures in the model is clearly linked to leaving in this data.")
    assert cx_link_sentence(with_table(t[t["covariate"] == "plan"])) == ""     # no CX covariate: nothing said
