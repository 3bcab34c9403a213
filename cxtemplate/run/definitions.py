"""Does what the params say fit the files, the data and the targets? Errors and warnings for ``cxtemplate validate``.

Errors (:func:`header_problems`): what the params say about a file source that its header contradicts, a mapped
column the file lacks, a required column nothing provides, a recode that matches no value. ``cxtemplate validate``
and ``cxtemplate run`` (:func:`cxtemplate.run.runner.validate_all`) stop on them before any notebook starts.

Warnings (:func:`definition_warnings`): the metric definitions against the data and the targets.

Two mistakes pass every check of the schema and still give wrong pages:

* a **scale that does not fit the data**: CSAT declared on 1–10 while the export holds 1–5 answers (every
  score then counts as dissatisfied), or NPS exported on 1–11 (the run stops on it: integration refuses
  answers outside the declared scale, :func:`cxtemplate.data.integrate.quarantine_gate`; validate says so first);
* a **threshold written for another definition** of the metric: an objective of CSAT 4.2 (a mean on 1–5)
  while CSAT is defined as a top-2-box percentage. A threshold outside the metric's range altogether (an NPS
  target of 250, CES 75 on a 1–7 mean) is a validation error of the params, not a warning.

The unused top of a scale may be right (the data may be thin), so it is a warning, printed by
``cxtemplate validate`` and repeated on notebook 00.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.config.schema import Config
from cxtemplate.errors import CxError, DataError, Problem
from cxtemplate.measure.spec import MetricSpec, fmt_number, specs_from_config

MIN_ANSWERS = 30
"""Below this many numeric answers the data say too little about the scale to warn."""


def threshold_warnings(cfg: Config) -> list[str]:
    """Objective targets and alert thresholds that read as another definition of their metric.

    Parameters
    ----------
    cfg : Config

    Returns
    -------
    list of str
        One sentence per suspicious value, naming the objective or alert, its value and the metric's definition.
    """
    specs = specs_from_config(cfg.metrics)
    values = [(f"objective {o.id!r} (target)", o.metric, o.target) for o in cfg.objectives]
    values += [(f"alert {a.id!r} (threshold)", a.metric, a.threshold) for a in cfg.alerts if a.threshold is not None]
    out = []
    for where, key, value in values:
        spec = specs.get(key)
        if spec is not None and (reading := _other_definition(spec, float(value))):
            out.append(f"{where}: {fmt_number(value)} {reading}, but {spec.name} is defined as {_units(spec)}; "
                       f"write it in those units")
    return out


def _units(spec: MetricSpec) -> str:
    lo, hi = spec.scale
    if spec.kind == "nps":
        return "NPS points (−100 to 100)"
    if spec.kind == "top_box":
        return f"the percentage answering {fmt_number(spec.success_min)}–{fmt_number(hi)} (0 to 100)"
    return f"a mean score on {fmt_number(lo)}–{fmt_number(hi)}"


def _other_definition(spec: MetricSpec, v: float) -> str | None:
    """How ``v`` reads when it does not fit ``spec``'s units (``None`` when it fits)."""
    lo, hi = spec.scale
    if spec.kind == "nps":
        if not -100 <= v <= 100:
            return "is outside the NPS range"
        if 0 < v <= 10 and not float(v).is_integer():
            return "looks like a mean likelihood-to-recommend score on 0–10"
        return None
    if spec.kind == "top_box":
        if not 0 <= v <= 100:
            return "is not a percentage"
        if 0 < v < 1:
            return "looks like a share (write 80 for 80%)"
        if lo <= v <= hi and not float(v).is_integer():
            return f"looks like a mean score on the {fmt_number(lo)}–{fmt_number(hi)} scale"
        return None
    if not lo <= v <= hi:
        return "lies outside the scale" + (", like a percentage" if 0 <= v <= 100 else "")
    return None


