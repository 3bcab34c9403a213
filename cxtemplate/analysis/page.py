"""What every section of the experience page (notebook 04) reads: :class:`Survey`.

The survey responses with the metric definitions and the settings of the run (period, confidence, seed,
minimum cell size, segments, driver columns and labels): what every section function of
:mod:`cxtemplate.analysis` takes, so a notebook cell passes one object. What a section shows is a
:class:`~cxtemplate.report.section.Section`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.report.section import Section

__all__ = ["Survey"]


# --------------------------------------------------------------------------- what every section reads


@dataclass(frozen=True)
class Survey:
    """The survey responses and the settings every section of the experience page uses.

    Attributes
    ----------
    responses : DataFrame or None
        The canonical responses table (``None`` when the organisation has none).
    specs : dict
        The enabled metrics (``MetricSpec``) by key.
    freq, frequency : str
        The reporting period as a pandas alias (``"M"``) and in words (``"month"``).
    conf : float
        Confidence level of every interval.
    seed : int
        The notebook's seed.
    min_n : int
        Cells with fewer responses are suppressed.
    as_of, baseline
        The analysis date and the baseline period (or ``None``).
    segments : tuple of str
        The configured segment columns.
    driver_columns : tuple of str
        The configured driver rating columns; :attr:`drivers` are those the responses have.
    outcome : str
        The metric the drivers explain.
    labels : dict
        Plain-language names of the driver columns.
    scorecards_by : str or None
        The column the manager scorecards split by.
    """

    responses: pd.DataFrame | None
    specs: dict[str, MetricSpec]
    freq: str = "M"
    frequency: str = "month"
    conf: float = 0.95
    seed: int = 0
    min_n: int = 30
    as_of: Any = None
    baseline: str | None = None
    segments: tuple[str, ...] = ()
    driver_columns: tuple[str, ...] = ()
    outcome: str = "nps"
    labels: dict[str, str] = field(default_factory=dict)
    scorecards_by: str | None = None

    @classmethod
    def from_config(cls, cfg, responses: pd.DataFrame | None, *, specs: dict[str, MetricSpec], freq: str,
                    conf: float, seed: int) -> Survey:
        """The survey of one run: ``cfg`` is the run's Config; the rest as the run gives them."""
        return cls(responses, dict(specs), freq=freq, frequency=cfg.organisation.frequency, conf=conf, seed=seed,
                   min_n=cfg.reporting.min_n, as_of=cfg.organisation.as_of, baseline=cfg.organisation.baseline,
                   segments=tuple(cfg.segments), driver_columns=tuple(cfg.metrics.drivers.columns),
                   outcome=cfg.metrics.drivers.outcome, labels=dict(cfg.metrics.drivers.labels),
                   scorecards_by=cfg.reporting.manager_scorecards_by)

    @property
    def present(self) -> bool:
        """Whether there are survey responses and at least one metric to compute from them."""
        return self.responses is not None and bool(self.specs)

    @property
    def dated(self) -> bool:
        """Whether the responses carry dates (trends and period comparisons need them)."""
        return self.has("responded_at") and bool(self.responses["responded_at"].notna().any())

    def periods_with(self, column: str) -> int:
        """How many reporting periods hold at least one dated answer in ``column`` (0 without dates)."""
        if not (self.dated and self.has(column)):
            return 0
        when = self.responses.loc[self.responses[column].notna(), "responded_at"].dropna()
        return int(when.dt.to_period(self.freq).nunique())

    def has(self, column: str) -> bool:
        """Whether there are responses and ``column`` holds at least one answer (an all-empty column is no data)."""
        return self.present and column in self.responses.columns and bool(self.responses[column].notna().any())

    @property
    def drivers(self) -> list[str]:
        """The configured driver columns the responses have."""
        return [d for d in self.driver_columns if self.has(d)]

    @property
    def usable(self) -> pd.DataFrame | None:
        """The responses when :attr:`present`, else ``None``."""
        return self.responses if self.present else None

    def label(self, column: str) -> str:
        """The plain-language name of a driver column (the column itself when it has none)."""
        return self.labels.get(column, column)

    def intro(self) -> Section:
        """The page's opening: one sentence when there are no survey responses, else nothing."""
        section = Section()
        if not self.present:
            section.absent("There are no survey responses for this organisation",
                           "the experience analysis is skipped; conversations and churn are analysed where available")
        return section
