"""The canonical data model: columns of each table, their types, ranges and rules.

:func:`canonical_columns` lists a table's columns for a given config (score scales and driver
columns come from the params). :func:`coerce` turns mapped source columns into their canonical
types, recording a reason for every value that cannot be read; :func:`pandera_schema` builds the
pandera schema that checks ranges, whole numbers, future dates and duplicate keys lazily, so all
failures are found in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cxtemplate.config.schema import Config, IdRule
from cxtemplate.errors import check_choice
from cxtemplate.vocabulary import TABLES

Kind = Literal["id", "str", "text", "int", "float", "date", "datetime", "bool"]


@dataclass(frozen=True)
class Column:
    """One canonical column and the rules its values must satisfy."""

    name: str
    kind: Kind
    required: bool = False
    unique: bool = False
    nullable: bool = True
    lo: float | None = None
    hi: float | None = None
    whole: bool = False
    contact: bool = False
    score: bool = False
    description: str = ""


def canonical_columns(table: str, cfg: Config) -> list[Column]:
    """The canonical columns of a table under this config.

    Parameters
    ----------
    table : str
        One of ``customers``, ``responses``, ``interactions``, ``operations``, ``maturity_answers``.
    cfg : Config

    Returns
    -------
    list of Column
    """
    m = cfg.metrics
    if table == "customers":
        return [
            Column("customer_id", "id", required=True, unique=True, nullable=False),
            Column("start_date", "date", description="first day as a customer"),
            Column("end_date", "date", description="last day; empty while active"),
            Column("tenure", "float", lo=0, description="tenure in `tenure_unit`, when there are no dates"),
            Column("churned", "bool", description="left (true) or still a customer (false), when there are no dates"),
            Column("segment", "str"), Column("location", "str"), Column("plan", "str"),
            Column("revenue", "float", lo=0, description="revenue per period (churn.revenue_per)"),
            Column("contact_name", "str", contact=True), Column("contact_email", "str", contact=True),
            Column("contact_phone", "str", contact=True),
        ]
    if table == "responses":
        cols = [
            Column("response_id", "id", unique=True, nullable=False),
            Column("customer_id", "id"),
            Column("responded_at", "datetime"),
            Column("journey_stage", "str"), Column("touchpoint", "str"), Column("location", "str"),
            Column("channel", "str"), Column("agent_id", "id"), Column("segment", "str"),
            Column("nps", "int", lo=0, hi=10, whole=True, score=True),
            Column("csat", "int", lo=m.csat.scale[0], hi=m.csat.scale[1], whole=True, score=True),
            Column("ces", "int", lo=m.ces.scale[0], hi=m.ces.scale[1], whole=True, score=True),
            *(Column(e.score_column, "int", lo=e.scale[0], hi=e.scale[1], whole=True, score=True,
                     description=f"metrics.extra {e.key}: {e.kind} on {e.scale[0]}–{e.scale[1]}")
              for e in m.extra if e.enabled),
            Column("comment", "text"),
        ]
        lo, hi = m.drivers.scale
        cols += [Column(d, "float", lo=lo, hi=hi, score=True) for d in m.drivers.columns
                 if d not in {c.name for c in cols}]
        return cols
    if table == "interactions":
        return [
            Column("interaction_id", "id", unique=True, nullable=False),
            Column("customer_id", "id"), Column("started_at", "datetime"), Column("channel", "str"),
            Column("intent", "str"), Column("sentiment", "float", lo=-1, hi=1), Column("resolved", "bool"),
            Column("handle_seconds", "float", lo=0), Column("agent_id", "id"), Column("location", "str"),
            Column("text", "text"),
        ]
    if table == "operations":
        return [
            Column("period", "date", required=True, nullable=False, description="month or quarter (any day in it)"),
            Column("location", "str", required=True), Column("kpi", "str", required=True, nullable=False),
            Column("value", "float", required=True),
        ]
    if table == "maturity_answers":
        return [
            Column("respondent_id", "id", required=True, nullable=False), Column("role", "str", required=True),
            Column("dimension", "str", required=True, nullable=False),
            Column("practice", "str", required=True, nullable=False),
            Column("level", "int", required=True, nullable=False, lo=1, hi=10, whole=True, score=True),
        ]
    check_choice("table", table, TABLES)


# --------------------------------------------------------------------------- coercion

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def _can_be_blank(s: pd.Series) -> bool:
    """Whether a column may hold blank text (numbers, dates and booleans never do)."""
    t = pd.api.types
    return not (t.is_numeric_dtype(s) or t.is_datetime64_any_dtype(s) or t.is_bool_dtype(s))


_FLOAT_ID = re.compile(r"^\d+\.0+$")


def _as_id(s: pd.Series, stripped: pd.Series | None = None, rule: IdRule | None = None) -> pd.Series:
    """Identifiers as strings, normalised by ``rule``; integral floats lose their '.0' (15634602.0 → '15634602').

    Text is kept as written (``00123`` keeps its zeros) but for a column whose every id reads
    ``<digits>.0``: a tool wrote whole numbers as floats, and the ``.0`` is no part of the id.
    ``stripped``: the column already converted to stripped text, when the caller has it.
    """
    rule = rule or IdRule()
    if pd.api.types.is_float_dtype(s):
        whole = s.dropna()
        if (whole % 1 == 0).all():
            s = s.astype("Int64")
        stripped = None
    if rule.strip:
        out = stripped if stripped is not None else s.astype("string").str.strip()
    else:
        out = s.astype("string")
    codes, uniq = pd.factorize(out)  # a rule is applied once per distinct id
    u = pd.Series(uniq, dtype="string")
    if len(u) and u.str.fullmatch(_FLOAT_ID.pattern).all():
        u = u.str.replace(r"\.0+$", "", regex=True)
    if rule != IdRule():
        u = rule.apply(u)
    values = np.asarray(u.mask(u == "", pd.NA).astype(object).where(u.notna() & (u != ""), None), dtype=object)
    result = np.full(len(out), None, dtype=object)
    result[codes >= 0] = values[codes[codes >= 0]]
    return pd.Series(result, index=s.index, name=s.name)


_LABELLED = re.compile(r"^\s*\(?\s*([+-]?\d+(?:\.\d+)?)\s*\)?\s*(?:[-–—:=|.,)]+\s*|\s+)[^\W\d_].*$", re.S)
_LABEL_LAST = re.compile(r"^.*?[^\W\d_][^\d]*?(?:[-–—:=|,(]+\s*|\s+)\(?\s*([+-]?\d+(?:\.\d+)?)\s*\)?\s*$", re.S)


def parse_labelled_scores(text: pd.Series) -> pd.Series:
    """Scores written as labels read as their numbers: ``"10 - Extremely likely"`` → 10.

    Survey tools export the labelled end points of a scale with their label (``"0 - Not at all
    likely"``, ``"Very satisfied (5)"``); read as numbers they would fail and be quarantined, and
    the quarantine would remove one end of the scale. A value whose number leads (``10 - …``,
    ``10: …``, ``(10) …``) or closes it (``… (10)``, ``… - 10``) reads as that number; anything
    else stays missing (and is reported as not a number).

    Parameters
    ----------
    text : Series of str

    Returns
    -------
    Series of float
        The number of each labelled value, NaN where there is none.
    """
    codes, uniq = pd.factorize(text)
    u = pd.Series(uniq, dtype="string")
    lead = u.str.extract(_LABELLED, expand=False)
    last = u.str.extract(_LABEL_LAST, expand=False)
    nums = pd.to_numeric(lead.fillna(last), errors="coerce").to_numpy(float)
    out = np.full(len(text), np.nan)
    out[codes >= 0] = nums[codes[codes >= 0]]
    return pd.Series(out, index=text.index, name=text.name)


def _stripped_labels(s: pd.Series) -> pd.Series:
    """Labels (segment, location, channel …) as stripped text, blanks and missing values as ``None``.

    Each distinct value is converted once and every row points at the one string object: a label
    column of five million rows holds a few hundred strings instead of five million copies.
    """
    codes, uniq = pd.factorize(s)
    u = pd.Series(uniq, dtype=object).astype("string").str.strip()
    ok = (u.notna() & (u != "")).fillna(False).to_numpy(bool)
    labels = u.astype(object).to_numpy()
    present = codes >= 0
    present[present] = ok[codes[present]]
    values = np.full(len(s), None, dtype=object)
    values[present] = labels[codes[present]]
    return pd.Series(values, index=s.index, name=s.name)


def coerce(df: pd.DataFrame, columns: list[Column], date_format: str | None = None, *,
           ids: IdRule | None = None, notes: list[str] | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Convert mapped columns to their canonical types.

    Parameters
    ----------
    df : DataFrame
        Columns already renamed to canonical names (other columns pass through untouched).
    columns : list of Column
    date_format : str, optional
        strptime format for non-ISO dates.
    ids : IdRule, optional
        How identifiers are normalised (default: stripped, otherwise as written).
    notes : list, optional
        Receives one sentence per conversion the quality report should state (timestamps moved to
        UTC, scores written as labels).

    Returns
    -------
    (DataFrame, Series)
        The converted frame, and a Series of reasons (one string per row, empty when fine) for
        values present in the source that could not be read as their type.
    """
    out = df.copy(deep=False)  # columns are replaced, never modified in place: the source frame is untouched
    reasons = pd.Series("", index=df.index, dtype=object)
    for col in columns:
        if col.name not in out.columns:
            continue
        s = out[col.name]
        if col.kind == "str" and _can_be_blank(s):
            out[col.name] = _stripped_labels(s)
            continue
        # text is converted and stripped once; only text can be blank (a number or a date never is)
        stripped = s.astype("string").str.strip() if _can_be_blank(s) else None
        present = s.notna() & (stripped != "") if stripped is not None else s.notna()
        if col.kind in ("id",):
            out[col.name] = _as_id(s, stripped, ids)
            continue
        if col.kind in ("str", "text"):
            conv = (stripped if stripped is not None else s.astype("string").str.strip()) if col.kind == "str" \
                else s.astype("string")
            out[col.name] = conv.astype(object).where(present, None)
            continue
        if col.kind in ("int", "float"):
            conv = pd.to_numeric(s, errors="coerce") if not pd.api.types.is_numeric_dtype(s) else s.astype(float)
            if col.score and (unread := present & conv.isna()).any():
                labelled = parse_labelled_scores(stripped[unread])
                found = labelled.notna()
                if found.any():
                    conv = conv.astype(float)
                    conv[labelled.index[found]] = labelled[found]
                    if notes is not None:
                        seen = stripped[labelled.index[found]].value_counts().head(3)
                        notes.append(f"{col.name}: {int(found.sum()):,} answers written as labels (e.g. "
                                     + ", ".join(f"'{v[:40]}'" for v in seen.index) + ") were read as their numbers")
            bad = present & conv.isna()
            out[col.name] = conv.astype(float)
            what = "not a number"
        elif col.kind in ("date", "datetime"):
            conv = _to_datetime(s, date_format, notes=notes, name=col.name)
            bad = present & conv.isna()
            out[col.name] = conv
            what = "not a date"
        elif col.kind == "bool":
            txt = (stripped if stripped is not None else s.astype("string").str.strip()).str.lower()
            conv = pd.Series(np.where(txt.isin(_TRUE), 1.0, np.where(txt.isin(_FALSE), 0.0, np.nan)), index=s.index)
            if pd.api.types.is_bool_dtype(s):
                conv = s.astype(float)
            bad = present & conv.isna()
            out[col.name] = conv.map({1.0: True, 0.0: False}).astype("boolean")
            what = "not true/false"
        else:  # pragma: no cover - every kind is handled above
            continue
        if bad.any():
            shown = s[bad].astype("string").str.slice(0, 40)
            reasons[bad] = reasons[bad] + f"{col.name}: {what} (" + shown.astype(object).map(repr) + "); "
    return out, reasons


DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%b-%y", "%d-%b-%Y",
                "%d %b %Y", "%b %d, %Y", "%Y%m%d")
TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S")


class AmbiguousDates(ValueError):
    """Dates fit both a day-first and a month-first format equally well."""


_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$")


def _in_utc(s: pd.Series, notes: list[str] | None, name: str) -> pd.Series:
    """ISO timestamps carrying UTC offsets (several, or some without one) as naive UTC times.

    An export across a clock change writes ``+00:00`` in winter and ``+01:00`` in summer; each
    value is moved to UTC by its own offset. Values without an offset are read as UTC already.
    """
    txt = s.astype("string").str.strip()
    aware = txt.str.contains(_OFFSET, na=False).to_numpy(bool)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if aware.any():
        out[aware] = pd.to_datetime(txt[aware], format="ISO8601", errors="coerce", utc=True).dt.tz_convert(None)
    if (~aware).any():
        out[~aware] = pd.to_datetime(txt[~aware], format="ISO8601", errors="coerce")
    if notes is not None:
        offsets = txt[aware].str.extract(r"(Z|[+-]\d{2}(?::?\d{2})?)$", expand=False).value_counts()
        shown = ", ".join(offsets.index[:4]) + (" …" if len(offsets) > 4 else "")
        naive = int((~aware & txt.notna().to_numpy(bool) & (txt != "").fillna(False).to_numpy(bool)).sum())
        notes.append(f"{name}: timestamps carry {len(offsets)} UTC offset{'s' if len(offsets) != 1 else ''} ({shown}); "
                     "every one was converted to UTC" + (f", and {naive:,} without an offset {'was' if naive == 1 else 'were'} "
                                                         "read as UTC" if naive else ""))
    return out


