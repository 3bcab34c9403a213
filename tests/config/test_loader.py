"""Params files: every problem reported at once, with file, line, key path and a suggestion."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cxtemplate.cli import main
from cxtemplate.config.loader import load_config
from cxtemplate.errors import ConfigError

MINIMAL = """\
organisation:
  id: acme
  name: Acme Ltd
  as_of: 2025-12-31
sources:
  responses:
    file: data/responses.csv
governance:
  owners:
    cx_lead: {name: A. Person}
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A tiny engagement folder: params/acme.yaml and data/responses.csv."""
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "data").mkdir()
    (tmp_path / "params" / "data" / "responses.csv").write_text("nps\n9\n")
    (tmp_path / "params" / "acme.yaml").write_text(MINIMAL)
    return tmp_path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


def test_minimal_params_are_valid_and_paths_resolve_from_the_params_file(project):
    cfg = load_config(project / "params" / "acme.yaml")
    assert cfg.org_id == "acme"
    assert cfg.resolve(cfg.sources.responses.file) == (project / "params" / "data" / "responses.csv").resolve()
    assert cfg.output_dir == (project / "reports").resolve()


def test_demo_params_validate(root):
    cfg = load_config(root / "params" / "demo.yaml")
    assert cfg.org_id == "demo"
    assert set(cfg.sources.configured()) == {"customers", "responses", "interactions", "operations", "maturity_answers"}


def test_three_independent_mistakes_are_all_reported_with_lines(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("  name: Acme Ltd", "  name: Acme Ltd\n  currancy: GBP")
                 .replace("file: data/responses.csv", "file: data/respnses.csv")
                 + "reporting:\n  min_n: many\n")
    found = problems(p)
    assert len(found) == 3, found
    assert any("organisation.currancy" in f and "did you mean 'currency'" in f and ":4:" in f for f in found)
    assert any("sources.responses.file" in f and "not found" in f for f in found)
    assert any("reporting.min_n" in f and "integer" in f for f in found)


def test_cli_validate_exits_2_and_lists_every_problem(project, capsys):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("id: acme", "id: Acme Corp").replace("as_of: 2025-12-31", "as_of: someday"))
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert "organisation.id" in err and "organisation.as_of" in err and "2 problems" in err


def test_cli_validate_prints_one_line_summary_when_valid(project, capsys):
    assert main(["validate", str(project / "params" / "acme.yaml")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "OK" in out[0] and "acme" in out[0]


def test_tabs_are_refused_with_their_line(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("  name: Acme Ltd", "\tname: Acme Ltd"))
    (found,) = problems(p)
    assert ":3:" in found and "tab" in found


def test_duplicate_keys_are_refused(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("  name: Acme Ltd", "  name: Acme Ltd\n  name: Other"))
    (found,) = problems(p)
    assert "duplicate key 'name'" in found


def test_unknown_owner_gets_the_closest_role(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL + textwrap.dedent("""\
        objectives:
          - {id: o1, goal: More promoters, metric: nps, target: 30, deadline: 2026-12-31, owner: cx_leed}
        """))
    (found,) = problems(p)
    assert "objectives[0].owner" in found and "did you mean 'cx_lead'" in found


def test_sql_source_with_unset_environment_variable(project, monkeypatch):
    monkeypatch.delenv("ACME_DB_URL", raising=False)
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("    file: data/responses.csv", "    sql: select * from responses\n    url_env: ACME_DB_URL"))
    (found,) = problems(p)
    assert "ACME_DB_URL is not set" in found


def test_path_outside_the_engagement_folder_is_refused(project):
    outside = project.parent / "elsewhere.csv"
    outside.write_text("nps\n1\n")
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("data/responses.csv", "../../elsewhere.csv"))
    (found,) = problems(p)
    assert "outside the engagement folder" in found


def test_yes_no_stay_strings_for_recode(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("    file: data/responses.csv",
                                 "    file: data/responses.csv\n    recode: {nps: {Yes: 10, No: 0}}"))
    cfg = load_config(p)
    assert cfg.sources.responses.recode["nps"] == {"Yes": 10, "No": 0}
