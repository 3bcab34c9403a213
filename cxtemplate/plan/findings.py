"""Findings: what notebooks 01–05 found that calls for action, quantified where the analysis allows.

Each collector reads one notebook's artifacts and returns :class:`Finding` records with a
stable ``key``, unique per finding, that the params' action catalogue can match: ``driver:<column>``,
``topic:<topic>``, ``location_drop:<column>=<level>``, ``segment_gap:<column>=<level>``,
``objective_off_track:<id>``, ``churn_risk:<column>=<level>``, ``agent_coaching``, ``kpi:<name>``,
``maturity:<dimension>``. Impacts are stated in the unit the evidence supports (NPS points, percentage points,
currency per year, maturity levels), with their interval where the analysis gives one, and the rule used.
:func:`dedupe` keeps one finding per key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from cxtemplate.report.display import fmt_money, fmt_p

CONFIDENCE = ("high", "medium", "low")


@dataclass
class Finding:
    """One finding that may warrant an action."""

    key: str
    kind: str
    subject: str
    finding: str
    impact: float | None = None
    impact_unit: str = ""
    impact_rule: str = ""
    confidence: str = "medium"
    source: str = ""
    terms: list[str] = field(default_factory=list)
    scope: str = "organisation"
    impact_low: float | None = None
    impact_high: float | None = None

    def as_dict(self) -> dict:
        """A flat record (terms joined) for tables and artifacts."""
        d = asdict(self)
        d["terms"] = ", ".join(self.terms)
        return d


def _scaled(x, factor) -> float | None:
    """``x × factor``, or ``None`` when either is missing."""
    if x is None or factor is None or pd.isna(x) or pd.isna(factor):
        return None
    return float(x) * float(factor)


def _kpi_bound(r, pick) -> float | None:
    """One end of the interval of a KPI's effect per typical swing, as a size (the effect's sign dropped)."""
    lo, hi = r.get("ci_low_per_sd"), r.get("ci_high_per_sd")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return None
    ends = sorted((abs(float(lo)), abs(float(hi))))
    if float(lo) < 0 < float(hi):  # the interval spans no effect
        ends[0] = 0.0
    return float(pick(ends))


def _confidence(p: float | None) -> str:
    if p is None or pd.isna(p):
        return "low"
    return "high" if p < 0.01 else ("medium" if p < 0.05 else "low")


def _out_of(scale) -> str:
    """' out of 10' for a rating scale (0, 10); '' without one."""
    return f" out of {float(scale[1]):g}" if scale else ""


def from_drivers(drivers: pd.DataFrame | None, outcome: str = "NPS", scale: tuple[float, float] | None = None
                 ) -> list[Finding]:
    """Drivers in the 'Concentrate here' quadrant, with the metric gain if they reached the average.

    ``scale`` is the ratings' scale (``metrics.drivers.scale``): a rating is stated "out of" its top.
    """
    if drivers is None or drivers.empty or "Quadrant" not in drivers.columns:
        return []
    out = []
    for _, r in drivers[drivers["Quadrant"].astype(str).str.lower().str.startswith("concentrate")].iterrows():
        gain = r.get("metric_gain")
        out.append(Finding(
            key=f"driver:{r['driver']}", kind="driver", subject=r["Driver"],
            finding=(f"{r['Driver']} explains {r['Share of R² %']:.0f}% of the variation in {outcome} but is rated "
                     f"{r['Mean rating']:.2f}{_out_of(scale)}, below the average driver."),
            impact=float(gain) if gain is not None and not pd.isna(gain) else None, impact_unit=f"{outcome} points",
            impact_rule="driver model: rating raised to the average driver's × its regression coefficient",
            confidence="medium", source="04_experience_analysis", terms=[str(r["driver"])]))
    return out


def from_topics(impact: pd.DataFrame | None, responses_with_comments: int | None = None,
                total_responses: int | None = None, alpha: float = 0.05,
                topics: pd.DataFrame | None = None) -> list[Finding]:
    """Comment topics that significantly lower NPS; impact if the problem behind them disappeared.

    ``topics`` (the topic table with a ``Top words`` column) gives each finding the topic's top
    words, so the catalogue's ``topic:<word>`` keys can match them.
    """
    if impact is None or impact.empty:
        return []
    words = {}
    if topics is not None and "Top words" in topics.columns:
        words = {r["label"]: [w.strip() for w in str(r["Top words"]).split(",")] for _, r in topics.iterrows()}
    out = []
    bad = impact[(impact["impact"] < 0) & (impact["p_adj"] < alpha)]
    for _, r in bad.iterrows():
        mention_share = r["share"] * (responses_with_comments / total_responses
                                      if responses_with_comments and total_responses else 1.0)
        out.append(Finding(
            key=f"topic:{r['topic']}", kind="topic", subject=f"Comments about {r['topic']}",
            finding=(f"Comments mentioning “{r['topic']}” have an NPS {abs(r['impact']):.0f} points below other comments "
                     f"({abs(r['ci_high']):.0f} to {abs(r['ci_low']):.0f} points, n = {int(r['n_with']):,})."),
            impact=float(-r["impact"] * mention_share), impact_unit="NPS points",
            impact_low=float(-r["ci_high"] * mention_share) if "ci_high" in r else None,
            impact_high=float(-r["ci_low"] * mention_share) if "ci_low" in r else None,
            impact_rule="mentioning responses rise to the level of the others: −impact × share of responses mentioning",
            confidence=_confidence(r["p_adj"]), source="04_experience_analysis",
            terms=list(dict.fromkeys([t.strip() for t in str(r["topic"]).split("/")] + words.get(r["topic"], [])))))
    return out


def from_steps(steps: pd.DataFrame | None, location_share: dict[str, float] | None = None) -> list[Finding]:
    """Locations (or other groups) whose metric stepped down significantly and stayed there."""
    if steps is None or steps.empty or "significant" not in steps.columns:
        return []
    group_col = steps.columns[0]
    out = []
    for _, r in steps[steps["significant"] & (steps["change"] < 0)].iterrows():
        share = (location_share or {}).get(r[group_col], float("nan"))
        out.append(Finding(
            key=f"location_drop:{group_col}={r[group_col]}", kind="location_drop", subject=f"{r[group_col]}",
            finding=(f"{r['metric']} at {r[group_col]} stepped down by {abs(r['change']):.0f} points from "
                     f"{r['step_period']} ({r['value_before']:.1f} → {r['value_after']:.1f}) and has stayed there "
                     f"(adjusted p {fmt_p(r['p_adj'])})."),
            impact=float(abs(r["change"]) * share) if share == share else None, impact_unit="NPS points (organisation)",
            impact_low=_scaled(r.get("change_ci_high"), -share), impact_high=_scaled(r.get("change_ci_low"), -share),
            impact_rule="the location recovers its level before the step, weighted by its share of responses",
            confidence=_confidence(r["p_adj"]), source="04_experience_analysis", terms=[str(r[group_col])],
            scope=f"{group_col}: {r[group_col]}"))
    return out


def from_segments(seg: pd.DataFrame | None, exclude: tuple[str, ...] = ("location",), alpha: float = 0.05,
                  top: int = 3) -> list[Finding]:
    """Segment levels significantly below the rest (the largest gaps by weighted impact)."""
    if seg is None or seg.empty:
        return []
    ok = seg[(~seg["segment"].isin(exclude)) & (seg["p_adj"] < alpha) & (seg["diff"] < 0)].copy()
    if ok.empty:
        return []
    total = seg.groupby("segment")["n"].sum()
    ok["weight"] = ok["n"] / ok["segment"].map(total)
    ok["gain"] = -ok["diff"] * ok["weight"]
    out = []
    for _, r in ok.sort_values("gain", ascending=False).head(top).iterrows():
        out.append(Finding(
            key=f"segment_gap:{r['segment']}={r['level']}", kind="segment_gap",
            subject=f"{r['level']} ({r['segment'].replace('_', ' ')})",
            finding=(f"{r['metric']} for {r['level']} ({r['segment'].replace('_', ' ')}) is {r['value']:.1f}, "
                     f"{abs(r['diff']):.1f} points below everyone else (adjusted p {fmt_p(r['p_adj'])}, n = {int(r['n']):,})."),
            impact=float(r["gain"]), impact_unit="NPS points" if r["metric"] == "NPS" else f"{r['metric']} points",
            impact_low=_scaled(r.get("diff_ci_high"), -r["weight"]), impact_high=_scaled(r.get("diff_ci_low"), -r["weight"]),
            impact_rule="the segment closes its gap to the rest, weighted by its share of responses",
            confidence=_confidence(r["p_adj"]), source="04_experience_analysis", terms=[str(r["level"])],
            scope=f"{r['segment']}: {r['level']}"))
    return out


def objective_scope(where) -> str:
    """An objective's ``where`` as a finding's scope: 'organisation' for all customers, 'journey_stage: Support'
    for 'journey_stage = Support'.

    >>> objective_scope("all customers"), objective_scope("journey_stage = Support"), objective_scope(None)
    ('organisation', 'journey_stage: Support', 'organisation')
    """
    text = "" if where is None or (not isinstance(where, str) and pd.isna(where)) else str(where).strip()
    if not text or text.lower() in ("all customers", "organisation", "all"):
        return "organisation"
    column, sep, level = text.partition("=")
    return f"{column.strip()}: {level.strip()}" if sep else text


def from_objectives(objectives: pd.DataFrame | None) -> list[Finding]:
    """Objectives whose target is out of reach on the recent trend."""
    if objectives is None or objectives.empty:
        return []
    out = []
    for _, r in objectives[objectives["status"].isin(["off track", "at risk"])].iterrows():
        out.append(Finding(
            key=f"objective_off_track:{r['id']}", kind="objective", subject=r["goal"],
            finding=(f"Objective '{r['goal']}' ({r['metric']} {r['baseline']:.1f} → target {r['target']:g} by "
                     f"{r['deadline']}) is {r['status']}: the recent trend reaches {r['projected']:.1f}."),
            impact=None, impact_unit="",
            impact_rule=f"not an expected gain: the target needs {r['change_needed']:+.1f} {r['metric']} points",
            confidence="medium" if r["status"] == "off track" else "low",
            source="02_objectives", terms=[str(r["id"])], scope=objective_scope(r.get("where"))))
    return out


def from_coaching(coaching: pd.DataFrame | None, total_responses: int | None = None) -> list[Finding]:
    """Agents credibly below their team; impact if they reached their team's level."""
    if coaching is None or coaching.empty or "below_team" not in coaching.columns:
        return []
    flagged = coaching[coaching["below_team"]]
    if flagged.empty:
        return []
    gain = float(((flagged["team_mean"] - flagged["estimate"]) * flagged["n"]).sum() / total_responses) \
        if total_responses else None
    low = high = None
    if total_responses and {"lower", "upper"} <= set(flagged.columns):
        low = float(((flagged["team_mean"] - flagged["upper"]).clip(lower=0) * flagged["n"]).sum() / total_responses)
        high = float(((flagged["team_mean"] - flagged["lower"]) * flagged["n"]).sum() / total_responses)
    return [Finding(
        key="agent_coaching", kind="agent_coaching", subject=f"{len(flagged)} agents",
        finding=(f"{len(flagged)} of {len(coaching)} agents score credibly below their team on NPS after shrinkage; "
                 f"each has a named driver to coach."),
        impact=gain, impact_unit="NPS points", impact_low=low, impact_high=high,
        impact_rule="flagged agents reach their team's mean, weighted by their responses",
        confidence="medium", source="04_experience_analysis", terms=flagged["agent_id"].astype(str).tolist())]


