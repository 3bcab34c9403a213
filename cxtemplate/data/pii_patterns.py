"""The patterns that find personal data in free text, kind by kind, and what replaces each match.

:func:`cxtemplate.data.privacy.redact` applies them in order (the client's own patterns first, then URLs,
e-mails, national identifiers, accounts, cards, phones, addresses, postcodes and names); this module holds
only the patterns, their word lists and the replacement functions, each tested against the labelled cases
in ``tests/data/pii_cases.py``. Every pattern starts with a look-behind that pins where a match may begin,
so the cost stays linear in the length of the text.
"""

from __future__ import annotations

import re

PLACEHOLDERS: dict[str, str] = {
    "url": "[url]",
    "email": "[email]",
    "national_id": "[national id]",
    "account": "[account]",
    "card": "[card]",
    "phone": "[phone]",
    "address": "[address]",
    "postcode": "[postcode]",
    "name": "[name]",
}
"""The placeholder that replaces each kind of personal data."""


# --- patterns -------------------------------------------------------------------------------
# Each pattern starts with a look-behind that pins where a match may begin, so a regex never
# re-scans a long run of characters from every position inside it: the cost stays linear in the
# length of the text even for a 1 MB comment without spaces.

# a URL that carries a user and password (a connection string pasted into a comment): the whole URL goes
URL_WITH_LOGIN = re.compile(r"(?<![\w])(?=[A-Za-z])[A-Za-z][\w+.\-]{0,30}://[^\s:/@'\"<>]*:[^\s@]*@[^\s<>\"']*")
URL = re.compile(r"(?i)(?<![^\s(<\[\"'])(?:https?://|www\.)[^\s<>\"'?#]{0,2048}[?#][^\s<>\"']{0,4096}")
EMAIL = re.compile(
    r"(?<![\w.%+-])(?<!\w['’])[\w.%+-][\w.%+'’-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
IBAN_LOWER = re.compile(r"(?i)(?<![\w])(iban\s*[:#]?\s*)([a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,3})?)(?![a-z0-9])")
ACCOUNT_CONTEXT = re.compile(
    r"(?i)\b(sort[ -]?code|account(?: number| no\.?|#)?|acct(?: no\.?)?)(\s*[:#]?\s*)"
    r"(\d{2}[- ]\d{2}[- ]\d{2}|\d{6,10})(?!\d)"
)
CARD = re.compile(
    r"(?<![\d+])(?:"
    r"(?P<g4>[1-9]\d{3}([ -])\d{4}\2\d{4}\2\d{4}(?:\2\d{1,3})?)"  # 4-4-4-4(-3)
    r"|(?P<amex>[1-9]\d{3}([ -])\d{6}\4\d{4,5})"  # 4-6-5 (Amex), 4-6-4 (Diners)
    r"|(?P<plain>[1-9]\d{12,18})"  # contiguous 13–19 digits
    r")(?![\d])"
)
PHONE = re.compile(
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


def iban_repl(m: re.Match) -> str:
    # IBANs have 15–34 characters; shorter look-alikes are bag tags and booking references
    return PLACEHOLDERS["account"] if len(m.group(0).replace(" ", "")) >= 15 else m.group(0)


def card_repl(m: re.Match) -> str:
    if m.group("g4"):
        return PLACEHOLDERS["card"]  # 16 digits in groups of four look like a card: always
    if luhn_ok(m.group(0)):
        return PLACEHOLDERS["card"]
    return m.group(0)


# national significant number lengths for the countries whose numbers are most common in
# the comments of UK and US organisations; other countries use the E.164 bounds only
_NATIONAL_LENGTH = {"44": (9, 10), "1": (10, 10), "353": (7, 9)}


def phone_repl(m: re.Match) -> str:
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


# --- national identifiers -------------------------------------------------------------------

# UK National Insurance number: two letters, three pairs of digits, a letter A–D ("QQ 12 34 56 C",
# HMRC's own example prefix, is accepted: it is what forms and test data carry)
NINO = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}|[a-z]{2})([ -]?)\d{2}\1\d{2}\1\d{2}[ -]?[A-Da-d](?![A-Za-z0-9])")
# US Social Security / taxpayer number: 3-2-4 digits with one kind of separator (never 000, 666,
# group 00 or serial 0000, which are not issued)
SSN = re.compile(r"(?<![\d.,/-])(?!000|666)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d/-]|[.,]\d)")
# any identifier named by the words before it: "passport number 123456789", "NHS no. 943 476 5919",
# "SSN: 123456789", "NI number QQ123456", "BSN 123456782" …
_ID_WORDS = (
    r"national\s+insurance(?:\s+(?:number|no\.?))?|n\.?\s?i\.?\s+(?:number|no\.?|#)|nino|ni\s+num|"
    r"social\s+security(?:\s+(?:number|no\.?))?|ssn|ss\s?#|ss\s+(?:number|no\.?)|itin|dl\s+(?:number|no\.?|#)|"
    r"tax\s+(?:id|identification(?:\s+number)?|reference|ref|file\s+number|code|number|no\.?)|utr|"
    r"medicare(?:\s+(?:card|number|no\.?))?|medicaid(?:\s+(?:number|id))?|"
    r"nhs(?:\s+(?:number|no\.?|#))?|chi\s+(?:number|no\.?)|patient\s+(?:number|id)|"
    r"pass?port(?:\s+(?:number|no\.?|#))?|driv(?:ing|er['’]?s)\s+licen[cs]e(?:\s+(?:number|no\.?|#))?|"
    r"licen[cs]e\s+(?:number|no\.?)|national\s+id(?:entity)?(?:\s+(?:card|number|no\.?))*|"
    r"(?:id|identity)\s+card(?:\s+(?:number|no\.?))?|residence\s+permit(?:\s+(?:number|no\.?))?|"
    r"bsn|burgerservicenummer|steuer-?id|steuer-?identifikationsnummer|personalausweis(?:nummer)?|"
    r"dni|nif|pesel|codice\s+fiscale|insee|num[ée]ro\s+de\s+s[ée]curit[ée]\s+sociale|personnummer|"
    r"henkil[öo]tunnus|cpr(?:-nummer)?"
)
ID_CONTEXT = re.compile(
    r"(?<![\w])(?=[bcdhilmnprstu])(?P<key>(?:" + _ID_WORDS + r"))(?!\w)(?P<sep>\s*(?:is|was|:|=|-|–|#)?\s*(?:is\s*|:\s*)?)"
    r"(?P<id>(?:[A-Za-z]{1,6}[ -]?)?\d[A-Za-z0-9]*(?:[ -](?=[A-Za-z0-9]*\d)[A-Za-z0-9]+){0,5}(?:[ -]?[A-Za-z](?![A-Za-z0-9]))?)",
    re.IGNORECASE,
)


