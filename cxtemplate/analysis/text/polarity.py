"""Whether a sentence praises or complains: its polarity, measured apart from what it is about.

:func:`sentence_polarity` scores every sentence in −1…1 and calls it ``praise`` (score ≥ 0) or ``complaint``:

* **with the comments' own scores** (NPS 0–10 per comment, at least :data:`MIN_PER_CLASS` promoters' and
  detractors' sentences): a TF-IDF (word 1–2-grams) + class-balanced logistic regression trained on the sentences
  of promoters' comments (positive) against those of detractors' comments (negative), each sentence scored
  **out of fold** by a model that never saw it (5 folds; identical normalised sentences always in one fold, so a
  stock phrase cannot be scored by a model trained on its copy). It learns what a general lexicon cannot: "I was
  charged twice" or "on hold for an hour" are complaints without an emotional word. The score is
  ``2 P(promoter) − 1`` plus :data:`LEXICON_WEIGHT` × the VADER compound, which keeps the lexicon's knowledge of
  words the comments seldom use ("lovely", "condescending");
* **without scores** (chats, social posts) or with too few of either class: the VADER compound alone
  (Hutto & Gilbert 2014), a rule-based lexicon.

The 0.5 weight of the lexicon was chosen on the synthetic organisation (a weight of 1 gives the same verdicts
within 0.05 in precision and recall; the lexicon alone misses most factual complaints): it is a stated choice,
not a fitted parameter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.analysis.text.sentiment import normalise_text
from cxtemplate.vocabulary import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

__all__ = ["LEXICON_WEIGHT", "MIN_PER_CLASS", "N_FOLDS", "TRAIN_SAMPLE", "sentence_polarity"]

MIN_PER_CLASS = 50
"""Promoters' and detractors' sentences each needed before the comments' own scores train the polarity model."""
LEXICON_WEIGHT = 0.5
"""Weight of the VADER compound added to the own-scores model's score."""
N_FOLDS = 5
TRAIN_SAMPLE = 40_000
"""Above this many sentences the model is cross-fitted on a random sample of this many; the model fitted on the
whole sample scores the others (the verdicts barely move while the cost grows with the sentences)."""


def _vader(sentences: pd.Series) -> np.ndarray:
    from cxtemplate.analysis.text.sentiment import vader_compound  # noqa: PLC0415 (VADER loads on first use)

    return vader_compound(sentences).fillna(0.0).to_numpy(dtype=float)


def sentence_polarity(sentences, owner, scores=None, *, seed: int = 0) -> pd.DataFrame:
    """Each sentence's polarity score and label (``praise`` or ``complaint``).

    Parameters
    ----------
    sentences : sequence of str
        The sentences (from :func:`cxtemplate.analysis.text.select.split_sentences`).
    owner : array-like of int
        Position of each sentence's comment in ``scores``.
    scores : array-like of float, optional
        Each comment's NPS (0–10; missing allowed). Without it, or with fewer than :data:`MIN_PER_CLASS`
        sentences of promoters or of detractors, the lexicon alone scores.
    seed : int, default 0
        Shuffles the folds; the same inputs and seed give the same scores.

    Returns
    -------
    pandas.DataFrame
        One row per sentence: ``score`` (−1.5…1.5 with scores, −1…1 without), ``polarity`` and, in ``attrs``,
        ``method`` (``"own_scores+lexicon"`` or ``"lexicon"``) and ``trained_on`` (sentences per class).
    """
    s = pd.Series(list(sentences), dtype=object).fillna("").astype(str)
    owner = np.asarray(owner, dtype=np.int64)
    lexicon = _vader(s) if len(s) else np.zeros(0)
    method, trained = "lexicon", {}
    score = lexicon.copy()
    if scores is not None and len(s):
        nps = np.asarray(scores, dtype=float)[owner]
        label = np.where(nps >= NPS_PROMOTER_MIN, 1, np.where(nps <= NPS_DETRACTOR_MAX, 0, -1))
        label[np.isnan(nps)] = -1
        n_pos, n_neg = int((label == 1).sum()), int((label == 0).sum())
        if min(n_pos, n_neg) >= MIN_PER_CLASS:
            score = _own_scores(s, label, seed) + LEXICON_WEIGHT * lexicon
            method, trained = "own_scores+lexicon", {"promoters": n_pos, "detractors": n_neg}
    out = pd.DataFrame({"score": score, "polarity": np.where(score >= 0, "praise", "complaint")})
    out.attrs.update(method=method, trained_on=trained)
    return out


def _own_scores(sentences: pd.Series, label: np.ndarray, seed: int) -> np.ndarray:
    """``2 P(promoter) − 1`` per sentence, out of fold (grouped by normalised text) for every sentence."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    groups = pd.factorize(normalise_text(sentences))[0]
    X = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b").fit_transform(sentences)
    # shuffle the groups into folds (GroupKFold itself is deterministic by group size)
    rng = np.random.default_rng(seed)
    relabel = rng.permutation(groups.max() + 1)[groups]
    n = len(sentences)
    sample = np.arange(n) if n <= TRAIN_SAMPLE else np.sort(rng.choice(n, TRAIN_SAMPLE, replace=False))
    rest = np.setdiff1d(np.arange(n), sample)
    n_folds = min(N_FOLDS, len(np.unique(relabel[sample])))
    out = np.zeros(n)

    def fitted(rows):
        rows = rows[label[rows] >= 0]
        if len(np.unique(label[rows])) < 2:
            return None
        return LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced").fit(X[rows], label[rows])

    for train, test in GroupKFold(n_folds).split(X[sample], groups=relabel[sample]):
        model = fitted(sample[train])
        if model is not None:
            out[sample[test]] = 2 * model.predict_proba(X[sample[test]])[:, 1] - 1
    if len(rest):
        model = fitted(sample)
        if model is not None:
            out[rest] = 2 * model.predict_proba(X[rest])[:, 1] - 1
    return out
