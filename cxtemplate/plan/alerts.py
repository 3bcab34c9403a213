"""Alert rules from the params, evaluated on the latest reporting period.

Two kinds of rule:

* ``significant_drop`` — the metric in the latest period is significantly below the three
  periods before it (a two-sample test per level, Benjamini–Hochberg across levels);
* ``below`` / ``above`` — the latest period's value crosses a threshold. The result says
  whether the crossing is *credible* (the whole 95% interval is past the threshold) or could be
  noise; cells with fewer than ``min_n`` responses are not evaluated and say so.

A credible firing is an **alert** (act now); a crossing within the noise is a **watch item**, shown apart.
"""

from __future__ import annotations

import re

import pandas as pd

from cxtemplate.measure.inference import adjust_bh, compare_tables
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.report.display import TableView, fmt_p, labelled
from cxtemplate.report.grammar import plural, sentence, verb
from cxtemplate.report.labels import display_label
from cxtemplate.report.section import Section

NOT_MEASURED = "is not measured"  # the end of the message of a rule whose metric is not measured
SMALL_CELL = "not evaluated: n ="  # the start of the message of a cell under min_n


def _window(df: pd.DataFrame, time_col: str, freq: str, first: pd.Period, last: pd.Period) -> pd.DataFrame:
    p = df[time_col].dt.to_period(freq)
    return df[(p >= first) & (p <= last)]


def evaluate(responses: pd.DataFrame, rules, specs: dict[str, MetricSpec], *, freq: str, as_of,
             min_n: int = 30, conf: float = 0.95, alpha: float = 0.05, reference_periods: int = 3,
             time_col: str = "responded_at") -> pd.DataFrame:
    """Evaluate every alert rule on the latest period.

    Parameters
    ----------
    responses : DataFrame
        Canonical responses.
    rules : list of AlertRule-like
        ``id``, ``metric``, ``condition``, ``threshold``, ``by``, ``owner``.
    specs : dict of MetricSpec
        Enabled metrics by key.
    freq : {"M", "Q"}
    as_of : date-like
        The latest period is the one containing it.
    min_n : int
        Cells with fewer responses are reported as not evaluated.
    reference_periods : int
        Periods before the latest one that a drop is measured against.

    Returns
    -------
    DataFrame
        One row per rule × level: rule, metric, level column and value, period, value with
        interval and n, reference, change, adjusted p, ``fired`` and a sentence.
    """
    rows = []
    last = pd.Period(pd.Timestamp(as_of), freq)
    for rule in rules:
        spec = specs.get(rule.metric)
        if spec is None or responses is None or spec.column not in responses.columns:
            rows.append({"rule": rule.id, "metric": rule.metric, "fired": False, "owner": rule.owner,
                         "message": f"not evaluated: {rule.metric.upper()} {NOT_MEASURED}"})
            continue
        cols = list(dict.fromkeys([time_col, spec.column, *([rule.by] if rule.by and rule.by in responses.columns else [])]))
        df = responses[cols][responses[spec.column].notna() & responses[time_col].notna()]  # only what the rule reads
        by = rule.by if rule.by and rule.by in df.columns else None
        keys = [by] if by else []
        now = summarise(_window(df, time_col, freq, last, last), spec, by=keys or None, conf=conf)
        if rule.condition == "significant_drop":
            ref = summarise(_window(df, time_col, freq, last - reference_periods, last - 1), spec,
                            by=keys or None, conf=conf)
            if keys:
                now, ref = now.set_index(by), ref.set_index(by)
                common = now.index.intersection(ref.index)
                now, ref = now.loc[common].reset_index(), ref.loc[common].reset_index()
            cmp = compare_tables(now, ref, spec)
            cmp["p_adj"] = adjust_bh(cmp["p"]).to_numpy() if len(cmp) else []
            for i, r in now.iterrows():
                c = cmp.iloc[i]
                small = r["n"] < min_n or ref.iloc[i]["n"] < min_n
                fired = (not small) and c["p_adj"] < alpha and c["diff"] < 0
                where = f"{by.replace('_', ' ')} {r[by]}" if by else "overall"
                msg = (f"not evaluated: n = {int(r['n'])} < {min_n}" if small else
                       f"{spec.name} {where}: {r['value']:.1f} in {last} vs {ref.iloc[i]['value']:.1f} over the previous "
                       f"{reference_periods} periods ({c['diff']:+.1f}, adjusted p {fmt_p(c['p_adj'])})")
                rows.append({"rule": rule.id, "metric": spec.name, "by": by, "level": r[by] if by else "all",
                             "period": str(last), "value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                             "n": int(r["n"]), "reference": ref.iloc[i]["value"], "change": c["diff"],
                             "p_adj": c["p_adj"], "fired": bool(fired), "credible": bool(fired), "owner": rule.owner,
                             "message": msg})
        else:
            for _, r in now.iterrows():
                small = r["n"] < min_n
                crossed = r["value"] < rule.threshold if rule.condition == "below" else r["value"] > rule.threshold
                credible = (r["ci_high"] < rule.threshold) if rule.condition == "below" else (r["ci_low"] > rule.threshold)
                where = f"{by.replace('_', ' ')} {r[by]}" if by else "overall"
                msg = (f"not evaluated: n = {int(r['n'])} < {min_n}" if small else
                       f"{spec.name} {where}: {r['value']:.2f} ({r['ci_low']:.2f} to {r['ci_high']:.2f}) is "
                       f"{'' if crossed else 'not '}{rule.condition} {rule.threshold:g}"
                       + (" — credibly" if crossed and credible else (" — but within noise" if crossed else "")))
                rows.append({"rule": rule.id, "metric": spec.name, "by": by, "level": r[by] if by else "all",
                             "period": str(last), "value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                             "n": int(r["n"]), "threshold": rule.threshold, "fired": bool(crossed and not small),
                             "credible": bool(crossed and credible and not small), "owner": rule.owner, "message": msg})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the checks as the page shows them

