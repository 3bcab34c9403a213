"""Ground truth of a synthetic organisation, and the injected data-quality problems.

Observed-scale truths are *expected* values given the realised latent means ``m`` of the responses
(the noise is integrated out analytically with the normal CDF): they are what an unbiased
estimator computed on the generated data converges to, up to the noise of the scores only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.synth import ops as so
from cxtemplate.synth import survey as sv
from cxtemplate.synth import text as st
from cxtemplate.synth.constants import (
    CHURN_HR,
    NPS_CATEGORIES,
    PLANS,
    REVENUE_PLAN,
    REVENUE_SEGMENT,
    WEIBULL_SCALE_DAYS,
    WEIBULL_SHAPE,
)
from cxtemplate.synth.spec import spec_dict


def jsonable(obj):
    """Recursively convert to JSON types; floats rounded to 6 decimals, NaN to None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not np.isfinite(obj) else round(float(obj), 6)
    return obj


def observed_nps(nps: np.ndarray) -> float:
    """NPS in points (−100…100) of integer 0–10 scores; NaN when empty."""
    if nps.size == 0:
        return float("nan")
    return float(100 * ((nps >= 9).mean() - (nps <= 6).mean()))


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else float("nan")


def build_truth(c: dict) -> dict:
    """Assemble ``truth`` from the generation context of :func:`cxtemplate.synth.organisation.generate`."""
    spec, win, cu, rs, it, ops = c["spec"], c["win"], c["cu"], c["rs"], c["it"], c["ops"]
    m = rs["m"]
    f = sv.nps_expect(m)
    nps = rs["nps"].astype(np.int64)
    loc_r = cu["location"][rs["cust"]]
    ident = ~rs["anonymous"]
    t = {}
    t["spec"] = spec_dict(spec)
    t["generator"] = {"module": "cxtemplate.synth", "model_version": 1}
    t["window"] = {
        "start": str(win["start"]), "end": str(win["end"]), "months": spec.months,
        "periods": [str(p) for p in win["period_str"]],
        "censoring": "customers without end_date are censored at the day after `end`; "
                     "duration = (end_date or end + 1 day) - start_date in days",
    }
    t["latent_model"] = {
        "formula": "S = mu + sum_j w_j (rating_j - mean_j)/sd_j + segment + journey_stage + location + agent "
                   "+ customer + topics + unresolved + step + eps, eps ~ N(0, sigma^2)",
        "mu": sv.MU, "sigma": sv.SIGMA, "customer_sd": sv.CUSTOMER_SD, "agent_sd": sv.AGENT_SD,
        "location_sd": sv.LOCATION_SD,
        "nps": "clip(round(S), 0, 10): P(promoter) = Phi((m - 8.5)/sigma), P(detractor) = Phi((6.5 - m)/sigma)",
        "csat": "1 + #{k: C > cut_k}, C = m + wait_effect (wait - wait_ref) + sigma (rho eps + sqrt(1 - rho^2) eps')",
        "csat_cuts": sv.CSAT_CUTS, "csat_rho": sv.CSAT_RHO,
        "ces": "clip(round(E), 1, 7), E = ces_mu + a z_ease + b z_speed + c (m - mu) + ces_sigma eps''",
        "ces_params": {"ces_mu": sv.CES_MU, "a": sv.CES_EASE, "b": sv.CES_SPEED, "c": sv.CES_SAT, "ces_sigma": sv.CES_SIGMA},
        "comment_share": sv.COMMENT_SHARE,
    }
    t["nps"] = {"expected_overall": 100 * _mean(f), "observed_overall": observed_nps(nps), "n_responses": nps.size}
    t["drivers"] = sv.driver_truth()
    t["locations"] = {
        name: {"code": c["loc_code"][l], "size_share": c["share"][l], "effect_latent": c["loc_effect"][l],
               "n_agents": int((c["agents"]["location"] == l).sum()),
               "n_responses": int((loc_r == l).sum()),
               "expected_nps": 100 * _mean(f[loc_r == l]), "observed_nps": observed_nps(nps[loc_r == l])}
        for l, name in enumerate(c["loc_name"])
    }
    seg_r = cu["segment"][rs["cust"]]
    t["segments"] = {
        "shares_design": dict(zip(sv.SEGMENTS, [0.72, 0.21, 0.07])),
        "effect_latent": dict(zip(sv.SEGMENTS, sv.SEGMENT_EFFECT)),
        "expected_nps_identified": {s: 100 * _mean(f[ident & (seg_r == k)]) for k, s in enumerate(sv.SEGMENTS)},
    }
    stage_r = sv.TP_STAGE[rs["touchpoint"]]
    t["journey_stages"] = {
        "effect_latent": dict(zip(sv.STAGES, sv.STAGE_EFFECT)),
        "expected_nps": {s: 100 * _mean(f[stage_r == k]) for k, s in enumerate(sv.STAGES)},
    }
    t["touchpoints"] = {
        name: {"journey_stage": sv.STAGES[sv.TP_STAGE[k]], "channel": sv.TP_CHANNEL[k], "staffed": bool(sv.TP_STAFFED[k]),
               "n_responses": int((rs["touchpoint"] == k).sum())}
        for k, name in enumerate(sv.TP_NAME)
    }
    t["location_step"] = _step_truth(c, f, loc_r, nps) if spec.plant_step else None
    t.update(_wait_truth(c, m))
    t.update(_topic_truth(c, m, f, nps))
    t["agents"] = _agent_truth(c, m, f)
    flag = rs["unresolved"]
    t["unresolved_contact"] = {
        "effect_latent": sv.UNRESOLVED_EFFECT, "window_days": sv.UNRESOLVED_WINDOW_DAYS,
        "rule": "response within window_days after an unresolved interaction of the same customer",
        "share_of_responses": _mean(flag),
        "nps_diff_expected": 100 * (_mean(f[flag]) - _mean(f[~flag])),
        "nps_effect_expected": 100 * _mean(f[flag] - sv.nps_expect(m[flag] - sv.UNRESOLVED_EFFECT)),
    }
    t["interactions"] = {
        "rate_per_customer_year": spec.interactions_per_customer_year,
        "channel_share": dict(zip(so.INT_CHANNELS, so.INT_CHANNEL_P)),
        "intent_given_channel": {ch: dict(zip(so.INTENTS, so.INTENT_P[i])) for i, ch in enumerate(so.INT_CHANNELS)},
        "resolved_logit": {"channel": dict(zip(so.INT_CHANNELS, so.RESOLVE_CHANNEL)),
                           "intent": dict(zip(so.INTENTS, so.RESOLVE_INTENT))},
        "handle_seconds": {"median_by_channel": dict(zip(so.INT_CHANNELS, so.HANDLE_MEDIAN)),
                           "intent_multiplier": dict(zip(so.INTENTS, so.HANDLE_INTENT)), "lognormal_sigma": so.HANDLE_SIGMA},
        "sentiment": "tanh(intent + 0.5 (2 resolved - 1) + 0.35 customer_effect + N(0, 0.35^2))",
        "sentiment_intent": dict(zip(so.INTENTS, so.SENTIMENT_INTENT)),
        "cancellation_calls_before_churn": c["n_cancel_calls"],
        "observed_resolved_share": _mean(it["resolved"]),
    }
    # Churn.
    event = c["event"]
    duration = np.where(event, c["churn_day"], cu["follow"])
    t["churn"] = {
        "model": "time-varying proportional hazards: h(t) = h0(t) exp(beta' x(t)), t = days since start_date",
        "baseline": {"form": "weibull", "shape": WEIBULL_SHAPE, "scale_days": WEIBULL_SCALE_DAYS,
                     "cumulative_hazard": "(t / scale_days) ** shape"},
        "covariates": {g: {"reference": ref, "hazard_ratio": {ref: 1.0, **hrs}} for g, (ref, hrs) in CHURN_HR.items()},
        "nps_category_definition": "category of the customer's latest identified response before t (promoter 9-10, "
                                   "passive 7-8, detractor 0-6); no_response before the first; anonymous responses do not count",
        "nps_categories": list(NPS_CATEGORIES),
        "highest_risk_segment": max(CHURN_HR["segment"][1], key=CHURN_HR["segment"][1].get),
        "end_date_rule": "end_date = start_date + max(floor(t_event), 1) days; responses and interactions on or after "
                         "end_date are dropped",
        "customers": cu["follow"].size, "events": int(event.sum()), "censored": int((~event).sum()),
        "exposure_months": float(duration.sum() / 30.4375),
        "churn_per_month_observed": float(event.sum() / max(duration.sum() / 30.4375, 1e-9)),
    }
    rev = c["revenue"]
    t["revenue"] = {
        "model": "monthly_revenue = median(plan) * multiplier(segment) * lognormal(0, 0.3)",
        "median_by_plan": dict(zip(PLANS, REVENUE_PLAN)), "segment_multiplier": dict(zip(sv.SEGMENTS, REVENUE_SEGMENT)),
        "mean_by_segment": {s: _mean(rev[cu["segment"] == k]) for k, s in enumerate(sv.SEGMENTS)},
        "churn_effect": "none",
    }
    t["maturity"] = c["maturity"]
    t["pii"] = {**c["pii"], "total": sum(c["pii"].values()),
                "shares_design": st.PII_SHARES,
                "email_domains": list(st.EMAIL_DOMAINS),
                "phone_formats": ["07700 900ddd", "+44 7700 900ddd", "07700900ddd", "020 7946 0ddd", "0161 496 0ddd",
                                  "0117 496 0ddd"],
                "card_format": "Luhn-valid 16 digits starting with 4, groups of four separated by spaces or dashes",
                "name_rule": "the customer's own CRM name ('This is Jane Smith.'), identified responses only"}
    return t


