"""The data-quality section of notebook 00: tables and charts built from the integration summary.

Everything here reads the ``quality`` record produced by
:meth:`cxtemplate.data.integrate.Integration.quality` (or its saved artifact), so the same tables
can be rebuilt from a past run without re-reading the sources.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from cxtemplate.data.privacy import KIND_LABELS
from cxtemplate.report.absent import supplied_inputs
from cxtemplate.report.display import TableView, fmt_num, fmt_pct
from cxtemplate.report.grammar import join_list, plural, sentence, verb
from cxtemplate.report.labels import display_label
from cxtemplate.report.render import NO_CALENDAR_DATES, UNDATED
from cxtemplate.report.section import Section

TABLE_LABELS = {"customers": "Customers (CRM)", "responses": "Survey responses", "interactions": "Conversations",
                "operations": "Operational KPIs", "maturity_answers": "Maturity questionnaire"}

ROW_NOUNS = {"customers": ("customer (CRM)", "customers (CRM)"), "responses": ("survey response", "survey responses"),
             "interactions": ("conversation", "conversations"), "operations": ("operational KPI value",
                                                                               "operational KPI values"),
             "maturity_answers": ("maturity questionnaire answer", "maturity questionnaire answers")}
"""What one row of each table is, in a sentence (singular, plural): "364 maturity questionnaire answers"."""

INTRO = """Every analysis in this report rests on the tables built here. Each source named in the
parameters is read, its columns are mapped to the canonical names, and every row is checked:
scores inside their scale, dates that exist and are not in the future, identifiers that are
present and unique. Rows that fail a check are **quarantined with the reason**, never dropped
silently and never kept silently; personal data in free text is redacted before anything is stored."""
"""What notebook 00 does, in the page's "How this was measured" note."""


def _plain(text: str) -> str:
    """A check's problem in words: column names inside it lose their underscores ("end date before start date")."""
    return re.sub(r"\b([a-z]+(?:_[a-z]+)+)\b", lambda m: m.group(1).replace("_", " "), text)


def _column_label(column: str) -> str:
    """A column as a table cell names it (its display label); a whole-row check reads "Whole row"."""
    return "Whole row" if column == "row" else display_label(column)


def rows_table(quality: dict[str, Any]) -> pd.DataFrame:
    """Rows in, used and quarantined per table; checks that in = used + quarantined."""
    rows = []
    for table, r in quality["tables"].items():
        rows.append({"Table": TABLE_LABELS.get(table, table), "Source": r["source"], "Rows in": r["rows_in"],
                     "Rows used": r["rows_used"], "Quarantined": r["rows_quarantined"],
                     "Quarantined %": 100 * r["rows_quarantined"] / r["rows_in"] if r["rows_in"] else 0.0,
                     "Balanced": r["rows_in"] == r["rows_used"] + r["rows_quarantined"]})
    return pd.DataFrame(rows)


def reasons_table(quality: dict[str, Any]) -> pd.DataFrame:
    """Why rows were quarantined: one row per table × reason with its count."""
    rows = [{"Table": TABLE_LABELS.get(t, t), "Column": _column_label(reason.split(":")[0]),
             "Problem": _plain(reason.split(": ", 1)[-1]), "Rows": n}
            for t, r in quality["tables"].items() for reason, n in r["reasons"].items()]
    return pd.DataFrame(rows, columns=["Table", "Column", "Problem", "Rows"])


def coverage_table(quality: dict[str, Any]) -> pd.DataFrame:
    """First and last date of every date column of every table."""
    rows = [{"Table": TABLE_LABELS.get(t, t), "Column": _column_label(col), "From": rng[0], "To": rng[1]}
            for t, r in quality["tables"].items() for col, rng in r["date_range"].items()]
    return pd.DataFrame(rows, columns=["Table", "Column", "From", "To"])


def missing_table(quality: dict[str, Any], min_share: float = 0.0) -> pd.DataFrame:
    """Share of empty values per column (of the rows used), largest first."""
    rows = [{"Table": TABLE_LABELS.get(t, t), "Column": _column_label(col), "Empty %": 100 * share}
            for t, r in quality["tables"].items() for col, share in r["missing_share"].items() if share > min_share]
    return pd.DataFrame(rows, columns=["Table", "Column", "Empty %"]).sort_values("Empty %", ascending=False,
                                                                                  ignore_index=True)


