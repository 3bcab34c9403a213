"""Tests of the action register (cxtemplate.plan.actions): findings → owned, prioritised, dated actions.

Expected registers are worked out by hand in each test from the rule in the module's docstring:
priority = min(1, |impact| / reference) × confidence weight ÷ effort weight, due = as_of + lead time.
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
        Finding(key="churn_risk", kind="churn_risk", subject="Small business customers", finding="revenue at risk",
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
    return act.build_register(_findings(), CATALOGUE, GOVERNANCE, as_of=AS_OF, annual_revenue=1_000_000)


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


def test_register_ranks_actions_by_priority_with_owners_and_due_dates(register):
    # retention: min(1, 30,000 / 20,000) × 0.7 (medium) / 1.0 (low effort)      = 0.7
    # peak:      min(1, 4 / 5) × 0.7 / 1.6 (medium effort)                        = 0.35
    # generated: 0.6 / 1 level × 0.7 / 1.6                                       = 0.2625
    # billing:   2 / 5 × 1.0 (high) / 2.5 (high effort)                           = 0.16
    assert register["action_id"].tolist() == ["retention", "peak", "gen-maturity-1", "billing"]
    assert register["rank"].tolist() == [1, 2, 3, 4]
    assert register["priority"].tolist() == pytest.approx([0.7, 0.35, 0.2625, 0.16])
    assert register["owner"].tolist() == ["Owen Price (Account Management Lead)", "Tom Reilly (Operations Director)",
                                          "Priya Shah (Head of CX)", "Helen Ward"]  # Helen Ward has no title
    # due = 2025-12-31 + 30, 60, 90 (a generated medium-effort action), 120 days
    assert register["due"].tolist() == ["2026-01-30", "2026-03-01", "2026-03-31", "2026-04-30"]
    assert register["origin"].tolist() == ["catalogue", "catalogue", "generated", "catalogue"]
    assert register["action"].iloc[2] == "Adopt the next practices in Design maturity"
    assert (register["status"] == "proposed").all()


def test_an_action_answering_several_findings_keeps_the_strongest_and_lists_them_all(register):
    peak = register.set_index("action_id").loc["peak"]
    # the KPI finding scores 0.1 / 5 × 1.0 / 1.6 = 0.0125 < 0.35: the driver finding stays the headline
    assert peak["finding_key"] == "driver:speed_of_service" and peak["finding"] == "speed is slow"
    assert peak["findings"] == "driver:speed_of_service; kpi:wait_time_minutes"


def test_scoped_findings_get_their_own_row_and_unknown_roles_stay_visible():
    found = [Finding(key="churn_risk", kind="churn_risk", subject="A", finding="a", impact=1.0,
                     impact_unit="NPS points", scope="segment: A"),
             Finding(key="churn_risk", kind="churn_risk", subject="B", finding="b", impact=2.0,
                     impact_unit="NPS points", scope="segment: B"),
             Finding(key="objective_off_track", kind="objective", subject="Goal", finding="off track")]
    reg = act.build_register(found, CATALOGUE, GOVERNANCE, as_of=AS_OF)
    assert reg["scope"].tolist() == ["segment: B", "segment: A", "organisation"]  # 0.28, 0.14, 0 (no impact)
    assert reg["action_id"].tolist() == ["retention", "retention", "forum"]
    assert reg["owner"].iloc[2] == "nobody_named"           # a role missing from governance shows its key
    assert reg["due"].iloc[2] == "2026-01-14"


def test_every_uncovered_finding_gets_a_generated_action_with_the_default_owner():
    found = [Finding(key=f"maturity:{d}", kind="maturity", subject=f"{d} maturity", finding=d, impact=0.2,
                     impact_unit="maturity levels to close") for d in ("design", "culture")]
    found.append(Finding(key="odd", kind="something_new", subject="Odd thing", finding="odd"))
    reg = act.build_register(found, [], GOVERNANCE, as_of=AS_OF)
    assert sorted(reg["action_id"]) == ["gen-maturity-1", "gen-maturity-2", "gen-something_new-1"]
    assert set(reg["owner"]) == {"Priya Shah (Head of CX)"}
    assert reg.set_index("action_id").loc["gen-something_new-1", "action"] == "Act on: Odd thing"


def test_no_findings_give_an_empty_register_with_its_columns():
    reg = act.build_register([], CATALOGUE, GOVERNANCE, as_of=AS_OF)
    assert reg.empty and {"rank", "action", "owner", "due"} <= set(reg.columns)
    assert act.with_impact_text(reg) is reg


# --------------------------------------------------------------------------- what the page shows


@pytest.mark.parametrize(("impact", "unit", "text"), [
    (8.04, "NPS points", "+8.0 NPS points"),
    (-3.26, "NPS points (organisation)", "+3.3 NPS points (organisation)"),
    (166_408.36, "GBP a year at risk", "£166,408 a year at risk"),
    (1_000.0, "EUR a year at risk", "€1,000 a year at risk"),
    (1.1234, "maturity levels to close", "1.12 levels to close"),
    (-2.5, "NPS points needed", "-2.5 NPS points needed"),
    (None, "NPS points", "not quantified"),
])
def test_impact_text(impact, unit, text):
    currency = "EUR" if unit.startswith("EUR") else "GBP"
    assert act.impact_text(pd.Series({"impact": impact, "impact_unit": unit}), currency=currency) == text


def test_register_sentence_and_tables(register):
    reg = act.with_impact_text(register)
    assert reg.columns[-1] == "expected impact"
    assert reg["expected impact"].tolist() == ["£30,000 a year at risk", "+4.0 NPS points", "0.60 levels to close",
                                              "+2.0 NPS points"]
    assert act.register_sentence(reg) == (
        "**4 actions**, 3 from the catalogue and 1 generated for findings the catalogue does not cover. "
        "The top priority is **Call valuable customers at risk** (owner: Owen Price (Account Management Lead), "
        "due 2026-01-30).")
    top = act.top_actions_view(reg, n=3)
    assert isinstance(top, TableView) and top.title == "Top actions by priority" and top.max_rows == 3
    assert top.columns == ["#", "Action", "Finding it answers", "Expected impact", "Confidence", "Effort", "Owner", "Due"]
    assert top.frame["#"].tolist() == [1, 2, 3]
    assert top.note.startswith("The full register (4 actions,")
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
    reg = act.build_register(found, cfg.actions, cfg.governance, as_of=cfg.organisation.as_of)
    assert reg["owner"].astype(bool).all()

    def answering(text: str, column: str = "findings") -> pd.DataFrame:
        return reg[reg[column].astype(str).str.contains(text, regex=False)]

    owner = {r: cfg.owner_label(r) for r in cfg.governance.owners}
    driver = answering(f"driver:{d['concentrate_here']}")
    assert driver["action_id"].tolist() == ["peak-staffing"] and driver["owner"].iloc[0] == owner["operations"]
    location = answering(f"location: {step['location']}", "scope")
    assert location["action_id"].tolist() == ["location-recovery"] and location["owner"].iloc[0] == owner["regional_ops"]
    harmful = reg[reg["findings"].map(lambda k: any(w in k for w in topic["keywords"]))]
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
    reg = act.build_register([leavers], [], GOVERNANCE, as_of=AS_OF)
    assert reg["action"].tolist() == ["Retention outreach to Month-to-month customers at highest risk"]
    assert act.impact_score(50.0, "customers expected to leave", None, act.ImpactReference()) == 0.5  # 50 / 100
    assert act.impact_text(reg.iloc[0], None) == "50 customers expected to leave"


def test_without_dates_due_dates_count_from_the_day_of_the_run():
    import datetime as dt

    reg = act.build_register(_findings(), CATALOGUE, GOVERNANCE, as_of=None)
    today = dt.date.today()
    due = pd.to_datetime(reg["due"]).dt.date
    assert (due >= today).all()
    lead = {**{a.id: a.lead_time_days for a in CATALOGUE}, "gen-maturity-1": act.EFFORT_DAYS["medium"]}
    assert [(d - today).days for d in due] == [lead[a] for a in reg["action_id"]]


def test_the_intro_names_only_the_findings_and_units_the_inputs_allow():
    crm = act.intro_text({"customers"}, dated=False)
    assert "found (customers at risk), quantifies" in crm and "(100 customers expected to leave)" in crm
    for phrase in ("NPS", "detractor", "survey", "revenue", "maturity", "operational", "analysis date"):
        assert phrase not in crm, phrase
    assert "Due dates count from\nthe day of the run: the data carry no calendar dates." in crm
    full = act.intro_text({"responses", "nps", "customers", "revenue", "operations", "maturity_answers"})
    assert ("found (drivers to concentrate on, comment topics that hurt, locations and segments that fell\nbehind, "
            "objectives off track, customers at risk, agents to coach, operational levers, maturity\ngaps)") in full
    assert "(5 NPS points, 5 percentage\npoints, 2% of annual revenue, one maturity level)" in full


def test_the_opening_register_and_files_sections(register):
    table = fnd.to_frame(_findings())
    opening = act.opening_section(table, {"customers", "revenue"}, currency=None)
    assert opening.methods == [act.intro_text({"customers", "revenue"}, kinds=set(table["kind"]))]
    # a survey without comments, agents or objectives: the plan names only the findings there are
    survey = act.intro_text({"responses"}, kinds={"segment_gap", "driver"})
    assert "found (drivers to concentrate on, locations and segments that fell\nbehind), quantifies" in survey
    assert "found, quantifies" in act.intro_text({"responses"}, kinds=set())
    assert opening.sentences[0] == fnd.count_sentence(table)
    assert opening.sentences[-1].startswith("<span class='cx-note'>Amounts are shown without a currency symbol")
    assert "currency" not in " ".join(act.opening_section(table, {"customers"}, currency=None).sentences)
    empty = act.register_section(register.iloc[:0])
    assert empty.sentences == ["*No action was generated — there is nothing to assign*"] and empty.tables == []
    full = act.register_section(register)
    assert len(full.tables) == 2 and "expected impact" in full.artifacts["register"].columns
    assert act.files_text({"Register": None, "Findings": None}) == (
        "`action_plan.xlsx` holds the register and the findings, one sheet each; `action_register.csv` is the "
        "register for trackers.")


def test_one_finding_and_one_action_are_singular(register):
    one = register.iloc[:1]
    assert act.register_sentence(one).startswith("**1 action**, ")
    assert act.top_actions_view(one).note.startswith("The full register (1 action, with")
    assert fnd.count_sentence(fnd.to_frame(_findings()[:1])) == (
        "The analysis produced **1 finding** that calls for action (1 driver).")