def from_kpis(kpis: pd.DataFrame | None, alpha: float = 0.05) -> list[Finding]:
    """Operational KPIs with a significant link in the joint model; impact per typical swing."""
    if kpis is None or kpis.empty:
        return []
    joint = kpis[kpis["model"] == "joint"] if (kpis["model"] == "joint").any() else kpis
    out = []
    for _, r in joint[joint["p_adj"] < alpha].iterrows():
        out.append(Finding(
            key=f"kpi:{r['kpi']}", kind="kpi", subject=str(r["label"]), finding=str(r["sentence"]),
            impact=float(abs(r["effect_per_sd"])), impact_unit=f"{str(r['effect_unit']).split(',')[0]} per typical swing",
            impact_low=_kpi_bound(r, min), impact_high=_kpi_bound(r, max),
            impact_rule="effect of one within-location standard deviation of the KPI (association, location fixed effects)",
            confidence=_confidence(r["p_adj"]), source="04_experience_analysis", terms=[str(r["kpi"])]))
    return out


def from_maturity(dimensions: pd.DataFrame | None) -> list[Finding]:
    """Maturity dimensions below the target stage: those the maturity page classes as below target (its ``status``;
    a borderline dimension, whose interval holds the target, is not a finding), or short of it without a status."""
    if dimensions is None or dimensions.empty or "gap" not in dimensions.columns:
        return []
    name_col = "name" if "name" in dimensions.columns else "dimension"
    below = (dimensions["status"] == "below target") if "status" in dimensions.columns else dimensions["gap"] > 0
    out = []
    for _, r in dimensions[below].sort_values("gap", ascending=False).iterrows():
        out.append(Finding(
            key=f"maturity:{r['dimension']}", kind="maturity", subject=f"{r[name_col]} maturity",
            finding=f"{r[name_col]} practices average {r['mean']:.2f}, {r['gap']:.2f} levels short of the target stage.",
            impact=float(r["gap"]), impact_unit="maturity levels to close", impact_rule="target level minus mean level",
            confidence="medium", source="01_maturity", terms=[str(r["dimension"])]))
    return out


