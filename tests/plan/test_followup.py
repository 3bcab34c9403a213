"""Tests of the closed-loop follow-up queues (cxtemplate.plan.followup) on a five-row frame whose queue
can be read off by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from cxtemplate.plan import followup as fu

AS_OF = "2025-12-31"


@pytest.fixture()
def responses() -> pd.DataFrame:
    """r1 C1 detractor (2) on 20 Dec; r2 C2 detractor on the 6 boundary on 30 Dec; r3 C3 a 0 on 1 Dec at 23:59,
    just before the 30-day window (2 Dec – 31 Dec); r4 anonymous 1; r5 C1 again, less unhappy (5), later."""
    return pd.DataFrame({
        "response_id": ["r1", "r2", "r3", "r4", "r5"], "customer_id": ["C1", "C2", "C3", None, "C1"],
        "responded_at": pd.to_datetime(["2025-12-20 10:15:30", "2025-12-30 08:00:00", "2025-12-01 23:59:00",
                                        "2025-12-25 09:00:00", "2025-12-28 17:45:00"]),
        "touchpoint": ["App", "Phone", "Web", "App", "Store"], "location": ["Leeds"] * 5,
        "nps": [2.0, 6.0, 0.0, 1.0, 5.0], "comment": ["bad", None, "awful", "meh", "slow"]})


def test_detractor_queue_keeps_identified_detractors_of_the_window_most_unhappy_first(responses):
    queue = fu.detractor_queue(responses, as_of=AS_OF, days=30, owner="Dan (Service)")
    # r3 is a day too old, r4 anonymous; C1's lowest score (r1) is kept, not its later r5
    assert queue["response_id"].tolist() == ["r1", "r2"]
    assert queue.columns.tolist() == ["response_id", "customer_id", "responded_at", "touchpoint", "location", "nps",
                                      "comment", "owner"]
    assert (queue["owner"] == "Dan (Service)").all()
    # a window one day longer reaches r3, the unhappiest
    assert fu.detractor_queue(responses, as_of=AS_OF, days=31)["response_id"].tolist() == ["r3", "r1", "r2"]


def test_detractor_queue_orders_equal_scores_most_recent_first(responses):
    same = responses.assign(nps=2.0, customer_id=["C1", "C2", "C3", "C4", "C5"])
    assert fu.detractor_queue(same, as_of=AS_OF)["response_id"].tolist() == ["r2", "r5", "r4", "r1"]


def test_no_nps_or_no_customer_ids_give_an_empty_queue(responses):
    assert fu.detractor_queue(responses.drop(columns=["nps"]), as_of=AS_OF).empty
    assert fu.detractor_queue(responses.drop(columns=["customer_id"]), as_of=AS_OF).empty
    assert fu.detractor_queue(None, as_of=AS_OF).empty


def test_the_restricted_version_adds_contacts_and_is_written_to_the_restricted_folder(responses, tmp_path):
    queue = fu.detractor_queue(responses, as_of=AS_OF)
    contacts = pd.DataFrame({"customer_id": ["C2", "C1"], "email": ["c2@example.com", "c1@example.com"]})
    full = fu.restricted_version(queue, contacts)
    assert full["email"].tolist() == ["c1@example.com", "c2@example.com"]
    assert fu.restricted_version(queue, None) is queue
    path = fu.write_restricted(full, tmp_path / "restricted", "callback_queue_with_contacts")
    assert path == tmp_path / "restricted" / "callback_queue_with_contacts.csv"
    assert pd.read_csv(path)["email"].tolist() == ["c1@example.com", "c2@example.com"]


def test_contacts_are_read_when_integration_saved_them(tmp_path):
    assert fu.read_contacts(tmp_path) is None
    pd.DataFrame({"customer_id": ["C1"], "phone": ["07700 900123"]}).to_parquet(tmp_path / "contacts.parquet")
    assert fu.read_contacts(tmp_path)["phone"].tolist() == ["07700 900123"]


# --------------------------------------------------------------------------- what the page shows


def test_callback_view_shows_the_first_rows_without_the_owner(responses):
    queue = fu.detractor_queue(responses, as_of=AS_OF, owner="Dan")
    view = fu.callback_view(queue, n=1)
    assert view.title == "Callback queue (first 1, redacted)" and len(view.frame) == 1
    assert "owner" not in view.columns
    # human labels, never the canonical column names
    assert not set(view.columns) & {"response_id", "responded_at", "agent_id", "nps", "customer_id"}
    assert view.columns[:3] == ["Response", "Customer", "Response date"]
    assert view.formats["Response date"](queue["responded_at"].iloc[0]) == "2025-12-20 10:15"
    assert view.formats["Likelihood to recommend (0–10)"].format(2.0) == "2"
    assert fu.callback_view(queue, labels={"nps": "Score"}).formats["Score"].format(2.0) == "2"  # params' labels win
    assert fu.queue_sentence(queue, "Dan") == "**2 detractors** to call back (owner: Dan)."


def test_retention_view_labels_risk_and_money():
    at_risk = pd.DataFrame({"rank": [1, 2], "customer_id": ["C9", "C8"], "segment": ["Small business", "Enterprise"],
                            "churn_probability": [0.2557, 0.1091], "annual_revenue": [5020.2, 11100.6],
                            "revenue_at_risk": [1283.97, 1211.55], "reasons": ["detractor", "passive"],
                            "owner": ["Owen", "Owen"]})
    view = fu.retention_view(at_risk, "EUR", n=1)
    assert view.title == "Retention call list (first 1)" and len(view.frame) == 1
    assert view.columns == ["#", "Customer", "Segment", "Risk", "Annual revenue", "Revenue at risk",
                            "Why the risk is high"]                  # no plan or location here; no owner
    assert view.formats["Risk"](0.2557) == "26%"
    assert view.formats["Annual revenue"](5020.2) == "€5,020"
    assert fu.retention_sentence(at_risk, "Owen") == "**2 valuable customers at highest risk** to contact (owner: Owen)."


def test_restricted_queues_neutralise_formulas_in_contact_names_and_comments(responses, tmp_path):
    """Contact names from the CRM and comments may begin with = + - @: the restricted CSV keeps them as quoted text
    behind a single quote (OWASP's CSV-injection rule); the NPS stays a number."""
    queue = fu.detractor_queue(responses.assign(comment=["=HYPERLINK(\"http://x\",\"y\")", None, "x", "y", "z"]),
                               as_of=AS_OF)
    contacts = pd.DataFrame({"customer_id": ["C1", "C2"], "contact_name": ["@SUM(1)", "-1+1"]})
    path = fu.write_restricted(fu.restricted_version(queue, contacts), tmp_path / "restricted", "q")
    raw = path.read_text(encoding="utf-8")
    assert "\"'@SUM(1)\"" in raw and "\"'-1+1\"" in raw and "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" in raw
    back = pd.read_csv(path)
    assert back["contact_name"].tolist() == ["'@SUM(1)", "'-1+1"] and back["nps"].tolist() == [2.0, 6.0]


def test_a_retention_list_without_revenue_shows_no_money_and_no_valuable_customers():
    """Issue 15: no revenue mapped → no "Annual revenue £0" column and no "valuable customers"."""
    at_risk = pd.DataFrame({"rank": [1, 2], "customer_id": ["C9", "C8"], "churn_probability": [0.41, 0.3],
                            "annual_revenue": [0.0, 0.0], "revenue_at_risk": [0.0, 0.0], "reasons": ["short tenure"] * 2})
    view = fu.retention_view(at_risk, None)
    assert view.columns == ["#", "Customer", "Risk", "Why the risk is high"]
    assert fu.retention_sentence(at_risk, "Owen") == "**2 customers most likely to leave** to contact (owner: Owen)."
    unvalued = at_risk.drop(columns=["annual_revenue", "revenue_at_risk"])
    assert fu.retention_sentence(unvalued, "Owen") == "**2 customers most likely to leave** to contact (owner: Owen)."
    assert fu.retention_view(unvalued, None).columns == ["#", "Customer", "Risk", "Why the risk is high"]


def test_the_empty_callback_queue_names_what_is_missing(responses):
    """Without a survey the page says there is no survey, never "no identified detractor answered" (issue 15)."""
    assert fu.callback_absence(None) == ("There are no survey responses", "there is no callback queue")
    assert fu.callback_absence(responses.drop(columns="nps")) == ("There are no NPS scores",
                                                                  "there is no callback queue of detractors")
    assert fu.callback_absence(responses.assign(customer_id=None)) == (
        "The survey responses carry no customer ids", "no detractor can be called back")
    assert fu.callback_absence(responses) == ("No identified detractor answered in the last 30 days",
                                              "the callback queue is empty")
    assert fu.callback_absence(responses, dated=False)[0] == "No identified detractor answered"


def test_without_dates_the_queue_takes_every_identified_detractor(responses):
    queue = fu.detractor_queue(responses.assign(responded_at=pd.NaT), as_of=None, days=30)
    # every identified detractor (r4 is anonymous), C1 once with its lowest score
    assert sorted(queue["response_id"]) == ["r1", "r2", "r3"]


def test_the_follow_up_method_names_only_the_queues_there_are():
    assert fu.followup_method(callbacks=False, retention=False) == ""
    crm = fu.followup_method(callbacks=False, retention=True, revenue=False, days=None)
    assert crm.startswith("The **retention call list**: the active customers of the group the churn finding names,\n"
                          "most likely to leave within the churn horizon, with the reasons")
    assert "detractor" not in crm and "revenue" not in crm
    both = fu.followup_method(callbacks=True, retention=True)
    assert both.startswith("The **inner loop**: identified detractors of the last 30 days")
    assert "with the most revenue at risk" in both


# --------------------------------------------------------------------------- the call list answers its finding


SCORES = pd.DataFrame({
    "customer_id": ["E1", "E2", "S1", "S2", "S3", "C1"],
    "segment": ["Enterprise", "Enterprise", "Small business", "Small business", "Small business", "Consumer"],
    "location": ["Leeds"] * 6, "churn_probability": [0.05, 0.06, 0.30, 0.20, 0.10, 0.15],
    "annual_revenue": [20_000.0, 18_000.0, 2_000.0, 3_000.0, 1_000.0, 500.0],
    "revenue_at_risk": [1_000.0, 1_080.0, 600.0, 600.0, 100.0, 75.0]})


def test_a_small_business_findings_call_list_holds_only_small_business_customers():
    """Defect fixed: the organisation-wide top list (mostly Enterprise) answered a Small-business finding."""
    at_risk = pd.DataFrame({"customer_id": ["E2", "S2"], "reasons": ["big account", "detractor at last survey"]})
    calls = fu.call_list(SCORES, at_risk, "segment: Small business", n=2)
    assert set(calls["segment"]) == {"Small business"}
    # most revenue at risk first, ties by customer id; the reason from notebook 05 kept, else risk vs the group
    assert calls["customer_id"].tolist() == ["S1", "S2"] and calls["rank"].tolist() == [1, 2]
    assert calls["reasons"].tolist() == ["risk 30% against 20% for Small business customers on average",
                                         "detractor at last survey"]
    assert fu.reached_value(calls) == 1_200.0
    everyone = fu.call_list(SCORES, None, "organisation", n=2)
    assert everyone["customer_id"].tolist() == ["E2", "E1"]
    assert fu.call_list(SCORES, None, "segment: Nobody").empty and fu.call_list(None, None, "organisation").empty
    unvalued = fu.call_list(SCORES.drop(columns=["revenue_at_risk"]), None, "segment: Small business", n=1)
    assert unvalued["customer_id"].tolist() == ["S1"] and fu.reached_value(unvalued) is None  # by risk alone
    assert fu.call_sentence(calls, "segment: Small business", "Owen") == (
        "**The retention call list holds the 2 Small business customers with the most revenue at risk** (owner: Owen): "
        "the group the churn finding names, so the calls answer it.")
