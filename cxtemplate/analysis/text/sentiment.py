"""Offline sentiment of free-text comments: a lexicon (VADER) or a model of the organisation's own scores.

Two scorers, both offline and deterministic, behind one function, :func:`score_sentiment`:

``"vader"``
    VADER (Hutto & Gilbert 2014), a rule-based lexicon shipped inside the ``vaderSentiment``
    package. Needs no labels; its compound score lies in −1…1. Labels use the authors'
    thresholds: compound ≥ 0.05 positive, ≤ −0.05 negative, otherwise neutral.
``"own_scores"``
    A classifier trained on the organisation's *own* comments with their own scores as labels
    (NPS 9–10 positive, 0–6 negative, 7–8 neutral; or 1–5 stars: ≥4, ≤2, 3): TF-IDF of word
    uni- and bi-grams and a class-balanced logistic regression. It learns domain language
    ("delayed", "on hold for an hour") that a general lexicon misses. The labelled comments are
    scored *out of fold* (k-fold cross-fitting), so no comment is scored by a model that saw its
    own label; unlabelled comments are scored by the model fitted on all labelled ones.
    Score = P(positive) − P(negative), in −1…1; label = the most probable class.

Measured on two real labelled sets (``bench/results/sentiment.md``; cross-validated for
``own_scores``): on 14,640 airline tweets (human 3-class labels) VADER reaches 0.49 accuracy /
0.46 macro-F1 and the own-scores model 0.80 / 0.75; on 3,070 Alexa reviews (stars) 0.82 / 0.48
against 0.93 / 0.74. The own-scores model is therefore used whenever enough labelled comments exist
(``method="auto"``, the default); VADER is the fallback for comments that have no score (chat
transcripts, social posts) or organisations with too few labelled comments.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxtemplate.errors import check_choice

CLASSES: tuple[str, str, str] = ("negative", "neutral", "positive")
VADER_THRESHOLDS: tuple[float, float] = (-0.05, 0.05)
# Minimum labelled comments per class (negative and positive) for "auto" to use "own_scores".
MIN_PER_CLASS = 50
# Above this many labelled comments, "own_scores" is trained (and cross-fitted) on a random sample of this
# many; the model fitted on the sample scores every other comment (bench/bench_comments.py measures it).
OWN_SCORES_TRAIN_SAMPLE = 25_000


# --- VADER ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_compound(texts) -> pd.Series:
    """VADER compound score (−1…1) per text; missing or blank texts give NaN.

    Each distinct text is scored once (duplicates are common in survey exports). VADER is
    pure Python: about 12,000–16,000 short comments per second on one core.

    Parameters
    ----------
    texts : pandas.Series or sequence of str

    Returns
    -------
    pandas.Series of float
        Same index as ``texts``.
    """
    s = _as_text_series(texts)
    ok = s.str.strip().str.len().fillna(0).gt(0)
    analyzer = _vader()
    uniq = pd.unique(s[ok])
    scores = {t: analyzer.polarity_scores(t)["compound"] for t in uniq}
    out = pd.Series(np.nan, index=s.index, dtype=float)
    out[ok] = s[ok].map(scores).astype(float)
    return out


def label_scores(scores, thresholds: tuple[float, float] = VADER_THRESHOLDS) -> pd.Series:
    """Turn scores in −1…1 into negative / neutral / positive labels.

    Parameters
    ----------
    scores : array-like of float
    thresholds : (low, high), default (−0.05, 0.05)
        ``score <= low`` → negative, ``score >= high`` → positive, otherwise neutral.
        NaN stays missing.

    Returns
    -------
    pandas.Series of str (object dtype, missing as None)
    """
    s = pd.Series(scores, dtype=float) if not isinstance(scores, pd.Series) else scores.astype(float)
    lo, hi = thresholds
    lab = np.select([s.to_numpy() <= lo, s.to_numpy() >= hi], ["negative", "positive"], "neutral")
    out = pd.Series(lab, index=s.index, dtype=object)
    out[s.isna()] = None
    return out


# --- labels from the organisation's own scores ----------------------------------------------


def classes_from_scores(values, scale: str = "nps") -> pd.Series:
    """Map the organisation's own scores to sentiment classes used as training labels.

    Parameters
    ----------
    values : array-like
        Scores per comment (NaN where the comment has no score).
    scale : {"nps", "stars", "class"}, default "nps"
        ``"nps"``: 0–10, 9–10 positive, 7–8 neutral, 0–6 negative.
        ``"stars"``: 1–5, 4–5 positive, 3 neutral, 1–2 negative.
        ``"class"``: already classes, as strings (negative/neutral/positive) or −1/0/1.

    Returns
    -------
    pandas.Series of str, missing where no score
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if scale == "class":
        if pd.api.types.is_numeric_dtype(s):
            out = s.map({-1: "negative", 0: "neutral", 1: "positive"})
        else:
            out = s.astype(object).where(s.notna()).map(
                lambda v: str(v).strip().lower() if v is not None and v == v else None)
        bad = out.notna() & ~out.isin(CLASSES)
        if bad.any():
            raise ValueError(f"labels must be negative/neutral/positive or -1/0/1; got {out[bad].unique()[:5]}")
        return out.astype(object)
    x = pd.to_numeric(s, errors="coerce")
    if scale == "nps":
        lo, hi = 6, 9
    elif scale == "stars":
        lo, hi = 2, 4
    else:
        check_choice("scale", scale, ("nps", "stars", "class"))
    lab = np.select([x <= lo, x >= hi], ["negative", "positive"], "neutral").astype(object)
    out = pd.Series(lab, index=s.index, dtype=object)
    out[x.isna()] = None
    return out


