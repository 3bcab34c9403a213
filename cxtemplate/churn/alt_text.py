"""The alt text of each chart of the churn page: its title and one sentence reading it, written from the results.

For a reader who cannot see the chart (and for the browser test, which refuses the default text): the survival
curves at the horizon, the hazard ratios that stand out, the calibration gap, where the revenue at risk sits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxtemplate.report.display import fmt_money, fmt_money_range
from cxtemplate.report.grammar import capitalise, join_list, plural

if TYPE_CHECKING:
    from cxtemplate.churn.km_cox import KMResult
    from cxtemplate.churn.validation import Validation


def _alt(title: str, reading: str) -> str:
    reading = capitalise(reading.strip())
    return f"{title}: {reading}" if reading.endswith(".") else f"{title}: {reading}."


def km_alt(km: KMResult, title: str, horizon_months: int) -> str:
    """The survival curves: the share still a customer at the horizon, for all customers or each group (highest
    and lowest)."""
    shares = {}
    for g, f in km.fitters.items():
        sf = f.survival_function_
        if len(sf):  # a step function: its value at the last time on or before the horizon
            i = int(np.searchsorted(sf.index.to_numpy(float), km.horizon_days, side="right")) - 1
            shares[str(g)] = float(sf.iloc[i, 0]) if i >= 0 else 1.0
    if not shares:
        return _alt(title, "no customer to draw")
    when = f"after {plural(horizon_months, 'month')}"
    if len(shares) == 1:
        return _alt(title, f"{when}, {next(iter(shares.values())):.0%} of customers are still customers")
    hi = max(shares, key=shares.get)
    lo = min(shares, key=shares.get)
    return _alt(title, f"{when}, the share still a customer ranges from {shares[lo]:.0%} ({lo}) to "
                       f"{shares[hi]:.0%} ({hi})")


def forest_alt(table: pd.DataFrame, title: str) -> str:
    """The hazard ratios: the terms that clearly raise and lower the rate of leaving (interval excluding 1)."""
    up = table[table["hr_low"] > 1].sort_values("hr", ascending=False)
    down = table[table["hr_high"] < 1].sort_values("hr")
    parts = []
    if len(up):
        parts.append("leaving faster: " + join_list(f"{r.label} ({r.hr:.2f})" for r in up.head(3).itertuples()))
    if len(down):
        parts.append("leaving slower: " + join_list(f"{r.label} ({r.hr:.2f})" for r in down.head(3).itertuples()))
    if not parts:
        return _alt(title, "no characteristic clearly changes the rate of leaving")
    return _alt(title, "; ".join(parts))


def calibration_alt(validation: Validation, title: str) -> str:
    """The calibration curves: how far predicted chances of leaving are from what happened, model and baseline."""
    tab = validation.table
    names = ["the model", "the baseline"]
    parts = [f"{names[i] if i < 2 else r['model']} ({r['model']}) is on average {100 * r['ici']:.1f} percentage "
             "points from what happened" for i, (_, r) in enumerate(tab.iterrows()) if np.isfinite(r["ici"])]
    return _alt(title, join_list(parts) or "no curve to draw")


def revenue_alt(by_group: pd.DataFrame, dimension: str, title: str, currency: str | None, label: str) -> str:
    """The revenue-at-risk bars of one dimension: the group with the most, with its interval, and the least."""
    t = by_group[by_group["dimension"] == dimension].sort_values("revenue_at_risk", ascending=False)
    if t.empty:
        return _alt(title, "no group to draw")
    top = t.iloc[0]
    band = (f" ({fmt_money_range(top['revenue_at_risk_low'], top['revenue_at_risk_high'], currency)})"
            if "revenue_at_risk_low" in t.columns else "")
    text = f"{top['group']} carries the most, {fmt_money(top['revenue_at_risk'], currency)}{band}"
    if len(t) > 1:
        last = t.iloc[-1]
        text += f"; {last['group']} the least, {fmt_money(last['revenue_at_risk'], currency)}"
    return _alt(title, f"by {label.lower()}, {text}")


def matrix_alt(matrix: pd.DataFrame, title: str, currency: str | None) -> str:
    """The risk × value matrix: the cell with the most revenue at risk, and how many customers are in it."""
    if matrix.empty or not matrix["revenue_at_risk"].gt(0).any():
        return _alt(title, "no revenue at risk to place")
    cell = matrix.loc[matrix["revenue_at_risk"].idxmax()]
    share = cell["revenue_at_risk"] / matrix["revenue_at_risk"].sum()
    return _alt(title, f"the most revenue at risk, {fmt_money(cell['revenue_at_risk'], currency)} ({share:.0%} of "
                       f"the total), sits with the {plural(cell['customers'], 'customer')} of {cell['value_band']} "
                       f"value and a {cell['risk_band']} risk of leaving")