def id_context_repl(m: re.Match) -> str:
    ident = re.sub(r"[ -]", "", m.group("id"))
    if len(ident) < 6 or sum(c.isdigit() for c in ident) < 4:
        return m.group(0)  # "passport 2" or "NHS no. 12": too short to identify anyone
    return m.group("key") + m.group("sep") + PLACEHOLDERS["national_id"]


# --- postcodes ------------------------------------------------------------------------------

# the UK postcode areas (Royal Mail's 124 and the non-geographic BF and BX): an outward code starts
# with one, so product codes such as "PS5 1TB" or "A4 2BX" are not postcodes
_UK_AREAS = (
    "AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC "
    "EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M "
    "ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW "
    "SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()
UK_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9£$€])(?P<area>[A-Za-z]{1,2})\d[A-Za-z\d]?[ \u00a0]?(?P<inward>\d[A-Za-z]{2})(?![A-Za-z0-9])"
)
_UK_AREA_SET = frozenset(_UK_AREAS)
_UK_INWARD = re.compile(r"\d[ABD-HJLNP-UW-Z]{2}")
_NOT_INWARD = frozenset("1st 2nd 3rd 4th 5th 6th 7th 8th 9th 0th".split())


def uk_postcode_repl(m: re.Match) -> str:
    """A postcode when its area is a UK postcode area and its inward code is valid (not "1TB", not "2nd")."""
    text, inward = m.group(0), m.group("inward")
    if text.upper() == "GIR0AA" or text.upper() == "GIR 0AA":
        return PLACEHOLDERS["postcode"]
    if not (text.isupper() or text.islower() or text[:-3].isupper()):
        return text  # "Ab1 2cD": mixed case is a code, not a postcode someone typed
    if m.group("area").upper() not in _UK_AREA_SET or inward in _NOT_INWARD:
        return text
    if len(m.group("area")) == 1 and not re.search(r"[ \u00a0]", text):
        return text  # "N366SW", "N8325D": aircraft registrations; a one-letter area needs its space
    if not _UK_INWARD.fullmatch(inward.upper()) or inward[1:].upper() in ("GB", "TB", "MB", "KB"):
        return text
    return PLACEHOLDERS["postcode"]


_US_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA PR RI SC SD TN TX UT VT VA WA WV WI WY"
).split()
# two-letter codes that are also English words or common abbreviations: a ZIP after them counts
# only after "Town," ("Boise, ID 83702"), never "my ID 83702"
_AMBIGUOUS_STATES = {"AL", "CO", "DE", "HI", "ID", "IN", "LA", "MA", "ME", "MI", "MT", "NE", "OH", "OK", "OR", "PA"}
_US_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|"
    "Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|"
    "Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|"
    "North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|"
    "Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming"
)
_US_STATE_SET = frozenset(_US_STATE_CODES) | frozenset(_US_STATE_NAMES.split("|"))
US_ZIP = re.compile(
    r"(?=[A-Z\dzZ])(?<![\w-])(?P<state>[A-Z]{2}|(?:New|North|South|West|Rhode)[ \u00a0][A-Z][a-z]+|[A-Z][a-z]{3,12})\.?,?[ \u00a0]+"
    r"(?P<zip>\d{5}(?:-\d{4})?)(?![\d-])"
    r"|(?<![\w.,/£$€-])(?P<zip4>\d{5}-\d{4})(?![\d-])"
    r"|(?<![\w])(?=[zZ])(?i:zip(?:\s*code)?\s*[:#]?\s*)(?P<zipword>\d{5}(?:-\d{4})?)(?![\d-])"
)
_TOWN_BEFORE = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*,\s*$")


def us_zip_repl(m: re.Match) -> str:
    if m.group("zip4") or m.group("zipword"):
        grp = "zip4" if m.group("zip4") else "zipword"
    else:
        grp = "zip"
        state = m.group("state").replace("\u00a0", " ")
        if state not in _US_STATE_SET:
            return m.group(0)
        if state in _AMBIGUOUS_STATES and not _TOWN_BEFORE.search(m.string[max(0, m.start() - 40):m.start()]):
            return m.group(0)
    a, b = m.span(grp)
    return m.group(0)[: a - m.start()] + PLACEHOLDERS["postcode"] + m.group(0)[b - m.start():]


