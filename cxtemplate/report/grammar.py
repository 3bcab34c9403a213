"""The small grammar layer every generated sentence goes through.

Pages write sentences from results ("3 actions are overdue", "Billing and wait times explain most of it"):
the words around a number or a name change with it. These helpers get the article, the plural, the verb
form, the capital and the list right in one place, so that no page says "The first action is to proactive
calls" or "1 customers" or starts a sentence in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["article", "capitalise", "join_list", "noun", "plural", "sentence", "verb", "with_article"]

_IRREGULAR = {"person": "people", "child": "children", "analysis": "analyses", "criterion": "criteria",
              "index": "indices", "is": "are", "was": "were", "has": "have", "does": "do"}
# Words whose first letter is a vowel but sound like a consonant, and the reverse (an hour, an NPS score).
_CONSONANT_SOUND = re.compile(r"^(uni|use|usu|one|once|eu|ur[aeiou])", re.IGNORECASE)
_VOWEL_SOUND = re.compile(r"^(hour|honest|honou?r|heir)", re.IGNORECASE)
_VOWEL_LETTER_NAMES = set("AEFHILMNORSX")  # initialisms read letter by letter: an NPS, an SMS, a CSAT? (no: "see")


def _is_one(n: Any) -> bool:
    try:
        return abs(float(n)) == 1
    except (TypeError, ValueError):
        return False


def noun(n: Any, singular: str, plural_form: str | None = None) -> str:
    """The noun for ``n`` things: ``singular`` for exactly one, else its plural.

    >>> noun(1, "action"), noun(3, "action"), noun(2, "person"), noun(0, "query", "queries")
    ('action', 'actions', 'people', 'queries')
    """
    if _is_one(n):
        return singular
    if plural_form is not None:
        return plural_form
    return _plural_of(singular)


def _plural_of(word: str) -> str:
    if word.lower() in _IRREGULAR:
        return _IRREGULAR[word.lower()]
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def plural(n: Any, singular: str, plural_form: str | None = None, *, decimals: int = 0) -> str:
    """A count with its noun: '1 action', '3 actions', '1,204 customers'.

    >>> plural(1, "action"), plural(1204, "customer"), plural(2, "analysis"), plural(0, "topic")
    ('1 action', '1,204 customers', '2 analyses', '0 topics')
    """
    return f"{float(n):,.{decimals}f} {noun(n, singular, plural_form)}"


def verb(n: Any, singular: str, plural_form: str) -> str:
    """The verb form agreeing with ``n`` subjects: ``verb(1, "is", "are")`` → 'is'.

    >>> verb(1, "is", "are"), verb(4, "falls", "fall")
    ('is', 'fall')
    """
    return singular if _is_one(n) else plural_form


def article(word: str) -> str:
    """'a' or 'an' for ``word`` by its sound: an hour, a user, an NPS finding, a CX forum, an 8-point gap.

    >>> [article(w) for w in ("action", "hour", "user", "NPS", "CX", "8-point", "18", "one-off", "Edinburgh")]
    ['an', 'an', 'a', 'an', 'a', 'an', 'an', 'a', 'an']
    """
    w = str(word).strip()
    if not w:
        return "a"
    if w[0].isdigit():
        digits = re.match(r"[\d,]+", w).group(0).replace(",", "")
        # "an 8", "an 11", "an 18", "an 80", "an 800": the number's spoken form starts with a vowel
        if digits.startswith("8") or (digits in ("11", "18") or (len(digits) in (2, 5) and digits[:2] in ("11", "18"))):
            return "an"
        return "a"
    token = re.match(r"[A-Za-z]+", w)
    token_text = token.group(0) if token else w
    if len(token_text) >= 2 and token_text.isupper():  # an initialism, read letter by letter
        return "an" if token_text[0] in _VOWEL_LETTER_NAMES else "a"
    if _VOWEL_SOUND.match(w):
        return "an"
    if _CONSONANT_SOUND.match(w):
        return "a"
    return "an" if w[0].lower() in "aeiou" else "a"


def with_article(word: str) -> str:
    """``word`` after its indefinite article: 'an hour', 'a user'.

    >>> with_article("unresolved contact"), with_article("extra charge")
    ('an unresolved contact', 'an extra charge')
    """
    return f"{article(word)} {word}"


def capitalise(text: str) -> str:
    """``text`` with its first letter upper case, the rest untouched (so 'NPS', 'eBay' inside stay).

    Leading Markdown emphasis or quotes are skipped: '**billing** rose' → '**Billing** rose'.

    >>> capitalise("retention calls to 40 customers"), capitalise("**billing** rose"), capitalise("3 actions")
    ('Retention calls to 40 customers', '**Billing** rose', '3 actions')
    """
    s = str(text)
    m = re.match(r"^([\s*_\"'“‘(\[]*)(.)", s)
    if not m:
        return s
    i = m.end(1)
    return s[:i] + s[i].upper() + s[i + 1:]


def sentence(text: str) -> str:
    """A sentence: capitalised, single-spaced, ending with a full stop (unless it ends with ., ! or ?).

    >>> sentence("retention calls to  40 customers"), sentence("is it?"), sentence("done.")
    ('Retention calls to 40 customers.', 'Is it?', 'Done.')
    """
    s = re.sub(r"[ \t]+", " ", str(text)).strip()
    if not s:
        return s
    s = capitalise(s)
    tail = s.rstrip("*_)\"'”’")
    if tail and tail[-1] in ".!?:":
        return s
    return s + "."


def join_list(items: Iterable[Any], conj: str = "and") -> str:
    """Items as an English list: 'a', 'a and b', 'a, b and c' (no Oxford comma).

    >>> join_list(["billing"]), join_list(["billing", "wait"]), join_list(["a", "b", "c"], "or"), join_list([])
    ('billing', 'billing and wait', 'a, b or c', '')
    """
    parts = [str(i) for i in items if str(i)]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {conj} {parts[-1]}"
