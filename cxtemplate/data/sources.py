"""Reading one configured source (CSV, Parquet, Excel or SQL) into pandas, only the columns needed.

Large files go through Arrow (multi-threaded CSV parsing, columnar Parquet reads) rather than
row-wise pandas parsing. Every failure becomes a :class:`~cxtemplate.errors.DataError` that
names the table, the source and what to change in the params; database URLs never appear in
a message.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxtemplate.config.schema import Config, Source
from cxtemplate.errors import DataError


@dataclass
class RawTable:
    """A source as read: its rows, its label for messages, and the source's full column list."""

    table: str
    label: str
    frame: pd.DataFrame
    columns: list[str]


def source_label(src: Source, cfg: Config) -> str:
    """How messages name a source: the file as written in the params, or the SQL variable."""
    if src.kind == "sql":
        return f"sql query (connection from ${src.url_env})"
    return str(src.file)


_SECRET_KEY = re.compile(r"(?i)pass|pwd|secret|token|key|auth|cred|connect")


def _scrub(message: str, url: str | None) -> str:
    """Remove a connection URL, in any rendering, and every secret it carries from an error message.

    Drivers and SQLAlchemy quote the URL their own way (re-encoded, query keys sorted, the
    ``user:password@`` part masked but a ``?password=`` query parameter left in clear), so the
    URL is replaced in each of its renderings, then its password and query values are hidden
    wherever they still appear, and :func:`~cxtemplate.data.privacy.redact_secrets` catches
    ``password=…`` style pairs.
    """
    if not url:
        return message
    from urllib.parse import quote, quote_plus

    from cxtemplate.data.privacy import redact_secrets

    renderings, secrets = {url}, []
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        renderings |= {parsed.render_as_string(hide_password=False), parsed.render_as_string(hide_password=True)}
        values = [parsed.password, *(v for key, vals in parsed.query.items() if _SECRET_KEY.search(key)
                                     for v in ((vals,) if isinstance(vals, str) else vals))]
        secrets = [form for v in values if v for form in {str(v), quote(str(v), safe=""), quote_plus(str(v))}]
    except Exception:  # noqa: BLE001 - an unparsable URL is removed literally only
        pass
    out = message
    for r in sorted(renderings, key=len, reverse=True):
        out = out.replace(r, "<connection url>")
    return redact_secrets(out, secrets)


# --------------------------------------------------------------------------- column lists


def _checked_path(table: str, src: Source, cfg: Config) -> Path:
    """The source file's path, or a DataError when it is missing or a folder."""
    label = source_label(src, cfg)
    path = cfg.resolve(src.file)
    if not path.exists():
        raise DataError(table, "file not found", source=label, hint="paths are relative to the params file")
    if path.is_dir():
        raise DataError(table, "the path is a folder, not a file", source=label,
                        hint="name the export inside it under `file:`")
    return path


