"""Vectorised counting of CX scores per group: the sufficient statistics behind every grouped metric.

Rows are mapped to one combined integer group code and counted with a single ``numpy.bincount``
pass (never a Python loop per group); :mod:`cxtemplate.measure.metrics` turns the per-group counts into
estimates with intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

import numpy as np
import pandas as pd

from cxtemplate.measure.spec import MetricSpec, fmt_number


def score_array(values, spec: MetricSpec) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores as a numpy array plus a validity mask (None when nothing is missing); validates range."""
    if isinstance(values, (pd.Series, pd.Index)):
        if isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
            values = values.astype("float64")
        arr = values.to_numpy()
    else:
        arr = np.asarray(values)
    if arr.dtype == object:
        arr = pd.to_numeric(pd.Series(arr), errors="raise").to_numpy(dtype=float)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int8)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{spec.name}: column {spec.column!r} must be numeric, got {arr.dtype}")
    mask = None
    if arr.dtype.kind == "f":
        nan = np.isnan(arr)
        if nan.any():
            mask = ~nan
    if arr.size:
        lo, hi = spec.scale
        amin, amax = (np.nanmin(arr), np.nanmax(arr)) if mask is None or mask.any() else (lo, hi)
        if amin < lo or amax > hi:
            bad = arr[(arr < lo) | (arr > hi)]
            raise ValueError(f"{spec.name}: {bad.size:,} value(s) of column {spec.column!r} lie outside "
                             f"the {fmt_number(lo)}–{fmt_number(hi)} scale (e.g. {fmt_number(float(bad[0]))}); "
                             "out-of-range scores must be quarantined before analysis")
        if spec.kind != "mean" and arr.dtype.kind == "f":
            frac = np.nan_to_num(arr) % 1 != 0
            if frac.any():
                raise ValueError(f"{spec.name}: column {spec.column!r} holds non-integer scores "
                                 f"(e.g. {fmt_number(float(arr[frac][0]))}); {spec.kind} needs whole points")
    return arr, mask


def _category_codes(arr: np.ndarray, mask: np.ndarray | None, spec: MetricSpec) -> tuple[np.ndarray, int]:
    """Per-response category code (nps: 0 det / 1 pas / 2 pro; top_box: 0 fail / 1 success) with the
    last code for a missing answer. Returns the codes (int8) and the number of codes."""
    lo, hi = spec.scale
    if spec.kind == "nps":
        lut = np.array([0] * 7 + [1, 1] + [2, 2] + [3], dtype=np.int8)  # index 11 = missing
        k = 4
        if arr.dtype.kind == "f":
            idx = np.where(mask, arr, 11.0) if mask is not None else arr
            return lut[idx.astype(np.intp)], k
        return lut[arr], k
    k = 3
    if arr.dtype.kind in "iu" and lo >= 0 and hi <= 1000:
        lut = (np.arange(int(hi) + 1) >= spec.success_min).astype(np.int8)
        return lut[arr], k
    codes = (arr >= spec.success_min).astype(np.int8)
    if mask is not None:
        codes[~mask] = 2
    return codes, k


def group_codes(df: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, list, int]:
    """Combined integer group code per row (−1 where a key is missing), the per-column uniques and
    the number of possible groups. Categorical columns use their codes directly (cheap)."""
    codes_list, uniques = [], []
    for col in by:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, u = s.cat.codes.to_numpy(), s.cat.categories
            u = pd.Categorical(u, categories=u, ordered=s.cat.ordered)
        else:
            codes, u = pd.factorize(s, sort=True)
        codes_list.append(codes)
        uniques.append(u)
    sizes = [max(len(u), 1) for u in uniques]
    total = prod(sizes)
    key = np.zeros(len(df), dtype=np.intp)
    missing = None
    for codes, size in zip(codes_list, sizes):
        if codes.min(initial=0) < 0:
            m = codes < 0
            missing = m if missing is None else missing | m
        key *= size
        key += codes
    if missing is not None:
        key[missing] = -1
    return key, uniques, total


