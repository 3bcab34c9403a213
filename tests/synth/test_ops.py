"""Tests of :mod:`cxtemplate.synth.ops`: conversations (resolution, intents, handle times, cancellation calls),
monthly operations KPIs and the wait-time effect on CSAT, and the maturity questionnaire with its
role bias — against the model's own formulas computed by hand and the demo's planted truth."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import norm

from cxtemplate.synth import ops as so
from cxtemplate.synth.survey import make_agents
from tests.synth.helpers import quarantined

# ---------------------------------------------------------------- conversations


@pytest.fixture(scope="module")
def conversations():
    rng = np.random.default_rng(21)
    n = 6000
    start_day = np.sort(rng.integers(0, 700, n))
    follow = 1096 - start_day
    location = rng.integers(0, 2, n)
    effect = rng.normal(0, 0.6, n)
    agents = make_agents(rng, ["LON", "MAN"])
    out = so.draw_interactions(rng, start_day, follow, 3.0, location, effect, agents)
    return out, agents, location, follow


def test_conversation_rates_resolution_and_intents(conversations):
    it, agents, location, follow = conversations
    expect = (3.0 / 365.25 * follow).sum()
    assert abs(it["cust"].size - expect) < 4 * np.sqrt(expect)
    order = np.lexsort((it["sec"], it["cust"]))
    assert (order == np.arange(order.size)).all()
    for c, channel in enumerate(so.INT_CHANNELS):
        sel = it["channel"] == c
        n = sel.sum()
        assert abs(n / it["cust"].size - so.INT_CHANNEL_P[c]) < 4 * np.sqrt(so.INT_CHANNEL_P[c] / it["cust"].size)
        intent_share = np.bincount(it["intent"][sel], minlength=len(so.INTENTS)) / n
        p_intent = so.INTENT_P[c]
        assert np.all(np.abs(intent_share - p_intent) < 4 * np.sqrt(p_intent * (1 - p_intent) / n) + 1e-9)
        # P(resolved) = logistic(channel + intent), averaged over the intents of the channel
        p = (so.INTENT_P[c] / (1 + np.exp(-(so.RESOLVE_CHANNEL[c] + so.RESOLVE_INTENT)))).sum()
        assert abs(it["resolved"][sel].mean() - p) < 4 * np.sqrt(p * (1 - p) / n), channel
    bot = it["channel"] == so.INT_CHANNELS.index("Bot")
    assert (it["agent"][bot] == -1).all() and (it["agent"][~bot] >= 0).all()
    assert (agents["location"][it["agent"][~bot]] == location[it["cust"][~bot]]).all()


def test_handle_time_and_sentiment(conversations):
    it, *_ = conversations
    for c, i in ((0, 0), (1, 1), (3, 3)):                 # phone billing, chat faults, bot product questions
        sel = (it["channel"] == c) & (it["intent"] == i)
        median = so.HANDLE_MEDIAN[c] * so.HANDLE_INTENT[i]       # lognormal: median × e^N(0, σ²)
        assert np.median(it["handle_seconds"][sel]) == pytest.approx(median, rel=0.08)
    assert (it["handle_seconds"] >= 5).all()
    assert np.abs(it["sentiment"]).max() < 1 and (np.round(it["sentiment"], 3) == it["sentiment"]).all()
    assert it["sentiment"][it["resolved"]].mean() > it["sentiment"][~it["resolved"]].mean() + 0.5


def test_cancellation_calls_come_in_the_last_fortnight():
    rng = np.random.default_rng(3)
    n = 20_000
    agents = make_agents(rng, ["LON"])
    churned = np.arange(0, n, 2)
    start_day = np.zeros(n, dtype=np.int64)
    churn_day = rng.integers(1, 500, n)
    cc = so.draw_cancellation_calls(rng, churned, start_day, churn_day, np.zeros(n, dtype=int), np.zeros(n), agents)
    assert set(cc["cust"]) <= set(churned)
    share = cc["cust"].size / (churn_day[churned] >= 2).sum()
    assert share == pytest.approx(so.CANCEL_CALL_SHARE, abs=0.02)
    days_before = churn_day[cc["cust"]] - cc["sec"] // 86400
    assert days_before.min() >= 1 and days_before.max() <= 14
    assert (cc["intent"] == so.INTENTS.index("cancellation_enquiry")).all() and cc["resolved"].all()
    assert set(cc["channel"]) == {so.INT_CHANNELS.index("Phone"), so.INT_CHANNELS.index("Chat")}


# ---------------------------------------------------------------- operations


def test_within_slope_equals_least_squares_with_location_dummies():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 9)) + np.arange(4)[:, None]
    y = 2.0 - 0.7 * x + 3 * np.arange(4)[:, None] + rng.normal(scale=0.1, size=x.shape)
    dummies = np.kron(np.eye(4), np.ones((9, 1)))
    beta = np.linalg.lstsq(np.column_stack([x.ravel(), dummies]), y.ravel(), rcond=None)[0]
    assert so.within_slope(y, x) == pytest.approx(beta[0], abs=1e-12)


def test_operations_kpis():
    rng = np.random.default_rng(5)
    share = np.array([0.5, 0.3, 0.2])
    month = np.tile(np.arange(1, 13), 3)
    ops = so.make_operations(rng, 3, month, share)
    assert ops["base_fte"].tolist() == [48.0, 32.0, 24.0]          # round(8 + 80 × share, 1)
    for k in ("staffing_fte", "wait_time_minutes", "first_contact_resolution", "employee_engagement"):
        assert ops[k].shape == (3, 36), k
    assert (ops["wait_time_minutes"] >= 0.5).all() and (ops["staffing_fte"] > 0).all()
    assert ops["first_contact_resolution"].min() >= 0 and ops["first_contact_resolution"].max() <= 1
    assert ops["employee_engagement"].min() >= 0 and ops["employee_engagement"].max() <= 100
    wait = ops["wait_time_minutes"]
    assert wait[:, month == 1].mean() > wait[:, month == 7].mean()    # seasonal demand peaks in January
    assert so.within_slope(wait, ops["staffing_fte"]) < 0            # more staff, shorter waits
    assert so.within_slope(ops["employee_engagement"], wait) < 0


def location_month(org):
    r = quarantined(org)["responses"]
    r = r.assign(period=r["responded_at"].dt.strftime("%Y-%m"))
    g = r.groupby(["location", "period"]).agg(csat=("csat", "mean"), top2=("csat", lambda x: (x >= 4).mean()),
                                               score=("nps", "mean"), n=("csat", "size")).reset_index()
    ops = org.tables["operations"].pivot_table(index=["location", "period"], columns="kpi", values="value").reset_index()
    return g.merge(ops, on=["location", "period"])


def fe_slope(df, y, x):
    """Weighted (by n) within-location OLS slope and its standard error."""
    w = df["n"].to_numpy(float)
    xd = df[x] - df.groupby("location")[x].transform(lambda v: np.average(v, weights=w[v.index]))
    yd = df[y] - df.groupby("location")[y].transform(lambda v: np.average(v, weights=w[v.index]))
    b = (w * xd * yd).sum() / (w * xd ** 2).sum()
    resid = yd - b * xd
    se = np.sqrt((w ** 2 * xd ** 2 * resid ** 2).sum()) / (w * xd ** 2).sum()
    return b, se


def test_wait_time_effect_on_csat(demo):
    truth = demo.truth["wait_time_csat"]
    lm = location_month(demo)
    b, se = fe_slope(lm, "csat", "wait_time_minutes")
    assert abs(b - truth["ame_csat_mean_per_minute"]) < max(3 * se, 0.2 * abs(truth["ame_csat_mean_per_minute"]))
    b2, se2 = fe_slope(lm, "top2", "wait_time_minutes")
    assert abs(b2 - truth["ame_csat_top2_per_minute"]) < 3 * se2
    # NPS has no wait effect; staffing works only through wait time.
    b3, se3 = fe_slope(lm, "score", "wait_time_minutes")
    assert abs(b3) < 3 * se3
    ops = demo.truth["operations"]
    assert ops["direct_effect_on_csat_latent"] == {"staffing_fte": 0.0, "wait_time_minutes": truth["effect_latent_per_minute"],
                                                   "first_contact_resolution": 0.0, "employee_engagement": 0.0}
    assert ops["wait_per_fte_within_location"] < 0 and ops["implied_csat_mean_per_fte"] > 0
    b4, _ = fe_slope(lm, "csat", "staffing_fte")
    assert b4 > 0


# ---------------------------------------------------------------- maturity


def test_maturity_model_is_the_shipped_yaml():
    text = resources.files("cxtemplate.plan").joinpath("maturity_models/forrester_six_disciplines.yaml").read_text()
    model = so.load_maturity_model()
    assert model == yaml.safe_load(text)
    assert [d["id"] for d in model["dimensions"]] == list(so.MATURITY_TRUE)


def test_maturity_answers_converge_to_their_expected_levels():
    """Many respondents: the observed mean level per role and dimension approaches the truth's expectation
    E[clip(round(latent), 1, 4)] = 1 + Σ_c P(latent > c) for c in 1.5, 2.5, 3.5 (by hand with the normal CDF)."""
    model = so.load_maturity_model()
    rows, truth = so.make_maturity(np.random.default_rng(2), model, {"executive": 400, "frontline": 400})
    df = pd.DataFrame(rows)
    n_practices = sum(len(d["practices"]) for d in model["dimensions"])
    assert len(df) == 800 * n_practices and df["level"].between(1, 4).all()
    sd = np.hypot(so.RESPONDENT_SD, so.ANSWER_SD)
    practice = pd.Series(truth["true_practice_level"])
    for role in ("executive", "frontline"):
        mu = practice + so.ROLE_BIAS[role]
        by_hand = 1 + sum(pd.Series(norm.sf(c, loc=mu, scale=sd), index=mu.index) for c in (1.5, 2.5, 3.5))
        dim_of = df.drop_duplicates("practice").set_index("practice")["dimension"]
        expect = by_hand.groupby(dim_of.reindex(by_hand.index)).mean()
        observed = df[df["role"] == role].groupby("dimension")["level"].mean()
        for dim in observed.index:
            assert observed[dim] == pytest.approx(expect[dim], abs=0.05), (role, dim)
            assert truth["expected_observed_mean_by_role"][role][dim] == pytest.approx(expect[dim], abs=1e-4)
    assert truth["lowest_dimension"] == min(so.MATURITY_TRUE, key=so.MATURITY_TRUE.get)


def test_maturity_perception_gap(demo):
    m = demo.truth["maturity"]
    ma = demo.tables["maturity_answers"]
    by_role = ma.groupby("role")["level"].mean()
    assert by_role["executive"] - by_role["frontline"] == pytest.approx(
        np.mean(list(m["expected_observed_mean_by_role"]["executive"].values()))
        - np.mean(list(m["expected_observed_mean_by_role"]["frontline"].values())), abs=0.35)
    assert by_role["executive"] > by_role["manager"] > by_role["frontline"]
    by_dim = ma.groupby("dimension")["level"].mean()
    assert by_dim.idxmin() == m["lowest_dimension"] == "measurement"
    for dim, exp in m["expected_observed_mean"].items():
        assert by_dim[dim] == pytest.approx(exp, abs=0.35)