def _text_lines(fh, encoding: str):
    """Decoded lines of a binary file, decoded line by line (a bad byte further down is never reached)."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pending = ""
    for raw in iter(fh.readline, b""):
        pending += decoder.decode(raw)
        while (end := pending.find("\n")) >= 0:
            yield pending[:end + 1]
            pending = pending[end + 1:]
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _csv_rows(path: Path, src: Source, n: int) -> list[list[str]]:
    """The first ``n`` rows of a CSV file as text, exactly as written (no renaming of repeated names)."""
    import csv
    import itertools

    with open(path, "rb") as fh:
        reader = csv.reader(_text_lines(fh, src.encoding), delimiter=src.delimiter or ",")
        rows = [row for row in itertools.islice(reader, n)]
    if rows and rows[0] and rows[0][0].startswith("\ufeff"):  # a byte-order mark, as Excel writes UTF-8
        rows[0][0] = rows[0][0][1:]
    return rows


def source_columns(table: str, src: Source, cfg: Config) -> list[str]:
    """The column names a source offers, read cheaply (header, schema or a zero-row query).

    The names are as the source writes them: a name the header repeats appears twice (integration
    refuses a repeated name it would read, since nothing says which column is meant).
    """
    label = source_label(src, cfg)
    kind = src.kind
    if kind == "sql":
        return list(_read_sql(table, src, cfg, limit=0).columns)
    path = _checked_path(table, src, cfg)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        if kind == "excel":
            return _excel_header(table, src, cfg)
        rows = _csv_rows(path, src, src.header_row)
        columns = [str(c) for c in rows[-1]] if len(rows) == src.header_row else []
        if not columns:
            raise DataError(table, f"the file has no header on row {src.header_row}" if src.header_row > 1
                            else "the file is empty", source=label)
        if len(columns) == 1 and (sep := _other_delimiter(columns[0], src.delimiter or ",")):
            raise DataError(table, f"the header reads as one column ({columns[0][:80]!r}): the file looks "
                                   f"delimited by {sep!r}", source=label,
                            hint=f"set `delimiter: {sep!r}` for this source")
        return columns
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        raise DataError(table, f"the header is not valid {src.encoding} text ({exc.reason})", source=label,
                        hint="set `encoding:` for this source, e.g. latin-1 or cp1252") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's, reported as such
        raise DataError(table, f"cannot read the file: {exc}", source=label) from None


def _other_delimiter(header: str, used: str) -> str | None:
    """The delimiter a one-column header is most likely split by, when it is not the one used."""
    counts = {sep: header.count(sep) for sep in (";", "\t", "|", ",") if sep != used}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def duplicated_columns(columns: list[str]) -> dict[str, list[int]]:
    """Column names a header repeats, each with the 1-based positions it appears at."""
    where: dict[str, list[int]] = {}
    for i, c in enumerate(columns, start=1):
        where.setdefault(c, []).append(i)
    return {c: pos for c, pos in where.items() if len(pos) > 1}


def find_header_row(table: str, src: Source, cfg: Config, expected: list[str], scan: int = 30) -> tuple[int, str] | None:
    """The row a file's column names are really on, when title rows sit above them.

    Exports from Excel often start with a title ("Customer survey – exported 3 Jan") and a blank
    line; the header then reads as one named column and many unnamed ones, and every wanted
    column is "missing". The first ``scan`` rows are compared with the names integration expects.

    Parameters
    ----------
    table, src, cfg
        The source (CSV or Excel; other kinds return ``None``).
    expected : list of str
        Column names integration looks for (mapped source names and canonical names).
    scan : int
        How many rows to look at.

    Returns
    -------
    (int, str) or None
        The 1-based row holding more of the expected names than the configured ``header_row``
        (and at least two), with the text of the configured header row; ``None`` when no row does.
    """
    if src.kind not in ("csv", "excel") or not expected:
        return None
    try:
        if src.kind == "csv":
            rows = _csv_rows(_checked_path(table, src, cfg), src, scan)
        else:
            frame = _workbook_sheet(table, src, cfg, header=None, nrows=scan)
            rows = [["" if pd.isna(v) else str(v) for v in r] for r in frame.itertuples(index=False)]
    except Exception:  # noqa: BLE001 - a file that cannot be scanned gets the plain missing-column errors
        return None
    wanted = {str(e).strip().lower() for e in expected}
    hits = [len(wanted & {str(v).strip().lower() for v in r}) for r in rows]
    if not hits:
        return None
    best = max(range(len(hits)), key=lambda i: hits[i])
    current = src.header_row - 1
    if best == current or hits[best] < 2 or (current < len(hits) and hits[best] <= hits[current]):
        return None
    shown = " ".join(str(v).strip() for v in rows[current] if str(v).strip()) if current < len(rows) else ""
    return best + 1, shown[:80]


def match_column(wanted: str, available: list[str]) -> str | None:
    """The closest available column name to a wanted one (case-insensitive), or ``None``."""
    lower = {c.lower(): c for c in available}
    if wanted.lower() in lower:
        return lower[wanted.lower()]
    close = difflib.get_close_matches(wanted.lower(), list(lower), n=1, cutoff=0.6)
    return lower[close[0]] if close else None


# --------------------------------------------------------------------------- reading


def id_source_columns(table: str, src: Source, cfg: Config) -> list[str]:
    """The source columns that feed the table's identifier columns (read as text, so zeros are kept)."""
    from cxtemplate.data.schemas import canonical_columns

    return [src.columns.get(c.name, c.name) for c in canonical_columns(table, cfg) if c.kind == "id"]


