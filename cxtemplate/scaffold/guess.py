"""Guessing what a client's export is: which canonical table, and which column is which.

Used by :mod:`cxtemplate.scaffold.document` (``cxtemplate new``). Every guess is a combination of two
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
The column profiles are made in :mod:`cxtemplate.scaffold.profile` and the canonical columns with
their names are listed in :mod:`cxtemplate.scaffold.specs`; this module weighs the evidence.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxtemplate.scaffold.profile import (  # noqa: F401  (profiles and specs re-exported from their old home)
    ColumnProfile,
    detect_dates,
    fmt_bound,
    looks_personal,
    looks_sensitive,
    normalise,
    parse_dates,
    profile_column,
    profile_frame,
)
from cxtemplate.scaffold.specs import SPECS, Spec

SAMPLE_ROWS = 2000
MAX_SEGMENT_LEVELS = 30
MAX_DRIVERS = 15

TRUE_WORDS = {"yes", "y", "true", "t", "1", "1.0", "churned", "churn", "left", "exited", "cancelled", "canceled",
              "closed", "lost", "resolved", "solved", "fixed", "attrited", "attrition", "gone", "former", "terminated",
              "deactivated", "discontinued", "lapsed", "departed"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "0.0", "active", "stayed", "retained", "current", "open",
               "unresolved", "unsolved", "existing", "remained", "existing customer", "not resolved", "renewed",
               "continuing", "ongoing", "subscribed"}
NEGATIONS = {"not", "no", "non", "never"}
_PLAIN_ANSWERS = {"yes", "no", "true", "false"}
STATUS_LEVELS = 10
"""A status column (``Active / Closed / Suspended``) is read as a flag up to this many levels."""
# Values the integration reads as booleans without a recode (cxtemplate.data.schemas).
NATIVE_BOOL = {"true", "t", "yes", "y", "1", "1.0", "false", "f", "no", "n", "0", "0.0"}
SENTIMENT_WORDS = {"negative": -1, "neg": -1, "neutral": 0, "neu": 0, "mixed": 0, "positive": 1, "pos": 1}
# Satisfaction answers given as words: the scores they are recoded to, on two or five points.
LIKERT5 = {"very dissatisfied": 1, "dissatisfied": 2, "neutral": 3, "neither satisfied nor dissatisfied": 3,
           "satisfied": 4, "very satisfied": 5}


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


def truth_of(value: str) -> bool | None:
    """What a flag's value says: ``True`` (yes, churned, closed …), ``False`` (no, active …) or ``None`` (unknown).

    A whole value is looked up first (``"Y"``, ``"not resolved"``); then its words, so ``"Attrited Customer"`` is
    true and ``"Existing Customer"`` or ``"No churn"`` false (a negation turns a yes-word into no).

    Examples
    --------
    >>> [truth_of(v) for v in ("Yes", "N", "Attrited Customer", "No churn", "Suspended")]
    [True, False, True, False, None]
    """
    lower = str(value).strip().lower()
    if lower in TRUE_WORDS:
        return True
    if lower in FALSE_WORDS:
        return False
    every = set(re.findall(r"[a-z]{2,}", lower))
    words = every - _PLAIN_ANSWERS  # "No internet service" is no "no"
    yes, no = bool(words & TRUE_WORDS), bool(words & FALSE_WORDS)
    if yes and every & NEGATIONS:
        return False
    return yes if yes != no else None


def _bool_values(p: ColumnProfile, status: bool = False) -> tuple[dict | None, str] | None:
    """A yes/no column: the recode it needs (``None`` when read natively) and its description.

    With ``status`` (a churn or resolution flag), a text column of up to :data:`STATUS_LEVELS` levels of which some
    say "closed" (``Active / Closed / Suspended``) is a flag too: those levels are yes, every other level no.
    """
    if p.values is not None and pd.api.types.is_bool_dtype(p.values):
        return None, "true/false"
    if p.numeric:
        if (p.n_unique == 2 or p.n_unique == 1 and p.n) and set(p.values.unique()) <= {0.0, 1.0}:
            return None, "0/1 (1 = yes)"
        return None
    levels = [str(v) for v in p.levels]
    truth = {lv: truth_of(lv) for lv in levels}
    if (p.n_unique == 2 or p.n_unique == 1 and p.n) and None not in truth.values() \
            and len(set(truth.values())) == len(levels):
        return truth, "/".join(sorted(levels, key=lambda v: not truth[v]))
    if status and p.is_text and 2 <= p.n_unique <= STATUS_LEVELS and any(truth.values()) and not all(truth.values()):
        yes = [lv for lv in levels if truth[lv]]
        return ({lv: bool(truth[lv]) for lv in levels},
                f"{' / '.join(yes)} = yes; {' / '.join(lv for lv in levels if not truth[lv])} = no")
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
        b = _bool_values(p, status=spec_name in ("churned", "resolved"))
        if b is None:
            return None
        recode, text = b
        unknown = recode is not None and len(recode) > 2 and any(truth_of(v) is None for v in recode)
        return Fit(0.8 if unknown else 1.0, text, recode=recode)
    if kind == "tenure":
        if p.numeric and p.lo is not None and p.raw_lo >= 0:
            unit, conf, why = tenure_unit(p)
            return Fit(1.0, f"{p.range_text()}, {why}", info={"tenure_unit": unit, "unit_confidence": conf, "unit_why": why})
        return None
    if kind in ("money", "duration"):
        if kind == "money" and accumulates(p.norm):
            return None  # a total to date is no revenue per period: it grows with tenure
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


_ACCUMULATES = re.compile(r"(^|_)(total|totals|lifetime|cumulative|cum|ltv|clv|to_date|todate|sum|overall)(_|$)")
_PER_PERIOD = re.compile(r"(^|_)(month|monthly|mo|year|yearly|annual|annually|week|weekly|per|avg|average|mean)(_|$)")


def accumulates(norm: str) -> bool:
    """Whether a (normalised) column name reads as a total to date: ``total_charges``, ``lifetime_value``.

    Such a column grows with tenure, so it is neither revenue per period nor a fair churn covariate;
    ``total_monthly_charges`` names a period and does not count.
    """
    return bool(_ACCUMULATES.search(norm)) and not _PER_PERIOD.search(norm)


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
        return "year", 0.6, f"at most {fmt_bound(hi)}: looks like whole years"
    if hi <= 130:
        return "month", 0.6, f"at most {fmt_bound(hi)}: looks like months"
    if hi <= 800:
        return "week", 0.4, f"at most {fmt_bound(hi)}: weeks or days?"
    return "day", 0.6, f"up to {fmt_bound(hi)}: looks like days"


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
    generated_key: bool = False  # customers without an id column: the integration numbers the rows (id: row_number)

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
    guess.generated_key = table == "customers" and "customer_id" not in ordered and not guess.missing_required
    return guess


def _missing_required(table: str, g: TableGuess) -> list[str]:
    """What the integration needs and the guess lacks (empty when the table is usable)."""
    have = set(g.matches)
    if table == "customers":
        out = []
        if not {"start_date", "tenure"} & have:
            out.append("start_date or tenure")
        if "tenure" in have and "churned" not in have and "end_date" not in have:
            out.append("churned")
        # without an id, the rows are numbered (id: row_number), but only a file that says who left is a CRM
        if "customer_id" not in have and (out or not {"end_date", "churned"} & have):
            out.insert(0, "customer_id")
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
