"""The runner on tiny notebooks: latest only for complete runs, failures named, resume, isolation."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from cxtemplate.run.batch import run_many
from cxtemplate.run.runner import run_organisation

pytestmark = pytest.mark.slow

PARAMS = """\
organisation: {{id: {org}, name: {org} Ltd, as_of: 2025-12-31}}
sources:
  responses: {{file: data.csv}}
reporting: {{output_dir: reports}}
"""


def _notebook(path: Path, body: str, title: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["cxtemplate"] = {"title": title, "role": "analyst"}
    params = nbformat.v4.new_code_cell('params_path = "x"\nrun_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\n## Section one\n\ntext\n\n## Section two"), params,
                nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)


@pytest.fixture()
def engagement(tmp_path: Path):
    """Two organisations and a notebooks folder whose second notebook fails when FAIL_<ORG> is set."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "00_first.ipynb", "from pathlib import Path\nPath(run_dir, 'first.txt').write_text('ok')\nprint('done')", "First")
    _notebook(nbs / "01_second.ipynb",
              "import os, yaml\norg = yaml.safe_load(open(params_path))['organisation']['id']\n"
              "if os.environ.get('FAIL_' + org.upper()):\n    raise ValueError('planted failure for ' + org)\n"
              "from pathlib import Path\nPath(run_dir, 'second.txt').write_text(org)", "Second")
    for org in ("alpha", "beta"):
        d = tmp_path / org
        d.mkdir()
        (d / "data.csv").write_text("nps,csat,ces\n9,4,2\n")  # every default metric has its column
        (d / f"{org}.yaml").write_text(PARAMS.format(org=org))
    return tmp_path, nbs


def test_a_complete_run_becomes_latest_with_its_record(engagement):
    root, nbs = engagement
    rec = run_organisation(str(root / "alpha" / "alpha.yaml"), nb_dir=str(nbs))
    latest = root / "alpha" / "reports" / "alpha" / "latest"
    assert rec["status"] == "ok" and latest.is_symlink()
    assert (latest / "first.txt").read_text() == "ok"
    run = json.loads((latest / "run.json").read_text())
    assert [n["status"] for n in run["notebooks"]] == ["ok", "ok"]
    assert run["inputs"]["responses"]["sha256"] and run["params_sha256"] and run["versions"]["pandas"]
    page = (latest / "pages" / "00_first.html").read_text()
    assert "Section two" in page and 'class="cx-toc"' in page
    assert "Path(run_dir" not in page  # code hidden from stakeholders
    assert "<script src=" not in page and "cdn" not in page.lower()
    index = (latest / "index.html").read_text()
    assert 'href="pages/00_first.html"' in index and 'href="pages/01_second.html"' in index


def test_a_failed_run_never_becomes_latest_and_names_notebook_and_cell(engagement, monkeypatch):
    root, nbs = engagement
    good = run_organisation(str(root / "alpha" / "alpha.yaml"), nb_dir=str(nbs))
    monkeypatch.setenv("FAIL_ALPHA", "1")
    bad = run_organisation(str(root / "alpha" / "alpha.yaml"), nb_dir=str(nbs))
    org_dir = root / "alpha" / "reports" / "alpha"
    assert bad["status"] == "failed"
    assert os.readlink(org_dir / "latest") == good["run_id"]
    # the cell as the template numbers it, and the line in it that raised
    assert "01_second" in bad["error"]["message"] and "cell 3, line 4 (\"raise ValueError(" in bad["error"]["message"]
    assert bad["error"]["cell"] == 3 and bad["error"]["line"] == 4
    assert "planted failure for alpha" in bad["error"]["message"]
    failed_page = re.sub(r"<[^>]+>", "", (Path(bad["run_dir"]) / "pages" / "01_second.html").read_text())
    assert "raise ValueError" in failed_page and "planted failure" in failed_page  # code and traceback shown
    assert json.loads((Path(bad["run_dir"]) / "run.json").read_text())["status"] == "failed"


def test_resume_reuses_finished_notebooks_only_when_inputs_are_unchanged(engagement, monkeypatch):
    root, nbs = engagement
    monkeypatch.setenv("FAIL_ALPHA", "1")
    failed = run_organisation(str(root / "alpha" / "alpha.yaml"), nb_dir=str(nbs))
    monkeypatch.delenv("FAIL_ALPHA")
    resumed = run_organisation(str(root / "alpha" / "alpha.yaml"), nb_dir=str(nbs), resume=True)
    assert resumed["status"] == "ok" and resumed["resumed_from"] == failed["run_id"]
    assert [n.get("reused", False) for n in resumed["notebooks"]] == [True, False]
    # changed input data: nothing is reused
    monkeypatch.setenv("FAIL_ALPHA", "1")
    run_organisation(str(root / "alpha" / "alpha.yaml"), nb_dir=str(nbs))
    monkeypatch.delenv("FAIL_ALPHA")
    (root / "alpha" / "data.csv").write_text("nps,csat,ces\n10,4,2\n")
    fresh = run_organisation(str(root / "alpha" / "alpha.yaml"), nb_dir=str(nbs), resume=True)
    assert [n.get("reused", False) for n in fresh["notebooks"]] == [False, False]


def test_two_organisations_in_one_command_one_failing(engagement, monkeypatch):
    root, nbs = engagement
    monkeypatch.setenv("FAIL_BETA", "1")
    results = run_many([str(root / "alpha" / "alpha.yaml"), str(root / "beta" / "beta.yaml")], jobs=2,
                       nb_dir=str(nbs), progress=False)
    by_org = {r["org"]: r for r in results}
    assert by_org["alpha"]["status"] == "ok" and by_org["beta"]["status"] == "failed"
    assert (root / "alpha" / "reports" / "alpha" / "latest" / "second.txt").read_text() == "alpha"
    assert not (root / "beta" / "reports" / "beta" / "latest").exists()


def test_a_failure_message_never_carries_a_password():
    """run.json and the console get exception text through one shortener that masks credentials."""
    from cxtemplate.run import runner

    text = runner._short("OperationalError: could not connect to postgresql://cx:s3cret@db.internal:5432/cx\n  retry")
    assert "s3cret" not in text and "postgresql://cx:***@db.internal:5432/cx" in text and "\n" not in text