def read_source(table: str, src: Source, cfg: Config, wanted: list[str]) -> RawTable:
    """Read the given source columns of one source.

    Identifier columns (customer, response, agent ids …) are read as text from CSV and Excel, so
    ``00123`` keeps its leading zeros.

    Parameters
    ----------
    table : str
        The canonical table this source feeds (for messages).
    src : Source
        The source's parameters.
    cfg : Config
        The engagement's config (resolves paths).
    wanted : list of str
        Source column names to read; they must exist (checked by the caller).

    Returns
    -------
    RawTable
    """
    label = source_label(src, cfg)
    kind = src.kind
    text = [c for c in id_source_columns(table, src, cfg) if c in wanted]
    if kind == "sql":
        frame = _read_sql(table, src, cfg)
        frame = frame[[c for c in wanted if c in frame.columns]]
    elif kind == "parquet":
        path = _checked_path(table, src, cfg)
        try:
            frame = _read_parquet(path, wanted)
        except Exception as exc:  # noqa: BLE001 - a damaged file: Arrow's message names no file
            raise DataError(table, f"cannot read the Parquet file (damaged or truncated?): {type(exc).__name__}: "
                                   f"{exc}", source=label, hint="export the file again") from None
    elif kind == "excel":
        frame = _read_excel(table, src, cfg, text_columns=text)
        frame.columns = [str(c) for c in frame.columns]
        frame = frame[wanted]
    else:
        frame = _read_csv(table, src, cfg, wanted, text_columns=text)
    if kind in ("parquet", "csv"):
        import pyarrow as pa

        # Arrow's allocator keeps the freed file buffers for reuse; nothing later needs them (at a
        # million customers they are gigabytes of resident memory)
        pa.default_memory_pool().release_unused()
    return RawTable(table=table, label=label, frame=frame.reset_index(drop=True), columns=list(frame.columns))


PARQUET_BATCH_ROWS = 1_000_000


