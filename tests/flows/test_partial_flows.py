"""Pages never claim what the data lacks (issue 15, Deliver 5): the rendered report of partial organisations.

Every real data set (``onboarded_runs``: a CRM only, a survey only, reviews, tweets, and the CRM shapes made from
the bank's export) and a conversations-only organisation (the demo's conversations alone) is run with no edits (``onboarded_runs``);
then every page of its report is read as text and checked, with :func:`cxtemplate.report.absent.claims`, for the
phrases of the inputs the organisation did not supply ("NPS", "detractor", "survey", "conversation", "revenue",
"£", … — the documented list :data:`cxtemplate.report.absent.ABSENT_PHRASES`).

What is absent is read from what came in, not from the code under test: the canonical tables integration kept
rows of (``quality.json``), whether the CRM carries a revenue value and the responses an NPS score (their share
of empty values), and whether any table carries a calendar date. For the organisations whose shape we know the
test also states the tables (the bank is a CRM and nothing else; the airline a survey and nothing else), so an
onboarding that quietly invents a source fails here too.

The fast tests show that the checker fails when a phrase of an absent source is planted in a page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cxtemplate.report.absent import INPUTS, claims

KNOWN_TABLES = {
    "bank_churn": {"customers"},
    "no_id": {"customers"},
    "yes_no_flags": {"customers"},
    "tenure_months": {"customers"},
    "telecom": {"customers"},
    "airline_satisfaction": {"responses"},
    "conversations_only": {"interactions"},
}
"""The tables each organisation of known shape must come in with (and no other)."""

# --------------------------------------------------------------------------- the checker


def _has_values(table: dict, column: str) -> bool:
    share = (table.get("missing_share") or {}).get(column)
    return share is not None and share < 1


def supplied_inputs(run_dir: Path) -> set[str]:
    """The inputs the organisation of a run supplied, from its integration record ``quality.json``."""
    quality = json.loads((run_dir / "artifacts" / "00_data_integration" / "quality.json").read_text(encoding="utf-8"))
    tables = {name: t for name, t in quality["tables"].items() if t.get("rows_used", 0) > 0}
    supplied = set(tables)
    if "customers" in tables and _has_values(tables["customers"], "revenue"):
        supplied.add("revenue")
    if "responses" in tables and _has_values(tables["responses"], "nps"):
        supplied.add("nps")
    if any(d for t in tables.values() for rng in (t.get("date_range") or {}).values() for d in rng):
        supplied.add("dates")
    return supplied


def report_pages(run_dir: Path) -> list[Path]:
    """Every rendered page of a run: the index, the pages and the scorecards."""
    return [run_dir / "index.html", *sorted((run_dir / "pages").rglob("*.html"))]


def page_claims(run_dir: Path, absent) -> list[str]:
    """Every phrase of an ``absent`` input on any page of the run, as 'page: claim' lines."""
    return [f"{page.relative_to(run_dir)}: {claim}" for page in report_pages(run_dir)
            for claim in claims(page.read_text(encoding="utf-8"), sorted(absent))]


def assert_pages_claim_nothing(run_dir: Path, absent) -> None:
    """Fail, naming page, phrase and text, when a page speaks of an input the organisation did not supply."""
    found = page_claims(run_dir, absent)
    assert not found, f"pages speak of absent inputs ({', '.join(sorted(absent))}):\n" + "\n".join(found)


# --------------------------------------------------------------------------- fast: the checker can fail

PAGE = """<html><head><title>{org}</title></head><body><header class="cx-header"><div>{org}</div>
<div class="cx-meta">Tenure-based data, no calendar dates · Run 2026-12-01</div></header><main>
<h1>Action plan</h1><p><em>There are no survey responses — there is no callback queue</em></p>{planted}</main>
</body></html>"""


def _run_dir(tmp_path: Path, planted: str = "") -> Path:
    pages = tmp_path / "pages"
    (pages / "scorecards").mkdir(parents=True)
    (tmp_path / "index.html").write_text(PAGE.format(org="Bank", planted=""), encoding="utf-8")
    (pages / "06_action_plan.html").write_text(PAGE.format(org="Bank", planted=planted), encoding="utf-8")
    (pages / "scorecards" / "london.html").write_text(PAGE.format(org="Bank", planted=""), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("planted, phrase", [
    ("<p>No identified detractor answered in the last 30 days</p>", "detractor"),
    ("<figure><figcaption>Source: CRM, surveys, contacts</figcaption></figure>", "survey"),
    ("<table><tr><th>Annual revenue</th></tr><tr><td>£0</td></tr></table>", "£"),
    ("<p>50 valuable customers at highest risk</p>", "valuable"),
    ("<p>Median handle time 4.2 minutes in chat.</p>", "handle time"),
])
def test_the_check_fails_when_a_phrase_of_an_absent_source_is_planted(tmp_path, planted, phrase):
    run_dir = _run_dir(tmp_path, planted)
    absent = set(INPUTS) - {"customers"}  # a CRM without revenue, dates or anything else
    with pytest.raises(AssertionError, match=f"06_action_plan.html: '{phrase}'"):
        assert_pages_claim_nothing(run_dir, absent)


def test_the_check_passes_a_page_that_says_only_what_is_absent(tmp_path):
    run_dir = _run_dir(tmp_path, "<p>Churn within 12 months: 23% of customers.</p>")
    assert_pages_claim_nothing(run_dir, set(INPUTS) - {"customers"})
    assert [p.name for p in report_pages(run_dir)] == ["index.html", "06_action_plan.html", "london.html"]


def test_supplied_inputs_come_from_the_integration_record(tmp_path):
    folder = tmp_path / "artifacts" / "00_data_integration"
    folder.mkdir(parents=True)
    quality = {"tables": {
        "customers": {"rows_used": 10, "missing_share": {"revenue": 1.0, "tenure_days": 0.0}, "date_range": {}},
        "responses": {"rows_used": 5, "missing_share": {"nps": 0.2}, "date_range": {"responded_at": [None, None]}},
        "interactions": {"rows_used": 0, "missing_share": {}, "date_range": {}}}}
    (folder / "quality.json").write_text(json.dumps(quality), encoding="utf-8")
    assert supplied_inputs(tmp_path) == {"customers", "responses", "nps"}  # revenue all empty; no date; 0 rows


# --------------------------------------------------------------------------- slow: every partial organisation


ALL = ["bank_churn", "airline_satisfaction", "amazon_alexa_reviews", "twitter_airline_sentiment", "no_id",
       "yes_no_flags", "tenure_months", "telecom", "conversations_only"]
WITHOUT_CRM = ["airline_satisfaction", "amazon_alexa_reviews", "twitter_airline_sentiment", "conversations_only"]


@pytest.mark.slow
def test_the_conversations_only_organisation_supplies_conversations_and_dates_only(onboarded_runs):
    assert supplied_inputs(onboarded_runs["conversations_only"]) == {"interactions", "dates"}


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_no_page_speaks_of_an_absent_source(onboarded_runs, name):
    run_dir = onboarded_runs[name]
    supplied = supplied_inputs(run_dir)
    tables = supplied & {"customers", "responses", "interactions", "operations", "maturity_answers"}
    if name in KNOWN_TABLES:
        assert tables == KNOWN_TABLES[name]
    else:  # reviews and tweets: one source of customers' words, a survey or conversations
        assert len(tables & {"responses", "interactions"}) == 1 and "customers" not in tables
    found = page_claims(run_dir, set(INPUTS) - supplied)
    assert not found, f"pages of {name} speak of absent inputs:\n" + "\n".join(found)


@pytest.mark.slow
@pytest.mark.parametrize("name", WITHOUT_CRM)
def test_the_churn_page_of_an_organisation_without_a_crm_is_one_sentence(onboarded_runs, name):
    """Notebook 05 without a CRM: the sentence that there is none, no survival method text, no table, no chart —
    also when `new` switched churn off for want of a CRM."""
    run_dir = onboarded_runs[name]
    page = (run_dir / "pages" / "05_churn_survival.html").read_text(encoding="utf-8")
    found = claims(page, sorted(set(INPUTS) - supplied_inputs(run_dir)))
    assert not found, "\n".join(map(str, found))
    assert "There is no CRM table — churn cannot be analysed, so this page has no results" in page
    assert "Survival analysis" not in page and "<table" not in page and "<img" not in page
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "There is no CRM (customer table)." in index and "Who is likely to leave" not in index


@pytest.mark.slow
@pytest.mark.parametrize("name, period", [("bank_churn", "tenure-based data, no calendar dates"),
                                          ("tenure_months", "tenure-based data, no calendar dates"),
                                          ("telecom", "tenure-based data, no calendar dates"),
                                          ("airline_satisfaction", "no calendar dates in the data")])
def test_a_dateless_organisation_says_so_instead_of_a_date(onboarded_runs, name, period):
    """The header says "tenure-based data, no calendar dates" (a CRM without dates) or "no calendar dates in the
    data" (an undated survey, nothing tenure-based), never the day of the run as the data's end."""
    run_dir = onboarded_runs[name]
    assert "dates" not in supplied_inputs(run_dir)
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["organisation"]["period"] == period
    for page in report_pages(run_dir):
        text = page.read_text(encoding="utf-8")
        assert period.capitalize() in text, page.name
        assert f"Data all to {run['started_at'][:10]}" not in text and f"to {run['started_at'][:10]}" not in text


@pytest.mark.slow
def test_due_dates_of_a_dateless_plan_never_lie_before_the_run(onboarded_runs):
    run_dir = onboarded_runs["telecom"]
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    register = pd.read_csv(run_dir / "artifacts" / "06_action_plan" / "action_register.csv")
    assert len(register) and (pd.to_datetime(register["due"]) >= pd.Timestamp(run["started_at"][:10])).all()
