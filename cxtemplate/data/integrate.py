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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxtemplate.config.schema import Config
from cxtemplate.data.schemas import AmbiguousDates, canonical_columns, check_rows, coerce
from cxtemplate.data.sources import read_source, source_columns, source_label
from cxtemplate.errors import DataError, DataErrors
from cxtemplate.vocabulary import TABLES

DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
ID_PREFIX = {"responses": "R", "interactions": "I"}
HARD_FAILURE_SHARE = 0.5


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

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able record."""
        return dict(self.__dict__)


@dataclass
class Integration:
    """The result of integrating all sources of one organisation."""

    tables: dict[str, pd.DataFrame]
    quarantine: dict[str, pd.DataFrame]
    reports: dict[str, TableReport]
    joins: dict[str, dict[str, float]]
    contacts: pd.DataFrame | None

    def quality(self) -> dict[str, Any]:
        """The data-quality summary saved as an artifact and shown by notebook 00."""
        return {"tables": {t: r.as_dict() for t, r in self.reports.items()}, "joins": self.joins,
                "rows": {t: {"in": r.rows_in, "used": r.rows_used, "quarantined": r.rows_quarantined}
                         for t, r in self.reports.items()}}


# --------------------------------------------------------------------------- column planning


def _plan(table: str, cfg: Config, available: list[str]) -> tuple[dict[str, str], list[str], list[DataError]]:
    """Decide which source column feeds each canonical column; collect mapping errors."""
    from cxtemplate.data.sources import match_column

    src = getattr(cfg.sources, table)
    label = source_label(src, cfg)
    cols = canonical_columns(table, cfg)
    errors: list[DataError] = []
    plan: dict[str, str] = {}
    canon_names = {c.name for c in cols}
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
        if col.name not in plan and col.name in available and col.name not in src.columns:
            plan[col.name] = col.name
    if table == "operations" and src.kpi_columns:
        for c in src.kpi_columns:
            if c not in available:
                errors.append(DataError(table, f"KPI column '{c}' is not in the source", source=label, column=c))
        wide_required = {"period", "location"}
    else:
        wide_required = set()
    for col in cols:
        needed = col.required and (not wide_required or col.name in wide_required)
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
        raise DataErrors(errors)
    wanted = list(dict.fromkeys([*plan.values(), *extra]))
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
    try:
        df, reasons = coerce(df, cols, src.date_format)
    except AmbiguousDates as exc:
        raise DataErrors([DataError(table, str(exc), source=label,
                                    hint="set `date_format:` for this source, e.g. \"%d/%m/%Y\" or \"%m/%d/%Y\"")]) from None
    as_of = pd.Timestamp(cfg.organisation.as_of) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    reasons = reasons + check_rows(table, df, cols, as_of)
    bad = reasons != ""
    n_bad = int(bad.sum())
    if n_bad and n_bad >= HARD_FAILURE_SHARE * rows_in and rows_in >= 4:
        counts = _reason_counts(reasons)
        top = max(counts, key=counts.get)
        examples = [f"row {i + 1}: {reasons[i].rstrip('; ')}" for i in reasons[bad].index[:5]]
        raise DataErrors([DataError(table, f"{n_bad:,} of {rows_in:,} rows fail validation (most often: {top})",
                                    source=label, column=top.split(":")[0], examples=examples,
                                    hint="this looks like a mapping or format problem (a wrong column, scale or "
                                         "date_format) rather than a few bad rows")])
    text_cols = [c.name for c in cols if c.kind == "text" and c.name in df.columns]
    redactions: dict[str, int] = {}
    if cfg.reporting.redact_pii and text_cols:
        from cxtemplate.data.privacy import redact

        for c in text_cols:
            df[c], counts = _redact(redact, df[c], known_names)
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
        redactions=redactions)
    return used, quarantine.reset_index(drop=True), report, contacts, names


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


def _redact(redact, series: pd.Series, names) -> tuple[pd.Series, dict[str, int]]:
    result = redact(series, known_names=names)
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
    if errors:
        raise DataErrors(errors)
    if "responses" in tables:
        tables["responses"] = _enrich_responses(tables["responses"], tables.get("customers"), cfg)
    joins = {t: j for t in ("responses", "interactions") if (j := _join_rate(tables.get(t), tables.get("customers")))}
    return Integration(tables=tables, quarantine=quarantine, reports=reports, joins=joins, contacts=contacts)


__all__ = ["Integration", "TableReport", "integrate"]
