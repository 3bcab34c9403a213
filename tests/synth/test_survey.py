"""Tests of :mod:`cxtemplate.synth.survey`: the latent normal model of the scores (expected NPS, score and
CSAT against hand computations with ``scipy.stats.norm`` and against simulation), the halo model of the
driver ratings, the driver importance truth, agents and the response stream."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from cxtemplate.analysis.driver_math import lmg_from_corr
from cxtemplate.synth import survey as sv
from cxtemplate.synth.spec import DEMO_SPEC
from cxtemplate.synth.survey import DRIVERS
from tests.synth.helpers import quarantined


def test_expected_nps_by_hand_with_scipy_norm():
    """NPS = clip(round(m + σε)): promoter when m + σε ≥ 8.5, detractor when m + σε < 6.5 (σ = 1.3)."""
    m = np.array([3.0, 6.5, 8.4, 9.7])
    promoter = norm.sf(8.5, loc=m, scale=1.3)
    detractor = norm.cdf(6.5, loc=m, scale=1.3)
    np.testing.assert_allclose(sv.nps_expect(m), promoter - detractor, rtol=0, atol=1e-12)
    # at the latent mean of the organisation, m = 8.4: 46.934% promoters, 7.193% detractors
    assert 100 * sv.nps_expect(np.array([8.4]))[0] == pytest.approx(100 * (0.4693424 - 0.0719339), abs=1e-4)


def test_expected_score_and_csat_by_hand_with_scipy_norm():
    m = np.array([0.2, 4.0, 8.4, 10.3])
    k = np.arange(11)
    # P(score = k) for k = 0..10 from the rounded, clipped normal
    upper = np.where(k == 10, np.inf, k + 0.5)
    lower = np.where(k == 0, -np.inf, k - 0.5)
    pmf = norm.cdf(upper[None, :], loc=m[:, None], scale=sv.SIGMA) - norm.cdf(lower[None, :], loc=m[:, None],
                                                                               scale=sv.SIGMA)
    np.testing.assert_allclose(sv.nps_score_expect(m), pmf @ k, atol=1e-12)
    mean, top2, d_mean, d_top2 = sv.csat_expect(m)
    cuts = sv.CSAT_CUTS
    np.testing.assert_allclose(mean, 1 + norm.sf(cuts[None, :], loc=m[:, None], scale=sv.SIGMA).sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(top2, norm.sf(cuts[2], loc=m, scale=sv.SIGMA), atol=1e-12)     # CSAT ≥ 4
    h = 1e-5                                   # the derivatives, by central differences
    np.testing.assert_allclose(d_mean, (sv.csat_expect(m + h)[0] - sv.csat_expect(m - h)[0]) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(d_top2, (sv.csat_expect(m + h)[1] - sv.csat_expect(m - h)[1]) / (2 * h), rtol=1e-6)


def test_observed_scores_by_hand_without_noise():
    m = np.array([-3.0, 6.4, 6.6, 12.0])
    zero = np.zeros(4)
    ratings = np.tile(sv.DRIVER_MEAN, (4, 1))       # z = 0 for every driver
    nps, csat, ces = sv.observe_scores(m, zero, ratings, zero, zero, zero)
    assert nps.tolist() == [0, 6, 7, 10]
    assert csat.tolist() == [1, 3, 3, 5]           # 1 + #{cut < C}; cuts 3.2, 5.2, 6.6, 8.4
    # CES = round(4.4 + 0.15 (m − 8.4)), clipped to 1–7
    assert ces.tolist() == [int(np.clip(np.rint(4.4 + 0.15 * (x - 8.4)), 1, 7)) for x in m]
    # ten minutes of extra wait lower the CSAT latent by 1.5
    _, slow, _ = sv.observe_scores(np.array([7.0]), np.array([10.0]), ratings[:1], zero[:1], zero[:1], zero[:1])
    assert slow.tolist() == [3]                    # C = 5.5


def test_simulated_scores_match_their_expectations():
    rng = np.random.default_rng(11)
    n = 200_000
    m = np.full(n, 8.0)
    eps, e2, e3 = rng.standard_normal((3, n))
    ratings = np.tile(sv.DRIVER_MEAN, (n, 1))
    nps, csat, _ = sv.observe_scores(m, np.zeros(n), ratings, eps, e2, e3)
    p, d = (nps >= 9).mean(), (nps <= 6).mean()
    se = np.sqrt((p + d - (p - d) ** 2) / n)
    assert abs((p - d) - sv.nps_expect(m[:1])[0]) < 4 * se
    assert abs(nps.mean() - sv.nps_score_expect(m[:1])[0]) < 4 * nps.std() / np.sqrt(n)
    mean, top2, *_ = sv.csat_expect(m[:1])
    assert abs(csat.mean() - mean[0]) < 4 * csat.std() / np.sqrt(n)
    assert abs((csat >= 4).mean() - top2[0]) < 4 * np.sqrt(top2[0] * (1 - top2[0]) / n)


def test_driver_ratings_follow_the_halo_model():
    r = sv.draw_drivers(np.random.default_rng(3), 60_000).astype(float)
    assert r.min() >= 0 and r.max() <= 10 and (r % 1 == 0).all()
    corr = np.corrcoef(r, rowvar=False)
    loading = np.outer(sv.HALO_LOADING, sv.HALO_LOADING)        # one factor: r_jk = l_j l_k
    off = ~np.eye(len(DRIVERS), dtype=bool)
    assert np.abs(corr - loading)[off].max() < 0.035                # rounding attenuates a little
    # the mean of a rounded, clipped N(mean, sd) on 0–10, by hand
    k = np.arange(11)
    upper = np.where(k == 10, np.inf, k + 0.5)
    lower = np.where(k == 0, -np.inf, k - 0.5)
    for j in range(len(DRIVERS)):
        mu, sd = sv.DRIVER_MEAN[j], sv.DRIVER_SD[j]
        expect = ((norm.cdf(upper, mu, sd) - norm.cdf(lower, mu, sd)) * k).sum()
        assert abs(r[:, j].mean() - expect) < 4 * r[:, j].std() / np.sqrt(len(r)), DRIVERS[j]


def test_driver_part_is_weight_per_standard_deviation():
    j = DRIVERS.index("speed_of_service")
    one_sd = sv.DRIVER_MEAN.copy()
    one_sd[j] += sv.DRIVER_SD[j]
    assert sv.driver_part(one_sd[None, :])[0] == pytest.approx(0.60)
    assert sv.driver_part(sv.DRIVER_MEAN[None, :])[0] == pytest.approx(0.0)


def test_driver_truth_matches_the_population_shapley_shares():
    """Shares of general dominance from the model's population correlations (halo loadings, continuous
    ratings), computed exactly by :func:`lmg_from_corr`, against the truth's Monte Carlo estimate."""
    c = np.outer(sv.HALO_LOADING, sv.HALO_LOADING)
    np.fill_diagonal(c, 1.0)
    w = sv.DRIVER_WEIGHT
    R = np.empty((8, 8))
    R[0, 0], R[0, 1:], R[1:, 0], R[1:, 1:] = w @ c @ w, c @ w, c @ w, c
    shares = lmg_from_corr(R)
    shares /= shares.sum()
    truth = sv.driver_truth()
    got = np.array([truth["importance_share"][d] for d in DRIVERS])
    np.testing.assert_allclose(got, shares, atol=0.015)
    assert truth["importance_rank"] == [DRIVERS[j] for j in np.argsort(-shares)]
    assert truth["concentrate_here"] == "speed_of_service"
    assert truth["quadrant"]["speed_of_service"] == "concentrate_here"


