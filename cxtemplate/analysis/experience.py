"""Notebook 04's glue: headline metrics, finding sentences and the driver analysis bundle.

The statistics live in :mod:`metrics`, :mod:`trends`, :mod:`segments`, :mod:`drivers` and
:mod:`people`; this module combines their outputs into the tables and one-sentence findings a
stakeholder reads, so the notebook stays a sequence of calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.measure.trends import compare_periods, period_table
from cxtemplate.report.display import fmt_p


def _fmt_value(spec: MetricSpec, v: float) -> str:
    return f"{v:.2f}" if spec.kind == "mean" else f"{v:.1f}"


def headline(responses: pd.DataFrame, specs: dict[str, MetricSpec], *, freq: str, as_of, baseline: str | None,
             conf: float = 0.95, time_col: str = "responded_at") -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The latest period of every metric with its interval, change vs previous and vs baseline.

    Returns
    -------
    (DataFrame, dict)
        One row per metric (value, interval, n, changes with BH-adjusted p over the metric's
        periods), and each metric's full period table with comparisons (for charts).
    """
    rows, tables = [], {}
    last = pd.Period(pd.Timestamp(as_of), freq)
    for key, spec in specs.items():
        df = responses[[spec.column, time_col]][responses[spec.column].notna() & responses[time_col].notna()]
        t = period_table(df, spec, time_col, freq=freq)
        t = t[pd.PeriodIndex(t["period"], freq=freq) <= last].reset_index(drop=True)
        if t.empty:
            continue
        base = "first"
        if baseline is not None and pd.Period(baseline, freq) in set(t["period"]):
            base = pd.Period(baseline, freq)
        t = compare_periods(t, spec, baseline=base)
        tables[key] = t
        r = t.iloc[-1]
        rows.append({"key": key, "metric": spec.name, "unit": spec.unit, "period": r["period"], "value": r["value"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": int(r["n"]),
                     "change_prev": r.get("change_prev"), "p_adj_prev": r.get("p_adj_prev"),
                     "baseline": r.get("baseline"), "change_base": r.get("change_base"), "p_adj_base": r.get("p_adj_base")})
    return pd.DataFrame(rows), tables


def headline_sentence(row: pd.Series, spec: MetricSpec, alpha: float = 0.05) -> str:
    """'NPS was 12.2 in 2025-12 (95% CI 6.2 to 18.0, n = 773): no significant change …'."""
    v = _fmt_value(spec, row["value"])
    text = (f"**{spec.name} was {v}** in {row['period']} (95% CI {_fmt_value(spec, row['ci_low'])} to "
            f"{_fmt_value(spec, row['ci_high'])}, n = {row['n']:,})")
    parts = []
    for label, ch, p in (("the previous period", row.get("change_prev"), row.get("p_adj_prev")),
                         (f"the baseline {row.get('baseline')}", row.get("change_base"), row.get("p_adj_base"))):
        if ch is None or pd.isna(ch):
            continue
        sig = p is not None and not pd.isna(p) and p < alpha
        parts.append(f"{ch:+.{2 if spec.kind == 'mean' else 1}f} vs {label} "
                     f"({'significant' if sig else 'not significant'}, adjusted p {fmt_p(p)})")
    return text + (": " + "; ".join(parts) + "." if parts else ".")


def step_sentence(steps: pd.DataFrame, group_label: str, spec: MetricSpec) -> str:
    """One sentence on the significant steps found (or that none were)."""
    sig = steps[steps["significant"]] if "significant" in steps.columns else steps.iloc[0:0]
    if sig.empty:
        return (f"No {group_label} shows a lasting step change in {spec.name} beyond what chance produces "
                f"(each series tested for its single most likely break, calibrated by permutation and adjusted across {len(steps)} series).")
    parts = [f"**{r[steps.columns[0]]}** from {r['step_period']} ({r['change']:+.1f}, adjusted p {fmt_p(r['p_adj'])})"
             for _, r in sig.sort_values("p_adj").iterrows()]
    return f"{spec.name} stepped {'down' if sig['change'].iloc[0] < 0 else 'up'} and stayed there in " + "; ".join(parts) + "."


def segment_sentence(table: pd.DataFrame, spec: MetricSpec, alpha: float = 0.05) -> str:
    """The segment levels significantly above and below the rest."""
    ok = table[table["p_adj"].notna()]
    lo = ok[(ok["p_adj"] < alpha) & (ok["diff"] < 0)].sort_values("diff")
    hi = ok[(ok["p_adj"] < alpha) & (ok["diff"] > 0)].sort_values("diff", ascending=False)
    fmt = lambda r: f"{r['level']} ({r['segment'].replace('_', ' ')}, {r['diff']:+.1f})"  # noqa: E731
    text = f"Compared with everyone else, {len(lo)} segment levels score significantly lower on {spec.name}"
    text += f" — most of all {', '.join(fmt(r) for _, r in lo.head(3).iterrows())}" if len(lo) else ""
    text += f"; {len(hi)} score higher" + (f", led by {', '.join(fmt(r) for _, r in hi.head(2).iterrows())}" if len(hi) else "") + "."
    return text


@dataclass
class DriverAnalysis:
    """Key-driver results for one outcome: importance with intervals, the alternative method, IPA."""

    shapley: object
    relative: object
    ipa: pd.DataFrame
    outcome: str

    def table(self, labels: dict[str, str]) -> pd.DataFrame:
        """Driver, share of explained variance with interval, sign, performance and quadrant."""
        t = self.shapley.table.copy()
        rw = self.relative.table.set_index("driver")["share_pct"]
        ipa = self.ipa.set_index("driver") if "driver" in self.ipa.columns else self.ipa
        out = pd.DataFrame({
            "Driver": t["driver"].map(lambda d: labels.get(d, d)),
            "Share of R² %": t["share_pct"], "95% CI": [f"{lo:.0f} to {hi:.0f}" for lo, hi in zip(t.get("share_low", t["share_pct"]), t.get("share_high", t["share_pct"]))],
            "Relative weights %": t["driver"].map(rw), "Direction": t["sign"].map({1: "+", -1: "−"}).fillna(t["sign"].astype(str)),
            "Mean rating": t["driver"].map(ipa["performance"]) if "performance" in ipa.columns else None,
            "Quadrant": t["driver"].map(ipa["quadrant"]) if "quadrant" in ipa.columns else None,
            "driver": t["driver"]})
        return out.sort_values("Share of R² %", ascending=False, ignore_index=True)


DRIVER_BOOT_SAMPLE = 50_000
"""Above this many complete responses the driver bootstrap resamples a random subsample of this many and
rescales the intervals to all responses (m-out-of-n bootstrap, :func:`cxtemplate.analysis.drivers.bootstrap_importance`);
point estimates use every response. ``tests/analysis/test_drivers.py`` checks the rescaled intervals' coverage of a known
population importance (about 90% for 90% intervals) and that they are about as wide as the full bootstrap's."""


def analyse_drivers(responses: pd.DataFrame, outcome: str, drivers: list[str], *, n_boot: int = 300,
                    seed: int = 0, conf: float = 0.95, boot_sample_above: int | None = DRIVER_BOOT_SAMPLE) -> DriverAnalysis:
    """Shapley importance with bootstrap intervals, Johnson's weights, and the IPA quadrants."""
    from cxtemplate.analysis.drivers import bootstrap_importance, importance_performance, relative_weights

    sh = bootstrap_importance(responses, outcome, drivers, method="shapley", n_boot=n_boot, seed=seed, conf=conf,
                              sample_above=boot_sample_above)
    rw = relative_weights(responses, outcome, drivers)
    perf = responses[drivers].mean()
    ipa = importance_performance(sh.share, perf)
    return DriverAnalysis(shapley=sh, relative=rw, ipa=ipa.reset_index() if "driver" not in ipa.columns else ipa,
                          outcome=outcome)


def driver_interval_note(analysis: DriverAnalysis) -> str:
    """How the intervals were computed (stating the bootstrap subsample when one was used)."""
    info = analysis.shapley.info
    m = info.get("boot_sample")
    text = f"95% intervals from {info.get('n_boot', 0):,} bootstrap replicates"
    if m:
        text += (f" of a random subsample of {m:,} of the {analysis.shapley.n:,} complete responses, rescaled to all of "
                 f"them (m-out-of-n bootstrap, used above {m:,} responses)")
    return text + "."


def driver_sentence(analysis: DriverAnalysis, labels: dict[str, str]) -> str:
    """The top drivers and the ones to concentrate on."""
    t = analysis.table(labels)
    top = ", ".join(f"{r['Driver']} ({r['Share of R² %']:.0f}%)" for _, r in t.head(3).iterrows())
    conc = t[t["Quadrant"].astype(str).str.lower().str.startswith("concentrate")]["Driver"].tolist()
    sh = analysis.shapley
    text = (f"The seven ratings explain {100 * sh.r2:.0f}% of the variation in {analysis.outcome.upper()} "
            f"(n = {sh.n:,}); the strongest drivers are {top}.")
    if conc:
        text = text.replace("The seven", f"The {len(t)}")
        text += f" **Concentrate here:** {', '.join(conc)} — important and rated below average."
    else:
        text = text.replace("The seven", f"The {len(t)}")
    return text


def drivers_by_segment_wide(by_seg: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Drivers as rows, segments as columns (share of R², %), plus R² and n rows."""
    seg_col = by_seg.columns[0]
    ok = by_seg[by_seg["status"] == "ok"] if "status" in by_seg.columns else by_seg
    if ok.empty:
        return pd.DataFrame()
    wide = ok.pivot_table(index="driver", columns=seg_col, values="share_pct", observed=True)
    order = wide.mean(axis=1).sort_values(ascending=False).index
    wide = wide.loc[order]
    wide.index = [labels.get(d, d) for d in wide.index]
    extra = ok.groupby(seg_col, observed=True).agg(r2=("r2", "first"), n=("n", "first")).T
    extra.loc["r2"] *= 100
    extra.index = ["R² % (variance explained)", "n (responses)"]
    out = pd.concat([wide, extra])
    out.index.name = "Driver"
    return out.reset_index()


def shifted_metric_change(scores: pd.Series, delta: float, spec: MetricSpec) -> float:
    """Change in a metric if every score rose by ``delta`` scale points (a uniform shift).

    Discrete scores are treated as rounded readings of a continuous rating (each score ``s``
    spread evenly over ``[s − ½, s + ½]``), so a fractional shift moves the matching fraction of
    respondents across a category boundary. For a mean the change is ``delta`` itself (within
    the scale).
    """
    import numpy as np

    s = scores.dropna().to_numpy(float)
    if s.size == 0:
        return float("nan")
    lo, hi = spec.scale

    def above(cut: float, shift: float) -> float:
        # share of the spread-out ratings above `cut` after shifting by `shift`
        return float(np.clip(s + 0.5 + shift - cut, 0, 1).mean())

    if spec.kind == "nps":
        now = 100 * (above(8.5, 0) - (1 - above(6.5, 0)))
        new = 100 * (above(8.5, delta) - (1 - above(6.5, delta)))
        return new - now
    if spec.kind == "top_box":
        cut = spec.success_min - 0.5
        return 100 * (above(cut, delta) - above(cut, 0))
    return float(np.clip(s + delta, lo, hi).mean() - s.mean())


def driver_gains(responses: pd.DataFrame, analysis: DriverAnalysis, spec: MetricSpec) -> pd.DataFrame:
    """Expected change in the outcome metric if each driver below average rose to the average.

    The driver's full-model regression coefficient (from the Shapley table's standardized beta)
    converts the rating gap into an outcome shift, which :func:`shifted_metric_change` turns into
    metric points. It is a what-if under the driver model, not a causal guarantee.
    """
    t = analysis.shapley.table.set_index("driver")
    drivers = list(t.index)
    data = responses[[spec.column, *drivers]].dropna()
    centre = data[drivers].mean().mean()
    rows = []
    for d in drivers:
        b_raw = float(t.loc[d, "beta"]) * data[spec.column].std() / data[d].std()
        gap = max(0.0, centre - data[d].mean())
        delta = b_raw * gap
        rows.append({"driver": d, "mean_rating": data[d].mean(), "target_rating": centre if gap > 0 else data[d].mean(),
                     "gap": gap, "outcome_shift": delta,
                     "metric_gain": shifted_metric_change(data[spec.column], delta, spec) if gap > 0 else 0.0})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- comments at scale

TOPIC_FIT_SAMPLE = 20_000
"""Above this many comments, topics are found on a random sample of this many comments (stated on the
page) and every comment is then assigned to them. ``bench/bench_comments.py`` measures what the
sample changes (the number of topics chosen, their words and the comments assigned to them)."""


@dataclass
class CommentTopics:
    """Topics fitted on all comments or on a sample, with every comment's membership."""

    model: object
    membership: pd.DataFrame
    n_comments: int
    n_fitted: int
    note: str


def comment_topics(comments: pd.Series, *, seed: int = 0, sample_above: int | None = TOPIC_FIT_SAMPLE) -> CommentTopics:
    """Fit comment topics (:func:`cxtemplate.analysis.text.topics.fit_topics`), on a random sample above ``sample_above``.

    Every comment is then assigned to the topics by :func:`cxtemplate.analysis.text.topics.assign_topics` (sentence by
    sentence; each distinct text once); with a sample, the topics' ``share`` and ``dominant_share`` are
    recomputed on all comments (the examples stay those of the sample).

    Returns
    -------
    CommentTopics
        ``membership`` has the index of ``comments`` and one column per issue topic; ``note`` states the
        sample when one was used.
    """
    import numpy as np

    from cxtemplate.analysis.text import topics as text

    n = len(comments)
    if sample_above is None or n <= sample_above:
        model = text.fit_topics(comments, seed=seed)
        return CommentTopics(model, _assign_distinct(model, comments)[0], n, n, "")
    pick = np.sort(np.random.default_rng(seed).choice(n, sample_above, replace=False))
    model = text.fit_topics(comments.iloc[pick], seed=seed)
    member, shares, dominant = _assign_distinct(model, comments)
    model.topics = model.topics.assign(share=shares, dominant_share=dominant)
    note = (f"Topics were found on a random sample of {sample_above:,} of the {n:,} comments (above "
            f"{sample_above:,} comments a sample is used: the fit's cost grows with the comments while the "
            f"topics barely change); every comment was then assigned to them, and the shares are those of all comments.")
    return CommentTopics(model, member, n, sample_above, note)


def _assign_distinct(model, comments: pd.Series):
    """Issue-topic membership of every comment, and every topic's share and dominant share over all comments.

    :func:`cxtemplate.analysis.text.topics.assign_topics` and :func:`cxtemplate.analysis.text.topics.topic_weights` on each distinct
    text once (survey exports repeat stock phrases), spread back to every comment.
    """
    import numpy as np

    from cxtemplate.analysis.text import topics as text

    s = comments.where(comments.map(lambda v: isinstance(v, str)), None).astype(object).fillna("")
    codes, uniq = pd.factorize(s)
    uniq = pd.Series(uniq, dtype=object)
    member_all = text.assign_topics(model, uniq, include_general=True).to_numpy()[codes]
    weight = text.topic_weights(model, uniq).to_numpy()[codes]
    nonblank = (s.str.strip() != "").to_numpy()
    has = weight.sum(axis=1) > 0
    dom = np.where(has, weight.argmax(axis=1), -1)
    k = member_all.shape[1]
    shares = [float(member_all[nonblank, t].mean()) if nonblank.any() else 0.0 for t in range(k)]
    dominant = [float((dom[has] == t).mean()) if has.any() else 0.0 for t in range(k)]
    member = pd.DataFrame(member_all, index=comments.index, columns=model.labels)[model.issue_labels]
    return member, shares, dominant