NAMING_COLUMNS = ("segment", "plan", "location", "region", "channel", "journey_stage", "touchpoint")
"""Group columns whose values name a kind of customer by themselves ("Small business customers")."""


def group_subject(column: str, value) -> str:
    """The customers of one group in words: "Small business customers" for a segment or plan, "customers in France"
    for a place, "customers with streaming tv: Yes" for any other column (a flag's "Yes" names nobody).

    >>> group_subject("segment", "Small business"), group_subject("location", "France")
    ('Small business customers', 'customers in France')
    >>> group_subject("streaming_tv", "Yes")
    'customers with streaming tv: Yes'
    """
    if column in ("location", "region"):
        return f"customers in {value}"
    if column in NAMING_COLUMNS:
        return f"{value} customers"
    return f"customers with {column.replace('_', ' ')}: {value}"


def leavers_by_group(scores: pd.DataFrame | None) -> pd.DataFrame | None:
    """Expected leavers per group of the churn scores, by the first of :data:`NAMING_COLUMNS` they carry with two
    to thirty groups (``None`` without one): what the action plan targets when there is no revenue to value.

    A group's expected leavers are the sum of its customers' probabilities of leaving within the horizon.
    """
    if scores is None or "churn_probability" not in scores.columns:
        return None
    column = next((c for c in NAMING_COLUMNS if c in scores.columns and 2 <= scores[c].nunique() <= 30), None)
    if column is None:
        return None
    grouped = scores.groupby(column, observed=True)["churn_probability"]
    return (pd.DataFrame({"customers": grouped.size(), "expected_churners": grouped.sum()}).reset_index()
            .sort_values("expected_churners", ascending=False, ignore_index=True))


