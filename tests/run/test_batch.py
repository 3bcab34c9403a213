"""Several organisations at once (``cxtemplate.run.batch``): the end-of-run summary, and every params file
validated before anything runs. No notebook is executed here: every case stops at validation."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from cxtemplate.errors import ConfigError
from cxtemplate.run.batch import run_many, summary_lines

# --------------------------------------------------------------------------- summary


def test_summary_has_one_aligned_line_per_organisation_and_the_error_under_it():
    results = [
        {"org": "acme", "status": "ok", "seconds": 61.04, "run_dir": "/r/acme/20251231T120000Z-abc123", "error": None},
        {"org": "bravo", "status": "failed", "seconds": 7.25, "run_dir": "/r/bravo/x",
         "error": {"message": "bravo: 03_metric_design failed in cell 4: KeyError 'nps'"}},
        {"org": "charlie", "status": "crashed", "seconds": None, "run_dir": None,
         "error": {"message": "charlie: the run crashed: BrokenProcessPool: worker died"}},
    ]
    assert summary_lines(results) == [
        "acme                 ok          61.0s  /r/acme/20251231T120000Z-abc123/index.html",
        "bravo                failed       7.2s  /r/bravo/x/index.html",
        "    bravo: 03_metric_design failed in cell 4: KeyError 'nps'",
        "charlie              crashed         –  ",
        "    charlie: the run crashed: BrokenProcessPool: worker died",
    ]


def test_summary_of_no_runs_is_empty():
    assert summary_lines([]) == []


# --------------------------------------------------------------------------- validation first

PARAMS = """\
organisation: {{id: {org}, name: {org} Ltd, as_of: 2025-12-31}}
sources:
  responses: {{file: responses.csv}}
{extra}"""


@pytest.fixture()
def folder(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "responses.csv").write_text("response_id,nps,csat,ces\nR1,9,4,2\n")  # every enabled metric has its column
    return tmp_path


def params(folder: Path, name: str, org: str, extra: str = "") -> str:
    path = folder / "params" / f"{name}.yaml"
    path.write_text(PARAMS.format(org=org, extra=extra))
    return str(path)


@pytest.fixture()
def nothing_may_run(monkeypatch):
    """Fail at once if run_many gets as far as starting worker processes."""

    def refuse(*args, **kwargs):
        raise AssertionError("run_many started workers although a params file is invalid")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)


def test_every_problem_of_every_file_is_reported_before_anything_runs(folder, nothing_may_run):
    good = params(folder, "good", "good")
    bad_key = params(folder, "bad_key", "bravo", "reporting: {min_n: many}\n")
    bad_file = params(folder, "bad_file", "charlie")
    Path(bad_file).write_text(Path(bad_file).read_text().replace("responses.csv", "missing.csv"))
    out = folder / "reports"
    with pytest.raises(ConfigError) as info:
        run_many([good, bad_key, bad_file], jobs=2, out_dir=str(out), progress=False)
    problems = info.value.problems
    assert {Path(p.file).name for p in problems} == {"bad_key.yaml", "bad_file.yaml"}
    text = str(info.value)
    assert "reporting.min_n" in text and "sources.responses.file" in text and "missing.csv" in text
    assert not out.exists()


def test_two_files_for_one_organisation_are_refused_because_their_runs_would_mix(folder, nothing_may_run):
    first = params(folder, "first", "acme")
    second = params(folder, "second", "acme")
    with pytest.raises(ConfigError) as info:
        run_many([first, second], out_dir=str(folder / "reports"), progress=False)
    (problem,) = info.value.problems
    assert problem.path == "organisation.id" and "runs would share a folder" in problem.message
    assert first in problem.message and Path(problem.file).name == "second.yaml"
    assert not (folder / "reports").exists()


def test_a_cluster_run_is_validated_the_same_way(folder, nothing_may_run, monkeypatch):
    from cxtemplate.run import distributed

    def refuse(*args, **kwargs):
        raise AssertionError("submitted to the cluster although a params file is invalid")

    monkeypatch.setattr(distributed, "run_on_cluster", refuse)
    bad = params(folder, "bad", "Not An Id")
    with pytest.raises(ConfigError, match="organisation.id"):
        run_many([bad], scheduler="tcp://127.0.0.1:1", progress=False)


# --------------------------------------------------------------------------- organisations may not nest (issue 14)


def test_an_organisation_whose_reports_would_sit_inside_another_is_refused_naming_both(folder, nothing_may_run):
    outer = params(folder, "outer", "acme", "reporting: {output_dir: ../reports}\n")
    inner = params(folder, "inner", "bravo", "reporting: {output_dir: ../reports/acme}\n")
    with pytest.raises(ConfigError) as info:
        run_many([outer, inner], progress=False)
    (problem,) = info.value.problems
    assert problem.path == "reporting.output_dir" and Path(problem.file).name == "inner.yaml"
    assert outer in problem.message and "inside the folder of 'acme'" in problem.message
    assert "restricted/ included" in problem.message
    assert not (folder / "reports").exists()


def test_side_by_side_organisations_are_fine(folder):
    from cxtemplate.run.runner import nesting_problems, validate_all

    cfgs = validate_all([params(folder, "a", "acme"), params(folder, "b", "bravo")], out_dir=str(folder / "reports"))
    assert nesting_problems(cfgs, str(folder / "reports")) == []


def test_an_output_folder_inside_an_existing_organisations_runs_is_refused(folder, nothing_may_run):
    run = folder / "reports" / "acme" / "20251231T000000Z-abc123"
    run.mkdir(parents=True)
    (run / "run.json").write_text("{}")
    (folder / "reports" / "acme" / "latest").symlink_to(run.name)
    intruder = params(folder, "intruder", "bravo", "reporting: {output_dir: ../reports/acme/20251231T000000Z-abc123}\n")
    with pytest.raises(ConfigError) as info:
        run_many([intruder], progress=False)
    (problem,) = info.value.problems
    assert problem.path == "reporting.output_dir" and "holds another organisation's runs" in problem.message
