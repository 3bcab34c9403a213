"""Writing the params file of ``cxtemplate new``: a YAML document with comments, checked to read back.

A :class:`Doc` holds the data and its comments keyed by key path; :func:`render` writes it as
YAML in the style of ``params/demo.yaml`` and :func:`check_round_trip` proves the text reads back
as the data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

COMMENT_COLUMN = 33


@dataclass
class Doc:
    """A params document: the data, plus comments keyed by key path.

    ``notes`` are end-of-line comments, ``heads`` comment lines before a key, ``tails`` comment
    lines after a mapping's last key, ``flow`` the paths of mappings written on one line.
    """

    data: dict = field(default_factory=dict)
    notes: dict[tuple, str] = field(default_factory=dict)
    heads: dict[tuple, list[str]] = field(default_factory=dict)
    tails: dict[tuple, list[str]] = field(default_factory=dict)
    flow: set[tuple] = field(default_factory=set)

    def note(self, path: tuple, text: str | None) -> None:
        """Attach an end-of-line comment (nothing when ``text`` is empty)."""
        if text:
            self.notes[path] = " ".join(str(text).split())

    def head(self, path: tuple, *lines: str) -> None:
        """Comment lines written before a key."""
        self.heads.setdefault(path, []).extend(lines)

    def tail(self, path: tuple, *lines: str) -> None:
        """Comment lines written after a mapping's last key."""
        self.tails.setdefault(path, []).extend(lines)


_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ".inf", ".nan", "-.inf", "+.inf"}
_PLAIN = re.compile(r"^[A-Za-z_.][A-Za-z0-9_ ./()+-]*$")


def scalar(value: Any) -> str:
    """One YAML scalar: plain when that reads back unchanged, else double-quoted."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = value.as_posix() if isinstance(value, Path) else str(value)
    plain = (_PLAIN.match(text) and text == text.strip() and text.lower() not in _RESERVED
             and not text.endswith(":") and "  " not in text)
    try:
        float(text)
        plain = False
    except ValueError:
        pass
    return text if plain else json.dumps(text, ensure_ascii=False)


def flow(value: Any, column: int = 0, width: int = 110) -> str:
    """A value on one line (``[a, b]``, ``{k: v}``), wrapping long lists under their first item."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        items = [flow(v) for v in value]
        lines, line = [], "["
        for i, item in enumerate(items):
            piece = item + (", " if i < len(items) - 1 else "]")
            if len(line) + len(piece) + column > width and line.strip() not in ("", "["):
                lines.append(line.rstrip())
                line = " " * (column + 1)
            line += piece
        return "\n".join([*lines, line if items else "[]"])
    return scalar(value)


def render(doc: Doc) -> str:
    """The document as YAML text with its comments (top-level sections separated by a blank line)."""
    lines: list[str] = []

    def put(indent: int, text: str, note: str | None) -> None:
        parts = text.split("\n")
        parts[0] = " " * indent + parts[0]
        if note:
            last = parts[-1]
            parts[-1] = last.ljust(max(COMMENT_COLUMN, len(last) + 2) - 1) + " # " + note
        lines.extend(parts)

    def comments(items: list[str], indent: int) -> None:
        lines.extend(" " * indent + ("# " + c if c else "#") for c in items)

    def mapping(d: dict, path: tuple, indent: int) -> None:
        for key, value in d.items():
            p = (*path, key)
            if indent == 0 and lines:
                lines.append("")
            comments(doc.heads.get(p, []), indent)
            k = scalar(key)
            if isinstance(value, dict) and value and p not in doc.flow:
                put(indent, f"{k}:", doc.notes.get(p))
                mapping(value, p, indent + 2)
            elif isinstance(value, list) and value and any((*p, i) in doc.notes for i in range(len(value))):
                put(indent, f"{k}:", doc.notes.get(p))
                for i, item in enumerate(value):
                    put(indent + 2, f"- {flow(item, indent + 4)}", doc.notes.get((*p, i)))
            else:
                put(indent, f"{k}: {flow(value, indent + len(k) + 2)}", doc.notes.get(p))
            comments(doc.tails.get(p, []), indent + 2)

    comments(doc.heads.get((), []), 0)
    mapping(doc.data, (), 0)
    return "\n".join(lines) + "\n"


def _plain_data(value: Any) -> Any:
    """The data as YAML reads it back (paths as text, tuples as lists)."""
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_data(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    return value


def check_round_trip(text: str, data: dict) -> None:
    """Raise ``RuntimeError`` when the text does not read back as the data (a quoting bug)."""
    import yaml

    from cxtemplate.config.loader import UniqueKeyLoader

    back = yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    if back != _plain_data(data):
        raise RuntimeError("cxtemplate new wrote YAML that does not read back as intended; please report this")