_UP, _LO = "A-ZÀ-ÖØ-Þ\u0100-\u017f", "a-zß-öø-ÿ\u0100-\u017f"  # Latin Extended-A in both: Łukasz, Marszałkowska
# continental forms: "75011 Paris", "10115 Berlin", "D-10115 Berlin", ", 1000 Bruxelles" (four digits
# only after a comma: a year is four digits too), Dutch "1012 AB"
EU_CITY = re.compile(
    r"(?=[,\dA-Z])(?P<comma>,[ \u00a0]*)?(?<![\w£$€#.,/+:-])(?P<code>(?:[A-Z]{1,2}-)?\d{5}|\d{4}-\d{3}|\d{2}-\d{3}|\d{4})[ \u00a0]+"
    rf"(?P<city>[{_UP}][{_LO}]{{2,}}(?:[- ](?:[{_UP}][{_LO}]+|sur|sous|am|an|der|de|la|le|en|im|bei|upon)){{0,3}}"
    rf"|[{_UP}]{{3,}}(?:[- ][{_UP}]{{2,}}){{0,2}})"
    r"(?![\w'’])"
)
NL_POSTCODE = re.compile(r"(?=[,1-9])(?P<comma>,[ \u00a0]*)?(?<![\w£$€#.,/+:-])(?P<code>[1-9]\d{3}[ \u00a0]?(?P<l>[A-Z]{2}))(?![\w'’-])"
                          rf"(?P<city>[ \u00a0]+[{_UP}][{_LO}]{{2,}})?")
# two-letter airline codes: a Dutch postcode with these letters needs its town ("1012 LH Amsterdam")
_NL_AIRLINES = frozenset("UA AA BA DL LH AF KL AZ IB LX EK QF TK SK AY OS SN AC NH JL CX SQ EY QR WN AS NK B6 VY FR U2".split())
# letter pairs that follow a number as units or acronyms ("1500 GB", "2019 EU", "1030 AM"), and the
# three pairs Dutch postcodes never use
_NL_NOT = frozenset("SA SD SS AM PM GB MB KB TB GW MW KW KG KM CM MM ML HZ AD BC CE XP HD OK UK US EU FA FC TV PC "
                    "DJ VS UN NO ID IT PR HR VP CD DV ST ND RD TH".split())
# words before a number that make it a reference or a quantity, not a postcode
_NOT_POSTCODE_BEFORE = re.compile(
    r"(?i)\b(?:order|orders|ref|reference|ticket|invoice|inv|no\.?|nr\.?|num|number|account|acct|booking|case|id|"
    r"tracking|item|items|product|sku|code|model|serial|policy|claim|member|customer|meter|flight|version|"
    r"paid|pay|cost|costs|spent|charged|owe|owed|over|about|than|only|just|waited|got|earned|scored|lost|won|"
    r"of|for|by|since|until|til|till|around|approx|approximately|nearly|almost|total|after|before|"
    r"year|years|circa|rated|points)\s*[:#]?\s*$"
)


def eu_city_repl(m: re.Match) -> str:
    code, city = m.group("code"), m.group("city")
    if len(code) == 4 and not m.group("comma"):
        return m.group(0)
    if city.split()[0].split("-")[0].lower() in _COMMON_WORDS:
        return m.group(0)
    if not m.group("comma") and _NOT_POSTCODE_BEFORE.search(m.string[max(0, m.start() - 30):m.start()]):
        return m.group(0)
    return (m.group("comma") or "") + PLACEHOLDERS["postcode"] + m.group(0)[m.end("code") - m.start():]


def nl_postcode_repl(m: re.Match) -> str:
    if m.group("l") in _NL_NOT:
        return m.group(0)
    city = m.group("city")
    if m.group("l") in _NL_AIRLINES and not m.group("comma") and (not city or city.strip().lower() in _COMMON_WORDS):
        return m.group(0)  # "6600 UA": a number and an airline
    if not m.group("comma") and _NOT_POSTCODE_BEFORE.search(m.string[max(0, m.start() - 30):m.start()]):
        return m.group(0)
    return (m.group("comma") or "") + PLACEHOLDERS["postcode"] + (m.group("city") or "")


# --- street addresses -----------------------------------------------------------------------