def scale_warnings(cfg: Config, *, min_answers: int = MIN_ANSWERS) -> list[str]:
    """Metrics whose answers use only part of the declared scale, or fall outside it.

    Reads only the metric columns of the responses source (after its ``missing`` and ``recode`` rules).
    A survey scale's top answer is always used by some respondents; when no answer reaches it, the
    question was most likely asked on a shorter scale.

    Parameters
    ----------
    cfg : Config
    min_answers : int
        Metrics with fewer numeric answers are not judged.

    Returns
    -------
    list of str
        One sentence per metric that does not fit, with the range the data use.
    """
    from cxtemplate.data.integrate import apply_value_rules
    from cxtemplate.data.schemas import parse_labelled_scores
    from cxtemplate.data.sources import read_source, source_columns

    src = cfg.sources.responses
    if src is None or src.sql is not None:  # a query may be costly: its scales are checked when the run integrates it
        return []
    specs = specs_from_config(cfg.metrics)
    try:
        available = source_columns("responses", src, cfg)
    except CxError as exc:
        return [f"the responses could not be read to check the metric scales: {exc}"]
    wanted = {key: src.columns.get(spec.column, spec.column) for key, spec in specs.items()}
    wanted = {key: col for key, col in wanted.items() if col in available}
    if not wanted:
        return []
    try:
        frame = read_source("responses", src, cfg, sorted(set(wanted.values()))).frame
    except CxError as exc:
        return [f"the responses could not be read to check the metric scales: {exc}"]
    # the rules (missing values, recodes) are written for the canonical names, as integration applies them
    frame = apply_value_rules(pd.DataFrame({specs[key].column: frame[col] for key, col in wanted.items()}),
                              src.missing, src.recode)
    out = []
    for key, column in wanted.items():
        spec = specs[key]
        raw = frame[spec.column]
        numbers = pd.to_numeric(raw, errors="coerce")
        if numbers.isna().any() and not pd.api.types.is_numeric_dtype(raw):  # "10 - Extremely likely" → 10
            numbers = numbers.fillna(parse_labelled_scores(raw.astype("string").str.strip()))
        values = numbers.to_numpy(float)
        values = values[~np.isnan(values)]
        if len(values) < min_answers:
            continue
        if (text := _scale_fit(spec, values)) is not None:
            out.append(f"{spec.name} ({key}, source column '{column}'): {text}")
    return out


def _scale_fit(spec: MetricSpec, values: np.ndarray) -> str | None:
    from cxtemplate.data.integrate import GATE_MIN_ROWS, OUTSIDE_SHARE

    lo, hi = spec.scale
    seen_lo, seen_hi = float(values.min()), float(values.max())
    scale = f"{fmt_number(lo)}–{fmt_number(hi)}"
    outside = int(((values < lo) | (values > hi)).sum())
    if outside and outside >= OUTSIDE_SHARE * len(values):
        share = 100 * outside / len(values)
        stops = "the run will stop on them" if outside >= GATE_MIN_ROWS else "they would be quarantined"
        return (f"{outside:,} of {len(values):,} answers ({share:.1f}%) lie outside the declared {scale} scale "
                f"(the data run from {fmt_number(seen_lo)} to {fmt_number(seen_hi)}); {stops}. "
                f"Check the scale in the params")
    if seen_hi < hi:
        return (f"no answer reaches the top of the declared {scale} scale (the data run from {fmt_number(seen_lo)} "
                f"to {fmt_number(seen_hi)}): was the question asked on {fmt_number(lo)}–{fmt_number(seen_hi)}?")
    return None


def definition_warnings(cfg: Config) -> list[str]:
    """Every warning of this module: thresholds first, then scales."""
    return threshold_warnings(cfg) + scale_warnings(cfg)


# --------------------------------------------------------------------------- the params against the files' headers

RECODE_ROWS = 10_000
"""How many rows from the top of a file a ``recode`` rule's keys are looked for in."""


