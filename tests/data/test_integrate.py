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
from cxtemplate.errors import ConfigError, DataErrors
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


# --------------------------------------------------------------------------- data that means something else (issue 14)

N_SMALL = 200


def small_engagement(tmp_path: Path, responses: pd.DataFrame, customers: pd.DataFrame | None = None,
                     extra: str = "", responses_source: str = "") -> Path:
    """A small engagement: params/p.yaml and the CSVs given, NPS only (CSAT and CES off unless in ``extra``)."""
    (tmp_path / "params").mkdir(exist_ok=True)
    (tmp_path / "data").mkdir(exist_ok=True)
    responses.to_csv(tmp_path / "data" / "responses.csv", index=False)
    crm = ""
    if customers is not None:
        customers.to_csv(tmp_path / "data" / "customers.csv", index=False)
        crm = "  customers: {file: ../data/customers.csv}\n"
    metrics = "metrics:\n  csat: {enabled: false}\n  ces: {enabled: false}\n" if "metrics:" not in extra else ""
    path = tmp_path / "params" / "p.yaml"
    path.write_text("organisation: {id: acme, name: Acme, as_of: 2025-12-31}\nsources:\n" + crm
                    + "  responses:\n    file: ../data/responses.csv\n" + responses_source + metrics + extra)
    return path


def scores(n: int = N_SMALL, seed: int = 14) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 11, n)


def nps_of(values) -> float:
    """NPS by its definition: % promoters (9–10) − % detractors (0–6)."""
    v = np.asarray(values, dtype=float)
    return 100 * ((v >= 9).mean() - (v <= 6).mean())


def frame(nps, **columns) -> pd.DataFrame:
    n = len(nps)
    return pd.DataFrame({"response_id": [f"R{i:04d}" for i in range(n)], "nps": nps,
                         "responded_at": [f"2025-{1 + i % 12:02d}-15" for i in range(n)], **columns})


def stops(path: Path) -> list:
    with pytest.raises(DataErrors) as info:
        integrate(load_config(path))
    return info.value.errors


def test_labelled_extremes_are_scores_and_nps_is_the_one_of_the_numbers(tmp_path):
    truth = scores()
    labels = {10: "10 - Extremely likely", 0: "0 - Not at all likely"}
    written = [labels.get(int(v), str(v)) for v in truth]
    result = integrate(load_config(small_engagement(tmp_path, frame(written))))
    used = result.tables["responses"]
    assert result.reports["responses"].rows_quarantined == 0
    assert nps_of(used["nps"]) == pytest.approx(nps_of(truth))
    assert "written as labels" in result.reports["responses"].notes[0]


def test_labels_without_a_number_stop_the_run_with_the_values_seen(tmp_path):
    truth = scores()
    written = ["Extremely likely" if v == 10 else str(v) for v in truth]
    (e,) = stops(small_engagement(tmp_path, frame(written)))
    n10 = int((truth == 10).sum())
    assert e.column == "nps" and "not a number" in e.message
    assert f"'Extremely likely' ({n10:,})" in e.message, e.message


@pytest.mark.parametrize("column, values, extra, found", [
    ("nps", lambda t: t + 1, "", "run from 1 to 11"),
    ("csat", lambda t: t * 10, "metrics:\n  ces: {enabled: false}\n  csat: {scale: [1, 5]}\n", "run from 0 to 100"),
], ids=["nps-1-11", "csat-0-100"])
def test_a_scale_that_does_not_fit_is_an_error_naming_the_column_and_the_range(tmp_path, column, values, extra, found):
    truth = scores()
    df = frame(truth) if column != "nps" else frame(values(truth))
    if column != "nps":
        df[column] = values(truth)
    errors = stops(small_engagement(tmp_path, df, extra=extra))
    e = next(e for e in errors if e.column == column)
    assert found in e.message and "does not fit the declared" in e.message
    if column == "nps":
        assert "recode: {nps: {1: 0" in e.hint
    else:
        assert "metrics.csat.scale: [0, 100]" in e.hint


def test_a_quarantine_above_the_threshold_stops_the_run_with_its_counts(tmp_path):
    df = frame(scores())
    df.loc[:11, "responded_at"] = "2026-03-01"  # 12 of 200 (6%) after the analysis date
    (e,) = stops(small_engagement(tmp_path, df))
    assert "12 of 200 rows (6.0%) would be quarantined, more than the 5% allowed" in e.message
    assert "responded_at: after the analysis date 2025-12-31: 12" in e.message
    # the consultant may accept it explicitly, and 4% passes by default
    path = small_engagement(tmp_path, df, extra="quality: {max_quarantined_share: 0.1}\n")
    assert integrate(load_config(path)).reports["responses"].rows_quarantined == 12
    df.loc[:3, "responded_at"] = "2025-05-01"
    assert integrate(load_config(small_engagement(tmp_path, df))).reports["responses"].rows_quarantined == 8


