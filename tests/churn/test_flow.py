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
from cxtemplate.churn import page as churn_page
from cxtemplate.churn.flow import (
    SWITCHED_OFF,
    ChurnAnalysis,
    alpha_of,
    analyse,
    analyse_cohort,
    analyse_configured,
    km_groupings,
    segment_columns,
    tenure_leaks,
)
from cxtemplate.churn.results import NO_CRM, CoxResult
from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import _numeric_if_numbers
from cxtemplate.measure.spec import z_value
from cxtemplate.report.display import TableView
from tests.churn.shapes import SERVICES, canonical, telecom_crm

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
    leaks = tenure_leaks(df, ["TotalCharges", "revenue"])
    rho = df[["TotalCharges", "tenure_days"]].corr(method="spearman").iloc[0, 1]       # by hand
    assert list(leaks) == ["TotalCharges"] and leaks["TotalCharges"] == pytest.approx(rho) and rho > 0.6


def test_crm_without_revenue_still_gets_a_risk_ranked_list():
    df = _telco_like(800).drop(columns=["revenue"])
    res = analyse(df, None, None, as_of=None, covariates=["segment"], cx_covariates=["nps_category"], seed=1)
    assert res.available and res.by_group is None and res.counterfactual is None
    assert res.design.startswith("Cox model on one row per customer")
    assert res.top is not None and res.top["churn_probability"].is_monotonic_decreasing
    # no revenue mapped: no revenue columns at all (a £0 column would claim a value), risk and reasons only
    for frame in (res.scores, res.top):
        assert not {"annual_revenue", "revenue_at_risk"} & set(frame.columns)
    assert {"reason_1", "reasons"} <= set(res.top.columns)
    s = res.summary("USD", 12)
    assert "revenue_at_risk" not in s and s["expected_churners"] > 0
    assert not any("revenue" in n for n in res.notes)


# --------------------------------------------------------------------------- a telecom export as it arrives

TELECOM_COVARIATES = ["contract", "internet_service", *SERVICES, "phone_service", "multiple_lines", "payment_method",
                      "paperless_billing", "senior_citizen", "monthly_charges", "total_charges"]
COHORT = {"month-to-month with internet": {"contract": "Month-to-month", "internet_service": {"!=": "No"}}}


@pytest.fixture(scope="module")
def telecom():
    """(canonical table, analysis) of a 3,000-customer telecom export: tenure in months, no dates, no revenue."""
    df = canonical(telecom_crm(3000, seed=2)).drop(columns="tenure")
    res = analyse(df, None, None, as_of=None, covariates=TELECOM_COVARIATES, cx_covariates=["nps_category"], seed=0,
                  group_cols=segment_columns(["contract", "payment_method", "customer_id"]), tenure_unit="month",
                  cohorts=COHORT)
    return df, res


def test_telecom_leaking_total_charges_is_left_out_and_named(telecom):
    df, res = telecom
    assert "total_charges" in res.leaks and res.leaks["total_charges"] > 0.6
    assert "total_charges" not in res.covariates and "total_charges" not in set(res.model.design.covariates)
    assert res.excluded["total_charges"].startswith("moves with tenure itself")
    s = res.summary(None)
    assert s["covariates"] == res.covariates and "total_charges" in s["covariates_excluded"]
    # phone_service 0/1 is a product flag: in the model, not refused as personal data
    assert "phone_service" in res.covariates and res.survival.attrs["personal"] == {}
    assert set(s["covariates"]) == {res.model.design.term(t)[0] for t in res.model.params.index}


def test_keep_leaking_keeps_one_deliberately():
    df = canonical(telecom_crm(800, seed=4)).drop(columns="tenure")
    res = analyse(df, None, None, as_of=None, covariates=["contract", "total_charges"], cx_covariates=[], seed=0,
                  keep_leaking=["total_charges"])
    assert res.kept_leaking == ["total_charges"] and "total_charges" in res.covariates
    assert "total_charges" not in res.excluded and res.summary(None)["kept_leaking"] == ["total_charges"]


def test_telecom_aliased_service_dummies_are_merged_before_the_fit(telecom):
    _, res = telecom
    design = res.model.design
    merged = next(v for k, v in design.aliases.items() if k.endswith("[No internet service]") or k.endswith("[No]"))
    assert len(merged) == 6                                        # 7 identical "no internet" columns → 1
    labels = res.model.hazard_ratios["label"]
    assert labels.str.contains("No internet service").sum() <= 1
    assert (res.model.hazard_ratios["hr_high"] / res.model.hazard_ratios["hr_low"]).max() < 20
    assert "multiple_lines[No phone service]" in design.dropped    # the mirror image of phone_service 0/1


