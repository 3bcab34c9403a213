"""Survey responses of the synthetic organisation: touchpoints, agents, driver ratings and scores.

The model, on a latent 0–10 satisfaction scale ``S`` per response::

    S = mu + sum_j w_j z_j + segment + journey stage + location + agent + customer
        + topics mentioned + unresolved contact + location step + eps,    eps ~ N(0, SIGMA)

with ``z_j = (rating_j - mean_j) / sd_j`` the standardised observed driver ratings. The observed
scores are ordinal readings with known thresholds, so every observed-scale truth is a normal-CDF
expression in the deterministic part ``m = S - eps``:

* NPS = clip(round(S), 0, 10): P(promoter) = Phi((m - 8.5) / SIGMA), P(detractor) = Phi((6.5 - m) / SIGMA).
* CSAT = 1 + #{k : C > CSAT_CUTS[k]}, C = m + WAIT_EFFECT (wait - WAIT_REF) + SIGMA (rho eps + sqrt(1 - rho^2) eps').
* CES = clip(round(E), 1, 7), E = CES_MU + a z_ease + b z_speed + c (m - mu) + CES_SIGMA eps''.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

DRIVERS = (
    "ease_of_process", "staff_knowledge", "speed_of_service", "communication",
    "value_for_money", "reliability", "digital_experience",
)
# Design parameters per driver (same order as DRIVERS). speed_of_service: second most important
# and the worst performer, the only driver in the "concentrate here" quadrant.
DRIVER_MEAN = np.array([7.7, 7.2, 5.8, 6.6, 7.5, 7.9, 6.9])
DRIVER_SD = np.array([1.8, 1.7, 2.1, 1.8, 1.9, 1.7, 2.0])
DRIVER_WEIGHT = np.array([0.42, 0.05, 0.60, 0.10, 0.40, 0.88, 0.0])   # latent points per SD; digital: none
HALO_LOADING = np.array([0.75, 0.65, 0.70, 0.72, 0.55, 0.60, 0.58])    # r_jk = l_j l_k

MU = 8.4
SIGMA = 1.3
NPS_PROMOTER_CUT = 8.5
NPS_DETRACTOR_CUT = 6.5
CSAT_CUTS = np.array([3.2, 5.2, 6.6, 8.4])
CSAT_RHO = 0.75
WAIT_EFFECT = -0.15          # CSAT latent per minute of the location-month's wait time
WAIT_REF = 5.0
CES_MU, CES_EASE, CES_SPEED, CES_SAT, CES_SIGMA = 4.4, 0.8, 0.55, 0.15, 1.0
CUSTOMER_SD = 0.6
AGENT_SD = 0.8
LOCATION_SD = 0.35
UNRESOLVED_EFFECT = -1.0
UNRESOLVED_WINDOW_DAYS = 60
COMMENT_SHARE = 0.40
ONBOARDING_WINDOW_DAYS = 40

SEGMENTS = ("Consumer", "Small business", "Enterprise")
SEGMENT_EFFECT = np.array([0.0, -0.35, 0.25])
STAGES = ("Onboarding", "Usage", "Support", "Billing", "Renewal")
STAGE_EFFECT = np.array([0.30, 0.10, -0.30, -0.50, 0.0])

# touchpoint, journey stage, channel, staffed, weight (onboarding touchpoints: weight within the
# onboarding survey; the others: weight within the ongoing survey stream).
TOUCHPOINTS = (
    ("Store sign-up", "Onboarding", "Store", True, 0.45),
    ("Online sign-up", "Onboarding", "Web", False, 0.35),
    ("Installation", "Onboarding", "Field", True, 0.17),
    ("Welcome call", "Onboarding", "Phone", True, 0.03),
    ("Mobile app", "Usage", "App", False, 0.20),
    ("Website", "Usage", "Web", False, 0.09),
    ("Service outage update", "Usage", "SMS", False, 0.012),
    ("Phone support", "Support", "Phone", True, 0.16),
    ("Web chat", "Support", "Chat", True, 0.11),
    ("Store visit", "Support", "Store", True, 0.12),
    ("Technician visit", "Support", "Field", True, 0.035),
    ("Chatbot", "Support", "Chat", False, 0.05),
    ("Invoice", "Billing", "Email", False, 0.08),
    ("Online payment", "Billing", "Web", False, 0.03),
    ("Billing enquiry", "Billing", "Phone", True, 0.04),
    ("Renewal offer", "Renewal", "Email", False, 0.03),
    ("Renewal call", "Renewal", "Phone", True, 0.015),
    ("Plan change in store", "Renewal", "Store", True, 0.008),
)
TP_NAME = np.array([t[0] for t in TOUCHPOINTS], dtype=object)
TP_STAGE = np.array([STAGES.index(t[1]) for t in TOUCHPOINTS])
TP_CHANNEL = np.array([t[2] for t in TOUCHPOINTS], dtype=object)
TP_STAFFED = np.array([t[3] for t in TOUCHPOINTS])
TP_WEIGHT = np.array([t[4] for t in TOUCHPOINTS])

# Share of survey responses by hour of day (0-23), mostly daytime and evening.
HOUR_WEIGHT = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2.5, 4, 6, 7, 7, 7, 6.5, 6.5, 6.5, 6, 6, 6.5, 7,
                        6.5, 5, 3.5, 2])


def draw_time_of_day(rng: np.random.Generator, n: int, hour_weight=HOUR_WEIGHT) -> np.ndarray:
    """Seconds after midnight, by an hour-of-day profile."""
    w = np.asarray(hour_weight, dtype=float)
    hour = np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right")
    return np.minimum(hour, 23) * 3600 + rng.integers(0, 3600, n)


def make_agents(rng: np.random.Generator, location_codes: list[str]) -> dict[str, np.ndarray]:
    """Agents per location with uneven workloads and effects N(0, AGENT_SD), centred per location.

    Returns
    -------
    dict
        ``agent_id`` (object), ``location`` (int), ``weight`` (selection weight within the location,
        summing to 1 per location) and ``effect`` (latent points).
    """
    ids, loc, weight, effect = [], [], [], []
    for li, code in enumerate(location_codes):
        k = int(rng.integers(5, 8))
        w = rng.lognormal(0.0, 0.9, k)
        w[-1] *= 0.04          # a new starter or part-timer: very few responses
        w /= w.sum()
        e = rng.normal(0.0, AGENT_SD, k)
        e -= np.dot(w, e)      # agent effects average zero within a location (location effect stays clean)
        ids += [f"AG-{code}-{i + 1:02d}" for i in range(k)]
        loc += [li] * k
        weight += list(w)
        effect += list(e)
    return {"agent_id": np.array(ids, dtype=object), "location": np.array(loc),
            "weight": np.array(weight), "effect": np.array(effect)}


def assign_agents(rng: np.random.Generator, location: np.ndarray, staffed: np.ndarray,
                  agents: dict[str, np.ndarray]) -> np.ndarray:
    """Agent index per row (-1 where ``staffed`` is false), drawn by workload within the location."""
    out = np.full(len(location), -1, dtype=np.int32)
    for li in np.unique(agents["location"]):
        pool = np.flatnonzero(agents["location"] == li)
        sel = np.flatnonzero(staffed & (location == li))
        cw = np.cumsum(agents["weight"][pool])
        k = np.minimum(np.searchsorted(cw / cw[-1], rng.random(sel.size), side="right"), pool.size - 1)
        out[sel] = pool[k]
    return out


def draw_drivers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Driver ratings 0–10 (int8, shape (n, 7)) from a one-factor (halo) model."""
    halo = rng.standard_normal(n)
    out = np.empty((n, len(DRIVERS)), dtype=np.int8)
    for j in range(len(DRIVERS)):
        z = HALO_LOADING[j] * halo + np.sqrt(1 - HALO_LOADING[j] ** 2) * rng.standard_normal(n)
        out[:, j] = np.clip(np.rint(DRIVER_MEAN[j] + DRIVER_SD[j] * z), 0, 10)
    return out


