"""Proportional hazards: the Grambsch–Therneau test (:func:`schoenfeld_test`) and its remedies (:func:`ph_check`):
stratify a violating categorical covariate, or show early vs late hazard ratios.

Truth: lifelines run directly — ``proportional_hazard_test`` on the published Rossi example (age breaks
proportional hazards there, as lifelines' documentation "Testing the proportional hazard assumptions" shows),
and ``CoxTimeVaryingFitter`` on the Rossi data split by hand at the median churn week for the early/late ratios;
simulated data whose hazards cross (a violation by construction) or are proportional (none by construction).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, CoxTimeVaryingFitter
from lifelines.statistics import proportional_hazard_test

from cxtemplate.churn.km_cox import fit_cox
from cxtemplate.measure.spec import z_value

ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_ph_test_equals_lifelines_and_the_remedy_is_reported(rossi, rossi_fit):
    ours = rossi_fit.ph_test.set_index("term")
    theirs = proportional_hazard_test(CoxPHFitter().fit(rossi, "week", "arrest"), rossi, time_transform="rank").summary
    np.testing.assert_allclose(ours.loc[ROSSI, "statistic"], theirs.loc[ROSSI, "test_statistic"], rtol=1e-8)
    np.testing.assert_allclose(ours.loc[ROSSI, "p"], theirs.loc[ROSSI, "p"], rtol=1e-7)
    # age (numeric) breaks PH in rossi: it is not stratified, an early/late split is shown instead
    assert ours.loc["age", "violation"] and ours["violation"].sum() == 1
    assert "age" in rossi_fit.ph_note and "early/late split" in rossi_fit.ph_note
    assert list(rossi_fit.time_split["term"]) == ["age"] and rossi_fit.strata == []


def _split_by_hand(df: pd.DataFrame, tau: float) -> pd.DataFrame:
    """Each subject's follow-up cut at tau: (0, min(T, tau)] and, for those still followed, (tau, T]."""
    early = df.assign(start=0.0, stop=np.minimum(df["week"], tau),
                      event=df["arrest"].astype(bool) & (df["week"] <= tau))
    late = df[df["week"] > tau].assign(start=tau, stop=lambda d: d["week"], event=lambda d: d["arrest"].astype(bool))
    out = pd.concat([early, late], ignore_index=True)
    out["id"] = np.r_[np.arange(len(df)), np.flatnonzero(df["week"] > tau)]
    out["age×late"] = out["age"] * (out["start"] >= tau)
    return out


def test_early_and_late_hazard_ratios_equal_lifelines_on_the_split_data(rossi, rossi_fit):
    split = rossi_fit.time_split.set_index("term").loc["age"]
    tau = float(np.median(rossi.loc[rossi["arrest"] == 1, "week"]))
    assert split["split_at_days"] == tau == 28.0
    data = _split_by_hand(rossi, tau)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = CoxTimeVaryingFitter().fit(data[[*ROSSI, "age×late", "id", "start", "stop", "event"]], id_col="id",
                                         start_col="start", stop_col="stop", event_col="event")
    b = ref.params_
    v = pd.DataFrame(np.asarray(ref.variance_matrix_), index=b.index, columns=b.index)
    assert np.isclose(split["hr_early"], np.exp(b["age"]), rtol=1e-6)
    assert np.isclose(split["hr_late"], np.exp(b["age"] + b["age×late"]), rtol=1e-6)
    se_late = np.sqrt(v.loc["age", "age"] + v.loc["age×late", "age×late"] + 2 * v.loc["age", "age×late"])
    z = z_value(0.95)
    assert np.isclose(split["hr_late_low"], np.exp(b["age"] + b["age×late"] - z * se_late), rtol=1e-5)
    assert np.isclose(split["p_difference"], ref.summary.loc["age×late", "p"], rtol=1e-4)


def test_early_late_intervals_follow_the_confidence_level(rossi, rossi_fit):
    ninety = fit_cox(rossi, ROSSI, duration_col="week", event_col="arrest", penalizer=0.0, alpha=0.10)
    a, b = ninety.time_split.iloc[0], rossi_fit.time_split.iloc[0]
    ratio = z_value(0.90) / z_value(0.95)
    for part in ("early", "late"):
        assert a[f"hr_{part}"] == b[f"hr_{part}"]
        width = np.log(a[f"hr_{part}_high"] / a[f"hr_{part}_low"]) / np.log(b[f"hr_{part}_high"] / b[f"hr_{part}_low"])
        assert np.isclose(width, ratio, rtol=1e-12)


def _hazards(n: int, seed: int, crossing: bool) -> pd.DataFrame:
    """Two groups and a numeric x; with ``crossing`` group 'b' churns early and 'a' late (Weibull shapes 0.6
    and 2.5, so their hazard ratio flips over tenure), otherwise one shape (proportional hazards)."""
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b"], n)
    x = rng.normal(size=n)
    shape = np.where(g == "a", 2.5, 0.6) if crossing else np.full(n, 1.2)
    scale = 400 * np.where(g == "a", 1.0, 1.0 if crossing else 0.7)
    t = scale * rng.weibull(shape) * np.exp(-0.4 * x / shape)
    c = rng.uniform(100, 900, n)
    return pd.DataFrame({"customer_id": np.arange(n).astype(str), "tenure_days": np.minimum(t, c),
                         "churned": t <= c, "group": g, "x": x})


def test_a_violating_categorical_becomes_a_stratum_and_scoring_still_works():
    df = _hazards(3000, seed=1, crossing=True)
    res = fit_cox(df, ["group", "x"])
    assert res.strata == ["group"] and "stratified" in res.ph_note and "reports no hazard ratio" in res.ph_note
    assert list(res.hazard_ratios["term"]) == ["x"]
    assert set(res.baseline) == {"__all__", "a", "b"}
    assert any("Stratified on group" in n for n in res.notes)
    p = res.conditional_risk(df.head(50), 180.0)
    assert np.all((p >= 0) & (p <= 1))


def test_proportional_hazards_find_no_violation():
    res = fit_cox(_hazards(1500, seed=4, crossing=False), ["group", "x"])
    assert not res.ph_test["violation"].any() and res.time_split is None and res.strata == []
    assert res.ph_note.startswith("The proportional-hazards check (Schoenfeld residuals) found no violation")
