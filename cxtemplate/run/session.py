"""What the second cell of every notebook calls: load the config, open the store, set the style.

    run = open_run(params_path, run_dir, notebook="03_metric_design")

With ``run_dir=None`` (a notebook opened in JupyterLab) the store is the organisation's working
folder ``<output_dir>/<org>/interactive/``, so notebooks run one after another find each
other's artifacts. The runner passes the run's own folder instead.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxtemplate.config.loader import load_config
from cxtemplate.config.schema import Config
from cxtemplate.run.store import Store


@dataclass
class Run:
    """A notebook's handle on its engagement: config, store and a seeded random generator."""

    cfg: Config
    store: Store
    notebook: str
    _tables: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- reading -------------------------------------------------------------
    def table(self, name: str, columns: list[str] | None = None):
        """A canonical table from the store, or ``None`` when the organisation has none."""
        key = (name, tuple(columns) if columns else None)
        if key not in self._tables:
            from cxtemplate.data.schemas import canonical_columns

            try:
                unique = tuple(c.name for c in canonical_columns(name, self.cfg) if c.unique)
            except ValueError:  # not a canonical table
                unique = ()
            self._tables[key] = read_table_fast(self.store, name, columns, unique)
        return self._tables[key]

    def table_where(self, name: str, column: str, value, columns: list[str] | None = None):
        """The rows of a canonical table where ``column == value`` (with ``column`` and those of ``columns``
        the table has), filtered while reading: only the matching rows become pandas objects. Not cached.
        ``None`` when the organisation has no such table.
        """
        path = self.store.tables_dir / f"{name}.parquet"
        if not path.is_file():
            return None
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = self.table_columns(name, [column, *(columns or [])])
        try:
            return pq.read_table(path, columns=cols, filters=[(column, "=", value)]).to_pandas(date_as_object=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
            # e.g. a numeric column compared with a text level: compare as pandas does (no match, no error)
            df = self.store.read_table(name, cols)
            return df[df[column] == value].reset_index(drop=True)

    def table_columns(self, name: str, wanted: list[str] | None = None, *, exclude: tuple[str, ...] = ()) -> list[str] | None:
        """The columns of a stored canonical table: those in ``wanted`` (in ``wanted``'s order, duplicates
        dropped) or all of them, less ``exclude``.

        ``None`` when the organisation has no such table. Notebooks that need a few columns of a large
        table read just those: ``run.table("responses", run.table_columns("responses", [...]))`` — at a
        million customers a column of the responses table is 5 million values.
        """
        path = self.store.tables_dir / f"{name}.parquet"
        if not path.is_file():
            return None
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
        cols = names if wanted is None else [c for c in dict.fromkeys(wanted) if c in names]
        return [c for c in cols if c not in exclude]

    def load(self, notebook: str, name: str, default: Any = ...):
        """An artifact of an earlier notebook (see :meth:`Store.load`)."""
        if default is ...:
            return self.store.load(notebook, name)
        return self.store.load(notebook, name, default)

    def require(self, *notebooks: str) -> None:
        """Stop with a clear message unless the named earlier notebooks have run."""
        self.store.require(*notebooks)

    # -- writing -------------------------------------------------------------
    def save(self, name: str, obj: Any):
        """Save an artifact of this notebook."""
        return self.store.save(self.notebook, name, obj)

    def artifact_path(self, filename: str) -> Path:
        """Path for a custom artifact file of this notebook."""
        return self.store.artifact_path(self.notebook, filename)

    def done(self, **summary: Any) -> None:
        """Mark this notebook complete (its last cell calls this).

        Also records the kernel's peak resident memory in ``resources/<notebook>.json`` of the run (not
        an artifact: it varies from run to run), which the runner copies into ``run.json``.
        """
        import resource

        from cxtemplate.data.files import write_json

        self.store.mark_done(self.notebook, summary)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        write_json(self.store.root / "resources" / f"{self.notebook}.json", {"peak_rss_mib": round(peak_mib, 1)})

    # -- helpers -------------------------------------------------------------
    @property
    def specs(self):
        """The enabled metric definitions (``MetricSpec``) by key: nps, csat, ces."""
        from cxtemplate.measure.spec import specs_from_config

        return specs_from_config(self.cfg.metrics)

    @property
    def conf(self) -> float:
        """The confidence level of every interval in the report."""
        return float(self.cfg.metrics.confidence)

    @property
    def freq(self) -> str:
        """The reporting period as a pandas alias ('M' or 'Q')."""
        return self.cfg.period_freq()

    @property
    def seed(self) -> int:
        """The engagement's seed, offset per notebook so notebooks draw independent streams."""
        offset = int(self.notebook[:2]) if self.notebook[:2].isdigit() else 0
        return int(self.cfg.reporting.seed) + 1000 * offset

    def rng(self):
        """A fresh numpy Generator seeded for this notebook (same inputs → same numbers)."""
        import numpy as np

        return np.random.default_rng(self.seed)


def read_table_fast(store: Store, name: str, columns: list[str] | None = None, unique: tuple[str, ...] = ()):
    """:meth:`Store.read_table`, converting the ``unique`` string columns (keys) without deduplication.

    pyarrow turns strings into Python objects and, by default, makes equal strings share one object
    (``deduplicate_objects``): a memory saver for repetitive columns (location, channel), but for a
    key, whose values are all distinct, the hashing costs ~5× the conversion itself (11 s instead of
    2 s for 5 million response ids). Keys are therefore converted without it. The frame is equal,
    value for value and dtype for dtype, to ``read_table``'s (``tests/run/test_session.py``); tables with a
    stored index column are converted as ``read_table`` converts them. Arrow's memory pool is then
    asked to return the Parquet buffers to the system.
    """
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = store.tables_dir / f"{name}.parquet"
    if not path.is_file():
        return None
    table = pq.read_table(path, columns=columns)
    meta = json.loads((table.schema.metadata or {}).get(b"pandas", b"{}") or b"{}")
    numpy_type = {c.get("name"): c.get("numpy_type") for c in meta.get("columns", [])}
    keys = [f.name for f in table.schema if f.name in unique and numpy_type.get(f.name, "object") == "object"
            and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
    if not keys or meta.get("index_columns"):
        df = table.to_pandas(date_as_object=False)
    else:
        df = table.drop_columns(keys).to_pandas(date_as_object=False)
        for c in keys:
            df.insert(table.column_names.index(c), c, table.column(c).to_pandas(deduplicate_objects=False).to_numpy())
        df._consolidate_inplace()  # one block per dtype, as to_pandas returns (later copies would merge them each time)
    del table
    # Arrow's allocator keeps the freed Parquet buffers for reuse: at a million customers that is
    # ~1.4 GB of resident memory per kernel that no later step needs. Hand it back.
    pa.default_memory_pool().release_unused()
    return df


def default_run_dir(cfg: Config) -> Path:
    """The interactive working folder of an organisation."""
    return cfg.output_dir / cfg.org_id / "interactive"


def open_run(params_path: str | os.PathLike, run_dir: str | os.PathLike | None = None,
             notebook: str = "notebook") -> Run:
    """Load and validate the config and open the run's store.

    Parameters
    ----------
    params_path : path-like
        The organisation's YAML params file.
    run_dir : path-like, optional
        The run folder; ``None`` uses ``<output_dir>/<org>/interactive/``.
    notebook : str
        This notebook's name, e.g. ``"03_metric_design"``; names its artifact folder.

    Returns
    -------
    Run
    """
    cfg = load_config(params_path)
    store = Store(Path(run_dir) if run_dir is not None else default_run_dir(cfg))
    _quiet_notebook_output()
    from cxtemplate.report.theme import apply_theme

    apply_theme()
    return Run(cfg=cfg, store=store, notebook=notebook)


def _quiet_notebook_output() -> None:
    """Keep library warnings out of stakeholder pages; real problems raise instead."""
    import pandas as pd

    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message=".*ConvergenceWarning.*")
    warnings.filterwarnings("ignore", module="lifelines")
    pd.set_option("display.max_columns", 50)
    pd.set_option("display.width", 160)
    try:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            # Register the inline PNG formatter now: charts built as bare Figure objects (without
            # pyplot) would otherwise be shown as "<Figure size …>" text.
            ip.run_line_magic("matplotlib", "inline")
            ip.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
            ip.run_line_magic("config", "InlineBackend.rc = {}")
    except Exception:  # noqa: BLE001 - outside IPython there is nothing to configure
        pass