def _step_truth(c, f, loc_r, nps):
    rs, spec = c["rs"], c["spec"]
    post = rs["step"]
    here = loc_r == c["step_loc"]
    pre = here & ~post
    delta = spec.step_effect
    before_m = rs["sec"] < c["win"]["step_day"] * 86400
    return {
        "location": c["loc_name"][c["step_loc"]], "month": str(c["win"]["step_month"]), "effect_latent": delta,
        "expected_nps_change": 100 * _mean(f[post] - sv.nps_expect(rs["m"][post] - delta)),
        "expected_nps_before": 100 * _mean(f[pre]), "expected_nps_after": 100 * _mean(f[post]),
        "observed_nps_before": observed_nps(nps[pre]), "observed_nps_after": observed_nps(nps[post]),
        "expected_nps_other_locations_before": 100 * _mean(f[~here & before_m]),
        "expected_nps_other_locations_after": 100 * _mean(f[~here & ~before_m]),
        "n_before": int(pre.sum()), "n_after": int(post.sum()),
    }


def _wait_truth(c, m):
    rs, ops = c["rs"], c["ops"]
    g = sv.WAIT_EFFECT
    e_mean, e_top2, d_mean, d_top2 = sv.csat_expect(m + g * rs["wait_dev"])
    ame = g * _mean(d_mean)
    slope = so.within_slope(ops["wait_time_minutes"], ops["staffing_fte"])
    direct = {k: 0.0 for k in c["kpis"]}
    direct["wait_time_minutes"] = g
    return {
        "wait_time_csat": {
            "kpi": "wait_time_minutes", "effect_latent_per_minute": g, "reference_minutes": sv.WAIT_REF,
            "applies_to": "CSAT latent of every response, by its location and calendar month",
            "ame_csat_mean_per_minute": ame, "ame_csat_top2_per_minute": g * _mean(d_top2),
            "expected_csat_mean": _mean(e_mean), "expected_csat_top2": _mean(e_top2),
            "effect_on_nps": 0.0,
        },
        "operations": {
            "kpis": list(c["kpis"]),
            "direct_effect_on_csat_latent": direct,
            "wait_time_model": f"wait = max(0.5, {so.WAIT_INTERCEPT} + {so.WAIT_PER_UTIL} (util - {so.WAIT_UTIL0}) + "
                               f"N(0, {so.WAIT_NOISE_SD}^2)); util = {so.BASE_UTIL} demand / (staffing_fte / base_fte); "
                               f"demand = 1 + {so.SEASON_AMP} cos(2 pi (month - 1) / 12) + N(0, 0.03^2)",
            "staffing_model": f"staffing_fte = base_fte exp(AR(1) with phi {so.STAFF_AR}, sd {so.STAFF_SD})",
            "base_fte": dict(zip(c["loc_name"], ops["base_fte"])),
            "wait_per_fte_within_location": slope,
            "implied_csat_mean_per_fte": slope * ame,
            "engagement_model": f"engagement = location level + {so.ENGAGEMENT_PER_UTIL} (util - {so.BASE_UTIL}) + noise: "
                                "correlated with wait time, no effect on customers",
            "engagement_per_wait_minute_within_location": so.within_slope(ops["employee_engagement"], ops["wait_time_minutes"]),
            "implied_csat_mean_per_engagement_point": so.within_slope(ops["wait_time_minutes"], ops["employee_engagement"]) * ame,
            "first_contact_resolution_model": "location level U(0.66, 0.80) + N(0, 0.02^2); independent of everything",
        },
    }


