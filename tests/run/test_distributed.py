"""Organisations on a dask.distributed cluster give the same outputs as a local run.

A ``LocalCluster`` of two worker processes stands in for a real cluster (same filesystem, so the
shared-storage requirement holds). Tiny notebooks built on the real integration and store keep the
``run_on_cluster`` tests fast; one test runs the real notebooks through ``cxtemplate run --scheduler``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")

from cxtemplate.run.distributed import ClusterError, environment_fingerprint, preflight, run_on_cluster, run_task  # noqa: E402
from cxtemplate.run.provenance import discover, notebooks_dir  # noqa: E402
from cxtemplate.run.runner import run_organisation  # noqa: E402
from cxtemplate.synth.organisation import generate, write_organisation  # noqa: E402
from cxtemplate.synth.spec import SynthSpec  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- organisations and notebooks


def make_org(base: Path, org: str, seed: int, **spec) -> Path:
    """A synthetic organisation in ``base/org`` with params copied from params/demo.yaml; returns the params path."""
    d = base / org
    write_organisation(generate(SynthSpec(customers=300, seed=seed, **spec)), d / "data")
    text = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("  id: demo ", f"  id: {org} ").replace("../data/demo/", "../data/")
    (d / "params").mkdir(parents=True, exist_ok=True)
    path = d / "params" / f"{org}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _notebook(path: Path, title: str, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["cxtemplate"] = {"title": title, "role": "analyst"}
    params = nbformat.v4.new_code_cell('params_path = "x"\nrun_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)


# The config and the store directly (not open_run, which also sets up charts: ~3 s a kernel).
INTEGRATE = """\
from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import integrate
from cxtemplate.run.store import Store, write_integration

cfg, store = load_config(params_path), Store(run_dir)
result = integrate(cfg)
write_integration(result, store)
store.mark_done("00_integrate", {"rows": result.quality()["rows"]})
"""

NUMBERS = """\
import os, signal
from cxtemplate.config.loader import load_config
from cxtemplate.analysis.drivers import shapley_importance
from cxtemplate.measure.metrics import summarise
from cxtemplate.measure.spec import nps_spec
from cxtemplate.run.store import Store

cfg, store = load_config(params_path), Store(run_dir)
org = cfg.org_id
if org == "broken":
    raise ValueError("planted failure for broken")
if org == "crash" and os.environ.get("CX_TEST_ON_WORKER"):
    os.kill(os.getppid(), signal.SIGKILL)  # the kernel's parent is the worker process
responses = store.read_table("responses")
store.save("01_numbers", "nps_by_location", summarise(responses, nps_spec(), by="location"))
imp = shapley_importance(responses, "nps", cfg.metrics.drivers.columns)
store.save("01_numbers", "drivers", imp.table)
store.save("01_numbers", "summary", {"org": org, "n": len(responses), "r2": imp.r2,
                                     "nps": summarise(responses, nps_spec())["value"].iloc[0]})