# words that end an English street name; the first group is rarely anything else ("14 acacia avenue"
# is redacted in lower case after "live at" or at the end of a sentence), the second is ordinary
# English too ("5 star way", "the car park"), so it needs capitals ("7 Mill Way")
_STREET_STRONG = (
    "street|st|road|rd|avenue|ave|av|lane|ln|boulevard|blvd|crescent|cres|terrace|terr|mews|drive|highway|hwy|"
    "parkway|pkwy|gardens|gdns|grove|close|strasse|straße"
)
_STREET_WEAK = (
    "way|park|place|pl|court|ct|square|sq|hill|green|view|row|walk|rise|circle|cir|trail|parade|yard|wharf|"
    "quay|gate|end|vale|wood|fields|meadow|croft|brow|drove|chase|passage|alley|plaza|pike|loop|path|"
    "broadway|approach|dale|hollow|heights|embankment|cottages|villas"
)
_STREET_STOP = (
    "the|a|an|on|in|at|to|of|for|my|our|your|their|his|her|its|this|that|these|those|and|or|but|was|were|is|"
    "are|be|been|had|has|have|with|from|by|down|up|over|under|into|onto|off|out|about|after|before|around|"
    "past|than|then|hours?|minutes?|mins?|days?|weeks?|months?|years?|times?|seconds?|secs?|calls?|emails?|"
    "people|more|less|other|same|whole|entire|just|only|very|really|per|each|every|no|not|all|any|some|"
    "miles?|km|yards?|metres?|meters?|feet|foot|steps?|blocks?|stops?|lanes|roads|streets|different|"
    "separate|wrong|right|left|long|short|main|side|back|front|one|two|three|four|five|six|seven|eight|nine|ten"
)
_STREET_WORD = r"(?:[A-Za-z][A-Za-z'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_STREET_STOP_SET = frozenset(_STREET_STOP.replace("?", "").split("|")) | {w + "s" for w in _STREET_STOP.split("|") if w.endswith("?")}
STREET = re.compile(
    r"(?<![\w£$€#.,/:+-])(?=[\dAaFfSsUu])(?P<addr>(?:(?i:flat|apartment|apt|unit|suite)\.?\s*\d{1,4}[A-Za-z]?\s*,?\s*)?"
    r"\d{1,5}[A-Za-z]?(?:\s?[-/]\s?\d{1,5}[A-Za-z]?)?,?[ \u00a0]+"
    r"(?P<words>(?:The[ \u00a0]+)?(?:" + _STREET_WORD + r"[ \u00a0]+){0,4})"
    r"(?P<suffix>(?i:" + _STREET_STRONG + "|" + _STREET_WEAK + r"))\b\.?(?:[ \u00a0]+(?:N|S|E|W|NE|NW|SE|SW)\b)?)"
    r"(?=(?P<after>\s*(?:$|[,.;:!?)\n(])|[ \u00a0]+[A-Z0-9]))?"
)
_STRONG_SUFFIXES = frozenset(_STREET_STRONG.split("|"))
_ADDRESS_CUE = re.compile(
    r"(?i)\b(?:live|lives|living|lived|address(?:\s+is)?|moved|move|moving|deliver(?:ed|y)?|sent|send|"
    r"posted|post|located|based|visit(?:ed)?|at|to|is|from)\s*[:,-]?\s*$"
)


_YEAR_CUE = re.compile(r"(?i)\b(?:in|since|during|by|from|of|until|before|after|around|circa)\s*$")


def street_repl(m: re.Match) -> str:
    words = m.group("words").split()
    if not words:
        return m.group(0)  # "45 Road": a street needs a name
    suffix = m.group("suffix")
    before = m.string[max(0, m.start() - 30):m.start()]
    number = re.match(r"\d+", m.group("addr"))
    if number and len(number.group(0)) == 4 and number.group(0)[:2] in ("19", "20") and _YEAR_CUE.search(before):
        return m.group(0)  # "in 2019 Oxford Street …": a year, not a house number
    capital = suffix[0].isupper() and all(w[0].isupper() or w[0].isdigit() for w in words)
    if not capital:
        # in lower case only the unambiguous street words count, with no ordinary word among the
        # name's, and only where the sentence says an address follows ("I live at 14 acacia avenue")
        if suffix.lower() not in _STRONG_SUFFIXES or any(w.lower().strip(".") in _STREET_STOP_SET for w in words):
            return m.group(0)
        if not _ADDRESS_CUE.search(before):
            return m.group(0)  # "3 long road trips", "a 2 way street"
    return PLACEHOLDERS["address"]


STREET_EU = re.compile(
    # Hauptstraße 5, Kerkstraat 12, Storgatan 3, Berliner Straße 12
    rf"(?<![\w-])(?=[\d{_UP}pPu])(?:(?:[{_UP}][{_LO}]{{2,}}(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|straat|laan|plein|gracht|kade|"
    rf"singel|dijk|steeg|gatan|gade|vej|veien|gata)|[{_UP}][{_LO}]+[ \u00a0]+(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|"
    rf"Allee|Damm|Ufer)|(?:[{_UP}][{_LO}]+-)+(?:Allee|Straße|Strasse|Weg|Platz|Gasse|Ring|Damm|Ufer))[ \u00a0]+\d{{1,4}}[a-z]?(?![\w])"
    # 12 rue de la Paix, 5 bis avenue Foch
    r"|\d{1,4}(?:[ \u00a0]?(?:bis|ter))?,?[ \u00a0]+(?:(?i:rue|avenue|av\.|boulevard|place|allée|allee|"
    rf"chemin|impasse|quai|cours|route|passage)|bd\.)[ \u00a0]+(?:(?i:de|du|des|la|le|les|l['’]|d['’])[ \u00a0]*)*[{_UP}]"
    rf"[\w'’-]+(?:[ \u00a0]+(?:(?:de|du|des|la|le|les|l['’]|d['’])[ \u00a0]*)*[{_UP}][\w'’-]+){{0,3}}"
    # Via Roma 12, Calle Mayor 5, Rua Augusta 27
    r"|(?:Via|Viale|Piazza|Piazzale|Corso|Vicolo|Calle|Avenida|Avda\.|Carrer|Rua|Rue|Paseo|Travessa|Largo|"
    r"[Uu]l\.|[Uu]lica|[Aa]l\.|[Aa]leja|[Pp]l\.)"
    rf"[ \u00a0]+(?:(?:de|del|della|dei|degli|di|da|do|dos|das|la|le|los|las|el)[ \u00a0]+)*(?P<first>[{_UP}][\w'’-]+)"
    rf"(?:[ \u00a0]+[{_UP}][\w'’-]+){{0,2}},?[ \u00a0]+(?:n\.?[ \u00a0]*)?\d{{1,4}}[a-zA-Z]?(?![\w])"
    r"(?!\s*(?i:times|minutes|hours|days|weeks|months|years|calls|emails|%))"
    # PO Box 1234
    r"|(?i:p\.?[ \u00a0]?o\.?[ \u00a0]?box[ \u00a0]+\d{1,6}\b))"
)


