"""The churn charts draw from results already computed, each with a title, and a subtitle naming its unit,
its n and the confidence level of its bands."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxtemplate.churn import plots as cp  # noqa: E402
from cxtemplate.churn.data import landmark_frame, last_rows  # noqa: E402
from cxtemplate.churn.km_cox import fit_cox, kaplan_meier  # noqa: E402
from cxtemplate.churn.scoring import revenue_at_risk, risk_value_matrix, score_customers  # noqa: E402
from cxtemplate.churn.validation import validate  # noqa: E402
from cxtemplate.report.theme import apply_theme  # noqa: E402

ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def _subtitle(ax) -> str:
    return " ".join(t.get_text() for t in ax.texts)


@pytest.fixture(autouse=True)
def _close():
    apply_theme()
    yield
    plt.close("all")


def test_level_label():
    assert cp.level_label(0.05) == "95%" and cp.level_label(0.10) == "90%" and cp.level_label(0.025) == "97.5%"


def test_every_chart_renders_with_a_title(simulated, tv_fit, current):
    cust, resp, inter, _, kw, tv = simulated
    km = kaplan_meier(last_rows(tv), "segment")
    sc = score_customers(tv_fit, current)
    lm = landmark_frame(cust, resp, inter, landmark="2024-01-01", **kw)
    v = validate(tv.loc[tv["customer_id"] < "C0001500"], tv_fit.design.covariates, test=lm, k=2)
    charts = {"km": cp.plot_km(km), "forest": cp.plot_forest(tv_fit), "calibration": cp.plot_calibration(v),
              "rmst": cp.plot_rmst(km), "matrix": cp.plot_risk_value_matrix(risk_value_matrix(sc), currency="GBP"),
              "revenue": cp.plot_revenue_at_risk(revenue_at_risk(sc))}
    for name, ax in charts.items():
        assert ax.get_title(loc="left"), name
    for name in ("matrix", "revenue"):
        assert f"n = {len(sc):,}" in _subtitle(charts[name])        # every active customer scored
    assert f"n = {km.summary['customers'].sum():,}" in _subtitle(charts["km"])
    assert "annual revenue at risk, GBP" in _subtitle(charts["matrix"])


def test_subtitles_state_the_confidence_level(rossi):
    km95 = kaplan_meier(rossi, "fin", duration_col="week", event_col="arrest", horizon_days=30)
    km90 = kaplan_meier(rossi, "fin", duration_col="week", event_col="arrest", horizon_days=30, alpha=0.10)
    assert "95% bands" in _subtitle(cp.plot_km(km95, at_risk=False))
    assert "90% bands" in _subtitle(cp.plot_km(km90, at_risk=False))
    assert "90% interval" in _subtitle(cp.plot_rmst(km90))
    cox = fit_cox(rossi, ROSSI, duration_col="week", event_col="arrest", penalizer=0.0, check_ph=False, alpha=0.10)
    ax = cp.plot_forest(cox)
    assert "hazard ratio, 90% interval, log scale" in _subtitle(ax)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == cox.hazard_ratios["label"].iloc[0]   # top row first


def test_revenue_bars_read_as_money():
    table = pd.DataFrame({"dimension": "segment", "group": ["A", "B"], "customers": [10, 20],
                          "revenue_at_risk": [40_000.0, 120_000.0], "mean_probability": [0.1, 0.2]})
    ax = cp.plot_revenue_at_risk(table, currency="GBP")
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "£100,000" in ticks and all(t.startswith("£") for t in ticks)
    assert [t.get_text() for t in ax.texts if "average risk" in t.get_text()] == [
        "  £40,000, 10% average risk", "  £120,000, 20% average risk"]
    assert "n = 30" in _subtitle(ax)
    # with intervals: each bar's label carries its interval, and the whiskers reach it
    banded = table.assign(revenue_at_risk_low=[30_000.0, 90_000.0], revenue_at_risk_high=[52_000.0, 150_000.0])
    ax = cp.plot_revenue_at_risk(banded, currency="GBP")
    assert [t.get_text() for t in ax.texts if "average risk" in t.get_text()] == [
        "  £40,000 (£30,000 to £52,000), 10% average risk", "  £120,000 (£90,000 to £150,000), 20% average risk"]
    assert ax.get_xlim()[1] >= 150_000 and "with its interval" in _subtitle(ax)
    # no currency: plain amounts, never an assumed one
    ax = cp.plot_revenue_at_risk(table, currency=None)
    ax.figure.canvas.draw()
    assert "100,000" in [t.get_text() for t in ax.get_xticklabels()]


def test_tenure_ticks_end_at_the_longest_tenure():
    assert cp.tenure_ticks(72).tolist() == [0, 12, 24, 36, 48, 60, 72]
    assert cp.tenure_ticks(10).tolist() == [0, 2, 4, 6, 8, 10] and cp.tenure_ticks(0).tolist() == [0]


def test_the_number_at_risk_counts_those_who_reach_the_last_time_point():
    """362 customers with a tenure of exactly 72 months (still customers when the export was taken) are at risk at
    72; lifelines' add_at_risk_counts counts those at risk just after a time and would show 0 there."""
    from cxtemplate.churn.km_cox import kaplan_meier

    months = np.r_[np.arange(1, 72).repeat(10), np.full(362, 72)]
    frame = pd.DataFrame({"tenure_days": months * 365.25 / 12, "churned": months < 72,
                          "contract": np.where(np.arange(len(months)) % 2 == 0, "Month-to-month", "Two year")})
    km = kaplan_meier(frame, "contract", horizon_days=365.25)
    ax = cp.plot_km(km, unit_days=365.25 / 12, unit_name="months")
    # the texts of the at-risk row at 72 months, one per group: together the 362
    counts = [t for t in ax.texts if t.get_text().replace(",", "").isdigit()]
    at_72 = [int(t.get_text().replace(",", "")) for t in counts if t.get_position()[0] == 72]
    assert sum(at_72) == 362 and len(at_72) == 2
    at_0 = [int(t.get_text().replace(",", "")) for t in counts if t.get_position()[0] == 0]
    assert sum(at_0) == len(frame)
    plt.close(ax.figure)
