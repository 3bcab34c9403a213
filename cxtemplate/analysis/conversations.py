"""Conversation analytics: what customers contact us about, how well it goes, and what it does to NPS.

* :func:`summary_by` — contacts, resolution rate (Wilson interval), median and 90th-percentile
  handle time, mean sentiment (t interval) and the share of negative-sentiment contacts, per channel
  (or any grouping), with an "All" row.
* :func:`intents_by_channel` — the mix of contact reasons within each channel (shares, %).
* :func:`join_to_survey` — links each identified survey response to the same customer's earlier
  conversations: was it preceded, within ``window_days``, by an **unresolved** contact? by a
  **negative-sentiment** contact? by any contact? — and compares the metric (NPS by default) of
  those responses with the other identified responses (difference, interval, test, BH-adjusted p).
  The match is one ``merge_asof`` per flag (sorted search by customer and time), never a loop.
* :func:`plot_intents_by_channel`, :func:`plot_resolution`.
* :func:`conversations_section` — what the experience page (notebook 04) shows of all this, with the
  artifacts ``conversations_by_channel`` and ``contact_effects``.

Conventions: sentiment is on −1…1 and a contact counts as negative when its sentiment is below
``negative_below`` (default −0.05, the usual cut of compound sentiment scores such as VADER's).
A contact whose ``resolved`` is unknown is not counted as unresolved. An organisation without
conversations gets empty tables whose ``attrs["note"]`` says so; nothing raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.measure.inference import adjust_bh, compare_means, compare_nps, compare_proportions
from cxtemplate.measure.metrics import t_interval, wilson_interval
from cxtemplate.measure.spec import MetricSpec, nps_spec
from cxtemplate.report.display import TableView, fmt_pct, labelled, signed
from cxtemplate.report.grammar import sentence
from cxtemplate.report.section import Section

__all__ = ["SurveyLink", "summary_by", "intents_by_channel", "join_to_survey", "plot_intents_by_channel",
           "plot_resolution", "NEGATIVE_BELOW", "channel_view", "contacts_sentence", "conversations_method",
           "conversations_section", "intents_alt", "resolution_alt"]

NEGATIVE_BELOW = -0.05
SUMMARY_COLUMNS = ["contacts", "share", "resolved", "resolution_rate", "resolution_ci_low", "resolution_ci_high",
                   "handle_median_s", "handle_p90_s", "sentiment_mean", "sentiment_ci_low", "sentiment_ci_high",
                   "negative_share", "negative_ci_low", "negative_ci_high"]
NO_CONVERSATIONS = "No conversation data were supplied, so there is no conversation analysis."


def _empty(columns: Sequence[str], note: str) -> pd.DataFrame:
    out = pd.DataFrame(columns=list(columns))
    out.attrs["note"] = note
    return out


def _usable(interactions: pd.DataFrame | None, need: Sequence[str]) -> str:
    """Empty string when the table can be analysed, else the reason in one sentence."""
    if interactions is None or len(interactions) == 0:
        return NO_CONVERSATIONS
    missing = [c for c in need if c not in interactions.columns]
    if missing:
        return f"The conversations table has no column(s) {', '.join(missing)}, so this part is skipped."
    return ""


def summary_by(interactions: pd.DataFrame | None, by: str | Sequence[str] = ("channel",), *, conf: float = 0.95,
               negative_below: float = NEGATIVE_BELOW, total: bool = True) -> pd.DataFrame:
    """Volume, resolution, handle time and sentiment of conversations per group.

    Parameters
    ----------
    interactions : DataFrame or None
        Canonical conversations (``resolved``, ``handle_seconds``, ``sentiment`` and the ``by``
        columns; a missing measure column leaves its columns empty).
    by : str or sequence of str
        Grouping, e.g. ``"channel"`` or ``("channel", "intent")``; a missing key is shown as
        ``"(missing)"``.
    conf : float
        Confidence level of the intervals.
    negative_below : float
        A contact is negative when its sentiment is below this (−1…1 scale).
    total : bool
        Add an ``"All"`` row (all contacts) at the end.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``contacts``, ``share`` (% of all contacts), ``resolved`` (count),
        ``resolution_rate`` (% of contacts with a known outcome) with its Wilson interval,
        ``handle_median_s`` and ``handle_p90_s`` (seconds), ``sentiment_mean`` with its t interval,
        ``negative_share`` (%) with its Wilson interval; sorted by contacts (largest first).
        ``attrs["note"]`` explains an empty result.
    """
    by = [by] if isinstance(by, str) else list(by)
    reason = _usable(interactions, by)
    if reason:
        return _empty(by + SUMMARY_COLUMNS, reason)
    d = pd.DataFrame({c: interactions[c].astype(object).where(interactions[c].notna(), "(missing)") for c in by})
    res = interactions["resolved"] if "resolved" in interactions.columns else pd.Series(pd.NA, index=d.index)
    res = res.astype("boolean")
    d["known"] = res.notna().to_numpy()
    d["res"] = res.fillna(False).to_numpy(dtype=bool)
    nan = pd.Series(np.nan, index=interactions.index)
    d["handle"] = pd.to_numeric(interactions.get("handle_seconds", nan), errors="coerce")
    s = pd.to_numeric(interactions.get("sentiment", nan), errors="coerce")
    d["sent"], d["sent_known"] = s, s.notna()
    d["neg"] = (s < negative_below).to_numpy()
    parts = [d.assign(**{c: "All" for c in by})] if total else []
    d = pd.concat([d] + parts, ignore_index=True) if total else d
    g = d.groupby(by, sort=False, observed=True)
    out = g.agg(contacts=("res", "size"), known=("known", "sum"), resolved=("res", "sum"),
                sent_n=("sent_known", "sum"), sentiment_mean=("sent", "mean"), sentiment_sd=("sent", "std"),
                negative=("neg", "sum"), handle_median_s=("handle", "median"))
    out["handle_p90_s"] = g["handle"].quantile(0.9)
    out = out.reset_index()
    n_all = len(interactions)
    out["share"] = 100 * out["contacts"] / n_all
    with np.errstate(divide="ignore", invalid="ignore"):
        out["resolution_rate"] = 100 * out["resolved"] / out["known"]
        lo, hi = wilson_interval(out["resolved"], out["known"], conf)
        out["resolution_ci_low"], out["resolution_ci_high"] = 100 * lo, 100 * hi
        lo, hi = t_interval(out["sentiment_mean"], out["sentiment_sd"], out["sent_n"], conf)
        out["sentiment_ci_low"], out["sentiment_ci_high"] = lo, hi
        out["negative_share"] = 100 * out["negative"] / out["sent_n"]
        lo, hi = wilson_interval(out["negative"], out["sent_n"], conf)
        out["negative_ci_low"], out["negative_ci_high"] = 100 * lo, 100 * hi
    is_all = (out[by[0]] == "All").to_numpy() if total else np.zeros(len(out), bool)
    out = pd.concat([out[~is_all].sort_values("contacts", ascending=False, kind="stable"), out[is_all]])
    out = out[by + SUMMARY_COLUMNS].reset_index(drop=True)
    out["resolved"] = out["resolved"].astype(np.int64)
    out.attrs["note"] = ""
    return out


def intents_by_channel(interactions: pd.DataFrame | None, channel_col: str = "channel",
                       intent_col: str = "intent") -> pd.DataFrame:
    """Share of each contact reason within each channel.

    Parameters
    ----------
    interactions : DataFrame or None
        Canonical conversations.
    channel_col, intent_col : str
        Columns of the channel and of the contact reason.

    Returns
    -------
    DataFrame
        One row per channel (largest first): ``n`` (contacts) then one column per intent with its
        share of the channel's contacts in % (rows sum to 100); index named after ``channel_col``.
        ``attrs["note"]`` explains an empty result.
    """
    reason = _usable(interactions, [channel_col, intent_col])
    if reason:
        return _empty(["n"], reason)
    ct = pd.crosstab(interactions[channel_col].fillna("(missing)"), interactions[intent_col].fillna("(missing)"))
    order = ct.sum(axis=0).sort_values(ascending=False).index
    ct = ct[order]
    n = ct.sum(axis=1)
    out = (100 * ct.div(n, axis=0)).loc[n.sort_values(ascending=False).index]
    out.insert(0, "n", n.loc[out.index].astype(np.int64))
    out.columns.name = None
    out.attrs["note"] = ""
    return out


# --------------------------------------------------------------------------- survey link
@dataclass
class SurveyLink:
    """Survey responses linked to the same customer's earlier conversations (see :func:`join_to_survey`).

    Attributes
    ----------
    flags : DataFrame
        One row per identified response with a score: ``response_id``, ``customer_id``,
        ``responded_at``, the score, ``unresolved_before``, ``negative_before``,
        ``contact_before`` (bool) and ``days_since_unresolved`` (NaN when not flagged).
    comparison : DataFrame
        One row per flag: ``flag``, ``label``, ``n_flagged``, ``n_other``, ``value_flagged``,
        ``value_other``, ``diff`` (flagged − other), ``ci_low``, ``ci_high``, ``p``, ``p_adj``
        (BH across the flags), ``significant``, ``sentence``.
    note : str
        What was compared and any caveat; the reason when nothing could be compared.
    settings : dict
        ``metric``, ``window_days``, ``negative_below``, ``conf``.
    """

    flags: pd.DataFrame
    comparison: pd.DataFrame
    note: str
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready record (the comparison and the note; the flags are a table of their own)."""
        c = self.comparison
        return {"note": self.note, "settings": dict(self.settings),
                "comparison": c.astype(object).where(c.notna(), None).to_dict(orient="records")}


