"""The action register: findings → one owned, dated action per remedy, ranked by the value it may save.

Every finding from :mod:`cxtemplate.plan.findings` is matched to the params' action catalogue through the
catalogue's ``addresses`` keys, and only to actions of its own kind: an address names a kind of finding
(``driver:``, ``topic:``, ``segment_gap:``, ``location_drop:``, ``objective_off_track:`` …), optionally narrowed to
one of them (``segment_gap:journey_stage=Onboarding``, ``topic:bill``); a finding goes to the actions whose
addresses name it most precisely (an exact or narrowed address beats a bare kind). A finding no catalogue action
addresses gets a generated action, so nothing found is left without an owner. Each action appears once, listing
every finding it answers (``findings``, ``finding_keys``).

Each action carries its expected impact in one unit for ranking (:mod:`cxtemplate.plan.impact`): the annual value it
may save, with its interval, where churn scores and revenue allow; otherwise the NPS points it may add, with their
interval; the native unit of its main finding beside it, and the value at risk of the customers it serves, under its
own name. Actions are ranked by that value (then by NPS points, then by the priority score below, for the actions
neither values), and get a due date counted from the run date, so no due date lies in the past.

Priority score (kept for actions with no value and no NPS points) = impact score × confidence weight ÷ effort
weight, where the impact score is the impact relative to a reference size for its unit (5 NPS points, 5 percentage
points, 2% of annual revenue, one maturity level), capped at 1.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxtemplate.data.spreadsheet import write_xlsx
from cxtemplate.plan.findings import Finding, count_sentence
from cxtemplate.plan.impact import ValueModel, action_impact
from cxtemplate.report.display import TableView, currency_note, fmt_money, fmt_money_range, labelled
from cxtemplate.report.grammar import join_list, noun, plural, sentence, verb
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
    "churn_risk": ("Retention outreach to the high-value {subject} most likely to leave", "low"),
    "churn_risk_no_revenue": ("Retention outreach to the {subject} most likely to leave", "low"),
    "agent_coaching": ("Coach {subject} on the driver where each falls furthest behind the team", "low"),
    "kpi": ("Manage {subject} as a CX lever with a target and a weekly review", "medium"),
    "maturity": ("Adopt the next practices in {subject}", "medium"),
}
SEPARATOR = " | "
"""Joins the findings (and their keys) one action answers in the register's ``findings`` and ``finding_keys``."""

REGISTER_COLUMNS = ["rank", "action_id", "action", "findings", "finding_keys", "impact_value", "impact_low",
                    "impact_high", "impact_points", "points_low", "points_high", "value_at_risk", "value_at_risk_low",
                    "value_at_risk_high", "finding",
                    "finding_key", "impact", "impact_unit", "impact_rule", "confidence", "effort", "priority",
                    "owner_role", "owner", "due", "scope", "source", "origin", "status"]


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


def _base(key: str) -> tuple[str, str]:
    base, _, spec = str(key).strip().partition(":")
    return base.strip(), spec.strip()


def match_strength(finding: Finding, address: str) -> int:
    """How precisely one catalogue address names a finding: 2 exactly (or narrowed to it), 1 by its bare kind, 0 not.

    ``driver:<column>``, ``kpi:<name>``, ``maturity:<dimension>`` and ``objective_off_track:<id>`` match exactly;
    ``topic:<word>`` matches a harmful topic whose words contain ``<word>``; ``segment_gap:``, ``location_drop:`` and
    ``churn_risk:`` narrowed by ``<column>=<level>``, ``<level>`` or ``<column>`` match the findings of that group;
    a bare key (``topic``, ``segment_gap``, ``location_drop``, ``churn_risk``, ``agent_coaching``,
    ``objective_off_track``) matches every finding of that kind.
    """
    a = str(address).strip()
    if not a:
        return 0
    if a == finding.key:
        return 2
    base, spec = _base(a)
    fbase, fspec = _base(finding.key)
    if base not in (fbase, finding.kind):
        return 0
    if not spec:
        return 1
    if base == "topic" and finding.kind == "topic":
        word = spec.lower()
        hit = any(word in t.lower() for t in finding.terms) or word in finding.subject.lower()
        return 2 if hit else 0
    if "=" in fspec:
        column, _, level = fspec.partition("=")
        wanted = spec.lower().replace(" ", "")
        if wanted in (fspec.lower().replace(" ", ""), column.lower(), level.lower().replace(" ", "")):
            return 2
    return 0


def matches(finding: Finding, addresses: list[str]) -> bool:
    """Whether a catalogue action's ``addresses`` cover a finding (:func:`match_strength` above 0)."""
    return any(match_strength(finding, a) for a in addresses)


