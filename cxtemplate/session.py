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

from .config import Config
from .config_loader import load_config
from .store import Store


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
            self._tables[key] = self.store.read_table(name, columns)
        return self._tables[key]

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
        """Mark this notebook complete (its last cell calls this)."""
        self.store.mark_done(self.notebook, summary)

    # -- helpers -------------------------------------------------------------
    @property
    def specs(self):
        """The enabled metric definitions (``MetricSpec``) by key: nps, csat, ces."""
        from .metrics import specs_from_config

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
    from .theme import apply_theme

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
