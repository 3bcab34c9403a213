"""Conversations, operations KPIs and maturity answers of the synthetic organisation."""

from __future__ import annotations

from importlib import resources

import numpy as np
import yaml
from scipy.special import ndtr

from cxtemplate.synth.survey import assign_agents, draw_time_of_day

INT_CHANNELS = ("Phone", "Chat", "Email", "Bot")
INT_CHANNEL_P = np.array([0.38, 0.27, 0.15, 0.20])
INTENTS = ("billing", "technical_fault", "account_change", "product_enquiry", "complaint", "cancellation_enquiry")
# P(intent | channel); rows follow INT_CHANNELS.
INTENT_P = np.array([
    [0.26, 0.24, 0.14, 0.12, 0.14, 0.10],
    [0.25, 0.22, 0.20, 0.18, 0.10, 0.05],
    [0.30, 0.10, 0.20, 0.10, 0.25, 0.05],
    [0.35, 0.20, 0.30, 0.15, 0.00, 0.00],
])
RESOLVE_CHANNEL = np.array([1.6, 1.3, 0.9, 0.0])                  # logit of P(resolved)
RESOLVE_INTENT = np.array([0.2, -0.5, 0.6, 0.8, -0.9, -0.3])
HANDLE_MEDIAN = np.array([420.0, 540.0, 240.0, 150.0])             # seconds, by channel
HANDLE_INTENT = np.array([1.0, 1.3, 0.9, 0.8, 1.4, 1.2])
HANDLE_SIGMA = 0.55
SENTIMENT_INTENT = np.array([-0.2, -0.3, 0.2, 0.3, -0.8, -0.5])
SENTIMENT_RESOLVED = 0.5
SENTIMENT_CUSTOMER = 0.35
SENTIMENT_SD = 0.35
CONTACT_HOURS = np.array([0, 0, 0, 0, 0, 0, 0, 0.5, 4, 7, 8, 8, 7, 7, 7, 7, 6.5, 6, 4, 2.5, 1, 0, 0, 0])
ANY_HOURS = np.array([1.5, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3, 2])
CANCEL_CALL_SHARE = 0.35      # churners who call to cancel in their last fortnight


def _draw_interaction_fields(rng, cust, location, cust_effect, agents, channel=None, intent=None, resolved=None):
    n = cust.size
    if channel is None:
        channel = np.searchsorted(np.cumsum(INT_CHANNEL_P), rng.random(n), side="right").astype(np.int8)
    if intent is None:
        cum = np.cumsum(INTENT_P, axis=1)[channel]
        intent = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), len(INTENTS) - 1).astype(np.int8)
    if resolved is None:
        logit = RESOLVE_CHANNEL[channel] + RESOLVE_INTENT[intent]
        resolved = rng.random(n) < 1 / (1 + np.exp(-logit))
    handle = np.rint(HANDLE_MEDIAN[channel] * HANDLE_INTENT[intent] * rng.lognormal(0.0, HANDLE_SIGMA, n))
    sentiment = np.tanh(SENTIMENT_INTENT[intent] + SENTIMENT_RESOLVED * (2 * resolved - 1)
                        + SENTIMENT_CUSTOMER * cust_effect[cust] + SENTIMENT_SD * rng.standard_normal(n))
    agent = assign_agents(rng, location[cust], channel != INT_CHANNELS.index("Bot"), agents)
    return {"channel": channel, "intent": intent, "resolved": resolved, "handle_seconds": np.maximum(handle, 5).astype(np.int32),
            "sentiment": np.round(sentiment, 3), "agent": agent}


def draw_interactions(rng: np.random.Generator, start_day: np.ndarray, follow: np.ndarray, rate_per_year: float,
                      location: np.ndarray, cust_effect: np.ndarray, agents: dict) -> dict[str, np.ndarray]:
    """Conversations over each customer's potential follow-up, sorted by customer then time.

    Channel and intent are drawn first; resolution is logistic in channel and intent; handle time is
    lognormal by channel and intent; sentiment is tanh of intent, resolution, the customer's latent
    disposition and noise. Staffed channels get an agent of the customer's location.
    """
    n = start_day.size
    k = rng.poisson(rate_per_year / 365.25 * follow)
    cust = np.repeat(np.arange(n, dtype=np.int32), k)
    day = np.floor(rng.random(cust.size) * follow[cust]).astype(np.int64)
    fields = _draw_interaction_fields(rng, cust, location, cust_effect, agents)
    bot_or_email = np.isin(fields["channel"], [INT_CHANNELS.index("Bot"), INT_CHANNELS.index("Email")])
    tod = np.where(bot_or_email, draw_time_of_day(rng, cust.size, ANY_HOURS), draw_time_of_day(rng, cust.size, CONTACT_HOURS))
    tenure_sec = day * 86400 + tod
    order = np.lexsort((tenure_sec, cust))
    out = {k_: v[order] for k_, v in fields.items()}
    out["cust"] = cust[order]
    out["sec"] = start_day[out["cust"]].astype(np.int64) * 86400 + tenure_sec[order]
    return out


