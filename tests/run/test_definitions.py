"""Metric definitions against the data and the targets (``cxtemplate.run.definitions``), and the open metric
set (``metrics.extra``) from the params to the integrated table."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtemplate.cli import main
from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import integrate
from cxtemplate.errors import ConfigError
from cxtemplate.measure.metrics import estimate
from cxtemplate.measure.spec import specs_from_config
from cxtemplate.run.definitions import header_problems, scale_warnings, threshold_warnings

HEAD = """\
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


def _project(tmp_path: Path, responses: pd.DataFrame, extra_yaml: str = "") -> Path:
    (tmp_path / "params" / "data").mkdir(parents=True)
    responses.to_csv(tmp_path / "params" / "data" / "responses.csv", index=False)
    path = tmp_path / "params" / "acme.yaml"
    path.write_text(HEAD + textwrap.dedent(extra_yaml))
    return path


def _answers(values, n: int = 200, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).choice(values, n)


def test_a_csat_declared_on_1_to_10_whose_answers_stop_at_5_is_flagged(tmp_path):
    r = pd.DataFrame({"nps": _answers(range(11)), "csat": _answers(range(1, 6))})
    cfg = load_config(_project(tmp_path, r, "metrics:\n  csat: {scale: [1, 10]}\n"))
    (warning,) = scale_warnings(cfg)
    assert warning.startswith("CSAT (csat, source column 'csat'): no answer reaches the top of the declared 1–10")
    assert "the data run from 1 to 5" in warning and "asked on 1–5?" in warning


def test_nps_exported_on_1_to_11_is_flagged_with_the_share_outside(tmp_path):
    scores = _answers(range(1, 12), n=220, seed=3)
    r = pd.DataFrame({"nps": scores, "csat": _answers(range(1, 6), n=220)})
    cfg = load_config(_project(tmp_path, r))
    (warning,) = scale_warnings(cfg)
    outside = int((scores > 10).sum())
    assert f"{outside:,} of 220 answers ({100 * outside / 220:.1f}%) lie outside the declared 0–10 scale" in warning


def test_scales_that_fit_and_a_few_planted_errors_give_no_warning(root):
    """The demo's few out-of-range scores (planted, 4 of 14,883 NPS) are the data-quality report's business."""
    assert scale_warnings(load_config(root / "params" / "demo.yaml")) == []


def test_too_few_answers_are_not_judged(tmp_path):
    r = pd.DataFrame({"nps": [1, 2, 3], "csat": [1, 2, 3]})
    assert scale_warnings(load_config(_project(tmp_path, r, "metrics:\n  csat: {scale: [1, 10]}\n"))) == []


def test_the_source_column_and_its_recode_are_what_is_checked(tmp_path):
    """A mapped column is read under its own name, after the source's recode (here 'top' → 5)."""
    r = pd.DataFrame({"nps": _answers(range(11)), "Sat": [*_answers(range(1, 5), 199).tolist(), "top"]})
    path = _project(tmp_path, r)
    path.write_text(HEAD.replace("    file: data/responses.csv\n", "    file: data/responses.csv\n"
                                 "    columns: {csat: Sat}\n    recode: {csat: {top: 5}}\n"))
    assert scale_warnings(load_config(path)) == []  # 'top' becomes 5: the top of the scale is used
    path.write_text(HEAD.replace("    file: data/responses.csv\n", "    file: data/responses.csv\n"
                                 "    columns: {csat: Sat}\n"))
    assert "source column 'Sat'" in scale_warnings(load_config(path))[0]


@pytest.mark.parametrize("metrics, objective, expected", [
    ("csat: {method: top2box}", "metric: csat\n    target: 4.2",
     "objective 'o1' (target): 4.2 looks like a mean score on the 1–5 scale, but CSAT is defined as the "
     "percentage answering 4–5 (0 to 100)"),
    ("csat: {method: top2box}", "metric: csat\n    target: 0.8", "0.8 looks like a share (write 80 for 80%)"),
    # a target outside the metric's range (CES 75 on a 1–7 mean) is a params error: tests/config/test_loader.py
    ("ces: {method: pct_agree}", "metric: ces\n    target: 0.6", "0.6 looks like a share (write 80 for 80%)"),
    ("nps: {}", "metric: nps\n    target: 8.5", "8.5 looks like a mean likelihood-to-recommend score on 0–10"),
    ("csat: {method: top2box}", "metric: csat\n    target: 80", None),
    ("ces: {method: mean}", "metric: ces\n    target: 5.6", None),
    ("nps: {}", "metric: nps\n    target: 20", None),
])
def test_targets_written_for_another_definition(tmp_path, metrics, objective, expected):
    r = pd.DataFrame({"nps": [9], "csat": [4], "ces": [5]})
    path = _project(tmp_path, r, f"""\
metrics:
  {metrics}
objectives:
  - id: o1
    goal: Better
    {objective}
    deadline: 2026-12-31
    owner: cx_lead
""")
    warnings = threshold_warnings(load_config(path))
    assert warnings == [] if expected is None else expected in warnings[0]