def header_problems(cfg: Config, file: str | None = None) -> list[Problem]:
    """What the params say about each file source that its header (or Parquet schema) contradicts.

    Validation errors, found before any notebook starts (integration would otherwise stop in notebook 00):

    * a mapped column (``columns``, ``keep``, ``kpi_columns``) the file lacks, with the closest name it has;
    * a required canonical column that no mapping provides and the file does not hold under its own name (a
      customers source without ``customer_id`` or ``id: row_number``; customers without ``start_date`` or
      ``tenure``; an enabled metric or a driver without its column …);
    * a ``recode`` whose keys match no value in the first :data:`RECODE_ROWS` rows of its column;
    * a ``where:`` filter that reads a column neither the table nor the file has;
    * ``id: row_number`` on customers while the file has a ``customer_id`` column, or while a survey or
      conversation export carries customer ids (row numbers join nothing);
    * no ``organisation.as_of`` (tenure-based data) while a source maps calendar dates.

    Only the header (or schema) is read, and for a recode the first rows of its one column. SQL sources are
    left to the run (a query may be costly, and the database may be out of reach from here).

    Parameters
    ----------
    cfg : Config
    file : str, optional
        How the params file is named in the messages (default: its path).

    Returns
    -------
    list of Problem
        Each with the file, the line and the key path to change.
    """
    from cxtemplate.config.loader import read_yaml

    try:
        _, lines = read_yaml(cfg.params_path)
    except CxError:
        lines = {}
    add = _Found(file or str(cfg.params_path), lines)
    sources = cfg.sources.configured()
    headers: dict[str, list[str]] = {}
    for table, src in sources.items():
        if src.kind == "sql":
            continue
        columns = _source_header(table, src, cfg, add)
        if columns is not None:
            headers[table] = columns
            _source_problems(table, src, cfg, columns, add)
    _generated_key_problems(cfg, headers, add)
    if cfg.organisation.as_of is None:
        _dates_without_as_of(cfg, headers, add)
    return sorted(add.problems, key=lambda p: (p.line or 0, p.path))


class _Found:
    """The problems found so far; calling it adds one at a key path, located on the params file's line."""

    def __init__(self, file: str, lines: dict[tuple, int]):
        self.file, self.lines, self.problems = file, lines, []

    def __call__(self, path: tuple, message: str) -> None:
        line = next((self.lines[path[:k]] for k in range(len(path), 0, -1) if path[:k] in self.lines), None)
        key = ""
        for part in path:
            key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
        self.problems.append(Problem(self.file, key, message, line))

    def written(self, path: tuple) -> bool:
        """Whether the params file writes this key (rather than leaving it to its default)."""
        return path in self.lines


def _source_header(table: str, src, cfg: Config, add) -> list[str] | None:
    """The file's column names, or ``None`` (and a problem at its ``file`` key) when the header cannot be read."""
    from cxtemplate.data.sources import source_columns

    try:
        return source_columns(table, src, cfg)
    except DataError as exc:
        add(("sources", table, "file"), f"{src.file}: {exc.message}" + (f"; {exc.hint}" if exc.hint else ""))
        return None


def _source_problems(table: str, src, cfg: Config, columns: list[str], add) -> None:
    """Mapped columns the file lacks, required columns nothing provides, recodes that match nothing."""
    from cxtemplate.data.integrate import generated_key
    from cxtemplate.data.schemas import canonical_columns
    from cxtemplate.data.sources import match_column

    base = ("sources", table)
    label = str(src.file)
    shown = ", ".join(columns[:30]) + (", …" if len(columns) > 30 else "")
    cols = canonical_columns(table, cfg)
    names = {c.name for c in cols}

    def lacks(path: tuple, column: str, what: str) -> None:
        close = match_column(column, columns)
        hint = f" (did you mean '{close}'?)" if close else f"; its columns: {shown}"
        add(path, f"{what} '{column}' is not a column of {label}{hint}")

    for canon, column in src.columns.items():
        if canon not in names:
            add((*base, "columns", canon), f"'{canon}' is not a canonical column of {table} (they are "
                                           f"{', '.join(sorted(names))}); list other columns under keep")
        elif column not in columns:
            lacks((*base, "columns", canon), column, f"the column mapped to {canon},")
    for i, column in enumerate(src.keep):
        if column not in columns:
            lacks((*base, "keep", i), column, "the kept column")
    for i, column in enumerate(src.kpi_columns):
        if column not in columns:
            lacks((*base, "kpi_columns", i), column, "the KPI column")

    generated = generated_key(table, src)
    provided = {c.name for c in cols
                if c.name == generated
                or (c.name in src.columns and src.columns[c.name] in columns)
                or (c.name not in src.columns and c.name in columns)}
    where = (*base, "columns") if src.columns else base
    wide = table == "operations" and bool(src.kpi_columns)
    for c in cols:
        if not c.required or c.name in provided or (wide and c.name not in ("period", "location")):
            continue
        if c.name in src.columns:  # mapped to a column the file lacks: reported above
            continue
        close = match_column(c.name, columns)
        fix = f"map it under sources.{table}.columns ({c.name}: {close or '<column>'})"
        if table == "customers" and c.name == "customer_id":
            joined = [t for t in ("responses", "interactions")
                      if (other := getattr(cfg.sources, t)) is not None and "customer_id" in other.columns]
            fix += (f"; the {' and '.join(joined)} join on customer ids, so the CRM must be exported with its own "
                    "(row numbers, `id: row_number`, would match nothing)" if joined else
                    ", or, when the export has no id column, set `id: row_number` on this source")
        add(where, f"required column {c.name} is not provided: no mapping names it and {label} has no column "
                   f"called {c.name}; {fix}")
    if table == "customers" and not {"start_date", "tenure"} & provided:
        add(where, f"customers need start_date (with end_date) or tenure (with churned), and {label} provides "
                   "neither; map one of them under columns")
    if table == "responses":
        m = cfg.metrics
        for key, column in m.score_columns().items():
            if column in provided or column in src.columns:
                continue
            if key in ("nps", "csat", "ces"):
                path, switch = ("metrics", key), f"metrics.{key}.enabled: false"
            else:
                i = next(j for j, e in enumerate(m.extra) if e.key == key)
                path, switch = ("metrics", "extra", i), "enabled: false on this metric"
            enabled = "is enabled" if add.written(path) else "is enabled (the default)"
            add(path, f"metric {key} {enabled}, but {label} has no column '{column}' and none is mapped to it; "
                      f"map it under sources.responses.columns ({column}: <column>) or set {switch}")
        for i, d in enumerate(m.drivers.columns):
            if d not in provided and d not in src.columns:
                add(("metrics", "drivers", "columns", i),
                    f"driver '{d}' is neither mapped under sources.responses.columns nor a column of {label}")
    _recode_problems(table, src, cfg, columns, add)
    _where_problems(table, src, provided, columns, add)
    if table == "customers" and cfg.churn.enabled:
        _cohort_problems(cfg, src, provided, add)


