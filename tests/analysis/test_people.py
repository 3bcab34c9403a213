"""Tests of cxtemplate.analysis.people: empirical-Bayes agent scores and the coaching table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from cxtemplate.analysis import people as pp


def _agents(seed: int, A: int = 60, tau: float = 0.5, sigma: float = 2.0, mean: float = 7.0,
            n_range=(2, 300)):
    """Agents with true effects and very unequal n (log-uniform between n_range)."""
    rng = np.random.default_rng(seed)
    eff = rng.normal(0, tau, A)
    n = np.round(np.exp(rng.uniform(*np.log(n_range), A))).astype(int)
    agent = np.repeat(np.arange(A), n)
    y = mean + eff[agent] + rng.normal(0, sigma, len(agent))
    return pd.DataFrame({"agent": agent, "score": y}), mean + eff


# ─── scores ──────────────────────────────────────────────────────────────────────────────────

def test_response_scores_nps_and_top_box():
    s = pd.Series([0, 6, 7, 8, 9, 10, np.nan])
    nps = pp.response_scores(s, "nps")
    assert nps.iloc[:6].tolist() == [-100, -100, 0, 0, 100, 100] and np.isnan(nps.iloc[6])
    ratings = pd.Series(np.random.default_rng(0).integers(0, 11, 500))
    direct = 100 * ((ratings >= 9).mean() - (ratings <= 6).mean())
    assert pp.response_scores(ratings, "nps").mean() == pytest.approx(direct)
    tb = pp.response_scores(pd.Series([1, 3, 4, 5]), "top_box", top_box_min=4)
    assert tb.tolist() == [0, 0, 100, 100]
    with pytest.raises(ValueError, match="0–10"):
        pp.response_scores(pd.Series([3, 11]), "nps")
    with pytest.raises(ValueError, match="kind"):
        pp.response_scores(ratings, "median")


def test_raw_metric_is_the_agents_nps():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"agent": rng.choice(list("abcde"), 2000), "nps": rng.integers(0, 11, 2000)})
    out = pp.agent_scores(df, "agent", "nps", kind="nps").set_index("agent")
    for a, part in df.groupby("agent"):
        expect = 100 * ((part["nps"] >= 9).mean() - (part["nps"] <= 6).mean())
        assert out.loc[a, "raw"] == pytest.approx(expect)
        assert out.loc[a, "n"] == len(part)
    assert out.attrs["kind"] == "nps"


def test_shrinkage_ranks_agents_better_than_raw_means():
    """Over 40 simulated contact centres with very unequal n per agent, the shrunken estimates
    rank agents closer to their true effects (Spearman) than the raw means, on average and in
    most centres."""
    raw, shrunk = [], []
    for seed in range(40):
        df, truth = _agents(seed)
        out = pp.agent_scores(df, "agent", "score")
        t = truth[out["agent"].to_numpy()]
        raw.append(spearmanr(out["raw"], t).statistic)
        shrunk.append(spearmanr(out["estimate"], t).statistic)
    raw, shrunk = np.array(raw), np.array(shrunk)
    assert shrunk.mean() > raw.mean() + 0.03, (shrunk.mean(), raw.mean())
    assert (shrunk > raw).mean() >= 0.8


def test_tau2_estimators_recover_the_truth_and_intervals_cover():
    df, truth = _agents(99, A=400, tau=0.6, sigma=2.0, n_range=(5, 200))
    reml = pp.agent_scores(df, "agent", "score")
    dl = pp.agent_scores(df, "agent", "score", method="dl")
    assert reml.attrs["tau2"] == pytest.approx(0.36, rel=0.25)
    assert dl.attrs["tau2"] == pytest.approx(0.36, rel=0.3)
    assert reml.attrs["sigma2"] == pytest.approx(4.0, rel=0.03)
    t = truth[reml["agent"].to_numpy()]
    covered = ((reml["lower"] <= t) & (t <= reml["upper"])).mean()
    assert covered == pytest.approx(0.95, abs=0.04)
    # posterior intervals are narrower than the raw ones, most of all for small n
    width_raw = 2 * 1.96 * reml["raw_se"]
    assert ((reml["upper"] - reml["lower"]) < width_raw).all()


def test_shrinkage_weights_follow_sample_size():
    df, _ = _agents(3, A=50)
    out = pp.agent_scores(df, "agent", "score")
    assert spearmanr(out["n"], out["weight"]).statistic == pytest.approx(1.0)
    big, small = out.loc[out["n"].idxmax()], out.loc[out["n"].idxmin()]
    assert abs(big["estimate"] - big["raw"]) < abs(small["estimate"] - small["raw"])
    # the estimate lies between the prior mean and the raw mean
    lo = np.minimum(out["raw"], out["prior_mean"]) - 1e-12
    hi = np.maximum(out["raw"], out["prior_mean"]) + 1e-12
    assert ((out["estimate"] >= lo) & (out["estimate"] <= hi)).all()


def test_no_between_agent_variance_shrinks_everyone_to_the_mean():
    rng = np.random.default_rng(5)
    agent = rng.integers(0, 30, 3000)
    df = pd.DataFrame({"agent": agent, "score": rng.normal(5, 1, 3000)})
    out = pp.agent_scores(df, "agent", "score")
    assert out.attrs["tau2"] < 0.005
    assert (out["estimate"] - out["prior_mean"]).abs().max() < 0.05


def test_team_shrinkage_targets_each_teams_mean():
    rng = np.random.default_rng(8)
    rows = []
    for team, centre in (("north", 4.0), ("south", 8.0)):
        for a in range(15):
            n = int(rng.integers(3, 80))
            rows.append(pd.DataFrame({"team": team, "agent": f"{team}{a}",
                                      "score": centre + rng.normal(0, 0.3) + rng.normal(0, 1.5, n)}))
    df = pd.concat(rows, ignore_index=True)
    out = pp.agent_scores(df, "agent", "score", team_col="team")
    prior = out.groupby("team")["prior_mean"].first()
    assert prior["north"] == pytest.approx(4.0, abs=0.3) and prior["south"] == pytest.approx(8.0, abs=0.3)
    # without teams the between-agent variance absorbs the team gap and is far larger
    flat = pp.agent_scores(df, "agent", "score")
    assert flat.attrs["tau2"] > 10 * out.attrs["tau2"]


def test_bad_inputs():
    df = pd.DataFrame({"agent": list("abc"), "score": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="within-agent variance"):
        pp.agent_scores(df, "agent", "score")
    with pytest.raises(ValueError, match="method"):
        pp.agent_scores(pd.concat([df, df]), "agent", "score", method="ml")


# ─── coaching table ──────────────────────────────────────────────────────────────────────────

DRIVERS = ["speed", "knowledge", "courtesy"]


def _centre(seed: int = 3):
    """Three teams; each agent has one planted weak driver; agent T0A0 is clearly poor overall."""
    rng = np.random.default_rng(seed)
    beta = np.array([0.5, 0.35, 0.15])
    frames, weak = [], {}
    for t in range(3):
        for a in range(10):
            agent = f"T{t}A{a}"
            n = 400 if agent == "T0A0" else (4 if a == 9 else int(rng.integers(60, 200)))
            j = int(rng.integers(0, 3))
            dev = np.zeros(3)
            dev[j] = -2.0
            if agent == "T0A0":
                dev[:] = -1.0
                dev[0] = -3.0
                j = 0
            weak[agent] = DRIVERS[j]
            X = rng.normal(7 + 0.3 * t, 1.2, (n, 3)) + dev
            y = np.clip(np.round(X @ beta + 2 + rng.normal(0, 1.0, n)), 0, 10)
            frames.append(pd.DataFrame(np.clip(np.round(X), 0, 10), columns=DRIVERS)
                          .assign(team=f"T{t}", agent=agent, nps=y))
    return pd.concat(frames, ignore_index=True), weak


def test_coaching_table_flags_ranks_and_names_the_driver():
    df, weak = _centre()
    ct = pp.coaching_table(df, "agent", "team", "nps", DRIVERS, kind="nps")
    assert len(ct) == 30 and ct["team_size"].eq(10).all()
    assert list(ct.columns[:2]) == ["team", "agent"]
    for _, g in ct.groupby("team"):
        assert sorted(g["rank"]) == list(range(1, 11)) or g["rank"].min() == 1
        assert g["estimate"].is_monotonic_decreasing
    poor = ct.set_index("agent").loc["T0A0"]
    assert poor["below_team"] and poor["upper"] < poor["team_mean"]
    assert poor["rank"] == 10 and poor["needs_driver"] == "speed"
    small = ct[ct["n"] < 10]
    assert (small["needs_driver"] == "not enough responses (n < 10)").all()
    assert not small["below_team"].any()
    named = ct[(ct["n"] >= 10)].set_index("agent")["needs_driver"]
    hit = np.mean([named[a] == weak[a] for a in named.index])
    assert hit >= 0.8, hit
    shares = ct.attrs["shares"]
    assert sum(shares.values()) == pytest.approx(1.0) and max(shares, key=shares.get) == "speed"


def test_coaching_table_uses_supplied_importance():
    df, _ = _centre()
    only_courtesy = {"speed": 0.0, "knowledge": 0.0, "courtesy": 1.0}
    ct = pp.coaching_table(df, "agent", "team", "nps", DRIVERS, importance=only_courtesy)
    named = ct.loc[ct["n"] >= 10, "needs_driver"]
    assert set(named) <= {"courtesy", "none (at or above team)"}
    assert (ct.loc[ct["needs_driver"] == "courtesy", "driver_gap"] > 0).all()


def test_on_synthetic_organisation():
    """On cxtemplate.synth.organisation's organisation (agents with planted effects
    ``truth["agents"][agent_id]["effect_latent"]`` and 2–900 responses each) the shrunken agent
    NPS tracks the planted effects better than the raw agent NPS, and the coaching table runs on
    the real column layout (team = location)."""
    synth = pytest.importorskip("cxtemplate.synth.organisation", reason="cxtemplate.synth.organisation is pending")
    raw, eb = [], []
    for seed in (2, 11):
        org = synth.generate(synth.SynthSpec(customers=5000, seed=seed))
        agents = org.truth["agents"]
        resp = org.tables["responses"].dropna(subset=["agent_id"])
        resp = resp[resp["nps"].between(0, 10)]            # the data-quality step's quarantine
        out = pp.agent_scores(resp, "agent_id", "nps", kind="nps")
        truth = np.array([agents[a]["effect_latent"] for a in out["agent_id"]])
        raw.append(spearmanr(out["raw"], truth).statistic)
        eb.append(spearmanr(out["estimate"], truth).statistic)
    assert min(eb) > 0.6 and np.mean(eb) > np.mean(raw), (eb, raw)
    drivers = ["ease_of_process", "staff_knowledge", "speed_of_service", "communication"]
    ct = pp.coaching_table(resp, "agent_id", "location", "nps", drivers, kind="nps")
    assert len(ct) == resp["agent_id"].nunique()
    assert set(ct.loc[ct["n"] >= 10, "needs_driver"]) <= {*drivers, "none (at or above team)"}


# ─── the experience page's section ──────────────────────────────────────────────────────────

def test_coaching_sentence_and_view():
    assert pp.coaching_sentence(2, 49) == ("**2 of 49 agents** score credibly below their team on NPS after allowing "
                                           "for their number of responses; the rest are within the range chance explains.")
    table = pd.DataFrame({"location": ["X", "X", "Y"], "agent_id": ["a", "b", "c"], "n": [40, 12, 30],
                          "raw": [-30.0, 10.0, -0.04], "estimate": [-25.0, 5.0, 1.0], "lower": [-40.0, -10.0, -9.0],
                          "upper": [-12.0, 20.0, 11.0], "team_mean": [8.0, 8.0, 2.0], "rank": [2, 1, 1],
                          "below_team": [True, False, False], "needs_driver": ["speed", "none (at or above team)", "ease"]})
    view = pp.coaching_view(table, "location", {"speed": "Speed of service"})
    assert view.columns == ["Team", "Agent", "n", "Raw NPS", "Estimated NPS", "Low", "High", "Team NPS", "Rank in team",
                            "Coach on"]
    assert view.frame[["Agent", "Coach on"]].values.tolist() == [["a", "Speed of service"]]
    assert view.title == "Agents credibly below their team, and what to coach"
    calm = pp.coaching_view(table.assign(below_team=False), "location", {}, top=2)
    assert calm.title == "Agents (none credibly below their team)" and calm.frame["Agent"].tolist() == ["a", "b"]
    assert calm.formats["Raw NPS"](-0.04) == "0.0"


def test_coaching_section_flags_agents_planted_below_their_team():
    """Every agent the demo's section flags has a planted effect below zero (``truth["agents"]``), and the worst
    planted agents with enough responses are among them."""
    from cxtemplate.analysis.page import Survey
    from cxtemplate.measure.spec import nps_spec
    from tests.analysis.demo import demo

    survey, _, truth = demo()
    section = pp.coaching_section(survey)
    coach = section.artifacts["coaching"]
    flagged = coach.loc[coach["below_team"], "agent_id"].tolist()
    planted = truth["agents"]
    assert flagged and all(planted[a]["effect_nps_points"] < 0 for a in flagged)
    worst = [a for a, t in planted.items() if t["n_responses"] >= 100 and (t["effect_nps_points"] or 0) < -30]
    assert worst and set(worst) <= set(flagged)
    assert section.sentences == [pp.coaching_sentence(len(flagged), len(coach))]
    assert section.methods == [pp.COACHING_METHOD]
    assert section.tables[0].frame["Agent"].tolist() == flagged
    r = pd.DataFrame({"nps": [9, 3]})
    assert pp.coaching_section(Survey(r, {"nps": nps_spec()})).sentences == [
        "*Responses carry no agent — frontline coaching is skipped*"]
    assert pp.coaching_section(Survey(None, {"nps": nps_spec()})).items == []