def joins_table(quality: dict[str, Any]) -> pd.DataFrame:
    """How many responses and conversations belong to a known customer."""
    rows = []
    for t, j in quality.get("joins", {}).items():
        rows.append({"Table": TABLE_LABELS.get(t, t), "Rows": j["rows"], "With a customer id": j["with_customer_id"],
                     "Matched to a customer": j["joined"],
                     "Match rate %": None if j["join_rate"] is None else 100 * j["join_rate"]})
    return pd.DataFrame(rows, columns=["Table", "Rows", "With a customer id", "Matched to a customer", "Match rate %"])


def redactions_table(quality: dict[str, Any]) -> pd.DataFrame:
    """Personal data removed from free text before storage, by kind."""
    rows = [{"Table": TABLE_LABELS.get(t, t), "Kind": KIND_LABELS.get(kind, kind), "Redacted": n}
            for t, r in quality["tables"].items() for kind, n in r.get("redactions", {}).items() if n]
    return pd.DataFrame(rows, columns=["Table", "Kind", "Redacted"])


def headline(quality: dict[str, Any]) -> str:
    """One sentence on what came in and what was set aside."""
    tables = quality["tables"]
    total_in = sum(r["rows_in"] for r in tables.values())
    total_q = sum(r["rows_quarantined"] for r in tables.values())
    parts = [plural(r["rows_used"], *ROW_NOUNS[t]) if t in ROW_NOUNS
             else f"{fmt_num(r['rows_used'])} {_lower(TABLE_LABELS.get(t, t))}" for t, r in tables.items()]
    q = (f"{plural(total_q, 'row')} ({fmt_pct(100 * total_q / total_in, 2)}) {verb(total_q, 'was', 'were')} "
         "quarantined with a reason and are listed below; none were dropped silently." if total_q
         else "No row needed to be quarantined.")
    read = "1 source was" if len(tables) == 1 else f"{len(tables)} sources were"
    return f"**{read} read and validated:** {join_list(parts)}. {q}"


def opening_sentences(quality: dict[str, Any]) -> list[str]:
    """The page's three to five plain sentences: what came in and what was set aside, the period the data cover,
    how much links to a known customer, and how much personal data was removed from free text."""
    out = [headline(quality)]
    period = data_period(quality)
    if period[:1].isdigit():
        out.append(sentence(f"The data cover {period}"))
    joins = [(t, j) for t, j in (quality.get("joins") or {}).items() if j.get("join_rate") is not None]
    if joins:
        def share(j: dict) -> str:
            return "all" if j["joined"] == j["with_customer_id"] else f"{fmt_pct(100 * j['join_rate'], 1)} of the"

        linked = [f"{share(j)} {plural(j['with_customer_id'], *ROW_NOUNS[t])}" if t in ROW_NOUNS
                  else f"{share(j)} {_lower(TABLE_LABELS.get(t, t))}" for t, j in joins]
        out.append(sentence(f"{join_list(linked)} that carry a customer id match a known customer"))
    redacted = sum(int(n) for r in quality["tables"].values() for n in (r.get("redactions") or {}).values())
    if redacted:
        out.append(sentence(f"{plural(redacted, 'piece')} of personal data {verb(redacted, 'was', 'were')} removed "
                            "from free text before anything was stored"))
    return out[:5]


def opening_section(quality: dict[str, Any]) -> Section:
    """The page's opening: :func:`opening_sentences`, the caveats (:func:`caveats_text`) and, in the method note,
    what the integration does (:data:`INTRO`)."""
    section = Section()
    for text in opening_sentences(quality):
        section.say(text)
    if caveats := caveats_text(quality):
        section.say(caveats)
    section.method(INTRO)
    return section


def _lower(label: str) -> str:
    """A table's label inside a sentence: lower case, acronyms kept ("customers (CRM)", "operational KPIs")."""
    return label.lower().replace("(crm)", "(CRM)").replace("kpis", "KPIs")