_FLAGS = (("unresolved_before", "an unresolved contact"), ("negative_before", "a negative-sentiment contact"),
          ("contact_before", "any contact"))
_COMPARISON_COLUMNS = ["flag", "label", "n_flagged", "n_other", "value_flagged", "value_other", "diff", "ci_low",
                       "ci_high", "p", "p_adj", "significant", "sentence"]


def _naive(values) -> np.ndarray:
    """Timestamps as naive datetime64[ns] (tz-aware ones in their own wall-clock time)."""
    s = pd.to_datetime(pd.Series(values))
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    return s.to_numpy(dtype="datetime64[ns]")


def _asof(left: pd.DataFrame, right: pd.DataFrame, window_days: float, by: str = "customer_id") -> pd.Series:
    """Time of the customer's latest contact in ``right`` strictly before each left row, within the window.

    ``left`` must be sorted by ``responded_at``; ``by`` is the customer key (``join_to_survey`` passes
    integer codes shared by both tables: matching on them is several times faster than on strings).
    """
    r = right[[by, "started_at"]].sort_values("started_at", kind="stable")
    m = pd.merge_asof(left[[by, "responded_at"]].reset_index(), r, left_on="responded_at",
                      right_on="started_at", by=by, direction="backward", allow_exact_matches=False,
                      tolerance=pd.Timedelta(days=window_days))
    return m.set_index("index")["started_at"].reindex(left.index)


