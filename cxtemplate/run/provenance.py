"""Where a run's notebooks come from and what shaped its numbers: discovery, hashes and versions.

The run record (``run.json``) holds the hashes of the params, of every input, of each notebook and of
the package's own source, with the versions of the packages that shape the numbers; ``--resume``
reuses a notebook only when all of them are unchanged, and a cluster worker runs only when its
fingerprint matches the submitting machine's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import uuid
from pathlib import Path

from cxtemplate.config.schema import Config

PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""The cxtemplate package folder: its modules, templates and maturity models."""

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
VERSIONED = ("cxtemplate", "pandas", "numpy", "scipy", "scikit-learn", "statsmodels", "lifelines", "seaborn",
             "matplotlib", "papermill", "nbconvert", "pandera", "pydantic", "duckdb", "pyarrow")


def notebooks_dir() -> Path:
    """The template's notebooks folder (``$CXTEMPLATE_NOTEBOOKS`` overrides)."""
    env = os.environ.get("CXTEMPLATE_NOTEBOOKS")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2] / "notebooks"


def discover(nb_dir: Path) -> list[Path]:
    """The numbered notebooks of the flow, in execution order."""
    found = sorted(nb_dir.glob(NOTEBOOK_GLOB))
    if not found:
        raise FileNotFoundError(f"no notebooks matching {NOTEBOOK_GLOB} in {nb_dir}")
    return found


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def input_hashes(cfg: Config) -> dict[str, dict[str, str]]:
    """Hash every input (source files; SQL query texts, whose data cannot be hashed here)."""
    out: dict[str, dict[str, str]] = {}
    for table, src in cfg.sources.configured().items():
        if src.sql is not None:
            out[table] = {"source": f"sql via ${src.url_env}", "sha256": "sql:" + hashlib.sha256(src.sql.encode()).hexdigest()}
        else:
            out[table] = {"source": str(src.file), "sha256": sha256_file(cfg.resolve(src.file))}
    model = cfg.maturity.model
    if model.endswith((".yaml", ".yml")):
        out["maturity_model"] = {"source": model, "sha256": sha256_file(cfg.resolve(model))}
    return out


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in VERSIONED:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a short random suffix."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def tree_sha256(folder: Path, patterns: tuple[str, ...]) -> str | None:
    """One SHA-256 over the relative paths and contents of the matching files (``None`` if absent)."""
    if not folder.is_dir():
        return None
    files = sorted({p for pat in patterns for p in folder.rglob(pat)
                    if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts})
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(folder).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def package_sha256() -> str:
    """One SHA-256 over every file of the cxtemplate package (modules, templates, maturity models).

    A change to any module a notebook calls changes it, so ``--resume`` reruns the notebooks instead
    of reusing results computed by the old code.
    """
    return tree_sha256(PACKAGE_DIR, ("*",))


def check_notebooks(nb_dir: Path) -> list[Path]:
    """The notebooks of the flow (:func:`discover`), after checking what the runner and the index read from them.

    Every notebook's ``cxtemplate`` metadata must name a known ``role`` (a misspelt role would silently
    drop the page from the report's index) and ``after`` only earlier notebooks of the flow.

    Raises
    ------
    ConfigError
        Listing every problem, each with the notebook file and the metadata key.
    """
    from cxtemplate.errors import ConfigError, Problem
    from cxtemplate.report.render import notebook_info
    from cxtemplate.vocabulary import ROLES

    found = discover(nb_dir)
    problems = []
    for i, path in enumerate(found):
        info = notebook_info(path)
        if info["role"] not in ROLES:
            problems.append(Problem(str(path), "metadata.cxtemplate.role",
                                    f"role must be one of {', '.join(map(repr, ROLES))}, got {info['role']!r}"))
        earlier = {p.stem for p in found[:i]}
        for a in info.get("after") or []:
            if a not in earlier:
                problems.append(Problem(str(path), "metadata.cxtemplate.after",
                                        f"{a!r} is not an earlier notebook of the flow"))
    if problems:
        raise ConfigError(problems, subject="the notebooks' metadata")
    return found
