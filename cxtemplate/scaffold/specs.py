"""The canonical columns ``cxtemplate new`` looks for, table by table, and the names that give them away.

Each :class:`Spec` lists a canonical column's kind of values, its synonyms and the words that
mark it inside a longer name, and how much a match says about the table;
:mod:`cxtemplate.scaffold.guess` scores source columns against them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    """How to recognise one canonical column.

    ``synonyms`` match the whole (normalised) name; ``contains`` match a word or phrase inside it.
    ``weight`` is how much a match says about the table; ``value_only`` lets the values alone
    propose the column (for unmistakable values such as free text or e-mail addresses).
    """

    name: str
    kind: str
    synonyms: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    weight: float = 0.5
    value_only: bool = False


_LOCATION = Spec("location", "cat", ("geography", "country", "region", "branch", "store", "site", "city", "state",
                                     "area", "territory", "office", "market", "depot", "shop", "outlet", "clinic",
                                     "hotel", "restaurant", "airport", "station"),
                 ("location", "branch", "store", "site", "region", "geography", "country", "city"), 0.3)
_SEGMENT = Spec("segment", "cat", ("customer_segment", "class", "tier", "customer_type", "type", "customer_class",
                                   "customer_category", "market_segment", "category", "cohort", "persona"),
                ("segment", "tier"), 0.3)
_CUSTOMER_REF = Spec("customer_id", "ref_id", ("customerid", "cust_id", "client_id", "account", "account_id",
                                               "account_number", "customer_number", "customer_no", "member_id",
                                               "user_id", "subscriber_id", "customer"),
                     ("customer_id", "cust_id", "client_id", "account_id", "account_number"), 0.3)
_AGENT = Spec("agent_id", "ref_id", ("agent", "rep", "advisor", "adviser", "employee", "employee_id", "staff",
                                     "staff_id", "consultant", "handled_by", "agent_name", "operator", "owner"),
              ("agent", "advisor", "adviser", "rep", "employee", "staff", "operator"), 0.4)
_CHANNEL = Spec("channel", "cat", ("medium", "source", "contact_channel", "survey_channel", "via", "contact_type",
                                   "contact_method", "platform"), ("channel",), 0.4)

SPECS: dict[str, tuple[Spec, ...]] = {
    "customers": (
        Spec("customer_id", "own_id", ("id", "customerid", "cust_id", "client_id", "clientid", "account", "account_id",
                                       "account_number", "customer_number", "customer_no", "member_id",
                                       "subscriber_id", "user_id", "customer"),
             ("customer_id", "cust_id", "client_id", "account_id", "account_number"), 2.0),
        Spec("start_date", "date", ("signup_date", "sign_up_date", "joined", "join_date", "joined_at", "date_joined",
                                    "created_at", "start", "since", "customer_since", "activation_date", "opened",
                                    "open_date", "opened_at", "contract_start", "onboarded_at", "first_purchase_date"),
             ("start", "signup", "joined", "since", "activation", "onboard"), 1.5),
        Spec("end_date", "date", ("churn_date", "cancelled_at", "canceled_at", "cancellation_date", "cancel_date",
                                  "closed_at", "close_date", "end", "termination_date", "terminated_at", "left_at",
                                  "leave_date", "contract_end", "exit_date", "churned_at"),
             ("end", "churn_date", "cancel", "cancelled", "canceled", "cancellation", "termination", "closed"), 1.5),
        Spec("tenure", "tenure", ("tenure_months", "tenure_years", "tenure_days", "tenure_weeks", "months_active",
                                  "lifetime", "months_as_customer", "years_as_customer", "customer_age_months",
                                  "account_length", "account_age", "months_on_book", "customer_tenure",
                                  "length_of_service", "months_with_company", "years_with_company",
                                  "relationship_length", "membership_length", "subscription_length",
                                  "days_as_customer", "weeks_as_customer", "customer_for_months"),
             ("tenure",), 1.5),
        Spec("churned", "bool", ("exited", "churn", "churned", "is_churned", "has_churned", "attrition", "attrited",
                                 "left", "cancelled", "canceled", "lost", "churn_flag", "churn_label", "attrition_flag",
                                 "closed", "has_left", "is_lost", "churn_value", "churn_status", "status",
                                 "account_status", "customer_status", "subscription_status", "membership_status",
                                 "contract_status", "is_closed", "terminated"),
             ("churn", "churned", "exited", "attrition"), 2.0),
        _SEGMENT, _LOCATION,
        Spec("plan", "cat", ("product", "tariff", "package", "subscription", "contract_type", "plan_type",
                             "service_plan", "membership", "membership_type", "bundle", "product_name", "contract"),
             ("plan", "tariff", "package", "subscription"), 0.5),
        Spec("revenue", "money", ("monthly_revenue", "monthly_charges", "mrr", "arpu", "monthly_fee", "monthly_spend",
                                  "spend", "revenue_per_month", "charges", "monthly_bill", "bill_amount",
                                  "annual_revenue", "yearly_revenue", "arr", "annual_spend", "value"),
             ("revenue", "charges", "arpu", "mrr", "spend"), 1.0),
        Spec("contact_name", "person_name", ("name", "full_name", "customer_name", "client_name", "contact",
                                             "contact_person", "account_name"), ("full_name", "contact_name"), 0.3),
        Spec("contact_email", "email", ("email", "e_mail", "email_address", "mail"), ("email", "e_mail"), 0.3,
             value_only=True),
        Spec("contact_phone", "phone", ("phone", "phone_number", "telephone", "tel", "mobile", "mobile_number",
                                        "cell", "msisdn"), ("phone", "mobile", "telephone"), 0.3),
    ),
    "responses": (
        Spec("response_id", "own_id", ("id", "responseid", "response_number", "survey_id", "survey_response_id",
                                       "submission_id", "feedback_id", "review_id", "record_id"),
             ("response_id", "submission_id", "review_id"), 1.0),
        _CUSTOMER_REF,
        Spec("responded_at", "datetime", ("date", "created_at", "survey_date", "response_date", "submitted_at",
                                          "submitted", "completed_at", "timestamp", "tweet_created", "review_date",
                                          "created", "date_time", "datetime", "answered_at", "feedback_date",
                                          "completion_date", "end_date", "recorded_date"),
             ("date", "created", "timestamp", "submitted", "completed", "time"), 1.0),
        Spec("journey_stage", "cat", ("journey", "stage", "journey_step", "lifecycle_stage", "phase",
                                      "customer_journey"), ("journey", "stage"), 0.6),
        Spec("touchpoint", "cat", ("touch_point", "interaction_type", "event", "event_type", "trigger",
                                   "survey_type", "transaction_type"), ("touchpoint", "touch_point"), 0.6),
        _LOCATION, _CHANNEL, _AGENT, _SEGMENT,
        Spec("nps", "nps", ("likelihood_to_recommend", "ltr", "recommend", "nps_score", "net_promoter",
                            "net_promoter_score", "would_recommend", "recommendation", "likely_to_recommend",
                            "likelihood_recommend"), ("recommend", "nps", "ltr", "promoter"), 2.0, value_only=True),
        Spec("csat", "csat", ("satisfaction", "sat", "overall_satisfaction", "csat_score", "customer_satisfaction",
                              "satisfied", "rating", "stars", "star_rating", "overall_rating", "score",
                              "overall_score", "review_rating"), ("satisfaction", "satisfied", "csat"), 2.0),
        Spec("ces", "ces", ("effort", "customer_effort", "effort_score", "ces_score", "customer_effort_score"),
             ("effort", "ces", "easy"), 2.0),
        Spec("comment", "text", ("text", "verbatim", "review", "feedback", "verified_reviews", "comments",
                                 "review_text", "free_text", "open_text", "remarks", "why", "reason", "body",
                                 "message", "content", "tweet", "review_body", "opinion"),
             ("comment", "verbatim", "review", "feedback", "text"), 1.5, value_only=True),
    ),
    "interactions": (
        Spec("interaction_id", "own_id", ("id", "ticket_id", "case_id", "conversation_id", "call_id", "chat_id",
                                          "contact_id", "session_id", "tweet_id", "message_id", "ticket",
                                          "case_number", "ticket_number"),
             ("interaction_id", "ticket", "case_id", "conversation_id", "call_id", "chat_id"), 2.0),
        _CUSTOMER_REF,
        Spec("started_at", "datetime", ("date", "created_at", "start_time", "started", "opened_at", "timestamp",
                                        "call_date", "tweet_created", "created", "date_time", "datetime",
                                        "received_at", "contact_date", "call_start", "start"),
             ("date", "created", "timestamp", "started", "time", "opened", "received"), 1.0),
        _CHANNEL,
        Spec("intent", "cat", ("reason", "topic", "category", "contact_reason", "call_reason", "issue", "issue_type",
                               "negativereason", "negative_reason", "disposition", "subject", "intent_name",
                               "complaint_type", "request_type"),
             ("intent", "reason", "topic", "issue"), 1.0),
        Spec("sentiment", "sentiment", ("sentiment_score", "polarity", "tone", "airline_sentiment"),
             ("sentiment", "polarity"), 1.0),
        Spec("resolved", "bool", ("is_resolved", "fcr", "first_contact_resolution", "solved", "resolution",
                                  "is_solved", "resolved_flag", "status", "ticket_status", "case_status"),
             ("resolved", "fcr", "solved"), 1.0),
        Spec("handle_seconds", "duration", ("aht", "handle_time", "duration", "talk_time", "call_duration",
                                            "handling_time", "duration_seconds", "handle_secs", "handle_time_seconds",
                                            "call_length"), ("duration", "handle", "aht"), 1.5),
        _AGENT, _LOCATION,
        Spec("text", "text", ("transcript", "message", "body", "content", "comment", "tweet", "notes", "summary",
                              "description", "chat_text", "conversation"), ("text", "transcript", "message"), 0.8,
             value_only=True),
    ),
    "operations": (
        Spec("period", "date", ("month", "date", "period_start", "week", "quarter", "reporting_period",
                                "year_month", "yearmonth", "month_start"), ("period", "month"), 1.0),
        _LOCATION,
        Spec("kpi", "cat", ("metric", "measure", "indicator", "kpi_name", "metric_name", "measure_name"),
             ("kpi", "metric", "indicator", "measure"), 2.0),
        Spec("value", "numeric", ("amount", "actual", "metric_value", "kpi_value", "measure_value", "val"),
             ("value",), 1.5),
    ),
    "maturity_answers": (
        Spec("respondent_id", "ref_id", ("respondent", "participant", "participant_id", "interviewee", "person_id",
                                         "respondent_number"), ("respondent", "participant"), 1.5),
        Spec("role", "cat", ("job_role", "position", "function", "job_title", "department", "job_function"),
             ("role",), 0.5),
        Spec("dimension", "cat", ("discipline", "pillar", "area", "domain", "capability", "theme"),
             ("dimension", "pillar", "discipline"), 2.0),
        Spec("practice", "cat", ("question", "item", "statement", "practice_id", "question_id", "criterion"),
             ("practice", "question"), 2.0),
        Spec("level", "level", ("score", "rating", "maturity", "stage", "answer", "maturity_level",
                                "maturity_score"), ("level",), 1.5),
    ),
}
