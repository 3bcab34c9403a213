"""``cxtemplate new ORG --data DIR``: inspect a folder of exports and write a commented params file.

The consultant gets a complete ``params/<org>.yaml`` in the style of ``params/demo.yaml`` within
seconds: one source per recognised file with its column mapping, metrics enabled only when their
column was found, drivers, segments, churn covariates, a placeholder owner and the reporting
defaults. Every guess carries a comment with its confidence (0–1) and its evidence; everything
that could not be decided is a ``# TODO:`` comment. ``cxtemplate validate`` then guides the rest.

How files are read (a sample of :data:`~cxtemplate.scaffold_guess.SAMPLE_ROWS` rows each):
CSV / TSV / TXT with a sniffed encoding (UTF-8, UTF-8 with a byte-order mark, else cp1252 or
latin-1) and delimiter; Parquet (first row group batch); Excel (every sheet). How a file's table
and columns are guessed is in :mod:`cxtemplate.scaffold_guess`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import TABLES
from .errors import CxError
from .scaffold_guess import (MAX_DRIVERS, MAX_SEGMENT_LEVELS, SAMPLE_ROWS, SPECS, ColumnProfile, Match, TableGuess,
                             guess_tables, looks_personal, looks_sensitive, normalise, parse_dates, profile_frame)

DATA_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
                 ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel"}
SCAN_ROWS = 20_000      # rows read from the top of a file; the profiled sample is drawn from them
EXCEL_SCAN_ROWS = 5_000
MIN_CONFIDENCE = 0.3
MIN_EVIDENCE = 1.5
DATE_COLUMNS = ("start_date", "end_date", "responded_at", "started_at", "period")
EVENT_COLUMNS = ("responded_at", "started_at", "period")
CATEGORICAL = ("segment", "location", "plan", "journey_stage", "touchpoint", "channel")
COMMENT_COLUMN = 33
MAX_SEGMENTS = 8


class ScaffoldError(CxError):
    """``cxtemplate new`` cannot start: no folder, no data files, or a params file already there."""


class ParamsExist(ScaffoldError, FileExistsError):
    """The params file exists and ``force`` was not given."""


# --------------------------------------------------------------------------- reading samples


@dataclass
class Sample:
    """A sample of one data file (or one sheet of a workbook) and how to read it."""

    path: Path
    kind: str                       # csv | parquet | excel
    frame: pd.DataFrame
    encoding: str = "utf-8"
    encoding_why: str = ""
    delimiter: str = ","
    sheet: str | None = None
    sheets: int = 1

    @property
    def label(self) -> str:
        """The file name, with the sheet for a workbook of several sheets."""
        return self.path.name + (f" [sheet {self.sheet}]" if self.sheet is not None and self.sheets > 1 else "")


@dataclass
class Inspection:
    """What a folder holds: readable samples, files that could not be read, other files."""

    folder: Path
    samples: list[Sample]
    unreadable: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def sniff_encoding(path: Path, limit: int = 8 << 20) -> tuple[str, str]:
    """The text encoding of a file (from its first ``limit`` bytes) and why.

    Returns ``utf-8-sig`` for a UTF-8 byte-order mark, ``utf-8`` when the bytes decode as UTF-8,
    ``cp1252`` for Windows exports that use its 0x80–0x9F characters, else ``latin-1`` (which reads
    any byte).
    """
    with open(path, "rb") as fh:
        raw = fh.read(limit)
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "the file starts with a UTF-8 byte-order mark"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "the file starts with a UTF-16 byte-order mark"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
        return "utf-8", ""
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start:,} is not UTF-8"
    if re.search(rb"[\x80-\x9f]", raw):
        try:
            raw.decode("cp1252")
            return "cp1252", f"{where}; Windows-1252 reads it"
        except UnicodeDecodeError:
            pass
    return "latin-1", f"{where}; latin-1 reads every byte (TODO: check accented letters)"


def sniff_delimiter(text: str, suffix: str) -> str:
    """The field delimiter of delimited text: comma, semicolon, tab or pipe."""
    lines = text.splitlines()
    header = lines[0] if lines else ""
    if suffix in (".tsv", ".tab") and "\t" in header:
        return "\t"
    try:
        found = csv.Sniffer().sniff("\n".join(lines[:30]), delimiters=",;\t|").delimiter
        if found in header:
            return found
    except csv.Error:
        pass
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ("\t" if suffix in (".tsv", ".tab") else ",")


def thin(frame: pd.DataFrame, k: int = SAMPLE_ROWS, head: int = 500, seed: int = 0) -> pd.DataFrame:
    """At most ``k`` rows: the first ``head`` and a seeded random draw from the rest, in file order.

    Exports are often sorted (by date, by brand, by id), so the first rows alone would show a
    narrow slice of the levels and ranges. The index keeps each row's position in the file.
    """
    if len(frame) <= k:
        return frame
    rest = np.random.default_rng(seed).choice(np.arange(head, len(frame)), size=k - head, replace=False)
    return frame.iloc[np.sort(np.concatenate([np.arange(head), rest]))]


def read_samples(path: Path) -> list[Sample]:
    """Samples of a data file: one for a CSV or Parquet file, one per sheet of a workbook."""
    kind = DATA_SUFFIXES[path.suffix.lower()]
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        batch = next(pf.iter_batches(batch_size=SCAN_ROWS), None)
        table = pa.Table.from_batches([batch]) if batch is not None else pf.schema_arrow.empty_table()
        return [Sample(path, kind, thin(table.to_pandas(date_as_object=False)))]
    if kind == "excel":
        book = pd.ExcelFile(path)
        out = []
        for sheet in book.sheet_names:
            frame = thin(book.parse(sheet, nrows=EXCEL_SCAN_ROWS))
            frame.columns = [str(c) for c in frame.columns]
            out.append(Sample(path, kind, frame, sheet=str(sheet), sheets=len(book.sheet_names)))
        return out
    encoding, why = sniff_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        head = fh.read(64 << 10)
    delimiter = sniff_delimiter(head, path.suffix.lower())
    try:
        frame = pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=SCAN_ROWS, low_memory=False)
    except UnicodeDecodeError:  # a non-UTF-8 byte beyond the sniffed part of the file
        encoding, why = "latin-1", "a byte deep in the file is not UTF-8; latin-1 reads every byte (TODO: check)"
        frame = pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=SCAN_ROWS, low_memory=False)
    frame = thin(frame)
    frame.columns = [str(c) for c in frame.columns]
    return [Sample(path, kind, frame, encoding=encoding, encoding_why=why, delimiter=delimiter)]


def read_column(sample: Sample, column: str) -> pd.Series:
    """One column of the whole file (for the latest date); the sample's column when that fails."""
    try:
        if sample.kind == "parquet":
            import pyarrow.parquet as pq

            return pq.read_table(sample.path, columns=[column]).to_pandas(date_as_object=False)[column]
        if sample.kind == "excel":
            return pd.read_excel(sample.path, sheet_name=sample.sheet, usecols=[column])[column]
        return pd.read_csv(sample.path, sep=sample.delimiter, encoding=sample.encoding, usecols=[column],
                           dtype=str)[column]
    except Exception:  # noqa: BLE001 - the sample is a fine fallback for a date range
        return sample.frame[column]


