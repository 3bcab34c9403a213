"""What the inspected exports hold, for ``cxtemplate new``: which file is which table, the date range,
the currency, and the extra columns worth keeping.

Works on the samples of :mod:`cxtemplate.scaffold.read` and the guesses of
:mod:`cxtemplate.scaffold.guess`; :mod:`cxtemplate.scaffold.document` turns the result into the params file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxtemplate.scaffold.guess import MAX_SEGMENT_LEVELS, TableGuess, guess_tables
from cxtemplate.scaffold.profile import ColumnProfile, looks_personal, looks_sensitive, parse_dates, profile_frame
from cxtemplate.scaffold.read import Inspection, Sample, read_column
from cxtemplate.scaffold.specs import SPECS
from cxtemplate.vocabulary import TABLES

MIN_CONFIDENCE = 0.3
MIN_EVIDENCE = 1.5
DATE_COLUMNS = ("start_date", "end_date", "responded_at", "started_at", "period")
EVENT_COLUMNS = ("responded_at", "started_at", "period")


# --------------------------------------------------------------------------- which file is which table


@dataclass
class Recognised:
    """A file recognised as a canonical table."""

    sample: Sample
    profiles: list[ColumnProfile]
    guess: TableGuess
    others: list[TableGuess]

    def profile(self, column: str) -> ColumnProfile:
        """The profile of a source column."""
        return next(p for p in self.profiles if p.name == column)


@dataclass
class Plan:
    """The recognised sources by table and the files left for the consultant."""

    sources: dict[str, Recognised]
    unrecognised: list[tuple[Sample, str]]


def plan_sources(inspection: Inspection) -> Plan:
    """Guess each sample's table; keep the most confident file per table."""
    scored = []
    for s in inspection.samples:
        profiles = profile_frame(s.frame)
        guesses = guess_tables(profiles) if len(s.frame.columns) and len(s.frame) else []
        scored.append((s, profiles, guesses))
    scored.sort(key=lambda e: -(e[2][0].confidence if e[2] else 0.0))
    chosen: dict[str, Recognised] = {}
    left: list[tuple[Sample, str]] = []
    for s, profiles, guesses in scored:
        if not guesses:
            left.append((s, "empty: no rows or no columns"))
            continue
        best = guesses[0]
        closest = (f"closest: {best.table} {best.confidence:.2f}" if best.evidence >= 0.5
                   else "no canonical table fits its columns")
        if best.evidence < 0.5:
            left.append((s, closest))
        elif not best.feasible:
            left.append((s, f"{closest}, but it lacks {', '.join(best.missing_required)}"))
        elif best.confidence < MIN_CONFIDENCE or best.evidence < MIN_EVIDENCE:
            left.append((s, f"{closest}: too little evidence"))
        elif best.table in chosen:
            left.append((s, f"also looks like {best.table} ({best.confidence:.2f}), but "
                            f"{chosen[best.table].sample.label} is the {best.table} source: one file per table"))
        else:
            chosen[best.table] = Recognised(s, profiles, best, guesses[1:])
    order = {s.label: i for i, s in enumerate(inspection.samples)}
    left.sort(key=lambda e: order[e[0].label])
    return Plan({t: chosen[t] for t in TABLES if t in chosen}, left)


# --------------------------------------------------------------------------- dates, currency


