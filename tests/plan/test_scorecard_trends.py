"""Tests of a unit's trend beside the rest's (cxtemplate.plan.scorecard_trends): hidden and missing periods break
the line; the alt text reads the latest period."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxtemplate.measure.spec import csat_spec, nps_spec
from cxtemplate.plan import scorecard_trends as tr


def _month(loc: str, month: str, scores: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"location": loc, "responded_at": pd.Timestamp(f"{month}-10"), "nps": scores})


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    """B answers every month Jan–Jun 2025 (40 a month, NPS 0); A: Jan 40 (NPS 50), Feb none, Mar 10 (hidden),
    Apr–Jun 40 a month (NPS −50)."""
    parts = [_month("B", f"2025-0{m}", [10] * 20 + [0] * 20) for m in range(1, 7)]
    parts += [_month("A", "2025-01", [10] * 30 + [0] * 10), _month("A", "2025-03", [10] * 10)]
    parts += [_month("A", f"2025-0{m}", [10] * 10 + [0] * 30) for m in (4, 5, 6)]
    return pd.concat(parts, ignore_index=True)


def test_every_period_is_a_row_and_hidden_ones_have_no_value(responses):
    t = tr.versus_rest_periods(responses, nps_spec(), "location", "A", freq="M", min_n=30)
    a = t[t["series"] == "A"].set_index("period")
    assert len(a) == 6 and set(t["series"]) == {"A", tr.REST}
    assert a["n"].tolist() == [40, 0, 10, 40, 40, 40]
    assert a["shown"].tolist() == [True, False, False, True, True, True]
    assert a["value"].iloc[0] == pytest.approx(50) and np.isnan(a["value"].iloc[1]) and np.isnan(a["value"].iloc[2])
    rest = t[t["series"] == tr.REST]
    assert rest["value"].tolist() == pytest.approx([0.0] * 6)


def test_the_chart_breaks_the_line_at_hidden_periods_and_marks_step_and_target(responses):
    t = tr.versus_rest_periods(responses, nps_spec(), "location", "A", freq="M", min_n=30)
    steps = pd.DataFrame({"location": ["A"], "step_period": [pd.Period("2025-04", "M")], "change": [-100.0],
                          "significant": [True]})
    ax = tr.plot_versus_rest(t, nps_spec(), "A", steps=steps, target=20.0)
    mine = next(ln for ln in ax.lines if ln.get_label() == "A")
    y = np.asarray(mine.get_ydata(), float)
    assert np.isnan(y[1]) and np.isnan(y[2])            # Feb (none) and Mar (n 10) are gaps, not joined
    assert len([ln for ln in ax.lines if ln.get_linestyle() == "--"]) == 1
    assert any(ln.get_label() == "Target 20.0" for ln in ax.lines)
    assert ax.get_title(loc="left") == "NPS at A and the rest of the organisation"
    plt.close(ax.figure)


def test_alt_text_reads_the_latest_shown_period(responses):
    t = tr.versus_rest_periods(responses, nps_spec(), "location", "A", freq="M", min_n=30)
    assert tr.trend_alt(t, nps_spec(), "A") == (
        "NPS at A and the rest of the organisation per period: In 2025-06 NPS was -50.0 at A against 0.0 for the "
        "rest; A was below the rest in 3 of the 4 periods shown.")
    sat = responses.assign(csat=np.where(responses["nps"] >= 9, 5, 1))
    t2 = tr.versus_rest_periods(sat, csat_spec(), "location", "A", freq="M", min_n=30)
    assert "In 2025-06 CSAT was 25.0% at A against 50.0% for the rest" in tr.trend_alt(t2, csat_spec(), "A")
    none = tr.versus_rest_periods(responses, nps_spec(), "location", "A", freq="M", min_n=100)
    assert tr.trend_alt(none, nps_spec(), "A").endswith("no period has enough responses here to show.")
