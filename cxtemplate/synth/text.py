"""Text for the synthetic organisation: names, survey comments with planted topics, and planted PII.

Comments are assembled from phrase banks (templates × synonyms) so that topic models can find the
topics while the text is not trivially repetitive. Everything is vectorised over responses: a phrase
bank is expanded once into all its variants and each comment picks variants by index.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

FIRST_NAMES = (
    "Oliver George Harry Jack Jacob Noah Charlie Muhammad Thomas Oscar William James Leo Alfie Henry "
    "Joshua Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel Max Daniel Arthur Lucas Mohammed "
    "Logan Theo Harrison Benjamin Mason Sebastian Finley Adam Dylan Zachary Riley David Michael Ryan "
    "Olivia Amelia Isla Ava Emily Isabella Mia Poppy Ella Lily Sophia Grace Evie Sophie Ruby Jessica "
    "Chloe Florence Alice Daisy Freya Charlotte Matilda Phoebe Evelyn Sienna Layla Harper Aisha Priya "
    "Jane Sarah Rachel Hannah Laura Emma Claire Helen Karen Fiona Nicola Joanne Amira Zara Niamh"
).split()

LAST_NAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
    "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
    "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson "
    "Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell "
    "Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson "
    "Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes "
    "Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham"
).split()

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
_STR = np.dtypes.StringDType()   # variable-width strings: no fixed-width blow-up on long comments

# Each topic: latent effect on the NPS latent (0-10 points), share of commented responses that
# mention it, its distinctive keywords, and templates. "{a|b|c}" expands to each alternative.
TOPICS: dict[str, dict] = {
    "billing_error": {
        "label": "Billing error",
        "effect_latent": -2.0,
        "share": 0.11,
        "keywords": ["bill", "billed", "billing", "debited", "invoice", "charged", "overcharged", "refund", "direct debit"],
        "templates": [
            "I was {charged|billed|debited} {twice|two times|double} for {the same month|one month|my usual bundle}.",
            "{My|The} {invoice|bill} {was wrong|had a mistake on it|showed the wrong amount} {again|this month|for the third time}.",
            "{Still no|No sign of a|Never received my} refund after {being overcharged|the billing mistake|the incorrect charge}.",
            "{You|They} overcharged me {on my last bill|by twenty pounds|on the direct debit|for extras I never ordered}.",
            "The direct debit {amount was wrong|was taken twice|came out early} {and nobody explained why|and I went overdrawn|without warning}.",
            "{Billing|The billing} is a {mess|shambles|joke}, {incorrect charges|wrong amounts|extra charges} every {month|quarter|time}.",
        ],
    },
    "long_wait": {
        "label": "Long wait",
        "effect_latent": -1.1,
        "share": 0.13,
        "keywords": ["wait", "waited", "waiting", "hold", "queue", "hour", "ages"],
        "templates": [
            "I {waited|was kept waiting|sat} on hold for {over an hour|forty minutes|ages|nearly an hour}.",
            "The {queue|wait|waiting time} {was ridiculous|was far too long|is getting worse|was unacceptable}.",
            "{Far too long|Way too long|Too long} {a wait|on hold|in the queue} {to speak to anyone|before anyone answered|just to get through}.",
            "{Had to|Needed to} {wait|queue|hold} {an hour|45 minutes|half an hour} {for a simple question|just to be told nothing|before giving up}.",
            "{The hold music|The call queue|The queue in store} went on for {ages|what felt like forever|far too long}.",
        ],
    },
    "rude_staff": {
        "label": "Rude or unhelpful staff",
        "effect_latent": -1.5,
        "share": 0.06,
        "keywords": ["rude", "unhelpful", "dismissive", "attitude", "condescending", "brushed off"],
        "templates": [
            "The {advisor|person|agent|staff member} I {spoke to|dealt with|talked to} was {rude|unhelpful|dismissive|condescending}.",
            "{Really|Very|Extremely} {poor attitude|rude|dismissive} from the {advisor|agent|staff|person on the phone}.",
            "{Nobody|No one} {seemed to care|listened|bothered to help}, {rude|unhelpful|dismissive} {staff|advisors|people}.",
            "{I was|I felt} {spoken down to|treated like an idiot|brushed off} by {a rude|an unhelpful|a condescending} {advisor|agent|member of staff}.",
        ],
    },
    "app_problems": {
        "label": "App problems",
        "effect_latent": -0.8,
        "share": 0.10,
        "keywords": ["app", "crash", "crashing", "login", "log in", "update", "password", "screen"],
        "templates": [
            "The app {keeps crashing|crashes constantly|freezes|won't open} {since the update|on my phone|every time I log in}.",
            "{Can't|Cannot|Unable to} {log in|sign in|reset my password} {on|in|through} the app.",
            "The {latest|last|new} {app update|update} {broke everything|made the app unusable|logged me out}.",
            "{App|The app} {login|password reset|home screen} {is broken|doesn't work|keeps failing}.",
            "{Error messages|Blank screens|Constant errors} in the app {when paying|when checking usage|all the time}.",
        ],
    },
    "friendly_staff": {
        "label": "Friendly staff",
        "effect_latent": 0.9,
        "share": 0.12,
        "keywords": ["friendly", "polite", "lovely", "kind", "patient", "thanks"],
        "templates": [
            "The {advisor|person|agent|staff member} {was|was really|was so} {friendly|polite|lovely|kind|patient}.",
            "{Lovely|Friendly|Polite|Kind} {staff|advisor|lady|gentleman} who {took the time|listened|explained everything}.",
            "{Really|Very|Genuinely} {friendly and patient|polite and kind|warm and friendly} {team|staff|service}.",
            "{Thanks|Big thanks|Many thanks} to {the friendly|the lovely|the patient} {advisor|staff|team} {in store|on the phone|on chat}.",
        ],
    },
    "quick_fix": {
        "label": "Quick fix",
        "effect_latent": 0.7,
        "share": 0.09,
        "keywords": ["sorted", "fixed", "resolved", "quick", "quickly", "straight away", "first time"],
        "templates": [
            "{Problem|Issue|Fault} {sorted|fixed|resolved} {straight away|in minutes|first time|quickly}.",
            "{Fixed|Sorted|Resolved} {first time|on the first call|within minutes}, {very quick|really quick|no fuss}.",
            "{Quick|Fast|Speedy} {fix|resolution|turnaround}, {sorted|fixed|resolved} {in minutes|the same day|straight away}.",
            "{They|The technician|Support} {sorted it|fixed it|resolved it} {quickly|straight away|in no time}.",
        ],
    },
}
TOPIC_NAMES = tuple(TOPICS)

# General valence sentences: free of every topic keyword, chosen by the response's NPS category.
VALENCE = {
    "promoter": [
        "Overall very happy.", "Would definitely recommend.", "Great experience overall.",
        "Really pleased overall.", "Excellent, keep it up.", "Couldn't be happier.", "Brilliant overall.",
        "Five stars from me.", "Very satisfied.",
    ],
    "passive": [
        "It was okay.", "Fine overall, nothing special.", "Average really.", "Not bad but could be better.",
        "Does the job.", "Mostly fine.", "Okay I suppose.", "Nothing to complain about, nothing to praise.",
    ],
    "detractor": [
        "Really disappointed.", "Not happy at all.", "Thinking about leaving.", "Terrible experience overall.",
        "Very frustrating.", "Would not recommend.", "Absolutely awful.", "Considering other providers.",
    ],
}

PII_SHARES = {"email": 0.025, "phone": 0.025, "name": 0.01, "card": 0.0015}

_PII_TEMPLATES = {
    "email": ["Email me at {x}.", "Please contact me on {x}", "My email is {x} if you need it."],
    "phone": ["Call me on {x}.", "My number is {x}.", "Ring me back on {x} please."],
    "name": ["This is {x}.", "{x} here.", "Regards, {x}"],
    "card": ["My card {x} was declined.", "Card number {x} keeps being declined."],
}


def expand(template: str) -> list[str]:
    """Expand ``"{a|b} c"`` into every variant (``["a c", "b c"]``)."""
    parts = re.split(r"(\{[^}]*\})", template)
    choices = [p[1:-1].split("|") if p.startswith("{") else [p] for p in parts]
    return ["".join(c) for c in itertools.product(*choices)]


def _bank(templates: list[str]) -> np.ndarray:
    return np.array([v for t in templates for v in expand(t)], dtype=object)


TOPIC_BANKS = {name: _bank(t["templates"]) for name, t in TOPICS.items()}
VALENCE_BANKS = {k: np.array(v, dtype=object) for k, v in VALENCE.items()}


def pick(rng: np.random.Generator, bank, n: int) -> np.ndarray:
    """Draw ``n`` items of ``bank`` uniformly with replacement (object array)."""
    bank = np.asarray(bank, dtype=object)
    return bank[rng.integers(0, len(bank), size=n)]


def full_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random first and last names (object arrays of length ``n``)."""
    return pick(rng, FIRST_NAMES, n), pick(rng, LAST_NAMES, n)


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal strings of non-negative integers (object array)."""
    s = np.asarray(values, dtype=np.int64).astype(_STR)
    return np.strings.zfill(s, width).astype(object)


def uk_mobile(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ofcom drama mobile numbers ``07700 900000``–``07700 900999``."""
    return "07700 900" + digits(rng.integers(0, 1000, n), 3)


