"""Driver importance from correlation matrices: exact Shapley / LMG shares, Johnson's relative weights,
and the (bootstrap-weighted) correlation matrices they start from.

Pure array maths on stacks of matrices, no data frames; :mod:`cxtemplate.analysis.drivers` wraps it for
response tables (see there for the method and its conventions).
"""

from __future__ import annotations

from functools import lru_cache
from math import comb

import numpy as np

MAX_DRIVERS = 15


# ─── exact computations on correlation matrices ──────────────────────────────────────────────

def _standardise(R) -> np.ndarray:
    R = np.asarray(R, dtype=float)
    d = np.sqrt(np.diagonal(R, axis1=-2, axis2=-1))
    return R / d[..., :, None] / d[..., None, :]


def split_outcome(R: np.ndarray, outcome_index: int, max_drivers: int):
    if R.ndim not in (2, 3) or R.shape[-1] != R.shape[-2] or R.shape[-1] < 2:
        raise ValueError("R must be a square correlation matrix (or a stack) with a driver")
    q = R.shape[-1]
    p = q - 1
    if p > max_drivers:
        raise ValueError(
            f"{p} drivers exceed the cap of {max_drivers} for exact Shapley importance (2^{p} = "
            f"{2 ** p:,} subset regressions); group or pre-select drivers, or raise max_drivers")
    keep = [i for i in range(q) if i != outcome_index % q]
    return R[..., keep, :][..., :, keep], R[..., keep, outcome_index % q], p


@lru_cache(maxsize=64)
def _subset_indices(p: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Bitmasks of all size-k subsets of p drivers and their members (C, k), ascending."""
    masks = np.arange(1 << p)
    masks = masks[np.bitwise_count(masks) == k]
    return masks, np.nonzero((masks[:, None] >> np.arange(p)) & 1)[1].reshape(len(masks), k)


def subset_r2(Rxx: np.ndarray, rxy: np.ndarray, max_elements: int = 4_000_000) -> np.ndarray:
    """R² of every driver subset (B, 2^p), indexed by bitmask: one stacked solve per size."""
    Rxx, rxy = Rxx.reshape(-1, *Rxx.shape[-2:]), rxy.reshape(-1, rxy.shape[-1])
    B, p = rxy.shape
    out = np.zeros((B, 1 << p))
    for k in range(1, p + 1):
        masks, idx = _subset_indices(p, k)
        step = max(1, max_elements // (len(masks) * k * k))
        for s in range(0, B, step):
            A = Rxx[s:s + step][:, idx[:, :, None], idx[:, None, :]]      # (b, C, k, k)
            b = rxy[s:s + step][:, idx]                                     # (b, C, k)
            beta = np.linalg.solve(A, b[..., None])[..., 0]
            out[s:s + step, masks] = np.einsum("bck,bck->bc", b, beta)
    return out


@lru_cache(maxsize=8)
def _shapley_matrix(p: int) -> np.ndarray:
    """(2^p, p) matrix M with Shapley = R²(all subsets) @ M.

    φ_j = Σ_{S∌j} w(|S|)[v(S∪j) − v(S)] = Σ_{T∋j} w(|T|−1) v(T) − Σ_{S∌j} w(|S|) v(S),
    with w(s) = s!(p−s−1)!/p! = 1 / (p·C(p−1, s)).
    """
    masks = np.arange(1 << p)
    size = np.bitwise_count(masks).astype(int)
    w = np.array([1.0 / (p * comb(p - 1, s)) for s in range(p)] + [0.0])
    inside = ((masks[:, None] >> np.arange(p)) & 1).astype(bool)
    return np.where(inside, w[np.maximum(size - 1, 0)][:, None], -w[size][:, None])


def shapley_from_subsets(r2: np.ndarray, p: int, by_level: bool = False) -> np.ndarray:
    if not by_level:
        return r2 @ _shapley_matrix(p)
    masks = np.arange(1 << p)
    size = np.bitwise_count(masks)
    out = np.zeros((r2.shape[0], p, p))
    for j in range(p):   # conditional dominance: mean gain over the subsets of each size
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[:, without | (1 << j)] - r2[:, without]
        for k in range(p):
            out[:, k, j] = gain[:, size[without] == k].mean(axis=1)
    return out


def positive_definite(Rxx: np.ndarray) -> np.ndarray:
    """Per stacked matrix: finite and positive definite."""
    Rxx = Rxx.reshape(-1, *Rxx.shape[-2:])
    ok = np.isfinite(Rxx).all(axis=(1, 2))
    ev = np.full(Rxx.shape[:2], -1.0)
    if ok.any():
        ev[ok] = np.linalg.eigvalsh(Rxx[ok])
    return ok & (ev.min(axis=1) > 1e-10 * Rxx.shape[-1])


def lmg_from_corr(R, outcome_index: int = 0, *, max_drivers: int = MAX_DRIVERS,
                  by_level: bool = False) -> np.ndarray:
    """Exact Shapley / LMG / general-dominance shares of R² from a correlation matrix.

    Parameters
    ----------
    R : array_like, shape (q, q) or (B, q, q)
        Correlation (or covariance) matrix of the outcome and the drivers, or a stack of them.
    outcome_index : int
        Position of the outcome; the drivers are the remaining columns in order.
    max_drivers : int
        Largest number of drivers accepted (default 15: 32,768 subsets).
    by_level : bool
        Return Azen & Budescu's (2003) conditional dominance statistics instead: row *k*,
        column *j* is driver *j*'s mean gain in R² over the subsets of *k* other drivers; their
        mean over rows is the general dominance.

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p); (p, p) or (B, p, p) with ``by_level``
        Each driver's gain in R² averaged over all orders of entry; the shares sum to R².
    """
    R = _standardise(R)
    Rxx, rxy, p = split_outcome(R, outcome_index, max_drivers)
    out = shapley_from_subsets(subset_r2(Rxx, rxy), p, by_level)
    return out[0] if R.ndim == 2 else out


def relative_weights_from_corr(R, outcome_index: int = 0) -> np.ndarray:
    """Johnson's (2000) relative weights (raw, summing to R²) from a correlation matrix.

    Parameters
    ----------
    R : array_like, shape (q, q) or (B, q, q)
        Correlation (or covariance) matrix of the outcome and the drivers, or a stack.
    outcome_index : int
        Position of the outcome.

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p)
        ε_j = Σ_k Λ_jk² β_k², with Λ = Rxx^½ (symmetric square root) and β = Λ⁻¹ r_xy the
        coefficients of the outcome on the drivers' orthogonal counterparts.
    """
    Rxx, rxy, _ = split_outcome(_standardise(R), outcome_index, 10 ** 6)
    ev, V = np.linalg.eigh(Rxx)
    lam = (V * np.sqrt(np.clip(ev, 0, None))[..., None, :]) @ np.swapaxes(V, -1, -2)
    beta = np.linalg.solve(lam, rxy[..., None])[..., 0]
    return np.einsum("...jk,...k->...j", lam ** 2, beta ** 2)


# ─── correlation matrices from rows (plain and bootstrap) ────────────────────────────────────

def _one_blas_thread():
    """One BLAS thread for the wide products (b × n by n × m): on a busy 2-core machine threaded
    OpenBLAS stalled 1–3 s at random on them; one thread took 7–35 ms every time."""
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn
    return threadpool_limits(limits=1, user_api="blas")


def cross_products(X: np.ndarray) -> np.ndarray:
    """Centred cross-products of each row, upper triangle: (n, q(q+1)/2)."""
    iu = np.triu_indices(X.shape[1])
    Xc = X - X.mean(axis=0)
    return Xc[:, iu[0]] * Xc[:, iu[1]]


def weighted_corr(X: np.ndarray, W: np.ndarray | None, pairwise: bool,
                  Z: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrices (b, q, q) of X under row counts W (b, n); W = None: the data as is."""
    with _one_blas_thread():
        return _moments_corr_(X, W, pairwise, Z)


