"""The action register: findings → owned, prioritised, dated actions.

Every finding from :mod:`cxtemplate.plan.findings` is matched to the params' action catalogue
through the catalogue's ``addresses`` keys; a finding no catalogue action addresses gets a
generated action, so nothing found is left without an owner. Each action carries the finding it
answers, the expected impact (in the unit the analysis supports), a confidence, an effort, a
priority score, an owner from the governance section and a due date counted from the analysis
date (so the same inputs give the same plan).

Priority = impact score × confidence weight ÷ effort weight, where the impact score is the
impact relative to a reference size for its unit (5 NPS points, 5 percentage points, 2% of annual
revenue, one maturity level), capped at 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxtemplate.data.spreadsheet import write_xlsx
from cxtemplate.plan.findings import Finding, count_sentence
from cxtemplate.report.display import TableView, currency_note, fmt_money, labelled
from cxtemplate.report.section import Section

EFFORT_DAYS = {"low": 30, "medium": 90, "high": 180}
EFFORT_WEIGHT = {"low": 1.0, "medium": 1.6, "high": 2.5}
CONFIDENCE_WEIGHT = {"high": 1.0, "medium": 0.7, "low": 0.4}
GENERATED = {
    "driver": ("Raise '{subject}' ratings: map where it fails in the journey and fix the top causes", "medium"),
    "topic": ("Remove the cause behind {subject}: review detractor comments and fix at source", "medium"),
    "location_drop": ("Recovery review at {subject}: root cause, fix plan, weekly check-in", "medium"),
    "segment_gap": ("Close the experience gap for {subject}", "medium"),
    "objective": ("Re-plan '{subject}': actions that close the gap, or a target the evidence supports", "low"),
    "churn_risk": ("Retention outreach to high-value {subject} at highest risk", "low"),
    "churn_risk_no_revenue": ("Retention outreach to {subject} at highest risk", "low"),
    "agent_coaching": ("Coach {subject} on the driver where each falls furthest behind the team", "low"),
    "kpi": ("Manage {subject} as a CX lever with a target and a weekly review", "medium"),
    "maturity": ("Adopt the next practices in {subject}", "medium"),
}


@dataclass(frozen=True)
class ImpactReference:
    """Reference sizes that make impacts in different units comparable (an impact score of 1)."""

    nps_points: float = 5.0
    percentage_points: float = 5.0
    revenue_share: float = 0.02
    maturity_levels: float = 1.0
    scale_points: float = 0.3
    customers_leaving: float = 100.0


def impact_score(impact: float | None, unit: str, annual_revenue: float | None, ref: ImpactReference) -> float:
    """Impact relative to its unit's reference size, capped at 1 (0 when unknown)."""
    if impact is None or pd.isna(impact):
        return 0.0
    u = unit.lower()
    if "maturity" in u:
        size = ref.maturity_levels
    elif "expected to leave" in u:
        size = ref.customers_leaving
    elif "a year" in u or "revenue" in u:
        size = ref.revenue_share * annual_revenue if annual_revenue else abs(impact)
    elif "nps" in u:
        size = ref.nps_points
    elif "percentage" in u or "csat" in u:
        size = ref.percentage_points
    else:
        size = ref.scale_points
    return float(min(1.0, abs(impact) / size)) if size else 0.0


def matches(finding: Finding, addresses: list[str]) -> bool:
    """Whether a catalogue action's ``addresses`` cover a finding.

    ``driver:<column>``, ``kpi:<name>`` and ``maturity:<dimension>`` match exactly;
    ``topic:<word>`` matches a harmful topic whose words contain ``<word>``; a bare key
    (``location_drop``, ``segment_gap``, ``churn_risk``, ``agent_coaching``,
    ``objective_off_track``, ``topic``) matches every finding of that kind.
    """
    for a in addresses:
        a = a.strip()
        if a == finding.key:
            return True
        if a.startswith("topic:") and finding.kind == "topic":
            word = a.split(":", 1)[1].lower()
            if any(word in t.lower() for t in finding.terms) or word in finding.subject.lower():
                return True
        if ":" not in a and a in (finding.kind, finding.key):
            return True
    return False