store.mark_done("01_numbers")
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Tiny notebooks (real integration, NPS and drivers) and four organisations.

    ``broken`` fails in its second notebook; ``crash`` kills the worker process running it.
    """
    base = tmp_path_factory.mktemp("tiny")
    nbs = base / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "00_integrate.ipynb", "Integration", INTEGRATE)
    _notebook(nbs / "01_numbers.ipynb", "Numbers", NUMBERS)
    params = {org: make_org(base, org, seed, n_locations=3)
              for org, seed in (("north", 1), ("south", 2), ("broken", 3), ("crash", 4))}
    return nbs, params


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each; a worker death fails its task at once (no retries)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      scheduler_kwargs={"allowed_failures": 0}, env={"CX_TEST_ON_WORKER": "1"}) as c:
        yield c.scheduler_address


# --------------------------------------------------------------------------- comparing two runs


def output_files(run_dir: Path) -> list[str]:
    """The data a run produced: artifacts, canonical tables and restricted files (not pages or notebooks)."""
    from cxtemplate.run.store import restricted_folder

    restricted = restricted_folder(run_dir)
    return sorted([p.relative_to(run_dir).as_posix() for sub in ("artifacts", "tables")
                   for p in (run_dir / sub).rglob("*") if p.is_file()]
                  + [f"restricted/{p.relative_to(restricted).as_posix()}" for p in restricted.rglob("*") if p.is_file()])


def assert_same_outputs(a: Path, b: Path) -> int:
    """Two runs' data are the same: JSON equal, Parquet and Excel equal by value (exactly), other files byte for byte.

    Artifacts carry no run id, clock or timing (those live in run.json, whose inputs, versions and
    notebook statuses are compared instead), so nothing is left out of the comparison.
    """
    files = output_files(a)
    assert files == output_files(b)
    from cxtemplate.run.store import restricted_folder

    def where(run_dir: Path, rel: str) -> Path:
        return restricted_folder(run_dir) / rel[len("restricted/"):] if rel.startswith("restricted/") else run_dir / rel

    for rel in files:
        fa, fb = where(a, rel), where(b, rel)
        if rel.endswith(".json"):
            assert json.loads(fa.read_text()) == json.loads(fb.read_text()), rel
        elif rel.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(fa), pd.read_parquet(fb), check_exact=True, obj=rel)
        elif rel.endswith(".xlsx"):  # the workbook's own metadata holds its creation time
            sa, sb = pd.read_excel(fa, sheet_name=None), pd.read_excel(fb, sheet_name=None)
            assert sa.keys() == sb.keys(), rel
            for sheet in sa:
                pd.testing.assert_frame_equal(sa[sheet], sb[sheet], check_exact=True, obj=f"{rel}:{sheet}")
        else:
            assert fa.read_bytes() == fb.read_bytes(), rel
    run_a, run_b = (json.loads((d / "run.json").read_text()) for d in (a, b))
    assert run_a["inputs"] == run_b["inputs"] and run_a["params_sha256"] == run_b["params_sha256"]
    assert run_a["versions"] == run_b["versions"]
    assert [(n["name"], n["status"]) for n in run_a["notebooks"]] == [(n["name"], n["status"]) for n in run_b["notebooks"]]
    return len(files)


# --------------------------------------------------------------------------- run_on_cluster


def test_cluster_run_matches_local_and_one_failure_or_crash_leaves_the_others_complete(cluster, tiny, tmp_path, capsys):
    nbs, params = tiny
    local = run_organisation(str(params["north"]), out_dir=str(tmp_path / "local"), nb_dir=str(nbs))
    assert local["status"] == "ok"

    order = ["north", "south", "broken", "crash"]
    results = run_on_cluster([str(params[o]) for o in order], cluster, out_dir=str(tmp_path / "cluster"),
                             nb_dir=str(nbs))
    assert [r["org"] for r in results] == order
    assert all(set(r) == {"org", "status", "seconds", "run_dir", "error"} for r in results)
    by = {r["org"]: r for r in results}
    assert by["north"]["status"] == by["south"]["status"] == "ok"
    assert by["broken"]["status"] == "failed"
    line = next(i for i, text in enumerate(NUMBERS.splitlines(), 1) if "planted failure" in text)  # the raise, in its cell
    assert f"01_numbers failed in cell 3, line {line} ('raise ValueError(\"planted failure for broken\")')" \
        in by["broken"]["error"]["message"]
    assert "planted failure for broken" in by["broken"]["error"]["message"]
    assert by["crash"]["status"] == "crashed" and by["crash"]["run_dir"] is None
    assert "the worker running it died" in by["crash"]["error"]["message"]

    out = tmp_path / "cluster"
    for org in ("north", "south"):
        latest = out / org / "latest"
        assert latest.resolve() == Path(by[org]["run_dir"]) and (latest / "index.html").is_file()
    assert not (out / "broken" / "latest").exists() and not (out / "crash" / "latest").exists()
    for org in order:  # one attempt each: no organisation was rerun (e.g. to recover a result a dead worker held)
        assert len([d for d in (out / org).iterdir()
                    if d.is_dir() and not d.is_symlink() and d.name != "restricted"]) == 1, org
    assert not list(out.glob(".cxtemplate-preflight-*"))  # the storage check leaves nothing behind

    compared = assert_same_outputs(Path(local["run_dir"]), Path(by["north"]["run_dir"]))
    assert compared >= 10  # 5 tables, quarantines, the numbers' JSON and Parquet
    south = json.loads((Path(by["south"]["run_dir"]) / "artifacts" / "01_numbers" / "summary.json").read_text())
    north = json.loads((Path(by["north"]["run_dir"]) / "artifacts" / "01_numbers" / "summary.json").read_text())
    assert south["org"] == "south" and north["org"] == "north" and south["n"] != north["n"]  # nothing mixed

    err = capsys.readouterr().err
    assert "[cluster]" in err and "2 workers checked" in err
    assert "[north]  2/2 01_numbers" in err  # notebook events travel from the workers
    for org, status in (("north", "ok"), ("south", "ok"), ("broken", "failed"), ("crash", "crashed")):
        assert f"[{org}] {status} in" in err


def test_a_secret_missing_on_the_workers_stops_the_run_before_anything_starts(cluster, tiny, tmp_path, monkeypatch):
    nbs, params = tiny
    raw = yaml.safe_load(params["south"].read_text())
    raw["organisation"]["id"] = "warehouse"
    raw["sources"]["responses"] = {"sql": "select * from responses", "url_env": "CX_DIST_TEST_URL"}
    path = params["south"].with_name("warehouse.yaml")
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    # Set here only: the workers were started without it, as on a cluster whose workers lack the secret.
    monkeypatch.setenv("CX_DIST_TEST_URL", "sqlite:///nowhere.db")
    with pytest.raises(ClusterError) as info:
        run_on_cluster([str(path)], cluster, out_dir=str(tmp_path / "out"), nb_dir=str(nbs), progress=False)
    text = str(info.value)
    assert "no organisation was started" in text and text.count("CX_DIST_TEST_URL") == 1  # listed once
    assert "sources.responses.url_env" in text and re.search(r"(all 2 workers|worker tcp://[0-9.:]+): ", text)
    assert not (tmp_path / "out" / "warehouse").exists()


def test_a_worker_that_joined_with_a_different_installation_refuses_the_run(cluster, tiny):
    from distributed import Client

    nbs, params = tiny
    mine = environment_fingerprint(str(nbs))
    expected = {**mine, "code": "0" * 64, "versions": {**mine["versions"], "pandas": "0.0"}}
    with Client(cluster, set_as_default=False) as client:
        fut = client.submit(run_task, str(params["north"]), None, False, str(nbs), None, expected, pure=False)
        with pytest.raises(ClusterError, match=r"is a different installation: pandas \S+ \(here 0\.0\); cxtemplate's code"):
            fut.result()
    assert not (params["north"].parents[1] / "reports").exists()  # refused before anything was written


def test_preflight_names_what_a_worker_cannot_see(tmp_path, tiny):
    nbs, params = tiny
    missing = tmp_path / "elsewhere" / "acme.yaml"
    other = tmp_path / "out"
    other.mkdir()
    answer = preflight({str(missing): "0" * 64, str(params["north"]): "f" * 64}, {str(other): "abc"}, str(nbs))
    problems = "\n".join(answer["problems"])
    assert f"params file {missing} is not visible here" in problems
    assert f"params file {params['north']} differs from the submitting machine's copy" in problems
    assert f"output folder {other} is not the submitting machine's folder" in problems
    assert set(answer["fingerprint"]) == {"versions", "code", "notebooks"}
    assert preflight({}, {}, str(tmp_path))["problems"][0].startswith("no notebooks matching")


# --------------------------------------------------------------------------- the command line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_a_clear_error_with_exit_code_2(tiny, tmp_path):
    _, params = tiny
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "CXTEMPLATE_CONNECT_TIMEOUT": "3"}
    proc = subprocess.run([sys.executable, "-m", "cxtemplate", "run", str(params["north"]), "--scheduler", address,
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr
    assert f"cannot reach the dask scheduler at '{address}' within 3 s" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_real_notebooks_through_the_cli_give_the_same_outputs_as_a_local_run(cluster, tmp_path):
    """The whole template for two organisations on the cluster; one of them also locally, at the same time."""
    params = {org: make_org(tmp_path, org, seed) for org, seed in (("north", 11), ("south", 12))}
    cmd = [sys.executable, "-m", "cxtemplate", "run"]
    local = subprocess.Popen([*cmd, str(params["north"]), "--out", str(tmp_path / "local"), "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        on_cluster = subprocess.run([*cmd, str(params["north"]), str(params["south"]), "--scheduler", cluster,
                                     "--out", str(tmp_path / "cluster")], capture_output=True, text=True, timeout=900,
                                    cwd=tmp_path)
        _, local_err = local.communicate(timeout=900)
    finally:
        if local.poll() is None:
            local.kill()
            local.communicate()
    assert local.returncode == 0, local_err[-3000:]
    assert on_cluster.returncode == 0, on_cluster.stderr[-3000:]
    assert "2 workers checked" in on_cluster.stderr and "[south] ok in" in on_cluster.stderr
    lines = on_cluster.stdout.splitlines()
    assert [ln.split()[:2] for ln in lines] == [["north", "ok"], ["south", "ok"]]

    a, b = (tmp_path / where / "north" / "latest" for where in ("local", "cluster"))
    run = json.loads((b / "run.json").read_text())
    assert [n["name"] for n in run["notebooks"]] == [p.stem for p in discover(notebooks_dir())]
    assert len(run["scorecards"]) == 8
    compared = assert_same_outputs(a.resolve(), b.resolve())
    assert compared >= 60
    assert (tmp_path / "cluster" / "south" / "latest" / "index.html").is_file()
