"""Tests of the synthetic organisation generator: its files, its data and its ground truth."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest

from cxtemplate.synth import text as st
from cxtemplate.synth.ops import load_maturity_model
from cxtemplate.synth.organisation import generate, write_organisation
from cxtemplate.synth.spec import DEMO_SPEC, SynthSpec
from cxtemplate.synth.survey import DRIVERS, TOUCHPOINTS

TABLE_COLUMNS = {
    "customers": ["customer_id", "name", "email", "phone", "start_date", "end_date", "segment", "location", "plan",
                  "contract", "monthly_revenue"],
    "responses": ["response_id", "customer_id", "responded_at", "journey_stage", "touchpoint", "location", "channel",
                  "agent_id", "nps", "csat", "ces", *DRIVERS, "comment"],
    "interactions": ["interaction_id", "customer_id", "started_at", "channel", "intent", "sentiment", "resolved",
                     "handle_seconds", "agent_id"],
    "operations": ["period", "location", "kpi", "value"],
    "maturity_answers": ["respondent_id", "role", "dimension", "practice", "level"],
}


@pytest.fixture(scope="module")
def demo():
    return generate(DEMO_SPEC)


@pytest.fixture(scope="module")
def clean():
    """The demo without injected anomalies: the clean rows of the demo, exactly."""
    return generate(dataclasses.replace(DEMO_SPEC, dirty=False))


def window_end(org) -> pd.Timestamp:
    """The first instant after the data window."""
    return pd.Timestamp(org.truth["window"]["end"]) + pd.Timedelta(days=1)


def nps_points(x) -> float:
    x = np.asarray(x)
    return 100 * ((x >= 9).mean() - (x <= 6).mean())


def nps_se(x) -> float:
    """Standard error of NPS points (multinomial)."""
    x = np.asarray(x)
    p, d = (x >= 9).mean(), (x <= 6).mean()
    return 100 * np.sqrt((p + d - (p - d) ** 2) / x.size)


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


def test_csv_conventions(tmp_path):
    org = generate(SynthSpec(customers=400, seed=3))
    write_organisation(org, tmp_path)
    raw = (tmp_path / "responses.csv").read_bytes()
    assert b"\r" not in raw
    header = raw.split(b"\n", 1)[0].decode()
    assert header.split(",") == TABLE_COLUMNS["responses"]
    back = pd.read_csv(tmp_path / "responses.csv", dtype={"customer_id": str}, keep_default_na=False)
    assert back["responded_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert back["comment"].tolist() == org.tables["responses"]["comment"].fillna("").tolist()
    cu = pd.read_csv(tmp_path / "customers.csv", keep_default_na=False, dtype=str)
    assert cu["start_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert cu["monthly_revenue"].str.fullmatch(r"\d+\.\d\d").all()
    it = pd.read_csv(tmp_path / "interactions.csv", keep_default_na=False, dtype=str)
    assert set(it["resolved"]) <= {"true", "false"}
    assert it["sentiment"].str.fullmatch(r"-?\d\.\d{3}").all()


def test_truth_json(demo, tmp_path):
    write_organisation(demo, tmp_path)
    text = (tmp_path / "truth.json").read_text()
    truth = json.loads(text)
    assert text == json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert truth["spec"]["customers"] == DEMO_SPEC.customers and truth["spec"]["seed"] == DEMO_SPEC.seed
    for key in ("drivers", "location_step", "wait_time_csat", "operations", "topics", "topics_most_harmful", "pii",
                "agents", "churn", "maturity", "injected_anomalies", "revenue", "unresolved_contact", "rows"):
        assert key in truth, key
    assert truth["rows"] == {k: len(v) for k, v in demo.tables.items()}


def test_spec_is_validated():
    with pytest.raises(ValueError, match="n_locations"):
        SynthSpec(n_locations=40)
    with pytest.raises(ValueError, match="fmt"):
        SynthSpec(fmt="xlsx")
    with pytest.raises(ValueError, match="step_location"):
        SynthSpec(step_location="Atlantis")


# ---------------------------------------------------------------- schemas and ranges

def quarantined(org) -> dict[str, pd.DataFrame]:
    """The tables with the injected rows removed, by the identifiers recorded in the truth."""
    ids = org.truth["injected_anomalies"]["ids"]
    out = dict(org.tables)
    for table, key in (("responses", "response_id"), ("interactions", "interaction_id")):
        df = org.tables[table]
        bad = {i for kind, v in ids[table].items() if kind != "duplicate_rows" for i in v}
        df = df[~df[key].isin(bad)]
        out[table] = df[~df.duplicated(keep="first")].reset_index(drop=True)
    cu = org.tables["customers"]
    out["customers"] = cu[~cu["customer_id"].isin(ids["customers"]["end_before_start"])].reset_index(drop=True)
    return out


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


# ---------------------------------------------------------------- injected anomalies

def test_injected_anomalies_match_truth(demo, clean):
    inj = demo.truth["injected_anomalies"]
    assert inj["enabled"]
    end = window_end(demo)
    r, it, cu = demo.tables["responses"], demo.tables["interactions"], demo.tables["customers"]
    found = {
        "responses": {
            "nps_out_of_range": int((~r["nps"].between(0, 10)).sum()),
            "csat_out_of_range": int((~r["csat"].between(1, 5)).sum()),
            "future_dated": int((r["responded_at"] >= end).sum()),
            "duplicate_rows": int(r.duplicated().sum()),
        },
        "interactions": {
            "duplicate_rows": int(it.duplicated().sum()),
            "future_dated": int((it["started_at"] >= end).sum()),
            "negative_handle_seconds": int((it["handle_seconds"] < 0).sum()),
        },
        "customers": {"end_before_start": int((cu["end_date"] < cu["start_date"]).sum())},
    }
    assert found == inj["counts"]
    assert all(v > 0 for t in found.values() for v in t.values())
    assert r["response_id"].duplicated().sum() == inj["counts"]["responses"]["duplicate_rows"]
    # Removing the recorded rows gives the clean variant exactly.
    q = quarantined(demo)
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(q[name].reset_index(drop=True), clean.tables[name].reset_index(drop=True))
    assert clean.truth["injected_anomalies"]["counts"]["responses"]["duplicate_rows"] == 0
    assert {k: v for k, v in clean.truth.items() if k not in ("spec", "injected_anomalies", "rows")} == \
        {k: v for k, v in demo.truth.items() if k not in ("spec", "injected_anomalies", "rows")}


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


def test_topics_are_findable_and_shift_nps(demo):
    banks = st.TOPIC_BANKS
    patterns = {t: re.compile(r"\b(?:" + "|".join(map(re.escape, st.TOPICS[t]["keywords"])) + r")\b", re.I) for t in banks}
    # Every phrasing carries its own topic's keywords and no other topic's.
    for t, bank in banks.items():
        for phrase in bank:
            assert patterns[t].search(phrase), (t, phrase)
            assert not any(patterns[o].search(phrase) for o in banks if o != t), (t, phrase)
        assert len(bank) >= 60
    for bank in st.VALENCE_BANKS.values():
        assert not any(p.search(s) for p in patterns.values() for s in bank)

    r = quarantined(demo)["responses"].dropna(subset=["comment"])
    topics = demo.truth["topics"]
    assert demo.truth["topics_most_harmful"] == "billing_error"
    for t, info in topics.items():
        hit = r["comment"].str.contains(patterns[t])
        assert int(hit.sum()) == info["n_mentions"], t
        diff = nps_points(r.loc[hit, "nps"]) - nps_points(r.loc[~hit, "nps"])
        se = np.hypot(nps_se(r.loc[hit, "nps"]), nps_se(r.loc[~hit, "nps"]))
        assert abs(diff - info["nps_diff_expected"]) < 3 * se, t
        assert np.sign(info["nps_effect_expected"]) == np.sign(info["effect_latent"])
    # The general sentence follows the score: promoters' comments read more positively.
    pos = r["comment"].str.contains("|".join(map(re.escape, st.VALENCE["promoter"])), regex=True)
    assert r.loc[pos, "nps"].mean() > r.loc[~pos, "nps"].mean() + 1.5


def test_pii_counts(demo):
    r = quarantined(demo)["responses"].dropna(subset=["comment"])
    pii = demo.truth["pii"]
    c = r["comment"]
    assert c.str.contains(r"[\w.]+@example\.(?:com|org|net)").sum() == pii["email"]
    phone = r"(?:07700 ?900\d{3}|\+44 7700 900\d{3}|020 7946 0\d{3}|0161 496 0\d{3}|0117 496 0\d{3})"
    assert c.str.contains(phone).sum() == pii["phone"]
    cards = c.str.extract(r"(\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4})")[0].dropna()
    assert len(cards) == pii["card"] and all(st.luhn_ok(x) for x in cards)
    names = demo.tables["customers"].set_index("customer_id")["name"]
    ident = r["customer_id"].notna()
    own = [n in s for n, s in zip(names.loc[r.loc[ident, "customer_id"]], c[ident])]
    assert sum(own) == pii["name"]
    n = len(r)
    assert 0.015 < pii["email"] / n < 0.035 and 0.015 < pii["phone"] / n < 0.035 and 0.004 < pii["name"] / n < 0.02
    assert 1 <= pii["card"] <= 25


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


# ---------------------------------------------------------------- churn

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
    from lifelines import CoxTimeVaryingFitter

    truth = clean.truth["churn"]
    assert truth["highest_risk_segment"] == "Small business"
    c = clean.tables["customers"]
    assert c["end_date"].notna().sum() == truth["events"] and 800 < truth["events"] < 1600
    assert 0.01 < truth["churn_per_month_observed"] < 0.025

    def fit(org):
        f = CoxTimeVaryingFitter().fit(cox_intervals(org), id_col="id", start_col="start", stop_col="stop", event_col="event")
        return f.summary

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
