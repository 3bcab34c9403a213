"""Notebook 05's sequence (:func:`analyse`, :func:`analyse_configured`): CRM-only data shaped like public churn
sets, the switch ``churn.enabled``, and one confidence level for every interval.

Truth: the configured values of ``params/demo.yaml``; the normal quantiles z(0.95) and z(0.90), whose ratio
is how much narrower every 90% interval must be; planted data (CRM rows like the IBM Telco export).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn import flow
from cxtemplate.churn.flow import SWITCHED_OFF, ChurnAnalysis, alpha_of, analyse, analyse_configured, tenure_leaks
from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import _numeric_if_numbers
from cxtemplate.measure.spec import z_value

Z_RATIO = z_value(0.90) / z_value(0.95)


def _telco_like(n: int = 1500, seed: int = 0, churn: bool = True) -> pd.DataFrame:
    """CRM rows like the IBM Telco export: tenure in months, blank total charges for new customers."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 73, n).astype(float)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n)
    monthly = rng.uniform(20, 110, n)
    hazard = 0.02 * np.exp(0.8 * (contract == "Month-to-month"))
    churned = (rng.random(n) < 1 - np.exp(-hazard * 12)) if churn else np.zeros(n, bool)
    total = pd.Series(np.round(monthly * tenure, 2)).astype(str).where(tenure > 0, " ")
    return pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)], "tenure": tenure,
                         "tenure_days": tenure * 30.4375, "churned": pd.array(churned, dtype="boolean"),
                         "segment": contract, "revenue": monthly, "TotalCharges": _numeric_if_numbers(total)})


def test_kept_number_columns_with_blanks_become_numbers():
    s = pd.Series(["29.85", " ", "1889.5", "108.15"])
    out = _numeric_if_numbers(s)
    assert out.dtype == float and out.isna().sum() == 1 and out.iloc[2] == 1889.5
    words = pd.Series(["Yes", "No", "Yes"])
    assert _numeric_if_numbers(words).equals(words)


def test_a_covariate_that_accumulates_with_tenure_is_flagged():
    df = _telco_like()
    notes = tenure_leaks(df, ["TotalCharges", "revenue"])
    assert len(notes) == 1 and "'TotalCharges'" in notes[0] and "leaks the outcome" in notes[0]


def test_crm_without_revenue_still_gets_a_risk_ranked_list():
    df = _telco_like(800).drop(columns=["revenue"])
    res = analyse(df, None, None, as_of=None, covariates=["segment"], cx_covariates=["nps_category"], seed=1)
    assert res.available and res.by_group is None and res.counterfactual is None
    assert res.design.startswith("Cox model on one row per customer")
    assert res.top is not None and res.top["churn_probability"].is_monotonic_decreasing
    s = res.summary("USD", 12)
    assert "revenue_at_risk" not in s and s["expected_churners"] > 0
    assert any("no revenue column" in n for n in res.notes)


def test_no_churn_events_gives_a_statement_not_a_crash():
    res = analyse(_telco_like(churn=False), None, None, as_of=None, covariates=["segment"], cx_covariates=[])
    assert not res.available and "None of the 1,500 customers has left" in res.reason
    assert res.summary("USD", 12) == {"available": False, "reason": res.reason}


@pytest.mark.parametrize("missing", ["customers", "churned"])
def test_missing_crm_or_churn_information(missing):
    df = None if missing == "customers" else _telco_like().drop(columns=["churned"])
    res = analyse(df, None, None, as_of=None, covariates=[], cx_covariates=[], horizon_months=6, conf=0.9)
    assert not res.available and res.reason and res.enabled
    assert (res.horizon_months, res.conf) == (6, 0.9)


# --------------------------------------------------------------------------- churn.enabled


@pytest.fixture(scope="module")
def demo_cfg(root):
    return load_config(root / "params" / "demo.yaml")


def _switched(cfg, enabled: bool):
    return cfg.model_copy(update={"churn": cfg.churn.model_copy(update={"enabled": enabled})})


