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
