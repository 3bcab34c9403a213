"""Data integration: configured sources → mapped, validated canonical tables + a data-quality report.

For every configured table: read only the needed columns, map them to canonical names, apply
the params' ``missing`` and ``recode`` rules, convert types, validate lazily with pandera, and
split rows into *used* and *quarantined* (with a reason per row). Rows in = rows used + rows
quarantined, always. Hard problems (a missing required column, an empty table, a table whose
rows mostly fail) stop the run with a :class:`~cxtemplate.errors.DataErrors` naming table,
column and example rows. Comments are redacted before anything is stored; contact details go
to the restricted folder only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxtemplate.config.schema import ROW_NUMBER_KEYS, Config, Source
from cxtemplate.data.schemas import AmbiguousDates, canonical_columns, check_rows, coerce
from cxtemplate.data.sources import read_source, source_columns, source_label
from cxtemplate.data.where import WhereError, describe_where, where_columns, where_mask, where_problems
from cxtemplate.errors import DataError, DataErrors
from cxtemplate.vocabulary import TABLES

DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
ID_PREFIX = {"responses": "R", "interactions": "I"}
HARD_FAILURE_SHARE = 0.5

GATE_MIN_ROWS = 10
"""The quarantine share, concentration and scale rules judge a table only from this many affected rows on
(three bad rows of a ten-row test file are bad rows, not a wrong mapping)."""

OUTSIDE_SHARE = 0.01
"""From this share of a score column's answers outside its declared scale on, the scale is wrong, not the rows."""

CONCENTRATED_SHARE = 0.8
"""A column's quarantine is one-sided when this share of its quarantined rows hold one value."""

CONCENTRATED_MIN_SHARE = 0.01
"""… and those rows are at least this share of the table."""

JOIN_MIN_ROWS = 10
"""Join rates are judged from this many rows with a customer id on."""


@dataclass
class TableReport:
    """What happened to one table on its way in."""

    table: str
    source: str
    rows_in: int
    rows_used: int
    rows_quarantined: int
    reasons: dict[str, int]
    mapping: dict[str, str]
    kept: list[str]
    missing_share: dict[str, float]
    date_range: dict[str, list[str | None]]
    redactions: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    generated_key: str | None = None  # the key column numbered from the rows (``id: row_number``)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able record (``notes``, ``warnings`` and ``generated_key`` only when there are some)."""
        return {k: v for k, v in self.__dict__.items() if v or k not in ("notes", "warnings", "generated_key")}


@dataclass
class Integration:
    """The result of integrating all sources of one organisation."""

    tables: dict[str, pd.DataFrame]
    quarantine: dict[str, pd.DataFrame]
    reports: dict[str, TableReport]
    joins: dict[str, dict[str, float]]
    contacts: pd.DataFrame | None
    warnings: list[str] = field(default_factory=list)

    def quality(self) -> dict[str, Any]:
        """The data-quality summary saved as an artifact and shown by notebook 00.

        ``warnings`` (present when there are some) holds the sentences the pages should carry (a join that
        matches little, a scale whose top is never used); ``joins[table]["warning"]`` the one of each join,
        for the pages using it; ``tables[table]["notes"]`` what was converted on the way in (UTC, labels).
        """
        out = {"tables": {t: r.as_dict() for t, r in self.reports.items()}, "joins": self.joins,
               "rows": {t: {"in": r.rows_in, "used": r.rows_used, "quarantined": r.rows_quarantined}
                        for t, r in self.reports.items()}}
        return out | ({"warnings": list(self.warnings)} if self.warnings else {})


# --------------------------------------------------------------------------- column planning


def generated_key(table: str, src: Source) -> str | None:
    """The key column ``id: row_number`` generates for this source (``customer_id``), or ``None``."""
    return ROW_NUMBER_KEYS.get(table) if src.id == "row_number" else None


