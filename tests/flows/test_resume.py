"""Nothing is lost when a run is killed (issue 8), and ``--resume`` picks up where it stopped.

``cxtemplate run`` is started as a subprocess on a small synthetic organisation and SIGKILLed
(its whole process group, and the kernels it started) once notebook 02 has finished, as the
run's own ``run.json`` in its ``.partial-*`` folder reports. The killed run must not become
``latest``; ``cxtemplate run --resume`` must reuse exactly the notebooks that completed and run
the rest. Then the reuse decision is checked against a changed notebook, changed data, changed
params and changed package code (the run imports a private copy of ``cxtemplate``, so a module can
be edited): each time the resumed run is started from the same killed attempt, its decision read
from its ``run.json``, and it is killed again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ORG = "resumable"
TIMEOUT = 900


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (kernels run in their own session, so killpg misses them)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the run's process group, then any kernel it started (by pid)."""
    below = _descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    for pid in below:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.time() + 30
    while any(Path(f"/proc/{p}").exists() and "zombie" not in _state(p) for p in below) and time.time() < deadline:
        time.sleep(0.1)


def _state(pid: int) -> str:
    try:
        return "zombie" if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z" else "alive"
    except OSError:
        return "zombie"


class Engagement:
    """A synthetic organisation, a private copy of the notebooks, and helpers to run and kill."""

    def __init__(self, base: Path):
        from cxtemplate.synth.organisation import generate, write_organisation
        from cxtemplate.synth.spec import SynthSpec

        self.base = base
        write_organisation(generate(SynthSpec(customers=300, seed=41)), base / "data" / ORG)
        text = (ROOT / "params" / "demo.yaml").read_text()
        self.params = base / "params" / f"{ORG}.yaml"
        self.params.parent.mkdir()
        self.params.write_text(text.replace("../data/demo/", f"../data/{ORG}/").replace("id: demo ", f"id: {ORG} "))
        self.nb_dir = base / "notebooks"
        shutil.copytree(ROOT / "notebooks", self.nb_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.py"))
        # the run and its kernels import this copy of the package (PYTHONPATH comes before the installed one)
        self.pkg = base / "pkg"
        shutil.copytree(ROOT / "cxtemplate", self.pkg / "cxtemplate", ignore=shutil.ignore_patterns("__pycache__"))
        self.out = base / "reports"
        self.org_dir = self.out / ORG

    def start(self, *extra: str) -> subprocess.Popen:
        env = {**os.environ, "CXTEMPLATE_NOTEBOOKS": str(self.nb_dir), "PYTHONPATH": str(self.pkg)}
        return subprocess.Popen([sys.executable, "-m", "cxtemplate", "run", str(self.params), "--out", str(self.out),
                                 "--quiet", *extra], env=env, cwd=str(self.base), start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def partials(self) -> set[Path]:
        return set(self.org_dir.glob(".partial-*")) if self.org_dir.is_dir() else set()

    def wait_for(self, proc: subprocess.Popen, known: set[Path], ready) -> tuple[Path, dict]:
        """Poll the new partial folder's run.json until ``ready(record)``; return (folder, record)."""
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            for d in self.partials() - known:
                rj = d / "run.json"
                if rj.is_file():
                    rec = json.loads(rj.read_text())
                    # a resumed run starts as a copy of the attempt it resumes: wait for its own record
                    if rec["run_id"] == d.name.removeprefix(".partial-") and ready(rec):
                        return d, rec
            if proc.poll() is not None:
                raise AssertionError(f"the run ended before the point of interest: {proc.stderr.read()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError("timed out")

    def resume_decision(self, killed: Path) -> dict:
        """Start ``--resume``, read which notebooks it reuses, kill it and remove its folder."""
        assert {p.name for p in self.partials()} == {killed.name}, "the killed run is the newest incomplete one"
        known = self.partials()
        proc = self.start("--resume")
        d, rec = self.wait_for(proc, known, lambda r: _status(r)["00_data_integration"] == "ok")
        _kill(proc)
        shutil.rmtree(d)
        return rec


def _status(rec: dict) -> dict[str, str]:
    return {n["name"]: n["status"] for n in rec["notebooks"]}


def _reused(rec: dict) -> list[str]:
    return [n["name"] for n in rec["notebooks"] if n.get("reused")]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    eng = Engagement(tmp_path_factory.mktemp("resume"))
    # 1. a run killed once notebook 02 has finished
    proc = eng.start()
    killed, _ = eng.wait_for(proc, set(), lambda r: _status(r)["02_objectives"] == "ok")
    _kill(proc)
    killed_record = json.loads((killed / "run.json").read_text())
    latest_after_kill = (eng.org_dir / "latest").exists() or (eng.org_dir / "latest").is_symlink()
    # 2. --resume to completion
    resume = eng.start("--resume")
    _, err = resume.communicate(timeout=TIMEOUT)
    assert resume.returncode == 0, err[-3000:]
    resumed = json.loads((eng.org_dir / "latest" / "run.json").read_text())
    return {"eng": eng, "killed": killed, "killed_record": killed_record, "latest_after_kill": latest_after_kill,
            "resumed": resumed}


def test_a_killed_run_is_never_latest_and_records_what_completed(scenario):
    assert not scenario["latest_after_kill"]
    rec = scenario["killed_record"]
    assert rec["status"] == "running" and scenario["killed"].name.startswith(".partial-")
    done = [n for n, s in _status(rec).items() if s == "ok"]
    assert done[:1] == ["00_data_integration"] and "02_objectives" in done
    assert not all(s == "ok" for s in _status(rec).values())


def test_resume_reuses_exactly_the_notebooks_that_completed_and_runs_the_rest(scenario):
    resumed, killed = scenario["resumed"], scenario["killed_record"]
    assert resumed["status"] == "ok" and resumed["resumed_from"] == killed["run_id"]
    done = [n for n, s in _status(killed).items() if s == "ok"]
    assert _reused(resumed) == done
    for n in resumed["notebooks"]:
        assert n["status"] == "ok"
        if n["name"] not in done:
            assert n["seconds"] > 0 and not n.get("reused"), n
    latest = scenario["eng"].org_dir / "latest"
    assert os.readlink(latest) == resumed["run_id"]
    # the reused results are the killed run's, carried over unchanged
    for name in done:
        for f in (scenario["killed"] / "artifacts" / name).iterdir():
            assert (latest / "artifacts" / name / f.name).read_bytes() == f.read_bytes(), f
    assert (latest / "pages" / "07_executive_summary.html").is_file()
    assert all(sc["status"] == "ok" for sc in resumed["scorecards"])


def test_a_changed_notebook_is_rerun_with_everything_after_it(scenario):
    eng, killed = scenario["eng"], scenario["killed"]
    nb = eng.nb_dir / "02_objectives.ipynb"
    original = nb.read_bytes()
    text = json.loads(original)
    text["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "An analyst's new note."})
    nb.write_text(json.dumps(text))
    try:
        rec = eng.resume_decision(killed)
    finally:
        nb.write_bytes(original)
    done = [n for n, s in _status(scenario["killed_record"]).items() if s == "ok"]
    assert rec["resumed_from"] == scenario["killed_record"]["run_id"]
    assert "00_data_integration" in _reused(rec) and "02_objectives" not in _reused(rec)
    assert set(_reused(rec)) == set(done) - {"02_objectives"}
    assert os.readlink(eng.org_dir / "latest") == scenario["resumed"]["run_id"], "a killed resume never becomes latest"


def test_the_run_imports_the_private_copy_of_the_package(scenario):
    assert scenario["resumed"]["code_sha256"] == _package_hash(scenario["eng"].pkg / "cxtemplate")


def _package_hash(folder: Path) -> str:
    from cxtemplate.run.provenance import tree_sha256

    return tree_sha256(folder, ("*",))


@pytest.mark.parametrize("change", ["data", "params", "code"])
def test_changed_inputs_reuse_nothing(scenario, change):
    """Changed data, params or package code (a module a notebook calls, edited after the killed run) → rerun all."""
    eng, killed = scenario["eng"], scenario["killed"]
    path = {"data": eng.base / "data" / ORG / "operations.csv", "params": eng.params,
            "code": eng.pkg / "cxtemplate" / "plan" / "objectives.py"}[change]
    original = path.read_bytes()
    if change == "data":
        path.write_bytes(original.replace(b"\n", b"\n", 1) + original.splitlines(keepends=True)[1])  # one row more
    elif change == "params":
        path.write_bytes(original.replace(b"min_n: 30 ", b"min_n: 25 "))
    else:
        path.write_bytes(original + b"\n\n# an analyst's edit to the module notebook 02 calls\n")
    assert path.read_bytes() != original
    try:
        rec = eng.resume_decision(killed)
    finally:
        path.write_bytes(original)
    assert rec["resumed_from"] == scenario["killed_record"]["run_id"]
    assert _reused(rec) == []
    assert os.readlink(eng.org_dir / "latest") == scenario["resumed"]["run_id"]


def test_unchanged_inputs_after_the_checks_would_reuse_again(scenario):
    """The checks above restored every file: the same killed attempt is reusable as before."""
    rec = scenario["eng"].resume_decision(scenario["killed"])
    assert _reused(rec) == [n for n, s in _status(scenario["killed_record"]).items() if s == "ok"]
