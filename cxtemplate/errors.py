"""Exceptions that reach the user: each names the file, key or column and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem in a params file, located by file, line and key path."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class CxError(Exception):
    """Base class of the errors cxtemplate raises on purpose (as opposed to bugs)."""


class ConfigError(CxError):
    """A params file (or the notebooks' metadata) has one or more problems; all of them are listed."""

    def __init__(self, problems: list[Problem], subject: str = "the parameters"):
        self.problems = list(problems)
        self.subject = subject
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.subject}:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


@dataclass
class DataError(CxError):
    """A hard data problem that stops the run: names table, source, column and example rows."""

    table: str
    message: str
    source: str | None = None
    column: str | None = None
    examples: list[str] = field(default_factory=list)
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [f"table '{self.table}'"]
        if self.source:
            parts.append(f"source {self.source}")
        if self.column:
            parts.append(f"column '{self.column}'")
        text = f"{', '.join(parts)}: {self.message}"
        if self.examples:
            text += "\n    examples: " + "; ".join(self.examples[:5])
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class DataErrors(CxError):
    """Several hard data problems found in one integration pass."""

    def __init__(self, errors: list[DataError]):
        self.errors = list(errors)
        n = len(self.errors)
        super().__init__("\n".join([f"{n} data problem{'s stop' if n != 1 else ' stops'} the run:",
                                    *(f"  - {e}" for e in self.errors)]))


class PrerequisiteMissing(CxError):
    """A notebook needs the artifacts of an earlier notebook that has not been run."""


def _quoted(values) -> str:
    items = [repr(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def check_choice(name: str, value, choices, *, context: str | None = None):
    """``value`` if it is one of ``choices``; otherwise a ``ValueError`` that names the choices and the bad value.

    Parameters
    ----------
    name : str
        What the value is, as the caller's argument or key is called (``"method"``, ``"freq"``).
    value : object
        What was given.
    choices : iterable
        The accepted values, in the order the message lists them.
    context : str, optional
        Who is asking, prefixed to the message (``"csat_spec"``, ``"MetricSpec 'CSAT'"``).

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    ValueError
        ``"method must be one of 'mean' or 'median', got 'mode'"``.

    Examples
    --------
    >>> check_choice("centre", "mode", ("mean", "median"))
    Traceback (most recent call last):
    ...
    ValueError: centre must be one of 'mean' or 'median', got 'mode'
    """
    choices = tuple(choices)
    if value not in choices:
        head = f"{context}: " if context else ""
        raise ValueError(f"{head}{name} must be one of {_quoted(choices)}, got {value!r}")
    return value