def _make_pipeline(seed: int = 0):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode"),
        # newton-cg: 20x faster than lbfgs on sparse TF-IDF with many classes; C fixed at 4
        LogisticRegression(C=4.0, class_weight="balanced", solver="newton-cg", max_iter=500,
                           random_state=seed),
    )


@dataclass
class OwnScoresModel:
    """A sentiment classifier fitted on the organisation's own labelled comments.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
        TF-IDF (word 1–2-grams, min_df 2, sublinear tf) + class-balanced logistic regression.
    classes : list of str
        The classes it predicts (two or three of negative / neutral / positive).
    n_train : int
        Labelled comments it was fitted on.
    """

    pipeline: object
    classes: list
    n_train: int

    def predict(self, texts) -> pd.DataFrame:
        """Score texts: ``score`` = P(positive) − P(negative) and ``label`` = the likeliest class.

        Each distinct text is scored once (survey exports repeat stock phrases).
        """
        s = _as_text_series(texts)
        codes, uniq = pd.factorize(s.fillna(""))
        fr = _proba_to_frame(self.pipeline.predict_proba(pd.Series(uniq, dtype=object)), self.classes, None)
        return pd.DataFrame({"score": fr["score"].to_numpy()[codes], "label": fr["label"].to_numpy()[codes]},
                            index=s.index)


def _proba_to_frame(P: np.ndarray, classes: Sequence[str], index) -> pd.DataFrame:
    cl = list(classes)
    pos = P[:, cl.index("positive")] if "positive" in cl else 0.0
    neg = P[:, cl.index("negative")] if "negative" in cl else 0.0
    return pd.DataFrame({"score": pos - neg, "label": np.asarray(cl, dtype=object)[P.argmax(1)]},
                        index=index)


def fit_own_scores(texts, classes, *, seed: int = 0) -> OwnScoresModel:
    """Fit the own-scores classifier on labelled comments.

    Parameters
    ----------
    texts : pandas.Series or sequence of str
    classes : array-like of str
        negative / neutral / positive per text (see :func:`classes_from_scores`); rows with a
        missing class or a blank text are left out.
    seed : int, default 0

    Returns
    -------
    OwnScoresModel
    """
    s = _as_text_series(texts)
    y = pd.Series(np.asarray(classes, dtype=object), index=s.index)
    keep = y.notna() & s.str.strip().str.len().fillna(0).gt(0)
    pipe = _make_pipeline(seed)
    pipe.fit(s[keep], y[keep].astype(str))
    return OwnScoresModel(pipe, list(pipe.classes_), int(keep.sum()))