def _read_parquet(path, columns: list[str]) -> pd.DataFrame:
    """A Parquet file as pandas, converted a million rows at a time.

    Converting the whole Arrow table at once holds it and its pandas copy together (at five million
    responses, gigabytes); batch by batch, only one batch's Arrow buffers are alive beside the frame.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    if pf.metadata.num_rows <= PARQUET_BATCH_ROWS:
        return pf.read(columns=columns).to_pandas(date_as_object=False)
    parts = []
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
        parts.append(pa.Table.from_batches([batch]).to_pandas(date_as_object=False))
        del batch
        pa.default_memory_pool().release_unused()
    return pd.concat(parts, ignore_index=True)


def _read_csv(table: str, src: Source, cfg: Config, wanted: list[str], text_columns: list[str] = ()) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = _checked_path(table, src, cfg)
    label = source_label(src, cfg)
    parse = pacsv.ParseOptions(delimiter=src.delimiter or ",", newlines_in_values=True)
    # Read every column as text first when inference fails part-way through the file
    # (e.g. a score column holding "ten" far down); coercion then reports each bad row.
    attempts = [dict(block_size=1 << 24, as_text=False), dict(block_size=1 << 24, as_text=True),
                dict(block_size=1 << 28, as_text=True)]
    last: Exception | None = None
    for attempt in attempts:
        try:
            convert = pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in (wanted if attempt["as_text"] else text_columns)},
                strings_can_be_null=True)
            read = pacsv.ReadOptions(encoding=src.encoding, block_size=attempt["block_size"],
                                     skip_rows=src.header_row - 1)
            tbl = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            last = exc
    else:
        raise DataError(table, f"cannot parse the CSV file: {last}", source=label,
                        hint="check the delimiter (`delimiter:`) and quoting") from None
    for name, typ in zip(tbl.column_names, tbl.schema.types):
        if pa.types.is_binary(typ):
            bad = next((i for i, v in enumerate(tbl.column(name).to_pylist()) if v is not None and _not_text(v, src.encoding)), None)
            example = [f"row {bad + 1}: {tbl.column(name)[bad].as_py()!r}"] if bad is not None else []
            raise DataError(table, f"text is not valid {src.encoding}", source=label, column=name,
                            examples=example, hint="set `encoding:` for this source, e.g. latin-1 or cp1252")
    return tbl.to_pandas(date_as_object=False)


def _not_text(value: bytes, encoding: str) -> bool:
    try:
        value.decode(encoding)
        return False
    except UnicodeDecodeError:
        return True


def _workbook_sheet(table: str, src: Source, cfg: Config, **parse) -> pd.DataFrame:
    """The configured sheet of a workbook, parsed with pandas' ``parse`` options."""
    path = _checked_path(table, src, cfg)
    label = source_label(src, cfg)
    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # noqa: BLE001
        raise DataError(table, f"cannot open the workbook: {exc}", source=label) from None
    sheets = [str(s) for s in book.sheet_names]
    listed = ", ".join(sheets)
    sheet = src.sheet
    if sheet is None:
        if len(sheets) > 1:
            raise DataError(table, f"the workbook has {len(sheets)} sheets: {listed}",
                            source=label, hint="name the one to read with `sheet:`")
        sheet = book.sheet_names[0]
    elif isinstance(sheet, int):
        # `sheet: 2` is a position counting from 0, unless a sheet is *named* 2: then nothing says which is meant
        if str(sheet) in sheets:
            other = f"'{sheets[sheet]}'" if 0 <= sheet < len(sheets) else "no sheet"
            raise DataError(table, f"`sheet: {sheet}` is ambiguous: a sheet is named '{sheet}', and position "
                                   f"{sheet} (counting from 0) is {other} (sheets: {listed})", source=label,
                            hint=f"write `sheet: \"{sheet}\"` (quoted) for the sheet named {sheet}"
                                 + (f", or `sheet: \"{sheets[sheet]}\"` for the one at position {sheet}"
                                    if 0 <= sheet < len(sheets) else ""))
        if not 0 <= sheet < len(sheets):
            raise DataError(table, f"`sheet: {sheet}` is past the last sheet: positions count from 0 and the workbook "
                                   f"has {len(sheets)} (sheets: {listed})", source=label,
                            hint="name the sheet instead, e.g. `sheet: \"" + sheets[-1] + "\"`")
    elif sheet not in sheets:
        close = difflib.get_close_matches(sheet, sheets, n=1)
        raise DataError(table, f"no sheet named '{sheet}' (sheets: {listed})", source=label,
                        hint=f"did you mean '{close[0]}'?" if close else None)
    else:
        sheet = book.sheet_names[sheets.index(sheet)]
    return book.parse(sheet, **parse)


def _excel_header(table: str, src: Source, cfg: Config) -> list[str]:
    """The header row of the configured sheet, as written (a repeated name is not renamed)."""
    head = _workbook_sheet(table, src, cfg, header=None, nrows=src.header_row)
    if len(head) < src.header_row:
        raise DataError(table, f"the sheet has no header on row {src.header_row}" if src.header_row > 1
                        else "the sheet is empty", source=source_label(src, cfg))
    values = head.iloc[src.header_row - 1].tolist()
    # pandas names an empty header cell "Unnamed: <position>"; keep that convention
    return [f"Unnamed: {i}" if pd.isna(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
            for i, v in enumerate(values)]


def _read_excel(table: str, src: Source, cfg: Config, nrows: int | None = None,
                text_columns: list[str] = ()) -> pd.DataFrame:
    return _workbook_sheet(table, src, cfg, nrows=nrows, header=src.header_row - 1,
                           dtype={c: str for c in text_columns} or None)


def _read_sql(table: str, src: Source, cfg: Config, limit: int | None = None) -> pd.DataFrame:
    label = source_label(src, cfg)
    url = os.environ.get(src.url_env or "")
    if not url:
        raise DataError(table, f"environment variable {src.url_env} is not set", source=label,
                        hint=f"export {src.url_env}=<database URL> before running")
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        query = src.sql if limit is None else f"SELECT * FROM ({src.sql}) AS q LIMIT {int(limit)}"
        with engine.connect() as conn:
            frame = pd.read_sql_query(text(query), conn)
        engine.dispose()
        return frame
    except Exception as exc:  # noqa: BLE001 - driver errors vary; all are reported scrubbed
        raise DataError(table, f"the query failed: {_scrub(f'{type(exc).__name__}: {exc}', url)}",
                        source=label) from None


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, streamed (for provenance in run.json and resume decisions)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