def robust_extreme(values: pd.Series, latest: bool = True) -> tuple[pd.Timestamp | None, int]:
    """The latest (or earliest) date, ignoring a thin tail of stragglers far from the rest.

    Typos and future-dated rows sit weeks or years beyond the bulk of the data. The last date is
    dropped while it lies more than a week (or 20 typical gaps) beyond the one before it, up to
    1% of the rows. Returns the date and how many rows were ignored.
    """
    v = np.sort(values.dropna().to_numpy(dtype="datetime64[s]").astype(np.int64))
    v = v if latest else np.sort(-v)
    n = len(v)
    if not n:
        return None, 0
    tail = v[-max(10, n // 10):]
    typical = float(np.median(np.diff(tail))) if len(tail) > 1 else 0.0
    threshold = max(7 * 86400.0, 20 * typical)
    k = n - 1
    while n - 1 - k < max(1, n // 100) and k > 0 and v[k] - v[k - 1] > threshold:
        k -= 1
    return pd.Timestamp(int(v[k] if latest else -v[k]), unit="s"), n - 1 - k


def date_bounds(plan: Plan, today: dt.date) -> dict[str, Any]:
    """``as_of`` (the latest date found) and ``start`` (the first month of events), with notes.

    Data without a date column give ``as_of`` ``None``: the data are tenure-based, with no calendar dates,
    and the pages say so (today's date would put the run's day in every page header as if it were the data's).
    """
    latest: list[tuple[pd.Timestamp, str, int]] = []
    first: list[pd.Timestamp] = []
    for table, rec in plan.sources.items():
        for canon in DATE_COLUMNS:
            m = rec.guess.matches.get(canon)
            if m is None:
                continue
            d = parse_dates(read_column(rec.sample, m.column), m.info.get("date_format"))
            hi, dropped = robust_extreme(d)
            if hi is None:
                continue
            if canon == "period" and (d.dropna().dt.day == 1).all():
                hi = hi + pd.offsets.MonthEnd(0)
            latest.append((hi, f"{table}.{canon}" + (f" ({m.column})" if m.column != canon else ""), dropped))
            if canon in EVENT_COLUMNS:
                first.append(robust_extreme(d, latest=False)[0])
    out: dict[str, Any] = {}
    if not latest:
        out["as_of"] = None
        out["as_of_note"] = ("no calendar dates in the data, so no analysis date: the pages say so rather than "
                             "invent one; give the export's as-of date here (YYYY-MM-DD) if you know it")
        return out
    hi, where, dropped = max(latest, key=lambda e: e[0])
    as_of = min(hi.date(), today)
    note = f"guess: the latest date in the data, {where}"
    later = sum(e[2] for e in latest)
    if later:
        note += f"; {later} later outlier date(s) ignored (they will be quarantined as future)"
    if hi.date() > today:
        note += "; capped at today"
    out["as_of"], out["as_of_note"] = as_of, note
    if first:
        start = min(first).date().replace(day=1)
        if start < as_of:
            out["start"] = start
            out["start_note"] = "first month of survey / conversation / KPI data; earlier rows stay out of trends"
    return out


COUNTRY_CURRENCY = {
    "united kingdom": "GBP", "uk": "GBP", "great britain": "GBP", "england": "GBP", "scotland": "GBP",
    "wales": "GBP", "northern ireland": "GBP", "london": "GBP", "manchester": "GBP", "birmingham": "GBP",
    "glasgow": "GBP", "leeds": "GBP", "edinburgh": "GBP", "bristol": "GBP", "cardiff": "GBP", "belfast": "GBP",
    "france": "EUR", "germany": "EUR", "spain": "EUR", "italy": "EUR", "netherlands": "EUR", "ireland": "EUR",
    "portugal": "EUR", "belgium": "EUR", "austria": "EUR", "finland": "EUR", "greece": "EUR",
    "united states": "USD", "usa": "USD", "us": "USD", "canada": "CAD", "australia": "AUD", "new zealand": "NZD",
    "india": "INR", "japan": "JPY", "switzerland": "CHF", "sweden": "SEK", "norway": "NOK", "denmark": "DKK",
    "poland": "PLN", "south africa": "ZAR", "brazil": "BRL", "mexico": "MXN", "singapore": "SGD",
}
CURRENCY_CODES = {"gbp", "eur", "usd", "cad", "aud", "nzd", "inr", "jpy", "chf", "sek", "nok", "dkk", "pln", "zar"}
CURRENCY_WORDS = {"pounds": "GBP", "sterling": "GBP", "pence": "GBP", "euro": "EUR", "euros": "EUR",
                  "dollars": "USD", "yen": "JPY", "rupees": "INR", "francs": "CHF"}
# longest first: "A$" before "$"
CURRENCY_SIGNS = (("US$", "USD"), ("A$", "AUD"), ("AU$", "AUD"), ("C$", "CAD"), ("CA$", "CAD"), ("NZ$", "NZD"),
                  ("£", "GBP"), ("€", "EUR"), ("¥", "JPY"), ("₹", "INR"), ("$", "USD"))
_SIGN = r"(?:US\$|AU?\$|CA?\$|NZ\$|[£€¥₹$])"
AMOUNT_WITH_SIGN = re.compile(rf"^\s*-?\s*{_SIGN}\s*-?\d|\d\s*{_SIGN}\s*$")  # '$29.85', '12,50 €'


def _sign_code(text: str) -> tuple[str, str] | None:
    """The (sign, ISO code) a text carries, longest sign first."""
    for sign, code in CURRENCY_SIGNS:
        if sign in text:
            return sign, code
    return None


PLACE_WEIGHT = 1.0
"""The weight of a place name's vote: a hint, written in the comment, never enough to set the currency."""


def currency_votes(plan: Plan) -> dict[str, list[tuple[float, str]]]:
    """ISO code → the (weight, evidence) the data give for it; see :func:`guess_currency`."""
    votes: dict[str, list[tuple[float, str]]] = {}

    def vote(code: str, weight: float, why: str) -> None:
        votes.setdefault(code, []).append((weight, why))

    for rec in plan.sources.values():
        for p in rec.profiles:
            if found := _sign_code(p.name):
                vote(found[1], 3.0, f"'{found[0]}' in column '{p.name}'")
            for token in p.norm.split("_"):
                if token in CURRENCY_CODES:
                    vote(token.upper(), 3.0, f"column '{p.name}'")
                elif token in CURRENCY_WORDS:
                    vote(CURRENCY_WORDS[token], 2.0, f"column '{p.name}'")
            if not p.is_text or p.values is None:
                continue
            sample = p.values.iloc[:200]
            signed = sample[sample.str.contains(AMOUNT_WITH_SIGN)]
            if len(signed) >= 0.5 * len(sample) and (found := _sign_code(str(signed.iloc[0]))):
                vote(found[1], 3.0, f"amounts like '{signed.iloc[0]}' in column '{p.name}'")
            codes = {v.strip().upper() for v in p.levels} & {c.upper() for c in CURRENCY_CODES}
            if "currency" in p.norm and len(codes) == 1 and p.n_unique == 1:
                vote(codes.pop(), 3.0, f"column '{p.name}'")
            if p.n_unique <= 200:
                places = [v for v in p.levels if v.strip().lower() in COUNTRY_CURRENCY]
                for v in places[:3]:
                    vote(COUNTRY_CURRENCY[v.strip().lower()], PLACE_WEIGHT, v)
    return votes


def place_currency(plan: Plan) -> str | None:
    """The currency the place names in the data suggest (``France`` → EUR), or ``None``: a hint for the comment."""
    places = {c: sum(w for w, _ in v if w == PLACE_WEIGHT) for c, v in currency_votes(plan).items()}
    places = {c: w for c, w in places.items() if w}
    return max(places, key=places.get) if places else None


def guess_currency(plan: Plan) -> tuple[str | None, str]:
    """A currency from the data, with the evidence; ``None`` when nothing says which.

    Evidence: a currency sign in a column's name (``Revenue (£)``) or in its amounts (``€12.50``); an ISO code or a
    currency's name in a column's name (``revenue_eur``, ``charges_in_dollars``) or as the one value of a currency
    column. A ``$`` alone reads as US dollars, and the note says to check. Place names (``France``, ``Germany``) are
    no evidence of the currency amounts are in: they are named in the note as a hint (:func:`place_currency`), and the
    currency stays unset, as it does without any evidence: amounts are then shown without one, never in an assumed
    currency.
    """
    votes = {c: v for c, v in currency_votes(plan).items() if any(w > PLACE_WEIGHT for w, _ in v)}
    if not votes:
        hint = place_currency(plan)
        places = ", ".join(dict.fromkeys(w for _, w in currency_votes(plan).get(hint, [])))
        return None, ("TODO: no currency found in the data, so none is set and amounts are shown without one; "
                      + (f"the places in the data ({places}) suggest {hint}: write it here if the amounts are in it"
                         if hint else "write the ISO 4217 code (e.g. currency: EUR) if you know it"))
    code = max(votes, key=lambda c: sum(w for w, _ in votes[c]))
    why = ", ".join(dict.fromkeys(e for w, e in votes[code] if w > PLACE_WEIGHT))
    dollar = any("'$'" in w or "like '$" in w for _, w in votes[code]) and code == "USD"
    note = f"guess 0.8: {why}" + ("; '$' is also CAD, AUD …" if dollar else "") + "; check it"
    return code, note


# --------------------------------------------------------------------------- extra columns


@dataclass
class Extra:
    """An unmapped source column: kept as an attribute or not, and why."""

    column: str
    keep: bool
    note: str
    segment: bool = False
    covariate: bool = False


def classify_extra(p: ColumnProfile) -> Extra:
    """Whether an unmapped column travels as an attribute (``keep``), and whether it can be a segment or covariate."""
    if p.row_number or (p.name.startswith("Unnamed: ") and p.numeric and p.unique_share > 0.98):
        return Extra(p.name, False, "a row number")
    personal_values = p.email_share >= 0.5 or (p.is_text and p.phone_share >= 0.5 and not p.is_date)
    many = p.n_unique > MAX_SEGMENT_LEVELS or p.unique_share > 0.5
    if personal_values or (looks_personal(p.name) and many):
        return Extra(p.name, False, "personal data: not needed by the analysis, so it does not travel")
    if p.n == 0:
        return Extra(p.name, False, "empty in the sample")
    if p.n_unique == 1:
        return Extra(p.name, False, f"one value only ({p.levels[0]})")
    if p.is_date:
        return Extra(p.name, False, "a date the analysis does not use")
    if p.is_text and p.mean_len > 40 and p.unique_share > 0.3:
        return Extra(p.name, False, "free text: only one text column is analysed, and free text can hold personal data")
    id_like = p.norm.endswith("_id") or p.norm in ("id", "uuid", "guid", "key")
    if id_like or (p.unique_share >= 0.98 and p.n >= 50 and (p.is_text or p.integer)):
        return Extra(p.name, False, "an identifier")
    warn = "; a protected characteristic: check you may use it" if looks_sensitive(p.name) else ""
    if not p.numeric:
        if p.n_unique <= MAX_SEGMENT_LEVELS:
            return Extra(p.name, True, p.level_text() + warn, segment=True, covariate=True)
        return Extra(p.name, True, f"{p.level_text()}: too many for a segment{warn}")
    if p.numbers_as_text:  # the integration reads such a kept column as numbers, the odd values as missing
        return Extra(p.name, True, f"{p.range_text()}, with blanks or words among the numbers (read as missing)"
                     + warn, covariate=True)
    return Extra(p.name, True, p.range_text() + warn, covariate=True)


def extras(rec: Recognised) -> list[Extra]:
    """The file's unmapped columns, classified."""
    used = rec.guess.used_columns
    canonical = {s.name for s in SPECS[rec.guess.table]}
    out = []
    for p in rec.profiles:
        if p.name in used:
            continue
        if p.name in canonical:  # the integration maps a column under its canonical name whatever its values
            out.append(Extra(p.name, False, "TODO: named like a canonical column, so the integration reads it as "
                                            "one, but its values do not fit: rename, fix or map it"))
            continue
        out.append(classify_extra(p))
    if rec.guess.table in ("operations", "maturity_answers"):
        out = [Extra(e.column, False, "not used by this table") if e.keep else e for e in out]
    return out
