"""Human names for comment topics: a short phrase customers actually wrote, instead of a word triple.

A fitted topic (:func:`cxtemplate.analysis.text.topics.fit_topics`) is known by its top terms ("billing /
charges / wrong"): fine for an analyst, unreadable for a manager. :func:`topic_names` names each topic by the
phrase of its own sentences that best carries its top terms:

1. the sentences that mention the topic (:func:`cxtemplate.analysis.text.topics.sentence_topics`) are split
   into clauses at punctuation;
2. every run of two to five words of a clause that starts and ends on one of the topic's top terms (so it
   never starts or ends on "the", "to", "was"), does not end on a word that in these sentences mostly stands
   before another content word (so it never stops inside a phrase: "showed the wrong | amount") and holds at
   least two distinct top words is a candidate;
3. a candidate holding one of the topic's two leading words comes before any that does not; among them a
   candidate scores the top-term weight it covers (a bi-gram term counts when its words stand side by side,
   stop words aside, as the vectoriser reads them) times the topic weight of the sentences it occurs in, a
   little less for every word beyond two;
4. the best candidate, or a longer one around it scoring at least :data:`EXTEND_SHARE` of it ("straight away"
   → "sorted straight away"), first letter capitalised, is the name ("Hold half an hour", "Extra charges");
   a name another topic already has goes to the next candidate, and a topic without any candidate is named
   by its two top words ("Billing and charges").

The names come from redacted comments and are redacted again (:mod:`cxtemplate.data.privacy`), so no
personal data can reach a page through them. How topics are found is not changed here.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pandas as pd

from cxtemplate.data import privacy

__all__ = ["EXTEND_SHARE", "MAX_WORDS", "fallback_name", "modifier_words", "name_topics", "phrase_candidates", "topic_names"]

MAX_WORDS = 5
"""The longest name, in words."""
EXTEND_SHARE = 0.3
"""A longer phrase around the best one names the topic when it scores at least this share of the best."""
_LENGTH_PENALTY = 0.15  # a candidate's score shrinks by this share for every word beyond two
_CLAUSE = re.compile(r"[,;:.!?()\[\]\"“”…–—]+|\s-\s")
_WORD = re.compile(r"[^\W\d_][^\W\d_']*")


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from cxtemplate.analysis.text.topics import EXTRA_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS)


# Words of scikit-learn's stop list that name things: they count as content words when telling whether a word
# mostly stands before another content word ("the wrong amount").
_CONTENT_STOP_WORDS = frozenset(
    """amount bill call fire system detail interest front side top bottom part name mill cry describe fill find
    show move put see take give keep go get found made done full empty thick thin serious sincere first last
    third back""".split())


def modifier_words(sentences, stop: frozenset[str] | None = None) -> frozenset[str]:
    """The words of ``sentences`` that stand before another content word in more than half of their occurrences
    within a clause ("wrong" in "the wrong amount", "extra" in "extra charges"): a name may not end on them.

    >>> sorted(modifier_words(["The wrong amount.", "Wrong amount again, wrong.", "An hour on hold"]))
    ['wrong']
    """
    stop = _stop_words() if stop is None else stop
    function = stop - _CONTENT_STOP_WORDS
    before: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for sentence in sentences:
        for clause in _CLAUSE.split(str(sentence)):
            lower = [w.lower() for w in _WORD.findall(clause)]
            for i, w in enumerate(lower):
                if w in function:
                    continue
                seen[w] += 1
                before[w] += int(i + 1 < len(lower) and lower[i + 1] not in function)
    return frozenset(w for w, n in seen.items() if before[w] > n / 2)


def _terms_in(words: list[str], stop: frozenset[str]) -> set[str]:
    """The uni- and bi-gram terms the vectoriser reads in ``words`` (stop words dropped, then neighbours paired)."""
    kept = [w for w in words if w not in stop and len(w) >= 2]
    return set(kept) | {f"{a} {b}" for a, b in zip(kept, kept[1:])}


def phrase_candidates(sentence: str, weights: dict[str, float], stop: frozenset[str] | None = None,
                      modifiers: frozenset[str] = frozenset()) -> dict[str, float]:
    """Every run of words of ``sentence`` that could name a topic whose top terms weigh ``weights``.

    Parameters
    ----------
    sentence : str
        One sentence of a comment.
    weights : dict
        The topic's top terms (uni- or bi-grams, lower case) and their weights.
    stop : frozenset of str, optional
        The stop words (default: those the topics are fitted with).
    modifiers : frozenset of str, optional
        Words a phrase may not end on: those that mostly stand before another content word ("wrong amount",
        "extra charges"; :func:`modifier_words`).

    Returns
    -------
    dict
        Phrase as written (original case) → the top-term weight it covers: runs of 2 to :data:`MAX_WORDS` words
        within one clause that start and end on a top word (not on one of ``modifiers``) and hold at least two
        distinct top words.

    Examples
    --------
    >>> phrase_candidates("Had to hold an hour, awful.", {"hold": 1.0, "hour": 0.8, "awful": 0.1})
    {'hold an hour': 1.8}
    """
    stop = _stop_words() if stop is None else stop
    top_words = {w for term in weights for w in term.split()}
    out: dict[str, float] = {}
    for clause in _CLAUSE.split(sentence):
        words = _WORD.findall(clause)
        lower = [w.lower() for w in words]
        for i, first in enumerate(lower):
            if first not in top_words or first in stop:
                continue
            for j in range(i + 1, min(i + MAX_WORDS, len(words))):
                last = lower[j]
                if last not in top_words or last in stop:
                    continue
                if last in modifiers:  # it would stop inside a phrase ("the wrong | amount")
                    continue
                span = lower[i:j + 1]
                if len({w for w in span if w in top_words and w not in stop}) < 2:
                    continue
                covered = sum(weights.get(t, 0.0) for t in _terms_in(span, stop))
                phrase = " ".join(words[i:j + 1])
                out[phrase] = max(out.get(phrase, 0.0), covered)
    return out


def fallback_name(top_terms: list[tuple[str, float]]) -> str:
    """A topic's name from its two top words when no phrase of its comments names it: 'Billing and charges'.

    >>> fallback_name([("billing", 1.0), ("billing mess", 0.5), ("charges", 0.4)])
    'Billing and charges'
    """
    words: list[str] = []
    for term, _ in top_terms:
        for w in term.split():
            if w not in words:
                words.append(w)
    if not words:
        return "Other comments"
    text = words[0] if len(words) == 1 else f"{words[0]} and {words[1]}"
    return text[:1].upper() + text[1:]


def _capital(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _leading_words(top_terms: list[tuple[str, float]], n: int = 2) -> set[str]:
    words: list[str] = []
    for term, _ in top_terms:
        words += [w.lower() for w in term.split() if w.lower() not in words]
    return set(words[:n])


def _extended(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The ranked phrases with the best one replaced by the longer phrase around it that customers often write
    ("straight away" → "sorted straight away"): one scoring at least :data:`EXTEND_SHARE` of it."""
    if not ranked:
        return ranked
    best, score = ranked[0]
    while True:
        around = [(p, s) for p, s in ranked if s >= EXTEND_SHARE * score and f" {best} " in f" {p} " and p != best]
        if not around:
            break
        best = max(around, key=lambda kv: kv[1])[0]
    first = next(kv for kv in ranked if kv[0] == best)
    return [first] + [kv for kv in ranked if kv[0] != best]


