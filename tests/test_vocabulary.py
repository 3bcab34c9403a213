"""The shared names (``cxtemplate.vocabulary``): the NPS bands as published, and the params schema, the
report and the data model agreeing with the one definition of tables, roles, metric kinds and covariates."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from cxtemplate import vocabulary
from cxtemplate.config.schema import Churn, Reporting, Sources
from cxtemplate.vocabulary import (
    CX_COVARIATES,
    METRIC_KINDS,
    NPS_DETRACTOR_MAX,
    NPS_LEVELS,
    NPS_PROMOTER_MIN,
    ROLES,
    TABLES,
)

# Reichheld (2003), "The One Number You Need to Grow", Harvard Business Review 81(12): on the 0–10
# likelihood-to-recommend question, promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6.
PUBLISHED_BANDS = {**dict.fromkeys(range(7), "detractor"), 7: "passive", 8: "passive", 9: "promoter", 10: "promoter"}


def band(score: int) -> str:
    if score >= NPS_PROMOTER_MIN:
        return "promoter"
    return "passive" if score > NPS_DETRACTOR_MAX else "detractor"


def test_nps_cut_offs_are_the_published_ones():
    assert {s: band(s) for s in range(11)} == PUBLISHED_BANDS


def test_nps_of_one_answer_per_score_by_hand():
    # 0..10 once each: 2 promoters, 7 detractors of 11 → (2 − 7) / 11 × 100 = −45.45…
    scores = range(11)
    promoters = sum(band(s) == "promoter" for s in scores)
    detractors = sum(band(s) == "detractor" for s in scores)
    assert (promoters, detractors) == (2, 7)
    assert (promoters - detractors) / 11 * 100 == pytest.approx(-45.4545, abs=1e-4)


def test_the_churn_model_uses_the_same_bands():
    from cxtemplate.churn.columns import nps_category

    assert list(nps_category(list(range(11)))) == [PUBLISHED_BANDS[s] for s in range(11)]
    assert set(PUBLISHED_BANDS.values()) | {"none_yet"} == set(NPS_LEVELS)


def test_the_schema_accepts_exactly_the_cx_covariates():
    for covariate in CX_COVARIATES:
        assert Churn(cx_covariates=[covariate]).cx_covariates == [covariate]
    assert Churn(cx_covariates=list(CX_COVARIATES)).cx_covariates == list(CX_COVARIATES)
    for other in ("tenure", "nps", "NPS_category", "revenue"):
        with pytest.raises(ValidationError):
            Churn(cx_covariates=[other])


def test_the_schema_accepts_exactly_the_roles_and_shows_all_by_default():
    assert Reporting().roles == list(ROLES)
    for role in ROLES:
        assert Reporting(roles=[role]).roles == [role]
    for other in ("board", "Executive", "agent"):
        with pytest.raises(ValidationError):
            Reporting(roles=[other])


def test_the_report_index_has_a_heading_for_every_role_and_no_other():
    from cxtemplate.report.render import ROLE_TITLES

    assert tuple(ROLE_TITLES) == ROLES


def test_the_sources_section_has_one_entry_per_canonical_table():
    assert tuple(Sources.model_fields) == TABLES


def test_metric_specs_take_exactly_the_metric_kinds():
    from cxtemplate.measure.spec import MetricSpec

    scales = {"nps": ((0, 10), None), "top_box": ((1, 5), 4), "mean": ((1, 7), None)}
    assert set(scales) == set(METRIC_KINDS)
    for kind, (scale, success_min) in scales.items():
        assert MetricSpec("X", "x", kind, scale, success_min).kind == kind
    with pytest.raises(ValueError, match="kind must be one of 'nps', 'top_box' or 'mean', got 'median'"):
        MetricSpec("X", "x", "median", (1, 5))


def test_the_vocabulary_imports_nothing():
    tree = ast.parse(Path(vocabulary.__file__).read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def test_every_shared_name_is_an_immutable_tuple_without_repeats():
    for name in ("TABLES", "ROLES", "METRIC_KINDS", "NPS_LEVELS", "CX_COVARIATES"):
        value = getattr(vocabulary, name)
        assert isinstance(value, tuple) and len(set(value)) == len(value), name