def run_date(run_root: str | Path | None) -> dt.date:
    """The date of the run: ``started_at`` of the run's ``run.json`` in ``run_root``, else today (a notebook opened by
    hand). Due dates count from it, so none lies in the past when the plan is read."""
    path = Path(run_root) / "run.json" if run_root is not None else None
    if path is not None and path.is_file():
        try:
            started = json.loads(path.read_text(encoding="utf-8")).get("started_at")
            if started:
                return pd.Timestamp(str(started)[:10]).date()
        except (ValueError, OSError):
            pass
    return dt.date.today()


def _generated(f: Finding, default_owner: str):
    kind = "churn_risk_no_revenue" if f.kind == "churn_risk" and "a year" not in f.impact_unit else f.kind
    title, effort = GENERATED.get(kind, ("Act on: {subject}", "medium"))
    return title.format(subject=f.subject), effort


def _sort_key(v) -> float:
    return float("-inf") if v is None or pd.isna(v) else float(v)


def build_register(findings: list[Finding], catalogue, governance, *, start=None, annual_revenue: float | None = None,
                   value: ValueModel | None = None, save_rate=None, reached: dict[str, float] | None = None,
                   reference: ImpactReference = ImpactReference()) -> pd.DataFrame:
    """Match findings to the catalogue: one action per remedy, ranked by the value it may save.

    Parameters
    ----------
    findings : list of Finding
    catalogue : list of CatalogueAction-like
        ``id``, ``title``, ``addresses``, ``effort``, ``owner``, ``lead_time_days``.
    governance : Governance-like
        ``owners`` (role → ``name``, ``title``) and ``default_owner``.
    start : date-like, optional
        Due dates count from here (the run date, :func:`run_date`); ``None`` counts from today.
    annual_revenue : float, optional
        Total annual revenue, to size revenue impacts in the priority score.
    value : ValueModel, optional
        The annual value of an NPS point (:func:`cxtemplate.plan.impact.value_model`).
    save_rate : SaveRate-like, optional
        The retention calls' save rate (``rate``, ``low``, ``high``).
    reached : dict, optional
        Churn finding key → revenue at risk of the customers on its call list.

    Returns
    -------
    DataFrame
        One row per action (:data:`REGISTER_COLUMNS`), highest value first; no two rows share a title.
    """
    begin = pd.Timestamp(start).date() if start is not None else dt.date.today()
    default_owner = governance.default_owner or next(iter(governance.owners), "")
    groups: dict[str, dict] = {}  # action id → the action and the findings it answers
    titles: dict[str, str] = {}   # title → action id (generated actions of one title merge)
    for f in findings:
        strength = {a.id: max((match_strength(f, k) for k in a.addresses), default=0) for a in catalogue}
        best = max(strength.values(), default=0)
        hits = [a for a in catalogue if best and strength[a.id] == best]
        if not hits:
            title, effort = _generated(f, default_owner)
            if title not in titles:
                titles[title] = f"gen-{f.kind}-{sum(1 for k in groups if k.startswith('gen-' + f.kind + '-')) + 1}"
            action_id = titles[title]
            hits = [type("Generated", (), {"id": action_id, "title": title, "effort": effort, "owner": default_owner,
                                           "lead_time_days": EFFORT_DAYS[effort], "generated": True})()]
        for a in hits:
            if a.title in titles and titles[a.title] != a.id and a.id not in groups:
                a_id = titles[a.title]  # two catalogue entries of one title are one action
            else:
                a_id = a.id
                titles.setdefault(a.title, a.id)
            groups.setdefault(a_id, {"action": a, "findings": []})["findings"].append(f)
    if not groups:
        return pd.DataFrame(columns=REGISTER_COLUMNS)
    rows = []
    for a_id, g in groups.items():
        a, fs = g["action"], g["findings"]
        scored = [(impact_score(f.impact, f.impact_unit, annual_revenue, reference)
                   * CONFIDENCE_WEIGHT.get(f.confidence, 0.4) / EFFORT_WEIGHT.get(a.effort, 1.6), f) for f in fs]
        priority, main = max(scored, key=lambda t: t[0])
        owner = governance.owners.get(a.owner)
        scopes = list(dict.fromkeys(f.scope for f in fs if f.scope and f.scope != "organisation"))
        rows.append({
            "action_id": a_id, "action": a.title,
            "findings": SEPARATOR.join(dict.fromkeys(f.finding for f in fs)),
            "finding_keys": SEPARATOR.join(dict.fromkeys(f.key for f in fs)),
            **action_impact(fs, value, save_rate=save_rate, reached=reached),
            "finding": main.finding, "finding_key": main.key, "impact": main.impact, "impact_unit": main.impact_unit,
            "impact_rule": main.impact_rule, "confidence": main.confidence, "effort": a.effort,
            "priority": round(priority, 4), "owner_role": a.owner,
            "owner": f"{owner.name} ({owner.title})" if owner is not None and owner.title else
                     (owner.name if owner is not None else a.owner),
            "due": str(begin + dt.timedelta(days=int(a.lead_time_days))),
            "scope": SEPARATOR.join(scopes) if scopes else "organisation", "source": main.source,
            "origin": "generated" if getattr(a, "generated", False) else "catalogue", "status": "proposed"})
    reg = pd.DataFrame(rows)
    order = sorted(range(len(reg)), key=lambda i: (-_sort_key(reg.at[i, "impact_value"]),
                                                   -_sort_key(reg.at[i, "impact_points"]),
                                                   -float(reg.at[i, "priority"]), str(reg.at[i, "action_id"])))
    reg = reg.iloc[order].reset_index(drop=True)
    reg.insert(0, "rank", range(1, len(reg) + 1))
    return reg[REGISTER_COLUMNS]