def _topic_truth(c, m, f, nps):
    rs = c["rs"]
    com = rs["commented"]
    mc, fc, nc = m[com], f[com], nps[com]
    out = {}
    for j, name in enumerate(st.TOPIC_NAMES):
        mt = rs["mentions"][com, j]
        e = c["topic_effect"][j]
        off = mc - e * mt
        effect = 100 * _mean(sv.nps_expect(off + e) - sv.nps_expect(off))
        out[name] = {
            "label": st.TOPICS[name]["label"], "keywords": st.TOPICS[name]["keywords"],
            "effect_latent": e, "share_design": c["topic_share"][j], "share_observed": _mean(mt),
            "n_mentions": int(mt.sum()),
            "nps_diff_expected": 100 * (_mean(fc[mt]) - _mean(fc[~mt])),
            "nps_effect_expected": effect,
            "impact_nps_points": effect * _mean(mt),
            "observed_nps_mentioned": observed_nps(nc[mt]), "observed_nps_not_mentioned": observed_nps(nc[~mt]),
        }
    # Most harmful per mention; in small samples the topic costing most NPS overall (effect ×
    # share) can differ, so both are recorded.
    harmful = min(out, key=lambda k: out[k]["nps_effect_expected"])
    return {"topics": out, "topics_most_harmful": harmful,
            "topics_most_costly": min(out, key=lambda k: out[k]["impact_nps_points"]),
            "comments": {"share_design": sv.COMMENT_SHARE, "share_observed": _mean(com), "n_comments": int(com.sum()),
                         "topic_assignment": "independent Bernoulli per commented response, independent of every other cause",
                         "valence_sentence": "a general sentence whose valence follows the final NPS category"}}