def driver_part(ratings: np.ndarray) -> np.ndarray:
    """The drivers' contribution to the satisfaction latent, sum_j w_j (rating_j - mean_j) / sd_j."""
    return ((ratings - DRIVER_MEAN) / DRIVER_SD) @ DRIVER_WEIGHT


def draw_responses(rng: np.random.Generator, start_day: np.ndarray, follow: np.ndarray, rate_per_year: float,
                   onboarding_share: float, anonymous_share: float, topic_share: np.ndarray) -> dict[str, np.ndarray]:
    """Survey responses over each customer's potential follow-up (before churn is known).

    Parameters
    ----------
    start_day, follow : ndarray of int
        Customer start (days after the window start) and days from start to the window end.
    rate_per_year : float
        Rate of the ongoing survey stream per customer-year.
    onboarding_share : float
        Share of new customers answering an onboarding survey in their first weeks.
    anonymous_share : float
        Share of responses that carry no customer_id.
    topic_share : ndarray
        Probability that a commented response mentions each topic (independently).

    Returns
    -------
    dict of ndarray
        Sorted by customer then time: ``cust``, ``sec`` (seconds after the window start), ``tenure``
        (days since the customer's start, float), ``touchpoint``, ``anonymous``, ``ratings``,
        ``commented``, ``mentions`` and standard-normal noises ``eps``, ``eps_csat``, ``eps_ces``.
    """
    n = start_day.size
    k = rng.poisson(rate_per_year / 365.25 * follow)
    cust = np.repeat(np.arange(n, dtype=np.int32), k)
    day = np.floor(rng.random(cust.size) * follow[cust]).astype(np.int64)
    ongoing = np.flatnonzero(~np.isin(TP_STAGE, [0]))
    tp = ongoing[np.searchsorted(np.cumsum(TP_WEIGHT[ongoing]) / TP_WEIGHT[ongoing].sum(), rng.random(cust.size), side="right")]

    onb_day = rng.integers(1, ONBOARDING_WINDOW_DAYS + 1, n)
    onb = (rng.random(n) < onboarding_share) & (onb_day < follow)
    onb_cust = np.flatnonzero(onb).astype(np.int32)
    onboarding = np.flatnonzero(TP_STAGE == 0)
    onb_tp = onboarding[np.searchsorted(np.cumsum(TP_WEIGHT[onboarding]) / TP_WEIGHT[onboarding].sum(),
                                        rng.random(onb_cust.size), side="right")]
    cust = np.concatenate([cust, onb_cust])
    day = np.concatenate([day, onb_day[onb_cust]])
    tp = np.concatenate([tp, onb_tp]).astype(np.int8)
    tod = draw_time_of_day(rng, cust.size)
    tenure_sec = day * 86400 + tod
    order = np.lexsort((tenure_sec, cust))
    cust, tenure_sec, tp = cust[order], tenure_sec[order], tp[order]
    m = cust.size
    commented = rng.random(m) < COMMENT_SHARE
    mentions = (rng.random((m, len(topic_share))) < topic_share) & commented[:, None]
    return {
        "cust": cust,
        "sec": start_day[cust].astype(np.int64) * 86400 + tenure_sec,
        "tenure": tenure_sec / 86400.0,
        "touchpoint": tp,
        "anonymous": rng.random(m) < anonymous_share,
        "ratings": draw_drivers(rng, m),
        "commented": commented,
        "mentions": mentions,
        "eps": rng.standard_normal(m),
        "eps_csat": rng.standard_normal(m),
        "eps_ces": rng.standard_normal(m),
    }


