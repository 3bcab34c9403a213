"""What a page may not say when an input is absent: the phrases that belong to each input.

A page never speaks of data the organisation did not supply (``DESIGN.md``, "What a reader is told"). For every
input that may be missing this module lists a few phrases that only make sense when it is there
(:data:`ABSENT_PHRASES`), and :func:`claims` finds them in a rendered page. ``tests/flows/test_partial_flows.py``
renders the report of organisations that lack inputs (a CRM only, a survey only, conversations only) and checks
every page with it; a new page or section that speaks of an absent source fails that test.

The inputs are the canonical tables (:data:`cxtemplate.vocabulary.TABLES`) and three things a present table may
lack: ``revenue`` (no revenue column in the CRM: no value at risk, no money), ``nps`` (the survey asks no
likelihood-to-recommend question) and ``dates`` (tenure-based data, no calendar dates).

The one sentence that says an input is absent may name it: a sentence that states the absence in the input's
own words (:data:`ABSENCE_WORDS`, e.g. "There are no survey responses — …") is not a claim, but the other sentences
of its paragraph are checked ("There are no conversation records. Handle time rose 20%." is one). "No identified
detractor answered in the last 30 days" is one: it says there were no detractors, not that there was no survey.
A section's heading followed directly by that sentence is not a claim either ("Operational levers", then "There
are no operational KPIs — …"): the heading names the section, the sentence says it has nothing. The page's header,
title and footer are not checked (they carry the organisation's and the page's names), nor are the page titles the
index links to (``class="cx-page-title"``), nor the table of contents (``<nav>``, which repeats the headings). The
index's one-line summaries are checked: :func:`cxtemplate.report.render.summary_for` leaves out one that names an
input :func:`supplied_inputs` does not list.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["ABSENCE_SENTENCES", "ABSENCE_WORDS", "ABSENT_PHRASES", "INPUTS", "Claim", "claims", "page_blocks", "supplied_inputs"]

ABSENT_PHRASES: dict[str, tuple[str, ...]] = {
    # survey / CEM responses: the survey itself, its metrics and what only a survey gives
    "responses": ("survey", "NPS", "Net Promoter", "promoter", "detractor", "CSAT", "CES", "driver rating",
                  "key driver", "key-driver"),
    # conversations with agents, bots, chat, phone
    "interactions": ("conversation", "handle time", "contact centre", "call centre", "chat", "resolution rate"),
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

ABSENCE_SENTENCES: dict[str, str] = {
    "responses": "There are no survey responses.",
    "interactions": "There are no conversation records.",
    "customers": "There is no CRM (customer table).",
    "operations": "There are no operational KPIs.",
    "maturity_answers": "No maturity questionnaire answers were supplied.",
}
"""Input → the sentence the index shows for a page that needs it (``needs:`` in the notebook's metadata) when it
is absent; each holds the input's :data:`ABSENCE_WORDS`."""

INPUTS = tuple(ABSENT_PHRASES)
"""Every input :func:`claims` knows."""

# inline tags join the text around them; every other tag ends a block of text
_INLINE = ("a", "b", "strong", "em", "i", "span", "code", "sup", "sub", "small", "mark", "abbr")
_DROP = re.compile(r"(?is)<(style|script|title|header|footer|h1|nav)\b[^>]*>.*?</\1\s*>"
                   r"|<a\b[^>]*class=[\"']cx-page-title[\"'][^>]*>.*?</a\s*>")
_HEADING_START = re.compile(r"(?i)<h[2-6]\b")
_HEADING_MARK = "\1"  # marks a block that is a heading (h2–h6)
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
    return [text for _, text in _blocks(page)]


def _blocks(page: str) -> list[tuple[bool, str]]:
    """(whether the block is a heading, its text) for every block of visible text (see :func:`page_blocks`)."""
    body = _HEADING_START.sub(lambda m: "\0" + _HEADING_MARK + m.group(0), _DROP.sub("\0", page))
    body = _INLINE_TAG.sub("", body)
    text = html.unescape(_TAG.sub("\0", body)).replace("¶", "")
    blocks = []
    for part in text.split("\0"):
        heading = part.startswith(_HEADING_MARK)
        clean = re.sub(r"\s+", " ", part.lstrip(_HEADING_MARK)).strip()
        if clean:
            blocks.append((heading, clean))
        elif heading:  # the mark sits before the heading's own tag: the next text block is the heading
            blocks.append((True, ""))
    # fold an empty heading mark into the block that follows it
    out: list[tuple[bool, str]] = []
    pending = False
    for heading, clean in blocks:
        if not clean:
            pending = pending or heading
            continue
        out.append((heading or pending, clean))
        pending = False
    return out


@lru_cache(maxsize=None)
def _pattern(phrase: str) -> re.Pattern:
    acronym = phrase.isupper() and phrase.isalpha()
    start = r"\b" if phrase[0].isalnum() else ""
    return re.compile(start + re.escape(phrase), 0 if acronym else re.IGNORECASE)


def _says_absent(text: str, what: str) -> bool:
    """Whether ``text`` opens by saying ``what`` is absent: the words must stand in its first clause ("There are no
    survey responses — NPS cannot be computed"), not after it ("NPS fell; no survey-linked driver stood out")."""
    first = _FIRST_CLAUSE.split(text, maxsplit=1)[0]
    return any(_pattern(w).search(first) for w in ABSENCE_WORDS.get(what, ()))


_FIRST_CLAUSE = re.compile(r"\s[—–]\s|;")


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
    >>> [c.phrase for c in claims("<p>There are no conversation records. Handle time rose 20%.</p>", ["interactions"])]
    ['handle time']
    """
    absent = list(absent)
    unknown = [a for a in absent if a not in ABSENT_PHRASES]
    if unknown:
        raise ValueError(f"unknown inputs {unknown}: must be among {', '.join(INPUTS)}")
    found = []
    blocks = _blocks(page)
    for i, (heading, block) in enumerate(blocks):
        after = blocks[i + 1][1] if i + 1 < len(blocks) else ""
        for what in absent:
            if heading and _says_absent(after, what):
                continue
            # only the sentence that states the absence may name the input, not the rest of its paragraph
            for sentence in _SENTENCE_END.split(block):
                if _says_absent(sentence, what):
                    continue
                found += [Claim(what, phrase, block) for phrase in ABSENT_PHRASES[what]
                          if _pattern(phrase).search(sentence)]
    return found


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(*]?[A-Z0-9])")


def _has_values(table: dict, column: str) -> bool:
    share = (table.get("missing_share") or {}).get(column)
    return share is not None and share < 1


def supplied_inputs(quality: dict, metrics=None) -> frozenset[str]:
    """The inputs an organisation supplied, from its integration record (``quality.json``), in :data:`INPUTS`' names.

    The canonical tables integration kept rows of; ``revenue`` when the CRM carries a revenue value; ``nps`` when
    the responses carry an NPS score (and, given ``metrics``, the enabled metric keys, NPS is among them);
    ``dates`` when any table carries a calendar date.

    >>> sorted(supplied_inputs({"tables": {"customers": {"rows_used": 3, "missing_share": {"revenue": 0.0},
    ...                                                  "date_range": {}}}}))
    ['customers', 'revenue']
    """
    tables = {t: r for t, r in (quality or {}).get("tables", {}).items() if r.get("rows_used", 1)}
    found = set(tables)
    if "customers" in tables and _has_values(tables["customers"], "revenue"):
        found.add("revenue")
    if "responses" in tables and _has_values(tables["responses"], "nps") and (metrics is None or "nps" in metrics):
        found.add("nps")
    if any(d for r in tables.values() for rng in (r.get("date_range") or {}).values() for d in rng or ()):
        found.add("dates")
    return frozenset(found)
