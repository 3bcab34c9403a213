"""Where one location (or other unit) differs from the rest of the organisation: its NPS gap split into what the
driver ratings explain and what they do not, the drivers it trails on, and the journey stages and touchpoints
where it trails.

All three read the responses of one reporting window (the scorecard's) and compare this unit's responses with
everyone else's. Differences are tested one by one and the p-values of each family (drivers; stages and
touchpoints) are adjusted for the number of tests (Benjamini–Hochberg).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.measure.inference import adjust_bh, compare_tables
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import MetricSpec
from cxtemplate.vocabulary import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

__all__ = ["GapSplit", "gap_split", "nps_points", "stage_gaps", "trailing_drivers"]


def nps_points(scores) -> np.ndarray:
    """Each answer's contribution to NPS: +100 for a promoter, 0 for a passive, −100 for a detractor.

    The mean of these points is the NPS, so a linear model of them is a model of NPS.

    Parameters
    ----------
    scores : array_like
        Likelihood-to-recommend answers on 0–10.

    Returns
    -------
    ndarray
    """
    s = np.asarray(scores, float)
    return np.where(s >= NPS_PROMOTER_MIN, 100.0, np.where(s <= NPS_DETRACTOR_MAX, -100.0, 0.0))


@dataclass(frozen=True)
class GapSplit:
    """This unit's NPS gap to the rest split into the part its driver ratings explain and the rest.

    Attributes
    ----------
    gap, explained, unexplained : float
        NPS points (this unit minus the rest) on the responses with every driver rated; ``explained`` is the sum of
        ``contributions``; ``unexplained = gap − explained``.
    gap_ci, explained_ci, unexplained_ci : tuple of float
        Bootstrap intervals.
    contributions : DataFrame
        ``driver``, ``weight`` (NPS points per rating point, from one model of everyone's answers), ``here``,
        ``rest``, ``difference`` (ratings here minus the rest) and ``points`` (``weight × difference``).
    n_here, n_rest : int
        Responses used.
    """

    gap: float
    gap_ci: tuple[float, float]
    explained: float
    explained_ci: tuple[float, float]
    unexplained: float
    unexplained_ci: tuple[float, float]
    contributions: pd.DataFrame = field(repr=False)
    n_here: int = 0
    n_rest: int = 0

    @property
    def share_explained(self) -> float:
        """Share of the gap the ratings explain (0–1, clipped; NaN without a gap)."""
        if not self.gap or np.isnan(self.gap):
            return float("nan")
        return float(np.clip(self.explained / self.gap, 0.0, 1.0))

    @property
    def ratings_explain(self) -> bool:
        """Whether the ratings explain a clear part of the gap: the explained part's interval excludes zero on the
        gap's side and it is at least a quarter of the gap."""
        lo, hi = self.explained_ci
        same_side = (hi < 0) if self.gap < 0 else (lo > 0)
        return bool(same_side and self.share_explained >= 0.25)


def _fit_split(y: np.ndarray, design: np.ndarray, here: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Weighted least squares of ``y`` on ``design`` (intercept first), pooled over both groups: (gap, weights,
    rating differences). ``w`` are the responses' weights (ones, or a bootstrap resample's counts)."""
    wd = design * w[:, None]
    coef = np.linalg.solve(wd.T @ design + 1e-9 * np.eye(design.shape[1]), wd.T @ y)
    wh, wr = w * here, w * ~here
    mean_h, mean_r = (wh @ design) / wh.sum(), (wr @ design) / wr.sum()
    gap = float(wh @ y / wh.sum() - wr @ y / wr.sum())
    return gap, coef[1:], (mean_h - mean_r)[1:]


def gap_split(responses: pd.DataFrame, by: str, level, drivers: Sequence[str], *, score_col: str = "nps",
              n_boot: int = 200, conf: float = 0.95, seed: int = 0, min_n: int = 30) -> GapSplit | None:
    """Split this unit's NPS gap to the rest into what the driver ratings explain and what they do not.

    One least-squares model of every response's NPS points (:func:`nps_points`) on the driver ratings, fitted to
    this unit and the rest together, gives each driver's weight; the part of the gap a driver explains is its
    weight times the difference between the ratings here and elsewhere (a pooled Oaxaca–Blinder decomposition).
    Whatever the ratings do not account for (the people, the place, an event) is the unexplained part.
    Intervals resample the responses of this unit and of the rest separately (percentile bootstrap).

    Parameters
    ----------
    responses : DataFrame
        The window's responses, with ``by``, ``score_col`` and the driver columns.
    by : str
        Column of the unit (e.g. ``"location"``).
    level
        This unit.
    drivers : sequence of str
        Driver rating columns; those ``responses`` lacks are skipped.
    score_col : str
        Likelihood-to-recommend column (0–10).
    n_boot : int
        Bootstrap resamples.
    conf : float
        Interval level.
    seed : int
        Seed of the resampling.
    min_n : int
        Fewer complete responses here or elsewhere give ``None``.

    Returns
    -------
    GapSplit or None
        ``None`` without driver columns or with too few complete responses.
    """
    cols = [d for d in drivers if d in responses.columns]
    if not cols or score_col not in responses.columns:
        return None
    df = responses[[by, score_col, *cols]].dropna()
    here = (df[by] == level).to_numpy()
    if here.sum() < min_n or (~here).sum() < min_n:
        return None
    y = nps_points(df[score_col])
    x = df[cols].to_numpy(float)
    design = np.column_stack([np.ones(len(y)), x])
    gap, weights, diff = _fit_split(y, design, here, np.ones(len(y)))
    points = weights * diff
    rng = np.random.default_rng(seed)
    i_here, i_rest = np.flatnonzero(here), np.flatnonzero(~here)
    boot = np.empty((n_boot, 2))
    for b in range(n_boot):
        # a resample of each group as counts per response (the same draw as indexing, without copying rows)
        counts = np.bincount(rng.choice(i_here, len(i_here)), minlength=len(y)) + \
            np.bincount(rng.choice(i_rest, len(i_rest)), minlength=len(y))
        g, w, d = _fit_split(y, design, here, counts.astype(float))
        boot[b] = g, float(w @ d)
    a = (1 - conf) / 2
    q = lambda v: (float(np.quantile(v, a)), float(np.quantile(v, 1 - a)))  # noqa: E731
    explained = float(points.sum())
    contributions = pd.DataFrame({"driver": cols, "weight": weights, "here": x[here].mean(axis=0),
                                  "rest": x[~here].mean(axis=0), "difference": diff, "points": points})
    return GapSplit(gap=gap, gap_ci=q(boot[:, 0]), explained=explained, explained_ci=q(boot[:, 1]),
                    unexplained=gap - explained, unexplained_ci=q(boot[:, 0] - boot[:, 1]),
                    contributions=contributions.sort_values("points").reset_index(drop=True),
                    n_here=int(here.sum()), n_rest=int((~here).sum()))


def trailing_drivers(responses: pd.DataFrame, by: str, level, drivers: Sequence[str], *, conf: float = 0.95,
                     importance: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each driver's mean rating here against the rest, with the difference's interval and test.

    Parameters
    ----------
    responses : DataFrame
        The window's responses.
    by, level
        The unit.
    drivers : sequence of str
        Driver rating columns (those ``responses`` lacks are skipped).
    conf : float
        Interval level; a driver *trails* when its rating here is lower and its adjusted p is below ``1 − conf``.
    importance : DataFrame, optional
        Notebook 04's drivers table (``driver``, ``Share of R² %``): adds the organisation's importance.

    Returns
    -------
    DataFrame
        ``driver``, ``here``, ``rest``, ``n_here``, ``n_rest``, ``diff``, ``ci_low``, ``ci_high``, ``p``, ``p_adj``
        (Benjamini–Hochberg over the drivers), ``trails`` and, with ``importance``, ``importance``; the drivers
        trailing the most first.
    """
    from scipy import stats

    cols = [d for d in drivers if d in responses.columns]
    if not cols:
        return pd.DataFrame()
    here = responses[by] == level
    z = stats.norm.ppf(0.5 + conf / 2)
    rows = []
    for d in cols:
        a, b = responses.loc[here, d].dropna(), responses.loc[~here, d].dropna()
        if len(a) < 2 or len(b) < 2:
            continue
        se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
        diff = float(a.mean() - b.mean())
        p = float(stats.ttest_ind(a, b, equal_var=False).pvalue) if se > 0 else (1.0 if diff == 0 else 0.0)
        rows.append({"driver": d, "here": float(a.mean()), "rest": float(b.mean()), "n_here": len(a),
                     "n_rest": len(b), "diff": diff, "ci_low": diff - z * se, "ci_high": diff + z * se, "p": p})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_adj"] = adjust_bh(out["p"].to_numpy())
    out["trails"] = (out["diff"] < 0) & (out["p_adj"] < 1 - conf)
    if importance is not None and {"driver", "Share of R² %"} <= set(importance.columns):
        out["importance"] = out["driver"].map(importance.set_index("driver")["Share of R² %"])
    return out.sort_values(["trails", "diff"], ascending=[False, True]).reset_index(drop=True)


def stage_gaps(responses: pd.DataFrame, spec: MetricSpec, by: str, level,
               dims: Sequence[str] = ("journey_stage", "touchpoint"), *, conf: float = 0.95,
               min_n: int = 30) -> pd.DataFrame:
    """The metric here against the rest at each journey stage and touchpoint this unit has enough responses at.

    Parameters
    ----------
    responses : DataFrame
        The window's responses.
    spec : MetricSpec
        The metric.
    by, level
        The unit.
    dims : sequence of str
        Columns to break down by (those ``responses`` lacks are skipped).
    conf : float
        Interval level; a row *trails* when the difference is negative and its adjusted p is below ``1 − conf``.
    min_n : int
        Levels with fewer responses here (or elsewhere) are left out.

    Returns
    -------
    DataFrame
        ``dimension``, ``level``, ``value``, ``n``, ``rest``, ``n_rest``, ``diff``, ``ci_low``, ``ci_high``, ``p``,
        ``p_adj`` (Benjamini–Hochberg over every row) and ``trails``; the widest gaps first.
    """
    parts = []
    here = responses[by] == level
    for dim in dims:
        if dim not in responses.columns:
            continue
        a = summarise(responses[here], spec, by=dim, conf=conf)
        b = summarise(responses[~here], spec, by=dim, conf=conf)
        both = a.merge(b, on=dim, suffixes=("", "_rest"))
        both = both[(both["n"] >= min_n) & (both["n_rest"] >= min_n)].reset_index(drop=True)
        if both.empty:
            continue
        mine = both[[c for c in a.columns]]
        rest = both[[dim] + [f"{c}_rest" for c in a.columns if c != dim]]
        rest.columns = list(a.columns)
        c = compare_tables(mine, rest, spec, conf=conf)
        parts.append(pd.DataFrame({"dimension": dim, "level": both[dim].astype(str), "value": both["value"],
                                   "n": both["n"].astype(int), "rest": both["value_rest"],
                                   "n_rest": both["n_rest"].astype(int), "diff": c["diff"], "ci_low": c["ci_low"],
                                   "ci_high": c["ci_high"], "p": c["p"]}))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out["p_adj"] = adjust_bh(out["p"].to_numpy())
    out["trails"] = (out["diff"] < 0) & (out["p_adj"] < 1 - conf)
    return out.sort_values("diff").reset_index(drop=True)