def _compare(spec: MetricSpec, a: pd.Series, b: pd.Series, conf: float) -> pd.Series:
    if spec.kind == "nps":
        return compare_nps(a, b, conf=conf)
    if spec.kind == "top_box":
        return compare_proportions(a >= spec.success_min, b >= spec.success_min, conf=conf)
    return compare_means(a, b, conf=conf)


def join_to_survey(responses: pd.DataFrame, interactions: pd.DataFrame | None, window_days: float = 60,
                   spec: MetricSpec | None = None, *, negative_below: float = NEGATIVE_BELOW, conf: float = 0.95,
                   alpha: float = 0.05) -> SurveyLink:
    """Flag responses that follow a bad contact of the same customer, and compare their scores.

    A response is flagged ``unresolved_before`` when the same customer had a conversation with
    ``resolved`` false that started before the response and at most ``window_days`` days before it
    (same rule as the synthetic generator); ``negative_before`` likewise for a conversation with
    sentiment below ``negative_below``; ``contact_before`` for any conversation. Only responses with
    a ``customer_id`` can be linked; anonymous ones are left out of both groups.

    Parameters
    ----------
    responses : DataFrame
        Canonical responses (``response_id``, ``customer_id``, ``responded_at`` and the score).
    interactions : DataFrame or None
        Canonical conversations (``customer_id``, ``started_at``, ``resolved``, ``sentiment``).
    window_days : float
        How far back a conversation counts.
    spec : MetricSpec, optional
        The metric compared; NPS by default (:func:`~cxtemplate.measure.inference.compare_nps`, adjusted
        Wald). Top-box metrics use Newcombe's interval, means Welch's.
    negative_below : float
        Sentiment cut for a negative contact.
    conf, alpha : float
        Confidence level; false-discovery rate for ``significant``.

    Returns
    -------
    SurveyLink
        Flags per response, the comparison per flag and a note. With no conversations or no
        identified responses the tables are empty and the note says why.
    """
    spec = spec or nps_spec()
    settings = dict(metric=spec.name, window_days=window_days, negative_below=negative_below, conf=conf)
    flag_cols = ["response_id", "customer_id", "responded_at", spec.column, "unresolved_before", "negative_before",
                 "contact_before", "days_since_unresolved"]
    empty = (pd.DataFrame(columns=flag_cols), pd.DataFrame(columns=_COMPARISON_COLUMNS))
    reason = _usable(interactions, ["customer_id", "started_at"])
    if reason:
        return SurveyLink(*empty, reason, settings)
    need = [c for c in ("customer_id", "responded_at", spec.column) if c not in responses.columns]
    if need:
        return SurveyLink(*empty, f"The responses table has no column(s) {', '.join(need)}.", settings)
    cols = [c for c in ("response_id", "customer_id", "responded_at", spec.column) if c in responses.columns]
    r = responses[cols][responses["customer_id"].notna() & responses[spec.column].notna()]
    if r.empty:
        return SurveyLink(*empty, "No survey response carries a customer_id, so surveys cannot be linked to "
                                  "conversations (all responses are anonymous).", settings)
    left = r.copy()
    left["customer_id"] = left["customer_id"].astype(str)
    left["responded_at"] = _naive(left["responded_at"])
    left = left[left["responded_at"].notna()].sort_values("responded_at", kind="stable")
    it_cols = [c for c in ("customer_id", "started_at", "resolved", "sentiment") if c in interactions.columns]
    it = interactions[it_cols][interactions["customer_id"].notna() & interactions["started_at"].notna()]
    right = pd.DataFrame({"customer_id": it["customer_id"].astype(str).to_numpy(), "started_at": _naive(it["started_at"])})
    # one integer code per customer, shared by both tables (matching on strings would hash them again each time)
    codes, _ = pd.factorize(np.concatenate([left["customer_id"].to_numpy(object), right["customer_id"].to_numpy(object)]))
    left["_cust"], right["_cust"] = codes[:len(left)], codes[len(left):]
    unresolved = ~it["resolved"].astype("boolean").fillna(True).to_numpy(bool) if "resolved" in it else \
        np.zeros(len(it), bool)
    negative = (pd.to_numeric(it["sentiment"], errors="coerce") < negative_below).to_numpy() \
        if "sentiment" in it else np.zeros(len(it), bool)
    last_bad = _asof(left, right[unresolved], window_days, by="_cust")
    left["unresolved_before"] = last_bad.notna().to_numpy()
    left["negative_before"] = _asof(left, right[negative], window_days, by="_cust").notna().to_numpy()
    left["contact_before"] = _asof(left, right, window_days, by="_cust").notna().to_numpy()
    left["days_since_unresolved"] = (left["responded_at"] - last_bad).dt.total_seconds() / 86400
    in_left = np.zeros(codes.max() + 1 if len(codes) else 0, bool)
    in_left[left["_cust"].to_numpy()] = True
    in_right = np.zeros_like(in_left)
    in_right[right["_cust"].to_numpy()] = True
    flags = left.sort_index().reset_index(drop=True)
    flag_cust = flags.pop("_cust").to_numpy()
    if not in_left[right["_cust"].to_numpy()].any():
        return SurveyLink(flags, empty[1], "No surveyed customer appears in the conversations table (check that "
                                           "both use the same customer_id).", settings)
    rows = []
    for col, label in _FLAGS:
        f = flags[col].to_numpy()
        a, b = flags.loc[f, spec.column].astype(float), flags.loc[~f, spec.column].astype(float)
        row = dict(flag=col, label=label, n_flagged=int(f.sum()), n_other=int((~f).sum()))
        if row["n_flagged"] >= 2 and row["n_other"] >= 2:
            c = _compare(spec, a, b, conf)
            row.update(value_flagged=c["value_a"], value_other=c["value_b"], diff=c["diff"], ci_low=c["ci_low"],
                       ci_high=c["ci_high"], p=c["p"])
        rows.append(row)
    comp = pd.DataFrame(rows).reindex(columns=_COMPARISON_COLUMNS)
    comp["p_adj"] = adjust_bh(comp["p"].to_numpy(float))
    comp["significant"] = (comp["p_adj"] < alpha).to_numpy()
    unit = {"nps": "points", "top_box": "percentage points", "mean": "points"}[spec.kind]
    pct = f"{conf * 100:g}% CI"
    sentences = []
    for _, x in comp.iterrows():
        when = f"within {window_days:g} days after {x['label']}"
        if not np.isfinite(x["diff"]):
            sentences.append(f"Too few linked responses {when} to compare (n = {x['n_flagged']}).")
            continue
        direction = "lower" if x["diff"] < 0 else "higher"
        lo, hi = sorted((abs(x["ci_low"]), abs(x["ci_high"])))
        straddles = x["ci_low"] < 0 < x["ci_high"]
        ci = (f"{pct} {x['ci_low']:+.0f} to {x['ci_high']:+.0f}" if straddles else f"{pct} {lo:.0f} to {hi:.0f}")
        ci = ci.replace("-", "−")
        verdict = "" if x["significant"] else " — not a clear difference"
        va, vo = (f"{v:.0f}".replace("-", "−") for v in (x["value_flagged"], x["value_other"]))
        sentences.append(f"Customers surveyed {when} gave {spec.name} {va} against {vo} for the other identified customers: {abs(x['diff']):.0f} {unit} "
                         f"{direction} ({ci}; n = {x['n_flagged']:,} vs {x['n_other']:,}){verdict}.")
    comp["sentence"] = sentences
    share = in_right[flag_cust].mean()
    note = (f"Identified responses ({len(flags):,}; anonymous ones cannot be linked) compared by whether the same "
            f"customer had a contact in the {window_days:g} days before answering. {100 * share:.0f}% of them "
            "belong to customers found in the conversations table. The difference is an association: customers "
            "with a failed contact may differ in other ways too.")
    return SurveyLink(flags, comp, note, settings)