def _plan(table: str, cfg: Config, available: list[str]) -> tuple[dict[str, str], list[str], list[DataError]]:
    """Decide which source column feeds each canonical column; collect mapping errors."""
    from cxtemplate.data.sources import duplicated_columns, match_column

    src = getattr(cfg.sources, table)
    label = source_label(src, cfg)
    cols = canonical_columns(table, cfg)
    errors: list[DataError] = []
    plan: dict[str, str] = {}
    canon_names = {c.name for c in cols}
    generated = generated_key(table, src)
    repeated = duplicated_columns(available)
    available = list(dict.fromkeys(available))
    for canon, source_col in src.columns.items():
        if canon not in canon_names:
            errors.append(DataError(table, f"'{canon}' is not a canonical column of {table}", source=label,
                                    hint=f"canonical columns: {', '.join(sorted(canon_names))}; "
                                         "use `keep:` for other columns"))
        elif source_col not in available:
            close = match_column(source_col, available)
            errors.append(DataError(table, f"mapped column '{source_col}' (for '{canon}') is not in the source",
                                    source=label, column=source_col,
                                    hint=(f"did you mean '{close}'? " if close else "") + f"columns: {', '.join(available[:30])}"))
        else:
            plan[canon] = source_col
    for col in cols:
        if col.name not in plan and col.name in available and col.name not in src.columns and col.name != generated:
            plan[col.name] = col.name
    if table == "operations" and src.kpi_columns:
        for c in src.kpi_columns:
            if c not in available:
                errors.append(DataError(table, f"KPI column '{c}' is not in the source", source=label, column=c))
        wide_required = {"period", "location"}
    else:
        wide_required = set()
    for col in cols:
        needed = col.required and (not wide_required or col.name in wide_required) and col.name != generated
        if needed and col.name not in plan:
            close = match_column(col.name, available)
            errors.append(DataError(table, f"required column '{col.name}' is missing", source=label, column=col.name,
                                    hint=(f"map it under sources.{table}.columns, e.g. {col.name}: {close}" if close
                                          else f"map it under sources.{table}.columns; columns: {', '.join(available[:30])}")))
    for k in src.keep:
        if k not in available:
            close = match_column(k, available)
            errors.append(DataError(table, f"kept column '{k}' is not in the source", source=label, column=k,
                                    hint=f"did you mean '{close}'?" if close else None))
    if table == "customers" and not ({"start_date", "tenure"} & set(plan)):
        errors.append(DataError(table, "customers need either 'start_date' (with 'end_date') or 'tenure' (with 'churned')",
                                source=label, hint="map one of them under sources.customers.columns"))
    for source_col in dict.fromkeys([*plan.values(), *src.keep, *src.kpi_columns]):
        if source_col in repeated:
            where = " and ".join(str(i) for i in repeated[source_col])
            errors.append(DataError(table, f"the header names column '{source_col}' {len(repeated[source_col])} times "
                                           f"(columns {where}): nothing says which one to read", source=label,
                                    column=source_col, hint="rename or delete the copies in the export so each "
                                                            "column name appears once"))
    if table == "responses":
        for d in cfg.metrics.drivers.columns:
            if d not in plan and d not in src.columns:  # a mapped but absent column is reported above
                errors.append(DataError(table, f"driver column '{d}' (metrics.drivers.columns) is not in the source",
                                        source=label, column=d, hint=f"map it: sources.responses.columns.{d}: <source column>"))
        for key, column in cfg.metrics.score_columns().items():
            if column not in plan and column not in src.columns:
                switch = f"metrics.{key}.enabled: false" if key in ("nps", "csat", "ces") else \
                    f"enabled: false on metrics.extra {key}"
                errors.append(DataError(table, f"metric {key} is enabled but the responses have no '{column}' column",
                                        source=label, column=column,
                                        hint=f"map it under sources.responses.columns or set {switch}"))
    return plan, list(src.keep) + list(src.kpi_columns), errors


# --------------------------------------------------------------------------- value rules


def apply_value_rules(df: pd.DataFrame, missing: dict[str, list], recode: dict[str, dict]) -> pd.DataFrame:
    """Apply ``missing`` (values meaning not answered) and ``recode`` (value translations)."""
    for col, values in missing.items():
        if col in df.columns:
            txt = df[col].astype("string").str.strip()
            mask = txt.isin([str(v) for v in values])
            if pd.api.types.is_numeric_dtype(df[col]):
                mask |= df[col].isin([v for v in values if isinstance(v, (int, float))])
            df[col] = df[col].astype(object).where(~mask, None) if mask.any() else df[col]
    for col, mapping in recode.items():
        if col in df.columns:
            keys = {str(k).strip(): v for k, v in mapping.items()}
            txt = df[col].astype("string").str.strip()
            hit = txt.isin(list(keys))
            if hit.any():
                new = df[col].astype(object).copy()
                new[hit] = txt[hit].map(keys)
                df[col] = new
    return df


def _reason_counts(reasons: pd.Series) -> dict[str, int]:
    parts = reasons[reasons != ""].str.rstrip("; ").str.split("; ").explode()
    parts = parts.str.replace(r" \(.*$", "", regex=True)
    return {str(k): int(v) for k, v in parts.value_counts().sort_index().items()}


# --------------------------------------------------------------------------- one table


