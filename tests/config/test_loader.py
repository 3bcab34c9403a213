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
    # a column for each metric enabled by default: `validate` checks the params against the header
    (tmp_path / "params" / "data" / "responses.csv").write_text("nps,csat,ces\n9,5,7\n")
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


# --------------------------------------------------------------------------- YAML read in linear time (issue 14)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs" of YAML: each level an anchored list of ``width`` aliases of the level below."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"{n}: &{n} [" + ", ".join([f"*{prev}"] * width) + "]" for prev, n in zip(names, names[1:])]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_anything_expands_it(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL + alias_bomb())
    (found,) = problems(p)
    assert "YAML aliases expand this file to" in found and "write the values out" in found
    assert "acme.yaml:" in found.split(": (top level)")[0], "names the line of the repeated anchor"


def test_the_expansion_of_aliases_is_counted_without_expanding_them():
    import yaml

    from cxtemplate.config.loader import alias_expansion

    # by hand: the root mapping, keys l0 and l1, l0 = a list of 3 leaves (4 values), l1 = a list of
    # three aliases of l0 (1 + 3 × 4 = 13 values once expanded, 1 value written)
    node = yaml.compose(alias_bomb(levels=2, width=3), Loader=yaml.SafeLoader)
    distinct, total, alias = alias_expansion(node)
    assert (distinct, total) == (1 + 2 + 4 + 1, 1 + 2 + 4 + 13)
    assert alias is not None and alias.start_mark.line == 0, "the anchored node on the first line"
    assert alias_expansion(yaml.compose("a: [1, 2]\nb: {c: 3}\n", Loader=yaml.SafeLoader))[2] is None


def test_a_few_aliases_are_read_as_written(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("    cx_lead: {name: A. Person}", "    cx_lead: &lead {name: A. Person}\n"
                                                                       "    service: *lead"))
    cfg = load_config(p)
    assert cfg.governance.owners["service"].name == "A. Person"


def test_a_deeply_nested_file_is_a_problem_not_a_crash(project):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL + "deep: " + "[" * 2_000 + "]" * 2_000 + "\n")
    (found,) = problems(p)
    assert f"acme.yaml:{MINIMAL.count(chr(10)) + 1}:" in found and "nested more than 50 levels deep" in found


# --------------------------------------------------------------------------- paths and ranges (issue 14)


def test_a_folder_given_as_a_source_file_is_refused(project):
    (project / "params" / "data" / "exports").mkdir()
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL.replace("data/responses.csv", "data/exports"))
    (found,) = problems(p)
    assert "sources.responses.file" in found and "is a folder, not a file" in found and "acme.yaml:7:" in found


def test_a_maturity_model_outside_the_engagement_folder_is_refused(project):
    (project.parent / "their_model.yaml").write_text("dimensions: []\n")
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL + "maturity: {model: ../../their_model.yaml}\n")
    (found,) = problems(p)
    assert "maturity.model" in found and "outside the engagement folder" in found


@pytest.mark.parametrize("section, metrics, value, words", [
    ("objective", "", "metric: nps, target: 250", ["objectives[0].target", "target 250", "NPS points, −100 to 100"]),
    ("objective", "", "metric: nps, target: -101", ["objectives[0].target", "target -101"]),
    ("objective", "metrics: {ces: {method: mean, scale: [1, 7]}}\n", "metric: ces, target: 75",
     ["objectives[0].target", "a mean score on 1 to 7"]),
    ("objective", "metrics: {csat: {method: top2box}}\n", "metric: csat, target: 101", ["a percentage, 0 to 100"]),
    ("alert", "", "metric: csat, condition: below, threshold: 120", ["alerts[0].threshold", "threshold 120"]),
    ("alert", "metrics: {extra: [{key: csat10, kind: mean, scale: [1, 10]}]}\n",
     "metric: csat10, condition: above, threshold: 0", ["alerts[0].threshold", "csat10 is a mean score on 1 to 10"]),
], ids=["nps-250", "nps-below", "ces-mean", "csat-share", "alert-csat", "alert-extra"])
def test_targets_and_thresholds_outside_the_metrics_range_are_refused(project, section, metrics, value, words):
    item = (f"objectives:\n  - {{id: o1, goal: g, {value}, deadline: 2026-12-31, owner: cx_lead}}\n" if section == "objective"
            else f"alerts:\n  - {{id: a1, {value}, owner: cx_lead}}\n")
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL + metrics + item)
    (found,) = problems(p)
    for w in words:
        assert w in found, (w, found)
    assert "no result can reach it" in found and "acme.yaml:" in found


@pytest.mark.parametrize("value", ["metric: nps, target: 100", "metric: nps, target: -100", "metric: csat, target: 0"])
def test_targets_at_the_ends_of_the_range_are_accepted(project, value):
    p = project / "params" / "acme.yaml"
    p.write_text(MINIMAL + f"objectives:\n  - {{id: o1, goal: g, {value}, deadline: 2026-12-31, owner: cx_lead}}\n")
    assert load_config(p).objectives[0].target in (100, -100, 0)


CRM_ONLY = """\
organisation:
  id: acme
  name: Acme Ltd
sources:
  customers:
    file: data/crm.csv
    id: row_number
    columns: {tenure: months, churned: left}
"""


@pytest.mark.parametrize("extra, where, line, words", [
    ("    columns: {tenure: months, churned: left, customer_id: ref}\n", "sources.customers.id", 7,
     "columns.customer_id maps 'ref' too; keep one of them"),
    ("  responses:\n    file: data/responses.csv\n    columns: {customer_id: cust}\n",
     "sources.responses.columns.customer_id", 11, "no responses can join on customer_id"),
    ("  responses:\n    file: data/responses.csv\n    id: row_number\n", "sources.responses.id", 11,
     "generates the key of customers only"),
])
def test_a_generated_key_where_it_cannot_stand_is_refused_with_its_line(project, extra, where, line, words):
    (project / "params" / "data" / "crm.csv").write_text("months,left\n3,1\n")
    text = CRM_ONLY
    if extra.startswith("    columns"):
        text = text.replace("    columns: {tenure: months, churned: left}\n", extra)
    else:
        text += extra
    path = project / "params" / "acme.yaml"
    path.write_text(text)
    (found,) = [p for p in problems(path) if where in p]
    assert words in found and f"acme.yaml:{line}: {where}:" in found


def test_a_crm_numbered_by_its_rows_loads(project):
    (project / "params" / "data" / "crm.csv").write_text("months,left\n3,1\n")
    path = project / "params" / "acme.yaml"
    path.write_text(CRM_ONLY)
    cfg = load_config(path)
    assert cfg.sources.customers.id == "row_number" and cfg.organisation.as_of is None
