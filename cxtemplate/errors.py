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
    """A params file has one or more problems; all of them are listed."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the parameters:"
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
        super().__init__("\n".join([f"{n} data problem{'s' if n != 1 else ''} stop the run:",
                                    *(f"  - {e}" for e in self.errors)]))


class PrerequisiteMissing(CxError):
    """A notebook needs the artifacts of an earlier notebook that has not been run."""