def _integrate_table(table: str, cfg: Config, known_names: list[str] | None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, TableReport, pd.DataFrame | None, list[str]]:
    src = getattr(cfg.sources, table)
    label = source_label(src, cfg)
    available = source_columns(table, src, cfg)
    plan, extra, errors = _plan(table, cfg, available)
    if errors:
        raise DataErrors(_header_elsewhere(table, cfg, errors) or errors)
    filter_only = where_source_columns(table, src, plan, extra, available, label)
    wanted = list(dict.fromkeys([*plan.values(), *extra, *filter_only]))
    raw = read_source(table, src, cfg, wanted).frame
    rows_in = len(raw)
    if rows_in == 0:
        raise DataErrors([DataError(table, "the source has no rows", source=label,
                                    hint="check the export, or remove this source from the params")])
    cols = canonical_columns(table, cfg)
    df = pd.DataFrame({canon: raw[source_col] for canon, source_col in plan.items()}, index=raw.index)
    for k in src.keep:
        if k not in df.columns:
            df[k] = _numeric_if_numbers(raw[k])
    if table == "operations" and src.kpi_columns:
        df = _melt_operations(df, raw, src.kpi_columns)
        rows_in = len(df)
    # the values as read, for the quarantine: every later step replaces columns (pandas' setitem makes a
    # new array), never writes into them, so a shallow copy keeps them without doubling the table
    shown_raw = df.copy(deep=False)
    df = apply_value_rules(df, src.missing, src.recode)
    if table in ID_PREFIX and f"{table[:-1]}_id" not in df.columns:
        df.insert(0, f"{table[:-1]}_id", [f"{ID_PREFIX[table]}{i + 1:08d}" for i in range(len(df))])
    notes: list[str] = []
    if key := generated_key(table, src):  # the row's position in the file: 1 = the first row under the header
        df.insert(0, key, pd.Series(np.arange(1, len(df) + 1), index=df.index).astype(str))
    try:
        df, reasons = coerce(df, cols, src.date_format, ids=src.ids or cfg.ids, notes=notes)
    except AmbiguousDates as exc:
        raise DataErrors([DataError(table, str(exc), source=label,
                                    hint="set `date_format:` for this source, e.g. \"%d/%m/%Y\" or \"%m/%d/%Y\"")]) from None
    if cfg.organisation.as_of is None:
        if dated := [c.name for c in cols if c.kind in ("date", "datetime") and c.name in df.columns]:
            raise DataErrors([DataError(
                table, f"{', '.join(dated)} holds calendar dates, but organisation.as_of is not set (no calendar "
                       "dates)", source=label, column=dated[0],
                hint="set organisation.as_of to the analysis date, e.g. the latest date in the data")])
        as_of = pd.Timestamp.max
    else:
        as_of = pd.Timestamp(cfg.organisation.as_of) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    if src.where:  # rows outside the params' filter are out of scope: neither used nor quarantined
        df, shown_raw, reasons, rows_in = apply_source_where(table, src, df, shown_raw, raw, reasons, filter_only,
                                                             label, notes)
    reasons = reasons + check_rows(table, df, cols, as_of)
    bad = reasons != ""
    n_bad = int(bad.sum())
    if gate := quarantine_gate(table, label, df, shown_raw, reasons, cols, cfg):
        raise DataErrors(gate)
    text_cols = [c.name for c in cols if c.kind == "text" and c.name in df.columns]
    redactions: dict[str, int] = {}
    if cfg.reporting.redact_pii and text_cols:
        from cxtemplate.data.privacy import redact

        for c in text_cols:
            df[c], counts = _redact(redact, df[c], known_names, cfg.privacy)
            shown_raw[c] = df[c]
            for k, v in counts.items():
                redactions[k] = redactions.get(k, 0) + int(v)
    contact_cols = [c.name for c in cols if c.contact and c.name in df.columns]
    contacts = df.loc[~bad, ["customer_id", *contact_cols]].reset_index(drop=True) if contact_cols else None
    # every name the CRM holds, quarantined rows included: a comment may mention any of them
    names = sorted(df["contact_name"].dropna().astype(str).unique()) if "contact_name" in df.columns else []
    quarantine = shown_raw.loc[bad].drop(columns=contact_cols, errors="ignore").astype("string")
    quarantine.insert(0, "row", (quarantine.index + 1).astype(int))
    quarantine["reason"] = reasons[bad].str.rstrip("; ").values
    keep = [c for c in df.columns if c not in contact_cols]
    used = df.loc[~bad.to_numpy(), keep] if n_bad else (df[keep] if contact_cols else df)  # one copy at most
    del df, shown_raw
    used.index = pd.RangeIndex(len(used))
    used = _derive(table, used, cfg, src.tenure_unit)
    report = TableReport(
        table=table, source=label, rows_in=rows_in, rows_used=len(used), rows_quarantined=n_bad,
        reasons=_reason_counts(reasons), mapping={k: v for k, v in plan.items() if k not in contact_cols},
        kept=list(src.keep) + list(src.kpi_columns),
        missing_share={c: round(float(used[c].isna().mean()), 4) for c in used.columns} if len(used) else {},
        date_range={c.name: _range(used[c.name]) for c in cols if c.kind in ("date", "datetime") and c.name in used.columns},
        redactions=redactions, notes=notes, warnings=_unused_top(table, used, cols, cfg),
        generated_key=generated_key(table, src))
    return used, quarantine.reset_index(drop=True), report, contacts, names