# --------------------------------------------------------------------------- charts
def plot_intents_by_channel(shares: pd.DataFrame, ax=None, *, title: str = "Why customers contact us, by channel",
                            source: str | None = "conversations"):
    """Stacked bars: the mix of contact reasons in each channel (output of :func:`intents_by_channel`), drawn by
    :func:`cxtemplate.report.charts.stacked_shares`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from cxtemplate.report.charts import stacked_shares

    intents = [c for c in shares.columns if c != "n"]
    counts = shares[intents].mul(shares["n"], axis=0) / 100  # back to contacts: the chart states each bar's n
    return stacked_shares(counts, title=title, unit="% of the channel's contacts", source=source,
                          xlabel="% of contacts", ax=ax)


def plot_resolution(summary: pd.DataFrame, by: str | None = None, ax=None, *,
                    title: str = "Share of contacts resolved", source: str | None = "conversations"):
    """Resolution rate per group with its Wilson interval, the overall rate as a reference line.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`summary_by` (one grouping column).
    by : str, optional
        The grouping column; default the first column.
    ax, title, source : optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import ACCENT, NEUTRAL, finish

    if ax is None:
        _, ax = plt.subplots()
    by = by or summary.columns[0]
    is_all = summary[by] == "All"
    t = summary[~is_all].sort_values("resolution_rate")
    y = [f"{g} (n = {n:,})" for g, n in zip(t[by], t["contacts"])]
    ax.barh(y, t["resolution_rate"], color=ACCENT, alpha=0.85)
    ax.errorbar(t["resolution_rate"], y, xerr=[t["resolution_rate"] - t["resolution_ci_low"],
                                               t["resolution_ci_high"] - t["resolution_rate"]],
                fmt="none", ecolor="#333333", capsize=3)
    if is_all.any():
        ax.axvline(float(summary.loc[is_all, "resolution_rate"].iloc[0]), color=NEUTRAL, linestyle="--", linewidth=1)
    ax.set_xlim(0, 100)
    finish(ax, title, n=int(t["contacts"].sum()) if len(t) else None,
           unit="% of contacts resolved, 95% Wilson CI; dashed line: all contacts", source=source,
           xlabel="% resolved", ylabel="")
    return ax


