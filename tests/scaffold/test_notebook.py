"""``cxtemplate new-notebook``: a new notebook that keeps the notebook contract and that the runner and the
index pick up (the run itself is in tests/flows/test_adapting.py)."""

from __future__ import annotations

import shutil

import jupytext
import nbformat
import pytest

from cxtemplate.cli import main
from cxtemplate.report.render import notebook_info
from cxtemplate.run.provenance import check_notebooks, discover
from cxtemplate.scaffold.notebook import NotebookExists, new_notebook
from tests.flows import test_notebooks as contract


@pytest.fixture
def nb_dir(root, tmp_path):
    """A copy of the template's notebooks (the .ipynb files the runner discovers)."""
    out = tmp_path / "notebooks"
    out.mkdir()
    for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        shutil.copy(p, out / p.name)
    return out


def test_the_new_notebook_keeps_the_contract_and_joins_the_flow(nb_dir):
    made = new_notebook("08_complaints_by_channel", role="manager", nb_dir=nb_dir, after=("00_data_integration",))
    contract.test_notebook_follows_the_contract(made.ipynb)
    contract.test_notebook_is_thin(made.ipynb)
    assert [c.source for c in jupytext.read(made.py).cells] == [c.source for c in nbformat.read(made.ipynb, 4).cells]
    info = notebook_info(made.ipynb)
    assert info == {**info, "title": "Complaints by channel", "role": "manager", "after": ["00_data_integration"]}
    code = [c.source for c in nbformat.read(made.ipynb, 4).cells if c.cell_type == "code"]
    assert 'notebook="08_complaints_by_channel"' in code[1] and 'run.require("00_data_integration")' in code[1]
    assert code[-1].strip() == "run.done()"
    assert discover(nb_dir)[-1] == made.ipynb
    assert check_notebooks(nb_dir)[-1] == made.ipynb


def test_without_after_it_waits_for_every_earlier_notebook(nb_dir):
    made = new_notebook("08_extra", role="analyst", nb_dir=nb_dir, title="An extra page", summary="Why: because.")
    info = notebook_info(made.ipynb)
    assert info["after"] is None and info["title"] == "An extra page" and info["summary"] == "Why: because."
    assert "run.require" not in nbformat.read(made.ipynb, 4).cells[2].source


@pytest.mark.parametrize("name, kwargs, message", [
    ("08_x", {"role": "managr"}, "role must be one of 'executive', 'manager' or 'analyst', got 'managr'"),
    ("8_x", {"role": "manager"}, "two digits, an underscore"),
    ("08_Complaints", {"role": "manager"}, "lower-case words"),
    ("08_x", {"role": "manager", "after": ("09_later",)}, "after must be one of '00_data_integration'"),
])
def test_mistakes_are_errors_that_show_the_bad_value(nb_dir, name, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        new_notebook(name, nb_dir=nb_dir, **kwargs)
    assert not list(nb_dir.glob(f"{name}*"))


def test_an_existing_name_or_number_is_never_overwritten(nb_dir):
    before = (nb_dir / "07_executive_summary.ipynb").read_bytes()
    for name in ("07_executive_summary", "07_other"):
        with pytest.raises(NotebookExists, match="the next free number is 08"):
            new_notebook(name, role="manager", nb_dir=nb_dir)
    assert (nb_dir / "07_executive_summary.ipynb").read_bytes() == before
    assert not (nb_dir / "07_other.ipynb").exists()


def test_command_line(nb_dir, capsys):
    assert main(["new-notebook", "08_churn_by_region", "--role", "executive", "--after", "05_churn_survival",
                 "--notebooks", str(nb_dir)]) == 0
    assert "wrote" in capsys.readouterr().out and (nb_dir / "08_churn_by_region.py").is_file()
    assert main(["new-notebook", "09_oops", "--role", "board", "--notebooks", str(nb_dir)]) == 2
    assert "got 'board'" in capsys.readouterr().err


def test_a_misspelt_role_in_any_notebook_stops_the_run_before_it_starts(nb_dir):
    made = new_notebook("08_extra", role="analyst", nb_dir=nb_dir)
    nb = nbformat.read(made.ipynb, 4)
    nb.metadata["cxtemplate"]["role"] = "anaylst"
    nbformat.write(nb, made.ipynb)
    from cxtemplate.errors import ConfigError

    with pytest.raises(ConfigError, match="metadata.cxtemplate.role: role must be one of .* got 'anaylst'"):
        check_notebooks(nb_dir)
