"""The churn page's opening: three to five plain sentences a board member reads, written from the results.

How many customers there are and how many left; how many active customers are expected to leave within the
horizon, with the interval; the annual revenue they would take, with its interval; the strongest link between
customer experience and leaving, in plain words; and what turning detractors into passives would keep. No
method names: those are in the page's "How this was measured" notes. Every sentence passes
:func:`cxtemplate.report.grammar.sentence`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cxtemplate.churn.results import CoxResult
from cxtemplate.churn.scoring import Counterfactual
from cxtemplate.churn.terms import reader_hazard_ratios
from cxtemplate.report.display import fmt_money, fmt_money_range
from cxtemplate.report.grammar import plural, sentence, verb

if TYPE_CHECKING:
    from cxtemplate.churn.flow import ChurnAnalysis

CX_COVARIATES = ("nps_category", "ces", "unresolved_contacts", "negative_contacts")
"""The covariates that measure customer experience (the strongest link is looked for among them)."""

_WHO = {"detractor": "customers who were detractors at their last survey",
        "passive": "customers who were passives at their last survey",
        "none_yet": "customers not yet surveyed", "promoter": "customers who were promoters at their last survey"}
_THAN = {"promoter": "promoters", "passive": "passives", "detractor": "detractors", "none_yet": "customers not yet "
                                                                                                 "surveyed"}


def _level(conf: float) -> str:
    return f"{100 * conf:g}%"


def _times(hr: float) -> str:
    return "twice as fast as" if round(hr, 1) == 2.0 else f"{hr:.1f} times as fast as"


def cx_link_sentence(res: ChurnAnalysis) -> str:
    """The strongest link between customer experience and leaving, in plain words ("" without a CX covariate).

    Among the model's customer-experience terms, the one with the largest effect (per level, or per one more
    contact) whose interval excludes 1; when none does, says that no such link is clear.
    """
    model = res.model
    if not isinstance(model, CoxResult) or not model.ok:
        return ""
    t = reader_hazard_ratios(model, res.labels)
    t = t[t["covariate"].isin(CX_COVARIATES)]
    if t.empty:
        return ""
    clear = t[(t["hr_low"] > 1) | (t["hr_high"] < 1)]
    if clear.empty:
        return sentence("none of the customer-experience measures in the model is clearly linked to leaving in this "
                        "data")
    row = clear.loc[np.abs(np.log(clear["hr"])).idxmax()]
    interval = f"{_level(res.conf)} interval {row['hr_low']:.1f} to {row['hr_high']:.1f}"
    if row["per"] == "unit":
        change = row["hr"] - 1
        what = "raises" if change > 0 else "lowers"
        return sentence(f"the clearest link with customer experience: {row['label'][:1].lower()}{row['label'][1:]} "
                        f"{what} the rate of leaving by {abs(change):.0%} ({interval})")
    if row["covariate"] == "nps_category":
        who, than = _WHO.get(row["level"], f"customers at {row['level']}"), _THAN.get(row["reference"],
                                                                                     row["reference"])
        if row["hr"] >= 1:
            return sentence(f"the clearest link with customer experience: {who} leave {_times(row['hr'])} {than}, "
                            f"all else being equal ({interval})")
        return sentence(f"the clearest link with customer experience: {who} leave at {row['hr']:.1f} times the rate "
                        f"of {than}, all else being equal ({interval})")
    return sentence(f"the clearest link with customer experience: {row['label']} (hazard {row['hr']:.1f} times, "
                    f"{interval})")


def headline_sentences(res: ChurnAnalysis, currency: str | None) -> list[str]:
    """The page's opening sentences (three to five), from the results; empty when there is no analysis."""
    if not res.available:
        return []
    s = res.summary(currency)
    out = [sentence(f"of {plural(s['customers'], 'customer')} in the data, {s['events']:,} "
                    f"{verb(s['events'], 'has', 'have')} left and {s['active']:,} "
                    f"{verb(s['active'], 'is', 'are')} still customers")]
    if "expected_churners" not in s:
        return out
    low, high = s.get("expected_churners_low"), s.get("expected_churners_high")
    interval = (f" ({_level(s['interval_conf'])} interval {low:,.0f} to {high:,.0f})" if low is not None else "")
    n = round(s["expected_churners"])
    out.append(sentence(f"about **{s['expected_churners']:,.0f} of the active customers {verb(n, 'is', 'are')} "
                        "expected to leave** "
                        f"within the next {plural(res.horizon_months, 'month')}{interval}"))
    if s.get("annual_revenue"):
        share = 100 * s["revenue_at_risk"] / s["annual_revenue"]
        band = (f" ({_level(s['interval_conf'])} interval "
                f"{fmt_money_range(s['revenue_at_risk_low'], s['revenue_at_risk_high'], currency)})"
                if "revenue_at_risk_low" in s else "")
        out.append(sentence(f"they would take **{fmt_money(s['revenue_at_risk'], currency)} of annual revenue** with "
                            f"them, {share:.1f}% of what the active customers bring in{band}"))
    if link := cx_link_sentence(res):
        out.append(link)
    cf = res.counterfactual
    if isinstance(cf, Counterfactual) and cf.customers_affected > 0:
        out.append(sentence(
            f"if today's {plural(cf.customers_affected, cf.from_level)} felt like {cf.to_level}s, about "
            f"{cf.churners_avoided:,.0f} fewer customers would leave, keeping {fmt_money(cf.revenue_retained, currency)} "
            f"of annual revenue ({_level(cf.conf)} interval {fmt_money_range(cf.revenue_low, cf.revenue_high, currency)})"))
    return out