BUILDING = re.compile(
    # Flat 12 Kingsway House, Unit 7, Riverside Industrial Estate
    r"(?<![\w])(?=[aAfFsSuU])(?i:flat|apartment|apt|unit|suite)\.?[ \u00a0]*\d{1,4}[A-Za-z]?,?[ \u00a0]+"
    r"(?:[A-Za-z][A-Za-z'’-]*[ \u00a0]+){1,3}(?i:house|building|court|mansions|lodge|towers?|block|estate|"
    r"business[ \u00a0]+park|centre|center|hall|place)\b"
)


def street_eu_repl(m: re.Match) -> str:
    first = m.group("first")
    if first and first.lower() in _COMMON_WORDS:
        return m.group(0)  # "Via Email 2": the English preposition
    return PLACEHOLDERS["address"]


# --- names people give ----------------------------------------------------------------------

# capitalised words that follow "this is", "Dear", "Regards," … without being a name. After the
# strongest cues ("my name is", "Name:") a name is redacted even when it is one of these ("Will")
_COMMON_WORDS = frozenset("""
i me my you your we our they them he she it its this that these those there here the a an and or but so
not no yes very really just only still also again even too quite rather absolutely totally completely
all any some every each none everyone everybody someone somebody anyone nobody everything nothing something
is am are was were be been being do does did done have has had will would shall should can could may might
must ok okay fine good great excellent brilliant amazing awesome fantastic wonderful lovely nice perfect
super superb outstanding happy pleased glad delighted satisfied grateful thankful sure certain confident
bad poor terrible awful horrible dreadful appalling shocking disgusting disgraceful pathetic useless rubbish
ridiculous unacceptable unbelievable disappointed disappointing disgusted frustrated frustrating angry
furious annoyed upset unhappy sad sorry afraid worried concerned confused tired fed sick done finished
not never always often sometimes now today tomorrow yesterday tonight soon later late early ever
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december spring summer autumn winter christmas easter weekend
sir madam madame mrs mr ms miss dr team all everyone folks guys there customer customers client clients
service services support care help helpdesk desk department dept billing sales accounts account manager
management agent agents advisor advisors adviser advisers staff engineer engineers technician operator
company business office branch store shop bank energy gas water electric electricity power mobile phone
broadband internet online app website web site email mail post chat call calls line network provider
british english scottish welsh irish american european national international global new old big small
first second third last next previous final best better worse worst same other another different
again thanks thank cheers regards please hello hi hey dear morning afternoon evening night kind warm
love best wishes sincerely yours faithfully truly respectfully
london leeds manchester birmingham bristol glasgow edinburgh cardiff liverpool sheffield newcastle
england scotland wales ireland britain uk usa us america europe france germany spain italy
amazon google apple microsoft facebook twitter instagram whatsapp paypal visa mastercard
north south east west central
one two three four five six seven eight nine ten hundred thousand million
free extra premium basic standard gold silver platinum plus pro max
what who why when where how which whose whom if because though although unless while
over under after before during since until about above below between through across against
from with without within into onto upon for to of in on at by as like than
going getting trying waiting calling writing having being looking hoping
unknown anonymous someone somebody anybody nobody noone whoever whatever whenever wherever however
euros euro dollars dollar pounds pound points point percent units items minutes hours days weeks months years
media group ltd plc limited inc llc corp company co telecom telecoms airways airlines rail railways trains
insurance finance financial bank banking utilities energy solutions systems technologies tech digital
valued dearest mate mates pal buddy folks lads ladies gents gentlemen people guys team teams crew family
""".split())

