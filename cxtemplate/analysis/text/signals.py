"""Effort and anger in comments: transparent phrase rules, as leading indicators of churn.

* :func:`flag_sentences` — sentences → two flags, ``effort`` and ``anger``.
* :func:`flag_comments` — comments → the same flags (a comment is flagged when one of its
  sentences is, sentences as :func:`cxtemplate.analysis.text.select.split_sentences` cuts them),
  plus how many of its sentences carry each flag.
* :func:`cues` — the phrases that fired on one sentence, so that every flag can be checked by eye.

What the flags mean is fixed by a labelling rule written before this module
(``docs/labelling/effort_and_anger.md``):

* **effort** — the customer had to work to get something done by the company: contacted more
  than once, was transferred or passed between people or channels, had to chase or follow up,
  had to repeat themselves, spent a long time on hold or struggling to reach service or to get
  a task done. A long wait *alone* (a delayed flight, sitting on the tarmac) is not effort; a
  wait for service contact or resolution (on hold, "still waiting for my refund") is.
* **anger** — anger, frustration or exasperation expressed in the wording: emotion words,
  profanity, shouting (capitals, "!!!"), sarcasm or contempt aimed at the company ("thanks for
  nothing", "#epicfail", "worst airline ever"). Flat dissatisfaction ("the food was cold",
  "disappointed") is not anger.

How it works: each flag is a list of regular expressions (:data:`EFFORT_PATTERNS`,
:data:`ANGER_PATTERNS`), matched on the lower-cased sentence after @handles, links and HTML
entities are removed; a match preceded within three words by a negator ("not", "never",
"didn't have to", "no need to", ...) is dropped. Anger also fires on shouting: a word of four
or more capital letters that is not a known acronym, or repeated ``!``/``?``, unless the sentence
reads as praise (a praise word and no complaint word).

Measured (bench/results/signals.md, ``bench/bench_signals.py``) on 350 sentences from the Twitter
airline tweets and Amazon Alexa reviews, labelled by reading under the rule, split at random
(seed 17) into a development half, used for one revision of the lexicon, and a held-out half,
never used to change it. Held-out half (175 sentences; 26 effort, 38 anger positives):

===========  =========  ======  =====
flag         precision  recall  F1
===========  =========  ======  =====
effort       0.90       0.73    0.81
anger        0.95       0.53    0.68
===========  =========  ======  =====

The revision left the held-out figures nearly unchanged (before it: effort 0.90 / 0.73 / 0.81, anger
0.95 / 0.55 / 0.70); on the development half it lifted them to effort 1.00 / 0.95 and anger
0.97 / 0.85, which is fitting, not evidence. Read the held-out figures as the order of
magnitude on short English complaint text: precision is high, recall is modest (anger
especially); the sample is small (95 % intervals of about ±0.15), the labels come from one
reader, and the lexicon is English only. About 12,000–14,000 sentences per second on one core.
Unmarked sarcasm and metaphor ("Clearly United lives in the stone age."), insults outside the
list, and effort stated only by implication ("I was told I'd have it back yesterday!") are the
usual misses; the simple negation window can also drop a true cue ("...and not me #wtf").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from cxtemplate.analysis.text.select import split_sentences

__all__ = ["EFFORT_PATTERNS", "ANGER_PATTERNS", "flag_sentences", "flag_comments", "cues"]

_N = (r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple|many|numerous|countless|a few|"
      r"a dozen|dozens of|a million|a hundred)")
_ORD = r"(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))"
_CONTACT_VERB = (r"(?:call(?:ed|ing)?|phon(?:ed|ing)|rang|ring(?:ing)?|e-?mail(?:ed|ing)?|messag(?:ed|ing)|"
                 r"dm'?(?:e?d|ing)?|tweet(?:ed|ing)?|contact(?:ed|ing)?|ask(?:ed|ing)?|complain(?:ed|ing)?|"
                 r"wr(?:ote|itten|iting)|reach(?:ed)? out|spoke|spoken|talked)")
_CONTACT_NOUN = r"(?:calls?|e-?mails?|tweets?|dms?|messages?|attempts?|requests?|complaints?|chats?|tickets?)"
_TIME = r"(?:\d+(?:\.\d+)?\s*|an |a |half an |over an |over (?:a|an|\d+) |several |many |two |three |four )"
_UNIT = r"(?:hours?|hrs?|minutes?|mins?|days?|weeks?|months?)"

#: Effort cues: (name, regex on the cleaned lower-cased sentence).
EFFORT_PATTERNS: list[tuple[str, str]] = [
    ("repeat contact", rf"\b{_CONTACT_VERB}\b[^.!?]{{0,40}}?\b(?:{_N}\s*(?:times|x)\b|twice|again|repeatedly|"
                       rf"over and over)"),
    ("repeat contact", rf"\b(?:{_N}|my {_ORD}|another)\s+(?:different\s+)?{_CONTACT_NOUN}\b"),
    ("repeat contact", rf"\bfor the {_ORD} time\b|\b{_ORD} time (?:i|we)(?:'ve| have)? (?:called|contacted|asked|"
                       rf"emailed|tweeted)"),
    ("repeat contact", r"\b(?:i|we) keep (?:calling|asking|trying|emailing|tweeting|getting)\b|"
                       r"\bkeep(?:s)? telling me\b"),
    ("on hold", r"\bon hold\b|\bhold music\b|\b(?:phone|hold|call|queue) wait(?: time)?s?\b"),
    ("long contact", rf"\b{_TIME}{_UNIT}\b[^.!?]{{0,25}}\b(?:on the (?:phone|line)|in (?:the )?(?:line|queue)|"
                     rf"with (?:customer|your|united|the|\w+ support|support|an agent|agents?)|waiting (?:for|"
                     rf"to) (?:an? )?(?:agent|rep|call|response|reply|someone|speak|talk))"),
    ("long contact", rf"\b(?:spent|wasted|lost)\b[^.!?]{{0,25}}\b(?:{_UNIT}|all (?:day|morning|afternoon|evening|"
                     rf"night)|the whole (?:day|morning|afternoon)|my time|our time)"),
    ("can't reach", rf"\b(?:can'?t|cannot|couldn'?t|could not|unable to|not able to|impossible to|no way to|"
                    rf"never able to)\s+(?:get (?:through|a hold|ahold|hold of|a dm through|an answer|anyone|"
                    rf"anybody|someone|a human|a person)|reach|contact|speak to|talk to|get in touch)"),
    ("no answer", r"\b(?:no ?one|nobody|no1|noone)\b[^.!?]{0,15}\b(?:answer(?:s|ed|ing)?|pick(?:s|ed)? up|"
              r"respond(?:s|ed)?|repl(?:y|ies|ied)|gets? back|got back|call(?:s|ed)? (?:me )?back|returns?|"
              r"returned|help(?:s|ed)?)\b"),
    ("no answer", rf"\b(?:no|zero|without an?y?|never got an?y?|never (?:received|had) an?y?|haven'?t (?:had|got|"
                  rf"gotten|received) an?y?)\s+(?:reply|replies|response|responses|answer|call ?back|callback|word|"
                  rf"follow[- ]?up|update|contact|acknowledge?ment)\b"),
    ("no answer", r"\b(?:never|haven'?t|have not|hasn'?t|has not|not yet) (?:heard|gotten|got|received) (?:back|"
              r"anything|a (?:reply|response|call|word))|\bnot (?:answering|pick\w* up|responding|replying)|"
              r"\bisn'?t (?:answering|picking up|responding)\b|\b(?:ignor(?:ed|ing) (?:me|us|my))"),
    ("hung up", r"\b(?:hung|hangs?|hanging) up on (?:me|us)\b|\b(?:call|line|phone)s?\b[^.!?]{0,25}\b(?:dropped|"
                r"disconnect(?:s|ed)?|cut off)\b|\bbusy signal\b|\bdrop(?:s|ped)? (?:my|the) call"),
    ("still waiting", r"\bstill (?:waiting|no\b|nothing|haven'?t|have not|hasn'?t|has not|not (?:received|heard|"
                      r"got|gotten|refunded|resolved|fixed)|don'?t (?:have|know where)|do not have|can'?t get|"
                      r"unresolved|no word|missing|lost|chasing|trying)"),
    ("still waiting", rf"\bwait(?:ed|ing)?\b[^.!?]{{0,25}}\b(?:for|on) (?:a |an |my |the |your |"
                      rf"our )?(?:call ?back|callback|reply|response|answer|refund|reimbursement|credit|voucher|"
                      rf"replacement|e-?mail|update|bags?|luggage|money)\b"),
    ("still waiting", rf"\b(?:{_TIME}{_UNIT}|a (?:week|month)|weeks|months)\b[^.!?]{{0,20}}\b(?:and|with|but|"
                      rf"yet)?\s*(?:still )?(?:no|nothing|not a)\b"),
    ("still waiting", rf"\b(?:request|claim|complaint|refund|ticket|case)\b[^.!?]{{0,20}}\b(?:from|since|"
                      rf"over) (?:a|an|\d+|two|three|several) {_UNIT} ago\b"),
    ("chasing", r"\bfollow(?:ing|ed)?[- ]?up\b|\bchas(?:e|ed|ing)\b|\bnudge\b|\bany update\b|\bstill no update\b"),
    ("passed around", r"\btransfer(?:red|ed|ring)\b|\bpassed (?:me |us )?(?:around|between|from|back|on to|"
                      r"along)\b|\b(?:run|runa)[- ]?around\b|\bbounced (?:around|between|back)\b|\bredirected\b|"
                      r"\bpass(?:es|ing)? the buck\b"),
    ("passed around", rf"\b(?:told|asked|sent|directed|referred) (?:me |us )?(?:to )?(?:call|contact|dm|email|"
                      rf"go to|speak to|talk to|visit|try)\b[^.!?]{{0,30}}\b(?:instead|other|another|different|"
                      rf"which|who|then|but)\b|\b(?:next|another|a different|third|second) (?:agent|rep|"
                      rf"representative|person|department|number)\b"),
    ("repeat myself", r"\brepeat(?:ing)? (?:myself|ourselves|my|the same)\b|\b(?:explain|tell|told|give|gave|send|"
                      r"sent)(?:ed)?\b[^.!?]{0,25}\b(?:again|all over again|once more)\b|\balready (?:told|shared|"
                      r"sent|gave|given|provided|explained|called|e-?mailed|dm'?e?d|submitted|filled|did|done|"
                      r"reported|contacted)\b|\bstart(?:ed|ing)? (?:all )?over\b"),
    ("struggle", r"\bjump(?:ed|ing)? (?:thru|through) (?:\w+ )?hoops\b|\bgave up\b|\bgive up\b|\bfinally (?:got|"
                 r"answered|reached|heard|responded|replied|someone|got through|called)\b"),
    ("struggle", rf"\btr(?:ied|ying)\b[^.!?]{{0,30}}\b(?:{_N} times|everything|again and again|all day|"
                 rf"for (?:{_TIME}{_UNIT}|days|hours|weeks))\b|\b(?:troubleshoot\w*|"
                 rf"trouble[- ]shoot\w*)\b[^.!?]{{0,25}}\b(?:didn'?t|did not|none|nothing|failed|not|no)\b|"
                 rf"\b(?:none|nothing) of the (?:troubleshoot\w*|trouble[- ]shoot\w*|fixes|steps|suggestions)\b"),
    ("struggle", rf"\b(?:reset|reboot(?:ed)?|restart(?:ed)?|unplug(?:ged)?|re-?install(?:ed)?|re-?configur(?:ed|"
                 rf"e))\b[^.!?]{{0,25}}\b(?:{_N} times|again|repeatedly|every (?:day|time|morning)|twice)\b|"
                 rf"\b(?:{_ORD}|another) (?:replacement|return|exchange)\b|\b(?:returned|replaced|"
                 rf"exchanged)\b[^.!?]{{0,15}}\b(?:twice|again|{_N} times)\b"),
    ("struggle", r"\bhad to (?:re-?book|call|rent|find (?:my|our) own|figure|chase|go back|drive back|buy (?:a|my|"
                 r"another)|pay for (?:a|my) own|start|explain|wait on hold)\b"),
]

_PROFANE = (r"f+u+c+k+\w*|f[\*#@]+c?k\w*|f\*+|wtf+|wth|stfu|omfg|sh[i\*]t+\w*|bull ?sh[i\*]t|damn\w*|dammit|"
            r"goddam\w*|crap\w*|"
            r"piss(?:ed|es|ing)?|ass(?:hole)?s?|a-?holes?|bs|hell|bloody|screw(?:ed)? (?:me|us|you|up)|sucks?|"
            r"sucked|sucky")
_EMOTION = (r"angry|anger(?:ed)?|furious|livid|irate|rage|enrag\w*|fum(?:ing)|outrag\w*|infuriat\w*|frustrat\w*|"
            r"exasperat\w*|"
            r"annoy\w*|irritat\w*|aggravat\w*|appall\w*|upset|disgust\w*|fed up|sick (?:and tired )?of|had it|"
            r"had enough|"
            r"last straw|last drop|unacceptable|inexcusable|ridiculous|absurd|ludicrous|pathetic|disgrace\w*|"
            r"shameful|shame on|"
            r"(?:a |absolute |total |complete |such a |what a )joke|nightmare|hate|hated|hating|despise|loathe|"
            r"unbelievable|incredible how|can'?t believe|seriously\?|are you (?:kidding|serious)|kidding me|"
            r"get (?:it|your act|your shit) together|ugh+|argh+|gr+r+|smh|bleh|blegh|blah+|ffs|wth|omg|jeez|geez")
_CONTEMPT = (r"incompeten\w*|clueless|useless|worthless|garbage|trash|rubbish|junk|scam\w*|rip[- ]?off|crooks?|"
             r"thie(?:f|ves)|liars?|lying|"
             r"idiot\w*|stupid\w*|moron\w*|dumb|shady|laughable|lame|epic ?fail|fail(?:ure)?s? (?:again|as usual)|"
             r"abysmal|atrocious|appalling|deplorable|horrendous|horrid|disaster\w*|#\w*fail\w*|#sarcasm|#not|"
             r"yea?h? right|thanks? (?:a lot|a ton|for nothing|for ruining|for losing|for wasting|for making|"
             r"for ignoring|for leaving|for the delay|for cancel\w*|for nada)|"
             r"thx for nothing|way to go|great job|nice job|good job|bravo|well done|never again|never (?:fly|"
             r"flying|use|using|buy|buying|book|booking|order|ordering)\w*\b[^.!?]{0,30}\bagain|"
             r"lost (?:a|my|your) (?:loyal )?customer|(?:switching|switch|going back) to (?:@?\w+)")
_BAD = r"terrible|horrible|awful|worst|dreadful|lousy|poor(?:ly)?|bad|shitty|crappy|the pits"
_NEG_MOST = (r"awful|horrible|terrible|incompetent|frustrating|useless|rude|unprofessional|ridiculous|pathetic|"
             r"disgusting|annoying|unhelpful|disorganized|disorganised|unreliable|miserable|stressful|inconvenient")
_TARGET = (r"customer service|cust(?:omer)? svc|service|support|airline|company|staff|agents?|crew|reps?|"
           r"representatives?|"
           r"employees?|people|treatment|experience|management|you|you guys|y'?all|u")
_ANGER_WORDS = [
    ("profanity", rf"\b(?:{_PROFANE})\b"),
    ("emotion", rf"(?:\b|#)(?:{_EMOTION})\b"),
    ("contempt", rf"(?:\b|(?=#))(?:{_CONTEMPT})"),
    ("worst ever", rf"\b(?:worst|least \w+|most (?:{_NEG_MOST}))\b[^.!?]{{0,50}}\bever\b"),
    ("sarcasm", r"\.{2,}\s*(?:thanks|thank you|thx|great|awesome|perfect|nice|lovely)\W*$|^(?:really|"
                r"seriously)\s*[!?][!?\s]*$"),
    ("bad service", rf"\b(?:{_BAD})\b[^.!?]{{0,15}}\b(?:{_TARGET})\b|\b(?:{_TARGET})\b[^.!?]{{0,20}}\b(?:is|are|"
                    rf"was|were|has been|have been|has gotten|got)\s+(?:so |really |just |very |beyond |"
                    rf"absolutely |the )?(?:{_BAD})\b|^(?:{_BAD})\.?$|\b(?:is|are) the worst\b"),
    ("what's wrong", r"\bwhat'?s wrong with (?:you|u|your)\b|\bwhat is wrong with (?:you|u|your)\b|\bhow (?:hard|"
                     r"difficult) (?:can|is) it\b"),
]
#: Anger cues: (name, regex on the cleaned lower-cased sentence); shouting is checked apart.
ANGER_PATTERNS: list[tuple[str, str]] = _ANGER_WORDS

_PRAISE = re.compile(r"\b(?:thanks?|thank you|thx|ty|love[ds]?|loving|great|awesome|amazing|best|excellent|happy|"
                     r"glad|"
                     r"appreciate[ds]?|wonderful|fantastic|perfect|nice|cool|kudos|yay|woo+|fun|enjoy\w*|recommend|"
                     r"favou?rite|easy|beautiful|brilliant|impressed)\b")
_COMPLAINT = re.compile(r"\b(?:delay\w*|cancel\w*|lost|late|never|no|not|nothing|can'?t|won'?t|don'?t|didn'?t|"
                        r"isn'?t|wasn'?t|"
                        r"broken|stuck|still|wait\w*|problem|issue|fail\w*|refund|why|rude|missed|miss)\b")
_NEGATOR = re.compile(r"(?:\b(?:not|no|never|hardly|without|nothing|isn'?t|wasn'?t|aren'?t|weren'?t|don'?t|"
                      r"doesn'?t|didn'?t|"
                      r"never had to|no need to|didn'?t have to|did not have to|don'?t have to|do not have to|"
                      r"without having to|nor)\b|n't\b)(?:\W+\w+){0,2}\W*$")
_ACRONYMS = frozenset("""LOL LMAO OMG ASAP FYI HTTP HTTPS HTML WIFI IPAD IPHONE USB NYC TSA FAA DCA LAX JFK ORD EWR SFO
    ATL BWI
    DFW PHL CLT BOS MCO FLL SJU AUS IAD IAH LGA MIA PHX SEA SAN SLC DEN ECHO DOT ALEXA FIRE STICK HDMI ROKU SONOS
    BOSE APPLE AMAZON PRIME HULU NETFLIX CEO CNN ESPN NCAA NBA NFL ABC CBS NBC USA UK EU AM PM OK OKAY
    NASA MLB NHL RSVP PNR ETA ETD IRL TBH IMO IMHO BTW ASAP AVGEEK JETBLUE DELTA UNITED""".split())
_CAPS_WORD = re.compile(r"(?<![@#\w])[A-Z][A-Z']{3,}(?!\w)")
_REPEATED_PUNCT = re.compile(r"!{2,}|\?{2,}|\?!|!\?")
_HASHTAG = re.compile(r"#(\w+)")
_TAG_PARTS = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_HANDLE = re.compile(r"@\w+|https?://\S+|www\.\S+|&\w+;|&#\d+;")


def _compile(patterns: list[tuple[str, str]]) -> list[tuple[str, re.Pattern]]:
    return [(name, re.compile(rx)) for name, rx in patterns]


_EFFORT_RX = _compile(EFFORT_PATTERNS)
_ANGER_RX = _compile(ANGER_PATTERNS)


def _split_tag(m: re.Match) -> str:
    # "#2hrsOnHold" -> "#2 hrs On Hold": hashtags often run several words together.
    return "#" + _TAG_PARTS.sub(" ", m.group(1))


def _clean(sentence: str) -> str:
    text = _HASHTAG.sub(_split_tag, _HANDLE.sub(" ", sentence))
    return re.sub(r"\s+", " ", text).strip()


def _hits(text: str, compiled: list[tuple[str, re.Pattern]]) -> list[str]:
    low = text.lower().replace("\u2019", "'")
    found = []
    for name, rx in compiled:
        for m in rx.finditer(low):
            if _NEGATOR.search(low[: m.start()]):
                continue
            found.append(f"{name}: {m.group(0).strip()}")
            break
    return found


def _shouting(text: str) -> list[str]:
    low = text.lower().replace("\u2019", "'")
    praise = bool(_PRAISE.search(low)) and not _COMPLAINT.search(low)
    if praise:
        return []
    out = [f"shouting: {w}" for w in _CAPS_WORD.findall(text) if w.strip("'") not in _ACRONYMS]
    m = _REPEATED_PUNCT.search(text)
    if m:
        out.append(f"shouting: {m.group(0)}")
    return out[:3]


def cues(sentence: str) -> dict[str, list[str]]:
    """The cues that fire on one sentence.

    Parameters
    ----------
    sentence : str
        One sentence (any text; @handles, links and HTML entities are ignored).

    Returns
    -------
    dict
        ``{"effort": [...], "anger": [...]}``, each a list of ``"cue name: matched text"``;
        a flag is raised when its list is not empty.

    Examples
    --------
    >>> cues("I have called three times and still no refund")["effort"]
    ['repeat contact: called three times', 'still waiting: still no']
    """
    if not isinstance(sentence, str) or not sentence.strip():
        return {"effort": [], "anger": []}
    text = _clean(sentence)
    return {"effort": _hits(text, _EFFORT_RX), "anger": _hits(text, _ANGER_RX) + _shouting(text)}


def flag_sentences(sentences: Iterable[str] | pd.Series) -> pd.DataFrame:
    """Flag sentences for customer effort and for anger/frustration.

    Parameters
    ----------
    sentences : iterable of str or pandas.Series
        One sentence per item; missing or blank items are flagged False.

    Returns
    -------
    pandas.DataFrame
        Columns ``effort`` and ``anger`` (bool), one row per sentence, with the Series' index
        (or 0..n-1 for other iterables).
    """
    s = sentences if isinstance(sentences, pd.Series) else pd.Series(list(sentences), dtype=object)
    found = [cues(x) for x in s.to_numpy(dtype=object)]
    return pd.DataFrame({"effort": np.array([bool(c["effort"]) for c in found], dtype=bool),
                         "anger": np.array([bool(c["anger"]) for c in found], dtype=bool)}, index=s.index)


def flag_comments(texts: Iterable[str] | pd.Series) -> pd.DataFrame:
    """Flag comments for customer effort and for anger/frustration.

    A comment is flagged when at least one of its sentences is (sentences as
    :func:`cxtemplate.analysis.text.select.split_sentences` cuts them).

    Parameters
    ----------
    texts : iterable of str or pandas.Series
        One comment per item; missing or blank comments are flagged False.

    Returns
    -------
    pandas.DataFrame
        Columns ``effort`` and ``anger`` (bool) and ``effort_sentences``, ``anger_sentences``
        (int, how many of the comment's sentences carry the flag), one row per comment, with
        the Series' index (or 0..n-1 for other iterables).
    """
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    clean = s.map(lambda x: x if isinstance(x, str) else "").reset_index(drop=True)
    counts = np.zeros((len(s), 2), dtype=np.int64)
    if len(s):
        sentences, owner = split_sentences(clean)
        if len(sentences):
            f = flag_sentences(pd.Series(sentences, dtype=object)).to_numpy(dtype=np.int64)
            np.add.at(counts, owner, f)
    return pd.DataFrame({"effort": counts[:, 0] > 0, "anger": counts[:, 1] > 0,
                         "effort_sentences": counts[:, 0], "anger_sentences": counts[:, 1]}, index=s.index)
