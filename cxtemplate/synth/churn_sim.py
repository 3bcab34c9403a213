"""A simulated organisation with known time-varying churn hazards, for tests and benchmarks.

The demo organisation of the template comes from :mod:`cxtemplate.synth.organisation`; this one is small,
fast and has the true hazard ratios to check the churn models against.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cxtemplate.churn.data import CXOptions, censor_time, time_varying_frame


def simulate_churn(n: int = 5000, *, seed: int = 0, as_of: str = "2025-01-01", years: float = 4.0,
                   hr_nps: dict[str, float] | None = None, hr_plan: dict[str, float] | None = None,
                   hr_unresolved: float = 1.0, base_rate_per_year: float = 0.25, weibull_shape: float = 0.9,
                   survey_every_days: float = 240.0, integer_days: bool = False):
    """A small organisation with known time-varying churn hazards, for tests and benchmarks.

    Hazard = Weibull baseline × HR(plan) × HR(NPS category of the latest response) × ``hr_unresolved``
    ** (unresolved contacts in the trailing 90 days). The demo organisation comes from :mod:`cxtemplate.synth.organisation`.

    Returns
    -------
    customers, responses, interactions : DataFrame
    truth : dict
        ``{"nps": {...}, "plan": {...}, "unresolved": hr, "reference": {...}}``.
    """
    rng = np.random.default_rng(seed)
    hr_nps = hr_nps or {"promoter": 1.0, "passive": 1.3, "detractor": 2.0, "none_yet": 1.2}
    hr_plan = hr_plan or {"basic": 1.0, "plus": 0.8, "premium": 0.6}
    as_of = pd.Timestamp(as_of)
    span = years * 365.25
    start = as_of - pd.to_timedelta(np.floor(rng.uniform(0, span, n)), unit="D")
    plans = np.array(list(hr_plan))
    cust = pd.DataFrame({"customer_id": [f"C{i:07d}" for i in range(n)], "start_date": start, "end_date": pd.NaT,
                         "plan": plans[rng.choice(len(plans), n)],
                         "segment": rng.choice(["consumer", "smb", "enterprise"], n, p=[.6, .3, .1]),
                         "location": rng.choice(["north", "south", "east", "west"], n)})
    cust["revenue"] = np.round(rng.lognormal(3.5, 0.6, n) * (1 + cust["plan"].map(
        {p: i * 0.7 for i, p in enumerate(hr_plan)}).to_numpy(float)), 2)
    window = ((as_of - start) / pd.Timedelta(days=1)).to_numpy()
    k = rng.poisson(window / survey_every_days)
    rid = np.repeat(np.arange(n), k)
    mood = rng.normal(7.2, 1.8, n)
    resp = pd.DataFrame({"response_id": [f"R{i:08d}" for i in range(len(rid))],
                         "customer_id": cust["customer_id"].to_numpy()[rid],
                         "responded_at": start[rid] + pd.to_timedelta(rng.uniform(0, window[rid]), unit="D"),
                         "nps": np.clip(np.round(mood[rid] + rng.normal(0, 1.3, len(rid))), 0, 10).astype(int),
                         "ces": np.clip(np.round(rng.normal(5, 1.2, len(rid))), 1, 7).astype(int)})
    m = rng.poisson(window / 200)
    iid = np.repeat(np.arange(n), m)
    inter = pd.DataFrame({"interaction_id": [f"I{i:08d}" for i in range(len(iid))],
                          "customer_id": cust["customer_id"].to_numpy()[iid],
                          "started_at": start[iid] + pd.to_timedelta(rng.uniform(0, window[iid]), unit="D"),
                          "resolved": rng.random(len(iid)) < 0.75,
                          "sentiment": np.clip(rng.normal(0.1, 0.4, len(iid)), -1, 1)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tv = time_varying_frame(cust, resp, inter, as_of=as_of, covariates=["plan"],
                                cx=CXOptions(("nps_category", "unresolved_contacts")))
    scale = 365.25 / base_rate_per_year ** (1 / weibull_shape)

    def h0(t):
        return (t / scale) ** weibull_shape

    mult = (tv["plan"].map(hr_plan).to_numpy(float) * tv["nps_category"].map(hr_nps).to_numpy(float)
            * hr_unresolved ** tv["unresolved_contacts"].to_numpy(float))
    inc = mult * (h0(tv["stop"].to_numpy()) - h0(tv["start"].to_numpy()))
    ids = tv["customer_id"].to_numpy()
    cum = pd.Series(inc).groupby(ids).cumsum().to_numpy()
    before = cum - inc
    u = pd.Series(rng.exponential(1.0, n), index=cust["customer_id"]).loc[ids].to_numpy()
    hit = (cum >= u) & (before < u)
    r = np.flatnonzero(hit)
    t_ev = ((h0(tv["start"].to_numpy()[r]) + (u[r] - before[r]) / mult[r]) ** (1 / weibull_shape)) * scale
    start_of = cust.set_index("customer_id")["start_date"]
    true_end = pd.Series(pd.NaT, index=cust["customer_id"], dtype="datetime64[ns]")
    true_end.loc[ids[r]] = start_of.loc[ids[r]].to_numpy() + pd.to_timedelta(t_ev, unit="D").to_numpy()
    for name, when in (("resp", "responded_at"), ("inter", "started_at")):  # nothing happens after churning
        d = resp if name == "resp" else inter
        d = d.loc[~(d[when] >= true_end.loc[d["customer_id"]].to_numpy())].reset_index(drop=True)
        resp, inter = (d, inter) if name == "resp" else (resp, d)
    end = true_end.copy()
    if integer_days:  # churn recorded on a whole day (the day after it happened, at the latest)
        end.loc[ids[r]] = start_of.loc[ids[r]].to_numpy() + pd.to_timedelta(np.ceil(t_ev), unit="D").to_numpy()
    end[end >= censor_time(as_of)] = pd.NaT
    cust["end_date"] = end.to_numpy()
    truth = {"nps": hr_nps, "plan": hr_plan, "unresolved": hr_unresolved,
             "reference": {"nps_category": "promoter", "plan": "basic"}}
    return cust, resp, inter, truth
