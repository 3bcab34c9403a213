"""What the churn models return: risk-set sums, the Breslow baseline, the hazard-ratio table, stratum keys,
concordance, and the closed-form conditional risk of :class:`CoxResult`.

Truth: hand calculations on four and five subjects (written out in the tests), standard normal quantiles,
and lifelines run directly on the Rossi data (its ``baseline_cumulative_hazard_`` and
``predict_survival_function``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index

from cxtemplate.churn.design import build_design
from cxtemplate.churn.km_cox import fit_cox
from cxtemplate.churn.results import breslow, concordance, hr_table, risk_sums, stratum_keys

ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]

# five subjects: (entry, exit] with an event flag and a weight exp(lp)
ENTRY = np.array([0.0, 0.0, 1.0, 0.0, 4.0])
EXIT = np.array([2.0, 3.0, 3.0, 5.0, 7.0])
EVENT = np.array([True, True, False, True, False])
W = np.array([1.0, 2.0, 1.0, 2.0, 1.0])


def test_risk_sums_by_hand():
    # at t = 2: subjects 1–4 (subject 5 enters at 4) → 1 + 2 + 1 + 2 = 6
    # at t = 3: subjects 2, 3, 4 (exit ≥ 3, entry < 3) → 2 + 1 + 2 = 5
    # at t = 5: subjects 4 and 5 → 2 + 1 = 3; at t = 7: subject 5 → 1; at t = 8: nobody
    np.testing.assert_allclose(risk_sums(ENTRY, EXIT, W, np.array([2.0, 3.0, 5.0, 7.0, 8.0])), [6, 5, 3, 1, 0])
    both = risk_sums(ENTRY, EXIT, np.column_stack([W, np.ones(5)]), np.array([2.0, 3.0]))
    np.testing.assert_allclose(both, [[6, 4], [5, 3]])      # second column counts the subjects at risk


def test_breslow_baseline_by_hand():
    # events at 2, 3 and 5 with risk sums 6, 5 and 3: H0 = 1/6, 1/6 + 1/5, 1/6 + 1/5 + 1/3, flat after
    grid, h = breslow(ENTRY, EXIT, EVENT, np.log(W))
    np.testing.assert_allclose(grid, [2, 3, 5, 7])
    np.testing.assert_allclose(h, np.cumsum([1 / 6, 1 / 5, 1 / 3, 0]))
    # a tie: two events at 3 among four at risk with unit weights adds 2 / 4 (Breslow's d / Σw)
    grid, h = breslow(np.zeros(4), np.array([1.0, 3.0, 3.0, 4.0]), np.array([False, True, True, False]), np.zeros(4))
    np.testing.assert_allclose(h, [0, 2 / 3, 2 / 3])


def test_baseline_equals_lifelines_on_rossi(rossi):
    res = fit_cox(rossi, ROSSI, duration_col="week", event_col="arrest", penalizer=0.0, check_ph=False)
    cph = CoxPHFitter().fit(rossi, "week", "arrest")
    t = cph.baseline_cumulative_hazard_.index.to_numpy(float)
    # lifelines' baseline is at the mean covariates, ours at zero: they differ by exp(mean(x)'β)
    shift = np.exp(rossi[ROSSI].mean().to_numpy() @ res.params[ROSSI].to_numpy())
    np.testing.assert_allclose(res.cumulative_hazard(t) * shift, cph.baseline_cumulative_hazard_.iloc[:, 0], rtol=1e-9)


def test_hazard_ratio_table_by_hand():
    design = build_design(pd.DataFrame({"plan": ["a"] * 30 + ["b"] * 25, "x": np.arange(55.0)}), ["plan", "x"])
    params = pd.Series({"plan[b]": 0.5, "x": -0.1})
    se = pd.Series({"plan[b]": 0.25, "x": 0.1})
    t = hr_table(params, se, design, alpha=0.05).set_index("term")
    # z = 0.5 / 0.25 = 2: two-sided p = 0.0455; 95% interval exp(0.5 ∓ 1.959964 × 0.25)
    assert t.loc["plan[b]", "hr"] == pytest.approx(np.exp(0.5))
    assert t.loc["plan[b]", ["hr_low", "hr_high"]].tolist() == pytest.approx([1.0100593, 2.6912102], rel=1e-7)
    assert t.loc["plan[b]", "p"] == pytest.approx(0.0455003, rel=1e-5)
    assert t.loc["plan[b]", "label"] == "plan: b vs a" and t.loc["plan[b]", "reference"] == "a"
    assert t.loc["x", "label"] == "x (per unit)" and t.loc["x", "level"] is None
    ninety = hr_table(params, se, design, alpha=0.10).set_index("term")
    # 90%: z = 1.644854, exp(0.5 ∓ 0.411214)
    assert ninety.loc["plan[b]", ["hr_low", "hr_high"]].tolist() == pytest.approx([1.0928474, 2.4873389], rel=1e-7)
    assert ninety.loc["plan[b]", "p"] == t.loc["plan[b]", "p"]


def test_stratum_keys():
    frame = pd.DataFrame({"region": ["n", "s"], "plan": [1, 2]})
    assert stratum_keys(frame, []) is None
    assert list(stratum_keys(frame, ["region"])) == ["n", "s"]
    assert list(stratum_keys(frame, ["region", "plan"])) == ["n|1", "s|2"]


def test_concordance_by_hand_and_without_comparable_pairs():
    """Harrell's C counts, over pairs where the shorter time is a churn, those the scores order the same way
    (higher score = longer stay, lifelines' convention); tied scores count one half."""
    t, e = [1, 2, 3, 4], [True, True, True, True]
    assert concordance(t, [1, 2, 3, 4], e) == 1.0
    assert concordance(t, [1, 3, 2, 4], e) == pytest.approx(5 / 6)          # one of six pairs out of order
    assert concordance(t, [1, 1, 2, 3], e) == pytest.approx(5.5 / 6)        # one tied pair
    # a validation fold of a small organisation may hold no churn: lifelines raises ZeroDivisionError
    # ("No admissable pairs"); the fold's concordance is missing instead
    assert np.isnan(concordance([10, 20, 30], [0.3, 0.2, 0.1], [False, False, False]))
    t, s, e = [5, 10, 15, 20], [0.9, 0.2, 0.5, 0.1], [True, False, True, True]
    assert concordance(t, s, e) == concordance_index(t, s, e) == 0.0


def _static(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "plus", "premium"], n)
    region = rng.choice(["north", "south"], n)
    x = rng.normal(size=n)
    lp = 0.5 * (plan == "basic") - 0.4 * (plan == "premium") + 0.3 * x
    t = np.ceil(300 * rng.weibull(1.2, n) * np.exp(-lp / 1.2))
    c = np.ceil(rng.uniform(30, 900, n))
    return pd.DataFrame({"customer_id": [f"K{i}" for i in range(n)], "tenure_days": np.minimum(t, c),
                         "churned": t <= c, "plan": plan, "region": region, "x": x})


