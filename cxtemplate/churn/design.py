"""The design matrix of the churn models: how covariates become model columns.

:func:`build_design` decides, from training rows, the coding of each covariate (one-hot against a
reference level, or numeric), and the resulting :class:`Design` applies it to any frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.churn.columns import is_personal
from cxtemplate.vocabulary import NPS_LEVELS


@dataclass
class Design:
    """How covariates become model columns (fitted on training data, applied to any frame).

    Categorical covariates are one-hot coded against a stated reference level (a column per other
    level, named ``covariate[level]``); numeric covariates enter on their own scale (hazard ratio per
    unit) unless ``standardise`` (hazard ratio per standard deviation). lifelines standardises
    internally for fitting and for the penalty either way, so this only changes the reporting unit.
    Missing categorical values become the level ``"unknown"``; missing numbers the training median.
    """

    categorical: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    numeric: list[str] = field(default_factory=list)
    centre: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    fill: dict[str, float] = field(default_factory=dict)
    pooled: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    standardise: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """Design column names, in model order."""
        cols = []
        for c in self.covariates:
            cols += [f"{c}[{lv}]" for lv in self.categorical[c][0]] if c in self.categorical else [c]
        return cols

    @property
    def covariates(self) -> list[str]:
        """Covariates kept in the model, in order."""
        return list(self._order)

    _order: list[str] = field(default_factory=list)

    def term(self, column: str) -> tuple[str, str | None]:
        """(covariate, level) of a design column (level ``None`` for numeric)."""
        if column in self.numeric:
            return column, None
        cov, level = column.split("[", 1)
        return cov, level[:-1]

    def _levels(self, df: pd.DataFrame, c: str) -> np.ndarray:
        v = df[c].astype(object).where(df[c].notna(), "unknown").astype(str).to_numpy()
        if c in self.pooled:
            v = np.where(np.isin(v, self.pooled[c][0]), self.pooled[c][1], v)
        return v

    def matrix(self, df: pd.DataFrame) -> pd.DataFrame:
        """The float design matrix of ``df`` (unseen levels count as the reference)."""
        out = {}
        for c in self.covariates:
            if c in self.categorical:
                v = self._levels(df, c)
                for lv in self.categorical[c][0]:
                    out[f"{c}[{lv}]"] = (v == lv).astype(float)
            else:
                x = pd.to_numeric(df[c], errors="coerce").astype(float).fillna(self.fill[c]).to_numpy()
                out[c] = (x - self.centre[c]) / self.scale[c] if self.standardise else x
        return pd.DataFrame(out, index=df.index)


def _is_categorical(s: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s))


def build_design(df: pd.DataFrame, covariates: Sequence[str], *, categorical: Sequence[str] | None = None,
                 reference: dict[str, str] | None = None, standardise: bool = False,
                 min_level_count: int = 20) -> Design:
    """Decide the coding of each covariate from training data.

    Parameters
    ----------
    df : DataFrame
        Training rows.
    covariates : sequence of str
    categorical : sequence of str, optional
        Force these to be categorical (default: text, category and boolean columns).
    reference : dict, optional
        Reference level per categorical covariate. Default: ``promoter`` for ``nps_category``,
        otherwise the most frequent level.
    standardise : bool
        Numeric covariates per standard deviation instead of per unit.
    min_level_count : int
        Levels with fewer rows are pooled into ``"other"`` (noted).

    Returns
    -------
    Design
        Covariates with a single level (or constant) are dropped, with a note.
    """

    reference = dict(reference or {})
    reference.setdefault("nps_category", "promoter")
    forced = set(categorical or ())
    d = Design(standardise=standardise)
    for c in covariates:
        if is_personal(c):
            d.notes.append(f"'{c}' looks like personal data and was not used.")
            continue
        s = df[c]
        if c in forced or _is_categorical(s):
            v = s.astype(object).where(s.notna(), "unknown").astype(str)
            counts = v.value_counts()
            rare = counts.index[counts < min_level_count].tolist()
            if rare and len(rare) < len(counts):
                target = "other" if counts[rare].sum() >= min_level_count else str(counts.index[0])
                d.pooled[c] = (rare, target)
                d.notes.append(f"'{c}': {len(rare)} rare level(s) with < {min_level_count} rows pooled into "
                               f"'{target}' ({', '.join(map(str, rare[:5]))}{'…' if len(rare) > 5 else ''}).")
                counts = v.where(~v.isin(rare), target).value_counts()
            if len(counts) < 2:
                d.notes.append(f"'{c}' has a single level ({counts.index[0] if len(counts) else 'none'}) "
                               "and was dropped.")
                continue
            ref = str(reference.get(c, counts.index[0]))
            if ref not in counts.index:
                d.notes.append(f"'{c}': reference level '{ref}' not found; using '{counts.index[0]}'.")
                ref = str(counts.index[0])
            levels = [lv for lv in sorted(counts.index, key=str) if lv != ref]
            if c == "nps_category":
                levels = [lv for lv in NPS_LEVELS if lv in levels] + [lv for lv in levels if lv not in NPS_LEVELS]
            d.categorical[c] = (levels, ref)
        else:
            x = pd.to_numeric(s, errors="coerce").astype(float)
            if x.nunique() < 2:
                d.notes.append(f"'{c}' is constant and was dropped.")
                continue
            if x.isna().any():
                d.notes.append(f"'{c}': {int(x.isna().sum()):,} missing values set to the median.")
            d.numeric.append(c)
            d.fill[c] = float(x.median())
            d.centre[c] = float(x.mean())
            d.scale[c] = float(x.std()) or 1.0
        d._order.append(c)
    return d