# First names common among the customers of UK, US and European organisations (the ONS's and the US
# Social Security Administration's most given names across recent decades, and names common in the UK's
# South Asian, African, Arabic, Polish, Irish and Chinese communities). A single capitalised word after a
# weak cue ("spoke to Sky", "I'm Gutted", "- Price") is taken for a name only when it is one of these;
# after a strong cue ("my name is", "Name:", "Regards,") any name is.
_FIRST_NAMES = frozenset("""
aaron abbie abdul abdullah abi abigail ada adam adaeze adele adeola adrian agnes ahmed ahmad aidan aiden
aileen aimee aisha alan alana albert alberto alec alex alexa alexander alexandra alexis alfie alfred ali
alice alicia alison alistair amanda amara amber amelia amina amir amit amy ana anastasia andre andrea
andreas andrew andy aneta angela angelica angus anil anita anjali ann anna annabel anne annie anthony antonio
anya april archie aria ariana arjun arthur asha ashley ashok astrid aurora austin ava ayesha ayo aziz
barbara barry basia beata beatrice becky bella ben benjamin bernard beth bethany betty bilal bill billy
blessing bob bobby bogdan bonnie brandon brenda brian bridget brooke bruce bryony caitlin caleb callum
calum cameron camila carl carla carlos carmen carol caroline carys casey catherine cathy cecilia chantelle
charles charlie charlotte chen chenoa cheryl chidi chinedu chioma chloe chris christian christina christine
christopher ciara cindy claire clara clare colin connor conor craig dan dana daniel daniela danielle danny
darren dave david dawn dean debbie deborah declan deepak denise dennis derek diana diane dimitri dmitri
dominic donald donna doris dorota dylan ebony eddie edward eileen elaine eleanor elena eli elias elijah
elizabeth ella ellen ellie eloise elsie emeka emily emma enzo eric erin esther ethan eva eve evelyn evie
ewa ezra faisal farah fatima fatuma federica felix fernando finley finn fiona florence francesca francesco
frank fred freddie freya gabriel gabriela gareth gary gavin gemma george georgia gerald gillian giulia
giuseppe gloria gordon grace graham grant gregory grzegorz guy hamza hana hannah harley harper harriet
harrison harry harvey hassan hayley hazel heather helen helena henry holly hugh hugo hussain ian ibrahim
idris ifeoma imogen imran ines ingrid irene iris isaac isabel isabella isabelle isla ismail ivan ivy jack
jackie jacob jade jake james jamie jan jane janet janice jasmine jason jay jayden jean jeff jennifer jenny
jeremy jessica jill jim jimmy joan joanna joanne joe joel john jon jonathan jordan jorge jose josé joseph
josh joshua joy joyce juan judith judy julia julian julie justin kabir kacper kai karen karina karl kasia
kate katherine kathleen kathryn katie katarzyna kayla keith kelly ken kenneth kerry kevin khadija kieran kim
kirsty krishna krzysztof kwame kyle lara laura lauren layla leah lee leo leon leonardo lewis liam lily
linda lindsay lisa liz logan lola lorna louis louise luca lucas lucia lucy luis luke lydia lynn lynne
maciej maddie madison magdalena maisie malcolm mandy manuel marc marcus margaret maria mariam marie marina
mario marion mark marta martha martin mary maryam mason matilda matt matthew maureen max maya megan mei
melanie melissa mia michael michaela michal michelle miguel mike mila millie mohamed mohammad mohammed
molly monica morgan muhammad muhammed nadia naomi natalia natalie nathan neil nia niamh nicholas nicola
nicole nigel nikhil nikita nina noah noor norman nuala olga oliver olivia oluwaseun omar oscar owen paige
pamela patricia patrick paul paula pauline pawel paweł pedro penny peter phil philip phoebe piotr pooja
poppy priya priyanka rachel rafael raj rajesh ravi rebecca reece rhys richard rita rob robert robin rohan
ronan rosa rose rosie ross ruby rui ruth ryan sadia sahil sally sam samantha samir samuel sandra sanjay
sara sarah scarlett scott sean sebastian seren shabnam shane shannon sharon shaun sheila shirley sian
siobhan simon sinead sofia sophia sophie stacey stanislaw stella stephanie stephen steve steven stuart
sue sunita susan suzanne sylvia tahir tamsin tania tanya tara teresa terry theo theodore thomas tim
timothy tina toby tom tomasz tommy tony tracey tracy tyler uche usman valerie vanessa vicky victor
victoria vikram vincent violet wayne wei wendy will william willow wojciech xavier yasmin yusuf zac zach
zachary zainab zara zoe zoë zofia zuzanna
abena abimbola aditi aditya sienna adwoa agnieszka akua alessandro alexei alina alisha aliyah amaka amani amar
amelie anders andrei aneesa angharad anika anjali anton antonia aoife arnav aryan ashanti asif ayaan
babajide bartosz bernadette bhavna bronwen cai carys catalina chiara chibuzo chukwuemeka colm conall
dafydd damian darius deepa delroy dhruv divya ebere efua eilidh eithne elif emre esi ewan fahad farhan
fergus fionn folake funmi gautam geeta gethin habib hamish hari harpreet hemant ifan ilona inaya iona
irfan isha jagdeep jakub jas jaspreet jo joao jurgen kamal kamila kaveh kemi khalid kiran kofi lakshmi
lars leila lukasz łukasz mairead malik manpreet marek margarida mariusz marta mateusz mehmet meera mihai
milan mina mirela monika musa nadeem naveen neha nikolai nilufar nkechi nnamdi obinna oisin olamide oleksandr
oskar padraig parveen pradeep preeti rahul rajinder ramesh rashid reza rhiannon roisin rukhsana sabrina
saoirse seamus shabana shahid shreya sinéad sione stefan sunil tadhg tariq tendai thabo tiago tunde
uzma valentina vijay viktor vusi waqar yara yasmeen yiannis zeynep zubair natasha tasha
""".split())

_NAME_WORD = rf"(?:Mc|Mac|O['’]|D['’])?[{_UP}][{_LO}]+(?:[-'’][{_UP}][{_LO}]+)*"
_INITIAL = rf"[{_UP}]\.?"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|della|le|la|bin|ibn|al|el|ter|ten)"
_FULL_NAME = (rf"(?:{_INITIAL}[ \u00a0]?){{0,2}}{_NAME_WORD}"
              rf"(?:[ \u00a0]+(?:{_PARTICLE}[ \u00a0]+)*(?:{_INITIAL}[ \u00a0]+)?{_NAME_WORD}){{0,2}}"
              rf"(?:[ \u00a0]+[{_UP}]\.?(?![\w'’]))?")