def name_topics(top_terms: list[list[tuple[str, float]]], sentences: list[list[tuple[str, float]]]) -> list[str]:
    """A unique human name for every topic from its top terms and its weighted sentences.

    Parameters
    ----------
    top_terms : list
        Per topic, its ``(term, weight)`` pairs (``TopicModel.topics["top_terms"]``).
    sentences : list
        Per topic, ``(sentence, weight)`` pairs: the sentences that mention it and the topic's share of each.

    Returns
    -------
    list of str
        One name per topic, in topic order, unique (case ignored). Topics are named strongest phrase first, so a
        phrase two topics could take goes to the one it fits best.
    """
    stop = _stop_words()
    ranked: list[list[tuple[str, float]]] = []
    for terms, said in zip(top_terms, sentences):
        weights = {t.lower(): float(w) for t, w in terms}
        score: dict[str, float] = defaultdict(float)
        surface: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        modifiers = modifier_words([text for text, _ in said], stop)
        for text, share in said:
            for phrase, covered in phrase_candidates(str(text), weights, stop, modifiers).items():
                key = phrase.lower()
                extra = max(0, len(phrase.split()) - 2)
                score[key] += float(share) * covered * (1 - _LENGTH_PENALTY) ** extra
                surface[key][phrase] += float(share)
        lead = _leading_words(terms)
        ordered = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
        # a name carries one of the topic's two leading words when a phrase can ("polite and kind staff", not
        # "staff member")
        ordered = ([kv for kv in ordered if lead & set(kv[0].split())] + [kv for kv in ordered if not lead & set(kv[0].split())])
        best = _extended(ordered)
        ranked.append([(max(sorted(surface[key].items()), key=lambda kv: kv[1])[0], s) for key, s in best])
    names: list[str | None] = [None] * len(ranked)
    taken: set[str] = set()
    # the topic with the strongest best phrase chooses first
    order = sorted(range(len(ranked)), key=lambda t: -(ranked[t][0][1] if ranked[t] else 0.0))
    for t in order:
        choice = next((p for p, _ in ranked[t] if _capital(p).lower() not in taken), None)
        name = _capital(choice) if choice else fallback_name(top_terms[t])
        base, n = name, 2
        while name.lower() in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name.lower())
        names[t] = name
    return [str(n) for n in names]


def topic_names(model, texts) -> list[str]:
    """The human name of every topic of ``model``, from the sentences of ``texts`` that mention it.

    Parameters
    ----------
    model : TopicModel
        A fitted model (:func:`cxtemplate.analysis.text.topics.fit_topics`).
    texts : pandas.Series of str
        The (redacted) comments the model was fitted on; each distinct sentence counts as often as it occurs.

    Returns
    -------
    list of str
        One name per topic, in the order of ``model.topics``, unique; redacted.
    """
    from cxtemplate.analysis.text.topics import sentence_topics

    s = pd.Series(texts, dtype=object).dropna()
    s = s[s.map(lambda v: isinstance(v, str) and bool(v.strip()))].reset_index(drop=True)
    labels = list(model.labels)
    sentences: list[list[tuple[str, float]]] = [[] for _ in labels]
    if len(s):
        codes, uniq = pd.factorize(s)
        counts = np.bincount(codes)
        per = sentence_topics(model, pd.Series(uniq, dtype=object))
        times = counts[per["comment"].to_numpy()]
        share = per[labels].to_numpy()
        column = {label: t for t, label in enumerate(labels)}
        for row, (sentence, mentioned) in enumerate(zip(per["sentence"], per["topics"])):
            for label in mentioned:
                t = column[label]
                sentences[t].append((sentence, float(share[row, t]) * times[row]))
    names = name_topics(list(model.topics["top_terms"]), sentences)
    return list(privacy.redact(pd.Series(names, dtype=object)).text)
