"""The simulated comment corpus shared by the text tests: six planted topics with distinctive vocabularies and
known NPS effects, generic filler words with Zipf-like frequencies, and the population impact of each topic."""

from __future__ import annotations

import numpy as np
import pandas as pd

PLANTED = {
    "waiting": (["queue", "waited", "hold", "minutes", "wait", "forever", "hour"], -6.0),
    "billing": (["bill", "charged", "invoice", "overcharged", "refund", "payment", "fee"], -4.0),
    "staff": (["friendly", "helpful", "staff", "polite", "kind", "cheerful", "smile"], 3.0),
    "app": (["app", "login", "crashed", "password", "update", "screen", "website"], -2.0),
    "delivery": (["parcel", "delivery", "courier", "arrived", "package", "damaged", "doorstep"], -3.0),
    "price": (["price", "cheap", "value", "discount", "offer", "deal", "affordable"], 2.0),
}
# generic words with Zipf-like frequencies, as in real comments (mostly stop words)
FILLER = ["the", "was", "and", "i", "to", "it", "my", "a", "very", "of", "is", "this", "for",
          "service", "today", "again", "experience", "customer", "time", "overall", "company",
          "last", "week", "think", "would", "could", "much", "bit", "quite", "usual"]
FILLER_P = 1 / np.arange(1, len(FILLER) + 1)
FILLER_P = FILLER_P / FILLER_P.sum()


def simulate(n=3000, seed=7):
    """Comments with 0–2 planted topics each; LTR = 7.5 + sum of topic shifts + noise, 0–10."""
    rng = np.random.default_rng(seed)
    names = list(PLANTED)
    texts, scores, topics = [], [], []
    for _ in range(n):
        k = rng.choice([0, 1, 2], p=[0.1, 0.75, 0.15])
        chosen = list(rng.choice(names, size=k, replace=False))
        words = list(rng.choice(FILLER, size=rng.integers(3, 9), p=FILLER_P))
        for t in chosen:
            words += list(rng.choice(PLANTED[t][0], size=3, replace=False))
        rng.shuffle(words)
        texts.append(" ".join(words))
        ltr = 7.5 + sum(PLANTED[t][1] for t in chosen) + rng.normal(0, 1.5)
        scores.append(int(np.clip(np.rint(ltr), 0, 10)))
        topics.append(chosen)
    return pd.Series(texts), pd.Series(scores), topics



def true_impacts(seed=99, n=400_000):
    """Population NPS difference (mentioning − not) per planted topic, by Monte Carlo."""
    rng = np.random.default_rng(seed)
    names = list(PLANTED)
    k = rng.choice([0, 1, 2], p=[0.1, 0.75, 0.15], size=n)
    # k distinct topics per comment, uniformly: the k smallest of independent uniform keys (vectorised)
    ranks = rng.random((n, len(names))).argsort(axis=1).argsort(axis=1)
    member = ranks < k[:, None]
    eff = np.array([PLANTED[t][1] for t in names])
    ltr = np.clip(np.rint(7.5 + member @ eff + rng.normal(0, 1.5, n)), 0, 10)
    nps = lambda x: 100 * ((x >= 9).mean() - (x <= 6).mean())
    return {t: nps(ltr[member[:, j]]) - nps(ltr[~member[:, j]]) for j, t in enumerate(names)}