def _where_problems(table: str, src, canonical: set[str], columns: list[str], add) -> None:
    """``where:`` columns that are neither a canonical column the source provides, nor kept, nor in the file."""
    from cxtemplate.data.sources import match_column
    from cxtemplate.data.where import where_columns

    known = [*canonical, *src.keep, *src.kpi_columns, *columns]
    for column in where_columns(src.where):
        if column in known:
            continue
        close = match_column(column, known)
        add(("sources", table, "where", column),
            f"the filter reads '{column}', which is neither a column of {table} nor a column of {src.file}"
            + (f" (did you mean '{close}'?)" if close else f"; its columns: {', '.join(columns[:30])}"))


def _cohort_problems(cfg: Config, src, provided: set[str], add) -> None:
    """``churn.cohorts`` filters reading a column the integrated customers table will not hold: cohorts are drawn
    from the canonical columns the source provides and its kept columns (a column that is neither is dropped at
    integration, so the filter would select nobody)."""
    from cxtemplate.data.sources import match_column
    from cxtemplate.data.where import where_columns

    known = [*provided, *src.keep, "tenure_days"]
    read_as = {str(file_column): canon for canon, file_column in src.columns.items()}  # file column → canonical
    for name, where in cfg.churn.cohorts.items():
        for column in where_columns(where):
            if column in known:
                continue
            mapped = read_as.get(column) or read_as.get(match_column(column, list(read_as)) or "")
            close = match_column(column, known)
            hint = (f" (the file's '{next(k for k, v in read_as.items() if v == mapped)}' is read as '{mapped}': "
                    f"write {mapped})" if mapped else f" (did you mean '{close}'?)" if close else "")
            add(("churn", "cohorts", name, column),
                f"cohort '{name}' reads '{column}', which the customers table will not hold" + hint
                + f"; its columns are {', '.join(known)} (a file column must be listed under sources.customers.keep)")


def _read_first_rows(table: str, src, cfg: Config, wanted: list[str], n: int = RECODE_ROWS) -> pd.DataFrame:
    """The first ``n`` rows of some columns of a file source, as text."""
    from cxtemplate.data.sources import read_source

    path = cfg.resolve(src.file)
    if src.kind == "csv":
        return pd.read_csv(path, sep=src.delimiter or ",", encoding=src.encoding, usecols=wanted, dtype=str,
                           nrows=n, skiprows=src.header_row - 1, keep_default_na=False, engine="python"
                           if len(src.delimiter or ",") > 1 else "c")
    if src.kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        batch = next(pq.ParquetFile(path).iter_batches(batch_size=n, columns=wanted), None)
        frame = pa.Table.from_batches([batch]).to_pandas() if batch is not None else pd.DataFrame(columns=wanted)
        return frame.astype("string")
    return read_source(table, src, cfg, wanted).frame.head(n).astype("string")