def observe_scores(m: np.ndarray, wait_dev: np.ndarray, ratings: np.ndarray, eps: np.ndarray,
                   eps_csat: np.ndarray, eps_ces: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NPS (0–10), CSAT (1–5) and CES (1–7) from the latent means and noises (see module docstring)."""
    nps = np.clip(np.rint(m + SIGMA * eps), 0, 10).astype(np.int8)
    c = m + WAIT_EFFECT * wait_dev + SIGMA * (CSAT_RHO * eps + np.sqrt(1 - CSAT_RHO ** 2) * eps_csat)
    csat = (1 + (c[:, None] > CSAT_CUTS).sum(axis=1)).astype(np.int8)
    z = (ratings - DRIVER_MEAN) / DRIVER_SD
    e = (CES_MU + CES_EASE * z[:, DRIVERS.index("ease_of_process")] + CES_SPEED * z[:, DRIVERS.index("speed_of_service")]
         + CES_SAT * (m - MU) + CES_SIGMA * eps_ces)
    ces = np.clip(np.rint(e), 1, 7).astype(np.int8)
    return nps, csat, ces


def nps_expect(m: np.ndarray) -> np.ndarray:
    """P(promoter) - P(detractor) given the latent mean (multiply the mean by 100 for NPS points)."""
    return ndtr((m - NPS_PROMOTER_CUT) / SIGMA) - ndtr((NPS_DETRACTOR_CUT - m) / SIGMA)


def nps_score_expect(m: np.ndarray) -> np.ndarray:
    """Expected 0–10 score given the latent mean."""
    m = np.asarray(m, dtype=float)
    return sum(ndtr((m - (k + 0.5)) / SIGMA) for k in range(10))


def csat_expect(mc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """E[CSAT], P(CSAT >= 4) and their derivatives in the CSAT latent mean ``mc``."""
    u = (np.asarray(mc)[:, None] - CSAT_CUTS) / SIGMA
    dens = np.exp(-0.5 * u ** 2) / np.sqrt(2 * np.pi) / SIGMA
    return 1 + ndtr(u).sum(axis=1), ndtr(u[:, 2]), dens.sum(axis=1), dens[:, 2]


def driver_truth(seed: int = 7, n: int = 400_000) -> dict:
    """Population properties of the driver model, from a large fixed-seed Monte Carlo sample.

    Importance is general dominance (average increment in R^2 over all subsets), normalised to
    shares. Additive causes independent of the drivers scale every subset's R^2 by the same factor,
    so the shares hold for the satisfaction latent, not only for the drivers' own part.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    r = draw_drivers(rng, n).astype(float)
    y = driver_part(r)
    c = np.corrcoef(np.column_stack([r, y]), rowvar=False)
    rxx, rxy = c[:-1, :-1], c[:-1, -1]
    p = len(DRIVERS)
    r2 = {0: 0.0}
    for mask in range(1, 2 ** p):
        idx = [j for j in range(p) if mask >> j & 1]
        b = np.linalg.solve(rxx[np.ix_(idx, idx)], rxy[idx])
        r2[mask] = float(rxy[idx] @ b)
    dom = np.zeros(p)
    for j in range(p):
        by_size = [[] for _ in range(p)]
        for mask in range(2 ** p):
            if not mask >> j & 1:
                by_size[bin(mask).count("1")].append(r2[mask | 1 << j] - r2[mask])
        dom[j] = np.mean([np.mean(v) for v in by_size])
    share = dom / dom.sum()
    means = r.mean(axis=0)
    hi_imp, lo_perf = share > share.mean(), means < means.mean()
    hi_imp_med, lo_perf_med = share > np.median(share), means < np.median(means)
    quadrant = np.where(hi_imp & lo_perf, "concentrate_here", np.where(hi_imp, "keep_up_the_good_work",
                        np.where(lo_perf, "low_priority", "possible_overkill")))
    concentrate = [d for d, q in zip(DRIVERS, quadrant) if q == "concentrate_here"]
    assert list(hi_imp) == list(hi_imp_med) and list(lo_perf) == list(lo_perf_med), "quadrant cut-offs disagree"
    assert len(concentrate) == 1, concentrate
    corr = np.corrcoef(r, rowvar=False)
    return {
        "names": list(DRIVERS),
        "design_mean": dict(zip(DRIVERS, DRIVER_MEAN.tolist())),
        "design_sd": dict(zip(DRIVERS, DRIVER_SD.tolist())),
        "halo_loading": dict(zip(DRIVERS, HALO_LOADING.tolist())),
        "weight_latent_per_sd": dict(zip(DRIVERS, DRIVER_WEIGHT.tolist())),
        "weight_latent_per_point": dict(zip(DRIVERS, (DRIVER_WEIGHT / DRIVER_SD).tolist())),
        "expected_mean_rating": dict(zip(DRIVERS, means.tolist())),
        "correlation": {a: dict(zip(DRIVERS, corr[i].tolist())) for i, a in enumerate(DRIVERS)},
        "importance_share": dict(zip(DRIVERS, share.tolist())),
        "importance_rank": [DRIVERS[j] for j in np.argsort(-share)],
        "quadrant": dict(zip(DRIVERS, quadrant.tolist())),
        "quadrant_rule": "importance share above its mean (or median) × expected rating below its mean "
                         "(or median); both cuts agree",
        "concentrate_here": concentrate[0],
    }