def _agent_truth(c, m, f):
    rs, ag = c["rs"], c["agents"]
    a = rs["agent"]
    s = a >= 0
    k = ag["agent_id"].size
    n = np.bincount(a[s], minlength=k)
    d_nps = np.bincount(a[s], weights=f[s] - sv.nps_expect(m[s] - rs["agent_effect"][s]), minlength=k)
    d_score = np.bincount(a[s], weights=sv.nps_score_expect(m[s]) - sv.nps_score_expect(m[s] - rs["agent_effect"][s]),
                          minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            aid: {"location": c["loc_name"][ag["location"][i]], "effect_latent": ag["effect"][i], "workload_share": ag["weight"][i],
                  "n_responses": int(n[i]), "effect_nps_points": 100 * d_nps[i] / n[i] if n[i] else None,
                  "effect_mean_score": d_score[i] / n[i] if n[i] else None}
            for i, aid in enumerate(ag["agent_id"])
        }


ANOMALIES = {
    "responses": {"nps_out_of_range": 4, "csat_out_of_range": 2, "future_dated": 3, "duplicate_rows": 3},
    "interactions": {"duplicate_rows": 2, "future_dated": 2, "negative_handle_seconds": 2},
    "customers": {"end_before_start": 2},
}


def _next_ids(existing, k):
    last = str(existing.iloc[-1]) if len(existing) else "X0"
    prefix, width = last[0], len(last) - 1
    top = int(existing.str.slice(1).astype(np.int64).max()) if len(existing) else 0
    return prefix + st.digits(np.arange(top + 1, top + 1 + k), width)


