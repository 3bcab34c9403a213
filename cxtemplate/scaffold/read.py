"""Reading a folder of exports for ``cxtemplate new``: which files are data, their encoding and delimiter,
and a sample of each.

CSV / TSV / TXT with a sniffed encoding (UTF-8, UTF-8 with a byte-order mark, else cp1252 or
latin-1) and delimiter; Parquet (first row group batch); Excel (every sheet). Each sample is thinned
to :data:`~cxtemplate.scaffold.guess.SAMPLE_ROWS` rows. Nothing is written.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxtemplate.errors import CxError
from cxtemplate.scaffold.guess import SAMPLE_ROWS

DATA_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
                 ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel"}
SCAN_ROWS = 20_000      # rows read from the top of a file; the profiled sample is drawn from them
EXCEL_SCAN_ROWS = 5_000


class ScaffoldError(CxError):
    """``cxtemplate new`` cannot start: no folder, no data files, or a params file already there."""


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