def test_switched_off_nothing_is_estimated(demo_cfg, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the analysis ran although churn.enabled is false")

    monkeypatch.setattr(flow, "analyse", forbidden)
    res = analyse_configured(_switched(demo_cfg, False), pd.DataFrame({"customer_id": ["a"]}), None, None,
                             seed=5, conf=0.9)
    assert not res.enabled and not res.available and res.reason == SWITCHED_OFF
    assert res.model is None and res.km == {} and res.scores is None and res.notes == []
    assert (res.conf, res.horizon_months) == (0.9, demo_cfg.churn.horizon_months)
    # the artifact notebooks 06 and 07 read
    assert res.summary("GBP") == {"available": False, "enabled": False, "reason": SWITCHED_OFF}


def test_switched_on_the_parameters_reach_the_analysis(demo_cfg, monkeypatch):
    seen = {}

    def spy(customers, responses, interactions, **kwargs):
        seen.update(kwargs, tables=(customers, responses, interactions))
        return ChurnAnalysis(False, "spied")

    monkeypatch.setattr(flow, "analyse", spy)
    tables = (pd.DataFrame(), pd.DataFrame(), None)
    assert analyse_configured(_switched(demo_cfg, True), *tables, seed=5, conf=0.9).reason == "spied"
    # params/demo.yaml: covariates [plan, segment, contract], a 12-month horizon, monthly revenue
    assert seen["covariates"] == ["plan", "segment", "contract"] and seen["horizon_months"] == 12
    assert seen["revenue_per"] == "month" and seen["as_of"] == demo_cfg.organisation.as_of
    assert seen["cx_covariates"] == list(demo_cfg.churn.cx_covariates)
    assert seen["top_n"] == demo_cfg.churn.top_customers and seen["fit_sample_above"] == demo_cfg.churn.fit_sample_above
    assert (seen["seed"], seen["conf"]) == (5, 0.9) and seen["tables"] is not None


# --------------------------------------------------------------------------- one confidence level


def test_alpha_of():
    assert alpha_of(0.95) == 0.05 and alpha_of(0.90) == 0.1 and alpha_of(0.99) == 0.01
    with pytest.raises(ValueError, match="between 0 and 1"):
        alpha_of(95)


def test_a_90_percent_configuration_narrows_every_interval_by_the_ratio_of_z_values(analysed):
    a95, a90 = analysed[0.95], analysed[0.90]
    assert a95.available and a90.available and (a95.conf, a90.conf) == (0.95, 0.90)
    # restricted mean tenure: same estimate, interval narrower by exactly z(0.90) / z(0.95)
    for col in a95.km:
        s95, s90 = a95.km[col].summary, a90.km[col].summary
        np.testing.assert_array_equal(s90["rmst_days"], s95["rmst_days"])
        np.testing.assert_allclose((s90["rmst_high"] - s90["rmst_low"]) / (s95["rmst_high"] - s95["rmst_low"]),
                                   Z_RATIO, rtol=1e-12)
        assert a90.km[col].alpha == 0.1 and a95.km[col].alpha == 0.05
    # hazard ratios: same estimates, log-scale interval narrower by the same ratio
    h95, h90 = a95.model.hazard_ratios, a90.model.hazard_ratios
    np.testing.assert_array_equal(h90["hr"], h95["hr"])
    np.testing.assert_allclose(np.log(h90["hr_high"] / h90["hr_low"]) / np.log(h95["hr_high"] / h95["hr_low"]),
                               Z_RATIO, rtol=1e-12)
    assert a90.model.alpha == 0.1
    # the counterfactual: the same draws cut at other percentiles, so a narrower interval inside the 95% one
    c95, c90 = a95.counterfactual, a90.counterfactual
    assert c90.revenue_retained == c95.revenue_retained and c90.conf == 0.90
    assert c95.revenue_low < c90.revenue_low < c90.revenue_high < c95.revenue_high
    # nothing else changes: the scores, the validation and every other headline number
    pd.testing.assert_frame_equal(a90.scores, a95.scores)
    pd.testing.assert_frame_equal(a90.validation.table, a95.validation.table)
    s95, s90 = a95.summary("GBP"), a90.summary("GBP")
    differ = {k for k in s95 if s95[k] != s90[k] and not (s95[k] != s95[k])}       # NaN ≠ NaN is no difference
    assert differ == {"counterfactual_low", "counterfactual_high", "counterfactual_text"}
    assert "(90% interval" in s90["counterfactual_text"] and "(95% interval" in s95["counterfactual_text"]


# --------------------------------------------------------------------------- a whole run with churn switched off


@pytest.mark.slow
def test_an_engagement_with_churn_switched_off_runs_to_the_end(root, tmp_path):
    """A small synthetic organisation whose params say ``churn.enabled: false``: notebook 05 fits nothing and
    says so in one sentence, its summary records ``available: false``, and notebooks 06 and 07 (which read
    that summary) complete."""
    from cxtemplate.run.runner import run_organisation
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    write_organisation(generate(SynthSpec(customers=300, seed=83)), tmp_path / "data" / "nochurn")
    text = (root / "params" / "demo.yaml").read_text()
    assert "churn:\n  enabled: true" in text
    text = (text.replace("../data/demo/", "../data/nochurn/").replace("id: demo ", "id: nochurn ")
            .replace("churn:\n  enabled: true", "churn:\n  enabled: false"))
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "nochurn.yaml").write_text(text)
    rec = run_organisation(str(tmp_path / "params" / "nochurn.yaml"), out_dir=str(tmp_path / "reports"))
    assert rec["status"] == "ok", rec.get("error")
    run_dir = Path(rec["run_dir"])
    art = run_dir / "artifacts" / "05_churn_survival"
    assert json.loads((art / "summary.json").read_text()) == {"available": False, "enabled": False,
                                                               "reason": SWITCHED_OFF}
    assert sorted(p.name for p in art.iterdir()) == ["_done.json", "summary.json"]     # no model, no scores
    for nb in ("06_action_plan", "07_executive_summary"):
        assert (run_dir / "artifacts" / nb / "_done.json").is_file()
    html = (run_dir / "pages" / "05_churn_survival.html").read_text(encoding="utf-8")
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Churn analysis is switched off in the parameters (churn.enabled: false) — no model was fitted" in page
    for shown in ("penalty λ", "Proportional-hazards check", "Cross-validated performance", "Most valuable customers",
                  "Log-rank tests", "Notes:"):
        assert shown not in page
    assert html.count("<img") == 0                                               # no chart either
    shutil.rmtree(tmp_path / "reports", ignore_errors=True)
