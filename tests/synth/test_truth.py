"""Tests of :mod:`cxtemplate.synth.truth`: ``truth.json`` and its observed values against the tables, JSON
conversion, and the injected data-quality problems (counted, identified, and removable exactly)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cxtemplate.synth.organisation import write_organisation
from cxtemplate.synth.spec import DEMO_SPEC
from cxtemplate.synth.truth import ANOMALIES, inject_anomalies, jsonable, observed_nps
from tests.synth.helpers import TABLE_COLUMNS, nps_points, nps_se, quarantined, window_end


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


def test_observed_values_in_truth_match_the_tables(clean):
    """The truth's observed figures, recomputed by hand from the generated tables."""
    t = clean.truth
    r = clean.tables["responses"]
    assert t["nps"]["n_responses"] == len(r)
    assert t["nps"]["observed_overall"] == pytest.approx(nps_points(r["nps"]), abs=1e-6)
    for loc, v in t["locations"].items():
        here = r.loc[r["location"] == loc, "nps"]
        assert (v["n_responses"], v["observed_nps"]) == (len(here), pytest.approx(nps_points(here), abs=1e-6)), loc
    assert {k: v["n_responses"] for k, v in t["touchpoints"].items()} == \
        r["touchpoint"].value_counts().reindex(list(t["touchpoints"]), fill_value=0).to_dict()
    c = clean.tables["customers"]
    assert (t["churn"]["customers"], t["churn"]["events"]) == (len(c), int(c["end_date"].notna().sum()))
    resolved = clean.tables["interactions"]["resolved"].mean()
    assert t["interactions"]["observed_resolved_share"] == pytest.approx(resolved, abs=1e-6)
    # the expected NPS integrates the noise out of the same latent means: it sits within noise of the observed
    assert abs(t["nps"]["expected_overall"] - t["nps"]["observed_overall"]) < 3 * nps_se(r["nps"])


def test_jsonable_by_hand():
    got = jsonable({1: np.float64(0.12345678), "a": [np.int8(3), np.bool_(True), np.nan, (1, 2)],
                    "inf": np.inf, "arr": np.array([1.5, 2.0]), "s": "x"})
    assert got == {"1": 0.123457, "a": [3, True, None, [1, 2]], "inf": None, "arr": [1.5, 2.0], "s": "x"}
    assert type(got["a"][0]) is int and type(got["a"][1]) is bool and type(got["1"]) is float
    json.dumps(got, allow_nan=False)


def test_observed_nps_by_hand():
    assert observed_nps(np.array([10, 9, 8, 7, 6, 0])) == pytest.approx(0.0)
    assert observed_nps(np.array([10, 10, 0])) == pytest.approx(100 / 3)
    assert observed_nps(np.array([9])) == 100.0 and observed_nps(np.array([6])) == -100.0
    assert np.isnan(observed_nps(np.array([], dtype=int)))


def small_tables(n_responses: int = 20) -> dict[str, pd.DataFrame]:
    t0 = pd.Timestamp("2025-01-01")
    return {
        "responses": pd.DataFrame({
            "response_id": [f"R{i:03d}" for i in range(1, n_responses + 1)],
            "responded_at": t0 + pd.to_timedelta(np.arange(n_responses), unit="h"),
            "nps": np.arange(n_responses, dtype=np.int8) % 11,
            "csat": (np.arange(n_responses, dtype=np.int8) % 5) + 1}),
        "interactions": pd.DataFrame({
            "interaction_id": [f"I{i:02d}" for i in range(1, 11)],
            "started_at": t0 + pd.to_timedelta(np.arange(10), unit="D"), "handle_seconds": np.arange(10, 20)}),
        "customers": pd.DataFrame({
            "customer_id": [f"C{i:02d}" for i in range(1, 6)], "name": "A B", "email": "a@example.com",
            "phone": "07700 900000", "start_date": t0 + pd.to_timedelta(np.arange(5), unit="D"),
            "end_date": pd.NaT}),
    }


def test_injected_anomalies_on_a_small_frame():
    tables = small_tables()
    before = {k: v.copy() for k, v in tables.items()}
    win = {"end": np.datetime64("2025-01-31")}
    out = inject_anomalies(np.random.default_rng(0), tables, True, win)
    assert out["counts"] == ANOMALIES and out["enabled"]
    r, ids = tables["responses"], out["ids"]["responses"]
    assert len(r) == 20 + 12
    assert sorted(r.loc[~r["nps"].between(0, 10), "nps"]) == [-1, -1, 11, 11]
    assert sorted(r.loc[~r["csat"].between(1, 5), "csat"]) == [0, 6]
    assert (r["responded_at"] >= pd.Timestamp("2025-02-01")).sum() == 3
    assert r.duplicated().sum() == 3 and r["responded_at"].is_monotonic_increasing
    new = sorted(i for kind, v in ids.items() if kind != "duplicate_rows" for i in v)
    assert new == [f"R{i:03d}" for i in range(21, 30)]          # the next identifiers, same width
    back = r[~r["response_id"].isin(new) & ~r.duplicated()].reset_index(drop=True)
    pd.testing.assert_frame_equal(back, before["responses"])
    it = tables["interactions"]
    assert (it["handle_seconds"] < 0).sum() == 2 and it.duplicated().sum() == 2
    cu = tables["customers"]
    assert out["ids"]["customers"]["end_before_start"] == ["C06", "C07"]
    bad = cu[cu["customer_id"].isin(["C06", "C07"])]
    assert (bad["end_date"] < bad["start_date"]).all() and len(cu) == 7


def test_no_anomalies_when_clean_or_too_small():
    tables = small_tables()
    before = {k: v.copy() for k, v in tables.items()}
    out = inject_anomalies(np.random.default_rng(0), tables, False, {"end": np.datetime64("2025-01-31")})
    assert not out["enabled"] and all(v == 0 for t in out["counts"].values() for v in t.values())
    for k in tables:
        pd.testing.assert_frame_equal(tables[k], before[k])
    tiny = small_tables(n_responses=5)                          # fewer rows than the 12 planned problems
    out = inject_anomalies(np.random.default_rng(0), tiny, True, {"end": np.datetime64("2025-01-31")})
    assert out["counts"]["responses"] == {k: 0 for k in ANOMALIES["responses"]} and len(tiny["responses"]) == 5
    assert out["counts"]["interactions"] == ANOMALIES["interactions"]


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