def _moments_corr_(X: np.ndarray, W: np.ndarray | None, pairwise: bool,
                   Z: np.ndarray | None = None, chunk: int = 2_000_000) -> np.ndarray:
    """Listwise: cross-products ``Z`` (:func:`cross_products`, reusable across batches) weighted by W.
    Pairwise: each pair's means and variances over the rows where both are present.
    """
    n, q = X.shape
    Xc = X - np.nanmean(X, axis=0)
    if W is None and not pairwise:
        C = Xc.T @ Xc
        d = np.sqrt(np.diag(C))
        with np.errstate(invalid="ignore", divide="ignore"):
            return (C / d[:, None] / d[None, :])[None]
    W = np.ones((1, n)) if W is None else W
    b, rows = W.shape[0], max(1, chunk // (q * q))
    if not pairwise:
        iu = np.triu_indices(q)
        S1 = W @ Xc / W.sum(axis=1)[:, None]
        S2 = W @ Z if Z is not None else sum(          # row chunks bound the memory
            W[:, s:s + rows] @ (Xc[s:s + rows, iu[0]] * Xc[s:s + rows, iu[1]]) for s in range(0, n, rows))
        cov = np.zeros((b, q, q))
        cov[:, iu[0], iu[1]] = S2 / W.sum(axis=1)[:, None] - S1[:, iu[0]] * S1[:, iu[1]]
        cov = cov + np.triu(cov, 1).transpose(0, 2, 1)
        v = np.diagonal(cov, axis1=1, axis2=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return cov / np.sqrt(v[:, :, None] * v[:, None, :])
    M = (~np.isnan(Xc)).astype(float)
    X0 = np.nan_to_num(Xc)
    acc = np.zeros((4, b, q * q))
    for s in range(0, n, rows):
        x, m, w = X0[s:s + rows], M[s:s + rows], W[:, s:s + rows]
        for i, f in enumerate((m, x, x ** 2)):
            acc[i] += w @ (f[:, :, None] * m[:, None, :]).reshape(-1, q * q)
        acc[3] += w @ (x[:, :, None] * x[:, None, :]).reshape(-1, q * q)
    N, sx, sxx, sxy = acc.reshape(4, b, q, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        mi = sx / N                                   # mean of i over rows where j is present too
        vi = sxx / N - mi ** 2
        R = (sxy / N - mi * np.swapaxes(mi, 1, 2)) / np.sqrt(vi * np.swapaxes(vi, 1, 2))
    R[:, np.arange(q), np.arange(q)] = 1.0
    return R
