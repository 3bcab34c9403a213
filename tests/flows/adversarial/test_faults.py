"""Faults around a run (issue 14): a full disk, a killed caller, colliding page names.

* **Disk full** (simulated by patching the writers to fail with ``ENOSPC`` part-way, as a real full disk
  does: the first bytes land, then ``write()`` fails without a file name): the error names the file,
  ``run.json`` says ``failed``, no truncated page or artifact is left, ``latest`` does not move.
* **The caller is killed** (``kill -9`` of the ``cxtemplate`` process alone, not its group): its worker
  process ends too and never moves ``latest``.
* **Scorecard names collide** ("St. Albans" / "St Albans", non-Latin names): every location gets its own
  page and the index links each to its own.

Fast cases are unmarked; the cases that start kernels or processes are ``slow``.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from cxtemplate.run import runner


def full_disk(path: Path, *args, **kwargs):
    """A writer on a full disk: part of the file lands, then write() fails (no file name, as the OS gives it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<!DOCTYPE html><html><body><p>half a pa")
    raise OSError(errno.ENOSPC, "No space left on device")


# --------------------------------------------------------------------------- disk full: the pieces (fast)


def test_an_error_without_a_file_name_is_told_with_the_path_being_written():
    exc = OSError(errno.ENOSPC, "No space left on device")
    assert runner.describe_os_error(exc, "/r/pages/04.html") == (
        "the disk is full while writing /r/pages/04.html (No space left on device)")
    exc = OSError(errno.EDQUOT, "Disk quota exceeded", "/r/tables/responses.parquet")
    assert runner.describe_os_error(exc) == ("the disk quota is exceeded while writing /r/tables/responses.parquet "
                                             "(Disk quota exceeded)")


def test_a_page_that_cannot_be_written_whole_is_not_written_at_all(tmp_path):
    page = tmp_path / "pages" / "04_experience_analysis.html"
    with pytest.raises(runner.WriteFailed) as info:
        runner._whole_file(full_disk, page)
    assert str(page) in info.value.strerror and "the disk is full" in info.value.strerror
    assert not page.exists() and not list(page.parent.iterdir()), "no truncated page, no partial file"


def test_a_page_written_whole_replaces_the_old_one(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("old")
    runner._whole_file(lambda target: target.write_text("new"), page)
    assert page.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["p.html"]


def test_run_json_says_failed_even_when_the_disk_has_no_room_for_a_second_copy(tmp_path, monkeypatch):
    from cxtemplate.data import files

    record = {"run_id": "r1", "status": "running", "notebooks": [{"name": "00", "status": "ok"}] * 20}
    runner._write_run(tmp_path, record)
    monkeypatch.setattr(files, "write_json", lambda path, obj: full_disk(path.with_suffix(".json.tmp")))
    runner._write_run(tmp_path, {**record, "status": "failed", "error": {"message": "disk full"}})
    back = json.loads((tmp_path / "run.json").read_text())
    assert back["status"] == "failed" and back["error"]["message"] == "disk full"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


# --------------------------------------------------------------------------- the caller (fast)


def test_outside_a_worker_the_caller_is_always_alive(monkeypatch):
    monkeypatch.setattr(runner, "_CALLER_PID", None)
    assert runner.caller_alive()
    monkeypatch.setattr(runner, "_CALLER_PID", os.getppid())
    assert runner.caller_alive()
    monkeypatch.setattr(runner, "_CALLER_PID", os.getppid() + 100_000)
    assert not runner.caller_alive()


def test_a_worker_whose_caller_is_already_gone_ends_at_once():
    code = "from cxtemplate.run.runner import die_with_parent; die_with_parent(1); print('still here')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 143 and "still here" not in proc.stdout


# --------------------------------------------------------------------------- scorecard names (fast)


def test_scorecards_of_colliding_locations_get_pages_and_links_of_their_own(tmp_path):
    import pandas as pd

    from cxtemplate.config.schema import unique_slugs

    levels = ["St. Albans", "St Albans", "Zürich", "Zurich", "東京", "大阪", "Leeds"]
    run_dir = tmp_path / "run"
    (run_dir / "tables").mkdir(parents=True)
    pd.DataFrame({"location": levels * 3}).to_parquet(run_dir / "tables" / "responses.parquet")
    found = runner._scorecard_levels(run_dir, "location")
    names = unique_slugs(found)
    assert sorted(found) == sorted(levels) and len(set(names.values())) == len(levels)
    assert names["Leeds"] == "leeds", "a plain name keeps its readable file name"


# --------------------------------------------------------------------------- whole runs (slow)

PARAMS = """\
organisation: {id: acme, name: Acme Ltd, as_of: 2025-12-31}
sources:
  responses: {file: data.csv}
reporting: {output_dir: reports}
"""


def _notebook(path: Path, body: str, title: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["cxtemplate"] = {"title": title, "role": "analyst"}
    params = nbformat.v4.new_code_cell('params_path = "x"\nrun_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)


@pytest.fixture()
def tiny(tmp_path: Path):
    """An engagement with one params file and a notebooks folder of two quick notebooks."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "00_first.ipynb", "print('first')", "First")
    _notebook(nbs / "01_second.ipynb",
              "import os, time\nfrom pathlib import Path\n"
              "time.sleep(float(os.environ.get('CX_TEST_SLEEP', '0')))\nPath(run_dir, 'second.txt').write_text('ok')",
              "Second")
    # every metric switched on by default has its column, so validate passes and the run starts
    (tmp_path / "data.csv").write_text("nps,csat,ces\n9,4,2\n")
    (tmp_path / "acme.yaml").write_text(PARAMS)
    return tmp_path, nbs


@pytest.mark.slow
def test_a_full_disk_while_rendering_fails_the_run_naming_the_page(tiny, monkeypatch):
    from cxtemplate.report import render

    root, nbs = tiny
    real = render.render_page

    def fills_up(nb_path, out_path, ctx, **kw):
        if "01_second" in str(nb_path):
            return full_disk(out_path)
        return real(nb_path, out_path, ctx, **kw)

    monkeypatch.setattr(render, "render_page", fills_up)
    rec = runner.run_organisation(str(root / "acme.yaml"), nb_dir=str(nbs))
    run_dir = Path(rec["run_dir"])
    assert rec["status"] == "failed"
    page = run_dir / "pages" / "01_second.html"
    assert f"the disk is full while writing {page}" in rec["error"]["message"]
    on_disk = json.loads((run_dir / "run.json").read_text())
    assert on_disk["status"] == "failed" and str(page) in on_disk["error"]["message"]
    assert not page.exists(), "no truncated page"
    assert not [p for p in run_dir.rglob("*") if p.name.endswith((".partial", ".tmp"))]
    assert (run_dir / "pages" / "00_first.html").is_file(), "the pages written whole are kept"
    assert not (run_dir.parent / "latest").exists()


@pytest.mark.slow
def test_killing_the_command_alone_ends_its_worker_and_latest_never_moves(tiny):
    import psutil

    root, nbs = tiny
    script = textwrap.dedent(f"""\
        from cxtemplate.run.batch import run_many
        run_many([{str(root / "acme.yaml")!r}], nb_dir={str(nbs)!r}, progress=False)
        """)
    env = {**os.environ, "CX_TEST_SLEEP": "12"}
    cli = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=root, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        org_dir = root / "reports" / "acme"
        deadline = time.monotonic() + 120
        workers: list = []
        while time.monotonic() < deadline:  # wait until the second notebook sleeps in its kernel
            partial = next(org_dir.glob(".partial-*"), None) if org_dir.is_dir() else None
            done = partial is not None and (partial / "run.json").is_file() and '"ok"' in (partial / "run.json").read_text()
            workers = [p for p in psutil.Process(cli.pid).children() if "multiprocessing" in " ".join(p.cmdline())]
            if done and workers:
                break
            time.sleep(0.2)
        assert workers, "the worker process was found"
        os.kill(cli.pid, signal.SIGKILL)  # the command alone: its worker is not in the kill
        cli.wait(timeout=30)
        gone, alive = psutil.wait_procs(workers, timeout=30)
        assert not alive, f"workers still running after their caller died: {[p.pid for p in alive]}"
        time.sleep(14)  # past the end of the notebook's sleep: a surviving worker would now finish the run
        assert not (org_dir / "latest").exists(), "latest moved after the caller was gone"
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
        for w in workers:  # a failed assertion leaves nothing running
            if w.is_running():
                w.kill()


def test_the_index_links_each_colliding_location_to_its_own_scorecard(tmp_path):
    import html
    import re

    from cxtemplate.config.loader import load_config
    from cxtemplate.config.schema import unique_slugs

    (tmp_path / "data.csv").write_text("nps\n9\n")
    (tmp_path / "acme.yaml").write_text(PARAMS)
    cfg = load_config(tmp_path / "acme.yaml")
    levels = ["St. Albans", "St Albans", "東京"]
    run_dir = tmp_path / "run"
    stems = unique_slugs(levels)
    scorecards = []
    for level in levels:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# Scorecard\n\nThis page is about {level}.")]
        path = run_dir / "notebooks" / "scorecards" / f"{stems[level]}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        scorecards.append({"level": level, "by": "location", "status": "ok",
                           "notebook": f"notebooks/scorecards/{stems[level]}.ipynb"})
    record = {"run_id": "r1", "status": "ok", "started_at": "2025-12-31T00:00:00", "notebooks": [],
              "organisation": {"id": "acme", "name": "Acme Ltd", "period": "all to 2025-12-31", "as_of": "2025-12-31"},
              "versions": {"cxtemplate": "0"}, "params_file": "acme.yaml", "params_sha256": "0" * 64, "scorecards": scorecards}
    runner._render(run_dir, record, [], cfg)
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a[^>]*href="(pages/scorecards/[^"]+)"[^>]*>(.*?)</a>', index, flags=re.S)
    assert len({href for href, _ in links}) == 3, links
    for href, text in links:
        level = next(lv for lv in levels if html.escape(lv) in text or lv in text)
        page = (run_dir / href).read_text(encoding="utf-8")
        assert f"This page is about {html.escape(level)}" in page or f"This page is about {level}" in page, href