_LOWER_NAME = r"[a-z][a-z'’-]+(?:[ \u00a0]+[a-z][a-z'’-]+)?"
_UPPER_NAME = r"[A-Z][A-Z'’-]+(?:[ \u00a0]+[A-Z][A-Z'’-]+)?"
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Revd|Mister)\.?"
_TITLE_WORDS = frozenset("mr mrs ms miss mx dr prof sir dame lady lord rev revd mister".split())

# words that end a name written in lower case after "my name is" ("my name is on the bill")
_NAME_STOP = frozenset("""
on in at is was not no the a an and or but spelt spelled wrong incorrect missing listed shown printed
written misspelt misspelled correct right still now being already also there here used mentioned same
different please thanks thank because so as for with from to of by ok okay fine also been changed
attached linked registered recorded down up
""".split()) | _COMMON_WORDS

_SP = r"[ \u00a0]"


def _cue(*phrases: str) -> str:
    """Case-insensitive alternation of cue phrases, each from a word boundary: in a phrase, " " is one or more
    spaces (or no-break spaces) and "_" is any number of them."""
    return "(?i:" + "|".join(r"\b" + p.replace(" ", _SP + "+").replace("_", _SP + "*") for p in phrases) + ")"


NAME_STRONG = re.compile(
    r"(?<![\w'’])(?=[acflmnsiACFLMNSI])(?P<cue>"
    + _cue("my name is", "my name['’]s", "my names is",
           "(?:full |customer |account (?:holder )?|first |last |sur)?name_[:=]", "account holder_[:=]",
           "i am called", "i['’]?m called", "i go by", "signed_[:,]", "signature_:", "contact_:", "from_:",
           r"cust(?:omer)?\.? name_[-:=]")
    + rf"{_SP}*)(?P<title>{_TITLE}{_SP}+)?(?P<name>{_FULL_NAME}|{_UPPER_NAME}|{_LOWER_NAME})"
)
NAME_SELF = re.compile(
    r"(?<![\w'’])(?=[tihTIH])(?P<cue>" + _cue("this is", "it['’]s", "it is", "i am", "i['’]m", "here is", "here['’]s")
    + rf"{_SP}+)(?P<title>{_TITLE}{_SP}+)?(?P<name>{_FULL_NAME})(?![\w'’])"
    + rf"(?={_SP}*(?:[,.!;:)\n]|$)|{_SP}+"
    + _cue("from", "at", "here", "speaking", "calling", "with", "of", "and", "again", "too", "on behalf") + r"\b)"
)
_RELATIVES = ("wife|husband|partner|son|daughter|mum|mother|mom|dad|father|brother|sister|friend|neighbou?r|carer|"
              "grandson|granddaughter|nan|gran|grandma|grandad|grandmother|grandfather|aunt|uncle|niece|nephew|"
              "boyfriend|girlfriend|fianc[ée]e?")
NAME_REFERRED = re.compile(
    r"(?<![\w'’])(?=[acdehkmnrstACDEHKMNRST])(?P<cue>"
    + _cue("spoke (?:to|with)", "speaking (?:to|with)", "talked (?:to|with)", "served by", "helped by",
           "dealt with by", "assisted by", "named", "called", "agent", "advis[oe]r", "representative", "rep",
           "colleague", "engineer", "technician", "consultant", "cashier", "driver", "manager", "ask(?:ed)? for",
           "(?:thanks|thank you|kudos|shout_out) to", f"my (?:{_RELATIVES})")
    + rf"{_SP}+(?:" + _cue("(?:the )?(?:agent|advis[oe]r|rep|representative|engineer|lady|gentleman|guy|man|woman)")
    + rf"{_SP}+)?)(?P<title>{_TITLE}{_SP}+)?(?P<name>{_FULL_NAME})(?![\w'’])"
)
NAME_GREETING = re.compile(
    r"(?:^|(?<=[\s.!?,;:(\"']))(?P<cue>" + _cue("dear", "hi", "hello", "hey", "hiya", "good (?:morning|afternoon|evening)")
    + rf"{_SP}+)(?P<title>{_TITLE}{_SP}+)?(?P<name>{_FULL_NAME})(?={_SP}*(?:[,!:\n\-–]|$))"
)
NAME_SIGNOFF = re.compile(
    r"(?<![\w'’])(?=[abcklmrstwyABCKLMRSTWY])(?P<cue>"
    + _cue("(?:kind|best|warm|warmest|many|with) (?:regards|thanks|wishes)", "regards", "thanks(?: again)?",
           "thank(?:s| you) (?:so|very) much", "thanks a lot", "thank you", "thx", "cheers", "best wishes",
           "all the best", "best", "sincerely", "yours (?:sincerely|faithfully|truly)", "respectfully", "love", "ta",
           "kudos to", "shout_out to")
    + rf"(?P<sep>{_SP}*[,.!:;\n\-–]+[ \u00a0\n]*|{_SP}+))(?P<title>{_TITLE}{_SP}+)?(?P<name>{_FULL_NAME})(?![\w'’])"
    + rf"(?P<tail>(?={_SP}*[.!]?{_SP}*(?:\n|$))|(?={_SP}*[,(])|(?={_SP}+" + _cue("for", "who", "from", "at", "on", "in")
    + r"\b))?"
)
NAME_DASH = re.compile(rf"(?:^|(?<=\s))(?P<cue>[-–—~]{{1,2}}[ \u00a0]?\n?[ \u00a0]*)(?P<title>{_TITLE}[ \u00a0]+)?"
                        rf"(?P<name>{_FULL_NAME})(?=[ \u00a0]*[.!]?[ \u00a0]*(?:\n|$))")