def test_an_alert_threshold_is_checked_in_the_units_of_its_metric(tmp_path):
    path = _project(tmp_path, pd.DataFrame({"nps": [9]}), """\
alerts:
  - {id: a1, metric: nps, condition: below, threshold: 7.5, owner: cx_lead}
""")
    (w,) = threshold_warnings(load_config(path))
    assert w.startswith("alert 'a1' (threshold): 7.5 looks like a mean likelihood-to-recommend score")


EXTRA = """\
metrics:
  ces: {enabled: false}
  extra:
    - {key: csat10, kind: top_box, scale: [1, 10], success_min: 9, label: "Satisfaction (1–10)"}
objectives:
  - {id: o1, goal: Delight, metric: csat10, target: 60, deadline: 2026-12-31, owner: cx_lead}
"""


def test_a_second_top_box_metric_beside_csat_is_a_metric_like_the_others(tmp_path):
    r = pd.DataFrame({"response_id": [f"r{i}" for i in range(8)], "responded_at": ["2025-12-01"] * 8,
                      "nps": [9] * 8, "csat": [5, 4, 4, 3, 2, 5, 4, 1], "csat10": [10, 9, 8, 3, 9, 10, 1, 12]})
    cfg = load_config(_project(tmp_path, r, EXTRA))
    specs = specs_from_config(cfg.metrics)
    assert list(specs) == ["nps", "csat", "csat10"]
    s = specs["csat10"]
    assert (s.name, s.column, s.kind, s.scale, s.success_min, s.display) == \
        ("CSAT10", "csat10", "top_box", (1, 10), 9, "Satisfaction (1–10)")
    assert "metrics nps, csat, csat10" in cfg.summary()
    result = integrate(cfg)
    table = result.tables["responses"]
    assert table["csat10"].notna().sum() == 7  # the 12 lies outside 1–10: quarantined, not silently kept
    report = result.reports["responses"]
    assert report.rows_quarantined == 1 and any("csat10" in reason for reason in report.reasons), report.reasons
    est = estimate(table["csat10"], s)
    # by hand: the 7 answers on 1–10 are 10, 9, 8, 3, 9, 10, 1; four of them are 9 or 10
    assert est["n"] == 7 and est["successes"] == 4 and est["value"] == pytest.approx(100 * 4 / 7)


