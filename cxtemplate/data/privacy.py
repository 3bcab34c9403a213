"""Redaction of personal data and secrets in free text.

Every free-text comment is redacted before a report, an artifact or a chart shows it
(DESIGN.md, reliability rules); personal data is found by its content, never by column names.
:func:`redact` works on a whole pandas Series at once: each kind of personal data is a few
compiled regular expressions applied with ``Series.str.replace`` to each distinct text (no
Python loop over rows), in this order, each kind replaced by a placeholder:

===========  ================================================================  ================
kind         what is matched                                                   placeholder
===========  ================================================================  ================
(params)     the client's own patterns (``privacy.patterns``), first           ``[<its name>]``
url          http(s) URLs carrying a query string (tokens, session ids), and   ``[url]``
             any URL with a user and password (scheme://user:pw@host)
email        e-mail addresses                                                  ``[email]``
national_id  UK National Insurance numbers (QQ 12 34 56 C), US SSN/ITIN        ``[national id]``
             (123-45-6789), and any number after the words that name an
             identifier: passport, driving licence, NHS, SSN, NI, tax id,
             BSN, Steuer-ID, DNI, PESEL, codice fiscale, personnummer …
account      IBAN-like strings; sort codes / account numbers after those words ``[account]``
card         13–19 digit card-like numbers passing the Luhn check; any 16      ``[card]``
             digits in four groups of four; 15 digits in the Amex 4-6-5 layout
phone        UK, North-American and international (+CC / 00CC) numbers         ``[phone]``
address      street addresses: "14 Acacia Avenue", "Flat 3, 22 High St",        ``[address]``
             "1600 Pennsylvania Avenue NW", "Hauptstraße 5", "Kerkstraat 12",
             "12 rue de la Paix", "Via Roma 12", "PO Box 123"
postcode     UK postcodes (LS6 2QZ; the outward code must start with one of    ``[postcode]``
             the UK postcode areas), US ZIP and ZIP+4 after a state
             ("Springfield, IL 62704", "NY 10001-1234"), "75011 Paris",
             "10115 Berlin", ", 1000 Bruxelles", Dutch "1012 AB"
name         known customer names (full names from the CRM), and names people  ``[name]``
             give: "my name is …", "Name: …", "this is Sarah from …",
             "I'm Tom.", "Dear Mr Patel", "spoke to Priya", "Regards, Tom
             Smith", "Thanks, J. Bloggs", a closing "- Tom"
===========  ================================================================  ================

Ordinary text is left alone: "3 times", "£45.99", "order 12345", dates such as 12/03/2024 or
2024-03-12, times such as 10:30, "the bill", "I will call in May", product codes that are not
postcodes ("PS5 1TB", "A4 2BX"), "3 long road trips" (the tests hold a labelled set of such
negatives, ``tests/data/pii_cases.py``, and measure recall and precision on it). Long runs of
digits that fail the Luhn check and have no phone layout (order or tracking numbers) are kept.
The known limits are stated in :func:`redact`. The params choose the kinds, add the client's own
patterns and list names never to redact (:class:`cxtemplate.config.schema.Privacy`).

Secrets (database URLs, tokens) are handled by :func:`redact_secrets`, which builds on
:func:`cxtemplate.errors.mask_credentials` (what every error message of the package passes through).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from cxtemplate.data.pii_patterns import (
    ACCOUNT_CONTEXT,
    BUILDING,
    CARD,
    EMAIL,
    EU_CITY,
    IBAN,
    IBAN_LOWER,
    ID_CONTEXT,
    NAME_APPOSITIVE,
    NAME_DASH,
    NAME_GREETING,
    NAME_HERE,
    NAME_REFERRED,
    NAME_SELF,
    NAME_SIGNOFF,
    NAME_STRONG,
    NAME_TITLE,
    NINO,
    NL_POSTCODE,
    PHONE,
    PLACEHOLDERS,
    SSN,
    STREET,
    STREET_EU,
    UK_POSTCODE,
    URL,
    URL_WITH_LOGIN,
    US_ZIP,
    card_repl,
    eu_city_repl,
    greeting_repl,
    iban_repl,
    id_context_repl,
    keep_key,
    named,
    nl_postcode_repl,
    phone_repl,
    self_repl,
    signoff_repl,
    street_eu_repl,
    street_repl,
    uk_postcode_repl,
    us_zip_repl,
)
from cxtemplate.errors import mask_credentials
from cxtemplate.vocabulary import PII_KINDS

KINDS: tuple[str, ...] = PII_KINDS  # the shared vocabulary; the params schema checks ``privacy.kinds`` against it
KIND_LABELS: dict[str, str] = {
    "url": "URL with a token or login", "email": "e-mail address", "national_id": "national identifier",
    "account": "bank account", "card": "payment card", "phone": "phone number", "address": "street address",
    "postcode": "postcode", "name": "name",
}
"""What a reader is told each kind is (the data-quality page's table of redactions)."""

# --- known names ----------------------------------------------------------------------------

_NAME_SPLIT = re.compile(r"\s+")


_PIECES = {"'": "['’‘]", "’": "['’‘]", "‘": "['’‘]", " ": r"\s+",
           "-": r"\s?[-‐–]\s?", "‐": r"\s?[-‐–]\s?", "–": r"\s?[-‐–]\s?"}


def _name_piece(s: str) -> str:
    """Regex for a lower-cased name fragment: flexible whitespace, straight or curly apostrophe."""
    return "".join(_PIECES.get(ch) or re.escape(ch) for ch in s)


def _trie_regex(words: Iterable[str]) -> str:
    """Build a prefix-trie (radix) alternation, so the engine walks one branch per character.

    A flat ``a|b|c…`` over tens of thousands of names tries every alternative at every position
    of the text; the trie tries at most one per distinct next character. Chains with a single
    continuation are emitted as one literal, which keeps the pattern (and its compile time)
    small. Longer names win over their prefixes ("Ann Smith-Jones" before "Ann Smith")
    because optional tails are greedy.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        # compress a chain of single-child, non-terminal nodes into one literal
        branches = []
        for ch in sorted(k for k in node if k != ""):
            run, child = [ch], node[ch]
            while len(child) == 1 and "" not in child:
                (nxt, child), = child.items()
                run.append(nxt)
            branches.append(_name_piece("".join(run)) + emit(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(trie)


@dataclass(frozen=True)
class NamePattern:
    """A compiled matcher for a list of known customer names (build once, reuse).

    Attributes
    ----------
    pattern : re.Pattern
        Case-insensitive whole-word regex for all names.
    n_names : int
        Names included.
    n_skipped : int
        Names left out because they have a single token (a lone first name such as "Will" or
        "May" would redact ordinary words) or fewer than 4 letters in all.
    """

    pattern: re.Pattern | None
    n_names: int
    n_skipped: int = 0


def build_name_pattern(names: Iterable[str], *, last_first: bool = False) -> NamePattern:
    """Compile known full names into one whole-word, case-insensitive regex (a prefix trie).

    Parameters
    ----------
    names : iterable of str
        Full names from the CRM, e.g. ``["Mary O'Brien", "Tom Smith-Jones"]``. Blank and
        single-token names are skipped (see :class:`NamePattern`).
    last_first : bool, default False
        Also match the "Last, First" order ("O'Brien, Mary") of two-token names (doubles
        the size of the regex and its compile time).

    Returns
    -------
    NamePattern
        Reusable matcher; pass it as ``known_names`` to :func:`redact`. Building the matcher
        for 50,000 names takes about 3 s on a 2-core machine (twice that with
        ``last_first``), so build it once per run; matching them in 100,000 short comments
        adds about 1–2 s.
    """
    keys: set[str] = set()
    skipped = 0
    for raw in names:
        if raw is None or (isinstance(raw, float) and raw != raw):
            continue
        parts = _NAME_SPLIT.split(str(raw).strip().lower())
        parts = [p for p in parts if p]
        if len(parts) < 2 or sum(len(p) for p in parts) < 4:
            skipped += 1
            continue
        keys.add(" ".join(parts))
        if last_first and len(parts) == 2:
            keys.add(f"{parts[1]}, {parts[0]}")
    if not keys:
        return NamePattern(None, 0, skipped)
    body = _trie_regex(keys)
    pat = re.compile(r"(?<![\w'’-])(?:" + body + r")(?!\w|['’]\w\w)", re.IGNORECASE)
    return NamePattern(pat, len(keys), skipped)


# --- redaction ------------------------------------------------------------------------------


@dataclass
class RedactionResult:
    """What :func:`redact` returns.

    Attributes
    ----------
    text : pandas.Series or str
        The redacted texts (same index as the input; missing values stay missing), or a str
        when a single str was given.
    counts : dict of str to int
        Number of replacements per kind (every kind in :data:`KINDS`, zeros included, then the
        params' own patterns by name).
    rows : dict of str to int
        Number of texts in which each kind was found.
    n_texts : int
        Number of non-missing texts looked at.
    """

    text: pd.Series | str
    counts: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    n_texts: int = 0

    @property
    def total(self) -> int:
        """Total replacements of all kinds."""
        return int(sum(self.counts.values()))

    def summary(self) -> pd.DataFrame:
        """One row per kind: replacements and texts affected (for the data-quality report)."""
        return pd.DataFrame(
            {"replacements": pd.Series(self.counts), "texts_affected": pd.Series(self.rows)}
        ).rename_axis("kind")


def _as_series(texts) -> tuple[pd.Series, bool]:
    if isinstance(texts, str):
        return pd.Series([texts], dtype=object), True
    if isinstance(texts, pd.Series):
        return texts, False
    return pd.Series(list(texts), dtype=object), False


def custom_patterns(patterns) -> list[tuple[str, re.Pattern, str]]:
    """The params' own redaction patterns as ``(name, compiled regex, placeholder)``.

    Parameters
    ----------
    patterns : mapping of name to regex, or sequence of objects with ``name``, ``pattern`` and
        ``placeholder`` attributes (:class:`cxtemplate.config.schema.RedactionPattern`), or of
        ``(name, regex)`` / ``(name, regex, placeholder)`` tuples

    Returns
    -------
    list of tuple
        In the order given; a missing placeholder is ``[<name>]``.

    Raises
    ------
    ValueError
        A pattern that does not compile, or whose name is one of the built-in :data:`KINDS`.
    """
    items = list(patterns.items()) if isinstance(patterns, Mapping) else list(patterns or ())
    out = []
    for item in items:
        if isinstance(item, tuple):
            name, rx, placeholder = (*item, None)[:3]
        else:
            name, rx, placeholder = item.name, item.pattern, getattr(item, "placeholder", None)
        if name in PLACEHOLDERS:
            raise ValueError(f"redaction pattern '{name}' has the name of a built-in kind; name it after what it finds")
        try:
            compiled = re.compile(rx)
        except re.error as exc:
            raise ValueError(f"redaction pattern '{name}' is not a valid regular expression: {exc}") from None
        out.append((str(name), compiled, placeholder or f"[{name}]"))
    return out


def redact(texts, known_names: Sequence[str] | NamePattern | None = None, *,
           kinds: Iterable[str] = KINDS, patterns=(), keep: Iterable[str] = ()) -> RedactionResult:
    """Replace personal data in free texts by placeholders, vectorised over a Series.

    Parameters
    ----------
    texts : pandas.Series, sequence of str, or str
        Comments. Non-string values (NaN, None) are passed through unchanged.
    known_names : sequence of str or NamePattern, optional
        Full customer names from the CRM, matched as whole words in any letter case, with
        straight or curly apostrophes (O'Brien / O’Brien) and hyphens (Smith-Jones). For
        many names or repeated calls build the matcher once with :func:`build_name_pattern`.
        Names people give in the text itself ("my name is …", signatures) are found without it.
    kinds : iterable of str, default all
        Which kinds to redact (subset of :data:`KINDS`; the params' ``privacy.kinds``).
    patterns : optional
        The client's own patterns, applied first (see :func:`custom_patterns`; the params'
        ``privacy.patterns``).
    keep : iterable of str, optional
        Names and words never redacted as a name, in any letter case (staff first names, brand
        or product names; the params' ``privacy.keep``). A found name is kept when it, or its
        first word, is listed.

    Returns
    -------
    RedactionResult
        ``.text`` with placeholders (see the module's table), ``.counts`` replacements per kind
        and ``.rows`` texts affected per kind. Redaction is idempotent: running it on redacted
        text changes nothing.

    Notes
    -----
    Limits, stated rather than hidden: a phone number written with unusual grouping (e.g. US
    numbers with no separators "5551234567") is kept, since it cannot be told apart from an
    order number; 13–19 digit numbers that pass the Luhn check are redacted as ``[card]`` even
    when they are something else (one random number in ten passes); names that nobody
    introduces and that are not in ``known_names`` are kept ("Sarah was great" keeps Sarah:
    telling a first name from a word needs a dictionary of names); a street needs its house
    number ("Acacia Avenue" alone is kept); a bare five-digit number is a ZIP code only after a
    state ("NY 10001") and a European postcode only before a town; UK postcodes whose inward
    code ends in GB, TB, MB or KB are kept ("S20 1TB" is a phone's storage more often than a
    street).
    """
    s, scalar = _as_series(texts)
    kinds = set(kinds)
    unknown = kinds - set(KINDS)
    if unknown:
        raise ValueError(f"unknown redaction kinds {sorted(unknown)}; choose from {list(KINDS)}")
    own = custom_patterns(patterns)
    keep_set = frozenset(k for k in (keep_key(str(x)) for x in keep if x is not None) if k)
    is_str = s.map(type).eq(str) if s.dtype == object else pd.Series(False, index=s.index)
    if s.dtype != object:
        is_str = s.notna()
        s = s.astype(object)
    # each distinct text is redacted once (exports repeat stock phrases), then spread back
    codes, uniq = pd.factorize(s[is_str].astype(str))
    work = pd.Series(uniq, dtype=object)
    marks = {**PLACEHOLDERS, **{name: ph for name, _, ph in own}}
    before = {k: work.str.count(re.escape(ph)) for k, ph in marks.items()}

    def sub(pattern, repl, only=None):
        nonlocal work
        if only is None:
            work = work.str.replace(pattern, repl, regex=True)
        elif only.any():
            work = work.where(~only, work[only].str.replace(pattern, repl, regex=True))

    # identifiers, streets and postcodes all hold a digit: most comments have none, and skip those passes
    digits = work.str.contains(r"\d", regex=True)
    # a ZIP, a continental postcode and an SSN hold four digits in a row; a name given in the text a capital
    # letter, or one of the strong cues after which a name may be in lower case ("my name is sarah jones")
    digits4 = digits & work.str.contains(r"\d{4}", regex=True)
    capitals = work.str.contains(r"[A-ZÀ-ÖØ-Þ]", regex=True)
    capitals |= ~capitals & work.str.contains(r"(?i)name|called|go by|sign|contact|from|holder", regex=True)

    for _, rx, placeholder in own:
        sub(rx, lambda m, p=placeholder: p)
    if "url" in kinds:
        sub(URL_WITH_LOGIN, PLACEHOLDERS["url"])
        sub(URL, PLACEHOLDERS["url"])
    if "email" in kinds:
        sub(EMAIL, PLACEHOLDERS["email"])
    if "national_id" in kinds:
        sub(NINO, PLACEHOLDERS["national_id"], digits)
        sub(SSN, PLACEHOLDERS["national_id"], digits4)
        sub(ID_CONTEXT, id_context_repl, digits)
    if "account" in kinds:
        sub(IBAN, iban_repl)
        sub(IBAN_LOWER, lambda m: m.group(1) + iban_repl(re.match(r".*", m.group(2))))
        sub(ACCOUNT_CONTEXT, r"\1\2" + PLACEHOLDERS["account"])
    if "card" in kinds:
        sub(CARD, card_repl)
    if "phone" in kinds:
        sub(PHONE, phone_repl)
    if "address" in kinds:
        sub(BUILDING, PLACEHOLDERS["address"], digits)
        sub(STREET, street_repl, digits)
        sub(STREET_EU, street_eu_repl, digits)
    if "postcode" in kinds:
        sub(UK_POSTCODE, uk_postcode_repl, digits)
        sub(US_ZIP, us_zip_repl, digits4)
        sub(EU_CITY, eu_city_repl, digits4)
        sub(NL_POSTCODE, nl_postcode_repl, digits4)
    if "name" in kinds:
        if known_names is not None:
            npat = known_names if isinstance(known_names, NamePattern) else build_name_pattern(known_names)
            if npat.pattern is not None:
                sub(npat.pattern, (lambda m: m.group(0) if keep_key(m.group(0)) in keep_set else PLACEHOLDERS["name"])
                    if keep_set else PLACEHOLDERS["name"])
        sub(NAME_STRONG, partial(named, keep=keep_set, level="strong"), capitals)
        sub(NAME_SELF, partial(self_repl, keep=keep_set), capitals)
        sub(NAME_TITLE, partial(named, keep=keep_set, level="medium"), capitals)
        sub(NAME_GREETING, partial(greeting_repl, keep=keep_set), capitals)
        sub(NAME_SIGNOFF, partial(signoff_repl, keep=keep_set), capitals)
        sub(NAME_DASH, partial(named, keep=keep_set), capitals)
        sub(NAME_HERE, partial(named, keep=keep_set), capitals)
        sub(NAME_REFERRED, partial(named, keep=keep_set), capitals)
        sub(NAME_APPOSITIVE, partial(named, keep=keep_set), capitals)

    counts, rows = {}, {}
    for k, ph in marks.items():
        d = (work.str.count(re.escape(ph)) - before[k]).to_numpy(dtype=np.int64)[codes]
        counts[k] = int(d.sum())
        rows[k] = int((d > 0).sum())
    out = s.copy()
    out[is_str] = work.to_numpy(dtype=object)[codes]
    if scalar:
        return RedactionResult(out.iloc[0], counts, rows, int(is_str.sum()))
    return RedactionResult(out, counts, rows, int(is_str.sum()))


def contains_pii(texts, known_names: Sequence[str] | NamePattern | None = None, *,
                 kinds: Iterable[str] = KINDS, patterns=(), keep: Iterable[str] = ()):
    """Tell which texts still contain personal data that :func:`redact` would replace.

    Parameters
    ----------
    texts : pandas.Series, sequence of str, or str
    known_names : sequence of str or NamePattern, optional
    kinds, patterns, keep : optional
        As for :func:`redact`.

    Returns
    -------
    pandas.Series of bool, or bool for a single str
        True where redaction would change the text.
    """
    s, scalar = _as_series(texts)
    red = redact(s, known_names, kinds=kinds, patterns=patterns, keep=keep).text
    changed = ~(red.eq(s) | (red.isna() & s.isna()))
    return bool(changed.iloc[0]) if scalar else changed


def assert_no_pii(texts, known_names=None, *, what: str = "texts") -> None:
    """Raise ``ValueError`` if any text still contains personal data (a guard before showing text).

    The message gives the positions of offending texts, never their content.
    """
    bad = contains_pii(pd.Series(list(texts), dtype=object), known_names)
    if bad.any():
        pos = list(bad[bad].index[:10])
        raise ValueError(f"{int(bad.sum())} {what} still contain personal data (positions {pos})")


# --- secrets --------------------------------------------------------------------------------

_KEY_VALUE = re.compile(
    r"(?i)(?P<key>\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth)"
    r"\w*[\"']?\s*[=:]\s*[\"']?)(?P<val>[^\s\"'&,;]+)"
)


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide passwords and secret values in a string (log line, error message, connection URL).

    Parameters
    ----------
    text : str
        Any text that may carry a secret, e.g. ``"postgresql://cx:s3cret@db:5432/cx"``.
    secrets : iterable of str, optional
        Literal secret values (e.g. the values of the environment variables named in the
        YAML); every occurrence is replaced by ``***``. Values shorter than 4 characters are
        ignored (they would blank out ordinary text).

    Returns
    -------
    str
        The text with every literal secret, ``scheme://user:***@host`` passwords and secret query
        values (:func:`cxtemplate.errors.mask_credentials`, which every error message passes
        through), and ``password=***`` style key-values replaced by ``***``.
    """
    if not isinstance(text, str):
        text = str(text)
    for sec in sorted({str(x) for x in secrets if x is not None}, key=len, reverse=True):
        if len(sec) >= 4:
            text = text.replace(sec, "***")
    text = mask_credentials(text)
    text = _KEY_VALUE.sub(lambda m: m.group("key") + "***", text)
    return text
