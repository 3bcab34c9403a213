"""What a page may not say when an input is absent: the phrases that belong to each input.

A page never speaks of data the organisation did not supply (``DESIGN.md``, "What a reader is told"). For every
input that may be missing this module lists a few phrases that only make sense when it is there
(:data:`ABSENT_PHRASES`), and :func:`claims` finds them in a rendered page. ``tests/flows/test_partial_flows.py``
renders the report of organisations that lack inputs (a CRM only, a survey only, conversations only) and checks
every page with it; a new page or section that speaks of an absent source fails that test.

The inputs are the canonical tables (:data:`cxtemplate.vocabulary.TABLES`) and three things a present table may
lack: ``revenue`` (no revenue column in the CRM: no value at risk, no money), ``nps`` (the survey asks no
likelihood-to-recommend question) and ``dates`` (tenure-based data, no calendar dates).

The one sentence that says an input is absent may name it: a block of text that states the absence in the
input's own words (:data:`ABSENCE_WORDS`, e.g. "There are no survey responses") is not a claim. "No identified
detractor answered in the last 30 days" is one: it says there were no detractors, not that there was no survey.
The page's header, title and footer are not checked (they carry the organisation's and the page's names).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["ABSENCE_WORDS", "ABSENT_PHRASES", "INPUTS", "Claim", "claims", "page_blocks"]

ABSENT_PHRASES: dict[str, tuple[str, ...]] = {
    # survey / CEM responses: the survey itself, its metrics and what only a survey gives
    "responses": ("survey", "NPS", "Net Promoter", "promoter", "detractor", "CSAT", "CES", "driver rating",
                  "key driver", "key-driver"),
    # conversations with agents, bots, chat, phone
    "interactions": ("conversations", "conversation record", "handle time", "contact centre", "call centre", "chat", "resolution rate"),
    # the CRM: churn, tenure and retention exist only with a customer table
    "customers": ("CRM", "churn", "retention", "tenure", "survival", "Kaplan", "customers at risk"),
    # a CRM without revenue: no money anywhere
    "revenue": ("revenue", "valuable", "high-value", "£", "€", "$", "¥", "₹"),
    "operations": ("operational KPI", "operational lever", "KPI"),
    "maturity_answers": ("maturity questionnaire", "maturity level", "maturity gap", "adoption level"),
    # a survey without the likelihood-to-recommend question
    "nps": ("NPS", "Net Promoter", "promoter", "detractor"),
    # tenure-based data: nothing happened "in the last 30 days" or "per month"
    "dates": ("last 30 days", "per month", "per quarter", "over time", "trend"),
}
"""Input → phrases a page may use only when the organisation supplied it.

Matching ignores case, except for acronyms (``NPS``, ``CSAT``, ``CES``, ``CRM``, ``KPI``), and a phrase matches
at the start of a word: ``survey`` also finds "surveys" and "surveyed", ``churn`` finds "churned". Keep each
list small and specific to its input: a word every page uses ("customer", "contact", "score") belongs to none."""

ABSENCE_WORDS: dict[str, tuple[str, ...]] = {
    "responses": ("no survey",),
    "interactions": ("no conversation",),
    "customers": ("no CRM", "no customer table"),
    "revenue": ("no revenue",),
    "operations": ("no operational KPI",),
    "maturity_answers": ("no maturity questionnaire",),
    "nps": ("no NPS",),
    "dates": ("no dates", "no calendar dates"),
}
"""Input → the words of a sentence that says it is absent ("There are no survey responses — …"); a block of text
holding them may name that input."""

INPUTS = tuple(ABSENT_PHRASES)
"""Every input :func:`claims` knows."""

# inline tags join the text around them; every other tag ends a block of text
_INLINE = ("a", "b", "strong", "em", "i", "span", "code", "sup", "sub", "small", "mark", "abbr")
_DROP = re.compile(r"(?is)<(style|script|title|header|footer|h1)\b[^>]*>.*?</\1\s*>")
_INLINE_TAG = re.compile(r"(?i)</?(?:%s)\b[^>]*>" % "|".join(_INLINE))
_TAG = re.compile(r"(?s)<[^>]+>")


@dataclass(frozen=True)
class Claim:
    """A phrase of an absent input found on a page: which input, the phrase, and the text around it."""

    input: str
    phrase: str
    text: str

    def __str__(self) -> str:
        return f"{self.phrase!r} ({self.input} absent) in: {self.text}"


def page_blocks(page: str) -> list[str]:
    """The visible text of a page in blocks (paragraphs, table cells, headings), without header, title and footer.

    >>> page_blocks("<header>Survey Co</header><h1>T</h1><p>No <strong>survey</strong> here.</p><td>A</td>")
    ['No survey here.', 'A']
    """
    body = _INLINE_TAG.sub("", _DROP.sub("\0", page))
    text = html.unescape(_TAG.sub("\0", body)).replace("¶", "")
    return [b for b in (re.sub(r"\s+", " ", part).strip() for part in text.split("\0")) if b]


@lru_cache(maxsize=None)
def _pattern(phrase: str) -> re.Pattern:
    acronym = phrase.isupper() and phrase.isalpha()
    start = r"\b" if phrase[0].isalnum() else ""
    return re.compile(start + re.escape(phrase), 0 if acronym else re.IGNORECASE)


def _says_absent(block: str, what: str) -> bool:
    return any(_pattern(w).search(block) for w in ABSENCE_WORDS.get(what, ()))


def claims(page: str, absent: Iterable[str]) -> list[Claim]:
    """Every phrase of an ``absent`` input that a rendered page uses (see the module).

    Parameters
    ----------
    page : str
        The page's HTML.
    absent : iterable of str
        The inputs the organisation did not supply, keys of :data:`ABSENT_PHRASES`.

    Returns
    -------
    list of Claim
        Empty when the page speaks only of what the organisation supplied.

    Examples
    --------
    >>> claims("<p><em>There are no survey responses — it is skipped</em></p>", ["responses"])
    []
    >>> [c.phrase for c in claims("<p>No identified detractor answered in the last 30 days</p>", ["responses"])]
    ['detractor']
    """
    absent = list(absent)
    unknown = [a for a in absent if a not in ABSENT_PHRASES]
    if unknown:
        raise ValueError(f"unknown inputs {unknown}: must be among {', '.join(INPUTS)}")
    found = []
    for block in page_blocks(page):
        for what in absent:
            if _says_absent(block, what):
                continue
            found += [Claim(what, phrase, block) for phrase in ABSENT_PHRASES[what] if _pattern(phrase).search(block)]
    return found
