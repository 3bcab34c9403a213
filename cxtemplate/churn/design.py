"""The design matrix of the churn models: how covariates become model columns.

:func:`build_design` decides, from training rows, the coding of each covariate (one-hot against a
reference level, or numeric), and the resulting :class:`Design` applies it to any frame.
:meth:`Design.resolve_aliasing` then merges or drops the design columns a Cox model cannot tell apart,
before the fit (:data:`MAX_CONDITION`): identical columns (the "No internet service" level of seven
service columns is one dummy) are merged into the first; a column that is another's mirror image or an
exact combination of others is dropped; and while the condition number of the standardised design stays
above the threshold, the column with the largest variance inflation factor is dropped. Each decision is
a sentence in :attr:`Design.notes` and in :attr:`Design.aliases` / :attr:`Design.dropped`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.churn.columns import personal_data, personal_note
from cxtemplate.vocabulary import NPS_LEVELS

MAX_CONDITION = 30.0
"""Design columns are dropped, largest variance inflation first, while the condition number of the standardised
design (√(λmax / λmin) of their correlation matrix) exceeds this: Belsley, Kuh & Welsch's (1980) threshold of
strong collinearity, above which hazard ratios and their intervals are not to be trusted."""


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
    aliases: dict[str, list[str]] = field(default_factory=dict)
    """Kept design column → the identical columns merged into it."""
    dropped: dict[str, str] = field(default_factory=dict)
    """Design column dropped before the fit → why, in words."""
    with_reference: dict[str, list[str]] = field(default_factory=dict)
    """Covariate → levels whose dummy was dropped as nearly a combination of other columns: their customers now
    count with the reference level, and every other level of the covariate is compared with both."""
    alias_notes: list[str] = field(default_factory=list)
    """The sentences of :meth:`resolve_aliasing` (also in :attr:`notes`), for the page's model section."""

    @property
    def columns(self) -> list[str]:
        """Design column names, in model order (without those merged or dropped as aliased)."""
        cols = []
        for c in self.covariates:
            cols += [f"{c}[{lv}]" for lv in self.categorical[c][0]] if c in self.categorical else [c]
        return [c for c in cols if c not in self.dropped]

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
        """The float design matrix of ``df`` (unseen levels count as the reference; aliased columns left out)."""
        out = {}
        for c in self.covariates:
            if c in self.categorical:
                v = self._levels(df, c)
                for lv in self.categorical[c][0]:
                    if f"{c}[{lv}]" not in self.dropped:
                        out[f"{c}[{lv}]"] = (v == lv).astype(float)
            elif c in self.dropped:
                continue
            else:
                x = pd.to_numeric(df[c], errors="coerce").astype(float).fillna(self.fill[c]).to_numpy()
                out[c] = (x - self.centre[c]) / self.scale[c] if self.standardise else x
        return pd.DataFrame(out, index=df.index)

    def label(self, column: str) -> str:
        """A design column as a reader names it: ``"plan: Basic vs Standard"``, ``"age"``."""
        cov, level = self.term(column)
        if level is None:
            return cov
        joined = [] if column in self.dropped else self.with_reference.get(cov, [])
        return f"{cov}: {level} vs {' or '.join([self.categorical[cov][1], *joined])}"

    def resolve_aliasing(self, X: pd.DataFrame, max_condition: float = MAX_CONDITION) -> pd.DataFrame:
        """Merge or drop the design columns of ``X`` a Cox model cannot tell apart; the columns that stay.

        Identical columns are merged into the first (in model order); a constant column, a mirror image of
        another (correlation −1 or 1, e.g. ``multiple_lines: No phone service`` and ``phone_service``) or an
        exact combination of others is dropped; then, while the condition number of the standardised columns
        exceeds ``max_condition``, the column with the largest variance inflation factor is dropped. Records
        each decision in :attr:`aliases`, :attr:`dropped` and one sentence in :attr:`notes`.

        Parameters
        ----------
        X : DataFrame
            :meth:`matrix` of the training rows.
        max_condition : float
            See :data:`MAX_CONDITION`.

        Returns
        -------
        DataFrame
            ``X`` without the merged and dropped columns.
        """
        cols = list(X.columns)
        if not cols:
            return X
        values = X.to_numpy(float)
        seen: dict[bytes, str] = {}
        for j, c in enumerate(cols):
            key = np.ascontiguousarray(values[:, j]).tobytes()
            if key in seen:
                self.aliases.setdefault(seen[key], []).append(c)
                self.dropped[c] = f"identical to {self.label(seen[key])}"
            else:
                seen[key] = c
        for kept, same in self.aliases.items():
            self._say(f"{len(same) + 1} design columns are the same customers and were merged into one before the "
                      f"fit: '{self.label(kept)}' also stands for {', '.join(repr(self.label(c)) for c in same)}.")
        left = [c for c in cols if c not in self.dropped]
        V = values[:, [cols.index(c) for c in left]]
        n = len(V)
        sd = V.std(axis=0)
        for c in [c for c, v in zip(left, sd) if not v > 0]:
            self._drop(c, "it does not vary in these data")
        keep = sd > 0
        left, V, sd = [c for c, k in zip(left, keep) if k], V[:, keep], sd[keep]
        if len(left) > 1 and n > 1:
            mean = V.mean(axis=0)
            C = (V.T @ V - n * np.outer(mean, mean)) / n
            R = C / np.outer(sd, sd)
            for i in range(len(left)):
                for j in range(i):
                    if left[i] not in self.dropped and left[j] not in self.dropped and abs(R[i, j]) > 1 - 1e-9:
                        self._drop(left[i], f"it carries the same information as '{self.label(left[j])}' "
                                            f"(correlation {R[i, j]:+.0f})")
            live = [i for i, c in enumerate(left) if c not in self.dropped]
            while len(live) > 1:
                sub = R[np.ix_(live, live)]
                ev = np.linalg.eigvalsh(sub)
                kappa = float(np.sqrt(ev[-1] / ev[0])) if ev[0] > 1e-12 * ev[-1] else np.inf
                if kappa <= max_condition:
                    break
                vif = np.diag(np.linalg.pinv(sub, hermitian=True))
                # of columns inflated alike (within 1%: a near-copy and its original), the later one in model order goes
                at = int(np.flatnonzero(vif >= np.max(vif) * 0.99)[-1])
                worst = live[at]
                partner = left[live[int(np.argmax(np.where(np.arange(len(live)) == at, -1.0, np.abs(sub[at]))))]]
                why = ("it is an exact combination of other columns" if not np.isfinite(kappa) else
                       f"it is nearly a combination of other columns, above all '{self.label(partner)}' (variance "
                       f"inflation {float(vif[at]):,.0f}; the condition number of the design was {kappa:,.0f}, "
                       f"above {max_condition:g})")
                cov, level = self.term(left[worst])
                if level is not None and np.isfinite(kappa):  # its customers now sit in the reference group
                    why += f"; its customers now count with '{self.categorical[cov][1]}', the reference level"
                    self.with_reference.setdefault(cov, []).append(level)
                self._drop(left[worst], why)
                live.remove(worst)
        return X[[c for c in cols if c not in self.dropped]]

    def _drop(self, column: str, why: str) -> None:
        self.dropped[column] = why
        self._say(f"'{self.label(column)}' was left out of the model before the fit: {why}.")

    def _say(self, text: str) -> None:
        self.notes.append(text)
        self.alias_notes.append(text)


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
        s = df[c]
        if (reason := personal_data(s)) is not None:
            d.notes.append(personal_note(c, reason))
            continue
        if c in forced or _is_categorical(s):
            v = s.astype(object).where(s.notna(), "unknown").astype(str)
            counts = v.value_counts()
            rare = counts.index[counts < min_level_count].tolist()
            if rare and len(rare) < len(counts):
                target = "other" if counts[rare].sum() >= min_level_count else str(counts.index[0])
                d.pooled[c] = (rare, target)
                d.notes.append(f"'{c}': {len(rare)} rare level{'' if len(rare) == 1 else 's'} with < {min_level_count} rows pooled into "
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
