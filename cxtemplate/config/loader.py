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

from cxtemplate.config.schema import BUILT_IN_METRICS, ROW_NUMBER_KEYS, Config
from cxtemplate.errors import ConfigError, Problem, mask_credentials
from cxtemplate.vocabulary import TABLES

PACKAGED_MODELS = ("forrester_six_disciplines", "birdeye_four_pillars")
URL_IN_URL_ENV = ("holds a connection URL, but must name the environment variable that holds it (the URL is not "
                  "repeated here: it may carry a password); export the URL, e.g. `export CX_DB_URL=...`, and write "
                  "`url_env: CX_DB_URL`; then remove the password from this file and change it if the file was shared")


# --------------------------------------------------------------------------- YAML with line numbers


class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one.

    It parses with libyaml when PyYAML has it (a 5.5 MB params file is read and validated in about
    2 s; the pure-Python parser needed 12 s just to read it twice, ``bench/results/validate.md``) and
    falls back to the pure-Python SafeLoader otherwise.
    """


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
    """Map every key path of a composed YAML document to its 1-based line.

    Iterative (a deeply nested file cannot exhaust the stack) and linear in the number of nodes.
    A mapping key's own line wins over the line its value starts on.
    """
    out: dict[tuple, int] = {}
    if node is None:
        return out
    stack: list[tuple[yaml.Node, tuple]] = [(node, prefix)]
    while stack:
        current, path = stack.pop()
        out.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                child = (*path, k.value)
                out[child] = k.start_mark.line + 1
                stack.append((v, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((v, (*path, i)) for i, v in enumerate(current.value))
    return out


MAX_ALIAS_EXPANSION = 100_000
"""How many values YAML aliases (``*name``) may add to a params file beyond those written in it.