@pytest.mark.parametrize("yaml_text, message", [
    ("metrics:\n  extra:\n    - {key: csat, kind: mean, scale: [1, 5]}\n", "key 'csat' is a built-in metric"),
    ("metrics:\n  extra:\n    - {key: x, kind: top_box, scale: [1, 10]}\n", "kind top_box needs success_min"),
    ("metrics:\n  extra:\n    - {key: x, kind: nps, scale: [1, 11]}\n", "kind nps is defined on the 0–10 scale"),
    ("metrics:\n  extra:\n    - {key: x, kind: median, scale: [1, 5]}\n", "Input should be 'nps', 'top_box' or 'mean'"),
    ("metrics:\n  extra:\n    - {key: x, kind: mean, scale: [1, 5]}\n    - {key: x, kind: mean, scale: [1, 7]}\n",
     "lists a key twice"),
    ("objectives:\n  - {id: o1, goal: g, metric: cast, target: 1, deadline: 2026-01-01, owner: cx_lead}\n",
     "objectives[0].metric: unknown metric 'cast' (did you mean 'csat'?); the metrics are nps, csat, ces"),
    ("metrics:\n  drivers: {outcome: csat10}\n", "metrics.drivers.outcome: unknown metric 'csat10'"),
])
def test_mistakes_in_the_metric_set_are_reported_with_their_key(tmp_path, yaml_text, message):
    path = _project(tmp_path, pd.DataFrame({"nps": [9]}), yaml_text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert any(message in str(p) for p in info.value.problems), [str(p) for p in info.value.problems]


def test_validate_prints_the_warnings_and_still_succeeds(tmp_path, capsys):
    r = pd.DataFrame({"nps": _answers(range(11)), "csat": _answers(range(1, 6))})
    # ces switched off: enabled without a column it would be an error (header_problems), not a warning
    path = _project(tmp_path, r, "metrics:\n  csat: {scale: [1, 10]}\n  ces: {enabled: false}\n")
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert ": OK — " in captured.out and "warning: CSAT (csat, source column 'csat'): no answer reaches" in captured.err


# --------------------------------------------------------------------------- the params against the files' headers

CRM = """\
organisation:
  id: acme
  name: Acme Ltd
sources:
  customers:
    file: data/crm.csv
    columns:
      tenure: months
      churned: Churn
    keep: [Contract, Gendr]
    recode:
      churned: {"yes": true, "no": false}
governance:
  owners:
    cx_lead: {name: A. Person}
"""


def _crm_project(tmp_path: Path, text: str = CRM, frame: pd.DataFrame | None = None, name: str = "crm.csv") -> Path:
    (tmp_path / "params" / "data").mkdir(parents=True)
    frame = frame if frame is not None else pd.DataFrame(
        {"months": [3, 14, 40] * 10, "Churn": ["Yes", "No", "No"] * 10, "Contract": ["A", "B", "C"] * 10})
    target = tmp_path / "params" / "data" / name
    frame.to_parquet(target) if name.endswith(".parquet") else frame.to_csv(target, index=False)
    path = tmp_path / "params" / "acme.yaml"
    path.write_text(text)
    return path


def _line_of(text: str, start: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln.lstrip().startswith(start))


def test_header_problems_name_the_file_line_and_key(tmp_path):
    path = _crm_project(tmp_path)
    found = {p.path: p for p in header_problems(load_config(path))}
    assert set(found) == {"sources.customers.columns", "sources.customers.keep[1]", "sources.customers.recode.churned"}
    missing_id = found["sources.customers.columns"]
    assert missing_id.line == _line_of(CRM, "columns:")
    assert "required column customer_id is not provided" in missing_id.message
    assert "set `id: row_number`" in missing_id.message               # the way out for an export without ids
    kept = found["sources.customers.keep[1]"]
    assert kept.line == _line_of(CRM, "keep:") and "'Gendr' is not a column of data/crm.csv" in kept.message
    recode = found["sources.customers.recode.churned"]
    assert recode.line == _line_of(CRM, "churned: {")
    # the keys are lower case, the file writes Yes / No: the rule would change nothing
    assert "none of the recode keys ('yes', 'no') is a value of column 'Churn'" in recode.message
    assert "'No', 'Yes'" in recode.message and "first 30 rows" in recode.message


def test_a_mapped_column_the_file_lacks_gets_the_closest_name(tmp_path):
    text = CRM.replace("churned: Churn", "churned: Churned").replace("keep: [Contract, Gendr]", "id: row_number") \
              .replace('{"yes": true, "no": false}', '{"Yes": true, "No": false}')
    (problem,) = header_problems(load_config(_crm_project(tmp_path, text)))
    assert (problem.path, problem.line) == ("sources.customers.columns.churned", _line_of(text, "churned: Churned"))
    assert problem.message == "the column mapped to churned, 'Churned' is not a column of data/crm.csv " \
                              "(did you mean 'Churn'?)"


def test_a_parquet_schema_is_checked_too(tmp_path):
    text = CRM.replace("crm.csv", "crm.parquet").replace("keep: [Contract, Gendr]", "id: row_number") \
              .replace('{"yes": true, "no": false}', '{"Left": true}')
    found = header_problems(load_config(_crm_project(tmp_path, text, name="crm.parquet")))
    assert [p.path for p in found] == ["sources.customers.recode.churned"]


def test_matching_params_have_no_header_problems(tmp_path):
    text = CRM.replace("keep: [Contract, Gendr]", "id: row_number\n    keep: [Contract]") \
              .replace('{"yes": true, "no": false}', '{"Yes": true, "No": false}')
    assert header_problems(load_config(_crm_project(tmp_path, text))) == []


def test_recode_keys_written_as_numbers_match_numbers(tmp_path):
    text = CRM.replace("keep: [Contract, Gendr]", "id: row_number").replace('{"yes": true, "no": false}',
                                                                             "{1: true, 0: false}")
    frame = pd.DataFrame({"months": [3, 14, 40] * 10, "Churn": [1.0, 0.0, 0.0] * 10})
    assert header_problems(load_config(_crm_project(tmp_path, text, frame))) == []


def test_a_generated_key_beside_a_real_id_column_is_refused(tmp_path):
    text = """\
organisation: {id: acme, name: Acme Ltd}
sources:
  customers:
    file: data/crm.csv
    id: row_number
    columns: {tenure: months, churned: Churn}
  responses:
    file: data/survey.csv
metrics:
  csat: {enabled: false}
  ces: {enabled: false}
"""
    frame = pd.DataFrame({"customer_id": ["K1", "K2", "K3"] * 10, "months": [3, 14, 40] * 10,
                          "Churn": ["Yes", "No", "No"] * 10})
    path = _crm_project(tmp_path, text, frame)
    pd.DataFrame({"customer_id": ["K1", "K2"], "nps": [9, 3]}).to_csv(tmp_path / "params" / "data" / "survey.csv",
                                                                      index=False)
    found = {p.path: p for p in header_problems(load_config(path))}
    assert set(found) == {"sources.customers.id", "sources.responses"}
    assert "has a column called customer_id: map it instead" in found["sources.customers.id"].message
    assert found["sources.customers.id"].line == 5
    # the survey's ids would be matched against row numbers: refused, as a mapped customer_id is when loading
    assert "no row number of the CRM export is an id another system holds" in found["sources.responses"].message


def test_calendar_dates_need_an_analysis_date(tmp_path):
    text = CRM.replace("      tenure: months\n      churned: Churn\n", "      start_date: joined\n") \
              .replace("keep: [Contract, Gendr]", "id: row_number").replace(
                  '    recode:\n      churned: {"yes": true, "no": false}\n', "")
    frame = pd.DataFrame({"joined": ["2024-01-05", "2024-03-01"] * 5})
    (problem,) = header_problems(load_config(_crm_project(tmp_path, text, frame)))
    assert problem.path == "organisation" and "organisation.as_of is not set" in problem.message
    assert "start_date: column 'joined'" in problem.message


def test_the_demo_and_the_examples_match_their_files(root, real_data):
    for params in [root / "params" / "demo.yaml", *sorted((root / "params" / "examples").glob("*.yaml"))]:
        assert header_problems(load_config(params)) == [], params.name


def test_validate_and_run_stop_on_header_problems_before_anything_starts(tmp_path, capsys):
    path = _crm_project(tmp_path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "3 problems in the parameters" in err and f"{path}:{_line_of(CRM, 'columns:')}: sources.customers.columns" in err
    out = tmp_path / "reports"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    assert "required column customer_id is not provided" in capsys.readouterr().err
    assert not out.exists()                                            # no notebook started, no folder made


def test_a_source_filter_is_checked_against_the_table_and_the_file(tmp_path):
    """where: may read a canonical column, a kept one or any column of the file; anything else names its key."""
    text = CRM.replace("keep: [Contract, Gendr]", "id: row_number\n    keep: [Contract]\n"
                       "    where: {Contract: A, months: {'>=': 1}, Churn: [Yes, No], tenure: {'<': 90}, Contrat: B}") \
              .replace('{"yes": true, "no": false}', '{"Yes": true, "No": false}')
    (problem,) = header_problems(load_config(_crm_project(tmp_path, text)))
    assert (problem.path, problem.line) == ("sources.customers.where.Contrat", _line_of(text, "where:"))
    assert "the filter reads 'Contrat'" in problem.message and "(did you mean 'Contract'?)" in problem.message


def test_a_filter_on_a_canonical_column_the_source_does_not_provide_is_refused(tmp_path):
    text = CRM.replace("keep: [Contract, Gendr]", "id: row_number\n    where: {segment: SME}") \
              .replace('{"yes": true, "no": false}', '{"Yes": true, "No": false}')
    (problem,) = header_problems(load_config(_crm_project(tmp_path, text)))
    assert problem.path == "sources.customers.where.segment" and "the filter reads 'segment'" in problem.message


def test_a_cohort_reading_a_column_the_customers_table_will_not_hold_is_refused(tmp_path):
    """Cohorts are drawn from the integrated table: canonical columns the source provides and kept columns. A file
    column that is neither (here the raw `months`, read as tenure) is dropped at integration."""
    text = CRM.replace("keep: [Contract, Gendr]", "id: row_number\n    keep: [Contract]") \
              .replace('{"yes": true, "no": false}', '{"Yes": true, "No": false}') \
        + ("churn:\n  cohorts:\n    short contracts: {Contract: A, customer_id: {'!=': '7'}}\n"
           "    typo: {Contrat: B}\n    raw: {months: {'>=': 1}}\n    raw typo: {Churned: 'yes'}\n")
    found = {p.path: p for p in header_problems(load_config(_crm_project(tmp_path, text)))}
    assert set(found) == {"churn.cohorts.typo.Contrat", "churn.cohorts.raw.months", "churn.cohorts.raw typo.Churned"}
    # a file column read under its canonical name: the message says which name to write
    assert "(the file's 'months' is read as 'tenure': write tenure)" in found["churn.cohorts.raw.months"].message
    assert "(the file's 'Churn' is read as 'churned': write churned)" in found["churn.cohorts.raw typo.Churned"].message
    assert found["churn.cohorts.typo.Contrat"].line == _line_of(text, "typo:")
    assert "cohort 'typo' reads 'Contrat'" in found["churn.cohorts.typo.Contrat"].message
    assert "(did you mean 'Contract'?)" in found["churn.cohorts.typo.Contrat"].message
    assert "sources.customers.keep" in found["churn.cohorts.raw.months"].message
