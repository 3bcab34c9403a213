"""Onboarding exports as they arrive (issue 15): ``cxtemplate new`` → ``cxtemplate validate`` → ``cxtemplate run``
with no edits, on the real public data sets and on shapes made from them (``tests/flows/conftest.py``).

The fast tests run ``cxtemplate new`` on each export alone and check the class of what it proposes against what
we know of the file (the real data sets' documented columns, SOURCE.md; the reshapings made in conftest): the
params validate against the files' headers, an export without ids gets a generated key (and is refused one where
a survey joins on customer ids), tenure has its unit, churn its encoding, categorical columns become segments,
money becomes revenue with its period, and no currency is assumed. The slow tests read the runs of
``onboarded_runs``: each completed with no edits, the generated key is stated on the data-quality page, and no
page shows a currency symbol when none was proposed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.errors import ConfigError
from cxtemplate.run.definitions import header_problems
from tests.flows.conftest import SHAPES, bank, onboard, without_ids

CRMS = ("bank_churn", "no_id", "yes_no_flags", "tenure_months", "telecom")


@pytest.fixture(scope="module")
def written(real_data, tmp_path_factory):
    """name → (params path, Config) of ``cxtemplate new`` on that export alone, made once per module."""
    root = tmp_path_factory.mktemp("new")
    cache: dict[str, tuple[Path, object]] = {}

    def get(name: str):
        if name not in cache:
            path = onboard(name, Path(real_data), root)
            cache[name] = (path, load_config(path))
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(SHAPES))
def test_new_writes_params_that_validate_against_the_files_with_no_edits(written, name):
    path, cfg = written(name)
    assert header_problems(cfg) == [], path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CRMS)
def test_a_dateless_crm_gets_no_invented_date_and_no_assumed_currency(written, name):
    path, cfg = written(name)
    assert cfg.organisation.as_of is None and cfg.organisation.start is None
    # nothing in these files says which currency the amounts are in: the bank's countries (France, Germany,
    # Spain) are named as a hint in the comment, and the currency stays unset
    assert cfg.organisation.currency is None
    hint = "the places in the data (" in path.read_text(encoding="utf-8")
    assert hint is (name != "telecom")
    assert cfg.churn.enabled


@pytest.mark.parametrize("name, generated", [("bank_churn", False), ("yes_no_flags", False),
                                             ("tenure_months", False), ("no_id", True), ("telecom", True)])
def test_a_crm_without_an_id_column_gets_a_generated_key_and_says_so(written, name, generated):
    path, cfg = written(name)
    src = cfg.sources.customers
    assert (src.id == "row_number") is generated
    assert ("customer_id" in src.columns) is not generated
    assert ("each row's number in the file is its customer id" in path.read_text(encoding="utf-8")) is generated


def test_a_generated_key_is_refused_where_a_survey_joins_on_customer_ids(real_data, tmp_path):
    crm = bank(Path(real_data))
    (tmp_path / "data").mkdir()
    without_ids(crm).to_csv(tmp_path / "data" / "crm.csv", index=False)
    pd.DataFrame({"response_id": [f"R{i}" for i in range(300)], "customer_id": crm["CustomerId"].iloc[:300],
                  "nps": [i % 11 for i in range(300)]}).to_csv(tmp_path / "data" / "survey.csv", index=False)
    from cxtemplate.scaffold.document import write_params

    cfg = load_config(write_params("joined", tmp_path / "data", params_dir=tmp_path / "params"))
    assert cfg.sources.customers.id is None
    (problem,) = header_problems(cfg)
    assert problem.path == "sources.customers.columns" and problem.line
    assert "required column customer_id is not provided" in problem.message
    assert "the responses join on customer ids" in problem.message
    # writing the generated key in by hand does not get past the loader either
    text = (tmp_path / "params" / "joined.yaml").read_text(encoding="utf-8")
    (tmp_path / "params" / "joined.yaml").write_text(text.replace("    file: ../data/crm.csv\n",
                                                                  "    file: ../data/crm.csv\n    id: row_number\n"))
    with pytest.raises(ConfigError, match="no responses can join on customer_id"):
        load_config(tmp_path / "params" / "joined.yaml")


@pytest.mark.parametrize("name, column, unit", [("bank_churn", "Tenure", "year"), ("tenure_months", "Tenure", "month"),
                                                ("telecom", "tenure", "month")])
def test_tenure_has_its_unit(written, name, column, unit):
    _, cfg = written(name)
    assert cfg.sources.customers.columns["tenure"] == column and cfg.sources.customers.tenure_unit == unit


@pytest.mark.parametrize("name, column, recode", [
    ("bank_churn", "Exited", None),                                   # 0/1: read natively
    ("yes_no_flags", "Exited", {"Yes": True, "No": False}),
    ("telecom", "churn", {"Yes": True, "No": False}),
])
def test_churn_has_its_encoding(written, name, column, recode):
    _, cfg = written(name)
    src = cfg.sources.customers
    assert src.columns["churned"] == column and src.recode.get("churned") == recode


def test_the_telecom_crm_is_onboarded_as_the_issue_asks(written):
    """Contract and payment method as segments, monthly charges as revenue per month, the total to date neither
    revenue nor a covariate, and the 0/1 ``phone_service`` a covariate (a flag is never personal data)."""
    path, cfg = written("telecom")
    src = cfg.sources.customers
    assert src.columns["plan"] == "contract" and "plan" in cfg.segments
    assert "payment_method" in src.keep and "internet_service" in cfg.segments
    assert src.columns["revenue"] == "monthly_charges" and cfg.churn.revenue_per == "month"
    assert "total_charges" not in cfg.churn.covariates and "total_charges" not in src.columns.values()
    assert "'total_charges' reads as a total to date" in path.read_text(encoding="utf-8")
    assert {"phone_service", "senior_citizen", "plan", "payment_method"} <= set(cfg.churn.covariates)


@pytest.mark.parametrize("name, table", [("airline_satisfaction", "responses"), ("amazon_alexa_reviews", "responses"),
                                         ("twitter_airline_sentiment", "interactions")])
def test_surveys_and_conversations_are_recognised(written, name, table):
    _, cfg = written(name)
    assert set(cfg.sources.configured()) == {table} and cfg.organisation.currency is None
    if name == "airline_satisfaction":  # 14 service ratings on 0–5 and a satisfied / dissatisfied label
        assert cfg.metrics.csat.enabled and len(cfg.metrics.drivers.columns) == 14
        assert "Class" in cfg.sources.responses.columns.values()
    if name == "amazon_alexa_reviews":  # dated reviews: the analysis date is the latest review's (SOURCE.md)
        assert str(cfg.organisation.as_of) == "2018-07-31" and "comment" in cfg.sources.responses.columns


# --------------------------------------------------------------------------- whole runs (slow)

CURRENCY_SIGN = re.compile(r"[£€¥₹]|(?<![A-Za-z])(?:US|A|C|NZ)?\$\s?\d")


def _pages(run: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((run / "pages").glob("*.html"))}


def _visible(html: str) -> str:
    """The text a reader sees: no tags, no style or script blocks."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHAPES))