def native_text(row: pd.Series, currency: str | None = "GBP") -> str:
    """The main finding's impact in its own unit: '+8.0 NPS points', '£412,000 a year at risk', '1.12 maturity levels
    to close' ('not quantified' without one)."""
    v, unit = row.get("impact"), str(row.get("impact_unit", ""))
    if v is None or pd.isna(v):
        return "not quantified"
    if "a year" in unit:
        lo, hi = row.get("value_at_risk_low"), row.get("value_at_risk_high")
        interval = "" if lo is None or hi is None or pd.isna(lo) or pd.isna(hi) else \
            f" ({fmt_money_range(lo, hi, currency)})"
        return f"{fmt_money(v, currency)}{interval} a year at risk"
    if "expected to leave" in unit:
        return f"{v:,.0f} {unit}"
    if "maturity" in unit:
        return f"{v:.2f} maturity levels to close"
    if "needed" in unit:
        return f"{v:+.1f} {unit}"
    return f"+{abs(v):.1f} {unit}"


def points_text(row: pd.Series) -> str:
    """The NPS points an action may add with their interval: '+3.3 (1.2 to 5.0)' ('–' without)."""
    v = row.get("impact_points")
    if v is None or pd.isna(v):
        return "–"
    lo, hi = row.get("points_low"), row.get("points_high")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi) or (round(lo, 1) == round(v, 1) == round(hi, 1)):
        return f"+{abs(v):.1f}"
    return f"+{abs(v):.1f} ({lo:.1f} to {hi:.1f})".replace("-0.0", "0.0")


def value_text(row: pd.Series, currency: str | None = "GBP") -> str:
    """The annual value an action may save with its interval: '£7,744 (£2,470 to £12,990)' ('–' without)."""
    v = row.get("impact_value")
    if v is None or pd.isna(v):
        return "–"
    return f"{fmt_money(v, currency)} ({fmt_money_range(row.get('impact_low'), row.get('impact_high'), currency)})"


def at_risk_text(row: pd.Series, currency: str | None = "GBP") -> str:
    """The value at risk of the customers an action serves, with its interval: '£166,408 (£126,094 to £204,264)'."""
    v = row.get("value_at_risk")
    if v is None or pd.isna(v):
        return "–"
    lo, hi = row.get("value_at_risk_low"), row.get("value_at_risk_high")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return fmt_money(v, currency)
    return f"{fmt_money(v, currency)} ({fmt_money_range(lo, hi, currency)})"


def impact_text(row: pd.Series, currency: str | None = "GBP") -> str:
    """An action's expected impact in the register's ranking unit: the value it may save a year with its interval,
    else the NPS points it may add with theirs, else its main finding's impact in its own unit (:func:`native_text`).
    """
    v = row.get("impact_value")
    if v is not None and not pd.isna(v):
        return f"{value_text(row, currency)} a year may be saved"
    p = row.get("impact_points")
    if p is not None and not pd.isna(p):
        return f"{points_text(row)} NPS points"
    return native_text(row, currency)


def with_impact_text(register: pd.DataFrame, currency: str | None = "GBP") -> pd.DataFrame:
    """The register with an ``expected impact`` column (:func:`impact_text` of each row) added at the end.

    An empty register is returned unchanged.
    """
    if register.empty:
        return register
    return register.assign(**{"expected impact": register.apply(impact_text, axis=1, currency=currency)})


