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
from cxtemplate.measure.windows import Window, window
from cxtemplate.report.labels import display_label
from cxtemplate.report.section import Section

__all__ = ["Survey", "intro_text"]


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
    display_labels : dict
        The params' display labels (``reporting.labels``): column → what a reader sees
        (:func:`cxtemplate.report.labels.display_label`).
    drivers_window, topics_window : int or None
        The periods the key drivers and the comment topics cover (``reporting.windows``; ``None``: all the data).
    text : dict
        How comments are read (the params' ``text:``): ``taxonomy`` (a sector, the resolved path of a taxonomy
        file, or ``None``), ``aspects`` (the params' own), ``mixed_share``, ``discover``, ``stop_words``.
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
    display_labels: dict[str, str] = field(default_factory=dict)
    drivers_window: int | None = None
    topics_window: int | None = None
    text: dict = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg, responses: pd.DataFrame | None, *, specs: dict[str, MetricSpec], freq: str,
                    conf: float, seed: int) -> Survey:
        """The survey of one run: ``cfg`` is the run's Config; the rest as the run gives them."""
        return cls(responses, dict(specs), freq=freq, frequency=cfg.organisation.frequency, conf=conf, seed=seed,
                   min_n=cfg.reporting.min_n, as_of=getattr(cfg.organisation, "as_of", None),
                   baseline=getattr(cfg.organisation, "baseline", None),
                   segments=tuple(cfg.segments), driver_columns=tuple(cfg.metrics.drivers.columns),
                   outcome=cfg.metrics.drivers.outcome, labels=dict(cfg.metrics.drivers.labels),
                   scorecards_by=cfg.reporting.manager_scorecards_by, display_labels=dict(cfg.display_labels),
                   drivers_window=cfg.reporting.windows.drivers, topics_window=cfg.reporting.windows.topics,
                   text=_text_settings(cfg))

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
    def segment_columns(self) -> list[str]:
        """The configured segment columns the responses have."""
        return [c for c in self.segments if self.has(c)]

    @property
    def drivers(self) -> list[str]:
        """The configured driver columns the responses have."""
        return [d for d in self.driver_columns if self.has(d)]

    @property
    def usable(self) -> pd.DataFrame | None:
        """The responses when :attr:`present`, else ``None``."""
        return self.responses if self.present else None

    def label(self, column: str) -> str:
        """What a reader sees for ``column``: its driver label, else its display label
        (:func:`cxtemplate.report.labels.display_label` with :attr:`display_labels`)."""
        return self.labels.get(column) or display_label(column, self.display_labels)

    @property
    def driver_labels(self) -> dict[str, str]:
        """Driver column → what a reader sees (:meth:`label`), for every configured driver."""
        return {d: self.label(d) for d in self.driver_columns}

    def window(self, n: int | None) -> Window | None:
        """The reporting window of the last ``n`` periods of the dated responses (all of them with ``None``), or
        ``None`` without dates (:func:`cxtemplate.measure.windows.window`)."""
        if not self.dated:
            return None
        return window(self.responses["responded_at"].dropna(), n, self.freq)

    def within(self, n: int | None) -> pd.DataFrame | None:
        """The responses of :meth:`window` ``n`` (every response with ``n`` ``None`` or without dates)."""
        if n is None or not self.dated:
            return self.usable
        w = self.window(n)
        return self.responses[w.contains(self.responses["responded_at"]).fillna(False).to_numpy()]

    def intro(self, *, operations: bool = False) -> Section:
        """The page's opening: what the page does with the data there is, or one sentence without survey responses.

        Parameters
        ----------
        operations : bool
            Whether there are operational KPIs (the page then links the scores to them).
        """
        section = Section()
        if not self.present:
            section.absent("There are no survey responses for this organisation", "the experience analysis is skipped")
            return section
        section.method(intro_text(self, operations=operations))
        return section


def _text_settings(cfg) -> dict:
    """The params' ``text:`` as :class:`Survey` keeps it, a taxonomy file resolved against the params file."""
    text = cfg.text
    taxonomy = text.taxonomy
    if taxonomy is not None and taxonomy.endswith((".yaml", ".yml")):
        taxonomy = str(cfg.resolve(taxonomy))
    return {"taxonomy": taxonomy, "aspects": [a.model_dump(exclude_none=True) for a in text.aspects],
            "mixed_share": text.mixed_share, "discover": text.discover, "stop_words": list(text.stop_words)}


def intro_text(survey: Survey, *, operations: bool = False) -> str:
    """What the experience page does, naming only the analyses the survey (and the operational KPIs) allow.

    With every input (dates, segments, driver ratings, operational KPIs, comments, agents and NPS) it names all
    six: the scores over time and across segments, what drives them, the operational levers, the comments,
    coaching and the latest significant change.
    """
    # the line breaks are those of the page's text when every analysis runs (Markdown reads them as spaces)
    over = " and\n".join(w for w, ok in (("over time", survey.dated), ("across segments", bool(survey.segment_columns)))
                        if ok)
    parts = [f"follows the scores {over}" if over else "",
             "finds what drives them" if len(survey.drivers) >= 2 and survey.has(survey.outcome) else "",
             "links them to operational levers" if operations else "",
             "reads what customers\nsay in their own words" if survey.has("comment") else "",
             "shows which frontline staff would benefit from coaching" if survey.has("agent_id") and "nps" in survey.specs
             else "",
             "explains\nthe latest significant change" if survey.dated and "nps" in survey.specs else ""]
    parts = [p for p in parts if p]
    listed = parts[0] if len(parts) == 1 else " and ".join(parts) if len(parts) == 2 else \
        ", ".join(parts[:-1]) + ", and " + parts[-1]
    does = f"It {listed}. " if parts else ""
    return (f"This page turns the voice of the customer into reasons. {does}Every number carries its sample size and "
            f"{survey.conf:.0%} interval; every\ncomparison a test whose p-value is adjusted for the number of "
            "comparisons made (Benjamini–Hochberg).")