def _to_datetime(s: pd.Series, date_format: str | None, *, notes: list[str] | None = None,
                 name: str = "date") -> pd.Series:
    """Parse dates: the params' format, else ISO 8601, else the best of a list of common formats.

    Timestamps with UTC offsets are read in UTC (each by its own offset, so a column spanning a
    clock change is read right); ``notes`` receives a sentence saying so.

    Raises
    ------
    AmbiguousDates
        When a day-first and a month-first format parse the same share of values (e.g. every
        day is 12 or less), so the reading cannot be decided from the data.
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        if getattr(s.dt, "tz", None) is None:
            return s.astype("datetime64[ns]")
        if notes is not None:  # the CSV reader reads ISO offsets itself, into UTC
            notes.append(f"{name}: timestamps carry UTC offsets; every one was converted to UTC" if str(s.dt.tz) == "UTC"
                         else f"{name}: timestamps in time zone {s.dt.tz} were converted to UTC")
        return s.dt.tz_convert(None).astype("datetime64[ns]")
    if date_format:
        return pd.to_datetime(s, format=date_format, errors="coerce")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # mixed offsets: handled below, value by value
        conv = pd.to_datetime(s, format="ISO8601", errors="coerce")
    if not pd.api.types.is_datetime64_any_dtype(conv) or getattr(conv.dt, "tz", None) is not None:
        return _in_utc(s, notes, name)
    present = s.notna() & (s.astype("string").str.strip() != "")
    if present.any() and conv[present].isna().mean() > 0.5:
        sample = s[present].astype(str).str.strip().head(2000)
        scores = {}
        for fmt in (f + t for f in DATE_FORMATS for t in TIME_SUFFIXES):
            scores[fmt] = pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean()
        best = max(scores.values())
        if best > 0.5:
            winners = [f for f, v in scores.items() if v == best]
            dayfirst = {f for f in winners if f.startswith(("%d/", "%d-%m", "%d."))}
            monthfirst = {f for f in winners if f.startswith(("%m/", "%m-"))}
            if dayfirst and monthfirst:
                raise AmbiguousDates(f"dates such as {sample.iloc[0]!r} read as both {sorted(dayfirst)[0]} and "
                                     f"{sorted(monthfirst)[0]}")
            conv = pd.to_datetime(s, format=winners[0], errors="coerce")
    if getattr(conv.dt, "tz", None) is not None:
        conv = conv.dt.tz_convert(None)
    return conv


# --------------------------------------------------------------------------- pandera


def pandera_schema(table: str, columns: list[Column], present: list[str], as_of: pd.Timestamp):
    """The pandera schema checking values of the columns present in a mapped table.

    Checks: ranges (``lo``/``hi``), whole numbers, no future dates (after ``as_of``), unique keys
    (every duplicate after the first is reported), non-null keys, and for customers an end date
    not before the start date.
    """
    import pandera.pandas as pa

    cols = {}
    for col in columns:
        if col.name not in present or col.contact:
            continue
        checks = []
        if col.kind in ("int", "float"):
            if col.lo is not None and col.hi is not None:
                checks.append(pa.Check.in_range(col.lo, col.hi, error=f"outside {col.lo:g}–{col.hi:g}"))
            elif col.lo is not None:
                checks.append(pa.Check.greater_than_or_equal_to(col.lo, error=f"below {col.lo:g}"))
            if col.whole:
                checks.append(pa.Check(lambda s: s % 1 == 0, error="not a whole number"))
        if col.kind in ("date", "datetime") and table != "operations":
            checks.append(pa.Check.less_than_or_equal_to(as_of, error=f"after the analysis date {as_of.date()}"))
        cols[col.name] = pa.Column(nullable=col.nullable, unique=col.unique, checks=checks,
                                   report_duplicates="exclude_first", required=True, coerce=False)
    df_checks = []
    if table == "customers" and {"start_date", "end_date"} <= set(present):
        df_checks.append(pa.Check(lambda d: d["end_date"].isna() | d["start_date"].isna() | (d["end_date"] >= d["start_date"]),
                                  error="end_date before start_date"))
    return pa.DataFrameSchema(cols, checks=df_checks, strict=False, name=table)


def check_rows(table: str, df: pd.DataFrame, columns: list[Column], as_of: pd.Timestamp) -> pd.Series:
    """Validate lazily with pandera and return one reason string per row ('' when valid)."""
    import pandera.errors as pe

    reasons = pd.Series("", index=df.index, dtype=object)
    schema = pandera_schema(table, columns, list(df.columns), as_of)
    try:
        schema.validate(df, lazy=True)
    except pe.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()].copy()
        # A frame-level check reports one failure case per column of the failing row; name it once.
        frame_level = fc["schema_context"] == "DataFrameSchema"
        fc.loc[frame_level, "column"] = "row"
        for (column, check), grp in fc.groupby(["column", "check"], dropna=False, sort=False):
            label = _check_label(str(check))
            idx = pd.Index(grp["index"].astype(int).unique())
            idx = idx[idx.isin(reasons.index)]
            col = column if isinstance(column, str) and column != table else "row"
            reasons.loc[idx] = reasons.loc[idx] + f"{col}: {label}; "
    return reasons


def _check_label(check: str) -> str:
    if check.startswith("field_uniqueness") or check == "column_uniqueness" or "unique" in check:
        return "duplicate key"
    if check == "not_nullable":
        return "missing key"
    return check