def caveats_text(quality: dict[str, Any]) -> str:
    """What the reader must know before trusting the tables: warnings, then conversions made on the way in.

    Warnings are the sentences later pages repeat (a join that matches little, a scale whose top is never
    used); notes say what was converted (timestamps moved to UTC, scores written as labels read as numbers).
    Empty when there is neither, so the page shows nothing.
    """
    warnings = quality.get("warnings") or []
    notes = [f"{TABLE_LABELS.get(t, t)}: {n}" for t, r in quality["tables"].items() for n in r.get("notes") or []]
    generated = generated_key_text(quality)
    parts = [generated] if generated else []
    if warnings:
        parts.append("**Read with care:** " + " ".join(warnings))
    if notes:
        parts.append("**Converted on the way in:** " + "; ".join(notes) + ".")
    return "\n\n".join(parts)


def generated_key_text(quality: dict[str, Any]) -> str:
    """The sentence stating each key numbered from the rows (``id: row_number``), or ``""`` when there is none.

    A CRM export without an id column gets one from its rows; the page says so, since those ids mean nothing to
    another system (a customer is found in the export by the row number).
    """
    keys = [(t, r["generated_key"]) for t, r in quality["tables"].items() if r.get("generated_key")]
    return " ".join(
        f"**Generated key:** the {'CRM' if t == 'customers' else TABLE_LABELS.get(t, t)} export has no id column, "
        f"so each row was numbered by its position in the file (1 = the first data row under the header; blank "
        f"lines are not counted) and that number is its {key.replace('_', ' ')}; no other system's ids can be matched to it." for t, key in keys)


def data_period(quality: dict[str, Any], start=None) -> str:
    """The period the data cover, for every page's header: "first date to latest date in any table".

    The dates are those of the rows used (quarantined rows, e.g. future-dated ones, are left out), so the period
    comes from the data, never from the clock or from ``as_of``. ``start`` (the params' ``organisation.start``)
    replaces the first date when given: the analysis window begins there. Data without any calendar date (a
    tenure-based CRM) give :data:`cxtemplate.report.render.NO_CALENDAR_DATES`, or
    :data:`cxtemplate.report.render.UNDATED` when there is no CRM either (an undated survey: nothing is tenure-based).

    >>> data_period({"tables": {"customers": {"date_range": {}}}})
    'tenure-based data, no calendar dates'
    >>> data_period({"tables": {"responses": {"date_range": {}}}})
    'no calendar dates in the data'
    >>> data_period({"tables": {"responses": {"date_range": {"responded_at": ["2024-01-03", "2025-06-30"]}},
    ...                         "customers": {"date_range": {"start_date": ["2019-05-01", "2025-05-31"]}}}})
    '2019-05-01 to 2025-06-30'
    """
    ends = [d for r in quality.get("tables", {}).values() for rng in (r.get("date_range") or {}).values()
            for d in rng if d]
    if not ends:
        return NO_CALENDAR_DATES if "customers" in quality.get("tables", {}) else UNDATED
    first = str(start) if start is not None else min(str(d)[:10] for d in ends)
    return f"{first} to {max(str(d)[:10] for d in ends)}"


def present_inputs(quality: dict[str, Any], metrics=None) -> frozenset[str]:
    """The inputs the organisation supplied (:func:`cxtemplate.report.absent.supplied_inputs`): pages name only these.

    >>> sorted(present_inputs({"tables": {"customers": {"rows_used": 3, "missing_share": {"revenue": 0.0},
    ...                                                 "date_range": {}}}}))
    ['customers', 'revenue']
    """
    return supplied_inputs(quality, metrics)


def join_warning(quality: dict[str, Any] | None, *tables: str) -> str:
    """The warning of each join that matched little (``responses``, ``interactions``; all by default), or ``""``.

    Pages that combine the survey or the conversations with the CRM show it (notebook 00 saves the
    ``quality`` artifact these sentences come from).
    """
    joins = (quality or {}).get("joins") or {}
    return " ".join(j["warning"] for t, j in joins.items() if j.get("warning") and (not tables or t in tables))