def score_sentiment(texts, method: str = "auto", labels=None, *, scale: str = "nps",
                    thresholds: tuple[float, float] = VADER_THRESHOLDS, cv: int = 5,
                    seed: int = 0, train_sample: int | None = OWN_SCORES_TRAIN_SAMPLE) -> pd.DataFrame:
    """Score the sentiment of comments, offline.

    Parameters
    ----------
    texts : pandas.Series or sequence of str
        Comments (redacted or not: placeholders such as ``[email]`` carry no sentiment).
    method : {"auto", "vader", "own_scores"}, default "auto"
        ``"vader"``: lexicon scorer, no labels needed. ``"own_scores"``: classifier trained on
        this organisation's comments with their own scores as labels (needs ``labels``).
        ``"auto"`` (the default) uses ``"own_scores"`` when ``labels`` give at least
        :data:`MIN_PER_CLASS` (50) negative and 50 positive comments, else ``"vader"``. Why:
        on the two real labelled sets measured (bench/results/sentiment.md) the own-scores
        model was far more accurate (3-class accuracy 0.80 vs 0.49 on airline tweets, 0.93 vs
        0.82 on Alexa reviews; macro-F1 0.75 vs 0.46 and 0.74 vs 0.48), because it learns the
        domain's words; VADER remains the label-free fallback.
    labels : array-like, optional
        The organisation's own score per comment (same length/index as ``texts``; NaN where a
        comment has no score), interpreted by ``scale``.
    scale : {"nps", "stars", "class"}, default "nps"
        How ``labels`` map to classes (see :func:`classes_from_scores`).
    thresholds : (low, high), default (−0.05, 0.05)
        Neutral band for VADER labels (the VADER authors' convention).
    cv : int, default 5
        Folds for out-of-fold scoring of labelled comments with ``"own_scores"``.
    seed : int, default 0
        Fold assignment; same seed → same scores.
    train_sample : int or None, default :data:`OWN_SCORES_TRAIN_SAMPLE` (25,000)
        ``"own_scores"`` with more labelled comments than this: the classifier is cross-fitted on a
        random sample of this many labelled comments (scored out of fold), and the model fitted on the
        whole sample scores every other comment (labelled or not; none of them was used to fit it).
        ``None``: every labelled comment is cross-fitted. ``attrs["train_sample"]`` of the result says
        how many comments trained the model, of how many labelled.

    Returns
    -------
    pandas.DataFrame
        Index of ``texts``; columns ``score`` (−1…1; NaN for blank texts), ``label``
        (negative / neutral / positive; None for blank texts) and ``method`` (which scorer
        produced the row). For ``"own_scores"`` the score is P(positive) − P(negative) and the
        label the most probable class; labelled comments are scored out of fold.
    """
    s = _as_text_series(texts)
    check_choice("method", method, ("auto", "vader", "own_scores"))
    y = None
    if labels is not None:
        lab = labels if isinstance(labels, pd.Series) else pd.Series(np.asarray(labels, dtype=object))
        if len(lab) != len(s):
            raise ValueError(f"labels has {len(lab)} values for {len(s)} texts")
        y = classes_from_scores(lab.reset_index(drop=True), scale=scale)
        y.index = s.index
    if method == "auto":
        counts = y.value_counts() if y is not None else pd.Series(dtype=int)
        enough = counts.get("negative", 0) >= MIN_PER_CLASS and counts.get("positive", 0) >= MIN_PER_CLASS
        method = "own_scores" if enough else "vader"
    if method == "vader":
        sc = vader_compound(s)
        return pd.DataFrame({"score": sc, "label": label_scores(sc, thresholds), "method": "vader"},
                            index=s.index)
    if y is None:
        raise ValueError("method='own_scores' needs labels: the organisation's own score per comment")
    return _own_scores_oof(s, y, cv=cv, seed=seed, train_sample=train_sample)


