"""What the churn models return, and the helpers more than one of them uses.

:class:`CoxResult` (a fitted Cox model with its design, baseline hazards and what the report shows),
:class:`ChurnUnavailable` (why a model could not be fitted), the risk-set sums behind the Breslow
baseline and the Schoenfeld residuals, the hazard-ratio table, stratum keys and Harrell's concordance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cxtemplate.churn.design import Design
from cxtemplate.measure.spec import z_value

NO_CRM = "There is no CRM table, so churn cannot be analysed."
"""Why there is no churn analysis for an organisation without a customer table (the ``reason`` notebooks 05–07 read)."""

@dataclass
class ChurnUnavailable:
    """Returned instead of a model when churn cannot be estimated (e.g. no churn events)."""

    reason: str
    n: int = 0
    n_events: int = 0
    ok: bool = False

    def __str__(self) -> str:
        return self.reason


def risk_sums(entry, exit_, w, t):
    """Σ w over rows at risk at each t (entry < t ≤ exit); ``w`` may be (n,) or (n, p)."""
    o_exit, o_entry = np.argsort(exit_, kind="stable"), np.argsort(entry, kind="stable")
    suf_exit = np.concatenate([np.cumsum(w[o_exit][::-1], axis=0)[::-1], np.zeros((1,) + w.shape[1:])])
    suf_entry = np.concatenate([np.cumsum(w[o_entry][::-1], axis=0)[::-1], np.zeros((1,) + w.shape[1:])])
    i = np.searchsorted(exit_[o_exit], t, side="left")
    j = np.searchsorted(entry[o_entry], t, side="left")
    return suf_exit[i] - suf_entry[j]


def breslow(entry, exit_, event, lp) -> tuple[np.ndarray, np.ndarray]:
    """Breslow baseline cumulative hazard on the grid of all exit times (for exp(lp) = 1).

    Vectorised; ``entry`` allows (start, stop] rows and delayed entry.
    """
    grid = np.unique(exit_)
    w = np.exp(lp)
    et, d = np.unique(exit_[event], return_counts=True)
    s0 = risk_sums(entry, exit_, w, et)
    dh = np.zeros(len(grid))
    dh[np.searchsorted(grid, et)] = d / s0
    return grid, np.cumsum(dh)


@dataclass
class CoxResult:
    """A fitted Cox model with everything the report and the scoring need.

    ``hazard_ratios`` is the tidy table (term, covariate, level, reference, coef, se, hr, hr_low,
    hr_high, p, label); ``baseline`` maps a stratum key (``None`` unstratified) to (times, cumulative
    hazard at exp(lp) = 1); ``ph_test`` is the per-term proportional-hazards test, ``ph_note`` says in
    words what was done about violations and ``time_split`` holds early/late HRs when shown.
    """

    fitter: object
    kind: str
    design: Design
    params: pd.Series
    variance: pd.DataFrame
    hazard_ratios: pd.DataFrame
    baseline: dict
    strata: list[str]
    penalizer: float
    n_subjects: int
    n_rows: int
    n_events: int
    concordance: float | None = None
    ph_test: pd.DataFrame | None = None
    ph_note: str = ""
    time_split: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    ok: bool = True
    alpha: float = 0.05
    """1 − the confidence level of every interval of the model (hazard ratios, early/late split)."""

    def linear_predictor(self, frame: pd.DataFrame) -> np.ndarray:
        """x'β for each row of ``frame`` (raw covariates; coded with the model's design)."""
        return self.design.matrix(frame)[self.params.index].to_numpy(float) @ self.params.to_numpy(float)

    def stratum_keys(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Stratum key of each row (``None`` when unstratified)."""
        return stratum_keys(frame, self.strata)

    def cumulative_hazard(self, t, keys=None) -> np.ndarray:
        """Baseline cumulative hazard at tenure ``t`` (linear interpolation, as lifelines does).

        With strata, each row uses its stratum's baseline; a stratum unseen in training uses the
        pooled (unstratified) baseline.
        """
        t = np.asarray(t, dtype=float)

        def at(key, x):
            grid, h = self.baseline[key]
            return np.interp(x, np.r_[0.0, grid], np.r_[0.0, h])

        if keys is None or not self.strata:
            return at("__all__", t)
        keys = np.asarray(keys, dtype=object)
        out = at("__all__", t)
        for k in pd.unique(keys):
            if k in self.baseline:
                m = keys == k
                out[m] = at(k, t[m])
        return out

    def conditional_risk(self, frame: pd.DataFrame, horizon_days: float, tenure_col: str = "tenure_days",
                         lp: np.ndarray | None = None) -> np.ndarray:
        """P(churn within the horizon | still a customer at the current tenure), closed form.

        1 − S(t + h | x) / S(t | x) = 1 − exp(−[H0(t + h) − H0(t)] · exp(x'β)), covariates held at
        their current values over the horizon.
        """
        t = frame[tenure_col].to_numpy(float)
        keys = self.stratum_keys(frame)
        lp = self.linear_predictor(frame) if lp is None else lp
        dh = self.cumulative_hazard(t + horizon_days, keys) - self.cumulative_hazard(t, keys)
        return 1.0 - np.exp(-dh * np.exp(lp))


def hr_table(params: pd.Series, se: pd.Series, design: Design, alpha: float) -> pd.DataFrame:
    """The hazard-ratio table of a fit: one row per model term.

    Parameters
    ----------
    params, se : Series
        Log hazard ratios and their standard errors, indexed by design column.
    design : Design
        The coding (names the covariate, level and reference of each column).
    alpha : float
        1 − confidence level: ``hr_low``, ``hr_high`` = exp(coef ∓ z · se) with z the two-sided
        normal critical value; ``p`` is the two-sided Wald p-value.

    Returns
    -------
    DataFrame
        ``term``, ``covariate``, ``level``, ``reference``, ``coef``, ``se``, ``hr``, ``hr_low``, ``hr_high``,
        ``p`` and a reader's ``label`` ("plan: Basic vs Standard", "age (per SD)").
    """
    z = z_value(1 - alpha)
    rows = []
    for term in params.index:
        cov, level = design.term(term)
        ref = design.categorical[cov][1] if level is not None else None
        b, s = float(params[term]), float(se[term])
        unit = "per SD" if design.standardise else "per unit"
        rows.append({"term": term, "covariate": cov, "level": level, "reference": ref, "coef": b, "se": s,
                     "hr": np.exp(b), "hr_low": np.exp(b - z * s), "hr_high": np.exp(b + z * s),
                     "p": float(2 * stats.norm.sf(abs(b / s))) if s > 0 else np.nan,
                     "label": (f"{cov}: {level} vs {ref}" if level is not None else f"{cov} ({unit})")
                     + (f" (= {len(same)} identical column{'s' if len(same) > 1 else ''})"
                        if (same := design.aliases.get(term)) else "")})
    return pd.DataFrame(rows)


def stratum_keys(frame: pd.DataFrame, strata) -> np.ndarray | None:
    """Stratum key per row ("a|b" for several strata), vectorised; ``None`` when unstratified."""
    if not strata:
        return None
    k = frame[strata[0]].astype(str)
    for s in strata[1:]:
        k = k + "|" + frame[s].astype(str)
    return k.to_numpy(object)


def concordance(times, scores, events) -> float:
    """Harrell's C (lifelines), or NaN when no pair is comparable (e.g. a fold without a churn)."""
    from lifelines.utils import concordance_index

    try:
        return float(concordance_index(times, scores, events))
    except ZeroDivisionError:  # lifelines: "No admissable pairs in the dataset"
        return float("nan")