def where_source_columns(table: str, src: Source, plan: dict[str, str], extra: list[str], available: list[str],
                         label: str) -> list[str]:
    """The file columns a source's ``where:`` reads besides those it maps or keeps (read for the filter, then dropped).

    A where column is the table's canonical name (mapped, or found under its own name), a kept column, or else a
    column of the file itself.

    Raises
    ------
    DataErrors
        Naming ``sources.<table>.where.<column>`` for a column that is none of these.
    """
    from cxtemplate.data.sources import match_column

    out, errors = [], []
    for column in where_columns(src.where):
        if column in plan or column in extra:
            continue
        if column in available:
            out.append(column)
            continue
        close = match_column(column, available)
        errors.append(DataError(table, f"sources.{table}.where.{column}: there is no column '{column}' in the table "
                                       "or the file", source=label, column=column,
                                hint=(f"did you mean '{close}'? " if close else "")
                                     + f"columns: {', '.join(map(str, available[:30]))}"))
    if errors:
        raise DataErrors(errors)
    return out


def apply_source_where(table: str, src: Source, df: pd.DataFrame, shown_raw: pd.DataFrame, raw: pd.DataFrame,
                       reasons: pd.Series, filter_only: list[str], label: str, notes: list[str]):
    """Keep the rows of a source that match its ``where:`` (evaluated on the typed columns); say how many in ``notes``.

    Returns
    -------
    (DataFrame, DataFrame, Series, int)
        The rows kept, their values as read, their quarantine reasons so far, and how many they are.

    Raises
    ------
    DataErrors
        When a condition does not fit its column (a number compared with text), naming the key.
    """
    frame = df
    if filter_only:
        frame = df.assign(**{c: _numeric_if_numbers(raw[c]).reindex(df.index) for c in filter_only
                             if c not in df.columns})
    try:
        keep = where_mask(frame, src.where, key=f"sources.{table}.where")
    except WhereError as exc:
        raise DataErrors([DataError(table, str(exc), source=label)]) from None
    total = len(df)
    notes.append(f"sources.{table}.where ({describe_where(src.where, 'all rows')}) kept {int(keep.sum()):,} of the "
                 f"{total:,} rows read; the other {total - int(keep.sum()):,} are outside the analysis")
    if not keep.any():
        raise DataErrors([DataError(table, f"sources.{table}.where ({describe_where(src.where, 'all rows')}) matches "
                                           f"none of the {total:,} rows", source=label,
                                    hint="check the values against the export (text is compared as written)")])
    return df.loc[keep], shown_raw.loc[keep], reasons.loc[keep], int(keep.sum())


def cohort_problems(cfg: Config, customers: pd.DataFrame) -> list[DataError]:
    """Churn cohorts (``churn.cohorts``) that name a column the customers table lacks."""
    src = cfg.sources.customers
    label = source_label(src, cfg) if src is not None else "customers"
    return [DataError("customers", problem, source=label, hint="a cohort's columns are those of the customers table: "
                                                                "canonical, mapped or kept (`keep:`)")
            for name, where in cfg.churn.cohorts.items()
            for problem in where_problems(where, list(customers.columns), key=f"churn.cohorts.{name}")]


def _header_elsewhere(table: str, cfg: Config, errors: list[DataError]) -> list[DataError] | None:
    """One error saying where the header is, when the columns are "missing" because title rows sit above it."""
    from cxtemplate.data.sources import find_header_row

    if not any(e.column for e in errors):  # only columns "missing" can mean the header is elsewhere
        return None
    src = getattr(cfg.sources, table)
    expected = [*src.columns.values(), *src.keep, *(c.name for c in canonical_columns(table, cfg))]
    found = find_header_row(table, src, cfg, expected)
    if found is None:
        return None
    row, above = found
    return [DataError(table, f"the column names are on row {row}, not on row {src.header_row}"
                             + (f" (row {src.header_row} reads {above!r})" if above else ""),
                      source=source_label(src, cfg),
                      hint=f"set `header_row: {row}` for this source, or delete the rows above the header in the export")]


# --------------------------------------------------------------------------- when the rows say the mapping is wrong


