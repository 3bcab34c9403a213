"""Redaction of personal data and secrets in free text.

Every free-text comment is redacted before a report, an artifact or a chart shows it
(DESIGN.md, reliability rules). :func:`redact` works on a whole pandas Series at once: each
kind of personal data is one compiled regular expression applied with ``Series.str.replace``
(no Python loop over rows), in this order, each kind replaced by a placeholder:

========  ===================================================================  ============
kind      what is matched                                                      placeholder
========  ===================================================================  ============
url       http(s) URLs carrying a query string (tokens, session ids, e-mails)  ``[url]``
email     e-mail addresses                                                     ``[email]``
account   IBAN-like strings; sort codes / account numbers after those words    ``[account]``
card      13–19 digit card-like numbers passing the Luhn check; any 16 digits  ``[card]``
          written in four groups of four; 15 digits in the Amex 4-6-5 layout
phone     UK numbers (07700 900123, +44 7700 900123, 020 7946 0123,            ``[phone]``
          (020) 7946 0123, 0044 …), North-American 555-123-4567 /
          (555) 123-4567, and international numbers written with +CC or 00CC
name      known customer names (full names from the CRM), case-insensitive,    ``[name]``
          whole words; optionally "Last, First"
========  ===================================================================  ============

Ordinary numbers are left alone: "3 times", "£45.99", "order 12345", dates such as
12/03/2024 or 2024-03-12 and times such as 10:30 match none of the patterns (the tests hold a
list of such negatives). Long runs of digits that fail the Luhn check and have no phone layout
(order or tracking numbers) are kept. The known limits are stated in :func:`redact`.

Secrets (database URLs, tokens) are handled by :func:`redact_secrets`, which the run log and
the rendered notebooks use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

PLACEHOLDERS: dict[str, str] = {
    "url": "[url]",
    "email": "[email]",
    "account": "[account]",
    "card": "[card]",
    "phone": "[phone]",
    "name": "[name]",
}
KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)

# --- patterns -------------------------------------------------------------------------------
# Each pattern starts with a look-behind that pins where a match may begin, so a regex never
# re-scans a long run of characters from every position inside it: the cost stays linear in the
# length of the text even for a 1 MB comment without spaces.

_URL = re.compile(r"(?i)(?<![^\s(<\[\"'])(?:https?://|www\.)[^\s<>\"'?#]{0,2048}[?#][^\s<>\"']{0,4096}")
_EMAIL = re.compile(
    r"(?<![\w.%+-])(?<!\w['’])[\w.%+-][\w.%+'’-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
_ACCOUNT_CONTEXT = re.compile(
    r"(?i)\b(sort[ -]?code|account(?: number| no\.?|#)?|acct(?: no\.?)?)(\s*[:#]?\s*)"
    r"(\d{2}[- ]\d{2}[- ]\d{2}|\d{6,10})(?!\d)"
)
_CARD = re.compile(
    r"(?<![\d+])(?:"
    r"(?P<g4>[1-9]\d{3}([ -])\d{4}\2\d{4}\2\d{4}(?:\2\d{1,3})?)"  # 4-4-4-4(-3)
    r"|(?P<amex>[1-9]\d{3}([ -])\d{6}\4\d{4,5})"  # 4-6-5 (Amex), 4-6-4 (Diners)
    r"|(?P<plain>[1-9]\d{12,18})"  # contiguous 13–19 digits
    r")(?![\d])"
)
_SEP = r"[ .\-]?"
_PHONE = re.compile(
    r"(?<![\w+/])(?:"
    # international: +CC or 00CC, optional (0), then 2-6 digit groups
    r"(?P<intl>(?:\+|00)[1-9]\d{0,2}[ .\-]?(?:\(0\)[ .\-]?)?\(?\d{1,5}\)?(?:[ .\-]?\d{2,6}){1,4})"
    # UK national with trunk 0, area code optionally in brackets
    r"|(?P<uk>\(?0\d{2,4}\)?[ .\-]?\d{3,4}[ .\-]?\d{3,4})"
    # North American: (555) 123-4567, 555-123-4567, 1-800-555-0199 (a separator is required)
    r"|(?P<nanp>(?:1[ .\-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .\-])\d{3}[ .\-]\d{4})"
    r")(?![\d:/]|[.,-]\d)"
)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def luhn_ok(number: str) -> bool:
    """Return whether the digits of ``number`` pass the Luhn (mod 10) check used by card numbers.

    Parameters
    ----------
    number : str
        Digits, possibly with spaces or dashes.

    Returns
    -------
    bool
    """
    digits = [int(c) for c in _digits(number)]
    if not digits:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_repl(m: re.Match) -> str:
    # IBANs have 15–34 characters; shorter look-alikes are bag tags and booking references
    return PLACEHOLDERS["account"] if len(m.group(0).replace(" ", "")) >= 15 else m.group(0)


def _card_repl(m: re.Match) -> str:
    if m.group("g4"):
        return PLACEHOLDERS["card"]  # 16 digits in groups of four look like a card: always
    if luhn_ok(m.group(0)):
        return PLACEHOLDERS["card"]
    return m.group(0)


# national significant number lengths for the countries whose numbers are most common in
# the comments of UK and US organisations; other countries use the E.164 bounds only
_NATIONAL_LENGTH = {"44": (9, 10), "1": (10, 10), "353": (7, 9)}


def _phone_repl(m: re.Match) -> str:
    s = m.group(0)
    if m.group("intl"):
        body = s[1:] if s.startswith("+") else s[2:]
        cc = next((c for c in ("44", "1", "353") if body.startswith(c)), None)
        if cc is not None:
            trunk = len(cc) + (1 if "(0)" in s else 0)
            lo, hi = (trunk + x for x in _NATIONAL_LENGTH[cc])
        else:
            lo, hi = 8, 15  # E.164: at most 15 digits including the country code
        extra = 0 if s.startswith("+") else 2  # the 00 prefix is not counted
    else:
        lo, hi, extra = 10, 11, 0
    n = len(_digits(s)) - extra
    if lo <= n <= hi:
        return PLACEHOLDERS["phone"]
    if n > hi:
        # a phone number followed by another number ("+44 7700 900123 12 times"): redact the
        # longest leading run of groups that is a valid length and keep the rest
        for cut in (i for i in range(len(s) - 1, 0, -1) if s[i] in " .-"):
            k = len(_digits(s[:cut])) - extra
            if lo <= k <= hi:
                return PLACEHOLDERS["phone"] + s[cut:]
            if k < lo:
                break
    return s


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
        Number of replacements per kind (every kind in :data:`KINDS`, zeros included).
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


def redact(texts, known_names: Sequence[str] | NamePattern | None = None, *,
           kinds: Iterable[str] = KINDS) -> RedactionResult:
    """Replace personal data in free texts by placeholders, vectorised over a Series.

    Parameters
    ----------
    texts : pandas.Series, sequence of str, or str
        Comments. Non-string values (NaN, None) are passed through unchanged.
    known_names : sequence of str or NamePattern, optional
        Full customer names from the CRM, matched as whole words in any letter case, with
        straight or curly apostrophes (O'Brien / O’Brien) and hyphens (Smith-Jones). For
        many names or repeated calls build the matcher once with :func:`build_name_pattern`.
    kinds : iterable of str, default all
        Which kinds to redact (subset of :data:`KINDS`).

    Returns
    -------
    RedactionResult
        ``.text`` with placeholders (``[email]``, ``[phone]``, ``[card]``, ``[account]``,
        ``[url]``, ``[name]``), ``.counts`` replacements per kind and ``.rows`` texts affected
        per kind. Redaction is idempotent: running it on redacted text changes nothing.

    Notes
    -----
    Limits, stated rather than hidden: a phone number written with unusual grouping (e.g. US
    numbers with no separators "5551234567") is kept, since it cannot be told apart from an
    order number; 13–19 digit numbers that pass the Luhn check are redacted as ``[card]`` even
    when they are something else (one random number in ten passes); names are found only when
    they are in ``known_names`` (no guessing of unknown names); street addresses are not
    redacted.
    """
    s, scalar = _as_series(texts)
    kinds = set(kinds)
    unknown = kinds - set(KINDS)
    if unknown:
        raise ValueError(f"unknown redaction kinds {sorted(unknown)}; choose from {list(KINDS)}")
    is_str = s.map(type).eq(str) if s.dtype == object else pd.Series(False, index=s.index)
    if s.dtype != object:
        is_str = s.notna()
        s = s.astype(object)
    # each distinct text is redacted once (exports repeat stock phrases), then spread back
    codes, uniq = pd.factorize(s[is_str].astype(str))
    work = pd.Series(uniq, dtype=object)
    before = {k: work.str.count(re.escape(PLACEHOLDERS[k])) for k in KINDS}

    if "url" in kinds:
        work = work.str.replace(_URL, PLACEHOLDERS["url"], regex=True)
    if "email" in kinds:
        work = work.str.replace(_EMAIL, PLACEHOLDERS["email"], regex=True)
    if "account" in kinds:
        work = work.str.replace(_IBAN, _iban_repl, regex=True)
        work = work.str.replace(_ACCOUNT_CONTEXT, r"\1\2" + PLACEHOLDERS["account"], regex=True)
    if "card" in kinds:
        work = work.str.replace(_CARD, _card_repl, regex=True)
    if "phone" in kinds:
        work = work.str.replace(_PHONE, _phone_repl, regex=True)
    if "name" in kinds and known_names is not None:
        npat = known_names if isinstance(known_names, NamePattern) else build_name_pattern(known_names)
        if npat.pattern is not None:
            work = work.str.replace(npat.pattern, PLACEHOLDERS["name"], regex=True)

    counts, rows = {}, {}
    for k in KINDS:
        d = (work.str.count(re.escape(PLACEHOLDERS[k])) - before[k]).to_numpy(dtype=np.int64)[codes]
        counts[k] = int(d.sum())
        rows[k] = int((d > 0).sum())
    out = s.copy()
    out[is_str] = work.to_numpy(dtype=object)[codes]
    if scalar:
        return RedactionResult(out.iloc[0], counts, rows, int(is_str.sum()))
    return RedactionResult(out, counts, rows, int(is_str.sum()))


def contains_pii(texts, known_names: Sequence[str] | NamePattern | None = None, *,
                 kinds: Iterable[str] = KINDS):
    """Tell which texts still contain personal data that :func:`redact` would replace.

    Parameters
    ----------
    texts : pandas.Series, sequence of str, or str
    known_names : sequence of str or NamePattern, optional
    kinds : iterable of str, default all

    Returns
    -------
    pandas.Series of bool, or bool for a single str
        True where redaction would change the text.
    """
    s, scalar = _as_series(texts)
    red = redact(s, known_names, kinds=kinds).text
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

_URL_PASSWORD = re.compile(r"(?P<pre>\b[a-zA-Z][\w+.\-]*://[^\s:/@]*:)(?P<pw>[^\s/]+)(?P<at>@)")
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
        The text with ``scheme://user:***@host`` passwords, ``password=***`` style key-values
        and every literal secret replaced by ``***``.
    """
    if not isinstance(text, str):
        text = str(text)
    for sec in sorted({str(x) for x in secrets if x is not None}, key=len, reverse=True):
        if len(sec) >= 4:
            text = text.replace(sec, "***")
    text = _URL_PASSWORD.sub(lambda m: m.group("pre") + "***" + m.group("at"), text)
    text = _KEY_VALUE.sub(lambda m: m.group("key") + "***", text)
    return text
