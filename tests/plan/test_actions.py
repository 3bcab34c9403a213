"""Tests of the action register (cxtemplate.plan.actions): findings → owned, prioritised, dated actions.

Expected registers are worked out by hand in each test from the rules in the module's docstring: actions ranked by
the value they may save (then NPS points, then priority = min(1, |impact| / reference) × confidence weight ÷ effort
weight), one row per action, due = start (the run date) + lead time.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.config.schema import CatalogueAction, Governance, Owner
from cxtemplate.plan import actions as act
from cxtemplate.plan import findings as fnd
from cxtemplate.plan.findings import Finding
from cxtemplate.plan.impact import ValueModel
from cxtemplate.report.display import TableView

AS_OF = "2025-12-31"

CATALOGUE = [
    CatalogueAction(id="peak", title="Staff the peaks", addresses=["driver:speed_of_service", "kpi:wait_time_minutes"],
                    effort="medium", owner="operations", lead_time_days=60),
    CatalogueAction(id="billing", title="Fix wrong bills", addresses=["topic:bill"], effort="high", owner="finance",
                    lead_time_days=120),
    CatalogueAction(id="retention", title="Call valuable customers at risk", addresses=["churn_risk"], effort="low",
                    owner="account_management", lead_time_days=30),
    CatalogueAction(id="forum", title="Run a CX forum", addresses=["objective_off_track"], effort="low",
                    owner="nobody_named", lead_time_days=14),
]
GOVERNANCE = Governance(owners={"operations": Owner(name="Tom Reilly", title="Operations Director"),
                                "finance": Owner(name="Helen Ward"),
                                "account_management": Owner(name="Owen Price", title="Account Management Lead"),
                                "cx_lead": Owner(name="Priya Shah", title="Head of CX")},
                        default_owner="cx_lead")


def _findings() -> list[Finding]:
    return [
        Finding(key="driver:speed_of_service", kind="driver", subject="Speed of service", finding="speed is slow",
                impact=4.0, impact_unit="NPS points", confidence="medium", terms=["speed_of_service"]),
        Finding(key="churn_risk:segment=Small business", kind="churn_risk", subject="Small business customers",
                finding="revenue at risk",
                impact=30_000.0, impact_unit="GBP a year at risk", confidence="medium", scope="segment: Small business"),
        Finding(key="maturity:design", kind="maturity", subject="Design maturity", finding="design lags",
                impact=0.6, impact_unit="maturity levels to close", confidence="medium"),
        Finding(key="topic:billing / charges", kind="topic", subject="Comments about billing / charges",
                finding="bills hurt", impact=2.0, impact_unit="NPS points", confidence="high",
                terms=["billing", "charges"]),
        Finding(key="kpi:wait_time_minutes", kind="kpi", subject="Wait time", finding="waits lower CSAT",
                impact=0.1, impact_unit="CSAT points per typical swing", confidence="high"),
    ]


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return act.build_register(_findings(), CATALOGUE, GOVERNANCE, start=AS_OF, annual_revenue=1_000_000)


VALUE = ValueModel(per_point=1_000.0, per_point_low=500.0, per_point_high=1_500.0, points=25.0, retained=25_000.0,
                   retained_low=12_500.0, retained_high=37_500.0, detractors=250, surveyed=1_000)
SAVE = type("SaveRate", (), {"rate": 0.2, "low": 0.1, "high": 0.3})()


# --------------------------------------------------------------------------- impact scores and matching


@pytest.mark.parametrize(("impact", "unit", "revenue", "expected"), [
    (2.5, "NPS points", None, 0.5),                       # 2.5 / 5 NPS points
    (-2.5, "NPS points (organisation)", None, 0.5),       # the size counts, not the sign
    (12.0, "NPS points", None, 1.0),                      # capped at 1
    (1.0, "percentage points", None, 0.2),                # 1 / 5 pp
    (10_000.0, "GBP a year at risk", 1_000_000, 0.5),     # 10,000 / (2% of 1,000,000)
    (10_000.0, "GBP a year at risk", None, 1.0),          # no revenue to compare with: |impact| / |impact|
    (0.25, "maturity levels to close", None, 0.25),       # 0.25 / 1 level
    (0.15, "CES points per typical swing", None, 0.5),    # 0.15 / 0.3 scale points
    (None, "NPS points", None, 0.0),
    (float("nan"), "NPS points", None, 0.0),
])
def test_impact_score_compares_the_impact_with_its_units_reference(impact, unit, revenue, expected):
    assert act.impact_score(impact, unit, revenue, act.ImpactReference()) == pytest.approx(expected)


def test_catalogue_keys_match_findings_by_key_kind_and_topic_word():
    topic = Finding(key="topic:billing / charges", kind="topic", subject="Comments about billing / charges",
                    finding="", terms=["billing", "charges", "refund"])
    driver = Finding(key="driver:speed_of_service", kind="driver", subject="Speed", finding="")
    assert act.matches(topic, ["topic:refund"])            # one of the topic's words
    assert act.matches(topic, ["topic:bill"])              # part of a word
    assert act.matches(topic, ["topic"])                   # a bare kind matches every topic
    assert not act.matches(topic, ["topic:wait", "driver:billing"])
    assert act.matches(driver, [" driver:speed_of_service "])
    assert not act.matches(driver, ["driver:speed"])       # driver keys match exactly
    assert act.matches(driver, ["driver"])                 # a bare kind matches every finding of that kind


# --------------------------------------------------------------------------- the register


def test_without_money_actions_rank_by_nps_points_then_priority_with_owners_and_due_dates(register):
    # no value model: peak (4 NPS points) and billing (2) by their points; then, with no points, by priority:
    # retention: min(1, 30,000 / 20,000) × 0.7 (medium) / 1.0 (low effort) = 0.7
    # generated: 0.6 / 1 level × 0.7 / 1.6                                 = 0.2625
    assert register["action_id"].tolist() == ["peak", "billing", "retention", "gen-maturity-1"]
    assert register["rank"].tolist() == [1, 2, 3, 4]
    assert register["impact_points"].tolist()[:2] == [4.0, 2.0] and register["impact_points"].iloc[2:].isna().all()
    assert register["impact_value"].isna().all()
    assert register["priority"].tolist() == pytest.approx([0.35, 0.16, 0.7, 0.2625])
    assert register["owner"].tolist() == ["Tom Reilly (Operations Director)", "Helen Ward",  # Helen Ward has no title
                                          "Owen Price (Account Management Lead)", "Priya Shah (Head of CX)"]
    # due = 2025-12-31 + 60, 120, 30, 90 (a generated medium-effort action) days
    assert register["due"].tolist() == ["2026-03-01", "2026-04-30", "2026-01-30", "2026-03-31"]
    assert register["origin"].tolist() == ["catalogue", "catalogue", "catalogue", "generated"]
    assert register["action"].iloc[3] == "Adopt the next practices in Design maturity"
    assert (register["status"] == "proposed").all() and register.columns.tolist() == act.REGISTER_COLUMNS
    # the value at risk is the churn finding's, under its own name: not a value the calls may save
    assert register.set_index("action_id").loc["retention", "value_at_risk"] == 30_000.0


def test_with_a_value_model_actions_rank_by_the_value_they_may_save():
    reg = act.build_register(_findings(), CATALOGUE, GOVERNANCE, start=AS_OF, value=VALUE, save_rate=SAVE,
                             reached={"churn_risk:segment=Small business": 10_000.0})
    by = reg.set_index("action_id")
    # peak: 4 points × £1,000 (2 × 500 .. 4 × 1,500: the finding has no interval of its own)
    assert by.loc["peak", ["impact_value", "impact_low", "impact_high"]].tolist() == [4_000.0, 2_000.0, 6_000.0]
    # retention: 20% (10% .. 30%) of the £10,000 at risk on its call list, not the segment's £30,000 at risk
    assert by.loc["retention", ["impact_value", "impact_low", "impact_high"]].tolist() == pytest.approx(
        [2_000.0, 1_000.0, 3_000.0])
    assert by.loc["retention", "value_at_risk"] == 30_000.0
    # billing ties retention at £2,000 and comes first by its NPS points; the maturity action has no value: last
    assert reg["action_id"].tolist() == ["peak", "billing", "retention", "gen-maturity-1"]
    assert act.impact_text(by.loc["retention"]) == "£2,000 (£1,000 to £3,000) a year may be saved"
    assert act.register_sentence(reg) == (
        "First action: **Staff the peaks**, owned by Tom Reilly (Operations Director), due 2026-03-01; it may "
        "save £4,000 (£2,000 to £6,000) a year.")


def test_one_action_per_remedy_lists_every_finding_it_answers(register):
    peak = register.set_index("action_id").loc["peak"]
    # the KPI finding scores 0.1 / 5 × 1.0 / 1.6 = 0.0125 < 0.35: the driver finding stays the headline
    assert peak["finding_key"] == "driver:speed_of_service" and peak["finding"] == "speed is slow"
    assert peak["finding_keys"] == "driver:speed_of_service | kpi:wait_time_minutes"
    assert peak["findings"] == "speed is slow | waits lower CSAT"
    twice = [*_findings(), *_findings()]  # the same findings twice still give one row per action
    reg = act.build_register(twice, CATALOGUE, GOVERNANCE, start=AS_OF)
    assert not reg["action"].duplicated().any() and len(reg) == 4


def test_scoped_findings_of_one_remedy_are_one_action_and_unknown_roles_stay_visible():
    """Defect fixed: one catalogue action became one row per scope ("CX forum" three times)."""
    found = [Finding(key="churn_risk:segment=A", kind="churn_risk", subject="A", finding="a", impact=1.0,
                     impact_unit="NPS points", scope="segment: A"),
             Finding(key="churn_risk:segment=B", kind="churn_risk", subject="B", finding="b", impact=2.0,
                     impact_unit="NPS points", scope="segment: B"),
             Finding(key="objective_off_track:x", kind="objective", subject="Goal", finding="off track"),
             Finding(key="objective_off_track:y", kind="objective", subject="Goal 2", finding="off track too",
                     scope="journey_stage: Support")]
    reg = act.build_register(found, CATALOGUE, GOVERNANCE, start=AS_OF)
    assert reg["action_id"].tolist() == ["retention", "forum"]
    assert reg["scope"].tolist() == ["segment: A | segment: B", "journey_stage: Support"]
    # two segments are disjoint: their points add up (1 + 2)
    assert reg["impact_points"].iloc[0] == 3.0
    assert reg["findings"].iloc[1] == "off track | off track too"
    assert reg["owner"].iloc[1] == "nobody_named"           # a role missing from governance shows its key
    assert reg["due"].iloc[1] == "2026-01-14"


def test_an_action_is_matched_only_to_findings_of_its_own_kind():
    """Defect fixed: onboarding was offered as the fix for a Support NPS gap (a bare ``segment_gap`` key)."""
    catalogue = [
        CatalogueAction(id="onboarding", title="Simplify onboarding",
                        addresses=["driver:ease_of_process", "segment_gap:journey_stage=Onboarding"], owner="cx_lead"),
        CatalogueAction(id="support", title="Fix support", addresses=["segment_gap:journey_stage=Support"],
                        owner="cx_lead"),
        CatalogueAction(id="any-gap", title="Review any gap", addresses=["segment_gap"], owner="cx_lead"),
        CatalogueAction(id="forum", title="CX forum", addresses=["objective_off_track"], owner="cx_lead"),
        CatalogueAction(id="billing", title="Fix bills", addresses=["objective_off_track:billing"], owner="cx_lead")]

    def gap(column, level):
        return Finding(key=f"segment_gap:{column}={level}", kind="segment_gap", subject=level, finding=f"{level} gap",
                       impact=1.0, impact_unit="NPS points", scope=f"{column}: {level}")
    found = [gap("journey_stage", "Support"), gap("journey_stage", "Onboarding"), gap("segment", "Small business"),
             Finding(key="objective_off_track:billing", kind="objective", subject="Bills", finding="bills off track"),
             Finding(key="objective_off_track:nps", kind="objective", subject="NPS", finding="nps off track")]
    reg = act.build_register(found, catalogue, GOVERNANCE, start=AS_OF).set_index("action_id")
    assert reg.loc["support", "finding_keys"] == "segment_gap:journey_stage=Support"
    assert reg.loc["onboarding", "finding_keys"] == "segment_gap:journey_stage=Onboarding"
    # the bare key takes only what no narrower address names; the forum only the objective no action names
    assert reg.loc["any-gap", "finding_keys"] == "segment_gap:segment=Small business"
    assert reg.loc["billing", "finding_keys"] == "objective_off_track:billing"
    assert reg.loc["forum", "finding_keys"] == "objective_off_track:nps"
    assert act.match_strength(found[0], "segment_gap:Support") == 2            # a level alone narrows too
    assert act.match_strength(found[0], "segment_gap:journey_stage") == 2      # so does a column
    assert act.match_strength(found[0], "segment_gap:Onboarding") == 0
    assert act.match_strength(found[0], "location_drop") == 0                  # another kind never matches


def test_every_uncovered_finding_gets_a_generated_action_with_the_default_owner():
    found = [Finding(key=f"maturity:{d}", kind="maturity", subject=f"{d} maturity", finding=d, impact=0.2,
                     impact_unit="maturity levels to close") for d in ("design", "culture")]
    found.append(Finding(key="odd", kind="something_new", subject="Odd thing", finding="odd"))
    found.append(Finding(key="odd:2", kind="something_new", subject="Odd thing", finding="odd again"))
    reg = act.build_register(found, [], GOVERNANCE, start=AS_OF)
    assert sorted(reg["action_id"]) == ["gen-maturity-1", "gen-maturity-2", "gen-something_new-1"]
    assert set(reg["owner"]) == {"Priya Shah (Head of CX)"}
    odd = reg.set_index("action_id").loc["gen-something_new-1"]
    assert odd["action"] == "Act on: Odd thing" and odd["findings"] == "odd | odd again"  # one title, one action


def test_no_findings_give_an_empty_register_with_its_columns():
    reg = act.build_register([], CATALOGUE, GOVERNANCE, start=AS_OF)
    assert reg.empty and reg.columns.tolist() == act.REGISTER_COLUMNS
    assert act.with_impact_text(reg) is reg


# --------------------------------------------------------------------------- what the page shows


@pytest.mark.parametrize(("impact", "unit", "text"), [
    (8.04, "NPS points", "+8.0 NPS points"),
    (-3.26, "NPS points (organisation)", "+3.3 NPS points (organisation)"),
    (166_408.36, "GBP a year at risk", "£166,408 a year at risk"),
    (1_000.0, "EUR a year at risk", "€1,000 a year at risk"),
    (1.1234, "maturity levels to close", "1.12 maturity levels to close"),
    (-2.5, "NPS points needed", "-2.5 NPS points needed"),
    (None, "NPS points", "not quantified"),
])
def test_native_text_states_the_main_findings_impact_in_its_own_unit(impact, unit, text):
    currency = "EUR" if unit.startswith("EUR") else "GBP"
    row = pd.Series({"impact": impact, "impact_unit": unit})
    assert act.native_text(row, currency=currency) == text
    assert act.impact_text(row, currency=currency) == text  # no value, no NPS points: the native unit


def test_impact_text_is_the_ranking_unit_with_its_interval():
    row = pd.Series({"impact_value": 7743.5, "impact_low": 2473.7, "impact_high": 12995.4, "impact_points": 8.04,
                     "points_low": float("nan"), "points_high": float("nan")})
    assert act.impact_text(row) == "£7,744 (£2,474 to £12,995) a year may be saved"
    points = pd.Series({"impact_points": 3.26, "points_low": 2.26, "points_high": 4.24})
    assert act.impact_text(points) == "+3.3 (2.3 to 4.2) NPS points"
    assert act.points_text(pd.Series({"impact_points": 0.5, "points_low": -0.01, "points_high": 1.0})) == \
        "+0.5 (0.0 to 1.0)"  # never "-0.0"
    assert act.value_text(pd.Series({"impact_value": float("nan")})) == "–"


def test_the_whole_register_is_on_the_page_with_human_labels(register):
    reg = act.with_impact_text(register)
    assert reg.columns[-1] == "expected impact"
    assert reg["expected impact"].tolist() == ["+4.0 NPS points", "+2.0 NPS points", "£30,000 a year at risk",
                                              "0.60 maturity levels to close"]
    view = act.register_view(reg)
    assert isinstance(view, TableView) and len(view.frame) == len(reg) and view.max_rows >= len(reg)
    assert view.columns == ["#", "Action", "Findings it answers", "NPS points it may add", "Value at risk",
                            "Main finding, own unit", "Confidence", "Effort", "Owner", "Due"]  # nothing valued
    assert view.note.startswith("All 4 actions, ranked by the NPS points they may add")  # nothing valued
    assert view.title == "The action register, by the NPS points each action may add"
    valued = act.build_register(_findings(), CATALOGUE, GOVERNANCE, start=AS_OF, value=VALUE, save_rate=SAVE,
                                reached={"churn_risk:segment=Small business": 10_000.0})
    cols = act.register_view(valued).columns
    assert act.register_view(valued).note.startswith("All 4 actions, ranked by the value they may save a year")
    assert cols[3:6] == ["Value it may save a year", "NPS points it may add", "Value at risk"]
    section = act.register_section(register)
    assert len(section.tables) == 2 and len(section.tables[0].frame) == 4
    assert "[action_plan.xlsx](../artifacts/06_action_plan/action_plan.xlsx)" in section.sentences[0]
    owners = act.owners_view(reg)
    assert owners.columns == ["Owner", "Actions", "First due"]
    assert owners.frame["Owner"].tolist() == sorted(reg["owner"])
    assert owners.frame["Actions"].tolist() == [1, 1, 1, 1]


def test_owners_view_counts_actions_and_takes_the_earliest_due_date():
    reg = pd.DataFrame({"action_id": ["a", "b", "c"], "owner": ["Zoe", "Al", "Zoe"],
                        "due": ["2026-05-01", "2026-02-01", "2026-03-15"]})
    view = act.owners_view(reg)
    assert view.frame.to_dict("records") == [{"Owner": "Al", "Actions": 1, "First due": "2026-02-01"},
                                             {"Owner": "Zoe", "Actions": 2, "First due": "2026-03-15"}]


# --------------------------------------------------------------------------- the owners' workbook


def test_workbook_sheets_leave_out_what_is_absent(register):
    findings = fnd.to_frame(_findings())
    queue = pd.DataFrame({"customer_id": ["C1"]})
    only = act.workbook_sheets(register, findings, pd.DataFrame(), None, None)
    assert list(only) == ["Register", "Findings"] and "origin" not in only["Register"].columns
    every = act.workbook_sheets(register, findings, queue, queue, pd.DataFrame({"rule": ["r"]}))
    assert list(every) == ["Register", "Findings", "Callback queue", "Retention list", "Alerts"]


def test_workbook_has_one_sheet_per_table_with_bold_frozen_headers(tmp_path):
    sheets = {"Register": pd.DataFrame({"rank": [1, 2], "action": ["Fix it", "Call them"]}),
              "A sheet name longer than thirty-one characters": pd.DataFrame({"when": pd.to_datetime(
                  ["2025-12-01 10:00"]).tz_localize("UTC")})}
    path = act.write_workbook(tmp_path / "out" / "plan.xlsx", sheets)
    back = pd.read_excel(path, sheet_name=None)
    assert list(back) == ["Register", "A sheet name longer than thirty"]
    assert back["Register"]["action"].tolist() == ["Fix it", "Call them"]
    assert back["A sheet name longer than thirty"]["when"].iloc[0] == pd.Timestamp("2025-12-01 10:00")
    ws = openpyxl.load_workbook(path)["Register"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold


# --------------------------------------------------------------------------- the demo's planted problems


def test_the_demos_planted_problems_become_owned_actions(root):
    """Artifacts written by hand from data/demo/truth.json, run through the demo's own catalogue and
    governance: the weakest driver, the location with the step, the most harmful topic and the
    riskiest segment each become a catalogue action with a named owner (a fast version of
    tests/flows/test_end_to_end.py::test_planted_problems_become_owned_actions)."""
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())
    cfg = load_config(root / "params" / "demo.yaml")
    d = truth["drivers"]
    drivers = pd.DataFrame({
        "driver": d["names"], "Driver": [cfg.metrics.drivers.labels[n] for n in d["names"]],
        "Share of R² %": [100 * d["importance_share"][n] for n in d["names"]],
        "Mean rating": [d["expected_mean_rating"][n] for n in d["names"]],
        "Quadrant": [d["quadrant"][n].replace("_", " ").capitalize() for n in d["names"]],
        "metric_gain": [d["weight_latent_per_point"][n] for n in d["names"]]})
    step = truth["location_step"]
    steps = pd.DataFrame({"location": [step["location"]], "step_period": [step["month"]], "metric": ["NPS"],
                          "value_before": [step["observed_nps_before"]], "value_after": [step["observed_nps_after"]],
                          "change": [step["observed_nps_after"] - step["observed_nps_before"]], "p_adj": [0.004],
                          "significant": [True]})
    topic = truth["topics"][truth["topics_most_harmful"]]
    label = " / ".join(topic["keywords"][:3])
    topic_impact = pd.DataFrame({"topic": [label], "impact": [topic["nps_diff_expected"]], "p_adj": [1e-6],
                                 "share": [topic["share_observed"]], "ci_low": [topic["nps_diff_expected"] - 5],
                                 "ci_high": [topic["nps_diff_expected"] + 5], "n_with": [topic["n_mentions"]]})
    # revenue at risk per segment ∝ share of customers × mean revenue × hazard ratio (small hazards)
    seg_hr = truth["churn"]["covariates"]["segment"]["hazard_ratio"]
    risk = pd.DataFrame({"segment": list(seg_hr)})
    risk["revenue_at_risk"] = [truth["segments"]["shares_design"][s] * truth["revenue"]["mean_by_segment"][s]
                               * seg_hr[s] * 1000 for s in seg_hr]
    artifacts = {("04_experience_analysis", "drivers"): drivers, ("04_experience_analysis", "steps"): steps,
                 ("04_experience_analysis", "topic_impact"): topic_impact,
                 ("05_churn_survival", "summary"): {"available": True, "horizon_months": 12},
                 ("05_churn_survival", "risk_by_segment"): risk}
    responses = pd.DataFrame({"location": [step["location"], "London"], "comment": ["bad bill", None],
                              "nps": [0, 10]})
    found = fnd.collect(lambda nb, name, default: artifacts.get((nb, name), default), responses, "GBP")
    reg = act.build_register(found, cfg.actions, cfg.governance, start=cfg.organisation.as_of)
    assert reg["owner"].astype(bool).all() and not reg["action"].duplicated().any()

    def answering(text: str, column: str = "finding_keys") -> pd.DataFrame:
        return reg[reg[column].astype(str).str.contains(text, regex=False)]

    owner = {r: cfg.owner_label(r) for r in cfg.governance.owners}
    driver = answering(f"driver:{d['concentrate_here']}")
    assert driver["action_id"].tolist() == ["peak-staffing"] and driver["owner"].iloc[0] == owner["operations"]
    location = answering(f"location: {step['location']}", "scope")
    assert location["action_id"].tolist() == ["location-recovery"] and location["owner"].iloc[0] == owner["regional_ops"]
    harmful = reg[reg["finding_keys"].map(lambda k: any(w in k for w in topic["keywords"]))]
    assert harmful["action_id"].tolist() == ["billing-accuracy"] and harmful["owner"].iloc[0] == owner["finance"]
    churn = answering("churn_risk")
    assert churn["scope"].tolist() == [f"segment: {truth['churn']['highest_risk_segment']}"]
    assert churn["owner"].iloc[0] == owner["account_management"]


def test_the_workbook_holds_no_live_formula_from_owners_titles_or_comments(tmp_path, register):
    """Owner names and action titles come from the params, comments from the client's export: a cell beginning with
    = + - @ is text behind a quote (OWASP's CSV-injection rule), and the sheet XML holds no <f> element."""
    import zipfile

    hostile = register.assign(owner="=HYPERLINK(\"http://x\",\"Owner\")", action="@SUM(1)")
    queue = pd.DataFrame({"customer_id": ["+C1"], "comment": ["=cmd|' /C calc'!A0"], "agent_id": ["-1+1"], "nps": [-0.0]})
    path = act.write_workbook(tmp_path / "plan.xlsx", act.workbook_sheets(hostile, fnd.to_frame(_findings()), queue))
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml
    back = pd.read_excel(path, sheet_name=None)
    assert set(back["Register"]["owner"]) == {"=HYPERLINK(\"http://x\",\"Owner\")"}  # text, shown as written
    assert back["Callback queue"].iloc[0].tolist() == ["+C1", "=cmd|' /C calc'!A0", "-1+1", 0]
    ws = openpyxl.load_workbook(path)["Callback queue"]
    assert [c.quotePrefix for c in ws[2]] == [True, True, True, False] and ws["D2"].data_type == "n"


# --------------------------------------------------------------------------- organisations with partial data (issue 15)


def test_without_revenue_the_churn_action_is_not_for_high_value_customers_and_is_sized_in_customers():
    leavers = Finding(key="churn_risk", kind="churn_risk", subject="Month-to-month customers", finding="f",
                      impact=50.0, impact_unit="customers expected to leave", confidence="medium")
    reg = act.build_register([leavers], [], GOVERNANCE, start=AS_OF)
    assert reg["action"].tolist() == ["Retention outreach to the Month-to-month customers most likely to leave"]
    assert act.impact_score(50.0, "customers expected to leave", None, act.ImpactReference()) == 0.5  # 50 / 100
    assert act.impact_text(reg.iloc[0], None) == "50 customers expected to leave"


def test_due_dates_count_from_the_run_date_never_from_the_data(tmp_path):
    """Defect fixed: due dates counted from the data's end (2025-12-31) all lay in the past on the run date."""
    import datetime as dt

    (tmp_path / "run.json").write_text(json.dumps({"started_at": "2026-12-02T16:08:05+00:00"}))
    start = act.run_date(tmp_path)
    assert start == dt.date(2026, 12, 2)
    reg = act.build_register(_findings(), CATALOGUE, GOVERNANCE, start=start)
    due = pd.to_datetime(reg["due"]).dt.date
    lead = {**{a.id: a.lead_time_days for a in CATALOGUE}, "gen-maturity-1": act.EFFORT_DAYS["medium"]}
    assert [(d - start).days for d in due] == [lead[a] for a in reg["action_id"]]
    # a notebook opened by hand (no run.json) counts from today; so does a register given no start
    assert act.run_date(tmp_path / "elsewhere") == dt.date.today() == act.run_date(None)
    today = act.build_register(_findings(), CATALOGUE, GOVERNANCE)
    assert (pd.to_datetime(today["due"]).dt.date > dt.date.today()).all()


def test_the_method_note_names_only_the_findings_and_units_the_inputs_allow():
    crm = act.intro_text({"customers"}, dated=False)
    assert "found (customers at risk), keeps" in crm and "(100 customers expected to leave)" in crm
    for phrase in ("NPS", "detractor", "survey", "revenue", "maturity", "operational"):
        assert phrase not in crm, phrase
    assert "**How actions are ranked:** by a priority score = impact score" in crm
    assert "Due dates count from the date of the run,\nso none lies in the past." in crm
    full = act.intro_text({"responses", "nps", "customers", "revenue", "operations", "maturity_answers"})
    assert ("found (drivers to concentrate on, comment topics that hurt, locations and segments that fell\nbehind, "
            "objectives off track, customers at risk, agents to coach, operational levers, maturity\ngaps)") in full
    assert "(5 NPS points, 5 percentage\npoints, 2% of annual revenue, one maturity level)" in full
    assert "by the value each may save a year (churn scores valued in revenue), else by the NPS points" in full
    assert "by the NPS points each may add" in act.intro_text({"responses", "nps"})
    assert "NPS" not in act.intro_text({"responses"})  # a survey without NPS (CSAT only) is ranked by priority


def test_the_page_opens_with_plain_sentences_from_the_results(register):
    table = fnd.to_frame(_findings())
    valued = act.build_register(_findings(), CATALOGUE, GOVERNANCE, start=AS_OF, value=VALUE, save_rate=SAVE,
                                reached={"churn_risk:segment=Small business": 10_000.0})
    alerts = pd.DataFrame({"fired": [True, True, False], "credible": [True, False, False]})
    opening = act.opening_section(table, {"customers", "revenue"}, register=valued, alerts=alerts, currency="GBP",
                                  method="value note")
    assert opening.sentences == [
        "The analysis found 5 problems worth acting on; they come down to **4 actions**, each with an owner and a due "
        "date.",
        "First action: **Staff the peaks**, owned by Tom Reilly (Operations Director), due 2026-03-01; it may "
        "save £4,000 (£2,000 to £6,000) a year.",
        "3 of the 4 actions are valued in money; the other one is not valued.",
        "In the latest period 1 alert needs action now and 1 watch item crossed its threshold within the noise."]
    assert 3 <= len(opening.sentences) <= 5
    method_words = ("Shapley", "Cox", "counterfactual", "priority =", "BH", "Efron")
    assert not any(w in " ".join(opening.sentences) for w in method_words)
    assert opening.methods == [act.intro_text({"customers", "revenue"}, kinds=set(table["kind"])), "value note"]
    # unvalued: NPS points; no currency set: the note says amounts are plain
    plain = act.opening_section(table, {"customers", "revenue"}, register=register, currency=None)
    assert plain.sentences[2] == "2 of the 4 actions are sized in the NPS points they may add."
    assert plain.sentences[-1].startswith("<span class='cx-note'>Amounts are shown without a currency symbol")
    assert "currency" not in " ".join(act.opening_section(table, {"customers"}, register=register,
                                                          currency=None).sentences)
    assert act.opening_section(table.iloc[:0], {"customers"}).sentences == [fnd.count_sentence(table.iloc[:0])]
    empty = act.register_section(register.iloc[:0])
    assert empty.sentences == ["*No action was generated — there is nothing to assign*"] and empty.tables == []
    assert act.files_text({"Register": None, "Findings": None}) == (
        "The workbook `action_plan.xlsx` holds the register and the findings, one sheet each; `action_register.csv` is the "
        "register for trackers.")


def test_one_finding_and_one_action_are_singular(register):
    one = register.iloc[:1]
    assert act.opening_sentences(fnd.to_frame(_findings()[:1]), one)[0] == (
        "The analysis found 1 problem worth acting on; it comes down to **1 action**, with an owner and a due date.")
    assert act.register_view(one).note.startswith("The only action, ranked by the NPS points it may add")
    leavers = Finding(key="churn_risk:plan=M", kind="churn_risk", subject="M customers", finding="f", impact=201.0,
                      impact_unit="customers expected to leave")
    crm = act.build_register([leavers], [], GOVERNANCE, start=AS_OF)
    assert act.register_sentence(crm).endswith("; its finding is measured as 201 customers expected to leave.")
    assert act.register_view(crm).title == "The action register, by priority"
    assert fnd.count_sentence(fnd.to_frame(_findings()[:1])) == (
        "The analysis produced **1 finding** that calls for action (1 driver).")
