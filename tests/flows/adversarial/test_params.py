"""Hostile and mistaken parameters (issue 14): every case is a clear error naming the file, line and key.

Families: YAML that would exhaust the reader (alias bombs of lists, mappings and merge keys; nesting
thousands of levels deep), paths that are folders or lie outside the engagement (sources, the maturity
model), thresholds no metric can reach (an NPS target of 250), data-quality and id rules out of their
domain, and organisations whose report folders would nest. Each case asserts the class of outcome: a
:class:`~cxtemplate.errors.ConfigError` whose problem names the key path (and the line where the file
has one), never a crash, a hang or a run that starts. Speed is measured in ``bench/bench_validate.py``,
not here.
"""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path

import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.errors import ConfigError

PARAMS = """\
organisation:
  id: acme
  name: Acme Ltd
  as_of: 2025-12-31
sources:
  responses:
    file: ../data/responses.csv
governance:
  owners:
    cx_lead: {name: A. Person}
"""


@pytest.fixture()
def engagement(tmp_path: Path):
    """params/acme.yaml (the text given) beside data/responses.csv; returns the params path."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "responses.csv").write_text("response_id,nps,csat,ces\nR1,9,4,2\n")  # every enabled metric has its column
    (tmp_path / "params").mkdir()

    def write(text: str, name: str = "acme") -> Path:
        path = tmp_path / "params" / f"{name}.yaml"
        path.write_text(text)
        return path

    write.root = tmp_path
    return write


def problems(path: Path) -> list:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def one_problem(path: Path):
    found = problems(path)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


# --------------------------------------------------------------------------- YAML that would exhaust the reader


def list_bomb(levels=9, width=9):
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def mapping_bomb(levels=9, width=9):
    lines = ["m0: &m0 {" + ", ".join(f"k{j}: lol" for j in range(width)) + "}"]
    lines += [f"m{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" for j in range(width)) + "}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def merge_bomb(levels=9, width=9):
    lines = ["b0: &b0 {" + ", ".join(f"k{j}: [lol, lol, lol]" for j in range(width)) + "}"]
    lines += [f"b{i}: &b{i} {{<<: *b{i - 1}, " + ", ".join(f"x{j}: *b{i - 1}" for j in range(width)) + "}"
              for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bomb", [list_bomb, mapping_bomb, merge_bomb,
                                  lambda: list_bomb(levels=4, width=40)],
                         ids=["lists", "mappings", "merge-keys", "wide"])
def test_an_alias_bomb_is_refused_with_the_line_of_the_repeated_anchor(engagement, bomb):
    path = engagement(PARAMS + bomb())
    p = one_problem(path)
    assert p.path == "" and "YAML aliases expand this file to" in p.message and "write the values out" in p.message
    assert p.line is not None and p.line > PARAMS.count("\n")


def test_an_alias_bomb_inside_a_section_is_refused_too(engagement):
    body = list_bomb().replace("\n", "\n  ")
    path = engagement(PARAMS.replace("governance:", "reporting:\n  " + body.rstrip() + "\ngovernance:"))
    assert "YAML aliases expand" in one_problem(path).message


def test_anchors_used_a_few_times_are_fine(engagement):
    path = engagement(PARAMS.replace("    cx_lead: {name: A. Person}",
                                     "    cx_lead: &person {name: A. Person, title: Lead}\n    ops: *person\n"
                                     "    finance: *person"))
    assert {o.name for o in load_config(path).governance.owners.values()} == {"A. Person"}


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")], ids=["lists", "mappings"])
def test_nesting_thousands_deep_is_refused(engagement, opening, closing):
    path = engagement(PARAMS + "deep: " + opening * 3000 + "1" + closing * 3000 + "\n")
    p = one_problem(path)
    assert "nested more than 50 levels deep" in p.message and p.line == PARAMS.count("\n") + 1


def test_a_large_params_file_is_read(engagement):
    """A 250 kB recode table (10,000 entries) reads; how fast a 5 MB one reads is bench_validate's business."""
    rows = "".join(f"        code_{i:06d}: Location {i}\n" for i in range(10_000))
    path = engagement(PARAMS.replace("    file: ../data/responses.csv\n",
                                     "    file: ../data/responses.csv\n    recode:\n      location:\n" + rows))
    cfg = load_config(path)
    assert len(cfg.sources.responses.recode["location"]) == 10_000
    assert cfg.sources.responses.recode["location"]["code_009999"] == "Location 9999"


# --------------------------------------------------------------------------- paths


def test_a_folder_as_a_source_file_is_a_validation_error(engagement):
    (engagement.root / "data" / "exports.csv").mkdir()
    p = one_problem(engagement(PARAMS.replace("responses.csv", "exports.csv")))
    assert (p.path, p.line) == ("sources.responses.file", 7) and "is a folder, not a file" in p.message


@pytest.mark.parametrize("where", ["dotdot", "absolute", "symlink"])
def test_a_maturity_model_outside_the_engagement_folder_is_refused(engagement, tmp_path_factory, where):
    elsewhere = tmp_path_factory.mktemp("other_client") / "model.yaml"
    elsewhere.write_text("dimensions: []\n")
    if where == "dotdot":
        (engagement.root.parent / "model.yaml").write_text("dimensions: []\n")
        model = "../../model.yaml"
    elif where == "absolute":
        model = str(elsewhere)
    else:
        (engagement.root / "params" / "model.yaml").symlink_to(elsewhere)
        model = "model.yaml"
    p = one_problem(engagement(PARAMS + f"maturity: {{model: {model}}}\n"))
    assert p.path == "maturity.model" and "outside the engagement folder" in p.message


