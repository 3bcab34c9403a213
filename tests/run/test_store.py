"""The run's store (``cxtemplate.run.store``): artifacts round-trip, a missing prerequisite names the
notebook to run first, completion marks, and integration results land in their own folders — contact
details only in ``<org>/restricted/<run_id>/``, outside the run's report folder."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cxtemplate.data.integrate import Integration, TableReport
from cxtemplate.errors import CxError, PrerequisiteMissing
from cxtemplate.run.store import Store, restricted_folder, write_integration


@pytest.fixture()
def store(tmp_path):
    return Store(tmp_path / "run")


def test_the_store_creates_its_folder_and_lays_out_its_subfolders(tmp_path):
    s = Store(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    assert s.tables_dir == tmp_path / "a" / "b" / "tables"
    assert s.artifacts_dir == tmp_path / "a" / "b" / "artifacts"
    assert s.restricted_dir == tmp_path / "a" / "restricted" / "b"  # a sibling of the run folder, not inside it
    path = s.artifact_path("06_action_plan", "actions.xlsx")
    assert path == s.artifacts_dir / "06_action_plan" / "actions.xlsx" and path.parent.is_dir()


def test_a_frame_round_trips_with_its_types(store):
    df = pd.DataFrame({"location": ["Leeds", "Bristol", None], "nps": [42.5, -10.0, np.nan],
                       "n": np.array([120, 35, 0], dtype="int64"),
                       "period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
                       "flag": pd.array([True, None, False], dtype="boolean")})
    path = store.save("04_experience_analysis", "nps_by_location", df)
    assert path == store.artifacts_dir / "04_experience_analysis" / "nps_by_location.parquet"
    back = store.load("04_experience_analysis", "nps_by_location")
    pd.testing.assert_frame_equal(back, df)
    assert back["period"].dtype == "datetime64[ns]"  # not Python date objects


def test_a_dict_round_trips_as_standard_json(store):
    record = {"nps": 31.2, "n": np.int64(812), "ci": (28.0, 34.5), "se": float("nan"),
              "as_of": pd.Timestamp("2025-12-31"), "labels": {"b": 1, "a": 2}}
    path = store.save("03_metric_design", "headline", record)
    assert path.name == "headline.json"
    text = path.read_text(encoding="utf-8")
    assert "NaN" not in text
    assert store.load("03_metric_design", "headline") == {
        "nps": 31.2, "n": 812, "ci": [28.0, 34.5], "se": None, "as_of": "2025-12-31T00:00:00",
        "labels": {"a": 2, "b": 1}}


def test_exists_sees_either_format(store):
    assert not store.exists("01_maturity", "scores")
    store.save("01_maturity", "scores", {"overall": 2.4})
    store.save("01_maturity", "by_dimension", pd.DataFrame({"d": ["x"], "level": [2.0]}))
    assert store.exists("01_maturity", "scores") and store.exists("01_maturity", "by_dimension")
    assert not store.exists("02_objectives", "scores")


def test_a_missing_artifact_names_the_notebook_to_run_first(store):
    with pytest.raises(PrerequisiteMissing) as info:
        store.load("03_metric_design", "specs")
    message = str(info.value)
    assert "'specs'" in message and "run 03_metric_design first" in message and str(store.root) in message
    assert isinstance(info.value, CxError)


def test_a_default_replaces_the_error_for_an_optional_artifact(store):
    assert store.load("05_churn_survival", "risk", default=None) is None
    assert store.load("05_churn_survival", "risk", default={}) == {}


def test_tables_are_written_read_and_pruned_by_column(store):
    df = pd.DataFrame({"customer_id": ["007", "012"], "revenue": [10.5, 20.0],
                       "start_date": pd.to_datetime(["2024-01-01", "2024-06-30"])})
    assert not store.has_table("customers") and store.read_table("customers") is None
    path = store.write_table("customers", df)
    assert path == store.tables_dir / "customers.parquet"
    assert store.has_table("customers")
    pd.testing.assert_frame_equal(store.read_table("customers"), df)
    pd.testing.assert_frame_equal(store.read_table("customers", ["revenue", "customer_id"]),
                                  df[["revenue", "customer_id"]])


def test_mark_done_and_require(store):
    with pytest.raises(PrerequisiteMissing, match=r"needs the results of 00_data_integration, 03_metric_design; "
                                                  r"run 00_data_integration first"):
        store.require("00_data_integration", "03_metric_design")
    store.mark_done("00_data_integration", {"tables": 5})
    assert store.is_done("00_data_integration") and not store.is_done("03_metric_design")
    with pytest.raises(PrerequisiteMissing, match=r"needs the results of 03_metric_design; run 03_metric_design first"):
        store.require("00_data_integration", "03_metric_design")
    store.mark_done("03_metric_design")
    store.require("00_data_integration", "03_metric_design")  # no error
    store.require()  # nothing required, nothing missing
    done = json.loads((store.artifacts_dir / "00_data_integration" / "_done.json").read_text())
    assert done == {"notebook": "00_data_integration", "tables": 5}


def test_the_done_mark_is_not_an_artifact_a_notebook_can_mistake(store):
    store.mark_done("01_maturity")
    assert not store.exists("01_maturity", "scores")
    with pytest.raises(PrerequisiteMissing):
        store.load("01_maturity", "scores")


# --------------------------------------------------------------------------- integration results


def _report(table, rows_in, used):
    return TableReport(table=table, source=f"data/{table}.csv", rows_in=rows_in, rows_used=used,
                       rows_quarantined=rows_in - used, reasons={"nps: outside 0–10": rows_in - used} if rows_in > used else {},
                       mapping={}, kept=[], missing_share={}, date_range={})


@pytest.fixture()
def integration():
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "segment": ["SME", "Enterprise"]})
    responses = pd.DataFrame({"response_id": ["R1", "R2"], "customer_id": ["C1", "C2"], "nps": [9.0, 3.0]})
    quarantined = pd.DataFrame({"response_id": ["R3"], "nps": [11.0], "reason": ["nps: outside 0–10; "]})
    contacts = pd.DataFrame({"customer_id": ["C1", "C2"], "contact_email": ["jo@example.com", "sam@example.org"],
                             "contact_phone": ["07700 900123", "07700 900456"]})
    return Integration(tables={"customers": customers, "responses": responses},
                       quarantine={"responses": quarantined},
                       reports={"customers": _report("customers", 2, 2), "responses": _report("responses", 3, 2)},
                       joins={"responses.customer_id": {"matched": 1.0}}, contacts=contacts)


def test_the_restricted_folder_of_a_run_is_beside_its_run_folders_whatever_the_run_folder_is_called(tmp_path):
    org = tmp_path / "reports" / "acme"
    run_id = "20251231T120000-ab12cd"
    assert restricted_folder(org / run_id) == org / "restricted" / run_id
    # while the run is under way the runner writes into .partial-<run_id>; the restricted folder is the final one
    assert restricted_folder(org / f".partial-{run_id}") == org / "restricted" / run_id
    assert restricted_folder(org / "interactive") == org / "restricted" / "interactive"
    (org / run_id).mkdir(parents=True)
    (org / "latest").symlink_to(run_id, target_is_directory=True)
    assert restricted_folder(org / "latest") == (org / "restricted" / run_id).resolve()
    assert not (org / "restricted").exists()  # it names the folder, it does not make it


def test_write_integration_puts_each_result_in_its_folder(store, integration):
    write_integration(integration, store)
    files = sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file())
    assert files == ["artifacts/00_data_integration/quality.json",
                     "artifacts/00_data_integration/quarantine_responses.parquet",
                     "tables/customers.parquet", "tables/responses.parquet"]
    assert [p.name for p in store.restricted_dir.iterdir()] == ["contacts.parquet"]
    assert store.restricted_dir == store.root.parent / "restricted" / store.root.name
    pd.testing.assert_frame_equal(store.read_table("responses"), integration.tables["responses"])
    pd.testing.assert_frame_equal(store.load("00_data_integration", "quarantine_responses"),
                                  integration.quarantine["responses"])
    quality = store.load("00_data_integration", "quality")
    assert quality["rows"] == {"customers": {"in": 2, "used": 2, "quarantined": 0},
                               "responses": {"in": 3, "used": 2, "quarantined": 1}}
    assert quality["joins"] == {"responses.customer_id": {"matched": 1.0}}
    pd.testing.assert_frame_equal(pq.read_table(store.restricted_dir / "contacts.parquet").to_pandas(),
                                  integration.contacts)


def test_contact_details_appear_only_in_the_restricted_folder(store, integration):
    write_integration(integration, store)
    assert not store.restricted_dir.is_relative_to(store.root)  # zipping the run folder takes no contact detail
    for path in store.root.parent.rglob("*"):
        if not path.is_file() or path.parent == store.restricted_dir:
            continue
        if path.suffix == ".parquet":
            frame = pq.read_table(path).to_pandas()
            assert not {"contact_email", "contact_phone"} & set(frame.columns), path
            cells = frame.astype(str).to_numpy().ravel().tolist()
        else:
            cells = [path.read_text(encoding="utf-8")]
        assert not any("@example." in c or "07700" in c for c in cells), path


def test_without_contacts_no_restricted_folder_is_made(store, integration):
    write_integration(Integration(tables=integration.tables, quarantine={}, reports={}, joins={}, contacts=None), store)
    assert not store.restricted_dir.exists()
    assert not list(store.artifacts_dir.glob("*/quarantine_*"))
    assert store.load("00_data_integration", "quality") == {"tables": {}, "joins": {}, "rows": {}}


# --------------------------------------------------------------------------- a full disk (issue 14)


def test_a_full_disk_names_the_artifact_and_leaves_no_partial_file(store, monkeypatch):
    import errno

    import pandas as pd

    from cxtemplate.run import store as store_module

    def full_disk(path, obj):  # writes half a temporary file, then fails as write() does: no file name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(b"PAR1 half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "write_parquet", full_disk)
    monkeypatch.setattr(store_module, "write_json", full_disk)
    for call, name in ((lambda: store.save("04_x", "drivers", pd.DataFrame({"a": [1]})), "drivers.parquet"),
                       (lambda: store.save("04_x", "summary", {"a": 1}), "summary.json"),
                       (lambda: store.write_table("responses", pd.DataFrame({"a": [1]})), "responses.parquet")):
        with pytest.raises(OSError) as info:
            call()
        assert info.value.errno == errno.ENOSPC and info.value.filename.endswith(name), info.value
        assert name in str(info.value)
    assert not [p for p in store.root.rglob("*") if p.is_file()], "no partial file is left behind"
