"""Tests of the maturity charts (cxtemplate.plan.plots): what they draw, counted on small hand-made assessments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxtemplate.plan import maturity as mat
from cxtemplate.plan import maturity_model as mm
from cxtemplate.plan import plots as mat_plots
from tests.plan.test_maturity_model import tiny_model

COLUMNS = ["respondent_id", "role", "dimension", "practice", "level"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def birdeye():
    """Four pillars; two executives one level above a manager and two frontline staff, R4 +1 on one practice."""
    model = mm.load_model("birdeye_four_pillars")
    base = {"customer_first_strategy": 2, "communication_channels": 3, "leadership_and_staff": 2,
            "customer_service": 1}
    rows = [(f"R{i}", role, d.id, p.id, min(base[d.id] + bump + (j == 0 and i == 4), 4))
            for i, (role, bump) in enumerate([("executive", 1), ("executive", 1), ("manager", 0),
                                              ("frontline", 0), ("frontline", 0)])
            for d in model.dimensions for j, p in enumerate(d.practices)]
    return model, mat.assess(pd.DataFrame(rows, columns=COLUMNS), model, target_stage=3)


def test_radar_has_one_spoke_per_dimension(birdeye):
    model, a = birdeye
    ax = mat_plots.plot_radar(a.scores, model, target_stage=3, by_role=("executive", "frontline")).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["Customer-first\nstrategy", "Communication\nchannels", "Leadership and\nstaff",
                      "Customer\nservice"]
    assert len(ax.get_xticks()) == len(model.dimensions) == 4
    assert ax.get_ylim() == (1, 4)
    assert "Maturity by dimension" in ax.get_title(loc="left")


def test_radar_draws_the_organisation_the_roles_and_the_target(birdeye):
    model, a = birdeye
    ax = mat_plots.plot_radar(a.scores, model, target_stage=3, by_role=("executive", "frontline")).axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {"Target: stage 3 (Established), level 2.75", "Organisation (all respondents)",
                          "Executives (n = 2)", "Frontline staff (n = 2)"}
    # closed loops: one point per dimension plus the first again; executives rate customer service 2
    org = lines["Organisation (all respondents)"].get_ydata()
    assert len(org) == 5 and org[0] == org[-1]
    assert org[3] == pytest.approx((2 + 2 + 1 + 1 + 1.25) / 5)
    assert lines["Executives (n = 2)"].get_ydata().tolist() == [3, 4, 3, 2, 3]
    assert lines["Target: stage 3 (Established), level 2.75"].get_ydata() == pytest.approx(np.full(200, 2.75))
    # the level names between the rings: every level above the lowest
    assert [t.get_text() for t in ax.texts if t.get_text()[:1].isdigit()] == ["2 Ad hoc", "3 Repeatable",
                                                                              "4 Systematic"]
    assert "n = 5" in ax.texts[-1].get_text()


def test_radar_without_roles_or_target():
    model = tiny_model()
    answers = pd.DataFrame([("A", "frontline", "d1", "p1", 2), ("A", "frontline", "d2", "p3", 3)], columns=COLUMNS)
    ax = mat_plots.plot_radar(mat.score(answers, model), model).axes[0]
    assert [ln.get_label() for ln in ax.get_lines()] == ["Organisation (all respondents)"]
    assert len(ax.get_xticks()) == 2


def test_perception_gap_lists_every_dimension_and_the_overall_gap(birdeye):
    _, a = birdeye
    ax = mat_plots.plot_perception_gap(a.gap).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "All dimensions" and len(labels) == 5
    assert labels[:-1] == a.gap.table.sort_values("gap")["name"].tolist()     # smallest gap at the bottom
    assert ax.get_title(loc="left") == "Executives rate maturity higher than frontline staff"
    # every gap is annotated with its sign, the overall gap last: 3 − (2 + 2.25) / 2 = +0.9
    notes = [t.get_text() for t in ax.texts if t.get_text()[:1] in "+−"]
    assert len(notes) == 5 and notes[-1] == "+0.9"
    # filled dots for clear differences, hollow for the others: together one per dimension
    clear, chance = (c.get_offsets().shape[0] for c in ax.collections[1:3])
    assert clear + chance == 4
    assert clear == int((a.gap.table["p_adj"] < 0.05).sum())


def test_perception_gap_title_turns_when_executives_rate_lower():
    model = tiny_model()
    rows = [(f"E{i}", "executive", d, p, lv) for i, lv in enumerate([1, 2])
            for d, p in [("d1", "p1"), ("d2", "p3")]]
    rows += [(f"F{i}", "frontline", d, p, lv) for i, lv in enumerate([3, 4])
             for d, p in [("d1", "p1"), ("d2", "p3")]]
    gap = mat.perception_gap(pd.DataFrame(rows, columns=COLUMNS), model)
    ax = mat_plots.plot_perception_gap(gap).axes[0]
    assert ax.get_title(loc="left") == "Executives rate maturity lower than frontline staff"
    assert [t.get_text() for t in ax.texts if t.get_text()[:1] in "+−"][-1] == "−2.0"   # 1.5 − 3.5
