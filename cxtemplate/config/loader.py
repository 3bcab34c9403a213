"""Read a params YAML file into a :class:`~cxtemplate.config.schema.Config`, reporting every problem at once.

Problems carry the file, the line and the key path, and for a misspelt key the closest valid
key. Schema problems (pydantic) and environment problems (missing files, unset environment
variables, unknown owners) are collected in one pass so a consultant fixes them in one go.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from cxtemplate.config.schema import BUILT_IN_METRICS, Config
from cxtemplate.errors import ConfigError, Problem
from cxtemplate.vocabulary import TABLES

PACKAGED_MODELS = ("forrester_six_disciplines", "birdeye_four_pillars")


# --------------------------------------------------------------------------- YAML with line numbers


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (first at line {seen[key]})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads yes/no/on/off as booleans, which turns `recode: {churned: {Yes: 1, No: 0}}`
# into {True: 1, False: 0}. Keep YAML 1.2's rule: only true/false are booleans.
UniqueKeyLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _ch in "tTfF":
    UniqueKeyLoader.yaml_implicit_resolvers.setdefault(_ch, []).insert(
        0, ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")))


def _line_index(node: yaml.Node | None, prefix: tuple = ()) -> dict[tuple, int]:
    """Map every key path of a composed YAML document to its 1-based line."""
    out: dict[tuple, int] = {}
    if node is None:
        return out
    out.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            path = (*prefix, k.value)
            out[path] = k.start_mark.line + 1
            out.update({p: ln for p, ln in _line_index(v, path).items() if p != path})
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(_line_index(v, (*prefix, i)))
    return out


def read_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    """Parse a params file into a dict and a key-path → line index.

    Raises
    ------
    ConfigError
        When the file is missing, unreadable, not YAML, indented with tabs, has a duplicate
        key, or is not a mapping at the top level.
    """
    name = str(path)
    if not path.is_file():
        raise ConfigError([Problem(name, "", "params file not found")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(name, "", f"params file is not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    for i, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            raise ConfigError([Problem(name, "", "indented with a tab; YAML needs spaces", line=i)])
    try:
        node = yaml.compose(text, Loader=UniqueKeyLoader)
        data = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = f"{exc.context + ', ' if exc.context else ''}{exc.problem}"
        raise ConfigError([Problem(name, "", f"not valid YAML: {msg}", line=line)]) from None
    if data is None:
        raise ConfigError([Problem(name, "", "the file is empty")])
    if not isinstance(data, dict):
        raise ConfigError([Problem(name, "", f"the top level must be a mapping of sections, got {type(data).__name__}")])
    return data, _line_index(node)


# --------------------------------------------------------------------------- schema errors


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Union-with-None down to the one model or container type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _valid_keys_at(loc: tuple) -> list[str]:
    """Field names allowed at the mapping that contains ``loc[-1]``."""
    current: Any = Config
    for part in loc[:-1]:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
            continue
        origin = typing.get_origin(current)
        if origin in (list, dict, tuple):
            current = typing.get_args(current)[-1]
            continue
        return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _loc_str(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    for k in range(len(loc), -1, -1):
        if loc[:k] in lines:
            return lines[loc[:k]]
    return None


def _schema_problems(exc: ValidationError, file: str, lines: dict[tuple, int]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        if kind == "extra_forbidden":
            valid = _valid_keys_at(loc)
            close = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6)
            msg = "unknown key"
            msg += f" (did you mean '{close[0]}'?)" if close else (f"; valid keys here: {', '.join(valid)}" if valid else "")
        elif kind == "missing":
            msg = "required key is missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            if "input" in err and kind not in ("model_type",) and not isinstance(err["input"], (dict, list)):
                msg += f" (got {err['input']!r})"
        problems.append(Problem(file, _loc_str(loc), msg, _line_for(lines, loc)))
    return problems


# --------------------------------------------------------------------------- checks beyond the schema


def _get(d: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(d, dict):
            d = d.get(k)
        elif isinstance(d, list) and isinstance(k, int) and k < len(d):
            d = d[k]
        else:
            return None
    return d


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _environment_problems(raw: dict, params_path: Path, lines: dict[tuple, int]) -> list[Problem]:
    """Checks that need the file system, the environment or several sections at once.

    They run on the raw mapping, so they are reported even when the schema also failed.
    """
    file = str(params_path)
    base = params_path.parent
    problems: list[Problem] = []

    def add(loc: tuple, msg: str) -> None:
        problems.append(Problem(file, _loc_str(loc), msg, _line_for(lines, loc)))

    root_raw = raw.get("data_root")
    root = (base / root_raw).resolve() if isinstance(root_raw, str) else base.parent.resolve()
    if isinstance(root_raw, str) and not root.is_dir():
        add(("data_root",), f"folder not found: {root_raw}")

    sources = raw.get("sources")
    if isinstance(sources, dict):
        if not any(isinstance(sources.get(t), dict) for t in TABLES):
            add(("sources",), f"no source configured; give at least one of {', '.join(TABLES)}")
        for table in TABLES:
            src = sources.get(table)
            if not isinstance(src, dict):
                continue
            f = src.get("file")
            if isinstance(f, str):
                p = Path(f).expanduser()
                p = p if p.is_absolute() else base / p
                if not _within(p, root):
                    add(("sources", table, "file"),
                        f"'{f}' resolves outside the engagement folder {root.name}/; move the data inside it "
                        "or set data_root to the folder that holds it")
                elif not p.exists():
                    add(("sources", table, "file"), f"file not found: {f} (paths are relative to the params file)")
            env = src.get("url_env")
            if isinstance(env, str) and isinstance(src.get("sql"), str) and not os.environ.get(env):
                add(("sources", table, "url_env"),
                    f"environment variable {env} is not set; export it with the database URL before running")

    gov = _get(raw, "governance", "owners")
    owners = set(gov) if isinstance(gov, dict) else set()
    for section in ("objectives", "actions", "alerts"):
        items = raw.get(section)
        if not isinstance(items, list):
            continue
        ids: set = set()
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            owner = item.get("owner")
            if isinstance(owner, str) and owner not in owners:
                close = difflib.get_close_matches(owner, sorted(owners), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else (
                    f"; owners are {', '.join(sorted(owners))}" if owners else "; add it under governance.owners")
                add((section, i, "owner"), f"'{owner}' is not a role in governance.owners{hint}")
            if item.get("id") in ids:
                add((section, i, "id"), f"duplicate id '{item.get('id')}'")
            ids.add(item.get("id"))

    model = _get(raw, "maturity", "model")
    if isinstance(model, str) and model not in PACKAGED_MODELS:
        p = base / model
        if not (model.endswith((".yaml", ".yml")) and p.is_file()):
            add(("maturity", "model"),
                f"'{model}' is neither a packaged model ({', '.join(PACKAGED_MODELS)}) nor a YAML file next to the params")

    metrics = raw.get("metrics") if isinstance(raw.get("metrics"), dict) else {}
    extra = {e["key"]: e for e in metrics.get("extra") or [] if isinstance(e, dict) and isinstance(e.get("key"), str)}
    known = [*BUILT_IN_METRICS, *extra]

    def disabled(key: str) -> str | None:
        if key in extra:
            return f"metrics.extra ({key})" if extra[key].get("enabled") is False else None
        return f"metrics.{key}" if isinstance(metrics.get(key), dict) and metrics[key].get("enabled") is False else None

    def metric_problem(loc: tuple, key: Any) -> None:
        if not isinstance(key, str):
            return
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            add(loc, f"unknown metric '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")
                + f"; the metrics are {', '.join(known)} (declare others under metrics.extra)")
        elif (where := disabled(key)) and loc[0] == "objectives":
            add(loc, f"metric '{key}' is disabled under {where}")

    for section in ("objectives", "alerts"):
        for i, item in enumerate(raw.get(section) or []):
            if isinstance(item, dict):
                metric_problem((section, i, "metric"), item.get("metric"))
    drivers = metrics.get("drivers") if isinstance(metrics.get("drivers"), dict) else {}
    metric_problem(("metrics", "drivers", "outcome"), drivers.get("outcome"))
    return problems


# --------------------------------------------------------------------------- entry point


def load_config(path: str | os.PathLike) -> Config:
    """Load and validate a params file.

    Parameters
    ----------
    path : str or path-like
        The YAML params file. Relative paths inside it resolve against its folder.

    Returns
    -------
    Config
        The validated, immutable configuration.

    Raises
    ------
    ConfigError
        Listing every problem found, each with file, line and key path.
    """
    params_path = Path(path).expanduser().resolve()
    raw, lines = read_yaml(params_path)
    problems: list[Problem] = []
    cfg = None
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_schema_problems(exc, str(path), lines))
    env_problems = _environment_problems(raw, params_path, lines)
    problems.extend(Problem(str(path), p.path, p.message, p.line) for p in env_problems)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (p.line or 0, p.path)))
    assert cfg is not None
    cfg._params_path = params_path
    return cfg
