"""Which columns the churn models may use, and the NPS category covariate.

Personal data is recognised by what a column holds, not by its name (:func:`personal_data`): a 0/1 product
flag called ``phone_service`` is a covariate like any other, while a column of e-mail addresses, phone
numbers or names is never used, whatever it is called. :func:`is_personal` is the old name-only hint, kept for
the onboarding scaffold (which proposes which columns to leave behind before any value is read). NPS answers
enter the models as their category (:func:`nps_category`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cxtemplate.vocabulary import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

_PII = re.compile(r"(^|_)(name|surname|first_?name|last_?name|full_?name|e_?mail|phone|mobile|address|"
                  r"postcode|zip)(_|$)|email|phone|surname", re.IGNORECASE)
_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
_PHONE_LIKE = re.compile(r"^\+?\(?\d[\d\s()\-]{7,}\d$")
NUMBER_BAND = r"\d[\d,.]*\s*[-–]\s*\d[\d,.]*"
"""A range of two numbers ("10000-19999", "0-12"): a band, never a phone number, whatever its digit count."""

SAMPLE_VALUES = 500
"""How many distinct values of a text column are read to judge whether it holds personal data."""

PERSONAL_SHARE = 0.2
"""A column is personal when at least this share of its sampled values holds personal data."""

FREE_TEXT_LEVELS = 100
"""A text column with more distinct values than this (and than 5% of its rows) is free text or an identifier."""

KIND_WORDS = {"email": "e-mail addresses", "phone": "phone numbers", "card": "card numbers",
              "national_id": "national id numbers", "account": "bank account numbers", "address": "street addresses",
              "postcode": "postcodes", "name": "names", "url": "web addresses with tokens"}


def is_personal(column: str) -> bool:
    """Whether a column *name* suggests personal data (name, e-mail, phone, address): a hint only.

    The churn models never decide by the name (see :func:`personal_data`); the onboarding scaffold uses it to
    propose columns to leave out of the params before any value is read.
    """
    return bool(_PII.search(str(column)))


def personal_data(values: pd.Series, *, sample: int = SAMPLE_VALUES, name: str | None = None) -> str | None:
    """What personal data a column holds, judged from its values; ``None`` when it holds none.

    Numbers and true/false flags are never personal (``phone_service`` 0/1 is a product flag), except whole
    numbers of 9 to 15 digits that are nearly all different (phone numbers stored as numbers). A text column
    is personal when, among up to ``sample`` of its distinct values, at least :data:`PERSONAL_SHARE` are
    found by the redaction patterns of :mod:`cxtemplate.data.privacy` (e-mails, phones, card and national-id
    numbers, addresses, postcodes, self-introduced names) or look like an e-mail address or a phone number;
    and it is free text (names, comments, identifiers: nothing a model can use) when it has more than
    :data:`FREE_TEXT_LEVELS` distinct values and more than 5% of its rows, or when at least 20 values are
    nearly all different. The name is a hint, never enough on its own: a text column whose name suggests
    personal data (:func:`is_personal`) and whose values are mostly different (at least half, more than one)
    holds names or contact details.

    Parameters
    ----------
    values : Series
    sample : int
    name : str, optional
        The column's name (default ``values.name``), for the hint above.

    Returns
    -------
    str or None
        The reason in words ("e-mail addresses", "free text with 2,932 different values"), or ``None``.
    """
    from cxtemplate.data.privacy import redact

    s = values.dropna()
    if s.empty or pd.api.types.is_bool_dtype(s):
        return None
    if pd.api.types.is_numeric_dtype(s):
        x = s.astype(float)
        if (len(x) >= 20 and (x == np.round(x)).mean() > 0.9 and x.abs().between(1e8, 1e15).mean() > 0.9
                and x.nunique() > 0.9 * len(x)):
            return "phone-like numbers"
        return None
    text = s.astype(str).str.strip()
    distinct = pd.Series(pd.unique(text))
    n_levels = len(distinct)
    looked = distinct if n_levels <= sample else distinct.sample(sample, random_state=0)
    looked = looked[~looked.str.fullmatch(NUMBER_BAND)]  # income or tenure bands read like phone numbers
    if looked.empty:
        return None
    found = redact(looked.reset_index(drop=True))
    hits = {k: v for k, v in found.rows.items() if v}
    email = looked.str.contains(_EMAIL_LIKE).sum()
    phone = (looked.str.match(_PHONE_LIKE) & looked.str.count(r"\d").between(9, 15)).sum()
    if email >= PERSONAL_SHARE * len(looked):
        return KIND_WORDS["email"]
    if phone >= PERSONAL_SHARE * len(looked):
        return KIND_WORDS["phone"]
    if hits and sum(hits.values()) >= PERSONAL_SHARE * len(looked):
        kind = max(hits, key=hits.get)
        return KIND_WORDS.get(kind, kind.replace("_", " "))
    if (n_levels > FREE_TEXT_LEVELS and n_levels > 0.05 * len(text)) or (n_levels >= 20 and n_levels > 0.9 * len(text)):
        return f"free text with {n_levels:,} different values"
    name = values.name if name is None else name
    if name is not None and is_personal(name) and 1 < n_levels and n_levels >= 0.5 * len(text):
        return f"{n_levels:,} different values under a name that suggests personal data"
    return None


def personal_note(column: str, reason: str) -> str:
    """The one sentence the page says about a column left out as personal data."""
    return f"'{column}' holds {reason}, so it is personal data or free text and is never used as a covariate."


def nps_category(scores) -> np.ndarray:
    """NPS category of 0–10 scores: promoter (9–10), passive (7–8), detractor (0–6); missing → None."""
    s = np.asarray(pd.to_numeric(pd.Series(scores), errors="coerce"), dtype=float)
    out = np.where(s >= NPS_PROMOTER_MIN, "promoter", np.where(s > NPS_DETRACTOR_MAX, "passive", "detractor")).astype(object)
    out[np.isnan(s)] = None
    return out
