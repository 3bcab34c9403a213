"""Tests of the alert rules (cxtemplate.plan.alerts) on response tables built by hand, where which check
fires can be stated before running anything."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxtemplate.config.schema import AlertRule
from cxtemplate.measure.spec import ces_spec, nps_spec
from cxtemplate.plan import alerts as al

AS_OF = "2025-12-31"
SPECS = {"nps": nps_spec(), "ces": ces_spec()}


def _rows(month: str, **groups) -> list[dict]:
    """Responses on the 15th of ``month``: ``groups`` maps a level to (column, list of scores)."""
    out = []
    for level, (col, scores) in groups.items():
        out += [{"responded_at": pd.Timestamp(f"{month}-15 12:00"), "where": level, col: s} for s in scores]
    return out


@pytest.fixture(scope="module")
def drop_responses() -> pd.DataFrame:
    """NPS by location. A: 60 promoters / 30 detractors over Sep–Nov (NPS 33.3), then 15 / 45 in Dec (NPS −50).
    B: the same mix before and after (33.3 both). C: 10 answers in Dec only after 9 before (too few).
    D: answers in Dec only (no reference). Older answers (2025-06) must be ignored."""
    rows = []
    for month in ("2025-09", "2025-10", "2025-11"):
        rows += _rows(month, A=("nps", [10] * 20 + [0] * 10), B=("nps", [10] * 20 + [0] * 10), C=("nps", [10] * 3))
    rows += _rows("2025-06", A=("nps", [0] * 500))
    rows += _rows("2025-12", A=("nps", [9] * 15 + [3] * 45), B=("nps", [10] * 40 + [0] * 20),
                  C=("nps", [0] * 10), D=("nps", [0] * 40))
    return pd.DataFrame(rows).rename(columns={"where": "location"})


@pytest.fixture(scope="module")
def ces_responses() -> pd.DataFrame:
    """CES by touchpoint in Dec: W 18×3 + 18×5 (mean 4.0), N 12×3 + 18×5 (mean 4.2), F all 5 (mean 5), S 10 answers."""
    return pd.DataFrame(_rows("2025-12", W=("ces", [3] * 18 + [5] * 18), N=("ces", [3] * 12 + [5] * 18),
                              F=("ces", [5] * 30 + [6] * 6), S=("ces", [1] * 10))).rename(columns={"where": "touchpoint"})


def test_a_significant_drop_fires_only_where_the_latest_period_fell(drop_responses):
    rule = AlertRule(id="drop", metric="nps", condition="significant_drop", by="location", owner="ops")
    out = al.evaluate(drop_responses, [rule], SPECS, freq="M", as_of=AS_OF).set_index("level")
    assert out.index.tolist() == ["A", "B", "C"]            # D has no reference periods to compare with
    assert out.loc["A", "value"] == pytest.approx(100 * (15 - 45) / 60)             # −50
    assert out.loc["A", "reference"] == pytest.approx(100 * (60 - 30) / 90)             # 33.3, June ignored
    assert out.loc["A", "change"] == pytest.approx(-50 - 100 / 3)
    assert out["fired"].tolist() == [True, False, False]
    assert out.loc["B", "change"] == pytest.approx(0)
    assert out.loc["C", "message"] == "not evaluated: n = 10 < 30"
    assert out.loc["A", "period"] == "2025-12" and out.loc["A", "owner"] == "ops"
    assert out.loc["A", "message"].startswith("NPS location A: -50.0 in 2025-12 vs 33.3 over the previous 3 periods (-83.3")


def test_a_drop_overall_compares_the_whole_latest_period(drop_responses):
    rule = AlertRule(id="drop", metric="nps", condition="significant_drop", owner="ops")
    [row] = al.evaluate(drop_responses, [rule], SPECS, freq="M", as_of=AS_OF).to_dict("records")
    # Dec: 55 promoters, 0 passives, 115 detractors of 170; Sep–Nov: 129 promoters, 60 detractors of 189
    assert row["level"] == "all" and row["n"] == 170
    assert row["value"] == pytest.approx(100 * (55 - 115) / 170)
    assert row["reference"] == pytest.approx(100 * (129 - 60) / 189)
    assert row["fired"]


def test_a_threshold_fires_when_crossed_and_says_whether_credibly(ces_responses):
    rule = AlertRule(id="effort", metric="ces", condition="below", threshold=4.5, by="touchpoint", owner="svc")
    out = al.evaluate(ces_responses, [rule], SPECS, freq="M", as_of=AS_OF).set_index("level")
    # W: mean 4.0, sd of 18 threes and 18 fives, t interval: the whole interval is below 4.5
    w = np.array([3] * 18 + [5] * 18)
    half = stats.t.ppf(0.975, len(w) - 1) * w.std(ddof=1) / np.sqrt(len(w))
    assert out.loc["W", "value"] == pytest.approx(4.0)
    assert out.loc["W", "ci_high"] == pytest.approx(4.0 + half) and 4.0 + half < 4.5
    assert bool(out.loc["W", "fired"]) and bool(out.loc["W", "credible"])
    # N: mean 4.2, its interval reaches past 4.5: fired, but within noise
    assert out.loc["N", "value"] == pytest.approx(4.2)
    assert bool(out.loc["N", "fired"]) and not out.loc["N", "credible"]
    assert out.loc["N", "message"].endswith("is below 4.5 — but within noise")
    # F: mean 5.17, not below; S: 10 answers, not evaluated however low
    assert not out.loc["F", "fired"] and out.loc["F", "message"].endswith("is not below 4.5")
    assert not out.loc["S", "fired"] and out.loc["S", "message"] == "not evaluated: n = 10 < 30"
    above = AlertRule(id="hi", metric="ces", condition="above", threshold=5.0, by="touchpoint", owner="svc")
    hi = al.evaluate(ces_responses, [above], SPECS, freq="M", as_of=AS_OF).set_index("level")
    assert hi["fired"].tolist() == [True, False, False, False]   # F (5.17) only; S is too small to count


def test_a_rule_on_an_unmeasured_metric_says_so():
    rule = AlertRule(id="sat", metric="csat", condition="below", threshold=75, owner="ops")
    [row] = al.evaluate(pd.DataFrame({"responded_at": [pd.Timestamp(AS_OF)], "nps": [5]}), [rule], SPECS,
                        freq="M", as_of=AS_OF).to_dict("records")
    assert row == {"rule": "sat", "metric": "csat", "fired": False, "owner": "ops",
                   "message": "not evaluated: CSAT is not measured"}


# --------------------------------------------------------------------------- what the page shows


CHECKS = pd.DataFrame({
    "rule": ["drop", "drop", "effort", "effort", "floor"], "level": ["A", "B", "W", "S", "all"],
    "period": ["2025-12"] * 5, "fired": [True, False, True, False, True], "credible": [True, False, False, False, True],
    "owner": ["ops", "ops", "svc", "svc", "ops"],
    "message": ["A fell", "B steady", "W below", "not evaluated: n = 10 < 30", "overall below"]})


def test_owner_labels_replace_role_keys():
    labelled = al.with_owner_labels(CHECKS, {"ops": "Tom (Ops)", "svc": "Dan (Service)"}.get)
    assert labelled["owner"].tolist() == ["Tom (Ops)", "Tom (Ops)", "Dan (Service)", "Dan (Service)", "Tom (Ops)"]
    assert CHECKS["owner"].iloc[0] == "ops"


def test_credible_firings_are_alerts_and_firings_within_noise_are_watch_items():
    assert al.fired_sentence(CHECKS) == (
        "Of 5 checks on 2025-12, **2 alerts** need action now (the whole 95% interval past the threshold, or a "
        "significant drop); 1 watch item crossed the threshold within the noise and is listed apart, to be checked "
        "again next period.")
    assert "(the whole 90% interval" in al.fired_sentence(CHECKS, conf=0.9)
    view = al.fired_view(CHECKS)
    assert view.title == "Alerts: act now" and view.max_rows == 40
    assert view.columns == ["Rule", "Where", "What was found", "Owner"]
    assert view.frame["Where"].tolist() == ["A", "all"]          # W fired within the noise: not an alert
    watch = al.watch_view(CHECKS)
    assert watch.title.startswith("Watch items") and watch.frame["Where"].tolist() == ["W"]
    assert al.fired_view(CHECKS.assign(fired=False)) is None and al.watch_view(CHECKS.assign(fired=False)) is None
    assert al.watch_view(CHECKS.assign(credible=CHECKS["fired"])) is None
    assert al.fired_sentence(CHECKS.assign(fired=False)) == (
        "Of 5 checks on 2025-12, **0 alerts** need action now (the whole 95% interval past the threshold, or a "
        "significant drop).")
    one = CHECKS.assign(credible=[True, False, False, False, False])
    assert "**1 alert** needs action now" in al.fired_sentence(one)


def test_skipped_sentence_names_small_cells_and_unmeasured_metrics():
    assert al.skipped_sentence(CHECKS, 30) == ("1 checks were not evaluated because the latest period holds fewer "
                                               "than 30 responses for them (S).")
    many = pd.DataFrame({"rule": ["r"] * 10, "level": list("ABCDEFGHIJ"), "message": ["not evaluated: n = 3 < 30"] * 10})
    assert al.skipped_sentence(many, 30).endswith("for them (A, B, C, D, E, F, G, H…).")
    assert al.skipped_sentence(CHECKS.iloc[:3], 30) == ""


def test_rules_whose_metric_is_unmeasured_do_not_break_the_page():
    """Defect fixed: when no rule could be evaluated the table has no period column; the sentence used to fail."""
    rules = [AlertRule(id="sat", metric="csat", condition="below", threshold=75, owner="ops"),
             AlertRule(id="sat2", metric="csat", condition="above", threshold=95, owner="ops")]
    out = al.evaluate(pd.DataFrame({"responded_at": [pd.Timestamp(AS_OF)], "nps": [5]}), rules, SPECS,
                      freq="M", as_of=AS_OF)
    assert al.fired_sentence(out).startswith("Of 2 checks on the latest period, **0 alerts** need action now")
    assert al.fired_view(out) is None
    assert al.skipped_sentence(out, 30) == "2 rules were not evaluated because their metric is not measured (sat, sat2)."


def test_the_alerts_section_is_one_sentence_without_rules_survey_or_dates(drop_responses):
    rule = AlertRule(id="drop", metric="nps", condition="significant_drop", by="location", owner="ops")
    assert al.alerts_section(drop_responses, [], SPECS, freq="M", as_of=AS_OF).sentences == [
        "*No alert rules are set in the parameters — nothing is evaluated*"]
    assert al.alerts_section(None, [rule], SPECS, freq="M", as_of=AS_OF).sentences == [
        "*There are no survey responses — alerts cannot be evaluated*"]
    undated = al.alerts_section(drop_responses.assign(responded_at=pd.NaT), [rule], SPECS, freq="M", as_of=None)
    assert undated.sentences == ["*The responses carry no dates — alerts on the latest period cannot be evaluated*"]
    assert undated.tables == [] and undated.artifacts == {}
    section = al.alerts_section(drop_responses, [rule], SPECS, freq="M", as_of=AS_OF, owner_label=str.upper)
    evaluated = section.artifacts["alerts"]
    assert evaluated["fired"].tolist() == [True, False, False] and len(section.tables) == 1


def test_alert_tables_name_rules_in_words_not_by_their_ids():
    from cxtemplate.plan.alerts import rule_label

    assert rule_label("touchpoint-effort") == "Touchpoint effort"
    assert rule_label("location-nps-drop") == "Location NPS drop"
    assert rule_label("csat_below_70") == "CSAT below 70"