def _count_interval(row) -> str:
    """' (390 to 540)' from a group's ``expected_churners_low``/``_high`` ('' without them)."""
    lo, hi = _scaled(row.get("expected_churners_low"), 1), _scaled(row.get("expected_churners_high"), 1)
    return f" ({lo:,.0f} to {hi:,.0f})" if lo is not None and hi is not None else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def from_churn(summary: dict | None, by_segment: pd.DataFrame | None, currency: str = "GBP") -> list[Finding]:
    """The customer group carrying the most revenue at risk, valued with the churn model.

    Without revenue (no revenue column in the CRM, so nothing is valued) the group with the most customers
    expected to leave within the horizon, in customers.
    """
    if not summary or not summary.get("available") or by_segment is None or by_segment.empty:
        return []
    group_col = by_segment.columns[0]
    valued = ("revenue_at_risk" in by_segment.columns and float(by_segment["revenue_at_risk"].fillna(0).sum()) > 0
              and (summary.get("annual_revenue") is None or float(summary["annual_revenue"]) > 0))
    if not valued:
        if "expected_churners" not in by_segment.columns:
            return []
        top = by_segment.sort_values("expected_churners", ascending=False).iloc[0]
        share = 100 * top["expected_churners"] / max(by_segment["expected_churners"].sum(), 1e-9)
        subject = group_subject(group_col, top[group_col])
        return [Finding(
            key=f"churn_risk:{group_col}={top[group_col]}", kind="churn_risk", subject=subject,
            finding=(f"{_capital(subject)}: {top['expected_churners']:,.0f}{_count_interval(top)} of them are expected "
                     "to leave within "
                     f"the next {summary.get('horizon_months', 12)} months ({share:.0f}% of all expected leavers)."),
            impact=float(top["expected_churners"]), impact_unit="customers expected to leave",
            impact_low=_scaled(top.get("expected_churners_low"), 1), impact_high=_scaled(top.get("expected_churners_high"), 1),
            impact_rule="expected leavers = Σ P(churn within the horizon) over the group's active customers",
            confidence="medium", source="05_churn_survival", terms=[str(top[group_col])],
            scope=f"{group_col}: {top[group_col]}")]
    top = by_segment.sort_values("revenue_at_risk", ascending=False).iloc[0]
    low, high = _scaled(top.get("revenue_at_risk_low"), 1), _scaled(top.get("revenue_at_risk_high"), 1)
    interval = (f" ({fmt_money(low, currency)} to {fmt_money(high, currency)})"
                if low is not None and high is not None else "")
    retained = summary.get("counterfactual_retained")
    subject = group_subject(group_col, top[group_col])
    return [Finding(
        key=f"churn_risk:{group_col}={top[group_col]}", kind="churn_risk", subject=subject,
        finding=(f"{_capital(subject)} carry {fmt_money(top['revenue_at_risk'], currency)}{interval} of annual revenue "
                 f"at risk over the next {summary.get('horizon_months', 12)} months "
                 f"({100 * top['revenue_at_risk'] / max(by_segment['revenue_at_risk'].sum(), 1e-9):.0f}% of the total)."),
        impact=float(top["revenue_at_risk"]), impact_low=low, impact_high=high,
        impact_unit=f"{currency} a year at risk" if currency else "a year at risk",  # no currency: plain amounts
        impact_rule=("expected lost annual revenue = Σ annual revenue × P(churn within the horizon); turning detractors "
                     f"into passives would retain {fmt_money(retained, currency)}" if retained else
                     "expected lost annual revenue = Σ annual revenue × P(churn within the horizon)"),
        confidence="medium", source="05_churn_survival", terms=[str(top[group_col])],
        scope=f"{group_col}: {top[group_col]}")]


def dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per key, in the order first seen: of findings sharing a key (the same location stepping down
    on two metrics, a collector run twice) the one with the largest stated impact is kept.

    >>> a = Finding("location_drop:location=Leeds", "location_drop", "Leeds", "NPS fell", impact=1.0)
    >>> b = Finding("location_drop:location=Leeds", "location_drop", "Leeds", "CSAT fell", impact=2.0)
    >>> [f.finding for f in dedupe([a, b])]
    ['CSAT fell']
    """
    kept: dict[str, Finding] = {}
    for f in findings:
        old = kept.get(f.key)
        size = abs(f.impact) if f.impact is not None and not pd.isna(f.impact) else -1.0
        if old is None:
            kept[f.key] = f
        elif size > (abs(old.impact) if old.impact is not None and not pd.isna(old.impact) else -1.0):
            kept[f.key] = f
    return list(kept.values())


FRAME_COLUMNS = ["key", "kind", "subject", "finding", "impact", "impact_low", "impact_high", "impact_unit",
                 "impact_rule", "confidence", "source", "terms", "scope"]


def to_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table."""
    return pd.DataFrame([f.as_dict() for f in findings], columns=FRAME_COLUMNS)


# --------------------------------------------------------------------------- notebook 06: every collector at once

RESPONSE_COLUMNS = ("response_id", "customer_id", "responded_at", "touchpoint", "location", "agent_id", "nps", "comment")
EXPERIENCE = "04_experience_analysis"


