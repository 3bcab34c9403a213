"""Clients never mix (issue 8): organisations run concurrently in one command share nothing.

Three small synthetic organisations run in one ``run_many(..., jobs=2)`` call into one output
folder: ``charlie`` (first, so it fails while ``alpha`` runs beside it and before ``bravo``
starts) has a survey export on another scale, a hard data error; ``alpha`` and ``bravo`` complete. Every identifier of each organisation carries its own prefix, so a
single foreign prefix anywhere in a run's files (text, Parquet cells, XLSX parts) is a leak.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cxtemplate.errors import ConfigError
from cxtemplate.run.batch import run_many
from cxtemplate.run.runner import validate_all
from tests.flows.test_canaries import corpus  # the same reader: Parquet cell by cell, XLSX parts

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ORGS = {"charlie": 33, "alpha": 31, "bravo": 32}  # in the order given to the command
ID_COLUMNS = {"customers": ["customer_id"], "responses": ["response_id", "customer_id"],
              "interactions": ["interaction_id", "customer_id"]}


def _write_org(base: Path, org: str, seed: int) -> Path:
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    data = base / "data" / org
    write_organisation(generate(SynthSpec(customers=300, seed=seed)), data)
    for table, cols in ID_COLUMNS.items():
        df = pd.read_csv(data / f"{table}.csv", dtype=str, keep_default_na=False)
        for c in cols:
            df[c] = df[c].where(df[c] == "", f"{org.upper()}-" + df[c])
        if org == "charlie" and table == "responses":
            csat = pd.to_numeric(df["csat"], errors="coerce") * 2  # a 1–10 export against a 1–5 parameter
            df["csat"] = csat.astype("Int64").astype("string").fillna("")
        df.to_csv(data / f"{table}.csv", index=False)
    text = (ROOT / "params" / "demo.yaml").read_text()
    text = text.replace("../data/demo/", f"../data/{org}/").replace("id: demo ", f"id: {org} ")
    p = base / "params" / f"{org}.yaml"
    p.parent.mkdir(exist_ok=True)
    p.write_text(text)
    return p


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    base = tmp_path_factory.mktemp("isolation")
    params = [str(_write_org(base, org, seed)) for org, seed in ORGS.items()]
    nb_dir = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", nb_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.py"))
    before = sorted(p.relative_to(nb_dir).as_posix() for p in nb_dir.rglob("*"))
    results = run_many(params, jobs=2, out_dir=str(base / "reports"), nb_dir=str(nb_dir), progress=False)
    after = sorted(p.relative_to(nb_dir).as_posix() for p in nb_dir.rglob("*"))
    return {"base": base, "results": {r["org"]: r for r in results}, "nb_before": before, "nb_after": after}


def test_a_failure_in_one_organisation_leaves_the_others_complete(three):
    res = three["results"]
    assert [res[o]["status"] for o in ORGS] == ["failed", "ok", "ok"]
    assert "charlie" in res["charlie"]["error"]["message"] and "csat" in res["charlie"]["error"]["message"]
    reports = three["base"] / "reports"
    for org in ("alpha", "bravo"):
        run = json.loads((reports / org / "latest" / "run.json").read_text())
        assert run["status"] == "ok" and all(n["status"] == "ok" for n in run["notebooks"])
        assert (reports / org / "latest" / "index.html").is_file()
    assert not (reports / "charlie" / "latest").exists()
    failed = json.loads((Path(res["charlie"]["run_dir"]) / "run.json").read_text())
    assert failed["status"] == "failed" and failed["notebooks"][0]["status"] == "failed"


@pytest.mark.parametrize("org", ["alpha", "bravo", "charlie"])
def test_no_file_of_one_organisation_holds_another_ones_identifiers(three, org):
    run_dir = Path(three["results"][org]["run_dir"])
    foreign = [o.upper() + "-" for o in ORGS if o != org]
    own = org.upper() + "-"
    texts = corpus(run_dir)
    assert texts, "the run wrote files"
    leaks = [(f, part, tag) for f, part, low, _ in texts for tag in foreign if tag.lower() in low]
    assert leaks == []
    if org != "charlie":
        assert any(own.lower() in low for f, _, low, _ in texts if f == "tables/customers.parquet")


def test_each_run_records_only_its_own_inputs(three):
    for org in ORGS:
        run = json.loads((Path(three["results"][org]["run_dir"]) / "run.json").read_text())
        assert run["organisation"]["id"] == org
        assert {v["source"] for v in run["inputs"].values()} == {
            f"../data/{org}/{t}.csv" for t in ("customers", "responses", "interactions", "operations", "maturity_answers")}


def test_the_runs_write_nothing_outside_their_own_folders(three):
    assert three["nb_after"] == three["nb_before"], "the shared notebooks folder was written to"
    reports = three["base"] / "reports"
    assert sorted(p.name for p in reports.iterdir()) == sorted(ORGS)
    for org in ORGS:
        names = [p.name for p in (reports / org).iterdir()]
        assert not [n for n in names if n.startswith(".partial-")], names
        assert not (reports / org / "interactive").exists()


def test_two_params_files_with_one_organisation_id_are_refused(tmp_path):
    base = tmp_path
    p = _write_org(base, "alpha", 31)
    twin = p.with_name("alpha-copy.yaml")
    twin.write_text(p.read_text())
    with pytest.raises(ConfigError) as info:
        validate_all([str(p), str(twin)])
    assert re.search(r"alpha-copy\.yaml.*'alpha' is also the id in .*alpha\.yaml; runs would share a folder", str(info.value))