def build_register(findings: list[Finding], catalogue, governance, *, as_of, annual_revenue: float | None = None,
                   reference: ImpactReference = ImpactReference()) -> pd.DataFrame:
    """Match findings to the catalogue and rank the resulting actions.

    Parameters
    ----------
    findings : list of Finding
    catalogue : list of CatalogueAction-like
        ``id``, ``title``, ``addresses``, ``effort``, ``owner``, ``lead_time_days``.
    governance : Governance-like
        ``owners`` (role → ``name``, ``title``) and ``default_owner``.
    as_of : date-like or None
        Due dates count from here; ``None`` (tenure-based data, no calendar dates) counts them from the day of the
        run, so that plan is dated by when it was made.
    annual_revenue : float, optional
        Total annual revenue, to size revenue impacts.

    Returns
    -------
    DataFrame
        One row per action, highest priority first.
    """
    start = pd.Timestamp(as_of).date() if as_of is not None else dt.date.today()
    default_owner = governance.default_owner or next(iter(governance.owners), "")
    rows: dict[str, dict] = {}
    for f in findings:
        score = impact_score(f.impact, f.impact_unit, annual_revenue, reference)
        hits = [a for a in catalogue if matches(f, list(a.addresses))]
        if not hits:
            kind = "churn_risk_no_revenue" if f.kind == "churn_risk" and "a year" not in f.impact_unit else f.kind
            title, effort = GENERATED.get(kind, ("Act on: {subject}", "medium"))
            action_id = f"gen-{f.kind}-{len([k for k in rows if k.startswith('gen-' + f.kind)]) + 1}"
            hits = [type("Generated", (), {"id": action_id, "title": title.format(subject=f.subject), "effort": effort,
                                           "owner": default_owner, "lead_time_days": EFFORT_DAYS[effort],
                                           "generated": True})()]
        for a in hits:
            rid = a.id if f.scope == "organisation" else f"{a.id}|{f.scope}"
            row = rows.get(rid)
            priority = score * CONFIDENCE_WEIGHT.get(f.confidence, 0.4) / EFFORT_WEIGHT.get(a.effort, 1.6)
            if row is None or priority > row["priority"]:
                owner_role = a.owner
                owner = governance.owners.get(owner_role)
                keep = row["findings"] if row else []
                rows[rid] = {
                    "action_id": a.id, "action": a.title, "finding": f.finding, "finding_key": f.key,
                    "impact": f.impact, "impact_unit": f.impact_unit, "impact_rule": f.impact_rule,
                    "confidence": f.confidence, "effort": a.effort, "priority": round(priority, 4),
                    "owner_role": owner_role,
                    "owner": f"{owner.name} ({owner.title})" if owner is not None and owner.title else
                             (owner.name if owner is not None else owner_role),
                    "due": str(start + dt.timedelta(days=int(a.lead_time_days))), "scope": f.scope,
                    "source": f.source, "origin": "generated" if getattr(a, "generated", False) else "catalogue",
                    "findings": keep + [f.key]}
            else:
                row["findings"].append(f.key)
    if not rows:
        return pd.DataFrame(columns=["rank", "action_id", "action", "finding", "impact", "impact_unit", "confidence",
                                     "effort", "priority", "owner", "due"])
    reg = pd.DataFrame(rows.values())
    reg["findings"] = reg["findings"].map(lambda ks: "; ".join(dict.fromkeys(ks)))
    reg = reg.sort_values(["priority", "action_id"], ascending=[False, True], ignore_index=True)
    reg.insert(0, "rank", range(1, len(reg) + 1))
    reg["status"] = "proposed"
    return reg


def impact_text(row: pd.Series, currency: str = "GBP") -> str:
    """An impact as a reader sees it: '+8.0 NPS points', '£412,000 a year at risk'."""
    v, unit = row.get("impact"), str(row.get("impact_unit", ""))
    if v is None or pd.isna(v):
        return "not quantified"
    if "a year" in unit:
        return f"{fmt_money(v, currency)} a year at risk"
    if "expected to leave" in unit:
        return f"{v:,.0f} {unit}"
    if "maturity" in unit:
        return f"{v:.2f} levels to close"
    if "needed" in unit:
        return f"{v:+.1f} {unit}"
    return f"+{abs(v):.1f} {unit}"


