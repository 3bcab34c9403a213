"""The project's environment descriptions agree with each other and with the pins."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements(root) -> dict[str, str]:
    data = tomllib.loads((root / "pyproject.toml").read_text())
    reqs = list(data["project"]["dependencies"]) + list(data["project"]["optional-dependencies"]["test"])
    out: dict[str, str] = {}
    for line in reqs:
        r = Requirement(line)
        out[_norm(r.name)] = str(r.specifier)
        for extra in r.extras:  # dask[distributed] brings distributed with the same bound
            out[_norm(extra)] = str(r.specifier)
    return out


def _conda_requirements(root) -> dict[str, str]:
    env = yaml.safe_load((root / "environment.yml").read_text())
    out: dict[str, str] = {}
    entries = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            entries += [d for d in dep.get("pip", []) if not d.startswith("-")]
        else:
            entries.append(dep)
    for line in entries:
        if line == "pip" or line.startswith("python="):
            continue
        r = Requirement(line.replace("=", "==", 1) if re.match(r"^[\w.-]+=[^=<>]", line) else line)
        out[_norm(r.name)] = str(r.specifier)
    return out


def test_environment_yml_lists_the_same_packages_as_pyproject(root):
    py = _pyproject_requirements(root)
    conda = _conda_requirements(root)
    assert set(py) == set(conda), f"only in pyproject: {set(py) - set(conda)}; only in environment.yml: {set(conda) - set(py)}"
    differing = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert not differing, f"version bounds differ: {differing}"


def test_constraints_pin_every_direct_dependency_within_its_bounds(root):
    pins = {}
    for line in (root / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[_norm(name)] = version.strip()
    for name, spec in _pyproject_requirements(root).items():
        assert name in pins, f"{name} is not pinned in constraints.txt"
        if spec:
            from packaging.specifiers import SpecifierSet

            assert pins[name] in SpecifierSet(spec), f"{name}=={pins[name]} violates {spec}"


def test_pandas_is_pinned_below_3_for_lifelines(root):
    pins = dict(l.split("==") for l in (root / "constraints.txt").read_text().splitlines() if "==" in l and not l.startswith("#"))
    assert int(pins["pandas"].split(".")[0]) < 3


def test_jupyterlab_is_not_a_runtime_dependency(root):
    """jupyterlab slows every papermill call ~2.5x; it must stay in the optional 'lab' extra."""
    data = tomllib.loads((root / "pyproject.toml").read_text())
    runtime = {_norm(Requirement(r).name) for r in data["project"]["dependencies"]}
    assert "jupyterlab" not in runtime
    assert any("jupyterlab" in r for r in data["project"]["optional-dependencies"]["lab"])