def inspect_folder(folder: Path) -> Inspection:
    """Read a sample of every data file in a folder (not recursive).

    Raises
    ------
    ScaffoldError
        When the folder does not exist or holds no CSV, TSV, Parquet or Excel file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ScaffoldError(f"data folder not found: {folder}")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    data = [p for p in files if p.suffix.lower() in DATA_SUFFIXES]
    if not data:
        shown = ", ".join(p.name for p in files[:10]) or "nothing"
        raise ScaffoldError(f"no data files in {folder} (looked for {', '.join(sorted(DATA_SUFFIXES))}; "
                            f"found {shown}); point --data at the folder holding the client's exports")
    out = Inspection(folder, [], ignored=[p.name for p in files if p not in data])
    for p in data:
        try:
            out.samples.extend(read_samples(p))
        except Exception as exc:  # noqa: BLE001 - listed as a TODO, the other files go on
            out.unreadable[p.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    return out


# --------------------------------------------------------------------------- which file is which table


@dataclass
class Recognised:
    """A file recognised as a canonical table."""

    sample: Sample
    profiles: list[ColumnProfile]
    guess: TableGuess
    others: list[TableGuess]

    def profile(self, column: str) -> ColumnProfile:
        """The profile of a source column."""
        return next(p for p in self.profiles if p.name == column)


@dataclass
class Plan:
    """The recognised sources by table and the files left for the consultant."""

    sources: dict[str, Recognised]
    unrecognised: list[tuple[Sample, str]]


def plan_sources(inspection: Inspection) -> Plan:
    """Guess each sample's table; keep the most confident file per table."""
    scored = []
    for s in inspection.samples:
        profiles = profile_frame(s.frame)
        guesses = guess_tables(profiles) if len(s.frame.columns) and len(s.frame) else []
        scored.append((s, profiles, guesses))
    scored.sort(key=lambda e: -(e[2][0].confidence if e[2] else 0.0))
    chosen: dict[str, Recognised] = {}
    left: list[tuple[Sample, str]] = []
    for s, profiles, guesses in scored:
        if not guesses:
            left.append((s, "empty: no rows or no columns"))
            continue
        best = guesses[0]
        closest = (f"closest: {best.table} {best.confidence:.2f}" if best.evidence >= 0.5
                   else "no canonical table fits its columns")
        if best.evidence < 0.5:
            left.append((s, closest))
        elif not best.feasible:
            left.append((s, f"{closest}, but it lacks {', '.join(best.missing_required)}"))
        elif best.confidence < MIN_CONFIDENCE or best.evidence < MIN_EVIDENCE:
            left.append((s, f"{closest}: too little evidence"))
        elif best.table in chosen:
            left.append((s, f"also looks like {best.table} ({best.confidence:.2f}), but "
                            f"{chosen[best.table].sample.label} is the {best.table} source: one file per table"))
        else:
            chosen[best.table] = Recognised(s, profiles, best, guesses[1:])
    order = {s.label: i for i, s in enumerate(inspection.samples)}
    left.sort(key=lambda e: order[e[0].label])
    return Plan({t: chosen[t] for t in TABLES if t in chosen}, left)


# --------------------------------------------------------------------------- dates, currency