# --------------------------------------------------------------------------- the experience page's section


def conversations_method(interactions: pd.DataFrame, *, with_survey: bool = False) -> str:
    """What the conversations section says of its method, naming only the measures the conversations carry
    (contact reason, resolution, handle time, sentiment) and, ``with_survey``, the link to later survey answers."""
    def has(column: str) -> bool:
        return column in interactions.columns and bool(interactions[column].notna().any())

    what = [w for w, column in (("what customers contact us about", "intent"),
                                ("how often the\ncontact resolves their issue", "resolved"),
                                ("how long it takes", "handle_seconds"), ("how it feels", "sentiment")) if has(column)]
    listed = " and ".join(what) if len(what) <= 2 else ", ".join(what[:-1]) + " and " + what[-1]
    text = f"Contacts with agents, chat, e-mail and bots{': ' + listed if what else ''}."
    if with_survey:
        text += """ Where the customer is known,
their later survey answers show what an unresolved contact costs."""
    return text


def contacts_sentence(total: pd.Series) -> str:
    """Contacts, share resolved with its interval and median handle time, from the "All" row of :func:`summary_by`
    (a measure the conversations do not carry is left out)."""
    text = f"**{int(total['contacts']):,} contacts**"
    if pd.notna(total["resolution_rate"]):
        text += (f"; {total['resolution_rate']:.0f}% resolved "
                 f"(95% CI {total['resolution_ci_low']:.0f}–{total['resolution_ci_high']:.0f}%)")
    if pd.notna(total["handle_median_s"]):
        text += f"{',' if pd.notna(total['resolution_rate']) else ';'} median handle time " \
                f"{total['handle_median_s'] / 60:.1f} minutes"
    return text + "."