def test_telecom_curves_by_every_segment_column_and_a_cohort(telecom):
    df, res = telecom
    # plan/segment absent, contract and payment method configured; an id column has too many groups
    assert list(res.km) == ["all", "contract", "payment_method"]
    assert any("'customer_id' has 3,000 groups, too many" in n for n in res.notes)
    (cohort,) = res.cohorts
    mask = (df["contract"] == "Month-to-month") & (df["internet_service"] != "No")
    assert (cohort.customers, cohort.events) == (int(mask.sum()), int(df.loc[mask, "churned"].sum()))
    assert cohort.description and isinstance(cohort.model, CoxResult) and cohort.model.ok
    assert cohort.model.n_subjects == cohort.customers
    assert res.summary(None)["cohorts"][0]["customers"] == cohort.customers


def test_segment_columns_put_plan_and_segment_first_once_each():
    assert segment_columns(["contract", "plan"]) == ("segment", "plan", "contract")
    assert km_groupings(pd.DataFrame({"a": [1, 1], "b": [1, 2], "c": range(2)}), ["a", "b", "z"]) == (["b"], [])


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
    tables = (pd.DataFrame({"customer_id": ["a"]}), pd.DataFrame(), None)
    assert analyse_configured(_switched(demo_cfg, True), *tables, seed=5, conf=0.9).reason == "spied"
    # params/demo.yaml: covariates [plan, segment, contract], a 12-month horizon, monthly revenue
    assert seen["covariates"] == ["plan", "segment", "contract"] and seen["horizon_months"] == 12
    assert seen["revenue_per"] == "month" and seen["as_of"] == demo_cfg.organisation.as_of
    assert seen["cx_covariates"] == list(demo_cfg.churn.cx_covariates)
    assert seen["top_n"] == demo_cfg.churn.top_customers and seen["fit_sample_above"] == demo_cfg.churn.fit_sample_above
    assert (seen["seed"], seen["conf"]) == (5, 0.9) and seen["tables"] is not None
    # curves by every configured segment column, plan and segment first (the demo adds location)
    assert seen["group_cols"] == ("segment", "plan", *[c for c in demo_cfg.segments if c not in ("segment", "plan")])
    assert "location" in seen["group_cols"]
    assert seen["keep_leaking"] == [] and seen["cohorts"] == {} and seen["tenure_unit"] == "day"


def test_without_a_crm_the_page_says_so_whether_or_not_churn_is_switched_on(demo_cfg, monkeypatch):
    """`new` switches churn off for a survey-only export; the reason a reader needs is that there is no CRM."""
    monkeypatch.setattr(flow, "analyse", lambda *a, **k: pytest.fail("nothing to analyse without a CRM"))
    for enabled in (False, True):
        for customers in (None, pd.DataFrame()):
            res = analyse_configured(_switched(demo_cfg, enabled), customers, None, None, seed=5, conf=0.9)
            assert not res.available and res.reason == NO_CRM and res.enabled is enabled
            section = churn_page.opening_section(res, "GBP")
            assert section.methods == [] and len(section.sentences) == 1 and "no CRM" in section.sentences[0]


# --------------------------------------------------------------------------- one confidence level


def test_alpha_of():
    assert alpha_of(0.95) == 0.05 and alpha_of(0.90) == 0.1 and alpha_of(0.99) == 0.01
    with pytest.raises(ValueError, match="between 0 and 1"):
        alpha_of(95)


@pytest.mark.slow  # the demo organisation's data or a second fit: kept out of the under-a-minute suite
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
    assert differ == {"counterfactual_low", "counterfactual_high", "counterfactual_text", "expected_churners_low",
                      "expected_churners_high", "revenue_at_risk_low", "revenue_at_risk_high", "interval_conf",
                      "interval_method", "counterfactual_detractors"}
    assert "(90% interval" in s90["counterfactual_text"] and "(95% interval" in s95["counterfactual_text"]
    # the bootstrap intervals: the same seeded draws cut at other percentiles, so the 90% one lies inside the 95%
    for key in ("expected_churners", "revenue_at_risk"):
        assert s95[f"{key}_low"] <= s90[f"{key}_low"] <= s90[key] <= s90[f"{key}_high"] <= s95[f"{key}_high"]
    assert (s95["interval_conf"], s90["interval_conf"]) == (0.95, 0.90)


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