def _append(df, extra, time_col):
    """Insert the rows of ``extra`` into ``df`` (sorted by ``time_col``) after equal times; one copy."""
    t = df[time_col].to_numpy().astype("datetime64[s]").astype(np.int64)
    te = extra[time_col].to_numpy().astype("datetime64[s]").astype(np.int64)
    pos = np.searchsorted(t, te, side="right")
    pieces, prev = [], 0
    for i in np.argsort(pos, kind="stable"):
        pieces += [df.iloc[prev:pos[i]], extra.iloc[[i]]]
        prev = pos[i]
    pieces.append(df.iloc[prev:])
    return pd.concat(pieces, ignore_index=True)


def inject_anomalies(rng: np.random.Generator, tables: dict, dirty: bool, win: dict) -> dict:
    """Append corrupt rows to ``tables`` (in place) and return their counts and identifiers.

    Every injected row is an extra row with exactly one problem, so removing the rows a validator
    should quarantine gives back the clean tables exactly: an exact duplicate of a clean row
    (``duplicate_rows``), or a copy of a clean row under a new identifier with one field corrupted.
    """
    counts = {tb: {k: (v if dirty else 0) for k, v in kinds.items()} for tb, kinds in ANOMALIES.items()}
    ids = {tb: {k: [] for k in kinds} for tb, kinds in ANOMALIES.items()}
    result = {"enabled": bool(dirty), "counts": counts, "ids": ids,
              "rule": "extra rows, one problem each; quarantining them restores the clean tables"}
    if not dirty:
        return result
    end_s = (win["end"] + 1).astype("datetime64[s]")
    for tb, key, time_col in (("responses", "response_id", "responded_at"), ("interactions", "interaction_id", "started_at")):
        df = tables[tb]
        kinds = counts[tb]
        total = sum(kinds.values())
        if len(df) < total:
            counts[tb] = {k: 0 for k in kinds}
            continue
        src = rng.choice(len(df), size=total, replace=False)
        extra = df.iloc[np.sort(src)].reset_index(drop=True)
        kind = np.repeat(np.array(list(kinds)), list(kinds.values()))
        new = kind != "duplicate_rows"
        extra.loc[new, key] = _next_ids(df[key], int(new.sum()))
        for k in kinds:
            sel = kind == k
            if k == "nps_out_of_range":
                extra.loc[sel, "nps"] = np.resize([11, -1], sel.sum()).astype(extra["nps"].dtype)
            elif k == "csat_out_of_range":
                extra.loc[sel, "csat"] = np.resize([0, 6], sel.sum()).astype(extra["csat"].dtype)
            elif k == "future_dated":
                extra.loc[sel, time_col] = end_s + rng.integers(86400, 90 * 86400, sel.sum()).astype("timedelta64[s]")
            elif k == "negative_handle_seconds":
                extra.loc[sel, "handle_seconds"] = -extra.loc[sel, "handle_seconds"]
            ids[tb][k] = sorted(extra.loc[sel, key].tolist())
        tables[tb] = _append(df, extra, time_col)
    cu = tables["customers"]
    k = counts["customers"]["end_before_start"]
    extra = cu.iloc[np.sort(rng.choice(len(cu), size=min(k, len(cu)), replace=False))].reset_index(drop=True)
    extra["customer_id"] = _next_ids(cu["customer_id"], len(extra))
    first, last = st.full_names(rng, len(extra))
    extra["name"] = first + " " + last
    extra["email"] = st.emails(rng, first, last, np.arange(len(extra)) + len(cu) + 1)
    extra["phone"] = st.uk_mobile(rng, len(extra))
    extra["end_date"] = extra["start_date"] - rng.integers(1, 181, len(extra)).astype("timedelta64[D]")
    ids["customers"]["end_before_start"] = extra["customer_id"].tolist()
    counts["customers"]["end_before_start"] = len(extra)
    tables["customers"] = pd.concat([cu, extra], ignore_index=True)
    return result

