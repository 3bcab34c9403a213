"""Tests of :mod:`cxtemplate.synth.organisation`: the generated organisation end to end — its files, tables,
the planted location step, unresolved-contact and churn effects, and the churn simulation by inversion."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from cxtemplate.synth.constants import CHURN_HR
from cxtemplate.synth.ops import load_maturity_model
from cxtemplate.synth.organisation import generate, log_hr, unresolved_recent, write_organisation
from cxtemplate.synth.spec import DEMO_SPEC, SynthSpec
from cxtemplate.synth.survey import DRIVERS, TOUCHPOINTS
from tests.synth.helpers import TABLE_COLUMNS, nps_points, nps_se, quarantined, window_end

# ---------------------------------------------------------------- files

def test_same_spec_gives_byte_identical_files(tmp_path):
    spec = SynthSpec(customers=600, seed=7)
    for fmt in ("csv", "parquet"):
        a = write_organisation(generate(spec), tmp_path / f"a_{fmt}", fmt=fmt)
        b = write_organisation(generate(spec), tmp_path / f"b_{fmt}", fmt=fmt)
        assert [p.name for p in a] == [p.name for p in b]
        for pa_, pb in zip(a, b):
            assert pa_.read_bytes() == pb.read_bytes(), pa_.name
    other = generate(SynthSpec(customers=600, seed=8))
    assert not other.tables["responses"]["nps"].equals(generate(spec).tables["responses"]["nps"])


def test_committed_demo_is_the_generators_output(root, tmp_path):
    committed = root / "data" / "demo"
    fresh = write_organisation(generate(DEMO_SPEC), tmp_path, fmt="csv")
    assert sorted(p.name for p in committed.iterdir()) == sorted(p.name for p in fresh)
    for p in fresh:
        assert (committed / p.name).read_bytes() == p.read_bytes(), f"data/demo/{p.name} is stale: regenerate it"
    assert sum(p.stat().st_size for p in fresh) < 6e6


# ---------------------------------------------------------------- schemas and ranges

def test_schemas_and_ranges(demo):
    t = demo.tables
    for name, cols in TABLE_COLUMNS.items():
        assert list(t[name].columns) == cols, name
    clean = quarantined(demo)
    cu = clean["customers"]
    assert len(cu) == DEMO_SPEC.customers and cu["customer_id"].is_unique
    assert cu["customer_id"].str.fullmatch(r"C\d{7}").all()
    assert cu["name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()
    assert cu["email"].str.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.(com|org|net)").all() and cu["email"].is_unique
    assert cu["phone"].str.fullmatch(r"07700 900\d{3}").all()
    start, end = pd.Timestamp(demo.truth["window"]["start"]), window_end(demo)
    assert cu["start_date"].between(start, end - pd.Timedelta(days=1)).all()
    churned = cu["end_date"].notna()
    assert (cu.loc[churned, "end_date"] > cu.loc[churned, "start_date"]).all()
    assert (cu.loc[churned, "end_date"] < end).all()
    assert set(cu["segment"]) == {"Consumer", "Small business", "Enterprise"}
    assert set(cu["plan"]) == {"Basic", "Standard", "Premium"} and set(cu["contract"]) == {"Monthly", "Annual"}
    assert cu["location"].nunique() == DEMO_SPEC.n_locations
    assert (cu["monthly_revenue"] > 0).all() and np.allclose(cu["monthly_revenue"], cu["monthly_revenue"].round(2))
    by_seg = cu.groupby("segment")["monthly_revenue"].mean()
    for seg, mean in demo.truth["revenue"]["mean_by_segment"].items():
        assert by_seg[seg] == pytest.approx(mean, abs=1e-4)
    assert by_seg["Enterprise"] > by_seg["Small business"] > by_seg["Consumer"]

    r = clean["responses"]
    assert r["response_id"].is_unique and r["response_id"].str.fullmatch(r"R\d{8}").all()
    assert r["customer_id"].dropna().isin(cu["customer_id"]).all()
    assert r["customer_id"].isna().mean() == pytest.approx(DEMO_SPEC.anonymous_share, abs=0.015)
    assert 2.6 < len(r) / DEMO_SPEC.customers < 3.4
    assert r["nps"].between(0, 10).all() and r["csat"].between(1, 5).all() and r["ces"].between(1, 7).all()
    for d in DRIVERS:
        assert r[d].between(0, 10).all()
    tp = {name: (stage, channel, staffed) for name, stage, channel, staffed, _ in TOUCHPOINTS}
    assert set(r["touchpoint"]) == set(tp)
    assert (r["journey_stage"] == r["touchpoint"].map(lambda x: tp[x][0])).all()
    assert (r["channel"] == r["touchpoint"].map(lambda x: tp[x][1])).all()
    staffed = r["touchpoint"].map(lambda x: tp[x][2]).astype(bool)
    assert r.loc[staffed, "agent_id"].notna().all() and r.loc[~staffed, "agent_id"].isna().all()
    counts = r["touchpoint"].value_counts()
    assert counts.min() < 0.02 * len(r) < counts.max()          # uneven volumes, some rare touchpoints
    assert r["comment"].isna().mean() == pytest.approx(0.6, abs=0.03)
    code = {name: v["code"] for name, v in demo.truth["locations"].items()}
    agent_rows = r[r["agent_id"].notna()]
    assert (agent_rows["agent_id"].str.slice(3, 6) == agent_rows["location"].map(code)).all()

    it = clean["interactions"]
    assert it["interaction_id"].is_unique and it["customer_id"].isin(cu["customer_id"]).all()
    assert set(it["channel"]) == {"Phone", "Chat", "Email", "Bot"}
    assert {"billing", "technical_fault", "account_change", "complaint", "cancellation_enquiry"} <= set(it["intent"])
    assert it["sentiment"].between(-1, 1).all() and (it["handle_seconds"] > 0).all()
    assert it.loc[it["channel"] == "Bot", "agent_id"].isna().all() and it.loc[it["channel"] != "Bot", "agent_id"].notna().all()
    med = it.groupby("channel")["handle_seconds"].median()
    assert med["Bot"] < med["Email"] < med["Phone"] < med["Chat"]
    assert 0.6 < it["resolved"].mean() < 0.9

    op = t["operations"]
    kpis = {"staffing_fte", "wait_time_minutes", "first_contact_resolution", "employee_engagement"}
    assert set(op["kpi"]) == kpis
    assert len(op) == len(kpis) * DEMO_SPEC.n_locations * DEMO_SPEC.months
    assert not op.duplicated(["period", "location", "kpi"]).any()
    wide = op.pivot_table(index=["period", "location"], columns="kpi", values="value")
    assert wide["first_contact_resolution"].between(0, 1).all() and wide["employee_engagement"].between(0, 100).all()
    assert (wide["wait_time_minutes"] > 0).all() and (wide["staffing_fte"] > 0).all()
    assert sorted(op["period"].unique()) == demo.truth["window"]["periods"]

    ma = t["maturity_answers"]
    model = load_maturity_model("forrester_six_disciplines")
    practices = {p["id"] for d in model["dimensions"] for p in d["practices"]}
    assert ma["role"].value_counts().to_dict() == {r: k * len(practices) for r, k in dict(DEMO_SPEC.maturity_respondents).items()}
    assert (ma.groupby("respondent_id")["practice"].apply(set) == practices).all()
    assert ma["level"].between(1, 4).all()


def test_events_fall_inside_tenure(clean):
    cu = clean.tables["customers"].set_index("customer_id")
    end = window_end(clean)
    for table, col in (("responses", "responded_at"), ("interactions", "started_at")):
        df = clean.tables[table].dropna(subset=["customer_id"])
        start = cu.loc[df["customer_id"], "start_date"].to_numpy()
        stop = cu.loc[df["customer_id"], "end_date"].fillna(end).to_numpy()
        t = df[col].to_numpy()
        assert (t >= start).all(), table
        assert (t < stop).all(), f"{table} after churn or after the window"
    # Some churners called to cancel shortly before leaving.
    it = clean.tables["interactions"]
    cancel = it[it["intent"] == "cancellation_enquiry"]
    days_left = (cu.loc[cancel["customer_id"], "end_date"].to_numpy() - cancel["started_at"].to_numpy()) / np.timedelta64(1, "D")
    assert (days_left < 15).mean() > 0.3


# ---------------------------------------------------------------- planted effects

def test_location_step_is_present_only_when_planted(demo):
    step = demo.truth["location_step"]
    assert step["location"] == "Birmingham" and step["month"] == "2025-03"
    assert -25 < step["expected_nps_change"] < -8
    r = quarantined(demo)["responses"]
    after = r["responded_at"] >= pd.Timestamp(step["month"] + "-01")
    here = r["location"] == step["location"]

    def did(df_here, df_after):
        a, b = df_here & df_after, df_here & ~df_after
        c, d = ~df_here & df_after, ~df_here & ~df_after
        p = {k: nps_points(r.loc[x, "nps"]) for k, x in zip("abcd", (a, b, c, d))}
        est = (p["a"] - p["b"]) - (p["c"] - p["d"])
        se = np.sqrt(sum(nps_se(r.loc[x, "nps"]) ** 2 for x in (a, b, c, d)))
        return est, se

    est, se = did(here, after)
    other_change = step["expected_nps_other_locations_after"] - step["expected_nps_other_locations_before"]
    expected = step["expected_nps_after"] - step["expected_nps_before"] - other_change
    assert expected == pytest.approx(step["expected_nps_change"], abs=4)
    assert abs(est - expected) < 3 * se and est < -2 * se

    flat = generate(dataclasses.replace(DEMO_SPEC, plant_step=False, dirty=False))
    assert flat.truth["location_step"] is None
    r = flat.tables["responses"]
    est, se = did(r["location"] == step["location"], r["responded_at"] >= pd.Timestamp(step["month"] + "-01"))
    assert abs(est) < 3 * se


def test_unresolved_contacts_lower_scores(clean):
    r = clean.tables["responses"].dropna(subset=["customer_id"]).sort_values("responded_at")
    it = clean.tables["interactions"]
    bad = it.loc[~it["resolved"], ["customer_id", "started_at"]].sort_values("started_at")
    m = pd.merge_asof(r, bad, left_on="responded_at", right_on="started_at", by="customer_id",
                      allow_exact_matches=False, direction="backward")
    flag = (m["responded_at"] - m["started_at"]) <= pd.Timedelta(days=60)
    truth = clean.truth["unresolved_contact"]
    diff = nps_points(m.loc[flag, "nps"]) - nps_points(m.loc[~flag, "nps"])
    se = np.hypot(nps_se(m.loc[flag, "nps"]), nps_se(m.loc[~flag, "nps"]))
    assert abs(diff - truth["nps_diff_expected"]) < 3 * se
    assert diff < -2 * se
    assert flag.mean() == pytest.approx(truth["share_of_responses"], abs=0.02)


def test_unresolved_recent_by_hand():
    """A response follows an unresolved contact of the same customer at most ``window_days`` before it
    (strictly earlier; resolved contacts do not count)."""
    day = 86400
    int_cust = np.array([0, 0, 1])
    int_sec = np.array([100, 5000, 200])
    int_resolved = np.array([False, True, False])
    resp_cust = np.array([0, 0, 0, 1, 1, 2])
    resp_sec = np.array([50, 100, 100 + 60 * day, 200, 200 + 61 * day, 300])
    got = unresolved_recent(resp_cust, resp_sec, int_cust, int_sec, int_resolved, 60)
    #        before it | same second | exactly 60 days | same second | 61 days | no contacts
    assert got.tolist() == [False, False, True, False, False, False]
    none = unresolved_recent(resp_cust, resp_sec, int_cust[:0], int_sec[:0], int_resolved[:0], 60)
    assert none.tolist() == [False] * 6


# ---------------------------------------------------------------- churn

def test_log_hr_is_the_log_of_the_planted_ratios():
    assert log_hr("segment") == {"Consumer": 0.0, "Small business": pytest.approx(np.log(1.6)),
                                 "Enterprise": pytest.approx(np.log(0.6))}
    for group, (ref, hrs) in CHURN_HR.items():
        got = log_hr(group)
        assert got[ref] == 0.0 and set(got) == {ref, *hrs}
        assert {k: np.exp(v) for k, v in got.items() if k != ref} == pytest.approx(hrs)


def cox_intervals(org) -> pd.DataFrame:
    """(start, stop] intervals per customer, coded from the latest identified response."""
    c = org.tables["customers"]
    r = org.tables["responses"].dropna(subset=["customer_id"])
    dur = ((c["end_date"].fillna(window_end(org)) - c["start_date"]).dt.days).to_numpy(float)
    ev = c["end_date"].notna().to_numpy()
    idx = pd.Index(c["customer_id"]).get_indexer(r["customer_id"])
    off = (r["responded_at"].to_numpy() - c["start_date"].to_numpy()[idx]) / np.timedelta64(1, "D")
    cat = np.where(r["nps"] >= 9, "promoter", np.where(r["nps"] >= 7, "passive", "detractor"))
    rows = pd.DataFrame({"id": np.concatenate([np.arange(len(c)), idx]),
                         "start": np.concatenate([np.zeros(len(c)), off]),
                         "cat": np.concatenate([np.full(len(c), "no_response"), cat])})
    rows = rows.sort_values(["id", "start"], kind="mergesort").reset_index(drop=True)
    nxt = rows.groupby("id")["start"].shift(-1)
    rows["stop"] = nxt.fillna(pd.Series(dur[rows["id"]], index=rows.index))
    rows["event"] = (nxt.isna() & ev[rows["id"]]).astype(int)
    rows = rows[rows["stop"] > rows["start"]]
    x = rows[["id", "start", "stop", "event"]].copy()
    for k in ("passive", "detractor", "no_response"):
        x[k] = (rows["cat"] == k).astype(float)
    for col, levels in (("segment", ("Small business", "Enterprise")), ("plan", ("Basic", "Premium")), ("contract", ("Monthly",))):
        v = c[col].to_numpy()[rows["id"]]
        for lv in levels:
            x[lv] = (v == lv).astype(float)
    return x


def true_hrs(org) -> dict[str, float]:
    return {lv: hr for g in org.truth["churn"]["covariates"].values() for lv, hr in g["hazard_ratio"].items()
            if lv != g["reference"]}


def test_cox_time_varying_recovers_hazard_ratios(clean):
    """The planted hazard ratios come back from a time-varying Cox fit: lifelines' ``CoxTimeVaryingFitter``
    estimator, computed by ``churn.efron.fit_efron`` (equal to lifelines to 1e-5, tests/churn/test_efron.py;
    lifelines' own loop takes ~8 s here)."""
    from cxtemplate.churn.efron import fit_efron

    truth = clean.truth["churn"]
    assert truth["highest_risk_segment"] == "Small business"
    c = clean.tables["customers"]
    assert c["end_date"].notna().sum() == truth["events"] and 800 < truth["events"] < 1600
    assert 0.01 < truth["churn_per_month_observed"] < 0.025

    def fit(org):
        x = cox_intervals(org)
        f = fit_efron(x.drop(columns=["id", "start", "stop", "event"]), x["start"], x["stop"], x["event"].astype(bool))
        se = np.sqrt(np.diag(np.asarray(f.variance_matrix_)))
        z = 1.959963984540054  # the two-sided 95% normal quantile, as lifelines' summary uses
        return pd.DataFrame({"coef": f.params_, "se(coef)": se, "exp(coef) lower 95%": np.exp(f.params_ - z * se),
                             "exp(coef) upper 95%": np.exp(f.params_ + z * se)})

    s = fit(clean)                        # the demo: every true HR inside its 95% interval
    for lv, hr in true_hrs(clean).items():
        assert s.loc[lv, "exp(coef) lower 95%"] < hr < s.loc[lv, "exp(coef) upper 95%"], lv
    big = generate(SynthSpec(customers=14000, seed=11, dirty=False))
    s = fit(big)
    for lv, hr in true_hrs(big).items():
        assert abs(s.loc[lv, "coef"] - np.log(hr)) < 3 * s.loc[lv, "se(coef)"], lv


def test_churn_inversion_matches_the_cumulative_hazard():
    from cxtemplate.synth.constants import WEIBULL_SCALE_DAYS, WEIBULL_SHAPE
    from cxtemplate.synth.organisation import log_hr, simulate_churn

    n = 200_000
    rng = np.random.Generator(np.random.PCG64(1))
    follow = np.full(n, 2000.0)
    # Half the customers answer once at day 100 as detractors; the others never answer.
    answered = np.arange(n) < n // 2
    cust = np.flatnonzero(answered)
    tau = simulate_churn(rng, follow, np.zeros(n), cust, np.full(cust.size, 100.0), np.full(cust.size, 2, dtype=np.int8))

    def h0(t):
        return (t / WEIBULL_SCALE_DAYS) ** WEIBULL_SHAPE

    hr_none, hr_det = np.exp(log_hr("nps_category")["no_response"]), np.exp(log_hr("nps_category")["detractor"])
    for t in (50.0, 400.0, 1500.0):
        expect_none = np.exp(-hr_none * h0(t))
        expect_det = np.exp(-hr_none * h0(min(t, 100)) - hr_det * (h0(t) - h0(100)) * (t > 100))
        assert (tau[~answered] > t).mean() == pytest.approx(expect_none, abs=0.005)
        assert (tau[answered] > t).mean() == pytest.approx(expect_det, abs=0.005)
    assert np.isinf(tau).sum() == pytest.approx(n * np.exp(-hr_none * h0(2000)) / 2 + n * np.exp(
        -hr_none * h0(100) - hr_det * (h0(2000) - h0(100))) / 2, rel=0.02)


@pytest.mark.parametrize("spec", [SynthSpec(customers=1), SynthSpec(customers=3, n_locations=1, months=2),
                                  SynthSpec(customers=60, months=12, end="2024-06-15", n_locations=16)])
def test_small_and_unusual_specs(spec, tmp_path):
    org = generate(spec)
    write_organisation(org, tmp_path)
    assert len(org.tables["operations"]) == 4 * spec.n_locations * spec.months
    counts = org.truth["injected_anomalies"]["counts"]
    assert sum(counts["responses"].values()) in (0, 12)
    assert org.truth["window"]["end"] == spec.end
    json.loads((tmp_path / "truth.json").read_text())