def with_impact_text(register: pd.DataFrame, currency: str = "GBP") -> pd.DataFrame:
    """The register with an ``expected impact`` column (:func:`impact_text` of each row) added at the end.

    An empty register is returned unchanged.
    """
    if register.empty:
        return register
    return register.assign(**{"expected impact": register.apply(impact_text, axis=1, currency=currency)})


def register_sentence(register: pd.DataFrame) -> str:
    """How many actions, from the catalogue and generated, and the first one with its owner and due date."""
    first = register.iloc[0]
    actions = "1 action" if len(register) == 1 else f"{len(register)} actions"
    return (f"**{actions}**, {int((register['origin'] == 'catalogue').sum())} from the catalogue and "
            f"{int((register['origin'] == 'generated').sum())} generated for findings the catalogue does not cover. "
            f"The top priority is **{first['action']}** (owner: {first['owner']}, due {first['due']}).")


TOP_ACTION_LABELS = {"rank": "#", "action": "Action", "finding": "Finding it answers", "expected impact": "Expected impact",
                     "confidence": "Confidence", "effort": "Effort", "owner": "Owner", "due": "Due"}


def top_actions_view(register: pd.DataFrame, n: int = 10) -> TableView:
    """The first ``n`` actions of a register with :func:`with_impact_text`, for the action plan page."""
    return TableView(labelled(register.head(n), TOP_ACTION_LABELS), "Top actions by priority", max_rows=n,
                     note=f"The full register ({len(register)} action{'' if len(register) == 1 else 's'}, with the impact rules and every finding) is in "
                          "action_plan.xlsx and action_register.csv in this run's artifacts.")


def owners_view(register: pd.DataFrame) -> TableView:
    """Actions per owner with the first due date, owners in alphabetical order."""
    by_owner = register.groupby("owner").agg(actions=("action_id", "size"), first_due=("due", "min")).reset_index()
    return TableView(labelled(by_owner, {"owner": "Owner", "actions": "Actions", "first_due": "First due"}),
                     "Actions per owner")


