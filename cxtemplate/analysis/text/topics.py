"""Topics in open-text comments and their impact on NPS.

The steps, each a function:

1. :func:`fit_topics` — comments are split into **sentences** and topics are modelled on the
   distinct sentences (case and punctuation ignored; sentences with fewer than two vocabulary
   words do not shape topics but are still assigned): TF-IDF (English stop words, uni- and
   bi-grams, sublinear term frequency) and non-negative matrix factorisation (NMF, NNDSVDa
   initialisation). Before factorising, term weights are adapted to the corpus
   (:mod:`cxtemplate.analysis.text.select`): words that occur as often in positive as in negative
   sentences (aspects such as "staff" that the evaluation splits) are down-weighted when
   sentence valence is informative; otherwise each term is smoothed towards the terms used in
   the same contexts. When the number of topics is not given it is chosen from ``k_range`` by
   **topic stability** (Greene et al. 2014): the k whose topics' top-20 term rankings agree
   best between the full data and ten 80 % subsamples. Each topic gets a label (its top 3
   terms), its top terms with weights, its share of comments, its ``kind`` (``"issue"``, or
   ``"general"`` for general-sentiment topics whose top terms are mostly generic evaluative
   words such as "overall", "happy", "great") and a few example comments (always redacted,
   see :mod:`cxtemplate.data.privacy`).
2. :func:`assign_topics` — which comments mention which topic: a comment mentions a topic when
   one of its sentences does (boolean membership; general-sentiment topics left out unless
   asked for).
3. :func:`topic_impact` — each topic's impact on NPS: NPS of commented responses mentioning it
   minus NPS of commented responses not mentioning it, with an adjusted-Wald interval
   (Rocks 2016) from the trinomial variance and a Benjamini–Hochberg adjusted p-value; also the
   difference in mean score.
4. :func:`plot_topic_impact`, :func:`plot_sentiment_by` — the report charts.

:func:`topic_alignment` measures how well topics agree with human labels (used on the airline
tweets' complaint reasons, bench/results/sentiment.md).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.analysis.text import select as ts
from cxtemplate.data import privacy
from cxtemplate.errors import check_choice

# Placeholders left by redaction, and words that carry no topic in survey comments.
EXTRA_STOP_WORDS: frozenset[str] = frozenset(
    {"url", "email", "phone", "card", "account", "name", "amp", "http", "https", "www", "com",
     "just", "really", "got", "get", "did", "does", "don", "didn", "doesn", "ve", "ll", "im",
     "thanks", "thank", "please", "ok", "yes", "no"}
)
# Words that evaluate an experience as a whole without naming an aspect of it. A topic whose
# top terms carry mostly these is a general-sentiment topic ("overall very happy"), not an issue.
GENERIC_WORDS: frozenset[str] = frozenset(
    """overall experience experiences happy happier unhappy great good bad excellent brilliant
    amazing awesome fantastic terrible awful horrible dreadful poor satisfied dissatisfied
    unsatisfied pleased displeased disappointed disappointing disappointment recommend
    recommended recommending love loved hate hated best worst okay fine average nice perfect
    superb wonderful outstanding stars star rating job keep definitely absolutely highly
    frustrating frustrated impressed happiest everything nothing anything complain praise
    special leaving considering providers provider satisfaction""".split()
)
GENERAL_SHARE = 0.6   # share of top-term weight on generic words that makes a topic general
_CLEAN = re.compile(r"\[(?:url|email|phone|card|account|name)\]|@\w+|https?://\S+|www\.\S+")
_TOKEN = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # words of two or more letters; no numbers


def _preprocess(doc: str) -> str:
    return _CLEAN.sub(" ", doc.lower())


@dataclass
class TopicModel:
    """A fitted topic model (see :func:`fit_topics`).

    Attributes
    ----------
    topics : pandas.DataFrame
        One row per topic: ``topic_id`` (T1…), ``label`` (top 3 terms; ``"general: …"`` for
        general-sentiment topics), ``kind`` (``"issue"`` or ``"general"``), ``top_terms`` (list of (term, weight) pairs, weights scaled so the
        top term is 1), ``share`` (share of comments mentioning it under the
        :func:`assign_topics` rule), ``dominant_share`` (share for which it is the main topic),
        ``coherence`` (NPMI of its top terms, sentence co-occurrence) and ``examples``
        (redacted example comments that mention it).
    k : int
        Number of topics.
    criterion : str
        How ``k`` was chosen: ``"stability"`` or ``"given"``.
    selection : pandas.DataFrame
        Per candidate k: ``stability`` (the criterion), ``mean_npmi`` and
        ``reconstruction_error``; ``chosen`` marks the pick.
    threshold : float
        Membership threshold used for ``share`` (default of :func:`assign_topics`).
    seed : int
    n_docs : int
        Comments with at least one vocabulary word.
    unit : str
        ``"sentence"`` or ``"comment"``: the unit topics were modelled and assigned on.
    """

    vectorizer: object
    nmf: object
    topics: pd.DataFrame
    k: int
    criterion: str
    selection: pd.DataFrame
    threshold: float
    seed: int
    n_docs: int
    params: dict = field(default_factory=dict)
    transform: object = None
    unit: str = "sentence"

    @property
    def labels(self) -> list[str]:
        """All topic labels, in topic order (the columns of :func:`topic_weights`)."""
        return list(self.topics["label"])

    all_labels = labels

    @property
    def issue_labels(self) -> list[str]:
        """Issue-topic labels (the default columns of :func:`assign_topics`): general-sentiment
        topics, labelled ``"general: …"``, left out."""
        t = self.topics
        return list(t.loc[t["kind"] == "issue", "label"])


def _npmi_per_topic(Xb, top_idx: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """Mean NPMI over pairs of each topic's top terms, from binary document co-occurrence.

    Pairs where one term contains the other (a bi-gram and its own word) are skipped: they
    co-occur by construction. A pair never seen together scores −1.
    """
    n = Xb.shape[0]
    uniq = np.unique(top_idx)
    sub = Xb[:, uniq]
    co = (sub.T @ sub).toarray().astype(float)
    pos = {t: i for i, t in enumerate(uniq)}
    df = np.diag(co)
    out = []
    for row in top_idx:
        vals = []
        for a in range(len(row)):
            for b in range(a + 1, len(row)):
                ta, tb = terms[row[a]], terms[row[b]]
                if set(ta.split()) & set(tb.split()):
                    continue
                i, j = pos[row[a]], pos[row[b]]
                pij = co[i, j] / n
                if pij <= 0:
                    vals.append(-1.0)
                    continue
                pmi = math.log(pij / ((df[i] / n) * (df[j] / n)))
                vals.append(pmi / -math.log(pij) if pij < 1 else 1.0)
        out.append(float(np.mean(vals)) if vals else 0.0)
    return np.asarray(out)


def _label(terms: list[str], n: int = 3) -> str:
    chosen: list[str] = []
    for t in terms:
        words = set(t.split())
        if any(words & set(c.split()) for c in chosen):
            continue
        chosen.append(t)
        if len(chosen) == n:
            break
    return " / ".join(chosen)


def _is_general(top_terms: list[tuple[str, float]]) -> bool:
    """True when generic evaluative words carry at least GENERAL_SHARE of the top-term weight."""
    tot = sum(w for _, w in top_terms)
    gen = sum(w for t, w in top_terms if all(x in GENERIC_WORDS for x in t.split()))
    return tot > 0 and gen / tot >= GENERAL_SHARE


def _units(model_unit: str, docs: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if model_unit == "sentence":
        return ts.split_sentences(docs)
    keep = docs.map(lambda x: bool(x.strip())).to_numpy()
    return docs.to_numpy(dtype=object)[keep], np.flatnonzero(keep)


class _Features:
    """The fitted TF-IDF vectoriser followed by the corpus-adapted term weighting.

    ``transform(texts)`` gives the feature rows the NMF was fitted on, for any text (a sentence
    or a whole comment); ``tfidf`` is the plain vectoriser.
    """

    def __init__(self, tfidf, weighting=None):
        self.tfidf, self.weighting = tfidf, weighting

    def transform(self, texts):
        from sklearn.preprocessing import normalize

        X = self.tfidf.transform(texts)
        return normalize(X @ self.weighting).tocsr() if self.weighting is not None else X

    def get_feature_names_out(self):
        return self.tfidf.get_feature_names_out()


def _features(vectorizer, transform, units):
    return _Features(vectorizer, transform).transform(units)


def fit_topics(texts, n_topics: int | None = None, k_range=range(4, 13), seed: int = 0, *,
               min_df: int | None = None, max_df: float = 0.5, n_terms: int = 10,
               n_examples: int = 3, threshold: float = 0.25, stop_words=(),
               max_features: int = 20000, unit: str = "sentence", min_terms: int = 2,
               valence_weighting="auto", smoothing="auto", n_samples: int = 10) -> TopicModel:
    """Find topics in comments with TF-IDF and NMF on sentences; choose their number by stability.

    Parameters
    ----------
    texts : pandas.Series or sequence of str
        Comments, **already redacted** (:func:`cxtemplate.data.privacy.redact`). Redaction
        placeholders, @handles and URLs are ignored as words. Examples are redacted again
        before they are stored, so no e-mail, phone, card, account or URL pattern can
        survive in them; a warning says so if the input was not redacted.
    n_topics : int, optional
        Number of topics. ``None`` chooses it from ``k_range`` by topic stability
        (:func:`cxtemplate.analysis.text.select.stability`: mean agreement of the top-20 term rankings
        between the full data and ``n_samples`` random 80 % subsamples; Greene et al. 2014).
    k_range : iterable of int, default range(4, 13)
    seed : int, default 0
        NMF is initialised by NNDSVDa (deterministic); the seed is passed to NMF and draws the
        stability subsamples, so the same texts and seed always give the same topics.
    min_df : int, optional
        Minimum distinct sentences a term must appear in; default
        ``max(2, min(10, n_distinct // 200))``.
    max_df : float, default 0.5
        Terms in more than this share of sentences are dropped.
    n_terms : int, default 10
        Top terms kept per topic (and used for coherence).
    n_examples : int, default 3
        Example comments per topic.
    threshold : float, default 0.25
        Membership threshold (see :func:`assign_topics`) used for each topic's ``share``.
    stop_words : iterable of str, optional
        Extra words to ignore (e.g. the organisation's own name).
    max_features : int, default 20000
    unit : {"sentence", "comment"}, default "sentence"
        The unit topics are modelled and assigned on.
    min_terms : int, default 2
        Sentences with fewer vocabulary words ("Thanks.", "Ugh!") do not shape the topics.
    valence_weighting : {"auto", True, False}, default "auto"
        Multiply each term's weight by ``1 - balance`` (share of its sentences split evenly
        between positive and negative VADER valence; :func:`cxtemplate.analysis.text.select.valence_balance`).
        ``"auto"``: when the corpus' mean balance is below 0.25 (sentence valence informative).
    smoothing : {"auto", True, False}, default "auto"
        Context smoothing of term weights (:func:`cxtemplate.analysis.text.select.context_smoother`).
        ``"auto"``: when the valence weighting is off.
    n_samples : int, default 10
        Subsamples per candidate k for the stability criterion.

    Returns
    -------
    TopicModel
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.preprocessing import normalize

    check_choice("unit", unit, ("sentence", "comment"))
    s = _as_text(texts)
    docs = s.fillna("")
    n = int((docs.str.strip() != "").sum())
    if n < 10:
        raise ValueError(f"fit_topics needs at least 10 non-blank comments; got {n}")
    stop = sorted(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS | {w.lower() for w in stop_words})
    units, owner = _units(unit, docs)
    uniq, _ = ts.distinct_units(units)
    uniq = uniq[uniq.str.strip() != ""].reset_index(drop=True)
    if min_df is None:
        min_df = max(2, min(10, len(uniq) // 200))

    def vectorizer():
        return TfidfVectorizer(preprocessor=_preprocess, token_pattern=_TOKEN, stop_words=stop,
                               ngram_range=(1, 2), min_df=min_df, max_df=max_df,
                               max_features=max_features, sublinear_tf=True)

    # Training units: distinct sentences with at least `min_terms` vocabulary words.
    vec = vectorizer()
    try:
        X0 = vec.fit_transform(uniq)
        one = np.array([" " not in t for t in vec.get_feature_names_out()])
        n_words = np.asarray((X0[:, one] > 0).sum(axis=1)).ravel()
        train = uniq[n_words >= min_terms].reset_index(drop=True)
        if len(train) < 10:
            train = uniq[n_words >= 1].reset_index(drop=True)
        vec = vectorizer()
        Xu = vec.fit_transform(train).tocsr()
    except ValueError as e:  # empty vocabulary
        raise ValueError(f"fit_topics found no usable vocabulary in the comments ({e})") from e
    terms = vec.get_feature_names_out()

    # Corpus-adapted term weights (text_select explains why each is used when it is).
    bal, corpus_bal = ts.valence_balance(Xu, train)
    use_val = corpus_bal < 0.25 if valence_weighting == "auto" else bool(valence_weighting)
    use_smooth = (not use_val) if smoothing == "auto" else bool(smoothing)
    T = None
    if use_val:
        import scipy.sparse as sp

        T = sp.diags(1.0 - bal).tocsr()
    if use_smooth:
        S = ts.context_smoother(Xu)
        T = S if T is None else (T @ S).tocsr()
    X = normalize(Xu @ T).tocsr() if T is not None else Xu
    Xb = (Xu > 0).astype(np.int32).tocsc()

    def top_of(H):
        return np.argsort(-H, axis=1)[:, :n_terms]

    if n_topics is None:
        ks = [k for k in k_range if k < min(X.shape)]
        if not ks:
            raise ValueError("no k in k_range is smaller than the number of sentences and terms")
        svd = ts.truncated_svd(X, max(ks), seed)
        fits = {k: ts.fit_nmf(X, k, seed, svd=svd) for k in ks}
        # stability on at most STABILITY_UNITS training units: the agreement of topic rankings is
        # estimated as well on a few thousand sentences, at a fraction of the cost
        Xs = X
        if X.shape[0] > STABILITY_UNITS:
            pick = np.sort(np.random.default_rng(seed).choice(X.shape[0], STABILITY_UNITS, replace=False))
            Xs = X[pick]
        stab = ts.stability(Xs, ks, n_samples=n_samples, seed=seed)
        rows = []
        for k in ks:
            coh = _npmi_per_topic(Xb, top_of(fits[k].components_), terms)
            fits[k] = (fits[k], coh)
            rows.append({"k": k, "stability": stab[k], "mean_npmi": float(coh.mean()),
                         "reconstruction_error": float(fits[k][0].reconstruction_err_)})
        sel = pd.DataFrame(rows)
        k = int(sel.loc[sel["stability"].idxmax(), "k"])
        sel["chosen"] = sel["k"] == k
        m, coh = fits[k]
        criterion = "stability"
    else:
        k = int(n_topics)
        if not 1 <= k < min(X.shape):
            raise ValueError(f"n_topics must be between 1 and {min(X.shape) - 1}; got {k}")
        m = ts.fit_nmf(X, k, seed)
        coh = _npmi_per_topic(Xb, top_of(m.components_), terms)
        sel = pd.DataFrame([{"k": k, "stability": np.nan, "mean_npmi": float(coh.mean()),
                             "reconstruction_error": float(m.reconstruction_err_), "chosen": True}])
        criterion = "given"

    H = m.components_
    top = top_of(H)
    # every comment, sentence by sentence
    Xa = _features(vec, T, units) if len(units) else X[:0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Wa = m.transform(Xa) if len(units) else np.zeros((0, k))
    member_s = _members(Wa, H, threshold)
    load_s = Wa * np.linalg.norm(H, axis=1)[None, :]
    member = _by_comment(member_s, owner, len(docs))
    weight = _row_shares(_sum_by_comment(load_s, owner, len(docs)))
    has = weight.sum(axis=1) > 0
    nonblank = (docs.str.strip() != "").to_numpy()
    dominant = np.where(has, weight.argmax(axis=1), -1)
    best = _max_by_comment(load_s, owner, len(docs))

    recs = []
    unredacted = 0
    for t in range(k):
        w = H[t]
        idx = top[t]
        tt = [(str(terms[i]), round(float(w[i] / w[idx[0]]), 3)) for i in idx if w[i] > 0]
        # examples: comments that mention t, main topic t first, by the weight of t's sentence
        cand = np.flatnonzero(member[:, t])
        order = np.lexsort((-best[cand, t], dominant[cand] != t))
        ex, seen = [], set()
        for i in cand[order]:
            txt = " ".join(str(s.iloc[i]).split())
            if txt.lower() in seen:
                continue
            seen.add(txt.lower())
            ex.append(txt if len(txt) <= 240 else txt[:239] + "…")
            if len(ex) == n_examples:
                break
        red = privacy.redact(pd.Series(ex, dtype=object)).text
        unredacted += int((red != pd.Series(ex, dtype=object)).sum())
        recs.append({"topic_id": f"T{t + 1}", "label": _label([a for a, _ in tt]),
                     "kind": "general" if _is_general(tt) else "issue",
                     "top_terms": tt, "share": float(member[nonblank, t].mean()),
                     "dominant_share": float((dominant[has] == t).mean()) if has.any() else 0.0,
                     "coherence": float(coh[t]), "examples": list(red)})
    if unredacted:
        warnings.warn(f"{unredacted} topic example(s) contained personal data and were redacted "
                      "now: redact comments before fit_topics", stacklevel=2)
    topics = pd.DataFrame(recs)
    topics["label"] = _dedupe([("general: " + lab) if kind == "general" else lab
                               for lab, kind in zip(topics["label"], topics["kind"])])
    return TopicModel(_Features(vec, T), m, topics, k, criterion, sel, threshold, seed, int(has.sum()),
                      {"min_df": min_df, "max_df": max_df, "n_terms": n_terms,
                       "vocabulary": len(terms), "training_units": int(X.shape[0]),
                       "min_terms": min_terms, "corpus_valence_balance": corpus_bal,
                       "valence_weighting": bool(use_val), "smoothing": bool(use_smooth)},
                      transform=T, unit=unit)


def _dedupe(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return out


def _row_shares(W: np.ndarray) -> np.ndarray:
    tot = W.sum(axis=1, keepdims=True)
    return np.divide(W, tot, out=np.zeros_like(W), where=tot > 0)


def _by_comment(M: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, M.shape[1]), dtype=bool)
    r, c = np.nonzero(M)
    out[owner[r], c] = True
    return out


def _sum_by_comment(V: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, V.shape[1]))
    np.add.at(out, owner, V)
    return out


def _max_by_comment(V: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, V.shape[1]))
    np.maximum.at(out, owner, V)
    return out


MIN_LOADING = 0.1
STABILITY_UNITS = 3000  # training sentences used for the stability criterion (a random subset above)


def _members(W: np.ndarray, H: np.ndarray, threshold: float) -> np.ndarray:
    """The membership rule for one unit (see :func:`assign_topics`)."""
    loading = W * np.linalg.norm(H, axis=1)[None, :]
    return (_row_shares(W) >= threshold) & (loading >= MIN_LOADING)


def _unit_weights(model: TopicModel, texts):
    s = _as_text(texts)
    docs = s.fillna("")
    units, owner = _units(model.unit, docs)
    k = model.nmf.components_.shape[0]
    if len(units) == 0:
        return s, docs, owner, np.zeros((0, k))
    X = model.vectorizer.transform(units)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W = model.nmf.transform(X)
    return s, docs, owner, W


def sentence_topics(model: TopicModel, texts, threshold: float | None = None) -> pd.DataFrame:
    """Topic weights and membership of every sentence (the unit the model assigns on).

    Returns
    -------
    pandas.DataFrame
        One row per sentence: ``comment`` (index label of its comment in ``texts``), then per
        topic label its share of the sentence's topic weight; ``topics`` lists the labels the
        sentence mentions.
    """
    thr = model.threshold if threshold is None else float(threshold)
    s, docs, owner, W = _unit_weights(model, texts)
    units = _units(model.unit, docs)[0]
    M = _members(W, model.nmf.components_, thr)
    labels = np.array(model.labels, dtype=object)
    out = pd.DataFrame(_row_shares(W), columns=model.labels)
    out.insert(0, "sentence", units)
    out.insert(0, "comment", s.index.to_numpy()[owner])
    out["topics"] = [list(labels[row]) for row in M]
    return out


def topic_weights(model: TopicModel, texts) -> pd.DataFrame:
    """Each comment's share of topic weight per topic (rows sum to 1, or 0 with no known word).

    A comment's weight on a topic is the sum over its sentences of the topic's part of each
    sentence's reconstruction (``W[s, t] * ||H[t]||``).

    Parameters
    ----------
    model : TopicModel
    texts : pandas.Series or sequence of str

    Returns
    -------
    pandas.DataFrame
        Index of ``texts``; one column per topic label (general-sentiment topics included).
    """
    s, docs, owner, W = _unit_weights(model, texts)
    load = W * np.linalg.norm(model.nmf.components_, axis=1)[None, :]
    return pd.DataFrame(_row_shares(_sum_by_comment(load, owner, len(docs))), index=s.index,
                        columns=model.labels)


def assign_topics(model: TopicModel, texts, threshold: float | None = None, *,
                  include_general: bool = False) -> pd.DataFrame:
    """Which comments mention which topic.

    Rule: a comment mentions a topic when at least one of its sentences does, and a sentence
    mentions a topic when (a) that topic carries at least ``threshold`` of the sentence's total
    NMF topic weight (default 0.25, a quarter) **and** (b) the topic's part of the
    reconstruction of the sentence's unit-length feature vector has norm at least 0.1
    (``W[s, t] * ||H[t]||``), so that a sentence with only a stray topic word is not counted.
    A comment may mention several topics, or none (e.g. "fine", or only general praise).
    Sentence by sentence, general praise ("Overall very happy.") in a comment about a quick
    fix no longer counts towards the quick-fix topic.

    Parameters
    ----------
    model : TopicModel
    texts : pandas.Series or sequence of str
    threshold : float, optional
        Share of the sentence's topic weight, 0–1; default ``model.threshold``.
    include_general : bool, default False
        Also return general-sentiment topics (``kind == "general"``); by default only issue
        topics, so that their impacts are not listed among the issues.

    Returns
    -------
    pandas.DataFrame of bool
        Index of ``texts``; one column per topic label (``model.issue_labels``, or
        ``model.labels`` with ``include_general``).
    """
    thr = model.threshold if threshold is None else float(threshold)
    if not 0 < thr <= 1:
        raise ValueError(f"threshold must be in (0, 1]; got {thr}")
    s, docs, owner, W = _unit_weights(model, texts)
    M = _by_comment(_members(W, model.nmf.components_, thr), owner, len(docs))
    out = pd.DataFrame(M, index=s.index, columns=model.labels)
    return out if include_general else out[model.issue_labels]


def _as_text(texts) -> pd.Series:
    if isinstance(texts, str):
        texts = [texts]
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    return s.where(s.map(lambda v: isinstance(v, str)), None).astype(object)


from cxtemplate.analysis.text.impact import topic_alignment, topic_impact  # noqa: E402,F401  (re-exported)
from cxtemplate.analysis.text.plots import plot_sentiment_by, plot_topic_impact  # noqa: E402,F401  (re-exported)
