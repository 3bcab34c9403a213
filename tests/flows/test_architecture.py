"""The shape of the package: layers that import only downhill, no cycles, no private names crossing
modules, one test module per package module (docs/layers.md).

``make test`` runs ``lint-imports`` on the contracts in ``pyproject.toml``; these tests show that the
contracts bite (an upward import or a cycle planted in a copy of the package breaks them) and check
what import-linter cannot: private *names* imported across modules and the mirror of the tests.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cxtemplate"
LINT = Path(sys.executable).with_name("lint-imports")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the package and its import contracts, to break on purpose."""
    shutil.copytree(PACKAGE, tmp_path / "cxtemplate", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_import_contracts():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("measure/metrics.py", "from cxtemplate.run import store  # planted", "Layers"),          # upward
    ("analysis/people.py", "from cxtemplate.churn import results  # planted", "Layers"),      # sideways
    ("measure/grouping.py", "from cxtemplate.measure import trends  # planted", "cycles"),   # a cycle
    ("report/theme.py", "    from cxtemplate.config import schema  # planted", "Layers"),  # inside a function
])
def test_a_planted_violation_breaks_the_contracts(package_copy, module, line, broken):
    target = package_copy / "cxtemplate" / module
    text = target.read_text()
    if line.startswith("    "):
        text += "\n\ndef _planted():\n" + line + "\n"
    else:
        text += "\n" + line + "\n"
    target.write_text(text)
    result = _lint(package_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and broken in result.stdout.split("Broken contracts")[-1]


def test_no_module_imports_a_private_name_of_another():
    modules = _modules()
    offenders = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported_modules = set()  # local names bound to one of our modules (from cxtemplate.x import y as z)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("cxtemplate")):
                offenders += [f"{name}:{node.lineno} imports {a.name} from {node.module}" for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")]
                imported_modules |= {a.asname or a.name for a in node.names if f"{node.module}.{a.name}" in modules}
            elif isinstance(node, ast.Import):
                imported_modules |= {a.asname for a in node.names if a.asname and a.name in modules}
        for node in ast.walk(tree):  # module._private through an imported module
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in imported_modules and node.attr.startswith("_") and not node.attr.startswith("__"):
                offenders.append(f"{name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not offenders, "\n".join(offenders)


def test_every_subpackage_declares_its_modules():
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        declared = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                         and any(getattr(t, "id", None) == "__all__" for t in n.targets)), None)
        assert declared is not None, f"{init} declares no __all__"
        present = {p.stem for p in init.parent.glob("*.py") if p.stem != "__init__"} | \
                  {p.name for p in init.parent.iterdir() if (p / "__init__.py").is_file()}
        assert sorted(declared) == sorted(present), f"{init}: __all__ {sorted(declared)} but modules {sorted(present)}"
        assert ast.get_docstring(tree), f"{init} says nothing about its room"


def test_every_module_has_tests_of_its_own():
    """tests/ mirrors the package: cxtemplate/<sub>/<module>.py is tested in tests/<sub>/test_<module>.py."""
    missing = []
    for name, path in _modules().items():
        if path.name in ("__init__.py", "__main__.py"):
            continue
        rel = path.relative_to(PACKAGE)
        test = ROOT / "tests" / rel.parent / f"test_{rel.name}"
        if not test.is_file() or "def test_" not in test.read_text(encoding="utf-8"):
            missing.append(f"{name} → {test.relative_to(ROOT)}")
    assert not missing, "modules without tests of their own:\n" + "\n".join(missing)