def _pct(v: float) -> str:
    return f"{v:.0f}%"  # summary_by reports percentages


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def channel_view(by_channel: pd.DataFrame) -> TableView:
    """The channel summary of :func:`summary_by` as the page shows it (handle times in minutes)."""
    frame = labelled(by_channel, {
        "channel": "Channel", "contacts": "Contacts", "share": "Share", "resolution_rate": "Resolved",
        "resolution_ci_low": "Low", "resolution_ci_high": "High", "handle_median_s": "Median handle (min)",
        "handle_p90_s": "90th pct handle (min)", "sentiment_mean": "Mean sentiment", "negative_share": "Negative"})
    frame = frame[[c for c in frame.columns if frame[c].notna().any()]]  # a measure the conversations lack
    return TableView(frame, "Contacts by channel", max_rows=20,
                     formats={"Share": _pct, "Resolved": _pct, "Low": _pct, "High": _pct, "Negative": _pct,
                              "Mean sentiment": signed(2), "Median handle (min)": _minutes,
                              "90th pct handle (min)": _minutes},
                     note="Resolution interval: Wilson 95%. Sentiment runs from −1 (negative) to +1 (positive).")


def resolution_alt(by_channel: pd.DataFrame) -> str:
    """The resolution chart's alt text: the channels resolving the most and the fewest contacts."""
    t = by_channel[(by_channel["channel"] != "All") & by_channel["resolution_rate"].notna()]
    t = t.sort_values("resolution_rate")
    if t.empty:
        return "Share of contacts resolved: no channel records whether contacts were resolved."
    best, worst = t.iloc[-1], t.iloc[0]
    text = f"Share of contacts resolved: {best['channel']} resolves {fmt_pct(best['resolution_rate'])}"
    if len(t) > 1:
        text += f", {worst['channel']} {fmt_pct(worst['resolution_rate'])}"
    return sentence(text)


