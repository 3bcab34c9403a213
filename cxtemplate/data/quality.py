"""The data-quality section of notebook 00: tables and charts built from the integration summary.

Everything here reads the ``quality`` record produced by
:meth:`cxtemplate.data.integrate.Integration.quality` (or its saved artifact), so the same tables
can be rebuilt from a past run without re-reading the sources.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxtemplate.data.privacy import KIND_LABELS
from cxtemplate.report.display import TableView, fmt_num, fmt_pct

TABLE_LABELS = {"customers": "Customers (CRM)", "responses": "Survey responses", "interactions": "Conversations",
                "operations": "Operational KPIs", "maturity_answers": "Maturity questionnaire"}


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
    rows = [{"Table": TABLE_LABELS.get(t, t), "Column": reason.split(":")[0], "Problem": reason.split(": ", 1)[-1],
             "Rows": n}
            for t, r in quality["tables"].items() for reason, n in r["reasons"].items()]
    return pd.DataFrame(rows, columns=["Table", "Column", "Problem", "Rows"])


def coverage_table(quality: dict[str, Any]) -> pd.DataFrame:
    """First and last date of every date column of every table."""
    rows = [{"Table": TABLE_LABELS.get(t, t), "Column": col, "From": rng[0], "To": rng[1]}
            for t, r in quality["tables"].items() for col, rng in r["date_range"].items()]
    return pd.DataFrame(rows, columns=["Table", "Column", "From", "To"])


def missing_table(quality: dict[str, Any], min_share: float = 0.0) -> pd.DataFrame:
    """Share of empty values per column (of the rows used), largest first."""
    rows = [{"Table": TABLE_LABELS.get(t, t), "Column": col, "Empty %": 100 * share}
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
    parts = [f"{fmt_num(r['rows_used'])} {TABLE_LABELS.get(t, t).lower()}" for t, r in tables.items()]
    q = (f"{fmt_num(total_q)} rows ({fmt_pct(100 * total_q / total_in, 2)}) were quarantined with a reason and are "
         "listed below; none were dropped silently." if total_q else "No row needed to be quarantined.")
    return f"**{len(tables)} sources were read and validated:** {', '.join(parts)}. {q}"


def caveats_text(quality: dict[str, Any]) -> str:
    """What the reader must know before trusting the tables: warnings, then conversions made on the way in.

    Warnings are the sentences later pages repeat (a join that matches little, a scale whose top is never
    used); notes say what was converted (timestamps moved to UTC, scores written as labels read as numbers).
    Empty when there is neither, so the page shows nothing.
    """
    warnings = quality.get("warnings") or []
    notes = [f"{TABLE_LABELS.get(t, t)}: {n}" for t, r in quality["tables"].items() for n in r.get("notes") or []]
    parts = []
    if warnings:
        parts.append("**Read with care:** " + " ".join(warnings))
    if notes:
        parts.append("**Converted on the way in:** " + "; ".join(notes) + ".")
    return "\n\n".join(parts)


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


def coverage_view(quality: dict[str, Any]) -> TableView:
    """:func:`coverage_table` with its title."""
    return TableView(coverage_table(quality), "Date coverage per table")


def missing_view(quality: dict[str, Any], min_share: float = 0.0) -> TableView:
    """:func:`missing_table` with its title, format and the note on columns empty by design."""
    return TableView(missing_table(quality, min_share), "Empty values per column (rows used)", {"Empty %": "{:.1f}%"},
                     "Some columns are empty by design: an active customer has no end date; most "
                     "responses carry no comment.", empty="No column has empty values.")


def joins_view(quality: dict[str, Any]) -> TableView:
    """:func:`joins_table` with its title and format (an empty frame when nothing joins to customers)."""
    return TableView(joins_table(quality), "Rows linked to a known customer", {"Match rate %": "{:.1f}%"},
                     empty="There is no table to join to customers (no CRM source, or no customer ids).")


def redactions_view(quality: dict[str, Any]) -> TableView:
    """:func:`redactions_table` with its title (an empty frame when nothing was redacted)."""
    return TableView(redactions_table(quality), "Personal data redacted from free text",
                     empty="No personal data was found in free text (or redaction is switched off in the parameters).")


# --------------------------------------------------------------------------- charts


def plot_volume(responses: pd.DataFrame | None, interactions: pd.DataFrame | None, freq: str):
    """Responses and conversations per period: where the data is thick and where it is thin."""
    import matplotlib.pyplot as plt

    from cxtemplate.report.theme import PALETTE, finish

    fig, ax = plt.subplots(figsize=(8.5, 3.4))
    n = 0
    for df, col, label, colour in ((responses, "responded_at", "Survey responses", PALETTE[0]),
                                   (interactions, "started_at", "Conversations", PALETTE[1])):
        if df is None or col not in df.columns or df[col].notna().sum() == 0:
            continue
        counts = df[col].dt.to_period(freq).value_counts().sort_index()
        ax.plot(counts.index.to_timestamp(), counts.values, marker="o", ms=3, color=colour, label=label)
        n += int(counts.sum())
    unit = "rows per month" if freq == "M" else "rows per quarter"
    finish(ax, "Data volume over time", n=n, unit=unit, source="survey and conversation exports", ylabel=unit)
    ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left")
    return fig
