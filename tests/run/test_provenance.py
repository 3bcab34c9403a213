"""What shaped a run's numbers (``cxtemplate.run.provenance``): notebook discovery, file and tree hashes
checked against published SHA-256 test vectors and ``hashlib``, input hashes that never hold a secret,
and the versions recorded."""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

import pytest

import cxtemplate
from cxtemplate.config.loader import load_config
from cxtemplate.run.provenance import (
    NOTEBOOK_GLOB,
    PACKAGE_DIR,
    VERSIONED,
    discover,
    input_hashes,
    new_run_id,
    notebooks_dir,
    package_sha256,
    sha256_file,
    tree_sha256,
    versions,
)

# FIPS 180-2, appendix B.1 and B.3 (and NIST's SHA-256 example values): "abc" and one million "a"
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
SHA256_MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --------------------------------------------------------------------------- discovery


def test_discover_lists_the_numbered_notebooks_in_order(tmp_path):
    for name in ("10_late.ipynb", "02_b.ipynb", "00_first.ipynb", "01_a.ipynb", "notes.ipynb", "1_short.ipynb",
                 "03_paired.py", "scratch_00_x.ipynb"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "scorecards").mkdir()
    (tmp_path / "scorecards" / "00_card.ipynb").write_text("{}")
    assert [p.name for p in discover(tmp_path)] == ["00_first.ipynb", "01_a.ipynb", "02_b.ipynb", "10_late.ipynb"]


def test_discover_in_an_empty_folder_says_what_it_looked_for_and_where(tmp_path):
    (tmp_path / "README.md").write_text("no notebooks here")
    with pytest.raises(FileNotFoundError) as info:
        discover(tmp_path)
    assert NOTEBOOK_GLOB in str(info.value) and str(tmp_path) in str(info.value)


def test_the_template_notebooks_are_found(root):
    names = [p.stem for p in discover(root / "notebooks")]
    assert names[0] == "00_data_integration" and "07_executive_summary" in names
    assert names == sorted(names) and all(n[:2].isdigit() and n[2] == "_" for n in names)


def test_notebooks_dir_defaults_to_the_repository_and_follows_the_environment(root, tmp_path, monkeypatch):
    monkeypatch.delenv("CXTEMPLATE_NOTEBOOKS", raising=False)
    assert notebooks_dir() == root / "notebooks"
    monkeypatch.setenv("CXTEMPLATE_NOTEBOOKS", str(tmp_path))
    assert notebooks_dir() == tmp_path.resolve()


# --------------------------------------------------------------------------- hashes


@pytest.mark.parametrize("data, expected", [(b"abc", SHA256_ABC), (b"", SHA256_EMPTY),
                                            (b"a" * 1_000_000, SHA256_MILLION_A)])
def test_sha256_file_matches_the_published_test_vectors(tmp_path, data, expected):
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert sha256_file(path) == expected


def test_sha256_file_streams_files_longer_than_one_block(tmp_path):
    data = bytes(range(256)) * 8200 + b"tail"  # two blocks of 1 MiB and a bit
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert len(data) > 2 * (1 << 20)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


@pytest.fixture()
def tree(tmp_path):
    folder = tmp_path / "pkg"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.py").write_text("x = 1\n")
    (folder / "sub" / "b.py").write_text("y = 2\n")
    (folder / "sub" / "data.yaml").write_text("k: v\n")
    return folder


def test_tree_hash_changes_with_a_files_bytes(tree):
    before = tree_sha256(tree, ("*.py",))
    (tree / "sub" / "b.py").write_text("y = 3\n")
    assert tree_sha256(tree, ("*.py",)) != before


def test_tree_hash_changes_with_a_files_name(tree):
    before = tree_sha256(tree, ("*.py",))
    (tree / "sub" / "b.py").rename(tree / "sub" / "c.py")
    assert tree_sha256(tree, ("*.py",)) != before


def test_tree_hash_changes_when_a_file_moves_between_folders(tree):
    before = tree_sha256(tree, ("*.py",))
    (tree / "sub" / "b.py").rename(tree / "b.py")
    assert tree_sha256(tree, ("*.py",)) != before


def test_tree_hash_does_not_change_when_the_folder_moves(tree, tmp_path):
    before = tree_sha256(tree, ("*.py",))
    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    shutil.move(tree, moved)
    assert tree_sha256(moved, ("*.py",)) == before


def test_tree_hash_ignores_caches_checkpoints_and_unmatched_files(tree):
    before = tree_sha256(tree, ("*.py",))
    (tree / "__pycache__").mkdir()
    (tree / "__pycache__" / "a.py").write_text("cached")
    (tree / ".ipynb_checkpoints").mkdir()
    (tree / ".ipynb_checkpoints" / "b.py").write_text("checkpoint")
    (tree / "sub" / "data.yaml").write_text("k: changed\n")
    assert tree_sha256(tree, ("*.py",)) == before
    assert tree_sha256(tree, ("*.py", "*.yaml")) != before