def intents_alt(intents: pd.DataFrame) -> str:
    """The intents chart's alt text: the commonest reason for contact in each of the largest channels."""
    reasons = [c for c in intents.columns if c != "n"]
    parts = [f"{channel}: {row[reasons].astype(float).idxmax()} ({fmt_pct(row[reasons].astype(float).max())})"
             for channel, row in intents.head(4).iterrows()]
    return sentence(f"Why customers contact us, by channel; the commonest reason per channel is {'; '.join(parts)}")


def conversations_section(interactions: pd.DataFrame | None, responses: pd.DataFrame | None = None, *,
                          spec: MetricSpec | None = None, conf: float = 0.95, window_days: float = 60) -> Section:
    """Contacts by channel, resolution and intents, and (with ``responses``) what a contact does to the metric.

    Parameters
    ----------
    interactions : DataFrame or None
        The canonical conversations.
    responses : DataFrame, optional
        Survey responses, to link to the same customers' earlier contacts (:func:`join_to_survey`).
    spec : MetricSpec, optional
        The metric compared (NPS by default).
    conf : float
    window_days : float
        How long after a contact a survey answer counts as following it.

    Returns
    -------
    Section
        Artifacts ``conversations_by_channel`` (:func:`summary_by`) and, when any comparison could be
        made, ``contact_effects`` (:attr:`SurveyLink.comparison`).
    """
    section = Section()
    if interactions is None or interactions.empty:
        section.absent("There are no conversation records", "contact analytics are skipped")
        return section
    section.method(conversations_method(interactions, with_survey=responses is not None))
    if "channel" not in interactions.columns:  # one channel: every contact
        interactions = interactions.assign(channel="All channels")
    by_channel = summary_by(interactions, by=("channel",), conf=conf)
    total = by_channel[by_channel["channel"] == "All"]
    if len(total):
        section.say(contacts_sentence(total.iloc[0]))
    section.table(channel_view(by_channel))
    if by_channel["resolution_rate"].notna().any():
        section.chart(plot_resolution, by_channel, alt=resolution_alt(by_channel))
    intents = intents_by_channel(interactions)
    if len(intents):
        section.chart(plot_intents_by_channel, intents, alt=intents_alt(intents))
    section.keep("conversations_by_channel", by_channel)
    if responses is not None:
        link = join_to_survey(responses, interactions, window_days=window_days, spec=spec)
        if link.comparison.empty:
            section.say(link.note)
        else:
            for sentence in link.comparison["sentence"]:
                section.say(sentence)
            section.keep("contact_effects", link.comparison)
    return section