def register_sentence(register: pd.DataFrame, currency: str | None = "GBP") -> str:
    """The first action with its owner, due date and expected impact, in plain words."""
    first = register.iloc[0]
    v, p = first.get("impact_value"), first.get("impact_points")
    if v is not None and not pd.isna(v):
        gain = f"it may save {value_text(first, currency)} a year"
    elif p is not None and not pd.isna(p):
        gain = f"it may add {points_text(first)} NPS points"
    elif (native := native_text(first, currency)) != "not quantified":
        gain = f"its finding is measured as {native}"
    else:
        gain = "its impact is not quantified"
    # titles are orders ("Simplify …") or noun phrases ("Retention outreach to …"): "First action:" reads right with both
    return sentence(f"First action: **{first['action']}**, owned by {first['owner']}, due {first['due']}; {gain}")


REGISTER_LABELS = {"rank": "#", "action": "Action", "findings": "Findings it answers",
                   "value": "Value it may save a year", "points": "NPS points it may add",
                   "at_risk": "Value at risk", "native": "Main finding, own unit", "confidence": "Confidence",
                   "effort": "Effort", "owner": "Owner", "due": "Due"}


def register_view(register: pd.DataFrame, currency: str | None = "GBP") -> TableView:
    """The whole register as the page shows it: every action, the findings it answers, its value and NPS points with
    their intervals, the value at risk of the customers it serves, effort, owner and due date.

    The value, NPS-point and value-at-risk columns are left out when no action carries one (no churn scores valued
    in revenue, no survey).
    """
    shown = register.assign(
        findings=register["findings"].astype(str).str.replace(SEPARATOR, " · ", regex=False),
        value=register.apply(value_text, axis=1, currency=currency), points=register.apply(points_text, axis=1),
        at_risk=register.apply(at_risk_text, axis=1, currency=currency),
        native=register.apply(native_text, axis=1, currency=currency))
    labels = dict(REGISTER_LABELS)
    if register["impact_value"].isna().all():
        labels.pop("value")
    if register["value_at_risk"].isna().all():
        labels.pop("at_risk")
    if register["impact_points"].isna().all():
        labels.pop("points")
    n = len(register)
    if "value" in labels:
        by, ranked = "by the value each action may save", f"by the value {verb(n, 'it', 'they')} may save a year"
    elif "points" in labels:
        by, ranked = "by the NPS points each action may add", f"by the NPS points {verb(n, 'it', 'they')} may add"
    else:
        by, ranked = "by priority", "by priority (impact, confidence and effort)"
    whole = "The only action" if n == 1 else f"All {plural(n, 'action')}"
    return TableView(labelled(shown, labels), f"The action register, {by}", max_rows=max(n, 1),
                     note=f"{whole}, ranked {ranked}; the downloads below hold the same rows.")


def top_actions_view(register: pd.DataFrame, n: int = 10, currency: str | None = "GBP") -> TableView:
    """The first ``n`` actions (the page shows the whole register, :func:`register_view`)."""
    return register_view(register.head(n), currency)


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
        The redacted callback queue and the retention call list; left out when ``None`` or empty.
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
    """How the plan is built and ranked, naming only the findings and units the inputs allow (the method note).

    Parameters
    ----------
    inputs : collection of str
        The inputs the organisation supplied (:data:`cxtemplate.report.absent.INPUTS`: ``responses``,
        ``customers``, ``revenue``, ``nps``, ``operations``, ``maturity_answers`` …).
    dated : bool
        Kept for callers; due dates always count from the run date.
    kinds : collection of str, optional
        The kinds of the findings there are (:class:`~cxtemplate.plan.findings.Finding` ``kind``): given, the note
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
    money = "customers" in inputs and "revenue" in inputs
    points = "nps" in inputs
    if money:
        by = ("by the value each may save a year (churn scores valued in revenue)" +
              (", else by the NPS points it may add; actions with neither" if points else "; actions without one"))
    elif points:
        by = "by the NPS points each may add; actions without them"
    else:
        by = "by"
    rest = (" follow, by a priority score" if by != "by" else " a priority score")
    return f"""**How the plan is built.** This page gathers what the earlier pages
found{gathers}, keeps one finding of each, and matches it to the consultant's catalogue of actions in the
parameters, only to actions of its own kind (a finding about one group of customers to an action for that group);
a finding the catalogue does not cover gets a generated action, so nothing found is left unowned. Each
action appears once and lists every finding it answers.

