"""Notebook 05's survival sections: who leaves and when (Kaplan–Meier tables, curves and log-rank tests, by every
segment column), and the named cohorts of ``churn.cohorts`` with their own curves and Cox models.

Split from :mod:`cxtemplate.churn.page` (the rest of the page: opening, Cox model, validation, revenue, the
customers to call), whose wording helpers it uses. Intervals are stated at the analysis's confidence level
(``res.conf``); tenure is shown in the unit the data gave it in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxtemplate.churn.alt_text import km_alt
from cxtemplate.churn.km_cox import STANDARD_HORIZONS_MONTHS, survival_table
from cxtemplate.churn.page import GROUP_LABELS, TENURE_UNITS, hazard_ratio_view, level, significance, tenure_unit
from cxtemplate.churn.results import CoxResult
from cxtemplate.report.display import TableView, fmt_p
from cxtemplate.report.grammar import capitalise, plural, sentence, verb
from cxtemplate.report.labels import display_label, display_level
from cxtemplate.report.section import Section

if TYPE_CHECKING:
    from cxtemplate.churn.flow import ChurnAnalysis, Cohort
    from cxtemplate.churn.km_cox import KMResult


SURVIVAL_HEADING = "## Who leaves, and when"


def group_label(column: str, labels: dict | None = None) -> str:
    """How the page names a Kaplan–Meier grouping column: "all customers", "NPS group at last survey", "Segment"
    (the params' ``reporting.labels`` win)."""
    if column in GROUP_LABELS and not (labels and column in labels):
        return GROUP_LABELS[column]
    return display_label(column, labels)


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Segment" → "segment", "NPS group at last survey" unchanged (an initialism)."""
    return label if label[:2] == label[:2].upper() else label[:1].lower() + label[1:]


def _share_interval(s, lo, hi) -> str:
    if not np.isfinite(s):
        return "–"
    return f"{100 * s:.1f}% ({100 * lo:.1f}–{100 * hi:.1f})"


def _median_text(m, lo, hi, unit_days: float) -> str:
    if not np.isfinite(m):
        return "Not reached"
    top = "not reached" if not np.isfinite(hi) else f"{hi / unit_days:.1f}"
    return f"{m / unit_days:.1f} ({lo / unit_days:.1f}–{top})"


def km_view(km: KMResult, horizon_months: int, conf: float, label: str | None = None, unit: str = "month",
            months=STANDARD_HORIZONS_MONTHS, title: str | None = None) -> TableView:
    """The Kaplan–Meier table: customers, churns, median tenure and the share still a customer at standard
    horizons (6, 12, 24, 36, 48 and 60 months, in the data's own unit), each with its interval, and the mean
    tenure kept over the risk horizon (restricted mean survival time). Horizons beyond every group's longest
    tenure are left out."""
    unit_days, unit_name = TENURE_UNITS.get(unit, TENURE_UNITS["month"])
    table = survival_table(km, months, unit)
    summary = km.summary.set_index("group")
    label = label or group_label(km.group_col or "all")
    shown = in_sentence(label)
    groups = ["All customers" if not km.group_col else capitalise(display_level(km.group_col, g))
              for g in table["group"].astype(str)]
    frame = pd.DataFrame({"Group": groups, "Customers": table["customers"], "Left": table["churned"]})
    frame[f"Median tenure ({unit_name})"] = [_median_text(m, lo, hi, unit_days) for m, lo, hi in
                                             zip(table["median_days"], table["median_low_days"],
                                                 table["median_high_days"])]
    for stem, (name, _days) in table.attrs["horizons"].items():
        if table[stem].notna().any():
            frame[f"At {name}"] = [_share_interval(v, lo, hi) for v, lo, hi in
                                   zip(table[stem], table[f"{stem}_low"], table[f"{stem}_high"])]
    rmst = summary.loc[table["group"]]
    frame[f"Mean {unit_name} kept in the first {horizon_months} months"] = [
        f"{m / unit_days:.1f} ({lo / unit_days:.1f}–{hi / unit_days:.1f})"
        for m, lo, hi in zip(rmst["rmst_days"], rmst["rmst_low"], rmst["rmst_high"])]
    if title is None:
        title = f"Still a customer by tenure, by {shown}" if km.group_col else f"Still a customer by tenure: {shown}"
    return TableView(frame.rename(columns={"Group": label if km.group_col else "Group"}), title,
                     note=(f"The share still a customer at each tenure, the median tenure ({unit_name}) and the "
                           f"average {unit_name} kept over the first {horizon_months} months, each with its "
                           f"{level(conf)} interval."))


def logrank_sentence(km: KMResult, label: str, conf: float) -> str:
    """Whether how long customers stay differs by ``label``, in plain words, and how many pairs of groups differ
    (the test's name and statistic are in :func:`logrank_method`)."""
    pairs = km.pairwise
    name = in_sentence(label)
    if pairs.empty or "p_bh" not in pairs.columns:
        return sentence(f"by {name}, there is no pair of groups with leavers to compare")
    alpha = significance(conf)
    sig = int((pairs["p_bh"] < alpha).sum())
    overall = km.overall or {}
    pairs_text = f"{sig} of {plural(len(pairs), 'pair')} of groups {verb(sig, 'differs', 'differ')} clearly"
    if np.isfinite(overall.get("statistic", np.nan)):
        p = fmt_p(overall["p"])
        clear = overall["p"] < alpha
        return sentence(f"how long customers stay {'differs clearly' if clear else 'does not differ clearly'} by "
                        f"{name} (p {p if p.startswith('<') else '= ' + p}); {pairs_text}")
    return sentence(f"by {name}, {pairs_text}")


def logrank_method(km: KMResult, label: str, conf: float) -> str:
    """The log-rank test behind :func:`logrank_sentence`: χ², degrees of freedom, p, and the BH-adjusted pairs."""
    overall = km.overall or {}
    if not np.isfinite(overall.get("statistic", np.nan)):
        return ""
    p = fmt_p(overall["p"])
    return (f"Log-rank test by {in_sentence(label)}: χ² = {overall['statistic']:,.2f} on {overall['df']} df, "
            f"p {p if p.startswith('<') else '= ' + p}; "
            f"pairs compared with Benjamini–Hochberg-adjusted p < {significance(conf):g}.")


def km_sections(res: ChurnAnalysis) -> list[tuple[KMResult, str, TableView | None, str | None]]:
    """Each Kaplan–Meier chart of the page: (curves, chart title, table, log-rank sentence).

    The curves of all customers come first with their table and no test; nothing when there is no analysis.
    """
    out = []
    for col, km in res.km.items():
        label = group_label(col, res.labels)
        title = f"Customers still active by tenure: {label}" if col == "all" else \
            f"Customers still active by tenure, by {in_sentence(label)}"
        view = km_view(km, res.horizon_months, res.conf, label, res.tenure_unit)
        out.append((km, title, view, None if col == "all" else logrank_sentence(km, label, res.conf)))
    return out


def survival_method(res: ChurnAnalysis) -> str:
    """How the curves and tests were made (the NPS-category caveat only when those curves are drawn)."""
    text = ("Kaplan–Meier curves: the share of customers still with us after each length of tenure, with "
            f"{level(res.conf)} bands and the number still at risk below (customers whose tenure reaches a time "
            "count as at risk at it). Differences between groups are tested with log-rank tests: one test of all "
            "groups (χ², its degrees of freedom and p), and each pair of groups with p-values adjusted for the "
            "number of pairs (Benjamini–Hochberg). The restricted mean tenure is the average time a customer stays "
            "during the first horizon.")
    if "nps_category" in res.km:
        text += (" The curves by NPS group group customers by their *latest* answer and only describe "
                 "(customers never surveyed are left out: many left before a survey reached them, which would make "
                 "them look riskier than they are); the model below uses each answer from its own date.")
    return text


def km_table(res: ChurnAnalysis) -> pd.DataFrame:
    """The ``km_table`` artifact: the Kaplan–Meier table of every grouping, and of every cohort.

    Columns ``population`` (``all customers`` or the cohort's name), ``grouping`` (``all`` or the column),
    then those of :func:`~cxtemplate.churn.km_cox.survival_table` (times in days) and ``unit`` (the data's).
    """
    parts = [survival_table(km, STANDARD_HORIZONS_MONTHS, res.tenure_unit).assign(population="all customers",
                                                                                grouping=col)
             for col, km in res.km.items()]
    parts += [survival_table(c.km, STANDARD_HORIZONS_MONTHS, res.tenure_unit).assign(population=c.name,
                                                                                   grouping="all")
              for c in res.cohorts if c.km is not None]
    out = pd.concat(parts, ignore_index=True)
    out["group"] = out["group"].astype(str)
    out["unit"] = res.tenure_unit
    lead = ["population", "grouping"]
    return out[lead + [c for c in out.columns if c not in lead]]


def logrank_table(res: ChurnAnalysis) -> pd.DataFrame:
    """The ``logrank`` artifact: the overall log-rank test of each grouping (χ², df, p, groups)."""
    rows = [{"grouping": col, "groups": len(km.fitters), "statistic": float(km.overall.get("statistic", np.nan)),
             "df": int(km.overall.get("df", len(km.fitters) - 1)), "p": float(km.overall.get("p", np.nan))}
            for col, km in res.km.items() if col != "all"]
    return pd.DataFrame(rows, columns=["grouping", "groups", "statistic", "df", "p"])


def survival_section(res: ChurnAnalysis) -> Section:
    """Who leaves, and when: the curves, tables and tests of every grouping, and their artifacts.

    Empty when there is no analysis (the opening sentence has said why).
    """
    from cxtemplate.churn.plots import plot_km

    section = Section()
    if not res.available or not res.km:
        return section
    unit_days, unit_name = tenure_unit(res)
    section.say(SURVIVAL_HEADING)
    for km, title, view, said in km_sections(res):
        source = "CRM, surveys" if km.group_col == "nps_category" else "CRM"
        section.chart(plot_km, km, title=title, source=source, unit_days=unit_days, unit_name=unit_name,
                      alt=km_alt(km, title, res.horizon_months))
        section.table(view)
        if said:
            section.say(said)
    section.method(survival_method(res))
    for col, km in res.km.items():
        if col != "all" and (text := logrank_method(km, group_label(col, res.labels), res.conf)):
            section.method(text)
    section.keep("km_table", km_table(res))
    if len(res.km) > 1:
        section.keep("logrank", logrank_table(res))
    return section


# --------------------------------------------------------------------------- cohorts


def cohort_views(res: ChurnAnalysis, cohort: Cohort) -> tuple[str, list[TableView], str]:
    """One cohort on the page: its sentence, its tables (Kaplan–Meier, hazard ratios) and why it has no model."""
    said = (f"**{cohort.name}** ({cohort.description}): {cohort.customers:,} customers, {cohort.events:,} of whom "
            "left.")
    views, why = [], ""
    if cohort.km is not None:
        views.append(km_view(cohort.km, res.horizon_months, res.conf, cohort.name, res.tenure_unit))
    model = cohort.model
    if isinstance(model, CoxResult) and model.ok:
        views.append(hazard_ratio_view(res, model, title=f"Hazard ratios within {cohort.name}"))
    elif cohort.customers:
        why = f"*No Cox model for {cohort.name}: {model}*"
    return said, views, why


def cohort_hazard_ratios(res: ChurnAnalysis) -> pd.DataFrame | None:
    """The ``cohort_hazard_ratios`` artifact: each cohort's hazard ratios, with a ``cohort`` column; ``None`` when no
    cohort has a model."""
    parts = [c.model.hazard_ratios.assign(cohort=c.name) for c in res.cohorts
             if isinstance(c.model, CoxResult) and c.model.ok]
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    return out[["cohort", *[c for c in out.columns if c != "cohort"]]]


def cohorts_section(res: ChurnAnalysis) -> Section:
    """The cohorts of ``churn.cohorts``, each with its Kaplan–Meier table and Cox model (nothing when none is
    configured)."""
    section = Section()
    if not res.available or not res.cohorts:
        return section
    section.say("## Cohorts")
    section.method("Each cohort of the parameters (churn.cohorts) is analysed on its own: its Kaplan–Meier table and "
                   "a Cox model fitted on its customers only (a covariate that does not vary within the cohort drops "
                   "out).")
    for cohort in res.cohorts:
        said, views, why = cohort_views(res, cohort)
        section.say(f"### {cohort.name}")
        section.say(said)
        for view in views:
            section.table(view)
        if why:
            section.say(why)
        for note in cohort.notes:
            section.say(f"<span class='cx-note'>{note}</span>")
    if (table := cohort_hazard_ratios(res)) is not None:
        section.keep("cohort_hazard_ratios", table)
    return section