def _own_scores_oof(s: pd.Series, y: pd.Series, *, cv: int, seed: int, train_sample: int | None = None) -> pd.DataFrame:
    from sklearn.model_selection import StratifiedKFold

    blank = ~s.str.strip().str.len().fillna(0).gt(0)
    lab = y.notna() & ~blank
    counts = y[lab].value_counts()
    if counts.get("negative", 0) < 2 or counts.get("positive", 0) < 2:
        raise ValueError("own_scores needs labelled negative and positive comments; "
                         f"got {counts.to_dict()}")
    # a class with fewer members than folds cannot be stratified: drop it from training
    keep_classes = counts[counts >= cv].index
    lab = lab & y.isin(keep_classes)
    n_labelled = int(lab.sum())
    if train_sample is not None and n_labelled > train_sample:
        pos = np.flatnonzero(lab.to_numpy())
        pick = np.zeros(len(lab), bool)
        pick[np.sort(np.random.default_rng(seed).choice(pos, train_sample, replace=False))] = True
        lab = pd.Series(pick, index=lab.index)
    out = pd.DataFrame({"score": np.nan, "label": None, "method": "own_scores"}, index=s.index)
    out["label"] = out["label"].astype(object)
    Xl, yl = s[lab].reset_index(drop=True), y[lab].astype(str).reset_index(drop=True)
    pos_l = np.flatnonzero(lab.to_numpy())
    skf = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    for tr, te in skf.split(Xl, yl):
        pipe = _make_pipeline(seed).fit(Xl.iloc[tr], yl.iloc[tr])
        fr = _proba_to_frame(pipe.predict_proba(Xl.iloc[te]), pipe.classes_, out.index[pos_l[te]])
        out.iloc[pos_l[te], 0] = fr["score"].to_numpy()
        out.iloc[pos_l[te], 1] = fr["label"].to_numpy()
    rest = ~lab & ~blank
    if rest.any():
        model = fit_own_scores(Xl, yl, seed=seed)
        fr = model.predict(s[rest])
        out.loc[rest, "score"] = fr["score"].to_numpy()
        out.loc[rest, "label"] = fr["label"].to_numpy()
    out.attrs["train_sample"] = {"trained_on": int(lab.sum()), "labelled": n_labelled}
    return out


# --- evaluation -----------------------------------------------------------------------------


def evaluate_sentiment(true, pred, *, scores=None) -> dict:
    """Accuracy, macro-F1 and confusion matrix of predicted against true sentiment labels.

    Parameters
    ----------
    true, pred : array-like of str
        negative / neutral / positive; rows where either is missing are left out.
    scores : array-like of float, optional
        If given, also the binary positive-vs-negative result on the rows whose true label
        is positive or negative: predicted positive when score > 0, negative when score < 0;
        a score of exactly 0 (no sentiment found) counts as an error.

    Returns
    -------
    dict
        ``n``, ``accuracy``, ``macro_f1``, ``confusion`` (DataFrame, rows = true, columns =
        predicted) and, with ``scores``, ``binary_n``, ``binary_accuracy``,
        ``binary_macro_f1`` and ``binary_undecided`` (share of score 0).
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    t = pd.Series(np.asarray(true, dtype=object))
    p = pd.Series(np.asarray(pred, dtype=object))
    ok = t.notna() & p.notna()
    labels = [c for c in CLASSES if c in set(t[ok]) | set(p[ok])]
    res = {
        "n": int(ok.sum()),
        "accuracy": float(accuracy_score(t[ok], p[ok])),
        "macro_f1": float(f1_score(t[ok], p[ok], labels=labels, average="macro", zero_division=0)),
        "confusion": pd.DataFrame(confusion_matrix(t[ok], p[ok], labels=labels),
                                  index=pd.Index(labels, name="true"),
                                  columns=pd.Index(labels, name="predicted")),
    }
    if scores is not None:
        sc = pd.Series(np.asarray(scores, dtype=float))
        b = t.isin(["negative", "positive"]) & sc.notna()
        pb = np.where(sc[b] > 0, "positive", np.where(sc[b] < 0, "negative", "undecided"))
        tb = t[b].to_numpy()
        res["binary_n"] = int(b.sum())
        res["binary_accuracy"] = float(np.mean(pb == tb))
        res["binary_macro_f1"] = float(f1_score(tb, pb, labels=["negative", "positive"],
                                                average="macro", zero_division=0))
        res["binary_undecided"] = float(np.mean(pb == "undecided"))
    return res


def _as_text_series(texts) -> pd.Series:
    if isinstance(texts, str):
        texts = [texts]
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    return s.where(s.map(lambda v: isinstance(v, str)), None).astype(object)
