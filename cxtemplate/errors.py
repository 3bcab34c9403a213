"""Exceptions that reach the user: each names the file, key or column and what to do.

Their text never carries a secret: every message, example and hint is passed through
:func:`mask_credentials` when the error is made (and again when it is printed), so a connection
URL with a password put in the wrong key, or quoted back by a driver, shows as
``postgresql://cx:***@db:5432/cx`` in ``cxtemplate validate``, in ``run.json`` and in the logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# scheme://user:password@host — the password is everything up to the last "@" before white space, so
# a password holding "@", ":", "/" or a quote (written unencoded by mistake) is hidden whole
_URL_CREDENTIALS = re.compile(r"(?P<pre>\b[A-Za-z][\w+.\-]{0,30}://[^\s:/@'\"<>]*:)(?P<pw>\S+)(?P<at>@)")
# scheme://user:passw… cut short before its "@" (a value shortened for a message): what follows the colon,
# unless it is a port number
_URL_CUT_SHORT = re.compile(r"(?P<pre>\b[A-Za-z][\w+.\-]{0,30}://[^\s:/@'\"<>]+:)(?P<pw>(?!\d+(?:[^\w…]|$))[^\s@/'\"<>…]+)"
                            r"(?=$|[\s'\"<>…]|\.\.\.)")
# host=db user=cx password=s3cret (a libpq / ODBC key-value connection string)
_DSN_PASSWORD = re.compile(r"(?i)(?P<pre>\b(?:password|passwd|pwd)\s*=\s*)(?P<val>'[^']*'|\"[^\"]*\"|[^\s;]+)")
# ?password=… / &token=… in a URL's query string
_URL_QUERY_SECRET = re.compile(
    r"(?i)(?P<pre>[?&;](?:password|passwd|pwd|pass|secret|token|access_token|api[_-]?key|apikey|key|auth|"
    r"sig|signature|client_secret|sas)=)(?P<val>[^\s&#;'\"<>]+)")


def mask_credentials(text: str) -> str:
    """Hide the password of every ``scheme://user:password@host`` URL, secret query value and ``password=`` pair.

    Parameters
    ----------
    text : str
        A message, log line or value that may quote a connection URL.

    Returns
    -------
    str
        The text with each such password and value replaced by ``***`` (the scheme, user, host
        and path are kept, so the message still says which database was meant). Applying it
        twice changes nothing more.

    Examples
    --------
    >>> mask_credentials("could not connect to postgresql://cx:s3cret@db.internal:5432/cx")
    'could not connect to postgresql://cx:***@db.internal:5432/cx'
    >>> mask_credentials("https://api.example.com/v1?api_key=ABC123&x=1")
    'https://api.example.com/v1?api_key=***&x=1'
    """
    if not isinstance(text, str):
        text = str(text)
    if "://" in text:
        text = _URL_CREDENTIALS.sub(lambda m: m.group("pre") + "***" + m.group("at"), text)
        text = _URL_CUT_SHORT.sub(lambda m: m.group("pre") + "***", text)
    if "=" in text:
        text = _URL_QUERY_SECRET.sub(lambda m: m.group("pre") + "***", text)
        text = _DSN_PASSWORD.sub(lambda m: m.group("pre") + "***", text)
    return text


def _masked(value):
    return mask_credentials(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Problem:
    """One problem in a params file, located by file, line and key path."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", mask_credentials(self.message))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return mask_credentials(f"{where}: {self.path or '(top level)'}: {self.message}")


class CxError(Exception):
    """Base class of the errors cxtemplate raises on purpose (as opposed to bugs).

    Text arguments are masked with :func:`mask_credentials`, so no error of ours repeats a password.
    """

    def __init__(self, *args) -> None:
        super().__init__(*(_masked(a) for a in args))

    def __str__(self) -> str:
        return mask_credentials(super().__str__())


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
        self.message = mask_credentials(self.message)
        self.source = _masked(self.source)
        self.hint = _masked(self.hint)
        self.examples = [_masked(e) for e in self.examples]
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
        return mask_credentials(text)


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
