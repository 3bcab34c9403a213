"""Notebook 04's key-driver analysis: what drives the outcome metric, overall and by customer segment.

* :func:`analyse_drivers` bundles Shapley importance with bootstrap intervals, Johnson's relative
  weights and the importance–performance quadrants (:class:`DriverAnalysis`); :func:`driver_gains`
  turns each driver's gap to the average into a what-if change of the metric.
* :func:`drivers_section` and :func:`drivers_by_segment_section` return what the page shows
  (:class:`~cxtemplate.analysis.page.Section`): the finding, the charts, the tables and the artifacts
  ``drivers``, ``drivers_summary`` and ``drivers_by_segment``.

The statistics live in :mod:`cxtemplate.analysis.drivers`; the charts in :mod:`cxtemplate.analysis.plots`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxtemplate.analysis.drivers import (
    bootstrap_importance,
    drivers_by_segment,
    importance_performance,
    relative_weights,
)
from cxtemplate.analysis.page import Survey
from cxtemplate.analysis.plots import plot_importance, plot_importance_performance
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.report.display import TableView
from cxtemplate.report.grammar import join_list, plural, sentence, verb
from cxtemplate.report.section import Section

__all__ = ["DRIVERS_METHOD", "DRIVER_BOOT_SAMPLE", "DriverAnalysis", "DriversSection", "analyse_drivers", "driver_gains",
           "driver_interval_note", "driver_sentence", "importance_alt", "quadrant_alt", "drivers_by_segment_section", "drivers_by_segment_view",
           "drivers_by_segment_wide", "drivers_section", "drivers_view", "shifted_metric_change"]


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
            "Share of R² %": t["share_pct"], "95% CI": [f"{lo:.1f} to {hi:.1f}" for lo, hi in zip(t.get("share_low", t["share_pct"]), t.get("share_high", t["share_pct"]))],
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


def driver_sentence(analysis: DriverAnalysis, labels: dict[str, str], window: str | None = None) -> str:
    """The top drivers and the ones to concentrate on; ``window`` (the periods the responses cover) opens it."""
    t = analysis.table(labels)
    top = join_list(f"{r['Driver']} ({r['Share of R² %']:.0f}%)" for _, r in t.head(3).iterrows())
    conc = t[t["Quadrant"].astype(str).str.lower().str.startswith("concentrate")]["Driver"].tolist()
    sh = analysis.shapley
    over = f"Over {window}, the" if window else "The"
    text = sentence(f"{over} {plural(len(t), 'rating')} explain {100 * sh.r2:.0f}% of the variation in "
                    f"{analysis.outcome.upper()} (n = {sh.n:,}); the strongest drivers are {top}")
    if conc:
        text += (f" **Concentrate here:** {join_list(conc)} — important and rated below average.")
    return text


def importance_alt(analysis: DriverAnalysis, labels: dict[str, str], name: str) -> str:
    """The importance chart's alt text: its title and the three largest shares."""
    t = analysis.table(labels)
    top = join_list(f"{r['Driver'].lower()} {r['Share of R² %']:.0f}%" for _, r in t.head(3).iterrows())
    return sentence(f"What drives {name}: of the variation the ratings explain ({100 * analysis.shapley.r2:.0f}% of "
                    f"it), {top}")


def quadrant_alt(analysis: DriverAnalysis, labels: dict[str, str]) -> str:
    """The importance–performance chart's alt text: which drivers fall where it matters."""
    t = analysis.table(labels)

    def rated(start: str) -> list[str]:
        rows = t[t["Quadrant"].astype(str).str.lower().str.startswith(start)]
        return [f"{r['Driver']} (rated {r['Mean rating']:.2f})" if pd.notna(r["Mean rating"]) else str(r["Driver"])
                for _, r in rows.iterrows()]

    conc, keep = rated("concentrate"), rated("keep")
    parts = []
    if conc:
        parts.append(f"{join_list(conc)} {verb(len(conc), 'is', 'are')} important and rated below average")
    if keep:
        parts.append(f"{join_list(keep)} {verb(len(keep), 'is', 'are')} important and rated above average")
    reading = "; ".join(parts) if parts else "no driver is both important and rated below average"
    return sentence(f"Where to act, importance against rating of each driver: {reading}")


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


# --------------------------------------------------------------------------- the page's sections

SOURCE = "survey responses"

DRIVERS_METHOD = """**Shapley value regression** (also called LMG or general dominance): the share of the
explained variation in the outcome that each driver rating accounts for, averaged over every
order in which the drivers could enter the model — computed exactly from the correlation
matrix, with 95% bootstrap intervals. Johnson's relative weights are shown as a check; the two
methods should broadly agree. Importance says nothing about performance: the grid below places
each driver by both (Martilla & James's importance–performance analysis)."""
"""What the key-driver section says of its method, shown only when the analysis runs."""


