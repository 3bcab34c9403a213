"""The pieces a section of the experience page (notebook 04) is made of, and the inputs every section reads.

* :class:`Survey` — the survey responses with the metric definitions and the settings of the run
  (period, confidence, seed, minimum cell size, segments, driver columns and labels): what every
  section function takes, so a notebook cell passes one object.
* :class:`Section` — what a section shows, in the order it shows it (paragraphs, the one sentence of
  an absent input, :class:`~cxtemplate.report.display.TableView` tables, :class:`Chart` charts), and
  the artifacts it saves. A notebook cell is then ``section.show()`` and ``section.save(run.save)``;
  tests read ``section.sentences``, ``section.tables``, ``section.charts`` and ``section.artifacts``.
* :class:`Chart` — a chart drawn when shown, so building a section (and testing it) costs no drawing.
* :func:`p_value_cell`, :func:`fixed`, :func:`signed` — table formats that keep the report's rules: p below 0.001
  reads ``< 0.001`` (never ``0.000``), and a change that rounds to zero reads ``0.0`` (never ``-0.0``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxtemplate.measure.spec import MetricSpec
from cxtemplate.report.display import TableView, absent, fmt_p, say, show_figure, show_table

__all__ = ["Absent", "Chart", "Section", "Survey", "fixed", "p_value_cell", "signed"]


# --------------------------------------------------------------------------- formats


def p_value_cell(p: float) -> str:
    """An adjusted p-value in a table: three decimals, ``< 0.001`` below 0.001.

    >>> [p_value_cell(p) for p in (0.0004, 0.0123, 0.5)]
    ['< 0.001', '0.012', '0.500']
    """
    return fmt_p(p) if p < 0.001 else f"{p:.3f}"


def fixed(decimals: int = 1) -> Callable[[float], str]:
    """A format for levels: ``decimals`` decimals, and a value that rounds to zero reads ``0.0`` (never ``-0.0``).

    >>> [fixed(1)(v) for v in (2.345, -0.04, -1.0)]
    ['2.3', '0.0', '-1.0']
    """
    def fmt(v: float) -> str:
        text = f"{v:.{decimals}f}"
        return text.lstrip("-") if float(text) == 0 else text

    return fmt


def signed(decimals: int = 1) -> Callable[[float], str]:
    """A format for changes: an explicit sign, except for a value that rounds to zero (``0.0``, not ``-0.0``).

    >>> [signed(1)(v) for v in (2.345, -0.04, 0.04, -1.0)]
    ['+2.3', '0.0', '0.0', '-1.0']
    """
    def fmt(v: float) -> str:
        text = f"{v:+.{decimals}f}"
        return text[1:] if float(text) == 0 else text

    return fmt


# --------------------------------------------------------------------------- what a section shows


@dataclass(frozen=True)
class Chart:
    """A chart drawn when the section is shown: ``plot(*args, **kwargs)`` returns a matplotlib Axes."""

    plot: Callable[..., Any]
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def draw(self):
        """Draw the chart; returns its Axes."""
        return self.plot(*self.args, **self.kwargs)


@dataclass(frozen=True)
class Absent:
    """The one sentence a section says when its input is absent (see :func:`cxtemplate.report.display.absent`)."""

    what: str
    consequence: str

    @property
    def text(self) -> str:
        """The sentence as the page shows it."""
        return f"*{self.what} — {self.consequence}*"


@dataclass
class Section:
    """What one section of a page shows, in order, and the artifacts it saves.

    Attributes
    ----------
    items : list
        Paragraphs (``str``, Markdown), :class:`Absent` sentences, :class:`TableView` tables and
        :class:`Chart` charts, in the order the page shows them.
    artifacts : dict
        Artifact name → DataFrame (saved as Parquet) or JSON-able object, for later notebooks.
    """

    items: list = field(default_factory=list)
    artifacts: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str) -> None:
        """Add a paragraph."""
        self.items.append(text)

    def note(self, text: str) -> None:
        """Add a paragraph in the small type of a method note."""
        self.items.append(f"<span class='cx-note'>{text}</span>")

    def absent(self, what: str, consequence: str) -> None:
        """Add the one sentence of an absent input."""
        self.items.append(Absent(what, consequence))

    def table(self, view: TableView) -> None:
        """Add a table."""
        self.items.append(view)

    def chart(self, plot: Callable[..., Any], *args, **kwargs) -> None:
        """Add a chart, drawn by ``plot(*args, **kwargs)`` when the section is shown."""
        self.items.append(Chart(plot, args, kwargs))

    def keep(self, name: str, obj: Any) -> None:
        """Add an artifact."""
        self.artifacts[name] = obj

    @property
    def sentences(self) -> list[str]:
        """The paragraphs and absent-input sentences, as the page shows them."""
        return [i.text if isinstance(i, Absent) else i for i in self.items if isinstance(i, (str, Absent))]

    @property
    def tables(self) -> list[TableView]:
        """The tables, in order."""
        return [i for i in self.items if isinstance(i, TableView)]

    @property
    def charts(self) -> list[Chart]:
        """The charts, in order."""
        return [i for i in self.items if isinstance(i, Chart)]

    def show(self) -> None:
        """Show everything in order in the notebook (paragraphs, tables, drawn charts)."""
        for item in self.items:
            if isinstance(item, Absent):
                absent(item.what, item.consequence)
            elif isinstance(item, TableView):
                show_table(item)
            elif isinstance(item, Chart):
                show_figure(item.draw().figure)
            else:
                say(item)

    def save(self, save: Callable[[str, Any], Any]) -> None:
        """Save every artifact with ``save(name, obj)`` (a notebook passes ``run.save``)."""
        for name, obj in self.artifacts.items():
            save(name, obj)


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

    def has(self, column: str) -> bool:
        """Whether there are responses and they have ``column``."""
        return self.present and column in self.responses.columns

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
