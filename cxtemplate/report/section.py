"""A section of a page as data: what it shows, in order, and the artifacts it saves.

A function of an analysis builds a :class:`Section` (paragraphs, the one sentence of an absent input,
:class:`~cxtemplate.report.display.TableView` tables, :class:`Chart` charts drawn only when shown, and
artifacts); the notebook cell is then ``section.show()`` and ``section.save(run.save)``; tests read
``section.sentences``, ``section.tables``, ``section.charts`` and ``section.artifacts`` without drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cxtemplate.report.display import TableView, absent, absent_text, say, show_figure, show_table
from cxtemplate.report.markup import markdown_html

__all__ = ["Absent", "Chart", "METHOD_SUMMARY", "Method", "Section", "method_note_html"]

METHOD_SUMMARY = "How this was measured"
"""The heading of the collapsible note that holds a section's method detail."""


def method_note_html(texts: list[str]) -> str:
    """The collapsible "How this was measured" note holding ``texts`` (Markdown, escaped here); ``""`` when empty.

    >>> method_note_html(["Shapley values of *R²*."]).startswith("<details class='cx-method'><summary>How this")
    True
    >>> method_note_html([])
    ''
    """
    body = "".join(markdown_html(t) for t in texts if str(t).strip())
    if not body:
        return ""
    return f"<details class='cx-method'><summary>{METHOD_SUMMARY}</summary>{body}</details>"


@dataclass(frozen=True)
class Chart:
    """A chart drawn when the section is shown: ``plot(*args, **kwargs)`` returns a matplotlib Axes."""

    plot: Callable[..., Any]
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    alt: str | None = None
    """What the chart shows for a reader who cannot see it: its title and one sentence reading it."""

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
        return absent_text(self.what, self.consequence)


@dataclass(frozen=True)
class Method:
    """What a section says of its method (names of methods, estimators, corrections): gathered into one
    collapsible "How this was measured" note at the end of the section (:func:`method_note_html`), shown only
    when the section runs (an absent input is one sentence and nothing else). Kept apart from
    :attr:`Section.sentences`, which are what the section found, in words a board member reads."""

    text: str


@dataclass
class Section:
    """What one section of a page shows, in order, and the artifacts it saves.

    Attributes
    ----------
    items : list
        Paragraphs (``str``, Markdown), :class:`Method` text, :class:`Absent` sentences, :class:`TableView` tables and
        :class:`Chart` charts, in the order the page shows them.
    artifacts : dict
        Artifact name → DataFrame (saved as Parquet) or JSON-able object, for later notebooks.
    """

    items: list = field(default_factory=list)
    artifacts: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str) -> None:
        """Add a paragraph."""
        self.items.append(text)

    def method(self, text: str) -> None:
        """Add what the section says of its method (a paragraph; see :class:`Method`)."""
        self.items.append(Method(text))

    def note(self, text: str) -> None:
        """Add a paragraph in the small type of a method note."""
        self.items.append(f"<span class='cx-note'>{text}</span>")

    def absent(self, what: str, consequence: str) -> None:
        """Add the one sentence of an absent input."""
        self.items.append(Absent(what, consequence))

    def table(self, view: TableView) -> None:
        """Add a table."""
        self.items.append(view)

    def chart(self, plot: Callable[..., Any], *args, alt: str | None = None, **kwargs) -> None:
        """Add a chart, drawn by ``plot(*args, **kwargs)`` when the section is shown.

        ``alt`` is the chart's text for a reader who cannot see it: its title and one sentence reading it,
        written from the results ("NPS by month: down from 18 to 12 since June").
        """
        self.items.append(Chart(plot, args, kwargs, alt))

    def keep(self, name: str, obj: Any) -> None:
        """Add an artifact."""
        self.artifacts[name] = obj

    @property
    def sentences(self) -> list[str]:
        """The paragraphs and absent-input sentences, as the page shows them (the method text is :attr:`methods`)."""
        return [i.text if isinstance(i, Absent) else i for i in self.items if isinstance(i, (str, Absent))]

    @property
    def methods(self) -> list[str]:
        """What the section says of its method, in order (empty when its input is absent)."""
        return [i.text for i in self.items if isinstance(i, Method)]

    @property
    def tables(self) -> list[TableView]:
        """The tables, in order."""
        return [i for i in self.items if isinstance(i, TableView)]

    @property
    def charts(self) -> list[Chart]:
        """The charts, in order."""
        return [i for i in self.items if isinstance(i, Chart)]

    def show(self) -> None:
        """Show everything in order in the notebook (paragraphs, tables, drawn charts), then the method note."""
        from IPython.display import HTML, display

        for item in self.items:
            if isinstance(item, Absent):
                absent(item.what, item.consequence)
            elif isinstance(item, TableView):
                show_table(item)
            elif isinstance(item, Chart):
                show_figure(item.draw().figure, alt=item.alt)
            elif not isinstance(item, Method):
                say(item)
        note = method_note_html(self.methods)
        if note:
            display(HTML(note))

    def save(self, save: Callable[[str, Any], Any]) -> None:
        """Save every artifact with ``save(name, obj)`` (a notebook passes ``run.save``)."""
        for name, obj in self.artifacts.items():
            save(name, obj)