**How actions are ranked:** {by}{rest} = impact score × confidence ÷ effort, where the impact score compares
the impact with a reference size for its unit{reference}, capped at 1. Due dates count from the date of the run,
so none lies in the past."""


def opening_sentences(findings_table: pd.DataFrame, register: pd.DataFrame, currency: str | None = "GBP",
                      alerts: pd.DataFrame | None = None) -> list[str]:
    """The page's first sentences, in plain words from the results: how many findings and actions, the first
    action and what it may save, how many actions are valued, and the alerts and watch items (3 to 5 sentences)."""
    n_f, n_a = len(findings_table), len(register)
    if not n_f:
        return [count_sentence(findings_table)]
    owned = "each with an owner and a due date" if n_a != 1 else "with an owner and a due date"
    out = [sentence(f"The analysis found {plural(n_f, 'problem')} worth acting on; {verb(n_f, 'it comes', 'they come')} "
                    f"down to **{plural(n_a, 'action')}**, {owned}")]
    if n_a:
        out.append(register_sentence(register, currency))
        valued = int(register["impact_value"].notna().sum())
        scored = int(register["impact_points"].notna().sum())
        rest = n_a - (valued if valued else scored)
        if valued:
            out.append(sentence(f"{valued} of the {plural(n_a, 'action')} {verb(valued, 'is', 'are')} valued in money"
                                + (f"; the other {rest} build capability or answer an objective and are not valued"
                                   if rest > 1 else ("; the other one is not valued" if rest == 1 else ""))))
        elif scored:
            out.append(sentence(f"{scored} of the {plural(n_a, 'action')} {verb(scored, 'is', 'are')} sized in the "
                                "NPS points they may add"))
    if alerts is not None and len(alerts) and "fired" in alerts.columns:
        hits = alerts[alerts["fired"].astype(bool)]
        credible = int(hits["credible"].astype(bool).sum()) if len(hits) else 0
        watch = len(hits) - credible
        out.append(sentence(f"In the latest period {plural(credible, 'alert')} {verb(credible, 'needs', 'need')} "
                            f"action now and {plural(watch, 'watch item')} crossed {noun(watch, 'its', 'their')} "
                            f"threshold within the noise"))
    return out


def opening_section(findings_table: pd.DataFrame, inputs, *, register: pd.DataFrame | None = None,
                    alerts: pd.DataFrame | None = None, dated: bool = True, warning: str = "",
                    currency: str | None = "GBP", method: str = "") -> Section:
    """The page's opening sentences (:func:`opening_sentences`), a weak join's warning, and the method note
    (:func:`intro_text` and ``method``, the value model's text).

    With revenue but no currency set, a note that amounts are plain (:func:`~cxtemplate.report.display.currency_note`).
    """
    section = Section()
    kinds = set(findings_table["kind"]) if "kind" in findings_table.columns else set()
    reg = register if register is not None else pd.DataFrame(columns=REGISTER_COLUMNS)
    for text in opening_sentences(findings_table, reg, currency, alerts):
        section.say(text)
    if warning:
        section.say(warning)
    if "revenue" in set(inputs) and (note := currency_note(currency)):
        section.say(note)
    section.method(intro_text(inputs, dated=dated, kinds=kinds))
    if method:
        section.method(method)
    return section


def download_text(files=("action_plan.xlsx", "action_register.csv"), notebook: str = "06_action_plan") -> str:
    """Links from the page to the register's downloads in this run's artifacts (the same rows as the page)."""
    links = [f"[{name}](../artifacts/{notebook}/{name})" for name in files]
    return sentence(f"Download the register: {join_list(links)} (the same rows as the table above, with the rule "
                    "behind each impact)")


def register_section(register: pd.DataFrame, currency: str | None = "GBP") -> Section:
    """The whole register, the downloads and the actions per owner; one sentence when no action was generated.

    The section's ``register`` artifact is the register with the expected impact as text.
    """
    section = Section()
    if register.empty:
        section.absent("No action was generated", "there is nothing to assign")
        section.keep("register", register)
        return section
    register = with_impact_text(register, currency)
    section.table(register_view(register, currency))
    section.say(download_text())
    section.table(owners_view(register))
    section.keep("register", register)
    return section


def files_text(sheets: dict[str, pd.DataFrame]) -> str:
    """What the files for owners hold: the workbook's sheets (:func:`workbook_sheets`) and the register's CSV."""
    held = [w for w, sheet in (("the register", "Register"), ("the redacted callback queue", "Callback queue"),
                               ("the retention call list", "Retention list"), ("the\nalerts", "Alerts")) if sheet in sheets]
    return (f"The workbook `action_plan.xlsx` holds {', '.join(held)} and the findings, one sheet each; "
            "`action_register.csv` is the register for trackers.")