def test_a_quarantine_concentrated_in_one_value_stops_the_run(tmp_path):
    truth = scores()
    df = frame(truth, csat=[1 + int(v) % 5 for v in truth])
    df["csat"] = df["csat"].astype(object)
    df.loc[:7, "csat"] = "Prefer not to say"  # 8 of 200 is 4%: under the share limit, but all one value
    df.loc[100:101, "csat"] = "Prefer not to say"
    extra = "metrics:\n  ces: {enabled: false}\n"
    (e,) = stops(small_engagement(tmp_path, df, extra=extra))
    assert e.column == "csat" and "10 of them hold the same value 'Prefer not to say'" in e.message
    assert "missing: {csat: ['Prefer not to say']}" in e.hint
    fixed = small_engagement(tmp_path, df, extra=extra,
                             responses_source="    missing: {csat: ['Prefer not to say']}\n")
    assert integrate(load_config(fixed)).reports["responses"].rows_quarantined == 0


def crm(ids) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ids, "start_date": "2024-01-01"})


def test_padded_crm_ids_and_unpadded_survey_ids_stop_the_run_and_name_the_rule(tmp_path):
    n = N_SMALL
    customers = crm([f"{i:05d}" for i in range(1, n + 1)])
    df = frame(scores(), customer_id=[str(i) for i in range(1, n + 1)])
    (e,) = stops(small_engagement(tmp_path, df, customers))
    assert e.table == "responses" and e.column == "customer_id"
    assert f"only 0 of the {n} survey responses with a customer id (0.0%) match a customer" in e.message
    assert "ids: {leading_zeros: strip}" in e.hint and "100% of the distinct ids would match" in e.hint
    result = integrate(load_config(small_engagement(tmp_path, df, customers, extra="ids: {leading_zeros: strip}\n")))
    assert result.joins["responses"]["join_rate"] == 1.0


def test_case_and_spaces_in_survey_ids_are_matched_by_the_declared_rule(tmp_path):
    customers = crm([f"C{i:05d}" for i in range(N_SMALL)])
    df = frame(scores(), customer_id=[f" c{i:05d} " for i in range(N_SMALL)])
    (e,) = stops(small_engagement(tmp_path, df, customers))
    assert "case: upper" in e.hint
    result = integrate(load_config(small_engagement(tmp_path, df, customers, extra="ids: {strip: true, case: upper}\n")))
    assert result.joins["responses"]["join_rate"] == 1.0
    assert result.tables["responses"]["customer_id"].iloc[0] == "C00000"


def test_a_join_that_matches_71_percent_warns_every_page_that_uses_it(tmp_path):
    from cxtemplate.data.quality import caveats_text, join_warning

    customers = crm([f"C{i:04d}" for i in range(142)])
    df = frame(scores(), customer_id=[f"C{i:04d}" for i in range(N_SMALL)])  # 142 of 200 known: 71%
    result = integrate(load_config(small_engagement(tmp_path, df, customers)))
    q = result.quality()
    warning = q["joins"]["responses"]["warning"]
    assert warning.startswith("Only 71% of the survey responses with a customer id (142 of 200) match a customer")
    assert q["warnings"] == [warning] and warning in caveats_text(q) and join_warning(q, "responses") == warning
    assert join_warning(q, "interactions") == ""


def test_a_repeated_header_that_would_be_read_is_an_error(tmp_path):
    path = small_engagement(tmp_path, frame(scores()))
    body = (tmp_path / "data" / "responses.csv").read_text().splitlines()
    body[0] = body[0] + ",nps"
    (tmp_path / "data" / "responses.csv").write_text("\n".join(f"{line},{3}" if i else line
                                                               for i, line in enumerate(body)) + "\n")
    (e,) = stops(path)
    assert e.column == "nps" and "names column 'nps' 2 times (columns 2 and 4)" in e.message
    assert "appears once" in e.hint


def test_a_header_below_title_rows_is_one_error_with_the_fix(tmp_path):
    path = small_engagement(tmp_path, frame(scores()))
    csv = tmp_path / "data" / "responses.csv"
    csv.write_text("Survey export Q3,,\n,,\n" + csv.read_text())
    (e,) = stops(path)
    assert e.message == "the column names are on row 3, not on row 1 (row 1 reads 'Survey export Q3')"
    assert "header_row: 3" in e.hint
    path.write_text(path.read_text().replace("    file: ../data/responses.csv\n",
                                             "    file: ../data/responses.csv\n    header_row: 3\n"))
    assert integrate(load_config(path)).reports["responses"].rows_used == N_SMALL