def response_columns(specs: dict, rules=()) -> list[str]:
    """The columns of the responses table that notebook 06 reads (findings, callback queue, alerts).

    Parameters
    ----------
    specs : dict of MetricSpec
        Enabled metrics; their score columns are read.
    rules : list of AlertRule-like
        Alert rules; the columns they break results down ``by`` are read.

    Returns
    -------
    list of str
        Column names, possibly with repeats (the store's reader drops them).
    """
    return [*RESPONSE_COLUMNS, *[s.column for s in specs.values()], *[r.by for r in rules if r.by]]


def collect(load, responses: pd.DataFrame | None, currency: str | None = "GBP", specs=None,
            driver_scale: tuple[float, float] | None = None) -> list[Finding]:
    """Every finding of notebooks 01–05, read from their artifacts, in the order the action plan lists them.

    Parameters
    ----------
    load : callable
        ``load(notebook, name, default)`` returns an earlier notebook's artifact or ``default``
        (the run's ``run.load``).
    responses : DataFrame, optional
        Canonical responses: the comment and location shares and the number of NPS answers come from here.
    currency : str or None
        Currency of revenue impacts (``None``: plain amounts).
    specs : mapping, optional
        Metric key → :class:`~cxtemplate.measure.spec.MetricSpec` of the run: the key drivers' outcome is named
        by its metric's name (a survey without NPS has its drivers stated in CSAT, never in NPS).
    driver_scale : tuple, optional
        The driver ratings' scale (``cfg.metrics.drivers.scale``): ratings read "5.78 out of 10".

    Returns
    -------
    list of Finding
        Drivers, topics, location steps, segment gaps, objectives, coaching, KPIs, maturity, churn; one per key
        (:func:`dedupe`).
    """
    has = (lambda col: responses is not None and col in responses.columns)  # noqa: E731
    found: list[Finding] = []
    outcome = (load(EXPERIENCE, "drivers_summary", None) or {}).get("outcome", "nps")
    found += from_drivers(load(EXPERIENCE, "drivers", None),
                          specs[outcome].name if specs and outcome in specs else str(outcome).upper(), driver_scale)
    if has("comment"):
        found += from_topics(load(EXPERIENCE, "topic_impact", None), int(responses["comment"].notna().sum()),
                             len(responses), topics=load(EXPERIENCE, "topics", None))
    if has("location"):
        found += from_steps(load(EXPERIENCE, "steps", None), responses["location"].value_counts(normalize=True).to_dict())
    found += from_segments(load(EXPERIENCE, "segments", None))
    found += from_objectives(load("02_objectives", "objectives", None))
    found += from_coaching(load(EXPERIENCE, "coaching", None), int(responses["nps"].notna().sum()) if has("nps") else None)
    found += from_kpis(load(EXPERIENCE, "kpi_effects", None))
    found += from_maturity(load("01_maturity", "dimensions", None))
    by_segment = load("05_churn_survival", "risk_by_segment", None)
    if by_segment is None:  # no revenue, so notebook 05 values no group: count the expected leavers instead
        by_segment = leavers_by_group(load("05_churn_survival", "scores", None))
    found += from_churn(load("05_churn_survival", "summary", {}), by_segment, currency)
    return dedupe(found)


def count_sentence(table: pd.DataFrame) -> str:
    """How many findings call for action, by kind (most frequent kind first), from :func:`to_frame`'s table."""
    if table.empty:
        return "The analysis produced no finding that calls for action."
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in table["kind"].value_counts().items())
    if len(table) == 1:
        return f"The analysis produced **1 finding** that calls for action ({kinds})."
    return f"The analysis produced **{len(table)} findings** that call for action ({kinds})."