def _metric_of(column: str, cfg: Config) -> tuple[str, str]:
    """The params key declaring a score column's scale, and the metric's name for messages."""
    m = cfg.metrics
    if column in ("nps", "csat", "ces"):
        return f"metrics.{column}.scale", column
    extra = next((e for e in m.extra if e.score_column == column), None)
    if extra is not None:
        return f"the scale of metrics.extra {extra.key}", extra.key
    if column in m.drivers.columns:
        return "metrics.drivers.scale", f"driver {column}"
    return "the scale", column


def _scale_errors(table: str, label: str, df: pd.DataFrame, cols, cfg: Config) -> list[DataError]:
    """Score columns whose answers run outside the declared scale (NPS on 1–11, CSAT 0–100 on a 1–5 scale)."""
    errors = []
    for col in cols:
        if not col.score or col.name not in df.columns or col.lo is None or col.hi is None:
            continue
        v = df[col.name].to_numpy(float)
        v = v[~np.isnan(v)]
        outside = int(((v < col.lo) | (v > col.hi)).sum())
        if outside < GATE_MIN_ROWS or outside < OUTSIDE_SHARE * len(v):
            continue
        lo, hi = float(v.min()), float(v.max())
        key, name = _metric_of(col.name, cfg)
        if col.name == "nps" and (lo, hi) == (1.0, 11.0):
            hint = ("NPS is asked on 0–10; an export on 1–11 needs `recode: {nps: {1: 0, 2: 1, …, 11: 10}}` "
                    f"under sources.{table}")
        elif col.name == "nps":
            hint = "NPS is asked on 0–10: check which column is mapped to nps"
        else:
            hint = (f"if the question was asked on {lo:g}–{hi:g}, set {key}: [{lo:g}, {hi:g}]; otherwise check which "
                    f"column is mapped to {col.name}")
        errors.append(DataError(table, f"the {name} answers run from {lo:g} to {hi:g}, which does not fit the declared "
                                       f"{col.lo:g}–{col.hi:g} scale ({outside:,} of {len(v):,} answers, "
                                       f"{100 * outside / len(v):.1f}%, lie outside it)",
                                source=label, column=col.name, hint=hint))
    return errors


def _unused_top(table: str, df: pd.DataFrame, cols, cfg: Config, min_answers: int = 30) -> list[str]:
    """Score columns whose answers never reach the top of the declared scale (CSAT 1–5 data under a 1–10 scale)."""
    out = []
    for col in cols if table == "responses" else ():  # a maturity level's 1–10 bound is not a survey scale
        if not col.score or col.name not in df.columns or col.hi is None:
            continue
        v = df[col.name].dropna()
        if len(v) >= min_answers and v.max() < col.hi:
            key, name = _metric_of(col.name, cfg)
            out.append(f"No {name} answer reaches the top of the declared {col.lo:g}–{col.hi:g} scale (the answers run "
                       f"from {v.min():g} to {v.max():g}): if the question was asked on {col.lo:g}–{v.max():g}, set "
                       f"{key} to [{col.lo:g}, {v.max():g}], otherwise the {name} figures understate it.")
    return out


def _values_seen(reasons: pd.Series, raw: pd.DataFrame, column: str, limit: int = 5) -> str:
    """The most frequent source values of a column among the rows quarantined for it, with their counts."""
    hit = reasons.str.contains(f"(?:^|; ){re.escape(column)}: ", regex=True)
    if column not in raw.columns or not hit.any():
        return ""
    counts = raw.loc[hit.to_numpy(bool), column].astype("string").fillna("(empty)").value_counts().head(limit)
    return ", ".join(f"{str(v)[:40]!r} ({n:,})" for v, n in counts.items())