def test_timestamps_across_a_clock_change_are_stated_in_the_quality_report(tmp_path):
    df = frame(scores())
    df["responded_at"] = [f"2025-{1 + i % 12:02d}-15T10:00:00{'+01:00' if 4 <= 1 + i % 12 <= 10 else '+00:00'}"
                          for i in range(N_SMALL)]
    result = integrate(load_config(small_engagement(tmp_path, df)))
    notes = result.quality()["tables"]["responses"]["notes"]
    assert notes == ["responded_at: timestamps carry UTC offsets; every one was converted to UTC"]
    assert result.tables["responses"]["responded_at"].iloc[3] == pd.Timestamp("2025-04-15 09:00")


def test_a_scale_whose_top_is_never_used_is_a_warning(tmp_path):
    truth = scores()
    df = frame(truth, csat=[1 + int(v) % 5 for v in truth])
    result = integrate(load_config(small_engagement(tmp_path, df, extra="metrics:\n  ces: {enabled: false}\n"
                                                                         "  csat: {scale: [1, 10]}\n")))
    (w,) = result.quality()["warnings"]
    assert w.startswith("No csat answer reaches the top of the declared 1–10 scale (the answers run from 1 to 5)")
    assert "set metrics.csat.scale to [1, 5]" in w


# --------------------------------------------------------------------------- generated keys and source filters

DATELESS_CRM = """\
organisation: {{id: acme, name: Acme Ltd}}
sources:
  customers:
    file: crm.csv
    id: row_number
    columns: {{tenure: months, churned: Churn}}
    keep: [contract, internet]
    recode: {{churned: {{"Yes": true, "No": false}}}}
    tenure_unit: month
{where}
churn: {{covariates: [contract]}}
"""


def dateless_crm(tmp_path: Path, where: str = "") -> Path:
    """Six customers of a telecom-like CRM without ids or dates; the expected rows are counted by hand below."""
    pd.DataFrame({"months": [1, 30, 5, 72, 12, 3], "Churn": ["Yes", "No", "Yes", "No", "No", "Yes"],
                  "contract": ["Month-to-month", "Two year", "Month-to-month", "Two year", "One year",
                               "Month-to-month"],
                  "internet": ["DSL", "No", "Fiber optic", "DSL", "No", "No"]}).to_csv(tmp_path / "crm.csv",
                                                                                       index=False)
    path = tmp_path / "acme.yaml"
    path.write_text(DATELESS_CRM.format(where=where))
    return path


def test_a_crm_without_ids_is_numbered_by_row_and_the_report_says_so(tmp_path):
    result = integrate(load_config(dateless_crm(tmp_path)))
    c = result.tables["customers"]
    assert list(c["customer_id"]) == ["1", "2", "3", "4", "5", "6"]  # 1 = the first row under the header
    assert c["churned"].tolist() == [True, False, True, False, False, True]
    assert result.reports["customers"].generated_key == "customer_id"
    assert result.reports["customers"].as_dict()["generated_key"] == "customer_id"


def test_a_source_filter_keeps_the_matching_rows_and_says_how_many(tmp_path):
    where = "    where: {contract: Month-to-month, internet: {'!=': 'No'}}"
    result = integrate(load_config(dateless_crm(tmp_path, where)))
    c = result.tables["customers"]
    # rows 1 and 3 are month-to-month with internet; row 6 is month-to-month without; the ids stay the file's rows
    assert list(c["customer_id"]) == ["1", "3"]
    rep = result.reports["customers"]
    assert rep.rows_in == 2 and rep.rows_quarantined == 0
    assert any("kept 2 of the 6 rows read" in n for n in rep.notes)


def test_a_source_filter_may_read_a_column_that_is_neither_mapped_nor_kept(tmp_path):
    path = dateless_crm(tmp_path, "    where: {internet: [DSL, Fiber optic]}")
    path.write_text(path.read_text().replace("keep: [contract, internet]", "keep: [contract]"))
    c = integrate(load_config(path)).tables["customers"]
    assert list(c["customer_id"]) == ["1", "3", "4"] and "internet" not in c.columns  # read to filter, then dropped


@pytest.mark.parametrize("where, words", [
    ("    where: {contrct: Two year}", ["sources.customers.where.contrct", "did you mean 'contract'"]),
    ("    where: {months: {'>': 'long'}}", ["months", "compares numbers or dates"]),
    ("    where: {contract: Three year}", ["matches none of the 6 rows"]),
], ids=["unknown-column", "text-on-numbers", "matches-nothing"])
def test_a_filter_that_cannot_hold_stops_the_run_naming_its_key(tmp_path, where, words):
    try:
        errors = [str(e) for e in (stops(dateless_crm(tmp_path, where)))]
    except ConfigError as exc:  # a condition of the wrong form is refused when the params are read
        errors = [str(p) for p in exc.problems]
    text = " ".join(errors)
    for w in words:
        assert w in text, text