def with_owner_labels(evaluated: pd.DataFrame, owner_label) -> pd.DataFrame:
    """The checks with each owner's role key replaced by ``owner_label(role)`` (e.g. 'Name (Title)')."""
    return evaluated.assign(owner=evaluated["owner"].map(owner_label))


def fired(evaluated: pd.DataFrame) -> pd.DataFrame:
    """The checks that fired (alerts and watch items)."""
    return evaluated[evaluated["fired"].astype(bool)]


def credible(evaluated: pd.DataFrame) -> pd.DataFrame:
    """The alerts: checks that fired credibly (a significant drop, or the whole interval past the threshold)."""
    hits = fired(evaluated)
    return hits[hits["credible"].astype(bool)] if "credible" in hits.columns else hits


def watch_items(evaluated: pd.DataFrame) -> pd.DataFrame:
    """The watch items: checks whose value crossed the threshold while its interval still reaches back across it."""
    hits = fired(evaluated)
    return hits[~hits["credible"].astype(bool)] if "credible" in hits.columns else hits.iloc[:0]


def fired_sentence(evaluated: pd.DataFrame, conf: float = 0.95) -> str:
    """How many checks fired in the latest period, and how many of them credibly.

    The period is the one the checks were evaluated on; when no check could be evaluated (every
    rule's metric unmeasured) the sentence says "the latest period".
    """
    periods = evaluated["period"].dropna() if "period" in evaluated.columns else pd.Series(dtype=object)
    period = periods.iloc[0] if len(periods) else "the latest period"
    n_alerts, n_watch = len(credible(evaluated)), len(watch_items(evaluated))
    text = (f"Of {plural(len(evaluated), 'check')} on {period}, **{plural(n_alerts, 'alert')}** "
            f"{verb(n_alerts, 'needs', 'need')} action now (the whole {100 * conf:g}% interval past the threshold, or "
            f"a significant drop)")
    if n_watch:
        text += (f"; {plural(n_watch, 'watch item')} crossed the threshold within the noise and "
                 f"{verb(n_watch, 'is', 'are')} listed apart, to be checked again next period")
    return sentence(text)


