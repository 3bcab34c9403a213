"""The Cox model's terms as a reader sees them: human labels, and hazard ratios per natural unit.

A categorical term reads "NPS group at last survey: not yet surveyed vs promoter" (not
"nps_category: none_yet vs promoter"); a count of contacts reads "Each extra unresolved contact in the last 90
days", its hazard ratio converted from per standard deviation (as the model is fitted) to per contact:
HR per unit = exp(β_SD / SD), interval exp((β_SD ∓ z·se_SD) / SD). Any other number keeps its per-standard-
deviation ratio and says how large one standard deviation is ("Age, per standard deviation (11.2)").
Labels come from :func:`cxtemplate.report.labels.display_label` with the params' ``reporting.labels``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cxtemplate.churn.results import CoxResult
from cxtemplate.report.display import fmt_amount
from cxtemplate.report.labels import display_label, display_level

COUNTS = {"unresolved_contacts": "Each extra unresolved contact in the last 90 days",
          "negative_contacts": "Each extra contact that ended badly in the last 90 days"}
"""Covariates that count something: their hazard ratio is shown per one more, with this label."""


def term_label(model: CoxResult, term: str, labels: Mapping[str, str] | None = None) -> str:
    """The reader's label of one model term.

    Parameters
    ----------
    model : CoxResult
    term : str
        A design column (``plan[Basic]``, ``unresolved_contacts``).
    labels : mapping, optional
        The params' display labels (``cfg.display_labels``).

    Returns
    -------
    str
        ``"Plan: Basic vs Standard"``, ``"NPS group at last survey: not yet surveyed vs promoter"``,
        ``"Each extra unresolved contact in the last 90 days"``, ``"Age, per standard deviation (11.2)"``.
    """
    d = model.design
    cov, level = d.term(term)
    same = d.aliases.get(term)
    tail = f" (with {len(same)} identical column{'s' if len(same) > 1 else ''})" if same else ""
    if level is not None:
        ref = d.categorical[cov][1]
        return (f"{display_label(cov, labels)}: {display_level(cov, level, labels)} vs "
                f"{display_level(cov, ref, labels)}{tail}")
    if cov in COUNTS:
        own = display_label(cov, labels)
        if own.strip().lower() == display_label(cov).strip().lower():  # the built-in words: say it per contact
            return COUNTS[cov] + tail
        return f"{own}, per one more{tail}"
    if d.standardise:
        return f"{display_label(cov, labels)}, per standard deviation ({fmt_amount(d.scale.get(cov, 1.0))}){tail}"
    return f"{display_label(cov, labels)}, per unit{tail}"


def reader_hazard_ratios(model: CoxResult, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The hazard-ratio table for the page and the forest plot: human labels; counts per one more.

    Returns
    -------
    DataFrame
        The columns of ``model.hazard_ratios`` with ``label`` replaced by the reader's label, ``hr``, ``hr_low``
        and ``hr_high`` per natural unit for counts (``coef`` and ``se`` too), and ``per``: ``"unit"``,
        ``"standard deviation"`` or ``"level"``.
    """
    t = model.hazard_ratios.copy()
    d = model.design
    t["label"] = [term_label(model, term, labels) for term in t["term"]]
    t["per"] = "level"
    for i, row in t.iterrows():
        if row["level"] is not None and not (isinstance(row["level"], float) and np.isnan(row["level"])):
            continue
        cov = row["covariate"]
        if cov in COUNTS and d.standardise:
            s = float(d.scale.get(cov, 1.0)) or 1.0
            lo, hi = np.log(row["hr_low"]), np.log(row["hr_high"])
            t.loc[i, ["coef", "se"]] = [row["coef"] / s, row["se"] / s]
            t.loc[i, ["hr", "hr_low", "hr_high"]] = [np.exp(row["coef"] / s), np.exp(lo / s), np.exp(hi / s)]
            t.loc[i, "per"] = "unit"
        else:
            t.loc[i, "per"] = "standard deviation" if d.standardise else "unit"
    return t


def term_labels(model: CoxResult, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Model term → the reader's label (for tables keyed by term, e.g. the early/late split)."""
    return {term: term_label(model, term, labels) for term in model.params.index}
