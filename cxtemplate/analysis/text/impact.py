"""What comment topics are worth: NPS impact with intervals, and agreement with human labels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cxtemplate.errors import check_choice
from cxtemplate.measure.inference import adjust_bh
from cxtemplate.measure.spec import z_value
from cxtemplate.vocabulary import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN


def topic_impact(membership: pd.DataFrame, scores, kind: str = "nps", *,
                 confidence: float = 0.95) -> pd.DataFrame:
    """Each topic's impact: NPS (or mean score) of comments mentioning it minus the rest.

    Parameters
    ----------
    membership : pandas.DataFrame of bool
        From :func:`assign_topics`: commented responses × topics.
    scores : pandas.Series
        Score per response, aligned with ``membership`` by index (0–10 for NPS). Responses
        without a score are left out.
    kind : {"nps", "mean"}, default "nps"
        ``"nps"``: impact = NPS(mentioning) − NPS(commented, not mentioning), in NPS points
        (−200…200), with an adjusted-Wald interval (Rocks 2016: ¾ added to promoters and to
        detractors and 3 to n in each group) from the trinomial variance
        ``(p_pro + p_det − (p_pro − p_det)²) / n`` of each group; z-test p-value on the
        adjusted difference. ``"mean"``: impact = difference in mean score, Welch interval.
        Either way the mean-score difference is reported too.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per topic, sorted from most harmful: ``topic``, ``n_with``, ``n_without``,
        ``share``, ``nps_with``, ``nps_without`` (NPS only), ``impact``, ``ci_low``, ``ci_high``,
        ``p_value``, ``p_adj`` (Benjamini–Hochberg across topics), ``mean_with``,
        ``mean_without``, ``mean_diff``, ``mean_diff_low``, ``mean_diff_high``.
    """
    from scipy import stats

    check_choice("kind", kind, ("nps", "mean"))
    sc = pd.Series(scores).reindex(membership.index).astype(float)
    ok = sc.notna().to_numpy()
    M = membership.to_numpy(dtype=bool)[ok]
    x = sc.to_numpy()[ok]
    if kind == "nps" and ((x < 0) | (x > 10)).any():
        raise ValueError("kind='nps' needs scores on 0–10")
    z = z_value(confidence)
    pro = (x >= NPS_PROMOTER_MIN).astype(float)
    det = (x <= NPS_DETRACTOR_MAX).astype(float)
    rows = []
    for j, topic in enumerate(membership.columns):
        a, b = M[:, j], ~M[:, j]
        na, nb = int(a.sum()), int(b.sum())
        r = {"topic": topic, "n_with": na, "n_without": nb, "share": na / max(len(x), 1)}
        ma = x[a].mean() if na else np.nan
        mb = x[b].mean() if nb else np.nan
        va = x[a].var(ddof=1) / na if na > 1 else np.nan
        vb = x[b].var(ddof=1) / nb if nb > 1 else np.nan
        md, se_m = ma - mb, math.sqrt(va + vb) if na > 1 and nb > 1 else np.nan
        if na > 1 and nb > 1 and se_m > 0:
            dof = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1))
            tq = stats.t.ppf(0.5 + confidence / 2, dof)
            p_mean = 2 * stats.t.sf(abs(md) / se_m, dof)
        else:
            tq, p_mean = np.nan, np.nan
        r.update(mean_with=ma, mean_without=mb, mean_diff=md,
                 mean_diff_low=md - tq * se_m, mean_diff_high=md + tq * se_m)
        if kind == "nps":
            nps_a = 100 * (pro[a].mean() - det[a].mean()) if na else np.nan
            nps_b = 100 * (pro[b].mean() - det[b].mean()) if nb else np.nan
            # adjusted Wald per group
            pa_p, pa_d = (pro[a].sum() + .75) / (na + 3), (det[a].sum() + .75) / (na + 3)
            pb_p, pb_d = (pro[b].sum() + .75) / (nb + 3), (det[b].sum() + .75) / (nb + 3)
            var_a = (pa_p + pa_d - (pa_p - pa_d) ** 2) / (na + 3)
            var_b = (pb_p + pb_d - (pb_p - pb_d) ** 2) / (nb + 3)
            d_adj = 100 * ((pa_p - pa_d) - (pb_p - pb_d))
            se = 100 * math.sqrt(var_a + var_b)
            r.update(nps_with=nps_a, nps_without=nps_b, impact=nps_a - nps_b,
                     ci_low=d_adj - z * se, ci_high=d_adj + z * se,
                     p_value=float(2 * stats.norm.sf(abs(d_adj) / se)) if na and nb else np.nan)
        else:
            r.update(impact=md, ci_low=r["mean_diff_low"], ci_high=r["mean_diff_high"],
                     p_value=p_mean)
        rows.append(r)
    out = pd.DataFrame(rows)
    out["p_adj"] = adjust_bh(out["p_value"].to_numpy())
    cols = ["topic", "n_with", "n_without", "share"]
    cols += ["nps_with", "nps_without"] if kind == "nps" else []
    cols += ["impact", "ci_low", "ci_high", "p_value", "p_adj", "mean_with", "mean_without",
             "mean_diff", "mean_diff_low", "mean_diff_high"]
    out = out[cols].sort_values("impact", kind="stable").reset_index(drop=True)
    out.attrs.update(kind=kind, confidence=confidence, n=int(len(x)))
    return out


def topic_alignment(topics, labels) -> dict:
    """Agreement between each document's main topic and a human label.

    Parameters
    ----------
    topics : array-like
        One topic per document (e.g. the argmax of :func:`topic_weights`).
    labels : array-like
        The human label per document; missing labels are left out.

    Returns
    -------
    dict
        ``n``, ``ami`` (adjusted mutual information, 0 = chance, 1 = identical), ``nmi``,
        ``purity`` (share of documents whose label is the most common label of their topic)
        and ``baseline_purity`` (share of the most common label overall).
    """
    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

    t = pd.Series(np.asarray(topics, dtype=object))
    y = pd.Series(np.asarray(labels, dtype=object))
    ok = t.notna() & y.notna()
    t, y = t[ok].astype(str), y[ok].astype(str)
    ct = pd.crosstab(t, y)
    return {"n": int(ok.sum()),
            "ami": float(adjusted_mutual_info_score(y, t)),
            "nmi": float(normalized_mutual_info_score(y, t)),
            "purity": float(ct.max(axis=1).sum() / ct.to_numpy().sum()),
            "baseline_purity": float(y.value_counts(normalize=True).iloc[0])}