def uk_phone_mixed(rng: np.random.Generator, n: int) -> np.ndarray:
    """Drama numbers (reserved for fiction) in the formats people actually type."""
    d = digits(rng.integers(0, 1000, n), 3)
    formats = np.array([
        "07700 900{}", "+44 7700 900{}", "07700900{}", "020 7946 0{}", "0161 496 0{}", "0117 496 0{}",
    ])
    kind = rng.integers(0, len(formats), n)
    out = np.empty(n, dtype=object)
    for k, f in enumerate(formats):
        sel = kind == k
        head, tail = f.split("{}")
        out[sel] = head + d[sel] + tail
    return out


def card_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Luhn-valid 16-digit numbers starting with 4, grouped in fours with spaces or dashes."""
    body = rng.integers(0, 10, size=(n, 15))
    body[:, 0] = 4
    # Luhn: from the right of the full number, double every second digit; the check digit is
    # position 16, so in the 15-digit body the doubled ones are positions 15, 13, ... (1-based).
    dbl = body.copy()
    dbl[:, 0::2] *= 2
    dbl[dbl > 9] -= 9
    check = (10 - dbl.sum(axis=1) % 10) % 10
    full = np.concatenate([body, check[:, None]], axis=1)
    groups = [
        digits((full[:, i:i + 4] * np.array([1000, 100, 10, 1])).sum(axis=1), 4) for i in range(0, 16, 4)
    ]
    sep = np.where(rng.random(n) < 0.5, " ", "-").astype(object)
    return groups[0] + sep + groups[1] + sep + groups[2] + sep + groups[3]


def luhn_ok(number: str) -> bool:
    """Whether a digit string (separators ignored) passes the Luhn check."""
    ds = [int(c) for c in number if c.isdigit()][::-1]
    return sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(ds)) % 10 == 0


def emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray, number: np.ndarray | None = None) -> np.ndarray:
    """``first.last<number>@example.<tld>`` addresses, lower case."""
    n = len(first)
    local = np.strings.lower(np.asarray(first).astype(_STR)).astype(object) + "."
    local = local + np.strings.lower(np.asarray(last).astype(_STR)).astype(object)
    if number is not None:
        local = local + np.asarray(number).astype(_STR).astype(object)
    return local + "@" + pick(rng, EMAIL_DOMAINS, n)


def build_comments(rng: np.random.Generator, mentions: np.ndarray, nps: np.ndarray) -> np.ndarray:
    """Comment texts for commented responses.

    Parameters
    ----------
    rng : numpy.random.Generator
    mentions : ndarray of bool, shape (n, n_topics)
        Which topics each comment mentions (columns in ``TOPIC_NAMES`` order).
    nps : ndarray of int, shape (n,)
        The response's NPS; picks the valence of the general sentence.

    Returns
    -------
    ndarray of object
        One comment per row; never empty.
    """
    n = len(nps)
    parts = []
    for j, name in enumerate(TOPIC_NAMES):
        p = np.full(n, "", dtype=object)
        sel = mentions[:, j]
        p[sel] = pick(rng, TOPIC_BANKS[name], int(sel.sum())) + " "
        parts.append(p)
    # Topic order varies: rotate the list of parts by a random offset per comment.
    stacked = np.stack(parts, axis=1)
    shift = rng.integers(0, len(parts), n)
    idx = (np.arange(len(parts))[None, :] + shift[:, None]) % len(parts)
    stacked = np.take_along_axis(stacked, idx, axis=1)
    body = stacked[:, 0]
    for k in range(1, stacked.shape[1]):
        body = body + stacked[:, k]

    category = np.where(nps >= 9, "promoter", np.where(nps >= 7, "passive", "detractor"))
    general = np.full(n, "", dtype=object)
    for cat, bank in VALENCE_BANKS.items():
        sel = category == cat
        general[sel] = pick(rng, bank, int(sel.sum()))
    has_topic = mentions.any(axis=1)
    use_general = ~has_topic | (rng.random(n) < 0.6)
    general_first = rng.random(n) < 0.3
    out = np.where(use_general & general_first, general + " " + body,
                   np.where(use_general, body + general, body))
    out = np.strings.strip(out.astype(_STR))
    # Casual variants: all lower case, or no final full stop.
    style = rng.random(n)
    out = np.where(style < 0.15, np.strings.lower(out), out)
    out = np.where((style > 0.85) & np.strings.endswith(out, "."), np.strings.slice(out, 0, -1), out)
    return out.astype(object)


def inject_pii(rng: np.random.Generator, comments: np.ndarray, identified: np.ndarray,
               first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """Append personal data to a small share of comments.

    Parameters
    ----------
    comments : ndarray of object
        Comment texts (all non-empty).
    identified : ndarray of bool
        Whether the response carries a customer_id; only those may quote the customer's own name.
    first, last : ndarray of object
        The CRM name of each response's customer.

    Returns
    -------
    comments : ndarray of object
    counts : dict
        Number of comments with each kind of PII (each comment gets at most one kind).
    """
    n = len(comments)
    kinds = list(PII_SHARES)
    p = np.array([PII_SHARES[k] for k in kinds])
    kind = np.searchsorted(np.cumsum(p), rng.random(n), side="right")  # len(kinds) = none
    kind[(kind == kinds.index("name")) & ~identified] = len(kinds)
    out = comments.copy()
    counts = {}
    for k, name in enumerate(kinds):
        sel = np.flatnonzero(kind == k)
        counts[name] = int(sel.size)
        if sel.size == 0:
            continue
        if name == "email":
            f, l_ = full_names(rng, sel.size)
            x = emails(rng, f, l_)
        elif name == "phone":
            x = uk_phone_mixed(rng, sel.size)
        elif name == "name":
            x = first[sel] + " " + last[sel]
        else:
            x = card_numbers(rng, sel.size)
        templates = _PII_TEMPLATES[name]
        t = rng.integers(0, len(templates), sel.size)
        sentence = np.empty(sel.size, dtype=object)
        for i, tpl in enumerate(templates):
            s = t == i
            head, tail = tpl.split("{x}")
            sentence[s] = head + x[s] + tail
        ends = np.isin(np.strings.slice(out[sel].astype(_STR), -1, None), [".", "!", "?"])
        out[sel] = out[sel] + np.where(ends, " ", ". ").astype(object) + sentence
    return out, counts