# "Sarah Jones here, …" at the start of a sentence
NAME_HERE = re.compile(rf"(?:^|(?<=[.!?\n]))(?P<cue>[ \u00a0]*)(?P<title>{_TITLE}[ \u00a0]+)?(?P<name>{_FULL_NAME})"
                        r"(?=[ \u00a0]+here\b[ \u00a0]*[,.!\-–])")
# "the lady on the phone, Janet, was lovely"
NAME_APPOSITIVE = re.compile(
    r"(?<![\w'’])(?P<cue>(?i:lady|man|guy|gentleman|woman|girl|chap|bloke|agent|advis[oe]r|engineer|rep|"
    r"representative|manager|colleague|operator|person)\b[^,.!?()\n]{0,40}(?P<open>[,(])[ \u00a0]*)"
    rf"(?P<title>{_TITLE}[ \u00a0]+)?(?P<name>{_FULL_NAME})(?=[ \u00a0]*[,)])"
)
NAME_TITLE = re.compile(rf"(?<![\w'’])(?P<cue>)(?P<title>{_TITLE}[ \u00a0]+)(?P<name>{_FULL_NAME})(?![\w'’])")


def _name_tokens(name: str) -> list[str]:
    name = name.replace("’", "'").replace("‘", "'")
    return [w.strip(".'").lower() for w in re.split(r"[ \u00a0]+", name) if w.strip(".'")]


def keep_key(text: str) -> str:
    return " ".join(_name_tokens(text))


def named(m: re.Match, keep: frozenset[str], level: str = "weak") -> str:
    """The match with its name replaced by the placeholder, or unchanged when the words are not a name.

    ``level`` is how sure the cue makes us. ``"strong"`` ("my name is", "Name:"): any words are a
    name, up to the first ordinary word when written in lower or upper case ("my name is on the
    bill" is left alone). ``"medium"`` (a title, "Regards," with its comma): no ordinary English
    word among them. ``"weak"`` ("this is", "spoke to", a closing dash): that, and a single word
    must be a common first name ("spoke to Sky", "I'm Gutted" are left alone).
    """
    name, title = m.group("name"), m.group("title") or ""
    tokens = _name_tokens(name)
    words = [w for w in tokens if len(w) > 1]  # initials say nothing about being a name
    if not tokens or " ".join(tokens) in keep or tokens[0] in keep or (words and words[0] in keep):
        return m.group(0)
    if all(w in _TITLE_WORDS for w in tokens):
        return m.group(0)  # "my name is Mrs [name]": the title of a name already redacted
    head = m.group("cue") + title
    if level == "strong":
        if name[0].islower() or name.isupper():
            cut = next((i for i, t in enumerate(tokens) if t in _NAME_STOP), len(tokens))
            if cut == 0:
                return m.group(0)
            used = re.match(r"\S+(?:[ \u00a0]+\S+){%d}" % (cut - 1), name).end()
            return head + PLACEHOLDERS["name"] + name[used:]
        return head + PLACEHOLDERS["name"]
    if not words or any(w in _COMMON_WORDS for w in words):
        return m.group(0)
    if level == "weak" and not title and words[0] not in _FIRST_NAMES and (len(tokens) == 1 or tokens[0] == words[0]):
        return m.group(0)  # "spoke to Sky", "it's Cancelled Flightled": no first name, no title, no initial
    return head + PLACEHOLDERS["name"]


def signoff_repl(m: re.Match, keep: frozenset[str]) -> str:
    if m.group("tail") is None:
        return m.group(0)  # the words run on: "Best Buy was …" is no signature
    punct = re.search(r"[,:;\n\-–]", m.group("sep")) is not None  # "Thanks! Bleh, …": a new sentence, not a signature
    at_end = re.match(r"[ \u00a0]*[.!]?[ \u00a0]*(?:\n|$)", m.string[m.end():]) is not None
    if not punct and not at_end and not m.group("cue").lower().startswith(("thank", "cheers", "kudos", "shout")):
        return m.group(0)  # "best Tom ever": "best" without a comma, mid-sentence, signs nothing
    return named(m, keep, "medium" if punct else "weak")


_SELF_CONTEXT = re.compile(r"[ \u00a0]+(?i:from|speaking|calling|on[ \u00a0]+behalf)\b")


def self_repl(m: re.Match, keep: frozenset[str]) -> str:
    """ "This is Agnieszka from flat 4": who someone is, said with where they are from, is a name."""
    return named(m, keep, "medium" if _SELF_CONTEXT.match(m.string, m.end()) else "weak")


def greeting_repl(m: re.Match, keep: frozenset[str]) -> str:
    """ "Dear Ruairi," is a name; "Hey Jetblue," and "Hi Support" need a first name to be one."""
    dear = m.group("cue").lower().startswith("dear")
    comma = m.string[m.end():m.end() + 3].lstrip(" \u00a0")[:1] in (",", "\n")
    return named(m, keep, "medium" if dear and comma else "weak")


