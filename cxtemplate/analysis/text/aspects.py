"""What comments are about and whether they praise or complain: aspect × polarity, then discovery on the rest.

:func:`analyse_aspects` runs the guided topic analysis of a set of comments:

1. every sentence is matched to the taxonomy's aspects (:mod:`cxtemplate.analysis.text.taxonomy`);
2. every sentence gets a polarity, praise or complaint (:mod:`cxtemplate.analysis.text.polarity`);
3. an aspect whose mentioning sentences mix the two polarities, the smaller side holding at least
   ``mixed_share`` (default 0.2) of them, is **mixed**: it is reported as two units, its complaint side and its
   praise side ("Rude or unhelpful staff", "Friendly, helpful staff"), never as one effect. An aspect that is
   not mixed is one unit, named by its dominant side ("Billing errors and charges");
4. the sentences no aspect matches go to unsupervised discovery
   (:func:`cxtemplate.analysis.text.topics.fit_topics`), whose issue topics are **proposed aspects**, named by a
   phrase of their own sentences (:func:`cxtemplate.analysis.text.naming.topic_names`);
5. a comment mentions a unit when one of its sentences does (with the unit's polarity for a mixed aspect's
   sides); the share of comments that mention no unit at all is reported as ``unassigned_share``.

The NPS impact of every unit comes from :func:`cxtemplate.analysis.text.impact.topic_impact` on
:attr:`AspectAnalysis.membership`, like that of discovered topics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.analysis.text.polarity import sentence_polarity
from cxtemplate.analysis.text.taxonomy import Taxonomy, aspect_hits
from cxtemplate.analysis.text.select import split_sentences
from cxtemplate.data import privacy

__all__ = ["AspectAnalysis", "MIN_DISCOVERY_SENTENCES", "MIXED_SHARE", "analyse_aspects", "aspect_units"]

MIXED_SHARE = 0.2
"""An aspect whose smaller polarity holds at least this share of its sentences is reported as two sides."""
MIN_DISCOVERY_SENTENCES = 200
"""Fewer sentences left by the taxonomy than this are not searched for new aspects."""
MIN_PROPOSED_SHARE = 0.01
"""A proposed aspect is shown when at least this share of the comments (and ``min_mentions`` of them) mention it."""
N_EXAMPLES = 2
DISCOVERY_SAMPLE = 20_000
"""Above this many sentences left by the taxonomy, discovery fits on a random sample of them and assigns all."""


@dataclass
class AspectAnalysis:
    """The guided topic analysis of a set of comments (see :func:`analyse_aspects`).

    Attributes
    ----------
    units : pandas.DataFrame
        One row per reported unit: ``label`` (its name), ``kind`` (``"aspect"`` or ``"proposed"``), ``aspect_id``,
        ``aspect`` (the aspect's name), ``polarity`` (``"complaint"``, ``"praise"`` or ``"both"`` for an aspect
        reported whole), ``mixed`` (its aspect mixes praise and complaint), ``complaint_share`` (share of the
        aspect's sentences that complain), ``share`` (share of the comments mentioning the unit), ``n``,
        ``words`` (seed terms or a proposed aspect's top words) and ``examples`` (redacted sentences).
    membership : pandas.DataFrame of bool
        Comments × unit labels.
    taxonomy : Taxonomy
    polarity_method : str
        ``"own_scores+lexicon"`` or ``"lexicon"`` (:func:`cxtemplate.analysis.text.polarity.sentence_polarity`).
    unassigned_share : float
        Share of the non-blank comments that mention no unit.
    proposed : object or None
        The topic model fitted on the sentences no aspect matched (``None`` when too few were left).
    n_comments : int
    """

    units: pd.DataFrame
    membership: pd.DataFrame
    taxonomy: Taxonomy
    polarity_method: str
    unassigned_share: float
    proposed: object = None
    n_comments: int = 0
    params: dict = field(default_factory=dict)

    @property
    def mixed_aspects(self) -> list[str]:
        """Names of the aspects reported as two sides because they mix praise and complaint."""
        u = self.units[self.units["mixed"]]
        return list(dict.fromkeys(u["aspect"]))


def aspect_units(hits: np.ndarray, polarity: np.ndarray, taxonomy: Taxonomy, *,
                 mixed_share: float = MIXED_SHARE) -> list[dict]:
    """The reported units of the aspects: one per aspect, or its two sides when it is mixed.

    Parameters
    ----------
    hits : ndarray (sentences × aspects)
        From :func:`cxtemplate.analysis.text.taxonomy.aspect_hits`.
    polarity : ndarray of str
        ``"praise"`` or ``"complaint"`` per sentence.
    taxonomy : Taxonomy
    mixed_share : float, default 0.2

    Returns
    -------
    list of dict
        Per unit: ``label``, ``aspect_id``, ``aspect``, ``polarity``, ``mixed``, ``complaint_share``,
        ``words`` and ``sentences`` (a boolean mask over the sentences).
    """
    out = []
    complaint = np.asarray(polarity) == "complaint"
    for j, aspect in enumerate(taxonomy.aspects):
        said = hits[:, j] > 0
        if not said.any():
            continue
        c_share = float(complaint[said].mean())
        mixed = min(c_share, 1 - c_share) >= mixed_share
        base = {"aspect_id": aspect.id, "aspect": aspect.name, "mixed": mixed, "complaint_share": c_share,
                "words": aspect.words, "kind": "aspect"}
        if mixed:
            for side, mask in (("complaint", said & complaint), ("praise", said & ~complaint)):
                out.append(base | {"label": aspect.side(side), "polarity": side, "sentences": mask})
        else:
            side = "complaint" if c_share >= 0.5 else "praise"
            out.append(base | {"label": aspect.side(side), "polarity": "both", "sentences": said})
    return out


def _examples(sentences: np.ndarray, mask: np.ndarray, strength: np.ndarray, n: int = N_EXAMPLES) -> list[str]:
    idx = np.flatnonzero(mask)
    picked, seen = [], set()
    for i in idx[np.argsort(-strength[idx], kind="stable")]:
        text = " ".join(str(sentences[i]).split())
        if text.lower() in seen or len(text.split()) < 3:
            continue
        seen.add(text.lower())
        picked.append(text if len(text) <= 200 else text[:199] + "…")
        if len(picked) == n:
            break
    return list(privacy.redact(pd.Series(picked, dtype=object)).text)


def analyse_aspects(texts: pd.Series, taxonomy: Taxonomy, scores=None, *, seed: int = 0,
                    mixed_share: float = MIXED_SHARE, discover: bool = True, k_range=range(4, 13),
                    stop_words=(), min_mentions: int = 30) -> AspectAnalysis:
    """Aspect × polarity units of ``texts``, and proposed aspects from the sentences no aspect matched.

    Parameters
    ----------
    texts : pandas.Series of str
        Comments, already redacted (:func:`cxtemplate.data.privacy.redact`).
    taxonomy : Taxonomy
        From :func:`cxtemplate.analysis.text.taxonomy.load_taxonomy`.
    scores : pandas.Series, optional
        NPS (0–10) per comment, aligned with ``texts``: trains the polarity model
        (:func:`cxtemplate.analysis.text.polarity.sentence_polarity`).
    seed : int, default 0
    mixed_share : float, default 0.2
        See the module docstring.
    discover : bool, default True
        Search the sentences no aspect matched for proposed aspects.
    k_range : iterable of int
        Topic numbers the discovery tries.
    stop_words : iterable of str
        Extra words the discovery ignores (e.g. the organisation's own name).
    min_mentions : int, default 30
        A proposed aspect needs this many comments, and :data:`MIN_PROPOSED_SHARE` of them, to be shown; smaller
        ones stay among the unassigned comments.

    Returns
    -------
    AspectAnalysis
    """
    if not 0 < mixed_share <= 0.5:
        raise ValueError(f"mixed_share must be in (0, 0.5]; got {mixed_share}")
    s = pd.Series(texts)
    docs = s.where(s.map(lambda v: isinstance(v, str)), "").astype(object).reset_index(drop=True)
    n = len(docs)
    sentences, owner = split_sentences(docs)
    hits = aspect_hits(taxonomy, sentences)
    sc = None if scores is None else pd.Series(scores).reindex(s.index).to_numpy(dtype=float)
    pol = sentence_polarity(sentences, owner, sc, seed=seed)
    polarity, strength = pol["polarity"].to_numpy(), pol["score"].abs().to_numpy()
    units = aspect_units(hits, polarity, taxonomy, mixed_share=mixed_share)
    member = {}
    rows = []
    for u in units:
        mask = u.pop("sentences")
        m = np.zeros(n, dtype=bool)
        m[owner[mask]] = True
        member[u["label"]] = m
        rows.append(u | {"n": int(m.sum()), "examples": _examples(sentences, mask, strength)})
    left = ~(hits > 0).any(axis=1)
    proposed = None
    if discover:
        proposed, found = _discover(sentences[left], owner[left], n, seed=seed, k_range=k_range, stop_words=stop_words)
        floor = max(min_mentions, MIN_PROPOSED_SHARE * n)
        for label, (m, words, examples) in found.items():
            if m.sum() < floor:
                continue
            name = label if label not in member else f"{label} (proposed)"
            member[name] = m
            rows.append({"label": name, "aspect_id": None, "aspect": name, "polarity": "both", "mixed": False,
                         "complaint_share": np.nan, "words": words, "kind": "proposed", "n": int(m.sum()),
                         "examples": examples})
    membership = pd.DataFrame(member, index=s.index) if member else pd.DataFrame(index=s.index)
    nonblank = (docs.str.strip() != "").to_numpy()
    table = pd.DataFrame(rows, columns=["label", "kind", "aspect_id", "aspect", "polarity", "mixed",
                                        "complaint_share", "n", "words", "examples"])
    table.insert(7, "share", table["n"] / max(int(nonblank.sum()), 1))
    table = table.sort_values(["kind", "n"], ascending=[True, False], kind="stable").reset_index(drop=True)
    anything = membership.to_numpy().any(axis=1) if member else np.zeros(n, dtype=bool)
    unassigned = float((~anything[nonblank]).mean()) if nonblank.any() else 0.0
    return AspectAnalysis(table, membership[list(table["label"])] if member else membership, taxonomy,
                          pol.attrs["method"], unassigned, proposed, int(nonblank.sum()),
                          {"mixed_share": mixed_share, "trained_on": pol.attrs["trained_on"],
                           "sentences": int(len(sentences)), "left_for_discovery": int(left.sum())})


def _discover(sentences: np.ndarray, owner: np.ndarray, n: int, *, seed: int, k_range, stop_words):
    """Issue topics of the sentences the taxonomy left: {name: (comment mask, top words, examples)}."""
    import warnings

    from cxtemplate.analysis.text.naming import topic_names
    from cxtemplate.analysis.text.topics import assign_topics, fit_topics

    texts = pd.Series(sentences, dtype=object)
    if texts.str.strip().ne("").sum() < MIN_DISCOVERY_SENTENCES:
        return None, {}
    fit_on = texts
    if len(texts) > DISCOVERY_SAMPLE:
        fit_on = texts.iloc[np.sort(np.random.default_rng(seed).choice(len(texts), DISCOVERY_SAMPLE, replace=False))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = fit_topics(fit_on.reset_index(drop=True), seed=seed, k_range=k_range, stop_words=stop_words)
        except ValueError:  # nothing usable left
            return None, {}
    names = topic_names(model, fit_on.reset_index(drop=True))
    member = assign_topics(model, texts, include_general=True).to_numpy()
    found = {}
    topics = model.topics.reset_index(drop=True)
    for t, row in topics.iterrows():
        if row["kind"] != "issue" or not member[:, t].any():
            continue
        m = np.zeros(n, dtype=bool)
        m[owner[member[:, t]]] = True
        words = " / ".join(term for term, _ in row["top_terms"][:3])
        found[names[t]] = (m, words, list(row["examples"])[:N_EXAMPLES])
    return model, found