# --------------------------------------------------------------------------- the tables as the page shows them


def rows_view(quality: dict[str, Any]) -> TableView:
    """:func:`rows_table` with its title, formats and note."""
    return TableView(rows_table(quality), "Rows per source", {"Quarantined %": "{:.2f}%"},
                     "Balanced = rows in equal rows used plus rows quarantined.")


def reasons_view(quality: dict[str, Any]) -> TableView:
    """:func:`reasons_table` with its title and note (an empty frame when no row failed a check)."""
    return TableView(reasons_table(quality), "Why rows were quarantined", note="A row can fail more than one check.",
                     empty="No row failed a check.")


NO_DATES = "No table carries a calendar date — there is no date coverage to show."


def coverage_view(quality: dict[str, Any]) -> TableView:
    """:func:`coverage_table` with its title (:data:`NO_DATES` when no table carries a date)."""
    return TableView(coverage_table(quality), "Date coverage per table", empty=NO_DATES)


def missing_view(quality: dict[str, Any], min_share: float = 0.0) -> TableView:
    """:func:`missing_table` with its title, format and the note on the columns in it that are empty by design
    (an end date, a comment); no note when none of them is in the table."""
    table = missing_table(quality, min_share)
    columns = set(table["Column"]) if "Column" in table.columns else set()
    by_design = [why for column, why in (("end_date", "an active customer has no end date"),
                                         ("comment", "most responses carry no comment"))
                 if _column_label(column) in columns]
    note = f"Some columns are empty by design: {'; '.join(by_design)}." if by_design else ""
    return TableView(table, "Empty values per column (rows used)", {"Empty %": "{:.1f}%"}, note,
                     empty="No column has empty values.")


def joins_view(quality: dict[str, Any]) -> TableView:
    """:func:`joins_table` with its title and format (an empty frame when nothing joins to customers)."""
    return TableView(joins_table(quality), "Rows linked to a known customer", {"Match rate %": "{:.1f}%"},
                     empty="The survey responses and conversations carry no customer ids — none can be linked to "
                           "a customer.")


def redactions_view(quality: dict[str, Any]) -> TableView:
    """:func:`redactions_table` with its title (an empty frame when nothing was redacted)."""
    return TableView(redactions_table(quality), "Personal data redacted from free text",
                     empty="No personal data was found in free text (or redaction is switched off in the parameters).")


# --------------------------------------------------------------------------- the sections as the page shows them

FREE_TEXT = {"responses": "comment", "interactions": "text"}
"""The free-text column of each table that has one: what redaction scans."""

REDACTION_METHOD = ("Free text was scanned for e-mail addresses, phone numbers, card-like numbers, names people "
                    "give for themselves and the names of known customers, which were replaced by placeholders.")
REDACTION_METHOD_WITHOUT_CRM = ("Free text was scanned for e-mail addresses, phone numbers, card-like numbers and "
                                "names people give for themselves, which were replaced by placeholders.")


def _has_column(quality: dict[str, Any], table: str, column: str) -> bool:
    """Whether a table came in with ``column`` holding at least one value (from its share of empty values)."""
    share = ((quality["tables"].get(table) or {}).get("missing_share") or {}).get(column)
    return share is not None and share < 1


def joins_method(quality: dict[str, Any]) -> str:
    """Why the joins matter, naming the tables there are (survey answers, conversations) and what they link to."""
    tables = quality["tables"]
    linked = [w for t, w in (("responses", "Survey answers"), ("interactions", "conversations")) if t in tables]
    linked = " and ".join(linked)
    links = " and ".join(w for w, ok in (("churn", True), ("revenue", _has_column(quality, "customers", "revenue")))
                         if ok)
    return (f"{linked[0].upper() + linked[1:]} are most useful when they belong to a known customer: that is\n"
            f"what links experience to {links}.")