def test_cohorts_on_the_page_and_in_the_artifacts(telecom):
    from cxtemplate.churn import survival_page

    _, res = telecom
    section = survival_page.cohorts_section(res)
    titles = [v.title for v in section.items if isinstance(v, TableView)]
    assert titles == ["Still a customer by tenure: month-to-month with internet",
                      "Hazard ratios within month-to-month with internet"]
    (cohort,) = res.cohorts
    assert (section.artifacts["cohort_hazard_ratios"]["cohort"] == cohort.name).all()
    km = survival_page.km_table(res)
    mine = km[km["population"] == cohort.name]
    assert len(mine) == 1 and mine["customers"].iloc[0] == cohort.customers
    assert survival_page.cohorts_section(ChurnAnalysis(True)).items == []


def test_a_cohort_on_a_column_the_crm_lacks_is_said_and_the_run_goes_on():
    from cxtemplate.churn.data import survival_frame
    from cxtemplate.churn.km_cox import fit_cox

    df = survival_frame(_telco_like(400), covariates=["segment"])
    kw = {"horizon": 365.25, "alpha": 0.05, "seed": 0}
    bad = analyse_cohort("north", {"region": "North"}, df, df, fit_cox, ["segment"], **kw)
    assert bad.customers == 0 and bad.km is None and "Cohort 'north' cannot be selected" in bad.notes[0]
    assert "region" in bad.notes[0]
    few = analyse_cohort("new", {"tenure_days": {"<": 40}}, df, df, fit_cox, ["segment"], **kw)
    assert few.customers == int((df["tenure_days"] < 40).sum()) and few.km is not None
    assert few.events < 10 and "fewer than the 10 a model needs" in str(few.model)


def test_tenure_bands_and_whole_years_of_tenure_are_leaks_but_a_contract_is_not():
    """Found in review: a categorical "0-12 / 12-24 / …" band and tenure in whole years are fixed functions of the
    outcome time and were kept. A contract type associated with tenure (longer contracts last longer) is not a
    leak and stays."""
    rng = np.random.default_rng(3)
    n = 2000
    days = rng.exponential(900, n).round() + 1
    contract = np.where(rng.random(n) < 0.5 + 0.3 * (days > np.median(days)), "Two year", "Month-to-month")
    surv = pd.DataFrame({"tenure_days": days,
                         "tenure_band": pd.cut(days, [0, 365, 730, 1461, np.inf]).astype(str),
                         "tenure_years": days // 365.25, "contract": contract,
                         "flag": (days > 700).astype(int), "age": rng.integers(18, 80, n)})
    leaks = flow.tenure_leaks(surv, ["tenure_band", "tenure_years", "contract", "flag", "age"])
    assert set(leaks) == {"tenure_band", "tenure_years"}
    assert leaks["tenure_band"] > 0.9 and leaks["tenure_years"] > 0.9
    assert flow.leak_measure(surv["tenure_band"], leaks["tenure_band"]).startswith("correlation ratio η = ")
    assert flow.leak_measure(surv["tenure_years"], leaks["tenure_years"]).startswith("Spearman ρ = ")



# --------------------------------------------------------------------------- what the later notebooks read


def test_every_scored_customer_has_reasons_and_a_risk_as_a_passive(analysed):
    res = analysed[0.95]
    sc = res.scores
    assert sc["reasons"].str.len().gt(0).all() and len(sc) == res.summary("GBP")["active"]
    # the call list's reasons are the scores' own
    top = res.top.set_index("customer_id")["reasons"]
    assert (sc.set_index("customer_id").loc[top.index, "reasons"] == top).all()
    # as a passive: a detractor's risk falls (planted HR 2.0 vs 1.3), anyone else's is unchanged
    is_det = res.scores["churn_probability"] != res.scores["churn_probability_if_passive"]
    assert (sc.loc[is_det, "churn_probability_if_passive"] < sc.loc[is_det, "churn_probability"]).all()
    s = res.summary("GBP")
    cf = s["counterfactual_detractors"]
    # (a detractor whose year ahead lies past the longest tenure observed has a zero risk either way)
    assert 0.9 * cf["customers"] < int(is_det.sum()) <= cf["customers"] == res.counterfactual.customers_affected
    assert (sc["revenue_at_risk"] - sc["revenue_at_risk_if_passive"]).sum() == pytest.approx(cf["saved"], rel=1e-9)
    assert cf["saved"] == pytest.approx(s["counterfactual_retained"], rel=1e-9)
    assert sc["revenue_at_risk_if_passive"].sum() == pytest.approx(cf["at_risk"], rel=1e-9)
    # the intervals the page and the action plan show
    assert s["expected_churners_low"] < s["expected_churners"] < s["expected_churners_high"]
    assert s["revenue_at_risk_low"] < s["revenue_at_risk"] < s["revenue_at_risk_high"]
    assert {"revenue_at_risk_low", "revenue_at_risk_high", "expected_churners_low", "expected_churners_high"} <= \
        set(res.by_group.columns)
    assert res.by_group["revenue_at_risk_low"].notna().all()