def decode_groups(gid: np.ndarray, by: Sequence[str], uniques: list) -> pd.DataFrame:
    """Group-label columns for combined group codes ``gid`` (inverse of :func:`group_codes`)."""
    out = {}
    sizes = [max(len(u), 1) for u in uniques]
    rest = np.asarray(gid, dtype=np.int64)
    parts = []
    for size in reversed(sizes):
        parts.append(rest % size)
        rest = rest // size
    for col, u, codes in zip(by, uniques, reversed(parts)):
        if isinstance(u, pd.Categorical):
            out[col] = pd.Categorical.from_codes(codes, dtype=u.dtype)
        else:
            out[col] = u.take(codes)
    return pd.DataFrame(out)


def dense_stats(key: np.ndarray, total: int, arr: np.ndarray, mask: np.ndarray | None,
                spec: MetricSpec, overwrite_key: bool = False) -> tuple[np.ndarray, dict]:
    """Rows and sufficient statistics for every key ``0 … total−1`` (one ``bincount`` pass).

    Returns the row count per key (answered or not) and a dict of arrays: ``n`` plus ``pro`` and
    ``det`` (nps), ``succ`` (top_box) or ``s1`` and ``s2`` (mean: Σx and Σx²). With
    ``overwrite_key`` an ``intp`` key array is reused as working memory (saves a copy).
    """
    if spec.kind in ("nps", "top_box"):
        codes, k = _category_codes(arr, mask, spec)
        if overwrite_key and key.dtype == np.intp:
            combo = key
            combo *= k
        else:
            combo = key.astype(np.intp) * k
        combo += codes
        counts = np.bincount(combo, minlength=total * k).reshape(total, k)
        rows = counts.sum(axis=1)
        n = rows - counts[:, -1]
        if spec.kind == "nps":
            return rows, {"n": n, "pro": counts[:, 2], "det": counts[:, 0]}
        return rows, {"n": n, "succ": counts[:, 1]}
    rows = np.bincount(key, minlength=total)
    x = arr.astype(float, copy=False)
    if mask is not None:
        x = np.where(mask, x, 0.0)
        n = np.bincount(key, weights=mask, minlength=total)
    else:
        n = rows
    return rows, {"n": n, "s1": np.bincount(key, weights=x, minlength=total),
                  "s2": np.bincount(key, weights=x * x, minlength=total)}


def grouped_stats(df: pd.DataFrame, spec: MetricSpec, by: Sequence[str] = ()) -> tuple[pd.DataFrame, dict]:
    """Sufficient statistics per group in one counting pass.

    Returns
    -------
    (DataFrame, dict)
        The group keys (one row per group with at least one row of data, in sorted key order)
        and a dict of arrays (``n`` and the kind's sums) aligned with it.
    """
    by = list(by)
    if spec.column not in df.columns:
        raise KeyError(f"{spec.name}: column {spec.column!r} is not in the table "
                       f"(columns: {', '.join(map(str, df.columns))})")
    missing_cols = [c for c in by if c not in df.columns]
    if missing_cols:
        raise KeyError(f"group column(s) {missing_cols} not in the table")
    arr, mask = score_array(df[spec.column], spec)
    key, uniques, total = group_codes(df, by) if by else (np.zeros(len(df), np.intp), [], 1)
    if by and key.min(initial=0) < 0:  # rows with a missing group key are left out, like groupby
        keep = key >= 0
        key, arr = key[keep], arr[keep]
        mask = mask[keep] if mask is not None else None
    dense = total <= max(4 * len(key), 1 << 16)
    if not dense:  # sparse key space: compress to the observed keys first
        obs, key = np.unique(key, return_inverse=True)
        total = len(obs)
    rows, st = dense_stats(key, total, arr, mask, spec, overwrite_key=True)
    present = np.flatnonzero(rows > 0) if by else np.arange(1)
    st = {k2: np.asarray(v)[present] for k2, v in st.items()}
    gid = present if dense else obs[present]
    keys = decode_groups(gid, by, uniques) if by else pd.DataFrame(index=range(len(present)))
    return keys, st
