"""Tests of :mod:`cxtemplate.synth.constants`: the latent model's design (proper probabilities, consistent
levels) and that the generated customers realise it (segment, plan, contract, location and revenue)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.synth import constants as k
from cxtemplate.synth.spec import DEMO_SPEC
from cxtemplate.synth.survey import SEGMENTS


def test_design_probabilities_and_levels():
    assert np.isclose(k.SEGMENT_P.sum(), 1.0) and np.allclose(k.PLAN_P.sum(axis=1), 1.0) and (k.PLAN_P > 0).all()
    assert k.PLAN_P.shape == (len(SEGMENTS), len(k.PLANS)) and k.MONTHLY_P.shape == (len(SEGMENTS),)
    names, codes, weights = zip(*k.LOCATIONS)
    assert len(set(names)) == len(set(codes)) == len(k.LOCATIONS) == 16
    assert all(len(c) == 3 and c.isupper() for c in codes) and min(weights) > 0
    levels = {"nps_category": k.NPS_CATEGORIES, "segment": SEGMENTS, "plan": k.PLANS, "contract": k.CONTRACTS}
    for group, (ref, hrs) in k.CHURN_HR.items():
        assert {ref, *hrs} == set(levels[group]), group
        assert all(v > 0 for v in hrs.values())
    assert len(set(k.STREAMS)) == len(k.STREAMS)
    assert 0 < k.WEIBULL_SHAPE < 1           # a falling hazard: new customers leave more readily


def _within(observed: float, p: float, n: int, z: float = 4.0) -> bool:
    return abs(observed - p) < z * np.sqrt(p * (1 - p) / n)


def test_customers_realise_the_design(clean):
    c = clean.tables["customers"]
    n = len(c)
    seg = c["segment"].value_counts()
    for s, p in zip(SEGMENTS, k.SEGMENT_P):
        assert _within(seg[s] / n, p, n), s
    for i, s in enumerate(SEGMENTS):
        here = c[c["segment"] == s]
        plans = here["plan"].value_counts(normalize=True)
        for j, plan in enumerate(k.PLANS):
            assert _within(plans.get(plan, 0.0), k.PLAN_P[i, j], len(here)), (s, plan)
        assert _within((here["contract"] == "Monthly").mean(), k.MONTHLY_P[i], len(here)), s
    w = np.array([x[2] for x in k.LOCATIONS[:DEMO_SPEC.n_locations]])
    share = c["location"].value_counts(normalize=True)
    for (name, _, _), p in zip(k.LOCATIONS, w / w.sum()):
        assert _within(share[name], p, n), name
    # revenue = plan median × segment multiplier × lognormal(0, σ): the log residual is N(0, σ²)
    median = pd.Series(k.REVENUE_PLAN, index=k.PLANS)[c["plan"]].to_numpy()
    mult = pd.Series(k.REVENUE_SEGMENT, index=SEGMENTS)[c["segment"]].to_numpy()
    resid = np.log(c["monthly_revenue"].to_numpy() / (median * mult))
    assert abs(resid.mean()) < 4 * k.REVENUE_SIGMA / np.sqrt(n)
    assert abs(resid.std() - k.REVENUE_SIGMA) < 0.01