def quarantine_gate(table: str, label: str, df: pd.DataFrame, raw: pd.DataFrame, reasons: pd.Series, cols,
                    cfg: Config) -> list[DataError]:
    """The errors that stop the run although every row was checked: the rows say the mapping is wrong.

    In order, the first rule that holds decides:

    1. a score column whose answers run outside the declared scale (from 1% of its answers and ten rows);
    2. half the rows or more fail (a wrong column, format or scale);
    3. more than ``quality.max_quarantined_share`` of the rows (default 5%, from ten rows) would be quarantined;
    4. a score column's quarantine is one-sided: ten rows or more, at least 1% of the table, 80% of them
       holding the same value (the labelled end of a scale, an 11 on a 0–10 question).

    Parameters
    ----------
    table, label : str
        The table and its source, for messages.
    df : DataFrame
        The coerced table (scores as numbers).
    raw : DataFrame
        The values as read, for the values seen.
    reasons : Series of str
        One reason string per row, empty when the row is fine.
    cols : list of Column
    cfg : Config

    Returns
    -------
    list of DataError
        Empty when the quarantine is a few bad rows.
    """
    if errors := _scale_errors(table, label, df, cols, cfg):
        return errors
    rows_in = len(reasons)
    bad = reasons != ""
    n_bad = int(bad.sum())
    if not n_bad:
        return []
    reasons, raw = reasons[bad], raw.loc[bad.to_numpy(bool)]  # only the quarantined rows are looked at again
    counts = _reason_counts(reasons)
    top = max(counts, key=counts.get)
    column = top.split(":")[0]
    examples = [f"row {i + 1}: {reasons[i].rstrip('; ')}" for i in reasons.index[:5]]
    seen = _values_seen(reasons, raw, column) if "not a number" in top else ""
    seen = f"; the values that are not numbers: {seen}" if seen else ""
    if n_bad >= HARD_FAILURE_SHARE * rows_in and rows_in >= 4:
        return [DataError(table, f"{n_bad:,} of {rows_in:,} rows fail validation (most often: {top}){seen}",
                          source=label, column=column, examples=examples,
                          hint="this looks like a mapping or format problem (a wrong column, scale or "
                               "date_format) rather than a few bad rows")]
    limit = cfg.quality.max_quarantined_share
    if n_bad >= GATE_MIN_ROWS and n_bad > limit * rows_in:
        listed = "; ".join(f"{reason}: {n:,}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5])
        return [DataError(table, f"{n_bad:,} of {rows_in:,} rows ({100 * n_bad / rows_in:.1f}%) would be quarantined, "
                                 f"more than the {100 * limit:g}% allowed (quality.max_quarantined_share) — {listed}{seen}",
                          source=label, column=column, examples=examples,
                          hint="results from the rest would not represent the data: fix the mapping, the scale, a "
                               "`recode:` or `missing:` rule, or the export; raise quality.max_quarantined_share only "
                               "if these rows are truly unusable")]
    errors = []
    for col in cols:
        if not col.score or col.name not in raw.columns:
            continue
        hit = reasons.str.contains(f"(?:^|; ){re.escape(col.name)}: ", regex=True).to_numpy(bool)
        n_col = int(hit.sum())
        if n_col < GATE_MIN_ROWS or n_col < CONCENTRATED_MIN_SHARE * rows_in:
            continue
        values = raw.loc[hit, col.name].astype("string").fillna("(empty)").value_counts()
        if values.iloc[0] < CONCENTRATED_SHARE * n_col:
            continue
        value, n_top = str(values.index[0]), int(values.iloc[0])
        why = _reason_counts(reasons[hit])
        why = max((r for r in why if r.startswith(f"{col.name}:")), key=why.get, default="").split(": ", 1)[-1]
        errors.append(DataError(table, f"{n_col:,} rows ({100 * n_col / rows_in:.1f}%) would be quarantined for "
                                       f"{col.name}, and {n_top:,} of them hold the same value {value[:40]!r} ({why}): "
                                       "setting them aside would remove one kind of answer, not noise",
                                source=label, column=col.name,
                                hint=f"translate that value (`recode: {{{col.name}: {{{value[:40]!r}: <score>}}}}`), "
                                     f"declare it unanswered (`missing: {{{col.name}: [{value[:40]!r}]}}`) or fix the "
                                     "scale"))
    return errors


def _numeric_if_numbers(s: pd.Series, share: float = 0.95) -> pd.Series:
    """A kept column as numbers when it holds numbers (blanks become missing), else unchanged.

    Exports often write a number column with blanks for "none" (e.g. total charges of a customer
    who joined today); read as text, it would become a category with one level per value.
    """
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return s
    txt = s.astype("string").str.strip()
    present = txt.notna() & (txt != "")
    if not present.any():
        return s
    num = pd.to_numeric(txt.where(present), errors="coerce")
    if num[present].notna().mean() >= share:
        return num.astype(float)
    return s


def _redact(redact, series: pd.Series, names, privacy) -> tuple[pd.Series, dict[str, int]]:
    """Redact one text column by the params' rules (``privacy:``: kinds, the client's own patterns, names to keep)."""
    result = redact(series, known_names=names, kinds=privacy.kinds, patterns=privacy.patterns, keep=privacy.keep)
    return result.text, {k: int(v) for k, v in result.counts.items() if v}


def _range(s: pd.Series) -> list[str | None]:
    s = s.dropna()
    if s.empty:
        return [None, None]
    return [str(pd.Timestamp(s.min()).date()), str(pd.Timestamp(s.max()).date())]


def _melt_operations(df: pd.DataFrame, raw: pd.DataFrame, kpi_columns: list[str]) -> pd.DataFrame:
    base = df[[c for c in ("period", "location") if c in df.columns]]
    long = base.join(raw[kpi_columns]).melt(id_vars=list(base.columns), var_name="kpi", value_name="value")
    return long.reset_index(drop=True)


def _period_labels(when: pd.Series, freq: str) -> pd.Series:
    """Each timestamp's reporting period as text (``'2025-03'``; missing as ``pd.NA``).

    Each distinct period is turned into text once: converting row by row makes a Period object and a
    string per row (gigabytes at five million responses) for a few dozen distinct labels.
    """
    codes, uniq = pd.factorize(when.dt.to_period(freq))
    labels = np.asarray(uniq.astype(str), dtype=object)
    out = np.full(len(when), pd.NA, dtype=object)
    ok = codes >= 0
    out[ok] = labels[codes[ok]]
    return pd.Series(out, index=when.index, name=when.name)


def _derive(table: str, df: pd.DataFrame, cfg: Config, tenure_unit: str) -> pd.DataFrame:
    """Add the derived canonical columns every notebook relies on."""
    as_of = pd.Timestamp(cfg.organisation.as_of)
    freq = cfg.period_freq()
    if table == "customers":
        if "start_date" in df.columns:
            churned = df["end_date"].notna() & (df["end_date"] <= as_of) if "end_date" in df.columns else pd.Series(False, index=df.index)
            stop = df["end_date"].where(churned, as_of) if "end_date" in df.columns else pd.Series(as_of, index=df.index)
            df["tenure_days"] = (stop - df["start_date"]).dt.days.astype(float)
            if "churned" not in df.columns:
                df["churned"] = churned
        elif "tenure" in df.columns:
            df["tenure_days"] = df["tenure"].astype(float) * DAYS_PER_UNIT[tenure_unit]
        if "churned" in df.columns:
            df["churned"] = df["churned"].astype("boolean")
    elif table == "responses":
        if "responded_at" in df.columns:
            df["period"] = _period_labels(df["responded_at"], freq)
        if "nps" in df.columns:
            df["nps_category"] = pd.cut(df["nps"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"]).astype(object)
    elif table == "interactions" and "started_at" in df.columns:
        df["period"] = _period_labels(df["started_at"], freq)
    elif table == "operations":
        df["period"] = pd.to_datetime(df["period"]).dt.to_period(freq).astype("string").astype(object)
    return df


# --------------------------------------------------------------------------- all tables


def _enrich_responses(responses: pd.DataFrame, customers: pd.DataFrame | None, cfg: Config) -> pd.DataFrame:
    """Give each response its customer's attributes that the segments or churn need."""
    if customers is None or "customer_id" not in responses.columns:
        return responses
    wanted = [c for c in dict.fromkeys([*cfg.segments, "segment", "location", "plan", *cfg.churn.covariates])
              if c in customers.columns and c not in responses.columns and c != "customer_id"]
    if not wanted:
        return responses
    from pandas.api.extensions import take

    attrs = customers[["customer_id", *wanted]].drop_duplicates("customer_id")
    # a left join by position: the new columns are added to the frame instead of copying all of it
    # (at five million responses a merge would hold two copies of the table)
    pos = pd.Index(attrs["customer_id"]).get_indexer(responses["customer_id"])
    responses.index = pd.RangeIndex(len(responses))
    for c in wanted:
        values = attrs[c].array  # numpy dtypes as ndarray, pandas' own (boolean, string, …) as they are
        values = values.to_numpy() if isinstance(values, pd.arrays.NumpyExtensionArray) else values
        responses[c] = take(values, pos, allow_fill=True)
    return responses


def _join_rate(child: pd.DataFrame | None, customers: pd.DataFrame | None) -> dict[str, float] | None:
    if child is None or "customer_id" not in child.columns:
        return None
    with_id = child["customer_id"].notna()
    known = with_id & child["customer_id"].isin(customers["customer_id"]) if customers is not None else pd.Series(False, index=child.index)
    return {"rows": int(len(child)), "with_customer_id": int(with_id.sum()), "joined": int(known.sum()),
            "join_rate": round(float(known.sum() / with_id.sum()), 4) if with_id.any() else None}


JOIN_NOUNS = {"responses": "survey responses", "interactions": "conversations"}
JOIN_USES = {"responses": "the CRM's segments and plans on survey results, response rates, and the survey measures "
                          "in the churn model",
             "interactions": "the contact measures in the churn model and the follow-up of customers' conversations"}

_CANDIDATE_RULES = ({"strip": True, "case": "upper"}, {"strip": True, "leading_zeros": "strip"},
                    {"strip": True, "remove": " -_"},
                    {"strip": True, "case": "upper", "leading_zeros": "strip", "remove": " -_"})


def _id_rule_hint(ids: pd.Series, known: pd.Series) -> str:
    """Which declared id rule would make more of the ids match, with the match rate it would give."""
    from cxtemplate.config.schema import IdRule

    ids = pd.Series(ids.dropna().unique(), dtype="string")
    known = pd.Series(known.dropna().unique(), dtype="string")
    best = None
    for fields in _CANDIDATE_RULES:
        rule = IdRule(**fields)
        rate = float(rule.apply(ids).isin(set(rule.apply(known).dropna())).mean()) if len(ids) else 0.0
        if best is None or rate > best[0] + 1e-9:
            best = (rate, fields)
    shown = f"unmatched ids look like {', '.join(repr(v) for v in ids[~ids.isin(set(known))].head(3))}; CRM ids like " \
            f"{', '.join(repr(v) for v in known.head(3))}"
    if best is None or best[0] == 0:
        return f"{shown}: check that both sources hold the same customer id"
    defaults = IdRule().model_dump()
    rule = ", ".join(f"{k}: '{v}'" if k == "remove" else f"{k}: {v}" for k, v in best[1].items() if defaults[k] != v)
    return f"{shown}; with `ids: {{{rule}}}` in the params {100 * best[0]:.0f}% of the distinct ids would match"


def join_checks(tables: dict[str, pd.DataFrame], joins: dict[str, dict], cfg: Config
                ) -> tuple[list[DataError], list[str]]:
    """Joins that match too little: an error below ``quality.join_error_below``, a sentence below the warning level.

    Parameters
    ----------
    tables : dict
        The integrated tables (``customers`` must be among them for a join to be judged).
    joins : dict
        Table → its join record (:func:`_join_rate`); a ``warning`` sentence is added to the records below
        ``quality.join_warning_below``.
    cfg : Config

    Returns
    -------
    (list of DataError, list of str)
        The errors that stop the run, and the warning sentences for every page that uses the join.
    """
    customers = tables.get("customers")
    errors, warnings = [], []
    if customers is None:
        return errors, warnings
    q = cfg.quality
    for table, j in joins.items():
        rate, with_id, joined = j.get("join_rate"), j["with_customer_id"], j["joined"]
        if rate is None or with_id < JOIN_MIN_ROWS:
            continue
        noun = JOIN_NOUNS.get(table, table)
        if rate < q.join_error_below:
            errors.append(DataError(
                table, f"only {joined:,} of the {with_id:,} {noun} with a customer id ({100 * rate:.1f}%) match a "
                       f"customer in the CRM, below the {100 * q.join_error_below:g}% that quality.join_error_below "
                       "accepts", source=source_label(getattr(cfg.sources, table), cfg), column="customer_id",
                hint=_id_rule_hint(tables[table]["customer_id"], customers["customer_id"])))
        elif rate < q.join_warning_below:
            shown = math.floor(100 * rate)  # rounded down: 89.6% is not "90%" under a 90% limit
            j["warning"] = (f"Only {shown}% of the {noun} with a customer id ({joined:,} of {with_id:,}) match "
                            f"a customer in the CRM, so results that combine the two ({JOIN_USES.get(table, 'the join')}) "
                            f"cover only the {joined:,} matched.")
            warnings.append(j["warning"])
    return errors, warnings


def integrate(cfg: Config) -> Integration:
    """Read, map, validate and split every configured source.

    Parameters
    ----------
    cfg : Config

    Returns
    -------
    Integration

    Raises
    ------
    DataErrors
        Listing every hard problem found across all tables.
    """
    tables: dict[str, pd.DataFrame] = {}
    quarantine: dict[str, pd.DataFrame] = {}
    reports: dict[str, TableReport] = {}
    contacts = None
    errors: list[DataError] = []
    known_names: list[str] | None = None
    for table in TABLES:
        if getattr(cfg.sources, table) is None:
            continue
        try:
            used, q, rep, cts, names = _integrate_table(table, cfg, known_names)
        except DataErrors as exc:
            errors.extend(exc.errors)
            continue
        except DataError as exc:
            errors.append(exc)
            continue
        tables[table], quarantine[table], reports[table] = used, q, rep
        if table == "customers":
            contacts = cts
            if names:
                from cxtemplate.data.privacy import build_name_pattern

                known_names = build_name_pattern(names)
            errors.extend(cohort_problems(cfg, used))
    if errors:
        raise DataErrors(errors)
    joins = {t: j for t in ("responses", "interactions") if (j := _join_rate(tables.get(t), tables.get("customers")))}
    join_errors, warnings = join_checks(tables, joins, cfg)
    if join_errors:
        raise DataErrors(join_errors)
    if "responses" in tables:
        tables["responses"] = _enrich_responses(tables["responses"], tables.get("customers"), cfg)
    return Integration(tables=tables, quarantine=quarantine, reports=reports, joins=joins, contacts=contacts,
                       warnings=warnings + [w for r in reports.values() for w in r.warnings])


__all__ = ["Integration", "TableReport", "integrate"]