def draw_cancellation_calls(rng: np.random.Generator, churned: np.ndarray, start_day: np.ndarray, churn_day: np.ndarray,
                            location: np.ndarray, cust_effect: np.ndarray, agents: dict) -> dict[str, np.ndarray]:
    """Phone or chat calls with intent ``cancellation_enquiry`` in a churner's last fortnight.

    Always resolved, so they never trigger the unresolved-contact effect on later responses.
    """
    who = churned[(rng.random(churned.size) < CANCEL_CALL_SHARE) & (churn_day[churned] >= 2)]
    n = who.size
    back = np.minimum(rng.integers(1, 15, n), churn_day[who] - 1)
    tenure_sec = (churn_day[who] - back) * 86400 + draw_time_of_day(rng, n, CONTACT_HOURS)
    channel = np.where(rng.random(n) < 0.7, INT_CHANNELS.index("Phone"), INT_CHANNELS.index("Chat")).astype(np.int8)
    intent = np.full(n, INTENTS.index("cancellation_enquiry"), dtype=np.int8)
    fields = _draw_interaction_fields(rng, who.astype(np.int32), location, cust_effect, agents, channel, intent,
                                      np.ones(n, dtype=bool))
    fields["cust"] = who.astype(np.int32)
    fields["sec"] = start_day[who].astype(np.int64) * 86400 + tenure_sec
    return fields


# Operations: utilisation = BASE_UTIL * demand / (fte / base_fte); wait grows with utilisation.
BASE_UTIL = 0.8
WAIT_INTERCEPT, WAIT_PER_UTIL, WAIT_UTIL0, WAIT_NOISE_SD = 1.5, 25.0, 0.65, 0.3
STAFF_AR, STAFF_SD = 0.7, 0.06
SEASON_AMP = 0.12
ENGAGEMENT_PER_UTIL = -30.0


def make_operations(rng: np.random.Generator, n_locations: int, month_of_year: np.ndarray,
                    size_share: np.ndarray) -> dict[str, np.ndarray]:
    """Monthly KPIs per location (arrays of shape (n_locations, n_months)).

    Staffing follows an AR(1) around a base proportional to location size; demand is seasonal
    (January peak) with location noise; wait time is driven by utilisation = demand / staffing;
    engagement falls with utilisation (so it is correlated with wait time but has no effect on
    customers); first-contact resolution is independent noise around a location level.
    """
    n_m = month_of_year.size
    base_fte = np.round(8 + 80 * size_share, 1)
    x = np.zeros((n_locations, n_m))
    x[:, 0] = rng.normal(0, STAFF_SD / np.sqrt(1 - STAFF_AR ** 2), n_locations)
    shocks = rng.normal(0, STAFF_SD, (n_locations, n_m))
    for t in range(1, n_m):   # loop over months (36), vectorised over locations
        x[:, t] = STAFF_AR * x[:, t - 1] + shocks[:, t]
    fte = np.round(base_fte[:, None] * np.exp(x), 1)
    demand = 1 + SEASON_AMP * np.cos(2 * np.pi * (month_of_year - 1) / 12)[None, :] + rng.normal(0, 0.03, (n_locations, n_m))
    util = BASE_UTIL * demand / (fte / base_fte[:, None])
    wait = np.round(np.maximum(0.5, WAIT_INTERCEPT + WAIT_PER_UTIL * (util - WAIT_UTIL0)
                               + rng.normal(0, WAIT_NOISE_SD, util.shape)), 2)
    fcr_level = rng.uniform(0.66, 0.80, n_locations)
    fcr = np.round(np.clip(fcr_level[:, None] + rng.normal(0, 0.02, util.shape), 0, 1), 3)
    eng_level = 70 + rng.normal(0, 4, n_locations)
    engagement = np.round(np.clip(eng_level[:, None] + ENGAGEMENT_PER_UTIL * (util - BASE_UTIL)
                                  + rng.normal(0, 1.5, util.shape), 0, 100), 1)
    return {"staffing_fte": fte, "wait_time_minutes": wait, "first_contact_resolution": fcr,
            "employee_engagement": engagement, "base_fte": base_fte}


