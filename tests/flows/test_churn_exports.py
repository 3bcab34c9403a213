"""Churn numbers of whole runs on CRM exports as they arrive, against lifelines run directly in the test.

The runs are those of the session fixture ``onboarded_runs`` (``tests/flows/conftest.py``): each export built from
the real data sets, onboarded by ``cxtemplate new`` and run with no edits. Two of them carry churn:

* ``bank_churn``: the public bank churn file (tenure in whole years, an exited flag 0/1, no dates);
* ``telecom``: a telecom-like CRM built from it, shaped like the IBM Telco export: no id column, churn as
  "Yes"/"No", tenure in months without dates, ``phone_service`` 0/1, a ``total_charges`` column = tenure × monthly
  charges (it accumulates with tenure, so it leaks the outcome) and six service columns whose "No internet service"
  level is the same dummy as ``internet_service: No``.

The truth is lifelines, fitted here on the export's own columns (read back from the file the run read, mapped by
the params ``new`` wrote): Kaplan–Meier medians and S(12 months) by every segment the run drew, to 3 decimals; the
overall log-rank χ² to 2 decimals; and the cross-validated concordance within 0.01 of an independent 5-fold
``CoxPHFitter`` that leaves out the leaking total charges — the checks issue 15 names.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import concordance_index

from cxtemplate.config.loader import load_config
from cxtemplate.report.absent import claims

pytestmark = pytest.mark.slow

CHURNS = ("bank_churn", "telecom")
TWELVE_MONTHS = {"day": 365.25, "week": 365.25 / 7, "month": 12.0, "year": 1.0}
"""12 months in the unit the export gives tenure in (the run's horizon and its ``s_12m`` column)."""
DAYS_PER = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
EVENT_WORDS = {"1", "1.0", "yes", "y", "true", "churned", "left", "exited"}


class Export:
    """One run and the export it read: the raw frame, its tenure and churn columns, and the params' mapping."""

    def __init__(self, run: Path):
        self.run = run
        root = run.parents[2]                                       # <root>/reports/<name>/latest
        (params,) = (root / run.parent.name / "params").glob("*.yaml")
        self.cfg = load_config(params)
        source = self.cfg.sources.customers
        self.raw = pd.read_csv(self.cfg.resolve(source.file), sep=source.delimiter or ",")
        self.columns = dict(source.columns)                         # canonical → the export's own name
        self.unit = source.tenure_unit
        self.tenure = pd.to_numeric(self.raw[self.columns.get("tenure", "tenure")], errors="raise").astype(float)
        flag = self.raw[self.columns.get("churned", "churned")].astype(str).str.strip().str.lower()
        self.churned = flag.isin(EVENT_WORDS)

    def column(self, name: str) -> pd.Series:
        """A column of the run (canonical or kept) as the export holds it."""
        return self.raw[self.columns.get(name, name)]

    def artifact(self, name: str):
        path = self.run / "artifacts" / "05_churn_survival" / name
        return json.loads(path.read_text()) if path.suffix == ".json" else pd.read_parquet(path)

    @property
    def page(self) -> str:
        """The text of notebook 05's page, as a reader sees it (no markup, scripts or styles)."""
        page = (self.run / "pages" / "05_churn_survival.html").read_text()
        page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def exports(onboarded_runs) -> dict[str, Export]:
    return {name: Export(onboarded_runs[name]) for name in CHURNS}


@pytest.mark.parametrize("name", CHURNS)
def test_the_run_reads_every_customer_of_the_export(exports, name):
    e = exports[name]
    summary = e.artifact("summary.json")
    assert summary["available"] and summary["customers"] == len(e.raw) and summary["events"] == int(e.churned.sum())


@pytest.mark.parametrize("name", CHURNS)
def test_kaplan_meier_medians_and_survival_at_12_months_by_segment_match_lifelines(exports, name):
    e = exports[name]
    table = e.artifact("km_table.parquet")
    table = table[table["population"] == "all customers"]
    groupings = [g for g in table["grouping"].unique() if g != "all"]
    assert groupings, "no Kaplan–Meier curves by segment"
    twelve = TWELVE_MONTHS[e.unit]
    whole = [("all", "all", pd.Series(True, index=e.raw.index))]
    by_level = [(g, str(level), e.column(g).astype(str) == str(level)) for g in groupings
                for level in e.column(g).astype(str).unique()]
    for grouping, level, mask in whole + by_level:
        km = KaplanMeierFitter().fit(e.tenure[mask], e.churned[mask])
        ours = table[(table["grouping"] == grouping) & (table["group"] == level)]
        assert len(ours) == 1, (grouping, level)
        ours = ours.iloc[0]
        assert int(ours["customers"]) == int(mask.sum()) and int(ours["churned"]) == int(e.churned[mask].sum())
        assert round(ours["s_12m"], 3) == round(float(km.survival_function_at_times(twelve).iloc[0]), 3), (grouping, level)
        median = float(km.median_survival_time_)
        if np.isfinite(median):
            assert round(ours["median_days"] / DAYS_PER[e.unit], 3) == round(median, 3), (grouping, level)
        else:
            assert not np.isfinite(ours["median_days"]), (grouping, level)


@pytest.mark.parametrize("name", CHURNS)
def test_overall_log_rank_by_segment_matches_lifelines(exports, name):
    e = exports[name]
    logrank = e.artifact("logrank.parquet").set_index("grouping")
    assert len(logrank)
    for grouping, row in logrank.iterrows():
        groups = e.column(grouping).astype(str)
        direct = multivariate_logrank_test(e.tenure, groups, e.churned)
        assert round(row["statistic"], 2) == round(float(direct.test_statistic), 2), grouping
        assert int(row["df"]) == groups.nunique() - 1
        assert f"χ² = {row['statistic']:,.2f} on {int(row['df'])} df" in e.page


def _independent_concordance(e: Export, covariates: list[str], k: int = 5, seed: int = 0) -> float:
    """5-fold cross-validated concordance of lifelines' CoxPHFitter on the export's columns, one-hot coded."""
    X = pd.DataFrame({c: e.column(c) for c in covariates})
    X = pd.get_dummies(X, columns=[c for c in covariates if not pd.api.types.is_numeric_dtype(X[c])],
                       drop_first=True, dtype=float)
    X = X.T.drop_duplicates().T                                     # identical dummies ("no internet") once
    X = X.loc[:, X.std() > 0].fillna(X.median())
    X["T"], X["E"] = e.tenure.clip(lower=1e-3).to_numpy(), e.churned.to_numpy()
    folds = np.random.default_rng(seed).permutation(len(X)) % k
    scores = []
    for f in range(k):
        train, test = X[folds != f], X[folds == f]
        cph = CoxPHFitter(penalizer=0.01).fit(train, "T", "E")
        scores.append(concordance_index(test["T"], -cph.predict_partial_hazard(test), test["E"]))
    return float(np.mean(scores))


@pytest.mark.parametrize("name", CHURNS)
def test_cross_validated_concordance_matches_an_independent_fit_without_the_leaking_column(exports, name):
    e = exports[name]
    summary = e.artifact("summary.json")
    leaking = {c for c in e.cfg.churn.covariates if "total" in c.lower()}
    covariates = [c for c in summary["covariates"] if c not in leaking]
    assert covariates == summary["covariates"]                      # the run left the leaking column out
    assert summary["concordance"] == pytest.approx(_independent_concordance(e, covariates), abs=0.01)


def test_telecom_model_page_and_summary_agree_on_the_covariates(exports):
    e = exports["telecom"]
    summary, page = e.artifact("summary.json"), e.page
    assert "total_charges" not in summary["covariates"]
    if "total_charges" in e.cfg.churn.covariates:                   # proposed: left out by the model, and said
        assert summary["covariates_excluded"]["total_charges"].startswith("moves with tenure itself")
        assert "Left out of the model:" in page and "'total_charges' (Spearman ρ = " in page
    if "phone_service" in e.cfg.churn.covariates:                   # a 0/1 flag is never personal data
        assert "phone_service" in summary["covariates"]
    assert "is never used as a covariate" not in page             # nothing refused as personal data
    hr = e.artifact("hazard_ratios.parquet")
    assert set(hr["covariate"]) <= set(summary["covariates"])
    assert f"The model uses {len(summary['covariates'])} covariates" in page
    assert hr["label"].str.contains("No internet service").sum() <= 1   # seven identical dummies: one row
    if any(c in e.cfg.churn.covariates for c in ("online_security", "tech_support")):
        assert "merged into one before the fit" in page


@pytest.mark.parametrize("name", CHURNS)
def test_a_crm_only_page_claims_no_survey_contact_or_absent_revenue(exports, name):
    """The phrases of every input the export lacks (cxtemplate.report.absent's lists: surveys, conversations,
    revenue when none is mapped, dates) are absent from notebook 05's page, except in the one sentence saying so."""
    e = exports[name]
    html_page = (e.run / "pages" / "05_churn_survival.html").read_text()
    absent = ["responses", "interactions", "operations", "maturity_answers", "nps", "dates"]
    if "revenue" not in e.columns:
        absent.append("revenue")
    assert claims(html_page, absent) == []
    if "revenue" in e.columns:
        assert "Revenue at risk" in e.page
        return
    # no revenue mapped (the bank): no revenue columns, no value at risk, no "valuable customers"
    at_risk = e.artifact("at_risk_customers.parquet")
    assert not {"annual_revenue", "revenue_at_risk"} & set(at_risk.columns) and len(at_risk)
    assert not (e.run / "artifacts" / "05_churn_survival" / "revenue_at_risk.parquet").exists()
    assert "revenue_at_risk" not in e.artifact("summary.json")
    assert "Customers most likely to leave" in e.page
