"""Each step of the README's "Adapting the template" section works as documented."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jupytext
import pytest
import yaml

from cxtemplate.run.runner import run_organisation

pytestmark = pytest.mark.slow


@pytest.fixture()
def template(root, tmp_path):
    """A copy of the template: notebooks, demo params and demo data, as a consultant would have it."""
    shutil.copytree(root / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(root / "data" / "demo", tmp_path / "data" / "demo")
    (tmp_path / "params").mkdir()
    shutil.copy(root / "params" / "demo.yaml", tmp_path / "params" / "demo.yaml")
    return tmp_path


def _only(template: Path, keep: list[str]) -> Path:
    """A notebooks folder holding only some notebooks of the flow (keeps runs short)."""
    nb = template / "notebooks"
    for p in nb.glob("[0-9][0-9]_*"):
        if p.stem not in keep:
            p.unlink()
    return nb


def _run(template: Path, nb: Path) -> dict:
    rec = run_organisation(str(template / "params" / "demo.yaml"), out_dir=str(template / "reports"), nb_dir=str(nb))
    assert rec["status"] == "ok", rec.get("error")
    return rec


def test_add_a_notebook(template):
    """README: `cxtemplate new-notebook 08_complaints_by_channel --role manager --after 00_data_integration`,
    a section added to its .py, `jupytext --sync`, and the runner and the index pick it up."""
    from cxtemplate.cli import main

    nb = _only(template, ["00_data_integration"])
    assert main(["new-notebook", "08_complaints_by_channel", "--role", "manager", "--after", "00_data_integration",
                 "--summary", "Share of detractors per channel.", "--notebooks", str(nb)]) == 0
    py = nb / "08_complaints_by_channel.py"
    py.write_text(py.read_text().replace("# %%\nrun.done()", '''# %%
table = summarise(run.table("responses"), run.specs["nps"], by="channel")
show_table(table[["channel", "value", "n"]], "NPS by channel")
run.save("nps_by_channel", table)

# %%
run.done()''').replace("from cxtemplate.run.session import open_run",
                         "from cxtemplate.measure.metrics import summarise\nfrom cxtemplate.run.session import open_run"))
    jupytext.write(jupytext.read(py), nb / "08_complaints_by_channel.ipynb")  # what `jupytext --sync` does here
    rec = _run(template, nb)
    run_dir = Path(rec["run_dir"])
    assert (run_dir / "artifacts" / "08_complaints_by_channel" / "nps_by_channel.parquet").is_file()
    index = (run_dir / "index.html").read_text()
    assert "Complaints by channel" in index and "pages/08_complaints_by_channel.html" in index
    assert "Share of detractors per channel." in index


def test_add_a_section_to_a_notebook(template):
    nb = _only(template, ["00_data_integration", "03_metric_design"])
    py = nb / "03_metric_design.py"
    text = py.read_text()
    section = '''# %% [markdown]
# ## Responses per weekday

# %%
counts = responses["responded_at"].dt.day_name().value_counts().rename_axis("weekday").reset_index(name="responses")
show_table(counts, "Responses per weekday")
run.save("weekday_counts", counts)

'''
    text = text.replace("# %%\nrun.done(", section + "# %%\nrun.done(")
    # what the section uses is imported in the set-up cell, as the README asks
    text = text.replace("from cxtemplate.run.session import open_run",
                        "from cxtemplate.report.display import show_table\nfrom cxtemplate.run.session import open_run")
    py.write_text(text)
    jupytext.write(jupytext.read(py), nb / "03_metric_design.ipynb")
    rec = _run(template, nb)
    page = (Path(rec["run_dir"]) / "pages" / "03_metric_design.html").read_text()
    assert "Responses per weekday" in page
    assert (Path(rec["run_dir"]) / "artifacts" / "03_metric_design" / "weekday_counts.parquet").is_file()


def test_redefine_a_metric_in_the_params(template):
    params = template / "params" / "demo.yaml"
    cfg = yaml.safe_load(params.read_text())
    cfg["metrics"]["csat"] = {"method": "mean", "scale": [1, 5]}
    cfg["objectives"] = [o for o in cfg["objectives"] if o["metric"] != "csat"]
    cfg["alerts"] = [a for a in cfg["alerts"] if a["metric"] != "csat"]
    params.write_text(yaml.safe_dump(cfg, sort_keys=False))
    nb = _only(template, ["00_data_integration", "03_metric_design"])
    rec = _run(template, nb)
    page = re.sub(r"<[^>]+>", "", (Path(rec["run_dir"]) / "pages" / "03_metric_design.html").read_text())
    assert "CSAT = mean on the 1–5 scale" in page


def test_swap_the_maturity_model_for_one_of_your_own(template, root):
    own = yaml.safe_load((root / "cxtemplate" / "plan" / "maturity_models" / "forrester_six_disciplines.yaml").read_text())
    own["id"], own["name"] = "acme_model", "Acme CX maturity"
    own["stages"][1]["name"] = "Getting there"
    (template / "params" / "acme_model.yaml").write_text(yaml.safe_dump(own, sort_keys=False))
    params = template / "params" / "demo.yaml"
    params.write_text(params.read_text().replace("model: forrester_six_disciplines", "model: acme_model.yaml"))
    nb = _only(template, ["00_data_integration", "01_maturity"])
    rec = _run(template, nb)
    summary = json.loads((Path(rec["run_dir"]) / "artifacts" / "01_maturity" / "summary.json").read_text())
    assert summary["stage"] == 2 and summary["stage_name"] == "Getting there"
    page = (Path(rec["run_dir"]) / "pages" / "01_maturity.html").read_text()
    assert "Acme CX maturity" in page
