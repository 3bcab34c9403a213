"""Alert rules from the params, evaluated on the latest reporting period.

Two kinds of rule:

* ``significant_drop`` — the metric in the latest period is significantly below the three
  periods before it (a two-sample test per level, Benjamini–Hochberg across levels);
* ``below`` / ``above`` — the latest period's value crosses a threshold. The result says
  whether the crossing is *credible* (the whole 95% interval is past the threshold) or could be
  noise; cells with fewer than ``min_n`` responses are not evaluated and say so.
"""

from __future__ import annotations

import pandas as pd

from cxtemplate.measure.inference import adjust_bh, compare_tables
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec


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
                         "message": f"not evaluated: {rule.metric.upper()} is not measured"})
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
                where = f"{by} {r[by]}" if by else "overall"
                msg = (f"not evaluated: n = {int(r['n'])} < {min_n}" if small else
                       f"{spec.name} {where}: {r['value']:.1f} in {last} vs {ref.iloc[i]['value']:.1f} over the previous "
                       f"{reference_periods} periods ({c['diff']:+.1f}, adjusted p {c['p_adj']:.3f})")
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
                where = f"{by} {r[by]}" if by else "overall"
                msg = (f"not evaluated: n = {int(r['n'])} < {min_n}" if small else
                       f"{spec.name} {where}: {r['value']:.2f} ({r['ci_low']:.2f} to {r['ci_high']:.2f}) is "
                       f"{'' if crossed else 'not '}{rule.condition} {rule.threshold:g}"
                       + (" — credibly" if crossed and credible else (" — but within noise" if crossed else "")))
                rows.append({"rule": rule.id, "metric": spec.name, "by": by, "level": r[by] if by else "all",
                             "period": str(last), "value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                             "n": int(r["n"]), "threshold": rule.threshold, "fired": bool(crossed and not small),
                             "credible": bool(crossed and credible and not small), "owner": rule.owner, "message": msg})
    return pd.DataFrame(rows)
