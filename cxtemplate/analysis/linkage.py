"""Experience–performance linkage: which operational KPIs move a CX metric, and by how much.

* :func:`kpi_panel` — the metric per location × period (value, n, se, interval) joined to the KPIs
  of that location and period, pivoted wide; optionally the KPIs of ``lag`` periods earlier too.
* :func:`kpi_effects` — each KPI's effect by weighted least squares on the cells with **location
  fixed effects** (only month-to-month variation *within* a location is used, so stable differences
  between locations cannot masquerade as KPI effects); one model per KPI and a joint model;
  cluster-robust or heteroskedasticity-robust errors; BH-adjusted p across KPIs.
* :func:`binned_relationship` — the metric by quantile bins of a KPI, to see thresholds.
* :func:`plot_kpi_effects` (forest plot) and :func:`plot_binned`.

Choices. **Weights**: ``"n"`` (default) weights a cell by its responses, which makes the slope the
response-level regression on cell-level KPIs, i.e. an average marginal effect over responses;
``"precision"`` (``1/se²``) is the option, because a share's estimated se depends on the cell's own
value (cells near 0% or 100% look precise), which tilts the slope. **Errors**: ``"cluster"``
(default) clusters by location (CR1, factor ``G/(G−1)·(N−1)/(N−K)``, Student t with ``G − 1`` df),
allowing any correlation of a location's cells over time (a local event lasting months); with under
about 10 locations they are approximate and the note says so; across 40 synthetic organisations
with 8 locations the 95% interval covered the planted effect in 39. ``"hc1"``/``"hc3"`` assume
independent cells (they under-covered, 83–93%). One location: clustering is impossible, HC1 is
used. **Period fixed effects** (``period_effects=True``) also remove whatever all locations share
in a month (seasonal mood, a national campaign, an outage); the price is that a KPI that moves in
step everywhere (seasonal demand → seasonal wait) loses that common variation, so intervals widen
and a genuine effect of a common shock is no longer counted. Off by default.
Effects are associations within locations over time, not proof of cause; a KPI acting through
another (staffing → wait → CSAT) shows alone but not in the joint model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from cxtemplate.errors import check_choice
from cxtemplate.measure.inference import adjust_bh
from cxtemplate.measure.metrics import infer_kind, stats_from_table, stats_to_metric, summarise
from cxtemplate.measure.spec import MetricSpec, z_value

__all__ = ["KpiEffects", "kpi_panel", "kpi_effects", "binned_relationship", "plot_kpi_effects",
           "plot_binned", "kpi_label"]

_SUFFIX_UNITS = (("_minutes", "minute"), ("_mins", "minute"), ("_seconds", "second"), ("_secs", "second"),
                 ("_hours", "hour"), ("_days", "day"), ("_fte", "FTE"), ("_pct", "percentage point"),
                 ("_percent", "percentage point"))
_METRIC_UNIT = {"nps": "NPS points", "top_box": "percentage points", "mean": "points"}


def kpi_label(kpi: str, units: dict | None = None) -> tuple[str, str]:
    """Name and unit of a KPI column (``"wait_time_minutes"`` → ``("wait time", "minute")``); ``units`` overrides."""
    suf = next(((s, u) for s, u in _SUFFIX_UNITS if kpi.endswith(s)), ("", "point"))
    name = kpi[: len(kpi) - len(suf[0])] if suf[0] else kpi
    return name.replace("_", " ").strip(), (units or {}).get(kpi, suf[1])


def _to_periods(values, freq: str) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.asfreq(freq) if s.dt.freqstr[0] != freq[0] else s
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s.astype("string"), errors="coerce")
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    return s.dt.to_period(freq)


def _freq(freq: str) -> str:
    f = {"M": "M", "ME": "M", "MONTH": "M", "Q": "Q", "QE": "Q", "QUARTER": "Q"}.get(str(freq).upper())
    if f is None:
        check_choice("freq", freq, ("M", "Q"))
    return f


def _ops_wide(operations: pd.DataFrame, freq: str, location_col: str) -> pd.DataFrame:
    if missing := {"period", "kpi", "value", location_col} - set(operations.columns):
        raise KeyError(f"operations table lacks column(s) {sorted(missing)} (needs period, location, kpi, value)")
    ops = pd.DataFrame({"location": operations[location_col].to_numpy(),
                        "period": _to_periods(operations["period"], freq).to_numpy(),
                        "kpi": operations["kpi"].astype(str).to_numpy(),
                        "value": pd.to_numeric(operations["value"], errors="coerce").to_numpy()})
    wide = ops.dropna(subset=["location", "period"]).pivot_table(index=["location", "period"], columns="kpi",
                                                                 values="value", aggfunc="mean")
    wide.columns.name = None
    return wide.reset_index()


def kpi_panel(responses: pd.DataFrame, operations: pd.DataFrame | None, spec: MetricSpec, lag: int = 0,
              freq: str = "M", *, time_col: str = "responded_at", location_col: str = "location",
              conf: float = 0.95) -> pd.DataFrame:
    """The CX metric per location × period joined to the operational KPIs of that cell.

    Parameters
    ----------
    responses : DataFrame
        Survey responses with ``location_col``, ``time_col`` (or ``period``) and the score column.
    operations : DataFrame or None
        Long table ``period, location, kpi, value``; ``None`` or empty: metric cells only, with a note.
    spec : MetricSpec
        The metric, e.g. ``csat_spec()`` (top-2-box) or ``csat_spec(method="mean")``.
    lag : int
        Also join each KPI of ``lag`` periods earlier, as ``<kpi>_lag<lag>`` (0: none).
    freq : {"M", "Q"}
        Cell period; monthly KPIs are averaged within a quarter.
    time_col, location_col, conf
        Response time and location columns; confidence level of the cell intervals.

    Returns
    -------
    DataFrame
        One row per location × period with responses: ``location``, ``period`` (pandas Period),
        the :func:`~cxtemplate.measure.metrics.summarise` columns (``value``, ``n``, ``se``, ``ci_low``,
        ``ci_high``, sufficient statistics), then one column per KPI (NaN where not reported) and
        the lagged KPI columns. ``attrs``: ``kpis``, ``lag``, ``freq``, ``metric``, ``note``.
    """
    f = _freq(freq)
    if lag < 0:
        raise ValueError("lag must be 0 or positive (a KPI of an earlier period explains a later metric)")
    for c in (location_col, spec.column):
        if c not in responses.columns:
            raise KeyError(f"responses table lacks column {c!r}")
    when = responses[time_col] if time_col in responses.columns else responses["period"]
    if pd.api.types.is_datetime64_any_dtype(when.dtype):
        # integer period codes (no Period object per response: millions of them cost seconds)
        from cxtemplate.measure.trends import period_codes

        codes, periods = period_codes(when, f)
        period = pd.Categorical.from_codes(codes, categories=periods)
    else:
        period = _to_periods(when, f).to_numpy()
    work = pd.DataFrame({"location": responses[location_col].to_numpy(), "period": period,
                         spec.column: responses[spec.column].to_numpy()})
    cells = summarise(work, spec, by=["location", "period"], conf=conf)
    cells["period"] = pd.PeriodIndex(cells["period"].to_numpy(), freq=f)
    kpis: list[str] = []
    note = ""
    if operations is None or len(operations) == 0:
        note = "No operational KPIs were supplied, so the metric cannot be linked to operations."
    else:
        wide = _ops_wide(operations, f, location_col)
        kpis = [c for c in wide.columns if c not in ("location", "period")]
        cells = cells.merge(wide, on=["location", "period"], how="left")
        if lag:
            lagged = wide.assign(period=wide["period"] + lag).rename(columns={k: f"{k}_lag{lag}" for k in kpis})
            cells = cells.merge(lagged, on=["location", "period"], how="left")
        matched = cells[kpis].notna().any(axis=1)
        if not matched.any():
            note = "No location × period of the survey matches the operations table (check location names and periods)."
        elif not matched.all():
            note = f"{int((~matched).sum()):,} of {len(cells):,} location-periods have no operational KPIs."
    cells = cells.sort_values(["location", "period"], kind="stable").reset_index(drop=True)
    cells.attrs.update(kpis=kpis, lag=int(lag), freq=f, metric=spec.name, note=note)
    return cells


# --------------------------------------------------------------------------- estimation
def _design_fe(loc: np.ndarray, per: np.ndarray, location_effects: bool, period_effects: bool) -> np.ndarray:
    cols = [np.eye(loc.max() + 1)[loc]] if location_effects else [np.ones((loc.size, 1))]
    if period_effects and per.max() > 0:
        cols.append(np.eye(per.max() + 1)[per][:, 1:])
    return np.hstack(cols)


def _residualise(X: np.ndarray, D: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(D * sw, X * sw, rcond=None)[0]
    return X - D @ coef


def _wls(y, X, D, w, clusters, se_type):
    """Slopes of ``X`` in a WLS of ``y`` on ``[X, D]`` with their covariance, residual df and test df."""
    Z = np.hstack([X, D])
    sw = np.sqrt(w)
    Zt, yt = Z * sw[:, None], y * sw
    bread = np.linalg.pinv(Zt.T @ Zt)
    beta = bread @ (Zt.T @ yt)
    e = yt - Zt @ beta
    N, k = Zt.shape
    rank = np.linalg.matrix_rank(Zt)
    dfr = N - rank
    G = int(clusters.max()) + 1
    if se_type == "cluster":
        S = np.zeros((G, k))
        np.add.at(S, clusters, Zt * e[:, None])
        meat, c, df = S.T @ S, G / (G - 1) * (N - 1) / max(dfr, 1), G - 1
    elif se_type == "hc3":
        h = np.einsum("ij,jk,ik->i", Zt, bread, Zt)
        u = e / np.clip(1 - h, 1e-8, None)
        meat, c, df = (Zt * u[:, None]).T @ (Zt * u[:, None]), 1.0, dfr
    else:
        meat, c, df = (Zt * e[:, None]).T @ (Zt * e[:, None]), N / max(dfr, 1), dfr
    p = X.shape[1]
    return beta[:p], (c * bread @ meat @ bread)[:p, :p], df


@dataclass
class KpiEffects:
    """Effects of operational KPIs on a CX metric (see :func:`kpi_effects`).

    Attributes
    ----------
    table : DataFrame
        One row per model × KPI: ``model`` (``"single"``: the KPI alone; ``"joint"``: all estimable
        KPIs together), ``kpi``, ``label``, ``unit``, ``per`` (KPI step the effect refers to),
        ``effect`` (metric change per step), ``se``, ``ci_low``, ``ci_high``, ``df``, ``p``, ``p_adj``
        (BH within the model), ``significant``, ``sd_within`` (the KPI's typical swing within a
        location, in ``unit``), ``effect_per_sd`` with ``ci_low_per_sd``/``ci_high_per_sd``, ``vif``
        (joint model), ``n_cells``, ``n_responses``, ``n_locations``, ``effect_unit``, ``sentence``.
    note : str
        What the numbers mean and any caveat (few locations, KPIs left out).
    settings : dict
        The options used.
    """

    table: pd.DataFrame
    note: str
    settings: dict = field(default_factory=dict)

    def significant(self, model: str = "joint") -> pd.DataFrame:
        """Rows of one model whose BH-adjusted p is below ``alpha``."""
        return self.table[(self.table["model"] == model) & self.table["significant"]]

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return {"note": self.note, "settings": dict(self.settings),
                "table": self.table.astype(object).where(self.table.notna(), None).to_dict(orient="records")}


_COLUMNS = ["model", "kpi", "label", "unit", "per", "effect", "se", "ci_low", "ci_high", "df", "p", "p_adj",
            "significant", "sd_within", "effect_per_sd", "ci_low_per_sd", "ci_high_per_sd", "vif", "n_cells",
            "n_responses", "n_locations", "effect_unit", "sentence"]


def _fmt(x: float) -> str:
    """A number for a sentence, about two significant figures, with a true minus sign."""
    return (f"{x:.3f}" if abs(x) < 0.1 else f"{x:.2f}" if abs(x) < 1 else f"{x:.1f}").replace("-", "−")


def _metric_text(spec: MetricSpec) -> str:
    """``"CSAT top-2-box"``, ``"CSAT mean"`` or ``"NPS"``: the metric as a sentence names it."""
    if spec.kind == "top_box":
        k = spec.scale[1] - spec.success_min + 1
        return f"{spec.name} top-{k:g}-box" if float(k).is_integer() else f"{spec.name} top box"
    return f"{spec.name} mean" if spec.kind == "mean" else spec.name


def _sentence(label: str, unit: str, per: float, metric: str, munit: str, eff: float, lo: float, hi: float,
              sig: bool, conf: float, within: str) -> str:
    pct = f"{conf * 100:g}% CI"
    step = f"extra {unit} of {label}" if per == 1 else f"extra {per:g} {unit}s of {label}"
    if not np.isfinite(eff):
        return f"The link between {label} and {metric} could not be estimated (see the note)."
    if sig:
        word = "lower" if eff < 0 else "higher"
        a, b = sorted((abs(lo), abs(hi)))
        return (f"Each {step} goes with {metric} about {_fmt(abs(eff))} {munit} {word} "
                f"({pct} {_fmt(a)} to {_fmt(b)}), comparing periods {within}.")
    return (f"No clear link between {label} and {metric} {within}: each {step} goes with "
            f"{'+' if eff >= 0 else ''}{_fmt(eff)} {munit} ({pct} {_fmt(lo)} to {_fmt(hi)}).")


def _lagged(panel: pd.DataFrame, kpis: list[str], lag: int) -> tuple[pd.DataFrame, list[str]]:
    cols = [f"{k}_lag{lag}" for k in kpis]
    if all(c in panel.columns for c in cols):
        return panel, cols
    src = panel[["location", "period"] + kpis].rename(columns=dict(zip(kpis, cols)))
    src["period"] = src["period"] + lag
    return panel[[c for c in panel.columns if c not in cols]].merge(src, on=["location", "period"], how="left"), cols


def _fit(data, w_all, base_ok, se, location_effects, period_effects, conf, names, cols, model):
    """One WLS model with fixed effects; rows per KPI and flags ({"hc1_fallback", "no_fe_variation", ...})."""
    X = data[cols].to_numpy(float)
    ok = base_ok & np.isfinite(X).all(axis=1)
    rows = [dict(model=model, kpi=k, n_cells=int(ok.sum()), n_responses=int(data["n"].to_numpy()[ok].sum()))
            for k in names]
    loc = pd.factorize(data["location"].to_numpy()[ok], sort=True)[0]
    G = int(loc.max()) + 1 if loc.size else 0
    for r in rows:
        r["n_locations"] = G
    if ok.sum() < 3:
        return rows, {"too_few_cells"}
    if G < 2 and period_effects and location_effects:
        return rows, {"one_location_two_way"}
    y, X, w = data["value"].to_numpy(float)[ok], X[ok], w_all[ok]
    D = _design_fe(loc, pd.factorize(data["period"].to_numpy()[ok], sort=True)[0], location_effects, period_effects)
    R = _residualise(X, D, w)
    sd_w = np.sqrt((w[:, None] * R ** 2).sum(axis=0) / w.sum())
    spread = np.sqrt((w[:, None] * (X - np.average(X, axis=0, weights=w)) ** 2).sum(axis=0) / w.sum())
    ident = sd_w > 1e-8 * spread + 1e-12
    for r, s in zip(rows, sd_w):
        r["sd_within"] = s
    if not ident.any():
        return rows, set()
    se_use = "hc1" if se == "cluster" and G < 2 else se
    beta, V, df = _wls(y, X[:, ident], D, w, loc, se_use)
    Ri = R[:, ident]
    C = (Ri * w[:, None]).T @ Ri
    vif = np.diag(np.linalg.pinv(C)) * np.diag(C) if model == "joint" else np.full(len(beta), np.nan)
    sev = np.sqrt(np.clip(np.diag(V), 0, None))
    tq = _st.t.ppf(0.5 + conf / 2, df)
    for j, b, s, v in zip(np.flatnonzero(ident), beta, sev, vif):
        p = 2 * _st.t.sf(abs(b / s), df) if s > 0 else np.nan
        rows[j].update(coef=b, coef_se=s, df=float(df), tq=tq, p=p, vif=v)
    return rows, ({"hc1_fallback"} if se_use != se else set())


def kpi_effects(panel: pd.DataFrame, kpis: Sequence[str] | None = None, spec: MetricSpec | None = None,
                lag: int = 0, *, weights: str = "n", se: str = "cluster", location_effects: bool = True,
                period_effects: bool = False, per: dict | None = None, units: dict | None = None,
                conf: float = 0.95, alpha: float = 0.05, min_n: int = 1) -> KpiEffects:
    """Each KPI's effect on the CX metric within locations, alone and jointly.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`kpi_panel`.
    kpis : list of str, optional
        KPI columns; default every KPI of the panel.
    spec : MetricSpec, optional
        The metric (names and units); inferred from the panel when omitted.
    lag : int
        Use each KPI of ``lag`` periods earlier (0: same period): the panel's ``<kpi>_lag<lag>``
        columns when :func:`kpi_panel` made them, else shifted within the panel (a period without
        responses then leaves the next one without its lagged KPI).
    weights : {"n", "precision"}
        Cell weights: responses, or ``1/se²`` (see the module notes).
    se : {"cluster", "hc1", "hc3"}
        Clustered by location (default), or heteroskedasticity-robust.
    location_effects, period_effects : bool
        Location fixed effects (default on); period fixed effects (default off; see the module notes).
    per, units : dict, optional
        KPI step of the reported effect (default 1 unit, or 0.01 = one percentage point for a KPI
        whose values lie in [0, 1]) and unit word (default guessed from the name), by KPI.
    conf, alpha, min_n
        Confidence level; false-discovery rate for ``significant``; cells with fewer responses are dropped.

    Returns
    -------
    KpiEffects
        Table, plain-language note and settings.
    """
    check_choice("se", se, ("cluster", "hc1", "hc3"))
    check_choice("weights", weights, ("n", "precision"))
    kind = spec.kind if spec is not None else infer_kind(panel)
    metric = _metric_text(spec) if spec is not None else str(panel.attrs.get("metric", "the metric"))
    munit = _METRIC_UNIT[kind] if kind != "mean" or spec is None else f"points on the {spec.scale[0]:g}–{spec.scale[1]:g} scale"
    kpis = list(kpis) if kpis is not None else list(panel.attrs.get("kpis", []))
    settings = dict(metric=metric, kind=kind, lag=int(lag), weights=weights, se=se,
                    location_effects=location_effects, period_effects=period_effects, conf=conf)
    empty = pd.DataFrame(columns=_COLUMNS)
    if not kpis:
        return KpiEffects(empty, panel.attrs.get("note") or "No operational KPIs to link to the metric.", settings)
    absent = [k for k in kpis if k not in panel.columns]
    if absent:
        raise KeyError(f"KPI column(s) {absent} are not in the panel (KPIs: {panel.attrs.get('kpis')})")
    data, cols = _lagged(panel, kpis, lag) if lag else (panel, kpis)
    w = data["n"].to_numpy(float)
    if weights == "precision":
        se_c = data["se"].to_numpy(float)
        st = stats_from_table(data, kind)
        tot = stats_to_metric(kind, {k: np.nansum(v, keepdims=True) for k, v in st.items()}, conf,
                              scale=spec.scale if spec else None)
        pooled_var = tot["se"][0] ** 2 * np.nansum(st["n"])
        w = 1 / np.where((se_c > 0) & np.isfinite(se_c), se_c ** 2, pooled_var / np.maximum(w, 1))
    ok = (data["n"].to_numpy() >= max(min_n, 1)) & np.isfinite(data["value"].to_numpy(float))
    args = (data, w, ok, se, location_effects, period_effects, conf)
    rows, flags = [], set()
    for k, c in zip(kpis, cols):
        r, f = _fit(*args, [k], [c], "single")
        rows += r
        flags |= f
    good = [i for i, r in enumerate(rows) if np.isfinite(r.get("coef", np.nan))]
    if len(good) > 1:
        r, f = _fit(*args, [kpis[i] for i in good], [cols[i] for i in good], "joint")
        rows += r
        flags |= f
    t = pd.DataFrame(rows).reindex(columns=list(dict.fromkeys(list(rows[0]) + [
        "coef", "coef_se", "df", "tq", "p", "vif", "sd_within", "n_responses", "n_locations"])))
    # a KPI whose values all lie in [0, 1] (and has no unit) is a share: it steps by 1 percentage point
    vals = {k: data[k].to_numpy(float)[np.isfinite(data[k].to_numpy(float))] for k in kpis}
    share = {k: bool(v.size and v.min() >= 0 and v.max() <= 1 and kpi_label(k, units)[1] == "point"
                     and k not in (units or {})) for k, v in vals.items()}
    is_share = t["kpi"].map(share).to_numpy(bool)
    t["label"] = [kpi_label(k, units)[0] for k in t["kpi"]]
    t["unit"] = np.where(is_share, "percentage point", [kpi_label(k, units)[1] for k in t["kpi"]])
    t["per"] = [float((per or {}).get(k, 0.01 if share[k] else 1.0)) for k in t["kpi"]]
    shown = np.where(is_share, t["per"] / 0.01, t["per"]).round(10)        # the step in its own unit
    t["effect"], t["se"] = t["coef"] * t["per"], t["coef_se"] * t["per"]
    t["ci_low"], t["ci_high"] = t["effect"] - t["tq"] * t["se"], t["effect"] + t["tq"] * t["se"]
    t["effect_per_sd"] = t["coef"] * t["sd_within"]
    t["ci_low_per_sd"] = (t["coef"] - t["tq"] * t["coef_se"]) * t["sd_within"]
    t["ci_high_per_sd"] = (t["coef"] + t["tq"] * t["coef_se"]) * t["sd_within"]
    t["sd_within"] *= np.where(is_share, 100.0, 1.0)
    t["p_adj"] = t.groupby("model")["p"].transform(lambda x: adjust_bh(x.to_numpy(float)))
    t["significant"] = (t["p_adj"] < alpha).to_numpy()
    within = "within the same location" if location_effects else "across locations and periods"
    t["effect_unit"] = [f"{metric}, {munit} per +{s:g} {u}{'' if s == 1 else 's'} of {lab}"
                        for s, u, lab in zip(shown, t["unit"], t["label"])]
    t["sentence"] = [_sentence(lab, u, s, metric, munit, e, lo, hi, bool(sig), conf, within)
                     for lab, u, s, e, lo, hi, sig in zip(t["label"], t["unit"], shown, t["effect"], t["ci_low"],
                                                          t["ci_high"], t["significant"])]
    G = int(t["n_locations"].max()) if t["n_locations"].notna().any() else 0
    se_text = "HC1" if "hc1_fallback" in flags else se.upper()
    notes = [f"Effects compare periods {within}"
             + (", after removing what all locations share in a period" if period_effects else "")
             + f"; cells weighted by {'responses' if weights == 'n' else 'precision (1/se²)'}; "
             + (f"standard errors clustered by location ({G} locations)" if se_text == "CLUSTER"
                else f"{se_text} standard errors")
             + ". They are associations, not proof of cause: a KPI that acts through another "
               "(staffing → wait) shows alone but not in the joint model."]
    if "hc1_fallback" in flags:
        notes.append("Only one location: clustering by location is impossible, so heteroskedasticity-robust "
                     "(HC1) errors are used and the link rests on changes over time in that location alone.")
    elif se == "cluster" and 2 <= G < 10:
        notes.append(f"With only {G} locations the clustered intervals are approximate (t with {G - 1} df).")
    if "one_location_two_way" in flags:
        notes.append("Only one location: location and period fixed effects together leave no variation to "
                     "learn from; drop period_effects.")
    unident = t.loc[t["coef"].isna() & (t["model"] == "single"), "kpi"].tolist()
    if unident and "one_location_two_way" not in flags:
        notes.append(f"Not estimable (no variation within locations, or too few cells): {', '.join(unident)}.")
    t = t.drop(columns=["coef", "coef_se", "tq"])[_COLUMNS]
    return KpiEffects(t.reset_index(drop=True), " ".join(notes), settings)


# --------------------------------------------------------------------------- binned view and charts
def binned_relationship(panel: pd.DataFrame, kpi: str, bins: int | Sequence[float] = 5,
                        spec: MetricSpec | None = None, *, within_location: bool = False,
                        conf: float = 0.95) -> pd.DataFrame:
    """The metric by bins of a KPI, with intervals: the shape of the relationship and its thresholds.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`kpi_panel`.
    kpi : str
        KPI column (a lagged column such as ``"wait_time_minutes_lag1"`` works too).
    bins : int or sequence of float
        Number of quantile bins of the cells, or explicit bin edges.
    spec : MetricSpec, optional
        The metric; inferred from the panel's columns when omitted.
    within_location : bool
        ``False``: cells are pooled by the KPI's raw value and the metric is computed from the pooled
        responses. ``True``: KPI and metric are deviations from the location's own (response-weighted)
        average — a location in its busier-than-usual months, free of differences between locations;
        the metric is shown as overall average + deviation, normal interval from the cells' se.
    conf : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per bin: ``bin``, ``kpi_low``, ``kpi_high``, ``kpi_mean``, ``n_cells``, ``n``
        (responses), ``value``, ``se``, ``ci_low``, ``ci_high``; ``attrs``: ``kpi``, ``metric``,
        ``within_location``, ``x_label``, ``note``.
    """
    if kpi not in panel.columns:
        raise KeyError(f"KPI column {kpi!r} is not in the panel")
    kind = spec.kind if spec is not None else infer_kind(panel)
    d = panel[np.isfinite(panel[kpi].to_numpy(float)) & (panel["n"].to_numpy() > 0)].reset_index(drop=True)
    label, unit = kpi_label(kpi.split("_lag")[0])
    attrs = dict(kpi=kpi, metric=_metric_text(spec) if spec else panel.attrs.get("metric", ""), note="",
                 within_location=within_location,
                 x_label=f"{label}{', deviation from the location average' if within_location else ''} ({unit}s)")
    if d.empty or d[kpi].nunique() < 2:
        out = pd.DataFrame(columns=["bin", "kpi_low", "kpi_high", "kpi_mean", "n_cells", "n", "value", "se",
                                    "ci_low", "ci_high"])
        out.attrs.update(attrs, note=f"{label} does not vary across the cells, so it cannot be binned.")
        return out
    x, n, y = d[kpi].to_numpy(float), d["n"].to_numpy(float), d["value"].to_numpy(float)
    loc = pd.factorize(d["location"])[0]
    nl = np.bincount(loc, weights=n)
    if within_location:
        x = x - (np.bincount(loc, weights=n * x) / nl)[loc]
    if isinstance(bins, int):
        codes, edges = pd.qcut(x, bins, labels=False, retbins=True, duplicates="drop")
    else:
        edges = np.asarray(bins, dtype=float)
        codes = pd.cut(x, edges, labels=False, include_lowest=True)
    codes = np.asarray(codes, dtype=float)
    ok = np.isfinite(codes)
    b, k = codes[ok].astype(int), len(edges) - 1
    nb = np.bincount(b, weights=n[ok], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({"bin": [f"{edges[i]:.3g} to {edges[i + 1]:.3g}" for i in range(k)],
                            "kpi_low": edges[:-1], "kpi_high": edges[1:],
                            "kpi_mean": np.bincount(b, weights=(n * x)[ok], minlength=k) / nb,
                            "n_cells": np.bincount(b, minlength=k), "n": nb.astype(np.int64)})
        if not within_location:
            st = stats_from_table(d[ok], kind)
            res = stats_to_metric(kind, {key: np.bincount(b, weights=np.asarray(v, float), minlength=k)
                                         for key, v in st.items()}, conf, scale=spec.scale if spec else None)
            for c in ("value", "se", "ci_low", "ci_high"):
                out[c] = res[c]
        else:
            dev = (y - (np.bincount(loc, weights=n * y) / nl)[loc])[ok]
            se = np.nan_to_num(d["se"].to_numpy(float))[ok]
            out["value"] = np.sum(n * y) / n.sum() + np.bincount(b, weights=n[ok] * dev, minlength=k) / nb
            out["se"] = np.sqrt(np.bincount(b, weights=(n[ok] * se) ** 2, minlength=k)) / nb
            z = z_value(conf)
            out["ci_low"], out["ci_high"] = out["value"] - z * out["se"], out["value"] + z * out["se"]
    out = out[out["n_cells"] > 0].reset_index(drop=True)
    out.attrs.update(attrs)
    return out


def plot_kpi_effects(effects: KpiEffects | pd.DataFrame, model: str = "joint", *, scale: str = "per_sd", ax=None,
                     title: str | None = None, source: str | None = "survey and operations"):
    """Forest plot of KPI effects: estimate and interval per KPI, coloured by direction when significant.

    ``model`` picks the ``"joint"`` (default; falls back to ``"single"``) or ``"single"`` rows.
    ``scale="per_sd"`` (default) puts KPIs of different units on one axis: the effect of a typical
    swing of the KPI within a location (one within-location SD); ``"per_unit"`` draws the effect per
    the table's step. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import BAD, GOOD, NEUTRAL, finish

    t = effects.table if isinstance(effects, KpiEffects) else effects
    model = model if (t["model"] == model).any() else "single"
    t = t[(t["model"] == model) & t["effect"].notna()].iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.6 * max(len(t), 2) + 1.6))
    est, lo, hi = ("effect_per_sd", "ci_low_per_sd", "ci_high_per_sd") if scale == "per_sd" else ("effect", "ci_low", "ci_high")
    for yi, (_, r) in enumerate(t.iterrows()):
        c = NEUTRAL if not r["significant"] else BAD if r[est] < 0 else GOOD
        ax.plot([r[lo], r[hi]], [yi, yi], color=c, linewidth=2.5, solid_capstyle="round")
        ax.plot(r[est], yi, "o", color=c, markersize=7)
    ax.axvline(0, color="#555555", linewidth=1)
    steps = [f"1 SD = {r['sd_within']:.3g} {r['unit']}s" if scale == "per_sd"
             else r["effect_unit"].split(" per ")[-1].split(" of ")[0] for _, r in t.iterrows()]
    ax.set_yticks(np.arange(len(t)), [f"{lab}\n({txt})" for lab, txt in zip(t["label"], steps)])
    metric, munit = t["effect_unit"].iloc[0].split(" per ")[0].split(", ", 1) if len(t) else ("", "")
    what = "1 SD within a location" if scale == "per_sd" else "KPI step shown"
    finish(ax, title or f"Which operational KPIs move {metric}", n=int(t["n_responses"].max()) if len(t) else None,
           unit=f"{'joint model' if model == 'joint' else 'one KPI at a time'} · per {what} · 95% CI",
           source=source, xlabel=f"Change in {metric} ({munit})", ylabel="")
    return ax


def plot_binned(binned: pd.DataFrame, ax=None, *, title: str | None = None,
                source: str | None = "survey and operations", colour: str | None = None):
    """The output of :func:`binned_relationship` as points with interval bars at each bin's mean KPI."""
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import ACCENT, finish

    if ax is None:
        _, ax = plt.subplots()
    b, c = binned, colour or ACCENT
    if len(b):
        ax.errorbar(b["kpi_mean"], b["value"], yerr=[b["value"] - b["ci_low"], b["ci_high"] - b["value"]],
                    fmt="o-", color=c, ecolor=c, elinewidth=1.5, capsize=3)
    x_label, metric = b.attrs.get("x_label", "KPI"), b.attrs.get("metric", "")
    finish(ax, title or f"{metric} by {x_label.split(' (')[0].split(',')[0]}",
           n=int(b["n"].sum()) if len(b) else None, unit=f"{metric} per bin of cells, 95% CI", source=source,
           xlabel=x_label, ylabel=metric)
    return ax