def robust_extreme(values: pd.Series, latest: bool = True) -> tuple[pd.Timestamp | None, int]:
    """The latest (or earliest) date, ignoring a thin tail of stragglers far from the rest.

    Typos and future-dated rows sit weeks or years beyond the bulk of the data. The last date is
    dropped while it lies more than a week (or 20 typical gaps) beyond the one before it, up to
    1% of the rows. Returns the date and how many rows were ignored.
    """
    v = np.sort(values.dropna().to_numpy(dtype="datetime64[s]").astype(np.int64))
    v = v if latest else np.sort(-v)
    n = len(v)
    if not n:
        return None, 0
    tail = v[-max(10, n // 10):]
    typical = float(np.median(np.diff(tail))) if len(tail) > 1 else 0.0
    threshold = max(7 * 86400.0, 20 * typical)
    k = n - 1
    while n - 1 - k < max(1, n // 100) and k > 0 and v[k] - v[k - 1] > threshold:
        k -= 1
    return pd.Timestamp(int(v[k] if latest else -v[k]), unit="s"), n - 1 - k


def date_bounds(plan: Plan, today: dt.date) -> dict[str, Any]:
    """``as_of`` (the latest date found) and ``start`` (the first month of events), with notes."""
    latest: list[tuple[pd.Timestamp, str, int]] = []
    first: list[pd.Timestamp] = []
    for table, rec in plan.sources.items():
        for canon in DATE_COLUMNS:
            m = rec.guess.matches.get(canon)
            if m is None:
                continue
            d = parse_dates(read_column(rec.sample, m.column), m.info.get("date_format"))
            hi, dropped = robust_extreme(d)
            if hi is None:
                continue
            if canon == "period" and (d.dropna().dt.day == 1).all():
                hi = hi + pd.offsets.MonthEnd(0)
            latest.append((hi, f"{table}.{canon}" + (f" ({m.column})" if m.column != canon else ""), dropped))
            if canon in EVENT_COLUMNS:
                first.append(robust_extreme(d, latest=False)[0])
    out: dict[str, Any] = {}
    if not latest:
        out["as_of"] = today
        out["as_of_note"] = "TODO: no dates found in the data, so today's date; set the analysis date"
        return out
    hi, where, dropped = max(latest, key=lambda e: e[0])
    as_of = min(hi.date(), today)
    note = f"guess: the latest date in the data, {where}"
    later = sum(e[2] for e in latest)
    if later:
        note += f"; {later} later outlier date(s) ignored (they will be quarantined as future)"
    if hi.date() > today:
        note += "; capped at today"
    out["as_of"], out["as_of_note"] = as_of, note
    if first:
        start = min(first).date().replace(day=1)
        if start < as_of:
            out["start"] = start
            out["start_note"] = "first month of survey / conversation / KPI data; earlier rows stay out of trends"
    return out


COUNTRY_CURRENCY = {
    "united kingdom": "GBP", "uk": "GBP", "great britain": "GBP", "england": "GBP", "scotland": "GBP",
    "wales": "GBP", "northern ireland": "GBP", "london": "GBP", "manchester": "GBP", "birmingham": "GBP",
    "glasgow": "GBP", "leeds": "GBP", "edinburgh": "GBP", "bristol": "GBP", "cardiff": "GBP", "belfast": "GBP",
    "france": "EUR", "germany": "EUR", "spain": "EUR", "italy": "EUR", "netherlands": "EUR", "ireland": "EUR",
    "portugal": "EUR", "belgium": "EUR", "austria": "EUR", "finland": "EUR", "greece": "EUR",
    "united states": "USD", "usa": "USD", "us": "USD", "canada": "CAD", "australia": "AUD", "new zealand": "NZD",
    "india": "INR", "japan": "JPY", "switzerland": "CHF", "sweden": "SEK", "norway": "NOK", "denmark": "DKK",
    "poland": "PLN", "south africa": "ZAR", "brazil": "BRL", "mexico": "MXN", "singapore": "SGD",
}
CURRENCY_CODES = {"gbp", "eur", "usd", "cad", "aud", "nzd", "inr", "jpy", "chf", "sek", "nok", "dkk", "pln", "zar"}


def guess_currency(plan: Plan) -> tuple[str, str]:
    """A currency from column names (``revenue_eur``) or place names in the data, with the evidence."""
    votes: dict[str, list[str]] = {}
    for rec in plan.sources.values():
        for p in rec.profiles:
            for token in p.norm.split("_"):
                if token in CURRENCY_CODES:
                    votes.setdefault(token.upper(), []).append(f"column '{p.name}'")
            if p.is_text and p.n_unique <= 200:
                places = [v for v in p.levels if v.strip().lower() in COUNTRY_CURRENCY]
                for v in places[:3]:
                    votes.setdefault(COUNTRY_CURRENCY[v.strip().lower()], []).append(v)
    if not votes:
        return "GBP", "TODO: no currency found in the data; GBP is the default (ISO 4217 code)"
    code = max(votes, key=lambda c: len(votes[c]))
    return code, f"guess 0.6: {', '.join(dict.fromkeys(votes[code]))}; check it"


# --------------------------------------------------------------------------- extra columns


@dataclass
class Extra:
    """An unmapped source column: kept as an attribute or not, and why."""

    column: str
    keep: bool
    note: str
    segment: bool = False
    covariate: bool = False


def classify_extra(p: ColumnProfile) -> Extra:
    """Whether an unmapped column travels as an attribute (``keep``), and whether it can be a segment or covariate."""
    if p.row_number or (p.name.startswith("Unnamed: ") and p.numeric and p.unique_share > 0.98):
        return Extra(p.name, False, "a row number")
    personal_values = p.email_share >= 0.5 or (p.is_text and p.phone_share >= 0.5)
    many = p.n_unique > MAX_SEGMENT_LEVELS or p.unique_share > 0.5
    if personal_values or (looks_personal(p.name) and many):
        return Extra(p.name, False, "personal data: not needed by the analysis, so it does not travel")
    if p.n == 0:
        return Extra(p.name, False, "empty in the sample")
    if p.n_unique == 1:
        return Extra(p.name, False, f"one value only ({p.levels[0]})")
    if p.is_date:
        return Extra(p.name, False, "a date the analysis does not use")
    if p.is_text and p.mean_len > 40 and p.unique_share > 0.3:
        return Extra(p.name, False, "free text: only one text column is analysed, and free text can hold personal data")
    id_like = p.norm.endswith("_id") or p.norm in ("id", "uuid", "guid", "key")
    if id_like or (p.unique_share >= 0.98 and p.n >= 50 and (p.is_text or p.integer)):
        return Extra(p.name, False, "an identifier")
    warn = "; a protected characteristic: check you may use it" if looks_sensitive(p.name) else ""
    if not p.numeric:
        if p.n_unique <= MAX_SEGMENT_LEVELS:
            return Extra(p.name, True, p.level_text() + warn, segment=True, covariate=True)
        return Extra(p.name, True, f"{p.level_text()}: too many for a segment{warn}")
    if p.numbers_as_text:
        return Extra(p.name, True, f"{p.range_text()} stored as text (blanks or words among the numbers): "
                                   "TODO: clean it before using it as a covariate")
    return Extra(p.name, True, p.range_text() + warn, covariate=True)


def extras(rec: Recognised) -> list[Extra]:
    """The file's unmapped columns, classified."""
    used = rec.guess.used_columns
    canonical = {s.name for s in SPECS[rec.guess.table]}
    out = []
    for p in rec.profiles:
        if p.name in used:
            continue
        if p.name in canonical:  # the integration maps a column under its canonical name whatever its values
            out.append(Extra(p.name, False, "TODO: named like a canonical column, so the integration reads it as "
                                            "one, but its values do not fit: rename, fix or map it"))
            continue
        out.append(classify_extra(p))
    if rec.guess.table in ("operations", "maturity_answers"):
        out = [Extra(e.column, False, "not used by this table") if e.keep else e for e in out]
    return out


# --------------------------------------------------------------------------- the params document


@dataclass
class Doc:
    """A params document: the data, plus comments keyed by key path.

    ``notes`` are end-of-line comments, ``heads`` comment lines before a key, ``tails`` comment
    lines after a mapping's last key, ``flow`` the paths of mappings written on one line.
    """

    data: dict = field(default_factory=dict)
    notes: dict[tuple, str] = field(default_factory=dict)
    heads: dict[tuple, list[str]] = field(default_factory=dict)
    tails: dict[tuple, list[str]] = field(default_factory=dict)
    flow: set[tuple] = field(default_factory=set)

    def note(self, path: tuple, text: str | None) -> None:
        """Attach an end-of-line comment (nothing when ``text`` is empty)."""
        if text:
            self.notes[path] = " ".join(str(text).split())

    def head(self, path: tuple, *lines: str) -> None:
        """Comment lines written before a key."""
        self.heads.setdefault(path, []).extend(lines)

    def tail(self, path: tuple, *lines: str) -> None:
        """Comment lines written after a mapping's last key."""
        self.tails.setdefault(path, []).extend(lines)


_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ".inf", ".nan", "-.inf", "+.inf"}
_PLAIN = re.compile(r"^[A-Za-z_.][A-Za-z0-9_ ./()+-]*$")


def scalar(value: Any) -> str:
    """One YAML scalar: plain when that reads back unchanged, else double-quoted."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = value.as_posix() if isinstance(value, Path) else str(value)
    plain = (_PLAIN.match(text) and text == text.strip() and text.lower() not in _RESERVED
             and not text.endswith(":") and "  " not in text)
    try:
        float(text)
        plain = False
    except ValueError:
        pass
    return text if plain else json.dumps(text, ensure_ascii=False)


def flow(value: Any, column: int = 0, width: int = 110) -> str:
    """A value on one line (``[a, b]``, ``{k: v}``), wrapping long lists under their first item."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        items = [flow(v) for v in value]
        lines, line = [], "["
        for i, item in enumerate(items):
            piece = item + (", " if i < len(items) - 1 else "]")
            if len(line) + len(piece) + column > width and line.strip() not in ("", "["):
                lines.append(line.rstrip())
                line = " " * (column + 1)
            line += piece
        return "\n".join([*lines, line if items else "[]"])
    return scalar(value)


def render(doc: Doc) -> str:
    """The document as YAML text with its comments (top-level sections separated by a blank line)."""
    lines: list[str] = []

    def put(indent: int, text: str, note: str | None) -> None:
        parts = text.split("\n")
        parts[0] = " " * indent + parts[0]
        if note:
            last = parts[-1]
            parts[-1] = last.ljust(max(COMMENT_COLUMN, len(last) + 2) - 1) + " # " + note
        lines.extend(parts)

    def comments(items: list[str], indent: int) -> None:
        lines.extend(" " * indent + ("# " + c if c else "#") for c in items)

    def mapping(d: dict, path: tuple, indent: int) -> None:
        for key, value in d.items():
            p = (*path, key)
            if indent == 0 and lines:
                lines.append("")
            comments(doc.heads.get(p, []), indent)
            k = scalar(key)
            if isinstance(value, dict) and value and p not in doc.flow:
                put(indent, f"{k}:", doc.notes.get(p))
                mapping(value, p, indent + 2)
            elif isinstance(value, list) and value and any((*p, i) in doc.notes for i in range(len(value))):
                put(indent, f"{k}:", doc.notes.get(p))
                for i, item in enumerate(value):
                    put(indent + 2, f"- {flow(item, indent + 4)}", doc.notes.get((*p, i)))
            else:
                put(indent, f"{k}: {flow(value, indent + len(k) + 2)}", doc.notes.get(p))
            comments(doc.tails.get(p, []), indent + 2)

    comments(doc.heads.get((), []), 0)
    mapping(doc.data, (), 0)
    return "\n".join(lines) + "\n"


def _plain_data(value: Any) -> Any:
    """The data as YAML reads it back (paths as text, tuples as lists)."""
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_data(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    return value


def check_round_trip(text: str, data: dict) -> None:
    """Raise ``RuntimeError`` when the text does not read back as the data (a quoting bug)."""
    import yaml

    from .config_loader import _UniqueKeyLoader

    back = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    if back != _plain_data(data):
        raise RuntimeError("cxtemplate new wrote YAML that does not read back as intended; please report this")


# --------------------------------------------------------------------------- building the document


def org_id(org: str) -> str:
    """The organisation id: lower case, letters, digits, '-' and '_' (e.g. 'Acme Bank' → 'acme-bank')."""
    s = re.sub(r"[^a-z0-9_-]+", "-", str(org).strip().lower()).strip("-_")[:64]
    if not s:
        raise ScaffoldError(f"'{org}' gives an empty organisation id; use letters or digits")
    return s


def _relative(path: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows): only an absolute path will do
        return path.resolve().as_posix()


def _match_note(m: Match) -> str:
    return f"guess {m.confidence:.2f}: {m.why}"


TODO_COLUMNS = {
    "customers": ("start_date", "end_date", "tenure", "churned", "revenue", "segment", "location", "plan"),
    "responses": ("responded_at", "customer_id", "nps", "csat", "ces", "comment", "location", "touchpoint",
                  "journey_stage", "channel"),
    "interactions": ("customer_id", "started_at", "channel", "intent", "sentiment", "resolved", "handle_seconds",
                     "text"),
    "operations": ("location",),
    "maturity_answers": ("role",),
}
WHY_NEEDED = {"responded_at": "trends by period need it", "revenue": "revenue at risk needs it",
              "end_date": "without it nobody has left",
              "customer_id": "links answers to customers and churn", "nps": "", "csat": "", "ces": "",
              "location": "scorecards and location alerts need it"}


def _source(doc: Doc, table: str, rec: Recognised, params_dir: Path) -> None:
    """One ``sources`` entry with its mapping and comments."""
    g, s = rec.guess, rec.sample
    base = ("sources", table)
    src: dict[str, Any] = {"file": _relative(s.path, params_dir)}
    evidence = ", ".join(f"{c} ← {m.column}" for c, m in list(g.matches.items())[:4])
    if g.drivers:
        evidence += f", {len(g.drivers)} rating columns"
    doc.head(base, f"{s.label} → {table} (guess {g.confidence:.2f}: {evidence})")
    rival = next((o for o in rec.others if o.feasible and o.confidence >= MIN_CONFIDENCE), None)
    if rival is not None:
        doc.head(base, f"  it could also be {rival.table} ({rival.confidence:.2f})")
    if s.sheet is not None:
        src["sheet"] = s.sheet
        doc.note((*base, "sheet"), f"one of {s.sheets} sheets" if s.sheets > 1 else None)
    if s.encoding != "utf-8":
        src["encoding"] = s.encoding
        doc.note((*base, "encoding"), f"sniffed: {s.encoding_why}")
    if s.kind == "csv" and s.delimiter != ",":
        src["delimiter"] = s.delimiter
        doc.note((*base, "delimiter"), "sniffed from the header")

    columns: dict[str, str] = {}
    for canon, m in g.matches.items():
        columns[canon] = m.column
        doc.note((*base, "columns", canon), _match_note(m))
    for m in g.drivers[:MAX_DRIVERS]:
        columns[m.canon] = m.column
        doc.note((*base, "columns", m.canon), f"driver {m.confidence:.2f}: {m.why}")
    if columns:
        src["columns"] = columns
        doc.note((*base, "columns"), "canonical name: column in the file")
        if any(c.startswith("contact_") for c in columns):
            doc.tail((*base, "columns"), "contact_* columns go only to the restricted follow-up folder; names also",
                     "redact comments that mention them")

    kept = [e for e in extras(rec) if e.keep]
    overflow = g.drivers[MAX_DRIVERS:]
    if kept or overflow:
        src["keep"] = [e.column for e in kept] + [m.column for m in overflow]
        doc.note((*base, "keep"), "extra columns kept as attributes (segments, covariates)")
        for i, e in enumerate(kept):
            doc.note((*base, "keep", i), e.note)
        for j, m in enumerate(overflow):
            doc.note((*base, "keep", len(kept) + j), f"TODO: a rating beyond the {MAX_DRIVERS}-driver limit")

    recode = {c: m.recode for c, m in g.matches.items() if m.recode}
    if recode:
        src["recode"] = recode
        for c, m in g.matches.items():
            if m.recode:
                doc.flow.add((*base, "recode", c))
                doc.note((*base, "recode", c), f"guess {m.confidence:.2f}: {m.info['values']}")
    missing = {m.canon: m.missing for m in g.drivers[:MAX_DRIVERS] if m.missing}
    if missing:
        src["missing"] = missing
        doc.note((*base, "missing"), "guess 0.70: 0 on a 1–5 rating means 'not applicable' here; "
                                     "read as not answered, not as the worst score")

    formats = {m.info.get("date_format") for c, m in g.matches.items() if c in DATE_COLUMNS}
    named = sorted(f for f in formats if f)
    if named:
        src["date_format"] = named[0]
        note = "sniffed from the sample: " + next(m.info["values"] for c, m in g.matches.items()
                                                  if m.info.get("date_format") == named[0])
        if len(formats) > 1:
            note += "; TODO: the file's date columns use different formats, only one can be given"
        doc.note((*base, "date_format"), note)
    if "tenure" in g.matches:
        m = g.matches["tenure"]
        src["tenure_unit"] = m.info["tenure_unit"]
        doc.note((*base, "tenure_unit"), f"guess {m.info['unit_confidence']:.2f}: {m.info['unit_why']}")
    if g.kpi_columns:
        src["kpi_columns"] = list(g.kpi_columns)
        doc.note((*base, "kpi_columns"), "wide format: one column per KPI (melted to kpi, value)")

    doc.data["sources"][table] = src
    dropped = [e for e in extras(rec) if not e.keep]
    if dropped:
        doc.tail(base, "not kept: " + "; ".join(f"{e.column} ({e.note})" for e in dropped))
    absent = [c for c in TODO_COLUMNS[table] if c not in g.matches]
    if table == "customers":
        if "start_date" in g.matches:  # dates: end_date (or churned) says who left
            gone = {"tenure", "churned"} | ({"end_date"} if "churned" in g.matches else set())
        else:                          # tenure: churned says who left
            gone = {"start_date", "end_date"} | ({"tenure", "churned"} if "tenure" in g.matches else set())
        absent = [c for c in absent if c not in gone]
    if absent:
        why = [f"{c} ({WHY_NEEDED[c]})" if WHY_NEEDED.get(c) else c for c in absent]
        doc.tail(base, "TODO: not found (map them under columns if the file has them): " + ", ".join(why))


def _metrics(doc: Doc, plan: Plan) -> None:
    rec = plan.sources.get("responses")
    matches = rec.guess.matches if rec else {}
    metrics: dict[str, Any] = {}
    doc.data["metrics"] = metrics
    path = ("metrics",)
    if "nps" in matches:
        metrics["nps"] = {"enabled": True}
        doc.note((*path, "nps"), f"from '{matches['nps'].column}': % promoters (9–10) − % detractors (0–6)")
    else:
        metrics["nps"] = {"enabled": False}
        doc.note((*path, "nps"), "TODO: no 0–10 likelihood-to-recommend column found")
    doc.flow.add((*path, "nps"))
    if "csat" in matches:
        m = matches["csat"]
        scale = list(m.info.get("scale", (1, 5)))
        csat: dict[str, Any] = {"enabled": True, "method": "top2box", "scale": scale}
        if "success_min" in m.info:
            csat["success_min"] = m.info["success_min"]
            doc.note((*path, "csat", "success_min"), "only the top answer counts as satisfied")
        metrics["csat"] = csat
        doc.note((*path, "csat"), f"from '{m.column}' ({m.info['values']})")
        doc.note((*path, "csat", "method"), "top2box (share answering the top two) | mean")
        doc.note((*path, "csat", "scale"), "guess from the values: lowest and highest answer")
    else:
        metrics["csat"] = {"enabled": False}
        doc.flow.add((*path, "csat"))
        doc.note((*path, "csat"), "TODO: no satisfaction column found")
    if "ces" in matches:
        m = matches["ces"]
        metrics["ces"] = {"enabled": True, "method": "mean", "scale": list(m.info.get("scale", (1, 7)))}
        doc.note((*path, "ces"), f"from '{m.column}' ({m.info['values']}); check that high = easy")
    else:
        metrics["ces"] = {"enabled": False}
        doc.flow.add((*path, "ces"))
        doc.note((*path, "ces"), "TODO: no customer-effort column found")
    drivers = rec.guess.drivers[:MAX_DRIVERS] if rec else []
    outcome = next((k for k in ("nps", "csat", "ces") if k in matches), "nps")
    block: dict[str, Any] = {"columns": [m.canon for m in drivers]}
    if drivers:
        block["scale"] = list(rec.guess.driver_scale)
        doc.note((*path, "drivers", "scale"), "after 0 → not answered" if any(m.missing for m in drivers)
                 else "guess from the values")
        doc.note((*path, "drivers", "columns"), f"{len(drivers)} rating columns (mapped under sources.responses)")
    else:
        doc.note((*path, "drivers", "columns"), "TODO: no rating columns found to explain the outcome")
    block["outcome"] = outcome
    doc.note((*path, "drivers", "outcome"), "what the drivers explain")
    labels = {m.canon: m.info["label"] for m in drivers if m.info.get("label") and m.info["label"] != m.canon}
    if labels:
        block["labels"] = labels
        doc.note((*path, "drivers", "labels"), "plain-language names (from the file's headers)")
    metrics["drivers"] = block
    metrics["confidence"] = 0.95
    doc.head(path, "-" * 93,
             "Metric definitions: enabled only when their column was found. Vendors define CSAT and CES",
             "differently, so the definition is a parameter and every page states the one used.",
             "-" * 93)


def _attribute_columns(rec: Recognised | None, purpose: str) -> list[tuple[str, str]]:
    """(column name in the table, why) for segments (``segment``) or churn covariates (``covariate``)."""
    if rec is None:
        return []
    out = []
    for canon in CATEGORICAL:
        m = rec.guess.matches.get(canon)
        if m is None:
            continue
        p = rec.profile(m.column)
        if 2 <= p.n_unique <= MAX_SEGMENT_LEVELS:
            out.append((canon, f"{m.column}: {p.level_text()}" if m.column != canon else p.level_text()))
    for e in extras(rec):
        if e.keep and getattr(e, purpose) and not (purpose == "covariate" and looks_personal(e.column)):
            out.append((e.column, e.note))
    return out


def _segments_and_churn(doc: Doc, plan: Plan) -> None:
    segs: dict[str, str] = {}
    for table in ("responses", "customers"):
        for col, why in _attribute_columns(plan.sources.get(table), "segment"):
            segs.setdefault(col, why)
    rank = {c: i for i, c in enumerate(CATEGORICAL)}
    ordered = sorted(segs.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    segs, more = dict(ordered[:MAX_SEGMENTS]), [c for c, _ in ordered[MAX_SEGMENTS:]]
    doc.data["segments"] = list(segs)
    doc.head(("segments",), "Columns of the responses table (or the customer's CRM record) to break results down by:",
             "categorical columns with 2–30 levels found in the data.")
    for i, why in enumerate(segs.values()):
        doc.note(("segments", i), why)
    if not segs:
        doc.note(("segments",), "TODO: no categorical column with 2–30 levels found")
    if more:
        doc.tail(("segments",), f"TODO: more candidates, left out to keep the report readable: {', '.join(more)}")

    doc.data["maturity"] = {"model": "forrester_six_disciplines", "target_stage": 3}
    doc.note(("maturity", "model"), "or birdeye_four_pillars, or a YAML file of your own")
    doc.note(("maturity", "target_stage"), "TODO: agree the target stage with the client")
    if "maturity_answers" not in plan.sources:
        doc.head(("maturity",), "No maturity questionnaire answers were found; notebook 01 says so and the run goes on.")

    doc.data["objectives"] = []
    enabled = [k for k in ("nps", "csat", "ces") if doc.data["metrics"][k].get("enabled")]
    example = enabled[0] if enabled else "nps"
    doc.head(("objectives",), "Objectives: business goal → CX metric → target by a deadline, owned by a governance role.",
             "TODO: agree them with the client, e.g.",
             f"  - {{id: first-goal, goal: \"TODO\", metric: {example}, target: 0, deadline: "
             f"{dt.date.today().year + 1}-12-31, owner: cx_lead}}")

    cust = plan.sources.get("customers")
    churn: dict[str, Any] = {}
    doc.data["churn"] = churn
    if cust is None:
        churn["enabled"] = False
        doc.note(("churn", "enabled"), "no customer table found: no churn analysis")
        return
    m = cust.guess.matches
    usable = "start_date" in m or ("tenure" in m and "churned" in m)
    churn["enabled"] = usable
    doc.note(("churn", "enabled"), "customer tenure and churn found" if usable
             else "TODO: needs start_date (and end_date) or tenure and churned")
    churn["horizon_months"] = 12
    doc.note(("churn", "horizon_months"), "risk = P(leaving within the next 12 months | still here today)")
    covs = dict(_attribute_columns(cust, "covariate"))
    churn["covariates"] = list(covs)
    for i, why in enumerate(covs.values()):
        doc.note(("churn", "covariates", i), why)
    if not covs:
        doc.note(("churn", "covariates"), "TODO: no CRM attribute found to use as a covariate")
    cx = _cx_covariates(plan)
    churn["cx_covariates"] = list(cx)
    doc.note(("churn", "cx_covariates"), "; ".join(cx.values()) if cx else "no survey or conversation linked to customers")
    rev = m.get("revenue")
    yearly = rev is not None and re.search(r"(^|_)(annual|yearly|year|arr|per_year)(_|$)", normalise(rev.column))
    churn["revenue_per"] = "year" if yearly else "month"
    doc.note(("churn", "revenue_per"), (f"'{rev.column}' is revenue per {churn['revenue_per']}: check" if rev else
                                        "TODO: no revenue column found; revenue at risk is not computed"))
    churn["top_customers"] = 50
    doc.note(("churn", "top_customers"), "length of the account managers' list")


def _cx_covariates(plan: Plan) -> dict[str, str]:
    """CX covariates the data can provide: survey scores or conversations linked by customer_id."""
    out: dict[str, str] = {}
    resp, inter = plan.sources.get("responses"), plan.sources.get("interactions")
    if resp and "customer_id" in resp.guess.matches:
        if "nps" in resp.guess.matches:
            out["nps_category"] = "nps_category: NPS answers linked by customer_id"
        if "ces" in resp.guess.matches:
            out["ces"] = "ces: effort answers linked by customer_id"
    if inter and "customer_id" in inter.guess.matches:
        if "resolved" in inter.guess.matches:
            out["unresolved_contacts"] = "unresolved_contacts: from conversations"
        if "sentiment" in inter.guess.matches:
            out["negative_contacts"] = "negative_contacts: from conversations"
    return out


def _header(doc: Doc, name: str, inspection: Inspection, plan: Plan, data_rel: str, params_file: str) -> None:
    rule = "-" * 93
    lines = [rule, f"cxtemplate — parameters of one engagement: {name}", "",
             f"Written by `cxtemplate new` on {dt.date.today().isoformat()} from the files in {data_rel}.",
             "Every mapping below is a GUESS with its confidence (0–1) and its evidence; lines marked TODO",
             "need a decision. Check them, then run", f"    cxtemplate validate {params_file}",
             "which lists every remaining problem with its line and key. params/demo.yaml is the fully",
             "commented worked example of every section. Paths are relative to THIS file.", ""]
    if plan.sources:
        lines.append("Recognised:")
        lines += [f"  {r.sample.label} → {t} (confidence {r.guess.confidence:.2f})" for t, r in plan.sources.items()]
    else:
        lines.append("TODO: no file was recognised as a canonical table; map them by hand under `sources`.")
    if plan.unrecognised:
        lines.append("TODO: not recognised (map by hand under `sources`, or ignore):")
        for s, why in plan.unrecognised:
            cols = ", ".join(str(c) for c in s.frame.columns[:25]) + (", …" if len(s.frame.columns) > 25 else "")
            lines.append(f"  {s.label} ({why}); columns: {cols or 'none'}")
    for fname, why in inspection.unreadable.items():
        lines.append(f"TODO: could not read {fname}: {why}")
    if inspection.ignored:
        lines.append("Not data files, not read: " + ", ".join(inspection.ignored))
    doc.head((), *lines, rule)


def build_document(org: str, inspection: Inspection, params_dir: Path, today: dt.date | None = None) -> Doc:
    """The params document for an organisation from an inspected folder (nothing is written)."""
    today = today or dt.date.today()
    plan = plan_sources(inspection)
    ident = org_id(org)
    name = org.strip() if org.strip() != ident else ident.replace("-", " ").replace("_", " ").title()
    doc = Doc()
    data_rel = _relative(inspection.folder, params_dir)
    _header(doc, name, inspection, plan, data_rel, (params_dir / f"{ident}.yaml").as_posix())

    currency, currency_note = guess_currency(plan)
    dates = date_bounds(plan, today)
    orgblock: dict[str, Any] = {"id": ident, "name": name, "currency": currency, "frequency": "month"}
    if "start" in dates:
        orgblock["start"] = dates["start"]
    orgblock["as_of"] = dates["as_of"]
    doc.data["organisation"] = orgblock
    doc.note(("organisation", "id"), "lower case; names the folder reports/<id>/")
    doc.note(("organisation", "name"), "TODO: the organisation's full name, as the report shows it")
    doc.note(("organisation", "currency"), currency_note)
    doc.note(("organisation", "frequency"), "reporting period: month | quarter")
    doc.note(("organisation", "start"), dates.get("start_note"))
    doc.note(("organisation", "as_of"), dates["as_of_note"])
    base = dates["as_of"].replace(year=dates["as_of"].year - 1, day=1).strftime("%Y-%m")
    doc.tail(("organisation",), f"baseline: {base}             # optional: the period trends compare with (TODO)")

    doc.data["data_root"] = data_rel
    doc.head(("data_root",), "Every source must lie inside this folder (relative to this file): the folder given to",
             "`cxtemplate new --data`. A path outside it is refused, which catches typos such as ../../")

    doc.data["sources"] = {}
    doc.head(("sources",), "-" * 93,
             "Sources: each canonical table comes from a file. columns: canonical_name: source_column;",
             "keep: extra columns kept as attributes (anything neither mapped nor kept is dropped, so",
             "personal data does not travel); recode / missing: value rules; see params/demo.yaml.",
             "-" * 93)
    for table, rec in plan.sources.items():
        _source(doc, table, rec, params_dir)
    if not plan.sources:
        doc.data["sources"] = {"responses": {"file": f"{data_rel}/TODO.csv"}}
        doc.note(("sources", "responses", "file"), "TODO: no file recognised; point this at the survey export")

    _metrics(doc, plan)
    _segments_and_churn(doc, plan)

    doc.data["actions"] = []
    doc.head(("actions",), "The action catalogue: standard actions matched to findings (driver:<column>, topic:<word>,",
             "location_drop, segment_gap, churn_risk, …). TODO: copy and adapt the catalogue of params/demo.yaml.")
    doc.data["governance"] = {"owners": {"cx_lead": {"name": "TODO: name", "title": "Head of CX"}},
                              "default_owner": "cx_lead"}
    doc.flow.add(("governance", "owners", "cx_lead"))
    doc.note(("governance", "owners", "cx_lead"), "TODO: the accountable people, one role key each")
    doc.note(("governance", "default_owner"), "owns generated actions that no catalogue entry covers")
    doc.tail(("governance",), "followup_owner: cx_lead       # calls detractors back (the inner loop)",
             "retention_owner: cx_lead      # contacts at-risk customers")
    doc.data["alerts"] = []
    doc.head(("alerts",), "Alert rules evaluated on the latest period, e.g.",
             "  - {id: location-drop, metric: nps, condition: significant_drop, by: location, owner: cx_lead}")

    resp = plan.sources.get("responses")
    by = "location" if resp and "location" in resp.guess.matches else None
    doc.data["reporting"] = {"min_n": 30, "redact_pii": True, "roles": ["executive", "manager", "analyst"],
                             "manager_scorecards_by": by, "output_dir": "../reports",
                             "cell_timeout_seconds": 900, "seed": 20251231}
    doc.note(("reporting", "min_n"), "cells with fewer responses are suppressed in stakeholder views")
    doc.note(("reporting", "redact_pii"), "e-mails, phone numbers, card numbers, known names → [email] …")
    doc.note(("reporting", "manager_scorecards_by"), "one scorecard page per location" if by else
             "TODO: no location in the responses: no manager scorecards (name a column to have them)")
    doc.note(("reporting", "output_dir"), "reports/<org>/<run_id>/ and reports/<org>/latest")
    doc.note(("reporting", "seed"), "bootstraps and samples; same inputs + seed → same numbers")
    return doc


def scaffold_text(org: str, data_dir: Path, params_dir: Path, today: dt.date | None = None) -> str:
    """The commented params YAML for an organisation's folder of exports (nothing is written)."""
    doc = build_document(org, inspect_folder(Path(data_dir)), Path(params_dir), today)
    text = render(doc)
    check_round_trip(text, doc.data)
    return text


def write_params(org: str, data_dir: Path, *, params_dir: Path = Path("params"), force: bool = False) -> Path:
    """Inspect a folder of exports and write ``<params_dir>/<org id>.yaml``.

    Parameters
    ----------
    org : str
        The organisation; its id (lower case, e.g. 'Acme Bank' → 'acme-bank') names the file.
    data_dir : Path
        Folder holding the client's CSV / TSV / Parquet / Excel exports (not searched recursively).
    params_dir : Path
        Folder of the params file (created when absent).
    force : bool
        Overwrite an existing params file.

    Returns
    -------
    Path
        The params file written.

    Raises
    ------
    ScaffoldError
        When the params file exists (and ``force`` is false), the folder is missing, or it holds
        no data file.
    """
    params_dir = Path(params_dir)
    path = params_dir / f"{org_id(org)}.yaml"
    if path.exists() and not force:
        raise ParamsExist(f"{path} already exists; pass --force to overwrite it")
    text = scaffold_text(org, Path(data_dir), params_dir)
    params_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["ScaffoldError", "ParamsExist", "inspect_folder", "plan_sources", "build_document", "scaffold_text",
           "write_params"]