def joins_section(quality: dict[str, Any]) -> Section:
    """How many survey answers and conversations belong to a known customer, and what was redacted from free text.

    Each part says what it rests on only when there is something to say: without a CRM or without survey answers
    and conversations, the join is one sentence; without free text, so is the redaction.
    """
    section = Section()
    tables = quality["tables"]
    children = [t for t in ("responses", "interactions") if t in tables]
    if not children:
        section.absent("There are no survey responses and no conversations", "there is nothing to link to the customers")
    elif "customers" not in tables:
        section.absent("There is no CRM", f"the {' and '.join(TABLE_LABELS[t].lower() for t in children)} cannot "
                                          "be linked to customers")
    else:
        text = joins_method(quality)
        with_text = [t for t in children if _has_column(quality, t, FREE_TEXT[t])]
        section.method(text + (" " + REDACTION_METHOD if with_text else ""))
        section.table(joins_view(quality))
    with_text = [t for t in FREE_TEXT if _has_column(quality, t, FREE_TEXT[t])]
    if not with_text:
        section.say("The exports carry no free text — there was nothing to redact.")
        return section
    if "customers" not in tables or not children:
        section.method(REDACTION_METHOD_WITHOUT_CRM)
    section.table(redactions_view(quality))
    return section


def coverage_section(quality: dict[str, Any], responses: pd.DataFrame | None, interactions: pd.DataFrame | None,
                     freq: str) -> Section:
    """The dates each table covers, the survey and conversation volume over time, and the empty values per column.

    The volume chart is drawn only when survey responses or conversations carry dates.
    """
    section = Section()
    section.table(coverage_view(quality))
    if any(df is not None and col in df.columns and df[col].notna().any()
           for df, col in ((responses, "responded_at"), (interactions, "started_at"))):
        section.chart(plot_volume_axes, responses, interactions, freq, alt=volume_alt(responses, interactions, freq))
    section.table(missing_view(quality, min_share=0.0))
    return section


# --------------------------------------------------------------------------- charts


def plot_volume(responses: pd.DataFrame | None, interactions: pd.DataFrame | None, freq: str):
    """Responses and conversations per period: where the data is thick and where it is thin."""
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import PALETTE, finish

    fig, ax = plt.subplots(figsize=(8.5, 3.4))
    n, drawn = 0, []
    for df, col, label, colour in ((responses, "responded_at", "Survey responses", PALETTE[0]),
                                   (interactions, "started_at", "Conversations", PALETTE[1])):
        if df is None or col not in df.columns or df[col].notna().sum() == 0:
            continue
        counts = df[col].dt.to_period(freq).value_counts().sort_index()
        ax.plot(counts.index.to_timestamp(), counts.values, marker="o", ms=3, color=colour, label=label)
        n += int(counts.sum())
        drawn.append(label)
    unit = "rows per month" if freq == "M" else "rows per quarter"
    source = {("Survey responses", "Conversations"): "survey and conversation exports",
              ("Survey responses",): "survey export", ("Conversations",): "conversation export"}.get(tuple(drawn))
    finish(ax, "Data volume over time", n=n, unit=unit, source=source, ylabel=unit)
    ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left")
    return fig


def volume_alt(responses: pd.DataFrame | None, interactions: pd.DataFrame | None, freq: str) -> str:
    """The volume chart's alt text: its title and one sentence on the range of rows per period of each table."""
    unit = "month" if freq == "M" else "quarter"
    parts = []
    for df, col, label in ((responses, "responded_at", "survey responses"), (interactions, "started_at",
                                                                            "conversations")):
        if df is None or col not in df.columns or df[col].notna().sum() == 0:
            continue
        counts = df[col].dt.to_period(freq).value_counts().sort_index()
        parts.append(f"{label} from {fmt_num(counts.min())} to {fmt_num(counts.max())} a {unit} "
                     f"({fmt_num(counts.iloc[-1])} in {counts.index[-1]})")
    return sentence(f"Data volume over time: {join_list(parts)}") if parts else "Data volume over time."


def plot_volume_axes(responses: pd.DataFrame | None, interactions: pd.DataFrame | None, freq: str):
    """:func:`plot_volume` returning the chart's Axes (what a :class:`~cxtemplate.report.section.Section` draws)."""
    return plot_volume(responses, interactions, freq).axes[0]