An anchor reused a few times (``owner: *cx_lead``) adds a handful; nested aliases that repeat each
other (an "alias bomb": nine levels of nine make 387 million values) are refused before anything
walks the expanded document, so reading stays linear in the size of the file."""


MAX_DEPTH = 50
"""The deepest nesting a params file may have (the schema needs six levels; thousands make every walk slow)."""


def nesting_depth(node: yaml.Node | None, limit: int = MAX_DEPTH) -> tuple[int, yaml.Node | None]:
    """How deeply a composed YAML document nests (0 for a scalar), counting up to ``limit + 1``.

    Returns the depth and the first node found below ``limit`` (``None`` when the document stays within it).
    """
    if node is None:
        return 0, None
    deepest, seen = 0, set()
    stack: list[tuple[yaml.Node, int]] = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        deepest = max(deepest, depth)
        if depth > limit:
            return depth, current
        if isinstance(current, yaml.MappingNode):
            stack.extend((v, depth + 1) for _, v in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((v, depth + 1) for v in current.value)
    return deepest, None


def alias_expansion(node: yaml.Node | None) -> tuple[int, int, yaml.Node | None]:
    """Count the values of a composed YAML document with and without its aliases expanded.

    Parameters
    ----------
    node : yaml.Node or None
        The document as composed (an alias is the anchored node itself, shared).

    Returns
    -------
    (int, int, yaml.Node or None)
        The number of distinct nodes, the number the document holds once every alias is expanded,
        and the first node reached twice (an anchored node that an alias repeats), or ``None``.
        Each distinct node is visited once, so the count is linear in the file's size.
    """
    if node is None:
        return 0, 0, None
    size: dict[int, int] = {}
    first_alias = None
    # post-order without recursion: a node's size is 1 + its children's (shared children counted each time)
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        key = id(current)
        children = ([c for pair in current.value for c in pair] if isinstance(current, yaml.MappingNode)
                    else list(current.value) if isinstance(current, yaml.SequenceNode) else [])
        if expanded:
            size[key] = 1 + sum(size[id(c)] for c in children)
            continue
        if key in size:  # reached a second time: an alias of an anchored node
            first_alias = first_alias or current
            continue
        size[key] = 0  # visiting: a cycle (impossible in YAML's composer) would count as nothing
        stack.append((current, True))
        stack.extend((child, False) for child in children)
    return len(size), size[id(node)], first_alias


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
    loader = UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()  # parsed once; the data are constructed from these nodes
        depth, deep = nesting_depth(node)
        if deep is not None:
            raise ConfigError([Problem(name, "", f"nested more than {MAX_DEPTH} levels deep: not a params file",
                                       line=deep.start_mark.line + 1)])
        distinct, expanded, alias = alias_expansion(node)
        if expanded - distinct > MAX_ALIAS_EXPANSION:
            raise ConfigError([Problem(
                name, "", f"YAML aliases expand this file to {expanded:,} values from {distinct:,} written "
                          f"(more than {MAX_ALIAS_EXPANSION:,} repeated values): refused, as nested aliases can "
                          "exhaust the memory; write the values out instead of repeating *aliases",
                line=alias.start_mark.line + 1 if alias is not None else None)])
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = f"{exc.context + ', ' if exc.context else ''}{exc.problem}"
        raise ConfigError([Problem(name, "", f"not valid YAML: {msg}", line=line)]) from None
    except RecursionError:
        raise ConfigError([Problem(name, "", "not valid YAML for a params file: nested too deeply")]) from None
    finally:
        loader.dispose()
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
        elif loc[-1:] == ("url_env",) and isinstance(err.get("input"), str) and "://" in err["input"]:
            msg = URL_IN_URL_ENV  # the value is a connection URL: never echoed, it may carry a password
        else:
            msg = err["msg"].removeprefix("Value error, ")
            if "input" in err and kind not in ("model_type",) and not isinstance(err["input"], (dict, list)):
                msg += f" (got {mask_credentials(repr(err['input']))})"
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
                elif p.is_dir():
                    add(("sources", table, "file"), f"'{f}' is a folder, not a file; name the export inside it")
            env = src.get("url_env")
            if isinstance(env, str) and "://" in env:
                continue  # a URL instead of a variable's name: the schema's problem says so, once
            if isinstance(env, str) and isinstance(src.get("sql"), str) and not os.environ.get(env):
                add(("sources", table, "url_env"),
                    f"environment variable {env} is not set; export it with the database URL before running")

    if isinstance(sources, dict):
        for loc, msg in generated_key_problems(sources):
            add(loc, msg)

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
        p = Path(model).expanduser()
        p = p if p.is_absolute() else base / p
        if model.endswith((".yaml", ".yml")) and p.exists() and not _within(p, root):
            add(("maturity", "model"),
                f"'{model}' resolves outside the engagement folder {root.name}/; copy the model inside it "
                "or set data_root to the folder that holds it")
        elif not (model.endswith((".yaml", ".yml")) and p.is_file()):
            add(("maturity", "model"),
                f"'{model}' is neither a packaged model ({', '.join(PACKAGED_MODELS)}) nor a YAML file next to the params")

    taxonomy = _get(raw, "text", "taxonomy")
    if isinstance(taxonomy, str) and taxonomy.endswith((".yaml", ".yml")):
        p = Path(taxonomy).expanduser()
        p = p if p.is_absolute() else base / p
        if not p.is_file():
            add(("text", "taxonomy"), f"'{taxonomy}' is not a file next to the params (paths are relative to them)")
        elif not _within(p, root):
            add(("text", "taxonomy"), f"'{taxonomy}' resolves outside the engagement folder {root.name}/; copy it inside")

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


def generated_key_problems(sources: dict) -> list[tuple[tuple, str]]:
    """Where ``id: row_number`` cannot stand: another table than customers, a mapped id beside it, or a survey or
    conversation that joins on a customer id (a row number of the CRM export is no id another system holds).

    Parameters
    ----------
    sources : dict
        The raw ``sources`` mapping of a params file.

    Returns
    -------
    list of (key path, message)
    """
    out = []
    for table, src in sources.items():
        if not isinstance(src, dict) or src.get("id") is None:
            continue
        key = ROW_NUMBER_KEYS.get(table)
        if key is None:
            out.append((("sources", table, "id"),
                        f"`id: row_number` generates the key of {', '.join(ROW_NUMBER_KEYS)} only; "
                        + ("survey responses and conversations without an id are numbered anyway"
                           if table in ("responses", "interactions") else f"{table} need their own ids")))
            continue
        columns = src.get("columns") if isinstance(src.get("columns"), dict) else {}
        if key in columns:
            out.append((("sources", table, "id"), f"`id: row_number` generates {key}, but columns.{key} maps "
                                                  f"'{columns[key]}' too; keep one of them"))
        for other in ("responses", "interactions"):
            theirs = sources.get(other)
            mapped = isinstance(theirs, dict) and isinstance(theirs.get("columns"), dict) and key in theirs["columns"]
            if mapped:
                out.append((("sources", other, "columns", key),
                            f"sources.{table} numbers its rows (`id: row_number`), so no {other} can join on "
                            f"{key}: a row number of the CRM export is no id another system holds; export the CRM "
                            f"with its customer id, or remove this mapping (the {other} are then analysed unlinked)"))
    return out


def _range_problems(cfg: Config, file: str, lines: dict[tuple, int]) -> list[Problem]:
    """Objective targets and alert thresholds a metric can never reach (an NPS target of 250)."""

    def units(key: str, span: tuple[float, float]) -> str:
        lo, hi = (f"{v:g}".replace("-", "\u2212") for v in span)
        if span == (-100.0, 100.0):
            return f"{key} is in NPS points, {lo} to {hi}"
        if span == (0.0, 100.0):
            return f"{key} is a percentage, {lo} to {hi}"
        return f"{key} is a mean score on {lo} to {hi}"

    values = [(("objectives", i, "target"), f"target {o.target:g}", o.metric, o.target)
              for i, o in enumerate(cfg.objectives)]
    values += [(("alerts", i, "threshold"), f"threshold {a.threshold:g}", a.metric, a.threshold)
               for i, a in enumerate(cfg.alerts) if a.threshold is not None]
    problems = []
    for loc, what, key, value in values:
        span = cfg.metric_range(key)
        if span is not None and not span[0] <= value <= span[1]:
            problems.append(Problem(file, _loc_str(loc), f"{what} is outside the metric's range ({units(key, span)} "
                                                         "as defined under metrics): no result can reach it",
                                    _line_for(lines, loc)))
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
    if cfg is not None:
        env_problems += _range_problems(cfg, str(path), lines)
    problems.extend(Problem(str(path), p.path, p.message, p.line) for p in env_problems)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (p.line or 0, p.path)))
    assert cfg is not None
    cfg._params_path = params_path
    return cfg