@dataclass
class DriversSection(Section):
    """The key-driver section, with its analysis for the sections that weight by importance."""

    analysis: DriverAnalysis | None = None

    @property
    def importance(self):
        """The Shapley importance (a ``DriverImportance``), or ``None`` without a driver analysis."""
        return self.analysis.shapley if self.analysis is not None else None


def drivers_view(analysis: DriverAnalysis, table: pd.DataFrame, window: str | None = None) -> TableView:
    """The key-driver table (``table`` from :meth:`DriverAnalysis.table`), titled with the ``window`` it covers (the
    method goes in the section's method note)."""
    sh = analysis.shapley
    return TableView(table.drop(columns="driver"), f"Key drivers of {analysis.outcome.upper()}"
                     + (f", {window}" if window else ""),
                     formats={"Share of R² %": "{:.1f}", "Relative weights %": "{:.1f}", "Mean rating": "{:.2f}"},
                     note=f"R² = {sh.r2:.2f} (the share of the variation the ratings explain together), "
                          f"n = {sh.n:,} complete responses.")


def drivers_section(survey: Survey, *, n_boot: int = 300) -> DriversSection:
    """Key drivers of the outcome: sentence, importance and importance–performance charts, the table.

    Artifacts ``drivers`` (the table, with each driver's ``gap`` and ``metric_gain`` when the outcome
    is a metric, see :func:`driver_gains`) and ``drivers_summary``.
    """
    section = DriversSection()
    drivers, outcome = survey.drivers, survey.outcome
    if not survey.present:
        return section
    if len(drivers) < 2:
        section.absent("Fewer than two driver ratings are configured", "the key-driver analysis is skipped")
        return section
    if not survey.has(outcome):
        section.absent(f"The responses carry no {outcome.upper()} scores", "the key-driver analysis is skipped")
        return section
    responses, labels, specs = survey.within(survey.drivers_window), survey.driver_labels, survey.specs
    covered = survey.window(survey.drivers_window)
    window = covered.label if covered is not None else None
    complete = int(responses[[outcome, *drivers]].notna().all(axis=1).sum())
    if complete < len(drivers) + 2:  # the regression needs more complete answers than it has coefficients
        section.absent(f"Only {complete:,} responses carry {outcome.upper()} and every driver rating, too few for "
                       f"{len(drivers)} drivers", "the key-driver analysis is skipped")
        return section
    analysis = section.analysis = analyse_drivers(responses, outcome, drivers, n_boot=n_boot, seed=survey.seed,
                                                  conf=survey.conf)
    sh = analysis.shapley
    section.method(DRIVERS_METHOD)
    section.method(f"{sh.method}. " + driver_interval_note(analysis))
    section.say(driver_sentence(analysis, labels, window))
    name = specs[outcome].name if outcome in specs else outcome
    section.chart(plot_importance, sh, labels=labels, source=SOURCE, title=f"What drives {name}: R² = {sh.r2:.2f}",
                  alt=importance_alt(analysis, labels, name))
    section.chart(plot_importance_performance, analysis.ipa, labels=labels, n=sh.n, source=SOURCE,
                  alt=quadrant_alt(analysis, labels))
    table = analysis.table(labels)
    section.table(drivers_view(analysis, table, window))
    if outcome in specs:
        gains = driver_gains(responses, analysis, specs[outcome])
        table = table.merge(gains[["driver", "gap", "metric_gain"]], on="driver", how="left")
    section.keep("drivers", table)
    section.keep("drivers_summary", {"method": sh.method, "r2": sh.r2, "n": sh.n, "outcome": outcome})
    return section


def _share_or_count(v: float) -> str:
    return f"{v:,.0f}" if v > 100 else f"{v:.1f}"


def drivers_by_segment_view(wide: pd.DataFrame) -> TableView:
    """The wide table of :func:`drivers_by_segment_wide`: shares with one decimal, the n row as counts."""
    return TableView(wide, "Driver shares (% of R²) by customer segment",
                     formats={c: _share_or_count for c in wide.columns if c != "Driver"},
                     note="A segment is analysed when it has at least ten responses per driver; the last two rows "
                          "give each segment's R² and its number of responses.")


NO_SEGMENT_DRIVERS = "No customer segment has enough responses for its own driver analysis."


def drivers_by_segment_section(survey: Survey, analysis: DriverAnalysis | None) -> Section:
    """Driver shares within each customer segment (after an overall analysis); artifact ``drivers_by_segment``."""
    section = Section()
    if analysis is None or not survey.has("segment"):
        return section
    by_segment = drivers_by_segment(survey.within(survey.drivers_window), analysis.outcome, survey.drivers, "segment",
                                    min_n=survey.min_n)
    wide = drivers_by_segment_wide(by_segment, survey.driver_labels)
    if wide.empty:
        section.say(NO_SEGMENT_DRIVERS)
    else:
        section.table(drivers_by_segment_view(wide))
    section.keep("drivers_by_segment", by_segment)
    return section
