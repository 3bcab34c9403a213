"""Tests of :mod:`cxtemplate.scaffold.document` (``cxtemplate new``): a folder of exports → a commented params
file that validates and integrates.

The acceptance bar: on the real public data sets (``../shared/real-data``) and on the synthetic
demo folder, the generated file passes ``load_config`` with the edits listed in ``EDITS`` (none
today) and ``integrate`` reads every recognised source. Params files are written to a temporary
folder; the data folders are only read (``data_root`` makes them allowed). The steps have unit tests of
their own: test_read, test_profile, test_specs, test_guess, test_plan and test_writer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cxtemplate.cli import main
from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import integrate
from cxtemplate.scaffold.document import ParamsExist, org_id, scaffold_text, write_params
from cxtemplate.scaffold.read import ScaffoldError

# Hand edits each data set needs before it validates: none. A guess that regresses shows up here
# as a failing test rather than as a new entry.
EDITS: dict[str, list[str]] = {"airline_satisfaction": [], "bank_churn": [], "amazon_alexa_reviews": [], "demo": []}


def _raw(path: Path) -> dict:
    from cxtemplate.config.loader import UniqueKeyLoader

    return yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506


def _line(path: Path, pattern: str) -> str:
    """The first line of a params file matching a regular expression."""
    return next(ln for ln in path.read_text(encoding="utf-8").splitlines() if re.search(pattern, ln))


# --------------------------------------------------------------------------- real data sets


@pytest.fixture(scope="module")
def airline(real_data, tmp_path_factory):
    params = tmp_path_factory.mktemp("airline") / "params"
    path = write_params("airline", real_data / "airline_satisfaction", params_dir=params)
    return path, load_config(path)


def test_airline_validates_and_recognises_a_survey(airline):
    path, cfg = airline
    assert EDITS["airline_satisfaction"] == []
    assert cfg.sources.configured().keys() == {"responses"}
    assert not cfg.metrics.nps.enabled and not cfg.metrics.ces.enabled
    assert cfg.metrics.csat.enabled and cfg.metrics.csat.scale == (1, 2) and cfg.metrics.csat.success_min == 2
    src = cfg.sources.responses
    assert src.columns["csat"] == "satisfaction" and src.columns["segment"] == "Class"
    assert src.recode["csat"] == {"satisfied": 2, "neutral or dissatisfied": 1}
    assert {"Customer Type", "Type of Travel"} <= set(src.keep)
    assert "Unnamed: 0" not in src.keep
    # 14 service ratings on 1–5 as drivers, 0 meaning "not applicable"
    assert len(cfg.metrics.drivers.columns) == 14 and cfg.metrics.drivers.scale == (1, 5)
    assert cfg.metrics.drivers.outcome == "csat"
    assert all(src.missing[d] == [0] for d in cfg.metrics.drivers.columns)
    assert cfg.metrics.drivers.labels["inflight_wifi_service"] == "Inflight wifi service"
    assert {"segment", "Customer Type", "Type of Travel"} <= set(cfg.segments)
    # no date column in the file: no as_of (tenure-based, no calendar dates), never the day `new` ran
    assert cfg.organisation.as_of is None and not re.search(r"^\s+as_of:", path.read_text(encoding="utf-8"), re.M)
    assert "no calendar dates in the data" in _line(path, r"^\s+# as_of:")
    assert cfg.organisation.currency is None  # nothing in a survey of passengers says which
    assert re.search(r"# guess 0\.\d\d: 2 levels", _line(path, r"^\s+csat: satisfaction"))


def test_airline_integrates_with_ratings_as_drivers(airline, real_data):
    _, cfg = airline
    result = integrate(cfg)
    responses = result.tables["responses"]
    raw = pd.read_csv(real_data / "airline_satisfaction" / "airline_passenger_satisfaction_test.csv")
    assert len(responses) + len(result.quarantine["responses"]) == len(raw)
    assert result.reports["responses"].rows_quarantined == 0
    wifi = responses["inflight_wifi_service"]
    assert wifi.isna().sum() == (raw["Inflight wifi service"] == 0).sum() > 0  # 0 → missing
    assert wifi.dropna().between(1, 5).all()
    assert set(responses["csat"].dropna().unique()) == {1, 2}
    assert (responses["csat"] == 2).sum() == (raw["satisfaction"] == "satisfied").sum()
    assert set(responses["segment"].unique()) == {"Business", "Eco", "Eco Plus"}
    assert {"Customer Type", "Type of Travel"} <= set(responses.columns)


@pytest.fixture(scope="module")
def bank(real_data, tmp_path_factory):
    params = tmp_path_factory.mktemp("bank") / "params"
    path = write_params("bank", real_data / "bank_churn", params_dir=params)
    return path, load_config(path)


def test_bank_is_customers_with_tenure_in_years(bank):
    path, cfg = bank
    assert EDITS["bank_churn"] == []
    assert cfg.sources.configured().keys() == {"customers"}
    src = cfg.sources.customers
    assert src.columns["customer_id"] == "CustomerId"
    assert src.columns["tenure"] == "Tenure" and src.tenure_unit == "year"
    assert src.columns["churned"] == "Exited"
    assert src.columns.get("location") == "Geography" or "Geography" in src.keep
    # personal data: neither mapped as an attribute nor kept nor a covariate
    assert "Surname" not in src.keep and "Surname" not in src.columns.values()
    assert "Surname" not in cfg.churn.covariates and "RowNumber" not in src.keep
    assert "Surname (personal data" in path.read_text(encoding="utf-8")
    assert cfg.churn.enabled and {"location", "Gender", "Age", "CreditScore"} <= set(cfg.churn.covariates)
    assert cfg.churn.cx_covariates == []
    # France, Germany, Spain say where the customers live, not what the balances are in: a hint, not a currency
    assert cfg.organisation.currency is None
    assert re.search(r"^  # currency: EUR +# TODO: .*the places in the data \(France, Germany, Spain\) suggest EUR",
                     path.read_text(encoding="utf-8"), re.M)
    assert not any(getattr(cfg.metrics, m).enabled for m in ("nps", "csat", "ces"))


def test_bank_integrates_tenure_days_and_churn(bank, real_data):
    _, cfg = bank
    customers = integrate(cfg).tables["customers"]
    raw = pd.read_csv(real_data / "bank_churn" / "Churn_Modelling.csv")
    assert len(customers) == len(raw)
    assert int(customers["churned"].sum()) == int(raw["Exited"].sum()) == 2037
    np.testing.assert_allclose(customers["tenure_days"], raw["Tenure"] * 365.25)
    assert "Surname" not in customers.columns
    assert set(customers["location"].unique()) == {"France", "Germany", "Spain"}


@pytest.fixture(scope="module")
def alexa(real_data, tmp_path_factory):
    params = tmp_path_factory.mktemp("alexa") / "params"
    path = write_params("alexa", real_data / "amazon_alexa_reviews", params_dir=params)
    return path, load_config(path)


def test_alexa_tsv_with_bom_is_recognised_as_reviews(alexa):
    path, cfg = alexa
    assert EDITS["amazon_alexa_reviews"] == []
    raw = _raw(path)["sources"]["responses"]
    assert raw["encoding"] == "utf-8-sig" and raw["delimiter"] == "\t"
    src = cfg.sources.responses
    assert src.columns["comment"] == "verified_reviews" and src.columns["csat"] == "rating"
    assert src.columns["responded_at"] == "date" and src.date_format == "%d-%b-%y"
    assert cfg.metrics.csat.enabled and cfg.metrics.csat.scale == (1, 5)
    assert cfg.organisation.as_of == dt.date(2018, 7, 31)
    assert "variation" in cfg.segments


def test_alexa_integrates(alexa):
    _, cfg = alexa
    result = integrate(cfg)
    responses = result.tables["responses"]
    assert len(responses) + result.reports["responses"].rows_quarantined == 3150
    assert result.reports["responses"].rows_quarantined == 0
    assert responses["csat"].between(1, 5).all() and responses["responded_at"].notna().all()
    assert responses["comment"].str.len().mean() > 50


def test_a_tab_delimiter_survives_loading(alexa):
    _, cfg = alexa
    assert cfg.sources.responses.delimiter == "\t"


# --------------------------------------------------------------------------- the synthetic demo


@pytest.fixture(scope="module")
def demo(root, tmp_path_factory):
    params = tmp_path_factory.mktemp("demo") / "params"
    path = write_params("demo", root / "data" / "demo", params_dir=params)
    return path, load_config(path)


def test_demo_recognises_all_five_tables(demo):
    path, cfg = demo
    assert EDITS["demo"] == []
    assert set(cfg.sources.configured()) == {"customers", "responses", "interactions", "operations",
                                             "maturity_answers"}
    assert Path(cfg.sources.customers.file).name == "customers.csv"
    assert Path(cfg.sources.operations.file).name == "operations.csv"
    cust, resp = cfg.sources.customers, cfg.sources.responses
    assert cust.columns["revenue"] == "monthly_revenue"
    assert (cust.columns["contact_name"], cust.columns["contact_email"], cust.columns["contact_phone"]) == \
        ("name", "email", "phone")
    assert cust.keep == ["contract"]
    assert resp.columns["nps"] == "nps" and resp.columns["comment"] == "comment"
    assert set(cfg.metrics.drivers.columns) == {"ease_of_process", "staff_knowledge", "speed_of_service",
                                                "communication", "value_for_money", "reliability",
                                                "digital_experience"}
    assert cfg.metrics.drivers.scale == (0, 10) and cfg.metrics.drivers.outcome == "nps"
    assert cfg.metrics.csat.scale == (1, 5) and cfg.metrics.ces.scale == (1, 7)
    assert cfg.sources.operations.columns == {"period": "period", "location": "location", "kpi": "kpi",
                                              "value": "value"}
    assert cfg.organisation.as_of == dt.date(2025, 12, 31)  # future-dated rows ignored
    assert cfg.organisation.start == dt.date(2023, 1, 1)
    # UK cities say where the customers are, not what monthly_revenue is in: named as a hint, never set
    assert cfg.organisation.currency is None
    assert re.search(r"^  # currency: GBP +# TODO: .*the places in the data \(\w+.*\) suggest GBP",
                     path.read_text(encoding="utf-8"), re.M)
    assert set(cfg.churn.cx_covariates) == {"nps_category", "ces", "unresolved_contacts", "negative_contacts"}
    assert cfg.reporting.manager_scorecards_by == "location"
    for line in path.read_text(encoding="utf-8").splitlines():  # every mapping carries its confidence
        if re.match(r"^      \w+: \S", line) and "columns" not in line:
            assert re.search(r"# (guess|driver) 0\.\d\d: ", line), line


def test_demo_integrates_and_quarantines_the_planted_anomalies(demo, root):
    _, cfg = demo
    result = integrate(cfg)
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())["injected_anomalies"]["counts"]
    for table, kinds in truth.items():
        assert result.reports[table].rows_quarantined == sum(kinds.values()), table
    assert set(result.tables) == {"customers", "responses", "interactions", "operations", "maturity_answers"}
    assert result.contacts is not None and "contact_email" in result.contacts.columns


# --------------------------------------------------------------------------- behaviour


def _tiny_crm(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    n = 120
    pd.DataFrame({
        "CustomerID": [f"K{i:04d}" for i in range(n)],
        "tenure_months": rng.integers(0, 72, n),
        "Contract": rng.choice(["Month-to-month", "One year", "Two year"], n),
        "MonthlyCharges": rng.uniform(20, 110, n).round(2),
        "Churn": rng.choice(["Yes", "No"], n),
    }).to_csv(folder / "crm.csv", index=False)
    return folder


def test_refuses_to_overwrite_without_force(tmp_path):
    data = _tiny_crm(tmp_path / "data")
    params = tmp_path / "params"
    path = write_params("Acme Telecom", data, params_dir=params)
    assert path.name == "acme-telecom.yaml"
    path.write_text("# edited by hand\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ParamsExist, match="--force"):
        write_params("Acme Telecom", data, params_dir=params)
    assert path.read_text(encoding="utf-8").startswith("# edited by hand")
    assert main(["new", "Acme Telecom", "--data", str(data), "--params-dir", str(params)]) == 2
    assert main(["new", "Acme Telecom", "--data", str(data), "--params-dir", str(params), "--force"]) == 0
    assert not path.read_text(encoding="utf-8").startswith("# edited by hand")


def test_yes_no_churn_and_tenure_in_months(tmp_path):
    data = _tiny_crm(tmp_path / "data")
    path = write_params("acme", data, params_dir=tmp_path / "params")
    cfg = load_config(path)
    src = cfg.sources.customers
    assert src.columns == {"customer_id": "CustomerID", "tenure": "tenure_months", "churned": "Churn",
                           "plan": "Contract", "revenue": "MonthlyCharges"}
    assert src.recode["churned"] == {"Yes": True, "No": False} and src.tenure_unit == "month"
    customers = integrate(cfg).tables["customers"]
    raw = pd.read_csv(data / "crm.csv")
    assert int(customers["churned"].sum()) == int((raw["Churn"] == "Yes").sum())


def test_unrecognised_files_are_listed_as_todo(tmp_path):
    data = _tiny_crm(tmp_path / "data")
    pd.DataFrame({"alpha": [1.5, 2.5, 3.5], "beta": ["x", "y", "z"]}).to_csv(data / "mystery.csv", index=False)
    (data / "README.md").write_text("notes")
    path = write_params("acme", data, params_dir=tmp_path / "params")
    text = path.read_text(encoding="utf-8")
    assert re.search(r"# TODO: not recognised.*\n#\s+mystery\.csv \(.*\); columns: alpha, beta", text)
    assert "Not data files, not read: README.md" in text
    load_config(path)


def test_a_folder_without_data_files_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("x")
    with pytest.raises(ScaffoldError, match=r"no data files in .*empty.*found notes\.md"):
        write_params("acme", tmp_path / "empty", params_dir=tmp_path / "params")
    with pytest.raises(ScaffoldError, match="not found"):
        write_params("acme", tmp_path / "absent", params_dir=tmp_path / "params")
    assert not (tmp_path / "params").exists()


def test_excel_sheets_and_parquet_are_read(tmp_path, root):
    data = tmp_path / "data"
    data.mkdir()
    demo = root / "data" / "demo"
    customers = pd.read_csv(demo / "customers.csv").head(300)
    responses = pd.read_csv(demo / "responses.csv").head(400)
    with pd.ExcelWriter(data / "export.xlsx") as xl:
        customers.to_excel(xl, sheet_name="CRM", index=False)
        responses.to_excel(xl, sheet_name="Survey", index=False)
    pd.read_csv(demo / "interactions.csv").head(300).to_parquet(data / "contacts.parquet", index=False)
    path = write_params("acme", data, params_dir=tmp_path / "params")
    cfg = load_config(path)
    assert (cfg.sources.customers.sheet, cfg.sources.responses.sheet) == ("CRM", "Survey")
    assert Path(cfg.sources.interactions.file).name == "contacts.parquet"
    result = integrate(cfg)
    assert len(result.tables["responses"]) + result.reports["responses"].rows_quarantined == 400


def test_latin1_semicolon_export(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    text = "id;date;score;comment\n" + "".join(
        f"{i};{(i % 28) + 1:02d}/03/2025;{i % 11};Le café était {'très ' * (i % 3)}bon, merci beaucoup\n"
        for i in range(60))
    (data / "survey.csv").write_bytes(text.encode("latin-1"))
    path = write_params("acme", data, params_dir=tmp_path / "params")
    raw = _raw(path)["sources"]["responses"]
    assert raw["encoding"] == "latin-1" and raw["delimiter"] == ";" and raw["date_format"] == "%d/%m/%Y"
    cfg = load_config(path)
    responses = integrate(cfg).tables["responses"]
    assert responses["comment"].str.contains("café").all()
    assert cfg.organisation.as_of == dt.date(2025, 3, 28)


def test_tweets_are_conversations_with_recoded_sentiment(real_data, tmp_path):
    path = write_params("tweets", real_data / "twitter_airline_sentiment", params_dir=tmp_path / "params")
    cfg = load_config(path)
    src = cfg.sources.interactions
    assert (src.columns["text"], src.columns["sentiment"], src.columns["started_at"]) == \
        ("text", "airline_sentiment", "tweet_created")
    assert src.recode["sentiment"] == {"negative": -1, "neutral": 0, "positive": 1}
    assert src.date_format == "%m/%d/%Y %H:%M" and "airline" in src.keep
    assert "6 levels" in _line(path, r"^\s+- airline")  # sampled across the file, not its first rows
    interactions = integrate(cfg).tables["interactions"]
    assert set(interactions["sentiment"].unique()) == {-1.0, 0.0, 1.0}


def test_wide_operations_and_a_crm_without_end_dates(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    months = pd.period_range("2024-01", "2025-06", freq="M").astype(str)
    sites = ["North", "South", "East"]
    pd.DataFrame([{"Month": m, "Site": s, "Wait time (min)": 3.5 + i % 4, "Staff FTE": 20 + j,
                   "Abandon rate": 0.05 + 0.01 * (i % 3)}
                  for i, m in enumerate(months) for j, s in enumerate(sites)]).to_csv(data / "kpis.csv", index=False)
    pd.DataFrame({"account_id": [f"A{i}" for i in range(80)],
                  "signup_date": pd.date_range("2023-01-01", periods=80, freq="5D").strftime("%Y-%m-%d"),
                  "plan": np.linspace(0.5, 9.5, 80)}).to_csv(data / "accounts.csv", index=False)
    path = write_params("acme", data, params_dir=tmp_path / "params")
    cfg = load_config(path)
    ops = cfg.sources.operations
    assert ops.columns == {"period": "Month", "location": "Site"}
    assert ops.kpi_columns == ["Wait time (min)", "Staff FTE", "Abandon rate"]
    cust = cfg.sources.customers
    assert cust.columns["start_date"] == "signup_date" and cust.columns["customer_id"] == "account_id"
    assert re.search(r"TODO: not found.*end_date \(without it nobody has left\)", path.read_text(encoding="utf-8"))
    assert "plan (TODO: named like a canonical column" in path.read_text(encoding="utf-8")
    assert cfg.organisation.as_of == dt.date(2025, 6, 30)  # month-start periods reach the month's end
    result = integrate(cfg)
    assert len(result.tables["operations"]) == len(months) * len(sites) * 3
    assert set(result.tables["operations"]["kpi"]) == {"Wait time (min)", "Staff FTE", "Abandon rate"}


def test_organisation_ids():
    assert org_id("Acme Bank") == "acme-bank"
    assert org_id("  Acme & Sons Ltd. ") == "acme-sons-ltd"
    assert org_id("north_west-2") == "north_west-2" and len(org_id("x" * 100)) == 64
    with pytest.raises(ScaffoldError, match="empty organisation id"):
        org_id("!!!")


def test_scaffold_text_writes_nothing_and_is_the_written_file(tmp_path):
    data = _tiny_crm(tmp_path / "data")
    params = tmp_path / "params"
    text = scaffold_text("acme", data, params, today=dt.date(2025, 1, 31))
    assert not params.exists()
    assert "id: acme" in text and "file: ../data/crm.csv" in text
    assert "as_of" not in _raw_text(text)["organisation"]      # no dates: no as_of, never the day it was written
    assert re.search(r"# as_of: YYYY-MM-DD +# no calendar dates in the data", text)


def _raw_text(text: str) -> dict:
    from cxtemplate.config.loader import UniqueKeyLoader

    return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506


# --------------------------------------------------------------------------- a telecom-like export, as it arrives


def _telecom(folder: Path, n: int = 240, **drop) -> Path:
    """A telecom CRM export: no id, tenure in months, churn Yes/No, service flags, monthly and total charges."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    months = rng.integers(0, 73, n)
    monthly = rng.uniform(20, 110, n).round(2)
    internet = rng.choice(["DSL", "Fiber optic", "No"], n)
    total = (monthly * months).round(2).astype(str)
    total[months == 0] = " "                                   # as the export writes it for a new customer
    frame = pd.DataFrame({
        "gender": rng.choice(["Female", "Male"], n), "SeniorCitizen": rng.integers(0, 2, n),
        "Partner": rng.choice(["Yes", "No"], n), "tenure": months, "phone_service": rng.integers(0, 2, n),
        "InternetService": internet,
        "StreamingTV": np.where(internet == "No", "No internet service", rng.choice(["Yes", "No"], n)),
        "Contract": rng.choice(["Month-to-month", "One year", "Two year"], n),
        "PaymentMethod": rng.choice(["Electronic check", "Mailed check", "Bank transfer (automatic)"], n),
        "MonthlyCharges": monthly, "TotalCharges": total, "Churn": rng.choice(["Yes", "No"], n, p=[0.3, 0.7])})
    frame.drop(columns=[c for c, d in drop.items() if d]).to_csv(folder / "telco.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def telecom(tmp_path_factory):
    root = tmp_path_factory.mktemp("telecom")
    data = _telecom(root / "data")
    path = write_params("telco", data, params_dir=root / "params")
    return path, load_config(path), data


def test_a_crm_without_an_id_is_recognised_with_a_generated_key(telecom):
    path, cfg, data = telecom
    src = cfg.sources.customers
    assert src is not None and src.id == "row_number" and "customer_id" not in src.columns
    assert src.columns == {"tenure": "tenure", "churned": "Churn", "plan": "Contract", "revenue": "MonthlyCharges"}
    assert src.tenure_unit == "month" and cfg.churn.revenue_per == "month"
    assert "no id column found" in _line(path, r"^\s+id: row_number")
    result = integrate(cfg)
    customers = result.tables["customers"]
    raw = pd.read_csv(data / "telco.csv")
    # the ids are the rows' positions in the file, 1 = the first row under the header
    assert customers["customer_id"].tolist() == [str(i) for i in range(1, len(raw) + 1)]
    assert int(customers["churned"].sum()) == int((raw["Churn"] == "Yes").sum())
    from cxtemplate.data.quality import caveats_text

    assert "**Generated key:** the CRM export has no id column" in caveats_text(result.quality())


def test_dateless_exports_have_no_as_of_and_no_assumed_currency(telecom):
    path, cfg, _ = telecom
    assert cfg.organisation.as_of is None and cfg.organisation.currency is None
    text = path.read_text(encoding="utf-8")
    assert dt.date.today().isoformat() not in text.split("Written by")[1].split("\n", 1)[1]  # only in the header line
    assert re.search(r"^  # currency: EUR +# TODO: no currency found", text, re.M)
    assert "GBP" not in text


def test_segments_and_covariates_of_a_telecom_export(telecom):
    path, cfg, _ = telecom
    # the canonical plan first, then columns of three or more levels, then yes/no flags, protected ones last
    assert cfg.segments == ["plan", "InternetService", "StreamingTV", "PaymentMethod", "Partner", "gender"]
    covs = cfg.churn.covariates
    assert "phone_service" in covs               # 0/1 product flag: named like personal data, but it is not
    assert "TotalCharges" not in covs and "TotalCharges" in cfg.sources.customers.keep
    assert "'TotalCharges' reads as a total to date" in _line(path, r"# not covariates:")
    assert cfg.churn.cx_covariates == []


def test_a_generated_key_is_refused_when_a_survey_joins_on_customer_ids(tmp_path):
    data = _telecom(tmp_path / "data")
    rng = np.random.default_rng(3)
    pd.DataFrame({"customer_id": [f"K{i}" for i in rng.integers(0, 500, 200)], "nps": rng.integers(0, 11, 200),
                  "comment": [f"the service was fine on visit {i}, thanks" for i in range(200)]}
                 ).to_csv(data / "survey.csv", index=False)
    path = write_params("telco", data, params_dir=tmp_path / "params")
    text = path.read_text(encoding="utf-8")
    assert "id: row_number" not in text.replace("`id: row_number`", "")
    assert "TODO: no customer id column found, and survey.csv (customer_id) link rows to customers" in text
    from cxtemplate.run.definitions import header_problems

    (problem,) = [p for p in header_problems(load_config(path)) if "customer_id" in p.message]
    # the way out for a CRM alone (`id: row_number`) is not offered where the survey must join on customer ids
    assert problem.path == "sources.customers.columns" and "set `id: row_number`" not in problem.message
    assert "the responses join on customer ids, so the CRM must be exported with its own" in problem.message
    assert problem.line == text.splitlines().index("    columns:                     # canonical name: column in the file") + 1


@pytest.mark.parametrize("values, expected", [
    (["Active", "Closed", "Suspended"], {"Active": False, "Closed": True, "Suspended": False}),
    (["Existing Customer", "Attrited Customer"], {"Existing Customer": False, "Attrited Customer": True}),
])
def test_a_status_column_becomes_the_churn_flag(tmp_path, values, expected):
    data = _telecom(tmp_path / "data", Churn=True)
    frame = pd.read_csv(data / "telco.csv", keep_default_na=False)
    frame["Account Status"] = np.random.default_rng(4).choice(values, len(frame))
    frame.to_csv(data / "telco.csv", index=False)
    cfg = load_config(write_params("telco", data, params_dir=tmp_path / "params"))
    src = cfg.sources.customers
    assert src.columns["churned"] == "Account Status" and src.recode["churned"] == expected
    customers = integrate(cfg).tables["customers"]
    closed = [v for v, left in expected.items() if left]
    assert int(customers["churned"].sum()) == int(frame["Account Status"].isin(closed).sum())


# --------------------------------------------------------------------------- leaks and joins, by hand


def _recognised_crm(tmp_path: Path, **columns):
    from cxtemplate.scaffold.plan import plan_sources
    from cxtemplate.scaffold.read import inspect_folder

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    n = len(next(iter(columns.values())))
    pd.DataFrame({"tenure": np.arange(n) % 60 + 1, "churn": np.where(np.arange(n) % 4 == 0, "Yes", "No"),
                  **columns}).to_csv(data / "crm.csv", index=False)
    return plan_sources(inspect_folder(data))


def test_a_column_that_grows_with_tenure_is_named_as_a_leak_by_its_name_or_its_rank_correlation(tmp_path):
    from cxtemplate.scaffold.document import LEAK_RHO, tenure_leak

    n = 120
    tenure = np.arange(n) % 60 + 1
    rng = np.random.default_rng(7)
    spend = tenure * 50 + rng.normal(0, 5, n)                  # grows with tenure: Spearman ρ close to 1
    noise = rng.permutation(n).astype(float)                    # unrelated to tenure
    plan = _recognised_crm(tmp_path, spend_so_far=spend.round(2), score=noise, lifetime_value=noise)
    rec = plan.sources["customers"]
    rho = pd.Series(tenure).corr(pd.Series(spend), method="spearman")  # computed here, independently
    assert rho >= LEAK_RHO
    assert tenure_leak(rec, "spend_so_far") == f"'spend_so_far' moves with tenure (Spearman ρ = {rho:.2f} in the sample)"
    assert tenure_leak(rec, "score") is None
    assert tenure_leak(rec, "lifetime_value") == "'lifetime_value' reads as a total to date"  # by its name alone


def test_only_surveys_and_conversations_mapping_a_customer_id_join(tmp_path):
    from cxtemplate.scaffold.document import joining_sources
    from cxtemplate.scaffold.plan import plan_sources
    from cxtemplate.scaffold.read import inspect_folder

    data = tmp_path / "data"
    data.mkdir()
    n = 60
    pd.DataFrame({"tenure": np.arange(n) + 1, "churn": ["Yes", "No", "No"] * 20}).to_csv(data / "crm.csv", index=False)
    pd.DataFrame({"response_id": [f"R{i}" for i in range(n)], "nps": np.arange(n) % 11}).to_csv(
        data / "survey.csv", index=False)
    assert joining_sources(plan_sources(inspect_folder(data))) == []
    pd.DataFrame({"response_id": [f"R{i}" for i in range(n)], "customer_id": [f"K{i:03d}" for i in range(n)],
                  "nps": np.arange(n) % 11}).to_csv(data / "survey.csv", index=False)
    assert joining_sources(plan_sources(inspect_folder(data))) == [("responses", "customer_id")]