# --------------------------------------------------------------------------- values no result can reach

METRICS = {
    "nps": "",
    "ces-mean": "metrics: {ces: {method: mean, scale: [1, 7]}}\n",
    "ces-agree": "metrics: {ces: {method: pct_agree, scale: [1, 7]}}\n",
    "csat-top2": "metrics: {csat: {method: top2box, scale: [1, 5]}}\n",
    "csat-mean": "metrics: {csat: {method: mean, scale: [1, 5]}}\n",
    "extra-nps": "metrics: {extra: [{key: nps2, kind: nps, scale: [0, 10]}]}\n",
}


@pytest.mark.parametrize("metrics, metric, value, ok", [
    ("nps", "nps", 250, False), ("nps", "nps", -100.5, False), ("nps", "nps", 100, True), ("nps", "nps", -40, True),
    ("ces-mean", "ces", 75, False), ("ces-mean", "ces", 0.5, False), ("ces-mean", "ces", 7, True),
    ("ces-agree", "ces", 101, False), ("ces-agree", "ces", 75, True),
    ("csat-top2", "csat", 120, False), ("csat-top2", "csat", -1, False), ("csat-top2", "csat", 85, True),
    ("csat-mean", "csat", 6, False), ("csat-mean", "csat", 4.2, True),
    ("extra-nps", "nps2", 250, False), ("extra-nps", "nps2", 30, True),
], ids=lambda v: str(v))
@pytest.mark.parametrize("section", ["objectives", "alerts"])
def test_targets_and_thresholds_must_lie_in_the_metrics_range(engagement, section, metrics, metric, value, ok):
    item = (f"objectives:\n  - {{id: o1, goal: g, metric: {metric}, target: {value}, deadline: 2026-12-31, "
            "owner: cx_lead}\n" if section == "objectives"
            else f"alerts:\n  - {{id: a1, metric: {metric}, condition: below, threshold: {value}, owner: cx_lead}}\n")
    path = engagement(PARAMS + METRICS[metrics] + item)
    if ok:
        load_config(path)
        return
    p = one_problem(path)
    key = "target" if section == "objectives" else "threshold"
    assert p.path == f"{section}[0].{key}" and p.line == (PARAMS + METRICS[metrics]).count("\n") + 2
    assert f"{key} {value:g}" in p.message and "no result can reach it" in p.message


# --------------------------------------------------------------------------- rules of their own


@pytest.mark.parametrize("text, key, words", [
    ("quality: {max_quarantined_share: 1.5}\n", "quality.max_quarantined_share", ["less than or equal to 1"]),
    ("quality: {join_error_below: 0.95}\n", "quality", ["must not exceed join_warning_below"]),
    ("ids: {case: title}\n", "ids.case", ["'keep'", "'upper'", "'lower'", "title"]),
    ("ids: {leading_zeros: pad}\n", "ids.leading_zeros", ["'strip'", "pad"]),
    ("ids: {cas: upper}\n", "ids.cas", ["did you mean 'case'?"]),
], ids=["share", "join-order", "case", "zeros", "typo"])
def test_data_quality_and_id_rules_are_checked(engagement, text, key, words):
    p = one_problem(engagement(PARAMS + text))
    assert p.path == key and p.line is not None, p
    for w in words:
        assert w in p.message, (w, p.message)


@pytest.mark.parametrize("source, key, words", [
    ("    header_row: 0\n", "sources.responses.header_row", ["greater than or equal to 1"]),
    ("    header_row: first\n", "sources.responses.header_row", ["integer", "first"]),
    ("    ids: {strip: maybe}\n", "sources.responses.ids.strip", ["boolean", "maybe"]),
], ids=["header-zero", "header-word", "source-ids"])
def test_source_rules_are_checked(engagement, source, key, words):
    p = one_problem(engagement(PARAMS.replace("    file: ../data/responses.csv\n",
                                              "    file: ../data/responses.csv\n" + source)))
    assert p.path == key and p.line == 8
    for w in words:
        assert w in p.message


# --------------------------------------------------------------------------- organisations may not nest


@pytest.fixture()
def nothing_may_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("workers were started although the params are invalid")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)


@pytest.mark.parametrize("inner_dir, outer_dir", [
    ("../reports/acme", "../reports"),          # the second client inside the first's folder
    ("../reports/acme/restricted", "../reports"),
    ("../reports", "../reports/bravo/x"),       # the first inside the second's
], ids=["inside", "inside-restricted", "other-way"])
def test_organisations_whose_report_folders_nest_are_refused_naming_both_files(engagement, nothing_may_run,
                                                                               inner_dir, outer_dir):
    from cxtemplate.run.batch import run_many

    first = engagement(PARAMS + f"reporting: {{output_dir: {outer_dir}}}\n")
    second = engagement(PARAMS.replace("id: acme", "id: bravo") + f"reporting: {{output_dir: {inner_dir}}}\n", "bravo")
    with pytest.raises(ConfigError) as info:
        run_many([str(first), str(second)], progress=False)
    (p,) = info.value.problems
    named = {Path(p.file).name} | set(re.findall(r"\w+\.yaml", p.message))
    assert {"acme.yaml", "bravo.yaml"} <= named, p
    assert p.path == "reporting.output_dir" and "inside the folder of" in p.message
    assert not (engagement.root / "reports").exists()
