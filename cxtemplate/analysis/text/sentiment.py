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
    own label; the folds are *grouped* (:func:`grouped_folds`): comments with identical texts
    after :func:`normalise_text` (lower case, punctuation stripped, whitespace collapsed) always
    share a fold, so a repeated "love it" is never scored by a model trained on its twin.
    Unlabelled comments are scored by the model fitted on all labelled ones.
    Score = P(positive) − P(negative), in −1…1; label = the most probable class.

Measured on two real labelled sets (``bench/results/sentiment.md``; grouped 5-fold
cross-validation for ``own_scores``), beside the *majority rate*, the accuracy of always
answering the commonest class:

* 14,640 airline tweets (human 3-class labels; 3 % share a normalised text with another):
  majority rate 0.627 ("negative"); VADER 0.490 accuracy / 0.457 macro-F1, below the majority
  rate; own scores 0.801 / 0.748, 17 points above it.
* 3,070 Alexa reviews (stars; 49 % share a normalised text with another): majority rate 0.877
  ("positive"); VADER 0.823 / 0.481, below the majority rate; own scores 0.900 / 0.598, only
  2.2 points above it (ungrouped folds had claimed 0.929 / 0.738: duplicates leaked across
  folds).

The own-scores model is therefore used whenever enough labelled comments exist
(``method="auto"``, the default); VADER is the fallback for comments that have no score (chat
transcripts, social posts) or organisations with too few labelled comments. The result's
``attrs["accuracy"]`` carries the organisation's own grouped out-of-fold accuracy, macro-F1 and
majority rate, and :func:`accuracy_sentence` states them in one sentence for a page, so a high
accuracy on mostly positive comments is never shown without the rate a constant answer reaches.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxtemplate.errors import check_choice
from cxtemplate.report.display import fmt_pct
from cxtemplate.report.grammar import plural, sentence

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
        on the two real labelled sets measured (bench/results/sentiment.md, grouped
        cross-validation) VADER was below the rate of always answering the commonest class
        (0.49 against 0.63 on airline tweets, 0.82 against 0.88 on Alexa reviews) while the
        own-scores model was above it (0.80 and 0.90), because it learns the domain's words.
        On Alexa reviews, dominated by positive ones, its margin over that rate is small; the
        result's ``attrs["accuracy"]`` says how large it is for the organisation's own comments.
    labels : array-like, optional
        The organisation's own score per comment (same length/index as ``texts``; NaN where a
        comment has no score), interpreted by ``scale``.
    scale : {"nps", "stars", "class"}, default "nps"
        How ``labels`` map to classes (see :func:`classes_from_scores`).
    thresholds : (low, high), default (−0.05, 0.05)
        Neutral band for VADER labels (the VADER authors' convention).
    cv : int, default 5
        Folds for out-of-fold scoring of labelled comments with ``"own_scores"``. Folds are
        grouped: comments whose texts are identical after :func:`normalise_text` are always in
        the same fold (:func:`grouped_folds`), so no comment is scored by a model that was
        trained on the same words with their label.
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

        ``attrs["train_sample"]`` (``"own_scores"``): ``{"trained_on": n, "labelled": n}``.
        ``attrs["accuracy"]`` (whenever ``labels`` give at least one labelled comment): how
        well the labels agree with the comments' own classes, with what a page needs to state
        it honestly (see :func:`accuracy_sentence`): ``method``; ``n`` (labelled comments
        evaluated: out of fold for ``"own_scores"``); ``accuracy`` and ``macro_f1``;
        ``majority_class`` and ``majority_rate`` (share of the commonest class among those
        ``n``: the accuracy of always answering it); ``distinct_texts`` and ``duplicates``
        (comments whose normalised text another of the ``n`` shares; grouped into one fold);
        ``folds`` and ``grouped`` (None / False for VADER, which needs no folds); ``labelled``
        (all labelled comments); ``scale``; ``trained_on`` (a plain description of the model
        and what it was trained on).
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
        out = pd.DataFrame({"score": sc, "label": label_scores(sc, thresholds), "method": "vader"},
                           index=s.index)
        if y is not None:
            ok = y.notna() & out["label"].notna()
            if ok.any():
                out.attrs["accuracy"] = _accuracy_info(
                    "vader", s[ok], y[ok], out.loc[ok, "label"], labelled=int(ok.sum()), scale=scale,
                    folds=None, trained_on="VADER, a general-purpose sentiment lexicon (word list) not "
                                           "trained on this organisation's comments")
        return out
    if y is None:
        raise ValueError("method='own_scores' needs labels: the organisation's own score per comment")
    return _own_scores_oof(s, y, cv=cv, seed=seed, train_sample=train_sample, scale=scale)


def normalise_text(texts) -> pd.Series:
    """Texts reduced to what makes two comments "the same": lower case, no punctuation, single spaces.

    Unicode is NFKC-normalised and case-folded; apostrophes are dropped ("don't" → "dont");
    every other run of punctuation, symbols (emoji included) or whitespace becomes one space,
    and the ends are trimmed. Missing texts become "". Used to keep identical comments in one
    cross-validation fold (:func:`grouped_folds`).

    Parameters
    ----------
    texts : pandas.Series or sequence of str

    Returns
    -------
    pandas.Series of str
        Same index as ``texts``.

    Examples
    --------
    >>> list(normalise_text(["Love it!!", "  love   IT ", "Don't like it.", None]))
    ['love it', 'love it', 'dont like it', '']
    """
    s = _as_text_series(texts).fillna("")
    uniq = pd.unique(s)
    table = {t: _normalise_one(t) for t in uniq}
    return s.map(table).astype(object)


_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NOT_WORD = re.compile(r"[\W_]+")


def _normalise_one(text: str) -> str:
    t = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(_NOT_WORD.sub(" ", t).split())


def text_groups(texts) -> np.ndarray:
    """One integer group per distinct normalised text (:func:`normalise_text`), in order of first appearance.

    Parameters
    ----------
    texts : pandas.Series or sequence of str

    Returns
    -------
    numpy.ndarray of int
        ``groups[i] == groups[j]`` exactly when texts ``i`` and ``j`` normalise alike.
    """
    return pd.factorize(normalise_text(texts))[0]


def grouped_folds(texts, classes, *, cv: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds that keep identical normalised texts together, stratified by class.

    Survey and review exports repeat short comments ("love it", "great service"); with plain
    k-fold a repeated comment is usually scored by a model trained on its twin and its label,
    which flatters cross-validated accuracy. Here every group of :func:`text_groups` falls in
    exactly one test fold (:class:`sklearn.model_selection.StratifiedGroupKFold`, shuffled
    with ``seed``), with class shares kept as even across folds as the groups allow.

    Parameters
    ----------
    texts : pandas.Series or sequence of str
    classes : array-like of str
        Class per text (no missing values), same length as ``texts``.
    cv : int, default 5
        Number of folds; needs at least ``cv`` distinct normalised texts.
    seed : int, default 0

    Returns
    -------
    list of (train positions, test positions)
        Positional indices (0…n−1) into ``texts``; the test positions of the folds partition them.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    s = _as_text_series(texts)
    y = np.asarray(classes, dtype=object).astype(str)
    if len(y) != len(s):
        raise ValueError(f"classes has {len(y)} values for {len(s)} texts")
    groups = text_groups(s)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    if n_groups < cv:
        raise ValueError(f"grouped {cv}-fold cross-validation needs at least {cv} distinct texts; "
                         f"got {n_groups}")
    sgkf = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed)
    return list(sgkf.split(np.zeros(len(y)), y, groups))


_SCALE_WORDS = {  # how a scale's classes were made, per class, for the plain description
    "nps": ("their own NPS", {"positive": "9–10 positive", "negative": "0–6 negative", "neutral": "7–8 neutral"}),
    "stars": ("their own star rating", {"positive": "4–5 stars positive", "negative": "1–2 negative",
                                        "neutral": "3 neutral"}),
    "class": ("their own sentiment labels", {"positive": "positive", "negative": "negative",
                                             "neutral": "neutral"}),
}


def _training_description(n: int, scale: str, classes: Sequence[str], dropped: Sequence[str] = ()) -> str:
    source, words = _SCALE_WORDS[scale]
    used = [words[c] for c in ("positive", "negative", "neutral") if c in classes]
    text = f"TF-IDF word 1–2-grams + class-balanced logistic regression trained on {plural(n, 'comment')} "
    if scale == "class":
        text += f"with their own sentiment labels ({' / '.join(used)})"
    else:
        text += f"labelled by {source}: {', '.join(used)}"
    if dropped:
        text += f" ({' and '.join(dropped)} left out: fewer labelled comments than folds)"
    return text


def _accuracy_info(method: str, s: pd.Series, truth: pd.Series, pred: pd.Series, *, labelled: int,
                   scale: str, folds: int | None, trained_on: str) -> dict:
    ev = evaluate_sentiment(truth, pred)
    counts = truth.value_counts()
    top = sorted(counts.index, key=lambda c: (-counts[c], c))[0]
    groups = text_groups(s)
    sizes = np.bincount(groups)
    return {"method": method, "n": ev["n"], "accuracy": ev["accuracy"], "macro_f1": ev["macro_f1"],
            "majority_class": str(top), "majority_rate": float(counts[top] / counts.sum()),
            "distinct_texts": int(len(sizes)), "duplicates": int((sizes[groups] > 1).sum()),
            "folds": folds, "grouped": folds is not None, "labelled": int(labelled), "scale": scale,
            "trained_on": trained_on}


def _own_scores_oof(s: pd.Series, y: pd.Series, *, cv: int, seed: int, train_sample: int | None = None,
                    scale: str = "nps") -> pd.DataFrame:
    blank = ~s.str.strip().str.len().fillna(0).gt(0)
    lab = y.notna() & ~blank
    counts = y[lab].value_counts()
    if counts.get("negative", 0) < 2 or counts.get("positive", 0) < 2:
        raise ValueError("own_scores needs labelled negative and positive comments; "
                         f"got {counts.to_dict()}")
    # a class with fewer members than folds cannot be stratified: drop it from training
    keep_classes = counts[counts >= cv].index
    if len(keep_classes) < 2:
        raise ValueError(f"own_scores needs at least {cv} labelled comments in two classes; got {counts.to_dict()}")
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
    for tr, te in grouped_folds(Xl, yl, cv=cv, seed=seed):
        if yl.iloc[tr].nunique() < 2:
            raise ValueError("own_scores: a training fold holds one class only; too few distinct "
                             "texts per class for grouped cross-validation")
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
    oof = out["label"].iloc[pos_l].reset_index(drop=True)
    out.attrs["accuracy"] = _accuracy_info(
        "own_scores", Xl, yl, oof, labelled=n_labelled, scale=scale, folds=cv,
        trained_on=_training_description(len(yl), scale, sorted(set(yl)),
                                         [c for c in CLASSES if c in counts.index and c not in keep_classes]))
    return out


_SCALE_SOURCE = {"nps": ("scored comment", "the comments' own NPS"),
                 "stars": ("rated comment", "the comments' own star ratings"),
                 "class": ("labelled comment", "the comments' own sentiment labels")}


def accuracy_sentence(result: pd.DataFrame) -> str:
    """One plain sentence for a page: how often the labels are right, beside always answering the commonest class.

    Reads ``result.attrs["accuracy"]`` from :func:`score_sentiment`. The comparison matters:
    where most comments are positive, a scorer can be "90% accurate" while barely beating a
    rule that calls every comment positive.

    Parameters
    ----------
    result : pandas.DataFrame
        A result of :func:`score_sentiment`.

    Returns
    -------
    str
        E.g. "On this organisation's 2,310 scored comments the classifier labels 81% correctly
        (grouped cross-validation), against 58% for always answering 'negative'; it is a TF-IDF
        + logistic-regression model trained on the comments' own NPS." Without labelled comments
        to check against, a sentence saying the accuracy is not known.
    """
    info = result.attrs.get("accuracy")
    method = str(result["method"].iloc[0]) if len(result) and "method" in result else ""
    if not info:
        if method == "vader":
            return sentence("sentiment comes from VADER, a general-purpose word list not trained on this "
                            "organisation's comments; with no scored comments to check it against, its accuracy "
                            "here is not known")
        return sentence("the accuracy of the sentiment labels was not measured")
    thing, source = _SCALE_SOURCE.get(info["scale"], _SCALE_SOURCE["class"])
    own = info["method"] == "own_scores"
    if own and info["n"] < info["labelled"]:
        where = f"a random sample of {info['n']:,} of this organisation's {plural(info['labelled'], thing)}"
    else:
        where = f"this organisation's {plural(info['n'], thing)}"
    acc, maj = fmt_pct(info["accuracy"], 0, share=True), fmt_pct(info["majority_rate"], 0, share=True)
    who = "the classifier" if own else "the VADER word list"
    how = " (grouped cross-validation)" if info["grouped"] else ""
    base = f"always answering '{info['majority_class']}'"
    if acc != maj and info["accuracy"] > info["majority_rate"]:
        compare = f"against {maj} for {base}"
    elif acc == maj:
        compare = f"no better than the {maj} that {base} would get right"
    else:
        compare = f"below the {maj} that {base} would get right"
    what = (f"it is a TF-IDF + logistic-regression model trained on {source}" if own
            else "it is a general-purpose word list, not trained on this organisation's comments")
    return sentence(f"on {where} {who} labels {acc} correctly{how}, {compare}; {what}")


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
