"""Guessing what a client's export is: which canonical table, and which column is which.

Used by :mod:`cxtemplate.scaffold` (``cxtemplate new``). Every guess is a combination of two
pieces of evidence, each scored 0–1:

* the **name**: the canonical name itself or a synonym (``Exited`` → ``churned``), exactly or as a
  word inside a longer name (``cancelled_at`` contains ``cancelled``), or a close spelling;
* the **values**: 0–10 integers for NPS, 1–5 for CSAT, dates that parse, yes/no flags, unique
  identifiers, free text, …

A column's score for a canonical column is ``0.55 × name + 0.45 × values`` (values alone count
for a few columns whose values are unmistakable, such as free-text comments or e-mail addresses,
at most 0.4). Values that contradict the canonical type rule a match out whatever the name says.
Within a table, canonical columns are assigned greedily from the best score down. A file's table
is the one with the most weighted evidence; its confidence grows with that evidence and shrinks
when another table fits almost as well.

Everything here works on a sample (a couple of thousand rows) and is pure: no files are written.
"""

from __future__ import annotations

import difflib
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .survival_data import is_personal

SAMPLE_ROWS = 2000
MAX_SEGMENT_LEVELS = 30
MAX_DRIVERS = 15

# strptime formats tried, in order, for dates that are not ISO 8601 (day-first before month-first:
# when the sample cannot tell them apart, the guess says so).
DATE_FORMATS = (
    "%d/%m/%Y", "%m/%d/%Y", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S",
    "%d/%m/%y", "%m/%d/%y", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%Y/%m/%d",
    "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y%m%d",
)
_DATEISH = re.compile(r"\d{1,4}[-/.]\d{1,2}|\d{1,2}[-/. ][A-Za-z]{3}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|^\d{8}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
_SENSITIVE = re.compile(r"(^|_)(gender|sex|age|ethnicity|ethnic|race|religion|disability|marital|nationality|"
                        r"birth|dob|date_of_birth)(_|$)")
_PERSONAL_EXTRA = re.compile(r"(^|_)(surname|forename|first_name|last_name|given_name|family_name|"
                             r"street|address|postcode|zip|zipcode|ssn|passport|iban)(_|$)")

TRUE_WORDS = {"yes", "y", "true", "t", "1", "1.0", "churned", "left", "exited", "cancelled", "canceled", "closed",
              "lost", "resolved", "solved", "fixed", "attrited", "attrition", "gone", "former"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "0.0", "active", "stayed", "retained", "current", "open",
               "unresolved", "unsolved", "existing", "remained", "existing customer", "not resolved"}
# Values the integration reads as booleans without a recode (cxtemplate.schemas).
NATIVE_BOOL = {"true", "t", "yes", "y", "1", "1.0", "false", "f", "no", "n", "0", "0.0"}
SENTIMENT_WORDS = {"negative": -1, "neg": -1, "neutral": 0, "neu": 0, "mixed": 0, "positive": 1, "pos": 1}
# Satisfaction answers given as words: the scores they are recoded to, on two or five points.
LIKERT5 = {"very dissatisfied": 1, "dissatisfied": 2, "neutral": 3, "neither satisfied nor dissatisfied": 3,
           "satisfied": 4, "very satisfied": 5}


# --------------------------------------------------------------------------- names


def normalise(name: str) -> str:
    """A column name as lower-case words joined by underscores.

    Examples
    --------
    >>> normalise("CustomerId"), normalise("Type of Travel"), normalise("Departure/Arrival time")
    ('customer_id', 'type_of_travel', 'departure_arrival_time')
    """
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def looks_personal(name: str) -> bool:
    """Whether a column name looks like personal data (name, e-mail, phone, address, …)."""
    n = normalise(name)
    return is_personal(name) or is_personal(n) or bool(_PERSONAL_EXTRA.search(n))


def looks_sensitive(name: str) -> bool:
    """Whether a column holds a protected characteristic (gender, age, ethnicity, …)."""
    return bool(_SENSITIVE.search(normalise(name)))


# --------------------------------------------------------------------------- column profiles


@dataclass
class ColumnProfile:
    """What a sample says about one column."""

    name: str
    norm: str
    n: int                       # non-missing values in the sample
    rows: int                    # rows in the sample
    n_unique: int
    numeric: bool = False
    integer: bool = False
    lo: float | None = None      # robust range: values seen at least twice (in samples of 200+)
    hi: float | None = None
    raw_lo: float | None = None
    raw_hi: float | None = None
    is_text: bool = False        # strings (not numbers)
    is_datetime: bool = False    # already a date/time type (Parquet, Excel)
    date_share: float = 0.0
    date_format: str | None = None
    date_note: str = ""
    mean_len: float = 0.0
    email_share: float = 0.0
    phone_share: float = 0.0
    row_number: bool = False
    numbers_as_text: bool = False  # numbers with a few blanks or words among them (read as text by the integration)
    levels: list[str] = field(default_factory=list)   # the most frequent values (as text), up to 31
    values: pd.Series | None = field(default=None, repr=False)

    @property
    def unique_share(self) -> float:
        """Distinct values per non-missing value."""
        return self.n_unique / self.n if self.n else 0.0

    @property
    def is_date(self) -> bool:
        """Whether the column holds dates."""
        return self.is_datetime or self.date_share >= 0.9

    def level_text(self, k: int = 3) -> str:
        """'3 levels (Business, Eco, Eco Plus)' or '40 levels (a, b, c, …)'."""
        shown = ", ".join(sorted(self.levels[:k]) if self.n_unique <= k else self.levels[:k])
        more = ", …" if self.n_unique > k else ""
        return f"{self.n_unique} levels ({shown}{more})"

    def range_text(self) -> str:
        """'integers 0–5' or 'numbers 0.2–8,542'."""
        kind = "integers" if self.integer else "numbers"
        return f"{kind} {_num(self.raw_lo)}–{_num(self.raw_hi)}"


def _num(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1000 else f"{x:.4g}"


def profile_column(name: str, s: pd.Series) -> ColumnProfile:
    """Profile one sampled column: type, range, levels, date and identifier hints."""
    rows = len(s)
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        txt = s.astype("string").str.strip()
        s = s.where(txt.notna() & (txt != ""), None)
    nonnull = s.dropna()
    p = ColumnProfile(name=str(name), norm=normalise(name), n=len(nonnull), rows=rows,
                      n_unique=int(nonnull.astype(str).nunique()) if len(nonnull) else 0)
    if not len(nonnull):
        return p
    counts = nonnull.astype(str).value_counts()
    p.levels = [str(v) for v in counts.index[:31]]
    if pd.api.types.is_bool_dtype(nonnull):
        p.values = nonnull
        return p
    if pd.api.types.is_datetime64_any_dtype(nonnull):
        p.is_datetime, p.date_share = True, 1.0
        p.values = pd.to_datetime(nonnull)
        return p
    num = nonnull if pd.api.types.is_numeric_dtype(nonnull) else pd.to_numeric(nonnull, errors="coerce")
    if pd.api.types.is_numeric_dtype(nonnull) or num.notna().mean() >= 0.98:
        p.numbers_as_text = not pd.api.types.is_numeric_dtype(nonnull)
        num = num.dropna().astype(float)
        p.numeric = True
        p.values = num
        p.integer = bool(len(num)) and bool((num % 1 == 0).all())
        if len(num):
            p.raw_lo, p.raw_hi = float(num.min()), float(num.max())
            vc = num.value_counts()
            common = vc[vc >= 2].index if len(num) >= 200 else vc.index
            common = common if len(common) else vc.index
            p.lo, p.hi = float(min(common)), float(max(common))
            if p.integer and p.n_unique == p.n and p.n > 20 and pd.api.types.is_integer_dtype(num.index):
                offset = num.to_numpy() - num.index.to_numpy()  # a row number is its row's position (+ 0 or 1)
                p.row_number = bool((offset == offset[0]).all()) and offset[0] in (0, 1)
        return p
    text = nonnull.astype(str).str.strip()
    p.is_text = True
    p.values = text
    p.mean_len = float(text.str.len().mean())
    p.email_share = float(text.str.match(_EMAIL).mean())
    p.phone_share = float((text.str.match(_PHONE) & (text.str.count(r"\d") >= 7)).mean())
    p.date_share, p.date_format, p.date_note = detect_dates(text)
    return p


def profile_frame(frame: pd.DataFrame) -> list[ColumnProfile]:
    """Profiles of every column of a sample, in file order."""
    return [profile_column(str(c), frame.iloc[:, i]) for i, c in enumerate(frame.columns)]


def parse_dates(values: pd.Series, fmt: str | None) -> pd.Series:
    """Parse text as dates like the integration does: a given format, else ISO 8601, else inferred."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values
    elif fmt:
        out = pd.to_datetime(values, format=fmt, errors="coerce")
    else:
        out = pd.to_datetime(values, format="ISO8601", errors="coerce")
        if values.notna().any() and out[values.notna()].isna().mean() > 0.5:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = pd.to_datetime(values, errors="coerce")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert(None)
    return out


def detect_dates(text: pd.Series) -> tuple[float, str | None, str]:
    """Share of values that are dates, the strptime format they need (``None`` for ISO), and a note."""
    sample = text.iloc[:500]
    if not len(sample) or sample.str.contains(_DATEISH).mean() < 0.9 or sample.str.len().max() > 40:
        return 0.0, None, ""
    iso = pd.to_datetime(sample, format="ISO8601", errors="coerce").notna().mean()
    if iso >= 0.95:
        return float(iso), None, "ISO dates"
    fits = []
    for fmt in DATE_FORMATS:
        share = float(pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean())
        if share >= 0.95:
            fits.append((share, fmt))
    if fits:
        best = max(share for share, _ in fits)
        tied = [fmt for share, fmt in fits if share == best]
        note = f"dates like '{sample.iloc[0]}'"
        if len(tied) > 1 and any("%m/%d" in f or "%m-%d" in f for f in tied[1:]):
            note += "; day/month order is ambiguous in the sample (TODO: check)"
        return best, tied[0], note
    return 0.0, None, ""


# --------------------------------------------------------------------------- canonical column specs


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
        Spec("tenure", "tenure", ("tenure_months", "tenure_years", "tenure_days", "months_active", "lifetime",
                                  "months_as_customer", "years_as_customer", "customer_age_months"),
             ("tenure",), 1.5),
        Spec("churned", "bool", ("exited", "churn", "churned", "is_churned", "has_churned", "attrition", "attrited",
                                 "left", "cancelled", "canceled", "lost", "churn_flag", "churn_label", "attrition_flag",
                                 "closed", "has_left", "is_lost"),
             ("churn", "churned", "exited", "attrition"), 2.0),
        _SEGMENT, _LOCATION,
        Spec("plan", "cat", ("product", "tariff", "package", "subscription", "contract_type", "plan_type",
                             "service_plan", "membership", "membership_type", "bundle", "product_name", "contract"),
             ("plan", "tariff", "package", "subscription"), 0.5),
        Spec("revenue", "money", ("monthly_revenue", "monthly_charges", "mrr", "arpu", "monthly_fee", "monthly_spend",
                                  "spend", "revenue_per_month", "charges", "monthly_bill", "bill_amount",
                                  "annual_revenue", "yearly_revenue", "arr", "annual_spend", "value", "clv"),
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
                                  "is_solved", "resolved_flag"), ("resolved", "fcr", "solved"), 1.0),
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


# --------------------------------------------------------------------------- matching


@dataclass
class Match:
    """One proposed mapping: canonical column ← source column, with its confidence and evidence."""

    canon: str
    column: str
    confidence: float
    why: str
    recode: dict | None = None
    missing: list | None = None
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fit:
    """How well a column's values fit a canonical type."""

    score: float
    why: str
    recode: dict | None = None
    info: dict[str, Any] = field(default_factory=dict)


def name_score(p: ColumnProfile, spec: Spec) -> tuple[float, str]:
    """How well a column's name fits a canonical column (0–1) and why."""
    norm = p.norm
    if norm == spec.name:
        return 1.0, "the canonical name"
    for i, syn in enumerate(spec.synonyms):
        if norm == syn:
            return round(0.95 - 0.005 * i, 3), f"name matches '{syn}'"
    padded = f"_{norm}_"
    for phrase in spec.contains:
        if f"_{phrase}_" in padded or f"_{phrase}s_" in padded:
            return 0.7, f"name contains '{phrase}'"
    if spec.kind == "own_id" and (norm.endswith("_id") or norm.endswith("id") and len(norm) <= 12):
        return 0.5, "name looks like an identifier"
    ratio = difflib.SequenceMatcher(None, norm, spec.name).ratio()
    if ratio >= 0.85:
        return round(0.8 * ratio, 3), f"name is close to '{spec.name}'"
    return 0.0, ""


def _bool_values(p: ColumnProfile) -> tuple[dict | None, str] | None:
    """A yes/no column: the recode it needs (``None`` when read natively) and its description."""
    if p.values is not None and pd.api.types.is_bool_dtype(p.values):
        return None, "true/false"
    if p.n_unique != 2 and not (p.n_unique == 1 and p.n):
        return None
    levels = [str(v) for v in p.levels[:2]]
    lower = [v.strip().lower() for v in levels]
    if p.numeric:
        if set(p.values.unique()) <= {0.0, 1.0}:
            return None, "0/1 (1 = yes)"
        return None
    if all(v in TRUE_WORDS | FALSE_WORDS for v in lower) and len({v in TRUE_WORDS for v in lower}) == len(lower):
        recode = {lv: (lo in TRUE_WORDS) for lv, lo in zip(levels, lower)}
        return recode, "/".join(sorted(levels, key=lambda v: v.lower() not in TRUE_WORDS))
    return None


def _scale_for(lo: float, hi: float, zero_missing: bool = False) -> tuple[int, int] | None:
    """The standard rating scale a range of integers lies on."""
    if lo < 0 or hi > 10:
        return None
    if hi <= 5:
        return (1, 5) if lo >= 1 or zero_missing else (0, 5)
    if hi <= 7:
        return (1, 7) if lo >= 1 else (0, 7)
    return (0, 10) if lo < 1 or hi > 9 else (1, 10)


def value_fit(p: ColumnProfile, kind: str, spec_name: str = "") -> Fit | None:
    """How well a column's values fit a canonical kind; ``None`` when they contradict it."""
    if p.n == 0:
        return Fit(0.4, "empty in the sample") if kind in ("date", "datetime", "text", "cat") else None
    if kind == "own_id":
        if p.row_number or p.is_date or (p.numeric and not p.integer) or (p.is_text and p.mean_len > 40):
            return None
        if p.unique_share >= 0.98:
            return Fit(1.0, "unique values")
        if p.unique_share >= 0.9:
            return Fit(0.7, f"{p.unique_share:.0%} unique (duplicates will be quarantined)")
        return None
    if kind == "ref_id":
        if p.row_number or p.is_date or (p.numeric and not p.integer) or (p.is_text and p.mean_len > 40) or p.n_unique < 2:
            return None
        return Fit(0.9, f"{p.n_unique:,} distinct identifiers in the sample")
    if kind in ("date", "datetime"):
        if p.is_datetime:
            return Fit(1.0, "dates")
        if p.is_text and p.date_share >= 0.9:
            return Fit(0.95, p.date_note or "dates", info={"date_format": p.date_format})
        return None
    if kind == "cat":
        if p.is_date or p.n_unique > 200 or (p.is_text and p.mean_len > 60):
            return None
        if p.is_text:
            return Fit(1.0 if p.n_unique <= MAX_SEGMENT_LEVELS else 0.7, p.level_text())
        if p.numeric and p.integer and p.n_unique <= MAX_SEGMENT_LEVELS:
            return Fit(0.5, f"codes: {p.level_text()}", info={"numeric_codes": True})
        return None
    if kind == "text":
        if not p.is_text or p.is_date or p.email_share > 0.5:
            return None
        if p.n_unique < min(30, 0.3 * p.n):
            return None
        if p.mean_len >= 15:
            return Fit(1.0, f"free text, {p.mean_len:.0f} characters on average")
        if p.mean_len >= 8 and p.unique_share >= 0.5:
            return Fit(0.6, f"short text, {p.mean_len:.0f} characters on average")
        return None
    if kind == "nps":
        if p.numeric and p.integer and p.lo >= 0 and p.hi <= 10 and p.hi >= 8 and p.n_unique >= 5:
            return Fit(1.0, "integers 0–10")
        return None
    if kind in ("csat", "ces", "level"):
        return _score_fit(p, kind)
    if kind == "bool":
        b = _bool_values(p)
        if b is None:
            return None
        recode, text = b
        return Fit(1.0, text, recode=recode)
    if kind == "tenure":
        if p.numeric and p.lo is not None and p.raw_lo >= 0:
            unit, conf, why = tenure_unit(p)
            return Fit(1.0, f"{p.range_text()}, {why}", info={"tenure_unit": unit, "unit_confidence": conf, "unit_why": why})
        return None
    if kind in ("money", "duration"):
        if p.numeric and not p.row_number and p.lo is not None and p.lo >= 0 and p.n_unique > 2:
            return Fit(1.0, p.range_text())
        return None
    if kind == "numeric":
        return Fit(1.0, p.range_text()) if p.numeric else None
    if kind == "sentiment":
        if p.numeric and p.raw_lo >= -1 and p.raw_hi <= 1 and not p.integer:
            return Fit(1.0, "numbers between −1 and 1")
        lower = {v.strip().lower() for v in p.levels}
        if p.is_text and lower and lower <= set(SENTIMENT_WORDS) and len(lower) >= 2:
            recode = {v: SENTIMENT_WORDS[v.strip().lower()] for v in p.levels}
            return Fit(0.9, f"labels {', '.join(sorted(lower))} recoded to −1/0/1", recode=recode)
        return None
    if kind == "email":
        return Fit(1.0, f"{p.email_share:.0%} e-mail addresses") if p.email_share >= 0.5 else None
    if kind == "phone":
        return Fit(1.0, f"{p.phone_share:.0%} phone numbers") if p.phone_share >= 0.5 else None
    if kind == "person_name":
        if p.is_text and p.email_share < 0.2 and 3 <= p.mean_len <= 60 and p.unique_share >= 0.3 and not p.is_date:
            return Fit(0.9, "names")
        return None
    raise ValueError(f"unknown kind {kind!r}")


def _score_fit(p: ColumnProfile, kind: str) -> Fit | None:
    """A rating: CSAT, CES or a maturity level, as integers or as satisfaction words."""
    if p.numeric:
        if not p.integer or p.lo is None:
            return None
        if kind == "level":
            return Fit(1.0, p.range_text()) if p.lo >= 1 and p.hi <= 10 else None
        if kind == "ces":
            if p.lo >= 1 and p.hi <= 7:
                scale = (1, 5) if p.hi <= 5 else (1, 7)
                return Fit(1.0, p.range_text(), info={"scale": scale})
            return None
        scale = _scale_for(p.lo, p.hi)
        if scale is None or p.hi - p.lo < 1:
            return None
        return Fit(1.0 if scale[1] in (5, 7) else 0.8, p.range_text(), info={"scale": scale})
    if kind != "csat" or not p.is_text:
        return None
    lower = {v: v.strip().lower() for v in p.levels}
    if p.n_unique == 2:
        good = [v for v, lo in lower.items() if "satisf" in lo and not re.search(r"dis|not|neutral|un", lo)]
        if len(good) == 1:
            other = next(v for v in lower if v != good[0])
            return Fit(0.9, f"2 levels ({good[0]} / {other}) recoded to 2 / 1",
                       recode={good[0]: 2, other: 1}, info={"scale": (1, 2), "success_min": 2})
    if 3 <= p.n_unique <= 6 and all(lo in LIKERT5 for lo in lower.values()):
        return Fit(0.85, f"{p.n_unique} satisfaction levels recoded to 1–5",
                   recode={v: LIKERT5[lo] for v, lo in lower.items()}, info={"scale": (1, 5)})
    return None


def tenure_unit(p: ColumnProfile) -> tuple[str, float, str]:
    """The unit of a tenure column from its name, else its range: (unit, confidence, why)."""
    for unit, words in (("month", ("month", "months", "mo", "mths")), ("year", ("year", "years", "yrs", "yr")),
                        ("week", ("week", "weeks", "wk")), ("day", ("day", "days"))):
        if any(f"_{w}_" in f"_{p.norm}_" for w in words):
            return unit, 0.95, f"the name says {unit}s"
    hi = p.raw_hi or 0
    if hi <= 15:
        return "year", 0.6, f"at most {_num(hi)}: looks like whole years"
    if hi <= 130:
        return "month", 0.6, f"at most {_num(hi)}: looks like months"
    if hi <= 800:
        return "week", 0.4, f"at most {_num(hi)}: weeks or days?"
    return "day", 0.6, f"up to {_num(hi)}: looks like days"


def combine(ns: float, fit: Fit) -> float:
    """A match's confidence from its name and value scores."""
    if ns > 0:
        return round(min(0.99, 0.55 * ns + 0.45 * fit.score), 2)
    return round(0.4 * fit.score, 2)


def _reason(name_why: str, fit: Fit) -> str:
    parts = [fit.why] + ([name_why] if name_why else ["values only"])
    return ", ".join(p for p in parts if p)


# --------------------------------------------------------------------------- tables


@dataclass
class TableGuess:
    """A file seen as one canonical table: evidence, confidence and the column mapping."""

    table: str
    evidence: float
    matches: dict[str, Match]
    drivers: list[Match] = field(default_factory=list)
    driver_scale: tuple[int, int] | None = None
    kpi_columns: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    confidence: float = 0.0

    @property
    def feasible(self) -> bool:
        """Whether the integration can read the file as this table."""
        return not self.missing_required

    @property
    def used_columns(self) -> set[str]:
        """Source columns mapped to canonical columns, drivers or KPIs."""
        return {m.column for m in self.matches.values()} | {m.column for m in self.drivers} | set(self.kpi_columns)


def match_table(table: str, profiles: list[ColumnProfile]) -> TableGuess:
    """Map a file's columns onto one table's canonical columns (greedy, best score first)."""
    candidates: list[tuple[float, int, int, Match]] = []
    nps_value_only = []
    for si, spec in enumerate(SPECS[table]):
        for ci, p in enumerate(profiles):
            ns, name_why = name_score(p, spec)
            if ns == 0 and not spec.value_only:
                continue
            fit = value_fit(p, spec.kind, spec.name)
            if fit is None or fit.score == 0:
                continue
            if fit.info.get("numeric_codes") and ns < 0.9:
                continue
            if fit.why == "empty in the sample" and ns < 0.9:
                continue
            conf = combine(ns, fit)
            if conf < 0.35:
                continue
            m = Match(spec.name, p.name, conf, _reason(name_why, fit), recode=fit.recode,
                      info={**fit.info, "values": fit.why})
            if spec.name == "nps" and ns == 0:
                nps_value_only.append(m)
            candidates.append((conf, -si, -ci, m))
    if len(nps_value_only) > 1:  # several 0–10 columns and none named for NPS: they are ratings, not NPS
        candidates = [c for c in candidates if c[3] not in nps_value_only]
    matches: dict[str, Match] = {}
    taken: set[str] = set()
    for _, _, _, m in sorted(candidates, key=lambda c: (c[0], c[1], c[2]), reverse=True):
        if m.canon in matches or m.column in taken:
            continue
        matches[m.canon] = m
        taken.add(m.column)
    by_name = {s.name: s for s in SPECS[table]}
    ordered = {s.name: matches[s.name] for s in SPECS[table] if s.name in matches}
    guess = TableGuess(table, 0.0, ordered)
    if table == "responses":
        _find_drivers(guess, profiles)
    if table == "operations" and not {"kpi", "value"} <= set(ordered):
        _find_kpi_columns(guess, profiles)
    evidence = sum(by_name[c].weight * m.confidence for c, m in ordered.items())
    evidence += min(2.0, 0.4 * len(guess.drivers)) + min(2.0, 0.5 * len(guess.kpi_columns))
    guess.evidence = round(evidence, 3)
    guess.missing_required = _missing_required(table, guess)
    return guess


def _missing_required(table: str, g: TableGuess) -> list[str]:
    """What the integration needs and the guess lacks (empty when the table is usable)."""
    have = set(g.matches)
    if table == "customers":
        out = [] if "customer_id" in have else ["customer_id"]
        if not {"start_date", "tenure"} & have:
            out.append("start_date or tenure")
        if "tenure" in have and "churned" not in have and "end_date" not in have:
            out.append("churned")
        return out
    if table == "responses":
        return [] if {"nps", "csat", "ces", "comment"} & have or g.drivers else ["a score or a comment"]
    if table == "interactions":
        found = have & {"started_at", "channel", "intent", "sentiment", "resolved", "handle_seconds", "text"}
        return [] if len(found) >= 2 else ["at least two of started_at, channel, intent, sentiment, resolved, handle_seconds, text"]
    if table == "operations":
        if {"kpi", "value"} <= have:
            return [] if "period" in have else ["period"]
        if g.kpi_columns:
            return [c for c in ("period", "location") if c not in have]
        return ["kpi and value (long format) or KPI columns (wide format)"]
    if table == "maturity_answers":
        return [c for c in ("respondent_id", "dimension", "practice", "level") if c not in have]
    return []


_NOT_A_RATING = re.compile(r"(^|_)(id|age|year|years|count|number|num|no|qty|quantity|amount|price|cost|"
                           r"minutes|seconds|hours|days|delay|distance|size|income|salary|balance)(_|$)")


def _find_drivers(g: TableGuess, profiles: list[ColumnProfile]) -> None:
    """Unmapped integer columns on a common rating scale become driver candidates."""
    used = g.used_columns
    groups: dict[tuple[int, int], list[ColumnProfile]] = {}
    for p in profiles:
        if p.name in used or not (p.numeric and p.integer) or p.row_number or p.lo is None:
            continue
        if _NOT_A_RATING.search(p.norm) or p.n_unique < 3 or p.raw_lo < 0 or p.raw_hi > 10 or p.raw_hi < 4:
            continue
        zero_na = p.raw_lo == 0 and p.raw_hi <= 5
        scale = _scale_for(p.raw_lo, p.raw_hi, zero_missing=zero_na)
        if scale is not None:
            groups.setdefault(scale, []).append(p)
    if not groups:
        return
    scale, members = max(groups.items(), key=lambda kv: (len(kv[1]), kv[0][1]))
    named = [p for p in members if re.search(r"rating|score|satisf|agree|ease|easy|quality|service", p.norm)]
    if len(members) < 2 and not named:
        return
    taken = set(canonical_names_for_drivers())
    zero = scale[0] == 1 and any(p.raw_lo == 0 for p in members)  # 0 on a 1–5 scale: "not applicable"
    for p in members:
        conf = 0.6 + (0.15 if len(members) >= 3 else 0.0) + (0.1 if p in named else 0.0)
        name = driver_name(p.name, taken)
        taken.add(name)
        why = f"{p.range_text()}, one of {len(members)} columns on the same scale"
        g.drivers.append(Match(name, p.name, round(conf, 2), why, missing=[0] if zero else None,
                               info={"label": p.name}))
    g.driver_scale = scale


def canonical_names_for_drivers() -> list[str]:
    """Names a driver may not take: the responses table's own canonical columns."""
    return [s.name for s in SPECS["responses"]] + ["period", "nps_category"]


def driver_name(column: str, taken: set[str]) -> str:
    """A canonical (snake_case) name for a driver column, distinct from ``taken``."""
    base = normalise(column) or "driver"
    if base[0].isdigit():
        base = f"q_{base}"
    name, i = (base if base not in taken else f"{base}_rating"), 2
    while name in taken:
        name, i = f"{base}_rating_{i}", i + 1
    return name


def _find_kpi_columns(g: TableGuess, profiles: list[ColumnProfile]) -> None:
    """Wide operations: numeric columns beside a period (and a location) are KPIs."""
    if "period" not in g.matches:
        return
    for m in ("kpi", "value"):
        g.matches.pop(m, None)
    used = g.used_columns
    g.kpi_columns = [p.name for p in profiles
                     if p.name not in used and p.numeric and not p.row_number and not p.norm.endswith("id")]


def guess_tables(profiles: list[ColumnProfile]) -> list[TableGuess]:
    """Every table's guess for one file, most likely first, each with its confidence.

    The confidence of a table grows with its evidence (``1 − e^(−evidence / 2.5)``) and is
    shared with the runner-up (``× evidence / (evidence + ½ runner-up)``); a table the
    integration could not read from this file gets a third of it.
    """
    guesses = [match_table(t, profiles) for t in SPECS]
    guesses.sort(key=lambda g: (g.feasible, g.evidence), reverse=True)
    for g in guesses:
        rival = max((o.evidence for o in guesses if o is not g), default=0.0)
        conf = (1 - math.exp(-g.evidence / 2.5)) * g.evidence / (g.evidence + 0.5 * rival) if g.evidence else 0.0
        g.confidence = round(min(0.99, conf if g.feasible else conf / 3), 2)
    return guesses