def _same_value(text: pd.Series) -> set[str]:
    """The stripped text of values, with whole numbers written both ways ('5' and '5.0')."""
    values = {str(v).strip() for v in text.dropna().unique()} - {""}
    numbers = pd.to_numeric(pd.Series(sorted(values), dtype=object), errors="coerce").dropna()
    return values | {f"{x:g}" for x in numbers}


def _recode_problems(table: str, src, cfg: Config, columns: list[str], add) -> None:
    """Recode rules whose keys match none of the values at the top of their column."""
    if not src.recode:
        return
    targets: dict[str, str] = {}
    for canon in src.recode:
        column = src.columns.get(canon, canon)
        if canon in src.keep and canon in columns:
            column = canon
        if column in columns:
            targets[canon] = column
        elif canon not in src.columns:
            add(("sources", table, "recode", canon),
                f"recode names '{canon}', which is neither mapped under columns, nor kept, nor a column of "
                f"{src.file}: the rule would change nothing")
    if not targets:
        return
    try:
        head = _read_first_rows(table, src, cfg, sorted(set(targets.values())))
    except Exception as exc:  # noqa: BLE001 - an unreadable file is the run's error to report, with its rows
        add(("sources", table, "recode"), f"{src.file}: the first rows could not be read to check the recode rules "
                                          f"({type(exc).__name__}: {str(exc)[:160]})")
        return
    for canon, column in targets.items():
        seen = _same_value(head[column])
        if not seen:
            continue
        keys = _same_value(pd.Series([str(k) for k in src.recode[canon]], dtype=object))
        if keys & seen:
            continue
        top = head[column].astype("string").str.strip().value_counts().index[:6]
        add(("sources", table, "recode", canon),
            f"none of the recode keys ({', '.join(repr(str(k)) for k in src.recode[canon])}) is a value of column "
            f"'{column}' in the first {min(len(head), RECODE_ROWS):,} rows of {src.file} (values there: "
            f"{', '.join(repr(v) for v in top)}); keys must match the values as written (spaces around them aside)")


def _generated_key_problems(cfg: Config, headers: dict[str, list[str]], add) -> None:
    """``id: row_number`` where the data hold a real id: the CRM's own column, or survey / conversation ids."""
    from cxtemplate.config.schema import ROW_NUMBER_KEYS

    cust = cfg.sources.customers
    if cust is None or cust.id != "row_number":
        return
    key = ROW_NUMBER_KEYS["customers"]
    if key in headers.get("customers", []) and key not in cust.columns:
        add(("sources", "customers", "id"), f"`id: row_number` numbers the rows, but {cust.file} has a column "
                                            f"called {key}: map it instead (columns: {{{key}: {key}}}) and remove id")
    for table in ("responses", "interactions"):
        src = getattr(cfg.sources, table)
        if src is None or key in src.columns or key not in headers.get(table, []):
            continue  # a mapped customer_id is refused when the params are loaded
        add(("sources", table), f"{src.file} holds customer ids (column {key}), but sources.customers numbers its "
                                "rows (`id: row_number`), and no row number of the CRM export is an id another system "
                                "holds: export the CRM with its customer id and map it")


def _dates_without_as_of(cfg: Config, headers: dict[str, list[str]], add) -> None:
    """Calendar dates in a source while ``organisation.as_of`` is left out (tenure-based data)."""
    from cxtemplate.data.schemas import canonical_columns

    for table, columns in headers.items():
        src = getattr(cfg.sources, table)
        for c in canonical_columns(table, cfg):
            if c.kind not in ("date", "datetime"):
                continue
            column = src.columns.get(c.name, c.name)
            if column in columns:
                add(("organisation",), f"organisation.as_of is not set (tenure-based data, no calendar dates), but "
                                       f"sources.{table} has dates ({c.name}: column '{column}' of {src.file}); set "
                                       "as_of to the analysis date, e.g. the latest date in the data")
                return
