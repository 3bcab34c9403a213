"""A synthetic organisation with embedded ground truth: the foundation of the correctness tests.

``generate(spec)`` simulates a CX programme end to end — customers, conversations, survey
responses with driver ratings and comments, monthly operations KPIs, maturity answers and churn —
from a latent model whose every planted effect is recorded in ``truth``, together with its
expected size on the observed scale (NPS points, CSAT mean, hazard ratios) computed analytically.

Order of simulation: customers → operations → conversations and survey responses over each
customer's *potential* follow-up → scores → churn time from the time-varying hazard (which depends
on the customer's latest identified response) → everything after churn is dropped → comment text,
maturity answers, injected data-quality problems. Each stage draws from its own random stream, so
switching ``dirty`` or ``plant_step`` leaves the other streams unchanged.

The model of the survey scores is in :mod:`cxtemplate.synth.survey`, conversations, operations and
maturity in :mod:`cxtemplate.synth.ops`, text in :mod:`cxtemplate.synth.text`, the ground-truth
summaries in :mod:`cxtemplate.synth.truth` and file writing in :mod:`cxtemplate.synth.io`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxtemplate.synth import ops as so
from cxtemplate.synth import survey as sv
from cxtemplate.synth import text as st
from cxtemplate.synth import truth as tr
from cxtemplate.synth.constants import (
    CHURN_HR,
    LOCATIONS,
    MONTHLY_P,
    NPS_CATEGORIES,
    PLAN_P,
    PLANS,
    REVENUE_PLAN,
    REVENUE_SEGMENT,
    REVENUE_SIGMA,
    SEGMENT_P,
    STREAMS,
    WEIBULL_SCALE_DAYS,
    WEIBULL_SHAPE,
)
from cxtemplate.synth.io import write_tables
from cxtemplate.synth.spec import DEMO_SPEC, SynthSpec


@dataclass
class SyntheticOrganisation:
    """Generated tables (canonical column names) and the ground truth that produced them."""

    tables: dict[str, pd.DataFrame]
    truth: dict
    spec: SynthSpec


def _streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.Generator(np.random.PCG64(c)) for name, c in zip(STREAMS, children)}


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return prefix + st.digits(np.arange(1, n + 1), max(width, len(str(n))))


def _pick(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """Categorical draws; ``p`` is (k,) or (n, k)."""
    cum = np.cumsum(p, axis=-1)
    u = rng.random(n)
    if cum.ndim == 1:
        return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1).astype(np.int8)
    return np.minimum((u[:, None] >= cum / cum[:, -1:]).sum(axis=1), cum.shape[1] - 1).astype(np.int8)


def _window(spec: SynthSpec) -> dict:
    end = np.datetime64(spec.end, "D")
    first_month = end.astype("datetime64[M]") - (spec.months - 1)
    start = first_month.astype("datetime64[D]")
    n_days = int((end - start).astype(int)) + 1
    periods = first_month + np.arange(spec.months)
    day_month = ((start + np.arange(n_days)).astype("datetime64[M]") - first_month).astype(np.int64)
    step_month = np.datetime64(spec.step_month, "M") if spec.step_month else periods[-10 if spec.months >= 10 else 0]
    if not periods[0] <= step_month <= periods[-1]:
        raise ValueError(f"step_month {spec.step_month} is outside the window")
    return {"start": start, "end": end, "n_days": n_days, "periods": periods,
            "period_str": np.datetime_as_string(periods, unit="M"),
            "month_of_year": periods.astype(np.int64) % 12 + 1, "day_month": day_month,
            "step_month": step_month, "step_day": int((step_month.astype("datetime64[D]") - start).astype(int))}


def _customers(rng: np.random.Generator, n: int, n_days: int, share: np.ndarray) -> dict[str, np.ndarray]:
    start_day = np.sort(rng.integers(0, n_days, n))
    segment = _pick(rng, SEGMENT_P, n)
    first, last = st.full_names(rng, n)
    return {
        "start_day": start_day,
        "follow": (n_days - start_day).astype(np.int64),
        "location": _pick(rng, share, n),
        "segment": segment,
        "plan": _pick(rng, PLAN_P[segment], n),
        "monthly": rng.random(n) < MONTHLY_P[segment],
        "first": first,
        "last": last,
        "effect": rng.normal(0.0, sv.CUSTOMER_SD, n),
        "phone": st.uk_mobile(rng, n),
        "u_rev": rng.lognormal(0.0, REVENUE_SIGMA, n),
    }


def log_hr(group: str) -> dict[str, float]:
    """Log hazard ratios of one covariate group, reference level included as 0."""
    ref, hrs = CHURN_HR[group]
    return {ref: 0.0, **{k: float(np.log(v)) for k, v in hrs.items()}}


def simulate_churn(rng: np.random.Generator, follow: np.ndarray, lp_static: np.ndarray, resp_cust: np.ndarray,
                   resp_tenure: np.ndarray, resp_cat: np.ndarray) -> np.ndarray:
    """Event times (days of tenure; ``inf`` if beyond follow-up) by piecewise inversion of the hazard.

    Parameters
    ----------
    follow : ndarray
        Days from each customer's start to the window end.
    lp_static : ndarray
        Time-fixed part of the linear predictor (segment, plan, contract).
    resp_cust, resp_tenure, resp_cat : ndarray
        Identified responses sorted by customer then time: customer index, tenure in days and NPS
        category code (index in ``NPS_CATEGORIES``). Each response starts a new piece of constant
        covariates; the first piece of every customer is ``no_response``.
    """
    n = follow.size
    beta = log_hr("nps_category")
    beta_cat = np.array([beta[c] for c in NPS_CATEGORIES])
    counts = np.bincount(resp_cust, minlength=n)
    pieces = counts + 1
    first = np.cumsum(pieces) - pieces
    seg_cust = np.repeat(np.arange(n), pieces)
    seg_start = np.zeros(seg_cust.size)
    seg_cat = np.full(seg_cust.size, NPS_CATEGORIES.index("no_response"), dtype=np.int8)
    pos = first[resp_cust] + (np.arange(resp_cust.size) - (np.cumsum(counts) - counts)[resp_cust]) + 1
    seg_start[pos] = resp_tenure
    seg_cat[pos] = resp_cat
    seg_end = np.empty_like(seg_start)
    seg_end[:-1] = seg_start[1:]
    seg_end[first + pieces - 1] = follow

    def h0(t):
        return (t / WEIBULL_SCALE_DAYS) ** WEIBULL_SHAPE

    rate = np.exp(lp_static[seg_cust] + beta_cat[seg_cat])
    d_h = rate * (h0(seg_end) - h0(seg_start))
    cum = np.cumsum(d_h)
    cum -= (cum[first] - d_h[first])[seg_cust]
    e = rng.exponential(size=n)
    k_in = np.add.reduceat((cum < e[seg_cust]).astype(np.int64), first)
    event = k_in < pieces
    tau = np.full(n, np.inf)
    k = (first + k_in)[event]
    need = e[event] - (cum[k] - d_h[k])
    t = WEIBULL_SCALE_DAYS * (h0(seg_start[k]) + need / rate[k]) ** (1 / WEIBULL_SHAPE)
    tau[event] = np.clip(t, seg_start[k], seg_end[k])
    return tau


def unresolved_recent(resp_cust, resp_sec, int_cust, int_sec, int_resolved, window_days: int) -> np.ndarray:
    """Whether each response follows an unresolved conversation of the same customer within the window.

    Both inputs are sorted by customer then time; the match is a merge-as-of on (customer, time).
    """
    bad = ~int_resolved
    big = np.int64(max(int(resp_sec.max(initial=0)), int(int_sec.max(initial=0))) + 1)
    ikey = int_cust[bad].astype(np.int64) * big + int_sec[bad]
    rkey = resp_cust.astype(np.int64) * big + resp_sec
    j = np.searchsorted(ikey, rkey, side="left") - 1
    jj = np.maximum(j, 0)
    if ikey.size == 0:
        return np.zeros(resp_cust.size, dtype=bool)
    return (j >= 0) & (int_cust[bad][jj] == resp_cust) & (resp_sec - int_sec[bad][jj] <= window_days * 86400)


def generate(spec: SynthSpec = DEMO_SPEC) -> SyntheticOrganisation:
    """Simulate an organisation and record its ground truth.

    Parameters
    ----------
    spec : SynthSpec
        What to simulate; :data:`DEMO_SPEC` by default.

    Returns
    -------
    SyntheticOrganisation
        ``tables``: ``customers``, ``responses``, ``interactions``, ``operations``, ``maturity_answers``
        (canonical column names); ``truth``: every planted effect and its expected observed size.
    """
    rng = _streams(spec.seed)
    win = _window(spec)
    n = spec.customers
    locs = LOCATIONS[: spec.n_locations]
    loc_name = np.array([x[0] for x in locs], dtype=object)
    loc_code = [x[1] for x in locs]
    share = np.array([x[2] for x in locs])
    share = share / share.sum()

    # Locations and agents.
    loc_effect = rng["locations"].normal(0.0, sv.LOCATION_SD, len(locs))
    loc_effect -= np.dot(share, loc_effect)
    agents = sv.make_agents(rng["locations"], loc_code)
    step_loc = (list(loc_name).index(spec.step_location) if spec.step_location else min(2, len(locs) - 1))

    cu = _customers(rng["customers"], n, win["n_days"], share)
    revenue = np.round(REVENUE_PLAN[cu["plan"]] * REVENUE_SEGMENT[cu["segment"]] * cu.pop("u_rev"), 2)
    ops = so.make_operations(rng["operations"], len(locs), win["month_of_year"], share)

    it = so.draw_interactions(rng["interactions"], cu["start_day"], cu["follow"], spec.interactions_per_customer_year,
                              cu["location"], cu["effect"], agents)
    topic_share = np.array([st.TOPICS[t]["share"] for t in st.TOPIC_NAMES])
    topic_effect = np.array([st.TOPICS[t]["effect_latent"] for t in st.TOPIC_NAMES])
    rs = sv.draw_responses(rng["responses"], cu["start_day"], cu["follow"], spec.responses_per_customer_year,
                           spec.onboarding_survey_share, spec.anonymous_share, topic_share)
    loc_r = cu["location"][rs["cust"]]
    rs["agent"] = sv.assign_agents(rng["responses"], loc_r, sv.TP_STAFFED[rs["touchpoint"]], agents)
    rs["unresolved"] = unresolved_recent(rs["cust"], rs["sec"], it["cust"], it["sec"], it["resolved"],
                                         sv.UNRESOLVED_WINDOW_DAYS)
    rs["step"] = (spec.plant_step & (loc_r == step_loc) & (rs["sec"] >= win["step_day"] * 86400)).astype(bool)
    month = win["day_month"][rs["sec"] // 86400]
    rs["wait_dev"] = ops["wait_time_minutes"][loc_r, month] - sv.WAIT_REF
    agent_eff = np.where(rs["agent"] >= 0, agents["effect"][np.maximum(rs["agent"], 0)], 0.0)
    rs["agent_effect"] = agent_eff
    rs["m"] = (sv.MU + sv.driver_part(rs["ratings"]) + sv.SEGMENT_EFFECT[cu["segment"][rs["cust"]]]
               + sv.STAGE_EFFECT[sv.TP_STAGE[rs["touchpoint"]]] + loc_effect[loc_r] + agent_eff
               + cu["effect"][rs["cust"]] + rs["mentions"] @ topic_effect + sv.UNRESOLVED_EFFECT * rs["unresolved"]
               + spec.step_effect * rs["step"])
    rs["nps"], rs["csat"], rs["ces"] = sv.observe_scores(rs["m"], rs["wait_dev"], rs["ratings"], rs["eps"],
                                                         rs["eps_csat"], rs["eps_ces"])

    # Churn from the latest identified response, then drop everything after it.
    ident = ~rs["anonymous"]
    cat = np.where(rs["nps"] >= 9, 0, np.where(rs["nps"] >= 7, 1, 2)).astype(np.int8)
    lp = (np.array([log_hr("segment")[s] for s in sv.SEGMENTS])[cu["segment"]]
          + np.array([log_hr("plan")[p] for p in PLANS])[cu["plan"]]
          + np.where(cu["monthly"], log_hr("contract")["Monthly"], 0.0))
    tau = simulate_churn(rng["churn"], cu["follow"].astype(float), lp, rs["cust"][ident],
                         rs["tenure"][ident], cat[ident])
    t_event = np.where(np.isfinite(tau), tau, 0.0)
    churn_day = np.maximum(np.floor(t_event), 1).astype(np.int64)      # end_date - start_date, in days
    event = np.isfinite(tau) & (churn_day < cu["follow"])
    # Keep what happened before the end_date day (before the churn moment itself for same-day churners).
    cutoff = np.where(event, np.where(t_event >= 1, np.floor(t_event), t_event) * 86400, np.inf)
    for d in (rs, it):
        keep = (d["sec"] - cu["start_day"][d["cust"]] * 86400) < cutoff[d["cust"]]
        for k in list(d):
            d[k] = d[k][keep]
    cc = so.draw_cancellation_calls(rng["cancellations"], np.flatnonzero(event), cu["start_day"], churn_day,
                                    cu["location"], cu["effect"], agents)
    n_cancel_calls = int(cc["cust"].size)
    for k in it:
        it[k] = np.concatenate([it[k], cc[k]])

    # Final order (time, then customer) and identifiers.
    o = np.lexsort((rs["cust"], rs["sec"]))
    rs = {k: v[o] for k, v in rs.items()}
    o = np.lexsort((it["cust"], it["sec"]))
    it = {k: v[o] for k, v in it.items()}
    cust_id = _ids("C", n, 7)
    rs["id"] = _ids("R", rs["cust"].size, 8)
    it["id"] = _ids("I", it["cust"].size, 8)

    # Comment text (valence follows the final NPS) and planted personal data.
    comment = np.full(rs["cust"].size, None, dtype=object)
    sel = np.flatnonzero(rs["commented"])
    text = st.build_comments(rng["text"], rs["mentions"][sel], rs["nps"][sel])
    text, pii_counts = st.inject_pii(rng["text"], text, ~rs["anonymous"][sel], cu["first"][rs["cust"][sel]],
                                     cu["last"][rs["cust"][sel]])
    comment[sel] = text

    t0 = win["start"].astype("datetime64[s]")
    end_date = np.where(event, win["start"] + cu["start_day"] + churn_day, np.datetime64("NaT"))
    agent_ids = np.append(agents["agent_id"], None)
    tables = {
        "customers": pd.DataFrame({
            "customer_id": cust_id,
            "name": cu["first"] + " " + cu["last"],
            "email": st.emails(rng["customers"], cu["first"], cu["last"], np.arange(1, n + 1)),
            "phone": cu["phone"],
            "start_date": (win["start"] + cu["start_day"]).astype("datetime64[s]"),
            "end_date": end_date.astype("datetime64[s]"),
            "segment": np.array(sv.SEGMENTS, dtype=object)[cu["segment"]],
            "location": loc_name[cu["location"]],
            "plan": np.array(PLANS, dtype=object)[cu["plan"]],
            "contract": np.where(cu["monthly"], "Monthly", "Annual").astype(object),
            "monthly_revenue": revenue,
        }),
        "responses": pd.DataFrame({
            "response_id": rs["id"],
            "customer_id": np.where(rs["anonymous"], None, cust_id[rs["cust"]]),
            "responded_at": t0 + rs["sec"],
            "journey_stage": np.array(sv.STAGES, dtype=object)[sv.TP_STAGE[rs["touchpoint"]]],
            "touchpoint": sv.TP_NAME[rs["touchpoint"]],
            "location": loc_name[cu["location"][rs["cust"]]],
            "channel": sv.TP_CHANNEL[rs["touchpoint"]],
            "agent_id": agent_ids[rs["agent"]],
            "nps": rs["nps"], "csat": rs["csat"], "ces": rs["ces"],
            **{d: rs["ratings"][:, j] for j, d in enumerate(sv.DRIVERS)},
            "comment": comment,
        }),
        "interactions": pd.DataFrame({
            "interaction_id": it["id"],
            "customer_id": cust_id[it["cust"]],
            "started_at": t0 + it["sec"],
            "channel": np.array(so.INT_CHANNELS, dtype=object)[it["channel"]],
            "intent": np.array(so.INTENTS, dtype=object)[it["intent"]],
            "sentiment": it["sentiment"],
            "resolved": it["resolved"].astype(bool),
            "handle_seconds": it["handle_seconds"],
            "agent_id": agent_ids[it["agent"]],
        }),
    }
    kpis = ("staffing_fte", "wait_time_minutes", "first_contact_resolution", "employee_engagement")
    vals = np.stack([ops[k] for k in kpis], axis=-1)          # (location, month, kpi)
    n_l, n_m, n_k = vals.shape
    tables["operations"] = pd.DataFrame({
        "period": np.repeat(win["period_str"].astype(object), n_l * n_k),
        "location": np.tile(np.repeat(loc_name, n_k), n_m),
        "kpi": np.tile(np.array(kpis, dtype=object), n_m * n_l),
        "value": vals.transpose(1, 0, 2).ravel(),
    })
    model = so.load_maturity_model(spec.maturity_model)
    mat_rows, mat_truth = so.make_maturity(rng["maturity"], model, dict(spec.maturity_respondents))
    tables["maturity_answers"] = pd.DataFrame(mat_rows)

    ctx = dict(spec=spec, win=win, cu=cu, rs=rs, it=it, ops=ops, agents=agents, loc_name=loc_name, loc_code=loc_code,
               share=share, loc_effect=loc_effect, step_loc=step_loc, tau=tau, event=event, churn_day=churn_day,
               revenue=revenue, pii=pii_counts, n_cancel_calls=n_cancel_calls, maturity=mat_truth, kpis=kpis,
               topic_share=topic_share, topic_effect=topic_effect, tables=tables)
    truth = tr.build_truth(ctx)
    truth["injected_anomalies"] = tr.inject_anomalies(rng["dirty"], tables, spec.dirty, win)
    truth["rows"] = {k: int(len(v)) for k, v in tables.items()}
    return SyntheticOrganisation(tables=tables, truth=tr.jsonable(truth), spec=spec)


def write_organisation(org: SyntheticOrganisation, out_dir: str | Path, fmt: str | None = None) -> list[Path]:
    """Write the tables (``<table>.csv`` or ``.parquet``) and ``truth.json`` into ``out_dir``.

    Parameters
    ----------
    org : SyntheticOrganisation
    out_dir : str or Path
        Created if missing; existing files of the same names are overwritten.
    fmt : {"csv", "parquet"}, optional
        Defaults to ``org.spec.fmt``.

    Returns
    -------
    list of Path
        The files written. Same organisation → byte-identical files.
    """
    return write_tables(org.tables, org.truth, out_dir, fmt or org.spec.fmt)