def test_conditional_risk_equals_lifelines_survival_ratio():
    """1 − S(t + h | x) / S(t | x) in closed form, against lifelines' predicted survival functions, at
    tenures off the event grid (interpolated as lifelines does)."""
    df = _static(1500)
    res = fit_cox(df, ["plan", "x"], reference={"plan": "plus"}, check_ph=False, penalizer=0.0)
    X = res.design.matrix(df)[res.params.index].assign(T=df["tenure_days"], E=df["churned"])
    cph = CoxPHFitter().fit(X, "T", "E")
    np.testing.assert_allclose(res.params, cph.params_[res.params.index], atol=1e-10)
    now = df.head(200).assign(tenure_days=np.random.default_rng(1).uniform(1, 500, 200))
    times = np.unique(np.r_[now["tenure_days"], now["tenure_days"] + 180])
    sf = cph.predict_survival_function(X.head(200), times=times)
    s = np.array([sf.loc[a + 180, i] / sf.loc[a, i] for i, a in enumerate(now["tenure_days"])])
    np.testing.assert_allclose(res.conditional_risk(now, 180.0), 1 - s, rtol=1e-9, atol=1e-12)


def test_stratified_baselines_match_lifelines_and_an_unseen_stratum_uses_the_pooled_one():
    """At a tenure where every stratum has an exit (250 days here). Between exits the two differ by ~1e-4:
    lifelines interpolates each stratum's step baseline over the pooled grid of all strata's exits, we over the
    stratum's own exits."""
    df = _static(seed=2)
    res = fit_cox(df, ["plan", "x"], strata=["region"], check_ph=False, penalizer=0.0)
    assert all(250.0 in res.baseline[k][0] for k in ("north", "south"))
    X = res.design.matrix(df)[res.params.index].assign(region=df["region"], T=df["tenure_days"], E=df["churned"])
    cph = CoxPHFitter().fit(X, "T", "E", strata=["region"])
    rows = X.head(40)
    sf = cph.predict_survival_function(rows, times=[100.0, 250.0])    # lifelines reorders rows by stratum
    ours = 1 - res.conditional_risk(df.head(40).assign(tenure_days=0.0), 250.0)
    np.testing.assert_allclose(ours, sf.loc[250.0, rows.index].to_numpy(), rtol=1e-9)
    odd = df.head(3).assign(region="west")
    np.testing.assert_allclose(res.cumulative_hazard([50.0] * 3, res.stratum_keys(odd)),
                               res.cumulative_hazard([50.0] * 3))
    assert set(res.baseline) == {"__all__", "north", "south"}