def within_slope(y: np.ndarray, x: np.ndarray) -> float:
    """OLS slope of ``y`` on ``x`` with one intercept per row (location fixed effects)."""
    xd = x - x.mean(axis=1, keepdims=True)
    yd = y - y.mean(axis=1, keepdims=True)
    return float((xd * yd).sum() / (xd ** 2).sum())


# Maturity: latent level per dimension on the 1–4 scale, read by respondents with a role bias.
MATURITY_TRUE = {"strategy": 2.6, "customer_understanding": 2.3, "design": 1.9, "measurement": 1.5,
                 "governance": 2.2, "culture": 2.8}
ROLE_BIAS = {"executive": 0.5, "manager": 0.1, "frontline": -0.2}
PRACTICE_SD, RESPONDENT_SD, ANSWER_SD = 0.3, 0.2, 0.5


def load_maturity_model(name: str = "forrester_six_disciplines") -> dict:
    """A maturity model shipped with the package (``cxtemplate/plan/maturity_models/<name>.yaml``)."""
    path = resources.files("cxtemplate.plan").joinpath("maturity_models").joinpath(f"{name}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _expected_level(mu: np.ndarray, sd: float) -> np.ndarray:
    return 1 + sum(ndtr((mu - c) / sd) for c in (1.5, 2.5, 3.5))


def make_maturity(rng: np.random.Generator, model: dict, respondents: dict[str, int]) -> tuple[dict, dict]:
    """Questionnaire answers (one row per respondent × practice) and their truth.

    level = clip(round(dimension level + practice offset + role bias + respondent effect + noise), 1, 4).
    Dimensions not in ``MATURITY_TRUE`` get a level drawn uniformly on [1.5, 3.0].
    """
    dims = model["dimensions"]
    true_dim = {d["id"]: MATURITY_TRUE.get(d["id"], float(np.round(rng.uniform(1.5, 3.0), 2))) for d in dims}
    prac_dim, prac_id, prac_true = [], [], []
    for d in dims:
        off = rng.normal(0, PRACTICE_SD, len(d["practices"]))
        off -= off.mean()
        for p, o in zip(d["practices"], off):
            prac_dim.append(d["id"])
            prac_id.append(p["id"])
            prac_true.append(true_dim[d["id"]] + o)
    prac_true = np.array(prac_true)
    roles = [r for r, k in respondents.items() for _ in range(k)]
    resp_ids = [f"MR{i + 1:02d}" for i in range(len(roles))]
    bias = np.array([ROLE_BIAS[r] for r in roles])
    resp_eff = rng.normal(0, RESPONDENT_SD, len(roles))
    latent = prac_true[None, :] + (bias + resp_eff)[:, None] + rng.normal(0, ANSWER_SD, (len(roles), len(prac_id)))
    level = np.clip(np.rint(latent), 1, 4).astype(np.int8)
    n_r, n_p = level.shape
    rows = {
        "respondent_id": np.repeat(np.array(resp_ids, dtype=object), n_p),
        "role": np.repeat(np.array(roles, dtype=object), n_p),
        "dimension": np.tile(np.array(prac_dim, dtype=object), n_r),
        "practice": np.tile(np.array(prac_id, dtype=object), n_r),
        "level": level.ravel(),
    }
    sd = float(np.hypot(RESPONDENT_SD, ANSWER_SD))
    exp_by_role = {r: _expected_level(prac_true + ROLE_BIAS[r], sd) for r in ROLE_BIAS}
    weights = {r: k / len(roles) for r, k in respondents.items()}
    exp_all = sum(weights[r] * exp_by_role[r] for r in respondents)
    dim_arr = np.array(prac_dim)
    truth = {
        "model": model.get("id"),
        "respondents": dict(respondents),
        "true_level": {d: round(v, 4) for d, v in true_dim.items()},
        "true_practice_level": {p: round(float(v), 4) for p, v in zip(prac_id, prac_true)},
        "role_bias": ROLE_BIAS,
        "perception_gap_executive_minus_frontline": round(ROLE_BIAS["executive"] - ROLE_BIAS["frontline"], 4),
        "respondent_sd": RESPONDENT_SD,
        "answer_sd": ANSWER_SD,
        "expected_observed_mean": {d: round(float(exp_all[dim_arr == d].mean()), 4) for d in true_dim},
        "expected_observed_mean_by_role": {r: {d: round(float(exp_by_role[r][dim_arr == d].mean()), 4) for d in true_dim}
                                           for r in respondents},
        "lowest_dimension": min(true_dim, key=true_dim.get),
        "highest_dimension": max(true_dim, key=true_dim.get),
        "observed_scale": "level = clip(round(latent), 1, 4)",
    }
    return rows, truth
