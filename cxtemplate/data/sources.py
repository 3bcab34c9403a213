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


def source_columns(table: str, src: Source, cfg: Config) -> list[str]:
    """The column names a source offers, read cheaply (header, schema or a zero-row query)."""
    label = source_label(src, cfg)
    kind = src.kind
    if kind == "sql":
        return list(_read_sql(table, src, cfg, limit=0).columns)
    path = cfg.resolve(src.file)
    if not path.exists():
        raise DataError(table, "file not found", source=label, hint="paths are relative to the params file")
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        if kind == "excel":
            return [str(c) for c in _read_excel(table, src, cfg, nrows=0).columns]
        header = pd.read_csv(path, nrows=0, encoding=src.encoding, sep=src.delimiter or ",",
                             encoding_errors="strict")
        columns = [str(c) for c in header.columns]
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


def match_column(wanted: str, available: list[str]) -> str | None:
    """The closest available column name to a wanted one (case-insensitive), or ``None``."""
    lower = {c.lower(): c for c in available}
    if wanted.lower() in lower:
        return lower[wanted.lower()]
    close = difflib.get_close_matches(wanted.lower(), list(lower), n=1, cutoff=0.6)
    return lower[close[0]] if close else None


# --------------------------------------------------------------------------- reading


def read_source(table: str, src: Source, cfg: Config, wanted: list[str]) -> RawTable:
    """Read the given source columns of one source.

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
    if kind == "sql":
        frame = _read_sql(table, src, cfg)
        frame = frame[[c for c in wanted if c in frame.columns]]
    elif kind == "parquet":

        frame = _read_parquet(cfg.resolve(src.file), wanted)
    elif kind == "excel":
        frame = _read_excel(table, src, cfg)
        frame.columns = [str(c) for c in frame.columns]
        frame = frame[wanted]
    else:
        frame = _read_csv(table, src, cfg, wanted)
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


def _read_csv(table: str, src: Source, cfg: Config, wanted: list[str]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = cfg.resolve(src.file)
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
                column_types={c: pa.string() for c in wanted} if attempt["as_text"] else None,
                strings_can_be_null=True)
            read = pacsv.ReadOptions(encoding=src.encoding, block_size=attempt["block_size"])
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


def _read_excel(table: str, src: Source, cfg: Config, nrows: int | None = None) -> pd.DataFrame:
    path = cfg.resolve(src.file)
    label = source_label(src, cfg)
    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # noqa: BLE001
        raise DataError(table, f"cannot open the workbook: {exc}", source=label) from None
    sheets = book.sheet_names
    sheet = src.sheet
    if sheet is None:
        if len(sheets) > 1:
            raise DataError(table, f"the workbook has {len(sheets)} sheets: {', '.join(map(str, sheets))}",
                            source=label, hint="name the one to read with `sheet:`")
        sheet = sheets[0]
    elif isinstance(sheet, str) and sheet not in sheets:
        close = difflib.get_close_matches(sheet, [str(s) for s in sheets], n=1)
        raise DataError(table, f"no sheet named '{sheet}' (sheets: {', '.join(map(str, sheets))})", source=label,
                        hint=f"did you mean '{close[0]}'?" if close else None)
    return book.parse(sheet, nrows=nrows)


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
