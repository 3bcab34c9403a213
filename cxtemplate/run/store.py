"""The run's store: canonical tables and artifacts on disk, in columnar and JSON formats.

Layout of a run folder::

    run.json                    provenance, timings, status (written by the runner)
    tables/<table>.parquet      canonical tables, written once by notebook 00
    artifacts/<notebook>/...    each notebook's results: <name>.json, <name>.parquet, files
    notebooks/, pages/          executed notebooks and their HTML (written by the runner)

Contact details and the follow-up queues with them are *not* in the run folder: they go to
``<org>/restricted/<run_id>/`` (:func:`restricted_folder`), a sibling of the run folders, so the report
folder a consultant zips and sends holds no personal data.

Notebooks read only tables and artifacts of *lower-numbered* notebooks; a missing one raises
:class:`~cxtemplate.errors.PrerequisiteMissing` naming the notebook to run first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxtemplate.data.files import read_parquet, write_json, write_parquet
from cxtemplate.errors import PrerequisiteMissing

if TYPE_CHECKING:
    from cxtemplate.data.integrate import Integration

DONE = "_done.json"
RESTRICTED = "restricted"
"""The folder, beside an organisation's run folders, holding each run's contact details (one subfolder per run)."""
PARTIAL_PREFIX = ".partial-"
"""How the runner names a run folder while the run is under way (``<org>/.partial-<run_id>/``)."""


def restricted_folder(run_dir: str | os.PathLike) -> Path:
    """Where a run's contact details go: ``<org>/restricted/<run_id>/``, outside the run's report folder.

    A run folder ``<org>/<run_id>/`` (or ``<org>/.partial-<run_id>/`` while it runs, or the ``<org>/latest``
    link to it, or the interactive working folder ``<org>/interactive/``) keeps its personal data in a sibling
    folder the consultant does not send: the report folder can be zipped and shared as it is.

    Parameters
    ----------
    run_dir : path-like
        The run folder (a link such as ``latest`` is followed).

    Returns
    -------
    Path
        ``<parent of run_dir>/restricted/<run id>``; the folder is not created.

    Examples
    --------
    >>> restricted_folder("/reports/acme/.partial-20251231T120000-ab12").as_posix()
    '/reports/acme/restricted/20251231T120000-ab12'
    >>> restricted_folder("/reports/acme/20251231T120000-ab12").as_posix()
    '/reports/acme/restricted/20251231T120000-ab12'
    """
    path = Path(run_dir)
    if path.is_symlink():
        path = path.resolve()
    name = path.name[len(PARTIAL_PREFIX):] if path.name.startswith(PARTIAL_PREFIX) else path.name
    return path.parent / RESTRICTED / name


def _written(write, path: Path, obj) -> None:
    """``write(path, obj)``, with a failure that names the file (a full disk's error names none) and no leftovers.

    The writers go through a temporary file beside ``path``; when the write fails part-way the temporary
    file is removed, so no truncated artifact is left for a later notebook to read.
    """
    try:
        write(path, obj)
    except OSError as exc:
        path.with_suffix(path.suffix + ".tmp").unlink(missing_ok=True)
        if exc.filename:
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


class Store:
    """Tables and artifacts of one run (or of the interactive working folder).

    Parameters
    ----------
    root : path-like
        The run folder. Created if missing.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    # -- folders ------------------------------------------------------------
    @property
    def tables_dir(self) -> Path:
        """Folder of the canonical tables."""
        return self.root / "tables"

    @property
    def artifacts_dir(self) -> Path:
        """Folder of the notebooks' artifacts."""
        return self.root / "artifacts"

    @property
    def restricted_dir(self) -> Path:
        """Folder for personal contact data, outside the run folder (:func:`restricted_folder`); never rendered."""
        return restricted_folder(self.root)

    def artifact_path(self, notebook: str, filename: str) -> Path:
        """Path for a custom artifact file (e.g. an XLSX) of a notebook; its folder exists."""
        folder = self.artifacts_dir / notebook
        folder.mkdir(parents=True, exist_ok=True)
        return folder / filename

    # -- tables -------------------------------------------------------------
    def write_table(self, name: str, df) -> Path:
        """Store a canonical table as Parquet."""
        path = self.tables_dir / f"{name}.parquet"
        _written(write_parquet, path, df)
        return path

    def has_table(self, name: str) -> bool:
        """Whether a canonical table was stored."""
        return (self.tables_dir / f"{name}.parquet").is_file()

    def read_table(self, name: str, columns: list[str] | None = None):
        """Read a canonical table (optionally only some columns); ``None`` when absent."""
        path = self.tables_dir / f"{name}.parquet"
        if not path.is_file():
            return None
        return read_parquet(path, columns)

    # -- artifacts ----------------------------------------------------------
    def save(self, notebook: str, name: str, obj: Any) -> Path:
        """Save an artifact: a DataFrame as Parquet, anything else as JSON.

        Parameters
        ----------
        notebook : str
            The notebook that produced it, e.g. ``"03_metric_design"``.
        name : str
            Artifact name without extension.
        obj : DataFrame or JSON-able object
        """
        import pandas as pd

        folder = self.artifacts_dir / notebook
        if isinstance(obj, pd.DataFrame):
            path = folder / f"{name}.parquet"
            _written(write_parquet, path, obj)
        else:
            path = folder / f"{name}.json"
            _written(write_json, path, obj)
        return path

    def exists(self, notebook: str, name: str) -> bool:
        """Whether an artifact exists (either format)."""
        folder = self.artifacts_dir / notebook
        return (folder / f"{name}.parquet").is_file() or (folder / f"{name}.json").is_file()

    def load(self, notebook: str, name: str, default: Any = PrerequisiteMissing):
        """Load an artifact saved by :meth:`save`.

        Raises
        ------
        PrerequisiteMissing
            When the artifact is absent and no ``default`` is given.
        """
        folder = self.artifacts_dir / notebook
        pq_path, js_path = folder / f"{name}.parquet", folder / f"{name}.json"
        if pq_path.is_file():
            return read_parquet(pq_path)
        if js_path.is_file():
            return json.loads(js_path.read_text(encoding="utf-8"))
        if default is PrerequisiteMissing:
            raise PrerequisiteMissing(
                f"artifact '{name}' of notebook {notebook} not found in {self.root}; run {notebook} first")
        return default

    # -- completion -----------------------------------------------------------
    def mark_done(self, notebook: str, summary: dict | None = None) -> None:
        """Record that a notebook finished, with an optional summary of what it produced."""
        _written(write_json, self.artifacts_dir / notebook / DONE, {"notebook": notebook, **(summary or {})})

    def is_done(self, notebook: str) -> bool:
        """Whether a notebook has finished in this store."""
        return (self.artifacts_dir / notebook / DONE).is_file()

    def require(self, *notebooks: str) -> None:
        """Raise :class:`PrerequisiteMissing` unless every named notebook has finished here."""
        missing = [nb for nb in notebooks if not self.is_done(nb)]
        if missing:
            raise PrerequisiteMissing(
                f"this notebook needs the results of {', '.join(missing)}; run "
                f"{missing[0]} first (working folder: {self.root})")


def write_integration(result: Integration, store: Store) -> None:
    """Store canonical tables, quarantined rows (with reasons), the quality report and contacts."""
    for name, df in result.tables.items():
        store.write_table(name, df)
    for name, q in result.quarantine.items():
        store.save("00_data_integration", f"quarantine_{name}", q)
    store.save("00_data_integration", "quality", result.quality())
    if result.contacts is not None:
        _written(write_parquet, store.restricted_dir / "contacts.parquet", result.contacts)