CHECK_LABELS = {"rule": "Rule", "level": "Where", "message": "What was found", "owner": "Owner"}


def rule_label(rule_id: str) -> str:
    """A rule's id as words for a table: 'touchpoint-effort' → 'Touchpoint effort', 'location-nps-drop' → 'Location NPS drop'.

    >>> rule_label("touchpoint-effort"), rule_label("location_nps_drop")
    ('Touchpoint effort', 'Location NPS drop')
    """
    return display_label(re.sub(r"[-\s]+", "_", str(rule_id)))


def _shown(hits: pd.DataFrame) -> pd.DataFrame:
    return labelled(hits.assign(rule=hits["rule"].map(rule_label)) if "rule" in hits.columns else hits, CHECK_LABELS)


def fired_view(evaluated: pd.DataFrame, max_rows: int = 40) -> TableView | None:
    """The alerts (rule, where, what was found, owner), or ``None`` when no check fired credibly."""
    hits = credible(evaluated)
    if hits.empty:
        return None
    return TableView(_shown(hits), "Alerts: act now", max_rows=max_rows)


def watch_view(evaluated: pd.DataFrame, max_rows: int = 40) -> TableView | None:
    """The watch items (crossed within the noise), or ``None`` when there are none."""
    hits = watch_items(evaluated)
    if hits.empty:
        return None
    return TableView(_shown(hits), "Watch items: within the noise, check again next period",
                     max_rows=max_rows)


def skipped_sentence(evaluated: pd.DataFrame, min_n: int, show: int = 8) -> str:
    """Which checks were not evaluated and why ('' when every check was evaluated).

    Cells under ``min_n`` responses are named (the first ``show`` of them); rules whose metric
    is not measured are named by rule.
    """
    message = evaluated["message"].astype(str)
    small = evaluated[message.str.startswith(SMALL_CELL)]
    unmeasured = evaluated[message.str.startswith("not evaluated") & message.str.endswith(NOT_MEASURED)]
    parts = []
    if len(small):
        levels = ", ".join(small["level"].astype(str).head(show)) + ("…" if len(small) > show else "")
        parts.append(f"{len(small)} checks were not evaluated because the latest period holds fewer than {min_n} "
                     f"responses for them ({levels}).")
    if len(unmeasured):
        rules = ", ".join(unmeasured["rule"].astype(str))
        parts.append(f"{len(unmeasured)} {'rule was' if len(unmeasured) == 1 else 'rules were'} not evaluated "
                     f"because {'its' if len(unmeasured) == 1 else 'their'} metric is not measured ({rules}).")
    return " ".join(parts)


def alerts_section(responses: pd.DataFrame | None, rules, specs: dict[str, MetricSpec], *, freq: str, as_of,
                   min_n: int = 30, conf: float = 0.95, owner_label=None) -> Section:
    """Every alert rule evaluated on the latest period (:func:`evaluate`); artifact ``alerts``.

    One sentence without rules, without survey responses or without dated responses. ``owner_label`` turns an
    owner's role key into the name the page shows (:func:`with_owner_labels`).
    """
    section = Section()
    if not rules:
        section.absent("No alert rules are set in the parameters", "nothing is evaluated")
        return section
    if responses is None:
        section.absent("There are no survey responses", "alerts cannot be evaluated")
        return section
    if as_of is None or "responded_at" not in responses.columns or not responses["responded_at"].notna().any():
        section.absent("The responses carry no dates", "alerts on the latest period cannot be evaluated")
        return section
    evaluated = evaluate(responses, rules, specs, freq=freq, as_of=as_of, min_n=min_n, conf=conf)
    if owner_label is not None:
        evaluated = with_owner_labels(evaluated, owner_label)
    section.say(fired_sentence(evaluated, conf))
    if (view := fired_view(evaluated)) is not None:
        section.table(view)
    if (view := watch_view(evaluated)) is not None:
        section.table(view)
    if skipped := skipped_sentence(evaluated, min_n):
        section.say(skipped)
    section.keep("alerts", evaluated)
    return section