def test_each_export_runs_to_a_complete_report_with_no_edits(onboarded_runs, name):
    run = onboarded_runs[name]
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok" and all(nb["status"] == "ok" for nb in record["notebooks"])
    assert (run / "index.html").is_file() and len(_pages(run)) == len(record["notebooks"])


@pytest.mark.slow
@pytest.mark.parametrize("name, generated", [("no_id", True), ("telecom", True), ("bank_churn", False),
                                             ("airline_satisfaction", False)])
def test_the_generated_key_is_stated_on_the_data_quality_page(onboarded_runs, name, generated):
    quality = _visible(_pages(onboarded_runs[name])["00_data_integration.html"])
    stated = "export has no id column, so each row was numbered by its position in the file" in quality
    assert stated is generated


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHAPES))
def test_no_page_shows_a_currency_symbol_when_none_was_proposed(onboarded_runs, name):
    run = onboarded_runs[name]
    assert json.loads((run / "run.json").read_text(encoding="utf-8"))["organisation"]["currency"] is None
    for page, html in _pages(run).items():
        text = _visible(html)
        if name == "twitter_airline_sentiment":  # customers' own words may quote prices: only the report's text
            text = re.sub(r"@\w+[^\n]*", " ", text)
        found = CURRENCY_SIGN.search(text)
        assert not found, (page, text[max(0, found.start() - 80):found.end() + 20])