def test_time_of_day_follows_the_hour_profile():
    sec = sv.draw_time_of_day(np.random.default_rng(8), 120_000)
    assert sec.min() >= 0 and sec.max() < 86400
    share = np.bincount(sec // 3600, minlength=24) / sec.size
    p = sv.HOUR_WEIGHT / sv.HOUR_WEIGHT.sum()
    assert np.all(np.abs(share - p) < 4 * np.sqrt(p * (1 - p) / sec.size))


def test_agents_by_location():
    rng = np.random.default_rng(6)
    agents = sv.make_agents(rng, ["LON", "MAN", "BIR"])
    ids, loc, weight, effect = agents["agent_id"], agents["location"], agents["weight"], agents["effect"]
    for li, code in enumerate(["LON", "MAN", "BIR"]):
        here = loc == li
        assert 5 <= here.sum() <= 7
        assert [a for a in ids[here]] == [f"AG-{code}-{i:02d}" for i in range(1, here.sum() + 1)]
        assert weight[here].sum() == pytest.approx(1.0)
        assert np.dot(weight[here], effect[here]) == pytest.approx(0.0, abs=1e-12)   # centred within the location
    location = rng.integers(0, 3, 30_000)
    staffed = rng.random(30_000) < 0.7
    a = sv.assign_agents(rng, location, staffed, agents)
    assert (a[~staffed] == -1).all() and (a[staffed] >= 0).all()
    assert (loc[a[staffed]] == location[staffed]).all()
    pool = np.flatnonzero(loc == 0)
    got = np.bincount(a[staffed & (location == 0)], minlength=len(ids))[pool]
    n = got.sum()
    assert np.all(np.abs(got / n - weight[pool]) < 4 * np.sqrt(weight[pool] * (1 - weight[pool]) / n) + 1e-9)


def test_response_stream_counts_and_order():
    rng = np.random.default_rng(9)
    n = 4000
    start_day = np.sort(rng.integers(0, 1000, n))
    follow = 1096 - start_day
    share = np.full(3, 0.2)
    rs = sv.draw_responses(rng, start_day, follow, 2.0, 0.45, 0.12, share)
    assert pd.Index(rs["cust"]).is_monotonic_increasing
    order = np.lexsort((rs["sec"], rs["cust"]))
    assert (order == np.arange(len(order))).all()                 # by customer, then time
    assert (rs["tenure"] >= 0).all() and (rs["tenure"] < follow[rs["cust"]]).all()
    onboarding_possible = np.minimum(np.maximum(follow - 1, 0), sv.ONBOARDING_WINDOW_DAYS) / sv.ONBOARDING_WINDOW_DAYS
    expect = (2.0 / 365.25 * follow).sum() + 0.45 * onboarding_possible.sum()
    assert abs(len(rs["cust"]) - expect) < 4 * np.sqrt(expect)
    assert rs["anonymous"].mean() == pytest.approx(0.12, abs=0.01)
    assert rs["commented"].mean() == pytest.approx(sv.COMMENT_SHARE, abs=0.01)
    assert not rs["mentions"][~rs["commented"]].any()
    assert rs["mentions"][rs["commented"]].mean(axis=0) == pytest.approx(share, abs=0.015)
    onboarding = sv.TP_STAGE[rs["touchpoint"]] == 0
    assert (rs["tenure"][onboarding] < sv.ONBOARDING_WINDOW_DAYS + 1).all()


def test_touchpoints_are_well_formed():
    assert len({t[0] for t in sv.TOUCHPOINTS}) == len(sv.TOUCHPOINTS)
    assert {t[1] for t in sv.TOUCHPOINTS} == set(sv.STAGES)
    assert all(t[4] > 0 for t in sv.TOUCHPOINTS)          # relative weights within each stream
    assert {t[2] for t in sv.TOUCHPOINTS if not t[3]} >= {"App", "Web", "Email", "SMS"}   # self-service: no agent


def test_agents(demo):
    r = quarantined(demo)["responses"]
    agents = demo.truth["agents"]
    per_loc = pd.Series({a: v["location"] for a, v in agents.items()}).value_counts()
    assert per_loc.between(5, 7).all() and len(per_loc) == DEMO_SPEC.n_locations
    assert all(re.fullmatch(r"AG-[A-Z]{3}-\d\d", a) for a in agents)
    n = r["agent_id"].value_counts().reindex(list(agents), fill_value=0)
    assert n.to_dict() == {a: v["n_responses"] for a, v in agents.items()}
    assert (n < 10).sum() >= 3 and n.max() > 300
    eff = np.array([v["effect_latent"] for v in agents.values()])
    assert 0.5 < eff.std() < 1.1
    # Big agents: observed mean NPS gap to their location tracks the planted effect.
    big = [a for a in agents if n[a] >= 150]
    staffed = r[r["agent_id"].notna()]
    loc_mean = staffed.groupby("location")["nps"].mean()
    gap = [staffed.loc[staffed["agent_id"] == a, "nps"].mean() - loc_mean[agents[a]["location"]] for a in big]
    assert np.corrcoef(gap, [agents[a]["effect_mean_score"] for a in big])[0, 1] > 0.8


def test_drivers(demo):
    r = quarantined(demo)["responses"]
    d = demo.truth["drivers"]
    corr = r[list(DRIVERS)].corr().to_numpy()
    off = corr[~np.eye(len(DRIVERS), dtype=bool)]
    assert 0.25 < off.min() and off.max() < 0.65 and off.max() - off.min() > 0.1
    means = r[list(DRIVERS)].mean()
    assert means.idxmin() == d["concentrate_here"] == "speed_of_service"
    assert d["importance_rank"][:3] == ["reliability", "speed_of_service", "ease_of_process"]
    z = (r[list(DRIVERS)] - r[list(DRIVERS)].mean()) / r[list(DRIVERS)].std()
    x = np.column_stack([np.ones(len(z)), z.to_numpy()])
    beta = np.linalg.lstsq(x, r["nps"].to_numpy(float), rcond=None)[0][1:]
    assert [DRIVERS[j] for j in np.argsort(-beta)[:3]] == d["importance_rank"][:3]
    assert abs(beta[DRIVERS.index("digital_experience")]) < 0.1
