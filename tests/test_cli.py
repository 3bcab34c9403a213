"""The command line: synth writes an organisation with its truth; errors exit with code 2."""

from __future__ import annotations

import json

from cxtemplate.cli import main


def test_synth_writes_tables_and_truth(tmp_path, capsys):
    assert main(["synth", "--customers", "200", "--seed", "3", "--out", str(tmp_path / "org")]) == 0
    files = {p.name for p in (tmp_path / "org").iterdir()}
    assert {"customers.csv", "responses.csv", "interactions.csv", "operations.csv", "maturity_answers.csv",
            "truth.json"} <= files
    truth = json.loads((tmp_path / "org" / "truth.json").read_text())
    assert truth["spec"]["customers"] == 200 and truth["spec"]["seed"] == 3
    assert "customers 2" in capsys.readouterr().out


def test_synth_without_step_plants_none(tmp_path):
    assert main(["synth", "--customers", "200", "--seed", "3", "--out", str(tmp_path / "o"), "--no-step", "--clean"]) == 0
    truth = json.loads((tmp_path / "o" / "truth.json").read_text())
    assert truth["location_step"] is None and truth["injected_anomalies"]["enabled"] is False


def test_run_with_invalid_params_exits_2_before_any_notebook(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisation: {id: x, name: X, as_of: 2025-01-01}\nsources: {}\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "no source configured" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_validate_refuses_organisations_whose_reports_would_nest(tmp_path, capsys):
    """Two params files given together: one client's output folder inside the other's is an error naming both."""
    (tmp_path / "params" / "data").mkdir(parents=True)
    (tmp_path / "params" / "data" / "responses.csv").write_text("nps,csat,ces\n9,4,2\n")  # each enabled metric
    base = ("organisation: {id: %s, name: X, as_of: 2025-12-31}\nsources: {responses: {file: data/responses.csv}}\n"
            "governance: {owners: {cx_lead: {name: A}}}\nreporting: {output_dir: %s}\n")
    (tmp_path / "params" / "a.yaml").write_text(base % ("alpha", "../reports"))
    (tmp_path / "params" / "b.yaml").write_text(base % ("beta", "../reports/alpha/inner"))
    assert main(["validate", str(tmp_path / "params" / "a.yaml"), str(tmp_path / "params" / "b.yaml")]) == 2
    err = capsys.readouterr().err
    assert "b.yaml: reporting.output_dir: the reports of 'beta' would go to" in err and "a.yaml" in err
    assert main(["validate", str(tmp_path / "params" / "b.yaml")]) == 0  # alone, nothing nests
