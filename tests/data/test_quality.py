"""Tests of the data-quality tables of notebook 00 (cxtemplate.data.quality), from a hand-made integration summary."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxtemplate.data import quality as dq
from cxtemplate.report.display import TableView

# The shape of Integration.quality(): per table what came in, what was used and why rows were set aside.
# 10 customers in, 2 quarantined (one reason); 4 responses in, none quarantined; a client table we have
# no label for. Total 15 rows in, 2 quarantined: 13.33%.
SUMMARY = {
    "tables": {
        "customers": {"source": "crm.csv", "rows_in": 10, "rows_used": 8, "rows_quarantined": 2,
                      "reasons": {"start_date: date in the future": 2},
                      "missing_share": {"end_date": 0.75, "segment": 0.0, "plan": 0.125},
                      "date_range": {"start_date": ["2023-01-01", "2024-12-31"], "end_date": ["2024-02-01", None]},
                      "redactions": {}},
        "responses": {"source": "survey.xlsx", "rows_in": 4, "rows_used": 4, "rows_quarantined": 0,
                      "reasons": {}, "missing_share": {"comment": 0.5},
                      "date_range": {"responded_at": ["2024-01-03", "2024-03-30"]},
                      "redactions": {"email": 2, "phone": 0, "card": 1}},
        "loyalty": {"source": "loyalty.csv", "rows_in": 1, "rows_used": 1, "rows_quarantined": 0,
                    "reasons": {}, "missing_share": {}, "date_range": {}},
    },
    "joins": {"responses": {"rows": 4, "with_customer_id": 3, "joined": 2, "join_rate": 0.6667},
              "interactions": {"rows": 5, "with_customer_id": 0, "joined": 0, "join_rate": None}},
}


def test_rows_table_balances_and_gives_the_quarantined_share():
    t = dq.rows_table(SUMMARY).set_index("Table")
    assert list(t.index) == ["Customers (CRM)", "Survey responses", "loyalty"]   # unknown table keeps its name
    assert t.loc["Customers (CRM)", "Quarantined %"] == pytest.approx(100 * 2 / 10)
    assert t.loc["Survey responses", "Quarantined %"] == 0.0
    assert t["Balanced"].all()
    unbalanced = {"tables": {"customers": {**SUMMARY["tables"]["customers"], "rows_used": 7}}}
    assert not dq.rows_table(unbalanced)["Balanced"].iat[0]                        # 7 + 2 ≠ 10
    empty = {"tables": {"customers": {**SUMMARY["tables"]["customers"], "rows_in": 0, "rows_used": 0,
                                      "rows_quarantined": 0}}}
    assert dq.rows_table(empty)["Quarantined %"].iat[0] == 0.0                     # no division by zero


def test_reasons_split_column_from_problem():
    t = dq.reasons_table(SUMMARY)
    assert t.to_dict("records") == [{"Table": "Customers (CRM)", "Column": "Customer since",
                                     "Problem": "date in the future", "Rows": 2}]
    crossed = {"tables": {"customers": {**SUMMARY["tables"]["customers"],
                                        "reasons": {"row: end_date before start_date": 2}}}}
    assert dq.reasons_table(crossed).to_dict("records") == [{"Table": "Customers (CRM)", "Column": "Whole row",
                                                             "Problem": "end date before start date", "Rows": 2}]
    clean = {"tables": {"responses": SUMMARY["tables"]["responses"]}}
    assert dq.reasons_table(clean).empty and list(dq.reasons_table(clean).columns) == ["Table", "Column", "Problem", "Rows"]


def test_coverage_and_missing_tables():
    cov = dq.coverage_table(SUMMARY)
    assert cov[["Column", "From", "To"]].values.tolist() == [
        ["Customer since", "2023-01-01", "2024-12-31"], ["Left on", "2024-02-01", None],
        ["Response date", "2024-01-03", "2024-03-30"]]                             # display labels, not column names
    miss = dq.missing_table(SUMMARY)
    assert miss["Column"].tolist() == ["Left on", "Comment", "Plan"]                # largest first; 0% left out
    assert miss["Empty %"].tolist() == pytest.approx([75.0, 50.0, 12.5])
    assert dq.missing_table(SUMMARY, min_share=0.6)["Column"].tolist() == ["Left on"]
    assert dq.missing_view(SUMMARY).note == ("Some columns are empty by design: an active customer has no end date; "
                                             "most responses carry no comment.")


def test_joins_and_redactions():
    j = dq.joins_table(SUMMARY).set_index("Table")
    assert j.loc["Survey responses", "Match rate %"] == pytest.approx(66.67)
    assert j.loc["Survey responses", "Matched to a customer"] == 2
    assert j.loc["Conversations", "Match rate %"] is None or np.isnan(j.loc["Conversations", "Match rate %"])
    r = dq.redactions_table(SUMMARY)
    assert r.values.tolist() == [["Survey responses", "e-mail address", 2], ["Survey responses", "payment card", 1]]  # zeros left out


def test_headline_counts_every_source():
    assert dq.headline(SUMMARY) == (
        "**3 sources were read and validated:** 8 customers (CRM), 4 survey responses and 1 loyalty. "
        "2 rows (13.33%) were quarantined with a reason and are listed below; none were dropped silently.")
    clean = {"tables": {"responses": SUMMARY["tables"]["responses"]}}
    assert dq.headline(clean).endswith("4 survey responses. No row needed to be quarantined.")


def test_opening_says_what_came_in_in_plain_sentences():
    text = dq.opening_sentences(SUMMARY)
    assert text[0] == dq.headline(SUMMARY)
    assert text[1:] == ["The data cover 2023-01-01 to 2024-12-31.",
                        "66.7% of the 3 survey responses that carry a customer id match a known customer.",
                        "3 pieces of personal data were removed from free text before anything was stored."]
    one = {"tables": {"maturity_answers": {**SUMMARY["tables"]["loyalty"], "rows_used": 1}}}
    assert dq.headline(one).startswith("**1 source was read and validated:** 1 maturity questionnaire answer.")
    section = dq.opening_section(SUMMARY)
    assert section.sentences == text and section.methods == [dq.INTRO]
    assert all(t[0].isupper() or t[0].isdigit() or t.startswith("**") for t in section.sentences)


def test_the_volume_chart_has_a_reading_for_its_alt_text():
    months = pd.to_datetime(["2024-01-05", "2024-01-09", "2024-02-03", "2024-03-01", "2024-03-02", "2024-03-03"])
    responses = pd.DataFrame({"responded_at": months})
    assert dq.volume_alt(responses, None, "M") == ("Data volume over time: survey responses from 1 to 3 a month "
                                                   "(3 in 2024-03).")
    section = dq.coverage_section(SUMMARY, responses, None, "M")
    assert section.charts[0].alt == dq.volume_alt(responses, None, "M")


def test_views_carry_titles_formats_and_notes():
    views = [dq.rows_view(SUMMARY), dq.reasons_view(SUMMARY), dq.coverage_view(SUMMARY), dq.missing_view(SUMMARY),
             dq.joins_view(SUMMARY), dq.redactions_view(SUMMARY)]
    assert all(isinstance(v, TableView) and v.title for v in views)
    for v in views:                                     # every format names a column the reader sees
        assert set(v.formats) <= set(v.columns), v.title
    assert dq.rows_view(SUMMARY).note.startswith("Balanced = rows in")
    assert dq.missing_view(SUMMARY).formats["Empty %"].format(12.5) == "12.5%"
    assert dq.reasons_view({"tables": {}}).frame.empty
    assert dq.redactions_view({"tables": {"responses": {**SUMMARY["tables"]["responses"], "redactions": {}}}}).frame.empty


def test_plot_volume_counts_rows_per_period():
    responses = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-10", "2024-04-01"])})
    interactions = pd.DataFrame({"started_at": pd.to_datetime(["2024-02-02", "2024-02-03", pd.NaT])})
    fig = dq.plot_volume(responses, interactions, "M")
    ax = fig.axes[0]
    lines = {ln.get_label(): ln.get_ydata().tolist() for ln in ax.get_lines()}
    assert lines == {"Survey responses": [2, 1, 1], "Conversations": [2]}          # March has no response row
    assert "n = 6" in ax.texts[-1].get_text() and "rows per month" in ax.texts[-1].get_text()
    fig_q = dq.plot_volume(responses, None, "Q")
    assert [ln.get_ydata().tolist() for ln in fig_q.axes[0].get_lines()] == [[3, 1]]
    assert fig_q.axes[0].get_legend_handles_labels()[1] == ["Survey responses"]
    plt.close("all")


def test_an_empty_section_says_one_sentence_instead_of_an_empty_table():
    """Each view of the quality page carries the sentence the page shows when it has no rows."""
    clean = {"tables": {}}
    assert dq.reasons_view(clean).empty == "No row failed a check."
    assert dq.missing_view(clean).empty == "No column has empty values."
    # the join table is shown only with a CRM and survey answers or conversations (joins_section): empty, none carry ids
    assert dq.joins_view(clean).empty.startswith("The survey responses and conversations carry no customer ids")
    assert dq.redactions_view(clean).empty.startswith("No personal data was found in free text")


# --------------------------------------------------------------------------- warnings and conversions (issue 14)


def test_nothing_to_say_when_there_is_no_warning_and_no_conversion():
    assert dq.caveats_text(SUMMARY) == "" and dq.join_warning(SUMMARY) == "" and dq.join_warning(None) == ""


def test_warnings_come_first_then_what_was_converted_on_the_way_in():
    warning = "Only 67% of the survey responses with a customer id (2 of 3) match a customer in the CRM, so …"
    q = {**SUMMARY, "warnings": [warning],
         "joins": {"responses": {**SUMMARY["joins"]["responses"], "warning": warning},
                   "interactions": {"rows": 5, "with_customer_id": 5, "joined": 5, "join_rate": 1.0}},
         "tables": {**SUMMARY["tables"],
                    "responses": {**SUMMARY["tables"]["responses"],
                                  "notes": ["responded_at: timestamps carry UTC offsets; every one was converted to UTC"]}}}
    assert dq.caveats_text(q) == (f"**Read with care:** {warning}\n\n**Converted on the way in:** Survey responses: "
                                  "responded_at: timestamps carry UTC offsets; every one was converted to UTC.")
    assert dq.join_warning(q) == warning == dq.join_warning(q, "responses")
    assert dq.join_warning(q, "interactions") == ""


# --------------------------------------------------------------------------- partial organisations (issue 15)


def test_the_period_comes_from_the_data_never_from_the_clock():
    assert dq.data_period(SUMMARY) == "2023-01-01 to 2024-12-31"  # the latest date in any table
    assert dq.data_period(SUMMARY, start="2023-06-01") == "2023-06-01 to 2024-12-31"
    dateless = {"tables": {"customers": {"rows_used": 5, "date_range": {}, "missing_share": {"revenue": 1.0}}}}
    assert dq.data_period(dateless) == "tenure-based data, no calendar dates"
    assert dq.present_inputs(dateless) == {"customers"}  # all-empty revenue is no revenue; no date
    assert dq.present_inputs(SUMMARY) == {"customers", "responses", "loyalty", "dates"}


def test_a_generated_key_is_stated_on_the_page():
    quality = {"tables": {"customers": {**SUMMARY["tables"]["customers"], "generated_key": "customer_id"}}}
    text = dq.generated_key_text(quality)
    assert text.startswith("**Generated key:** the CRM export has no id column, so each row was numbered")
    assert text.endswith("that number is its customer id; no other system's ids can be matched to it.")
    assert dq.caveats_text(quality).startswith(text) and dq.generated_key_text(SUMMARY) == ""


def test_the_joins_section_speaks_only_of_the_tables_there_are():
    crm_only = {"tables": {"customers": SUMMARY["tables"]["customers"]}}
    section = dq.joins_section(crm_only)
    assert section.sentences == ["*There are no survey responses and no conversations — there is nothing to link to "
                                 "the customers*", "The exports carry no free text — there was nothing to redact."]
    assert section.methods == [] and section.tables == []
    survey_only = {"tables": {"responses": SUMMARY["tables"]["responses"]}}
    section = dq.joins_section(survey_only)
    assert section.sentences[0] == "*There is no CRM — the survey responses cannot be linked to customers*"
    assert section.methods == [dq.REDACTION_METHOD_WITHOUT_CRM]
    assert "card-like numbers and names people give" in dq.REDACTION_METHOD_WITHOUT_CRM  # a list ends with "and"
    assert len(section.tables) == 1  # the redactions
    both = dq.joins_section({"tables": {k: SUMMARY["tables"][k] for k in ("customers", "responses")},
                             "joins": SUMMARY["joins"]})
    assert both.methods == [
        "Survey answers are most useful when they belong to a known customer: that is\nwhat links experience to "
        "churn. " + dq.REDACTION_METHOD]  # the CRM has no revenue column: churn only
    assert len(both.tables) == 2


def test_the_note_on_columns_empty_by_design_names_only_those_in_the_table():
    """A CRM-only export has no comments: the note must not speak of responses (issue 15)."""
    assert dq.missing_view(SUMMARY).note == ("Some columns are empty by design: an active customer has no end date; "
                                             "most responses carry no comment.")
    crm_only = {"tables": {"customers": {**SUMMARY["tables"]["customers"], "missing_share": {"total_charges": 0.013}}}}
    assert dq.missing_view(crm_only).note == ""
    comments = {"tables": {"responses": SUMMARY["tables"]["responses"]}}
    assert dq.missing_view(comments).note == "Some columns are empty by design: most responses carry no comment."
