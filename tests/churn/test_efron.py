"""The vectorised Efron fit (``cxtemplate.churn.efron``) against lifelines' ``CoxTimeVaryingFitter``
and against published coefficients.

Published: the Stanford heart transplant data in (start, stop] form (lifelines'
``load_stanford_heart_transplants``, R survival's ``jasa1``). ``coxph(Surv(start, stop, event) ~ age +
year + surgery + transplant, data = jasa1)`` (Efron ties) gives age 0.0272, year −0.1463, surgery
−0.6372, transplant −0.0103 (Therneau & Grambsch 2000, §3.7.1; the same numbers appear in lifelines'
"Time varying survival regression" documentation example).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn.efron import fit_efron

COVS = ["age", "year", "surgery", "transplant"]


@pytest.fixture(scope="module")
def heart():
    from lifelines.datasets import load_stanford_heart_transplants

    return load_stanford_heart_transplants()


def _lifelines(df, covs, penalizer=0.0, strata=None):
    from lifelines import CoxTimeVaryingFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxTimeVaryingFitter(penalizer=penalizer).fit(
            df[[*covs, "id", "start", "stop", "event", *(strata or [])]], id_col="id", start_col="start",
            stop_col="stop", event_col="event", strata=strata)


def test_stanford_heart_published_coefficients(heart):
    f = fit_efron(heart[COVS], heart["start"], heart["stop"], heart["event"].astype(bool))
    assert f.converged
    np.testing.assert_allclose(f.params_[COVS].to_numpy(), [0.0272, -0.1463, -0.6372, -0.0103], atol=6e-4)


@pytest.mark.parametrize("penalizer", [0.0, 0.05])
def test_equals_lifelines_with_and_without_penalty(heart, penalizer):
    ref = _lifelines(heart, COVS, penalizer)
    f = fit_efron(heart[COVS], heart["start"], heart["stop"], heart["event"].astype(bool),
                  penalizer=penalizer * len(heart))  # lifelines multiplies its penalizer by the rows
    np.testing.assert_allclose(f.params_[COVS].to_numpy(), ref.params_[COVS].to_numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(f.standard_errors_[COVS].to_numpy(), ref.standard_errors_[COVS].to_numpy(), rtol=1e-4)
    if penalizer == 0.0:
        assert f.log_likelihood_ == pytest.approx(ref.log_likelihood_, rel=1e-8)


def test_ties_and_strata_equal_lifelines():
    """Many tied churn days (times rounded to weeks) and two strata with their own baselines."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(600):
        x1, x2 = rng.normal(), rng.integers(0, 2)
        t_event = np.ceil(rng.exponential(300 / np.exp(0.5 * x1 - 0.7 * x2)) / 7) * 7
        t_cens = np.ceil(rng.uniform(50, 600) / 7) * 7
        stop, ev = min(t_event, t_cens), t_event <= t_cens
        cut = np.ceil(stop / 2 / 7) * 7
        z = rng.normal()  # a covariate that changes at the cut
        if 0 < cut < stop:
            rows += [(i, 0.0, cut, False, x1, x2, z, i % 2), (i, cut, stop, ev, x1, x2, z + 1.0, i % 2)]
        else:
            rows.append((i, 0.0, stop, ev, x1, x2, z, i % 2))
    df = pd.DataFrame(rows, columns=["id", "start", "stop", "event", "x1", "x2", "z", "s"])
    df = df[df["stop"] > df["start"]].reset_index(drop=True)
    covs = ["x1", "x2", "z"]
    ref = _lifelines(df, covs, strata=["s"])
    f = fit_efron(df[covs], df["start"], df["stop"], df["event"].to_numpy(bool), strata=df["s"].to_numpy())
    np.testing.assert_allclose(f.params_[covs].to_numpy(), ref.params_[covs].to_numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(f.standard_errors_[covs].to_numpy(), ref.standard_errors_[covs].to_numpy(), rtol=1e-4)
    assert f.n_events == int(df["event"].sum())


def test_one_newton_step_from_the_estimate_stays_there_and_from_near_it_lands_on_it(heart):
    """The one-step bootstrap's refit: the maximum is a fixed point of the step, and from a start one standard
    error away (a bootstrap resample's typical distance) a single step lands within a quarter of a standard error
    even with 75 deaths (0.17 here; the error shrinks with the square of the distance and with more churns)."""
    from cxtemplate.churn.efron import newton_step

    X, ev = heart[COVS], heart["event"].astype(bool)
    f = fit_efron(X, heart["start"], heart["stop"], ev, penalizer=2.0)
    at = newton_step(X, heart["start"], heart["stop"], ev, f.params_.to_numpy(), penalizer=2.0)
    np.testing.assert_allclose(at.to_numpy(), f.params_.to_numpy(), atol=1e-9)
    se = f.standard_errors_.to_numpy()
    near = newton_step(X, heart["start"], heart["stop"], ev, f.params_.to_numpy() + se, penalizer=2.0)
    assert np.max(np.abs(near.to_numpy() - f.params_.to_numpy()) / se) < 0.25
    half = newton_step(X, heart["start"], heart["stop"], ev, f.params_.to_numpy() + se / 2, penalizer=2.0)
    assert np.max(np.abs(half.to_numpy() - f.params_.to_numpy()) / se) < 0.25 / 3
    # a fit started from the estimate converges at once to the same estimate
    again = fit_efron(X, heart["start"], heart["stop"], ev, penalizer=2.0, init=f.params_.to_numpy())
    assert again.iterations <= 2 and np.allclose(again.params_.to_numpy(), f.params_.to_numpy(), atol=1e-9)