def test_tree_hash_of_a_missing_folder_is_none_and_of_an_empty_one_is_the_empty_hash(tmp_path):
    assert tree_sha256(tmp_path / "absent", ("*",)) is None
    assert tree_sha256(tmp_path, ("*",)) == SHA256_EMPTY  # nothing fed to the hash


def test_package_hash_is_the_tree_hash_of_the_installed_package_folder():
    folder = Path(cxtemplate.__file__).resolve().parent
    assert PACKAGE_DIR == folder
    assert package_sha256() == tree_sha256(folder, ("*",))
    assert re.fullmatch(r"[0-9a-f]{64}", package_sha256())


def test_package_hash_covers_templates_and_maturity_models(tmp_path):
    copy = tmp_path / "cxtemplate"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert tree_sha256(copy, ("*",)) == package_sha256()
    css = copy / "report" / "templates" / "report.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    assert tree_sha256(copy, ("*",)) != package_sha256()


# --------------------------------------------------------------------------- inputs


PARAMS = """\
organisation: {id: acme, name: Acme Ltd, as_of: 2025-12-31}
sources:
  responses: {file: data/responses.csv}
  customers:
    sql: SELECT id AS customer_id, joined AS start_date FROM crm.customers
    url_env: ACME_CRM_URL
maturity: {model: model.yaml}
governance: {owners: {cx_lead: {name: A. Person}}}
"""


def test_input_hashes_hash_files_and_sql_texts_never_the_url(tmp_path, monkeypatch):
    secret_url = "postgresql://analyst:s3cr3t-pa55@db.acme.example:5432/crm"
    monkeypatch.setenv("ACME_CRM_URL", secret_url)
    (tmp_path / "params" / "data").mkdir(parents=True)
    responses = b"response_id,nps\nR1,9\nR2,3\n"
    (tmp_path / "params" / "data" / "responses.csv").write_bytes(responses)
    (tmp_path / "params" / "model.yaml").write_text("name: tiny\n")
    (tmp_path / "params" / "acme.yaml").write_text(PARAMS)
    cfg = load_config(tmp_path / "params" / "acme.yaml")

    out = input_hashes(cfg)
    assert set(out) == {"responses", "customers", "maturity_model"}
    assert out["responses"] == {"source": "data/responses.csv", "sha256": hashlib.sha256(responses).hexdigest()}
    query = b"SELECT id AS customer_id, joined AS start_date FROM crm.customers"
    assert out["customers"] == {"source": "sql via $ACME_CRM_URL", "sha256": "sql:" + hashlib.sha256(query).hexdigest()}
    assert out["maturity_model"] == {"source": "model.yaml", "sha256": hashlib.sha256(b"name: tiny\n").hexdigest()}
    text = repr(out)
    assert secret_url not in text and "s3cr3t" not in text and "db.acme.example" not in text

    # the query's hash follows its text, not the data behind the URL
    monkeypatch.setenv("ACME_CRM_URL", "postgresql://other:pw@elsewhere/crm")
    assert input_hashes(load_config(tmp_path / "params" / "acme.yaml"))["customers"] == out["customers"]


def test_a_packaged_maturity_model_is_not_hashed_as_an_input(root):
    cfg = load_config(root / "params" / "demo.yaml")
    out = input_hashes(cfg)
    assert "maturity_model" not in out
    assert set(out) == set(cfg.sources.configured())
    for table, rec in out.items():
        assert rec["sha256"] == hashlib.sha256(cfg.resolve(rec["source"]).read_bytes()).hexdigest(), table


# --------------------------------------------------------------------------- versions and run ids


def test_versions_name_python_and_every_package_that_shapes_the_numbers():
    import numpy
    import pandas

    got = versions()
    assert set(got) == {"python", *VERSIONED}
    assert got["python"] == "{}.{}.{}".format(*sys.version_info[:3])
    assert got["pandas"] == pandas.__version__ and got["numpy"] == numpy.__version__
    assert got["cxtemplate"] != "not installed"


def test_a_package_that_is_not_installed_is_recorded_as_such(monkeypatch):
    from cxtemplate.run import provenance

    monkeypatch.setattr(provenance, "VERSIONED", ("pandas", "no-such-package-cx"))
    got = provenance.versions()
    assert got["no-such-package-cx"] == "not installed"
    assert set(got) == {"python", "pandas", "no-such-package-cx"}


def test_run_ids_are_utc_stamps_with_a_random_suffix():
    a, b = new_run_id(), new_run_id()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", a)
    assert a != b
