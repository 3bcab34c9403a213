"""The churn charts draw from results already computed, each with a title, and a subtitle naming its unit,
its n and the confidence level of its bands."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
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
              "rmst": cp.plot_rmst(km), "matrix": cp.plot_risk_value_matrix(risk_value_matrix(sc), currency="£"),
              "revenue": cp.plot_revenue_at_risk(revenue_at_risk(sc))}
    for name, ax in charts.items():
        assert ax.get_title(loc="left"), name
    for name in ("matrix", "revenue"):
        assert f"n = {len(sc):,}" in _subtitle(charts[name])        # every active customer scored
    assert f"n = {km.summary['customers'].sum():,}" in _subtitle(charts["km"])
    assert "annual revenue at risk, £" in _subtitle(charts["matrix"])


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
    ax = cp.plot_revenue_at_risk(table, currency="£")
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "£100,000" in ticks and all(t.startswith("£") for t in ticks)
    assert [t.get_text() for t in ax.texts if "avg risk" in t.get_text()] == [" £40,000 (10% avg risk)",
                                                                            " £120,000 (20% avg risk)"]
    assert "n = 30" in _subtitle(ax)
