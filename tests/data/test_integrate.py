"""Integration of the demo sources, checked against the generator's ground truth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import integrate
from cxtemplate.errors import DataErrors
from cxtemplate.run.store import Store, write_integration


@pytest.fixture(scope="module")
def demo(root):
    cfg = load_config(root / "params" / "demo.yaml")
    return cfg, integrate(cfg), json.loads((root / "data" / "demo" / "truth.json").read_text())


def test_rows_in_equal_rows_used_plus_quarantined(demo):
    _, result, truth = demo
    for table, rep in result.reports.items():
        assert rep.rows_in == rep.rows_used + rep.rows_quarantined, table
        assert rep.rows_in == truth["rows"][table], table


def test_quarantine_counts_match_the_injected_anomalies(demo):
    _, result, truth = demo
    injected = truth["injected_anomalies"]["counts"]
    for table in ("customers", "responses", "interactions"):
        assert result.reports[table].rows_quarantined == sum(injected[table].values()), table
    ids = truth["injected_anomalies"]["ids"]["responses"]
    q = result.quarantine["responses"]
    assert set(ids["nps_out_of_range"]) <= set(q["response_id"])
    assert set(ids["future_dated"]) <= set(q["response_id"])
    reasons = result.reports["responses"].reasons
    assert reasons["nps: outside 0–10"] == injected["responses"]["nps_out_of_range"]
    assert reasons["csat: outside 1–5"] == injected["responses"]["csat_out_of_range"]
    assert reasons["response_id: duplicate key"] == injected["responses"]["duplicate_rows"]


def test_comments_are_redacted_as_planted(demo):
    _, result, truth = demo
    red = result.reports["responses"].redactions
    for kind in ("email", "phone", "name", "card"):
        assert red[kind] == truth["pii"][kind], kind
    comments = result.tables["responses"]["comment"].dropna()
    assert not comments.str.contains(r"@example\.(?:com|org|net)").any()
    assert not comments.str.contains(r"07700 ?900\d{3}").any()


def test_contacts_never_reach_the_canonical_tables(demo):
    _, result, _ = demo
    customers = result.tables["customers"]
    assert not {"contact_name", "contact_email", "contact_phone", "name", "email"} & set(customers.columns)
    assert set(result.contacts.columns) == {"customer_id", "contact_name", "contact_email", "contact_phone"}


def test_derived_columns(demo):
    cfg, result, truth = demo
    c = result.tables["customers"]
    assert int(c["churned"].sum()) == truth["churn"]["events"]
    assert (c["tenure_days"] >= 0).all()
    r = result.tables["responses"]
    assert set(r["nps_category"].dropna()) == {"promoter", "passive", "detractor"}
    assert r["period"].str.match(r"^\d{4}-\d{2}$").all()
    # responses carry their customer's segment for segmentation
    assert r.loc[r["customer_id"].notna(), "segment"].notna().all()


def test_written_tables_round_trip(demo, tmp_path):
    _, result, _ = demo
    store = Store(tmp_path / "run")
    write_integration(result, store)
    back = store.read_table("responses")
    assert len(back) == len(result.tables["responses"])
    assert str(back["responded_at"].dtype).startswith("datetime64")
    assert store.load("00_data_integration", "quality")["rows"]["responses"]["quarantined"] == 12
    assert (store.restricted_dir / "contacts.parquet").is_file()
    assert not any("contact" in p.name for p in (tmp_path / "run" / "tables").iterdir())


def _copy_demo(root: Path, tmp_path: Path) -> Path:
    shutil.copytree(root / "data" / "demo", tmp_path / "data" / "demo")
    (tmp_path / "params").mkdir()
    shutil.copy(root / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    return tmp_path / "params" / "demo.yaml"


def test_missing_required_column_is_a_hard_error_naming_table_and_column(root, tmp_path):
    params = _copy_demo(root, tmp_path)
    ops = tmp_path / "data" / "demo" / "operations.csv"
    df = pd.read_csv(ops).rename(columns={"kpi": "measure"})
    df.to_csv(ops, index=False)
    with pytest.raises(DataErrors) as info:
        integrate(load_config(params))
    text = str(info.value)
    assert "table 'operations'" in text and "'kpi'" in text and "measure" in text


def test_a_table_that_mostly_fails_stops_the_run(root, tmp_path):
    params = _copy_demo(root, tmp_path)
    path = tmp_path / "data" / "demo" / "responses.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[df.index[: len(df) * 2 // 3], "responded_at"] = "last Tuesday"  # unparsable in two rows of three
    df.to_csv(path, index=False)
    with pytest.raises(DataErrors) as info:
        integrate(load_config(params))
    text = str(info.value)
    assert "responses" in text and "rows fail validation" in text and "row " in text


def test_day_first_dates_are_read_when_unambiguous(root, tmp_path):
    params = _copy_demo(root, tmp_path)
    path = tmp_path / "data" / "demo" / "responses.csv"
    df = pd.read_csv(path, dtype=str)
    original = pd.to_datetime(df["responded_at"], errors="coerce")
    df["responded_at"] = original.dt.strftime("%d/%m/%Y %H:%M")
    df.to_csv(path, index=False)
    result = integrate(load_config(params))
    got = result.tables["responses"].set_index("response_id")["responded_at"]
    want = original.dt.floor("min").set_axis(df["response_id"])
    common = got.index.intersection(want.index).unique()
    assert (got[~got.index.duplicated()].loc[common] == want[~want.index.duplicated()].loc[common]).all()


def test_ambiguous_dates_ask_for_a_format(root, tmp_path):
    params = _copy_demo(root, tmp_path)
    path = tmp_path / "data" / "demo" / "interactions.csv"
    df = pd.read_csv(path, dtype=str)
    df["started_at"] = "03/04/2024"  # 3 April or 4 March?
    df.to_csv(path, index=False)
    with pytest.raises(DataErrors) as info:
        integrate(load_config(params))
    assert "interactions" in str(info.value) and "date_format" in str(info.value)


def test_label_columns_are_stripped_blanks_become_missing_and_strings_are_shared():
    """Coercion of a label column (segment): values stripped, blank and missing values ``None``,
    numbers read as their text, and each distinct label one shared string object (memory at scale)."""
    from cxtemplate.data.schemas import Column, coerce

    raw = pd.Series(["  Gold ", "Silver", "", "   ", None, float("nan"), pd.NA, 5, "Gold", 7.5] * 3, dtype=object)
    out, reasons = coerce(pd.DataFrame({"segment": raw, "other": range(30)}), [Column("segment", "str")])
    expected = ["Gold", "Silver", None, None, None, None, None, "5", "Gold", "7.5"] * 3
    assert out["segment"].tolist() == expected
    assert (reasons == "").all() and out["other"].tolist() == list(range(30))
    same_raw = out["segment"][raw.eq("Gold").fillna(False).to_numpy(bool)]  # one distinct raw value, three rows
    assert len(same_raw) == 3 and len({id(v) for v in same_raw}) == 1
    assert raw.iloc[0] == "  Gold "  # the source frame is not modified


def test_responses_get_their_customers_attributes_as_a_left_join_would():
    """``_enrich_responses`` adds columns in place of a merge (memory at scale); the result must be
    pandas' many-to-one left join: order kept, unknown or missing customers get missing values, integers
    become floats only when something is missing, nullable and datetime columns keep their dtype."""
    from types import SimpleNamespace

    from cxtemplate.data.integrate import _enrich_responses

    cust = pd.DataFrame({"customer_id": ["a", "b", "c"], "seats": [1, 2, 3],
                         "vip": pd.array([True, None, False], dtype="boolean"),
                         "since": pd.to_datetime(["2020-01-01", None, "2021-05-05"]), "segment": ["x", None, "z"]})
    cfg = SimpleNamespace(segments=["segment"], churn=SimpleNamespace(covariates=["seats", "vip", "since"]))
    for ids in (["a", "c", "b", "a"], ["a", "zz", None, "c"]):
        resp = pd.DataFrame({"customer_id": ids, "nps": [1.0, 2, 3, 4]}, index=[5, 7, 9, 11])
        expected = resp.merge(cust[["customer_id", "segment", "seats", "vip", "since"]], on="customer_id",
                              how="left", validate="many_to_one")
        pd.testing.assert_frame_equal(_enrich_responses(resp.copy(), cust, cfg), expected)


@pytest.mark.parametrize("freq", ["M", "Q", "W", "D"])
def test_period_labels_are_pandas_period_text(freq):
    """Periods are labelled once per distinct period; the labels must be pandas' own text of each
    row's period (``'2025-03'``, ``'2025Q1'``, weeks as ranges), with missing dates missing."""
    from cxtemplate.data.integrate import _period_labels

    rng = np.random.default_rng(0)
    ts = pd.Series(pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1000, 3000), unit="D"))
    ts[::97] = pd.NaT
    expected = ts.dt.to_period(freq).astype("string").astype(object)
    pd.testing.assert_series_equal(_period_labels(ts, freq), expected)