def workbook_sheets(register: pd.DataFrame, findings: pd.DataFrame, queue: pd.DataFrame | None = None,
                    at_risk: pd.DataFrame | None = None, alerts: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of ``action_plan.xlsx`` in order: the register (without ``origin``), the findings, and the
    callback queue, retention list and alerts when there are any.

    Parameters
    ----------
    register, findings : DataFrame
        The action register and the findings table.
    queue, at_risk : DataFrame, optional
        The redacted callback queue and the retention list; left out when ``None`` or empty.
    alerts : DataFrame, optional
        Every evaluated alert check; left out when ``None`` (no rules, or no responses).
    """
    sheets = {"Register": register.drop(columns=["origin"], errors="ignore"), "Findings": findings}
    if queue is not None and not queue.empty:
        sheets["Callback queue"] = queue
    if at_risk is not None and not at_risk.empty:
        sheets["Retention list"] = at_risk
    if alerts is not None:
        sheets["Alerts"] = alerts
    return sheets


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write several tables to one XLSX workbook with bold headers, widths and frozen header rows.

    Every text cell is neutralised against formula injection (:func:`cxtemplate.data.spreadsheet.write_xlsx`).
    """
    return write_xlsx(path, sheets)


# --------------------------------------------------------------------------- the page's sections

FINDING_SOURCES = (("drivers to concentrate on", "responses", ("driver",)),
                   ("comment topics that hurt", "responses", ("topic",)),
                   ("locations and segments that fell\nbehind", "responses", ("location_drop", "segment_gap")),
                   ("objectives off track", "responses", ("objective",)),
                   ("customers at risk", "customers", ("churn_risk",)),
                   ("agents to coach", "responses", ("agent_coaching",)),
                   ("operational levers", "operations", ("kpi",)), ("maturity\ngaps", "maturity_answers", ("maturity",)))
"""What the earlier pages find that the plan turns into actions, the input each needs and the kinds of finding it
gives (the line breaks are those of the page's text when every input is there)."""

REFERENCE_SIZES = (("5 NPS points", "nps"), ("5 percentage\npoints", "responses"), ("2% of annual revenue", "revenue"),
                   ("100 customers expected to leave", "churn_no_revenue"), ("one maturity level", "maturity_answers"))
"""The reference size of each unit of impact, and the input whose findings are stated in it."""


def intro_text(inputs, *, dated: bool = True, kinds=None) -> str:
    """What the action plan does and how it ranks, naming only the findings and units the inputs allow.

    Parameters
    ----------
    inputs : collection of str
        The inputs the organisation supplied (:data:`cxtemplate.report.absent.INPUTS`: ``responses``,
        ``customers``, ``revenue``, ``nps``, ``operations``, ``maturity_answers`` …).
    dated : bool
        Whether there is an analysis date (due dates count from it; else from the day of the run).
    kinds : collection of str, optional
        The kinds of the findings there are (:class:`~cxtemplate.plan.findings.Finding` ``kind``): given, the page
        names only what was found (a survey without comments or agents names no topics and no coaching).
    """
    inputs = set(inputs)
    if "customers" in inputs and "revenue" not in inputs:
        inputs.add("churn_no_revenue")
    found = [w for w, need, gives in FINDING_SOURCES if need in inputs and (need != "operations" or "responses" in inputs)
             and (kinds is None or set(gives) & set(kinds))]
    units = [w for w, need in REFERENCE_SIZES if need in inputs]
    gathers = f" ({', '.join(found)})" if found else ""
    reference = f" ({', '.join(units)})" if units else ""
    due = ("Due dates count from\nthe analysis date, so the same data always gives the same plan." if dated else
           "Due dates count from\nthe day of the run: the data carry no calendar dates.")
    return f"""A CX programme is judged by what changes afterwards. This page gathers what the earlier pages
found{gathers}, quantifies each finding where the analysis allows, and turns it into an action with an
owner and a due date. Actions come from the consultant's catalogue in the parameters; a finding
the catalogue does not cover gets a generated action, so nothing found is left unowned.

**How actions are ranked:** priority = impact score × confidence ÷ effort. The impact score
compares the expected impact with a reference size for its unit{reference}, capped at 1; confidence is high, medium or
low from the strength of the evidence; effort comes from the catalogue. {due}"""


def opening_section(findings_table: pd.DataFrame, inputs, *, dated: bool = True, warning: str = "",
                    currency: str | None = "GBP") -> Section:
    """What the page does (:func:`intro_text`), how many findings call for action, and a weak join's warning.

    With revenue but no currency set, a note that amounts are plain (:func:`~cxtemplate.report.display.currency_note`).
    """
    section = Section()
    kinds = set(findings_table["kind"]) if "kind" in findings_table.columns else set()
    section.method(intro_text(inputs, dated=dated, kinds=kinds))
    section.say(count_sentence(findings_table))
    section.say(warning)
    if "revenue" in set(inputs) and (note := currency_note(currency)):
        section.say(note)
    return section


def register_section(register: pd.DataFrame, currency: str | None = "GBP") -> Section:
    """The top actions and the actions per owner; one sentence when no action was generated.

    The section's ``register`` artifact is the register with the expected impact as text.
    """
    section = Section()
    if register.empty:
        section.absent("No action was generated", "there is nothing to assign")
        section.keep("register", register)
        return section
    register = with_impact_text(register, currency)
    section.say(register_sentence(register))
    section.table(top_actions_view(register))
    section.table(owners_view(register))
    section.keep("register", register)
    return section


def files_text(sheets: dict[str, pd.DataFrame]) -> str:
    """What the files for owners hold: the workbook's sheets (:func:`workbook_sheets`) and the register's CSV."""
    held = [w for w, sheet in (("the register", "Register"), ("the redacted callback queue", "Callback queue"),
                               ("the retention list", "Retention list"), ("the\nalerts", "Alerts")) if sheet in sheets]
    return (f"`action_plan.xlsx` holds {', '.join(held)} and the findings, one sheet each; "
            "`action_register.csv` is the register for trackers.")
